"""The grading tool (autograder/grading) on whole batches, in throw-away copies of the course.

* the bad-submission matrix: good submissions and bad ones of every kind graded
  in one parallel batch on SQLite, every kernel in the bubblewrap sandbox -
  every good one gets its exact score, every bad one its status, the batch
  completes, a second run changes nothing, manual grades survive a forced
  regrade, and the feedback shows no hidden test (searched for with
  tests/helpers/leaks.py, not with the tool's own check).  The kinds marked
  ``sandbox`` get past the in-kernel guard (native code, sockets, processes,
  the temporary folder): only the sandbox stops them, and nothing leaks or
  changes;
* the wall-clock budget: a kernel that ignores interrupts is killed, the rest
  of the batch is graded;
* an interrupted batch (SIGINT) resumes where it stopped, and shows the
  submission it was grading as unfinished, not as a 0;
* PostgreSQL: a parallel run against a real server (installed with apt-get if
  missing, started here as a throw-away cluster) gives exactly the grades of
  a serial run on SQLite.
"""
import functools
import glob
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pytest

from helpers import ROOT
from helpers.course import (ASSIGNMENT, NOTEBOOK, correct, expected_points, make_course, nbgrader, released, save,
                            submission, wrong_answers, FULL, TOTAL, manual_points)
from helpers.grading import (csv_rows, digest, gradebook_dump, grading, in_process, processes_in,
                             processes_named, require_sandbox, statuses)
from helpers.leaks import find_leaks, needles
from helpers.matrix import (ANSWERS, BATCH, MEMORY, PACKAGE, SOFTMAX, STDERR_NOISE, TIMEOUT, Listener, build_batch,
                            with_tests_emptied)
from helpers.notebooks import BEGIN_HIDDEN, END_HIDDEN, is_test_cell, read, region_lines, solution_notebook

from grading import feedback, records, report


def autograde(course, *args, **kwargs):
    return grading(course, "autograde", "--timeout", TIMEOUT, "--memory", MEMORY, "--no-progress",
                   *args, **kwargs)


def package_digests():
    return {p.name: digest(p) for p in sorted(PACKAGE.glob("*.py"))}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    require_sandbox()
    course = make_course(tmp_path_factory.mktemp("batch"))
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    listener = Listener()
    expected = build_batch(course, listener.port)
    before = {"good1": digest(course / "submitted" / "good1" / ASSIGNMENT / NOTEBOOK), **package_digests()}
    started = time.monotonic()
    proc = autograde(course, "--jobs", "3", "--sandbox", "on", check=False)
    seconds = time.monotonic() - started
    listener.server.close()
    listing = grading(course, "grades", check=False)
    return course, expected, proc, (before, listener.connections), seconds, listing


def test_matrix_covers_every_status():
    """Every status the tool gives is in the matrix, except ``error`` (the tool itself failing,
    or an unfinished submission: see test_interrupted_batch_resumes) and ``tampering`` (the trick
    catalogue's, graded by test_tricks.py)."""
    assert {kind.status for kind in BATCH.values()} == set(records.STATUSES) - {"error", "tampering"}
    assert sum(kind.sandbox for kind in BATCH.values()) >= 6


def test_every_record_says_the_kernels_ran_in_the_sandbox(batch):
    course, expected, proc, *_ = batch
    assert "isolation: bubblewrap" in proc.stdout
    assert {row["sandbox"] for row in csv_rows(course).values()} == {records.SANDBOXED}
    assert {entry["sandbox"] for entry in statuses(course).values()} == {records.SANDBOXED}


def test_batch_completes(batch):
    course, expected, proc, _, seconds, _ = batch
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert set(statuses(course)) == {f"{ASSIGNMENT}/{s}" for s in expected}
    assert f"{len(expected)} submission(s) to grade" in proc.stdout
    assert seconds < 400, f"the batch took {seconds:.0f} s"


@pytest.mark.parametrize("student", list(BATCH))
def test_every_submission_gets_its_status_and_score(batch, student):
    course, expected, *_ = batch
    row = csv_rows(course)[student]
    status, score, words = expected[student]
    assert row["status"] == status, row
    assert row["score"] == ("" if score == "" else f"{score:g}"), row
    assert row["max_score"] == f"{TOTAL:g}"
    assert words in row["detail"], row


