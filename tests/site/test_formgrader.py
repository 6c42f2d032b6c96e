"""Formgrader in a real browser: a grader sees the rubric, grades a written answer by hand, and the
grade and the comment reach ``make grades`` and ``make feedback`` (without the rubric).

A throw-away course (tests/helpers/course.py) with one correct chapter 1 submission, graded by
the grading tool; JupyterLab with nbgrader's extensions is started in its root, as the
instructor guide says (``cd autograder && jupyter lab``); the system Chromium, driven by
Playwright (tests/helpers/browser.py), opens formgrader's gradebook, then the submission's page,
reads the rubric above the written answer, types a score and a comment, and waits for formgrader
to save them.  Then ``grades`` and ``feedback`` run as ``make`` runs them.
"""
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from helpers.browser import Guard, chromium, stop_jupyter, wait_for_jupyter
from helpers.course import (ASSIGNMENT, FULL, WRITTEN, correct, make_course, manual_points, nbgrader, released,
                            save)
from helpers.grading import csv_rows, grading
from helpers.leaks import find_leaks, rubric_fragments
from helpers.notebooks import normalise, read, solution_notebook

STUDENT = "alice"
QUESTION = "delta_answer"          # the written answer graded here
SCORE = 1.5
COMMENT = "Right about the capped loss; say why the slope matters for training."
STARTUP_TIMEOUT = 180


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rubric_of(question_id):
    """The rubric's plain-text runs of the question cell just before the answer ``question_id``."""
    cells = read(solution_notebook(ASSIGNMENT)).cells
    index = next(i for i, c in enumerate(cells) if c.metadata.get("nbgrader", {}).get("grade_id") == question_id)
    question = next(c for c in reversed(cells[:index]) if "### BEGIN MARK SCHEME" in c.source)
    return [normalise(text) for text in rubric_fragments(nbformat.v4.new_notebook(cells=[question]))
            if len(text) >= 20]


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = make_course(tmp_path_factory.mktemp("formgrader"))
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    save(course, STUDENT, correct(released(course)))
    grading(course, "autograde", "--timeout", "30", "--no-progress", "--jobs", "1")
    return course


@pytest.fixture(scope="module")
def lab(course, tmp_path_factory):
    """JupyterLab with nbgrader's extensions in the course root: its base URL and token."""
    home = tmp_path_factory.mktemp("formgrader-home")
    token, port = secrets.token_hex(16), free_port()
    bin_folder = Path(sys.executable).parent
    env = {**os.environ, "HOME": str(home), "JUPYTER_TOKEN": token, "JUPYTER_PORT_RETRIES": "0",
           "JUPYTER_CONFIG_DIR": str(home / "config"), "JUPYTER_DATA_DIR": str(home / "data"),
           "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
           "IPYTHONDIR": str(home / "ipython"), "PATH": f"{bin_folder}{os.pathsep}{os.environ.get('PATH', '')}"}
    log = home / "jupyterlab.log"
    with open(log, "w") as out:
        server = subprocess.Popen(
            [str(bin_folder / "jupyter"), "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
             f"--ServerApp.root_dir={course}", "--allow-root"],
            cwd=course, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_jupyter(server, base, token, log, "jupyter lab", STARTUP_TIMEOUT)
        yield {"base": base, "token": token, "log": log}
    finally:
        stop_jupyter(server)


def manual_grade(course):
    """(manual score, manual comment) of the written answer in the gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "nntrain") as gb:
        grade = gb.find_grade(QUESTION, "cross_entropy", ASSIGNMENT, STUDENT)
        comment = gb.find_comment(QUESTION, "cross_entropy", ASSIGNMENT, STUDENT)
        return grade.manual_score, comment.manual_comment


def wait_for(page, course, done, seconds):
    """Wait (letting the page run) until the gradebook's manual grade satisfies ``done``; whether it did.
    The gradebook is read every 2 s only: each read holds SQLite's lock for a moment."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        page.wait_for_timeout(2000)
        if done(manual_grade(course)):
            return True
    return False


def submission_id(course):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "nntrain") as gb:
        return gb.find_submission_notebook("cross_entropy", ASSIGNMENT, STUDENT).id


def test_grader_sees_the_rubric_and_grades_by_hand(course, lab):
    rubric = rubric_of(QUESTION)
    assert len(rubric) >= 3, "the written answer's rubric must be found in the source notebook"
    assert manual_grade(course) == (None, None)
    notebook_id = submission_id(course)
    with chromium() as browser:
        # the token on every request, formgrader's own calls to its API included (as a login would)
        context = browser.new_context(viewport={"width": 1280, "height": 900},
                                      extra_http_headers={"Authorization": f"token {lab['token']}"})
        Guard(context)                      # nothing leaves this machine (formgrader may ask a CDN for MathJax)
        page = context.new_page()
        # the gradebook's list of submissions of the notebook links to the one to grade
        page.goto(f"{lab['base']}/formgrader/gradebook/{ASSIGNMENT}/cross_entropy",
                  wait_until="domcontentloaded", timeout=120_000)
        link = page.locator(f"a[href*='/formgrader/submissions/{notebook_id}']").first
        link.wait_for(state="attached", timeout=120_000)
        page.goto(f"{lab['base']}/formgrader/submissions/{notebook_id}/",
                  wait_until="domcontentloaded", timeout=120_000)
        score = page.locator(f"input.score#{QUESTION}")
        score.wait_for(state="visible", timeout=120_000)
        shown = normalise(page.locator("body").inner_text())
        visible = [line for line in rubric if line in shown]
        assert len(visible) >= len(rubric) // 2 + 1, f"the rubric is not shown to the grader: {rubric[:3]}"
        assert normalise(WRITTEN) in shown, "the student's written answer is not shown"
        comment = page.locator(f"textarea#{QUESTION}-comment")
        for _ in range(3):                # formgrader saves a field when it changes; on a busy
            saved = manual_grade(course)  # machine a save can fail (SQLite is locked): type it again
            if saved[0] != SCORE:
                score.fill(str(SCORE))
                score.blur()
                wait_for(page, course, lambda grade: grade[0] == SCORE, seconds=20)
            if saved[1] != COMMENT:
                comment.fill(COMMENT)
                comment.blur()
            if wait_for(page, course, lambda grade: grade == (SCORE, COMMENT), seconds=30):
                break
        context.close()
    assert manual_grade(course) == (SCORE, COMMENT), "formgrader did not save the grade and the comment"

    # make grades: the total counts the manual grade
    grading(course, "grades")
    row = csv_rows(course)[STUDENT]
    assert float(row["score"]) == FULL + SCORE, row
    assert float(row["max_score"]) == FULL + sum(manual_points().values()), row

    # make feedback: the comment is there, the rubric is not
    # the assignment's other written answer is still ungraded: feedback waits for it, unless asked
    grading(course, "feedback")
    assert not list((course / "feedback").glob(f"{STUDENT}/{ASSIGNMENT}/*.html")), \
        "feedback was written although a written answer still waits for a grader"
    grading(course, "feedback", "--include-ungraded")
    pages = list((course / "feedback" / STUDENT / ASSIGNMENT).glob("*.html"))
    assert len(pages) == 1, pages
    text = pages[0].read_text()
    assert COMMENT in text, "the grader's comment is not in the feedback"
    assert "not graded yet" in text, "the ungraded answer is not marked as such"
    assert not find_leaks(rubric, [pages[0].parent]), "the feedback shows the rubric"
