"""How people phrase a question, apart from its grammar: the words they type for plain ones
(contractions, chat shorthand, idioms of asking: rag/lexicon/question_idioms.txt) and the
phrasings that ask who someone is ("What's X's background?", "Tell me about X"). Part of
question reading (rag/question/__init__.py, grammar.py). Non-goals: names and the library.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

from rag.lexicon import words as vocabulary

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token


@cache
def _idioms() -> list[tuple[re.Pattern[str], str]]:
    """rag/lexicon/question_idioms.txt as (pattern, plain words), read once: an entry with a space
    or an apostrophe in any case, a single word only as typed."""
    out = []
    for entry in sorted(vocabulary("question_idioms")):
        typed, _, words = (part.strip() for part in entry.partition("|"))
        loose = " " in typed or "'" in typed or "’" in typed
        out.append((re.compile(rf"(?<![\w’'-]){re.escape(typed)}(?![\w’'-])", re.I if loose else 0), words))
    return out


# a request wrapped around a question ("Can you tell me what …", "Could you give me a quick
# summary of what …", "Do you know who …"): the question is the part from its wh-word on
_REQUEST = re.compile(
    r"^\s*(?:please\s+)?(?:(?:can|could|would|will)\s+you\s+(?:please\s+)?|do\s+you\s+know\s+)"
    r"(?:(?:tell|give|show|explain\s+to)\s+(?:me|us)\s+)?"
    r"(?:(?:a|an|the)\s+(?:\w+\s+){0,2}?(?:summary|overview|rundown|recap|idea|sense)\s+(?:of\s+)?)?"
    r"(?=(?:what|who|whom|whose|when|where|why|how|which)\b)",
    re.I,
)


_EMBEDDED = re.compile(
    r"^((?i:who|what|where|when))\s+((?i:the|a|an|his|her|their|its|he|she|they|it)\s.+?|[A-Z].+?)"
    r"\s+((?i:is|was|are|were))\s*([?.!]*)\s*$"
)


def plain(text: str) -> str:
    """The question as plain words: its contractions, shorthand and idioms of asking spelt out
    ("Who's X?" -> "Who is X?", "wat did X say abt Y" -> "what did X say about Y", "make of" ->
    "think of"; rag/lexicon/question_idioms.txt), a request around it dropped ("Can you tell me
    what X said?" -> "what X said?")."""
    for pattern, words in _idioms():
        text = pattern.sub(lambda m: _spelt(m.group(0), words), text)  # noqa: B023 (used at once)
    if (m := _REQUEST.match(text)) and m.end() > 0:
        rest = text[m.end() :]
        # an embedded question's order ("who X was") back to a question's ("who was X")
        # (a bare wh-word only: not "how many people there were", "what time the match was")
        rest = _EMBEDDED.sub(r"\1 \3 \2\4", rest)
        text = rest[:1].upper() + rest[1:]
    return text


def _spelt(typed: str, words: str) -> str:
    if re.match(r"[A-Z]{2}", typed):  # "NFC's director": an acronym's possessive
        return typed
    return words[:1].upper() + words[1:] if typed[:1].isupper() else words


def view_noun(t: Token) -> bool:
    """The token names a statement or view ("warning", "remarks"; rag/lexicon/view_nouns.txt)."""
    return t.lower_ in vocabulary("view_nouns") or t.lemma_ in vocabulary("view_nouns")


def identity_of(t: Token) -> bool:
    """A noun asking who someone is, owned by a name or a pronoun ("What's X's background?",
    "the career of X", "her profession")."""
    if t.lemma_.lower() not in vocabulary("identity_nouns") and t.lower_ not in vocabulary("identity_nouns"):
        return False
    if t.dep_ == "pobj":  # "What part of X's career …": a part of it is asked, not who X is
        return False
    owners = [c for c in t.children if c.dep_ == "poss"]
    owners += [g for c in t.children if c.dep_ == "prep" and c.lower_ == "of" for g in c.children]
    return any(o.pos_ in ("PROPN", "PRON") for o in owners)


def about_a_person(t: Token) -> bool:
    """ "Tell me about X", "Tell us about Dr X": a person's name alone is what the bot is asked
    about, so the question asks who they are."""
    if not (t.lemma_.lower() == "tell" and any(c.lower_ in ("me", "us") for c in t.children)):
        return False
    about = [g for c in t.children if c.lower_ == "about" for g in c.children if g.dep_ == "pobj"]
    return bool(about) and all(w.ent_type_ == "PERSON" or w.is_punct for w in about[0].subtree)


def asks_for_a_view(doc: Doc) -> bool:
    """The question opens by asking which statement ("What warning …", "Which stark message …"):
    the subject of its main verb is the one whose words are asked for, whatever the verb."""
    if not doc or doc[0].lower_ not in ("what", "which"):
        return False
    for t in doc[1:3]:
        if view_noun(t):
            return True
        if t.pos_ != "ADJ":
            return False
    return False
