"""Holding a model's answer to its sources: every quote it wrote checked before anyone sees it.

Scope: `verify_generated`, the pure check every generation goes through — each quotation (in any
quote-mark style) is placed in a numbered source (exact; right words under the wrong number;
or garbled words within NEAR_MISS, unless the correction would change a negation, a number, a
date or a name), then handed to verify.cite, which checks it against the store's copy; a
sentence keeps a [n] only if it holds a verified quote from source n, and a sentence whose every
[n] fails is removed (it claims a source that does not say it). Also: the visible part of a
growing answer. Non-goals: prompting, calling the model (rag/llm/prompt.py, generate.py); the
near-miss match (near.py); instruction-like payloads in the sources (injection.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from rag.llm.near import changes_meaning, near_miss
from rag.llm.sources import Source, claim_kind, sources_fetch
from rag.types import Citation, Claim
from rag.verify import Fetch, cite, locate, trim_span

REMOVED = "(unverified quote removed)"
ARTICLE_WORDS = " (the article's words)"  # after a verified quote that is not a person's quotation

# Quotations in every style a model may write: curly and straight double, guillemets either way
# round, low-high („…“, ‚…‘), single angle (‹…›), CJK corner brackets, double primes, TeX (``…''),
# curly single and straight single (not apostrophes: "Norway's").
_QUOTE = re.compile(
    r"“([^“”\n]+)”|\"([^\"\n]+)\"|«([^«»\n]+)»|»([^«»\n]+)«|„([^„“”\n]+)[“”]|‚([^‚‘’\n]+)[‘’]"
    r"|‹([^‹›\n]+)›|›([^‹›\n]+)‹|「([^「」\n]+)」|『([^『』\n]+)』|″([^″\n]+)″|``([^`\n]+?)''"
    r"|‘([^‘’\n]+)’|(?<![\w’'`])'([^'\n]+?)'(?![\w’'])"
)
_REF = re.compile(r"\[\s*(?:sources?\s*)?(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\s*\]", re.I)
_STRAY = re.compile("[\"“”«»„‘‚‹›「」『』″`]|''")  # stray marks left in the prose (not ’ or ')
_OPENERS = '“"«»„‚‹›「『″‘'  # marks that may open a quotation (» and › open the reversed styles)
# placeholders while the text is rebuilt: a verified quote (citation k), a bare [n] (source n)
_QTOKEN, _RTOKEN = "\x01", "\x02"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\x01\x02(“\"])")


def _refs(m: re.Match[str]) -> list[int]:
    return [int(x) for x in re.split(r"\s*[,;]\s*", m.group(1).strip())]


def _attach(text: str, quotes: list[re.Match[str]], refs: list[re.Match[str]]) -> dict[int, list[int]]:
    """Which [n] markers belong to which quote: those right after it (same line, before the next
    quote), else those just before it ("According to [2], “…”"). Returns quote index -> ref indexes."""
    out: dict[int, list[int]] = {}
    used: set[int] = set()
    for qi, q in enumerate(quotes):
        nxt = quotes[qi + 1].start() if qi + 1 < len(quotes) else len(text)
        prev = quotes[qi - 1].end() if qi else 0
        after = [
            ri
            for ri, r in enumerate(refs)
            if q.end() <= r.start() < nxt and "\n" not in text[q.end() : r.start()]
        ]
        group: list[int] = []
        for ri in after:  # the first run of markers, close to the quote
            gap_from = refs[group[-1]].end() if group else q.end()
            if len(text[gap_from : refs[ri].start()].strip(" ,;.:)(")) > (0 if group else 40):
                break
            group.append(ri)
        if not group:
            before = [
                ri
                for ri, r in enumerate(refs)
                if prev <= r.start() and r.end() <= q.start() and ri not in used
                if "\n" not in text[r.end() : q.start()] and len(text[r.end() : q.start()]) <= 60
            ]
            group = before[-1:]
        used.update(group)
        out[qi] = group
    return out


def _place(quote: str, cited: list[Source], others: list[Source]) -> tuple[Source, int, int, str] | None:
    """Where a model's quote really is: exact in a cited source, exact elsewhere (wrong number:
    corrected, or just unnumbered: exact), near-miss in a cited then any source (corrected,
    unless the source's words say something else: another negation, number, date or name)."""
    for s in cited:
        if span := locate(quote, s.passage.text):
            return s, *trim_span(s.passage.text, *span), "exact"
    for s in others:
        if span := locate(quote, s.passage.text):
            return s, *trim_span(s.passage.text, *span), ("corrected" if cited else "exact")
    for s in [*cited, *others]:
        if span := near_miss(quote, s.passage.text):
            if changes_meaning(quote, s.passage.text[span[0] : span[1]]):
                return s, *span, "refused"
            return s, *span, "corrected"
    return None


def _tidy(text: str) -> str:
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r" +([.,;:!?])", r"\1", text)
    text = re.sub(r"([.,;:])\1+", r"\1", text)
    return "\n".join(line.strip() for line in text.splitlines()).strip()


