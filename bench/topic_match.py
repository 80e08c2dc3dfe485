"""What the topic-match reading of record questions does (app/answer/topic_doubt.py, ``read_topic_match`` of
app/answer/record_look.py): which questions it reads, what the model reads, and the answers it turns into declines.

Usage (under the CPU lock: it generates; ingest first, ``TALKQA_DATA_DIR`` as for `talkqa ask`):
    .venv/bin/python bench/topic_match.py --sets dev held-out ... held-out-45 --out docs/results/topic-match-DATE.json

Every one-turn question of the sets about one talk's record (``asks_about_record``) goes through the chain's steps
before the answer with the shipped settings; the rows are the questions with a rare topic word source [1] lacks
(``doubted_words``), with whether the chain abstains before the model anyway, and otherwise the model's one-word reading
of source [1]. A question read "no" is declined by the shipped chain; it is also asked with
``retrieval.record_topic_match`` off (paired, the same process), which is the answer the reading replaced. A question
read "yes" is answered as without the reading, so it is not asked. Grading as the other answer benches
(``bench.restate.graded``), and whether source [1] is a gold talk.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.answer.chain import AnswerChain  # noqa: E402
from app.answer.record_refusal import asks_about_record  # noqa: E402
from app.answer.state import AnswerState  # noqa: E402
from app.answer.topic_doubt import doubted_words  # noqa: E402
from app.core.config import Settings  # noqa: E402
from app.service import Service  # noqa: E402
from bench.provenance import write_result  # noqa: E402
from bench.restate import graded, one_turn_questions  # noqa: E402
from eval.dataset import QUESTION_SETS  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", choices=sorted(QUESTION_SETS), required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    service = Service(Settings())
    chain = service.answer_chain()
    off = chain.settings.model_copy(update={"retrieval": chain.settings.retrieval.model_copy(update={"record_topic_match": False})})
    without = AnswerChain(off, chain.retriever, chain.llm, chain.embeddings)
    prepare, rows, considered = chain.prepare(), [], 0
    for name, q in one_turn_questions(service, args.sets):
        if not asks_about_record(q.question):
            continue
        considered += 1
        state = prepare.invoke(AnswerState.start(q.question))
        if not state.sources:
            continue
        talk = state.sources[0].talk
        words = doubted_words(q.question, f"{talk.title}\n{talk.text}", chain.english.is_everyday)
        if not words:
            continue
        row = {"set": name, "id": q.id, "type": q.type, "answerable": q.answerable, "doubted": list(words),
               "first_is_gold": talk.id in q.gold_talks, "reading": state.topic_match,
               "abstains_anyway": state.topic_match is None and chain._abstains(state)}
        if state.topic_match == "no":
            row["without_reading"] = graded(q, without.invoke(q.question))
        rows.append(row)
        print(name, q.id, row["reading"], file=sys.stderr)
    read = [r for r in rows if r["reading"]]
    kinds = {"unanswerable": lambda r: not r["answerable"], "answerable, source [1] gold": lambda r: r["answerable"] and r["first_is_gold"],
             "answerable, source [1] not gold": lambda r: r["answerable"] and not r["first_is_gold"]}
    summary = {kind: {"read": sum(map(test, read)), "read_no": sum(test(r) for r in read if r["reading"] == "no"),
                      "read_no_answered_without": sum(test(r) and not r["without_reading"]["declined"] for r in read if r["reading"] == "no")}
               for kind, test in kinds.items()}
    write_result(args.out, {"record_questions": considered, "doubted": len(rows), "read": len(read), "by_kind": summary, "rows": rows})
    print(summary)


if __name__ == "__main__":
    main()
