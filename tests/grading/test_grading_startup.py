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
* jsonschema's IRI grammar is not built in the grading processes (grading/__init__.py).

``benchmarks/autograde_parallel.py`` measures what they save.
"""
import asyncio
import subprocess
import sys

import pytest

from helpers import ROOT

from grading import defaults, scheduler, worker


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


def test_a_broken_cache_is_made_again(cache):
    _, built = cache
    worker.prepare(worker.Limits())
    (worker.cache_folder() / "ready").unlink()        # interrupted while it was being made
    limits = worker.prepare(worker.Limits())
    assert len(built) == 2 and worker.Path(limits.empty_gradebook).is_file()


async def talk_to_a_kernel():
    """Start a plain Python kernel with the grading kernel manager; (client class, what 6 * 7 printed)."""
    manager = worker.KernelManager(kernel_name="python3")
    await manager.start_kernel()
    client = manager.client()
    client.start_channels()
    try:
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
    finally:
        client.stop_channels()
        await manager.shutdown_kernel(now=True)


def test_the_kernel_client_is_ready_and_hears_its_answers():
    client_class, printed = asyncio.run(talk_to_a_kernel())
    assert client_class is worker.KernelClient
    assert printed == "42\n"


async def wait_for_a_dead_kernel():
    manager = worker.KernelManager(kernel_name="python3")
    await manager.start_kernel()
    client = manager.client()
    client.start_channels()
    try:
        await manager.shutdown_kernel(now=True)     # dies before it answers
        await client.wait_for_ready(timeout=60)
    finally:
        client.stop_channels()


def test_a_kernel_that_dies_is_an_error_not_a_wait():
    with pytest.raises(RuntimeError, match="died before it answered"):
        asyncio.run(wait_for_a_dead_kernel())


def test_grading_does_not_build_the_iri_grammar():
    code = ("import sys, grading, nbformat, nbgrader.apps; "
            "nbformat.validate(nbformat.v4.new_notebook()); print(sys.modules.get('rfc3987_syntax'))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT / "autograder", capture_output=True,
                          text=True, check=True)
    assert done.stdout.strip() == "None", done.stderr
