"""Two or more speakers side by side: each one's statements closest to the topic — from an
article where all of them speak when there is one (there they answer the same events), else any
article about the topic — so agreement and disagreement are visible. A side the articles quote
nothing of is shown by what they write of it."""

from __future__ import annotations

from rag.answer.base import Context, Draft, Evidence
from rag.answer.common import evidence_by, on_topic, rank, topic, topical_docs
from rag.answer.evidence import sentences
from rag.answer.fact import _names
from rag.lexicon import words as vocabulary


def compare(ctx: Context) -> Draft | None:
    if len(ctx.intent.speakers) < 2:
        return None
    drop = vocabulary("compare_words")
    q = " ".join(w for w in topic(ctx).split() if w.lower().strip("'’s") not in drop)
    about = topical_docs(ctx, q)
    sides = {who: evidence_by(ctx, who) or _named(ctx, who) for who in ctx.intent.speakers}
    # an article where every side speaks is where they answer each other: their words there first
    shared = set.intersection(*({e.passage.doc_id for e in evs} for evs in sides.values()))
    chosen: list[Evidence] = []
    shown = 0  # sides with something to show
    for evs in sides.values():
        together = [e for e in evs if e.passage.doc_id in shared]
        pool = (
            [e for e in together if not about or e.passage.doc_id in about]
            or together
            or [e for e in evs if e.passage.doc_id in about]
            or evs
        )
        ranked = rank(ctx, pool, q)
        mine = [e for e in ranked[:2] if on_topic(e) or e is ranked[0] or e.passage.doc_id in shared]
        chosen += mine
        shown += bool(mine)
    if shown < 2:
        return None
    return Draft("Side by side:", tuple(chosen), "compare")


def _named(ctx: Context, who: str) -> list[Evidence]:
    """A side the articles quote nothing of: what the retrieved articles write of it ("… the
    federation was against the ruling on the grounds …"), in the article's words or a source's."""
    return [e for e in sentences(ctx.lib, ctx.hits) if _names(e.quote.lower(), who)]
