"""Answers that list talks say how many they list, in a sentence built from the list itself.

Two paths (app/retrieval/question_kinds.py decides a list or counting question):

* a question naming a literal term ("How many talks mention CIFAR?") is answered from the record
  scan of the whole catalog (app/retrieval/record_scan.py), without the model: the count, then one
  line per talk (title, speaker, the sentence or link that shows it belongs), each cited to its own
  talk (``record_answer``); of a long scan for a question that asks for more than its term ("study whether SGD
  stays close to a minimum"), the talks the cross-encoder judges closest (app/answer/narrowed_scan.py);
* a topical list ("Which talks discuss momentum methods?") is the model's choice among the retrieved
  talks, as before; ``count_the_list`` puts the number of talks the answer cites in front of it.

Either way the count is ``len`` of what is listed, never a number the model wrote, so the count
and the list agree.
"""

from __future__ import annotations

import re
from dataclasses import replace

from app.answer.attribution import render
from app.answer.narrowed_scan import Judge, NarrowedScan, closest_matches, narrows_the_term
from app.answer.preview import extractive_preview
from app.answer.result import Answer, Sentence, Source
from app.core.config import RerankSettings
from app.core.safety import neutralise
from app.retrieval.question_kinds import is_open_ended, seeks_one_talk
from app.retrieval.record_scan import ScanResult, scan_records
from app.retrieval.record_terms import record_condition

#: Talks listed at most in a record answer (the count covers every match).
LIST_LIMIT = 60
#: A quoted sentence longer than this is cut around the term it shows.
QUOTE_CHARS = 240

_PARENTHESES = re.compile(r"\([^)]*\)")
_LISTED = re.compile(
    r"\b(?:which|what|how many|list(?:\s+all|\s+every)?|name)\s+(?:of\s+the\s+)?"
    r"(?P<noun>(?:(?!talks?\b)[\w-]+\s+){0,2}(?:talks?|speakers?|abstracts?|presentations?|seminars?|bios|biograph(?:y|ies)))\s+"
    r"(?P<rest>[^?.,;:]+)",
    re.IGNORECASE,
)
#: Where the question says the talks are ("in the collection", "here"): the count sentence says it already.
_WHERE = re.compile(r"^(?:(?:in|from|of|within)\s+(?:the|this|our)\s+(?:collection|series|seminars?|corpus|list|archive)|here)\b\s*",
                    re.IGNORECASE)
#: A question that puts its verb after the subject ("In how many talks does NeurIPS come up?", "… is the year 2019
#: written out?"): no phrase after "talks" reads; the count sentence says the talks match the question.
_INVERTED = re.compile(r"^(?:does|do|did|(?:is|are|was|were)\s+(?:the|a|an|any|anything|it|they))\b", re.IGNORECASE)
#: What follows the condition and asks for the form of the answer ("… and give the number").
_FORM_REQUEST = re.compile(r"(?:^|\s+)and\s+(?:give|say|state|list|count|tell|name)\b.*$", re.IGNORECASE)
#: Verbs a phrase may open with whose other number is not made with -s.
_TO_PLURAL = {"is": "are", "was": "were", "has": "have", "does": "do"}
_TO_SINGULAR = {plural: singular for singular, plural in _TO_PLURAL.items()}
#: What the listed talks do when the question's wording gives no phrase for it.
MATCH_THE_QUESTION = "match the question"


def count_sentence(n: int, what: str, *, capped: bool = False) -> str:
    """"5 talks in the collection discuss momentum methods:" (``what`` reads after "talks in the collection")."""
    head = f"{n} talk{'' if n == 1 else 's'} in the collection {_singular(what) if n == 1 else what}"
    return f"At least {head} (the scan stopped at its limit of records):" if capped else f"{head}:"


def _singular(what: str) -> str:
    """The phrase with its first word (a verb) in the third person singular: "discuss X" -> "discusses X"."""
    verb, _, rest = what.partition(" ")
    if verb in _TO_SINGULAR:
        verb = _TO_SINGULAR[verb]
    elif re.search(r"[^aeiou]y$", verb):
        verb = verb[:-1] + "ies"
    elif re.search(r"(?:s|sh|ch|x)$", verb):
        verb += "es"
    else:
        verb += "s"
    return f"{verb} {rest}".strip()


