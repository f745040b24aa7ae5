"""Resolving a speaker phrase of a parsed sentence (a name, a pronoun, "the latter", a title, a
description, a document's issuer) to one of the speakers a document names.

Scope: `Resolver`, the half of speakers.Cast that answers "who is this subject token?" from
what the reading has established — people (PERSON; a known surname the tagger mislabelled),
organisations (ORG/GPE, and nominals such as "the ministry" from rag/lexicon/org_nouns.txt),
unnamed sources kept as described ("a Norwegian official"; "the official" later is the same
source), pronouns to the nearest compatible antecedent (he/she by gender, they/it to groups and
organisations, the last statement's speaker first). `Speaker`, `Mention` and the noun-phrase
helpers both halves use. Non-goals: collecting the names (speakers.Cast), finding statements.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rag.lexicon import words as vocabulary
from rag.names import (
    name_of,
    name_tail,
    office_then_name,
    role_of,
    role_text,
    surname_key,
    title_words,
    titled_name,
)
from rag.types import SpeakerType

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

ORG_LABELS = {"ORG", "GPE", "NORP", "FAC"}
_CORE = {"compound", "appos", "conj", "cc", "amod", "nmod", "det", "punct", "flat", "nummod", "quantmod"}
_DESC_DROP = {"relcl", "acl", "advcl", "punct"}


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


class Resolver:
    """Speaker resolution over a Cast's state (speakers.Cast is the dataclass that holds it)."""

    text: str
    full: dict[str, str]
    persons: set[str]
    roles: dict[str, str]
    gender: dict[str, str]
    mentions: list[Mention]
    orgs: list[tuple[int, str]]
    titles: dict[str, set[str]]
    unnamed: list[str]
    last: Speaker | None
    last_end: int
    last_para: int
    para_starts: list[int]

    org_alias: dict[str, str]

    def org(self, name: str) -> str:
        return self.org_alias.get(name, name)

    def person_named(self, word: str) -> str | None:
        """The document's person a single word names (their surname or full name), if any."""
        key = word.lower()
        if key in self.full:
            return self.full[key]
        return next((p for p in self.persons if p.lower() == key), None)

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
        for t in core:  # a known person the tagger mislabelled ("Ortiz" as a product) …
            if t.i in covered or t.pos_ != "PROPN" or t.ent_type_ in ORG_LABELS:
                continue
            if t.dep_ == "compound" and (
                t.head.lemma_.lower() in vocabulary("person_nouns") or t.head.i in covered
            ):
                continue  # … not the employer before a role or a name ("Valmark coach Erik Dahl")
            if known := self.person_named(t.text):
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
        if len(names) == 1 and " " not in names[0] and names[0] in {n for _, n in self.orgs}:
            return Speaker((names[0],), "organisation")  # "Valmark said": a club the text also tags as one
        if names:
            role = role_of(people[0]) if len(names) == 1 and people else None
            if role is None and len(names) == 1:
                role = self.roles.get(names[0])
            return Speaker(tuple(names), "person", role)
        sub = _phrase(head)
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
        if (named := office_then_name(head)) is not None:
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
            if (
                len(orgs) == 1
                and len(orgs[0]) == 1
                and " " in (known := self.person_named(orgs[0].text) or "")
            ):
                # "Ortiz said", the surname tagged as a body, where the text names Lena Ortiz
                return Speaker((known,), "person", self.roles.get(known))
            if orgs[0].label_ == "NORP" and head.tag_ in ("NNS", "NNPS"):
                return Speaker((strip_the(orgs[0].text),), "unnamed")  # "Norwegians said"
            return Speaker(tuple(dict.fromkeys(self.org(org_name(e)) for e in orgs)), "organisation")
        return self._nominal(head, pos)

    def _nominal(self, head: Token, pos: int) -> Speaker | None:
        """'the ministry', 'a Norwegian official', 'officials', 'the minister', 'a statement from X'."""
        lemma = head.lemma_.lower()
        phrase = " ".join(t.lower_ for t in head.lefts if t.dep_ in ("compound", "amod")) + " " + lemma
        phrase = phrase.strip()
        definite = any(t.lower_ in ("the", "this", "that") for t in head.lefts)
        docs = vocabulary("document_nouns")
        if lemma not in docs and head.lower_ not in docs:  # "X's speech indoors", parsed as a compound
            head = next(
                (
                    c
                    for c in head.lefts
                    if c.dep_ == "compound"
                    and c.lemma_.lower() in docs
                    and any(o.dep_ == "poss" for o in c.children)
                ),
                head,
            )
            lemma = head.lemma_.lower()
        if lemma in docs or head.lower_ in docs:
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
                # an office's own nouns too: "the health minister" is not the aviation minister
                want |= {t.lower_ for t in head.lefts if t.dep_ == "compound" and t.pos_ == "NOUN"}

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
            if (tail := name_tail(_phrase(head))) is not None:
                # "member for the Harbour Party Erik Dahl": the name that ends the description
                name = head.doc[tail[0].i : tail[-1].i + 1].text
                role = head.doc[head.left_edge.i : tail[0].i].text.strip(" ,")
                return Speaker((self.full.get(surname_key(name), name),), "person", role_text(role))
            return Speaker((desc,), "unnamed")
        return None


def org_name(e: Span) -> str:
    """An organisation's name, with the "of …" the tagger left out ("Harbour Board" + "of
    Eastport")."""
    doc, end = e.doc, e.end
    if end + 1 < len(doc) and doc[end].lower_ == "of" and doc[end + 1].text[:1].isupper():
        end += 1
        while end < len(doc) and (doc[end].text[:1].isupper() or doc[end].lower_ in ("of", "and", "for")):
            end += 1
        while doc[end - 1].lower_ in ("of", "and", "for"):
            end -= 1
    while end > e.start + 1 and doc[end - 1].text in ("'s", "’s", "'", "’"):
        end -= 1  # "the Harbour Board's statement": the board
    return strip_the(doc[e.start : end].text)


def strip_the(text: str) -> str:
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


def _phrase(head: Token) -> list[Token]:
    """The subject's words without the clauses that follow a name ("Fund manager at X Ines
    Marlow, interviewed by a weekly, said": the phrase ends at Marlow)."""
    clauses = [c for c in head.subtree if c.dep_ in ("acl", "relcl") and c is not head and c.i > head.i]
    drop = {t.i for c in clauses for t in c.subtree}
    toks = [t for t in head.subtree if t.i not in drop]
    while toks and toks[-1].is_punct:
        toks.pop()
    return toks


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
