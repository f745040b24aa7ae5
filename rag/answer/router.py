"""The router: an ordered list of strategies, each for the kinds of question it answers; the
first that proposes a Draft answers, the next ones are its fallbacks, fact lookup is the last
resort for every kind. Adding a kind of question is one strategy module and one line here."""

from __future__ import annotations

from rag.answer.base import Context, Draft, Route
from rag.answer.change import change
from rag.answer.compare import compare
from rag.answer.events import events
from rag.answer.fact import fact
from rag.answer.metadata import metadata
from rag.answer.narrated import narrated
from rag.answer.reactions import reactions
from rag.answer.what_said import what_said
from rag.answer.who_is import who_is
from rag.answer.who_said import who_said
from rag.answer.yes_no import yes_no
from rag.types import IntentKind

ALL: frozenset[IntentKind] = frozenset(
    ("what_said", "who_said", "who_is", "reactions", "compare", "change", "yes_no", "metadata", "fact")
)

REGISTRY: list[Route] = [
    Route("metadata", frozenset({"metadata"}), metadata),
    Route("who_is", frozenset({"who_is"}), who_is),
    Route("who_said", frozenset({"who_said"}), who_said),
    Route("compare", frozenset({"compare"}), compare),
    Route("change", frozenset({"change"}), change),
    Route("reactions", frozenset({"reactions", "compare"}), reactions),
    Route("what_said", frozenset({"what_said", "compare", "change", "reactions"}), what_said),
    Route("narrated", frozenset({"what_said"}), narrated),
    Route("yes_no", frozenset({"yes_no"}), yes_no),
    Route("events", frozenset({"fact"}), events),
    Route("fact", ALL, fact),
]


def route(ctx: Context) -> Draft | None:
    """The first strategy for this kind of question that proposes an answer, or a reason not to
    ("X is quoted in the articles, but not on that": the articles' other words are not X's)."""
    for r in REGISTRY:
        if ctx.intent.kind in r.kinds and (draft := r.run(ctx)) is not None:
            return draft
    return None
