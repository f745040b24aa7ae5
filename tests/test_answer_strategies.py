"""Answer strategies end to end on a small invented library (real model, real embedded store):
the shapes the wide development set showed failing, written as new text so the test checks the
general behaviour, not the articles it was found on."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.load import make_document

ARTICLES = [
    (
        "New Kestrel ferry makes its first launch",
        "2021-09-20",
        [
            "Before the launch on Monday, skipper Nils Aune said, “Let us take her out to sea and see what she can do.”"
        ],
    ),
    (
        "Valmark bans fuel imports from Solvik",
        "2021-10-28",
        [
            "On Wednesday, Valmark banned all fuel imports from Solvik over the border dispute.",
            "Before the ban, Valmark imported fuel worth 40 million euros a day from Solvik.",
        ],
    ),
    (
        "Firefighters contain a wildfire near Kestrel",
        "2021-12-04",
        [
            "On December 1, a wildfire burned 300 hectares of forest in the Kestrel hills before rain "
            "slowed it.",
        ],
    ),
    (
        "Eastport harbour pilot dies in launch accident",
        "2021-12-09",
        [
            "On Wednesday, the chief pilot of Eastport harbour, Ruben Aas, died when his launch "
            "capsized near Kestrel.",
            "Ruben Aas, his wife and two crew members were returning from a regatta when the storm "
            "hit the coast.",
        ],
    ),
    (
        "Skipper Maja Kron wins the Coupe de Valmark",
        "2021-07-27",
        [
            "On Sunday, Eastport skipper Maja Kron won the Coupe de Valmark sailing race for the "
            "fourth time.",
            "“Every year the sea teaches me something new,” Kron said at the finish line.",
        ],
    ),
    (
        "Former harbour treasurer Ivo Sandell jailed for fraud",
        "2021-10-20",
        [
            "A Solvik judge sentenced former harbour treasurer Ivo Sandell to three years in prison "
            "on Tuesday.",
            "“I know that one day the whole truth about the accounts will be told,” Sandell said in court.",
        ],
    ),
    (
        "Harbour Board and council split over the Eastport ferry plan",
        "2021-05-03",
        [
            "Lena Ortiz, a spokesperson of the Eastport Harbour Board, told reporters that “the new "
            "ferry terminal is good news for every commuter in the town”.",
            "Councillor Tomas Berg disagreed: “This plan will be a real nightmare for the residents "
            "who live beside the harbour road.”",
        ],
    ),
    (
        "Councillor Berg opens the spring flower show",
        "2021-04-10",
        ["Councillor Tomas Berg said: “The flower show brings the whole town together every spring.”"],
    ),
    (
        "Ferry Nordlys runs aground near Eastport",
        "2021-06-14",
        [
            "The hull was damaged in a storm on Monday. The ferry Nordlys ran aground on a sandbank "
            "near Eastport. There were 212 people on board, 14 of them crew members.",
        ],
    ),
    (
        "Valmark withdraws from the winter games",
        "2021-07-20",
        [
            "On Tuesday the Valmark sports ministry announced it would not take part in the winter "
            "games this year, “to protect our athletes from the epidemic”, the Daily Courier reported.",
        ],
    ),
    (
        "Eastport opens its new library",
        "2021-09-01",
        [
            "The new town library was designed by the architect Sara Holm. It opened on Friday "
            "with a reading by local children.",
        ],
    ),
    (
        "Rower Anna Lindqvist wins gold at the regatta",
        "2021-08-02",
        [
            "On Sunday, Valmark rower Anna Lindqvist won the gold medal in the single sculls at the "
            "Eastport regatta.",
            "A statement from the ministry's spokesman Erik Dahl celebrated Lindqvist's win, saying "
            "“Congratulations, Anna.”",
        ],
    ),
    (
        "Northern Fisheries Council cuts the cod quota",
        "2021-10-05",
        [
            "The Northern Fisheries Council cut the cod quota by a third on Wednesday, after two "
            "years of falling catches in the Eastport banks.",
        ],
    ),
    (
        "Mayor backs the harbour tunnel",
        "2021-11-12",
        [
            "Mikael Strand, the mayor of Valmark, backed the harbour tunnel because it would take "
            "lorries off the old harbour road.",
        ],
    ),
    (
        "Eastport plans its biggest harbour works in decades",
        "2021-12-01",
        [
            "Eastport's port authority will spend 40 million crowns over the next three summers on "
            "the most ambitious programme of harbour works the town has seen since the old fish "
            "market was torn down in 1975. These include a new breakwater and two cranes for the "
            "container quay.",
        ],
    ),
    (
        "Hospital pay talks resume",
        "2021-02-15",
        [
            "Nurses in Eastport can join bodies such as the PVTU, Unison or the Carers' League, while "
            "reports suggest that staffing shortages in the town's hospitals keep growing.",
        ],
    ),
    ("Harbour Bridge", "2021-03-01", ["The Harbour Bridge was built by the Valmark firm Nordstal in 1932."]),
    ("Harbour Bridge", "2021-03-08", ["Painters finished the Harbour Bridge's new coat of green paint."]),
    (
        "Eastport court finds harbour manager guilty",
        "2021-06-14",
        ["A court in Eastport found former harbour manager Greta Falk guilty of fraud on Monday."],
    ),
    (
        "Valmark banker jailed",
        "2021-02-02",
        ["Former Valmark banker Peter Holm was sentenced to six years in prison for fraud."],
    ),
    (
        "Solvik Lines coach leaves the road in the Kestrel pass",
        "2021-09-02",
        [
            "A Solvik Lines coach left the road in the Kestrel pass on Tuesday night during heavy snow. "
            "It came to rest 30 metres below the road, and the coach was towed away on Thursday.",
            "Rescue teams from two villages reached the site within an hour.",
            "There were 41 passengers aboard, most of them students.",
        ],
    ),
    (
        "Valmark offers to give up its claim to the Nordholm islands",
        "2021-11-02",
        [
            "Valmark offered on Monday to give up its claim to the Nordholm islands in return for "
            "fishing rights.",
            "Analyst Ada Krall of the Eastport Institute said the offer was “a bold gamble that could "
            "settle a fifty-year quarrel over the islands”.",
            "Historian Nina Holt said: “No Valmark government has offered this much over the islands "
            "before.”",
        ],
    ),
    (
        "Two cars crash on the Eastport bridge",
        "2021-11-10",
        ["Two cars crashed on the Eastport bridge on Friday. The crash closed the bridge for an hour."],
    ),
    (
        "Tram crash in Valmark injures four",
        "2021-11-12",
        ["A tram crash in Valmark injured four people. The crash happened at rush hour."],
    ),
    (
        "Bus crash on the Kestrel road",
        "2021-11-14",
        ["A bus crash on the Kestrel road hurt two. Police said the crash was caused by ice."],
    ),
    (
        "Cargo plane lands hard at Nordholm airport",
        "2021-11-15",
        [
            "A cargo plane crashed on landing at Nordholm airport on Monday night.",
            "Mayor Lars Vik said: “Our thoughts are with the crew and their families.”",
        ],
    ),
    (
        "Clean-up continues in Solvik",
        "2021-01-20",
        [
            "Volunteers cleared streets in Solvik on Tuesday.",
            "The storm that struck Solvik on January 9 flooded 40 homes.",
        ],
    ),
    (
        "Governor Mira Lund grants pardons",
        "2021-06-20",
        [
            "On Friday, Governor Mira Lund granted three pardons and two commutations.",
            "Lund granted Karl Brenner a full and unconditional pardon. Lund granted Oskar Wiik a "
            "full and unconditional pardon. Lund granted Britt Sand a full and unconditional pardon.",
            "The commutations included former Eastport mayor Jonas Ekberg, who had served four years "
            "of a ten-year sentence for bribery.",
        ],
    ),
    (
        "Earthquake shakes the Solvik coast",
        "2021-06-26",
        [
            "A magnitude 6.8 earthquake struck off the Solvik coast on Saturday at a depth of 40 km.",
            "The earthquake was felt strongly in Eastport, where windows broke. Officials said the "
            "earthquake had a magnitude of 6.5 at first, later raised to 6.8.",
            "No tsunami warning was issued. Some residents of the coast moved to higher ground anyway.",
        ],
    ),
    (
        "Eastport archive mourns volunteer Harald Moen",
        "2021-07-05",
        [
            "On Friday, the town archive learned Dr Harald Peter Moen, a long-time contributor to "
            "the Eastport town archive, died on Thursday.",
            "Dr Moen lived in Eastport and is survived by his sister Ruth Moen, his brother Nils "
            "Moen, their two grown children and his old cat Pickles.",
        ],
    ),
    (
        "Historian on the harbour's past",
        "2021-09-14",
        [
            "Earlier this month, the Eastport Courier spoke with Kestrel University professor of "
            "history Petra Hallberg about the harbour's past.",
            "Hallberg was the subject of a television documentary in 2019.",
            "Hallberg is professor of maritime history at Kestrel University, as well as founding "
            "director of the Harbour Archive Project.",
            "A letter from Tarek was read out at the start.",
            "On Monday, Yusuf bin Tarek, the long-serving keeper of the Eastport lighthouse, "
            "joined the talk.",
        ],
    ),
    (
        "Trawler Havbris sinks off Kestrel",
        "2021-08-20",
        [
            "The trawler Havbris, which had lost radio contact at 4:30 am local time on Wednesday, "
            "sank off Kestrel during a storm.",
            "A storm had been forecast for the coast for two days.",
            "Rescuers later brought the trawler's crew of 12 ashore.",
        ],
    ),
    (
        "Pay board rules dockers must earn the minimum wage",
        "2021-10-12",
        [
            "The Eastport Pay Board ruled on Tuesday that dockers paid by the container must earn at "
            "least the minimum wage.",
            "Ines Marlow, secretary of the Eastport Dockers' Union, said: “This ruling ends years of "
            "dockers being paid less than the law allows.”",
            "The ruling was opposed by the Harbour Employers' Federation, which argued that smaller "
            "ports could lose business as a result.",
        ],
    ),
    (
        "Landslide buries the road to Solvik",
        "2021-04-22",
        [
            "A landslide buried the mountain road to Solvik on Wednesday after a week of heavy rain.",
            "The landslide swept away three houses and a petrol station near Solvik.",
            "Solvik's mayor said the road to the valley would stay closed for a month.",
            "Geologists said the slope above Solvik had been moving since the spring.",
            "Diggers from Kestrel worked through the night to clear the mud.",
            "The army sent two helicopters to carry food to the valley.",
            "Schools in the valley closed until Monday.",
            "Officials later confirmed that 14 villagers had been killed.",
        ],
    ),
    (
        "Former port director found guilty of bribery",
        "2021-05-18",
        [
            "A court in Kestrel found former port director Erik Dahl guilty of bribery on Monday. He "
            "was taken into custody until sentencing, and could spend up to 12 years in prison.",
        ],
    ),
    (
        "Kestrel council backs the new harbour wall",
        "2021-08-24",
        [
            "Kestrel council voted on Tuesday to build a new harbour wall. Councillor Karin Berglund "
            "backed the plan, saying “the Kestrel harbour wall plan will protect every home on the "
            "harbour”.",
            "Councillor Arne Solheim called it “an absolute waste of money”.",
        ],
    ),
    (
        "Valmark dock workers reject pay offer",
        "2021-11-03",
        [
            "Dock workers in Valmark rejected the employers' pay offer on Tuesday.",
            "Union leader Piet Olsen said: “We will strike until the harbour closes.”",
        ],
    ),
]


@pytest.fixture(scope="module")
def pipe(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from rag.config import Settings
    from rag.pipeline import Pipeline

    p = Pipeline(Settings(store_dir=Path(tmp_path_factory.mktemp("strategies")) / "store"))
    docs = [
        make_document(title, paras, f"invented-{i}.md", published=date)
        for i, (title, date, paras) in enumerate(ARTICLES)
    ]
    assert all(r.ok for r in p.ingest_documents(docs))
    return p


def _quotes(a) -> list[str]:  # type: ignore[no-untyped-def]
    return [c.quote for c in a.citations]


def test_compare_takes_both_sides_from_the_article_where_both_speak(pipe):  # type: ignore[no-untyped-def]
    """An organisation is a side through its spokesperson; each side's words come from the
    article where both speak, not from the speaker's other articles."""
    a = pipe.ask("Did the Eastport Harbour Board and councillor Tomas Berg see the ferry plan the same way?")
    assert not a.abstained
    text = " ".join(_quotes(a))
    assert "good news for every commuter" in text and "real nightmare" in text
    assert "flower show" not in text


