"""Who is speaking: the people and organisations one document names, and the resolution of a
speaker phrase of a parsed sentence (a name, a pronoun, a title, a description) to one of them.

Scope: `Cast`, built per document from the parsed sentences (spaCy entities) and the whole text
(later mentions of the names found): full names and surnames, roles from appositions and the
words before a name ("Norwegian Energy Ministry spokesman Erik Dahl"), gender evidence
(honorifics, pronouns that follow a lone name), organisations; `Cast.speaker(token)` (its
Resolver half, rag/speaker_refs.py) resolves a subject token to a `Speaker` — people,
organisations, unnamed sources kept as described, pronouns to the nearest compatible
antecedent. Non-goals: finding statements (statements.py); names across documents
(the library merges spellings, retrieve.canonical_names).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

from rag.lexicon import words as vocabulary
from rag.names import name_of, office_then_name, role_of, surname_key, title_words
from rag.speaker_refs import Mention, Resolver, Speaker, org_name, strip_the
from rag.text import STOPWORDS, outside_spans

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

_MALE, _FEMALE = {"he", "himself"}, {"she", "herself"}  # (not "his", "her": often another's)
_GENDERED = {"mr": "m", "mrs": "f", "ms": "f", "miss": "f", "sir": "m", "dame": "f", "lord": "m", "lady": "f"}


@cache
def _name_stop() -> frozenset[str]:
    """Words that are no given name: titles, function words, months and days."""
    return frozenset(title_words() | STOPWORDS | vocabulary("calendar"))


@dataclass
class Cast(Resolver):
    """The speakers one document names, and what the reading so far has established."""

    text: str
    full: dict[str, str] = field(default_factory=dict)  # surname (lower) -> full name
    persons: set[str] = field(default_factory=set)  # every person named, as full as known
    roles: dict[str, str] = field(default_factory=dict)
    gender: dict[str, str] = field(default_factory=dict)  # full name -> "m" | "f"
    mentions: list[Mention] = field(default_factory=list)  # people, in reading order
    orgs: list[tuple[int, str]] = field(default_factory=list)  # (offset, organisation name)
    titles: dict[str, set[str]] = field(default_factory=dict)  # person -> title words written before them
    subject_at: set[tuple[int, int]] = field(default_factory=set)  # spans of people parsed as subjects
    parsed: list[tuple[int, int]] = field(default_factory=list)  # the spans that were parsed
    unnamed: list[str] = field(default_factory=list)  # unnamed sources as described, in order
    org_alias: dict[str, str] = field(default_factory=dict)  # abbreviation or short name -> full
    last: Speaker | None = None  # the last statement's speaker
    last_end: int = 0
    last_para: int = -10
    para_starts: list[int] = field(default_factory=list)

    # ---- building ------------------------------------------------------------------------
    def add_entities(self, doc_start: int, ents: list[Span], end: int) -> None:
        """Record the people and organisations of one parsed span doc_start..end."""
        self.parsed.append((doc_start, end))
        for e in ents:
            if e.label_ == "PERSON":
                r = e.root
                if r.dep_ in ("nsubj", "nsubjpass") or (
                    r.dep_ in ("conj", "appos") and r.head.dep_ == "nsubj"
                ):
                    self.subject_at.add((doc_start + e.start_char, doc_start + e.end_char))
                if (name := name_of(e)) is None:
                    continue
                if len(name.split()) >= 2:
                    self.full.setdefault(surname_key(name), name)
                name = self.full.get(surname_key(name), name)
                self.persons.add(name)
                if (role := role_of(e)) is not None:
                    self.roles.setdefault(name, role)
                before = e.doc[e.start - 1].text.lower().rstrip(".") if e.start else ""
                if before in _GENDERED:
                    self.gender.setdefault(name, _GENDERED[before])
            elif e.label_ in ("ORG", "GPE"):
                self.orgs.append((doc_start + e.start_char, org_name(e)))

    def add_titled(self, doc: Doc) -> None:
        """People the tagger missed or took for a body, named as subjects after an office ("…,
        Minister of Health Erik Sandberg said"): the text's full name for their surname."""
        for t in doc:
            if t.dep_ in ("nsubj", "nsubjpass") and (named := office_then_name(t)) is not None:
                name, role = named
                self.full.setdefault(surname_key(name), name)
                self.persons.add(name)
                self.roles.setdefault(name, role)

    def complete_names(self) -> None:
        """A person the parsed sentences name by surname only gets the full name the text gives
        elsewhere: the capitalised words just before the surname, titles and function words
        excluded ("… Mayor Lena Ortiz’s …" -> Lena Ortiz)."""
        stop = _name_stop()
        for short in [p for p in self.persons if len(p.split()) == 1]:
            if surname_key(short) not in self.full:
                self._spell_out(short, stop)
        self.persons = {self.full.get(surname_key(p), p) for p in self.persons}
        places = {n for _, n in self.orgs if " " not in n}
        for key, name in list(self.full.items()):
            first, _, rest = name.partition(" ")
            if len(rest.split()) >= 2 and (
                first in places
                or re.search(rf"\b{re.escape(first.lower())}\s+{re.escape(rest)}\b", self.text)
            ):
                # "Rower Lena Ortiz" in a headline, where the body has "rower Lena
                # Ortiz": a common noun; "(Minister of) Valmark Erik Dahl": a place the text
                # names on its own. Neither is a given name.
                self.full[key] = rest
        firsts: dict[str, set[str]] = {}
        for name in set(self.full.values()):
            if len(name.split()) >= 2:
                firsts.setdefault(name.split()[0].lower(), set()).add(name)
        for word, names in firsts.items():  # "Park" after "Park Min Ho": a family name written first
            if word not in self.full and len(names) == 1 and word not in stop:
                self.full[word] = next(iter(names))
        self.persons = {self.full.get(surname_key(p), p) for p in self.persons}
        self.roles = {self.full.get(surname_key(k), k): v for k, v in self.roles.items()}
        self.gender = {self.full.get(surname_key(k), k): v for k, v in self.gender.items()}

    def _spell_out(self, short: str, stop: frozenset[str]) -> None:
        for m in re.finditer(rf"((?:[A-ZÀ-Þ][\w’'.-]*\s+){{1,2}}){re.escape(short)}(?![\w-])", self.text):
            # a paragraph break ends a name: a headline word is no given name of the surname
            # opening the body ("Harbours" / "Ortiz wrote …")
            given = re.split(r"\n\s*\n", m.group(1))[-1].split()
            ends = [i for i, w in enumerate(given) if len(w) > 2 and w.endswith(".")]
            if ends:  # "… Premier League. Ortiz said": a sentence ended, not a given name
                given = given[ends[-1] + 1 :]
            while given and (given[0].lower().rstrip(".") in stop or given[0].lower() in stop):
                given = given[1:]
            if given and all(g.lower().rstrip(".") not in stop for g in given):
                self.full[surname_key(short)] = " ".join([*given, short])
                return

    def full_name(self, name: str) -> str:
        """A speaker named by surname only, with the given name the text writes before it
        elsewhere (a surname the tagger did not read as a person's is completed too)."""
        if len(name.split()) != 1:
            return name
        if surname_key(name) not in self.full:
            self._spell_out(name, _name_stop())
        return self.full.get(surname_key(name), name)

    def org_names(self) -> None:
        """One name per organisation: an abbreviation the text defines ("Northwind Energy
        Board (NEB)") and a shorter form of a longer name it uses ("Harbour Board" of "Harbour Board of
        Eastport") become the full name."""
        alias: dict[str, str] = {}
        defined = r"((?:[A-Z][\w&’'-]*\s+)(?:(?:of|for|and|the)\s+|[A-Z][\w&’'-]*\s+){0,6})\(([A-Z][A-Za-z&]{1,9})\)"
        for m in re.finditer(defined, self.text):
            full = strip_the(m.group(1).strip())
            if full and m.group(2) not in alias:  # both, as the text gives them
                alias[m.group(2)] = alias[full] = f"{full} ({m.group(2)})"
        names = {n for _, n in self.orgs}
        for n in names:
            if n.isupper():  # an acronym names its own body: "NHS" is not "NHS Confederation"
                continue
            longer = [x for x in names if x != n and x.startswith(n + " ")]
            if len(longer) == 1:  # "Harbour Board", when the text names one such board
                alias.setdefault(n, alias.get(longer[0], longer[0]))
        self.org_alias = alias
        self.orgs = [(p, alias.get(n, n)) for p, n in self.orgs]
        # an abbreviation in a role spelled out: "NEB Director" -> "Northwind Energy Board (NEB) Director"
        for name, role in list(self.roles.items()):
            for abbr, full in alias.items():
                if (
                    full.endswith(f"({abbr})")
                    and re.search(rf"\b{re.escape(abbr)}\b", role)
                    and full not in role
                ):
                    role = re.sub(rf"\b{re.escape(abbr)}\b", full, role, count=1)
            self.roles[name] = role

    def index_mentions(self, sentences: list[tuple[int, int]], quotes: list[tuple[int, int]]) -> None:
        """Every later mention of a known person (full name or surname) in the whole text, with
        gender evidence from pronouns that follow a lone name; quotes are skipped."""
        self.complete_names()
        self.org_names()
        names = sorted(self.persons | set(self.full.values()), key=len, reverse=True)
        found: dict[int, tuple[int, str]] = {}
        for name in names:
            for form in dict.fromkeys([name, name.split()[-1]]):
                for m in re.finditer(rf"(?<![\w-]){re.escape(form)}(?![\w-])", self.text):
                    if not any(a <= m.start() < b for a, b in quotes) and m.start() not in found:
                        if not any(s <= m.start() < s + n for s, (n, _) in found.items()):
                            found[m.start()] = (len(form), name)
        self.orgs.sort()
        titled = title_words()
        for p, (_, n) in found.items():  # "Norwegian Prime Minister Erik Dahl": prime, minister
            before = re.findall(r"[\w’'-]+", self.text[max(0, p - 60) : p])
            words = set()
            for w in reversed(before):
                if w.lower() not in titled:
                    break
                words.add(w.lower())
            if words:
                self.titles.setdefault(n, set()).update(words)
        for s, e in sentences:
            inside = sorted((p, n) for p, (_, n) in found.items() if s <= p < e)
            parsed = any(a <= s and e <= b for a, b in self.parsed)
            for i, (p, n) in enumerate(inside):
                subject = any(a <= p < b for a, b in self.subject_at) if parsed else i == 0
                self.mentions.append(Mention(p, n, subject=subject))
            people = {n for _, n in inside}
            if len(people) == 1:
                prose = outside_spans(self.text, s, e, quotes).lower()
                male = any(re.search(rf"\b{w}\b", prose) for w in _MALE)
                female = any(re.search(rf"\b{w}\b", prose) for w in _FEMALE)
                g = "m" if male else "f"
                if male != female and all(v != g for v in self.gender.values()):
                    # a pronoun the only person of its sentence is taken to own, unless someone
                    # before has that gender ("Lars Vik wrote of her death": hers, not his)
                    self.gender.setdefault(people.pop(), g)
        self.mentions.sort(key=lambda m: m.pos)
