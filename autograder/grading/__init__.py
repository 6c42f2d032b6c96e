"""Instructor tooling around nbgrader for the course (run ``python -m grading`` in autograder/).

nbgrader stays the grading engine; this package adds what a class needs.  One
module per job:

* :mod:`grading.autograde` - the coordinator of ``autograde``: plans a batch
  (what changed), stores each outcome (``autograded/``, the gradebook,
  ``grades/status.json``); the only process that touches the course;
* :mod:`grading.scheduler` - worker processes, budgets, kills and progress;
* :mod:`grading.worker` - grades one submission: explicit data in (the
  assignment, the files, the limits), explicit data out (the autograded
  folder, nbgrader's scores, the status record), in a private workspace;
* :mod:`grading.sandbox` - what a kernel may see and change: the bubblewrap
  sandbox, the guard's lists, what is watched;
* :mod:`grading.kernel` - the grading kernel (limits, progress records, the
  in-kernel guard, the check for reference code);
* :mod:`grading.checks` - findings before and after nbgrader grades a submission;
* :mod:`grading.integrity` - no trick scores: the tests that ran after a submission changed
  what they rely on (the kernel's records say what and where) score 0, status ``tampering``;
* :mod:`grading.records` - the status record, the status file, the kernel's
  settings (each schema once); :mod:`grading.cells` - the kinds of nbgrader cell;
* :mod:`grading.assignment` - an assignment as grading needs it, from the gradebook;
* :mod:`grading.course` - the course folder; :mod:`grading.locks` - its locks;
* :mod:`grading.defaults` - every default (limits, workers, isolation);
  :mod:`grading.errors` - the one error type;
* :mod:`grading.collect` (``collect``: an LMS zip, with names, late flags
  and due dates), :mod:`grading.report` (``grades``: grades.csv and
  summaries, what the class missed), :mod:`grading.feedback` (``feedback``,
  ``pack``: HTML feedback without hidden tests, zipped);
* :mod:`grading.manual` - manual grades that are pending or stale;
  :mod:`grading.mathjax` - math typeset offline in feedback and formgrader
  (``formgrader``).

Everything it writes besides nbgrader's own folders goes to ``autograder/grades/``.
"""
import sys

# jsonschema (imported with nbformat, by nbgrader) checks the "iri" string format with
# rfc3987_syntax when that is installed, and building its grammar takes about 0.9 s of every
# import: a second of start-up in the coordinator and in every grading process, for a format no
# notebook schema uses.  Without it jsonschema skips that one format check.
sys.modules.setdefault("rfc3987_syntax", None)
