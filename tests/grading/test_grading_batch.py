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
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from helpers import ROOT
from helpers.course import (ASSIGNMENT, NOTEBOOK, WRITTEN, correct, expected_points, make_course, nbgrader,
                            released, save, solution_answers, submission, wrong_answers, FULL, TOTAL,
                            manual_points)
from helpers.grading import (csv_rows, digest, gradebook_dump, grading, in_process, processes_in,
                             processes_named, require_sandbox, statuses)
from helpers.leaks import find_leaks, needles
from helpers.notebooks import BEGIN_HIDDEN, END_HIDDEN, is_test_cell, read, region_lines, solution_notebook

from grading import feedback, records, report

TIMEOUT = "5"          # seconds per cell: the loops cost little; a loaded machine still passes
MEMORY = "2048"        # MB per kernel (a bare kernel with NumPy takes about 1 GB of address space)


def autograde(course, *args, **kwargs):
    return grading(course, "autograde", "--timeout", TIMEOUT, "--memory", MEMORY, "--no-progress",
                   *args, **kwargs)


# -- the kinds of submission --------------------------------------------------------------------------
ANSWERS = solution_answers()
SOFTMAX, CEE = ANSWERS["softmax"], ANSWERS["cross_entropy_error"]

LOOP_AT_TOP = SOFTMAX + '''

while True:            # a loop that never ends, at the top of the cell
    pass
'''
IGNORES_SIGINT = '''
import signal

def softmax(a):
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # the interrupt that stops a timed-out cell
    while True:
        pass
'''
MEMORY_HOG = SOFTMAX + '''

def remember_everything():
    blocks = []
    while True:
        blocks.append(np.zeros(25_000_000))   # 200 MB more, again and again

remember_everything()
'''
STDERR_NOISE = '''
import sys

def softmax(a):
    print("debug: softmax of", a, file=sys.stderr)   # correct, but chatty on stderr
    exp_a = np.exp(a - np.max(a))
    return exp_a / np.sum(exp_a)
'''
CRASH = SOFTMAX + '''

import os, signal
os.kill(os.getpid(), signal.SIGKILL)     # what the kernel's end looks like to the grader after an OOM kill
'''
IMPORT_ERROR = "import torch_that_is_not_installed\n\n" + SOFTMAX
# COURSE stands for the course root: a student can guess where the instructor keeps it
OUTSIDE_WRITE = SOFTMAX + '''

import os
for target in ("COURSE/submitted/good1/ch01_cross_entropy/cross_entropy.ipynb", "COURSE/gradebook.db"):
    try:
        with open(target, "w") as handle:      # another student's submission, the gradebook
            handle.write("{}")
    except OSError:
        pass
try:
    os.remove("COURSE/submitted/good1/ch01_cross_entropy/cross_entropy.ipynb")
except OSError:
    pass
'''
PEEK = SOFTMAX + '''

import glob
import json
for pattern in ("COURSE/../solutions/*/*.ipynb", "COURSE/submitted/*/ch01_cross_entropy/*.ipynb"):
    try:                                   # the solutions and hidden tests, other students' work
        for path in glob.glob(pattern):
            print(open(path).read())
    except OSError:
        pass
'''
REFERENCE = "from nntrain import softmax   # the course package's own\n"
STARTUP_FILE = SOFTMAX + '''

import os, site
hook = """
import nntrain.functions
def _sabotage(info):
    nntrain.functions.softmax = lambda a: a      # every later hidden test would fail
get_ipython().events.register("pre_run_cell", _sabotage)
"""
startup = get_ipython().profile_dir.startup_dir    # IPython runs these files when a kernel starts
for target, text in ((os.path.join(startup, "00-grading.py"), hook),
                     (os.path.join(site.getsitepackages()[0], "zz_grading.pth"), "# harmless\\n")):
    try:
        with open(target, "w") as handle:
            handle.write(text)
    except OSError:
        pass
'''
SHADOW_PACKAGE = wrong_answers()["softmax"] + '''

import os
os.makedirs("nntrain", exist_ok=True)           # a fake package: hidden tests would compare
with open("nntrain/__init__.py", "w") as handle:    # the answer with itself
    handle.write("")
with open("nntrain/functions.py", "w") as handle:
    handle.write("from __main__ import softmax, cross_entropy_error\\n")
'''

