"""Embedders and the cross-encoder, compared on the dev questions in one run (no LLM).

Run through ``bench/retrieval.py --table models``. For each embedder
(all-MiniLM-L6-v2, bge-small-en-v1.5) the seed is ingested into its own data
dir under bench/out/, then every dev question is retrieved once and the
hybrid top 40 talks are judged by the cross-encoder (each talk's 2 best
sentences by cheap score; logits memoised so that the variants below reuse
them). Variants: no cross-encoder (today's retriever, cut and sentence
choice), and the cross-encoder over the top N = 10/20/40 candidates with the
top-k order kept ("hybrid"), fused with the logit rank ("fused") or replaced by
it ("ce"); with it, the open-ended cut and the sentence choice use the logits
(app/retrieval/relevance.py).

Figures per variant (questions with gold talks unless said):
* talk level: recall@5, MRR, nDCG@10 of the ranking; multi-talk recall@10;
  context recall (gold talks among those handed to the model) and talks handed over;
* sentence level: key-fact context recall = share of a question's key facts the
  selected context covers, by the deterministic judge (MiniLM similarity +
  word overlap, eval/judges.py; the same judge for every variant);
* abstention: ROC AUC of answerable vs unanswerable (all 100 questions) by the
  best dense cosine, by the best logit, and by best logit + w × best dense
  (w and the threshold fitted by logistic regression; AUC by leave-one-out);
* latency, separately with the real model (no memo): p50/p95 of ``search``
  (rank + select) and of retrieval + context selection, and of the
  cross-encoder work alone.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.core.config import RerankSettings, Settings
from app.models.embeddings import BGE_MODEL_NAME, MODEL_NAME, MiniLMEmbeddings, cached_embeddings
from app.models.reranker import CrossEncoderReranker
from app.models.tokens import encoding
from app.answer.context import pick_sentences, sentence_orders
from app.answer.state import RetrievedTalk
from app.retrieval.question_kinds import is_open_ended
from app.retrieval.relevance import JudgedTalk, cut_talks, judge_talks, order_talks, talk_sentences
from app.retrieval.retriever import TalkRetriever
from app.index.store import TalkStore
from eval import metrics as M
from eval.dataset import attach_gold, load_questions
from bench.provenance import write_result
from eval.judges import DeterministicJudge
from ingest.indexer import ingest

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
MAX_N = 40
NS = (10, 20, 40)
ORDERS = ("hybrid", "fused", "ce")


class MemoReranker:
    """The real cross-encoder behind a (query, text) -> logit memo kept on disk between runs."""

    def __init__(self, inner: CrossEncoderReranker, path: Path):
        self.inner, self.path = inner, path
        self.memo: dict[str, float] = json.loads(path.read_text()) if path.exists() else {}

    def score(self, query: str, texts: list[str]) -> np.ndarray:
        todo = [t for t in dict.fromkeys(texts) if f"{query}\x00{t}" not in self.memo]
        if todo:
            for t, v in zip(todo, self.inner.score(query, todo).tolist()):
                self.memo[f"{query}\x00{t}"] = v
        return np.array([self.memo[f"{query}\x00{t}"] for t in texts], dtype=np.float32)

    def save(self) -> None:
        self.path.write_text(json.dumps(self.memo))


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def roc_auc(positive: list[float], negative: list[float]) -> float:
    """Probability that a random positive scores above a random negative (ties count half)."""
    wins = sum((p > n) + 0.5 * (p == n) for p in positive for n in negative)
    return wins / (len(positive) * len(negative))


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1e-2, steps: int = 3000) -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:
    """Plain L2 logistic regression on standardised features: (weights, bias, mean, std)."""
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = (x - mean) / std
    w, b = np.zeros(x.shape[1]), 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(z @ w + b)))
        w -= 0.1 * (z.T @ (p - y) / len(y) + l2 * w)
        b -= 0.1 * float(np.mean(p - y))
    return w, b, mean, std


def loo_scores(x: np.ndarray, y: np.ndarray) -> list[float]:
    """Each row scored by a logistic regression fitted on all the other rows (leave-one-out)."""
    scores = []
    for i in range(len(y)):
        mask = np.arange(len(y)) != i
        w, b, mean, std = fit_logistic(x[mask], y[mask])
        scores.append(float(((x[i] - mean) / std) @ w + b))
    return scores


def combined_signal(ce: list[float], dense: list[float], answerable: list[bool]) -> dict:
    """Leave-one-out AUC of logistic(best logit, best dense), the weight in raw units, and thresholds."""
    x, y = np.column_stack([ce, dense]), np.array(answerable, dtype=float)
    loo = loo_scores(x, y)
    w, b, mean, std = fit_logistic(x, y)
    raw = w / std  # decision = raw[0]*ce + raw[1]*dense + const
    weight = float(raw[1] / raw[0])  # dense weight with the logit's weight fixed at 1
    score = [c + weight * d for c, d in zip(ce, dense)]
    pos = [s for s, a in zip(score, answerable) if a]
    neg = [s for s, a in zip(score, answerable) if not a]
    loo_pos = [s for s, a in zip(loo, answerable) if a]
    loo_neg = [s for s, a in zip(loo, answerable) if not a]
    # Thresholds on the full-data score: Youden's J, and the highest one that abstains on at most 2 % of answerable questions.
    cands = sorted(set(score))
    youden = max(cands, key=lambda t: (sum(p >= t for p in pos) / len(pos)) + (sum(n < t for n in neg) / len(neg)))
    target = max(t for t in cands if sum(p < t for p in pos) <= 0.02 * len(pos))
    def rates(t: float) -> tuple[float, float]:
        return sum(p < t for p in pos) / len(pos), sum(n < t for n in neg) / len(neg)
    return {
        "auc_loo": roc_auc(loo_pos, loo_neg),
        "auc_fit": roc_auc(pos, neg),
        "dense_weight": weight,
        "youden": (youden, *rates(youden)),
        "target": (target, *rates(target)),
        "scores": score,
    }


def threshold_note(signal: list[float], answerable: list[bool]) -> str:
    """Thresholds on the best logit alone: Youden's J, and 0.5 below the lowest answerable question (no false abstention)."""
    pos = [s for s, a in zip(signal, answerable) if a]
    neg = [s for s, a in zip(signal, answerable) if not a]
    def rates(t: float) -> tuple[float, float]:
        return sum(p < t for p in pos) / len(pos), sum(x < t for x in neg) / len(neg)
    youden = max(sorted(set(signal)), key=lambda t: (1 - rates(t)[0]) + rates(t)[1])
    safe = min(pos) - 0.5
    return (f"best logit: Youden {youden:.2f} (false abstention {rates(youden)[0]:.3f}, unanswerable caught {rates(youden)[1]:.3f}), "
            f"safe {safe:.2f} (false abstention {rates(safe)[0]:.3f}, unanswerable caught {rates(safe)[1]:.3f})")


