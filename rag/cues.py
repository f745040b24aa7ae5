"""The grammar of reporting, over spaCy parses: which words are cues, a reporting verb's
subject, what a verb takes, and the units (sentences, windows) worth parsing.

Scope: token-level tests statements.py builds on — `cue_of` (a speech verb or a verb that takes
a quote), `subject_of` (who speaks: the subject, the verb a participle or conjunct continues,
"the latter", an agent, an inverted "said X"), `takes` (a quote in a verb's reach), `object_of`
("according to X"), the spans a characterising verb or a credit covers (`characterised`,
`according`), and the pre-filters that pick the units parsed at all (`candidates`).
The verbs and nouns are data (rag/lexicon/). Non-goals: building statements (statements.py),
naming speakers (speakers.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from rag.lexicon import forms
from rag.lexicon import words as vocabulary
from rag.passages import paragraph_spans
from rag.quotes import Quote
from rag.text import sentence_spans

if TYPE_CHECKING:
    from spacy.tokens import Token

WINDOW = 300  # characters kept on each side of a cue in a window of a sentence too long to parse


@dataclass(frozen=True)
class Unit:
    start: int
    end: int
    paragraph: int


@cache
def cue_re() -> re.Pattern[str]:
    alts = alternation({*forms("speech_verbs"), *forms("quote_verbs")})
    return re.compile(rf"\b(?:{alts}|according\s+to|per)\b", re.I)


def alternation(verbs: Iterable[str]) -> str:
    """A regex alternation of verb forms, longest first, a space matching any whitespace."""
    return "|".join(re.escape(v).replace(r"\ ", r"\s+") for v in sorted(verbs, key=len, reverse=True))


@cache
def plain_cue_re() -> re.Pattern[str]:
    """What a sentence without a quotation mark needs to hold a statement: a speech verb ("said
    that …"), "according to"/"per", a naming verb ("called the plan a gamble"), or a verb that
    takes a quote followed by "as" ("condemned the vote as unfair"). Other quote-taking verbs
    ("offered", "issued", "put") report nothing without quotation marks, so such sentences are
    not parsed."""
    naming = vocabulary("naming_verbs")
    quoting = forms("quote_verbs")
    names = [f for f, lemma in quoting.items() if lemma in naming]
    return re.compile(
        rf"\b(?:{alternation(forms('speech_verbs'))}|{alternation(names)}|according\s+to|per)\b"
        rf"|\b(?:{alternation(quoting)})\b[^.;:!?]{{0,120}}?\bas\b",
        re.I,
    )


NOUN_BEFORE = frozenset(  # words after which a cue word is a noun ("the report", "member states")
    "the a an of this these those its their his her our your my united member such in for at from with on".split()
)


def plain_cue(text: str, start: int, end: int) -> bool:
    """The sentence text[start:end] has a cue word used as a verb, as far as the words around it
    tell without a parse: "the states", "member states", "in order", "a report of" are nouns."""
    for m in plain_cue_re().finditer(text, start, end):
        before = re.findall(r"[\w’'-]+", text[max(start, m.start() - 20) : m.start()])
        after = text[m.end() : m.end() + 4].lower()
        plural = m.group(0).lower().endswith("s")
        if (before and before[-1].lower() in NOUN_BEFORE) or (plural and after.startswith(" of ")):
            continue
        return True
    return False


def cue_of(t: Token) -> tuple[str, bool] | None:
    """(lemma, is a speech verb) when t is a reporting verb (quote-taking verbs: is_speech False)."""
    if t.pos_ not in ("VERB", "AUX") and t.dep_ != "ROOT":
        return None
    speech, quoting = forms("speech_verbs"), forms("quote_verbs")
    nxt = t.nbor(1).lower_ if t.i + 1 < len(t.doc) else ""
    for w in (f"{t.lower_} {nxt}", t.lower_, t.lemma_.lower()):
        if w in speech:
            return speech[w], True
        if w in quoting:
            return quoting[w], False
    return None


def adjacent(v: Token) -> Token | None:
    """The name or pronoun written right before a verb (auxiliaries and adverbs between), when
    the parser hung it elsewhere ("… Energy Secretary Erik Dahl said", Dahl parsed as the
    object of an earlier verb; "strategist at the Bank Lena Ortiz told")."""
    i = v.i - 1
    while i >= 0 and v.doc[i].pos_ in ("AUX", "ADV", "PART") and v.doc[i].dep_ != "nsubj":
        i -= 1
    if i < 0:
        return None
    t = v.doc[i]
    if t.ent_type_ in ("PERSON", "ORG", "GPE", "NORP") or t.pos_ == "PRON":
        return t
    return None


def subject_of(v: Token, depth: int = 0) -> Token | None:
    """The subject of a reporting verb; for "…, adding" or "and added", the verb it continues;
    for an inverted "said X" parsed as an object, X; a name written right before the verb when
    the parse put the subject's head elsewhere."""
    for c in v.children:
        if c.dep_ == "nsubj":
            near = adjacent(v)
            if near is not None and near.ent_type_ == "PERSON" and c.ent_type_ != "PERSON" and near.i > c.i:
                return near  # "strategist at the Bank Lena Ortiz told": Ortiz, not the strategist
            return c
        if c.dep_ == "agent":  # "as reported by the Daily Courier"
            return next((o for o in c.children if o.dep_ == "pobj"), None)
    if (latter := next((c for c in v.lefts if c.lower_ in ("latter", "former")), None)) is not None:
        return latter  # "…, the latter telling the Courier “…”" (parsed as the verb's modifier)
    if (
        v.dep_ == "acl"
        and v.tag_ == "VBG"
        and (v.head.pos_ in ("NOUN", "PROPN", "PRON") or v.head.lower_ in ("latter", "former"))
    ):
        # "…, the latter telling the Courier “…”", "a spokesman saying “…”": the noun it qualifies
        return v.head
    if depth < 3 and v.dep_ == "pcomp" and v.tag_ == "VBG" and v.head.head.pos_ in ("VERB", "AUX"):
        return subject_of(v.head.head, depth + 1)  # "X followed by saying …", "X ended by warning …"
    # "…, adding", "and added": the verb this one continues (a participle or a coordinated verb,
    # not a clause of its own such as "as reported by")
    if depth < 3 and v.head.i != v.i and v.head.pos_ in ("VERB", "AUX"):
        if v.dep_ == "conj" or (v.dep_ in ("advcl", "xcomp", "dep") and v.tag_ == "VBG"):
            # the reporting verb this one continues, even when the parse hung it on a clause
            # ("Dahl said they … and added “…”", added parsed as a conjunct of the clause)
            for a in v.ancestors:
                if a.pos_ in ("VERB", "AUX") and (cue := cue_of(a)) is not None and cue[1]:
                    return subject_of(a, depth + 1)
            if v.dep_ == "conj":  # "X advised … not to go out and stated “…”": the first verb's subject
                for a in v.ancestors:
                    if a.pos_ in ("VERB", "AUX") and any(c.dep_ == "nsubj" for c in a.children):
                        return subject_of(a, depth + 1)
            return subject_of(v.head, depth + 1)
    for c in v.rights:
        if c.dep_ in ("dobj", "attr", "npadvmod", "oprd", "appos") and (c.ent_type_ or c.pos_ == "PROPN"):
            return c
        if c.dep_ in ("dobj", "nsubj") and c.lemma_.lower() in vocabulary("document_nouns"):
            return c  # "“…,” read a statement by the president"
    return adjacent(v)


def takes(v: Token, first: Token, speech: bool) -> bool:
    """The quote starting at `first` is in the verb's grammatical reach: for a speech verb,
    anywhere in its subtree; for a verb that takes a quote as its object ("called it “…”",
    "welcomed “…”"), not inside a clause of its own (the parser may hang "…, that it was “…”"
    of an earlier "said" on a nearer "call")."""
    if first not in v.subtree:
        return False
    if speech:
        return True
    x = first
    while x.i != v.i and x.head.i != x.i:
        if x.dep_ in ("ccomp", "advcl") and x.pos_ in ("VERB", "AUX"):
            return False
        x = x.head
    return True


def units(text: str, quotes: list[Quote]) -> list[Unit]:
    """Sentences, joined where a quotation runs across them, with their paragraph numbers."""
    out = []
    for no, (ps, pe) in enumerate(paragraph_spans(text)):
        cur: tuple[int, int] | None = None
        for s, e in sentence_spans(text, ps, pe):
            if cur and any(q.open_at < cur[1] and q.outer[1] > s for q in quotes):
                cur = (cur[0], e)
                continue
            if cur:
                out.append(Unit(cur[0], cur[1], no))
            cur = (s, e)
        if cur:
            out.append(Unit(cur[0], cur[1], no))
    return out


def windows(text: str, u: Unit, quotes: list[Quote]) -> list[Unit]:
    """A unit too long to parse whole, as windows around its quotation marks and cue words."""
    anchors = [q.open_at for q in quotes if u.start <= q.open_at < u.end]
    anchors += [m.start() for m in cue_re().finditer(text, u.start, u.end)]
    spans: list[tuple[int, int]] = []
    for a in sorted(anchors)[:50]:
        s, e = max(u.start, a - WINDOW), min(u.end, a + WINDOW)
        if s > u.start and (space := text.rfind(" ", u.start, s)) >= 0:
            s = space + 1
        e = text.find(" ", e, u.end) if 0 <= text.find(" ", e, u.end) else u.end
        if spans and s <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(e, spans[-1][1]))
        else:
            spans.append((s, e))
    return [Unit(s, e, u.paragraph) for s, e in spans]


