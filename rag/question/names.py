"""Names in a question, from its spaCy parse and what the library knows: names the library never
mentions ("The articles don't mention …"), speakers typed in lower case, and proper names the
tagger gives no entity ("the Eastport Harbour Regatta" read as plain proper nouns). Part of
question reading (rag/question/__init__.py builds the Intent). Non-goals: matching names to the
library's people (rag/people.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

from rag.lexicon import words as vocabulary
from rag.names import title_words
from rag.people import NameMatch
from rag.question.grammar import speaks
from rag.text import STOPWORDS

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

    from rag.question import Known


def unknown(doc: Doc, matched: list[NameMatch], known: Known) -> list[str]:
    """Capitalised names in the question the library never mentions (the last word decides:
    "Mayor Ortiz" is known when "Ortiz" is)."""
    out = []
    runs = proper_names(doc, [(m.start, m.end) for m in matched], singles=False)  # (one word: only a topic)
    for e in [*doc.ents, *runs]:
        if e.label_ not in ("PERSON", "ORG", "GPE", "NORP", "FAC", "EVENT", "LOC") and e not in runs:
            continue
        if any(m.start < e.end_char and e.start_char < m.end for m in matched):
            continue
        toks = [t.text for t in e if t.text[:1].isupper() and t.lower_ not in STOPWORDS]
        # the last word as written, a hyphenated name whole ("Al-Hadri", "bin-Sayed": the
        # library indexes such a word as one)
        last = next((w for w in reversed(e.text.split()) if toks and toks[-1] in w), "")
        if toks and not known.knows(toks[-1]) and not known.knows(last):
            if known.resembles is not None and known.resembles(toks[-1]):
                continue  # a misspelling of a word the library has: not "never mentioned"
            if _joined(toks[-1], known):
                continue  # two words of the library written as one ("Hightown" for "High Town")
            out.append(" ".join(toks))
    return out


def _joined(word: str, known: Known) -> bool:
    """The word is two words the library uses, written together."""
    return any(known.knows(word[:i]) and known.knows(word[i:]) for i in range(4, len(word) - 3))


@cache
def _common() -> frozenset[str]:
    return frozenset(title_words() | STOPWORDS | vocabulary("group_words"))


def proper_names(doc: Doc, taken: list[tuple[int, int]], singles: bool = True) -> list[Span]:
    """Runs of capitalised proper nouns, with the lower-case particles between them ("Eastport
    Harbour Regatta", "Tour of Valmark", "Eastport"), that no entity or name found covers: the
    tagger misses many names of events, prizes and places, and a name it misses is still the
    question's topic."""
    particles = vocabulary("name_particles") | {"of"}
    covered = [(e.start, e.end) for e in doc.ents] + [
        (t.i, t.i + 1) for a, b in taken for t in doc if a <= t.idx < b
    ]
    runs: list[Span] = []
    i = 0
    while i < len(doc):
        j = i
        while j < len(doc) and (
            (doc[j].pos_ == "PROPN" and doc[j].text[:1].isupper())
            or (j > i and doc[j].lower_ in particles and j + 1 < len(doc) and doc[j + 1].pos_ == "PROPN")
        ):
            j += 1
        capitals = [t for t in doc[i:j] if t.text[:1].isupper()]
        # one word too, inside the question and no title or common word ("… crashed at Eastport?")
        single = (
            singles
            and len(capitals) == 1
            and i > 0
            and len(doc[i].text) >= 3
            and doc[i].lower_ not in _common()
        )
        hyphened = "-" in (doc[i - 1].text if i else "", doc[j].text if j < len(doc) else "")  # "ABC-Dx"
        if (len(capitals) >= 2 or single) and not hyphened and not any(a < j and i < b for a, b in covered):
            runs.append(doc[i:j])
        i = max(j, i + 1)
    return runs


def lower_case_speakers(
    doc: Doc, text: str, matches: list[NameMatch], find: Callable[[str], list[NameMatch]]
) -> list[NameMatch]:
    """Speakers typed in lower case in a question that capitalises other words ("What did
    brett bruen say …", "according to berg", "berg's view"): a word in a speaker's place, read as
    if capitalised (the library's names and its typo rules decide, as for any name)."""
    spans = []
    for t in doc:
        if t.pos_ == "PRON" or t.dep_ in ("compound", "flat") or not speaks(t):
            continue
        run = [c for c in t.lefts if c.dep_ in ("compound", "flat") and c.i >= t.i - 3] + [t]
        if any(w.text.islower() for w in run):
            spans.append((run[0].idx, run[-1].idx + len(run[-1].text)))
    spans = [(a, b) for a, b in spans if not any(m.start < b and a < m.end for m in matches)]
    if not spans:
        return []
    cased = list(text)
    for a, b in spans:
        for w in re.finditer(r"\w+", text[a:b]):
            cased[a + w.start()] = cased[a + w.start()].upper()
    again = "".join(cased)
    if len(again) != len(text):  # (an upper case that is longer: offsets would not hold)
        return []
    return [m for m in find(again) if any(m.start < b and a < m.end for a, b in spans)]
