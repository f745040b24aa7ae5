"""Extractive answers (no LLM): read the question, retrieve, let the strategies choose the quotes,
verify them against the store and write the answer — or say that the articles don't say.

Scope: one public entry, `Composer.answer`, producing the Answer of DESIGN §3: input checks, the
Intent (rag/question/), the time and speaker scope, retrieval (one view of the library), the
router (rag/answer/router.py), verification (verify.cite, the only Citation factory) and the
answer text, one line per citation by its kind (rag/answer/render.py). The store is reached only
through the functions given to it (quote vectors, query embeddings, fetch by id).
Non-goals: choosing quotes (rag/answer/), generative answers (rag/llm/).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace

import numpy as np

from rag.answer.base import Context, Draft, Evidence
from rag.answer.common import never_quoted
from rag.answer.evidence import by_date, distinct
from rag.answer.known import known_for
from rag.answer.render import citation_line
from rag.answer.router import route
from rag.answer.scoring import Scorer
from rag.config import Settings
from rag.followup import LIBRARY_NOTE
from rag.library import Library
from rag.question import read_question
from rag.types import Answer, Claim, Intent, RetrievedPassage, Scope
from rag.verify import CANNOT_ANSWER, Fetch, cite
from rag.view import LibraryView

MAX_QUESTION_CHARS = 2000


def _printable(text: str) -> str:
    """Control characters (a pasted terminal escape, a NUL) become spaces; text stays text."""
    return "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in text)


class Composer:
    """Answers questions from a Library with verified, attributed quotes."""

    def __init__(
        self,
        library: Library,
        settings: Settings,
        scorer: Scorer,
        fetch: Fetch,
        embed_texts: Callable[[list[str]], np.ndarray] | None = None,
    ):
        """`fetch` reads passages back from the store by id for verify.cite (never the library's
        own copies); `scorer` holds the injected embedding functions."""
        self.lib = library
        self.settings = settings
        self.scorer = scorer
        self.fetch = fetch
        # the question's vector is computed while its parse runs (onnxruntime and spaCy's numpy
        # release the GIL: on 2 cores 15 -> 12.5 ms for both); one worker, runs are serialised anyway
        self._ahead = ThreadPoolExecutor(max_workers=1, thread_name_prefix="question-vector")
        self.embed_texts = embed_texts

    def answer(
        self,
        question: str,
        history: list[dict[str, str]] | None = None,
        k: int | None = None,
        scope: Scope | None = None,
    ) -> Answer:
        """Answer from the library (or the part of it `scope` allows)."""
        t_start = time.perf_counter()  # following the store counts in the answer's time
        view = self.lib.view()  # one generation of the library for the whole answer
        return self._answer(view, question, history, k, scope, t_start)

    def _clean(self, question: str, history: list[dict[str, str]] | None) -> tuple[str, list[dict[str, str]]]:
        question = _printable(question).strip()
        if not question:
            raise ValueError("the question is empty; ask something about the articles")
        if len(question) > MAX_QUESTION_CHARS:
            raise ValueError(
                f"the question has {len(question)} characters; keep it under {MAX_QUESTION_CHARS}"
            )
        turns = [
            {"role": str(t.get("role", "")), "content": _printable(t["content"][:MAX_QUESTION_CHARS])}
            for t in (history or [])[-20:]
            if isinstance(t, dict) and isinstance(t.get("content"), str)
        ]
        return question, turns

    def _scoped(self, lib: LibraryView, intent: Intent, scope: Scope | None) -> tuple[Intent, Scope | None]:
        """Dates the question names narrow the scope (unless the caller set dates, and only when
        some article is in range); a speaker filter makes the question about that speaker."""
        if (intent.since or intent.until) and not (scope and (scope.since or scope.until)):
            dated = replace(scope or Scope(), since=intent.since, until=intent.until)
            if lib.documents(dated):
                scope = dated
        if scope and scope.speaker:
            found = [m.name for m in known_for(lib, self.embed_texts).people.find(scope.speaker) if m.sure]
            who = found[0] if found else scope.speaker
            kind = intent.kind if intent.kind in ("what_said", "change", "who_is") else "what_said"
            intent = replace(intent, kind=kind, speakers=(who,), topic=intent.topic or intent.text)
        return intent, scope

    def _answer(
        self,
        lib: LibraryView,
        question: str,
        history: list[dict[str, str]] | None,
        k: int | None,
        scope: Scope | None,
        t_start: float,
    ) -> Answer:
        question, turns = self._clean(question, history)
        timings: dict[str, float] = {}
        if not lib.passages:
            return self._abstain(
                lib, question, "The library is empty: ingest some articles first.", [], timings
            )
        early: Future[np.ndarray] = self._ahead.submit(self.scorer.embed_query, question)
        intent = read_question(question, turns, known_for(lib, self.embed_texts))
        intent, scope = self._scoped(lib, intent, scope)
        timings["parse"] = (time.perf_counter() - t_start) * 1000
        if why := self._not_in_library(intent):
            return self._abstain(lib, question, why, [], timings)
        docs = lib.documents(scope)
        stmts = (
            lib.statements if docs is None else [s for s in lib.statements if self._doc_of(lib, s) in docs]
        )
        if scope and scope.speaker:
            stmts = [s for s in stmts if set(intent.speakers) & set(s.speakers)]
        t0 = time.perf_counter()
        # a follow-up reads as another text ("and X?" carries the last topic): embed that one
        qvec = np.asarray(early.result() if intent.text == question else self.scorer.embed_query(intent.text))
        hits = _with_leads(
            lib, lib.search(intent.text, k or self.settings.k, vector=qvec.tolist(), docs=docs)
        )
        timings["retrieve"] = (time.perf_counter() - t0) * 1000
        t0 = time.perf_counter()
        ctx = Context(intent, lib, self.scorer, self.settings, hits, stmts, docs, timings)
        ctx.__dict__["_vecs"] = {intent.text: qvec}
        draft = route(ctx)
        if draft is None or not draft.evidence:
            why = draft.note if draft is not None and draft.note else CANNOT_ANSWER
            out = self._abstain(lib, question, why, hits, timings)
        else:
            out = self._finish(lib, question, intent, draft, hits, timings)
            timings["strategy_" + draft.strategy] = 1.0
        timings["compose"] = (time.perf_counter() - t0) * 1000 - timings.get("verify", 0.0)
        timings["total"] = (time.perf_counter() - t_start) * 1000
        return out

    def _not_in_library(self, intent: Intent) -> str | None:
        if intent.unknown and not intent.speakers:
            maybe = f" Did you mean {intent.suggestion}?" if intent.suggestion else ""
            return f"The articles don't mention {' or '.join(intent.unknown)}.{maybe}"
        if (
            intent.unquoted
            and not intent.speakers
            and intent.kind in ("what_said", "compare", "change")
            and not intent.stance  # what they think or back: the articles may tell it (answer/narrated.py)
        ):
            return never_quoted(" or ".join(intent.unquoted))
        return None

    @staticmethod
    def _doc_of(lib: LibraryView, s: object) -> str:
        p = lib.passages.get(getattr(s, "passage_id", ""))
        return p.doc_id if p else ""

    @staticmethod
    def _claim(e: Evidence) -> Claim:
        return Claim(e.passage.passage_id, e.start, e.end, e.quote, e.kind, e.speakers, e.role)

    def _finish(
        self,
        lib: LibraryView,
        question: str,
        intent: Intent,
        draft: Draft,
        hits: list[RetrievedPassage],
        timings: dict[str, float],
    ) -> Answer:
        """Verify the chosen evidence against the store (verify.cite numbers what holds) and write
        the answer, one line per citation by its kind; abstain if nothing survives."""
        evs = distinct(draft.evidence)
        if draft.by_date:
            evs = by_date(lib, evs, newest_first=intent.newest_first)
        t0 = time.perf_counter()
        checked = cite([self._claim(e) for e in evs], self.fetch)
        timings["verify"] = (time.perf_counter() - t0) * 1000
        if checked.withheld:
            timings["citations_withheld"] = float(checked.withheld)
        cites = checked.citations
        if not cites:
            return self._abstain(lib, question, CANNOT_ANSWER, hits, timings)
        lines = ["- " + citation_line(c, draft.with_speaker) for c in cites]
        head = draft.head
        if intent.suggestion and intent.suggestion in intent.speakers:
            head = f"(Showing {intent.suggestion}: the closest name in the library.)\n{head}".strip()
        # the answer carries the store's copies of the cited passages (the invariant holds on them)
        stored = {pid: p.as_passage() for pid, p in checked.passages.items()}
        shown = [RetrievedPassage(stored.get(h.passage.passage_id, h.passage), h.score) for h in hits]
        have = {h.passage.passage_id for h in hits}
        shown += [RetrievedPassage(stored[c.passage_id], 0.0) for c in cites if c.passage_id not in have]
        shown = list({r.passage.passage_id: r for r in shown}.values())
        text = (head + "\n" if head else "") + "\n".join(lines)
        return Answer(question, text, False, tuple(cites), tuple(shown), timings)

    def _abstain(
        self,
        lib: LibraryView,
        question: str,
        why: str,
        hits: list[RetrievedPassage],
        timings: dict[str, float],
    ) -> Answer:
        titles = sorted({str(m.get("title", "")) for m in lib.doc_meta().values()})
        cover = ""
        if titles:
            few = "; ".join(f"“{t}”" for t in titles[:3])
            more = f" and {len(titles) - 3} more" if len(titles) > 3 else ""
            cover = f" {LIBRARY_NOTE} {len(titles)} article(s): {few}{more}."
        return Answer(question, why + cover, True, (), tuple(hits), timings)


def _with_leads(lib: LibraryView, hits: list[RetrievedPassage]) -> list[RetrievedPassage]:
    """A headline found brings its article's lead paragraph, after the hits: a news lead tells
    what the headline names ("Nordland joins the trade pact": "Today, Nordland became the pact's
    ninth member …"), in words the question may not share."""
    have = {h.passage.passage_id for h in hits}
    out = list(hits)
    for h in hits:
        if h.passage.paragraph != 0:
            continue
        lead = next((p for p in lib.doc_passages().get(h.passage.doc_id, []) if p.paragraph > 0), None)
        if lead is not None and lead.passage_id not in have:
            out.append(RetrievedPassage(lead, h.score))
            have.add(lead.passage_id)
    return out