@dataclass
class Row:
    type: str
    answerable: bool
    gold: list[str]
    key_facts: list[str]
    ranking: list[str]
    base_context: list[str]
    base_dense: float
    judged: list[JudgedTalk]
    open_ended: bool


def model_index(name: str) -> tuple[Settings, TalkStore]:
    """The seed ingested with embedder ``name`` into its own data dir under bench/out/ (a no-op when current)."""
    settings = Settings(_env_file=None, data_dir=OUT / f"models-{name}")
    settings.embedding.model = name
    store = TalkStore(settings, cached_embeddings(settings))
    ingest(settings, store)
    return settings, store


def collect(name: str, memo: MemoReranker, rerank: RerankSettings, limit: int | None = None) -> tuple[list[Row], Settings, TalkStore]:
    settings, store = model_index(name)
    catalog = store.catalog()
    questions = attach_gold(load_questions(), catalog)[:limit]
    retriever = TalkRetriever(store=store, settings=settings.retrieval)
    rows = []
    for q in questions:
        ranked = retriever.rank_talks(q.question)
        base = retriever.select(ranked, q.question)
        top = ranked[:MAX_N]
        judged = judge_talks(q.question, top, [catalog.by_id[e.talk_id] for e in top], store.embeddings, memo, rerank)
        rows.append(
            Row(q.type, q.answerable, q.gold_talks, q.key_facts, [t.talk_id for t in ranked], [t.talk_id for t in base],
                max((t.dense for t in base), default=0.0), judged, is_open_ended(q.question))
        )
    memo.save()
    return rows, settings, store


