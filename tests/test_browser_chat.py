"""The chat as a newcomer meets it, in Chromium against the real app on the scripted chat model (issue #25).

The sources panel scrolls on its own beside (or below) the chat and an answer's
``[n]`` leads to its card, at three viewports; a question's problems are said in
words next to the input, which keeps the text; the streamed draft reads as
text, never a row of markers; 👍/👎 only under a finished answer (👍 first); one
user is never told to wait; the Talks tab shows the list for the latest filter
and page; a title given between two questions is pointed out; and axe-core
finds no serious accessibility fault.
"""

from __future__ import annotations

import re
import threading
import time

import pytest

from support.browser import VIEWPORTS, axe_violations, needs_chromium, open_page

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.server, needs_chromium]

#: The list prompt's answer: source numbers only. The checked answer names the talks.
WHICH_TALKS = "Which talks are about neural networks?"
EVERY_TALK = "".join(f"[{n}]" for n in range(1, 13))

QUESTION = "#tq-question textarea"


def ask(page, question: str) -> None:
    page.fill(QUESTION, question)
    page.keyboard.press("Enter")
    page.wait_for_selector("#tq-sources-box .tq-status:has-text('Answer ready')")


def in_view(page, selector: str) -> dict:
    """Whether the element is visible inside its scrolling panel and inside the window."""
    return page.eval_on_selector(
        selector,
        """el => {
            const r = el.getBoundingClientRect(), panel = el.closest('.tq-sources').getBoundingClientRect();
            const inside = (outer) => r.top >= outer.top - 1 && r.top < outer.bottom - 20;
            return {panel: inside(panel), window: inside({top: 0, bottom: window.innerHeight})};
        }""",
    )


@pytest.mark.parametrize("viewport", list(VIEWPORTS), ids=list(VIEWPORTS))
def test_the_last_cited_card_is_reached_from_its_marker(browser, seed_chat_server, viewport):
    server = seed_chat_server(EVERY_TALK)
    page = open_page(browser, server.url, VIEWPORTS[viewport])
    ask(page, WHICH_TALKS)
    cards = page.locator("#tq-sources-box .tq-card:not(.tq-uncited)")
    assert cards.count() >= 8, page.inner_text("#tq-sources-box")[:500]
    last = cards.last.get_attribute("id")

    scroller = page.eval_on_selector(
        "#tq-sources-box .tq-sources", "el => ({overflow: getComputedStyle(el).overflowY, scrolls: el.scrollHeight > el.clientHeight})"
    )
    assert scroller == {"overflow": "auto", "scrolls": True}, "the panel scrolls on its own"
    chat, panel = (page.locator(s).bounding_box() for s in ("#tq-chat", "#tq-sources-box"))
    if viewport == "phone":
        assert panel["y"] >= chat["y"] + chat["height"], "on a phone the sources are below the chat"
    else:
        assert panel["x"] >= chat["x"] + chat["width"] - 1, "on a wide screen the sources are beside the chat"
    assert in_view(page, f"#{last}")["panel"] is False, "the last card starts out of view"

    page.locator(f"#tq-chat a[href='#{last}']").first.click()
    page.wait_for_function(f"document.getElementById('{last}').classList.contains('tq-flash')")
    page.wait_for_timeout(800)  # the smooth scroll
    assert in_view(page, f"#{last}") == {"panel": True, "window": True}
    assert page.evaluate("location.hash") == "", "the click scrolls the panel, it does not navigate"


