"""No solution, hidden test or model answer reaches a student version.

Student versions are the built book (every file of ``_build/html``), the
book's exercises (``exercises/``, which ``make lab`` and ``make
student-branch`` hand out as well) and, when the instructor has run ``make
release``, ``autograder/release/``.
"""
import nbformat
import pytest

from helpers.leaks import find_leaks, needles
from helpers.notebooks import CHAPTERS, ROOT, assignment_ids, solution_notebook

SITE = ROOT / "_build" / "html"
EXERCISES = ROOT / "exercises"
RELEASE = ROOT / "autograder" / "release"


def published():
    """Every folder of student versions there is; the book's must exist."""
    for folder in (SITE, EXERCISES):
        if not (folder.is_dir() and any(folder.iterdir())):
            pytest.fail(f"{folder} is missing: run `make book` first", pytrace=False)
    # the instructor's release exists only after `make release`, which nothing else runs
    return [SITE, EXERCISES] + ([RELEASE] if RELEASE.is_dir() else [])


@pytest.fixture(scope="module")
def secrets():
    lessons = sorted(CHAPTERS.glob("*.ipynb"))
    # a line hidden in one assignment but shown in another is public: search all together
    found = needles([solution_notebook(a) for a in assignment_ids()], lessons)
    for assignment_id in assignment_ids():
        own = set(needles([solution_notebook(assignment_id)], lessons)) & set(found)
        assert len(own) >= 5, f"{assignment_id}: suspiciously few secret lines to look for"
    return found


def test_student_versions_have_no_solutions(secrets):
    leaks = find_leaks(secrets, published())
    assert not leaks, "solution lines published:\n" + "\n".join(f"{p}: {line}" for p, line in leaks[:20])


def test_student_versions_hold_no_solution_notebook():
    folders = published()
    assert any(SITE.rglob("*.ipynb")), "the book has no notebooks to download: run `make book` first"
    for folder in folders:
        assert not any("solutions" in p.relative_to(folder).parts for p in folder.rglob("*")), \
            f"a solutions/ folder was published in {folder}"
        for assignment_id in assignment_ids():
            source = solution_notebook(assignment_id)
            for page in folder.rglob(source.name):
                assert "BEGIN SOLUTION" not in page.read_text(), f"{page} is the instructor version"


def test_leak_check_finds_planted_leaks(secrets, tmp_path):
    """The checker itself can fail: a solution line hidden in highlighted HTML and a
    hidden test in a downloadable notebook are both found."""
    secret = next(line for line in secrets if len(line) >= 20 and "(" in line)
    head, tail = secret.strip().split("(", 1)
    (tmp_path / "page.html").write_text(
        f'<pre><span class="n">{head}</span><span class="p">(</span>{tail.replace("<", "&lt;")}</pre>')
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f"x = 1\n    {secret}\n")])
    nbformat.write(notebook, str(tmp_path / "download.ipynb"))
    (tmp_path / "cell.err.log").write_text(f"Traceback:\n    {secret}\nValueError\n")
    (tmp_path / "figure.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0" + secret.encode())
    leaks = find_leaks(secrets, [tmp_path])
    # found in the page, the notebook and the build log; a binary file is not read
    assert {p.name for p, _ in leaks} == {"page.html", "download.ipynb", "cell.err.log"}
    assert not find_leaks(secrets, [ROOT / "chapters"]), "lessons must not contain solution lines"
