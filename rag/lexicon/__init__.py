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
