"""Reading a question: follow-ups resolved against the chat history, and the kind of answer
it wants (a speaker's words, who someone is, when an article appeared, or plain evidence).

Scope: rules over English questions, using the library's known speakers and vocabulary.
Non-goals: retrieval and composing (retrieve.py, compose.py). Split out of compose.py so the
rules can be tested as a table without a store.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from rag.text import content_words

SAY = (
    r"say|says|said|saying|think|thinks|thought|believe|believes|argue|argues|argued|claim|"
    r"claims|claimed|view|views|position|opinion|stance|assess|assessment|evaluate|evaluates|"
    r"describe|describes|described|warn|warns|warned|suggest|suggests|suggested|explain|explains|"
    r"explained|mean|means|meant|tell|told|comment|comments|commented|quote|quoted|words|react|"
    r"reacted|respond|responded|predict|predicted|according to|add|added|note|noted|see|sees|"
    r"call|calls|called|warn about|promise|promised|announce|announced|claim about"
)
SAY_RE = re.compile(rf"\b(?:{SAY})\b", re.I)
_WHO_IS = re.compile(
    r"^\s*(?:and\s+)?(?:who\s+is|who's|who\s+was|what\s+is\s+the\s+(?:role|job|position)\s+of|"
    r"what\s+(?:does|did)\s+(?P<n2>.+?)\s+do\b|who\s+(?:does|did)\s+(?P<n3>.+?)\s+work\s+for|"
    r"where\s+(?:does|did)\s+(?P<n4>.+?)\s+work|"
    r"(?:which|what)\s+(?:[a-z]+\s+){1,2}(?:does|did)\s+(?P<n5>.+?)\s+(?:work|write|report)\s+(?:for|at))"
    r"\s*(?P<n1>[^?]*)\??\s*$",
    re.I,
)
_WHO_SAID = re.compile(rf"^\s*(?:and\s+)?who\s+(?:{SAY})\b", re.I)
_PUBLISHED = re.compile(
    r"\b(?:when|what\s+date|which\s+date|what\s+day)\b.*\b(?:published|written|posted|"
    r"released|dated|appear|come out|came out)\b|\bpublication date\b|\bdate of the article\b",
    re.I,
)
_GROUP = r"experts?|analysts?|observers|commentators|critics|scholars|specialists|officials|leaders|sides"
_PERSPECTIVES = re.compile(
    rf"\b(?:perspectives?|viewpoints?|opinions?|disagree|differ|differently|agree|debate)\b"
    rf"|\b(?:{_GROUP})\b.*\b(?:{SAY}|react|evaluate|see)\b|\b(?:{SAY}|react|evaluate)\b.*\b(?:{_GROUP})\b",
    re.I,
)
_COMPARE = re.compile(
    r"\b(?:same way|agree|agreed|disagree|differ|different|compare|compared|versus|vs\.?|both|"
    r"contrast|side|sides|positions?|views?)\b",
    re.I,
)
_PRONOUN = re.compile(r"\b(he|she|him|her|his|hers|they|them|their)\b", re.I)
_QWORDS = {
    "what",
    "who",
    "whom",
    "whose",
    "when",
    "where",
    "why",
    "how",
    "which",
    "did",
    "does",
    "do",
    "is",
    "are",
    "was",
    "were",
    "and",
    "according",
    "the",
    "a",
    "an",
    "in",
    "on",
    "of",
    "can",
    "could",
    "would",
    "should",
    "will",
    "has",
    "have",
    "had",
    "i",
    "tell",
    "me",
    "please",
}

FindSpeakers = Callable[[str], list[str]]
Kind = Literal["speaker", "who_is", "who_said", "published", "perspectives", "general"]


@dataclass(frozen=True)
class Intent:
    kind: Kind
    text: str  # the question after follow-up resolution
    speaker: str | None = None  # the person asked about
    topic: str = ""  # what is asked, without the person and the saying verb
    speakers: tuple[str, ...] = ()  # people to compare ("Do Putin and Stoltenberg agree?")


def last_speaker(history: list[dict[str, str]], find: FindSpeakers) -> str | None:
    """The most recent known speaker named in the history (latest turn first)."""
    for turn in reversed(history):
        if names := find(turn.get("content", "")):
            return names[0]
    return None


def resolve_followup(question: str, history: list[dict[str, str]], find: FindSpeakers) -> str:
    """Rewrite a follow-up so it stands alone: pronouns -> the last person; "And Logan?" ->
    the previous question about Logan; "Why?" -> the previous question, asking why."""
    if not history:
        return question
    users = [t.get("content", "") for t in history if t.get("role") == "user"]
    prev = users[-1] if users else ""
    named = find(question)
    if not named and _PRONOUN.search(question):
        who = last_speaker(history, find)
        if who:
            return _PRONOUN.sub(
                lambda m: who + ("’s" if m.group(1).lower() in ("his", "their", "hers") else ""),
                question,
                count=1,
            )
    short = len(content_words(question)) <= 2
    if prev and named and short and re.match(r"^\s*(and|what about|how about)\b", question, re.I):
        old = find(prev)
        if old:
            return re.sub(
                rf"\b{re.escape(old[0])}\b|\b{re.escape(old[0].split()[-1])}\b", named[0], prev, count=1
            )
        return f"{prev} {named[0]}"
    if prev and not named and len(question.split()) <= 3:
        return f"{prev} {question}"
    return question


def names_in(question: str) -> list[str]:
    """Capitalised word groups that look like names. The question's first word counts only
    when the next word is capitalised too ("Olaf Scholz said …"); leading "The"/"A" are dropped."""
    toks = re.findall(r"[^\W\d_][\w’'\-.]*|\S", question)
    groups: list[list[str]] = []
    cur: list[str] = []
    for t in toks:
        word = t.rstrip(".’'").removesuffix("’s").removesuffix("'s")
        if word[:1].isupper() and word.lower() != "i":
            cur.append(word)
            continue
        if cur:
            groups.append(cur)
        cur = []
    if cur:
        groups.append(cur)
    out = []
    for g in groups:
        if toks and g[0] == toks[0].rstrip(".’'").removesuffix("’s").removesuffix("'s") and len(g) == 1:
            continue  # a capital only because it starts the question
        while g and g[0].lower() in _QWORDS | {"the", "a", "an"}:
            g = g[1:]
        if g:
            out.append(" ".join(g))
    return out


def _namelike(text: str) -> bool:
    """Capitalised words, with the particles names carry ("the", "de", "von", "al")."""
    parts = text.split()
    return (
        bool(parts)
        and all(
            w[:1].isupper() or w.lower() in {"the", "of", "de", "von", "van", "der", "al", "bin", "la", "le"}
            for w in parts
        )
        and any(w[:1].isupper() for w in parts)
    )


def topic_without(question: str, speaker: str | None) -> str:
    """The question without the person asked about and its saying verbs."""
    t = question
    if speaker:
        for part in (speaker, *speaker.split()):
            t = re.sub(rf"\b{re.escape(part)}(?:’s|'s)?\b", " ", t)
    t = SAY_RE.sub(" ", t)
    return " ".join(t.split())


def read_question(question: str, history: list[dict[str, str]], find: FindSpeakers) -> Intent:
    """Classify a question; `find(text)` returns the known speakers named in text."""
    q = resolve_followup(question.strip(), history, find)
    if _PUBLISHED.search(q):
        return Intent("published", q, topic=topic_without(q, None))
    if m := _WHO_IS.match(q):
        inner = next((g for g in m.group("n2", "n3", "n4", "n5") if g), None)
        who = (inner or m.group("n1") or "").strip(" ?.")
        # "What did X do?" names a person only when X looks like a name, not "the ICJ order Russia to"
        # ... and "What did X do in June?" asks about events, not X's job
        events = m.group("n2") is not None and bool(m.group("n1").strip(" ?."))
        if who and len(who.split()) <= 5 and (inner is None or _namelike(who)) and not events:
            return Intent("who_is", q, speaker=who, topic=who)
    if _WHO_SAID.match(q):
        return Intent("who_said", q, topic=topic_without(q, None))
    named = find(q)
    if not named and _PERSPECTIVES.search(q):
        return Intent("perspectives", q, topic=topic_without(q, None))
    if len(named) >= 2 and _COMPARE.search(q):
        topic = q
        for n in named:
            topic = topic_without(topic, n)
        return Intent("perspectives", q, topic=topic, speakers=tuple(named))
    if named and SAY_RE.search(q):
        m2 = re.search(r"according to ([^,?.]+)", q, re.I)
        chosen = next((n for n in named if m2 and (n in m2.group(1) or n.split()[-1] in m2.group(1))), None)
        speaker = chosen or named[0]  # else the subject of "What did X say about Y?"
        return Intent("speaker", q, speaker=speaker, topic=topic_without(q, speaker))
    return Intent("general", q, topic=q)
