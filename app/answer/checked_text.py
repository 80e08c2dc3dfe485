"""The checked answer's text, sentence by sentence, while the model is still writing.

A surface that can replace what it showed (the chat, the terminal, the one-off
commands' event stream) shows the model's draft and swaps in the checked
answer at the end. A plain OpenAI client cannot take text back: what it was
streamed is the answer it keeps. Streaming it the model's raw draft would hand
it markers that attribution later moves, and sentences the output guard drops
(an instruction copied from an injected abstract). So for such a client:

* every time the draft completes a sentence, the checks run on the complete
  sentences so far (the same checks as at the end, app/answer/checks.py), and
  the checked text they give is sent if it extends what was sent already;
* at the end the rest of the final checked answer is sent. Record facts
  (a link, the speaker) come with it, since the checks add them last.

The checks of a sentence do not depend on the sentences after it, except the
decision to abstain (kept for the end: a partial answer that would abstain is
not sent) and the listing of a reply made of markers only (it has no sentence
end, so it is sent at the end). Should the final text not extend what was sent
(a sentence split differently once more text came), the final answer follows
whole after a rule, so the client still ends with the checked answer.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Callable, Iterable, Iterator

from app.answer.attribution import render
from app.answer.result import Answer

#: A sentence end the draft has moved past: ".", "?" or "!" (and any markers after it), then a new sentence or line.
_SENTENCE_DONE = re.compile(r"[.?!](?:\s*\[[\d\s,;]+\])*(?=\s*\n|\s+[-*\"“(A-Z0-9])")

#: Between what was sent and the final answer when the final answer does not extend it.
RESTATED = "\n\n---\n"


def complete_part(draft: str) -> str:
    """The draft up to its last finished sentence ("" when no sentence is finished yet)."""
    ends = list(_SENTENCE_DONE.finditer(draft))
    return draft[: ends[-1].end()] if ends else ""


def checked_pieces(tokens: Iterable[str], check: Callable[[str], Answer], final: Callable[[], Answer]) -> Iterator[str]:
    """Pieces of checked text whose concatenation is the final answer's text (or, rarely, what was sent,
    ``RESTATED`` and the final text): one piece for every token, "" while no sentence is finished, so a
    reader pulling a piece at a time waits one token at most (a client that leaves frees the model at once).

    ``tokens``: the model's tokens; ``check(text)``: the checked answer for a draft text;
    ``final()``: the finished answer, once the tokens are all read.
    """
    sent, draft, checked_upto = "", "", ""
    for token in tokens:
        draft += token
        complete = complete_part(draft)
        piece = ""
        if complete and complete != checked_upto:
            checked_upto = complete
            text = _claims_text(check(complete))
            if text.startswith(sent) and len(text) > len(sent):
                piece, sent = text[len(sent):], text
        yield piece
    text = final().answer
    if text.startswith(sent):
        if len(text) > len(sent):
            yield text[len(sent):]
    else:
        yield RESTATED + text


def _claims_text(answer: Answer) -> str:
    """The checked text of a partial answer: its sentences but the record facts (added at the end); "" if it abstains."""
    if answer.abstained:
        return ""
    return render([s for s in answer.sentences if s.kind != "record"])


def with_text(answer: Answer, text: str) -> Answer:
    """``answer`` as if the model had written ``text`` (for checking a partial draft)."""
    return replace(answer, answer=text.strip())
