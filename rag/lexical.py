"""A BM25 inverted index over passage texts, so names and rare words are found.

Scope: build from (id, text) pairs, score a query, report which query words the library
never mentions. Non-goals: persistence — the index is derived from the store's records
(the store stays the single source of truth, so several app processes sharing one Chroma
server agree); retrieve.py rebuilds it when the store's record count changes.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

from rag.text import STOPWORDS, stem, words


def terms(text: str) -> list[str]:
    return [stem(w) for w in words(text) if w not in STOPWORDS]


class BM25:
    def __init__(self, docs: list[tuple[str, str]], k1: float = 1.2, b: float = 0.75):
        self.ids = [i for i, _ in docs]
        self.k1, self.b = k1, b
        self.postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self.lengths: list[int] = []
        for n, (_, text) in enumerate(docs):
            toks = terms(text)
            self.lengths.append(len(toks))
            for t, tf in Counter(toks).items():
                self.postings[t].append((n, tf))
        self.avg = (sum(self.lengths) / len(self.lengths)) if self.lengths else 1.0

    def __len__(self) -> int:
        return len(self.ids)

    def idf(self, term: str) -> float:
        df = len(self.postings.get(term, ()))
        return math.log(1 + (len(self.ids) - df + 0.5) / (df + 0.5))

    def knows(self, text: str) -> bool:
        """True when every content word of text occurs in the library (stopwords always do),
        allowing another ending ("Californian" for "California")."""
        if not hasattr(self, "_prefixes"):
            self._prefixes = {t[:6] for t in self.postings if len(t) >= 6}
        return all(t in self.postings or (len(t) >= 7 and t[:6] in self._prefixes) for t in terms(text))

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        scores: dict[int, float] = defaultdict(float)
        for t in set(terms(query)):
            idf = self.idf(t)
            for n, tf in self.postings.get(t, ()):
                norm = self.k1 * (1 - self.b + self.b * self.lengths[n] / self.avg)
                scores[n] += idf * tf * (self.k1 + 1) / (tf + norm)
        best = sorted(scores.items(), key=lambda x: -x[1])[:k]
        return [(self.ids[n], s) for n, s in best]
