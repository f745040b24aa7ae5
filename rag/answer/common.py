"""Helpers the strategies share: ranking evidence by a query, the question's topic vector,
a speaker's statements (an organisation's include the people who speak for it), and the
threshold a speaker's words must reach to be "on that" topic.

Non-goals: any strategy of its own.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from rag.answer.base import Context, Evidence
from rag.answer.evidence import statements_of
from rag.lexical import terms
from rag.lexicon import words as vocabulary
from rag.types import AnswerType, RetrievedPassage
from rag.view import StoredStatement

ON_TOPIC_COS, ON_TOPIC_COV, ON_TOPIC_MIN_COS = 0.4, 0.25, 0.2


def not_on_that(who: str) -> str:
    """Why a speaker's words do not answer: they speak, but not on the topic."""
    return f"{who} is quoted in the articles, but not on that."


def never_quoted(who: str) -> str:
    """Why a person named in the articles cannot be quoted."""
    return f"The articles mention {who} but quote nothing {who} said."


def described(ctx: Context, who: str) -> bool:
    """The question names the speaker only by a description ("the police", "the city's mayor"):
    the speaker is the library's best guess for it, not a name the user gave."""
    last = who.split()[-1].lower()[:6]
    return bool(ctx.intent.mentions) and not any(last in m.lower() for m in ctx.intent.mentions)


def topic(ctx: Context) -> str:
    """The question's topic without group words ("experts", "officials")."""
    t = ctx.intent.topic
    groups = vocabulary("group_words")
    return " ".join(w for w in t.split() if w.lower() not in groups)


def vec(ctx: Context, text: str) -> np.ndarray:
    cache: dict[str, np.ndarray] = ctx.__dict__.setdefault("_vecs", {})
    if text not in cache:
        cache[text] = np.asarray(ctx.scorer.embed_query(text))
    return cache[text]


def rank(
    ctx: Context,
    evs: list[Evidence],
    query: str | None = None,
    direct: bool = True,
    answer_type: AnswerType = "none",
) -> list[Evidence]:
    q = query if query is not None else ctx.intent.text
    return ctx.scorer.score(
        q, vec(ctx, q), evs, direct_bonus=direct, answer_type=answer_type, measure=ctx.intent.measure
    )


def has_topic(query: str) -> bool:
    return bool(terms(query))


def on_topic(e: Evidence) -> bool:
    """A speaker's words are about the question's topic (looser than `supported`: the speaker
    is already right; the words must still be about it)."""
    return e.cos >= ON_TOPIC_COS or (e.cov >= ON_TOPIC_COV and e.cos >= ON_TOPIC_MIN_COS)


def framed(e: Evidence, query: str) -> bool:
    """A word of the topic is in the narration around the quote, outside the quote itself
    ("… ," Ortiz said at the hearing." for "What did Ortiz say at the hearing when she was fined?"): the
    occasion the words were said on, which the words themselves need not share."""
    asked = _terms_of(query)
    if not asked or not e.context or e.kind not in ("direct", "transcript"):
        return False
    frame = e.context.replace(e.quote, " ")
    return bool(asked & set(terms(frame)))


@lru_cache(maxsize=256)
def _terms_of(query: str) -> frozenset[str]:
    return frozenset(terms(query))


def topical_docs(ctx: Context, query: str, most: int = 3, within: set[str] | None = None) -> list[str]:
    """The articles about a topic, best first, found without the speaker's name (which alone
    would find any passage naming them); `within`: only among these (a speaker's articles:
    "What did X say about the crash?" is about the crash X speaks of)."""
    if not has_topic(query):
        return []
    cache: dict[tuple[str, frozenset[str] | None], list[str]] = ctx.__dict__.setdefault("_topical", {})
    key = (query, frozenset(within) if within is not None else None)
    if key not in cache:
        from rag.answer.evidence import sentences

        # the topic's words found by the lexical index (no second vector query), then checked by
        # meaning: an article is about the topic when one of its sentences is
        scope = within if ctx.docs is None or within is None else within & ctx.docs
        found = [
            ctx.lib.passages[i] for i, _ in ctx.lib.lexical.search(query, 8, scope) if i in ctx.lib.passages
        ]
        hits = [RetrievedPassage(p, 0.0) for p in found if ctx.docs is None or p.doc_id in ctx.docs]
        # within a speaker's articles, the topic's words with a little meaning are enough: the
        # question names the speaker those articles quote (as a quote naming the question's names)
        named = within is not None
        held = [
            e
            for e in rank(ctx, sentences(ctx.lib, hits), query, direct=False)
            if ctx.scorer.supported(e, named=named)
        ]
        cache[key] = list(dict.fromkeys(e.passage.doc_id for e in held))[:most]
    return cache[key]


def affiliated(ctx: Context, org: str) -> set[str]:
    """People who speak for an organisation: their role names it ("Harbour Board Secretary"), or
    an article introduces them with it ("Harbour Board representative Erik Dahl")."""
    word = re.compile(rf"\b{re.escape(org)}\b")
    out = {n for s in ctx.statements if s.role and word.search(s.role) for n in s.speakers}
    texts = [p.text for p in ctx.lib.passages.values() if org in p.text]
    for name in {n for s in ctx.statements for n in s.speakers} - out - {org}:
        have = [t for t in texts if name in t]  # (a pattern is compiled only for names written there)
        if have:
            near = re.compile(rf"\b{re.escape(org)}(?:\s+[\w’'-]+){{0,3}}\s+{re.escape(name)}\b")
            if any(near.search(t) for t in have):
                out.add(name)
    return out


def statements_by(ctx: Context, who: str) -> list[StoredStatement]:
    """A speaker's statements; an organisation's also those of the people who speak for it."""
    whole = ctx.statements is ctx.lib.statements  # no scope: the view's index answers
    own = ctx.lib.by_speaker(who) if whole else [s for s in ctx.statements if who in s.speakers]
    # an organisation is a name most of whose statements are typed so (a person's few statements
    # shared with a body they speak for do not make them one: the body's words are not theirs)
    if not own or 2 * sum(s.speaker_type == "organisation" for s in own) > len(own):
        people = affiliated(ctx, who)
        own += [s for s in ctx.statements if people & set(s.speakers) and s not in own]
    return own


def evidence_by(ctx: Context, who: str) -> list[Evidence]:
    return statements_of(ctx.lib, statements_by(ctx, who))
