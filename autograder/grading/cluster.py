"""Where grading tasks run: a Dask cluster, on this machine by default or an existing one.

``python -m grading autograde`` (the coordinator) turns every submission into
one Dask task: :func:`grade` with the :class:`grading.worker.Job` (the
assignment as the gradebook recorded it, the submission's files, the budget)
and the run's :class:`Settings` (the limits).  The task's result is the
:class:`grading.worker.Outcome` (the autograded notebook, nbgrader's score of
every cell, the status record), which only the coordinator stores.
``dask.distributed`` schedules the tasks, sends them to the workers, and
runs a task again elsewhere when its worker dies (up to the scheduler's
``allowed-failures``; past that the submission gets the status ``error``).

* By default (:meth:`Cluster.start_local`) the command starts a cluster of its
  own, in its own process: one Dask worker with ``jobs`` threads, stopped when
  the batch ends.
* With ``--scheduler tcp://host:8786`` (``make autograde SCHEDULER=...``) it
  connects to an existing cluster, within :data:`CONNECT_SECONDS`.  Its workers
  need the course's Python environment and nothing else: the grading code
  comes with the run (:mod:`grading.upload`), and before anything is graded
  every worker's environment is compared with the coordinator's
  (:func:`environment`); a worker that differs is refused, by name.  A worker
  that joins later checks itself before each task.

On a worker, each thread that grades keeps a grading process
(:mod:`grading.scheduler`), which runs every kernel in the sandbox where the
worker can, with that machine's share of cores for NumPy's BLAS.
"""
import dataclasses
import functools
import hashlib
import importlib.metadata
import importlib.util
import logging
import pickle
import platform
import queue
import signal
import socket
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from . import defaults, sandbox, upload
from .errors import GradingError
from .records import GUARD_ONLY, SANDBOXED

#: seconds to wait for an existing scheduler before giving up (nothing is changed by then)
CONNECT_SECONDS = 5
#: tasks handed to the scheduler at once, per worker thread (the rest wait on the coordinator)
WINDOW_PER_THREAD = 2
POLL_SECONDS = 0.2
#: what must be the same on the coordinator and every worker: the course package and the
#: packages that grade (their versions), and Python
COMPARED = ("nntrain", "nbgrader", "nbclient", "nbconvert", "nbformat", "ipykernel", "jupyter_client", "numpy")


# -- what a machine has ------------------------------------------------------------------------------
def source_digest(package):
    """SHA-256 over the Python files of an installed ``package`` ("" when it is not installed):
    two installations of the same version with different code differ here."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return ""
    folder = Path(list(spec.submodule_search_locations)[0])
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*.py")):
        if "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@functools.cache
def environment():
    """What must match between the coordinator and the workers: ``{name: version}`` of Python
    and of :data:`COMPARED` (``nntrain`` with a digest of its code), None when not installed."""
    found = {"python": platform.python_version()}
    for name in COMPARED:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = None
    if found["nntrain"] is not None:
        found["nntrain"] += f" (code {source_digest('nntrain')[:12]})"
    return found


def describe():
    """This machine as a worker: its environment, its cores, whether the sandbox runs here."""
    from dask.system import CPU_COUNT

    works, why = sandbox.probe()
    return {"environment": environment(), "host": socket.gethostname(), "cores": CPU_COUNT,
            "sandbox": works, "why": why}


def differences(here, there):
    """What differs between two :func:`environment` results: ``["nbgrader 0.9.4 there, 0.9.5 here"]``."""
    return [f"{name} {there.get(name) or 'not installed'} there, {here.get(name) or 'not installed'} here"
            for name in sorted(set(here) | set(there)) if here.get(name) != there.get(name)]


# -- the task ---------------------------------------------------------------------------------------------
@dataclass
class Settings:
    """What every task of a run carries besides its job."""
    token: str                      # the run's id: its grading processes and folders on each worker
    limits: object                  # grading.worker.Limits; ``sandbox`` is the mode (auto, on, off) when
    #                                 each worker decides (an existing cluster), else the isolation
    environment: dict = None        # the coordinator's environment(), to compare with (None: this process)
    workers: dict = field(default_factory=dict)   # worker address -> {"sandbox", "blas_threads"}


def refused(job, text):
    """The outcome of a job that was not graded (``text`` says why)."""
    from .scheduler import failed

    return failed(job, text)


def decide(mode, kernels):
    """A worker's own isolation and BLAS threads (a worker the coordinator did not see at the start)."""
    from dask.system import CPU_COUNT

    from .scheduler import blas_threads

    isolation, _ = sandbox.isolation(mode)
    return {"sandbox": isolation, "blas_threads": blas_threads(CPU_COUNT, kernels)}


