"""The kernel that runs a student's notebook during grading.

Each grading worker registers this file as the kernel ``nntrain-grading``
(``python kernel.py -f CONNECTION_FILE``, inside the sandbox of
:mod:`grading.sandbox` where it can run).  It is an ordinary ipykernel with
five additions, configured by the file ``NNTRAIN_GRADING_KERNEL`` names (a
:class:`grading.records.KernelSettings` as JSON):

* limits: ``RLIMIT_AS`` (address space) of ``memory_mb`` megabytes, so one
  submission cannot exhaust the machine (past it, allocations raise
  ``MemoryError``), and ``RLIMIT_NPROC`` of ``processes`` (counted per
  sandbox: it bounds a fork storm);
* a record of progress: every cell's start and end (by the SHA-1 of its
  source) are appended to the ``progress`` file, so the worker knows which
  cell was running when the kernel died or hung;
* a check for handed-in reference code: after every cell, the names the
  student must implement (``answers``) are looked up; if one *is* the course
  package's implementation, inherits from it or calls it, or if a function of
  the package was replaced by notebook code, the end record says so;
* the course package is imported before any student code, so a file of the
  same name in the submission's folder cannot replace it in the hidden tests;
* a guard: a Python audit hook refuses (``PermissionError``) and records
  writes, deletions, renames and SQLite connections under the ``protected``
  folders (the course, the gradebook, the sources, the package), reading or
  listing the ``private`` ones (the sources with their solutions and hidden
  tests, the gradebook, other students' submissions, results and feedback),
  unless under one of the ``allowed`` folders (the submission's own), reading
  other processes' environment, command line or memory, changing its own
  resource limits (the memory limit), and starting other programs (except
  fontconfig's ``fc-list`` where it was installed when the kernel started).
  It sees what Python code does; native code (ctypes, C extensions) can get
  past it.  It is a tripwire, not a sandbox.

This file must not import the grading package: it runs in the student's
process, from the kernel's working folder.  It loads only ``records.py`` (the
settings' schema, standard library only) by its path.
"""
import importlib
import importlib.util
import json
import os
import resource
import shutil
import sys
from urllib.parse import unquote

SETTINGS_VARIABLE = "NNTRAIN_GRADING_KERNEL"   # the path of the settings file
# Never hand these to student code (the runner removes them as well).
SECRET_VARIABLES = ("NNTRAIN_GRADEBOOK_URL", "PGPASSWORD", "DATABASE_URL")
# Programs the libraries themselves start (matplotlib asks fontconfig for fonts), found on PATH
# when the kernel starts, before any student code: a student's own "fc-list" is not one of them.
HARMLESS_PROGRAMS = ("fc-list",)
PROCESS_SECRETS = ("environ", "cmdline", "mem")   # files of /proc/<pid>/ (and of its threads)
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
PATH_EVENTS = {  # audit event -> indices of path arguments that are changed
    "os.remove": (0,), "os.rmdir": (0,), "os.mkdir": (0,), "os.truncate": (0,),
    "os.chmod": (0,), "os.chown": (0,), "os.utime": (0,), "shutil.rmtree": (0,),
    "os.rename": (0, 1), "os.link": (1,), "os.symlink": (1,),
}
PROCESS_EVENTS = {"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn",
                  "pty.spawn"}


