"""The assembled pipeline: ingest files into the store, answer questions from it.

Scope: wiring (settings -> embeddings -> store -> library -> composer), loaded lazily so that
importing costs nothing; per-file ingest results where one bad file never stops the rest.
Non-goals: presentation (cli.py, ui.py). Added beside DESIGN's layout because the CLI, the
UI and the tests all need the same wiring.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rag.config import Settings
from rag.load import SUFFIXES, LoadError, load_path
from rag.types import Answer, Document, Passage, Scope

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from rag.compose import Composer
    from rag.library import Library
    from rag.llm.generate import Generator
    from rag.statements import Analysis
    from rag.store import Store

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


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


def mirror_path(settings: Settings, store: Store) -> Path:
    """This replica's lexical mirror: RAG_MIRROR_DIR, else beside the embedded store, else (a
    Chroma server) in the app's data folder; one file per collection mirrored."""
    import hashlib

    where = settings.mirror_dir or (
        settings.data_dir / "mirror" if settings.chroma_url else settings.store_dir
    )
    tag = hashlib.sha256(store.identity().encode()).hexdigest()[:12]
    return Path(where) / f"lexical-{store.name}-{tag}.sqlite3"


def expand(paths: Iterable[Path]) -> Iterator[Path]:
    """Files as given, and the supported files inside folders (sorted, recursive)."""
    for p in paths:
        if p.is_dir():
            yield from sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES)
        else:
            yield p


MODES = ("quotes", "llm")


class Pipeline:
    def __init__(self, settings: Settings | None = None, llm: BaseChatModel | None = None):
        """`llm` overrides the chat model the settings name (tests, or a model built elsewhere)."""
        self.settings = settings or Settings()
        self._llm = llm

    @cached_property
    def store(self) -> Store:
        from rag.embed import load_embeddings
        from rag.store import Store

        s = self.settings
        return Store(s, load_embeddings(s.model_dir, s.embed_backend, s.model_cache))

    @cached_property
    def library(self) -> Library:
        from rag.library import Library
        from rag.mirror import Mirror

        store = self.store
        mirror = Mirror(mirror_path(self.settings, store), store.identity())
        return Library(store, mirror, self.settings.lexical_weight)

    @cached_property
    def composer(self) -> Composer:
        """The extractive composer, wired to the store only through the functions it is given."""
        import numpy as np

        from rag.answer.scoring import Scorer
        from rag.compose import Composer

        store, lib = self.store, self.library
        emb = store.embeddings

        def embed_texts(texts: list[str]) -> np.ndarray:
            return np.asarray(emb.embed_documents(texts))

        scorer = Scorer(
            self.settings,
            embed_query=lambda q: np.asarray(emb.embed_query(q)),
            quote_vectors=store.quote_vectors,
            embed_texts=embed_texts,
            idf=lambda t: lib.current().lexical.idf(t),
        )
        return Composer(lib, self.settings, scorer, store.passages_by_id, embed_texts)

    @cached_property
    def generator(self) -> Generator:
        from rag.llm.generate import Generator

        return Generator(self.composer, self.settings, self._llm)

    def _check_mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"answer mode {mode!r} is unknown; use one of {', '.join(MODES)}")
        if mode == "llm" and self._llm is None and not self.settings.llm_base_url:
            raise ValueError(
                "answer mode 'llm' needs an LLM: set RAG_LLM_BASE_URL (e.g. http://127.0.0.1:8080/v1, "
                "from `python -m rag llm-server`), or use mode 'quotes'"
            )

    def ingest_document(self, doc: Document, known: dict[str, str] | None = None) -> FileResult:
        """Store one Document; `known` (surname -> full name) resolves names the text leaves short."""
        return self.ingest_documents([doc], known)[0]

    def ingest_documents(
        self,
        docs: list[Document],
        known: dict[str, str] | None = None,
        analyses: list[Analysis] | None = None,
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
        for doc, r in zip(docs, self.store.add_many(batches)):
            what = "added" if r.added else "already stored, unchanged"
            if r.replaced:
                what += f", replaced {r.replaced} records of an older version"
            if doc.warnings:
                what += " (warning: " + "; ".join(doc.warnings) + ")"
            out.append(FileResult(doc.source_key, True, f"{what}: “{doc.title}”", r.passages, r.statements))
        return out

    def prepare(self) -> None:
        """What the app does before serving: open the store and the model, ingest the corpus
        folder (idempotent: unchanged files cost a hash each), re-read the statements of any
        article stored by older extraction rules, answer once to warm the caches."""
        results = self.ingest([self.settings.corpus_dir]) if self.settings.corpus_dir.is_dir() else []
        for r in results + self.reextract():
            print(("ok   " if r.ok else "FAIL ") + f"{r.path}: {r.message}", flush=True)
        self.ask("warm up")

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
        for doc in docs:
            if doc.doc_id in done and not doc.warnings:  # stored, by these rules: nothing to read
                results.append(FileResult(doc.source_key, True, f"already stored, unchanged: “{doc.title}”"))
                continue
            try:
                read.append((doc, analyse(doc)))
            except Exception as exc:  # noqa: BLE001 - one unreadable text never stops the rest
                results.append(
                    FileResult(doc.source_key, False, f"{doc.source_key}: cannot read it: {exc!r}")
                )
        known = self.known_names(n for _, a in read for n in a.people) if read else {}
        for at in range(0, len(read), batch):
            chunk = [d for d, _ in read[at : at + batch]]
            found = [a for _, a in read[at : at + batch]]
            try:
                results += self.ingest_documents(chunk, known, found)
            except Exception:  # noqa: BLE001 - whatever broke, retry alone so it breaks one file only
                for doc, a in zip(chunk, found):
                    try:
                        results += self.ingest_documents([doc], known, [a])
                    except Exception as exc:  # noqa: BLE001 - reported per file, the rest go on
                        why = str(exc) if isinstance(exc, (ValueError, RuntimeError)) else repr(exc)
                        results.append(FileResult(doc.source_key, False, f"{doc.source_key}: {why}"))
            if progress is not None:
                progress(at + len(chunk), len(read))
        return results

    def ask(
        self,
        question: str,
        history: list[dict[str, str]] | None = None,
        k: int | None = None,
        scope: Scope | None = None,
        mode: str = "quotes",
    ) -> Answer:
        """`mode` is "quotes" (extractive, the default) or "llm" (generative, when an LLM is set)."""
        self._check_mode(mode)
        if mode == "llm":
            return self.generator.answer(question, history, k, scope)
        return self.composer.answer(question, history, k, scope)

    def stream(
        self,
        question: str,
        history: list[dict[str, str]] | None = None,
        k: int | None = None,
        scope: Scope | None = None,
        mode: str = "quotes",
    ) -> Iterator[str | Answer]:
        """Yield the answer text as it is produced (cumulative strings, each one the whole text so
        far), then the final verified Answer as the last item. Extractive answers arrive at once;
        generated ones grow as the model writes, each quote shown only once closed and verified."""
        self._check_mode(mode)
        if mode == "llm":
            yield from self.generator.stream(question, history, k, scope)
            return
        a = self.composer.answer(question, history, k, scope)
        yield a.answer
        yield a

    def stats(self) -> dict[str, int]:
        return self.store.stats()
