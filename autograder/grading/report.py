"""Grades for the instructor: nbgrader's scores joined with each submission's status.

``grades/grades.csv`` has one row per student and assignment, with the columns

* ``student`` (the LMS's user id) and ``name`` (as the LMS gave it, if it did), ``assignment``;
* ``score``, ``max_score``, ``status``, ``detail`` (what the status means for this submission,
  manual grading that is pending or stale, a late penalty);
* ``failed_tests``: the test cells that did not score full points, separated by spaces;
* ``manual``: ``pending`` (written answers not graded yet), ``stale`` (a manual grade given to an
  answer that has changed since) or ``done``;
* ``late``: ``yes`` with how late, when the LMS flagged it or the submission time is after
  the due date (``CourseTerm.due_dates`` in nbgrader_config.py); ``late_penalty``: the points
  nbgrader took off (already subtracted from the score); ``submitted_at``: the time the LMS gave;
* ``sandbox``: the isolation its kernel had, ``bubblewrap`` or ``guard only``.

The score is nbgrader's (autograded plus manual grades) less nbgrader's late penalty, except that

* a submission that could not be graded (status ``missing_notebook``,
  ``invalid_notebook``, ``kernel_died``, ``timed_out`` when killed, ``error``)
  has an empty score, never a plain 0;
* a ``cheating`` submission scores 0 (its detail says what nbgrader gave);
* students in the gradebook without a submission appear as ``no_submission``.

``grades/summary/<assignment>.md`` counts the statuses, the submissions that wait
for manual grading, describes the scores and tabulates how often each test
failed; ``grades/summary/<assignment>_scores.png`` is the histogram of the scores,
``<assignment>_tests.png`` the failure rate of each test, and
``<assignment>_tests.csv`` the same as a table: what the class missed.
"""
import csv
import os
import statistics
import sys
from collections import Counter

from . import collect, manual
from .records import NOT_GRADED, STATUSES

FIELDS = ["student", "name", "assignment", "score", "max_score", "status", "detail", "failed_tests", "manual",
          "late", "late_penalty", "submitted_at", "sandbox"]
REPORT_STATUSES = (*STATUSES, "unchecked", "no_submission")


def number(value):
    return "" if value is None else f"{float(value):g}"


def collect_rows(course, assignments=None):
    """The rows of grades.csv (dicts with FIELDS), sorted by assignment and student."""
    from nbgrader.api import MissingEntry

    assignments = course.check_assignments(assignments)
    status = course.read_status()
    ledger = collect.read_ledger(course)
    rows = []
    with course.gradebook() as gb:
        roster = {student.id: student for student in gb.students}
        for assignment_id in assignments:
            try:
                assignment = gb.find_assignment(assignment_id)
            except MissingEntry:
                assignment = None
            submissions = {s.student.id: s for s in assignment.submissions} if assignment else {}
            entries = status.for_assignment(assignment_id)
            if not submissions and not entries:
                continue
            max_score = float(assignment.max_score) if assignment else None
            several = assignment is not None and len(assignment.notebooks) > 1
            for student_id in sorted(set(roster) | set(submissions) | set(entries)):
                entry, submission = entries.get(student_id), submissions.get(student_id)
                row = row_for(student_id, assignment_id, max_score, entry, submission)
                row.update(term_columns(row, submission, ledger.get(f"{assignment_id}/{student_id}"), several))
                row["name"] = person(roster.get(student_id))
                rows.append(row)
    return rows


def person(student):
    """A student's name as the gradebook has it ("" if it has none)."""
    if student is None:
        return ""
    return " ".join(part for part in (student.first_name, student.last_name) if part)


def failed_tests(submission, several):
    """Test cells (grade ids; ``notebook/grade id`` when there are several notebooks) that did not
    score full points: the autograded cells whose automatic score is below their points."""
    failed = []
    for notebook in submission.notebooks:
        for grade in notebook.grades:
            if grade.auto_score is not None and grade.auto_score < grade.max_score:
                failed.append(f"{notebook.name}/{grade.name}" if several else grade.name)
    return failed


def lateness(submission, collected):
    """The ``late`` column: "" or "yes" and how it is known."""
    seconds = float(submission.total_seconds_late or 0) if submission is not None else 0.0
    if seconds > 0:
        return f"yes, {seconds / 3600:.1f} h after the due date"
    if collected and collected.get("late"):
        return "yes, flagged by the LMS" + ("" if collected.get("timestamp") else
                                            " (it gave no submission time, so no late penalty)")
    return ""


