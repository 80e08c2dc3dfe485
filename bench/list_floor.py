"""What a floor on the cross-encoder's logit would leave of stored list answers (no generation).

Usage (``TALKQA_DATA_DIR`` as for `talkqa ask`; ingest first):
    .venv/bin/python bench/list_floor.py --answers docs/results/list-prompt-after-2026-12-06.json \
        --out docs/results/list-floor-scores-2026-12-06.json

``--answers`` is a file `bench/list_prompt.py answer` wrote: per question, the talks the model listed and the gold
talks. Each question is prepared again by this checkout's chain up to its prompt (retrieval, the list's logits:
app/answer/list_floor.py; a chat model that replies "[1]" stands in, and none is called for a one-turn list), and
the listed talks go through ``drop_weak_choices`` at each ``--floors`` value. Recall and precision of gold talks, as
bench/list_prompt.py counts them, are reported per floor; the rows keep each listed talk's logit. The model's choice
is the stored one, so this reads the floor alone, not a new answer.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from langchain_core.language_models.fake_chat_models import FakeListChatModel  # noqa: E402

from app.answer.list_floor import drop_weak_choices  # noqa: E402
from app.answer.result import Answer  # noqa: E402
from app.answer.state import AnswerState  # noqa: E402
from app.core.config import Settings  # noqa: E402
from app.core.text import cited_numbers  # noqa: E402
from app.service import Service  # noqa: E402
from bench.list_prompt import summary  # noqa: E402
from bench.provenance import write_result  # noqa: E402
from bench.restate import one_turn_questions  # noqa: E402


def kept_at(state: AnswerState, cited: list[str], floor: float) -> list[str]:
    """The listed talks (ids) ``drop_weak_choices`` keeps at ``floor``, of a reply naming ``cited`` in source order."""
    by_id = {s.talk.id: s for s in state.sources}
    reply = "".join(f"[{by_id[t].n}]" for t in cited if t in by_id)
    kept = drop_weak_choices(Answer(question=state.question, query=state.query, answer=reply, sources=list(state.sources)), floor)
    numbers = set(cited_numbers(kept.answer))
    return [s.talk.id for s in state.sources if s.n in numbers]


def floor_summary(rows: list[dict]) -> dict:
    """``bench/list_prompt.summary`` without the key facts: the stored answers' texts are not rebuilt here."""
    counts = summary(rows)
    del counts["key_facts_by_words_sum"]
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=Path, required=True, help="a file `bench/list_prompt.py answer` wrote")
    parser.add_argument("--floors", type=float, nargs="+", default=[-11, -10, -9, -8, -7])
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    stored = {(r["set"], r["id"]): r for r in json.loads(args.answers.read_text(encoding="utf-8"))["rows"]}
    service = Service(Settings())
    chain = service.answer_chain(llm=FakeListChatModel(responses=["[1]"]))
    by_floor: dict[float, list[dict]] = {f: [] for f in args.floors}
    rows = []
    for name, q in one_turn_questions(service, sorted({s for s, _ in stored})):
        row = stored.get((name, q.id))
        if row is None:
            continue
        state = chain.prepare().invoke(AnswerState.start(q.question))
        for floor in args.floors:
            by_floor[floor].append({**row, "cited": kept_at(state, row["cited"], floor)})
        rows.append({"set": name, "id": q.id, "gold": row["gold"], "declined": row["declined"],
                     "talks": [{"id": s.talk.id, "logit": s.talk_relevance, "listed": s.talk.id in row["cited"]} for s in state.sources]})
        print(name, q.id, file=sys.stderr)
    write_result(args.out, {"answers": str(args.answers), "by_floor": {str(f): floor_summary(r) for f, r in by_floor.items()},
                            "rows": rows})


if __name__ == "__main__":
    main()
