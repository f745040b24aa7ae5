"""Cold start: `python app.py` until the first answer is served through the Gradio API, for a
first start (empty store: the app ingests corpus/ first) and two restarts (store already filled),
plus `import app` alone and the app's peak RSS (VmHWM) after its first answer.

Usage: .venv/bin/python bench/cold_start.py [--corpus DIR] -> JSON with the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from common import machine  # bench/common.py: scripts run from this folder

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "What did Bruen say Ukraine needs?"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_to_answer(store: Path, corpus: Path) -> dict[str, Any]:
    port = free_port()
    env = {
        **os.environ,
        "RAG_STORE_DIR": str(store),
        "RAG_CORPUS_DIR": str(corpus),
        "RAG_PORT": str(port),
        "HF_HUB_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
    }
    url = f"http://127.0.0.1:{port}/"
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "app.py"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        while True:
            try:
                if urllib.request.urlopen(url, timeout=2).status == 200:
                    break
            except OSError:
                if proc.poll() is not None or time.perf_counter() - t0 > 600:
                    raise SystemExit("app did not start") from None
                time.sleep(0.05)
        t_page = time.perf_counter() - t0
        from gradio_client import Client

        a = Client(url, verbose=False).predict(QUESTION, "[]", api_name="/ask")
        t_answer = time.perf_counter() - t0
        hwm = next(
            int(line.split()[1])
            for line in Path(f"/proc/{proc.pid}/status").open()
            if line.startswith("VmHWM")
        )
        return {
            "page_up_s": round(t_page, 2),
            "first_answer_s": round(t_answer, 2),
            "answered": not a["abstained"],
            "peak_rss_mb": round(hwm / 1024),
        }
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    args = ap.parse_args()
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import app"], cwd=ROOT, check=True)
    t_import = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        first = start_to_answer(Path(tmp) / "store", args.corpus)
        restart = start_to_answer(Path(tmp) / "store", args.corpus)
        # the first restart is slower (probably Chroma applying the first start's writes)
        restart_again = start_to_answer(Path(tmp) / "store", args.corpus)
    print(
        json.dumps(
            {
                "machine": machine(),
                "import_app_s": round(t_import, 2),
                "first_start_with_ingest": first,
                "restart": restart,
                "restart_again": restart_again,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
