"""Transcripts with speaker labels ("PRESIDENT BIDEN:  …", "Q  …"): every paragraph of a turn is
its speaker's own words.

Scope: telling a transcript from an article (three or more labelled paragraphs), reading a
label into a name and a role with the general title vocabularies of rag/lexicon ("PRIME MINISTER
DAHL" -> Dahl, Prime Minister; "THE PRESIDENT" -> the president the text names), reporters'
questions ("Q") and staff labels attributed to nobody. Non-goals: articles (statements.py).
"""

from __future__ import annotations

import re

from rag.lexicon import words as vocabulary
from rag.passages import paragraph_spans
from rag.text import sentence_spans
from rag.types import Document, Statement

_UP = "A-ZÀ-ÖØ-Þ"
_LABEL = re.compile(
    rf"(?P<label>Q|(?:[{_UP}][{_UP}.’'-]*)(?: [{_UP}][{_UP}.’'-]*){{0,5}}):?\s+(?:\(As interpreted\.\)\s*)?"
)
# labels that name a role in the room, not a person who makes statements
_NOT_SPEAKERS = {"q", "participant", "participants", "interpreter", "audience", "moderator", "staff"}


def is_transcript(doc: Document) -> bool:
    labelled = [
        p
        for p in paragraph_spans(doc.text)
        if re.match(rf"(?:Q\s{{2,}}|[{_UP}][{_UP}.’' -]{{2,60}}:\s)", doc.text[p[0] : p[1]])
    ]
    return len(labelled) >= 3


def _title_prefix(words: list[str]) -> int:
    """How many leading words of a label are a title ("PRIME MINISTER", "VICE PRESIDENT")."""
    titles = vocabulary("person_nouns") | vocabulary("honorifics") | vocabulary("title_modifiers")
    i = 0
    while i < len(words) - 1:
        two = " ".join(words[i : i + 2]).lower()
        if two in titles:
            i += 2
        elif words[i].lower().rstrip(".") in titles:
            i += 1
        else:
            break
    return i


def label_speaker(label: str, doc: Document, full: dict[str, str]) -> tuple[tuple[str, ...], str | None]:
    """'PRESIDENT ORTIZ' -> (('Lena Ortiz',), 'President') when `full` (surname, lower-cased ->
    full name) knows him; 'THE PRESIDENT' -> the president the text names; 'Q' and staff
    labels -> () (a reporter's question is nobody's statement)."""
    if label.lower() in _NOT_SPEAKERS:
        return (), None
    words = label.replace("’", "'").split()
    if words[:1] == ["THE"] and len(words) >= 2:
        office = " ".join(w.capitalize() for w in words[1:])
        m = re.search(rf"(?<!Vice ){re.escape(office)} ([A-Z][\w’'-]+)", doc.title + " " + doc.text)
        if not m:
            return (), None
        words = [*words[1:], m.group(1).upper()]
    cut = _title_prefix(words)
    name = [w.capitalize() if w.isupper() else w for w in words[cut:]]
    if not name:
        return (), None
    role = " ".join(w.capitalize() for w in words[:cut]) or None
    short = " ".join(name)
    return (full.get(short.split()[-1].lower(), short),), role


def transcript_statements(doc: Document, full: dict[str, str]) -> list[Statement]:
    """Speaker-labelled turns: every paragraph of a turn is its speaker's own words."""
    out: list[Statement] = []
    speakers: tuple[str, ...] = ()
    role: str | None = None
    for ps, pe in paragraph_spans(doc.text)[1:]:
        m = _LABEL.match(doc.text, ps, pe)
        start = ps
        if m and (m.group("label") == "Q" or doc.text[m.end("label") : m.end("label") + 1] == ":"):
            speakers, role = label_speaker(m.group("label"), doc, full)
            start = m.end()
        if not speakers or len(doc.text[start:pe].split()) < 2:
            continue
        spans = [(start, pe)] if pe - start <= 1000 else sentence_spans(doc.text, start, pe)
        for a, b in spans:
            if len(doc.text[a:b].split()) >= 2:
                out.append(Statement(doc.text[a:b], speakers, role, "said", "direct", a, b, transcript=True))
    return out
