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
from typing import TYPE_CHECKING

from rag.config import Settings
from rag.load import SUFFIXES, LoadError, load_path
from rag.types import Answer, Document, Scope

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from rag.compose import Composer
    from rag.generate import Generator
    from rag.retrieve import Library
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
        from rag.retrieve import Library

        return Library(self.store, self.settings.lexical_weight)

    @cached_property
    def composer(self) -> Composer:
        from rag.compose import Composer

        return Composer(self.library, self.settings)

    @cached_property
    def generator(self) -> Generator:
        from rag.generate import Generator

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

    def ingest_documents(self, docs: list[Document], known: dict[str, str] | None = None) -> list[FileResult]:
        """Store several Documents with one embedding batch and a few store requests."""
        from rag.passages import split_passages
        from rag.statements import extract_statements, people_in
        from rag.store import doc_records

        known = known if known is not None else self.known_names()
        batches = []
        for doc in docs:
            passages = split_passages(doc, self.settings.max_passage_chars)
            batches.append(doc_records(doc, passages, extract_statements(doc, known), people_in(doc)))
        out = []
        for doc, r in zip(docs, self.store.add_many(batches)):
            what = "added" if r.added else "already stored, unchanged"
            if r.replaced:
                what += f", replaced {r.replaced} records of an older version"
            out.append(FileResult(doc.source_key, True, f"{what}: “{doc.title}”", r.passages, r.statements))
        return out

    def prepare(self) -> None:
        """What the app does before serving: open the store and the model, ingest the corpus
        folder (idempotent: unchanged files cost a hash each), answer once to warm the caches."""
        if self.settings.corpus_dir.is_dir():
            for r in self.ingest([self.settings.corpus_dir]):
                print(("ok   " if r.ok else "FAIL ") + f"{r.path}: {r.message}", flush=True)
        self.ask("warm up")

    def known_names(self, docs: Iterable[Document] = ()) -> dict[str, str]:
        """Surname -> full name over the stored library and `docs` (the first spelling wins)."""
        from rag.statements import people_in

        known: dict[str, str] = {}
        self.library.refresh()  # the stored library as it is now, not as first seen
        for full in [*sorted(self.library.people), *(n for d in docs for n in people_in(d))]:
            known.setdefault(full.split()[-1], full)
        return known

    def ingest(
        self, paths: Iterable[Path], progress: Callable[[int, int], None] | None = None, batch: int = 32
    ) -> list[FileResult]:
        """Load every file first, so a transcript saying only "Biden" can borrow "Joe Biden"
        from an article in the same batch; then store them `batch` at a time (one embedding
        call each), calling `progress(done, total)` after each. One bad file never stops the
        rest: a batch that fails is retried one document at a time."""
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
        known = self.known_names(docs) if docs else {}
        for at in range(0, len(docs), batch):
            chunk = docs[at : at + batch]
            try:
                results += self.ingest_documents(chunk, known)
            except Exception:  # noqa: BLE001 - whatever broke, retry alone so it breaks one file only
                for doc in chunk:
                    try:
                        results.append(self.ingest_document(doc, known))
                    except Exception as exc:  # noqa: BLE001 - reported per file, the rest go on
                        why = str(exc) if isinstance(exc, (ValueError, RuntimeError)) else repr(exc)
                        results.append(FileResult(doc.source_key, False, f"{doc.source_key}: {why}"))
            if progress is not None:
                progress(at + len(chunk), len(docs))
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
