"""rag/nlp.py: the packaged spaCy model is checked before it loads and loads without torch."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rag import nlp


def test_the_packaged_model_passes_its_checksums():
    assert nlp.check_model(nlp.model_dir()) == nlp.model_dir()


def test_a_changed_model_file_is_refused(tmp_path: Path):
    copy = tmp_path / "model"
    shutil.copytree(nlp.model_dir(), copy)
    weights = copy / "ner" / "model"
    data = bytearray(weights.read_bytes())
    data[100] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(nlp.ModelError, match="sha256"):
        nlp.check_model(copy)
    data[100] ^= 0xFF
    weights.write_bytes(bytes(data))
    (copy / "parser" / "model").unlink()
    with pytest.raises(nlp.ModelError, match="missing"):
        nlp.check_model(copy)


def test_parse_finds_entities_and_dependencies():
    (doc,) = nlp.parse(["Justin Logan, director of studies at the Cato Institute, said it would fail."])
    assert ("Justin Logan", "PERSON") in [(e.text, e.label_) for e in doc.ents]
    said = next(t for t in doc if t.lemma_ == "say")
    assert any(c.dep_ == "nsubj" and c.text == "Logan" for c in said.children)


def test_loading_spacy_does_not_import_torch():
    code = "import sys; from rag import nlp; nlp.pipeline(); print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "False", out.stderr
