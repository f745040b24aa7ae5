"""Statement extraction: the seed's gold list, plus a table of the tricky patterns."""

from __future__ import annotations

import json
import re

import pytest

from rag.load import load_path, make_document
from rag.statements import extract_statements
from tests.conftest import DATA, SEED


def _norm(s: str) -> list[str]:
    s = re.sub(r"[“”\"«»]", " ", s.replace("’", "'"))
    return re.sub(r"[^\w' ]", " ", s).lower().split()


def _overlap(gold: str, got: str) -> float:
    g = set(_norm(gold))
    return len(g & set(_norm(got))) / len(g) if g else 0.0


def test_every_seed_gold_statement_is_found_with_its_speaker():
    """The rule of shared/tools/score_quotes.py: >= 80% word overlap and the surname matches."""
    gold = [json.loads(line) for line in (DATA / "quotes_gold.jsonl").open(encoding="utf-8")]
    got = extract_statements(load_path(SEED))
    for g in gold:
        best = max(got, key=lambda s: _overlap(g["quote"], s.quote))
        assert _overlap(g["quote"], best.quote) >= 0.8, g["quote"]
        surnames = [n.split()[-1] for n in g["speaker"].split("; ")]
        assert all(n in best.speaker for n in surnames), (g, best)
        assert best.kind == g["kind"]


def test_offsets_point_into_the_clean_text():
    doc = load_path(SEED)
    for s in extract_statements(doc):
        assert doc.text[s.start : s.end] == s.quote


def test_headline_scare_quote_is_not_a_statement():
    stmts = extract_statements(load_path(SEED))
    assert not any("rock-solid promises" in s.quote for s in stmts)


def _doc(*paras: str):
    return make_document("Headline with a “scare quote” in it", list(paras), "t.txt")


CASES = [
    # (paragraphs, expected [(speaker, quote fragment, kind)])
    (
        ["“We will not give up,” said Jane Miller, a senator from Ohio.", "“Not now, not ever.”"],
        [("Jane Miller", "We will not give up", "direct"), ("Jane Miller", "Not now, not ever", "direct")],
    ),
    (
        [
            "Tom Baker, an analyst at the Atlantic Council, spoke on Monday.",
            "The sanctions will not work quickly, he said.",
        ],
        [("Tom Baker", "The sanctions will not work quickly", "indirect")],
    ),
    (
        ['"This is a historic day for the alliance," Jens Stoltenberg said.'],
        [("Jens Stoltenberg", "This is a historic day", "direct")],
    ),
    (
        ["According to Maria Lopez, the talks have stalled over territory."],
        [("Maria Lopez", "the talks have stalled over territory", "indirect")],
    ),
    (
        ["The deal is dead, according to Peter Hall, a former diplomat."],
        [("Peter Hall", "The deal is dead", "indirect")],
    ),
    (
        ["Aid must continue, explained Anna Berg and Carl Holm, two economists."],
        [("Anna Berg; Carl Holm", "Aid must continue", "indirect")],
    ),
    (
        ["Anna Berg leads the institute.", "Berg said that the ceasefire was fragile."],
        [("Anna Berg", "the ceasefire was fragile", "indirect")],
    ),
    (
        ["Critics called the plan a “rock-solid promise” that nobody believes."],
        [],
    ),
    (  # a possessor is not the speaker
        ["John Smith was charged.", "“We will appeal the verdict,” said Smith’s lawyer, Jane Doe."],
        [("Jane Doe", "We will appeal", "direct")],
    ),
    (  # "they" is a group, not the last single speaker
        [
            "“The water supply is safe,” Mayor John Smith said.",
            "Residents disagreed. “We have had no water for a week,” they said.",
        ],
        [("John Smith", "The water supply is safe", "direct")],
    ),
    (  # a quote paragraph attributed after the quote is not a continuation
        [
            "“The talks failed,” said Anna Berg.",
            "“Finland's membership is not targeted against anyone,” read a statement by President Sauli Niinistö.",
        ],
        [("Anna Berg", "The talks failed", "direct"), ("Sauli Niinistö", "not targeted", "direct")],
    ),
    (
        ["“He told me ‘never again’ and left,” said Omar Said, a witness."],
        [("Omar Said", "He told me ‘never again’ and left", "direct")],
    ),
]


@pytest.mark.parametrize(("paras", "expected"), CASES)
def test_patterns(paras: list[str], expected: list[tuple[str, str, str]]):
    got = extract_statements(_doc(*paras))
    assert [(s.speaker, s.kind) for s in got] == [(sp, k) for sp, _, k in expected]
    for s, (_, fragment, _) in zip(got, expected):
        assert fragment in s.quote


def test_role_from_appositive():
    got = extract_statements(_doc("“We will not give up,” said Jane Miller, a senator from Ohio."))
    assert got[0].role == "a senator from Ohio"


@pytest.mark.parametrize(
    ("para", "role"),
    [
        (
            "“We hold,” said Jane Miller, a visiting lecturer at King's College.",
            "a visiting lecturer at King's College",
        ),
        ("“We hold,” said Jane Miller, speaking to reporters on Monday.", None),  # a clause, not a role
        ("Kremlin Press Secretary Jane Miller said: “We hold.”", "Kremlin Press Secretary"),
        ("United States Jane Miller said: “We hold.”", None),  # a place is not a role
    ],
)
def test_roles_are_offices_not_clauses_or_places(para: str, role: str | None):
    got = extract_statements(_doc(para))
    assert got and got[0].speaker == "Jane Miller"
    assert got[0].role == role