def grade(job, settings):
    """The grading task, run on a Dask worker: grade ``job`` in this thread's grading process."""
    from distributed import get_worker

    from . import scheduler

    worker = get_worker()
    worker.log_event(topic(settings.token), {"started": job.key})     # the coordinator marks it started
    if settings.environment is not None:
        problems = differences(settings.environment, environment())
        if problems:
            return refused(job, f"not graded: worker {worker.address} differs from the coordinator "
                                f"({'; '.join(problems)})")
    choice = settings.workers.get(worker.address)
    if choice is None and settings.limits.sandbox not in (SANDBOXED, GUARD_ONLY):
        try:
            choice = decide(settings.limits.sandbox, worker.state.nthreads)
        except GradingError as exc:
            return refused(job, f"not graded on worker {worker.address}: {exc}")
    limits = dataclasses.replace(settings.limits, **(choice or {}))
    folder = Path(worker.local_directory) / f"nntrain-grading-{settings.token}"
    return scheduler.run_for(settings.token, folder, limits).grade(job)


def topic(token):
    """The Dask event topic on which a run's tasks say that they started."""
    return f"nntrain-grading-{token}"


def grade_pickled(job, settings):
    """:func:`grade`, its outcome pickled (the scheduler may handle a result; it has no grading package)."""
    return pickle.dumps(grade(job, settings), protocol=pickle.HIGHEST_PROTOCOL)


def release(token):
    """Stop the run's grading processes on this worker (see grading.scheduler.release)."""
    from . import scheduler

    return scheduler.release(token)


