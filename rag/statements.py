"""Document -> [Statement]: who said what, read from spaCy parses of the sentences that can hold
a statement.

Scope: direct quotes (rag/quotes.py finds the marks) with their cue after ("…,” he said"),
before ("X said: “…”"), inverted ("said X"), split by the cue (“A,” she said, “B.”), running over
paragraphs, or continuing the last speaker's turn; quoted fragments only where a verb of the
sentence takes them ('called it "a costly error"'). Reported speech: the clause a speech verb
governs ("X said (that) …", "…, X noted", "X told reporters …"), "according to X, …", "…, per X".
Speakers, types and roles come from rag/speakers.py; transcripts from rag/transcript.py. Only
candidate sentences are parsed (a quotation mark, a speech verb, "according to", "per"), each
at most MAX_UNIT_CHARS around its cues and MAX_DOC_CHARS per document, so time stays bounded.
Non-goals: speakers across documents beyond completing surnames (`complete`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING

from rag import cues
from rag.cues import Unit
from rag.lexicon import words as vocabulary
from rag.names import name_after_office, surname_key
from rag.passages import paragraph_spans
from rag.quotes import Quote, quote_spans
from rag.speakers import Cast, Speaker
from rag.text import STOPWORDS, sentence_spans
from rag.transcript import is_transcript, transcript_statements
from rag.types import Document, Statement

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

EXTRACTOR = 13  # bump when the rules change what is extracted: stored libraries re-extract (store.py)
MAX_UNIT_CHARS = 2000  # a longer sentence is parsed only in windows around its cues
MAX_DOC_CHARS = 150_000  # most characters parsed per document (the rest is not read for statements)
SHORT = 3  # quoted fragments shorter than this count only when a verb of the sentence takes them


@dataclass(frozen=True)
class Analysis:
    statements: tuple[Statement, ...]
    people: tuple[str, ...]  # full names of the persons the parsed sentences name
    parsed_chars: int = 0
    truncated: bool = False  # MAX_DOC_CHARS was reached: some candidate sentences were not read


@dataclass
class _Reader:
    """One document being read: its text, quotes, parsed units and cast."""

    doc: Document
    quotes: list[Quote]
    cast: Cast

    def statement(
        self, sp: Speaker, a: int, b: int, cue: str | None, kind: str, para: int, end: int
    ) -> Statement:
        self.cast.heard(sp, end, para)
        stype, names, role = sp.type, sp.names, sp.role
        if stype in ("person", "unnamed"):  # the office read into a name is the role
            read = [name_after_office(n) for n in names]
            if stype == "unnamed":  # a phrase ending in a person's name the text gives elsewhere
                read = [(n, r) for n, r in read if r and _person_after(n, r, self.cast.full)]
                stype = "person" if len(read) == len(names) == 1 else stype
            if stype == "person" and read:
                names = tuple(n for n, _ in read)
                if role is None and len(read) == 1:
                    role = read[0][1]
        return Statement(self.doc.text[a:b], names, role, cue, kind, a, b, stype)  # type: ignore[arg-type]

    def direct(self, q: Quote, u: Unit, d: Doc, here: list[Quote]) -> Statement | None:
        text = self.doc.text
        n_words = len(text[q.start : q.end].split())
        first = next((t for t in d if u.start + t.idx >= q.start), None)
        cands: list[tuple[int, Token]] = []
        for t in d:
            pos = u.start + t.idx
            if cues.inside(pos, here) or (verb := cues.cue_of(t)) is None:
                continue
            after = pos >= q.outer[1]
            a, b = (q.outer[1], pos) if after else (pos + len(t.text), q.open_at)
            takes = first is not None and cues.takes(t, first, verb[1])
            between = [o for o in here if o is not q and a <= o.open_at < b]
            if between and not (takes and all(self._governs(t, verb[1], o, d, u) for o in between)):
                continue  # another quote stands between: the verb is that quote's (unless the
                # verb governs this one and what stands between is a fragment, "said that X
                # called it “unfair”, that “…”", or its own too, "called it “A” and the “B”")
            if (not verb[1] or n_words < SHORT) and not takes:
                continue
            # a verb that reports a clause of its own ("… though the Courier reports the bank had …")
            # is that clause's cue, not this quote's
            own = (
                any(c.dep_ == "ccomp" and not cues.inside(u.start + c.idx, here) for c in t.children)
                and not takes
            )
            cands.append((b - a + (0 if after else 1) + (10_000 if own else 0) - (5_000 if takes else 0), t))
        for _, t in sorted(cands, key=lambda c: c[0]):
            subj = cues.subject_of(t)
            if subj is not None and (sp := self.cast.speaker(subj, u.start)) is not None:
                lemma = (cues.cue_of(t) or ("",))[0]
                cue = t.text + (" " + t.nbor(1).text if " " in lemma else "")
                return self.statement(sp, q.start, q.end, cue, "direct", q.paragraph, u.end)
        # a clause and a colon before the quote ("Seán O'Brien disagreed: “…”"): its subject's words
        colon = next((t for t in reversed(d) if u.start + t.idx < q.open_at), None)
        if colon is not None and colon.text == ":" and n_words >= SHORT:
            intro: Token = colon.head
            subj = cues.subject_of(intro) if intro.pos_ in ("VERB", "AUX") else None
            if subj is not None and (sp := self.cast.speaker(subj, u.start)) is not None:
                return self.statement(sp, q.start, q.end, intro.text, "direct", q.paragraph, u.end)
        # no verb: "according to X, “…”" gives the quote to X
        sent = first.sent if first is not None else None
        for t in sent or ():
            if t.lower_ in ("according", "per") and not cues.inside(u.start + t.idx, here):
                if (obj := cues.object_of(t)) is not None and (
                    sp := self.cast.speaker(obj, u.start)
                ) is not None:
                    cue = "according to" if t.lower_ == "according" else "per"
                    return self.statement(sp, q.start, q.end, cue, "direct", q.paragraph, u.end)
        return self.continued(q, u, n_words)

    def _governs(self, v: Token, speech: bool, o: Quote, d: Doc, u: Unit) -> bool:
        """A quote between a verb and the quote being placed leaves the verb to it: a fragment,
        or a quote the verb also governs (its object, or a clause no other cue stands in)."""
        if len(self.doc.text[o.start : o.end].split()) < SHORT:
            return True
        first = next((t for t in d if u.start + t.idx >= o.start), None)
        if first is None:
            return False
        if speech:  # a speech verb: when no other cue stands between them
            lo, hi = sorted((v.i, first.i))
            return first in v.subtree and not any(cues.cue_of(t) for t in d[lo + 1 : hi])
        return cues.takes(v, first, False)

    def continued(self, q: Quote, u: Unit, n_words: int) -> Statement | None:
        """A quote with no cue of its own: the last speaker's turn goes on (the same paragraph,
        a quote paragraph after theirs, or a quote running over paragraphs), unless another
        person has been introduced as a subject since."""
        cast, text = self.cast, self.doc.text
        last = cast.last
        if last is None or n_words < SHORT:
            return None
        ps, pe = paragraph_spans(text)[q.paragraph]
        whole = text[ps : q.open_at].strip() == "" and text[q.outer[1] : pe].strip(' .,”’"') == ""
        if not (
            q.continues or cast.last_para == q.paragraph or (whole and q.paragraph - cast.last_para <= 1)
        ):
            return None
        fresh = [m for m in cast.mentions if cast.last_end <= m.pos < q.open_at and m.subject]
        if fresh and last.type == "person" and fresh[-1].name not in last.names:
            last = Speaker((fresh[-1].name,), "person", cast.roles.get(fresh[-1].name))
        return self.statement(last, q.start, q.end, None, "direct", q.paragraph, u.end)

    def _clause(self, t: Token, u: Unit, here: list[Quote]) -> tuple[int, int] | None:
        """The span a speech verb reports: its clausal complements ("…, but …, he noted": both),
        without the verb's own words and without a report nested at their edge ("…, though
        the Courier reports …" is the Courier's statement, not part of this one)."""
        clauses = [ch for ch in t.children if ch.dep_ == "ccomp"]
        if not clauses:
            return None
        inner = {y.i for ch in clauses for y in ch.subtree}
        for y in list(inner):  # a nested reporting verb with its own subject and what it governs
            x = t.doc[y]
            if (
                x.i != t.i
                and x.dep_ in ("advcl", "conj", "parataxis")
                and cues.cue_of(x)
                and cues.subject_of(x) is not None
            ):
                inner -= {z.i for z in x.subtree}
        mine = {y.i for y in t.subtree}
        if not inner:
            return None
        lo, hi = min(inner), max(inner)
        toks = [t.doc[i] for i in range(lo, hi + 1) if i in inner or i not in mine]
        while toks and (toks[-1].is_punct or toks[-1].lower_ in ("that", "though", "while", "as", "and")):
            toks.pop()
        while toks and (toks[0].is_punct or toks[0].lower_ == "that"):
            toks.pop(0)
        said = [x for x in toks if not x.is_punct and not cues.inside(u.start + x.idx, here)]
        if len(said) < 3:
            return None  # the clause is a direct quote (“A,” she said, “B.”): read as one
        return u.start + toks[0].idx, u.start + toks[-1].idx + len(toks[-1].text)

    def _worth(self, a: int, b: int, here: list[Quote]) -> bool:
        """Reported words say something of their own: three or more words outside quotation marks."""
        if any(q.start <= a and b <= q.end for q in here):
            return False  # wholly a direct quote: read as one
        text = self.doc.text
        unquoted = "".join(ch if not cues.inside(a + i, here) else " " for i, ch in enumerate(text[a:b]))
        return len(unquoted.split()) >= 3

    def reported(self, u: Unit, d: Doc, here: list[Quote], said: list[Statement]) -> list[Statement]:
        """Reported speech in a unit; `said`: the unit's direct statements found already."""
        out: list[Statement] = []
        credits: list[tuple[Token, tuple[int, int], Token]] = []
        for t in d:
            if cues.inside(u.start + t.idx, here):
                continue
            if t.lower_ in ("according", "per") and (obj := cues.object_of(t)) is not None:
                if (span := cues.according(t, u.start)) is not None:
                    credits.append((t, span, obj))
                continue
            c = cues.cue_of(t)
            if c is not None and not c[1] and (span := cues.characterised(t, u.start)) is not None:
                subj = cues.subject_of(t)  # "Dahl described the offer as generous"
                if subj is not None and self._worth(*span, here) and (sp := self.cast.speaker(subj, u.start)):
                    out.append(self.statement(sp, span[0], span[1], t.text, "indirect", u.paragraph, u.end))
                continue
            if c is None or not c[1]:
                continue
            agent = next((ch for ch in t.children if ch.dep_ == "agent"), None)
            if agent is not None:  # "…, as reported by the Courier": a credit, like "according to"
                if (obj := cues.object_of(agent)) is not None and (
                    span := cues.according(t, u.start)
                ) is not None:
                    credits.append((t, span, obj))
                continue
            if (span := self._clause(t, u, here)) is None:
                continue
            subj = cues.subject_of(t)
            if subj is not None and self._worth(*span, here) and (sp := self.cast.speaker(subj, u.start)):
                out.append(self.statement(sp, span[0], span[1], t.text, "indirect", u.paragraph, u.end))
        for t, (a, b), obj in credits:
            # "According to the Courier, Dahl said …": when the sentence already gives its words to
            # someone, the outlet is where the report comes from, not another statement of them
            sent = (u.start + t.sent.start_char, u.start + t.sent.end_char)
            if (sp := self.cast.speaker(obj, u.start)) is None or not self._worth(a, b, here):
                continue
            if any(sent[0] <= s.start < sent[1] and s.speakers != sp.names for s in [*said, *out]):
                continue
            cue = {"according": "according to", "per": "per"}.get(t.lower_, t.text)
            out.append(self.statement(sp, a, b, cue, "indirect", u.paragraph, u.end))
        return out


