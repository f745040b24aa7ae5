"""One version per source, whoever writes: two writers ingesting two versions of one file at once
against a `chroma run` server leave exactly one version (the one written last), whole, with no
statement whose passage is gone. Interleavings forced with events, then two real processes."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from pathlib import Path

from rag.config import Settings
from rag.load import load_bytes
from rag.pipeline import Pipeline
from rag.store import Store, reads
from tests.conftest import SEED

ROOT = Path(__file__).resolve().parent.parent
V0 = SEED.read_bytes()
V1 = V0.replace(b"Berlin on Sunday", b"Berlin on Monday")
V2 = V0.replace(b"Berlin on Sunday", b"Berlin on Tuesday")


def _versions(pipe: Pipeline) -> dict[str, int]:
    """doc_id -> records stored for the seed's file name; and no statement without its passage."""
    got = reads.get_all(pipe.store._col, where={"source_key": SEED.name}, include=["metadatas"])
    docs: dict[str, int] = {}
    passages = {i for i, m in zip(got["ids"], got["metadatas"]) if m["kind"] == "passage"}
    for m in got["metadatas"]:
        docs[m["doc_id"]] = docs.get(m["doc_id"], 0) + 1
        if m["kind"] == "statement":
            assert m["passage_id"] in passages, "a statement outlived its passage"
    return docs


def _records_of(data: bytes) -> int:
    """How many records one version has, stored alone."""
    from rag.passages import split_passages
    from rag.statements import analyse, complete
    from rag.store import doc_records

    doc = load_bytes(data, SEED.name)
    batch = doc_records(
        doc, split_passages(doc, Settings().max_passage_chars), complete(analyse(doc).statements, {}), []
    )
    return len(batch.ids)


def _paused(store: Store, method: str, reached: threading.Event, go: threading.Event) -> None:
    real = getattr(store, method)

    def wait_then(*a, **k):  # type: ignore[no-untyped-def]
        reached.set()
        assert go.wait(120)
        return real(*a, **k)

    setattr(store, method, wait_then)


def _race(chroma_url: str, pause_at: str) -> tuple[dict[str, int], str]:
    settings = Settings(chroma_url=f"{chroma_url}/w-{uuid.uuid4().hex[:10]}")
    a, b = Pipeline(settings), Pipeline(settings)
    a.ingest_document(load_bytes(V0, SEED.name))
    reached, go = threading.Event(), threading.Event()
    _paused(a.store, pause_at, reached, go)
    t = threading.Thread(target=a.ingest_document, args=(load_bytes(V1, SEED.name),))
    t.start()
    assert reached.wait(120)
    b.ingest_document(load_bytes(V2, SEED.name))  # starts after A: the later version
    go.set()
    t.join(120)
    return _versions(b), load_bytes(V2, SEED.name).doc_id


def test_a_writer_paused_before_its_upsert_loses_to_the_later_one(chroma_url):
    """A has read the store and stamped its version, then stalls before writing; B writes a later
    version and settles. A's version, written after, still loses: B's is the later version."""
    versions, v2 = _race(chroma_url, "_embed_quotes")
    assert list(versions) == [v2] and versions[v2] == _records_of(V2)


def test_a_writer_paused_before_it_settles_loses_to_the_later_one(chroma_url):
    versions, v2 = _race(chroma_url, "_settle")
    assert list(versions) == [v2] and versions[v2] == _records_of(V2)


def test_two_processes_ingesting_two_versions_at_once_leave_one(chroma_url, tmp_path):
    settings = Settings(chroma_url=f"{chroma_url}/p-{uuid.uuid4().hex[:10]}")
    Pipeline(settings).ingest_document(load_bytes(V0, SEED.name))
    env = {**os.environ, "RAG_CHROMA_URL": str(settings.chroma_url), "HF_HUB_OFFLINE": "1"}
    files = []
    for n, data in enumerate((V1, V2)):
        (tmp_path / f"v{n}").mkdir()
        files.append(tmp_path / f"v{n}" / SEED.name)
        files[-1].write_bytes(data)
    for _ in range(2):
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "rag", "ingest", str(f)], cwd=ROOT, env=env, stdout=subprocess.PIPE
            )
            for f in files
        ]
        assert all(p.wait(300) == 0 for p in procs)
        versions = _versions(Pipeline(settings))
        assert len(versions) == 1
        [(doc_id, n)] = versions.items()
        data = {load_bytes(V1, SEED.name).doc_id: V1, load_bytes(V2, SEED.name).doc_id: V2}[doc_id]
        assert n == _records_of(data)
        files.reverse()


def test_the_latest_complete_version_wins_and_a_later_partial_one_is_left_to_its_writer():
    from rag.store.records import stale_versions

    def rec(doc: str, written: int, headline: bool) -> dict[str, object]:
        return {
            "source_key": "a.txt",
            "doc_id": doc,
            "written": written,
            "kind": "passage",
            "paragraph": 0 if headline else 1,
        }

    ids = ["old-h", "old-1", "mine-h", "mine-1", "later-1", "b-h"]
    metas = [
        rec("old", 1, True),
        rec("old", 1, False),
        rec("mine", 5, True),
        rec("mine", 5, False),
        rec("later", 9, False),
    ]
    metas.append({**rec("b", 0, True), "source_key": "b.txt"})
    stale = stale_versions(ids, metas)
    assert stale == {"a.txt": ["old-h", "old-1"], "b.txt": []}  # "later" is still being written
    metas[4] = rec("later", 9, True)  # now complete: it wins, "mine" goes too
    assert sorted(stale_versions(ids, metas)["a.txt"]) == ["mine-1", "mine-h", "old-1", "old-h"]
    assert stale_versions(ids[4:5], metas[4:5]) == {"a.txt": []}
