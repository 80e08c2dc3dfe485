"""The commands that serve: ``chat`` (the browser chat) and ``serve`` (the HTTP API)."""

from __future__ import annotations

import click

from app.cli.context import Context
from app.core.errors import InputError


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind; other hosts only when asked.")
@click.option("--port", default=7860, show_default=True, type=click.IntRange(1, 65535))
@click.option("--share", is_flag=True, help="Also open a public Gradio share link (off unless asked).")
@click.option("--api", is_flag=True, help="Also serve the HTTP API (/v1, /api, /docs) from the same process.")
@click.option("--insecure", is_flag=True, help="With --api: allow a non-loopback host without TALKQA_API_KEYS.")
@click.pass_obj
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


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind; beyond loopback only with API keys or --insecure.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535))
@click.option("--insecure", is_flag=True, help="Allow a non-loopback host without TALKQA_API_KEYS.")
@click.option("--idle-exit", "idle_exit", type=click.FloatRange(min=0, min_open=True), metavar="MINUTES",
              help="Stop after this many minutes without a request (a background server that goes away by itself).")
@click.pass_obj
def serve_command(obj: Context, host: str, port: int, insecure: bool, idle_exit: float | None) -> None:
    """Serve the HTTP API: OpenAI-compatible chat completions with citations, REST search and talks.

    Keys: TALKQA_API_KEYS="key1,key2" or the path of a file with one key a line,
    sent as "Authorization: Bearer KEY". Docs at /docs.
    """
    from app.api.app import serve

    serve(obj.settings, host=host, port=port, insecure=insecure, idle_minutes=idle_exit)


COMMANDS = (chat, serve_command)
