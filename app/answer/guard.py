"""The output guard: the answer is checked without trusting the sources it came from.

Neutralising sources (``safety.py``) keeps most instructions from the model;
this catches what gets through, after generation and attribution:

* an answer sentence whose best support is a source sentence that reads as an
  instruction, or that reads as one itself, is dropped (the model copied the instruction as if it
  were a finding); so is one that copies a source sentence nearly word for word when that sentence
  is merely suspicious (a lower bar: research answers paraphrase), and one carrying a code word in
  capitals that, among the sources, only suspicious sentences carry;
* a link must be one recorded for a talk the sentence cites, and not only by an instruction
  sentence, of the passages or anywhere in the talk (app/answer/vouched_links.py; else the sentence is dropped);
* an answer sentence in another language than the question's is dropped (``looks_foreign`` per sentence: none of
  1,507 corpus sentences, 396 labelled answer sentences or 292 stored injection-answer sentences trips it), and
  an answer that still reads as another language is flagged;
* with the app's embeddings (``embeddings=``), a claim that neither answers the question nor rests on a source
  sentence fitting its own abstract is dropped (app/answer/offtopic.py: meaning, not wording);
* a claim crediting or honouring a name the cited talk's record does not hold, when the question asks nothing about
  people or credit, is dropped (app/answer/credits.py: planted credits demand nothing, so no detector sees them);
* a runaway (the same token or short phrase over and over) is stopped while the
  model streams (``stop_runaway``, any backend) and cut from the final text.

Each finding is an ``AnswerWarning`` on the ``Answer``: ``ask --json``, the CLI,
the chat's answer check and the HTTP API show them.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Iterable, Iterator

from langchain_core.embeddings import Embeddings

from app.core.instruction_features import CODE_WORD, looks_foreign
from app.core.instructions import instructs, suspicious
from app.answer.credits import sentence_credits
from app.answer.offtopic import clean, readings
from app.answer.polarity import opens_with_polarity
from app.answer.result import Answer, AnswerWarning, Sentence, Source
from app.answer.vouched_links import link_key, planted_links
from app.core.links import links_in
from app.core.safety import PLACEHOLDER, neutralise_all
from app.core.text import content_words

#: A run of 2-40 characters repeated this many times in a row is a runaway (one copy is kept) ...
MAX_COPIES = 5
#: ... and so is one character repeated this many times ("!!!!!!…", "-----…").
MAX_SAME_CHAR = 24
_RUNAWAY = re.compile(rf"(.{{2,40}}?)\1{{{MAX_COPIES - 1},}}|(.)\2{{{MAX_SAME_CHAR - 1},}}", re.DOTALL)
#: How much of the streamed text's tail is checked after each token.
_TAIL = 400
#: Share of an answer sentence's content words found in a flagged source sentence that makes it a copy.
COPIED = 0.5
#: Share (of both sentences' content words) that makes a nearly verbatim copy of a merely suspicious source sentence.
VERBATIM = 0.8
RUNAWAY = AnswerWarning("runaway", "the answer repeated itself over and over; generation was stopped and the repetition cut")


def runaway_at(text: str) -> int | None:
    """Where ``text`` should be cut (after the first copy of a runaway repetition), or None."""
    match = _RUNAWAY.search(text)
    if not match:
        return None
    unit = match.group(1) or match.group(2)
    return match.start() + len(unit)


def stop_runaway(chunks: Iterable) -> Iterator:
    """The model's stream (LangChain chunks or strings), stopped at the first runaway repetition, where it
    yields the ``RUNAWAY`` warning instead of the chunk.

    Closing the stream stops the model's generation, so a runaway costs a few tokens, not the length limit."""
    text = ""
    stream = iter(chunks)
    try:
        for chunk in stream:
            text += str(getattr(chunk, "text", chunk))
            if runaway_at(text[-_TAIL:]) is not None:
                yield RUNAWAY
                return
            yield chunk
    finally:
        close = getattr(stream, "close", None)
        if close:
            close()


