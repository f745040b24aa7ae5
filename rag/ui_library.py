"""What the Library and Speakers tabs show and do, without Gradio: tables, suggested questions,
ingesting uploads / pasted text / a URL with per-item results.

Scope: plain functions over a Pipeline (and its Library caches), so they are unit-tested
without a browser. Non-goals: layout and events (ui.py), parsing files (load.py), fetching
(fetch.py). Upload limits live here: a file over the size limit or of an unsupported type gets
a one-line reason and the other files of the same upload still go in.
"""

from __future__ import annotations

import html
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rag.load import SUFFIXES, LoadError, load_bytes, load_path
from rag.pipeline import FileResult, Pipeline
from rag.types import Document

if TYPE_CHECKING:
    from rag.library import Library

LIBRARY_COLUMNS = ["Title", "Outlet", "Date", "Passages", "Statements", "ID"]
SPEAKER_COLUMNS = ["Speaker", "Roles (as of)", "Statements", "Articles"]
Progress = Callable[[int, int, str], None]


def md_escape(text: str) -> str:
    """Article or user text inside Markdown: shown as text, no HTML, emphasis or links."""
    text = html.escape(text, quote=False)
    for ch in "\\`*_[]<>#|":
        text = text.replace(ch, "\\" + ch)
    return text


def library_rows(library: Library) -> list[list[Any]]:
    """One row per stored article, newest first: title, outlet, date, passages, statements, doc_id."""
    lib = library.view()
    docs: dict[str, dict[str, Any]] = {}
    passages: Counter[str] = Counter()
    for pid, p in lib.passages.items():
        docs.setdefault(p.doc_id, lib.meta.get(pid, {}))
        passages[p.doc_id] += 1
    statements: Counter[str] = Counter(
        lib.passages[s.passage_id].doc_id for s in lib.statements if s.passage_id in lib.passages
    )
    rows = [
        [
            str(m.get("title", "")),
            str(m.get("source") or ""),
            str(m.get("published") or "")[:10],
            passages[d],
            statements[d],
            d,
        ]
        for d, m in docs.items()
    ]
    return sorted(rows, key=lambda r: (r[2], r[0]), reverse=True)


def speaker_rows(lib: Library) -> list[list[Any]]:
    """Who is quoted, their roles with the dates given, how many statements, in which articles
    (most quoted first)."""
    from rag.view import roles_text

    return [[s.name, roles_text(s), s.statements, "; ".join(s.articles)] for s in lib.speakers()]


_STOP = {
    "The", "A", "An", "In", "On", "Of", "For", "To", "And", "With", "After", "As", "At", "By", "From",
    "Is", "Are", "Was", "Be", "New", "Says", "Say", "Said", "Over", "Into", "Not", "Its", "His", "Her",
    "US", "U.S.", "Will", "Could", "Would", "Has", "Have", "Remarks", "President", "Press", "Briefing",
}  # fmt: skip


def topics(library: Library, n: int = 2) -> list[str]:
    """Names of things the most articles mention mid-sentence (so capitalised for being names, not
    for starting a sentence), people's names excluded; ties go to the more frequent."""
    lib = library.view()
    names = {w for full in lib.people for w in full.split()}
    names |= {w for s in lib.statements for full in s.speakers for w in full.split()}
    docs: dict[str, set[str]] = defaultdict(set)
    counts: Counter[str] = Counter()
    for p in lib.passages.values():
        for w in re.findall(r"(?<=[a-z,] )[A-Z][\w-]{2,}\b", p.text):
            if w not in _STOP and w not in names and not w.endswith("s'"):
                docs[w].add(p.doc_id)
                counts[w] += 1
    return sorted(counts, key=lambda w: (-len(docs[w]), -counts[w], w))[:n]


def suggested_questions(lib: Library, n: int = 4) -> list[str]:
    """Questions built from the library: its most quoted people and its recurring topics."""
    try:
        speakers = lib.speakers()
        subjects = topics(lib)
    except Exception:  # an unreachable store must not stop the page from building
        return []
    qs = [f"What did {s.name} say?" for s in speakers[:2]]
    qs += [f"What was said about {t}?" for t in subjects]
    qs += [f"Who is {s.name}?" for s in speakers[:3] if s.role]
    return list(dict.fromkeys(qs))[:n]


