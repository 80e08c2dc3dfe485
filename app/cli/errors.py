"""Click's own errors (a bad option value, an unknown option) as one ``error:`` line and exit 2.

Click prints a usage block and ``Error: ...`` on three lines; every other
talkqa failure is one line (app/core/errors.py), so these are too. ``--help`` and
a bare ``talkqa`` still print the help.
"""

from __future__ import annotations

import sys

import click
from click.exceptions import NoArgsIsHelpError


class OneLineErrorGroup(click.Group):
    """A ``click.Group`` whose usage errors are one line on stderr, exit 2."""

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