@pytest.mark.parametrize("typed", ["", "   "], ids=["empty", "blank"])
def test_an_empty_question_is_refused_in_words_next_to_the_input(browser, fake_chat_server, typed):
    server = fake_chat_server("RevThink trains a student model to reason backwards [1].")  # answers the fixed question
    page = open_page(browser, server.url, VIEWPORTS["laptop"])
    page.wait_for_selector(QUESTION)
    page.fill(QUESTION, typed)
    page.keyboard.press("Enter")
    message = page.locator("#tq-question-note").get_by_text("The question is empty: type a question about the talks.")
    message.wait_for()
    page.wait_for_timeout(500)
    assert page.get_by_text(re.compile(r"^\s*Error\s*$")).count() == 0, "no Gradio error badge or toast"
    assert page.locator("#tq-chat [data-testid='user']").count() == 0, "nothing goes to the chat"
    assert page.input_value(QUESTION) == typed

    page.fill(QUESTION, "What is RevThink?")  # still editable; fixing it clears the message
    page.keyboard.press("Enter")
    page.wait_for_selector("#tq-sources-box .tq-status:has-text('Answer ready')")
    assert message.count() == 0


def test_a_long_question_is_refused_with_its_limit_in_characters_and_kept_for_trimming(browser, fake_chat_server):
    server = fake_chat_server("unused")
    page = open_page(browser, server.url, VIEWPORTS["laptop"])
    page.wait_for_selector(QUESTION)
    question = ("How do kernel methods relate to neural networks in the infinite width limit? " * 70)[:5000]
    page.fill(QUESTION, question)
    page.keyboard.press("Enter")
    message = page.locator("#tq-question-note").get_by_text(re.compile(r"The question is too long: 5,000 characters"))
    message.wait_for()
    assert re.search(r"at most about [\d,]+ characters \([\d,]+ words\) fit", message.inner_text()), message.inner_text()
    assert "token" not in message.inner_text()
    assert page.locator("#tq-chat [data-testid='user']").count() == 0, "the question is not echoed into the chat"
    assert page.input_value(QUESTION) == question


def test_the_draft_never_shows_a_row_of_markers(browser, seed_chat_server):
    server = seed_chat_server(EVERY_TALK, sleep=0.08)
    page = open_page(browser, server.url, VIEWPORTS["desktop"])
    page.wait_for_selector(QUESTION)
    page.evaluate(
        """() => {
            window.drafts = [];
            new MutationObserver(() => {
                const bots = document.querySelectorAll("#tq-chat [data-testid='bot']");
                if (bots.length) window.drafts.push(bots[bots.length - 1].innerText);
            }).observe(document.querySelector('#tq-chat'), {subtree: true, childList: true, characterData: true});
        }"""
    )
    ask(page, WHICH_TALKS)
    drafts = [d for d in page.evaluate("window.drafts") if "▍" in d]
    assert len(drafts) >= 5, "the draft was watched while it streamed"
    rows = [d for d in drafts if re.search(r"(\[\d+\]?\s*){3}", d)]
    assert rows == [], rows[:3]
    assert any(re.search(r"\w{4,}.*\[\d+\]", d) for d in drafts), "the draft names the talks it lists"


@pytest.mark.parametrize("viewport", list(VIEWPORTS), ids=list(VIEWPORTS))
def test_no_serious_accessibility_violation(browser, fake_chat_server, viewport):
    server = fake_chat_server("RevThink trains a student model to reason forward and backward [1].")
    page = open_page(browser, server.url, VIEWPORTS[viewport])
    page.wait_for_selector(QUESTION)
    ask(page, "What is RevThink?")
    assert axe_violations(page) == []


def test_the_talks_tab_says_when_a_page_is_past_the_end_and_keeps_columns_on_one_line(browser, fake_chat_server):
    server = fake_chat_server("unused")
    page = open_page(browser, server.url, VIEWPORTS["laptop"])
    page.get_by_role("tab", name="Talks").click()
    page.wait_for_selector("#tq-talk-count >> text=/7 talks in the index/")
    header = page.locator("#tq-talk-table th").filter(has_text="Lines").locator("visible=true").first
    line_height = float(header.evaluate("el => parseFloat(getComputedStyle(el).lineHeight) || 20"))
    assert header.bounding_box()["height"] < 2.5 * line_height, "“Lines” is not broken over two lines"
    talk_id = page.locator("#tq-talk-table").get_by_text(re.compile(r"^t[0-9a-f]{11}$")).locator("visible=true").first
    assert talk_id.bounding_box()["height"] < 2.5 * line_height, "an id is not broken mid-string"

    page.locator("#tq-talk-table").get_by_text("Petros Maragos").locator("visible=true").first.click()
    page.wait_for_selector("#tq-talk-view .tq-abstract")
    page.fill("#tq-talk-filter textarea", "Toneva")
    page.wait_for_selector("#tq-talk-count >> text=/^1 talk match/")
    page.wait_for_selector("#tq-talk-view .tq-empty")  # Maragos's talk is not in the list any more

    page.fill("#tq-talk-filter textarea", "")
    page.fill("#tq-talk-page input", "9")
    page.keyboard.press("Enter")
    page.wait_for_selector("#tq-talk-count >> text=/page 9 is past the end: the last page is 1/")


