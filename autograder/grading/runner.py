"""Grade a whole class in parallel with nbgrader, with an explicit status for every submission.

nbgrader's own ``autograde`` grades one submission after another (its issue
#174).  Here a pool of worker processes (one per core by default) each runs
nbgrader's ``autograde`` for one submission at a time, in process, through
nbgrader's Python API, so the grading itself is nbgrader's, cell for cell.
Around each call:

* before - :func:`grading.checks.precheck` (missing, misnamed, invalid,
  tampered); a submission that cannot be graded is not sent to nbgrader;
* during - the kernel is :mod:`grading.kernel` (memory limit, progress
  records, write guard), nbgrader's per-cell timeout applies, and the parent
  keeps a wall-clock budget per submission: past it, the kernel is killed
  (and the worker too if it does not recover), so a submission that ignores
  interrupts cannot stall the batch;
* after - :func:`grading.checks.postcheck` reads the autograded notebook and
  the kernel's records, and the result goes to ``grades/status.json``.

The gradebook: with SQLite every worker takes the course's gradebook lock
(:meth:`grading.course.Course.gradebook_lock`) for each gradebook session
nbgrader opens (nbgrader opens short sessions, never while a notebook runs),
so writes are serialised and none is lost; PostgreSQL takes concurrent
writers as they come.  Student code never gets the gradebook URL.

Each kernel gets its own throw-away IPython folder, Jupyter runtime folder and
temporary folder (for its connection file) in the task's state folder, so
nothing one submission leaves there reaches another one's kernel.

Resuming: a submission is graded again only when its files, the assignment
(as released) or ``--force`` say so, or when its status is ``error``.  Before
a submission is handed to a worker its status is set to ``error`` ("grading
started, not finished"); the result replaces it, so a batch that is
interrupted or a report made while it runs never shows a submission nbgrader
started on as an ordinary 0, and the next run grades it again.
"""
import json
import multiprocessing
import multiprocessing.connection
import os
import shutil
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter, deque
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from . import checks
from .course import (PACKAGE, acquire, reference, release, signature_changes, status_key,
                     submission_fingerprint, tree_signature)
from .kernel import SECRET_VARIABLES

KERNEL_NAME = "nntrain-grading"
DEFAULT_MEMORY_MB = 4096
UNFINISHED = "grading started, not finished"
GRACE_SECONDS = 20     # how long a worker may take to report once its kernel was killed
POLL_SECONDS = 0.25


@dataclass
class Settings:
    """What every worker needs (sent once, when it starts)."""
    root: str
    db_url: str
    course_id: str
    timeout: int
    memory_mb: int
    state_root: str
    protected: list
    private: list
    lock_path: str
    log_dir: str
    sqlite: bool
    package: str = PACKAGE


@dataclass
class Task:
    assignment: str
    student: str
    folder: str
    autograded: str
    state: str
    reference: dict
    fingerprint: str
    budget: float

    @property
    def key(self):
        return status_key(self.assignment, self.student)


def now():
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# ---------------------------------------------------------------------------------------------
# worker side
# ---------------------------------------------------------------------------------------------
def serialise_gradebook(lock_path):
    """Make every nbgrader Gradebook session in this process hold the gradebook lock
    (the lock of :meth:`grading.course.Course.gradebook_lock`, re-entrant)."""
    from nbgrader import api as nbgrader_api

    cls = nbgrader_api.Gradebook
    if getattr(cls, "_grading_serialised", False):
        return
    original_init, original_close = cls.__init__, cls.close

    def __init__(self, *args, **kwargs):
        acquire(lock_path)
        try:
            original_init(self, *args, **kwargs)
        except BaseException:
            release(lock_path)
            raise
        self._grading_lock_held = True

    def close(self):
        try:
            original_close(self)
        finally:
            if self.__dict__.pop("_grading_lock_held", False):
                release(lock_path)

    cls.__init__, cls.close = __init__, close
    cls._grading_serialised = True


