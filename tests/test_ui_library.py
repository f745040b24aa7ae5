"""The Library and Speakers logic over a real store: upload limits, per-file results, re-adding,
pasted text, a URL from a loopback server, the tables, suggested questions and deleting."""

from __future__ import annotations

import pytest

from rag.config import Settings
from rag.fetch import load_url
from rag.load import load_path
from rag.pipeline import Pipeline
from rag.ui_library import (
    delete_article,
    ingest_files,
    ingest_one,
    library_rows,
    pasted_document,
    results_markdown,
    speaker_rows,
    suggested_questions,
)
from tests.conftest import SEED
from tests.test_fetch import loopback_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pipe(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    return Pipeline(Settings(store_dir=tmp_path_factory.mktemp("lib-store")))


def test_upload_gives_one_result_per_file_and_bad_files_do_not_stop_the_rest(pipe, tmp_path):
    files = {
        "seed.txt": SEED.read_bytes(),
        "empty.txt": b"",
        "photo.txt": b"\x89PNG\r\n\x1a\n" + bytes(40),
        "photo.png": b"\x89PNG\r\n\x1a\n" + bytes(40),
        "huge.md": b"# Huge\n\n" + b"word " * 6000,
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    seen: list[tuple[int, int, str]] = []
    results = ingest_files(
        pipe, [tmp_path / n for n in files], 20_000, lambda i, n, d: seen.append((i, n, d))
    )
    by = {r.path.split("/")[-1]: r for r in results}
    assert by["seed.txt"].ok and by["seed.txt"].statements >= 13
    assert "the file is empty" in by["empty.txt"].message and not by["empty.txt"].ok
    assert "looks like a binary file" in by["photo.txt"].message
    assert "unsupported file type .png" in by["photo.png"].message
    assert "huge.md: 30 kB is over the 20 kB upload limit" in by["huge.md"].message
    assert seen[0] == (0, 1, "Indexing seed.txt") and seen[-1] == (1, 1, "Done")
    md = results_markdown(results)
    assert md.count("✓") == 1 and md.count("✗") == 4
    assert pipe.stats()["documents"] == 1


def test_re_adding_the_same_article_changes_nothing(pipe, tmp_path):
    before = pipe.stats()
    (tmp_path / "seed.txt").write_bytes(SEED.read_bytes())
    [r] = ingest_files(pipe, [tmp_path / "seed.txt"], 10**7)
    assert r.ok and "unchanged" in r.message
    assert pipe.stats() == before


def test_library_table_counts_match_the_store(pipe):
    [row] = library_rows(pipe.library)
    title, outlet, day, passages, statements, doc_id = row
    stats = pipe.stats()
    assert title.startswith("Ukraine is apparently offering") and outlet and day == "2025-12-15"
    assert (passages, statements) == (stats["passages"], stats["statements"])
    assert doc_id == load_path(SEED).doc_id


def test_speakers_table_and_suggested_questions_come_from_the_library(pipe):
    rows = {r[0]: r for r in speaker_rows(pipe.library)}
    assert "Global Situation Room" in rows["Brett Bruen"][1]
    assert rows["Brett Bruen"][2] >= 4 and "Ukraine is apparently offering" in rows["Brett Bruen"][3]
    qs = suggested_questions(pipe.library)
    assert qs[0] == f"What did {speaker_rows(pipe.library)[0][0]} say?"
    assert any(q in qs for q in ("What was said about NATO?", "What was said about Ukraine?"))


def test_pasted_text_is_added_and_empty_paste_is_refused(pipe):
    r = ingest_one(
        pipe,
        lambda: pasted_document("Ferry news", '"The ferry runs again," said Tom Berg, the harbour master.'),
        "pasted",
    )
    assert r.ok and "Ferry news" in r.message
    assert any(row[0] == "Ferry news" for row in library_rows(pipe.library))
    bad = ingest_one(pipe, lambda: pasted_document("x", "   "), "pasted text")
    assert not bad.ok and "nothing to add" in bad.message


def test_url_ingest_from_a_loopback_server(pipe):
    """Refused by default (loopback is not public); ingested once the settings opt in."""
    opt_in = Settings(url_allow_private=True)
    with loopback_server() as base:
        url = f"{base}/article.html"
        refused = ingest_one(pipe, lambda: load_url(url, timeout=5, settings=pipe.settings), url)
        r = ingest_one(pipe, lambda: load_url(url, timeout=5, max_bytes=100_000, settings=opt_in), url)
        again = ingest_one(pipe, lambda: load_url(url, timeout=5, max_bytes=100_000, settings=opt_in), url)
        too_big = ingest_one(pipe, lambda: load_url(url, timeout=5, max_bytes=100, settings=opt_in), url)
    assert (
        not refused.ok
        and "127.0.0.1 is a loopback address; set RAG_URL_ALLOW_PRIVATE=true" in refused.message
    )
    assert r.ok and r.statements >= 1 and "Harbour plan approved" in r.message
    assert again.ok and "unchanged" in again.message
    assert not too_big.ok and "byte limit" in too_big.message
    a = pipe.ask("What did Maria Lopez say?")
    assert any(c.speaker == "Maria Lopez" and "waterfront" in c.quote for c in a.citations)


def test_delete_article_then_unknown_id(pipe):
    doc_id = next(r[5] for r in library_rows(pipe.library) if r[0] == "Ferry news")
    n = pipe.stats()["documents"]
    assert delete_article(pipe, doc_id).startswith("Deleted “Ferry news”")
    assert pipe.stats()["documents"] == n - 1
    assert all(r[0] != "Ferry news" for r in library_rows(pipe.library))
    with pytest.raises(ValueError, match="no article with id"):
        delete_article(pipe, doc_id)


def test_uploads_with_the_same_name_are_different_articles(tmp_path):
    """Another outlet's "article.md" (or a second paste titled "Notes") never replaces the
    article already stored under that name; the same file again still changes nothing."""
    p = Pipeline(Settings(store_dir=tmp_path / "store"))
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "article.md").write_text("# Budget talks\n\nThe minister said talks would go on.")
    (tmp_path / "b" / "article.md").write_text("# Harbour plan\n\nThe mayor said the harbour would open.")
    first = ingest_files(p, [tmp_path / "a" / "article.md"], 10**6)
    second = ingest_files(p, [tmp_path / "b" / "article.md"], 10**6)
    assert first[0].ok and second[0].ok and "replaced" not in second[0].message
    assert sorted(r[0] for r in library_rows(p.library)) == ["Budget talks", "Harbour plan"]
    again = ingest_files(p, [tmp_path / "a" / "article.md"], 10**6)
    assert again[0].message.startswith("already stored")
    ingest_one(p, lambda: pasted_document("Notes", "One text about Kyiv."), "paste")
    ingest_one(p, lambda: pasted_document("Notes", "Another text about Riga."), "paste")
    assert p.stats()["documents"] == 4
