"""Hybrid retrieval over one library view: dense (Chroma) + lexical (the view's BM25 index)
fused by reciprocal rank, and its LangChain face, `HybridRetriever`.

Scope: ranking passages for a query. Non-goals: following the store (library.py), what a view
holds (view.py), choosing quotes (rag/answer/).
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from rag.library import Library
from rag.types import RetrievedPassage
from rag.view import LibraryView

RRF_K = 60


def hybrid_search(
    view: LibraryView, query: str, k: int, vector: list[float] | None = None, docs: set[str] | None = None
) -> list[RetrievedPassage]:
    """Top-k passages by reciprocal-rank fusion of dense and BM25 rankings, optionally only
    from the documents in `docs`; a passage whose text an earlier one already has is skipped."""
    if k <= 0:
        raise ValueError(f"k must be > 0, got {k}")
    if not view.passages or docs == set():
        return []
    depth = max(3 * k, 20)
    vec = vector if vector is not None else view.store.embeddings.embed_query(query)
    dense = _dense(view, vec, depth, docs)
    lexical = view.lexical.search(query, depth, docs)
    fused: dict[str, float] = defaultdict(float)
    for rank, (pid, _) in enumerate(dense):
        fused[pid] += 1.0 / (RRF_K + rank + 1)
    for rank, (pid, _) in enumerate(lexical):
        fused[pid] += view.lexical_weight / (RRF_K + rank + 1)
    out: list[RetrievedPassage] = []
    seen: set[str] = set()
    for pid, score in sorted(fused.items(), key=lambda x: -x[1]):
        p = view.passages.get(pid)
        if p is None or p.text in seen:  # the same words twice (a shared headline, a wire story
            continue  # printed by two outlets) take one place: the next passage gets the other
        seen.add(p.text)
        out.append(RetrievedPassage(p, score))
        if len(out) == k:
            break
    return out


def _dense(view: LibraryView, vec: list[float], depth: int, docs: set[str] | None) -> list[tuple[str, float]]:
    """The `depth` nearest passages of the view. Statements share their passage's vector, so the
    whole library is asked for and statements dropped here: a `kind` filter in Chroma costs a
    scan of the matching ids per query (58 ms vs 6 ms at 13k records; 9-22 ms vs 2.5 ms over the
    shipped library). How many to ask for follows the view's records per passage, twice over:
    the passages nearest a question are the quoted ones, with more statements than the average
    (over the shipped library and 197 other articles, 2x the average left 20 passages in the
    nearest for every dev question, 1x for a third of them). The filtered query is the fallback
    when statements still crowd passages out, and the only way when a scope names documents.
    Ids the view does not hold (a newer generation's) are dropped."""
    count = len(view.passages) + len(view.raw)  # the records this view knows
    where: dict[str, Any] = {"kind": "passage"}
    if docs is None:
        n_pass = len(view.passages)
        asked = math.ceil(2 * depth * (count / n_pass if n_pass else 1.0))
        wide = view.store.nearest(vec, min(asked, count or asked), count=count)
        got = [(i, s) for i, s in wide if i in view.passages][:depth]
        if len(got) >= min(depth, n_pass) or len(wide) >= (count or 0):
            return got
    else:
        where = {"$and": [where, {"doc_id": {"$in": sorted(docs)}}]}
    return [(i, s) for i, s in view.store.nearest(vec, depth, where=where, count=count) if i in view.passages]


class HybridRetriever(BaseRetriever):
    """LangChain retriever over a Library: `invoke(question)` -> passages as LangChain Documents,
    each query on the library's current view."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    library: Library
    k: int = 6

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, k: int | None = None
    ) -> list[LCDocument]:
        """The top `k` passages (`invoke(query, k=3)` overrides the retriever's own `k`)."""
        view = self.library.view()
        out = []
        for r in view.search(query, self.k if k is None else k):
            p = r.passage
            meta = {**view.meta[p.passage_id], "kind": "passage", "paragraph": p.paragraph, "score": r.score}
            meta.update(start=p.start, end=p.end)
            out.append(LCDocument(page_content=r.passage.text, metadata=meta, id=r.passage.passage_id))
        return out
