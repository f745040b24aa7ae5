"""Question reading (rag/question.py, followup.py, people.py, timescope.py) as tables, over an
invented cast of speakers: who is asked about apart from the topic, by name, typo or role; the
kind of question and of answer; follow-ups; time scope. The real spaCy model parses."""

from __future__ import annotations

import pytest

from rag.followup import resolve_followup
from rag.people import PeopleIndex, Person
from rag.question import Known, read_question
from rag.timescope import time_scope

CAST = [
    Person("Lena Ortiz", (("transport minister", "2021-01-04", "2021-06-01"),)),
    Person("Tomas Berg", (("head of the consulting firm Northwind Advisory", "2021-02-01", "2021-02-01"),)),
    Person(
        "Ana Silva",
        (("Finance Minister", "2020-05-01", "2021-03-01"), ("Prime Minister", "2021-06-01", None)),
    ),
    Person("Marco Ruiz", (("union leader", None, None),)),
    Person("Northwind Energy", (), True, "organisation"),
    Person("Pablo Quiroga", (), False),  # named in an article, never quoted
]
WORDS = {"bridge", "tolls", "budget", "energy", "strike", "union", "quiroga", "pablo", "northwind"}
KNOWN = Known(
    PeopleIndex(CAST, lambda w: w.lower() in WORDS), lambda w: w.lower() in WORDS, latest="2021-12-20"
)


def _read(q: str, history: list[dict[str, str]] | None = None):  # type: ignore[no-untyped-def]
    return read_question(q, history or [], KNOWN)


@pytest.mark.parametrize(
    ("question", "kind", "speakers", "answer_type"),
    [
        ("What did Ortiz say about the bridge tolls?", "what_said", ("Lena Ortiz",), "quote"),
        ("How did Tomas Berg react to the strike?", "what_said", ("Tomas Berg",), "quote"),
        ("Lena Ortiz's view on the budget?", "what_said", ("Lena Ortiz",), "quote"),
        ("Why is the bridge closed, according to Berg?", "what_said", ("Tomas Berg",), "quote"),
        ("What did Northwind Energy say about the strike?", "what_said", ("Northwind Energy",), "quote"),
        # a name that is the topic is not the speaker
        ("What did officials say about Ortiz's budget?", "reactions", (), "quote"),
        # typos
        ("What did Lena Ortis say about the budget?", "what_said", ("Lena Ortiz",), "quote"),
        ("what did tomas berg say about the strike", "what_said", ("Tomas Berg",), "quote"),
        # a speaker named by role or description
        ("What did the transport minister say about the tolls?", "what_said", ("Lena Ortiz",), "quote"),
        ("What did the consulting firm's head say?", "what_said", ("Tomas Berg",), "quote"),
        ("Who is Tomas Berg?", "who_is", ("Tomas Berg",), "description"),
        ("Who's Tomas Berg?", "who_is", ("Tomas Berg",), "description"),
        ("Tell me about Tomas Berg.", "who_is", ("Tomas Berg",), "description"),
        ("What's Berg's background?", "who_is", ("Tomas Berg",), "description"),
        ("What part of Berg's career was the most productive?", "fact", (), "none"),
        ("wat did berg say abt the strike", "what_said", ("Tomas Berg",), "quote"),
        ("Who does Marco Ruiz work for?", "who_is", ("Marco Ruiz",), "organisation"),
        ("Who said the bridge would reopen?", "who_said", (), "person"),
        ("Do Ortiz and Berg see the tolls the same way?", "compare", ("Lena Ortiz", "Tomas Berg"), "quote"),
        ("How has Ortiz's position on tolls changed?", "change", ("Lena Ortiz",), "quote"),
        # an idiom of asking for a view, with a possessive before the name that breaks its parse
        ("What did the ministry's Lena Ortiz make of the tolls?", "what_said", ("Lena Ortiz",), "quote"),
        # which statement someone gave: its giver is asked about, whatever the verb
        (
            "What warning did the transport minister give drivers about the tolls?",
            "what_said",
            ("Lena Ortiz",),
            "quote",
        ),
        ("What stark message did Berg send the union?", "what_said", ("Tomas Berg",), "quote"),
        ("What do experts think about the tolls?", "reactions", (), "quote"),
        ("How did the opposition respond to the budget?", "reactions", (), "quote"),
        (
            "How did Ortiz's case for the tolls differ from Berg's objection?",
            "compare",
            ("Lena Ortiz", "Tomas Berg"),
            "quote",
        ),
        ("What tributes were paid to Pablo Quiroga after he died?", "reactions", (), "quote"),
        ("What sparked the strike?", "fact", (), "cause"),
        (
            "Put Ortiz's argument on the tolls next to Berg's view.",
            "compare",
            ("Lena Ortiz", "Tomas Berg"),
            "quote",
        ),
        (
            "Was there a statement from Ortiz about the tolls, and what did she say?",
            "what_said",
            ("Lena Ortiz",),
            "quote",
        ),
        ("Were there any comments by the union leader on the strike?", "what_said", ("Marco Ruiz",), "quote"),
        # "the expert" is one person, not a group: no one holds that role here, so a fact lookup
        ("What did the harbour expert say?", "fact", (), "none"),
        ("Did the union accept the offer?", "yes_no", (), "yes_no"),
        ("How many people crossed the bridge?", "fact", (), "number"),
        ("How cold does the harbour get in winter?", "fact", (), "number"),
        ("Where did the strike start?", "fact", (), "place"),
        ("When did the strike start?", "fact", (), "date"),
        ("Why was the bridge closed?", "fact", (), "cause"),
        ("Which newspaper reported the strike first?", "fact", (), "organisation"),
        ("What fine did the company pay?", "fact", (), "number"),
        ("What prison sentences did the two officers receive?", "fact", (), "number"),
        ("What was Pablo Quiroga's net worth when he died?", "fact", (), "number"),
        # a wh-phrase is the answer asked for, never a described speaker; and an organisation
        # asked for beside a speaker's verb is a fact ("X proposed a merger with what firm?")
        ("What company agreed to end the strike?", "fact", (), "organisation"),
        ("Tomas Berg proposed a merger with which firm?", "fact", ("Tomas Berg",), "organisation"),
        ("When was the article published?", "metadata", (), "none"),
        # every side of a comparison, however it is named
        (
            "Compare Ortiz's reaction to the strike with Tomas Berg's.",
            "compare",
            ("Lena Ortiz", "Tomas Berg"),
            "quote",
        ),
        (
            "Did Northwind Energy and Marco Ruiz see the strike the same way?",
            "compare",
            ("Northwind Energy", "Marco Ruiz"),
            "quote",
        ),
        # a date asked of a speaker is a fact, not their words
        ("When did Ortiz announce the tolls?", "fact", ("Lena Ortiz",), "date"),
        # … and so are a place or a figure, the wh-word first or last
        ("How many tolls did Ortiz think the bridge needed?", "fact", ("Lena Ortiz",), "number"),
        ("Berg believes the strike can be traced to where?", "fact", ("Tomas Berg",), "place"),
        # a passive subject is what is spoken of, not a speaker; the texts are not a speaker
        ("Why was Marco Ruiz called a traitor?", "fact", (), "cause"),
        ("What was Ortiz quoted as saying about the tolls?", "what_said", ("Lena Ortiz",), "quote"),
        ("How many tolls does the text say the bridge has?", "fact", (), "number"),
        # "what was …" about a named person's work asks for a fact, not who they are ("documentary"
        # holds "do" but is not "What does X do?")
        ("What was the title of Tomas Berg's first documentary?", "fact", (), "none"),
        # the first of two owners parsed as a modifier is still a side
        ("How did Ortiz's and Berg's statements differ?", "compare", ("Lena Ortiz", "Tomas Berg"), "quote"),
        # the subjects of a verb of comparing are the sides, with no verb of saying
        ("How did Ortiz and Berg differ on the tolls?", "compare", ("Lena Ortiz", "Tomas Berg"), "quote"),
        # a wh-noun names what is asked for: a change word beside it is not a change-over-time
        # question, a person noun asks for a person, and "who is the …" asks for the holder
        ("What company developed the new bridge tolls?", "fact", (), "organisation"),
        ("Which engineer designed the bridge?", "fact", (), "person"),
        ("Who is the vice-chair of the union?", "fact", (), "person"),
    ],
)
def test_question_table(question, kind, speakers, answer_type):
    intent = _read(question)
    assert (intent.kind, intent.speakers, intent.answer_type) == (kind, speakers, answer_type), intent


