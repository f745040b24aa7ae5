"""General English vocabularies as data files, one entry per line (`#` starts a comment).

Scope: word lists the rules need — speech verbs, titles, group words, negations, number and
calendar words — loaded once, lower-cased. Nothing here names a person, place or organisation
of any article: those come from the text itself (entities, parses, appositions). Non-goals:
any rule that uses them.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

HERE = Path(__file__).parent


@cache
def words(name: str) -> frozenset[str]:
    """The entries of `<name>.txt`, lower-cased (multi-word entries keep their spaces)."""
    path = HERE / f"{name}.txt"
    if not path.is_file():
        raise ValueError(f"no vocabulary {name!r}: expected the file {path}")
    out = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        entry = line.split("#", 1)[0].strip().lower()
        if entry:
            out.add(" ".join(entry.split()))
    return frozenset(out)


@cache
def forms(name: str) -> dict[str, str]:
    """For a verb list whose lines are 'lemma form form …' (comma-separated when a form has a
    space: 'point out, points out, pointed out'): every form, and the lemma, -> the lemma."""
    out: dict[str, str] = {}
    for entry in sorted(words(name)):
        chunks = [c.strip() for c in entry.split(",")] if "," in entry else entry.split()
        for form in chunks:
            out.setdefault(form, chunks[0])
    return out


@cache
def table(name: str) -> dict[str, frozenset[str]]:
    """For a list whose lines are 'key value value …': each key -> its values."""
    out: dict[str, frozenset[str]] = {}
    for entry in words(name):
        key, *values = entry.split()
        out[key] = out.get(key, frozenset()) | frozenset(values)
    return out
