"""Names and descriptions in a question -> the library's speakers.

Scope: `PeopleIndex`, built from the library's speakers (every spelling the library merged, the
roles the articles give them with their dates) and the people it names without quoting;
`find(text)` — the speakers a text names, exactly, by surname, or misspelt (rapidfuzz, with a
confidence threshold: a loose match is returned as unsure, for "did you mean …");
`by_role(phrase)` — a speaker named by role or description ("the city's mayor", "the consulting
firm's boss"), in rag/roles.py: the office asked for (or one whose word vector means it), the
description's other words in the role or around their statements, a place named theirs, at the
question's date where roles changed; the embedding cosine of the best few decides.
Non-goals: reading the question (rag/question/); merging spellings (retrieve.canonical_names).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from rag.lexicon import words as vocabulary
from rag.text import STOPWORDS, stem

SURE = 88.0  # rapidfuzz ratio (0-100) from which a misspelt name is taken as meant
LOOSE = 78.0  # from here up to SURE: "did you mean …"


@dataclass(frozen=True)
class NameMatch:
    name: str  # the library's spelling
    start: int  # where the question names them
    end: int
    score: float  # 100 for an exact or surname match
    sure: bool


@dataclass(frozen=True)
class Person:
    name: str
    roles: tuple[tuple[str, str | None, str | None], ...] = ()  # (role, first date, last date)
    quoted: bool = True
    kind: str = "person"  # "person" | "organisation" | "unnamed": only people are named by surname


@cache
def _titles() -> frozenset[str]:
    """Words written before a surname that leave it the person's ("Minister", "Dr", "Deputy")."""
    return vocabulary("honorifics") | vocabulary("person_nouns") | vocabulary("title_modifiers")


def fold(text: str) -> str:
    """Lower case without accents or doubled letters: 'Kovalenkko' ~ 'kovalenko', 'Çelik' ~ 'celik'."""
    t = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"(.)\1", r"\1", t)


def word_key(word: str) -> str:
    """A word for comparing roles: its stem, cut to six letters ("tunisia" ~ "tunisian")."""
    return stem(fold(word))[:6]


def _acronym_for(span: Sequence[tuple[int, int, str]], name: str) -> bool:
    """A word the question writes in capitals ("UN", "EU") is an acronym, not a name the
    library writes otherwise ("Park Min Un")."""
    written = {w.strip("()[],.") for w in name.split()}  # "European Medicines Agency (EMA)" writes EMA
    return any(len(t[2]) > 1 and t[2].isupper() and t[2] not in written for t in span)


def _tokenwise(a: str, b: str) -> bool:
    """Each word of a misspelt name is close to a word of the name ("kim yong-ju" is not "kim
    jong-un": one word differs too much)."""
    from rapidfuzz import fuzz

    bw = b.split()
    return all(max(fuzz.ratio(w, x) for x in bw) >= LOOSE for w in a.split())


def _tokens(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group(0)) for m in re.finditer(r"[^\W\d_][\w’'-]*", text)]


