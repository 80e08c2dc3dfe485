"""End to end in a real browser: Debian's Chromium driven by Playwright (from PyPI).

No browser is downloaded: Playwright launches /usr/bin/chromium (installed by
scripts/install-test-deps.sh; tests/support/browser.py). The first test types a
question to the real model, waits for the streamed answer, asks a follow-up,
and checks the sources panel. The others run the app on the scripted chat
model (tests/support/models.py): uploading talks in the Corpus tab and asking
about them, a bad file refused, feedback written, a conversation exported.
Screenshots go to tmp dirs; bench/screenshots.py retakes the README's pictures.
The chat as a newcomer meets it (layout, errors, the draft) is tests/test_browser_chat.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from support.browser import needs_chromium, open_page

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.server, needs_chromium]


@pytest.fixture
def page(browser, live_server):  # noqa: F811
    """The chat with the real chain (the embedded model: slow) in the browser."""
    return open_page(browser, live_server.url)


def test_ask_in_the_browser_streams_a_cited_answer_with_sources(page, live_server, tmp_path):  # noqa: F811
    titles = [t.title for t in live_server.chat.web.chains.get().catalog.talks]
    page.wait_for_selector("#tq-question textarea")
    # First load: the example questions are offered.
    assert page.get_by_text("What is RevThink and how does it train the student model?").is_visible()

    # A comparison, where the model tends to put every marker at the end: attribution moves them to the
    # sentences each talk supports, the panel says so, and the screenshot shows it.
    question = "Compare the talk on imbalanced classification in high dimensions with the talk on the neural tangent model."
    page.fill("#tq-question textarea", question)
    page.keyboard.press("Enter")

    # The question shows at once; the sources panel fills when retrieval is done, before the answer.
    page.wait_for_selector(f"#tq-chat >> text={question}")
    page.wait_for_selector("#tq-sources-box .tq-card")
    panel = page.inner_text("#tq-sources-box")
    assert any(t in panel for t in titles), panel[:500]

    # The streamed answer ends with its sources footer; the panel then checks every sentence.
    page.wait_for_selector("#tq-sources-box .tq-status:has-text('Answer ready')", timeout=180_000)
    answer = page.locator("#tq-chat [data-testid='bot']").last.inner_text()
    assert re.search(r"\[\d+\]", answer) and "Sources:" in answer, answer
    checked = page.locator("#tq-sources-box .tq-check li")
    assert checked.count() >= 1 and page.locator("#tq-sources-box .tq-check li .tq-mark").count() == checked.count()
    assert page.locator("#tq-sources-box .tq-check li .tq-mark.tq-ok").count() >= 1, page.inner_text("#tq-sources-box")[:800]
    assert page.input_value("#tq-question textarea") == ""

    screenshot = tmp_path / "chat.png"
    page.screenshot(path=str(screenshot))
    assert screenshot.stat().st_size > 20_000

    # A follow-up: answered from the conversation; what was searched for asserts nothing new.
    page.fill("#tq-question textarea", "What does the second of these talks propose?")
    page.keyboard.press("Enter")
    page.wait_for_function(
        """() => document.querySelectorAll("#tq-chat [data-testid='bot']").length === 2
                 && !document.querySelector('#tq-sources-box .tq-status').innerText.includes('…')""",
        timeout=240_000,
    )
    status = page.inner_text("#tq-sources-box .tq-status")
    assert status in ("Answer ready", "Not covered by the talks"), status
    query = page.locator("#tq-sources-box .tq-query q")
    if query.count():
        assert query.inner_text().rstrip().endswith("?"), query.inner_text()

    # The talk browser: filter, open a talk.
    page.get_by_role("tab", name="Talks").click()
    page.wait_for_selector("#tq-talk-count >> text=/talks in the index/")
    page.fill("#tq-talk-filter textarea", "Toneva")
    page.wait_for_selector("#tq-talk-count >> text=/^1 talk match/")
    # The visible cell, not the copy in Gradio's hidden sizing table.
    page.locator("#tq-talk-table").get_by_text("Mariya Toneva").locator("visible=true").first.click()
    page.wait_for_selector("#tq-talk-view .tq-abstract")
    assert "Max Planck" in page.inner_text("#tq-talk-view")


# ------------------------------------------------------------------ the scripted model: corpus, feedback, export

ORIGAMI_REPLY = "Quantum origami maps each fold of a protein lattice to a qubit rotation, and a variational circuit minimises the folding energy [1]."


def ask(page, question: str) -> str:
    """Type a question, wait for the checked answer; returns the answer bubble's text."""
    page.get_by_role("tab", name="Ask").click()
    page.fill("#tq-question textarea", question)
    page.keyboard.press("Enter")
    page.wait_for_selector("#tq-sources-box .tq-status:has-text('Answer ready')")
    return page.locator("#tq-chat [data-testid='bot']").last.inner_text()