def make_api(settings):
    from nbgrader.apps import NbGraderAPI

    from .course import load_config

    config = load_config(settings.root)
    config.CourseDirectory.root = settings.root
    config.CourseDirectory.db_url = settings.db_url
    config.Execute.timeout = settings.timeout
    config.Execute.kernel_name = KERNEL_NAME
    config.Execute.shutdown_kernel = "immediate"    # its state is thrown away: no need to wait
    if settings.sqlite:
        serialise_gradebook(settings.lock_path)
    return NbGraderAPI(config=config)


def read_scores(settings, assignment_id, student_id):
    from nbgrader.api import Gradebook

    with Gradebook(settings.db_url, settings.course_id) as gb:
        submission = gb.find_submission(assignment_id, student_id)
        cells = {}
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                cells[f"{notebook.name}/{grade.name}"] = {
                    "auto": grade.auto_score, "manual": grade.manual_score, "max": grade.max_score}
        return {"score": float(submission.score), "max_score": float(submission.max_score),
                "needs_manual_grade": bool(submission.needs_manual_grade), "cells": cells}


def grade(api, task, settings):
    """Grade one submission; returns the status record (JSON-able)."""
    started = time.monotonic()
    state = Path(task.state)
    shutil.rmtree(state, ignore_errors=True)
    (state / "tmp").mkdir(parents=True)
    record = {"assignment": task.assignment, "student": task.student, "fingerprint": task.fingerprint,
              "graded": False, "score": None, "max_score": task.reference["max_score"],
              "started_at": now(), "worker": os.getpid()}
    findings, notebooks = checks.precheck(task.folder, task.reference)
    if any(f.fatal for f in findings):
        # nothing nbgrader could grade; drop output left from an earlier version of it
        shutil.rmtree(task.autograded, ignore_errors=True)
        return finish_record(record, findings, [], started)

    kernel = {"state": str(state), "memory_mb": settings.memory_mb, "answers": task.reference["answers"],
              "package": settings.package, "protected": [*settings.protected, settings.state_root],
              "private": [*settings.private, settings.state_root],
              "allowed": [task.autograded, str(state / "tmp")]}
    os.environ["NNTRAIN_GRADING_KERNEL"] = json.dumps(kernel)
    # the kernel's own IPython folder (startup files, profile), Jupyter runtime folder and temporary
    # folder, thrown away with the state folder; jupyter_client writes the connection file (the key
    # to the kernel) with tempfile, whose folder is cached: set it, not only TMPDIR
    os.environ["IPYTHONDIR"] = str(state / "ipython")
    os.environ["JUPYTER_RUNTIME_DIR"] = str(state / "runtime")
    os.environ["TMPDIR"] = tempfile.tempdir = str(state / "tmp")
    try:
        outcome = api.autograde(task.assignment, task.student, force=True, create=True)
    finally:
        os.environ.pop("NNTRAIN_GRADING_KERNEL", None)
    text = "\n".join(str(outcome.get(k, "")) for k in ("log", "error"))
    log = Path(settings.log_dir) / task.assignment / f"{task.student}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(text, encoding="utf-8")
    record["log"] = str(log)

    records = checks.read_progress(state / "progress.jsonl")
    labels = checks.labels_for(task.reference, notebooks)
    autograded = {name: Path(task.autograded) / f"{name}.ipynb" for name, nb in notebooks.items()
                  if nb is not None and (Path(task.autograded) / f"{name}.ipynb").is_file()}
    not_attempted = [name for nb in notebooks.values() if nb is not None for name in checks.unanswered(nb)]
    if outcome.get("success") and autograded:
        record["graded"] = True
        found, idle = checks.postcheck(autograded, records, task.reference, notebooks,
                                       settings.timeout, settings.memory_mb)
        findings += found
        not_attempted += [name for name in idle if name not in not_attempted]
        record.update(read_scores(settings, task.assignment, task.student))
    else:
        running = checks.running_cell(records, labels)
        record["running_cell"] = running
        findings.append(checks.failure_findings(text, running, settings.timeout, settings.memory_mb))
        findings += checks.kernel_findings(records, labels)
    return finish_record(record, findings, not_attempted, started)


def finish_record(record, findings, not_attempted, started):
    record["findings"] = [f.as_dict() for f in findings]
    record["not_attempted"] = not_attempted
    record["seconds"] = round(time.monotonic() - started, 2)
    record["finished_at"] = now()
    return decide(record)