def _person_after(name: str, office: str, full: Mapping[str, str]) -> bool:
    """The name after an office in an unnamed speaker's phrase is a person's: one the text names
    as such, or one after an office noun or a comma ("… for the state Lena Ortiz"), not a body
    after a preposition ("… from the Department of Primary Industries")."""
    if surname_key(name) in full:
        return True
    last = office.split()[-1].lower() if office.split() else ""
    orgs = vocabulary("org_nouns")
    return last not in STOPWORDS and last not in orgs and not any(w.lower() in orgs for w in name.split())


@lru_cache(maxsize=8)  # `quotes` and tests ask twice; ingest passes its analyses along
def analyse(doc: Document) -> Analysis:
    """Every statement of a document in reading order (offsets into doc.text; the headline is
    skipped), and the people its parsed sentences name."""
    from rag import nlp

    text = doc.text
    paras = paragraph_spans(text)
    cast = Cast(text, para_starts=[s for s, _ in paras])
    if is_transcript(doc):
        stmts = transcript_statements(doc, {})
        return Analysis(tuple(stmts), tuple(dict.fromkeys(n for s in stmts for n in s.speakers)))
    quotes = quote_spans(text)
    skip_head = bool(doc.title) and text.startswith(doc.title)
    sentences = [s for ps, pe in paras for s in sentence_spans(text, ps, pe)]
    units, context, parsed, truncated = cues.candidates(
        text, quotes, sentences, skip_head, MAX_UNIT_CHARS, MAX_DOC_CHARS
    )
    docs = nlp.parse([text[u.start : u.end] for u in units + context])
    for u, d in zip(units + context, docs):
        cast.add_entities(u.start, list(d.ents), u.end)
        cast.add_titled(d)
    cast.index_mentions(sentences, [q.outer for q in quotes])
    reader = _Reader(doc, quotes, cast)
    out: list[Statement] = []
    done: set[int] = set()
    for u, d in zip(units, docs):
        here = [q for q in quotes if u.start <= q.open_at < u.end]
        said = []
        for q in here:
            if q.open_at not in done and (st := reader.direct(q, u, d, here)) is not None:
                said.append(st)
            done.add(q.open_at)
        out += said + reader.reported(u, d, here, said)
    out.sort(key=lambda s: (s.start, s.end))
    out = [
        replace(s, speakers=tuple(dict.fromkeys(cast.full_name(n) for n in s.speakers)))
        if s.speaker_type == "person"
        else s
        for s in out
    ]
    people = tuple(dict.fromkeys(cast.full.values()))
    return Analysis(tuple(out), people, parsed, truncated)


def complete(statements: Iterable[Statement], known: Mapping[str, str]) -> list[Statement]:
    """Surnames the document never spells out, completed from the rest of the library (`known`:
    surname -> full name, as Pipeline.known_names gives it)."""
    low = {k.lower(): v for k, v in known.items()}
    out = []
    for s in statements:
        if s.speaker_type == "person":
            names = tuple(low.get(n.lower(), n) if len(n.split()) == 1 else n for n in s.speakers)
            s = replace(s, speakers=tuple(dict.fromkeys(names)))
        out.append(s)
    return out


def extract_statements(doc: Document, known: Mapping[str, str] | None = None) -> list[Statement]:
    """Every statement in reading order, offsets into doc.text; `known` maps surnames to full
    names seen elsewhere in the library."""
    return complete(analyse(doc).statements, known or {})


def people_in(doc: Document) -> list[str]:
    """Full names of the persons the document's parsed sentences name (quoted or not)."""
    return sorted(set(analyse(doc).people))
