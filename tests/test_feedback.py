"""Feedback JSONL and the Markdown export (pure functions, real files in tmp_path)."""

from __future__ import annotations

import json
import threading

from rag.feedback import conversation_markdown, export_markdown, feedback_path, record_feedback

CITE = {
    "n": 1,
    "quote": "Ukraine needs insurance for what Trump promises",
    "speaker": "Brett Bruen",
    "role": "an adviser",
    "doc_id": "d1",
    "title": "Ukraine *offer*",
    "published": "2025-12-15",
    "source": "Reuters",
    "passage_id": "p1",
    "paragraph": 10,
    "start": 0,
    "end": 47,
    "verified": True,
    "url": "https://example.org/a",
    "licence": None,
    "kind": "direct",
}
TURN = {
    "question": "What did Bruen say?",
    "answer": {"question": "What did Bruen say?", "answer": "“Ukraine needs insurance” [1]", "abstained": False,
               "citations": [CITE], "passages": []},
}  # fmt: skip
ABSTAIN = {
    "question": "What did <b>Merkel</b> say?",
    "answer": {
        "question": "x",
        "answer": "The articles don't mention Merkel.",
        "abstained": True,
        "citations": [],
    },
}


def test_feedback_lines_append_and_parse(tmp_path):
    record_feedback(tmp_path, TURN, True)
    record_feedback(tmp_path, ABSTAIN, "Dislike")
    threads = [threading.Thread(target=record_feedback, args=(tmp_path, TURN, False)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lines = [json.loads(x) for x in feedback_path(tmp_path).read_text().splitlines()]
    assert len(lines) == 10
    assert lines[0]["feedback"] == "like" and lines[0]["citations"][0]["speaker"] == "Brett Bruen"
    assert lines[1]["feedback"] == "dislike" and lines[1]["abstained"] is True
    assert all(x["feedback"] == "dislike" for x in lines[2:])


def test_markdown_export_keeps_citations_and_escapes_markup(tmp_path):
    md = conversation_markdown([TURN, ABSTAIN])
    assert "## 1. What did Bruen say?" in md and "“Ukraine needs insurance” [1]" in md
    assert "1. Brett Bruen: “Ukraine needs insurance for what Trump promises” — *Ukraine \\*offer\\**" in md
    assert "Reuters, December 15, 2025, paragraph 10, https://example.org/a" in md
    assert "## 2. What did \\<b\\>Merkel\\</b\\> say?" in md and "> The articles don't mention Merkel." in md
    path = export_markdown(tmp_path, [TURN])
    assert path.parent == tmp_path / "exports" and path.read_text() == conversation_markdown([TURN])


def test_export_shows_the_articles_words_as_the_articles_not_a_persons():
    reported = CITE | {"kind": "reported", "quote": "Bruen said Ukraine needs insurance"}
    unverified = CITE | {"n": 2, "verified": False, "quote": "invented words"}
    turn = {"question": "q", "answer": TURN["answer"] | {"citations": [reported, unverified]}}
    md = conversation_markdown([turn])
    assert "1. Reuters (reported speech): “Bruen said Ukraine needs insurance”" in md
    assert "Brett Bruen: “" not in md and "invented words" not in md
