"""What statement extraction costs an ingest: the same files ingested into fresh stores with
and without statements, side by side in one run.

Usage: .venv/bin/python bench/ingest_overhead.py [FOLDER ...]   (default: corpus/ and, when present,
../shared/corpus/) -> JSON with the machine, seconds for each variant and the overhead.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

from common import machine  # bench/common.py: scripts run from this folder

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import rag.nlp  # noqa: E402
import rag.statements  # noqa: E402
from rag.config import Settings  # noqa: E402
from rag.pipeline import Pipeline  # noqa: E402


def run(paths: list[Path], with_statements: bool) -> dict[str, float]:
    real = rag.statements.analyse
    if not with_statements:
        rag.statements.analyse = lambda doc: rag.statements.Analysis((), ())  # type: ignore[assignment]
    else:
        rag.nlp.pipeline()  # the spaCy model load is not part of the ingest either
    try:
        with tempfile.TemporaryDirectory() as tmp:
            pipe = Pipeline(Settings(store_dir=Path(tmp)))
            _ = pipe.store  # model load is not part of the ingest
            t0 = time.perf_counter()
            res = pipe.ingest(paths)
            secs = time.perf_counter() - t0
            return {
                "seconds": round(secs, 3),
                "files_ok": sum(r.ok for r in res),
                "passages": sum(r.passages for r in res),
                "statements": sum(r.statements for r in res),
            }
    finally:
        rag.statements.analyse = real


def main() -> None:
    paths = [Path(p) for p in sys.argv[1:]] or [ROOT / "corpus"] + (
        [ROOT.parent / "shared" / "corpus"] if (ROOT.parent / "shared" / "corpus").is_dir() else []
    )
    run(paths, True)  # warm-up: first model calls are slower
    rows = {}
    for _ in range(3):
        for flag in (False, True):
            r = run(paths, flag)
            key = "with_statements" if flag else "without_statements"
            if key not in rows or r["seconds"] < rows[key]["seconds"]:
                rows[key] = r
    over = rows["with_statements"]["seconds"] / rows["without_statements"]["seconds"] - 1
    print(
        json.dumps(
            {
                "machine": machine(),
                "inputs": [str(p) for p in paths],
                "best_of": 3,
                **rows,
                "overhead": round(over, 3),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
