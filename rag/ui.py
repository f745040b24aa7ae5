"""The Gradio front end: a streaming chat with numbered citations and a sources panel, the
Library (upload, paste, URL, delete) and Speakers tabs, feedback, Markdown export, the `/ask` API.

Scope: layout, wiring the events to their handlers (ui_events.py; rendering an Answer is
ui_render.py) and the `/ask` endpoint returning the Answer JSON of DESIGN §3. Non-goals:
answering (pipeline.py), library logic (ui_library.py), feedback files (feedback.py), fetching
(fetch.py).
Building the Blocks loads no model; the pipeline warms up in the background at launch.
Everything from an article or a user is escaped before it reaches the page: shown, never run.
"""

from __future__ import annotations

import os
from concurrent.futures import Future

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # before Gradio reads it: nothing phones home
import gradio as gr  # noqa: E402

from rag.config import Settings
from rag.feedback import data_path
from rag.pipeline import Pipeline
from rag.ui_events import Handlers
from rag.ui_library import LIBRARY_COLUMNS, SPEAKER_COLUMNS, suggested_questions
from rag.ui_render import NO_SOURCE, parse_auth

INTRO = (
    "## Sourced answers from the news\n"
    "Ask about the articles in the library. Every answer is made of **verbatim quotes**, each "
    "checked word for word against its article and cited with speaker, article, date and "
    "paragraph. Click a citation to see it highlighted in its paragraph. When the articles don't "
    "say, the bot says so."
)


def build_demo(settings: Settings, pipe: Pipeline | None = None) -> gr.Blocks:
    pipe = pipe or Pipeline(settings)
    modes = [("Quotes only", "quotes")] + ([("LLM", "llm")] if settings.llm_base_url else [])
    h = Handlers(settings, pipe)

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
        box.submit(h.respond, api_visibility="private", **answer_io)  # type: ignore[arg-type]
        cites.select(h.show_citation, [cites, turns], sources, api_visibility="private")
        chat.like(h.on_like, [turns], None, api_visibility="private")
        chat.clear(
            lambda: ([], NO_SOURCE, gr.update(choices=[], value=None, visible=False)),
            None,
            [turns, sources, cites],
            api_visibility="private",
        )
        export_btn.click(h.export, [turns], export_file, api_visibility="private")
        table_outs = [lib_table, sp_table, to_delete, article, speaker]
        upload_btn.click(h.add_files, [files], [lib_result, files, *table_outs], api_visibility="private")
        paste_btn.click(
            h.add_text, [paste_title, paste_text], [lib_result, *table_outs], api_visibility="private"
        )
        url_btn.click(h.add_url, [url], [lib_result, *table_outs], api_visibility="private")
        delete_btn.click(h.delete, [to_delete], [lib_result, *table_outs], api_visibility="private")
        lib_table.select(h.pick_article, None, to_delete, api_visibility="private")
        sp_table.select(h.pick_speaker, None, [box, tabs], api_visibility="private").then(
            h.respond,
            api_visibility="private",
            **answer_io,
        )
        demo.load(h.tables, None, table_outs, api_visibility="private")
        gr.api(h.ask_api, api_name="ask")
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
