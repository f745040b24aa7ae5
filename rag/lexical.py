"""The lexical side of retrieval: the terms BM25 ranks on, this replica's on-disk BM25 index of
passages (tantivy), and the index as one library view sees it.

Scope: `terms` (stop words out, Snowball stems: what is indexed and what a query asks), and
acronym terms (`index_terms`, `query_terms`: "NFC" meets "Northern Fisheries Council");
`TermIndex`, a tantivy index in a folder beside the mirror's SQLite file, written only by
mirror.Mirror inside its sync transaction, with a marker file naming the store generation it
matches; `Lexical`, a view's face of it: one tantivy searcher (a point-in-time snapshot of the
index, so a view's lexical answers never change under it), document frequencies, "does the
library know this word". Non-goals: what is synced when (library.py), passages' text (mirror.py).

Why tantivy and not SQLite FTS5 (both measured here on the same 127k passages, XQuAD questions,
k = 20, bench/mirror_scale.py): FTS5's `bm25()` scores every row matching any query word, about
2 µs a posting — p50 30 ms, p95 92 ms, so a question's lexical half alone would spend the
100 ms budget; tantivy's top-k pruning answers the same queries in p50 0.3 ms, p95 0.7 ms, and
indexes 127k passages in 2-3 s. Its BM25 is Lucene's (idf ln(1 + (N - n + 0.5) / (n + 0.5)),
k1 1.2, b 0.75), the formula the in-memory index that preceded it used, so the fusion weights
tuned on that one still hold (top-10 overlap with FTS5's ranking 0.97). The price: the index
is a second file set beside the SQLite mirror, so the two are committed in order (index, then
SQLite) and a marker mismatch at open rebuilds the index from the mirror's stored terms.

History: this module held an in-memory BM25 that every process rebuilt from all records at
start — 0.4 s at 1.5k passages, 5.5 s at 13k, 42 s at 127k (bench/scale.py).
"""

from __future__ import annotations

import logging
import math
import os
import re
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rag.text import STOPWORDS, stem, words

log = logging.getLogger(__name__)
HEAP = 50_000_000  # bytes the index writer buffers before it flushes a segment


def terms(text: str) -> list[str]:
    return [stem(w) for w in words(text) if w not in STOPWORDS]


ACRONYM = "acr:"  # the index term of an acronym: "NFC" in a text, or "Northern Fisheries Council"
_ACRONYM = re.compile(r"(?<![\w-])[A-Z]{2,6}(?![\w-])")
_CAP = r"[A-Z][\w’'-]*"
_CAP_RUN = re.compile(rf"{_CAP}(?:\s+(?:(?:of|and|for|the|de|on|in)\s+)?{_CAP})+")
RUN_WORDS = 8  # capitalised words of a run whose initials are read


def acronyms(text: str) -> list[str]:
    """Acronym terms as a question writes them: each all-capital word ("NFC", "EHB's")."""
    return [ACRONYM + m.group(0).lower() for m in _ACRONYM.finditer(text)]


def initialisms(text: str) -> list[str]:
    """Acronym terms a passage holds: its all-capital words, and the initials of each run of two
    or more capitalised words ("Northern Fisheries Council" -> nfc; "Council for Harbours and
    Ferries" -> chf; the run's parts too: "The Eastport Harbour Board" -> ehb)."""
    out = acronyms(text)
    for m in _CAP_RUN.finditer(text):
        caps = [w[0].lower() for w in m.group(0).split() if w[:1].isupper()][:RUN_WORDS]
        for a in range(len(caps) - 1):
            for b in range(a + 2, min(len(caps), a + 6) + 1):
                out.append(ACRONYM + "".join(caps[a:b]))
    return out


def index_terms(text: str) -> list[str]:
    """What a passage is indexed by: its terms and its acronym terms."""
    return terms(text) + initialisms(text)


def query_terms(text: str) -> list[str]:
    """What a question asks the index for: its terms and the acronyms it writes."""
    return terms(text) + acronyms(text)


def _schema() -> Any:
    import tantivy

    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    sb.add_text_field("doc", stored=False, tokenizer_name="raw")
    sb.add_text_field("terms", stored=False, tokenizer_name="whitespace", index_option="freq")
    return sb.build()