def test_clear_conversation_also_clears_the_feedback_message(browser, fake_chat_server):
    server = fake_chat_server("RevThink trains a student model to reason forward and backward [1].")
    page = open_page(browser, server.url, VIEWPORTS["laptop"])
    page.wait_for_selector(QUESTION)
    ask(page, "What is RevThink?")
    page.locator("#tq-chat button[aria-label='Like']").last.click()
    page.wait_for_selector("#tq-feedback-status >> text=/Thumbs up saved/")
    page.fill("#tq-comment textarea", "Clear and cited")
    page.click("#tq-send-comment")
    page.wait_for_selector("#tq-feedback-status >> text=/Comment saved/")
    page.click("#tq-clear")
    page.wait_for_function("!document.querySelector('#tq-feedback-status').innerText.includes('saved')")
    assert page.locator("#tq-chat button[aria-label='Clear']").locator("visible=true").count() == 0, "one clear control"


def test_a_single_user_is_not_told_to_wait(browser, fake_chat_server):
    server = fake_chat_server("RevThink trains a student model to reason forward and backward [1].", sleep=0.02)
    page = open_page(browser, server.url, VIEWPORTS["laptop"])
    page.wait_for_selector(QUESTION)
    page.evaluate(
        """() => {
            window.bubbles = [];
            new MutationObserver(() => document.querySelectorAll("#tq-chat [data-testid='bot']").forEach(
                b => window.bubbles.push(b.innerText))).observe(
                document.querySelector('#tq-chat'), {subtree: true, childList: true, characterData: true});
        }"""
    )
    ask(page, "What is RevThink?")
    bubbles = page.evaluate("window.bubbles")
    assert any(b.startswith("Searching the talks") for b in bubbles), bubbles[:3]
    assert not any("Waiting" in b or "one question at a time" in b for b in bubbles)


def test_no_label_sits_over_the_chat(browser, fake_chat_server):
    server = fake_chat_server("unused")
    page = open_page(browser, server.url, VIEWPORTS["laptop"])
    page.wait_for_selector(QUESTION)
    assert page.locator("#tq-chat [data-testid='block-label']").count() == 0, "no “Chat” label over scrolled messages"


#: For every bot bubble now: (its text, the 👍/👎 buttons shown under it, left to right).
RATINGS = """() => [...document.querySelectorAll("#tq-chat .message-row.bot-row")].map(row => {
    const buttons = row.nextElementSibling && row.nextElementSibling.matches('.message-buttons')
        ? [...row.nextElementSibling.querySelectorAll('button')] : [];
    const shown = buttons.filter(b => /^(Like|Dislike)d?$/.test(b.getAttribute('aria-label')) && b.getClientRects().length);
    shown.sort((a, b) => a.getBoundingClientRect().x - b.getBoundingClientRect().x);
    return [row.querySelector("[data-testid='bot']").innerText, shown.map(b => b.getAttribute('aria-label'))];
})"""