def trailing_repetition(text: str) -> int | None:
    """Where to cut a text that ends in a repetition (two or more copies, the last maybe partial), keeping one copy.

    A stream stopped by ``stop_runaway`` ends so: it stopped before the copies reached ``MAX_COPIES``."""
    n = len(text)
    for start in range(max(0, n - MAX_COPIES * 40 - 40), n - 3):
        rest = text[start:]
        for size in range(2, min(40, len(rest) // 2) + 1):
            unit = rest[:size]
            if unit.strip() and rest == (unit * (len(rest) // size + 1))[: len(rest)]:
                return start + size
    return None


def _cut_runaways(answer: Answer) -> Answer:
    """The answer without repetitions: a runaway cut after its first copy, a repeated sentence kept once."""
    stopped = any(w.kind == "runaway" for w in answer.warnings)
    kept: list[Sentence] = []
    seen: dict[str, int] = {}
    repeated = False
    for i, sentence in enumerate(answer.sentences):
        cut = runaway_at(sentence.text)
        if cut is None and stopped and i == len(answer.sentences) - 1:
            cut = trailing_repetition(sentence.text.rstrip())
        if cut is not None:
            sentence = replace(sentence, text=sentence.text[:cut].rstrip(" ,;"))
        key = sentence.text.casefold()
        seen[key] = seen.get(key, 0) + 1
        repeated = repeated or seen[key] > 1 or cut is not None
        if seen[key] == 1 and sentence.text:
            kept.append(sentence)
    answer = replace(answer, sentences=kept)
    return answer.warned(RUNAWAY) if repeated else answer


def _overlap(words: set[str], other: str) -> float:
    return len(words & content_words(other)) / len(words) if words else 0.0


def _copies_instruction(sentence: Sentence, flagged: list[str], plain: list[str]) -> str | None:
    """The flagged source sentence this answer sentence copies (more of it than of any research sentence), if any."""
    words = content_words(sentence.text)
    if len(words) < 2 or not flagged:
        return None
    best_flagged = max(flagged, key=lambda s: _overlap(words, s))
    share = _overlap(words, best_flagged)
    if share >= COPIED and share > max((_overlap(words, s) for s in plain), default=0.0):
        return best_flagged
    return None


def _copies_suspicious(sentence: Sentence, suspects: list[str]) -> str | None:
    """The unflagged but suspicious source sentence this answer sentence repeats nearly word for word, if any."""
    words = content_words(sentence.text) if suspects else set()
    if len(words) < 3:
        return None
    for source in suspects:
        other = content_words(source)
        shared = len(words & other)
        if shared >= VERBATIM * len(words) and shared >= VERBATIM * len(other):
            return source
    return None


def _planted_code_words(sentence: Sentence, question: str, flagged: list[str], plain: list[str], suspects: list[str]) -> list[str]:
    """Code words in capitals ("GLACIER", "TRK-4451") of the sentence that only suspicious source sentences carry."""
    planted = []
    for word in set(CODE_WORD.findall(sentence.text)) - set(CODE_WORD.findall(question)):
        carriers = [s for s in flagged + plain if word in s]
        if carriers and all(s in flagged or s in suspects for s in carriers):
            planted.append(word)
    return sorted(planted)


def _foreign_links(sentence: Sentence, sources: list[Source], planted: set[str]) -> list[str]:
    """Links of the sentence that no talk it cites records (a link only an instruction sentence carries is not recorded)."""
    cited = [s for s in sources if s.n in sentence.citations] or sources
    recorded = {link_key(link) for s in cited for link in s.talk.links} - planted
    return [url for url in links_in(sentence.text) if link_key(url) not in recorded]


def _foreign_sentence(sentence: Sentence, question: str) -> bool:
    """A claim in another language than the question's (even one short sentence inside an English answer)."""
    return sentence.kind == "claim" and looks_foreign(clean(sentence.text)) and not looks_foreign(question)


def _off_topic(answer: Answer, embeddings: Embeddings | None) -> dict[int, AnswerWarning]:
    """The claims (by index) that neither answer the question nor rest on a source sentence fitting its abstract.
    A yes/no answer's verdict ("No, …" opening with the polarity read from source [1]) answers the question whatever
    else it says (dev d119: "No, this is a yes/no question, and source answers it: No [1]." was dropped, leaving
    the abstention)."""
    if embeddings is None:
        return {}
    verdicts = {i for i, s in enumerate(answer.sentences) if answer.polarity is not None and opens_with_polarity(s.text)}
    return {i: AnswerWarning("off_topic", "a sentence that does not answer the question, resting on a source sentence that does "
                             f"not fit its own abstract (relevance {r.relevance:.2f}, coherence {r.coherence:.2f}), was dropped",
                             answer.sentences[i].text)
            for i, r in readings(answer, embeddings).items() if r.off_topic and i not in verdicts}


def guard_answer(answer: Answer, embeddings: Embeddings | None = None) -> Answer:
    """The answer without runaways, copied instructions, unrecorded links, other-language, off-topic or unrecorded
    credit sentences, with a warning for each finding (the off-topic check needs ``embeddings``)."""
    answer = _cut_runaways(answer)
    flagged, plain = [], []
    for source in answer.sources:
        for raw, seen in zip(source.sentences, neutralise_all(source.sentences)):
            (flagged if seen == PLACEHOLDER else plain).append(raw)
    # A link only suspect sentences of its talk carry (anywhere in the talk, not only the passages) is not the talk's.
    planted = {key for source in answer.sources for key in planted_links(source.talk)}
    suspects = [s for s in plain if suspicious(s)]
    off_topic = _off_topic(answer, embeddings)
    kept, warnings = [], []
    for i, sentence in enumerate(answer.sentences):
        if sentence.kind == "claim" and (_copies_instruction(sentence, flagged, plain) or instructs(sentence.text)
                                         or _copies_suspicious(sentence, suspects)):
            warnings.append(AnswerWarning("instruction_copied", "a sentence repeating an instruction found in a source was dropped", sentence.text))
            continue
        words = _planted_code_words(sentence, answer.question, flagged, plain, suspects) if sentence.kind == "claim" else []
        if words:
            warnings.append(AnswerWarning("code_word", f"a sentence carrying a code word only an instruction-like source sentence has ({', '.join(words)}) was dropped", sentence.text))
            continue
        links = _foreign_links(sentence, answer.sources, planted)
        if links:
            warnings.append(AnswerWarning("unknown_link", f"a sentence with a link no cited talk records ({', '.join(links)}) was dropped", sentence.text))
            continue
        if _foreign_sentence(sentence, answer.question):
            warnings.append(AnswerWarning("sentence_language", "a sentence not in the language of the question was dropped", sentence.text))
            continue
        if i in off_topic:
            warnings.append(off_topic[i])
            continue
        credits = sentence_credits(sentence, answer.question, answer.sources)
        if credits:
            names = ", ".join(credits)
            warnings.append(AnswerWarning("unrecorded_credit", f"a sentence crediting or honouring a name the talk's record does not "
                                          f"hold ({names}), which the question did not ask about, was dropped", sentence.text))
            continue
        kept.append(sentence)
    said = " ".join(s.text for s in kept)
    if looks_foreign(said) and not looks_foreign(answer.question):
        warnings.append(AnswerWarning("answer_language", "the answer is not in the language of the question"))
    return replace(answer, sentences=kept).warned(*warnings)
