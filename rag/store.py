"""The Chroma store (embedded or `chroma run` server) — the only module that talks to Chroma.

Scope: one collection per vector-shaping configuration (model + chunking), holding passage
records and statement records (`kind` metadata); idempotent upsert by content-hash id; an
edited article (same source, new content) replaces its old records; dense search; reading
records back for the lexical index and the speakers list. Non-goals: ranking (retrieve.py).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rag.config import Settings
from rag.embed import MODEL_TAG
from rag.types import Document, Passage, Statement

if TYPE_CHECKING:
    from langchain_chroma import Chroma
    from langchain_core.embeddings import Embeddings

SCHEMA = 2  # bump when stored records change shape or the extractor changes what it stores


@dataclass(frozen=True)
class Record:
    id: str
    text: str
    meta: dict[str, Any]


@dataclass(frozen=True)
class IngestResult:
    doc_id: str
    title: str
    passages: int
    statements: int
    added: bool  # False when the same content was already stored
    replaced: int  # records of an older version of the same source removed


def collection_name(settings: Settings) -> str:
    return f"rag-{MODEL_TAG}-p{settings.max_passage_chars}-s{SCHEMA}"


def statement_id(doc_id: str, s: Statement) -> str:
    key = f"{doc_id}:{s.start}:{s.end}:{s.speaker}"
    return "s" + hashlib.sha256(key.encode()).hexdigest()[:15]


def _clean_meta(meta: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in meta.items() if v is not None}


def doc_meta(doc: Document) -> dict[str, Any]:
    return _clean_meta(
        {
            "doc_id": doc.doc_id,
            "title": doc.title,
            "published": doc.published,
            "source": doc.source,
            "url": doc.url,
            "author": doc.author,
            "licence": doc.licence,
            "source_key": doc.source_key,
        }
    )


def make_client(settings: Settings) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        from urllib.parse import urlparse

        u = urlparse(settings.chroma_url)
        if not u.hostname:
            raise ValueError(f"RAG_CHROMA_URL must look like http://host:port, got {settings.chroma_url!r}")
        return chromadb.HttpClient(
            host=u.hostname, port=u.port or 8000, ssl=u.scheme == "https", settings=chroma_settings
        )
    settings.store_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.store_dir), settings=chroma_settings)


class Store:
    """Passages and statements of every ingested Document, in one Chroma collection."""

    def __init__(self, settings: Settings, embeddings: Embeddings, client: Any | None = None):
        from langchain_chroma import Chroma

        self.settings = settings
        self.embeddings = embeddings
        self.client = client or make_client(settings)
        self.vs: Chroma = Chroma(
            collection_name=collection_name(settings),
            embedding_function=embeddings,
            client=self.client,
            collection_configuration={"hnsw": {"space": "cosine"}},
        )

    @property
    def _col(self) -> Any:
        return self.vs._collection

    def count(self) -> int:
        return int(self._col.count())

    def has_doc(self, doc_id: str) -> bool:
        return bool(self._col.get(where={"doc_id": doc_id}, limit=1, include=[])["ids"])

    def add(
        self,
        doc: Document,
        passages: list[Passage],
        statements: list[Statement],
        people: list[str] = (),  # type: ignore[assignment]
    ) -> IngestResult:
        """Upsert a Document's records; a no-op when its content is already stored. `people`
        (every person the document names) is kept on its first passage."""
        old = self._col.get(where={"source_key": doc.source_key}, include=["metadatas"])
        stale = [i for i, m in zip(old["ids"], old["metadatas"] or []) if m.get("doc_id") != doc.doc_id]
        if self.has_doc(doc.doc_id):
            if stale:
                self._col.delete(ids=stale)
            return IngestResult(doc.doc_id, doc.title, len(passages), len(statements), False, len(stale))
        base = doc_meta(doc)
        ids, texts, metas = [], [], []
        for i, p in enumerate(passages):
            ids.append(p.passage_id)
            texts.append(p.text)
            meta = {**base, "kind": "passage", "paragraph": p.paragraph, "start": p.start, "end": p.end}
            if i == 0 and people:
                meta["people"] = "; ".join(people)
            metas.append(meta)
        for s in statements:
            home = next((p for p in passages if p.start <= s.start and s.end <= p.end), None)
            if home is None:
                continue  # a quote that crosses a passage split cannot be cited as one slice
            ids.append(statement_id(doc.doc_id, s))
            texts.append(doc.text[s.start : s.end])
            metas.append(
                _clean_meta(
                    {
                        **base,
                        "kind": "statement",
                        "passage_id": home.passage_id,
                        "paragraph": home.paragraph,
                        "start": s.start - home.start,
                        "end": s.end - home.start,
                        "speaker": s.speaker,
                        "role": s.role,
                        "cue": s.cue,
                        "skind": s.kind,
                    }
                )
            )
        # Statements reuse their passage's vector (answers score them against the question at
        # ask time), so they add no model work to an ingest. Passages come first in the batch:
        # a crash midway leaves no statement without its passage.
        pvecs = dict(
            zip((p.passage_id for p in passages), self.embeddings.embed_documents([p.text for p in passages]))
        )
        vecs = [pvecs[m.get("passage_id", i)] for i, m in zip(ids, metas)]
        self._col.upsert(ids=ids, embeddings=vecs, documents=texts, metadatas=metas)
        if stale:
            self._col.delete(ids=stale)
        return IngestResult(doc.doc_id, doc.title, len(passages), len(statements), True, len(stale))

    def delete_document(self, doc_id: str) -> int:
        """Remove every record (passages and statements) of one article; returns how many."""
        ids = self._col.get(where={"doc_id": doc_id}, include=[])["ids"]
        if ids:
            self._col.delete(ids=ids)
        return len(ids)

    def records(self, kind: str) -> list[Record]:
        """Every record of a kind ("passage" or "statement")."""
        flt: dict[str, Any] = {"kind": kind}
        out: list[Record] = []
        offset, page = 0, 5000
        while True:
            got = self._col.get(where=flt, include=["documents", "metadatas"], limit=page, offset=offset)
            out += [
                Record(i, t or "", m or {}) for i, t, m in zip(got["ids"], got["documents"], got["metadatas"])
            ]
            if len(got["ids"]) < page:
                return out
            offset += page

    def dense(
        self, vector: list[float], k: int, where: dict[str, Any] | None = None
    ) -> list[tuple[Record, float]]:
        """Nearest records to a query vector with cosine similarity (1 - distance)."""
        n = self.count()
        if n == 0:
            return []
        hits = self.vs.similarity_search_by_vector_with_relevance_scores(vector, k=min(k, n), filter=where)
        return [(Record(d.id or "", d.page_content, dict(d.metadata)), 1.0 - dist) for d, dist in hits]

    def stats(self) -> dict[str, int]:
        metas = self._col.get(include=["metadatas"])["metadatas"] or []
        docs = {m.get("doc_id") for m in metas}
        return {
            "documents": len(docs),
            "passages": sum(1 for m in metas if m.get("kind") == "passage"),
            "statements": sum(1 for m in metas if m.get("kind") == "statement"),
        }
