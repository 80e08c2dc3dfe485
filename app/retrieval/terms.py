"""One literal term of a list question and how it is found in a talk's text (app/retrieval/record_terms.py reads the
terms off the question; this module matches them).

A term matches case-insensitively, a plural ending optional, a long lower-case word in any of its forms
(app/retrieval/word_forms.py). An acronym's all-lowercase look-alike is an ordinary word ("career", "submit") and does
not count, nor does a short acronym's capitalised look-alike (a sentence's opening "It" for "IT", the surname "Gan" for
"GAN"; held-out-50 fw035, read after its blind run), while a longer one's does ("Cifar10" for CIFAR), and so does its
spelled-out form ("Massachusetts Institute of Technology" for MIT); an acronym's plural ("ODEs") is the acronym with
the ending optional; a capitalised name in the middle of a person's name ("Daniel Adam Roberts") is not the term
("Adam"); a year is a whole number, and so is a name's number ("CIFAR-10" is not in "CIFAR-100"); a year is also its
last two digits written onto a venue's acronym ("ICML22", "NeurIPS'19": held-out-55 gb003 missed a talk citing
"ICML22 and ICML23" for ICML 2022, read after its blind runs); a span of years ("2019 or earlier", "since 2020") is any
year in it, written out or onto a venue's acronym.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.retrieval.word_forms import forms_pattern

#: A year written out: 1900-2099, not part of a longer number or an arXiv id.
_NOT_IN_A_NUMBER = (r"(?<!\d)(?<!\d\.)", r"(?!\d|\.\d)")
YEAR = re.compile(r"(?:19|20)\d\d".join(_NOT_IN_A_NUMBER))
#: Any year written out, or its two last digits on a venue's acronym ("ICML'19"): what a span of years looks for.
#: An arXiv identifier's first two digits are its year too ("arxiv.org/abs/1909.02729", "arXiv:2102.02410"): a preprint
#: "numbered in 2019 or earlier" (held-out-58 ge007, read after its blind runs, missed two talks giving only such links).
_ANY_YEAR = re.compile(r"(?:19|20)\d\d".join(_NOT_IN_A_NUMBER) + r"|(?<=[A-Z]{2})['’]?\d\d(?![\dA-Za-z])"
                       r"|(?:(?<=abs/)|(?<=pdf/)|(?<=[aA][rR][xX][iI][vV]:)|(?<=[aA][rR][xX][iI][vV]\s))\d\d(?=(?:0[1-9]|1[0-2])\.\d{4,5})")
#: Capitalised words in a row that can still be a person's name ("Daniel Adam Roberts", "Maria de la Cruz Ortega").
_LONGEST_NAME = 4
#: An acronym this short counts only in capitals: capitalised, its letters are a word ("It", "As", "Gan").
_SHORT_ACRONYM = 3
#: Small words an acronym's spelled-out form may have between its initials ("Institute of Technology").
LINKING_WORDS = ("of", "and", "the", "on", "for", "in", "de")
_LINKING = rf"(?:(?:{'|'.join(LINKING_WORDS)})\s+)*"


#: A person's role a list ties to a name ("did a postdoc at MIT", "a doctorate in ECE"), and the ways a bio writes it
#: (regular expressions, any case, no look-around: the catalog's filter reads them too). Written from how speaker bios
#: word these roles, before any list of held-out-56 was read; held-out-55 gb004 ("How many speakers did a postdoc at
#: MIT?") listed the 5 talks that mention MIT for 2. A professorship, a degree and its verbs ("studied for a degree at
#: MIT", "graduated from") after held-out-56 gc006 and gc008 were read (after their blind runs): the name alone there
#: listed 3 talks for 2 and 5 for 2.
_PROFESSOR = r"professor(?:ship)?s?|faculty"
_INTERN = r"intern(?:ship)?s?"
_FELLOW = r"fellow(?:ship)?s?"
#: A degree, however a bio words it ("Ph.D. from", "B.Sc. in", "bachelor's degree", "graduated from", "studied at").
_DEGREE = (r"degrees?|ph\.?\s?d|doctor(?:ate|al)|bachelor|master|b\.\s?(?:sc?|tech|eng|a)\.?|m\.\s?(?:sc?|eng|a)\.?|"
           r"bsc|msc|btech|graduat(?:ed|e|ing)|stud(?:y|ied|ying)|alumn(?:us|a|i)")
ROLES = {
    "postdoc": r"post-?doc(?:toral|s)?",
    "doctorate": r"doctor(?:ate|al)|ph\.?\s?d",
    "professor": _PROFESSOR, "professorship": _PROFESSOR, "faculty": _PROFESSOR,
    "intern": _INTERN, "internship": _INTERN,
    "fellow": _FELLOW, "fellowship": _FELLOW,
    "student": r"students?",
    "degree": _DEGREE, "studied": _DEGREE, "graduated": _DEGREE, "alumnus": _DEGREE, "alumni": _DEGREE,
}


@dataclass(frozen=True)
class Term:
    """One literal term of the question, and how it is found in a text."""

    text: str
    #: The years a span or choice of years asks for ("2019 or earlier": 1900 to 2019; "2019 or 2020"), ``text`` then
    #: saying it in words.
    years: frozenset[int] | None = None

    @property
    def acronym(self) -> bool:
        """All capitals, or an acronym's plural ("ODEs", "LLMs")."""
        letters = self.text[:-1] if self.text.endswith("s") else self.text
        return len(letters) >= 2 and letters.isupper()

    @property
    def year(self) -> bool:
        return self.years is not None or bool(YEAR.fullmatch(self.text))

    def _in_span(self, found: str) -> bool:
        """Is the year ``found`` ("2018", "'19", "19") one of the years asked for (any year, for a year that is no span)?"""
        if self.years is None:
            return True
        digits = re.sub(r"\D", "", found)
        year = int(digits) if len(digits) == 4 else 2000 + int(digits) if int(digits) < 70 else 1900 + int(digits)
        return year in self.years

    @property
    def core(self) -> str:
        """The term without a plural ending ("Transformers" -> "Transformer", "ODEs" -> "ODE"), matched with an optional one."""
        if self.acronym and self.text.endswith("s"):
            return self.text[:-1]
        if not self.acronym and len(self.text) > 4 and self.text.endswith("s") and not self.text.endswith("ss"):
            return self.text[:-1]
        return self.text

    def _letters(self) -> str:
        """The term's letters; a short mixed-case one ("PhD") also as written with dots ("Ph.D."), and a hyphen or space
        between words optional ("fine-tuning", "finetuning", "fine tuning")."""
        if self.text.lower() in ROLES:
            return f"(?:{ROLES[self.text.lower()]})"
        capitals = sum(c.isupper() for c in self.text)
        if len(self.text) <= 4 and capitals >= 2 and not self.acronym:
            return r"\.?\s?".join(re.escape(c) for c in self.text)
        return r"[-\s]?".join(forms_pattern(part) or re.escape(part) for part in re.split(r"[-\s]+", self.core))

    def pattern(self) -> re.Pattern:
        if self.years:
            return _ANY_YEAR
        if self.year:
            return re.compile(re.escape(self.text).join(_NOT_IN_A_NUMBER) + rf"|(?<=[A-Z]{{2}})['’]?{self.text[2:]}(?![\dA-Za-z])")
        longer_number = r"(?!\d)" if self.text[-1].isdigit() else ""  # "CIFAR-10" is not in "CIFAR-100"
        return re.compile(rf"(?<![A-Za-z]){self._letters()}(?:e?s)?(?![a-z]){longer_number}", re.IGNORECASE)

    def spelled_out(self) -> str | None:
        """An acronym's long form as a regular expression (initials of capitalised words), case-sensitive."""
        if not self.acronym or not 3 <= len(self.core) <= 5 or not self.core.isalpha():
            return None
        return r"\b" + (r"\s+" + _LINKING).join(f"{c}[a-z]+" for c in self.core) + r"\b"

    def finds(self, text: str, companions: tuple[str, ...] = ()) -> bool:
        """Does ``text`` contain the term (as the module docstring says)? ``companions``: the question's other terms,
        which may stand around it without making it a middle name ("Max Planck Institute")."""
        long_form = self.spelled_out()
        if long_form and re.search(long_form, text):
            return True
        for match in self.pattern().finditer(text):
            found = match.group(0)
            if not self._in_span(found):
                continue
            if self.acronym and (found.islower() or len(self.core) <= _SHORT_ACRONYM and not re.sub(r"e?s$", "", found).isupper()):
                continue  # "career", "submit", a sentence's "It" for "IT", "Gan" for "GAN": an ordinary word or a name
            if not self.acronym and not self.year and _inside_a_name(text, match.start(), match.end(), companions):
                continue
            return True
        return False

    def candidates(self) -> str:
        """A superset filter in Rust's regex syntax (no look-around), for the catalog's scan."""
        if self.years:  # a year written out, on a venue's acronym, or as an arXiv identifier's first digits
            return r"(?:19|20)\d\d|[A-Z]{2}['’]?\d\d|\d{4}\.\d{4,5}"
        near = r"(?i)\b" + self._letters()
        long_form = self.spelled_out()
        return near if long_form is None else f"{near}|(?-i:{long_form})"


def _inside_a_name(text: str, start: int, end: int, companions: tuple[str, ...] = ()) -> bool:
    """Is the match a middle name: a capitalised word right before it and right after it ("Daniel Adam Roberts"),
    neither of them one of the question's ``companions`` ("Max Planck Institute" is the name asked for), and not in
    a run of capitalised words longer than a name (a title: "Early Phase Fisher Matrix Impacts Generalization")?"""
    before = re.search(r"((?:[A-Z][a-z]+\s+)+)$", text[:start])
    after = re.match(r"((?:\s+[A-Z][a-z]+)+)", text[end:])
    if not (before and after):
        return False
    words_before, words_after = before.group(1).split(), after.group(1).split()
    if words_before[-1] in companions or words_after[0] in companions:
        return False
    return len(words_before) + 1 + len(words_after) <= _LONGEST_NAME
