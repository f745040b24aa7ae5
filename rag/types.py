"""Data passed between pipeline stages: frozen dataclasses, no framework types.

Scope: Document, Passage, Statement, Citation, Answer and their JSON shapes (DESIGN §3).
Non-goals: behaviour. Modules that talk to LangChain/Chroma convert at their edges.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

CitationKind = Literal["direct", "transcript", "reported", "text", "headline"]
SpeakerType = Literal["person", "organisation", "unnamed"]
# Only these are shown as a quotation after a person's name (DESIGN §3); the others are the
# article's own words, shown with its outlet and date.
QUOTATION_KINDS: frozenset[str] = frozenset({"direct", "transcript"})


@dataclass(frozen=True)
class Document:
    """One cleaned article. `text` is the clean text every offset refers to.

    The clean text is the headline, a blank line, then the body paragraphs separated by
    blank lines, so paragraph 0 is the headline and paragraph n is the n-th body paragraph.
    """

    doc_id: str
    title: str
    text: str
    source_key: str  # where it came from (file name or URL): an edited copy replaces the old
    published: str | None = None  # ISO date YYYY-MM-DD (or YYYY-MM-DDTHH:MM)
    source: str | None = None  # outlet
    url: str | None = None
    author: str | None = None
    licence: str | None = None
    warnings: tuple[str, ...] = ()  # what was wrong with the file but did not stop it (bad front matter)


@dataclass(frozen=True)
class Passage:
    """A paragraph (or a sentence-bounded piece of a long one) of a Document."""

    passage_id: str
    doc_id: str
    text: str
    start: int  # offsets into Document.text
    end: int
    paragraph: int  # 0 = headline, 1.. = body paragraphs


@dataclass(frozen=True)
class Statement:
    """Something a person said, directly (in quotation marks) or reported."""

    quote: str
    speakers: tuple[str, ...]  # full names; usually one
    role: str | None
    cue: str | None  # the reporting verb; None for a continued quote
    kind: Literal["direct", "indirect"]
    start: int  # offsets into Document.text
    end: int
    speaker_type: SpeakerType = "person"
    transcript: bool = False  # a labelled turn of a transcript ("PRESIDENT BIDEN: …")

    @property
    def speaker(self) -> str:
        return "; ".join(self.speakers)

    def to_json(self) -> dict[str, Any]:
        return {
            "quote": self.quote,
            "speaker": self.speaker,
            "speaker_type": self.speaker_type,
            "role": self.role,
            "cue": self.cue,
            "kind": self.kind,
            "start": self.start,
            "end": self.end,
        }


@dataclass(frozen=True)
class Scope:
    """Which part of the library a question may draw on; None fields do not filter."""

    article: str | None = None  # a doc_id, or words of the title
    outlet: str | None = None  # words of the source name
    since: str | None = None  # ISO date, inclusive
    until: str | None = None  # ISO date, inclusive
    speaker: str | None = None  # only this person's statements

    def filters_documents(self) -> bool:
        return any((self.article, self.outlet, self.since, self.until))


@dataclass(frozen=True)
class Claim:
    """What an answer wants to cite: a span of a passage as the answering code saw it, with the
    kind and speaker it claims. Only verify.cite turns a Claim into a Citation, after checking
    it against the text the store holds for that passage."""

    passage_id: str
    start: int  # offsets into the passage text
    end: int
    quote: str  # the words the answer shows: must equal the stored passage's text[start:end]
    kind: CitationKind
    speakers: tuple[str, ...] = ()
    role: str | None = None


IntentKind = Literal[
    "what_said",  # a speaker's words (on a topic)
    "who_said",  # who said these words
    "who_is",  # who a person is (their role, the article's description)
    "reactions",  # who said what on a topic: a group ("experts", "critics") or "reactions to"
    "compare",  # two or more speakers side by side
    "change",  # how a position changed over time
    "yes_no",  # the evidence for and against a yes/no question
    "metadata",  # about the article itself: published, outlet, wire agency, author
    "fact",  # anything else: sentences that answer, ranked with the answer type
]
AnswerType = Literal[
    "person",
    "name",
    "place",
    "date",
    "number",
    "organisation",
    "cause",
    "yes_no",
    "quote",
    "description",
    "none",
]  # "name": a person's name asked for as such ("What was the name of the player who …?")


@dataclass(frozen=True)
class Intent:
    """A question as read (rag/question/): what it asks, about whom, when."""

    question: str  # as asked
    text: str  # after follow-up resolution: what is retrieved on
    kind: IntentKind
    answer_type: AnswerType = "none"
    speakers: tuple[str, ...] = ()  # library speakers asked about, resolved (names, typos, roles)
    mentions: tuple[str, ...] = ()  # the words of the question that name them
    groups: tuple[str, ...] = ()  # group words asked about ("experts", "officials")
    topic: str = ""  # the question without the speakers, saying verbs and question words
    entities: tuple[str, ...] = ()  # names that are part of the topic, not speakers
    quoted: str | None = None  # words the question quotes ("Who called it “a costly error”?")
    since: str | None = None  # time scope (ISO, inclusive) from the question's dates
    until: str | None = None
    unknown: tuple[str, ...] = ()  # names the library never mentions
    unquoted: tuple[str, ...] = ()  # people the library names but never quotes
    suggestion: str | None = None  # "did you mean …" when a name matched only loosely
    field: str | None = None  # metadata asked for: published | outlet | author
    measure: str | None = None  # for a number: the noun counted ("people"), or "percent" / "money"
    newest_first: bool = False  # "the latest …"
    stance: bool = False  # asks what someone thinks or backs ("What did X believe …"), not their words
    predicate: str = ""  # yes/no: what is asked of the names ("Was anyone injured when …" -> "injured")
    said: str = ""  # who said it: what was said, unquoted ("Who called it a costly mistake?")


@dataclass(frozen=True)
class Citation:
    n: int
    quote: str
    speaker: str | None
    role: str | None
    doc_id: str
    title: str
    published: str | None
    source: str | None
    passage_id: str
    paragraph: int
    start: int  # offsets into the passage text
    end: int
    verified: bool
    url: str | None = None
    licence: str | None = None  # shown with the citation (CC BY asks for it)
    kind: CitationKind = "text"

    @property
    def is_quotation(self) -> bool:
        """Shown as the speaker's own words ("Name: “…”") rather than as the article's."""
        return self.kind in QUOTATION_KINDS and bool(self.speaker)


@dataclass(frozen=True)
class RetrievedPassage:
    passage: Passage
    score: float


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str
    abstained: bool
    citations: tuple[Citation, ...] = ()
    passages: tuple[RetrievedPassage, ...] = ()
    timings_ms: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        cited = {c.passage_id for c in self.citations}
        return {
            "question": self.question,
            "answer": self.answer,
            "abstained": self.abstained,
            "citations": [asdict(c) for c in self.citations],
            "passages": [
                {
                    "passage_id": r.passage.passage_id,
                    "doc_id": r.passage.doc_id,
                    "score": round(r.score, 4),
                    "text": r.passage.text,
                    "cited": r.passage.passage_id in cited,
                }
                for r in self.passages
            ],
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
        }
