"""A chatty question's relevance: the best of its clauses', when the whole reads as off-topic.

The relevance floor (``rerank.abstain_threshold``) declines a question without the model when the
cross-encoder finds no sentence of the first talks close to it. That cross-encoder (ms-marco) learnt
from short search queries, and a question written as people talk buries its topic among a preamble
and the asks: "People at work keep telling me recurrent nets are bad at remembering things from far
back. I saw a summary claiming to explain why for the purely linear kind trained from random starting
points. What simpler model do they turn out to equal …?" scores −10.2 against the talk that answers it,
while its second sentence alone scores −4.1 (held-out-20 a016). Nine of the thirty everyday-worded
answerable questions of held-out-20 were below the floor.

So, only when the whole question is below the floor, each of its clauses is judged on its own and the
question's relevance is the best of the whole's and theirs. A clause is a part between sentence ends,
dashes, colons and semicolons that has at least ``MIN_TOPIC_WORDS`` content words once the words that
ask about the record are set aside (who, speaker, PhD, links, co-authors …): "where did they do their
PhD?" says nothing about a topic, and would find every biography. For the same reason a clause is
judged against the talks' abstracts only, never their notes.

Chosen on the seen question sets (dev, held-out, held-out-2 to -18 and -20; ad hoc probe, no model
run): of their 541 questions about one talk or none, 28 answerable and 41 unanswerable lie below the
floor; this lifts 4 answerable ones over it and no unanswerable one. Measured blind on held-out-22
(docs/evaluation.md).
"""

from __future__ import annotations

import re

from langchain_core.embeddings import Embeddings

from app.core.config import RerankSettings
from app.core.talk import Talk
from app.core.text import content_words
from app.retrieval.fusion import RankedTalk
from app.retrieval.question_kinds import without_record_words
from app.retrieval.relevance import abstain_score, judge_talks

#: A clause with fewer words about the research is too generic to stand for the question ("which university?").
MIN_TOPIC_WORDS = 4

_BREAK = re.compile(r"(?<=[.?!])\s+|\s+[—–]\s+|\s+-{1,2}\s+|[:;]\s+")


def topic_clauses(question: str) -> list[str]:
    """The question's clauses that name something of the research; none when the question is one clause."""
    parts = [p.strip() for p in _BREAK.split(question) if p.strip()]
    if len(parts) < 2:
        return []
    return [p for p in parts if len(content_words(without_record_words(p))) >= MIN_TOPIC_WORDS]


def clause_relevance(question: str, entries: list[RankedTalk], talks: list[Talk], embeddings: Embeddings, reranker,
                     settings: RerankSettings) -> float:
    """The best relevance of the question's topic clauses to the talks' abstracts (−inf when it has none)."""
    abstracts = [talk.model_copy(update={"notes": []}) for talk in talks]
    return max((abstain_score(judge_talks(clause, entries, abstracts, embeddings, reranker, settings), settings)
                for clause in topic_clauses(question)), default=float("-inf"))
