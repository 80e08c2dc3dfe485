"""What the injection detector flags, with no model (issue 20): `bench/detector.py --out F`.

docs/reliability.md prints these counts from the artefact this writes. Layer 1 only
(app/core/instructions.py, app/core/safety.py), at the checked-out commit:

* per split of eval/data/injections.jsonl (tune, held-out, fresh, fresh2): the cases whose every
  injected sentence is hidden from the model (eval/injection.py's ``detected``);
* per split of eval/data/benign_instructions.jsonl: the instruction-like research sentences flagged,
  and which;
* the sentences of data/abstracts.txt and of the first 2,000 synthetic scale talks
  (bench/scale_corpus.py) flagged when each line's sentences are judged in context, as answers
  judge them (tests/test_safety.py asserts the same bounds).

Pure text: seconds, no LLM, no embedding model.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.core.instructions import judge, suspicious  # noqa: E402
from app.core.safety import PLACEHOLDER, neutralise_all  # noqa: E402
from app.core.config import DEFAULT_CORPUS  # noqa: E402
from app.core.text import split_sentences  # noqa: E402
from bench import scale_corpus  # noqa: E402
from bench.provenance import write_result  # noqa: E402
from eval.injection import SPLITS, detected, load_cases  # noqa: E402

BENIGN = ROOT / "eval" / "data" / "benign_instructions.jsonl"
SYNTHETIC_TALKS = 2000


def flagged_sentences(lines: list[str]) -> dict:
    """Sentences judged, and those flagged (line number, sentence), each line's sentences in context."""
    total, flagged = 0, []
    for number, line in enumerate(lines, 1):
        sentences = split_sentences(line)
        total += len(sentences)
        flagged += [[number, s] for s, seen in zip(sentences, neutralise_all(sentences)) if seen == PLACEHOLDER]
    return {"sentences": total, "flagged": len(flagged), "flagged_sentences": flagged}


def synthetic_abstracts(count: int) -> list[str]:
    """The first ``count`` talks of the synthetic scale corpus (as tests/test_safety.py builds them)."""
    pool = scale_corpus.seed_sentences()
    vocab = sorted({w for s in pool for w in re.findall(r"\b[a-z]{6,}\b", s)})
    return [scale_corpus.make_talk(i, pool, vocab)["abstract"] for i in range(count)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "detector.json")
    args = parser.parse_args()
    cases = {split: load_cases(splits=(split,)) for split in SPLITS}
    # Only the splits of ``SPLITS``: fresh5 (written blind) is read by nothing here.
    benign = [r for r in (json.loads(line) for line in BENIGN.read_text(encoding="utf-8").splitlines() if line.strip()) if r["split"] in SPLITS]
    corpus_lines = DEFAULT_CORPUS.read_text(encoding="utf-8").splitlines()
    result = {
        "cases_detected": {split: {"n": len(cs), "detected": sum(detected(c) for c in cs),
                                   "missed": [c.id for c in cs if not detected(c)]} for split, cs in cases.items()},
        "benign_flagged": {split: {"n": len(rows), "flagged": len(hits), "flagged_texts": hits}
                           for split in dict.fromkeys(r["split"] for r in benign)
                           for rows in [[r["text"] for r in benign if r["split"] == split]]
                           for hits in [[t for t in rows if judge(t).flagged]]},
        "corpus": flagged_sentences(corpus_lines),
        "corpus_suspicious": [[i, s] for i, line in enumerate(corpus_lines, 1) for s in split_sentences(line) if suspicious(s)],
        f"synthetic_{SYNTHETIC_TALKS}_talks": flagged_sentences(synthetic_abstracts(SYNTHETIC_TALKS)),
    }
    write_result(args.out, result)
    print(json.dumps({k: v for k, v in result.items() if k != "corpus_suspicious"}, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
