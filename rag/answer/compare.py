"""Two or more speakers side by side: each one's statements closest to the topic, any article,
so agreement and disagreement are visible."""

from __future__ import annotations

from rag.answer.base import Context, Draft, Evidence
from rag.answer.common import evidence_by, on_topic, rank, topic, topical_docs
from rag.lexicon import words as vocabulary


def compare(ctx: Context) -> Draft | None:
    if len(ctx.intent.speakers) < 2:
        return None
    drop = vocabulary("compare_words")
    q = " ".join(w for w in topic(ctx).split() if w.lower().strip("'’s") not in drop)
    about = topical_docs(ctx, q)
    chosen: list[Evidence] = []
    for who in ctx.intent.speakers:
        evs = evidence_by(ctx, who)
        ranked = rank(ctx, [e for e in evs if e.passage.doc_id in about] or evs, q)
        chosen += [e for e in ranked[:2] if on_topic(e) or e is ranked[0]]
    if len({n for e in chosen for n in e.speakers}) < 2:
        return None
    return Draft("Side by side:", tuple(chosen), "compare")
