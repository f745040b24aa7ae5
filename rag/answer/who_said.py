"""Who said it: the statement holding the words the question quotes ("Who called it “a grave
mistake”?"), else the statement closest to the question's topic; its speaker and turn."""

from __future__ import annotations

from rag.answer.base import Context, Draft
from rag.answer.common import on_topic, rank, topic
from rag.answer.evidence import statements_of, turn
from rag.text import norm_quotes


def who_said(ctx: Context) -> Draft | None:
    evs = statements_of(ctx.lib, ctx.statements)
    if not evs:
        return None
    quoted = norm_quotes(ctx.intent.quoted or "").lower().strip(" .,")
    exact = [e for e in evs if quoted and quoted in norm_quotes(e.context or e.quote).lower()]
    ranked = rank(ctx, exact or evs, topic(ctx))
    if not ranked or not (exact or (on_topic(ranked[0]) and ctx.scorer.supported(ranked[0]))):
        return None
    best = ranked[0]
    head = " and ".join(best.speakers) + (f" ({best.role})" if best.role else "") + " said it:"
    return Draft(head, tuple(turn(ctx.lib, best)), "who_said", with_speaker=False)
