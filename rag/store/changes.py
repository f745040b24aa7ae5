"""The store's change log: which documents each write touched, so a replica brings its mirror
level by re-reading those documents instead of listing every record id.

Scope: a small sibling collection ("<collection>-log"), one record per write: id = the write's
generation token, `written` = the writer's clock (ns), the document ids it touched. A write adds
its entry after its records are upserted and deleted and before it moves the generation marker,
so a reader that sees an entry can read that write's documents whole. Entries older than KEEP
are trimmed by the writers. Non-goals: the records themselves (chroma.py), applying the log
(library.py).

Limits, written down: readers look back SLACK before the newest entry they applied, so writers'
clocks may disagree by up to that much; a writer killed between its upsert and its entry leaves
records no replica learns of until that document is written again or a replica syncs in full
(a new replica, one whose mirror is older than HORIZON, or one whose mirror was rebuilt).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

KEEP_NS = 7 * 24 * 3600 * 10**9  # entries kept this long
HORIZON_NS = 6 * 24 * 3600 * 10**9  # a mirror synced longer ago than this syncs in full
SLACK_NS = 10 * 60 * 10**9  # clock disagreement allowed between writers


@dataclass(frozen=True)
class Change:
    id: str
    written: int
    docs: frozenset[str]


class ChangeLog:
    def __init__(self, client: Any, name: str):
        self.col = client.get_or_create_collection(f"{name}-log", embedding_function=None)

    def record(self, token: str, docs: set[str]) -> None:
        now = time.time_ns()
        self.col.add(
            ids=[token], embeddings=[[1.0]], documents=[" ".join(sorted(docs))], metadatas=[{"written": now}]
        )
        self.col.delete(where={"written": {"$lt": now - KEEP_NS}})

    def since(self, after: int) -> list[Change]:
        """Entries written at or after `after` (ns, the writers' clocks), oldest first."""
        got = self.col.get(where={"written": {"$gte": after}}, include=["documents", "metadatas"])
        out = [
            Change(i, int((m or {}).get("written", 0)), frozenset((d or "").split()))
            for i, d, m in zip(got["ids"], got["documents"] or [], got["metadatas"] or [])
        ]
        return sorted(out, key=lambda c: (c.written, c.id))
