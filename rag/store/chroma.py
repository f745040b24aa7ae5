"""The Store: one Chroma collection holding passages and statements (see the package docstring
for the generation marker, quote vectors and crash safety).
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from rag.config import Settings
from rag.statements import EXTRACTOR
from rag.store import reads
from rag.store.changes import Change, ChangeLog
from rag.store.client import StoreError, _is_connection_error, _server_down, make_client
from rag.store.records import (
    Batch,
    IngestResult,
    Record,
    collection_name,
    doc_records,
    pack_vectors,
    quote_id,
    stale_versions,
    upsert_rows,
)
from rag.types import Document, Passage, Statement
from rag.verify import StoredPassage

if TYPE_CHECKING:
    from langchain_chroma import Chroma
    from langchain_core.embeddings import Embeddings


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
            self.log = ChangeLog(self.client, self.name)

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

    def identity(self) -> str:
        """What a copy of this collection is keyed by: its name and Chroma's id
        (a collection deleted and made again is another collection)."""
        return f"{self.name}|{self._col.id}"

    def generation(self) -> str:
        """A marker that changes on every write by any process sharing the store (one small
        read: the record count it used to include cost 13 ms at 156k records)."""
        with self._guard():
            meta = self.client.get_collection(self.name).metadata or {}
            return str(meta.get("generation", ""))

    def _bump(self, docs: set[str]) -> None:
        """Log the documents this write touched, then move the generation marker."""
        token = uuid.uuid4().hex
        self.log.record(token, docs)
        self._col.modify(metadata={"generation": token})

    def changes_since(self, after: int) -> list[Change]:
        with self._guard():
            return self.log.since(after)

    def documents_records(self, doc_ids: set[str]) -> Iterator[Record]:
        """Every record of these documents, as stored now, a page at a time."""
        with self._guard():
            ds = sorted(doc_ids)
            for at in range(0, len(ds), 500):
                yield from reads.records(self._col, where={"doc_id": {"$in": ds[at : at + 500]}})

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

    def add_many(self, batches: list[Batch], vectors: Mapping[str, Any] | None = None) -> list[IngestResult]:
        """Store several documents with a handful of requests and one model call: which are
        complete, one embedding batch (sentence-transformers sorts it by length), chunked
        upserts, stale versions deleted last, then the generation bumped."""
        if not batches:
            return []
        stamp = time.time_ns()  # this write's version: the latest complete one of a source stays
        with self._guard():
            keys = sorted({b.doc.source_key for b in batches})
            all_ids = [i for b in batches for i in b.ids]
            present = set(reads.get_all(self._col, ids=all_ids, include=[])["ids"]) if all_ids else set()
            todo, seen = [], set()
            for b in batches:  # the same text twice in one batch ("a.txt", "copy of a.txt"): once
                if b.doc.doc_id not in seen and not all(i in present for i in b.ids):
                    todo.append(b)
                seen.add(b.doc.doc_id)
            vecs = self._embed_quotes(todo, present, vectors or {})
            ids, docs, metas, embs = upsert_rows(todo, vecs, stamp)
            step = max(1, int(self.client.get_max_batch_size()))
            for at in range(0, len(ids), step):
                sl = slice(at, at + step)
                self._col.upsert(ids=ids[sl], embeddings=embs[sl], documents=docs[sl], metadatas=metas[sl])
            stale, versions = self._settle(keys)
            # the same text extracted differently (a name the library now completes: "Ortiz" ->
            # "Lena Ortiz") gives new statement ids: the old ones of that document go too
            written = set(ids)
            todo_docs = sorted({b.doc.doc_id for b in todo})
            mine = (
                reads.get_all(self._col, where={"doc_id": {"$in": todo_docs}}, include=[])["ids"]
                if todo_docs
                else []
            )
            gone = [i for v in stale.values() for i in v]
            already = set(gone)
            gone += [i for i in mine if i not in written and i not in already]
            for at in range(0, len(gone), step):
                self._col.delete(ids=gone[at : at + step])
            if todo or gone:
                self._bump(versions | set(todo_docs))
        added = {id(b) for b in todo}
        return [b.result(id(b) in added, len(stale.get(b.doc.source_key, []))) for b in batches]

    def _settle(self, keys: list[str]) -> tuple[dict[str, list[str]], set[str]]:
        """Each source keeps one version (records.stale_versions says which records go); also
        every document of these sources now stored, kept or not (the change log lists them)."""
        got = reads.get_all(self._col, where={"source_key": {"$in": keys}}, include=["metadatas"])
        metas = got["metadatas"] or []
        return stale_versions(got["ids"], metas), {str((m or {}).get("doc_id")) for m in metas}

    def _embed_quotes(
        self, todo: list[Batch], present: set[str], known: Mapping[str, Any]
    ) -> dict[str, list[float]]:
        """Embed the quotable spans of these documents (one model call, distinct texts once;
        a passage already stored lends its spans' vectors — a document whose statements
        changed keeps its passages), pack them into their passages' metadata, and return each
        passage's vector: the normalised mean of its sentences' vectors."""
        import numpy as np

        have = reads.stored_quotes(
            self._col, [p.passage_id for b in todo for p in b.passages if p.passage_id in present]
        )
        vec: dict[str, Any] = {}
        for b in todo:
            vec.update({t: v for qs in b.quotes.values() for t in qs if (v := known.get(t)) is not None})
            for pid, qs in b.quotes.items():
                vec.update({t: v for t in qs if (v := have.get(quote_id(pid, t))) is not None})
        texts = list(dict.fromkeys(t for b in todo for qs in b.quotes.values() for t in qs if t not in vec))
        if texts:
            vec.update(zip(texts, np.asarray(self.embeddings.embed_documents(texts), dtype=np.float32)))
        return pack_vectors(todo, vec)

    def quote_vectors(self, ids: list[str]) -> dict[str, Any]:
        """Stored vectors of quotable spans by quote_id (those that exist)."""
        with self._guard():
            stored = reads.stored_quotes(self._col, [i.rsplit(".", 1)[0] for i in ids])
        return {i: stored[i] for i in ids if i in stored}

    def quote_ids(self) -> dict[str, str]:
        """Every stored quote vector's id -> its passage's id (consistency checks)."""
        with self._guard():
            return reads.quote_ids(self._col)

    def ids(self) -> list[str]:
        """Every record id (passages and statements)."""
        with self._guard():
            return list(reads.get_all(self._col, include=[])["ids"])

    def get(self, ids: list[str]) -> Iterator[Record]:
        """The records with these ids (those that exist), read a page at a time."""
        with self._guard():
            yield from reads.records(self._col, ids=ids)

    def everything(self) -> Iterator[Record]:
        """Every record, a page at a time (offset paging)."""
        with self._guard():
            yield from reads.records(self._col)

    def current(self, doc_ids: Sequence[str], rules: int | None = EXTRACTOR) -> set[str]:
        """Documents stored whole by the current extractor (their headline passage carries its
        version): an ingest of them again has nothing to do, not even a parse. `rules=None`:
        stored by any extractor (their passages and vectors are there)."""
        if not doc_ids:
            return set()
        where: dict[str, Any] = {"$and": [{"doc_id": {"$in": sorted(set(doc_ids))}}, {"paragraph": 0}]}
        if rules is not None:
            where["$and"].append({"extractor": rules})
        with self._guard():
            got = reads.get_all(self._col, where=where, include=["metadatas"])
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
            got = reads.get_all(self._col, where={"doc_id": doc_id}, include=["metadatas"])
            ids = list(got["ids"])
            if not ids:
                return 0
            kinds = dict(zip(ids, (str((m or {}).get("kind", "")) for m in got["metadatas"])))
            stmts = [i for i in ids if kinds[i] == "statement"]
            for part in (stmts, [i for i in ids if kinds[i] != "statement"]):
                if part:
                    self._col.delete(ids=part)
            self._bump({doc_id})
        return len(ids)

    def records(self, kind: str) -> list[Record]:
        """Every record of a kind ("passage" or "statement")."""
        with self._guard():
            return list(reads.records(self._col, where={"kind": kind}))

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
            for got in reads.pages(self._col, include=["metadatas"]):
                for m in got["metadatas"]:
                    docs.add((m or {}).get("doc_id"))
                    kinds[(m or {}).get("kind")] += 1
        return {"documents": len(docs), "passages": kinds["passage"], "statements": kinds["statement"]}
