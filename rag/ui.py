"""The Gradio front end: a streaming chat with numbered citations and a sources panel, the
Library (upload, paste, URL, delete) and Speakers tabs, feedback, Markdown export, the `/ask` API.

Scope: layout, events, rendering an Answer (Markdown for the chat, escaped HTML for the sources
panel) and the `/ask` endpoint returning the Answer JSON of DESIGN §3. Non-goals: answering
(pipeline.py), library logic (ui_library.py), feedback files (feedback.py), fetching (fetch.py).
Building the Blocks loads no model; the pipeline warms up in the background at launch.
Everything from an article or a user is escaped before it reaches the page: shown, never run.
"""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # before Gradio reads it: nothing phones home
import gradio as gr  # noqa: E402

from rag.answer.render import human_date, whose_words
from rag.config import Settings
from rag.feedback import data_path, export_markdown, record_feedback
from rag.fetch import load_url
from rag.pipeline import Pipeline
from rag.types import Answer, Citation, Scope
from rag.ui_library import (
    LIBRARY_COLUMNS,
    SPEAKER_COLUMNS,
    delete_article,
    ingest_files,
    ingest_one,
    library_rows,
    md_escape,
    pasted_document,
    results_markdown,
    speaker_rows,
    suggested_questions,
)

INTRO = (
    "## Sourced answers from the news\n"
    "Ask about the articles in the library. Every answer is made of **verbatim quotes**, each "
    "checked word for word against its article and cited with speaker, article, date and "
    "paragraph. Click a citation to see it highlighted in its paragraph. When the articles don't "
    "say, the bot says so."
)
NO_SOURCE = "<p class='muted'>Cited paragraphs appear here: click a citation [n] under the chat.</p>"
_md_escape = md_escape  # the name older callers use


def render_answer(a: Answer) -> str:
    """The chat bubble: the answer prose, then one line per verified citation (an unverified one
    is never shown; "✓ verified" comes from the citation's flag). A quotation names its speaker;
    the article's own words (reported speech, narration, a headline) name the outlet and date.
    An abstention is a differently styled note, not an answer."""
    body = md_escape(a.answer).replace("\n", "  \n")
    if a.abstained:
        return f"<div class='abstained'>\n\nℹ️ <em>No answer in the library.</em> {body}\n\n</div>"
    lines = [body, ""]
    for c in a.citations:
        if not c.verified:
            continue
        who = whose_words(c)
        where = " · ".join(
            x
            for x in (
                c.source if c.is_quotation else None,
                human_date(c.published) if c.is_quotation else None,
                f"¶ {c.paragraph}",
                c.licence,
            )
            if x
        )
        lines.append(
            f"<sub>\\[{c.n}\\] {md_escape(who)} · “{md_escape(_short(c.title, 70))}” · {md_escape(where)} ✓ verified</sub>  "
        )
    return "\n".join(lines)


def _source_html(c: Citation, text: str) -> str:
    para = (
        html.escape(text[: c.start])
        + "<mark>"
        + html.escape(text[c.start : c.end])
        + "</mark>"
        + html.escape(text[c.end :])
    )
    who = html.escape(c.speaker or "") if c.is_quotation else html.escape(whose_words(c))
    if c.role and c.is_quotation:
        who += f" <span class='role'>({html.escape(c.role)})</span>"
    elif c.kind == "reported" and c.speaker:
        who += f" <span class='role'>(reporting {html.escape(c.speaker)})</span>"
    meta = " · ".join(
        x
        for x in (
            html.escape(c.source or ""),
            html.escape(human_date(c.published) or ""),
            f"paragraph {c.paragraph}",
            html.escape(c.licence or ""),
        )
        if x
    )
    title = html.escape(c.title)
    if c.url and c.url.startswith(("https://", "http://")):
        title = f"<a href='{html.escape(c.url, quote=True)}' target='_blank' rel='noopener'>{title}</a>"
    return (
        f"<div class='src' id='src-{c.n}'><b>[{c.n}] {title}</b>"
        + (f"<div class='who'>{who}</div>" if who else "")
        + f"<div class='meta'>{meta}</div><p>{para}</p></div>"
    )


