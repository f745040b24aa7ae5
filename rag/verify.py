"""Quote verification, citation numbering and the no-answer sentinel.

Scope: a quote is shown only when it is a verbatim slice of its passage (the DESIGN §3
invariant `passages[id].text[start:end] == quote`); locating a near-verbatim quote (curly vs
straight marks, whitespace) in a passage; the abstention text. Non-goals: choosing quotes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from rag.text import sentence_spans
from rag.types import Citation, Passage

CANNOT_ANSWER = "The articles don't say."

_FOLD = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "„": '"', "«": '"', "»": '"'})


def is_verbatim(passage: Passage, start: int, end: int, quote: str) -> bool:
    return 0 <= start < end <= len(passage.text) and passage.text[start:end] == quote


def locate(quote: str, text: str) -> tuple[int, int] | None:
    """Where quote occurs in text, ignoring only quote-mark style and whitespace runs."""
    quote = quote.strip()
    if not quote:
        return None
    if (i := text.find(quote)) >= 0:
        return i, i + len(quote)
    pattern = r"\s+".join(re.escape(w.translate(_FOLD)) for w in quote.split())
    m = re.search(pattern, text.translate(_FOLD))
    return (m.start(), m.end()) if m else None  # translate() keeps offsets: 1 char -> 1 char


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop enclosing quotation marks, a trailing comma and surrounding spaces from a span."""
    while start < end and text[start] in ' “"‘':
        start += 1
    while end > start and text[end - 1] in ' ”"’,;:':
        if text[end - 1] == "’" and end - 2 >= start and text[end - 2].isalpha():
            break  # an apostrophe ending a word, not a closing mark
        end -= 1
    return start, end


def quotable_spans(text: str, statements: Iterable[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """The spans of a passage the extractive composer may quote: each sentence as split and
    as trimmed of quotation marks, and each statement (passage offsets), trimmed. Ingest
    embeds them once, so an answer needs no model call but the question's (compose.py)."""
    out: dict[tuple[int, int], None] = {}
    for a, b in sentence_spans(text):
        out[(a, b)] = out[trim_span(text, a, b)] = None
    for a, b in statements:
        out[trim_span(text, a, b)] = None
    return [(a, b) for a, b in out if b > a]


def number(citations: Iterable[Citation], passages: dict[str, Passage]) -> list[Citation]:
    """Keep verified, distinct citations and number them 1..n in order."""
    out: list[Citation] = []
    seen: set[tuple[str, int, int]] = set()
    for c in citations:
        p = passages.get(c.passage_id)
        key = (c.passage_id, c.start, c.end)
        if p is None or key in seen or not is_verbatim(p, c.start, c.end, c.quote):
            continue
        seen.add(key)
        out.append(replace(c, n=len(out) + 1, verified=True))
    return out
