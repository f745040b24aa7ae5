"""The app in a real browser: Playwright driving Debian's Chromium (/usr/bin/chromium) against the
session's running app (tests/conftest.py `running_app`). Screenshots go to test-output/browser/.

The tests run in file order and share one app: the upload test adds an article that later
tests ask about and finally delete.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, RunningApp
from tests.test_fetch import loopback_server

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CHROMIUM = Path(os.environ.get("RAG_TEST_CHROMIUM", "/usr/bin/chromium"))
SHOTS = ROOT / "test-output" / "browser"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# An article whose title and quote carry markup: it must show as text and never run.
PAYLOAD_ARTICLE = """---
title: "Bridge <i>safety</i> review <img src=x onerror=\\"window.__pwned=1\\">"
published: 2025-11-02
source: Test Gazette
---
Inspectors found deep cracks in the old river bridge on Monday, the city said.

"The cracks are serious <img src=x onerror=window.__pwned=1> and we must close the bridge <script>window.__pwned=2;document.title='pwned'</script> before winter," said Jane Roe, the city's chief bridge inspector.

The council will vote on the repair budget next week.
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's browser with `apt-get install -y chromium`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def page(browser: Any, running_app: RunningApp) -> Iterator[Any]:
    SHOTS.mkdir(parents=True, exist_ok=True)
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(running_app.url)
    pg.locator("#question textarea").wait_for(timeout=60_000)
    yield pg
    ctx.close()


def ask(page: Any, question: str) -> Any:
    """Type a question, send it, wait until the answer is complete; returns its bubble."""
    before = page.locator("#chat [data-testid='bot']").count()
    box = page.locator("#question textarea")
    box.fill(question)
    box.press("Enter")
    page.wait_for_function(
        """n => {
            const bots = document.querySelectorAll('#chat [data-testid="bot"]');
            const tracker = document.querySelector('#chat [data-testid="status-tracker"]');
            return bots.length > n && !bots[bots.length - 1].innerText.trim().endsWith('…')
                && (!tracker || tracker.classList.contains('hide'));
        }""",
        arg=before,
        timeout=60_000,
    )
    return page.locator("#chat [data-testid='bot']").last


def not_pwned(page: Any) -> None:
    assert page.evaluate("() => window.__pwned") is None, "markup from an article or question ran"
    assert page.title() != "pwned"


def test_bruen_question_shows_quote_and_citation_then_highlighted_source(page, running_app):
    bubble = ask(page, "What did Bruen say Ukraine needs?")
    text = bubble.inner_text()
    assert "Ukraine needs insurance for what Trump promises" in text
    assert "[1]" in text and "Brett Bruen" in text and "verified" in text
    page.locator("#citations label", has_text="[2]").click()
    mark = page.locator("#sources mark")
    mark.first.wait_for()
    page.wait_for_function(
        "() => document.querySelectorAll('#sources .src').length === 1"
        " && document.querySelector('#sources .src').id === 'src-2'"
    )
    sources = page.locator("#sources").inner_text()
    assert mark.count() == 1 and mark.inner_text().startswith("It needs action")
    assert "paragraph 11" in sources and "December 15, 2025" in sources
    assert "Global Situation Room" in sources and "Ukraine is apparently offering not to join NATO" in sources
    page.screenshot(path=str(SHOTS / "chat-citation.png"))


def test_abstention_looks_different_from_an_answer(page):
    bubble = ask(page, "What did Angela Merkel say about bananas?")
    assert bubble.locator(".abstained").count() == 1
    answers = page.locator("#chat [data-testid='bot'] .abstained")
    assert answers.count() == 1  # the earlier, real answer is not styled as an abstention
    page.screenshot(path=str(SHOTS / "abstention.png"))


