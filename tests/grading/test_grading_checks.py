"""Unit tests of the grading tool's checks (autograder/grading), without kernels or nbgrader runs."""
import json
import shutil
import subprocess
import sys
import textwrap

import nbformat
import pytest

from helpers import ROOT

from grading import checks, kernel, records
from grading.assignment import Assignment
from grading.feedback import hidden_lines, html_text, leaks
from grading.records import Finding


def notebook_file(tmp_path, text, name="cross_entropy.ipynb"):
    path = tmp_path / name
    path.write_text(text)
    return path


# -- reading submitted notebooks ----------------------------------------------------------------
@pytest.mark.parametrize("text, words", [
    ("", "is empty"),
    ("   \n", "is empty"),
    ('{"cells": [', "is not valid JSON: Expecting value at line 1, column 12"),
    ("[1, 2]", "is JSON but not a notebook"),
    ('{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code"}]}',
     "is not a valid notebook"),
])
def test_unreadable_notebooks_say_why(tmp_path, text, words):
    notebook, problem = checks.read_notebook(notebook_file(tmp_path, text))
    assert notebook is None
    assert words in problem and problem.startswith("cross_entropy.ipynb")


def test_binary_file_is_not_a_notebook(tmp_path):
    path = tmp_path / "cross_entropy.ipynb"
    path.write_bytes(b"\xff\xfe\x00PK")
    assert "not text" in checks.read_notebook(path)[1]