def term_columns(row, submission, collected, several):
    """failed_tests, manual, late, late_penalty, submitted_at of a row (and the detail's notes)."""
    columns = {"failed_tests": "", "manual": "", "late": lateness(submission, collected), "late_penalty": "",
               "submitted_at": (collected or {}).get("timestamp", "")}
    if submission is None or row["score"] == "" or row["status"] in NOT_GRADED:
        return columns
    columns["failed_tests"] = " ".join(failed_tests(submission, several))
    waiting = manual.waiting_in(submission)
    columns["manual"] = "done" if waiting is None else ", ".join(
        label for label, cells in (("pending", waiting.ungraded), ("stale", waiting.stale)) if cells)
    if waiting is not None:
        row["detail"] = "; ".join(d for d in (row["detail"], waiting.describe()) if d)
    if submission.late_submission_penalty:
        columns["late_penalty"] = number(submission.late_submission_penalty)
    return columns


def row_for(student_id, assignment_id, max_score, entry, submission):
    """One row of grades.csv: ``entry`` is the StatusRecord (or None), ``submission`` nbgrader's."""
    details = []
    if entry is not None:
        status = entry.status
        if entry.detail:
            details.append(entry.detail)
    elif submission is not None:
        status = "unchecked"
        details.append("graded by nbgrader outside `make autograde`: no status checks were made")
    else:
        status = "no_submission"
    graded_score = None
    if submission is not None:
        graded_score = float(submission.score)
    elif entry is not None:
        graded_score = entry.score
    if status == "no_submission" or (entry is not None and not entry.graded):
        score = None                      # not graded: never a plain 0
    elif status == "cheating":
        score = 0.0
        details.append(f"nbgrader's score was {number(graded_score)}")
    else:
        score = graded_score
        penalty = float(submission.late_submission_penalty or 0) if submission is not None else 0.0
        if penalty:                       # nbgrader keeps it beside the score, never subtracted
            score = graded_score - penalty
            details.append(f"late penalty {number(penalty)} (subtracted)")
    return {"student": student_id, "assignment": assignment_id, "score": number(score),
            "max_score": number(max_score), "status": status, "detail": "; ".join(details),
            "sandbox": entry.sandbox if entry is not None else ""}


