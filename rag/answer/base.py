"""The types every answer strategy shares: a candidate quote (Evidence), what a strategy
proposes (Draft), what it may draw on (Context), and the router's entries (Route).

Scope: data only. A strategy is a plain function `(Context) -> Draft | None`: None means "not
mine, try the next one". Non-goals: scoring (scoring.py), building evidence (evidence.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rag.config import Settings
from rag.types import CitationKind, Intent, IntentKind, Passage, RetrievedPassage
from rag.view import LibraryView, StoredStatement

if TYPE_CHECKING:
    from rag.answer.scoring import Scorer


@dataclass(frozen=True)
class Evidence:
    passage: Passage
    start: int  # offsets into passage.text
    end: int
    speakers: tuple[str, ...] = ()
    role: str | None = None
    kind: CitationKind = "text"  # what the span is in its article (DESIGN §3 citation kinds)
    cue: str | None = None
    context: str = ""  # the sentence around a statement: what coverage of the question counts on
    before: str = ""  # the sentence before it in its paragraph (what "it", "the crew" may refer to)
    score: float = 0.0
    cos: float = 0.0
    cov: float = 0.0
    fit: float = 0.0  # 1.0 when the span holds the kind of answer asked for (a number, a place …)
    joins: int = 0  # two sentences cited as one: where the second begins (0: one span)

    @property
    def quote(self) -> str:
        return self.passage.text[self.start : self.end]


@dataclass(frozen=True)
class Draft:
    """An answer before verification: a head line and the evidence to cite, in order."""

    head: str
    evidence: tuple[Evidence, ...]
    strategy: str
    with_speaker: bool = True  # each line names its speaker (False: the head does)
    by_date: bool = True  # evidence from several dated articles is put in date order
    note: str | None = None  # with no evidence: why the answer is "the articles don't say"


@dataclass
class Context:
    """One question being answered: what it asks, the library view, what was retrieved."""

    intent: Intent
    lib: LibraryView
    scorer: Scorer
    settings: Settings
    hits: list[RetrievedPassage]
    statements: list[StoredStatement]  # those the scope allows
    docs: set[str] | None  # the documents the scope allows (None: all)
    timings: dict[str, float] = field(default_factory=dict)


Strategy = Callable[[Context], "Draft | None"]


@dataclass(frozen=True)
class Route:
    name: str
    kinds: frozenset[IntentKind]  # the intents this strategy answers
    run: Strategy
