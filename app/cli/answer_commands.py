"""The commands that answer: ``ask`` (cited answer) and ``search`` (retrieval only).

Both go through a running ``talkqa serve``/``chat`` of the same data dir and settings when
there is one (app/cli/client.py), and otherwise answer in this process.
"""

from __future__ import annotations

import sys

import click

from app.cli.context import Context, backend_option
from app.cli.output import Draft, answer_text, print_json, retrieval_only_text
from app.core.errors import InputError
from app.core.question import EMPTY

NO_SERVER_HELP = "Run in this process even when a running `talkqa serve`/`chat` of this data dir could answer."


def _generate(service, question: str, k: int | None, strict: bool, show_draft: bool):
    """The checked answer; on a terminal the model's draft streams in first and is erased."""
    stream = service.answer_chain(k=k).ask(question, strict=strict)
    draft = Draft(enabled=show_draft, sources=stream.sources)
    if stream.preview.quotes:  # the sources' own words while the model reads its prompt
        draft.show_first(stream.preview.render() + "\n\n")
    for token in stream:
        draft.write(token)
    answer = stream.result()
    draft.erase()
    return answer


@click.command()
@click.argument("question")
@click.option("--k", type=click.IntRange(1, 50), help="How many talks to retrieve (default: settings).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (stable shape) instead of streaming.")
@backend_option
@click.option("--no-llm", is_flag=True, help="Retrieval only: the top talks and their best sentences, instantly.")
@click.option("--fallback", is_flag=True, help="If the LLM is unreachable, give the retrieval-only answer instead of failing.")
@click.option("--strict", is_flag=True, help="Leave out the sentences no source supports (otherwise they are flagged).")
@click.option("--no-server", is_flag=True, help=NO_SERVER_HELP)
@click.pass_obj
def ask(obj: Context, question: str, k: int | None, as_json: bool, backend: str | None, no_llm: bool, fallback: bool,
        strict: bool, no_server: bool) -> None:
    """Answer QUESTION from the talks, citing them.

    On a terminal the model's draft streams in, then is replaced by the checked answer: every sentence
    with the sources that support it, unsupported ones flagged (or left out with --strict).
    A running `talkqa serve` or `talkqa chat` of the same data dir and settings answers it at once.
    """
    if not question.strip():
        raise InputError(EMPTY)
    settings = obj.use_backend(backend)
    if not no_server:
        from app.cli import client as cli_client

        if cli_client.ask(settings, question, k=k, as_json=as_json, no_llm=no_llm, fallback=fallback, strict=strict):
            return
    from app.core.errors import LLMUnavailableError
    from app.core.question import check_question
    from app.models.tokens import encoding

    # Before the model loads: llama.cpp silences stderr while it loads, and would swallow the error line.
    check_question(question, settings.max_question_tokens, encoding(settings.chunks.encoding, settings.cache_dir / "tiktoken"))
    service = obj.service
    retrieval = service.answer_chain(k=k, llm=None)  # no usable index: fail here, before the model loads
    answer = None
    if not no_llm:
        service.start_loading_chat_model()  # side by side with retrieving
        try:
            answer = _generate(service, question, k, strict, show_draft=not as_json and sys.stdout.isatty())
        except LLMUnavailableError as err:
            if not fallback:
                raise
            click.echo(f"warning: {err}; showing the retrieval-only answer", err=True)
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


@click.command()
@click.argument("query")
@click.option("--k", type=click.IntRange(1, 50), help="How many talks (default: settings).")
@click.option("--json", "as_json", is_flag=True, help="Print {query, results: [...]} as JSON.")
@click.option("--no-server", is_flag=True, help=NO_SERVER_HELP)
@click.pass_obj
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


COMMANDS = (ask, search)
