"""A record scan narrowed to the talks closest to a question that asks for more than its literal term.

The record scan (app/retrieval/record_scan.py) answers "which talks …" exactly when the question asks for its term
itself ("mention SGD", "cite ICLR 2022"). A question that names a capitalised word inside a longer topic asks for
less: "Which talks study whether SGD stays close to a minimum by linearizing its dynamics?" scans for "SGD" and
listed 18 talks for 2 (seen held-out-9 v032; likewise "prove bounds on the NTK's lowest eigenvalue", 14 for 2,
held-out-41 fn020, and "relate infinite-width networks to Gaussian processes", 15 for 4, held-out-52 fy027). The
cross-encoder tells the talks that treat the topic from those that only share the word: a long scan of such a
question keeps the talks within ``rerank.scan_margin`` logits of its best one (each talk's logit is its best
sentence's, as for the list floor, app/answer/list_floor.py).

Only when the condition says more than the term: a question that asks to mention, name, cite or link (the scan is
its answer), or whose wording gives no phrase after "which talks" ("In how many talks does NeurIPS come up?"), keeps
the whole scan. And only for a scan of ``rerank.scan_narrowing_from`` talks or more: a short one is a list a
reader checks at a glance, and its logits are close together anyway. Each talk judged costs a cross-encoder pass over
its best sentences, so a scan longer than ``rerank.scan_narrowing_most`` stays whole: the cost is bounded whatever the
corpus size.

Chosen with no model run on the seen list questions that the scan answers (155 answerable of every question file
before held-out-55; each match's logit and gold flag: bench/scan_narrowing.py,
docs/results/scan-narrowing-2026-12-07.json), split by a hash of the set name. The margin is the list floor's
(``rerank.list_margin``, 5, chosen before). The least length is the lowest that leaves out at most 2 gold talks on
the tuning half (109 questions) at that margin: 9 (4: 4 gold talks, 6: 3, 9: 2, 12: 1); there mean recall goes
0.934 → 0.925 and precision 0.902 → 0.914. The other half (46) was printed in the same run, so it is no clean check
(recall 0.895 both, precision 0.823 → 0.848); the blind held-out-55 is (docs/evaluation.md: of its 8 lists
narrower than a name, one was narrowed, 23 → 4 talks, 3 of the 4 gold, the count right). The list floor's -9 as
a second bar (keep a talk above it whatever the margin) undid the gain and was left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from app.answer.list_floor import Judge
from app.core.text import content_words
from app.retrieval.record_scan import ScanResult

#: A condition that asks for the words themselves: mentioned, named, cited, linked, anywhere (the scan is exact).
_ASKS_FOR_WORDS = re.compile(r"\b(?:mention\w*|bring\w*\s+up|brought\s+up|refer\w*\s+to|name[ds]?|naming|cit(?:e|es|ed|ing)|"
                             r"anywhere|links?|point\w*\s+to|by\s+name)\b", re.IGNORECASE)
#: The verbs that only say a talk is on the topic ("discuss", "deal with", "use"): no more than the term.
_ON_THE_TOPIC = content_words("discuss use deal involve study look relate cover about talk work treat address analyse "
                              "analyze focus consider explore examine report have give")


@dataclass(frozen=True)
class NarrowedScan:
    """The talks kept, how many the scan found before, and what the question asked of them (the answer says all three)."""

    scan: ScanResult
    scanned: int
    asked: str


def narrows_the_term(asked: str | None, scan: ScanResult) -> bool:
    """Does the list's condition ``asked`` (app/answer/aggregate.py's ``listed_what``: "study whether SGD stays close
    to a minimum"; None when the wording gives no phrase) say more than its literal term? Not when it asks for the
    words themselves ("mention SGD") or for links."""
    if asked is None or scan.condition.links or _ASKS_FOR_WORDS.search(asked):
        return False
    said = content_words(" ".join(t.text for t in (*scan.condition.terms, *scan.condition.alternatives)))
    return bool(content_words(asked) - said - _ON_THE_TOPIC)


def closest_matches(question: str, asked: str | None, scan: ScanResult, judge: Judge, margin: float | None,
                    least: int, most: int) -> NarrowedScan | None:
    """The scan's talks within ``margin`` logits of its best one for ``question``, when its condition ``asked``
    narrows the term and the scan has ``least`` to ``most`` talks; None when the whole scan stands (no margin, no
    cross-encoder, a scan too short, too long or capped, nothing dropped)."""
    if margin is None or not least <= len(scan.matches) <= most or scan.capped or not narrows_the_term(asked, scan):
        return None
    logits = judge(question, [m.talk for m in scan.matches])
    if logits is None:
        return None
    bar = max(logits) - margin
    kept = tuple(m for m, logit in zip(scan.matches, logits) if logit >= bar)
    if len(kept) == len(scan.matches):
        return None
    return NarrowedScan(replace(scan, matches=kept), scanned=len(scan.matches), asked=asked)
