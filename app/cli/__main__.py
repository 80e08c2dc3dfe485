"""``python -m app.cli``: the same as the ``talkqa`` command."""

from app.cli.commands import main

main()