def test_only_a_finished_answer_can_be_rated_thumbs_up_first(browser, fake_chat_server):
    server = fake_chat_server("RevThink trains a student model to reason forward and backward [1].", sleep=0.05)
    page = open_page(browser, server.url, VIEWPORTS["laptop"])
    page.wait_for_selector(QUESTION)
    page.evaluate(
        f"""() => {{
            window.seen = [];
            new MutationObserver(() => window.seen.push(...({RATINGS})())).observe(
                document.querySelector('#tq-chat'), {{subtree: true, childList: true, characterData: true}});
        }}"""
    )
    ask(page, "What is RevThink?")
    writing = [buttons for text, buttons in page.evaluate("window.seen") if "▍" in text]
    assert len(writing) >= 5, "the bubble was watched while it was written"
    assert all(buttons == [] for buttons in writing), "no rating while the answer is written"
    assert page.evaluate(RATINGS)[-1][1] == ["Like", "Dislike"], "a finished answer: 👍 then 👎"


def test_a_failed_answer_cannot_be_rated(browser, fake_chat_server):
    server = fake_chat_server("unused", fail=True)
    page = open_page(browser, server.url, VIEWPORTS["laptop"])
    page.wait_for_selector(QUESTION)
    page.fill(QUESTION, "What is RevThink?")
    page.keyboard.press("Enter")
    page.wait_for_selector("#tq-sources-box .tq-status:has-text('The answer failed')")
    text, buttons = page.evaluate(RATINGS)[-1]
    assert text.startswith("⚠ The language model is unavailable"), text
    assert buttons == []


def test_the_talk_list_shows_the_last_request_when_an_earlier_one_is_slower(browser, fake_chat_server, monkeypatch):
    """Clearing the filter, then asking for page 9 at once: on a loaded machine the first list can come
    back last; it must not replace the page the user asked for (the list always runs last on both inputs)."""
    from app.web.handlers import WebApp

    slow, list_talks = threading.Event(), WebApp.list_talks

    def cleared_slowly(self, text, page=1):
        if slow.is_set() and not (text or "").strip() and int(page or 1) == 1:
            time.sleep(2)
        return list_talks(self, text, page)

    monkeypatch.setattr(WebApp, "list_talks", cleared_slowly)
    server = fake_chat_server("unused")
    page = open_page(browser, server.url, VIEWPORTS["laptop"])
    page.get_by_role("tab", name="Talks").click()
    page.fill("#tq-talk-filter textarea", "Toneva")
    page.wait_for_selector("#tq-talk-count >> text=/^1 talk match/")
    slow.set()
    page.fill("#tq-talk-filter textarea", "")
    page.fill("#tq-talk-page input", "9")
    page.keyboard.press("Enter")
    page.wait_for_selector("#tq-talk-count >> text=/page 9 is past the end/")
    page.wait_for_timeout(3000)  # the cleared filter's list has come back by now
    assert "page 9 is past the end" in page.inner_text("#tq-talk-count")


def test_a_talk_titled_between_two_questions_says_so_on_its_card(browser, fake_chat_server, small_index):
    """The idle title filler waits while an answer is written; a title it gives between two questions
    is shown with the one the session saw before, never swapped silently."""
    from app.index.titles import TitleCache
    from app.models.llm import describe

    settings, store = small_index
    server = fake_chat_server("The limit models finite networks [1].")
    page = open_page(browser, server.url, VIEWPORTS["desktop"])
    page.wait_for_selector(QUESTION)
    question = "What does the proportional infinite-depth-and-width limit describe?"
    ask(page, question)
    card = page.locator("#tq-source-1")
    before = card.locator(".tq-title").inner_text()
    talk_id = next(t.id for t in store.catalog(generated_titles=False).talks if t.title == before)
    TitleCache.in_data_dir(settings.data_dir).put(talk_id, describe(settings), "Finite networks in the proportional limit")
    page.fill(QUESTION, question)
    page.keyboard.press("Enter")
    page.wait_for_selector("#tq-source-1 .tq-renamed")
    assert card.locator(".tq-title").inner_text() == "Finite networks in the proportional limit"
    assert card.locator(".tq-renamed").inner_text() == f"title updated · earlier “{before}”"
