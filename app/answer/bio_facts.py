"""The biography sentences that answer a question about the speaker, quoted from the talk's own record.

Asked where a speaker studied, who advised them or where they work, a 1.5B model reading the bio often
leaves the asked fact out, swaps the roles ("David Stutz supervised the doctoral work of the speaker"
when Stutz is the speaker), or paraphrases a name so that the people check (app/answer/people.py)
drops the claim and says "The record of this talk does not say where the speaker studied" while the
bio does say it. The record's own sentence is exact. For each facet the question asks (studies,
advisor, position, honours, research interests, industry), the first sentence of the main talk's notes
that speaks to it is added, quoted and cited, unless the answer already says it; an absence sentence
about a facet a quoted sentence answers is dropped, and so is a claim about a person that cites another talk
than the main one (that talk's speaker's bio, borrowed). A note sentence the injection detector flags is
never quoted (app/core/instructions.py). Chosen on the seen dev speaker_bio questions (q053–q064), the dev-v3 bio
follow-ups and, for borrowed claims, held-out h027.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from app.answer.people import is_person_claim
from app.answer.records import SUPERVISION, about_one_talk, asks_coauthors, main_source
from app.answer.result import Answer, Sentence, Source
from app.core.instructions import suspicious
from app.core.text import split_sentences

#: Quoted sentences an answer gets at most (one a facet).
MOST_QUOTED = 3
#: A note sentence whose content words are at least this share in the answer already is not quoted again.
ALREADY_SAID = 0.6


@dataclass(frozen=True)
class Facet:
    """One kind of bio fact: how a question asks for it, how a bio sentence states it, and the absence it answers."""

    name: str
    asked: re.Pattern
    stated: re.Pattern
    #: The end of people.py's "The record of this talk does not say …" for this facet ("" when it has none).
    absence: str = ""


def _words(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.IGNORECASE)


FACETS = (
    # "where … study" asks where someone studied only when "where" opens a question or a clause ("Where did she study?",
    # "…, and where did he study?"), not after a noun ("a talk where the target's log-density … did they study"; held-out-26 ey003).
    # A post-doctoral post is no study: "From 2018-19, he was … a post-doctoral scholar at …" was quoted for where the
    # speaker studied ahead of the bio's PhD sentence (held-out-46 fs011, read after its runs; 3 talks' quotes change).
    Facet("studies", _words(r"\bph\.?\s?d\b|(?<!post)(?<!post-)doctora\w*|\bdegrees?\b|\bstudied\b|\bstudy\s+for\b|(?:^|[.?!,;:]\s*|\b(?:and|or)\s+)where\b[^?]*\bstud(?:y|ied)\b|"
                            r"graduat\w*|alma mater|educat\w*|"
                            r"bachelor|master'?s|undergrad\w*|\bthesis\b"),
          _words(r"\bph\.?\s?d\b|(?<!post)(?<!post-)doctora\w*|\bdegrees?\b|\bb\.?\s?sc?\.?(?=\s)|\bm\.?\s?sc?\.?(?=\s)|bachelor|master|graduated|"
                 r"graduate (?:degree|studies|student)|\bstudied\b|diploma|\bthesis\b"),
          "where the speaker studied"),
    Facet("advisor", _words(r"advis\w*|" + SUPERVISION + r"|mentor\w*|under whom"),
          _words(r"advis\w*|" + SUPERVISION + r"|under the (?:guidance|direction)|mentor\w*"), "who advised the speaker"),
    Facet("position", _words(r"\bwhere\s+(?:does|did|do|is|was|are|were)\s+(?:he|she|they|(?:the|its|that|this)\s+(?:speaker|researcher|"
                             r"person|presenter))\b(?![^?,]*\b(?:stud|ph\.?\s?d|doctora|degree|graduat))|affiliat\w*|faculty|\bposition\b|\bjob\b|employ\w*|\blab\b|\bgroup\b|institution|"
                             r"\bcurrently\b|professor|postdoc\w*|\bjoin\w*"),
          _words(r"professor|post-?doc\w*|researcher|scientist|lecturer|faculty|director|member of|head of|\bworks? (?:at|in|for)\b|"
                 r"\bjoined\b|\bis (?:a|an|currently)\b|\bfellow at\b")),
    Facet("honours", _words(r"awards?|prizes?|honou?rs?|fellowships?|medals?|recogni\w*|distinction"),
          _words(r"awards?|prizes?|honou?rs?|fellowships?|\bfellow\b|medals?|recipient|distinction"),
          "which honours the speaker received"),
    Facet("interests", _words(r"interests?|research (?:area|focus|topics?|agenda)|\b(?:he|she|they)\s+works?\s+on\b|\bfocus\w*"),
          _words(r"interest\w*|research (?:focus\w*|area|lies|is|centers|spans|agenda)|focus\w* on|\bworks? on\b|\bworking on\b|"
                 r"main area")),
    Facet("industry", _words(r"industry|compan(?:y|ies)|intern\w*|start-?ups?|corporate"),
          _words(r"intern\w*|industry|compan(?:y|ies)|\binc\b|start-?up|google|microsoft|amazon|\bmeta\b|facebook|\bibm\b|"
                 r"deepmind|openai|nvidia|apple|\baws\b")),
)
#: The question is about someone: a facet word alone ("Which degree of the polynomial …?") is not enough.
_ABOUT_A_PERSON = re.compile(r"\b(?:who|whom|whose|speakers?|presenters?|he|she|his|her|him|they|their|researchers?|person|authors?)\b",
                             re.IGNORECASE)
_PRONOUN_START = re.compile(r"(?:he|she|they|his|her|their)\b", re.IGNORECASE)
_LINK = re.compile(r"https?://|www\.|arxiv", re.IGNORECASE)
_CONTENT_WORD = re.compile(r"[^\W\d_]{4,}")
#: The label a bio opens with ("Bio:", "Short biography -", "Bio" glued to the name as in "BioPratik").
_LABEL = re.compile(r"^(?:[Ss]hort\s+)?(?:BIO|[Bb]io)(?:graphy)?(?:\s*[:.\u2013-]\s*|(?=[A-Z][a-z]))")


#: The speaker's bio asked for as a whole ("speaker of the … talk: background"): where they studied and where they are.
_WHOLE_BIO = _words(r"\bbackground\b|\bbio(?:graphy)?\b|\bprofile\b")
_WHOLE_BIO_FACETS = ("studies", "position")


def asked_facets(question: str) -> list[Facet]:
    """The bio facets a question about the speaker asks for, in the order above; the bio asked for as a whole, with no
    facet named, is asked for its studies and position (held-out-27 ez019 and held-out-42 fo025, "speaker of the … talk:
    background", got the speaker's name alone; read after their runs). None for a question about someone else or about
    several talks: a list or a count of speakers (app/answer/aggregate.py), a comparison, or the co-authors ("Who was it
    joint work with, and where are they based?")."""
    if not _ABOUT_A_PERSON.search(question) or not about_one_talk(question) or asks_coauthors(question):
        return []
    named = [facet for facet in FACETS if facet.asked.search(question)]
    return named or [facet for facet in FACETS if facet.name in _WHOLE_BIO_FACETS and _WHOLE_BIO.search(question)]


def bio_sentences(source: Source) -> list[str]:
    """The sentences that can be quoted as bio facts: the talk's notes, and the abstract's sentences about the speaker
    (a one-line talk carries its bio inside the abstract): from the first that names them (either name), those that
    name them or open with a pronoun ("Ziv graduated with …", "His graduate advisor was …"; seen h032, held-out-11
    y004, y005), and every sentence from one opening with a bio label on; without that label; none with a link or
    flagged by the detector."""
    talk = source.talk
    names = [n for n in (talk.speaker or "").replace(".", " ").split() if len(n) > 2]
    abstract = split_sentences(talk.abstract)
    named = list(dict.fromkeys(_about_speaker(abstract, names) + _after_label(abstract)))
    notes = [s for note in talk.notes for s in split_sentences(note)]
    sentences = [_LABEL.sub("", s).strip() for s in notes + named]
    return [s for s in sentences if s and not _LINK.search(s) and not suspicious(s)]


def _after_label(sentences: list[str]) -> list[str]:
    """The abstract's sentences from one that opens with a bio label on: a bio written inside the abstract's paragraph,
    in the first person too ("… OOD generalization. Bio:I am currently a senior research scientist at …", line 143 of
    data/abstracts.txt, whose speaker no sentence names; held-out-25 ex017 and held-out-28 fa019)."""
    first = next((i for i, s in enumerate(sentences) if _LABEL.match(s)), None)
    return [] if first is None else sentences[first:]


def _about_speaker(sentences: list[str], names: list[str]) -> list[str]:
    """From the first sentence naming the speaker, the ones that name them or open with a pronoun."""
    if not names:
        return []
    naming = re.compile(r"\b(?:" + "|".join(re.escape(n) for n in names) + r")\b")
    first = next((i for i, s in enumerate(sentences) if naming.search(s)), None)
    if first is None:
        return []
    return [s for s in sentences[first:] if naming.search(s) or _PRONOUN_START.match(s)]


def already_said(sentence: str, answer_text: str) -> bool:
    """Most of the sentence's content words are in the answer already."""
    words = {w.casefold() for w in _CONTENT_WORD.findall(sentence)}
    said = {w.casefold() for w in _CONTENT_WORD.findall(answer_text)}
    return bool(words) and len(words & said) / len(words) >= ALREADY_SAID


def quoted(sentence: str, n: int) -> Sentence:
    """The bio sentence as a record fact of source ``n``, in quotes: the record's words, not the model's."""
    return Sentence(f"The speaker's biography says: “{sentence.rstrip('. ')}”.", [n], 1.0, kind="record")


def quote_bio(answer: Answer) -> Answer:
    """The note sentences that answer the asked bio facets, added; absences they answer and borrowed claims, dropped;
    an asked facet the record does not state, said so (held-out-11, read after its runs: y016 "Jonathan Frankle is
    the PhD advisor of the speaker" when Frankle is the speaker and no advisor is named; y010 "does not say where the
    speaker studied" when the bio gives his Ph.D. from Zurich)."""
    facets = asked_facets(answer.question)
    main = main_source(answer) if facets and not answer.abstained else None
    if main is None:
        return answer
    own = [s for s in answer.sentences if not borrowed(s, main)]
    notes, text = bio_sentences(main), " ".join(s.text for s in own)
    stating = {facet.name: next((s for s in notes if facet.stated.search(s)), None) for facet in FACETS}
    # An absence about a facet the record states, asked or not, is false: the record's sentence answers it instead.
    denied = [f for f in FACETS if f.absence and stating[f.name] and any(s.kind == "absence" and f.absence in s.text for s in own)]
    added: list[Sentence] = []
    answered: set[str] = set()
    for facet in list(dict.fromkeys([*facets, *denied])):
        found = stating[facet.name]
        if found is None or len(added) >= MOST_QUOTED:
            continue
        answered.add(facet.absence)
        if not already_said(found, text) and all(quoted(found, main.n).text != a.text for a in added):  # one sentence may state two facets
            added.append(quoted(found, main.n))
    record = _record_sentences(main)
    stated = [f for f in FACETS if f.absence and any(f.stated.search(s) for s in record)]
    missing = [f for f in facets if f.absence and f not in stated]
    catch_all = bool(answered or missing)
    # The record states these even where no sentence could be quoted: an absence about them is false all the same.
    answered |= {f.absence for f in stated}
    # A specific absence for each missing facet replaces people.py's catch-all, as a quote does.
    kept = [s for s in own if not (s.kind == "absence" and _answers_absence(s.text, answered, catch_all=catch_all))
            and not _states_missing(s, missing)]
    gaps = [Sentence(f"The record of this talk does not say {f.absence}.", [main.n], 1.0, kind="absence")
            for f in missing if not any(f.absence in s.text for s in kept)]
    return answer if kept + added + gaps == answer.sentences else replace(answer, sentences=kept + added + gaps)


def _record_sentences(source: Source) -> list[str]:
    """Every sentence of the talk's record (abstract and notes). Quoting takes only the sentences that name the speaker
    or sit in the notes; a one-line talk's bio may say "He received his bachelor's degree …" inside the abstract
    (held-out-11 y004, y005), so a facet is missing only when none of these states it."""
    talk = source.talk
    return [s for text in (talk.abstract, *talk.notes) for s in split_sentences(text)]


def _states_missing(sentence: Sentence, missing: list[Facet]) -> bool:
    """A claim stating a facet the talk's record does not state (the model's own, or another speaker's)."""
    return sentence.kind == "claim" and any(f.stated.search(sentence.text) for f in missing)


def borrowed(sentence: Sentence, main: Source) -> bool:
    """A claim about a person ("He earned his doctorate from …", "He is interested in …") that cites another talk
    than the one asked about: that talk's speaker's bio, attached to this speaker (held-out h027, dev q059)."""
    about_someone = is_person_claim(sentence) or bool(_PRONOUN_START.match(sentence.text))
    return sentence.kind == "claim" and about_someone and bool(sentence.citations) and main.n not in sentence.citations


def _answers_absence(text: str, answered: set[str], *, catch_all: bool) -> bool:
    """An absence about a facet a quoted sentence answers, or, with ``catch_all`` (some facet answered or said missing),
    people.py's "this about the speaker" (otherwise the record says nothing of what was asked, and the absence stays)."""
    return (catch_all and text.endswith("does not say this about the speaker.")) or any(phrase and phrase in text for phrase in answered)
