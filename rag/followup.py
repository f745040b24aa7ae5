"""Follow-up questions made to stand alone from the chat history.

Scope: a pronoun ("And who does he work for?") -> the person the last turns named; "And Berg?" ->
the previous question about Berg; "And what about the tolls?" -> the previous speaker's
words on the new topic; "Why?" -> the previous question, asking why; "When did that happen?",
"Who leads the army there?" -> with the previous question as what "that", "there" or "then" is. Names are found with the
question reader's `find` (the library's speakers, typos allowed). Non-goals: anything but
rewriting the text (rag/question/ reads the result).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from rag.lexicon import forms
from rag.lexicon import words as vocabulary
from rag.people import NameMatch
from rag.text import content_words

Find = Callable[[str], list[NameMatch]]
# how an answer that abstains lists the library ("… The library holds 35 article(s): …"): the
# titles there are no one the conversation is about
LIBRARY_NOTE = "The library holds"
_PRONOUN = re.compile(r"\b(he|she|him|her|his|hers|they|them|their)\b", re.I)
_THAT = re.compile(
    r"\b(?:do|did|does|done|say|said|mean|meant|cause|caused)\s+(?:that|this|it)\b|\bthat\s*\?\s*$"
    r"|\b(?:that|this|it)\s+(?:happen|happened|occur|occurred|take\s+place|took\s+place)\b"
    r"|(?<!\bis )(?<!\bare )(?<!\bwas )(?<!\bwere )\b(?:there|then)\s*[?.!]*\s*$",  # "… there?": the last place
    re.I,
)
_AND = re.compile(
    r"^\s*(?:and\s+what\s+about|and\s+how\s+about|what\s+about|how\s+about|what\s+of|and)\b[\s,]*", re.I
)


def _says(text: str) -> bool:
    verbs = set(forms("speech_verbs")) | vocabulary("opinion_verbs") | vocabulary("view_nouns")
    return any(w in verbs for w in re.findall(r"[a-z]+", text.lower()))


def _that(question: str, prev: str) -> str:
    """A question pointing back at the last one ("… do that?", "… did that happen?") carries it
    as what "that" is."""
    return f"{question} ({prev.strip(' ?')})" if prev and _THAT.search(question) else question


def last_person(
    history: Sequence[dict[str, str]], find: Find, is_person: Callable[[str], bool] | None = None
) -> str | None:
    """The person the latest turn names (an answer's head names its speaker first); with
    `is_person`, the first one that is a person ("he" after "The club appointed Lars Vik" is Vik)."""
    for turn in reversed(history):
        names = [m for m in find(str(turn.get("content", "")).split(LIBRARY_NOTE)[0]) if m.sure]
        if names := [m for m in names if is_person is None or is_person(m.name)]:
            return names[0].name
    return None


def _someone(phrase: str) -> bool:
    """A phrase naming a person or a group by what they are ("the Austrian president", "the
    opposition"), not a topic ("the tolls")."""
    words = re.findall(r"[a-z]+", phrase.lower())
    return bool(words) and (words[-1] in vocabulary("person_nouns") or words[-1] in vocabulary("group_words"))


def previous_question(question: str, history: Sequence[dict[str, str]]) -> str | None:
    """The last user question, when this one leans on it (a pronoun, "that", "there", "and …"):
    what it left unsaid, such as its time, still holds ("Who won in 2021?" -> "What did their
    manager say?" is about 2021)."""
    users = [str(t.get("content", "")) for t in history if t.get("role") == "user"]
    if users and (_PRONOUN.search(question) or _THAT.search(question) or _AND.match(question)):
        return users[-1]
    return None


def resolve_followup(
    question: str,
    history: Sequence[dict[str, str]],
    find: Find,
    is_person: Callable[[str], bool] | None = None,
) -> str:
    """The question as it would stand alone. `is_person`: whether a name the library knows is a
    person's (not an organisation's): "he", "she" point to people only."""
    if not history:
        return question
    users = [str(t.get("content", "")) for t in history if t.get("role") == "user"]
    prev = users[-1] if users else ""
    named = [m for m in find(question) if m.sure]
    found = list(_PRONOUN.finditer(question))
    # "where are they holding him?": "him" is the last turns' person; "they" (unnamed captors,
    # authorities) stays as it is when a singular pronoun is there to resolve
    ones = [m for m in found if m.group(1).lower() not in ("they", "them", "their")]
    pronoun = (ones or found)[0] if found else None
    # a pronoun before any name the question gives is the last turns' person ("What did he say
    # about X?"); after one, it is that name's ("What did X say about his plan?")
    if pronoun and (not named or pronoun.start() < named[0].start):
        singular = pronoun.group(1).lower() not in ("they", "them", "their")
        if (who := last_person(history, find, is_person if singular else None)) and who not in {
            m.name for m in named
        }:
            end = "’s" if pronoun.group(1).lower() in ("his", "their", "hers") else ""
            question = question[: pronoun.start()] + who + end + question[pronoun.end() :]
            return _that(question, prev)  # "Why did he do that?"
    if not named and _THAT.search(question):  # "When did that happen?"
        return _that(question, prev)
    rest = _AND.sub("", question).strip(" ?.!")
    asks = bool(re.match(r"(?:who|whom|what|which|when|where|why|how)\b", rest, re.I))  # "And what did …"
    if prev and _AND.match(question) and not asks and 0 < len(content_words(rest)) <= 4:
        old = [m for m in find(prev) if m.sure]
        other = named[0].name if named else rest if old and _someone(rest) else None
        if other:  # "And Berg?", "And the finance minister?": the same question about someone else
            if old:
                return prev[: old[0].start] + other + prev[old[0].end :]
            return f"{prev} {other}"
        if old and _says(prev):  # "And what about the airspace?": the same speaker, a new topic
            return f"What did {old[0].name} say about {rest}?"
        return f"{prev} {rest}"
    if prev and not named and len(question.split()) <= 3 and not content_words(rest.replace("why", "")):
        return f"{prev} {question}"  # "Why?"
    return question