def _plural(what: str) -> str:
    """The phrase with its first word, a verb in the third person singular, made plural: "covers X" -> "cover X"."""
    verb, _, rest = what.partition(" ")
    if verb.lower() in _TO_PLURAL:
        verb = _TO_PLURAL[verb.lower()]
    elif re.search(r"[^aeiou]ies$", verb):
        verb = verb[:-3] + "y"
    elif re.search(r"(?:ss|sh|ch|x|z|cus)es$", verb):  # "focuses"; "uses", "causes" lose their -s below
        verb = verb[:-2]
    elif re.search(r"[^su]s$", verb):
        verb = verb[:-1]
    return f"{verb} {rest}".strip()


def listed_what(question: str) -> str:
    """What the question asks the listed talks to do, from its wording, with the verb in the plural: "discuss
    momentum methods". "match the question" when its wording gives no such phrase."""
    match = _LISTED.search(" ".join(_PARENTHESES.sub(" ", question).split()))
    rest = _FORM_REQUEST.sub("", _WHERE.sub("", match.group("rest").strip())) if match else ""
    rest = re.sub(r"^that\s+", "", rest)
    if not rest or _INVERTED.match(rest):
        return MATCH_THE_QUESTION
    noun = match.group("noun").strip().lower()
    if noun.split()[-1] in ("talk", "talks"):  # "seminar talks", "recent talks": the talks the count sentence names
        return _plural(rest) if noun.endswith("talk") else rest
    return f"have {noun if noun.endswith('s') else noun + 's'} that {rest}"


