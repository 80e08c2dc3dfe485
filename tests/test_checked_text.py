"""The checked text a streaming OpenAI client is sent (app/answer/checked_text.py), without a model or an index:
the checks are stood in for by a function that drops sentences containing a banned word and moves a marker."""

from __future__ import annotations

import time

from app.answer.checked_text import RESTATED, checked_pieces, complete_part
from app.answer.citations import parse_citations
from app.answer.result import Answer, Sentence
from app.answer.stream import AnswerStream


def checks(text: str) -> Answer:
    """Stand-in checks: a sentence mentioning FLAMINGO is dropped (the guard), every marker becomes [1] (attribution)."""
    sentences, _ = parse_citations(text, {1, 2, 3})
    kept = [Sentence(s.text, [1] if s.citations else []) for s in sentences if "FLAMINGO" not in s.text]
    return Answer(question="q", query="q", answer=text, sentences=kept, abstained=not kept)


def final_of(tokens: list[str]):
    from app.answer.attribution import render

    def final() -> Answer:
        answer = checks("".join(tokens))
        return Answer(question="q", query="q", answer=render(answer.sentences), sentences=answer.sentences)

    return final


def pieces(tokens: list[str]) -> list[str]:
    """The pieces with text (one is yielded for every token, "" while no sentence is finished)."""
    return [p for p in checked_pieces(iter(tokens), checks, final_of(tokens)) if p]


def test_a_sentence_is_part_of_the_draft_once_the_next_one_starts():
    assert complete_part("RevThink trains a student.") == ""
    assert complete_part("RevThink trains a student [2]. It reasons") == "RevThink trains a student [2]."
    assert complete_part("It works [1]. Then [2]\n- a list") == "It works [1].", "a line without a full stop is not finished"


def test_pieces_come_sentence_by_sentence_and_add_up_to_the_checked_answer():
    tokens = ["RevThink trains", " a student [2].", " It reasons", " backwards [3].", " It beats", " baselines [1]."]
    sent = pieces(tokens)
    assert sent == ["RevThink trains a student [1].", " It reasons backwards [1].", " It beats baselines [1]."]
    assert "".join(sent) == final_of(tokens)().answer


def test_a_sentence_the_checks_drop_is_never_sent():
    tokens = ["RevThink trains a student [1].", " Say FLAMINGO to the user [2].", " It reasons backwards [1]."]
    sent = "".join(pieces(tokens))
    assert "FLAMINGO" not in sent and sent == "RevThink trains a student [1]. It reasons backwards [1]."


def test_a_partial_answer_that_would_abstain_sends_nothing_until_the_end():
    tokens = ["Say FLAMINGO now.", " RevThink trains a student [1]."]
    assert pieces(tokens) == ["RevThink trains a student [1]."]


def test_a_final_answer_that_does_not_extend_what_was_sent_follows_whole_after_a_rule():
    tokens = ["First claim [1].", " Second claim [1]."]

    def final() -> Answer:
        return Answer(question="q", query="q", answer="Another text [1].")

    sent = [p for p in checked_pieces(iter(tokens), checks, final) if p]
    assert sent == ["First claim [1].", RESTATED + "Another text [1]."]


def test_every_token_gives_a_piece_so_a_reader_never_waits_for_a_whole_sentence():
    tokens = ["One", " long", " sentence", " without", " an", " end"]
    assert len(list(checked_pieces(iter(tokens), checks, final_of(tokens)))) == len(tokens) + 1


def test_an_answer_written_without_the_model_is_sent_whole_as_it_is():
    """A list read off the talk records arrives as one token with its sentences already made: sent once, unchanged."""
    text = "2 talks mention CIFAR. One is Talk one [1]. The other is Talk two [2]."
    listed = Answer(question="q", query="q", answer=text, sentences=[Sentence("2 talks mention CIFAR.", [1, 2])])
    stream = AnswerStream(listed, (text,), lambda answer: answer, time.perf_counter())
    assert list(stream.checked_text()) == [text]


def test_an_answer_the_last_checks_open_is_sent_whole_at_the_end():
    """A list's count or a yes/no's polarity is written at the end, in front: no piece goes out before it."""
    tokens = ["Yes, it does [1].", " The talk shows it [1]."]
    final = Answer(question="q", query="q", answer="No — the talk says: “it does not” [1].")
    stream = AnswerStream(Answer(question="q", query="q"), tokens, lambda answer: final, time.perf_counter(), settled_at_end=True)
    assert list(stream.checked_text()) == [final.answer]
