"""Which of the library's speakers a description names ("the city's mayor", "the Harbour Club's
lawyer"): the office asked for (the word before "of", else the last word) must be the office a
speaker holds at the question's time, or one that means it (word vectors); the description's
other words are read in the role or around the speaker's statements; a place the description
names must be theirs. Part of the people index (rag/people.py). Non-goals: names typed in a
question (rag/people.py finds those).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from rag.lexicon import words as vocabulary
from rag.people import word_key
from rag.text import STOPWORDS, words

if TYPE_CHECKING:
    from rag.people import PeopleIndex

ROLE_MIN = 0.45  # combined role score (overlap and cosine) a description must reach
ALIKE = 0.8  # word cosine of an office that means the one asked for ("attorney": "lawyer" 0.89;
# "governor": "mayor" 0.66, "congressman": "senator" 0.69, "prosecutor": "judge" 0.63)
CONTEXT_WEIGHT = 0.5  # a description's word found around a speaker's statements, not in their role
NAME_WINDOW = 4  # words either side of a speaker's name that say who they are ("… of Valmark")


_LOCK = threading.Lock()
_OFFICE_VECS: dict[str, np.ndarray] = {}  # office word -> its vector (one embedding model per process)


def _office(role: str) -> str:
    """The office word of a role or a description: the word before "of" ("head of the agency"),
    else the last one."""
    ws = words(role)  # (lower-cased)
    at = next((i for i, w in enumerate(ws) if w == "of" and i > 0), len(ws))
    return ws[at - 1] if ws else ""


@lru_cache(maxsize=4096)
def _portfolio(role: str) -> frozenset[str]:
    """Capitalised words of a role that name a body or a portfolio, not a place ("Minister of
    Harbours and Health": the tagger may read "Harbours" as an organisation)."""
    from rag import nlp

    doc = nlp.entities([role])[0]
    return frozenset(word_key(t.text) for e in doc.ents if e.label_ in ("ORG", "WORK_OF_ART") for t in e)


def _around(context: str, name: str) -> tuple[set[str], set[str]]:
    """The words of a speaker's context, and those within a few words of their surname, as keys
    (with their first four letters for names: "Valmark" ~ "Valmarkian")."""
    ws = words(context)
    last = word_key(name.split()[-1]) if name.split() else ""
    keys = [word_key(w) for w in ws]
    near = {
        keys[j]
        for i, k in enumerate(keys)
        if k == last
        for j in range(max(0, i - NAME_WINDOW), min(len(keys), i + NAME_WINDOW + 1))
    }
    bag = {k for k, w in zip(keys, ws) if w not in STOPWORDS}
    near -= STOPWORDS
    return bag | {k[:4] for k in bag}, near | {k[:4] for k in near}


def by_role(
    index: PeopleIndex,
    phrase: str,
    embed: Callable[[list[str]], np.ndarray] | None = None,
    when: tuple[str | None, str | None] = (None, None),
) -> tuple[str, float] | None:
    """The speaker a description names: (name, score) or None when no role fits well enough."""
    want = {word_key(w) for w in words(phrase) if w not in STOPWORDS}
    if not want:
        return None
    # a place named or its adjective ("Valmark's", "the Valmarkian"): four letters tell them apart
    proper = {word_key(w) for w in re.findall(r"\b[A-Z][a-z]{3,}", phrase)}
    asked = {word_key(w) for w in words(phrase)}  # every word of the description, stop words too
    office = _office(phrase)  # "the head of the agency": head
    head = word_key(office) if office else ""
    generic = head in {word_key(w) for w in vocabulary("head_words")}  # "head", "chief": any top office
    # an office that means the one asked for counts as it ("lawyer": "the club's attorney")
    alike = _alike(index, office, embed) if embed is not None and not generic else set()
    scored = _held(index, want, proper, asked, head, generic, when, alike)
    if not scored:
        return None
    if len({n for _, n, _ in scored}) == 1:  # the only speaker who holds that office
        return scored[0][1], max(o for o, _, _ in scored)
    scored.sort(reverse=True)
    top = scored[:12]
    if embed is not None:
        vecs = embed([phrase] + [f"{role}" for _, _, role in top])
        cos = vecs[1:] @ vecs[0]
        top = [(0.5 * o + 0.5 * float(c), n, r) for (o, n, r), c in zip(top, cos)]
        top.sort(reverse=True)
    score, name, _ = top[0]
    return (name, score) if score >= ROLE_MIN else None


def _alike(index: PeopleIndex, head: str, embed: Callable[[list[str]], np.ndarray]) -> set[str]:
    """The offices of the library's roles that mean the office asked for ("attorney" for
    "lawyer", "spokesperson" for "spokesman"; not "governor" for "mayor"): word vectors this close."""
    every: list[str] | None = index.__dict__.get("_offices")
    if every is None:  # the library's office words, once per index
        every = index.__dict__.setdefault(
            "_offices",
            sorted({_office(r) for p in index.people.values() if p.quoted for r, _, _ in p.roles}),
        )
    offices = [o for o in every if o not in (head, "")]
    if not head or not offices:
        return set()
    # word vectors outlive a library view (a write does not re-embed them); embedded outside the lock
    with _LOCK:
        todo = [o for o in [head, *offices] if o not in _OFFICE_VECS]
    fresh = dict(zip(todo, np.asarray(embed(todo)))) if todo else {}
    with _LOCK:
        if len(_OFFICE_VECS) > 50_000:
            _OFFICE_VECS.clear()
        _OFFICE_VECS.update(fresh)
        vecs = {o: _OFFICE_VECS.get(o, fresh.get(o)) for o in [head, *offices]}
    mine = fresh.get(head, vecs[head])
    return {
        word_key(o)
        for o in offices
        if (v := vecs[o]) is not None and mine is not None and float(v @ mine) >= ALIKE
    }


def _held(
    index: PeopleIndex,
    want: set[str],
    proper: set[str],
    asked: set[str],
    head: str,
    generic: bool,
    when: tuple[str | None, str | None],
    alike: set[str],
) -> list[tuple[float, str, str]]:
    """(overlap, name, role) of each speaker whose role holds the office asked for (or one
    that means it, `alike`) at the question's time."""
    tops = {word_key(w) for w in vocabulary("top_offices")}
    scored: list[tuple[float, str, str]] = []
    for p in index.people.values():
        if not p.quoted:
            continue
        around: set[str] | None = None  # the words around their statements, read once per person
        beside: set[str] = set()  # those next to their name ("Prime Minister Lund of Valmark")
        for role, first, last in p.roles:
            if when[0] and last and last < when[0]:
                continue  # held only before the question's time
            if when[1] and first and first > when[1]:
                continue
            have = {word_key(w) for w in words(role) if w not in STOPWORDS}
            if not generic and head not in have and not have & alike:
                continue  # the office asked for must be the office held ("mayor")
            theirs = {word_key(w) for w in re.findall(r"\b[A-Z][a-z]{3,}", role)} - asked
            if (
                proper
                and theirs
                and not (proper & have)
                and not any(a[:4] == b[:4] for a in theirs for b in proper)
                and theirs - _portfolio(role)  # (the tagger runs only on such roles)
            ):
                continue  # "the Valmarkian prime minister" is not the "Nordholmian Prime Minister"
            if generic:  # the agency's head is its Director General: a top office of the body
                body = want - {head}  # named (not "the leader" alone), every word of it in the role
                if not body or not body <= have or not have & tops:
                    continue
                have = have | {head}
            if head not in have and have & alike:
                have = have | {head}
            shared = want & have
            if head not in have:
                continue  # the office asked for must be the office held ("mayor")
            overlap = len(shared) / len(want)
            if index.context is not None and proper - have:  # "Valmark's health minister": the
                if around is None:  # place must be where they speak, if their role lacks it
                    around, beside = _around(index.context(p.name), p.name)
                if not all(w in beside or w in around or w[:4] in around for w in proper - have):
                    continue
            if index.context is not None and overlap < 1:
                # the description's other words where they speak ("the Harbour Board's website")
                if around is None:
                    around, beside = _around(index.context(p.name), p.name)
                seen = lambda w, bag: w in bag or (w in proper and w[:4] in bag)  # noqa: E731
                close = {w for w in want - shared if seen(w, beside)}  # "Lund of Valmark"
                far = {w for w in want - shared - close if seen(w, around)}
                overlap = min(1.0, overlap + CONTEXT_WEIGHT * (len(close) + 0.5 * len(far)) / len(want))
            scored.append((overlap, p.name, role))
    return scored
