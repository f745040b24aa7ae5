"""`python -m rag eval`: the project's quality metrics as JSON, beside the naive baseline.

Scope: XQuAD-en retrieval (gold-paragraph recall@1/@5, MRR@10) and answers (top / any cited
quote holds the gold answer, verified share, quote length, answer rate); leave-one-article-out
abstention (a real index built without the article); the seed dev questions; the LangChain
tutorial pipeline (RecursiveCharacterTextSplitter, the same MiniLM model, Chroma
`similarity_search`) measured in the same run. Non-goals: speed (bench/), tuning.
Vectors are computed once and cached in memory, so the held-out indexes cost no model time.
"""

from __future__ import annotations

import json
import random
import statistics
import tempfile
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from rag.config import Settings
from rag.load import make_document
from rag.types import Document

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"


class CachedEmbeddings(Embeddings):
    """Embeddings that remember every text they have embedded (eval only)."""

    def __init__(self, inner: Embeddings):
        self.inner = inner
        self.cache: dict[str, list[float]] = {}

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        todo = list(dict.fromkeys(t for t in texts if t not in self.cache))
        if todo:
            self.cache.update(zip(todo, self.inner.embed_documents(todo)))
        return [self.cache[t] for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


def _norm(s: str) -> str:
    return " ".join(s.replace("’", "'").replace("“", '"').replace("”", '"').split()).lower()


def xquad_docs(data: Path) -> tuple[list[Document], dict[str, str]]:
    """XQuAD paragraphs as Documents, built as the loader builds every file's (its article's
    title the first paragraph, the headline), and content id -> gold id."""
    docs, gold_of = [], {}
    for line in (data / "corpus.jsonl").open(encoding="utf-8"):
        r = json.loads(line)
        doc = make_document(r["article"].replace("_", " "), [r["text"]], r["doc_id"])
        docs.append(doc)
        gold_of[doc.doc_id] = r["doc_id"]
    return docs, gold_of


@lru_cache(maxsize=4096)
def _analysis(doc: Document) -> Any:
    """Each document is read (parsed) once per run, however many held-out indexes it goes into."""
    from rag.statements import analyse

    return analyse.__wrapped__(doc)


def _pipeline(settings: Settings, embeddings: Embeddings, docs: list[Document]) -> Any:
    from rag.pipeline import Pipeline
    from rag.store import Store

    pipe = Pipeline(settings)
    pipe.__dict__["store"] = Store(settings, embeddings)
    for at in range(0, len(docs), 32):
        chunk = docs[at : at + 32]
        pipe.ingest_documents(chunk, {}, [_analysis(d) for d in chunk])
    return pipe


def _rank(ids: list[str], gold: str) -> int | None:
    seen: list[str] = []
    for i in ids:
        if i not in seen:
            seen.append(i)
    return seen.index(gold) + 1 if gold in seen else None


def _retrieval(ranks: list[int | None]) -> dict[str, float]:
    n = len(ranks) or 1
    return {
        "recall@1": round(sum(1 for r in ranks if r == 1) / n, 3),
        "recall@5": round(sum(1 for r in ranks if r and r <= 5) / n, 3),
        "mrr@10": round(sum(1 / r for r in ranks if r and r <= 10) / n, 3),
    }


def eval_ours(pipe: Any, questions: list[dict[str, Any]], gold_of: dict[str, str]) -> dict[str, Any]:
    ranks, top_hit, any_hit, answered, verified, words, lat = [], 0, 0, 0, [], [], []
    for q in questions:
        # the gold paragraph is a body passage: headlines (the article's title, shared by its
        # paragraphs here) are not counted as retrieving it
        hits = [h for h in pipe.library.search(q["question"], 20) if h.passage.paragraph != 0][:10]
        ranks.append(_rank([gold_of.get(h.passage.doc_id, "") for h in hits], q["gold_doc_id"]))
        t0 = time.perf_counter()
        a = pipe.ask(q["question"])
        lat.append((time.perf_counter() - t0) * 1000)
        if a.abstained:
            continue
        answered += 1
        quotes = [_norm(c.quote) for c in a.citations]
        ans = [_norm(x) for x in q["answers"]]
        top_hit += any(x in quotes[0] for x in ans) if quotes else 0
        any_hit += any(x in qq for x in ans for qq in quotes)
        verified += [c.verified for c in a.citations]
        words += [len(c.quote.split()) for c in a.citations]
    n = len(questions) or 1
    return {
        **_retrieval(ranks),
        "top_quote_contains_answer": round(top_hit / n, 3),
        "any_quote_contains_answer": round(any_hit / n, 3),
        "citations_verified": round(sum(verified) / len(verified), 4) if verified else None,
        "mean_quote_words": round(statistics.mean(words), 1) if words else None,
        "answer_rate": round(answered / n, 3),
        "ask_ms_p50": round(statistics.median(lat), 1) if lat else None,
    }


def eval_baseline(embeddings: Embeddings, questions: list[dict[str, Any]], data: Path) -> dict[str, Any]:
    """LangChain's tutorial pipeline on the same paragraphs, model and questions."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from langchain_chroma import Chroma
    from langchain_core.documents import Document as LCDocument
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    rows = [json.loads(line) for line in (data / "corpus.jsonl").open(encoding="utf-8")]
    splitter = RecursiveCharacterTextSplitter(chunk_size=500, chunk_overlap=50)
    chunks = splitter.split_documents([LCDocument(r["text"], metadata={"gold": r["doc_id"]}) for r in rows])
    client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
    vs = Chroma.from_documents(
        chunks, embeddings, client=client, collection_name=f"baseline-{random.randrange(10**9)}"
    )
    ranks, top_hit, any_hit, words = [], 0, 0, []
    for q in questions:
        docs = vs.similarity_search(q["question"], k=10)
        ranks.append(_rank([d.metadata["gold"] for d in docs], q["gold_doc_id"]))
        ans = [_norm(x) for x in q["answers"]]
        top_hit += any(x in _norm(docs[0].page_content) for x in ans)
        any_hit += any(x in _norm(d.page_content) for x in ans for d in docs[:3])
        words.append(len(docs[0].page_content.split()))
    n = len(questions) or 1
    return {
        **_retrieval(ranks),
        "top_quote_contains_answer": round(top_hit / n, 3),
        "any_quote_contains_answer": round(any_hit / n, 3),
        "citations_verified": None,
        "mean_quote_words": round(statistics.mean(words), 1),
        "answer_rate": 1.0,
        "settings": "RecursiveCharacterTextSplitter(500, 50), top chunk = its quote, any = top 3 chunks",
    }


def eval_abstention(
    settings: Settings,
    embeddings: Embeddings,
    docs: list[Document],
    questions: list[dict[str, Any]],
    articles: list[str],
) -> dict[str, Any]:
    """Leave one article out: index without it, ask its questions; the right answer is none."""
    abstained = total = 0
    for art in articles:
        keep = [d for d in docs if not d.source_key.startswith(art + "#")]
        with tempfile.TemporaryDirectory() as tmp:
            pipe = _pipeline(replace_settings(settings, Path(tmp)), embeddings, keep)
            for q in (q for q in questions if q["gold_doc_id"].startswith(art + "#")):
                total += 1
                abstained += pipe.ask(q["question"]).abstained
    return {
        "articles": len(articles),
        "questions": total,
        "abstain_rate": round(abstained / total, 3) if total else None,
    }


def replace_settings(settings: Settings, store_dir: Path) -> Settings:
    return settings.model_copy(update={"store_dir": store_dir, "chroma_url": None})


def eval_seed(settings: Settings, embeddings: Embeddings, data: Path) -> dict[str, Any]:
    from rag.load import load_path

    qs = [json.loads(line) for line in (data / "dev_questions.jsonl").open(encoding="utf-8")]
    with tempfile.TemporaryDirectory() as tmp:
        pipe = _pipeline(
            replace_settings(settings, Path(tmp)),
            embeddings,
            [load_path(data / "ukraine-nato-offer-2025-12-15.txt")],
        )
        passed = sum(_seed_pass(q, pipe.ask(q["question"], q.get("history", [])).to_json()) for q in qs)
    return {"questions": len(qs), "passed": passed}


def _seed_pass(q: dict[str, Any], a: dict[str, Any]) -> bool:
    """The rules of shared/tools/score_answers.py."""
    if not q.get("answerable", True):
        return bool(a["abstained"])
    if a["abstained"] or not a["citations"]:
        return False
    quotes = [_norm(c["quote"]) for c in a["citations"]]
    hay = _norm(a["answer"] + " " + " ".join(c["quote"] for c in a["citations"]))
    ok = not q.get("speaker") or any(
        q["speaker"].lower() in (c["speaker"] or "").lower() for c in a["citations"]
    )
    ok &= not q.get("quote_any") or any(_norm(s) in x for s in q["quote_any"] for x in quotes)
    ok &= not q.get("contain_any") or any(_norm(s) in hay for s in q["contain_any"])
    ok &= not q.get("contain_all") or all(_norm(s) in hay for s in q["contain_all"])
    texts = {p["passage_id"]: p["text"] for p in a["passages"]}
    return bool(ok) and all(
        texts[c["passage_id"]][c["start"] : c["end"]] == c["quote"] for c in a["citations"]
    )


def run(
    settings: Settings, limit: int | None = None, loao_articles: int = 8, seed: int = 0, data: Path = DATA
) -> dict[str, Any]:
    from rag.embed import load_embeddings

    t0 = time.perf_counter()
    embeddings = CachedEmbeddings(
        load_embeddings(settings.model_dir, settings.embed_backend, settings.model_cache)
    )
    xq = data / "xquad_en"
    docs, gold_of = xquad_docs(xq)
    questions = [json.loads(line) for line in (xq / "questions.jsonl").open(encoding="utf-8")]
    rng = random.Random(seed)
    if limit and limit < len(questions):
        questions = rng.sample(questions, limit)
    articles = sorted({q["gold_doc_id"].split("#")[0] for q in questions})
    held_out = rng.sample(articles, min(loao_articles, len(articles)))
    with tempfile.TemporaryDirectory() as tmp:
        pipe = _pipeline(replace_settings(settings, Path(tmp)), embeddings, docs)
        ours = eval_ours(pipe, questions, gold_of)
    out = {
        "xquad": {
            "questions": len(questions),
            "ours": ours,
            "baseline": eval_baseline(embeddings, questions, xq),
        },
        "abstention_leave_one_article_out": eval_abstention(settings, embeddings, docs, questions, held_out),
        "seed_dev": eval_seed(settings, embeddings, data),
        "seconds": 0.0,
    }
    out["seconds"] = round(time.perf_counter() - t0, 1)
    return out
