"""Shared fixtures: no network beyond loopback, one real embedding model per session, a real
`chroma run` server (started here unless RAG_TEST_CHROMA_URL names one, as .ci/run does), and
the seed article stored both ways: an embedded store in a temporary folder and a database of
its own on the server."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["ANONYMIZED_TELEMETRY"] = "False"
# app data (with a Chroma server: the replicas' lexical mirrors) in one folder per test run
os.environ.setdefault("RAG_DATA_DIR", tempfile.mkdtemp(prefix="rag-test-data-"))

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


BACKENDS = ["embedded", "server"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def chroma_exe() -> str:
    exe = Path(sys.executable).parent / "chroma"
    return str(exe) if exe.exists() else (shutil.which("chroma") or "chroma")


def wait_for_chroma(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.2)


def start_chroma(path: Path, port: int) -> subprocess.Popen[bytes]:
    """A real `chroma run` on 127.0.0.1, ready (heartbeat answered) when this returns."""
    proc = subprocess.Popen(
        [chroma_exe(), "run", "--path", str(path), "--port", str(port), "--host", "127.0.0.1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_chroma(f"http://127.0.0.1:{port}")
    except OSError:
        proc.kill()
        raise
    return proc


@pytest.fixture(scope="session")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The Chroma server the server-mode tests use (each test takes a database of its own)."""
    if url := os.environ.get("RAG_TEST_CHROMA_URL"):
        yield url.rstrip("/")
        return
    port = free_port()
    proc = start_chroma(tmp_path_factory.mktemp("chroma-server"), port)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=30)


def backend_settings(backend: str, tmp: Path, chroma_url: str, **kw: object):  # type: ignore[no-untyped-def]
    """Settings for a fresh, empty store of the given backend."""
    from rag.config import Settings

    if backend == "server":
        return Settings(chroma_url=f"{chroma_url}/t-{uuid.uuid4().hex[:12]}", **kw)  # type: ignore[arg-type]
    return Settings(store_dir=tmp / "store", **kw)  # type: ignore[arg-type]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def fresh_settings(backend: str, tmp_path: Path, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """Settings for an empty store: embedded in tmp_path, or a new database on the server."""
    url = request.getfixturevalue("chroma_url") if backend == "server" else ""
    return backend_settings(backend, tmp_path, url)


@pytest.fixture(scope="session", params=BACKENDS)
def seed_pipeline(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    from rag.pipeline import Pipeline

    url = request.getfixturevalue("chroma_url") if request.param == "server" else ""
    settings = backend_settings(str(request.param), tmp_path_factory.mktemp("store"), url, corpus_dir=DATA)
    pipe = Pipeline(settings)
    results = pipe.ingest([SEED])
    assert all(r.ok for r in results), results
    return pipe


ROOT = Path(__file__).resolve().parent.parent


@dataclass
class RunningApp:
    url: str
    data_dir: Path
    log: Path
    proc: subprocess.Popen[bytes]

    def logs(self) -> str:
        return self.log.read_text(errors="replace")


def start_app(tmp: Path, corpus: Path, **env: str) -> RunningApp:
    """`python app.py` on a free loopback port, with its own store, data folder and log."""
    port = free_port()
    full = {
        **os.environ,
        "RAG_STORE_DIR": str(tmp / "store"),
        "RAG_CORPUS_DIR": str(corpus),
        "RAG_DATA_DIR": str(tmp / "data"),
        "RAG_HOST": "127.0.0.1",
        "RAG_PORT": str(port),
        "HF_HUB_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
        "GRADIO_ANALYTICS_ENABLED": "False",
        **env,
    }
    log = tmp / "app.log"
    with log.open("w") as fh:
        proc = subprocess.Popen(
            [sys.executable, "app.py"], cwd=ROOT, env=full, stdout=fh, stderr=subprocess.STDOUT
        )
    app = RunningApp(f"http://127.0.0.1:{port}/", tmp / "data", log, proc)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("app exited:\n" + app.logs())
        try:
            with urllib.request.urlopen(app.url, timeout=2) as r:
                if r.status == 200:
                    return app
        except urllib.error.HTTPError:
            return app  # it answers (401 behind a login)
        except OSError:
            time.sleep(0.5)
    stop_app(app)
    raise RuntimeError("app did not start in 240 s:\n" + app.logs())


def stop_app(app: RunningApp) -> None:
    app.proc.terminate()
    try:
        app.proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        app.proc.kill()


@pytest.fixture(scope="session")
def running_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """One app for the whole session (API and browser tests share it): the seed article."""
    tmp = tmp_path_factory.mktemp("app")
    corpus = tmp / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    app = start_app(tmp, corpus, RAG_URL_ALLOW_PRIVATE="true")  # the URL-ingest test's server is loopback
    yield app
    stop_app(app)


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
    port = free_port()
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
