"""What a floor on the cross-encoder's logit would leave of stored list answers (no generation).

Usage (``TALKQA_DATA_DIR`` as for `talkqa ask`; ingest first):
    .venv/bin/python bench/list_floor.py --answers docs/results/list-prompt-after-2026-12-06.json \
        --out docs/results/list-floor-scores-2026-12-06.json

``--answers`` is a file `bench/list_prompt.py answer` wrote: per question, the talks the model listed and the gold
talks. Each question is prepared again by this checkout's chain up to its prompt (retrieval, the list's logits:
app/answer/list_floor.py; a chat model that replies "[1]" stands in, and none is called for a one-turn list), and
the listed talks go through ``drop_weak_choices`` at each ``--floors`` and ``--margins`` value. Recall and precision
of gold talks, as bench/list_prompt.py counts them, are reported per floor and margin; the rows keep each listed
talk's logit. The model's choice is the stored one, so this reads the cut alone, not a new answer. Each question is
prepared twice, with the configured floor and with none, and the milliseconds the floor's judging adds to a plural
list's preparation are reported (p50, p90): a speed figure only on an idle machine.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from langchain_core.language_models.fake_chat_models import FakeListChatModel  # noqa: E402

from app.answer.chain import AnswerChain  # noqa: E402
from app.answer.list_floor import drop_weak_choices  # noqa: E402
from app.answer.result import Answer  # noqa: E402
from app.answer.state import AnswerState  # noqa: E402
from app.core.config import Settings  # noqa: E402
from app.core.text import cited_numbers  # noqa: E402
from app.retrieval.question_kinds import lists_talks  # noqa: E402
from app.service import Service  # noqa: E402
from bench.list_prompt import summary  # noqa: E402
from bench.provenance import write_result  # noqa: E402
from bench.restate import one_turn_questions  # noqa: E402


def kept_at(state: AnswerState, cited: list[str], floor: float, margin: float) -> list[str]:
    """The listed talks (ids) ``drop_weak_choices`` keeps at ``floor`` and ``margin``, of a reply naming ``cited`` in
    source order."""
    by_id = {s.talk.id: s for s in state.sources}
    reply = "".join(f"[{by_id[t].n}]" for t in cited if t in by_id)
    kept = drop_weak_choices(Answer(question=state.question, query=state.query, answer=reply, sources=list(state.sources)), floor, margin)
    numbers = set(cited_numbers(kept.answer))
    return [s.talk.id for s in state.sources if s.n in numbers]


def timed_prepare(chain, chain_off, question: str, *, first_on: bool) -> tuple[AnswerState, float, float]:
    """The prepared state, and the milliseconds ``prepare`` took with the floor (its extra judging) and without it,
    run one after the other in alternating order (the second run finds the first's embeddings cached, so the order
    alternates across questions)."""
    def run(c) -> tuple[AnswerState, float]:
        started = time.perf_counter()
        state = c.prepare().invoke(AnswerState.start(question))
        return state, (time.perf_counter() - started) * 1000
    if first_on:
        (state, on), (_, off) = run(chain), run(chain_off)
    else:
        (_, off), (state, on) = run(chain_off), run(chain)
    return state, on, off


def floor_summary(rows: list[dict]) -> dict:
    """``bench/list_prompt.summary`` without the key facts (the stored answers' texts are not rebuilt here), with the
    listed talks the cut left out, gold and not gold."""
    counts = summary(rows)
    del counts["key_facts_by_words_sum"]
    left_out = [(t in r["gold"]) for r in rows for t in r["left_out"]]
    return {**counts, "left_out_gold": sum(left_out), "left_out_not_gold": len(left_out) - sum(left_out)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=Path, required=True, help="a file `bench/list_prompt.py answer` wrote")
    parser.add_argument("--floors", type=float, nargs="+", default=[-11, -10, -9, -8, -7])
    parser.add_argument("--margins", type=float, nargs="+", default=[0, 4, 5, 6, 100])
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    stored = {(r["set"], r["id"]): r for r in json.loads(args.answers.read_text(encoding="utf-8"))["rows"]}
    service = Service(Settings())
    chain = service.answer_chain(llm=FakeListChatModel(responses=["[1]"]))
    # The same retriever, models and embedding cache, with no floor: only the cut's own judging differs.
    off = service.settings.model_copy(update={"rerank": service.settings.rerank.model_copy(update={"list_floor": None})})
    chain_off = AnswerChain(off, chain.retriever, chain.llm, chain.embeddings)
    added_ms = []
    by_cut: dict[tuple[float, float], list[dict]] = {(f, m): [] for f in args.floors for m in args.margins}
    rows = []
    for name, q in one_turn_questions(service, sorted({s for s, _ in stored})):
        row = stored.get((name, q.id))
        if row is None:
            continue
        state, ms_on, ms_off = timed_prepare(chain, chain_off, q.question, first_on=len(rows) % 2 == 0)
        if lists_talks(state.query):
            added_ms.append(ms_on - ms_off)
        for floor, margin in by_cut:
            kept = kept_at(state, row["cited"], floor, margin)
            by_cut[floor, margin].append({**row, "cited": kept, "left_out": [t for t in row["cited"] if t not in kept]})
        rows.append({"set": name, "id": q.id, "gold": row["gold"], "declined": row["declined"],
                     "talks": [{"id": s.talk.id, "logit": s.talk_relevance, "listed": s.talk.id in row["cited"]} for s in state.sources]})
        print(name, q.id, file=sys.stderr)
    write_result(args.out, {"answers": str(args.answers), "by_floor_and_margin": {f"{f}/{m}": floor_summary(r) for (f, m), r in by_cut.items()},
                            "prepare_ms_added_by_the_floor": {"plural_lists": len(added_ms),
                                                              "p50": round(statistics.median(added_ms), 1) if added_ms else None,
                                                              "p90": round(statistics.quantiles(added_ms, n=10)[-1], 1) if len(added_ms) > 1 else None},
                            "rows": rows})


if __name__ == "__main__":
    main()
