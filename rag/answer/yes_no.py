"""Yes/no questions: never a bare yes — the evidence the articles give, for and against, and the
reader judges. The articles are found by the whole question; within them, sentences are ranked
by the whole question and by what is asked of its names (the predicate: "Was anyone injured
when …" -> "injured"), and kept to those holding the names of its object (or the sentence
before them, where "he" is introduced) when some do: "Did X appoint Y?" is answered by a
sentence about Y, not by X's other appointments. The best sentence that says "not" is shown
beside the best that don't; a headline gives way to a body sentence."""

from __future__ import annotations

from rag.answer.base import Context, Draft, Evidence
from rag.answer.common import rank
from rag.answer.evidence import sentences
from rag.answer.fact import _named_in, _names, _no_lone_headlines, _topic_names
from rag.lexicon import words as vocabulary


def _negated(e: Evidence) -> bool:
    words = e.quote.lower().replace("’", "'").split()
    return any(w.strip(".,;:") in vocabulary("negations") or w.endswith("n't") for w in words)


def _predicate(ctx: Context) -> str:
    """The topic without the names in it: what the question asks of them."""
    names = {w.lower() for n in (*ctx.intent.entities, *ctx.intent.speakers) for w in n.split()}
    words = [w for w in ctx.intent.topic.split() if w[:1].islower() and w.lower() not in names]
    return " ".join(words)


def _held(names: list[str], e: Evidence) -> bool:
    """The sentence (or the one before it, where "he" is introduced) holds every name."""
    low = f"{e.before} {e.quote}".lower()
    return all(_names(low, n) for n in names)


def yes_no(ctx: Context) -> Draft | None:
    hits = [h for h in ctx.hits if _named_in(ctx, h.passage.doc_id)]
    ranked = [e for e in rank(ctx, sentences(ctx.lib, hits)) if ctx.scorer.supported(e)]
    if not ranked:
        return None
    docs = list(dict.fromkeys(e.passage.doc_id for e in ranked))[:2]  # the articles it is about
    pred = ctx.intent.predicate or _predicate(ctx)
    pool = [e for e in sentences(ctx.lib, hits) if e.passage.doc_id in docs]
    if pred:
        asked = [n for n in _topic_names(ctx) if n.split()[-1] in pred.split()]  # not the subject's
        pool = [e for e in pool if _held(asked, e)] or pool
        by_pred = {(e.passage.passage_id, e.start): e.cos for e in rank(ctx, pool, pred)}
        whole = {(e.passage.passage_id, e.start): e.score for e in rank(ctx, pool)}
        pool.sort(
            key=lambda e: -(whole[(e.passage.passage_id, e.start)] + by_pred[(e.passage.passage_id, e.start)])
        )
    else:
        pool = [e for e in ranked if e.passage.doc_id in docs]
    near = _no_lone_headlines(ctx, pool[: ctx.settings.max_quotes + 1], ranked)
    against = [e for e in near if _negated(e)][:1]  # the best "not", then the best of the rest
    chosen = sorted(
        set(against + [e for e in near if e not in against][: ctx.settings.max_quotes - len(against)]),
        key=near.index,
    )
    return Draft("What the articles say on this (for and against):", tuple(chosen or near), "yes_no")
