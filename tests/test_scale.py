"""Corpus growth (issue #12): a question, a page of talks, one talk or a literal count never costs the whole corpus.

On 3,000 synthetic talks (tests/support/synthetic.py): a reader loads the
lexical index ingest saved instead of rebuilding it, parses only the records of
the talks it returns, and pages the talk list; the O(corpus) paths (the whole
catalog, every chunk, a BM25 build) are counted and must not run.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter

import bm25s
import pytest
from click.testing import CliRunner

from app.cli.commands import cli
from app.index.catalog import CatalogRecords
from app.index.lexical import LexicalIndex
from app.retrieval.record_scan import scan_records
from app.retrieval.record_terms import record_condition
from app.service import Service
from app.index.store import TalkStore

from support.synthetic import standin_settings


@pytest.fixture
def costs(monkeypatch) -> Counter:
    """Counts the O(corpus) reads and builds, and the talk records read by id."""
    counts: Counter = Counter()

    def counting(cls, name, key, measure=lambda result: 1):
        real = getattr(cls, name)

        def wrapper(*args, **kwargs):
            result = real(*args, **kwargs)
            counts[key] += measure(result)
            return result

        monkeypatch.setattr(cls, name, wrapper)

    counting(CatalogRecords, "talks_of", "whole catalog loads")
    counting(TalkStore, "chunks", "whole chunk scans")
    counting(bm25s.BM25, "index", "bm25 builds")
    counting(CatalogRecords, "talk_records", "records read", measure=len)
    counting(CatalogRecords, "talk_page", "records read", measure=len)
    return counts


def invoke(settings, *args) -> object:
    env = {"TALKQA_DATA_DIR": str(settings.data_dir), "TALKQA_EMBEDDING__MODEL": "standin-hash-384",
           "TALKQA_RERANK__ENABLED": "false"}
    result = CliRunner().invoke(cli, [str(a) for a in args], env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def test_a_search_process_neither_rebuilds_bm25_nor_reads_every_talk(synthetic_index, costs):
    result = invoke(synthetic_index.settings, "search", "phase transitions in neural networks", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["results"]
    assert costs["whole catalog loads"] == 0 and costs["whole chunk scans"] == 0 and costs["bm25 builds"] == 0
    assert 0 < costs["records read"] <= 2 * synthetic_index.settings.retrieval.candidates  # the candidates' records, not 3,000


def test_a_missing_lexical_index_is_rebuilt_once_and_saved(synthetic_index, tmp_path, costs):
    data = tmp_path / "data"
    shutil.copytree(synthetic_index.settings.data_dir, data, ignore=shutil.ignore_patterns("lexical"))
    settings = standin_settings(data, synthetic_index.corpus)
    Service(settings).retrieval_only("gradient descent")
    assert costs["bm25 builds"] == 1
    Service(settings).retrieval_only("gradient descent")  # the next process loads what the first saved
    assert costs["bm25 builds"] == 1 and costs["whole catalog loads"] == 0


def test_talks_pages_in_catalog_order_without_reading_the_rest(synthetic_index, costs):
    page = invoke(synthetic_index.settings, "talks", "--limit", "5", "--offset", "10", "--json")
    assert page.exit_code == 0, page.stderr
    assert costs["whole catalog loads"] == 0 and costs["records read"] == 5
    every = json.loads(invoke(synthetic_index.settings, "talks", "--json").stdout)
    assert len(every) == synthetic_index.talks and json.loads(page.stdout) == every[10:15]


def test_one_talk_by_id_prefix_without_loading_the_catalog(synthetic_index, costs):
    talks = Service(synthetic_index.settings).catalog()
    some = talks.page(100, 1)[0]
    assert talks.find(some.id[:8]) == some and talks.find(some.id) == some
    with pytest.raises(LookupError, match="matches"):
        talks.find("t")
    assert costs["whole catalog loads"] == 0


def test_the_talk_filter_pages_and_counts_matches(synthetic_index, costs):
    talks = Service(synthetic_index.settings).catalog()
    first, total = talks.search("Maxwell", 0, 3)  # no such word in the synthetic talks
    assert (first, total) == ([], 0)
    some = talks.page(7, 1)[0]
    found, total = talks.search(some.id.upper(), 0, 10)  # case-insensitive, one match
    assert total == 1 and found == [some]
    assert costs["whole catalog loads"] == 0


def test_a_long_running_reader_follows_a_new_generation(synthetic_index, tmp_path):
    from ingest.indexer import ingest

    corpus = tmp_path / "talks.jsonl"
    lines = synthetic_index.corpus.read_text(encoding="utf-8").splitlines()[:300]  # a small index: this test re-ingests
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    settings = standin_settings(tmp_path / "data", corpus)
    ingest(settings, TalkStore(settings, Service(settings).embeddings))
    service = Service(settings)
    retriever = service.retriever()
    before = retriever.catalog.generation
    extra = {"abstract": "Quasicrystal tilings explain zebrafish stripes, we show with a new Penrose automaton.", "title": "Zebrafish tilings"}
    corpus.write_text("\n".join(lines + [json.dumps(extra)]) + "\n", encoding="utf-8")
    ingest(settings, TalkStore(settings, service.embeddings))
    docs = retriever.invoke("zebrafish quasicrystal tilings")
    assert retriever.catalog.generation == before + 1
    assert retriever.catalog.by_id[docs[0].metadata["talk_id"]].title == "Zebrafish tilings"
    assert LexicalIndex.is_saved(service.store.lexical_path(service.store.live()), service.store.live().stamp)


@pytest.mark.server
def test_stateless_workers_on_a_chroma_server_build_the_lexical_index_once(synthetic_index, chroma_server, tmp_path, costs):
    """Chroma's server has no sparse index either: a worker with its own data dir builds BM25 once, then loads it."""
    import uuid

    from ingest.indexer import ingest

    corpus = tmp_path / "talks.jsonl"
    corpus.write_text("\n".join(synthetic_index.corpus.read_text(encoding="utf-8").splitlines()[:300]) + "\n", encoding="utf-8")
    server = {"chroma_host": chroma_server.host, "chroma_port": chroma_server.port, "collection": f"scale-{uuid.uuid4().hex[:8]}"}
    writer = standin_settings(tmp_path / "writer", corpus).model_copy(update=server)
    ingest(writer, TalkStore(writer, Service(writer).embeddings))
    worker = standin_settings(tmp_path / "worker", corpus).model_copy(update=server)
    builds = costs["bm25 builds"]
    for _ in range(2):  # two worker processes on the same data dir
        talks = Service(worker).retrieval_only("phase transitions").sources
        assert talks
    assert costs["bm25 builds"] == builds + 1 and costs["whole catalog loads"] == 0
    some = Service(worker).catalog().page(3, 1)[0]
    assert Service(worker).catalog().find(some.id[:9]) == some  # prefix lookups work over HTTP too


