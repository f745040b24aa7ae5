"""Small text helpers shared by the stages: sentence spans, word tokens, stopwords.

Scope: English news prose, rule-based, no models. Non-goals: full NLP (no tagger or parser
is available offline here); callers treat the output as heuristic.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from rag.lexicon import words as vocabulary

OPEN_QUOTES = '“"‘«'
CLOSE_QUOTES = '”"’»'


# A sentence ends at . ! ? (optionally followed by closing quotes/brackets) before whitespace
# and an upper-case letter, digit or opening quote.
_END = re.compile(r"[.!?…]+[”\"’)\]]*(?=\s+[“\"‘(\[A-Z0-9])")

STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself
    yourselves may might must shall also said say says tell told think thinks according
    article articles""".split()
)

_WORD = re.compile(r"[^\W_][\w'’\-]*")


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence [start, end) spans inside text[start:end], whitespace trimmed."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    pos = start
    for m in _END.finditer(text, start, end):
        word = re.search(r"([A-Za-z.]+)[.]$", text[max(start, m.start() - 12) : m.start() + 1])
        if m.group(0) == "." and word and word.group(1).lower().rstrip(".") in vocabulary("abbreviations"):
            continue
        if m.group(0) == "." and re.search(r"\b[A-Z]\.$", text[m.start() - 2 : m.end()]):
            continue  # an initial: "Anna K. Berg"
        spans.append((pos, m.end()))
        pos = m.end()
    spans.append((pos, end))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def outside_spans(text: str, s: int, e: int, spans: list[tuple[int, int]]) -> str:
    """text[s:e] with the given spans (quotations, say) blanked out, offsets kept."""
    chars = list(text[s:e])
    for a, b in spans:
        for i in range(max(a, s), min(b, e)):
            chars[i - s] = " "
    return "".join(chars)


def words(text: str) -> list[str]:
    """Lower-cased word tokens with possessives and quote marks folded."""
    out = []
    for w in _WORD.findall(text.replace("’", "'").lower()):
        if "'" in w or "-" in w:  # the few that need folding ("Ortiz's", "ex-")
            w = (w[:-2] if w.endswith("'s") else w).strip("'-")
            if not w:
                continue
        out.append(w)
    return out


def content_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in STOPWORDS]


@lru_cache(maxsize=1 << 18)  # a library's vocabulary: indexing 100k passages stems each word once
def stem(word: str) -> str:
    """The Snowball (Porter 2) English stem, so 'concession' meets 'concessions', 'needs' meets
    'need' and 'contribute' meets 'contribution'."""
    return _english_stemmer().stemWord(word)


@lru_cache(maxsize=1)
def _english_stemmer() -> Any:
    import snowballstemmer

    return snowballstemmer.stemmer("english")


def norm_quotes(text: str) -> str:
    """Fold curly quotes to straight ones and collapse whitespace (for verification)."""
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(text.split())
