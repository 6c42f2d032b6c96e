"""Worker processes, budgets, kills and progress: runs :func:`grading.worker.grade` for many jobs.

A pool of worker processes (forked, so nbgrader is imported once) each keeps
its :class:`grading.worker.Workspace` and grades one job at a time.  The
scheduler keeps a wall-clock budget per job: past it, the job's kernel (the
worker's child process, with everything it started) is killed, and the worker
too if it does not report back within :data:`grading.defaults.GRACE_SECONDS`;
a fresh worker takes its place, so one submission never stalls the batch.
"""
import multiprocessing
import multiprocessing.connection
import os
import shutil
import signal
import sys
import time
from collections import Counter, deque
from pathlib import Path

from . import defaults, worker as grading_worker
from .records import Finding, StatusRecord

POLL_SECONDS = 0.25


def kill_children(pid):
    """SIGKILL every process ``pid`` started (its kernel, and what that started), not ``pid``."""
    import psutil

    try:
        children = psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return 0
    for child in children:
        try:
            if os.getpgid(child.pid) == child.pid:
                os.killpg(child.pid, signal.SIGKILL)    # a kernel leads its own process group
            else:
                child.kill()
        except (ProcessLookupError, psutil.Error):
            continue
    return len(children)


def worker_main(connection, limits, root, log_path, slot):
    """A worker process: receives jobs, grades them, sends back outcomes, until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # the scheduler decides when to stop
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    log = open(log_path, "a", buffering=1)
    os.dup2(log.fileno(), 1)
    os.dup2(log.fileno(), 2)
    os.chdir(root)
    workspace = grading_worker.Workspace(root, limits, slot)
    while True:
        try:
            job = connection.recv()
        except (EOFError, OSError):
            break
        if job is None:
            break
        connection.send(grading_worker.safely(job, limits, workspace))


class Worker:
    """The scheduler's handle on one worker process."""

    def __init__(self, context, limits, root, log_dir, slot):
        self.root = Path(root)
        self.root.mkdir(parents=True)
        self.connection, child = context.Pipe()
        self.process = context.Process(target=worker_main, daemon=True, name="grading-worker",
                                       args=(child, limits, str(self.root), str(Path(log_dir) / f"{self.root.name}.log"),
                                             slot))
        self.process.start()
        child.close()
        self.job = self.started = self.kernel_killed_at = None

    def assign(self, job):
        self.job, self.started, self.kernel_killed_at = job, time.monotonic(), None
        self.connection.send(job)

    def kill(self):
        """Kill its kernel, then the worker itself."""
        kill_children(self.process.pid)
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.clean()

    def clean(self):
        """Remove what the worker keeps outside the scheduler's scratch (its socket folder)."""
        shutil.rmtree(grading_worker.socket_folder(self.root), ignore_errors=True)

    def stop(self):
        if self.job is not None:
            self.kill()
            return
        try:
            self.connection.send(None)
        except OSError:
            pass
        self.process.join(10)
        if self.process.is_alive():
            self.kill()
        self.clean()


def lost(job, why, limits):
    """The outcome of a job whose worker died or was killed."""
    record = StatusRecord(job.assignment.id, job.student, job.fingerprint,
                                         job.assignment.max_score, sandbox=limits.sandbox)
    return grading_worker.Outcome(record.fail(Finding("error", f"{why} while grading; not graded", fatal=True)))


def over_budget(job, outcome):
    """``outcome`` of a job whose kernel was killed at its budget: timed out, not graded."""
    record = outcome.record
    where = f" (in cell {record.running_cell})" if record.running_cell else ""
    record.findings = [Finding("timed_out", f"grading took longer than its {job.budget:.0f} s budget{where}; "
                                            "the kernel was killed; not graded", fatal=True)] + [
        f for f in record.findings if not (f.fatal and f.kind in ("kernel_died", "error"))]
    record.graded, record.score = False, None
    record.decide()
    return grading_worker.Outcome(record, log=outcome.log)


class Scheduler:
    """Runs jobs on ``jobs`` worker processes, each with its workspace under ``scratch``."""

    def __init__(self, jobs, limits, scratch, log_dir, progress=None):
        self.jobs, self.limits = max(1, jobs), limits
        self.scratch, self.log_dir = Path(scratch), Path(log_dir)
        self.progress = progress
        self.made = 0
        # fork: the workers start with nbgrader already imported (seconds saved per worker);
        # the parent has no threads and no open gradebook connection at this point
        methods = multiprocessing.get_all_start_methods()
        self.context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")

    def _worker(self, slot):
        """A new worker in ``slot`` (0 to jobs - 1: its kernels' user id, see sandbox.kernel_uid)."""
        self.made += 1
        return Worker(self.context, self.limits, self.scratch / f"worker-{self.made}", self.log_dir, slot)

    def run(self, jobs, started, finished):
        """Grade ``jobs``; ``started(job)`` before each is handed out, ``finished(job, outcome)`` after.
        Returns 0, or 130 when interrupted (SIGINT or SIGTERM)."""
        pending = deque(jobs)
        workers = []
        self.interrupted = False
        # a flag, not an exception: library code on the way (nbgrader, SQLAlchemy) must not swallow it
        previous = {number: signal.signal(number, self._interrupt) for number in (signal.SIGINT, signal.SIGTERM)}
        try:
            workers = [self._worker(slot) for slot in range(min(self.jobs, len(pending)))]
            while (pending or any(w.job for w in workers)) and not self.interrupted:
                for w in workers:
                    if w.job is None and pending and not self.interrupted:
                        job = pending.popleft()
                        started(job)
                        w.assign(job)
                busy = [w for w in workers if w.job is not None]
                multiprocessing.connection.wait([w.connection for w in busy] + [w.process.sentinel for w in busy],
                                                timeout=POLL_SECONDS)
                for index, w in enumerate(workers):
                    job = w.job
                    outcome, replace = self._poll(w) if job is not None else (None, False)
                    if outcome is None:
                        continue
                    if replace or not w.process.is_alive():
                        w.kill()
                        workers[index] = self._worker(index)
                    else:
                        w.job = None
                    finished(job, outcome)
            return 130 if self.interrupted else 0
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)
            for w in workers:
                w.stop()

    def _interrupt(self, signum, frame):
        self.interrupted = True

    def _poll(self, w):
        """``(outcome, replace the worker)``; outcome None while the job is still running."""
        job = w.job
        try:
            if w.connection.poll():
                outcome = w.connection.recv()
                return (over_budget(job, outcome) if w.kernel_killed_at is not None else outcome), False
        except (EOFError, OSError):
            pass
        if not w.process.is_alive():
            return lost(job, "the grading process died", self.limits), True
        if w.kernel_killed_at is None and time.monotonic() - w.started > job.budget:
            kill_children(w.process.pid)
            w.kernel_killed_at = time.monotonic()
        elif w.kernel_killed_at is not None and time.monotonic() - w.kernel_killed_at > defaults.GRACE_SECONDS:
            return over_budget(job, lost(job, "killed", self.limits)), True
        return None, False


class Progress:
    """A progress bar (tqdm) on a terminal; elsewhere one line per submission. Both show the
    counts by status and the estimated time left."""

    def __init__(self, total, enabled):
        self.total, self.enabled, self.finished = total, enabled, 0
        self.started = time.monotonic()
        self.counts = Counter()
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

    def done(self, record):
        self.finished += 1
        self.counts[record.status] += 1
        if record.status != "graded":
            self.write(f"{record.student}/{record.assignment}: {record.status} - {record.detail}")
        tally = " ".join(f"{k}={v}" for k, v in sorted(self.counts.items()))
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
