"""Grades for the instructor: nbgrader's scores joined with each submission's status.

``grades/grades.csv`` has one row per student and assignment: ``student,
assignment, score, max_score, status, detail, sandbox`` (``sandbox``: the
isolation its kernel had, ``bubblewrap`` or ``guard only``).  The score is nbgrader's
(autograded plus manual grades, after any late penalty), except that

* a submission that could not be graded (status ``missing_notebook``,
  ``invalid_notebook``, ``kernel_died``, ``timed_out`` when killed, ``error``)
  has an empty score, never a plain 0;
* a ``cheating`` submission scores 0 (its detail says what nbgrader gave);
* students in the gradebook without a submission appear as ``no_submission``.

``grades/summary/<assignment>.md`` counts the statuses and describes the
scores; ``grades/summary/<assignment>_scores.png`` is their histogram.
"""
import csv
import os
import statistics
import sys
from collections import Counter

from .records import STATUSES

FIELDS = ["student", "assignment", "score", "max_score", "status", "detail", "sandbox"]
REPORT_STATUSES = (*STATUSES, "unchecked", "no_submission")


def number(value):
    return "" if value is None else f"{float(value):g}"


def collect_rows(course, assignments=None):
    """The rows of grades.csv (dicts with FIELDS), sorted by assignment and student."""
    from nbgrader.api import MissingEntry

    assignments = course.check_assignments(assignments)
    status = course.read_status()
    rows = []
    with course.gradebook() as gb:
        roster = [student.id for student in gb.students]
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
            for student_id in sorted(set(roster) | set(submissions) | set(entries)):
                entry, submission = entries.get(student_id), submissions.get(student_id)
                rows.append(row_for(student_id, assignment_id, max_score, entry, submission))
    return rows


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
        if submission is not None and submission.needs_manual_grade:
            details.append("awaits manual grading in formgrader")
        if submission is not None and submission.late_submission_penalty:
            details.append(f"late penalty {number(submission.late_submission_penalty)}")
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


def summary(assignment_id, rows):
    """Markdown text: status counts and score statistics of one assignment."""
    counts = Counter(r["status"] for r in rows)
    scores = [float(r["score"]) for r in rows if r["score"] != "" and r["status"] != "no_submission"]
    max_score = next((r["max_score"] for r in rows if r["max_score"]), "?")
    lines = [f"# {assignment_id}", "", f"{len(rows)} students, maximum score {max_score}.", "",
             "| status | submissions |", "|---|---|"]
    lines += [f"| {status} | {counts[status]} |" for status in REPORT_STATUSES if counts[status]]
    lines.append("")
    if scores:
        lines.append(f"Scores of the {len(scores)} scored submissions: mean {statistics.mean(scores):.2f}, "
                     f"median {statistics.median(scores):g}, min {min(scores):g}, max {max(scores):g}.")
    else:
        lines.append("No scored submissions.")
    lines += ["", f"![Histogram of the scores]({assignment_id}_scores.png)", ""]
    return "\n".join(lines)


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
        (folder / f"{assignment_id}.md").write_text(summary(assignment_id, mine), encoding="utf-8")
        histogram(assignment_id, mine, folder / f"{assignment_id}_scores.png")
        counts = Counter(r["status"] for r in mine)
        print(f"{assignment_id}: " + ", ".join(f"{counts[s]} {s}" for s in REPORT_STATUSES if counts[s]),
              file=out)
    width = max([len(r["student"]) for r in rows] + [7])
    for r in rows:
        if r["status"] not in ("graded", "no_submission"):
            print(f"  {r['assignment']}  {r['student']:<{width}}  {r['status']:<16} "
                  f"{r['score'] or '-':>5}/{r['max_score']}  {r['detail']}", file=out)
    print(f"wrote {csv_path} ({len(rows)} rows) and {folder}/", file=out)
    return 0
