"""Document -> [Passage]: one passage per paragraph; long paragraphs split at sentences.

Scope: offsets into Document.text and stable content-hash ids (the same text in the same
document always gets the same id, so re-ingesting is a no-op). Non-goals: overlap windows;
a paragraph is the unit a citation points at.
"""

from __future__ import annotations

import hashlib
import re

from rag.text import sentence_spans
from rag.types import Document, Passage


def passage_id(doc_id: str, start: int, text: str) -> str:
    return hashlib.sha256(f"{doc_id}:{start}:{text}".encode()).hexdigest()[:16]


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) of each blank-line separated paragraph."""
    spans = []
    for m in re.finditer(r"[^\n]+(?:\n(?!\s*\n)[^\n]*)*", text):
        s, e = m.start(), m.end()
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            spans.append((s, e))
    return spans


def _pieces(text: str, s: int, e: int, max_chars: int) -> list[tuple[int, int]]:
    """Split text[s:e] into sentence-bounded pieces of at most max_chars (when possible)."""
    if e - s <= max_chars:
        return [(s, e)]
    out: list[tuple[int, int]] = []
    cur_s = cur_e = None
    for ss, se in sentence_spans(text, s, e):
        if cur_s is not None and cur_e is not None and se - cur_s > max_chars:
            out.append((cur_s, cur_e))
            cur_s = None
        if cur_s is None:
            cur_s = ss
        cur_e = se
    if cur_s is not None and cur_e is not None:
        out.append((cur_s, cur_e))
    return out


def split_passages(doc: Document, max_chars: int = 1200) -> list[Passage]:
    if max_chars < 100:
        raise ValueError(f"max_chars must be >= 100, got {max_chars}")
    out = []
    for para_no, (ps, pe) in enumerate(paragraph_spans(doc.text)):
        for s, e in _pieces(doc.text, ps, pe, max_chars):
            body = doc.text[s:e]
            out.append(Passage(passage_id(doc.doc_id, s, body), doc.doc_id, body, s, e, para_no))
    return out
