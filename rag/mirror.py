"""The per-replica mirror of the store: passages, statements and documents' fields in one SQLite
file (standard library), plus the lexical index of the same passages (lexical.TermIndex, a
tantivy folder beside it), synced from Chroma.

Scope: what answering reads besides dense search, kept on disk so that a replica's start reads
only what changed since it last synced. Chroma stays the single source of truth: the mirror
records the store generation marker it last matched (store.py) and the collection it mirrors; a
mirror of another collection or schema, or one SQLite cannot read, is moved aside and rebuilt
from Chroma with a log line saying why; a lexical index whose marker is not the mirror's
generation (a crash between the two commits, a folder deleted) is rebuilt from the terms the
mirror stores, without Chroma. Non-goals: deciding what to sync (library.py: generation marker,
id diff, whole documents re-read when any of their records changed), dense search (Chroma).

Writes: one SQLite transaction per sync (BEGIN IMMEDIATE, so one syncing process per mirror
file), the lexical index committed inside it just before COMMIT; readers never block (WAL).
"""

from __future__ import annotations

import gc
import json
import logging
import shutil
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rag.lexical import Lexical, TermIndex
from rag.mirror_write import Writer, chunks
from rag.types import Passage
from rag.view import StoredStatement

SCHEMA = 2  # 2: Snowball stems and acronym terms in the stored terms
log = logging.getLogger(__name__)

# Documents' fields once per document (a start parses one small JSON object per article, not
# one per record); passages and statements as plain columns.
_TABLES = """
CREATE TABLE IF NOT EXISTS info(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs(doc_id TEXT PRIMARY KEY, meta TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS passages(
  n INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, doc_id TEXT NOT NULL, paragraph INTEGER NOT NULL,
  start INTEGER NOT NULL, end INTEGER NOT NULL, text TEXT NOT NULL, terms TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS passages_doc ON passages(doc_id);
CREATE TABLE IF NOT EXISTS statements(
  id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, passage_id TEXT NOT NULL, start INTEGER NOT NULL,
  end INTEGER NOT NULL, speaker TEXT, role TEXT, cue TEXT, kind TEXT, speaker_type TEXT,
  text TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS statements_doc ON statements(doc_id);
CREATE TABLE IF NOT EXISTS changes(id TEXT PRIMARY KEY, written INTEGER NOT NULL) WITHOUT ROWID;
"""


