"""grading.integrity on made-up kernel records: which test cells lose their points, and why.

The whole path (a real kernel, real tricks) is tests/grading/test_tricks.py; these cases pin the
rules on small data: tests before a change keep their outputs, every test from the change on gets
a TamperingError first (nbgrader then scores it 0), a test the kernel did not check counts as
tampered with, and a value of the notebook's own class is reported.
"""
import nbformat

from grading import integrity
from grading.records import cell_key


def notebook():
    """setup, answer, test_a, answer_2, test_b, test_c (test cells pass: they print)."""
    def test(name, source):
        cell = nbformat.v4.new_code_cell(source, outputs=[nbformat.v4.new_output("stream", name="stdout",
                                                                                 text="ok\n")])
        cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "grade_id": name,
                                     "points": 1}
        return cell

    def answer(name, source):
        cell = nbformat.v4.new_code_cell(source)
        cell.metadata["nbgrader"] = {"grade": False, "solution": True, "locked": False, "grade_id": name}
        return cell

    return nbformat.v4.new_notebook(cells=[
        answer("first", "def f(): return 1"), test("test_a", "assert f() == 1"),
        answer("second", "def g(): return 2"), test("test_b", "assert g() == 2"), test("test_c", "assert 1")])


LABELS = {cell_key(c.source): (c.metadata["nbgrader"]["grade_id"],
                               "test" if c.metadata["nbgrader"]["grade"] else "answer")
          for c in notebook().cells}


def records(changed_in=None, unchecked=()):
    """The kernel's records of one run: ``changed_in`` names the cell whose end lists a change."""
    out = []
    for cell in notebook().cells:
        key, name = cell_key(cell.source), cell.metadata["nbgrader"]["grade_id"]
        out.append({"event": "start", "cell": key})
        if cell.metadata["nbgrader"]["grade"] and name not in unchecked:
            out.append({"event": "check", "cell": key, "changes": []})
        out.append({"event": "end", "cell": key, "changes": ["numpy.allclose was replaced"]
                    if name == changed_in else []})
    return out


def enforce(recs):
    findings, files = integrity.enforce({"nb.ipynb": nbformat.writes(notebook()).encode()}, recs, LABELS)
    graded = nbformat.reads(files["nb.ipynb"].decode(), as_version=4)
    failed = {c.metadata["nbgrader"]["grade_id"]: c.outputs[0]["evalue"] for c in graded.cells
              if c.metadata["nbgrader"]["grade"] and c.outputs and c.outputs[0].get("ename") == "TamperingError"}
    return findings, failed


def test_clean_run_changes_nothing():
    findings, failed = enforce(records())
    assert findings == [] and failed == {}


def test_every_test_after_the_change_fails_with_the_reason():
    findings, failed = enforce(records(changed_in="second"))
    assert set(failed) == {"test_b", "test_c"}
    assert all("cell second changed what the tests rely on: numpy.allclose was replaced" in why
               for why in failed.values())
    assert [f.kind for f in findings] == ["tampering"]
    assert "2 test(s) after it scored 0: test_b, test_c" in findings[0].text


def test_a_change_during_a_test_fails_that_test_too():
    _, failed = enforce(records(changed_in="test_a"))
    assert set(failed) == {"test_a", "test_b", "test_c"}


def test_a_test_without_the_kernels_check_fails_and_taints_the_rest():
    findings, failed = enforce(records(unchecked=("test_b", "test_c")))
    assert set(failed) == {"test_b", "test_c"}
    assert all("check before test test_b did not run" in why for why in failed.values())
    assert findings and findings[0].kind == "tampering"


def test_no_records_at_all_fails_every_test():
    _, failed = enforce([])
    assert set(failed) == {"test_a", "test_b", "test_c"}


def test_a_value_of_the_notebooks_own_class_is_reported():
    nb = notebook()
    nb.cells[1].outputs = [nbformat.v4.new_output(
        "error", ename="AssertionError", evalue="f() should be a NumPy array (numpy.ndarray), got __main__.Liar",
        traceback=[])]
    findings, files = integrity.enforce({"nb.ipynb": nbformat.writes(nb).encode()}, records(), LABELS)
    assert [f.kind for f in findings] == ["tampering"]
    assert "(__main__.Liar) instead of a plain value" in findings[0].text
    assert files["nb.ipynb"] == nbformat.writes(nb).encode(), "nothing to fail: the test failed already"


def test_cell_keys_of_an_assignment():
    class Assignment:
        notebooks = {"nb": {"cells": {
            "setup": {"kind": "locked", "cell_type": "code", "source": "import numpy as np"},
            "question": {"kind": "locked", "cell_type": "markdown", "source": "Why?"},
            "test_a": {"kind": "test", "cell_type": "code", "source": "assert f() == 1"},
            "first": {"kind": "answer", "cell_type": "code", "source": "def f(): return 1"}}}}

    keys = integrity.cell_keys(Assignment)
    assert keys == {"tests": [cell_key("assert f() == 1")], "instructor": [cell_key("import numpy as np")]}


def test_a_test_cell_nbgrader_added_back_counts_when_checked():
    """nbgrader puts a comment in front of a test cell it adds back to a submission that deleted it:
    the kernel checks it under that source, and it keeps its points."""
    from grading.records import without_notice

    nb = notebook()
    restored = "# This cell (id:test_b) was missing from the submission. It was added back by nbgrader.\n\n"
    nb.cells[3].source = restored + nb.cells[3].source
    assert without_notice(nb.cells[3].source) == "assert g() == 2"
    recs = []
    for cell in nb.cells:
        key = cell_key(cell.source)
        recs.append({"event": "start", "cell": key})
        if cell.metadata["nbgrader"]["grade"]:
            recs.append({"event": "check", "cell": key, "changes": []})
        recs.append({"event": "end", "cell": key, "changes": []})
    findings, files = integrity.enforce({"nb.ipynb": nbformat.writes(nb).encode()}, recs, LABELS)
    assert findings == [] and files["nb.ipynb"] == nbformat.writes(nb).encode()
