"""Scoring candidate quotes against a question, and deciding what supports an answer.

Scope: a quote's score is the cosine between its vector and the question's (vectors stored at
ingest, injected here as functions: this module never calls the store), plus the idf-weighted
share of the question's words it holds, plus whether it holds the kind of answer asked for
(a number for "how many", a date for "when", a place for "where" — NER on the few best
candidates only — a cause clause for "why"). Support (abstain by meaning): the topic must be
there (cosine, or shared words with a cosine floor), and the answer type where there is one.
Figures (numbers, counts, sums) are read by rag/answer/figures.py. Non-goals: choosing among
supported quotes (the strategies).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from rag.answer.base import Evidence
from rag.answer.figures import (
    ASKS_POSSIBLE,
    DATE_YEAR,
    ORDINAL,
    RATES,
    counts,
    counts_people,
    given_figures,
    numbers,
    only_possible,
    people_counted,
    sums,
    unit_pattern,
)
from rag.config import Settings
from rag.lexical import ACRONYM, index_terms, terms
from rag.lexicon import table
from rag.lexicon import words as vocabulary
from rag.store import quote_id
from rag.text import words as word_tokens
from rag.types import AnswerType

W_DENSE, W_LEX, W_DIRECT, W_FIT = 0.55, 0.45, 0.08, 0.15
COS_FLOOR = 0.3  # shared words alone support an answer only above this cosine
# ... or above this one in a sentence naming every name the question is about ("What is the PVTU?":
# the one sentence naming it; an acronym alone has little meaning to compare). Held-out articles
# still abstain: without the article naming it there is no such sentence (XQuAD 958 -> 961 of
# 1,190, leave-one-article-out abstention 0.928 either way)
NAMED_COS_FLOOR = 0.1
CARRY = 0.7  # the share of the question's words a sentence gets from the one before it
TYPED = 12  # candidates whose answer type is checked (NER runs on these only)
CACHE = 20_000  # quote vectors kept in this process (384 floats each: about 30 MB)


def _qualifies(text: str, name: str, asked: set[str]) -> bool:
    """The place only says where a place the question names is ("the mayor of Eastport,
    Valmark, was found …" for "Where was the mayor of Eastport found?"): no answer."""
    for m in re.finditer(rf"([\w’'-]+)\s*,\s*{re.escape(name)}\b", text, re.I):
        if set(word_tokens(m.group(1))) <= asked:
            return True
    return False


def _halves(e: Evidence) -> list[Evidence]:
    if not e.joins:
        return [e]
    first_end = e.start + len(e.passage.text[e.start : e.joins].rstrip())
    return [replace(e, end=first_end, joins=0), replace(e, start=e.joins, joins=0)]


class Scorer:
    def __init__(
        self,
        settings: Settings,
        embed_query: Callable[[str], np.ndarray],
        quote_vectors: Callable[[list[str]], dict[str, np.ndarray]],
        embed_texts: Callable[[list[str]], np.ndarray],
        idf: Callable[[str], float],
        correct: Callable[[str], str | None] = lambda t: None,
    ):
        self.settings = settings
        self.embed_query = embed_query
        self._stored = quote_vectors
        self._embed_texts = embed_texts
        self.idf = idf
        self.correct = correct  # a question's typo -> the library's word
        self._vecs: OrderedDict[str, np.ndarray] = OrderedDict()
        self._ents: OrderedDict[str, frozenset[tuple[str, str]]] = OrderedDict()
        self._lock = threading.Lock()

    def vectors(self, evs: Sequence[Evidence]) -> np.ndarray:
        """Vectors of candidate quotes; two sentences cited as one have the normalised sum of
        theirs (what mean pooling over both would give, without running the model)."""
        flat = [h for e in evs for h in _halves(e)]
        vecs = self._vectors(flat)
        out, at = [], 0
        for e in evs:
            if e.joins:
                v = vecs[at] + vecs[at + 1]
                out.append(v / (np.linalg.norm(v) or 1.0))
                at += 2
            else:
                out.append(vecs[at])
                at += 1
        return np.asarray(out)

    def _vectors(self, evs: Sequence[Evidence]) -> np.ndarray:
        """Vectors of single spans: from this process's cache, else the store, else the model
        (derived data only: losing the cache changes nothing but speed)."""
        keys = [quote_id(e.passage.passage_id, e.quote) for e in evs]
        with self._lock:
            have = {k: self._vecs[k] for k in keys if k in self._vecs}
        todo = list(dict.fromkeys(k for k in keys if k not in have))
        if todo:
            fresh = {k: np.asarray(v) for k, v in self._stored(todo).items()}
            text = {k: e.quote for k, e in zip(keys, evs)}
            if missing := [k for k in todo if k not in fresh]:
                fresh.update(zip(missing, np.asarray(self._embed_texts([text[k] for k in missing]))))
            have.update(fresh)
            with self._lock:
                self._vecs.update(fresh)
                while len(self._vecs) > CACHE:
                    self._vecs.popitem(last=False)
        return np.asarray([have[k] for k in keys])

    def weights(self, query: str) -> dict[str, float]:
        asked = {self.correct(t) or t for t in terms(query)}  # "Brandtt" counts where "Brandt" is written
        return {t: self.idf(t) for t in asked}

    @staticmethod
    def coverage(weights: dict[str, float], text: str) -> float:
        if not weights:
            return 0.0
        have = set(index_terms(text))  # "NFC" is there when the text spells it out
        held = sum(w for t, w in weights.items() if t in have or ACRONYM + t in have)
        return held / (sum(weights.values()) or 1.0)

    def _entities(self, text: str) -> frozenset[tuple[str, str]]:
        """(label, lower-cased text) of the text's entities."""
        self.tag([text])
        with self._lock:
            return self._ents.get(text, frozenset())

    def tag(self, texts: Sequence[str]) -> None:
        """Entity labels of these texts, tagged in one batch (NER only) and cached."""
        from rag import nlp

        with self._lock:
            todo = list(dict.fromkeys(t for t in texts if t not in self._ents))
        if not todo:
            return
        found = {
            t: frozenset((e.label_, e.text.lower()) for e in d.ents) for t, d in zip(todo, nlp.entities(todo))
        }
        with self._lock:
            self._ents.update(found)
            while len(self._ents) > 4096:
                self._ents.popitem(last=False)

    def fit(self, e: Evidence, answer_type: AnswerType, measure: str | None = None, query: str = "") -> float:
        """1.0 when the quote holds the kind of answer asked for (0.5: a number, but not of what
        the question counts), else 0.0. A name answers only when the question does not already
        say it ("In what country is the Amazon?": Brazil, not the Amazon)."""
        text = e.quote
        low = text.lower()
        if answer_type == "number":  # a figure the question gives is no answer ("in round 3, what …")
            if only_possible(low) and not ASKS_POSSIBLE.search(query.lower()):
                return 0.0  # "What sentence did X receive?": not "X could spend up to 40 years"
            given = given_figures(query)
            nums = [n for n in numbers(low) if n.strip(".,") not in given]
            if measure == "frequency":  # "twice a year"; "rarely", "every spring": without a figure
                often = vocabulary("frequency_words")
                return float(bool(nums) or any(w in often for w in re.findall(r"[a-z]+", low)))
            if measure == "times":  # "How many times had they met?": "their fourth visit", "twice"
                if ORDINAL.search(low) or counts(low, measure):
                    return 1.0
                return 0.5 if nums else 0.0
            if measure == "duration":  # "for three years"; "well into the nineteenth century"
                return float(bool(nums) or self.fit(e, "date") == 1.0)
            if measure in table("measure_units"):  # "How heavy …": a figure with a unit of mass
                return 0.0 if not nums else 1.0 if unit_pattern(measure).search(low) else 0.5
            if measure not in (None, "percent", "money") and counts(low, measure):
                return 1.0
            if measure is not None and counts_people(measure) and people_counted(low):
                return 1.0  # "how many fishermen": "a crew of 40"; "how many people": "1.2 million residents"
            if not nums:
                return 0.0
            if measure == "percent":
                return 1.0 if re.search(r"%|\bper\s*cent\b|\bpercent", low) else 0.5
            if measure == "money":
                money = vocabulary("currency_words")
                return 1.0 if any(w in money for w in re.findall(r"[$€£¥]|[a-z]+", low)) else 0.5
            if measure and not numbers(sums().sub(" ", RATES.sub(" ", low))):  # "25% of the crew"
                # counts no doses; "40 million euros a day", "12 cents" count no trucks
                return 0.0
            return 0.5 if measure else 1.0
        words = re.findall(r"[\w’'.,%-]+", low)
        if answer_type == "date":  # without a date of its own, the article's date dates it
            dated = any(
                w.strip(".,") in vocabulary("calendar") or DATE_YEAR.match(w.strip(".,")) for w in words
            )
            return 1.0 if dated else 0.5
        if answer_type == "cause":
            return float(any(re.search(rf"\b{re.escape(c)}\b", low) for c in vocabulary("cause_words")))
        wanted = {
            "place": {"GPE", "LOC", "FAC"},
            "person": {"PERSON", "ORG", "NORP"},
            "name": {"PERSON"},
            "organisation": {"ORG", "NORP"},
        }
        if answer_type in wanted:  # a name is the question's when its last word is ("Otto Brandt", "Brandt")
            asked = set(word_tokens(query))
            return float(
                any(
                    label in wanted[answer_type]
                    and not set(word_tokens(name)[-1:]) <= asked
                    and not (answer_type == "place" and _qualifies(text, name, asked))
                    for label, name in self._entities(text)
                )
            )
        return 0.0

    def score(
        self,
        query: str,
        qvec: np.ndarray,
        evs: Sequence[Evidence],
        direct_bonus: bool = True,
        answer_type: AnswerType = "none",
        measure: str | None = None,
    ) -> list[Evidence]:
        if not evs:
            return []
        cos = self.vectors(evs) @ qvec
        weights = self.weights(query)  # once per question, not per candidate
        out = []
        for e, c in zip(evs, cos):
            cov = self.coverage(weights, e.context or e.quote)
            # what the sentence before establishes ("The ferry ran aground. There were 212 on board.")
            if e.before:
                cov = max(cov, CARRY * self.coverage(weights, e.before + " " + (e.context or e.quote)))
            bonus = W_DIRECT if direct_bonus and e.kind in ("direct", "transcript") else 0.0
            out.append(replace(e, score=W_DENSE * float(c) + W_LEX * cov + bonus, cos=float(c), cov=cov))
        out.sort(key=lambda e: -e.score)
        if answer_type not in ("none", "quote", "description", "yes_no"):
            many = len(out) if answer_type in ("number", "date", "cause") else TYPED  # NER: the best few
            if answer_type in ("place", "person", "name", "organisation"):
                self.tag([e.quote for e in out[:many]])
            typed = [replace(e, fit=self.fit(e, answer_type, measure, query)) for e in out[:many]]
            typed = [replace(e, score=e.score + W_FIT * e.fit) for e in typed]
            out = sorted(typed, key=lambda e: -e.score) + out[many:]
        return out

    def supported(
        self, e: Evidence, answer_type: AnswerType = "none", measure: str | None = None, named: bool = False
    ) -> bool:
        """The quote is about the question (meaning, or its words with some meaning), and holds
        the kind of answer asked for when the question asks for one. `named`: the quote names every
        name the question is about."""
        s = self.settings
        floor = NAMED_COS_FLOOR if named else COS_FLOOR
        on_topic = e.cos >= s.min_relevance or (e.cov >= s.min_coverage and e.cos >= floor)
        if answer_type == "number" and measure in ("money", "percent"):  # an amount, a rate: the unit too
            return on_topic and e.fit >= 1.0
        if answer_type in ("number", "date"):  # a figure (of what is counted, ranked first), a date
            return on_topic and e.fit > 0
        return on_topic  # names and causes the tagger or the cue words can miss: they rank, not gate