def candidates(
    text: str,
    quotes: list[Quote],
    sentences: list[tuple[int, int]],
    skip_head: bool,
    max_unit: int,
    max_doc: int,
) -> tuple[list[Unit], list[Unit], int, bool]:
    """The units worth parsing: those holding or inside a quotation or with a plain cue (the
    headline skipped when `skip_head`), a unit over `max_unit` characters as windows around its
    cues, at most `max_doc` characters in all; plus, as context (paragraph -1), the sentence
    before each candidate in `sentences` — who it makes the subject is who a following "he said" most likely
    means. Returns (candidates, context, characters taken, whether `max_doc` cut some off)."""
    out: list[Unit] = []
    budget, truncated = max_doc, False
    for u in units(text, quotes):
        if u.paragraph == 0 and skip_head:
            continue
        if not (
            inside(u.start, quotes) or any(u.start <= q.open_at < u.end for q in quotes)
        ) and not plain_cue(text, u.start, u.end):
            continue
        for w in [u] if u.end - u.start <= max_unit else windows(text, u, quotes):
            if budget - (w.end - w.start) < 0:
                truncated = True
                break
            budget -= w.end - w.start
            out.append(w)
    starts = {u.start for u in out}
    context: list[Unit] = []
    for i, (a, _) in enumerate(sentences[1:], 1):
        prev = sentences[i - 1]
        size = prev[1] - prev[0]
        if a in starts and prev[0] not in starts and size <= max_unit and budget > size:
            context.append(Unit(prev[0], prev[1], -1))
            budget -= size
    lead = next((x for x in sentences[int(skip_head) :] if x[1] - x[0] <= max_unit), None)
    if lead is not None and lead[0] not in starts | {c.start for c in context} and budget > lead[1] - lead[0]:
        # the lead sentence introduces the story's people in full ("… appointed Lena Ortiz as …"):
        # a later "Ortiz said" is hers, even where the tagger takes the surname alone for a body
        context.append(Unit(lead[0], lead[1], -1))
        budget -= lead[1] - lead[0]
    return out, context, max_doc - budget, truncated


