"""The grounding evaluation of talkqa (`talkqa eval`).

One job a module:

* ``dataset``  -- the questions, the labelled judge pairs, gold line ranges -> talk ids.
* ``metrics``  -- pure metric functions (retrieval, citations, ALCE, abstention, aggregation).
* ``judges``   -- does a passage support a sentence? deterministic and LLM judges, agreement.
* ``baseline`` -- the naive LangChain-quickstart chain we compare against.
* ``harness``  -- runs both systems over the questions, with a cache, and judges the answers.
* ``report``   -- report.md, metrics.json, results.jsonl and the PNG plots.

See docs/evaluation.md.
"""
