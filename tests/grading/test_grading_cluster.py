"""Grading on a real Dask cluster: ``dask scheduler`` and two ``dask worker`` processes on
127.0.0.1, each worker in an empty folder of its own (it has the course's Python environment and
nothing else: no course folder, no gradebook, no copy of the grading tool), stopped by their
process ids (tests/helpers/dask_cluster.py).

* the bad-submission matrix (tests/helpers/matrix.py) graded through ``--scheduler`` gives every
  submission exactly the status, score and cell scores of a local run, every kernel sandboxed;
* a worker killed in the middle of a batch: its submissions are graded on the other worker, none
  is lost or counted twice;
* a scheduler that cannot be reached is a clear error within 10 seconds, and nothing changes;
* a worker whose ``nntrain`` differs from the coordinator's is refused, by name, before anything
  is graded.
"""
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from helpers import ROOT
from helpers.course import (ASSIGNMENT, FULL, correct, expected_points, make_course, nbgrader, released, save,
                            submission, wrong_answers)
from helpers.dask_cluster import DaskCluster, free_port
from helpers.grading import (csv_rows, gradebook_dump, grading, in_process, processes_in, require_sandbox,
                             statuses)
from helpers.matrix import ANSWERS, BATCH, MEMORY, PACKAGE, TIMEOUT, Listener, build_batch
from helpers.notebooks import read

from grading import defaults, report

#: an answer that also prints the BLAS threads its kernel's NumPy has (as threadpoolctl finds them)
COUNTS_THREADS = ANSWERS["softmax"] + '''

import threadpoolctl
print("BLAS threads:", sorted({pool["num_threads"] for pool in threadpoolctl.threadpool_info()
                               if pool["user_api"] == "blas"}))
'''
#: what must be the same, local and on the cluster, for every submission
COMPARED = ("status", "score", "graded", "cells", "needs_manual_grade", "not_attempted", "sandbox")


def autograde(course, *args, **kwargs):
    return grading(course, "autograde", "--timeout", TIMEOUT, "--memory", MEMORY, "--no-progress",
                   *args, **kwargs)


