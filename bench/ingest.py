"""Ingest throughput, side by side in one run on the same articles: the app's `Pipeline.ingest`
(load, passages, statements, embeddings, store), raw `SentenceTransformer.encode` over the
app's passages (the model as sentence-transformers runs it), and the naive LangChain pipeline
(RecursiveCharacterTextSplitter(1000, 200) + `Chroma.from_documents` with HuggingFaceEmbeddings,
the same model as a LangChain tutorial runs it). The app runs its configured runtime
(--backend, default RAG_EMBED_BACKEND's default: onnx).

Usage: .venv/bin/python bench/ingest.py [FOLDER ...] [--repeat N] [--backend onnx|onnx-int8|torch]
(default folder: corpus/; --repeat copies each article N times with a marker line so every
copy is new content: both pipelines embed exactly the same texts) -> JSON with the machine.
Passages/s is each pipeline's own unit (the app's passages, the naive pipeline's chunks);
characters/s of source text is the like-for-like figure. Model load is outside every timing.
"""

from __future__ import annotations

import argparse
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


def articles(folders: list[Path], repeat: int, out: Path) -> list[Path]:
    from rag.pipeline import expand

    files = list(expand(folders))
    out.mkdir(parents=True, exist_ok=True)
    made = []
    for r in range(repeat):
        for i, f in enumerate(files):
            text = f.read_text(encoding="utf-8")
            if r:  # a new version of the text: new content ids, same shape
                text = text.rstrip("\n") + f"\n\nCopy {r} of this article for the benchmark.\n"
            dst = out / f"{r:02d}-{i:03d}{f.suffix}"
            dst.write_text(text, encoding="utf-8")
            made.append(dst)
    return made


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("folders", nargs="*", type=Path)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--backend", default=None, choices=["onnx", "onnx-int8", "torch"])
    args = ap.parse_args()
    folders = args.folders or [ROOT / "corpus"]  # it holds ../shared/corpus's texts already: not twice

    from langchain_chroma import Chroma
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from rag.config import Settings
    from rag.embed import load_embeddings
    from rag.load import load_path
    from rag.passages import split_passages
    from rag.pipeline import Pipeline

    emb = load_embeddings(backend="torch")  # the tutorial's runtime, for raw encode and naive
    model = emb._client  # type: ignore[attr-defined]
    settings = Settings(**({"embed_backend": args.backend} if args.backend else {}))
    with tempfile.TemporaryDirectory() as tmp:
        files = articles(folders, args.repeat, Path(tmp) / "src")
        docs = [load_path(f) for f in files]
        chars = sum(len(d.text) for d in docs)
        passages = [p.text for d in docs for p in split_passages(d)]
        emb.embed_documents(passages[:64])  # warm up

        t0 = time.perf_counter()
        model.encode(passages, batch_size=64, normalize_embeddings=True)
        raw_s = time.perf_counter() - t0

        pipe = Pipeline(settings.model_copy(update={"store_dir": Path(tmp) / "app"}))
        pipe.store.embeddings.embed_documents(passages[:64])  # warm up
        t0 = time.perf_counter()
        res = pipe.ingest(files)
        app_s = time.perf_counter() - t0
        assert all(r.ok for r in res), [r.message for r in res if not r.ok]

        t0 = time.perf_counter()
        split = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
        from langchain_core.documents import Document as LCDocument

        chunks = split.split_documents(
            [LCDocument(page_content=d.text, metadata={"title": d.title}) for d in docs]
        )
        Chroma.from_documents(
            chunks, emb, persist_directory=str(Path(tmp) / "naive"), collection_name="naive"
        )
        naive_s = time.perf_counter() - t0

    app_pps = sum(r.passages for r in res) / app_s
    naive_pps = len(chunks) / naive_s
    print(
        json.dumps(
            {
                "machine": machine(),
                "app_embed_backend": settings.embed_backend,
                "documents": len(docs),
                "source_chars": chars,
                "app": {
                    "seconds": round(app_s, 2),
                    "passages": sum(r.passages for r in res),
                    "statements": sum(r.statements for r in res),
                    "passages_per_s": round(app_pps, 1),
                    "chars_per_s": round(chars / app_s),
                },
                "raw_encode": {
                    "seconds": round(raw_s, 2),
                    "passages": len(passages),
                    "passages_per_s": round(len(passages) / raw_s, 1),
                    "chars_per_s": round(chars / raw_s),
                },
                "naive_langchain": {
                    "seconds": round(naive_s, 2),
                    "chunks": len(chunks),
                    "chunks_per_s": round(naive_pps, 1),
                    "chars_per_s": round(chars / naive_s),
                },
                "app_over_naive_chars_per_s": round(naive_s / app_s, 2),
                "app_over_raw_encode_time": round(app_s / raw_s, 2),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
