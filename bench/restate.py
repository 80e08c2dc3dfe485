"""What restating a question below the relevance floor changes, per threshold (app/answer/restate.py).

Usage (under the CPU lock: it generates; ingest first, ``TALKQA_DATA_DIR`` as for `talkqa ask`):
    .venv/bin/python bench/restate.py --sets held-out-22 held-out-23 --out docs/results/restate-DATE.json

Every question without a conversation history of the chosen sets whose relevance as typed is below
``rerank.abstain_threshold`` (declined without the model before the restatement step) is asked end to end with
``rerank.restated_threshold`` at the lowest of ``--thresholds``. Per question: whether its restatement's talks were
used (``restated``: the query differs from the question; a restatement below the lowest threshold, or none, is not
told apart), the restatement and its relevance (the first source's) when used, declined or not, the gold talks cited and key facts by words (eval/metrics.py). A question whose
restatement's relevance is below a higher threshold would have been declined there, as before: so ``by_threshold``
gives, for each threshold, how many answerable questions are answered from their restatement's talks (with a key
fact, citing the gold talk) and how many unanswerable ones are, from the one run. Questions answered without the step
(a list read off the records) are in ``rows`` but not counted there.

``--absent`` asks instead, with the shipped settings, every such question that the absent-word rule reads a word of
as absent (each was declined naming the word before the restatement rechecked it): per question, the words, whether
the answer still names a word as absent, declined or not, the gold talks cited and key facts by words.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.answer.context import abstain_early  # noqa: E402
from app.answer.state import AnswerState  # noqa: E402
from app.core.config import Settings  # noqa: E402
from app.service import Service  # noqa: E402
from bench.provenance import write_result  # noqa: E402
from eval import metrics as M  # noqa: E402
from eval.dataset import QUESTION_SETS, attach_gold, load_questions  # noqa: E402

THRESHOLDS = (-6.5, -5.0, -4.0, -3.0, -2.0)


def graded(q, a) -> dict:
    """What every row of these benches records of one answer ``a`` to question ``q``: declined or not, the gold talks
    cited (all of them, and both id lists, for a list's recall and precision), key facts by words (eval/metrics.py)
    and the answer."""
    cited = {a.sources[n - 1].talk.id for n in a.cited if 0 < n <= len(a.sources)}
    return {"declined": a.abstained, "gold_cited": not a.abstained and bool(q.gold_talks) and set(q.gold_talks) <= cited,
            "gold_talks": sorted(q.gold_talks or []), "cited_talks": sorted(cited) if not a.abstained else [],
            "key_facts_by_words": M.key_fact_coverage(q.key_facts, a.answer, a.abstained, M.states_by_words) if q.answerable else None,
            "answer": a.answer}


def ask(q, chain) -> dict:
    """One question end to end, as a row of the result."""
    a = chain.invoke(q.question)
    restated = a.query != q.question
    relevance = a.sources[0].relevance if restated and a.sources else None
    return {"id": q.id, "type": q.type, "answerable": q.answerable, "restated": restated,
            "query": a.query if restated else None, "relevance": None if relevance is None else round(relevance, 3), **graded(q, a)}


def chosen_questions_parser(description: str) -> argparse.ArgumentParser:
    """The arguments of a bench that asks chosen seen questions: the sets, the ids, why those, and the result file."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--sets", nargs="+", choices=sorted(QUESTION_SETS), required=True)
    parser.add_argument("--ids", nargs="+", required=True, help="the questions to ask (ids of the chosen sets)")
    parser.add_argument("--selection", default="", help="how the ids were picked (recorded in the result)")
    parser.add_argument("--out", type=Path, required=True)
    return parser


