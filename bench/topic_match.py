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

With ``--every`` the reading is taken for every record question the chain does not abstain on anyway, doubted or not
(the study of whether to read them all): each row also lists the everyday topic words source [1] lacks
(``everyday_missing``), so that other triggers can be counted from the same artefact; a "no" read for a question the
shipped chain does not read is asked with the shipped chain (the answer such a reading would replace).
``--answerable-sample N`` keeps every unanswerable record question and N answerable ones, drawn with a fixed seed.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.answer.chain import AnswerChain  # noqa: E402
from app.answer.polarity import one_word_polarity  # noqa: E402
from app.answer.record_refusal import asks_about_record  # noqa: E402
from app.answer.state import AnswerState  # noqa: E402
from app.answer.topic_doubt import doubted_words  # noqa: E402
from app.core.config import Settings  # noqa: E402
from app.service import Service  # noqa: E402
from bench.provenance import write_result  # noqa: E402
from bench.restate import graded, one_turn_questions  # noqa: E402
from eval.dataset import QUESTION_SETS  # noqa: E402


def record_questions(service, sets: list[str], answerable_sample: int | None) -> list:
    """(set name, question) for each one-turn record question of ``sets``; with ``answerable_sample``, every unanswerable
    one and that many answerable ones (seed 0), in their sets' order."""
    questions = [(name, q) for name, q in one_turn_questions(service, sets) if asks_about_record(q.question)]
    if answerable_sample is None:
        return questions
    answerable = [pair for pair in questions if pair[1].answerable]
    kept = {id(pair) for pair in random.Random(0).sample(answerable, min(answerable_sample, len(answerable)))}
    return [pair for pair in questions if not pair[1].answerable or id(pair) in kept]


def row_of(name: str, q, chain: AnswerChain, prepare, without: AnswerChain, every: bool) -> dict | None:
    """One question's row: its doubted words, whether the chain abstains anyway, the reading and, on "no", the answer
    the reading replaces; None when it has no source or (without ``every``) nothing doubted."""
    state = prepare.invoke(AnswerState.start(q.question))
    if not state.sources:
        return None
    talk = state.sources[0].talk
    text = f"{talk.title}\n{talk.text}"
    words = doubted_words(q.question, text, chain.english.is_everyday)
    if not words and not every:
        return None
    abstains = state.topic_match is None and chain._abstains(state)
    reading = state.topic_match
    if every and reading is None and not abstains:
        reading = one_word_polarity(chain.llm, chain.prompts.record_match_reading(state))
    row = {"set": name, "id": q.id, "type": q.type, "answerable": q.answerable, "doubted": list(words),
           "everyday_missing": list(doubted_words(q.question, text, lambda w: not chain.english.is_everyday(w))),
           "first_is_gold": talk.id in q.gold_talks, "reading": reading, "read_by_shipped_chain": state.topic_match is not None,
           "abstains_anyway": abstains}
    if reading == "no":  # the answer a "no" replaces: the chain with the step off, or the shipped chain if it did not read
        row["without_reading"] = graded(q, (without if state.topic_match == "no" else chain).invoke(q.question))
    return row


KINDS = {"unanswerable": lambda r: not r["answerable"], "answerable, source [1] gold": lambda r: r["answerable"] and r["first_is_gold"],
         "answerable, source [1] not gold": lambda r: r["answerable"] and not r["first_is_gold"]}


def summary_of(read: list[dict]) -> dict:
    """Per kind of question: how many were read, read "no", and read "no" but answered without the reading."""
    return {kind: {"read": sum(map(test, read)), "read_no": sum(test(r) for r in read if r["reading"] == "no"),
                   "read_no_answered_without": sum(test(r) and not r["without_reading"]["declined"] for r in read if r["reading"] == "no")}
            for kind, test in KINDS.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", choices=sorted(QUESTION_SETS), required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--every", action="store_true", help="read every record question, doubted or not")
    parser.add_argument("--answerable-sample", type=int, help="with --every: all unanswerable, N answerable (seed 0)")
    args = parser.parse_args()
    service = Service(Settings())
    chain = service.answer_chain()
    off = chain.settings.model_copy(update={"retrieval": chain.settings.retrieval.model_copy(update={"record_topic_match": False})})
    without = AnswerChain(off, chain.retriever, chain.llm, chain.embeddings)
    questions = record_questions(service, args.sets, args.answerable_sample if args.every else None)
    prepare, rows = chain.prepare(), []
    for name, q in questions:
        row = row_of(name, q, chain, prepare, without, args.every)
        if row is not None:
            rows.append(row)
            print(name, q.id, row["reading"], file=sys.stderr)
    read = [r for r in rows if r["reading"]]
    result = {"record_questions": len(questions), "doubted": sum(bool(r["doubted"]) for r in rows), "read": len(read),
              "by_kind": summary_of([r for r in read if r["doubted"]])}
    if args.every:
        result["by_kind_undoubted"] = summary_of([r for r in read if not r["doubted"]])
    write_result(args.out, {**result, "rows": rows})
    print({k: v for k, v in result.items() if k.startswith("by_kind")})


if __name__ == "__main__":
    main()
