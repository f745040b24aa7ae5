"""The stored library as this replica follows it: the store (Chroma, the source of truth), this
replica's lexical mirror (mirror.py, on disk) and the current immutable view (view.py).

Scope: `Library.view()` — one marker read when nothing changed; when the store's generation
moved (a write by this or any process sharing the store), the mirror is brought level in one
mirror transaction — by the store's change log (store/changes.py: the documents each write
touched, read again whole) when the mirror follows it, else (a new replica, one long down) by a
full diff of record ids against Chroma — and the next view is built from the previous one and
the documents that changed, then swapped in whole. A replica that starts on
a mirror already at the store's generation reads nothing from Chroma but the marker. A mirror
SQLite cannot read is moved aside and rebuilt from Chroma (mirror.py logs why).
Non-goals: ranking (retrieve.py), what a view holds (view.py).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from typing import Any

from rag.mirror import Mirror, no_gc
from rag.store import Record, Store
from rag.store.changes import HORIZON_NS, SLACK_NS
from rag.types import Passage, RetrievedPassage, Scope
from rag.view import LibraryView, Speaker, StoredStatement, merged, people_named


class Library:
    """Follows the store; hands out the current view (the attribute shortcuts read it too)."""

    def __init__(self, store: Store, mirror: Mirror, lexical_weight: float = 2.0):
        self.store = store
        self.mirror = mirror
        self.lexical_weight = lexical_weight
        self._view: LibraryView | None = None
        self._lock = threading.Lock()  # one refresh at a time; readers of a view never wait on it

    def view(self) -> LibraryView:
        """The library as the store holds it now."""
        with self._lock:
            key = self.store.generation()  # read before the records: a write meanwhile moves it again
            if self._view is not None and self._view.generation == key:
                return self._view
            try:
                changed = self._sync(key)
                with no_gc():
                    view = self._next(self._view, key, changed)
            except sqlite3.DatabaseError as exc:
                self.mirror.reset(f"it cannot be read ({exc})")
                self._sync(key)
                view = self._next(None, key, None)
            self._view = view
            return view

    def current(self) -> LibraryView:
        """The view last built, without asking the store (weights that may lag one write)."""
        return self._view if self._view is not None else self.view()

    def _sync(self, key: str) -> set[str] | None:
        """Bring the mirror to the store's generation `key` (nothing to do when it is there):
        by the store's change log when this mirror follows it, else by a full id diff. Returns
        the documents it rewrote (None: the mirror was there already)."""
        if self.mirror.generation() == key:
            return None
        at = self.mirror.log_at()
        if at is not None and at > time.time_ns() - HORIZON_NS:
            changes = self.store.changes_since(at - SLACK_NS)
            done = self.mirror.applied(c.id for c in changes)
            fresh = [c for c in changes if c.id not in done]
            docs = set().union(*(c.docs for c in fresh)) if fresh else set()
            with self.mirror.writing(key) as w:
                w.delete(self.mirror.ids_of(docs))  # each document as the store holds it now
                w.put(self.store.documents_records(docs))
                w.applied(fresh, at - 2 * SLACK_NS)
            return docs
        logged = self.store.changes_since(0)  # before the ids: what they already include
        stored = set(self.store.ids())
        have = self.mirror.ids()
        gone, new = have - stored, stored - have
        docs = self.mirror.doc_of(gone)
        with self.mirror.writing(key) as w:
            w.delete(gone)
            for r in self._fetch(new, whole=len(new) > len(stored) // 2):
                docs.add(str(r.meta.get("doc_id", "")))
                w.put([r])
            # a document that changed may have changed the metadata of records it kept
            # (the extractor's version, the people it names): read them again
            again = self.mirror.ids_of(docs) - new - gone
            w.put(self.store.get(sorted(again)))
            w.applied(logged, time.time_ns() - HORIZON_NS)
        return docs

    def _fetch(self, ids: set[str], whole: bool) -> Iterator[Record]:
        """These records from the store, each once. `whole` (most of the store, a first sync):
        page through it all, which Chroma serves far faster than the same records asked for by
        id (127k passages: 190 s by id); what a write meanwhile shifted past the pages is then
        asked for by id."""
        if not whole:
            yield from self.store.get(sorted(ids))
            return
        seen: set[str] = set()
        for r in self.store.everything():
            if r.id in ids and r.id not in seen:
                seen.add(r.id)
                yield r
        yield from self.store.get(sorted(ids - seen))

    def _next(self, prev: LibraryView | None, key: str, changed: set[str] | None) -> LibraryView:
        """The view at generation `key`: from the mirror whole, or from `prev` and the documents
        that changed (`changed`, when this process synced the mirror; else those whose record
        ids differ — another process sharing the mirror file synced it)."""
        passages: dict[str, Passage] = {}
        meta: dict[str, dict[str, Any]] = {}
        raw: dict[str, StoredStatement] = {}
        if prev is None:
            touched: set[str] | None = None
        elif changed is not None:
            touched = changed
        else:
            held = self.mirror.ids()
            had = prev.passages.keys() | prev.raw.keys()
            touched = {prev.passages[i].doc_id for i in had - held if i in prev.passages}
            touched |= {
                str(prev.meta.get(s.passage_id, {}).get("doc_id", ""))
                for i, s in prev.raw.items()
                if i not in held
            }
            touched |= self.mirror.doc_of(held - had)
        if prev is not None and touched is not None:
            passages = {i: p for i, p in prev.passages.items() if p.doc_id not in touched}
            meta = {i: prev.meta[i] for i in passages}
            raw = {i: s for i, s in prev.raw.items() if s.passage_id in passages}
        more = self.mirror.load(touched)
        passages.update(more[0])
        meta.update(more[1])
        raw.update(more[2])
        statements, by_passage, surnames = merged(raw, passages)
        return LibraryView(
            key,
            self.store,
            passages,
            meta,
            raw,
            statements,
            by_passage,
            people_named(meta),
            surnames,
            self.mirror.lexical(passages),
            self.lexical_weight,
        )

    # shortcuts to the current view, for callers that make one lookup (an answer holds one view)

    @property
    def passages(self) -> dict[str, Passage]:
        return self.view().passages

    @property
    def meta(self) -> dict[str, dict[str, Any]]:
        return self.view().meta

    @property
    def statements(self) -> list[StoredStatement]:
        return self.view().statements

    @property
    def people(self) -> frozenset[str]:
        return self.view().people

    def speakers(self) -> list[Speaker]:
        return self.view().speakers()

    def find_speakers(self, text: str) -> list[str]:
        return self.view().find_speakers(text)

    def documents(self, scope: Scope | None) -> set[str] | None:
        return self.view().documents(scope)

    def search(
        self, query: str, k: int, vector: list[float] | None = None, docs: set[str] | None = None
    ) -> list[RetrievedPassage]:
        return self.view().search(query, k, vector, docs)
