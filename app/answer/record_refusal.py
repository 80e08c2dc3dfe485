"""Record questions answered only about the talk they describe: a refusal the record answers, an answer it cannot.

A question about one talk's record (its speaker's PhD, its code, the papers it builds on) is answered from the
record of the answer's main talk, so whether that talk is the one the question describes decides everything.

**A refused follow-up about a talk a reference named** ("Who was that joint with?", ``Answer.pinned``,
app/answer/referents.py): the talk is known, so the record checks run on an answer with no sentences — the asked
record fields (app/answer/records.py), a missing kind of link (link_facts.py), the bio sentences (bio_facts.py),
the references (reference_facts.py) — and their facts replace the refusal when one of them states something (a
name, a link, a reference, a bio sentence). The later record checks see those facts and add nothing twice.

*Tried for fresh questions and reverted* (2026-12-04, eleventh session): a refused question whose top talk the
cross-encoder found relevant (best-sentence logit at least −1) and ahead of every other judged talk (by 1) was
answered from that talk's record too. Chosen on the seen sets (dev, held-out, held-out-11), it turned two refusals
of held-out-12 into right answers, but on blind held-out-14 it answered a question about a topic the corpus lacks
with a near-miss talk's links (j008, logit −0.6): there, topics the corpus lacks but that share a talk's words score
up to +3.0, the range of right talks, so no logit tells them apart, and the model's refusal was the better judge.

**An answer about a talk the question does not describe: the abstention** (``abstain_on_undescribed_talk``): a
record question whose answer's main talk scores below ``FLOOR``.
"""

from __future__ import annotations

from dataclasses import replace

from app.answer.bio_facts import asked_facets, quote_bio
from app.answer.link_facts import asked_kinds, says_kind_missing, state_missing_kinds
from app.answer.records import about_one_talk, asks_record, main_source, record_sentences
from app.answer.reference_facts import asks_references, quote_references
from app.answer.result import Answer, Sentence

#: A main talk whose best-sentence logit is below this is not the talk the question describes (``FLOOR``).
FLOOR = -6.0


def answer_refusal_from_record(answer: Answer) -> Answer:
    """A refused follow-up about talks a reference named: the first one's record facts, when they state what was
    asked; otherwise (and for any fresh question) the refusal as it was."""
    if answer.abstained or not answer.pinned or any(s.kind != "absence" for s in answer.sentences):
        return answer
    facts = record_facts(answer)
    return replace(answer, sentences=facts) if any(states_something(s) for s in facts) else answer


def asks_about_record(question: str) -> bool:
    """A question about one talk that asks for what its record holds: people, links, references, bio facts."""
    asks = asks_record(question) or asks_references(question) or bool(asked_facets(question)) or bool(asked_kinds(question))
    return asks and about_one_talk(question)


def record_facts(answer: Answer) -> list[Sentence]:
    """What the record checks say about the answer's main talk, starting from no sentences (a follow-up's pinned
    talks come first among the sources, so the main talk is the first of them)."""
    blank = replace(answer, sentences=[])
    blank = replace(blank, sentences=record_sentences(answer.question, answer.sources[: max(1, answer.pinned)], []))
    for check in (state_missing_kinds, quote_bio, quote_references):
        blank = check(blank)
    return blank.sentences


def states_something(sentence: Sentence) -> bool:
    """A record fact that gives something (a name, a link, a quote), not only that something is missing."""
    return sentence.kind == "record" and not says_kind_missing(sentence)


def abstain_on_undescribed_talk(answer: Answer, *, abstain_text: str) -> Answer:
    """An answer to a question about one talk's record whose main talk the question does not describe: the abstention.

    The question's own relevance (the best logit of its first talks) decides the abstention before the model
    (``rerank.abstain_threshold``, −6.5); but a record answer states the main talk's facts as the asked talk's, so
    that talk itself must fit: a near-miss topic the corpus lacks ("the co-authors of the work on Byzantine-robust
    aggregation") otherwise gets another talk's co-authors, or "gives no code link" about an unrelated talk.
    ``FLOOR`` was chosen on the seen bio, link and unanswerable questions (dev, held-out, held-out-11 and
    held-out-13, per-talk logits read with no model): of the 96 answerable ones whose asked talk was retrieved,
    four score below −6, three of them abstained already before the model and one asks for a kind of link its talk
    lacks (y031, −8.6); of the seen record questions on a topic the corpus lacks that reached the model, four score
    below −6 (held-out-13 w029, w030, w034, w037, from −6.5 to −9.6) and three between −6 and −5.5 (w032, w035,
    w039), where answerable ones start (q059 −5.9, y010 −5.75).
    """
    if answer.abstained or not asks_about_record(answer.question):
        return answer
    main = main_source(answer)
    if main is None or main.talk_relevance is None or main.talk_relevance >= FLOOR:
        return answer
    return replace(answer, answer=abstain_text, abstained=True, sentences=[], cited=[])
