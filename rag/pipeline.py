"""The assembled pipeline: ingest files into the store, answer questions from it.

Scope: wiring (settings -> embeddings -> store -> library -> composer), loaded lazily so that
importing costs nothing; per-file ingest results where one bad file never stops the rest.
Non-goals: presentation (cli.py, ui.py); ingest itself (ingest.py). Added beside DESIGN's layout because the CLI, the
UI and the tests all need the same wiring.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from rag.config import Settings
from rag.ingest import FileResult, Ingester, expand, stored_document
from rag.types import Answer, Scope

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from rag.compose import Composer
    from rag.library import Library
    from rag.llm.generate import Generator
    from rag.store import Store

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def mirror_path(settings: Settings, store: Store) -> Path:
    """This replica's lexical mirror: RAG_MIRROR_DIR, else beside the embedded store, else (a
    Chroma server) in the app's data folder; one file per collection mirrored."""
    import hashlib

    where = settings.mirror_dir or (
        settings.data_dir / "mirror" if settings.chroma_url else settings.store_dir
    )
    tag = hashlib.sha256(store.identity().encode()).hexdigest()[:12]
    return Path(where) / f"lexical-{store.name}-{tag}.sqlite3"


__all__ = ["FileResult", "Pipeline", "expand", "mirror_path", "stored_document"]

MODES = ("quotes", "llm")


class Pipeline(Ingester):
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
            correct=lambda t: lib.current().lexical.correction(t),
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

    def prepare(self) -> None:
        """What the app does before serving: open the store and the model, ingest the corpus
        folder (idempotent: unchanged files cost a hash each), re-read the statements of any
        article stored by older extraction rules, answer once to warm the caches."""
        results = self.ingest([self.settings.corpus_dir]) if self.settings.corpus_dir.is_dir() else []
        for r in results + self.reextract():
            print(("ok   " if r.ok else "FAIL ") + f"{r.path}: {r.message}", flush=True)
        self.ask("warm up")

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
