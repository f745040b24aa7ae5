"""Reactions and perspectives: who said what on a topic — one line per speaker (their statement
closest to the topic), across the articles that are about it, by date. "Experts" and "analysts"
are the people the articles introduce with a role; the people whose words or acts are the topic
("reactions to X's plan") are not among the reactions."""

from __future__ import annotations

import re

from rag.answer.base import Context, Draft, Evidence
from rag.answer.common import on_topic, rank, topic, topical_docs
from rag.answer.evidence import statements_of, turn

MOST = 5  # speakers in one answer


def reactions(ctx: Context) -> Draft | None:
    q = topic(ctx)
    about = topical_docs(ctx, q)
    docs = set(about) or {h.passage.doc_id for h in ctx.hits[:3]}
    evs = [e for e in statements_of(ctx.lib, ctx.statements) if e.passage.doc_id in docs]
    # "reactions to X's plan": X's own words are what is reacted to, not a reaction
    evs = [e for e in evs if not set(e.speakers) & set(ctx.intent.entities)] or evs
    if any(
        re.search(r"\b(?:experts?|analysts?|specialists|scholars|observers)\b", g, re.I)
        for g in ctx.intent.groups
    ):
        evs = [e for e in evs if e.role] or evs
    ranked = rank(ctx, evs, q)  # statements in the articles about the topic are reactions to it
    best: dict[tuple[str, ...], Evidence] = {}
    for e in ranked:
        best.setdefault(e.speakers, e)
    # a speaker of a less topical article speaks on the topic only when their words are on it (the
    # article after the one about the offer may be about the war around it)
    best = {k: e for k, e in best.items() if on_topic(e) or not about or e.passage.doc_id == about[0]}
    if len(best) < 2:
        return None
    chosen: list[Evidence] = []
    for e in list(best.values())[:MOST]:
        chosen += [t for t in turn(ctx.lib, e)[:2] if t not in chosen]
    people = {n for e in chosen for n in e.speakers}
    return Draft(f"The articles quote {len(people)} speakers on this:", tuple(chosen), "reactions")
