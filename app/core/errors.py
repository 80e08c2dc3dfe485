"""Errors a user can act on, each with its own exit code.

The CLI prints ``error: <message>`` on one line and exits with ``exit_code``;
anything else is a bug and still gets one line, not a traceback.
"""

from __future__ import annotations


class TalkqaError(Exception):
    """Base class: a clear message and a documented exit code."""

    exit_code = 1


class InputError(TalkqaError):
    """A corpus file or a question we cannot use (missing, empty, binary, malformed, too long)."""

    exit_code = 2


class IndexStateError(TalkqaError):
    """No index yet, or one built with another embedding model: re-run ``talkqa ingest``."""

    exit_code = 3


class IndexCorruptError(IndexStateError):
    """The index database is damaged (truncated, overwritten): ``talkqa ingest --rebuild`` sets it aside and starts over."""


class LLMUnavailableError(TalkqaError):
    """The chat model could not be reached, timed out, or could not be loaded."""

    exit_code = 4


class LLMTimeoutError(LLMUnavailableError):
    """The chat model did not answer in time: same exit code, but the HTTP API says 504, not 502."""


class ModelFileError(TalkqaError):
    """A model file shipped in a package is missing or fails its checksum."""

    exit_code = 5


class IndexBusyError(TalkqaError):
    """Another process is writing to the same data dir (``ingest --no-wait``, or the wait timed out)."""

    exit_code = 6


class ReadOnlyIndexError(TalkqaError):
    """The data dir cannot be written (a read-only mount or permissions): reading still works, writing cannot."""

    exit_code = 7


class SetupError(TalkqaError):
    """``talkqa setup`` cannot install: a build tool is missing, or an install step failed."""

    exit_code = 8
