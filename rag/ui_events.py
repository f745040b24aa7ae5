"""The chat app's event handlers: a question (streamed into the chat, or through the `/ask`
API), a citation picked, a like, an export, the library's add / delete and its tables.

Scope: what each Gradio event does with the pipeline, and the clear error (gr.Error) a bad
input gets — the chat never drifts: a failed answer leaves it as it was, the question back in
the box. Non-goals: layout and wiring (ui.py), rendering (ui_render.py), library logic
(ui_library.py).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # before Gradio reads it: nothing phones home
import gradio as gr  # noqa: E402

from rag.config import Settings
from rag.feedback import export_markdown, record_feedback
from rag.fetch import load_url
from rag.pipeline import Pipeline
from rag.types import Answer
from rag.ui_library import (
    delete_article,
    ingest_files,
    ingest_one,
    library_rows,
    md_escape,
    pasted_document,
    results_markdown,
    speaker_rows,
)
from rag.ui_render import (
    NO_SOURCE,
    answer_from_json,
    citation_choices,
    make_scope,
    render_answer,
    render_sources,
)


class Handlers:
    """The handlers of one app: the pipeline and settings they answer with."""

    def __init__(self, settings: Settings, pipe: Pipeline):
        self.settings = settings
        self.pipe = pipe
        self.max_bytes = int(settings.max_file_mb * 1_000_000)

    def ask_api(
        self,
        question: str,
        history: str = "[]",
        article: str = "",
        outlet: str = "",
        since: str = "",
        until: str = "",
        speaker: str = "",
    ) -> dict[str, Any]:
        """Answer a question. `history`: JSON list of {"role", "content"} turns; the other fields
        (empty = no filter) restrict the evidence: article title words or doc_id, outlet, dates
        (YYYY-MM-DD, inclusive) and speaker."""
        try:
            hist = json.loads(history) if history and history.strip() else []
        except json.JSONDecodeError as exc:
            raise gr.Error(f"history is not valid JSON: {exc}") from exc
        if not isinstance(hist, list) or not all(isinstance(t, dict) for t in hist):
            raise gr.Error("history must be a JSON list of {role, content} turns")
        try:
            return self.pipe.ask(
                question, hist, scope=make_scope(article, since, until, speaker, outlet)
            ).to_json()
        except (ValueError, RuntimeError) as exc:  # bad input, or the store/LLM in trouble
            raise gr.Error(str(exc)) from exc

    def respond(
        self,
        message: str,
        chat: list[dict[str, Any]],
        turns: list[dict[str, Any]],
        mode: str,
        article: str | None,
        since: str,
        until: str,
        speaker: str | None,
    ) -> Iterator[tuple[Any, ...]]:
        if not message or not message.strip():
            raise gr.Error("Type a question about the articles first.")
        hist: list[dict[str, str]] = []
        for t in turns:
            hist += [
                {"role": "user", "content": t["question"]},
                {"role": "assistant", "content": t["answer"]["answer"]},
            ]
        try:
            scope = make_scope(article or "", since, until, speaker or "")
        except ValueError as exc:
            raise gr.Error(str(exc)) from exc
        before = chat
        chat = chat + [{"role": "user", "content": md_escape(message)}, {"role": "assistant", "content": "…"}]
        skip = gr.skip()
        yield chat, skip, skip, skip, skip, ""
        try:
            for item in self.pipe.stream(message, hist, None, scope, mode or "quotes"):
                if isinstance(item, Answer):
                    chat[-1] = {"role": "assistant", "content": render_answer(item)}
                    turns = turns + [{"question": message, "answer": item.to_json()}]
                    passages = "\n\n".join(
                        f"**¶ {r.passage.paragraph}** ({r.score:.3f}) {md_escape(r.passage.text)}"
                        for r in item.passages
                    )
                    cites = gr.update(
                        choices=citation_choices(item), value=None, visible=bool(item.citations)
                    )
                    yield chat, turns, render_sources(item), cites, passages, ""
                else:
                    chat[-1] = {"role": "assistant", "content": md_escape(item)}
                    yield chat, skip, skip, skip, skip, ""
        except Exception as exc:  # noqa: BLE001 - whatever failed, the chat must not drift
            # Nothing half-done stays: the chat is as it was and the question is back in the box.
            yield before, skip, skip, skip, skip, message
            why = str(exc) if isinstance(exc, (ValueError, RuntimeError, OSError)) else repr(exc)
            raise gr.Error(why) from exc

    def show_citation(self, n: int | None, turns: list[dict[str, Any]]) -> str:
        if not turns:
            return NO_SOURCE
        return render_sources(answer_from_json(turns[-1]["answer"]), n)

    def on_like(self, turns: list[dict[str, Any]], data: gr.LikeData) -> None:
        idx = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        turn = int(idx) // 2  # every turn is one user and one assistant message
        if 0 <= turn < len(turns):
            try:
                record_feedback(self.settings.data_dir, turns[turn], data.liked)
            except (ValueError, OSError) as exc:  # a data folder that leads elsewhere, or full
                raise gr.Error(f"Feedback not saved: {exc}") from exc
            gr.Info("Thanks: your feedback was saved.")

    def export(self, turns: list[dict[str, Any]]) -> Any:
        if not turns:
            raise gr.Error("Nothing to export yet: ask a question first.")
        try:
            path = export_markdown(self.settings.data_dir, turns)
        except (ValueError, OSError) as exc:
            raise gr.Error(f"Not exported: {exc}") from exc
        return gr.update(value=str(path), visible=True)

    def tables(self) -> tuple[Any, ...]:
        rows = library_rows(self.pipe.library)
        articles = sorted({r[0] for r in rows})
        speakers = speaker_rows(self.pipe.library)
        return (
            rows,
            speakers,
            gr.update(choices=[(f"{r[0]} ({r[2] or 'no date'})", r[5]) for r in rows], value=None),
            gr.update(choices=[""] + articles),
            gr.update(choices=[""] + [s[0] for s in speakers]),
        )

    def add_files(self, files: list[str] | None, progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008
        if not files:
            raise gr.Error("Choose one or more files first (.txt, .md, .html, .pdf).")
        progress(0, desc="Reading files")
        results = ingest_files(
            self.pipe,
            [Path(f) for f in files],
            self.max_bytes,
            lambda i, n, d: progress((i, max(n, 1)), desc=d),
        )
        return (results_markdown(results), None, *self.tables())

    def add_text(self, title: str, text: str) -> tuple[Any, ...]:
        r = ingest_one(self.pipe, lambda: pasted_document(title, text), "pasted text")
        return (results_markdown([r]), *self.tables())

    def add_url(self, url: str, progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008
        progress(0, desc=f"Fetching {url}")
        r = ingest_one(self.pipe, lambda: load_url(url, settings=self.settings), url)
        return (results_markdown([r]), *self.tables())

    def delete(self, doc_id: str | None) -> tuple[Any, ...]:
        if not doc_id:
            raise gr.Error("Pick an article to delete (click its row in the table).")
        try:
            msg = delete_article(self.pipe, doc_id)
        except ValueError as exc:
            raise gr.Error(str(exc)) from exc
        return (msg, *self.tables())

    def pick_article(self, evt: gr.SelectData) -> Any:
        row = evt.row_value or []
        return gr.update(value=row[5]) if len(row) > 5 else gr.skip()

    def pick_speaker(self, evt: gr.SelectData) -> tuple[Any, ...]:
        row = evt.row_value or []
        if not row:
            return gr.skip(), gr.skip()
        return f"What did {row[0]} say?", gr.Tabs(selected="chat")
