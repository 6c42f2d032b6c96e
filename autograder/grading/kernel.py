"""The kernel that runs a student's notebook during grading.

Each grading worker registers this file as the kernel ``nntrain-grading``
(``python kernel.py -f CONNECTION_FILE``, inside the sandbox of
:mod:`grading.sandbox` where it can run).  It is an ordinary ipykernel with
six additions, configured by the file ``NNTRAIN_GRADING_KERNEL`` names (a
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
* a check for tampering (:class:`Integrity`): what the tests rely on (NumPy,
  the built-ins, the package and its test helpers, ``warnings``, ``sys``'s
  hooks, IPython's machinery that runs a cell and shows its error, the
  notebook's names the tests use) is compared with a snapshot taken at start,
  after every cell and before every test cell (``tests``: their keys); what
  changed is put back and listed in the progress records, and
  :mod:`grading.integrity` fails every test from there on;
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
import ast
import importlib
import importlib.util
import itertools
import json
import operator
import os
import re
import resource
import shutil
import sys
import threading
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


# -- what the tests rely on: snapshot at start, checked around every cell ---------------------------
MISSING = object()
#: names of the shell (IPython's ZMQInteractiveShell) whose objects show errors and run cells
SHELL_OBJECTS = ("InteractiveTB", "SyntaxTB", "CustomTB", "custom_exceptions", "displayhook", "display_pub", "display_trap", "builtin_trap",
                 "events", "compile", "input_transformer_manager", "kernel", "user_ns", "user_global_ns")
SHELL_METHODS = ("showtraceback", "_showtraceback", "showsyntaxerror", "showindentationerror",
                 "get_exception_only", "excepthook", "run_cell", "_run_cell", "run_cell_async",
                 "run_ast_nodes", "run_code", "transform_cell", "transform_ast", "should_run_async",
                 "ex", "ev")
SHELL_LISTS = ("input_transformers_post", "ast_transformers")
SYS_OBJECTS = ("excepthook", "displayhook", "stdout", "stderr", "breakpointhook", "unraisablehook")
#: IPython event callbacks that libraries register (matplotlib's inline backend flushes figures)
TRUSTED_CALLBACKS = ("IPython", "ipykernel", "matplotlib", "matplotlib_inline", "ipywidgets")
#: names that change on their own: the warnings registry, the last value shown, and input (ipykernel
#: binds builtins.input to the front end's prompt for every cell)
VOLATILE = frozenset({"__warningregistry__", "_", "__", "___", "input"})
IDENTIFIER = r"[A-Za-z_][A-Za-z0-9_]*"
HEAP_TYPE = 1 << 9     # Py_TPFLAGS_HEAPTYPE: a class written in Python, whose dict can change


def _module_name(obj):
    """The name of the module that defined ``obj`` (a function, method or class), or "?"."""
    module = getattr(obj, "__module__", None)
    if module is None and hasattr(obj, "__func__"):
        module = getattr(obj.__func__, "__module__", None)
    return module if isinstance(module, str) else "?"


def _python_classes(obj):
    """The classes of ``obj``'s type written in Python (their dicts can be changed)."""
    return [klass for klass in type(obj).__mro__ if getattr(klass, "__flags__", 0) & HEAP_TYPE]


def _broad(entry):
    """Whether a warnings filter applies to every message of the notebook's code."""
    action, message, category, module, lineno = entry
    pattern = getattr(message, "pattern", message)
    module_pattern = getattr(module, "pattern", module)
    return not pattern and (not module_pattern or "__main__" in str(module_pattern))


def _same(saved, current):
    """Whether every name of ``saved`` is bound in ``current`` to the very same object (by identity,
    never ``==``, which an object can answer as it likes); the loop runs in C."""
    return all(map(operator.is_, saved.values(), map(current.get, saved.keys(), itertools.repeat(MISSING))))


