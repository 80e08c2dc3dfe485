"""What the off-topic check (app/answer/offtopic.py) adds to an answer's checks, in the real chain, without the LLM.

Usage (no chat model; MiniLM and the cross-encoder only):
    nice -n 5 .venv/bin/python bench/guard_cost.py --out docs/results/guard-cost-2026-12-03.json

For each answerable dev question of a few types, retrieval runs as the product runs it (its sentences embedded and
file-cached as they would be), then a scripted model "answers" with the first sentence of sources [1] and [2],
cited, and the answer checks run (app/answer/checks.py), timed by the chain (``timings["checks_ms"]``). Each
question is answered with the off-topic check on and off (``guard_answer`` given no embeddings), in alternating
order; the first answer of each question is reported apart (texts the check embeds for the first time), the rest as
the steady state. The issue's budget is the check's own cost per answer (≤ 20 ms p50).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import app.answer.checks as checks  # noqa: E402
from app.answer.guard import guard_answer  # noqa: E402
from app.core.config import Settings  # noqa: E402
from app.index.store import TalkStore  # noqa: E402
from app.models.embeddings import cached_embeddings  # noqa: E402
from app.service import Service  # noqa: E402
from bench.provenance import write_result  # noqa: E402
from eval.dataset import QUESTIONS, load_questions  # noqa: E402
from support.models import scripted  # noqa: E402

TYPES = ("factual", "conceptual", "speaker_bio", "link_reference")


def reply(sources) -> str:
    """A plausible model answer: the first sentence of each of the first two sources, cited to it."""
    return " ".join(f"{s.sentences[0].rstrip('.')} [{s.n}]." for s in sources[:2] if s.sentences)


def checks_ms(service: Service, question: str, text: str, *, off_topic: bool) -> float:
    original = checks.guard_answer
    checks.guard_answer = guard_answer if off_topic else partial(guard_answer, embeddings=None)
    try:
        return service.answer_chain(llm=scripted(text)).invoke(question).timings["checks_ms"]
    finally:
        checks.guard_answer = original


def p50(values: list[float]) -> float:
    return round(statistics.median(values), 2) if values else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=3, help="steady-state answers per question and setting")
    args = parser.parse_args()
    settings = Settings()
    service = Service(settings, store=TalkStore(settings, cached_embeddings(settings)))
    questions = [q for q in load_questions(QUESTIONS) if q.type in TYPES]
    first_on, on, off = [], [], []
    for q in questions:
        text = reply(service.answer_chain(llm=None).ask(q.question).sources)
        if not text:
            continue
        first_on.append(checks_ms(service, q.question, text, off_topic=True))
        for _ in range(args.rounds):
            off.append(checks_ms(service, q.question, text, off_topic=False))
            on.append(checks_ms(service, q.question, text, off_topic=True))
    summary = {"questions": len(first_on), "first_answer_checks_ms_p50": p50(first_on),
               "checks_ms_p50_with_off_topic": p50(on), "checks_ms_p50_without": p50(off),
               "off_topic_added_ms_p50": round(p50(on) - p50(off), 2)}
    print(summary)
    write_result(args.out, {"summary": summary, "first_on": first_on, "on": on, "off": off})


if __name__ == "__main__":
    main()