def test_a_body_the_library_knows_is_a_side_of_a_comparison():
    """An organisation named beside a speaker is a side though it is not quoted itself (its
    spokespeople speak for it, rag/answer/common.affiliated); the speaker's own modifiers
    ("Valmark's") are not the topic."""
    words = WORDS | {"harbour", "board"}
    known = Known(PeopleIndex(CAST, lambda w: w.lower() in words), lambda w: w.lower() in words)
    i = read_question("Did the Harbour Board and Lena Ortiz see the tolls the same way?", [], known)
    assert (i.kind, i.speakers) == ("compare", ("Lena Ortiz", "Harbour Board"))
    assert "Harbour" not in i.topic
    assert _read("Compare what Valmark's Ortiz and Berg said about the budget.").topic == "about the budget"


def test_groups_and_topic():
    intent = _read("What did officials say about Ortiz's budget?")
    assert intent.groups == ("officials",) and "Lena Ortiz" in intent.entities and "budget" in intent.topic
    assert "say" not in intent.topic


def test_role_at_the_questions_time():
    assert _read("What did the finance minister say in 2020?").speakers == ("Ana Silva",)


def test_a_description_matched_where_the_speaker_is_quoted():
    """Two speakers hold the office asked for; the description's other words ("the harbour
    board's") are written around one of them's statements, not in their role."""
    cast = [
        Person("Maria Lind", (("spokeswoman", None, None),)),
        Person("Eva Holm", (("spokeswoman", None, None),)),
    ]
    around = {
        "Maria Lind": "In a statement on the Harbour Board's website, spokeswoman Maria Lind confirmed the tolls.",
        "Eva Holm": "At the football club's ground, spokeswoman Eva Holm said the season would start late.",
    }
    people = PeopleIndex(cast, lambda w: False, lambda name: around[name])
    assert people.by_role("the harbour board's spokeswoman") is not None
    assert people.by_role("the harbour board's spokeswoman")[0] == "Maria Lind"  # type: ignore[index]
    assert PeopleIndex(cast, lambda w: False).by_role("the harbour board's spokeswoman") is None


