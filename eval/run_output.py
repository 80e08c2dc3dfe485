"""A run's results as rows and aggregated metrics, written to the report folder (eval/report.py) as it goes."""

from __future__ import annotations

import time
from collections import defaultdict
from pathlib import Path

from eval import metrics as M
from eval.dataset import TYPES
from eval.run_state import SYSTEMS, EvalRun
from eval.scoring import RETRIEVAL_KEYS

ANSWER_KEYS = (
    "citation_precision",
    "citation_recall",
    "abstention_correct",
    "false_abstention",
    "first_token_ms",
    "total_ms",
    "prompt_tokens",
    "sentences",
    "count_correct",
    "polarity_correct",
    "key_fact_coverage_words",
)
JUDGED_KEYS = ("faithfulness", "alce_citation_recall", "alce_citation_precision", "key_fact_coverage", "context_key_fact_coverage")


def summarise(rows: list[dict], keys: list[str]) -> dict:
    """{"all": aggregate, "by_type": {type: aggregate}} over rows carrying a "type"."""
    by_type: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_type[r["type"]].append(r)
    order = [t for t in TYPES if t in by_type] + sorted(t for t in by_type if t not in TYPES)
    return {"all": M.aggregate(rows, keys), "by_type": {t: M.aggregate(by_type[t], keys) for t in order}}


def latency_summary(rows: list[dict]) -> dict:
    out = {}
    for key in ("first_token_ms", "total_ms", "prompt_tokens"):
        values = [r[key] for r in rows if r.get(key) is not None]
        out[key] = {
            "n": len(values),
            "mean": round(sum(values) / len(values), 1) if values else None,
            "p50": M.percentile(values, 50),
            "p90": M.percentile(values, 90),
        }
    return out


def build_metrics(results: list[dict], judge_agreement: dict, meta: dict, judge_names: list[str]) -> dict:
    """metrics.json: retrieval and answers per system (all, by type), latency, and ``by_split`` (each
    question set's own retrieval and answers) when the run answered more than one set."""
    answer_keys = list(ANSWER_KEYS) + [f"{k}[{j}]" for j in judge_names for k in JUDGED_KEYS]
    metrics = {"meta": meta, "judges": judge_agreement, "retrieval": {}, "answers": {}, "latency": {}}
    splits = list(dict.fromkeys(r.get("split", "dev") for r in results))
    if len(splits) > 1:
        metrics["by_split"] = {s: {"retrieval": {}, "answers": {}} for s in splits}
    for system in SYSTEMS:
        ret_rows = [{"type": r["type"], "split": r.get("split", "dev"), **r["systems"][system]["retrieval"]} for r in results]
        metrics["retrieval"][system] = summarise(ret_rows, list(RETRIEVAL_KEYS))
        ans_rows = [{"type": r["type"], "split": r.get("split", "dev"), **r["systems"][system]["metrics"]}
                    for r in results if r["systems"][system].get("metrics")]
        metrics["answers"][system] = summarise(ans_rows, answer_keys)
        metrics["latency"][system] = latency_summary(ans_rows)
        for split in metrics.get("by_split", {}):
            metrics["by_split"][split]["retrieval"][system] = summarise([r for r in ret_rows if r["split"] == split], list(RETRIEVAL_KEYS))
            metrics["by_split"][split]["answers"][system] = summarise([r for r in ans_rows if r["split"] == split], answer_keys)
    return metrics


def results_rows(run: EvalRun) -> list[dict]:
    """One row a question: gold, and per system its retrieval and (when answered) its answer and metrics."""
    rows = []
    for q in run.questions:
        row = {"id": q.id, "split": q.split, "type": q.type, "question": q.question, "history": q.history,
               "gold_talks": q.gold_talks, "key_facts": q.key_facts, "systems": {}}
        for system in SYSTEMS:
            found = run.retrieval[q.id][system]
            entry = {"retrieval": found["metrics"], "ranking": found["ranking"], "context": found["context"]}
            entry.update(run.per_question.get(q.id, {}).get(system, {}))
            row["systems"][system] = entry
        rows.append(row)
    return rows


def write_run(run: EvalRun, final: bool) -> dict:
    """Write the report folder from what is done so far; returns metrics.json's content."""
    from eval.report import write_report

    rows = results_rows(run)
    run.meta.update(seconds=round(time.time() - run.started, 1), finished=final, answered_done=len(run.per_question))
    metrics = build_metrics(rows, run.judge_agreement, run.meta, [j.name for j in run.judges])
    if run.injection is not None:
        metrics["injection"] = run.injection
    write_report(Path(run.options.out), metrics, rows)
    return metrics
