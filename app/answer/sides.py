"""Comparisons that contrast: each compared talk is described from its own abstract, neither twice nor not at all.

A 1.5B model comparing two talks often describes one and forgets the other,
or copies one passage into both sides ("the first uses X [1], while the
second uses X [2]"). The two talks compared are sources [1] and [2] (the
chain gives both their whole abstracts). After attribution has set each
sentence's citations to the talk that supports it best:

* of two claims on different sides that say nearly the same thing (content words
  overlapping by ``SAME_SIDE`` or more), the less supported one is dropped: the same
  passage cannot describe both talks;
* a side with no claim left gets its talk's most relevant sentence, quoted and cited,
  after the model's sentences, so the answer describes both.
"""

from __future__ import annotations

import re
from dataclasses import replace

from app.answer.records import compares_talks
from app.answer.result import Answer, Sentence, Source
from app.core.text import content_words
from app.retrieval.question_kinds import talks_named
from app.retrieval.subjects import read_subjects

#: A comparison of two talks ("two talks", "both", "the X talk and the Y talk"), not "how does it compare with
#: Bayesian optimization?" (one talk and a method): only then are sources [1] and [2] the two sides (dev comparisons).
#: A comparison whose two subjects are read (app/retrieval/subjects.py: "compare X with Y") is one too.
_TWO_SIDES = re.compile(r"\b(?:two|both|each|versus|vs\.?|between|and\s+the)\b", re.IGNORECASE)
#: Content-word overlap (Jaccard) at which two side sentences are one passage copied twice (chosen on the dev comparisons).
SAME_SIDE = 0.6


#: Words that put more than one talk in the question without naming each ("two talks", "both", "these talks",
#: "what does each talk say", "which talk is about …").
_SEVERAL = re.compile(r"\b(?:two\s+talks|both|talks|presentations|lectures|(?:each|which)\s+(?:talk|one))\b", re.IGNORECASE)


def two_sides(question: str) -> bool:
    """Does the question compare two talks (not one talk with a method, nor two things inside one talk)?

    A question naming exactly one talk and no second ("How does the method of the Adam talk compare with plain
    SGD?", "the difference between benign and harmful overfitting according to the CNN talk") has one side; two
    talks named ("the talk on X … the one on Y") are two (the look-alikes and phrasings of
    eval/data/questions-comparison-tune.jsonl)."""
    if not compares_talks(question):
        return False
    named = talks_named(question)
    if named == 1 and not _SEVERAL.search(question):
        return False
    return named >= 2 or bool(_TWO_SIDES.search(question)) or read_subjects(question) is not None


def _overlap(a: str, b: str) -> float:
    wa, wb = content_words(a), content_words(b)
    return len(wa & wb) / len(wa | wb) if wa and wb else 0.0


def _copied(sentences: list[Sentence]) -> set[int]:
    """Indices of claims that repeat a better-supported claim about the other side."""
    claims = [(i, s) for i, s in enumerate(sentences) if s.kind == "claim" and s.citations]
    dropped = set()
    for x, (i, a) in enumerate(claims):
        for j, b in claims[x + 1:]:
            if set(a.citations) != set(b.citations) and _overlap(a.text, b.text) >= SAME_SIDE:
                dropped.add(j if (a.support or 0.0) >= (b.support or 0.0) else i)
    return dropped


def side_sentence(source: Source) -> Sentence:
    """A compared talk's own most relevant sentence, quoted under its title and cited to it."""
    lead = source.lead or (source.sentences[0] if source.sentences else source.talk.title)
    evidence = {source.n: source.sentences.index(lead)} if lead in source.sentences else {}
    return Sentence(f"“{source.talk.title}”: {lead}", [source.n], 1.0, evidence=evidence)


def contrast_sides(answer: Answer) -> Answer:
    """A comparison's answer with each of its two talks described once, by its own claims (see the module)."""
    if answer.abstained or len(answer.sources) < 2 or not two_sides(answer.question):
        return answer
    copied = _copied(answer.sentences)
    kept = [s for i, s in enumerate(answer.sentences) if i not in copied]
    described = {n for s in kept if s.kind == "claim" for n in s.citations}
    missing = [side_sentence(source) for source in answer.sources[:2] if source.n not in described]
    return replace(answer, sentences=kept + missing)
