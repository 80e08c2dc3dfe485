"""The literal condition a "which talks mention …" question sets (app/retrieval/record_terms.py)."""

from __future__ import annotations

from app.retrieval.record_terms import record_condition


def test_a_second_phrase_after_or_is_another_spelling_of_the_mentioned_one():
    condition = record_condition("Which talks bring up medicine or healthcare as an application?")
    assert [t.text for t in condition.terms] == ["medicine", "healthcare"] and condition.any_term


def test_an_or_inside_an_of_phrase_leaves_the_head_as_what_is_mentioned():
    condition = record_condition("Which talks bring up privacy of the data or the model, and what does each say?")
    assert [t.text for t in condition.terms] == ["privacy"]


def test_a_contracted_i_is_no_name_to_scan_for():
    assert record_condition("My group is starting on compression and I'd like everything on it. How many talks deal with "
                            "compressing something?") is None
