"""LangChain's own standard tests for retrievers (`langchain-tests`, RetrieversIntegrationTests)
run against HybridRetriever over a real embedded store holding the seed article: `k` from the
constructor and through `invoke`/`ainvoke`, Documents returned."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from langchain_tests.integration_tests import RetrieversIntegrationTests

from rag.library import Library
from rag.retrieve import HybridRetriever
from tests.conftest import SEED

pytestmark = pytest.mark.slow


@cache
def _library() -> Library:
    from rag.config import Settings
    from rag.pipeline import Pipeline

    tmp = Path(tempfile.mkdtemp(prefix="lc-standard-"))
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    pipe = Pipeline(Settings(store_dir=tmp / "store"))
    assert all(r.ok for r in pipe.ingest([SEED]))
    return pipe.library


class TestHybridRetrieverStandard(RetrieversIntegrationTests):
    @property
    def retriever_constructor(self) -> type[HybridRetriever]:
        return HybridRetriever

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        return {"library": _library()}

    @property
    def retriever_query_example(self) -> str:
        return "What did Bruen say Ukraine needs?"
