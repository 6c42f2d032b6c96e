"""The grading package, handed to Dask workers that have nothing but the course's environment.

A worker of a grading cluster has the course's Python packages (``nntrain``
and the pinned ones) and nothing else: no course folder, no copy of this
package.  :class:`GradingCode` is a Dask worker plugin that carries this
package's files; :mod:`grading.cluster` registers it with the scheduler,
which sets it up on every worker, now and whenever a worker joins later.
Set up, it writes the files under the worker's local directory (the grading
kernel runs ``kernel.py`` by its path) and puts them first on the worker's
``sys.path``.

The scheduler unpickles every task it is given, so a task must not need this
package there either: :func:`task` makes one out of ``pickle.loads`` and bytes
that call the package's function when the worker unpickles them.

This module travels by value (cloudpickle), so a scheduler or worker needs
nothing of this package to receive it; it therefore uses the standard library
and ``distributed`` only.
"""
import hashlib
import importlib
import os
import pickle
import sys
from pathlib import Path

from distributed.diagnostics.plugin import WorkerPlugin

PACKAGE = "grading"


def package_files(folder):
    """The package's modules: file name -> bytes."""
    return {path.name: path.read_bytes() for path in sorted(Path(folder).glob("*.py"))}


def files_digest(files):
    """SHA-256 over the names and bytes of ``files``."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name] + b"\0")
    return digest.hexdigest()


def install(folder, files):
    """Write ``files`` as the package in ``folder``/grading (once) and import it from there."""
    folder = Path(folder)
    target = folder / PACKAGE
    if not (target / ".complete").is_file():
        partial = folder / f".{PACKAGE}-{os.getpid()}"
        partial.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            (partial / name).write_bytes(data)
        (partial / ".complete").touch()
        try:
            partial.rename(target)
        except OSError:          # another process of this machine was first: same files
            pass
    path = str(folder)
    stale = [name for name, module in sys.modules.items() if (name == PACKAGE or name.startswith(PACKAGE + "."))
             and not str(getattr(module, "__file__", "") or "").startswith(path + os.sep)]
    for name in stale:           # an earlier run's copy, or another package of that name
        del sys.modules[name]
    if path in sys.path:
        sys.path.remove(path)
    sys.path.insert(0, path)
    importlib.invalidate_caches()
    return target


class GradingCode(WorkerPlugin):
    """A worker plugin that installs this package, as the coordinator has it, on every worker."""

    name = "nntrain-grading-code"

    def __init__(self, folder):
        self.files = package_files(folder)
        self.digest = files_digest(self.files)

    def setup(self, worker):
        install(Path(worker.local_directory) / f"nntrain-grading-code-{self.digest[:16]}", self.files)



class Call:
    """``function(*arguments)`` as a pickle: unpickling it calls the function, where it is unpickled."""

    def __init__(self, function, *arguments):
        self.function, self.arguments = function, arguments

    def __reduce__(self):
        return self.function, self.arguments


def task(function, *arguments):
    """``(pickle.loads, payload)``: a Dask task that runs ``function(*arguments)`` on a worker.

    The scheduler unpickles the tasks it is given; this one is a standard-library function and
    bytes, which only the worker opens (with this package installed by :class:`GradingCode`)."""
    return pickle.loads, pickle.dumps(Call(function, *arguments), protocol=pickle.HIGHEST_PROTOCOL)
