"""Ingest into the real Chroma store with the real embeddings: incremental,
idempotent, crash-safe, model-checked; embedded and over HTTP; offline.

Most tests use the small corpus (7 talks cut from the seed, see conftest.py);
the seed itself is indexed once per session (``seed_index``).
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict

import pytest

from app.models.embeddings import MiniLMEmbeddings, cached_embeddings
from app.core.errors import IndexStateError
from app.index.catalog import paged_get
from app.index.store import TalkStore
from app.index.writer import IndexWriter
from ingest.indexer import ingest

from support.corpora import SMALL_TALKS, make_store, write_corpus
from support.models import CountingEmbeddings, OtherModel
from support.settings import make_settings


def chunk_records(store: TalkStore) -> dict[str, dict]:
    """Every chunk in the collection (live or not): id -> metadata."""
    found = paged_get(store.generations.chunks_collection(), include=["metadatas"])
    return dict(zip(found["ids"], found["metadatas"]))


def chunks_by_talk(store: TalkStore) -> dict[str, list[dict]]:
    found = defaultdict(list)
    for meta in chunk_records(store).values():
        found[meta["talk_id"]].append(meta)
    return found


def catalog_ids(store: TalkStore) -> list[str]:
    return [t.id for t in store.catalog().talks]


def talk_at(store: TalkStore, line: int):
    return next(t for t in store.catalog().talks if any(s <= line <= e for s, e in t.lines))


# ------------------------------------------------------------------ cold ingest


def test_cold_ingest_indexes_every_talk_of_the_corpus(settings, store):
    report = ingest(settings, store)
    catalog = store.catalog()
    assert (report.talks, report.duplicates) == (7, 1)
    assert sorted(report.new) == sorted(catalog_ids(store)) and report.changed == report.removed == []
    assert catalog.generation == 1
    assert [sorted(t.lines) for t in catalog.talks] == [s.lines for s in SMALL_TALKS]
    assert [t.speaker for t in catalog.talks] == [s.speaker for s in SMALL_TALKS]


def test_cold_ingest_embeds_every_chunk_once(settings, store):
    report = ingest(settings, store)
    assert report.embedded_chunks == report.chunks == len(chunk_records(store))
    assert report.deleted_chunks == 0


def test_every_chunk_carries_its_talks_metadata(settings, store):
    ingest(settings, store)
    talks = store.catalog().by_id
    for meta in chunk_records(store).values():
        talk = talks[meta["talk_id"]]
        assert (meta["title"], meta["speaker"] or None, meta["source"]) == (talk.title, talk.speaker, talk.source)
        assert json.loads(meta["lines"]) == [list(r) for r in talk.lines]
        assert json.loads(meta["links"]) == talk.links
        assert meta["kind"] in ("abstract", "notes") and 0 <= meta["chunk"] < meta["n_chunks"]


def test_notes_stay_with_their_talk_as_metadata_by_default(settings, store):
    ingest(settings, store)
    maragos = talk_at(store, 10)  # abstract, "Biography", the bio
    assert [m["kind"] for m in chunks_by_talk(store)[maragos.id]] == ["abstract"]
    assert maragos.speaker == "Petros Maragos" and maragos.notes[0] == "Biography"


def test_notes_become_a_chunk_of_their_own_when_asked(settings, store):
    settings.chunks.notes_as_chunks = True
    ingest(settings, store)
    maragos = talk_at(store, 10)
    assert sorted(m["kind"] for m in chunks_by_talk(store)[maragos.id]) == ["abstract", "notes"]


# ------------------------------------------------------------------ incremental


def test_reingest_of_an_unchanged_corpus_embeds_nothing(settings, store, model):
    ingest(settings, store)
    generation, runs = store.catalog().generation, model.texts_embedded

    report = ingest(settings, store)

    assert report.embedded_chunks == 0 and report.deleted_chunks == 0
    assert model.texts_embedded == runs  # not even the segmenter ran the model: all from the cache
    assert store.catalog().generation == generation
    assert (report.new, report.changed, report.removed, report.unchanged) == ([], [], [], 7)


def test_editing_a_talk_reembeds_only_its_chunks_and_reports_it_changed(settings, store, corpus_path, small_lines):
    ingest(settings, store)
    old = talk_at(store, 13)
    before = chunks_by_talk(store)

    edited = list(small_lines)
    edited[12] = edited[12].replace("Reverse thinking", "Backward reasoning")
    report = ingest(settings, store, [write_corpus(corpus_path, edited)])

    new = talk_at(store, 13)
    after = chunks_by_talk(store)
    assert new.id != old.id and new.abstract.startswith("Backward reasoning")
    assert (report.changed, report.new, report.removed, report.unchanged) == ([new.id], [], [], 6)
    assert report.embedded_chunks == len(after[new.id]) == 1
    assert old.id not in after
    assert {k: v for k, v in after.items() if k != new.id} == {k: v for k, v in before.items() if k != old.id}


def test_removing_a_talk_deletes_its_chunks_and_reports_it_removed(settings, store, corpus_path, small_lines):
    ingest(settings, store)
    gone = talk_at(store, 10)  # abstract, "Biography", bio
    n_chunks = len(chunks_by_talk(store)[gone.id])

    report = ingest(settings, store, [write_corpus(corpus_path, small_lines[:9] + small_lines[12:])])

    assert (report.removed, report.new, report.changed) == ([gone.id], [], [])
    assert report.deleted_chunks == n_chunks >= 1 and report.embedded_chunks == 0
    assert gone.id not in chunks_by_talk(store) and gone.id not in catalog_ids(store)


def test_a_rebuild_that_fails_before_it_is_published_leaves_the_live_index(settings, store):
    ingest(settings, store)
    live, talks = store.live(), store.catalog().talks
    with pytest.raises(RuntimeError), store.writer(rebuild=True) as writer:
        writer.write(writer.old_talks[:1], [], batch=8)  # committed in the new base, not yet published
        raise RuntimeError("failed before publishing")
    assert store.live() == live and store.catalog().talks == talks


def test_rebuild_reembeds_everything_into_a_new_index_and_compares_with_the_old(settings, store):
    first = ingest(settings, store)
    old_base = store.generations.base
    report = ingest(settings, store, rebuild=True)
    assert report.rebuilt
    assert report.embedded_chunks == report.chunks == first.chunks
    assert store.catalog().generation == 1 and store.generations.base != old_base
    assert (report.new, report.removed, report.unchanged) == ([], [], 7)
    assert sorted(store.generations.family()) == sorted([store.generations.base, store.generations.base + "-catalog", store.generations.pointer_name])


# ------------------------------------------------------------------ stable ids


def test_talk_ids_are_the_same_in_two_independent_indexes(settings, embedding_model):
    ids = []
    for name in ("one", "two"):
        copy = settings.model_copy(update={"chroma_path": settings.data_dir / name})
        store = make_store(copy, embedding_model)
        ingest(copy, store)
        ids.append(catalog_ids(store))
    assert ids[0] == ids[1]


def test_a_talk_keeps_its_id_and_chunks_when_a_talk_is_inserted_above(settings, store, corpus_path, small_lines, seed_lines):
    ingest(settings, store)
    before = {t.id: t.lines for t in store.catalog().talks}
    chunk_ids = set(chunk_records(store))

    inserted = seed_lines[2]  # seed line 3: a single-line talk not in the small corpus
    report = ingest(settings, store, [write_corpus(corpus_path, [inserted, *small_lines])])

    after = {t.id: t.lines for t in store.catalog().talks}
    (new_id,) = report.new
    assert report.unchanged == 7 and report.changed == report.removed == []
    assert report.embedded_chunks == 1 and report.deleted_chunks == 0
    assert set(after) - {new_id} == set(before)
    assert all(after[i] == [(s + 1, e + 1) for s, e in lines] for i, lines in before.items())
    assert chunk_ids < set(chunk_records(store))  # same chunks, no re-embedding


def test_chunk_line_metadata_follows_a_shifted_talk(settings, store, corpus_path, small_lines, seed_lines):
    ingest(settings, store)
    ingest(settings, store, [write_corpus(corpus_path, [seed_lines[2], *small_lines])])
    talks = store.catalog().by_id
    for meta in chunk_records(store).values():
        assert json.loads(meta["lines"]) == [list(r) for r in talks[meta["talk_id"]].lines]


# ------------------------------------------------------------------ another embedding model


@pytest.fixture
def other_model_index(settings):
    """An index of the small corpus built with another model (8 dims), as the CLI would: behind the shared cache."""
    store = TalkStore(settings, cached_embeddings(settings, OtherModel()))
    ingest(settings, store)
    return store


def test_querying_an_index_built_with_another_model_is_refused(other_model_index, store):
    with pytest.raises(IndexStateError, match=r"other-model.*--rebuild"):
        store.catalog()


def test_extending_an_index_built_with_another_model_is_refused_and_leaves_it(other_model_index, store, settings):
    before = other_model_index.catalog()
    with pytest.raises(IndexStateError, match="--rebuild"):
        ingest(settings, store)
    assert other_model_index.catalog().talks == before.talks


def test_rebuild_replaces_an_index_built_with_another_model(other_model_index, store, settings):
    report = ingest(settings, store, rebuild=True)
    assert report.embedded_chunks == report.chunks
    collection = store.generations.chunks_collection()
    assert collection.metadata["embedding_model"] == "all-MiniLM-L6-v2-int8"
    vectors = collection.get(include=["embeddings"])["embeddings"]
    assert {len(v) for v in vectors} == {384}


def test_an_index_whose_metadata_names_another_model_is_refused(settings, store):
    ingest(settings, store)
    collection = store.generations.chunks_collection()
    collection.modify(metadata={**collection.metadata, "embedding_model": "tampered"})
    with pytest.raises(IndexStateError, match=r"tampered.*--rebuild"):
        store.catalog()


def test_cli_refuses_an_index_built_with_another_model_with_exit_3(other_model_index, settings, run_cli):
    for args in (["talks"], ["ingest", settings.corpus[0]]):
        result = run_cli(*args, data_dir=settings.data_dir)
        assert result.exit_code == 3
        assert result.stderr.startswith("error: ") and "--rebuild" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


# ------------------------------------------------------------------ no index


def test_no_index_yet_is_an_index_state_error(store):
    with pytest.raises(IndexStateError, match=r"run `talkqa ingest`"):
        store.catalog()


@pytest.mark.parametrize("command", [["talks"], ["talks", "--json"], ["talk", "t0"]])
def test_cli_without_an_index_exits_3_and_says_run_ingest(run_cli, tmp_path, command):
    result = run_cli(*command, data_dir=tmp_path / "empty")
    assert result.exit_code == 3
    assert result.stderr.strip() == "error: no index yet: run `talkqa ingest` first"
    assert result.stdout == ""


# ------------------------------------------------------------------ interrupted ingest


class Killed(BaseException):
    """Stands for SIGKILL/Ctrl-C half-way: not an Exception, so nothing on the way catches it."""


def kill_after_first_batch(monkeypatch) -> list[int]:
    """Make the vector store's add_documents write one batch, then die; returns the batch sizes written."""
    from langchain_chroma import Chroma

    real = Chroma.add_documents
    written: list[int] = []

    def add_documents(self, documents, **kwargs):
        if written:
            raise Killed()
        written.append(len(documents))
        return real(self, documents, **kwargs)

    monkeypatch.setattr(Chroma, "add_documents", add_documents)
    return written