# -- what only the sandbox stops: native code, sockets, processes, the temporary folder ----------------
# Each defines a correct softmax first, so the tests score 10; the attack's failure then names
# what the operating system refused (status answer_error).  COURSE, PACKAGE and PORT are filled in.
NATIVE = '''
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
libc.open.argtypes = [ctypes.c_char_p, ctypes.c_int]

def native_open(path, flags):              # the C library's open: the in-kernel guard never sees it
    fd = libc.open(path.encode(), flags)
    if fd < 0:
        number = ctypes.get_errno()
        raise OSError(number, os.strerror(number), path)
    return fd
'''
NATIVE_READ = SOFTMAX + NATIVE + '''
stolen = []
for path in ("COURSE/../solutions/ch01_cross_entropy/cross_entropy.ipynb",
             "COURSE/submitted/good1/ch01_cross_entropy/cross_entropy.ipynb", "COURSE/gradebook.db"):
    fd = native_open(path, os.O_RDONLY)
    buffer = ctypes.create_string_buffer(1 << 20)
    stolen.append(buffer.raw[:libc.read(fd, buffer, len(buffer))])
print(stolen)
'''
NATIVE_WRITE = SOFTMAX + NATIVE + '''
refused = []
for path in ("COURSE/submitted/good1/ch01_cross_entropy/cross_entropy.ipynb", "PACKAGE/functions.py"):
    try:
        fd = native_open(path, os.O_WRONLY | os.O_APPEND)
    except OSError as error:
        refused.append(f"{error.strerror}: {path}")
        continue
    if "submitted" in path:
        libc.write(fd, b"\\n", 1)             # another student's notebook, one byte longer
    libc.close(fd)
if refused:
    raise OSError("; ".join(refused))
'''
NETWORK = SOFTMAX + '''
import socket
with socket.create_connection(("127.0.0.1", PORT), timeout=5) as connection:
    connection.sendall(b"answers, please")     # a listener the tests started on this machine
'''
LEFTOVER = SOFTMAX + '''
import ctypes, os, time
if os.fork() == 0:                     # a child that leaves the kernel's session and waits
    os.setsid()
    ctypes.CDLL(None).prctl(15, b"nntrain-left", 0, 0, 0)     # PR_SET_NAME: findable by its name
    time.sleep(600)
    os._exit(0)
'''
FILL_TMP = SOFTMAX + '''
import os, tempfile
block = b"x" * (16 << 20)
with tempfile.NamedTemporaryFile(prefix="nntrain-fill-") as handle:
    for _ in range(32):                # at most 512 MB, far beyond the private folder's size
        handle.write(block)
        handle.flush()
'''
FORK_STORM = SOFTMAX + '''
import ctypes, os, signal, time
children = []
try:
    for _ in range(400):               # bounded: more than the sandbox's process limit
        pid = os.fork()
        if pid == 0:
            ctypes.CDLL(None).prctl(15, b"nntrain-storm", 0, 0, 0)
            time.sleep(600)
            os._exit(0)
        children.append(pid)
finally:
    for pid in children:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
'''


def without_tests(notebook):
    notebook.cells = [c for c in notebook.cells if not is_test_cell(c)]
    return notebook


def with_tests_emptied(notebook):
    for cell in notebook.cells:
        if is_test_cell(cell):
            cell.source = "pass"
    return notebook


@dataclass
class Kind:
    """A submission of the matrix and what grading it must give."""
    status: str
    score: object        # points; "" when not graded; or answers, scored by their tests (in process)
    words: str           # part of the detail
    answers: dict = None  # the answer cells' sources; None: the released stubs
    written: str = WRITTEN   # the written answer; None: left as released
    change: object = None   # a function that edits the notebook
    text: str = None     # the file's text instead of a notebook
    name: str = NOTEBOOK
    sandbox: bool = False   # only the sandbox stops it


