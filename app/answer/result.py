"""What an answer is made of: numbered sources, cited sentences with their support, the answer.

Typed records, so the CLI, the web app, the API and the evaluation read the
same fields instead of dicts; ``Answer.to_json`` is the stable shape of
``talkqa ask --json`` that other tools read.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

from app.answer.grounding import is_supported
from app.answer.preview import Preview
from app.core.talk import Talk


@dataclass(frozen=True)
class Source:
    """One numbered passage given to the model: a talk and its selected sentences (a step that changes
    them makes a new ``Source``)."""

    n: int
    talk: Talk
    sentences: list[str]
    score: float
    dense: float
    #: The question's relevance score from the cross-encoder (app/retrieval/relevance.py); None without it.
    relevance: float | None = None
    #: This talk's own relevance: the cross-encoder's logit for its best sentence; None when it was not judged.
    talk_relevance: float | None = None
    #: The sentence most relevant to the question (one of ``sentences``): what a list answer says of the talk.
    lead: str | None = None
    #: The selected sentences, most relevant to the question first (what the extractive preview quotes).
    ranked: list[str] = field(default_factory=list)

    @property
    def snippet(self) -> str:
        return " ".join(self.sentences)

    def citation(self) -> dict:
        return {
            "n": self.n,
            "talk_id": self.talk.id,
            "title": self.talk.title,
            "speaker": self.talk.speaker,
            "lines": [list(r) for r in self.talk.lines],
            "links": self.talk.links,
            "snippet": self.snippet,
        }

    def search_hit(self) -> dict:
        """One result of ``talkqa search --json``."""
        return {
            "talk_id": self.talk.id,
            "title": self.talk.title,
            "lines": [list(r) for r in self.talk.lines],
            "score": self.score,
            "snippet": self.snippet,
        }


@dataclass
class Sentence:
    """One sentence of the answer, the sources it cites (their numbers) and how well they support it."""

    text: str
    citations: list[int] = field(default_factory=list)
    support: float | None = None
    #: For each cited source number, the index of its sentence closest to this one (what the chat highlights).
    evidence: dict[int, int] = field(default_factory=dict)
    #: "claim": what the model says the sources say (checked by attribution); "absence": that the sources
    #: lack something ("the abstract does not give the step size"); "record": a fact read off the talk record.
    kind: str = "claim"
    #: The markers the model itself wrote, before attribution checked them (None: not attributed).
    model_citations: list[int] | None = None

    @property
    def moved(self) -> bool:
        """Attribution changed the model's markers: replaced a wrong one, spread a trailing one, or added one."""
        return self.model_citations is not None and self.model_citations != self.citations

    @property
    def supported(self) -> bool:
        return self.kind != "claim" or (bool(self.citations) and is_supported(self.support))

    def to_json(self) -> dict:
        return {
            "text": self.text,
            "citations": list(self.citations),
            "model_citations": None if self.model_citations is None else list(self.model_citations),
            "support": self.support,
            "supported": self.supported,
        }


@dataclass(frozen=True)
class AnswerWarning:
    """Something the output guard (app/answer/guard.py) or the support check (app/answer/unsupported.py) removed or
    noticed in an answer.

    ``kind``: "instruction_copied" (a sentence whose best support is a source sentence that reads as an
    instruction: dropped), "code_word" (a code word in capitals only instruction-like source sentences carry:
    sentence dropped), "unknown_link" (a link no cited talk records: sentence dropped), "runaway"
    (the same text repeated over and over: generation stopped and the answer cut), "answer_language"
    (the answer is not in the question's language: kept, flagged), "sentence_language" (a claim in another language
    than the question's: dropped), "off_topic" (a claim that answers nothing asked, resting on a source sentence that
    does not fit its own abstract: dropped; app/answer/offtopic.py), "unrecorded_credit" (a claim crediting or honouring a
    name the cited talk's record does not hold, to a question not about people or credit: dropped; app/answer/credits.py),
    "unsourced_number" (a claim giving a number no source holds: dropped), "unsupported_answer" (no claim of the answer
    is supported: all withheld, app/answer/unsupported.py).
    ``text``: what was removed, if anything.
    """

    kind: str
    message: str
    text: str = ""

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class Answer:
    question: str
    query: str
    answer: str = ""
    abstained: bool = False
    sources: list[Source] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    cited: list[int] = field(default_factory=list)
    timings: dict = field(default_factory=dict)
    prompt_tokens: int = 0
    #: What surfaces show before the model's first token (app/answer/preview.py).
    preview: Preview = field(default_factory=Preview)
    warnings: list[AnswerWarning] = field(default_factory=list)
    #: A yes/no question's answer as read from source [1] before the model wrote ("yes" / "no"; app/answer/polarity.py).
    polarity: str | None = None
    #: How many of the first sources a follow-up's reference named (app/answer/referents.py): the answer is about them.
    pinned: int = 0
    #: A fresh question about one talk's record that the model declined, then read source [1] as the talk it describes
    #: (app/answer/record_look.py): the answer is that talk's record facts, as a follow-up's about the talk it named.
    recognised: bool = False
    #: The question's words no talk contains (app/retrieval/absent_terms.py), or else its names none of the talks
    #: found contains (app/answer/missing_names.py); when set, the answer says so and abstains.
    absent_terms: list[str] = field(default_factory=list)

    def warned(self, *warnings: AnswerWarning) -> "Answer":
        """The answer with ``warnings`` added, each once (the stream and the final check may both see a runaway)."""
        added = list(self.warnings)
        for warning in warnings:
            if all(w.kind != warning.kind or w.text != warning.text for w in added):
                added.append(warning)
        return replace(self, warnings=added)

    @property
    def support(self) -> float:
        """Mean support over the answer's sentences (0 when abstained)."""
        if self.abstained or not self.sentences:
            return 0.0
        return round(sum(s.support or 0.0 for s in self.sentences) / len(self.sentences), 4)

    @property
    def weak_sentences(self) -> list[Sentence]:
        """Sentences without a citation or with weak support."""
        return [s for s in self.sentences if not s.supported]

    @property
    def cited_sources(self) -> list[Source]:
        """The sources the answer cites, in source order (every source when it cites none)."""
        cited = set(self.cited)
        return [s for s in self.sources if s.n in cited] or list(self.sources)

    def to_json(self, *, all_sources: bool = False) -> dict:
        """The stable shape of ``talkqa ask --json``; ``all_sources`` lists every retrieved talk (no LLM)."""
        by_n = {s.n: s for s in self.sources}
        citations = self.sources if all_sources else [by_n[n] for n in self.cited if n in by_n]
        return {
            "question": self.question,
            # What retrieval searched for: the question, a condensed follow-up, or a restatement (app/answer/restate.py).
            "query": self.query,
            "answer": self.answer,
            "abstained": self.abstained,
            "absent_terms": list(self.absent_terms),
            "citations": [s.citation() for s in citations],
            "sentences": [s.to_json() for s in self.sentences],
            "preview": self.preview.to_json(),
            "timings": self.timings,
            "warnings": [w.to_json() for w in self.warnings],
        }
