"""After the last token: the model's text becomes checked, attributed sentences, one step at a time.

Each check is a function ``Answer -> Answer`` returning a new answer;
``answer_checks`` lists them in the order they run and ``AnswerChain``
applies them in one loop. Read top to bottom:

1. ``drop_weak_choices``: a list's reply of markers only ("[1][3]", the list prompt's answer) loses the talks the
   cross-encoder judges clearly off the question (app/answer/list_floor.py); ``name_chosen_talks`` names the rest;
   ``state_marker_facts``: a marker standing for a name or a link gets it from the record (app/answer/records.py);
2. ``split_sentences``: the text becomes sentences with their ``[n]`` markers; refusals are "absence";
   ``drop_prompt_echo``: the yes/no prompt's words echoed back ("This is a yes/no question, and source answers it:
   Yes") leave only the verdict (app/answer/polarity.py);
3. ``drop_what_says_nothing``: restated questions and empty slots go (not one whose "not" its source shares:
   app/answer/denials.py); when nothing else is left the
   talk record may still hold what was asked (a link, the speaker, a bio sentence, the papers it cites), else it is
   the abstention;
4. ``answer_refusal_from_record``: a refused follow-up about a talk it named gets that talk's record facts, or what
   that record does not say of what was asked (app/answer/record_refusal.py); then ``abstain_if_nothing_is_said``: no sentence, or only "not
   covered": the answer abstains, cites nothing;
5. ``attribute_claims``: every claim checked against every source (app/answer/attribution.py);
   then ``keep_people_own``: a bio claim the cited talk's own record does not hold is replaced by
   "The record of this talk does not say …" (app/answer/people.py); and ``contrast_sides``: a comparison
   of two talks describes each from its own abstract, once (app/answer/sides.py);
   ``withhold_unsupported``: a claim giving a number no source holds is dropped, and an answer none of whose claims
   is supported is withheld for the record's facts or the abstention (app/answer/unsupported.py);
6. ``cite_absences``: "the abstract does not give X" is about the top talk;
7. ``add_record_facts``: exact facts from the talk record the question asks for (app/answer/records.py);
   ``state_missing_kinds``: a kind of link asked for that the record lacks is said to be missing, with the links it
   has, and a claim affirming one is dropped (app/answer/link_facts.py);
   then ``quote_bio``: the main talk's bio sentences for each bio fact asked, quoted (app/answer/bio_facts.py),
   and ``quote_references``: its reference lines for a question about the papers it rests on (reference_facts.py);
   ``quote_the_evidence``: a yes/no verdict citing nothing ("No." alone) gets source [1]'s sentence most relevant to
   the question, quoted and cited (app/answer/polarity.py);
8. ``guard_answer``: copied instructions, unrecorded links, other-language, off-topic and unrecorded-credit planted sentences, runaways
   dropped (app/answer/guard.py, app/answer/offtopic.py, app/answer/credits.py);
9. ``render_text``: the answer text from its sentences (unsupported ones left out with ``strict``);
10. ``state_polarity``: a yes/no answer opens with the polarity read from source [1] before it was written (app/answer/polarity.py);
11. ``count_the_list``: a list answer opens with how many talks it cites (app/answer/aggregate.py).

An abstained answer passes steps 5-9 unchanged (step 5 may make it one).
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Callable

from langchain_core.embeddings import Embeddings

from app.answer.aggregate import count_the_list
from app.answer.attribution import attribute, render
from app.answer.bio_facts import quote_bio
from app.answer.reference_facts import quote_references
from app.answer.citations import is_choice, is_refusal, parse_citations, render_choice, says_nothing
from app.answer.denials import denies_as_its_source
from app.answer.guard import guard_answer
from app.answer.link_facts import state_missing_kinds
from app.answer.list_floor import drop_weak_choices
from app.answer.people import keep_people_own
from app.answer.polarity import drop_prompt_echo, opens_with_polarity, quote_the_evidence, state_polarity
from app.answer.record_refusal import answer_refusal_from_record, asked_record_facts
from app.answer.records import record_sentences, state_markers
from app.answer.result import Answer
from app.answer.sides import contrast_sides
from app.answer.unsupported import withhold_unsupported
from app.core.config import RerankSettings

Check = Callable[[Answer], Answer]


def answer_checks(embeddings: Embeddings, abstain_text: str, *, strict: bool = False, rerank: RerankSettings | None = None) -> list[Check]:
    """The checks after generation, in the order they run (``rerank``: the list cut's floor and margin; None: no cut)."""
    return [
        partial(drop_weak_choices, floor=rerank.list_floor if rerank else None, margin=rerank.list_margin if rerank else 0.0),
        name_chosen_talks,
        state_marker_facts,
        split_sentences,
        drop_prompt_echo,
        partial(drop_what_says_nothing, abstain_text=abstain_text),
        answer_refusal_from_record,
        abstain_if_nothing_is_said,
        partial(attribute_claims, embeddings=embeddings),
        keep_people_own,
        contrast_sides,
        partial(withhold_unsupported, abstain_text=abstain_text),
        cite_absences,
        add_record_facts,
        state_missing_kinds,
        quote_bio,
        quote_references,
        quote_the_evidence,
        partial(guard_answer, embeddings=embeddings),
        partial(render_text, abstain_text=abstain_text, strict=strict),
        state_polarity,
        count_the_list,
    ]


def name_chosen_talks(answer: Answer) -> Answer:
    """The model answered with source numbers only ("[1][3]"): the talks it chose, named, one a line."""
    if answer.abstained or not is_choice(answer.answer):
        return answer
    return replace(answer, answer=render_choice(answer))


def state_marker_facts(answer: Answer) -> Answer:
    """A marker standing for a name or a link ("The preprint is [1].", "the talk by [1]") gets the record's fact."""
    if answer.abstained or not answer.answer:
        return answer
    return replace(answer, answer=state_markers(answer.answer, answer.question, answer.sources))


def split_sentences(answer: Answer) -> Answer:
    """The answer text as sentences with the numbers they cite; a refusal ("... don't cover this") is an "absence",
    unless it is the verdict of a yes/no answer whose polarity was read ("No, X does not give Y")."""
    sentences, _ = parse_citations(answer.answer, {s.n for s in answer.sources})
    return replace(answer, sentences=[replace(s, kind="absence") if is_refusal(s.text) and not _verdict(answer, s.text) else s
                                      for s in sentences])


def _verdict(answer: Answer, text: str) -> bool:
    """The opening "Yes, …" / "No, …" of a yes/no answer whose polarity was read: it answers the question even when
    it restates it ("No, pushing the property higher does not give better subnetworks")."""
    return answer.polarity is not None and opens_with_polarity(text)


def drop_what_says_nothing(answer: Answer, *, abstain_text: str) -> Answer:
    """Without the claims that say nothing (a restated question, an empty slot); a yes/no verdict stays, and so does
    a restated question whose "not" its source shares (app/answer/denials.py).

    When that empties the answer of claims, the talk record may still hold what was asked: its fields, a link, a
    bio sentence or the papers it cites (``asked_record_facts``, as for a refusal the model then recognised); if it does
    not, the reader sees the abstention, not the restated question. The papers and bio sentences joined the fields
    on 2026-12-06: held-out-35 fh029 and fh030 asked which papers one talk rests on, got "The seminar talk cites
    [1] [2] [3].", and were declined, their papers in source [1]'s abstract.
    """
    read = " ".join(t for source in answer.sources for t in (source.talk.title, *source.sentences))
    said = [s for s in answer.sentences if s.kind != "claim" or _verdict(answer, s.text)
            or not says_nothing(s.text, answer.question, read) or denies_as_its_source(answer, s)]
    emptied = len(said) < len(answer.sentences) and not any(s.kind == "claim" for s in said) and not answer.abstained
    if not emptied:
        return replace(answer, sentences=said)
    said = asked_record_facts(answer) + said
    if not said or all(s.kind == "absence" for s in said):
        return replace(answer, sentences=said, answer=abstain_text)
    return replace(answer, sentences=said)


def abstain_if_nothing_is_said(answer: Answer) -> Answer:
    """No sentence left, or only ones saying the talks do not cover it: an abstention citing nothing."""
    if answer.abstained or not answer.sentences or all(s.kind == "absence" for s in answer.sentences):
        return replace(answer, abstained=True, sentences=[], cited=[])
    return answer


def attribute_claims(answer: Answer, *, embeddings: Embeddings) -> Answer:
    """Each claim's markers checked against every source: kept, replaced or added; support and evidence set."""
    if answer.abstained:
        return answer
    attributed = iter(attribute([s for s in answer.sentences if s.kind == "claim"], answer.sources, embeddings))
    return replace(answer, sentences=[next(attributed) if s.kind == "claim" else s for s in answer.sentences])


def cite_absences(answer: Answer) -> Answer:
    """An uncited "the abstract does not give X" is about the top talk."""
    if answer.abstained or not answer.sources:
        return answer
    top = answer.sources[0].n
    return replace(answer, sentences=[replace(s, citations=[top]) if s.kind == "absence" and not s.citations else s
                                      for s in answer.sentences])


def add_record_facts(answer: Answer) -> Answer:
    """The record facts the question asks for and the answer lacks, as sentences of their own (not twice:
    an answer whose claims said nothing got them already)."""
    if answer.abstained or any(s.kind == "record" for s in answer.sentences):
        return answer
    return replace(answer, sentences=answer.sentences + record_sentences(answer.question, answer.sources, answer.sentences))


def render_text(answer: Answer, *, abstain_text: str, strict: bool) -> Answer:
    """The answer text from its checked sentences and the sources it cites; ``strict`` leaves out unsupported ones."""
    if answer.abstained:
        return answer
    shown = [s for s in answer.sentences if s.supported or not strict]
    return replace(answer, answer=render(answer.sentences, strict=strict) or abstain_text, sentences=shown,
                   cited=list(dict.fromkeys(n for s in shown for n in s.citations)))