@pytest.fixture
def batch_settings(settings):
    """Small write batches (2 chunks) so that the small corpus takes several."""
    return settings.model_copy(update={"embedding": settings.embedding.model_copy(update={"batch_size": 1})})


@pytest.fixture
def grown_corpus(corpus_path, small_lines, seed_lines):
    """Writes the small corpus with one talk edited (line 13) and three talks added (seed lines 3, 4, 12)."""

    def grow():
        lines = list(small_lines)
        lines[12] = lines[12].replace("Reverse thinking", "Backward reasoning")
        return write_corpus(corpus_path, [*lines, seed_lines[2], seed_lines[3], seed_lines[11]])

    return grow


def assert_no_talk_is_half_present(store: TalkStore) -> None:
    catalog = store.catalog()
    visible = defaultdict(list)
    for doc in store.chunks(catalog):
        visible[doc.metadata["talk_id"]].append(doc.metadata)
    assert set(visible) == set(catalog.by_id)  # every live talk has chunks, no chunk of another talk shows
    for talk_id, metas in visible.items():
        assert sorted(m["chunk"] for m in metas) == list(range(metas[0]["n_chunks"])), talk_id


def test_an_ingest_killed_half_way_leaves_the_previous_index_usable(batch_settings, model, grown_corpus, monkeypatch, run_cli):
    store = make_store(batch_settings, model)
    ingest(batch_settings, store)
    before = store.catalog()
    listed = run_cli("talks", "--json", data_dir=batch_settings.data_dir).stdout

    written = kill_after_first_batch(monkeypatch)
    with pytest.raises(Killed):
        ingest(batch_settings, store, [grown_corpus()])

    assert written == [2]
    assert store.catalog().generation == before.generation
    assert store.catalog().talks == before.talks
    assert_no_talk_is_half_present(store)
    result = run_cli("talks", "--json", data_dir=batch_settings.data_dir)
    assert (result.exit_code, result.stdout) == (0, listed)


