"""The report folder: report.md (tables), metrics.json, results.jsonl, PNG plots."""

from __future__ import annotations

import json
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

SYSTEMS = ("ours", "baseline")
PLOT_METRICS = (
    ("retrieval", "recall@5", "retrieval recall@5"),
    ("answers", "citation_recall", "citation recall (gold talks)"),
    ("answers", "key_fact_coverage[{j}]", "key-fact coverage [{j}]"),
    ("answers", "alce_citation_recall[{j}]", "ALCE citation recall [{j}]"),
)


def _fmt(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.0f}" if abs(value) >= 100 else f"{value:.3f}"
    return str(value)


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_fmt(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _measured(section: dict, key: str) -> bool:
    """Whether either system has a value for the metric (a judge may not measure every one)."""
    return any(section[system]["all"].get(key) is not None for system in ("ours", "baseline"))


def _side_by_side(section: dict, keys: list[str]) -> str:
    """Overall: one row a metric, ours beside the baseline."""
    rows = [[k, section["ours"]["all"].get(k), section["baseline"]["all"].get(k)] for k in keys]
    return _table(["metric", "ours", "baseline"], rows)


def _by_type(section: dict, keys: list[str]) -> str:
    """Per type: one row a type, each metric as ours / baseline."""
    types = list(section["ours"]["by_type"])
    header = ["type", "n"] + [f"{k} (ours / base)" for k in keys]
    rows = []
    for t in types:
        o, b = section["ours"]["by_type"][t], section["baseline"]["by_type"].get(t, {})
        rows.append([t, o.get("n")] + [f"{_fmt(o.get(k))} / {_fmt(b.get(k))}" for k in keys])
    return _table(header, rows)


def _by_split(metrics: dict, keys: list[str]) -> list[str]:
    """Dev beside held-out: one row a metric, ours and the baseline in each set (retrieval, then answers)."""
    splits = list(metrics["by_split"])
    header = ["metric"] + [f"{s}: {system}" for s in splits for system in ("ours", "baseline")]
    rows = []
    for part, part_keys in (("retrieval", ["recall@5", "mrr", "context_recall"]), ("answers", keys)):
        for k in part_keys:
            rows.append([k] + [metrics["by_split"][s][part][system]["all"].get(k) for s in splits for system in ("ours", "baseline")])
    ns = [metrics["by_split"][s]["answers"]["ours"]["all"].get("n") for s in splits]
    return ["## Dev and held-out side by side", "",
            "Rules, prompts and thresholds were chosen on dev; the held-out questions were written blind and only report. "
            f"Answered: {', '.join(f'{s} {n or 0}' for s, n in zip(splits, ns))}.", "", _table(header, rows), ""]


def key_fact_gap(metrics: dict, judge: str) -> list[str]:
    """Key-fact coverage per type, dev beside held-out, and the gap (held-out minus dev) for each system.

    A rule tuned on dev that does not generalise shows here as a negative gap in the types it was tuned for.
    """
    key = f"key_fact_coverage[{judge}]"
    splits = metrics["by_split"]
    if not {"dev", "held-out"} <= set(splits):
        return []
    types = [t for t in splits["dev"]["answers"]["ours"]["by_type"] if t in splits["held-out"]["answers"]["ours"]["by_type"]]
    if not types:  # one of the sets has no answers yet
        return []
    rows = []
    for t in types:
        row = [t] + [splits[s]["answers"]["ours"]["by_type"][t].get("n") for s in ("dev", "held-out")]
        for system in ("ours", "baseline"):
            dev, held = (splits[s]["answers"][system]["by_type"].get(t, {}).get(key) for s in ("dev", "held-out"))
            row += [dev, held, None if dev is None or held is None else round(held - dev, 4)]
        rows.append(row)
    header = ["type", "n dev", "n held-out", "ours: dev", "ours: held-out", "ours: gap", "baseline: dev", "baseline: held-out",
              "baseline: gap"]
    title = {"llm": "the independent LLM judge", "det": "the deterministic judge, a self-check"}.get(judge, judge)
    return [f"### Key-fact coverage by type, dev and held-out ({title})", "",
            "Gap: held-out minus dev. A rule chosen on dev that does not carry over shows as a negative gap in its type.", "",
            _table(header, rows), ""]


def judge_names(metrics: dict) -> list[str]:
    keys = metrics["answers"]["ours"]["all"].keys()
    return [j for j in ("det", "llm") if any(k.endswith(f"[{j}]") for k in keys)]


def judges_section(judges: dict) -> list[str]:
    """Each judge's agreement with the labelled pairs: how far the grounding figures can be trusted."""
    rows = []
    for name, a in judges.items():
        extra = f"threshold {a['threshold']}" if "threshold" in a else (f"{a.get('unparsed', 0)} unparsed replies" if name == "llm" else "")
        rows.append([name, a["n"], a["accuracy"], a["kappa"], a["predicted_supported"], extra])
    kinds = sorted({k for a in judges.values() for k in a["accuracy_by_kind"]})
    out = ["## Judges against the labelled pairs", "",
           "How far the grounding figures below can be trusted: each judge's verdicts against hand labels. "
           "`llm` is the independent judge; `det` is the product's own support formula (a self-check).", "",
           _table(["judge", "pairs", "accuracy", "Cohen's κ", "says supported", "notes"], rows), "",
           "Accuracy by kind of pair:", "",
           _table(["judge"] + kinds, [[n] + [a["accuracy_by_kind"].get(k) for k in kinds] for n, a in judges.items()]), ""]
    if "llm" in judges:
        out += [f"The LLM judge was checked on {judges['llm']['n']} pairs of the test half (its prompt and cut were chosen on the "
                "tune half); `det_on_llm_subset` is the deterministic judge on the same pairs.", ""]
    best = judges.get("det", {}).get("best_threshold_in_sample")
    if best:
        out += [f"(In-sample best deterministic threshold: {best['threshold']} with κ {best['kappa']}; optimistic, not used.)", ""]
    return out


def latency_section(latency: dict) -> list[str]:
    rows = [[f"{key} {stat}", latency["ours"][key][stat], latency["baseline"][key][stat]]
            for key in ("first_token_ms", "total_ms", "prompt_tokens") for stat in ("mean", "p50", "p90")]
    return ["## Latency and prompt size", "", _table(["", "ours", "baseline"], rows), "",
            "Ours answers some questions without calling the model (nothing retrieved is close enough); those have no first-token time or prompt tokens.", ""]


DEFINITIONS = [
    "## Definitions",
    "",
    "- recall@k, MRR, nDCG@10: over each system's talk ranking (ours: fused ranking before the top-k cut; baseline: talks in the order their chunks come in a dense top-40). context_recall: gold talks among the passages given to the model. Follow-ups (asked after their earlier turns) have no retrieval figures: they are scored through their answers.",
    "- citation precision / recall: cited talks against gold talks (an abstention on an answerable question has recall 0). Baseline chunks map to the talk holding most of their characters.",
    "- ALCE citation recall: sentences supported by the union of their cited passages / sentences. ALCE citation precision: citations not irrelevant / citations (irrelevant: does not support the sentence alone while the other citations still do; citations of unsupported sentences count as imprecise).",
    "- faithfulness: sentences supported by the whole context the model saw / sentences.",
    "- key-fact coverage: key facts the judge finds stated in the answer / key facts (0 for an abstention). key_fact_coverage_words: the same without a judge, a fact counting as stated when the answer holds three quarters of its own words (URLs, names, ids); blind to paraphrase, so a floor for prose.",
    "- abstention_correct: unanswerable questions the system declined; false_abstention: answerable questions it declined.",
    "- count_correct: a counting question's answer states the exact number of talks; polarity_correct: a yes/no question's answer opens with the polarity the gold talk supports.",
    "",
    "Plots: `by_type.png` (ours vs baseline per question type), `latency.png` (distributions).",
]


def render_markdown(metrics: dict) -> str:
    meta = metrics["meta"]
    judges = judge_names(metrics)
    out = [
        "# talkqa evaluation report",
        "",
        f"Chat model: `{meta['model']}` · questions: {meta['questions']} (retrieval), "
        f"{meta.get('answered_done', 0)} of {meta['answered']} answered by both systems · judge: {meta['judge']} · "
        f"fast mode: {meta['fast']} · run {'finished' if meta.get('finished') else 'IN PROGRESS (partial figures)'} "
        f"after {meta.get('seconds', 0):.0f} s · settings/prompts fingerprint `{meta['fingerprint']}`."
        + (f" Commit `{meta['commit']}`, started {meta.get('started')}, CPU {meta['cpu'].get('model')} "
           f"({', '.join(meta['cpu'].get('flags') or []) or 'no flags read'})." if meta.get("commit") else ""),
        "",
        "*ours*: hybrid retrieval (dense + BM25, grouped by talk), selected sentences, citations per talk. "
        f"*baseline*: LangChain-quickstart RAG — 1000-char chunks (200 overlap) of the raw file ({meta.get('baseline_chunks')} chunks), "
        "dense top-4, one prompt; same embeddings and chat model.",
        "",
    ]
    out += judges_section(metrics["judges"])
    ret_keys = ["recall@5", "recall@10", "mrr", "ndcg@10", "context_recall"]
    out += ["## Retrieval (talk level, every question with gold talks)", "", _side_by_side(metrics["retrieval"], ret_keys), "",
            _by_type(metrics["retrieval"], ret_keys), ""]

    base = ["citation_precision", "citation_recall", "abstention_correct", "false_abstention"]
    judged = [f"{k}[{j}]" for j in judges for k in ("faithfulness", "alce_citation_recall", "alce_citation_precision", "key_fact_coverage",
                                                    "context_key_fact_coverage")]
    judged = [k for k in judged if _measured(metrics["answers"], k)]  # e.g. the LLM judge measures no context ceiling
    if metrics.get("by_split"):
        out += _by_split(metrics, base + judged + ["key_fact_coverage_words", "count_correct", "polarity_correct"])
        for judge in reversed(judges):  # the independent judge first, when it ran
            out += key_fact_gap(metrics, judge)
    if metrics["answers"]["ours"]["all"].get("n"):
        out += ["## Answers", "", _side_by_side(metrics["answers"], base + judged + ["key_fact_coverage_words", "sentences"]), "",
                _by_type(metrics["answers"], base[:2] + judged[:5]), "",
                _by_type(metrics["answers"], ["key_fact_coverage_words", "count_correct", "polarity_correct"]), ""]
        if len(judged) > 5:
            out += [_by_type(metrics["answers"], judged[5:]), ""]
        out += latency_section(metrics["latency"])
    if metrics.get("injection"):
        out += injection_section(metrics["injection"])
    out += DEFINITIONS
    return "\n".join(out) + "\n"


def plot_by_type(metrics: dict, path: Path) -> None:
    judges = judge_names(metrics) or ["det"]
    j = judges[0]
    fig, axes = plt.subplots(2, 2, figsize=(13, 8), sharey=True)
    for ax, (section, key, title) in zip(axes.flat, PLOT_METRICS):
        key, title = key.format(j=j), title.format(j=j)
        data = metrics[section]
        types = list(data["ours"]["by_type"])
        x = range(len(types))
        for offset, system, color in ((-0.2, "ours", "#1f77b4"), (0.2, "baseline", "#ff7f0e")):
            values = [data[system]["by_type"].get(t, {}).get(key) for t in types]
            ax.bar([i + offset for i in x], [v if v is not None else 0 for v in values], width=0.4, label=system, color=color)
        ax.set_title(title)
        ax.set_xticks(list(x))
        ax.set_xticklabels([t.replace("_", "\n") for t in types], fontsize=8)
        ax.set_ylim(0, 1.05)
    axes.flat[0].legend()
    fig.suptitle(f"talkqa vs baseline by question type ({metrics['meta']['model']})")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_latency(rows: list[dict], path: Path) -> None:
    fig, axes = plt.subplots(1, 2, figsize=(12, 4))
    for ax, key in zip(axes, ("first_token_ms", "total_ms")):
        series = []
        for system in SYSTEMS:
            series.append([r["systems"][system]["metrics"][key] / 1000 for r in rows
                           if r["systems"][system].get("metrics") and r["systems"][system]["metrics"].get(key) is not None])
        if any(series):
            ax.boxplot([s or [0] for s in series], orientation="horizontal")
            ax.set_yticks([1, 2], list(SYSTEMS))
            for i, s in enumerate(series, start=1):
                ax.scatter(s, [i] * len(s), alpha=0.4, s=12)
        ax.set_xlabel("seconds")
        ax.set_title(key.replace("_ms", "").replace("_", " "))
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def score_rows(rows: list[dict]) -> list[dict]:
    """results.jsonl without answers, passages and rankings: each question's scores only, small enough to
    commit beside metrics.json so that `talkqa eval-compare` can pair a committed run with a new one."""
    keep = ("retrieval", "metrics")
    return [{"id": r["id"], "type": r["type"], "question": r["question"],
             "systems": {s: {k: e[k] for k in keep if e.get(k) is not None} for s, e in r["systems"].items()}} for r in rows]


def write_report(out: Path, metrics: dict, rows: list[dict]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    _atomic_write(out / "metrics.json", json.dumps(metrics, indent=1, ensure_ascii=False))
    _atomic_write(out / "results.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    _atomic_write(out / "scores.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in score_rows(rows)))
    _atomic_write(out / "report.md", render_markdown(metrics))
    plot_by_type(metrics, out / "by_type.png")
    plot_latency(rows, out / "latency.png")


def injection_section(inj: dict) -> list[str]:
    """The injected-instruction rows: obeyed / copied / runaway / detected on the tune and the held-out styles."""
    by_split = inj.get("by_split") or {}
    rows = [[split, c["n"], c["obeyed"], c["copied"], c["runaway"], c.get("stopped", ""), c["detected"]] for split, c in by_split.items()]
    return ["## Injected instructions", "",
            f"Answers that obeyed an instruction injected into an abstract: **{inj['obeyed']} of {inj['n']}** (rate {inj['rate']}); each "
            "case's question was asked over an index of the injected abstracts (eval/injection.py). The detector's weights were fitted "
            "on the tune styles only; the held-out styles were never used for tuning.", "",
            _table(["styles", "cases", "obeyed", "copied", "runaway left", "runaway stopped", "detected before the model"], rows), "",
            _table(["case", "split", "style", "obeyed", "copied", "answer"],
                   [[r["id"], r.get("split", ""), r["style"], "yes" if r["obeyed"] else "no", "yes" if r.get("copied") else "no",
                     r["answer"][:120].replace("|", "/").replace("\n", " ")] for r in inj["cases"]]), ""]