class PeopleIndex:
    def __init__(
        self,
        people: Sequence[Person],
        knows: Callable[[str], bool] | None = None,
        context: Callable[[str], str] | None = None,
    ):
        """`knows(word)`: the library uses the word; such a word is never taken for a misspelt name.
        `context(name)`: the text around the person's statements (where a description's other
        words, "the foreign ministry's spokeswoman", are likely written)."""
        self.people = {p.name: p for p in people}
        self.knows = knows or (lambda w: False)
        self.context = context
        self._forms: dict[str, list[str]] = {}  # folded full name or surname -> names
        for p in people:
            parts = p.name.split()
            forms = {p.name}
            if p.kind == "person":
                forms |= {parts[-1]} | ({" ".join(parts[-2:])} if len(parts) > 2 else set())
            elif m := re.fullmatch(r"(.+?)\s*\(([^()]+)\)", p.name):  # "Northwind Energy Board (NEB)"
                forms |= {m.group(1), m.group(2)}
            for form in forms:
                self._forms.setdefault(fold(form), []).append(p.name)
        for key, names in self._forms.items():  # a surname two speakers share: the person's
            if len(names) > 1 and any(self.people[n].kind == "person" for n in names):
                self._forms[key] = [n for n in names if self.people[n].kind == "person"]
        # one-word forms by their stem: "Kovalenski" is a word the library uses (the stem of
        # "Kovalensky"), so `find` never tries it as a misspelling; see `same_stem`
        self._stems: dict[str, list[str]] = {}
        for key in self._forms:
            if " " not in key and len(key) >= 5:
                self._stems.setdefault(stem(key), []).append(key)

    def find(self, text: str) -> list[NameMatch]:
        """Speakers (and people the library names) that text names, in order; each once."""
        from rapidfuzz import fuzz, process

        lowered = text == text.lower()  # a question typed all in lower case: any word may be a name
        toks = _tokens(text)
        cands: list[NameMatch] = []
        skip = STOPWORDS | vocabulary("group_words") | vocabulary("person_nouns")
        particles = vocabulary("name_particles")
        for i in range(len(toks)):
            for size in (4, 3, 2, 1):
                if i + size > len(toks):
                    continue
                span = toks[i : i + size]
                phrase = text[span[0][0] : span[-1][1]]
                if any(t[2].lower() in skip for t in (span[0], span[-1])):
                    continue
                inner = span[1:-1]
                if not lowered and not (
                    span[0][2][:1].isupper()
                    and span[-1][2][:1].isupper()
                    and all(t[2][:1].isupper() or t[2] in particles for t in inner)
                ):
                    continue
                key = fold(re.sub(r"[’']s$", "", phrase))
                if key in self._forms:
                    names = [
                        n
                        for n in self._forms[key]
                        if (lowered or not self._inside_other_name(text, toks, i, n))
                        and not _acronym_for(span, n)
                    ]
                    cands += [NameMatch(n, span[0][0], span[-1][1], 100.0, True) for n in names]
                    continue
                if len(key) < 5 or (size == 1 and self.knows(span[0][2])):
                    continue  # short words, and words the library uses, are not misspelt names
                best = process.extractOne(key, list(self._forms), scorer=fuzz.ratio, score_cutoff=LOOSE)
                if best is not None and len(best[0].split()) == size and _tokenwise(key, best[0]):
                    score = float(best[1])
                    sure = score >= SURE and (size > 1 or len(key) >= 6)
                    cands += [
                        NameMatch(n, span[0][0], span[-1][1], score, sure) for n in self._forms[best[0]]
                    ]
        cands.sort(key=lambda m: (-(m.end - m.start) * (m.score / 100), m.start))
        out: list[NameMatch] = []
        for m in cands:  # longest, best first; no two matches share words, no person twice
            if all(m.end <= o.start or m.start >= o.end for o in out) and all(m.name != o.name for o in out):
                out.append(m)
        return sorted(out, key=lambda m: m.start)

    def same_stem(self, name: str, start: int, end: int) -> list[NameMatch]:
        """The people a one-word name the tagger found names when it is one of their names with
        another ending ("Kovalenski" for "Kovalensky"). Only for words tagged as a person: a
        common word ("Brook") may share a surname's stem ("Brooke")."""
        from rapidfuzz import fuzz

        key = fold(re.sub(r"[’']s$", "", name))
        if " " in key or len(key) < 5 or not (same := self._stems.get(stem(key))):
            return []
        score, form = max((fuzz.ratio(key, f), f) for f in same)
        return [NameMatch(n, start, end, float(score), True) for n in self._forms[form]]

    def _inside_other_name(self, text: str, toks: list[tuple[int, int, str]], i: int, name: str) -> bool:
        """A surname that ends a longer proper name which is not this person's ("North Coast Express"
        is not the "Lena Express" of another text; "Minister Ortiz", "the EU's Ortiz" are Ortiz)."""
        parts = {fold(w) for w in name.split()}
        if i == 0 or len(name.split()) < 2 or fold(toks[i][2]) != fold(name.split()[-1]):
            return False
        before = toks[i - 1]
        word = before[2]
        if text[before[1] : toks[i][0]].strip() or not word[:1].isupper() or re.search(r"[’']s$", word):
            return False  # not right before it, lower case, or an owner ("Valmark's Ortiz")
        low = word.lower().rstrip(".")
        return fold(word) not in parts and low not in STOPWORDS and low not in _titles()

    def kind(self, name: str) -> str:
        p = self.people.get(name)
        return p.kind if p else "person"

    def by_role(
        self,
        phrase: str,
        embed: Callable[[list[str]], np.ndarray] | None = None,
        when: tuple[str | None, str | None] = (None, None),
    ) -> tuple[str, float] | None:
        """The speaker a description names: (name, score) or None (rag/roles.py)."""
        from rag.roles import by_role

        return by_role(self, phrase, embed, when)