def test_the_ingest_after_a_killed_one_completes_and_reuses_the_chunks_written(batch_settings, model, grown_corpus, monkeypatch):
    store = make_store(batch_settings, model)
    ingest(batch_settings, store)
    initial = set(chunk_records(store))
    written = kill_after_first_batch(monkeypatch)
    with pytest.raises(Killed):
        ingest(batch_settings, store, [grown_corpus()])
    monkeypatch.undo()

    report = ingest(batch_settings, store, [grown_corpus()])

    final = set(chunk_records(store))
    assert report.talks == 10 and len(report.new) == 3 and len(report.changed) == 1
    assert report.embedded_chunks == len(final - initial) - written[0]  # the first batch is not written again
    assert len(final) == report.chunks  # and nothing stale is left
    assert_no_talk_is_half_present(store)


def test_a_cold_ingest_killed_half_way_leaves_no_index_and_says_run_ingest(batch_settings, model, monkeypatch, run_cli):
    store = make_store(batch_settings, model)
    kill_after_first_batch(monkeypatch)
    with pytest.raises(Killed):
        ingest(batch_settings, store)
    with pytest.raises(IndexStateError, match=r"run `talkqa ingest`"):
        store.catalog()
    result = run_cli("talks", data_dir=batch_settings.data_dir)
    assert result.exit_code == 3 and "run `talkqa ingest`" in result.stderr


