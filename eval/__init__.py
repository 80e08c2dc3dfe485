"""The grounding evaluation of talkqa (`talkqa eval`).

One job a module:

* ``dataset``  -- the questions, the labelled judge pairs, gold line ranges -> talk ids.
* ``metrics``  -- pure metric functions (retrieval, citations, ALCE, abstention, aggregation).
* ``judges``   -- does a passage support a sentence? deterministic and LLM judges, agreement.
* ``baseline`` -- the naive LangChain-quickstart chain we compare against.
* ``harness``  -- runs the evaluation, step by step:
  ``run_state`` (options, the run, which questions are answered), ``scoring`` (retrieval and
  answer metrics, the judges' agreement), ``answers`` (both systems' answers in common terms,
  cached), ``run_output`` (rows and aggregates, written as the run goes).
* ``from_feedback`` -- feedback entries (app/core/feedback_log.py) as evaluation questions.
* ``report``   -- report.md, metrics.json, results.jsonl and the PNG plots.

See docs/evaluation.md.
"""
