"""Find lines of solutions, hidden tests, model answers and rubrics in published files.

The published files are the HTML book (every file under _build/html, the
``_sources`` copies and downloads included), the student release
(autograder/release) and the feedback students get.  HTML is compared after
removing tags, so code split into syntax-highlighting ``<span>``s is still
found; notebooks are compared by their cell sources.

Rubrics (between ``### BEGIN MARK SCHEME`` and ``### END MARK SCHEME`` in a
question cell) are markdown: rendered, their tables, emphasis, quotes and math
lose or change their markup (Sphinx even turns straight quotes into curly
ones).  So a rubric is searched for as the runs of plain text between its
markup (:func:`rubric_fragments`), which read the same in the notebook and in
any HTML made of it.
"""
import html
import json
import re
from pathlib import Path

from helpers.notebooks import normalise, outside_regions, read, region_lines, secret_lines, student_source

MIN_LENGTH = 12  # shorter lines ("return y", "pass") are too common to call a leak
BEGIN_RUBRIC, END_RUBRIC = "### BEGIN MARK SCHEME", "### END MARK SCHEME"
# markdown's markup, and what renderers change: table bars, emphasis, code, math, quotes, list marks
MARKUP = re.compile(r"\||\*+|`+|\$+|\\[()\[\]]|[\"'“”‘’]|^\s*(?:[-+]|\d+\.)\s+|^#+\s+", re.M)


def rubric_fragments(nb):
    """The plain-text runs of every rubric in ``nb`` (see the module's docstring)."""
    fragments = []
    for cell in nb.cells:
        for line in region_lines(cell.source, BEGIN_RUBRIC, END_RUBRIC):
            fragments += [part.strip() for part in MARKUP.split(line)]
    return [f for f in fragments if f]


def without_rubrics(source):
    """``source`` with its rubric regions (markers included) removed: what students see of the cell."""
    return "\n".join(outside_regions(source, BEGIN_RUBRIC, END_RUBRIC))


def needles(solution_paths, public_paths=()):
    """Secret lines worth searching for: long enough, and not also public anyway.

    Secret are the lines of solutions, hidden tests and model answers
    (:func:`helpers.notebooks.secret_lines`) and the text of rubrics.
    A secret line that also appears in a public notebook's text (a lesson, or the
    visible part of an assignment) is not evidence of a leak and is dropped.
    """
    public = []
    for path in public_paths:
        public += [without_rubrics(cell.source) for cell in read(path).cells]
    secrets = []
    for path in solution_paths:
        nb = read(path)
        public += [without_rubrics(student_source(cell)) for cell in nb.cells if "BEGIN HIDDEN" not in cell.source]
        secrets += secret_lines(nb) + rubric_fragments(nb)
    public_text = normalise("\n".join(public))
    found = {normalise(line) for line in secrets}
    found = {text for text in found if len(text) >= MIN_LENGTH and text not in public_text}
    return sorted(found)


def is_binary(path):
    """True for images, fonts, archives and other files that are not text (a NUL byte early on)."""
    with open(path, "rb") as file:
        return b"\0" in file.read(8192)


def searchable_text(path):
    """The text of a published file as a reader could see or copy it, whitespace collapsed."""
    raw = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".ipynb":
        try:
            raw = "\n".join("".join(c.get("source", "")) for c in json.loads(raw).get("cells", []))
        except (ValueError, AttributeError):
            pass  # not valid JSON: search it as plain text
    elif path.suffix in {".html", ".htm"}:
        raw = html.unescape(re.sub(r"<[^>]+>", "", raw))
    return normalise(raw)


def find_leaks(needles_, folders):
    """``[(file, line)]`` for every secret line found in a text file below ``folders``.

    Every file that is not binary is searched, whatever its name: build logs
    (``reports/*.log``) quote the cells they ran, for instance.
    """
    leaks = []
    for folder in folders:
        for path in sorted(Path(folder).rglob("*")):
            if not path.is_file() or is_binary(path):
                continue
            text = searchable_text(path)
            leaks += [(path, needle) for needle in needles_ if needle in text]
    return leaks
