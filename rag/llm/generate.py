"""Generative answers: a chat model writes a short answer around numbered sources, and code
checks every quote it wrote before anyone sees it.

Scope: the Generator — the extractive Composer's answer first (its retrieval and abstention: no
model call when nothing supports an answer), its passages as numbered sources, JSON-schema output
where the server supports it and plain text where it doesn't, streaming in which a quote appears
only once it is closed and verified, timeouts and the extractive fallback, and every quote held
to the store's copy of its passage (rag/llm/check.py, verify.cite).
Non-goals: retrieval and abstention (the Composer decides both), presentation.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

from rag.config import Settings
from rag.llm.check import verify_generated, visible_prefix
from rag.llm.client import LLMError, is_bad_request, make_chat_model
from rag.llm.injection import hijacked
from rag.llm.prompt import TEXT_FORMAT, messages, render_structured, schema
from rag.llm.sources import Source, SourceStatement
from rag.types import Answer, Scope
from rag.verify import Fetch, StoredPassage

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from rag.compose import Composer

HIJACKED = (
    "(The model's answer followed an instruction written in an article's text, so it was discarded. "
    "Showing the verified quotes instead.)"
)


def _memo(fetch: Fetch) -> Fetch:
    """One store read per passage for a whole generation (the check runs on every streamed piece)."""
    seen: dict[str, StoredPassage | None] = {}

    def once(ids: Any) -> dict[str, StoredPassage]:
        todo = [i for i in ids if i not in seen]
        if todo:
            got = fetch(todo)
            seen.update({i: got.get(i) for i in todo})
        return {i: p for i in ids if (p := seen.get(i)) is not None}

    return once


@dataclass
class _Run:
    text: str = ""
    usage_tokens: float = 0.0  # the server's count, sent at the end of a stream
    chunks: float = 0.0  # streamed pieces: about one token each, the count when usage never came
    prompt_tokens: float = 0.0
    first_ms: float = 0.0
    truncated: bool = False


class Generator:
    """Generated answers over the extractive Composer's retrieval, every quote verified."""

    def __init__(self, composer: Composer, settings: Settings, llm: BaseChatModel | None = None):
        self.composer = composer
        self.settings = settings
        self._llm = llm

    @cached_property
    def llm(self) -> BaseChatModel:
        return self._llm if self._llm is not None else make_chat_model(self.settings)

    def sources(self, ext: Answer) -> list[Source]:
        """The extractive answer's cited passages first, then the other retrieved ones by score."""
        cited = list(dict.fromkeys(c.passage_id for c in ext.citations))
        ranked = sorted(ext.passages, key=lambda r: (r.passage.passage_id not in cited, -r.score))
        lib = self.composer.lib.current()  # the view the extractive answer was built on
        out: list[Source] = []
        for r in ranked[: self.settings.llm_max_sources]:
            p = r.passage
            m = lib.meta.get(p.passage_id, {})
            stmts = tuple(
                SourceStatement(s.start, s.end, s.speakers, s.role, s.kind)
                for s in lib.by_passage.get(p.passage_id, [])
            )
            out.append(
                Source(
                    len(out) + 1,
                    p,
                    str(m.get("title") or ""),
                    m.get("published"),
                    m.get("source"),
                    m.get("url"),
                    m.get("licence"),
                    stmts,
                )
            )
        return out

    def _chunks(self, msgs: list[tuple[str, str]], sources: list[Source], structured: bool) -> Iterator[Any]:
        model: Any = self.llm
        if structured:
            fmt = {"type": "json_schema", "json_schema": {"name": "answer", "schema": schema(sources)}}
            if self.settings.llm_provider == "ollama":
                model = model.bind(format=schema(sources))
            else:
                model = model.bind(response_format=fmt)
        yield from model.stream(msgs)

    def _generate(
        self, msgs: list[tuple[str, str]], sources: list[Source], run: _Run, t0: float
    ) -> Iterator[str]:
        """Stream raw text (structured replies rendered as text) into run; yields it as it grows."""
        from langchain_core.utils.json import parse_partial_json

        structured = self.settings.llm_structured
        raw = ""
        for attempt in (1, 2):
            try:
                for chunk in self._chunks(msgs, sources, structured):
                    if not run.first_ms:
                        run.first_ms = (time.perf_counter() - t0) * 1000
                    piece = chunk.content if isinstance(chunk.content, str) else ""
                    raw += piece
                    run.chunks += 1.0 if piece else 0.0
                    if chunk.usage_metadata:
                        run.usage_tokens = float(chunk.usage_metadata.get("output_tokens") or 0)
                        run.prompt_tokens = float(chunk.usage_metadata.get("input_tokens") or 0)
                    shown = raw
                    if structured and raw.lstrip()[:1] in ("{", ""):
                        try:
                            shown = (
                                render_structured(parse_partial_json(raw), partial=True)
                                if raw.strip()
                                else ""
                            )
                        except (ValueError, json.JSONDecodeError):
                            shown = ""
                    if piece:
                        yield shown
                    if time.perf_counter() - t0 > self.settings.llm_timeout:
                        run.truncated = True
                        break
                run.text = _complete(raw) if structured else raw
                return
            except Exception as exc:  # provider errors have many types; all mean "no answer"
                if structured and attempt == 1 and not raw and is_bad_request(exc):
                    structured = False  # the server rejects JSON schemas: ask for plain text
                    msgs = [*msgs[:-1], ("user", msgs[-1][1].rsplit("\n", 1)[0] + "\n" + TEXT_FORMAT)]
                    continue
                if raw:  # a stream cut mid-way: keep what can be verified
                    run.truncated = True
                    run.text = _complete(raw) if structured else raw
                    return
                raise LLMError(f"{type(exc).__name__}: {str(exc)[:200]}") from exc

    def stream(
        self,
        question: str,
        history: list[dict[str, str]] | None = None,
        k: int | None = None,
        scope: Scope | None = None,
    ) -> Iterator[str | Answer]:
        """Cumulative verified text while the model writes, then the final Answer."""
        ext = self.composer.answer(question, history, k, scope)
        if ext.abstained:  # nothing supports an answer: no model call (the no-answer sentinel)
            yield ext.answer
            yield replace(ext, timings_ms={**ext.timings_ms, "llm_skipped": 1.0})
            return
        sources = self.sources(ext)
        fetch = _memo(self.composer.fetch)  # the store's copies, read once for this answer
        msgs = messages(question, history or [], sources, self.settings.llm_structured)
        run, t0 = _Run(), time.perf_counter()
        shown, hijack = "", False
        try:
            for text in self._generate(msgs, sources, run, t0):
                now, cites, seen = verify_generated(visible_prefix(text), sources, fetch)
                if hijacked(now, cites, sources):  # stop before it is shown, and stop the model
                    hijack = True
                    break
                if now and now != shown:
                    shown = now
                    yield shown
        except LLMError as exc:
            url = self.settings.llm_base_url
            note = f"(The LLM at {url} did not answer — {exc}. Showing the verified quotes instead.)"
            fb = self._fallback(ext, note, {"llm_error": 1.0, "llm_ms": _ms(t0)})
            yield fb.answer
            yield fb
            return
        if hijack:
            diag = seen | {"llm_ms": _ms(t0), "injection_suspected": 1.0, "llm_stopped": 1.0}
            fb = self._fallback(ext, HIJACKED, diag)
            yield fb.answer
            yield fb
            return
        final = self._final(ext, sources, run, t0, fetch)
        yield final.answer
        yield final

    def _final(self, ext: Answer, sources: list[Source], run: _Run, t0: float, fetch: Fetch) -> Answer:
        llm_ms = _ms(t0)
        clean, cites, diag = verify_generated(run.text, sources, fetch)
        gen_s = max(llm_ms - run.first_ms, 1.0) / 1000
        tokens = run.usage_tokens or run.chunks
        diag |= {
            "llm_ms": llm_ms,
            "llm_first_token_ms": run.first_ms,
            "llm_tokens": tokens,
            "llm_prompt_tokens": run.prompt_tokens,
            "llm_tokens_per_s": tokens / gen_s if tokens else 0.0,
            "llm_truncated": float(run.truncated),
            "llm_sources": float(len(sources)),
        }
        if hijacked(clean, cites, sources):
            return self._fallback(ext, HIJACKED, diag | {"injection_suspected": 1.0})
        if not cites:
            note = "(The model's answer had no quote that could be verified; showing the verified quotes.)"
            return self._fallback(ext, note, diag)
        notes = []
        if k := int(diag["quotes_removed"] + diag["quotes_refused"]):
            notes.append(
                f"{k} quote{'s' if k > 1 else ''} the model wrote could not be found in the sources "
                f"(or would have changed what they say) and {'were' if k > 1 else 'was'} removed."
            )
        if k := int(diag["sentences_unsupported_removed"]):
            notes.append(
                f"{k} sentence{'s' if k > 1 else ''} citing a source that does not say it "
                f"{'were' if k > 1 else 'was'} removed."
            )
        if notes:
            clean += "\n\n(" + " ".join(notes) + ")"
        stored = fetch([c.passage_id for c in cites])  # the answer carries the store's copies
        passages = tuple(
            replace(r, passage=stored[r.passage.passage_id].as_passage())
            if r.passage.passage_id in stored
            else r
            for r in ext.passages
        )
        return Answer(ext.question, clean, False, tuple(cites), passages, {**ext.timings_ms, **diag})

    @staticmethod
    def _fallback(ext: Answer, note: str, diag: dict[str, float]) -> Answer:
        return replace(
            ext, answer=f"{note}\n{ext.answer}", timings_ms={**ext.timings_ms, **diag, "fallback": 1.0}
        )

    def answer(
        self,
        question: str,
        history: list[dict[str, str]] | None = None,
        k: int | None = None,
        scope: Scope | None = None,
    ) -> Answer:
        *_, last = self.stream(question, history, k, scope)
        assert isinstance(last, Answer)
        return last


def _ms(t0: float) -> float:
    return (time.perf_counter() - t0) * 1000


def _complete(raw: str) -> str:
    """A whole structured reply as text; a cut-short one keeps only its complete quotes."""
    from langchain_core.utils.json import parse_partial_json

    if not raw.lstrip().startswith("{"):
        return raw  # a server that ignored the schema answered in plain text
    try:
        return render_structured(json.loads(raw))
    except json.JSONDecodeError:
        try:
            return render_structured(parse_partial_json(raw), partial=True)
        except (ValueError, json.JSONDecodeError):
            return ""