def _size(n: int) -> str:
    return f"{n / 1e6:.3g} MB" if n >= 1_000_000 else f"{n / 1e3:.3g} kB"


def check_upload(path: Path, max_bytes: int) -> str | None:
    """Why an uploaded file is refused before parsing (None: go ahead)."""
    if path.suffix.lower() not in SUFFIXES:
        return (
            f"{path.name}: unsupported file type {path.suffix or '(none)'}; "
            f"use one of {', '.join(sorted(SUFFIXES))}"
        )
    size = path.stat().st_size
    if size > max_bytes:
        return f"{path.name}: {_size(size)} is over the {_size(max_bytes)} upload limit"
    return None


def ingest_files(
    pipe: Pipeline, paths: Iterable[Path], max_bytes: int, progress: Progress | None = None
) -> list[FileResult]:
    """Like Pipeline.ingest, with limits and progress: one result per file, bad files never stop
    the rest. Names are resolved across the batch (a transcript's "Ortiz" -> "Lena Ortiz")."""
    results: list[FileResult] = []
    docs: list[Document] = []
    for path in paths:
        try:
            if reason := check_upload(path, max_bytes):
                raise LoadError(reason)
            docs.append(as_own_source(load_path(path, max_bytes, settings=pipe.settings)))
        except (LoadError, ValueError, OSError) as exc:
            results.append(FileResult(path.name, False, str(exc)))
    names = [d.source_key.rsplit("#", 1)[0] for d in docs]  # the files' names, as the user knows them
    if progress and docs:
        progress(0, len(docs), f"Indexing {', '.join(names[:3])}" + (" …" if len(names) > 3 else ""))

    def step(done: int, total: int) -> None:
        if progress and done < total:
            progress(done, total, f"Indexing {names[done]}" + (" …" if done + 1 < total else ""))

    for r in pipe.store_documents(docs, step):
        results.append(replace(r, path=r.path.rsplit("#", 1)[0]))  # the file's name, as the user knows it
    if progress:
        progress(len(docs), len(docs), "Done")
    return results


def pasted_document(title: str, text: str) -> Document:
    """Pasted text -> Document; the title (or the first short line) heads it."""
    title, text = title.strip(), text.strip()
    if not text:
        raise LoadError("pasted text: nothing to add; paste an article's text first")
    slug = re.sub(r"[^\w]+", "-", (title or text[:40]).lower()).strip("-") or "text"
    body = f"# {title}\n\n{text}" if title else text
    return as_own_source(load_bytes(body.encode("utf-8"), f"pasted/{slug[:60]}.md"))


def as_own_source(doc: Document) -> Document:
    """An upload or a paste is its own source: another outlet's "article.md" or a second text
    titled "Notes" must not replace the one already stored under that name. The same content
    again has the same key, so re-adding it still changes nothing."""
    return replace(doc, source_key=f"{doc.source_key}#{doc.doc_id[:8]}")


def ingest_one(pipe: Pipeline, load: Callable[[], Document], label: str) -> FileResult:
    try:
        return pipe.ingest_document(load())
    except Exception as exc:  # noqa: BLE001 - one clear line for this item; the app goes on
        return FileResult(label, False, str(exc))


def delete_article(pipe: Pipeline, doc_id: str) -> str:
    titles = {r[5]: r[0] for r in library_rows(pipe.library)}
    if doc_id not in titles:
        raise ValueError(f"no article with id {doc_id!r} in the library; pick one from the table")
    n = pipe.store.delete_document(doc_id)
    return f"Deleted “{md_escape(titles[doc_id])}” ({n} records)."


def results_markdown(results: list[FileResult]) -> str:
    """One line per item: ✓ stored (with counts) or ✗ the reason."""
    if not results:
        return "Nothing to add."
    lines = defaultdict(list)
    for r in results:
        if r.ok:
            lines["ok"].append(
                f"- ✓ {md_escape(r.message)} — {r.passages} passages, {r.statements} statements"
            )
        else:
            lines["bad"].append(f"- ✗ {md_escape(r.message)}")
    return "\n".join(lines["ok"] + lines["bad"])