def test_an_ingest_killed_after_its_commit_shows_only_the_new_talks(batch_settings, model, grown_corpus, monkeypatch):
    store = make_store(batch_settings, model)
    ingest(batch_settings, store)

    def prune(*args, **kwargs):
        raise Killed()

    monkeypatch.setattr(IndexWriter, "prune", prune)
    with pytest.raises(Killed):
        ingest(batch_settings, store, [grown_corpus()])
    assert len(store.catalog().talks) == 10
    assert_no_talk_is_half_present(store)

    monkeypatch.undo()
    report = ingest(batch_settings, store, [grown_corpus()])
    assert report.embedded_chunks == 0 and report.deleted_chunks == 1  # the edited talk's old chunk
    assert len(chunk_records(store)) == report.chunks


# ------------------------------------------------------------------ Chroma server over HTTP


@pytest.mark.server
def test_ingest_and_catalog_through_a_chroma_server(settings, chroma_server, embedding_model):
    settings = settings.model_copy(
        update={"chroma_host": chroma_server.host, "chroma_port": chroma_server.port, "collection": f"talks-{uuid.uuid4().hex[:8]}"}
    )
    store = make_store(settings, embedding_model)
    report = ingest(settings, store)
    assert report.talks == 7 and report.embedded_chunks == report.chunks
    assert len(store.catalog().talks) == 7
    assert ingest(settings, store).embedded_chunks == 0
    assert not settings.chroma_dir.exists()  # nothing was written to an embedded store


@pytest.mark.server
def test_cli_talks_through_a_chroma_server(settings, corpus_path, chroma_server, run_cli):
    env = {"TALKQA_CHROMA_HOST": chroma_server.host, "TALKQA_CHROMA_PORT": str(chroma_server.port), "TALKQA_COLLECTION": f"cli-{uuid.uuid4().hex[:8]}"}
    assert run_cli("ingest", corpus_path, data_dir=settings.data_dir, env=env).exit_code == 0
    result = run_cli("talks", "--json", data_dir=settings.data_dir, env=env)
    assert result.exit_code == 0 and len(json.loads(result.stdout)) == 7


# ------------------------------------------------------------------ offline


