"""How a position changed: the best supported evidence from each article (each date), oldest
first, so the answer reads as a timeline; a speaker's own statements when one is asked about."""

from __future__ import annotations

from rag.answer.base import Context, Draft, Evidence
from rag.answer.common import evidence_by, rank, topic
from rag.answer.evidence import date_of, sentences
from rag.lexicon import words as vocabulary

MOST = 4  # dates in one timeline


def change(ctx: Context) -> Draft | None:
    drop = vocabulary("change_words")
    q = " ".join(w for w in topic(ctx).split() if w.lower() not in drop)
    if ctx.intent.speakers:
        evs = [e for who in ctx.intent.speakers for e in evidence_by(ctx, who)]
    else:
        evs = sentences(ctx.lib, ctx.hits)
    ranked = rank(ctx, evs, q or ctx.intent.text, direct=bool(ctx.intent.speakers))
    if not ranked or not ctx.scorer.supported(ranked[0]):
        return None
    per_doc: dict[str, Evidence] = {}
    cut = 0.75 * ranked[0].score  # weaker matches are other topics
    for e in ranked:
        if ctx.scorer.supported(e) and e.score >= cut:
            per_doc.setdefault(e.passage.doc_id, e)
    picks = sorted(list(per_doc.values())[:MOST], key=lambda e: (date_of(ctx.lib, e) or "9999", e.start))
    who = ctx.intent.speakers[0] if ctx.intent.speakers else None
    return Draft(f"{who}, by date:" if who else "By date:", tuple(picks), "change", with_speaker=who is None)
