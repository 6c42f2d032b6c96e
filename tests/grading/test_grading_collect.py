"""Importing an LMS zip of submissions (`make collect ZIP=...`, grading/collect.py)."""
import json
import re
import zipfile

import nbformat
import pytest

from helpers import ROOT
from helpers.course import ASSIGNMENT, make_course
from helpers.grading import grading

from grading.course import load_config

REGEXP = load_config(ROOT / "autograder").FileNameCollectorPlugin.named_regexp


@pytest.mark.parametrize("name, student, notebook, person, late", [
    ("doejane_12345_678901_cross_entropy.ipynb", "12345", "cross_entropy", "doejane", False),     # Canvas
    ("doejane_LATE_12345_678901_cross_entropy.ipynb", "12345", "cross_entropy", "doejane", True),  # late
    ("doejane_12345_678901_cross_entropy-1.ipynb", "12345", "cross_entropy", "doejane", False),   # again
    ("jdoe_cross_entropy.ipynb", "jdoe", "cross_entropy", None, False),                            # plain
    ("jdoe_CrossEntropy.ipynb", "jdoe", "CrossEntropy", None, False),                              # misnamed
])
def test_file_names_of_an_lms_download(name, student, notebook, person, late):
    for path in (name, f"/tmp/downloaded/{ASSIGNMENT}/extracted/{name}"):
        match = re.match(REGEXP, path)
        assert match and match["student_id"] == student and match["file_id"] == notebook, path
        assert match["name"] == person and bool(match["late"]) == late, path


def lms_zip(path, files):
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return path


def notebook_text(source):
    return nbformat.writes(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)]))


def test_collect_puts_each_file_in_its_students_folder(tmp_path):
    course = make_course(tmp_path / "course")
    text = notebook_text("x = 1")
    download = lms_zip(tmp_path / f"{ASSIGNMENT} submissions.zip", {
        "doejane_12_34_cross_entropy.ipynb": text,
        "roe_LATE_56_78_cross_entropy-2.ipynb": text,
        "kim_CrossEntropy.ipynb": text,
        "notes.txt": "not a notebook",
    })
    proc = grading(course, "collect", str(download), check=False)   # the assignment is read from the zip's name
    assert proc.returncode == 0, proc.stdout + proc.stderr
    submitted = course / "submitted"
    assert sorted(str(p.relative_to(submitted)) for p in submitted.rglob("*.ipynb")) == [
        f"12/{ASSIGNMENT}/cross_entropy.ipynb", f"56/{ASSIGNMENT}/cross_entropy.ipynb",
        f"kim/{ASSIGNMENT}/CrossEntropy.ipynb"]
    assert "3 student(s) in the zip: 3 new, 0 changed, 0 unchanged" in proc.stdout, proc.stdout
    assert "kim: notebook name(s) CrossEntropy.ipynb not in the assignment" in proc.stdout
    assert "skipped notes.txt: not a notebook" in proc.stdout and "late (flagged by the LMS): 56" in proc.stdout
    assert sorted(p.name for p in course.iterdir()) == [
        "gradebook.db", "grades", "grading", "nbgrader_config.py", "submitted"]

    again = lms_zip(tmp_path / "late.zip", {"roe_LATE_56_78_cross_entropy.ipynb": notebook_text("x = 2"),
                                            "doejane_12_34_cross_entropy.ipynb": text})
    proc = grading(course, "collect", str(again), "--assignment", ASSIGNMENT, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 student(s) in the zip: 0 new, 1 changed, 1 unchanged" in proc.stdout, proc.stdout
    assert "changed: 56\n" in proc.stdout and "12" not in proc.stdout.split("changed")[0].splitlines()[-1]
    assert "x = 2" in (submitted / "56" / ASSIGNMENT / "cross_entropy.ipynb").read_text()
    assert "x = 1" in (submitted / "12" / ASSIGNMENT / "cross_entropy.ipynb").read_text()

    proc = grading(course, "collect", str(again), "--assignment", ASSIGNMENT)
    assert "0 new, 0 changed, 2 unchanged" in proc.stdout and "next: make autograde" not in proc.stdout


def test_same_names_stay_two_students_with_their_names_and_lateness(tmp_path):
    course = make_course(tmp_path / "course")
    download = lms_zip(tmp_path / "export.zip", {
        "smithjohn_1001_5001_cross_entropy.ipynb": notebook_text("first = 1"),
        "smithjohn_LATE_1002_5002_cross_entropy.ipynb": notebook_text("second = 2"),
    })
    proc = grading(course, "collect", str(download))     # the assignment from the notebooks inside
    assert f"export.zip: assignment {ASSIGNMENT} (the zip holds its notebook(s) cross_entropy.ipynb)" \
        in proc.stdout
    assert "first = 1" in (course / "submitted" / "1001" / ASSIGNMENT / "cross_entropy.ipynb").read_text()
    assert "second = 2" in (course / "submitted" / "1002" / ASSIGNMENT / "cross_entropy.ipynb").read_text()
    ledger = json.loads((course / "grades" / "collected.json").read_text())
    assert ledger[f"{ASSIGNMENT}/1002"]["late"] is True and ledger[f"{ASSIGNMENT}/1001"]["late"] is False
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "nntrain") as gb:
        assert {s.id: s.last_name for s in gb.students} == {"1001": "smithjohn", "1002": "smithjohn"}


