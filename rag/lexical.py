"""A BM25 inverted index over passage texts, so names and rare words are found.

Scope: an index that grows and shrinks one passage at a time (`add`, `remove`), scores a
query, and reports which query words the library never mentions. Non-goals: persistence.

Decision (several replicas on one Chroma server): the index is derived, in each process,
from the store's records, and kept in step incrementally — retrieve.Library watches the
store's generation marker and, when it moves, diffs record ids and adds/removes only the
passages that changed (ids are content hashes, so a changed passage is a new id). The store
stays the single source of truth; nothing that answers a question lives only in one process.
Cost (bench/scale.py, 2 shared cores): a question on an unchanged store pays one marker
read (p50 3.7 ms embedded, 1.5k passages); a process start builds the index from every
record once (1.6 s for 1.5k passages + statements, records read included, on a loaded machine),
which is the part that grows with the library — a start at 100k was not measured yet.
Alternatives considered (DESIGN §5 figures): SQLite FTS5 (0.4-8 ms queries, 2 s to index 100k)
would need the same per-replica sync from the server, plus a second tokenizer whose ranking
differs from the one the fusion weights were tuned on; Chroma's `$contains` is an unranked
scan (40-220 ms at 100k). If the start at 100k proves too slow, FTS5 as a per-replica,
on-disk cache synced by the same id diff is the next step.
"""

from __future__ import annotations

import math
from collections import Counter

from rag.text import STOPWORDS, stem, words


def terms(text: str) -> list[str]:
    return [stem(w) for w in words(text) if w not in STOPWORDS]


class BM25:
    def __init__(self, docs: list[tuple[str, str]] = (), k1: float = 1.2, b: float = 0.75):  # type: ignore[assignment]
        self.k1, self.b = k1, b
        self.ids: list[str | None] = []  # slot -> id (None: removed)
        self.slot: dict[str, int] = {}
        self.postings: dict[str, dict[int, int]] = {}
        self.lengths: list[int] = []
        self.total = 0
        self._prefixes: set[str] | None = None
        for i, text in docs:
            self.add(i, text)

    def __len__(self) -> int:
        return len(self.slot)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self.slot

    @property
    def avg(self) -> float:
        return self.total / len(self.slot) if self.slot else 1.0

    def add(self, doc_id: str, text: str) -> None:
        if doc_id in self.slot:
            self.remove(doc_id)
        n = len(self.ids)
        self.ids.append(doc_id)
        self.slot[doc_id] = n
        toks = terms(text)
        self.lengths.append(len(toks))
        self.total += len(toks)
        for t, tf in Counter(toks).items():
            self.postings.setdefault(t, {})[n] = tf
            if self._prefixes is not None and len(t) >= 6:
                self._prefixes.add(t[:6])

    def remove(self, doc_id: str, text: str | None = None) -> None:
        """Forget a passage; with its text only its own terms are visited, else every term."""
        n = self.slot.pop(doc_id, None)
        if n is None:
            return
        self.ids[n] = None
        self.total -= self.lengths[n]
        for t in set(terms(text)) if text is not None else list(self.postings):
            post = self.postings.get(t, {})
            if post.pop(n, None) is not None and not post:
                del self.postings[t]
        self._prefixes = None

    def idf(self, term: str) -> float:
        df = len(self.postings.get(term, ()))
        return math.log(1 + (len(self.slot) - df + 0.5) / (df + 0.5))

    def knows(self, text: str) -> bool:
        """True when every content word of text occurs in the library (stopwords always do),
        allowing another ending ("Californian" for "California")."""
        if self._prefixes is None:
            self._prefixes = {t[:6] for t in self.postings if len(t) >= 6}
        return all(t in self.postings or (len(t) >= 7 and t[:6] in self._prefixes) for t in terms(text))

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        scores: dict[int, float] = {}
        avg = self.avg
        for t in set(terms(query)):
            idf = self.idf(t)
            for n, tf in self.postings.get(t, {}).items():
                norm = self.k1 * (1 - self.b + self.b * self.lengths[n] / avg)
                scores[n] = scores.get(n, 0.0) + idf * tf * (self.k1 + 1) / (tf + norm)
        best = sorted(scores.items(), key=lambda x: -x[1])[:k]
        return [(i, s) for n, s in best if (i := self.ids[n]) is not None]
