"""What reading a question needs from the library (question.Known), built once per library
generation: the people index (speakers with their roles and dates, people never quoted), the
newest article date, event dates from headlines."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

import numpy as np

from rag.lexicon import words as vocabulary
from rag.people import PeopleIndex, Person
from rag.question import Known
from rag.text import stem, words
from rag.view import LibraryView

_LOCK = threading.Lock()
CONTEXT_PASSAGES = 8  # passages of a speaker's statements read when a description names them


def _event_dates(lib: LibraryView) -> Callable[[str], str | None]:
    """An event's date as the library gives it: the earliest article whose headline names it
    ("the invasion" -> the first headline with "invasion")."""
    heads = sorted(
        (str(m.get("published")), {stem(w) for w in words(str(m.get("title", "")))})
        for m in lib.doc_meta().values()
        if m.get("published")
    )

    def event(phrase: str) -> str | None:
        ws = words(phrase)
        key = stem(ws[-1]) if ws else ""
        return next((d[:10] for d, title in heads if key and key in title), None)

    return event


def known_for(lib: LibraryView, embed: Callable[[list[str]], np.ndarray] | None) -> Known:
    """Built once per view (views are immutable; two threads racing build the same thing)."""
    with _LOCK:
        if (cached := lib.cache.get("known")) is not None:
            return cached
    speakers = lib.speakers()
    quoted = {s.name for s in speakers}
    kinds: dict[str, Counter[str]] = {}
    for st in lib.statements:
        for n in st.speakers:
            kinds.setdefault(n, Counter())[st.speaker_type] += 1
    people = [
        Person(
            s.name,
            tuple((h.role, h.first, h.last) for h in s.roles),
            True,
            kinds[s.name].most_common(1)[0][0],
        )
        for s in speakers
        if s.name in kinds
    ]
    people += [Person(n, (), False) for n in sorted(lib.people - quoted) if _name_like(n)]
    dates = [str(m["published"]) for m in lib.meta.values() if m.get("published")]
    where: dict[str, list[str]] = {}  # speaker -> passages of their statements, in order
    for st in lib.statements:
        for n in st.speakers:
            where.setdefault(n, []).append(st.passage_id)
    passages = lib.passages

    def context(name: str) -> str:  # their statements' passages and the titles of those articles
        ids = list(dict.fromkeys(where.get(name, ())))[:CONTEXT_PASSAGES]
        titles = dict.fromkeys(str(lib.meta.get(i, {}).get("title", "")) for i in ids)
        return " ".join([*titles, *(passages[i].text for i in ids if i in passages)])

    known = Known(
        people=PeopleIndex(people, lib.lexical.knows, context),
        knows=lib.lexical.knows,
        resembles=lib.lexical.resembles,
        latest=max(dates) if dates else None,
        event=_event_dates(lib),
        embed=embed,
    )
    with _LOCK:
        lib.cache.setdefault("known", known)
    return known


def _name_like(name: str) -> bool:
    """A person the tagger found in the text, if written as a name: two words or more, each
    capitalised or a name particle, no digits ("Anna van der Berg"; not "River at Lakeside")."""
    parts = name.split()
    particles = vocabulary("name_particles")
    return (
        len(parts) > 1
        and all(w[:1].isupper() or w in particles for w in parts)
        and not any(c.isdigit() for c in name)  # "Order XR-12", "Apollo 11": no one's name
    )
