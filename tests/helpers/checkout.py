"""A copy of the working tree to run ``make`` in, so that a test never builds into the real one.

:func:`copy_checkout` copies what a clean clone holds, with the local changes
(git's tracked and untracked, not ignored, files), keeping modification times,
and gives the copy an environment ``.venv`` made of links to the real one's
files; a program in ``.venv/bin`` can be replaced by a stand-in.  :func:`make`
runs a target there (or anywhere) as a person would type it.
"""
import os
import shutil
import subprocess
from pathlib import Path

from helpers import ROOT

VENV = ROOT / ".venv"
#: The Makefile's record that the environment is installed: counts as up to date in a copy.
VENV_STAMP = ".venv/.installed"


def repository_files():
    """Paths (relative to the root) of the files a clean clone with the local changes holds."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, check=True).stdout.decode()
    return [Path(p) for p in listed.split("\0") if p and (ROOT / p).is_file()]


def copy_checkout(destination, programs=None):
    """Copy the working tree into ``destination``; returns it.

    ``programs`` maps names in ``.venv/bin`` to the text of an executable
    script that replaces the real program in the copy (the rest are links).
    """
    destination = Path(destination)
    for relative in repository_files():
        target = destination / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / relative, target)
    venv = destination / ".venv"
    (venv / "bin").mkdir(parents=True)
    for entry in VENV.iterdir():
        if entry.name != "bin":
            (venv / entry.name).symlink_to(entry)
    programs = programs or {}
    for entry in (VENV / "bin").iterdir():
        if entry.name not in programs:
            (venv / "bin" / entry.name).symlink_to(entry)
    for name, script in programs.items():
        (venv / "bin" / name).write_text(script)
        (venv / "bin" / name).chmod(0o755)
    return destination


def make_command(*arguments):
    """``make arguments`` with the environment counted as installed: a copy never reinstalls it."""
    return ["make", f"--old-file={VENV_STAMP}", *arguments]


def make_environment(env=None):
    """``env`` (default: this process's) without make's own variables from a calling ``make test``."""
    environment = dict(os.environ if env is None else env)
    for name in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "MAKE_TERMOUT", "MAKE_TERMERR"):
        environment.pop(name, None)
    return environment


def make(folder, *arguments, env=None, timeout=900):
    """Run ``make arguments`` in ``folder`` as from a shell; returns the CompletedProcess (text)."""
    return subprocess.run(make_command(*arguments), cwd=folder, env=make_environment(env),
                          capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