def _names_used(source):
    """Names a cell reads before (or without) binding them itself: the ones it takes from the notebook."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return set(re.findall(IDENTIFIER, source))
    loaded, bound = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loaded if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.alias):
            bound.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
    return loaded - bound


class Integrity:
    """What the tests rely on, as it was when the kernel started, and the check that it still is.

    Watched: every module of NumPy and of the course package (their names), ``builtins``,
    ``warnings`` (its functions, its filters, NumPy's error state), ``sys`` (the hooks that show
    errors, stdout and stderr, the import machinery, tracing), IPython's shell (the objects and
    methods that run a cell and show its error, the transformers that rewrite a cell, the event
    callbacks), the Python classes behind them, threads the notebook left running, and the
    notebook's names the tests use: those bound by instructor cells (modules, functions,
    classes) and built-in names a notebook cell shadows.  :meth:`check` lists what changed
    (``"numpy.allclose was replaced"``) and puts it back.
    """

    def __init__(self, shell, package):
        self.shell, self.package = shell, package
        self.modules = {}          # module name -> (module, copy of its dict)
        self.classes = {}          # class -> copy of its dict
        self.protected = {}        # notebook name -> object an instructor cell bound it to
        self.before = {}           # the notebook's names before the current cell (name -> id)
        import builtins
        import numpy
        import warnings

        self.numpy, self.warnings, self.builtins = numpy, warnings, builtins
        self.extend()
        for module in (builtins, warnings):
            self._watch(module.__name__, module)
        self.sys_objects = {name: getattr(sys, name, MISSING) for name in SYS_OBJECTS}
        self.meta_path, self.path_hooks = list(sys.meta_path), list(sys.path_hooks)
        self.filters = list(warnings.filters)
        self.numpy_errors = numpy.geterr()
        self.shell_objects = {name: getattr(shell, name, MISSING) for name in SHELL_OBJECTS}
        self.shell_methods = {name: vars(shell).get(name, MISSING) for name in SHELL_METHODS}
        self.shell_lists = {name: list(getattr(shell, name, ())) for name in SHELL_LISTS}
        manager = shell.input_transformer_manager
        self.manager_lists = {name: list(getattr(manager, name, ()))
                              for name in ("cleanup_transforms", "line_transforms", "token_transformers")}
        for obj in (shell, shell.InteractiveTB, shell.SyntaxTB, shell.displayhook, shell.display_pub,
                    shell.events, shell.compile, manager, getattr(shell, "kernel", None)):
            for klass in _python_classes(obj) if obj is not None else ():
                self.classes.setdefault(klass, dict(vars(klass)))
        self.classes.setdefault(warnings.catch_warnings, dict(vars(warnings.catch_warnings)))
        self.callbacks = {event: list(functions) for event, functions in shell.events.callbacks.items()}
        self.builtin_names = frozenset(vars(builtins)) - VOLATILE
        self.threads = {id(thread) for thread in threading.enumerate()}

    # -- snapshot ----------------------------------------------------------------------------------
    def _watch(self, name, module):
        if name not in self.modules and isinstance(module, type(sys)):
            self.modules[name] = (module, dict(vars(module)))

    def extend(self):
        """Watch the modules of NumPy and of the package imported since (as they are now)."""
        for name, module in list(sys.modules.items()):
            if name == "numpy" or name.startswith("numpy.") or name == self.package \
                    or name.startswith(self.package + "."):
                self._watch(name, module)
                if name == self.package + ".testing":
                    for value in vars(module).values():
                        if isinstance(value, type) and _module_name(value) == name:
                            self.classes.setdefault(value, dict(vars(value)))

    def cell_started(self):
        """Remember the notebook's names before a cell, to see which ones it binds."""
        self.before = {name: id(value) for name, value in self.shell.user_ns.items()}

    def instructor_cell_ran(self):
        """Protect the modules, functions and classes an instructor cell bound (the tests use them)."""
        for name, value in list(self.shell.user_ns.items()):
            if self.before.get(name) != id(value) and (isinstance(value, (type(sys), type)) or callable(value)):
                self.protected[name] = value
        self.extend()

    # -- the check ---------------------------------------------------------------------------------
    def check(self, test_source=None):
        """What changed since the start (and is put back); with ``test_source`` (a test cell about to
        run) also the notebook's names that cell uses."""
        changes = []
        for name, (module, saved) in list(self.modules.items()):
            if sys.modules.get(name, module) is not module:
                changes.append(f"sys.modules[{name!r}] was replaced")
                sys.modules[name] = module
            current = vars(module)
            if _same(saved, current):
                continue
            for attribute, value in saved.items():
                now = current.get(attribute, MISSING)
                if now is not value and attribute not in VOLATILE:
                    changes.append(f"{name}.{attribute} was {'deleted' if now is MISSING else 'replaced'}")
                    setattr(module, attribute, value)
        for klass, saved in self.classes.items():
            if _same(saved, vars(klass)) and len(saved) == len(vars(klass)):
                continue
            current = dict(vars(klass))
            for attribute in set(saved) | set(current):
                if attribute in ("__dict__", "__weakref__", "__doc__", "_abc_impl"):
                    continue
                if current.get(attribute, MISSING) is not saved.get(attribute, MISSING):
                    changes.append(f"{klass.__module__}.{klass.__qualname__}.{attribute} was "
                                   f"{'added' if attribute not in saved else 'replaced'}")
                    try:
                        if attribute in saved:
                            setattr(klass, attribute, saved[attribute])
                        else:
                            delattr(klass, attribute)
                    except (AttributeError, TypeError):
                        pass
        for name, value in self.sys_objects.items():
            if getattr(sys, name, MISSING) is not value:
                changes.append(f"sys.{name} was replaced")
                setattr(sys, name, value)
        if sys.meta_path != self.meta_path or sys.path_hooks != self.path_hooks:
            changes.append("the import machinery (sys.meta_path, sys.path_hooks) was changed")
            sys.meta_path[:], sys.path_hooks[:] = self.meta_path, self.path_hooks
        if sys.gettrace() is not None or sys.getprofile() is not None:
            changes.append("a trace or profile function was set (sys.settrace, sys.setprofile)")
            sys.settrace(None)
            sys.setprofile(None)
        changes += self._check_warnings()
        changes += self._check_shell()
        changes += self._check_threads()
        if test_source is not None:
            changes += self._check_names(test_source)
        return changes

    def _check_warnings(self):
        changes = []
        current = self.warnings.filters
        saved_ids = {id(entry) for entry in self.filters}
        added = [entry for entry in current if id(entry) not in saved_ids and _broad(entry)]
        removed = [entry for entry in self.filters if all(entry is not e for e in current)]
        if added or removed:
            what = ", ".join(f"{e[0]!r} for {getattr(e[2], '__name__', e[2])}" for e in added[:3])
            changes.append("the warnings filters were changed" + (f" (added {what})" if what else " (reset)"))
            current[:] = self.filters
            self.warnings._filters_mutated()
        if self.numpy.geterr() != self.numpy_errors:
            changes.append(f"NumPy's floating-point error handling was changed (numpy.seterr: "
                           f"{self.numpy.geterr()})")
            self.numpy.seterr(**self.numpy_errors)
        return changes

    def _check_shell(self):
        changes = []
        shell = self.shell
        for name, value in self.shell_objects.items():
            if getattr(shell, name, MISSING) is not value:
                changes.append(f"IPython's shell.{name} was replaced")
                setattr(shell, name, value)
        for name, value in self.shell_methods.items():
            if vars(shell).get(name, MISSING) is not value:
                changes.append(f"IPython's shell.{name} was replaced")
                if value is MISSING:
                    vars(shell).pop(name, None)
                else:
                    vars(shell)[name] = value
        for name, saved in self.shell_lists.items():
            if list(getattr(shell, name, ())) != saved:
                changes.append(f"IPython's shell.{name} was changed")
                getattr(shell, name)[:] = saved
        manager = shell.input_transformer_manager
        for name, saved in self.manager_lists.items():
            if list(getattr(manager, name, ())) != saved:
                changes.append(f"IPython's input transformers ({name}) were changed")
                getattr(manager, name)[:] = saved
        for event, functions in shell.events.callbacks.items():
            saved = self.callbacks.get(event, [])
            foreign = [f for f in functions if all(f is not s for s in saved)
                       and _module_name(f).split(".")[0] not in TRUSTED_CALLBACKS]
            missing = [s for s in saved if all(f is not s for f in functions)]
            if foreign or missing:
                changes.append(f"IPython's {event} callbacks were changed")
                functions[:] = [f for f in functions if all(f is not x for x in foreign)]
                functions[:0] = [s for s in missing]
        return changes

    def _check_threads(self):
        started = [t for t in threading.enumerate() if id(t) not in self.threads and t.is_alive()
                   and (_module_name(getattr(t, "_target", None)) == "__main__"
                        or _module_name(type(t)) == "__main__")]
        return [f"a thread of the notebook's ({started[0].name}) kept running between cells"] if started else []

    def _check_names(self, source):
        changes = []
        user_ns = self.shell.user_ns
        for name in sorted(_names_used(source)):
            value = user_ns.get(name, MISSING)
            if name in self.protected and value is not self.protected[name]:
                changes.append(f"the notebook's {name}, which the tests use, was "
                               f"{'deleted' if value is MISSING else 'replaced'}")
                user_ns[name] = self.protected[name]
            elif name in self.builtin_names and name not in self.protected and value is not MISSING \
                    and value is not vars(self.builtins).get(name, MISSING) \
                    and value is not getattr(self.numpy, name, MISSING):   # "from numpy import *"
                changes.append(f"the built-in {name}, which the tests use, was shadowed by a notebook name")
                del user_ns[name]
        builtins_ns = user_ns.get("__builtins__")
        if builtins_ns is not self.builtins and builtins_ns is not vars(self.builtins):
            changes.append("the notebook's __builtins__ was replaced")
            user_ns["__builtins__"] = self.builtins
        return changes


