"""The Corpus tab (app/web/corpus.py, app/web/uploads.py) and the indexer's ``remove``.

Fast tests over the small real index with the scripted chat model: uploads
are checked before anything is stored or indexed, an upload's talks are
answerable at once, an answer streaming during an upload finishes, removals
take talks out (and an upload's file with them), and the tab exists only
where app/web/auth.py allows it.
"""

from __future__ import annotations

import zipfile
from types import SimpleNamespace

import gradio as gr
import pytest

from app.core.errors import InputError
from app.service import Service
from app.index.store import TalkStore
from app.web.app import build_app
from app.web.auth import corpus_allowed
from app.web.corpus import CorpusManager
from app.web.handlers import WebApp, new_session
from app.web.uploads import Uploads
from support.corpora import NEW_TALK_QUESTION, NEW_TALKS, write_jsonl
from support.models import scripted
from support.settings import make_settings
from ingest.indexer import ingest, remove

DEPTH_Q = "What does the proportional infinite-depth-and-width limit describe?"
ORIGAMI = NEW_TALKS[0]["title"]


def corpus_app(small_index, llm, *, require_login: bool = False) -> tuple[WebApp, CorpusManager]:
    """The chat's handlers and the Corpus tab's over the small index; every chain built anew reads the live index."""
    settings, store = small_index
    web = WebApp(settings, chain_factory=lambda: Service(settings, store=store).answer_chain(llm=llm))
    return web, CorpusManager(settings, web.chains, require_login=require_login)


def titles(web: WebApp) -> set[str]:
    return {t.title for t in web.chains.catalog().talks}


# ------------------------------------------------------------------ uploads folder


def test_a_zip_is_unpacked_as_if_its_files_were_uploaded(tmp_path, new_talks_file):
    archive = tmp_path / "talks.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(new_talks_file, "nested/new-talks.jsonl")
        z.writestr("pages/origami.md", "---\nspeaker: Ada Quill\n---\n# Folding\n\nQuantum origami folds lattices.\n")
        z.writestr("__MACOSX/._origami.md", "resource fork")
    uploads = Uploads(tmp_path / "data")
    staged = uploads.stage([archive])
    assert uploads.check(staged) == 3
    installed = uploads.install(staged)
    installed.keep()
    assert uploads.files() == [uploads.root / "new-talks.jsonl", uploads.pages / "origami.md"]
    assert uploads.ingest_paths() == [uploads.root / "new-talks.jsonl", uploads.pages]


def test_an_archive_member_of_another_type_refuses_the_whole_zip(tmp_path, new_talks_file):
    archive = tmp_path / "talks.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(new_talks_file, "new-talks.jsonl")
        z.writestr("slides.pdf", b"%PDF-1.4")
    uploads = Uploads(tmp_path / "data")
    with pytest.raises(InputError, match=r"talks.zip: slides.pdf: cannot read .pdf"):
        uploads.stage([archive])
    assert not uploads.root.exists() or list(uploads.root.iterdir()) == []


def test_the_same_file_sent_twice_in_one_upload_is_stored_once(tmp_path, new_talks_file):
    uploads = Uploads(tmp_path / "data")
    staged = uploads.stage([new_talks_file, new_talks_file])
    assert [final.name for _, final in staged.files] == ["new-talks.jsonl"]
    assert uploads.check(staged) == 2


def test_two_different_files_of_one_name_refuse_the_upload(tmp_path, new_talks_file):
    (tmp_path / "elsewhere").mkdir()
    other = write_jsonl(tmp_path / "elsewhere" / "new-talks.jsonl", NEW_TALKS[:1])
    uploads = Uploads(tmp_path / "data")
    with pytest.raises(InputError, match="two different files named new-talks.jsonl"):
        uploads.stage([new_talks_file, other])
    assert not uploads.root.exists() or list(uploads.root.iterdir()) == []


def test_an_upload_is_stored_under_its_base_name_only(tmp_path, new_talks_file):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(new_talks_file, "../../outside.jsonl")
    uploads = Uploads(tmp_path / "data")
    uploads.install(uploads.stage([archive])).keep()
    assert uploads.files() == [uploads.root / "outside.jsonl"]
    assert not (tmp_path / "outside.jsonl").exists()


def test_a_failed_ingest_puts_the_replaced_upload_back(tmp_path, new_talks_file):
    uploads = Uploads(tmp_path / "data")
    uploads.install(uploads.stage([new_talks_file])).keep()
    original = (uploads.root / "new-talks.jsonl").read_text()
    edited = write_jsonl(tmp_path / "new-talks.jsonl", NEW_TALKS[:1])
    installed = uploads.install(uploads.stage([edited]))
    installed.undo()
    assert (uploads.root / "new-talks.jsonl").read_text() == original
    assert [p.name for p in uploads.root.iterdir()] == ["new-talks.jsonl"]