def test_a_person_never_quoted_and_a_name_never_mentioned():
    assert _read("What did Pablo Quiroga say about the strike?").unquoted == ("Pablo Quiroga",)
    assert _read("What did Olga Petrenko say about the strike?").unknown == ("Olga Petrenko",)


def test_a_stance_question_is_told_apart_from_one_asking_for_words():
    """What someone thinks or backs may be told in narration; their words, view or remarks only
    in their statements (answer/narrated.py answers the first kind only)."""
    assert _read("Why did Pablo Quiroga support the strike?").stance
    assert _read("What did Lena Ortiz believe about the bridge tolls?").stance
    for q in (
        "What did Pablo Quiroga say about the strike?",
        "What was Lena Ortiz's view on the budget?",
        "What did Berg warn about the strike?",
    ):
        assert not _read(q).stance, q


def test_a_topic_name_is_kept_without_its_possessive():
    """ "van Dijk's mill" (the parser keeps the "'s" inside the name): the articles are checked
    for "van Dijk", not "van Dijk's"."""
    words = WORDS | {"dijk", "s"}  # (as the library's index: "'s" holds no word it lacks)
    knows = lambda w: w.lower().strip("'’") in words  # noqa: E731
    known = Known(PeopleIndex(CAST, knows), knows)
    intent = read_question("What was the name of van Dijk's gunpowder mill?", [], known)
    assert intent.entities == ("van Dijk",)


def test_a_misspelt_word_of_the_library_is_not_an_unknown_name():
    """One edit from a word the library has ("Eastprot") is a typo, not a name it never
    mentions; a short or distant one still is."""
    words = WORDS | {"eastport"}
    near = {"eastprot": "eastport"}
    known = Known(
        PeopleIndex(CAST, lambda w: w.lower() in words),
        lambda w: w.lower() in words,
        resembles=lambda w: near.get(w.lower(), w.lower()) in words,
    )
    assert read_question("What happened at the Eastprot harbour?", [], known).unknown == ()
    assert read_question("What happened at the Westhaven harbour?", [], known).unknown == ("Westhaven",)


def test_a_hyphenated_name_the_library_writes_whole_is_not_unknown():
    """ "Al-Varek" is one word in the library's index: the question's name is checked as
    written, not by its last part alone."""
    words = WORDS | {"al-varek"}
    knows = lambda w: w.lower() in words  # noqa: E731
    known = Known(PeopleIndex(CAST, knows), knows)
    assert read_question("Which two salts did Al-Varek tell apart?", [], known).unknown == ()
    assert read_question("Which two salts did Al-Morrin tell apart?", [], known).unknown != ()


@pytest.mark.parametrize(
    ("question", "speaker"),
    [
        ("What did ortiz say about the bridge tolls?", "Lena Ortiz"),
        ("What did Lena ortiz say about the tolls?", "Lena Ortiz"),
        ("Why is the bridge closed, according to berg?", "Tomas Berg"),
        ("What is ortiz's view on the Budget?", "Lena Ortiz"),
        ("What did ortis say about the Tolls?", "Lena Ortiz"),  # lower case and misspelt
    ],
)
def test_a_speaker_typed_in_lower_case_in_a_capitalised_question(question: str, speaker: str):
    """A word in a speaker's place (the subject of "say", "according to", "X's view") is read
    as a name even when the user did not capitalise it and the rest of the question is."""
    intent = _read(question)
    assert intent.kind == "what_said" and intent.speakers == (speaker,)


def test_a_lower_case_subject_that_is_no_name_stays_the_topic():
    intent = _read("What did the bridge say about the Tolls?")
    assert intent.speakers == ()


@pytest.mark.parametrize(
    ("question", "asked", "not_asked"),
    [
        ("Was anyone hurt when the ferry Solvik hit the pier at Eastport?", {"hurt"}, {"pier", "hit"}),
        ("Was a flood warning issued after the storm?", {"flood", "warning", "issued"}, {"storm"}),
        ("Was Lena Ortiz convicted on all the charges against her?", {"convicted", "charges"}, {"Ortiz"}),
        ("Did Governor Ortiz give Pablo Quiroga a full pardon?", {"pardon", "Quiroga"}, {"Ortiz"}),
    ],
)
def test_what_a_yes_no_question_asks_of_its_names(question: str, asked: set[str], not_asked: set[str]):
    """The predicate: without the subject's names and the clause or phrase that only dates the
    event; the object's names stay."""
    words = set(_read(question).predicate.split())
    assert asked <= words and not (not_asked & words), words


def test_measure_of_a_number_question():
    assert _read("How many people crossed the bridge?").measure == "people"
    assert _read("What rate did the bank set?").measure == "percent"
    assert _read("How much did the city spend on the bridge?").measure == "money"
    assert _read("How often does the ferry sail?").measure == "frequency"
    assert _read("For how long did the strike last?").measure == "duration"
    assert _read("How long is the bridge?").measure != "duration"
    assert _read("What was Pablo Quiroga's net worth?").measure == "money"  # not his age
    assert _read("What fine did the company pay?").measure == "money"
    toll = _read("Roughly what was the death toll of the storm?")
    assert toll.answer_type == "number" and "killed" in str(toll.measure).split()


