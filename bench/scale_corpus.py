"""Synthetic corpora for bench/scale.py: N talks recombined from the seed abstracts, deterministically.

Why synthetic: the seed has 210 talks, and what grows with the corpus (the
catalog, the lexical index, Chroma's HNSW, the talk browser) only shows at
10k-100k. Each talk is 3-7 sentences drawn from the seed's sentences, a few
of their words swapped for other seed words, plus a made-up method name so
every abstract (and so every content-hash id) is new; some talks get a
title, a speaker, a date, a link, and a biography sentence (the JSONL reader
has no notes field, so the "note" rides at the end of the abstract).

Talk ``i`` depends only on (seed, i): the 1k corpus is the first 1k talks of
the 10k one, which is the first 10k of the 100k one.

    python bench/scale_corpus.py 10000 /tmp/scale/corpus-10k.jsonl
"""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.core.config import DEFAULT_CORPUS  # noqa: E402
from app.core.text import split_sentences  # noqa: E402

SEED = 20261129
_FIRST = ["Ada", "Bo", "Chen", "Dana", "Elif", "Farid", "Greta", "Hiro", "Ines", "Jonas", "Kavya", "Lars", "Mei", "Nadia",
          "Omar", "Priya", "Quentin", "Rosa", "Sven", "Tara", "Umar", "Vera", "Wen", "Ximena", "Yusuf", "Zofia"]
_LAST = ["Abara", "Berg", "Castillo", "Dubois", "Eriksen", "Fontaine", "Gupta", "Haddad", "Ivanova", "Jensen", "Kowalski",
         "Lindqvist", "Moreau", "Nakamura", "Okafor", "Petrov", "Quist", "Rahman", "Silva", "Takahashi", "Ueda", "Varga",
         "Weber", "Xu", "Yilmaz", "Zhang"]
_PLACES = ["ETH Zurich", "the University of Toronto", "EPFL", "MIT", "Inria", "the University of Tokyo", "KTH",
           "the Flatiron Institute", "TU Munich", "the University of Cape Town"]
_SYLLABLES = ["ka", "lo", "mi", "ra", "ten", "vo", "zu", "quor", "del", "fin", "gra", "hex", "jun", "nox", "pim", "sol"]


def seed_sentences(path: Path = DEFAULT_CORPUS) -> list[str]:
    """Every sentence of the seed corpus of at least 6 words (the pool talks are drawn from)."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        out += [s for s in split_sentences(line) if len(s.split()) >= 6]
    return out


def _perturb(sentence: str, vocab: list[str], rng: random.Random) -> str:
    words = sentence.split()
    for _ in range(rng.randint(0, 2)):
        i = rng.randrange(len(words))
        if re.fullmatch(r"[a-z]{5,}", words[i]):
            words[i] = rng.choice(vocab)
    return " ".join(words)


def make_talk(i: int, pool: list[str], vocab: list[str], seed: int = SEED) -> dict:
    """Talk ``i`` of the synthetic stream, as a JSONL record."""
    rng = random.Random(f"{seed}:{i}")
    method = "".join(rng.choice(_SYLLABLES) for _ in range(3)).capitalize() + f"-{i}"
    sentences = [_perturb(s, vocab, rng) for s in rng.sample(pool, rng.randint(3, 7))]
    sentences.insert(rng.randint(1, len(sentences)), f"We introduce {method}, which builds on these ideas.")
    speaker = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}" if rng.random() < 0.8 else None
    if speaker and rng.random() < 0.25:
        sentences.append(f"Bio: {speaker} is a researcher at {rng.choice(_PLACES)}.")
    record: dict = {"abstract": " ".join(sentences)}
    if rng.random() < 0.7:
        record["title"] = f"{method}: " + " ".join(rng.sample(vocab, rng.randint(2, 5)))
    if speaker:
        record["speaker"] = speaker
    if rng.random() < 0.3:
        record["url"] = f"https://talks.example.org/{i}"
    if rng.random() < 0.5:
        record["date"] = f"20{rng.randint(15, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    return record


def write_corpus(n: int, path: Path, seed: int = SEED) -> Path:
    """Write the first ``n`` talks of the stream to ``path`` (JSONL); returns ``path``."""
    pool = seed_sentences()
    vocab = sorted({w for s in pool for w in re.findall(r"\b[a-z]{6,}\b", s)})
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            f.write(json.dumps(make_talk(i, pool, vocab, seed), ensure_ascii=False) + "\n")
    return path


if __name__ == "__main__":
    write_corpus(int(sys.argv[1]), Path(sys.argv[2]))
