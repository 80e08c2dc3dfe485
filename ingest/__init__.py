"""Ingest: read a corpus, group its lines into talks, chunk them, index the chunks."""