def provisional(task):
    """The status of a submission handed to a worker, until its result replaces it: not graded,
    ``error`` (retried by the next run), so it never looks like an ordinary 0."""
    record = {"assignment": task.assignment, "student": task.student, "fingerprint": task.fingerprint,
              "graded": False, "score": None, "max_score": task.reference["max_score"],
              "not_attempted": [], "started_at": now(),
              "findings": [checks.Finding("error", UNFINISHED, fatal=True).as_dict()]}
    return decide(record)


def decide(record):
    findings = [checks.Finding(**f) for f in record["findings"]]
    status, detail = checks.verdict(findings, record["graded"])
    if record.get("not_attempted"):
        note = "not attempted: " + ", ".join(record["not_attempted"])
        detail = f"{detail}; {note}" if detail else note
    record["status"], record["detail"] = status, detail
    return record


def worker_main(connection, settings):
    """A worker process: receives tasks, grades them with nbgrader, sends back records."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # the parent decides when to stop
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    log = open(Path(settings.log_dir) / f"worker-{os.getpid()}.log", "a", buffering=1)
    os.dup2(log.fileno(), 1)
    os.dup2(log.fileno(), 2)
    for variable in SECRET_VARIABLES:
        os.environ.pop(variable, None)
    kernels = str(Path(settings.state_root) / "jupyter")
    os.environ["JUPYTER_PATH"] = os.pathsep.join(p for p in (kernels, os.environ.get("JUPYTER_PATH")) if p)
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = "1"     # one core per kernel: the pool already uses them all
    os.environ.setdefault("MPLBACKEND", "Agg")
    os.chdir(settings.root)
    api = make_api(settings)
    while True:
        try:
            task = connection.recv()
        except (EOFError, OSError):
            break
        if task is None:
            break
        try:
            result = grade(api, task, settings)
        except Exception:  # noqa: BLE001 - report, never lose the submission
            result = {"assignment": task.assignment, "student": task.student, "graded": False,
                      "fingerprint": task.fingerprint, "score": None,
                      "max_score": task.reference["max_score"], "not_attempted": [],
                      "findings": [checks.Finding("error", "the grading tool failed: "
                                                  + traceback.format_exc().strip().splitlines()[-1],
                                                  fatal=True).as_dict()],
                      "finished_at": now()}
            result = decide(result)
            print(traceback.format_exc(), flush=True)
        connection.send(result)


# ---------------------------------------------------------------------------------------------
# parent side
# ---------------------------------------------------------------------------------------------
class Worker:
    def __init__(self, context, settings):
        self.connection, child = context.Pipe()
        self.process = context.Process(target=worker_main, args=(child, settings), daemon=True,
                                       name="grading-worker")
        self.process.start()
        child.close()
        self.task = None
        self.started = None
        self.kernel_killed_at = None

    def assign(self, task):
        self.task, self.started, self.kernel_killed_at = task, time.monotonic(), None
        self.connection.send(task)

    def kill_kernel(self, kernel_script):
        """SIGKILL the task's kernel (found by the pid it recorded) and its process group."""
        if self.task is None:
            return False
        return kill_kernel(Path(self.task.state) / "kernel.pid", kernel_script)

    def kill(self, kernel_script):
        self.kill_kernel(kernel_script)
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)


def kill_kernel(pid_file, kernel_script):
    try:
        pid = int(Path(pid_file).read_text().strip())
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except (OSError, ValueError):
        return False
    if str(kernel_script) not in command:
        return False       # not our kernel (it exited and the pid was reused)
    try:
        if os.getpgid(pid) == pid:
            os.killpg(pid, signal.SIGKILL)
        else:
            os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return False
    return True


def write_kernelspec(state_root):
    folder = Path(state_root) / "jupyter" / "kernels" / KERNEL_NAME
    folder.mkdir(parents=True)
    spec = {"argv": [sys.executable, str(Path(__file__).with_name("kernel.py")), "-f", "{connection_file}"],
            "display_name": "Python 3 (grading)", "language": "python", "interrupt_mode": "signal",
            "metadata": {"debugger": False}}
    (folder / "kernel.json").write_text(json.dumps(spec, indent=1))


