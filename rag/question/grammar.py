"""The grammar of a question, read from its spaCy parse: which verbs ask for someone's words
("say", "warn", "react"; not a passive "was described as", not "the text says"), which tokens
name a speaker rather than the topic, what kind of question it is and what kind of answer it
wants (where -> place, how many -> number, why -> cause …), what a number counts, which
metadata field is asked for. Part of question reading (rag/question/__init__.py builds the
Intent from these). Non-goals: names, people and the library (the package's __init__).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rag.lexicon import forms
from rag.lexicon import words as vocabulary
from rag.question.answer_type import answer_type_of
from rag.question.phrasing import about_a_person, asks_for_a_view, identity_of, view_noun
from rag.types import AnswerType, IntentKind

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

WH = {"what", "who", "whom", "whose", "when", "where", "why", "how", "which"}
AUX = frozenset("did does do is was were are has have had can could will would should".split())


def sayish(t: Token) -> bool:
    """A verb that asks for someone's words or view (say, warn, call, think, react …)."""
    if t.pos_ not in ("VERB", "AUX") and t.dep_ != "ROOT":
        return False
    if any(c.dep_ == "nsubj" and c.lemma_.lower() in vocabulary("reading_nouns") for c in t.children):
        return False  # "What does the text say …": what the texts hold, not anyone's words
    if any(c.dep_ in ("nsubjpass", "auxpass") for c in t.children):  # passive: "X was described as",
        return any(  # "… was called for holding" are about X; "X was quoted as saying" is X's words
            sayish(c) for c in t.subtree if c.i > t.i and c.dep_ in ("xcomp", "advcl", "pcomp", "ccomp")
        )
    if t.ent_type_ == "PERSON" or t.dep_ in ("pobj", "compound"):
        return False  # a name ("Yusuf bin Said", its "Said" tagged a verb)
    if any(c.dep_ in ("dobj", "dative") and c.lower_ in ("me", "us") for c in t.children):
        return False  # "Tell me about X", "Show us …": the user asks the bot, not for anyone's words
    if t.dep_ == "ROOT" and asks_for_a_view(t.doc):  # "What warning did X give?": X's words
        return True
    low = t.lower_
    if (
        low in forms("speech_verbs")
        or t.lemma_.lower() in forms("speech_verbs")
        or t.lemma_.lower() in vocabulary("opinion_verbs")
    ):
        return True
    # "put" quotes only as "put it" ("as she put it"), not with another object ("Did X put the
    # army in charge …")
    return low in forms("quote_verbs") and not (
        t.lemma_.lower() == "put"
        and any(c.dep_ == "dobj" and c.lower_ not in ("it", "this", "that") for c in t.children)
    )


def asks_words(doc: Doc) -> bool:
    """The question asks for someone's words or view: a verb of saying, or "X's statement"."""
    return any(sayish(t) or t.lower_ in vocabulary("view_nouns") for t in doc)


def _asks_words_first(doc: Doc) -> bool:
    """A yes/no question whose main verb asks for words ("Did X say …", "Has X commented …"),
    or that names a statement ("Was X's statement …"); not one whose saying verb sits in a clause
    beside the question ("Did X act when he announced …")."""
    return any(
        (sayish(t) and t.dep_ == "ROOT")
        or (t.lower_ in vocabulary("view_nouns") and not any(c.dep_ == "compound" for c in t.children))
        for t in doc  # (not "the coronavirus response": a policy)
    )


def stance_only(doc: Doc) -> bool:
    """The question asks what someone thinks, wants or backs ("What led X to believe …",
    "Whom did X support?"), not for their words: its verbs of saying are all stance verbs and
    no noun asks for a statement ("X's view", "her remarks")."""
    asking = [t for t in doc if sayish(t)]
    if not asking or any(t.lower_ in vocabulary("view_nouns") for t in doc):
        return False
    words = forms("speech_verbs").keys() | forms("quote_verbs").keys()
    return not any(w in words for t in asking for w in (t.lower_, t.lemma_.lower()))


def head_of(doc: Doc, start: int, end: int) -> Token | None:
    toks = [t for t in doc if start <= t.idx < end]
    return next(
        (t for t in toks if not (start <= t.head.idx < end) or t.head is t), toks[-1] if toks else None
    )


