"""The Gradio app: rendering (pure) and the `/ask` API of a real running app (gradio_client)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from rag.types import Answer, Citation, Passage, RetrievedPassage
from rag.ui import render_answer, render_sources
from tests.conftest import DATA

ROOT = Path(__file__).resolve().parent.parent


def _answer(quote: str, text: str) -> Answer:
    p = Passage("p1", "d1", text, 0, len(text), 4)
    start = text.index(quote)
    c = Citation(
        1,
        quote,
        "Brett Bruen",
        "an adviser",
        "d1",
        "A <b>title</b>",
        "2025-12-15",
        "Reuters",
        "p1",
        4,
        start,
        start + len(quote),
        True,
    )
    return Answer("q", f"“{quote}” [1]", False, (c,), (RetrievedPassage(p, 1.0),))


def test_render_escapes_html_and_shows_citation():
    a = _answer("<img src=x onerror=alert(1)>", "He wrote <img src=x onerror=alert(1)> today.")
    md = render_answer(a)
    assert "<img" not in md and "&lt;img" in md
    assert "December 15, 2025" in md and "¶ 4" in md and "Brett Bruen" in md
    src = render_sources(a)
    assert "<mark>&lt;img src=x onerror=alert(1)&gt;</mark>" in src
    assert "A &lt;b&gt;title&lt;/b&gt;" in src


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_running_app_answers_through_the_api(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "RAG_STORE_DIR": str(tmp_path / "store"),
        "RAG_CORPUS_DIR": str(DATA),
        "RAG_PORT": str(port),
        "HF_HUB_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
    }
    log = (tmp_path / "app.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "app.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        for _ in range(120):
            try:
                if urllib.request.urlopen(url, timeout=2).status == 200:
                    break
            except OSError:
                time.sleep(1)
        else:
            pytest.fail("app did not start: " + (tmp_path / "app.log").read_text())
        from gradio_client import Client

        client = Client(url, verbose=False)
        a = client.predict("What did Bruen say Ukraine needs?", "[]", api_name="/ask")
        assert not a["abstained"]
        assert any(
            c["speaker"] == "Brett Bruen" and c["quote"].startswith("Ukraine needs insurance")
            for c in a["citations"]
        )
        texts = {p["passage_id"]: p["text"] for p in a["passages"]}
        assert all(texts[c["passage_id"]][c["start"] : c["end"]] == c["quote"] for c in a["citations"])
        follow = client.predict(
            "And who does he work for?",
            '[{"role": "user", "content": "What did Justin Logan say?"}]',
            api_name="/ask",
        )
        assert "Cato Institute" in follow["answer"]
        with pytest.raises(Exception, match="empty"):
            client.predict("   ", "[]", api_name="/ask")
        assert proc.poll() is None  # a bad request does not take the server down
        again = client.predict("Who is Brett Bruen?", "[]", api_name="/ask")
        assert "Global Situation Room" in again["answer"]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
