"""What a grading kernel may see and change, and the operating-system sandbox it runs in.

Two layers, both set up by :mod:`grading.worker` for every kernel:

* the sandbox (Debian's ``bubblewrap``): the kernel runs as an unprivileged
  user (:func:`kernel_uid`) in fresh process, network, IPC and hostname
  namespaces, on a file system made of
  read-only binds of the system (``/usr``, ``/etc``), the Python installation
  and the course package, plus its own working folder and channel folder
  (writable) and a private size-limited ``/tmp``; everything else of the
  machine - the course, the gradebook, other submissions, the instructor's
  home, the runner's scratch - does not exist in it.  Every process it starts
  dies with it (the process namespace ends with its first process);
* the guard inside the kernel (:class:`grading.kernel.Guard`), given the
  paths below: :func:`protected_paths` (not to be changed), :func:`private_paths`
  (not to be read).  It names what was refused, so a submission gets a precise
  status; the sandbox is what holds when code gets past it.

:func:`watched_paths` is what the coordinator compares before and after each
submission, whichever layer was active.
"""
import functools
import os
import shutil
import site
import subprocess
import sys
import sysconfig
from pathlib import Path

from .records import GUARD_ONLY, SANDBOXED

BWRAP = os.environ.get("NNTRAIN_BWRAP", "bwrap")   # the bubblewrap program (a path, or found on PATH)
SANDBOX_UID = 65534            # "nobody": who the kernel is in the sandbox's user namespace (not root)
FIRST_UID = 600000             # as root: the first of the user ids kernels run as, one per worker
SETPRIV = "/usr/bin/setpriv"   # util-linux: drops to that user id inside the sandbox
PACKAGES = ["bubblewrap"]      # the Debian package that provides it


def python():
    """The Python that runs the kernels: the venv's own path (not the interpreter it links to)."""
    return os.path.normpath(os.path.abspath(sys.executable))


def _unique(paths):
    return list(dict.fromkeys(str(Path(p).resolve()) for p in paths if p))


# -- where Python, IPython and Jupyter find code and configuration --------------------------------
def _link_targets(prefix):
    """Where the links of a venv lead: the installation behind ``bin/python`` (followed hop by
    hop) and the targets of links directly inside the venv (a venv made of links to another)."""
    targets = []
    hop = Path(python())
    while hop.is_symlink():
        hop = hop.parent / os.readlink(hop)
        targets.append(hop.parent.parent)           # <prefix>/bin/python -> <prefix>
    prefix = Path(prefix)
    if prefix.is_dir():
        targets += [entry.resolve() for entry in prefix.iterdir() if entry.is_symlink()]
    return targets


def python_paths():
    """The Python installation that runs the kernels: the venv (with whatever its links lead
    to), and the base installation whose standard library a ``sitecustomize.py`` could be put in."""
    return _unique([sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix,
                    *_link_targets(sys.prefix)])


def ipython_dir():
    """IPython's folder (profiles, startup files) as this user's IPython sessions find it."""
    from IPython.paths import get_ipython_dir

    return Path(get_ipython_dir()).resolve()


def ipython_paths():
    from IPython.core.application import ENV_CONFIG_DIRS, SYSTEM_CONFIG_DIRS

    return _unique([ipython_dir(), Path.home() / ".ipython", *ENV_CONFIG_DIRS, *SYSTEM_CONFIG_DIRS])


def jupyter_runtime_dir():
    """Jupyter's runtime folder: connection files (with their keys) of running kernels and servers."""
    from jupyter_core.paths import jupyter_runtime_dir as runtime

    return Path(runtime()).resolve()


def jupyter_paths():
    from jupyter_core import paths

    return _unique([paths.jupyter_config_dir(), paths.jupyter_data_dir(), jupyter_runtime_dir(),
                    *paths.jupyter_config_path(), *paths.jupyter_path()])


# -- the guard's lists ----------------------------------------------------------------------------
def protected_paths(course):
    """Folders and files student code must not change: the course, sources, package and
    gradebook, and where Python, IPython and Jupyter find code and configuration when they
    start (a file planted there would run in later students' kernels)."""
    paths = [course.root, course.source]
    if course.sqlite_path is not None:
        paths.append(course.sqlite_path)
    if course.package_path is not None:
        paths.append(course.package_path)
    return _unique(paths + python_paths() + ipython_paths() + jupyter_paths())


def private_paths(course):
    """What student code must not even read: solutions and hidden tests, the gradebook, other
    students' submissions, results and feedback, the tools' records, and Jupyter's runtime
    folder (connection files: the keys to other kernels)."""
    paths = [course.source, course.submitted, course.autograded, course.feedback, course.output,
             jupyter_runtime_dir()]
    if course.sqlite_path is not None:
        paths.append(course.sqlite_path)
    return _unique(paths)


def create_ipython_profile():
    """Create IPython's default profile as IPython does the first time it starts (its
    ``startup/README`` included), so that a first start during a run is not taken for a file
    planted in the watched startup folder."""
    from IPython.core.profiledir import ProfileDir

    ProfileDir.create_profile_dir_by_name(str(ipython_dir()), "default")


