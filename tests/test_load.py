from __future__ import annotations

import io
import time
import zlib

import pytest

from rag.config import Settings
from rag.load import LoadError, decode, load_bytes, load_path, parse_date
from tests.conftest import SEED


def test_seed_scraped_form_is_cleaned():
    doc = load_path(SEED)
    assert doc.title.startswith("Ukraine is apparently offering not to join NATO.")
    assert doc.published == "2025-12-15"
    assert doc.source == "Reuters news agency"
    assert doc.text.startswith(doc.title + "\n\n")
    assert "Image: keystone" not in doc.text
    assert "is said to have agreed not to allow" not in doc.text  # the caption line
    assert "More about the war" not in doc.text and "Sources used" not in doc.text
    assert "December 15, 2025, 04:20" not in doc.text
    assert doc.text.rstrip().endswith("when in doubt.”")


def test_doc_id_is_a_content_hash():
    assert load_path(SEED).doc_id == load_path(SEED).doc_id
    edited = SEED.read_bytes().replace(b"Berlin on Sunday", b"Berlin on Monday")
    other = load_bytes(edited, SEED.name)
    assert other.doc_id != load_path(SEED).doc_id


def test_markdown_front_matter():
    md = b"""---
title: "Finland joins NATO"
published: 2023-04-04
source: Wikinews
url: https://example.org/a
author: Staff
---
First paragraph of the body.

Second paragraph,
hard wrapped.
"""
    doc = load_bytes(md, "a.md")
    assert (doc.title, doc.published, doc.source, doc.url, doc.author) == (
        "Finland joins NATO",
        "2023-04-04",
        "Wikinews",
        "https://example.org/a",
        "Staff",
    )
    assert doc.text == "Finland joins NATO\n\nFirst paragraph of the body.\n\nSecond paragraph, hard wrapped."


def test_plain_text_title_from_first_line():
    doc = load_bytes(b"A headline\n\nBody one.\n\nBody two.", "x.txt")
    assert doc.title == "A headline" and doc.text.endswith("Body two.")


def test_html_through_trafilatura():
    html = b"""<html><head><title>Talks in Berlin</title></head><body><nav>Menu</nav>
    <article><h1>Talks in Berlin</h1><p>Ukraine offered not to join NATO, officials said on Sunday in
    Berlin after a long day of talks with European representatives.</p><p>"It is an opportunity,"
    said an analyst who follows the negotiations closely for a consulting firm.</p></article>
    <footer>Copyright</footer></body></html>"""
    doc = load_bytes(html, "page.html")
    assert doc.title == "Talks in Berlin"
    assert "Ukraine offered not to join NATO" in doc.text
    assert "Copyright" not in doc.text


def _pdf(objs: list[bytes]) -> bytes:
    """A PDF of these objects (numbered from 1, the first the catalog), written by hand."""
    out, offsets = b"%PDF-1.4\n", []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return out


def _stream(raw: bytes, deflate: bool = False) -> bytes:
    data = zlib.compress(raw, 9) if deflate else raw
    flt = b" /Filter /FlateDecode" if deflate else b""
    return b"<< /Length %d%s >>\nstream\n" % (len(data), flt) + data + b"\nendstream"


def _text_ops(text: str) -> bytes:
    return f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()


def _pages_pdf(contents: list[bytes], declared: int | None = None) -> bytes:
    """One page per content stream object (or one shared stream for `n` pages: pass [s] * n)."""
    n = len(contents)
    distinct = list(dict.fromkeys(contents))  # a shared stream is written once
    first_page = 4 + len(distinct)
    kids = b" ".join(b"%d 0 R" % (first_page + i) for i in range(n))
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, n if declared is None else declared),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        *distinct,
    ]
    for c in contents:
        objs.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
            b"/Resources << /Font << /F1 3 0 R >> >> >>" % (4 + distinct.index(c))
        )
    return _pdf(objs)


