"""The library a replica answers from: one immutable view per answer, swapped whole when the
store moves, and the on-disk lexical mirror it is built from (synced from Chroma, rebuilt when
unreadable). Real embedded and server stores, the real model; interleavings forced with events."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from rag import compose
from rag.config import Settings
from rag.load import load_bytes, load_path
from rag.pipeline import Pipeline, mirror_path
from rag.text import stem
from tests.conftest import SEED

ROOT = Path(__file__).resolve().parent.parent
COUNCIL = ROOT / "corpus" / "wikinews" / "2022-03-17-russia-expelled-from-council-of-europe.md"
FINLAND = ROOT / "corpus" / "wikinews" / "2023-04-04-finland-becomes-member-of-nato.md"


def _mirror_rows(pipe: Pipeline) -> tuple[int, int]:
    con = sqlite3.connect(mirror_path(pipe.settings, pipe.store))
    try:
        return tuple(
            con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("passages", "statements")
        )  # type: ignore[return-value]
    finally:
        con.close()


def _refuse_reads(monkeypatch: pytest.MonkeyPatch, pipe: Pipeline, *methods: str) -> None:
    """Make these Store methods (listing ids, reading records by id) fail the test if called."""

    def refuse(*a, **k):  # type: ignore[no-untyped-def]
        raise AssertionError("read the store's records")

    for m in methods:
        monkeypatch.setattr(pipe.store, m, refuse)


def test_an_answer_sees_one_view_while_another_thread_ingests(fresh_settings, monkeypatch):
    """Thread A is stopped in the middle of its answer (after retrieval, before the strategies);
    meanwhile this thread ingests a second article and the library swaps views. A finishes on
    the view it started with, unchanged; the next question sees the new article."""
    pipe = Pipeline(fresh_settings)
    assert all(r.ok for r in pipe.ingest([SEED]))
    first = pipe.library.view()
    inside, ingested = threading.Event(), threading.Event()
    seen: dict[str, object] = {}
    real_route = compose.route

    def paused_route(ctx):  # type: ignore[no-untyped-def]
        if not inside.is_set():
            seen["view"], seen["ids"] = ctx.lib, frozenset(ctx.lib.passages)
            inside.set()
            assert ingested.wait(120)
            seen["ids_after"] = frozenset(ctx.lib.passages)
            seen["statements_after"] = len(ctx.lib.statements)
        return real_route(ctx)

    monkeypatch.setattr(compose, "route", paused_route)
    out: dict[str, object] = {}
    a = threading.Thread(
        target=lambda: out.setdefault("answer", pipe.ask("What did Bruen say Ukraine needs?"))
    )
    a.start()
    assert inside.wait(120)
    council = pipe.ingest([COUNCIL])  # builds and swaps in the next view meanwhile
    assert all(r.ok for r in council)
    now = pipe.library.view()
    ingested.set()
    a.join(120)
    assert seen["view"] is first and now is not first
    assert seen["ids"] == seen["ids_after"] == frozenset(first.passages)
    assert seen["statements_after"] == len(first.statements)
    council_doc = council[0]
    assert {p.doc_id for p in now.passages.values()} - {p.doc_id for p in first.passages.values()}
    answer = out["answer"]
    assert answer.citations and all(c.passage_id in first.passages for c in answer.citations)  # type: ignore[attr-defined]
    assert council_doc.ok and any(
        "Kuleba" in (c.speaker or "") for c in pipe.ask("What did Kuleba say?").citations
    )


def test_a_view_is_reused_until_the_store_moves(fresh_settings):
    pipe = Pipeline(fresh_settings)
    pipe.ingest([SEED])
    v = pipe.library.view()
    assert pipe.library.view() is v  # nothing written: the same object, one marker read
    pipe.ingest([SEED])  # unchanged: nothing written, the marker stays
    assert pipe.library.view() is v
    pipe.ingest([FINLAND])
    assert pipe.library.view() is not v and len(pipe.library.view().passages) > len(v.passages)


def test_a_start_on_a_synced_mirror_reads_nothing_but_the_marker(fresh_settings, monkeypatch):
    """A second process on the same store and mirror folder (a restart): its library comes from
    the mirror; Chroma is asked only for the generation marker."""
    first = Pipeline(fresh_settings)
    first.ingest([SEED, FINLAND])
    before = first.library.view()
    again = Pipeline(fresh_settings)
    _refuse_reads(monkeypatch, again, "ids", "get")
    view = again.library.view()
    assert set(view.passages) == set(before.passages) and len(view.statements) == len(before.statements)
    assert view.lexical.search("Kaikkonen", 3)
    monkeypatch.undo()  # answers verify their quotes against the store's own copies, by id
    assert again.ask("What did Kaikkonen say?").citations


def test_a_replica_with_its_own_mirror_follows_the_other_replicas_writes(
    fresh_settings, tmp_path, monkeypatch
):
    """Two replicas, one store, a mirror each: what A writes (an article, an edit, a deletion)
    is in B's view, lexical index included, on B's next question — read through the store's
    change log (B never lists the store's record ids after its first sync) — and B's mirror
    holds exactly the store's records, no leftovers of the edited version."""
    a = Pipeline(fresh_settings.model_copy(update={"mirror_dir": tmp_path / "mirror-a"}))
    b = Pipeline(fresh_settings.model_copy(update={"mirror_dir": tmp_path / "mirror-b"}))
    a.ingest([SEED])
    assert b.library.view().lexical.search("Bruen", 1)  # B's first sync: a full id diff
    _refuse_reads(monkeypatch, b, "ids")  # every later write reaches B through the change log
    a.ingest([COUNCIL])
    assert any("Kuleba" in (c.speaker or "") for c in b.ask("What did Kuleba say?").citations)
    edited = load_bytes(SEED.read_bytes().replace(b"Berlin on Sunday", b"Berlin on Monday"), SEED.name)
    a.ingest_document(edited)
    view = b.library.view()
    assert view.lexical.df("monday") and not view.lexical.df("sunday")
    stats = a.stats()
    assert _mirror_rows(b) == (stats["passages"], stats["statements"])
    a.store.delete_document(load_path(COUNCIL).doc_id)
    assert not any("Kuleba" in (s.speakers or ("",))[0] for s in b.library.view().statements)
    assert _mirror_rows(b) == (a.stats()["passages"], a.stats()["statements"])


@pytest.mark.parametrize("damage", ["garbage", "other-collection", "older-schema"])
def test_a_broken_mirror_is_rebuilt_from_chroma(tmp_path, capsys, damage):
    settings = Settings(store_dir=tmp_path / "store")
    pipe = Pipeline(settings)
    pipe.ingest([SEED])
    want = set(pipe.library.view().passages)
    path = mirror_path(settings, pipe.store)
    pipe.library.mirror.close()
    if damage == "garbage":
        for extra in ("-wal", "-shm"):
            Path(str(path) + extra).unlink(missing_ok=True)
        path.write_bytes(b"this is not a database" * 100)
    elif damage == "older-schema":  # terms stored by older rules (another stemmer): read them again
        con = sqlite3.connect(path)
        con.execute("UPDATE info SET value = '1' WHERE key = 'schema'")
        con.execute("UPDATE passages SET terms = 'stale'")
        con.commit()
        con.close()
    else:
        con = sqlite3.connect(path)
        con.execute("UPDATE info SET value = 'another|collection' WHERE key = 'identity'")
        con.commit()
        con.close()
    again = Pipeline(settings)
    assert set(again.library.view().passages) == want
    assert "rebuilding it from Chroma" in capsys.readouterr().out
    assert again.library.view().lexical.df("bruen")  # the terms are the current rules' again
    assert again.ask("What did Bruen say Ukraine needs?").citations


def test_a_sync_that_fails_midway_leaves_the_mirror_as_it_was(tmp_path, monkeypatch):
    """The mirror is written in one transaction with the generation it matches: a failure while
    reading Chroma (a server gone, a crash) leaves the old rows and the old marker, and the next
    question syncs again."""
    settings = Settings(store_dir=tmp_path / "store", mirror_dir=tmp_path / "mirror")
    writer = Pipeline(settings.model_copy(update={"mirror_dir": tmp_path / "writer"}))
    writer.ingest([SEED])
    reader = Pipeline(settings)
    reader.library.view()
    rows, marker = _mirror_rows(reader), reader.library.mirror.generation()
    writer.ingest([COUNCIL, FINLAND])
    real_read = reader.store.documents_records

    def failing_read(docs):  # type: ignore[no-untyped-def]
        for n, r in enumerate(real_read(docs)):
            if n == 5:
                raise RuntimeError("connection lost")
            yield r

    monkeypatch.setattr(reader.store, "documents_records", failing_read)
    with pytest.raises(RuntimeError):
        reader.library.view()
    assert _mirror_rows(reader) == rows and reader.library.mirror.generation() == marker
    monkeypatch.undo()
    assert len(reader.library.view().passages) == writer.stats()["passages"]
    assert _mirror_rows(reader) == (writer.stats()["passages"], writer.stats()["statements"])


def test_a_mirror_that_fell_behind_the_change_log_syncs_in_full(tmp_path):
    """The log keeps a week of writes; a mirror whose last applied entry is older than that
    cannot trust it and diffs every id instead — and is right afterwards."""
    settings = Settings(store_dir=tmp_path / "store", mirror_dir=tmp_path / "mirror")
    writer = Pipeline(settings.model_copy(update={"mirror_dir": tmp_path / "writer"}))
    writer.ingest([SEED])
    reader = Pipeline(settings)
    reader.library.view()
    con = sqlite3.connect(mirror_path(reader.settings, reader.store))
    con.execute("UPDATE info SET value = '1' WHERE key = 'log_at'")  # synced in 1970
    con.commit()
    con.close()
    writer.ingest([FINLAND])
    calls = []
    real_ids = reader.store.ids
    reader.store.ids = lambda: calls.append(1) or real_ids()  # type: ignore[method-assign]
    view = reader.library.view()
    assert calls and len(view.passages) == writer.stats()["passages"]


def test_a_lexical_index_out_of_step_is_rebuilt_from_the_mirror(tmp_path, capsys, monkeypatch):
    """The tantivy folder is committed just before the mirror's SQLite transaction: a crash
    between the two, or a deleted folder, leaves its marker behind the mirror's generation. The
    next start rebuilds it from the terms the mirror stores, without reading Chroma's records."""
    import shutil

    settings = Settings(store_dir=tmp_path / "store")
    pipe = Pipeline(settings)
    pipe.ingest([SEED])
    want = pipe.library.view().lexical.search("Bruen Ukraine insurance", 5)
    pipe.library.mirror.close()
    shutil.rmtree(str(mirror_path(settings, pipe.store)) + ".terms")
    again = Pipeline(settings)
    _refuse_reads(monkeypatch, again, "ids", "get")
    assert again.library.view().lexical.search("Bruen Ukraine insurance", 5) == want
    assert "rebuilt from the mirror" in capsys.readouterr().out


def test_a_scoped_lexical_search_ranks_as_the_whole_index_filtered(tmp_path):
    """The document filter runs inside the index: the same passages, in the same order, as the
    unscoped ranking with other documents' hits dropped."""
    pipe = Pipeline(Settings(store_dir=tmp_path / "store"))
    pipe.ingest([SEED, COUNCIL, FINLAND])
    view = pipe.library.view()
    seed = load_path(SEED).doc_id
    everything = view.lexical.search("NATO Ukraine said minister", len(view.passages))
    want = [(i, s) for i, s in everything if view.passages[i].doc_id == seed][:4]
    got = view.lexical.search("NATO Ukraine said minister", 4, {seed})
    assert [i for i, _ in got] == [i for i, _ in want] and len(got) == 4
    assert view.lexical.search("NATO", 4, set()) == []


def test_the_lexical_index_knows_a_word_one_typo_away(tmp_path):
    """`resembles`: a word of the library misspelt by one edit (a swap counts as one) is
    recognised; a word under five letters, or two edits away, is not."""
    pipe = Pipeline(Settings(store_dir=tmp_path / "store"))
    pipe.ingest([COUNCIL])
    lex = pipe.library.view().lexical
    assert lex.knows("February") and lex.resembles("February")
    assert not lex.knows("Febraury") and lex.resembles("Febraury")
    assert not lex.resembles("Fbebraury") and not lex.resembles("Zqxw")


def test_a_typo_in_a_question_is_read_as_the_library_word_it_misspells(tmp_path):
    """`correction`: a term the library lacks, one edit (or one swap) from a term it has, is
    that term, and the lexical search finds what the right spelling finds; a word the library
    has, a short word or one two edits away is left alone."""
    pipe = Pipeline(Settings(store_dir=tmp_path / "store"))
    pipe.ingest([COUNCIL])
    lex = pipe.library.view().lexical
    assert lex.correction(stem("febraury")) == stem("february")
    assert lex.correction(stem("february")) is None  # in the library as written
    assert lex.correction(stem("fbebraury")) is None and lex.correction("zqxw") is None
    assert lex.search("Febraury", 3) == lex.search("February", 3) != []
