"""`talkqa eval-compare`'s output: Markdown tables to paste into docs, or JSON to commit as the artefact.

The command's arguments are parsed here too, so that app/cli.py only wires the
command (the CLI is a surface; the comparison belongs to the evaluation).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from app.core.errors import InputError
from eval.compare import Comparison, MetricSummary, Side, compare


def _num(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.0f}" if abs(value) >= 100 else f"{value:.3f}"


def _signed(value: float) -> str:
    return f"{value:+.0f}" if abs(value) >= 100 else f"{value:+.3f}"


def _name(s: MetricSummary) -> str:
    return s.metric if s.higher_is_better else f"{s.metric} (lower is better)"


def _cells(s: MetricSummary) -> list[str]:
    return [str(s.n), _num(s.mean_a), _num(s.mean_b), _signed(s.diff), f"[{_signed(s.ci_low)}, {_signed(s.ci_high)}]",
            f"{s.b_better} / {s.ties} / {s.a_better}", f"{s.sign_p:.3g}"]


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + ["| " + " | ".join(r) + " |" for r in rows]


def _describe(label: str, side: Side) -> str:
    facts = [f"model `{side.model}`" if side.model else "", f"judge {side.judge}" if side.judge else "",
             f"fingerprint `{side.fingerprint}`" if side.fingerprint else ""]
    return f"**{label}**: `{side.system}` in `{side.run}` ({', '.join(f for f in facts if f) or 'no metrics.json'})"


def to_markdown(c: Comparison) -> str:
    """Overall and per-type tables, then the questions on which one side did better."""
    columns = ["n", "A", "B", "B − A", "95% CI", "B better / tie / A better", "sign test p"]
    out = ["# Paired comparison: B − A", "", _describe("A", c.a) + "  ", _describe("B", c.b), "",
           f"{len(c.questions)} questions paired on their id"
           + (f"; only in A: {', '.join(c.only_in_a)}" if c.only_in_a else "")
           + (f"; only in B: {', '.join(c.only_in_b)}" if c.only_in_b else "") + ". "
           f"A metric counts the questions where both sides have a value (n). 95% CI: paired bootstrap over questions "
           f"({c.resamples:,} resamples, seed {c.seed}). p: two-sided exact sign test, ties left out.", ""]
    if c.changed_text:
        out += [f"Warning: the question text differs between the runs for {', '.join(c.changed_text)}; they are paired on id anyway.", ""]
    out += ["## Overall", ""] + _table(["metric"] + columns, [[_name(s)] + _cells(s) for s in c.overall]) + [""]
    out += ["## By question type", ""] + _table(["type", "metric"] + columns,
                                                [[t, _name(s)] + _cells(s) for t, group in c.by_type.items() for s in group]) + [""]
    rows, tied = [], 0
    for q in c.questions:
        b_won = [m for m, p in q.scores.items() if p.better == "B"]
        a_won = [m for m, p in q.scores.items() if p.better == "A"]
        if b_won or a_won:
            rows.append([q.id, q.type, ", ".join(b_won) or "–", ", ".join(a_won) or "–"])
        else:
            tied += 1
    out += ["## Per question", "", f"{tied} questions tie on every metric compared; the others:", ""]
    out += _table(["question", "type", "B better on", "A better on"], rows) + [""]
    return "\n".join(out)


def _rounded(value):
    """4 significant digits: enough for any figure in the docs, small enough to commit."""
    if isinstance(value, float):
        return float(f"{value:.4g}")
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def to_json(c: Comparison) -> str:
    """The summaries indented; each question on one line as {metric: [A, B, better]} for the metrics both sides
    hold, so that a committed comparison stays small and diffs line by line."""
    data = _rounded(asdict(c))
    questions = data.pop("questions")
    data["question_scores"] = "metric: [A, B, better side]"
    lines = [json.dumps({"id": q["id"], "type": q["type"],
                         "scores": {m: [p["a"], p["b"], p["better"]] for m, p in q["scores"].items() if p["better"]}},
                        ensure_ascii=False, separators=(",", ":")) for q in questions]
    head = json.dumps(data, ensure_ascii=False, indent=1)[:-2]  # reopen the object: its closing "\n}"
    return head + ',\n "questions": [\n  ' + ",\n  ".join(lines) + "\n ]\n}"


def parse_systems(systems: str) -> tuple[str, str]:
    """"ours" -> both sides ours; "ours,baseline" -> A ours, B baseline."""
    names = [s.strip() for s in systems.split(",") if s.strip()]
    if len(names) not in (1, 2):
        raise InputError(f"--systems takes SYSTEM or A_SYSTEM,B_SYSTEM, not {systems!r}")
    return names[0], names[-1]


def run_command(run_a: Path, run_b: Path | None, systems: str, metrics: str | None, as_json: bool) -> str:
    """What `talkqa eval-compare` prints: RUN_B defaults to RUN_A, for two systems of one run."""
    system_a, system_b = parse_systems(systems)
    asked = [m.strip() for m in metrics.split(",") if m.strip()] if metrics else None
    result = compare(run_a, run_b if run_b is not None else run_a, system_a, system_b, asked)
    return to_json(result) + "\n" if as_json else to_markdown(result)
