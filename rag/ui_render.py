"""Rendering an Answer for the chat app: the chat bubble (Markdown, every article's or user's
text escaped), the sources panel (escaped HTML, the quote highlighted in its paragraph), the
citation picker's labels, the Answer JSON kept in the session back into an Answer, and the
filter fields and RAG_AUTH read into their types (a clear ValueError when malformed).
Non-goals: events (ui_events.py), layout (ui.py).
"""

from __future__ import annotations

import html
import re
from typing import Any

from rag.answer.render import human_date, whose_words
from rag.types import Answer, Citation, Scope
from rag.ui_library import md_escape

NO_SOURCE = "<p class='muted'>Cited paragraphs appear here: click a citation [n] under the chat.</p>"


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
