"""Running the grading tool (autograder/grading) from the tests, and reading what it wrote.

:func:`grading` runs ``python -m grading`` the way ``make`` does; :func:`require_sandbox`
makes sure bubblewrap is there (Debian's ``bubblewrap``, installed with apt-get when
missing and the tests run as root, like Chromium in :mod:`helpers.browser`): without
it the sandbox tests are skipped with a message, or fail if
``NNTRAIN_REQUIRE_SANDBOX=1`` (CI sets it).
"""
import csv
import functools
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import ROOT, apt

BUBBLEWRAP_PACKAGES = ["bubblewrap"]


def grading(course, *args, check=True, env=None, timeout=900):
    """Run ``python -m grading --course COURSE ARGS`` the way `make` does (from autograder/)."""
    proc = subprocess.run([sys.executable, "-m", "grading", "--course", str(course), *args],
                          cwd=ROOT / "autograder", capture_output=True, text=True, env=env, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"grading {' '.join(args)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    return proc


def in_process(function, course, *args):
    """A quick command (grades, feedback, pack) run in this process: (exit code, output)."""
    from grading.course import Course

    out = io.StringIO()
    code = function(Course(course), *args, out=out)
    return code, out.getvalue()


def statuses(course):
    """The submissions of grades/status.json, as the JSON has them."""
    return json.loads((course / "grades" / "status.json").read_text())["submissions"]


def csv_rows(course):
    with open(course / "grades" / "grades.csv", newline="") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


def gradebook_dump(db_url, course_id="nntrain"):
    """Every grade and comment in the gradebook, as comparable tuples."""
    from nbgrader.api import Gradebook

    with Gradebook(db_url, course_id) as gb:
        rows = []
        for assignment in gb.assignments:
            for sub in assignment.submissions:
                for notebook in sub.notebooks:
                    rows += [("grade", sub.student.id, notebook.name, g.name, g.auto_score, g.manual_score,
                              g.needs_manual_grade) for g in notebook.grades]
                    rows += [("comment", sub.student.id, notebook.name, c.name, c.auto_comment, c.manual_comment)
                             for c in notebook.comments]
        return sorted(rows, key=repr)


def digest(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def processes_named(name):
    """Pids of the processes whose name (``/proc/<pid>/comm``) is ``name``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == name:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def processes_in(folder):
    """Processes whose working folder is inside ``folder`` (grading kernels left behind)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.readlink(entry / "cwd").startswith(str(folder)):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def _install_bubblewrap():
    """apt-get install bubblewrap; returns why it could not, or ""."""
    return apt.install(BUBBLEWRAP_PACKAGES, lambda: shutil.which("bwrap") is not None)


@functools.cache
def sandbox_problem():
    """Why grading kernels cannot be sandboxed here ("" if they can), after installing bubblewrap."""
    from grading import sandbox

    if sys.platform.startswith("linux") and shutil.which("bwrap") is None:
        why = _install_bubblewrap()
        if why:
            return f"bubblewrap is not installed and could not be installed: {why}"
    works, why = sandbox.probe()
    return "" if works else why


def require_sandbox():
    """Skip the test when the sandbox cannot run here (fail instead if NNTRAIN_REQUIRE_SANDBOX=1)."""
    why = sandbox_problem()
    if why:
        message = f"SKIPPED SANDBOX TESTS: {why}"
        if os.environ.get("NNTRAIN_REQUIRE_SANDBOX") == "1":
            pytest.fail(message + " (NNTRAIN_REQUIRE_SANDBOX=1 makes this a failure)", pytrace=False)
        pytest.skip(message)
