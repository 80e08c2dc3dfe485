"""The ``talkqa`` command line.

Every command builds the one ``Settings`` object here and passes it down.
Errors a user can act on print one line, ``error: ...``, and exit with the
code of their kind (see app/errors.py and the README); nothing prints a
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

from app.cli_errors import OneLineErrorGroup
from app.config import Settings
from app.errors import InputError, TalkqaError

EXIT_CODES = """Exit codes: 0 ok, 1 unexpected error, 2 bad input (file, question, option),
3 no usable index (run `talkqa ingest`; --rebuild after changing the embedding model or when it is corrupt),
4 LLM unreachable or timed out, 5 a model file missing or corrupt, 6 another ingest is writing (--no-wait),
7 the data dir is read-only (writing refused; reading works), 130 interrupted."""


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
    """What every command gets: the settings, and the components built from them on first use."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._store = None

    @property
    def store(self):
        if self._store is None:
            from app.models.embeddings import cached_embeddings
            from app.store import TalkStore

            self._store = TalkStore(self.settings, cached_embeddings(self.settings))
        return self._store


@click.group(cls=OneLineErrorGroup, epilog=EXIT_CODES)
@click.version_option(package_name="talkqa")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Answers questions about a collection of research-talk abstracts, citing the talks."""
    try:
        settings = Settings()
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        _fail(f"bad setting {where}: {first['msg']} (check TALKQA_* variables and .env)", 2)
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


def _ranges(lines) -> str:
    return ", ".join(f"{s}" if s == e else f"{s}-{e}" for s, e in lines)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="A JSON array, one object a talk.")
@click.pass_obj
@handle_errors
def talks(obj: Context, as_json: bool) -> None:
    """List the indexed talks."""
    catalog = obj.store.catalog()
    if as_json:
        click.echo(json.dumps([t.summary() for t in catalog.talks], indent=1, ensure_ascii=False))
        return
    for talk in catalog.talks:
        speaker = f" — {talk.speaker}" if talk.speaker else ""
        click.echo(f"{talk.id}  {Path(talk.source).name}:{_ranges(talk.lines):<9} {talk.title}{speaker}")
    click.echo(f"{len(catalog.talks)} talks", err=True)


@cli.command()
@click.argument("talk_id")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
@handle_errors
def talk(obj: Context, talk_id: str, as_json: bool) -> None:
    """Show one talk in full (an unambiguous id prefix is enough)."""
    catalog = obj.store.catalog()
    matches = [t for t in catalog.talks if t.id.startswith(talk_id)]
    if len(matches) != 1:
        raise InputError(f"no talk with id {talk_id!r}" if not matches else f"{talk_id!r} matches {len(matches)} talks")
    found = matches[0]
    if as_json:
        click.echo(found.model_dump_json(indent=1))
        return
    click.echo(click.style(found.title, bold=True))
    click.echo(f"id: {found.id}")
    if found.speaker:
        click.echo(f"speaker: {found.speaker}")
    if found.coauthors:
        click.echo(f"with: {', '.join(found.coauthors)}")
    click.echo(f"source: {found.source} lines {_ranges(found.lines)}")
    for link in found.links:
        click.echo(f"link: {link}")
    click.echo("")
    click.echo(found.abstract)
    for note in found.notes:
        click.echo("")
        click.echo(note)


# ------------------------------------------------------------------ answering


def with_backend(settings: Settings, backend: str | None) -> Settings:
    """The settings with ``--backend`` applied (a copy: the original is shared)."""
    if not backend:
        return settings
    return settings.model_copy(update={"llm": settings.llm.model_copy(update={"backend": backend})})


def _retrieval_only(chain, question: str):
    """The --no-llm / --fallback answer: top talks with their best sentences, no model."""
    from app.answer.chain import Answer

    answer = Answer(question=question, query=question)
    for kind, value in chain.stream(question):
        if kind == "answer":
            answer = value
    return answer


def _print_sources(answer) -> None:
    if not answer.sources:
        return
    cited = set(answer.cited) or {s.n for s in answer.sources}
    click.echo("\nSources:")
    for source in answer.sources:
        if source.n not in cited:
            continue
        talk = source.talk
        speaker = f" — {talk.speaker}" if talk.speaker else ""
        link = f"  {talk.links[0]}" if talk.links else ""
        click.echo(f"[{source.n}] {talk.title}{speaker} ({Path(talk.source).name} lines {_ranges(talk.lines)}){link}")


@cli.command()
@click.argument("question")
@click.option("--k", type=click.IntRange(1, 50), help="How many talks to retrieve (default: settings).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (stable shape) instead of streaming.")
@click.option("--backend", type=click.Choice(["local", "openai"]), help="Override the LLM backend.")
@click.option("--no-llm", is_flag=True, help="Retrieval only: the top talks and their best sentences, instantly.")
@click.option("--fallback", is_flag=True, help="If the LLM is unreachable, give the retrieval-only answer instead of failing.")
@click.pass_obj
@handle_errors
def ask(obj: Context, question: str, k: int | None, as_json: bool, backend: str | None, no_llm: bool, fallback: bool) -> None:
    """Answer QUESTION from the talks, citing them."""
    from app.errors import LLMUnavailableError
    from app.answer.grounding import is_supported
    from app.models.llm import chat_model
    from app.service import build_chain

    settings = with_backend(obj.settings, backend)
    retrieval = build_chain(settings, with_llm=False, k=k, store=obj.store)
    retrieval.check_question(question)
    if no_llm:
        _emit_retrieval_only(_retrieval_only(retrieval, question), as_json)
        return
    try:
        chain = retrieval.with_llm(chat_model(settings))  # one retriever: the index is read once
        answer = None
        for kind, value in chain.stream(question):
            if kind == "token" and not as_json:
                click.echo(value, nl=False)
            elif kind == "answer":
                answer = value
    except LLMUnavailableError as err:
        if not fallback:
            raise
        click.echo(f"warning: {err}; showing the retrieval-only answer", err=True)
        _emit_retrieval_only(_retrieval_only(retrieval, question), as_json)
        return
    if as_json:
        click.echo(json.dumps(answer.to_json(), indent=2, ensure_ascii=False))
        return
    click.echo("")
    weak = [s for s in answer.sentences if not is_supported(s["support"])]
    if not answer.abstained:
        note = f" ({len(weak)} of {len(answer.sentences)} sentences weakly supported)" if weak else ""
        click.echo(f"\nSupport: {answer.support:.2f}{note}")
    _print_sources(answer)


def _emit_retrieval_only(answer, as_json: bool) -> None:
    if as_json:
        payload = answer.to_json()
        payload["citations"] = [s.citation() for s in answer.sources]
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    if not answer.sources:
        click.echo("No talk matches the question.")
        return
    for source in answer.sources:
        talk = source.talk
        speaker = f" — {talk.speaker}" if talk.speaker else ""
        click.echo(click.style(f"[{source.n}] {talk.title}{speaker}", bold=True) + f"  ({Path(talk.source).name} lines {_ranges(talk.lines)})")
        for sentence in source.sentences:
            click.echo(f"    {sentence}")


@cli.command()
@click.argument("query")
@click.option("--k", type=click.IntRange(1, 50), help="How many talks (default: settings).")
@click.option("--json", "as_json", is_flag=True, help="Print {query, results: [...]} as JSON.")
@click.pass_obj
@handle_errors
def search(obj: Context, query: str, k: int | None, as_json: bool) -> None:
    """Retrieval only: the talks that best match QUERY."""
    from app.service import build_chain

    chain = build_chain(obj.settings, with_llm=False, k=k, store=obj.store)
    answer = _retrieval_only(chain, query)
    if as_json:
        results = [
            {"talk_id": s.talk.id, "title": s.talk.title, "lines": [list(r) for r in s.talk.lines], "score": s.score, "snippet": s.snippet}
            for s in answer.sources
        ]
        click.echo(json.dumps({"query": query, "results": results}, indent=2, ensure_ascii=False))
        return
    _emit_retrieval_only(answer, False)


# ------------------------------------------------------------------ browser chat


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind; other hosts only when asked.")
@click.option("--port", default=7860, show_default=True, type=click.IntRange(1, 65535))
@click.option("--share", is_flag=True, help="Also open a public Gradio share link (off unless asked).")
@click.pass_obj
@handle_errors
def chat(obj: Context, host: str, port: int, share: bool) -> None:
    """Open the browser chat: streamed cited answers, a sources panel, a talk browser.

    Login: TALKQA_AUTH="user:password" or the path of a file of such lines.
    """
    from app.web.app import serve

    serve(obj.settings, host=host, port=port, share=share)


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
@click.pass_obj
@handle_errors
def eval_command(obj: Context, questions: Path | None, limit: int | None, backend: str | None, judge: str,
                 judge_pairs: int, out: Path, fast: bool) -> None:
    """Evaluate retrieval, citations and grounding against the bundled questions, beside a naive baseline."""
    from eval.harness import EvalOptions, run_eval

    settings = with_backend(obj.settings, backend)
    options = EvalOptions(out=out, limit=limit, judge=judge, fast=fast, llm_judge_pairs=judge_pairs)
    if questions:
        options.questions = questions
    metrics = run_eval(settings, obj.store, options)
    ours, base = metrics["retrieval"]["ours"]["all"], metrics["retrieval"]["baseline"]["all"]
    click.echo(f"retrieval recall@5 {ours['recall@5']:.3f} (baseline {base['recall@5']:.3f}), "
               f"MRR {ours['mrr']:.3f} (baseline {base['mrr']:.3f})")
    for name, a in metrics["judges"].items():
        click.echo(f"judge {name}: accuracy {a['accuracy']:.3f}, kappa {a['kappa']:.3f} on {a['n']} labelled pairs")
    click.echo(f"report: {out / 'report.md'}")


def main() -> None:
    cli(prog_name="talkqa")


if __name__ == "__main__":
    main()
