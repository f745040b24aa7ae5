"""Crash safety at the issue's size: SIGKILL an ingest of 1,000 small documents midway,
restart, ingest again, and compare with a clean ingest of the same files (the test suite runs
the same scenario, tests/test_store.py, with fewer documents to keep its runtime down).

Usage: .venv/bin/python bench/crash_ingest.py [--docs 1000] [--server URL]
-> JSON: documents reported done before the kill, stats after the kill, after the resume and
for the clean ingest, and the consistency checks (no duplicates, no orphans, same ids, the
lexical mirror holding exactly the store's records once the resumed process has synced it).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

from common import machine  # bench/common.py: scripts run from this folder

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from rag.config import Settings  # noqa: E402
from rag.pipeline import Pipeline  # noqa: E402
from tests.test_store import kill_midway, make_small_docs  # noqa: E402


def settings(tmp: Path, name: str, server: str | None) -> Settings:
    if server:
        return Settings(chroma_url=f"{server.rstrip('/')}/{name}-{uuid.uuid4().hex[:8]}")
    return Settings(store_dir=tmp / name)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--server")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        files = make_small_docs(tmp / "docs", args.docs)
        crashed_settings = settings(tmp, "crashed", args.server)
        done = kill_midway(tmp / "docs", crashed_settings, args.docs)
        pipe = Pipeline(crashed_settings)
        after_kill = pipe.stats()
        t0 = time.perf_counter()
        pipe.ingest(files)
        resume_s = time.perf_counter() - t0
        clean = Pipeline(settings(tmp, "clean", args.server))
        clean.ingest(files)
        ids = pipe.store.ids()
        passages = {r.id for r in pipe.store.records("passage")}
        orphans = sum(r.meta["passage_id"] not in passages for r in pipe.store.records("statement"))
        quotes = pipe.store.quote_ids()
        view = pipe.library.view()  # the killed process's lexical mirror, synced from the store
        mirror_ids = pipe.library.mirror.ids()
        out = {
            "machine": machine(),
            "docs": args.docs,
            "backend": "server" if args.server else "embedded",
            "reported_done_before_kill": done,
            "stats_after_kill": after_kill,
            "resume_ingest_s": round(resume_s, 1),
            "stats_after_resume": pipe.stats(),
            "stats_clean": clean.stats(),
            "duplicate_ids": len(ids) - len(set(ids)),
            "same_ids_as_clean": set(ids) == set(clean.store.ids()),
            "orphan_statements": orphans,
            "quote_vectors_as_clean": quotes == clean.store.quote_ids(),
            "passages_without_quote_vectors": len(passages - set(quotes.values())),
            "mirror_as_store": mirror_ids == set(ids) == set(view.passages) | set(view.raw),
        }
        out["consistent"] = (
            out["stats_after_resume"] == out["stats_clean"]
            and not out["duplicate_ids"]
            and out["same_ids_as_clean"]
            and not orphans
            and out["quote_vectors_as_clean"]
            and not out["passages_without_quote_vectors"]
            and out["mirror_as_store"]
        )
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
