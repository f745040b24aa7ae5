"""How the per-replica lexical mirror grows: build time, file size, query latency and the RAM a
library view holds, at sizes past what bench/scale.py builds with real vectors — the numbers
docs/scale.md extrapolates from to decide when a shared search engine replaces the mirrors.

Usage: .venv/bin/python bench/mirror_scale.py [--sizes 100000 300000 1000000] [--questions 200]
-> JSON on stdout (progress on stderr).

How the corpora are made (say so when quoting): passages of 3-6 sentences drawn at random
(seeded) from every sentence of the bundled real text (XQuAD-en paragraphs, corpus/ articles),
8 to a document, written through the app's own mirror code (mirror.Mirror, one transaction per
50k records: SQLite rows and the tantivy index) with the metadata a real passage record carries. No vectors: Chroma's side is
measured by bench/scale.py. Queries are XQuAD questions through lexical.Lexical, k = 20 (the
depth an answer asks for). "view" is the RAM of the dicts a library view builds from the
mirror (passages and their metadata), measured as the process's RSS growth.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import machine  # bench/common.py: scripts run from this folder
from scale import XQUAD, log, sentence_pool

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def records(size: int, pool: list[str], rng: random.Random):  # type: ignore[no-untyped-def]
    from rag.store import Record

    for n in range(size):
        text = " ".join(rng.sample(pool, rng.randint(3, 6)))
        doc = f"d{n // 8:07d}"
        meta = {
            "doc_id": doc,
            "title": f"Article {doc}",
            "published": f"20{10 + n % 15:02d}-0{1 + n % 9}-1{n % 9}",
            "source": "Bench",
            "source_key": f"{doc}.txt",
            "kind": "passage",
            "paragraph": n % 8,
            "start": 0,
            "end": len(text),
            "extractor": 5,
        }
        yield Record(f"p{n:09d}", text, meta)


def one(size: int, pool: list[str], questions: list[str], folder: Path) -> dict[str, object]:
    from rag.mirror import Mirror

    path = folder / f"mirror-{size}.sqlite3"
    mirror = Mirror(path, "bench")
    rng = random.Random(size)
    t0 = time.perf_counter()
    stream = records(size, pool, rng)
    step = 50_000
    for at in range(0, size, step):
        with mirror.writing(f"g{at}") as w:
            w.put(r for _, r in zip(range(step), stream))
        log(f"  {size}: {min(at + step, size)} written, {time.perf_counter() - t0:.0f} s")
    build_s = time.perf_counter() - t0
    before = rss_mb()
    t0 = time.perf_counter()
    # the view's dicts as Library._next builds them on a start (no store here: no vectors)
    passages, meta, _ = mirror.load(None)
    load_s = time.perf_counter() - t0
    view_mb = rss_mb() - before
    lex = mirror.lexical(passages)
    lex.search(questions[0], 20)
    lat = []
    for q in questions:
        t0 = time.perf_counter()
        lex.search(q, 20)
        lat.append((time.perf_counter() - t0) * 1000)
    lat.sort()
    index_mb = sum(f.stat().st_size for f in mirror.terms.folder.iterdir()) / 2**20
    return {
        "passages": size,
        "build_s": round(build_s, 1),
        "file_mb": round(path.stat().st_size / 2**20),
        "lexical_index_mb": round(index_mb),
        "load_view_s": round(load_s, 2),
        "view_rss_mb": round(view_mb),
        "query_ms": {
            "p50": round(statistics.median(lat), 1),
            "p95": round(lat[int(0.95 * (len(lat) - 1))], 1),
            "max": round(lat[-1], 1),
        },
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 300_000, 1_000_000])
    ap.add_argument("--questions", type=int, default=200)
    ap.add_argument("--one", type=int, help="measure one size in this process (RSS is per process)")
    args = ap.parse_args()
    if args.one:
        pool = sentence_pool()
        qs = [json.loads(line)["question"] for line in (XQUAD / "questions.jsonl").open(encoding="utf-8")]
        qs = random.Random(0).sample(qs, args.questions)
        with tempfile.TemporaryDirectory() as t:
            row = one(args.one, pool, qs, Path(t))
        row["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        print(json.dumps(row))
        return
    out: dict[str, object] = {"machine": machine(), "sizes": {}}
    for size in args.sizes:
        r = subprocess.run(
            [sys.executable, __file__, "--one", str(size), "--questions", str(args.questions)],
            stdout=subprocess.PIPE,
            check=True,
        )
        out["sizes"][str(size)] = json.loads(r.stdout)  # type: ignore[index]
        log(r.stdout.decode().strip())
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