def speaks(t: Token) -> bool:
    """The token names someone asked about as a speaker, not as the topic."""
    while t.dep_ in ("compound", "flat", "conj", "appos") and t.head is not t:
        t = t.head
    if t.dep_ in ("nsubj", "nsubjpass") and sayish(t.head):
        return True
    owner = t.dep_ == "poss" or (t.dep_ == "nmod" and any(c.dep_ == "case" for c in t.children))
    if owner and view_noun(t.head):  # "X's view", "X's and Y's statements" (the first parsed as nmod)
        return not _answered_by_another(t.head)
    if t.dep_ == "pobj" and t.head.lower_ == "to" and t.head.head.lower_ == "according":
        return True
    if t.dep_ == "pobj" and t.head.lower_ in ("from", "by"):  # "a statement from X", "comments by X"
        view = t.head.head
        return view_noun(view)
    return False


def _answered_by_another(view: Token) -> bool:
    """The view is what a named subject responds to or talks about ("How did the council react
    to X's statement?", "What did officials say about X's threats?"): X is the topic."""
    v = view
    while v.dep_ in ("pobj", "prep", "dobj") and v.head is not v:
        v = v.head
    return v is not view and any(c.dep_ in ("nsubj", "nsubjpass") and c.pos_ != "PRON" for c in v.children)


def wh_noun(doc: Doc | None) -> Token | None:
    """The noun a wh-determiner asks for ("What company …", "Which two dynasties …", "To what
    gauge …"): the question wants one of those, not an account of events."""
    if doc is None:
        return None
    kinds = vocabulary("person_nouns") | vocabulary("place_words") | vocabulary("org_question_words")
    for t in doc:
        if t.lower_ not in ("what", "which") or t.i + 1 >= len(doc):
            continue
        # the noun phrase right after the wh-word (the parser sometimes reads "What Columbia
        # President went …" as an object "what" and a subject, so the parse alone is not trusted)
        noun = doc[t.i + 1]
        if noun.pos_ not in ("NOUN", "PROPN", "NUM", "ADJ"):
            continue
        while noun.dep_ in ("compound", "nummod", "amod") and noun.head.i > noun.i:
            noun = noun.head
        if noun.pos_ == "NOUN" or (noun.pos_ == "PROPN" and noun.lower_ in kinds):  # not a name:
            return noun  # "What Holt said …" asks for no kind of thing
    return None


def lead_words(doc: Doc) -> list[str]:
    return [t.lower_ for t in doc if not t.is_punct and t.lower_ not in ("and", "so", "but", "then")]


_WHO_IS = [  # (pattern, answer type): who someone is, or whom they work for
    # ("Who is the vice-chair of the panel?" asks for a person, not for who the panel is)
    (r"^(?:who\s+(?:is|was|are)\s+(?!the\b|a\b|an\b)|what\s+(?:is|was|are)\s+)[^,;]+?$", "description"),
    (r"\b(?:role|job|position|title)\s+of\b|\bwhat\s+(?:does|did)\s+(?P<who>.+)\s+do$", "description"),
    (r"\bwho\s+(?:does|did|do)\b.+\b(?:work|works|write|report)\s+(?:for|at)\b", "organisation"),
    (
        r"\b(?:which|what)\s+\w+\s+(?:does|did)\b.+\b(?:work|run|lead|head|represent|belong)\w*\b",
        "organisation",
    ),
]


