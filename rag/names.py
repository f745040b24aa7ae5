"""The shapes of people's names and offices in parsed text, shared by the speaker resolver
(speakers.py) and the question strategies: a PERSON entity as a name (titles, honorifics and
common nouns the tagger took in dropped, particles completed), the name that ends a description
the small tagger labels a body ("… Harbour Party MP Anna Berg", "finance minister for Valmark
Erik Dahl"), the role an article gives a person (apposition, the words before the name).
Non-goals: who speaks (speakers.py), merging spellings across documents (view.py).
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

from rag.lexicon import words as vocabulary

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token


@cache
def title_words() -> frozenset[str]:
    return vocabulary("person_nouns") | vocabulary("honorifics") | vocabulary("title_modifiers")


def _portfolio_before(doc: Doc, office: int, at: int) -> bool:
    """The words from an office to the "and" at `at` are what the office is of ("Minister of Ports
    and …"), not a name ("Minister of Ports Berg and …")."""
    words = doc[office + 1 : at]
    return (
        len(words) >= 2
        and words[0].lower_ in ("of", "for")
        and all(
            (t.text[:1].isupper() or t.lower_ in ("of", "for", "the")) and t.ent_type_ != "PERSON"
            for t in words
        )
        and not any(t.is_punct for t in words)
    )


def name_of(e: Span) -> str | None:
    """A PERSON entity as a name: leading titles, honorifics and articles dropped (and the place
    of an office written before it, "minister for Valmark Erik Dahl"), a trailing
    possessive dropped, the spacing of the text kept ("Dahl-Berg"), and a name the
    tagger cut at a lower-case particle completed ("Anna van der" + "Berg")."""
    titles = title_words()
    toks = [t for t in e if t.text not in ("'s", "’s", "'", "’")]
    while toks and (
        toks[0].lower_.rstrip(".") in titles or toks[0].lower_ in ("the", "a", "an") or toks[0].pos_ == "NOUN"
    ):
        toks = toks[1:]  # "President", "Dr.", "Swimmer" (a common noun the tagger took in)
    doc = e.doc
    office = [t for t in doc[max(0, e.start - 5) : max(0, e.start - 1)] if t.lower_ in titles]
    if (
        len(toks) >= 3
        and toks[0].i == e.start
        and e.start >= 2
        and doc[e.start - 1].lower_
        in (("of", "for") if office and office[-1].i == e.start - 2 else ())
        + (("and",) if office and _portfolio_before(doc, office[-1].i, e.start - 1) else ())
    ):
        # "minister for Valmark Erik Dahl": the place the office is of; "Minister of Ports and
        # Transport Erik Dahl": the last word of what the office is of
        toks = toks[1:]
    while toks and toks[-1].text[:1].islower() and toks[-1].i + 1 < len(doc):
        nxt = doc[toks[-1].i + 1]
        if not nxt.text[:1].isupper():
            break
        toks.append(nxt)
    if not toks or not toks[-1].text[:1].isupper():
        return None
    end = toks[-1].i
    while (  # a hyphenated given name the tagger cut at its hyphen ("Lee Jae" + "-" + "min")
        end + 2 < len(doc)
        and not doc[end].whitespace_
        and doc[end + 1].text == "-"
        and not doc[end + 1].whitespace_
        and doc[end + 2].is_alpha
    ):
        end += 2
    return doc[toks[0].i : end + 1].text


def name_after_office(name: str) -> tuple[str, str | None]:
    """A person's name read with the office written before it ("Chief Public Health Officer for
    the state Lena Ortiz", "a ministry spokesperson, Lena Ortiz") -> (the name, the office): the
    name is the words after the last lower-case word, comma or title, when two or more remain."""
    toks = name.split()
    particles = vocabulary("name_particles")
    nouns = title_words()  # (person nouns among them)
    cut = -1
    for j, w in enumerate(toks[:-1]):
        bare = w.strip(",;:—–-").lower()
        if (
            w.endswith(",")
            or w in ("—", "–", "-")
            or (w[:1].islower() and w not in particles)
            or bare in nouns
        ):
            cut = j
    tail = toks[cut + 1 :]
    if cut < 0 or len(tail) < 2 or not all(t[:1].isupper() or t in particles for t in tail):
        return name, None
    return " ".join(tail), " ".join(toks[: cut + 1]).rstrip(",;:—–- ") or None


def surname_key(name: str) -> str:
    return name.split()[-1].lower() if name.split() else ""


def titled_name(head: Token, orgs: list[Span]) -> tuple[str, str | None] | None:
    """A person's name the tagger took into a place or body after an office ("finance minister
    for Valmark Erik Dahl said", tagged "Valmark Erik Dahl" ORG): (name, role) when the entity
    ends in two name words at the subject and an office is written just before it."""
    ent = next((e for e in orgs if e.start <= head.i < e.end), None)
    if ent is None or ent.end - 1 != head.i or len(ent) < 3:
        return None
    tail = name_tail(list(ent))
    if tail is None or tail[0].i == ent.start:
        return None
    doc = head.doc
    before = doc[max(0, ent.start - 4) : ent.start]
    office = next((t for t in before if t.lower_.rstrip(".") in vocabulary("person_nouns")), None)
    if office is None:
        return None
    start = office.left_edge.i if office.left_edge.i >= before.start else office.i
    role = role_text(doc[start : tail[0].i].text)
    return doc[tail[0].i : tail[-1].i + 1].text, role


def name_tail(toks: list[Token]) -> list[Token] | None:
    """The words ending a phrase that read as a person's name, given name and surname ("…
    Harbour Party MP Anna Berg", "… in the assembly Erik Dahl-Berg", "… Commission Anna van der
    Berg"): capitalised name words, hyphens inside a word, particles before a surname."""
    particles = vocabulary("name_particles")

    def ok(j: int) -> bool:
        t = toks[j - 1]
        if t.text == "-":
            return j > 1 and not toks[j - 2].whitespace_
        if t.lower_ in particles:
            return j < len(toks)  # "van der" inside a name, never ending it
        after_particle = j > 1 and toks[j - 2].lower_ in particles
        return name_word(t) or (after_particle and t.pos_ == "PROPN" and t.text[:1].isupper())

    j = len(toks)
    while j > 0 and ok(j):
        j -= 1
    run = toks[j:]
    starts = [i for i, t in enumerate(run) if i == 0 or run[i - 1].whitespace_]  # word starts
    if len(starts) < 2 or run[-1].text == "-":
        return None
    k = len(starts) - 2  # the given name: the word before the surname and its particles
    while k > 0 and run[starts[k]].lower_ in particles:
        k -= 1
    if run[starts[k]].lower_ in particles:
        return None
    tail = run[starts[k] :]
    if tail[0].ent_iob_ == "B" and tail[0].ent_type_ == "ORG":
        return None  # "… for Northwind Energy": a firm's name begins there, not a person's
    return tail


def name_word(t: Token) -> bool:
    """A word that can end a person's name at the end of a description ("member for the Harbour
    Party Erik Dahl", "Harbour Party MP Anna Berg", which the small tagger often labels ORG): a
    capitalised proper noun, not a place or people, not a body's word ("Party", "Council"), a
    title ("MP") or an abbreviation ("NEB")."""
    low = t.lower_
    return (
        t.pos_ == "PROPN"
        and t.text[:1].isupper()
        and not t.text.isupper()
        and t.ent_type_ not in ("GPE", "NORP", "LOC", "FAC")
        and low not in vocabulary("org_nouns")
        and low not in title_words()
    )


def role_of(person: Span) -> str | None:
    """The role an article gives a person where it names them: an apposition ("Lena Ortiz,
    director of … at the Example Institute"), the noun phrase the name is in apposition to
    ("Eastport University energy expert …, Erik Dahl"), or the words before the name in
    its noun phrase ("Norwegian Energy Ministry spokesman Erik Dahl")."""
    root = person.root
    for c in root.children:
        if c.dep_ == "appos" and c.ent_type_ != "PERSON" and c.pos_ in ("NOUN", "PROPN"):
            return role_text(c.doc[c.left_edge.i : c.right_edge.i + 1].text)
    if root.dep_ == "appos" and root.head.pos_ in ("NOUN", "PROPN") and root.head.ent_type_ != "PERSON":
        h = root.head
        skip = set(root.subtree)
        toks = [t for t in h.subtree if t not in skip and t.dep_ != "relcl"]
        if toks:
            return role_text(h.doc[toks[0].i : toks[-1].i + 1].text)
    left = root.left_edge
    if left.i < person.start:
        words = person.doc[left.i : person.start]
        titles = title_words()
        # an office or a common noun ("Harbour Board Secretary", "club owner"), not a place
        # or a body alone ("United States Jane Miller")
        if any((t.pos_ == "NOUN" and not t.ent_type_) or t.lower_.rstrip(".") in titles for t in words):
            return role_text(words.text)
    before = person.doc[person.start - 1] if person.start else None
    if (
        before is not None
        and before.pos_ == "NOUN"
        and not before.ent_type_
        and before.dep_ in ("nsubj", "nsubjpass")
        and root.dep_ in ("nsubj", "nsubjpass")
        and before.head.i == root.head.i
    ):  # "the club's head coach Anna Berg said", parsed as two subjects: the noun phrase is hers
        words = person.doc[before.left_edge.i : before.i + 1]
        if not any(t.is_punct for t in words):
            return role_text(words.text)
    return None


def role_text(text: str) -> str | None:
    text = re.sub(r"^(?:the|The)\s+", "", " ".join(text.split())).strip(" ,;:—–-")
    if not text or len(text.split()) > 20 or text.split()[0].lower().endswith("ing"):
        return None  # ", speaking to reporters" is what happened, not who the person is
    if text.lower().rstrip(".") in vocabulary("honorifics"):
        return None
    return text


def office_then_name(head: Token) -> tuple[str, str] | None:
    """An office modifying a name the tagger took for a body ("Minister of Transport and
    Fisheries Erik Sandberg said", "Sandberg" tagged ORG): (name, office) when name words
    compounded right before the subject make a given name and surname and an office word heads
    a modifier before them."""
    if head.pos_ != "PROPN" or not name_word(head):
        return None
    given: list[Token] = []
    for c in reversed(list(head.lefts)):
        if c.dep_ != "compound" or c.i != head.i - len(given) - 1 or not name_word(c):
            break
        given.insert(0, c)
    if len(given) >= 2 and given[0].i > 0 and head.doc[given[0].i - 1].lower_ in ("and", "of", "for"):
        given = given[1:]  # "Minister of Ports and Transport Erik Sandberg": "Transport" is the office's
    if not given:
        return None
    nouns = vocabulary("person_nouns")
    office = next(
        (
            c
            for c in head.lefts
            if c.dep_ in ("nmod", "compound") and c.i < given[0].i and c.lemma_.lower() in nouns
        ),
        None,
    )
    if office is None:
        return None
    doc = head.doc
    role = role_text(doc[office.left_edge.i : given[0].i].text)
    return (doc[given[0].i : head.i + 1].text, role) if role else None
