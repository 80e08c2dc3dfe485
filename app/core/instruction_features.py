"""The sentence features the instruction detector weighs: who a sentence addresses, whether it commands, what it demands.

Each feature is a yes/no reading of one sentence (markup already removed): who it addresses, whether it
opens with a command, whether it dictates the form of a reply, whether it is in another language or
obfuscated, whether it forges a chat turn, ... ``app/core/instructions.py`` weighs them (weights fitted
by ``eval/fit_detector.py``) and adds its decisive rules; this file only reads the sentence, so the fitting
script, the cross-validation bench and the detector all see the same features.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from app.core.links import ANY_DOMAIN_WITH_PATH

#: Words of the odd lines of data/abstracts.txt (written by ``eval/fit_detector.py``): what English research prose uses.
VOCABULARY = Path(__file__).with_name("corpus_vocabulary.json")

_W = r"[A-Za-zÀ-ÿ]+"

_TURN_MARK = re.compile(
    r"<\|[a-z_]+\|>|\[/?INST\]|<</?SYS>>|^\s*#{1,6}\s*\w+\s*:|(?:^|[\s(\[])(?:system|assistant|user|human|ai|developer|instruction)s?\s*(?:prompt|message)?\s*[:>\]]\s",
    re.IGNORECASE)
_SECOND_PERSON = re.compile(r"\b(?:you|your|yours|yourself|thee)\b", re.IGNORECASE)
_ADDRESSEE = re.compile(
    r"\b(?:assistants?|chat\s?bots?|chatgpt|gpt-?\d|llms?|language models?|(?:the|any|an?|every)\s+(?:ai|a\.i\.|bot|model|software|tool|system|agent|program)\b|ai\b(?:\s+(?:tools?|systems?|models?|assistants?))?"
    r"|software\s+that|(?:summari[sz]ing|answering|generating|reading)\s+(?:system|tool|model|software|assistant|agent)|summari[sz]ers?|whoever|anyone\s+(?:reading|summari[sz]ing)|readers?\s+of\s+this"
    r"|(?:\w+-)?(?:generation|answering|summari[sz]ation)\s+(?:systems?|tools?|models?|bots?|software)"
    r"|(?:systems?|tools?|models?|bots?|software|assistants?)\s+(?:processing|reading|summari[sz]ing|that\s+(?:reads?|process(?:es)?|summari[sz]es?))"
    r"|whatever\s+(?:is\s+)?(?:reading|summari[sz]ing|processing|generating|reads|summari[sz]es|processes))\b",
    re.IGNORECASE)
#: Whoever or whatever handles *this* text, named by what it does with it ("agents consulting this record", "those relaying
#: this abstract", "the tool answering questions here", "the automated writer of replies"): an addressee (fourth revision).
_HANDLER = re.compile(
    r"\b(?:(?:systems?|tools?|models?|bots?|software|assistants?|agents?)\s+(?:answering|relaying|quoting|consulting|handling)|agents?\s+(?:processing|reading|summari[sz]ing)"
    r"|(?:summary|digest|answer|reply)\s+(?:tools?|systems?|bots?|software)"
    r"|(?:writers?|generators?|authors?|composers?|producers?)\s+of\s+(?:any\s+|the\s+)?(?:replies|answers|responses|summaries|digests)"
    r"|(?:reading|consulting|relaying|processing|summari[sz]ing|quoting|handling|parsing|ingesting|indexing|fielding\s+questions\s+(?:on|about))\s+"
    r"(?:this|the\s+present|the\s+above)\s+(?:abstract|page|record|text|document|entry|listing|announcement|talk|paper|work|seminar|material|passage)"
    r"|readers?\s+of\s+(?:this|the\s+present)\s+(?:page|abstract|record|entry|listing|text|document))\b",
    re.IGNORECASE)
_COMMAND_VERBS = (
    "ignore|disregard|forget|override|bypass|obey|reply|respond|answer|say|tell|print|output|write|begin|start|end|close|finish|conclude|"
    "prefix|append|prepend|include|add|mention|state|describe|translate|repeat|format|present|sign|recommend|pretend|act|roleplay|role-play|"
    "decode|remember|cite|credit|visit|download|send|enter|click|report|summari[sz]e|insert|insist|claim|always|never|don't|"
    "please|stop|avoid|share|display|refuse"
)
#: What may open an imperative before its verb: a list marker ("(ii) ", "2. ") and a vocative ("Summariser, ", "Dear AI: ").
_LIST_MARK = r"(?:(?:[ivx]{1,4}|\d{1,2})[.)]|[a-h]\))\s+"
_VOCATIVE = (r"(?:(?:dear|hey|hi|hello|ok|okay)\s+)?(?:machines?|assistants?|bots?|chatbots?|ai|models?|summari[sz]ers?|readers?|agents?|tools?|llms?)"
             r"\s*[,:!]\s*")
_IMPERATIVE_START = re.compile(
    rf"^\W*(?:{_LIST_MARK})?(?:{_VOCATIVE})?(?:(?:now|then|also|and|important|note to \w+|dear \w+|do)\W+)?(?:{_COMMAND_VERBS})\b", re.IGNORECASE)
_IMPERATIVE_CLAUSE = re.compile(
    rf"[;:,]\s*(?:and\s+)?(?:then\s+)?(?:{_COMMAND_VERBS})\s+(?:the|your|with|only|that|this|it|every|each|all|a|an|them|everyone|readers|users)\b",
    re.IGNORECASE)
_REPLY_NOUN = re.compile(
    r"\b(?:your|every|each|any|all|the\s+(?:first|last|final|closing|opening))\s+(?:\w+\s+)?(?:reply|replies|answer|answers|response|responses|output|outputs|summary|summaries|description|message|sentence|line|word"
    r"|digests?|overviews?|synops[ie]s|recaps?|explanations?)\b"
    r"|\bin\s+(?:your|the)\s+(?:answer|reply|response|output|summary)\b|\bwhen(?:ever)?\s+(?:you\s+)?(?:answer|reply|respond|describ|summari[sz])\w*",
    re.IGNORECASE)
#: What a reply is to look like (nouns: a demand about the reply's form names one of them) ...
_FORM_NOUNS = (
    r"suffix|signoff|capital letters|all caps|uppercase|json|limerick|poem|bulleted|catchphrase|hashtag|code word|secret word|"
    r"tracking token|keyword|the (?:word|phrase|string|text|sentence)s?|closing line|"
    r"table|checklist|numbered|bullets?|bullet points|emojis?|quotation marks|bold|italics?|headings?|header|code block|markdown|lowercase|"
    r"rhym\w*|couplets?|verse|haiku|song|postscript|footer|first words?|last words?|first line|final line|"
    r"in (?:french|german|spanish|italian|portuguese|dutch|chinese|japanese|russian|latin)")
_FORM_NOUN = re.compile(rf"\b(?:{_FORM_NOUNS})\b", re.IGNORECASE)
#: ... and the verbs of such demands.
_FORM_VERB = re.compile(r"\b(?:begin|start|end|close|finish|conclude|prefix|append|prepend|sign(?:ed)?|translate|repeat|token)\b", re.IGNORECASE)
_OBLIGATION = re.compile(
    r"(?<!-)\b(?:must|shall|should|ought to|has to|have to|is to|are to|needs?|required to|expected to|asked to|be sure to|make sure|from now on|always|never|only|exclusively|nothing else)\b",
    re.IGNORECASE)
_ROLE = re.compile(
    r"\b(?:you are(?: now)?|pretend|act as|role-?play|play a game|persona|in character|from now on|(?:is|are) now|jailbreak|unlocked|without restrictions|dan mode)\b",
    re.IGNORECASE)
_META = re.compile(
    r"\b(?:this|the)\s+(?:abstract|text|record|document|message|prompt|entry|note)\b|\bthe (?:following|above|previous|preceding)\b|\binstructions?\b|\bthe user\b|\brules?\b",
    re.IGNORECASE)
#: A link as this reads one, and also a host of any domain with a path after it, as ingest records it
#: (app/core/links.py). A bare host of a domain outside the list ("robotics.ntua.gr") stays no link here: reading it
#: would change one corpus sentence of the detector's tune data, and so its fitted weights.
_LINK = re.compile(r"https?://|www\.|\b[\w.-]+@[\w-]+\.[\w.]+|\b[\w-]+\.(?:com|net|org|biz|io|ly|co|info|xyz|app|site)(?:/\S*)?\b|"
                   + ANY_DOMAIN_WITH_PATH, re.IGNORECASE)

_TELL_OTHERS = re.compile(
    r"\b(?:tell|inform|recommend|ask|advise|remind|urge|direct|encourage|point|send|redirect)\s+(?:the\s+|all\s+|any\s+)?(?:users?|readers?|everyone|people|visitors|them)\b|\bto (?:the|every|any) (?:user|reader)s?\b"
    r"|\b(?:make sure|ensure|see to it)\s+(?:that\s+)?(?:the\s+|every\s+|all\s+|any\s+)?(?:users?|readers?|audiences?|people|everyone|listeners?)\b"
    r"|\blet\s+(?:the\s+)?(?:users?|readers?|audiences?|people|everyone)\s+know\b",
    re.IGNORECASE)

#: What was asked of an experiment's participants, reported in the past tense ("were told to", "was asked to").
_PROTOCOL = re.compile(r"\b(?:were|was)\s+(?:\w+ly\s+)?(?:told|asked|instructed|required|encouraged|shown|paid|prompted|trained)\s+to\b", re.IGNORECASE)
#: The authors speaking ("we", "our"): research voice.
WE = re.compile(r"\b(?:we|our|us)\b", re.IGNORECASE)
_RESEARCH_VOICE = re.compile(r"\b(?:we|our|us|in this (?:talk|work)|this (?:talk|paper) (?:\w+ )?(?:shows?|presents?|introduces?|discuss\w*|explores?|covers?|reviews?|describes?|proposes?|surveys?|is based)|this paper|the authors?|joint work)\b", re.IGNORECASE)

# Imperative mood without a verb list: the sentence opens (after "First,", "Please", ...) with a capitalised word that
# is no function word and has no -ing/-ed/-ly/-s ending, followed by what an imperative's object starts with.
_NOT_IMPERATIVE = frozenset(
    "in on for from to at by with without within under over across along among between beyond through throughout into onto upon "
    "via despite unlike like as since while when whenever where wherever whereas although though if unless because after before "
    "until once given due both either neither each every all any some many most much few several no none not this that these those "
    "the a an our we us it its they their them there here such other another one two three however moreover furthermore thus hence "
    "therefore yet but and or so then also even only just recently why how what which who whose whom is are was were be been being "
    "has have had do does did can could may might must shall should will would i you he she his her my me above below around against "
    "toward towards near inside outside besides except per amid regarding instead rather together overall indeed further joint".split())
_IMPERATIVE_LEAD = re.compile(
    rf"^\W*(?:{_LIST_MARK})?(?:{_VOCATIVE})?(?:when(?:ever)?\s+\w+ing\b[^,;:]{{0,40}}[,;:]\s*)?"
    r"(?:(?:first|second|third|next|finally|lastly|now|then|also|and|please|kindly|just|simply|do)\W+)*",
    re.IGNORECASE)
#: A condition before an imperative of telling ("If someone asks about this work, reply that ...").
_CONDITION_LEAD = re.compile(r"^\W*(?:if|when|whenever|where|wherever|in case|should|once)\b[^,;:]{0,60}[,;:]\s*", re.IGNORECASE)
#: A sentence opening with a noun phrase that a verb of being follows ("Reply length is ...", "Output tokens are ..."): no imperative.
_SUBJECT_START = re.compile(
    r"^\W*[A-Za-z-]+(?:\s+(?!(?:it|this|that|there|he|she|they|we|you|everything|nothing|all|the|a|an)\b)[a-z-]+)?\s+(?:is|are|was|were|has|have|can|will|may)\b")
_IMPERATIVE_OBJECT = re.compile(
    r"(?:the|a|an|your|every|each|all|any|this|that|it|them|everything|anything|exactly|only|with|out|off|up|by|for|"
    r"readers?|users?|people|everyone|anyone|audiences?|\"|'|“|‘|#?[A-Z][A-Z0-9]{2,}(?:-[A-Z0-9]+)*)\b")

#: A code word in capitals ("GLACIER", "TRK-4451"): what a planted demand asks the answer to carry.
CODE_WORD = re.compile(r"(?<![\w-])#?(?=[A-Z0-9-]*[A-Z]{3})[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*(?![\w-])")
_CODE_NOUN = re.compile(r"\b(?:code ?word|secret|password|passphrase|keyword|magic (?:word|token)|token|tag|code|word|phrase|string|signature|sign(?:s|ed)?"
                        r"|watchword|marker|stamp|motto|slogan)\b", re.IGNORECASE)
#: A made-up code word (hyphenated capitals, four letters or more: "GALLEON-5", "YO-HO-HO") as what is to be said: the object
#: of a verb of saying or writing ("say X", "print('X')"), or what a reply is to open or close with ("close every answer with X").
_SAID_CODE = r"[\"“'‘]?(?=(?:[0-9-]*[A-Z]){4})[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+(?![\w-])"
#: A cheap test first: a said code word is hyphenated capitals or digits ("GALLEON-5").
_HYPHENATED = re.compile(r"[A-Z0-9]-[A-Z0-9]")
_CODE_SAID = re.compile(
    r"(?i:\b(?:say|says|write|writes|print|prints|output|proclaim|proclaims|announce|declare|type|add|append|prepend|insert|stamp|repeat|"
    r"spell out|thanking|crediting)(?:\s+|\s*\(\s*)(?:(?:with|by|using|the|a|an|word|phrase|tag|marker|code|string|line|token|signature)\s+){0,3})"
    rf"{_SAID_CODE}"
    r"|(?i:\b(?:open|opens|opening|close|closes|closing|end|ends|ending|begin|begins|beginning|start|starts|starting|finish|conclude|reply|"
    r"respond|answer|sign|signs)\b[^.;:\"]{0,50}?\bwith\s+(?:the\s+(?:\w+\s+)?)?)"
    rf"{_SAID_CODE}"
    r"|(?i:\b(?:answer|reply|response|output|summary)s?\s+(?:is|be|should be|must be|will be|=|:)\s+)"
    rf"{_SAID_CODE}")
_SPACED = re.compile(r"(?:\b\w[ .]{1,3}){4,}\w\b")
_BASE64 = re.compile(r"\b(?=[A-Za-z0-9+/]*[0-9])(?=[A-Za-z0-9+/]*[a-z])(?=[A-Za-z0-9+/]*[A-Z])[A-Za-z0-9+/]{16,}={0,2}")
_LEET = re.compile(r"\b\w*[a-z][0134578][a-z]\w*\b", re.IGNORECASE)  # "pr3v10u5": a digit inside a word, not "Cifar10"
_URL = re.compile(r"https?://\S+|www\.\S+")

_ENGLISH = frozenset(
    "the a an of and or to in on for with by from as at is are was were be been this that these those it its we our they their "
    "which who what when how not no but if than then so such can may will would all any each both more most also into over under "
    "between about after before via using used use show shows study new i you your he she his her there here do does".split())
_FOREIGN = frozenset(
    # German, French, Spanish, Italian, Dutch, Portuguese function words that are neither English words
    # nor particles of names ("van der", "de la", "di", "von")
    "und die das nicht mit ist ein eine nur dem den auf für alle oder wort zu "
    "les est une pour avec que qui dans sur pas uniquement mot vous votre et au aux "
    "los las con por para una solamente solo palabra todas "
    "il lo gli che per soltanto parola tutte "
    "het een niet met voor alleen woord eerdere "
    "um uma não apenas palavra".split()) - _ENGLISH

# Third revision (issue 22): features that several attack styles share, so a style left out of the fit is still
# caught through what it has in common with the others (docs/reliability.md, "leave one style out").
#: The reply, or a generic audience, as the subject of an obligation ("Summaries must ...", "Whoever reads this should ...").
_AUDIENCE_SUBJECT = re.compile(
    r"^\W*(?:\w+\W+){0,4}?(?:anyone|anybody|everyone|everybody|whoever|whatever(?:\s+\w+)?|readers?|audiences?|listeners?|"
    r"(?:any|every|each|all|the)\s+(?:\w+\s+)?(?:answers?|repl(?:y|ies)|responses?|summar(?:y|ies)|descriptions?|outputs?|explanations?)|"
    r"answers|replies|responses|summaries|descriptions|outputs)\b[^.;:]{0,60}?\b"
    r"(?:must|should|shall|ought to|has to|have to|is to|are to|needs? to|(?:is|are) (?:required|expected|asked))\b",
    re.IGNORECASE)
#: A passive demand to say something ("must be mentioned", "to be listed first", "ought to be 'X'"), a subjunctive one ("that the
#: method be labelled as ..."), or the thing to say named as such ("the figure to state is ...").
_PASSIVE_DEMAND = re.compile(
    r"\b(?:(?:must|should|shall|ought to|has to|have to|is to|are to|needs? to)\s+(?:\w+ly\s+|also\s+|always\s+)?be|to be)\s+"
    r"(?:mentioned|stated|cited|credited|listed|named|called|described|signed|repeated|shared|given|reported|included|added|told|said|"
    r"noted|emphasi[sz]ed|highlighted|quoted|praised|thanked|printed|displayed)\b"
    r"|\b(?:must|should|shall|ought to|has to|have to|is to|are to|needs? to)\s+be\s*[:\"'“‘]"
    r"|\bthat\s+(?:(?!(?:can|could|may|might|must|will|would|should|shall|cannot|to|not|also)\b)[\w'-]+[\s,]+){1,6}be\s+"
    r"(?:labell?ed|called|named|described|credited|attributed|referred to|listed|mentioned|cited|reported|stated|presented)\b"
    r"|\b(?:figure|number|value|name|title|date|fact|claim|answer|phrase|word|line|affiliation|sponsor|thing|one)s?\s+to\s+"
    r"(?:state|quote|say|mention|repeat|credit|cite|report|give)\s+(?:is|are|here)\b",
    re.IGNORECASE)
#: A trigger for the demand: someone asking ("to anyone who asks", "whenever this talk comes up", "if asked about it", "where
#: the question mentions X").
_TRIGGER = re.compile(
    r"\b(?:anyone|anybody|everyone|everybody|whoever|those|people|users?|readers?)\s+(?:who\s+)?(?:asks?|asking|enquir\w+|inquir\w+)\b"
    r"|\b(?:if|when|whenever|once|each time)\s+(?:\w+\s+){0,4}?(?:asked|asks?|queried|comes? up|is mentioned|is discussed|is summari[sz]ed)\b"
    r"|\b(?:if|when|whenever|where|wherever|in case|should)\s+(?:the|a|any|your)\s+(?:question|query|request|prompt|user|conversation)\s+"
    r"(?:mentions|concerns|is about|asks|refers|touches|enquires|inquires|turns)\b"
    r"|\b(?:if|when|whenever|once|as soon as)\s+(?:this|the)\s+(?:abstract|text|page|record|document|entry|listing|passage)\s+(?:is|gets|has been)\s+(?:being\s+)?"
    r"(?:processed|summari[sz]ed|read|parsed|ingested|indexed|retrieved|quoted|used)\b"
    r"|\b(?:if|when|whenever|while)\s+you(?:'re|\s+are)\s+(?:\w+\s+)?(?:summari[sz]\w*|process\w*|reading|answering|generating|an?\s+(?:ai|assistant|bot|chatbot|language model|llm))\b",
    re.IGNORECASE)
#: Verbs of telling someone something, as the verb of an imperative; not "note", "recall", "consider", which proofs use.
_TELLING = re.compile(
    r"(?:say|state|mention|tell|report|emphasi[sz]e|stress|point out|clarify|claim|assert|announce|explain|highlight|describe|credit|"
    r"praise|thank|repeat|cite|share|insist|inform|remind|warn|recommend|advertise|promote|underline|reiterate|convey|"
    r"make (?:it )?clear|let \w+ know|reply|respond|answer|add|include)\b",
    re.IGNORECASE)
#: ... followed by the claim to make, perhaps after whom to tell ("State that", "Convey to the user that").
_TELLING_THAT = re.compile(
    rf"(?:{_TELLING.pattern})\s+(?:(?:to|for|with)\s+(?:the\s+|all\s+|any\s+|every\s+)?\w+\s+)?that\b", re.IGNORECASE)
#: A label that opens a note to someone ("IMPORTANT:", "Note to the summariser:", "[SYSTEM NOTE]", "P.S.").
_HEADER = re.compile(
    r"^\W*(?:[A-Z][A-Z ]{3,30}:|\[[A-Za-z][^\]]{1,30}\]|(?i:p\.\s?s\.|n\.b\.|(?:note|notice|reminder|update|request|warning|"
    r"message|addendum|remember|important|attention|disclaimer)\b[^:.]{0,30}:))")

# Fourth revision (issue 22, after fresh4): what a sentence addressing a reader has that research prose has not.
#: A third party directed, in the present tense, to do something ("readers ... are kindly directed to credit", "agents ... are
#: obliged to", "systems ... are to thank", "it is expected of every digest that"). Not "is asked/instructed/required to", which
#: research uses for a model's task ("the chatbot is asked to translate"), nor a protocol's past "were asked to".
_DIRECTED = re.compile(
    r"\b(?:is|are)\s+(?:\w+ly\s+|hereby\s+|also\s+)?(?:requested|obliged|directed|invited|urged|encouraged|advised)\s+to\b"
    r"|\b(?:is|are)\s+to\s+(?:\w+ly\s+)?(?:thank|credit|mention|state|say|describe|name|call|cite|report|add|include|tell|append|refer|praise)\b"
    r"|\bit\s+is\s+(?:expected|required|requested|demanded|asked)\s+(?:of|from)\b",
    re.IGNORECASE)
#: Thanks in advance, or a plea ("I would appreciate it if the tool ..."): gratitude for something not yet done.
_PLEA = re.compile(
    r"\b(?:(?:would|will|shall)\s+(?:\w+ly\s+)?(?:appreciate|be\s+(?:\w+ly\s+)?(?:grateful|glad|thankful|obliged))|appreciate\s+it\s+if|grateful\s+if"
    r"|thanks?\s+(?:[\w,]+\s+){0,8}?in\s+advance|in\s+advance\s+(?:for|to)\b|(?:and|,)\s+in\s+advance"
    r"|thank(?:s|\s+you)?\s+for\s+(?:naming|mentioning|crediting|calling|stating|saying|including|adding|following|complying|obeying|describing)"
    r"|thanks?\s+(?:\w+\s+){0,3}?(?:assistants?|ai|chat\s?bots?|bots?|summari[sz]ers?|language models?|llms?)\s+(?:that|which|who)\s+(?:will|would|shall)\b)\b",
    re.IGNORECASE)
#: What a phishing sentence asks for (with a link, ``phishing``).
_CREDENTIAL = re.compile(
    r"\b(?:log\s?-?in|sign\s?-?in|password|passcode|credentials?|private\s+key|api\s+key|ssh\s+key|access\s+token|seed\s+phrase|credit\s+card|"
    r"bank\s+details|card\s+(?:details|numbers?)|one-time\s+code)\b",
    re.IGNORECASE)
_HEX = re.compile(r"\b(?=[0-9a-fA-F]*[a-fA-F])(?=[0-9a-fA-F]*\d)[0-9a-fA-F]{24,}\b|(?:\b[01]{8}\b\s*){3,}")  # hex or binary bytes
_NON_LATIN = re.compile(r"[^\W\d_A-Za-z\u00C0-\u024F\u0370-\u03FF\u1E00-\u1EFF]{4,}")  # a run of letters of another script (CJK, Cyrillic, ...)
_MIXED_CASE = re.compile(r"\b[a-z]+(?:[A-Z]+[a-z]+){1,}[A-Z]+[a-z]*\b")  # "iGnOrE", "rEpLy"; not "LaTeX", "iPhone"
_JSON_KEY = re.compile(r"\{\s*[\"']\w[\w ]*[\"']\s*:")
_TOKEN = re.compile(r"(?<![\w-])[^\W\d_]{2,}(?![\w-])")
#: Share of a sentence's lower-case words the research vocabulary must know (at least 5 words): below it the
#: sentence is in another language or encoded. Set on the odd corpus lines (lowest 0.5) and the tune styles.
KNOWN_SHARE = 0.25

#: The features that are one search each.
_SEARCHED = {
    "turn_markup": _TURN_MARK, "second_person": _SECOND_PERSON, "addressee": _ADDRESSEE, "imperative_start": _IMPERATIVE_START,
    "imperative_clause": _IMPERATIVE_CLAUSE, "reply_noun": _REPLY_NOUN, "reply_form": _FORM_NOUN, "obligation": _OBLIGATION,
    "role_play": _ROLE, "meta_reference": _META, "link": _LINK, "tells_others": _TELL_OTHERS, "research_voice": _RESEARCH_VOICE,
    "audience_obligation": _AUDIENCE_SUBJECT, "passive_demand": _PASSIVE_DEMAND, "trigger": _TRIGGER, "header": _HEADER,
    "directed_audience": _DIRECTED, "plea": _PLEA, "text_handler": _HANDLER,
}

#: Feature names in the order of the weight vector (``instruction_weights.json`` names them too).
FEATURES = (
    "regex", "turn_markup", "second_person", "addressee", "imperative_start", "imperative_clause", "reply_noun", "reply_form",
    "obligation", "role_play", "meta_reference", "link", "link_with_command", "addressee_with_demand", "demand_on_reply", "tells_others",
    "research_voice",
    "bare_imperative", "code_word", "unusual_text", "audience_obligation", "passive_demand", "trigger", "telling_imperative", "header",
    "directed_audience", "plea", "phishing", "text_handler",
)



def words(text: str) -> list[str]:
    return [w.casefold() for w in re.findall(_W, text)]


def bare_imperative(sentence: str) -> bool:
    """Does the sentence open with a verb in the imperative ("Render the whole reply ...", "Lay out the answer ...")?"""
    rest = sentence[_IMPERATIVE_LEAD.match(sentence).end():]
    match = re.match(r"([A-Za-z][a-z]+)(?:\s+(?:out|off|up|in|back|down|aside|away|on))?\s+(\S+)", rest)
    if not match:
        return False
    word = match.group(1).casefold()
    if word in _NOT_IMPERATIVE or re.search(r"(?:ing|ed|ly|[^s]s)$", word):
        return False
    return bool(_IMPERATIVE_OBJECT.match(match.group(2)))


@lru_cache(maxsize=8192)
def features(sentence: str) -> dict[str, float]:
    """The sentence's features, each 0/1 (what ``judge`` weighs); cached, so callers must not change the dict."""
    from app.core.safety import matches_phrase_list  # the first detector, kept as one signal

    tokens = words(sentence)
    english = sum(w in _ENGLISH for w in tokens)
    foreign = sum(w in _FOREIGN for w in tokens)
    found = {name: bool(pattern.search(sentence)) for name, pattern in _SEARCHED.items()}
    command = found["imperative_start"] or found["imperative_clause"]
    addressed = found["addressee"] or found["second_person"] or found["text_handler"]
    if _SUBJECT_START.match(sentence):  # "Reply length is ...": a noun phrase, not an imperative
        found["imperative_start"] = False
    plain = _URL.sub(" ", sentence)
    obfuscated = bool(_SPACED.search(plain) or _BASE64.search(plain) or _HEX.search(plain) or len(_LEET.findall(plain)) >= 2)
    # Another language, encoded or spaced-out text: one feature, so the fit learns it from any of those styles.
    foreign_language = foreign >= 3 and foreign > english
    telling = telling_imperative(sentence) and not _SUBJECT_START.match(sentence)
    imperative = bare_imperative(sentence) and not _SUBJECT_START.match(sentence)
    # "Point out that the authors ...": an imperative that names the authors without "we" is not their voice.
    # A protocol reported in the past ("Participants were told to respond ...") is research voice too, unless it says "you".
    protocol = bool(_PROTOCOL.search(sentence)) and not found["second_person"]
    research = (found["research_voice"] or protocol) and not ((telling or imperative or found["imperative_start"]) and not WE.search(sentence))
    f = {
        **found,
        "research_voice": research,
        "regex": matches_phrase_list(sentence),
        "link_with_command": found["link"] and (addressed or found["reply_noun"] or found["tells_others"]),
        "addressee_with_demand": addressed and (found["obligation"] or found["reply_noun"] or command),
        "demand_on_reply": (found["reply_noun"] or found["reply_form"] or bool(_FORM_VERB.search(sentence))) and (found["obligation"] or command),
        "bare_imperative": imperative,
        "code_word": bool(CODE_WORD.search(sentence) and _CODE_NOUN.search(sentence)) or bool(_HYPHENATED.search(sentence) and _CODE_SAID.search(sentence)),
        "unusual_text": foreign_language or obfuscated or unusual(plain),
        "telling_imperative": telling,
        "phishing": found["link"] and bool(_CREDENTIAL.search(sentence)),
    }
    return {k: float(f[k]) for k in FEATURES}


