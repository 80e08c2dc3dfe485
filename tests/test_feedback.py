"""Feedback on answers (app/core/feedback_log.py, the chat's 👍/👎 and comment), ``talkqa feedback``, and the Markdown export."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from types import SimpleNamespace

from app.core.feedback_log import FeedbackLog, select
from eval.from_feedback import as_questions
from app.core.answer_fingerprint import answer_fingerprint
from app.service import Service
from app.web.export import conversation_markdown
from app.web.handlers import WebApp, new_session
from support.models import scripted
from support.settings import make_settings
from eval.dataset import attach_gold, load_questions

DEPTH_Q = "What does the proportional infinite-depth-and-width limit describe?"


def answered(small_index, *replies: str) -> tuple[WebApp, dict]:
    """The chat's handlers over the small index, and a session after one answer per reply."""
    settings, store = small_index
    llm = scripted(*replies)
    web = WebApp(settings, chain_factory=lambda: Service(settings, store=store).answer_chain(llm=llm))
    state = new_session()
    for _ in replies:
        state = list(web.respond(DEPTH_Q, state))[-1][2]
    return web, state


def like(index: int, liked) -> SimpleNamespace:
    """What Gradio passes for the chatbot's like event (``gr.LikeData``)."""
    return SimpleNamespace(index=index, liked=liked, value=None)


# ------------------------------------------------------------------ the log


def test_the_last_line_of_an_entry_wins_and_a_torn_line_is_skipped(tmp_path):
    log = FeedbackLog(tmp_path / "feedback.jsonl")
    log.save({"id": "a", "rating": "up", "question": "Q1"})
    log.save({"id": "b", "rating": "down", "question": "Q2"})
    log.save({"id": "a", "rating": "down", "question": "Q1", "comment": "wrong talk"})
    with log.path.open("a") as f:
        f.write('{"id": "c", "rat')  # a writer killed mid-line
    entries = log.entries()
    assert [(e["id"], e["rating"], e.get("comment")) for e in entries] == [("a", "down", "wrong talk"), ("b", "down", None)]
    assert [e["id"] for e in select(entries, "down")] == ["a", "b"] and select(entries, "up") == []


# ------------------------------------------------------------------ the chat's thumbs and comment


def test_a_thumbs_down_stores_the_question_answer_citations_timings_and_fingerprint(small_index):
    web, state = answered(small_index, "The limit models finite networks [1].")
    status, state = web.feedback.rate(state, like(1, False))
    assert status.startswith("Thumbs down saved")
    [entry] = FeedbackLog.in_data_dir(web.settings.data_dir).entries()
    assert entry["rating"] == "down" and entry["question"] == DEPTH_Q
    assert "finite networks" in entry["answer"] and entry["citations"][0]["talk_id"]
    assert "total_ms" in entry["timings"] and entry["fingerprint"] == answer_fingerprint(web.settings)


def test_a_comment_goes_with_the_rated_answer_and_keeps_its_rating(small_index):
    web, state = answered(small_index, "The limit is a model of finite networks [1].", "The limit models finite networks [1].")
    _, state = web.feedback.rate(state, like(1, True))  # the first answer, not the last
    status, box, state = web.feedback.comment("Exactly what I needed", state)
    assert status.startswith("Comment saved") and box == ""
    [entry] = FeedbackLog.in_data_dir(web.settings.data_dir).entries()
    assert entry["answer"].startswith("The limit is a model") and entry["rating"] == "up"
    assert entry["comment"] == "Exactly what I needed"


def test_clicking_the_same_thumb_again_takes_the_rating_back(small_index):
    web, state = answered(small_index, "The limit models finite networks [1].")
    _, state = web.feedback.rate(state, like(1, True))
    _, state = web.feedback.rate(state, like(1, ""))
    [entry] = FeedbackLog.in_data_dir(web.settings.data_dir).entries()
    assert entry["rating"] is None


def test_an_error_message_cannot_be_rated(small_index):
    web, state = answered(small_index)
    state = list(web.respond("word " * 400, state))[-1][2]  # refused: an error message, not an answer
    status, _ = web.feedback.rate(state, like(1, False))
    assert "Only answers" in status
    assert FeedbackLog.in_data_dir(web.settings.data_dir).entries() == []


# ------------------------------------------------------------------ talkqa feedback


def write_feedback(data_dir) -> FeedbackLog:
    log = FeedbackLog.in_data_dir(data_dir)
    cited = [{"n": 1, "talk_id": "t123", "title": "Some talk"}]
    log.save({"id": "a1", "rating": "down", "question": "Who proposed RevThink?", "answer": "Nobody [1].", "citations": cited,
              "comment": "wrong speaker"})
    log.save({"id": "b2", "rating": "up", "question": "What is RevThink?", "answer": "A method [1].", "citations": cited})
    return log


