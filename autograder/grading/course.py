"""The nbgrader course folder: its configuration, paths, gradebook, status file and locks.

Only the coordinator of a grading run (and the other commands) use it: the
workers that grade get explicit data (:mod:`grading.worker`) and never see it.
"""
import contextlib
import hashlib
import importlib.util
import shutil
from pathlib import Path

from . import defaults, locks
from .errors import GradingError
from .records import StatusFile

OUTPUT_FOLDER = "grades"   # everything the tools write besides nbgrader's folders
PACKAGE = "nntrain"        # the course package: the reference implementation


def load_config(root):
    """nbgrader's configuration as nbgrader loads it: ``nbgrader_config.py`` of ``root``."""
    from traitlets.config.loader import PyFileConfigLoader

    return PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()


class Course:
    """Paths and services of one nbgrader course root (the folder with nbgrader_config.py)."""

    def __init__(self, root):
        self.root = Path(root).resolve()
        if not (self.root / "nbgrader_config.py").is_file():
            raise GradingError(f"{self.root} is not an nbgrader course (no nbgrader_config.py)")
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
        self.logs = self.output / "logs"
        self.timeout = int(self.config.Execute.get("timeout") or defaults.cell_timeout())

    # -- assignments and submissions ---------------------------------------------------------
    def assignments(self):
        """Assignment ids: the folders of the source directory."""
        if not self.source.is_dir():
            return []
        return sorted(p.name for p in self.source.iterdir()
                      if p.is_dir() and not p.name.startswith((".", "_")))

    def check_assignments(self, assignment_ids):
        """The given ids (all when empty), or GradingError naming the unknown ones."""
        known = self.assignments()
        unknown = [a for a in assignment_ids or () if a not in known]
        if unknown:
            raise GradingError(f"unknown assignment(s) {unknown}; the assignments are {known}")
        return list(assignment_ids or known)

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

    def submission_files(self, assignment_id, student_id):
        """Every file of a submission: relative path -> bytes."""
        folder = self.submission_dir(assignment_id, student_id)
        return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}

    def write_autograded(self, assignment_id, student_id, files):
        """Replace ``autograded/<student>/<assignment>/`` by ``files`` (relative path -> bytes);
        None removes it."""
        folder = self.autograded_dir(assignment_id, student_id)
        shutil.rmtree(folder, ignore_errors=True)
        if files is None:
            return
        for name, data in files.items():
            path = (folder / name).resolve()
            if not path.is_relative_to(folder.resolve()):
                raise GradingError(f"a graded file would leave {folder}: {name!r}")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)

    # -- the gradebook -----------------------------------------------------------------------
    @property
    def sqlite_path(self):
        """The gradebook file when the gradebook is SQLite, else None."""
        prefix = "sqlite:///"
        if self.db_url.startswith(prefix) and ":memory:" not in self.db_url:
            return Path(self.db_url[len(prefix):].split("?")[0]).resolve()
        return None

    def gradebook_lock(self):
        """Exclusive access to a SQLite gradebook (PostgreSQL handles concurrent writers)."""
        if self.sqlite_path is None:
            return contextlib.nullcontext()
        return locks.exclusive(self.output / ".gradebook.lock")

    @contextlib.contextmanager
    def gradebook(self):
        from nbgrader.api import Gradebook

        with self.gradebook_lock(), Gradebook(self.db_url, self.course_id) as gb:
            yield gb

    def run_lock(self):
        """One grading run per course at a time (the status file has one writer)."""
        return locks.only_one(self.output / ".run.lock", self.root)

    @property
    def package_path(self):
        """The folder of the course package (the reference implementation), or None."""
        spec = importlib.util.find_spec(PACKAGE)
        if spec is None or not spec.origin:
            return None
        return Path(spec.origin).resolve().parent

    # -- status file -------------------------------------------------------------------------
    def read_status(self):
        return StatusFile.load(self.status_file)

    def write_status(self, status):
        status.save(self.status_file)


def submission_fingerprint(files):
    """SHA-256 over the names and bytes of a submission's files (relative path -> bytes)."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode("utf-8", "surrogateescape") + b"\0" + files[name] + b"\0")
    return digest.hexdigest()
