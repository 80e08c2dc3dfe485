"""Corpus-growth benchmark (issue #12): what ingest, a search, `ask --no-llm` and the chat cost at 1k, 10k, 100k talks.

A script, not a test. Every figure comes from the real code and the real
`talkqa` command, run as whole processes; only the corpora are synthetic
(bench/scale_corpus.py) and, where a size says so, the embedding model is
the stand-in ``standin-hash-384`` (hashed words, same dimension as MiniLM):
real embedding of 100k talks takes hours on 2 cores. The code measured is
the tree given by ``--code`` (PYTHONPATH), so the same script measures the
code before and after a change.

    python bench/scale.py corpus --out /tmp/scale                      # corpus-1k/10k/100k.jsonl
    python bench/scale.py ingest  --size 10k --data D --code C [--standin]
    python bench/scale.py measure --size 10k --data D --code C --label after [--standin] [--chroma-port 8765]
    python bench/scale.py plot                                          # docs/scaling-*.png
    python bench/scale.py table [--out docs/results/scale-DATE.json]    # the table of docs/scaling.md

Results accumulate in bench/out/scale.json: ``{label: {size: {figure: value}}}``; ``table --out``
writes them with their provenance (bench/provenance.py: run it at the commit measured) as the
artefact docs/scaling.md names.
Each process runs with the chat model pointed at an unreachable OpenAI-compatible
URL, so no figure includes loading (or running) the embedded LLM.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "scale.json"
PY = os.environ.get("TALKQA_BENCH_PYTHON", "/work/main/.venv/bin/python")
SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000}
QUERY = "phase transitions in neural networks"
STANDIN = "standin-hash-384"


# ------------------------------------------------------------------ running talkqa


def env_for(args, data: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALKQA_")}
    env.update(
        PYTHONPATH=str(Path(args.code).resolve()),
        TALKQA_DATA_DIR=str(data),
        TALKQA_LLM__BACKEND="openai",  # never load the embedded LLM: nothing here generates
        TALKQA_LLM__BASE_URL="http://127.0.0.1:9/v1",
        OPENAI_API_KEY="unused",
    )
    if args.standin:
        env["TALKQA_EMBEDDING__MODEL"] = STANDIN
    if getattr(args, "chroma_port", None):
        env.update(TALKQA_CHROMA_HOST="127.0.0.1", TALKQA_CHROMA_PORT=str(args.chroma_port))
    return env


def talkqa(args, data: Path, *cli: str, timeout: float = 3600) -> dict:
    """Run `talkqa CLI...` under /usr/bin/time -v: wall seconds, peak RSS (MB), exit code, stdout."""
    timing = Path(f"/tmp/talkqa-scale-time-{os.getpid()}.txt")
    cmd = ["/usr/bin/time", "-v", "-o", str(timing), PY, "-c", "from app.cli.commands import main; main()", *cli]
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env_for(args, data), capture_output=True, text=True, timeout=timeout, cwd="/tmp")
    wall = time.perf_counter() - started
    out = {"wall_s": round(wall, 3), "rc": done.returncode, "stdout": done.stdout, "stderr": done.stderr[-2000:]}
    out.update(parse_time(timing.read_text()))
    timing.unlink(missing_ok=True)
    return out


def parse_time(text: str) -> dict:
    """Peak RSS and CPU seconds (user + system) from /usr/bin/time -v: CPU time suffers less than wall time
    from other processes on a shared machine."""
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    user = re.search(r"User time \(seconds\): ([\d.]+)", text)
    system = re.search(r"System time \(seconds\): ([\d.]+)", text)
    cpu = float(user.group(1)) + float(system.group(1)) if user and system else None
    return {"peak_rss_mb": round(int(rss.group(1)) / 1024) if rss else None, "cpu_s": round(cpu, 2) if cpu is not None else None}


def drop_caches() -> bool:
    """Drop the page cache (a cold start); False when not permitted."""
    try:
        subprocess.run(["sync"], check=True)
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return True
    except OSError:
        return False


def du_mb(path: Path) -> float:
    if not path.exists():
        return 0.0
    total = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return round(total / 2**20, 1)


# ------------------------------------------------------------------ results


def cpu_flags() -> str:
    """The vector extensions of this CPU (the embedded figures depend on them: AVX-512 or not)."""
    try:
        flags = next(l for l in Path("/proc/cpuinfo").read_text().splitlines() if l.startswith("flags")).split()
    except (OSError, StopIteration):
        return "unknown"
    return " ".join(f for f in flags if f.startswith(("avx", "fma")))


def load() -> dict:
    return json.loads(OUT.read_text()) if OUT.exists() else {}


def record(label: str, size: str, figures: dict) -> None:
    """Merge ``figures`` into bench/out/scale.json (under a lock: several sizes may be measured at once)."""
    import fcntl

    OUT.parent.mkdir(parents=True, exist_ok=True)
    with open(OUT.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        results = load()
        results.setdefault(label, {}).setdefault(size, {}).update(figures)
        # Whether anything else ran is recorded beside each group of figures (machine_load_1min).
        results["machine"] = {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                              "cpu_flags": cpu_flags()}
        OUT.write_text(json.dumps(results, indent=1))
    print(json.dumps({label: {size: figures}}, indent=1))


# ------------------------------------------------------------------ steps


def cmd_corpus(args) -> None:
    from scale_corpus import write_corpus

    for size, n in SIZES.items():
        write_corpus(n, Path(args.out) / f"corpus-{size}.jsonl")


def pure_embedding_rate(args, corpus: Path, n: int = 400) -> tuple[float, float]:
    """(texts a second, CPU seconds a text) of the embedding model alone on abstracts of this corpus (no cache, after a warm-up)."""
    code = (
        "import json,sys,time\n"
        "from app.core.config import Settings\n"
        "from app.models.embeddings import embedding_model\n"
        f"texts=[json.loads(l)['abstract'] for l,_ in zip(open({str(corpus)!r}), range({n}))]\n"
        "m=embedding_model(Settings().embedding); m.embed_documents(texts[:8])\n"
        "t=time.perf_counter(); c=time.process_time(); m.embed_documents(texts)\n"
        "print(len(texts)/(time.perf_counter()-t), (time.process_time()-c)/len(texts))\n"
    )
    done = subprocess.run([PY, "-c", code], env=env_for(args, Path("/tmp/unused")), capture_output=True, text=True, cwd="/tmp")
    rate, cpu = done.stdout.strip().splitlines()[-1].split()
    return round(float(rate), 1), float(cpu)


def cmd_ingest(args) -> None:
    """A cold ingest (fresh data dir) through `talkqa ingest`, and the model's pure embedding rate beside it."""
    data = Path(args.data)
    corpus = Path(args.corpus_dir) / f"corpus-{args.size}.jsonl"
    if args.from_time_file:  # an ingest already run the same way (the command in --help), read back
        run = parse_time(Path(args.from_time_file).read_text())
        elapsed = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", Path(args.from_time_file).read_text()).group(1)
        parts = [float(p) for p in elapsed.split(":")]
        run["wall_s"] = round(sum(p * 60 ** i for i, p in enumerate(reversed(parts))), 1)
        report = json.loads(Path(args.from_json).read_text())
    else:
        shutil.rmtree(data, ignore_errors=True)
        run = talkqa(args, data, "ingest", str(corpus), "--replace", "--yes", "--json")
        report = json.loads(run["stdout"])
    rate, cpu_per_text = pure_embedding_rate(args, corpus, args.embed_sample)
    chunks_per_s = report["embedded_chunks"] / run["wall_s"]
    record(args.label, args.size, {
        "embedding": STANDIN if args.standin else "all-MiniLM-L6-v2-int8",
        "talks": report["talks"], "chunks": report["chunks"],
        "ingest_s": run["wall_s"], "ingest_talks_per_s": round(report["talks"] / run["wall_s"], 1),
        "ingest_chunks_per_s": round(chunks_per_s, 1), "pure_embedding_texts_per_s": rate,
        "ingest_vs_pure_embedding": round(chunks_per_s / rate, 3), "ingest_peak_rss_mb": run["peak_rss_mb"],
        # CPU time suffers less from a shared machine than wall time: the share of ingest's CPU that is embedding.
        "ingest_cpu_s": run["cpu_s"], "pure_embedding_cpu_ms_per_text": round(cpu_per_text * 1000, 2),
        "ingest_cpu_vs_pure_embedding_cpu": round(cpu_per_text * report["embedded_chunks"] / run["cpu_s"], 3) if run["cpu_s"] else None,
        "load_during_pure_embedding": os.getloadavg()[0],
    })


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def chat_figures(args, data: Path) -> dict:
    """`talkqa chat`: seconds until the page serves, seconds to list the Talks tab (gradio_client), peak RSS."""
    from gradio_client import Client

    port = free_port()
    timing = Path(f"/tmp/talkqa-scale-chat-{os.getpid()}.txt")
    cmd = ["/usr/bin/time", "-v", "-o", str(timing), PY, "-c", "from app.cli.commands import main; main()", "chat", "--port", str(port)]
    started = time.perf_counter()
    # A background job of a non-interactive shell inherits SIGINT ignored, and so would the chat: restore it.
    proc = subprocess.Popen(cmd, env=env_for(args, data), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd="/tmp",
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    url = f"http://127.0.0.1:{port}/"
    ready = None
    try:
        while time.perf_counter() - started < 600:
            try:
                with urllib.request.urlopen(url, timeout=2) as r:
                    if r.status == 200:
                        ready = time.perf_counter() - started
                        break
            except OSError:
                time.sleep(0.2)
        client = Client(url, verbose=False)
        t = time.perf_counter()
        listed = client.predict("", api_name="/talks")  # (table, count line): the ids list is session state
        rows, count = listed[0], listed[-1]
        talks_tab = time.perf_counter() - t
        t = time.perf_counter()
        client.predict("learning", api_name="/talks")
        talks_filter = time.perf_counter() - t
        shown = len(rows["data"]) if isinstance(rows, dict) else len(rows)
    finally:
        children = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()
        for child in children:
            os.kill(int(child), signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:  # never leave a chat running beside the next measurement
            for child in children:
                os.kill(int(child), signal.SIGKILL)
            proc.wait(timeout=60)
            raise SystemExit("the chat did not stop on SIGINT within 60 s (killed)")
    out = {"chat_ready_s": round(ready, 2) if ready else None, "talks_tab_s": round(talks_tab, 3),
           "talks_filter_s": round(talks_filter, 3), "talks_tab_rows": shown, "talks_tab_count": count}
    out["chat_peak_rss_mb"] = parse_time(timing.read_text())["peak_rss_mb"]
    out["machine_load_1min"] = os.getloadavg()[0]
    timing.unlink(missing_ok=True)
    return out


def probe_figures(args, data: Path) -> dict:
    """In-process search timings from bench/scale_probe.py in a fresh process."""
    probe = subprocess.run([PY, str(ROOT / "bench" / "scale_probe.py"), str(args.rounds)], env=env_for(args, data),
                           capture_output=True, text=True, cwd="/tmp")
    assert probe.returncode == 0, probe.stderr[-2000:]
    out = {f"inproc_{k}": v for k, v in json.loads(probe.stdout.strip().splitlines()[-1]).items()}
    out["inproc_machine_load_1min"] = os.getloadavg()[0]
    return out


def cmd_measure(args) -> None:
    data = Path(args.data)
    if args.only_chat:
        record(args.label, args.size, chat_figures(args, data))
        return
    if args.only_reingest:
        corpus = Path(args.corpus_dir) / f"corpus-{args.size}.jsonl"
        first = talkqa(args, data, "ingest", str(corpus), "--yes", "--json")
        second = talkqa(args, data, "ingest", str(corpus), "--yes", "--json")
        record(args.label, args.size, {"first_reingest_s": first["wall_s"], "unchanged_reingest_s": second["wall_s"],
                                       "unchanged_reingest_cpu_s": second["cpu_s"], "unchanged_reingest_peak_rss_mb": second["peak_rss_mb"],
                                       "reingest_machine_load_1min": os.getloadavg()[0]})
        return
    if args.only_probe:
        record(args.label, args.size, probe_figures(args, data))
        return
    figures: dict = {"embedding": STANDIN if args.standin else "all-MiniLM-L6-v2-int8",
                     "chroma": f"server 127.0.0.1:{args.chroma_port}" if args.chroma_port else "embedded"}
    corpus = Path(args.corpus_dir) / f"corpus-{args.size}.jsonl"
    if not args.skip_reingest:
        first = talkqa(args, data, "ingest", str(corpus), "--yes", "--json")  # the code after: saves a missing lexical index
        second = talkqa(args, data, "ingest", str(corpus), "--yes", "--json")
        assert first["rc"] == 0 and second["rc"] == 0, (first["stderr"], second["stderr"])
        figures.update(first_reingest_s=first["wall_s"], unchanged_reingest_s=second["wall_s"],
                       unchanged_reingest_cpu_s=second["cpu_s"], unchanged_reingest_peak_rss_mb=second["peak_rss_mb"])
    if not args.chroma_port:
        figures.update(chroma_mb=du_mb(data / "chroma"), lexical_mb=du_mb(data / "lexical"),
                       index_mb=round(du_mb(data / "chroma") + du_mb(data / "lexical"), 1))
    cold = drop_caches()
    run = talkqa(args, data, "search", QUERY, "--json")
    assert run["rc"] == 0, run["stderr"]
    figures.update(search_cold_s=run["wall_s"] if cold else None, search_cold_cpu_s=run["cpu_s"], cold_cache="dropped (echo 3 > drop_caches)" if cold else "not permitted",
                   search_cold_peak_rss_mb=run["peak_rss_mb"])
    warm = [talkqa(args, data, "search", QUERY, "--json") for _ in range(args.repeat)]
    figures.update(search_warm_s=round(statistics.median(r["wall_s"] for r in warm), 3),
                   search_warm_cpu_s=round(statistics.median(r["cpu_s"] for r in warm), 2),
                   search_peak_rss_mb=max(r["peak_rss_mb"] for r in warm))
    ask = talkqa(args, data, "ask", "--no-llm", QUERY, "--json")
    assert ask["rc"] == 0, ask["stderr"]
    figures.update(ask_no_llm_s=ask["wall_s"], ask_no_llm_cpu_s=ask["cpu_s"], ask_no_llm_peak_rss_mb=ask["peak_rss_mb"])
    figures.update(probe_figures(args, data))
    figures["measured_at"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    figures["machine_load_1min"] = os.getloadavg()[0]
    record(args.label, args.size, figures)
    if not args.skip_chat:
        record(args.label, args.size, chat_figures(args, data))


# ------------------------------------------------------------------ plots

PLOTS = {
    "ingest": [("ingest_talks_per_s", "ingest (talks/s)"), ("pure_embedding_texts_per_s", "pure embedding (texts/s)")],
    "reingest": [("unchanged_reingest_s", "unchanged re-ingest (s)")],
    "disk": [("index_mb", "index on disk (MB)")],
    "search-process": [("search_warm_s", "talkqa search, warm (s)"), ("search_cold_s", "talkqa search, cold (s)")],
    "search-inprocess": [("inproc_search_p50_ms", "retrieval-only answer p50 (ms)"), ("inproc_hybrid_p50_ms", "hybrid ranking p50 (ms)"),
                         ("inproc_hybrid_cpu_p50_ms", "hybrid ranking CPU p50 (ms)")],
    "rss": [("search_peak_rss_mb", "search"), ("ask_no_llm_peak_rss_mb", "ask --no-llm"), ("chat_peak_rss_mb", "chat")],
    "chat": [("chat_ready_s", "chat ready (s)"), ("talks_tab_s", "Talks tab (s)")],
}


def measured_labels(results: dict) -> list[str]:
    """The labels measured (``--label``), in the order they were first recorded."""
    return [k for k in results if k != "machine"]


def cmd_plot(args) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    results = load()
    labels = measured_labels(results)
    for name, series in PLOTS.items():
        fig, ax = plt.subplots(figsize=(5.2, 3.6))
        drawn = False
        for label in labels:
            for key, title in series:
                points = [(SIZES[s], results[label][s].get(key)) for s in SIZES if s in results[label]]
                points = [(x, y) for x, y in points if isinstance(y, (int, float)) and y > 0]
                if points:
                    ax.plot(*zip(*points), marker="o", label=f"{label}: {title}", linestyle="--" if "server" in label else "-")
                    drawn = True
        if not drawn:
            plt.close(fig)
            continue
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("talks (100k: stand-in embedding)")
        ax.legend(fontsize=7)
        ax.grid(True, which="both", alpha=0.3)
        fig.tight_layout()
        fig.savefig(ROOT / "docs" / f"scaling-{name}.png", dpi=110)
        plt.close(fig)


ROWS = [
    ("embedding", "embedding model"),
    ("ingest_talks_per_s", "cold ingest (talks/s)"),
    ("ingest_vs_pure_embedding", "ingest ÷ pure embedding throughput (wall)"),
    ("ingest_cpu_vs_pure_embedding_cpu", "… by CPU time (embedding's share of ingest CPU)"),
    ("unchanged_reingest_s", "unchanged re-ingest (s, whole process)"),
    ("unchanged_reingest_cpu_s", "… its CPU time (s)"),
    ("index_mb", "index on disk (MB: Chroma + lexical)"),
    ("search_cold_s", "`talkqa search`, cold cache (s)"),
    ("search_warm_s", "`talkqa search`, warm (s)"),
    ("search_warm_cpu_s", "… its CPU time (s)"),
    ("ask_no_llm_s", "`talkqa ask --no-llm` (s)"),
    ("inproc_search_p50_ms", "retrieval-only answer (`Service.retrieval_only`) p50 (ms)"),
    ("inproc_search_p95_ms", "retrieval-only answer p95 (ms)"),
    ("inproc_search_cpu_p50_ms", "… CPU time p50 (ms)"),
    ("inproc_retriever_p50_ms", "retriever with cross-encoder p50 (ms)"),
    ("inproc_hybrid_p50_ms", "hybrid ranking (dense + BM25 + fusion) p50 (ms)"),
    ("inproc_hybrid_p95_ms", "hybrid ranking p95 (ms)"),
    ("inproc_hybrid_cpu_p50_ms", "… CPU time p50 (ms)"),
    ("search_peak_rss_mb", "peak RSS `search` (MB)"),
    ("ask_no_llm_peak_rss_mb", "peak RSS `ask --no-llm` (MB)"),
    ("chat_ready_s", "`talkqa chat` until the page serves (s)"),
    ("talks_tab_s", "… then the Talks tab listed (s; waits for the index and models loading in the background)"),
    ("talks_filter_s", "Talks tab filtered by a word (s)"),
    ("chat_peak_rss_mb", "peak RSS `chat` (MB)"),
    ("machine_load_1min", "machine load (1-min average) when measured"),
]


def cmd_table(args) -> None:
    """The markdown table of docs/scaling.md: one column per (label, size)."""
    results = load()
    columns = [(label, size) for label in measured_labels(results) for size in SIZES if size in results[label]]
    print("| figure | " + " | ".join(f"{label} {size}" for label, size in columns) + " |")
    print("|---|" + "---:|" * len(columns))
    for key, title in ROWS:
        cells = []
        for label, size in columns:
            value = results[label][size].get(key)
            cells.append("—" if value is None else ("stand-in" if value == STANDIN else ("MiniLM" if value == "all-MiniLM-L6-v2-int8" else str(value))))
        print(f"| {title} | " + " | ".join(cells) + " |")
    if args.out:
        sys.path.insert(0, str(ROOT))
        from bench.provenance import write_result

        write_result(Path(args.out), results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="step", required=True)
    corpus = sub.add_parser("corpus")
    corpus.add_argument("--out", default="/tmp/scale")
    for name in ("ingest", "measure"):
        p = sub.add_parser(name)
        p.add_argument("--size", choices=list(SIZES), required=True)
        p.add_argument("--data", required=True, help="the data dir (TALKQA_DATA_DIR) of this size")
        p.add_argument("--code", default=str(ROOT), help="the code tree to measure (PYTHONPATH)")
        p.add_argument("--label", default="after")
        p.add_argument("--standin", action="store_true", help=f"embed with {STANDIN} (not a language model)")
        p.add_argument("--corpus-dir", default="/tmp/scale")
        p.add_argument("--chroma-port", type=int, help="use a `chroma run` server on 127.0.0.1 at this port")
    ing = sub.choices["ingest"]
    ing.add_argument("--from-time-file", help="read an ingest already run under /usr/bin/time -v")
    ing.add_argument("--from-json", help="... and its `ingest --json` report")
    ing.add_argument("--embed-sample", type=int, default=400, help="abstracts embedded for the pure embedding rate")
    mea = sub.choices["measure"]
    mea.add_argument("--repeat", type=int, default=3)
    mea.add_argument("--rounds", type=int, default=3, help="rounds of the 20 in-process queries")
    mea.add_argument("--skip-chat", action="store_true")
    mea.add_argument("--skip-reingest", action="store_true")
    mea.add_argument("--only-chat", action="store_true")
    mea.add_argument("--only-probe", action="store_true")
    mea.add_argument("--only-reingest", action="store_true")
    sub.add_parser("plot")
    sub.add_parser("table").add_argument("--out", help="also write the figures, with their provenance, to this JSON")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "bench"))
    {"corpus": cmd_corpus, "ingest": cmd_ingest, "measure": cmd_measure, "plot": cmd_plot, "table": cmd_table}[args.step](args)


if __name__ == "__main__":
    main()
