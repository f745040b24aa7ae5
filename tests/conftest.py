"""Shared fixtures: no network beyond loopback, one real embedding model per session, and a
store holding the seed article in a temporary folder."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
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


ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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
    app = start_app(tmp, corpus)
    yield app
    stop_app(app)