def test_a_cold_ingest_needs_no_network(no_network, tmp_path, corpus_path, monkeypatch):
    """Fresh data dir, fresh model and tiktoken tables, every non-loopback connection refused."""
    import tiktoken.registry

    import app.models.tokens

    monkeypatch.setattr(tiktoken.registry, "ENCODINGS", {})  # tiktoken must read its table again
    monkeypatch.delenv("TIKTOKEN_CACHE_DIR", raising=False)
    app.models.tokens.encoding.cache_clear()
    settings = make_settings(tmp_path / "fresh", [corpus_path])
    store = TalkStore(settings, cached_embeddings(settings, MiniLMEmbeddings(settings.embedding)))

    report = ingest(settings, store)

    assert report.talks == 7 and report.embedded_chunks == report.chunks
    assert list((settings.cache_dir / "tiktoken").iterdir())
    assert no_network == []  # not even an attempt that something swallowed


def test_the_network_block_refuses_remote_hosts(no_network):
    import socket
    import urllib.request

    from support.network import NetworkBlocked

    with pytest.raises(NetworkBlocked):
        socket.create_connection(("example.org", 443), timeout=1)
    with pytest.raises(OSError):
        urllib.request.urlopen("https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken", timeout=1)
    assert no_network


# ------------------------------------------------------------------ the seed


def test_the_seed_indexes_as_210_talks_with_3_duplicates_merged(seed_index):
    report = seed_index.report
    assert (report.talks, report.duplicates) == (210, 3)
    assert report.embedded_chunks == report.chunks == len(chunk_records(seed_index.store))
    assert len(seed_index.store.catalog().talks) == 210


def test_reingesting_the_unchanged_seed_embeds_nothing(seed_index, embedding_model):
    settings = seed_index.settings
    counting = CountingEmbeddings(embedding_model)
    store = make_store(settings, counting)
    generation = store.catalog().generation

    report = ingest(settings, store)

    assert (report.embedded_chunks, report.deleted_chunks, counting.texts_embedded) == (0, 0, 0)
    assert report.unchanged == 210 and store.catalog().generation == generation
    print(f"\nre-ingest of the unchanged seed: {report.seconds:.2f} s")


def test_talks_json_is_an_array_of_talks_with_the_stable_keys(seed_index, run_cli):
    result = run_cli("talks", "--json", data_dir=seed_index.settings.data_dir)
    assert result.exit_code == 0
    talks = json.loads(result.stdout)
    assert isinstance(talks, list) and len(talks) == 210
    for talk in talks:
        assert set(talk) == {"id", "title", "speaker", "source", "lines", "links"}
        assert isinstance(talk["id"], str) and isinstance(talk["title"], str) and talk["source"] == "data/abstracts.txt"
        assert talk["speaker"] is None or isinstance(talk["speaker"], str)
        assert talk["lines"] and all(isinstance(r, list) and len(r) == 2 and r[0] <= r[1] for r in talk["lines"])
        assert all(isinstance(link, str) for link in talk["links"])
    assert [t["lines"] for t in talks if len(t["lines"]) > 1] == [[[59, 59], [79, 79]], [[142, 142], [152, 152]], [[195, 195], [219, 219]]]


# ------------------------------------------------------------------ CLI


def test_cli_ingest_prints_a_one_line_summary(run_cli, settings, corpus_path):
    result = run_cli("ingest", corpus_path, data_dir=settings.data_dir)
    assert result.exit_code == 0, result.stderr
    summary = result.stdout.strip()
    assert summary.startswith("7 talks, 7 chunks, 1 duplicate occurrences merged; 7 new, 0 changed, 0 removed, 0 unchanged;")
    assert summary.endswith(" s")


def test_cli_ingest_json_summary_has_the_report_fields(run_cli, settings, corpus_path):
    result = run_cli("ingest", corpus_path, "--json", data_dir=settings.data_dir)
    report = json.loads(result.stdout)
    assert {"talks", "chunks", "duplicates", "new", "changed", "removed", "unchanged", "embedded_chunks", "deleted_chunks", "seconds"} <= set(report)


def test_cli_talk_shows_one_talk_in_full_by_id_prefix(run_cli, settings, corpus_path):
    data = settings.data_dir
    run_cli("ingest", corpus_path, data_dir=data)
    maragos = next(t for t in json.loads(run_cli("talks", "--json", data_dir=data).stdout) if t["speaker"] == "Petros Maragos")
    result = run_cli("talk", maragos["id"][:7], data_dir=data)
    assert result.exit_code == 0
    assert "speaker: Petros Maragos" in result.stdout and "Biography" in result.stdout
    unknown = run_cli("talk", "tzzzz", data_dir=data)
    assert unknown.exit_code == 2 and unknown.stderr.startswith("error: no talk with id")


