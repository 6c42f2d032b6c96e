"""What happened to a submission: checks before and after nbgrader grades it.

Before (:func:`precheck`): is every notebook there and named right, is it
valid JSON and a valid notebook, were locked or test cells edited or deleted
(nbgrader restores them; we say so).  After (:func:`postcheck`): the
autograded notebook's outputs (timeouts and in which cell, memory errors,
exceptions in the student's cells, stderr in test cells) and the grading
kernel's records (the cell running when the kernel died, blocked writes,
handed-in reference code).  :func:`grading.records.verdict` turns the findings
into one status.
"""
import json
import re
from pathlib import Path

import nbformat

from .cells import STUDENT_KINDS, grade_id, nbgrader_meta, normalise, submitted_kind
from .records import Finding, cell_key


# -- before grading --------------------------------------------------------------------------
def read_notebook(path):
    """(notebook, None) or (None, why it is not a valid notebook)."""
    data = Path(path).read_bytes()
    if not data.strip():
        return None, f"{Path(path).name} is empty ({len(data)} bytes)"
    try:
        content = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return None, f"{Path(path).name} is not text (UTF-8): {exc.reason} at byte {exc.start}"
    except json.JSONDecodeError as exc:
        return None, f"{Path(path).name} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
    if not isinstance(content, dict) or "cells" not in content and "worksheets" not in content:
        return None, f"{Path(path).name} is JSON but not a notebook (no cells)"
    try:
        notebook = nbformat.reads(json.dumps(content), as_version=4)
        nbformat.validate(notebook)
    except Exception as exc:  # noqa: BLE001 - nbformat raises several kinds
        message = str(getattr(exc, "message", exc)).splitlines()[0][:200]
        return None, f"{Path(path).name} is not a valid notebook: {message}"
    return notebook, None


def tampering(notebook, expected_notebook):
    """Edited or deleted test and locked cells, compared with what students received
    (``expected_notebook``: one of :attr:`grading.assignment.Assignment.notebooks`)."""
    submitted = {}
    for cell in notebook.cells:
        grade_id = nbgrader_meta(cell).get("grade_id")
        if grade_id and grade_id not in submitted:
            submitted[grade_id] = cell
    problems = []
    for name, expected in expected_notebook["cells"].items():
        if expected["kind"] not in ("test", "locked"):
            continue
        what = "test cell" if expected["kind"] == "test" else "locked cell"
        cell = submitted.get(name)
        if cell is None:
            problems.append(f"{what} {name} deleted")
            continue
        if normalise(cell.get("source", "")) != normalise(expected["release"]):
            problems.append(f"{what} {name} edited")
        elif expected["kind"] == "test":
            meta = nbgrader_meta(cell)
            if not meta.get("grade") or float(meta.get("points", 0) or 0) != expected["points"]:
                problems.append(f"{what} {name}: grading metadata changed")
    return problems


def unanswered(notebook):
    """Grade ids of answer cells still as released (nbgrader's checksum matches): not attempted."""
    from nbgrader.utils import compute_checksum

    names = []
    for cell in notebook.cells:
        meta = nbgrader_meta(cell)
        if meta.get("solution") and meta.get("checksum"):
            try:
                if compute_checksum(cell) == meta["checksum"]:
                    names.append(meta.get("grade_id"))
            except Exception:  # noqa: BLE001 - odd metadata: not our verdict to make
                continue
    return names


def precheck(folder, assignment):
    """Findings about the files of ``folder``, a submission of ``assignment``.

    Returns ``(findings, notebooks)`` where ``notebooks`` maps each expected notebook
    name to its parsed notebook, or None when it is missing or invalid.
    """
    folder = Path(folder)
    expected = sorted(assignment.notebooks)
    expected_files = {f"{name}.ipynb" for name in expected}
    found = sorted(str(p.relative_to(folder)) for p in folder.rglob("*.ipynb")
                   if ".ipynb_checkpoints" not in p.parts) if folder.is_dir() else []
    strays = [f for f in found if f not in expected_files]
    findings, notebooks = [], {}
    for name in expected:
        path = folder / f"{name}.ipynb"
        if not path.is_file():
            text = f"{name}.ipynb is missing"
            if strays:
                text += f"; found {', '.join(strays)} instead (misnamed? rename it and grade again)"
            elif not folder.is_dir() or not any(folder.iterdir()):
                text += " (the submission folder is empty)"
            findings.append(Finding("missing_notebook", text))
            notebooks[name] = None
            continue
        notebook, problem = read_notebook(path)
        notebooks[name] = notebook
        if problem:
            findings.append(Finding("invalid_notebook", problem))
            continue
        problems = tampering(notebook, assignment.notebooks[name])
        if problems:
            findings.append(Finding("tampered", "; ".join(problems) + " (restored by nbgrader, then graded)"))
    if not any(nb is not None for nb in notebooks.values()):
        for finding in findings:
            finding.fatal = True
    return findings, notebooks


# -- after grading ---------------------------------------------------------------------------
def labels_for(assignment, notebooks):
    """(label, kind) of every cell source the kernel may have run, by source key.

    Sources come from the assignment (restored test and locked cells) and from the
    submitted notebooks (answer cells and cells the student added).
    """
    labels = {}
    for notebook_name, notebook in sorted(notebooks.items()):
        if notebook is None:
            continue
        for index, cell in enumerate(notebook.cells):
            if cell.get("cell_type") != "code":
                continue
            kind = submitted_kind(cell)
            label = grade_id(cell) or f"cell {index + 1}"
            if len(notebooks) > 1:
                label = f"{notebook_name}: {label}"
            if kind in ("test", "locked"):
                kind = "student"  # an edited copy: nbgrader replaced it, so this never runs
            labels.setdefault(cell_key(cell.get("source", "")), (label, kind))
    for notebook_name, notebook in assignment.notebooks.items():
        for name, cell in notebook["cells"].items():
            label = name if len(assignment.notebooks) == 1 else f"{notebook_name}: {name}"
            labels[cell_key(cell["source"])] = (label, cell["kind"])
    return labels


