"""End-to-end autograding with plain nbgrader, in a throw-away copy of the course.

generate_assignment, then one submission of each kind a class produces -
correct, wrong, tests tampered with, a test cell deleted, invalid JSON, an
infinite loop - then ``nbgrader autograde`` and ``nbgrader export``, and
every score is checked exactly.  Expected scores of wrong answers come from
running the solution notebook's tests on them in process
(tests/helpers/notebooks.py), independently of nbgrader; the submissions are
built by tests/helpers/course.py.
"""
import os

import pytest

from helpers.course import (ASSIGNMENT, FULL, NOTEBOOK, TOTAL, autograded_points, correct, expected_points,
                            exported, make_course, nbgrader, released, save, solution_answers,
                            submission, wrong_answers)
from helpers.notebooks import grade_id, is_test_cell, read, solution_notebook

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
    assert all(float(row["max_score"]) == TOTAL for row in scores.values())


def test_correct_submission_scores_every_autograded_point(graded):
    course, _, scores = graded
    full = autograded_points(course)
    assert full == FULL > 0
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
    assert expected < FULL
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
    assert float(scores["deleted"]["score"]) == FULL
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
    assert 0 < expected < FULL             # the tests of the other answers still score
    assert float(scores["looping"]["score"]) == expected
    autograded = read(course / "autograded" / "looping" / ASSIGNMENT / NOTEBOOK)
    timed_out = [grade_id(c) for c in autograded.cells
                 if any(o.get("ename") == "CellTimeoutError" for o in c.get("outputs", []))]
    assert timed_out == ["test_softmax_values", "test_softmax_overflow", "test_softmax_hidden"]