def _tiny_pdf(text: str) -> bytes:
    """A one-page PDF with one line of text (no PDF writer is needed)."""
    return _pages_pdf([_stream(_text_ops(text))])


def _bomb(mb: float) -> bytes:
    """A content stream of `mb` MB of spaces, deflated to about a thousandth of that."""
    z = zlib.compressobj(9)
    block = b" " * 1_000_000
    data = b"".join(z.compress(block) for _ in range(int(mb))) + z.flush()
    return b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream"


def test_pdf_text_is_extracted():
    doc = load_bytes(_tiny_pdf("Sanctions on Russia were tightened."), "report.pdf")
    assert "Sanctions on Russia were tightened." in doc.text
    assert doc.title == "report"


@pytest.mark.parametrize(
    ("data", "name", "why"),
    [
        (b"", "empty.txt", "empty"),
        (b"   \n\n ", "blank.txt", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image.txt", "binary"),
        (b"\x00\x01\x02binary", "blob.md", "binary"),
        (b"hello", "notes.docx", "unsupported file type"),
        (b"not a pdf at all", "fake.pdf", "not a PDF"),
        (b"%PDF-1.4 garbage that is not a pdf", "broken.pdf", "not a readable PDF"),
    ],
)
def test_bad_files_give_a_clear_error(data: bytes, name: str, why: str):
    with pytest.raises(LoadError, match=why):
        load_bytes(data, name)


def test_non_utf8_text_is_decoded():
    assert decode("Zelensky’s “offer”".encode("cp1252"), "x.txt") == "Zelensky’s “offer”"
    assert decode("Café Müller".encode("latin-1"), "x.txt") == "Café Müller"


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("December 15, 2025, 04:20", "2025-12-15"),
        ("2023-04-04", "2023-04-04"),
        ("4 April 2023", "2023-04-04"),
        ("someday", None),
        (None, None),
    ],
)
def test_parse_date(raw, iso):
    assert parse_date(raw) == iso


# --- bounded parsing: hostile PDFs and HTML are refused quickly, with the limit's name ----------

SANITY_S = 10  # generous: bench/hostile_inputs.py measures the real figures


def _refused(data: bytes, name: str, message: str, settings: Settings | None = None) -> float:
    t0 = time.perf_counter()
    with pytest.raises(LoadError, match=message):
        load_bytes(data, name, max_bytes=10**9, settings=settings)
    return time.perf_counter() - t0


def test_a_5000_page_pdf_is_refused_before_its_pages_are_read():
    pdf = _pages_pdf([_stream(_text_ops("Page text."))] * 5000)
    msg = r"big\.pdf: 5,000 pages; the limit is 1,000 \(RAG_PDF_MAX_PAGES\)"
    assert _refused(pdf, "big.pdf", msg) < SANITY_S


def test_a_pdf_whose_page_count_lies_is_refused_while_walking_its_page_tree():
    pdf = _pages_pdf([_stream(_text_ops("Page text."))] * 5000, declared=1)
    assert _refused(pdf, "liar.pdf", r"more than 1,000 pages; the limit is 1,000") < SANITY_S


def test_a_decompression_bomb_pdf_is_refused():
    pdf = _pages_pdf([_bomb(120)])  # 120 MB of spaces in about 120 kB
    assert len(pdf) < 200_000
    msg = r"a compressed stream inflates past 10 MB \(RAG_PDF_MAX_STREAM_MB\)"
    assert _refused(pdf, "bomb.pdf", msg) < SANITY_S


