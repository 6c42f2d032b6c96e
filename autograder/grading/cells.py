"""The kinds of nbgrader cell: the one classifier every grading tool uses."""

#: kinds whose code is the student's (an error there is the student's, not the instructor's)
STUDENT_KINDS = frozenset({"answer", "student", "manual", "written"})


def kind(*, grade, solution, task, locked, cell_type):
    """The kind of an nbgrader cell from its flags.

    ``manual`` (a graded answer, graded by hand), ``test`` (graded code: autograded tests),
    ``answer`` (solution code), ``written`` (a solution in markdown), ``task``, ``locked``
    or ``other``.
    """
    code = cell_type == "code"
    if grade and solution:
        return "manual"
    if grade:
        return "test" if code else "manual"
    if solution:
        return "answer" if code else "written"
    if task:
        return "task"
    return "locked" if locked else "other"


def nbgrader_meta(cell):
    """A notebook cell's nbgrader metadata ({} if it has none)."""
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def grade_id(cell):
    return nbgrader_meta(cell).get("grade_id")


def submitted_kind(cell):
    """The kind of a cell in a notebook, from its metadata; ``student`` for a cell without a grade id
    (one the student added)."""
    meta = nbgrader_meta(cell)
    if not meta.get("grade_id"):
        return "student"
    return kind(grade=meta.get("grade"), solution=meta.get("solution"), task=meta.get("task"),
                locked=meta.get("locked"), cell_type=cell.get("cell_type"))


def normalise(source):
    """Source without trailing spaces and surrounding blank lines (harmless editor changes)."""
    return "\n".join(line.rstrip() for line in source.strip("\n").splitlines()).strip("\n")
