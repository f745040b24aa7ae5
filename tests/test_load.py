from __future__ import annotations

import pytest

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


def _tiny_pdf(text: str) -> bytes:
    """A one-page PDF with one line of text, written by hand (no PDF writer is needed)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return out


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
