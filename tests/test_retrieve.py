"""Hybrid retrieval over the real store: names are found (the naive pipeline ranks the
paragraph naming Andrew Michta last for "Who is Andrew Michta?")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from rag.config import Settings
from rag.pipeline import Pipeline
from rag.retrieve import HybridRetriever
from tests.conftest import SEED

ROOT = Path(__file__).resolve().parent.parent
COUNCIL = ROOT / "corpus" / "wikinews" / "2022-03-17-russia-expelled-from-council-of-europe.md"
FINLAND = ROOT / "corpus" / "wikinews" / "2023-04-04-finland-becomes-member-of-nato.md"

pytestmark = pytest.mark.slow


def test_name_question_ranks_the_naming_paragraph_first(seed_pipeline):
    hits = seed_pipeline.library.search("Who is Andrew Michta?", 3)
    assert "Andrew Michta" in hits[0].passage.text


def test_rare_word_is_found(seed_pipeline):
    hits = seed_pipeline.library.search("airspace", 3)
    assert "airspace" in hits[0].passage.text


def test_langchain_retriever_interface(seed_pipeline):
    docs = HybridRetriever(library=seed_pipeline.library, k=4).invoke("What does Ukraine need?")
    assert len(docs) == 4
    assert all(d.id and d.metadata["title"] and "score" in d.metadata for d in docs)


def test_the_same_words_in_two_articles_take_one_place(tmp_path):
    """A wire story printed by two outlets: its paragraph is one hit, and the next passage gets
    the other place among the k."""
    from rag.load import make_document

    pipe = Pipeline(Settings(store_dir=tmp_path / "s"))
    story = "The Eastport ferry strike ended on Tuesday after the union accepted a pay rise of four percent."
    docs = [
        make_document("Ferry strike ends", [story], "courier.md", source="Eastport Courier"),
        make_document("Strike over at the harbour", [story], "herald.md", source="Valmark Herald"),
        make_document("Union vote", ["The union's members voted on the pay offer on Monday."], "post.md"),
    ]
    assert all(r.ok for r in pipe.ingest_documents(docs))
    hits = pipe.library.search("When did the ferry strike end?", 3)
    texts = [h.passage.text for h in hits]
    assert texts.count(story) == 1 and len(set(texts)) == len(texts) == 3


def test_k_must_be_positive(seed_pipeline):
    with pytest.raises(ValueError, match="k must be > 0"):
        seed_pipeline.library.search("x", 0)


def test_speakers_index(seed_pipeline):
    speakers = {s.name: s for s in seed_pipeline.library.speakers()}
    assert {"Brett Bruen", "Justin Logan", "Andrew Michta", "Volodymyr Zelensky"} <= set(speakers)
    assert "Global Situation Room" in (speakers["Brett Bruen"].role or "")
    assert speakers["Brett Bruen"].statements == 7


def test_possessive_names_a_speaker(seed_pipeline):
    assert seed_pipeline.library.find_speakers("What is Bruen’s view?") == ["Brett Bruen"]
    assert seed_pipeline.library.find_speakers("What is Logan's view?") == ["Justin Logan"]


def test_roles_carry_the_dates_they_were_given(seed_pipeline):
    bruen = next(s for s in seed_pipeline.library.speakers() if s.name == "Brett Bruen")
    assert [(h.first, h.last) for h in bruen.roles] == [("2025-12-15", "2025-12-15")]
    assert bruen.role == bruen.roles[-1].role


def test_two_processes_on_one_server_see_each_others_ingests(chroma_url):
    """Two app processes share one `chroma run` server: each sees the other's ingest on its next
    question, the lexical signal included (nothing that answers lives only in one process)."""
    settings = Settings(chroma_url=f"{chroma_url}/two-{uuid.uuid4().hex[:10]}")
    env = {**os.environ, "RAG_CHROMA_URL": str(settings.chroma_url), "HF_HUB_OFFLINE": "1"}
    here = Pipeline(settings)
    here.ingest([SEED])
    assert here.library.search("Who is Andrew Michta?", 1)  # caches built before the other's ingest

    r = subprocess.run(
        [sys.executable, "-m", "rag", "ingest", str(COUNCIL)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert r.returncode == 0, r.stderr
    [(pid, _)] = here.library.view().lexical.search("Kuleba barbaric", 1)
    assert "barbaric war" in here.library.passages[pid].text  # BM25 alone finds the other's passage
    assert "barbaric war" in here.library.search("Kuleba barbaric", 1)[0].passage.text
    a = here.ask("What did Kuleba say?")
    assert any(c.speaker and "Kuleba" in c.speaker for c in a.citations)

    here.ingest([FINLAND])
    r = subprocess.run(
        [sys.executable, "-m", "rag", "ask", "--json", "What did Kaikkonen say?"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    a2 = json.loads(r.stdout)
    assert any("Kaikkonen" in (c["speaker"] or "") for c in a2["citations"]), a2["answer"]


class _Records:
    """A store stub, nearest first: each passage followed by the statements sharing its vector
    (`n_stmt` each for the `near` nearest passages, none for the rest)."""

    def __init__(self, n_pass: int, n_stmt: int, near: int) -> None:
        self.order = [
            i
            for p in range(n_pass)
            for i in [f"p{p}"] + [f"s{p}.{j}" for j in range(n_stmt if p < near else 0)]
        ]
        self.calls: list[tuple[int, bool]] = []

    def nearest(self, vec, k, where=None, count=None):  # type: ignore[no-untyped-def]
        self.calls.append((k, where is not None))
        ids = [i for i in self.order if where is None or i.startswith("p")]
        return [(i, 1.0 - n / 1000) for n, i in enumerate(ids[:k])]


def _view(n_pass: int, n_stmt: int, near: int):  # type: ignore[no-untyped-def]
    from types import SimpleNamespace

    store = _Records(n_pass, n_stmt, near)
    passages = {f"p{p}": object() for p in range(n_pass)}
    raw = {i: object() for i in store.order if i.startswith("s")}
    return SimpleNamespace(passages=passages, raw=raw, store=store)


def test_dense_asks_for_enough_records_that_statements_do_not_force_the_filtered_query():
    """The passages nearest a question are the quoted ones: two statements each where the
    library's average is one. Asking for twice the average (80 records for 20 passages) finds
    them all in one unfiltered query; 40 held 14 and needed the slower filtered one."""
    from rag.retrieve import _dense

    view = _view(200, 2, 100)
    got = _dense(view, [0.0], 20, None)  # type: ignore[arg-type]
    assert [i for i, _ in got] == [f"p{p}" for p in range(20)]
    assert view.store.calls == [(80, False)]


def test_dense_falls_back_to_the_filtered_query_when_statements_crowd_passages_out():
    """Five statements each for the 20 nearest passages, 0.5 on average: 60 records hold 10
    passages, and the filtered query supplies the 20."""
    from rag.retrieve import _dense

    view = _view(200, 5, 20)
    got = _dense(view, [0.0], 20, None)  # type: ignore[arg-type]
    assert [i for i, _ in got] == [f"p{p}" for p in range(20)]
    assert view.store.calls == [(60, False), (20, True)]
