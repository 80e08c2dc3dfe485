"""One answer in progress: what is known before the first token, the tokens, and the checked answer.

``AnswerChain.ask`` retrieves, selects the context and builds the preview at
once, then hands over an ``AnswerStream``: its ``query``, ``sources`` and
``preview`` are ready before the model's first token; iterating it yields the
tokens as the model writes them; ``result()`` runs the checks once the text
is complete and gives the ``Answer``; ``checked_text()`` gives that answer's
text sentence by sentence while the model writes (for an OpenAI client).

The stream owns its state (the tokens so far, the warnings the token stream
raised, the first token's time, the finished answer), so like the ``Response``
of Simon Willison's ``llm`` it can be read again: a second iteration replays
the tokens already written (and continues with the rest if the model is not
done); ``result()`` after the tokens were read does not run the model again.
Closing an iterator before the end closes the model's stream: a client who
left frees the model.
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from typing import Callable, Iterable, Iterator

from app.answer.checked_text import checked_pieces, with_text
from app.answer.preview import Preview
from app.answer.result import Answer, AnswerWarning, Source


class AnswerStream:
    """One answer: ``query``, ``sources`` and ``preview`` known; tokens iterated (again, if wanted); ``result()`` ends it.

    ``answer`` is the answer before the model (question, sources, preview, timings; an early abstention's
    text); ``tokens`` the model's tokens, with an ``AnswerWarning`` where the token stream was stopped;
    ``finish`` the checks that turn the generated answer into the final one.
    """

    def __init__(self, answer: Answer, tokens: Iterable[str | AnswerWarning], finish: Callable[[Answer], Answer], started: float,
                 *, settled_at_end: bool = False):
        self._before = answer
        #: The checks rewrite the answer's opening at the end (a list's count, a yes/no's polarity): nothing of
        #: it is final before the last token, so ``checked_text`` sends it whole.
        self._settled_at_end = settled_at_end
        self._source = iter(tokens)
        self._finish = finish
        self._started = started
        self._tokens: list[str] = []
        self._warnings: list[AnswerWarning] = []
        self._first_token_ms: float | None = None
        self._done = False
        self._error: BaseException | None = None
        self._result: Answer | None = None
        self._pulling = threading.Lock()
        self._finishing = threading.Lock()

    @property
    def question(self) -> str:
        return self._before.question

    @property
    def query(self) -> str:
        """The standalone query retrieval used (the question itself unless a follow-up was condensed)."""
        return self._before.query

    @property
    def sources(self) -> list[Source]:
        return self._before.sources

    @property
    def preview(self) -> Preview:
        """Quotes from the sources (or the early abstention), ready before the first token."""
        return self._before.preview

    def __iter__(self) -> Iterator[str]:
        """The tokens: the ones already written first (a replay), then the model's next ones as they come."""
        i = 0
        try:
            while i < len(self._tokens) or self._pull():
                yield self._tokens[i]
                i += 1
        except GeneratorExit:  # the reader stopped before the end: the model stops too
            self.close()
            raise

    def checked_text(self) -> Iterator[str]:
        """The checked answer's text in pieces, each sent once the model has finished a sentence
        (app/answer/checked_text.py): for a client that cannot take back what it was shown."""
        # Written without the model (an early abstention, a list read off the records), or opened by the last checks.
        if self._before.abstained or self._before.sentences or self._settled_at_end:
            yield self.result().answer
            return
        check = lambda text: self._finish(with_text(self._generated(), text))  # noqa: E731
        pieces = checked_pieces(iter(self), check, self.result)
        try:
            yield from pieces
        except GeneratorExit:  # the reader left: the model stops too
            pieces.close()
            self.close()
            raise

    def _pull(self) -> bool:
        """Read the model's next token into the stream's state: False when it has no more."""
        with self._pulling:
            if self._error is not None:
                raise self._error
            while not self._done:
                try:
                    item = next(self._source)
                except StopIteration:
                    self._done = True
                    return False
                except BaseException as err:
                    self._error, self._done = err, True
                    raise
                if isinstance(item, AnswerWarning):
                    self._warnings.append(item)
                    continue
                if self._first_token_ms is None:
                    self._first_token_ms = round((time.perf_counter() - self._started) * 1000, 1)
                self._tokens.append(item)
                return True
            return False

    def close(self) -> None:
        """Stop the model's stream where it is (the tokens written so far stay)."""
        with self._pulling:
            if not self._done:
                self._done = True
                close = getattr(self._source, "close", None)
                if close is not None:
                    close()

    def _generated(self) -> Answer:
        """The answer as the model wrote it, before the checks (an early abstention is no generated text)."""
        answer = self._before
        if not answer.abstained:
            answer = replace(answer, answer="".join(self._tokens).strip(),
                             timings={**answer.timings, "first_token_ms": self._first_token_ms})
        return answer.warned(*self._warnings)

    def result(self) -> Answer:
        """The finished, checked answer (reads any tokens not iterated yet; computed once)."""
        with self._finishing:
            if self._result is None:
                for _ in self:
                    pass
                self._result = self._finish(self._generated())
            return self._result