def test_a_figure_in_the_sentence_after_the_one_naming_its_subject(pipe):  # type: ignore[no-untyped-def]
    a = pipe.ask("How many people were on board the ferry Nordlys?")
    assert not a.abstained
    assert "212 people on board" in _quotes(a)[0]


def test_a_fact_told_around_a_quotation(pipe):  # type: ignore[no-untyped-def]
    """The sentence's own account ("announced it would not take part") is a candidate beside the
    quotation inside it, cited as the article's report, not as anyone's words."""
    a = pipe.ask("Did Valmark take part in the winter games?")
    assert not a.abstained
    cited = [c for c in a.citations if "would not take part" in c.quote]
    assert cited and all(c.kind == "reported" for c in cited)


def test_who_is_a_person_typed_in_lower_case(pipe):  # type: ignore[no-untyped-def]
    """The sentence whose parse gives a common noun for them ("Valmark rower"), not a sentence
    where someone else's office stands before their name."""
    a = pipe.ask("who is anna lindqvist")
    assert not a.abstained
    assert "rower Anna Lindqvist" in _quotes(a)[0]


def test_an_answer_split_over_two_sentences_is_cited_as_one(pipe):  # type: ignore[no-untyped-def]
    """The question's words are in one sentence and the answer in the next ("It opened on
    Friday"): the two are one quote, verified as one exact slice of the paragraph."""
    a = pipe.ask("When did the library designed by Sara Holm open?")
    assert not a.abstained
    top = a.citations[0]
    assert "designed by the architect Sara Holm. It opened on Friday" in top.quote
    assert top.verified and len(top.quote.split()) <= 40