def read_progress(path):
    records = []
    if path and Path(path).is_file():
        for line in Path(path).read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return records


def running_cell(records, labels):
    """Label of the cell that started last and never ended, or None."""
    open_cells = []
    for record in records:
        if record.get("event") == "start":
            open_cells.append(record.get("cell"))
        elif record.get("event") == "end" and open_cells:
            open_cells.pop()
    if not open_cells:
        return None
    return labels.get(open_cells[-1], (f"a cell the notebook does not contain", "student"))[0]


def kernel_findings(records, labels):
    """Blocked actions and handed-in reference code, from the kernel's records."""
    findings = []
    current = None
    seen_reference, seen_patched = set(), set()
    blocked = []
    for record in records:
        event = record.get("event")
        if event == "start":
            current = labels.get(record.get("cell"), ("a cell the notebook does not contain", "student"))
        elif event == "blocked":
            label, kind = current or ("kernel start-up", "locked")
            blocked.append((label, kind, record.get("what", "?")))
        elif event == "end":
            label, kind = labels.get(record.get("cell"), ("a cell the notebook does not contain", "student"))
            uses = record.get("reference") or {}
            new = {name: why for name, why in uses.items() if name not in seen_reference}
            patched = [p for p in record.get("patched") or [] if p not in seen_patched]
            if kind in STUDENT_KINDS:
                for name, why in sorted(new.items()):
                    findings.append(Finding("cheating", f"hands in the reference implementation: {why} "
                                                        f"(cell {label}); scored 0"))
                for name in patched:
                    findings.append(Finding("cheating", f"replaced the reference {name} with its own code "
                                                        f"(cell {label}); scored 0"))
            seen_reference |= set(uses)
            seen_patched |= set(record.get("patched") or [])
    for label, kind, what in blocked:
        who = "" if kind in STUDENT_KINDS else " (in an instructor cell)"
        findings.append(Finding("outside_access", f"cell {label}{who}: {what} was blocked"))
    return findings


def output_findings(notebook, notebook_name, multiple, timeout, memory_mb):
    """Timeouts, memory errors, exceptions in student cells and stderr in test cells."""
    findings = []
    not_attempted = []
    for index, cell in enumerate(notebook.cells):
        if cell.get("cell_type") != "code":
            continue
        kind = submitted_kind(cell)
        label = grade_id(cell) or f"cell {index + 1}"
        if multiple:
            label = f"{notebook_name}: {label}"
        outputs = cell.get("outputs", [])
        errors = [o for o in outputs if o.get("output_type") == "error"]
        names = [o.get("ename", "") for o in errors]
        if "CellTimeoutError" in names:
            findings.append(Finding("timed_out", f"cell {label} ran past the {timeout} s limit and was interrupted"))
        elif "MemoryError" in names:
            findings.append(Finding("memory_limit", f"cell {label} ran out of memory "
                                                    f"(the kernel's limit is {memory_mb} MB)"))
        elif kind in STUDENT_KINDS and errors:
            error = errors[0]
            if error.get("ename") == "NotImplementedError":
                not_attempted.append(label)
            elif error.get("ename") not in ("KeyboardInterrupt", "PermissionError"):
                value = " ".join(str(error.get("evalue", "")).split())[:160]
                findings.append(Finding("answer_error", f"cell {label} raised {error.get('ename')}: {value}"))
        if kind == "test" and not errors:
            noise = [o for o in outputs if o.get("output_type") == "stream" and o.get("name") == "stderr"]
            if noise:
                first = " ".join("".join(noise[0].get("text", "")).split())[:120]
                points = nbgrader_meta(cell).get("points", 0)
                findings.append(Finding("stderr", f"test {label} passed but wrote to stderr, so nbgrader "
                                                  f"scored it 0 of {points} ({first!r})"))
    return findings, not_attempted


def failure_findings(result_text, running, timeout, memory_mb):
    """Why nbgrader could not grade a submission, from its log and traceback."""
    where = f" in cell {running}" if running else ""
    if "Timeout waiting for IOPub output" in result_text or "CellTimeoutError" in result_text:
        return Finding("timed_out", f"cell {running or '?'} ran past the {timeout} s limit and ignored the "
                                    "interrupt; the kernel was killed; not graded", fatal=True)
    if re.search(r"DeadKernelError|Kernel died|UnresponsiveKernelError|kernel became unresponsive",
                 result_text):
        return Finding("kernel_died", f"the kernel died{where} (a crash, or the {memory_mb} MB memory "
                                      "limit); not graded", fatal=True)
    lines = [line for line in result_text.strip().splitlines() if line.strip()]
    return Finding("error", "nbgrader could not grade it: " + (lines[-1][:300] if lines else "no log"),
                   fatal=True)


def postcheck(autograded, records, assignment, submitted, timeout, memory_mb):
    """Findings from the autograded notebooks (file name -> bytes) and the kernel's records;
    ``(findings, names of answers not attempted)``."""
    labels = labels_for(assignment, submitted)
    findings, not_attempted = [], []
    multiple = len(autograded) > 1
    for file_name, data in sorted(autograded.items()):
        notebook = nbformat.reads(data.decode("utf-8"), as_version=4)
        found, idle = output_findings(notebook, Path(file_name).stem, multiple, timeout, memory_mb)
        findings += found
        not_attempted += idle
    findings += kernel_findings(records, labels)
    return findings, not_attempted
