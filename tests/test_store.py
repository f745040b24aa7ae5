"""The real Chroma store (embedded) with the real embedding model."""

from __future__ import annotations

import pytest

from rag.config import Settings
from rag.embed import MINILM_SHA256, check_model_dir, packaged_model_dir, sha256_file
from rag.load import load_bytes, load_path
from rag.pipeline import Pipeline
from rag.store import collection_name
from tests.conftest import SEED

pytestmark = pytest.mark.slow


def test_packaged_model_is_the_official_file():
    assert sha256_file(packaged_model_dir() / "model.safetensors") == MINILM_SHA256


def test_altered_model_is_refused(tmp_path):
    (tmp_path / "model.safetensors").write_bytes(b"not the weights")
    with pytest.raises(RuntimeError, match="sha256"):
        check_model_dir(tmp_path)


def test_collection_name_follows_chunking(tmp_path):
    a = collection_name(Settings(store_dir=tmp_path))
    b = collection_name(Settings(store_dir=tmp_path, max_passage_chars=500))
    assert a != b and "minilm" in a


def test_second_ingest_changes_nothing(seed_pipeline):
    before = seed_pipeline.stats()
    assert before["documents"] == 1 and before["passages"] >= 10 and before["statements"] >= 13
    [again] = seed_pipeline.ingest([SEED])
    assert again.ok and "unchanged" in again.message
    assert seed_pipeline.stats() == before


def test_edited_article_replaces_the_old_version(tmp_path):
    pipe = Pipeline(Settings(store_dir=tmp_path / "s"))
    pipe.ingest([SEED])
    first = pipe.stats()
    edited = load_bytes(SEED.read_bytes().replace(b"Berlin on Sunday", b"Berlin on Monday"), SEED.name)
    r = pipe.ingest_document(edited)
    assert "replaced" in r.message
    assert pipe.stats() == first  # same counts: nothing orphaned, nothing doubled
    texts = [rec.text for rec in pipe.store.records("passage")]
    assert any("Berlin on Monday" in t for t in texts) and not any("Berlin on Sunday" in t for t in texts)


def test_store_persists_across_processes(tmp_path):
    settings = Settings(store_dir=tmp_path / "s")
    Pipeline(settings).ingest([SEED])
    assert Pipeline(settings).stats()["documents"] == 1


def test_one_bad_file_does_not_stop_the_ingest(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (tmp_path / "good.txt").write_bytes(SEED.read_bytes())
    pipe = Pipeline(Settings(store_dir=tmp_path / "s"))
    results = {r.path.split("/")[-1]: r for r in pipe.ingest([tmp_path])}
    assert results["good.txt"].ok
    assert not results["empty.txt"].ok and "empty" in results["empty.txt"].message
    assert not results["image.txt"].ok and "binary" in results["image.txt"].message
    assert pipe.stats()["documents"] == 1


def test_records_keep_document_metadata(seed_pipeline):
    doc = load_path(SEED)
    rec = seed_pipeline.store.records("passage")[0]
    assert rec.meta["doc_id"] == doc.doc_id and rec.meta["published"] == "2025-12-15"
    stmts = seed_pipeline.store.records("statement")
    assert any(r.meta["speaker"] == "Brett Bruen" and r.meta["skind"] == "direct" for r in stmts)


def test_delete_document_removes_only_that_article(tmp_path):
    pipe = Pipeline(Settings(store_dir=tmp_path / "s"))
    other = load_bytes(b"Other news\n\nThe mayor said the bridge will open in May.", "other.md")
    pipe.ingest([SEED])
    pipe.ingest_document(other)
    seed_id = load_path(SEED).doc_id
    assert pipe.stats()["documents"] == 2
    removed = pipe.store.delete_document(seed_id)
    assert removed > 10
    assert pipe.stats()["documents"] == 1 and not pipe.store.has_doc(seed_id)
    assert pipe.store.has_doc(other.doc_id)
    assert pipe.store.delete_document(seed_id) == 0  # deleting again is a no-op
    [back] = pipe.ingest([SEED])
    assert back.ok and back.message.startswith("added")
