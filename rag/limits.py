"""Bounded parsing of untrusted PDFs and HTML: the Settings limits, checked while the work is done.

Scope: a PDF's page count (its declared /Count first, then the page tree, which pypdf walks no
further than the limit allows), the bytes its compressed streams inflate to (any one stream,
through pypdf's Configuration; the page contents in total, counted here), the text it yields
(page by page) and the time extraction takes (checked at every content operation, form XObjects'
included, so one page cannot outlast it); an HTML page's element count and nesting depth (on the
lxml tree trafilatura then extracts from, so it is parsed once) and the text it yields. Every
refusal is a LoadError naming the file, the limit and the setting that raises it.
Non-goals: isolating the parsers in a subprocess with hard memory limits (memory is bounded by
the per-stream cap times what pypdf's parsers make of a stream, measured in
bench/hostile_inputs.py), images and OCR, counting form XObjects' and fonts' bytes in the total
(each is capped as one stream), interrupting one pypdf parse of one stream (bounded by
`_TOKENS_PER_STREAM`).
"""

from __future__ import annotations

import io
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rag.config import Settings
from rag.load import LoadError

if TYPE_CHECKING:
    from lxml.html import HtmlElement
    from pypdf import PageObject, PdfReader

# Operators and operands pypdf parses in one content stream before anything is extracted (its
# default is 2,000,000: about 90 s of extraction on a 2-core machine). Real pages hold ~1-20
# thousand; 300,000 parse in about 2 s, the most the deadline can be overrun by.
_TOKENS_PER_STREAM = 300_000


class _OutOfTime(Exception):
    """Raised from pypdf's visitor callback to stop an extraction that ran out of time."""


def limits(settings: Settings | None) -> Settings:
    """The settings to parse with: the given ones, else the defaults (not the environment)."""
    return settings if settings is not None else Settings.model_construct()


@dataclass(frozen=True)
class PdfText:
    pages: list[str]
    title: str | None
    author: str | None


def _pypdf_limits(s: Settings) -> dict[str, int]:
    cap = int(s.pdf_max_stream_mb * 1_000_000)
    return {
        "zlib_maximum_output_length": cap,
        "lzw_maximum_output_length": cap,
        "run_length_maximum_output_length": cap,
        "brotli_maximum_output_length": cap,
        "jbig2_maximum_output_length": cap,
        "array_based_stream_maximum_output_length": cap,
        "stream_decoding_work_maximum_length": 4 * cap,
        "stream_parsing_work_maximum_count": _TOKENS_PER_STREAM,
        "page_tree_maximum_entries": 2 * s.pdf_max_pages + 16,
    }


def _too_many_pages(name: str, pages: str, s: Settings) -> LoadError:
    return LoadError(
        f"{name}: {pages} pages; the limit is {s.pdf_max_pages:,} (RAG_PDF_MAX_PAGES); "
        "split the document or raise the limit"
    )


def _limit_error(name: str, exc: Exception, s: Settings) -> LoadError:
    """pypdf's LimitReachedError, said in terms of our settings."""
    msg = str(exc)
    if any(w in msg for w in ("decompress", "decoding work", "output bytes")):
        return LoadError(
            f"{name}: a compressed stream inflates past {s.pdf_max_stream_mb:g} MB "
            f"(RAG_PDF_MAX_STREAM_MB), refused as a possible decompression bomb ({msg})"
        )
    if "page tree" in msg:
        return _too_many_pages(name, f"more than {s.pdf_max_pages:,}", s)
    if "tokens" in msg:
        return LoadError(
            f"{name}: a content stream has more than {_TOKENS_PER_STREAM:,} operators and operands ({msg})"
        )
    return LoadError(f"{name}: refused: the PDF passes one of pypdf's parsing limits ({msg})")


# The operators that can add text (pypdf 7 skips content without them unless given a visitor).
_TEXT_OPERATOR = re.compile(rb"T[jJ]|Do|['\"]")


def _content(page: PageObject) -> bytes:
    """The page's content streams, inflated (once: pypdf keeps the result for extraction)."""
    from pypdf.generic import ArrayObject, StreamObject

    if "/Contents" not in page:
        return b""
    obj = page["/Contents"]
    parts = [x.get_object() for x in obj] if isinstance(obj, ArrayObject) else [obj]
    return b"\n".join(x.get_data() for x in parts if isinstance(x, StreamObject))


