"""Quote verification: the only place a Citation is made, checked against what the store holds.

Scope: `cite` turns the Claims an answer wants to show into numbered Citations, each checked
independently of the code that chose it: the passage is re-read from the store by id (never the
answering code's copy), its content hash must match its id, the quote must be the stored
text's exact slice `[start:end]` (the DESIGN §3 invariant), and its kind must hold in the stored
text (a `direct` quote lies inside quotation marks, a `headline` is paragraph 0). A claim that
fails is withheld; a `direct` claim outside quotation marks is cited as the article's words.
Also: locating a near-verbatim quote (curly vs straight marks, whitespace), the quotable spans
of a passage, and the no-answer sentinel. Non-goals: choosing quotes (rag/compose.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rag.passages import passage_id
from rag.text import sentence_spans
from rag.types import Citation, CitationKind, Claim, Passage

CANNOT_ANSWER = "The articles don't say."

_FOLD = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "„": '"', "«": '"', "»": '"'})
_OPEN = "“«„"


@dataclass(frozen=True)
class StoredPassage:
    """A passage as the store holds it, with its document's metadata."""

    passage_id: str
    doc_id: str
    start: int  # offset into the document's text (part of the content hash)
    text: str
    paragraph: int
    meta: Mapping[str, Any] = field(default_factory=dict)

    def content_ok(self) -> bool:
        """The text is the one the id was made from (ids are content hashes)."""
        return passage_id(self.doc_id, self.start, self.text) == self.passage_id

    def as_passage(self) -> Passage:
        return Passage(
            self.passage_id, self.doc_id, self.text, self.start, self.start + len(self.text), self.paragraph
        )


Fetch = Callable[[Sequence[str]], Mapping[str, StoredPassage]]


def is_verbatim(passage: Passage, start: int, end: int, quote: str) -> bool:
    return 0 <= start < end <= len(passage.text) and passage.text[start:end] == quote


def inside_quotes(text: str, start: int, end: int) -> bool:
    """text[start:end] lies inside quotation marks: an unclosed curly or guillemet mark before
    it, an odd number of straight marks before it, or a mark right at its edge. The same rule
    as the shared kind checker (`check_kinds.py`)."""
    before = text[:start]
    curly = before.count("“") + before.count("«") - before.count("”") - before.count("»")
    straight = before.count('"') % 2 == 1
    single = start > 0 and text[start - 1] in "‘'" and (start < 2 or not text[start - 2].isalnum())
    edge = (start > 0 and text[start - 1] in _OPEN + '"') or (text[start : start + 1] in _OPEN + '"')
    return curly > 0 or straight or single or edge


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
    while start < end and text[start] in ' “"‘«':
        start += 1
    while end > start and text[end - 1] in ' ”"’»,;:':
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


def _kind(claim: Claim, stored: StoredPassage) -> CitationKind | None:
    """The kind the stored text supports for this claim (None: withhold it)."""
    span = stored.text[claim.start : claim.end]
    if claim.kind == "direct" and (
        not inside_quotes(stored.text, claim.start, claim.end)
        or any(m in span for m in "”»")
        or span.count('"') % 2
    ):  # it starts inside quotation marks and does not run out of them into narration
        return "reported" if claim.speakers else "text"
    if claim.kind == "headline" and stored.paragraph != 0:
        return "text"
    if claim.kind in ("direct", "transcript", "reported") and not claim.speakers:
        return "text"  # words nobody is named for are the article's
    return claim.kind


@dataclass(frozen=True)
class Verified:
    citations: tuple[Citation, ...]
    passages: Mapping[str, StoredPassage]  # every passage fetched, as stored
    withheld: int  # claims that failed the check


def cite(claims: Sequence[Claim], fetch: Fetch) -> Verified:
    """Check each claim against the store's copy of its passage; number the ones that hold
    (distinct spans, in order) as verified Citations."""
    stored = fetch(list(dict.fromkeys(c.passage_id for c in claims))) if claims else {}
    out: list[Citation] = []
    seen: set[tuple[str, int, int]] = set()
    withheld = 0
    for c in claims:
        p = stored.get(c.passage_id)
        key = (c.passage_id, c.start, c.end)
        if key in seen:
            continue
        if p is None or not p.content_ok() or not 0 <= c.start < c.end <= len(p.text):
            withheld += 1
            continue
        kind = _kind(c, p)
        if kind is None or p.text[c.start : c.end] != c.quote:
            withheld += 1
            continue
        seen.add(key)
        m = p.meta
        speaker = "; ".join(c.speakers) if kind != "text" and kind != "headline" else None
        out.append(
            Citation(
                n=len(out) + 1,
                quote=c.quote,
                speaker=speaker or None,
                role=c.role if speaker else None,
                doc_id=p.doc_id,
                title=str(m.get("title", "")),
                published=m.get("published"),
                source=m.get("source"),
                passage_id=p.passage_id,
                paragraph=p.paragraph,
                start=c.start,
                end=c.end,
                verified=True,
                url=m.get("url"),
                licence=m.get("licence"),
                kind=kind,
            )
        )
    return Verified(tuple(out), stored, withheld)


def passages_fetch(passages: Mapping[str, Passage], meta: Mapping[str, Mapping[str, Any]]) -> Fetch:
    """A Fetch over passages held in memory (pure tests; the app fetches from the store)."""

    def fetch(ids: Sequence[str]) -> dict[str, StoredPassage]:
        return {
            i: StoredPassage(i, p.doc_id, p.start, p.text, p.paragraph, meta.get(i, {}))
            for i in ids
            if (p := passages.get(i)) is not None
        }

    return fetch
