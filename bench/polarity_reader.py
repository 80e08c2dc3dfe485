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
    product's prompts/polarity.txt since 2026-12-03; ``focused_block`` was before);
  - ``denies_block``: over the same block, whether the passage *denies* the question (says the opposite, or that
    it fails or does not hold), and ``contrast_block``, the two weighed against each other:
    kinds / (kinds + denies) — a "yes" the model also gives to the denial is not trusted;
  - ``kinds_lead`` / ``kinds_top2``: the ``kinds_block`` prompt over source [1]'s one (two) sentences most relevant to
    the question (the cross-encoder's order, ``Source.ranked``), not its whole block: the deciding sentence alone.
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


DENIES = ("Passage:\n{passage}\n\nQuestion: {question}\nDoes the passage deny this: does it say the opposite, or that "
          "it fails, is absent or does not hold? Answer with one word, YES or NO.")

READINGS = ("answer", "focused_block", "focused_abstract", "claim_abstract", "fewshot_block", "kinds_block", "denies_block",
            "contrast_block", "kinds_lead", "kinds_top2")


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
    parser.add_argument("--questions", type=Path, nargs="+", required=True, help="questions files (an id in two is read once)")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--only", nargs="+", choices=READINGS, help="compute these readings only (default: all)")
    args = parser.parse_args()
    wanted = set(args.only or READINGS)
    if "contrast_block" in wanted:
        wanted |= {"kinds_block", "denies_block"}
    from app.answer.passages import passage

    rows = [json.loads(line) for path in args.questions for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = list({r["id"]: r for r in rows if r.get("type") == "yes_no" and r.get("polarity") and not r.get("history")}.values())
    service = Service(Settings())
    chain = service.answer_chain()
    reader = YesProbability(chain.llm.load().weights)
    results = []
    for row in rows:
        state = chain.prepare().invoke(AnswerState.start(row["question"], []))
        top = state.sources[0]
        roles = {"system": "system", "human": "user"}
        block, question = passage(top, row["question"]), row["question"]
        prompts = {
            "answer": lambda: [{"role": roles[m.type], "content": str(m.content)} for m in state.messages],
            "focused_block": lambda: [{"role": "user", "content": FOCUSED.format(passage=block, question=question)}],
            "focused_abstract": lambda: [{"role": "user", "content": FOCUSED.format(passage=top.talk.abstract, question=question)}],
            "claim_abstract": lambda: [{"role": "user", "content": CLAIM.format(passage=top.talk.abstract, question=question)}],
            "fewshot_block": lambda: fewshot(block, question),
            "kinds_block": lambda: [{"role": "user", "content": KINDS.format(passage=block, question=question)}],
            "denies_block": lambda: [{"role": "user", "content": DENIES.format(passage=block, question=question)}],
            "kinds_lead": lambda: [{"role": "user", "content": KINDS.format(passage=" ".join(top.ranked[:1]), question=question)}],
            "kinds_top2": lambda: [{"role": "user", "content": KINDS.format(passage=" ".join(top.ranked[:2]), question=question)}],
        }
        readings = {name: round_p(reader, make()) for name, make in prompts.items() if name in wanted}
        if "contrast_block" in wanted:
            readings["contrast_block"] = round(readings["kinds_block"] / (readings["kinds_block"] + readings["denies_block"]), 4)
        gold_lines = [list(g) for g in row.get("gold_lines", [])]
        top_is_gold = any(s <= ge and gs <= e for s, e in top.talk.lines for gs, ge in gold_lines)
        results.append({"id": row["id"], "gold": row["polarity"], "top_lines": [list(r) for r in top.talk.lines],
                        "gold_lines": gold_lines, "top_is_gold": top_is_gold, **readings})
        print(json.dumps(results[-1]), flush=True)
    summary = {}
    for name in (r for r in READINGS if r in wanted):
        right = sum((r[name] >= 0.5) == (r["gold"] == "yes") for r in results)
        by_gold = {gold: sum((r[name] >= 0.5) == (gold == "yes") for r in results if r["gold"] == gold) for gold in ("yes", "no")}
        summary[name] = {"right_at_0.5": right, "n": len(results), "right_by_gold": by_gold}
    summary["top_is_gold"] = sum(r["top_is_gold"] for r in results)
    print(json.dumps(summary))
    write_result(args.out, {"questions": str(args.questions), "summary": summary, "results": results})


if __name__ == "__main__":
    main()
