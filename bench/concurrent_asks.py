"""Benchmark two `talkqa ask` processes generating with the embedded model at once.

Usage (the team's courtesy lock is a different file from the product's, so no deadlock):
    flock /tmp/talkqa-llm.lock .venv/bin/python bench/concurrent_asks.py [--questions 2] [--out FILE.json]

Ingests the seed into bench/out/concurrent-data (if needed), then runs two
workers side by side, each asking its questions one after another with
`talkqa ask --json`, twice: with the machine-wide model lock off
(TALKQA_LLM__PROCESS_LOCK=false, the "before") and on (the default). Per answer
it reports the process wall time (model load included) and the chain's own
total_ms (retrieval + waiting for the model + generation). A benchmark, not a
test: the figures are written as JSON with their provenance (bench/provenance.py) to ``--out``
(default bench/out/concurrent.json; docs/reliability.md names its artefact under docs/results/).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.provenance import write_result  # noqa: E402

QUESTIONS = [
    "How is tropical geometry used to study neural networks?",
    "Which talks discuss the neural tangent kernel?",
    "What is the lottery ticket hypothesis?",
    "How do graph neural networks use positional encodings?",
]


def talkqa(args: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=ROOT, env=env, capture_output=True, text=True)


def worker(name: str, questions: list[str], env: dict, out: list[dict]) -> None:
    for question in questions:
        started = time.perf_counter()
        done = talkqa(["ask", "--json", question], env)
        wall = time.perf_counter() - started
        total_ms = json.loads(done.stdout)["timings"]["total_ms"] if done.returncode == 0 else None
        waited = "waiting for another talkqa process" in done.stderr
        out.append({"worker": name, "question": question, "rc": done.returncode, "wall_s": round(wall, 1),
                    "total_s": round(total_ms / 1000, 1) if total_ms else None, "waited": waited})


def run(mode: str, per_worker: int, env: dict) -> list[dict]:
    env = {**env, "TALKQA_LLM__PROCESS_LOCK": "true" if mode == "lock" else "false"}
    results: list[dict] = []
    threads = [
        threading.Thread(target=worker, args=(f"w{i}", QUESTIONS[i * per_worker : (i + 1) * per_worker], env, results))
        for i in range(2)
    ]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"{mode}: both workers done in {time.perf_counter() - started:.1f} s", flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=2, help="questions per worker (at most 2)")
    parser.add_argument("--modes", default="no-lock,lock")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "concurrent.json")
    opts = parser.parse_args()
    data = ROOT / "bench" / "out" / "concurrent-data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALKQA_")}
    env.update({"TALKQA_DATA_DIR": str(data), "PYTHONPATH": str(ROOT), "TALKQA_LLM__BACKEND": "local"})
    if talkqa(["talks"], env).returncode != 0:
        done = talkqa(["ingest"], env)
        assert done.returncode == 0, done.stderr
    rows, done_s = [], {}
    for mode in opts.modes.split(","):
        started = time.perf_counter()
        for r in run(mode, min(opts.questions, 2), env):
            rows.append({"mode": mode, **r})
        done_s[mode] = round(time.perf_counter() - started, 1)
    print("\n| mode | worker | question | rc | wall s | chain total s | waited |\n|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['mode']} | {r['worker']} | {r['question'][:40]} | {r['rc']} | {r['wall_s']} | {r['total_s']} | {r['waited']} |")
    modes = {}
    for mode in opts.modes.split(","):
        walls = [r["wall_s"] for r in rows if r["mode"] == mode]
        modes[mode] = {"mean_wall_s": round(statistics.mean(walls), 1), "max_wall_s": max(walls), "both_workers_done_s": done_s[mode]}
        print(f"{mode}: mean wall {statistics.mean(walls):.1f} s, max {max(walls):.1f} s over {len(walls)} answers")
    write_result(opts.out, {"load_average_end": os.getloadavg(), "modes": modes, "rows": rows})


if __name__ == "__main__":
    main()