class TermIndex:
    """A tantivy index of passages' terms in `folder`; `marker()` is the generation it holds."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.schema = _schema()
        self.index = self._open()

    def _open(self) -> Any:
        import tantivy

        self.folder.mkdir(parents=True, exist_ok=True)
        try:
            return tantivy.Index(self.schema, path=str(self.folder), reuse=True)
        except ValueError as exc:  # unreadable or another schema: start empty
            log.warning("lexical index %s cannot be opened (%s); rebuilding it", self.folder, exc)
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder.mkdir(parents=True)
            return tantivy.Index(self.schema, path=str(self.folder), reuse=True)

    def marker(self) -> str:
        try:
            return (self.folder / "synced").read_text()
        except OSError:
            return "\0none"

    def write(
        self, delete: Iterable[str], add: Iterable[tuple[str, str, str]], marker: str, wipe: bool = False
    ) -> None:
        """Delete passages by id, add (id, doc_id, terms) rows, commit, then record `marker`."""
        import tantivy

        (self.folder / "synced").unlink(missing_ok=True)  # a crash from here on: rebuilt at open
        w = self.index.writer(heap_size=HEAP, num_threads=1)
        try:
            if wipe:
                w.delete_all_documents()
            for i in delete:
                w.delete_documents_by_term("id", i)
            for i, doc, ts in add:
                w.add_document(tantivy.Document(id=i, doc=doc, terms=ts))
            w.commit()
            w.wait_merging_threads()
        finally:
            del w  # releases the folder's writer lock
        tmp = self.folder / "synced.tmp"
        tmp.write_text(marker)
        os.replace(tmp, self.folder / "synced")

    def searcher(self) -> Any:
        self.index.reload()
        return self.index.searcher()


class Lexical:
    """The lexical index as one library view sees it: one searcher snapshot, its ranking kept to
    the view's passages, document frequencies read once per term per view."""

    def __init__(self, index: TermIndex, passages: dict[str, Any]):
        self.index = index
        self.searcher = index.searcher()
        self.passages = passages
        self._df: dict[str, int] = {}
        self._fixed: dict[str, str | None] = {}  # term -> the library's term it is a typo of

    def __len__(self) -> int:
        return len(self.passages)

    def search(self, query: str, k: int, docs: set[str] | None = None) -> list[tuple[str, float]]:
        """The `k` best passage ids by BM25 over the query's terms, only from `docs` when given
        (the filter runs inside the index: a scoped question reads no other hit)."""
        import tantivy

        ts = sorted({self.correction(t) or t for t in query_terms(query)})
        if not ts or docs == set():
            return []
        schema = self.index.schema
        q = tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, tantivy.Query.term_query(schema, "terms", t)) for t in ts]
        )
        if docs is not None:
            allowed = tantivy.Query.term_set_query(schema, "doc", sorted(docs))
            q = tantivy.Query.boolean_query([(tantivy.Occur.Must, q), (tantivy.Occur.Must, allowed)])
        s = self.searcher
        hits = [(str(s.doc(addr)["id"][0]), float(score)) for score, addr in s.search(q, k).hits]
        return [(i, sc) for i, sc in hits if i in self.passages]

    def correction(self, term: str) -> str | None:
        """The library's term one edit (or one swap of neighbours) from `term` when `term` itself
        is not in the library: a typo ("geegen" for "gegeen"); None when there is no such term or
        the term is too short to tell a typo from another word (under five letters)."""
        if term in self._fixed:
            return self._fixed[term]
        fixed = None
        if len(term) >= 5 and not term.startswith(ACRONYM) and not self.df(term):
            import tantivy
            from rapidfuzz.distance import OSA

            q = tantivy.Query.fuzzy_term_query(self.index.schema, "terms", term, distance=1)
            s = self.searcher
            for _, addr in s.search(q, 3).hits:
                p = self.passages.get(str(s.doc(addr)["id"][0]))
                near = [t for t in dict.fromkeys(terms(p.text if p else "")) if OSA.distance(t, term) <= 1]
                if near:
                    fixed = max(near, key=self.df)
                    break
        self._fixed[term] = fixed
        return fixed

    def df(self, term: str) -> int:
        if term not in self._df:
            self._df[term] = int(self.searcher.doc_freq("terms", term))
        return self._df[term]

    def idf(self, term: str) -> float:
        df = self.df(term)
        return math.log(1 + (len(self.passages) - df + 0.5) / (df + 0.5))

    def knows(self, text: str) -> bool:
        """True when every content word of text occurs in the library (stopwords always do),
        allowing another ending ("Norwegian" for "Norway"); an acronym is known when the library
        writes it or spells it out ("NFC": "Northern Fisheries Council")."""
        if (acr := acronyms(text)) and len(acr) == len(text.split()) and all(self.df(t) for t in acr):
            return True
        return all(
            self.df(t) or (len(t) >= 7 and bool(self.searcher.terms_with_prefix("terms", t[:6], limit=1)))
            for t in terms(text)
        )

    def resembles(self, text: str) -> bool:
        """Every content word of text is in the library or one edit from a word that is (a typo:
        "Eastprot" for "Eastport"); a word under five letters must be there as written."""
        import tantivy

        def near(t: str) -> bool:
            if self.df(t):
                return True
            if len(t) < 5:
                return False
            q = tantivy.Query.fuzzy_term_query(self.index.schema, "terms", t, distance=1)
            return bool(self.searcher.search(q, 1).hits)

        return all(near(t) for t in terms(text))