def ensure_released(course, assignment_id, say):
    """The gradebook must know the assignment (generate_assignment puts it there)."""
    from nbgrader.api import MissingEntry

    with course.gradebook() as gb:
        try:
            known = bool(gb.find_assignment(assignment_id).notebooks)
        except MissingEntry:
            known = False
    if known:
        return
    say(f"{assignment_id}: not in the gradebook yet; running nbgrader generate_assignment")
    from nbgrader.apps import NbGraderAPI

    with course.gradebook_lock():
        outcome = NbGraderAPI(config=course.config).generate_assignment(assignment_id, force=True, create=True)
    if not outcome.get("success"):
        raise RuntimeError(f"nbgrader generate_assignment {assignment_id} failed:\n"
                           f"{outcome.get('log', '')}\n{outcome.get('error', '')}")


def budget_for(reference_info, timeout):
    code_cells = sum(1 for nb in reference_info["notebooks"].values()
                     for c in nb["cells"].values() if c["cell_type"] == "code")
    return 60 + (code_cells + 10) * (timeout + 10)


def outputs_present(course, record):
    if record.get("status") in checks.NOT_GRADED or not record.get("graded"):
        return True
    folder = course.autograded_dir(record["assignment"], record["student"])
    return folder.is_dir() and any(folder.glob("*.ipynb"))


def default_jobs():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def run(course, assignments=None, students=None, jobs=None, timeout=None, memory_mb=None, budget=None,
        force=False, limit=None, progress=True, out=None):
    """Grade the selected submissions; returns the exit code (0 ok, 1 problems, 130 interrupted)."""
    out = out or sys.stdout

    def say(text):
        print(text, file=out, flush=True)

    with course.run_lock():
        return _run(course, assignments, students, jobs, timeout, memory_mb, budget, force, limit,
                    progress, say)


def _run(course, assignments, students, jobs, timeout, memory_mb, budget, force, limit, progress, say):
    known = course.assignments()
    assignments = list(assignments or known)
    unknown = [a for a in assignments if a not in known]
    if unknown:
        raise SystemExit(f"unknown assignment(s) {unknown}; the assignments are {known}")
    timeout = int(timeout or course.timeout)
    memory_mb = int(memory_mb if memory_mb is not None
                    else os.environ.get("NNTRAIN_KERNEL_MEMORY_MB", DEFAULT_MEMORY_MB))
    jobs = int(jobs or os.environ.get("NNTRAIN_GRADING_JOBS") or default_jobs())

    status = course.read_status()
    entries = status.setdefault("submissions", {})
    tasks, skipped = [], 0
    state_root = tempfile.mkdtemp(prefix="nntrain-grading-")
    try:
        for assignment_id in assignments:
            present = [s for s in course.submissions(assignment_id) if not students or s in students]
            if not present:
                continue
            ensure_released(course, assignment_id, say)
            info = reference(course, assignment_id)
            for student_id in present:
                folder = course.submission_dir(assignment_id, student_id)
                fingerprint = f"{submission_fingerprint(folder)}:{info['fingerprint']}"
                previous = entries.get(status_key(assignment_id, student_id))
                if (not force and previous and previous.get("fingerprint") == fingerprint
                        and previous.get("status") != "error" and outputs_present(course, previous)):
                    skipped += 1
                    continue
                tasks.append(Task(assignment_id, student_id, str(folder),
                                  str(course.autograded_dir(assignment_id, student_id).resolve()),
                                  str(Path(state_root) / "tasks" / f"{assignment_id}--{student_id}"),
                                  info, fingerprint, float(budget or budget_for(info, timeout))))
        if limit is not None:
            tasks = tasks[:limit]
        say(f"autograde: {len(tasks)} submission(s) to grade, {skipped} unchanged since the last run "
            f"(jobs {min(jobs, max(len(tasks), 1))}, cell timeout {timeout} s, memory limit {memory_mb} MB)")
        if not tasks:
            return 0
        with course.gradebook() as gb:          # students first: parallel creation would race
            for student_id in sorted({t.student for t in tasks}):
                gb.update_or_create_student(student_id)

        (course.output / "logs").mkdir(parents=True, exist_ok=True)
        write_kernelspec(state_root)
        settings = Settings(root=str(course.root), db_url=course.db_url, course_id=course.course_id,
                            timeout=timeout, memory_mb=memory_mb, state_root=state_root,
                            protected=course.protected_paths(), private=course.private_paths(),
                            lock_path=str(course.lock_path),
                            log_dir=str(course.output / "logs"), sqlite=course.sqlite_path is not None)
        run_record = {"started_at": now(), "jobs": jobs, "timeout": timeout, "memory_mb": memory_mb,
                      "submissions": len(tasks), "skipped": skipped}
        code = Pool(course, settings, jobs, progress, say).grade(tasks, status, run_record)
        status.setdefault("runs", []).append(run_record)
        status["runs"] = status["runs"][-50:]
        course.write_status(status)
        summarise(status, [t.key for t in tasks], say)
        if code == 130:
            left = run_record["submissions"] - run_record.get("finished", 0)
            say(f"interrupted: {left} submission(s) not graded; run the same command again to resume")
        return code
    finally:
        shutil.rmtree(state_root, ignore_errors=True)


