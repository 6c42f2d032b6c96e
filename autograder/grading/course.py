"""The nbgrader course folder: its configuration, paths, gradebook and locks."""
import contextlib
import fcntl
import hashlib
import importlib.util
import json
import os
import site
import sys
import sysconfig
from pathlib import Path

import nbformat

OUTPUT_FOLDER = "grades"   # everything this package writes besides nbgrader's folders
PACKAGE = "nntrain"        # the course package: the reference implementation


class Busy(RuntimeError):
    """Another grading run holds the course."""


# -- the gradebook lock: one exclusive file lock, re-entrant within a process ----------------------
_HELD = {}   # lock file -> [open handle, depth] of the locks this process holds


def acquire(lock_path):
    """Take the exclusive lock on ``lock_path``, waiting for other processes.

    Re-entrant: a second ``flock`` on a new handle of the same file in the same
    process would wait for the first one forever, so this process counts its holds.
    """
    lock_path = str(lock_path)
    held = _HELD.get(lock_path)
    if held is None:
        handle = open(lock_path, "a")
        fcntl.flock(handle, fcntl.LOCK_EX)
        held = _HELD[lock_path] = [handle, 0]
    held[1] += 1


def release(lock_path):
    held = _HELD[str(lock_path)]
    held[1] -= 1
    if held[1] == 0:
        del _HELD[str(lock_path)]
        fcntl.flock(held[0], fcntl.LOCK_UN)
        held[0].close()


@contextlib.contextmanager
def exclusive(lock_path):
    acquire(lock_path)
    try:
        yield
    finally:
        release(lock_path)


# -- where Python, IPython and Jupyter find code and configuration when they start -----------------
def _unique(paths):
    return list(dict.fromkeys(str(Path(p).resolve()) for p in paths if p))


def python_paths():
    """The Python installation that runs the kernels: the venv, and the base installation whose
    standard library a ``sitecustomize.py`` could be put in."""
    return _unique([sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix])


def ipython_dir():
    """IPython's folder (profiles, startup files) as this user's IPython sessions find it."""
    from IPython.paths import get_ipython_dir

    return Path(get_ipython_dir()).resolve()


def ipython_paths():
    """IPython's folder (also the default ``~/.ipython``) and its system-wide config folders."""
    from IPython.core.application import ENV_CONFIG_DIRS, SYSTEM_CONFIG_DIRS

    return _unique([ipython_dir(), Path.home() / ".ipython", *ENV_CONFIG_DIRS, *SYSTEM_CONFIG_DIRS])


def jupyter_runtime_dir():
    """Jupyter's runtime folder: connection files (with their keys) of running kernels and servers."""
    from jupyter_core.paths import jupyter_runtime_dir as runtime

    return Path(runtime()).resolve()


def jupyter_paths():
    """Jupyter's config, data (kernelspecs) and runtime folders, the user's and the system's."""
    from jupyter_core import paths

    return _unique([paths.jupyter_config_dir(), paths.jupyter_data_dir(), jupyter_runtime_dir(),
                    *paths.jupyter_config_path(), *paths.jupyter_path()])


def load_config(root):
    """nbgrader's configuration as nbgrader loads it: ``nbgrader_config.py`` of ``root``."""
    from traitlets.config.loader import PyFileConfigLoader

    return PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()


