"""One-off `talkqa search --json` as whole processes: in-process before and after, and through a running server (issue 24).

Usage (an index of the seed in DATA, e.g. `TALKQA_DATA_DIR=/tmp/oneoff-data talkqa ingest`; the base commit's tree
exported with `git archive BASE | tar -x -C /tmp/base`):

    flock /tmp/talkqa-cpu.lock .venv/bin/python bench/oneoff_search.py --base /tmp/base --data /tmp/oneoff-data

Times, each a fresh process, cwd /tmp (no `.env`), `TALKQA_LLM__LOCAL_MODEL=smollm2-135m` (search loads no chat
model; the server loads the small one):

* the base tree and this tree in-process (`--no-server`), runs alternated so a change of load hits both alike;
* this tree through a `talkqa serve` started on the same data dir (announced in `server.json`);
* for each, the import time (`python -X importtime`: the sum of every module's own time, median of 3).

It checks that the three print the same JSON, and that the server removed its announcement when stopped.
The JSON goes to stdout (docs/results/oneoff-search.json keeps a run).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUERY = "lottery ticket hypothesis"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, required=True, help="the base commit's tree (git archive)")
    parser.add_argument("--data", type=Path, required=True, help="a data dir holding an index")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--port", type=int, default=18931)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALKQA_")}
    env.update(TALKQA_DATA_DIR=str(args.data), TALKQA_LLM__LOCAL_MODEL="smollm2-135m")

    def search(tree: Path, *extra: str, importtime: bool = False) -> subprocess.CompletedProcess:
        command = [sys.executable, *(["-X", "importtime"] if importtime else []), "-m", "app.cli", "search", "--json", *extra, QUERY]
        return subprocess.run(command, env={**env, "PYTHONPATH": str(tree)}, cwd="/tmp", capture_output=True, text=True, check=True)

    def timed(tree: Path, *extra: str) -> tuple[float, str]:
        started = time.perf_counter()
        out = search(tree, *extra).stdout
        return time.perf_counter() - started, out

    def stats(times: list[float]) -> dict:
        return {"median_s": round(statistics.median(times), 3), "min_s": round(min(times), 3), "runs": [round(t, 3) for t in times]}

    def imports(tree: Path, *extra: str) -> dict:
        totals, modules = [], 0
        for _ in range(3):
            own = [int(m[1]) for m in re.finditer(r"import time:\s+(\d+) \|", search(tree, *extra, importtime=True).stderr)]
            totals.append(sum(own) / 1e6)
            modules = len(own)
        return {"import_s_median": round(statistics.median(totals), 3), "modules_imported": modules}

    search(ROOT, "--no-server")  # the page cache warm for everyone
    load_before = os.getloadavg()
    base_times, tree_times = [], []
    for _ in range(args.runs):
        seconds, base_out = timed(args.base)
        base_times.append(seconds)
        seconds, local_out = timed(ROOT, "--no-server")
        tree_times.append(seconds)
    result = {"base_in_process": {**stats(base_times), **imports(args.base)},
              "in_process": {**stats(tree_times), **imports(ROOT, "--no-server")}}
    announcement = args.data / "server.json"
    server = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--port", str(args.port)], cwd="/tmp",
                              env={**env, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while not announcement.exists():
            if server.poll() is not None or time.monotonic() > deadline:
                sys.exit("the server did not start")
            time.sleep(0.2)
        served = [timed(ROOT) for _ in range(args.runs)]
        result["through_server"] = {**stats([t for t, _ in served]), **imports(ROOT)}
        result["same_output"] = served[-1][1] == local_out == base_out
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=60)
    result["announcement_removed_on_exit"] = not announcement.exists()
    result["load_average_1min_before_after"] = [round(load_before[0], 2), round(os.getloadavg()[0], 2)]
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
