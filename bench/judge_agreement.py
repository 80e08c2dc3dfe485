"""The deterministic judge's agreement with the labelled pairs at the checked-out commit, as a small JSON artefact.

`talkqa eval` reports the same figure, but only inside a full run (an index, both systems' answers);
this measures the judge alone (MiniLM over the 233 labelled pairs, seconds), so the κ the docs quote can
be re-checked at any commit.

    flock /tmp/talkqa-cpu.lock .venv/bin/python bench/judge_agreement.py --out docs/results/det-judge-<date>.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.core.config import Settings  # noqa: E402
from app.models.embeddings import cached_embeddings  # noqa: E402
from bench.provenance import provenance  # noqa: E402
from eval.dataset import load_pairs  # noqa: E402
from eval.judges import DeterministicJudge, agreement  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--data", type=Path, default=ROOT / "bench" / "out" / "judge-data",
                        help="data dir for the embedding cache")
    args = parser.parse_args()
    settings = Settings(_env_file=None, data_dir=args.data)
    result = agreement(DeterministicJudge(cached_embeddings(settings)), load_pairs())
    out = {
        **provenance(),
        "embedding_model": settings.embedding.model,
        "judges": {"det": result},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
