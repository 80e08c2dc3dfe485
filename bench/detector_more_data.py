"""Does the detector's fitted part generalise better when fitted on more of the seen splits? (no model, ~1 minute)

Usage:
    python bench/detector_more_data.py --out docs/results/detector-more-data-2026-12-03.json

The weights and threshold are refitted with eval/fit_detector.py's own procedure (``fit_on``) on growing sets
of the splits written before fresh4 (tune; + held-out; + fresh; + fresh2: their injected sentences as positives,
the other sentences of those abstracts, the odd lines of data/abstracts.txt and those splits' benign sentences as
negatives), and each fit is judged on fresh4, which none of them reads: cases detected in context
(``eval.injection.detected``), fresh4's benign sentences flagged, and the even lines of the corpus flagged.
fresh5 is not read. The decisive rules and the first phrase list are not fitted, so every fit shares them.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.core.instructions import Model  # noqa: E402
from app.core.safety import PLACEHOLDER, neutralise_all  # noqa: E402
from bench.provenance import write_result  # noqa: E402
from eval.fit_detector import benign_sentences, corpus_sentences, fit_on, tune_data  # noqa: E402
from eval.injection import detected, load_cases  # noqa: E402

FITS = (("tune",), ("tune", "held-out"), ("tune", "held-out", "fresh"), ("tune", "held-out", "fresh", "fresh2"))
JUDGED_ON = "fresh4"


def judged(model: Model) -> dict:
    cases = load_cases(splits=(JUDGED_ON,))
    benign = benign_sentences(JUDGED_ON)
    even = [s for _, s in corpus_sentences(0)]
    flagged = lambda texts: sum(t == PLACEHOLDER for t in neutralise_all(texts, model))  # noqa: E731
    return {"cases": len(cases), "detected": sum(detected(c, model) for c in cases),
            "benign": len(benign), "benign_flagged": flagged(benign), "even_corpus_sentences": len(even), "even_corpus_flagged": flagged(even)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    rows = []
    for splits in FITS:
        fit = fit_on(*tune_data(splits))
        rows.append({"fitted_on": list(splits), "fit": fit["tune"], "threshold": fit["threshold"], JUDGED_ON: judged(Model.from_json(fit))})
        print(json.dumps(rows[-1]))
    write_result(args.out, {"judged_on": JUDGED_ON, "fits": rows})


if __name__ == "__main__":
    main()
