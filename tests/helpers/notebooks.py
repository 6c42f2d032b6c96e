"""Helpers the tests share for reading and running course notebooks.

nbgrader marks cells with metadata; these helpers name the kinds of cell the
tests care about and run a notebook's code cells in this Python process (much
faster than a kernel, so the wrong-answer catalogue stays cheap to check).
"""
import contextlib
import io
import os
import re
import traceback
import warnings
from dataclasses import dataclass
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions"
CHAPTERS = ROOT / "chapters"

BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


def assignment_ids():
    """Ids of all assignments: the folders of solutions/."""
    return sorted(p.name for p in SOLUTIONS.iterdir() if p.is_dir() and not p.name.startswith("."))


def solution_notebook(assignment_id):
    """The single source notebook of an assignment."""
    notebooks = sorted((SOLUTIONS / assignment_id).glob("*.ipynb"))
    assert len(notebooks) == 1, f"{assignment_id}: expected one notebook, found {notebooks}"
    return notebooks[0]


def read(path):
    return nbformat.read(str(path), as_version=4)


def nbgrader_meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def is_answer_cell(cell):
    """An autograded answer cell: code the student writes, graded by test cells."""
    meta = nbgrader_meta(cell)
    return cell.cell_type == "code" and meta.get("solution", False) and not meta.get("grade", False)


def is_test_cell(cell):
    """An autograded test cell: locked code that scores points."""
    meta = nbgrader_meta(cell)
    return cell.cell_type == "code" and meta.get("grade", False) and not meta.get("solution", False)


def is_manual_cell(cell):
    """A manually graded answer (a written answer)."""
    meta = nbgrader_meta(cell)
    return meta.get("grade", False) and meta.get("solution", False)


def grade_id(cell):
    return nbgrader_meta(cell).get("grade_id")


def _split_regions(source, begin, end):
    """(lines strictly between ``begin`` and ``end`` markers, lines outside them); marker lines
    belong to neither."""
    inner, outer, inside = [], [], False
    for line in source.splitlines():
        if begin in line:
            inside = True
        elif end in line:
            inside = False
        else:
            (inner if inside else outer).append(line)
    return inner, outer


def region_lines(source, begin, end):
    """Lines strictly between ``begin`` and ``end`` markers."""
    return _split_regions(source, begin, end)[0]


def outside_regions(source, begin, end):
    """Lines outside the ``begin`` ... ``end`` regions, the marker lines removed."""
    return _split_regions(source, begin, end)[1]


def secret_lines(nb):
    """Every line an instructor must keep from students: solutions, hidden tests, model answers."""
    secrets = []
    for cell in nb.cells:
        secrets += region_lines(cell.source, BEGIN_SOLUTION, END_SOLUTION)
        secrets += region_lines(cell.source, BEGIN_HIDDEN, END_HIDDEN)
        if is_manual_cell(cell) and BEGIN_SOLUTION not in cell.source:
            secrets += cell.source.splitlines()
    return secrets


def student_source(cell):
    """The cell as nbgrader releases it: the solution region replaced by the stub."""
    out, inside = [], False
    for line in cell.source.splitlines():
        if BEGIN_SOLUTION in line:
            indent = line[: len(line) - len(line.lstrip())]
            out += [indent + "# YOUR CODE HERE", indent + "raise NotImplementedError()"]
            inside = True
        elif END_SOLUTION in line:
            inside = False
        elif not inside:
            out.append(line)
    return "\n".join(out)


@dataclass
class CellResult:
    grade_id: str
    passed: bool
    message: str


def run_in_process(nb, cwd):
    """Execute the code cells of ``nb`` in order in one fresh namespace.

    Returns a list of :class:`CellResult`, one per autograded test cell: a test
    cell passes when it raises nothing and writes nothing to stderr (nbgrader
    gives 0 points for stderr output too).  Exceptions in other cells are kept
    going past, like nbgrader's autograder does.
    """
    namespace = {"__name__": "__main__"}
    results = []
    old_cwd = os.getcwd()
    os.chdir(cwd)
    try:
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            stdout, stderr = io.StringIO(), io.StringIO()
            error = None
            with warnings.catch_warnings(), contextlib.redirect_stdout(stdout), \
                    contextlib.redirect_stderr(stderr):
                warnings.simplefilter("default")
                warnings.showwarning = _warnings_to(stderr)
                try:
                    exec(compile(cell.source, f"<cell {grade_id(cell)}>", "exec"), namespace)
                except BaseException as exc:  # noqa: BLE001 - a student's code may raise anything
                    if isinstance(exc, KeyboardInterrupt):
                        raise
                    error = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            if is_test_cell(cell):
                noise = stderr.getvalue().strip()
                message = error or (f"wrote to stderr: {noise}" if noise else "")
                results.append(CellResult(grade_id(cell), not message, message))
    finally:
        os.chdir(old_cwd)
        import matplotlib.pyplot as plt
        plt.close("all")
    return results


def _warnings_to(stream):
    def show(message, category, filename, lineno, file=None, line=None):
        stream.write(warnings.formatwarning(message, category, filename, lineno, line))
    return show


def with_answer(nb, answer_grade_id, source):
    """A copy of ``nb`` whose answer cell ``answer_grade_id`` holds ``source`` instead."""
    nb = nbformat.from_dict(nb)
    matches = [c for c in nb.cells if is_answer_cell(c) and grade_id(c) == answer_grade_id]
    assert matches, f"no answer cell with grade_id {answer_grade_id!r}"
    matches[0].source = source
    return nb


def normalise(text):
    """Collapse all whitespace, so text can be searched whatever its layout."""
    return re.sub(r"\s+", " ", text).strip()