def _sentences(line: str, final: set[int]) -> list[str]:
    """A line of placeholders split into sentences: at . ! ? before a capital, and after a
    quotation that ends a sentence (“It will work.” He …)."""
    out = []
    for piece in _SENTENCE_END.split(line):
        at = 0
        for m in re.finditer(rf"{_QTOKEN}(\d+){_QTOKEN}\s+(?=[A-Z])", piece):
            if int(m.group(1)) in final:
                out.append(piece[at : m.end()].rstrip())
                at = m.end()
        out.append(piece[at:])
    return out


def _renumber(by_src: dict[int, int]) -> Callable[[re.Match[str]], str]:
    """A bare source number -> the [k] of that source's citation in the sentence, or nothing."""

    def sub(m: re.Match[str]) -> str:
        n = int(m.group(1))
        return f"[{by_src[n]}]" if n in by_src else ""

    return sub


def _held_to_sources(text: str, src_of: dict[int, int], final: set[int], diag: dict[str, float]) -> str:
    """The sentence rule on a text of placeholders: a bare [n] stays (as the number of the
    sentence's citation from source n) only where its sentence holds a verified quote from
    source n; a sentence whose every [n] fails, with no verified quote, is removed."""
    lines = []
    for line in text.split("\n"):
        kept = []
        for sent in _sentences(line, final):
            cited_here = [int(k) for k in re.findall(rf"{_QTOKEN}(\d+){_QTOKEN}", sent)]
            by_src: dict[int, int] = {}
            for k in cited_here:
                by_src.setdefault(src_of[k], k)
            bare = [int(n) for n in re.findall(rf"{_RTOKEN}(\d+){_RTOKEN}", sent)]
            held = [n for n in bare if n in by_src]
            diag["refs_unquoted_dropped"] += len(bare) - len(held)
            if bare and not held and not cited_here:
                diag["sentences_unsupported_removed"] += 1
                continue
            kept.append(re.sub(rf"{_RTOKEN}(\d+){_RTOKEN}", _renumber(by_src), sent))
        lines.append(" ".join(kept))
    return "\n".join(lines)


