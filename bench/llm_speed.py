"""How fast the embedded model reads talkqa's prompts and writes its answers, per build and setting.

Two steps, so that every variant reads the very same prompts:

1. ``prompts``: the real chain (seed index, dev questions) builds its prompts; they are saved as
   chat messages in a JSON file. Needs the app and an index; no model runs.
2. ``run``: llama-cpp-python alone (no app import, so a venv holding only another build of
   llama.cpp can run it) answers each saved prompt with one variant of the model's settings, and
   records prompt reading (tokens/s up to the first token), decoding (tokens/s after it), first
   token and whole answer, plus the raw limit: ``Llama.eval`` of the same prompt tokens with no
   chat template or sampling around it.

Usage (one process at a time on an idle machine, under the model lock):
    .venv/bin/python bench/llm_speed.py prompts --questions 8 --out bench/out/prompts.json
    flock /tmp/talkqa-llm.lock .venv/bin/python bench/llm_speed.py run --prompts bench/out/prompts.json \\
        --variant default --out bench/out/llm-speed.jsonl
Variants: see VARIANTS. Each run appends one JSON line (variant, build, CPU, per-prompt times).
"""

from __future__ import annotations

import argparse
import datetime
import json
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: llama.cpp settings measured (keyword arguments of ``llama_cpp.Llama``), besides the defaults talkqa uses.
GGML_TYPE_Q8_0 = 8
VARIANTS: dict[str, dict] = {
    "default": {},
    "flash": {"flash_attn": True},
    "flash-kv8": {"flash_attn": True, "type_k": GGML_TYPE_Q8_0, "type_v": GGML_TYPE_Q8_0},
    "ubatch128": {"n_ubatch": 128},
    "ubatch256": {"n_ubatch": 256},
    "threads1": {"n_threads": 1},
    "lookup": {"draft": 10, "logits_all": True},  # prompt-lookup decoding (needs every logit): answers copy their sources
    "lookup-flash": {"draft": 10, "logits_all": True, "flash_attn": True},
}
BASE = {"n_ctx": 4096, "n_threads": 2, "n_batch": 512, "seed": 0, "verbose": False}


def cpu() -> dict:
    """The CPU as /proc/cpuinfo names it, with the SIMD flags that decide llama.cpp's speed."""
    info = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    field = lambda name: next((line.split(":", 1)[1].strip() for line in info.splitlines() if line.startswith(name)), "")  # noqa: E731
    flags = field("flags").split()
    simd = [f for f in flags if f.startswith(("avx", "fma", "f16c", "amx"))]
    return {"model": field("model name"), "family": field("cpu family"), "simd": sorted(simd), "cores": field("cpu cores")}


def build() -> dict:
    """Which llama.cpp build this venv holds (scripts/install-llama.sh records it)."""
    import llama_cpp

    stamp = Path(sys.prefix) / "talkqa-llama-build.json"
    recorded = json.loads(stamp.read_text()) if stamp.exists() else {}
    return {"llama_cpp_python": llama_cpp.__version__, "tag": recorded.get("tag", "unknown")}


def save_prompts(questions: int, out: Path) -> None:
    """The chain's prompts for the first answerable dev questions, as role/content messages."""
    sys.path.insert(0, str(ROOT))
    from app.answer.state import AnswerState
    from app.core.config import Settings
    from app.service import Service
    from eval.dataset import load_questions

    service = Service(Settings())
    chain = service.answer_chain(llm=None)
    picked = [q for q in load_questions() if q.type != "unanswerable"][:questions]
    prompts = []
    for question in picked:
        prepared = chain.prepare().invoke(AnswerState.start(question.question))
        roles = {"system": "system", "human": "user", "ai": "assistant"}
        prompts.append({"id": question.id, "messages": [{"role": roles[m.type], "content": str(m.content)} for m in prepared.messages]})
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(prompts, indent=1, ensure_ascii=False))
    print(f"{len(prompts)} prompts -> {out}")


