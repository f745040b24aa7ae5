"""The real Chroma store, embedded and on a real `chroma run` server, with the real embedding
model: idempotent ingest, edits, persistence, the generation marker, crash safety (a SIGKILLed
ingest) and clear messages for store trouble."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rag.config import Settings
from rag.embed import MINILM_SHA256, check_model_dir, packaged_model_dir, sha256_file
from rag.load import load_bytes, load_path
from rag.pipeline import Pipeline
from rag.store import StoreError, collection_name, make_client
from tests.conftest import DATA, SEED, free_port, start_chroma

ROOT = Path(__file__).resolve().parent.parent

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


def test_edited_article_replaces_the_old_version(fresh_settings):
    pipe = Pipeline(fresh_settings)
    pipe.ingest([SEED])
    first = pipe.stats()
    edited = load_bytes(SEED.read_bytes().replace(b"Berlin on Sunday", b"Berlin on Monday"), SEED.name)
    r = pipe.ingest_document(edited)
    assert "replaced" in r.message
    assert pipe.stats() == first  # same counts: nothing orphaned, nothing doubled
    texts = [rec.text for rec in pipe.store.records("passage")]
    assert any("Berlin on Monday" in t for t in texts) and not any("Berlin on Sunday" in t for t in texts)


def test_store_persists_across_processes(fresh_settings):
    Pipeline(fresh_settings).ingest([SEED])
    assert Pipeline(fresh_settings).stats()["documents"] == 1


def test_one_bad_file_does_not_stop_the_ingest(tmp_path, fresh_settings):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (tmp_path / "good.txt").write_bytes(SEED.read_bytes())
    pipe = Pipeline(fresh_settings)
    results = {r.path.split("/")[-1]: r for r in pipe.ingest([tmp_path])}
    assert results["good.txt"].ok
    assert not results["empty.txt"].ok and "empty" in results["empty.txt"].message
    assert not results["image.txt"].ok and "binary" in results["image.txt"].message
    assert pipe.stats()["documents"] == 1


def test_sentence_vectors_computed_during_the_parse_are_the_ones_stored(tmp_path, monkeypatch):
    """Ingest embeds the sentences while the parser reads (rag/ingest.py): the stored vectors
    are those an ingest without it stores, each text is embedded once, and a failure of that
    early start costs nothing but time."""
    import numpy as np

    import rag.ingest

    def ingest(where: str, prefetch: int, fail: bool = False) -> tuple[dict[str, object], list[str]]:
        monkeypatch.setattr(rag.ingest, "PREFETCH_TEXTS", prefetch)
        pipe = Pipeline(Settings(store_dir=tmp_path / where))
        seen: list[str] = []
        inner = pipe.store.embeddings.embed_documents

        def embed(texts: list[str]) -> list[list[float]]:
            if fail and len(texts) > 1 and not seen:
                seen.append("")  # the early start fails once
                raise RuntimeError("model gone away")
            seen.extend(texts)
            return inner(texts)

        monkeypatch.setattr(pipe.store.embeddings, "embed_documents", embed)
        assert all(r.ok for r in pipe.ingest([SEED]))
        return pipe.store.quote_vectors(list(pipe.store.quote_ids())), list(seen)  # (the model is shared)

    early, texts = ingest("early", 20_000)
    late, _ = ingest("late", 0)
    failed, _ = ingest("failed", 20_000, fail=True)
    assert early.keys() == late.keys() == failed.keys() and len(early) > 20
    for k, v in early.items():
        assert np.allclose(v, late[k], atol=1e-5) and np.allclose(v, failed[k], atol=1e-5)
    assert len(texts) == len(set(texts))  # nothing embedded twice


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


def test_an_edit_that_keeps_the_count_is_seen_by_every_replica(fresh_settings):
    """Two Pipelines on one store (two app replicas): an edit with an identical record count
    moves the generation marker, so both libraries see the new text on their next question."""
    a, b = Pipeline(fresh_settings), Pipeline(fresh_settings)
    a.ingest([SEED])
    assert b.library.search("Berlin on Sunday", 1)  # b's caches are now built
    before = (b.store.count(), b.store.generation())
    edited = load_bytes(SEED.read_bytes().replace(b"Berlin on Sunday", b"Berlin on Monday"), SEED.name)
    a.ingest_document(edited)
    assert b.store.count() == before[0] and b.store.generation() != before[1]
    for pipe in (a, b):
        texts = [h.passage.text for h in pipe.library.search("Berlin on Monday", 3)]
        assert any("Berlin on Monday" in t for t in texts)
        assert not any("Berlin on Sunday" in p.text for p in pipe.library.passages.values())
        lexical = pipe.library.view().lexical
        assert lexical.df("monday") and not lexical.df("sunday")


# --- crash safety -------------------------------------------------------------------------------

CRASH_DOCS = 100  # bench/crash_ingest.py runs the same scenario with 1,000 documents
_CHILD = """
import sys
from pathlib import Path
from rag.config import Settings
from rag.pipeline import Pipeline
files = sorted(Path(sys.argv[1]).glob("*.txt"))
pipe = Pipeline(Settings())
_ = pipe.store
print("ready", flush=True)
pipe.ingest(files, progress=lambda done, total: print("done", done, total, flush=True), batch=8)
print("finished", flush=True)
"""


def make_small_docs(folder: Path, n: int) -> list[Path]:
    """n small real articles: XQuAD paragraphs (CC BY-SA 4.0), one per file, titled."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = [json.loads(line) for line in (DATA / "xquad_en" / "corpus.jsonl").open(encoding="utf-8")]
    out = []
    for i in range(n):  # beyond the 240 paragraphs, each pairs two of them (still real text)
        r, extra = rows[i % len(rows)], rows[(i * 7 + 3) % len(rows)] if i >= len(rows) else None
        body = r["text"] + (f"\n\n{extra['text']}" if extra else "")
        f = folder / f"{i:04d}.txt"
        f.write_text(f"{r['article'].replace('_', ' ')} ({i})\n\n{body}\n", encoding="utf-8")
        out.append(f)
    assert len(out) == n
    return out


