"""Ingest benchmark (a script, not a test): `make bench` or `.venv/bin/python bench/ingest.py`.

Prints, for the seed corpus (data/abstracts.txt):

* cold ingest time: fresh data dir (no embedding cache, no index), model
  already loaded; includes reading, segmentation (which embeds prose lines),
  chunking, embedding and writing to Chroma;
* pure embedding time of the same chunks: ``MiniLMEmbeddings.embed_documents``
  over the chunk texts, after a warm-up, no cache;
* their ratio (goal <= 1.2) and where the difference goes;
* re-ingest time of the unchanged seed, in-process (goal < 1 s) and as a whole
  ``talkqa ingest`` process (Python start-up and imports included);
* peak memory: ``ru_maxrss`` of this process, and the peak RSS (VmHWM) of a
  cold and of a re-ingesting ``talkqa ingest`` process;
* segmentation boundary precision/recall/F1 on tests/data/seed_segments.json,
  with and without embeddings.

Each timing is the median of ``--repeat`` runs (default 3); cold ingests and
pure embeddings alternate so that both see the same machine load, and CPU
time is reported beside wall time. Results are also written as JSON with their provenance
(bench/provenance.py) to ``--out`` (default bench/out/ingest.json, git-ignored; a doc's artefact goes
under docs/results/). The counts and the segmentation figures alone, without timings:
bench/segmentation.py.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.core.config import DEFAULT_CORPUS, Settings  # noqa: E402
from bench.provenance import write_result  # noqa: E402
from app.models.embeddings import MiniLMEmbeddings, cached_embeddings  # noqa: E402
from app.index.store import TalkStore  # noqa: E402
from ingest.indexer import ingest  # noqa: E402
from ingest.segment import Line, boundaries, segment  # noqa: E402

GOLD = ROOT / "tests" / "data" / "seed_segments.json"


class Recording(Embeddings):
    """Passes through to the model and records what it embeds and how long it takes."""

    def __init__(self, inner: MiniLMEmbeddings):
        self.inner = inner
        self.model_name, self.dimension = inner.model_name, inner.dimension
        self.texts: list[str] = []
        self.seconds = 0.0

    def embed_documents(self, texts):
        started = time.perf_counter()
        out = self.inner.embed_documents(texts)
        self.seconds += time.perf_counter() - started
        self.texts += list(texts)
        return out

    def embed_query(self, text):
        return self.embed_documents([text])[0]


def settings_for(data_dir: Path) -> Settings:
    return Settings(_env_file=None, data_dir=data_dir, corpus=[DEFAULT_CORPUS], chroma_host=None)


def clean_env(data_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALKQA_")}
    env["TALKQA_DATA_DIR"] = str(data_dir)
    return env


def run_cli(data_dir: Path) -> float:
    """Wall time of one `talkqa ingest` process (the console script) on ``data_dir``."""
    talkqa = Path(sys.executable).parent / "talkqa"
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    subprocess.run([str(talkqa), "ingest"], env=clean_env(data_dir), check=True, capture_output=True, cwd=data_dir.parent)
    return time.perf_counter() - started


#: `talkqa ingest` as the console script runs it, reporting its own peak RSS (VmHWM) at exit.
#: (A child's ru_maxrss starts from its parent's on Linux, so RUSAGE_CHILDREN would report ours.)
_PEAK_WRAPPER = """
import sys
out = sys.argv.pop(1)
sys.argv[0] = "talkqa"
try:
    from app.cli.commands import main
    main()
finally:
    hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM")).split()[1]
    open(out, "w").write(hwm)