def test_upload_reports_each_file_then_the_new_article_answers_as_text(page, tmp_path):
    good = tmp_path / "bridge-report.md"
    good.write_text(PAYLOAD_ARTICLE, encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
    (tmp_path / "picture.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    page.get_by_role("tab", name="Library").click()
    names = ["bridge-report.md", "empty.txt", "photo.txt", "picture.png"]
    page.locator("#upload input[type=file]").set_input_files([str(tmp_path / n) for n in names])
    page.locator("#upload", has_text="picture").wait_for()  # names show as "picture" + ".png"
    page.locator("#add-files").click()
    result = page.locator("#ingest-result")
    result.locator("text=empty.txt").wait_for(timeout=60_000)
    lines = result.inner_text()
    assert "✓ added" in lines and "Bridge <i>safety</i> review" in lines
    assert "empty.txt: the file is empty" in lines
    assert "photo.txt: looks like a binary file" in lines
    assert "picture.png: unsupported file type .png" in lines
    table = page.locator("#library")
    table.locator("text=Test Gazette").wait_for()
    assert "Bridge <i>safety</i> review <img src=x" in table.inner_text()
    page.screenshot(path=str(SHOTS / "library-upload.png"))
    not_pwned(page)

    page.get_by_role("tab", name="Chat").click()
    bubble = ask(page, "What did Jane Roe say about the bridge?")
    text = bubble.inner_text()
    assert "<img src=x onerror=window.__pwned=1>" in text and "<script>" in text
    assert bubble.locator("img[src=x], script").count() == 0
    page.locator("#citations label", has_text="[1]").click()
    page.locator("#sources mark", has_text="<script>").wait_for()
    assert page.locator("#sources img, #sources script").count() == 0
    assert "the city's chief bridge inspector" in page.locator("#sources").inner_text()
    page.screenshot(path=str(SHOTS / "payload-as-text.png"))
    not_pwned(page)


def test_paste_text_and_url_ingest_from_the_library_tab(page):
    with loopback_server() as base:
        page.get_by_role("tab", name="Library").click()
        page.get_by_role("tab", name="From a URL").click()
        page.locator("#url input, #url textarea").first.fill(f"{base}/article.html")
        page.locator("#add-url").click()
        page.locator("#ingest-result", has_text="Harbour plan approved").wait_for(timeout=60_000)
        page.locator("#url input, #url textarea").first.fill("file:///etc/passwd")
        page.locator("#add-url").click()
        page.locator("#ingest-result", has_text="is not an http(s) URL").wait_for(timeout=30_000)
    page.get_by_role("tab", name="Paste text").click()
    page.locator("#paste-title input").fill("Ferry timetable")
    page.locator("#paste-text textarea").fill(
        '"The ferry runs every hour from May," said Tom Berg, the harbour master.'
    )
    page.locator("#add-text").click()
    page.locator("#ingest-result", has_text="Ferry timetable").wait_for(timeout=60_000)
    table = page.locator("#library")
    table.locator("text=Ferry timetable").wait_for()
    assert "Harbour plan approved" in table.inner_text()
    page.get_by_role("tab", name="Chat").click()
    bubble = ask(page, "What did Maria Lopez say?")
    assert "bring jobs back to the waterfront" in bubble.inner_text()


def test_markup_in_a_question_is_shown_as_text(page):
    q = '<img src=x onerror="window.__pwned=3"> <b>bold</b> what did Jane Roe say?'
    ask(page, q)
    user = page.locator("#chat [data-testid='user']").last
    assert "<img src=x onerror=" in user.inner_text() and "<b>bold</b>" in user.inner_text()
    assert user.locator("img, b").count() == 0
    not_pwned(page)


def test_feedback_and_markdown_export(page, running_app):
    page.locator("#chat button[aria-label='Like']").first.click()
    path = running_app.data_dir / "feedback.jsonl"
    page.wait_for_function("() => true")  # let the event reach the server
    for _ in range(50):
        if path.exists() and path.read_text().strip():
            break
        page.wait_for_timeout(200)
    entry = json.loads(path.read_text().splitlines()[-1])
    assert entry["feedback"] == "like" and "Bruen" in entry["question"]
    assert entry["citations"] and entry["citations"][0]["speaker"] == "Brett Bruen"
    page.get_by_role("button", name="Export conversation (Markdown)").click()
    page.locator("#export [data-testid='download-link']").wait_for()
    [md_file] = sorted((running_app.data_dir / "exports").glob("conversation-*.md"))[-1:]
    md = md_file.read_text()
    assert "## 1. What did Bruen say Ukraine needs?" in md
    assert "Brett Bruen: “Ukraine needs insurance" in md and "paragraph 10" in md


def test_speakers_tab_lists_bruen_and_asks_about_him(page):
    page.get_by_role("tab", name="Speakers").click()
    table = page.locator("#speakers")
    table.locator("text=Brett Bruen").first.wait_for()
    assert "Jane Roe" in table.inner_text() and "Global Situation Room" in table.inner_text()
    page.screenshot(path=str(SHOTS / "speakers.png"))
    table.locator("text=Brett Bruen").first.click()
    page.locator("#chat [data-testid='user']", has_text="What did Brett Bruen say?").wait_for(timeout=30_000)
    page.wait_for_function(
        "() => [...document.querySelectorAll('#chat [data-testid=\"bot\"]')].pop()"
        ".innerText.includes('Global Situation Room')",
        timeout=60_000,
    )


def test_delete_an_article_from_the_library(page):
    page.get_by_role("tab", name="Library").click()
    table = page.locator("#library")
    table.locator("text=Test Gazette").first.click()
    page.locator("#delete").click()
    page.locator("#ingest-result", has_text="Deleted").wait_for(timeout=30_000)
    page.wait_for_function("() => !document.querySelector('#library').innerText.includes('Test Gazette')")
    assert "Ukraine is apparently offering" in table.inner_text()
    page.get_by_role("tab", name="Chat").click()
    bubble = ask(page, "What did Jane Roe say about the bridge?")
    assert bubble.locator(".abstained").count() == 1


def test_date_filter_in_settings_restricts_the_evidence(page):
    page.get_by_role("tab", name="Chat").click()
    page.get_by_text("Settings: answer mode and filters").click()
    since = page.locator("#since input, #since textarea").first
    since.fill("2026-01-01")
    bubble = ask(page, "What did Bruen say Ukraine needs?")
    assert bubble.locator(".abstained").count() == 1  # the only Bruen article is from 2025
    since.fill("last week")
    n = page.locator("#chat [data-testid='bot']").count()
    box = page.locator("#question textarea")
    box.fill("What did Bruen say Ukraine needs?")
    box.press("Enter")
    page.get_by_text("since must be a date like 2025-12-15").first.wait_for(timeout=30_000)
    assert page.locator("#chat [data-testid='bot']").count() == n  # the chat is unchanged
    since.fill("")
    bubble = ask(page, "What did Bruen say Ukraine needs?")
    assert "Ukraine needs insurance" in bubble.inner_text()
