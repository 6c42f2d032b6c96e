"""Catalogues of wrong answers, one module per assignment (named by its id).

Each module defines ``WRONG_ANSWERS``: for every autograded answer cell (by
its nbgrader grade_id), a list of :class:`WrongAnswer`.  The quality gate in
``tests/exercises/test_exercises.py`` plants each one in place of the solution and
requires that at least one test cell fails with a message containing
``hint`` (case-insensitive), so that the student is told what is wrong.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class WrongAnswer:
    name: str     # the mistake, in a few words (used as the test id)
    source: str   # the whole answer cell, as a student might write it
    hint: str     # words the failing test's message must contain