def tree(folder):
    """Every file under ``folder``: relative path -> bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(Path(folder).rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def released_course(tmp_path_factory):
    """A course with the assignment generated (once): copy it with :func:`fresh_course`."""
    course = make_course(tmp_path_factory.mktemp("released"))
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    return course


def fresh_course(released_course, folder):
    """A copy of ``released_course`` in ``folder`` (its gradebook and release included)."""
    shutil.copytree(released_course.parent, folder)
    return folder / released_course.name


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with DaskCluster(tmp_path_factory.mktemp("dask"), workers=2) as running:
        yield running


# -- the matrix, local and on the cluster --------------------------------------------------------------
@pytest.fixture(scope="module")
def matrix(cluster, released_course, tmp_path_factory):
    """The matrix graded twice: by a local cluster (2 threads) and through the scheduler (2 workers)."""
    require_sandbox()
    runs = {}
    for where, args in (("local", ["--jobs", "2"]), ("cluster", ["--scheduler", cluster.address])):
        course = fresh_course(released_course, tmp_path_factory.mktemp("matrix") / where)
        listener = Listener()
        expected = build_batch(course, listener.port)
        proc = autograde(course, "--sandbox", "on", *args, check=False)
        listener.server.close()
        in_process(report.write_grades, course)
        runs[where] = course, proc, listener.connections
    return expected, runs


def comparable(course):
    """The status record of each student, the fields that do not depend on where or when."""
    return {key.split("/")[1]: {field: entry.get(field) for field in COMPARED}
            for key, entry in statuses(course).items()}


def test_the_cluster_run_says_where_it_graded(matrix, cluster):
    _, runs = matrix
    course, proc, connections = runs["cluster"]
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"Dask scheduler {cluster.address}: 2 worker(s) on 1 machine(s), 2 thread(s)" in proc.stdout
    share = max(1, defaults.cores() // 2)           # two kernels at once on this machine
    assert "isolation: bubblewrap" in proc.stdout and f"BLAS threads per kernel {share}" in proc.stdout
    assert "jobs 2, cell timeout" in runs["local"][1].stdout
    assert f"BLAS threads per kernel {share}" in runs["local"][1].stdout
    run = json.loads((course / "grades" / "status.json").read_text())["runs"][-1]
    assert run["scheduler"] == cluster.address
    assert connections == 0, "a kernel on a worker reached a server on this machine"


def test_every_status_and_score_equals_the_local_run(matrix):
    expected, runs = matrix
    local, cluster = comparable(runs["local"][0]), comparable(runs["cluster"][0])
    assert set(cluster) == set(local) == set(BATCH)
    differ = {s: (local[s], cluster[s]) for s in BATCH if local[s] != cluster[s]}
    assert not differ, differ
    rows = csv_rows(runs["cluster"][0])
    for student, (status, score, words) in expected.items():      # and both are right
        assert (rows[student]["status"], rows[student]["score"]) == (status, "" if score == "" else f"{score:g}")
        assert words in rows[student]["detail"], rows[student]


def test_the_gradebooks_are_the_same(matrix):
    _, runs = matrix
    dumps = [gradebook_dump(f"sqlite:///{runs[w][0] / 'gradebook.db'}") for w in ("local", "cluster")]
    assert dumps[0] and dumps[0] == dumps[1]


def test_the_autograded_notebooks_are_written_by_the_coordinator(matrix):
    expected, runs = matrix
    course = runs["cluster"][0]
    for student, (_, score, _) in expected.items():
        assert (course / "autograded" / student / ASSIGNMENT / "cross_entropy.ipynb").is_file() == (score != "")


def test_the_workers_kept_nothing_and_saw_no_course(matrix, cluster):
    """Each worker's folder holds only Dask's own (the run's folders are removed when it ends), and
    no worker found the course: the only course paths are the coordinator's."""
    _, runs = matrix
    for name in ("w1", "w2"):
        left = [p for p in (cluster.folder / name).rglob("*") if "nntrain-grading-" in p.name
                and "nntrain-grading-code" not in p.name]
        assert not left, left
    assert not list((cluster.folder / "w1").rglob("gradebook.db"))


def blas_threads_printed(path):
    """What the answer COUNTS_THREADS printed in an autograded notebook."""
    for cell in read(path).cells:
        for output in cell.get("outputs", []):
            if "BLAS threads" in output.get("text", ""):
                return output["text"].strip()
    return None


# -- faults -------------------------------------------------------------------------------------------------
def test_a_worker_killed_mid_batch_loses_nothing_and_counts_nothing_twice(cluster, released_course, tmp_path):
    course = fresh_course(released_course, tmp_path / "course")
    release = released(course)
    students = [f"s{n}" for n in range(1, 9)]
    save(course, "s1", submission(release, {**ANSWERS, "softmax": COUNTS_THREADS}))
    for student in students[1:-1]:
        save(course, student, correct(release))
    save(course, "s8", submission(release, wrong_answers()))
    command = [sys.executable, "-m", "grading", "--course", str(course), "autograde", "--scheduler",
               cluster.address, "--timeout", TIMEOUT, "--no-progress"]
    process = subprocess.Popen(command, cwd=ROOT / "autograder", stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    status_file = course / "grades" / "status.json"
    deadline = time.monotonic() + 300
    victim = psutil.Process(cluster.workers["w2"].pid)
    while time.monotonic() < deadline and process.poll() is None:
        # in the middle: some graded, and w2 grading one (its grading process has a kernel)
        if status_file.is_file() and any(e["status"] == "graded" for e in statuses(course).values()) \
                and len(victim.children(recursive=True)) >= 2:
            break
        time.sleep(0.1)
    graded_before = sum(e["status"] == "graded" for e in statuses(course).values())
    cluster.kill_worker("w2")
    output, _ = process.communicate(timeout=600)
    try:
        assert process.returncode == 0, output
        assert 1 <= graded_before < len(students), "the worker was not killed in the middle of the batch"
        entries = statuses(course)
        assert set(entries) == {f"{ASSIGNMENT}/{s}" for s in students}
        assert {e["status"] for e in entries.values()} == {"graded"}, entries
        in_process(report.write_grades, course)
        rows = csv_rows(course)
        assert {s: rows[s]["score"] for s in students} == {
            **{s: f"{FULL:g}" for s in students[:-1]}, "s8": f"{expected_points(wrong_answers()):g}"}
        from nbgrader.api import Gradebook

        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
            assert sorted(s.student.id for s in gb.find_assignment(ASSIGNMENT).submissions) == students
        dump = gradebook_dump(f"sqlite:///{course / 'gradebook.db'}")
        assert len(dump) == len(set(dump)), "a grade was stored twice"
        run = json.loads(status_file.read_text())["runs"][-1]
        assert run["finished"] == len(students) and run["statuses"] == {"graded": len(students)}
        assert not processes_in(cluster.folder / "w2"), "the killed worker's grading processes live on"
        printed = blas_threads_printed(course / "autograded" / "s1" / ASSIGNMENT / "cross_entropy.ipynb")
        assert printed == f"BLAS threads: [{max(1, defaults.cores() // 2)}]", \
            "two kernels at once on this machine share its cores"
    finally:
        cluster.add_worker("w3")
        cluster.wait_for(2)


def test_an_unreachable_scheduler_is_a_clear_error_within_10_seconds(tmp_path):
    from grading.autograde import Options, run
    from grading.course import Course
    from grading.errors import GradingError

    course = make_course(tmp_path / "course")        # the scheduler is reached before the course is read
    save(course, "s1", text="{}")
    before = tree(course)
    address = f"tcp://127.0.0.1:{free_port()}"
    started = time.monotonic()
    with pytest.raises(GradingError, match=f"cannot reach the Dask scheduler at {address} within"):
        run(Course(course), Options(scheduler=address, progress=False))
    assert time.monotonic() - started < 10
    assert tree(course) == before, "nothing may change"
    proc = autograde(course, "--scheduler", address, check=False)          # the command says so
    assert proc.returncode == 2 and "cannot reach the Dask scheduler" in proc.stderr, proc.stderr
    assert "nothing was graded or changed" in proc.stderr
    assert tree(course) == before


def test_a_worker_with_another_nntrain_is_refused_by_name(cluster, tmp_path):
    course = make_course(tmp_path / "course")        # the workers are checked before the course is read
    save(course, "s1", text="{}")
    before = tree(course)
    other = tmp_path / "other-packages"            # nntrain with one changed line, first on its path
    shutil.copytree(PACKAGE, other / "nntrain")
    with open(other / "nntrain" / "__init__.py", "a") as handle:
        handle.write("\n# a worker's own edit\n")
    cluster.add_worker("odd", env={"PYTHONPATH": str(other)})
    try:
        cluster.wait_for(3)
        proc = autograde(course, "--scheduler", cluster.address, check=False)
    finally:
        cluster.stop_worker("odd")
        cluster.wait_for(2)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "refused to grade" in proc.stderr and "nntrain" in proc.stderr, proc.stderr
    refused = [line for line in proc.stderr.splitlines() if "worker tcp://" in line]
    assert len(refused) == 1 and "nntrain" in refused[0], proc.stderr   # the odd one, and only it
    assert tree(course) == before, "nothing may be graded or changed"


def test_a_difference_is_named_with_both_versions():
    from grading.cluster import differences, environment

    here = environment()
    there = {**here, "nbgrader": "0.0.1"}
    assert differences(here, here) == []
    assert differences(here, there) == [f"nbgrader 0.0.1 there, {here['nbgrader']} here"]
    assert differences(here, {k: v for k, v in here.items() if k != "numpy"}) == \
        [f"numpy not installed there, {here['numpy']} here"]


def test_each_kernel_gets_its_share_of_the_cores():
    from grading.scheduler import blas_threads
    from grading.worker import BLAS_VARIABLES, Limits, kernel_environment

    assert [blas_threads(2, 2), blas_threads(2, 3), blas_threads(8, 2), blas_threads(16, 3), blas_threads(4, 1)] \
        == [1, 1, 4, 5, 4]
    env = kernel_environment(Limits(blas_threads=3), Path("/nowhere"), "/tmp")
    assert {env[name] for name in BLAS_VARIABLES} == {"3"}
    assert "OPENBLAS_NUM_THREADS" in BLAS_VARIABLES and "OMP_NUM_THREADS" in BLAS_VARIABLES