def upload(page, *files: Path) -> str:
    """Add ``files`` in the Corpus tab; returns the status once the ingest has answered."""
    choose(page, *files)
    page.click("#tq-corpus-add")
    page.wait_for_selector("#tq-corpus-status :is(p, strong):has-text('Added'), #tq-corpus-status :is(p, strong):has-text('Nothing was changed')")
    return page.inner_text("#tq-corpus-status")


def choose(page, *files: Path) -> None:
    """Put ``files`` in the Corpus tab's file box."""
    page.get_by_role("tab", name="Corpus").click()
    shown = f"#tq-corpus-files >> text={files[-1].name}"
    # On a loaded machine the first change event can be lost before the page is wired; a slow one must
    # not be taken for lost, or both uploads arrive (the tab then refuses two files of one name).
    for attempt in range(3):
        page.set_input_files("#tq-corpus-files input[type=file]", [str(f) for f in files])
        try:
            page.wait_for_selector(shown, timeout=60_000)
            break
        except Exception:
            if attempt == 2:
                raise


def test_upload_a_jsonl_corpus_and_ask_about_a_new_talk(browser, fake_chat_server, new_talks_file, tmp_path):
    server = fake_chat_server(ORIGAMI_REPLY)
    page = open_page(browser, server.url)
    page.wait_for_selector("#tq-question textarea")
    page.get_by_role("tab", name="Corpus").click()
    page.wait_for_selector("#tq-corpus-count >> text=/7 talks from 1 source/")

    status = upload(page, new_talks_file)
    assert "2 new" in status and "“Quantum origami for protein lattices” — Ada Quill" in status, status
    page.wait_for_selector("#tq-corpus-count >> text=/9 talks from 2 sources/")
    assert "uploads/new-talks.jsonl" in page.inner_text("#tq-corpus-sources")
    screenshot = tmp_path / "corpus.png"
    page.screenshot(path=str(screenshot))
    assert screenshot.stat().st_size > 20_000

    answer = ask(page, "What does quantum origami do with protein lattices?")
    assert "qubit rotation" in answer and "Sources: [1] Quantum origami for protein lattices — Ada Quill" in answer, answer
    assert "Ada Quill" in page.inner_text("#tq-sources-box")


def test_a_bad_file_shows_its_error_and_changes_nothing(browser, fake_chat_server, bad_talks_file):
    server = fake_chat_server(ORIGAMI_REPLY)
    page = open_page(browser, server.url)
    page.get_by_role("tab", name="Corpus").click()
    page.wait_for_selector("#tq-corpus-count >> text=/7 talks from 1 source/")
    status = upload(page, bad_talks_file)
    assert "Nothing was changed: bad-talks.jsonl:2: not JSON" in status, status
    assert "7 talks from 1 source" in page.inner_text("#tq-corpus-count")
    assert list((server.settings.data_dir / "uploads").iterdir()) == []


def test_an_old_refusal_is_gone_before_the_next_upload_shows_progress(browser, fake_chat_server, bad_talks_file, new_talks_file):
    server = fake_chat_server(ORIGAMI_REPLY)
    page = open_page(browser, server.url)
    page.get_by_role("tab", name="Corpus").click()
    page.wait_for_selector("#tq-corpus-count >> text=/7 talks from 1 source/")
    assert "Nothing was changed" in upload(page, bad_talks_file)
    page.locator("#tq-corpus-files button[aria-label='Clear']").first.click()
    choose(page, new_talks_file)
    page.evaluate(
        """() => {
            window.statuses = [];
            const status = document.querySelector('#tq-corpus-status');
            new MutationObserver(() => window.statuses.push(status.innerText)).observe(
                status, {subtree: true, childList: true, characterData: true, attributes: true});
        }"""
    )
    page.click("#tq-corpus-add")
    page.wait_for_selector("#tq-corpus-status :is(p, strong):has-text('Added')")
    statuses = page.evaluate("window.statuses")
    assert statuses and not any("Nothing was changed" in s for s in statuses), statuses[:5]