def test_grades_output_shows_the_statuses(batch):
    course, expected, *_, proc = batch
    assert proc.returncode == 0, proc.stderr
    for status in {s for s, _, _ in expected.values()} - {"graded"}:
        assert status in proc.stdout
    assert "1 invalid_notebook" not in proc.stdout and "2 invalid_notebook" in proc.stdout
    summary = (course / "grades" / "summary" / f"{ASSIGNMENT}.md").read_text()
    graded = sum(1 for kind in BATCH.values() if kind.status == "graded")
    assert "| timed_out | 2 |" in summary and f"| graded | {graded} |" in summary
    assert (course / "grades" / "summary" / f"{ASSIGNMENT}_scores.png").stat().st_size > 5000


def test_nothing_outside_a_submission_was_changed(batch):
    course, _, _, (before, connections), *_ = batch
    assert digest(course / "submitted" / "good1" / ASSIGNMENT / NOTEBOOK) == before["good1"]
    assert package_digests() == {k: v for k, v in before.items() if k != "good1"}
    assert connections == 0, "a kernel reached a server on this machine"
    assert not processes_named("nntrain-left") and not processes_named("nntrain-storm"), \
        "a process a submission started outlived its kernel"
    assert not glob.glob(os.path.join(tempfile.gettempdir(), "nntrain-fill-*")), "a kernel wrote into /tmp"
    assert (course / "autograded" / "good1" / ASSIGNMENT / NOTEBOOK).is_file()
    assert gradebook_dump(f"sqlite:///{course / 'gradebook.db'}")      # still a gradebook
    kernel_dir = course / "autograded" / "shadow_package" / ASSIGNMENT / "nntrain"
    assert kernel_dir.is_dir(), "the fake package was written in the submission's own folder (allowed)"
    import site

    planted = Path(site.getsitepackages()[0]) / "zz_grading.pth"
    if planted.exists():
        planted.unlink()
        raise AssertionError(f"a submission wrote {planted} (removed again)")


def test_ungraded_submissions_leave_no_autograded_notebook(batch):
    course, expected, *_ = batch
    for student, (status, score, _) in expected.items():
        folder = course / "autograded" / student / ASSIGNMENT
        assert (folder / NOTEBOOK).is_file() == (score != ""), student


def test_second_run_changes_nothing(batch):
    course, expected, *_ = batch
    db_url = f"sqlite:///{course / 'gradebook.db'}"
    before_status, before_grades = statuses(course), gradebook_dump(db_url)
    in_process(report.write_grades, course)
    before_csv = (course / "grades" / "grades.csv").read_text()
    proc = autograde(course)
    assert f"0 submission(s) to grade, {len(expected)} unchanged" in proc.stdout
    assert statuses(course) == before_status
    assert gradebook_dump(db_url) == before_grades
    in_process(report.write_grades, course)
    assert (course / "grades" / "grades.csv").read_text() == before_csv


def test_forced_regrade_keeps_manual_grades(batch):
    course, *_ = batch
    from nbgrader.api import Gradebook

    db_url = f"sqlite:///{course / 'gradebook.db'}"
    with Gradebook(db_url, "nntrain") as gb:
        grade = gb.find_grade("delta_answer", "cross_entropy", ASSIGNMENT, "good1")
        grade.manual_score = manual_points()["delta_answer"]
        gb.db.commit()
    rows_before = len(gradebook_dump(db_url))
    autograde(course, "--force", "--student", "good1")
    with Gradebook(db_url, "nntrain") as gb:
        assert gb.find_grade("delta_answer", "cross_entropy", ASSIGNMENT, "good1").manual_score == \
            manual_points()["delta_answer"]
        # delta_answer graded by hand, the other written answers not yet
        assert gb.find_submission(ASSIGNMENT, "good1").score == FULL + manual_points()["delta_answer"]
    assert len(gradebook_dump(db_url)) == rows_before           # nothing duplicated
    in_process(report.write_grades, course)
    assert csv_rows(course)["good1"]["score"] == f"{FULL + manual_points()['delta_answer']:g}"