@pytest.mark.parametrize(
    ("question", "history", "expected"),
    [
        (  # "they" are unnamed (those holding him); "him" is the last turns' person
            "and where are they holding him?",
            [
                {"role": "user", "content": "Who is Marco Ruiz?"},
                {"role": "assistant", "content": "He is a union leader arrested by the Valmark police."},
            ],
            "and where are they holding Marco Ruiz?",
        ),
        (
            "And who does he work for?",
            [
                {"role": "user", "content": "What did Marco Ruiz say?"},
                {"role": "assistant", "content": "Marco Ruiz said: “No.” [1]"},
            ],
            "And who does Marco Ruiz work for?",
        ),
        (
            "And Berg?",
            [{"role": "user", "content": "What did Ortiz say about the tolls?"}],
            "What did Tomas Berg say about the tolls?",
        ),
        (
            "And what about the budget?",
            [{"role": "user", "content": "What did Ortiz say about the tolls?"}],
            "What did Lena Ortiz say about the budget?",
        ),
        ("Why?", [{"role": "user", "content": "What did Berg suggest?"}], "What did Berg suggest? Why?"),
        ("What did Berg say?", [{"role": "user", "content": "What did Ortiz say?"}], "What did Berg say?"),
        (
            "Why did she do that?",
            [
                {"role": "user", "content": "Who closed the bridge?"},
                {"role": "assistant", "content": "Lena Ortiz closed it."},
            ],
            "Why did Lena Ortiz do that? (Who closed the bridge)",
        ),
        (  # the pronoun before the name the question gives is the last turn's person
            "What did he say about Ortiz?",
            [{"role": "user", "content": "Who is Tomas Berg?"}],
            "What did Tomas Berg say about Ortiz?",
        ),
        (  # after it, the name's own
            "What did Ortiz say about his plan?",
            [{"role": "user", "content": "Who is Tomas Berg?"}],
            "What did Ortiz say about his plan?",
        ),
        (
            "When did that happen?",
            [{"role": "user", "content": "How many people crossed the bridge?"}],
            "When did that happen? (How many people crossed the bridge)",
        ),
    ],
)
def test_followups(question, history, expected):
    assert resolve_followup(question, history, KNOWN.people.find) == expected


@pytest.mark.parametrize(
    ("question", "since", "until"),
    [
        ("What did Ortiz say in 2021?", "2021-01-01", "2021-12-31"),
        ("What happened in March 2021?", "2021-03-01", "2021-03-31"),
        ("What did she say on 4 June 2021?", "2021-06-04", "2021-06-04"),
        (
            "What happened in October?",
            "2021-10-01",
            "2021-10-31",
        ),  # the last October before the newest article
        ("What changed between 2019 and 2021?", "2019-01-01", "2021-12-31"),
        ("What happened before 2021?", None, "2020-12-31"),
        ("What has happened since May 2021?", "2021-05-01", None),
        # the library dates the strike by its first article, which reports what followed it too
        ("What happened after the strike?", "2021-03-02", None),
        # … unless the question dates its own event, by a day of no year named
        ("How many trains ran since the strike on December 28?", None, None),
        ("What may happen next?", None, None),  # "may" is not the month
        # a part of a month or year: its third, and the week after it when it is reported
        ("What did Ortiz say at the end of July 2021?", "2021-07-22", "2021-08-07"),
        ("What happened in early March 2021?", "2021-03-01", "2021-03-17"),
        ("What has happened since late May 2021?", "2021-05-22", None),
        ("What changed between early 2020 and 2021?", "2020-01-01", "2021-12-31"),
        ("What did Berg say?", None, None),
    ],
)
def test_time_scope(question, since, until):
    def event(noun: str) -> str | None:
        return "2021-03-02" if noun.endswith("strike") else None

    assert time_scope(question, "2021-12-20", event) == (since, until)


def test_a_follow_up_keeps_the_time_it_does_not_restate():
    """ "Who spoke in 2021?" then "What did he say about the tolls?": still 2021; a question of
    its own, or one naming its own time, does not inherit it."""
    history = [
        {"role": "user", "content": "What did Ortiz say about the bridge in 2021?"},
        {"role": "assistant", "content": "Lena Ortiz said: “The bridge will open.” [1]"},
    ]
    assert (
        _read("What did she say about the tolls?", history).since,
        _read("And the tolls?", history).until,
    ) == (
        "2021-01-01",
        "2021-12-31",
    )
    assert _read("What did Berg say about the budget?", history).since is None
    assert _read("What did she say in March 2020?", history).since == "2020-03-01"


def test_a_name_with_digits_is_no_persons():
    """The tagger's "Executive Order GA-40" is no one "he" can refer to."""
    from rag.answer.known import _name_like

    assert _name_like("Anna van der Berg") and _name_like("Lena Ortiz")
    assert not _name_like("Order GA-40") and not _name_like("Apollo 11")


def test_what_a_who_said_question_says_was_said_and_the_scene_it_sets():
    """ "Which councillor dismissed X as a waste of money?" asks who said "a waste of money"; a
    clause that only sets the scene ("when she met Berg") is not the topic, unless it is all
    the topic there is."""
    i = _read("Which councillor dismissed the budget as a waste of money?")
    assert (i.kind, i.said) == ("who_said", "a waste of money")
    assert "met" not in _read("What did Ortiz say about the tolls when she met Berg?").topic.split()
    assert "budget" in _read("How did Ortiz's and Berg's statements differ once the budget passed?").topic


