"""A BM25 inverted index over passage texts, so names and rare words are found.

Scope: an index that grows and shrinks one passage at a time (`add`, `remove`), scores a
query, and reports which query words the library never mentions. Non-goals: persistence.

Decision (several replicas on one Chroma server): the index is derived, in each process,
from the store's records, and kept in step incrementally — retrieve.Library watches the
store's generation marker and, when it moves, diffs record ids and adds/removes only the
passages that changed (ids are content hashes, so a changed passage is a new id). The store
stays the single source of truth; nothing that answers a question lives only in one process.
Cost (bench/scale.py, idle 2 cores): a question on an unchanged store pays one marker read
(p50 0.9 ms embedded at 127k passages); a process start builds the index from every record
once, which is the part that grows with the library: 0.4 s at 1.5k passages, 5.5 s at 13k,
42 s at 127k (Chroma's reads about half of it).
Alternatives considered (DESIGN §5 figures): SQLite FTS5 (0.4-8 ms queries, 2 s to index 100k)
would need the same per-replica sync from the server, plus a second tokenizer whose ranking
differs from the one the fusion weights were tuned on; Chroma's `$contains` is an unranked
scan (40-220 ms at 100k). If the start at 100k proves too slow, FTS5 as a per-replica,
on-disk mirror synced by the same id diff is the next step (the start at 127k says it is due).
"""

from __future__ import annotations

import math
import threading
from array import array
from collections import Counter

import numpy as np

from rag.text import STOPWORDS, stem, words


def terms(text: str) -> list[str]:
    return [stem(w) for w in words(text) if w not in STOPWORDS]


class BM25:
    """Postings as compact arrays (slot, term frequency) per term, scored with numpy: 4.9M
    postings at 127k passages take ~30 MB instead of the ~400 MB of dicts, and a query scores
    every posting of its words in one vectorised pass. A removed passage's slot is marked dead
    and skipped (its words' document frequencies drop at once); the arrays are compacted when
    half the slots are dead."""

    def __init__(self, docs: list[tuple[str, str]] = (), k1: float = 1.2, b: float = 0.75):  # type: ignore[assignment]
        self.k1, self.b = k1, b
        self.ids: list[str | None] = []  # slot -> id (None: removed)
        self.slot: dict[str, int] = {}
        self.postings: dict[str, tuple[array[int], array[int]]] = {}  # term -> (slots, tfs)
        self.df: dict[str, int] = {}  # live documents per term
        self.lengths: array[int] = array("I")
        self._dead: set[int] = set()  # slots of removed passages, until the next compaction
        self.total = 0
        self._prefixes: set[str] | None = None
        self._lock = threading.Lock()  # arrays grow under it; a search copies its terms' under it
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
        if doc_id in self.slot:  # ids are content hashes: the same id has the same text
            self.remove(doc_id, text)
        toks = terms(text)
        with self._lock:
            n = len(self.ids)
            self.ids.append(doc_id)
            self.slot[doc_id] = n
            self.lengths.append(len(toks))
            self.total += len(toks)
            for t, tf in Counter(toks).items():
                if t not in self.postings:
                    self.postings[t] = (array("I"), array("H"))
                    if self._prefixes is not None and len(t) >= 6:
                        self._prefixes.add(t[:6])
                slots, tfs = self.postings[t]
                slots.append(n)
                tfs.append(min(tf, 65535))
                self.df[t] = self.df.get(t, 0) + 1

    def remove(self, doc_id: str, text: str | None = None) -> None:
        """Forget a passage; with its text only its own terms are visited, else every term."""
        with self._lock:
            n = self.slot.pop(doc_id, None)
            if n is None:
                return
            self.ids[n] = None
            self._dead.add(n)
            self.total -= self.lengths[n]
            for t in (
                set(terms(text))
                if text is not None
                else [t for t, (sl, _) in self.postings.items() if n in sl]
            ):
                if t in self.df:
                    self.df[t] -= 1
                    if not self.df[t]:
                        del self.df[t], self.postings[t]
            self._prefixes = None
            if len(self.ids) > 1000 and 2 * len(self.slot) < len(self.ids):
                self._compact()

    def _compact(self) -> None:
        """Drop dead slots: renumber the live ones and rewrite the arrays (under the lock)."""
        live = [n for n, i in enumerate(self.ids) if i is not None]
        new_of = {old: new for new, old in enumerate(live)}
        self.ids = [self.ids[n] for n in live]
        self.slot = {i: n for n, i in enumerate(self.ids) if i is not None}
        self.lengths = array("I", (self.lengths[n] for n in live))
        self._dead = set()
        for t, (slots, tfs) in list(self.postings.items()):
            keep = [(new_of[s], f) for s, f in zip(slots, tfs) if s in new_of]
            self.postings[t] = (array("I", (s for s, _ in keep)), array("H", (f for _, f in keep)))

    def idf(self, term: str) -> float:
        df = self.df.get(term, 0)
        return math.log(1 + (len(self.slot) - df + 0.5) / (df + 0.5))

    def knows(self, text: str) -> bool:
        """True when every content word of text occurs in the library (stopwords always do),
        allowing another ending ("Norwegian" for "Norway")."""
        if self._prefixes is None:
            self._prefixes = {t[:6] for t in self.df if len(t) >= 6}
        return all(t in self.df or (len(t) >= 7 and t[:6] in self._prefixes) for t in terms(text))

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        with self._lock:  # copies of what this query reads; the arrays may grow meanwhile
            wanted = [t for t in set(terms(query)) if t in self.df]
            got = [
                (self.idf(t), np.array(self.postings[t][0], dtype=np.int64), np.array(self.postings[t][1]))
                for t in wanted
            ]
            lengths = np.array(self.lengths, dtype=np.float64)
            ids, avg, dead = list(self.ids), self.avg, list(self._dead)
        scores = np.zeros(len(ids))
        for idf, slots, tfs in got:
            tf = tfs.astype(np.float64)
            norm = self.k1 * (1 - self.b + self.b * lengths[slots] / avg)
            scores[slots] += idf * tf * (self.k1 + 1) / (tf + norm)  # a term's slots are distinct
        scores[dead] = 0.0
        hit = np.flatnonzero(scores > 0)
        if len(hit) > k:
            hit = hit[np.argpartition(-scores[hit], k - 1)[:k]]
        order = hit[np.lexsort((hit, -scores[hit]))]  # best first; ties by slot, as before
        return [(i, float(scores[n])) for n in order if (i := ids[n]) is not None]