# ------------------------------------------------------------------ indexer.remove


def test_remove_takes_a_sources_talks_out_and_keeps_the_others(small_index, new_talks_file):
    settings, store = small_index
    ingest(settings, store, [new_talks_file])
    report = remove(settings, store, sources=[str(new_talks_file.resolve())])
    assert len(report.removed) == 2 and report.embedded_chunks == 0
    assert report.removed_by_source == {str(new_talks_file.resolve()): 2}
    assert {t.title for t in store.catalog().talks}.isdisjoint({t["title"] for t in NEW_TALKS})
    assert len(store.catalog().talks) == 7


def test_remove_refuses_what_matches_nothing_and_leaves_the_index(small_index):
    settings, store = small_index
    generation = store.generations.live_generation()
    with pytest.raises(InputError, match="no indexed talk matches"):
        remove(settings, store, talk_ids=["t-no-such-talk"])
    assert store.generations.live_generation() == generation


def test_remove_refuses_to_empty_the_index(small_index):
    settings, store = small_index
    with pytest.raises(InputError, match="empty"):
        remove(settings, store, talk_ids=[t.id for t in store.catalog().talks])
    assert len(store.catalog().talks) == 7


# ------------------------------------------------------------------ the tab's handlers


def test_uploaded_talks_are_answerable_at_once(small_index, new_talks_file):
    web, corpus = corpus_app(small_index, scripted("Quantum origami maps each fold to a qubit rotation [1]."))
    web.chains.get()  # a chain built before the upload
    status, rows, *_ = corpus.upload([new_talks_file])
    assert status.startswith("✓ **Added new-talks.jsonl**") and "2 new" in status and ORIGAMI in status
    assert ["uploads/new-talks.jsonl", 2, "uploaded"] in rows
    payload = list(web.respond(NEW_TALK_QUESTION, new_session()))[-1][3]
    assert payload["error"] is None
    assert payload["citations"][0]["title"] == ORIGAMI


def test_a_bad_file_is_refused_with_its_line_and_changes_nothing(small_index, bad_talks_file):
    settings, store = small_index
    web, corpus = corpus_app(small_index, scripted("unused"))
    generation = store.generations.live_generation()
    status, *_ = corpus.upload([bad_talks_file])
    assert status.startswith("⚠ **Nothing was changed:** bad-talks.jsonl:2: not JSON"), status
    assert store.generations.live_generation() == generation and len(titles(web)) == 7
    assert list(Uploads(settings.data_dir).root.iterdir()) == []


def test_a_refusal_ends_with_one_full_stop(small_index, tmp_path):
    web, corpus = corpus_app(small_index, scripted("unused"))
    status, *_ = corpus.upload([tmp_path / "slides.pdf"])
    assert status.endswith("or a .zip of them.") and not status.endswith(".."), status


def test_uploading_a_file_again_updates_its_talks(small_index, new_talks_file, tmp_path):
    web, corpus = corpus_app(small_index, scripted("unused"))
    corpus.upload([new_talks_file])
    edited = write_jsonl(tmp_path / "new-talks.jsonl", NEW_TALKS[:1])
    status, *_ = corpus.upload([edited])
    assert "1 removed" in status and "new-talks.jsonl" in status
    assert ORIGAMI in titles(web) and NEW_TALKS[1]["title"] not in titles(web)


def test_an_answer_streaming_during_an_upload_finishes_and_the_next_sees_the_new_talks(small_index, new_talks_file):
    llm = scripted("The limit models finite networks [1].", "Quantum origami maps each fold to a qubit rotation [1].")
    web, corpus = corpus_app(small_index, llm)
    steps = web.respond(DEPTH_Q, new_session())
    next(steps)
    retrieved = next(steps)  # sources are retrieved; the model has not started
    assert "writing the answer" in retrieved[1]
    assert corpus.upload([new_talks_file])[0].startswith("✓")
    payload = list(steps)[-1][3]
    assert payload["error"] is None and payload["citations"]
    assert all(c["title"] != ORIGAMI for c in payload["citations"])
    after = list(web.respond(NEW_TALK_QUESTION, new_session()))[-1][3]
    assert after["citations"][0]["title"] == ORIGAMI


