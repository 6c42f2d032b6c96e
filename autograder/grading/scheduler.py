"""Grading processes, budgets and kills on a worker, and the progress shown on the coordinator.

Each thread that runs grading tasks (a thread of a Dask worker: :mod:`grading.cluster`
hands out the tasks) keeps one grading process: a child Python process that
keeps a :class:`grading.worker.Workspace` and grades one job at a time
(:func:`serve`).  The thread keeps a wall-clock budget per job: past it, the
job's kernel (the grading process's child, with everything it started) is
killed, and the grading process too if it does not report back within
:data:`grading.defaults.GRACE_SECONDS`; the thread's next job gets a fresh
process, so one submission never stalls the batch.

A grading process is a plain ``subprocess`` (a Dask worker may not fork
``multiprocessing`` children, and one with threads should not fork at all):
the job and the outcome travel as pickles over a socket pair.  It ignores
SIGINT (the coordinator decides when to stop), and when its parent dies, or
after :data:`IDLE_SECONDS` without a job, it kills its kernel and exits.

Everything a run starts on a machine lives under one folder per run
(``<worker's local directory>/nntrain-grading-<run>``); :func:`release` stops
the run's processes and removes it.  What the runs of a machine share (the
font list and empty gradebook of :func:`grading.worker.prepare`) stays in its
cache folder, :func:`grading.worker.cache_folder`.
"""
import fcntl
import multiprocessing.connection
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
from collections import Counter
from pathlib import Path

from . import defaults, worker as grading_worker
from .records import GUARD_ONLY, SANDBOXED, Finding, StatusRecord

POLL_SECONDS = 0.25
#: seconds a new grading process may take to start (imports, font list) before it counts as dead
START_SECONDS = 300
READY = "ready"                    # what a grading process says once it can take jobs
#: a grading process without a job for this long exits (a coordinator that vanished never says stop)
IDLE_SECONDS = 600
#: machine-wide claims on kernel user ids (as root each kernel of a machine runs as its own user)
SLOTS = Path("/tmp") / "nntrain-grading-slots"
PACKAGE_PARENT = str(Path(__file__).resolve().parent.parent)   # the folder that holds `grading`


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


def blas_threads(cores, kernels):
    """BLAS threads per kernel when ``kernels`` kernels share ``cores`` cores: at least one, and
    ``kernels x threads`` never more than ``cores`` (OpenBLAS spin-waits on a busy core)."""
    return max(1, int(cores) // max(1, int(kernels)))


# -- the grading process (the child) -------------------------------------------------------------
def claim_slot():
    """(slot, its lock file handle): the lowest slot no other grading process of this machine holds.

    As root, a sandboxed kernel runs as user ``FIRST_UID + slot`` (grading.sandbox.kernel_uid):
    a machine-wide slot keeps kernels of different workers, or of different runs, apart (the
    process limit counts per user id).  The lock is held until the process exits.
    """
    SLOTS.mkdir(mode=0o755, exist_ok=True)
    for slot in range(4096):
        handle = open(SLOTS / f"{slot}.lock", "a")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            continue
        return slot, handle
    raise RuntimeError(f"no free grading slot in {SLOTS}")


def watch_parent(parent):
    """Kill this process's kernels and exit as soon as its parent (the thread's process) is gone."""
    def watch():
        while os.getppid() == parent:
            time.sleep(0.5)
        kill_children(os.getpid())
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="watch-parent").start()


