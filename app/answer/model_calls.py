"""One-shot calls to the chat model, and how their failures reach the user.

Every step that asks the model something before the answer (condensing a follow-up, reading a yes/no polarity,
restating a question) goes through ``model_call``: a failure becomes the ``LLMUnavailableError`` (or its timeout
kind) that the CLI, the chat and the HTTP API report, never a library's traceback.
"""

from __future__ import annotations

from typing import Callable, TypeVar

from app.core.errors import LLMTimeoutError, LLMUnavailableError

T = TypeVar("T")


def model_call(call: Callable[[], T]) -> T:
    """``call()``, a one-shot model call; its failure as the ``LLMUnavailableError`` (or timeout) surfaces report."""
    try:
        return call()
    except LLMUnavailableError:
        raise
    except Exception as err:
        raise llm_error(err) from None


def llm_error(err: Exception) -> LLMUnavailableError:
    """The ``TalkqaError`` for a failed LLM call: a timeout is told apart (the HTTP API answers 504, not 502)."""
    kind = LLMTimeoutError if "Timeout" in err.__class__.__name__ or isinstance(err, TimeoutError) else LLMUnavailableError
    return kind(describe_llm_error(err))


def describe_llm_error(err: Exception) -> str:
    """One line for a failed LLM call: unreachable, timed out, or refused."""
    name = err.__class__.__name__
    if "Timeout" in name:
        return f"the LLM endpoint timed out ({name})"
    if "Connection" in name or isinstance(err, (ConnectionError, OSError)):
        return f"the LLM endpoint is unreachable ({name}: {err})"
    return f"the LLM call failed ({name}: {err})"
