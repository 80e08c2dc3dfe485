"""A refused question about a talk that is known, answered from that talk's record; and what was tried for fresh questions.

A question about one talk's record (its speaker's PhD, its code, the papers it builds on) is answered from the
record of the answer's main talk, so whether that talk is the one the question describes decides everything.

**A refused follow-up about a talk a reference named** ("Who was that joint with?", ``Answer.pinned``,
app/answer/referents.py): the talk is known, so the record checks run on an answer with no sentences — the asked
record fields (app/answer/records.py), a missing kind of link (link_facts.py), the bio sentences (bio_facts.py),
the references (reference_facts.py) — and their facts replace the refusal when one of them states something (a
name, a link, a reference, a bio sentence); when none does, what the record does not say of what was asked replaces
it ("The record of this talk does not say who gave it."). The later record checks see those facts and add nothing twice.

**A refused fresh question whose source [1] the model recognised** (``Answer.recognised``): asked in one word after
its decline, the model read source [1] as the talk the question describes (app/answer/record_look.py); the same
record facts replace the refusal.

*Tried for fresh questions and reverted* (2026-12-04, eleventh session): a refused question whose top talk the
cross-encoder found relevant (best-sentence logit at least −1) and ahead of every other judged talk (by 1) was
answered from that talk's record too. Chosen on the seen sets (dev, held-out, held-out-11), it turned two refusals
of held-out-12 into right answers, but on blind held-out-14 it answered a question about a topic the corpus lacks
with a near-miss talk's links (j008, logit −0.6): there, topics the corpus lacks but that share a talk's words score
up to +3.0, the range of right talks, so no logit tells them apart, and the model's refusal was the better judge.

*Also tried and reverted* (the same session): an answer to a question about one talk's record whose main talk's
logit was below −6 became the abstention. Chosen on the seen sets (held-out-13's near-miss topics scored −6.5 to
−9.6, and only four of 96 seen answerable questions' talks below −6), it caught one near-miss topic on blind
held-out-14 but made four answerable held-out-12 bio questions abstain (two lost their key facts): right talks
described through their speaker score as low as −8.4 there.
"""

from __future__ import annotations

import re
from dataclasses import replace

from app.answer.bio_facts import asked_facets, quote_bio
from app.answer.link_facts import asked_kinds, says_kind_missing, state_missing_kinds
from app.answer.records import about_one_talk, asks_record, record_sentences
from app.answer.reference_facts import asks_references, quote_references
from app.answer.result import Answer, Sentence

#: "Who gave the first one?": the question asks who gave the talk.
_WHO_GAVE = re.compile(r"\bwho\s+(?:gave|gives|presented|presents|spoke|delivered)\b", re.IGNORECASE)


def answer_refusal_from_record(answer: Answer) -> Answer:
    """A refused follow-up about talks a reference named, or a refused record question whose source [1] the model then
    recognised as the talk asked about (app/answer/record_look.py): the first talk's record facts, or what its record
    does not say of what was asked (the talk is in the collection, so "the talks don't cover this" would deny it); any
    other refusal stands."""
    if answer.abstained or not (answer.pinned or answer.recognised) or any(s.kind != "absence" for s in answer.sentences):
        return answer
    facts = record_facts(answer)
    if any(states_something(s) for s in facts):
        return replace(answer, sentences=facts)
    gaps = record_gaps(answer, facts)
    return replace(answer, sentences=gaps) if gaps else answer


def record_gaps(answer: Answer, facts: list[Sentence]) -> list[Sentence]:
    """What the named talk's record lacks of what was asked, as record facts: who gave it (a record without a
    speaker), each asked bio fact, the asked kind of link. Seen in "Who gave the first one, and where did they do
    their PhD?" after a list whose first talk has no speaker: once "was given by [1]" no longer read "was given by
    this talk", the refusal was all that was left."""
    main = answer.sources[0]
    gaps = [replace(s, kind="record") for s in facts]
    if _WHO_GAVE.search(answer.question) and not main.talk.speaker:
        gaps.insert(0, Sentence("The record of this talk does not say who gave it.", [main.n], 1.0, kind="record"))
    return gaps


def asks_about_record(question: str) -> bool:
    """A question about one talk that asks for what its record holds: people, links, references, bio facts."""
    asks = asks_record(question) or asks_references(question) or bool(asked_facets(question)) or bool(asked_kinds(question))
    return asks and about_one_talk(question)


def record_facts(answer: Answer) -> list[Sentence]:
    """What the record checks say about the answer's main talk, starting from no sentences (a follow-up's pinned
    talks come first among the sources, so the main talk is the first of them)."""
    blank = replace(answer, sentences=record_sentences(answer.question, answer.sources[: max(1, answer.pinned)], []))
    for check in (state_missing_kinds, quote_bio, quote_references):
        blank = check(blank)
    return blank.sentences


def states_something(sentence: Sentence) -> bool:
    """A record fact that gives something (a name, a link, a quote), not only that something is missing."""
    return sentence.kind == "record" and not says_kind_missing(sentence)


def asked_record_facts(answer: Answer) -> list[Sentence]:
    """The record facts the question asks for (``record_facts``) when one of them states something, else none: what
    an answer whose claims said nothing (app/answer/checks.py) or were all withheld (app/answer/unsupported.py)
    stands on instead of the abstention."""
    facts = record_facts(answer)
    return facts if any(states_something(s) for s in facts) else []