# -- the cluster, seen from the coordinator ---------------------------------------------------------------
def open_client(address):
    """A Dask client of the scheduler at ``address``, or GradingError within CONNECT_SECONDS.

    ``gateway://.../<cluster name>`` (a dask-gateway cluster, as on a JupyterHub) is reached through
    dask-gateway's own client, which knows the gateway's address and credentials.
    """
    from distributed import Client

    if address.startswith("gateway://"):
        try:
            from dask_gateway import Gateway
        except ImportError:
            raise GradingError(f"{address} is a dask-gateway cluster: install dask-gateway (the hub's "
                               "image has it) or give the scheduler's tcp:// or tls:// address") from None
        name = address.rstrip("/").rsplit("/", 1)[-1]
        try:
            return Gateway().connect(name).get_client(set_as_default=False)
        except Exception as exc:  # noqa: BLE001 - the gateway's errors are of many kinds
            raise GradingError(f"cannot reach the dask-gateway cluster {name!r}: {exc}") from None
    try:
        return Client(address, timeout=CONNECT_SECONDS, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise GradingError(f"cannot reach the Dask scheduler at {address} within {CONNECT_SECONDS} s ({exc}); "
                           "nothing was graded or changed") from None
    except (ValueError, TypeError) as exc:
        raise GradingError(f"{address!r} is not a Dask scheduler address such as tcp://host:8786 ({exc})") from None


class Cluster:
    """The Dask cluster of one run: an existing one (``address``) or, by default, a local one.

    ``mode`` is the sandbox's (auto, on, off).  Entering connects to an existing scheduler at
    once, hands its workers the grading code and checks them; a local cluster starts only when
    there is something to grade (:meth:`grade`).
    """

    def __init__(self, address=None, mode="auto", jobs=1):
        import cloudpickle

        cloudpickle.register_pickle_by_value(upload)     # see grading.upload
        self.address, self.mode, self.jobs = address, mode, max(1, int(jobs))
        self.client = self.local = None
        self.workers = {}                  # address -> describe() of an existing cluster's workers
        self.choices = {}                  # address -> {"sandbox", "blas_threads"}
        self.isolation, self.warning = "", ""

    def __enter__(self):
        if self.address:
            self.client = open_client(self.address)
            try:
                self._check()
            except BaseException:
                self.close()
                raise
        else:
            self.isolation, self.warning = sandbox.isolation(self.mode)
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def threads(self):
        """Tasks the cluster runs at once (every worker thread of an existing cluster; else jobs)."""
        if self.client is None or self.local is not None:
            return self.jobs
        return max(1, sum(self.client.nthreads().values()))

    @property
    def blas(self):
        """BLAS threads per kernel: one value, or the range over the workers."""
        values = sorted({c["blas_threads"] for c in self.choices.values()})
        return str(values[0]) if len(values) == 1 else f"{values[0]}-{values[-1]}"

    def describe_run(self):
        """How the run is spread, for the first line the command prints."""
        if self.local is None and self.address:
            hosts = {w["host"] for w in self.workers.values()}
            return (f"Dask scheduler {self.address}: {len(self.workers)} worker(s) on {len(hosts)} machine(s), "
                    f"{self.threads} thread(s)")
        return f"jobs {self.jobs}"

    # -- an existing cluster ------------------------------------------------------------------------
    def _check(self):
        """Hand the workers the grading code, compare their environments, decide each one's isolation
        and BLAS threads; GradingError (nothing graded) when a worker differs or none is there."""
        info = self.client.scheduler_info(n_workers=-1)["workers"]
        if not info:
            raise GradingError(f"the Dask cluster at {self.address} has no workers; start or scale some "
                               "first (see the instructor guide), then run again")
        self.client.register_plugin(upload.GradingCode(Path(__file__).resolve().parent))
        answers = self.client.run(describe, on_error="return")
        here, problems = environment(), []
        for address, answer in sorted(answers.items()):
            if isinstance(answer, BaseException):
                problems.append(f"worker {address} cannot run the grading code ({type(answer).__name__}: {answer})")
            elif differences(here, answer["environment"]):
                problems.append(f"worker {address} on {answer['host']}: "
                                + "; ".join(differences(here, answer["environment"])))
        if problems:
            raise GradingError("refused to grade: the workers must have the coordinator's environment "
                               "(see the instructor guide, 'Grading on a Dask cluster'):\n  " + "\n  ".join(problems))
        self.workers = answers
        self._decide(info)

    def _decide(self, info):
        from .scheduler import blas_threads

        kernels = {}           # host -> kernels at once (worker threads on that machine)
        for address, worker in info.items():
            host = self.workers.get(address, {}).get("host", worker.get("host"))
            kernels[host] = kernels.get(host, 0) + int(worker.get("nthreads", 1))
        unsafe = {a: w["why"] for a, w in self.workers.items() if not w["sandbox"]}
        if unsafe and self.mode == "on":
            raise GradingError("the sandbox is required but cannot run on " + "; ".join(
                f"worker {a} ({why})" for a, why in sorted(unsafe.items())))
        for address, worker in self.workers.items():
            boxed = self.mode != "off" and worker["sandbox"]
            self.choices[address] = {"sandbox": SANDBOXED if boxed else GUARD_ONLY,
                                     "blas_threads": blas_threads(worker["cores"], kernels[worker["host"]])}
        kinds = sorted({c["sandbox"] for c in self.choices.values()})
        self.isolation = kinds[0] if len(kinds) == 1 else \
            f"{SANDBOXED} on {sum(c['sandbox'] == SANDBOXED for c in self.choices.values())} of " \
            f"{len(self.choices)} workers, {GUARD_ONLY} on the others"
        if unsafe and self.mode == "auto":
            self.warning = ("WARNING: grading kernels run with the in-kernel guard only on " + "; ".join(
                f"worker {a} ({why})" for a, why in sorted(unsafe.items())) + " (see the instructor guide, "
                "'What is and is not isolated')")

    # -- a local cluster ----------------------------------------------------------------------------
    def start_local(self, folder):
        """A cluster in this process: a scheduler and one worker with ``jobs`` threads."""
        from distributed import Client, LocalCluster
        from dask.system import CPU_COUNT

        from .scheduler import blas_threads

        self.local = LocalCluster(n_workers=1, threads_per_worker=self.jobs, processes=False,
                                  dashboard_address="127.0.0.1:0", local_directory=str(folder),
                                  silence_logs=logging.ERROR)
        self.client = Client(self.local, set_as_default=False)
        cores = min(CPU_COUNT, defaults.cores())
        self.choices = {address: {"sandbox": self.isolation, "blas_threads": blas_threads(cores, self.jobs)}
                        for address in self.client.nthreads()}

    def settings(self, limits):
        """The run's :class:`Settings` for ``limits`` (whose ``sandbox`` is ignored)."""
        token = uuid.uuid4().hex[:16]
        if self.local is not None:
            (choice,) = self.choices.values()
            return Settings(token, dataclasses.replace(limits, **choice))
        return Settings(token, dataclasses.replace(limits, sandbox=self.mode), environment(), dict(self.choices))

    def grade(self, jobs, limits, folder, started, finished):
        """Grade ``jobs`` on the cluster (a local one is started now, in ``folder``): ``started(job)``
        before each is handed out, ``finished(job, outcome)`` after.  Returns 0, 130 when interrupted
        (SIGINT or SIGTERM), or 1 when the scheduler was lost."""
        if self.client is None:
            self.start_local(folder)
        settings = self.settings(limits)
        try:
            return Batch(self.client, settings, self.threads).run(jobs, started, finished)
        finally:
            try:
                self.client.run(release, settings.token, on_error="ignore")
            except Exception:  # noqa: BLE001 - a lost scheduler: the workers' processes end by themselves
                pass

    def close(self):
        for resource in (self.client, self.local):
            if resource is not None:
                try:
                    resource.close()
                except Exception:  # noqa: BLE001 - closing a cluster that is already gone
                    pass
        self.client = self.local = None


class Batch:
    """One batch on a Dask client: hands out tasks (a window at a time), collects the outcomes.

    A job counts as started (``started(job)``: its status becomes "grading started, not finished")
    when its task says so from the worker, not when it is handed to the scheduler: a job still
    waiting in the window or in a queue keeps its earlier status when the batch is interrupted.
    """

    def __init__(self, client, settings, threads):
        self.client, self.settings = client, settings
        self.window = max(4, WINDOW_PER_THREAD * threads)
        self.interrupted = self.lost_scheduler = False
        self.starts = queue.SimpleQueue()     # job keys, from the tasks (via the client's event loop)

    def run(self, jobs, started, finished):
        from distributed import as_completed

        pending, running, futures, begun = deque(jobs), {}, {}, set()    # running, futures: by job key
        done = as_completed(loop=self.client.loop)
        self.client.subscribe_topic(topic(self.settings.token), lambda event: self.starts.put(event[1]["started"]))
        # a flag, not an exception: library code on the way (nbgrader, SQLAlchemy) must not swallow it
        previous = {number: signal.signal(number, self._interrupt) for number in (signal.SIGINT, signal.SIGTERM)}
        try:
            while (pending or running) and not self.interrupted:
                while pending and len(running) < self.window and not self.interrupted:
                    job = pending.popleft()
                    future = self.client.submit(*upload.task(grade_pickled, job, self.settings), pure=False,
                                                key=f"grade-{self.settings.token}-{len(futures)}-{job.key}")
                    future.job_key = job.key
                    running[job.key], futures[job.key] = job, future
                    done.add(future)
                while not self.starts.empty():
                    key = self.starts.get()
                    if key in running and key not in begun:
                        begun.add(key)
                        started(running[key])
                ready = done.next_batch(block=False)
                for future in ready:
                    job = running.pop(future.job_key)
                    del futures[job.key]
                    outcome = self.outcome(future, job)
                    future.release()
                    if outcome is not None:
                        finished(job, outcome)
                if self.lost_scheduler:
                    break
                if not ready:
                    time.sleep(POLL_SECONDS)
            if futures:
                self.client.cancel(list(futures.values()), force=True)
            return 130 if self.interrupted else 1 if self.lost_scheduler else 0
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)
            try:
                self.client.unsubscribe_topic(topic(self.settings.token))
            except Exception:  # noqa: BLE001 - a lost scheduler
                pass

    def outcome(self, future, job):
        """The outcome of a task that ended; None when the scheduler was lost (not graded, not stored)."""
        from distributed.scheduler import KilledWorker

        if future.status == "finished":
            return pickle.loads(future.result())
        if future.status == "error":
            exc = future.exception()
            if isinstance(exc, KilledWorker):
                return refused(job, "not graded: the Dask workers grading it died, one after another "
                                    f"({exc})")
            return refused(job, f"not graded: the grading task failed on the cluster ({type(exc).__name__}: {exc})")
        self.lost_scheduler = True          # cancelled by nobody here: the connection is gone
        return None

    def _interrupt(self, signum, frame):
        self.interrupted = True
