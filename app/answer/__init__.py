"""Answering: prompts, the answer chain, citation parsing and sentence support."""
