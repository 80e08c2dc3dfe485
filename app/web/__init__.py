"""The browser chat (``talkqa chat``): Gradio layout, session handlers, pure HTML rendering."""
