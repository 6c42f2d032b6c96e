"""What a grading run does once, not once per run or per submission.

Grading a class is mostly starting things: the coordinator, a grading process
per thread, a kernel per submission.  Three costs were cut, and each cut must
keep what it replaced:

* the font list and the empty gradebook that every grading process needs are
  made once per machine, in a cache folder keyed by the environment
  (grading.worker.prepare), and a run's end does not remove them;
* the kernel client is ready as soon as the kernel answers, without jupyter_client's
  0.2 s of listening for silence (grading.worker.KernelClient), and still
  hears the answers to what it asks;
* jsonschema's IRI grammar is not built in the grading processes (grading/__init__.py);
* the status file, written after every submission, encodes a record once
  (grading.records.StatusFile.save), and still reads as before.

``benchmarks/autograde_parallel.py`` measures what they save.
"""
import asyncio
import contextlib
import json
import subprocess
import sys
from dataclasses import asdict

import pytest

from helpers import ROOT

from grading import defaults, records, scheduler, worker


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty cache root, and a font list builder that counts its calls (and is quick)."""
    monkeypatch.setenv(defaults.ENV_CACHE, str(tmp_path / "cache"))
    built = []

    def build_font_list(folder):
        built.append(folder)
        (folder / "fontlist-v0.json").write_text("{}")

    monkeypatch.setattr(worker, "build_font_list", build_font_list)
    return tmp_path / "cache", built


def test_the_shared_files_are_made_once_per_machine(cache, tmp_path):
    from nbgrader.api import Gradebook

    root, built = cache
    first = worker.prepare(worker.Limits())
    again = worker.prepare(worker.Limits())
    assert len(built) == 1, "a second run made the font list again"
    assert first.fonts == again.fonts and first.empty_gradebook == again.empty_gradebook
    assert worker.cache_folder().parent == root
    assert (worker.cache_folder() / "matplotlib" / "fontlist-v0.json").is_file()
    with Gradebook(f"sqlite:///{again.empty_gradebook}") as gb:     # a real, empty gradebook
        assert gb.assignments == [] and gb.students == []
    run = scheduler.Run(tmp_path / "run", again)
    (tmp_path / "run" / "process-1").mkdir(parents=True)
    run.stop()
    assert not (tmp_path / "run").exists(), "the run's own folder stays behind"
    assert (worker.cache_folder() / "ready").is_file(), "a run's end removed what later runs share"


def test_the_cache_follows_the_environment(cache, tmp_path, monkeypatch):
    _, built = cache
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    monkeypatch.setattr(worker, "FONT_FOLDERS", (str(fonts),))
    before = worker.prepare(worker.Limits())
    (fonts / "new-font.ttf").write_bytes(b"")        # a font installed: the folder changes
    after = worker.prepare(worker.Limits())
    assert before.fonts != after.fonts and len(built) == 2
    monkeypatch.setattr(worker.sys, "prefix", "/another/environment")
    assert worker.cache_folder().name != worker.Path(after.fonts).parent.name
    monkeypatch.delenv(defaults.ENV_CACHE)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert worker.cache_folder().parent == tmp_path / "xdg" / "nntrain-grading"


def test_without_a_writable_cache_the_temporary_folder_serves(cache, tmp_path, monkeypatch):
    _, built = cache
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv(defaults.ENV_CACHE, str(tmp_path / "a-file" / "cache"))   # cannot be made
    monkeypatch.setattr(worker.tempfile, "tempdir", str(tmp_path / "tmp"))
    limits = worker.prepare(worker.Limits())
    assert worker.Path(limits.fonts).is_relative_to(tmp_path / "tmp") and len(built) == 1
    assert worker.Path(limits.empty_gradebook).is_file()


def test_a_broken_cache_is_made_again(cache):
    _, built = cache
    worker.prepare(worker.Limits())
    (worker.cache_folder() / "ready").unlink()        # interrupted while it was being made
    limits = worker.prepare(worker.Limits())
    assert len(built) == 2 and worker.Path(limits.empty_gradebook).is_file()


@contextlib.asynccontextmanager
async def grading_kernel():
    """(manager, client) of a plain Python kernel started by the grading kernel manager."""
    manager = worker.KernelManager(kernel_name="python3")
    await manager.start_kernel()
    client = manager.client()
    client.start_channels()
    try:
        yield manager, client
    finally:
        client.stop_channels()
        await manager.shutdown_kernel(now=True)


async def talk_to_a_kernel():
    """(client class, what the kernel printed for ``print(6 * 7)``)."""
    async with grading_kernel() as (_, client):
        await client.wait_for_ready(timeout=60)
        request = client.execute("print(6 * 7)")
        printed = []
        while True:
            message = await client.get_iopub_msg(timeout=30)
            if message["parent_header"].get("msg_id") != request:
                continue
            if message["msg_type"] == "stream":
                printed.append(message["content"]["text"])
            if message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
                return type(client), "".join(printed)


def test_the_kernel_client_is_ready_and_hears_its_answers():
    client_class, printed = asyncio.run(talk_to_a_kernel())
    assert client_class is worker.KernelClient
    assert printed == "42\n"


async def wait_for_a_dead_kernel():
    async with grading_kernel() as (manager, client):
        await manager.shutdown_kernel(now=True)     # dies before it answers
        await client.wait_for_ready(timeout=60)


def test_a_kernel_that_dies_is_an_error_not_a_wait():
    with pytest.raises(RuntimeError, match="died before it answered"):
        asyncio.run(wait_for_a_dead_kernel())


def test_grading_does_not_build_the_iri_grammar():
    code = ("import sys, grading, nbformat, nbgrader.apps; "
            "nbformat.validate(nbformat.v4.new_notebook()); print(sys.modules.get('rfc3987_syntax'))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT / "autograder", capture_output=True,
                          text=True, check=True)
    assert done.stdout.strip() == "None", done.stderr


def status_file(students):
    status = records.StatusFile()
    for number in range(students):
        record = records.StatusRecord("ch01", f"s{number}", "f", 12.0, graded=True, score=float(number),
                                      findings=[records.Finding("stderr", "noise \u00e9")],
                                      cells={"nb/test": {"auto": 1.0, "max": 2.0}}).decide()
        status.submissions[record.key] = record
    status.runs.append(records.RunRecord("2026-01-01T00:00:00+00:00", 2, 60, 4096, "bubblewrap", 3, 0,
                                         statuses={"graded": 3}))
    return status


def test_the_status_file_reads_as_before(tmp_path):
    path = tmp_path / "grades" / "status.json"
    for status in (status_file(3), records.StatusFile()):
        status.save(path)
        whole = {"version": status.version, "runs": [asdict(r) for r in status.runs],
                 "submissions": {k: r.to_dict() for k, r in status.submissions.items()}}
        assert path.read_text(encoding="utf-8") == json.dumps(whole, indent=1, sort_keys=True)
        assert records.StatusFile.load(path).submissions == status.submissions


def test_the_status_file_encodes_a_record_once(tmp_path, monkeypatch):
    path = tmp_path / "status.json"
    status = status_file(50)
    status.save(path)
    encoded = []
    to_dict = records.StatusRecord.to_dict
    monkeypatch.setattr(records.StatusRecord, "to_dict", lambda self: encoded.append(self.key) or to_dict(self))
    replaced = records.StatusRecord("ch01", "s7", "g", 12.0, graded=True, score=11.0).decide()
    status.submissions[replaced.key] = replaced
    status.save(path)
    assert encoded == ["ch01/s7"], "records that did not change were encoded again"
    assert records.StatusFile.load(path).submissions["ch01/s7"].score == 11.0
