"""What X said (on a topic): only X's own statements, the best on the topic first, each with the
quote paragraphs that continue it; an organisation speaks through its spokespeople too.
"X is quoted in the articles, but not on that" when none of X's words are about the topic.
"""

from __future__ import annotations

from rag.answer.base import Context, Draft, Evidence
from rag.answer.common import (
    described,
    evidence_by,
    framed,
    has_topic,
    not_on_that,
    on_topic,
    rank,
    topic,
    topical_docs,
)
from rag.answer.evidence import turn

TOPICAL = 0.15  # score added to a speaker's words in the article most about the topic


def _head(who: str, evs: list[Evidence]) -> str:
    role = next((e.role for e in evs if e.role and e.speakers == (who,)), None)
    return f"{who}" + (f" ({role})" if role else "") + " said:"


def what_said(ctx: Context) -> Draft | None:
    speakers = ctx.intent.speakers
    if not speakers:
        return None
    who = speakers[0]
    evs = [e for name in speakers for e in evidence_by(ctx, name)]
    if not evs:
        return None
    q = topic(ctx)
    if has_topic(q):
        ranked = every = rank(ctx, evs, q)
        # their words in an article about the topic are on it too (the topic with the names the
        # question gives beside the speaker: "the head of the agency … about the plant" is the
        # agency's plant)
        extra = [n for n in ctx.intent.entities if n.lower() not in q.lower()]
        mine = {e.passage.doc_id for e in evs}
        about = topical_docs(ctx, " ".join([q, *extra]))
        if not mine & set(about):  # none of theirs among them: the topic as it is in their articles
            about = topical_docs(ctx, " ".join([q, *extra]), within=mine)  # ("the crash" they speak of)
        fits = [e for e in ranked if on_topic(e) or framed(e, q) or e.passage.doc_id in about]
        if not fits:  # (what they think or back may be told, not quoted: answer/narrated.py)
            if ctx.intent.stance or described(ctx, who):
                return None  # a speaker found from a description ("the police") was a guess:
            return Draft("", (), "what_said", note=not_on_that(who))  # the fallbacks may do better
        # words in the articles most about the topic count extra (those articles are "on that")
        bonus = {d: TOPICAL * (1 - i / len(about)) for i, d in enumerate(about)}
        fits.sort(key=lambda e: -(e.score + bonus.get(e.passage.doc_id, 0.0)))
        top = fits[0].score + bonus.get(fits[0].passage.doc_id, 0.0)
        on = [
            e
            for e in fits
            if (on_topic(e) or framed(e, q)) and e.score + bonus.get(e.passage.doc_id, 0.0) >= 0.8 * top
        ]
        ranked = on
        if about and on and all(e.passage.doc_id != about[0] for e in on):
            # their words on it come only from other articles: what they said in the article most
            # about the topic leads (its subject is the question's, though its words differ)
            ranked = [e for e in fits if e.passage.doc_id == about[0]][:1] + on
        elif not any(e.kind in ("direct", "transcript") for e in on):
            # no words of their own on the topic: their own words in the article about it (or,
            # with none found, in the article that reports their words on it)
            where = about or [e.passage.doc_id for e in on[:1]]
            ranked = on + [
                e for e in every if e.passage.doc_id in where and e not in on and e.kind != "reported"
            ]
    else:  # "What did X say?": their first statements, in reading order, their own words first
        ranked = sorted(
            evs,
            key=lambda e: (
                e.kind not in ("direct", "transcript"),
                e.passage.doc_id,
                e.passage.start + e.start,
            ),
        )
    chosen: list[Evidence] = []
    for e in ranked[: ctx.settings.max_quotes]:
        if all((c.passage.passage_id, c.start) != (e.passage.passage_id, e.start) for c in chosen):
            chosen += [t for t in turn(ctx.lib, e) if t not in chosen]
    chosen.sort(key=lambda e: (e.passage.doc_id, e.passage.start + e.start))  # reading order
    # lines name their speaker when they are not all the one asked about (an organisation's
    # spokespeople, several speakers)
    others = any(e.speakers != (who,) for e in chosen)
    return Draft(_head(who, evs), tuple(chosen), "what_said", with_speaker=len(speakers) > 1 or others)
