"""How ``talkqa doctor`` and ``talkqa setup`` print: one line a check (✓/!/✗ and what to do), the setup plan."""

from __future__ import annotations

import click

from app.cli.doctor import Check, blocks_use
from app.cli.setup_tool import SetupPlan

MARKS = {"ok": ("✓", "green"), "warn": ("!", "yellow"), "fail": ("✗", "red")}


def print_checks(checks: list[Check]) -> None:
    width = max(len(c.name) for c in checks)
    for check in checks:
        mark, colour = MARKS[check.status]
        click.echo(f"{click.style(mark, fg=colour, bold=True)} {check.name:<{width}}  {check.detail}")
        if check.fix:
            click.echo(f"  {'':<{width}}  → {check.fix}")
    fails = sum(c.status == "fail" for c in checks)
    warns = sum(c.status == "warn" for c in checks)
    verdict = f"{_count(fails, 'problem')} to fix before use" if blocks_use(checks) else "nothing blocks use"
    click.echo(f"\n{len(checks)} checks: {verdict}" + (f", {_count(warns, 'warning')}" if warns else ""))


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def print_plan(plan: SetupPlan) -> None:
    click.echo(f"talkqa setup for the environment {plan.prefix}:")
    for n, step in enumerate(plan.steps, 1):
        click.echo(f"[{n}/{len(plan.steps)}] {step.title}\n      {' '.join(step.command)}")
    if plan.build_needed:
        tools = f"missing: {', '.join(plan.missing_tools)}" if plan.missing_tools else "present"
        click.echo(f"build tools (C and C++ compilers): {tools}")
