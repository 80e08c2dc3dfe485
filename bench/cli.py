"""Benchmark one-off CLI processes: `talkqa search` and `talkqa ask`, whole process, as a user runs them.

Usage (generates with the embedded model: run it alone on the machine):
    flock /tmp/talkqa-llm.lock .venv/bin/python bench/cli.py [--search-runs 5] [--ask-runs 3]

Ingests the seed into bench/out/cli-data if needed, then times:

* ``talkqa search --json`` under ``/usr/bin/time -v``: wall seconds, CPU seconds, peak RSS;
* ``talkqa ask`` on a pseudo-terminal (the draft streams there, as for a user):
  seconds from the process start to the extractive preview, to the model's first
  draft token on the terminal, and to the end of the process; with the system
  prompt's saved state (``llm.keep_prompt_state``, the default:
  app/models/prompt_state.py) and without it (the "before");
* both again while a ``talkqa serve`` of the same data dir runs, which the
  one-off commands then use (app/cli/client.py).

Medians go, with their provenance (bench/provenance.py), to ``--out`` (default bench/out/cli.json;
docs/benchmarks.md names its artefact under docs/results/).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import pty
import re
import select
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))
from llm_speed import cpu  # noqa: E402

from bench.provenance import write_result  # noqa: E402

OUT = ROOT / "bench" / "out"
DATA = OUT / "cli-data"
SEARCH = "neural tangent kernel"
ASK = "What is the Dynamic Range Activator and why was it introduced?"
TALKQA = [sys.executable, "-m", "app.cli"]


def env(**extra: str) -> dict:
    base = {k: v for k, v in os.environ.items() if not k.startswith("TALKQA_")}
    return {**base, "TALKQA_DATA_DIR": str(DATA), **extra}


def time_v(args: list[str], environment: dict) -> dict:
    """One process under /usr/bin/time -v: wall, CPU and peak RSS."""
    done = subprocess.run(["/usr/bin/time", "-v", *args], cwd=ROOT, env=environment, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr[-2000:]}")
    field = lambda name: re.search(rf"{re.escape(name)}: (.+)", done.stderr).group(1).strip()  # noqa: E731
    h, m, s = (["0"] + field("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":"))[-3:]
    return {
        "wall_s": round(int(h) * 3600 + int(m) * 60 + float(s), 2),
        "cpu_s": round(float(field("User time (seconds)")) + float(field("System time (seconds)")), 2),
        "peak_rss_mb": round(int(field("Maximum resident set size (kbytes)")) / 1024),
    }


PREVIEW_END = re.compile(rb"From the sources[^\n]*\n(?:.*\n)*?\r?\n", re.MULTILINE)


def ask_on_a_terminal(environment: dict) -> dict:
    """`talkqa ask` with stdout on a pty: seconds to the extractive preview (the first output), to the
    model's first draft token (the first output after the preview's blank line), and to the end."""
    leader, follower = pty.openpty()
    started = time.perf_counter()
    proc = subprocess.Popen([*TALKQA, "ask", ASK], cwd=ROOT, env=environment, stdout=follower, stderr=subprocess.PIPE)
    os.close(follower)
    first = preview = None
    output = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 0.05)
        if ready:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the process closed the terminal
                break
            if not chunk:
                break
            output += chunk
            now = time.perf_counter() - started
            if preview is None and output.strip():
                preview = now
            shown = PREVIEW_END.search(output)
            rest = output[shown.end():] if shown else (output if b"From the sources" not in output else b"")
            if first is None and rest.strip():
                first = now
        elif proc.poll() is not None:
            break
    proc.wait()
    total = time.perf_counter() - started
    os.close(leader)
    if proc.returncode != 0:
        raise SystemExit(f"ask failed ({proc.returncode}): {proc.stderr.read().decode()[-2000:]}")
    return {"preview_s": round(preview, 2) if preview else None, "first_token_s": round(first, 2) if first else None,
            "total_s": round(total, 2)}


def through_a_server(search_runs: int, ask_runs: int) -> dict:
    """The same one-off commands while a `talkqa serve` of the same data dir runs (app/cli/client.py)."""
    server = subprocess.Popen([*TALKQA, "serve", "--port", "8765"], cwd=ROOT, env=env(), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 120
        while not (DATA / "server.json").exists():
            if time.time() > deadline or server.poll() is not None:
                raise SystemExit("talkqa serve did not announce itself")
            time.sleep(0.2)
        ask_on_a_terminal(env())  # the server's first answer loads the model and the prompt state
        search = [time_v([*TALKQA, "search", SEARCH, "--json"], env()) for _ in range(search_runs)]
        asks = [ask_on_a_terminal(env()) for _ in range(ask_runs)]
    finally:
        server.terminate()
        server.wait(30)
    return {"search": {"runs": search, "wall_s_median": median(search, "wall_s")},
            "ask": {"runs": asks, "preview_s_median": median(asks, "preview_s"),
                    "first_token_s_median": median(asks, "first_token_s"), "total_s_median": median(asks, "total_s")}}


def median(rows: list[dict], key: str) -> float | None:
    values = [r[key] for r in rows if r.get(key) is not None]
    return round(statistics.median(values), 2) if values else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--search-runs", type=int, default=5)
    parser.add_argument("--ask-runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=OUT / "cli.json")
    args = parser.parse_args()

    if not (DATA / "chroma").exists():
        subprocess.run([*TALKQA, "ingest"], cwd=ROOT, env=env(), check=True)
    subprocess.run([*TALKQA, "search", SEARCH], cwd=ROOT, env=env(), check=True, capture_output=True)  # warm file cache

    search = [time_v([*TALKQA, "search", SEARCH, "--json"], env()) for _ in range(args.search_runs)]
    no_llm = [time_v([*TALKQA, "ask", "--no-llm", "--json", ASK], env()) for _ in range(args.search_runs)]

    from app.core.config import Settings

    state_dir = Settings(_env_file=None, data_dir=DATA).models_dir / "prompt-state"
    without = [ask_on_a_terminal(env(TALKQA_LLM__KEEP_PROMPT_STATE="false")) for _ in range(args.ask_runs)]
    shutil.rmtree(state_dir, ignore_errors=True)
    first_with = ask_on_a_terminal(env())  # evaluates the system prompt and saves its state
    with_state = [ask_on_a_terminal(env()) for _ in range(args.ask_runs)]

    served = through_a_server(args.search_runs, args.ask_runs)

    result = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "through_a_server": served,
        "machine": {"cpus": os.cpu_count(), "processor": platform.processor() or platform.machine(), "cpu": cpu()},
        "search": {"runs": search, "wall_s_median": median(search, "wall_s"), "cpu_s_median": median(search, "cpu_s"),
                   "peak_rss_mb_median": median(search, "peak_rss_mb")},
        "ask_no_llm": {"runs": no_llm, "wall_s_median": median(no_llm, "wall_s"), "peak_rss_mb_median": median(no_llm, "peak_rss_mb")},
        "ask_without_saved_state": {"runs": without, "first_token_s_median": median(without, "first_token_s"),
                                    "total_s_median": median(without, "total_s")},
        "ask_first_run_saving_state": first_with,
        "ask_with_saved_state": {"runs": with_state, "preview_s_median": median(with_state, "preview_s"),
                                 "first_token_s_median": median(with_state, "first_token_s"),
                                 "total_s_median": median(with_state, "total_s")},
    }
    write_result(args.out, result)
    print(json.dumps({k: v for k, v in result.items() if k not in ("date", "machine")}, indent=1))


if __name__ == "__main__":
    main()
