"""Which talks the model lists for the seen questions that reach a list prompt, against their gold talks.

Usage (``TALKQA_DATA_DIR`` as for `talkqa ask`; ingest first):
    .venv/bin/python bench/list_prompt.py select --out ids.json
    .venv/bin/python bench/list_prompt.py answer --ids ids.json --out docs/results/list-prompt-NAME-DATE.json

``select`` (no generation) asks every open-ended one-turn question of the seen sets (all but ``--blind``) through the
chain with a chat model that replies "[1]" and records its prompts: the questions whose prompt is a list prompt
(prompts/answer_user_list.txt or answer_user_which_talk.txt; the record scan and the absent-word abstention answer the
others without one). ``answer`` (under the CPU lock: it generates) asks those questions end to end with this
checkout's code and records, per question, the talks cited and the gold talks, so the list's recall and precision of
gold talks can be counted (the gold talks, not a score the product decides with). Run it from each checkout of a
paired comparison.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from langchain_core.language_models.fake_chat_models import FakeListChatModel  # noqa: E402

from app.core.config import Settings  # noqa: E402
from app.retrieval.question_kinds import is_open_ended  # noqa: E402
from app.service import Service  # noqa: E402
from bench.provenance import write_result  # noqa: E402
from bench.restate import one_turn_questions  # noqa: E402
from eval import metrics as M  # noqa: E402
from eval.answers import asked_as_a_user  # noqa: E402
from eval.dataset import QUESTION_SETS  # noqa: E402

#: The list prompts' closing instruction (both open with "Reply only with the number").
LIST_PROMPT_MARK = "Reply only with the number"


class _PromptSpy(FakeListChatModel):
    """A chat model that replies "[1]" and keeps the last message of every prompt it is given."""

    prompts: list = []

    def _call(self, messages, *args, **kwargs):
        self.prompts.append(messages[-1].content)
        return super()._call(messages, *args, **kwargs)

    def _stream(self, messages, *args, **kwargs):
        self.prompts.append(messages[-1].content)
        yield from super()._stream(messages, *args, **kwargs)


def _seen_sets(blind: list[str]) -> list[str]:
    return sorted(set(QUESTION_SETS) - set(blind))


def select(args) -> None:
    service = Service(Settings())
    spy = _PromptSpy(responses=["[1]"], prompts=[])
    chain, chosen = service.answer_chain(llm=spy), []
    for name, q in one_turn_questions(service, _seen_sets(args.blind)):
        if not is_open_ended(q.question):
            continue
        spy.prompts.clear()
        chain.invoke(q.question)
        if any(LIST_PROMPT_MARK in p for p in spy.prompts):
            chosen.append({"set": name, "id": q.id, "type": q.type})
    write_result(args.out, {"blind": args.blind, "questions": chosen})


def answer(args) -> None:
    chosen = {(c["set"], c["id"]) for c in json.loads(args.ids.read_text(encoding="utf-8"))["questions"]}
    service = Service(Settings())
    chain, rows = service.answer_chain(), []
    for name, q in one_turn_questions(service, _seen_sets([])):
        if (name, q.id) not in chosen:
            continue
        a = asked_as_a_user("ours", chain, q)
        cited = [s.talk.id for s in a.sources if s.n in a.cited] if not a.abstained else []
        rows.append({"set": name, "id": q.id, "type": q.type, "gold": list(q.gold_talks), "cited": cited,
                     "declined": a.abstained,
                     "key_facts_by_words": M.key_fact_coverage(q.key_facts, a.answer, a.abstained, M.states_by_words)
                     if q.answerable and q.key_facts else None})
        print(name, q.id, len(set(cited) & set(q.gold_talks)), "of", len(q.gold_talks), file=sys.stderr)
    write_result(args.out, {"summary": summary(rows), "rows": rows})


def summary(rows: list[dict]) -> dict:
    """Over the answerable rows: mean recall of gold talks, mean precision (answers citing any talk), key facts by
    words summed, and how many talks each list cites; over the unanswerable ones: how many were declined."""
    answerable = [r for r in rows if r["gold"]]
    listing = [r for r in answerable if r["cited"]]
    share = lambda part, whole: len(set(part) & set(whole)) / len(set(whole))  # noqa: E731
    sizes: dict[int, int] = {}
    for r in answerable:
        sizes[len(r["cited"])] = sizes.get(len(r["cited"]), 0) + 1
    return {"answerable": len(answerable), "answerable_declined": sum(r["declined"] for r in answerable),
            "gold_recall": round(sum(share(r["cited"], r["gold"]) for r in answerable) / max(len(answerable), 1), 3),
            "gold_precision": round(sum(share(r["gold"], r["cited"]) for r in listing) / max(len(listing), 1), 3),
            "key_facts_by_words_sum": round(sum(r["key_facts_by_words"] or 0 for r in answerable), 2),
            "talks_cited": dict(sorted(sizes.items())),
            "unanswerable": len(rows) - len(answerable),
            "unanswerable_declined": sum(r["declined"] for r in rows if not r["gold"])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    chooser = commands.add_parser("select", help="the seen questions that reach a list prompt (no generation)")
    chooser.add_argument("--blind", nargs="*", default=["held-out-40"], help="sets not read (not yet run blind)")
    chooser.add_argument("--out", type=Path, required=True)
    asker = commands.add_parser("answer", help="those questions answered end to end by this checkout")
    asker.add_argument("--ids", type=Path, required=True, help="the file `select` wrote")
    asker.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    select(args) if args.command == "select" else answer(args)


if __name__ == "__main__":
    main()
