"""Whether a question can be asked, and if not why, in words a user can act on.

The limit is in tokens (the prompt's budget), but a user counts characters
and words: a refused question is told how long it is, how much of *this*
question fits (the first N characters, exactly, for its own tokens) and what
to do. Every surface (the chain, the chat's input check, the CLI before it
loads a model) refuses with this one message.
"""

from __future__ import annotations

from app.core.errors import InputError

EMPTY = "the question is empty: type a question about the talks"


def _words(text: str) -> int:
    return len(text.split())


def check_question(question: str | None, max_tokens: int, enc) -> str:
    """The question stripped, or raises ``InputError`` saying what is wrong and how to fix it.

    ``enc`` is the tiktoken encoding the limit ``max_tokens`` is counted in.
    """
    text = (question or "").strip()
    if not text:
        raise InputError(EMPTY)
    tokens = enc.encode(text)
    if len(tokens) > max_tokens:
        fits = len(enc.decode(tokens[:max_tokens]).rstrip())
        raise InputError(
            f"the question is too long: {len(text):,} characters ({_words(text):,} words); "
            f"at most about {fits:,} characters ({_words(text[:fits]):,} words) fit — "
            f"shorten it by {len(text) - fits:,} characters or more and ask again"
        )
    return text
