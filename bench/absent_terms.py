"""The question words no talk contains, read over whole question sets with no model: `bench/absent_terms.py --out F`.

For every question of the chosen sets, the words app/retrieval/absent_terms.py reads as absent from
the live index (the words that make the chain say "The talks in this collection don't mention ...").
An answerable question with such a word would be declined (a false positive); an unanswerable one would
be declined by this rule. Counts per set and type, and every question with a word, go to ``--out``.
Uses the data dir of the settings (``TALKQA_DATA_DIR``): ingest first. Questions the chain leaves to
other paths (lists, comparisons, follow-ups about cited talks) are counted here all the same.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.core.config import Settings  # noqa: E402
from app.models.english_words import EnglishWords  # noqa: E402
from app.index.lexical import LexicalIndex  # noqa: E402
from app.retrieval.absent_terms import MIN_TALKS, absent_terms  # noqa: E402
from eval.injection import BLIND_SPLITS, SPLITS, load_cases  # noqa: E402
from langchain_core.documents import Document  # noqa: E402
from app.service import Service  # noqa: E402
from bench.provenance import provenance  # noqa: E402
from eval.dataset import QUESTION_SETS, load_questions  # noqa: E402


def injection_splits(english: EnglishWords) -> dict:
    """Per injection split: its cases' questions read against its own abstracts (18-55 talks), the floor ignored."""
    out = {}
    for split in SPLITS + BLIND_SPLITS:
        cases = load_cases(splits=(split,))
        docs = [Document(id=c.id, page_content=c.abstract, metadata={"talk_id": c.id}) for c in cases]
        index = LexicalIndex.build(docs, {"scratch": split})
        found = {c.id: absent_terms(c.question, index.holds_word, english.is_everyday, MIN_TALKS) for c in cases}
        out[split] = {"talks": len(cases), "with_absent": {i: list(w) for i, w in found.items() if w}}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", choices=sorted(QUESTION_SETS), required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--injection-splits", action="store_true",
                        help="also read each injection split's questions against an index of that split's abstracts alone, "
                             "as if the collection were large enough (what MIN_TALKS guards against)")
    args = parser.parse_args()
    settings = Settings()
    lexical = Service(settings).retriever().lexical
    english = EnglishWords(settings.cache_dir / "tiktoken", settings.chunks.encoding)
    rows, counts = [], Counter()
    for name in args.sets:
        for path in QUESTION_SETS[name]:
            for q in load_questions(path):
                words = absent_terms(q.question, lexical.holds_word, english.is_everyday, len(lexical.live_talks))
                side = "unanswerable" if q.type == "unanswerable" else "answerable"
                counts[(name, side, "questions")] += 1
                counts[(name, side, "with_absent")] += bool(words)
                if words:
                    rows.append({"set": name, "id": q.id, "type": q.type, "absent": list(words)})
    totals = Counter()
    for (name, side, what), n in counts.items():
        totals[(side, what)] += n
    summary = {side: {"questions": totals[(side, "questions")], "with_absent": totals[(side, "with_absent")]}
               for side in ("answerable", "unanswerable")}
    per_set = {f"{name}/{side}": {"questions": counts[(name, side, "questions")], "with_absent": counts[(name, side, "with_absent")]}
               for name in args.sets for side in ("answerable", "unanswerable") if counts[(name, side, "questions")]}
    small = injection_splits(english) if args.injection_splits else None
    args.out.write_text(json.dumps({**provenance(), "sets": args.sets, "summary": summary, "per_set": per_set,
                                    "questions": rows, "injection_splits": small}, indent=1, ensure_ascii=False) + "\n")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