def verify_generated(
    text: str, sources: Sequence[Source], fetch: Fetch | None = None
) -> tuple[str, list[Citation], dict[str, float]]:
    """Check a model's answer against the numbered sources it was given.

    Every quoted span must be the words of a source (only quote marks and whitespace
    normalised): exact ones are kept, near-misses replaced by the source's real words when that
    changes no negation, number, date or name (else removed), a wrong [n] corrected; anything
    else is replaced by REMOVED. The placed quotes go through verify.cite against `fetch` (the
    store; default: the sources themselves, for pure tests), which numbers the ones that hold.
    [n] outside 1..len is dropped; a bare [n] stays only in a sentence quoting source n; stray
    quote marks in the prose are removed, so every quotation left is a verified citation.
    Returns (clean text with [n] renumbered to the citations, citations, diagnostics).
    """
    by_n = {s.n: s for s in sources}
    quotes = list(_QUOTE.finditer(text))
    # a [n] inside a quotation goes with it (the whole quotation is replaced or removed)
    refs = [r for r in _REF.finditer(text) if not any(q.start() < r.start() < q.end() for q in quotes)]
    attached = _attach(text, quotes, refs)
    diag = dict.fromkeys(
        (
            "quotes_model",
            "quotes_exact",
            "quotes_corrected",
            "quotes_refused",
            "quotes_removed",
            "bad_refs_dropped",
            "refs_unquoted_dropped",
            "sentences_unsupported_removed",
        ),
        0.0,
    )
    placed: dict[int, tuple[Source, int, int, str]] = {}
    for qi, q in enumerate(quotes):
        said = " ".join(_REF.sub(" ", next(g for g in q.groups() if g is not None)).split())
        if not said.strip(" .,;:!?'’"):
            continue
        diag["quotes_model"] += 1
        wanted = [n for ri in attached[qi] for n in _refs(refs[ri])]
        diag["bad_refs_dropped"] += sum(n not in by_n for n in wanted)
        cited = [by_n[n] for n in dict.fromkeys(wanted) if n in by_n]
        if (p := _place(said, cited, [s for s in sources if s not in cited])) is not None:
            placed[qi] = p
    claims = [
        Claim(src.passage.passage_id, a, b, src.passage.text[a:b], *claim_kind(src, a, b))
        for src, a, b, how in placed.values()
        if how != "refused"
    ]
    checked = cite(claims, fetch or sources_fetch(sources))
    number = {(c.passage_id, c.start, c.end): c for c in checked.citations}
    src_of: dict[int, int] = {}
    edits: list[tuple[int, int, str]] = []
    for qi, q in enumerate(quotes):
        for ri in attached.get(qi, []):
            edits.append((refs[ri].start(), refs[ri].end(), ""))
        if qi not in placed:
            said = next(g for g in q.groups() if g is not None)
            if said.strip(" .,;:!?'’"):
                diag["quotes_removed"] += 1
                edits.append((q.start(), q.end(), REMOVED))
            else:
                edits.append((q.start(), q.end(), ""))
            continue
        src, a, b, how = placed[qi]
        c = number.get((src.passage.passage_id, a, b))
        if c is None:  # refused, or failed the store check
            diag["quotes_refused" if how == "refused" else "quotes_removed"] += 1
            edits.append((q.start(), q.end(), REMOVED))
            continue
        diag["quotes_exact" if how == "exact" else "quotes_corrected"] += 1
        src_of[c.n] = src.n
        edits.append((q.start(), q.end(), f"{_QTOKEN}{c.n}{_QTOKEN}"))
    taken = {ri for group in attached.values() for ri in group}
    for ri, r in enumerate(refs):
        if ri in taken:
            continue
        marks = []
        for n in _refs(r):
            if n in by_n:
                marks.append(f"{_RTOKEN}{n}{_RTOKEN}")
            else:
                diag["bad_refs_dropped"] += 1
        edits.append((r.start(), r.end(), "".join(dict.fromkeys(marks))))
    out: list[str] = []
    pos = 0
    for a, b, new in sorted(edits):
        out += [_STRAY.sub("", text[pos:a]), new]
        pos = b
    out.append(_STRAY.sub("", text[pos:]))
    final = {c.n for c in checked.citations if c.quote.rstrip("”’\"'»)").endswith((".", "!", "?"))}
    body = _held_to_sources("".join(out), src_of, final, diag)
    by_k = {c.n: c for c in checked.citations}

    def shown(m: re.Match[str]) -> str:
        c = by_k[int(m.group(1))]
        return f"“{c.quote}” [{c.n}]" + ("" if c.is_quotation else ARTICLE_WORDS)

    body = re.sub(rf"{_QTOKEN}(\d+){_QTOKEN}", shown, body)
    lines, listed = [], set()
    for line in _tidy(body).split("\n"):  # two model quotes corrected to one source text
        if line.startswith("- “") and line in listed:
            continue
        listed.add(line)
        lines.append(line)
    return "\n".join(lines), list(checked.citations), diag


def visible_prefix(text: str) -> str:
    """The part of a growing answer that can be verified now: up to the first opening quote
    mark (any style) that no complete quotation closes yet, or an unfinished [n marker."""
    covered = [(m.start(), m.end()) for m in _QUOTE.finditer(text)]
    cut = len(text)
    for i, ch in enumerate(text):
        single = ch == "'" and (i == 0 or not text[i - 1].isalnum()) and text[i + 1 : i + 2].isalpha()
        if (ch in _OPENERS or single or text.startswith("``", i)) and not any(a <= i < b for a, b in covered):
            cut = i
            break
    if (i := text.rfind("[")) > text.rfind("]"):
        cut = min(cut, i)
    return text[:cut]
