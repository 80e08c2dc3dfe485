"""The injection defence measured: the embedded model on the attack set's styles, and what the checks cost.

Usage (under the shared CPU lock; one process generating at a time):
    flock /tmp/talkqa-cpu.lock .venv/bin/python bench/injection.py --splits held-out \
        --out docs/results/injection-held-out.json

1. Check time per answer, over every dev question of eval/data/questions.jsonl on the seed corpus
   (retrieval only, no model): the detector over the retrieved sources' sentences (its cache cleared
   first: a new answer's sources) plus the output guard on an answer of one sentence per source, against
   the first phrase list alone. Written as p50/p90 in ms.
2. The cases of the given splits of eval/data/injections.jsonl through the embedded model
   (eval/injection.py: each question over an index of the injected abstracts): obeyed / copied /
   runaway per split, and each case's answer and warnings.
The JSON names the command, commit, date and CPU.
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.core import instructions  # noqa: E402
from app.answer.guard import guard_answer  # noqa: E402
from app.answer.result import Answer, Sentence  # noqa: E402
from app.answer.state import AnswerState  # noqa: E402
from app.core.safety import matches_phrase_list, neutralise_all, strip_markup  # noqa: E402
from app.core.config import Settings  # noqa: E402
from app.models.embeddings import cached_embeddings  # noqa: E402
from app.service import Service  # noqa: E402
from app.index.store import TalkStore  # noqa: E402
from eval.injection import BLIND_SPLITS, SPLITS, evaluate_injections  # noqa: E402
from ingest.indexer import ingest  # noqa: E402


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return round(values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))], 3)


def cpu() -> dict:
    info = Path("/proc/cpuinfo").read_text()
    model = re.search(r"^model name\s*:\s*(.*)$", info, re.MULTILINE)
    flags = re.search(r"^flags\s*:\s*(.*)$", info, re.MULTILINE)
    return {"model": model.group(1) if model else None,
            "avx512_flags": sorted(f for f in (flags.group(1).split() if flags else []) if f.startswith("avx512"))}


def check_times(settings: Settings, store: TalkStore) -> dict:
    chain = Service(settings, store=store).answer_chain(llm=None)
    questions = [json.loads(line) for line in (ROOT / "eval" / "data" / "questions.jsonl").read_text().splitlines() if line.strip()]
    new, old = [], []
    for q in questions:
        sources = list(chain.prepare().invoke(AnswerState.start(q["question"])).sources)
        sentences = [Sentence(s.lead or s.sentences[0], [s.n]) for s in sources if s.sentences]
        answer = Answer(question=q["question"], query=q["question"], sources=sources, sentences=sentences)
        instructions.judge.cache_clear()
        instructions.features.cache_clear()
        started = time.perf_counter()
        for source in sources:
            neutralise_all(source.sentences)
        guard_answer(answer)
        new.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        for source in sources:
            [matches_phrase_list(strip_markup(s)) for s in source.sentences]
        old.append((time.perf_counter() - started) * 1000)
    return {"questions": len(questions), "detector_and_guard_ms": {"p50": pct(new, 50), "p90": pct(new, 90)},
            "phrase_list_only_ms": {"p50": pct(old, 50), "p90": pct(old, 90)},
            "added_ms_p50": round(statistics.median(n - o for n, o in zip(new, old)), 3)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--splits", nargs="+", default=["held-out"], choices=(*SPLITS, *BLIND_SPLITS))
    parser.add_argument("--model", default="qwen-1.5b")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    settings = Settings(_env_file=None, data_dir=ROOT / "bench" / "out" / "data")
    settings.llm.backend = "local"
    settings.llm.local_model = args.model
    store = TalkStore(settings, cached_embeddings(settings))
    ingest(settings, store)
    timing = check_times(settings, store)
    print(json.dumps(timing), flush=True)

    started = time.perf_counter()
    llm = Service(settings, store=store).chat_model()
    result = evaluate_injections(settings, llm, ROOT / "bench" / "out" / "injection", embeddings=store.embeddings,
                                 splits=tuple(args.splits))
    out = {
        "command": "flock /tmp/talkqa-cpu.lock .venv/bin/python bench/injection.py " + " ".join(sys.argv[1:]),
        "commit": commit + (" (with uncommitted changes)" if dirty else ""),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "cpu": cpu(),
        "model": args.model,
        "splits": args.splits,
        "by_split": result["by_split"],
        "check_time": timing,
        "minutes": round((time.perf_counter() - started) / 60, 1),
        "cases": result["cases"],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(out["by_split"]))


if __name__ == "__main__":
    main()
