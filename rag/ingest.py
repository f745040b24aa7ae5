"""Ingest: files and loaded Documents into the store, each parsed once, stored in batches.

Scope: `Ingester`, the half of pipeline.Pipeline that writes — per-file results where one bad
file never stops the rest, names completed across the ingest, statements re-read when the
extractor changed, sentence vectors computed while the parser reads. Non-goals: loading a
file's text (load.py), finding statements (statements.py), the records (store/records.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rag.config import Settings
from rag.load import SUFFIXES, LoadError, load_path
from rag.types import Document, Passage

if TYPE_CHECKING:
    from rag.library import Library
    from rag.statements import Analysis
    from rag.store import Store

PREFETCH_TEXTS = 20_000  # sentence vectors computed during the parse of an ingest (~30 MB)


@dataclass(frozen=True)
class FileResult:
    path: str
    ok: bool
    message: str  # what happened, or why it failed
    passages: int = 0
    statements: int = 0


def stored_document(passages: list[Passage], meta: dict[str, Any]) -> Document:
    """A stored article rebuilt from its passages (offsets into its text) and metadata: the gaps
    between paragraphs become blank lines, those inside a split paragraph spaces, so splitting
    it again gives the same passages and ids."""
    text = ""
    prev: Passage | None = None
    for p in sorted(passages, key=lambda p: p.start):
        gap = p.start - len(text)
        text += ("\n" if prev is not None and prev.paragraph != p.paragraph else " ") * max(gap, 0) + p.text
        prev = p
    return Document(
        doc_id=str(meta["doc_id"]),
        title=str(meta.get("title") or ""),
        text=text,
        source_key=str(meta.get("source_key") or meta["doc_id"]),
        published=meta.get("published"),
        source=meta.get("source"),
        url=meta.get("url"),
        author=meta.get("author"),
        licence=meta.get("licence"),
    )


def expand(paths: Iterable[Path]) -> Iterator[Path]:
    """Files as given, and the supported files inside folders (sorted, recursive)."""
    for p in paths:
        if p.is_dir():
            yield from sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES)
        else:
            yield p


class Ingester:
    """Pipeline's writing half: it needs the settings, the store and the library."""

    settings: Settings
    if TYPE_CHECKING:  # Pipeline's lazily built parts

        @property
        def store(self) -> Store: ...

        @property
        def library(self) -> Library: ...

    def ingest_document(self, doc: Document, known: dict[str, str] | None = None) -> FileResult:
        """Store one Document; `known` (surname -> full name) resolves names the text leaves short."""
        return self.ingest_documents([doc], known)[0]

    def ingest_documents(
        self,
        docs: list[Document],
        known: dict[str, str] | None = None,
        analyses: list[Analysis] | None = None,
        vectors: Mapping[str, Any] | None = None,
    ) -> list[FileResult]:
        """Store several Documents with one embedding batch and a few store requests; `analyses`
        (statements.analyse of each document) when the caller has read them already."""
        from rag.passages import split_passages
        from rag.statements import analyse, complete
        from rag.store import doc_records

        found = analyses if analyses is not None else [analyse(doc) for doc in docs]
        known = known if known is not None else self.known_names(people=[n for a in found for n in a.people])
        batches = []
        for doc, a in zip(docs, found):
            passages = split_passages(doc, self.settings.max_passage_chars)
            batches.append(doc_records(doc, passages, complete(a.statements, known), a.people))
        out = []
        for doc, r in zip(docs, self.store.add_many(batches, vectors)):
            what = "added" if r.added else "already stored, unchanged"
            if r.replaced:
                what += f", replaced {r.replaced} records of an older version"
            if doc.warnings:
                what += " (warning: " + "; ".join(doc.warnings) + ")"
            out.append(FileResult(doc.source_key, True, f"{what}: “{doc.title}”", r.passages, r.statements))
        return out

    def reextract(self) -> list[FileResult]:
        """Articles whose statements an older extractor read (an upload, a URL: anything not in
        the corpus folder) are read again from their stored text, so a stored library follows
        the extractor; their passages and vectors stay (only new statement spans are embedded)."""
        from rag.statements import EXTRACTOR

        lib = self.library.view()
        by_doc: dict[str, list[str]] = {}
        for pid, m in lib.meta.items():
            if m.get("extractor") != EXTRACTOR:
                by_doc.setdefault(str(m.get("doc_id")), []).append(pid)
        docs = [
            stored_document([lib.passages[p] for p in pids], lib.meta[pids[0]]) for pids in by_doc.values()
        ]
        return self.store_documents(docs) if docs else []

    def known_names(self, people: Iterable[str] = ()) -> dict[str, str]:
        """Surname -> full name over the stored library and `people` (the first spelling wins)."""
        known: dict[str, str] = {}
        # the stored library as it is now, not as first seen
        for full in [*sorted(self.library.view().people), *people]:
            if len(full.split()) > 1:
                known.setdefault(full.split()[-1], full)
        return known

    def ingest(
        self, paths: Iterable[Path], progress: Callable[[int, int], None] | None = None, batch: int = 32
    ) -> list[FileResult]:
        """Load every file (a bad one gets its reason, the rest go on), then store_documents."""
        results: list[FileResult] = []
        docs: list[Document] = []
        for path in expand(paths):
            try:
                if not path.exists():
                    raise LoadError(f"{path}: no such file")
                docs.append(
                    load_path(path, int(self.settings.max_file_mb * 1_000_000), settings=self.settings)
                )
            except (LoadError, ValueError) as exc:
                results.append(FileResult(str(path), False, str(exc)))
        return results + self.store_documents(docs, progress, batch)

    def store_documents(
        self, docs: list[Document], progress: Callable[[int, int], None] | None = None, batch: int = 32
    ) -> list[FileResult]:
        """Store loaded Documents: each is read (parsed) once, first, so a transcript saying only
        "Ortiz" borrows "Lena Ortiz" from an article in the same ingest; then `batch` at a time
        (one embedding call each), `progress(done, total)` after each. One bad document never
        stops the rest: a batch that fails is retried one document at a time."""
        from rag.statements import analyse

        results: list[FileResult] = []
        read: list[tuple[Document, Analysis]] = []
        done = self.store.current([d.doc_id for d in docs])
        todo: list[Document] = []
        for doc in docs:
            if doc.doc_id in done and not doc.warnings:  # stored, by these rules: nothing to read
                results.append(FileResult(doc.source_key, True, f"already stored, unchanged: “{doc.title}”"))
            else:
                todo.append(doc)
        with ThreadPoolExecutor(1) as pool:
            # the sentences' vectors need no parse: the model computes them while the parser reads
            ahead = pool.submit(self._sentence_vectors, todo)
            for doc in todo:
                try:
                    read.append((doc, analyse(doc)))
                except Exception as exc:  # noqa: BLE001 - one unreadable text never stops the rest
                    results.append(
                        FileResult(doc.source_key, False, f"{doc.source_key}: cannot read it: {exc!r}")
                    )
            try:
                vectors = ahead.result()
            except Exception:  # noqa: BLE001 - an early start only: each batch embeds what it lacks
                vectors = {}
        known = self.known_names(n for _, a in read for n in a.people) if read else {}
        for at in range(0, len(read), batch):
            chunk = [d for d, _ in read[at : at + batch]]
            found = [a for _, a in read[at : at + batch]]
            try:
                results += self.ingest_documents(chunk, known, found, vectors)
            except Exception:  # noqa: BLE001 - whatever broke, retry alone so it breaks one file only
                for doc, a in zip(chunk, found):
                    try:
                        results += self.ingest_documents([doc], known, [a], vectors)
                    except Exception as exc:  # noqa: BLE001 - reported per file, the rest go on
                        why = str(exc) if isinstance(exc, (ValueError, RuntimeError)) else repr(exc)
                        results.append(FileResult(doc.source_key, False, f"{doc.source_key}: {why}"))
            if progress is not None:
                progress(at + len(chunk), len(read))
        return results

    def _sentence_vectors(self, docs: list[Document]) -> dict[str, Any]:
        """Vectors of the sentences of documents the store holds no passages of yet (the quotable
        spans that need no parse), float32, at most PREFETCH_TEXTS; each batch embeds the rest."""
        import numpy as np

        from rag.store.records import sentence_texts

        stored = self.store.current([d.doc_id for d in docs], rules=None)
        new = [d for d in docs if d.doc_id not in stored]
        texts = sentence_texts(new, self.settings.max_passage_chars, PREFETCH_TEXTS)
        out: dict[str, Any] = {}
        for at in range(0, len(texts), 1024):  # float32 rows, not lists of Python floats
            part = texts[at : at + 1024]
            out.update(zip(part, np.asarray(self.store.embeddings.embed_documents(part), dtype=np.float32)))
        return out