def serve(fd, root, parent):
    """The grading process: limits first, then jobs, until told to stop (None), idle or orphaned."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # the coordinator decides when to stop
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    connection = multiprocessing.connection.Connection(fd)
    watch_parent(parent)
    programs = os.path.dirname(sys.executable)      # nbgrader calls alembic and jupyter by name
    if programs not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = programs + os.pathsep + os.environ.get("PATH", "")
    limits = connection.recv()
    os.chdir(root)
    try:
        slot, _held = claim_slot() if os.geteuid() == 0 else (0, None)
        limits = grading_worker.prepare(limits)
        workspace, broken = grading_worker.Workspace(root, limits, slot), None
    except Exception:  # noqa: BLE001 - every job then says why, nothing is lost
        workspace, broken = None, traceback.format_exc()
        print(broken, file=sys.stderr, flush=True)
    connection.send(READY)
    while connection.poll(IDLE_SECONDS):
        try:
            job = connection.recv()
        except (EOFError, OSError):
            break
        if job is None:
            break
        if broken:
            outcome = failed(job, f"the grading process could not start ({broken.strip().splitlines()[-1]}); "
                                  "not graded", limits.sandbox)
            outcome.log = broken
        else:
            outcome = grading_worker.safely(job, limits, workspace)
        connection.send(outcome)
    shutil.rmtree(grading_worker.socket_folder(root), ignore_errors=True)


# -- the thread's handle on it ---------------------------------------------------------------------
class GradingProcess:
    """A grading process in ``root`` with ``limits``, started by (and belonging to) one thread."""

    def __init__(self, root, limits):
        self.root, self.limits = Path(root), limits
        self.root.mkdir(parents=True, exist_ok=True)
        mine, theirs = socket.socketpair()
        code = (f"import sys; sys.path.insert(0, {PACKAGE_PARENT!r}); from grading.scheduler import serve; "
                f"serve({theirs.fileno()}, {str(self.root)!r}, {os.getpid()})")
        with open(self.root / "process.log", "ab") as log:
            self.process = subprocess.Popen([sys.executable, "-c", code], pass_fds=[theirs.fileno()],
                                            stdin=subprocess.DEVNULL, stdout=log, stderr=log, cwd=self.root)
        theirs.close()
        self.connection = multiprocessing.connection.Connection(mine.detach())
        self.connection.send(limits)
        self.used = time.monotonic()
        self.ready = False

    def wait_ready(self):
        """Whether the process finished starting (a job's budget starts after that)."""
        deadline = time.monotonic() + START_SECONDS
        while not self.ready and self.alive and time.monotonic() < deadline:
            try:
                if self.connection.poll(POLL_SECONDS):
                    self.ready = self.connection.recv() == READY
            except (EOFError, OSError):
                time.sleep(POLL_SECONDS)
        return self.ready

    @property
    def alive(self):
        return self.process.poll() is None

    @property
    def fresh(self):
        """Alive, and far from the idle time after which it exits by itself."""
        return self.alive and time.monotonic() - self.used < IDLE_SECONDS / 2

    def grade(self, job):
        """``(outcome, healthy)``: the job's outcome, and whether this process may grade another."""
        if not self.wait_ready():
            return failed(job, f"the grading process did not start within {START_SECONDS} s; not graded",
                          self.limits.sandbox), False
        self.used = time.monotonic()
        try:
            self.connection.send(job)
        except OSError:
            return lost(job, "the grading process died", self.limits.sandbox), False
        started, killed_at = time.monotonic(), None
        while True:
            try:
                if self.connection.poll(POLL_SECONDS):
                    outcome = self.connection.recv()
                    return (over_budget(job, outcome) if killed_at is not None else outcome), killed_at is None
            except (EOFError, OSError):
                time.sleep(POLL_SECONDS)       # closed: the process is dying, or was killed
            if not self.alive:
                outcome = lost(job, "the grading process died", self.limits.sandbox)
                return (over_budget(job, outcome) if killed_at is not None else outcome), False
            now = time.monotonic()
            self.used = now
            if killed_at is None and now - started > job.budget:
                kill_children(self.process.pid)
                killed_at = now
            elif killed_at is not None and now - killed_at > defaults.GRACE_SECONDS:
                self.kill()
                return over_budget(job, lost(job, "killed", self.limits.sandbox)), False

    def kill(self):
        """Kill its kernel, then the process itself."""
        kill_children(self.process.pid)
        if self.alive:
            self.process.kill()
        self.process.wait(10)
        self.connection.close()
        shutil.rmtree(grading_worker.socket_folder(self.root), ignore_errors=True)

    def stop(self):
        """Ask it to finish (it is idle), or kill it when it does not."""
        try:
            self.connection.send(None)
            self.process.wait(10)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self.kill()


class Run:
    """The grading processes one run keeps in this process, one per thread that grades: in
    ``folder``, sharing a font list and an empty gradebook with the other grading processes of
    this machine (made once, see grading.worker.prepare)."""

    def __init__(self, folder, limits):
        self.folder, self.limits = Path(folder), limits
        self.processes = {}            # thread id -> GradingProcess
        self.made = 0
        self.lock = threading.Lock()
        self.stopped = False

    def grade(self, job):
        """Grade ``job`` in this thread's grading process (a new one if it has none or lost it)."""
        thread = threading.get_ident()
        with self.lock:
            if self.stopped:
                return lost(job, "the run was stopped", self.limits.sandbox)
            process = self.processes.get(thread)
            if process is not None and not process.fresh:
                process.stop()
                process = None
            if process is None:
                self.made += 1
                process = self.processes[thread] = GradingProcess(self.folder / f"process-{self.made}",
                                                                  self.limits)
        outcome, healthy = process.grade(job)
        if not healthy:
            with self.lock:
                process.kill()
                if self.processes.get(thread) is process:
                    del self.processes[thread]
        return outcome

    def stop(self):
        with self.lock:
            self.stopped = True
            processes, self.processes = list(self.processes.values()), {}
        for process in processes:
            process.kill()
        shutil.rmtree(self.folder, ignore_errors=True)


_RUNS = {}                 # run token -> Run, in this process
_RUNS_LOCK = threading.Lock()


def run_for(token, folder, limits):
    """This process's :class:`Run` of ``token`` (made on first use, in ``folder``)."""
    with _RUNS_LOCK:
        if token not in _RUNS:
            _RUNS[token] = Run(folder, limits)
        return _RUNS[token]


def release(token):
    """Stop the grading processes of run ``token`` in this process and remove its folder; how many
    there were (run on every worker when a run ends or is interrupted)."""
    with _RUNS_LOCK:
        run = _RUNS.pop(token, None)
    if run is None:
        return 0
    count = len(run.processes)
    run.stop()
    return count


def failed(job, text, isolation=""):
    """The outcome of a job that was not graded: status ``error``, ``text`` says why."""
    record = StatusRecord(job.assignment.id, job.student, job.fingerprint, job.assignment.max_score,
                          sandbox=isolation if isolation in (SANDBOXED, GUARD_ONLY) else "",
                          worker=f"{socket.gethostname()}:{os.getpid()}")
    return grading_worker.Outcome(record.fail(Finding("error", text, fatal=True)))


def lost(job, why, isolation=""):
    """The outcome of a job whose grading process died or was killed."""
    return failed(job, f"{why} while grading; not graded", isolation)


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

            tqdm.tqdm.monitor_interval = 0     # no monitor thread
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
