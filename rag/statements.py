"""Document -> [Statement]: who said what, by rules for English news prose.

Scope: direct quotes (curly or straight marks, spanning sentences, continued across
paragraphs), reported speech ("X said (that) …", "…, X said", "according to X, …",
"X described … as …"), speakers resolved to full names (surnames and pronouns to the most
recent compatible person), several speakers sharing one statement, and roles taken from
appositives ("Justin Logan, director of … at the Cato Institute") or titles ("US President
Donald Trump"). Scare quotes and quoted titles without a reporting verb are not statements.
Non-goals: transcripts with speaker labels, cross-document identity (later issues); no
statistical model is available offline, so unusual syntax can be missed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from rag.passages import paragraph_spans
from rag.text import sentence_spans
from rag.types import Document, Statement

# Verbs that report speech as a clause: "X said (that) …" — cues for reported speech.
SPEECH = (
    "said|says|say|told|tells|added|adds|explained|explains|stated|states|noted|notes|argued|"
    "argues|warned|warns|claimed|claims|suggested|suggests|described|describes|insisted|"
    "insists|stressed|stresses|emphasi[sz]ed|wrote|writes|announced|announces|declared|"
    "declares|replied|responded|commented|observed|concluded|admitted|acknowledged|believes|"
    "believed|predicted|maintained|maintains|contended|cautioned|conceded|confirmed|denied|"
    "reported|pointed out|went on|assured|promised|vowed|threatened|agreed|countered|"
    "estimated|thinks|thought|alleged|reiterated|asserted|told reporters|said in a statement|"
    "wrote on Twitter"
)
# Any of those, plus verbs that take a quotation as their object: 'condemned the attack as
# "unprovoked"', 'offered "sincere condolences"' — cues for direct quotes only.
VERBS = (
    SPEECH + "|remarked|tweeted|posted|asked|asks|continued|urged|urges|recalled|accused|"
    "condemned|called|labell?ed|termed|dismissed|welcomed|praised|critici[sz]ed|blamed|pledged|"
    "affirmed|characteri[sz]ed|expressed|hailed|adding|saying|asserting|noting|calling|"
    "describing|warning|stating|claiming|arguing|insisting|telling|demanded|demands|"
    "highlighted|recommended|advised|offered|issued a statement(?: praising| saying)?"
)
# Words that may stand between a speaker and the verb: "Johnson has promised", "He also cautioned".
AUX = (
    r"(?:(?:has|have|had|also|later|again|previously|reportedly|then|further|repeatedly|publicly|"
    r"once|earlier|would|had\s+previously|has\s+since|yesterday|today|tonight|on\s+\w+day)\s+)*"
)
_TOK = r"(?:[A-Z][a-zà-öø-ÿ]+(?:[-'’][A-Z]?[a-zà-öø-ÿ]+)*|[A-Z]{2,}(?=\s+[A-Z][a-z]))"
_PART = r"(?:von|van|der|den|de|da|di|du|la|le|bin|al|ibn)"
NAME = rf"{_TOK}(?:\s+(?:{_PART}\s+)*(?:[A-Z]\.\s+)?{_TOK}){{0,6}}"
NAMES = rf"{NAME}(?:(?:,\s*|\s+and\s+){NAME})*"
PRON = r"[Hh]e|[Ss]he|[Tt]hey"
WHO = rf"(?:{NAMES}|{PRON})"

TITLES = set(
    """president vice prime minister foreign defence defense chancellor secretary general
    secretary-general senator sen rep representative governor mayor spokesman spokeswoman
    spokesperson ambassador king queen pope dr mr mrs ms professor prof deputy chief
    commander admiral colonel lieutenant director leader head chairman chair ceo minister
    the us u.s. ukrainian russian american german french british finnish swedish chinese
    polish japanese italian turkish nato un eu white house kremlin press former acting
    interim premier envoy expert analyst official officials spokesperson lawmaker judge
    justice state speaker majority minority advisor adviser national representative mp
    member brigadier major sergeant captain general""".split()
)
NOT_PERSON = set(
    """institute university room council ministry agency house union nations states kingdom
    republic office department party court group organization organisation forces army navy
    force assembly parliament committee commission bank fund times post news press service
    centre center foundation association corporation company federation alliance kremlin
    pentagon reuters ukraine russia europe moscow kyiv kiev washington berlin nato security
    guard media network sea east west north south york cross street square week day monday
    tuesday wednesday thursday friday saturday sunday january february march april may june
    july august september october november december expert experts sources source
    government administration china america britain france germany poland finland sweden
    japan india turkey israel iran gaza crimea donbas donbass mariupol bakhmut kharkiv
    odesa twitter telegram facebook associated tass interfax bbc cnn nbc abc cbs fox afp
    bloomberg politico jazeera guardian journal ria novosti ukrinform kyodo xinhua lake river
    mount island islands city county region province oblast brigade regiment battalion
    division wagner rights watch international college school amnesty representatives
    senate congress club zone""".split()
)
FUNCTION = set(
    """when it as and but the this that in on at for if while after before you you’d you'd i we
    they he she his her its our their there here what why how where who which then so also
    meanwhile however yes no mr""".split()
)
_CONNECTIVE = re.compile(
    r"^(?:In addition|Additionally|However|Also|Moreover|Furthermore|But|And|Meanwhile|"
    r"Still|Instead|Nevertheless|Separately|Earlier|Later|Previously),\s+"
)
_ROLE = re.compile(
    r",\s+(?P<role>(?:(?:a|an|the)\s+)?(?!who\b|which\b|that\b|and\b|but\b|said\b|he\b|she\b)"
    r"[a-z][^,.;:“”\"()]{2,150}?)(?=,|\.(?:\s|$)|$|\s+(?:said|says|had|has|is|was|told))"
)
_PASSIVE = re.compile(r"\b(?:is|was|are|were|been|be)\s+$")


@dataclass
class _People:
    """Persons named in one document: full names, their roles, and where they are mentioned."""

    full: dict[str, str] = field(default_factory=dict)  # surname/first name -> full name
    roles: dict[str, str] = field(default_factory=dict)
    mentions: list[tuple[int, str]] = field(default_factory=list)  # (offset, full name)
    midcaps: set[str] = field(default_factory=set)  # capitalised words seen mid-sentence
    subjects: list[tuple[int, str]] = field(default_factory=list)  # mentions opening a sentence


def _clean_name(raw: str) -> tuple[str | None, str | None]:
    """'United Nations Secretary General Antonio Guterres’s' -> ('Antonio Guterres',
    'United Nations Secretary General'): the longest tail free of titles, organisations and
    places; (None, None) when no such tail is left."""
    toks = re.sub(r"[’']s$", "", raw.strip()).split()
    while toks and toks[0].lower() in FUNCTION:
        toks.pop(0)
    cut = 0
    for i, t in enumerate(toks):
        low = t.lower().rstrip(".")
        if (
            low in TITLES
            or low in NOT_PERSON
            or re.search(r"-[a-z]", t)  # "Russian-speaking", "Western-leaning"
            or (t.isupper() and len(t) > 1 and not re.fullmatch(r"[A-Z]\.", t))
        ):
            cut = i + 1
    name = toks[cut:]
    if not name or name[0].lower() in FUNCTION:
        return None, None
    return " ".join(name), (" ".join(toks[:cut]) or None)


_HONORIFICS = {"mr", "mrs", "ms", "dr", "sen", "rep", "prof"}


def _is_title(title: str) -> bool:
    """A title before a name is a role when it holds an office word ("Kremlin Press Secretary"),
    not when it is only a place or a body ("United States", "Kharkiv Oblast") or "Mr."."""
    words = {w.lower().rstrip(".") for w in title.split()}
    return bool(words & (TITLES - _HONORIFICS))


def _is_role(role: str) -> bool:
    """An apposition after a name is a role, not a clause: ", heralding the pledge" and
    ", speaking to MSNBC" describe what happened, not who the person is."""
    first = role.strip().split()[0].lower()  # "a visiting lecturer" is a role: it has an article
    return not first.endswith("ing")


def _find_people(doc: Document, known: Mapping[str, str] | None = None) -> _People:
    """Persons the document names; `known` (surname -> full name from the rest of the library)
    completes surnames the document never spells out ("Biden" in a transcript)."""
    people = _People()
    for m in re.finditer(NAME, doc.text):
        name, title = _clean_name(m.group(0))
        if not name or len(name.split()) < 2:
            continue
        people.full.setdefault(name.split()[-1], name)
        people.full.setdefault(name, name)
        role = _ROLE.match(doc.text, m.end())
        if role and name not in people.roles and _is_role(role.group("role")):
            people.roles[name] = role.group("role").strip()
        elif title and len(title.split()) > (1 if title.lower() in TITLES else 0) and _is_title(title):
            people.roles.setdefault(name, title)
    for surname, full_name in (known or {}).items():
        people.full.setdefault(surname, full_name)
    preps = {"in", "of", "from", "to", "at", "the", "near", "across", "into", "for", "by", "with", "a", "an"}
    people.midcaps = {
        m.group(2)
        for m in re.finditer(r"(\w+)[,;]? ([A-Z][a-zà-öø-ÿ]+)", doc.text)
        if m.group(1)[0].islower() and m.group(1) not in preps
    }  # capitalised words used mid-sentence, not only as places ("in Belgorod")
    starts = [a for ps, pe in paragraph_spans(doc.text) for a, _ in sentence_spans(doc.text, ps, pe)]
    for m in re.finditer(NAME, doc.text):
        name, _ = _clean_name(m.group(0))
        if name and (full := people.full.get(name) or people.full.get(name.split()[-1])):
            people.mentions.append((m.start(), full))
            sent = max((a for a in starts if a <= m.start()), default=0)
            lead = doc.text[sent : m.start()]
            if re.fullmatch(r"(?:[^,]{0,40},\s*)?(?:[A-Z][\w.’'-]*\s+)*", lead):
                people.subjects.append((m.start(), full))
    return people


@dataclass
class _State:
    people: _People
    last: tuple[str, ...] = ()
    last_para: int = -10
    last_end: int = 0  # where the last statement's sentence ended


def _resolve(who: str, pos: int, para: int, st: _State) -> tuple[str, ...]:
    """Names or a pronoun -> full names; () when it is not a person we can name."""
    if re.fullmatch(PRON, who):
        plural = who.lower() == "they"
        # A person introduced as a sentence's subject since the last statement outranks the
        # last speaker: "Joe Biden was on vacation, where he told the press …".
        fresh = [n for p, n in st.people.subjects if st.last_end <= p < pos]
        if fresh and not plural:
            return (fresh[-1],)
        if st.last and para - st.last_para <= 1 and plural == (len(st.last) > 1):
            return st.last
        if plural:
            return ()  # "they" of a group we cannot name
        before = [n for p, n in st.people.mentions if p < pos]
        return (before[-1],) if before else ()
    out = []
    for part in re.split(r",\s*|\s+and\s+", who):
        if re.search(r"[’']s$", part.strip()):
            continue  # "Smith’s lawyer": the possessor is not the speaker
        name, _ = _clean_name(part)
        if not name:
            continue
        full = st.people.full.get(name) or st.people.full.get(name.split()[-1])
        if full:
            out.append(full)
        elif len(name.split()) == 1 and name in st.people.midcaps:
            out.append(name)  # a one-word name used as a proper noun elsewhere ("said Tess")
    return tuple(dict.fromkeys(out))


def _role(speakers: tuple[str, ...], people: _People) -> str | None:
    roles = [people.roles[s] for s in speakers if s in people.roles]
    return "; ".join(roles) or None


def _quote_spans(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """Quotation spans [start, end) including the marks inside text[s:e]."""
    spans = []
    for m in re.finditer(r"“[^”]*(?:”|$)", text[s:e]):
        spans.append((s + m.start(), s + m.end()))
    straight = [s + m.start() for m in re.finditer(r'"', text[s:e])]
    for i in range(0, len(straight), 2):
        a = straight[i]
        b = straight[i + 1] + 1 if i + 1 < len(straight) else e
        spans.append((a, b))
    return sorted(spans)


# Descriptors before a name after a quote: "…,” Kremlin spokesman Dmitry Peskov said / "…,”
# Bulgaria's Minister of Agriculture, Yavor Gechev, said". No conjunctions: "while X said" is
# another clause.
_LEAD = (
    r"(?:(?:[A-Z][\w’'.-]*|spokes(?:man|woman|person)|minister|secretary|president|official|"
    r"adviser|advisor|chief|head|leader|ambassador|envoy|director|lawyer|attorney|aide|of|the|for|and),?\s+){0,6}?"
)
_AFTER = re.compile(
    rf"\s*[,—–-]?\s*(?:(?P<cue1>{VERBS}|read\s+a\s+statement)\s+(?:by\s+|from\s+)?{_LEAD}(?P<who1>{WHO})(?<![’']s)(?![’']s\b)"
    rf"|{_LEAD}(?P<who2>{NAME}(?:\s+and\s+{NAME})?|{PRON}),?\s+{AUX}(?P<cue2>{VERBS}))\b"
)
_OF = r"(?:\s+of\s+(?:the\s+)?[A-Z][\w.]*(?:\s+[A-Z][\w.]*)?)?"  # "Patrick Ryder of the US"
_BEFORE = re.compile(rf"(?P<who>{WHO}){_OF}(?:,[^,“\"]{{3,150}},)?,?\s+{AUX}(?P<cue>{VERBS})\b")


def _cues(text: str, sent_s: int, qs: int, qe: int, sent_e: int) -> list[tuple[str, str, int]]:
    """(cue, who, where) candidates for the quote text[qs:qe] from its own sentence, best first:
    a verb and speaker right after it ("…,” said X / X said), then speaker-verb pairs before it,
    nearest first."""
    out = []
    if after := _AFTER.match(text, qe, sent_e):
        who = after.group("who1") or after.group("who2")
        out.append(
            (
                after.group("cue1") or after.group("cue2"),
                who,
                after.start("who1" if after.group("who1") else "who2"),
            )
        )
    for m in reversed(list(_BEFORE.finditer(text, sent_s, qs))):
        if not _PASSIVE.search(text[sent_s : m.start("cue")]):
            out.append((m.group("cue"), m.group("who"), m.start("who")))
    return out


def _direct(doc: Document, para: int, ps: int, pe: int, qs: int, qe: int, st: _State) -> Statement | None:
    """The quote text[qs:qe] with its speaker, or None when nobody can be named. Short quotes
    (one or two words) count only with a reporting verb in their sentence: otherwise they are
    scare quotes or titles."""
    text = doc.text
    spans = sentence_spans(text, ps, pe)
    sent_s = max([a for a, _ in spans if a <= qs], default=ps)
    sent_e = min([b for _, b in spans if b >= qe], default=pe)
    short = len(text[qs + 1 : qe - 1].split()) < 3
    speakers: tuple[str, ...] = ()
    cue = None
    for cue_, who, wpos in _cues(text, sent_s, qs, qe, sent_e):
        if speakers := _resolve(who, wpos, para, st):
            cue = cue_
            break
    whole = text[ps:qs].strip() == "" and text[qe:pe].strip(" .,") == ""  # the paragraph is the quote
    if not speakers and not short and whole and st.last and para - st.last_para <= 1:
        speakers = st.last  # a quote paragraph with no verb continues the last turn
    if not speakers:
        return None
    st.last, st.last_para, st.last_end = speakers, para, max(qe, sent_e)
    return Statement(text[qs:qe], speakers, _role(speakers, st.people), cue, "direct", qs, qe)


_INDIRECT = [
    # "NATO membership … , explained Logan and Andrew Michta, professor …"
    re.compile(rf"^(?P<content>.{{15,}}?),\s+(?P<cue>{SPEECH})\s+(?P<who>{NAMES})(?:,.*)?$"),
    # "…, Logan said." / "…, he told reporters."
    re.compile(rf"^(?P<content>.{{15,}}?),\s+(?P<who>{WHO})\s+(?P<cue>{SPEECH})(?:\s+\S+){{0,4}}$"),
    # "According to Logan, …"
    re.compile(rf"^According to (?P<who>{NAMES})(?:,[^,]{{3,150}})?,\s+(?P<content>.{{15,}})$"),
    # "…, according to Logan."
    re.compile(rf"^(?P<content>.{{15,}}?),?\s+according to (?P<who>{NAMES})(?:,.*)?$"),
    # "Michta said (that) …" / "Bruen described … as …" / "He told reporters that …"
    re.compile(
        rf"^(?:[^,“\"]{{0,60}},\s+)?(?P<who>{WHO}){_OF}(?:,[^,“\"]{{3,150}},)?\s+{AUX}(?P<cue>{SPEECH})"
        rf"(?:\s+(?:on|in|at|during)\s+[A-Za-z]+)?(?:\s+(?!that\b)[A-Za-z]+){{0,3}}?(?:\s+that)?\s+"
        rf"(?P<content>.{{15,}})$"
    ),
]
_NOT_CONTENT = re.compile(
    r"^(?:(?:this|that|so)\b(?!\s+(?:is|was|would|will|could|has|had|means?|meant|must|should)\b)"
    r"|in a statement\b|on \w+day\b|as much\b)",
    re.I,
)


def _indirect(doc: Document, para: int, ss: int, se: int, st: _State) -> Statement | None:
    """Reported speech in the sentence text[ss:se], or None."""
    text = doc.text
    body_end = se - 1 if text[se - 1] in ".!?" else se
    sent = text[ss:body_end]
    for pat in _INDIRECT:
        m = pat.match(sent)
        if not m or _PASSIVE.search(sent[: m.start("who")]):
            continue
        cs, ce = ss + m.start("content"), ss + m.end("content")
        if (lead := _CONNECTIVE.match(text[cs:ce])) is not None:
            cs += lead.end()
        if _NOT_CONTENT.match(text[cs:ce]):
            return None
        speakers = _resolve(m.group("who"), ss + m.start("who"), para, st)
        if not speakers or len(text[cs:ce].split()) < 3:
            return None
        cue = m.group("cue") if "cue" in m.groupdict() else "according to"
        st.last, st.last_para, st.last_end = speakers, para, se
        return Statement(text[cs:ce], speakers, _role(speakers, st.people), cue, "indirect", cs, ce)
    return None


_UP = "A-ZÀ-ÖØ-Þ"
_LABEL = re.compile(
    rf"(?P<label>Q|(?:[{_UP}][{_UP}.’'-]*)(?: [{_UP}][{_UP}.’'-]*){{0,5}}):?\s+(?:\(As interpreted\.\)\s*)?"
)
_NOT_SPEAKERS = {"Q", "PARTICIPANT", "PARTICIPANTS", "INTERPRETER", "AUDIENCE", "MODERATOR", "STAFF"}


def _is_transcript(doc: Document) -> bool:
    labelled = [
        p
        for p in paragraph_spans(doc.text)
        if re.match(rf"(?:Q\s{{2,}}|[{_UP}][{_UP}.’' -]{{2,60}}:\s)", doc.text[p[0] : p[1]])
    ]
    return len(labelled) >= 3


def _label_speaker(label: str, doc: Document, people: _People) -> tuple[tuple[str, ...], str | None]:
    """'PRESIDENT BIDEN' -> (('Joe Biden',), 'President'); 'THE PRESIDENT' -> the president the
    title names; 'Q' and staff labels -> () (a reporter's question is nobody's statement)."""
    if label in _NOT_SPEAKERS:
        return (), None
    words = label.replace("’", "'").split()
    if words[:1] == ["THE"] and len(words) >= 2:
        office = " ".join(w.capitalize() for w in words[1:])
        m = re.search(rf"(?<!Vice ){office} ([A-Z][\w’'-]+)", doc.title + " " + doc.text)
        if not m:
            return (), None
        words = [*words[1:], m.group(1).upper()]
    cased = [w.capitalize() for w in words]
    name, title = _clean_name(" ".join(cased))
    if not name:
        return (), None
    full = people.full.get(name) or people.full.get(name.split()[-1]) or name
    return (full,), title if title and _is_title(title) else None


def _transcript_statements(doc: Document, people: _People) -> list[Statement]:
    """Speaker-labelled turns: every paragraph of a turn is its speaker's own words."""
    out: list[Statement] = []
    speakers: tuple[str, ...] = ()
    role: str | None = None
    for ps, pe in paragraph_spans(doc.text)[1:]:
        m = _LABEL.match(doc.text, ps, pe)
        start = ps
        if m and (m.group("label") == "Q" or doc.text[m.end("label") : m.end("label") + 1] == ":"):
            speakers, role = _label_speaker(m.group("label"), doc, people)
            start = m.end()
        if not speakers or len(doc.text[start:pe].split()) < 2:
            continue
        spans = [(start, pe)] if pe - start <= 1000 else sentence_spans(doc.text, start, pe)
        for a, b in spans:
            if len(doc.text[a:b].split()) >= 2:
                out.append(
                    Statement(
                        doc.text[a:b],
                        speakers,
                        role or _role(speakers, people),
                        "said",
                        "direct",
                        a,
                        b,
                        transcript=True,
                    )
                )
    return out


def people_in(doc: Document) -> list[str]:
    """Full names of the persons the document mentions (quoted or not)."""
    return sorted(set(_find_people(doc).full.values()))


def extract_statements(doc: Document, known: Mapping[str, str] | None = None) -> list[Statement]:
    """Every statement in reading order, offsets into doc.text. The headline is skipped.
    `known` maps surnames to full names seen elsewhere in the library."""
    st = _State(_find_people(doc, known))
    if _is_transcript(doc):
        return _transcript_statements(doc, st.people)
    out: list[Statement] = []
    for para, (ps, pe) in enumerate(paragraph_spans(doc.text)):
        if para == 0 and doc.title and doc.text.startswith(doc.title):
            continue
        quotes = [(qs, qe) for qs, qe in _quote_spans(doc.text, ps, pe) if doc.text[qs + 1 : qe - 1].strip()]
        done: set[tuple[int, int]] = set()
        for ss, se in sentence_spans(doc.text, ps, pe):
            inside = [q for q in quotes if q[0] < se and q[1] > ss]
            if not inside:
                found = _indirect(doc, para, ss, se, st)
                out.extend([found] if found else [])
            for qs, qe in inside:
                if (qs, qe) not in done:
                    done.add((qs, qe))
                    found = _direct(doc, para, ps, pe, qs, qe, st)
                    out.extend([found] if found else [])
    return out