def test_removing_a_talk_is_asked_twice(browser, fake_chat_server):
    server = fake_chat_server(ORIGAMI_REPLY)
    page = open_page(browser, server.url)
    page.get_by_role("tab", name="Corpus").click()
    page.wait_for_selector("#tq-corpus-count >> text=/7 talks from 1 source/")
    page.click("#tq-corpus-talk input")
    page.get_by_role("option", name=re.compile("Petros Maragos")).click()
    page.click("#tq-corpus-remove-talk")
    confirm = page.locator("#tq-corpus-confirm-yes")
    confirm.wait_for()
    page.click("#tq-corpus-confirm-cancel")
    confirm.wait_for(state="hidden")
    assert "7 talks from 1 source" in page.inner_text("#tq-corpus-count"), "the first click removes nothing"

    page.click("#tq-corpus-remove-talk")
    confirm.click()
    page.wait_for_selector("#tq-corpus-count >> text=/6 talks from 1 source/")
    assert "Petros Maragos" in page.inner_text("#tq-corpus-status")


def test_removing_a_source_is_asked_twice(browser, fake_chat_server):
    server = fake_chat_server(ORIGAMI_REPLY)
    page = open_page(browser, server.url)
    page.get_by_role("tab", name="Corpus").click()
    page.wait_for_selector("#tq-corpus-count >> text=/7 talks from 1 source/")
    page.click("#tq-corpus-source input")
    page.get_by_role("option").first.click()
    page.click("#tq-corpus-remove-source")
    confirm = page.locator("#tq-corpus-confirm-source-yes")
    confirm.wait_for()
    page.wait_for_timeout(500)
    assert "7 talks from 1 source" in page.inner_text("#tq-corpus-count"), "the first click removes nothing"
    page.click("#tq-corpus-confirm-source-cancel")
    confirm.wait_for(state="hidden")


REVTHINK_REPLY = (
    "RevThink teaches a smaller student model to reason forward and backward: a teacher model supplies the original "
    "question, forward reasoning, a backward question and backward reasoning [1]."
)


def test_feedback_is_written(browser, fake_chat_server, tmp_path):
    server = fake_chat_server(REVTHINK_REPLY)
    page = open_page(browser, server.url)
    page.wait_for_selector("#tq-question textarea")
    ask(page, "What is RevThink?")
    page.locator("#tq-chat button[aria-label='Dislike']").last.click()
    page.wait_for_selector("#tq-feedback-status >> text=/Thumbs down saved/")
    page.fill("#tq-comment textarea", "It should say which paper")
    page.click("#tq-send-comment")
    page.wait_for_selector("#tq-feedback-status >> text=/Comment saved/")
    page.evaluate("window.scrollTo(0, 0)")
    screenshot = tmp_path / "chat-scripted.png"
    page.screenshot(path=str(screenshot))
    entries = [json.loads(line) for line in (server.settings.data_dir / "feedback.jsonl").read_text().splitlines()]
    assert entries[-1]["rating"] == "down" and entries[-1]["comment"] == "It should say which paper"
    assert entries[-1]["question"] == "What is RevThink?" and entries[-1]["citations"]


def test_an_export_downloads(browser, fake_chat_server, tmp_path):
    server = fake_chat_server("The limit models finite networks [1].")
    page = open_page(browser, server.url)
    page.wait_for_selector("#tq-question textarea")
    question = "What does the proportional infinite-depth-and-width limit describe?"
    ask(page, question)
    page.wait_for_selector("#tq-export:not([disabled])")
    with page.expect_download() as download:
        page.click("#tq-export")
    saved = tmp_path / "conversation.md"
    download.value.save_as(saved)
    text = saved.read_text(encoding="utf-8")
    assert download.value.suggested_filename.endswith(".md")
    assert f"## 1. {question}" in text and "The limit models finite networks [1]." in text and "**Sources**" in text