def context_passages(judged: list[JudgedTalk], orders: list[list[int]], settings: Settings, count) -> list[str]:
    pools = [j.sentences for j in judged]
    chosen = pick_sentences(orders, pools, [j.talk.title for j in judged], count, settings.retrieval.context_tokens,
                            settings.retrieval.sentences_per_talk)
    return [j.talk.title + "\n" + " ".join(j.sentences[i] for i in c) for j, c in zip(judged, chosen)]


def evaluate(rows: list[Row], settings: Settings, judge: DeterministicJudge, count, n: int | None, order: str) -> dict:
    """``n`` None: today (order "-") or the shipped use (order "shipped": hybrid cut, logits for sentences
    and abstention); else the logit cut over the hybrid top n with ``order``."""
    rs = settings.rerank.model_copy(update={"order": "fused" if order == "fused" else "hybrid"})
    out: dict[str, list] = {k: [] for k in ("r5", "mrr", "ndcg", "multi_r10", "ctx", "talks", "facts")}
    ce_signal, dense_signal, cand_dense, answerable = [], [], [], []
    for row in rows:
        by_id = {j.talk.id: j for j in row.judged}
        if n is None:  # today: hybrid order, relative cut, cheap sentence order
            ranking = row.ranking
            context = [by_id[t] for t in row.base_context if t in by_id]
            orders = [[int(i) for i in np.argsort(-j.cheap, kind="stable")] for j in context]
            if order == "shipped":
                first = rs.candidates
                orders = [j.sentence_order() if i < first else o for i, (j, o) in enumerate(zip(context, orders))]
                judged = context[: min(first, rs.abstain_talks)]
                ce_signal.append(max((j.relevance for j in judged), default=-99.0))
                cand_dense.append(max((j.entry.dense for j in judged), default=0.0))
        else:
            cands = row.judged[:n]
            ordered = sorted(cands, key=lambda j: -j.relevance) if order == "ce" else order_talks(cands, rs)
            ranking = [j.talk.id for j in ordered] + row.ranking[n:]
            context = cut_talks(ordered, settings.retrieval.k, settings.retrieval.max_k, row.open_ended, rs)
            orders = [j.sentence_order() for j in context]
            ce_signal.append(max(j.relevance for j in cands))
            cand_dense.append(max(j.entry.dense for j in cands))
        dense_signal.append(row.base_dense)
        answerable.append(row.answerable)
        if not row.gold:
            continue
        out["r5"].append(M.recall_at_k(ranking, row.gold, 5))
        out["mrr"].append(M.reciprocal_rank(ranking, row.gold))
        out["ndcg"].append(M.ndcg_at_k(ranking, row.gold, 10))
        if row.type == "multi_talk":
            out["multi_r10"].append(M.recall_at_k(ranking, row.gold, 10))
        ids = [j.talk.id for j in context]
        out["ctx"].append(M.recall_at_k(ids, row.gold, len(ids)) if ids else 0.0)
        out["talks"].append(len(ids))
        if row.key_facts:
            passages = context_passages(context, orders, settings, count)
            out["facts"].append(sum(judge.supports(f, passages) for f in row.key_facts) / len(row.key_facts))
    result = {k: statistics.mean(v) for k, v in out.items()}
    result["ce_signal"], result["answerable"] = ce_signal, answerable
    pos = [d for d, a in zip(dense_signal, answerable) if a]
    neg = [d for d, a in zip(dense_signal, answerable) if not a]
    result["auc_dense"] = roc_auc(pos, neg)
    if ce_signal:
        result["auc_ce"] = roc_auc([c for c, a in zip(ce_signal, answerable) if a], [c for c, a in zip(ce_signal, answerable) if not a])
        result["combined"] = combined_signal(ce_signal, cand_dense, answerable)
    return result