def model_path() -> str:
    return str(Path.home() / ".cache" / "talkqa" / "models" / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf")


def load(variant: dict, path: str):
    from llama_cpp import Llama

    kwargs = {**BASE, **{k: v for k, v in variant.items() if k != "draft"}}
    if variant.get("draft"):
        from llama_cpp.llama_speculative import LlamaPromptLookupDecoding

        kwargs["draft_model"] = LlamaPromptLookupDecoding(num_pred_tokens=variant["draft"])
    return Llama(model_path=path, **kwargs)


def answer_one(llm, messages: list[dict], max_tokens: int) -> dict:
    """One streamed answer from a cold context: first token, total, tokens read and written."""
    llm.reset()
    started = time.perf_counter()
    first, text = None, []
    for part in llm.create_chat_completion(messages=messages, stream=True, temperature=0.0, max_tokens=max_tokens, seed=0):
        delta = part["choices"][0].get("delta", {}).get("content")
        if delta:
            first = first or time.perf_counter()
            text.append(delta)
    total = time.perf_counter() - started
    answer = "".join(text)
    written = len(llm.tokenize(answer.encode(), add_bos=False, special=False))
    read = llm.n_tokens - written
    first_s = (first or time.perf_counter()) - started
    return {"first_token_s": round(first_s, 3), "total_s": round(total, 3), "prompt_tokens": read,
            "answer_tokens": written, "prompt_tps": round(read / first_s, 1),
            "decode_tps": round(max(written - 1, 0) / max(total - first_s, 1e-6), 1), "answer": answer}


def raw_prompt_tps(llm, messages: list[dict]) -> float:
    """The limit: ``Llama.eval`` of the prompt's tokens, nothing around it."""
    text = "\n".join(m["content"] for m in messages)
    tokens = llm.tokenize(text.encode())
    llm.reset()
    started = time.perf_counter()
    llm.eval(tokens)
    return round(len(tokens) / (time.perf_counter() - started), 1)


def run(prompts_file: Path, name: str, out: Path, max_tokens: int, path: str) -> None:
    prompts = json.loads(prompts_file.read_text())
    variant = VARIANTS[name]
    loaded = time.perf_counter()
    llm = load(variant, path)
    load_s = time.perf_counter() - loaded
    answer_one(llm, prompts[0]["messages"], 8)  # warm-up: weights paged in, kernels chosen
    rows = [{"id": p["id"], **answer_one(llm, p["messages"], max_tokens)} for p in prompts]
    raw = [raw_prompt_tps(llm, p["messages"]) for p in prompts[:3]]
    median = lambda key: round(statistics.median(r[key] for r in rows), 3)  # noqa: E731
    record = {
        "variant": name, "settings": {**BASE, **variant}, "build": build(), "cpu": cpu(),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(), "load_s": round(load_s, 2), "prompts": len(rows),
        "median": {k: median(k) for k in ("first_token_s", "total_s", "prompt_tps", "decode_tps", "prompt_tokens", "answer_tokens")},
        "raw_prompt_tps": raw, "rows": rows,
    }
    with out.open("a") as handle:
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(json.dumps({k: record[k] for k in ("variant", "build", "median", "raw_prompt_tps", "load_s")}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="step", required=True)
    p = sub.add_parser("prompts")
    p.add_argument("--questions", type=int, default=8)
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "prompts.json")
    r = sub.add_parser("run")
    r.add_argument("--prompts", type=Path, default=ROOT / "bench" / "out" / "prompts.json")
    r.add_argument("--variant", choices=sorted(VARIANTS), default="default")
    r.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "llm-speed.jsonl")
    r.add_argument("--max-tokens", type=int, default=320)
    r.add_argument("--model", default=model_path())
    args = parser.parse_args()
    if args.step == "prompts":
        save_prompts(args.questions, args.out)
    else:
        run(args.prompts, args.variant, args.out, args.max_tokens, args.model)


if __name__ == "__main__":
    main()
