"""Files -> Document: metadata plus clean text.

Scope: the scraped-article text form of the seed (headline, doubled timestamp, caption and
trailer), Markdown with YAML front matter, plain text, HTML (trafilatura) and PDF (pypdf);
decoding of non-UTF-8 text. PDF and HTML are parsed within the limits of `settings` (pages,
inflated bytes, text, elements, nesting: rag/limits.py). Non-goals: fetching URLs, splitting
into passages.
Every failure is a LoadError whose message names the file and the problem.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rag.types import Document

if TYPE_CHECKING:
    from rag.config import Settings

SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm", ".pdf"}

_STAMP = r"[A-Z][a-z]+ \d{1,2}, \d{4}(?:,? \d{1,2}:\d{2})?"
_STAMP_LINE = re.compile(rf"^\s*(?P<ts>{_STAMP})(?:\s*(?P=ts))?\s*$")
_CAPTION = re.compile(r"Image:\s*[^.!?]{1,80}$")
_TRAILER = re.compile(r"^(More about .{0,80}:|Sources used:|Read more:|Related articles?:)\s*$")
_FRONT = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)


class LoadError(ValueError):
    """A file that cannot become a Document; the message says which and why."""


def content_id(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def decode(data: bytes, name: str) -> str:
    """Bytes -> str: UTF-8 (with or without BOM), else cp1252, else latin-1."""
    if not data.strip():
        raise LoadError(f"{name}: the file is empty")
    if b"\x00" in data[:4096] or data[:8] == b"\x89PNG\r\n\x1a\n":
        raise LoadError(f"{name}: looks like a binary file, not text")
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def parse_date(value: Any) -> str | None:
    """Dates in the forms articles use -> ISO 'YYYY-MM-DD'; None when unparseable."""
    if value is None:
        return None
    if hasattr(value, "isoformat"):
        return str(value.isoformat())[:10]
    s = str(value).strip()
    if re.match(r"^\d{4}-\d{2}-\d{2}", s):
        try:
            return date.fromisoformat(s[:10]).isoformat()
        except ValueError:
            return None
    s = re.sub(r",? \d{1,2}:\d{2}.*$", "", s)
    for fmt in ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y"):
        try:
            return datetime.strptime(s, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def _paragraphs(body: str) -> list[str]:
    """Blank-line separated paragraphs (or one per line when there are no blank lines)."""
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    blocks = re.split(r"\n\s*\n", body) if re.search(r"\n\s*\n", body) else body.split("\n")
    out = []
    for block in blocks:
        text = " ".join(line.strip() for line in block.split("\n"))
        text = re.sub(r"^#{1,6}\s+", "", re.sub(r"[ \t\u00a0]+", " ", text)).strip()
        if text:
            out.append(text)
    return out


def make_document(title: str, paragraphs: list[str], source_key: str, **meta: Any) -> Document:
    """Assemble the clean text (headline, blank line, paragraphs) and its content id."""
    title = re.sub(r"\s+", " ", title).strip()
    paragraphs = [p for p in paragraphs if p.strip()]
    if not paragraphs:
        raise LoadError(f"{source_key}: no text found")
    text = "\n\n".join([title, *paragraphs]) if title else "\n\n".join(paragraphs)
    return Document(doc_id=content_id(text), title=title, text=text, source_key=source_key, **meta)


def parse_scraped(text: str, source_key: str) -> Document | None:
    """The seed's scraped form; None when `text` is not in it."""
    lines = [ln.strip() for ln in text.replace("\r\n", "\n").split("\n")]
    lines = [ln for ln in lines if ln]
    if len(lines) < 3 or not (m := _STAMP_LINE.match(lines[1])):
        return None
    body, outlet = [], None
    for i, line in enumerate(lines[2:], start=2):
        if _TRAILER.match(line):
            rest = lines[i:]
            if "Sources used:" in rest:
                srcs = [s.lstrip("-• ").strip() for s in rest[rest.index("Sources used:") + 1 :]]
                outlet = "; ".join(s for s in srcs if s) or None
            break
        if _CAPTION.search(line):
            continue  # an image caption glued to its credit, not article text
        body.append(line)
    return make_document(lines[0], body, source_key, published=parse_date(m.group("ts")), source=outlet)


