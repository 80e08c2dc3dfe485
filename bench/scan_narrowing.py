"""What narrowing a record scan to the talks closest to the question does to list answers, no generation.

Usage (``TALKQA_DATA_DIR`` as for `talkqa ask`; ingest first):
    .venv/bin/python bench/scan_narrowing.py --exclude held-out-55 --out docs/results/scan-narrowing-2026-12-07.json

For every one-turn list question of the registered sets (multi_talk, counting, and unanswerable questions that list
talks; a question in several sets once) that the record scan answers (app/retrieval/record_terms.py,
app/retrieval/record_scan.py): the talks the scan lists, each with its gold flag and its cross-encoder logit for the
question (``TalkRetriever.talk_relevances``), and whether the question narrows its term
(app/answer/narrowed_scan.py). Then, for each margin and least scan length of the grid, the mean recall and
precision of gold talks over the answerable questions if ``closest_matches`` narrowed their scans, on two halves of
the sets split by a hash of the set name: ``tune`` (choose there) and ``report``. The logits come from the product's
own judge, so the figures read the cut, not an answer; a list the scan does not answer goes to the model and is not
here.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.answer.aggregate import MATCH_THE_QUESTION, listed_what  # noqa: E402
from app.answer.narrowed_scan import closest_matches, narrows_the_term  # noqa: E402
from app.core.config import Settings  # noqa: E402
from app.retrieval.question_kinds import lists_talks  # noqa: E402
from app.retrieval.record_scan import scan_records  # noqa: E402
from app.retrieval.record_terms import record_condition  # noqa: E402
from app.service import Service  # noqa: E402
from bench.provenance import write_result  # noqa: E402
from bench.restate import seen_sets_parser  # noqa: E402
from eval.dataset import QUESTION_SETS, attach_gold, load_questions  # noqa: E402

MARGINS = (3.0, 4.0, 5.0, 6.0, 7.0, 8.0)
LEAST = (4, 6, 9, 12)
#: No scan of the seen questions is longer (the catalog has 210 talks): the bound does not bind here.
MOST = 10_000


def half(set_name: str) -> str:
    """"tune" or "report", fixed by the set's name (an md5 bit), so a new set falls in a half without a choice."""
    return "tune" if int(hashlib.md5(set_name.encode()).hexdigest(), 16) % 2 == 0 else "report"


def scanned_questions(service: Service, exclude: set[str]) -> list[dict]:
    """One row per scanned list question: its matches with gold flags and logits."""
    retriever = service.retriever()
    catalog = retriever.latest_catalog()
    rows, seen = [], set()
    for name, paths in QUESTION_SETS.items():
        if name in exclude:
            continue
        questions = [q for path in paths for q in load_questions(path) if not q.history]
        attach_gold(questions, catalog)
        for q in questions:
            listing = q.type in ("multi_talk", "counting") or (q.type == "unanswerable" and lists_talks(q.question))
            if q.id in seen or not listing:
                continue
            seen.add(q.id)
            condition = record_condition(q.question)
            scan = scan_records(catalog, condition) if condition else None
            if scan is None or not scan.matches:
                continue
            logits = retriever.talk_relevances(q.question, [m.talk for m in scan.matches])
            asked = listed_what(q.question)
            asked = None if asked == MATCH_THE_QUESTION else asked
            rows.append({"set": name, "half": half(name), "id": q.id, "type": q.type, "condition": condition.describe(),
                         "asked": asked, "narrows": narrows_the_term(asked, scan), "gold": len(q.gold_talks),
                         "matches": [{"talk": m.talk.id, "gold": m.talk.id in q.gold_talks, "logit": round(float(x), 3)}
                                     for m, x in zip(scan.matches, logits)],
                         "_scan": scan, "_question": q.question})
    return rows


def kept(row: dict, margin: float | None, least: int) -> list[dict]:
    """The row's matches ``closest_matches`` keeps at ``margin`` and ``least``, from the stored logits."""
    logit = {m["talk"]: m["logit"] for m in row["matches"]}
    narrowed = closest_matches(row["_question"], row["asked"], row["_scan"], lambda _q, talks: [logit[t.id] for t in talks],
                               margin, least, MOST)
    ids = {m.talk.id for m in narrowed.scan.matches} if narrowed else set(logit)
    return [m for m in row["matches"] if m["talk"] in ids]


def scores(rows: list[dict], margin: float | None, least: int) -> dict:
    """Mean recall and precision of gold talks over the answerable rows, and the gold and other talks left out."""
    answerable = [r for r in rows if r["gold"]]
    recall = precision = 0.0
    lost = dropped = 0
    for r in answerable:
        keep = kept(r, margin, least)
        gold = sum(m["gold"] for m in keep)
        recall += gold / r["gold"]
        precision += gold / len(keep)
        lost += sum(m["gold"] for m in r["matches"]) - gold
        dropped += len(r["matches"]) - len(keep) - (sum(m["gold"] for m in r["matches"]) - gold)
    n = len(answerable)
    return {"questions": n, "recall": round(recall / n, 3), "precision": round(precision / n, 3),
            "gold_left_out": lost, "others_left_out": dropped}


def main() -> None:
    args = seen_sets_parser(__doc__.splitlines()[0]).parse_args()
    service = Service(Settings())
    rows = scanned_questions(service, set(args.exclude))
    rerank = service.settings.rerank
    result: dict = {"excluded": args.exclude, "configured": {"margin": rerank.scan_margin, "least": rerank.scan_narrowing_from}}
    for name in ("tune", "report"):
        part = [r for r in rows if r["half"] == name]
        result[name] = {"none": scores(part, None, 2),
                        "grid": [{"least": least, "margin": margin, **scores(part, margin, least)}
                                 for least in LEAST for margin in MARGINS],
                        "configured": scores(part, rerank.scan_margin, rerank.scan_narrowing_from)}
        print(name, "none", result[name]["none"], "configured", result[name]["configured"])
    result["questions"] = [{k: v for k, v in r.items() if not k.startswith("_")}
                           | {"kept": [m["talk"] for m in kept(r, rerank.scan_margin, rerank.scan_narrowing_from)]}
                           for r in rows]
    write_result(args.out, result)


if __name__ == "__main__":
    main()
