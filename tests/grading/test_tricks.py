"""No trick scores: the trick catalogue (tests/exercises/tricks.py) graded with the real grading tool.

One batch in a throw-away copy of the course, every kernel in the bubblewrap sandbox: each
trick's wrong answers sit under a change to what the tests rely on (NumPy, the built-ins, the
test helpers, the notebook's names, IPython's error display, sys.excepthook, the warnings
filters) or under a value that misreports itself.  Each trick must lose exactly the tests it
targets - every test from its cell on, the tests before it keep their points - and get the status
``tampering`` with a detail that names the change; its autograded notebook and its feedback say
why.  Correct answers written in unusual ways keep every point with the status ``graded``.

The same batch checks the rubrics end to end: a written answer's mark scheme is in the
autograded notebook (what formgrader shows) and in no feedback.
"""
import functools

import pytest

from exercises.tricks import HONEST, TRICKS
from helpers.course import (ASSIGNMENT, FULL, NOTEBOOK, autograded_points, correct, expected_points, make_course,
                            nbgrader, released, save, solution_answers, submission)
from helpers.grading import csv_rows, grading, in_process, require_sandbox, statuses
from helpers.leaks import find_leaks, rubric_fragments
from helpers.notebooks import (assignment_ids, grade_id, is_answer_cell, is_test_cell, normalise, read,
                               run_in_process, solution_notebook, with_answer)

from grading import feedback, report

ANSWERS = solution_answers()
SOLUTION = read(solution_notebook(ASSIGNMENT))
POINTS = {grade_id(c): float(c.metadata.nbgrader["points"]) for c in SOLUTION.cells if is_test_cell(c)}
ORDER = [grade_id(c) for c in SOLUTION.cells if is_test_cell(c)]


def after_cell(answer_id):
    """The ids of the test cells after the answer cell ``answer_id``, in notebook order."""
    seen, after = False, []
    for cell in SOLUTION.cells:
        if is_answer_cell(cell) and grade_id(cell) == answer_id:
            seen = True
        elif seen and is_test_cell(cell):
            after.append(grade_id(cell))
    assert seen, f"no answer cell {answer_id}"
    return after


def lost(trick):
    """The tests a trick must score 0 on."""
    if trick.only:
        return list(trick.only)
    first = trick.from_test or after_cell(trick.cell)[0]
    return ORDER[ORDER.index(first):]


def passing(answers):
    """Ids of the solution's tests that ``answers`` pass, run in this process (no trick in them)."""
    notebook = SOLUTION
    for answer_id, source in answers.items():
        notebook = with_answer(notebook, answer_id, source)
    return {r.grade_id for r in run_in_process(notebook, solution_notebook(ASSIGNMENT).parent) if r.passed}


def rubric_lines():
    """The plain-text runs of every rubric of the assignment (long enough to be evidence), as the
    leak check searches for them in notebooks and in HTML."""
    return sorted({normalise(text) for text in rubric_fragments(SOLUTION) if len(text) >= 20})


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    require_sandbox()
    course = make_course(tmp_path_factory.mktemp("tricks"))
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    release = released(course)
    save(course, "plain", correct(release))
    for name, trick in TRICKS.items():
        save(course, f"trick_{name}", submission(release, {**ANSWERS, trick.cell: trick.source}))
    for name, honest in HONEST.items():
        save(course, f"honest_{name}", submission(release, {**ANSWERS, **honest.answers}))
    proc = grading(course, "autograde", "--timeout", "20", "--memory", "2048", "--no-progress",
                   "--jobs", "2", "--sandbox", "on", check=False)
    in_process(report.write_grades, course)
    return course, proc


def test_catalogue_is_complete():
    """At least the kinds of trick the course promises to stop, and honest answers beside them."""
    assert len(TRICKS) >= 8 and len(HONEST) >= 5
    for trick in TRICKS.values():
        assert lost(trick), f"{trick.name}: targets no test"
        assert set(lost(trick)) <= set(POINTS)


