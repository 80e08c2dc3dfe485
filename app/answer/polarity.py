"""Yes/no answers: a "Yes" the sentence it rests on contradicts becomes the "No" that sentence supports.

The yes/no prompt (prompts/answer_user_yes_no.txt) makes the model open with
"Yes," / "No," / "The abstract does not say". A 1.5B model still says "Yes"
and restates the question where the abstract says the opposite ("sharpness
does not correlate well with generalization", "shows no significant
relationship", "challenges the belief"). The check: the answer opens with
"Yes", the question has no negation of its own, and the source sentence the
opening sentence rests on (its evidence, app/answer/grounding.py) carries a
negation: the answer becomes "No", with that sentence quoted and cited. A "No"
is never turned into a "Yes" (the absence of a negation proves nothing).
Kept because on the dev questions (questions-dev-v3.jsonl d114-d123) it turned
one wrong "Yes" into a right "No" and changed no right answer; a weak check
(the one negation it found was incidental), see docs/evaluation.md.
"""

from __future__ import annotations

import re
from dataclasses import replace

from app.answer.attribution import render
from app.answer.result import Answer, Sentence
from app.answer.safety import neutralise
from app.retrieval.question_kinds import is_yes_no

_NEGATION = re.compile(
    r"\b(?:not(?!\s+only)|no|never|neither|nor|cannot|can[’']t|does(?:n[’']t)|do(?:n[’']t)|is(?:n[’']t)|fails?|failed|"
    r"challeng(?:e|es|ed|ing)|contrary|refutes?|disprov\w*)\b",
    re.IGNORECASE,
)
_YES = re.compile(r"^\W*yes\b", re.IGNORECASE)


def _resting_on(sentence: Sentence, answer: Answer) -> tuple[int, str] | None:
    """(source number, source sentence) the answer sentence rests on: its evidence in its first cited source."""
    by_n = {s.n: s for s in answer.sources}
    for n in sentence.citations:
        index = sentence.evidence.get(n)
        if n in by_n and index is not None and index < len(by_n[n].sentences):
            return n, by_n[n].sentences[index]
    return None


def check_polarity(answer: Answer) -> Answer:
    """A "Yes" whose supporting sentence negates: the answer is "No", resting on that sentence."""
    if answer.abstained or not answer.sentences or not is_yes_no(answer.question) or _NEGATION.search(answer.question):
        return answer
    first = answer.sentences[0]
    resting = _resting_on(first, answer) if _YES.match(first.text) else None
    if resting is None or not _NEGATION.search(resting[1]):
        return answer
    n, text = resting
    sentence = Sentence(f"No — the talk says: “{neutralise(text).strip().rstrip('.')}”.", [n], 1.0, kind="record")
    return replace(answer, sentences=[sentence], answer=render([sentence]), cited=[n])