def watched_paths(course, assignment_ids):
    """What the coordinator compares before and after each submission: ``(folders, shallow)``.

    Folders are compared file by file, all the way down; of the ``shallow`` ones only the
    files directly inside count: the site-packages folders and the standard library, where
    ``.pth`` files and ``sitecustomize.py`` would run code in every later Python process.
    IPython's startup folder and config files and Jupyter's kernelspecs are watched too;
    Jupyter's runtime and config folders are not: they change whenever Jupyter runs.
    """
    from IPython.core.application import ENV_CONFIG_DIRS, SYSTEM_CONFIG_DIRS
    from jupyter_core import paths as jupyter

    folders = [course.submitted, *[course.source / a for a in assignment_ids]]
    if course.package_path is not None:
        folders.append(course.package_path)
    profile = ipython_dir() / "profile_default"
    folders += [profile / "startup", profile / "ipython_config.py", profile / "ipython_kernel_config.py",
                *ENV_CONFIG_DIRS, *SYSTEM_CONFIG_DIRS, Path(jupyter.jupyter_data_dir()) / "kernels"]
    shallow = [*site.getsitepackages(), sysconfig.get_path("stdlib")]
    return _unique(folders), _unique(shallow)


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


# -- bubblewrap -------------------------------------------------------------------------------------
def _system_binds():
    """Read-only binds of the system: /usr, /etc, and /bin, /lib, ... (symlinks into /usr on a
    merged-/usr system, folders elsewhere)."""
    args = ["--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    return args


def kernel_uid(slot=0):
    """The user id a kernel of worker ``slot`` runs as, seen from the machine.

    Run by root, the sandbox drops to a user id of its own per worker (no name, no files; the
    process limit counts per user id, so one kernel's fork storm cannot starve another's).
    Run by another user, the kernel is that user outside (a user namespace maps it to
    :data:`SANDBOX_UID` inside), without any capability.
    """
    return FIRST_UID + slot if os.geteuid() == 0 else os.geteuid()


def _parent_folders(paths):
    """The folders above each path, outermost first: made (0755) in the sandbox before the paths
    are bound, so that a user other than root can reach them there."""
    folders = []
    for path in paths:
        parts = Path(path).parts
        folders += [str(Path(*parts[:i])) for i in range(2, len(parts))]
    return list(dict.fromkeys(folders))


def command(program, *, readable=(), writable=(), env=None, tmp_mb=0, uid=None):
    """The bubblewrap command that runs ``program`` (a list) sandboxed.

    ``readable`` paths are bound read-only, ``writable`` ones read-write, each at its own
    path; ``/tmp`` is a private tmpfs of ``tmp_mb`` MB (0: no limit); the environment is
    exactly ``env``.  As root, the program runs as ``uid`` (default :func:`kernel_uid`), with
    no capabilities and no way to gain any; as another user, in a user namespace of its own.
    """
    root = os.geteuid() == 0
    args = [shutil.which(BWRAP) or BWRAP]
    if not root:
        args += ["--unshare-user", "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID), "--cap-drop", "ALL"]
    args += ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
             "--hostname", "grading", "--die-with-parent", "--new-session",
             *_system_binds(), "--proc", "/proc", "--dev", "/dev", "--perms", "1777"]
    args += (["--size", str(tmp_mb * 1024 * 1024)] if tmp_mb else []) + ["--tmpfs", "/tmp"]
    for folder in _parent_folders([*readable, *writable]):
        args += ["--perms", "0755", "--dir", folder]
    for path in _unique(readable):
        args += ["--ro-bind", path, path]
    for path in _unique(writable):
        args += ["--bind", path, path]
    args.append("--clearenv")
    for name, value in sorted((env or {}).items()):
        args += ["--setenv", name, str(value)]
    if root:
        uid = kernel_uid() if uid is None else uid
        program = [SETPRIV, f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--inh-caps=-all",
                   "--bounding-set=-all", "--no-new-privs", "--", *program]
    return [*args, "--", *program]


@functools.cache
def probe():
    """Whether bubblewrap can run a sandboxed Python here: ``(True, "")`` or ``(False, why)``."""
    if not sys.platform.startswith("linux"):
        return False, f"bubblewrap needs Linux (this is {sys.platform})"
    if shutil.which(BWRAP) is None:
        return False, (f"bubblewrap is not installed (Debian: apt-get install {' '.join(PACKAGES)})")
    program = [python(), "-c", "import os; print(os.getuid())"]
    try:
        proc = subprocess.run(command(program, readable=python_paths(), env={"PATH": "/usr/bin:/bin"}),
                              capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"bubblewrap could not run: {exc}"
    expected = str(kernel_uid() if os.geteuid() == 0 else SANDBOX_UID)
    if proc.returncode != 0 or proc.stdout.strip() != expected:
        why = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return False, f"bubblewrap could not start a sandbox here ({why})"
    return True, ""


def isolation(mode):
    """The isolation a run gets for ``mode`` (auto, on, off): ``(SANDBOXED or GUARD_ONLY, warning)``.

    ``on`` raises :class:`grading.errors.GradingError` when the sandbox cannot run; ``auto`` then
    falls back to the guard alone, with a warning to print once.
    """
    from .errors import GradingError

    if mode == "off":
        return GUARD_ONLY, ""
    works, why = probe()
    if works:
        return SANDBOXED, ""
    if mode == "on":
        raise GradingError(f"the sandbox is required but cannot run: {why}")
    return GUARD_ONLY, (f"WARNING: {why}; grading kernels run with the in-kernel guard only, "
                        "as the user who runs the grading (see the instructor guide, 'What is and "
                        "is not isolated')")