def _quote(evidence: str, condition_terms: list[str]) -> str:
    """The evidence sentence, cut around its first term when long, as data (app/core/safety.py)."""
    text = neutralise(evidence).strip()
    if len(text) <= QUOTE_CHARS:
        return text
    at = min((text.lower().find(t.lower()) for t in condition_terms if t.lower() in text.lower()), default=0)
    start = max(0, at - QUOTE_CHARS // 2)
    start = text.rfind(" ", 0, start) + 1 if start else 0  # whole words
    end = text.rfind(" ", start, start + QUOTE_CHARS)
    return ("…" if start else "") + text[start : end if end > at else start + QUOTE_CHARS].strip() + "…"


def _line(source: Source, terms: list[str]) -> str:
    talk = source.talk
    name = neutralise(talk.title).rstrip(" …").rstrip(".")
    if talk.speaker:
        name += f" ({neutralise(talk.speaker)})"
    quote = _quote(source.lead or "", terms).rstrip(".")
    return f"- {name}: “{quote}”." if quote else f"- {name}."


def narrowed_sentence(n: int, narrowed: NarrowedScan) -> str:
    """"3 talks in the collection study whether SGD stays close … (the closest to the question of the 18 that mention
    “SGD”):": the count is of the talks listed, and the sentence says they were judged, not matched."""
    head = count_sentence(n, narrowed.asked)[:-1]
    return f"{head} (the closest to the question of the {narrowed.scanned} that {narrowed.scan.condition.describe()}):"


def record_answer(answer: Answer, scan: ScanResult, narrowed: NarrowedScan | None = None) -> Answer:
    """The answer to a literal list question from the record scan: the count, then each talk cited to itself.
    ``narrowed``: the scan's talks closest to the question (app/answer/narrowed_scan.py), listed instead."""
    scan = narrowed.scan if narrowed else scan
    listed = scan.matches[:LIST_LIMIT]
    sources = [Source(n=i + 1, talk=m.talk, sentences=[m.evidence], score=1.0, dense=1.0, lead=m.evidence, ranked=[m.evidence])
               for i, m in enumerate(listed)]
    terms = [t.text for t in scan.condition.terms]
    if narrowed:
        head = narrowed_sentence(len(scan.matches), narrowed)
    else:
        head = count_sentence(len(scan.matches), scan.condition.describe(), capped=scan.capped)
    if len(scan.matches) > len(listed):
        head = head[:-1] + f"; the first {len(listed)} are listed:"
    sentences = [Sentence(head, [], 1.0, kind="record")]
    sentences += [Sentence(_line(s, terms), [s.n], 1.0, kind="record") for s in sources]
    return replace(answer, sources=sources, sentences=sentences, answer=render(sentences), cited=[s.n for s in sources])


def count_the_list(answer: Answer) -> Answer:
    """A list answer (a "which talks / how many" question) opens with how many talks it cites."""
    if answer.abstained or not answer.cited or not is_open_ended(answer.query):
        return answer
    text = count_sentence(len(answer.cited), _what_was_asked(answer))
    sentence = Sentence(text if answer.answer.lstrip().startswith("- ") else text[:-1] + ".", [], 1.0, kind="record")
    return replace(answer, sentences=[sentence, *answer.sentences], answer=f"{sentence.text}\n{answer.answer}")


#: A pronoun in the phrase points back at an earlier turn ("discuss it", "use that method"): the search query says
#: what it is.
_PRONOUN = re.compile(r"\b(?:it|its|they|them|their|this|that|these|those|he|she|him|his|her)\b", re.IGNORECASE)


def _what_was_asked(answer: Answer) -> str:
    """What the listed talks do, in the user's words when they say it: a restated list searched for the model's words
    ("are about neurIPS 2023 Early Stopping Papers" for "Which talks … discuss early stopping …?", held-out-51 fx011,
    read after its blind runs), a follow-up's rewrite only where the user's words point back ("discuss it")."""
    asked = listed_what(answer.question)
    if asked == MATCH_THE_QUESTION or _PRONOUN.search(asked):
        return listed_what(answer.query)
    return asked


def _describes_one_of_several(query: str, asked: str | None, scan: ScanResult) -> bool:
    """A question for one talk ("Which talk introduces a probabilistic kind of stability for SGD at big step
    sizes?") that describes it by more than its term, when several talks have the term: the scan lists them all in
    record order, so the talk described was no answer's first, and a follow-up about "it" or "he" went to another
    talk (held-out-56 gc028, 18 talks for "SGD", and gc032, 3 for "SVMs", read after their blind runs). Retrieval and
    the model answer it, as any question for one talk; one talk with the term, or a question that asks for the term
    itself ("Which talk mentions SVMs?"), stays the scan's."""
    return seeks_one_talk(query) and len(scan.matches) > 1 and narrows_the_term(asked, scan)


def answer_from_records(catalog, query: str, answer: Answer, judge: Judge | None = None,
                        rerank: RerankSettings | None = None) -> Answer | None:
    """A list or count question naming a literal term ("How many talks mention CIFAR?"): every talk of the
    catalog (the pinned generation) whose record has it, counted and listed without the model; of a long scan for a
    question that asks for more than the term, the talks closest by ``judge`` (app/answer/narrowed_scan.py, with
    ``rerank``'s margin and scan lengths; no ``judge`` or ``rerank``: the whole scan).
    None when the question names no term or no talk has it (retrieval and the model answer then), and when it names
    a word no talk contains (``answer.absent_terms``, read only for a question after one talk): "Sinkhorn iterations
    for Wasserstein estimates: which talk?" is not answered by the talks that mention Wasserstein; and for a question
    that describes one of several talks with the term (``_describes_one_of_several``)."""
    if answer.absent_terms:
        return None
    condition = record_condition(query)
    scan = scan_records(catalog, condition) if condition is not None else None
    if scan is None or not scan.matches:
        return None
    asked = listed_what(query)
    asked = None if asked == MATCH_THE_QUESTION else asked
    if _describes_one_of_several(query, asked, scan):
        return None
    narrowed = closest_matches(query, asked, scan, judge, rerank.scan_margin, rerank.scan_narrowing_from,
                               rerank.scan_narrowing_most) if judge and rerank else None
    listed = record_answer(answer, scan, narrowed)
    return replace(listed, preview=extractive_preview(listed.sources, open_ended=True, comparison=False))
