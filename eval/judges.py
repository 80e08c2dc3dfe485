"""Judges: does a passage (or the union of several) support a sentence?

* ``DeterministicJudge``: ``app.answer.grounding.support_scores`` (embedding similarity
  to the closest passage sentence + content-word overlap) against a threshold.
  Fast and reproducible. Similarity is blind to negation and swapped numbers, so
  ``grounding.contradictions`` vetoes a sentence whose numbers, opposites or
  negation disagree with the passage.
* ``LLMJudge``: a yes/no question to the configured chat model, temperature 0: the
  embedded model's mean P(YES) over two judge prompts, another model's one word
  (prompts/judge.txt). Verdicts are cached on disk by model, prompts and text.

``agreement`` measures either against the labelled pairs in eval/data.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import defaultdict
from pathlib import Path
from typing import Callable, Sequence

from langchain_core.embeddings import Embeddings
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import HumanMessage
from langchain_core.output_parsers import StrOutputParser

from app.core.prompts import PROMPTS, load_prompt
from app.answer.grounding import WEAK_SUPPORT, contradictions, support_scores
from eval.dataset import JudgePair
from eval.metrics import accuracy, cohen_kappa


class Judge:
    name = "judge"
    #: Whether runs report this judge's key-fact coverage of the whole context (the ceiling of the answers').
    measures_context_ceiling = True

    def supports(self, sentence: str, passages: list[str]) -> bool:
        raise NotImplementedError

    def covers(self, fact: str, answer: str) -> bool:
        """Does the answer state the key fact? (the answer is the passage, the fact the claim)"""
        return self.supports(fact, [answer])


class DeterministicJudge(Judge):
    """Support score >= threshold; scores memoised per (sentence, passages)."""

    name = "det"

    def __init__(self, embeddings: Embeddings, threshold: float = WEAK_SUPPORT):
        self.embeddings = embeddings
        self.threshold = threshold
        self._scores: dict[tuple, float] = {}

    def score(self, sentence: str, passages: list[str]) -> float:
        key = (sentence, tuple(passages))
        if key not in self._scores:
            self._scores[key] = support_scores([sentence], [list(passages)], self.embeddings)[0]
        return self._scores[key]

    def scores(self, items: list[tuple[str, list[str]]]) -> list[float]:
        """Many at once (one embedding batch)."""
        todo = [(s, list(p)) for s, p in dict.fromkeys((s, tuple(p)) for s, p in items) if (s, tuple(p)) not in self._scores]
        if todo:
            for (s, p), v in zip(todo, support_scores([s for s, _ in todo], [p for _, p in todo], self.embeddings)):
                self._scores[(s, tuple(p))] = v
        return [self._scores[(s, tuple(p))] for s, p in items]

    def supports(self, sentence: str, passages: list[str]) -> bool:
        """Similar enough to the passages, and no number, opposite or negation that disagrees with them."""
        return bool(passages) and self.score(sentence, passages) >= self.threshold and not contradictions(sentence, passages)


_VERDICT = re.compile(r"\b(yes|no)\b", re.IGNORECASE)


def parse_verdict(text: str) -> bool | None:
    """YES -> True, NO -> False (the first of the two words that appears), None when neither does."""
    match = _VERDICT.search(text or "")
    return None if match is None else match.group(1).lower() == "yes"


#: How the LLM judge joins several passages into the one it reads.
PASSAGE_SEPARATOR = "\n\n"

#: The prompts whose mean P(YES) the embedded model's verdict is, and the cut on that mean, both chosen on the
#: tune halves of the labelled pairs (the written ones and those from today's answers) by bench/judge_choice.py
#: among each prompt alone and the mean of every pair and of all three (artefact:
#: docs/results/judge-choice-ensemble-2026-12-02.json; κ there is on the test halves). Before it: judge_fewshot
#: alone at 0.7725 (docs/results/judge-choice-2026-12-02.json).
PROBABILITY_PROMPTS = ("judge_fewshot", "judge_rules")
PROBABILITY_THRESHOLD = 0.7043


class LLMJudge(Judge):
    """A yes/no support question to a chat model; verdicts cached in a JSON Lines file.

    With ``yes_probability`` (the embedded model: one scorer per prompt of ``PROBABILITY_PROMPTS``, each on
    its own context so each keeps its prompt cache), the verdict is the mean P(YES) over those prompts
    ≥ ``threshold``, not the one word the model would write: measured on the labelled pairs, the mean of two
    differently worded prompts, with a cut chosen on the tune half, agrees with the labels better than any
    one prompt (κ on the test half in docs/evaluation.md). Another chat model (an OpenAI-compatible endpoint)
    answers in words, to prompts/judge.txt.
    """

    name = "llm"
    #: Not for this judge: its agreement is measured on single passages, and on a whole context it found
    #: barely more key facts than the answers state (run 6, dev: 0.318 against 0.277; the deterministic
    #: judge 0.870 against 0.590), a ceiling that says little and cost about a quarter of a run's judge time.
    measures_context_ceiling = False

    def __init__(self, llm: BaseChatModel, model_name: str, cache_path: Path | None = None, prompts_dir: Path = PROMPTS,
                 yes_probability: Sequence[Callable[[str], float]] | None = None, threshold: float = PROBABILITY_THRESHOLD):
        if yes_probability is not None and len(yes_probability) != len(PROBABILITY_PROMPTS):
            raise ValueError(f"one P(YES) scorer per judge prompt: {len(PROBABILITY_PROMPTS)} needed")
        self.llm = llm
        self.model_name = model_name
        self.yes_probability = yes_probability
        self.threshold = threshold
        names = PROBABILITY_PROMPTS if yes_probability else ("judge",)
        self.templates = [load_prompt(name, prompts_dir) for name in names]
        self.cache_path = cache_path
        self.unparsed = 0
        self.calls = 0
        self._lock = threading.Lock()
        self._cache: dict[str, bool] = {}
        if cache_path and cache_path.exists():
            for line in cache_path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    row = json.loads(line)
                    self._cache[row["key"]] = row["verdict"]

    def _key(self, prompts: list[str]) -> str:
        how = f"mean p>={self.threshold}" if self.yes_probability else "word"
        return hashlib.sha256("\n".join([self.model_name, how, *prompts]).encode()).hexdigest()

    def supports(self, sentence: str, passages: list[str]) -> bool:
        if not passages:
            return False
        # Passage first, claim last: consecutive checks against one passage reuse llama.cpp's prompt cache.
        prompts = [template.format(passage=PASSAGE_SEPARATOR.join(passages), claim=sentence) for template in self.templates]
        key = self._key(prompts)
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        self.calls += 1
        if self.yes_probability:
            verdict, raw = self._mean_at_or_above_threshold(prompts)
        else:
            raw = (self.llm | StrOutputParser()).invoke([HumanMessage(prompts[0])], max_tokens=4)
            verdict = parse_verdict(raw)
            if verdict is None:
                self.unparsed += 1
                verdict = False  # not a clear yes: not supported
        with self._lock:
            self._cache[key] = verdict
            if self.cache_path:
                self.cache_path.parent.mkdir(parents=True, exist_ok=True)
                with self.cache_path.open("a", encoding="utf-8") as f:
                    f.write(json.dumps({"key": key, "verdict": verdict, "raw": raw[:40]}) + "\n")
        return verdict

    def _mean_at_or_above_threshold(self, prompts: list[str]) -> tuple[bool, str]:
        """Whether the mean P(YES) over the prompts reaches the cut, scoring only as many prompts as decide it.

        Each prompt is a forward pass of the embedded model, the judge's whole cost. Once the prompts scored so far
        cannot reach the cut even if every remaining one said 1.0 (or have reached it even if every remaining one
        said 0.0), the rest cannot change the verdict; with two prompts and a cut of 0.7043, a first P(YES) below
        0.4086 settles NO. The verdict is exactly the full mean's.
        """
        total = 0.0
        for done, (score, prompt) in enumerate(zip(self.yes_probability, prompts), start=1):
            total += score(prompt)
            left = len(prompts) - done
            if (total + left) / len(prompts) < self.threshold or total / len(prompts) >= self.threshold or not left:
                break
        verdict = total / len(prompts) >= self.threshold
        return verdict, f"P(YES)={total / done:.4f}, mean of {done}/{len(prompts)}"


# ------------------------------------------------------------------ agreement with the labelled pairs


def stratified_subset(pairs: list[JudgePair], n: int) -> list[JudgePair]:
    """Up to ``n`` pairs, taken round-robin over kinds in id order (every kind represented)."""
    if n >= len(pairs):
        return list(pairs)
    by_kind: dict[str, list[JudgePair]] = defaultdict(list)
    for p in pairs:
        by_kind[p.kind].append(p)
    queues = [list(v) for _, v in sorted(by_kind.items())]
    chosen: list[JudgePair] = []
    while len(chosen) < n and any(queues):
        for q in queues:
            if q and len(chosen) < n:
                chosen.append(q.pop(0))
    return sorted(chosen, key=lambda p: p.id)


def split_pairs(pairs: list[JudgePair]) -> tuple[list[JudgePair], list[JudgePair]]:
    """The labelled pairs as (tune, test), fixed once: within each kind, in order of a hash of the id, the first half tunes.

    Judge prompts and thresholds are chosen on the tune half; κ is reported on the test half.
    """
    tune: list[JudgePair] = []
    test: list[JudgePair] = []
    by_kind: dict[str, list[JudgePair]] = defaultdict(list)
    for p in pairs:
        by_kind[p.kind].append(p)
    for kind in sorted(by_kind):
        ordered = sorted(by_kind[kind], key=lambda p: hashlib.sha256(p.id.encode()).hexdigest())
        half = (len(ordered) + 1) // 2
        tune += ordered[:half]
        test += ordered[half:]
    return sorted(tune, key=lambda p: p.id), sorted(test, key=lambda p: p.id)


def agreement(judge: Judge, pairs: list[JudgePair], progress=None) -> dict:
    """Accuracy and Cohen's kappa of the judge against the labels; accuracy by kind of pair."""
    if isinstance(judge, DeterministicJudge):
        scores = judge.scores([(p.sentence, [p.passage]) for p in pairs])  # one embedding batch
        predicted = [judge.supports(p.sentence, [p.passage]) for p in pairs]
    else:
        predicted = []
        for p in pairs:
            predicted.append(judge.supports(p.sentence, [p.passage]))
            if progress:
                progress()
    truth = [p.supported for p in pairs]
    by_kind: dict[str, list[bool]] = defaultdict(list)
    for p, pred in zip(pairs, predicted):
        by_kind[p.kind].append(pred == p.supported)
    out = {
        "judge": judge.name,
        "n": len(pairs),
        "accuracy": round(accuracy(truth, predicted), 4),
        "kappa": round(cohen_kappa(truth, predicted), 4),
        "predicted_supported": round(sum(predicted) / len(pairs), 4),
        "accuracy_by_kind": {k: round(sum(v) / len(v), 4) for k, v in sorted(by_kind.items())},
    }
    if isinstance(judge, DeterministicJudge):
        out["threshold"] = judge.threshold
        # For information only: the best threshold on these same pairs (in-sample, optimistic).
        best = max(
            ((t / 100, cohen_kappa(truth, [s >= t / 100 for s in scores])) for t in range(20, 96)),
            key=lambda x: x[1],
        )
        out["best_threshold_in_sample"] = {"threshold": best[0], "kappa": round(best[1], 4)}
    if isinstance(judge, LLMJudge):
        out["unparsed"] = judge.unparsed
    return out
