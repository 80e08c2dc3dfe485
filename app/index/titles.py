"""Talk titles a person would write: what a title must not look like, and generated titles, cached.

Plain-text corpora give no titles, so ingest derives one from the abstract
(ingest/derive.py, instant, no LLM). ``talkqa titles`` then asks the
configured chat model for a better one, once per talk content id and model,
and keeps it in ``<data_dir>/titles.json``: an unchanged talk never pays
twice, an edited talk (a new content id) gets a new title. Readers of the index
lay the cached titles over the talks they read (``TitleOverlay``), so every surface
shows them without re-ingesting, and the derived title stays the fallback
until a generated one exists, or when the model's answer is not a usable title.

A title a file gives (jsonl/csv/front matter, ``title_source == "given"``)
is never replaced. ``fragment_reason`` is the one definition of a title that
reads like a cut sentence; the heuristic, the validation of generated titles
and bench/titles.py all use it.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from langchain_core.messages import HumanMessage, SystemMessage

from app.core.prompts import load_prompt
from app.core.safety import without_instructions
from app.core.talk import Talk

if TYPE_CHECKING:  # every process imports this module (readers apply titles); few run a model
    from langchain_core.language_models.chat_models import BaseChatModel

MAX_TITLE_WORDS = 12

# ---------------------------------------------------------------- what a title is not

#: A title does not start with these: a pronoun or determiner that points at a sentence before it
#: ("Many of these papers", "Our journey ..."), a conjunction, or a subordinating word ("Given ...").
BAD_START = frozenset(
    """i we our ours my me us you your it its they their them he she his her this these those that such
    here there many some several most both each another other others all any and but or nor so also then thus
    hence however moreover furthermore which who whose whom where since because although though while whereas
    given if as inspired despite unlike contrary showing"""
    .split()
)
#: Words that point at context the title does not have, anywhere in it.
ANAPHORA = frozenset("i we our us my me you your they their them its these those this such".split())
#: A title does not end on a function word ("... in the loss landscape of").
DANGLING_END = frozenset(
    """a an the of to in on for with by from at as via and or but nor that which whose who whom than into onto
    over under between among across through towards toward beyond about around within without is are was were be
    been being has have had can could will would should may might must its their our his her this these those
    such some many each both either neither very like due according recent several various certain perhaps""".split()
)
#: A finite verb of a statement: "Neural networks are renowned for ..." is a sentence, not a title.
_FINITE = re.compile(r"\b(?:is|are|was|were|has|have|had|been|does|do|did|will|would)\b", re.IGNORECASE)
_WORD = re.compile(r"[\w’'\-]+")


def words(title: str) -> list[str]:
    """The words of a title, as the 12-word limit counts them."""
    return title.split()


def fragment_reason(title: str) -> str | None:
    """Why ``title`` reads like a piece of a sentence rather than a title; None when it reads like a title."""
    text = (title or "").strip()
    tokens = [w.lower().strip("’'") for w in _WORD.findall(text)]
    if len(tokens) < 2 or not re.search(r"[A-Za-z]{3}", text):
        return "too short"
    if len(words(text)) > MAX_TITLE_WORDS:
        return f"more than {MAX_TITLE_WORDS} words"
    if "…" in text or "..." in text:
        return "ellipsis"
    if tokens[0] in BAD_START:
        return f"starts with {tokens[0]!r}"
    if re.match(r"^[A-Za-z]+,\s", text):
        return "starts with an introductory word"
    if found := next((t for t in tokens if t in ANAPHORA), None):
        return f"refers to context ({found!r})"
    if tokens[-1] in DANGLING_END and not text.endswith("?"):
        return f"ends with {tokens[-1]!r}"
    if _FINITE.search(text) and not text.endswith("?"):
        return "reads as a sentence"
    if text.endswith(".") and not re.search(r"\b(?:al|etc|vs)\.$", text):
        return "ends with a full stop"
    if text.count("(") != text.count(")") or text.count("“") != text.count("”") or text.count('"') % 2:
        return "unbalanced brackets or quotes"
    return None


def is_fragment(title: str) -> bool:
    return fragment_reason(title) is not None


# ---------------------------------------------------------------- cleaning a model's answer

_LABEL = re.compile(r"^\s*(?:\*\*)?\s*(?:(?:talk|suggested|proposed|final)\s+)?title\s*(?:\*\*)?\s*[:\-–—]\s*", re.IGNORECASE)


def clean_title(raw: str) -> str:
    """The title in a model's answer: its first non-empty line without "Title:", quotes, markup or a final stop."""
    line = next((ln for ln in (raw or "").splitlines() if ln.strip()), "")
    line = _LABEL.sub("", line).strip()
    line = re.sub(r"^[#>*\-\s]+|[*\s]+$", "", line)
    for _ in range(2):  # "\"Title\"." and '*"Title"*'
        line = line.strip().rstrip(".").strip()
        if len(line) > 1 and line[0] in "\"'“‘`" and line[-1] in "\"'”’`":
            line = line[1:-1]
    line = re.sub(r"\s+", " ", line).strip()
    return line[:1].upper() + line[1:]


def valid_title(raw: str) -> str | None:
    """The cleaned title when it is a usable one (≤ 12 words, not a fragment), else None."""
    title = clean_title(raw)
    return None if is_fragment(title) else title


# ---------------------------------------------------------------- the cache