def _records():
    """grading/records.py, loaded by its path (not as part of the package)."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "records.py")
    spec = importlib.util.spec_from_file_location("_grading_records", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


records = _records()
cell_key = records.cell_key


class Recorder:
    """Appends one JSON object per line to the progress file (opened before the guard)."""

    def __init__(self, path):
        self.stream = open(path, "a", encoding="utf-8", buffering=1) if path else None

    def write(self, **record):
        if self.stream is not None:
            try:
                self.stream.write(json.dumps(record, default=str) + "\n")
                self.stream.flush()
            except Exception:  # noqa: BLE001 - a full disk must not break the student's cell
                pass


def _inside(path, folders):
    return any(path == folder or path.startswith(folder.rstrip(os.sep) + os.sep) for folder in folders)


def _depth(path, folders):
    """Length of the longest of ``folders`` that holds ``path`` (-1: none)."""
    return max((len(f) for f in folders if path == f or path.startswith(f.rstrip(os.sep) + os.sep)), default=-1)


class Guard:
    """The audit hook: refuses what Python code may not do outside the submission's folder.

    ``protected`` folders (and files) may not be changed, ``private`` ones not be read
    or listed either; ``allowed`` folders are the exceptions: of the folders that hold a
    path, the innermost decides (a protected folder inside an allowed one stays protected).  Reading the
    environment, command line or memory of other processes (``/proc/<pid>/...``, their
    threads' too) is refused: they may hold the gradebook's address.  Of the programs,
    only the ``HARMLESS_PROGRAMS`` found when the guard is made may be started.
    """

    def __init__(self, protected, allowed, recorder, private=()):
        self.protected = tuple(os.path.realpath(p) for p in protected)
        self.private = tuple(os.path.realpath(p) for p in private)
        self.allowed = tuple(os.path.realpath(p) for p in allowed)
        self.recorder = recorder
        self.which = shutil.which        # kept: student code may replace shutil.which later
        self.harmless = {os.path.realpath(p) for p in map(shutil.which, HARMLESS_PROGRAMS) if p}

    @staticmethod
    def _resolve(path):
        if isinstance(path, int) or path is None:
            return None
        try:
            return os.path.realpath(os.path.join(os.getcwd(), os.fsdecode(path)))
        except Exception:  # noqa: BLE001 - an odd path argument is not our concern
            return None

    def _forbidden(self, path, folders=None):
        """The resolved path if it lies in one of ``folders`` (default: protected), else None."""
        full = self._resolve(path)
        if full is None:
            return None
        folders = self.protected if folders is None else folders
        # a SQLite gradebook's journal files sit beside it: match by prefix too
        if any(full.startswith(p + "-") for p in folders) and not _inside(full, self.allowed):
            return full
        depth = _depth(full, folders)
        if depth >= 0 and depth > _depth(full, self.allowed):
            return full
        return None

    def _secret(self, path):
        """The path if reading it is refused: private folders, other processes' secrets."""
        full = self._resolve(path)
        if full is None:
            return None
        parts = full.split(os.sep)
        if len(parts) >= 4 and parts[1] == "proc" and parts[2].isdigit() \
                and int(parts[2]) != os.getpid() and parts[-1] in PROCESS_SECRETS:
            return full       # /proc/<pid>/environ, /proc/<pid>/task/<tid>/environ, ...
        return self._forbidden(full, self.private)

    @staticmethod
    def _database(database):
        """The file a ``sqlite3.connect`` argument names: a ``file:`` URI (``uri=True``) is
        reduced to its path, without ``?mode=...`` and percent-escapes; None for memory."""
        if isinstance(database, int) or database is None:
            return None
        try:
            name = os.fsdecode(database)
        except TypeError:
            return None
        if name.startswith("file:"):
            name = unquote(name[len("file:"):].split("?")[0].split("#")[0])
            if name.startswith("//"):                 # file://localhost/path, file:///path
                name = "/" + name[2:].partition("/")[2]
        if name in ("", ":memory:"):
            return None
        return name

    def _program_allowed(self, event, args):
        """Whether the program an event starts is one of the harmless ones (by its real path)."""
        program = _program(event, args)
        if os.sep not in program:
            env = args[3] if event == "subprocess.Popen" and len(args) > 3 else None
            search = None
            try:
                if env is not None:
                    search = os.fsdecode(env.get("PATH", env.get(b"PATH", os.defpath)))
            except Exception:  # noqa: BLE001 - an odd env: search the kernel's PATH
                search = None
            program = self.which(program, path=search) or program
        return self._resolve(program) in self.harmless

    def _deny(self, what, full=None):
        if full is not None and "__pycache__" in full.split(os.sep):
            raise PermissionError(full)   # a compiled cache of installed code: refused quietly
        self.recorder.write(event="blocked", what=what)
        raise PermissionError(f"grading: {what} is not allowed (outside the submission's folder)")

    def __call__(self, event, args):
        if event == "open":
            path, mode, flags = (tuple(args) + (None, None, None))[:3]
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or \
                (isinstance(flags, int) and flags & WRITE_FLAGS)
            if writing:
                full = self._forbidden(path)
                if full:
                    self._deny(f"writing {full}", full)
            else:
                full = self._secret(path)
                if full:
                    self._deny(f"reading {full}")
        elif event in ("os.listdir", "os.scandir"):
            full = self._secret(args[0] if args and args[0] is not None else ".")
            if full:
                self._deny(f"listing {full}")
        elif event == "sqlite3.connect":
            database = self._database(args[0] if args else None)
            if database is not None and (self._forbidden(database) or self._secret(database)):
                self._deny(f"opening the database {self._resolve(database)}")
        elif event in PATH_EVENTS:
            for index in PATH_EVENTS[event]:
                if index < len(args):
                    full = self._forbidden(args[index])
                    if full:
                        self._deny(f"{event.split('.')[-1]} {full}", full)
        elif event in ("resource.setrlimit", "resource.prlimit"):
            self._deny("changing the kernel's resource limits")
        elif event in PROCESS_EVENTS:
            if not self._program_allowed(event, args):
                self._deny(f"starting the program {_program(event, args)!r}")


def _program(event, args):
    try:
        if event == "subprocess.Popen":
            executable, argv = args[0], args[1]
            if executable:
                return os.fsdecode(executable)
            if isinstance(argv, (str, bytes)):
                return os.fsdecode(argv).split()[0]
            return os.fsdecode(list(argv)[0])
        if event == "os.spawn":
            return os.fsdecode(args[1])
        return os.fsdecode(args[0]) if args else event
    except Exception:  # noqa: BLE001
        return event


def _from_package(obj, package):
    module = obj.__name__ if isinstance(obj, type(sys)) else getattr(obj, "__module__", None)
    return isinstance(module, str) and (module == package or module.startswith(package + "."))


def _codes(obj):
    """Code objects of a function, or of the methods of a class, with nested ones."""
    functions = []
    if isinstance(obj, type):
        for value in vars(obj).values():
            value = getattr(value, "__func__", value)
            if isinstance(value, property):
                functions += [f for f in (value.fget, value.fset, value.fdel) if f]
            elif callable(value):
                functions.append(value)
    elif callable(obj):
        functions.append(getattr(obj, "__func__", obj))
    codes = []
    for function in functions:
        code = getattr(function, "__code__", None)
        stack = [code] if code is not None else []
        while stack:
            code = stack.pop()
            codes.append((function, code))
            stack += [c for c in code.co_consts if hasattr(c, "co_names")]
    return codes


def reference_use(obj, name, package):
    """Why ``obj`` (the student's ``name``) is the package's implementation, or None."""
    if obj is None:
        return None
    if _from_package(obj, package):
        if isinstance(obj, type(sys)):
            return f"{name} is the module {obj.__name__}"
        qualname = getattr(obj, "__qualname__", type(obj).__name__)
        return f"{name} is {obj.__module__}.{qualname}"
    if isinstance(obj, type):
        for base in obj.__mro__[1:]:
            if _from_package(base, package):
                return f"{name} inherits from {base.__module__}.{base.__qualname__}"
    for function, code in _codes(obj):
        scope = getattr(function, "__globals__", {})
        for used in code.co_names:
            value = scope.get(used)
            if isinstance(value, type(sys)) and _from_package(value, package) and name in code.co_names:
                return f"{name} calls {value.__name__}.{name}"
            if value is not None and not isinstance(value, type(sys)) and _from_package(value, package) \
                    and getattr(value, "__name__", None) == name:
                return f"{name} calls {value.__module__}.{name}"
        if package in code.co_consts and name in code.co_names:
            return f"{name} imports {package} to call its {name}"
    return None


def patched_package(package):
    """Functions of the package that notebook code replaced (``module.f = my_f``)."""
    patched = []
    for module_name, module in list(sys.modules.items()):
        if module is None or not (module_name == package or module_name.startswith(package + ".")):
            continue
        for attribute, value in list(vars(module).items()):
            if callable(value) and getattr(value, "__module__", None) == "__main__":
                patched.append(f"{module_name}.{attribute}")
    return sorted(patched)


def install_records(shell, recorder, answers, package):
    """Record each cell's start and end, and what the answer names are bound to."""

    def pre_run_cell(info):
        try:
            recorder.write(event="start", cell=cell_key(info.raw_cell or ""))
        except Exception:  # noqa: BLE001 - never print from a hook (stderr scores 0)
            pass

    def post_run_cell(result):
        try:
            error = result.error_in_exec or result.error_before_exec
            uses = {}
            for name in answers:
                try:
                    reason = reference_use(shell.user_ns.get(name), name, package)
                except Exception:  # noqa: BLE001 - a student's object may do anything
                    reason = None
                if reason:
                    uses[name] = reason
            recorder.write(event="end", cell=cell_key(result.info.raw_cell or ""),
                           error=type(error).__name__ if error else None,
                           reference=uses, patched=patched_package(package))
        except Exception:  # noqa: BLE001
            pass

    shell.events.register("pre_run_cell", pre_run_cell)
    shell.events.register("post_run_cell", post_run_cell)


def limit(kind, value):
    """Lower the soft and hard limit ``kind`` (resource.RLIMIT_*) to ``value`` (0: leave it)."""
    if value and value > 0:
        soft, hard = resource.getrlimit(kind)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(kind, (value, value))


def copy_font_list(source, target):
    """matplotlib's font list, built once by the worker, copied into the kernel's own config
    folder (building it would take seconds in every kernel)."""
    if source and target and os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
        for name in os.listdir(source):
            if name.startswith("fontlist") and name.endswith(".json"):
                shutil.copyfile(os.path.join(source, name), os.path.join(target, name))


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    if sys.path and os.path.abspath(sys.path[0] or ".") == here:
        del sys.path[0]  # student code must not import the grading package's modules
    path = os.environ.pop(SETTINGS_VARIABLE, "")
    settings = records.KernelSettings.read(path) if path else records.KernelSettings(progress="")
    for variable in SECRET_VARIABLES:
        os.environ.pop(variable, None)
    limit(resource.RLIMIT_AS, int(settings.memory_mb or 0) * 1024 * 1024)
    limit(resource.RLIMIT_NPROC, int(settings.processes or 0))
    copy_font_list(settings.matplotlib_cache, os.environ.get("MPLCONFIGDIR"))
    sys.dont_write_bytecode = True   # imports must not write caches into the (protected) installation
    try:
        # imported now, from where it is installed: a student's file of the same name in the
        # working folder (first on sys.path) cannot stand in for it in the hidden tests later
        importlib.import_module(settings.package)
    except Exception:  # noqa: BLE001 - a course without the package still grades
        pass

    recorder = Recorder(settings.progress or None)
    recorder.write(event="kernel", pid=os.getpid(), memory_mb=settings.memory_mb)
    if not any(arg.startswith("--HistoryManager.hist_file") for arg in argv):
        argv = [*argv, "--HistoryManager.hist_file=:memory:"]
    from ipykernel.kernelapp import IPKernelApp

    app = IPKernelApp.instance()
    app.initialize(argv)
    if app.shell is not None:
        install_records(app.shell, recorder, tuple(settings.answers), settings.package)
    if settings.protected or settings.private:
        sys.addaudithook(Guard(settings.protected, settings.allowed, recorder, settings.private))
    app.start()


if __name__ == "__main__":
    main(sys.argv[1:])
