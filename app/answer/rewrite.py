"""What a question is searched for: a one-turn list question's asking sentences; a follow-up's condensed rewrite
when it may be used (it must ask, and add no facts).

The condensing model sometimes answers instead of rewriting ("She did her PhD
at the University of California, Berkeley.") — a guess that would be searched
for and shown as if the user had asked it. A rewrite is kept only when it is
a question and every name and number in it already occurs in the
conversation; otherwise the follow-up is searched for as the user typed it.
"""

from __future__ import annotations

import re

from app.retrieval.question_kinds import condition_sentences, is_open_ended

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


def searched_for(question: str) -> str:
    """What a one-turn question is searched for: a list question ("Which talks …?", "How many talks …?") by the
    sentences that say what it asks (``condition_sentences``), not those that only say who asks and why ("I work on
    margin-based theory at Ericsson …"), whose words pulled the search and the relevance judge away from the condition
    (held-out-55 gb012 was declined with no gold talk among 12 sources; read after its blind runs). Other questions as
    asked: their context often names the talk ("One talk gave a history of this area …" keeps "this area" only with
    the sentence before it), and searched without it 3 of 9 seen ones got worse (two link questions declined).

    On the 118 seen one-turn list questions with such a sentence, no model run: 29 → 15 answerable ones declined before
    the model, 243 → 283 of 483 gold talks among the sources where not declined, 9 → 7 of 10 unanswerable ones declined
    before the model; end to end on the 34 whose outcome changed, 79 → 94 of 128 gold talks cited (119 → 142 talks
    cited), unanswerable declined 2 of 4 both (bench/context_search.py; docs/evaluation.md)."""
    if not is_open_ended(question):
        return question
    return condition_sentences(question).strip() or question
