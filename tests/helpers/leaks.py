"""Find lines of solutions, hidden tests and model answers in published files.

The published files are the HTML book (every file under _build/html, the
``_sources`` copies and downloads included) and the student release
(autograder/release).  HTML is compared after removing tags, so code split
into syntax-highlighting ``<span>``s is still found; notebooks are compared by
their cell sources.
"""
import html
import json
import re
from pathlib import Path

from helpers.notebooks import normalise, read, secret_lines, student_source

MIN_LENGTH = 12  # shorter lines ("return y", "pass") are too common to call a leak


def needles(solution_paths, public_paths=()):
    """Secret lines worth searching for: long enough, and not also public anyway.

    A secret line that also appears in a public notebook's text (a lesson, or the
    visible part of an assignment) is not evidence of a leak and is dropped.
    """
    public = []
    for path in public_paths:
        public += [cell.source for cell in read(path).cells]
    secrets = []
    for path in solution_paths:
        nb = read(path)
        public += [student_source(cell) for cell in nb.cells if "BEGIN HIDDEN" not in cell.source]
        secrets += secret_lines(nb)
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