@pytest.mark.parametrize(
    ("contents", "settings", "message"),
    [
        (  # each stream under the cap, their total over it
            [_stream(b" " * 400_000 + b"%d" % i, deflate=True) for i in range(4)],
            Settings(pdf_max_inflate_mb=1),
            r"page contents inflate past 1 MB in total by page 3 of 4",
        ),
        (
            [_stream(_text_ops(f"Sentence number {i} of the report.")) for i in range(10)],
            Settings(max_text_chars=100),
            r"more than 100 characters of text by page 4 of 10 \(RAG_MAX_TEXT_CHARS\)",
        ),
        (
            [_stream(_text_ops("One page."))] * 3,
            Settings(pdf_timeout=0),
            r"text extraction took over 0 s, stopped on page 1 of 3 \(RAG_PDF_TIMEOUT\)",
        ),
        ([_stream(_text_ops("One page."))] * 3, Settings(pdf_max_pages=2), r"3 pages; the limit is 2"),
    ],
)
def test_pdf_limits_are_settings(contents, settings, message):
    _refused(_pages_pdf(contents), "report.pdf", message, settings)


def test_a_page_that_draws_a_form_5000_times_stops_at_the_deadline():
    """A few kB that take minutes: the deadline is checked at every operation, forms' included."""
    body = b"".join(_text_ops(f"Line {j} of the form.") + b"\n" for j in range(200))
    form = b"<< /Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >>"
    pdf = _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 5 0 R "
            b"/Resources << /Font << /F1 3 0 R >> /XObject << /X1 6 0 R >> >> >>",
            _stream(b"/X1 Do\n" * 5000),
            form + b" /Length %d >>\nstream\n" % len(body) + body + b"\nendstream",
        ]
    )
    msg = r"took over 1 s, stopped on page 1 of 1 \(RAG_PDF_TIMEOUT\)"
    assert _refused(pdf, "form.pdf", msg, Settings(pdf_timeout=1)) < 1 + SANITY_S


def test_bounded_extraction_gives_what_pypdf_gives():
    from pypdf import PdfReader

    from rag.limits import pdf_text

    contents = [
        _stream(_text_ops("First page."), deflate=True),
        _stream(b"0 0 m 100 100 l S\n" * 50, deflate=True),  # a figure: no text operator
        _stream(_text_ops("Third page.")),
    ]
    pdf = _pages_pdf(contents)
    plain = [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]
    assert pdf_text(pdf, "mixed.pdf").pages == plain and "Third page." in plain[2]


def test_a_pdf_within_the_limits_loads_every_page():
    pdf = _pages_pdf(
        [_stream(_text_ops(f"Sanctions were tightened in round {i}."), deflate=True) for i in range(3)]
    )
    doc = load_bytes(pdf, "rounds.pdf", settings=Settings(pdf_max_pages=3, max_text_chars=200))
    assert all(f"round {i}." in doc.text for i in range(3))


_PAGE = "<html><head><title>T</title></head><body><article>{}</article></body></html>"
_PARA = "<p>The council approved the new harbour plan after a long debate about its costs.</p>"


@pytest.mark.parametrize(
    ("html", "settings", "message"),
    [
        (
            _PAGE.format("<div>" * 300 + _PARA + "</div>" * 300),
            None,
            r"HTML nested more than 200 elements deep \(RAG_HTML_MAX_DEPTH\)",
        ),
        (
            _PAGE.format(_PARA * 200),
            Settings(html_max_elements=100),
            r"more than 100 HTML elements \(RAG_HTML_MAX_ELEMENTS\)",
        ),
        (
            _PAGE.format("".join(_PARA.replace("new", f"{n}th") for n in range(5))),
            Settings(max_text_chars=100),
            r"394 characters of text; the limit is 100 \(RAG_MAX_TEXT_CHARS\)",
        ),
    ],
)
def test_html_limits_are_settings(html, settings, message):
    _refused(html.encode(), "page.html", r"page\.html: " + message, settings)


def test_an_html_page_of_200000_elements_is_refused_quickly():
    """trafilatura alone takes minutes on it (40,000 paragraphs: about 10 s, growing faster)."""
    assert (
        _refused(_PAGE.format("<p>word.</p>" * 200_000).encode(), "huge.html", "more than 50,000") < SANITY_S
    )