def install_records(shell, recorder, answers, package, tests=(), instructor=(), watch=True):
    """Record each cell's start and end, what the answer names are bound to, and what changed.

    ``tests`` and ``instructor`` are the keys (:func:`cell_key`) of the test cells and of every
    instructor cell (tests and locked code).  Before a test cell a ``check`` record lists what
    changed of what the tests rely on (:class:`Integrity`, which puts it back); every ``end``
    record lists what the cell changed (``changes``).  Returns the :class:`Integrity` (None with
    ``watch=False``, which only the benchmark of its cost uses).
    """
    tests, instructor = frozenset(tests), frozenset(instructor) | frozenset(tests)
    state = {"integrity": None, "cell": None}

    def pre_run_cell(info):
        try:
            key = cell_key(info.raw_cell or "")
            state["cell"] = key
            recorder.write(event="start", cell=key)
            integrity = state["integrity"]
            if integrity is not None:
                if key in tests or cell_key(records.without_notice(info.raw_cell or "")) in tests:
                    recorder.write(event="check", cell=key, changes=integrity.check(info.raw_cell or ""))
                integrity.cell_started()
        except Exception:  # noqa: BLE001 - never print from a hook (stderr scores 0)
            pass

    def post_run_cell(result):
        try:
            key = cell_key(result.info.raw_cell or "")
            error = result.error_in_exec or result.error_before_exec
            uses = {}
            for name in answers:
                try:
                    reason = reference_use(shell.user_ns.get(name), name, package)
                except Exception:  # noqa: BLE001 - a student's object may do anything
                    reason = None
                if reason:
                    uses[name] = reason
            changes = []
            integrity = state["integrity"]
            if integrity is not None:
                try:
                    changes = integrity.check()
                except Exception as exc:  # noqa: BLE001 - a broken check must not pass silently
                    changes = [f"the check failed ({type(exc).__name__})"]
                if not changes and (key in instructor
                                    or cell_key(records.without_notice(result.info.raw_cell or "")) in instructor):
                    integrity.instructor_cell_ran()
            recorder.write(event="end", cell=key,
                           error=type(error).__name__ if error else None,
                           reference=uses, patched=patched_package(package), changes=changes)
        except Exception:  # noqa: BLE001
            pass

    shell.events.register("pre_run_cell", pre_run_cell)
    shell.events.register("post_run_cell", post_run_cell)
    try:
        state["integrity"] = Integrity(shell, package) if watch else None
    except Exception as exc:  # noqa: BLE001 - without it every test cell is reported unchecked
        recorder.write(event="integrity", error=f"{type(exc).__name__}: {exc}")
    return state["integrity"]


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
    for name in (settings.package, f"{settings.package}.testing"):
        try:
            # imported now, from where it is installed: a student's file of the same name in the
            # working folder (first on sys.path) cannot stand in for it in the hidden tests later;
            # the tests' helpers are watched from here on
            importlib.import_module(name)
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
        install_records(app.shell, recorder, tuple(settings.answers), settings.package,
                        settings.tests, settings.instructor)
    if settings.protected or settings.private:
        sys.addaudithook(Guard(settings.protected, settings.allowed, recorder, settings.private))
    app.start()


if __name__ == "__main__":
    main(sys.argv[1:])
