"""Questions about the article itself — when it was published, its outlet or wire agency, its
author — answered from the article's metadata and cited as the article's own line (its headline)."""

from __future__ import annotations

from typing import Any

from rag.answer.base import Context, Draft, Evidence
from rag.answer.render import human_date


def metadata(ctx: Context) -> Draft | None:
    if not ctx.hits:
        return None
    doc_id = ctx.hits[0].passage.doc_id
    head_p = min((p for p in ctx.lib.passages.values() if p.doc_id == doc_id), key=lambda p: p.start)
    meta: dict[str, Any] = ctx.lib.meta.get(head_p.passage_id, {})
    title = meta.get("title", "")
    line = Evidence(head_p, 0, len(head_p.text), kind="headline")
    field = ctx.intent.field or "published"
    if field == "outlet":
        if not meta.get("source"):
            return Draft("", (), "metadata", note=f"The article “{title}” names no outlet or agency.")
        return Draft(f"The article's source: {meta['source']}. Its headline:", (line,), "metadata")
    if field == "author":
        if not meta.get("author"):
            return Draft("", (), "metadata", note=f"The article “{title}” names no author.")
        return Draft(f"The article is by {meta['author']}. Its headline:", (line,), "metadata")
    when = human_date(meta.get("published"))
    if not when:
        return Draft("", (), "metadata", note=f"The article “{title}” carries no publication date.")
    outlet = f" ({meta['source']})" if meta.get("source") else ""
    return Draft(f"The article was published on {when}{outlet}. Its headline:", (line,), "metadata")
