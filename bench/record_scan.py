"""The record scan alone against the gold talks of counting questions, no model: `bench/record_scan.py --out F`.

For every counting question (``--types``: and list question) of the chosen sets whose wording gives a literal condition
(app/retrieval/record_terms.py), the condition read, the talks the scan of the whole catalog lists
(app/retrieval/record_scan.py) and how many of them are gold. A record answer is exactly this list,
so a change to the condition rules is checked here in seconds, without the embedded model; questions
the scan does not answer go to the model and are not in the output. It uses the data dir of the
settings (``TALKQA_DATA_DIR``): ingest first.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.core.config import Settings  # noqa: E402
from app.retrieval.record_scan import scan_records  # noqa: E402
from app.retrieval.record_terms import record_condition  # noqa: E402
from app.service import Service  # noqa: E402
from bench.provenance import provenance  # noqa: E402
from eval.dataset import QUESTION_SETS, attach_gold, load_questions  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", choices=sorted(QUESTION_SETS), default=["held-out-6", "held-out-7"])
    parser.add_argument("--types", nargs="+", choices=["counting", "multi_talk"], default=["counting"],
                        help="question types scanned (lists of talks are multi_talk in the later sets)")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    catalog = Service(Settings()).retriever().latest_catalog()
    rows = []
    for name in args.sets:
        questions = [q for path in QUESTION_SETS[name] for q in load_questions(path) if q.type in args.types]
        attach_gold(questions, catalog)
        for q in questions:
            condition = record_condition(q.question)
            listed = [m.talk.id for m in scan_records(catalog, condition).matches] if condition else []
            if not listed:
                continue
            hits = len(set(listed) & set(q.gold_talks))
            rows.append({"set": name, "id": q.id, "type": q.type, "condition": condition.describe(), "gold": len(q.gold_talks),
                         "listed": len(listed), "gold_listed": hits, "exact": set(listed) == set(q.gold_talks)})
    args.out.write_text(json.dumps({**provenance(), "sets": args.sets, "questions": rows}, indent=1) + "\n")
    print(sum(r["exact"] for r in rows), "of", len(rows), "scanned questions exact")


if __name__ == "__main__":
    main()
