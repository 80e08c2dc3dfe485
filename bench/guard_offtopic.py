"""The off-topic output check (app/answer/offtopic.py) and the per-sentence language check, measured without the LLM.

Usage (MiniLM only, no chat model):
    nice -n 19 .venv/bin/python bench/guard_offtopic.py --out docs/results/guard-offtopic-2026-12-03.json

1. Stored answers of the seen injection splits (docs/results/injection-all-2026-12-03b.json; the blind split is
   never read): the checks run on each answer's sentences, with every seen case abstract as a source (the stored
   answers keep no sources, so a claim rests on its best sentence among all of them). Per split: obeyed and
   copied cases, how many the checks catch (every payload-bearing / copied sentence dropped) and how many other
   sentences they drop (false positives). In-sample: the thresholds were chosen on these answers.
2. The labelled answer sentences of eval/data/judge_pairs_current.jsonl with their question and passage
   (coherence read against the talk's real abstract where the corpus has it): how many are dropped.
3. The real corpus (data/abstracts.txt): every abstract sentence as a one-sentence answer to a question made
   of its talk's first sentence, resting on itself; and every note sentence (bio, joint work, links) as the answer
   to a speaker, affiliation or link question. How many are dropped; and the corpus sentences whose coherence
   with their own abstract is below the threshold (the low tail).
4. The per-sentence language check's false positives: ``looks_foreign`` over English sentences.
5. Cost: the check per stored answer with five sources (its own talk and four others) and an uncached model.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.answer.citations import is_refusal, parse_citations  # noqa: E402
from app.answer.guard import _foreign_sentence  # noqa: E402
from app.answer.offtopic import COHERENT, RELEVANT, clean, readings  # noqa: E402
from app.answer.result import Answer, Sentence, Source  # noqa: E402
from app.core.instruction_features import looks_foreign  # noqa: E402
from app.core.talk import Talk  # noqa: E402
from app.core.text import split_sentences  # noqa: E402
from app.models.embeddings import MiniLMEmbeddings  # noqa: E402
from bench.injection import pct  # noqa: E402
from bench.provenance import provenance  # noqa: E402
from eval.injection import SPLITS, InjectionCase, copied, load_cases  # noqa: E402
from ingest.readers import read_corpus  # noqa: E402

STORED = ROOT / "docs" / "results" / "injection-all-2026-12-03b.json"
PAIRS = ROOT / "eval" / "data" / "judge_pairs_current.jsonl"


class Cached:
    """MiniLM behind a dict: every text embedded once per run (the app's file cache does the same across runs)."""

    def __init__(self, model):
        self.model, self.rows = model, {}

    def embed_documents(self, texts):
        new = [t for t in dict.fromkeys(texts) if t not in self.rows]
        for text, row in zip(new, self.model.embed_array(new) if new else []):
            self.rows[text] = row
        return [self.rows[t] for t in texts]


def talk_source(n: int, talk_id: str, abstract: str, sentences: list[str] | None = None, notes=()) -> Source:
    talk = Talk(id=talk_id, title="", abstract=abstract, notes=list(notes), source="bench")
    return Source(n=n, talk=talk, sentences=sentences or split_sentences(abstract), score=1.0, dense=1.0)


def dropped(answer: Answer, embeddings, record_exemption: bool = True) -> set[int]:
    """Indices of the sentences the two new checks drop (``record_exemption=False``: as if no record question were exempt)."""
    off = {i for i, r in readings(answer, embeddings).items()
           if r.off_topic or (not record_exemption and r.relevance < RELEVANT and r.coherence < COHERENT)}
    return off | {i for i, s in enumerate(answer.sentences) if _foreign_sentence(s, answer.question)}


def stored_answers(embeddings) -> dict:
    cases = {c.id: c for c in load_cases(splits=SPLITS)}
    stored = [c for c in json.loads(STORED.read_text(encoding="utf-8"))["cases"] if c["split"] in SPLITS]
    sources = [talk_source(i + 1, c.id, c.abstract) for i, c in enumerate(cases.values())]
    by_split = {s: {"n": 0, "obeyed": 0, "obeyed_caught": 0, "copied": 0, "copied_caught": 0, "sentences": 0,
                    "false_positives": 0} for s in SPLITS}
    caught, false_positives, near = [], [], []
    for row in stored:
        case, counts = cases[row["id"]], by_split[row["split"]]
        counts["n"] += 1
        sentences = [s if not is_refusal(s.text) else Sentence(s.text, kind="absence")
                     for s in parse_citations(row["answer"], set())[0]] if not row["abstained"] else []
        answer = Answer(question=case.question, query=case.question, sources=sources,
                        sentences=[Sentence(s.text, kind=s.kind) for s in sentences])
        gone = dropped(answer, embeddings)
        bad = {i for i, s in enumerate(sentences) if _obeys(s.text, case)}
        counts["sentences"] += sum(s.kind == "claim" for s in sentences)
        for key, flag in (("obeyed", row["obeyed"]), ("copied", row["copied"])):
            counts[key] += flag
            if flag and bad and bad <= gone:
                counts[key + "_caught"] += 1
                caught.append({"id": row["id"], "split": row["split"], "kind": key, "dropped": [sentences[i].text for i in bad]})
        for i in gone - bad:
            counts["false_positives"] += 1
            false_positives.append({"id": row["id"], "split": row["split"], "text": sentences[i].text})
        near += [{"id": row["id"], "text": sentences[i].text, "relevance": r.relevance, "coherence": r.coherence}
                 for i, r in readings(answer, embeddings).items()
                 if i not in bad and i not in gone and r.relevance < 2 * RELEVANT and r.coherence < 2 * COHERENT]
    return {"by_split": by_split, "caught": caught, "false_positives": false_positives,
            "kept_claims_near_the_thresholds": sorted(near, key=lambda r: r["relevance"] + r["coherence"])}


def _obeys(text: str, case: InjectionCase) -> bool:
    return case.payload.casefold() in text.casefold() or copied([text], case)


def judge_pairs(embeddings, talks: dict[str, Talk]) -> dict:
    questions = {}
    for path in (ROOT / "eval" / "data").glob("questions*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                q = json.loads(line)
                questions.setdefault(q["id"], q["question"])
    rows = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines() if line.strip()]
    out = {"pairs": len(rows), "without_question": 0, "checked": 0, "dropped_supported": [], "dropped_unsupported": []}
    for row in rows:
        question = questions.get(row["qid"])
        if question is None:
            out["without_question"] += 1
            continue
        real = [talks[t] for t in row.get("talk_ids", []) if t in talks]
        abstract = real[0].abstract if real else row["passage"]
        source = Source(n=1, talk=real[0], sentences=split_sentences(row["passage"]), score=1.0, dense=1.0) if real else \
            talk_source(1, "pair", abstract, split_sentences(row["passage"]))
        answer = Answer(question=question, query=question, sources=[source], sentences=[Sentence(row["sentence"], [1])])
        out["checked"] += 1
        if dropped(answer, embeddings):
            out["dropped_supported" if row["supported"] else "dropped_unsupported"].append({"id": row["id"], "sentence": row["sentence"]})
    return out


def corpus(embeddings, talks: list[Talk]) -> dict:
    research, record, unexempt, tail = [], [], [], []
    n_research = n_record = 0
    for talk in talks:
        abstract = [clean(s) for s in split_sentences(talk.abstract) if clean(s)]
        notes = [s for note in talk.notes for s in split_sentences(note)]
        source = Source(n=1, talk=talk, sentences=abstract + notes, score=1.0, dense=1.0)
        for sentence in abstract[1:]:
            n_research += 1
            if dropped(Answer(question=abstract[0], query=abstract[0], sources=[source], sentences=[Sentence(sentence, [1])]), embeddings):
                research.append({"talk": talk.id, "sentence": sentence})
        title = talk.title or abstract[0]
        for question in (f"Who is the speaker of the talk “{title}”?", f"Where is the speaker of “{title}” from?",
                         f"Where can I find the code or paper for “{title}”?"):
            for sentence in notes:
                n_record += 1
                answer = Answer(question=question, query=question, sources=[source], sentences=[Sentence(sentence, [1])])
                if dropped(answer, embeddings):
                    record.append({"talk": talk.id, "question": question, "sentence": sentence})
                if dropped(answer, embeddings, record_exemption=False):
                    unexempt.append({"talk": talk.id, "question": question, "sentence": sentence})
        tail += _low_tail(talk, abstract, embeddings)
    return {"talks": len(talks), "research_sentences": n_research, "research_dropped": research,
            "note_answers": n_record, "note_answers_dropped": record, "note_answers_dropped_without_record_exemption": unexempt,
            "coherence_below_threshold": sorted(tail, key=lambda r: r["coherence"]),
            "sentences": sum(len([s for s in split_sentences(t.abstract) if clean(s)]) for t in talks)}


def _low_tail(talk: Talk, abstract: list[str], embeddings) -> list[dict]:
    from app.answer.offtopic import coherence

    if len(abstract) < 2:
        return []
    vectors = np.asarray(embeddings.embed_documents(abstract), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return [{"talk": talk.id, "sentence": s, "coherence": coherence(vectors[i], s, abstract, vectors)}
            for i, s in enumerate(abstract) if coherence(vectors[i], s, abstract, vectors) < COHERENT]


def language(talks: list[Talk]) -> dict:
    """How often ``looks_foreign`` trips on English sentences (corpus abstracts and notes, the labelled answer
    sentences of both judge-pair files, the stored injection answers' sentences): the per-sentence drop's false positives."""
    corpus_sentences = [s for t in talks for s in split_sentences(t.text)]
    labelled = [json.loads(line)["sentence"] for path in (PAIRS, PAIRS.with_name("judge_pairs.jsonl"))
                for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    stored = [s.text for c in json.loads(STORED.read_text(encoding="utf-8"))["cases"] if c["split"] in SPLITS
              for s in parse_citations(c["answer"], set())[0]]
    out = {}
    for name, texts in (("corpus_sentences", corpus_sentences), ("labelled_answer_sentences", labelled), ("stored_answer_sentences", stored)):
        out[name] = {"n": len(texts), "foreign": [t for t in texts if looks_foreign(t)]}
    return out


def cost() -> dict:
    """The check per stored answer with five sources (its own talk and four others): first with every text new to the
    model (an upper bound), then again with every text already embedded (the app's file cache: attribution and
    sentence selection embed the same sentences), where only the arithmetic is left."""
    embeddings = Cached(MiniLMEmbeddings())
    embeddings.model.embed_array(["warm-up"])
    cases = load_cases(splits=SPLITS)
    stored = {c["id"]: c for c in json.loads(STORED.read_text(encoding="utf-8"))["cases"]}
    answers = []
    for i, case in enumerate(cases):
        row = stored.get(case.id)
        if row and not row["abstained"]:
            others = [cases[(i + k * 37) % len(cases)] for k in range(1, 5)]
            sources = [talk_source(n + 1, c.id, c.abstract) for n, c in enumerate([case, *others])]
            sentences = [Sentence(s.text, s.citations) for s in parse_citations(row["answer"], {1, 2, 3, 4, 5})[0]]
            answers.append(Answer(question=case.question, query=case.question, sources=sources, sentences=sentences))
    out = {"answers": len(answers)}
    for label in ("cold_ms", "warm_ms"):
        times = []
        for answer in answers:
            started = time.perf_counter()
            readings(answer, embeddings)
            times.append((time.perf_counter() - started) * 1000)
        out[label] = {"p50": pct(times, 50), "p90": pct(times, 90)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    embeddings = Cached(MiniLMEmbeddings())
    talks, _ = read_corpus([ROOT / "data" / "abstracts.txt"])
    out = {
        **provenance(),
        "thresholds": {"relevant": RELEVANT, "coherent": COHERENT},
        "stored_answers_in_sample": stored_answers(embeddings),
        "judge_pairs": judge_pairs(embeddings, {t.id: t for t in talks}),
        "corpus": corpus(embeddings, talks),
        "language_check": language(talks),
        "check_cost": cost(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    summary = {k: v for k, v in out["stored_answers_in_sample"].items() if k == "by_split"}
    print(json.dumps(summary), json.dumps({k: (len(v) if isinstance(v, list) else v) for k, v in out["corpus"].items()}),
          json.dumps({k: (len(v) if isinstance(v, list) else v) for k, v in out["judge_pairs"].items()}), json.dumps(out["check_cost"]))


if __name__ == "__main__":
    main()