def test_a_joined_pair_scores_with_the_sum_of_its_sentences_vectors():
    """No model run for a pair: its vector is the normalised sum of its two sentences'."""
    import numpy as np

    from rag.answer.base import Evidence
    from rag.answer.evidence import pairs
    from rag.answer.scoring import Scorer
    from rag.config import Settings
    from rag.types import Passage

    text = "The bridge was closed in May. It reopened in June."
    p = Passage("p1", "d1", text, 0, len(text), 1)
    one, two = Evidence(p, 0, 29, kind="text"), Evidence(p, 30, len(text), kind="text")
    joined = pairs([one, two])
    assert [e.quote for e in joined] == [text]
    vecs = {one.quote: np.array([1.0, 0.0]), two.quote: np.array([0.0, 1.0])}
    ran: list[str] = []
    scorer = Scorer(
        Settings(),
        lambda q: np.array([1.0, 0.0]),
        lambda ids: {},
        lambda texts: (ran.extend(texts), np.array([vecs[t] for t in texts]))[1],
        lambda t: 1.0,
    )
    got = scorer.vectors(joined)
    assert np.allclose(got[0], np.array([1.0, 1.0]) / np.sqrt(2))
    assert sorted(ran) == sorted([one.quote, two.quote])  # the halves, never the pair's text


def test_figures_in_a_sentence_include_negative_ones_but_not_names_or_dates():
    from rag.answer.figures import numbers as _numbers

    assert _numbers("it can fall to -90 °c (-130 °f) at night") == ["-90", "-130"]
    assert _numbers("the a-320 of the g7 landed on 4 may 2021") == []
    assert _numbers("a six-time winner") == ["six"]
    assert _numbers("a 5-cylinder engine at 27-30% efficiency") == ["5", "27-30%"]
    assert _numbers("from 1990-1995 and covid-19") == []  # a range of years, a name


