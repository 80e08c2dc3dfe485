"""Questions with a sentence of context searched for whole or by their asking sentences, no generation.

Usage (``TALKQA_DATA_DIR`` as for `talkqa ask`; ingest first):
    .venv/bin/python bench/context_search.py --exclude held-out-56 --out docs/results/context-search-2026-12-07.json

For every seen one-turn question whose ``condition_sentences`` (app/retrieval/question_kinds.py) leave a sentence out
(a preamble on who asks and why), the chain prepares it twice with a fake chat model that replies "YES" (no generation): searched for
as typed, and searched for by its asking sentences (``retrieval.list_search_asked``, applied here to every question so
that other kinds are measured too). Per question: declined before the model or not, the talks handed to the model and
how many are gold. Summed for list questions (``is_open_ended``) and for the others, answerable and unanswerable.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from langchain_core.language_models.fake_chat_models import FakeListChatModel  # noqa: E402

from app.answer.state import AnswerState  # noqa: E402
from app.core.config import Settings  # noqa: E402
from app.retrieval.question_kinds import condition_sentences, is_open_ended  # noqa: E402
from app.service import Service  # noqa: E402
from bench.provenance import write_result  # noqa: E402
from bench.restate import seen_sets_parser  # noqa: E402
from eval.dataset import QUESTION_SETS, attach_gold, load_questions  # noqa: E402


def prepared(chain, text: str, gold: set[str]) -> dict:
    state = chain.prepare().invoke(AnswerState.start(text))
    ids = [s.talk.id for s in state.sources]
    return {"declined": chain._abstains(state), "sources": ids, "gold_in": len(set(ids) & gold)}


def totals(rows: list[dict], key: str) -> dict:
    answerable = [r for r in rows if r["gold"]]
    unanswerable = [r for r in rows if not r["gold"]]
    return {"answerable": len(answerable), "declined": sum(r[key]["declined"] for r in answerable),
            "gold_in_sources_not_declined": sum(r[key]["gold_in"] for r in answerable if not r[key]["declined"]),
            "gold": sum(len(r["gold"]) for r in answerable),
            "unanswerable": len(unanswerable), "unanswerable_declined": sum(r[key]["declined"] for r in unanswerable)}


def main() -> None:
    args = seen_sets_parser(__doc__.splitlines()[0]).parse_args()
    service = Service(Settings())
    off = service.settings.model_copy(update={"retrieval": service.settings.retrieval.model_copy(update={"list_search_asked": False})})
    chain = Service(off, store=service.store).answer_chain(llm=FakeListChatModel(responses=["YES"]))
    catalog = service.retriever().latest_catalog()
    rows, seen = [], set()
    for name, paths in QUESTION_SETS.items():
        if name in args.exclude:
            continue
        questions = [q for path in paths for q in load_questions(path) if not q.history]
        attach_gold(questions, catalog)
        for q in questions:
            asked = condition_sentences(q.question).strip()
            if q.id in seen or not asked or asked == q.question.strip():
                continue
            seen.add(q.id)
            gold = set(q.gold_talks)
            rows.append({"set": name, "id": q.id, "type": q.type, "list": is_open_ended(q.question), "gold": sorted(gold),
                         "whole": prepared(chain, q.question, gold), "asked": prepared(chain, asked, gold)})
    result = {"excluded": args.exclude}
    for part, chosen in (("lists", [r for r in rows if r["list"]]), ("others", [r for r in rows if not r["list"]])):
        result[part] = {"whole": totals(chosen, "whole"), "asked": totals(chosen, "asked")}
        print(part, result[part])
    write_result(args.out, {**result, "questions": rows})


if __name__ == "__main__":
    main()
