"""A student's workflow in JupyterLab, in a real browser (headless Chromium).

JupyterLab is started by ``make lab``, as a student starts it, in a copy of
the working tree (localhost, with a token): the student versions that
``make exercises`` generates from solutions/ are copied into lab/ and served
from there, and the course in autograder/ is never touched. The browser
opens the assignment and runs all cells (the blank answers raise
NotImplementedError: an error), types the correct answer into every answer
cell (and the written answers), runs all cells again, and presses nbgrader's
Validate button: success. Then it types a known wrong answer and presses
Validate again: the dialog shows the failing test's message. The first
assignment is used, or ``$NNTRAIN_LAB_ASSIGNMENT``. Screenshots go to
``_build/screenshots/lab-*.png``.
"""
import importlib
import json
import os
import re
import secrets
import socket
import subprocess
import urllib.request

import nbformat
import pytest

from helpers.browser import SITE, Guard, stop_jupyter, wait_for_jupyter
from helpers.checkout import copy_checkout, make_command, make_environment
from helpers.notebooks import (BEGIN_SOLUTION, END_SOLUTION, assignment_ids, grade_id, is_answer_cell,
                     is_manual_cell, read, run_in_process, solution_notebook)

SCREENSHOTS = SITE.parent / "screenshots"
# The assignment a student works through (the first one, unless told otherwise).
ASSIGNMENT = os.environ.get("NNTRAIN_LAB_ASSIGNMENT") or assignment_ids()[0]
STARTUP_TIMEOUT = 120
VALIDATE_TIMEOUT = 300_000  # ms: Validate runs the whole notebook on the server

# JupyterLab settings for a quiet, predictable session: every cell rendered
# (no windowing), no news or update checks (they would need the network).
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False},
}


