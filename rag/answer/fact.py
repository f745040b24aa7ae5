"""Fact lookup, the fallback for every question: the sentences of the retrieved passages that
answer, ranked by meaning, shared words and the kind of answer asked for (a "where" answer
holds a place, a "how many" one a number, a "why" one a cause), from articles that name what
the question names. A headline is cited only when no body sentence supports the answer."""

from __future__ import annotations

import re
from dataclasses import replace

from rag.answer.base import Context, Draft, Evidence
from rag.answer.common import described, rank
from rag.answer.evidence import date_of, pairs, sentences, statements_of
from rag.answer.scoring import COS_FLOOR
from rag.lexical import acronyms, initialisms, terms
from rag.lexicon import table
from rag.lexicon import words as vocabulary
from rag.text import STOPWORDS
from rag.types import RetrievedPassage

ANTECEDENT_WORDS = 80  # longest quote a sentence and its antecedent make together
GATED = ("cause", "name")  # answer types without which a sentence answers nothing


def _topic_names(ctx: Context) -> tuple[str, ...]:
    """Every name the question is about: its entities, and the people it names as doers or
    speakers, quoted or not ("What sentence did Lena Ortiz receive?" is about Ortiz: a
    sentence handed to someone else answers nothing)."""
    i = ctx.intent
    named = tuple(s for s in i.speakers if not described(ctx, s))  # not a guess for "the police"
    return tuple(dict.fromkeys(i.entities + named + i.unquoted))


def _named_in(ctx: Context, doc_id: str) -> bool:
    """The article names every name the question treats as its topic ("… in Eastport?")."""
    text = ctx.lib.doc_text(doc_id)
    return all(_names_whole(ctx, text, n) or _spells_out(ctx, doc_id, n) for n in _topic_names(ctx))


def _names_whole(ctx: Context, low: str, name: str) -> bool:
    """A person is named by their surname ("Ortiz" names "Lena Ortiz"); any other name of two
    capitalised words or more by each of them ("Coupe de Valmark" does not name the "Tour de
    Valmark": "tour" is not there)."""
    people = ctx.lib.cache.get("people_names")
    if people is None:  # everyone the library names or quotes, once per view
        people = ctx.lib.cache.setdefault(
            "people_names", frozenset({*ctx.lib.people, *(s.name for s in ctx.lib.speakers())})
        )
    parts = [w for w in name.split() if w[:1].isupper() and len(w) >= 3 and w.lower() not in STOPWORDS]
    if name in people or name in ctx.intent.speakers or name in ctx.intent.unquoted or len(parts) < 2:
        return _names(low, name)
    return all(_names(low, w) or _apart_in(low, w) for w in parts)


def _apart_in(low: str, word: str) -> bool:
    """The text writes the word as two ("Harbourfest" for "Harbour Fest")."""
    w = word.lower()
    return any(
        re.search(rf"(?<!\w){re.escape(w[:i])} {re.escape(w[i:])}(?!\w)", low) for i in range(3, len(w) - 2)
    )


def _names(low: str, name: str) -> bool:
    """A lower-cased text names the name: a word starting with the first six letters of its last
    word ("Ortiz's" names "Lena Ortiz"); a shorter one as a word, with a plural ending from four
    letters ("boards" names "Examination Board"; "US" is not in "thus", nor in "uses")."""
    last = name.split()[-1].lower()
    if len(last) >= 6 and last.endswith("s") and not last.endswith("ss") and _names(low, last[:-1]):
        return True  # "Valmarks" typed for "Valmark's"
    if len(last) >= 6:
        return last[:6] in low and re.search(rf"(?<!\w){re.escape(last[:6])}", low) is not None
    ending = "(?:e?s)?" if len(last) >= 4 else ""
    return re.search(rf"(?<!\w){re.escape(last)}{ending}(?!\w)", low) is not None


def _names_all(ctx: Context, e: Evidence) -> bool:
    """The sentence itself names every name the question treats as its topic (there is one)."""
    low = (e.context or e.quote).lower()
    names = _topic_names(ctx)
    return bool(names) and all(_names_whole(ctx, low, n) for n in names)


def _spells_out(ctx: Context, doc_id: str, name: str) -> bool:
    """An acronym the article writes in full ("NFC": "Northern Fisheries Council")."""
    acr = acronyms(name)
    if not acr:
        return False
    cache: dict[str, set[str]] = ctx.__dict__.setdefault("_initialisms", {})
    if doc_id not in cache:
        passages = ctx.lib.doc_passages().get(doc_id, [])
        cache[doc_id] = {t for p in passages for t in initialisms(p.text)}
    return all(a in cache[doc_id] for a in acr)