def latency(settings: Settings, store: TalkStore, reranker: CrossEncoderReranker, variant: str, n: int | None, questions: list[str]) -> dict:
    """Real timings through the app's code: search (rank + select, no cross-encoder) and retrieval + context
    selection (the retriever's documents, sentence orders, sentences picked), with the cross-encoder's share."""
    rerank = settings.rerank.model_copy(update={"cut": "logit" if variant == "logit" else "hybrid", "candidates": n or settings.rerank.candidates})
    timed = _TimedReranker(reranker)
    retriever = TalkRetriever(store=store, settings=settings.retrieval, rerank=rerank, reranker=None if variant == "none" else timed)
    catalog = retriever.catalog
    enc = encoding(settings.chunks.encoding, settings.cache_dir / "tiktoken")
    count = lambda text: len(enc.encode(text))  # noqa: E731
    search, full, ce = [], [], []
    for q in questions[:3] + questions:  # the first three warm up
        started = time.perf_counter()
        retriever.select(retriever.rank_talks(q), q)
        search.append((time.perf_counter() - started) * 1000)
        timed.ms = 0.0
        started = time.perf_counter()
        docs = retriever.invoke(q)
        retrieved = [RetrievedTalk.from_document(d, catalog.by_id) for d in docs]
        talks = [r.talk for r in retrieved]
        pools = [talk_sentences(t) for t in talks]
        orders = sentence_orders(q, retrieved, pools, store.embeddings)
        pick_sentences(orders, pools, [t.title for t in talks], count, settings.retrieval.context_tokens, settings.retrieval.sentences_per_talk)
        full.append((time.perf_counter() - started) * 1000)
        ce.append(timed.ms)
    search, full, ce = search[3:], full[3:], ce[3:]
    return {"search": (pct(search, 50), pct(search, 95)), "full": (pct(full, 50), pct(full, 95)), "ce": (pct(ce, 50), pct(ce, 95))}


class _TimedReranker:
    def __init__(self, inner):
        self.inner, self.ms = inner, 0.0

    def score(self, query, texts):
        started = time.perf_counter()
        try:
            return self.inner.score(query, texts)
        finally:
            self.ms += (time.perf_counter() - started) * 1000


def variant_latencies(settings: Settings, store: TalkStore, reranker: CrossEncoderReranker, questions: list[str]) -> dict:
    """The latency of each variant's path (the N = 10/20/40 variants share one per N); none without questions."""
    if not questions:
        return {}
    lat = {(None, "-"): latency(settings, store, reranker, "none", None, questions),
           (None, "shipped"): latency(settings, store, reranker, "shipped", None, questions)}
    lat.update({n: latency(settings, store, reranker, "logit", n, questions) for n in NS})
    return lat


def table_row(name: str, n: int | None, order: str, r: dict, la: dict | None) -> tuple[str, dict]:
    """One variant's markdown row and its figures as the JSON artefact keeps them."""
    auc = f"{r['auc_dense']:.3f}" if "auc_ce" not in r else f"{r['auc_ce']:.3f} / {r['combined']['auc_loo']:.3f}"
    timing = (f"| {la['search'][0]:.1f} / {la['search'][1]:.1f} | {la['full'][0]:.0f} / {la['full'][1]:.0f} "
              f"| {la['ce'][0]:.0f} / {la['ce'][1]:.0f} |") if la else "| | | |"
    line = (f"| {name} | {'—' if n is None else n} | {'none' if order == '-' else order} | {r['r5']:.3f} | {r['mrr']:.3f} | {r['ndcg']:.3f} "
            f"| {r['multi_r10']:.3f} | {r['ctx']:.3f} | {r['talks']:.1f} | {r['facts']:.3f} | {auc} " + timing)
    figures = {"embedder": name, "n": n, "variant": "none" if order == "-" else order,
               **{k: r[k] for k in ("r5", "mrr", "ndcg", "multi_r10", "ctx", "talks", "facts", "auc_dense")}}
    if "auc_ce" in r:
        figures.update(auc_ce=r["auc_ce"], auc_logit_dense_loo=r["combined"]["auc_loo"])
    if la:
        figures["latency_ms"] = la
    return line, figures


