"""Command line: ``python -m grading [--course DIR] COMMAND ...`` (run in autograder/).

Commands:
  autograde [ASSIGNMENT ...]  grade submitted/<student>/<assignment>/ in parallel, with statuses
  collect ZIP                 import an LMS zip of submissions (nbgrader zip_collect)
  grades [ASSIGNMENT ...]     write grades/grades.csv and a summary per assignment
  feedback [ASSIGNMENT ...]   per-student HTML feedback (nbgrader generate_feedback), hidden tests checked
  pack [ASSIGNMENT ...]       zip each student's feedback for return
"""
import argparse
import os
import sys
from pathlib import Path

from .course import Busy, Course


def course_root(given):
    if given:
        return Path(given)
    here = Path.cwd()
    if (here / "nbgrader_config.py").is_file():
        return here
    return Path(__file__).resolve().parent.parent


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m grading", description=__doc__.splitlines()[0])
    parser.add_argument("--course", help="the nbgrader course root (default: this folder)")
    commands = parser.add_subparsers(dest="command", required=True)

    autograde = commands.add_parser("autograde", help="grade submissions in parallel")
    autograde.add_argument("assignments", nargs="*", metavar="ASSIGNMENT", help="default: all")
    autograde.add_argument("--student", action="append", help="only this student (repeatable)")
    autograde.add_argument("--jobs", type=int, help="worker processes (default: every core, or "
                                                    "NNTRAIN_GRADING_JOBS)")
    autograde.add_argument("--timeout", type=int, help="seconds per cell (default: nbgrader_config.py, "
                                                       "i.e. NNTRAIN_CELL_TIMEOUT or 60)")
    autograde.add_argument("--memory", type=int, help="memory limit per kernel in MB (default 4096, or "
                                                      "NNTRAIN_KERNEL_MEMORY_MB; 0 = none)")
    autograde.add_argument("--budget", type=float, help="seconds per submission before its kernel is "
                                                        "killed (default: from the timeout and cells)")
    autograde.add_argument("--force", action="store_true", help="grade again even if unchanged")
    autograde.add_argument("--limit", type=int, help="grade at most this many, then stop (resumable)")
    autograde.add_argument("--no-progress", action="store_true", help="no progress bar")

    collect = commands.add_parser("collect", help="import an LMS zip of submissions")
    collect.add_argument("zip", help="the zip file downloaded from the LMS")
    collect.add_argument("--assignment", help="assignment id (default: guessed from the zip's name)")
    collect.add_argument("--regexp", help="nbgrader FileNameCollectorPlugin.named_regexp "
                                          "(default: nbgrader_config.py)")

    grades = commands.add_parser("grades", help="write grades/grades.csv and summaries")
    grades.add_argument("assignments", nargs="*", metavar="ASSIGNMENT", help="default: all")

    feedback = commands.add_parser("feedback", help="per-student HTML feedback")
    feedback.add_argument("assignments", nargs="*", metavar="ASSIGNMENT", help="default: all")

    pack = commands.add_parser("pack", help="zip each student's feedback for return")
    pack.add_argument("assignments", nargs="*", metavar="ASSIGNMENT", help="default: all")

    args = parser.parse_args(argv)
    os.environ.setdefault("MPLBACKEND", "Agg")
    bin_dir = str(Path(sys.executable).parent)   # nbgrader calls alembic and jupyter by name
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    course = Course(course_root(args.course))
    try:
        if args.command == "autograde":
            from .runner import run

            return run(course, args.assignments, args.student, jobs=args.jobs, timeout=args.timeout,
                       memory_mb=args.memory, budget=args.budget, force=args.force, limit=args.limit,
                       progress=not args.no_progress)
        if args.command == "collect":
            from .collect import collect

            return collect(course, args.zip, assignment_id=args.assignment, regexp=args.regexp)
        if args.command == "grades":
            from .report import write_grades

            return write_grades(course, args.assignments)
        if args.command == "feedback":
            from .feedback import generate

            return generate(course, args.assignments)
        if args.command == "pack":
            from .feedback import pack

            return pack(course, args.assignments)
    except Busy as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 2


if __name__ == "__main__":
    sys.exit(main())