def _check_page_count(reader: PdfReader, name: str, s: Settings) -> int:
    root_pages: Any = reader.root_object["/Pages"]
    declared = root_pages.get_object().get("/Count") if root_pages is not None else None
    if isinstance(declared, int) and declared > s.pdf_max_pages:
        raise _too_many_pages(name, f"{declared:,}", s)  # before the page tree is walked
    n = len(reader.pages)  # a /Count that lies: the walk stops at page_tree_maximum_entries
    if n > s.pdf_max_pages:
        raise _too_many_pages(name, f"{n:,}", s)
    return n


def _extract(reader: PdfReader, name: str, s: Settings, n: int) -> list[str]:
    cap = int(s.pdf_max_inflate_mb * 1_000_000)
    t0 = time.monotonic()
    late = False

    def on_time(*_: object) -> None:  # pypdf calls it before every operator
        nonlocal late
        if late or time.monotonic() - t0 > s.pdf_timeout:
            late = True  # kept: pypdf logs and skips what a form XObject raises
            raise _OutOfTime

    inflated = chars = 0
    out: list[str] = []
    for i, page in enumerate(reader.pages, 1):
        content = _content(page)
        inflated += len(content)
        if inflated > cap:
            raise LoadError(
                f"{name}: the page contents inflate past {s.pdf_max_inflate_mb:g} MB in total by page "
                f"{i} of {n} (RAG_PDF_MAX_INFLATE_MB), refused as a possible decompression bomb"
            )
        if not _TEXT_OPERATOR.search(content):
            out.append("")  # a figure or a blank page: what pypdf gives, without parsing it
            continue
        try:
            text = page.extract_text(visitor_operand_before=on_time) or ""
        except _OutOfTime:
            late = True
        if late:
            raise LoadError(
                f"{name}: text extraction took over {s.pdf_timeout:g} s, stopped on page {i} of {n} "
                "(RAG_PDF_TIMEOUT)"
            )
        chars += len(text)
        if chars > s.max_text_chars:
            raise LoadError(
                f"{name}: more than {s.max_text_chars:,} characters of text by page {i} of {n} "
                "(RAG_MAX_TEXT_CHARS); split the document or raise the limit"
            )
        out.append(text)
    return out


def pdf_text(data: bytes, name: str, settings: Settings | None = None) -> PdfText:
    """Each page's text, the title and author, within the limits of `settings`."""
    from pypdf import PdfReader, apply_configuration
    from pypdf.errors import LimitReachedError, PyPdfError

    s = limits(settings)
    with apply_configuration(None, **_pypdf_limits(s)):
        try:
            reader = PdfReader(io.BytesIO(data))
            n = _check_page_count(reader, name, s)
            pages = _extract(reader, name, s, n)
            info = reader.metadata
            title = str(info.title) if info and info.title else None
            author = info.author if info else None
        except LoadError:
            raise
        except LimitReachedError as exc:
            raise _limit_error(name, exc, s) from exc
        except (PyPdfError, ValueError, OSError, KeyError, TypeError, AttributeError) as exc:
            raise LoadError(f"{name}: not a readable PDF: {exc}") from exc
    return PdfText(pages, title, author)


def html_tree(html: str, name: str, settings: Settings | None = None) -> HtmlElement | None:
    """The page parsed as trafilatura parses it (None: not HTML), refused when it has more
    elements or deeper nesting than `settings` allow."""
    from lxml import etree
    from trafilatura import load_html

    s = limits(settings)
    tree = load_html(html)
    if tree is None:
        return None
    elements = depth = 0
    for event, _ in etree.iterwalk(tree, events=("start", "end")):
        if event == "end":
            depth -= 1
            continue
        elements += 1
        depth += 1
        if elements > s.html_max_elements:
            raise LoadError(
                f"{name}: more than {s.html_max_elements:,} HTML elements (RAG_HTML_MAX_ELEMENTS); "
                "save the article's own text instead, or raise the limit"
            )
        if depth > s.html_max_depth:
            raise LoadError(
                f"{name}: HTML nested more than {s.html_max_depth} elements deep (RAG_HTML_MAX_DEPTH)"
            )
    return tree


def check_text(text: str, name: str, settings: Settings | None = None) -> str:
    """`text`, unless it is longer than the extracted-text limit."""
    s = limits(settings)
    if len(text) > s.max_text_chars:
        raise LoadError(
            f"{name}: {len(text):,} characters of text; the limit is {s.max_text_chars:,} "
            "(RAG_MAX_TEXT_CHARS); split the document or raise the limit"
        )
    return text