def characterised(t: Token, base: int) -> tuple[int, int] | None:
    """X as Y of a verb that characterises ("described X as Y", "condemned X as Y", "called it
    Y"): the span from X to the end of Y, as offsets from `base`."""
    obj = next((c for c in t.children if c.dep_ == "dobj"), None)
    pred = next((c for c in t.children if (c.dep_ == "prep" and c.lower_ == "as") or c.dep_ == "oprd"), None)
    if obj is None or pred is None:
        return None
    toks = sorted([*obj.subtree, *pred.subtree], key=lambda x: x.i)
    while toks and toks[-1].is_punct:
        toks.pop()
    return (base + toks[0].idx, base + toks[-1].idx + len(toks[-1].text)) if toks else None


def according(t: Token, base: int) -> tuple[int, int] | None:
    """The sentence that "according to X" / "per X" credits, without that phrase (offsets from `base`)."""
    drop = {x.i for x in t.subtree}
    keep = [x for x in t.sent if x.i not in drop and not x.is_punct]
    if not keep:
        return None
    return base + keep[0].idx, base + keep[-1].idx + len(keep[-1].text)


def inside(pos: int, quotes: Iterable[Quote]) -> bool:
    return any(q.open_at <= pos < q.outer[1] for q in quotes)


def object_of(t: Token) -> Token | None:
    """X of "according to X" / "per X"."""
    heads = [t] + [c for c in t.children if c.lower_ == "to"]
    for h in heads:
        for c in h.children:
            if c.dep_ == "pobj":
                return c
    return None
