"""System packages the tests need (Chromium for the browser tests, bubblewrap for the grading
sandbox), installed with Debian's apt-get when they are missing and the tests run as root."""
import fcntl
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

TIMEOUT = 900     # seconds one apt-get call may take (a Chromium download is large)


def apt_get(*args):
    """Run ``apt-get ARGS`` without questions; a call past TIMEOUT counts as failed."""
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    try:
        return subprocess.run(["apt-get", *args], env=env, capture_output=True, text=True,
                              timeout=TIMEOUT, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(args, 1, "", f"apt-get {args[0]} timed out")


def install(packages, present):
    """``apt-get install packages`` unless ``present()`` already holds; returns "" when it holds
    afterwards, or why not.  One install at a time (pytest-xdist workers share the lock)."""
    named = " ".join(packages)
    if shutil.which("apt-get") is None:
        return "this system has no apt-get"
    if os.geteuid() != 0:
        return f"the tests do not run as root, so they cannot install it (run: sudo apt-get install {named})"
    with open(Path(tempfile.gettempdir()) / "nntrain-apt-install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if present():
            return ""
        command = ["install", "-y", "--no-install-recommends", *packages]
        proc = apt_get(*command)
        if proc.returncode != 0:          # a stale or empty package list: update it and try again
            apt_get("update")
            proc = apt_get(*command)
        if present():
            return ""
        if proc.returncode == 0:
            return f"apt-get installed {named}, but the program is still not found"
        tail = " | ".join((proc.stdout + proc.stderr).strip().splitlines()[-4:])
        return f"apt-get install {named} failed: {tail}"
