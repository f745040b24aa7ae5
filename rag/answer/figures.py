"""Figures in a text, for answers that are numbers: standalone numbers and number words (not
years, days of a date, times of day or the digits of a name), counts of what a question counts
("300 people", "a crew of 40"; people by any people noun), sums of money, ordinals ("the fourth
meeting"), figures in a unit ("1.8 kilograms") and figures that only could be ("could spend up
to 40 years"). Part of answer scoring (rag/answer/scoring.py). Non-goals: the question's side
(rag/question/grammar.py reads what a question counts).
"""

from __future__ import annotations

import calendar
import re
from functools import cache, lru_cache

from rag.lexicon import table
from rag.lexicon import words as vocabulary
from rag.text import stem

_YEAR = re.compile(r"^(?:19|20)\d\d$")  # a modern year: not a figure
DATE_YEAR = re.compile(r"^(?:1\d|20)\d\ds?$")  # a year or decade that dates an answer: 1321, 1990s
# a figure: "-90", "$5.2", "27-30%", the 5 of "a 5-cylinder engine"; not the digits of a name ("G7", "A-320")
_FIGURE = re.compile(r"(?<![\w-])(?:[-−](?=\d))?[$€£¥]?(\d[\d,.]*)(?:[-–]\d[\d,.]*)?%?(?!\w)(?!-\d)")
_MONTHS = "|".join(m.lower() for m in calendar.month_name if m)  # (the standard library's names)
# an ordinal: how many times something has happened ("the fourth visit", "her 3rd title"), not a
# day of a month or a century
ORDINAL = re.compile(
    r"\b(?:\d+(?:st|nd|rd|th)|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|"
    rf"twelfth|\w+teenth|\w+tieth)\b(?!\s+(?:of\s+)?(?:{_MONTHS}|century))"
)


def numbers(low: str) -> list[str]:
    """Figures in a text: standalone numbers (negative ones too: "-90 °C") and number words, not
    years, days of a date or the digits of a name ("G7", "A-320")."""
    text = re.sub(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})\b|\b(?:{_MONTHS})\s+\d{{1,2}}\b", " ", low)
    text = _CLOCK.sub(" ", text)  # a time of day counts nothing ("5:15 am", "21:40 local time")
    # (group 1 is the figure's first number: a year, or a range of years, is no figure)
    found = [m.group(0) for m in _FIGURE.finditer(text) if not _YEAR.match(m.group(1).strip(".,"))]
    return found + [w for w in re.findall(r"[a-z]+", text) if w in NUMBER_WORDS]  # "six-time" too


_CLOCK = re.compile(
    r"\b\d{1,2}:\d\d(?:\s*(?:am|pm|a\.m\.|p\.m\.))?(?!\d)|\b\d{1,2}(?:\.\d\d)?\s*(?:am|pm|a\.m\.|p\.m\.)(?!\w)"
    r"|\b\d{4}\s+(?:utc|gmt|cet|cest|est|edt|pst|pdt|bst|jst|ist)\b"
)
NUMBER_WORDS = vocabulary("number_words") - {"one", "first", "second", "last", "third", "quarter", "half"}


RATES = re.compile(  # shares and sums: "25%", "12 per cent", "$40 million"
    r"[$€£¥]\s?\d[\d.,]*(?:\s?(?:thousand|million|billion|trillion|[mb]n?)\b)?"
    r"|\d[\d.,]*\s?(?:%|per\s?cent\b|percent\b)"
)


@cache
def unit_pattern(measure: str) -> re.Pattern[str]:
    """A figure followed by one of the measure's units ("1.8 kilograms", "a 30-metre wall", "-90 °c")."""
    alts = "|".join(re.escape(u) for u in sorted(table("measure_units")[measure], key=len, reverse=True))
    figure = rf"(?:\d[\d.,]*|{'|'.join(sorted(NUMBER_WORDS))})"
    return re.compile(rf"{figure}\s?-?(?:{alts})(?![a-z])")


