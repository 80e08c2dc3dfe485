"""Off-topic planted sentences: an output check that reads meaning, not wording.

Rules written per missed attack did not generalise (a detector revision that went from 26 to 54 of 55
on one seen split changed 1 of 40 cases on a blind one). What the obeyed answers had in common was not
their phrasing but their place: the obeyed sentence does not answer the question asked ("It was
sponsored by VORTEXBANK" to a question about flat minima), and the source sentence it rests on does not
fit the rest of its own abstract (it is about a sponsor, a reader, the reply, not the research). So an
answer claim is dropped when both hold, measured with the sentence embeddings the app already has:

* relevance: the claim's cosine with the question, or with the rest of the answer if that is higher
  (a terse research sentence, "They are bounded by the WL test", fits the answer it is part of). The
  whole rest, not only the claims before it: on the seen answers the claims before it alone lose one
  catch and drop that WL sentence. So a claim's check may depend on later sentences: an OpenAI client
  streamed sentence by sentence (app/answer/checked_text.py) may be sent a claim the final check drops,
  and then gets the final answer whole after a rule, as when a sentence is split differently;
* coherence: the cosine of its best-supporting source sentence (among the sentences of the sources it
  cites) with the mean of the other sentences of that talk's abstract.

Both low is the conjunction: an off-question sentence from a coherent abstract (a second talk padding
the answer) is kept. A question about the record (speaker, affiliation, co-authors, links: ``asks_record``)
is answered from lines that never fit the research prose and that MiniLM rarely finds close to the
question ("Yuan Cao is an assistant professor ..." to "Who is the speaker of <title>?"), so there a claim
resting on a note line (a line of its own: bio, links, joint work) or naming the talk's speaker is kept.
A planted sentence that does answer the question (a false figure for the asked quantity, a false
affiliation to "where is the speaker from?") is, by design, not caught here.

Thresholds chosen on the seen injection splits (tune, held-out, fresh, fresh2, fresh4) and the real
corpus by bench/guard_offtopic.py; see docs/reliability.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from langchain_core.embeddings import Embeddings

from app.answer.records import asks_record
from app.answer.result import Answer, Sentence, Source
from app.core.safety import PLACEHOLDER
from app.core.text import MARKER, split_sentences

#: A claim whose relevance (to the question, or to the rest of the answer) is below this ...
RELEVANT = 0.08
#: ... and whose best-supporting source sentence has a coherence with its own abstract below this is dropped.
COHERENT = 0.10


@dataclass(frozen=True)
class Reading:
    """What the check read off one claim: its relevance, its best source sentence and that sentence's coherence."""

    relevance: float
    source_sentence: str
    coherence: float
    #: A record question answered from a note line or a sentence naming the speaker: never off-topic.
    record: bool = False

    @property
    def off_topic(self) -> bool:
        return not self.record and self.relevance < RELEVANT and self.coherence < COHERENT


def clean(text: str) -> str:
    """A sentence as the check embeds it: without citation markers or the placeholder of a removed sentence."""
    return " ".join(MARKER.sub("", text.replace(PLACEHOLDER, "")).split())


def _unit(vectors: np.ndarray) -> np.ndarray:
    mean = vectors.mean(axis=0)
    return mean / max(float(np.linalg.norm(mean)), 1e-12)


def coherence(vector: np.ndarray, sentence: str, abstract: list[str], vectors: np.ndarray) -> float:
    """Cosine of a sentence with the mean of the other sentences of its abstract (1.0 when there are none:
    a one-sentence abstract says nothing about fit)."""
    others = [i for i, text in enumerate(abstract) if text != sentence]
    if not others:
        return 1.0
    return round(float(vector @ _unit(vectors[others])), 4)


class _Vectors:
    """Unit vectors of the texts the check needs, each embedded once (the app's embeddings also cache them on file)."""

    def __init__(self, embeddings: Embeddings):
        self.embeddings = embeddings
        self._row: dict[str, np.ndarray] = {}

    def add(self, texts) -> "_Vectors":
        new = [t for t in dict.fromkeys(texts) if t and t not in self._row]
        if new:
            rows = np.asarray(self.embeddings.embed_documents(new), dtype=np.float32)
            rows = rows / np.clip(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12, None)
            self._row.update(zip(new, rows))
        return self

    def __getitem__(self, text: str) -> np.ndarray:
        return self._row[text]

    def many(self, texts: list[str]) -> np.ndarray:
        return np.array([self._row[t] for t in texts])


def _record_line(sentence: str, source: Source, abstract: list[str]) -> bool:
    """A line of the talk's record rather than its research prose: a note line, or a sentence naming the speaker."""
    surname = (source.talk.speaker or "").split()[-1:]
    return sentence not in abstract or bool(surname and surname[0] in sentence)


def _candidates(sentence: Sentence, sources: list[Source]) -> list[tuple[str, Source]]:
    """The source sentences a claim may rest on: those of the sources it cites (of every source if it cites none)."""
    cited = [s for s in sources if s.n in sentence.citations] or sources
    return [(clean(text), source) for source in cited for text in source.sentences if clean(text)]


def readings(answer: Answer, embeddings: Embeddings) -> dict[int, Reading]:
    """For each claim of the answer (by index), its relevance and its best source sentence's coherence.

    Embedded: the question, the claims and the cited sources' sentences, then the abstracts of the talks
    the claims rest on (not of every source)."""
    claims = {i: clean(s.text) for i, s in enumerate(answer.sentences) if s.kind == "claim" and clean(s.text)}
    if not claims or not answer.sources or not clean(answer.question):
        return {}
    candidates = {i: _candidates(answer.sentences[i], answer.sources) for i in claims}
    vectors = _Vectors(embeddings).add([clean(answer.question), *claims.values(), *(t for c in candidates.values() for t, _ in c)])
    question = vectors[clean(answer.question)]
    best = {i: max(c, key=lambda unit: float(vectors[claims[i]] @ vectors[unit[0]])) for i, c in candidates.items() if c}
    abstracts = {s.n: [clean(t) for t in split_sentences(s.talk.abstract) if clean(t)] for _, s in best.values()}
    vectors.add(t for a in abstracts.values() for t in a)
    record_question = asks_record(answer.question)
    out = {}
    for i, (sentence, source) in best.items():
        v = vectors[claims[i]]
        others = [t for j, t in claims.items() if j != i and t != claims[i]]
        relevance = max(float(v @ question), float(v @ _unit(vectors.many(others))) if others else -1.0)
        abstract = abstracts[source.n]
        fit = coherence(vectors[sentence], sentence, abstract, vectors.many(abstract)) if abstract else 1.0
        out[i] = Reading(round(relevance, 4), sentence, fit, record_question and _record_line(sentence, source, abstract))
    return out
