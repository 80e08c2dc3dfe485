"""Benchmark the HTTP API: /api/search throughput, and what HTTP adds to the first token.

Usage: .venv/bin/python bench/api.py [--clients 8] [--requests 400] [--questions 4] [--model qwen-1.5b] [--no-llm] [--out FILE.json]
(wrap it in `flock /tmp/talkqa-llm.lock` unless --no-llm: it generates with the embedded model)

Ingests the seed into bench/out/data (if needed), starts `talkqa serve` as a
subprocess on 127.0.0.1 and a free port (its own process, so the clients here
do not share its interpreter), then
1. /api/search over the dev questions: one client in sequence, then
   ``--clients`` concurrent clients (threads with their own httpx client) for
   ``--requests`` requests in all: requests per second, latency p50/p95;
2. first token for ``--questions`` answerable dev questions, in this process
   through ``AnswerChain.ask`` (from the call to the first token) and through
   ``POST /v1/chat/completions`` with ``stream: true`` (from sending the request
   to the first content chunk). Each side has its own copy of the model, warmed
   up on one other question first; the two alternate question by question.
A benchmark, not a test: the figures are written as JSON with their provenance (bench/provenance.py)
to ``--out`` (default bench/out/api.json; docs/benchmarks.md's "HTTP API" names its artefact under docs/results/).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.core.config import Settings  # noqa: E402
from bench.provenance import write_result  # noqa: E402
from app.models.embeddings import cached_embeddings  # noqa: E402
from app.service import Service  # noqa: E402
from app.index.store import TalkStore  # noqa: E402
from ingest.indexer import ingest  # noqa: E402

DATA = ROOT / "bench" / "out" / "data"


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, model: str, log: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TALKQA_DATA_DIR": str(DATA), "TALKQA_LLM__BACKEND": "local",
           "TALKQA_LLM__LOCAL_MODEL": model, "TALKQA_API_QUEUE": "64"}
    env.pop("TALKQA_API_KEYS", None)
    out = log.open("w")
    proc = subprocess.Popen([sys.executable, "-m", "app.cli", "serve", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 300
    with httpx.Client(trust_env=False) as http:
        while True:
            try:
                if http.get(f"http://127.0.0.1:{port}/v1/models", timeout=2).status_code == 200:
                    return proc
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                sys.exit(f"talkqa serve did not start; see {log}")
            time.sleep(0.5)


def search_throughput(base: str, queries: list[str], clients: int, total: int) -> dict:
    """Requests per second for /api/search: one client in sequence, then ``clients`` at once."""
    with httpx.Client(base_url=base, trust_env=False, timeout=60) as http:
        for q in queries:  # warm-up: every query once (sentence embeddings into the cache)
            http.get("/api/search", params={"q": q}).raise_for_status()
        single = []
        started = time.perf_counter()
        for q in queries:
            t = time.perf_counter()
            http.get("/api/search", params={"q": q}).raise_for_status()
            single.append((time.perf_counter() - t) * 1000)
        single_wall = time.perf_counter() - started

    latencies: list[float] = []
    failures = []
    lock = threading.Lock()
    counter = iter(range(total))

    def client() -> None:
        with httpx.Client(base_url=base, trust_env=False, timeout=60) as http:
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                t = time.perf_counter()
                response = http.get("/api/search", params={"q": queries[i % len(queries)]})
                elapsed = (time.perf_counter() - t) * 1000
                with lock:
                    (latencies if response.status_code == 200 else failures).append(elapsed)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    return {
        "sequential": {"requests": len(single), "rps": len(single) / single_wall, "p50_ms": pct(single, 50), "p95_ms": pct(single, 95)},
        "concurrent": {"clients": clients, "requests": len(latencies), "failures": len(failures), "seconds": wall,
                       "rps": len(latencies) / wall, "p50_ms": pct(latencies, 50), "p95_ms": pct(latencies, 95)},
    }


def api_first_token(base: str, question: str) -> float:
    """Seconds from sending the request to the first content chunk; then leave (the server stops generating)."""
    payload = {"model": "talkqa", "messages": [{"role": "user", "content": question}], "stream": True}
    with httpx.Client(trust_env=False, timeout=300) as http:
        started = time.perf_counter()
        with http.stream("POST", base + "/v1/chat/completions", json=payload) as response:
            response.raise_for_status()
            for line in response.iter_lines():
                if line.startswith("data: {"):
                    choices = json.loads(line[6:]).get("choices") or [{}]
                    if choices[0].get("delta", {}).get("content"):
                        return time.perf_counter() - started
    raise RuntimeError("no content chunk")


def chain_first_token(chain, question: str) -> float:
    started = time.perf_counter()
    tokens = iter(chain.ask(question))
    next(tokens)
    elapsed = time.perf_counter() - started
    tokens.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--questions", type=int, default=4)
    parser.add_argument("--model", default="qwen-1.5b")
    parser.add_argument("--no-llm", action="store_true", help="Only the search throughput.")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "api.json")
    args = parser.parse_args()

    settings = Settings(_env_file=None, data_dir=DATA)
    settings.llm.backend = "local"
    settings.llm.local_model = args.model
    store = TalkStore(settings, cached_embeddings(settings))
    ingest(settings, store)
    questions = [json.loads(line) for line in (ROOT / "eval" / "data" / "questions.jsonl").read_text().splitlines() if line.strip()]

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    load = time.perf_counter()
    server = start_server(port, "smollm2-135m" if args.no_llm else args.model, out / "api-server.log")  # --no-llm: load the tiny model
    print(f"talkqa serve ready in {time.perf_counter() - load:.1f} s")
    results: dict = {"machine": {"nproc": os.cpu_count(), "loadavg_start": os.getloadavg()}}
    try:
        search = search_throughput(base, [q["question"] for q in questions], args.clients, args.requests)
        results["search"] = search
        s, c = search["sequential"], search["concurrent"]
        print(f"/api/search, 1 client: {s['rps']:.1f} req/s, p50 {s['p50_ms']:.1f} ms, p95 {s['p95_ms']:.1f} ms ({s['requests']} requests)")
        print(f"/api/search, {c['clients']} clients: {c['rps']:.1f} req/s, p50 {c['p50_ms']:.1f} ms, p95 {c['p95_ms']:.1f} ms "
              f"({c['requests']} requests in {c['seconds']:.1f} s, {c['failures']} failed)")

        if not args.no_llm:
            chain = Service(settings, store=store).answer_chain()
            answerable = [q["question"] for q in questions if q["type"] != "unanswerable"]
            warm, picked = answerable[0], answerable[1 : 1 + args.questions]
            chain_first_token(chain, warm)
            api_first_token(base, warm)
            rows = []
            for q in picked:
                local = chain_first_token(chain, q)
                remote = api_first_token(base, q)
                rows.append({"question": q, "in_process_s": local, "api_s": remote, "added_ms": (remote - local) * 1000})
                print(f"  first token: in-process {local:.2f} s, API {remote:.2f} s, added {rows[-1]['added_ms']:+.0f} ms")
            added = [r["added_ms"] for r in rows]
            results["first_token"] = {
                "rows": rows,
                "in_process_median_s": statistics.median(r["in_process_s"] for r in rows),
                "api_median_s": statistics.median(r["api_s"] for r in rows),
                "added_median_ms": statistics.median(added),
            }
            ft = results["first_token"]
            print(f"first token over {len(rows)} questions: in-process median {ft['in_process_median_s']:.2f} s, "
                  f"API median {ft['api_median_s']:.2f} s, added median {ft['added_median_ms']:+.0f} ms "
                  f"(range {min(added):+.0f} to {max(added):+.0f} ms)")
    finally:
        server.terminate()
        server.wait(timeout=30)
    results["machine"]["loadavg_end"] = os.getloadavg()
    write_result(args.out, results)
    print(f"load average {results['machine']['loadavg_start'][0]:.2f} -> {results['machine']['loadavg_end'][0]:.2f}; "
          f"figures in {args.out}")


if __name__ == "__main__":
    main()
