"""The evaluation's judges: the fixed tune/test split of the labelled pairs, and the LLM judge by P(YES)."""

from __future__ import annotations

import pytest

from eval.dataset import JudgePair, load_pairs
from eval.judges import PROBABILITY_THRESHOLD, LLMJudge, split_pairs


def pair(i: int, kind: str, supported: bool = True) -> JudgePair:
    return JudgePair(id=f"p{i:03d}", sentence=f"claim {i}", passage=f"passage {i}", supported=supported, kind=kind)


def test_the_split_halves_every_kind_and_never_shares_a_pair():
    pairs = [pair(i, "paraphrase") for i in range(10)] + [pair(i, "contradiction", False) for i in range(10, 15)]
    tune, test = split_pairs(pairs)
    assert {p.id for p in tune}.isdisjoint({p.id for p in test}) and len(tune) + len(test) == 15
    assert [p.kind for p in tune].count("paraphrase") == 5 and [p.kind for p in tune].count("contradiction") == 3


def test_the_split_of_the_labelled_pairs_does_not_depend_on_their_order():
    pairs = load_pairs()
    assert split_pairs(pairs) == split_pairs(list(reversed(pairs)))


class ScriptedProbability:
    """P(YES) by claim text, counting calls (a fake for the embedded model's scorer)."""

    def __init__(self, by_claim: dict[str, float]):
        self.by_claim, self.calls = by_claim, 0

    def __call__(self, prompt: str) -> float:
        self.calls += 1
        return next(p for claim, p in self.by_claim.items() if f"Claim: {claim}" in prompt)


def test_the_probability_judge_says_supported_only_at_or_above_its_cut(tmp_path):
    scorer = ScriptedProbability({"sure": PROBABILITY_THRESHOLD + 0.01, "likely": PROBABILITY_THRESHOLD - 0.01})
    judge = LLMJudge(llm=None, model_name="fake", cache_path=tmp_path / "judge.jsonl", yes_probability=scorer)
    assert judge.supports("sure", ["a passage"]) is True
    assert judge.supports("likely", ["a passage"]) is False


def test_the_probability_judge_reuses_its_cached_verdicts_in_a_new_run(tmp_path):
    scorer = ScriptedProbability({"sure": 0.99})
    LLMJudge(llm=None, model_name="fake", cache_path=tmp_path / "judge.jsonl", yes_probability=scorer).supports("sure", ["p"])
    again = LLMJudge(llm=None, model_name="fake", cache_path=tmp_path / "judge.jsonl", yes_probability=scorer)
    assert again.supports("sure", ["p"]) is True and scorer.calls == 1


@pytest.mark.slow
def test_the_embedded_model_is_surer_of_a_paraphrase_than_of_a_contradiction():
    from app.core.config import Settings
    from app.core.prompts import load_prompt
    from app.models.llm import chat_model
    from eval.judges import PROBABILITY_PROMPT
    from eval.yes_probability import YesProbability

    pairs = {p.id: p for p in load_pairs()}
    supported, contradicted = pairs["p001"], pairs["p002"]  # one passage: an SDE, and the claim that it is a deterministic ODE
    template = load_prompt(PROBABILITY_PROMPT)
    scorer = YesProbability(chat_model(Settings(_env_file=None, llm={"backend": "local", "local_model": "qwen-1.5b"})).weights)
    p_yes = [scorer(template.format(passage=p.passage, claim=p.sentence)) for p in (supported, contradicted)]
    assert p_yes[0] >= PROBABILITY_THRESHOLD > p_yes[1], p_yes