def test_feedback_lists_the_entries(run_cli, tmp_path):
    write_feedback(tmp_path / "d")
    result = run_cli("feedback", data_dir=tmp_path / "d")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and "👎  Who proposed RevThink?  — wrong speaker" in lines[0] and "👍" in lines[1]


def test_feedback_json_filters_by_rating(run_cli, tmp_path):
    write_feedback(tmp_path / "d")
    result = run_cli("feedback", "--down", "--json", data_dir=tmp_path / "d")
    assert [e["id"] for e in json.loads(result.stdout)] == ["a1"]


def test_exported_thumbs_down_are_questions_eval_reads(run_cli, tmp_path, small_index):
    write_feedback(tmp_path / "d")
    out = tmp_path / "regressions.jsonl"
    result = run_cli("feedback", "--down", "--export", str(out), data_dir=tmp_path / "d")
    assert result.exit_code == 0, result.stderr
    [question] = load_questions(out)
    assert question.question == "Who proposed RevThink?" and question.gold_lines == [] and question.id == "fb-a1"
    assert "wrong speaker" in question.notes
    # A person fills in the gold talk by id (a prefix is enough); eval resolves it against the index.
    _, store = small_index
    catalog = store.catalog()
    question.gold_talks = [catalog.talks[0].id[:7]]
    assert attach_gold([question], catalog)[0].gold_talks == [catalog.talks[0].id]


def test_one_question_a_distinct_question():
    entries = [{"id": "a", "question": "Q?", "rating": "down"}, {"id": "b", "question": " Q? ", "rating": "down", "comment": "again"}]
    [question] = as_questions(entries)
    assert question["id"] == "fb-b" and "again" in question["notes"]


# ------------------------------------------------------------------ the Markdown export


def test_the_export_lists_a_cited_talks_speaker_lines_and_links():
    citation = {"n": 1, "talk_id": "t0123", "title": "Tropical geometry", "speaker": "Petros Maragos",
                "lines": [[5, 6], [59, 59]], "links": ["https://arxiv.org/abs/2007.12826"], "snippet": "Max-plus algebra."}
    state = {"messages": [{"role": "user", "content": "And the boundaries?"}, {"role": "assistant", "content": "shown"}],
             "answers": {1: {"answer": "Max-plus algebra gives them [1].", "query": "How does tropical geometry describe boundaries?",
                             "citations": [citation], "support": 0.8}}}
    text = conversation_markdown(state)
    assert "1. **Tropical geometry** — Petros Maragos (lines 5–6, 59) · `t0123`\n   - <https://arxiv.org/abs/2007.12826>" in text
    assert "_Searched for: How does tropical geometry describe boundaries?_" in text and "_Support 0.80_" in text


def test_the_export_has_each_question_its_answer_and_its_cited_talks(small_index):
    web, state = answered(small_index, "The limit models finite networks [1].")
    state = list(web.respond("word " * 400, state))[-1][2]  # a refused question is exported as the chat said it
    text = conversation_markdown(state, now=datetime(2026, 1, 2, 3, 4, tzinfo=timezone.utc))
    assert text.startswith("# talkqa conversation\n\n_Exported 2026-01-02 03:04 UTC · 2 questions_")
    assert f"## 1. {DEPTH_Q}" in text and "The limit models finite networks [1]." in text
    cited = state["answers"][1]["citations"][0]
    assert f"1. **{cited['title']}**" in text and f"`{cited['talk_id']}`" in text
    assert "## 2. word word" in text and "can't use that question" in text


def test_the_export_button_is_off_until_there_is_a_conversation(tmp_path):
    web = WebApp(make_settings(tmp_path / "d"))
    assert web.export(new_session()).interactive is False


def test_eval_runs_on_exported_questions_with_and_without_gold(seed_index, tmp_path):
    from eval.from_feedback import write_questions
    from eval.harness import EvalOptions, run_eval

    catalog = seed_index.store.catalog()
    revthink = next(t for t in catalog.talks if "RevThink" in t.abstract)
    path = tmp_path / "regressions.jsonl"
    write_questions(path, [{"id": "a", "rating": "down", "question": "What is RevThink?"},
                           {"id": "b", "rating": "down", "question": "Who organises the seminar?"}])
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    rows[0]["gold_talks"] = [revthink.id[:8]]  # what the person filling in adds
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    options = EvalOptions(out=tmp_path / "run", questions=path, limit=2, progress=False, report_every=0, injections=False)
    metrics = run_eval(seed_index.settings, seed_index.store, options, llm=scripted("It studies the topic [1]."), log=lambda m: None)
    results = {r["id"]: r for r in map(json.loads, (tmp_path / "run" / "results.jsonl").read_text().splitlines())}
    assert results["fb-a"]["gold_talks"] == [revthink.id]
    assert results["fb-a"]["systems"]["ours"]["retrieval"]["recall@5"] == 1.0
    assert results["fb-b"]["systems"]["ours"]["retrieval"]["recall@5"] is None
    assert "feedback" in metrics["retrieval"]["ours"]["by_type"]
