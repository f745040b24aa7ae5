"""Quotation-mark spans in a document's paragraphs (pure text rules, no model).

Scope: double quotes curly (“…”), straight ("…"), guillemets («…», »…«) and low-high („…“);
single quotes (‘…’, '…') where they are unambiguous — outside double marks, pairing up at word
edges, two words or more (not apostrophes: "Norway's", "the players' union", "the '90s").
A mark left open ends at its paragraph (it never swallows the rest of an article), and such a
quote continues into the next paragraph when that one opens with a mark (the news convention
for a quote running over paragraphs). Nested quotes stay inside their outer quote.
Non-goals: who said it (statements.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.passages import paragraph_spans

_PAIRS = {"“": "”", "«": "»", "„": "“”", "»": "«"}  # opening mark -> the marks that close it
_SINGLE_OPEN = re.compile(r"(?:(?<=^)|(?<=[\s(\[—–-]))[‘'](?=\w)")


@dataclass(frozen=True)
class Quote:
    start: int  # offset of the first word inside the marks (into the document text)
    end: int  # offset just after the last word inside the marks
    open_at: int  # offset of the opening mark
    close_at: int | None  # offset of the closing mark; None: open to the paragraph's end
    paragraph: int
    continues: bool = False  # the quote carries on from the previous paragraph's open quote

    @property
    def outer(self) -> tuple[int, int]:
        """The span with its marks."""
        return self.open_at, (self.close_at + 1 if self.close_at is not None else self.end)


def _inner(text: str, a: int, b: int) -> tuple[int, int]:
    """Trim spaces (and a trailing comma) inside the marks."""
    while a < b and text[a].isspace():
        a += 1
    while b > a and (text[b - 1].isspace() or text[b - 1] == ","):
        b -= 1
    return a, b


def _double(text: str, ps: int, pe: int) -> list[tuple[int, int | None]]:
    """(opening mark offset, closing mark offset or None) for double marks in text[ps:pe]."""
    out: list[tuple[int, int | None]] = []
    i = ps
    while i < pe:
        ch = text[i]
        if ch == '"':
            j = text.find('"', i + 1, pe)
            out.append((i, j if j >= 0 else None))
            i = (j if j >= 0 else pe) + 1
            continue
        if ch in _PAIRS and not (ch == "»" and text.rfind("«", ps, i) > text.rfind("»", ps, i)):
            closes = _PAIRS[ch]
            js = [k for c in closes if (k := text.find(c, i + 1, pe)) >= 0]
            j = min(js) if js else -1
            out.append((i, j if j >= 0 else None))
            i = (j if j >= 0 else pe) + 1
            continue
        i += 1
    return out


def _single(text: str, ps: int, pe: int) -> list[tuple[int, int | None]]:
    """Single-mark quotations: an opening mark at a word start, closed by the same style's mark
    at a word end that is followed by a space, punctuation or the paragraph's end."""
    out: list[tuple[int, int | None]] = []
    pos = ps
    while (m := _SINGLE_OPEN.search(text, pos, pe)) is not None:
        close = "’" if text[m.start()] == "‘" else "'"
        close_re = re.compile(rf"(?<=[\w.,!?…]){re.escape(close)}(?=[\s.,;:!?)\]—–-]|$)")
        c = close_re.search(text, m.end(), pe)
        if c is None:
            break
        if len(text[m.end() : c.start()].split()) >= 2:  # "the 'yes' camp" is a term, not a quote
            out.append((m.start(), c.start()))
        pos = c.end()
    return out


def quote_spans(text: str) -> list[Quote]:
    """Every quotation in the document, in order, with paragraph numbers."""
    paras = paragraph_spans(text)
    out: list[Quote] = []
    open_before = False  # the previous paragraph ended inside an open quote
    for no, (ps, pe) in enumerate(paras):
        doubles = _double(text, ps, pe)
        # single marks too, outside double ones ("said it had seen 'no change at all' yet")
        inside = [(a, b if b is not None else pe) for a, b in doubles]
        singles = [m for m in _single(text, ps, pe) if not any(a <= m[0] <= b for a, b in inside)]
        marks = sorted(doubles + singles)
        first = True
        for a, b in marks:
            s, e = _inner(text, a + 1, b if b is not None else pe)
            starts_para = text[ps:a].strip() == ""
            if e > s:
                out.append(Quote(s, e, a, b, no, continues=first and starts_para and open_before))
            first = False
        open_before = bool(marks) and marks[-1][1] is None
    return out
