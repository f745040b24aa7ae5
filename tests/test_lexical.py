"""The terms the lexical index and the question's coverage count (rag/lexical.py, rag/text.py):
stems that join a word's forms, acronym terms that join "NFC" and "Northern Fisheries Council"."""

from __future__ import annotations

from rag.lexical import ACRONYM, acronyms, index_terms, initialisms, query_terms, terms


def test_stems_join_the_forms_of_a_word():
    assert terms("contribute") == terms("contribution") == terms("contributions")
    assert terms("needs") == terms("need") and terms("concessions") == terms("concession")


def test_acronyms_as_a_question_writes_them():
    assert acronyms("Did the NFC and NATO's envoys meet in the UK?") == [
        ACRONYM + "nfc",
        ACRONYM + "nato",
        ACRONYM + "uk",
    ]
    assert acronyms("A Covid-19 case and a B-52") == []  # not words of capitals alone


def test_initialisms_of_capitalised_runs():
    got = set(
        initialisms(
            "The Northern Fisheries Council met the Organisation for Economic Co-operation and Development."
        )
    )
    assert {ACRONYM + "nfc", ACRONYM + "oecd"} <= got
    assert ACRONYM + "nfc" in initialisms("Talks at the NFC ended.")  # written as an acronym too
    assert not initialisms("the fisheries council met on a rainy day.")


def test_a_query_acronym_meets_the_passage_spelling_it_out():
    assert ACRONYM + "nfc" in set(query_terms("Why did the NFC cut it?")) & set(
        index_terms("The Northern Fisheries Council cut the cod quota.")
    )


def test_an_abbreviations_stop_does_not_end_a_sentence():
    from rag.text import sentence_spans

    text = "The case Roe v. Wade was cited by Smith et al. in 1998. Dr. Kay disagreed. It ended."
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        "The case Roe v. Wade was cited by Smith et al. in 1998.",
        "Dr. Kay disagreed.",
        "It ended.",
    ]
