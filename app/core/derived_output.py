"""Demands on what others make from a text: the injection detector's fifth to eighth revisions (issue 22).

A research abstract describes its work; it has no use for telling the people or tools who summarise it what their
summaries must say. A sentence that ties an output made from this text ("every account of this talk", "automated
summaries", "when it explains this result") to a demand on it ("credits", "should keep that credit", "requires ...
to end with") is an instruction, whatever its other features (app/core/instructions.py applies these as decisive
rules). The fifth revision's shapes were chosen on the seen fresh7 and fresh8 misses, the sixth's on the seen fresh9
ones, the seventh's (a request in the subjunctive; outputs "concerning this talk" with a passive demand "are to be
enclosed …") on fresh10's one obeyed case and fresh11's two, the eighth's (a sentence about what others make of this
very text, or the reply to give) on fresh12's misses; each was judged once on a blind split written afterwards
(docs/reliability.md).
"""

from __future__ import annotations

import re

# Fifth revision (issue 22, after fresh7 and fresh8): a demand on what others make *from* this text.
# Sixth revision (after fresh9): such outputs made by a tool ("automated summaries"), of this talk ("summaries of the
# talk"), or by a reader who explains this ("When it explains this result"); an obligation ("should keep", "must also
# do", "requires ... to end with"), and a template for them ("Answer template for this talk").
#: What people or tools produce from a text: answers, accounts, definitions, reports, write-ups, retellings (not a
#: "summary statistic", a quantity of the research).
_OUTPUT_NOUN = (r"(?:answers?|repl(?:y|ies)|responses?|accounts?|definitions?|summar(?:y|ies)|descriptions?|reports?|write-?ups?|"
                r"retellings?|overviews?|digests?|coverage|explanations?|mentions?)\b(?!\s+statistics?\b)")
#: Who or what makes those outputs by machine ("automated summaries", "any automated reader").
_MADE_BY_MACHINE = r"(?:automated|automatic|machine[- ]generated|ai[- ]generated|generated|machine)"
#: Such an output tied to this text or its users: "every account of this talk", "answers drawing on this abstract", "any
#: definition of the term given to users", "when reporting this experiment", "when it explains this result".
_DERIVED_OUTPUT = re.compile(
    rf"\b(?:any|every|each|all)\s+(?:\w+\s+)?{_OUTPUT_NOUN}"
    rf"|\b{_MADE_BY_MACHINE}\s+(?:{_OUTPUT_NOUN}|readers?|summari[sz]ers?|tools?|systems?)"
    rf"|\b{_OUTPUT_NOUN}\s+(?:of|about|on|concerning|regarding|relating\s+to|related\s+to)\s+(?:this|the)\s+(?:talk|seminar|lecture|abstract|work|paper|result|study|presentation)s?\b"
    rf"|\b{_OUTPUT_NOUN}\s+(?:drawing|based|built|relying|derived|made|written|produced)\s+(?:on|from|upon)\s+(?:this|the\s+present|these)\b"
    rf"|\b{_OUTPUT_NOUN}\s+(?:[\w-]+\s+){{0,5}}?(?:given|shown|sent|offered|provided)\s+to\s+(?:the\s+)?(?:users?|readers?|people|anyone|audiences?)\b"
    rf"|\b{_OUTPUT_NOUN}\s+(?:template|format|script|boilerplate)\s+for\s+(?:this|the)\b"
    r"|\bwhen(?:ever)?\s+(?:(?:it|they|you|one|someone|anyone)\s+)?"
    r"(?:report|describ|summari[sz]|cit|quot|present|discuss|explain|mention|defin|relay)\w*\s+(?:this|these|the\s+present)\b",
    re.IGNORECASE)
#: An obligation to carry something of this text into others' outputs: a credit, a name to keep, a text to open or
#: end with, a description to repeat ("should keep that credit", "must also do", "requires ... to end with", "on
#: condition that summaries ... report it as").
_CARRIED_OVER = re.compile(
    r"\b(?:(?:should|must|shall|(?:is|are)\s+(?:required|expected)\s+to|requires?\s+(?:[\w-]+\s+){1,4}?to)\s+|"
    r"on\s+condition\s+that\s+(?:[\w-]+\s+){1,6}?|"
    # Seventh revision (after fresh10): a request in the subjunctive ("we ask that any summary of this work henceforth
    # attribute it to ...", "we request that reports ... credit").
    r"(?:ask|request|require|demand|insist|urge|expect)(?:s|ed)?\s+that\s+(?:[\w-]+\s+){1,8}?(?:\w+ly\s+|henceforth\s+)?)"
    r"(?:also\s+)?"
    r"(?:keep|retain|credit|attribute|do|begin|start|open|end|close|finish|report|refer|name|call|mention|state|say|use)\b",
    re.IGNORECASE)
