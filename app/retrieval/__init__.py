"""Retrieval: the LangChain retriever over the live index, fusion of dense and BM25 hits, relevance judging of talks."""
