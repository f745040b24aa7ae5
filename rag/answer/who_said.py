"""Who said it: the statement holding the words the question quotes ("Who called it “a grave
mistake”?"), else the statement closest to the question's topic and to what it says was said
("Who dismissed the plan as a waste of money?"); its speaker and turn."""

from __future__ import annotations

from rag.answer.base import Context, Draft, Evidence
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
    said: dict[tuple[str, int], Evidence] = {}
    if ctx.intent.said and not exact:  # "Who dismissed it as a waste of money?": those words, on the topic
        said = {(e.passage.passage_id, e.start): e for e in rank(ctx, evs, ctx.intent.said)}
        ranked.sort(key=lambda e: -(e.cos + said[(e.passage.passage_id, e.start)].cos))
    if not ranked:
        return None
    top = ranked[0]
    by_said = said.get((top.passage.passage_id, top.start))
    near = (on_topic(top) and ctx.scorer.supported(top)) or (
        by_said is not None and on_topic(by_said) and ctx.scorer.supported(by_said)
    )
    if not (exact or near):
        return None
    head = " and ".join(top.speakers) + (f" ({top.role})" if top.role else "") + " said it:"
    return Draft(head, tuple(turn(ctx.lib, top)), "who_said", with_speaker=False)