def test_batch_runs(graded):
    course, proc = graded
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "isolation: bubblewrap" in proc.stdout


@pytest.mark.parametrize("name", list(TRICKS))
def test_trick_scores_nothing_on_its_targets(graded, name):
    course, _ = graded
    trick, student = TRICKS[name], f"trick_{name}"
    row, entry = csv_rows(course)[student], statuses(course)[f"{ASSIGNMENT}/{student}"]
    assert row["status"] == "tampering", row
    assert trick.words in row["detail"], row
    # what the answers give without the trick (a misreporting value is harmless in this process)
    passed = passing({**ANSWERS, trick.cell: trick.source if trick.only else trick.wrong})
    targets = lost(trick)
    cells = {key.split("/", 1)[1]: value["auto"] for key, value in entry["cells"].items()}
    expected = {test_id: (POINTS[test_id] if test_id in passed and test_id not in targets else 0.0)
                for test_id in POINTS}
    assert {test_id: cells[test_id] for test_id in POINTS} == expected
    assert float(row["score"]) == sum(expected.values()) < FULL, row
    if not trick.only:                   # the autograded notebook says why each test scored 0
        notebook = read(course / "autograded" / student / ASSIGNMENT / NOTEBOOK)
        first = {grade_id(c): (c.outputs[0] if c.outputs else {}) for c in notebook.cells if is_test_cell(c)}
        for test_id in targets:
            assert first[test_id].get("ename") == "TamperingError", (test_id, first[test_id])
            assert trick.words in first[test_id]["evalue"], first[test_id]["evalue"]


@pytest.mark.parametrize("name", list(HONEST))
def test_honest_answers_keep_every_point(graded, name):
    course, _ = graded
    answers = {**ANSWERS, **HONEST[name].answers}
    assert expected_points(answers) == FULL, "the catalogue's honest answer is not correct"
    row = csv_rows(course)[f"honest_{name}"]
    assert (row["status"], float(row["score"])) == ("graded", FULL), row


def test_plain_solution_keeps_every_point(graded):
    course, _ = graded
    row = csv_rows(course)["plain"]
    assert (row["status"], float(row["score"])) == ("graded", FULL), row


def test_feedback_says_why_and_shows_no_rubric(graded):
    course, _ = graded
    # no written answer is graded by hand here: feedback must be asked to include them
    code, output = in_process(functools.partial(feedback.generate, include_ungraded=True), course)
    assert code == 0, output
    page = course / "feedback" / "trick_rebinds_isclose" / ASSIGNMENT / "cross_entropy.html"
    assert "TamperingError" in page.read_text() and "numpy.allclose was replaced" in page.read_text()
    rubric = rubric_lines()
    assert len(rubric) >= 5, "the assignment's rubrics must be searched for"
    # formgrader shows the autograded notebook: the rubric is there for the grader
    assert find_leaks(rubric, [course / "autograded" / "plain"]), "the rubric is missing where graders look"
    shown = find_leaks(rubric, [course / "feedback"])
    assert not shown, f"feedback shows rubric lines: {shown[:3]}"


def test_every_solution_is_graded_without_a_finding(tmp_path):
    """The check has no false alarm on correct work: the solution of every assignment (its answers,
    as a student would hand them in) keeps every autograded point with the status ``graded``."""
    require_sandbox()
    course = make_course(tmp_path)
    for assignment_id in assignment_ids():
        nbgrader(course, "generate_assignment", assignment_id, "--force")
        save(course, "solution", submission(released(course, assignment_id), solution_answers(assignment_id)),
             name=solution_notebook(assignment_id).name, assignment_id=assignment_id)
    proc = grading(course, "autograde", "--timeout", "120", "--no-progress", "--jobs", "2", "--sandbox", "on",
                   check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    found = {key: (entry["status"], entry["score"]) for key, entry in statuses(course).items()}
    assert found == {f"{a}/solution": ("graded", autograded_points(assignment_id=a)) for a in assignment_ids()}