def fact(ctx: Context) -> Draft | None:
    intent = ctx.intent
    hits = [h for h in ctx.hits if _named_in(ctx, h.passage.doc_id)]
    says = intent.kind in ("what_said", "reactions", "compare", "who_said")
    ranked = rank(ctx, _candidates(ctx, hits), direct=says, answer_type=intent.answer_type)
    if hits and _counts_asked(ctx) and not any(e.fit >= 1.0 for e in ranked):
        hits = _whole_article(ctx, hits)  # the count asked for is elsewhere in the article it is about
        ranked = rank(ctx, _candidates(ctx, hits), direct=says, answer_type=intent.answer_type)
    asked = set(terms(intent.text))
    # a count of what is asked, or a figure in the unit asked for ("How heavy …": "1.8 kilograms"),
    # is on topic with a little meaning
    counts = _counts_asked(ctx) or (
        intent.answer_type == "number" and intent.measure in table("measure_units")
    )
    held = [
        e
        for e in ranked
        if (
            ctx.scorer.supported(e, intent.answer_type, intent.measure, _names_all(ctx, e))
            or (counts and e.fit >= 1.0 and e.cos >= COS_FLOOR)
        )
        and _tells(e, asked)
    ]
    if not held or (intent.answer_type in GATED and not any(e.fit > 0 for e in held)):
        return None  # "Why did the fire start?" with no cause in any sentence: the articles don't say
    top = held[0].score
    chosen = _apart([e for e in held if e.score >= 0.85 * top])
    chosen = _no_lone_headlines(ctx, chosen[: ctx.settings.max_quotes], ranked)
    chosen = _apart([_with_antecedent(e) for e in chosen])
    if counts and not any(e.fit >= 1.0 for e in chosen):  # no quote gives a count of what is asked:
        exact = next((e for e in held if e.fit >= 1.0), None)  # the best one that does is cited too
        if exact is not None:
            chosen = _apart([*chosen[: ctx.settings.max_quotes - 1], exact])
    if intent.newest_first:  # the newest supported evidence leads
        dated = [
            e
            for e in ranked[:10]
            if ctx.scorer.supported(e, intent.answer_type, intent.measure) and date_of(ctx.lib, e)
        ]
        if dated:
            newest = max(dated, key=lambda e: date_of(ctx.lib, e))
            chosen = [newest, *(e for e in chosen if e is not newest)][: ctx.settings.max_quotes]
    return Draft("", tuple(chosen), "fact")


def _counts_asked(ctx: Context) -> bool:
    """ "How many people were on board the Eastport ferry?": a count of the thing asked, and
    every candidate comes from an article naming what the question names. Then a sentence
    giving that count is on topic through its article ("There were 212 people on board" shares
    few words with the question: the sentences before it name the ferry)."""
    i = ctx.intent
    return (
        i.answer_type == "number"
        and i.measure not in (None, "percent", "money", "frequency", "duration")
        and bool(_topic_names(ctx))
    )


def _whole_article(ctx: Context, hits: list[RetrievedPassage]) -> list[RetrievedPassage]:
    """The hits and the other passages of the top hit's article, after them."""
    seen = {h.passage.passage_id for h in hits}
    rest = ctx.lib.doc_passages().get(hits[0].passage.doc_id, [])
    return hits + [RetrievedPassage(p, 0.0) for p in rest if p.passage_id not in seen]


def _with_antecedent(e: Evidence) -> Evidence:
    """A sentence of narration opening with a word that points back ("These include a new breakwater …",
    "It is also called …") is cited with the sentence before it in its paragraph: alone it does
    not say what it is about, and that sentence often holds what it refers to."""
    first = re.match(r"\W*([A-Za-z]+)", e.quote)
    if (
        e.kind != "text"
        or e.joins
        or not e.before
        or not first
        or first.group(1).lower() not in vocabulary("anaphors")
    ):
        return e
    text = e.passage.text
    start = text.rfind(e.before, 0, e.start)
    if (
        start < 0
        or text[start + len(e.before) : e.start].strip()
        or len(text[start : e.end].split()) > ANTECEDENT_WORDS
    ):
        return e
    return replace(e, start=start, joins=e.start, context=text[start : e.end], before="")


def _tells(e: Evidence, asked: set[str]) -> bool:
    """The quote says something the question does not: a headline that only repeats the
    question's words ("Harbour Bridge" for "Who built the Harbour Bridge?") answers nothing."""
    return bool(set(terms(e.quote)) - asked)


def _apart(evs: list[Evidence]) -> list[Evidence]:
    """Each span once: a quote inside a sentence already chosen (or the reverse) is dropped, and
    the same words in another article (a wire story printed twice) are cited once."""
    out: list[Evidence] = []
    for e in evs:
        if not any(
            (o.passage.passage_id == e.passage.passage_id and o.start < e.end and e.start < o.end)
            or o.quote == e.quote
            for o in out
        ):
            out.append(e)
    return out


def _candidates(ctx: Context, hits: list[RetrievedPassage]) -> list[Evidence]:
    """The hits' sentences and short pairs of them; for "why did X …", X's own statements too
    (their explanation)."""
    evs = sentences(ctx.lib, hits)
    evs += pairs(evs)
    if ctx.intent.answer_type == "cause":
        people = set(ctx.intent.speakers) | set(ctx.intent.entities)
        evs += [e for e in statements_of(ctx.lib, ctx.statements) if people & set(e.speakers)]
    return evs


def _no_lone_headlines(ctx: Context, chosen: list[Evidence], ranked: list[Evidence]) -> list[Evidence]:
    """Each headline gives way to its article's best supported body sentence, when there is one."""
    out: list[Evidence] = []
    for e in chosen:
        body = e
        if e.kind == "headline":
            body = next(
                (
                    b
                    for b in ranked
                    if b.kind != "headline"
                    and b.passage.doc_id == e.passage.doc_id
                    and ctx.scorer.supported(b)
                ),
                e,
            )
        span = (body.passage.passage_id, body.start, body.end)  # (scored twice: equal spans, unequal scores)
        if all((o.passage.passage_id, o.start, o.end) != span for o in out):
            out.append(body)
    return out
