"""A real browser: Debian's Chromium driven by Playwright (from PyPI), and axe-core for accessibility.

No browser is downloaded: Playwright launches /usr/bin/chromium, and axe-core is
the npm package (both installed by scripts/install-test-deps.sh).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium (scripts/install-test-deps.sh installs it)"
)

#: The viewports a layout is checked at: a wide desktop, a laptop, a phone.
VIEWPORTS = {"desktop": (1400, 1000), "laptop": (1280, 720), "phone": (390, 844)}


@pytest.fixture
def browser():
    """Debian's Chromium, headless, closed after the test: ``browser.new_page(...)``."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def open_page(browser, url: str, viewport: tuple[int, int] = (1440, 900)):
    """A new page at ``url`` of ``viewport`` (width, height), with downloads and a 60 s default timeout."""
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]}, accept_downloads=True)
    page.set_default_timeout(60_000)
    page.goto(url)
    return page


def axe_script() -> Path | None:
    """axe-core's ``axe.min.js`` from npm's global folder (``npm root -g``), or None if it is not installed."""
    npm = shutil.which("npm")
    if npm is None:
        return None
    root = subprocess.run([npm, "root", "-g"], capture_output=True, text=True, timeout=30).stdout.strip()
    script = Path(root) / "axe-core" / "axe.min.js"
    return script if script.exists() else None


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core on the page as it is: the violations of ``impacts``, each {id, impact, help, targets}."""
    script = axe_script()
    if script is None:
        pytest.skip("axe-core is not installed (scripts/install-test-deps.sh: npm install -g axe-core)")
    page.add_script_tag(path=str(script))
    found = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "targets": [n["target"] for n in v["nodes"]][:5]}
        for v in found
        if v["impact"] in impacts
    ]
