"""The embedding runtimes side by side in one run: sentence-transformers (torch), the ONNX
export (fp32) and its int8 quantisation — throughput, query latency, agreement with torch, and
dense-only retrieval quality on XQuAD-en (240 paragraphs, 1,190 questions).

Usage: .venv/bin/python bench/embed_backends.py [--passages N] -> JSON with the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from common import machine  # bench/common.py: scripts run from this folder

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
XQUAD = ROOT / "tests" / "data" / "xquad_en"


def main() -> None:
    import numpy as np

    from rag.embed import load_embeddings

    ap = argparse.ArgumentParser()
    ap.add_argument("--passages", type=int, default=240, help="XQuAD paragraphs timed per runtime")
    args = ap.parse_args()
    rows = [json.loads(line) for line in (XQUAD / "corpus.jsonl").open(encoding="utf-8")]
    paras, ids = [r["text"] for r in rows], [r["doc_id"] for r in rows]
    qs = [json.loads(line) for line in (XQUAD / "questions.jsonl").open(encoding="utf-8")]
    gold = np.array([ids.index(q["gold_doc_id"]) for q in qs])
    out: dict[str, Any] = {"machine": machine()}
    ref = None
    for backend in ("torch", "onnx", "onnx-int8"):
        emb = load_embeddings(backend=backend)  # type: ignore[arg-type]
        emb.embed_documents(paras[:16])  # warm up
        t0 = time.perf_counter()
        pv = np.asarray(emb.embed_documents(paras[: args.passages]))
        enc_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        for q in qs[:100]:
            emb.embed_query(q["question"])
        query_ms = (time.perf_counter() - t0) * 10
        pv = np.asarray(emb.embed_documents(paras))
        qv = np.asarray(emb.embed_documents([q["question"] for q in qs]))
        top = np.argsort(-(qv @ pv.T), axis=1)[:, :5]
        ref = pv if ref is None else ref
        out[backend] = {
            "passages_per_s": round(args.passages / enc_s, 1),
            "query_ms": round(query_ms, 2),
            "recall@1": round(float(np.mean(top[:, 0] == gold)), 4),
            "recall@5": round(float(np.mean((top == gold[:, None]).any(axis=1))), 4),
            "min_cosine_with_torch": round(float(np.min(np.sum(pv * ref, axis=1))), 6),
        }
        print(backend, out[backend], file=sys.stderr, flush=True)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
