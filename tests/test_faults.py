"""The fault matrix of docs/reliability.md, with real processes: a rebuild SIGKILLed
at several moments, two writers on one data dir, a damaged ``chroma.sqlite3``, a
read-only mount, and the embedded model shared by two processes.

Faults come from tests/fault_runner.py (it patches library methods in the child
process); the product has no test hooks.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

from app.index.store import TalkStore

from support.corpora import write_corpus
from support.settings import make_settings


def talk_ids(talkqa, data: Path) -> list[str]:
    result = talkqa.run("talks", "--json", data_dir=data)
    assert result.exit_code == 0, result.stderr
    return sorted(t["id"] for t in json.loads(result.stdout))


def assert_search_answers(talkqa, data: Path) -> None:
    result = talkqa.run("search", "tropical geometry of neural networks", "--json", data_dir=data)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["results"]


def family(data: Path, embedding_model) -> list[str]:
    """The index's collections, listed with a client of this process (opened only now)."""
    return sorted(TalkStore(make_settings(data), embedding_model).generations.family())


@pytest.fixture
def grown(tmp_path, small_lines, seed_lines) -> Path:
    """The small corpus plus three talks (seed lines 3, 4, 12), as a second file."""
    return write_corpus(tmp_path / "grown.txt", [*small_lines, seed_lines[2], seed_lines[3], seed_lines[11]])


# ------------------------------------------------------------------ 1. a rebuild killed half-way


@pytest.mark.processes
@pytest.mark.parametrize("moment", ["lines", "chunks", "publish", "after-publish"])
def test_a_rebuild_killed_at_any_moment_leaves_an_index_that_answers(talkqa, proc_index, grown, moment, embedding_model):
    before = talk_ids(talkqa, proc_index)

    killed = talkqa.run("ingest", "--replace", "--rebuild", grown, data_dir=proc_index, fault=(moment, "kill"))

    assert killed.exit_code == -9, killed.stderr
    after = talk_ids(talkqa, proc_index)
    if moment == "after-publish":
        assert len(after) == len(before) + 3  # switched in before the kill: the new index, whole
    else:
        assert after == before  # not switched in: the old index, whole
    assert_search_answers(talkqa, proc_index)

    again = talkqa.run("ingest", "--replace", "--rebuild", grown, data_dir=proc_index)
    assert again.exit_code == 0, again.stderr
    assert len(talk_ids(talkqa, proc_index)) == len(before) + 3
    live = [n for n in family(proc_index, embedding_model) if n != "talks-live"]
    assert len(live) == 2, live  # one base and its catalog: the killed build's leftovers are gone


# ------------------------------------------------------------------ 2. two writers


def wait_for(path: Path, proc: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.1)


@pytest.mark.processes
def test_two_rebuilds_at_once_run_one_after_the_other_and_readers_keep_reading(talkqa, proc_index, grown, tmp_path, embedding_model):
    before = talk_ids(talkqa, proc_index)
    mark, release = tmp_path / "first-is-writing", tmp_path / "release"
    first = talkqa.start("ingest", "--replace", "--rebuild", grown, data_dir=proc_index,
                         fault=("chunks", "hold"), env={"FAULT_MARK": str(mark), "FAULT_RELEASE": str(release)})
    wait_for(mark, first)  # the first holds the lock, half-way through writing

    second = talkqa.start("ingest", "--replace", "--rebuild", grown, data_dir=proc_index)
    assert talk_ids(talkqa, proc_index) == before  # a reader meanwhile: the last committed index
    busy = talkqa.run("ingest", grown, "--no-wait", data_dir=proc_index)
    release.touch()

    out1, err1 = first.communicate(timeout=300)
    out2, err2 = second.communicate(timeout=300)
    assert (first.returncode, second.returncode) == (0, 0), (err1, err2)
    assert f"waiting for another talkqa ingest (pid {first.pid})" in err2
    assert busy.exit_code == 6
    assert busy.stderr.strip().splitlines() == [busy.stderr.strip()]
    assert busy.stderr.startswith(f"error: another talkqa ingest (pid {first.pid}) is writing to")
    assert len(talk_ids(talkqa, proc_index)) == len(before) + 3
    assert len([n for n in family(proc_index, embedding_model) if n != "talks-live"]) == 2


@pytest.mark.processes
def test_a_plain_ingest_waits_for_a_running_one_and_its_summary_is_true(talkqa, proc_index, tmp_path):
    jsonl = tmp_path / "extra.jsonl"
    jsonl.write_text(json.dumps({"abstract": "We study sharpness-aware minimisation and its implicit bias in deep linear networks."}) + "\n")
    mark, release = tmp_path / "first-is-writing", tmp_path / "release"
    first = talkqa.start("ingest", "--rebuild", data_dir=proc_index, fault=("chunks", "hold"),
                         env={"FAULT_MARK": str(mark), "FAULT_RELEASE": str(release),
                              "TALKQA_CORPUS": json.dumps([str(tmp_path / "talks.txt")])})
    wait_for(mark, first)
    second = talkqa.start("ingest", jsonl, "--json", data_dir=proc_index)
    time.sleep(3)
    release.touch()
    out, err = second.communicate(timeout=300)
    second = type("R", (), {"exit_code": second.returncode, "stdout": out, "stderr": err})
    first.communicate(timeout=300)
    assert (first.returncode, second.exit_code) == (0, 0), second.stderr
    report = json.loads(second.stdout)
    assert report["talks"] == 8 == len(talk_ids(talkqa, proc_index))  # 7 kept + 1 added, and the summary says so
    assert report["removed"] == []


