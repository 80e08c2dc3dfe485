"""Topical list questions ("Which talks deal with causality? How many?") are answered from the talks the
cross-encoder judges to be on the topic, counted and listed without the model (app/retrieval/topic_scan.py)."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from app.answer.aggregate import topic_answer
from app.answer.result import Answer
from app.core.talk import Talk
from app.retrieval.fusion import RankedTalk
from app.retrieval.question_kinds import asks_for_every
from app.retrieval.relevance import JudgedTalk
from app.retrieval.topic_scan import (FEATURES, FLOOR_LOGIT, ListCut, TopicMember, TopicScan, expected_members, talk_features,
                                      topic_query)
from app.service import Service
from eval.metrics import stated_count
from support.models import scripted


@pytest.mark.parametrize(("question", "topic"), [
    ("Which talks discuss causality, such as causal models? List them.", "discuss causality, such as causal models"),
    ("How many talks are about knowledge distillation?", "are about knowledge distillation"),
    ("List all talks that study sampling. Give the number.", "study sampling"),
    ("Which speakers are assistant professors? How many are there?", "are assistant professors"),
    ("give me every talk on privacy", "on privacy"),
])
def test_the_topic_is_the_question_without_its_list_wording(question, topic):
    assert topic_query(question) == topic


def test_a_question_that_is_all_list_wording_stays_as_it_is():
    assert topic_query("Which talks?") == "Which talks?"


@pytest.mark.parametrize("question", ["Which talks discuss momentum?", "How many talks are about privacy?",
                                      "What speakers work on kernels?", "List all talks on sampling."])
def test_a_plural_list_or_a_count_asks_for_every_talk(question):
    assert asks_for_every(question)


@pytest.mark.parametrize("question", ["Which talk covered federated learning?", "What does the talk on kernels show?"])
def test_a_question_for_one_talk_does_not_ask_for_every_talk(question):
    assert not asks_for_every(question)


def test_the_list_is_the_expected_number_of_most_probable_talks():
    assert expected_members(np.array([0.9, 0.2, 0.8, 0.6, 0.1])) == [0, 2, 3]  # sum 2.6 -> 3


def test_the_list_keeps_at_least_the_most_probable_talk():
    assert expected_members(np.array([0.1, 0.3, 0.05])) == [1]


def _judged(logits: list[float]) -> list[JudgedTalk]:
    return [JudgedTalk(talk=Talk(id=f"t{i}", title="T", abstract="A.", source="s"), entry=RankedTalk(f"t{i}", dense=0.5, bm25=0.2),
                       sentences=["A."], cheap=np.zeros(1), logits={0: logit}) for i, logit in enumerate(logits)]


def test_each_talk_is_read_against_the_best_and_the_next_best_judgement():
    rows = dict(zip(["low", "best", "mid"], talk_features(_judged([-9.0, 3.0, 1.0]))))
    column = {name: i for i, name in enumerate(FEATURES)}
    assert rows["best"][column["below_best"]] == 0 and rows["best"][column["above_next"]] == 2.0
    assert rows["low"][column["above_next"]] == -9.0 - FLOOR_LOGIT
    assert rows["mid"][column["log_logit_rank"]] == pytest.approx(np.log(2))


def test_the_shipped_cut_names_the_features_it_weighs():
    cut = ListCut.load()
    assert cut.weights.shape == (len(FEATURES),)
    assert 0 < cut.probabilities(talk_features(_judged([4.0, -10.0])))[0] < 1


def test_a_cut_fitted_on_other_features_is_refused(tmp_path):
    path = tmp_path / "cut.json"
    path.write_text(json.dumps({"features": ["logit"], "mean": [0], "scale": [1], "weights": [1], "bias": 0}))
    with pytest.raises(ValueError, match="refit"):
        ListCut.load(path)


def test_a_judged_list_counts_its_lines_cites_each_talk_and_says_it_is_a_judgement():
    talks = [Talk(id=f"t{i}", title=f"Talk {i}", abstract="A.", source="s", speaker=f"Ann {i}") for i in range(3)]
    scan = TopicScan("discuss causality", tuple(TopicMember(t, f"Causal claim {i}.", 0.8) for i, t in enumerate(talks)), judged=40)
    question = "Which talks discuss causality?"
    answer = topic_answer(Answer(question=question, query=question, answer=""), scan, question)
    lines = [line for line in answer.answer.splitlines() if line.startswith("- ")]
    assert stated_count(answer.answer) == len(lines) == len(answer.cited) == 3
    assert [re.findall(r"\[(\d+)\]", line) for line in lines] == [["1"], ["2"], ["3"]]
    assert "Talk 1 (Ann 1): “Causal claim 1”" in answer.answer
    assert "judgement, not an exact match" in answer.answer and "among the 40 closest" in answer.answer


# ------------------------------------------------------------------ through the real index and cross-encoder


def test_a_topical_list_is_answered_from_the_judged_talks_without_the_model(seed_index):
    llm = scripted("[1]")
    chain = Service(seed_index.settings, store=seed_index.store).answer_chain(llm=llm)
    answer = chain.invoke("Which talks discuss momentum methods? List them all.")
    lines = [line for line in answer.answer.splitlines() if line.startswith("- ")]
    assert stated_count(answer.answer) == len(lines) == len(answer.cited) >= 1
    assert any("momentum" in s.talk.abstract.lower() for s in answer.sources)
    assert llm.prompts == []


def test_a_question_for_one_talk_is_still_the_models(seed_index):
    llm = scripted("The talk shows X [1].")
    chain = Service(seed_index.settings, store=seed_index.store).answer_chain(llm=llm)
    chain.invoke("Which talk uses tropical geometry to study neural networks?")
    assert llm.prompts
