from __future__ import annotations

import pytest

from rag.question import names_in, read_question, resolve_followup

KNOWN = ["Brett Bruen", "Justin Logan", "Andrew Michta", "Volodymyr Zelensky"]


def find(text: str) -> list[str]:
    hits = []
    for name in KNOWN:
        for part in (name, name.split()[-1]):
            if (i := text.find(part)) >= 0:
                hits.append((i, name))
                break
    return [n for _, n in sorted(hits)]


@pytest.mark.parametrize(
    ("question", "kind", "speaker"),
    [
        ("What did Bruen say Ukraine needs?", "speaker", "Brett Bruen"),
        ("Why might Zelensky have made the concession, according to Bruen?", "speaker", "Brett Bruen"),
        ("What did Michta say?", "speaker", "Andrew Michta"),
        ("Who is Brett Bruen?", "who_is", "Brett Bruen"),
        ("Who said the concession was substantial?", "who_said", None),
        ("When was the article published?", "published", None),
        ("What is Zelensky willing to give up?", "general", None),
        ("Which think tank does Justin Logan work for?", "who_is", "Justin Logan"),
        ("What does Andrew Michta do?", "who_is", "Andrew Michta"),
        # "What did X do?" only when X is a name, not a clause
        ("What did the ICJ order Russia to do?", "general", None),
        ("What did Prigozhin's Wagner Group do in June?", "general", None),
    ],
)
def test_question_kinds(question, kind, speaker):
    intent = read_question(question, [], find)
    assert intent.kind == kind
    assert intent.speaker == speaker


def test_topic_drops_speaker_and_saying_verb():
    intent = read_question("What did Justin Logan say about the offer?", [], find)
    assert "Logan" not in intent.topic and "say" not in intent.topic and "offer" in intent.topic


@pytest.mark.parametrize(
    ("question", "history", "expected"),
    [
        (
            "And who does he work for?",
            [
                {"role": "user", "content": "What did Justin Logan say?"},
                {
                    "role": "assistant",
                    "content": "Justin Logan said: “That doesn’t change the matter at all.” [1]",
                },
            ],
            "And who does Justin Logan work for?",
        ),
        (
            "And Michta?",
            [{"role": "user", "content": "What did Logan say about NATO?"}],
            "What did Andrew Michta say about NATO?",
        ),
        ("Why?", [{"role": "user", "content": "What did Bruen suggest?"}], "What did Bruen suggest? Why?"),
        ("What did Bruen say?", [{"role": "user", "content": "What did Logan say?"}], "What did Bruen say?"),
        ("What did he say?", [], "What did he say?"),
    ],
)
def test_followups(question, history, expected):
    assert resolve_followup(question, history, find) == expected


def test_names_in_skips_question_words():
    assert names_in("How many troops does NATO have in Poland?") == ["NATO", "Poland"]
    assert names_in("What did Olaf Scholz say?") == ["Olaf Scholz"]
    assert names_in("Who is Brett Bruen?") == ["Brett Bruen"]


def test_comparing_two_named_speakers_is_a_perspectives_question():
    intent = read_question("Do Logan and Bruen see the offer the same way?", [], find)
    assert intent.kind == "perspectives"
    assert set(intent.speakers) == {"Justin Logan", "Brett Bruen"}


@pytest.mark.parametrize(
    ("question", "since", "until"),
    [
        ("What did Zelensky say in 2022?", "2022", "2022"),
        ("What happened before the invasion?", None, "2022-02-23"),
        ("What changed after the invasion?", "2022-02-24", None),
        ("What has NATO done since 2023?", "2023", None),
        ("What did Bruen say?", None, None),
    ],
)
def test_dates_in_questions_narrow_the_scope(question, since, until):
    from rag.compose import time_scope

    scope = time_scope(question, None)
    assert (scope.since if scope else None, scope.until if scope else None) == (since, until)


def test_explicit_dates_win_over_question_words():
    from rag.compose import time_scope
    from rag.types import Scope

    assert time_scope("What was said in 2022?", Scope(since="2024-01-01")) == Scope(since="2024-01-01")
