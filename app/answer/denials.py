"""A restated question whose "not" is the answer: kept, and borne out, when its source says "not" too.

Asked "my manager insists its loss tracks the true transport distance … what did that talk conclude about the critic's
loss?" (held-out-37 fj017, a tuning set now), the model wrote "The talk concludes that the critic's loss does not
track the true transport distance [1].", right by its source [1]: "the WGAN loss is not a meaningful approximation of
the Wasserstein distance". Two checks declined it. Its words are the question's, and some ("track", "transport") are in
no source, so it read as the question written back (``says_nothing``); and it shares too few words with the source to
reach ``WEAK_SUPPORT``, so it read as unsupported (app/answer/unsupported.py). Yet its "not" is what the question did
not know.

So a claim counts as an answer when it denies and the question does not, and the sentence of its cited sources that
shares most of its content words denies too. The model's own markers choose the sources, since attribution may move
them. A denial whose closest source sentence affirms is still a question written back.
"""

from __future__ import annotations

from app.answer.result import Answer, Sentence
from app.core.text import MARKER, NEGATION, content_words


def denies_as_its_source(answer: Answer, sentence: Sentence) -> bool:
    """Does the claim deny what the question asked about, as its cited sources' closest sentence does?"""
    text = MARKER.sub("", sentence.text)
    if sentence.kind != "claim" or not NEGATION.search(text) or NEGATION.search(answer.question):
        return False
    markers = sentence.model_citations if sentence.model_citations is not None else sentence.citations
    cited = [source for source in answer.sources if source.n in markers] or answer.sources
    mine = content_words(text)
    shared = [(len(content_words(unit) & mine), unit) for source in cited for unit in source.sentences]
    most = max((n for n, _ in shared), default=0)
    return most > 0 and any(n == most and NEGATION.search(unit) for n, unit in shared)
