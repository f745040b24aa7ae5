"""The shipped sample library (corpus/): attribution checked against its speakers index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.load import load_path, make_document
from rag.statements import extract_statements, people_in

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
INDEX = [
    json.loads(line)
    for line in (Path(__file__).parent / "data" / "speakers_index.jsonl").open(encoding="utf-8")
]


@pytest.fixture(scope="module")
def library_statements():
    docs = {e["file"]: load_path(CORPUS / e["file"]) for e in INDEX}
    known: dict[str, str] = {}
    for d in docs.values():
        for full in people_in(d):
            known.setdefault(full.split()[-1], full)
    return {f: extract_statements(d, known) for f, d in docs.items()}


def test_library_ships_with_its_attribution():
    notice = (CORPUS / "NOTICE").read_text(encoding="utf-8")
    files = sorted(p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*.md"))
    assert len(files) == 34
    assert all(f in notice for f in files)
    assert "CC BY 2.5" in notice


def test_speakers_index_direct_speakers_are_found(library_statements):
    """Every person the index lists as quoted directly speaks at least one direct quote found."""
    found = total = 0
    for e in INDEX:
        direct = {n for s in library_statements[e["file"]] if s.kind == "direct" for n in s.speakers}
        for q in (q for q in e["quoted"] if q["direct"]):
            total += 1
            found += any(q["name"].split()[-1] in n for n in direct)
    print(f"speakers index: {found}/{total}")
    assert found / total >= 0.85  # measured 0.90 (see the closing note); the aim is 0.95


def test_transcript_turns_and_questions():
    doc = make_document(
        "Remarks by President Biden and Prime Minister Kishida",
        [
            "PRESIDENT BIDEN:  We stand with Ukraine for as long as it takes.",
            "That commitment will not waver, whatever happens next.",
            "Q    Mr. President, will you send more weapons soon?",
            "PRIME MINISTER KISHIDA:  (As interpreted.)  Japan will continue its support as well.",
            "THE PRESIDENT:  Thank you all very much for coming today.",
        ],
        "t.md",
    )
    got = [(s.speaker, s.role, s.quote) for s in extract_statements(doc, {"Biden": "Joe Biden"})]
    assert got == [
        ("Joe Biden", "President", "We stand with Ukraine for as long as it takes."),
        ("Joe Biden", "President", "That commitment will not waver, whatever happens next."),
        ("Kishida", "Prime Minister", "Japan will continue its support as well."),
        ("Joe Biden", "President", "Thank you all very much for coming today."),
    ]


@pytest.mark.slow
def test_library_dev_questions_end_to_end(tmp_path):
    """Our own questions over the shipped library (tests/data/library_dev_questions.jsonl),
    judged by the shared scorer (a training score: the router was developed on them). 36 of 36 pass
    (measured; the issue's bar is 34)."""
    import subprocess
    import sys

    from rag.config import Settings
    from rag.pipeline import Pipeline

    data = Path(__file__).parent / "data"
    qs = [json.loads(line) for line in (data / "library_dev_questions.jsonl").open(encoding="utf-8")]
    pipe = Pipeline(Settings(store_dir=tmp_path / "store"))
    assert all(r.ok for r in pipe.ingest([CORPUS]))
    out = tmp_path / "answers.jsonl"
    with out.open("w", encoding="utf-8") as f:
        for q in qs:
            f.write(
                json.dumps(pipe.ask(q["question"], q.get("history", [])).to_json(), ensure_ascii=False) + "\n"
            )
    r = subprocess.run(
        [
            sys.executable,
            str(Path(__file__).parent / "tools" / "score_answers.py"),
            str(data / "library_dev_questions.jsonl"),
            str(out),
            "35",
        ],
        capture_output=True,
        text=True,
    )
    print(r.stdout)
    assert r.returncode == 0, r.stdout
    # citation kinds (DESIGN §3), by the shared checker: no narration shown as someone's quotation
    k = subprocess.run(
        [sys.executable, str(Path(__file__).parent / "tools" / "check_kinds.py"), str(out)],
        capture_output=True,
        text=True,
    )
    assert k.returncode == 0, k.stdout
