"""The ``talkqa`` command line: one click group, its commands in modules by job.

* app/cli/corpus_commands.py: ``ingest``, ``talks``, ``talk``, ``titles``;
* app/cli/answer_commands.py: ``ask``, ``search``;
* app/cli/serve_commands.py: ``chat``, ``serve``;
* app/cli/eval_commands.py: ``eval``, ``feedback``;
* app/cli/tool_commands.py: ``doctor``, ``setup``.

The group builds the one ``Settings`` object and passes it down (app/cli/context.py).
Errors a user can act on print one line, ``error: ...``, and exit with the code of
their kind (app/core/errors.py and the README); the group wraps every command for
that (app/cli/errors.py); nothing prints a traceback unless ``TALKQA_DEBUG=1``.
The command modules import what is heavy inside the commands, so ``talkqa search``
starts without the model or web stack.
"""

from __future__ import annotations

import click
from pydantic import ValidationError

from app.cli import answer_commands, corpus_commands, eval_commands, serve_commands, tool_commands
from app.cli.context import Context
from app.cli.errors import OneLineErrorGroup, fail
from app.core.config import Settings, describe_settings_error

EXIT_CODES = """Exit codes: 0 ok, 1 unexpected error, 2 bad input (file, question, option),
3 no usable index (run `talkqa ingest`; --rebuild after changing the embedding model or when it is corrupt),
4 LLM unreachable or timed out, 5 a model file missing or corrupt, 6 another ingest is writing (--no-wait),
7 the data dir is read-only (writing refused; reading works), 8 `talkqa setup` lacks a build tool or a step failed,
130 interrupted; `talkqa doctor` exits 1 when a check fails."""


@click.group(cls=OneLineErrorGroup, epilog=EXIT_CODES)
@click.version_option(package_name="talkqa")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Answers questions about a collection of research-talk abstracts, citing the talks."""
    try:
        settings = Settings()
    except ValidationError as err:
        fail(f"{describe_settings_error(err)} (check TALKQA_* variables and .env)", 2)
    ctx.obj = Context(settings)


for _module in (corpus_commands, answer_commands, serve_commands, eval_commands, tool_commands):
    for _command in _module.COMMANDS:
        cli.add_command(_command)


def main() -> None:
    """The ``talkqa`` console script (pyproject.toml) and ``python -m app.cli``."""
    cli(prog_name="talkqa")
