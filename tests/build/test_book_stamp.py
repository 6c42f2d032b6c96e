"""The book is built once: `make book` builds only when one of its inputs changed,
and every build that runs is the strict one (`--all -W -n --keep-going`).

The copies of the working tree these tests use have a stand-in for
`jupyter-book` that records each call, writes a page and fails on request:
the real build takes minutes, and what is tested here is when make runs it
and what make does after it.  The exercises are generated for real.  The
last test checks this working tree's own book: after `make book`, which
`make test` runs first, nothing is left to build.
"""
import os
import re
import time

import pytest

from helpers import ROOT
from helpers.checkout import copy_checkout, make

#: The arguments of every build (the stand-in records them).
STRICT = "build . --all -W -n --keep-going"

FAKE_BOOK = """#!/bin/sh
# stand-in for jupyter-book: records its arguments, writes a page, fails if .book-fails exists
echo "$*" >> .book-builds
mkdir -p _build/html && echo '<html></html>' > _build/html/index.html
test ! -e .book-fails
"""


def first(pattern):
    """The first file of the working tree matching ``pattern`` (relative to the root)."""
    found = sorted(ROOT.glob(pattern))
    assert found, f"no file matches {pattern}"
    return str(found[0].relative_to(ROOT))


# Inputs of the book: a change to any of them must rebuild it.
INPUTS = ["_config.yml", "_toc.yml", "intro.md", "instructor_guide.md",
          first("chapters/*.ipynb"), first("lib/nntrain/*.py"), first("lib/nntrain/data/**/*.gz"),
          first("solutions/*/*.ipynb"), "autograder/nbgrader_config.py",
          "tools/student_versions.py"]
# Files the book is not built from: a change to them must not rebuild it.
NOT_INPUTS = ["README.md", "Makefile", first("tests/lib/*.py"), first("benchmarks/*.py"),
              first("autograder/grading/*.py"), "binder/student-README.md"]


UNCHANGED = "nothing changed since make book, yet make -q book wants to build the book"


def builds(checkout):
    """The arguments of every build the stand-in ran, in order."""
    log = checkout / ".book-builds"
    return log.read_text().splitlines() if log.exists() else []


def up_to_date(checkout):
    """What `make -q book` says: True when there is nothing to build."""
    done = make(checkout, "-q", "book")
    assert done.returncode in (0, 1), f"make -q book failed:\n{done.stdout}{done.stderr}"
    return done.returncode == 0


def book(checkout):
    done = make(checkout, "book")
    assert done.returncode == 0, f"make book failed:\n{done.stdout}{done.stderr}"
    return done


def edit(checkout, relative):
    """Give a file the modification time of now, after the last build, as an edit does."""
    now = time.time_ns()
    os.utime(checkout / relative, ns=(now, now))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A copy of the working tree whose book has been built once (by the stand-in)."""
    checkout = copy_checkout(tmp_path_factory.mktemp("checkout"), programs={"jupyter-book": FAKE_BOOK})
    book(checkout)
    return checkout


def test_book_then_test_builds_the_book_once(tmp_path):
    checkout = copy_checkout(tmp_path / "course", programs={"jupyter-book": FAKE_BOOK})
    assert not up_to_date(checkout), "a clean clone has no book, yet make -q book finds nothing to do"
    book(checkout)
    assert builds(checkout) == [STRICT]
    assert up_to_date(checkout), "right after make book, make -q book wants to build again"
    again = book(checkout)
    assert builds(checkout) == [STRICT], "a second make book built the book again, nothing changed"
    assert "Nothing to be done for 'book'" in again.stdout, again.stdout
    plan = make(checkout, "-n", "test").stdout
    assert "pytest" in plan and "jupyter-book" not in plan, f"make test after make book would run:\n{plan}"


@pytest.mark.parametrize("relative", INPUTS)
def test_a_changed_input_rebuilds_the_book(built, relative):
    assert up_to_date(built), UNCHANGED
    count = len(builds(built))
    edit(built, relative)
    assert not up_to_date(built), f"the book is not rebuilt after {relative} changed"
    book(built)
    assert builds(built)[count:] == [STRICT], f"after {relative} changed: {builds(built)[count:]}"
    assert up_to_date(built), "right after make book, make -q book wants to build again"


@pytest.mark.parametrize("relative", NOT_INPUTS)
def test_other_files_do_not_rebuild_the_book(built, relative):
    assert up_to_date(built), UNCHANGED
    edit(built, relative)
    assert up_to_date(built), f"a change to {relative} rebuilds the book, which is not built from it"


def test_a_new_file_in_a_chapter_folder_rebuilds_the_book(built):
    assert up_to_date(built), UNCHANGED
    figure = built / "chapters" / "figure.svg"
    figure.write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    edit(built, figure.relative_to(built))
    assert not up_to_date(built), "a new file in chapters/ does not rebuild the book"
    book(built)
    assert up_to_date(built), "right after make book, make -q book wants to build again"


def test_a_missing_site_rebuilds_the_book(built):
    assert up_to_date(built), UNCHANGED
    (built / "_build" / "html" / "index.html").unlink()
    assert not up_to_date(built), "the site was deleted, yet make -q book finds nothing to do"
    book(built)
    assert up_to_date(built), "right after make book, make -q book wants to build again"


def test_a_failed_build_is_tried_again(built):
    assert up_to_date(built), UNCHANGED
    count = len(builds(built))
    edit(built, first("chapters/*.ipynb"))
    (built / ".book-fails").touch()
    try:
        failed = make(built, "book")
        assert failed.returncode != 0, "make book succeeded although the build failed"
        assert not up_to_date(built), "after a failed build make -q book finds nothing to do"
    finally:
        (built / ".book-fails").unlink()
    book(built)
    assert builds(built)[count:] == [STRICT, STRICT]
    assert up_to_date(built), "right after make book, make -q book wants to build again"


def test_this_working_trees_book_is_up_to_date():
    """`make test` runs `make book` first; nothing may be left to build then."""
    if not (ROOT / "_build" / "html" / "index.html").exists():
        pytest.fail(f"no book has been built in {ROOT}: run make book (make test does)", pytrace=False)
    done = make(ROOT, "-q", "book")
    if done.returncode != 0:
        why = make(ROOT, "-n", "--debug=verbose", "book").stdout
        newer = sorted(set(re.findall(r"Prerequisite '([^']+)' is newer than target", why)))
        pytest.fail(f"the book in {ROOT / '_build'} is older than {newer or 'its inputs'}: "
                    "run make book (make test does)", pytrace=False)
    plan = make(ROOT, "-n", "test").stdout
    assert "jupyter-book" not in plan, f"make test would build the book again:\n{plan}"
