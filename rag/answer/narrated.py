"""What someone thinks, wants or backs, as the articles tell it: for "What led X to
believe …" or "Whom did X support?" when X's own words are not there (X is never quoted, or not
on that), the articles' sentences that name X and answer, cited as the articles' words — never
as X's. A question asking for words ("What did X say …", "X's view") is not answered this way.
"""

from __future__ import annotations

import re

from rag.answer.base import Context, Draft, Evidence
from rag.answer.common import never_quoted, not_on_that, rank
from rag.answer.evidence import sentences


def _names(e: Evidence, keys: set[str]) -> bool:
    """The sentence (or the one before it, which "he" continues) names one of them."""
    text = f"{e.before} {e.quote}"
    return any(re.search(rf"\b{re.escape(k)}\b", text) for k in keys)


def narrated(ctx: Context) -> Draft | None:
    intent = ctx.intent
    people = intent.speakers or intent.unquoted
    if not intent.stance or not people:
        return None
    who = people[0]
    note = not_on_that(who) if intent.speakers else never_quoted(who)
    keys = {n.split()[-1] for n in people}
    evs = [e for e in sentences(ctx.lib, ctx.hits) if e.kind == "text" and _names(e, keys)]
    ranked = rank(ctx, evs, direct=False, answer_type=intent.answer_type)
    held = [e for e in ranked if ctx.scorer.supported(e, intent.answer_type, intent.measure)]
    if not held:
        return Draft("", (), "narrated", note=note)
    chosen = [e for e in held if e.score >= 0.85 * held[0].score][: ctx.settings.max_quotes]
    head = (
        f"{who} is not quoted on that; the articles report:"
        if intent.speakers
        else f"The articles quote nothing {who} said; they report:"
    )
    return Draft(head, tuple(chosen), "narrated")
