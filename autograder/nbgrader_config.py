"""nbgrader configuration of the course (the course root is this folder).

Source notebooks (with solutions and hidden tests) live in ../solutions;
everything nbgrader generates (release/, submitted/, autograded/, feedback/,
gradebook.db) is created here and never committed.
"""
import os

from nbgrader.preprocessors import ClearHiddenTests, GetGrades
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor

c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

HERE = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.root = HERE
c.CourseDirectory.source_directory = os.path.join("..", "solutions")
c.CourseDirectory.course_id = "nntrain"
c.CourseDirectory.db_url = os.environ.get(
    "NNTRAIN_GRADEBOOK_URL", "sqlite:///" + os.path.join(HERE, "gradebook.db")
)

# A cell that runs longer than this is interrupted and counts as failed.
c.Execute.timeout = int(os.environ.get("NNTRAIN_CELL_TIMEOUT", "60"))
c.Execute.interrupt_on_timeout = True
c.Execute.raise_on_iopub_timeout = True

# generate_assignment: create assignments in the gradebook on first use.
c.GenerateAssignment.create_assignment = True

# autograde: restore test cells that a student deleted (locked cells that were
# edited are always restored from the gradebook).
c.OverwriteCells.add_missing_cells = True

# Feedback never shows the source of hidden tests.
c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, CSSHTMLHeaderPreprocessor]
