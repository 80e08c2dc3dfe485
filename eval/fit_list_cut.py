"""Fit the judged list's cut (app/retrieval/list_cut.json) on the seen counting and list questions.

    python -m eval.fit_list_cut --out docs/results/list-cut-fit.json   # needs an ingested index (cross-encoder, no LLM)

Tuning data: every ``counting`` and ``multi_talk`` question of the question sets that were already
seen when the cut was written (``TUNE_SETS``: dev and held-out to held-out-6) that the record scan does
not answer (no literal term, or no talk has it): those are the questions the judged list answers. For each,
the pool of app/retrieval/topic_scan.py is judged and every pooled talk is one example (member of the
gold talks or not). Held-out-7 and later sets are not read here: they judge the cut.

Model: L2-regularised logistic regression over ``topic_scan.FEATURES`` (numpy gradient descent).
The rule that turns P into a list was chosen here, by leave-one-question-out exact counts on these
questions: the round(sum of P) most probable talks (the "expected" rule) against P >= 0.5 / 0.4 / 0.3;
the figures are written to ``--out`` with the fitted weights' provenance.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from app.core.config import Settings
from app.retrieval.record_scan import scan_records
from app.retrieval.record_terms import record_condition
from app.retrieval.topic_scan import FEATURES, WEIGHTS, ListCut, expected_members, judge_pool, talk_features, topic_query
from eval.dataset import QUESTION_SETS, attach_gold, load_questions

TUNE_SETS = ("dev", "held-out", "held-out-2", "held-out-3", "held-out-4", "held-out-5", "held-out-6")
L2 = 0.01
STEPS = 3000
RATE = 0.1
RULES = ("expected", "p>=0.5", "p>=0.4", "p>=0.3")


def examples(service) -> list[dict]:
    """One entry a tuning question the record scan does not answer: its features, gold labels and type."""
    retriever = service.retriever()
    catalog = retriever.latest_catalog()
    out = []
    for name in TUNE_SETS:
        questions = [q for path in QUESTION_SETS[name] for q in load_questions(path) if q.type in ("counting", "multi_talk")]
        attach_gold(questions, catalog)
        for q in questions:
            condition = record_condition(q.question)
            if condition is not None and scan_records(catalog, condition).matches:
                continue
            judged = judge_pool(retriever, topic_query(q.question), service.settings.lists)
            out.append({"id": q.id, "type": q.type, "gold": set(q.gold_talks), "ids": [j.talk.id for j in judged],
                        "X": talk_features(judged), "y": np.array([j.talk.id in q.gold_talks for j in judged], dtype=float)})
            print(q.id, len(judged), int(out[-1]["y"].sum()), "/", len(q.gold_talks), file=sys.stderr, flush=True)
    return out


def fit(rows: list[dict]) -> ListCut:
    X = np.vstack([r["X"] for r in rows])
    y = np.concatenate([r["y"] for r in rows])
    mean, scale = X.mean(0), X.std(0) + 1e-9
    Z = (X - mean) / scale
    w, b = np.zeros(Z.shape[1]), 0.0
    for _ in range(STEPS):
        p = 1 / (1 + np.exp(-(Z @ w + b)))
        w -= RATE * (Z.T @ (p - y) / len(y) + L2 * w)
        b -= RATE * float(np.mean(p - y))
    return ListCut(mean, scale, w, b)


def chosen(cut: ListCut, row: dict, rule: str) -> set[str]:
    p = cut.probabilities(row["X"])
    if rule == "expected":
        return {row["ids"][i] for i in expected_members(p)}
    return {i for i, q in zip(row["ids"], p) if q >= float(rule[3:])} or {row["ids"][int(np.argmax(p))]}


def leave_one_out(rows: list[dict]) -> dict:
    """Each rule's exact counts (counting questions), mean recall and precision, each question cut by a model fitted without it."""
    scores = {rule: {"exact": 0, "recall": 0.0, "precision": 0.0} for rule in RULES}
    for k, row in enumerate(rows):
        cut = fit(rows[:k] + rows[k + 1:])
        for rule in RULES:
            picked = chosen(cut, row, rule)
            hits = len(picked & row["gold"])
            scores[rule]["exact"] += row["type"] == "counting" and len(picked) == len(row["gold"])
            scores[rule]["recall"] += hits / len(row["gold"]) / len(rows)
            scores[rule]["precision"] += hits / len(picked) / len(rows)
    return {rule: {k: round(v, 3) for k, v in s.items()} for rule, s in scores.items()}


def main() -> None:
    from app.service import Service
    from bench.provenance import provenance

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="the leave-one-out figures (JSON)")
    args = parser.parse_args()
    rows = examples(Service(Settings()))
    loo = leave_one_out(rows)
    cut = fit(rows)
    WEIGHTS.write_text(json.dumps({"features": list(FEATURES), "mean": cut.mean.round(5).tolist(), "scale": cut.scale.round(5).tolist(),
                                   "weights": cut.weights.round(5).tolist(), "bias": round(cut.bias, 5),
                                   "fitted_on": list(TUNE_SETS), "questions": len(rows)}, indent=1) + "\n")
    report = {**provenance(), "tune_sets": list(TUNE_SETS), "questions": len(rows),
              "counting": sum(r["type"] == "counting" for r in rows), "leave_one_out": loo}
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(loo))


if __name__ == "__main__":
    main()
