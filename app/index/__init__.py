"""The index: the Chroma store and its generations, the lexical (BM25) files, the live talk catalog, generated titles."""
