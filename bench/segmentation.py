"""The seed's talks, chunks and segmentation quality, without timings (issue 20): `bench/segmentation.py --out F`.

What bench/ingest.py measures beside its timings, in a form that does not depend on the machine's load,
so that docs/segmentation.md and docs/benchmarks.md can print it from a committed artefact:

* the seed (data/abstracts.txt): its non-empty lines, the talks and chunks one ingest makes, the
  duplicated abstracts merged;
* what the segmenter embeds beyond the chunks themselves (paragraphs that are not a chunk), in texts
  and in word pieces, against the word pieces of the chunks;
* segmentation boundary precision / recall / F1 on tests/data/seed_segments.json, with the embedding
  similarity (MiniLM) and without it (``segment(lines, embed=None)``).

One cold ingest into a temporary data dir; no LLM; about a minute on 2 idle cores.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.core.config import DEFAULT_CORPUS  # noqa: E402
from app.index.store import TalkStore  # noqa: E402
from app.models.embeddings import MiniLMEmbeddings, cached_embeddings  # noqa: E402
from bench.ingest import GOLD, Recording, boundary_f1, settings_for  # noqa: E402
from bench.provenance import write_result  # noqa: E402
from ingest.indexer import ingest  # noqa: E402
from ingest.segment import Line  # noqa: E402


def word_pieces(model: MiniLMEmbeddings, texts: list[str]) -> int:
    """Word pieces the model reads for ``texts`` (each cut at the model's limit, as it embeds them)."""
    return sum(min(model.count_tokens(t), model.settings.max_tokens) for t in texts)


def gold_boundaries(gold: dict) -> int:
    """Line gaps of the labelled file where one talk ends and another begins (as bench/ingest.py counts them)."""
    owner = {n: k for k, t in enumerate(gold["talks"]) for s, e in t["lines"] for n in range(s, e + 1)}
    return sum(owner[i] != owner[i + 1] for i in range(1, gold["n_lines"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "segmentation.json")
    args = parser.parse_args()
    model = MiniLMEmbeddings()
    workdir = Path(tempfile.mkdtemp(prefix="talkqa-segmentation-"))
    try:
        settings = settings_for(workdir / "data")
        recording = Recording(model)
        store = TalkStore(settings, cached_embeddings(settings, recording))
        report = ingest(settings, store)
        chunks = [d.page_content for d in store.chunks(store.catalog())]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    extra = [t for t in dict.fromkeys(recording.texts) if t not in set(chunks)]
    text = DEFAULT_CORPUS.read_text(encoding="utf-8")
    lines = [Line(n, raw.strip()) for n, raw in enumerate(text.splitlines(), start=1) if raw.strip()]
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    with_embeddings = boundary_f1(lines, lambda t: np.asarray(model.embed_documents(t), dtype=np.float32))
    without = boundary_f1(lines, None)
    result = {
        "corpus": DEFAULT_CORPUS.name,
        "lines": len(lines),
        "talks": report.talks,
        "chunks": report.chunks,
        "duplicates_merged": report.duplicates,
        "gold_talks": len(gold["talks"]),
        "gold_boundaries": gold_boundaries(gold),
        "texts_embedded_at_ingest": len(dict.fromkeys(recording.texts)),
        "texts_embedded_beyond_the_chunks": len(extra),
        "word_pieces_beyond_the_chunks": word_pieces(model, extra),
        "word_pieces_of_the_chunks": word_pieces(model, chunks),
        "boundary_with_embeddings": dict(zip(("precision", "recall", "f1"), with_embeddings)),
        "boundary_without_embeddings": dict(zip(("precision", "recall", "f1"), without)),
    }
    write_result(args.out, result)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