class Pool:
    """Worker processes, the watchdog and the bookkeeping of one batch."""

    def __init__(self, course, settings, jobs, progress, say):
        self.course, self.settings, self.say = course, settings, say
        self.jobs = max(1, jobs)
        self.progress = progress
        self.kernel_script = Path(__file__).with_name("kernel.py")
        # fork: the workers start with nbgrader already imported (seconds saved per worker);
        # the parent has no threads and no open gradebook connection at this point
        methods = multiprocessing.get_all_start_methods()
        self.context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")

    def grade(self, tasks, status, run_record):

        entries = status["submissions"]
        pending = deque(tasks)
        counts = Counter()
        watched = self.course.watched_paths(sorted({t.assignment for t in tasks}))
        signature = tree_signature(*watched)
        alerts = []
        # the workers must not see the gradebook URL (student code runs below them)
        saved = {v: os.environ.pop(v) for v in SECRET_VARIABLES if v in os.environ}
        workers = []
        bar = Progress(len(tasks), self.progress)
        previous_handler = signal.signal(signal.SIGTERM, _raise_interrupt)
        code = 0
        finished = 0
        try:
            workers = [Worker(self.context, self.settings) for _ in range(min(self.jobs, len(tasks)))]
            while pending or any(w.task for w in workers):
                for worker in workers:
                    if worker.task is None and pending:
                        task = pending.popleft()
                        entries[task.key] = provisional(task)
                        self.course.write_status(status)
                        worker.assign(task)
                busy = [w for w in workers if w.task is not None]
                multiprocessing.connection.wait(
                    [w.connection for w in busy] + [w.process.sentinel for w in busy], timeout=POLL_SECONDS)
                for index, worker in enumerate(workers):
                    task = worker.task
                    if task is None:
                        continue
                    result = self._poll(worker)
                    if result is None:
                        continue
                    if not worker.process.is_alive() or result.pop("_replace_worker", False):
                        worker.kill(self.kernel_script)
                        workers[index] = Worker(self.context, self.settings)
                    else:
                        worker.task = None
                    entries[task.key] = result
                    self.course.write_status(status)
                    finished += 1
                    counts[result["status"]] += 1
                    after = tree_signature(*watched)
                    if after != signature:
                        changes = signature_changes(signature, after)
                        suspects = sorted({task.key, *[w.task.key for w in workers if w.task]})
                        alerts.append({"changes": changes, "while_grading": suspects, "at": now()})
                        bar.write(f"WARNING: files outside the submissions' own folders changed while "
                                  f"grading {', '.join(suspects)}: {changes}")
                        signature = after
                    bar.done(task, result, counts)
        except KeyboardInterrupt:
            code = 130
        finally:
            signal.signal(signal.SIGTERM, previous_handler)
            for worker in workers:
                if worker.task is not None:
                    worker.kill(self.kernel_script)
                else:
                    try:
                        worker.connection.send(None)
                    except OSError:
                        pass
            for worker in workers:
                worker.process.join(10)
                if worker.process.is_alive():
                    worker.kill(self.kernel_script)
            bar.close()
            os.environ.update(saved)
        run_record.update(finished=finished, finished_at=now(), statuses=dict(counts), alerts=alerts)
        if code == 0 and (counts.get("error") or alerts):
            code = 1
        return code

    def _poll(self, worker):
        """The worker's result, a result made up for a killed or lost one, or None (still busy)."""
        task = worker.task
        try:
            if worker.connection.poll():
                result = worker.connection.recv()
                if worker.kernel_killed_at is not None:
                    result = self._over_budget(task, result, worker)
                return result
        except (EOFError, OSError):
            pass
        elapsed = time.monotonic() - worker.started
        if not worker.process.is_alive():
            return self._lost(task, "the grading process died", replace=True)
        if worker.kernel_killed_at is None and elapsed > task.budget:
            worker.kill_kernel(self.kernel_script)
            worker.kernel_killed_at = time.monotonic()
        elif worker.kernel_killed_at is not None and time.monotonic() - worker.kernel_killed_at > GRACE_SECONDS:
            worker.kill(self.kernel_script)
            return self._over_budget(task, self._lost(task, "killed", replace=True), worker)
        return None

    def _lost(self, task, why, replace):
        record = {"assignment": task.assignment, "student": task.student, "graded": False,
                  "fingerprint": task.fingerprint, "score": None, "max_score": task.reference["max_score"],
                  "not_attempted": [], "finished_at": now(), "_replace_worker": replace,
                  "findings": [checks.Finding("error", f"{why} while grading; not graded", fatal=True).as_dict()]}
        return decide(record)

    def _over_budget(self, task, result, worker):
        where = f" (in cell {result['running_cell']})" if result.get("running_cell") else ""
        findings = [f for f in result["findings"] if not (f["fatal"] and f["kind"] in ("kernel_died", "error"))]
        findings.insert(0, checks.Finding(
            "timed_out", f"grading took longer than its {task.budget:.0f} s budget{where}; the kernel was "
                         "killed; not graded", fatal=True).as_dict())
        result.update(findings=findings, graded=False, score=None)
        return decide(result)