def write_csv(rows, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".csv.tmp")
    with open(temporary, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    os.replace(temporary, path)


def tested(row):
    """Whether a row's submission was graded, so its tests say something."""
    return row["score"] != "" and row["status"] not in (*NOT_GRADED, "no_submission")


def test_cells(course, assignment_id):
    """[(test name, points)] of an assignment's autograded test cells, in notebook order, from the
    gradebook (named as the ``failed_tests`` column names them)."""
    from nbgrader.api import MissingEntry

    with course.gradebook() as gb:
        try:
            notebooks = gb.find_assignment(assignment_id).notebooks
        except MissingEntry:
            return []
        several = len(notebooks) > 1
        tests = []
        for notebook in notebooks:
            answers = {cell.name for cell in notebook.solution_cells}
            tests += [(f"{notebook.name}/{cell.name}" if several else cell.name, float(cell.max_score))
                      for cell in notebook.grade_cells if cell.cell_type == "code" and cell.name not in answers]
        return tests


def test_failures(tests, rows):
    """One dict per test: test, points, failed (submissions), graded (submissions), rate."""
    graded = [r for r in rows if tested(r)]
    table = []
    for name, points in tests:
        failed = sum(1 for r in graded if name in r["failed_tests"].split())
        table.append({"test": name, "points": f"{points:g}", "failed": failed, "graded": len(graded),
                      "rate": f"{failed / len(graded):.2f}" if graded else ""})
    return table


def waiting_counts(rows):
    """(submissions waiting for manual grading, of which with a stale grade)."""
    return (sum(1 for r in rows if r["manual"] not in ("", "done")),
            sum(1 for r in rows if "stale" in r["manual"]))


def summary(assignment_id, rows, failures=()):
    """Markdown text: status counts, manual grading, score statistics, test failures of one assignment."""
    counts = Counter(r["status"] for r in rows)
    scores = [float(r["score"]) for r in rows if r["score"] != "" and r["status"] != "no_submission"]
    max_score = next((r["max_score"] for r in rows if r["max_score"]), "?")
    lines = [f"# {assignment_id}", "", f"{len(rows)} students, maximum score {max_score}.", "",
             "| status | submissions |", "|---|---|"]
    lines += [f"| {status} | {counts[status]} |" for status in REPORT_STATUSES if counts[status]]
    waiting, stale = waiting_counts(rows)
    lines += ["", f"{waiting} submission(s) wait for manual grading in formgrader"
              + (f" ({stale} with a stale grade: the answer changed after it was graded)" if stale else "")
              + (": their scores are not final." if waiting else "."), ""]
    if scores:
        lines.append(f"Scores of the {len(scores)} scored submissions: mean {statistics.mean(scores):.2f}, "
                     f"median {statistics.median(scores):g}, min {min(scores):g}, max {max(scores):g}.")
    else:
        lines.append("No scored submissions.")
    lines += ["", f"![Histogram of the scores]({assignment_id}_scores.png)", ""]
    if failures:
        lines += ["## What the class missed", "",
                  f"Share of the {failures[0]['graded']} graded submissions that failed each test "
                  f"(also in {assignment_id}_tests.csv):", "",
                  "| test | points | failed | failure rate |", "|---|---|---|---|"]
        lines += [f"| {f['test']} | {f['points']} | {f['failed']} | {f['rate']} |" for f in failures]
        lines += ["", f"![Failure rate of each test]({assignment_id}_tests.png)", ""]
    return "\n".join(lines)


def failure_plot(assignment_id, failures, waiting, path):
    """Horizontal bars: the share of graded submissions that failed each test."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [f["test"] for f in failures][::-1]
    rates = [float(f["rate"] or 0) for f in failures][::-1]
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(names) + 1.6))
    ax.barh(names, rates, color="#c44e52")
    ax.set_xlim(0, 1)
    ax.set_xlabel(f"share of the {failures[0]['graded']} graded submissions that failed the test")
    ax.set_title(f"{assignment_id}: failed tests ({waiting} submission(s) await manual grading)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def write_failures(assignment_id, failures, path):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["test", "points", "failed", "graded", "rate"])
        writer.writeheader()
        writer.writerows(failures)


def histogram(assignment_id, rows, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scores = [float(r["score"]) for r in rows if r["score"] != ""]
    top = max([float(r["max_score"]) for r in rows if r["max_score"]] + scores + [1.0])
    unscored = sum(1 for r in rows if r["score"] == "" and r["status"] != "no_submission")
    step = 1.0 if top <= 30 else top / 20
    edges = [i * step - step / 2 for i in range(int(top / step) + 2)]
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.hist(scores, bins=edges, color="#4c72b0", edgecolor="white")
    ax.set_xlim(-step, top + step)
    ax.set_xlabel(f"score (maximum {top:g})")
    ax.set_ylabel("submissions")
    ax.set_title(f"{assignment_id}: {len(scores)} scored, {unscored} not graded")
    ax.yaxis.get_major_locator().set_params(integer=True)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def write_grades(course, assignments=None, out=None):
    """Write grades.csv and the summaries; print the status counts. Returns 0."""
    out = out or sys.stdout
    rows = collect_rows(course, assignments)
    csv_path = course.output / "grades.csv"
    write_csv(rows, csv_path)
    folder = course.output / "summary"
    folder.mkdir(parents=True, exist_ok=True)
    for assignment_id in sorted({r["assignment"] for r in rows}):
        mine = [r for r in rows if r["assignment"] == assignment_id]
        failures = test_failures(test_cells(course, assignment_id), mine)
        (folder / f"{assignment_id}.md").write_text(summary(assignment_id, mine, failures), encoding="utf-8")
        histogram(assignment_id, mine, folder / f"{assignment_id}_scores.png")
        waiting, stale = waiting_counts(mine)
        if failures and failures[0]["graded"]:
            write_failures(assignment_id, failures, folder / f"{assignment_id}_tests.csv")
            failure_plot(assignment_id, failures, waiting, folder / f"{assignment_id}_tests.png")
        counts = Counter(r["status"] for r in mine)
        print(f"{assignment_id}: " + ", ".join(f"{counts[s]} {s}" for s in REPORT_STATUSES if counts[s])
              + (f"; {waiting} of them wait for manual grading" + (f" ({stale} stale)" if stale else "")
                 if waiting else ""), file=out)
        missed = [f for f in failures if f["failed"]]
        if missed:
            print("  failed most often: " + ", ".join(
                f"{f['test']} ({f['failed']}/{f['graded']})"
                for f in sorted(missed, key=lambda f: -f["failed"])[:5]), file=out)
    width = max([len(r["student"]) for r in rows] + [7])
    for r in rows:
        if r["status"] not in ("graded", "no_submission"):
            print(f"  {r['assignment']}  {r['student']:<{width}}  {r['status']:<16} "
                  f"{r['score'] or '-':>5}/{r['max_score']}  {r['detail']}", file=out)
    print(f"wrote {csv_path} ({len(rows)} rows) and {folder}/", file=out)
    return 0