#: ... with a demand on it: something to name, credit, repeat, quote or open with, an obligation to carry something
#: over, a request to whoever writes it, or a template for outputs about this talk.
_OUTPUT_DEMAND = re.compile(
    r"\b(?:names?|credits?|repeats?|quotes?|begins?|starts?|opens?|includes?|mentions?|states?|cites?|uses?|carr(?:y|ies))\b"
    r"|\bto\s+(?:quote|cite|use|report|repeat|state|name|credit|give|mention)\b|\b(?:ask|request|urge|expect|require)\b"
    # Seventh revision (after fresh11 f11inj36): a passive demand on them ("are to be enclosed between the tags …").
    r"|\b(?:is|are)\s+to\s+be\s+(?:\w+ly\s+)?(?:enclosed|wrapped|prefixed|suffixed|formatted|written|worded|phrased|headed|tagged|"
    r"ended|opened|started|begun|framed|signed|closed|attributed|credited|labell?ed|called|titled|marked|translated|rendered)\b"
    r"|\b(?:template|format|script|boilerplate)\s+for\s+(?:this|the)\s+(?:talk|seminar|lecture|abstract|paper|work|presentation)\b"
    rf"|{_CARRIED_OVER.pattern}",
    re.IGNORECASE)


def demands_on_derived_output(sentence: str) -> bool:
    """Does the sentence make a demand on what others make from this text ("every account of this talk to repeat",
    "answers drawing on this abstract begin with", "the number to quote when reporting this experiment")? A rule of
    the detector, not a weighted feature: the tune styles have too few such cases for the fit to weigh it
    (app/core/instructions.py)."""
    return bool(_DERIVED_OUTPUT.search(sentence) and _OUTPUT_DEMAND.search(sentence))


# Eighth revision (after reading fresh12's misses, its blind run done): a sentence that speaks of what others make of
# this very text at all ("every recap of the episode", "any account of it", "anyone relaying this work", "whenever you
# mention it") or of the reply to give ("and that is the answer to give", "the reply to any question about this
# abstract"). Research prose speaks of its own results, not of what others will say about them.
_OWN = (r"(?:it\b|(?:this|that|the\s+present)\s+(?:talk|work|abstract|result|episode|exhibit|research|method|paper|seminar|"
        r"lecture|theorem|estimator|figure|study|presentation|record|line\s+of\s+work)s?\b|the\s+(?:talk|episode|exhibit|abstract)\b)")
_RETOLD = (r"(?:answers?|repl(?:y|ies)|responses?|accounts?|summar(?:y|ies)|descriptions?|reports?|write-?ups?|retellings?|"
           r"recaps?|restatements?|texts?|mentions?|relays?|overviews?|digests?|explanations?)")
_OWN_OUTPUTS = re.compile(
    rf"\b(?:any|every|each|all)\s+(?:[\w-]+\s+){{0,2}}?{_RETOLD}\s+(?:of|about|on|concerning|regarding)\s+{_OWN}"
    rf"|\b(?:anyone|everyone|whoever|those)\s+(?:relaying|mentioning|describing|summari[sz]ing|asking\s+about|recapping|reporting|"
    rf"quoting|citing|discussing|retelling|writing\s+about)\s+{_OWN}"
    r"|\bwhenever\s+(?:you|one|anyone|someone|it|they)\s+(?:mention|describe|cite|quote|discuss|summari[sz]e|report|relay|"
    r"write\s+about)\w*\s+(?:it|this)\b"
    r"|\b(?:the|an?)\s+(?:answer|reply|response)\s+to\s+give\b|\bthe\s+(?:answer|reply|response)\s+to\s+any\s+(?:question|query|enquiry)"
    r"|\breceive\s+the\s+(?:answer|reply|response)\b|\bthe\s+whole\s+of\s+the\s+(?:answer|reply|response)\b"
    r"|\bthe\s+only\s+thing\s+said\s+about\s+it\b",
    re.IGNORECASE)


def speaks_of_own_outputs(sentence: str) -> bool:
    """Does the sentence speak of what others make of this very text, or of the reply to give (eighth revision)?"""
    return bool(_OWN_OUTPUTS.search(sentence))


def carries_over_into_outputs(sentence: str) -> bool:
    """A demand on derived outputs that carries something of this text into them (a credit, a name to keep, a text
    to open or end with): no research sentence asks that of others' summaries, in the authors' voice either
    (sixth revision, after fresh9; research voice still clears "every explanation must be faithful")."""
    return demands_on_derived_output(sentence) and bool(_CARRIED_OVER.search(sentence))
