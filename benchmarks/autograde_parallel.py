"""Benchmark: a class of 40 chapter-1 submissions graded by plain `nbgrader autograde`, by the
parallel runner on its local Dask cluster (sandboxed, and with the guard alone), and by the runner
through a Dask scheduler.

All grade the same submissions (30 correct, 10 with mistakes from the wrong-answer catalogue
tests/exercises/ch01_cross_entropy.py), each in its own fresh copy of the course and gradebook
(made as the tests make theirs), one after the other in this run, under two conditions:

* idle: nothing else of this benchmark runs.  Plain ``nbgrader autograde ch01_cross_entropy``
  (one submission after another, nbgrader's issue #174); ``python -m grading autograde`` with
  its local cluster (``make autograde``: ``jobs`` threads, one per core), sandboxed and with
  ``--sandbox off`` (the in-kernel guard alone, to measure the sandbox's cost); and the same command
  with ``--scheduler`` (``make autograde SCHEDULER=...``) on a cluster of ``jobs`` ``dask
  worker`` processes of one thread each, started here on 127.0.0.1 before the runs and stopped
  after (tests/helpers/dask_cluster.py).  The runner's runs are timed twice each, in the order
  local, guard, scheduler, scheduler, guard, local, so that a machine that gets busier or quieter
  during the run favours neither; each time is the mean of its two runs.
* one busy process: the benchmark starts a process that spins on one core (as another user's
  job would), times plain nbgrader and the local runner again (in the order plain, local,
  local, plain), and stops it by its process id.

Every kernel runs in the bubblewrap sandbox where it can (``--sandbox auto``), except in the guard
runs.  The benchmark prints the wall-clock times, the throughput (submissions per second), the
scheduler's throughput as a share of local, the sandbox's cost (sandboxed throughput as a share
of the guard's), the speed-up over plain nbgrader in each condition, the load average before and
after; it checks that every run gives every student the same score and status, and marks each
target met or missed: idle, at least 1.7x plain nbgrader and the sandbox at least 85% of the
guard; with one busy process, never slower than plain nbgrader.
Other work on the machine slows every run, unevenly; compare numbers measured on an idle
machine.

    .venv/bin/python benchmarks/autograde_parallel.py [--students 40] [--jobs N]
"""
import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from helpers.course import make_course, nbgrader  # noqa: E402 - the tests' course copies
from helpers.dask_cluster import DaskCluster  # noqa: E402 - the tests' real cluster
from exercises.ch01_cross_entropy import WRONG_ANSWERS  # noqa: E402

BIN = Path(sys.executable).parent
ASSIGNMENT = "ch01_cross_entropy"
# (answer cell, source): the catalogued mistakes, except handing in the package's own function
# (the grading tool scores that 0 as cheating, plain nbgrader does not: not a speed question)
MISTAKES = [(name, wrong.source) for name, catalogue in WRONG_ANSWERS.items() for wrong in catalogue
            if "nntrain" not in wrong.source]


def grade_id(cell):
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def released_course(folder, env):
    """A copy of the course with the assignment generated."""
    course = make_course(folder)
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force", env=env)
    return course