def test_two_files_for_one_notebook_keep_the_newer(tmp_path):
    course = make_course(tmp_path / "course")
    path = tmp_path / "twice.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("lee_7_8_cross_entropy.ipynb", (2026, 10, 2, 9, 0, 0)),
                         notebook_text("newer = 1"))
        archive.writestr(zipfile.ZipInfo("lee_7_8_cross_entropy-1.ipynb", (2026, 10, 1, 9, 0, 0)),
                         notebook_text("older = 1"))
    proc = grading(course, "collect", str(path), "--assignment", ASSIGNMENT)
    assert "7: two files for cross_entropy.ipynb; kept lee_7_8_cross_entropy.ipynb" in proc.stdout
    assert "newer = 1" in (course / "submitted" / "7" / ASSIGNMENT / "cross_entropy.ipynb").read_text()


def test_a_time_in_the_file_name_is_the_submission_time(tmp_path):
    course = make_course(tmp_path / "course")
    download = lms_zip(tmp_path / "timed.zip", {"ann_20261003T143000Z_cross_entropy.ipynb": notebook_text("")})
    pattern = r"(?P<student_id>[^_]+)_(?P<timestamp>[0-9TZ]+)_(?P<file_id>.+)\.ipynb"
    grading(course, "collect", str(download), "--regexp", pattern)
    stamp = (course / "submitted" / "ann" / ASSIGNMENT / "timestamp.txt").read_text()
    assert stamp.startswith("2026-10-03 14:30:00"), stamp


def test_collect_needs_a_known_assignment(tmp_path):
    course = make_course(tmp_path / "course")
    download = lms_zip(tmp_path / "download.zip", {"a_lecture_notes.ipynb": "{}"})
    proc = grading(course, "collect", str(download), check=False)
    assert proc.returncode == 2 and "give ASSIGNMENT=<id>" in proc.stderr, proc.stderr


def test_a_zip_of_several_assignments_asks_which(tmp_path):
    course = make_course(tmp_path / "course")
    download = lms_zip(tmp_path / "everything.zip", {"a_cross_entropy.ipynb": "{}", "a_mini_batch.ipynb": "{}"})
    proc = grading(course, "collect", str(download), check=False)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "holds notebooks of several assignments: ch01_cross_entropy (cross_entropy.ipynb); " \
           "ch02_mini_batch (mini_batch.ipynb)" in proc.stderr, proc.stderr
