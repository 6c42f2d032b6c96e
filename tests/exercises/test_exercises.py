"""The exercise quality gate, the same for every assignment in solutions/.

(a) the solution notebook passes all its tests (nbgrader's Validator);
(b) in the student version nbgrader generates, every test cell fails;
(c) every planted wrong answer from tests/exercises/<id>.py fails at least one
    test, with a message that names the mistake.
"""
import importlib

import pytest
from nbgrader.validator import Validator
from traitlets.config import Config

from helpers.notebooks import (assignment_ids, grade_id, is_answer_cell, is_manual_cell, is_test_cell, read,
                     run_in_process, solution_notebook, with_answer)

ASSIGNMENTS = assignment_ids()


def validate(path):
    """nbgrader's Validator, with the course's per-cell time limit (nbgrader's default is 30 s)."""
    return Validator(config=Config({"Execute": {"timeout": 120}})).validate(str(path))


def catalogue(assignment_id):
    return importlib.import_module(f"exercises.{assignment_id}").WRONG_ANSWERS


def wrong_answer_cases():
    for assignment_id in ASSIGNMENTS:
        for answer_id, wrongs in catalogue(assignment_id).items():
            for wrong in wrongs:
                yield pytest.param(assignment_id, answer_id, wrong,
                                   id=f"{assignment_id}-{answer_id}-{wrong.name}")


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_assignment_is_complete(assignment_id):
    nb = read(solution_notebook(assignment_id))
    answers = [grade_id(c) for c in nb.cells if is_answer_cell(c)]
    tests = [c for c in nb.cells if is_test_cell(c)]
    assert answers, "no autograded answer cell"
    assert any("### BEGIN HIDDEN TESTS" in c.source for c in tests), "no hidden tests"
    assert any(is_manual_cell(c) for c in nb.cells), "no manually graded written answer"
    assert all(c.metadata.nbgrader.get("points", 0) > 0 for c in tests), "a test cell without points"
    wrongs = catalogue(assignment_id)
    for answer_id in answers:
        assert len(wrongs.get(answer_id, [])) >= 3, f"fewer than three wrong answers for {answer_id}"
    assert set(wrongs) <= set(answers), f"catalogue names unknown answer cells: {set(wrongs) - set(answers)}"


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_solution_passes_validator(assignment_id):
    results = validate(solution_notebook(assignment_id))
    assert not results, f"the solution does not validate: {results}"


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_every_test_fails_on_student_version(assignment_id, student_versions):
    """Validate (what a student sees) fails every visible test of the blank version, and
    with the hidden tests put back (what the autograder runs) every test cell fails."""
    path = student_versions(assignment_id)
    release = read(path)
    results = validate(path)
    failed = {r["source"] for r in results.get("failed", [])}
    visible = [c for c in release.cells if is_test_cell(c) and c.source.strip()]
    assert visible, "the student version has no visible tests"
    passing = [grade_id(c) for c in visible if c.source.strip() not in failed]
    assert not passing, f"visible tests that pass on the blank student version: {passing}"

    originals = {grade_id(c): c.source for c in read(solution_notebook(assignment_id)).cells}
    for cell in release.cells:
        if is_test_cell(cell):
            cell.source = originals[grade_id(cell)]
    results = run_in_process(release, path.parent)
    passing = [r.grade_id for r in results if r.passed]
    assert not passing, f"tests that pass on the blank student version when graded: {passing}"


@pytest.mark.parametrize("assignment_id, answer_id, wrong", list(wrong_answer_cases()))
def test_wrong_answer_is_caught(assignment_id, answer_id, wrong):
    path = solution_notebook(assignment_id)
    planted = with_answer(read(path), answer_id, wrong.source)
    results = run_in_process(planted, path.parent)
    failures = [r for r in results if not r.passed]
    assert failures, f"no test fails when {answer_id} has the mistake '{wrong.name}'"
    messages = " | ".join(r.message for r in failures)
    assert wrong.hint.lower() in messages.lower(), (
        f"the tests fail for '{wrong.name}' but no message says {wrong.hint!r}; they say: {messages}")


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_solution_passes_in_process(assignment_id):
    """The in-process runner used for (c) agrees with the Validator on the solution."""
    path = solution_notebook(assignment_id)
    results = run_in_process(read(path), path.parent)
    assert results and all(r.passed for r in results), [r for r in results if not r.passed]