_MODAL = re.compile(r"\b(?:could|might|would|may(?!\s+\d))\b")
# a question about what could be, was planned or is expected: a figure that could be answers it
ASKS_POSSIBLE = re.compile(
    r"\b(?:could|might|would|may|will|shall|can|was\s+to|were\s+to|plan|plans|planned|propos\w*|"
    r"expect\w*|forecast\w*|estimat\w*|predict\w*|possible|potential\w*|maximum|up\s+to|face|faces)\b"
)


def only_possible(low: str) -> bool:
    """Every figure of the text is one that could be, not one that is ("could spend up to 40
    years in prison" gives no sentence handed down)."""
    figs = [m.start() for m in _FIGURE.finditer(low) if not _YEAR.match(m.group(1).strip(".,"))]
    return bool(figs) and all(_MODAL.search(" ".join(low[:f].split()[-6:])) for f in figs)


@lru_cache(maxsize=256)
def given_figures(query: str) -> frozenset[str]:
    """The figures a question itself gives (once per question, not per candidate)."""
    return frozenset(n.strip(".,") for n in numbers(query.lower()))


def counts(low: str, measure: str) -> bool:
    """A figure counts what is asked: "300 people", "twelve inspectors", "1500 guests" (a
    year-like figure right before the counted noun is a count, not a year), "led in saves
    (41)", "arrests with 12"."""
    toks = re.findall(r"[\w%.,$€£¥-]+", re.sub(r"(\d)-(?=[a-z])", r"\1 ", low))  # 5-cylinder
    counted = _stems(measure)
    for i, w in enumerate(toks):
        if stem(w.strip(".,")) not in counted:
            continue
        after = toks[i + 1 : i + 3]
        if after[:1] and after[0] in ("with", "of"):  # "arrests with 12", "a crew of 40"
            after = after[1:]
        if (
            any(numbers(x) for x in toks[max(0, i - 4) : i])
            or (i and re.fullmatch(r"\d[\d,]*", toks[i - 1]))
            or (after[:1] and re.fullmatch(r"\d[\d,.]*", after[0].strip(".,")))
        ):
            return True
    return False


@cache
def sums() -> re.Pattern[str]:
    """A figure that is a sum of money written with a currency word ("40 million euros", "12 cents")."""
    money = sorted(
        (
            w
            for w in vocabulary("currency_words") | {"cent", "cents"}
            if w.isalpha() and w not in NUMBER_WORDS
        ),
        key=len,
        reverse=True,
    )
    words = "|".join(sorted(NUMBER_WORDS | {"a"}, key=len, reverse=True))
    return re.compile(rf"(?:\d[\d.,]*|\b(?:{words}))(?:\s+(?:{words}))*\s*(?:{'|'.join(money)})\b")


@lru_cache(maxsize=256)
def _stems(measure: str) -> frozenset[str]:
    return frozenset(stem(m) for m in measure.split())


@cache
def _people() -> frozenset[str]:
    """Nouns that count people (rag/lexicon/people_counted.txt, group_words.txt), not offices."""
    return frozenset(vocabulary("people_counted") | vocabulary("group_words"))


@cache
def _people_figure() -> re.Pattern[str]:
    """A figure right before a people noun ("300 people", "twelve doctors", "1.2 million
    residents", one word between: "40 local residents") or after one with "of" ("a crew of 40"),
    not an age ("a 45-year-old man")."""
    nouns = "|".join(sorted(_people(), key=len, reverse=True))
    figure = rf"(?:\d[\d,.]*|\b(?:{'|'.join(sorted(NUMBER_WORDS, key=len, reverse=True))}))"
    return re.compile(
        rf"{figure}(?:\s+(?:million|thousand|hundred))?(?![\w-]*-year)\s+(?:[a-z-]+\s+)?(?:{nouns})\b"
        rf"|\b(?:{nouns})\s+of\s+(?:about\s+|some\s+|around\s+)?\d[\d,.]*"
    )


@lru_cache(maxsize=256)
def counts_people(measure: str) -> bool:
    """The measure counts people ("people", "nurses", "doctors")."""
    return bool(
        _stems(measure) & (_stems(" ".join(_people())) | _stems(" ".join(vocabulary("person_nouns"))))
    )


def people_counted(low: str) -> bool:
    """The text gives a figure of people (any people noun)."""
    return _people_figure().search(low) is not None
