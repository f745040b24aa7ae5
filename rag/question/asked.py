"""What a question asks of the names in it, from its spaCy parse: the predicate of a yes/no
question ("Was anyone injured when …" -> "injured") and the words a "who said it" question gives of
what was said ("Who dismissed the plan as a waste of money?" -> "a waste of money"). Part of
question reading (rag/question/__init__.py builds the Intent). Non-goals: names and the library.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rag.lexicon import words as vocabulary
from rag.question.grammar import AUX, WH, sayish

if TYPE_CHECKING:
    from spacy.tokens import Doc


def scene(doc: Doc) -> set[int]:
    """The tokens that only set the scene of what is asked: a clause with its own subject ("when
    the boat hit the bridge", "when she met X") and a time phrase ("after the storm")."""
    dating = vocabulary("time_prepositions")
    return {
        w.i
        for t in doc
        if (
            (t.dep_ in ("advcl", "relcl") and any(c.dep_.startswith("nsubj") for c in t.children))
            or (t.dep_ == "prep" and t.lower_ in dating)
        )
        and not any(  # "… 100 years before whose theory?": that is what is asked ("when" only joins)
            w.lower_ in WH and not (w.dep_ in ("advmod", "mark") and w.head.i == t.i) for w in t.subtree
        )
        for w in t.subtree
    }


def predicate(doc: Doc) -> str:
    """What a yes/no question asks: its content words without the subject's names and without
    what only dates the event ("Was anyone injured when the boat hit the pier?" -> "injured"; "Was
    a warning issued after the storm?" -> "warning issued"); the names of its object stay ("Did
    X appoint Y?" -> "appoint Y": a sentence about Y answers, not one about X's other appointments),
    those of places and events around it do not ("… the crash near Fairview?")."""
    dropped = scene(doc)
    around = {  # the subject, and the places around: "in the games", "near the town"
        w.i
        for t in doc
        if (t.dep_.startswith("nsubj") and t.head.dep_ == "ROOT") or t.dep_ == "prep"
        for w in t.subtree
    }
    keep = [
        t.text if t.ent_type_ else t.lower_
        for t in doc
        if t.i not in dropped
        and not (t.ent_type_ and (t.i in around or t.ent_type_ in ("DATE", "TIME", "CARDINAL")))
        and t.pos_ in ("NOUN", "VERB", "ADJ", "ADV", "PROPN")
        and t.lower_ not in WH
        and t.lower_ not in AUX
    ]
    return " ".join(keep)


def said_words(doc: Doc) -> str:
    """What a "who said it" question says was said, unquoted: the "as …" of "dismissed it as a
    waste of money", the complement of "called it a mistake", the clause of "warned that …"."""
    for t in doc:
        asker = [
            c
            for c in t.children
            if c.dep_ in ("nsubj", "nsubjpass")
            and (c.lower_ in WH or any(d.lower_ in ("which", "what") for d in c.children))
        ]
        if not asker or not sayish(t):
            continue
        parts = [
            c
            for c in t.subtree
            if (c.dep_ == "prep" and c.lower_ == "as" and c.head.i >= t.i)
            or (c.head.i == t.i and c.dep_ in ("oprd", "ccomp"))
        ]
        words = [w.text for p in parts for w in p.subtree if not w.is_punct and w.dep_ != "mark"]
        return " ".join(w for w in words if w.lower() != "as")
    return ""
