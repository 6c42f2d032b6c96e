"""Feedback for students: nbgrader's HTML, checked for hidden tests, then zipped for return.

:func:`generate` runs ``nbgrader generate_feedback`` for each assignment
(``feedback/<student>/<assignment>/<notebook>.html``).  The course's
nbgrader_config.py removes the source of hidden tests and the tracebacks of
failed hidden tests (which would quote their code).  Then every HTML file is
searched for the lines of the hidden tests; a file that contains one is
deleted and the command fails.

A submission that still waits for a grader (a written answer never graded, or
a manual grade made stale by a resubmission, see :mod:`grading.manual`) gets no
feedback by default: its page would show the missing grade as a 0.  The
command lists who is waiting.  With ``include_ungraded`` (``--include-ungraded``,
``make feedback INCLUDE_UNGRADED=1``) their pages are written anyway, every
waiting answer marked "not graded yet" instead of a score.

Every page typesets its math with a copy of MathJax in ``mathjax/`` beside it
(:mod:`grading.mathjax`), so it reads the same offline; the zips include it.

:func:`pack` zips each student's feedback into
``grades/feedback/<assignment>/<student>.zip`` and all of them into
``grades/feedback/<assignment>.zip`` (a folder per student), for upload to an
LMS or return by e-mail.  Submissions whose status is ``cheating`` are held
back for the instructor to deal with in person, and so are submissions that
wait for a grader (unless ``include_ungraded``).
"""
import html
import re
import shutil
import sys
import zipfile

from . import assignment as assignments, manual, mathjax

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


def mark_not_graded(page, waiting):
    """The HTML of a feedback page with each waiting answer's score replaced by "not graded yet"."""
    for key in waiting.ungraded + waiting.stale:
        grade = re.escape(key.split("/", 1)[1])
        page = re.sub(rf'(<a href="#{grade}">[^<]*</a> \()Score: [-\d.]+ / ([\d.]+)\)',
                      r"\1not graded yet, out of \2)", page, count=1)
        page = re.sub(rf'(<a name="{grade}"></a>.*?)Score: [-\d.]+ / ([\d.]+)',
                      r"\1Not graded yet (out of \2)", page, count=1, flags=re.S)
    note = (f"; {waiting.points:g} point(s) not graded yet" if waiting.points else "")
    return re.sub(r"(<h4>[^<]*\()Score: ([-\d.]+ / [\d.]+)\)", rf"\1Score so far: \2{note})", page, count=1)


def hold_back(course, assignment_id, waiting, include_ungraded, out):
    """Remove (or, with include_ungraded, mark) the pages of submissions that wait for a grader."""
    if not waiting:
        return
    if include_ungraded:
        for student, entry in waiting.items():
            for page in course.feedback.glob(f"{student}/{assignment_id}/*.html"):
                text = page.read_text(encoding="utf-8", errors="replace")
                page.write_text(mark_not_graded(text, entry), encoding="utf-8")
        print(f"{assignment_id}: {len(waiting)} page(s) include answers marked \"not graded yet\": "
              f"{', '.join(sorted(waiting))}", file=out)
        return
    for student in waiting:
        folder = course.feedback / student / assignment_id
        if folder.is_dir():
            shutil.rmtree(folder)
    print(f"{assignment_id}: held back {len(waiting)} submission(s) that wait for manual grading "
          f"(formgrader, Manual Grading): {', '.join(sorted(waiting))}\n"
          f"  grade them first, or return them anyway, marked \"not graded yet\": "
          f"make feedback INCLUDE_UNGRADED=1", file=out)


def offline_math(pages):
    """Each page loads MathJax from a copy beside it, not from the internet (grading.mathjax)."""
    for page in pages:
        if page.exists():
            text = mathjax.localise(page.read_text(encoding="utf-8", errors="replace"))
            if text is not None:
                page.write_text(text, encoding="utf-8")
                mathjax.install(page.parent)


def check_leaks(course, assignment_id):
    """Delete the feedback pages of an assignment that show hidden test code; (pages, deleted)."""
    secrets = hidden_lines(assignments.load(course, assignment_id))
    pages = sorted(course.feedback.glob(f"*/{assignment_id}/*.html"))
    leaked = 0
    for page in pages:
        found = leaks(page.read_text(encoding="utf-8", errors="replace"), secrets)
        if found:
            leaked += 1
            page.unlink()
            print(f"{page}: contains hidden test code ({found[0]!r}); deleted", file=sys.stderr)
    return pages, leaked


def generate(course, assignment_ids=None, out=None, include_ungraded=False):
    """Generate and check the feedback; returns 0, or 1 if hidden tests leaked (files deleted).

    Submissions that wait for a grader are held back (listed), or with ``include_ungraded``
    written with their waiting answers marked "not graded yet"."""
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
        waiting = {s: w for s, w in manual.pending(course, assignment_id).items() if s in students}
        hold_back(course, assignment_id, waiting, include_ungraded, out)
        pages, leaked = check_leaks(course, assignment_id)
        offline_math(pages)
        if leaked:
            code = 1
        shown = len({p.parent.parent.name for p in pages if p.exists()})
        print(f"{assignment_id}: feedback for {shown} student(s) in {course.feedback}/"
              f"<student>/{assignment_id}/ (checked: no hidden test code)"
              + (f"; {leaked} deleted because they showed hidden tests" if leaked else ""), file=out)
    return code


def pack(course, assignment_ids=None, out=None, include_ungraded=False):
    """Zip the feedback per student and per assignment. Returns 0.

    Held back: ``cheating`` submissions, and those that wait for a grader unless ``include_ungraded``."""
    out = out or sys.stdout
    status = course.read_status()
    for assignment_id in course.check_assignments(assignment_ids):
        statuses = status.for_assignment(assignment_id)
        waiting = {} if include_ungraded else manual.pending(course, assignment_id)
        folders = sorted(p for p in course.feedback.glob(f"*/{assignment_id}") if p.is_dir())
        if not folders:
            continue
        target = course.output / "feedback" / assignment_id
        target.mkdir(parents=True, exist_ok=True)
        for old in target.glob("*.zip"):
            old.unlink()
        held, packed, unready = [], [], []
        bundle_path = course.output / "feedback" / f"{assignment_id}.zip"
        with zipfile.ZipFile(bundle_path, "w", zipfile.ZIP_DEFLATED) as bundle:
            for folder in folders:
                student_id = folder.parent.name
                entry = statuses.get(student_id)
                if entry is not None and entry.status in HELD_BACK:
                    held.append(student_id)
                    continue
                if student_id in waiting:
                    unready.append(student_id)
                    continue
                files = sorted(p for p in folder.rglob("*") if p.is_file())
                with zipfile.ZipFile(target / f"{student_id}.zip", "w", zipfile.ZIP_DEFLATED) as archive:
                    for path in files:
                        archive.write(path, f"{assignment_id}/{path.relative_to(folder)}")
                for path in files:
                    bundle.write(path, f"{student_id}/{assignment_id}/{path.relative_to(folder)}")
                packed.append(student_id)
        print(f"{assignment_id}: {len(packed)} feedback zip(s) in {target}/ and all of them in {bundle_path}"
              + (f"; held back ({', '.join(sorted(HELD_BACK))}): {', '.join(held)}" if held else "")
              + (f"; held back, waiting for manual grading: {', '.join(unready)}" if unready else ""), file=out)
    return 0