def test_feedback_has_no_hidden_tests_and_is_packed(batch):
    course, expected, *_ = batch
    # all but good1 wait for manual grading: returned anyway here, their written answers marked
    code, output = in_process(functools.partial(feedback.generate, include_ungraded=True), course)
    assert code == 0, output
    pages = {p.parent.parent.name: p for p in (course / "feedback").glob(f"*/{ASSIGNMENT}/*.html")}
    graded = {s for s, (_, score, _) in expected.items() if score != ""}
    assert set(pages) == graded
    # the secret lines of the solution, less those the students handed in themselves (their
    # feedback shows their own answers: good1's are the solution's)
    handed_in = [p for p in sorted((course / "submitted").glob(f"*/{ASSIGNMENT}/{NOTEBOOK}"))
                 if BATCH[p.parent.parent.name].text is None]
    secrets = needles([solution_notebook(ASSIGNMENT)], public_paths=handed_in)
    hidden = [" ".join(line.split()) for cell in read(solution_notebook(ASSIGNMENT)).cells
              for line in region_lines(cell.source, BEGIN_HIDDEN, END_HIDDEN)]
    assert len(set(secrets) & set(hidden)) >= 3, "the search must look for the hidden tests"
    assert find_leaks(secrets, [course / "autograded" / "good1"]), \
        "the search finds hidden tests where they are (the autograded notebook)"
    shown = find_leaks(secrets, [course / "feedback"])
    assert not shown, f"feedback shows secret lines: {shown}"
    assert in_process(functools.partial(feedback.pack, include_ungraded=True), course)[0] == 0
    zips = {p.stem for p in (course / "grades" / "feedback" / ASSIGNMENT).glob("*.zip")}
    assert zips == graded - {"reference"}, "cheating is held back, everyone else gets feedback"
    with zipfile.ZipFile(course / "grades" / "feedback" / ASSIGNMENT / "good1.zip") as archive:
        # the page and the copy of MathJax it typesets its math with, offline
        assert archive.namelist() == [f"{ASSIGNMENT}/cross_entropy.html", f"{ASSIGNMENT}/mathjax/tex-svg-full.js"]
    autograded = read(course / "autograded" / "native_read" / ASSIGNMENT / NOTEBOOK)
    printed = "".join(str(o) for c in autograded.cells if not is_test_cell(c) for o in c.get("outputs", []))
    assert "BEGIN HIDDEN TESTS" not in printed and "nbgrader" not in printed, "native code read a secret"


