"""The one settings object: typos in nested groups are errors, and the fingerprint covers what shapes an answer."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.core.config import RetrievalSettings, Settings, describe_settings_error
from app.core.answer_fingerprint import answer_fingerprint


def test_an_unknown_key_in_a_nested_group_is_refused(monkeypatch):
    monkeypatch.setenv("TALKQA_RETRIEVAL__KK", "3")
    with pytest.raises(ValidationError) as raised:
        Settings()
    message = describe_settings_error(raised.value)
    assert message.startswith("unknown setting retrieval.kk; retrieval takes: k, max_k,")


def test_the_cli_names_the_unknown_setting_in_one_line(run_cli, tmp_path):
    result = run_cli("talks", data_dir=tmp_path, env={"TALKQA_RETRIEVAL__KK": "3"})
    assert result.exit_code == 2
    assert result.stderr.startswith("error: unknown setting retrieval.kk;") and "Traceback" not in result.stderr


def test_a_group_built_in_code_refuses_unknown_keys_too():
    with pytest.raises(ValidationError):
        RetrievalSettings(kk=3)


def test_the_answer_fingerprint_changes_with_the_rerank_settings():
    base = Settings()
    changed = base.model_copy(update={"rerank": base.rerank.model_copy(update={"abstain_threshold": -3.0})})
    assert answer_fingerprint(base) != answer_fingerprint(changed)


def test_the_answer_fingerprint_ignores_threads():
    base = Settings()
    changed = base.model_copy(update={"rerank": base.rerank.model_copy(update={"threads": 1})})
    assert answer_fingerprint(base) == answer_fingerprint(changed)


def test_the_answer_fingerprint_follows_the_answer_prompts_not_the_judges(tmp_path):
    import shutil

    from app.core.prompts import PROMPTS

    prompts = shutil.copytree(PROMPTS, tmp_path / "prompts")
    before = answer_fingerprint(Settings(), prompts)
    (prompts / "judge.txt").write_text("Another judge prompt {passage} {claim}", encoding="utf-8")
    assert answer_fingerprint(Settings(), prompts) == before
    (prompts / "answer_system.txt").write_text("Another system prompt.", encoding="utf-8")
    assert answer_fingerprint(Settings(), prompts) != before
