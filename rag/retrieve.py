"""Hybrid retrieval: dense (Chroma) + lexical (BM25) fused by reciprocal rank, as a LangChain
BaseRetriever, plus the derived views answers need (passages by id, statements by speaker).

Scope: `Library` reads the store and keeps caches derived from it, in step with the store's
generation marker (store.py): each question costs one cheap marker read; when the marker
moved (a write by this or any other process sharing the store), the record ids are diffed
and only new records are fetched, removed ones dropped — so a second replica's ingest, or an
edit that keeps the record count, is seen on the next question;
`HybridRetriever` is the LangChain face of `Library.search`. Non-goals: choosing quotes
(compose.py).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from rag.lexical import BM25
from rag.store import Record, Store
from rag.types import Passage, RetrievedPassage, Scope

RRF_K = 60


@dataclass(frozen=True)
class StoredStatement:
    id: str
    quote: str
    speakers: tuple[str, ...]
    role: str | None
    cue: str | None
    kind: str
    passage_id: str
    start: int  # offsets into the passage text
    end: int
    speaker_type: str = "person"  # "person" | "organisation" | "unnamed"


@dataclass(frozen=True)
class RoleHeld:
    """A role as the articles give it, with the first and last article date it was given."""

    role: str
    first: str | None
    last: str | None


@dataclass(frozen=True)
class Speaker:
    name: str
    role: str | None  # the role given in the most recent article that gives one
    statements: int
    articles: tuple[str, ...]
    roles: tuple[RoleHeld, ...] = ()  # every role given, oldest first


def roles_text(sp: Speaker) -> str:
    """ "Mayor (2021-01-04 to 2021-06-01); Councillor (2020-05-01)": newest role first."""
    return "; ".join(
        h.role + (f" ({h.first}" + (f" to {h.last})" if h.last != h.first else ")") if h.first else "")
        for h in reversed(sp.roles)
    )


def _passage(r: Record) -> Passage:
    m = r.meta
    return Passage(r.id, m["doc_id"], r.text, int(m["start"]), int(m["end"]), int(m["paragraph"]))


def _statement(r: Record) -> StoredStatement:
    m = r.meta
    return StoredStatement(
        r.id,
        r.text,
        tuple(s.strip() for s in str(m.get("speaker", "")).split(";") if s.strip()),
        m.get("role"),
        m.get("cue"),
        str(m.get("skind", "direct")),
        str(m["passage_id"]),
        int(m["start"]),
        int(m["end"]),
        str(m.get("speaker_type") or "person"),
    )


def name_key(word: str) -> str:
    """Spelling-tolerant key: 'Kovalenko', 'Kovalenkko', 'Kovalenkoy' and 'KOVALENKO' all -> 'kovalenko'."""
    w = unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode().lower()
    w = re.sub(r"(.)\1", r"\1", w)
    return re.sub(r"iy$", "y", w)


def canonical_names(names: list[str]) -> dict[str, str]:
    """Each spelling -> one name per person. Names agreeing on surname (and first name, when both
    give one) are one person; the most frequent full spelling names them all."""
    groups: dict[str, list[str]] = defaultdict(list)
    for n in names:
        groups[name_key(n.split()[-1])].append(n)
    out: dict[str, str] = {}
    for members in groups.values():
        counts = Counter(members)
        fulls = sorted({m for m in members if len(m.split()) > 1}, key=lambda m: (-counts[m], m))
        by_first: dict[str, str] = {}
        for f in fulls:
            by_first.setdefault(name_key(f.split()[0]), f)
        for m in set(members):
            if len(m.split()) > 1:
                out[m] = by_first[name_key(m.split()[0])]
            else:
                out[m] = fulls[0] if len(by_first) == 1 else m
    return out


class Library:
    """What the store holds, seen through caches that follow the store's generation marker."""

    def __init__(self, store: Store, lexical_weight: float = 2.0):
        self.store = store
        self.lexical_weight = lexical_weight
        self._key: str | None = None  # the store's generation marker when last read
        self.passages: dict[str, Passage] = {}
        self.meta: dict[str, dict[str, Any]] = {}  # passage_id -> document metadata
        self._raw: dict[str, StoredStatement] = {}  # statement id -> as stored (names not merged)
        self.statements: list[StoredStatement] = []
        self.by_passage: dict[str, list[StoredStatement]] = {}  # passage_id -> its statements
        self._surnames: list[tuple[str, str]] = []  # (surname key, speaker) for find_speakers
        self.people: set[str] = set()  # every person named in the library, quoted or not
        self.doc_text: dict[str, str] = {}  # doc_id -> title and text, lower-cased (name checks)
        self.bm25 = BM25([])
        self._lock = threading.RLock()
        self._local = threading.local()

    @contextmanager
    def one_view(self) -> Iterator[None]:
        """One refresh for a whole question: what runs inside (on this thread) sees one
        generation of the store, and pays one marker read instead of one per lookup."""
        self.refresh()
        self._local.pinned = getattr(self._local, "pinned", 0) + 1  # nested views keep the outer one
        try:
            yield
        finally:
            self._local.pinned -= 1

    def refresh(self) -> None:
        """Follow the store: when its generation moved, fetch only the records that changed.
        One refresh at a time (Gradio answers on several threads); the dicts are rebuilt and
        swapped in whole, so a question being answered meanwhile sees the old or the new view,
        never half of one. BM25 is updated in place: readers skip ids they don't know yet."""
        if getattr(self._local, "pinned", 0):
            return
        with self._lock:
            key = self.store.generation()  # read before the records: a write meanwhile moves it again
            if key == self._key:
                return
            passages, meta, raw = dict(self.passages), dict(self.meta), dict(self._raw)
            ids = set(self.store.ids())
            gone = [i for i in passages if i not in ids] + [i for i in raw if i not in ids]
            new = sorted(i for i in ids if i not in passages and i not in raw)
            touched: set[str] = set()
            for i in gone:
                if (p := passages.pop(i, None)) is not None:
                    self.bm25.remove(i, p.text)
                    touched.add(p.doc_id)
                    meta.pop(i, None)
                raw.pop(i, None)
            for r in self.store.get(new) if new else []:
                if r.meta.get("kind") == "passage":
                    passages[r.id] = _passage(r)
                    meta[r.id] = r.meta
                    self.bm25.add(r.id, r.text)
                    touched.add(str(r.meta.get("doc_id")))
                elif r.meta.get("kind") == "statement":
                    raw[r.id] = _statement(r)
            self.passages, self.meta, self._raw = passages, meta, raw
            if gone or new:
                self._derive(touched)
            self._key = key

    def _derive(self, touched: set[str]) -> None:
        """Views over the whole library: merged speaker names, people, per-document text."""
        stmts = list(self._raw.values())
        canon = canonical_names([n for st in stmts for n in st.speakers])
        statements = [
            replace(st, speakers=tuple(dict.fromkeys(canon.get(n, n) for n in st.speakers))) for st in stmts
        ]
        statements.sort(
            key=lambda s: (
                self.meta.get(s.passage_id, {}).get("doc_id", ""),
                self.passages[s.passage_id].start + s.start if s.passage_id in self.passages else 0,
                s.id,
            )
        )
        by_passage: dict[str, list[StoredStatement]] = defaultdict(list)
        for st in statements:
            by_passage[st.passage_id].append(st)
        names = {n for st in statements for n in st.speakers}
        # built before the swap: a reader never sees a view half-built
        self.statements, self.by_passage = statements, dict(by_passage)
        self._surnames = sorted((name_key(n.split()[-1]), n) for n in names)
        self.people = {
            n.strip() for m in self.meta.values() for n in str(m.get("people", "")).split(";") if n.strip()
        }
        by_doc: dict[str, list[Passage]] = defaultdict(list)
        for p in self.passages.values():
            if p.doc_id in touched:
                by_doc[p.doc_id].append(p)
        for d in touched:
            ps = sorted(by_doc.get(d, []), key=lambda p: p.start)
            if not ps:
                self.doc_text.pop(d, None)
                continue
            title = str(self.meta[ps[0].passage_id].get("title", ""))
            self.doc_text[d] = " ".join([title, *(p.text for p in ps)]).lower()

    def speakers(self) -> list[Speaker]:
        self.refresh()
        stmts: dict[str, int] = defaultdict(int)
        roles: dict[str, dict[str, list[str]]] = defaultdict(dict)  # name -> role -> dates given
        arts: dict[str, set[str]] = defaultdict(set)
        for s in self.statements:
            meta = self.meta.get(s.passage_id, {})
            for name in s.speakers:
                stmts[name] += 1
                arts[name].add(str(meta.get("title", "")))
                if s.role and len(s.speakers) == 1:
                    roles[name].setdefault(s.role, []).append(str(meta.get("published") or ""))

        def held(name: str) -> tuple[RoleHeld, ...]:
            out = [
                RoleHeld(r, min(d for d in ds if d) if any(ds) else None, max(ds) or None)
                for r, ds in roles[name].items()
            ]
            return tuple(sorted(out, key=lambda h: (h.last or "", h.first or "")))

        return sorted(
            (
                Speaker(n, h[-1].role if (h := held(n)) else None, c, tuple(sorted(arts[n])), h)
                for n, c in stmts.items()
            ),
            key=lambda sp: (-sp.statements, sp.name),
        )

    def find_speakers(self, text: str) -> list[str]:
        """Known speakers named in text (full name or surname, any common spelling), in order."""
        self.refresh()
        words = [
            (m.start(), name_key(re.sub(r"[’']s$", "", m.group(0))))  # "Ortiz’s" is Ortiz
            for m in re.finditer(r"[^\W\d_][\w’'-]*", text)
        ]
        first: dict[str, int] = {}
        for pos, w in words:
            first.setdefault(w, pos)
        hits = [(first[key], name) for key, name in self._surnames if key in first]
        return list(dict.fromkeys(n for _, n in sorted(hits)))

    def documents(self, scope: Scope | None) -> set[str] | None:
        """The doc_ids a scope allows (None: no document filter)."""
        if scope is None or not scope.filters_documents():
            return None
        self.refresh()
        out = set()
        for m in self.meta.values():
            title, source, day = (
                str(m.get("title", "")).lower(),
                str(m.get("source", "")).lower(),
                m.get("published"),
            )
            if scope.article and scope.article != m.get("doc_id") and scope.article.lower() not in title:
                continue
            if scope.outlet and scope.outlet.lower() not in source:
                continue
            if (scope.since or scope.until) and not day:
                continue
            d = str(day)
            if (scope.since and d[: len(scope.since)] < scope.since) or (
                scope.until and d[: len(scope.until)] > scope.until
            ):
                continue
            out.add(str(m["doc_id"]))
        return out

    def search(
        self, query: str, k: int, vector: list[float] | None = None, docs: set[str] | None = None
    ) -> list[RetrievedPassage]:
        """Top-k passages by reciprocal-rank fusion of dense and BM25 rankings, optionally only
        from the documents in `docs`."""
        if k <= 0:
            raise ValueError(f"k must be > 0, got {k}")
        self.refresh()
        if not self.passages or docs == set():
            return []
        depth = max(3 * k, 20)
        vec = vector if vector is not None else self.store.embeddings.embed_query(query)
        dense = self._dense(vec, depth, docs)
        lexical = self.bm25.search(query, depth if docs is None else len(self.bm25))
        if docs is not None:
            lexical = [
                (pid, s) for pid, s in lexical if pid in self.passages and self.passages[pid].doc_id in docs
            ][:depth]
        fused: dict[str, float] = defaultdict(float)
        for rank, (pid, _) in enumerate(dense):
            fused[pid] += 1.0 / (RRF_K + rank + 1)
        for rank, (pid, _) in enumerate(lexical):
            fused[pid] += self.lexical_weight / (RRF_K + rank + 1)
        best = sorted(fused.items(), key=lambda x: -x[1])[:k]
        return [RetrievedPassage(self.passages[pid], score) for pid, score in best if pid in self.passages]

    def _dense(self, vec: list[float], depth: int, docs: set[str] | None) -> list[tuple[str, float]]:
        """The `depth` nearest passages. Statements share their passage's vector, so the whole
        library is asked for twice `depth` and statements dropped here: a `kind` filter in
        Chroma costs a scan of the matching ids per query (58 ms vs 6 ms at 13k records). The
        filtered query is the fallback when statements crowd passages out, and the only way
        when a scope names documents."""
        count = len(self.passages) + len(self._raw)  # the records this replica knows
        where: dict[str, Any] = {"kind": "passage"}
        if docs is None:
            n_pass = len(self.passages)
            wide = self.store.nearest(vec, min(2 * depth, count or 2 * depth), count=count)
            got = [(i, s) for i, s in wide if i in self.passages][:depth]
            if len(got) >= min(depth, n_pass) or len(wide) >= (count or 0):
                return got
        else:
            where = {"$and": [where, {"doc_id": {"$in": sorted(docs)}}]}
        return self.store.nearest(vec, depth, where=where, count=count)


class HybridRetriever(BaseRetriever):
    """LangChain retriever over a Library: `invoke(question)` -> passages as LangChain Documents."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    library: Library
    k: int = 6

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, k: int | None = None
    ) -> list[LCDocument]:
        """The top `k` passages (`invoke(query, k=3)` overrides the retriever's own `k`)."""
        out = []
        for r in self.library.search(query, self.k if k is None else k):
            meta = {
                **self.library.meta[r.passage.passage_id],
                "score": r.score,
                "paragraph": r.passage.paragraph,
            }
            out.append(LCDocument(page_content=r.passage.text, metadata=meta, id=r.passage.passage_id))
        return out
