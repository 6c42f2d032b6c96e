"""Grade one submission: explicit data in, explicit data out.

:func:`grade` takes a :class:`Job` (the :class:`grading.assignment.Assignment`,
the submission's files, the guard's lists, the budget) and :class:`Limits`, and
returns an :class:`Outcome` (the autograded folder's files, nbgrader's score of
every cell, the status record).  It needs no course folder and no course
gradebook: each grading process keeps a private :class:`Workspace` (a scratch
nbgrader course with its own gradebook, rebuilt from the job's data), so the
same function runs on this machine or on a remote Dask worker alike
(:mod:`grading.scheduler` starts the grading processes, :mod:`grading.cluster`
sends them the jobs).  Only the coordinator (:mod:`grading.autograde`) reads
``submitted/`` and writes the gradebook, ``autograded/`` and ``status.json``.

The kernel runs in the sandbox of :mod:`grading.sandbox` (or, where it cannot
run, with the guard alone): it sees the workspace's working folder and channel
folder, never the workspace's gradebook (which holds the hidden tests).
"""
import dataclasses
import functools
import hashlib
import json
import os
import shutil
import socket
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from traitlets import Type

from . import assignment as assignments, checks, defaults, integrity, locks, sandbox
from .course import PACKAGE
from .kernel import SECRET_VARIABLES
from .records import SANDBOXED, Finding, KernelSettings, StatusRecord, now

KERNEL_NAME = "nntrain-grading"
STUDENT = "student"              # the student's id inside a workspace (the real one is not needed)
MAX_OUTPUT_MB = 64               # the most of an autograded folder that is sent back
KERNEL_FILES = ("kernel.py", "records.py")
#: where the system keeps fonts (a change there makes matplotlib's font list stale)
FONT_FOLDERS = ("/usr/share/fonts", "/usr/local/share/fonts")
#: the thread-count variables of the BLAS and OpenMP libraries NumPy may be built with
BLAS_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS",
                  "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


@dataclass
class Limits:
    """The limits every kernel of a run gets."""
    timeout: int = defaults.CELL_TIMEOUT
    memory_mb: int = defaults.MEMORY_MB
    sandbox: str = SANDBOXED       # SANDBOXED or GUARD_ONLY
    tmp_mb: int = defaults.TMP_MB
    processes: int = defaults.PROCESSES
    #: threads of NumPy's BLAS in each kernel: the cores of the machine shared among the kernels
    #: that run on it at once (see grading.scheduler.blas_threads)
    blas_threads: int = 1
    #: made once for the grading processes of a machine and shared by them and by later runs (see
    #: prepare); a process that cannot reach them makes its own
    fonts: str = ""                # matplotlib's font list
    empty_gradebook: str = ""      # an empty nbgrader gradebook (making one takes seconds)


def cache_folder():
    """Where this machine keeps what its grading processes share between runs: matplotlib's font
    list and an empty nbgrader gradebook, which take seconds to make.  One folder per Python
    environment, per version of nbgrader and matplotlib and per state of the system's fonts (a
    change to any of them makes a fresh one), under :func:`grading.defaults.cache_root`."""
    from importlib.metadata import PackageNotFoundError, version

    parts = [sys.prefix, sys.version]
    for package in ("nbgrader", "matplotlib"):
        try:
            parts.append(f"{package} {version(package)}")
        except PackageNotFoundError:
            parts.append(f"{package} missing")
    for fonts in FONT_FOLDERS:
        parts.append(f"{fonts} {os.stat(fonts).st_mtime_ns if os.path.isdir(fonts) else '-'}")
    return Path(defaults.cache_root()) / hashlib.sha1("\n".join(parts).encode()).hexdigest()[:16]