def test_people_index_finds_names_once_and_flags_loose_matches():
    idx = KNOWN.people
    assert [m.name for m in idx.find("Did Ortiz and Lena Ortiz agree?")] == ["Lena Ortiz"]
    loose = idx.find("What did Ortis say?")
    assert loose and loose[0].name == "Lena Ortiz" and not loose[0].sure
    assert idx.find("What did the bridge say?") == []  # a word the library uses is not a misspelt name


def test_a_surname_ending_another_proper_name_is_not_the_person():
    find = KNOWN.people.find
    assert find("Who built the Harbour Ortiz Terminal?") == []  # another name that ends in "Ortiz"
    for q in ("What did Minister Ortiz say?", "What did Spain's Ortiz say?", "What did Ortiz say?"):
        assert [m.name for m in find(q)] == ["Lena Ortiz"], q
    assert [m.name for m in find("what did the harbour ortiz say")] == ["Lena Ortiz"]  # no case to read


def test_two_library_words_written_as_one_are_not_an_unknown_name():
    assert _read("What happened at the Budgetbridge?").unknown == ()  # "budget" + "bridge"
    assert _read("What happened at the Zorblax?").unknown == ("Zorblax",)


def test_a_tagged_person_is_kept_only_when_written_as_a_name():
    from rag.answer.known import _name_like

    assert _name_like("Anna van der Berg") and _name_like("Pablo Quiroga")
    assert not _name_like("River at Lakeside") and not _name_like("Quiroga")


def test_a_surname_spelt_with_the_ending_the_stemmer_drops_names_the_person():
    """The library's index keeps stems, so "Kovalenski" is a word it uses (the stem of
    "Kovalensky") and is never tried as a misspelling; it still names Kovalensky, not a person
    "the articles mention but never quote"."""
    from rag.text import stem

    cast = [*CAST, Person("Irina Kovalensky", (("mayor", None, None),))]
    stems = {stem(w) for w in WORDS | {"kovalensky", "irina"}}
    knows = lambda w: stem(w.lower()) in stems  # noqa: E731
    intent = read_question(
        "What did Kovalenski say about the bridge?", [], Known(PeopleIndex(cast, knows), knows)
    )
    assert intent.speakers == ("Irina Kovalensky",) and intent.unquoted == ()
    # a common word sharing a surname's stem is not that person: "Brook" is no "Brooke"
    cast += [Person("Ruth Brooke", (("coach", None, None),))]
    stems |= {stem("brooke"), stem("ruth")}
    intent = read_question("Did Brook Harbour win the cup?", [], Known(PeopleIndex(cast, knows), knows))
    assert "Ruth Brooke" not in intent.speakers + intent.entities + intent.unquoted


BODIES = [
    Person("Valmark", (), True, "organisation"),  # a country quoted as itself ("Valmark said")
    Person("Piet Olsen", (("Valmark deputy foreign minister", "2021-01-01", "2021-06-01"),)),
    Person("Nina Holt", (("Grey House spokesperson", "2021-01-01", "2021-06-01"),)),
]


def _bodies(q: str):  # type: ignore[no-untyped-def]
    words = {"valmark", "piet", "olsen", "nina", "holt", "grey", "house", "ferry", "tolls"}
    knows = lambda w: w.lower().strip("'’") in words  # noqa: E731
    return read_question(q, [], Known(PeopleIndex(BODIES, knows), knows))


def test_a_body_owning_the_description_is_not_a_second_speaker():
    """ "Valmark's deputy foreign minister" names the minister; Valmark is the topic, not a speaker too."""
    intent = _bodies("What did Valmark's deputy foreign minister warn?")
    assert intent.speakers == ("Piet Olsen",)


def test_the_owner_of_what_another_responds_to_is_the_topic():
    """ "How did Valmark respond to Holt's statement?": Valmark speaks, Holt's words are the topic."""
    intent = _bodies("How did Valmark respond to Nina Holt's statement about the ferry?")
    assert "Nina Holt" not in intent.speakers
    assert _bodies("What was Nina Holt's statement about the ferry?").speakers == ("Nina Holt",)


def test_a_body_never_quoted_as_itself_speaks_through_the_speaker_whose_role_names_it():
    assert _bodies("What did the Grey House say about the ferry?").speakers == ("Nina Holt",)
    assert _bodies("What did the Coast Guard say about the ferry?").speakers == ()


def test_any_noun_a_speakers_role_holds_describes_that_speaker():
    """ "the astronomer" is in no vocabulary of person nouns: the role that holds it names the speaker;
    a document noun ("the report") describes no one."""
    cast = [*BODIES, Person("Ada Krall", (("astronomer", "2021-01-01", "2021-06-01"),))]
    knows = lambda w: w.lower() in {"ada", "krall", "ferry", "report"}  # noqa: E731
    known = Known(PeopleIndex(cast, knows), knows)
    assert read_question("What did the astronomer say about the comet?", [], known).speakers == ("Ada Krall",)
    assert read_question("What did the report say about the comet?", [], known).speakers == ()


def test_the_questions_own_wh_word_sets_the_answer_type_not_the_context_a_followup_adds():
    intent = read_question(
        "When did that happen?", [{"role": "user", "content": "How many people crossed the bridge?"}], KNOWN
    )
    assert intent.answer_type == "date"