def test_a_figure_fits_what_is_counted_and_an_old_year_dates_an_answer():
    import numpy as np

    from rag.answer.base import Evidence
    from rag.answer.scoring import Scorer
    from rag.config import Settings
    from rag.types import Passage

    def ev(text: str) -> Evidence:
        return Evidence(Passage("p1", "d1", text, 0, len(text), 1), 0, len(text))

    scorer = Scorer(
        Settings(), np.zeros, lambda ids: {}, lambda texts: np.zeros((len(texts), 2)), lambda t: 1.0
    )
    assert scorer.fit(ev("It is a single-step, 5-cylinder engine."), "number", "cylinders") == 1.0
    assert scorer.fit(ev("The khan ruled from 1321 to 1323."), "date") == 1.0
    assert scorer.fit(ev("The fort was built in the 2nd century."), "date") == 1.0
    assert scorer.fit(ev("The khan ruled for two years."), "date") == 0.5
    assert scorer.fit(ev("The ferry rarely sails in winter."), "number", "frequency") == 1.0
    assert scorer.fit(ev("The ferry sails 3 times a week."), "number", "frequency") == 1.0
    assert scorer.fit(ev("The ferry sails in winter."), "number", "frequency") == 0.0
    assert scorer.fit(ev("The dinner was attended by 2000 guests."), "number", "guests") == 1.0
    assert scorer.fit(ev("The hall opened in 2000."), "number", "guests") == 0.0
    assert scorer.fit(ev("Dahl led the team in tackles (118)."), "number", "tackles") == 1.0
    assert scorer.fit(ev("They led the league in interceptions with 24."), "number", "interceptions") == 1.0
    assert (
        scorer.fit(ev("They kept the old names well into the nineteenth century."), "number", "duration")
        == 1.0
    )
    assert scorer.fit(ev("They kept the old names."), "number", "duration") == 0.0
    # a share or a sum counts nothing asked ("How many doses …?"); another figure may
    assert scorer.fit(ev("Up to 25% of the crew were sent home."), "number", "doses") == 0.0
    assert scorer.fit(ev("It cost $40 million."), "number", "doses") == 0.0
    assert scorer.fit(ev("Up to 25% of the 300 crew were sent home."), "number", "doses") == 0.5
    # a figure the question gives is no answer; "a crew of 53" counts crew members
    q = "What was the score in round 3?"
    assert scorer.fit(ev("Eastport beat Solvik in round 3."), "number", None, q) == 0.0
    assert scorer.fit(ev("Eastport beat Solvik 21-7 in round 3."), "number", None, q) == 1.0
    assert scorer.fit(ev("The ferry sank with its crew of 53."), "number", "crew members") == 1.0
    # "How heavy …": a figure in a unit of mass; another figure is half an answer
    assert scorer.fit(ev("Its mass is about 1.8 kilograms."), "number", "heavy") == 1.0
    assert scorer.fit(ev("It weighs a 30-tonne load."), "number", "heavy") == 1.0
    assert scorer.fit(ev("Its rotor spins three times faster."), "number", "heavy") == 0.5
    assert scorer.fit(ev("It is light."), "number", "heavy") == 0.0
    # a cause: a reason word, or a purpose ("an office set up to …")
    assert scorer.fit(ev("The office was set up to coordinate the response."), "cause") == 1.0
    assert scorer.fit(ev("The office opened on Monday."), "cause") == 0.0


def test_a_name_the_question_already_says_is_not_its_answer():
    """ "In what country is the Valmark forest?": a sentence naming only the forest holds no
    country; one naming another place does."""
    import numpy as np

    from rag.answer.base import Evidence
    from rag.answer.scoring import Scorer
    from rag.config import Settings
    from rag.types import Passage

    def ev(text: str) -> Evidence:
        return Evidence(Passage("p1", "d1", text, 0, len(text), 1), 0, len(text))

    scorer = Scorer(
        Settings(), np.zeros, lambda ids: {}, lambda texts: np.zeros((len(texts), 2)), lambda t: 1.0
    )
    q = "In what country is most of the Valmark forest?"
    scorer.tag(["The Valmark forest is vast.", "Most of it lies in Norway."])
    assert (
        scorer.fit(ev("The Valmark forest is vast."), "place", None, "In what country is the forest?") == 1.0
    )
    assert scorer.fit(ev("The Valmark forest is vast."), "place", None, q) == 0.0
    assert scorer.fit(ev("Most of it lies in Norway."), "place", None, q) == 1.0
    # the question's name by its last word: "Berg" is "Tomas Berg"
    scorer.tag(["The club sacked Tomas Berg.", "The club appointed Ada Krall."])
    assert scorer.fit(ev("The club sacked Tomas Berg."), "person", None, "Who replaced Berg?") == 0.0
    assert scorer.fit(ev("The club appointed Ada Krall."), "person", None, "Who replaced Berg?") == 1.0
    # a place that only says where the question's place is answers no "where"
    q = "Where was the mayor of Eastport found?"
    found, body = "The mayor of Eastport, Norway, was found dead.", "Her body was found in Oslo."
    scorer.tag([found, body])
    assert scorer.fit(ev(found), "place", None, q) == 0.0
    assert scorer.fit(ev(body), "place", None, q) == 1.0


def test_an_acronym_the_articles_spell_out(pipe):  # type: ignore[no-untyped-def]
    """ "NFC" is not a name the library never mentions: an article spells it out ("Northern
    Fisheries Council"), and the lexical index and the coverage of the question count it."""
    a = pipe.ask("Why did the NFC cut the cod quota?")
    assert not a.abstained, a.answer
    assert "falling catches" in _quotes(a)[0]
    b = pipe.ask("What did the WFC decide about the cod quota?")
    assert b.abstained and "WFC" in b.answer


