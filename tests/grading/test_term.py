"""A term for one assignment, as an instructor lives it, in a throw-away copy of the course.

An LMS zip (Canvas names) with two students of the same name, one of them late;
``collect``, ``autograde``; feedback refused while written answers wait for a
grader; manual grades given the way formgrader saves them; a second zip with
submission times, in which one student replaces a graded written answer by
"I do not know." (the grade goes stale) and the other resubmits after the due
date (nbgrader's late penalty); then ``grades`` with failed tests, lateness
and what the class missed, and feedback for those whose grading is complete.
"""
import csv
import functools
import math
import zipfile

import nbformat
import pytest

from helpers.course import (ASSIGNMENT, FULL, NOTEBOOK, correct, expected_points, make_course, manual_points,
                            nbgrader, released, submission, wrong_answers)
from helpers.grading import csv_rows, grading, in_process
from helpers.notebooks import grade_id, is_manual_cell, is_test_cell, read, run_in_process, solution_notebook

from grading import feedback

DUE = "2026-10-09 23:59:00"
LATE_BY = "20261011T090000Z"       # 33 hours and a minute after DUE: two started days
POINTS_PER_DAY = 1.0               # the course's setting (nbgrader_config.py)
FIRST, SECOND, OTHER = "1001", "1002", "1003"     # Canvas user ids; FIRST and SECOND are both "smithjohn"


def failing(answers):
    """The test cells the solution's own tests fail with ``answers`` (run in process)."""
    path = solution_notebook(ASSIGNMENT)
    nb = read(path)
    for cell in nb.cells:
        if grade_id(cell) in answers and not is_test_cell(cell) and not is_manual_cell(cell):
            cell.source = answers[grade_id(cell)]
    return sorted(r.grade_id for r in run_in_process(nb, path.parent) if not r.passed)


def text(notebook):
    return nbformat.writes(notebook)


