"""The Chroma store (embedded or `chroma run` server) — the only module that talks to Chroma.

Scope: one collection per vector-shaping configuration (model + chunking), holding passage
records and statement records (`kind` metadata); idempotent upsert by content-hash id; an
edited article (same source, new content) replaces its old records; dense search; reading
records back for the lexical index and the speakers list; a generation marker; clear errors
for store trouble. Non-goals: ranking (retrieve.py).

Server mode: `RAG_CHROMA_URL=http://host:port` uses a Chroma `HttpClient`; a path names a
database on that server (`http://host:port/team-a`, created on first use), so deployments
(and tests) can share one server without sharing records.

Generation marker: every write ends by setting the collection's metadata `generation` to a
fresh random token. Readers (retrieve.Library) key their derived caches on it, so an edit
that keeps the record count is seen, and every replica sharing a server
agrees on what changed — nothing lives only in one process. Record ids are content hashes, so
"what changed" is exactly the set difference of ids (retrieve.py fetches only new records).

Quote vectors: every span an answer may quote (verify.quotable_spans: sentences, trimmed,
statements) is embedded at ingest and kept on its passage's record (metadata `quote_keys`,
`quote_vectors`: text hashes and float16 vectors, base64), so answering embeds only the
question and the vectors live and die with their passage. Reads strip them (`Record.meta` never
holds them) and go page by page, so a library's start holds one page of them at a time. (A
sibling collection was tried first: Chroma loads a collection's whole vector index on first
access, +1.1 GB at 100k passages.) A passage's own vector is
the normalised mean of its sentences' vectors, so ingest runs the model once per sentence and
never on whole passages. Measured with `rag eval` (XQuAD-en, 1,190 questions, fused retrieval),
whole-passage vectors -> sentence means: recall@1 0.942 -> 0.936, recall@5 0.993 -> 0.992,
MRR@10 0.965 -> 0.961, top quote holds the answer 0.755 -> 0.755, abstention 0.923 -> 0.923;
an answer at 13k passages p50 190 -> 22 ms (bench/scale.py: no sentence is embedded at ask).

Crash safety: a document counts as stored only when *all* its record ids are present; a
killed ingest leaves at most a partial document, which the next ingest completes (upsert by
id is idempotent). Passages are written before their statements, and records of an older
version of a source are deleted only after the new version is complete, so a crash never
leaves a statement without its passage nor a source with no version.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rag.config import Settings
from rag.embed import model_tag
from rag.statements import EXTRACTOR
from rag.text import sentence_spans
from rag.types import Document, Passage, Statement
from rag.verify import StoredPassage, quotable_spans

if TYPE_CHECKING:
    from langchain_chroma import Chroma
    from langchain_core.embeddings import Embeddings

SCHEMA = 6  # bump when stored records change shape or the extractor changes what it stores
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


class StoreError(RuntimeError):
    """The store cannot be opened or reached; the message names it and says what to do."""


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


def parse_url(url: str) -> tuple[str, int, bool, str | None]:
    """http(s)://host[:port][/database] -> (host, port, ssl, database or None)."""
    from urllib.parse import urlparse

    u = urlparse(url)
    if u.scheme not in ("http", "https") or not u.hostname:
        raise ValueError(f"RAG_CHROMA_URL must look like http://host:port[/database], got {url!r}")
    db = u.path.strip("/") or None
    return u.hostname, u.port or 8000, u.scheme == "https", db


def _server_down(url: str, exc: BaseException) -> StoreError:
    return StoreError(
        f"no Chroma server answers at {url} ({exc}): start it (`chroma run --path DIR --port N`) "
        "or fix RAG_CHROMA_URL; the app carries on once the server is back"
    )


def _http_client(url: str, chroma_settings: Any) -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    host, port, ssl, db = parse_url(url)
    try:
        if db is not None:
            admin = chromadb.AdminClient(
                ChromaSettings(
                    chroma_api_impl="chromadb.api.fastapi.FastAPI",
                    chroma_server_host=host,
                    chroma_server_http_port=port,
                    chroma_server_ssl_enabled=ssl,
                    anonymized_telemetry=False,
                )
            )
            try:
                admin.get_database(db)
            except chromadb.errors.NotFoundError:
                try:
                    admin.create_database(db)
                except chromadb.errors.UniqueConstraintError:
                    pass  # another replica created it first
        return chromadb.HttpClient(
            host=host, port=port, ssl=ssl, database=db or "default_database", settings=chroma_settings
        )
    except chromadb.errors.InvalidArgumentError as exc:
        raise StoreError(f"RAG_CHROMA_URL {url!r}: {exc}") from exc
    except Exception as exc:
        if _is_connection_error(exc):
            raise _server_down(url, exc) from exc
        raise


