"""Feedback for students: nbgrader's HTML, checked for hidden tests, then zipped for return.

:func:`generate` runs ``nbgrader generate_feedback`` for each assignment
(``feedback/<student>/<assignment>/<notebook>.html``).  The course's
nbgrader_config.py removes the source of hidden tests and the tracebacks of
failed hidden tests (which would quote their code).  Then every HTML file is
searched for the lines of the hidden tests; a file that contains one is
deleted and the command fails.

:func:`pack` zips each student's feedback into
``grades/feedback/<assignment>/<student>.zip`` and all of them into
``grades/feedback/<assignment>.zip`` (a folder per student), for upload to an
LMS or return by e-mail.  Submissions whose status is ``cheating`` are held
back for the instructor to deal with in person.
"""
import html
import re
import sys
import zipfile

from . import assignment as assignments

HELD_BACK = {"cheating"}
MIN_SECRET_LENGTH = 12   # shorter lines ("else:", "pass") say nothing about a test


def flatten(text):
    return re.sub(r"\s+", " ", text).strip()


def html_text(markup):
    """The visible text of an HTML page, whitespace collapsed (code spans joined up)."""
    markup = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", markup)
    return flatten(html.unescape(re.sub(r"<[^>]+>", "", markup)))


def hidden_lines(assignment):
    """Lines of hidden tests that no student-visible cell contains."""
    visible = set()
    hidden = []
    for notebook in assignment.notebooks.values():
        for cell in notebook["cells"].values():
            visible |= {flatten(line) for line in cell["release"].splitlines()}
            if cell["kind"] == "test" and cell["source"] != cell["release"]:
                release = set(cell["release"].splitlines())
                hidden += [line for line in cell["source"].splitlines() if line not in release]
    secrets = {flatten(line) for line in hidden}
    return sorted(s for s in secrets - visible if len(s) >= MIN_SECRET_LENGTH and "HIDDEN TESTS" not in s)


def leaks(page, secrets):
    text = html_text(page)
    return [s for s in secrets if s in text]


def generate(course, assignment_ids=None, out=None):
    """Generate and check the feedback; returns 0, or 1 if hidden tests leaked (files deleted)."""
    from nbgrader.apps import NbGraderAPI

    out = out or sys.stdout
    api = NbGraderAPI(config=course.config)
    code = 0
    for assignment_id in course.check_assignments(assignment_ids):
        students = [p.parent.name for p in course.autograded.glob(f"*/{assignment_id}") if p.is_dir()]
        if not students:
            continue
        with course.gradebook_lock():
            outcome = api.generate_feedback(assignment_id, force=True)
        if not outcome.get("success"):
            print(outcome.get("log", ""), outcome.get("error", ""), file=sys.stderr)
            code = 1
        secrets = hidden_lines(assignments.load(course, assignment_id))
        pages = sorted(course.feedback.glob(f"*/{assignment_id}/*.html"))
        leaked = 0
        for page in pages:
            found = leaks(page.read_text(encoding="utf-8", errors="replace"), secrets)
            if found:
                leaked += 1
                page.unlink()
                print(f"{page}: contains hidden test code ({found[0]!r}); deleted", file=sys.stderr)
        if leaked:
            code = 1
        print(f"{assignment_id}: feedback for {len(pages) - leaked} student(s) in {course.feedback}/"
              f"<student>/{assignment_id}/ (checked: no hidden test code)"
              + (f"; {leaked} deleted because they showed hidden tests" if leaked else ""), file=out)
    return code


def pack(course, assignment_ids=None, out=None):
    """Zip the feedback per student and per assignment. Returns 0."""
    out = out or sys.stdout
    status = course.read_status()
    for assignment_id in course.check_assignments(assignment_ids):
        statuses = status.for_assignment(assignment_id)
        folders = sorted(p for p in course.feedback.glob(f"*/{assignment_id}") if p.is_dir())
        if not folders:
            continue
        target = course.output / "feedback" / assignment_id
        target.mkdir(parents=True, exist_ok=True)
        for old in target.glob("*.zip"):
            old.unlink()
        held, packed = [], []
        bundle_path = course.output / "feedback" / f"{assignment_id}.zip"
        with zipfile.ZipFile(bundle_path, "w", zipfile.ZIP_DEFLATED) as bundle:
            for folder in folders:
                student_id = folder.parent.name
                entry = statuses.get(student_id)
                if entry is not None and entry.status in HELD_BACK:
                    held.append(student_id)
                    continue
                files = sorted(p for p in folder.rglob("*") if p.is_file())
                with zipfile.ZipFile(target / f"{student_id}.zip", "w", zipfile.ZIP_DEFLATED) as archive:
                    for path in files:
                        archive.write(path, f"{assignment_id}/{path.relative_to(folder)}")
                for path in files:
                    bundle.write(path, f"{student_id}/{assignment_id}/{path.relative_to(folder)}")
                packed.append(student_id)
        print(f"{assignment_id}: {len(packed)} feedback zip(s) in {target}/ and all of them in {bundle_path}"
              + (f"; held back ({', '.join(sorted(HELD_BACK))}): {', '.join(held)}" if held else ""), file=out)
    return 0
