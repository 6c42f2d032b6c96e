"""A throw-away copy of the nbgrader course, and the submissions the grading tests build.

:func:`make_course` copies the course configuration and the assignment sources
into a temporary folder; :func:`nbgrader` runs an nbgrader command there.  The
rest builds submissions of the chapter 1 assignment (correct, wrong, tampered)
and computes, independently of nbgrader, the points a submission should get:
the solution notebook's own tests run in process (:mod:`helpers.notebooks`).
"""
import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

from exercises.ch01_cross_entropy import WRONG_ANSWERS
from helpers import ROOT
from helpers.notebooks import (grade_id, is_answer_cell, is_manual_cell, is_test_cell, read,
                               run_in_process, solution_notebook, with_answer)

BIN = Path(sys.executable).parent


def make_course(folder):
    """A throw-away copy of the nbgrader course in ``folder``; returns its root."""
    course = folder / "autograder"
    (course / "grading").mkdir(parents=True)
    shutil.copy(ROOT / "autograder" / "nbgrader_config.py", course)
    # the configuration reads its defaults from there
    shutil.copy(ROOT / "autograder" / "grading" / "defaults.py", course / "grading")
    shutil.copytree(ROOT / "solutions", folder / "solutions")
    return course


def nbgrader(course, *args, check=True, timeout=600, env=None):
    """Run an nbgrader command in ``course``; returns the CompletedProcess."""
    proc = subprocess.run(
        [str(BIN / "nbgrader"), *args], cwd=course, capture_output=True, text=True,
        timeout=timeout, env=env,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"nbgrader {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc


# -- building submissions of the chapter 1 assignment -------------------------------------------
ASSIGNMENT = "ch01_cross_entropy"
NOTEBOOK = "cross_entropy.ipynb"
WRITTEN = "A tiny delta only keeps log(0) away; a large one distorts every loss."


def released(course, assignment_id=ASSIGNMENT):
    """The student version nbgrader generated in ``course``."""
    notebooks = sorted((course / "release" / assignment_id).glob("*.ipynb"))
    assert len(notebooks) == 1, notebooks
    return nbformat.read(str(notebooks[0]), as_version=4)


def solution_answers(assignment_id=ASSIGNMENT):
    """Answer cell sources of the solution, as a student would write them (no markers)."""
    answers = {}
    for cell in read(solution_notebook(assignment_id)).cells:
        if is_answer_cell(cell):
            answers[grade_id(cell)] = "\n".join(
                line for line in cell.source.splitlines() if "### BEGIN SOLUTION" not in line
                and "### END SOLUTION" not in line)
    return answers


def submission(release, answers=None, written=WRITTEN):
    """A copy of the release with answer cells (by grade id) and the written answer filled in."""
    nb = nbformat.from_dict(json.loads(json.dumps(release)))
    for cell in nb.cells:
        if is_answer_cell(cell) and answers and grade_id(cell) in answers:
            cell.source = answers[grade_id(cell)]
        elif is_manual_cell(cell) and written is not None:
            cell.source = written
    return nb


def correct(release):
    return submission(release, solution_answers())


def wrong_answers():
    """The solution's answers, with a catalogued mistake in softmax and in cross_entropy_error."""
    return {**solution_answers(),
            "softmax": WRONG_ANSWERS["softmax"][4].source,                 # one-hot of the argmax
            "cross_entropy_error": WRONG_ANSWERS["cross_entropy_error"][3].source}  # log10


def save(course, student, notebook=None, text=None, name=NOTEBOOK, assignment_id=ASSIGNMENT):
    folder = course / "submitted" / student / assignment_id
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    if notebook is not None:
        nbformat.write(notebook, str(folder / name))
    else:
        (folder / name).write_text(text)
    return folder / name


def expected_points(answers, assignment_id=ASSIGNMENT):
    """Points the solution's own tests (hidden ones included) give ``answers``, run in process."""
    path = solution_notebook(assignment_id)
    nb = read(path)
    for answer_id, source in answers.items():
        nb = with_answer(nb, answer_id, source)
    results = run_in_process(nb, path.parent)
    points = {grade_id(c): c.metadata.nbgrader["points"] for c in nb.cells if is_test_cell(c)}
    return float(sum(points[r.grade_id] for r in results if r.passed))


def autograded_points(course=None, assignment_id=ASSIGNMENT):
    """Points of the autograded test cells: the most a submission can score without manual grading."""
    return float(sum(c.metadata.nbgrader["points"] for c in read(solution_notebook(assignment_id)).cells
                     if is_test_cell(c)))


def exported(course):
    nbgrader(course, "export", "--to", "grades.csv")
    with open(course / "grades.csv", newline="") as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle)}


def manual_points(assignment_id=ASSIGNMENT):
    """Points of the manually graded answers, by grade id."""
    return {grade_id(c): float(c.metadata.nbgrader["points"])
            for c in read(solution_notebook(assignment_id)).cells if is_manual_cell(c)}


#: What the chapter 1 fixture is worth: its autograded test points, and everything with the
#: written answers (read from the solution notebook, so the tests follow the assignment).
FULL = autograded_points()
TOTAL = FULL + sum(manual_points().values())

