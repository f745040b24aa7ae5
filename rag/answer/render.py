"""How a verified citation reads in an answer, the chat, an export: by its kind (DESIGN §3).

Scope: a `direct` or `transcript` citation is the speaker's own words and may follow their name
("Name: “…”"); `reported`, `text` and `headline` citations are the article's words and are shown
with the outlet and date ("Daily Courier (May 3, 2021) reports: “…”"), never after a person's name.
Dates in words. Non-goals: choosing what to cite (rag/compose.py), HTML (rag/ui.py).
"""

from __future__ import annotations

from datetime import date

from rag.types import Citation

_MONTHS = ("January February March April May June July August September October November December").split()


def human_date(iso: str | None) -> str | None:
    """'2021-05-03' -> 'May 3, 2021' (anything else is returned as it is)."""
    if not iso:
        return None
    try:
        y, m, d = (int(x) for x in iso[:10].split("-"))
        date(y, m, d)
    except ValueError:
        return iso
    return f"{_MONTHS[m - 1]} {d}, {y}"


def whose_words(c: Citation) -> str:
    """Who the quoted words belong to, as a label: the speaker for a quotation, else the
    article (outlet and date): 'Lena Ortiz', 'Daily Courier (May 3, 2021), the article's words'."""
    if c.is_quotation:
        return c.speaker or ""
    outlet = c.source or "the article"
    when = human_date(c.published)
    what = {"headline": "headline", "reported": "reported speech"}.get(c.kind, "the article's words")
    return f"{outlet}" + (f" ({when})" if when else "") + f", {what}"


def citation_line(c: Citation, with_speaker: bool = True) -> str:
    """One answer line for a citation, with its [n] marker."""
    when = human_date(c.published)
    if c.is_quotation:
        who = f"{c.speaker}: " if with_speaker else ""
        return f"{who}“{c.quote}” [{c.n}]" + (f" ({when})" if when else "")
    outlet = c.source or "The article"
    where = outlet + (f" ({when})" if when else "")
    if c.kind == "headline":
        return f"{where}, headline: “{c.quote}” [{c.n}]"
    if c.kind == "reported":
        tail = ""
        if with_speaker and c.speaker and c.speaker.split()[-1] not in c.quote:
            tail = f" — reporting what {c.speaker} said"
        return f"{where} reports: “{c.quote}” [{c.n}]{tail}"
    return f"{where}: “{c.quote}” [{c.n}]"
