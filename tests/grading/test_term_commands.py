"""The README's and the guide's collect, feedback and grades commands, run as printed, in a copy of
the working tree (tests/helpers/checkout.py): an LMS zip with an unhelpful name, one submission."""
import re
import zipfile

import nbformat
import pytest

from helpers import ROOT
from helpers.checkout import copy_checkout, make
from helpers.course import ASSIGNMENT, NOTEBOOK, correct, make_course, nbgrader, released

DOCUMENTS = ("README.md", "instructor_guide.md")
TARGETS = ("collect", "feedback", "feedback-pack", "grades")


def documented_commands():
    """Every `make collect|feedback|feedback-pack|grades ...` line of the documents' code blocks."""
    commands = set()
    for name in DOCUMENTS:
        for block in re.findall(r"```bash\n(.*?)```", (ROOT / name).read_text(), flags=re.S):
            for line in block.splitlines():
                command = line.split("#")[0].strip()
                words = command.split()
                if len(words) > 1 and words[0] == "make" and words[1] in TARGETS:
                    commands.add(command)
    return commands


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    scratch = make_course(tmp_path_factory.mktemp("release"))
    nbgrader(scratch, "generate_assignment", ASSIGNMENT, "--force")
    checkout = copy_checkout(tmp_path_factory.mktemp("checkout") / "course")
    with zipfile.ZipFile(checkout / "export.zip", "w") as archive:
        archive.writestr(f"smithjohn_1001_501_{NOTEBOOK}", nbformat.writes(correct(released(scratch))))
    ran = {}

    def run(command):
        proc = make(checkout, *command.split()[1:])
        assert proc.returncode == 0, f"{command}:\n{proc.stdout}\n{proc.stderr}"
        ran[command] = proc.stdout
        return proc.stdout

    run("make collect ZIP=export.zip")
    run(f"make collect ZIP=export.zip ASSIGNMENT={ASSIGNMENT}")
    run(f"make autograde ASSIGNMENT={ASSIGNMENT}")
    for command in ("make feedback", "make feedback-pack", "make feedback INCLUDE_UNGRADED=1",
                    "make feedback-pack INCLUDE_UNGRADED=1", "make grades"):
        run(command)
    return checkout, ran


def test_the_documents_show_only_commands_this_test_runs(session):
    _, ran = session
    documented = documented_commands()
    assert "make collect ZIP=export.zip" in documented and "make feedback INCLUDE_UNGRADED=1" in documented
    assert documented <= set(ran), f"documented but not run here: {sorted(documented - set(ran))}"


def test_collect_infers_the_assignment_and_then_reports_no_change(session):
    _, ran = session
    first = ran["make collect ZIP=export.zip"]
    assert f"export.zip: assignment {ASSIGNMENT} (the zip holds its notebook(s) {NOTEBOOK})" in first, first
    assert "1 new, 0 changed, 0 unchanged" in first
    assert "0 new, 0 changed, 1 unchanged" in ran[f"make collect ZIP=export.zip ASSIGNMENT={ASSIGNMENT}"]


def test_feedback_waits_and_the_option_returns_it_marked(session):
    checkout, ran = session
    assert "held back 1 submission(s) that wait for manual grading" in ran["make feedback"], ran["make feedback"]
    assert "feedback zip" not in ran["make feedback-pack"].split("grading pack")[-1]
    assert "include answers marked \"not graded yet\": 1001" in ran["make feedback INCLUDE_UNGRADED=1"]
    packed = checkout / "autograder" / "grades" / "feedback" / ASSIGNMENT / "1001.zip"
    assert packed.is_file()
    with zipfile.ZipFile(packed) as archive:
        page = archive.read(f"{ASSIGNMENT}/{NOTEBOOK[:-len('.ipynb')]}.html").decode()
    assert "not graded yet" in page


def test_grades_name_what_waits(session):
    checkout, ran = session
    assert f"{ASSIGNMENT}: 1 graded; 1 of them wait for manual grading" in ran["make grades"], ran["make grades"]
    rows = (checkout / "autograder" / "grades" / "grades.csv").read_text().splitlines()
    assert rows[0].startswith("student,name,assignment,score") and rows[1].startswith(f"1001,smithjohn,{ASSIGNMENT},")
