"""Benchmark: a class of 40 chapter-1 submissions, plain `nbgrader autograde` vs the parallel runner.

Both grade the same submissions (30 correct, 10 with mistakes from the
wrong-answer catalogue tests/exercises/ch01_cross_entropy.py), each in its own
fresh copy of the course and gradebook (made as the tests make theirs), one
after the other in this run:

* plain: ``nbgrader autograde ch01_cross_entropy`` - nbgrader grades one
  submission after another (its issue #174);
* parallel: ``python -m grading autograde`` (``make autograde``) - a worker
  per core, each running nbgrader for one submission at a time, plus the
  status checks, the memory limit and the write guard.

It prints the wall-clock times and the speed-up, and checks that both give
every student the same score.  Other work on the machine slows both; run it
on an idle machine for numbers to compare with others.

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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--jobs", type=int, help="workers of the parallel runner (default: every core)")
    args = parser.parse_args()
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "MPLBACKEND": "Agg"}
    env.pop("NNTRAIN_GRADEBOOK_URL", None)     # both on SQLite, each its own
    cores = len(os.sched_getaffinity(0))
    with tempfile.TemporaryDirectory(prefix="nntrain-bench-") as scratch:
        plain_course = released_course(Path(scratch) / "plain", env)
        parallel_course = released_course(Path(scratch) / "parallel", env)
        students = submissions(plain_course, args.students)
        submissions(parallel_course, args.students)

        plain_seconds, plain = timed([str(BIN / "nbgrader"), "autograde", ASSIGNMENT], plain_course, env)
        if plain.returncode != 0:
            sys.exit(f"nbgrader autograde failed:\n{plain.stdout}\n{plain.stderr}")
        subprocess.run([str(BIN / "nbgrader"), "export", "--to", "plain.csv"], cwd=plain_course, env=env,
                       check=True, capture_output=True)
        command = [sys.executable, "-m", "grading", "--course", str(parallel_course), "autograde",
                   "--no-progress"] + (["--jobs", str(args.jobs)] if args.jobs else [])
        parallel_seconds, parallel = timed(command, ROOT / "autograder", env)
        if parallel.returncode != 0:
            sys.exit(f"the parallel runner failed:\n{parallel.stdout}\n{parallel.stderr}")
        subprocess.run([sys.executable, "-m", "grading", "--course", str(parallel_course), "grades"],
                       cwd=ROOT / "autograder", env=env, check=True, capture_output=True)

        with open(plain_course / "plain.csv", newline="") as handle:
            plain_scores = {r["student_id"]: float(r["score"]) for r in csv.DictReader(handle)}
        with open(parallel_course / "grades" / "grades.csv", newline="") as handle:
            rows = list(csv.DictReader(handle))
        # an ungraded submission has no score: it counts as a disagreement, not as a crash
        parallel_scores = {r["student"]: float(r["score"]) if r["score"] else None for r in rows}
        statuses = sorted({r["status"] for r in rows})

    same = plain_scores == parallel_scores and set(plain_scores) == set(students)
    scored = [score for score in parallel_scores.values() if score is not None]
    jobs = args.jobs or cores
    print(f"{args.students} submissions of {ASSIGNMENT} on {cores} cores "
          f"(load average {os.getloadavg()[0]:.1f} at the end)")
    print(f"  {'runner':<38} {'seconds':>8} {'per submission':>15}")
    print(f"  {'nbgrader autograde (plain, serial)':<38} {plain_seconds:8.1f} {plain_seconds / args.students:14.2f}s")
    print(f"  {f'python -m grading autograde (jobs {jobs})':<38} {parallel_seconds:8.1f} "
          f"{parallel_seconds / args.students:14.2f}s")
    print(f"  speed-up: {plain_seconds / parallel_seconds:.2f}x")
    print(f"  same scores for every student: {'yes' if same else 'NO'} "
          f"(mean {sum(scored) / max(len(scored), 1):.2f}; statuses: {', '.join(statuses)})")
    if not same:
        differ = sorted(s for s in set(plain_scores) | set(parallel_scores)
                        if plain_scores.get(s) != parallel_scores.get(s))
        for student in differ:
            print(f"  {student}: plain {plain_scores.get(student)}, parallel {parallel_scores.get(student)}")
        sys.exit("the runners disagree on a score")


if __name__ == "__main__":
    main()
