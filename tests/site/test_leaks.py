"""No solution, hidden test or model answer reaches the book or the student release."""
import nbformat
import pytest

from helpers.leaks import find_leaks, needles
from helpers.notebooks import CHAPTERS, ROOT, assignment_ids, solution_notebook

SITE = ROOT / "_build" / "html"
RELEASE = ROOT / "autograder" / "release"


@pytest.fixture(scope="module")
def secrets():
    lessons = sorted(CHAPTERS.glob("*.ipynb"))
    # a line hidden in one assignment but shown in another is public: search all together
    found = needles([solution_notebook(a) for a in assignment_ids()], lessons)
    for assignment_id in assignment_ids():
        own = set(needles([solution_notebook(assignment_id)], lessons)) & set(found)
        assert len(own) >= 5, f"{assignment_id}: suspiciously few secret lines to look for"
    return found


def test_book_and_release_have_no_solutions(secrets):
    for folder, how in ((SITE, "make book"), (RELEASE, "make release")):
        assert folder.is_dir() and any(folder.iterdir()), f"{folder} is missing: run `{how}` first"
    leaks = find_leaks(secrets, [SITE, RELEASE])
    assert not leaks, "solution lines published:\n" + "\n".join(f"{p}: {line}" for p, line in leaks[:20])


def test_book_holds_no_solution_notebook():
    published = {p.name for p in SITE.rglob("*.ipynb")}
    assert published, "the book has no notebooks to download: run `make book` first"
    assert not any("solutions" in p.parts for p in SITE.rglob("*")), "a solutions/ folder was published"
    for assignment_id in assignment_ids():
        source = solution_notebook(assignment_id)
        for page in SITE.rglob(source.name):
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
