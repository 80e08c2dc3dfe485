"""Every talk on a topic, for a list or counting question that names no literal term.

"Which talks deal with knowledge distillation? How many?" has no word to scan the records for
(app/retrieval/record_scan.py does that for "How many talks mention CIFAR?"). Handing the top k
talks to the embedded model made the answer as long as the model's patience: it cited fewer talks
than it was given, and the count followed (issue 23: 17–25 % right on blind questions). Here the
talks are chosen without the model:

1. the question loses its list wording ("Which talks …", "How many?", "List them"): ``topic_query``;
2. a wide hybrid search for that topic gives the pool (``ListSettings.pool_chunks`` chunks a retriever,
   so the cost is bounded however large the catalog);
3. every pooled talk is judged by the cross-encoder through its best sentences (app/retrieval/relevance.py);
4. a logistic model over each talk's judgement (its logit, the gap to the best and to the next, its
   rank, its dense and BM25 scores) gives P(the talk belongs); the list is the best
   ``round(sum of P)`` talks: the expected number of members. The weights in ``list_cut.json`` are
   fitted by ``eval/fit_list_cut.py`` on the seen counting and list questions; the rule (expected count,
   rather than P >= a threshold) was chosen there by leave-one-question-out exact counts.

Membership is a judgement, not a match: the answer says so (app/answer/aggregate.py).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from app.core.config import ListSettings, RerankSettings
from app.core.talk import Talk
from app.retrieval.relevance import JudgedTalk, judge_talks

#: The fitted cut (``eval/fit_list_cut.py``): feature means, spreads and weights.
WEIGHTS = Path(__file__).with_name("list_cut.json")
#: The cross-encoder's floor: a talk scored below every judged one sits here for the "gap to the next" feature.
FLOOR_LOGIT = -11.5
FEATURES = ("logit", "below_best", "log_logit_rank", "dense", "bm25", "above_next", "log_hybrid_rank")

_NOUN = r"(?:talks?|speakers?|abstracts?|presentations?|seminars?|bios?|biograph(?:y|ies))"
#: The list wording before the topic: "Which (of the) talks (that)", "How many speakers'", "Do any talks", "List all talks that".
_ASK = re.compile(
    r"\b(?:in\s+)?(?:which|what|how\s+many|list(?:\s+all|\s+every)?|name|find|give\s+(?:me\s+)?(?:all|every)|(?:do|does|did)\s+any"
    rf"|are\s+there\s+any|any)\s+(?:of\s+the\s+)?(?:(?:speakers'?|speaker's)\s+)?(?:other\s+)?{_NOUN}\b(?:'\s)?"
    r"(?:\s+(?:that|which|where|whose))?",
    re.IGNORECASE)
#: The list wording after it: "List them.", "How many are there?", "Give the number and the list", "say how many".
_TAIL = re.compile(
    r"\b(?:(?:and\s+)?list\s+(?:them|their\s+talks|the\s+talks)(?:\s+all)?|list\s+all\s+of\s+them|(?:and\s+)?how\s+many(?:\s+are\s+there)?"
    r"|(?:and\s+)?give\s+(?:me\s+)?(?:the\s+)?(?:number|count|talks|list)\b[^.?!]*|(?:and\s+)?say\s+how\s+many[^.?!]*|and\s+which"
    r"|(?:i\s+want\s+)?the\s+(?:complete|full|exhaustive)\s+list|(?:give\s+(?:me\s+)?)?all\s+of\s+them|the\s+count"
    r"|the\s+number\s+and\s+the\s+list)\s*[.?!]?",
    re.IGNORECASE)


def topic_query(question: str) -> str:
    """What the listed talks must be about: "Which talks discuss causality? List them." -> "discuss causality"."""
    text = _TAIL.sub(" ", _ASK.sub(" ", question))
    text = re.sub(r"\s+", " ", text).strip(" ?.:;,!")
    return text or question


@dataclass(frozen=True)
class TopicMember:
    """A talk judged to belong, with the sentence that shows it best and its probability of belonging."""

    talk: Talk
    evidence: str
    probability: float


@dataclass(frozen=True)
class TopicScan:
    topic: str
    members: tuple[TopicMember, ...]
    #: How many talks were judged (the pool): the list is chosen among these.
    judged: int


@dataclass(frozen=True)
class ListCut:
    """The logistic model of ``list_cut.json``: P(member) from a judged talk's features."""

    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float

    @classmethod
    def load(cls, path: Path = WEIGHTS) -> "ListCut":
        data = json.loads(path.read_text(encoding="utf-8"))
        if tuple(data["features"]) != FEATURES:
            raise ValueError(f"{path}: features {data['features']} are not {list(FEATURES)}: refit with eval/fit_list_cut.py")
        return cls(np.array(data["mean"]), np.array(data["scale"]), np.array(data["weights"]), float(data["bias"]))

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(((features - self.mean) / self.scale) @ self.weights + self.bias)))


@lru_cache(maxsize=1)
def default_cut() -> ListCut:
    return ListCut.load()


def talk_features(judged: list[JudgedTalk]) -> np.ndarray:
    """One row of ``FEATURES`` a judged talk, the talks in the order given (the retriever's hybrid order)."""
    by_logit = sorted(range(len(judged)), key=lambda i: -judged[i].relevance)
    logit_rank = {i: r for r, i in enumerate(by_logit)}
    best = judged[by_logit[0]].relevance if judged else 0.0
    rows = []
    for i, j in enumerate(judged):
        r = logit_rank[i]
        below = judged[by_logit[r + 1]].relevance if r + 1 < len(by_logit) else FLOOR_LOGIT
        rows.append([j.relevance, j.relevance - best, math.log1p(r), j.entry.dense, j.entry.bm25, j.relevance - below, math.log1p(i)])
    return np.array(rows, dtype=float).reshape(len(judged), len(FEATURES))


def expected_members(probabilities: np.ndarray) -> list[int]:
    """The indices of the round(sum of P) most probable talks (at least one): the expected number of members."""
    n = max(1, int(probabilities.sum() + 0.5))
    return [int(i) for i in np.argsort(-probabilities, kind="stable")[:n]]


def judge_pool(retriever, topic: str, settings: ListSettings) -> list[JudgedTalk]:
    """The pool for ``topic`` (a wide hybrid search of the live generation), each talk judged by the cross-encoder."""
    snapshot = retriever.store.current.snapshot()
    ranked = retriever.rank_talks(topic, snapshot, settings.pool_chunks)[: settings.max_talks]
    if not ranked:
        return []
    found = snapshot.fetch([e.talk_id for e in ranked])
    ranked = [e for e in ranked if e.talk_id in found]
    rerank = (retriever.rerank or RerankSettings()).model_copy(update={"sentences_per_talk": settings.sentences_per_talk})
    return judge_talks(topic, ranked, [found[e.talk_id] for e in ranked], retriever.store.embeddings, retriever.reranker, rerank)


def scan_topic(retriever, question: str, settings: ListSettings, cut: ListCut | None = None) -> TopicScan:
    """The talks judged to be on the question's topic, most probable first, each with its best sentence."""
    topic = topic_query(question)
    judged = judge_pool(retriever, topic, settings)
    if not judged:
        return TopicScan(topic, (), 0)
    probabilities = (cut or default_cut()).probabilities(talk_features(judged))
    members = tuple(TopicMember(judged[i].talk, judged[i].sentences[judged[i].sentence_order()[0]], round(float(probabilities[i]), 3))
                    for i in expected_members(probabilities))
    return TopicScan(topic, members, len(judged))
