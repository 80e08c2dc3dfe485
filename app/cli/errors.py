"""Every failure of a command as one ``error:`` line and an exit code, never a traceback.

Click prints a usage block and ``Error: ...`` on three lines; every other
talkqa failure is one line (app/core/errors.py), so these are too. ``--help`` and
a bare ``talkqa`` still print the help. The group wraps every command it runs
(``OneLineErrorGroup.invoke``), so no command handles errors itself.
"""

from __future__ import annotations

import os
import sys

import click
from click.exceptions import Exit, NoArgsIsHelpError

from app.core.errors import TalkqaError


def fail(message: str, code: int) -> None:
    """Print ``error: message`` on stderr and exit with ``code``."""
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


class OneLineErrorGroup(click.Group):
    """A ``click.Group`` whose usage errors are one line on stderr (exit 2), and whose commands' failures too."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.Abort, Exit):
            raise  # click's own: main() below makes them one line
        except TalkqaError as err:
            fail(str(err), err.exit_code)
        except KeyboardInterrupt:
            fail("interrupted", 130)
        except BrokenPipeError:  # `talkqa talks | head`: the reader left, nothing to report
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
        except Exception as err:  # a bug: say so, keep it to one line
            if os.environ.get("TALKQA_DEBUG"):
                raise
            fail(f"unexpected {err.__class__.__name__}: {err} (set TALKQA_DEBUG=1 for a traceback)", 1)

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except NoArgsIsHelpError as err:
            err.show()
            sys.exit(err.exit_code)
        except click.UsageError as err:
            hint = f" (see `{err.ctx.command_path} --help`)" if err.ctx is not None else ""
            click.echo(f"error: {err.format_message()}{hint}", err=True)
            sys.exit(2)
        except click.ClickException as err:
            click.echo(f"error: {err.format_message()}", err=True)
            sys.exit(err.exit_code)
        except click.Abort:
            click.echo("error: interrupted", err=True)
            sys.exit(130)
        sys.exit(rv if isinstance(rv, int) else 0)
