"""What happened in a period: a question that names nothing but a time, and maybe a place or a
body ("What happened in March 2021?", "What went on in Valmark last week?"), is answered by each
article of that time (naming that place), told by the first sentence of its body (a news
article's lead says what happened), oldest first. A question that also names a topic or a
person is fact lookup's (it ranks sentences against those words)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from typing import Any

from rag.answer.base import Context, Draft, Evidence
from rag.answer.common import rank
from rag.answer.evidence import sentences
from rag.answer.fact import _named_in
from rag.answer.scoring import COS_FLOOR
from rag.lexical import terms
from rag.lexicon import words as vocabulary
from rag.text import sentence_spans
from rag.timescope import names_day
from rag.types import RetrievedPassage
from rag.verify import trim_span

AFTERMATH_DAYS = 14  # a day's news is reported in the days after it, and recalled in later articles
MAX_LEADS = 6  # articles told; more in range are sampled evenly over it


@cache
def _event_terms() -> frozenset[str]:
    return frozenset(t for w in vocabulary("event_words") for t in terms(w))


def events(ctx: Context) -> Draft | None:
    i = ctx.intent
    if not (i.since or i.until) or i.speakers or i.groups:
        return None
    named = {t for n in i.entities for t in terms(n)}  # "What happened in Valmark in May?": a place too
    rest = set(terms(i.topic)) - _event_terms() - named
    meta = ctx.lib.doc_meta()
    day = i.since if i.since and i.since == i.until else None
    # no article of that day, or none of that day holding the topic's other words ("… in the
    # valmark hills on May 3"): the articles after it that name the day
    untold = ctx.docs is None or (rest and not any(_holds(ctx, d, rest) for d in ctx.docs))
    if day and untold and (later := _told_later(ctx, day, meta, rest)):
        return later
    if rest:
        return None
    if ctx.docs is None:  # the question's time holds no article (the composer scopes only to some)
        dates = sorted(str(m["published"]) for m in meta.values() if m.get("published"))
        if not dates:  # undated texts (reference pages): their sentences may tell that time
            return None
        note = f"No article in the library is from that time: they are dated {dates[0]} to {dates[-1]}."
        return Draft("", (), "events", note=note)
    docs = sorted(
        (d for d in ctx.docs if not i.entities or _named_in(ctx, d)),  # the articles naming it
        key=lambda d: (str(meta.get(d, {}).get("published") or ""), d),
    )
    leads = [e for d in docs if (e := _lead(ctx, d)) is not None]
    if not leads:
        return None
    picked = leads
    if len(leads) > MAX_LEADS:
        step = (len(leads) - 1) / (MAX_LEADS - 1)
        picked = [leads[round(n * step)] for n in range(MAX_LEADS)]
    head = f"{len(leads)} articles fall in that time" + (
        f"; {len(picked)} of them, oldest first:" if len(picked) < len(leads) else ", oldest first:"
    )
    return Draft(head if len(leads) > 1 else "", tuple(picked), "events")


def _told_later(ctx: Context, day: str, meta: dict[str, dict[str, Any]], words: set[str]) -> Draft | None:
    """A day no article was published on, told by the articles of the weeks after it: their
    sentences that name the day ("a 6.4 quake that hit on January 7"), in articles naming what
    the question names (and holding the other words of its topic)."""
    end = (date.fromisoformat(day) + timedelta(days=AFTERMATH_DAYS)).isoformat()
    docs = [
        d
        for d, m in meta.items()
        if day <= str(m.get("published") or "")[:10] <= end
        and (not ctx.intent.entities or _named_in(ctx, d))
        and _holds(ctx, d, words)
    ]
    evs = [
        e
        for e in sentences(
            ctx.lib, [RetrievedPassage(p, 0.0) for d in docs for p in ctx.lib.doc_passages().get(d, [])]
        )
        if e.kind != "headline"
        and names_day(e.context or e.quote, day, str(meta[e.passage.doc_id].get("published") or ""))
    ]
    if not evs:
        return None
    chosen = [e for e in rank(ctx, evs) if e.cos >= COS_FLOOR][: ctx.settings.max_quotes]
    chosen.sort(key=lambda e: (str(meta[e.passage.doc_id].get("published") or ""), e.passage.start, e.start))
    lead = f"No article is dated {day}" if ctx.docs is None else f"No article of {day} tells of it"
    head = f"{lead}; articles of the {AFTERMATH_DAYS} days after it say of that day:"
    return Draft(head, tuple(chosen), "events") if chosen else None


def _holds(ctx: Context, doc_id: str, words: set[str]) -> bool:
    if not words:
        return True
    have: dict[str, frozenset[str]] = ctx.lib.cache.setdefault("doc_terms", {})  # once per view
    if doc_id not in have:
        have[doc_id] = frozenset(terms(ctx.lib.doc_text(doc_id)))
    return words <= have[doc_id]


def _lead(ctx: Context, doc_id: str) -> Evidence | None:
    """The first sentence of the article's body."""
    body = [p for p in ctx.lib.doc_passages().get(doc_id, []) if p.paragraph > 0 and p.text.strip()]
    if not body:
        return None
    p = body[0]
    a, b = next(iter(sentence_spans(p.text)), (0, len(p.text)))
    a, b = trim_span(p.text, a, b)
    return Evidence(p, a, b, context=p.text[a:b]) if b > a else None
