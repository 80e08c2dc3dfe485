"""The browser chat (``talkqa chat``): Gradio layout, session handlers, pure HTML rendering."""

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no telemetry calls from a local tool
