"""Every assignment keeps the promised balance of points.

At least 30% of the code points in hidden tests, at least 40% for tasks whose answer
is in neither the lessons nor the package (declared, with the reason, in the
catalogue's ``NEW_TASKS``), at most 10% for refusing bad input (``INPUT_CHECKS``),
and a rubric in the question cell of every written answer.  ``pytest -s`` prints the
table.
"""
import pytest

from helpers.balance import (MAX_INPUT, MIN_HIDDEN, MIN_NEW, answer_names, balance, names_in_course,
                             table)
from helpers.notebooks import assignment_ids

ASSIGNMENTS = assignment_ids()


def test_print_table():
    text = table(ASSIGNMENTS)
    print("\n" + text)
    assert text.count("\n") == len(ASSIGNMENTS) + 1


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_declarations_name_real_cells(assignment_id):
    found = balance(assignment_id)
    assert set(found.new_tasks) <= set(found.tasks), \
        f"NEW_TASKS names no answer cell: {set(found.new_tasks) - set(found.tasks)}"
    assert all(reason.strip() for reason in found.new_tasks.values()), "a new task without its reason"
    assert found.input_checks <= found.test_ids(), \
        f"INPUT_CHECKS names no test cell: {found.input_checks - found.test_ids()}"


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_hidden_share(assignment_id):
    found = balance(assignment_id)
    assert found.hidden_points() >= MIN_HIDDEN * found.code_points(), found.row()


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_new_task_share(assignment_id):
    found = balance(assignment_id)
    assert found.new_points() >= MIN_NEW * found.code_points(), found.row()


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_new_tasks_are_not_in_the_course(assignment_id):
    """A new task's solution defines nothing a lesson or the package already defines."""
    course = names_in_course()
    for answer_id in balance(assignment_id).new_tasks:
        shared = answer_names(assignment_id, answer_id) & course
        assert not shared, f"{answer_id}: the lessons or the package already define {sorted(shared)}"


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_input_checking_share(assignment_id):
    found = balance(assignment_id)
    assert found.input_points() <= MAX_INPUT * found.code_points(), found.row()


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_every_written_answer_has_a_rubric(assignment_id):
    found = balance(assignment_id)
    assert found.manual, "no written answer"
    missing = [answer for answer, (_, has) in found.manual.items() if not has]
    assert not missing, f"written answers without a mark scheme in their question cell: {missing}"