def render_sources(a: Answer | None, n: int | None = None) -> str:
    """The sources panel: the cited paragraphs (or only citation `n`) with the quote highlighted."""
    if a is None or not any(c.verified for c in a.citations):
        return NO_SOURCE
    texts = {r.passage.passage_id: r.passage.text for r in a.passages}
    verified = [c for c in a.citations if c.verified]
    cites = [c for c in verified if n is None or c.n == n] or verified
    return "\n".join(_source_html(c, texts.get(c.passage_id, c.quote)) for c in cites)


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def citation_choices(a: Answer) -> list[tuple[str, int]]:
    """The citation picker's labels: number, speaker, paragraph, short title (shown as text)."""
    return [
        (
            f"[{c.n}] {c.speaker if c.is_quotation else 'article’s words'} · ¶ {c.paragraph} · {_short(c.title, 48)}",
            c.n,
        )
        for c in a.citations
        if c.verified
    ]


def answer_from_json(d: dict[str, Any]) -> Answer:
    """The Answer JSON kept in the session state -> an Answer (enough for rendering)."""
    from rag.types import Passage, RetrievedPassage

    cites = tuple(Citation(**c) for c in d.get("citations", []))
    passages = tuple(
        RetrievedPassage(Passage(p["passage_id"], p["doc_id"], p["text"], 0, len(p["text"]), 0), p["score"])
        for p in d.get("passages", [])
    )
    return Answer(d["question"], d["answer"], d["abstained"], cites, passages)


def parse_auth(value: str | None) -> tuple[str, str] | None:
    """RAG_AUTH 'user:password' -> (user, password); None when unset."""
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise ValueError("RAG_AUTH must look like user:password (both non-empty), e.g. RAG_AUTH=ann:s3cret")
    return user, password


def make_scope(
    article: str = "", since: str = "", until: str = "", speaker: str = "", outlet: str = ""
) -> Scope | None:
    """Filter fields -> Scope (blank = no filter); dates must be YYYY, YYYY-MM or YYYY-MM-DD."""
    fields = {"article": article, "outlet": outlet, "since": since, "until": until, "speaker": speaker}
    clean = {k: v.strip() for k, v in fields.items() if isinstance(v, str) and v.strip()}
    for key in ("since", "until"):
        if key in clean and not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", clean[key]):
            raise ValueError(f"{key} must be a date like 2025-12-15 (or 2025-12, 2025), got {clean[key]!r}")
    return Scope(**clean) if clean else None