AGENCY = [
    Person("Ines Marlow", (("Director General of the Valmark Port Agency", "2021-01-01", None),)),
    Person("Otto Brandt", (("spokesman of the Valmark Port Agency", "2021-01-01", None),)),
    Person("Lena Ortiz", (("transport minister", "2021-01-04", None),)),
]
AGENCY_WORDS = {"valmark", "port", "agency", "harbour"}
AGENCY_KNOWN = Known(
    PeopleIndex(AGENCY, lambda w: w.lower() in AGENCY_WORDS), lambda w: w.lower() in AGENCY_WORDS
)


@pytest.mark.parametrize(
    "question",
    ["Who is the head of the Valmark Port Agency?", "Who was the Port Agency chief?"],
)
def test_who_is_the_head_of_a_body_names_whoever_holds_its_top_office(question: str):
    """ "Head", "chief", "leader", "boss" ask for whoever leads the body, whatever the office is
    called (a Director General here; not its spokesman), and "Who is <description>?" asks who
    that person is."""
    intent = read_question(question, [], AGENCY_KNOWN)
    assert intent.kind == "who_is" and intent.speakers == ("Ines Marlow",)


def test_a_head_word_without_the_body_it_heads_names_no_one():
    """ "Who is the leader?", "Who was the team's tackle leader?": no body the library's roles
    name, so no top office answers."""
    assert read_question("Who is the leader?", [], AGENCY_KNOWN).speakers == ()
    assert read_question("Who was the harbour team's tackle leader?", [], AGENCY_KNOWN).speakers == ()


def test_the_office_of_a_description_is_the_word_before_of():
    """ "the spokesman of the agency": the office is "spokesman", not "agency"."""
    people = AGENCY_KNOWN.people
    assert people.by_role("the spokesman of the Valmark Port Agency")[0] == "Otto Brandt"  # type: ignore[index]
    assert people.by_role("the mayor of the Valmark Port Agency") is None


def test_a_followup_pronoun_is_not_a_name_from_the_library_listing_of_an_abstention():
    """An answer that abstains lists the library's titles; a name in them is no one the
    conversation is about."""
    history = [
        {"role": "user", "content": "What happened in Eastport in May 2021?"},
        {
            "role": "assistant",
            "content": "The articles don't say. The library holds 3 article(s): “Marco Ruiz calls a strike”.",
        },
    ]
    assert (
        resolve_followup("What did he say about it?", history, KNOWN.people.find)
        == "What did he say about it?"
    )


def test_a_followup_there_or_then_carries_the_previous_question():
    history = [{"role": "user", "content": "What happened in Eastport in May 2021?"}]
    assert (
        resolve_followup("Who was the mayor there?", history, KNOWN.people.find)
        == "Who was the mayor there? (What happened in Eastport in May 2021)"
    )
    assert resolve_followup("Is there a bridge?", history, KNOWN.people.find) == "Is there a bridge?"


def test_an_acronym_in_capitals_is_not_a_surname_written_otherwise():
    """ "UN" is the United Nations, not "Kim Jong Un"; "Un" as the question writes it may be him."""
    people = PeopleIndex(
        [Person("Kim Jong Un", ()), Person("Valmark Port Agency (VPA)", (), True, "organisation")],
        lambda w: False,
    )
    assert people.find("What did the UN say about the talks?") == []
    assert [m.name for m in people.find("What did the VPA say?")] == ["Valmark Port Agency (VPA)"]
    assert [m.name for m in people.find("What did Un say about the talks?")] == ["Kim Jong Un"]


@pytest.mark.parametrize(
    "text, day, published, names",
    [
        ("a storm that hit on January 7 and flooded", "2020-01-07", "2020-01-17", True),
        ("on 7 Jan. 2020 the storm", "2020-01-07", None, True),
        ("on 7th January it", "2020-01-07", "2020-02-01", True),
        ("the storm of January 8", "2020-01-07", "2020-01-17", False),
        ("on December 30 it began", "2019-12-30", "2020-01-17", True),  # the last such day before
        ("on January 7, 2019 it", "2020-01-07", "2020-01-17", False),
    ],
)
def test_a_text_names_a_day(text, day, published, names):
    from rag.timescope import names_day

    assert names_day(text, day, published) is names


def test_a_followup_he_is_the_person_an_answer_names_not_the_body_before_them():
    history = [
        {"role": "user", "content": "Whom did Northwind Energy hire?"},
        {"role": "assistant", "content": "Northwind Energy hired Tomas Berg as its adviser."},
    ]
    is_person = lambda n: KNOWN.people.kind(n) == "person"  # noqa: E731
    assert (
        resolve_followup("What did he say about the job?", history, KNOWN.people.find, is_person)
        == "What did Tomas Berg say about the job?"
    )
    # "they" may be the body
    assert (
        resolve_followup("What did they say about it?", history, KNOWN.people.find, is_person)
        == "What did Northwind Energy say about it?"
    )


@pytest.mark.parametrize(
    ("question", "expected"),
    [  # someone named by what they are is the same question about them, not a new topic
        ("And what about the union leader?", "What did the union leader say about the tolls?"),
        ("And the critics?", "What did the critics say about the tolls?"),
        ("And what about the budget?", "What did Lena Ortiz say about the budget?"),
        # a whole question after "And" stands as it is
        ("And what did the union leader say?", "And what did the union leader say?"),
    ],
)
def test_a_followup_naming_someone_by_role_asks_the_same_of_them(question, expected):
    history = [{"role": "user", "content": "What did Lena Ortiz say about the tolls?"}]
    assert resolve_followup(question, history, KNOWN.people.find) == expected