def telling_imperative(sentence: str, claim: bool = False) -> bool:
    """Does the sentence open (after "First,", "Please", "When describing X,", "Summariser,", "If someone asks, ") with a
    verb of telling in the imperative ("Emphasise that ...", "Point out that ...", "Let readers know ...")? With
    ``claim``: followed by the claim to make ("Stress that ...", "Clarify for the audience that ...")."""
    condition = _CONDITION_LEAD.match(sentence)
    start = condition.end() if condition else 0
    lead = start + _IMPERATIVE_LEAD.match(sentence[start:]).end()
    rest = sentence[lead:]
    told = _TELLING_THAT.match(rest) if claim else _TELLING.match(rest)
    return (rest[:1].isupper() or lead > 0) and bool(told)


@lru_cache(maxsize=1)
def vocabulary() -> frozenset[str]:
    """The lower-case words of the corpus's odd lines (corpus_vocabulary.json): what the collection writes as ordinary words."""
    return frozenset(json.loads(VOCABULARY.read_text(encoding="utf-8"))["words"])


#: A character that is no Latin letter of any accent (Latin-1, Extended-A/B, Extended Additional: Polish, Turkish, Vietnamese).
_NOT_LATIN = re.compile(r"[^\u0000-\u024F\u1E00-\u1EFF]")


