"""Feedback JSONL and the Markdown export (pure functions, real files in tmp_path), never written
outside the data folder whatever the names, questions or links."""

from __future__ import annotations

import json
import threading

import pytest

from rag.feedback import conversation_markdown, data_path, export_markdown, feedback_path, record_feedback

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


@pytest.mark.parametrize(
    "name", ["../../x", "../x.md", "/etc/passwd", "/tmp/x", "a\x00b", "..", ".", "", "x/../../y", "..\\..\\z"]
)
def test_data_paths_take_plain_names_only(tmp_path, name):
    data = tmp_path / "data"
    with pytest.raises(
        ValueError, match="is not a plain file name; app data is only written inside RAG_DATA_DIR"
    ):
        data_path(data, "exports", name)
    assert not data.exists()


def test_hostile_questions_stay_text_inside_the_data_dir(tmp_path):
    data = tmp_path / "data"
    hostile = {
        **TURN,
        "question": "../../../outside\x00/etc/passwd <b>",
        "answer": {**TURN["answer"], "answer": "../x"},
    }
    record_feedback(data, hostile, True)
    path = export_markdown(data, [hostile])
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert written == ["data/exports/" + path.name, "data/feedback.jsonl"]
    line = json.loads(feedback_path(data).read_text())
    assert line["question"] == hostile["question"]


@pytest.mark.parametrize("link", ["feedback.jsonl", "exports"])
def test_a_link_out_of_the_data_dir_is_refused(tmp_path, link):
    data, outside = tmp_path / "data", tmp_path / "outside"
    data.mkdir()
    outside.mkdir()
    (data / link).symlink_to(outside / link)
    if link == "exports":
        (outside / link).mkdir()
    with pytest.raises(ValueError, match=r"outside RAG_DATA_DIR .*remove that link"):
        record_feedback(data, TURN, True) if link == "feedback.jsonl" else export_markdown(data, [TURN])
    assert not any(p.is_file() for p in outside.rglob("*"))


def test_a_data_dir_that_is_itself_a_link_is_fine(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "data").symlink_to(real)
    record_feedback(tmp_path / "data", TURN, True)
    assert (real / "feedback.jsonl").exists()
