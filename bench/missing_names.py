"""The names a question writes that none of its sources contains, over whole question sets, with no model.

Usage (``TALKQA_DATA_DIR`` as for `talkqa ask`; ingest first):
    .venv/bin/python bench/missing_names.py --sets dev held-out --out docs/results/missing-names-DATE.json

Every question about one talk or none (no follow-ups, lists, counts or comparisons) goes through the answer
chain's steps before the model (``AnswerChain.prepare``), as `talkqa ask` would. Per question it records the words
no talk contains (``absent``, app/retrieval/absent_terms.py), the names none of its sources contains (``unfound``,
app/answer/missing_names.py: either makes the chain decline without the model) and the question's relevance (below
``rerank.abstain_threshold`` the floor declines it anyway). Per set: how many answerable questions would be declined
by ``unfound`` (false positives) and how many unanswerable ones, above the floor and not.

``--comparisons`` reads the comparisons instead (every question the chain reads as one that is no list of talks),
which the two rules read since 2026-12-06: per set kind, how many have a word no talk contains or a name none of their
sources contains (``declined``), and how many of those are above the floor.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.answer.state import AnswerState  # noqa: E402
from app.core.config import Settings  # noqa: E402
from app.service import Service  # noqa: E402
from bench.provenance import write_result  # noqa: E402
from eval.dataset import QUESTION_SETS, load_questions  # noqa: E402

ONE_TALK = {"factual", "conceptual", "speaker_bio", "link_reference", "unanswerable", "yes_no"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", choices=sorted(QUESTION_SETS), required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--comparisons", action="store_true", help="read the comparisons that are no list instead")
    args = parser.parse_args()
    settings = Settings()
    prepare = Service(settings).answer_chain(llm=None).prepare()
    floor = settings.rerank.abstain_threshold
    rows = []
    for name in args.sets:
        for path in QUESTION_SETS[name]:
            for q in load_questions(path):
                if q.history or (not args.comparisons and q.type not in ONE_TALK):
                    continue
                # a question without history keeps itself as its query, so its kinds are known before retrieval
                read = AnswerState.start(q.question).with_query(q.question)
                if args.comparisons and not (read.kinds.comparison and not read.lists_talks):
                    continue
                state = prepare.invoke(AnswerState.start(q.question))
                relevance = max((s.relevance for s in state.sources if s.relevance is not None), default=None)
                rows.append({"set": name, "id": q.id, "type": q.type, "answerable": q.answerable, "absent": list(state.absent),
                             "unfound": list(state.unfound), "relevance": relevance})
    summary = {kind: {"questions": sum(r["answerable"] == answerable for r in rows),
                      "unfound": sum(r["answerable"] == answerable and bool(r["unfound"]) for r in rows),
                      "unfound_above_floor": sum(r["answerable"] == answerable and bool(r["unfound"]) and (r["relevance"] or float("-inf")) >= floor
                                                 for r in rows),
                      "declined": sum(r["answerable"] == answerable and bool(r["absent"] or r["unfound"]) for r in rows),
                      "declined_above_floor": sum(r["answerable"] == answerable and bool(r["absent"] or r["unfound"])
                                                  and (r["relevance"] or float("-inf")) >= floor for r in rows)}
               for kind, answerable in (("answerable", True), ("unanswerable", False))}
    write_result(args.out, {"sets": args.sets, "comparisons": args.comparisons, "shipped_floor": floor, "summary": summary,
                            "questions": [r for r in rows if r["unfound"] or (args.comparisons and r["absent"])]})
    print(summary)


if __name__ == "__main__":
    main()