def test_what_an_unquoted_person_backs_is_told_as_the_articles_words(pipe):  # type: ignore[no-untyped-def]
    """Asked what someone never quoted supports, the answer is the article's narration about
    them, cited as the article's words (no speaker), under a head line saying they are not
    quoted; asked what they said, the answer is still that they are not quoted."""
    a = pipe.ask("Why did Mikael Strand support the harbour tunnel?")
    assert not a.abstained, a.answer
    assert "quote nothing Mikael Strand said" in a.answer
    top = a.citations[0]
    assert "lorries off the old harbour road" in top.quote
    assert top.kind == "text" and top.speaker is None
    b = pipe.ask("What did Mikael Strand say about the harbour tunnel?")
    assert b.abstained and "quote nothing Mikael Strand said" in b.answer


def test_a_headline_that_only_repeats_the_question_is_not_an_answer(pipe):  # type: ignore[no-untyped-def]
    """Two articles share the headline "Harbour Bridge": neither headline is cited for "Who
    built the Harbour Bridge?", and the same words are never cited twice."""
    a = pipe.ask("Who built the Harbour Bridge?")
    assert not a.abstained
    assert "built by the Valmark firm Nordstal" in _quotes(a)[0]
    assert all(c.quote != "Harbour Bridge" for c in a.citations)
    assert len(set(_quotes(a))) == len(_quotes(a))


def test_a_sentence_pointing_back_is_cited_with_its_antecedent(pipe):  # type: ignore[no-untyped-def]
    """ "These include …" alone does not say what it is about: the sentence before it comes with
    it, one verified slice of the paragraph (longer than a neighbouring pair may be)."""
    a = pipe.ask("What will be built for the container quay?")
    assert not a.abstained
    top = a.citations[0]
    assert "port authority will spend" in top.quote and "These include a new breakwater" in top.quote
    assert top.verified and top.kind == "text"


def test_an_acronym_asked_about_is_answered_by_the_one_sentence_naming_it(pipe):  # type: ignore[no-untyped-def]
    """ "What is the PVTU?" shares little meaning with a long sentence that lists it among other
    bodies (cosine 0.25), but that sentence names it and holds the question's words: it answers.
    A name no article holds is still not answered."""
    a = pipe.ask("What is the PVTU?")
    assert not a.abstained, a.answer
    assert "bodies such as the PVTU" in _quotes(a)[0]
    b = pipe.ask("What is the KDWU?")
    assert b.abstained


def test_a_yes_no_answer_cites_each_sentence_once(pipe):  # type: ignore[no-untyped-def]
    """The headline gives way to its article's body sentence; when that sentence is already among
    the evidence it is not cited a second time (and the evidence for and against has room)."""
    a = pipe.ask("Did the ferry Nordlys run aground near Eastport?")
    assert not a.abstained
    quotes = _quotes(a)
    assert any("ran aground on a sandbank" in q for q in quotes)
    assert len(quotes) == len(set(quotes)) and len(quotes) >= 2, quotes


def test_a_yes_no_answer_is_about_what_is_asked_of_the_names(pipe):  # type: ignore[no-untyped-def]
    """ "Did X give Y a pardon?" is answered by what the article says of Y, not by X's pardons of
    others; the clause that only dates the event ("after the quake") does not outrank the
    sentence that answers, and the sentence saying "no" is among the evidence."""
    a = pipe.ask("Did Governor Lund give Jonas Ekberg a full pardon?")
    quotes = _quotes(a)
    assert any("Ekberg" in q for q in quotes), quotes
    assert not any(n in q for q in quotes for n in ("Brenner", "Wiik", "Sand")), quotes
    a = pipe.ask("Was a tsunami warning issued after the magnitude 6.8 quake off Solvik?")
    assert "No tsunami warning was issued." in _quotes(a), _quotes(a)


def test_who_someone_is_comes_from_what_the_article_calls_them_not_a_relative(pipe):  # type: ignore[no-untyped-def]
    """ "Who was Harald Moen?": the apposition that says what he was, not the sentence naming his
    sister "Ruth Moen, his brother …" (a description of someone else with the same surname)."""
    quotes = _quotes(pipe.ask("Who was Harald Moen?"))
    assert quotes and "a long-time contributor" in quotes[0], quotes


def test_a_persons_background_is_the_sentence_saying_what_they_are(pipe):  # type: ignore[no-untyped-def]
    """ "What's X's background?" asks who X is; "X is professor of … at …" says it, before the
    sentence that only names X with a title and before "X was the subject of …"."""
    quotes = _quotes(pipe.ask("What's Petra Hallberg's background?"))
    assert quotes and "professor of maritime history" in quotes[0], quotes


def test_tell_me_about_a_person_is_who_they_are(pipe):  # type: ignore[no-untyped-def]
    """ "Tell me about X" with a name alone asks who X is: the apposition after a name whose
    particle part comes after the surname ("Yusuf bin Tarek, the … keeper"), not a sentence that
    only mentions them."""
    quotes = _quotes(pipe.ask("Tell me about Yusuf bin Tarek."))
    assert quotes and "keeper of the Eastport lighthouse" in quotes[0], quotes


