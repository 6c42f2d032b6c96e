"""Importing an LMS zip of submissions (`make collect ZIP=...`, nbgrader's zip_collect)."""
import re
import zipfile

import nbformat
import pytest

from helpers import ROOT
from helpers.course import ASSIGNMENT, make_course
from helpers.grading import grading

from grading.course import load_config

REGEXP = load_config(ROOT / "autograder").FileNameCollectorPlugin.named_regexp


@pytest.mark.parametrize("name, student, notebook", [
    ("doejane_12345_678901_cross_entropy.ipynb", "doejane", "cross_entropy"),           # Canvas
    ("doejane_LATE_12345_678901_cross_entropy.ipynb", "doejane", "cross_entropy"),      # Canvas, late
    ("doejane_12345_678901_cross_entropy-1.ipynb", "doejane", "cross_entropy"),         # resubmitted
    ("jdoe_cross_entropy.ipynb", "jdoe", "cross_entropy"),                               # plain
    ("jdoe_CrossEntropy.ipynb", "jdoe", "CrossEntropy"),                                 # misnamed
])
def test_file_names_of_an_lms_download(name, student, notebook):
    match = re.match(REGEXP, f"/tmp/downloaded/{ASSIGNMENT}/extracted/{name}")
    assert match and match["student_id"] == student and match["file_id"] == notebook


def lms_zip(path, files):
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return path


def test_collect_puts_each_file_in_its_students_folder(tmp_path):
    course = make_course(tmp_path / "course")
    text = nbformat.writes(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]))
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
        f"doejane/{ASSIGNMENT}/cross_entropy.ipynb", f"kim/{ASSIGNMENT}/CrossEntropy.ipynb",
        f"roe/{ASSIGNMENT}/cross_entropy.ipynb"]
    assert "collected 3 submission(s)" in proc.stdout and "Invalid submission notebook name" in proc.stdout
    assert sorted(p.name for p in course.iterdir()) == ["grading", "nbgrader_config.py", "submitted"], \
        "nothing but submitted/ is left in the course"

    newer = nbformat.writes(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 2")]))
    again = lms_zip(tmp_path / "late.zip", {"roe_LATE_56_78_cross_entropy.ipynb": newer})
    proc = grading(course, "collect", str(again), "--assignment", ASSIGNMENT, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "collected 1 submission(s)" in proc.stdout
    assert "x = 2" in (submitted / "roe" / ASSIGNMENT / "cross_entropy.ipynb").read_text()
    assert "x = 1" in (submitted / "doejane" / ASSIGNMENT / "cross_entropy.ipynb").read_text()


def test_collect_needs_a_known_assignment(tmp_path):
    course = make_course(tmp_path / "course")
    download = lms_zip(tmp_path / "download.zip", {"a_cross_entropy.ipynb": "{}"})
    proc = grading(course, "collect", str(download), check=False)
    assert proc.returncode == 2 and "give ASSIGNMENT=<id>" in proc.stderr