@pytest.mark.parametrize(
    ("question", "kind"),
    [  # a saying verb in a clause beside a yes/no question asks for no one's words
        ("Did Lena Ortiz close the bridge when she announced the tolls?", "yes_no"),
        ("Did Lena Ortiz put the army in charge of the harbour?", "yes_no"),
        ("Did Lena Ortiz say the bridge would close?", "what_said"),
        ("Did Lena Ortiz criticise the tolls?", "what_said"),
    ],
)
def test_a_yes_no_question_asks_for_words_only_through_its_main_verb(question, kind):
    assert _read(question).kind == kind


def test_how_many_counts_the_compound_noun_too():
    intent = _read("How many crew members died when the ferry sank?")
    assert intent.answer_type == "number" and intent.measure == "crew members"


def test_how_heavy_asks_for_a_figure_in_a_unit_of_mass():
    intent = _read("How heavy is the Kestrel drone?")
    assert intent.answer_type == "number" and intent.measure == "heavy"


LEADERS = [
    Person("Mira Lund", (("Prime Minister", None, None),)),
    Person("Karl Aas", (("Prime Minister", None, None),)),
    Person("Eva Toom", (("Nordholmian Prime Minister", None, None),)),
]
LEADER_CONTEXT = {  # where each one speaks: both articles name both countries
    "Mira Lund": "Remarks by Prime Minister Lund of Valmark and Prime Minister Aas. Valmark and "
    "Solvik signed the treaty. Solvik, Solvik, Solvik.",
    "Karl Aas": "Prime Minister Aas of Solvik met Valmark officials. Valmark and Solvik agreed.",
    "Eva Toom": "Nordholm, Valmark and Solvik talked.",
}
LEADERS_KNOWN = Known(
    PeopleIndex(LEADERS, lambda w: w.lower() in {"valmark", "solvik", "nordholm"}, LEADER_CONTEXT.get),
    lambda w: w.lower() in {"valmark", "solvik", "nordholm"},
)


@pytest.mark.parametrize(
    ("question", "who"),
    [
        ("What did Valmark's prime minister say?", "Mira Lund"),
        ("What did the Solvik prime minister say?", "Karl Aas"),
        ("What did the Valmarkian prime minister say?", "Mira Lund"),  # not the Nordholmian one
    ],
)
def test_a_leader_described_by_country_is_the_one_named_with_it(question: str, who: str):
    """Two prime ministers with the same bare role: the country written next to one's name ("Prime
    Minister Lund of Valmark") tells them apart, not how often the country comes up around them;
    a role naming another country ("Nordholmian Prime Minister") is not theirs."""
    assert read_question(question, [], LEADERS_KNOWN).speakers == (who,)


def test_an_event_is_dated_by_the_library_only_when_it_is_a_noun_not_a_clause():
    """ "before the strike" is an event the library dates; "before the union changed its mind"
    is a clause: no headline word of it dates anything."""
    from dataclasses import replace

    known = replace(
        KNOWN, event=lambda noun: "2021-03-02" if noun.split()[-1] in ("strike", "union") else None
    )
    assert read_question("What did Ortiz say before the strike?", [], known).until == "2021-03-02"
    later = read_question("What did Ortiz say before the union changed its mind?", [], known)
    assert (later.since, later.until) == (None, None)


def test_a_change_in_a_clause_or_asked_why_is_not_a_change_question():
    """ "How has X's position changed?" asks for the change; a change that only dates the question
    ("… before the union changed its mind?") or whose reason is asked ("Why did …?") does not."""
    assert _read("How has Ortiz's position on tolls changed?").kind == "change"
    assert _read("What did Ortiz say before the union changed its mind?").kind == "what_said"
    why = _read("Why did the union change its mind about the strike?")
    assert (why.kind, why.answer_type) == ("fact", "cause")


def test_a_speaker_in_the_scene_sets_it_the_one_outside_is_asked():
    """ "What did Ortiz say when Berg called the tolls unfair?": Ortiz is asked, Berg's words are
    the occasion and so the topic (it is all the topic there is)."""
    i = _read("what did ortiz say back when berg said the tolls were unfair")
    assert i.speakers == ("Lena Ortiz",), i
    assert "Tomas Berg" in i.entities and "tolls" in i.topic.split(), i
    # the occasion is the topic when the rest names none ("in court" alone says little)
    assert "sentenced" in _read("What did Ortiz say in court when she was sentenced?").topic.split()
    assert "met" not in _read("What did Ortiz say about the tolls when she met Berg?").topic.split()


def test_a_proper_name_the_tagger_misses_is_still_the_topic():
    """A run of capitalised proper nouns with no entity ("the Tour de Valmark") is a name the
    question is about: the articles must name it."""
    from rag import nlp
    from rag.question.names import proper_names

    doc = nlp.parse(["Who won the 2021 Tour de Valmark?"])[0]
    assert not any(e.text.endswith("Valmark") for e in doc.ents)  # the tagger misses it
    assert [r.text for r in proper_names(doc, [])] == ["Tour de Valmark"]
    assert proper_names(nlp.parse(["Did Lena Ortiz visit Eastport?"])[0], [(4, 14)]) == []