class Course:
    """Paths and services of one nbgrader course root (the folder with nbgrader_config.py)."""

    def __init__(self, root):
        self.root = Path(root).resolve()
        if not (self.root / "nbgrader_config.py").is_file():
            raise FileNotFoundError(f"{self.root} is not an nbgrader course (no nbgrader_config.py)")
        self.config = load_config(self.root)
        directories = self.config.CourseDirectory
        self.db_url = str(directories.get("db_url") or f"sqlite:///{self.root / 'gradebook.db'}")
        self.course_id = str(directories.get("course_id") or "default_course")
        self.source = (self.root / str(directories.get("source_directory") or "source")).resolve()
        self.submitted = self.root / str(directories.get("submitted_directory") or "submitted")
        self.autograded = self.root / str(directories.get("autograded_directory") or "autograded")
        self.feedback = self.root / str(directories.get("feedback_directory") or "feedback")
        self.release = self.root / str(directories.get("release_directory") or "release")
        self.output = self.root / OUTPUT_FOLDER
        self.status_file = self.output / "status.json"
        self.timeout = int(self.config.Execute.get("timeout") or 30)

    # -- assignments and submissions ---------------------------------------------------------
    def assignments(self):
        """Assignment ids: the folders of the source directory."""
        if not self.source.is_dir():
            return []
        return sorted(p.name for p in self.source.iterdir()
                      if p.is_dir() and not p.name.startswith((".", "_")))

    def submissions(self, assignment_id):
        """Student ids with a folder ``submitted/<student>/<assignment_id>/``."""
        if not self.submitted.is_dir():
            return []
        return sorted(p.name for p in self.submitted.iterdir()
                      if not p.name.startswith(".") and (p / assignment_id).is_dir())

    def submission_dir(self, assignment_id, student_id):
        return self.submitted / student_id / assignment_id

    def autograded_dir(self, assignment_id, student_id):
        return self.autograded / student_id / assignment_id

    # -- the gradebook -----------------------------------------------------------------------
    @property
    def sqlite_path(self):
        """The gradebook file when the gradebook is SQLite, else None."""
        prefix = "sqlite:///"
        if self.db_url.startswith(prefix) and ":memory:" not in self.db_url:
            return Path(self.db_url[len(prefix):].split("?")[0]).resolve()
        return None

    @property
    def lock_path(self):
        return self.output / ".gradebook.lock"

    def gradebook_lock(self):
        """Exclusive access to a SQLite gradebook (PostgreSQL handles concurrent writers).

        The grading workers take the same lock for every gradebook session nbgrader opens
        (:func:`grading.runner.serialise_gradebook`)."""
        if self.sqlite_path is None:
            return contextlib.nullcontext()
        self.output.mkdir(parents=True, exist_ok=True)
        return exclusive(self.lock_path)

    @contextlib.contextmanager
    def gradebook(self):
        from nbgrader.api import Gradebook

        with self.gradebook_lock(), Gradebook(self.db_url, self.course_id) as gb:
            yield gb

    @contextlib.contextmanager
    def run_lock(self):
        """One grading run per course at a time (the status file has one writer)."""
        self.output.mkdir(parents=True, exist_ok=True)
        with open(self.output / ".run.lock", "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise Busy(f"another grading run is using {self.root} (lock {handle.name})") from None
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    @property
    def package_path(self):
        """The folder of the course package (the reference implementation), or None."""
        spec = importlib.util.find_spec(PACKAGE)
        if spec is None or not spec.origin:
            return None
        return Path(spec.origin).resolve().parent

    def protected_paths(self):
        """Folders and files student code must not change: the course, sources, package and
        gradebook, and where Python, IPython and Jupyter find code and configuration when they
        start (a file planted there would run in later students' kernels)."""
        paths = [self.root, self.source]
        if self.sqlite_path is not None:
            paths.append(self.sqlite_path)
        if self.package_path is not None:
            paths.append(self.package_path)
        paths += python_paths() + ipython_paths() + jupyter_paths()
        return _unique(paths)

    def private_paths(self):
        """What student code must not even read: solutions and hidden tests, the gradebook,
        other students' submissions, results and feedback, this tool's records, and Jupyter's
        runtime folder (connection files: the keys to other kernels)."""
        paths = [self.source, self.submitted, self.autograded, self.feedback, self.output,
                 jupyter_runtime_dir()]
        if self.sqlite_path is not None:
            paths.append(self.sqlite_path)
        return _unique(paths)

    def watched_paths(self, assignment_ids):
        """What the runner compares before and after each submission: ``(folders, shallow)``.

        Folders are compared file by file, all the way down; of the ``shallow`` ones only the
        files directly inside count: the site-packages folders and the standard library, where
        ``.pth`` files and ``sitecustomize.py`` would run code in every later Python process
        (walking the whole installation after each submission would take seconds).  IPython's
        startup folder and config files and Jupyter's kernelspecs are watched too; Jupyter's
        runtime and config folders are not: they change whenever Jupyter runs.
        """
        folders = [self.submitted, *[self.source / a for a in assignment_ids]]
        if self.package_path is not None:
            folders.append(self.package_path)
        profile = ipython_dir() / "profile_default"
        folders += [profile / "startup", profile / "ipython_config.py", profile / "ipython_kernel_config.py"]
        from IPython.core.application import ENV_CONFIG_DIRS, SYSTEM_CONFIG_DIRS
        from jupyter_core import paths as jupyter

        folders += [*ENV_CONFIG_DIRS, *SYSTEM_CONFIG_DIRS, Path(jupyter.jupyter_data_dir()) / "kernels"]
        shallow = [*site.getsitepackages(), sysconfig.get_path("stdlib")]
        return _unique(folders), _unique(shallow)

    # -- status file -------------------------------------------------------------------------
    def read_status(self):
        if self.status_file.is_file():
            with open(self.status_file, encoding="utf-8") as handle:
                return json.load(handle)
        return {"version": 1, "submissions": {}, "runs": []}

    def write_status(self, status):
        """Write the status file atomically (a crash leaves the old or the new one)."""
        self.output.mkdir(parents=True, exist_ok=True)
        temporary = self.status_file.with_suffix(".json.tmp")
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(status, handle, indent=1, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.status_file)


def status_key(assignment_id, student_id):
    return f"{assignment_id}/{student_id}"


def release_source(source, config=None):
    """A source cell as students receive it: hidden tests removed (nbgrader's own code)."""
    from nbgrader.preprocessors import ClearHiddenTests

    cell = nbformat.v4.new_code_cell(source)
    ClearHiddenTests(config=config)._remove_hidden_test_region(cell)
    return cell.source


def reference(course, assignment_id):
    """What grading needs to know of an assignment, from the gradebook (set by generate_assignment).

    Returns a JSON-able dict: ``notebooks`` (name -> cells by grade id with kind, source,
    release source and points), ``answers`` (grade ids of autograded answer cells: the
    names students implement), ``max_score`` and a ``fingerprint`` of all of it.
    """
    with course.gradebook() as gb:
        assignment = gb.find_assignment(assignment_id)
        notebooks = {}
        for notebook in sorted(assignment.notebooks, key=lambda n: n.name):
            grades = {c.name: c for c in notebook.grade_cells}
            solutions = {c.name for c in notebook.solution_cells}
            tasks = {c.name for c in notebook.task_cells}
            cells = {}
            for cell in notebook.source_cells:
                graded, solution = cell.name in grades, cell.name in solutions
                if graded and solution:
                    kind = "manual"
                elif graded:
                    kind = "test" if cell.cell_type == "code" else "manual"
                elif solution:
                    kind = "answer" if cell.cell_type == "code" else "written"
                elif cell.name in tasks:
                    kind = "task"
                else:
                    kind = "locked" if cell.locked else "other"
                cells[cell.name] = {
                    "kind": kind, "cell_type": cell.cell_type, "source": cell.source,
                    "release": release_source(cell.source, course.config) if kind == "test" else cell.source,
                    "points": float(grades[cell.name].max_score) if graded else 0.0,
                }
            notebooks[notebook.name] = {"cells": cells,
                                        "max_score": float(notebook.max_score)}
        info = {
            "assignment": assignment_id,
            "notebooks": notebooks,
            "answers": sorted(name for nb in notebooks.values()
                              for name, c in nb["cells"].items() if c["kind"] == "answer"),
            "max_score": float(assignment.max_score),
        }
    info["fingerprint"] = hashlib.sha256(json.dumps(info, sort_keys=True).encode()).hexdigest()
    return info


def submission_fingerprint(folder):
    """SHA-256 over the names and bytes of every file in a submission folder."""
    digest = hashlib.sha256()
    folder = Path(folder)
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode("utf-8", "surrogateescape") + b"\0")
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        digest.update(b"\0")
    return digest.hexdigest()


def tree_signature(folders, shallow=()):
    """Cheap signature (path -> size, mtime, inode) of every file under ``folders`` (a folder
    there may also be a single file) and of the files directly in the ``shallow`` folders."""
    signature = {}

    def add(path):
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            return
        signature[path] = (info.st_size, info.st_mtime_ns, info.st_ino)

    for folder in folders:
        if os.path.isfile(folder):
            add(str(folder))
        for directory, subdirs, files in os.walk(folder):
            subdirs[:] = [d for d in subdirs if d != "__pycache__"]
            for name in files:
                add(os.path.join(directory, name))
    for folder in shallow:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if not entry.is_dir(follow_symlinks=False):
                add(entry.path)
    return signature


def signature_changes(before, after):
    changed = sorted(p for p in before.keys() & after.keys() if before[p] != after[p])
    return {"changed": changed, "added": sorted(after.keys() - before.keys()),
            "removed": sorted(before.keys() - after.keys())}