"""


def cli_peak_mb(data_dir: Path) -> float:
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    record = data_dir.parent / "vmhwm"
    subprocess.run(
        [sys.executable, "-c", _PEAK_WRAPPER, str(record), "ingest"],
        env=clean_env(data_dir), check=True, capture_output=True, cwd=data_dir.parent,
    )
    return int(record.read_text()) / 1024


def boundary_f1(lines: list[Line], embed) -> tuple[float, float, float]:
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    owner = {n: k for k, t in enumerate(gold["talks"]) for s, e in t["lines"] for n in range(s, e + 1)}
    expected = {i for i in range(1, gold["n_lines"]) if owner[i] != owner[i + 1]}
    predicted = boundaries(segment(lines, embed=embed))
    tp = len(predicted & expected)
    p, r = tp / len(predicted), tp / len(expected)
    return p, r, 2 * p * r / (p + r)


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "ingest.json")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="talkqa-bench-"))
    out: dict = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "cpus": os.cpu_count(),
        "cpu": cpu_model(),
        "load_average_before": os.getloadavg(),
        "python": platform.python_version(),
    }
    try:
        started = time.perf_counter()
        model = MiniLMEmbeddings()
        model.embed_documents(["warm-up: the model session is created and run once"])
        out["model_load_s"] = time.perf_counter() - started
        # Warm-up at full size (two batches of 32 x 256 word pieces, texts not in the corpus), so that
        # onnxruntime's memory arena has grown before anything is timed, for cold ingest and pure alike.
        started = time.perf_counter()
        model.embed_documents([f"warm-up {i}: " + "lorem ipsum dolor sit amet " * 60 for i in range(64)])
        out["warm_up_s"] = time.perf_counter() - started

        # ---- cold ingest (fresh data dir each time) and pure embedding of the same chunks
        # (no cache), interleaved so that both see the same machine load.
        cold, cold_cpu, pure, pure_cpu, chunk_texts = [], [], [], [], None
        for i in range(args.repeat):
            settings = settings_for(workdir / f"cold-{i}")
            recording = Recording(model)
            store = TalkStore(settings, cached_embeddings(settings, recording))
            wall, cpu = time.perf_counter(), time.process_time()
            report = ingest(settings, store)
            cold.append(time.perf_counter() - wall)
            cold_cpu.append(time.process_time() - cpu)
            recorded = recording
            if chunk_texts is None:
                chunk_texts = [d.page_content for d in store.chunks(store.catalog())]
                assert len(chunk_texts) == report.chunks
            wall, cpu = time.perf_counter(), time.process_time()
            model.embed_documents(chunk_texts)
            pure.append(time.perf_counter() - wall)
            pure_cpu.append(time.process_time() - cpu)
        out["talks"], out["chunks"], out["duplicates"] = report.talks, report.chunks, report.duplicates
        out["cold_ingest_s"], out["cold_ingest_runs_s"], out["cold_ingest_cpu_s"] = median(cold), cold, median(cold_cpu)
        out["cold_model_s"] = recorded.seconds
        out["cold_texts_embedded"] = len(recorded.texts)
        out["pure_embedding_s"], out["pure_embedding_runs_s"], out["pure_embedding_cpu_s"] = median(pure), pure, median(pure_cpu)
        out["ratio"] = out["cold_ingest_s"] / out["pure_embedding_s"]
        out["ratio_cpu"] = out["cold_ingest_cpu_s"] / out["pure_embedding_cpu_s"]

        # where the difference goes: texts the model ran on beyond the chunks themselves
        chunk_set = set(chunk_texts)
        extra = [t for t in dict.fromkeys(recorded.texts) if t not in chunk_set]
        out["cold_extra_texts"] = len(extra)
        out["cold_extra_word_pieces"] = sum(min(model.count_tokens(t), model.settings.max_tokens) for t in extra)
        out["chunk_word_pieces"] = sum(min(model.count_tokens(t), model.settings.max_tokens) for t in chunk_texts)

        # ---- re-ingest of the unchanged seed, in-process (same store as the last cold run)
        again = []
        for _ in range(args.repeat):
            settings = settings_for(workdir / f"cold-{args.repeat - 1}")
            store = TalkStore(settings, cached_embeddings(settings, model))
            started = time.perf_counter()
            report = ingest(settings, store)
            again.append(time.perf_counter() - started)
            assert report.embedded_chunks == 0, report
        out["reingest_s"] = median(again)
        out["reingest_runs_s"] = again
        out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        # ---- whole `talkqa ingest` processes (Python start-up, imports and model load included)
        out["cli_cold_ingest_s"] = run_cli(workdir / "cli" / "data")
        out["cli_reingest_s"] = median([run_cli(workdir / "cli" / "data") for _ in range(args.repeat)])
        out["cli_cold_peak_rss_mb"] = cli_peak_mb(workdir / "cli-peak" / "data")
        out["cli_reingest_peak_rss_mb"] = cli_peak_mb(workdir / "cli-peak" / "data")

        # ---- segmentation quality on the dev set
        text = DEFAULT_CORPUS.read_text(encoding="utf-8")
        lines = [Line(n, raw.strip()) for n, raw in enumerate(text.splitlines(), start=1) if raw.strip()]
        started = time.perf_counter()
        out["segment_f1_embeddings"] = boundary_f1(lines, lambda t: np.asarray(model.embed_documents(t), dtype=np.float32))
        out["segment_embeddings_s"] = time.perf_counter() - started
        out["segment_f1_no_embeddings"] = boundary_f1(lines, None)
        out["load_average_after"] = os.getloadavg()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    report_lines = [
        f"machine: {out['cpus']} CPUs, {out['cpu']}; Python {out['python']}; {out['date']}",
        f"load average before/after: {out['load_average_before'][0]:.2f} / {out['load_average_after'][0]:.2f}",
        f"seed: {out['talks']} talks, {out['chunks']} chunks, {out['duplicates']} duplicates merged",
        f"model load + first run:        {out['model_load_s']:.2f} s (full-size warm-up {out['warm_up_s']:.2f} s)",
        f"cold ingest (in-process):      {out['cold_ingest_s']:.2f} s  (runs {', '.join(f'{x:.2f}' for x in cold)})",
        f"  of which model runs:         {out['cold_model_s']:.2f} s over {out['cold_texts_embedded']} texts "
        f"({out['cold_extra_texts']} besides the chunks: {out['cold_extra_word_pieces']} word pieces vs {out['chunk_word_pieces']} in the chunks)",
        f"pure embedding of the chunks:  {out['pure_embedding_s']:.2f} s  (runs {', '.join(f'{x:.2f}' for x in pure)})",
        f"ratio cold / pure:             {out['ratio']:.2f} wall, {out['ratio_cpu']:.2f} CPU time  (goal <= 1.2)",
        f"re-ingest unchanged (in-proc): {out['reingest_s']:.3f} s  (goal < 1 s)",
        f"`talkqa ingest` cold process:  {out['cli_cold_ingest_s']:.2f} s",
        f"`talkqa ingest` re-ingest:     {out['cli_reingest_s']:.2f} s  (whole process)",
        f"peak RSS: this process {out['peak_rss_mb']:.0f} MB; `talkqa ingest` cold {out['cli_cold_peak_rss_mb']:.0f} MB, "
        f"re-ingest {out['cli_reingest_peak_rss_mb']:.0f} MB",
        "segmentation P/R/F1 with embeddings:    {:.3f} / {:.3f} / {:.3f}".format(*out["segment_f1_embeddings"]),
        "segmentation P/R/F1 without embeddings: {:.3f} / {:.3f} / {:.3f}".format(*out["segment_f1_no_embeddings"]),
    ]
    print("\n".join(report_lines))
    write_result(args.out, out)


if __name__ == "__main__":
    main()
