"""Fetch one article from a URL, with limits, and turn it into a Document.

Scope: http(s) GET only; each hop's host resolved once, every address it resolves to vetted
(addresses.py: loopback, private, link-local, CGNAT, multicast, reserved… are refused unless
`Settings.url_allow_private`), and the socket connected to that vetted address while the Host
header, TLS SNI and certificate check use the URL's name, so a second DNS answer can never
swap the target (no rebinding); redirects followed by hand (at most 10, http(s) only, every
hop vetted the same way); one deadline for the whole fetch (connect, TLS, headers, body; a
watchdog shuts the socket when it passes, so a server trickling a byte a second is cut at it);
the byte limit applied to the body as it streams in, not only to Content-Length; a
content-type check (HTML, plain text/Markdown, PDF). Every failure is a FetchError whose
message names the URL and the problem. Non-goals: crawling, JavaScript-rendered pages,
robots.txt, cookies, proxies (the connection is always direct), compressed transfer encodings;
the DNS lookup itself is bounded by the system resolver's own timeout, not by the deadline.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from rag import addresses
from rag.config import Settings
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
MAX_REDIRECTS = 10
_REDIRECTS = (301, 302, 303, 307, 308)
_HEADERS = {"User-Agent": "sourced-news-qa/0.1", "Accept-Encoding": "identity"}
_OPT_IN = "set RAG_URL_ALLOW_PRIVATE=true to allow"


class FetchError(LoadError):
    """A URL that could not be fetched or is not an article; the message says why."""


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    content_type: str
    data: bytes


class Deadline:
    """One clock for a whole fetch. Sockets it watches are shut down when it runs out, which
    wakes any read blocked on them (a per-read timeout alone never fires on a trickle)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self.expired = False
        self._lock = threading.Lock()
        self._watched: list[socket.socket] = []  # duplicates: they outlive a TLS wrap's detach
        self._timer = threading.Timer(max(seconds, 0.0), self._expire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        """Seconds left; TimeoutError when none are."""
        left = self.end - time.monotonic()
        if left <= 0 or self.expired:
            self.expired = True
            raise TimeoutError(f"the {self.seconds:g} s deadline passed")
        return left

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._watched.append(sock.dup())
            if self.expired:
                self._shutdown()

    def _shutdown(self) -> None:
        for s in self._watched:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            self._shutdown()

    def close(self) -> None:
        self._timer.cancel()
        with self._lock:
            for s in self._watched:
                s.close()
            self._watched.clear()


def _connect(family: int, sockaddr: tuple[object, ...], timeout: float) -> socket.socket:
    """A TCP socket connected to exactly `sockaddr` (tests redirect it to a loopback server)."""
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect(sockaddr)
    except BaseException:
        sock.close()
        raise
    return sock


def _tls_context() -> ssl.SSLContext:
    return ssl.create_default_context()


def vetted_targets(url: str, host: str, port: int, allow_private: bool) -> list[addresses.Target]:
    """Resolve `host` once; refuse it if any address it resolves to is not public."""
    try:
        found = addresses.resolve(host, port)
    except (OSError, UnicodeError) as exc:
        raise FetchError(f"{url}: could not resolve {host}: {exc}") from exc
    for ip, _ in found:
        if not allow_private and (kind := addresses.address_kind(ip)):
            what = f"{ip} is {addresses.describe(kind)}"
            if not _is_ip(host):
                what = f"{host} resolves to {ip}, {addresses.describe(kind)}"
            raise FetchError(f"{url}: refused: {what}; {_OPT_IN}")
    return [target for _, target in found]


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _open(url: str, deadline: Deadline, allow_private: bool) -> http.client.HTTPConnection:
    """A connection to `url`'s vetted address, the request sent (headers not yet read)."""
    u = urlsplit(url)
    try:  # a name in any script becomes its ASCII (IDNA) form, for DNS, Host and SNI alike
        host = (u.hostname or "").encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise FetchError(f"{url}: {u.hostname!r} is not a valid host name ({exc})") from exc
    https = u.scheme == "https"
    port = u.port or (443 if https else 80)
    targets = vetted_targets(url, host, port, allow_private)
    sock: socket.socket | None = None
    last: OSError | None = None
    for family, sockaddr in targets:
        try:
            sock = _connect(family, sockaddr, deadline.remaining())
            break
        except OSError as exc:
            if deadline.expired:
                raise
            last = exc
    if sock is None:
        raise last or OSError(f"no address to connect to for {host}")
    deadline.watch(sock)
    conn: http.client.HTTPConnection
    try:
        sock.settimeout(deadline.remaining())
        if https:
            # SNI and the certificate check use the URL's name, never the address connected to.
            sock = _tls_context().wrap_socket(sock, server_hostname=host)
            conn = http.client.HTTPSConnection(host, port, timeout=deadline.remaining())
        else:
            conn = http.client.HTTPConnection(host, port, timeout=deadline.remaining())
        conn.sock = sock  # already connected: http.client never resolves the name again
        target = (u.path or "/") + (f"?{u.query}" if u.query else "")
        conn.request("GET", target, headers=_HEADERS)
    except BaseException:
        sock.close()
        raise
    return conn


def _read_body(url: str, resp: http.client.HTTPResponse, max_bytes: int, deadline: Deadline) -> bytes:
    buf = bytearray()
    while True:
        deadline.remaining()
        chunk = resp.read1(min(65536, max_bytes + 1 - len(buf)))
        if not chunk:
            break
        buf += chunk
        if len(buf) > max_bytes:
            raise FetchError(f"{url}: more than the {max_bytes:,}-byte limit (RAG_MAX_FILE_MB)")
    deadline.remaining()  # a read the watchdog cut short is not the end of the body
    if resp.length:
        raise FetchError(f"{url}: the connection closed {resp.length:,} bytes before the end of the body")
    return bytes(buf)


def _get(url: str, max_bytes: int, deadline: Deadline, allow_private: bool) -> Fetched:
    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        conn = _open(current, deadline, allow_private)
        try:
            resp = conn.getresponse()
            location = resp.getheader("Location")
            if resp.status in _REDIRECTS and location:
                nxt = urljoin(current, location.strip())
                if urlsplit(nxt).scheme not in ("http", "https"):
                    raise FetchError(f"{url}: redirect to {nxt!r} is not allowed (only http and https)")
                current = nxt
                continue
            if not 200 <= resp.status < 300:
                raise FetchError(f"{url}: the server answered {resp.status} {resp.reason}")
            ctype = resp.headers.get_content_type()
            if ctype not in TYPES:
                raise FetchError(f"{url}: content type {ctype} is not an article; need HTML, text or PDF")
            length = resp.getheader("Content-Length") or ""
            if length.isdigit() and int(length) > max_bytes:
                raise FetchError(f"{url}: {int(length):,} bytes is over the {max_bytes:,}-byte limit")
            return Fetched(current, ctype, _read_body(url, resp, max_bytes, deadline))
        finally:
            conn.close()
    raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects")


def check_url(url: str) -> str:
    url = url.strip()
    u = urlsplit(url)
    if u.scheme not in ("http", "https") or not u.hostname:
        raise FetchError(f"{url!r} is not an http(s) URL; give one like https://example.org/article")
    try:
        u.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise FetchError(f"{url!r}: bad port: {exc}") from exc
    return url


def fetch_url(
    url: str, timeout: float = 15.0, max_bytes: int = 20_000_000, *, allow_private: bool = False
) -> Fetched:
    """GET `url`: the whole fetch (every redirect, connect, headers and body) ends within
    `timeout` seconds, at most `max_bytes` of body are read, and only public addresses are
    connected to unless `allow_private`."""
    url = check_url(url)
    deadline = Deadline(timeout)
    try:
        return _get(url, max_bytes, deadline, allow_private)
    except FetchError:
        raise
    except (OSError, http.client.HTTPException, ValueError) as exc:
        if deadline.expired or isinstance(exc, TimeoutError):
            raise FetchError(
                f"{url}: not fetched within {timeout:g} s (RAG_URL_TIMEOUT bounds the whole fetch)"
            ) from exc
        raise FetchError(f"{url}: could not fetch: {exc}") from exc
    finally:
        deadline.close()


def load_url(
    url: str,
    timeout: float | None = None,
    max_bytes: int | None = None,
    *,
    settings: Settings | None = None,
) -> Document:
    """Fetch and parse: HTML through trafilatura, PDF through pypdf, text as Markdown/plain.
    `settings` (None: the defaults) gives the timeout, the byte limit, `url_allow_private` and
    the parsing limits; `timeout` and `max_bytes`, when given, override the first two."""
    s = settings or Settings.model_construct()
    f = fetch_url(
        url,
        s.url_timeout if timeout is None else timeout,
        int(s.max_file_mb * 1_000_000) if max_bytes is None else max_bytes,
        allow_private=s.url_allow_private,
    )
    kind = TYPES[f.content_type]
    if kind == "pdf":
        if not f.data.startswith(b"%PDF"):
            raise FetchError(f"{url}: says it is a PDF but is not one")
        return parse_pdf(f.data, f.url, settings=s)
    text = decode(f.data, f.url)
    if kind == "html":
        return parse_html(text, f.url, url=f.url, settings=s)
    return parse_text(text, f.url)
