"""Command line: ``python -m grading [--course DIR] COMMAND ...`` (run in autograder/).

Commands:
  autograde [ASSIGNMENT ...]  grade submitted/<student>/<assignment>/ in parallel (a local Dask cluster,
                              or an existing one with --scheduler), with statuses
  collect ZIP                 import an LMS zip of submissions (names, late flags, only what changed)
  grades [ASSIGNMENT ...]     write grades/grades.csv and a summary per assignment
  feedback [ASSIGNMENT ...]   per-student HTML feedback (nbgrader generate_feedback), hidden tests checked;
                              submissions waiting for manual grading held back (--include-ungraded)
  pack [ASSIGNMENT ...]       zip each student's feedback for return (same rule)
  formgrader [--port N]       JupyterLab on the course root for manual grading, math typeset offline
"""
import argparse
import os
import sys
from pathlib import Path

from . import defaults
from .errors import GradingError


def course_root(given):
    if given:
        return Path(given)
    here = Path.cwd()
    if (here / "nbgrader_config.py").is_file():
        return here
    return Path(__file__).resolve().parent.parent


def autograde_options(commands):
    autograde = commands.add_parser("autograde", help="grade submissions in parallel")
    autograde.add_argument("assignments", nargs="*", metavar="ASSIGNMENT", help="default: all")
    autograde.add_argument("--student", action="append", help="only this student (repeatable)")
    autograde.add_argument("--jobs", type=int, help=f"worker processes (default: one per core, or "
                                                    f"{defaults.ENV_JOBS})")
    autograde.add_argument("--timeout", type=int, help=f"seconds per cell (default {defaults.CELL_TIMEOUT}, or "
                                                       f"{defaults.ENV_TIMEOUT})")
    autograde.add_argument("--memory", type=int, help=f"memory limit per kernel in MB (default "
                                                      f"{defaults.MEMORY_MB}, or {defaults.ENV_MEMORY}; 0 = none)")
    autograde.add_argument("--budget", type=float, help=f"seconds per submission before its kernel is killed "
                                                        f"(default {defaults.BUDGET_BASE} + (timeout + "
                                                        f"{defaults.BUDGET_PER_CELL}) per code cell)")
    autograde.add_argument("--sandbox", choices=("auto", "on", "off"),
                           help=f"run every kernel in the bubblewrap sandbox: auto (where it can run), on "
                                f"(required), off (default {defaults.SANDBOX}, or {defaults.ENV_SANDBOX}; "
                                f"{defaults.ENV_REQUIRE_SANDBOX}=1 means on)")
    autograde.add_argument("--scheduler", metavar="ADDRESS",
                           help="grade on the existing Dask cluster whose scheduler is at ADDRESS (tcp://host:8786, "
                                "or a dask-gateway cluster's gateway://... address); default: a local cluster "
                                "that this command starts and stops (--jobs threads)")
    autograde.add_argument("--force", action="store_true", help="grade again even if unchanged")
    autograde.add_argument("--limit", type=int, help="grade at most this many, then stop (resumable)")
    autograde.add_argument("--no-progress", action="store_true", help="no progress bar")


def parser():
    parse = argparse.ArgumentParser(prog="python -m grading", description=__doc__.splitlines()[0])
    parse.add_argument("--course", help="the nbgrader course root (default: this folder)")
    commands = parse.add_subparsers(dest="command", required=True)
    autograde_options(commands)
    collect = commands.add_parser("collect", help="import an LMS zip of submissions")
    collect.add_argument("zip", help="the zip file downloaded from the LMS")
    collect.add_argument("--assignment", help="assignment id (default: read from the zip's name, else from "
                                              "the notebooks in it)")
    collect.add_argument("--regexp", help="nbgrader FileNameCollectorPlugin.named_regexp "
                                          "(default: nbgrader_config.py)")
    for name, text in (("grades", "write grades/grades.csv and summaries"),
                       ("feedback", "per-student HTML feedback"), ("pack", "zip each student's feedback for return")):
        command = commands.add_parser(name, help=text)
        command.add_argument("assignments", nargs="*", metavar="ASSIGNMENT", help="default: all")
        if name != "grades":
            command.add_argument("--include-ungraded", action="store_true",
                                 help="also return submissions that wait for manual grading (held back by "
                                      "default), their waiting answers marked 'not graded yet'")
    formgrader = commands.add_parser("formgrader", help="JupyterLab for manual grading (Nbgrader > Formgrader)")
    formgrader.add_argument("--port", type=int, default=8888, help="default 8888")
    return parse


def start_formgrader(course, port):
    """Run JupyterLab in the foreground until it is stopped (Ctrl-C); its exit code."""
    import subprocess

    from .mathjax import formgrader_command

    command, environment = formgrader_command(course, port)
    print("formgrader: open the address below, then Nbgrader > Formgrader (stop with Ctrl-C)", flush=True)
    try:
        return subprocess.run(command, env=environment, cwd=course.root).returncode
    except KeyboardInterrupt:
        return 130


def dispatch(args):
    from .course import Course

    course = Course(course_root(args.course))
    if args.command == "autograde":
        from .autograde import Options, run

        return run(course, Options(args.assignments, args.student, args.jobs, args.timeout, args.memory,
                                   args.budget, args.sandbox, args.force, args.limit, not args.no_progress,
                                   args.scheduler))
    if args.command == "collect":
        from .collect import collect

        return collect(course, args.zip, assignment_id=args.assignment, regexp=args.regexp)
    if args.command == "formgrader":
        return start_formgrader(course, args.port)
    if args.command == "grades":
        from .report import write_grades

        return write_grades(course, args.assignments)
    from .feedback import generate, pack

    return (generate if args.command == "feedback" else pack)(course, args.assignments,
                                                              include_ungraded=args.include_ungraded)


def main(argv=None):
    args = parser().parse_args(argv)
    os.environ.setdefault("MPLBACKEND", "Agg")
    bin_dir = str(Path(sys.executable).parent)   # nbgrader calls alembic and jupyter by name
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    try:
        return dispatch(args)
    except GradingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
