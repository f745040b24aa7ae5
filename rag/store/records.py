"""Chroma records: ids, metadata and the batches a document is written as.

Scope: content-hash ids for passages' statements and quote vectors, a document's metadata, one
document's records ready to write (passages, then statements, each passage carrying the vectors
of its quotable spans), the collection name a configuration maps to. Non-goals: talking to
Chroma (chroma.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rag.config import Settings
from rag.embed import model_tag
from rag.statements import EXTRACTOR
from rag.text import sentence_spans
from rag.types import Document, Passage, Statement
from rag.verify import quotable_spans

SCHEMA = 7  # bump when stored records change shape or the extractor changes what it stores
# (7: the abbreviations of rag/lexicon change sentence splits)
PAGE = 5000  # records per read request


QUOTE_FIELDS = ("quote_keys", "quote_vectors")


def quote_key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def quote_id(passage_id: str, text: str) -> str:
    return f"{passage_id}.{quote_key(text)}"


def _unpack(meta: dict[str, Any]) -> dict[str, Any]:
    """quote key -> float32 vector, from a passage record's metadata."""
    import base64

    import numpy as np

    keys = str(meta.get("quote_keys") or "").split(",")
    blob = base64.b64decode(str(meta.get("quote_vectors") or ""))
    vecs: Any = np.frombuffer(blob, dtype=np.float16).reshape(len(keys), -1) if blob else []
    return {k: v.astype(np.float32) for k, v in zip(keys, vecs)}


def _record(i: str, text: str | None, meta: dict[str, Any] | None) -> Record:
    m = dict(meta or {})
    for f in QUOTE_FIELDS:
        m.pop(f, None)
    return Record(i, text or "", m)


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
    return f"rag-{model_tag(settings.embed_backend)}-p{settings.max_passage_chars}-s{SCHEMA}"


def statement_id(doc_id: str, s: Statement) -> str:
    """Content-hash id; the extractor version is part of it, so a library read by older rules
    gets new statement records on its next ingest, its passages (and their vectors) unchanged."""
    key = f"{doc_id}:{s.start}:{s.end}:{s.speaker}:{s.kind}:e{EXTRACTOR}"
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


@dataclass(frozen=True)
class Batch:
    """One document's records, ready to write: passages first, then statements."""

    doc: Document
    passages: list[Passage]
    statements: int
    ids: list[str]
    texts: list[str]
    metas: list[dict[str, Any]]
    quotes: dict[str, list[str]]  # passage_id -> texts of its quotable spans, sentences first

    def result(self, added: bool, replaced: int) -> IngestResult:
        return IngestResult(
            self.doc.doc_id, self.doc.title, len(self.passages), self.statements, added, replaced
        )


def doc_records(
    doc: Document, passages: list[Passage], statements: list[Statement], people: Sequence[str]
) -> Batch:
    base = doc_meta(doc)
    ids, texts, metas = [], [], []
    spans: dict[str, list[tuple[int, int]]] = {}  # passage_id -> its statements' spans
    for i, p in enumerate(passages):
        ids.append(p.passage_id)
        texts.append(p.text)
        meta = {
            **base,
            "kind": "passage",
            "paragraph": p.paragraph,
            "start": p.start,
            "end": p.end,
            "extractor": EXTRACTOR,
        }
        if i == 0 and people:
            meta["people"] = "; ".join(people)
        metas.append(meta)
    for s in statements:
        home = next((p for p in passages if p.start <= s.start and s.end <= p.end), None)
        if home is None:
            continue  # a quote that crosses a passage split cannot be cited as one slice
        spans.setdefault(home.passage_id, []).append((s.start - home.start, s.end - home.start))
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
                    "skind": "transcript" if s.transcript else s.kind,
                    "speaker_type": s.speaker_type,
                }
            )
        )
    quotes = {
        p.passage_id: [p.text[a:b] for a, b in quotable_spans(p.text, spans.get(p.passage_id, ()))]
        for p in passages
    }
    return Batch(doc, passages, len(statements), ids, texts, metas, quotes)


