"""The commands that build and browse the index: ``ingest``, ``talks``, ``talk``, ``titles``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from app.cli.context import Context, backend_option
from app.core.errors import InputError


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["txt", "jsonl", "csv", "dir"]), help="Override detection by extension.")
@click.option("--replace", is_flag=True, help="Make the index exactly PATHS (default: add or update PATHS, keep talks of other sources).")
@click.option("--rebuild", is_flag=True, help="Re-embed everything into a new index, switched in at the end (a damaged index is moved aside).")
@click.option("--yes", is_flag=True, help="Proceed with a very large input without asking.")
@click.option("--no-wait", is_flag=True, help="If another ingest is writing to the data dir, fail (exit 6) instead of waiting.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_obj
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


@click.command()
@click.option("--json", "as_json", is_flag=True, help="A JSON array, one object a talk.")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many talks (a page; default: all).")
@click.option("--offset", type=click.IntRange(min=0), default=0, show_default=True, help="Skip this many talks first.")
@click.pass_obj
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


@click.command()
@click.argument("talk_id")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
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


class _TitleBar:
    """A tqdm bar on stderr, opened at the first report with something to do."""

    def __init__(self):
        self.bar = None

    def __call__(self, done: int, total: int) -> None:
        from tqdm import tqdm

        if self.bar is None and total:
            self.bar = tqdm(total=total, desc="generating titles", unit="talk", file=sys.stderr, disable=None)
        if self.bar is not None:
            self.bar.n = done
            self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


@click.command()
@backend_option
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_obj
def titles(obj: Context, backend: str | None, as_json: bool) -> None:
    """Generate a title with the chat model for every talk that has neither a given nor a generated one.

    Each title is generated once per talk content and model, and cached in the data dir.
    """
    from app.index.titles import TitleCache, generate_missing
    from app.models.llm import chat_model, describe

    settings = obj.use_backend(backend)
    talks = obj.store.catalog(generated_titles=False).talks
    bar = _TitleBar()
    try:
        report = generate_missing(talks, lambda: chat_model(settings), TitleCache.in_data_dir(settings.data_dir),
                                  describe(settings), progress=bar)
    finally:
        bar.close()
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
        return
    click.echo(f"{report.talks} talks: {report.generated} titles generated, {report.fallback} kept their derived title "
               f"(no usable answer), {report.cached} already generated, {report.given} given by their file; "
               f"{report.model}; {report.seconds:.1f} s")


COMMANDS = (ingest, talks, talk, titles)