# -- interrupted and resumed ---------------------------------------------------------------------------
def scratch_env(tmp_path):
    """An environment whose temporary folder (where the runner keeps its workers' scratch, the
    kernels' working folders) is a folder of this test, so that kernels left behind can be found."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    return scratch, {**os.environ, "TMPDIR": str(scratch)}


def test_interrupted_batch_resumes(tmp_path):
    course = make_course(tmp_path)
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    release = released(course)
    students = ["s1", "s2", "s3", "s4"]
    for student in students[:3]:
        save(course, student, correct(release))
    save(course, "s4", submission(release, wrong_answers()))
    command = [sys.executable, "-m", "grading", "--course", str(course), "autograde", "--jobs", "1",
               "--timeout", TIMEOUT, "--no-progress"]
    scratch, env = scratch_env(tmp_path)
    process = subprocess.Popen(command, cwd=ROOT / "autograder", stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, env=env)
    status_file = course / "grades" / "status.json"
    deadline = time.monotonic() + 300
    graded = {}
    while time.monotonic() < deadline and process.poll() is None:
        if status_file.is_file():
            graded = {k: e for k, e in json.loads(status_file.read_text())["submissions"].items()
                      if e["status"] == "graded"}
            if graded:
                break
        time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=120)
    assert process.returncode == 130, output
    assert "run the same command again to resume" in output
    done = {k: e for k, e in statuses(course).items() if e["status"] == "graded"}
    unfinished = {k: e for k, e in statuses(course).items() if e["status"] != "graded"}
    assert 1 <= len(done) < 4, output
    assert len(unfinished) <= 1, "one worker: at most one submission was being graded"
    assert all(e["status"] == "error" and e["detail"] == "grading started, not finished" and not e["graded"]
               for e in unfinished.values()), unfinished
    assert not processes_in(scratch), "a kernel outlived the interrupted batch"
    in_process(report.write_grades, course)
    for key in unfinished:              # nbgrader may have its row already: the report shows no 0
        row = csv_rows(course)[key.split("/")[1]]
        assert (row["status"], row["score"]) == ("error", ""), row

    proc = grading(course, "autograde", "--jobs", "2", "--timeout", TIMEOUT, "--no-progress")
    assert f"{4 - len(done)} submission(s) to grade, {len(done)} unchanged" in proc.stdout
    in_process(report.write_grades, course)
    rows = csv_rows(course)
    assert {s: rows[s]["score"] for s in students} == {
        "s1": f"{FULL:g}", "s2": f"{FULL:g}", "s3": f"{FULL:g}", "s4": f"{expected_points(wrong_answers()):g}"}


def test_budget_kills_a_kernel_that_ignores_interrupts(tmp_path):
    """--budget: past it the runner kills the kernel (a top-level loop that ignores SIGINT would
    otherwise run until the cell timeout, here far away); the rest of the batch is graded."""
    course = make_course(tmp_path)
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    release = released(course)
    stubborn = SOFTMAX + '''

import signal
signal.signal(signal.SIGINT, signal.SIG_IGN)
while True:
    pass
'''
    save(course, "stubborn", submission(release, {**ANSWERS, "softmax": stubborn}))
    save(course, "steady", correct(release))
    started = time.monotonic()
    scratch, env = scratch_env(tmp_path)
    proc = grading(course, "autograde", "--jobs", "2", "--timeout", "300", "--budget", "30",
                   "--no-progress", check=False, env=env)
    seconds = time.monotonic() - started
    # (not the exit code: it is 1 as well when someone edits the course package meanwhile)
    assert "1 timed_out, 1 graded" in proc.stdout, proc.stdout + proc.stderr
    assert seconds < 150, f"the batch took {seconds:.0f} s: the budget did not stop the kernel"
    entry = statuses(course)[f"{ASSIGNMENT}/stubborn"]
    assert entry["status"] == "timed_out" and "30 s budget" in entry["detail"], entry
    assert not entry["graded"] and entry["score"] is None
    assert not processes_in(scratch), "the killed kernel is still running"
    in_process(report.write_grades, course)
    rows = csv_rows(course)
    assert (rows["stubborn"]["status"], rows["stubborn"]["score"]) == ("timed_out", "")
    assert (rows["steady"]["status"], rows["steady"]["score"]) == ("graded", f"{FULL:g}")


# -- PostgreSQL -----------------------------------------------------------------------------------------------
def postgres_bin():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def install_postgres():
    """apt-get install postgresql (as root); returns why it could not, or None."""
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return "not root or no apt-get"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    command = ["apt-get", "install", "-y", "-q", "--no-install-recommends", "postgresql"]
    if subprocess.run(command, env=env, capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True)
        proc = subprocess.run(command, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            return proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "apt-get failed"
    return None


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def postgres():
    """The URL of a database on a throw-away PostgreSQL cluster, started here and stopped after."""
    bindir = postgres_bin()
    if bindir is None:
        why = install_postgres()
        bindir = postgres_bin()
        if bindir is None:
            pytest.skip(f"PostgreSQL is not installed and could not be installed ({why})")
    folder = Path(tempfile.mkdtemp(prefix="nntrain-postgres-"))
    as_user = []
    if os.geteuid() == 0:          # initdb refuses to run as root
        user = pwd.getpwnam("postgres")
        os.chown(folder, user.pw_uid, user.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"] if shutil.which("runuser") else None
        assert as_user, "runuser is needed to start PostgreSQL as the postgres user"
    data, port = folder / "data", free_port()

    def run(*command):
        proc = subprocess.run([*as_user, *command], capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, f"{command[0]} failed:\n{proc.stdout}\n{proc.stderr}"

    run(str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
    run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-w", "-t", "60",
        "-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
    try:
        run(str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "gradebook")
        yield f"postgresql+psycopg2://postgres@127.0.0.1:{port}/gradebook"   # psycopg2: the course installs it
    finally:
        subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


def small_batch(course):
    release = released(course)
    save(course, "good", correct(release))
    save(course, "wrong", submission(release, wrong_answers()))
    save(course, "tampered", with_tests_emptied(submission(release, wrong_answers())))
    save(course, "noisy", submission(release, {**ANSWERS, "softmax": STDERR_NOISE}))
    save(course, "blank", submission(release))
    save(course, "invalid", text="not a notebook")


def test_postgres_parallel_equals_sqlite_serial(tmp_path, postgres, monkeypatch):
    serial = make_course(tmp_path / "sqlite")
    nbgrader(serial, "generate_assignment", ASSIGNMENT, "--force")
    small_batch(serial)
    autograde(serial, "--jobs", "1")

    env = {**os.environ, "NNTRAIN_GRADEBOOK_URL": postgres}
    parallel = make_course(tmp_path / "postgres")
    nbgrader(parallel, "generate_assignment", ASSIGNMENT, "--force", env=env)
    assert not (parallel / "gradebook.db").exists(), "the gradebook must be PostgreSQL, not SQLite"
    small_batch(parallel)
    autograde(parallel, "--jobs", "3", env=env)

    in_process(report.write_grades, serial)
    monkeypatch.setenv("NNTRAIN_GRADEBOOK_URL", postgres)
    in_process(report.write_grades, parallel)
    assert csv_rows(parallel) == csv_rows(serial)
    assert len(csv_rows(serial)) == 6
    cells = {k: v.get("cells") for k, v in statuses(serial).items()}
    assert {k: v.get("cells") for k, v in statuses(parallel).items()} == cells
    assert gradebook_dump(postgres) == gradebook_dump(f"sqlite:///{serial / 'gradebook.db'}")
