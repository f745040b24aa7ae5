from __future__ import annotations

import pytest

from rag.types import Citation, Passage
from rag.verify import is_verbatim, locate, number, quotable_spans, trim_span

P = Passage("p1", "d1", "“It needs action,” he said. Then he left.", 0, 40, 3)


def _cite(quote: str, start: int, end: int, pid: str = "p1") -> Citation:
    return Citation(0, quote, None, None, "d1", "T", None, None, pid, 3, start, end, False)


def test_is_verbatim():
    assert is_verbatim(P, 1, 16, "It needs action")
    assert not is_verbatim(P, 1, 16, "It needs actions")
    assert not is_verbatim(P, 30, 99, P.text[30:])


@pytest.mark.parametrize(
    ("quote", "found"),
    [
        ("It needs action", "It needs action"),
        ('"It needs action,"', "“It needs action,”"),
        ("It  needs\naction", "It needs action"),
        ("It needs more action", None),
        ("", None),
    ],
)
def test_locate_ignores_only_quote_marks_and_spacing(quote, found):
    span = locate(quote, P.text)
    assert (P.text[span[0] : span[1]] if span else None) == found


def test_trim_span_drops_marks_and_trailing_comma():
    s, e = trim_span(P.text, 0, 18)
    assert P.text[s:e] == "It needs action"
    text = "“It’s an attempt to appear reasonable.”"
    s, e = trim_span(text, 0, len(text))
    assert text[s:e] == "It’s an attempt to appear reasonable."


def test_number_keeps_only_verified_distinct_citations():
    cites = [
        _cite("It needs action", 1, 16),
        _cite("It needs action", 1, 16),  # duplicate
        _cite("invented words", 1, 15),  # not in the passage
        _cite("Then he left.", 28, 41, pid="missing"),  # unknown passage
        _cite("Then he left.", 28, 41),
    ]
    out = number(cites, {"p1": P})
    assert [(c.n, c.quote, c.verified) for c in out] == [
        (1, "It needs action", True),
        (2, "Then he left.", True),
    ]


def test_quotable_spans_cover_sentences_trimmed_sentences_and_statements():
    text = "“We need more,” he said. The talks ended. Kyiv called it “a start”."
    spans = {text[a:b] for a, b in quotable_spans(text, [(0, 14)])}
    assert {"“We need more,” he said.", "The talks ended.", "Kyiv called it “a start”."} <= spans
    assert "We need more" in spans  # the statement, trimmed of its marks and comma
    assert all(s == s.strip() and s for s in spans)