def prepare(limits, folder=None):
    """Make the files the grading processes of a machine share in ``folder`` (default
    :func:`cache_folder`), once: the first process makes them, the others (of this run or a later
    one) wait and reuse them; returns ``limits`` naming them."""
    from nbgrader.api import Gradebook

    folder = Path(folder or cache_folder())
    fonts, gradebook, ready = folder / "matplotlib", folder / "empty-gradebook.db", folder / "ready"
    if not ready.is_file():
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:       # no writable cache (a read-only home): this machine's temporary folder
            return prepare(limits, Path(tempfile.gettempdir()) / f"nntrain-grading-{os.getuid()}" / folder.name)
        with locks.exclusive(folder / ".lock"):
            if not ready.is_file():
                shutil.rmtree(fonts, ignore_errors=True)
                fonts.mkdir()
                build_font_list(fonts)
                gradebook.unlink(missing_ok=True)
                Gradebook(f"sqlite:///{gradebook}").close()
                ready.touch()
    return dataclasses.replace(limits, fonts=str(fonts), empty_gradebook=str(gradebook))


def build_font_list(folder):
    """matplotlib's font list in ``folder`` (its MPLCONFIGDIR), built in a child process."""
    import subprocess

    env = {**os.environ, "MPLCONFIGDIR": str(folder)}
    subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], env=env, capture_output=True,
                   timeout=300)


@dataclass
class Job:
    """One submission to grade."""
    assignment: assignments.Assignment
    student: str
    files: dict                    # relative path -> bytes, as submitted
    fingerprint: str = ""
    budget: float = 0.0            # seconds in all (the scheduler enforces it)
    protected: list = field(default_factory=list)   # the course's paths for the guard
    private: list = field(default_factory=list)

    @property
    def key(self):
        return f"{self.assignment.id}/{self.student}"


@dataclass
class Outcome:
    """What grading a submission gave."""
    record: StatusRecord
    autograded: dict = None        # relative path -> bytes of the autograded folder; None: not graded
    scores: dict = field(default_factory=dict)   # "<notebook>/<grade id>" -> {"auto", "max"}
    log: str = ""                  # nbgrader's log


def socket_folder(root):
    """Where the kernel of the workspace ``root`` puts its sockets: a short path of its own under
    /tmp (a socket's path may not be longer than about 100 bytes; the workspace's may be)."""
    return Path("/tmp") / f"nntrain-ipc-{hashlib.sha1(str(root).encode()).hexdigest()[:16]}"


class KernelClient(AsyncKernelClient):
    """nbclient's kernel client, ready as soon as the kernel answers on both channels.

    jupyter_client's ``wait_for_ready`` then listens to the broadcast channel until it stays silent
    for 0.2 s, discarding what the kernel said while starting; a grading kernel starts once per
    submission, so that is 0.2 s of every submission spent waiting.  Nothing is lost without it:
    nbclient reads only the broadcast messages that answer the cell it is running.
    """

    async def wait_for_ready(self, timeout=None):
        deadline = time.monotonic() + (timeout if timeout is not None else float("inf"))
        while True:
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                reply = None
            if reply is not None and reply["msg_type"] == "kernel_info_reply":
                try:       # the broadcast channel is connected once it carries the request's status
                    await self.iopub_channel.get_msg(timeout=0.2)
                except Empty:
                    pass
                else:
                    self._handle_kernel_info_reply(reply)
                    return
            if not await self._async_is_alive():
                raise RuntimeError("the grading kernel died before it answered")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the grading kernel did not answer within {timeout} s")


class KernelManager(AsyncKernelManager):
    """nbclient's kernel manager, which hands the connection file and the working folder to the
    kernel's user just before the kernel starts (as root the sandboxed kernel is another user;
    nbgrader makes both readable and writable by their owner only), with :class:`KernelClient`."""
    owner = None        # set by the Workspace: the kernel's user id, or None (the grading user's)
    work = None         # the Workspace's working folders
    client_factory = Type(klass=KernelClient)

    def write_connection_file(self, **kwargs):
        super().write_connection_file(**kwargs)
        if self.owner is None:
            return
        os.chown(self.connection_file, self.owner, self.owner)
        for folder, _, files in os.walk(self.work):
            for path in [folder, *(os.path.join(folder, name) for name in files)]:
                os.chown(path, self.owner, self.owner, follow_symlinks=False)


