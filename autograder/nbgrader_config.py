"""nbgrader configuration of the course (the course root is this folder).

Source notebooks (with solutions and hidden tests) live in ../solutions;
everything nbgrader generates (release/, submitted/, autograded/, feedback/,
gradebook.db) is created here and never committed.
"""
import importlib.util
import os

from nbgrader.preprocessors import ClearHiddenTests, ClearMarkScheme, GetGrades
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor, Preprocessor
from traitlets import Bool

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

# zip_collect (`make collect ZIP=...`): how to read the student id and the notebook name from
# the file names in an LMS download, e.g. Canvas "doejane_12345_678_cross_entropy.ipynb" or
# "doejane_LATE_12345_678_cross_entropy-1.ipynb" (student "doejane"), or "jdoe_cross_entropy.ipynb".
# Student ids must not contain "_". Override with NNTRAIN_ZIP_REGEXP.
c.FileNameCollectorPlugin.named_regexp = os.environ.get(
    "NNTRAIN_ZIP_REGEXP",
    r".*/(?P<student_id>[^/_]+)_(?:LATE_)?(?:\d+_)*(?P<file_id>[^/]+?)(?:-\d+)?\.ipynb$",
)
