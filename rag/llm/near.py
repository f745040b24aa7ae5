"""A model's garbled quote put right: the span of a source closest to the words it wrote, and
whether taking that span instead would change what is said.

Scope: `near_miss` (the same words give or take a few, in any case or quote style, above a
SequenceMatcher ratio of NEAR_MISS; quotes of fewer than MIN_NEAR_WORDS words must match
exactly), `changes_meaning` (a correction may not change a negation, a number, a calendar word
or a name). Non-goals: placing quotes in sources and rebuilding the answer (check.py).
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from functools import lru_cache

from rag.lexicon import words as vocabulary
from rag.text import words
from rag.verify import trim_span

NEAR_MISS = 0.85  # SequenceMatcher ratio above which a quote is the source's words, garbled
MIN_NEAR_WORDS = 4  # shorter quotes must match exactly: fuzzy matching them finds anything
_FOLD = str.maketrans({**{c: '"' for c in "“”«»„‹›「」『』″"}, **{c: "'" for c in "’‘‚`"}})


@lru_cache(maxsize=4096)
def near_miss(quote: str, text: str) -> tuple[int, int] | None:
    """The span of text closest to quote (same words give or take a few, any case or quote
    style), if similar enough to be the same words garbled; None otherwise."""
    want = " ".join(quote.translate(_FOLD).lower().split())
    n = len(want.split())
    if n < MIN_NEAR_WORDS:
        return None
    toks = list(re.finditer(r"\S+", text))
    best, span = NEAR_MISS, None
    for i in range(len(toks)):
        for size in range(max(1, n - 3), n + 4):
            if i + size > len(toks):
                break
            a, b = toks[i].start(), toks[i + size - 1].end()
            cand = " ".join(text[a:b].translate(_FOLD).lower().split())
            sm = SequenceMatcher(None, want, cand, autojunk=False)
            if sm.real_quick_ratio() < best or sm.quick_ratio() < best:
                continue
            if (r := sm.ratio()) >= best:
                best, span = r, (a, b)
    return trim_span(text, *span) if span else None


def _facts(text: str) -> tuple[int, list[str], list[str], list[str]]:
    """What a correction must not change: negations (count), numbers, calendar words, names
    (capitalised words after the first)."""
    toks = words(text.translate(_FOLD))
    neg = sum(t in vocabulary("negations") or t.endswith("n't") for t in toks)
    nums = sorted(re.findall(r"\d+(?:[.,]\d+)*", text) + [t for t in toks if t in vocabulary("number_words")])
    cal = sorted(t for t in toks if t in vocabulary("calendar"))
    caps = sorted(w.strip(".,;:!?()'’\"“”") for w in text.split()[1:] if w[:1].isupper())
    return neg, nums, cal, caps


def changes_meaning(model: str, source: str) -> bool:
    """A fuzzy correction of `model` into `source` would change what is said."""
    return _facts(model) != _facts(source)
