"""Writes to the mirror (rag/mirror.py) inside its sync transaction: passages with their index
terms, statements, documents' fields and the change-log entries applied.

Scope: the SQL of one sync's writes; the lexical index is fed from `deleted`/`added` by
Mirror.writing. Non-goals: opening, resetting or reading the mirror (mirror.py).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from rag.lexical import index_terms
from rag.store import Record
from rag.store.changes import Change

PASSAGE_FIELDS = ("kind", "paragraph", "start", "end")  # a passage record's own; the rest is its document's
CHUNK = 500  # ids per IN (...) list


def chunks(xs: Iterable[str]) -> Iterator[Sequence[str]]:
    """Distinct values, sorted, CHUNK at a time (one `IN (...)` list each)."""
    vs = sorted(set(xs))
    for at in range(0, len(vs), CHUNK):
        yield vs[at : at + CHUNK]


class Writer:
    """Writes inside Mirror.writing's transaction; documents' fields are written at the end."""

    def __init__(self, con: sqlite3.Connection):
        self.con = con
        self._docs: dict[str, dict[str, Any]] = {}
        self.deleted: list[str] = []  # passage ids for the lexical index
        self.added: list[tuple[str, str, str]] = []  # (id, doc_id, terms)

    def delete(self, ids: Iterable[str]) -> None:
        for part in chunks(ids):
            marks = ",".join("?" * len(part))
            found = self.con.execute(f"SELECT id FROM passages WHERE id IN ({marks})", part)
            self.deleted += [i for (i,) in found]
            self.con.execute(f"DELETE FROM passages WHERE id IN ({marks})", part)
            self.con.execute(f"DELETE FROM statements WHERE id IN ({marks})", part)

    def put(self, records: Iterable[Record]) -> None:
        """Write records (a record already held is replaced: its metadata may have changed)."""
        con = self.con
        for r in records:
            m = r.meta
            doc = str(m.get("doc_id", ""))
            if m.get("kind") == "passage":
                ts = " ".join(index_terms(r.text))
                if con.execute("DELETE FROM passages WHERE id = ?", (r.id,)).rowcount:
                    self.deleted.append(r.id)  # the index deletes before it adds: the new row stays
                con.execute(
                    "INSERT INTO passages(id, doc_id, paragraph, start, end, text, terms) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (r.id, doc, int(m["paragraph"]), int(m["start"]), int(m["end"]), r.text, ts),
                )
                self.added.append((r.id, doc, ts))
                fields = self._docs.setdefault(doc, {})
                for k, v in m.items():
                    if k not in PASSAGE_FIELDS and (k != "extractor" or v < fields.get(k, v + 1)):
                        fields[k] = v  # the oldest extractor of any passage speaks for the document
            elif m.get("kind") == "statement":
                con.execute(
                    "INSERT OR REPLACE INTO statements VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (r.id, doc, str(m["passage_id"]), int(m["start"]), int(m["end"]), m.get("speaker"),
                     m.get("role"), m.get("cue"), m.get("skind"), m.get("speaker_type"), r.text),
                )  # fmt: skip

    def applied(self, changes: Iterable[Change], keep_after: int) -> None:
        """Note change-log entries as applied; forget those written before `keep_after`."""
        cs = list(changes)
        self.con.executemany("INSERT OR REPLACE INTO changes VALUES (?, ?)", [(c.id, c.written) for c in cs])
        if cs:
            newest = max(c.written for c in cs)
            row = self.con.execute("SELECT value FROM info WHERE key = 'log_at'").fetchone()
            at = max(newest, int(row[0])) if row else newest
            self.con.execute("INSERT OR REPLACE INTO info VALUES ('log_at', ?)", (str(at),))
        self.con.execute("DELETE FROM changes WHERE written < ?", (keep_after,))

    def finish(self) -> None:
        """Documents' fields for the documents written; documents left with no passage go."""
        con = self.con
        for doc, fields in self._docs.items():
            row = con.execute("SELECT meta FROM docs WHERE doc_id = ?", (doc,)).fetchone()
            merged = {**(json.loads(row[0]) if row else {}), **fields}
            con.execute(
                "INSERT OR REPLACE INTO docs VALUES (?, ?)", (doc, json.dumps(merged, ensure_ascii=False))
            )
        con.execute("DELETE FROM docs WHERE doc_id NOT IN (SELECT doc_id FROM passages)")
