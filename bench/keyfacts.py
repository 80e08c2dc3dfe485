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

Beside it, ``key_fact_coverage_words``: a fact counts as stated when the answer holds three quarters of its own words
(``eval.metrics.states_by_words``: URLs, names, ids, years). A string match, added 2026-12-04 after the LLM judge was
seen to score held-out-11 link answers that quote the asked reference as covering nothing; blind to paraphrase, so
a floor for prose and a fair grader for link and reference facts, which are exact strings of the record.
``--words-only`` grades by words alone, without the model (no CPU lock needed).
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


def _mean(values) -> float | None:
    scored = [v for v in values if v is not None]
    return round(sum(scored) / len(scored), 3) if scored else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, required=True)
    parser.add_argument("--answers", type=Path, required=True, help="an artefact of bench/followups.py")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--words-only", action="store_true", help="grade by the facts' words only, without the LLM judge")
    args = parser.parse_args()
    questions = {q.id: q for q in load_questions(args.questions)}
    rows = json.loads(args.answers.read_text(encoding="utf-8"))["rows"]
    llm_judge = None if args.words_only else judge(Settings())
    results = []
    for row in rows:
        facts = questions[row["id"]].key_facts
        coverage = None if llm_judge is None else M.key_fact_coverage(facts, row["answer"], row["abstained"], llm_judge.covers)
        words = M.key_fact_coverage(facts, row["answer"], row["abstained"], M.states_by_words)
        results.append({"id": row["id"], "facts": len(facts), "coverage": coverage, "coverage_words": words, "one_sided": one_sided(row)})
        print(json.dumps(results[-1]), flush=True)
    summary = {"answers": len(results), "key_fact_coverage_llm": _mean(r["coverage"] for r in results),
               "key_fact_coverage_words": _mean(r["coverage_words"] for r in results),
               "one_sided": sum(r["one_sided"] for r in results), "judge": llm_judge.model_name if llm_judge else None}
    print(json.dumps(summary))
    write_result(args.out, {"questions": str(args.questions), "answers": str(args.answers), "summary": summary, "results": results})


if __name__ == "__main__":
    main()
