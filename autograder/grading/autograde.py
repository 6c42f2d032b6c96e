"""Grade a class: the coordinator of ``python -m grading autograde``.

nbgrader's own ``autograde`` grades one submission after another (its issue
#174).  The coordinator plans the batch (which submissions changed since they
were last graded), hands each one to a Dask cluster (:mod:`grading.cluster`:
a local one, or an existing one with ``--scheduler``) as explicit data
(:class:`grading.worker.Job`), and stores every outcome: the autograded folder,
nbgrader's scores in the gradebook (with nbgrader's own ``SaveAutoGrades`` and
``AssignLatePenalties``, so every score is nbgrader's, cell for cell) and the
status in ``grades/status.json``.  It is the only process that reads
``submitted/`` and writes the gradebook, ``autograded/`` and the status file.

Resuming: a submission is graded again only when its files, the assignment
(as released) or ``--force`` say so, or when its status is ``error``.  Before a
job is handed out its status is set to ``error`` ("grading started, not
finished"); the outcome replaces it, so a batch that is interrupted, or a report
made while it runs, never shows a submission in progress as an ordinary 0.
"""
import shutil
import sys
import tempfile
import warnings
from dataclasses import dataclass

from . import assignment as assignments, defaults, manual, sandbox
from .cluster import Cluster
from .course import submission_fingerprint
from .errors import GradingError
from .records import NOT_GRADED, STATUSES, UNFINISHED, Finding, RunRecord, StatusRecord, now
from .scheduler import Progress
from .worker import Job, Limits


@dataclass
class Options:
    """What ``python -m grading autograde`` was asked to do (None: the default)."""
    assignments: list = None
    students: list = None
    jobs: int = None
    timeout: int = None
    memory_mb: int = None
    budget: float = None
    sandbox: str = None            # auto, on or off
    force: bool = False
    limit: int = None
    progress: bool = True
    scheduler: str = None          # an existing Dask scheduler's address; None: a local cluster


def run(course, options=None, out=None):
    """Grade the selected submissions; returns the exit code (0 ok, 1 problems, 130 interrupted).

    An existing scheduler is reached, and its workers checked, before the course is touched."""
    out, options = out or sys.stdout, options or Options()

    def say(text):
        print(text, file=out, flush=True)

    try:
        mode = options.sandbox or defaults.sandbox()
        jobs = int(options.jobs or defaults.jobs())
    except ValueError as exc:          # a setting in the environment that is not a number
        raise GradingError(str(exc)) from None
    with Cluster(options.scheduler, mode, jobs) as cluster, course.run_lock():
        return Coordinator(course, options, say, cluster).run()


def ensure_released(course, assignment_id, say):
    """The gradebook must know the assignment (generate_assignment puts it there)."""
    from nbgrader.api import MissingEntry
    from nbgrader.apps import NbGraderAPI

    with course.gradebook() as gb:
        try:
            if gb.find_assignment(assignment_id).notebooks:
                return
        except MissingEntry:
            pass
    say(f"{assignment_id}: not in the gradebook yet; running nbgrader generate_assignment")
    with course.gradebook_lock():
        outcome = NbGraderAPI(config=course.config).generate_assignment(assignment_id, force=True, create=True)
    if not outcome.get("success"):
        raise GradingError(f"nbgrader generate_assignment {assignment_id} failed:\n"
                           f"{outcome.get('log', '')}\n{outcome.get('error', '')}")


def provisional(job, isolation):
    """The status of a job handed out, until its outcome replaces it: not graded, ``error``
    (retried by the next run), so it never looks like an ordinary 0."""
    record = StatusRecord(job.assignment.id, job.student, job.fingerprint, job.assignment.max_score,
                          started_at=now(), sandbox=isolation)
    record.fail(Finding("error", UNFINISHED, fatal=True))
    record.finished_at = None
    return record


def unchanged(course, previous, fingerprint):
    """Whether the last grading of a submission still stands."""
    if previous is None or previous.fingerprint != fingerprint or previous.status == "error":
        return False
    if previous.status in NOT_GRADED or not previous.graded:
        return True
    folder = course.autograded_dir(previous.assignment, previous.student)
    return folder.is_dir() and any(folder.glob("*.ipynb"))


