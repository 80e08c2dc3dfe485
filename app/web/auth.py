"""Logins for ``talkqa chat``: ``TALKQA_AUTH`` is "user:password" or a file of such lines."""

from __future__ import annotations

from pathlib import Path

from app.errors import InputError


def parse_auth(value: str | None) -> list[tuple[str, str]] | None:
    """``TALKQA_AUTH``: "user:password", or the path of a file with one such line per user."""
    if not value or not value.strip():
        return None
    value = value.strip()
    path = Path(value).expanduser()
    if ":" not in value or path.is_file():
        if not path.is_file():
            raise InputError(f"TALKQA_AUTH is neither user:password nor a readable file: {value!r}")
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
        entries = [line for line in lines if line and not line.startswith("#")]
        source = str(path)
    else:
        entries, source = [value], "TALKQA_AUTH"
    pairs = []
    for entry in entries:
        user, sep, password = entry.partition(":")
        if not sep or not user.strip() or not password:
            raise InputError(f"{source}: every login must be user:password")
        pairs.append((user.strip(), password))
    if not pairs:
        raise InputError(f"{source}: no user:password line")
    return pairs
