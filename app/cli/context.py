"""What every command gets: the settings, and one ``Service`` built on first use."""

from __future__ import annotations

import click

from app.core.config import Settings

#: ``--backend`` of the commands that generate (ask, titles, eval).
backend_option = click.option("--backend", type=click.Choice(["local", "openai"]), help="Override the LLM backend.")


def with_backend(settings: Settings, backend: str | None) -> Settings:
    """The settings with ``--backend`` applied (a copy: the original is shared)."""
    if not backend:
        return settings
    return settings.model_copy(update={"llm": settings.llm.model_copy(update={"backend": backend})})


class Context:
    """The settings of one command, and the one ``Service`` it builds from them (on first use).

    A command that overrides settings (``--backend``) does so with ``use_backend`` before it
    touches the service, so the command's store, chains and models come from one ``Service``.
    """

    def __init__(self, settings: Settings):
        self.settings = settings
        self._service = None

    def use_backend(self, backend: str | None) -> Settings:
        """Apply ``--backend`` to this command's settings (before the service is built); returns them."""
        if self._service is not None:
            raise RuntimeError("use_backend after the service was built: it would build a second one")
        self.settings = with_backend(self.settings, backend)
        return self.settings

    @property
    def service(self):
        if self._service is None:
            from app.service import Service

            self._service = Service(self.settings)
        return self._service

    @property
    def store(self):
        return self.service.store
