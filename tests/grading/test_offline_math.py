"""Math in the feedback pages and in formgrader is typeset in Chromium with no network at all.

One graded submission of chapter 1 (whose instructions and rubric are full of
TeX); its feedback page is opened from a local web server, and formgrader's
grading page from ``python -m grading formgrader``; in both, MathJax (from this
machine) must have typeset the formulas, and nothing may be fetched from
another host (tests/helpers/browser.py's Guard aborts and reports it).
"""
import functools
import os
import signal
import socket
import subprocess
import time
import urllib.request

import pytest

from helpers.browser import Guard, chromium, serve
from helpers.course import ASSIGNMENT, correct, make_course, nbgrader, released, save
from helpers.grading import grading, in_process

from grading import feedback
from grading.course import Course
from grading.mathjax import formgrader_command

STUDENT = "1001"
TOKEN = "offline-math-check"


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = make_course(tmp_path_factory.mktemp("math"))
    nbgrader(root, "generate_assignment", ASSIGNMENT, "--force")
    save(root, STUDENT, correct(released(root)))
    grading(root, "autograde", "--timeout", "20", "--memory", "2048", "--no-progress", "--sandbox", "auto")
    code, output = in_process(functools.partial(feedback.generate, include_ungraded=True), root)
    assert code == 0, output
    return root


def typeset(page, url):
    """(formulas MathJax typeset, raw "$" left in the text) after loading ``url``."""
    page.goto(url, wait_until="load", timeout=120_000)
    page.wait_for_selector("mjx-container", timeout=60_000)
    page.wait_for_timeout(1000)
    return page.locator("mjx-container").count(), page.evaluate("document.body.innerText.split('$').length - 1")


def free_port():
    with socket.socket() as handle:
        handle.bind(("127.0.0.1", 0))
        return handle.getsockname()[1]


def wait_for(url, seconds=180):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(1)
    raise AssertionError(f"{url} did not answer in {seconds} s")


def test_feedback_typesets_math_offline(course):
    folder = course / "feedback" / STUDENT / ASSIGNMENT
    assert (folder / "mathjax" / "tex-svg-full.js").is_file()
    assert "cdnjs" not in (folder / "cross_entropy.html").read_text()
    with serve(course / "feedback") as base, chromium() as browser:
        context = browser.new_context()
        guard = Guard(context)
        formulas, dollars = typeset(context.new_page(), f"{base}{STUDENT}/{ASSIGNMENT}/cross_entropy.html")
        context.close()
    assert formulas >= 5 and dollars == 0, (formulas, dollars)
    assert not guard.problems(), guard.problems()


def test_formgrader_typesets_math_offline(course):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "nntrain") as gb:
        notebook_id = gb.find_submission_notebook("cross_entropy", ASSIGNMENT, STUDENT).id
    port = free_port()
    command, environment = formgrader_command(Course(course), port, [f"--IdentityProvider.token={TOKEN}"])
    server = subprocess.Popen(command, env=environment, cwd=course, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}/"
        wait_for(f"{base}api/status?token={TOKEN}")
        with chromium() as browser:
            context = browser.new_context()
            guard = Guard(context)
            formulas, dollars = typeset(context.new_page(),
                                        f"{base}formgrader/submissions/{notebook_id}/?token={TOKEN}")
            context.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
    assert formulas >= 5 and dollars == 0, (formulas, dollars)
    assert not [p for p in guard.problems() if "needs the network" in p], guard.problems()