def _persistent_client(store_dir: Path, chroma_settings: Any) -> Any:
    import chromadb

    if store_dir.exists() and not store_dir.is_dir():
        raise StoreError(f"RAG_STORE_DIR {store_dir} is a file, not a folder: point it at a folder")
    try:
        store_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the store folder {store_dir} ({exc}): set RAG_STORE_DIR") from exc
    db = store_dir / "chroma.sqlite3"
    if not os.access(store_dir, os.W_OK) or (db.exists() and not os.access(db, os.W_OK)):
        raise StoreError(
            f"the store folder {store_dir} is read-only: give this user write access "
            "or set RAG_STORE_DIR to a writable folder"
        )
    if db.exists() and db.stat().st_size and db.open("rb").read(16) != b"SQLite format 3\x00":
        raise StoreError(_corrupt(store_dir, "chroma.sqlite3 is not an SQLite database"))
    try:
        return chromadb.PersistentClient(path=str(store_dir), settings=chroma_settings)
    except BaseException as exc:  # a damaged file can surface as a Rust panic (BaseException)
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        raise StoreError(_corrupt(store_dir, str(exc).splitlines()[0] if str(exc) else repr(exc))) from exc


def _corrupt(store_dir: Path, why: str) -> str:
    return (
        f"the store in {store_dir} cannot be read ({why}): move the folder aside and ingest the "
        "articles again (the store is rebuilt from the source files)"
    )


def _is_connection_error(exc: BaseException) -> bool:
    import httpx

    return isinstance(exc, httpx.TransportError) or "Could not connect to a Chroma server" in str(exc)


def make_client(settings: Settings) -> Any:
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        return _http_client(settings.chroma_url, chroma_settings)
    return _persistent_client(settings.store_dir, chroma_settings)


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