# ------------------------------------------------------------------ 5. a damaged database


def damage(db: Path, how: str) -> None:
    data = db.read_bytes()
    if how == "truncated":
        db.write_bytes(data[: len(data) // 3])
    elif how == "garbage-inside":
        db.write_bytes(data[:4096] + bytes(range(256)) * ((len(data) - 4096) // 256))
    elif how == "garbage":
        db.write_bytes(b"\xde\xad\xbe\xef" * (len(data) // 4))


@pytest.mark.processes
@pytest.mark.parametrize("how", ["truncated", "garbage-inside", "garbage"])
def test_a_damaged_database_is_reported_and_rebuild_sets_it_aside(talkqa, proc_index, corpus_path, how):
    before = talk_ids(talkqa, proc_index)
    damage(proc_index / "chroma" / "chroma.sqlite3", how)
    damaged_bytes = (proc_index / "chroma" / "chroma.sqlite3").read_bytes()

    for args in (["talks"], ["search", "neural networks"], ["ingest", corpus_path]):
        result = talkqa.run(*args, data_dir=proc_index)
        assert result.exit_code == 3, (args, result.stderr)
        (line,) = result.stderr.strip().splitlines()
        assert line.startswith("error: the index is corrupt") and "run `talkqa ingest --rebuild`" in line

    rebuilt = talkqa.run("ingest", "--rebuild", corpus_path, data_dir=proc_index)
    assert rebuilt.exit_code == 0, rebuilt.stderr
    (aside,) = proc_index.glob("chroma.corrupt-*")
    assert (aside / "chroma.sqlite3").read_bytes() == damaged_bytes  # kept, not deleted
    assert str(aside) in rebuilt.stdout
    assert talk_ids(talkqa, proc_index) == before


# ------------------------------------------------------------------ 6. a read-only data dir


def _can_mount_read_only(tmp_path: Path) -> bool:
    probe = tmp_path / "probe"
    probe.mkdir()
    done = subprocess.run(["unshare", "-m", "sh", "-c", f"mount --bind -o ro {probe} {probe} && ! touch {probe}/x"],
                          capture_output=True)
    return done.returncode == 0


READ_ONLY = ["unshare", "-m", "sh", "-c", 'mount --bind -o ro "$0" "$0" && exec "$@"']


@pytest.mark.processes
def test_a_read_only_mount_is_read_and_refuses_writing_with_exit_7(talkqa, proc_index, corpus_path, tmp_path):
    if not shutil.which("unshare") or not _can_mount_read_only(tmp_path):
        pytest.skip("needs `unshare -m` and bind mounts (root in a namespace)")
    before = talk_ids(talkqa, proc_index)
    listing = sorted(p.relative_to(proc_index) for p in proc_index.rglob("*"))
    ro = [*READ_ONLY, str(proc_index)]

    talks = talkqa.run("talks", "--json", data_dir=proc_index, prefix=ro)
    search = talkqa.run("search", "tropical geometry", "--json", data_dir=proc_index, prefix=ro)
    write = talkqa.run("ingest", corpus_path, data_dir=proc_index, prefix=ro)

    assert talks.exit_code == 0, talks.stderr
    assert sorted(t["id"] for t in json.loads(talks.stdout)) == before
    assert search.exit_code == 0 and json.loads(search.stdout)["results"], search.stderr
    assert write.exit_code == 7
    (line,) = write.stderr.strip().splitlines()
    assert line.startswith(f"error: cannot write the index in {proc_index}") and "read-only" in line
    assert sorted(p.relative_to(proc_index) for p in proc_index.rglob("*")) == listing


# ------------------------------------------------------------------ 10. the embedded model, two processes


class FakeLlama:
    """Stands for llama_cpp.Llama: streams three tokens."""

    def create_chat_completion(self, stream: bool, **request):
        for token in ("one ", "two ", "three"):
            yield {"choices": [{"delta": {"content": token}}]}


def test_a_generation_waits_for_another_process_using_the_model_and_says_so(tmp_path, caplog):
    from langchain_core.messages import HumanMessage

    from app.core.locks import exclusive
    from app.models.llm_local import LlamaCppChatModel

    lock = tmp_path / "models" / "llm.lock"
    model = LlamaCppChatModel(model_path="unused.gguf", lock_path=str(lock))
    model._llama = FakeLlama()
    out: list[str] = []
    lock.parent.mkdir()
    with caplog.at_level("WARNING", logger="talkqa"):
        with exclusive(lock):  # "another process" (another open file: flock tells them apart)
            worker = threading.Thread(target=lambda: out.append(model.invoke([HumanMessage("hi")]).content))
            worker.start()
            time.sleep(1.0)
            assert out == [] and worker.is_alive()  # waiting its turn
        worker.join(timeout=10)
    assert out == ["one two three"]
    assert any("waiting for another talkqa process using the model" in r.getMessage() for r in caplog.records)


def test_without_the_process_lock_a_generation_does_not_wait(tmp_path):
    from langchain_core.messages import HumanMessage

    from app.core.locks import exclusive
    from app.models.llm_local import LlamaCppChatModel

    lock = tmp_path / "llm.lock"
    model = LlamaCppChatModel(model_path="unused.gguf", lock_path=None)
    model._llama = FakeLlama()
    with exclusive(lock):
        assert model.invoke([HumanMessage("hi")]).content == "one two three"
