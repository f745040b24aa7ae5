"""URL ingest against a real HTTP server on loopback: limits, content types, redirects, errors."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from rag.fetch import FetchError, fetch_url, load_url

ARTICLE = """<!doctype html><html><head><title>Harbour plan approved</title>
<meta property="og:site_name" content="Loopback Times">
<meta name="date" content="2025-10-01"></head><body><article>
<h1>Harbour plan approved</h1>
<p>The city council approved the new harbour plan on Tuesday after a long debate about costs.</p>
<p>"This harbour will bring jobs back to the waterfront for a generation," said Maria Lopez, the city's mayor.</p>
<p>Construction is expected to start in the spring and last three years, officials said.</p>
</article></body></html>"""


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def send(self, body: bytes, ctype: str, status: int = 200, length: bool = True) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        path = self.path
        if path == "/article.html":
            self.send(ARTICLE.encode(), "text/html; charset=utf-8")
        elif path == "/notes.md":
            self.send(b"# Notes\n\nThe ferry will run every hour from May, the port said.", "text/markdown")
        elif path == "/slow":
            time.sleep(3)
            self.send(ARTICLE.encode(), "text/html")
        elif path == "/big":
            self.send(b"<p>" + b"x" * 5000 + b"</p>", "text/html")
        elif path == "/big-unannounced":
            self.send(b"<p>" + b"y" * 5000 + b"</p>", "text/html", length=False)
            self.close_connection = True
        elif path == "/image":
            self.send(b"\x89PNG\r\n\x1a\n" + bytes(32), "image/png")
        elif path == "/fake.pdf":
            self.send(b"<html>not a pdf</html>", "application/pdf")
        elif path == "/to-file":
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.end_headers()
        elif path == "/to-article":
            self.send_response(301)
            self.send_header("Location", "/article.html")
            self.end_headers()
        else:
            self.send(b"nope", "text/plain", status=404)


@contextmanager
def loopback_server() -> Iterator[str]:
    """Handler on a free loopback port (ARTICLE at /article.html); yields the base URL."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with loopback_server() as url:
        yield url


def test_html_article_is_extracted_with_trafilatura(server):
    doc = load_url(server + "/article.html")
    assert doc.title == "Harbour plan approved"
    assert "bring jobs back to the waterfront" in doc.text and "<p>" not in doc.text
    assert doc.url == server + "/article.html" and doc.source_key == doc.url


def test_redirect_within_http_is_followed_and_the_final_url_kept(server):
    doc = load_url(server + "/to-article")
    assert doc.url == server + "/article.html"


def test_markdown_url(server):
    doc = load_url(server + "/notes.md")
    assert doc.title == "Notes" and "ferry will run every hour" in doc.text


@pytest.mark.parametrize(
    ("path", "kwargs", "message"),
    [
        ("/slow", {"timeout": 0.5}, "no answer within 0.5 s"),
        ("/big", {"max_bytes": 1000}, "over the 1,000-byte limit"),
        ("/big-unannounced", {"max_bytes": 1000}, "more than the 1,000-byte limit"),
        ("/image", {}, "content type image/png is not an article"),
        ("/fake.pdf", {}, "says it is a PDF but is not one"),
        ("/to-file", {}, "file:///etc/passwd. is not allowed"),
        ("/missing", {}, "the server answered 404"),
    ],
)
def test_bad_urls_fail_with_a_clear_reason(server, path, kwargs, message):
    with pytest.raises(FetchError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_url(server + path, **kwargs)


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://127.0.0.1/x", "javascript:alert(1)", "127.0.0.1/x", ""]
)
def test_only_http_urls_are_fetched(url):
    with pytest.raises(FetchError, match="not an http"):
        fetch_url(url)


def test_nothing_listening_is_a_clear_error():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(FetchError, match="could not fetch"):
        fetch_url(f"http://127.0.0.1:{port}/", timeout=2)