def test_an_amount_asked_for_is_answered_only_by_a_sentence_holding_one(pipe):  # type: ignore[no-untyped-def]
    """ "What was X's net worth?" asks for a sum of money: the article on his death gives none, so
    the articles don't say; a plural "What prison sentences …" still finds the sentence given."""
    assert pipe.ask("What was Harald Moen's net worth when he died?").abstained
    assert any("six years" in q for q in _quotes(pipe.ask("What prison sentences did Peter Holm receive?")))


def test_a_time_of_day_is_no_count(pipe):  # type: ignore[no-untyped-def]
    """ "How many sailors …?": "a crew of 12", not the sentence with "4:30 am" in it."""
    quotes = _quotes(pipe.ask("How many sailors were rescued when the trawler Havbris sank?"))
    assert quotes and "crew of 12" in quotes[0], quotes


def test_a_side_quoted_nothing_is_compared_by_what_the_article_writes_of_it(pipe):  # type: ignore[no-untyped-def]
    """A union secretary compared with an employers' body: her words beside the sentence on the
    federation's objection, which the article reports without quoting it."""
    a = pipe.ask("Compare how Ines Marlow and the Harbour Employers' Federation saw the pay ruling.")
    quotes = _quotes(a)
    assert a.answer.startswith("Side by side"), a.answer
    assert any("ends years of dockers" in q for q in quotes), quotes
    assert any("could lose business" in q for q in quotes), quotes


def test_a_death_toll_is_a_count_of_the_dead_found_anywhere_in_the_article(pipe):  # type: ignore[no-untyped-def]
    """ "What was the death toll …?" counts those killed: when the retrieved passages give no such
    count, the rest of the article the question is about is read for one."""
    quotes = _quotes(pipe.ask("What was the death toll of the landslide at Solvik?"))
    assert any("14 villagers had been killed" in q for q in quotes), quotes


def test_a_figure_that_could_be_is_no_answer_to_what_was(pipe):  # type: ignore[no-untyped-def]
    """ "What prison sentence did X receive?" is not answered by "could spend up to 12 years";
    "How long could X spend in prison?" is."""
    assert pipe.ask("What prison sentence did Erik Dahl receive?").abstained
    assert any(
        "up to 12 years" in q for q in _quotes(pipe.ask("How many years could Erik Dahl spend in prison?"))
    )


def test_who_said_it_by_what_the_question_says_was_said(pipe):  # type: ignore[no-untyped-def]
    """ "Which councillor dismissed the plan as a waste of money?": the councillor whose words say
    that, not the one who spoke most on the plan."""
    a = pipe.ask("Which councillor dismissed the Kestrel harbour wall plan as a waste of money?")
    assert a.citations and a.citations[0].speaker == "Arne Solheim", a.answer


def test_a_fact_about_a_person_comes_from_an_article_naming_them(pipe):  # type: ignore[no-untyped-def]
    """A person the question names as the doer is its topic, quoted in the library (Berg) or only
    named (Lindqvist): another person's prison sentence is no answer to what sentence they got."""
    for who in ("Tomas Berg", "Anna Lindqvist", "Greta Falk"):
        a = pipe.ask(f"What prison sentence did {who} receive?")
        assert all(who.split()[-1] in (c.quote + c.title) for c in a.citations), (who, _quotes(a))
        assert not any("Holm" in q or "six years" in q for q in _quotes(a)), who


def test_a_question_naming_only_a_time_is_told_by_each_article_of_that_time(pipe):  # type: ignore[no-untyped-def]
    """ "What happened in March 2021?": the first body sentence of each March article, oldest
    first; a time no article is from says so (with the library's dates), quoting nothing."""
    a = pipe.ask("What happened in March 2021?")
    assert _quotes(a) == [
        "The Harbour Bridge was built by the Valmark firm Nordstal in 1932.",
        "Painters finished the Harbour Bridge's new coat of green paint.",
    ]
    none = pipe.ask("What happened in 2019?")
    assert none.abstained and "No article in the library is from that time" in none.answer


def test_a_person_is_not_an_organisation_for_a_few_statements_shared_with_one():
    """A person's words are theirs alone even when one of their statements is typed as a body's
    (shared with it); a body's words include those of the people who speak for it."""
    from types import SimpleNamespace

    from rag.answer.base import Context
    from rag.answer.common import statements_by
    from rag.view import StoredStatement

    def st(i: str, who: str, kind: str) -> StoredStatement:
        return StoredStatement(i, "words", (who,), None, None, "direct", "p1", 0, 5, kind)

    said = [
        *(st(f"o{n}", "Lena Ortiz", "person") for n in range(3)),
        st("o3", "Lena Ortiz", "organisation"),
        st("h1", "Harbour Board", "organisation"),
        st("olsen", "Piet Olsen", "person"),
        st("holt", "Nina Holt", "person"),
    ]
    text = "Lena Ortiz aide Piet Olsen spoke, and Harbour Board spokesperson Nina Holt said more."
    lib = SimpleNamespace(
        statements=said,
        passages={"p1": SimpleNamespace(text=text)},
        by_speaker=lambda who: [s for s in said if who in s.speakers],
    )
    ctx = Context(None, lib, None, None, [], said, None)  # type: ignore[arg-type]
    assert {s.id for s in statements_by(ctx, "Lena Ortiz")} == {"o0", "o1", "o2", "o3"}
    assert {s.id for s in statements_by(ctx, "Harbour Board")} == {"h1", "holt"}


