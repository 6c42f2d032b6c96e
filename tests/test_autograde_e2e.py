"""End-to-end autograding with plain nbgrader, in a throw-away copy of the course.

generate_assignment, then one submission of each kind a class produces -
correct, wrong, tests tampered with, a test cell deleted, invalid JSON, an
infinite loop - then ``nbgrader autograde`` and ``nbgrader export``, and
every score is checked exactly.  Expected scores of wrong answers come from
running the solution notebook's tests on them in process (tests/nbtools.py),
independently of nbgrader.

The helpers here also build the submissions of the grading tool's tests
(tests/test_grading_batch.py).
"""
import csv
import json
import os
import shutil

import nbformat
import pytest

from conftest import make_course, nbgrader
from exercises.ch01_cross_entropy import WRONG_ANSWERS
from nbtools import (grade_id, is_answer_cell, is_manual_cell, is_test_cell, read, run_in_process,
                     solution_notebook, with_answer)

ASSIGNMENT = "ch01_cross_entropy"
NOTEBOOK = "cross_entropy.ipynb"
WRITTEN = "A tiny delta only keeps log(0) away; a large one distorts every loss."


# -- building submissions ----------------------------------------------------------------------
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
    """One catalogued mistake per answer cell."""
    return {"softmax": WRONG_ANSWERS["softmax"][4].source,                 # one-hot of the argmax
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


def autograded_points(course, assignment_id=ASSIGNMENT):
    """Points of the autograded test cells: the most a submission can score without manual grading."""
    return float(sum(c.metadata.nbgrader["points"] for c in read(solution_notebook(assignment_id)).cells
                     if is_test_cell(c)))


def exported(course):
    nbgrader(course, "export", "--to", "grades.csv")
    with open(course / "grades.csv", newline="") as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle)}


# -- the test ---------------------------------------------------------------------------------------
LOOP_IN_SOFTMAX = '''
def softmax(a):
    while True:       # never returns: every test that calls it times out
        pass
'''


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = make_course(tmp_path_factory.mktemp("e2e"))
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    release = released(course)
    good = correct(release)
    answers = solution_answers()

    save(course, "correct", good)
    save(course, "wrong", submission(release, wrong_answers()))

    tampered = submission(release, wrong_answers())
    for cell in tampered.cells:
        if is_test_cell(cell):
            cell.source = "pass"
    save(course, "tampered", tampered)

    deleted = correct(release)
    deleted.cells = [c for c in deleted.cells if not is_test_cell(c)]
    save(course, "deleted", deleted)

    save(course, "invalid", text='{"cells": [{"cell_type": "code", "source": ')
    save(course, "looping", submission(release, {**answers, "softmax": LOOP_IN_SOFTMAX}))

    env = {**os.environ, "NNTRAIN_CELL_TIMEOUT": "3"}
    proc = nbgrader(course, "autograde", ASSIGNMENT, check=False, env=env)
    return course, proc, exported(course)


def test_plain_nbgrader_exits_1_but_grades_the_rest(graded):
    course, proc, scores = graded
    assert proc.returncode == 1, "autograde should report the broken submission with exit code 1"
    assert "There was an error processing assignment" in proc.stdout + proc.stderr
    assert set(scores) == {"correct", "wrong", "tampered", "deleted", "invalid", "looping"}
    assert all(float(row["max_score"]) == 12.0 for row in scores.values())


def test_correct_submission_scores_every_autograded_point(graded):
    course, _, scores = graded
    full = autograded_points(course)
    assert full == 10.0
    assert float(scores["correct"]["score"]) == full      # the written answer (2) awaits manual grading
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "nntrain") as gb:
        submission_ = gb.find_submission(ASSIGNMENT, "correct")
        assert submission_.needs_manual_grade
        manual = [g for nb in submission_.notebooks for g in nb.grades if g.name == "delta_answer"]
        assert manual and manual[0].manual_score is None and manual[0].auto_score is None


def test_wrong_submission_scores_what_its_tests_give(graded):
    _, _, scores = graded
    expected = expected_points(wrong_answers())
    assert expected < 10.0
    assert float(scores["wrong"]["score"]) == expected


def test_tampered_tests_are_restored(graded):
    course, _, scores = graded
    assert float(scores["tampered"]["score"]) == expected_points(wrong_answers())
    autograded = read(course / "autograded" / "tampered" / ASSIGNMENT / NOTEBOOK)
    originals = {grade_id(c): c.source for c in read(solution_notebook(ASSIGNMENT)).cells}
    for cell in autograded.cells:
        if is_test_cell(cell):
            assert cell.source == originals[grade_id(cell)], f"{grade_id(cell)} was not restored"


def test_deleted_test_cells_are_added_back(graded):
    course, _, scores = graded
    assert float(scores["deleted"]["score"]) == 10.0
    autograded = read(course / "autograded" / "deleted" / ASSIGNMENT / NOTEBOOK)
    restored = {grade_id(c) for c in autograded.cells if is_test_cell(c)}
    assert restored == {grade_id(c) for c in read(solution_notebook(ASSIGNMENT)).cells if is_test_cell(c)}


def test_invalid_json_is_a_plain_zero_in_nbgrader(graded):
    """What the grading tool fixes: nbgrader's export shows a broken notebook as an ordinary 0."""
    course, _, scores = graded
    assert float(scores["invalid"]["score"]) == 0.0
    assert not (course / "autograded" / "invalid" / ASSIGNMENT).exists()


def test_infinite_loop_times_out_and_the_rest_is_graded(graded):
    course, _, scores = graded
    expected = expected_points({"softmax": "def softmax(a):\n    raise TimeoutError"})
    assert expected == 5.0                 # the cross-entropy half
    assert float(scores["looping"]["score"]) == expected
    autograded = read(course / "autograded" / "looping" / ASSIGNMENT / NOTEBOOK)
    timed_out = [grade_id(c) for c in autograded.cells
                 if any(o.get("ename") == "CellTimeoutError" for o in c.get("outputs", []))]
    assert timed_out == ["test_softmax_values", "test_softmax_overflow", "test_softmax_hidden"]