# ------------------------------------------------------------------ which talks an ingest may remove


def extra_jsonl(path, *abstracts):
    path.write_text("".join(json.dumps({"abstract": a}) + "\n" for a in abstracts), encoding="utf-8")
    return path


EXTRA = [
    "We study sharpness-aware minimisation and its implicit bias in deep linear networks.",
    "A kernel view of in-context learning in transformers trained on linear regression tasks.",
]


def test_ingesting_another_file_adds_its_talks_and_keeps_the_others(settings, store, tmp_path):
    ingest(settings, store)
    report = ingest(settings, store, [extra_jsonl(tmp_path / "extra.jsonl", *EXTRA)])
    assert (report.talks, len(report.new), report.removed, report.unchanged) == (9, 2, [], 7)
    assert len(store.catalog().talks) == 9


def test_a_talk_gone_from_a_given_file_is_removed_and_the_summary_names_its_source(settings, store, tmp_path):
    ingest(settings, store)
    extra = extra_jsonl(tmp_path / "extra.jsonl", *EXTRA)
    ingest(settings, store, [extra])
    report = ingest(settings, store, [extra_jsonl(extra, EXTRA[0])])
    assert len(report.removed) == 1 and report.removed_by_source == {str(extra.resolve()): 1}
    assert report.talks == 8 and f"1 removed (1 from {extra.resolve()})" in report.summary()


def test_replace_makes_the_index_exactly_the_given_files(settings, store, tmp_path, corpus_path):
    ingest(settings, store)
    extra = extra_jsonl(tmp_path / "extra.jsonl", *EXTRA)
    report = ingest(settings, store, [extra], replace=True)
    assert report.talks == 2 and {t.source for t in store.catalog().talks} == {str(extra.resolve())}
    assert report.removed_by_source == {str(corpus_path.resolve()): 7}


def test_cli_summary_says_how_many_talks_were_removed_from_which_source(run_cli, settings, corpus_path, tmp_path):
    run_cli("ingest", corpus_path, data_dir=settings.data_dir)
    result = run_cli("ingest", "--replace", extra_jsonl(tmp_path / "extra.jsonl", *EXTRA), data_dir=settings.data_dir)
    assert result.exit_code == 0, result.stderr
    assert f"7 removed (7 from {corpus_path.resolve()})" in result.stdout


def test_a_directory_covers_the_talks_of_its_files(settings, store, tmp_path):
    folder = tmp_path / "talks"
    folder.mkdir()
    for i, abstract in enumerate(EXTRA):
        (folder / f"{i}.md").write_text(abstract + "\n", encoding="utf-8")
    ingest(settings, store)
    ingest(settings, store, [folder])
    (folder / "1.md").unlink()
    report = ingest(settings, store, [folder])
    assert report.removed_by_source == {str((folder / "1.md").resolve()): 1} and report.talks == 8


# ------------------------------------------------------------------ large inputs


def test_the_segmenters_lines_are_embedded_in_batches_cached_as_they_go(tmp_path, corpus_path, model):
    settings = make_settings(tmp_path / "fresh", [corpus_path], embedding={"batch_size": 1})  # batches of 8 lines
    store = make_store(settings, model)
    events = []

    def progress(stage, done, total):
        events.append((stage, done, total))
        if stage == "lines" and 0 < done < total:
            raise Killed()  # interrupted after the first batch

    with pytest.raises(Killed):
        ingest(settings, store, progress=progress)
    stage, done, total = events[-1]
    assert (events[0], stage, done) == (("lines", 0, total), "lines", 8) and total > 8
    assert len([p for p in (settings.cache_dir / "embeddings").iterdir()]) == 8  # the batch done is kept


def test_a_very_large_input_needs_yes_when_not_on_a_terminal(run_cli, settings, corpus_path):
    env = {"TALKQA_INGEST__CONFIRM_TEXTS": "10"}
    refused = run_cli("ingest", corpus_path, data_dir=settings.data_dir, env=env)
    assert refused.exit_code == 2
    (line,) = refused.stderr.strip().splitlines()
    assert line.startswith(f"error: {corpus_path}: 16 lines") and "minutes of embedding" in line and line.endswith("pass --yes to go ahead")
    assert not (settings.data_dir / "chroma").exists()
    assert run_cli("ingest", corpus_path, "--yes", data_dir=settings.data_dir, env=env).exit_code == 0