def typed_answer(cell):
    """What a student types: the model answer without nbgrader's markers."""
    return "\n".join(line for line in cell.source.splitlines()
                     if BEGIN_SOLUTION not in line and END_SOLUTION not in line)


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def files(folder):
    """``{path: bytes}`` of every file below ``folder`` (empty if it does not exist)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab as `make lab` starts it, in a copy of the working tree.

    A dict: base URL, token, the notebook's path in JupyterLab and on disk,
    the server's log, the copy and its course folder's files before the start.
    """
    home = tmp_path_factory.mktemp("lab")
    checkout = copy_checkout(home / "course")
    course = files(checkout / "autograder")
    settings = home / "lab-settings"
    for name, values in LAB_SETTINGS.items():
        (settings / name).parent.mkdir(parents=True, exist_ok=True)
        (settings / name).write_text(json.dumps(values))
    env = make_environment()
    env.pop("MPLBACKEND", None)  # students see their plots inline
    token, port = secrets.token_hex(16), _free_port()
    env.update({
        "HOME": str(home),
        "JUPYTER_TOKEN": token,
        "JUPYTER_PORT_RETRIES": "0",  # the port asked for, or fail
        "JUPYTER_CONFIG_DIR": str(home / "jupyter-config"),
        # labextensions and kernels are found in the environment (sys.prefix)
        "JUPYTER_DATA_DIR": str(home / "jupyter-data"),
        "JUPYTER_RUNTIME_DIR": str(home / "jupyter-runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "lab-workspaces"),
        "IPYTHONDIR": str(home / "ipython"),
        "MPLCONFIGDIR": str(home / "matplotlib"),
    })
    log = home / "jupyterlab.log"
    with open(log, "w") as out:
        server = subprocess.Popen(make_command("lab", f"PORT={port}"), cwd=checkout, env=env,
                                  stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                  start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_jupyter(server, base, token, log, "make lab", STARTUP_TIMEOUT)
        with urllib.request.urlopen(f"{base}/lab/api/extensions?token={token}", timeout=30) as r:
            extensions = {e["name"]: e for e in json.load(r)}
        nbgrader = [e for name, e in extensions.items() if "nbgrader" in name]
        assert nbgrader and all(e.get("enabled", True) for e in nbgrader), (
            f"nbgrader's JupyterLab extension (the Validate button) is not installed and "
            f"enabled: {sorted(extensions)}")
        notebooks = sorted((checkout / "lab" / ASSIGNMENT).glob("*.ipynb"))
        assert len(notebooks) == 1, f"make lab serves {notebooks} from lab/{ASSIGNMENT}, not one notebook"
        release = notebooks[0]
        assert files(checkout / "lab") == files(checkout / "exercises"), (
            "lab/ does not hold the student versions of exercises/")
        yield {"base": base, "token": token, "path": f"{ASSIGNMENT}/{release.name}",
               "file": release, "log": log, "checkout": checkout, "course": course}
    finally:
        stop_jupyter(server)


def wrong_answer_shown_by_validate(release_path):
    """A catalogued wrong answer that a *visible* test catches, naming the mistake.

    (Validate runs only the visible tests; hidden ones run when grading.)
    Returns (answer grade_id, WrongAnswer).
    """
    catalogue = importlib.import_module(f"exercises.{ASSIGNMENT}").WRONG_ANSWERS
    solutions = {grade_id(c): typed_answer(c) for c in read(solution_notebook(ASSIGNMENT)).cells
                 if is_answer_cell(c)}
    for answer_id, wrongs in catalogue.items():
        for wrong in wrongs:
            nb = read(release_path)
            for cell in nb.cells:
                if is_answer_cell(cell):
                    cell.source = wrong.source if grade_id(cell) == answer_id \
                        else solutions[grade_id(cell)]
            results = run_in_process(nb, release_path.parent)
            if any(not r.passed and wrong.hint.lower() in r.message.lower() for r in results):
                return answer_id, wrong
    pytest.fail(f"no wrong answer in tests/exercises/{ASSIGNMENT}.py fails a visible test "
                "with its hint: Validate would not tell a student what is wrong")


# ---------------------------------------------------------------------------
# Driving JupyterLab
# ---------------------------------------------------------------------------

def open_notebook(page, lab):
    page.goto(f"{lab['base']}/lab/tree/{lab['path']}?token={lab['token']}",
              wait_until="domcontentloaded", timeout=120_000)
    page.locator(".jp-NotebookPanel .validate-button").first.wait_for(timeout=120_000)
    wait_idle(page)


def wait_idle(page, timeout=180_000):
    """Wait until the kernel has started and has nothing left to run."""
    page.wait_for_function(
        "() => { const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');"
        " const name = panel && panel.querySelector('.jp-Toolbar-kernelName');"
        " const status = panel && panel.querySelector('.jp-Notebook-ExecutionIndicator');"
        " return name && status && !/No Kernel/.test(name.textContent)"
        " && status.getAttribute('data-status') === 'idle'; }", timeout=timeout)
    # no cell still queued or running ([*])
    page.wait_for_function(
        "() => !Array.from(document.querySelectorAll('.jp-Notebook .jp-InputPrompt'))"
        ".some(p => p.textContent.includes('*'))", timeout=timeout)


def run_all(page):
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    page.wait_for_timeout(300)
    wait_idle(page)


def cells(page):
    return page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell")


def type_answer(page, index, text):
    """Click into the answer cell, select its text, and type the answer over it."""
    cell = cells(page).nth(index)
    cell.scroll_into_view_if_needed()
    if "jp-MarkdownCell" in (cell.get_attribute("class") or ""):
        cell.locator(".jp-InputArea").dblclick()  # a rendered written answer: edit it
    editor = cell.locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(text)  # as a paste: no auto-indent of the typed lines
    page.keyboard.press("Escape")  # leave edit mode
    written = editor.evaluate("e => e.cmView ? e.cmView.view.state.doc.toString() : e.innerText")
    assert written.strip() == text.strip(), f"the editor holds:\n{written}\ninstead of:\n{text}"


def error_outputs(page):
    return page.eval_on_selector_all(
        ".jp-Notebook .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']",
        "es => es.map(e => e.innerText.slice(0, 300))")


def validate(page, name):
    """Press Validate; returns the dialog's (classes, whole text, error messages).

    For each failed cell the dialog shows the cell's source, then its error.
    """
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .validate-button").first.click()
    message = page.locator(".jp-Dialog #validation-message")
    message.wait_for(timeout=VALIDATE_TIMEOUT)
    blocks = message.locator(".jp-RenderedText pre")
    errors = [blocks.nth(i).inner_text() for i in range(1, blocks.count(), 2)]
    if errors:
        blocks.last.scroll_into_view_if_needed()
    result = message.get_attribute("class") or "", message.inner_text(), errors
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"lab-{name}.png"))
    page.locator(".jp-Dialog .jp-mod-accept").first.click()
    page.locator(".jp-Dialog").wait_for(state="detached")
    return result


