"""verify.py: the only Citation factory. Quotes are checked against the store's copy of their
passage (content hash and exact slice), kinds against the stored text; a property test over the
shipped corpus: real spans verify, shifted, altered and cross-passage spans never do."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rag.passages import passage_id
from rag.types import Claim, Passage
from rag.verify import (
    StoredPassage,
    cite,
    inside_quotes,
    locate,
    passages_fetch,
    quotable_spans,
    trim_span,
)

TEXT = "“It needs action,” he said. Then he left."
P = Passage(passage_id("d1", 0, TEXT), "d1", TEXT, 0, len(TEXT), 3)
META = {P.passage_id: {"title": "T", "source": "Outlet", "published": "2024-06-04"}}
FETCH = passages_fetch({P.passage_id: P}, META)


def _claim(quote: str, start: int, end: int, kind: str = "direct", pid: str = P.passage_id) -> Claim:
    return Claim(pid, start, end, quote, kind, ("Brett Bruen",), "adviser")  # type: ignore[arg-type]


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


def test_cite_keeps_only_verified_distinct_citations():
    claims = [
        _claim("It needs action", 1, 16),
        _claim("It needs action", 1, 16),  # duplicate
        _claim("invented words", 1, 15),  # not the stored words
        _claim("Then he left.", 28, 41, pid="missing"),  # unknown passage
        _claim("Then he left.", 28, 41, kind="text"),
    ]
    out = cite(claims, FETCH)
    assert [(c.n, c.quote, c.verified, c.kind) for c in out.citations] == [
        (1, "It needs action", True, "direct"),
        (2, "Then he left.", True, "text"),
    ]
    assert out.withheld == 2
    first = out.citations[0]
    assert (first.speaker, first.role, first.title, first.source) == ("Brett Bruen", "adviser", "T", "Outlet")
    assert out.citations[1].speaker is None  # narration is nobody's quotation


def test_a_tampered_copy_is_withheld():
    """The answering code's copy differs from what the store holds: its quote is not shown."""
    tampered = Passage(P.passage_id, "d1", TEXT.replace("needs", "rejects"), 0, len(TEXT), 3)
    quote = tampered.text[1:18]
    assert cite([_claim(quote, 1, 18)], FETCH).citations == ()
    # and a store copy whose text no longer matches its content-hash id is not trusted either
    forged = {P.passage_id: StoredPassage(P.passage_id, "d1", 0, tampered.text, 3)}
    assert cite([_claim(quote, 1, 18)], lambda ids: forged).citations == ()


@pytest.mark.parametrize(
    ("kind", "span", "speakers", "expected"),
    [
        ("direct", "It needs action", ("Brett Bruen",), "direct"),
        ("direct", "Then he left.", ("Brett Bruen",), "reported"),  # not inside quotation marks
        ("direct", "Then he left.", (), "text"),
        ("reported", "Then he left.", ("Brett Bruen",), "reported"),
        ("transcript", "Then he left.", (), "text"),  # nobody's turn: the article's words
        ("headline", "Then he left.", (), "text"),  # paragraph 3 is not the headline
    ],
)
def test_kind_is_what_the_stored_text_supports(kind, span, speakers, expected):
    a = TEXT.index(span)
    (c,) = cite([Claim(P.passage_id, a, a + len(span), span, kind, speakers)], FETCH).citations
    assert c.kind == expected
    assert (c.speaker is None) == (expected in ("text", "headline"))


def test_inside_quotes_matches_the_shared_checker():
    text = 'He said “we will” and "maybe," then left. ‘Fine’ said she.'
    assert inside_quotes(text, text.index("we will"), text.index("we will") + 7)
    assert inside_quotes(text, text.index("maybe"), text.index("maybe") + 5)
    assert inside_quotes(text, text.index("Fine"), text.index("Fine") + 4)
    assert not inside_quotes(text, text.index("then"), text.index("then") + 4)


