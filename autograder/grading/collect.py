"""Import an LMS download (a zip of submissions) with nbgrader's ``zip_collect``.

The zip is copied into a scratch ``<tmp>/<assignment>/archive/`` folder and
``nbgrader zip_collect`` extracts it, reads the student id and notebook name
from each file name with ``FileNameCollectorPlugin.named_regexp`` (set in
nbgrader_config.py: Canvas-style ``name_[LATE_]id_id_notebook[-N].ipynb`` or
``student_notebook.ipynb``) and copies each file to
``submitted/<student>/<assignment>/``.  A student's earlier submission is
replaced (``--force``); students not in the zip are left alone.  Misnamed
notebooks are copied as they are, and ``make autograde`` reports them as
``missing_notebook`` with the name it found.
"""
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .course import submission_fingerprint
from .errors import GradingError


def guess_assignment(course, zip_path):
    candidates = [a for a in course.assignments() if a in Path(zip_path).name]
    if len(candidates) == 1:
        return candidates[0]
    raise GradingError(f"cannot tell the assignment from the name {Path(zip_path).name!r}; "
                     f"give ASSIGNMENT=<id> (one of {course.assignments()})")


def fingerprints(course, assignment_id):
    return {s: submission_fingerprint(course.submission_files(assignment_id, s))
            for s in course.submissions(assignment_id)}


def collect(course, zip_path, assignment_id=None, regexp=None, out=None):
    """Run ``nbgrader zip_collect`` on ``zip_path``; returns its exit status."""
    out = out or sys.stdout
    zip_path = Path(zip_path).resolve()
    if not zip_path.is_file():
        raise GradingError(f"no such file: {zip_path}")
    assignment_id = assignment_id or guess_assignment(course, zip_path)
    course.check_assignments([assignment_id])
    before = fingerprints(course, assignment_id)
    with tempfile.TemporaryDirectory(prefix="nntrain-collect-") as scratch:
        archive = Path(scratch) / assignment_id / "archive"
        archive.mkdir(parents=True)
        shutil.copy(zip_path, archive / zip_path.name)
        command = [sys.executable, "-m", "nbgrader", "zip_collect", assignment_id, "--force",
                   # nbgrader joins this to the course root: a relative path keeps the scratch outside
                   f"--ZipCollectApp.downloaded_directory={os.path.relpath(scratch, course.root)}",
                   "--ExtractorPlugin.force=True"]
        if regexp:
            command.append(f"--FileNameCollectorPlugin.named_regexp={regexp}")
        process = subprocess.run(command, cwd=course.root, capture_output=True, text=True)
    log = process.stdout + process.stderr
    warnings = [line for line in log.splitlines()
                if ("WARNING" in line or "ERROR" in line) and "Directory not found" not in line]
    for line in warnings:
        print(line, file=out)
    if process.returncode != 0:
        print(log, file=sys.stderr)
        return process.returncode
    after = fingerprints(course, assignment_id)
    changed = sorted(s for s, fingerprint in after.items() if before.get(s) != fingerprint)
    print(f"{assignment_id}: collected {len(changed)} submission(s) into {course.submitted}/<student>/"
          f"{assignment_id}/ ({len(set(changed) - set(before))} new students); next: make autograde",
          file=out)
    return 0
