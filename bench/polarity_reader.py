"""Which reading of a yes/no question's sources gets the polarity right: a study, run on dev questions only.

For each yes/no question of a questions file: the product's retrieval and context (``AnswerChain.prepare``),
then the embedded model's P(YES) / (P(YES) + P(NO)) for the next token after
  - ``answer``: the product's own yes/no prompt (system + user), i.e. how likely the answer opens with "Yes";
  - ``focused_block``: one short prompt over source [1] as the model reads it, the question, "one word";
  - ``focused_abstract``: the same over source [1]'s whole abstract;
  - ``claim_abstract``: the judge-style "is the claim supported" over the whole abstract, the claim being the
    question with its question mark (the model reads a yes/no question as a claim to check);
  - ``fewshot_block``: ``focused_block`` after three made-up worked examples (two of them "no": the passage
    states the opposite, the question asks for a stronger claim than the passage makes), as chat turns;
  - ``kinds_block``: ``focused_block`` with the ways a passage says "no" spelled out in the instruction (the
    product's prompts/polarity.txt since 2026-12-03; ``focused_block`` was before).
Printed and written as JSON with the gold polarity, so a rule (which reading, which cut) can be chosen on dev
and then reported once on held-out.

Usage (under the shared CPU lock):
    flock /tmp/talkqa-cpu.lock .venv/bin/python bench/polarity_reader.py --questions eval/data/questions-dev-v3.jsonl \
        --out bench/out/polarity-dev.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.answer.state import AnswerState  # noqa: E402
from app.core.config import Settings  # noqa: E402
from app.service import Service  # noqa: E402
from bench.provenance import write_result  # noqa: E402
from eval.yes_probability import YesProbability  # noqa: E402

FOCUSED = ("Passage:\n{passage}\n\nQuestion: {question}\n"
           "Answer the question from the passage alone with one word, YES or NO.")
KINDS = ("Passage:\n{passage}\n\nQuestion: {question}\nAnswer the question from the passage alone with one word. "
         "Answer NO when the passage says the opposite, reports that the effect is absent or fails, or makes a weaker or "
         "different claim than the question asks about; answer YES only when the passage states it.")
#: Made up, not from the corpus or any question set: one "yes", two kinds of "no".
SHOTS = [
    ("We study dropout in deep linear networks and show that, in this setting, it does not improve generalization "
     "beyond what weight decay gives: both induce the same implicit bias.",
     "Does dropout generalize better than weight decay in deep linear networks?", "NO"),
    ("We prove that gradient descent on overparameterized two-layer networks converges to a global minimum at a "
     "linear rate when the width is polynomial in the number of samples.",
     "Can gradient descent reach a global minimum when training wide two-layer networks?", "YES"),
    ("Our analysis shows that the sample complexity of this estimator grows polynomially with the dimension.",
     "Does the estimator's sample complexity grow exponentially with the dimension?", "NO"),
]
CLAIM = ("Passage:\n{passage}\n\nClaim: {question}\n\nDoes the passage say that the answer to this question is yes? "
         "Answer with one word, YES or NO.")


READINGS = ("answer", "focused_block", "focused_abstract", "claim_abstract", "fewshot_block", "kinds_block")


def fewshot(passage: str, question: str) -> list[dict]:
    """The three worked examples as user/assistant turns, then the question over ``passage``."""
    turns: list[dict] = []
    for shot_passage, shot_question, word in SHOTS:
        turns += [{"role": "user", "content": FOCUSED.format(passage=shot_passage, question=shot_question)},
                  {"role": "assistant", "content": word}]
    return turns + [{"role": "user", "content": FOCUSED.format(passage=passage, question=question)}]


def round_p(reader: YesProbability, messages: list[dict]) -> float:
    return round(reader.of_messages(messages), 4)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    from app.answer.passages import passage

    rows = [json.loads(line) for line in args.questions.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [r for r in rows if r.get("type") == "yes_no"]
    service = Service(Settings())
    chain = service.answer_chain()
    reader = YesProbability(chain.llm.load().weights)
    results = []
    for row in rows:
        state = chain.prepare().invoke(AnswerState.start(row["question"], []))
        top = state.sources[0]
        roles = {"system": "system", "human": "user"}
        readings = {
            "answer": round_p(reader, [{"role": roles[m.type], "content": str(m.content)} for m in state.messages]),
            "focused_block": round_p(reader, [{"role": "user", "content": FOCUSED.format(passage=passage(top, row["question"]), question=row["question"])}]),
            "focused_abstract": round_p(reader, [{"role": "user", "content": FOCUSED.format(passage=top.talk.abstract, question=row["question"])}]),
            "claim_abstract": round_p(reader, [{"role": "user", "content": CLAIM.format(passage=top.talk.abstract, question=row["question"])}]),
            "fewshot_block": round_p(reader, fewshot(passage(top, row["question"]), row["question"])),
            "kinds_block": round_p(reader, [{"role": "user", "content": KINDS.format(passage=passage(top, row["question"]), question=row["question"])}]),
        }
        gold_lines = [list(g) for g in row.get("gold_lines", [])]
        top_is_gold = any(s <= ge and gs <= e for s, e in top.talk.lines for gs, ge in gold_lines)
        results.append({"id": row["id"], "gold": row["polarity"], "top_lines": [list(r) for r in top.talk.lines],
                        "gold_lines": gold_lines, "top_is_gold": top_is_gold, **readings})
        print(json.dumps(results[-1]), flush=True)
    summary = {}
    for name in READINGS:
        right = sum((r[name] >= 0.5) == (r["gold"] == "yes") for r in results)
        by_gold = {gold: sum((r[name] >= 0.5) == (gold == "yes") for r in results if r["gold"] == gold) for gold in ("yes", "no")}
        summary[name] = {"right_at_0.5": right, "n": len(results), "right_by_gold": by_gold}
    summary["top_is_gold"] = sum(r["top_is_gold"] for r in results)
    print(json.dumps(summary))
    write_result(args.out, {"questions": str(args.questions), "summary": summary, "results": results})


if __name__ == "__main__":
    main()
