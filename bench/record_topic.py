"""What the topic search of far record questions does (app/answer/record_topic.py), with and without it, end to end.

Usage (under the CPU lock: it generates; ingest first, ``TALKQA_DATA_DIR`` as for `talkqa ask`):
    .venv/bin/python bench/record_topic.py --sets dev held-out ... held-out-30 --out docs/results/record-topic-DATE.json

The questions are found without the model: every one-turn question of the sets about one talk's record
(``asks_about_record``) that is below the relevance floor as typed while its topic part (``topic_part``) is not, i.e.
every question the step can change. Each is then asked twice with the shipped chain, paired in the same process:
``retrieval.record_topic_search`` off (before) and on (after). Per question and side: declined or not, the gold talks
cited, key facts by words (``bench.restate.graded``), and the query searched for.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.answer.chain import AnswerChain  # noqa: E402
from app.answer.context import too_far  # noqa: E402
from app.answer.record_refusal import asks_about_record  # noqa: E402
from app.answer.record_topic import topic_part  # noqa: E402
from app.core.config import Settings  # noqa: E402
from app.service import Service  # noqa: E402
from bench.provenance import write_result  # noqa: E402
from bench.restate import answered_counts, graded, one_turn_questions  # noqa: E402
from eval.dataset import QUESTION_SETS  # noqa: E402


def changeable(chain: AnswerChain, question: str) -> bool:
    """Can the step change this question: a record question below the floor as typed, its topic part not?"""
    if not asks_about_record(question):
        return False
    far = lambda query: too_far(chain.hits(query, {}), chain.settings)  # noqa: E731
    topic = topic_part(question)
    return bool(topic) and far(question) and not far(topic)


def side(q, chain: AnswerChain) -> dict:
    """One side of the pair: the answer graded, and what was searched for."""
    a = chain.invoke(q.question)
    return {"query": a.query, **graded(q, a)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", choices=sorted(QUESTION_SETS), required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    service = Service(Settings())
    after = service.answer_chain()
    shipped = after.settings
    off = shipped.model_copy(update={"retrieval": shipped.retrieval.model_copy(update={"record_topic_search": False})})
    before = AnswerChain(off, after.retriever, after.llm, after.embeddings)
    rows, considered = [], 0
    for name, q in one_turn_questions(service, args.sets):
        considered += 1
        if not changeable(after, q.question):
            continue
        rows.append({"set": name, "id": q.id, "type": q.type, "answerable": q.answerable, "topic": topic_part(q.question),
                     "before": side(q, before), "after": side(q, after)})
        print(name, q.id, *("declined" if rows[-1][s]["declined"] else "answered" for s in ("before", "after")), file=sys.stderr)
    summary = {s: answered_counts([{**r, **r[s]} for r in rows if not r[s]["declined"]]) for s in ("before", "after")}
    write_result(args.out, {"considered": considered, "changeable": len(rows), **summary, "rows": rows})
    print(summary)


if __name__ == "__main__":
    main()
