"""Reading a Chroma collection page by page: records, ids and metadata, and the vectors of
quotable spans packed into passages' metadata (records.py packs them).

Scope: collection.get in pages of records.PAGE (a server caps one response; a page of quote
vectors is all a reader holds at once). Non-goals: writing, the change log, guarding against a
server going away (chroma.py's Store does all three).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rag.store.records import PAGE, Record, _record, _unpack


def pages(col: Any, ids: list[str] | None = None, **kw: Any) -> Iterator[dict[str, Any]]:
    """collection.get page by page: by ids, or by offset over what `kw` selects."""
    if ids is not None:
        ids = list(dict.fromkeys(ids))  # Chroma refuses a request naming an id twice
        for at in range(0, len(ids), PAGE):
            yield col.get(ids=ids[at : at + PAGE], **kw)
        return
    offset = 0
    while True:
        got = col.get(**kw, limit=PAGE, offset=offset)
        yield got
        if len(got["ids"]) < PAGE:
            return
        offset += PAGE


def records(col: Any, ids: list[str] | None = None, **kw: Any) -> Iterator[Record]:
    """Records (text and metadata, quote vectors stripped) page by page."""
    for got in pages(col, ids=ids, include=["documents", "metadatas"], **kw):
        yield from map(_record, got["ids"], got["documents"], got["metadatas"])


def get_all(col: Any, **kw: Any) -> dict[str, Any]:
    """collection.get, all pages joined (quote vectors are stripped by the callers)."""
    out: dict[str, list[Any]] = {"ids": [], "documents": [], "metadatas": []}
    for got in pages(col, **kw):
        for f in out:
            out[f] += got.get(f) or []
    return out


def stored_quotes(col: Any, passage_ids: list[str]) -> dict[str, Any]:
    """quote_id -> vector, for every quotable span of these stored passages."""
    return {
        f"{pid}.{key}": v
        for got in pages(col, ids=passage_ids, include=["metadatas"])
        for pid, m in zip(got["ids"], got["metadatas"])
        for key, v in _unpack(m or {}).items()
    }


def quote_ids(col: Any) -> dict[str, str]:
    """Every stored quote vector's id -> its passage's id."""
    out = {}
    for page in pages(col, where={"kind": "passage"}, include=["metadatas"]):
        for pid, m in zip(page["ids"], page["metadatas"]):
            out.update({f"{pid}.{k}": pid for k in _unpack(m or {})})
    return out
