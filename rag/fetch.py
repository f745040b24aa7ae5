"""Fetch one article from a URL, with limits, and turn it into a Document.

Scope: http(s) only, a timeout, a byte limit (read no further than it), a content-type check
(HTML, plain text/Markdown, PDF), redirects only to http(s); every failure is a FetchError
whose message names the URL and the problem. Non-goals: crawling, JavaScript-rendered pages,
robots.txt, cookies. Loopback and private addresses are allowed: the app runs for its owner,
on 127.0.0.1 by default (put it behind a proxy that blocks them before exposing it).
"""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlparse

from rag.load import LoadError, decode, parse_html, parse_pdf, parse_text
from rag.types import Document

TYPES = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/plain": "text",
    "text/markdown": "text",
    "text/x-markdown": "text",
    "application/pdf": "pdf",
}


class FetchError(LoadError):
    """A URL that could not be fetched or is not an article; the message says why."""


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    content_type: str
    data: bytes


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urlparse(newurl).scheme not in ("http", "https"):
            raise FetchError(f"{req.full_url}: redirects to {newurl!r}, which is not http(s)")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def check_url(url: str) -> str:
    url = url.strip()
    u = urlparse(url)
    if u.scheme not in ("http", "https") or not u.hostname:
        raise FetchError(f"{url!r} is not an http(s) URL; give one like https://example.org/article")
    return url


def fetch_url(url: str, timeout: float = 15.0, max_bytes: int = 20_000_000) -> Fetched:
    """GET `url`; at most `max_bytes` are read, and a slow server fails after `timeout` seconds."""
    url = check_url(url)
    opener = urllib.request.build_opener(_HttpOnlyRedirects())
    req = urllib.request.Request(url, headers={"User-Agent": "sourced-news-qa/0.1"})
    try:
        with opener.open(req, timeout=timeout) as resp:
            ctype = resp.headers.get_content_type()
            if ctype not in TYPES:
                raise FetchError(f"{url}: content type {ctype} is not an article; need HTML, text or PDF")
            length = resp.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise FetchError(f"{url}: {int(length):,} bytes is over the {max_bytes:,}-byte limit")
            data = resp.read(max_bytes + 1)
            final = resp.geturl()
    except FetchError:
        raise
    except urllib.error.HTTPError as exc:
        raise FetchError(f"{url}: the server answered {exc.code} {exc.reason}") from exc
    except TimeoutError as exc:
        raise FetchError(f"{url}: no answer within {timeout:g} s") from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, TimeoutError):
            raise FetchError(f"{url}: no answer within {timeout:g} s") from exc
        raise FetchError(f"{url}: could not fetch: {reason}") from exc
    if len(data) > max_bytes:
        raise FetchError(f"{url}: more than the {max_bytes:,}-byte limit")
    return Fetched(final, ctype, data)


def load_url(url: str, timeout: float = 15.0, max_bytes: int = 20_000_000) -> Document:
    """Fetch and parse: HTML through trafilatura, PDF through pypdf, text as Markdown/plain."""
    f = fetch_url(url, timeout, max_bytes)
    kind = TYPES[f.content_type]
    if kind == "pdf":
        if not f.data.startswith(b"%PDF"):
            raise FetchError(f"{url}: says it is a PDF but is not one")
        return parse_pdf(f.data, f.url)
    text = decode(f.data, f.url)
    if kind == "html":
        return parse_html(text, f.url, url=f.url)
    return parse_text(text, f.url)
