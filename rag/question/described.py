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
        # a second subject joined by "and" ("… the minister and the mayor differ") is one too
        joined = t.dep_ == "conj" and t.head.dep_ == "nsubj" and t.head.i < t.i
        if (t.dep_ not in ("nsubj", "poss", "attr", "pobj") and not joined) or any(
            a <= t.idx < b for a, b in taken
        ):
            continue
        subject = t.head if joined else t
        compares = subject.head.lower_ in vocabulary("compare_words") or subject.head.lemma_ in vocabulary(
            "compare_words"
        )
        if not (speaks(t) or (subject.dep_ == "nsubj" and (sayish(subject.head) or compares)) or identity(t)):
            continue
        if any(c.lower_ in ("what", "which") for c in t.lefts):
            continue  # "What company agreed …": the answer asked for, not a speaker described
        lemma = t.lemma_.lower()
        left = doc[t.left_edge.i]
        right = t
        if t.dep_ == "nsubj" or joined:  # the subject's words, without the subjects joined to it
            cut = next((c.i for c in t.children if c.dep_ in ("cc", "conj") and c.i > t.i), None)
            right = doc[(cut - 1) if cut is not None else t.right_edge.i]
            while right.i > t.i and right.is_punct:
                right = doc[right.i - 1]
        span = (left.idx, right.idx + len(right.text))
        plural = t.tag_ in ("NNS", "NNPS")
        one = not plural and any(c.lower_ in ("the", "this", "that") for c in t.lefts)  # "the expert"
        group_word = t.lower_ in vocabulary("group_words")
        # plural people speaking ("What did fellow rowers say …?"), not documents ("the reports")
        speaking = plural and subject.dep_ == "nsubj" and sayish(subject.head) and lemma not in _said_nouns()
        if (
            (group_word and not one)
            or (plural and lemma in vocabulary("person_nouns"))
            or (speaking and t.pos_ == "NOUN")
        ):
            groups.append(text[span[0] : t.idx + len(t.text)])
            spans.append(span)
            continue
        described = (
            lemma in vocabulary("person_nouns")
            or lemma in vocabulary("org_nouns")
            or group_word
            # any other noun naming the one who speaks ("the astronomer"): by_role takes it only
            # from a speaker whose role holds that very noun
            or (t.pos_ == "NOUN" and (t.dep_ == "nsubj" or joined) and lemma not in _said_nouns())
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
        and any(c.lower_ == "who" and c.i != t.i for c in t.head.children)
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
