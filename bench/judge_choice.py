"""The LLM judge chosen again on all labelled pairs: the older written pairs and those from today's answers.

    .venv/bin/python bench/judge_choice.py --study docs/results/judge-study-2026-12-02.json \
        --current docs/results/judge-current-pairs-2026-12-02.json --out docs/results/judge-choice-ensemble-<date>.json

No model runs here: every pair's P(YES) under every judge prompt is read from the two artefacts
(``bench/judge_study.py`` on eval/data/judge_pairs.jsonl, ``bench/judge_current.py`` on
eval/data/judge_pairs_current.jsonl). The pairs from today's answers are split once the same way
as the older ones (``eval.judges.split_pairs``: within each kind, by a hash of the id); the tune
part is the older tune half plus the new tune half, the test part the rest. The candidates are
each prompt alone and the mean P(YES) of every two prompts and of all of them (the one way of
combining fixed before looking: a mean); on tune, each candidate's cut is the κ-maximising value
and the candidate with the best tuned κ wins (ties: the one listed first, fewer prompts first);
κ is reported on the test part, on its older and its new pairs apart.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.judge_study import best_threshold  # noqa: E402
from bench.provenance import provenance  # noqa: E402
from eval.dataset import load_pairs  # noqa: E402
from eval.judges import split_pairs  # noqa: E402
from eval.metrics import cohen_kappa  # noqa: E402

CURRENT = ROOT / "eval" / "data" / "judge_pairs_current.jsonl"


def kappa_at(pairs, probs: dict[str, float], cut: float) -> dict:
    truth = [p.supported for p in pairs]
    verdicts = [probs[p.id] >= cut for p in pairs]
    return {"n": len(pairs), "kappa": round(cohen_kappa(truth, verdicts), 4),
            "accuracy": round(sum(t == v for t, v in zip(truth, verdicts)) / len(pairs), 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--study", type=Path, required=True)
    parser.add_argument("--current", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    study = json.loads(args.study.read_text(encoding="utf-8"))
    current = json.loads(args.current.read_text(encoding="utf-8"))
    old_tune, old_test = split_pairs(load_pairs())
    new_tune, new_test = split_pairs(load_pairs(CURRENT))
    tune, test = old_tune + new_tune, old_test + new_test
    p_yes = {name: {**study["prompts"][name]["p_yes"], **current["judges"][name]["p_yes"]} for name in study["prompts"]}
    candidates: dict = {}
    for size in range(1, len(p_yes) + 1):
        for names in itertools.combinations(sorted(p_yes), size):
            probs = {pid: sum(p_yes[n][pid] for n in names) / size for pid in p_yes[names[0]]}
            cut, tuned = best_threshold([p.supported for p in tune], [probs[p.id] for p in tune])
            candidates["+".join(names)] = {
                "prompts": list(names), "threshold": cut, "tune_kappa": round(tuned, 4), "test": kappa_at(test, probs, cut),
                "test_older_pairs": kappa_at(old_test, probs, cut), "test_new_pairs": kappa_at(new_test, probs, cut)}
            print("+".join(names), candidates["+".join(names)], flush=True)
    winner = max(candidates, key=lambda n: candidates[n]["tune_kappa"])
    out = {
        **provenance(),
        "inputs": {"study": str(args.study), "current": str(args.current)},
        "split": {"tune": len(tune), "test": len(test), "new_tune": [p.id for p in new_tune], "new_test": [p.id for p in new_test]},
        "winner": {"candidate": winner, **candidates[winner]},
        "candidates": candidates,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print("winner", winner, candidates[winner])


if __name__ == "__main__":
    main()
