"""Counting and yes/no questions answered by talkqa alone (no baseline, no judge): right count, right polarity.

Usage (the embedded model: under the CPU lock):
    flock /tmp/talkqa-cpu.lock .venv/bin/python bench/counting.py --set dev --out docs/results/counting-dev.json

Answers every question of the set whose type is ``counting`` or ``yes_no`` (issue 23) with the
chain of the current checkout, scores them with eval/metrics.py's ``count_correct`` and
``polarity_correct`` (what ``talkqa eval`` reports for these types), and writes the per-question
answers and the rates. For counting and (``--types multi_talk``) plain list questions it also writes the
talks the answer cites and their recall and precision against the gold talks (the issue's list goals:
recall >= 0.9, precision >= 0.8). It uses the data dir of the settings (``TALKQA_DATA_DIR``): ingest first.
A quicker loop than ``talkqa eval`` while tuning on dev (it skips the baseline's answers and the
judges); ``--set held-out`` only to report, once.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.core.config import Settings  # noqa: E402
from app.service import Service  # noqa: E402
from bench.provenance import provenance  # noqa: E402
from eval import metrics as M  # noqa: E402
from eval.dataset import QUESTION_SETS, attach_gold, load_questions  # noqa: E402

TYPES = ("counting", "yes_no", "multi_talk")
#: Types whose answer is a list of talks, scored by recall and precision of the talks it cites.
LISTS = ("counting", "multi_talk")


def list_scores(answer, gold: list[str]) -> dict:
    """The talks a list answer cites, and their recall and precision against the gold talks (an abstention cites none)."""
    by_n = {s.n: s.talk.id for s in answer.sources}
    cited = [] if answer.abstained else list(dict.fromkeys(by_n[n] for n in answer.cited if n in by_n))
    return {"cited": cited, "recall": round(M.citation_recall(cited, gold) or 0.0, 3),
            "precision": round(M.citation_precision(cited, gold) or 0.0, 3)}


def verdict(q, answer) -> dict:
    """The gold and stated count (counting) or polarity (yes/no), and whether they agree; a plain list has neither."""
    if q.type == "counting":
        return {"gold": q.count, "stated": M.stated_count(answer.answer), "correct": M.count_correct(answer.answer, q.count, answer.abstained)}
    if q.type == "yes_no":
        return {"gold": q.polarity, "stated": M.stated_polarity(answer.answer),
                "correct": M.polarity_correct(answer.answer, q.polarity, answer.abstained)}
    return {"gold": None, "stated": None, "correct": None}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--set", choices=sorted(QUESTION_SETS), default="dev")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--types", nargs="+", choices=TYPES, default=["counting", "yes_no"],
                        help="only these types (a change to list questions alone need not re-ask the yes/no ones)")
    args = parser.parse_args()
    questions = [q for path in QUESTION_SETS[args.set] for q in load_questions(path) if q.type in args.types]
    chain = Service(Settings()).answer_chain()
    attach_gold(questions, chain.latest_catalog())
    rows = []
    for q in questions:
        started = time.perf_counter()
        answer = chain.invoke(q.question)
        rows.append({"id": q.id, "type": q.type, **verdict(q, answer),
                     "seconds": round(time.perf_counter() - started, 1), "answer": answer.answer})
        if q.type in LISTS:
            rows[-1].update(list_scores(answer, q.gold_talks))
        print(rows[-1]["id"], rows[-1]["gold"], rows[-1]["stated"], rows[-1]["correct"], flush=True)
    rates = {t: {"of": sum(r["type"] == t for r in rows)} for t in args.types}
    for t in set(args.types) - {"multi_talk"}:  # a plain list has no count or polarity to be right about
        rates[t]["right"] = sum(r["correct"] for r in rows if r["type"] == t)
    for t in set(args.types) & set(LISTS):
        listed = [r for r in rows if r["type"] == t]
        if listed:
            rates[t].update({k: round(sum(r[k] for r in listed) / len(listed), 3) for k in ("recall", "precision")})
    args.out.write_text(json.dumps({**provenance(), "set": args.set, "rates": rates, "questions": rows}, indent=1) + "\n")
    print(json.dumps(rates))


if __name__ == "__main__":
    main()
