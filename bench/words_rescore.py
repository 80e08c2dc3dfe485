"""Add the key facts by words to a run folder written before `talkqa eval` graded them (code older than 2026-12-05).

Usage (no model, no CPU lock):
    .venv/bin/python bench/words_rescore.py RUN_DIR

Reads RUN_DIR/results.jsonl (each question's key facts and each system's answer) and writes RUN_DIR/scores.jsonl
again with ``key_fact_coverage_words`` added to each system's metrics, graded exactly as `talkqa eval` grades it
today (``eval.metrics.states_by_words``), so `talkqa eval-compare OLD NEW` can pair an old run's answers with a new
run's on it. Nothing else in the scores changes.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eval import metrics as M  # noqa: E402
from eval.report import score_rows  # noqa: E402


def with_words(row: dict) -> dict:
    """The result row with each answered system's ``key_fact_coverage_words``."""
    for system in row["systems"].values():
        answer = system.get("answer")
        if answer is not None:
            system.setdefault("metrics", {})["key_fact_coverage_words"] = M.key_fact_coverage(
                row["key_facts"], answer["answer"], answer["abstained"], M.states_by_words)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path)
    run = parser.parse_args().run
    rows = [with_words(json.loads(line)) for line in (run / "results.jsonl").read_text(encoding="utf-8").splitlines() if line]
    (run / "scores.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in score_rows(rows)),
                                      encoding="utf-8")
    print(f"{run / 'scores.jsonl'}: {len(rows)} questions")


if __name__ == "__main__":
    main()