class Progress:
    """A progress bar (tqdm) on a terminal; elsewhere one line per submission. Both show the
    counts by status and the estimated time left."""

    def __init__(self, total, enabled):
        self.total, self.enabled, self.finished = total, enabled, 0
        self.started = time.monotonic()
        self.bar = None
        if enabled and sys.stderr.isatty():
            import tqdm

            tqdm.tqdm.monitor_interval = 0     # no monitor thread: workers may be forked later
            columns = shutil.get_terminal_size((100, 20)).columns
            self.bar = tqdm.tqdm(total=total, desc="autograde", unit="submission", file=sys.stderr,
                                 ncols=columns if columns >= 40 else 100, smoothing=0.05)

    def write(self, text):
        if self.bar is not None:
            self.bar.write(text, file=sys.stderr)
        else:
            print(text, file=sys.stderr, flush=True)

    def done(self, task, result, counts):
        self.finished += 1
        if result["status"] != "graded":
            self.write(f"{task.student}/{task.assignment}: {result['status']} - {result['detail']}")
        tally = " ".join(f"{k}={v}" for k, v in sorted(counts.items()))
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix_str(tally, refresh=False)
        elif self.enabled:
            elapsed = time.monotonic() - self.started
            left = elapsed / self.finished * (self.total - self.finished)
            self.write(f"[{self.finished}/{self.total}] {tally} | {elapsed:.0f} s elapsed, about "
                       f"{left:.0f} s left")

    def close(self):
        if self.bar is not None:
            self.bar.close()


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


def summarise(status, keys, say):
    entries = status["submissions"]
    by_assignment = {}
    for key in keys:
        if key in entries:
            by_assignment.setdefault(entries[key]["assignment"], Counter())[entries[key]["status"]] += 1
    for assignment_id, counts in sorted(by_assignment.items()):
        say(f"{assignment_id}: " + ", ".join(f"{counts[s]} {s}" for s in checks.STATUSES if counts[s]))
