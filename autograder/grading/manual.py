"""Manual grades: which answers still wait for a grader, and which grades no longer fit their answer.

nbgrader keeps one flag per graded cell, ``needs_manual_grade``; formgrader's
Manual Grading pages list the submissions where it is set, and saving a score
there clears it.  This module reads that flag and keeps it honest:

* :func:`pending` - per student, the cells of a submission that wait for a grader:
  never graded (``manual_score`` is empty) or **stale** (graded, but the answer
  has changed since);
* :func:`graded_answers` and :func:`mark_changed` - around each regrade,
  ``autograde`` compares every manually graded answer with the one that was
  graded.  nbgrader's ``SaveAutoGrades`` flags every cell that has a manual
  score for review on any regrade; a cell whose answer did not change is
  unflagged again, a cell whose answer changed stays flagged (stale) until a
  grader saves a score for it in formgrader.
"""
from dataclasses import dataclass, field

from . import cells


@dataclass
class Waiting:
    """The cells of one submission that wait for a grader (``notebook/grade id``)."""
    student: str
    ungraded: list = field(default_factory=list)    # never graded by hand
    stale: list = field(default_factory=list)       # graded, then the answer changed
    points: float = 0.0                             # the points they are worth

    def describe(self):
        parts = []
        if self.ungraded:
            parts.append("awaits manual grading in formgrader: " + ", ".join(self.ungraded))
        if self.stale:
            parts.append("stale manual grade (the answer changed after it was graded; grade it again "
                         "in formgrader): " + ", ".join(self.stale))
        return "; ".join(parts)


def waiting_in(submission):
    """The :class:`Waiting` of an nbgrader SubmittedAssignment (None if nothing waits)."""
    waiting = Waiting(submission.student.id)
    for notebook in submission.notebooks:
        for grade in notebook.grades:
            if not grade.needs_manual_grade:
                continue
            name = f"{notebook.name}/{grade.name}"
            (waiting.ungraded if grade.manual_score is None else waiting.stale).append(name)
            waiting.points += float(grade.max_score or 0)
    return waiting if waiting.ungraded or waiting.stale else None


def pending(course, assignment_id):
    """student -> :class:`Waiting` for the submissions of an assignment that wait for a grader."""
    from nbgrader.api import MissingEntry

    with course.gradebook() as gb:
        try:
            assignment = gb.find_assignment(assignment_id)
        except MissingEntry:
            return {}
        found = (waiting_in(s) for s in assignment.submissions)
        return {w.student: w for w in found if w is not None}


def manual_sources(files):
    """``notebook/grade id`` -> source of every manually graded cell in ``files`` (name -> bytes)."""
    import nbformat

    sources = {}
    for name, data in files.items():
        if not name.endswith(".ipynb") or "/" in name:
            continue
        try:
            notebook = nbformat.reads(data.decode("utf-8"), as_version=4)
        except Exception:       # a notebook that cannot be read has nothing to compare
            continue
        for cell in notebook.cells:
            if cells.submitted_kind(cell) == "manual":
                sources[f"{name[:-len('.ipynb')]}/{cells.grade_id(cell)}"] = cells.normalise(cell.source)
    return sources


def graded_answers(course, assignment_id, student):
    """The manually graded answers of the last autograded version of a submission (before a regrade)."""
    folder = course.autograded_dir(assignment_id, student)
    if not folder.is_dir():
        return {}
    return manual_sources({p.name: p.read_bytes() for p in folder.glob("*.ipynb")})


def mark_changed(course, assignment_id, student, before, files):
    """After nbgrader saved a regrade: a manual grade whose answer is unchanged needs no review;
    one whose answer changed (or cannot be compared) stays flagged. Returns the stale cells."""
    after = manual_sources(files)
    stale = []
    with course.gradebook() as gb:
        submission = gb.find_submission(assignment_id, student)
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                key = f"{notebook.name}/{grade.name}"
                if grade.manual_score is None or not grade.needs_manual_grade or key not in after:
                    continue
                if before.get(key) == after[key]:
                    grade.needs_manual_grade = False
                else:
                    stale.append(key)
        gb.db.commit()
    return stale
