"""The wide development set, end to end: 197 Wikinews articles of 2020-21 on every topic (not
the shipped library) and 70 questions phrased as people ask them, judged by the shared scorer,
and every citation's kind checked by the shared kind checker. The question reader and the
strategies were developed looking at these failures (general fixes only), so this is a
development score: the README reports it beside the training sets."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DATA

pytestmark = pytest.mark.slow
WIDE = DATA / "wikinews_2020_2021"
TOOLS = Path(__file__).parent / "tools"
FLOOR = 62  # measured 63/70 (README); the set was 37/70 before the question work, 53/70 a session ago


@pytest.fixture(scope="module")
def wide_answers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from rag.config import Settings
    from rag.pipeline import Pipeline

    tmp = tmp_path_factory.mktemp("wide")
    pipe = Pipeline(Settings(store_dir=tmp / "store"))
    results = pipe.ingest([WIDE / "articles"])
    assert sum(r.ok for r in results) == 197, [r.message for r in results if not r.ok]
    out = tmp / "answers.jsonl"
    with out.open("w", encoding="utf-8") as f:
        for line in (WIDE / "dev_questions.jsonl").open(encoding="utf-8"):
            q = json.loads(line)
            f.write(
                json.dumps(pipe.ask(q["question"], q.get("history", [])).to_json(), ensure_ascii=False) + "\n"
            )
    return out


def test_wide_questions_with_the_shared_scorer(wide_answers: Path):
    r = subprocess.run(
        [
            sys.executable,
            str(TOOLS / "score_answers.py"),
            str(WIDE / "dev_questions.jsonl"),
            str(wide_answers),
            str(FLOOR),
        ],
        capture_output=True,
        text=True,
    )
    print(r.stdout)
    assert r.returncode == 0, r.stdout[-3000:]


def test_wide_citation_kinds_hold(wide_answers: Path):
    r = subprocess.run(
        [sys.executable, str(TOOLS / "check_kinds.py"), str(wide_answers)], capture_output=True, text=True
    )
    assert r.returncode == 0, r.stdout
