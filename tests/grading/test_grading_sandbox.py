"""The sandbox around grading kernels (autograder/grading/sandbox.py), and grading without it.

The sandbox is tried directly (a Python program run in it looks around) and
through the tool: where bubblewrap cannot run, grading still works with the
guard alone, warns once, and every record says so; where the sandbox is
required it is a clear error.  The attacks only the sandbox stops are in the
bad-submission matrix (test_grading_batch.py).
"""
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import ROOT
from helpers.course import ASSIGNMENT, FULL, correct, make_course, nbgrader, released, save
from helpers.grading import csv_rows, grading, in_process, require_sandbox, statuses

from grading import report, sandbox
from grading.records import GUARD_ONLY

LOOK_AROUND = r'''
import json, os, socket, sys
found = {"uid": os.getuid(), "pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit())}
paths = json.loads(sys.argv[1])
found["exists"] = {p: os.path.exists(p) for p in paths["hidden"]}
try:
    found["home"] = sorted(os.listdir(paths["home"])) if os.path.isdir(paths["home"]) else []
except PermissionError:
    found["home"] = []             # not even listed
def attempt(action):
    try:
        action()
        return "ok"
    except OSError as error:
        return error.strerror
found["write system"] = attempt(lambda: open("/usr/nntrain-probe", "w"))
found["write python"] = attempt(lambda: open(os.path.join(sys.prefix, "nntrain-probe"), "w"))
found["write own folder"] = attempt(lambda: open(os.path.join(paths["writable"], "mine.txt"), "w").close())
found["write tmp"] = attempt(lambda: open("/tmp/mine.txt", "w").close())
def fill():
    with open("/tmp/big", "wb") as handle:
        for _ in range(64):
            handle.write(b"x" * (1 << 20))
found["fill tmp"] = attempt(fill)
found["connect"] = attempt(lambda: socket.create_connection(("127.0.0.1", paths["port"]), timeout=5))
print(json.dumps(found))
'''


def test_the_sandbox_hides_the_machine(tmp_path):
    """A program in the sandbox is user 65534, alone, offline, and sees only what it was given."""
    require_sandbox()
    writable = tmp_path / "work"
    writable.mkdir()
    writable.chmod(0o777)         # as root the program runs as another user (the worker does the same)
    secret = tmp_path / "solutions"
    secret.mkdir()
    server = socket.create_server(("127.0.0.1", 0))
    home = Path.home().resolve()
    paths = {"hidden": [str(secret), str(ROOT / "solutions"), str(home / ".ssh"), str(home / ".bashrc")],
             "home": str(home), "writable": str(writable), "port": server.getsockname()[1]}
    # of the instructor's home, only the way to a Python installation kept there (pyenv) is seen
    python_in_home = {Path(p).relative_to(home).parts[0] for p in sandbox.python_paths()
                      if Path(p).is_relative_to(home)}
    argv = sandbox.command([sandbox.python(), "-c", LOOK_AROUND, json.dumps(paths)],
                           readable=sandbox.python_paths(), writable=[writable], env={"PATH": "/usr/bin"},
                           tmp_mb=16)
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    server.close()
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout)
    assert found["uid"] == (sandbox.kernel_uid() if os.geteuid() == 0 else sandbox.SANDBOX_UID) != 0
    assert len(found["pids"]) <= 3, f"the sandbox sees other processes: {found['pids']}"
    assert not any(found["exists"].values()), found["exists"]
    assert set(found["home"]) <= python_in_home, found["home"]
    assert found["write system"] == found["write python"] == "Read-only file system"
    assert found["write own folder"] == found["write tmp"] == "ok"
    assert (writable / "mine.txt").is_file(), "the writable folder is the host's"
    assert found["fill tmp"] == "No space left on device"
    assert found["connect"] == "Connection refused"     # its own loopback: nobody listens there


def test_the_command_binds_nothing_of_the_course(tmp_path):
    argv = sandbox.command(["python"], readable=["/opt/python"], writable=[tmp_path / "work"], env={"A": "1"})
    binds = [argv[i + 1] for i, arg in enumerate(argv) if arg in ("--bind", "--ro-bind")]
    assert "/opt/python" in binds and str(tmp_path / "work") in binds
    assert not any(b.startswith(str(ROOT)) for b in binds), binds
    assert {"--unshare-pid", "--unshare-net", "--die-with-parent", "--clearenv"} <= set(argv)
    assert argv[-1] == "python"
    if os.geteuid() == 0:      # bubblewrap sets up the sandbox, setpriv drops to the kernel's user id
        assert argv[argv.index("--") + 1:] == [
            sandbox.SETPRIV, "--reuid=600000", "--regid=600000", "--clear-groups", "--inh-caps=-all",
            "--bounding-set=-all", "--no-new-privs", "--", "python"]
    else:
        assert "--unshare-user" in argv and argv[argv.index("--uid") + 1] == "65534"


def small_course(tmp_path):
    course = make_course(tmp_path)
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    release = released(course)
    for student in ("ana", "ben"):
        save(course, student, correct(release))
    return course


def test_without_bubblewrap_grading_uses_the_guard_and_says_so(tmp_path):
    course = small_course(tmp_path)
    env = {**os.environ, "NNTRAIN_BWRAP": str(tmp_path / "no-such-bwrap")}
    env.pop("NNTRAIN_REQUIRE_SANDBOX", None)
    proc = grading(course, "autograde", "--jobs", "2", "--timeout", "10", "--no-progress", env=env)
    assert proc.stderr.count("WARNING: bubblewrap is not installed") == 1, proc.stderr
    assert "isolation: guard only" in proc.stdout
    assert {e["sandbox"] for e in statuses(course).values()} == {GUARD_ONLY}
    in_process(report.write_grades, course)
    assert {(r["status"], r["score"], r["sandbox"]) for r in csv_rows(course).values()} == {
        ("graded", f"{FULL:g}", GUARD_ONLY)}


def test_a_required_sandbox_that_cannot_run_is_a_clear_error(tmp_path):
    course = small_course(tmp_path)
    env = {**os.environ, "NNTRAIN_BWRAP": str(tmp_path / "no-such-bwrap"), "NNTRAIN_REQUIRE_SANDBOX": "1"}
    proc = grading(course, "autograde", "--no-progress", env=env, check=False)
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: the sandbox is required but cannot run: bubblewrap is not installed")
    assert "Traceback" not in proc.stderr
    assert not (course / "autograded").exists()
