"""Candidate (sentence, passage) pairs for hand labelling, drawn from the answers of an eval run.

Usage:
    .venv/bin/python bench/candidate_pairs.py RUN_DIR > candidates.jsonl

``RUN_DIR`` is a ``talkqa eval --out`` folder; its ``cache/answers.jsonl`` holds both systems'
answers with the passages each model read. Every answer sentence becomes one candidate, paired
with what the LLM judge reads for it in a run (eval/scoring.py): the passages it cites, joined.
A sentence that cites nothing (most of the naive baseline's) is paired with the passage of its
answer that shares the most content words with it, so that "is this passage's claim supported?"
can still be asked. ``origin`` says where the pair came from: ``ours`` (markers as the model
wrote them), ``ours-moved`` (attribution replaced or added a marker), ``ours-record`` (a fact read
off the talk record), ``baseline`` (cited) or ``baseline-uncited``.

The candidates carry no label: a person reads each one and adds ``supported`` and ``kind``
(eval/data/judge_pairs_current.jsonl holds the labelled result). The word-overlap pick is not
the product's support formula, so the passage a sentence is paired with does not come from the
score being judged.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.core.text import content_words  # noqa: E402


def origin(system: str, sentence: dict) -> str:
    if system == "baseline":
        return "baseline" if sentence["citations"] else "baseline-uncited"
    if sentence.get("kind") == "record":
        return "ours-record"
    moved = sentence.get("model_citations") is not None and sentence["model_citations"] != sentence["citations"]
    return "ours-moved" if moved else "ours"


def best_overlap(sentence: str, passages: list[dict]) -> dict | None:
    words = set(content_words(sentence))
    return max(passages, key=lambda p: len(words & set(content_words(p["text"]))), default=None)


def candidates(record: dict) -> list[dict]:
    """One candidate per claim of an answer that did not abstain."""
    if record["abstained"]:
        return []
    by_n = {p["n"]: p for p in record["passages"]}
    found = []
    for i, sentence in enumerate(record["sentences"]):
        if sentence.get("kind", "claim") == "absence":
            continue
        cited = [by_n[n] for n in sentence["citations"] if n in by_n]
        if not cited:
            best = best_overlap(sentence["text"], record["passages"])
            cited = [best] if best else []
        if not cited:
            continue
        found.append({
            "id": f"{record['qid']}-{record['system']}-{i}",
            "qid": record["qid"],
            "system": record["system"],
            "origin": origin(record["system"], sentence),
            "sentence": sentence["text"],
            "passage": "\n\n".join(p["text"] for p in cited),
            "talk_ids": [p["talk_id"] for p in cited],
        })
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_dir", type=Path)
    args = parser.parse_args()
    path = args.run_dir / "cache" / "answers.jsonl"
    if not path.exists():
        raise SystemExit(f"error: {path} not found (a `talkqa eval --out {args.run_dir}` folder?)")
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            for candidate in candidates(json.loads(line)):
                print(json.dumps(candidate, ensure_ascii=False))


if __name__ == "__main__":
    main()
