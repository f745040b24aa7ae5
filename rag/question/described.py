"""Speakers a question names by description, apart from names: an office or a body ("the
city's mayor", "the Harbour Office") resolved against the library's roles at the question's
time, groups ("experts", "critics"), the description a "Who is …?" asks to be named, and the
sides of a comparison. Part of question reading (rag/question/__init__.py builds the Intent).
Non-goals: names typed in the question (rag/people.py, rag/question/names.py).
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

from rag.lexicon import words as vocabulary
from rag.people import NameMatch
from rag.question.grammar import head_of, sayish, speaks

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

    from rag.question import Known


@cache
def _said_nouns() -> frozenset[str]:
    """Nouns that are what is said, not who says it ("What did the report say?")."""
    return frozenset(vocabulary("document_nouns") | vocabulary("view_nouns"))


def described_speakers(
    doc: Doc, text: str, taken: list[tuple[int, int]], known: Known, when: tuple[str | None, str | None]
) -> tuple[list[str], list[str], list[tuple[int, int]]]:
    """Speakers named by a description ("the city's mayor") and groups ("experts")."""
    speakers, groups, spans = [], [], []
    for t in doc:
        if t.dep_ not in ("nsubj", "poss", "attr", "pobj") or any(a <= t.idx < b for a, b in taken):
            continue
        compares = t.head.lower_ in vocabulary("compare_words") or t.head.lemma_ in vocabulary(
            "compare_words"
        )
        if not (speaks(t) or (t.dep_ == "nsubj" and (sayish(t.head) or compares)) or identity(t)):
            continue
        if any(c.lower_ in ("what", "which") for c in t.lefts):
            continue  # "What company agreed …": the answer asked for, not a speaker described
        lemma = t.lemma_.lower()
        left, right = doc[t.left_edge.i], doc[t.right_edge.i] if t.dep_ == "nsubj" else t
        span = (left.idx, right.idx + len(right.text))
        plural = t.tag_ in ("NNS", "NNPS")
        one = not plural and any(c.lower_ in ("the", "this", "that") for c in t.lefts)  # "the expert"
        group_word = t.lower_ in vocabulary("group_words")
        if (group_word and not one) or (plural and lemma in vocabulary("person_nouns")):
            groups.append(text[span[0] : t.idx + len(t.text)])
            spans.append(span)
            continue
        described = (
            lemma in vocabulary("person_nouns")
            or lemma in vocabulary("org_nouns")
            or group_word
            # any other noun naming the one who speaks ("the astronomer"): by_role takes it only
            # from a speaker whose role holds that very noun
            or (t.pos_ == "NOUN" and t.dep_ == "nsubj" and lemma not in _said_nouns())
        )
        # a body the library never quotes as itself ("What did the Harbour Office say?") speaks
        # through the speaker whose role, or the words around whose statements, hold its whole name
        body = not described and t.ent_type_ == "ORG" and t.dep_ == "nsubj"
        if described or body:
            hit = known.people.by_role(text[span[0] : span[1]], known.embed, when)
            if hit is not None and (described or hit[1] >= 1.0):
                speakers.append(hit[0])
                spans.append(span)
    return speakers, groups, spans


def identity(t: Token) -> bool:
    """The description a "Who is …?" question asks to be named ("Who is the head of the
    agency?", "Who was the council's chief?")."""
    return (
        t.dep_ in ("nsubj", "attr")
        and t.tag_ == "NN"  # one person ("Who were the founders …" asks for several)
        and t.head.lemma_ == "be"
        and any(c.lower_ == "who" and c is not t for c in t.head.children)
    )


def comparison_sides(
    doc: Doc, matches: list[NameMatch], taken: list[tuple[int, int]], known: Known
) -> list[tuple[str, tuple[int, int]]]:
    """The other sides of a comparison: the library's quoted people the question names, and
    the organisations it names that the library knows (their people speak for them)."""
    out: list[tuple[str, tuple[int, int]]] = []
    free = lambda a, b: not any(x < b and a < y for x, y in taken)  # noqa: E731

    # a side is a subject, an owner or a conjunct, not a modifier ("the Harbour Board plan")
    def side(t: Token | None) -> bool:
        return t is not None and (
            t.dep_ in ("nsubj", "nsubjpass", "poss", "conj")
            or (t.dep_ == "pobj" and t.head.lower_ in ("with", "to", "and"))
        )

    for m in matches:
        p = known.people.people.get(m.name)
        if p is not None and p.quoted and free(m.start, m.end) and side(head_of(doc, m.start, m.end)):
            out.append((m.name, (m.start, m.end)))
    for e in doc.ents:
        if e.label_ == "ORG" and side(e.root) and free(e.start_char, e.end_char) and known.knows(e[-1].text):
            if not any(a < e.end_char and e.start_char < b for _, (a, b) in out):
                name = re.sub(r"[’']s$", "", re.sub(r"^(?:the|The)\s+", "", e.text))
                out.append((name, (e.start_char, e.end_char)))
    return out
