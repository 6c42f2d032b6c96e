"""No trick scores: test cells that ran after a submission changed what the tests rely on score 0.

The grading kernel (:mod:`grading.kernel`, class ``Integrity``) watches what the tests rely on -
NumPy, the built-ins, the course package and its test helpers, ``warnings``, ``sys``'s hooks,
IPython's machinery that runs a cell and shows its error, the notebook names the tests use - and
writes to its progress records what changed, in which cell (it also puts it back).  This module
reads those records after nbgrader has run the notebook:

* :func:`cell_keys` - which cells the kernel must treat as test cells and instructor cells;
* :func:`enforce` - every test cell that ran after a change (or during which something changed, or
  before which the kernel's check did not run at all: its hooks were removed) gets an error as its
  first output, so nbgrader scores it 0 and the autograded notebook and the feedback say why; the
  findings (status ``tampering``) name what was changed and where.  A test that failed because
  an answer returned an object of a class the notebook defined (which can claim to equal
  anything) is reported the same way.

It works on the autograded notebooks' bytes, before the coordinator stores their scores.
"""
import re

import nbformat

from .cells import grade_id, nbgrader_meta
from .records import Finding, cell_key

ERROR_NAME = "TamperingError"
MAX_LISTED = 4
#: nntrain.testing's message when an answer returns something that is not a plain value
OWN_CLASS = re.compile(r"got (__main__\.[\w.<>]+)")


def cell_keys(assignment):
    """``{"tests": [...], "instructor": [...]}``: the cell keys of ``assignment``'s test cells and
    locked code cells, as nbgrader runs them (hidden tests included)."""
    tests, instructor = [], []
    for notebook in assignment.notebooks.values():
        for cell in notebook["cells"].values():
            if cell.get("cell_type", "code") != "code":
                continue
            if cell["kind"] == "test":
                tests.append(cell_key(cell["source"]))
            elif cell["kind"] == "locked":
                instructor.append(cell_key(cell["source"]))
    return {"tests": sorted(set(tests)), "instructor": sorted(set(instructor))}


def _describe(changes):
    listed = "; ".join(changes[:MAX_LISTED])
    return listed + (f"; and {len(changes) - MAX_LISTED} more" if len(changes) > MAX_LISTED else "")


def executions(records, labels):
    """The test cells in the order they ran: ``[(key, why it does not count or None)]``.

    A test does not count when something changed before it (since the kernel started), while it
    ran, or when the kernel's check before it is missing.  Also returns the findings: one per
    change, naming the cell where it was found.
    """
    runs, findings, tainted = [], [], None
    for record in records:
        event, key = record.get("event"), record.get("cell")
        label, kind = labels.get(key, ("a cell the notebook does not contain", "student"))
        if event == "start":
            if kind == "test":
                runs.append([key, tainted, False])
        elif event == "check" and runs and runs[-1][0] == key:
            runs[-1][2] = True
            changes = record.get("changes") or []
            if changes:
                why = f"before test {label}: {_describe(changes)} (put back)"
                findings.append(why)
                tainted = tainted or why
                runs[-1][1] = runs[-1][1] or why
        elif event == "end":
            changes = record.get("changes") or []
            if changes:
                where = f"test {label}" if kind == "test" else f"cell {label}"
                why = f"{where} changed what the tests rely on: {_describe(changes)} (put back)"
                findings.append(why)
                tainted = tainted or why
                if kind == "test" and runs and runs[-1][0] == key:
                    runs[-1][1] = runs[-1][1] or why
    return runs, findings


def enforce(autograded, records, labels):
    """Fail the test cells that do not count; ``(findings, autograded)``.

    ``autograded``: notebook file name -> bytes (changed copies are returned); ``records``: the
    kernel's progress records; ``labels``: :func:`grading.checks.labels_for`.
    """
    labels = dict(labels)
    for data in autograded.values():     # test cells as run (nbgrader prefixes one it added back)
        for cell in nbformat.reads(data.decode("utf-8"), as_version=4).cells:
            meta = nbgrader_meta(cell)
            if cell.get("cell_type") == "code" and meta.get("grade") and not meta.get("solution"):
                labels[cell_key(cell.get("source", ""))] = (grade_id(cell), "test")
    runs, changes = executions(records, labels)
    pending = {}
    for key, why, checked in runs:
        pending.setdefault(key, []).append((why, checked))
    findings, changed, zeroed = [], dict(autograded), []
    tainted = None
    for file_name, data in sorted(autograded.items()):
        notebook = nbformat.reads(data.decode("utf-8"), as_version=4)
        touched = False
        for cell in notebook.cells:
            meta = nbgrader_meta(cell)
            if cell.get("cell_type") != "code":
                continue
            if meta.get("grade") and not meta.get("solution"):
                key = cell_key(cell.get("source", ""))
                queue = pending.get(key) or []
                why, checked = queue.pop(0) if queue else (None, False)
                why = why or tainted
                if not checked and not why:
                    why = (f"the grading kernel's check before test {grade_id(cell)} did not run "
                           "(its hooks were removed or its records changed)")
                    changes.append(why)
                tainted = tainted or why
                if why:
                    fail(cell, why)
                    touched = True
                    zeroed.append(grade_id(cell))
                    continue
                for output in cell.get("outputs", []):
                    match = OWN_CLASS.search(str(output.get("evalue", ""))) \
                        if output.get("output_type") == "error" else None
                    if match:
                        findings.append(Finding(
                            "tampering", f"test {grade_id(cell)}: an answer returned an object of a class the "
                                         f"notebook defined ({match.group(1)}) instead of a plain value; scored 0"))
                        break
        if touched:
            changed[file_name] = (nbformat.writes(notebook) + "\n").encode("utf-8")
    if changes:
        findings.insert(0, Finding("tampering", f"{'; '.join(changes[:MAX_LISTED])}; "
                                                f"{len(zeroed)} test(s) after it scored 0: {', '.join(zeroed)}"))
    return findings, changed


def fail(cell, why):
    """Put an error first in a test cell's outputs (nbgrader scores a cell with an error 0)."""
    text = f"not scored: {why}. A test is only worth its points if the notebook leaves what it relies on alone."
    error = nbformat.v4.new_output("error", ename=ERROR_NAME, evalue=text, traceback=[f"{ERROR_NAME}: {text}"])
    cell.outputs = [error, *cell.get("outputs", [])]
    return cell

