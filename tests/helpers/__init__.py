"""Helpers the tests share: one package, imported as ``helpers.<module>`` by every test folder.

* :mod:`helpers.notebooks` - reading course notebooks and running their cells in process;
* :mod:`helpers.course` - a throw-away nbgrader course and the submissions graded in it;
* :mod:`helpers.grading` - running the grading tool, reading what it wrote, the sandbox it needs;
* :mod:`helpers.leaks` - finding solution lines in published files;
* :mod:`helpers.checkout` - a copy of the working tree to run ``make`` in;
* :mod:`helpers.browser` - Debian's Chromium driven by Playwright, and a local web server.

Test modules import from here and never from one another.
"""
from pathlib import Path

#: The root of the repository.
ROOT = Path(__file__).resolve().parents[2]
