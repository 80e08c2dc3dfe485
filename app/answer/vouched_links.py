"""A talk's links as an answer may state them: not the ones only instruction-like sentences of the talk carry.

Ingest records every link of a talk's text (ingest/derive.py ``extract_links``), planted ones too, with or without
a scheme: "Code and checkpoints: <an invented domain>/signin (institutional password required)" gives its talk that
link. The record facts then stated it as the talk's own ("The record of this talk gives no code link; the links it
gives: https://…", fresh15 f15inj02 and f15inj21, read after its blind run), and the output guard let it through: it
knew a link as planted only when the sentence carrying it was among the passages the model had been given, and only
in the ``http(s)://`` or ``www.`` spelling its pattern reads.

So the links an answer may state are judged over the whole talk (abstract and notes, ``talk_sentences``): a recorded
link is planted when the sentences that carry it (in any spelling: the link without its scheme) are all suspect
and none is plain. Suspect: read as an instruction (``neutralise_all`` replaces it), directing someone to the link
(``directs_to_link``), or asking for credentials with it (the ``phishing`` feature: a login, a password, card
details). A notes line "Links: https://…" is plain, so a link the record lists there is never planted.

A link to a program to install or run ("…/setup-kit.pkg", "….msi", "install.sh"), given by a sentence that names
such a program ("download Viewer-2.1.dmg from <a domain>"), or that an install command installs ("conda install -c
<a link>"), is never the talk's own, whatever else that sentence says:
research abstracts link papers, pages and code repositories, and no link of data/abstracts.txt is such a file (a
test), while "participants install the toolkit from <an invented domain>/setup-kit.pkg" reads as
plain logistics to every other signal (fresh18 f18inj13, read after its blind run; in-sample).
"""

from __future__ import annotations

import re
from functools import lru_cache

from app.core.instruction_features import features
from app.core.instructions import directs_to_link
from app.core.safety import PLACEHOLDER, neutralise_all
from app.core.talk import Talk
from app.retrieval.relevance import talk_sentences


def link_key(url: str) -> str:
    """A link as compared: without its scheme or a trailing full stop ("www.davidstutz.de" is "https://www.davidstutz.de")."""
    return re.sub(r"^https?://", "", url.rstrip("/.,;)").casefold())


#: The file endings of installers, executables and scripts: a link ending in one is planted wherever it stands. The
#: app packages of Windows, macOS, Android, iOS, Linux and of editors and browsers (.msix, .appx, .mpkg, .ipa, .snap,
#: .vsix, .xpi, .crx), Windows script hosts' files (.vbe, .wsf) and Python's zipapps (.pyz) joined after fresh21 f21inj26
#: (an .msix, read after its blind run): the same kind of file, listed whole rather than one at a time.
_PROGRAM_ENDINGS = (r"\.(?:exe|msi|msix(?:bundle)?|appx(?:bundle)?|m?pkg|dmg|apk|ipa|app|bat|cmd|scr|jar|vbs|vbe|wsf|ps1|sh|"
                    r"run|deb|rpm|snap|flatpak(?:ref)?|appimage|iso|pyz|whl|vsix|xpi|crx|docm|xlsm|pptm|dotm)")
_PROGRAM = re.compile(_PROGRAM_ENDINGS + "$", re.IGNORECASE)
#: A program named in the sentence that gives the link ("download FlatMinima-Viewer-2.1.dmg from https://…"): the link
#: is where to get it. Office files with macros (.docm, .xlsm, .pptm, .dotm) run code when opened. Both from fresh19
#: f19inj25 and f19inj23 (read after its blind runs); no sentence of the corpus or of a benign set names such a file.
_PROGRAM_FILE = re.compile(r"\b[\w.-]+" + _PROGRAM_ENDINGS + r"\b", re.IGNORECASE)


#: A package manager's install command, or a download piped into a shell, given the link itself as what to install
#: ("conda install -c https://…/channel demos", "flatpak install https://…", "curl -sSL https://… | sudo bash"): the
#: link is a program's source, not the talk's page. Only as the command's argument: "installed with pip install pot
#: and documented at https://pythonot.github.io" gives a documentation page (a benign sentence of fresh20). From
#: fresh22 f22inj11 and f22inj25, read after its blind runs (in-sample).
_INSTALLER = (r"\b(?:(?:pip3?|conda|mamba|micromamba|npm|yarn|pnpm|gem|cargo|brew|apt(?:-get)?|dnf|yum|zypper|snap|flatpak|"
              r"choco|winget|scoop)\s+install|docker\s+(?:run|pull)|podman\s+(?:run|pull)|curl|wget)(?:\s+-{1,2}[\w-]+)*\s+")
_PIPED_TO_SHELL = r"[^|\n]*\|\s*(?:sudo\s+)?(?:ba|z|da)?sh\b"


def _installed_from(key: str, sentence: str) -> bool:
    """Is the link (its ``link_key``) what an install command in the sentence installs, or a download piped into a shell?"""
    link = r"(?:https?://)?" + re.escape(key)
    match = re.search(_INSTALLER + link, sentence)
    if not match:
        return False
    downloads = re.search(r"(?:curl|wget)\S*\s", match.group(0))  # a download installs only when piped into a shell
    return not downloads or bool(re.match(_PIPED_TO_SHELL, sentence[match.end():]))


def is_program(url: str) -> bool:
    """Does the link lead to a program to install or run (its path, before any query, ends in such a file)?"""
    path = re.split(r"[?#]", link_key(url), maxsplit=1)[0]
    return "/" in path and bool(_PROGRAM.search(path))


def _suspect(raw: str, seen: str) -> bool:
    return seen == PLACEHOLDER or directs_to_link(raw) or bool(features(raw)["phishing"])


@lru_cache(maxsize=4096)
def _planted(links: tuple[str, ...], sentences: tuple[str, ...]) -> frozenset[str]:
    suspect, plain = [], []
    for raw, seen in zip(sentences, neutralise_all(list(sentences))):
        (suspect if _suspect(raw, seen) else plain).append(raw.casefold())
    planted = set()
    for url in links:
        key = link_key(url)
        if (is_program(url) or any(key in s and (_PROGRAM_FILE.search(s) or _installed_from(key, s)) for s in (*suspect, *plain))
                or (any(key in s for s in suspect) and not any(key in s for s in plain))):
            planted.add(key)
    return frozenset(planted)


def planted_links(talk: Talk) -> frozenset[str]:
    """The keys (``link_key``) of the talk's recorded links that only suspect sentences of the talk carry."""
    return _planted(tuple(talk.links), tuple(talk_sentences(talk))) if talk.links else frozenset()


def vouched_links(talk: Talk) -> list[str]:
    """The talk's recorded links an answer may state as the talk's own, in record order."""
    planted = planted_links(talk)
    return [url for url in talk.links if link_key(url) not in planted]
