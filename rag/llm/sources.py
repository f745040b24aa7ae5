"""The numbered passages a model is shown, and what each span of them is (whose words, which kind).

Scope: `Source` and `SourceStatement` (frozen), the citation kind and speaker of a span of a
source (`claim_kind`), a Fetch over the sources themselves for pure tests. Non-goals: choosing
the sources (rag/llm/generate.py), checking quotes (rag/llm/check.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rag.types import CitationKind, Passage
from rag.verify import Fetch, StoredPassage


@dataclass(frozen=True)
class SourceStatement:
    start: int  # offsets into the passage text
    end: int
    speakers: tuple[str, ...]
    role: str | None
    kind: str = "direct"  # "direct" | "indirect" | "transcript", as stored


@dataclass(frozen=True)
class Source:
    """One numbered passage shown to the model."""

    n: int
    passage: Passage
    title: str = ""
    published: str | None = None
    outlet: str | None = None
    url: str | None = None
    licence: str | None = None
    statements: tuple[SourceStatement, ...] = ()

    def speakers(self) -> list[str]:
        out: dict[str, None] = {}
        for s in self.statements:
            for name in s.speakers:
                out.setdefault(f"{name} ({s.role})" if s.role and len(s.speakers) == 1 else name)
        return list(out)


def claim_kind(s: Source, start: int, end: int) -> tuple[CitationKind, tuple[str, ...], str | None]:
    """(kind, speakers, role) of the words s.passage.text[start:end]: a person's quotation only
    when the span lies within one of their direct statements or transcript turns; reported
    speech when it overlaps a reported statement; otherwise the article's words."""
    over = [st for st in s.statements if st.start < end and st.end > start]
    best = max(over, key=lambda st: min(end, st.end) - max(start, st.start), default=None)
    if best is None:
        return ("headline" if s.passage.paragraph == 0 else "text"), (), None
    if best.kind in ("direct", "transcript") and best.start <= start and end <= best.end:
        return ("transcript" if best.kind == "transcript" else "direct"), best.speakers, best.role
    return "reported", best.speakers, best.role


def sources_fetch(sources: Sequence[Source]) -> Fetch:
    """A Fetch over the sources' own passages: for pure tests only (the app passes the store's)."""
    stored = {
        s.passage.passage_id: StoredPassage(
            s.passage.passage_id,
            s.passage.doc_id,
            s.passage.start,
            s.passage.text,
            s.passage.paragraph,
            {
                "title": s.title,
                "published": s.published,
                "source": s.outlet,
                "url": s.url,
                "licence": s.licence,
            },
        )
        for s in sources
    }
    return lambda ids: {i: stored[i] for i in ids if i in stored}