def kind_of(
    doc: Doc, text: str, speakers: int, names: list[str], groups: int
) -> tuple[IntentKind, AnswerType]:
    """What kind of question it is, and what kind of answer it wants."""
    low = " ".join(lead_words(doc)) if doc else text.lower()
    lead = lead_words(doc)
    wh = next((w for w in lead[:3] if w in WH), None)  # a wh-word asks near the start,
    if wh is None and lead and lead[-1] in WH:  # or last ("… can be traced to where?")
        wh = lead[-1]
    says = asks_words(doc) or "according to" in low
    if says and doc and lead and lead[0] in AUX and wh is None and not _asks_words_first(doc):
        says = False  # "Did X close the port when he declared a state of emergency?": no words asked
    about_article = re.search(r"\b(?:the|this|that)\s+(?:article|report|story|piece)\b", low)
    if about_article and any(re.search(rf"\b{re.escape(w)}\b", low) for w in vocabulary("metadata_words")):
        return "metadata", "none"
    if names and doc and not says and any(identity_of(t) or about_a_person(t) for t in doc):
        return "who_is", "description"
    for pattern, answer in _WHO_IS:
        m = re.search(pattern, low)
        if m and "who" in m.groupdict() and m.group("who") and m.group("who") not in names:
            continue  # "What did the court order the company to do?" asks about events, not who someone is
        if names and not (says and answer == "description") and m:
            if not low.startswith("what") or answer != "description" or len(lead) <= 5 or "do" in lead:
                return "who_is", answer  # type: ignore[return-value]
    if wh == "who" and any(
        t.lower_ == "who" and t.dep_ in ("nsubj", "nsubjpass") and sayish(t.head) for t in doc
    ):
        return "who_said", "person"
    asked_for = wh_noun(doc)  # "Which minister dismissed the motion as a waste of money?": who
    if (
        asked_for is not None
        and asked_for.dep_ == "nsubj"
        and sayish(asked_for.head)
        and asked_for.lemma_.lower() in vocabulary("person_nouns")  # "Which newspaper reported …": a fact
    ):
        return "who_said", "person"
    compares = is_comparison(low)
    if compares and speakers + groups >= 2:
        return "compare", "quote"
    if asked_for is None and wh != "why" and _asks_change(doc, low):
        return "change", "quote"  # (not "What company developed …?": that asks for a company)
    if groups and not speakers and (says or compares or "reaction" in low):
        return "reactions", "quote"
    if not speakers and re.search(
        rf"\b(?:{'|'.join(vocabulary('reaction_nouns'))})\b|\bhow\s+(?:was|were)\b.+\b(?:received|remembered)\b"
        r"|\bhow\s+(?:did|does|do|have|has)\b.+\b(?:react|respond)\b",  # "How did the opposition react"
        low,
    ):
        return "reactions", "quote"
    asked = answer_type_of(low, wh)
    if asked == "none" and asked_for is not None and asked_for.lemma_.lower() in vocabulary("person_nouns"):
        asked = "person"  # "Which player …", "What actor …"
    if speakers and asked in ("date", "place", "number", "organisation"):  # "When did X announce …",
        return "fact", asked  # "X proposed a merger with what network?": not their words
    if speakers and (says or re.match(r"^[^?]{0,60}?\bon\b", low)):
        return "what_said", "quote"
    if lead and lead[0] in AUX and wh is None:
        return "yes_no", "yes_no"
    return "fact", asked


def _asks_change(doc: Doc | None, low: str) -> bool:
    """The question asks how something changed ("How has X's stance shifted?"), not about a time
    a change sets ("… before the board changed its mind?", "Why did X change course?" asks why)."""
    if not any(re.search(rf"\b{re.escape(w)}\b", low) for w in vocabulary("change_words")):
        return False
    if doc is None:
        return True
    change = vocabulary("change_words")
    verbs = [t for t in doc if t.lower_ in change or t.lemma_.lower() in change]
    return not verbs or any(not _in_clause(t) for t in verbs)


def _in_clause(t: Token) -> bool:
    """The token is inside a subordinate clause ("when …", "before …", "after …")."""
    while t.head.i != t.i:
        if t.dep_ in ("advcl", "relcl") and any(c.dep_ == "mark" for c in t.children):
            return True
        t = t.head
    return False


def is_comparison(text: str) -> bool:
    low = text.lower()
    return any(re.search(rf"\b{re.escape(w)}\b", low) for w in vocabulary("compare_words"))


def field_of(text: str) -> str:
    low = text.lower()
    if re.search(r"\b(?:author|byline|wrote|writer)\b", low):
        return "author"
    if re.search(r"\b(?:outlet|agency|wire|supplied|source|newspaper|publisher)\b", low):
        return "outlet"
    return "published"