def test_quotable_spans_cover_sentences_trimmed_sentences_and_statements():
    text = "“We need more,” he said. The talks ended. Kyiv called it “a start”."
    spans = {text[a:b] for a, b in quotable_spans(text, [(0, 14)])}
    assert {"“We need more,” he said.", "The talks ended.", "Kyiv called it “a start”."} <= spans
    assert "We need more" in spans  # the statement, trimmed of its marks and comma
    assert all(s == s.strip() and s for s in spans)


# ---- property: random spans over the shipped corpus -----------------------------------------
def _corpus() -> dict[str, Passage]:
    from rag.load import load_path
    from rag.passages import split_passages

    root = Path(__file__).resolve().parent.parent / "corpus"
    out: dict[str, Passage] = {}
    for f in sorted(root.rglob("*")):
        if f.suffix in (".txt", ".md"):
            out.update({p.passage_id: p for p in split_passages(load_path(f)) if len(p.text) > 20})
    return out


CORPUS = _corpus()
IDS = sorted(CORPUS)
CFETCH = passages_fetch(CORPUS, {})


def _span(data: st.DataObject) -> tuple[Passage, int, int]:
    p = CORPUS[data.draw(st.sampled_from(IDS))]
    a = data.draw(st.integers(0, len(p.text) - 2))
    b = data.draw(st.integers(a + 1, min(len(p.text), a + 300)))
    return p, a, b


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_real_spans_of_the_corpus_verify(data):
    p, a, b = _span(data)
    (c,) = cite([Claim(p.passage_id, a, b, p.text[a:b], "text")], CFETCH).citations
    assert c.verified and CORPUS[c.passage_id].text[c.start : c.end] == c.quote


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_shifted_altered_or_cross_passage_spans_never_verify(data):
    p, a, b = _span(data)
    quote = p.text[a:b]
    how = data.draw(st.sampled_from(["shift", "alter", "other"]))
    if how == "shift":
        d = data.draw(st.sampled_from([-2, -1, 1, 2]))
        a2, b2 = a + d, b + d
        if a2 < 0 or b2 > len(p.text) or p.text[a2:b2] == quote:
            return  # the shifted slice happens to hold the same characters: not a lie
        claim = Claim(p.passage_id, a2, b2, quote, "text")
    elif how == "alter":
        i = data.draw(st.integers(0, len(quote) - 1))
        new = "Z" if quote[i] != "Z" else "Q"
        claim = Claim(p.passage_id, a, b, quote[:i] + new + quote[i + 1 :], "text")
    else:  # the same words claimed from another passage, at the same offsets
        other = CORPUS[data.draw(st.sampled_from(IDS))]
        if other.text[a:b] == quote:
            return
        claim = Claim(other.passage_id, a, b, quote, "text")
    assert cite([claim], CFETCH).citations == ()


# ---- the whole pipeline: the composer's copy tampered, the store's intact ---------------------
@pytest.mark.slow
def test_a_tampered_library_copy_is_withheld_end_to_end(tmp_path):
    """Every quote the composer proposes is re-read from Chroma: when the in-memory copy of a
    passage is changed (same id), citations from it are withheld and the answer never shows the
    altered words."""
    from dataclasses import replace

    from rag.config import Settings
    from rag.pipeline import Pipeline
    from tests.conftest import SEED

    pipe = Pipeline(Settings(store_dir=tmp_path / "store"))
    assert all(r.ok for r in pipe.ingest([SEED]))
    q = "What did Bruen say Ukraine needs?"
    honest = pipe.ask(q)
    assert honest.citations and all(c.verified for c in honest.citations)
    lib = pipe.library
    for c in honest.citations:  # a copy that says the opposite, under the same ids
        p = lib.passages[c.passage_id]
        lib.passages[c.passage_id] = replace(p, text=p.text.replace("needs", "rejects"))
    a = pipe.ask(q)
    assert "rejects" not in a.answer and all("rejects" not in c.quote for c in a.citations)
    assert a.timings_ms.get("citations_withheld", 0) >= 1  # the altered spans were proposed, and refused
    texts = {r.passage.passage_id: r.passage.text for r in a.passages}
    assert all(texts[c.passage_id][c.start : c.end] == c.quote for c in a.citations)
