"""The judges, as chosen on the tune pairs, on pairs labelled from today's answers (none used to choose anything).

    flock /tmp/talkqa-cpu.lock .venv/bin/python bench/judge_current.py \
        --study docs/results/judge-study-2026-12-02.json --out docs/results/judge-current-pairs-<date>.json

``bench/judge_study.py`` chose each judge prompt's P(YES) threshold on the tune half of
eval/data/judge_pairs.jsonl (pairs from older answers) and reported κ on its test half. This
script takes those thresholds as they are (from the study's artefact) and scores every judge on
eval/data/judge_pairs_current.jsonl: pairs drawn from both systems' answers of a run of today's
code (bench/candidate_pairs.py) and labelled by reading, after the judges were chosen. κ here is
a second test, on the kind of sentences the eval now judges; it is also broken down by where a pair
came from (our answer as the model cited it, a citation attribution moved, a record fact, the
baseline) and by kind.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.core.config import Settings  # noqa: E402
from app.core.prompts import load_prompt  # noqa: E402
from app.models.embeddings import cached_embeddings  # noqa: E402
from app.models.llm import local_model_path  # noqa: E402
from bench.provenance import provenance  # noqa: E402
from eval.dataset import load_pairs  # noqa: E402
from eval.judges import DeterministicJudge  # noqa: E402
from eval.metrics import cohen_kappa  # noqa: E402
from eval.yes_probability import YesProbability  # noqa: E402

CURRENT = ROOT / "eval" / "data" / "judge_pairs_current.jsonl"


def scores(truth: list[bool], verdicts: list[bool]) -> dict:
    agree = sum(t == v for t, v in zip(truth, verdicts))
    return {"n": len(truth), "accuracy": round(agree / len(truth), 4) if truth else None,
            "kappa": round(cohen_kappa(truth, verdicts), 4) if truth else None}


def by_group(rows: list[dict], verdicts: list[bool], key: str) -> dict:
    groups: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        groups[row[key]].append(i)
    return {g: {"n": len(ix), "supported": sum(rows[i]["supported"] for i in ix),
                "accuracy": round(sum(rows[i]["supported"] == verdicts[i] for i in ix) / len(ix), 4)}
            for g, ix in sorted(groups.items())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--study", type=Path, required=True, help="bench/judge_study.py's artefact: the thresholds")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--data", type=Path, default=ROOT / "bench" / "out" / "judge-data", help="data dir for the embedding cache")
    args = parser.parse_args()
    from llama_cpp import Llama

    study = json.loads(args.study.read_text(encoding="utf-8"))
    rows = [json.loads(line) for line in CURRENT.read_text(encoding="utf-8").splitlines() if line.strip()]
    pairs = load_pairs(CURRENT)
    truth = [p.supported for p in pairs]
    settings = Settings(_env_file=None, data_dir=args.data)
    llama = Llama(model_path=str(local_model_path(settings)), n_ctx=4096, n_threads=settings.llm.threads or 2, n_batch=512, verbose=False)
    yes = YesProbability(llama)
    judges: dict = {}
    for name, chosen in study["prompts"].items():
        template = load_prompt(name)
        probs = [round(yes(template.format(passage=p.passage, claim=p.sentence)), 4) for p in pairs]
        verdicts = [p >= chosen["tune"]["threshold"] for p in probs]
        judges[name] = {"threshold": chosen["tune"]["threshold"], **scores(truth, verdicts),
                        "by_origin": by_group(rows, verdicts, "origin"), "by_kind": by_group(rows, verdicts, "kind"),
                        "p_yes": dict(zip((p.id for p in pairs), probs))}
        print(name, {k: v for k, v in judges[name].items() if k not in ("p_yes", "by_origin", "by_kind")}, flush=True)
    deterministic = DeterministicJudge(cached_embeddings(settings))
    det_verdicts = [deterministic.supports(p.sentence, [p.passage]) for p in pairs]
    out = {
        **provenance(),
        "model": local_model_path(settings).name,
        "pairs": {"file": str(CURRENT.relative_to(ROOT)), "n": len(pairs), "supported": sum(truth)},
        "thresholds_from": str(args.study),
        "headline": {"prompt": study["winner"]["prompt"], **{k: judges[study["winner"]["prompt"]][k] for k in ("n", "accuracy", "kappa")}},
        "deterministic_self_check": {**scores(truth, det_verdicts), "by_origin": by_group(rows, det_verdicts, "origin")},
        "judges": judges,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print("headline", out["headline"], "deterministic", {k: out["deterministic_self_check"][k] for k in ("n", "accuracy", "kappa")})


if __name__ == "__main__":
    main()
