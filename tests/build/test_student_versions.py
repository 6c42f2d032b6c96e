"""Student versions for the book, the lab and the student branch leave the instructor's course alone.

`make exercises` (which `make book`, `make lab` and `make student-branch` run)
generates them in a scratch course: the course's `autograder/release/`,
gradebook and log stay as they were (absent stays absent, present stays
byte-identical, modification times included), the gradebook named by
`NNTRAIN_GRADEBOOK_URL` is never opened, and what it writes is exactly what
`nbgrader generate_assignment` makes of `solutions/`.  Each test runs make in
a copy of the working tree.
"""
import os
import subprocess
import sys

import pytest

from helpers import ROOT
from helpers.checkout import copy_checkout, make
from helpers.course import nbgrader
from helpers.notebooks import assignment_ids

EXERCISES = ROOT / "exercises"
TOOL = ROOT / "tools" / "student_versions.py"
NOISE = ("Removing existing assignment", "Updating existing assignment")


def snapshot(folder):
    """Every file and folder below ``folder``: its bytes (files) and modification time."""
    if not folder.exists():
        return None
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*"))}


def released(folder):
    """``{assignment-id/file: bytes}`` of a folder of student versions."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def generated(student_versions):
    """What `nbgrader generate_assignment` writes for every assignment, in a course of its own."""
    versions = {}
    for assignment_id in assignment_ids():
        notebook = student_versions(assignment_id)
        versions.update({f"{assignment_id}/{p.name}": p.read_bytes()
                         for p in sorted(notebook.parent.iterdir()) if p.is_file()})
    return versions


def run(checkout, *arguments, env=None):
    done = make(checkout, *arguments, env=env)
    assert done.returncode == 0, f"make {' '.join(arguments)} failed:\n{done.stdout}{done.stderr}"
    output = done.stdout + done.stderr
    assert not [n for n in NOISE if n in output], f"make {' '.join(arguments)} is noisy:\n{output}"
    return output


def test_exercises_leave_an_absent_course_absent(tmp_path, generated):
    checkout = copy_checkout(tmp_path / "course")
    elsewhere = tmp_path / "instructor-gradebook.db"
    env = {**os.environ, "NNTRAIN_GRADEBOOK_URL": f"sqlite:///{elsewhere}"}
    course = snapshot(checkout / "autograder")
    sources = snapshot(checkout / "solutions")
    run(checkout, "exercises", env=env)
    assert snapshot(checkout / "autograder") == course, "make exercises wrote into autograder/"
    assert not (checkout / "autograder" / "release").exists()
    assert not elsewhere.exists(), "make exercises opened the gradebook of NNTRAIN_GRADEBOOK_URL"
    assert snapshot(checkout / "solutions") == sources, "make exercises changed solutions/"
    assert released(checkout / "exercises") == generated, (
        "exercises/ is not what nbgrader generate_assignment makes of solutions/")
    again = run(checkout, "exercises", env=env)
    assert "Nothing to be done for 'exercises'" in again, f"a second make exercises did work:\n{again}"


def test_exercises_leave_a_present_course_byte_identical(tmp_path, generated):
    checkout = copy_checkout(tmp_path / "course")
    course = checkout / "autograder"
    # the instructor released the first assignment (release/, gradebook.db) and got a submission
    first = assignment_ids()[0]
    env = {k: v for k, v in os.environ.items() if k != "NNTRAIN_GRADEBOOK_URL"}
    nbgrader(course, "generate_assignment", first, "--force", env=env)
    assert (course / "gradebook.db").is_file() and (course / "release" / first).is_dir()
    submitted = course / "submitted" / "doe" / first
    submitted.mkdir(parents=True)
    for notebook in (course / "release" / first).glob("*.ipynb"):
        (submitted / notebook.name).write_bytes(notebook.read_bytes())
    before = snapshot(course)
    run(checkout, "exercises")
    assert snapshot(course) == before, "make exercises changed the instructor's course"
    assert released(checkout / "exercises") == generated
    # a changed source regenerates every exercise, and still leaves the course alone
    source = next((checkout / "solutions" / first).glob("*.ipynb"))
    later = (checkout / "exercises" / first / source.name).stat().st_mtime_ns + 1000
    os.utime(source, ns=(later, later))
    output = run(checkout, "exercises")
    assert "student_versions.py generate exercises" in output, f"not regenerated:\n{output}"
    assert snapshot(course) == before, "make exercises changed the instructor's course"
    assert released(checkout / "exercises") == generated


def test_student_branch_holds_the_generated_exercises(tmp_path, generated):
    checkout = copy_checkout(tmp_path / "course")
    identity = {"GIT_AUTHOR_NAME": "Course", "GIT_AUTHOR_EMAIL": "course@example.org",
                "GIT_COMMITTER_NAME": "Course", "GIT_COMMITTER_EMAIL": "course@example.org"}
    env = {**os.environ, **identity}

    def git(*args):
        return subprocess.run(["git", *args], cwd=checkout, env=env, check=True,
                              capture_output=True).stdout

    git("init", "--quiet", "--initial-branch=main")
    git("add", "--all")
    git("commit", "--quiet", "--message=course")
    before = snapshot(checkout / "autograder")
    run(checkout, "student-branch", env=env)
    assert snapshot(checkout / "autograder") == before, "make student-branch wrote into autograder/"
    files = git("ls-tree", "-r", "--name-only", "student").decode().split("\n")
    assert not [f for f in files if f.startswith(("solutions/", "autograder/", "tests/"))], files
    branch = {f.removeprefix("exercises/"): git("show", f"student:{f}")
              for f in files if f.startswith("exercises/")}
    assert branch == generated, (
        "the student branch's exercises are not what nbgrader generate_assignment makes")


def test_exercises_of_the_book_are_current(generated):
    """The book's copies (`make book` made them) are what nbgrader makes of today's solutions/."""
    if not EXERCISES.is_dir():
        pytest.fail(f"{EXERCISES} is missing: run make book (make test does)", pytrace=False)
    assert released(EXERCISES) == generated, (
        "exercises/ differs from what nbgrader generate_assignment makes of solutions/: run make book")


def test_lab_copies_only_what_the_student_lacks(tmp_path):
    source, lab = tmp_path / "exercises", tmp_path / "lab"
    for name in ("a/one.ipynb", "a/two.ipynb", "b/three.ipynb"):
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_text(f"student version of {name}")
    (lab / "a").mkdir(parents=True)
    (lab / "a" / "one.ipynb").write_text("my answers")
    command = [sys.executable, str(TOOL), "lab", str(source), str(lab)]
    first = subprocess.run(command, capture_output=True, text=True, check=True)
    assert (lab / "a" / "one.ipynb").read_text() == "my answers", "the student's work was overwritten"
    assert (lab / "a" / "two.ipynb").read_text() == "student version of a/two.ipynb"
    assert (lab / "b" / "three.ipynb").read_text() == "student version of b/three.ipynb"
    assert "one.ipynb" not in first.stdout and "two.ipynb" in first.stdout, first.stdout
    second = subprocess.run(command, capture_output=True, text=True, check=True)
    assert second.stdout == "" and second.stderr == "", "nothing was new, yet the lab copy spoke"