def parse_markdown(text: str, source_key: str) -> Document:
    import yaml

    meta: dict[str, Any] = {}
    warnings: list[str] = []
    if m := _FRONT.match(text):
        try:
            loaded = yaml.safe_load(m.group(1))
            meta = loaded if isinstance(loaded, dict) else {}
        except (yaml.YAMLError, ValueError) as exc:  # PyYAML raises ValueError for 2024-13-45
            # the body is still the article: keep it, read what "key: value" lines can be read,
            # and say what was wrong
            meta = _lenient_front(m.group(1))
            why = " ".join(str(exc).split())[:160]
            warnings.append(f"bad YAML front matter ({why}); read the body and {len(meta)} plain field(s)")
        text = text[m.end() :]
    paras = _paragraphs(text)
    title = str(meta.get("title") or "")
    if not title and paras and len(paras) > 1 and len(paras[0]) <= 200:
        title = paras.pop(0)
    doc = make_document(
        title or Path(source_key).stem,
        paras,
        source_key,
        published=parse_date(meta.get("published") or meta.get("date")),
        source=_str(meta.get("source")),
        url=_str(meta.get("url")),
        author=_str(meta.get("author")),
        licence=_str(meta.get("licence") or meta.get("license")),
    )
    return replace(doc, warnings=tuple(warnings)) if warnings else doc


def _lenient_front(block: str) -> dict[str, Any]:
    """`key: value` lines of a front matter YAML could not read (quotes stripped)."""
    out: dict[str, Any] = {}
    for line in block.splitlines():
        if m := re.match(r"^([A-Za-z_][\w-]*):\s*(.*?)\s*$", line):
            value = m.group(2).strip().strip("\"'")
            if value:
                out.setdefault(m.group(1).lower(), value)
    return out


def _str(v: Any) -> str | None:
    return None if v is None else str(v)


def parse_text(text: str, source_key: str) -> Document:
    return parse_scraped(text, source_key) or parse_markdown(text, source_key)


def parse_html(
    html: str, source_key: str, url: str | None = None, *, settings: Settings | None = None
) -> Document:
    import trafilatura

    from rag.limits import check_text, html_tree

    tree = html_tree(html, source_key, settings)  # refused past the element and nesting limits
    try:
        data = trafilatura.bare_extraction(
            html if tree is None else tree, url=url, with_metadata=True, favor_precision=True
        )
    except Exception as exc:  # trafilatura raises many kinds on broken markup
        raise LoadError(f"{source_key}: could not parse HTML: {exc}") from exc
    if data is None:
        raise LoadError(f"{source_key}: no article text found in the HTML")
    d = data.as_dict() if hasattr(data, "as_dict") else dict(data)
    body = check_text(d.get("text") or "", source_key, settings)
    return make_document(
        d.get("title") or Path(source_key).stem,
        _paragraphs(body.replace("\n", "\n\n")),
        source_key,
        published=parse_date(d.get("date")),
        source=d.get("sitename"),
        url=url or d.get("url"),
        author=d.get("author"),
    )


def parse_pdf(data: bytes, source_key: str, *, settings: Settings | None = None) -> Document:
    from rag.limits import pdf_text

    pdf = pdf_text(data, source_key, settings)  # refused past the page, inflate, text, time limits
    paras = [p for page in pdf.pages for p in _paragraphs(page)]
    return make_document(pdf.title or Path(source_key).stem, paras, source_key, author=pdf.author)


MAX_FILE_BYTES = 20_000_000  # a news article or policy text is far smaller


def safe_name(name: str) -> str:
    """The file name alone, printable: no folders ("../../etc/passwd" -> "passwd"), no control
    characters; it becomes the article's source key and is shown to users."""
    base = re.split(r"[\\/]", name)[-1]
    base = "".join(ch if ch.isprintable() else "_" for ch in base).strip(" .")
    return base or "unnamed"


def _too_big(name: str, size: int, max_bytes: int) -> LoadError:
    return LoadError(
        f"{name}: the file is {size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB (RAG_MAX_FILE_MB)"
    )


def load_bytes(
    data: bytes,
    name: str,
    url: str | None = None,
    max_bytes: int = MAX_FILE_BYTES,
    *,
    settings: Settings | None = None,
) -> Document:
    """Parse one file's bytes by its name's suffix (PDF and HTML within `settings`' limits;
    None: the default limits)."""
    name = safe_name(name)
    if len(data) > max_bytes:
        raise _too_big(name, len(data), max_bytes)
    suffix = Path(name).suffix.lower()
    if suffix == ".pdf":
        if not data.startswith(b"%PDF"):
            raise LoadError(f"{name}: has a .pdf name but is not a PDF")
        return parse_pdf(data, name, settings=settings)
    if suffix not in SUFFIXES:
        raise LoadError(
            f"{name}: unsupported file type {suffix or '(none)'}; use one of " + ", ".join(sorted(SUFFIXES))
        )
    text = decode(data, name)
    if suffix in (".html", ".htm"):
        return parse_html(text, name, url, settings=settings)
    return parse_text(text, name)


def load_path(path: Path, max_bytes: int = MAX_FILE_BYTES, *, settings: Settings | None = None) -> Document:
    try:
        size = path.stat().st_size
        if size > max_bytes:  # refuse before reading 50 MB into memory
            raise _too_big(safe_name(path.name), size, max_bytes)
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError(f"{safe_name(path.name)}: cannot read: {exc.strerror}") from exc
    return load_bytes(data, path.name, max_bytes=max_bytes, settings=settings)