class Store:
    """Passages and statements of every ingested Document, in one Chroma collection."""

    def __init__(self, settings: Settings, embeddings: Embeddings, client: Any | None = None):
        from langchain_chroma import Chroma

        self.settings = settings
        self.embeddings = embeddings
        self.where = settings.chroma_url or str(settings.store_dir)
        self.client = client or make_client(settings)
        self.name = collection_name(settings)
        with self._guard():
            self.vs: Chroma = Chroma(
                collection_name=self.name,
                embedding_function=embeddings,
                client=self.client,
                collection_configuration={"hnsw": {"space": "cosine"}},
            )

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """Turn a lost server connection into a StoreError that says what to do."""
        try:
            yield
        except StoreError:
            raise
        except Exception as exc:
            if self.settings.chroma_url and _is_connection_error(exc):
                raise _server_down(self.settings.chroma_url, exc) from exc
            raise

    @property
    def _col(self) -> Any:
        return self.vs._collection

    def count(self) -> int:
        with self._guard():
            return int(self._col.count())

    def generation(self) -> str:
        """A marker that changes on every write by any process sharing the store (one small
        read: the record count it used to include cost 13 ms at 156k records)."""
        with self._guard():
            meta = self.client.get_collection(self.name).metadata or {}
            return str(meta.get("generation", ""))

    def _bump(self) -> None:
        self._col.modify(metadata={"generation": uuid.uuid4().hex})

    def has_doc(self, doc_id: str) -> bool:
        with self._guard():
            return bool(self._col.get(where={"doc_id": doc_id}, limit=1, include=[])["ids"])

    def add(
        self,
        doc: Document,
        passages: list[Passage],
        statements: list[Statement],
        people: Sequence[str] = (),
    ) -> IngestResult:
        """Upsert a Document's records; a no-op when its content is already stored. `people`
        (every person the document names) is kept on its first passage."""
        return self.add_many([doc_records(doc, passages, statements, people)])[0]

    def add_many(self, batches: list[Batch]) -> list[IngestResult]:
        """Store several documents with a handful of requests and one model call: which are
        complete, one embedding batch (sentence-transformers sorts it by length), chunked
        upserts, stale versions deleted last, then the generation bumped."""
        if not batches:
            return []
        with self._guard():
            keys = sorted({b.doc.source_key for b in batches})
            old = self._get(where={"source_key": {"$in": keys}}, include=["metadatas"])
            all_ids = [i for b in batches for i in b.ids]
            present = set(self._get(ids=all_ids, include=[])["ids"]) if all_ids else set()
            todo, seen = [], set()
            for b in batches:  # the same text twice in one batch ("a.txt", "copy of a.txt"): once
                if b.doc.doc_id not in seen and not all(i in present for i in b.ids):
                    todo.append(b)
                seen.add(b.doc.doc_id)
            vecs = self._embed_quotes(todo, present)
            ids = [i for b in todo for i in b.ids]
            docs = [t for b in todo for t in b.texts]
            metas = [m for b in todo for m in b.metas]
            # A statement record reuses its passage's vector (its span's own vector is among
            # the passage's quote vectors).
            embs = [vecs[m.get("passage_id", i)] for i, m in zip(ids, metas)]
            # headlines last: a stored headline (with the extractor's version) then means its whole
            # document was written, so the next ingest may skip it unread (Store.current)
            order = sorted(
                range(len(ids)),
                key=lambda j: metas[j].get("kind") == "passage" and metas[j].get("paragraph") == 0,
            )
            ids, docs, metas, embs = ([xs[j] for j in order] for xs in (ids, docs, metas, embs))  # type: ignore[assignment]
            step = max(1, int(self.client.get_max_batch_size()))
            for at in range(0, len(ids), step):
                sl = slice(at, at + step)
                self._col.upsert(ids=ids[sl], embeddings=embs[sl], documents=docs[sl], metadatas=metas[sl])
            current: dict[str, set[str]] = {}
            for b in batches:
                current.setdefault(b.doc.source_key, set()).add(b.doc.doc_id)
            stale: dict[str, list[str]] = {}
            for i, m in zip(old["ids"], old["metadatas"] or []):
                key = str((m or {}).get("source_key"))
                if (m or {}).get("doc_id") not in current.get(key, set()):
                    stale.setdefault(key, []).append(i)
            # the same text extracted differently (a name the library now completes: "Ortiz" ->
            # "Lena Ortiz") gives new statement ids: the old ones of that document go too
            written = set(ids)
            todo_docs = sorted({b.doc.doc_id for b in todo})
            mine = self._get(where={"doc_id": {"$in": todo_docs}}, include=[])["ids"] if todo_docs else []
            gone = [i for v in stale.values() for i in v]
            already = set(gone)
            gone += [i for i in mine if i not in written and i not in already]
            for at in range(0, len(gone), step):
                self._col.delete(ids=gone[at : at + step])
            if todo or gone:
                self._bump()
        added = {id(b) for b in todo}
        return [
            IngestResult(
                b.doc.doc_id,
                b.doc.title,
                len(b.passages),
                b.statements,
                id(b) in added,
                len(stale.get(b.doc.source_key, [])),
            )
            for b in batches
        ]

    def _embed_quotes(self, todo: list[Batch], present: set[str]) -> dict[str, list[float]]:
        """Embed the quotable spans of these documents (one model call, distinct texts once;
        a passage already stored lends its spans' vectors — a document whose statements
        changed keeps its passages), pack them into their passages' metadata, and return each
        passage's vector: the normalised mean of its sentences' vectors."""
        import base64

        import numpy as np

        have = self._stored_quotes(
            [p.passage_id for b in todo for p in b.passages if p.passage_id in present]
        )
        vec: dict[str, Any] = {}
        for b in todo:
            for pid, qs in b.quotes.items():
                vec.update({t: v for t in qs if (v := have.get(quote_id(pid, t))) is not None})
        texts = list(dict.fromkeys(t for b in todo for qs in b.quotes.values() for t in qs if t not in vec))
        if texts:
            vec.update(zip(texts, np.asarray(self.embeddings.embed_documents(texts), dtype=np.float32)))
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

    def _stored_quotes(self, passage_ids: list[str]) -> dict[str, Any]:
        """quote_id -> vector, for every quotable span of these stored passages."""
        return {
            f"{pid}.{key}": v
            for got in self._pages(ids=passage_ids, include=["metadatas"])
            for pid, m in zip(got["ids"], got["metadatas"])
            for key, v in _unpack(m or {}).items()
        }

    def quote_vectors(self, ids: list[str]) -> dict[str, Any]:
        """Stored vectors of quotable spans by quote_id (those that exist)."""
        with self._guard():
            stored = self._stored_quotes([i.rsplit(".", 1)[0] for i in ids])
        return {i: stored[i] for i in ids if i in stored}

    def quote_ids(self) -> dict[str, str]:
        """Every stored quote vector's id -> its passage's id (consistency checks)."""
        out = {}
        with self._guard():
            for page in self._pages(where={"kind": "passage"}, include=["metadatas"]):
                for pid, m in zip(page["ids"], page["metadatas"]):
                    out.update({f"{pid}.{k}": pid for k in _unpack(m or {})})
        return out

    def _pages(self, ids: list[str] | None = None, **kw: Any) -> Iterator[dict[str, Any]]:
        """collection.get page by page (a server caps one response; a page of quote vectors
        is all a reader holds at once)."""
        if ids is not None:
            ids = list(dict.fromkeys(ids))  # Chroma refuses a request naming an id twice
            for at in range(0, len(ids), PAGE):
                yield self._col.get(ids=ids[at : at + PAGE], **kw)
            return
        offset = 0
        while True:
            got = self._col.get(**kw, limit=PAGE, offset=offset)
            yield got
            if len(got["ids"]) < PAGE:
                return
            offset += PAGE

    def _get(self, **kw: Any) -> dict[str, Any]:
        """collection.get, all pages joined (quote vectors are stripped by the callers)."""
        out: dict[str, list[Any]] = {"ids": [], "documents": [], "metadatas": []}
        for got in self._pages(**kw):
            for f in out:
                out[f] += got.get(f) or []
        return out

    def ids(self) -> list[str]:
        """Every record id (passages and statements)."""
        with self._guard():
            return list(self._get(include=[])["ids"])

    def get(self, ids: list[str]) -> Iterator[Record]:
        """The records with these ids (those that exist), read a page at a time."""
        with self._guard():
            for got in self._pages(ids=ids, include=["documents", "metadatas"]):
                yield from map(_record, got["ids"], got["documents"], got["metadatas"])

    def current(self, doc_ids: Sequence[str]) -> set[str]:
        """Documents stored whole by the current extractor (their headline passage carries its
        version): an ingest of them again has nothing to do, not even a parse."""
        if not doc_ids:
            return set()
        where = {
            "$and": [{"doc_id": {"$in": sorted(set(doc_ids))}}, {"extractor": EXTRACTOR}, {"paragraph": 0}]
        }
        with self._guard():
            got = self._get(where=where, include=["metadatas"])
        return {str((m or {}).get("doc_id")) for m in got["metadatas"]}

    def passages_by_id(self, ids: Sequence[str]) -> dict[str, StoredPassage]:
        """The passages with these ids as the store holds them (verify.cite checks quotes against
        these, never against the answering code's copies)."""
        return {
            r.id: StoredPassage(
                r.id, str(r.meta["doc_id"]), int(r.meta["start"]), r.text, int(r.meta["paragraph"]), r.meta
            )
            for r in self.get(list(ids))
            if r.meta.get("kind") == "passage"
        }

    def delete_document(self, doc_id: str) -> int:
        """Remove every record (passages and statements) of one article; returns how many.
        Statements go first, so a crash midway never leaves a statement without its passage;
        the generation moves so every replica drops the article on its next question."""
        with self._guard():
            got = self._get(where={"doc_id": doc_id}, include=["metadatas"])
            ids = list(got["ids"])
            if not ids:
                return 0
            kinds = dict(zip(ids, (str((m or {}).get("kind", "")) for m in got["metadatas"])))
            stmts = [i for i in ids if kinds[i] == "statement"]
            for part in (stmts, [i for i in ids if kinds[i] != "statement"]):
                if part:
                    self._col.delete(ids=part)
            self._bump()
        return len(ids)

    def records(self, kind: str) -> list[Record]:
        """Every record of a kind ("passage" or "statement")."""
        with self._guard():
            pages = self._pages(where={"kind": kind}, include=["documents", "metadatas"])
            return [r for got in pages for r in map(_record, got["ids"], got["documents"], got["metadatas"])]

    def nearest(
        self, vector: list[float], k: int, where: dict[str, Any] | None = None, count: int | None = None
    ) -> list[tuple[str, float]]:
        """Ids of the nearest records with cosine similarity, nothing else read: a passage's
        record carries its quote vectors, and reading them back for every hit cost most of a
        query (19 ms of 20 over the shipped library)."""
        n = self.count() if count is None else count
        if n == 0:
            return []
        with self._guard():
            got = self._col.query(
                query_embeddings=[vector], n_results=min(k, n), where=where, include=["distances"]
            )
        return [(i, 1.0 - float(d)) for i, d in zip(got["ids"][0], got["distances"][0])]

    def stats(self) -> dict[str, int]:
        docs: set[Any] = set()
        kinds: Counter[Any] = Counter()
        with self._guard():
            for got in self._pages(include=["metadatas"]):
                for m in got["metadatas"]:
                    docs.add((m or {}).get("doc_id"))
                    kinds[(m or {}).get("kind")] += 1
        return {"documents": len(docs), "passages": kinds["passage"], "statements": kinds["statement"]}
