"""Comparisons, retrieval only: are the two compared talks sources [1] and [2], in the question's order?

Usage (no chat model, no lock needed; a data dir with the seed ingested):
    TALKQA_DATA_DIR=/tmp/sides-data nice -n 19 .venv/bin/python bench/comparison_sides.py \
        --set dev --out docs/results/comparison-sides-dev-after.json

Every question of the set whose type is ``comparison`` goes through the answer chain's steps up to the
prompt (``AnswerChain.prepare``, ``llm=None``: nothing is generated). Per question: the sources in order,
the talks the compare prompt names as its first and second source (read from the prompt's text, so the
same script measures a checkout without per-side retrieval, issue #23), and the talks each side's own
search chose when the subjects were read. The counts:

* ``first_two_in_order``: sources [1] and [2] are the gold talks, in the order of ``gold_lines`` (the
  order the question names them in; for "two talks on X" questions that order is arbitrary);
* ``first_two_any_order``: the same, either order;
* ``compare_sides``: both gold talks are the compare prompt's first and second (0 for a question given
  the plain prompt);
* ``all_gold_in_sources``: every gold talk is among the sources.

Rules are chosen on ``--set dev`` only; ``--set held-out`` reports, once, after the rules are fixed.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.answer.state import AnswerState  # noqa: E402
from app.core.config import Settings  # noqa: E402
from app.index.store import TalkStore  # noqa: E402
from app.models.embeddings import cached_embeddings  # noqa: E402
from app.service import Service  # noqa: E402
from bench.provenance import provenance  # noqa: E402
from eval.dataset import QUESTION_SETS, attach_gold, load_questions  # noqa: E402

#: The compare prompt names its sides as ("title"): prompts/answer_user_compare.txt.
_NAMED = re.compile(r'source \[(\d)\] \("(.*?)"\) says')
COUNTS = ("first_two_in_order", "first_two_any_order", "compare_sides", "all_gold_in_sources")


def compared(state: AnswerState) -> list[str]:
    """The talk ids the compare prompt names as sources [1] and [2]; empty when another prompt was used."""
    text = str(state.messages[-1].content) if state.messages else ""
    titles = {int(n): title for n, title in _NAMED.findall(text)}
    by_n = {s.n: s.talk for s in state.sources}
    return [by_n[n].id for n in sorted(titles) if n in by_n and by_n[n].title == titles[n]]


def row(q, state: AnswerState) -> dict:
    sources = [s.talk.id for s in state.sources]
    sides = compared(state)
    return {
        "id": q.id, "question": q.question, "gold": q.gold_talks, "sources": sources, "compared": sides,
        "side_talks": [t.id for t in getattr(state, "sides", ())],
        "first_two_in_order": sources[:2] == q.gold_talks,
        "first_two_any_order": set(sources[:2]) == set(q.gold_talks),
        "compare_sides": set(sides) == set(q.gold_talks),
        "all_gold_in_sources": all(g in sources for g in q.gold_talks),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--set", choices=sorted(QUESTION_SETS), default="dev")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    settings = Settings()
    store = TalkStore(settings, cached_embeddings(settings))
    questions = [q for path in QUESTION_SETS[args.set] for q in load_questions(path) if q.type == "comparison"]
    attach_gold(questions, store.catalog())
    prepare = Service(settings, store=store).answer_chain(llm=None).prepare()
    rows = [row(q, prepare.invoke(AnswerState.start(q.question))) for q in questions]
    summary = {key: sum(r[key] for r in rows) for key in COUNTS}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({**provenance(), "set": args.set, "questions": len(rows), "summary": summary,
                                    "rows": rows}, indent=1, ensure_ascii=False) + "\n")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
