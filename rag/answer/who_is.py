"""Who someone is: the role the articles give them (the most recent one), cited as the sentence
where an article writes "Name, role" or "role Name"; else the sentence that describes them best
— "Ortiz is professor of law at …" (with a word naming what someone is), then an apposition
("Lena Ortiz, a lawyer employed at …") before the words just before
the name ("the mayor's sister Anna Ortiz"), a description with an office or a relation noun
before one without; a sentence naming a relative with the same surname ("his mother Ruth
Ortiz") does not describe them."""

from __future__ import annotations

import re

from rag.answer.base import Context, Draft, Evidence
from rag.answer.common import rank
from rag.lexicon import words as vocabulary
from rag.text import sentence_spans
from rag.verify import trim_span

MAX_PARSED = 24  # sentences describing someone that are parsed for the role they give


def _sentence(p_text: str, a: int, b: int) -> tuple[int, int]:
    for x, y in sentence_spans(p_text):
        if x <= a and b <= y:
            return trim_span(p_text, x, y)
    return a, b


def who_is(ctx: Context) -> Draft | None:
    names = ctx.intent.speakers or ctx.intent.entities or ctx.intent.unquoted
    if not names:
        return None
    name = names[0]
    sp = next((s for s in ctx.lib.speakers() if s.name == name), None)
    roles = list(reversed(sp.roles if sp else ()))  # the most recent role first
    if ctx.intent.answer_type == "organisation":  # "who does he work for": the role naming most
        roles.sort(key=lambda h: -sum(w[:1].isupper() for w in h.role.split()[1:]))
    for held in roles:
        who = rf"(?:{re.escape(name)}|{re.escape(name.split()[-1])})"
        pattern = re.compile(rf"\b{who},\s+{re.escape(held.role)}|\b{re.escape(held.role)}\s+{who}\b")
        for p in ctx.lib.passages.values():
            if (ctx.docs is None or p.doc_id in ctx.docs) and (m := pattern.search(p.text)):
                a, b = _sentence(p.text, m.start(), m.end())
                e = Evidence(p, a, b, context=p.text[a:b])
                return Draft(f"{name} is {held.role}:", (e,), "who_is", with_speaker=False)
    if described := _described(ctx, name):
        return Draft("", tuple(described), "who_is")
    return None


def _parsed_roles(sentences: list[str], surname: str) -> list[str | None]:
    """The role each sentence gives the person (an apposition or the words before the name in
    its noun phrase, from the parse), or None."""
    from rag import nlp
    from rag.names import role_of

    out: list[str | None] = []
    for d in nlp.parse(sentences):
        ent = next((e for e in d.ents if e.label_ == "PERSON" and e[-1].text == surname), None)
        if ent is None:  # the person is asked about: a name the tagger took for a body is theirs
            ent = next((e for e in d.ents if e.label_ in ("ORG", "GPE") and e[-1].text == surname), None)
        out.append(role_of(ent) if ent is not None else None)
    return out


def _theirs(sent: str, m: re.Match[str], parts: list[str]) -> bool:
    """The surname the match holds is this person's, not a relative's: "his mother Ruth Moen"
    names someone else; "Dr Moen", "Harald Peter Moen" and a bare "Moen" are them."""
    at = sent.rfind(parts[-1], m.start(), m.end())
    lead = re.findall(r"[^\W\d_][\w’'.-]*", re.split(r"[,;:()]", sent[max(0, at - 40) : at])[-1])[-3:]
    if len(parts) < 2 or not lead or not lead[-1][:1].isupper():
        return True
    given = {w.lower() for w in parts[:-1]}
    return lead[-1].lower().rstrip(".") in vocabulary("honorifics") or any(w.lower() in given for w in lead)


def _listed(m: re.Match[str]) -> bool:
    """The words after the name's comma begin a list of others, not a description: "Moen, his
    wife and two crew members" ("and" brings another person or group; "Moen, the party's leader
    and founder, said" describes him)."""
    after = m.group(0).split(",", 1)[-1].split(",")[0]
    return (
        re.match(
            r"\s*(?:[\w’'-]+\s+){1,3}and\s+(?:his|her|their|its|the|a|an|\d|[A-Z]|"
            r"(?:two|three|four|five|six|seven|eight|nine|ten|several|other)\b)",
            after,
        )
        is not None
    )


def _described(ctx: Context, name: str) -> list[Evidence]:
    parts = name.split()
    if not parts or not ctx.lib.lexical.knows(parts[-1]):
        return []
    who = rf"(?:{re.escape(name)}|{re.escape(parts[-1])})"
    # "X is a lawyer", "X is professor of law": what class of person they are ("X was the most
    # active editor" rates them; an apposition says it better)
    copula = re.compile(rf"\b{who}\s+(?:is|was)\s+(?:a|an|[a-z]+\s+of)\s[^.;:]*")
    particles = "|".join(sorted(vocabulary("name_particles")))  # "Yusuf bin Tarek, the keeper …"
    rest = rf"(?:\s+(?:{particles})\s+[A-Z][\w’'-]+)?"
    apposition = re.compile(rf"\b{who}{rest},\s+(?:a|an|the|who|[a-z])[^.;:]*")
    before = re.compile(rf"((?:[^\W\d_][\w’'.-]*\s+){{1,8}})(?:\(\w+\)\s+)?{who}\b")
    nouns = vocabulary("person_nouns")
    evs, rank_of = [], {}
    for p in ctx.lib.passages.values():
        if (ctx.docs is not None and p.doc_id not in ctx.docs) or parts[-1] not in p.text:
            continue
        for a, b in sentence_spans(p.text):
            sent = p.text[a:b]
            m = next((x for x in copula.finditer(sent) if _theirs(sent, x, parts)), None)
            kind = 3  # "Ortiz is professor of law at …": the article defines them
            if m is None:
                m = next(
                    (x for x in apposition.finditer(sent) if _theirs(sent, x, parts) and not _listed(x)), None
                )
                kind = 2
            if m is None:
                m, kind = next((x for x in before.finditer(sent) if _theirs(sent, x, parts)), None), 1
            if m is None:
                continue
            desc = re.sub(who, " ", m.group(0)).lower()
            has_noun = any(w.strip(",.’'s") in nouns for w in desc.split()) or (
                kind == 2 and desc.split(",", 1)[-1].split()[:1] in (["a"], ["an"], ["the"])
            )  # "Ortiz, a long-time contributor to …": what the article says they are
            if kind == 3 and not has_noun:
                kind = 1  # "Ortiz was the subject of an inquiry": no saying what they are
            x, y = trim_span(p.text, a, b)
            evs.append(Evidence(p, x, y, context=sent))
            rank_of[(p.passage_id, x)] = (kind + (2 if has_noun else 0), len(desc.split()))
    full = [e for e in evs if name in e.context][:MAX_PARSED]  # where the article names them in full
    for e, role in zip(full, _parsed_roles([e.context for e in full], parts[-1])):
        if role and (role.split()[-1][:1].islower() or any(w.lower() in nouns for w in role.split())):
            # the parse finds a common noun naming them ("Eastport rower"): as good as an
            # apposition with an office
            key = (e.passage.passage_id, e.start)
            rank_of[key] = max(rank_of[key], (4, len(role.split())))
    ranked = rank(ctx, evs, ctx.intent.text, direct=False)
    ranked.sort(key=lambda e: rank_of[(e.passage.passage_id, e.start)], reverse=True)  # stable on score
    return [e for e in ranked[:1]]