@contextmanager
def no_gc() -> Iterator[None]:
    """The cyclic garbage collector paused while many acyclic objects are made (a view's
    passages and statements): its passes over the growing heap made loading 1M passages take
    19 s, 300k 4.0 s (2.0 s paused; bench/mirror_scale.py)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _in(con: sqlite3.Connection, sql: str, values: Iterable[str]) -> Iterator[Any]:
    """The rows of `sql`, whose `{}` is an IN list, for all `values` (a chunk per query)."""
    for part in chunks(values):
        yield from con.execute(sql.format(",".join("?" * len(part))), part)


class Mirror:
    """One SQLite file per (collection, replica); one connection per thread."""

    def __init__(self, path: Path, identity: str):
        """`identity` names the collection mirrored (its Chroma id and name): a file that
        mirrors anything else is rebuilt."""
        self.path = Path(path)
        self.identity = identity
        self._local = threading.local()
        self._cons: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self.open()

    @property
    def _terms_folder(self) -> Path:
        return self.path.with_name(self.path.name + ".terms")

    def _con(self) -> sqlite3.Connection:
        con: sqlite3.Connection | None = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(self.path, timeout=60, isolation_level=None, check_same_thread=False)
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=NORMAL")
            self._local.con = con
            with self._lock:
                self._cons.append(con)
        return con

    def open(self) -> None:
        """Create the tables, or rebuild a file that is unreadable or mirrors something else."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            con = self._con()
            con.executescript(_TABLES)
            info = dict(con.execute("SELECT key, value FROM info").fetchall())
            con.execute("SELECT count(*) FROM passages").fetchone()
        except sqlite3.DatabaseError as exc:
            self.reset(f"it cannot be read ({exc})")
            return
        if not info:
            self._set(schema=str(SCHEMA), identity=self.identity, generation="")
        elif info.get("schema") != str(SCHEMA) or info.get("identity") != self.identity:
            self.reset("it mirrors another collection or an older schema")
            return
        self._open_terms()

    def _open_terms(self) -> None:
        """The lexical index, rebuilt from the mirror's stored terms if it is not at the
        mirror's generation."""
        self.terms = TermIndex(self._terms_folder)
        if self.terms.marker() == self.generation():
            return
        con = self._con()
        con.execute("BEGIN IMMEDIATE")  # the mirror's write lock: one process rebuilds, the rest wait
        try:
            if self.terms.marker() != (gen := self.generation()):
                rows = con.execute("SELECT id, doc_id, terms FROM passages")
                self.terms.write((), rows, gen, wipe=True)
                if gen:
                    print(f"lexical index {self.terms.folder}: rebuilt from the mirror", flush=True)
        finally:
            con.execute("COMMIT")

    def reset(self, why: str) -> None:
        """Move the file aside (kept for inspection, replacing any earlier one) and start empty:
        the next sync reads every record from Chroma."""
        log.warning("lexical mirror %s: %s; rebuilding it from Chroma", self.path, why)
        print(f"lexical mirror {self.path}: {why}; rebuilding it from Chroma", flush=True)
        self.close()
        for suffix in ("-wal", "-shm"):
            Path(str(self.path) + suffix).unlink(missing_ok=True)
        if self.path.exists():
            self.path.replace(self.path.with_name(self.path.name + ".broken"))
        con = self._con()
        con.executescript(_TABLES)
        self._set(schema=str(SCHEMA), identity=self.identity, generation="")
        shutil.rmtree(self._terms_folder, ignore_errors=True)
        self._open_terms()

    def close(self) -> None:
        with self._lock:
            cons, self._cons = self._cons, []
        for con in cons:
            con.close()
        self._local = threading.local()

    def _set(self, **values: str) -> None:
        self._con().executemany("INSERT OR REPLACE INTO info VALUES (?, ?)", values.items())

    def generation(self) -> str:
        row = self._con().execute("SELECT value FROM info WHERE key = 'generation'").fetchone()
        return str(row[0]) if row else ""

    def log_at(self) -> int | None:
        """The newest store change-log entry applied (the writer's clock, ns); None: this
        mirror has not followed the log yet."""
        row = self._con().execute("SELECT value FROM info WHERE key = 'log_at'").fetchone()
        return int(row[0]) if row else None

    def applied(self, ids: Iterable[str]) -> set[str]:
        """Which of these change-log entries this mirror has applied."""
        return {i for (i,) in _in(self._con(), "SELECT id FROM changes WHERE id IN ({})", ids)}

    def ids(self) -> set[str]:
        con = self._con()
        return {i for (i,) in con.execute("SELECT id FROM passages UNION ALL SELECT id FROM statements")}

    def doc_of(self, ids: Iterable[str]) -> set[str]:
        """The documents these record ids belong to (those the mirror holds)."""
        ids = set(ids)
        sql = "SELECT doc_id FROM {table} WHERE id IN ({{}})"
        return {d for t in ("passages", "statements") for (d,) in _in(self._con(), sql.format(table=t), ids)}

    @contextmanager
    def writing(self, generation: str) -> Iterator[Writer]:
        """One transaction: what the writer does and the store generation it then matches are
        committed together, or (an exception, a crash) none of it."""
        con = self._con()
        con.execute("BEGIN IMMEDIATE")
        try:
            w = Writer(con)
            yield w
            w.finish()
            con.execute("INSERT OR REPLACE INTO info VALUES ('generation', ?)", (generation,))
            self.terms.write(w.deleted, w.added, generation)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    def ids_of(self, docs: set[str]) -> set[str]:
        """Every record id the mirror holds for these documents."""
        sql = "SELECT id FROM {table} WHERE doc_id IN ({{}})"
        return {i for t in ("passages", "statements") for (i,) in _in(self._con(), sql.format(table=t), docs)}

    def load(
        self, docs: set[str] | None = None
    ) -> tuple[dict[str, Passage], dict[str, dict[str, Any]], dict[str, StoredStatement]]:
        """Passages, passage_id -> its document's metadata (one dict per document, shared: read
        only), and statements as stored — all of them, or those of `docs`."""
        with no_gc():
            return self._load(docs)

    def _load(
        self, docs: set[str] | None
    ) -> tuple[dict[str, Passage], dict[str, dict[str, Any]], dict[str, StoredStatement]]:
        con = self._con()

        def rows(sql: str) -> Iterator[tuple[Any, ...]]:
            return con.execute(sql) if docs is None else _in(con, sql + " WHERE doc_id IN ({})", docs)

        metas = {d: json.loads(m) for d, m in rows("SELECT doc_id, meta FROM docs")}
        passages, meta = {}, {}
        for i, d, para, a, b, text in rows("SELECT id, doc_id, paragraph, start, end, text FROM passages"):
            passages[i] = Passage(i, d, text, a, b, para)
            meta[i] = metas.get(d) or {"doc_id": d}
        statements = {
            i: StoredStatement(
                i,
                text,
                tuple(s.strip() for s in (speaker or "").split(";") if s.strip()),
                role,
                cue,
                kind or "direct",
                pid,
                a,
                b,
                stype or "person",
            )
            for i, pid, a, b, speaker, role, cue, kind, stype, text in rows(
                "SELECT id, passage_id, start, end, speaker, role, cue, kind, speaker_type, text FROM statements"
            )
        }
        return passages, meta, statements

    def lexical(self, passages: dict[str, Passage]) -> Lexical:
        """The lexical index as a view of these passages sees it (a searcher snapshot)."""
        return Lexical(self.terms, passages)
