"""Who is speaking: the people and organisations one document names, and the resolution of a
speaker phrase of a parsed sentence (a name, a pronoun, a title, a description) to one of them.

Scope: `Cast`, built per document from the parsed sentences (spaCy entities) and the whole text
(later mentions of the names found): full names and surnames, roles from appositions and the
words before a name ("Norwegian Energy Ministry spokesman Erik Dahl"), gender evidence
(honorifics, pronouns that follow a lone name), organisations; `Cast.speaker(token)` resolves a
subject token to a `Speaker` — people (PERSON), organisations (ORG/GPE, and nominals such as
"the ministry" from rag/lexicon/org_nouns.txt), unnamed sources kept as described ("a Norwegian
official"), pronouns to the nearest compatible antecedent (he/she by gender, they/it to groups
and organisations). Non-goals: finding statements (statements.py); names across documents
(the library merges spellings, retrieve.canonical_names).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rag.lexicon import words as vocabulary
from rag.names import name_of, name_tail, role_of, role_text, surname_key, title_words, titled_name
from rag.text import STOPWORDS, outside_spans
from rag.types import SpeakerType

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

ORG_LABELS = {"ORG", "GPE", "NORP", "FAC"}
_CORE = {"compound", "appos", "conj", "cc", "amod", "nmod", "det", "punct", "flat", "nummod", "quantmod"}
_DESC_DROP = {"relcl", "acl", "advcl", "punct"}
_MALE, _FEMALE = {"he", "him", "his", "himself"}, {"she", "her", "hers", "herself"}
_GENDERED = {"mr": "m", "mrs": "f", "ms": "f", "miss": "f", "sir": "m", "dame": "f", "lord": "m", "lady": "f"}


@dataclass(frozen=True)
class Speaker:
    names: tuple[str, ...]
    type: SpeakerType
    role: str | None = None


@dataclass(frozen=True)
class Mention:
    pos: int  # offset into the document text
    name: str
    subject: bool  # the first person named in its sentence (subject-like)


@dataclass
class Cast:
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
                self.orgs.append((doc_start + e.start_char, _org_name(e)))

    def complete_names(self) -> None:
        """A person the parsed sentences name by surname only gets the full name the text gives
        elsewhere: the capitalised words just before the surname, titles and function words
        excluded ("… Mayor Lena Ortiz’s …" -> Lena Ortiz)."""
        stop = title_words() | STOPWORDS | vocabulary("calendar")
        for short in [p for p in self.persons if len(p.split()) == 1]:
            if surname_key(short) in self.full:
                continue
            for m in re.finditer(rf"((?:[A-ZÀ-Þ][\w’'.-]*\s+){{1,2}}){re.escape(short)}(?![\w-])", self.text):
                given = [w for w in m.group(1).split()]
                while given and (given[0].lower().rstrip(".") in stop or given[0].lower() in stop):
                    given = given[1:]
                if given and all(g.lower().rstrip(".") not in stop for g in given):
                    self.full[surname_key(short)] = " ".join([*given, short])
                    break
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

    def org_names(self) -> None:
        """One name per organisation: an abbreviation the text defines ("Northwind Energy
        Board (NEB)") and a shorter form of a longer name it uses ("Harbour Board" of "Harbour Board of
        Eastport") become the full name."""
        alias: dict[str, str] = {}
        defined = r"((?:[A-Z][\w&’'-]*\s+)(?:(?:of|for|and|the)\s+|[A-Z][\w&’'-]*\s+){0,6})\(([A-Z][A-Za-z&]{1,9})\)"
        for m in re.finditer(defined, self.text):
            full = _strip_the(m.group(1).strip())
            if full and m.group(2) not in alias:  # both, as the text gives them
                alias[m.group(2)] = alias[full] = f"{full} ({m.group(2)})"
        names = {n for _, n in self.orgs}
        for n in names:
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

    def org(self, name: str) -> str:
        return self.org_alias.get(name, name)

    def person_named(self, word: str) -> str | None:
        """The document's person a single word names (their surname or full name), if any."""
        key = word.lower()
        if key in self.full:
            return self.full[key]
        return next((p for p in self.persons if p.lower() == key), None)

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
                if male != female:
                    self.gender.setdefault(people.pop(), "m" if male else "f")
        self.mentions.sort(key=lambda m: m.pos)

    # ---- resolving -----------------------------------------------------------------------
    def paragraph_of(self, pos: int) -> int:
        return max(0, bisect_left(self.para_starts, pos + 1) - 1)

    def heard(self, speaker: Speaker, end: int, para: int) -> None:
        """A statement was attributed: its speaker is the last one (pronouns may follow it)."""
        self.last, self.last_end, self.last_para = speaker, end, para

    def _pronoun(self, word: str, pos: int) -> Speaker | None:
        para = self.paragraph_of(pos)
        w = word.lower()
        if w in ("he", "she"):
            g = "m" if w == "he" else "f"
            ok = [m for m in self.mentions if m.pos < pos and self.gender.get(m.name, g) == g]
            fresh = [m for m in ok if m.pos >= self.last_end and m.subject]
            pick: str | None = None
            if fresh and self.paragraph_of(fresh[-1].pos) >= para - 1:
                pick = fresh[-1].name
            elif (
                self.last
                and self.last.type == "person"
                and len(self.last.names) == 1
                and self.gender.get(self.last.names[0], g) == g
                and para - self.last_para <= 2
            ):
                pick = self.last.names[0]
            elif ok and self.paragraph_of(ok[-1].pos) >= para - 2:
                pick = ok[-1].name
            if pick is None:
                return None
            self.gender.setdefault(pick, g)
            return Speaker((pick,), "person", self.roles.get(pick))
        if w in ("they", "it"):
            if self.last and para - self.last_para <= 1:
                plural_ok = self.last.type != "person" or len(self.last.names) > 1
                if (w == "they" and plural_ok) or (w == "it" and self.last.type == "organisation"):
                    return self.last
            recent = [n for p, n in self.orgs if p < pos and self.paragraph_of(p) >= para - 1]
            if recent:
                return Speaker((recent[-1],), "organisation")
        return None

    def speaker(self, head: Token, offset: int) -> Speaker | None:
        """The speaker a subject token names (offset: where its sentence starts in the text)."""
        pos = offset + head.idx
        if head.pos_ == "PRON" or head.lower_ in ("he", "she", "they", "it"):
            return self._pronoun(head.text, pos)
        if head.lower_ in ("latter", "former"):  # "X and Y …, the latter telling …": Y
            recent = list(dict.fromkeys(m.name for m in reversed(self.mentions) if m.pos < pos))
            pick = recent[0 if head.lower_ == "latter" else 1] if len(recent) >= 2 else None
            return Speaker((pick,), "person", self.roles.get(pick)) if pick else None
        core = _core(head)
        people = _entities(head.doc, core, {"PERSON"})
        covered = {t.i for e in people for t in e}
        found: list[tuple[int, str]] = []
        for e in people:
            if (name := name_of(e)) is not None:
                found.append((e.start, self.full.get(surname_key(name), name)))
        for t in core:  # a known person the tagger mislabelled ("Ortiz" as a product)
            if t.i not in covered and t.pos_ == "PROPN" and (known := self.person_named(t.text)):
                found.append((t.i, known))
        names = list(dict.fromkeys(n for _, n in sorted(found)))
        before = head.doc[people[0].start - 1] if people and people[0].start > 0 else None
        if (
            names
            and before is not None
            and before.dep_ == "compound"
            and before.lemma_.lower() in vocabulary("org_nouns")
        ):
            return Speaker(tuple(names), "organisation")  # "Norwegian daily Dagposten": a newspaper
        if names:
            role = role_of(people[0]) if len(names) == 1 and people else None
            if role is None and len(names) == 1:
                role = self.roles.get(names[0])
            return Speaker(tuple(names), "person", role)
        sub = list(head.subtree)
        tail = next((e for e in head.doc.ents if e.label_ == "PERSON" and e.end - 1 == sub[-1].i), None)
        if tail is not None and head.lemma_.lower() in vocabulary("person_nouns") and (name := name_of(tail)):
            # "Director of the Northwind Energy Board Anna van der Berg said": the name ends the phrase
            role = head.doc[sub[0].i : tail.start].text.strip(" ,")
            return Speaker(
                (self.full.get(surname_key(name), name),), "person", role_text(role) if role else None
            )
        orgs = _entities(head.doc, core, ORG_LABELS)
        if (named := titled_name(head, orgs)) is not None:
            name, role = named
            return Speaker((self.full.get(surname_key(name), name),), "person", role)
        titled = [t for t in core if t.dep_ == "compound" and t.lower_ in vocabulary("person_nouns")]
        if orgs and titled and head.ent_type_ in ("GPE", "ORG") and head.pos_ == "PROPN":
            # "President Erik Dahl" tagged as a place: an office before a name is a person's
            ent = next((e for e in orgs if head in e), orgs[0])
            name = " ".join(t.text for t in ent if t not in titled and t.lower_ not in ("the",))
            if name:
                return Speaker(
                    (self.full.get(surname_key(name), name),), "person", " ".join(t.text for t in titled)
                )
        if orgs and head.ent_type_ in ORG_LABELS:
            if orgs[0].label_ == "NORP" and head.tag_ in ("NNS", "NNPS"):
                return Speaker((_strip_the(orgs[0].text),), "unnamed")  # "Norwegians said"
            return Speaker(tuple(dict.fromkeys(self.org(_org_name(e)) for e in orgs)), "organisation")
        return self._nominal(head, pos)

    def _nominal(self, head: Token, pos: int) -> Speaker | None:
        """'the ministry', 'a Norwegian official', 'officials', 'the minister', 'a statement from X'."""
        lemma = head.lemma_.lower()
        phrase = " ".join(t.lower_ for t in head.lefts if t.dep_ in ("compound", "amod")) + " " + lemma
        phrase = phrase.strip()
        definite = any(t.lower_ in ("the", "this", "that") for t in head.lefts)
        if lemma in vocabulary("document_nouns") or head.lower_ in vocabulary("document_nouns"):
            # the issuer speaks through it: "CNN's projections", "a statement from the ministry"
            for c in head.children:
                if c.dep_ == "poss" and (c.ent_type_ or c.pos_ == "PROPN"):
                    return self.speaker(c, pos - head.idx)
            # "a statement by X", or "read a statement by X" with "by" hung on the verb
            for owner in (head, head.head):
                for prep in (
                    c for c in owner.children if c.dep_ == "prep" and c.lower_ in ("from", "by", "of")
                ):
                    for obj in (c for c in prep.children if c.dep_ == "pobj"):
                        return self.speaker(obj, pos - head.idx)
            return None
        if lemma in vocabulary("org_nouns") or phrase in vocabulary("org_nouns"):
            if _entities(head.doc, set(head.subtree), {"ORG", "GPE", "NORP"}) and not definite:
                return Speaker((describe(head),), "organisation")
            earlier = [n for p, n in self.orgs if p < pos and lemma in n.lower()]
            if definite and earlier:
                return Speaker((earlier[-1],), "organisation")
            return Speaker((describe(head),), "organisation")
        if lemma in vocabulary("person_nouns") or head.lower_ in vocabulary("group_words"):
            if definite and head.tag_ not in ("NNS", "NNPS"):
                want = {w for w in phrase.split() if w in title_words()} | {lemma}  # "Norwegian": not a title

                def holds(name: str) -> bool:
                    have = set(re.findall(r"[\w’'-]+", self.roles.get(name, "").lower()))
                    return want <= have | self.titles.get(name, set())

                holders = [m.name for m in self.mentions if m.pos < pos and holds(m.name)]
                if holders:
                    return Speaker((holders[-1],), "person", self.roles.get(holders[-1]))
                # "the activist" after "a housing activist from Eastport": the same source
                described = [d for d in self.unnamed if lemma in d.lower().split()]
                if described:
                    return Speaker((described[-1],), "unnamed")
            if not definite and head.tag_ not in ("NNS", "NNPS"):
                self.unnamed.append(describe(head))
            desc = describe(head)
            if (tail := name_tail(list(head.subtree))) is not None:
                # "member for the Harbour Party Erik Dahl": the name that ends the description
                name = head.doc[tail[0].i : tail[-1].i + 1].text
                role = head.doc[head.left_edge.i : tail[0].i].text.strip(" ,")
                return Speaker((self.full.get(surname_key(name), name),), "person", role_text(role))
            return Speaker((desc,), "unnamed")
        return None


def _org_name(e: Span) -> str:
    """An organisation's name, with the "of …" the tagger left out ("Harbour Board" + "of
    Eastport")."""
    doc, end = e.doc, e.end
    if end + 1 < len(doc) and doc[end].lower_ == "of" and doc[end + 1].text[:1].isupper():
        end += 1
        while end < len(doc) and (doc[end].text[:1].isupper() or doc[end].lower_ in ("of", "and", "for")):
            end += 1
        while doc[end - 1].lower_ in ("of", "and", "for"):
            end -= 1
    return _strip_the(doc[e.start : end].text)


def _strip_the(text: str) -> str:
    return re.sub(r"^(?:the|The)\s+", "", text.strip())


def _core(head: Token) -> set[Token]:
    """The head and the words that name it (compounds, appositions, conjuncts), not its
    prepositional phrases, clauses or possessors ("Ortiz's lawyer" is not Ortiz)."""
    out = {head}
    todo = [head]
    while todo:
        t = todo.pop()
        for c in t.children:
            if c.dep_ in _CORE and c not in out:
                out.add(c)
                todo.append(c)
    return out


def _entities(doc: object, tokens: set[Token], labels: set[str]) -> list[Span]:
    ents = getattr(doc, "ents", ())
    return [e for e in ents if e.label_ in labels and any(t in tokens for t in e)]


def describe(head: Token, most: int = 14) -> str:
    """The words of a noun phrase, without relative clauses or trailing punctuation."""
    drop = {t for c in head.children if c.dep_ in _DESC_DROP for t in c.subtree}
    toks = [t for t in head.subtree if t not in drop]
    if not toks:
        return head.text
    doc = head.doc
    text = doc[toks[0].i : toks[-1].i + 1].text
    out = " ".join(text.split()[:most]).strip(" ,;:")
    return out
