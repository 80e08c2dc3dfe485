"""talkqa: answers questions about research-talk abstracts and cites the talks it used."""

__version__ = "0.1.0"
