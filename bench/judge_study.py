"""Which LLM judge to trust: prompt styles × P(YES) thresholds, chosen on the tune pairs, κ on the test pairs.

For every labelled pair (eval/data/judge_pairs.jsonl, split once by ``eval.judges.split_pairs``) and
every judge prompt (prompts/judge*.txt), the embedded model's P(YES) after the prompt
(``eval.yes_probability``). On the tune half: each prompt's κ at P ≥ 0.5 and at the threshold that
maximises κ; the prompt with the best tuned κ wins. On the test half: every prompt's κ at its
tune threshold (the winner's is the headline), and the deterministic judge (the product's own
support formula) on the same test pairs for comparison.

    flock /tmp/talkqa-cpu.lock .venv/bin/python bench/judge_study.py --out docs/results/judge-study-<date>.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.core.config import Settings  # noqa: E402
from app.core.prompts import PROMPTS, load_prompt  # noqa: E402
from app.models.embeddings import cached_embeddings  # noqa: E402
from app.models.llm import local_model_path  # noqa: E402
from bench.provenance import provenance  # noqa: E402
from eval.dataset import load_pairs  # noqa: E402
from eval.judges import DeterministicJudge, agreement, split_pairs  # noqa: E402
from eval.metrics import cohen_kappa  # noqa: E402
from eval.yes_probability import YesProbability  # noqa: E402


def best_threshold(truth: list[bool], probs: list[float]) -> tuple[float, float]:
    """The P(YES) cut with the highest κ (ties: the one nearest 0.5)."""
    cuts = sorted({round(p, 4) for p in probs} | {0.5})
    return max(((c, cohen_kappa(truth, [p >= c for p in probs])) for c in cuts), key=lambda ck: (round(ck[1], 6), -abs(ck[0] - 0.5)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--prompts", default=",".join(sorted(p.stem for p in PROMPTS.glob("judge*.txt"))))
    parser.add_argument("--data", type=Path, default=ROOT / "bench" / "out" / "judge-data", help="data dir for the embedding cache")
    args = parser.parse_args()
    from llama_cpp import Llama

    settings = Settings(_env_file=None, data_dir=args.data)
    llama = Llama(model_path=str(local_model_path(settings)), n_ctx=2048, n_threads=settings.llm.threads or 2, n_batch=512, verbose=False)
    yes = YesProbability(llama)
    pairs = load_pairs()
    tune, test = split_pairs(pairs)
    study: dict = {}
    for name in args.prompts.split(","):
        template = load_prompt(name)
        started = time.perf_counter()
        probs = {p.id: round(yes(template.format(passage=p.passage, claim=p.sentence)), 4) for p in pairs}
        seconds = time.perf_counter() - started
        t_truth, t_probs = [p.supported for p in tune], [probs[p.id] for p in tune]
        cut, tuned_kappa = best_threshold(t_truth, t_probs)
        s_truth, s_probs = [p.supported for p in test], [probs[p.id] for p in test]
        study[name] = {
            "seconds_per_pair": round(seconds / len(pairs), 3),
            "tune": {"n": len(tune), "kappa_at_0.5": round(cohen_kappa(t_truth, [p >= 0.5 for p in t_probs]), 4),
                     "threshold": cut, "kappa": round(tuned_kappa, 4)},
            "test": {"n": len(test), "kappa_at_tune_threshold": round(cohen_kappa(s_truth, [p >= cut for p in s_probs]), 4),
                     "kappa_at_0.5": round(cohen_kappa(s_truth, [p >= 0.5 for p in s_probs]), 4)},
            "p_yes": probs,
        }
        print(name, {k: v for k, v in study[name].items() if k != "p_yes"}, flush=True)
    winner = max(study, key=lambda n: study[n]["tune"]["kappa"])
    det = agreement(DeterministicJudge(cached_embeddings(settings)), test)
    out = {
        **provenance(),
        "model": local_model_path(settings).name,
        "split": {"tune": [p.id for p in tune], "test": [p.id for p in test]},
        "winner": {"prompt": winner, "threshold": study[winner]["tune"]["threshold"],
                   "test_kappa": study[winner]["test"]["kappa_at_tune_threshold"]},
        "deterministic_on_test": {k: det[k] for k in ("n", "accuracy", "kappa")},
        "prompts": study,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print("winner", out["winner"], "deterministic on test", out["deterministic_on_test"])


if __name__ == "__main__":
    main()
