"""Instructor tooling around nbgrader for the course (run ``python -m grading`` in autograder/).

nbgrader stays the grading engine; this package adds what a class needs:

* ``autograde`` - grade every submission in parallel, each with an explicit
  status (graded, timed out, invalid notebook, tampered tests restored, ...),
  with a per-cell timeout, a memory limit per kernel and resumable batches
  (:mod:`grading.runner`, :mod:`grading.checks`, :mod:`grading.kernel`);
* ``collect`` - import an LMS zip of submissions with nbgrader's zip collect
  (:mod:`grading.collect`);
* ``grades`` - a CSV of score, status and detail per submission, and a
  summary with a score histogram per assignment (:mod:`grading.report`);
* ``feedback`` / ``pack`` - per-student HTML feedback without hidden tests,
  zipped for return (:mod:`grading.feedback`).

Everything it writes besides nbgrader's own folders goes to ``autograder/grades/``.
"""