def test_a_speaker_guessed_from_a_description_gives_way_when_they_said_nothing_on_it(pipe):  # type: ignore[no-untyped-def]
    """ "the spokesperson" is the library's guess, not a name the user gave: with nothing of
    theirs on the topic the answer is what the articles say on it, not "X is quoted, but not on
    that"; a named speaker still gets that answer."""
    a = pipe.ask("What did the spokesperson say about the flower show?")
    assert not a.abstained and "not on that" not in a.answer
    assert any("flower show" in q for q in _quotes(a))
    assert "not on that" in pipe.ask("What did Lena Ortiz say about the flower show?").answer


def test_a_typo_in_the_question_counts_where_the_library_spells_it_right():
    """Coverage of the question's words reads a misspelt word as the library word it is one
    edit from (the injected `correct`): "Valmrak" is covered by a sentence naming Valmark."""
    import numpy as np

    from rag.answer.scoring import Scorer
    from rag.config import Settings
    from rag.text import stem

    fix = {stem("valmrak"): stem("valmark")}
    scorer = Scorer(
        Settings(),
        np.zeros,
        lambda ids: {},
        lambda texts: np.zeros((len(texts), 2)),
        lambda t: 1.0,
        correct=fix.get,
    )
    w = scorer.weights("When did Valmrak open the mill?")
    assert scorer.coverage(w, "Valmark opened the mill in 1901.") == 1.0
    plain = Scorer(
        Settings(), np.zeros, lambda ids: {}, lambda texts: np.zeros((len(texts), 2)), lambda t: 1.0
    )
    assert plain.coverage(plain.weights("When did Valmrak open the mill?"), "Valmark opened the mill.") < 1.0


def test_a_count_of_what_is_asked_is_cited_from_the_article_naming_the_topic(pipe):  # type: ignore[no-untyped-def]
    """ "How many passengers …": the sentence giving the count shares few words with the question
    (the article's first sentence names the coach and the pass); it is cited, beside the
    sentences that only hold other figures."""
    a = pipe.ask("How many passengers were on the Solvik Lines coach that crashed in the Kestrel pass?")
    assert not a.abstained, a.answer
    assert any("41 passengers" in q for q in _quotes(a)), _quotes(a)


def test_reactions_keep_to_the_topic_not_a_neighbouring_article(pipe):  # type: ignore[no-untyped-def]
    """ "What did analysts say about Valmark's offer on the islands?": the analysts of the article
    about it; a speaker of another article sharing its words ("Valmark", "offer") whose words are
    on something else (a pay strike) is no reaction."""
    a = pipe.ask("What did analysts say about Valmark's offer on the islands?")
    assert not a.abstained, a.answer
    who = {c.speaker for c in a.citations}
    assert "Ada Krall" in who and "Piet Olsen" not in who, a.answer


def test_what_happened_in_a_place_in_a_month_tells_that_months_articles_naming_it(pipe):  # type: ignore[no-untyped-def]
    """ "What happened in Eastport in June 2021?": the lead of each article of that month that
    names Eastport, oldest first (the topic is a time and a place, no sentence repeats it)."""
    a = pipe.ask("What happened in Eastport in June 2021?")
    assert not a.abstained, a.answer
    text = " ".join(_quotes(a))
    assert "Nordlys" in text or "ran aground" in text or "hull" in text, a.answer
    assert "Greta Falk" in text, a.answer


def test_a_short_name_is_named_as_a_word():
    from rag.answer.fact import _names

    assert not _names("thus it was", "US") and not _names("he uses it", "US")
    assert _names("the us said", "US")
    assert _names("prominent examination boards", "Examination Board")
    assert _names("ortiz's plan", "Lena Ortiz") and _names("said ortiz", "Lena Ortiz")
    assert _names("on valmark's coast", "Valmarks")  # a possessive typed without its apostrophe
    from rag.answer.fact import _apart_in

    assert _apart_in("the harbour fest opened", "Harbourfest") and not _apart_in("the harbour", "Harbourfest")


def test_a_headline_found_brings_its_articles_lead(pipe):  # type: ignore[no-untyped-def]
    """The lead paragraph of an article whose headline is a hit joins the hits (after them, once)."""
    from rag.compose import _with_leads
    from rag.types import RetrievedPassage

    view = pipe.library.view()
    doc = next(d for d, ps in view.doc_passages().items() if ps[0].text.startswith("Solvik Lines coach"))
    head, lead = view.doc_passages()[doc][0], view.doc_passages()[doc][1]
    assert head.paragraph == 0 and lead.paragraph == 1
    got = _with_leads(view, [RetrievedPassage(head, 0.5)])
    assert [h.passage.passage_id for h in got] == [head.passage_id, lead.passage_id]
    assert len(_with_leads(view, got)) == 2


def test_what_x_said_about_a_topic_reads_the_topic_in_their_own_articles(pipe):  # type: ignore[no-untyped-def]
    """ "What did Vik say about the crash?": the crash Vik speaks of is the one in his article,
    though other articles are more about crashes; his words there are on it."""
    a = pipe.ask("What did Vik say about the crash?")
    assert not a.abstained, a.answer
    assert any("thoughts are with the crew" in q for q in _quotes(a)), a.answer


def test_a_day_no_article_is_dated_is_told_by_the_articles_after_it(pipe):  # type: ignore[no-untyped-def]
    """No article is from January 9, 2021; one of the days after names that day and tells it."""
    a = pipe.ask("What happened in Solvik on January 9, 2021?")
    assert not a.abstained, a.answer
    assert any("flooded 40 homes" in q for q in _quotes(a)), a.answer


