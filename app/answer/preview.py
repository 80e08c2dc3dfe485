"""The extractive preview: what the sources say, shown the moment retrieval is done.

The embedded model needs seconds to read its prompt before its first token
(docs/benchmarks.md), but the sentences it will read are known as soon as
retrieval and sentence selection finish. So every surface first shows those
sentences themselves — quoted word for word, each cited with its talk — and
then replaces them with the model's checked answer. Nothing here is generated:
a quote is a sentence of the talk's abstract or notes, the one the relevance
ranking put first, so the preview cannot claim what a source does not say.

Which quotes, by the question's kind (no threshold, no tuning):

* "which talks ...?": one line a retrieved talk, its most relevant sentence
  (the list the model will write, without the model);
* a comparison: the best sentence of each of the two talks compared;
* anything else: the two best sentences of the top talk.

An abstention decided from relevance alone is the preview too: the reader
learns at once that the collection does not cover the question.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core.safety import PLACEHOLDER, neutralise

#: Quotes taken from the top talk of a question about one talk.
TOP_TALK_QUOTES = 2


@dataclass(frozen=True)
class Quote:
    """One sentence copied from a source, and the number of the source it comes from."""

    n: int
    text: str

    def to_json(self) -> dict:
        return {"n": self.n, "text": self.text}


@dataclass(frozen=True)
class Preview:
    """The first thing a surface shows: quotes from the sources, or the early abstention."""

    quotes: tuple[Quote, ...] = ()
    #: The abstention text when relevance alone decided the collection does not cover the question.
    abstention: str | None = None

    def __bool__(self) -> bool:
        return bool(self.quotes or self.abstention)

    def render(self) -> str:
        """Plain text, one quote a line, marked as quotes: the CLI's and the chat's first lines."""
        if self.abstention:
            return self.abstention
        lines = [f"“{q.text}” [{q.n}]" for q in self.quotes]
        return "From the sources, while the answer is written:\n" + "\n".join(lines)

    def to_json(self) -> dict:
        return {"quotes": [q.to_json() for q in self.quotes], "abstention": self.abstention}


def extractive_preview(sources, *, open_ended: bool, comparison: bool, abstention: str | None = None) -> Preview:
    """The preview of one question from its sources (``Source``s, best first, each ``ranked`` best first)."""
    if abstention is not None:
        return Preview(abstention=abstention)
    if open_ended:
        picks = [(s, s.ranked[:1]) for s in sources]
    elif comparison:
        picks = [(s, s.ranked[:1]) for s in sources[:2]]
    else:
        picks = [(s, s.ranked[:TOP_TALK_QUOTES]) for s in sources[:1]]
    quotes = []
    for source, sentences in picks:
        for sentence in sentences:
            text = neutralise(sentence)
            if text and text != PLACEHOLDER:  # an instruction-like sentence is not shown as evidence
                quotes.append(Quote(n=source.n, text=text))
    return Preview(quotes=tuple(quotes))
