"""The answer prompts load from prompts/, or from a copy of it with some texts changed (bench/answer_prompt.py sets a
changed prompt against the shipped one that way)."""

from __future__ import annotations

import shutil

import pytest

from app.answer.prompting import AnswerPrompts
from app.answer.state import AnswerState
from app.retrieval.question_kinds import QuestionKinds
from app.core.resources import PROMPTS


def system_text(prompts: AnswerPrompts) -> str:
    return prompts.answer.format_messages(context="", question="q")[0].content


def test_the_shipped_prompts_open_with_the_shipped_system_prompt():
    assert system_text(AnswerPrompts.load()) == (PROMPTS / "answer_system.txt").read_text(encoding="utf-8").strip()


def test_prompts_from_a_changed_copy_carry_its_system_prompt_in_every_chat_prompt(tmp_path):
    shutil.copytree(PROMPTS, tmp_path, dirs_exist_ok=True)
    shipped = (PROMPTS / "answer_system.txt").read_text(encoding="utf-8")
    (tmp_path / "answer_system.txt").write_text(shipped.replace("Rules:", "Rules (changed):"), encoding="utf-8")
    prompts = AnswerPrompts.load(tmp_path)
    for chat in (prompts.answer, prompts.listing, prompts.which_talk, prompts.yes_no, prompts.compare, prompts.second_look):
        assert "Rules (changed):" in chat.messages[0].prompt.template


@pytest.mark.parametrize(("question", "prompt"), [
    ("Which talks discuss momentum methods?", "listing"),
    ("How many talks mention CIFAR?", "listing"),
    ("Which talk explains grokking?", "which_talk"),
])
def test_a_list_of_talks_and_a_search_for_one_talk_get_their_own_prompt(question, prompt):
    prompts = AnswerPrompts.load()
    state = AnswerState(question=question, query=question, kinds=QuestionKinds.of(question, question))
    expected = getattr(prompts, prompt).format_messages(context="", question=question)
    assert [m.content for m in prompts.messages(state)] == [m.content for m in expected]
