"""Key facts of stored answers, by the independent LLM judge: how much of each gold key fact an answer states.

Usage (the embedded model judges: under the CPU lock):
    flock /tmp/talkqa-cpu.lock .venv/bin/python bench/keyfacts.py --questions eval/data/questions-heldout5.jsonl \
        --answers docs/results/comparisons-heldout5-before-2026-12-03.json --out bench/out/keyfacts.json

``--answers`` is an artefact of bench/followups.py (its ``rows``: id, answer, abstained, sentences with the talks
each cites). Each key fact of the question is judged against the whole answer by ``eval.judges.LLMJudge`` with
the embedded model's P(YES) over the two judge prompts (the judge `talkqa eval` uses, chosen on the labelled
pairs, not on these answers; docs/evaluation.md "Judges"), as ``key_fact_coverage[llm]``. For a comparison it
also counts the answers that describe only one side: a gold talk that no sentence of the answer cites. The
product never reads the judge's prompts or scores, so this grades the answers without the product's own checks.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.core.config import Settings  # noqa: E402
from app.models.llm import chat_model, describe  # noqa: E402
from bench.provenance import write_result  # noqa: E402
from eval import metrics as M  # noqa: E402
from eval.dataset import load_questions  # noqa: E402
from eval.judges import PROBABILITY_PROMPTS, LLMJudge  # noqa: E402
from eval.yes_probability import YesProbability  # noqa: E402


def judge(settings: Settings) -> LLMJudge:
    """The LLM judge of `talkqa eval` on the embedded model: one context per judge prompt, no cache file."""
    llm = chat_model(settings)
    contexts = [llm.weights] + [llm.another_context() for _ in PROBABILITY_PROMPTS[1:]]
    return LLMJudge(llm, describe(settings), None, yes_probability=[YesProbability(c) for c in contexts])


def one_sided(row: dict) -> bool:
    """Does the answer leave a gold talk without any sentence citing it (it describes only one side)?"""
    cited = {talk for sentence in row.get("sentences", []) for talk in sentence["talks"]}
    return len(row["gold"]) > 1 and not row["abstained"] and not all(g in cited for g in row["gold"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, required=True)
    parser.add_argument("--answers", type=Path, required=True, help="an artefact of bench/followups.py")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    settings = Settings()
    questions = {q.id: q for q in load_questions(args.questions)}
    rows = json.loads(args.answers.read_text(encoding="utf-8"))["rows"]
    llm_judge = judge(settings)
    results = []
    for row in rows:
        facts = questions[row["id"]].key_facts
        coverage = M.key_fact_coverage(facts, row["answer"], row["abstained"], llm_judge.covers)
        results.append({"id": row["id"], "facts": len(facts), "coverage": coverage, "one_sided": one_sided(row)})
        print(json.dumps(results[-1]), flush=True)
    scored = [r["coverage"] for r in results if r["coverage"] is not None]
    summary = {"answers": len(results), "key_fact_coverage_llm": round(sum(scored) / len(scored), 3) if scored else None,
               "one_sided": sum(r["one_sided"] for r in results), "judge": llm_judge.model_name}
    print(json.dumps(summary))
    write_result(args.out, {"questions": str(args.questions), "answers": str(args.answers), "summary": summary, "results": results})


if __name__ == "__main__":
    main()