def seen_sets_parser(description: str) -> argparse.ArgumentParser:
    """The arguments of a bench over every registered set but the blind ones: the sets left out, and the result file."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--exclude", nargs="*", default=[], help="sets left out (blind ones)")
    parser.add_argument("--out", type=Path, required=True)
    return parser


def one_turn_questions(service, sets: list[str], ids: list[str] | None = None, *, conversations: bool = False):
    """(set name, question) for each one-turn question of ``sets`` (only those named in ``ids``, when given; with
    ``conversations``, the follow-ups too), its gold talks attached."""
    catalog = service.store.catalog()
    for name in sets:
        questions = [q for path in QUESTION_SETS[name] for q in load_questions(path)
                     if (conversations or not q.history) and (ids is None or q.id in ids)]
        attach_gold(questions, catalog)
        yield from ((name, q) for q in questions)


def answered_counts(answered: list[dict]) -> dict:
    """How many of these answered rows are answerable (with a key fact, citing the gold talk) and how many unanswerable."""
    return {"answerable_answered": sum(r["answerable"] for r in answered),
            "answerable_with_key_fact": sum(bool(r["answerable"] and r["key_facts_by_words"]) for r in answered),
            "answerable_gold_cited": sum(r["answerable"] and r["gold_cited"] for r in answered),
            "unanswerable_answered": sum(not r["answerable"] for r in answered)}


def by_threshold(rows: list[dict], thresholds) -> dict:
    """Per threshold: what the rows would be with it (a restatement below it: declined, as without the step)."""
    return {str(t): answered_counts([r for r in rows if not r["declined"] and r["relevance"] is not None and r["relevance"] >= t])
            for t in thresholds}


def absent_words(args) -> None:
    """``--absent``: each question with a word read as absent, end to end with the shipped chain."""
    service = Service(Settings())
    chain, rows = service.answer_chain(), []
    for name in args.sets:
        questions = [q for path in QUESTION_SETS[name] for q in load_questions(path) if not q.history]
        attach_gold(questions, service.store.catalog())
        for q in questions:
            start = AnswerState.start(q.question).with_query(q.question)
            absent = start.with_absent(chain.retriever.lexical, chain.english.is_everyday).absent
            if absent:
                row = ask(q, chain)
                rows.append({"set": name, "absent": list(absent), "still_absent": row["answer"].startswith("The talks in this "
                             "collection don't mention"), **row})
                print(name, q.id, absent, "declined" if row["declined"] else "answered", file=sys.stderr)
    count = lambda answerable, key: sum(r["answerable"] == answerable and bool(r[key]) for r in rows)  # noqa: E731
    summary = {kind: {"questions": sum(r["answerable"] == answerable for r in rows), "still_absent": count(answerable, "still_absent"),
                      "declined": count(answerable, "declined")} for kind, answerable in (("answerable", True), ("unanswerable", False))}
    summary["answerable"]["with_key_fact"] = sum(bool(r["answerable"] and r["key_facts_by_words"]) for r in rows)
    summary["answerable"]["gold_cited"] = count(True, "gold_cited")
    write_result(args.out, {"summary": summary, "rows": rows})
    print(summary)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", choices=sorted(QUESTION_SETS), required=True)
    parser.add_argument("--thresholds", nargs="+", type=float, default=list(THRESHOLDS))
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--absent", action="store_true", help="the questions with a word read as absent, shipped settings")
    args = parser.parse_args()
    if args.absent:
        return absent_words(args)
    base = Settings()
    rerank = base.rerank.model_copy(update={"restated_threshold": min(args.thresholds)})
    service = Service(base.model_copy(update={"rerank": rerank}))
    retriever, chain = service.retriever(), service.answer_chain()
    rows, counts = [], {}
    for name in args.sets:
        questions = [q for path in QUESTION_SETS[name] for q in load_questions(path) if not q.history]
        attach_gold(questions, service.store.catalog())
        counts[name] = {"answerable": sum(q.answerable for q in questions), "unanswerable": sum(not q.answerable for q in questions)}
        for q in questions:
            scores = [(d.metadata["dense"], d.metadata.get("question_relevance")) for d in retriever.invoke(q.question)]
            if abstain_early(scores, base):
                rows.append({"set": name, **ask(q, chain)})
                print(name, q.id, rows[-1]["relevance"], "declined" if rows[-1]["declined"] else "answered", file=sys.stderr)
    below = {kind: sum(r["answerable"] == answerable for r in rows) for kind, answerable in (("answerable", True), ("unanswerable", False))}
    write_result(args.out, {"floor": base.rerank.abstain_threshold, "questions": counts, "below_floor": below,
                            "by_threshold": by_threshold(rows, args.thresholds), "rows": rows})
    print(below, by_threshold(rows, args.thresholds))


if __name__ == "__main__":
    main()
