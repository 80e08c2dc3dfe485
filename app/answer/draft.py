"""The model's answer as it streams, made readable before it is checked.

The raw stream can be a row of markers ("[1][2][3][4") — the list prompt
answers with source numbers only, and a marker arrives before the text that
will be checked against it. A reader should see text, so the draft:

* holds back a marker that is still being written ("[4") until it is complete;
* keeps a marker that follows sentence text (it cites that sentence);
* shows a marker that follows no text (a talk chosen for a list) as the line
  ``- <title> (<speaker>) [n]`` that the checked answer will also name;
* drops a marker for a number no source has.

The draft only grows as tokens arrive (a marker's rendering is fixed once it
is complete), so a terminal can print each new piece and erase the whole at
the end. ``draft`` takes the text so far: an initial text (e.g. a preview)
can simply be prepended by the caller.
"""

from __future__ import annotations

import re

from app.core.text import MARKER, cited_numbers

#: A marker still being written at the end of the stream: "[", "[4", "[4, ".
_PARTIAL = re.compile(r"\[[\d\s,;]*$")


def draft(text: str, sources) -> str:
    """The readable draft of the streamed ``text`` so far, given the retrieved ``sources``."""
    titles = {s.n: s.talk.title.rstrip(" …").rstrip(".") + (f" ({s.talk.speaker})" if s.talk.speaker else "") for s in sources or []}
    partial = _PARTIAL.search(text)
    if partial and not MARKER.match(text, partial.start()):
        text = text[: partial.start()]
    out: list[str] = []
    after_text = False  # the markers so far follow sentence text (a run of markers shares it)
    position = 0
    for marker in MARKER.finditer(text):
        between = text[position : marker.start()]
        position = marker.end()
        out.append(between)
        if re.search(r"\w", between):
            after_text = True
        numbers = [n for n in cited_numbers(marker.group(0)) if n in titles]
        if not numbers:
            continue
        if after_text:
            out.append(marker.group(0))
            continue
        for n in numbers:
            so_far = "".join(out)
            lead = "\n" if so_far.strip() and not so_far.endswith("\n") else ""
            out.append(f"{lead}- {titles[n]} [{n}]\n")
    out.append(text[position:])
    return "".join(out)
