"""`ask` latency, library start time and peak RSS at 1k / 10k / 100k passages, embedded and on a
`chroma run` server, beside bare LangChain `similarity_search` on the same store, in one run.

Usage: .venv/bin/python bench/scale.py [--sizes 1000 10000 100000] [--server-sizes 10000]
       [--questions 60] [--keep DIR]   -> JSON on stdout (progress on stderr).

How the large corpora are made (say so when quoting the figures): every sentence of the bundled
real text (XQuAD-en paragraphs, corpus/ articles) is embedded once with the real MiniLM model;
a passage is 3-6 sentences drawn at random (seeded) from that pool. Passages are grouped 8 to a
document (title, date) and stored through the app's own `Store.add_many`, so records, metadata,
quote vectors and the statements the extractor finds are real; a passage's vector is the mean
of its sentences' vectors, as the app computes it. Texts outside the pool (a sentence trimmed
of its quotation marks, a statement's span) are embedded by the real model once each and
reused, so 100k passages build without 100k model calls. XQuAD paragraphs are also stored as
themselves. Questions are XQuAD questions; the query vector is always the real model's.

Each size is built in a child process and measured in fresh child processes (the app's view:
open the store, sync the replica's mirror and build the library view, answer), whose peak RSS
(ru_maxrss) is reported: first a new replica (an empty mirror folder: its first sync reads every
record from Chroma), then a restart of it (the mirror is at the store's generation: nothing but
the marker is read). Server mode reopens the same folder with `chroma run --path`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from common import machine  # bench/common.py: scripts run from this folder

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
XQUAD = ROOT / "tests" / "data" / "xquad_en"


def log(*a: object) -> None:
    print(*a, file=sys.stderr, flush=True)


def sentence_pool() -> list[str]:
    from rag.load import load_path
    from rag.text import sentence_spans

    texts = [json.loads(line)["text"] for line in (XQUAD / "corpus.jsonl").open(encoding="utf-8")]
    texts += [load_path(p).text for p in sorted((ROOT / "corpus").rglob("*.md"))]
    out = []
    for t in texts:
        for s, e in sentence_spans(t):
            sent = t[s:e].strip()
            if 30 <= len(sent) <= 400:
                out.append(sent)
    return list(dict.fromkeys(out))


def build(folder: Path, size: int) -> dict[str, Any]:
    """Store `size` passages in an embedded store at folder (child process)."""
    import numpy as np
    from langchain_core.embeddings import Embeddings

    from rag.config import Settings
    from rag.embed import load_embeddings
    from rag.load import make_document
    from rag.pipeline import Pipeline
    from rag.store import Store

    real = load_embeddings()
    pool = sentence_pool()
    t0 = time.perf_counter()
    key = hashlib.sha256("\n".join(pool).encode()).hexdigest()[:16]
    cache = Path(tempfile.gettempdir()) / f"rag-bench-sentences-{key}.npy"  # same vectors for every size
    if cache.exists():
        svec = np.load(cache)
    else:
        svec = np.asarray(real.embed_documents(pool), dtype=np.float32)
        np.save(cache, svec)
    embed_s = time.perf_counter() - t0
    rng = random.Random(size)
    xq = [json.loads(line) for line in (XQUAD / "corpus.jsonl").open(encoding="utf-8")]
    known: dict[str, list[float]] = dict(zip(pool, svec.tolist()))
    docs, n = [], 0
    for i, r in enumerate(xq):  # the real paragraphs, so questions have their gold passages
        docs.append(make_document(r["article"].replace("_", " ") + f" ({i})", [r["text"]], f"xquad/{i}"))
        n += 1
    while n < size:
        paras = []
        for _ in range(min(8, size - n)):
            idx = rng.sample(range(len(pool)), rng.randint(3, 6))
            paras.append(" ".join(pool[j] for j in idx))
            n += 1
        d = len(docs)
        docs.append(
            make_document(
                f"Recombined article {d}", paras, f"synthetic/{d}", published=f"20{10 + d % 15}-01-01"
            )
        )

    class Recombined(Embeddings):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            miss = [t for t in texts if t not in known]
            if miss:
                known.update(zip(miss, real.embed_documents(miss)))
            return [known[t] for t in texts]

        def embed_query(self, text: str) -> list[float]:
            return real.embed_query(text)

    pipe = Pipeline(Settings(store_dir=folder))
    pipe.__dict__["store"] = Store(pipe.settings, Recombined())
    t0 = time.perf_counter()
    for at in range(0, len(docs), 256):
        pipe.ingest_documents(docs[at : at + 256], {})
        log(f"  built {min(at + 256, len(docs))}/{len(docs)} documents")
    return {
        "sentences_embedded": len(pool),
        "sentence_embed_s": round(embed_s, 1),
        "store_s": round(time.perf_counter() - t0, 1),
        **pipe.stats(),
    }


def pct(xs: list[float]) -> dict[str, float]:
    xs = sorted(xs)
    return {"p50": round(statistics.median(xs), 1), "p95": round(xs[int(0.95 * (len(xs) - 1))], 1)}


def serve(env: dict[str, str], nq: int, write: bool = False) -> dict[str, Any]:
    """The app's view of an existing store (child process): start, answer, peak RSS; with
    `write`, then one small article ingested and deleted, and the refresh each costs."""
    from rag.config import Settings
    from rag.pipeline import Pipeline

    qs = [json.loads(line)["question"] for line in (XQUAD / "questions.jsonl").open(encoding="utf-8")]
    qs = random.Random(0).sample(qs, nq)
    pipe = Pipeline(Settings())
    t0 = time.perf_counter()
    _ = pipe.store
    t_open = time.perf_counter() - t0
    t0 = time.perf_counter()
    pipe.library.view()  # the mirror synced from the store (all of it on a first start), the view built
    t_library = time.perf_counter() - t0
    pipe.ask(qs[0])
    pipe.store.vs.similarity_search(qs[0], k=6)
    ask, bare, refresh = [], [], []
    stages: dict[str, list[float]] = {}
    for q in qs:
        t0 = time.perf_counter()
        a = pipe.ask(q)
        ask.append((time.perf_counter() - t0) * 1000)
        for stage, ms in a.timings_ms.items():
            stages.setdefault(stage, []).append(ms)
        t0 = time.perf_counter()
        pipe.store.vs.similarity_search(q, k=6)
        bare.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        pipe.library.view()
        refresh.append((time.perf_counter() - t0) * 1000)
    out: dict[str, Any] = {
        "open_store_and_model_s": round(t_open, 2),
        "library_build_s": round(t_library, 2),
        "ask_ms": pct(ask),
        "ask_stage_ms_p50": {k: round(statistics.median(v), 1) for k, v in stages.items()},
        "bare_similarity_search_ms": pct(bare),
        "ask_p50_over_bare_p50": round(statistics.median(ask) / statistics.median(bare), 2),
        "unchanged_refresh_ms": pct(refresh),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    if write:
        from rag.load import load_bytes

        t0 = time.perf_counter()
        pipe.store.ids()
        out["list_all_ids_s"] = round(time.perf_counter() - t0, 2)  # what a full id diff pays
        doc = load_bytes(b'Bench note\n\n"We will see," said Lena Ortiz on Monday.', "bench-note.txt")
        pipe.ingest_document(doc)
        t0 = time.perf_counter()
        view = pipe.library.view()  # the write, read back through the store's change log
        out["refresh_after_one_write_ms"] = round((time.perf_counter() - t0) * 1000, 1)
        assert any(p.doc_id == doc.doc_id for p in view.passages.values())
        pipe.store.delete_document(doc.doc_id)
        t0 = time.perf_counter()
        pipe.library.view()
        out["refresh_after_one_delete_ms"] = round((time.perf_counter() - t0) * 1000, 1)
    return out


def child(argv: list[str], env: dict[str, str]) -> dict[str, Any]:
    r = subprocess.run([sys.executable, __file__, *argv], env={**os.environ, **env}, stdout=subprocess.PIPE)
    if r.returncode != 0:
        raise SystemExit(f"{argv} failed")
    return dict(json.loads(r.stdout))


def chroma_server(path: Path) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    exe = Path(sys.executable).parent / "chroma"
    proc = subprocess.Popen(
        [str(exe), "run", "--path", str(path), "--port", str(port), "--host", "127.0.0.1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(url + "/api/v2/heartbeat", timeout=2)
            return proc, url
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("chroma run did not start")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    ap.add_argument("--server-sizes", type=int, nargs="*", default=[10000])
    ap.add_argument("--questions", type=int, default=60)
    ap.add_argument("--keep", help="build each size's store in KEEP/scale-<size> and reuse it next time")
    ap.add_argument("--build")
    ap.add_argument("--serve", action="store_true")
    ap.add_argument("--size", type=int, default=0)
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    if args.build:
        print(json.dumps(build(Path(args.build), args.size)))
        return
    if args.serve:
        print(json.dumps(serve(dict(os.environ), args.questions, args.write)))
        return
    out: dict[str, Any] = {"machine": machine(), "sizes": {}}
    for size in args.sizes:
        kept = Path(args.keep) / f"scale-{size}" if args.keep else None
        tmp = kept or Path(tempfile.mkdtemp(prefix=f"scale-{size}-"))
        try:
            row: dict[str, Any] = {}
            if kept and (kept / "build.json").exists():
                log(f"reusing the {size}-passage store in {kept}")
                row["build"] = json.loads((kept / "build.json").read_text())
            else:
                log(f"building {size} passages")
                row["build"] = child(["--build", str(tmp), "--size", str(size)], {})
                if kept:
                    (kept / "build.json").write_text(json.dumps(row["build"]))
            q = ["--serve", "--questions", str(args.questions)]
            # each backend twice, in fresh processes: a new replica (empty mirror folder: the first
            # sync reads every record from Chroma), then a restart on the mirror it left
            with tempfile.TemporaryDirectory(prefix="mirror-") as mirrors:
                for backend in ["embedded", "server"] if size in args.server_sizes else ["embedded"]:
                    env = {"RAG_MIRROR_DIR": str(Path(mirrors) / backend)}
                    proc = None
                    if backend == "server":
                        proc, url = chroma_server(tmp)
                        env["RAG_CHROMA_URL"] = url
                    else:
                        env["RAG_STORE_DIR"] = str(tmp)
                    try:
                        log(f"measuring {size} {backend}: first sync")
                        row[backend + "_first_sync"] = child(q, env)
                        log(f"measuring {size} {backend}: restart")
                        row[backend] = child([*q, "--write"], env)
                    finally:
                        if proc is not None:
                            proc.terminate()
                            proc.wait(timeout=60)
                if "server" in row:
                    row["server_over_embedded_ask_p50"] = round(
                        row["server"]["ask_ms"]["p50"] / row["embedded"]["ask_ms"]["p50"], 2
                    )
            out["sizes"][str(size)] = row
            log(json.dumps(row))
        finally:
            if not kept:
                shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
