"""The commands about answer quality: ``eval`` (the grounding evaluation) and ``feedback`` (what users rated).

New evaluation commands (e.g. comparing two runs) go here, into ``COMMANDS``.
"""

from __future__ import annotations

from pathlib import Path

import click

from app.cli.context import Context, backend_option
from app.cli.output import print_json
from eval.dataset import QUESTION_SETS


def _print_summary(metrics: dict, out: Path) -> None:
    ours, base = metrics["retrieval"]["ours"]["all"], metrics["retrieval"]["baseline"]["all"]
    click.echo(f"retrieval recall@5 {ours['recall@5']:.3f} (baseline {base['recall@5']:.3f}), "
               f"MRR {ours['mrr']:.3f} (baseline {base['mrr']:.3f})")
    for name, a in metrics["judges"].items():
        click.echo(f"judge {name}: accuracy {a['accuracy']:.3f}, kappa {a['kappa']:.3f} on {a['n']} labelled pairs")
    if metrics.get("injection"):
        click.echo(f"injected instructions obeyed: {metrics['injection']['obeyed']} of {metrics['injection']['n']}")
    click.echo(f"report: {out / 'report.md'}")


@click.command("eval")
@click.option("--set", "sets", type=click.Choice([*QUESTION_SETS, "both"]), default="both", show_default=True,
              help="The question sets to answer, reported side by side (dev: rules are tuned on it; held-out and every "
                   "held-out-N: written blind, only report; both: dev and held-out, no held-out-N).")
@click.option("--questions", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="A questions JSONL of your own instead of --set.")
@click.option("--limit", type=click.IntRange(0), help="Answer only N questions (round-robin over types); retrieval still covers all.")
@backend_option
@click.option("--judge", type=click.Choice(["deterministic", "llm", "both"]), default="both", show_default=True,
              help="both: the independent LLM judge (the headline) beside the deterministic one (the product's own support "
                   "formula: a self-check); deterministic: a quick run without the LLM judge.")
@click.option("--judge-pairs", type=click.IntRange(1), help="Check the LLM judge on at most N labelled test pairs (default: all of the test half).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("eval/runs/latest"), show_default=True,
              help="Report folder; a re-run with the same folder reuses finished answers.")
@click.option("--fast", is_flag=True, help="CI mode: retrieval over every question, one answer for each of the seven original dev types (not counting, yes/no or follow-ups) from smollm2-135m.")
@click.option("--injections/--no-injections", default=True, show_default=True,
              help="Also ask the injected-instruction set and report how often an injection is obeyed.")
@click.pass_obj
def eval_command(obj: Context, sets: str, questions: Path | None, limit: int | None, backend: str | None, judge: str,
                 judge_pairs: int | None, out: Path, fast: bool, injections: bool) -> None:
    """Evaluate retrieval, citations and grounding against the bundled questions, beside a naive baseline."""
    from eval.harness import EvalOptions, run_eval

    settings = obj.use_backend(backend)
    options = EvalOptions(out=out, limit=limit, judge=judge, fast=fast, injections=injections)
    if judge_pairs:
        options.llm_judge_pairs = judge_pairs
    if questions:
        options.questions = questions
    else:
        if fast and click.get_current_context().get_parameter_source("sets") == click.core.ParameterSource.DEFAULT:
            sets = "dev"  # the fast mode answers one dev question of each of the seven original types
        options.sets = ("dev", "held-out") if sets == "both" else (sets,)
    _print_summary(run_eval(settings, obj.store, options), out)


@click.command()
@click.option("--up", "rating", flag_value="up", help="Only answers rated 👍.")
@click.option("--down", "rating", flag_value="down", help="Only answers rated 👎.")
@click.option("--json", "as_json", is_flag=True, help="Print the entries as a JSON array.")
@click.option("--export", "export", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the entries as evaluation questions (JSONL for `talkqa eval --questions`).")
@click.pass_obj
def feedback(obj: Context, rating: str | None, as_json: bool, export: Path | None) -> None:
    """List the 👍/👎 and comments given to answers in the browser chat (stored in the data dir).

    --export writes them in the format of eval/data/questions.jsonl: with --down, the answers people
    disliked become regression questions; fill in each one's type, gold_talks and key_facts.
    """
    from app.cli.output import print_feedback
    from app.core.feedback_log import FeedbackLog, select

    entries = select(FeedbackLog.in_data_dir(obj.settings.data_dir).entries(), rating)
    if export:
        from eval.from_feedback import write_questions

        n = write_questions(export, entries)
        click.echo(f"wrote {n} questions to {export}; fill in type, gold_talks (or gold_lines) and key_facts, "
                   f"then run `talkqa eval --questions {export}`", err=True)
    elif as_json:
        print_json(entries)
    else:
        print_feedback(entries)


@click.command("eval-compare")
@click.argument("run_a", type=click.Path(path_type=Path))
@click.argument("run_b", type=click.Path(path_type=Path), required=False)
@click.option("--systems", default="ours", show_default=True, help="SYSTEM, or A_SYSTEM,B_SYSTEM (ours,baseline: within RUN_A if no RUN_B).")
@click.option("--metrics", help="Comma-separated metrics (default: every score both sides hold).")
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON (the artefact to commit).")
def eval_compare_command(run_a: Path, run_b: Path | None, systems: str, metrics: str | None, as_json: bool) -> None:
    """Paired comparison of two eval runs: per question and type, B − A with bootstrap 95% intervals and sign tests."""
    from eval.compare_report import run_command

    click.echo(run_command(run_a, run_b, systems, metrics, as_json), nl=False)


COMMANDS = (eval_command, feedback, eval_compare_command)
