"""The Gradio front end: chat with cited quotes, a sources panel, and the `/ask` API.

Scope: layout, rendering an Answer as Markdown, the `/ask` endpoint returning the Answer JSON
of DESIGN §3, example questions built from the library. Non-goals: answering (pipeline.py).
Building the Blocks loads no model; the pipeline warms up in the background at launch.
"""

from __future__ import annotations

import html
import json
import threading
from typing import Any

import gradio as gr

from rag.compose import human_date
from rag.config import Settings
from rag.pipeline import Pipeline
from rag.types import Answer, Scope

INTRO = (
    "## Sourced answers from the news\n"
    "Ask about the articles in the library. Every answer is made of **verbatim quotes**, each "
    "checked word for word against its article and cited with speaker, article, date and "
    "paragraph. When the articles don't say, the bot says so."
)


def _md_escape(text: str) -> str:
    """Article text shown as text: no HTML, no Markdown emphasis or links."""
    text = html.escape(text, quote=False)
    for ch in "\\`*_[]<>#|":
        text = text.replace(ch, "\\" + ch)
    return text


def render_answer(a: Answer) -> str:
    """The chat bubble: the answer prose, then one line per citation."""
    body = _md_escape(a.answer).replace("\n", "  \n")
    if a.abstained:
        return f"ℹ️ *{body}*"
    lines = [body, ""]
    for c in a.citations:
        who = f"{c.speaker} · " if c.speaker else ""  # the role is in the answer and the sources panel
        where = " · ".join(x for x in (c.source, human_date(c.published), f"¶ {c.paragraph}", c.licence) if x)
        lines.append(
            f"<sub>\\[{c.n}\\] {_md_escape(who)}“{_md_escape(c.title)}” · {_md_escape(where)} ✓ verified</sub>  "
        )
    return "\n".join(lines)


def render_sources(a: Answer | None) -> str:
    """The sources panel: each cited paragraph with its quote highlighted."""
    if a is None or not a.citations:
        return "<p class='muted'>Cited paragraphs appear here.</p>"
    texts = {r.passage.passage_id: r.passage.text for r in a.passages}
    parts = []
    for c in a.citations:
        t = texts.get(c.passage_id, c.quote)
        para = (
            html.escape(t[: c.start])
            + "<mark>"
            + html.escape(t[c.start : c.end])
            + "</mark>"
            + html.escape(t[c.end :])
        )
        meta = " · ".join(
            html.escape(x)
            for x in (
                c.speaker or "",
                c.source or "",
                human_date(c.published) or "",
                f"paragraph {c.paragraph}",
                c.licence or "",
            )
            if x
        )
        title = html.escape(c.title)
        if c.url and c.url.startswith(("https://", "http://")):
            title = f"<a href='{html.escape(c.url, quote=True)}' target='_blank' rel='noopener'>{title}</a>"
        parts.append(
            f"<div class='src' id='src-{c.n}'><b>[{c.n}] {title}</b>"
            f"<div class='meta'>{meta}</div><p>{para}</p></div>"
        )
    return "\n".join(parts)


def examples(pipe: Pipeline, n: int = 4) -> list[str]:
    """Questions built from who the library quotes (no fixed list)."""
    try:
        speakers = pipe.library.speakers()
    except Exception:  # an unreachable store must not stop the page from building
        return []
    qs = [f"What did {s.name} say?" for s in speakers[:2]]
    qs += [f"Who is {s.name}?" for s in speakers[:2] if s.role]
    return qs[:n] or ["What is this article about?"]


def build_demo(settings: Settings, pipe: Pipeline | None = None) -> gr.Blocks:
    pipe = pipe or Pipeline(settings)

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
        fields = {"article": article, "outlet": outlet, "since": since, "until": until, "speaker": speaker}
        scope = (
            Scope(**{k: v.strip() for k, v in fields.items() if v and v.strip()})
            if any(fields.values())
            else None
        )
        try:
            return pipe.ask(question, hist, scope=scope).to_json()
        except ValueError as exc:
            raise gr.Error(str(exc)) from exc

    def respond(message: str, chat: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], str, str]:
        if not message.strip():
            raise gr.Error("Type a question about the articles first.")
        hist = [{"role": m["role"], "content": _plain(m["content"])} for m in chat]
        try:
            a = pipe.ask(message, hist)
        except ValueError as exc:
            raise gr.Error(str(exc)) from exc
        chat = chat + [
            {"role": "user", "content": message},
            {"role": "assistant", "content": render_answer(a)},
        ]
        passages = "\n\n".join(
            f"**{r.passage.paragraph}** ({r.score:.3f}) {_md_escape(r.passage.text)}" for r in a.passages
        )
        return chat, render_sources(a), passages

    with gr.Blocks(title="Sourced answers") as demo:
        gr.Markdown(INTRO)
        with gr.Row():
            with gr.Column(scale=3):
                chat = gr.Chatbot(label="Chat", height=480, elem_id="chat", sanitize_html=True)
                box = gr.Textbox(
                    placeholder="e.g. What did … say about …?",
                    show_label=False,
                    elem_id="question",
                    submit_btn=True,
                )
                ex = gr.Examples(examples=[[q] for q in examples(pipe)], inputs=[box], label="Try")
            with gr.Column(scale=2):
                gr.Markdown("### Sources")
                sources = gr.HTML(render_sources(None), elem_id="sources")
                with gr.Accordion("Retrieved passages", open=False):
                    passages = gr.Markdown()
        box.submit(respond, [box, chat], [chat, sources, passages], api_visibility="private").then(
            lambda: "", None, box, api_visibility="private"
        )
        gr.api(ask_api, api_name="ask")
        del ex
    return demo


def _plain(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(str(c.get("text", "")) if isinstance(c, dict) else str(c) for c in content)
    return str(content)


CSS = "mark{background:#ffe58a;padding:0 2px} .src{margin-bottom:1em} .meta{color:#666;font-size:.85em}"


def serve(settings: Settings, pipe: Pipeline | None = None) -> None:
    """Ingest the corpus folder (idempotent), then serve the chat on settings.host:port."""
    pipe = pipe or Pipeline(settings)
    if settings.corpus_dir.is_dir():
        for r in pipe.ingest([settings.corpus_dir]):
            print(("ok   " if r.ok else "FAIL ") + f"{r.path}: {r.message}", flush=True)
    threading.Thread(target=lambda: pipe.ask("warm up"), daemon=True).start()
    demo = build_demo(settings, pipe)
    demo.queue(default_concurrency_limit=2).launch(
        server_name=settings.host, server_port=settings.port, css=CSS, footer_links=["api"]
    )