WRONG = wrong_answers()
# student -> Kind: the one list of the matrix.  Submissions are graded in the order of the students'
# ids: "autostart" (which tries to plant a startup file for the kernels after it) comes first.
BATCH = {
    # good ones
    "good1": Kind("graded", FULL, "awaits manual grading", ANSWERS),
    "good2": Kind("graded", FULL, "", ANSWERS, written=None),
    "wrong": Kind("graded", WRONG, "", WRONG),
    "blank": Kind("graded", 0.0, "not attempted: softmax, cross_entropy_error"),
    # bad ones
    "autostart": Kind("outside_access", FULL, "startup/00-grading.py was blocked",
                      {**ANSWERS, "softmax": STARTUP_FILE}),
    "invalid_json": Kind("invalid_notebook", "", "not valid JSON", text='{"cells": [{"source": '),
    "empty_file": Kind("invalid_notebook", "", "is empty", text=""),
    "wrong_name": Kind("missing_notebook", "", "found cross_entropy (1).ipynb", ANSWERS,
                       name="cross_entropy (1).ipynb"),
    "deleted_tests": Kind("tampered", FULL, "test cell test_softmax_values deleted", ANSWERS,
                          change=without_tests),
    "tampered_tests": Kind("tampered", WRONG, "test cell test_softmax_values edited", WRONG,
                           change=with_tests_emptied),
    "infinite_loop": Kind("timed_out", FULL, f"cell softmax ran past the {TIMEOUT} s limit",
                          {**ANSWERS, "softmax": LOOP_AT_TOP}),
    "ignores_sigint": Kind("timed_out", "", "ignored the interrupt", {**ANSWERS, "softmax": IGNORES_SIGINT}),
    "memory_hog": Kind("memory_limit", FULL, "cell softmax ran out of memory", {**ANSWERS, "softmax": MEMORY_HOG}),
    "kernel_crash": Kind("kernel_died", "", "the kernel died in cell softmax", {**ANSWERS, "softmax": CRASH}),
    "stderr_noise": Kind("stderr", {"softmax": STDERR_NOISE}, "wrote to stderr",
                         {**ANSWERS, "softmax": STDERR_NOISE}),
    "import_error": Kind("answer_error", {"softmax": IMPORT_ERROR}, "ModuleNotFoundError",
                         {**ANSWERS, "softmax": IMPORT_ERROR}),
    "outside_write": Kind("outside_access", FULL,
                          "submitted/good1/ch01_cross_entropy/cross_entropy.ipynb was blocked",
                          {**ANSWERS, "softmax": OUTSIDE_WRITE}),
    "peek_solutions": Kind("outside_access", FULL, "solutions was blocked", {**ANSWERS, "softmax": PEEK}),
    "reference": Kind("cheating", 0.0, "softmax is nntrain.functions.softmax", {**ANSWERS, "softmax": REFERENCE}),
    "shadow_package": Kind("graded", WRONG, "", {**WRONG, "softmax": SHADOW_PACKAGE}),
    # what the guard does not see
    "native_read": Kind("answer_error", FULL, "raised FileNotFoundError: [Errno 2] No such file or directory",
                        {**ANSWERS, "softmax": NATIVE_READ}, sandbox=True),
    "native_write": Kind("answer_error", FULL, "raised OSError: No such file or directory",
                         {**ANSWERS, "softmax": NATIVE_WRITE}, sandbox=True),
    "network": Kind("answer_error", FULL, "Connection refused", {**ANSWERS, "softmax": NETWORK}, sandbox=True),
    "leftover": Kind("graded", FULL, "awaits manual grading", {**ANSWERS, "softmax": LEFTOVER}, sandbox=True),
    "fill_tmp": Kind("answer_error", FULL, "No space left on device", {**ANSWERS, "softmax": FILL_TMP},
                     sandbox=True),
    "fork_storm": Kind("answer_error", FULL, "Resource temporarily unavailable",
                       {**ANSWERS, "softmax": FORK_STORM}, sandbox=True),
}
PACKAGE = Path(__import__("nntrain").__file__).resolve().parent


def build_batch(course, port):
    """Write the submissions of BATCH; returns {student: (status, score or "", words in the detail)}."""
    release = released(course)
    expected = {}
    for student, kind in BATCH.items():
        if kind.text is not None:
            save(course, student, text=kind.text, name=kind.name)
        else:
            answers = {name: source.replace("COURSE", str(course)).replace("PACKAGE", str(PACKAGE))
                       .replace("PORT", str(port)) for name, source in (kind.answers or {}).items()}
            notebook = submission(release, answers or None, written=kind.written)
            save(course, student, kind.change(notebook) if kind.change else notebook, name=kind.name)
        score = expected_points(kind.score) if isinstance(kind.score, dict) else kind.score
        expected[student] = (kind.status, score, kind.words)
    return expected


class Listener:
    """A TCP server on 127.0.0.1 that counts the connections it gets."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            self.connections += 1
            connection.close()


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
    or an unfinished submission: see test_interrupted_batch_resumes)."""
    assert {kind.status for kind in BATCH.values()} == set(records.STATUSES) - {"error"}
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
    code, output = in_process(feedback.generate, course)
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
    assert in_process(feedback.pack, course)[0] == 0
    zips = {p.stem for p in (course / "grades" / "feedback" / ASSIGNMENT).glob("*.zip")}
    assert zips == graded - {"reference"}, "cheating is held back, everyone else gets feedback"
    with zipfile.ZipFile(course / "grades" / "feedback" / ASSIGNMENT / "good1.zip") as archive:
        assert archive.namelist() == [f"{ASSIGNMENT}/cross_entropy.html"]
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
