"""Foundation figures on this machine: library ingest time, warm `ask` latency over the seed and
library dev questions (the first time each is asked, and over all repeats).

Usage: .venv/bin/python bench/foundation.py [--repeat N]  -> JSON on stdout.
Not a test: numbers depend on the machine; the JSON names it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import machine  # bench/common.py: scripts run from this folder

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    from rag.config import Settings
    from rag.pipeline import Pipeline

    data = ROOT / "tests" / "data"
    qs = [
        json.loads(line)
        for name in ("dev_questions.jsonl", "library_dev_questions.jsonl")
        for line in (data / name).open(encoding="utf-8")
    ]
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        pipe = Pipeline(Settings(store_dir=Path(tmp)))
        _ = pipe.store
        t_model = time.perf_counter() - t0
        t0 = time.perf_counter()
        res = pipe.ingest([ROOT / "corpus"])
        t_ingest = time.perf_counter() - t0
        t0 = time.perf_counter()
        pipe.ingest([ROOT / "corpus"])
        t_reingest = time.perf_counter() - t0
        pipe.ask("warm up")
        rounds: list[list[float]] = []
        for _ in range(args.repeat):
            rounds.append([])
            for q in qs:
                t0 = time.perf_counter()
                pipe.ask(q["question"], q.get("history", []))
                rounds[-1].append((time.perf_counter() - t0) * 1000)
        first = sorted(rounds[0])  # each question asked for the first time in this process
        lat = sorted(x for r in rounds for x in r)
        out = {
            "machine": machine(),
            "model_and_store_load_s": round(t_model, 2),
            "ingest_corpus_s": round(t_ingest, 3),
            "reingest_unchanged_s": round(t_reingest, 3),
            "documents": len(res),
            "passages": sum(r.passages for r in res),
            "ask_first_time_ms": {
                "n": len(first),
                "p50": round(statistics.median(first), 1),
                "p95": round(first[int(0.95 * (len(first) - 1))], 1),
            },
            "ask_ms": {
                "n": len(lat),
                "p50": round(statistics.median(lat), 1),
                "p95": round(lat[int(0.95 * (len(lat) - 1))], 1),
                "max": round(lat[-1], 1),
            },
        }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
