"""One immutable view of the stored library: what an answer reads besides dense search.

Scope: the records of one store generation turned into what answers need (passages by id with
their metadata, statements with speaker names merged, statements by passage, speakers with
their roles over time, people named, a lexical index kept to these passages) and the lookups
over them. A view never changes after it is built: library.Library builds the next one when the
store moves and swaps it in whole, so an answer that holds a view sees one generation from start
to end, whatever other threads ingest meanwhile. Non-goals: following the store (library.py),
fusing rankings (retrieve.py).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from rag.types import Passage, RetrievedPassage, Scope

if TYPE_CHECKING:
    from rag.lexical import Lexical
    from rag.store import Store


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


@lru_cache(maxsize=65536)  # a view's rebuild keys every speaker's name: 75k at 127k passages
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


@dataclass(frozen=True)
class LibraryView:
    """The library at one store generation. Built by `build` (whole) or `LibraryView.next` (from
    the previous view and the documents that changed); never modified afterwards."""

    generation: str
    store: Store  # dense search only
    passages: dict[str, Passage]
    meta: dict[str, dict[str, Any]]  # passage_id -> the record's metadata (document fields included)
    raw: dict[str, StoredStatement]  # statement id -> as stored (names not merged)
    statements: list[StoredStatement]  # names merged, in document order
    by_passage: dict[str, list[StoredStatement]]
    people: frozenset[str]  # every person named in the library, quoted or not
    surnames: list[tuple[str, str]]  # (surname key, speaker) for find_speakers
    lexical: Lexical
    lexical_weight: float = 2.0
    cache: dict[str, Any] = field(default_factory=dict, compare=False)  # derived once per view

    def doc_text(self, doc_id: str) -> str:
        """A document's title and text, lower-cased (name checks), built on first use."""
        texts: dict[str, str] = self.cache.setdefault("doc_text", {})
        if doc_id not in texts:
            ps = self.doc_passages().get(doc_id, [])
            title = str(self.meta[ps[0].passage_id].get("title", "")) if ps else ""
            texts[doc_id] = " ".join([title, *(p.text for p in ps)]).lower() if ps else ""
        return texts[doc_id]

    def doc_passages(self) -> dict[str, list[Passage]]:
        """doc_id -> its passages in text order (built on first use)."""
        if "by_doc" not in self.cache:
            by_doc: dict[str, list[Passage]] = defaultdict(list)
            for p in self.passages.values():
                by_doc[p.doc_id].append(p)
            self.cache["by_doc"] = {d: sorted(ps, key=lambda p: p.start) for d, ps in by_doc.items()}
        out: dict[str, list[Passage]] = self.cache["by_doc"]
        return out

    def doc_meta(self) -> dict[str, dict[str, Any]]:
        """doc_id -> its metadata, one entry per document (built on first use)."""
        if "doc_meta" not in self.cache:
            self.cache["doc_meta"] = {str(m.get("doc_id")): m for m in self.meta.values()}
        out: dict[str, dict[str, Any]] = self.cache["doc_meta"]
        return out

    def by_speaker(self, name: str) -> list[StoredStatement]:
        """A speaker's statements in document order (the index is built on first use)."""
        if "by_speaker" not in self.cache:
            index: dict[str, list[StoredStatement]] = defaultdict(list)
            for s in self.statements:
                for n in s.speakers:
                    index[n].append(s)
            self.cache["by_speaker"] = dict(index)
        return list(self.cache["by_speaker"].get(name, []))

    def index_of(self, statement_id: str) -> int | None:
        """Where a statement is in `statements` (built on first use)."""
        if "index_of" not in self.cache:
            self.cache["index_of"] = {s.id: i for i, s in enumerate(self.statements)}
        i: int | None = self.cache["index_of"].get(statement_id)
        return i

    def speakers(self) -> list[Speaker]:
        if "speakers" in self.cache:
            return list(self.cache["speakers"])
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

        out = sorted(
            (
                Speaker(n, h[-1].role if (h := held(n)) else None, c, tuple(sorted(arts[n])), h)
                for n, c in stmts.items()
            ),
            key=lambda sp: (-sp.statements, sp.name),
        )
        self.cache["speakers"] = tuple(out)
        return out

    def find_speakers(self, text: str) -> list[str]:
        """Known speakers named in text (full name or surname, any common spelling), in order."""
        words = [
            (m.start(), name_key(re.sub(r"[’']s$", "", m.group(0))))  # "Ortiz’s" is Ortiz
            for m in re.finditer(r"[^\W\d_][\w’'-]*", text)
        ]
        first: dict[str, int] = {}
        for pos, w in words:
            first.setdefault(w, pos)
        hits = [(first[key], name) for key, name in self.surnames if key in first]
        return list(dict.fromkeys(n for _, n in sorted(hits)))

    def documents(self, scope: Scope | None) -> set[str] | None:
        """The doc_ids a scope allows (None: no document filter)."""
        if scope is None or not scope.filters_documents():
            return None
        out = set()
        for m in self.doc_meta().values():
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
        """Top-k passages of this view by hybrid search (retrieve.hybrid_search)."""
        from rag.retrieve import hybrid_search

        return hybrid_search(self, query, k, vector, docs)


def merged(
    raw: dict[str, StoredStatement], passages: dict[str, Passage]
) -> tuple[list[StoredStatement], dict[str, list[StoredStatement]], list[tuple[str, str]]]:
    """Statements with one spelling per person, in document order; by passage; surname keys."""
    stmts = list(raw.values())
    canon = canonical_names([n for st in stmts for n in st.speakers])
    statements = []
    for st in stmts:
        one = tuple(dict.fromkeys(canon.get(n, n) for n in st.speakers))
        statements.append(st if one == st.speakers else replace(st, speakers=one))
    statements.sort(
        key=lambda s: (
            passages[s.passage_id].doc_id if s.passage_id in passages else "",
            passages[s.passage_id].start + s.start if s.passage_id in passages else 0,
            s.id,
        )
    )
    by_passage: dict[str, list[StoredStatement]] = defaultdict(list)
    for st in statements:
        by_passage[st.passage_id].append(st)
    names = {n for st in statements for n in st.speakers}
    return statements, dict(by_passage), sorted((name_key(n.split()[-1]), n) for n in names)


def people_named(meta: dict[str, dict[str, Any]]) -> frozenset[str]:
    """Everyone the documents name (`people`, a document field: read once per document)."""
    docs = {str(m.get("doc_id")): m for m in meta.values()}  # the mirror shares one per document
    return frozenset(
        n.strip() for m in docs.values() for n in str(m.get("people", "")).split(";") if n.strip()
    )
