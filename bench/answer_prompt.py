"""A changed answer prompt against the shipped one, paired question by question (prompts/*.txt).

Usage (under the CPU lock: it generates; ingest first, ``TALKQA_DATA_DIR`` as for `talkqa ask`):
    .venv/bin/python bench/answer_prompt.py --variant answer_system=path/to/answer_system.txt \\
        --sets held-out-25 held-out-26 --out docs/results/answer-prompt-DATE.json

Every question without a conversation history of the chosen sets (``--types`` narrows them) is asked end to end twice
in one process, with one model: with the shipped prompts and with the variant (a copy of prompts/ with the named texts
replaced). The order alternates question by question, so neither prompt always runs first with the model's caches
warm. Per question and prompt: declined or not, the gold talks cited, key facts by words (``bench.restate.graded``:
the gold key facts, not a score the product decides with) and the answer. ``summary`` gives, per type and overall, the
means of both and, for key facts by words, how many questions the variant raised, lowered and left alone.
"""

from __future__ import annotations

import argparse
import copy
import shutil
import sys
import tempfile
from pathlib import Path
from statistics import mean

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.answer.prompting import AnswerPrompts  # noqa: E402
from app.core.config import Settings  # noqa: E402
from app.core.resources import PROMPTS  # noqa: E402
from app.service import Service  # noqa: E402
from bench.provenance import write_result  # noqa: E402
from bench.restate import graded  # noqa: E402
from eval.dataset import QUESTION_SETS, attach_gold, load_questions  # noqa: E402

ARMS = ("shipped", "variant")


def replacements(pairs: list[str]) -> dict[str, Path]:
    """``NAME=FILE`` arguments as prompt name -> file, each name one of prompts/*.txt."""
    out = {name: Path(source) for name, _, source in (pair.partition("=") for pair in pairs)}
    unknown = [name for name in out if not (PROMPTS / f"{name}.txt").exists()]
    if unknown:
        raise SystemExit(f"no prompt named {unknown[0]!r} in prompts/")
    return out


def variant_prompts(replaced: dict[str, Path], into: Path) -> Path:
    """A copy of prompts/ in ``into`` with each replaced prompt's text from its file."""
    shutil.copytree(PROMPTS, into, dirs_exist_ok=True)
    for name, source in replaced.items():
        shutil.copyfile(source, into / f"{name}.txt")
    return into


def summary(rows: list[dict]) -> dict:
    """Per type and overall: declined, gold cited and mean key facts by words of each arm, and the paired changes."""
    def of(group: list[dict]) -> dict:
        answerable = [r for r in group if r["answerable"]]
        out = {"n": len(group)}
        for arm in ARMS:
            out[arm] = {"declined": sum(r[arm]["declined"] for r in group),
                        "gold_cited": sum(r[arm]["gold_cited"] for r in answerable),
                        "key_facts_by_words": round(mean(r[arm]["key_facts_by_words"] for r in answerable), 3) if answerable else None}
        changes = [r["variant"]["key_facts_by_words"] - r["shipped"]["key_facts_by_words"] for r in answerable]
        out["key_facts_raised"] = sum(c > 0 for c in changes)
        out["key_facts_lowered"] = sum(c < 0 for c in changes)
        return out
    types = sorted({r["type"] for r in rows})
    return {"all": of(rows), **{t: of([r for r in rows if r["type"] == t]) for t in types}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", nargs="+", required=True, metavar="NAME=FILE", help="prompt texts to replace")
    parser.add_argument("--sets", nargs="+", choices=sorted(QUESTION_SETS), required=True)
    parser.add_argument("--types", nargs="+", help="only these question types (e.g. conceptual unanswerable)")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    replaced = replacements(args.variant)
    service = Service(Settings())
    shipped = service.answer_chain()
    variant = copy.copy(shipped)
    with tempfile.TemporaryDirectory() as tmp:
        variant.prompts = AnswerPrompts.load(variant_prompts(replaced, Path(tmp)))
    chains = {"shipped": shipped, "variant": variant}
    rows = []
    for name in args.sets:
        questions = [q for path in QUESTION_SETS[name] for q in load_questions(path)
                     if not q.history and (not args.types or q.type in args.types)]
        attach_gold(questions, service.store.catalog())
        for q in questions:
            order = ARMS if len(rows) % 2 == 0 else ARMS[::-1]
            row = {"set": name, "id": q.id, "type": q.type, "answerable": q.answerable}
            for arm in order:
                row[arm] = graded(q, chains[arm].invoke(q.question))
            rows.append(row)
            print(name, q.id, q.type, *(f"{arm}={row[arm]['key_facts_by_words']}" for arm in ARMS), file=sys.stderr)
    texts = {name: source.read_text(encoding="utf-8") for name, source in replaced.items()}
    totals = summary(rows)
    write_result(args.out, {"variant": texts, "summary": totals, "rows": rows})
    print(totals["all"])


if __name__ == "__main__":
    main()