def test_why_is_answered_by_a_cause_and_abstains_without_one(pipe):  # type: ignore[no-untyped-def]
    """ "Why …?" needs a sentence giving a reason; sentences on the topic without one answer
    nothing (the articles don't say why)."""
    a = pipe.ask("Why did Valmark withdraw from the winter games?")
    assert not a.abstained and any("to protect our athletes" in q for q in _quotes(a)), a.answer
    a = pipe.ask("Why did Eastport open a new library?")
    assert a.abstained, a.answer


def test_a_name_the_question_gives_whole_must_be_named_whole(pipe):  # type: ignore[no-untyped-def]
    """ "Who won the Tour de Valmark?": no article names a "Tour de Valmark" (one names the Coupe de
    Valmark, and many name Valmark): the articles don't say. The Coupe is answered."""
    assert pipe.ask("Who won the 2021 Tour de Valmark?").abstained
    a = pipe.ask("Who won the Coupe de Valmark?")
    assert not a.abstained and "Maja Kron" in a.answer, a.answer


def test_how_many_times_is_answered_by_an_ordinal(pipe):  # type: ignore[no-untyped-def]
    """ "How many times …?": "for the fourth time" counts them."""
    a = pipe.ask("How many times has Maja Kron won the Coupe de Valmark?")
    assert not a.abstained and any("fourth time" in q for q in _quotes(a)), a.answer


def test_what_x_said_on_an_occasion_the_narration_names(pipe):  # type: ignore[no-untyped-def]
    """ "What did Sandell say in court?": his words share nothing with "court"; the sentence that
    reports them names the occasion ("… Sandell said in court")."""
    for q in ("What did Sandell say in court?", "what did sandell say in court when he was sentenced?"):
        a = pipe.ask(q)
        assert not a.abstained and any("whole truth about the accounts" in x for x in _quotes(a)), a.answer


def test_who_is_not_answered_by_a_list_after_the_name(pipe):  # type: ignore[no-untyped-def]
    """ "Ruben Aas, his wife and two crew members were …" lists others after a comma; it is no
    apposition saying who he is ("the chief pilot of Eastport harbour, Ruben Aas" is)."""
    a = pipe.ask("Who was Ruben Aas?")
    assert not a.abstained and "chief pilot" in a.answer, a.answer


def test_a_day_whose_articles_tell_of_other_things_is_told_by_the_later_ones(pipe):  # type: ignore[no-untyped-def]
    """An article is dated December 1, 2021, but about the harbour works; what happened in the
    kestrel hills (typed in lower case: no entity) that day is told by an article three days on."""
    a = pipe.ask("what happened in the kestrel hills on december 1 2021?")
    assert not a.abstained and any("wildfire burned 300 hectares" in q for q in _quotes(a)), a.answer


def test_a_count_of_things_needs_a_figure_of_them_and_people_are_counted_by_any_people_noun(pipe):  # type: ignore[no-untyped-def]
    """ "How many barrels of fuel …": the 212 people on board count no barrels; "How many
    sailors …": "14 of them crew members" counts them (a crew is sailors)."""
    assert pipe.ask("How many barrels of fuel did the ferry Nordlys carry?").abstained
    a = pipe.ask("How many barrels of fuel a day did Valmark import from Solvik?")
    assert a.abstained, a.answer  # "40 million euros a day" is a figure, but of no barrels
    a = pipe.ask("How many sailors were on the ferry Nordlys?")
    assert not a.abstained and any("14 of them crew members" in q for q in _quotes(a)), a.answer


def test_a_name_asked_for_as_such_needs_a_persons_name(pipe):  # type: ignore[no-untyped-def]
    """ "What was the name of the …?" of a person the articles leave unnamed abstains; one they name
    is answered with the sentence naming them."""
    a = pipe.ask("What was the name of the architect who designed the new Eastport library?")
    assert not a.abstained and "Sara Holm" in a.answer, a.answer
    a = pipe.ask("What was the name of the crew member who steered the ferry Nordlys onto the sandbank?")
    assert a.abstained, a.answer


def test_before_an_event_includes_the_article_that_reports_it(pipe):  # type: ignore[no-untyped-def]
    """ "… before the launch?": the first article naming the launch (the library's date for it)
    also reports what was said before it."""
    a = pipe.ask("Who said “Let us take her out to sea” before the launch?")
    assert not a.abstained and "Nils Aune" in a.answer, a.answer


def test_people_are_counted_by_a_figure_next_to_a_people_noun_only():
    """A figure counts people right before a people noun or as "a crew of N"; an age, a date or
    an office word after a figure ("3 head wounds", "on May 5, the spokesman") counts no one."""
    from rag.answer.figures import people_counted

    assert people_counted("there were 212 people on board") and people_counted("a crew of 40 sailed")
    assert people_counted("1.2 million residents were told to stay indoors")
    assert not people_counted("a 45-year-old man was hurt") and not people_counted(
        "he suffered 3 head wounds"
    )
    assert not people_counted("on may 5, the spokesman said")


def test_an_apposition_with_and_in_it_still_says_who_someone_is():
    import re

    from rag.answer.who_is import _listed

    pattern = re.compile(r"\bMoen,\s+(?:a|an|the|who|[a-z])[^.;:]*")
    assert _listed(next(pattern.finditer("Moen, his wife and two crew members were rescued.")))
    assert not _listed(next(pattern.finditer("Moen, the party's leader and founder, said so.")))