class Coordinator:
    """One batch: plans it, runs it on the scheduler, stores what comes back."""

    def __init__(self, course, options, say, cluster):
        self.course, self.options, self.say, self.cluster = course, options, say, cluster
        try:
            self.timeout = int(options.timeout or course.timeout)
            self.memory_mb = int(options.memory_mb if options.memory_mb is not None else defaults.memory_mb())
        except ValueError as exc:          # a setting in the environment that is not a number
            raise GradingError(str(exc)) from None
        self.isolation, self.warning = cluster.isolation, cluster.warning
        self.status = course.read_status()
        self.progress = None
        self.alerts, self.watched, self.signature = [], None, None

    def plan(self):
        """The jobs of this batch, and how many submissions are unchanged."""
        jobs, skipped = [], 0
        protected, private = sandbox.protected_paths(self.course), sandbox.private_paths(self.course)
        for assignment_id in self.course.check_assignments(self.options.assignments):
            present = [s for s in self.course.submissions(assignment_id)
                       if not self.options.students or s in self.options.students]
            if not present:
                continue
            ensure_released(self.course, assignment_id, self.say)
            assignment = assignments.load(self.course, assignment_id)
            budget = float(self.options.budget or assignment.budget(self.timeout))
            for student in present:
                files = self.course.submission_files(assignment_id, student)
                fingerprint = f"{submission_fingerprint(files)}:{assignment.fingerprint}"
                previous = self.status.submissions.get(f"{assignment_id}/{student}")
                if not self.options.force and unchanged(self.course, previous, fingerprint):
                    skipped += 1
                    continue
                jobs.append(Job(assignment, student, files, fingerprint, budget, protected, private))
        if self.options.limit is not None:
            jobs = jobs[:self.options.limit]
        return jobs, skipped

    def run(self):
        jobs, skipped = self.plan()
        if self.warning and jobs:
            print(self.warning, file=sys.stderr, flush=True)
        if not jobs:
            self.say(f"autograde: 0 submission(s) to grade, {skipped} unchanged since the last run")
            return 0
        scratch = tempfile.mkdtemp(prefix="nntrain-grading-")
        try:
            return self.grade(jobs, skipped, scratch)
        finally:
            self.cluster.close()
            shutil.rmtree(scratch, ignore_errors=True)

    def grade(self, jobs, skipped, scratch):
        if not self.cluster.address:
            self.cluster.jobs = min(self.cluster.jobs, len(jobs))
            self.cluster.start_local(scratch)
        self.say(f"autograde: {len(jobs)} submission(s) to grade, {skipped} unchanged since the last run "
                 f"({self.cluster.describe_run()}, cell timeout {self.timeout} s, memory limit "
                 f"{self.memory_mb} MB, isolation: {self.isolation}, BLAS threads per kernel {self.cluster.blas})")
        with self.course.gradebook() as gb:          # students first: parallel creation would race
            for student in sorted({j.student for j in jobs}):
                gb.update_or_create_student(student)
        self.course.logs.mkdir(parents=True, exist_ok=True)
        sandbox.create_ipython_profile()
        self.watched = sandbox.watched_paths(self.course, sorted({j.assignment.id for j in jobs}))
        self.signature = sandbox.tree_signature(*self.watched)
        run = RunRecord(now(), self.cluster.threads, self.timeout, self.memory_mb, self.isolation, len(jobs),
                        skipped, scheduler=self.cluster.address or "local")
        self.progress = Progress(len(jobs), self.options.progress)
        try:
            code = self.cluster.grade(jobs, Limits(self.timeout, self.memory_mb), scratch, self.started,
                                      self.finished)
        finally:
            self.progress.close()
        if code == 1:
            self.say(f"lost the Dask scheduler at {self.cluster.address}; run the same command again to grade "
                     "what is left")
        return self.close(run, jobs, code)

    def started(self, job):
        self.status.submissions[job.key] = provisional(job, self.isolation)
        self.course.write_status(self.status)

    def finished(self, job, outcome):
        record = store(self.course, job, outcome)
        self.status.submissions[job.key] = record
        self.course.write_status(self.status)
        after = sandbox.tree_signature(*self.watched)
        if after != self.signature:
            changes = sandbox.signature_changes(self.signature, after)
            self.alerts.append({"changes": changes, "while_grading": job.key, "at": now()})
            self.progress.write(f"WARNING: files outside the submissions' own folders changed while "
                                f"grading {job.key} (or the submissions graded beside it): {changes}")
            self.signature = after
        self.progress.done(record)

    def close(self, run, jobs, code):
        """Record the run, print the summary; the exit code."""
        records = [self.status.submissions[j.key] for j in jobs if j.key in self.status.submissions]
        finished = [r for r in records if r.detail != UNFINISHED]
        run.finished, run.finished_at, run.alerts = len(finished), now(), self.alerts
        run.statuses = {s: sum(1 for r in finished if r.status == s) for s in STATUSES
                        if any(r.status == s for r in finished)}
        self.status.runs.append(run)
        self.course.write_status(self.status)
        for assignment_id in sorted({r.assignment for r in records}):
            mine = [r.status for r in records if r.assignment == assignment_id]
            self.say(f"{assignment_id}: " + ", ".join(f"{mine.count(s)} {s}" for s in STATUSES if s in mine))
        if code == 130:
            self.say(f"interrupted: {len(jobs) - len(finished)} submission(s) not graded; run the same "
                     "command again to resume")
            return code
        return 1 if code == 1 or run.statuses.get("error") or self.alerts else 0


