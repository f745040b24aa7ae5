"""The time a question asks about, from its date expressions -> an inclusive ISO range.

Scope: years ("in 2022"), months ("in March 2021", "last October" relative to the newest
article), parts of them ("at the end of July 2021", "early 2022": a third, and the week after it
when it is reported), days ("on 4 June 2024"), ranges ("between 2021 and 2023", "from May to July 2022"),
"before"/"after"/"since" any of these, and events the library dates itself ("before the
invasion" -> the date of the earliest article whose headline names it) — never a date written
into the code. A month without a year counts only after a preposition ("in October", not "Jan
Kowalski" or "did they march"). Non-goals: filtering
(view.LibraryView.documents applies the range to article dates).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import date

_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m} | {
    m.lower(): i for i, m in enumerate(calendar.month_abbr) if m
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_YEAR = r"(?:19|20)\d\d"
_DATE = re.compile(
    rf"\b(?:(?P<d1>\d{{1,2}})\s+(?P<m1>{_MONTH})\.?|(?P<m2>{_MONTH})\.?(?:\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?,?)?)"
    rf"\s+(?P<y>{_YEAR})\b|\b(?P<ym>{_MONTH})\b(?!\s+\d)|\b(?P<yo>{_YEAR})\b",
    re.I,
)
_BARE = re.compile(r"\b(?:in|since|last|until|before|after|during|early|late|mid|this|next)\s+$", re.I)
Range = tuple[str | None, str | None]


def _span(m: re.Match[str], latest: str | None) -> Range:
    """The first and last day a date expression covers."""
    if m.group("yo"):
        y = m.group("yo")
        return f"{y}-01-01", f"{y}-12-31"
    month_word = m.group("m1") or m.group("m2") or m.group("ym")
    mo = _MONTHS[month_word.lower().rstrip(".")]
    if m.group("y"):
        y = int(m.group("y"))
    else:  # a month without a year: the last such month up to the newest article
        ref = date.fromisoformat(latest[:10]) if latest else date.today()
        y = ref.year if mo <= ref.month else ref.year - 1
    day = m.group("d1") or m.group("d2")
    last = calendar.monthrange(y, mo)[1]
    if day and 1 <= int(day) <= last:
        d = f"{y}-{mo:02d}-{int(day):02d}"
        return d, d
    return f"{y}-{mo:02d}-01", f"{y}-{mo:02d}-{last:02d}"


_DAY = re.compile(
    rf"\b(?:(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m1>{_MONTH})\b\.?|(?P<m2>{_MONTH})\b\.?\s+(?P<d2>\d{{1,2}})"
    rf"(?:st|nd|rd|th)?\b)(?:,?\s+(?P<y>{_YEAR})\b)?",
    re.I,
)


def names_day(text: str, day: str, published: str | None) -> bool:
    """The text names that day ("on January 7", "7 Jan 2020"), a date without a year read as the
    last such day up to the article's date."""
    want = date.fromisoformat(day)
    ref = date.fromisoformat(published[:10]) if published else want
    for m in _DAY.finditer(text):
        mo = _MONTHS[(m.group("m1") or m.group("m2")).lower().rstrip(".")]
        d = int(m.group("d1") or m.group("d2"))
        y = (
            int(m.group("y"))
            if m.group("y")
            else (ref.year if (mo, d) <= (ref.month, ref.day) else ref.year - 1)
        )
        if (y, mo, d) == (want.year, want.month, want.day):
            return True
    return False


def _day_before(iso: str) -> str:
    return date.fromordinal(date.fromisoformat(iso).toordinal() - 1).isoformat()


def _day_after(iso: str) -> str:
    return date.fromordinal(date.fromisoformat(iso).toordinal() + 1).isoformat()


_PART = re.compile(
    r"\b(?:(?P<early>early|(?:the\s+)?(?:start|beginning)\s+of)|(?P<mid>mid|(?:the\s+)?middle\s+of)"
    r"|(?P<late>late|(?:the\s+)?(?:end|close)\s+of))[\s-]*$",
    re.I,
)
REPORTING_DAYS = 7  # what happens late in a month is often reported in the first days of the next


def _part(lo: str, hi: str, part: re.Match[str]) -> tuple[str, str]:
    """ "early/mid/late May", "the end of 2021": that third of the month or year."""
    a, b = date.fromisoformat(lo).toordinal(), date.fromisoformat(hi).toordinal()
    third = (b - a + 1) // 3
    start = a if part.group("early") else a + third if part.group("mid") else b - third + 1
    end = min(start + third - 1, b) if not part.group("late") else b
    return date.fromordinal(start).isoformat(), date.fromordinal(end).isoformat()


def time_scope(
    text: str, latest: str | None = None, event: Callable[[str], str | None] | None = None
) -> Range:
    """(since, until) a question names; (None, None) when it names no time. `latest`: the newest
    article's date (for a month without a year); `event(noun)`: the date the library gives an
    event ("the invasion"), or None."""
    dates = [m for m in _DATE.finditer(text) if not m.group("ym") or _BARE.search(text[: m.start()])]
    if dates:
        lo, hi = _span(dates[0], latest)
        ranged = len(dates) >= 2 and re.search(r"\b(?:between|from)\b", text[: dates[0].start()], re.I)
        if ranged:
            hi = _span(dates[1], latest)[1]  # "between 2021 and 2023", "from May to July 2022"
        at = dates[0].start()
        part = None if ranged else _PART.search(text[:at])
        lag = 0
        if part and lo and hi and lo != hi:  # "at the end of July": its last third
            lo, hi, lag = *_part(lo, hi, part), REPORTING_DAYS
            at = part.start()
        before = text[max(0, at - 12) : at].lower()
        if re.search(r"\bbefore\s*$", before):  # "before the end of 2021": by its end
            return None, hi if part and part.group("late") else _day_before(lo) if lo else None
        if re.search(r"\bafter\s*$", before):
            return _day_after(hi) if hi else None, None
        if re.search(r"\bsince\s*$", before):
            return lo, None
        if lag and hi:
            hi = date.fromordinal(date.fromisoformat(hi).toordinal() + lag).isoformat()
        return lo, hi
    m = re.search(r"\b(before|after|since)\s+the\s+((?:[\w-]+\s+){0,2}?[\w-]+)\b", text, re.I)
    if m and _DAY.search(text):  # "since the tremor on December 28": the question dates its own
        return None, None  # event, with a day of no year named; no library article dates it
    if m and event is not None and (when := event(m.group(2))):
        # `when` is the date of the first article that names the event: that article already
        # reports what followed it (the reactions) and what led up to it ("before the launch, the
        # pilot said …"), so "before", "after" and "since" all keep that day
        how = m.group(1).lower()
        return (None, when) if how == "before" else (when, None)
    return None, None
