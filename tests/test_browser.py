"""End to end in a real browser: Debian's Chromium driven by Playwright (from PyPI).

No browser is downloaded: Playwright launches /usr/bin/chromium (installed by
scripts/install-test-deps.sh). The test types a question, waits for the
streamed answer, checks the sources panel, and saves docs/chat.png (the
screenshot the README shows).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config import PROJECT_ROOT

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = PROJECT_ROOT / "docs" / "chat.png"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.server,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium (scripts/install-test-deps.sh installs it)"),
]


@pytest.fixture
def page(live_server):  # noqa: F811
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.set_default_timeout(60_000)
            page.goto(live_server.url)
            yield page
        finally:
            browser.close()


def test_ask_in_the_browser_streams_a_cited_answer_with_sources(page, live_server):  # noqa: F811
    titles = [t.title for t in live_server.demo.talkqa.chains.get().catalog.talks]
    page.wait_for_selector("#tq-question textarea")
    # First load: the example questions are offered.
    assert page.get_by_text("What is RevThink and how does it train the student model?").is_visible()

    page.fill("#tq-question textarea", "What is RevThink?")
    page.keyboard.press("Enter")

    # The question shows at once; the sources panel fills when retrieval is done, before the answer.
    page.wait_for_selector("#tq-chat >> text=What is RevThink?")
    page.wait_for_selector("#tq-sources-box .tq-card")
    panel = page.inner_text("#tq-sources-box")
    assert any(t in panel for t in titles), panel[:500]

    # The streamed answer ends with its sources footer; the panel then checks every sentence.
    page.wait_for_selector("#tq-sources-box .tq-status:has-text('Answer ready')", timeout=180_000)
    answer = page.locator("#tq-chat [data-testid='bot']").last.inner_text()
    assert "[" in answer and "Sources:" in answer, answer
    panel = page.inner_text("#tq-sources-box")
    assert "Reverse thinking" in panel
    assert "supported" in panel or "weak" in panel, panel[:800]
    assert page.locator("#tq-sources-box .tq-mark").count() >= 1
    assert page.input_value("#tq-question textarea") == ""

    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 20_000

    # The talk browser: filter, open a talk.
    page.get_by_role("tab", name="Talks").click()
    page.wait_for_selector("#tq-talk-count >> text=/talks in the index/")
    page.fill("#tq-talk-filter textarea", "Toneva")
    page.wait_for_selector("#tq-talk-count >> text=/^1 talk match/")
    # The visible cell, not the copy in Gradio's hidden sizing table.
    page.locator("#tq-talk-table").get_by_text("Mariya Toneva").locator("visible=true").first.click()
    page.wait_for_selector("#tq-talk-view .tq-abstract")
    assert "Max Planck" in page.inner_text("#tq-talk-view")
