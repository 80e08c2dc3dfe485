"""Retake the README's pictures of the browser chat at three viewports.

Usage (with the embedded model it generates: run it alone on the machine):
    flock /tmp/talkqa-cpu.lock .venv/bin/python bench/screenshots.py [--scripted]

Ingests the seed into bench/out/screens-data if needed, serves the chat as
``talkqa chat`` does (build_app + launch_app on a free loopback port), asks
one question per viewport in Debian's Chromium (Playwright) and saves:

* docs/chat.png — 1400×1000 (desktop), the sources panel beside the chat;
* docs/chat-laptop.png — 1280×720;
* docs/chat-phone.png — 390×844, the sources below the chat.

``--scripted`` answers with a fixed reply instead of the embedded model (seconds
instead of minutes; the pictures then show that reply). Tests never write
these files: they take their screenshots into tmp dirs.
"""

from __future__ import annotations

import argparse
import socket
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.core.config import DEFAULT_CORPUS, Settings  # noqa: E402

VIEWPORTS = {"chat.png": (1400, 1000), "chat-laptop.png": (1280, 720), "chat-phone.png": (390, 844)}
QUESTION = "Which talks are about feature learning in neural networks?"
SCRIPTED_REPLY = "[1][2][3][4]"  # the list prompt's answer: source numbers; the checked answer names the talks
CHROMIUM = "/usr/bin/chromium"
#: Without the networking flags Chromium keeps trying hosts this offline machine cannot reach.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scripted", action="store_true", help="a fixed reply instead of the embedded model")
    parser.add_argument("--timeout", type=float, default=180, help="seconds to wait for each answer")
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="where the pictures go (default: docs/)")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    from app.service import Service
    from app.web.app import build_app, launch_app
    from ingest.indexer import ingest

    settings = Settings(_env_file=None, data_dir=ROOT / "bench" / "out" / "screens-data", corpus=[DEFAULT_CORPUS])
    service = Service(settings)
    ingest(settings, service.store)  # an unchanged corpus is a no-op (its fingerprint)
    factory = None
    if args.scripted:
        from langchain_core.language_models.fake_chat_models import FakeListChatModel

        factory = lambda: Service(settings, store=service.store).answer_chain(llm=FakeListChatModel(responses=[SCRIPTED_REPLY]))  # noqa: E731
    demo = build_app(settings, chain_factory=factory).demo
    port = free_port()
    launch_app(demo, port=port, block=False)
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            for name, (width, height) in VIEWPORTS.items():
                page = browser.new_page(viewport={"width": width, "height": height})
                page.set_default_timeout(args.timeout * 1000)
                page.goto(f"http://127.0.0.1:{port}/")
                page.get_by_role("tab", name="Ask").click()  # the page is wired once its tabs answer
                page.fill("#tq-question textarea", QUESTION)
                page.keyboard.press("Enter")
                try:
                    page.wait_for_selector("#tq-sources-box .tq-status:has-text('Answer ready'), "
                                           "#tq-sources-box .tq-status:has-text('Not covered')")
                except Exception:
                    page.screenshot(path=str(args.out / f"timeout-{name}"))  # what the page showed instead
                    raise
                page.wait_for_timeout(500)
                page.screenshot(path=str(args.out / name))
                print(f"{args.out / name}: {width}×{height}, {'scripted reply' if args.scripted else 'embedded model'}")
                page.close()
            browser.close()
    finally:
        demo.close()


if __name__ == "__main__":
    main()
