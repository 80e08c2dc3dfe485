"""Whether a follow-up's condensed rewrite may be used: it must ask, and add no facts.

The condensing model sometimes answers instead of rewriting ("She did her PhD
at the University of California, Berkeley.") — a guess that would be searched
for and shown as if the user had asked it. A rewrite is kept only when it is
a question and every name and number in it already occurs in the
conversation; otherwise the follow-up is searched for as the user typed it.
"""

from __future__ import annotations

import re

#: A name (a capitalised word that does not open the sentence) or a number.
_FACT = re.compile(r"(?<![.?!]\s)(?<!^)\b[A-Z][\w'’-]*|\b\d[\d.,]*\b")


def facts(text: str) -> set[str]:
    """The names and numbers of ``text``, case-folded (its first word is not a name)."""
    return {m.group(0).casefold().rstrip(".,") for m in _FACT.finditer(text.strip())}


def adds_facts(rewrite: str, conversation: list[str]) -> bool:
    """The rewrite is not a question, or names something (a name, a number) the conversation does not."""
    if not rewrite.rstrip().endswith("?"):
        return True
    said = " ".join(conversation).casefold()
    return any(fact not in said for fact in facts(rewrite))


def usable_rewrite(reply: str, conversation: list[str]) -> str | None:
    """The reply's first line as the standalone question, or None when it is empty or ``adds_facts``."""
    rewritten = reply.strip().split("\n")[0].strip(' "')
    return None if not rewritten or adds_facts(rewritten, conversation) else rewritten
