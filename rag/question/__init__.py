"""Reading a question: a typed Intent (rag/types.py) from its spaCy parse and the chat history.

Scope: who is asked about, apart from the names that are the topic — the subject of a saying or
opinion verb ("What did X say", "How did X react"), the owner of a view ("X's view on"),
"according to X", "X on Y"; a speaker named by role ("the city's mayor") resolved against the
library's roles; groups ("experts", "critics"); names with typos (rag/people.py); the kind of
answer (where -> place, how many -> number, why -> cause, yes/no …); the time scope
(rag/timescope.py); follow-ups (rag/followup.py); names the library never mentions. The
package's modules: grammar.py (saying verbs, speaker tokens, the kind of question),
answer_type.py (the kind of answer), described.py (speakers named by description, groups,
comparison sides), names.py (unknown names, lower-case speakers, proper names the tagger
misses), phrasing.py (how questions are typed), asked.py (what a question asks of its names).
Non-goals: retrieval and answering (rag/compose.py, rag/answer/).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from rag.followup import previous_question, resolve_followup
from rag.lexicon import words as vocabulary
from rag.people import NameMatch, PeopleIndex
from rag.question.answer_type import answer_type_of, counted, measure_of
from rag.question.asked import predicate, said_words, scene
from rag.question.described import comparison_sides, described_speakers, identity
from rag.question.grammar import (
    AUX,
    WH,
    field_of,
    head_of,
    is_comparison,
    kind_of,
    sayish,
    speaks,
    stance_only,
)
from rag.question.names import lower_case_speakers, proper_names, unknown
from rag.question.phrasing import plain
from rag.text import STOPWORDS
from rag.timescope import time_scope
from rag.types import Intent

if TYPE_CHECKING:
    from spacy.tokens import Doc


@dataclass(frozen=True)
class Known:
    """What reading a question needs from the library."""

    people: PeopleIndex
    knows: Callable[[str], bool]  # the library mentions this word
    resembles: Callable[[str], bool] | None = None  # … or a word one typo from it
    latest: str | None = None  # the newest article's date
    event: Callable[[str], str | None] | None = None  # the date the library gives an event
    embed: Callable[[list[str]], np.ndarray] | None = None  # for roles described in a question


# entities that are a question's topic (the tagger's PRODUCT is often a place it did not know)
_TOPIC_LABELS = ("PERSON", "ORG", "GPE", "FAC", "EVENT", "PRODUCT")
_ABOUT = ("about", "on", "over", "regarding", "concerning")


def _topic(doc: Doc, drop: list[tuple[int, int]], set_apart: bool = True) -> str:
    """The question's words without the speakers, question words, saying verbs, dates (the
    time scope carries those) and the clause that only sets the scene ("… when she met X in
    Eastport"), unless that clause is all the topic there is ("… once the election was called")."""
    given = drop
    setting = scene(doc)
    drop = drop + [(e.start_char, e.end_char) for e in doc.ents if e.label_ in ("DATE", "TIME")]
    if set_apart:
        drop += [(doc[i].idx, doc[i].idx + len(doc[i].text)) for i in setting]
    keep = []
    inside = lambda t: any(a <= t.idx < b for a, b in drop)  # noqa: E731
    for t in doc:
        if inside(t) or t.is_punct or t.dep_ in ("case", "cc"):
            continue
        if t.dep_ in ("poss", "compound", "amod") and inside(t.head):
            continue  # "Valmark's Dahl": the speaker's own modifiers are not the topic
        if t.lower_ in WH or t.lower_ in AUX or sayish(t) or t.lower_ in vocabulary("view_nouns"):
            continue
        if t.lower_ in vocabulary("compare_words") or t.lemma_.lower() in vocabulary("compare_words"):
            continue
        if t.lower_ in ("according", "to") and (t.lower_ == "according" or t.head.lower_ == "according"):
            continue
        keep.append(t.text)
    content = [w for w in keep if w[:1].islower() and w.lower() not in STOPWORDS]
    # the scene is the topic when nothing else is: no words, or one with no "about …" ("What did
    # X say at the hearing when he was fined?", "… say back when Y said Z?")
    about = any(t.lower_ in _ABOUT and t.dep_ == "prep" and t.i not in setting for t in doc)
    if set_apart and setting and (not content or (len(content) < 2 and not about)):
        return _topic(doc, given, set_apart=False)
    return " ".join(keep)


def _asked(m: NameMatch, doc: Doc, text: str, says: bool, first: bool) -> bool:
    """The name is asked about as a speaker (or as the person the question is about)."""
    head = head_of(doc, m.start, m.end)
    if head is None:
        return False
    if speaks(head) or re.match(
        r"^\s*(?:and\s+)?(?:who\s+(?:is|was|are)|what\s+(?:is|was)\s*$)", text[: m.start].lower()
    ):
        return True
    if re.match(r"^\s*(?:and\s+)?(?:who|what|which)\b.*\b(?:does|did|do)\s*$", text[: m.start].lower()):
        return True  # "Who does X work for", "What did X do"
    subject = head
    while subject.dep_ in ("compound", "flat", "conj", "appos") and subject.head is not subject:
        subject = subject.head
    verb = subject.head
    if subject.dep_ == "nsubj" and (
        verb.lower_ in vocabulary("compare_words") or verb.lemma_ in vocabulary("compare_words")
    ):
        return True  # "How did X and Y differ on …": the sides compared
    if m.start < 3 and re.match(r"^.{0,40}?\s+on\b", text[m.start :]):
        return True  # "X on Y: what did she say?"
    verb_at = next((t.idx for t in doc if sayish(t)), len(text))
    return says and first and m.start < verb_at  # the subject of "What did X say …" the parse missed


def read_question(question: str, history: Sequence[dict[str, str]], known: Known) -> Intent:
    """Read a question (and its chat history) into an Intent."""
    from rag import nlp

    find = known.people.find
    text = plain(
        resolve_followup(question.strip(), history, find, lambda n: known.people.kind(n) == "person")
    )
    doc = nlp.parse([text])[0]
    matches = find(text)
    matches += lower_case_speakers(doc, text, matches, find)
    for e in doc.ents:  # a surname with the ending the library's stems drop ("Kovalenski")
        if e.label_ == "PERSON" and not any(m.start < e.end_char and e.start_char < m.end for m in matches):
            matches += known.people.same_stem(e.text, e.start_char, e.end_char)[:1]
    matches.sort(key=lambda m: m.start)
    says = any(sayish(t) for t in doc)
    speakers: list[str] = []
    mentions: list[tuple[int, int]] = []
    entities: list[str] = []
    sides: list[tuple[str, tuple[int, int]]] = []
    suggestion = None
    for m in matches:
        if _asked(m, doc, text, says, not speakers):
            speakers.append(m.name)
            mentions.append((m.start, m.end))
            suggestion = suggestion or (None if m.sure else m.name)
        else:
            entities.append(m.name)
    for e in doc.ents:  # a person asked about whom the library never quotes
        if e.label_ == "PERSON" and not any(m.start < e.end_char and e.start_char < m.end for m in matches):
            fake = NameMatch(re.sub(r"[’']s$", "", e.text), e.start_char, e.end_char, 100.0, True)
            if _asked(fake, doc, text, says, not speakers) and known.knows(e[-1].text):
                speakers.append(fake.name)
                mentions.append((e.start_char, e.end_char))
    for e in (
        doc.ents
    ):  # other names the library mentions: the topic (answers must come from articles naming them)
        if e.label_ in _TOPIC_LABELS and known.knows(e[-1].text):
            if not any(a < e.end_char and e.start_char < b for a, b in mentions) and not any(
                m.start < e.end_char and e.start_char < m.end for m in matches
            ):
                entities.append(re.sub(r"[’']s$", "", e.text))
    taken = mentions + [(m.start, m.end) for m in matches]
    entities += [r.text for r in proper_names(doc, taken) if known.knows(r[-1].text)]
    setting = {doc[i].idx for i in scene(doc)}
    inner = [any(a <= x < b for x in setting) for a, b in mentions]
    if any(inner) and not all(inner):  # "What did X say when Y said …?": X is asked, Y sets the scene
        entities += [n for n, i in zip(speakers, inner) if i]
        speakers = [n for n, i in zip(speakers, inner) if not i]
        mentions = [m for m, i in zip(mentions, inner) if not i]
    named = list(mentions)
    since, until = time_scope(text, known.latest)  # a role is held at the question's time
    if not (since or until) and (prev := previous_question(question, history)):
        since, until = time_scope(prev, known.latest)  # a follow-up keeps the time it did not restate
    if not (since or until):
        # "after the invasion" (an event the library dates), not "after the board met" (a clause)
        clause = any(t.lower_ in ("before", "after", "since") and t.dep_ == "mark" for t in doc)
        since, until = time_scope(text, known.latest, None if clause else known.event)
    described, groups, spans = described_speakers(doc, text, mentions, known, (since, until))
    if described:  # "Valmark's deputy foreign minister" is the minister, not Valmark as well
        inside = [any(x <= a and b <= y for x, y in spans) for a, b in mentions]
        entities += [n for n, i in zip(speakers, inside) if i]
        speakers = [n for n, i in zip(speakers, inside) if not i]
        mentions = [m for m, i in zip(mentions, inside) if not i]
    speakers = list(dict.fromkeys(speakers + described))
    mentions += spans
    if is_comparison(text):  # "compare X's reaction with Y's": every side named is asked about
        sides = comparison_sides(doc, matches, named, known)
        if len(speakers) + len({n for n, _ in sides} - set(speakers)) < 2:
            sides = []  # "How did the turnout differ from X's forecast?": one side is no comparison
        speakers += [n for n, _ in sides if n not in speakers]
        mentions += [span for _, span in sides]
        entities = [
            e for e in entities if e not in speakers and not any(a <= text.find(e) < b for _, (a, b) in sides)
        ]
    quoted = [
        n
        for n in speakers
        if ((p := known.people.people.get(n)) is not None and p.quoted) or n in {x for x, _ in sides}
    ]
    unquoted = [n for n in speakers if n not in quoted]
    names = [text[m.start : m.end].lower() for m in matches] + [
        e.text.lower() for e in doc.ents if e.label_ == "PERSON"
    ]
    kind, answer_type = kind_of(doc, text, len(speakers), names, len(groups))
    if described and any(identity(t) for t in doc):  # "Who is the head of the agency?": that person
        kind, answer_type = "who_is", "description"
    if (
        kind == "what_said"
        and unquoted
        and not quoted
        and doc[:1].text.lower() in ("why", "how")
        and not stance_only(doc)
    ):
        kind, answer_type = "fact", answer_type_of(text.lower(), doc[0].lower_)  # "Why does X spell
        # his name so?" of someone never quoted: the articles' account, not words they lack (what
        # they back or believe is what_said with a stance: answer/narrated.py)
    if kind == "who_is" and not quoted:  # who someone is: quoted or not
        quoted, unquoted = (unquoted or entities)[:1], []
    q = re.search(r"[“\"‘]([^”\"’]{3,})[”\"’]|(?<!\w)'([^']{3,})'(?!\w)", text)
    return Intent(
        question=question,
        text=text,
        kind=kind,
        answer_type=answer_type,
        speakers=tuple(quoted),
        mentions=tuple(text[a:b] for a, b in mentions),
        groups=tuple(groups),
        topic=_topic(doc, mentions),
        entities=tuple(e for e in entities if e not in quoted),
        quoted=(q.group(1) or q.group(2)) if q else None,
        since=since,
        until=until,
        unknown=tuple(unknown(doc, matches, known)),
        unquoted=tuple(unquoted),
        suggestion=suggestion,
        field=field_of(text) if kind == "metadata" else None,
        newest_first=bool(
            re.search(r"\b(?:latest|most recent|newest|recently|lately|currently|now)\b", text, re.I)
        ),
        measure=(measure_of(text.lower()) or counted(doc)) if answer_type == "number" else None,
        stance=kind == "what_said" and stance_only(doc),
        predicate=predicate(doc) if kind == "yes_no" else "",
        said=said_words(doc) if kind == "who_said" else "",
    )