def stale_versions(ids: Sequence[str], metas: Sequence[dict[str, Any] | None]) -> dict[str, list[str]]:
    """Of these records (every record of some sources), those to delete so that each source
    keeps one version: the complete version (its headline, written last, is there) written last
    (`written` stamp; ties by doc_id) wins. Versions written before it go; an incomplete one
    written after it is left to its own writer, which settles when it is done. Every writer
    settles after its upsert, so two processes ingesting two versions of one file at once agree
    on the winner and leave exactly one (records stored before stamps existed count as 0)."""
    versions: dict[str, dict[str, list[Any]]] = {}  # source -> doc_id -> [stamp, complete, ids]
    for i, m in zip(ids, metas):
        m = m or {}
        v = versions.setdefault(str(m.get("source_key")), {}).setdefault(str(m.get("doc_id")), [0, False, []])
        v[0] = max(v[0], int(m.get("written") or 0))
        v[1] = v[1] or (m.get("kind") == "passage" and m.get("paragraph") == 0)
        v[2].append(i)
    stale: dict[str, list[str]] = {}
    for key, docs in versions.items():
        done = [(v[0], d) for d, v in docs.items() if v[1]]
        if not done:
            continue
        top = max(done)
        stale[key] = [i for d, v in docs.items() if d != top[1] and (v[1] or v[0] < top[0]) for i in v[2]]
    return stale


def pack_vectors(todo: list[Batch], vec: dict[str, Any]) -> dict[str, list[float]]:
    """Put each passage's quotable-span vectors (text -> vector in `vec`) into its metadata
    (float16, base64) and return each passage's own vector: the normalised mean of its
    sentences' vectors."""
    import base64

    import numpy as np

    out = {}
    for b in todo:
        for p, meta in zip(b.passages, b.metas):  # passages' metadata come first, in order
            qs = list(dict.fromkeys(b.quotes[p.passage_id]))
            meta["quote_keys"] = ",".join(quote_key(t) for t in qs)
            packed = np.stack([vec[t] for t in qs]).astype(np.float16).tobytes()
            meta["quote_vectors"] = base64.b64encode(packed).decode("ascii")
            sents = [vec[p.text[a:c]] for a, c in sentence_spans(p.text)]
            mean = np.mean(sents, axis=0) if sents else vec[qs[0]]
            out[p.passage_id] = (mean / max(float(np.linalg.norm(mean)), 1e-12)).tolist()
    return out


def upsert_rows(
    todo: list[Batch], vecs: dict[str, list[float]], stamp: int
) -> tuple[list[str], list[str], list[dict[str, Any]], list[list[float]]]:
    """The ids, texts, metadata (stamped with this write's version) and vectors to upsert. A
    statement record reuses its passage's vector (its span's own vector is among the passage's
    quote vectors). Headlines last: a stored headline (with the extractor's version) then means
    its whole document was written, so the next ingest may skip it unread (Store.current)."""
    ids = [i for b in todo for i in b.ids]
    docs = [t for b in todo for t in b.texts]
    metas = [{**m, "written": stamp} for b in todo for m in b.metas]
    embs = [vecs[m.get("passage_id", i)] for i, m in zip(ids, metas)]
    order = sorted(
        range(len(ids)), key=lambda j: metas[j].get("kind") == "passage" and metas[j].get("paragraph") == 0
    )
    return (
        [ids[j] for j in order],
        [docs[j] for j in order],
        [metas[j] for j in order],
        [embs[j] for j in order],
    )


def sentence_texts(docs: Sequence[Document], max_chars: int, limit: int) -> list[str]:
    """The distinct sentence spans (quotable without a parse) of these documents' passages, in
    order of length (the model's batches pad least), at most `limit`."""
    from rag.passages import split_passages

    texts: dict[str, None] = {}
    for doc in docs:
        for p in split_passages(doc, max_chars):
            texts.update((p.text[a:b], None) for a, b in quotable_spans(p.text))
        if len(texts) >= limit:
            break
    return sorted(list(texts)[:limit], key=len)