def test_the_talk_browser_lists_a_page_of_a_large_index(synthetic_index, costs):
    from app.web.handlers import TALKS_PAGE, WebApp

    web = WebApp(synthetic_index.settings, chain_factory=lambda: Service(synthetic_index.settings).answer_chain(llm=None))
    rows, ids, count = web.list_talks("", 2)
    assert len(rows) == len(ids) == TALKS_PAGE and count.startswith(f"{synthetic_index.talks} talks in the index — showing 201–400")
    assert costs["whole catalog loads"] == 0 and costs["records read"] == TALKS_PAGE


def test_an_unchanged_reingest_reads_nothing_but_the_file_bytes(synthetic_index, monkeypatch):
    import ingest.indexer
    from ingest.indexer import ingest as run_ingest

    settings = synthetic_index.settings
    run_ingest(settings, TalkStore(settings, Service(settings).embeddings))  # records the fingerprint (if the fixture's did not)
    calls = []
    monkeypatch.setattr(ingest.indexer, "read_corpus", lambda *a, **k: calls.append(a) or ([], 0))
    report = run_ingest(settings, TalkStore(settings, Service(settings).embeddings))
    assert calls == [] and report.unchanged == report.talks == synthetic_index.talks and report.embedded_chunks == 0


def test_a_literal_count_reads_the_matching_records_not_the_catalog(synthetic_index, costs):
    snapshot = Service(synthetic_index.settings).catalog()
    condition = record_condition("Which speaker bios mention EPFL? List all of them.")
    scan = scan_records(snapshot, condition)
    every = [t for t in snapshot.page(0, synthetic_index.talks) if condition.evidence(t)]
    assert 0 < len(scan.matches) == len(every) < synthetic_index.talks // 10 and not scan.capped
    assert costs["whole catalog loads"] == 0
    assert scan_records(snapshot, condition, limit=3).capped  # past the limit: a lower bound, said so
