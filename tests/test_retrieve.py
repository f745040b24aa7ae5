"""Hybrid retrieval over the real store: names are found (the naive pipeline ranks the
paragraph naming Andrew Michta last for "Who is Andrew Michta?")."""

from __future__ import annotations

import pytest

from rag.retrieve import HybridRetriever

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
