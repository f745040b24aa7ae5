"""Candidate quotes: the sentences of retrieved passages and the statements of the library, as
Evidence with the citation kind each would have.

Scope: a statement as evidence (a quoted fragment of one to three words, or reported speech,
is cited with its sentence, as `reported`), the sentences of passages (a sentence inside a
quote, a direct quote inside a sentence, narration), a speaker's whole turn (the quote paragraphs
that continue it), the same words reported twice cited once, date order. Non-goals: scoring,
choosing (scoring.py, the strategies).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rag.answer.base import Evidence
from rag.text import norm_quotes, outside_spans, sentence_spans
from rag.types import CitationKind, RetrievedPassage
from rag.verify import trim_span
from rag.view import LibraryView, StoredStatement

SHORT_QUOTE_WORDS = 3  # a quoted fragment this short is cited with its whole sentence
NARRATION_WORDS = 8  # words outside its quotes for a sentence to be a candidate of its own
PAIR_WORDS = 40  # two neighbouring sentences are one more candidate when together this short


def from_statement(lib: LibraryView, s: StoredStatement) -> Evidence | None:
    p = lib.passages.get(s.passage_id)
    if p is None:
        return None
    a, b = trim_span(p.text, s.start, s.end)
    spans = sentence_spans(p.text)
    lo = max((x for x, _ in spans if x <= s.start), default=0)
    hi = min((y for _, y in spans if y >= s.end), default=len(p.text))
    kind: CitationKind = "transcript" if s.kind == "transcript" else "direct"
    if s.kind == "indirect" or len(p.text[a:b].split()) <= SHORT_QUOTE_WORDS:
        # reported speech, or a quoted fragment ("unfair"): the sentence says more,
        # and it is the article's words reporting the speaker, not the speaker's own
        a, b = trim_span(p.text, lo, hi)
        kind = "reported"
    return Evidence(p, a, b, s.speakers, s.role, kind, s.cue, context=p.text[lo:hi])


def statements_of(lib: LibraryView, stmts: Iterable[StoredStatement]) -> list[Evidence]:
    return [e for s in stmts if (e := from_statement(lib, s)) is not None]


def sentences(lib: LibraryView, hits: Sequence[RetrievedPassage]) -> list[Evidence]:
    """Candidate quotes: each sentence of the hits, or the direct quotes inside it."""
    out: list[Evidence] = []
    for h in hits:
        p = h.passage
        prev = ""
        for a, b in sentence_spans(p.text):
            near = [s for s in lib.by_passage.get(p.passage_id, []) if s.start < b and s.end > a]
            direct = [s for s in near if s.kind in ("direct", "transcript")]
            inside = [s for s in direct if s.start <= a and b <= s.end]
            if inside:  # a sentence within a longer quote (a transcript turn): quote just it
                a2, b2 = trim_span(p.text, a, b)
                kind: CitationKind = "transcript" if inside[0].kind == "transcript" else "direct"
                out.append(Evidence(p, a2, b2, inside[0].speakers, inside[0].role, kind, inside[0].cue))
                prev = p.text[a:b]
                continue
            speakers = tuple(dict.fromkeys(n for s in near for n in s.speakers))
            if direct:
                out += statements_of(lib, direct)
                if _narrated(p.text, a, b, direct):  # the article's own account around the quote
                    out.append(
                        Evidence(p, a, b, speakers, None, "reported", context=p.text[a:b], before=prev)
                    )
                prev = p.text[a:b]
                continue
            role = near[0].role if len(near) == 1 else None
            kind = "reported" if near else ("headline" if p.paragraph == 0 else "text")
            out.append(Evidence(p, a, b, speakers, role, kind, context=p.text[a:b], before=prev))
            prev = p.text[a:b]
    return out


def pairs(evs: Sequence[Evidence]) -> list[Evidence]:
    """Each two neighbouring narration sentences of a paragraph, as one more candidate: an answer
    is often split between a sentence and the one continuing it ("The ferry left Eastport at
    dawn. It reached Valmark two days later."). Only short pairs: a quote stays a quote."""
    out: list[Evidence] = []
    for a, b in zip(evs, evs[1:]):
        if (
            a.kind == b.kind
            and a.kind in ("text", "headline")
            and a.passage.passage_id == b.passage.passage_id
            and a.end <= b.start
            and not a.passage.text[a.end : b.start].strip()
            and len(a.passage.text[a.start : b.end].split()) <= PAIR_WORDS
        ):
            text = a.passage.text[a.start : b.end]
            speakers = tuple(dict.fromkeys(a.speakers + b.speakers))
            out.append(
                Evidence(
                    a.passage,
                    a.start,
                    b.end,
                    speakers,
                    kind=a.kind,
                    context=text,
                    before=a.before,
                    joins=b.start,
                )
            )
    return out


def _narrated(text: str, a: int, b: int, quotes: Sequence[StoredStatement]) -> bool:
    """The sentence says something of its own outside its quotations ("X announced it would not
    take part, “…”, the agency reported"): a fact question may be answered by it."""
    prose = outside_spans(text, a, b, [(s.start, s.end) for s in quotes])
    return len(prose.split()) >= NARRATION_WORDS


def turn(lib: LibraryView, e: Evidence) -> list[Evidence]:
    """e with the rest of its speaker's turn: the quote it continues and the quote paragraphs
    that continue it (direct quotes with no reporting verb of their own)."""
    if e.kind not in ("direct", "transcript"):
        return [e]
    stmts = lib.statements
    here = lib.by_passage.get(e.passage.passage_id, [])
    hit = next((s for s in here if trim_span(e.passage.text, s.start, s.end) == (e.start, e.end)), None)
    idx = lib.index_of(hit.id) if hit is not None else None
    if idx is None:
        return [e]

    def same(s: StoredStatement) -> bool:
        return s.kind in ("direct", "transcript") and s.speakers == e.speakers

    lo = idx
    while lo > 0 and stmts[lo].cue is None and same(stmts[lo - 1]):
        lo -= 1
    hi = idx + 1
    while hi < len(stmts) and stmts[hi].cue is None and same(stmts[hi]):
        hi += 1
    return statements_of(lib, stmts[lo:hi])


def distinct(evs: Iterable[Evidence]) -> list[Evidence]:
    """The same words reported by two articles are cited once (the first, best-ranked)."""
    seen: set[str] = set()
    out = []
    for e in evs:
        key = norm_quotes(e.quote).lower().strip(" .,")
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out


def date_of(lib: LibraryView, e: Evidence) -> str:
    return str(lib.meta.get(e.passage.passage_id, {}).get("published") or "")


def by_date(lib: LibraryView, evs: list[Evidence], newest_first: bool) -> list[Evidence]:
    """Evidence from several dated articles in date order (newest first when asked for the
    latest); a single article keeps its order."""
    dates = [date_of(lib, e) for e in evs]
    if len({d for d in dates if d}) < 2:
        return evs
    missing = "" if newest_first else "9999"  # undated evidence last either way
    order = sorted(range(len(evs)), key=lambda i: dates[i] or missing, reverse=newest_first)
    return [evs[i] for i in order]
