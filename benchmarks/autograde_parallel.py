"""Benchmark: a class of 40 chapter-1 submissions, plain `nbgrader autograde` vs the parallel runner,
with and without the sandbox.

All three grade the same submissions (30 correct, 10 with mistakes from the
wrong-answer catalogue tests/exercises/ch01_cross_entropy.py), each in its own
fresh copy of the course and gradebook (made as the tests make theirs), one
after the other in this run:

* plain: ``nbgrader autograde ch01_cross_entropy`` - nbgrader grades one
  submission after another (its issue #174);
* guard only: ``python -m grading autograde --sandbox off`` - a worker per
  core, each running nbgrader for one submission at a time, plus the status
  checks, the limits and the in-kernel guard;
* sandboxed: ``python -m grading autograde --sandbox on`` (``make autograde``
  where bubblewrap runs) - the same, every kernel in the bubblewrap sandbox.

The runner is timed twice in each mode, in the order guard only, sandboxed,
sandboxed, guard only, so that a machine that gets busier or quieter during
the run favours neither mode; each mode's time is the mean of its two runs.

It prints the wall-clock times, the throughput (submissions per second), the
sandbox's cost (sandboxed throughput as a share of guard-only) and the speed-up
over plain nbgrader, with the load average before and after, and checks that
all three give every student the same score.  Other work on the machine slows
every run, unevenly; compare numbers measured on an idle machine.

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


def runner_run(scratch, count, env, isolation, jobs):
    """(seconds, student -> score or None, statuses) of ``python -m grading autograde``."""
    course = released_course(Path(tempfile.mkdtemp(prefix=isolation, dir=scratch)), env)
    submissions(course, count)
    command = [sys.executable, "-m", "grading", "--course", str(course), "autograde", "--no-progress",
               "--sandbox", isolation] + (["--jobs", str(jobs)] if jobs else [])
    seconds, proc = timed(command, ROOT / "autograder", env)
    if proc.returncode != 0:
        sys.exit(f"the parallel runner ({isolation}) failed:\n{proc.stdout}\n{proc.stderr}")
    subprocess.run([sys.executable, "-m", "grading", "--course", str(course), "grades"],
                   cwd=ROOT / "autograder", env=env, check=True, capture_output=True)
    with open(course / "grades" / "grades.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    # an ungraded submission has no score: it counts as a disagreement, not as a crash
    return seconds, {r["student"]: float(r["score"]) if r["score"] else None for r in rows}, \
        sorted({r["status"] for r in rows})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--jobs", type=int, help="workers of the parallel runner (default: every core)")
    args = parser.parse_args()
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "MPLBACKEND": "Agg"}
    env.pop("NNTRAIN_GRADEBOOK_URL", None)     # all on SQLite, each its own
    env.pop("NNTRAIN_REQUIRE_SANDBOX", None)
    cores = len(os.sched_getaffinity(0))
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="nntrain-bench-") as scratch:
        plain_seconds, plain_scores = plain_run(scratch, args.students, env)
        runs = [runner_run(scratch, args.students, env, mode, args.jobs) for mode in ("off", "on", "on", "off")]
    guard_seconds = (runs[0][0] + runs[3][0]) / 2
    box_seconds = (runs[1][0] + runs[2][0]) / 2
    guard_scores, box_scores, statuses = runs[0][1], runs[1][1], runs[1][2]
    if any(run[1] != (guard_scores if i in (0, 3) else box_scores) for i, run in enumerate(runs)):
        sys.exit("a runner gave different scores in its two runs")
    n = args.students
    jobs = args.jobs or cores
    print(f"{n} submissions of {ASSIGNMENT} on {cores} cores "
          f"(load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after)")
    print(f"  {'runner':<44} {'seconds':>8} {'submissions/s':>14} {'vs plain':>9}")
    for name, seconds in (("nbgrader autograde (plain, serial)", plain_seconds),
                          (f"python -m grading, jobs {jobs}, guard only", guard_seconds),
                          (f"python -m grading, jobs {jobs}, sandboxed", box_seconds)):
        print(f"  {name:<44} {seconds:8.1f} {n / seconds:14.2f} {plain_seconds / seconds:8.2f}x")
    print(f"  runs in order: guard only {runs[0][0]:.1f} s, sandboxed {runs[1][0]:.1f} s, sandboxed "
          f"{runs[2][0]:.1f} s, guard only {runs[3][0]:.1f} s")
    print(f"  sandbox cost: sandboxed throughput is {guard_seconds / box_seconds:.0%} of guard-only")
    same = plain_scores == guard_scores == box_scores and set(plain_scores) == {f"student{i + 1:02d}" for i in range(n)}
    scored = [score for score in box_scores.values() if score is not None]
    print(f"  same scores for every student: {'yes' if same else 'NO'} "
          f"(mean {sum(scored) / max(len(scored), 1):.2f}; statuses: {', '.join(statuses)})")
    if not same:
        for student in sorted(set(plain_scores) | set(box_scores)):
            scores = (plain_scores.get(student), guard_scores.get(student), box_scores.get(student))
            if len(set(scores)) > 1:
                print(f"  {student}: plain {scores[0]}, guard only {scores[1]}, sandboxed {scores[2]}")
        sys.exit("the runners disagree on a score")


if __name__ == "__main__":
    main()