# ---------------------------------------------------------------------------
# The workflow
# ---------------------------------------------------------------------------

def test_student_completes_and_validates_an_assignment(lab, browser):
    nb = read(lab["file"])
    answers = {grade_id(c): i for i, c in enumerate(nb.cells)
               if is_answer_cell(c) or is_manual_cell(c)}
    assert answers, f"{lab['path']} has no answer cell"
    # the model answers: code without nbgrader's markers, and the written answers
    solutions = {grade_id(c): typed_answer(c) for c in read(solution_notebook(ASSIGNMENT)).cells
                 if is_answer_cell(c) or is_manual_cell(c)}
    wrong_id, wrong = wrong_answer_shown_by_validate(lab["file"])

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    guard = Guard(context)
    page = context.new_page()
    try:
        open_notebook(page, lab)
        assert cells(page).count() == len(nb.cells), "JupyterLab does not show every cell"

        # 1. Run all cells of the blank notebook: it stops at an error (NotImplementedError,
        #    or the first test's message about it).
        run_all(page)
        assert error_outputs(page), "running the blank notebook shows no error"

        # 2. Type the correct answers, run all cells again: no errors anywhere.
        for answer_id, index in answers.items():
            type_answer(page, index, solutions[answer_id])
        run_all(page)
        assert not error_outputs(page), f"errors with the correct answers: {error_outputs(page)}"
        prompts = page.eval_on_selector_all(
            ".jp-Notebook .jp-CodeCell",  # JupyterLab does not run empty cells (hidden tests)
            "cs => cs.filter(c => c.querySelector('.cm-content').textContent.trim())"
            ".map(c => c.querySelector('.jp-InputPrompt').textContent.trim())")
        assert prompts and all(re.fullmatch(r"\[\d+\]:", p) for p in prompts), (
            f"not every code cell ran: {prompts}")

        # 3. Validate: success.
        classes, text, _ = validate(page, "validate-success")
        assert "validation-success" in classes and "Success" in text, (
            f"Validate did not report success:\n{text}\n(server log: {lab['log']})")

        # 4. A wrong answer: Validate names the failing test's message.
        type_answer(page, answers[wrong_id], wrong.source.strip())
        classes, text, errors = validate(page, "validate-wrong-answer")
        assert "validation-failed" in classes, f"Validate accepted '{wrong.name}':\n{text}"
        # the exception's message (after the traceback, which quotes the test's source)
        messages = [e[e.rfind("Error:"):] for e in errors]
        assert any(wrong.hint.lower() in m.lower() for m in messages), (
            f"Validate's error for '{wrong.name}' does not contain {wrong.hint!r}:\n{errors}")
    finally:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "lab-notebook.png"), full_page=True)
        context.close()
    assert not guard.problems(), "JupyterLab reported:\n  " + "\n  ".join(guard.problems())
    saved = nbformat.read(str(lab["file"]), as_version=4)
    assert saved.cells[answers[wrong_id]].source.strip() == wrong.source.strip(), \
        "Validate did not save the notebook first"


def test_lab_leaves_the_course_alone(lab):
    """`make lab` generated, copied and served the student versions (and Validate ran)
    without writing anything into the instructor's course folder."""
    assert files(lab["checkout"] / "autograder") == lab["course"], (
        "make lab changed autograder/ (release folder, gradebook or log)")
    databases = [str(p.relative_to(lab["checkout"])) for p in lab["checkout"].rglob("*.db")
                 if ".venv" not in p.relative_to(lab["checkout"]).parts]
    assert not databases, f"make lab created gradebooks: {databases}"
