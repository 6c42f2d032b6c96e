"""nbgrader configuration of the course (the course root is this folder).

Source notebooks (with solutions and hidden tests) live in ../solutions;
everything nbgrader generates (release/, submitted/, autograded/, feedback/,
gradebook.db) is created here and never committed.
"""
import importlib.util
import math
import os

from nbgrader.plugins import LateSubmissionPlugin
from nbgrader.preprocessors import ClearHiddenTests, ClearMarkScheme, GetGrades
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor, Preprocessor
from traitlets import Bool, Float

c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

HERE = os.path.dirname(os.path.abspath(__file__))


def _defaults():
    """grading/defaults.py, the one source of the grading tools' defaults (loaded by its path:
    nbgrader does not put this folder on sys.path)."""
    spec = importlib.util.spec_from_file_location("_grading_defaults", os.path.join(HERE, "grading", "defaults.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


c.CourseDirectory.root = HERE
c.CourseDirectory.source_directory = os.path.join("..", "solutions")
c.CourseDirectory.course_id = "nntrain"
c.CourseDirectory.db_url = os.environ.get(
    "NNTRAIN_GRADEBOOK_URL", "sqlite:///" + os.path.join(HERE, "gradebook.db")
)

# A cell that runs longer than this is interrupted and counts as failed.
c.Execute.timeout = _defaults().cell_timeout()     # NNTRAIN_CELL_TIMEOUT, or the tools' default
c.Execute.interrupt_on_timeout = True
c.Execute.raise_on_iopub_timeout = True

# generate_assignment: create assignments in the gradebook on first use.
c.GenerateAssignment.create_assignment = True

# Rubrics: a written question's locked markdown cell holds its rubric between
# "### BEGIN MARK SCHEME" and "### END MARK SCHEME".  generate_assignment removes
# it from the student version (in any locked cell, not only nbgrader's "task"
# cells); autograde restores the locked cell from the gradebook, rubric
# included, so graders see it in formgrader; feedback removes it again.
c.ClearMarkScheme.enforce_metadata = False

# autograde: restore test cells that a student deleted (locked cells that were
# edited are always restored from the gradebook).
c.OverwriteCells.add_missing_cells = True


class ClearHiddenTestTracebacks(Preprocessor):
    """Replace the traceback of a failed hidden test by its last line ("AssertionError: message").

    IPython tracebacks quote the lines around the failure, so without this the
    feedback would show hidden test code even after ClearHiddenTests.  It must
    run before ClearHiddenTests, which removes the markers it looks for.
    """

    enabled = Bool(True)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and "BEGIN HIDDEN TESTS" in cell.source:
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
        return cell, resources


# Feedback never shows the source of hidden tests, nor their code quoted in
# tracebacks, nor a rubric.
c.GenerateFeedback.preprocessors = [
    GetGrades, ClearHiddenTestTracebacks, ClearHiddenTests, ClearMarkScheme,
    CSSHTMLHeaderPreprocessor]

# `make collect ZIP=...` (grading/collect.py): how to read the student id and the notebook name
# from the file names in an LMS download.  Canvas names a file
# "<name>_[LATE_]<user id>_<submission id>_<file name>[-<n>].ipynb", e.g.
# "smithjohn_LATE_12345_678901_cross_entropy-1.ipynb": the student id is Canvas's user id
# (12345, unique; names repeat), the name part goes into the gradebook, LATE_ is recorded.
# Other files are read as "<student id>_<notebook>.ipynb" ("jdoe_cross_entropy.ipynb").
# Groups nbgrader knows: student_id, file_id (required), first_name, last_name, timestamp; the
# course's tools also read name (a combined name) and late.  Override with NNTRAIN_ZIP_REGEXP.
c.FileNameCollectorPlugin.named_regexp = os.environ.get(
    "NNTRAIN_ZIP_REGEXP",
    r"^(?:.*/)?(?:(?P<name>[^/_]+)_(?P<late>LATE_)?(?=\d+_\d+_))?(?P<student_id>[^/_]+)_(?:\d+_)?"
    r"(?P<file_id>[^/]+?)(?:-\d+)?\.ipynb$",
)


class PointsPerDayLate(LateSubmissionPlugin):
    """A late submission loses ``points_per_day`` points for every day (or part of one) after the
    due date, never more than the notebook scored (nbgrader caps the penalty at the score)."""

    points_per_day = Float(1.0, help="points taken off per started day of lateness").tag(config=True)

    def late_submission_penalty(self, student_id, score, total_seconds_late):
        days = math.ceil(total_seconds_late / 86400)
        return min(float(score), days * self.points_per_day)


# Late penalties (nbgrader's AssignLatePenalties, applied when a submission is graded): a
# submission's time is its timestamp.txt (from the LMS file name, when the LMS puts one there),
# the due date is the gradebook's, written by `make collect` from CourseTerm.due_dates below.
c.AssignLatePenalties.plugin_class = PointsPerDayLate
c.PointsPerDayLate.points_per_day = 1.0

# Due dates, one per assignment id, in UTC unless the text names a time zone, e.g.
# {"ch01_cross_entropy": "2026-10-09 23:59:00 UTC"}.  Read by the course's tools only.
c.CourseTerm.due_dates = {}