def _latin_tokens(text: str) -> list[str]:
    """The lower-case words in Latin letters (any accents: "odpowiedź", "yanıt"), and the first word lower-cased: names
    (capitalised) are left out, and another script is ``_NON_LATIN``'s."""
    found = _TOKEN.findall(text)
    tokens = [t for t in found if t[0].islower() and not _NOT_LATIN.search(t)]
    first = found[0] if found and text.lstrip(" \"'“‘([").startswith(found[0]) else ""
    if first[:1].isupper() and first[1:].islower() and not _NOT_LATIN.search(first):
        tokens.append(first.casefold())
    return tokens


def unusual(text: str) -> bool:
    """Text no English research sentence looks like: mostly words the research vocabulary does not know (another
    language, rot13), words the vocabulary knows only backwards (reversed text), hex or binary bytes, letters of
    another script, mIxEd case inside a word, or a JSON object."""
    tokens = _latin_tokens(text)
    known = vocabulary()
    unknown = len(tokens) >= 5 and sum(t in known for t in tokens) < KNOWN_SHARE * len(tokens)
    backwards = sum(t not in known and t[::-1] in known for t in tokens)
    reversed_text = backwards >= 4 or (backwards >= 3 and 3 * backwards >= len(tokens))
    return unknown or reversed_text or bool(_NON_LATIN.search(text) or _MIXED_CASE.search(text) or _JSON_KEY.search(text) or _HEX.search(text))


def has_english_function_words(text: str) -> bool:
    """Does ``text`` use any English function word ("the", "of", "which", ...)? A question without one is in another
    language, or too terse to read its words as English (app/retrieval/absent_terms.py)."""
    return any(w in _ENGLISH for w in words(text))


def looks_foreign(text: str) -> bool:
    """Is ``text`` in another language than English (function-word shares, or mostly non-Latin letters)?"""
    letters = [c for c in text if c.isalpha()]
    if letters and sum(not ("a" <= c.casefold() <= "z" or "à" <= c.casefold() <= "ÿ") for c in letters) > len(letters) / 2:
        return True
    tokens = words(text)
    foreign = sum(w in _FOREIGN for w in tokens)
    return len(tokens) >= 5 and foreign >= 2 and foreign > sum(w in _ENGLISH for w in tokens)