def store(course, job, outcome):
    """Write an outcome into the course: autograded folder, gradebook, log; the final record."""
    record = outcome.record
    log = course.logs / job.assignment.id / f"{job.student}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(outcome.log, encoding="utf-8")
    record.log = str(log)
    if not record.graded or not outcome.autograded:
        course.write_autograded(job.assignment.id, job.student, None)
        return record
    graded_before = manual.graded_answers(course, job.assignment.id, job.student)
    course.write_autograded(job.assignment.id, job.student, outcome.autograded)
    save_grades(course, job, outcome.autograded)
    manual.mark_changed(course, job.assignment.id, job.student, graded_before, outcome.autograded)
    record.score, record.needs_manual_grade, record.cells = read_scores(course, job.assignment.id, job.student)
    return record


def save_grades(course, job, files):
    """nbgrader's scores of the autograded notebooks into the course's gradebook, as nbgrader's
    autograde saves them (manual grades are kept)."""
    import nbformat
    from nbgrader.preprocessors import AssignLatePenalties, SaveAutoGrades
    from nbgrader.utils import parse_utc

    assignment_id, student = job.assignment.id, job.student
    stamp = job.files.get("timestamp.txt", b"").decode("utf-8", "replace").strip()
    with course.gradebook_lock(), warnings.catch_warnings():
        # nbgrader's add_submission makes SQLAlchemy warn about its own session handling
        warnings.filterwarnings("ignore", module="sqlalchemy")
        warnings.filterwarnings("ignore", message=".*not in session.*")
        with course.gradebook() as gb:
            gb.update_or_create_submission(assignment_id, student, **({"timestamp": parse_utc(stamp)} if stamp else {}))
            for name in job.assignment.notebooks:       # a notebook not handed in scores 0, as in nbgrader
                if f"{name}.ipynb" not in files:
                    for grade in gb.find_submission_notebook(name, assignment_id, student).grades:
                        grade.auto_score, grade.needs_manual_grade = 0, False
                    gb.db.commit()
        for name in job.assignment.notebooks:
            if f"{name}.ipynb" in files:
                notebook = nbformat.reads(files[f"{name}.ipynb"].decode("utf-8"), as_version=4)
                resources = {"nbgrader": {"db_url": course.db_url, "assignment": assignment_id,
                                          "notebook": name, "student": student}}
                for step in (SaveAutoGrades, AssignLatePenalties):
                    step(config=course.config).preprocess(notebook, resources)


def read_scores(course, assignment_id, student):
    """(total score, needs manual grading, cells) of a submission, from the gradebook."""
    with course.gradebook() as gb:
        submission = gb.find_submission(assignment_id, student)
        cells = {f"{nb.name}/{g.name}": {"auto": g.auto_score, "manual": g.manual_score, "max": g.max_score}
                 for nb in submission.notebooks for g in nb.grades}
        return float(submission.score), bool(submission.needs_manual_grade), cells
