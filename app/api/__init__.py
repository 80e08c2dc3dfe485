"""The HTTP API (``talkqa serve``): FastAPI routes, the OpenAI-compatible endpoints, request guards, serving."""