def models_table(out: Path, latency_questions: int = 100) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    reranker = CrossEncoderReranker(settings=RerankSettings()).load()
    memo = MemoReranker(reranker, OUT / "ce-memo.json")
    judge_settings = Settings(_env_file=None, data_dir=OUT / "judge")
    judge = DeterministicJudge(cached_embeddings(judge_settings, MiniLMEmbeddings()))
    questions = [q.question for q in load_questions()][:latency_questions]
    lines, notes, artefact = [], [], []
    for name in (MODEL_NAME, BGE_MODEL_NAME):
        started = time.perf_counter()
        rows, settings, store = collect(name, memo, RerankSettings())
        print(f"{name}: collected in {time.perf_counter() - started:.0f} s", flush=True)
        enc = encoding(settings.chunks.encoding, settings.cache_dir / "tiktoken")
        count = lambda text: len(enc.encode(text))  # noqa: E731
        variants = [(None, "-"), (None, "shipped")] + [(n, o) for o in ORDERS for n in NS]
        lat = variant_latencies(settings, store, reranker, questions)
        for n, order in variants:
            r = evaluate(rows, settings, judge, count, n, order)
            line, figures = table_row(name, n, order, r, lat.get((n, order) if n is None else n))
            lines.append(line)
            if order in ("shipped", "hybrid"):
                note = threshold_note(r["ce_signal"], r["answerable"])
                c = r["combined"]
                notes.append(
                    f"{name} {order} N={n}: {note}; logit+dense: dense weight {c['dense_weight']:.2f}, AUC in-sample {c['auc_fit']:.3f}, LOO {c['auc_loo']:.3f}; "
                    f"Youden threshold {c['youden'][0]:.2f} (false abstention {c['youden'][1]:.3f}, unanswerable caught {c['youden'][2]:.3f}); "
                    f"≤2 % target threshold {c['target'][0]:.2f} (false abstention {c['target'][1]:.3f}, unanswerable caught {c['target'][2]:.3f})"
                )
                figures["thresholds"] = note
            artefact.append(figures)
        print("\n".join(lines[-len(variants):]), flush=True)
    header = ("| embedder | N | order | recall@5 | MRR | nDCG@10 | multi-talk R@10 | context recall | talks | key-fact context recall "
              "| ROC AUC (best dense; or best logit / logit+dense LOO) | search p50 / p95 ms | retrieval + context p50 / p95 ms "
              "| cross-encoder p50 / p95 ms |")
    print()
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    print("\n".join(lines))
    print()
    print("\n".join(notes))
    write_result(out, {"questions": len(rows), "latency_questions": len(questions), "variants": artefact, "notes": notes})


def latency_table(out: Path, latency_questions: int = 100) -> None:
    """Only the latency columns, for the two paths an answer can take (no cross-encoder, shipped), both
    embedders: quick enough to re-run on an idle machine after the quality table (which does not depend
    on load)."""
    reranker = CrossEncoderReranker(settings=RerankSettings()).load()
    questions = [q.question for q in load_questions()][:latency_questions]
    print("| embedder | variant | search p50 / p95 ms | retrieval + context p50 / p95 ms | cross-encoder p50 / p95 ms |")
    print("|---|---|---|---|---|")
    figures = []
    for name in (MODEL_NAME, BGE_MODEL_NAME):
        settings, store = model_index(name)
        for variant in ("none", "shipped"):
            la = latency(settings, store, reranker, variant, None, questions)
            figures.append({"embedder": name, "variant": variant, "latency_ms": la})
            print(f"| {name} | {variant} | {la['search'][0]:.1f} / {la['search'][1]:.1f} | {la['full'][0]:.0f} / {la['full'][1]:.0f} "
                  f"| {la['ce'][0]:.0f} / {la['ce'][1]:.0f} |", flush=True)
    write_result(out, {"questions": len(questions), "load_average": os.getloadavg(), "paths": figures})