def test_the_chain_follows_an_ingest_by_another_process(small_index, new_talks_file, embedding_model):
    settings, _ = small_index
    web, _ = corpus_app(small_index, scripted("unused"))
    chain = web.chains.get()
    ingest(settings, TalkStore(settings, embedding_model), [new_talks_file])  # as `talkqa ingest` would
    assert ORIGAMI in titles(web)
    assert web.chains.get() is chain  # not rebuilt: its retriever asks for the live generation on each question
    found = chain.retriever.invoke(NEW_TALK_QUESTION)
    assert chain.catalog.by_id[found[0].metadata["talk_id"]].title == ORIGAMI


def test_the_http_apis_chains_follow_an_ingest_too(small_index, new_talks_file, embedding_model):
    from app.api.app import ChainPool

    settings, store = small_index
    pool = ChainPool(Service(settings, store=store), llm=None)
    before = pool.get(answering=False)
    assert pool.get(answering=False) is before
    ingest(settings, TalkStore(settings, embedding_model), [new_talks_file])
    assert ORIGAMI in {t.title for t in pool.get(answering=False).latest_catalog().talks}  # what `GET /api/talks` lists


def test_removing_an_uploaded_source_deletes_its_file(small_index, new_talks_file):
    settings, _ = small_index
    web, corpus = corpus_app(small_index, scripted("unused"))
    corpus.upload([new_talks_file])
    stored = Uploads(settings.data_dir).root / "new-talks.jsonl"
    status, rows, *_ = corpus.remove_source(str(stored.resolve()))
    assert "deleted the uploaded file" in status and "2 removed" in status
    assert not stored.exists() and ORIGAMI not in titles(web)
    assert all(not r[0].startswith("uploads/") for r in rows)


def test_removing_a_talk_leaves_its_file(small_index, corpus_path):
    web, corpus = corpus_app(small_index, scripted("unused"))
    talk = next(t for t in web.chains.catalog().talks if t.speaker == "Petros Maragos")
    status, *_ = corpus.remove_talk(talk.id)
    assert "1 removed" in status and "comes back" in status
    assert talk.title not in titles(web) and len(titles(web)) == 6
    assert corpus_path.exists()


def test_the_summaries_name_each_talk_with_its_speaker(small_index, new_talks_file):
    web, corpus = corpus_app(small_index, scripted("unused"))
    status, *_ = corpus.upload([new_talks_file])
    assert f"“{ORIGAMI}” — Ada Quill" in status, status
    talk = next(t for t in web.chains.catalog().talks if t.speaker == "Petros Maragos")
    status, *_ = corpus.remove_talk(talk.id)
    assert f"Removed “{talk.title}” — Petros Maragos" in status, status


def test_reindex_rebuilds_from_the_corpus_and_the_uploads(small_index, new_talks_file):
    web, corpus = corpus_app(small_index, scripted("unused"))
    corpus.upload([new_talks_file])
    status, *_ = corpus.reindex()
    assert status.startswith("✓ **Re-indexed**") and "9 talks in the index" in status
    assert ORIGAMI in titles(web)


def test_with_logins_the_tab_refuses_a_request_without_a_user(small_index, new_talks_file):
    settings, _ = small_index
    web, corpus = corpus_app(small_index, scripted("unused"), require_login=True)
    with pytest.raises(gr.Error, match="Log in"):
        corpus.upload([new_talks_file], request=None)
    assert not Uploads(settings.data_dir).root.exists()
    assert corpus.upload([new_talks_file], request=SimpleNamespace(username="ann"))[0].startswith("✓")


# ------------------------------------------------------------------ who gets the tab


@pytest.mark.parametrize(
    "logins, host, share, allowed",
    [
        (None, "127.0.0.1", False, True),
        (None, "localhost", False, True),
        (None, "0.0.0.0", False, False),
        (None, "127.0.0.1", True, False),
        ([("ann", "pw")], "0.0.0.0", True, True),
    ],
)
def test_corpus_tab_only_with_logins_or_on_loopback(logins, host, share, allowed):
    assert corpus_allowed(logins, host, share) is allowed


def tab_labels(demo) -> list[str]:
    return [b.label for b in demo.blocks.values() if isinstance(b, gr.Tab)]


def test_an_open_server_beyond_loopback_has_no_corpus_tab(tmp_path):
    settings = make_settings(tmp_path / "d")
    assert "Corpus" in tab_labels(build_app(settings).demo)
    assert "Corpus" not in tab_labels(build_app(settings, host="0.0.0.0").demo)
    assert "Corpus" in tab_labels(build_app(settings.model_copy(update={"auth": "ann:pw"}), host="0.0.0.0").demo)
