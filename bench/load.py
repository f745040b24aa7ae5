"""Load: N concurrent gradio_client sessions x M questions against one running app.

Each session keeps its own conversation: it asks about "its" speaker, then follow-ups with
pronouns ("Who is he?") that only its own history resolves, so an answer naming another
session's speaker would show one session seeing another's history. Prints JSON: answered,
errors, history leaks, latency p50/p95/max (ms, client side, queue wait included), the machine.

    .venv/bin/python bench/load.py                      # starts its own app on the seed article
    .venv/bin/python bench/load.py --url http://127.0.0.1:7860/ --sessions 20 --questions 10
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from common import machine  # bench/common.py: scripts run from this folder

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "ukraine-nato-offer-2025-12-15.txt"
# (speaker, their first question, a word only that speaker's "who is he?" answer carries)
PEOPLE = [
    ("Brett Bruen", "What did Bruen say Ukraine needs?", "Global Situation Room"),
    ("Justin Logan", "What did Justin Logan say?", "Cato Institute"),
    ("Andrew Michta", "What did Michta say?", "University of Florida"),
]
FOLLOW_UPS = ["Who is he?", "And what does he do?", "What else did he say?"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_app(workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    corpus = workdir / "corpus"
    corpus.mkdir()
    (corpus / SEED.name).write_bytes(SEED.read_bytes())
    port = _free_port()
    env = {
        **os.environ,
        "RAG_STORE_DIR": str(workdir / "store"),
        "RAG_CORPUS_DIR": str(corpus),
        "RAG_PORT": str(port),
        "HF_HUB_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
    }
    log = (workdir / "app.log").open("wb")
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}/"
    for _ in range(300):
        try:
            if urllib.request.urlopen(url, timeout=2).status == 200:
                return proc, url
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError("the app did not start: " + (workdir / "app.log").read_text(errors="replace"))


def session(url: str, idx: int, questions: int, out: dict[str, list]) -> None:
    from gradio_client import Client

    name, first, marker = PEOPLE[idx % len(PEOPLE)]
    client = Client(url, verbose=False)
    history: list[dict[str, str]] = []
    for i in range(questions):
        q = first if i == 0 else FOLLOW_UPS[(i - 1) % len(FOLLOW_UPS)]
        t0 = time.perf_counter()
        try:
            a = client.predict(q, json.dumps(history), api_name="/ask")
        except Exception as exc:  # noqa: BLE001 - every failure is counted, none stops the run
            out["errors"].append(f"session {idx} q{i}: {exc}")
            continue
        out["latency"].append((time.perf_counter() - t0) * 1000)
        speakers = {c.get("speaker") for c in a["citations"] if c.get("speaker")}
        others = {p for p, _, _ in PEOPLE if p != name}
        if speakers & others:  # answered about someone this session never asked about
            out["leaks"].append(f"session {idx} ({name}) q{i} {q!r} cited {sorted(speakers & others)}")
        if q == "Who is he?" and marker not in a["answer"]:
            out["leaks"].append(f"session {idx} ({name}): 'Who is he?' lacks {marker!r}")
        history += [{"role": "user", "content": q}, {"role": "assistant", "content": a["answer"]}]


def run(url: str, sessions: int, questions: int) -> dict[str, object]:
    out: dict[str, list] = {"latency": [], "errors": [], "leaks": []}
    threads = [threading.Thread(target=session, args=(url, i, questions, out)) for i in range(sessions)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    lat = sorted(out["latency"])
    pct = (lambda p: round(lat[min(len(lat) - 1, int(p * len(lat)))], 1)) if lat else (lambda p: None)
    return {
        "machine": machine(),
        "sessions": sessions,
        "questions_per_session": questions,
        "asked": sessions * questions,
        "answered": len(lat),
        "errors": out["errors"],
        "history_leaks": out["leaks"],
        "latency_ms": {
            "p50": round(statistics.median(lat), 1) if lat else None,
            "p95": pct(0.95),
            "max": round(lat[-1], 1) if lat else None,
        },
        "wall_s": round(wall, 1),
        "throughput_qps": round(len(lat) / wall, 2) if wall else None,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", help="a running app; default: start one on the seed article")
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--questions", type=int, default=10)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        proc = None
        url = args.url
        if not url:
            proc, url = start_app(Path(tmp))
        try:
            result = run(url, args.sessions, args.questions)
            if proc is not None:
                result["server_alive_after"] = proc.poll() is None
        finally:
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=30)
    print(json.dumps(result, indent=2))
    return 0 if result["answered"] == result["asked"] and not result["history_leaks"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