def lms_zip(path, files):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def formgrader_saves(course, student, scores):
    """Manual grades as formgrader's save stores them: the score, and the flag cleared."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "nntrain") as gb:
        for name, points in scores.items():
            grade = gb.find_grade(name, NOTEBOOK[:-len(".ipynb")], ASSIGNMENT, student)
            grade.manual_score, grade.needs_manual_grade = points, False
        gb.db.commit()


def autograde(course):
    return grading(course, "autograde", "--timeout", "20", "--memory", "2048", "--no-progress",
                   "--sandbox", "auto")


@pytest.fixture(scope="module")
def term(tmp_path_factory):
    folder = tmp_path_factory.mktemp("term")
    course = make_course(folder)
    with open(course / "nbgrader_config.py", "a") as handle:
        handle.write(f"\nc.CourseTerm.due_dates = {{{ASSIGNMENT!r}: {DUE + ' UTC'!r}}}\n")
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    release = released(course)
    log = {}
    first = lms_zip(folder / "export.zip", {
        f"smithjohn_{FIRST}_501_{NOTEBOOK}": text(correct(release)),
        f"smithjohn_LATE_{SECOND}_502_{NOTEBOOK}": text(submission(release, wrong_answers())),
        f"leeann_{OTHER}_503_{NOTEBOOK}": text(correct(release)),
    })
    log["collect"] = grading(course, "collect", str(first)).stdout
    log["autograde"] = autograde(course).stdout
    grading(course, "grades")
    log["first rows"] = csv_rows(course)
    log["refused"] = in_process(feedback.generate, course)
    log["pack refused"] = in_process(feedback.pack, course)
    full = manual_points()
    formgrader_saves(course, FIRST, full)
    formgrader_saves(course, OTHER, full)
    log["after grading"] = in_process(feedback.generate, course)
    log["marked"] = in_process(functools.partial(feedback.generate, include_ungraded=True), course)
    log["marked pages"] = {p.parent.parent.name: p.read_text() for p in
                           (course / "feedback").glob(f"*/{ASSIGNMENT}/*.html")}

    changed = correct(release)
    for cell in changed.cells:
        if grade_id(cell) == "delta_answer":
            cell.source = "I do not know."
    timed = r"(?:.*/)?(?P<student_id>\d+)_(?P<timestamp>[0-9TZ]+)_(?P<file_id>[^/]+)\.ipynb$"
    second = lms_zip(folder / "resubmissions.zip", {
        f"{FIRST}_20261008T120000Z_{NOTEBOOK}": text(changed),
        f"{SECOND}_{LATE_BY}_{NOTEBOOK}": text(submission(release, wrong_answers())),
    })
    log["recollect"] = grading(course, "collect", str(second), "--regexp", timed).stdout
    log["regrade"] = autograde(course).stdout
    log["grades"] = grading(course, "grades").stdout
    log["final"] = in_process(feedback.generate, course)
    log["pack"] = in_process(feedback.pack, course)
    return course, log


def test_collect_keeps_same_named_students_apart(term):
    course, log = term
    assert "3 new, 0 changed, 0 unchanged" in log["collect"] and f"late (flagged by the LMS): {SECOND}" \
        in log["collect"], log["collect"]
    assert sorted(p.name for p in (course / "submitted").iterdir()) == [FIRST, SECOND, OTHER]
    rows = csv_rows(course)
    assert rows[FIRST]["name"] == rows[SECOND]["name"] == "smithjohn" and rows[OTHER]["name"] == "leeann"


def test_a_late_flag_without_a_time_is_shown_without_a_penalty(term):
    _, log = term
    late, on_time = log["first rows"][SECOND], log["first rows"][FIRST]
    assert late["late"] == "yes, flagged by the LMS (it gave no submission time, so no late penalty)", late
    assert late["late_penalty"] == "" and late["submitted_at"] == "" and on_time["late"] == ""
    assert late["manual"] == "pending" and "awaits manual grading in formgrader: cross_entropy/delta_answer, " \
        "cross_entropy/slope_answer" in late["detail"], late


def test_feedback_is_refused_while_written_answers_wait(term):
    _, log = term
    code, output = log["refused"]
    assert code == 0
    assert f"held back 3 submission(s) that wait for manual grading (formgrader, Manual Grading): " \
           f"{FIRST}, {SECOND}, {OTHER}" in output, output
    assert "make feedback INCLUDE_UNGRADED=1" in output and "feedback for 0 student(s)" in output
    assert "feedback zip" not in log["pack refused"][1]       # nothing there to pack


def test_feedback_follows_manual_grading(term):
    _, log = term
    output = log["after grading"][1]
    assert f"held back 1 submission(s) that wait for manual grading (formgrader, Manual Grading): {SECOND}" \
        in output and "feedback for 2 student(s)" in output, output


def test_ungraded_answers_can_be_returned_marked(term):
    _, log = term
    assert "feedback for 3 student(s)" in log["marked"][1], log["marked"][1]
    pending, graded = log["marked pages"][SECOND], log["marked pages"][FIRST]
    points = manual_points()
    # each waiting answer in the list at the top and above the answer, and the total's note
    assert pending.lower().count("not graded yet") == 2 * len(points) + 1
    for name in points:
        assert f'<a href="#{name}">Written response</a> (not graded yet, out of {points[name]})' in pending
    assert f"{sum(points.values()):g} point(s) not graded yet" in pending
    assert "not graded yet" not in graded and "Score: 2.0 / 2.0" in graded


def test_recollect_reports_only_what_changed(term):
    _, log = term
    assert "2 student(s) in the zip: 0 new, 2 changed, 0 unchanged" in log["recollect"], log["recollect"]
    assert OTHER not in log["recollect"]
    assert "2 submission(s) to grade, 1 unchanged" in log["regrade"], log["regrade"]


def test_a_changed_answer_makes_its_manual_grade_stale(term):
    course, log = term
    from nbgrader.api import Gradebook

    row = csv_rows(course)[FIRST]
    assert row["manual"] == "stale", row
    assert f"stale manual grade (the answer changed after it was graded; grade it again in formgrader): " \
           f"cross_entropy/delta_answer" in row["detail"] and "slope_answer" not in row["detail"], row
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "nntrain") as gb:
        assert gb.find_grade("delta_answer", "cross_entropy", ASSIGNMENT, FIRST).needs_manual_grade, \
            "formgrader lists the stale grade for grading"
        assert not gb.find_grade("slope_answer", "cross_entropy", ASSIGNMENT, FIRST).needs_manual_grade, \
            "an answer that did not change keeps its grade"
        assert not gb.find_submission(ASSIGNMENT, OTHER).needs_manual_grade
    assert "3 graded; 2 of them wait for manual grading (1 stale)" in log["grades"], log["grades"]
    code, output = log["final"]
    assert f"held back 2 submission(s) that wait for manual grading (formgrader, Manual Grading): " \
           f"{FIRST}, {SECOND}" in output, output
    assert sorted(p.stem for p in (course / "grades" / "feedback" / ASSIGNMENT).glob("*.zip")) == [OTHER]


def test_lateness_and_the_late_penalty_are_in_the_csv(term):
    course, _ = term
    rows = csv_rows(course)
    wrong = expected_points(wrong_answers())
    penalty = min(wrong, math.ceil((33 * 3600 + 60) / 86400) * POINTS_PER_DAY)
    late = rows[SECOND]
    assert late["late"] == "yes, 33.0 h after the due date" and late["submitted_at"].startswith("2026-10-11 09:00")
    assert late["late_penalty"] == f"{penalty:g}" and late["score"] == f"{wrong - penalty:g}", late
    assert f"late penalty {penalty:g} (subtracted)" in late["detail"]
    assert rows[FIRST]["late"] == rows[OTHER]["late"] == "" and rows[OTHER]["late_penalty"] == ""
    assert rows[OTHER]["score"] == f"{FULL + sum(manual_points().values()):g}"


def test_failed_tests_per_submission_and_for_the_class(term):
    course, log = term
    rows = csv_rows(course)
    expected = failing(wrong_answers())
    assert expected and sorted(rows[SECOND]["failed_tests"].split()) == expected
    assert rows[FIRST]["failed_tests"] == rows[OTHER]["failed_tests"] == ""
    summary = course / "grades" / "summary"
    with open(summary / f"{ASSIGNMENT}_tests.csv", newline="") as handle:
        table = {r["test"]: r for r in csv.DictReader(handle)}
    tests = [grade_id(c) for c in read(solution_notebook(ASSIGNMENT)).cells if is_test_cell(c)]
    assert list(table) == tests
    for name, entry in table.items():
        assert (entry["failed"], entry["graded"]) == (str(int(name in expected)), "3"), entry
    text = (summary / f"{ASSIGNMENT}.md").read_text()
    assert all(f"| {name} | {table[name]['points']} | 1 | 0.33 |" in text for name in expected)
    assert "2 submission(s) wait for manual grading in formgrader (1 with a stale grade" in text
    assert (summary / f"{ASSIGNMENT}_tests.png").stat().st_size > 5000
    assert f"failed most often: {rows[SECOND]['failed_tests'].split()[0]} (1/3)" in log["grades"], log["grades"]