def test_valid_notebook_is_read(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    notebook, problem = checks.read_notebook(notebook_file(tmp_path, nbformat.writes(nb)))
    assert problem is None and notebook.cells[0].source == "x = 1"


# -- tampering ---------------------------------------------------------------------------------------
REFERENCE_NB = {"cells": {
    "setup": {"kind": "locked", "release": "import numpy as np", "source": "import numpy as np", "points": 0},
    "answer": {"kind": "answer", "release": "def f(): pass", "source": "def f(): return 1", "points": 0},
    "test_f": {"kind": "test", "release": "assert f() == 1", "source": "assert f() == 1", "points": 2.0},
    "test_hidden": {"kind": "test", "release": "", "source": "### BEGIN HIDDEN TESTS\nassert f()\n"
                                                             "### END HIDDEN TESTS", "points": 1.0},
}}


def cell(grade_id, source, **meta):
    c = nbformat.v4.new_code_cell(source)
    c.metadata["nbgrader"] = {"grade_id": grade_id, **meta}
    return c


def submitted(**changes):
    cells = {
        "setup": cell("setup", "import numpy as np", locked=True),
        "answer": cell("answer", "def f(): return 1", solution=True),
        "test_f": cell("test_f", "assert f() == 1", grade=True, points=2, locked=True),
        "test_hidden": cell("test_hidden", "", grade=True, points=1, locked=True),
    }
    cells.update(changes)
    return nbformat.v4.new_notebook(cells=[c for c in cells.values() if c is not None])


def test_untouched_notebook_is_not_tampered():
    assert checks.tampering(submitted(), REFERENCE_NB) == []


def test_trailing_spaces_are_not_tampering():
    assert checks.tampering(submitted(test_f=cell("test_f", "assert f() == 1   \n\n", grade=True, points=2)),
                            REFERENCE_NB) == []


def test_tampering_is_named():
    nb = submitted(test_f=cell("test_f", "pass", grade=True, points=2), test_hidden=None,
                   setup=cell("setup", "import numpy as np\nnp.random.seed(0)", locked=True))
    assert checks.tampering(nb, REFERENCE_NB) == [
        "locked cell setup edited", "test cell test_f edited", "test cell test_hidden deleted"]


def test_changed_points_are_tampering():
    nb = submitted(test_f=cell("test_f", "assert f() == 1", grade=True, points=200))
    assert checks.tampering(nb, REFERENCE_NB) == ["test cell test_f: grading metadata changed"]


def test_precheck_finds_missing_and_misnamed(tmp_path):
    info = Assignment("a", {"cross_entropy": REFERENCE_NB}, 3.0)
    findings, notebooks = checks.precheck(tmp_path, info)
    assert [f.kind for f in findings] == ["missing_notebook"] and findings[0].fatal
    assert "folder is empty" in findings[0].text
    notebook_file(tmp_path, nbformat.writes(submitted()), name="Cross Entropy.ipynb")
    findings, _ = checks.precheck(tmp_path, info)
    assert "found Cross Entropy.ipynb instead" in findings[0].text


# -- the verdict ---------------------------------------------------------------------------------------
def test_most_important_finding_names_the_status():
    findings = [Finding("stderr", "noise"), Finding("tampered", "edited"), Finding("cheating", "reference")]
    assert records.verdict(findings, graded=True) == ("cheating", "reference; edited; noise")
    assert records.verdict([], graded=True) == ("graded", "")


def test_fatal_findings_win_when_nothing_was_graded():
    findings = [Finding("tampered", "edited"), Finding("kernel_died", "died", fatal=True)]
    assert records.verdict(findings, graded=False)[0] == "kernel_died"


def test_every_status_has_an_order():
    assert len(set(records.STATUSES)) == len(records.STATUSES)
    assert set(records.NOT_GRADED) <= set(records.STATUSES)
    with pytest.raises(ValueError, match="one of"):
        Finding("no_such_status", "text")


# -- outputs of an autograded notebook ------------------------------------------------------------------
def with_outputs(grade_id, kind, outputs):
    meta = {"test": dict(grade=True, points=2), "answer": dict(solution=True)}[kind]
    c = cell(grade_id, "x", **meta)
    c.outputs = [nbformat.from_dict(o) for o in outputs]
    return c


def error(ename, evalue=""):
    return {"output_type": "error", "ename": ename, "evalue": evalue, "traceback": []}


def test_output_findings():
    nb = nbformat.v4.new_notebook(cells=[
        with_outputs("softmax", "answer", [error("ModuleNotFoundError", "No module named 'torch'")]),
        with_outputs("cee", "answer", [error("NotImplementedError")]),
        with_outputs("test_a", "test", [error("KeyboardInterrupt"), error("CellTimeoutError")]),
        with_outputs("test_b", "test", [{"output_type": "stream", "name": "stderr", "text": "debug\n"}]),
        with_outputs("test_c", "test", [error("MemoryError")]),
        with_outputs("test_d", "test", [error("AssertionError", "wrong")]),
    ])
    findings, idle = checks.output_findings(nb, "nb", False, 5, 2048)
    assert [(f.kind, f.text.split(" ")[1]) for f in findings] == [
        ("answer_error", "softmax"), ("timed_out", "test_a"), ("stderr", "test_b"), ("memory_limit", "test_c")]
    assert idle == ["cee"]
    assert "scored it 0 of 2" in findings[2].text


def test_failures_are_explained():
    assert checks.failure_findings("CellTimeoutError: Timeout waiting for IOPub output", "softmax", 5, 1).kind \
        == "timed_out"
    died = checks.failure_findings("nbclient.exceptions.DeadKernelError: Kernel died", "test_a", 5, 1024)
    assert died.kind == "kernel_died" and "in cell test_a" in died.text and "1024 MB" in died.text
    assert checks.failure_findings("ValueError: odd\n", None, 5, 1).text.endswith("ValueError: odd")


def test_kernel_records_name_cells_and_ignore_instructor_cells():
    labels = {"k1": ("softmax", "answer"), "k2": ("test_softmax", "test"), "k3": ("setup", "locked")}
    records = [
        {"event": "start", "cell": "k3"}, {"event": "end", "cell": "k3", "reference": {"softmax": "from setup"}},
        {"event": "start", "cell": "k1"}, {"event": "blocked", "what": "writing /course/gradebook.db"},
        {"event": "end", "cell": "k1", "reference": {"softmax": "x"}, "patched": ["nntrain.functions.softmax"]},
        {"event": "start", "cell": "k2"},
    ]
    findings = checks.kernel_findings(records, labels)
    assert [f.kind for f in findings] == ["cheating", "outside_access"]
    assert "nntrain.functions.softmax" in findings[0].text and "gradebook.db" in findings[1].text
    assert checks.running_cell(records, labels) == "test_softmax"


# -- the kernel's checks for reference code -------------------------------------------------------------
def test_reference_use():
    import nntrain
    from nntrain import functions

    namespace = {"nntrain": nntrain, "reference": functions.softmax, "np": __import__("numpy")}
    exec(textwrap.dedent('''
        def own(a):
            exp_a = np.exp(a - np.max(a))
            return exp_a / np.sum(exp_a)
        def via_module(a):
            return nntrain.softmax(a)
        def via_alias(a):
            return reference(a)
        def via_import(a):
            return __import__("nntrain").softmax(a)
        class Net(nntrain.SimpleNet):
            pass
        class OwnNet:
            def loss(self, x):
                return nntrain.softmax(x)      # allowed: the answer is the class, not softmax
    '''), namespace)
    use = kernel.reference_use
    assert use(namespace["own"], "softmax", "nntrain") is None
    assert "is nntrain.functions.softmax" in use(functions.softmax, "softmax", "nntrain")
    assert "calls nntrain.softmax" in use(namespace["via_module"], "softmax", "nntrain")
    assert "calls nntrain.functions.softmax" in use(namespace["via_alias"], "softmax", "nntrain")
    assert "imports nntrain" in use(namespace["via_import"], "softmax", "nntrain")
    assert "inherits from nntrain.networks.SimpleNet" in use(namespace["Net"], "SimpleNet", "nntrain")
    assert use(namespace["OwnNet"], "SimpleNet", "nntrain") is None
    assert use(None, "softmax", "nntrain") is None


# -- the kernel's write guard (audit hooks are for life: tried in a fresh interpreter) --------------------
GUARD_SCRIPT = r'''
import json, os, shutil, sqlite3, subprocess, sys
sys.path.insert(0, sys.argv[1])
from grading.kernel import Guard, Recorder
protected, allowed, other, private = sys.argv[2:6]
recorder = Recorder(os.path.join(other, "records.jsonl"))
sys.addaudithook(Guard([protected], [allowed], recorder, [private]))
results = {}
def attempt(name, action):
    try:
        action()
        results[name] = "ok"
    except PermissionError:
        results[name] = "blocked"
attempt("write protected", lambda: open(os.path.join(protected, "x.txt"), "w").close())
attempt("append protected", lambda: open(os.path.join(protected, "x.txt"), "a").close())
attempt("os.open protected", lambda: os.open(os.path.join(protected, "y"), os.O_WRONLY | os.O_CREAT))
attempt("read protected", lambda: open(os.path.join(protected, "existing.txt")).read())
attempt("write allowed", lambda: open(os.path.join(allowed, "x.txt"), "w").close())
attempt("write elsewhere", lambda: open(os.path.join(other, "x.txt"), "w").close())
attempt("relative escape", lambda: open(os.path.join(allowed, "..", "..", os.path.basename(protected), "z"), "w"))
attempt("remove protected", lambda: os.remove(os.path.join(protected, "existing.txt")))
attempt("rename into protected", lambda: os.rename(os.path.join(other, "x.txt"), os.path.join(protected, "m")))
attempt("sqlite protected", lambda: sqlite3.connect(os.path.join(protected, "gradebook.db")))
attempt("sqlite memory", lambda: sqlite3.connect(":memory:"))
gradebook = os.path.join(protected, "gradebook.db")
attempt("sqlite uri", lambda: sqlite3.connect("file:" + gradebook + "?mode=ro", uri=True))
attempt("sqlite uri with authority", lambda: sqlite3.connect("file://localhost" + gradebook, uri=True))
attempt("sqlite uri escaped", lambda: sqlite3.connect("file:" + gradebook.replace("/", "%2F"), uri=True))
attempt("sqlite uri elsewhere", lambda: sqlite3.connect("file:" + os.path.join(other, "mine.db"), uri=True))
attempt("read private", lambda: open(os.path.join(private, "solution.txt")).read())
attempt("list private", lambda: os.listdir(private))
attempt("read allowed in private", lambda: open(os.path.join(allowed, "x.txt")).read())
attempt("environ of another process", lambda: open("/proc/1/environ", "rb").read())
thread = sorted(os.listdir(f"/proc/{os.getppid()}/task"))[0]
attempt("environ of another process's thread",
        lambda: open(f"/proc/{os.getppid()}/task/{thread}/environ", "rb").read())
attempt("cmdline of another process's thread",
        lambda: open(f"/proc/{os.getppid()}/task/{thread}/cmdline", "rb").read())
attempt("own thread's environ", lambda: open(f"/proc/self/task/{os.getpid()}/environ", "rb").read())
attempt("own status", lambda: open("/proc/self/status").read())
attempt("raise limits", lambda: __import__("resource").setrlimit(
    __import__("resource").RLIMIT_AS, __import__("resource").getrlimit(__import__("resource").RLIMIT_AS)))
attempt("program", lambda: subprocess.run(["true"]))
attempt("os.system", lambda: os.system("true"))
fake = os.path.join(other, "fc-list")                  # a student's own program named fc-list
with open(fake, "w") as handle:
    handle.write("#!/bin/sh\ntrue\n")
os.chmod(fake, 0o755)
attempt("own fc-list", lambda: subprocess.run([fake]))
attempt("own fc-list on PATH", lambda: subprocess.run(["fc-list"], env={"PATH": other}))
if shutil.which("fc-list"):
    attempt("fc-list", lambda: subprocess.run(["fc-list", "--format=%{file}\\n"], capture_output=True))
print(json.dumps(results))
'''


def test_guard_blocks_writes_to_protected_and_reads_of_private_folders(tmp_path):
    protected, other = tmp_path / "course", tmp_path / "else"
    private = protected / "autograded"
    allowed = private / "me"
    for folder in (protected, allowed, other):
        folder.mkdir(parents=True, exist_ok=True)
    (protected / "existing.txt").write_text("keep me")
    (private / "solution.txt").write_text("secret")
    proc = subprocess.run([sys.executable, "-c", GUARD_SCRIPT, str(ROOT / "autograder"), str(protected),
                           str(allowed), str(other), str(private)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    results = json.loads(proc.stdout)
    expected = {
        "write protected": "blocked", "append protected": "blocked", "os.open protected": "blocked",
        "read protected": "ok", "write allowed": "ok", "write elsewhere": "ok",
        "relative escape": "blocked", "remove protected": "blocked", "rename into protected": "blocked",
        "sqlite protected": "blocked", "sqlite memory": "ok", "sqlite uri": "blocked",
        "sqlite uri with authority": "blocked", "sqlite uri escaped": "blocked", "sqlite uri elsewhere": "ok", "read private": "blocked",
        "list private": "blocked", "read allowed in private": "ok", "environ of another process": "blocked",
        "environ of another process's thread": "blocked", "cmdline of another process's thread": "blocked",
        "own thread's environ": "ok", "own status": "ok", "raise limits": "blocked", "program": "blocked",
        "os.system": "blocked", "own fc-list": "blocked", "own fc-list on PATH": "blocked",
    }
    if shutil.which("fc-list"):
        expected["fc-list"] = "ok"        # matplotlib's font lookup, the one program allowed
    assert results == expected
    assert (protected / "existing.txt").read_text() == "keep me"
    records = [json.loads(line) for line in (other / "records.jsonl").read_text().splitlines()]
    assert all(r["event"] == "blocked" for r in records)
    assert len(records) == sum(1 for outcome in expected.values() if outcome == "blocked")


# -- feedback: hidden test lines ------------------------------------------------------------------------
def test_hidden_lines_and_leaks():
    info = Assignment("a", {"nb": {"cells": {
        "t": {"kind": "test", "release": "assert f(1) == 2",
              "source": "assert f(1) == 2\n### BEGIN HIDDEN TESTS\nassert f(12345) == 24690, 'big'\n"
                        "x = 1\n### END HIDDEN TESTS"},
        "a": {"kind": "answer", "release": "def f(x): pass", "source": "def f(x): return 2 * x"}}}}, 3.0)
    secrets = hidden_lines(info)
    assert secrets == ["assert f(12345) == 24690, 'big'"]
    page = "<pre><span>assert</span> f(12345) <span>==</span> 24690, &#39;big&#39;</pre>"
    assert html_text(page) == "assert f(12345) == 24690, 'big'"
    assert leaks(page, secrets) == secrets
    assert leaks("<p>AssertionError: big</p>", secrets) == []


# -- a submission handed to a worker but not finished ----------------------------------------------------
class GradebookSubmission:
    """What nbgrader's gradebook holds for a submission it started on: a score of 0."""
    score, needs_manual_grade, late_submission_penalty = 0.0, False, None


def test_unfinished_submission_is_an_error_not_a_zero():
    from grading import autograde, report
    from grading.worker import Job

    job = Job(Assignment("ch01_cross_entropy", {}, 12.0), "kim", {}, "abc", 60.0)
    entry = autograde.provisional(job, records.SANDBOXED)
    assert (entry.status, entry.graded, entry.score) == ("error", False, None)
    assert entry.detail == "grading started, not finished"
    row = report.row_for("kim", "ch01_cross_entropy", 12.0, entry, GradebookSubmission())
    assert row == {"student": "kim", "assignment": "ch01_cross_entropy", "score": "", "max_score": "12",
                   "status": "error", "detail": "grading started, not finished", "sandbox": records.SANDBOXED}


def test_status_records_survive_the_status_file(tmp_path):
    record = records.StatusRecord("a", "kim", "f", 12.0, graded=True, score=7.0,
                                  findings=[Finding("stderr", "noise")], sandbox=records.GUARD_ONLY).decide()
    status = records.StatusFile(submissions={record.key: record})
    status.save(tmp_path / "grades" / "status.json")
    again = records.StatusFile.load(tmp_path / "grades" / "status.json")
    assert again.submissions == {"a/kim": record}
    assert (record.status, record.detail) == ("stderr", "noise")
