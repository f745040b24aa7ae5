"""The kind of answer a question asks for, from its words: where -> a place, when -> a date, how
many / how much / what share -> a number (and what the number counts or measures), which agency
-> an organisation, why / what caused -> a cause, who -> a person. Part of question reading
(rag/question/grammar.py decides the kind of question). Non-goals: whether a text holds that
answer (rag/answer/scoring.py, rag/answer/figures.py).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rag.lexicon import table
from rag.lexicon import words as vocabulary
from rag.types import AnswerType

if TYPE_CHECKING:
    from spacy.tokens import Doc


def answer_type_of(low: str, wh: str | None) -> AnswerType:
    if wh in ("when", "where") and low.startswith(wh):  # "When did that happen? (How many …)": the
        return "date" if wh == "when" else "place"  # question's own wh-word, not its context's
    measured = "|".join(sorted(vocabulary("measure_adjectives")))
    if re.search(rf"\bhow\s+(?:{measured})\b|\bby\s+how\s+much\b", low):
        return "number"
    if re.search(r"\bwhat\s+(?:\w+\s+){0,3}?(?:percentage|share|number|amount|proportion|figure|sum)\b", low):
        return "number"
    measures = "|".join(re.escape(w) for w in vocabulary("measure_nouns"))
    if re.search(
        rf"^(?:\w+\s+)?(?:what|which)\s+(?:\w+\s+){{0,3}}?(?:{measures})(?:e?s)?\b", low
    ) or re.search(
        rf"^(?:\w+\s+)?(?:what|which)\s+(?:is|was|are|were)\s+(?:the\s+|(?:[\w.-]+\s+){{0,4}}?[\w.-]+\s*['’]s\s+)"
        rf"(?:\w+\s+)?(?:{measures})(?:e?s)?\b",
        low,
    ):  # "What prison sentences …", "What was X's net worth?", "Roughly what was the death toll?"
        return "number"
    if wh == "when" or re.search(r"\bwhat\s+(?:date|year|day|month|time)\b", low):
        return "date"
    places = "|".join(vocabulary("place_words"))
    if wh == "where" or re.search(rf"\b(?:which|what)\s+(?:{places})\b", low):
        return "place"
    orgs = "|".join(vocabulary("org_question_words"))
    if re.search(rf"\b(?:which|what)\s+(?:\w+\s+)?(?:{orgs})\b", low):
        return "organisation"
    if wh == "why" or re.search(
        r"\bwhat\s+(?:caused|causes|led\s+to|prompted|started|sparked|triggered)\b|\bfor\s+what\s+reason\b|\bhow\s+did\s+\S+\s+explain\b",
        low,
    ):
        return "cause"
    people = "|".join(
        sorted(vocabulary("person_nouns") | vocabulary("people_counted"), key=len, reverse=True)
    )
    if re.search(
        rf"\bnames?\s+of\s+(?:the|a|an|this|that)\s+(?:[\w'’-]+\s+){{0,4}}?(?:{people})\s+(?:who|whose|that)\b",
        low,
    ):  # "What was the name of the Eastport player who …?": one person's name, as such (not "the
        return "name"  # name of a teacher in that faith": what such people are called)
    if wh in ("who", "whom", "whose"):
        return "person"
    return "none"


def measure_of(low: str) -> str | None:
    """What a number answer counts: "how many people" -> people; a rate -> percent; "how much
    … spend" -> money; "how often" -> frequency."""
    if re.search(r"\bhow\s+often\b", low):
        return "frequency"
    if re.search(
        r"\b(?:for\s+)?how\s+long\s+(?:did|does|do|has|have|had|will|would|can|could|was|were)\b", low
    ):
        return "duration"  # "How long did the strike last?" (not "How long is the bridge?": a length)
    if re.search(r"\b(?:percentage|percent|rate|share|proportion)\b", low):
        return "percent"
    if (m := re.search(r"\bhow\s+([a-z]+)\b", low)) and m.group(1) in table("measure_units"):
        return m.group(1)  # "How heavy …": a mass (rag/lexicon/measure_units.txt)
    if re.search(r"\bhow\s+much\b", low) and re.search(
        r"\b(?:spend|spent|cost|costs|pay|paid|raise|raised|worth|budget|fund|funds|price)\b", low
    ):
        return "money"
    for noun, words in table("counted_as").items():  # "the death toll": those killed
        if not re.search(r"\bhow\s+many\b", low) and re.search(rf"\b{re.escape(noun)}\b", low):
            return " ".join(sorted(words))
    if not re.search(r"\bhow\s+many\b", low) and re.search(
        rf"\b(?:{'|'.join(vocabulary('money_nouns'))})\b", low
    ):
        return "money"  # "What was X's net worth?", "What fine did the court set?"
    return None


def counted(doc: Doc) -> str | None:
    """The noun "how many" counts, with a common noun compounded before it ("How many crew
    members …" -> crew members: "a crew of 40" counts them too)."""
    for t in doc:
        if (
            t.lower_ == "many"
            and t.i > 0
            and doc[t.i - 1].lower_ == "how"
            and t.head.pos_ in ("NOUN", "PROPN")
        ):
            head = t.head
            nouns = [
                c.lower_ for c in head.children if c.dep_ == "compound" and c.pos_ == "NOUN" and c.i < head.i
            ]
            return " ".join([*nouns, head.lower_])
    return None
