"""Student versions of the exercises, made without touching the instructor's course.

The book, ``make lab`` and the student branch show students what
``nbgrader generate_assignment`` makes of ``solutions/``.  This script makes it
in a scratch course: a temporary folder with a copy of
``autograder/nbgrader_config.py`` (with the ``grading/defaults.py`` it reads) and of
``solutions/``, where nbgrader runs in
its no-database mode.  The instructor's ``autograder/release/``, gradebook
(``autograder/gradebook.db``, or the database named by
``NNTRAIN_GRADEBOOK_URL``) and log are never opened.  ``make release`` is the
instructor's own step that writes those.

Usage (the Makefile runs it; ``python`` is the course's environment)::

    python tools/student_versions.py generate exercises   # exercises/<assignment-id>/<notebook>.ipynb
    python tools/student_versions.py lab exercises lab    # add to lab/ what it lacks; keep the rest
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
CONFIG = ROOT / "autograder" / "nbgrader_config.py"
NBGRADER = Path(sys.executable).parent / "nbgrader"


def _visible(folder):
    """Assignment folders of ``folder`` (hidden ones, such as checkpoints, are not assignments)."""
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))


def generate(destination, solutions=SOLUTIONS, config=CONFIG):
    """Write the student version of every assignment into ``destination`` (replaced as a whole).

    ``destination/<assignment-id>/`` receives exactly what ``nbgrader
    generate_assignment <assignment-id>`` writes into ``release/<assignment-id>/``.
    Returns the assignment ids.  On failure ``destination`` is left as it was.
    """
    destination, solutions = Path(destination), Path(solutions)
    assignments = _visible(solutions)
    if not assignments:
        raise SystemExit(f"no assignment folders in {solutions}")
    with tempfile.TemporaryDirectory(prefix="nntrain-scratch-course-") as scratch:
        scratch = Path(scratch)
        course = scratch / "autograder"
        course.mkdir()
        shutil.copy(config, course / "nbgrader_config.py")
        # the configuration reads the grading tools' defaults from grading/defaults.py
        (course / "grading").mkdir()
        shutil.copy(Path(config).parent / "grading" / "defaults.py", course / "grading" / "defaults.py")
        # the configuration finds the sources at ../solutions, as in the real course
        shutil.copytree(solutions, scratch / "solutions", ignore=shutil.ignore_patterns(".*"))
        env = {k: v for k, v in os.environ.items() if k != "NNTRAIN_GRADEBOOK_URL"}
        env["PATH"] = f"{NBGRADER.parent}{os.pathsep}{env.get('PATH', '')}"
        command = [str(NBGRADER), "generate_assignment", "*", "--no-db", "--log-level=WARN",
                   f"--CourseDirectory.db_url=sqlite:///{scratch / 'scratch.db'}"]
        done = subprocess.run(command, cwd=course, env=env, stdin=subprocess.DEVNULL)
        if done.returncode != 0:
            raise SystemExit(f"nbgrader generate_assignment failed (exit status {done.returncode})")
        release = course / "release"
        made = _visible(release) if release.is_dir() else []
        if made != assignments:
            raise SystemExit(f"nbgrader made student versions of {made}, expected {assignments}")
        staged = destination.with_name(f".{destination.name}.new")
        shutil.rmtree(staged, ignore_errors=True)
        shutil.copytree(release, staged)
    shutil.rmtree(destination, ignore_errors=True)
    staged.rename(destination)
    return assignments


def copy_missing(source, destination):
    """Copy every file of ``source`` that ``destination`` lacks; never overwrite one.

    A student's notebooks in ``destination`` keep their answers; a notebook
    that was deleted there comes back as the current student version.
    Returns the copied paths, relative to ``destination``.
    """
    source, destination = Path(source), Path(destination)
    if not source.is_dir():
        raise SystemExit(f"{source} does not exist: generate the student versions first")
    copied = []
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        target = destination / relative
        if path.is_file() and not any(part.startswith(".") for part in relative.parts) \
                and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target)
            copied.append(relative)
    return copied


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("generate", help="write every assignment's student version")
    make.add_argument("destination", type=Path)
    lab = commands.add_parser("lab", help="copy into a working folder what it lacks")
    lab.add_argument("source", type=Path)
    lab.add_argument("destination", type=Path)
    args = parser.parse_args(argv)
    if args.command == "generate":
        assignments = generate(args.destination)
        print(f"{args.destination}/: student versions of {len(assignments)} assignments")
    else:
        copied = copy_missing(args.source, args.destination)
        for relative in copied:
            print(f"{args.destination / relative}: new copy of the student version")


if __name__ == "__main__":
    main()