def build_demo(settings: Settings, pipe: Pipeline | None = None) -> gr.Blocks:
    pipe = pipe or Pipeline(settings)
    max_bytes = int(settings.max_file_mb * 1_000_000)
    modes = [("Quotes only", "quotes")] + ([("LLM", "llm")] if settings.llm_base_url else [])

    def ask_api(
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
            return pipe.ask(
                question, hist, scope=make_scope(article, since, until, speaker, outlet)
            ).to_json()
        except (ValueError, RuntimeError) as exc:  # bad input, or the store/LLM in trouble
            raise gr.Error(str(exc)) from exc

    def respond(
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
            for item in pipe.stream(message, hist, None, scope, mode or "quotes"):
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

    def show_citation(n: int | None, turns: list[dict[str, Any]]) -> str:
        if not turns:
            return NO_SOURCE
        return render_sources(answer_from_json(turns[-1]["answer"]), n)

    def on_like(turns: list[dict[str, Any]], data: gr.LikeData) -> None:
        idx = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        turn = int(idx) // 2  # every turn is one user and one assistant message
        if 0 <= turn < len(turns):
            try:
                record_feedback(settings.data_dir, turns[turn], data.liked)
            except (ValueError, OSError) as exc:  # a data folder that leads elsewhere, or full
                raise gr.Error(f"Feedback not saved: {exc}") from exc
            gr.Info("Thanks: your feedback was saved.")

    def export(turns: list[dict[str, Any]]) -> Any:
        if not turns:
            raise gr.Error("Nothing to export yet: ask a question first.")
        try:
            path = export_markdown(settings.data_dir, turns)
        except (ValueError, OSError) as exc:
            raise gr.Error(f"Not exported: {exc}") from exc
        return gr.update(value=str(path), visible=True)

    def tables() -> tuple[Any, ...]:
        rows = library_rows(pipe.library)
        articles = sorted({r[0] for r in rows})
        speakers = speaker_rows(pipe.library)
        return (
            rows,
            speakers,
            gr.update(choices=[(f"{r[0]} ({r[2] or 'no date'})", r[5]) for r in rows], value=None),
            gr.update(choices=[""] + articles),
            gr.update(choices=[""] + [s[0] for s in speakers]),
        )

    def add_files(files: list[str] | None, progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008
        if not files:
            raise gr.Error("Choose one or more files first (.txt, .md, .html, .pdf).")
        progress(0, desc="Reading files")
        results = ingest_files(
            pipe, [Path(f) for f in files], max_bytes, lambda i, n, d: progress((i, max(n, 1)), desc=d)
        )
        return (results_markdown(results), None, *tables())

    def add_text(title: str, text: str) -> tuple[Any, ...]:
        r = ingest_one(pipe, lambda: pasted_document(title, text), "pasted text")
        return (results_markdown([r]), *tables())

    def add_url(url: str, progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:  # noqa: B008
        progress(0, desc=f"Fetching {url}")
        r = ingest_one(pipe, lambda: load_url(url, settings=settings), url)
        return (results_markdown([r]), *tables())

    def delete(doc_id: str | None) -> tuple[Any, ...]:
        if not doc_id:
            raise gr.Error("Pick an article to delete (click its row in the table).")
        try:
            msg = delete_article(pipe, doc_id)
        except ValueError as exc:
            raise gr.Error(str(exc)) from exc
        return (msg, *tables())

    def pick_article(evt: gr.SelectData) -> Any:
        row = evt.row_value or []
        return gr.update(value=row[5]) if len(row) > 5 else gr.skip()

    def pick_speaker(evt: gr.SelectData) -> tuple[Any, ...]:
        row = evt.row_value or []
        if not row:
            return gr.skip(), gr.skip()
        return f"What did {row[0]} say?", gr.Tabs(selected="chat")

    with gr.Blocks(title="Sourced answers") as demo:
        turns = gr.State([])
        gr.Markdown(INTRO)
        with gr.Tabs() as tabs:
            with gr.Tab("Chat", id="chat"):
                with gr.Row():
                    with gr.Column(scale=3):
                        chat = gr.Chatbot(label="Chat", height=460, elem_id="chat", sanitize_html=True)
                        box = gr.Textbox(
                            placeholder="e.g. What did … say about …?",
                            show_label=False,
                            elem_id="question",
                            submit_btn=True,
                        )
                        cites = gr.Radio(
                            [],
                            label="Citations: click one to see its source",
                            elem_id="citations",
                            visible=False,
                        )
                        gr.Examples(
                            examples=[[q] for q in suggested_questions(pipe.library)],
                            inputs=[box],
                            label="Try",
                        )
                        with gr.Accordion("Settings: answer mode and filters", open=False):
                            mode = gr.Radio(
                                modes,
                                value="quotes",
                                label="Answer mode",
                                info=None
                                if settings.llm_base_url
                                else "Set RAG_LLM_BASE_URL for LLM answers.",
                                elem_id="mode",
                            )
                            with gr.Row():
                                article = gr.Dropdown(
                                    [""], value="", label="Article", allow_custom_value=True
                                )
                                speaker = gr.Dropdown(
                                    [""], value="", label="Speaker", allow_custom_value=True
                                )
                            with gr.Row():
                                since = gr.Textbox(label="Since (YYYY-MM-DD)", max_lines=1, elem_id="since")
                                until = gr.Textbox(label="Until (YYYY-MM-DD)", max_lines=1, elem_id="until")
                        with gr.Row():
                            export_btn = gr.Button("Export conversation (Markdown)", size="sm")
                            export_file = gr.File(label="Conversation", visible=False, elem_id="export")
                    with gr.Column(scale=2):
                        gr.Markdown("### Sources")
                        sources = gr.HTML(NO_SOURCE, elem_id="sources")
                        with gr.Accordion("Retrieved passages", open=False):
                            passages = gr.Markdown()
            with gr.Tab("Library", id="library"):
                lib_table = gr.DataFrame(
                    headers=LIBRARY_COLUMNS,
                    label="Articles (click a row to pick it)",
                    column_widths=["44%", "16%", "11%", "8%", "9%", "12%"],
                    elem_id="library",
                    interactive=False,
                    wrap=True,
                )
                with gr.Row():
                    to_delete = gr.Dropdown([], label="Article to delete", elem_id="to-delete", scale=3)
                    delete_btn = gr.Button("Delete article", variant="stop", scale=1, elem_id="delete")
                lib_result = gr.Markdown(elem_id="ingest-result")
                with gr.Tab("Upload files"):
                    files = gr.File(
                        file_count="multiple",
                        label=f".txt .md .html .pdf, up to {settings.max_file_mb:g} MB each",
                        elem_id="upload",
                    )
                    upload_btn = gr.Button("Add files", variant="primary", elem_id="add-files")
                with gr.Tab("Paste text"):
                    paste_title = gr.Textbox(label="Title", max_lines=1, elem_id="paste-title")
                    paste_text = gr.Textbox(label="Article text", lines=8, elem_id="paste-text")
                    paste_btn = gr.Button("Add text", elem_id="add-text")
                with gr.Tab("From a URL"):
                    url = gr.Textbox(label="Article URL (http or https)", max_lines=1, elem_id="url")
                    url_btn = gr.Button("Fetch and add", elem_id="add-url")
            with gr.Tab("Speakers", id="speakers"):
                sp_table = gr.DataFrame(
                    headers=SPEAKER_COLUMNS,
                    label="Who is quoted (click one to ask what they said)",
                    column_widths=["18%", "37%", "10%", "35%"],
                    elem_id="speakers",
                    interactive=False,
                    wrap=True,
                )

        answer_io = dict(
            inputs=[box, chat, turns, mode, article, since, until, speaker],
            outputs=[chat, turns, sources, cites, passages, box],
        )
        box.submit(respond, api_visibility="private", **answer_io)  # type: ignore[arg-type]
        cites.select(show_citation, [cites, turns], sources, api_visibility="private")
        chat.like(on_like, [turns], None, api_visibility="private")
        chat.clear(
            lambda: ([], NO_SOURCE, gr.update(choices=[], value=None, visible=False)),
            None,
            [turns, sources, cites],
            api_visibility="private",
        )
        export_btn.click(export, [turns], export_file, api_visibility="private")
        table_outs = [lib_table, sp_table, to_delete, article, speaker]
        upload_btn.click(add_files, [files], [lib_result, files, *table_outs], api_visibility="private")
        paste_btn.click(
            add_text, [paste_title, paste_text], [lib_result, *table_outs], api_visibility="private"
        )
        url_btn.click(add_url, [url], [lib_result, *table_outs], api_visibility="private")
        delete_btn.click(delete, [to_delete], [lib_result, *table_outs], api_visibility="private")
        lib_table.select(pick_article, None, to_delete, api_visibility="private")
        sp_table.select(pick_speaker, None, [box, tabs], api_visibility="private").then(
            respond,
            api_visibility="private",
            **answer_io,
        )
        demo.load(tables, None, table_outs, api_visibility="private")
        gr.api(ask_api, api_name="ask")
    return demo


CSS = """
mark{background:#ffe58a;padding:0 2px}
.src{margin-bottom:1em} .meta,.role{color:#666;font-size:.85em}
.abstained{border-left:4px solid #9aa4b2;padding:.2em .8em;color:#4b5563;background:#f3f4f6;border-radius:4px}
"""


def serve(settings: Settings, pipe: Pipeline | None = None, prepared: Future[None] | None = None) -> None:
    """Serve the app on settings.host:port once `Pipeline.prepare` has run (in `prepared`, a
    thread app.py starts before importing Gradio, so the two overlap; here otherwise)."""
    auth = parse_auth(settings.auth)
    pipe = pipe or Pipeline(settings)
    if prepared is None:
        pipe.prepare()
    else:
        prepared.result()
    demo = build_demo(settings, pipe)
    exports = data_path(settings.data_dir, "exports")  # refused if a link leads out of RAG_DATA_DIR
    exports.mkdir(parents=True, exist_ok=True)
    demo.queue(default_concurrency_limit=2).launch(
        server_name=settings.host,
        server_port=settings.port,
        css=CSS,
        footer_links=["api"],
        auth=auth,
        allowed_paths=[str(exports)],
        max_file_size=4 * int(settings.max_file_mb * 1_000_000),  # hard cap; the per-file limit is ingest's
    )
