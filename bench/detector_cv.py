"""The instruction detector without the model: how it generalises to a style it was not fitted on, and what it flags.

Usage (no model, a minute or two on two cores):
    python bench/detector_cv.py --out docs/results/detector-after.json

1. Leave-one-style-out cross-validation. For each style of eval/data/injections.jsonl (all splits), the
   weights and threshold are refitted by eval/fit_detector.py's own procedure (``fit_on``) on the injected
   sentences of every other style (positives), the other sentences of those abstracts and of the odd lines
   of data/abstracts.txt, and the tune benign sentences (negatives); the threshold is the fitter's: the
   highest training recall with at most 0.1 % of those research sentences and 10 % of the tune benign ones
   over it. Recall on the left-out style: its cases whose every injected sentence is hidden from the model
   (``eval.injection.detected``, in context). Per fold, the whole corpus is judged too (false positives). The
   decisive rules and the first phrase list are not fitted, so they are the same in every fold.
2. The committed detector (``instruction_weights.json``, fitted on the tune split only): cases detected per
   split, benign sentences flagged per split, and the sentences it flags in data/abstracts.txt and in the
   first 2,000 talks of the synthetic scale corpus.
The JSON names the command, commit, date and CPU.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.core.instructions import Model, judge  # noqa: E402
from app.core.safety import PLACEHOLDER, neutralise_all  # noqa: E402
from app.core.text import split_sentences  # noqa: E402
from bench.provenance import provenance  # noqa: E402
from bench.scale_corpus import make_talk, seed_sentences  # noqa: E402
from eval.fit_detector import benign_sentences, case_sentences, corpus_sentences, fit_on  # noqa: E402
from eval.injection import INJECTIONS, SPLITS, detected, load_cases  # noqa: E402

CORPUS = ROOT / "data" / "abstracts.txt"
SYNTHETIC_TALKS = 2000
BENIGN_SPLITS = ("tune", "held-out", "fresh2", "fresh4")


def flagged_lines(lines: list[str], model: Model | None = None) -> tuple[int, list[tuple[int, str]]]:
    """(sentences, [(line number, sentence) flagged]): each line's sentences judged in context, as answers judge them."""
    total, flagged = 0, []
    for number, line in enumerate(lines, 1):
        sentences = split_sentences(line)
        total += len(sentences)
        flagged += [(number, s) for s, seen in zip(sentences, neutralise_all(sentences, model)) if seen == PLACEHOLDER]
    return total, flagged


def cross_validate() -> dict:
    """Recall on each left-out style, and each fold's corpus and held-out benign false positives."""
    # Only the splits of ``SPLITS``: a split written for a later revision (fresh5) is read by nothing here.
    rows = [r for r in (json.loads(line) for line in INJECTIONS.read_text(encoding="utf-8").splitlines() if line.strip())
            if r.get("split", "tune") in SPLITS]
    cases = load_cases()
    odd = [s for _, s in corpus_sentences(1)]
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
    benign_tune, benign_held = benign_sentences("tune"), benign_sentences("held-out")
    styles = sorted({r["style"] for r in rows})
    folds = {}
    for style in styles:
        positives, negatives = case_sentences([r for r in rows if r["style"] != style])
        model = Model.from_json(fit_on(positives, negatives + odd, benign_tune))
        left_out = [c for c in cases if c.style == style]
        total, flagged = flagged_lines(lines, model)
        folds[style] = {"cases": len(left_out), "detected": sum(detected(c, model) for c in left_out),
                        "missed": [c.id for c in left_out if not detected(c, model)],
                        "corpus_flagged": len(flagged), "corpus_sentences": total,
                        "benign_held_out_flagged": sum(judge(t, model).flagged for t in benign_held)}
    n, hit = sum(f["cases"] for f in folds.values()), sum(f["detected"] for f in folds.values())
    return {"styles": len(folds), "cases": n, "detected": hit, "recall": round(hit / n, 4),
            "max_corpus_flagged": max(f["corpus_flagged"] for f in folds.values()), "folds": folds}


def committed_figures() -> dict:
    """The committed detector on each split, the benign sentences and the two corpora."""
    cases = load_cases()
    splits = {s: {"cases": sum(c.split == s for c in cases), "detected": sum(detected(c) for c in cases if c.split == s),
                  "missed": [c.id for c in cases if c.split == s and not detected(c)]} for s in SPLITS}
    benign = {s: {"sentences": len(texts), "flagged": [t for t in texts if judge(t).flagged]}
              for s in BENIGN_SPLITS for texts in [benign_sentences(s)]}
    total, flagged = flagged_lines(CORPUS.read_text(encoding="utf-8").splitlines())
    pool = seed_sentences()
    vocab = sorted({w for s in pool for w in re.findall(r"\b[a-z]{6,}\b", s)})
    synthetic_total, synthetic = flagged_lines([make_talk(i, pool, vocab)["abstract"] for i in range(SYNTHETIC_TALKS)])
    return {"splits": splits, "benign": benign,
            "corpus": {"sentences": total, "flagged": [{"line": n, "sentence": s} for n, s in flagged]},
            "synthetic": {"talks": SYNTHETIC_TALKS, "sentences": synthetic_total, "flagged": len(synthetic),
                          "examples": [s for _, s in synthetic[:10]]}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    out = {**provenance(), "cross_validation": cross_validate(), "committed": committed_figures()}
    args.out.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    cv = out["cross_validation"]
    print(f"leave-one-style-out: {cv['detected']} of {cv['cases']} cases ({cv['recall']}); most corpus sentences flagged in a fold: "
          f"{cv['max_corpus_flagged']}")
    for style, fold in cv["folds"].items():
        print(f"  {style}: {fold['detected']}/{fold['cases']}  corpus flagged {fold['corpus_flagged']}")
    c = out["committed"]
    print("committed:", {s: f"{v['detected']}/{v['cases']}" for s, v in c["splits"].items()},
          "benign:", {s: f"{len(v['flagged'])}/{v['sentences']}" for s, v in c["benign"].items()},
          f"corpus {len(c['corpus']['flagged'])}/{c['corpus']['sentences']}, synthetic {c['synthetic']['flagged']}/{c['synthetic']['sentences']}")


if __name__ == "__main__":
    main()
