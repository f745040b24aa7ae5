"""What a chat leaves behind: like/dislike feedback (JSONL) and the conversation as Markdown.

Scope: appending one feedback line per click to `<data_dir>/feedback.jsonl` (one JSON object a
line, safe to append from several threads of one process), and rendering question/answer turns
with their citations as a Markdown document; every file written is inside `data_dir`
(RAG_DATA_DIR): `data_path` takes plain names only and refuses a path that, links resolved,
leads out of it, so no name, question or symlink can send a write elsewhere. Non-goals:
analysing feedback, the UI (ui.py), guarding against a local user swapping links mid-write.
A turn is `{"question": str, "answer": <Answer JSON of DESIGN §3>}`.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rag.answer.render import human_date
from rag.types import QUOTATION_KINDS

_LOCK = threading.Lock()


def data_path(data_dir: Path, *names: str) -> Path:
    """`data_dir/names…`, resolved, refused unless each name is a plain file name and the
    resolved path is still inside `data_dir` (itself resolved, so it may be a link)."""
    for name in names:
        if name in ("", ".", "..") or any(ch in name for ch in "/\\\x00"):
            raise ValueError(
                f"{name!r} is not a plain file name; app data is only written inside RAG_DATA_DIR ({data_dir})"
            )
    root = data_dir.resolve()
    path = root.joinpath(*names).resolve()
    if not path.is_relative_to(root):
        raise ValueError(
            f"{root.joinpath(*names)} leads to {path}, outside RAG_DATA_DIR ({root}); "
            "remove that link or set RAG_DATA_DIR to a folder of its own"
        )
    return path


def feedback_path(data_dir: Path) -> Path:
    return data_path(data_dir, "feedback.jsonl")


def record_feedback(data_dir: Path, turn: dict[str, Any], liked: bool | str | None) -> dict[str, Any]:
    """Append one feedback line: the verdict, the question, the answer and its citations."""
    answer = turn.get("answer") or {}
    verdict = "like" if liked is True else "dislike" if liked is False else str(liked or "none").lower()
    entry = {
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
        "feedback": verdict,
        "question": turn.get("question", ""),
        "answer": answer.get("answer", ""),
        "abstained": answer.get("abstained"),
        "citations": [
            {k: c.get(k) for k in ("n", "quote", "speaker", "doc_id", "title", "passage_id")}
            for c in answer.get("citations", [])
        ],
    }
    data_dir.mkdir(parents=True, exist_ok=True)
    path = feedback_path(data_dir)
    line = json.dumps(entry, ensure_ascii=False) + "\n"
    with _LOCK, path.open("a", encoding="utf-8") as fh:
        fh.write(line)
    return entry


def _quote_md(text: str) -> str:
    """Article text inside Markdown: as text, not markup."""
    for ch in "\\`*_[]<>#|":
        text = text.replace(ch, "\\" + ch)
    return text


def conversation_markdown(turns: list[dict[str, Any]], title: str = "Sourced answers: conversation") -> str:
    """The conversation as Markdown: each question, the answer with [n] markers, its sources."""
    out = [f"# {title}", ""]
    for i, turn in enumerate(turns, 1):
        a = turn.get("answer") or {}
        out += [f"## {i}. {_quote_md(turn.get('question', ''))}", ""]
        text = _quote_md(a.get("answer", "")).replace("\\[", "[").replace("\\]", "]")
        out += [("> " if a.get("abstained") else "") + text.replace("\n", "  \n"), ""]
        cites = a.get("citations", [])
        if cites:
            out += ["Sources:", ""]
        for c in cites:
            where = ", ".join(
                x
                for x in (
                    c.get("source"),
                    human_date(c.get("published")),
                    f"paragraph {c.get('paragraph')}" if c.get("paragraph") is not None else None,
                    c.get("url"),
                    c.get("licence"),
                )
                if x
            )
            if not c.get("verified"):
                continue  # never shown as a quote
            kind = c.get("kind", "text")
            if kind in QUOTATION_KINDS and c.get("speaker"):
                who = f"{c['speaker']}: "
            else:  # the article's words: its outlet and date, never a person's name
                what = {"headline": "headline", "reported": "reported speech"}.get(
                    kind, "the article's words"
                )
                who = f"{c.get('source') or 'The article'} ({what}): "
            out.append(
                f"{c.get('n')}. {_quote_md(who)}“{_quote_md(c.get('quote', ''))}” — "
                f"*{_quote_md(c.get('title', ''))}*" + (f", {_quote_md(where)}" if where else "")
            )
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def export_markdown(data_dir: Path, turns: list[dict[str, Any]]) -> Path:
    """Write the conversation to `<data_dir>/exports/conversation-<time>.md` and return the path."""
    data_path(data_dir, "exports").mkdir(parents=True, exist_ok=True)
    path = data_path(data_dir, "exports", f"conversation-{datetime.now(UTC):%Y%m%d-%H%M%S-%f}.md")
    path.write_text(conversation_markdown(turns), encoding="utf-8")
    return path