def _env(settings: Settings) -> dict[str, str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
    if settings.chroma_url:
        env["RAG_CHROMA_URL"] = settings.chroma_url
    env["RAG_STORE_DIR"] = str(settings.store_dir)
    return env


def kill_midway(folder: Path, settings: Settings, total: int = CRASH_DOCS) -> int:
    """Start an ingest in a child process and SIGKILL it once about half the batches are in
    (plus a random delay under 50 ms, so the kill lands at a random point of the next batch).
    Returns how many documents it had reported done."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(folder)],
        stdout=subprocess.PIPE,
        text=True,
        env=_env(settings),
        cwd=ROOT,
    )
    done = 0
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("done"):
            done = int(line.split()[1])
            if done >= total // 2:
                time.sleep(random.uniform(0.0, 0.05))
                break
        assert not line.startswith("finished"), "the ingest finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    return done


def test_killed_ingest_resumes_to_the_same_store(tmp_path, fresh_settings, backend, chroma_url):
    from tests.conftest import backend_settings

    files = make_small_docs(tmp_path / "docs", CRASH_DOCS)
    done = kill_midway(tmp_path / "docs", fresh_settings)
    assert 0 < done < CRASH_DOCS
    crashed = Pipeline(fresh_settings)
    partial = crashed.stats()
    assert 0 < partial["documents"] < CRASH_DOCS
    results = crashed.ingest(files)
    assert all(r.ok for r in results)
    clean = Pipeline(backend_settings(backend, tmp_path / "clean", chroma_url))
    clean.ingest(files)
    assert crashed.stats() == clean.stats() and clean.stats()["documents"] == CRASH_DOCS
    ids = crashed.store.ids()
    assert len(ids) == len(set(ids)) and set(ids) == set(clean.store.ids())  # no duplicates, nothing missing
    passages = {r.id for r in crashed.store.records("passage")}
    assert all(r.meta["passage_id"] in passages for r in crashed.store.records("statement"))  # no orphans
    quotes = crashed.store.quote_ids()
    assert quotes == clean.store.quote_ids() and set(quotes.values()) == passages  # quote vectors too
    view = crashed.library.view()  # the killed process's mirror (synced before the kill) follows
    assert crashed.library.mirror.ids() == set(ids) == set(view.passages) | set(view.raw)


# --- store trouble ------------------------------------------------------------------------------


def test_missing_store_folder_is_created(tmp_path):
    pipe = Pipeline(Settings(store_dir=tmp_path / "not" / "yet"))
    assert pipe.stats() == {"documents": 0, "passages": 0, "statements": 0}
    assert "empty" in pipe.ask("What did Bruen say?").answer


def test_store_path_that_is_a_file(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(StoreError, match="is a file"):
        make_client(Settings(store_dir=tmp_path / "f"))


def test_corrupt_store_gives_a_clear_message(tmp_path):
    store = tmp_path / "s"
    Pipeline(Settings(store_dir=store)).ingest([SEED])
    db = store / "chroma.sqlite3"
    db.write_bytes(b"this is not a database" + os.urandom(4096))
    r = subprocess.run(
        [sys.executable, "-m", "rag", "stats", "--json"],
        capture_output=True,
        text=True,
        env=_env(Settings(store_dir=store)),
        cwd=ROOT,
        timeout=300,
    )
    assert r.returncode != 0 and "cannot be read" in r.stderr and "move the folder aside" in r.stderr


def test_read_only_store_gives_a_clear_message(tmp_path):
    """A real read-only folder: a read-only bind mount in a private mount namespace (root can
    write through permission bits, not through a read-only mount)."""
    store = tmp_path / "s"
    make_client(Settings(store_dir=store))  # a real, empty store
    code = "from rag.config import Settings; from rag.store import make_client; make_client(Settings())"
    mount = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" "$0" && exec "$@"'
    r = subprocess.run(
        [
            "unshare",
            "--user",
            "--map-root-user",
            "--mount",
            "sh",
            "-c",
            mount,
            str(store),
            sys.executable,
            "-c",
            code,
        ],
        capture_output=True,
        text=True,
        env=_env(Settings(store_dir=store)),
        cwd=ROOT,
        timeout=120,
    )
    assert r.returncode != 0 and "read-only" in r.stderr and "RAG_STORE_DIR" in r.stderr, r.stderr


def test_server_down_gives_a_clear_message_and_the_app_recovers(tmp_path):
    port = free_port()
    server = start_chroma(tmp_path / "srv", port)
    settings = Settings(chroma_url=f"http://127.0.0.1:{port}/down-test")
    pipe = Pipeline(settings)
    pipe.ingest([SEED])
    server.terminate()
    server.wait(timeout=30)
    try:
        with pytest.raises(StoreError, match=f"no Chroma server answers at http://127.0.0.1:{port}"):
            pipe.ask("What did Bruen say Ukraine needs?")
        with pytest.raises(StoreError, match="chroma run"):
            Pipeline(settings).stats()
        server = start_chroma(tmp_path / "srv", port)
        a = pipe.ask("What did Bruen say Ukraine needs?")
        assert not a.abstained and any(c.speaker == "Brett Bruen" for c in a.citations)
        assert Pipeline(settings).stats()["documents"] == 1
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_reingest_with_a_name_now_known_replaces_the_statements(tmp_path):
    """The same text extracted again once the library can complete a name ("Biden" -> "Joe
    Biden") gives new statement ids: the old ones go, nothing is stored twice."""
    pipe = Pipeline(Settings(store_dir=tmp_path / "s"))
    doc = load_bytes(b'Talks\n\n"We stand with Kyiv," said Biden on Monday.', "talks.txt")
    pipe.ingest_document(doc, {})
    before = pipe.stats()
    r = pipe.ingest_document(doc, {"Biden": "Joe Biden"})
    assert pipe.stats() == before and before["statements"] == 1
    pipe.library.view()
    assert [s.speakers for s in pipe.library.statements] == [("Joe Biden",)] and r.ok


def _quote_passages(pipe: Pipeline) -> set[str]:
    return set(pipe.store.quote_ids().values())


def test_quote_vectors_follow_their_passages(fresh_settings):
    pipe = Pipeline(fresh_settings)
    pipe.ingest([SEED])
    passages = {r.id for r in pipe.store.records("passage")}
    assert _quote_passages(pipe) == passages  # every passage's quotable spans, nothing else
    edited = load_bytes(SEED.read_bytes().replace(b"Berlin on Sunday", b"Berlin on Monday"), SEED.name)
    pipe.ingest_document(edited)
    now = {r.id for r in pipe.store.records("passage")}
    assert now != passages and _quote_passages(pipe) == now  # the old version's are gone
    pipe.store.delete_document(edited.doc_id)
    assert _quote_passages(pipe) == set()


def test_answers_embed_only_the_question(seed_pipeline):
    """Ingest stored every quotable span's vector: answering the dev questions runs the model
    on the questions alone (the composer's own cache emptied first)."""
    emb = seed_pipeline.store.embeddings
    seed_pipeline.composer.scorer._vecs.clear()
    calls: list[int] = []
    real = emb.embed_documents
    object.__setattr__(emb, "embed_documents", lambda texts: calls.append(len(texts)) or real(texts))
    try:
        for line in (DATA / "dev_questions.jsonl").open(encoding="utf-8"):
            assert seed_pipeline.ask(json.loads(line)["question"]).answer
    finally:
        object.__delattr__(emb, "embed_documents")
    assert calls == []