class TitleCache:
    """``<data_dir>/titles.json``: ``{talk_id: {model: title or null}}``.

    ``null`` records that the model was asked and gave no usable title, so it is
    not asked again. Writes are atomic (a temporary file, then a rename) and
    merge with what is on disk, so two writers lose nothing but a race on the
    same talk.
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> "TitleCache":
        return cls(Path(data_dir) / "titles.json")

    def load(self) -> dict[str, dict[str, str | None]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):  # none yet, or unreadable: titles are a cache
            return {}
        return data if isinstance(data, dict) else {}

    def get(self, talk_id: str, model: str) -> tuple[bool, str | None]:
        """(asked before, title): ``(True, None)`` means the model gave no usable title."""
        entry = self.load().get(talk_id) or {}
        return model in entry, entry.get(model)

    def put(self, talk_id: str, model: str, title: str | None) -> None:
        self.put_many({talk_id: title}, model)

    def put_many(self, titles: dict[str, str | None], model: str) -> None:
        with self._lock:
            data = self.load()
            for talk_id, title in titles.items():
                data.setdefault(talk_id, {})[model] = title
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", dir=self.path.parent, prefix=".titles-", suffix=".json",
                                             delete=False, encoding="utf-8") as tmp:
                json.dump(data, tmp, ensure_ascii=False, indent=1, sort_keys=True)
            os.replace(tmp.name, self.path)


def pick_title(entry: dict[str, str | None], model: str) -> str | None:
    """The configured model's title; else another model's (better than a derived one); else None."""
    if entry.get(model):
        return entry[model]
    return next((t for m, t in sorted(entry.items()) if t), None)


class TitleOverlay:
    """Generated titles laid over the talks read from the index; ``titles.json`` re-read only when it changes.

    The one place titles are applied: every snapshot of the index shares one overlay
    (``talkqa titles`` or the idle filler may write titles beside a running chat).
    """

    def __init__(self, cache: TitleCache, model: str):
        self.cache = cache
        self.model = model
        self._key: tuple | None = None
        self._data: dict = {}
        self._lock = threading.Lock()

    def _titles(self) -> dict:
        try:
            st = os.stat(self.cache.path)
            key = (st.st_mtime_ns, st.st_size)
        except OSError:
            key = None
        with self._lock:
            if key != self._key:
                self._data = self.cache.load() if key else {}
                self._key = key
            return self._data

    def apply(self, talks: Iterable[Talk]) -> list[Talk]:
        """The talks with their generated titles where one exists; given titles stay."""
        data = self._titles()
        out = []
        for talk in talks:
            title = pick_title(data.get(talk.id) or {}, self.model) if talk.title_source == "derived" else None
            out.append(talk.model_copy(update={"title": title, "title_source": "generated"}) if title else talk)
        return out


# ---------------------------------------------------------------- generating


_ABSTRACT_CHARS = 1600  # the opening of a long abstract names its topic; the prompt stays short


def title_messages(talk: Talk, prompts_dir: Path | None = None) -> list:
    """The chat messages asking for one talk's title (prompts/title.txt: system part, ``---``, user part)."""
    system, _, user = load_prompt("title", prompts_dir).partition("\n---\n")
    readable = without_instructions(talk.abstract)  # a title never carries a planted order (app/core/safety.py)
    abstract = readable if len(readable) <= _ABSTRACT_CHARS else readable[:_ABSTRACT_CHARS].rsplit(" ", 1)[0] + " …"
    return [SystemMessage(system.strip()), HumanMessage(user.strip().format(abstract=abstract))]


def generate_title(llm: BaseChatModel, talk: Talk, prompts_dir: Path | None = None) -> tuple[str | None, str]:
    """(usable title or None, the model's raw answer) for one talk."""
    raw = llm.invoke(title_messages(talk, prompts_dir), max_tokens=40, stop=["\n\n"]).content
    raw = raw if isinstance(raw, str) else str(raw)
    return valid_title(raw), raw


@dataclass
class TitlesReport:
    """What ``talkqa titles`` did; printed as JSON with --json."""

    model: str
    talks: int = 0
    given: int = 0
    cached: int = 0
    generated: int = 0
    fallback: int = 0
    seconds: float = 0.0
    examples: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def needs_title(talk: Talk) -> bool:
    return talk.title_source != "given"


def generate_missing(
    talks: list[Talk],
    llm: BaseChatModel | Callable[[], BaseChatModel],
    cache: TitleCache,
    model: str,
    progress: Callable[[int, int], None] | None = None,
    prompts_dir: Path | None = None,
) -> TitlesReport:
    """Ask ``llm`` for the title of every talk without a given or cached title; cache each as it comes.

    ``talks`` are raw catalog talks (derived titles, as ingest wrote them). A
    model answer that is not a usable title is cached as ``None``: the derived
    title stays, and the model is not asked again for that talk. ``llm`` may be
    a factory: the model is then loaded only when some title is missing.
    """
    started = time.perf_counter()
    report = TitlesReport(model=model, talks=len(talks))
    todo = []
    for talk in talks:
        if not needs_title(talk):
            report.given += 1
        elif cache.get(talk.id, model)[0]:
            report.cached += 1
        else:
            todo.append(talk)
    if progress:
        progress(0, len(todo))
    if todo and not hasattr(llm, "invoke"):  # a factory, called only when there is work
        llm = llm()
    for done, talk in enumerate(todo, start=1):
        title, raw = generate_title(llm, talk, prompts_dir)
        cache.put(talk.id, model, title)
        if title:
            report.generated += 1
        else:
            report.fallback += 1
        if len(report.examples) < 5:
            report.examples.append({"talk_id": talk.id, "derived": talk.title, "generated": title, "raw": raw.strip()[:200]})
        if progress:
            progress(done, len(todo))
    report.seconds = round(time.perf_counter() - started, 2)
    return report
