"""Which reading of a yes/no question's sources gets the polarity right: a study, run on dev questions only.

For each yes/no question of a questions file: the product's retrieval and context (``AnswerChain.prepare``),
then the embedded model's P(YES) / (P(YES) + P(NO)) for the next token after
  - ``answer``: the product's own yes/no prompt (system + user), i.e. how likely the answer opens with "Yes";
  - ``focused_block``: one short prompt over source [1] as the model reads it, the question, "one word";
  - ``focused_abstract``: the same over source [1]'s whole abstract;
  - ``claim_abstract``: the judge-style "is the claim supported" over the whole abstract, the claim being the
    question with its question mark (the model reads a yes/no question as a claim to check).
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
CLAIM = ("Passage:\n{passage}\n\nClaim: {question}\n\nDoes the passage say that the answer to this question is yes? "
         "Answer with one word, YES or NO.")


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
        }
        gold_lines = [list(g) for g in row.get("gold_lines", [])]
        results.append({"id": row["id"], "gold": row["polarity"], "top_lines": [list(r) for r in top.talk.lines],
                        "gold_lines": gold_lines, **readings})
        print(json.dumps(results[-1]), flush=True)
    summary = {}
    for name in ("answer", "focused_block", "focused_abstract", "claim_abstract"):
        right = sum((r[name] >= 0.5) == (r["gold"] == "yes") for r in results)
        summary[name] = {"right_at_0.5": right, "n": len(results)}
    print(json.dumps(summary))
    write_result(args.out, {"questions": str(args.questions), "summary": summary, "results": results})


if __name__ == "__main__":
    main()
