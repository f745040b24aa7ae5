"""Extractive answers (no LLM): choose the sentences or statements that answer, attribute
them, cite them, and abstain when nothing in the library supports an answer.

Scope: one public entry, `Composer.answer`, producing the Answer of DESIGN §3. Quote choice
is query-aware at sentence level: a sentence (or a statement) is scored by the cosine between
its embedding and the question's plus an idf-weighted coverage of the question's words.
Non-goals: generative answers (a later LLM composer plugs in beside this one).
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from rag.answer.render import citation_line, human_date
from rag.config import Settings
from rag.lexical import terms
from rag.question import SAY, SAY_RE, Intent, names_in, read_question, topic_without
from rag.retrieve import Library, StoredStatement
from rag.store import quote_id
from rag.text import norm_quotes, sentence_spans
from rag.types import Answer, CitationKind, Claim, Passage, RetrievedPassage, Scope
from rag.verify import CANNOT_ANSWER, Fetch, cite, trim_span

W_DENSE, W_LEX, W_DIRECT = 0.55, 0.45, 0.08
MAX_QUESTION_CHARS = 2000
QUOTE_CACHE = 20_000  # quote vectors kept in this process (384 floats each: about 30 MB)
SHORT_QUOTE_WORDS = 3  # a quoted fragment this short is cited with its whole sentence


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
    score: float = 0.0
    cos: float = 0.0
    cov: float = 0.0

    @property
    def quote(self) -> str:
        return self.passage.text[self.start : self.end]


@dataclass
class _Call:
    """One question being answered: what it asks, what it may draw on, what was retrieved, and
    its timings (one per call: the Composer is shared between threads)."""

    question: str
    intent: Intent
    qvec: np.ndarray
    hits: list[RetrievedPassage]
    statements: list[StoredStatement]
    docs: set[str] | None
    timings: dict[str, float]


_CHANGE = re.compile(
    r"\b(?:chang(?:e|ed|es|ing)|evolv(?:e|ed|ing)|shift(?:ed|ing)?|over time|over the years|timeline)\b",
    re.I,
)


_GROUPS = r"experts?|analysts?|observers|commentators|officials|people|they|them|he|she|him|her"


def _printable(text: str) -> str:
    """Control characters (a pasted terminal escape, a NUL) become spaces; text stays text."""
    return "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in text)


def _topic_of(text: str) -> str:
    """What a question is about, without its saying and changing words ("How has the position on
    strikes changed?" -> "How strikes")."""
    return " ".join(_CHANGE.sub(" ", topic_without(text, None)).split())


_LATEST = re.compile(r"\b(?:latest|most recent|newest|recently|lately|currently|now)\b", re.I)
INVASION = "2022-02-24"  # the library's subject: "before/after the invasion" of Ukraine


def time_scope(text: str, scope: Scope | None) -> Scope | None:
    """Dates a question names ("in 2022", "before the invasion") narrow the scope, unless the
    caller already set dates."""
    if scope and (scope.since or scope.until):
        return scope
    since = until = None
    if m := re.search(r"\b(?:in|during|throughout)\s+((?:19|20)\d\d)\b", text, re.I):
        since = until = m.group(1)
    elif m := re.search(r"\b(?:since|after)\s+((?:19|20)\d\d)\b", text, re.I):
        since = str(int(m.group(1)) + (1 if m.group(0).lower().startswith("after") else 0))
    elif m := re.search(r"\bbefore\s+((?:19|20)\d\d)\b", text, re.I):
        until = str(int(m.group(1)) - 1)
    elif re.search(r"\bbefore the (?:full-scale )?invasion\b", text, re.I):
        until = "2022-02-23"
    elif re.search(r"\b(?:after|since) the (?:full-scale )?invasion\b", text, re.I):
        since = INVASION
    if not (since or until):
        return scope
    return replace(scope or Scope(), since=since, until=until)


class Composer:
    """Answers questions from a Library with verified, attributed quotes."""

    def __init__(self, library: Library, settings: Settings, fetch: Fetch | None = None):
        """`fetch` reads passages back from the store by id, for verify.cite (default: the
        library's store); it must not be the library's own copies."""
        self.lib = library
        self.settings = settings
        self.fetch: Fetch = fetch or library.store.passages_by_id
        # quote id -> its vector. Ingest stored every quotable span's vector (store.py); what
        # is missing (a store written before, an unusual span) is embedded here once. Derived
        # data only: losing it changes nothing but speed, so it may live in one process.
        self._vecs: OrderedDict[str, np.ndarray] = OrderedDict()
        self._vecs_lock = threading.Lock()

    def _vectors(self, evs: list[Evidence]) -> np.ndarray:
        """Vectors of candidate quotes: from this process's cache, else the store, else the model."""
        keys = [quote_id(e.passage.passage_id, e.quote) for e in evs]
        with self._vecs_lock:
            have = {k: self._vecs[k] for k in keys if k in self._vecs}
        todo = list(dict.fromkeys(k for k in keys if k not in have))
        if todo:
            fresh = {k: np.asarray(v) for k, v in self.lib.store.quote_vectors(todo).items()}
            text = {k: e.quote for k, e in zip(keys, evs)}
            missing = [k for k in todo if k not in fresh]
            if missing:
                embedded = self.lib.store.embeddings.embed_documents([text[k] for k in missing])
                fresh.update(zip(missing, np.asarray(embedded)))
            have.update(fresh)
            with self._vecs_lock:
                self._vecs.update(fresh)
                while len(self._vecs) > QUOTE_CACHE:
                    self._vecs.popitem(last=False)
        return np.asarray([have[k] for k in keys])

    # ---- scoring -------------------------------------------------------------------------
    def _weights(self, query: str) -> dict[str, float]:
        """The question's content terms with their idf: coverage counts rare words more."""
        return {t: self.lib.bm25.idf(t) for t in set(terms(query))}

    @staticmethod
    def _coverage(weights: dict[str, float], text: str) -> float:
        if not weights:
            return 0.0
        have = set(terms(text))
        return sum(w for t, w in weights.items() if t in have) / (sum(weights.values()) or 1.0)

    def _score(
        self, query: str, qvec: np.ndarray, evs: list[Evidence], direct_bonus: bool = True
    ) -> list[Evidence]:
        if not evs:
            return []
        vecs = self._vectors(evs)
        cos = vecs @ qvec
        weights = self._weights(query)  # once per question, not per candidate
        out = []
        for e, c in zip(evs, cos):
            cov = self._coverage(weights, e.context or e.quote)
            bonus = W_DIRECT if direct_bonus and e.kind in ("direct", "transcript") else 0.0
            out.append(replace(e, score=W_DENSE * float(c) + W_LEX * cov + bonus, cos=float(c), cov=cov))
        return sorted(out, key=lambda e: -e.score)

    def _supported(self, e: Evidence) -> bool:
        return e.cos >= self.settings.min_relevance or e.cov >= self.settings.min_coverage

    # ---- evidence ------------------------------------------------------------------------
    def _from_statement(self, s: StoredStatement) -> Evidence | None:
        p = self.lib.passages.get(s.passage_id)
        if p is None:
            return None
        a, b = trim_span(p.text, s.start, s.end)
        spans = sentence_spans(p.text)
        lo = max((x for x, _ in spans if x <= s.start), default=0)
        hi = min((y for _, y in spans if y >= s.end), default=len(p.text))
        kind: CitationKind = "transcript" if s.kind == "transcript" else "direct"
        if s.kind == "indirect" or len(p.text[a:b].split()) <= SHORT_QUOTE_WORDS:
            # reported speech, or a quoted fragment ("counter-measures"): the sentence says more,
            # and it is the article's words reporting the speaker, not the speaker's own
            a, b = trim_span(p.text, lo, hi)
            kind = "reported"
        return Evidence(p, a, b, s.speakers, s.role, kind, s.cue, context=p.text[lo:hi])

    def _sentences(self, hits: list[RetrievedPassage]) -> list[Evidence]:
        """Candidate quotes: each sentence of the hits, or the direct quotes inside it."""
        by_passage = self.lib.by_passage
        out = []
        for h in hits:
            p = h.passage
            for a, b in sentence_spans(p.text):
                near = [s for s in by_passage.get(p.passage_id, []) if s.start < b and s.end > a]
                direct = [s for s in near if s.kind in ("direct", "transcript")]
                inside = [s for s in direct if s.start <= a and b <= s.end]
                if inside:  # a sentence within a longer quote (a transcript turn): quote just it
                    a2, b2 = trim_span(p.text, a, b)
                    kind: CitationKind = "transcript" if inside[0].kind == "transcript" else "direct"
                    out.append(Evidence(p, a2, b2, inside[0].speakers, inside[0].role, kind, inside[0].cue))
                    continue
                if direct:
                    out += [e for s in direct if (e := self._from_statement(s))]
                    continue
                speakers = tuple(dict.fromkeys(n for s in near for n in s.speakers))
                role = near[0].role if len(near) == 1 else None
                kind = "reported" if near else ("headline" if p.paragraph == 0 else "text")
                out.append(Evidence(p, a, b, speakers, role, kind))
        return out

    def _turn(self, e: Evidence) -> list[Evidence]:
        """e with the rest of its speaker's turn: the quote it continues and the quote paragraphs
        that continue it (direct quotes with no new reporting verb)."""
        stmts = self.lib.statements
        idx = next(
            (
                i
                for i, s in enumerate(stmts)
                if s.passage_id == e.passage.passage_id
                and trim_span(e.passage.text, s.start, s.end) == (e.start, e.end)
            ),
            None,
        )
        if idx is None or e.kind not in ("direct", "transcript"):
            return [e]

        def same_turn(s: StoredStatement) -> bool:
            return s.kind in ("direct", "transcript") and s.speakers == e.speakers

        lo = idx
        while lo > 0 and stmts[lo].cue is None and same_turn(stmts[lo - 1]):
            lo -= 1
        hi = idx + 1
        while hi < len(stmts) and stmts[hi].cue is None and same_turn(stmts[hi]):
            hi += 1
        return [ev for s in stmts[lo:hi] if (ev := self._from_statement(s))]

    @staticmethod
    def _distinct(evs: list[Evidence]) -> list[Evidence]:
        """The same words reported by two articles are cited once (the first, best-ranked)."""
        seen: set[str] = set()
        out = []
        for e in evs:
            key = norm_quotes(e.quote).lower().strip(" .,")
            if key not in seen:
                seen.add(key)
                out.append(e)
        return out

    def _by_date(self, evs: list[Evidence], newest_first: bool) -> list[Evidence]:
        """Evidence from several dated articles in date order (newest first when asked for the
        latest); a single article keeps its order."""
        dates = [str(self.lib.meta.get(e.passage.passage_id, {}).get("published") or "") for e in evs]
        if len({d for d in dates if d}) < 2:
            return evs
        missing = "" if newest_first else "9999"  # undated evidence last either way
        order = sorted(range(len(evs)), key=lambda i: dates[i] or missing, reverse=newest_first)
        return [evs[i] for i in order]

    # ---- citations and prose -------------------------------------------------------------
    @staticmethod
    def _claim(e: Evidence) -> Claim:
        return Claim(e.passage.passage_id, e.start, e.end, e.quote, e.kind, e.speakers, e.role)

    def _finish(self, call: _Call, evs: list[Evidence], head: str, with_speaker: bool = True) -> Answer:
        """Verify the chosen evidence against the store (verify.cite numbers what holds) and write
        the answer, one line per citation by its kind; abstain if nothing survives."""
        question, hits, timings = call.question, call.hits, call.timings
        evs = self._by_date(self._distinct(evs), newest_first=bool(_LATEST.search(call.intent.text)))
        t0 = time.perf_counter()
        checked = cite([self._claim(e) for e in evs], self.fetch)
        timings["verify"] = (time.perf_counter() - t0) * 1000
        if checked.withheld:
            timings["citations_withheld"] = float(checked.withheld)
        cites = checked.citations
        if not cites:
            return self._abstain(question, CANNOT_ANSWER, hits, timings)
        lines = ["- " + citation_line(c, with_speaker) for c in cites]
        # the answer carries the store's copies of the cited passages (the invariant holds on them)
        stored = {pid: p.as_passage() for pid, p in checked.passages.items()}
        shown = [RetrievedPassage(stored.get(h.passage.passage_id, h.passage), h.score) for h in hits]
        have = {h.passage.passage_id for h in hits}
        shown += [RetrievedPassage(stored[c.passage_id], 0.0) for c in cites if c.passage_id not in have]
        shown = list({r.passage.passage_id: r for r in shown}.values())
        return Answer(
            question,
            (head + "\n" if head else "") + "\n".join(lines),
            False,
            tuple(cites),
            tuple(shown),
            timings,
        )

    def _abstain(
        self, question: str, why: str, hits: list[RetrievedPassage], timings: dict[str, float]
    ) -> Answer:
        titles = sorted({str(m.get("title", "")) for m in self.lib.meta.values()})
        cover = ""
        if titles:
            few = "; ".join(f"“{t}”" for t in titles[:3])
            more = f" and {len(titles) - 3} more" if len(titles) > 3 else ""
            cover = f" The library holds {len(titles)} article(s): {few}{more}."
        return Answer(question, why + cover, True, (), tuple(hits), timings)

    def _affiliated(self, org: str) -> set[str]:
        """Speakers who speak for `org`: their role names it ("Kremlin Press Secretary"), or an
        article introduces them with it ("Kremlin representative Dmitry Peskov")."""
        word = re.compile(rf"\b{re.escape(org)}\b")
        out = {n for s in self.lib.statements if s.role and word.search(s.role) for n in s.speakers}
        texts = [p.text for p in self.lib.passages.values() if org in p.text]
        for name in {n for s in self.lib.statements for n in s.speakers} - out:
            near = re.compile(rf"\b{re.escape(org)}(?:\s+[\w’'-]+){{0,3}}\s+{re.escape(name)}\b")
            if any(name in t and near.search(t) for t in texts):
                out.add(name)
        return out

    def _route_organisation(self, call: _Call, names: list[str]) -> Answer | None:
        """ "What did the Kremlin say about Finland?": the statements of the people who speak for
        the organisation, ranked by the rest of the question. None when the organisation is not
        who the question asks about, or nobody speaks for it."""
        org, q = names[0], call.intent.text
        subject = rf"(?:the\s+)?{re.escape(org)}"
        if not re.search(
            rf"\b(?:did|does|do|has|have|had|is|was|were|are|will|would)\s+{subject}\s+(?:{SAY})\b"
            rf"|\b{subject}(?:’s|'s)\s+(?:{SAY})\b|\baccording\s+to\s+{subject}\b",
            q,
            re.I,
        ):
            return None
        if _CHANGE.search(q):
            return None  # how a position changed is told by the articles' reporting, by date
        people = self._affiliated(org)
        others = [n.split()[-1].lower()[:6] for n in names[1:]]
        evs = [
            e
            for s in call.statements
            if people & set(s.speakers)
            if (e := self._from_statement(s))
            and all(w in self.lib.doc_text.get(e.passage.doc_id, "") for w in others)
        ]
        topic = _topic_of(re.sub(rf"\b{subject}(?:’s|'s)?\b", " ", q, flags=re.I))
        ranked = self._score(topic, np.asarray(self.lib.store.embeddings.embed_query(topic)), evs)
        if not ranked or not self._supported(ranked[0]):
            return None
        the = "the " if re.search(rf"\bthe\s+{re.escape(org)}\b", q, re.I) else ""
        chosen: list[Evidence] = []
        for e in [e for e in ranked if e.score >= 0.8 * ranked[0].score][: self.settings.max_quotes]:
            chosen += [t for t in self._turn(e) if t not in chosen]
        chosen.sort(key=lambda e: (self._date(e), e.passage.doc_id, e.passage.start + e.start))
        return self._finish(call, chosen, f"Speaking for {the}{org}:")

    def _over_time(self, ranked: list[Evidence], most: int = 4) -> list[Evidence]:
        """For "how has … changed": the best supported statement from each article (each date),
        oldest first, so the answer reads as a timeline."""
        per_doc: dict[str, Evidence] = {}
        cut = 0.75 * ranked[0].score if ranked else 0.0  # weaker matches are other topics
        for e in ranked:
            if self._supported(e) and e.score >= cut:
                per_doc.setdefault(e.passage.doc_id, e)
        picks = list(per_doc.values())[:most]
        return sorted(picks, key=lambda e: (self._date(e) or "9999", e.passage.start + e.start))

    # ---- routes --------------------------------------------------------------------------
    def _date(self, e: Evidence) -> str:
        return str(self.lib.meta.get(e.passage.passage_id, {}).get("published") or "")

    def _doc_of(self, s: StoredStatement) -> str:
        p = self.lib.passages.get(s.passage_id)
        return p.doc_id if p else ""

    def _unknown_names(self, q: str) -> list[str]:
        """Names in the question the library never mentions: a group counts as unknown when its
        last word ("Biden" in "President Biden") or every word is unknown."""
        out = []
        for g in names_in(q):
            toks = g.split()
            if not self.lib.bm25.knows(toks[-1]) or not any(self.lib.bm25.knows(t) for t in toks):
                out.append(g)
        return out

    def answer(
        self,
        question: str,
        history: list[dict[str, str]] | None = None,
        k: int | None = None,
        scope: Scope | None = None,
    ) -> Answer:
        """Answer from the library (or the part of it `scope` allows)."""
        t_start = time.perf_counter()  # the refresh counts in the answer's time
        with self.lib.one_view():
            return self._answer(question, history, k, scope, t_start)

    def _answer(
        self,
        question: str,
        history: list[dict[str, str]] | None,
        k: int | None,
        scope: Scope | None,
        t_start: float,
    ) -> Answer:
        question = _printable(question).strip()
        if not question:
            raise ValueError("the question is empty; ask something about the articles")
        if len(question) > MAX_QUESTION_CHARS:
            raise ValueError(
                f"the question has {len(question)} characters; keep it under {MAX_QUESTION_CHARS}"
            )
        history = [
            {"role": str(t.get("role", "")), "content": _printable(t["content"][:MAX_QUESTION_CHARS])}
            for t in (history or [])[-20:]
            if isinstance(t, dict) and isinstance(t.get("content"), str)
        ]
        intent = read_question(question, history or [], self.lib.find_speakers)
        dated = time_scope(intent.text, scope)
        if dated is not scope and self.lib.documents(dated):  # only when some article is in range
            scope = dated
        docs = self.lib.documents(scope)
        stmts = [s for s in self.lib.statements if docs is None or self._doc_of(s) in docs]
        if scope and scope.speaker:
            who = (self.lib.find_speakers(scope.speaker) or [scope.speaker])[0]
            stmts = [s for s in stmts if who in s.speakers]
            if intent.kind in ("general", "perspectives", "who_said"):
                intent = replace(intent, kind="speaker", speaker=who, topic=intent.text)
        timings: dict[str, float] = {"parse": (time.perf_counter() - t_start) * 1000}
        if not self.lib.passages:
            return self._abstain(question, "The library is empty: ingest some articles first.", [], timings)
        if unknown := self._unknown_names(intent.text):
            return self._abstain(question, f"The articles don't mention {' or '.join(unknown)}.", [], timings)
        t0 = time.perf_counter()
        qvec = np.asarray(self.lib.store.embeddings.embed_query(intent.text))
        hits = self.lib.search(intent.text, k or self.settings.k, vector=qvec.tolist(), docs=docs)
        timings["retrieve"] = (time.perf_counter() - t0) * 1000
        t0 = time.perf_counter()
        route = getattr(self, f"_route_{intent.kind}")
        out: Answer = route(_Call(question, intent, qvec, hits, stmts, docs, timings))
        timings["compose"] = (time.perf_counter() - t0) * 1000 - timings.get("verify", 0.0)
        timings["total"] = (time.perf_counter() - t_start) * 1000
        return out

    def _route_general(self, call: _Call) -> Answer:
        # "What did Trump say?" when the library names Trump but quotes nothing of his: say so
        # rather than quote someone else.
        people = {n for p in self.lib.people for n in (p, p.split()[-1])}
        in_q = names_in(call.intent.text)
        unquoted = [
            n for n in in_q if (n in people or n.split()[-1] in people) and not self.lib.find_speakers(n)
        ]
        names = [n for n in in_q if n not in people and n.split()[-1] not in people]  # not people
        says = bool(SAY_RE.search(call.intent.text))  # the question asks what someone said
        if unquoted and says:
            who = " or ".join(unquoted)
            return self._abstain(
                call.question,
                f"The articles mention {who} but quote nothing {who} said.",
                call.hits,
                call.timings,
            )
        if names and says:
            if org := self._route_organisation(call, names):
                return org
        # Evidence must come from an article naming what the question names ("… in Poland?"):
        # a sentence about troops elsewhere does not answer it.
        wanted = [n.split()[-1].lower()[:6] for n in names_in(call.intent.text)]
        on_topic = [
            h for h in call.hits if all(w in self.lib.doc_text.get(h.passage.doc_id, "") for w in wanted)
        ]
        # direct quotes are preferred only when the question asks what someone said
        if _CHANGE.search(call.intent.text):  # "How has the US position on strikes changed?"
            topic = _topic_of(call.intent.text)
            tvec = np.asarray(self.lib.store.embeddings.embed_query(topic))
            ranked = self._score(topic, tvec, self._sentences(on_topic), direct_bonus=says)
            if ranked and self._supported(ranked[0]):
                return self._finish(call, self._over_time(ranked), "By date:")
        ranked = self._score(call.intent.text, call.qvec, self._sentences(on_topic), direct_bonus=says)
        if not ranked or not self._supported(ranked[0]):
            return self._abstain(call.question, CANNOT_ANSWER, call.hits, call.timings)
        top = ranked[0].score
        chosen = [e for e in ranked if e.score >= 0.85 * top and self._supported(e)][
            : self.settings.max_quotes
        ]
        if any(e.kind == "headline" for e in chosen):
            # a headline is cited only when no body sentence says it: each headline gives way
            # to its article's best supported body sentence, when there is one
            out: list[Evidence] = []
            for e in chosen:
                body = e
                if e.kind == "headline":
                    body = next(
                        (
                            b
                            for b in ranked
                            if b.kind != "headline"
                            and b.passage.doc_id == e.passage.doc_id
                            and self._supported(b)
                        ),
                        e,
                    )
                if body not in out:
                    out.append(body)
            chosen = out
        if _LATEST.search(call.intent.text):  # the newest supported evidence leads
            dated = [e for e in ranked[:10] if self._supported(e) and self._date(e)]
            if dated:
                newest = max(dated, key=self._date)
                chosen = [newest, *(e for e in chosen if e is not newest)][: self.settings.max_quotes]
        return self._finish(call, chosen, "")

    def _route_speaker(self, call: _Call) -> Answer:
        who = call.intent.speaker or ""
        evs = [e for s in call.statements if who in s.speakers if (e := self._from_statement(s))]
        # "What do the experts think?" filtered to one speaker asks for everything they said
        topic = re.sub(rf"\b(?:{_GROUPS})\b", " ", _topic_of(call.intent.topic), flags=re.I)
        topic_terms = terms(topic)
        if topic_terms:
            tvec = np.asarray(self.lib.store.embeddings.embed_query(topic))
            ranked = self._score(topic, tvec, evs)
            if ranked and ranked[0].cov == 0 and ranked[0].cos < 0.1:
                return self._abstain(
                    call.question,
                    f"{who} is quoted in the articles, but not on that.",
                    call.hits,
                    call.timings,
                )
        else:
            ranked = evs
        if topic_terms and ranked and _CHANGE.search(call.intent.text):
            role = next((e.role for e in evs if e.role and len(e.speakers) == 1), None)
            head = f"{who}" + (f" ({role})" if role else "") + ", by date:"
            return self._finish(call, self._over_time(ranked), head, with_speaker=False)
        chosen: list[Evidence] = []
        cut = 0.8 * ranked[0].score if topic_terms and ranked else float("-inf")
        for e in [e for e in ranked if e.score >= cut][: self.settings.max_quotes]:
            if all((c.passage.passage_id, c.start) != (e.passage.passage_id, e.start) for c in chosen):
                chosen += [t for t in self._turn(e) if t not in chosen]
        chosen.sort(key=lambda e: (e.passage.doc_id, e.passage.start + e.start))  # reading order
        role = next((e.role for e in evs if e.role and len(e.speakers) == 1), None)
        head = f"{who}" + (f" ({role})" if role else "") + " said:"
        return self._finish(call, chosen, head, with_speaker=False)

    def _route_who_said(self, call: _Call) -> Answer:
        evs = [e for s in call.statements if (e := self._from_statement(s))]
        ranked = self._score(
            call.intent.topic, np.asarray(self.lib.store.embeddings.embed_query(call.intent.topic)), evs
        )
        if not ranked or ranked[0].cos < self.settings.min_relevance or ranked[0].cov == 0:
            return self._abstain(call.question, CANNOT_ANSWER, call.hits, call.timings)
        best = ranked[0]
        head = " and ".join(best.speakers) + (f" ({best.role})" if best.role else "") + " said it:"
        return self._finish(call, self._turn(best), head, with_speaker=False)

    def _route_who_is(self, call: _Call) -> Answer:
        known = self.lib.find_speakers(call.intent.speaker or "")
        sp = next((s for s in self.lib.speakers() if known and s.name == known[0]), None)
        if sp and sp.role:
            # cite "Name, role" (or "Surname, role") exactly as it stands in an article
            who = rf"(?:{re.escape(sp.name)}|{re.escape(sp.name.split()[-1])})"
            pattern = re.compile(rf"\b{who},\s+{re.escape(sp.role)}|\b{re.escape(sp.role)}\s+{who}\b")
            for p in self.lib.passages.values():
                if call.docs is not None and p.doc_id not in call.docs:
                    continue
                if m := pattern.search(p.text):
                    e = Evidence(p, m.start(), m.end(), (sp.name,), sp.role)
                    head = f"{sp.name} is {sp.role}:"
                    return self._finish(call, [e], head, with_speaker=False)
        name = known[0] if known else (call.intent.speaker or "")
        if described := self._described(call, name):
            return self._finish(call, described, "")
        return self._route_general(call)

    def _described(self, call: _Call, name: str) -> list[Evidence]:
        """Sentences that describe a person: "Evan Gershkovich, a US citizen employed at …" or
        "US journalist for The Wall Street Journal (WSJ) Evan Gershkovich", best first."""
        parts = name.split()
        if not parts or not self.lib.bm25.knows(parts[-1]):
            return []
        who = rf"(?:{re.escape(name)}|{re.escape(parts[-1])})"
        apposition = re.compile(rf"\b{who},\s+(?:a|an|the|who)\b[^.;:,]*")
        # the run of words just before the name: "White House National Security Council spokesperson"
        before = re.compile(rf"(?:[^\W\d_][\w’'.-]*\s+){{1,8}}(?:\(\w+\)\s+)?{who}\b")
        evs, named = [], {}
        for p in self.lib.passages.values():
            if (call.docs is not None and p.doc_id not in call.docs) or parts[-1] not in p.text:
                continue
            for a, b in sentence_spans(p.text):
                sent = p.text[a:b]
                if m := apposition.search(sent) or before.search(sent):
                    x, y = trim_span(p.text, a, b)
                    evs.append(Evidence(p, x, y, context=sent))
                    # how much the description names: "White House National Security Council
                    # spokesperson" says more than "national security spokesperson"
                    desc = re.sub(who, " ", m.group(0))
                    named[(p.passage_id, x)] = sum(w[:1].isupper() for w in desc.split())
        ranked = self._score(call.intent.text, call.qvec, evs, direct_bonus=False)
        ranked.sort(key=lambda e: -named[(e.passage.passage_id, e.start)])  # stable: score breaks ties
        return [e for e in ranked[:1] if self._supported(e)]

    def _route_published(self, call: _Call) -> Answer:
        if not call.hits:
            return self._abstain(call.question, CANNOT_ANSWER, call.hits, call.timings)
        doc_id = call.hits[0].passage.doc_id
        head_p = min((p for p in self.lib.passages.values() if p.doc_id == doc_id), key=lambda p: p.start)
        meta: dict[str, Any] = self.lib.meta.get(head_p.passage_id, {})
        when = human_date(meta.get("published"))
        title = meta.get("title", "")
        if not when:
            return self._abstain(
                call.question, f"The article “{title}” carries no publication date.", call.hits, call.timings
            )
        outlet = f" ({meta['source']})" if meta.get("source") else ""
        head = f"The article was published on {when}{outlet}. Its headline:"
        return self._finish(call, [Evidence(head_p, 0, len(head_p.text), kind="headline")], head)

    def _route_perspectives(self, call: _Call) -> Answer:
        """Each speaker's most relevant statement, side by side, so disagreement is visible."""
        if call.intent.speakers:  # "Do Putin and Stoltenberg see it the same way?": only them, any article
            wanted = set(call.intent.speakers)
            evs = [e for s in call.statements if wanted & set(s.speakers) if (e := self._from_statement(s))]
        else:
            docs = list(dict.fromkeys(h.passage.doc_id for h in call.hits[:3]))
            evs = [e for s in call.statements if (e := self._from_statement(s)) and e.passage.doc_id in docs]
        if re.search(r"\b(?:experts?|analysts?|specialists|scholars|observers)\b", call.intent.text, re.I):
            evs = [e for e in evs if e.role] or evs  # experts are the people introduced with a role
        ranked = self._score(call.intent.topic or call.intent.text, call.qvec, evs)
        best: dict[tuple[str, ...], Evidence] = {}
        for e in ranked:
            best.setdefault(e.speakers, e)
        chosen: list[Evidence] = []
        for e in list(best.values())[:4]:
            chosen += [t for t in self._turn(e) if t not in chosen]
        if len(best) < 2:
            return self._route_general(call)
        people = {n for e in chosen for n in e.speakers}
        head = f"The articles quote {len(people)} people on this:"
        return self._finish(call, chosen, head)
