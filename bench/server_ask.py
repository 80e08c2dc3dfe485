"""One-off `talkqa ask` through a running server against the server's own warm figure, on new questions.

Usage (generates with the embedded model: run it alone on the machine):
    flock /tmp/talkqa-cpu.lock .venv/bin/python bench/server_ask.py [--questions 12]

Issue 24's goal: a one-off ``talkqa ask`` through a running ``talkqa serve`` finishes within 10 % of
the warm in-process answer. ``bench/cli.py`` asks one question again and again, so the server's
context already holds that prompt; here every question is a different answerable dev question
(eval/data/questions.jsonl), as a user's would be. For each, one whole ``talkqa ask --json``
process is timed from start to exit, and the answer's own ``timings.total_ms`` is the time the
warm server spent on it: the two come from the same answer, so the ratio is paired.

Writes bench/out/server-ask.json (command, commit, date, CPU and every question's times).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from itertools import zip_longest
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from cli import DATA, TALKQA, env  # noqa: E402
from provenance import provenance  # noqa: E402

OUT = ROOT / "bench" / "out"
PORT = "8766"


def dev_questions(n: int) -> list[str]:
    """``n`` answerable dev questions, the types taken in turn (each type's questions in file order)."""
    rows = [json.loads(line) for line in (ROOT / "eval" / "data" / "questions.jsonl").read_text().splitlines() if line.strip()]
    by_type: dict[str, list[str]] = {}
    for row in rows:
        if row["type"] != "unanswerable":
            by_type.setdefault(row["type"], []).append(row["question"])
    in_turn = [q for group in zip_longest(*by_type.values()) for q in group if q]
    return in_turn[:n]


def one_off(question: str) -> dict:
    """One `talkqa ask --json` process: its wall time and the server's time for the same answer."""
    started = time.perf_counter()
    done = subprocess.run([*TALKQA, "ask", "--json", question], cwd=ROOT, env=env(), capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"ask failed ({done.returncode}): {done.stderr[-2000:]}")
    timings = json.loads(done.stdout)["timings"]
    return {"question": question, "process_s": round(wall, 2), "server_total_s": round(timings["total_ms"] / 1000, 2),
            "ratio": round(wall / (timings["total_ms"] / 1000), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=12)
    args = parser.parse_args()
    if not (DATA / "chroma").exists():
        subprocess.run([*TALKQA, "ingest"], cwd=ROOT, env=env(), check=True)
    server = subprocess.Popen([*TALKQA, "serve", "--port", PORT], cwd=ROOT, env=env(), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 180
        while not (DATA / "server.json").exists():
            if time.time() > deadline or server.poll() is not None:
                raise SystemExit("talkqa serve did not announce itself")
            time.sleep(0.2)
        one_off("What is the neural tangent kernel?")  # the first answer loads the model: not counted
        rows = [one_off(q) for q in dev_questions(args.questions)]
    finally:
        server.terminate()
        server.wait(30)
    ratios = [r["ratio"] for r in rows]
    result = {
        **provenance(),
        "questions": rows,
        "process_s_median": round(statistics.median(r["process_s"] for r in rows), 2),
        "server_total_s_median": round(statistics.median(r["server_total_s"] for r in rows), 2),
        "overhead_s_median": round(statistics.median(r["process_s"] - r["server_total_s"] for r in rows), 2),
        "ratio_median": round(statistics.median(ratios), 3),
        "ratio_max": max(ratios),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "server-ask.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "questions"}, indent=1))


if __name__ == "__main__":
    main()
