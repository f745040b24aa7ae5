"""The embedding runtimes: the ONNX export gives sentence-transformers' vectors, the int8 graph
stays close and gets its own collection, a tampered export is refused, and the default
runtime answers without importing torch."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from rag.config import Settings
from rag.embed import OnnxEmbeddings, load_embeddings, onnx_path, packaged_model_dir
from rag.store import collection_name

ROOT = Path(__file__).resolve().parent.parent
TEXTS = [
    "Ukraine needs insurance for what Trump promises, and it needs more than just a word.",
    "The Panthers defense gave up just 308 points, ranking sixth in the league.",
    "Short.",
    " ".join(["A very long passage that the model must truncate at its token limit."] * 60),
]

pytestmark = pytest.mark.slow


def vectors(backend: str) -> np.ndarray:
    return np.asarray(load_embeddings(backend=backend).embed_documents(TEXTS))  # type: ignore[arg-type]


def test_onnx_gives_sentence_transformers_vectors():
    torch_v, onnx_v = vectors("torch"), vectors("onnx")
    assert onnx_v.shape == (len(TEXTS), 384)
    assert np.allclose(np.linalg.norm(onnx_v, axis=1), 1.0, atol=1e-5)
    assert np.min(np.sum(torch_v * onnx_v, axis=1)) > 0.9999
    q = np.asarray(load_embeddings(backend="onnx").embed_query(TEXTS[0]))
    assert float(q @ onnx_v[0]) > 0.9999  # a query is embedded like a document


def test_int8_is_close_and_has_its_own_collection(tmp_path):
    assert np.min(np.sum(vectors("torch") * vectors("onnx-int8"), axis=1)) > 0.85
    names = {
        collection_name(Settings(store_dir=tmp_path, embed_backend=b)) for b in ("onnx", "torch", "onnx-int8")
    }
    assert len(names) == 2  # torch and fp32 ONNX share a vector space; int8 does not


def test_tampered_export_is_refused(tmp_path):
    src = onnx_path(packaged_model_dir(), int8=True)
    copy = tmp_path / src.parent.name
    shutil.copytree(src.parent, copy)
    assert OnnxEmbeddings(onnx_path(packaged_model_dir(), int8=True, cache=tmp_path), packaged_model_dir())
    data = bytearray((copy / src.name).read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte in the weights
    (copy / src.name).write_bytes(bytes(data))
    with pytest.raises(RuntimeError, match="does not match its manifest"):
        onnx_path(packaged_model_dir(), int8=True, cache=tmp_path)


def test_default_runtime_answers_without_torch(tmp_path):
    code = (
        "import sys; from pathlib import Path; from rag.config import Settings; "
        "from rag.pipeline import Pipeline; "
        f"p = Pipeline(Settings(store_dir=Path({str(tmp_path)!r}))); "
        f"p.ingest([Path({str(ROOT / 'corpus')!r})]); "
        "a = p.ask('What did Bruen say Ukraine needs?'); "
        "assert a.citations and 'Bruen' in a.answer, a.answer; "
        "print('torch' in sys.modules, 'sentence_transformers' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["False", "False"]