def submissions(course, count):
    """Write ``count`` submissions; returns their student ids."""
    release = nbformat.read(str(next((course / "release" / ASSIGNMENT).glob("*.ipynb"))), as_version=4)
    solution = nbformat.read(str(next((ROOT / "solutions" / ASSIGNMENT).glob("*.ipynb"))), as_version=4)
    answers = {grade_id(c): "\n".join(line for line in c.source.splitlines() if "### " not in line)
               for c in solution.cells if c.metadata.get("nbgrader", {}).get("solution")
               and c.cell_type == "code"}
    students = []
    for index in range(count):
        notebook = nbformat.from_dict(release)
        mistake = MISTAKES[index // 4 % len(MISTAKES)] if index % 4 == 3 else None
        for cell in notebook.cells:
            if grade_id(cell) in answers:
                cell.source = answers[grade_id(cell)]
            if mistake and grade_id(cell) == mistake[0]:
                cell.source = mistake[1]
        student = f"student{index + 1:02d}"
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(notebook, str(folder / "cross_entropy.ipynb"))
        students.append(student)
    return students


def timed(command, cwd, env):
    started = time.perf_counter()
    proc = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    return time.perf_counter() - started, proc


def plain_run(scratch, count, env):
    """(seconds, student -> score) of plain ``nbgrader autograde``."""
    course = released_course(Path(scratch) / "plain", env)
    submissions(course, count)
    seconds, proc = timed([str(BIN / "nbgrader"), "autograde", ASSIGNMENT], course, env)
    if proc.returncode != 0:
        sys.exit(f"nbgrader autograde failed:\n{proc.stdout}\n{proc.stderr}")
    subprocess.run([str(BIN / "nbgrader"), "export", "--to", "plain.csv"], cwd=course, env=env,
                   check=True, capture_output=True)
    with open(course / "plain.csv", newline="") as handle:
        return seconds, {r["student_id"]: float(r["score"]) for r in csv.DictReader(handle)}


def runner_run(scratch, count, env, name, options):
    """(seconds, student -> (score or None, status)) of ``python -m grading autograde OPTIONS``."""
    course = released_course(Path(tempfile.mkdtemp(prefix=name.replace(" ", "-"), dir=scratch)), env)
    submissions(course, count)
    command = [sys.executable, "-m", "grading", "--course", str(course), "autograde", "--no-progress",
               "--sandbox", "auto", *options]
    seconds, proc = timed(command, ROOT / "autograder", env)
    if proc.returncode != 0:
        sys.exit(f"the parallel runner ({name}) failed:\n{proc.stdout}\n{proc.stderr}")
    subprocess.run([sys.executable, "-m", "grading", "--course", str(course), "grades"],
                   cwd=ROOT / "autograder", env=env, check=True, capture_output=True)
    with open(course / "grades" / "grades.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    # an ungraded submission has no score: it counts as a disagreement, not as a crash
    return seconds, {r["student"]: (float(r["score"]) if r["score"] else None, r["status"]) for r in rows}


class Busy:
    """A process that keeps one core busy (another user's job), stopped by its process id."""

    def __enter__(self):
        self.process = subprocess.Popen([sys.executable, "-c", "while True:\n    pass"])
        time.sleep(1)
        return self

    def __exit__(self, *exc):
        self.process.kill()
        self.process.wait(10)


#: idle runs of the runner, in this order: each kind twice, mirrored, so that a machine that gets
#: busier or quieter during the run favours none of them
IDLE_ORDER = ("local", "guard", "scheduler", "scheduler", "guard", "local")


def idle_runs(scratch, n, env, jobs):
    """Plain nbgrader, then the runner in the order of IDLE_ORDER: ``local`` (sandboxed where
    bubblewrap runs), ``guard`` (the same with ``--sandbox off``: the in-kernel guard alone) and
    ``scheduler`` (through a Dask scheduler)."""
    plain = plain_run(Path(scratch) / "idle", n, env)
    with DaskCluster(Path(scratch) / "dask", workers=jobs) as cluster:
        runs = []
        for where in IDLE_ORDER:
            options = {"local": ["--jobs", str(jobs)],
                       "guard": ["--jobs", str(jobs), "--sandbox", "off"],
                       "scheduler": ["--scheduler", cluster.address]}[where]
            runs.append((where, runner_run(scratch, n, env, where, options)))
    return plain, runs


def target(met, text):
    print(f"  [{'met' if met else 'MISSED'}] {text}")


def busy_runs(scratch, n, env, jobs):
    """Plain nbgrader and the local runner, in the order plain, local, local, plain."""
    runs = []
    for number, where in enumerate(("plain", "local", "local", "plain")):
        if where == "plain":
            runs.append((where, plain_run(Path(scratch) / f"busy{number}", n, env)))
        else:
            runs.append((where, runner_run(scratch, n, env, f"busy{number}", ["--jobs", str(jobs)])))
    return runs


def mean(runs, where):
    times = [run[0] for name, run in runs if name == where]
    return sum(times) / len(times)


def row(name, n, seconds, plain_seconds):
    print(f"  {name:<52} {seconds:8.1f} {n / seconds:14.2f} {plain_seconds / seconds:8.2f}x")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--jobs", type=int, help="grading threads and scheduler workers (default: every core)")
    args = parser.parse_args()
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "MPLBACKEND": "Agg"}
    env.pop("NNTRAIN_GRADEBOOK_URL", None)     # all on SQLite, each its own
    env.pop("NNTRAIN_REQUIRE_SANDBOX", None)
    cores = len(os.sched_getaffinity(0))
    n, jobs = args.students, args.jobs or cores
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="nntrain-bench-") as scratch:
        (plain_seconds, plain_scores), runs = idle_runs(scratch, n, env, jobs)
        load_middle = os.getloadavg()[0]
        with Busy():
            busy = busy_runs(scratch, n, env, jobs)
    local_seconds, scheduler_seconds = mean(runs, "local"), mean(runs, "scheduler")
    guard_seconds = mean(runs, "guard")
    busy_plain_seconds, busy_seconds = mean(busy, "plain"), mean(busy, "local")
    busy_plain_scores = busy[0][1][1]
    busy_scores = busy[1][1][1]
    print(f"{n} submissions of {ASSIGNMENT} on {cores} cores, jobs {jobs} (load average {load_before:.1f} "
          f"at the start, {load_middle:.1f} before the busy runs, {os.getloadavg()[0]:.1f} at the end)")
    print(f"  {'runner':<52} {'seconds':>8} {'submissions/s':>14} {'vs plain':>9}")
    print("  idle:")
    row("nbgrader autograde (plain, serial)", n, plain_seconds, plain_seconds)
    row(f"make autograde (local cluster, {jobs} threads)", n, local_seconds, plain_seconds)
    row(f"make autograde SANDBOX=off (the guard alone, {jobs} threads)", n, guard_seconds, plain_seconds)
    row(f"make autograde SCHEDULER=... ({jobs} dask workers)", n, scheduler_seconds, plain_seconds)
    print("  one busy process:")
    row("nbgrader autograde (plain, serial)", n, busy_plain_seconds, busy_plain_seconds)
    row(f"make autograde (local cluster, {jobs} threads)", n, busy_seconds, busy_plain_seconds)
    print("  runs in order, idle: " + ", ".join(f"{where} {run[0]:.1f} s" for where, run in runs))
    print("  runs in order, one busy process: " + ", ".join(f"{where} {run[0]:.1f} s" for where, run in busy))
    print(f"  through the scheduler: {local_seconds / scheduler_seconds:.0%} of local throughput")
    print(f"  the sandbox: {guard_seconds / local_seconds:.0%} of the guard's throughput")
    target(plain_seconds / local_seconds >= 1.7, f"idle: at least 1.7x plain nbgrader ({plain_seconds / local_seconds:.2f}x)")
    target(guard_seconds / local_seconds >= 0.85,
           f"idle: sandboxed at least 85% of the guard's throughput ({guard_seconds / local_seconds:.0%})")
    target(busy_plain_seconds / busy_seconds >= 1.0,
           f"one busy process: never slower than plain nbgrader ({busy_plain_seconds / busy_seconds:.2f}x)")
    results = [run[1] for _, run in runs] + [run[1] for where, run in busy if where == "local"]
    statuses = sorted({status for result in results for _, status in result.values()})
    plains = [{s: score for s, (score, _) in result.items()} for result in results]
    same = all(result == results[0] for result in results) and all(
        scores == plain_scores for scores in plains + [run[1] for where, run in busy if where == "plain"]) and \
        set(plain_scores) == {f"student{i + 1:02d}" for i in range(n)}
    print(f"  same score and status for every student in every run: {'yes' if same else 'NO'} "
          f"(statuses: {', '.join(statuses)})")
    if not same:
        for student in sorted(plain_scores):
            print(f"  {student}: plain {plain_scores.get(student)}, busy plain {busy_plain_scores.get(student)}, "
                  + ", ".join(f"{where} {run[1].get(student)}" for where, run in runs)
                  + f", busy {busy_scores.get(student)}")
        sys.exit("the runs disagree on a score or a status")


if __name__ == "__main__":
    main()