def test_a_place_in_a_description_must_be_where_the_speaker_speaks():
    """ "Valmark's health minister": a health minister quoted only about Solvik is not Valmark's
    (their role does not name a place; the words around their statements must)."""
    cast = [Person("Eva Holm", (("health minister", None, None),))]
    around = {"Eva Holm": "Health minister Eva Holm said Solvik's hospitals were full."}
    people = PeopleIndex(cast, lambda w: False, lambda name: around[name])
    assert people.by_role("Solvik's health minister") is not None
    assert people.by_role("Valmark's health minister") is None


@pytest.mark.parametrize(
    ("typed", "plain_words"),
    [
        ("Can you give me a quick summary of what the union wants?", "What the union wants?"),
        ("Could you tell me who Tomas Berg was?", "Who was Tomas Berg?"),
        ("do you know why the bridge closed", "Why the bridge closed"),
        ("Can you close the bridge?", "Can you close the bridge?"),  # no question inside: as typed
        ("Can you tell me about Tomas Berg?", "Can you tell me about Tomas Berg?"),
        # a wh-phrase of more words keeps the embedded order (no "How were many people there?")
        ("Can you tell me how many people there were?", "How many people there were?"),
        ("Could you tell me what time the match was?", "What time the match was?"),
    ],
)
def test_a_request_around_a_question_is_dropped(typed, plain_words):
    from rag.question.phrasing import plain

    assert plain(typed) == plain_words


def test_a_question_inside_a_request_is_read_as_the_question():
    assert _read("Could you tell me who Tomas Berg was?").kind == "who_is"
    assert _read("Can you give me a quick summary of what the union wants?").kind == "fact"


def test_one_proper_noun_the_tagger_gives_no_entity_is_a_topic_name_but_never_unknown():
    """A single capitalised proper noun inside the question that no entity covers ("… crashed at
    Brekkvik?") is a name the answer's article must give; as one word it is never "a name the
    articles don't mention" (too weak a sign), nor is a piece of a hyphenated name ("ABC-Dx")."""
    from spacy.tokens import Doc

    from rag import nlp
    from rag.question.names import proper_names

    vocab = nlp.parse(["x"])[0].vocab
    words = ["How", "many", "died", "at", "Brekkvik", "near", "ABC", "-", "Dx", "?"]
    pos = ["SCONJ", "ADJ", "VERB", "ADP", "PROPN", "ADP", "PROPN", "PUNCT", "PROPN", "PUNCT"]
    doc = Doc(vocab, words=words, pos=pos, spaces=[True] * 6 + [False, False, False, False])
    assert [r.text for r in proper_names(doc, [])] == ["Brekkvik"]
    assert proper_names(doc, [], singles=False) == []


def test_a_portfolio_in_a_role_is_no_place_of_its_own():
    """ "Minister of Solidarity and Health": "Solidarity" is the portfolio, not another country;
    the place a question gives ("Valmark's health minister") is read around their statements."""
    cast = [Person("Ines Marlow", (("Minister of Solidarity and Health", None, None),))]
    around = {"Ines Marlow": "Minister of Solidarity and Health Ines Marlow said Valmark's wards were full."}
    people = PeopleIndex(cast, lambda w: False, lambda name: around[name])
    found = people.by_role("Valmark's health minister")
    assert found is not None and found[0] == "Ines Marlow"


def test_an_office_that_means_the_one_asked_for_counts_as_it():
    """ "the Harbour Band singer": a "lead vocalist" of the band is one (word vectors of the real
    model: 0.84); a "guitarist" of it is not, nor is another band's singer."""
    import numpy as np

    from rag.embed import load_embeddings

    model = load_embeddings()

    def embed(texts: list[str]) -> np.ndarray:
        return np.asarray(model.embed_documents(texts))

    cast = [
        Person("Anna Berg", (("Harbour Band's lead vocalist", None, None),)),
        Person("Erik Dahl", (("Harbour Band's guitarist", None, None),)),
        Person("Mira Lund", (("singer", None, None),)),
    ]
    around = {
        "Anna Berg": "The Harbour Band's lead vocalist Anna Berg said the tour would go on.",
        "Erik Dahl": "Harbour Band's guitarist Erik Dahl said he was tired.",
        "Mira Lund": "The singer Mira Lund of the Solvik choir said she would sing at the festival.",
    }
    people = PeopleIndex(cast, lambda w: False, lambda name: around[name])
    found = people.by_role("the Harbour Band singer", embed)
    assert found is not None and found[0] == "Anna Berg", found


def test_two_speakers_described_and_joined_by_and_are_both_asked():
    """ "How did the transport minister and the union leader differ on the tolls?": each
    description is read alone (not the two as one phrase), so both sides are compared."""
    i = _read("How did the transport minister and the union leader differ on the tolls?")
    assert (i.kind, set(i.speakers)) == ("compare", {"Lena Ortiz", "Marco Ruiz"}), i


def test_plural_people_who_speak_are_a_group():
    """ "What did fellow fishermen say about the tolls?": people speaking, a group (their reactions);
    "What did the reports say …?" asks what documents say."""
    i = _read("What did fellow fishermen say about the tolls?")
    assert (i.kind, i.groups) == ("reactions", ("fellow fishermen",)), i
    assert _read("What did the reports say about the tolls?").groups == ()


def test_the_name_of_a_person_who_did_something_is_asked_as_a_name():
    assert (
        _read("What was the name of the Eastport player who scored the winning goal?").answer_type == "name"
    )
    # what such people are called is no one's name
    assert _read("What is the name of a harbour pilot in Valmark?").answer_type != "name"
