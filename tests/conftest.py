"""Shared fixtures: no network beyond loopback, one real embedding model per session, and a
store holding the seed article in a temporary folder."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["ANONYMIZED_TELEMETRY"] = "False"

DATA = Path(__file__).parent / "data"
SEED = DATA / "ukraine-nato-offer-2025-12-15.txt"
_LOOPBACK = ("127.", "::1", "localhost", "0.0.0.0")


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any connection to a non-loopback address fails the test that made it."""
    real = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else str(address)
        if isinstance(host, str) and not host.startswith(_LOOPBACK) and self.family != socket.AF_UNIX:
            raise RuntimeError(f"test tried to reach the network: {address!r}")
        return real(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(scope="session")
def seed_pipeline(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from rag.config import Settings
    from rag.pipeline import Pipeline

    settings = Settings(store_dir=tmp_path_factory.mktemp("store"), corpus_dir=DATA)
    pipe = Pipeline(settings)
    results = pipe.ingest([SEED])
    assert all(r.ok for r in results), results
    return pipe


@pytest.fixture(scope="session")
def llm_url():  # type: ignore[no-untyped-def]
    """An OpenAI-compatible LLM server: RAG_TEST_LLM_URL (.ci/run starts one), or the bundled
    SmolLM2-135M started here with `python -m rag llm-server` on a free port."""
    import subprocess
    import sys

    from rag.llm_server import wait_ready

    if url := os.environ.get("RAG_TEST_LLM_URL"):
        wait_ready(url, timeout=180)
        yield url
        return
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "rag", "llm-server", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        wait_ready(url, timeout=180)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