def kernel_environment(limits, channel, tmp):
    """The grading kernel's environment variables (inside the sandbox: all of them)."""
    env = {"NNTRAIN_GRADING_KERNEL": str(channel / "settings.json"), "IPYTHONDIR": str(channel / "ipython"),
           "HOME": tmp, "TMPDIR": tmp, "MPLCONFIGDIR": f"{tmp}/matplotlib", "MPLBACKEND": "Agg",
           "PYTHONDONTWRITEBYTECODE": "1", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    for variable in BLAS_VARIABLES:      # the kernel's share of the cores: no oversubscription
        env[variable] = str(max(1, int(limits.blas_threads)))
    if limits.sandbox == SANDBOXED:
        env.update(PATH=os.pathsep.join([os.path.dirname(sandbox.python()), "/usr/local/bin", "/usr/bin", "/bin"]),
                   LANG="C.UTF-8", USER="grading", LOGNAME="grading")
    return env


class Workspace:
    """A worker's private scratch nbgrader course: submissions are copied in, graded by nbgrader
    against a private gradebook holding the job's assignment, and read back out.

    ``root/work/student/<assignment>`` is the kernel's working folder, ``root/channel`` holds its
    connection file, settings, IPython folder and progress records, :func:`socket_folder` its
    sockets; these three are bound into the sandbox, nothing else of the workspace.
    """

    def __init__(self, root, limits, slot=0):
        self.root, self.limits = Path(root), limits
        self.uid = sandbox.kernel_uid(slot)
        # as root the kernel is another user, who must own its folders
        self.shared = limits.sandbox == SANDBOXED and os.geteuid() == 0
        self.work, self.channel, self.submitted = self.root / "work", self.root / "channel", self.root / "submitted"
        self.kernel_tmp = self.root / "kernel-tmp"
        self.sockets = socket_folder(self.root)
        for folder in (self.work, self.channel, self.submitted, self.kernel_tmp):
            folder.mkdir(parents=True, exist_ok=True)
        self.sockets.mkdir(mode=0o700, exist_ok=True)
        if self.shared:
            os.chown(self.sockets, self.uid, self.uid)
            KernelManager.owner, KernelManager.work = self.uid, str(self.work)
        self.courses = {}          # assignment fingerprint -> NbGraderAPI of a private course
        self.fonts = Path(limits.fonts) if limits.fonts and os.path.isdir(limits.fonts) else self.root / "matplotlib"
        self.installation = installation_paths()     # before _environment changes Jupyter's folders
        self._environment()
        self._kernelspec()

    def _environment(self):
        for variable in SECRET_VARIABLES:
            os.environ.pop(variable, None)
        os.environ["JUPYTER_PATH"] = str(self.root / "jupyter")
        os.environ["JUPYTER_RUNTIME_DIR"] = str(self.channel)
        os.environ["TMPDIR"] = tempfile.tempdir = str(self.root / "tmp")
        (self.root / "tmp").mkdir(exist_ok=True)
        os.environ.setdefault("MPLBACKEND", "Agg")
        if not self.fonts.is_dir():      # matplotlib's font list, copied into every kernel
            self.fonts.mkdir(parents=True)
            build_font_list(self.fonts)

    def _kernelspec(self):
        here = Path(__file__).resolve().parent
        program = [sandbox.python(), str(here / "kernel.py"), "-f", "{connection_file}"]
        tmp = "/tmp" if self.limits.sandbox == SANDBOXED else str(self.kernel_tmp)
        env = kernel_environment(self.limits, self.channel, tmp)
        if self.limits.sandbox == SANDBOXED:
            package = Path(__import__(PACKAGE).__file__).resolve().parent
            readable = [*sandbox.python_paths(), str(package), str(self.fonts),
                        *[str(here / name) for name in KERNEL_FILES]]
            argv, env = sandbox.command(program, readable=readable, writable=[self.work, self.channel, self.sockets],
                                        env=env, tmp_mb=self.limits.tmp_mb, uid=self.uid), {}
        else:
            argv = program
        folder = self.root / "jupyter" / "kernels" / KERNEL_NAME
        folder.mkdir(parents=True, exist_ok=True)
        spec = {"argv": argv, "env": env, "display_name": "Python 3 (grading)", "language": "python",
                "interrupt_mode": "message" if self.limits.sandbox == SANDBOXED else "signal",
                "metadata": {"debugger": False}}
        (folder / "kernel.json").write_text(json.dumps(spec, indent=1))

    def api(self, assignment):
        """nbgrader's API on the private course of ``assignment`` (made on first use)."""
        if assignment.fingerprint not in self.courses:
            from nbgrader.api import Gradebook
            from nbgrader.apps import NbGraderAPI
            from traitlets.config import Config

            root = self.root / "courses" / assignment.fingerprint[:16]
            source = root / "source" / assignment.id
            source.mkdir(parents=True, exist_ok=True)
            for name, data in assignment.files.items():
                (source / name).parent.mkdir(parents=True, exist_ok=True)
                (source / name).write_bytes(data)
            config = Config()
            config.CourseDirectory.root = str(root)
            config.CourseDirectory.db_url = f"sqlite:///{root / 'gradebook.db'}"
            if self.limits.empty_gradebook and os.path.isfile(self.limits.empty_gradebook):
                shutil.copyfile(self.limits.empty_gradebook, root / "gradebook.db")
            config.CourseDirectory.submitted_directory = str(self.submitted)
            config.CourseDirectory.autograded_directory = str(self.work)
            config.Execute.timeout = self.limits.timeout
            config.Execute.interrupt_on_timeout = True
            config.Execute.raise_on_iopub_timeout = True
            config.Execute.kernel_name = KERNEL_NAME
            config.Execute.shutdown_kernel = "immediate"   # its state is thrown away: no need to wait
            config.Execute.kernel_manager_class = f"{__name__}.KernelManager"
            config.OverwriteCells.add_missing_cells = True
            config.KernelManager.transport = "ipc"          # sockets in the channel folder
            config.KernelManager.ip = str(self.sockets / "kernel")
            config.KernelManager.connection_file = str(self.channel / "connection.json")
            with Gradebook(config.CourseDirectory.db_url) as gb:
                assignments.install(gb, assignment)
            self.courses[assignment.fingerprint] = NbGraderAPI(config=config)
        return self.courses[assignment.fingerprint]

    def reset(self, job):
        """Empty the working and channel folders and write the job's files; returns its folder."""
        for folder in (self.work, self.channel, self.kernel_tmp, self.submitted):
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
        (self.channel / "ipython").mkdir()
        if self.shared:      # the kernel's own folders (its sockets, IPython's profile)
            for path in (self.channel, self.channel / "ipython"):
                os.chown(path, self.uid, self.uid)
        folder = self.submitted / STUDENT / job.assignment.id
        for name, data in job.files.items():
            path = (folder / name).resolve()
            if not path.is_relative_to(folder.resolve()):
                raise ValueError(f"a submitted file name leaves its folder: {name!r}")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def kernel_settings(self, job):
        sandboxed = self.limits.sandbox == SANDBOXED
        here = str(self.root)
        return KernelSettings(
            progress=str(self.channel / "progress.jsonl"), memory_mb=self.limits.memory_mb,
            processes=self.limits.processes if sandboxed else 0, answers=job.assignment.answers,
            package=PACKAGE, protected=[*job.protected, *self.installation, here],
            private=[*job.private, here],
            allowed=[str(self.work), "/tmp" if sandboxed else str(self.kernel_tmp)],
            matplotlib_cache=str(self.fonts), **integrity.cell_keys(job.assignment))

    def output(self, assignment_id):
        """The autograded folder's files (None if nbgrader wrote none), at most MAX_OUTPUT_MB."""
        folder = self.work / STUDENT / assignment_id
        if not folder.is_dir() or not any(folder.glob("*.ipynb")):
            return None
        files, total = {}, 0
        for path in sorted(folder.rglob("*"), key=lambda p: (p.suffix != ".ipynb", str(p))):
            if path.is_file() and not path.is_symlink():
                size = path.stat().st_size
                if total + size > MAX_OUTPUT_MB * 1024 * 1024:
                    continue            # files written by student code beyond the cap are dropped
                files[str(path.relative_to(folder))] = path.read_bytes()
                total += size
        return files


@functools.cache
def installation_paths():
    """What the guard protects on the machine that grades (the coordinator names the course's
    paths; a remote worker's Python, IPython and Jupyter folders and package are its own)."""
    package = Path(__import__(PACKAGE).__file__).resolve().parent
    return [str(package), *sandbox.python_paths(), *sandbox.ipython_paths(), *sandbox.jupyter_paths()]


def scores(api, assignment_id):
    """nbgrader's scores of the workspace's submission: "<notebook>/<grade id>" -> auto, max."""
    from nbgrader.api import Gradebook

    with Gradebook(api.coursedir.db_url) as gb:
        submission = gb.find_submission(assignment_id, STUDENT)
        return {f"{nb.name}/{g.name}": {"auto": g.auto_score, "max": g.max_score}
                for nb in submission.notebooks for g in nb.grades}


def forget(api, assignment_id):
    """Remove the previous job's submission from the private gradebook."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(api.coursedir.db_url) as gb:
        try:
            gb.remove_submission(assignment_id, STUDENT)
        except MissingEntry:
            pass


def grade(job, limits, workspace):
    """Grade ``job`` in ``workspace`` (a :class:`Workspace` made with ``limits``); an :class:`Outcome`."""
    started = time.monotonic()
    assignment = job.assignment
    record = StatusRecord(assignment.id, job.student, job.fingerprint, assignment.max_score,
                          started_at=now(), worker=f"{socket.gethostname()}:{os.getpid()}",
                          sandbox=limits.sandbox)
    folder = workspace.reset(job)
    findings, notebooks = checks.precheck(folder, assignment)
    if any(f.fatal for f in findings):
        return Outcome(finish(record, findings, [], started))
    api = workspace.api(assignment)
    forget(api, assignment.id)
    workspace.kernel_settings(job).write(workspace.channel / "settings.json")
    result = api.autograde(assignment.id, STUDENT, force=True, create=True)
    log = "\n".join(str(result.get(k, "")) for k in ("log", "error"))
    progress = checks.read_progress(workspace.channel / "progress.jsonl")
    labels = checks.labels_for(assignment, notebooks)
    not_attempted = [name for nb in notebooks.values() if nb is not None for name in checks.unanswered(nb)]
    files = workspace.output(assignment.id) if result.get("success") else None
    if not files:
        record.running_cell = checks.running_cell(progress, labels)
        findings.append(checks.failure_findings(log, record.running_cell, limits.timeout, limits.memory_mb))
        findings += checks.kernel_findings(progress, labels)
        return Outcome(finish(record, findings, not_attempted, started), log=log)
    graded = {name: data for name, data in files.items() if name.endswith(".ipynb")
              and name[:-len(".ipynb")] in notebooks and notebooks[name[:-len(".ipynb")]] is not None}
    tricks, graded = integrity.enforce(graded, progress, labels)    # tests after a trick score 0
    files.update(graded)
    found, idle = checks.postcheck(graded, progress, assignment, notebooks, limits.timeout, limits.memory_mb)
    found += tricks
    record.graded = True
    not_attempted += [name for name in idle if name not in not_attempted]
    return Outcome(finish(record, findings + found, not_attempted, started), files,
                   scores(api, assignment.id), log)


def finish(record, findings, not_attempted, started):
    record.findings, record.not_attempted = findings, not_attempted
    record.seconds = round(time.monotonic() - started, 2)
    record.finished_at = now()
    return record.decide()


def safely(job, limits, workspace):
    """:func:`grade`, with a failure of the tool itself reported as the status ``error``."""
    try:
        return grade(job, limits, workspace)
    except Exception:  # noqa: BLE001 - report, never lose the submission
        text = traceback.format_exc()
        print(text, file=sys.stderr, flush=True)
        record = StatusRecord(job.assignment.id, job.student, job.fingerprint, job.assignment.max_score,
                              sandbox=limits.sandbox, worker=f"{socket.gethostname()}:{os.getpid()}")
        last = text.strip().splitlines()[-1]
        return Outcome(record.fail(Finding("error", f"the grading tool failed: {last}", fatal=True)), log=text)
