from __future__ import annotations

from rag.load import load_path, make_document
from rag.passages import split_passages
from tests.conftest import SEED


def test_one_passage_per_paragraph_with_offsets():
    doc = load_path(SEED)
    ps = split_passages(doc)
    assert ps[0].paragraph == 0 and ps[0].text == doc.title
    assert len(ps) == doc.text.count("\n\n") + 1
    for p in ps:
        assert doc.text[p.start : p.end] == p.text
        assert p.doc_id == doc.doc_id


def test_ids_are_stable_and_distinct():
    doc = load_path(SEED)
    a, b = split_passages(doc), split_passages(load_path(SEED))
    assert [p.passage_id for p in a] == [p.passage_id for p in b]
    assert len({p.passage_id for p in a}) == len(a)


def test_long_paragraph_splits_at_sentences():
    sentence = "The alliance met again in Brussels to discuss the aid package for Kyiv. "
    doc = make_document("T", [sentence * 40], "long.txt")
    ps = split_passages(doc, max_chars=300)
    assert len(ps) > 1
    assert all(len(p.text) <= 300 for p in ps)
    assert all(p.text.endswith("Kyiv.") for p in ps[1:])
    assert all(doc.text[p.start : p.end] == p.text for p in ps)
    assert {p.paragraph for p in ps[1:]} == {1}
