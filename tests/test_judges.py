"""The evaluation's judges: the fixed tune/test split of the labelled pairs, and the LLM judge by P(YES)."""

from __future__ import annotations

import pytest

from eval.dataset import JudgePair, load_pairs
from eval.judges import PROBABILITY_PROMPTS, PROBABILITY_THRESHOLD, LLMJudge, split_pairs


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


def one_per_prompt(scorer) -> list:
    return [scorer] * len(PROBABILITY_PROMPTS)


def test_the_probability_judge_says_supported_only_at_or_above_its_cut(tmp_path):
    scorer = ScriptedProbability({"sure": PROBABILITY_THRESHOLD + 0.01, "likely": PROBABILITY_THRESHOLD - 0.01})
    judge = LLMJudge(llm=None, model_name="fake", cache_path=tmp_path / "judge.jsonl", yes_probability=one_per_prompt(scorer))
    assert judge.supports("sure", ["a passage"]) is True
    assert judge.supports("likely", ["a passage"]) is False


class PerPrompt:
    """P(YES) by the prompt's wording: ``few`` for the few-shot prompt, ``rules`` for the rules prompt."""

    def __init__(self, few: float, rules: float):
        self.few, self.rules = few, rules

    def __call__(self, prompt: str) -> float:
        return self.rules if "Rules:" in prompt else self.few


def test_the_probability_judge_decides_on_the_mean_of_its_prompts(tmp_path):
    # Either prompt alone would say YES at 0.95; the mean (0.95 + 0.2) / 2 is below the cut.
    scorer = PerPrompt(few=0.95, rules=0.2)
    judge = LLMJudge(llm=None, model_name="fake", cache_path=tmp_path / "judge.jsonl", yes_probability=[scorer, scorer])
    assert judge.supports("claim", ["a passage"]) is False


def test_the_probability_judge_skips_the_second_prompt_when_the_first_already_decides_no(tmp_path):
    # 0.3 + even a certain 1.0 from the second prompt averages 0.65, below the cut: one forward pass is enough.
    first, second = ScriptedProbability({"weak": 0.3}), ScriptedProbability({"weak": 1.0})
    judge = LLMJudge(llm=None, model_name="fake", cache_path=tmp_path / "judge.jsonl", yes_probability=[first, second])
    assert judge.supports("weak", ["a passage"]) is False
    assert (first.calls, second.calls) == (1, 0)


def test_the_probability_judge_asks_the_second_prompt_when_the_first_leaves_it_open(tmp_path):
    first, second = ScriptedProbability({"open": 0.5}), ScriptedProbability({"open": 0.95})
    judge = LLMJudge(llm=None, model_name="fake", cache_path=tmp_path / "judge.jsonl", yes_probability=[first, second])
    assert judge.supports("open", ["a passage"]) is True  # (0.5 + 0.95) / 2 = 0.725
    assert (first.calls, second.calls) == (1, 1)


def test_the_probability_judge_wants_a_scorer_for_every_prompt(tmp_path):
    with pytest.raises(ValueError, match="one P\\(YES\\) scorer per judge prompt"):
        LLMJudge(llm=None, model_name="fake", yes_probability=[ScriptedProbability({})])


def test_the_probability_judge_reuses_its_cached_verdicts_in_a_new_run(tmp_path):
    scorer = ScriptedProbability({"sure": 0.99})
    LLMJudge(llm=None, model_name="fake", cache_path=tmp_path / "judge.jsonl", yes_probability=one_per_prompt(scorer)).supports("sure", ["p"])
    again = LLMJudge(llm=None, model_name="fake", cache_path=tmp_path / "judge.jsonl", yes_probability=one_per_prompt(scorer))
    assert again.supports("sure", ["p"]) is True and scorer.calls == len(PROBABILITY_PROMPTS)


@pytest.mark.slow
def test_the_embedded_model_is_surer_of_a_paraphrase_than_of_a_contradiction():
    from app.core.config import Settings
    from app.core.prompts import load_prompt
    from app.models.llm import chat_model
    from eval.yes_probability import YesProbability

    pairs = {p.id: p for p in load_pairs()}
    supported, contradicted = pairs["p001"], pairs["p002"]  # one passage: an SDE, and the claim that it is a deterministic ODE
    scorer = YesProbability(chat_model(Settings(_env_file=None, llm={"backend": "local", "local_model": "qwen-1.5b"})).weights)

    def mean_p_yes(p: JudgePair) -> float:
        prompts = [load_prompt(name).format(passage=p.passage, claim=p.sentence) for name in PROBABILITY_PROMPTS]
        return sum(scorer(prompt) for prompt in prompts) / len(prompts)

    p_yes = [mean_p_yes(p) for p in (supported, contradicted)]
    assert p_yes[0] >= PROBABILITY_THRESHOLD > p_yes[1], p_yes
