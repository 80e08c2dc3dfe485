"""An answer the sources do not bear out is withheld, not shown: a near miss said as such.

A question that names a real talk and asks for a detail it does not give ("What guidance scale does the talk on
diffusion samplers recommend?", "How does the forgetting talk use elastic weight consolidation?") finds that talk
above the relevance floor, every word of it is held somewhere in the corpus, and the model writes the detail it was
asked for: "a guidance scale of 1.0", "a watermarking scheme that uses a convolutional network". Attribution already
scores each claim against the sources (app/answer/attribution.py) and flags the weak ones, but a flagged claim was
still the whole answer. Two checks, after attribution:

* a claim stating a number, in digits, that neither the sources' talks (title, abstract, notes) nor the question
  hold is dropped: a figure is the one thing a paraphrase does not change;
* an answer none of whose claims is supported (``Sentence.supported``: cited, support at least ``WEAK_SUPPORT``)
  is withheld: what the record holds of what was asked is stated instead, as when the claims said nothing
  (``drop_what_says_nothing``), or else the answer is the abstention. A yes/no verdict ("No.") whose polarity was read
  from source [1] before the model wrote (app/answer/polarity.py) counts as supported: it rests on that reading, and
  a bare "No." shares no words with any source (dev d119, answerable, was withheld before this exemption). So does a
  claim whose "not" its closest source sentence shares (app/answer/denials.py): it echoes the question's words, which
  its source need not use.
What was dropped is kept in a warning, so ``ask --json``, the chat and the API still show it.

Chosen on the stored answers of held-out-29 to -32 (tuning sets; text only, the product's own attribution, no
model run): of 19 unanswerable questions answered, the two checks decline 7 (3 for a figure); of 102 answerable ones
answered, they decline 1 (fc012, whose only claim restated the question and covered no key fact) and withhold the
claim of 1 more (fd019, a borrowed speaker). ``WEAK_SUPPORT`` itself was not tuned here. Other kinds of question:
bench/withheld.py. Reported blind on held-out-33 (docs/evaluation.md).
"""

from __future__ import annotations

from dataclasses import replace

from app.answer.denials import denies_as_its_source
from app.answer.grounding import numbers_in
from app.answer.polarity import opens_with_polarity
from app.answer.record_refusal import asked_record_facts
from app.answer.result import Answer, AnswerWarning, Sentence


def invented_numbers(sentence: Sentence, held: set[str]) -> list[str]:
    """The numbers of a claim that ``held`` (the numbers of its sources' talks and of the question) lacks."""
    return sorted(numbers_in(sentence.text) - held) if sentence.kind == "claim" else []


def _held_numbers(answer: Answer) -> set[str]:
    texts = [answer.question, *(t for s in answer.sources for t in (s.talk.title, s.talk.text, *s.sentences))]
    return set().union(*(numbers_in(t) for t in texts))


def _read_verdict(answer: Answer, sentence: Sentence) -> bool:
    """Is the sentence a yes/no verdict of an answer whose polarity was read before the model wrote?"""
    return answer.polarity is not None and opens_with_polarity(sentence.text)


def withhold_unsupported(answer: Answer, *, abstain_text: str) -> Answer:
    """Without the claims that state an invented number; without every claim when none is supported (then the
    record's facts asked for, or the abstention)."""
    claims = [s for s in answer.sentences if s.kind == "claim"]
    if answer.abstained or not claims:
        return answer
    held = _held_numbers(answer)
    invented = {id(s): numbers for s in claims if (numbers := invented_numbers(s, held))}
    warnings = [AnswerWarning("unsourced_number", f"a sentence giving a number no source holds ({', '.join(invented[id(s)])}) "
                              "was left out", s.text) for s in claims if id(s) in invented]
    kept = [s for s in answer.sentences if id(s) not in invented]
    if any(s.supported or _read_verdict(answer, s) or denies_as_its_source(answer, s) for s in kept if s.kind == "claim"):
        return replace(answer, sentences=kept).warned(*warnings)
    withheld = [s for s in kept if s.kind == "claim"]
    if withheld:
        warnings.append(AnswerWarning("unsupported_answer", "no sentence of the answer is supported by the sources; it was "
                                      "withheld", " ".join(s.text for s in withheld)))
    said = [s for s in kept if s.kind != "claim"]
    if all(s.kind == "absence" for s in said):
        said = asked_record_facts(answer) + said
    if all(s.kind == "absence" for s in said):
        return replace(answer, abstained=True, answer=abstain_text, sentences=[], cited=[]).warned(*warnings)
    return replace(answer, sentences=said).warned(*warnings)
