"""Import an LMS download (a zip of submissions) into ``submitted/<student>/<assignment>/``.

Each notebook's file name is read with nbgrader's
``FileNameCollectorPlugin.named_regexp`` (set in nbgrader_config.py): the
groups ``student_id`` and ``file_id`` (the notebook) are required;
``first_name``, ``last_name`` and ``name`` (a combined name, as Canvas gives it)
go into the gradebook's student record; ``late`` (Canvas's ``LATE_``) and
``timestamp`` (the submission time, where the LMS puts one in the name) are
recorded.  The default reads Canvas's names, whose student id is the LMS's
unique user id, so two students with the same name stay two students.

The import is done here rather than by ``nbgrader zip_collect``, which aborts
the whole import on two files for one student without times, forgets names and
late flags, and rewrites every student's folder on every run.  Here:

* the assignment is the one given, else the one whose name the zip's name
  contains, else the one whose notebooks the zip holds;
* a student's folder is written only when what they handed in changed, and the
  report names who is new and who changed;
* two files for one notebook of one student: the newer (by ``timestamp``, else
  by the zip's own file times) is kept and the choice is reported;
* misnamed notebooks are copied as they are (``make autograde`` reports them as
  ``missing_notebook`` with the name it found);
* names, late flags and times go to ``grades/collected.json`` (read by
  ``make grades``), names to the gradebook, and the due date of the assignment
  (``CourseTerm.due_dates`` in nbgrader_config.py) to the gradebook, where
  nbgrader's late penalty reads it when the submission is graded.
"""
import json
import os
import re
import shutil
import sys
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .course import submission_fingerprint
from .errors import GradingError
from .records import now

LEDGER = "collected.json"
TIMESTAMP_FILE = "timestamp.txt"      # where nbgrader reads a submission's time


@dataclass
class Entry:
    """One notebook in the zip, as its name reads."""
    path: str                 # inside the zip
    student: str
    notebook: str             # file name, e.g. cross_entropy.ipynb
    data: bytes
    zip_time: tuple           # the zip's own modification time of the file
    name: str = ""
    first_name: str = ""
    last_name: str = ""
    late: bool = False
    timestamp: str = ""       # as the LMS gave it


@dataclass
class Arrival:
    """What one student handed in, as collected."""
    student: str
    name: str = ""
    first_name: str = ""
    last_name: str = ""
    late: bool = False
    timestamp: str = ""
    files: dict = field(default_factory=dict)     # relative path -> bytes

    def record(self, zip_name):
        data = asdict(self)
        del data["files"]
        return {**data, "notebooks": sorted(n for n in self.files if n.endswith(".ipynb")),
                "zip": zip_name, "collected_at": now()}


def regexp_of(course, regexp=None):
    text = regexp or str(course.config.FileNameCollectorPlugin.get("named_regexp") or "")
    try:
        compiled = re.compile(text)
    except re.error as exc:
        raise GradingError(f"the file-name pattern {text!r} is not a regular expression: {exc}") from None
    missing = {"student_id", "file_id"} - set(compiled.groupindex)
    if missing:
        raise GradingError(f"the file-name pattern {text!r} needs the named groups student_id and file_id; "
                           f"it has no {', '.join(sorted(missing))}")
    return compiled


def read_zip(zip_path, pattern):
    """(entries, skipped): the notebooks of the zip whose names the pattern reads, and the other
    files (path, why)."""
    entries, skipped = [], []
    try:
        archive = zipfile.ZipFile(zip_path)
    except zipfile.BadZipFile:
        raise GradingError(f"{zip_path} is not a zip file") from None
    with archive:
        for info in archive.infolist():
            if info.is_dir() or "__MACOSX/" in info.filename:
                continue
            if not info.filename.endswith(".ipynb"):
                skipped.append((info.filename, "not a notebook"))
                continue
            match = pattern.match(info.filename)
            if not match:
                skipped.append((info.filename, "the file-name pattern does not read it"))
                continue
            groups = {k: (v or "") for k, v in match.groupdict().items()}
            student = groups["student_id"]
            if not student or student.startswith(".") or "/" in student:
                skipped.append((info.filename, f"no usable student id ({student!r})"))
                continue
            notebook = os.path.splitext(groups["file_id"])[0] + ".ipynb"
            entries.append(Entry(info.filename, student, notebook, archive.read(info), info.date_time,
                                 groups.get("name", ""), groups.get("first_name", ""),
                                 groups.get("last_name", ""), bool(groups.get("late")),
                                 groups.get("timestamp", "")))
    return entries, skipped


def notebooks_of(course, assignment_id):
    return sorted(p.name for p in (course.source / assignment_id).glob("*.ipynb"))


def infer_assignment(course, zip_path, entries, out):
    """The assignment of a zip: by its name, else by the notebooks in it (said aloud)."""
    known = course.assignments()
    by_name = [a for a in known if a in Path(zip_path).name]
    if len(by_name) == 1:
        return by_name[0]
    found = {}
    for assignment_id in known:
        names = set(notebooks_of(course, assignment_id)) & {e.notebook for e in entries}
        if names:
            found[assignment_id] = sorted(names)
    if len(found) == 1:
        (assignment_id, names), = found.items()
        print(f"{Path(zip_path).name}: assignment {assignment_id} (the zip holds its notebook(s) "
              f"{', '.join(names)})", file=out)
        return assignment_id
    if found:
        listing = "; ".join(f"{a} ({', '.join(n)})" for a, n in sorted(found.items()))
        raise GradingError(f"{Path(zip_path).name} holds notebooks of several assignments: {listing}; "
                           f"collect one at a time with ASSIGNMENT=<id>")
    raise GradingError(f"cannot tell the assignment of {Path(zip_path).name}: neither its name nor its "
                       f"notebooks name one; give ASSIGNMENT=<id> (one of {known})")


def sort_key(entry):
    return (entry.timestamp, entry.zip_time)


def arrivals(entries, out):
    """student -> Arrival; of two files for one notebook the newer is kept (and said)."""
    from nbgrader.utils import parse_utc

    chosen = {}
    for entry in entries:
        key = (entry.student, entry.notebook)
        other = chosen.get(key)
        if other is None or sort_key(entry) > sort_key(other):
            chosen[key] = entry
        if other is not None:
            kept, dropped = (entry, other) if chosen[key] is entry else (other, entry)
            how = "its time in the file name" if kept.timestamp != dropped.timestamp else "the zip's file times"
            print(f"  {entry.student}: two files for {entry.notebook}; kept {kept.path} (newer by {how}), "
                  f"skipped {dropped.path}", file=out)
    students = {}
    for (student, notebook), entry in sorted(chosen.items()):
        arrival = students.setdefault(student, Arrival(student))
        arrival.files[notebook] = entry.data
        for attribute in ("name", "first_name", "last_name"):
            setattr(arrival, attribute, getattr(arrival, attribute) or getattr(entry, attribute))
        arrival.late = arrival.late or entry.late
        if entry.timestamp:
            try:
                stamp = parse_utc(entry.timestamp)
            except ValueError:
                raise GradingError(f"{entry.path}: cannot read the time {entry.timestamp!r}") from None
            arrival.timestamp = max(arrival.timestamp, stamp.isoformat(" "))
    for arrival in students.values():
        if arrival.timestamp:
            arrival.files[TIMESTAMP_FILE] = arrival.timestamp.encode()
    return students


def store(course, assignment_id, arrival):
    """Write a student's folder if what they handed in changed: "new", "changed" or "unchanged"."""
    folder = course.submission_dir(assignment_id, arrival.student)
    if folder.is_dir():
        if submission_fingerprint(course.submission_files(assignment_id, arrival.student)) == \
                submission_fingerprint(arrival.files):
            return "unchanged"
        shutil.rmtree(folder)
        state = "changed"
    else:
        state = "new"
    folder.mkdir(parents=True)
    for name, data in arrival.files.items():
        (folder / name).write_bytes(data)
    return state


def due_date(course, assignment_id):
    """The configured due date of an assignment (a datetime in UTC), or None."""
    from nbgrader.utils import parse_utc

    dates = course.config.CourseTerm.get("due_dates") or {}
    if assignment_id not in dates:
        return None
    try:
        return parse_utc(str(dates[assignment_id]))
    except ValueError:
        raise GradingError(f"CourseTerm.due_dates[{assignment_id!r}] in nbgrader_config.py is not a date: "
                           f"{dates[assignment_id]!r}") from None


def update_gradebook(course, assignment_id, students):
    """Names into the student records, the due date into the assignment."""
    due = due_date(course, assignment_id)
    with course.gradebook() as gb:
        for arrival in students.values():
            names = {"first_name": arrival.first_name or None,
                     "last_name": arrival.last_name or arrival.name or None}
            gb.update_or_create_student(arrival.student, **{k: v for k, v in names.items() if v})
        if due is not None:
            gb.update_or_create_assignment(assignment_id, duedate=due)
    return due


def read_ledger(course):
    path = course.output / LEDGER
    if not path.is_file():
        return {}
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def write_ledger(course, assignment_id, students, zip_name):
    ledger = read_ledger(course)
    for arrival in students.values():
        ledger[f"{assignment_id}/{arrival.student}"] = arrival.record(zip_name)
    course.output.mkdir(parents=True, exist_ok=True)
    temporary = course.output / f"{LEDGER}.tmp"
    temporary.write_text(json.dumps(ledger, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(temporary, course.output / LEDGER)


def report(assignment_id, course, students, states, skipped, misnamed, due, out):
    for path, why in skipped:
        print(f"  skipped {path}: {why}", file=out)
    for student, names in sorted(misnamed.items()):
        print(f"  {student}: notebook name(s) {', '.join(names)} not in the assignment; copied as they are "
              f"(make autograde reports them as missing_notebook)", file=out)
    late = sorted(s for s, a in students.items() if a.late)
    if late:
        print(f"  late (flagged by the LMS): {', '.join(late)}", file=out)
    new = sorted(s for s, state in states.items() if state == "new")
    changed = sorted(s for s, state in states.items() if state == "changed")
    for label, names in (("new", new), ("changed", changed)):
        if names:
            print(f"  {label}: {', '.join(names)}", file=out)
    unchanged = len(states) - len(new) - len(changed)
    print(f"{assignment_id}: {len(states)} student(s) in the zip: {len(new)} new, {len(changed)} changed, "
          f"{unchanged} unchanged, in {course.submitted}/<student>/{assignment_id}/"
          + (f"; due {due:%Y-%m-%d %H:%M} UTC" if due else "")
          + ("; next: make autograde" if new or changed else ""), file=out)


def collect(course, zip_path, assignment_id=None, regexp=None, out=None):
    """Import the zip at ``zip_path``; returns 0 (GradingError when nothing can be imported)."""
    out = out or sys.stdout
    zip_path = Path(zip_path).resolve()
    if not zip_path.is_file():
        raise GradingError(f"no such file: {zip_path}")
    entries, skipped = read_zip(zip_path, regexp_of(course, regexp))
    if assignment_id is None:
        assignment_id = infer_assignment(course, zip_path, entries, out)
    course.check_assignments([assignment_id])
    if not entries:
        raise GradingError(f"{zip_path.name} holds no notebook whose name the file-name pattern reads")
    expected = set(notebooks_of(course, assignment_id))
    misnamed = {}
    for entry in entries:
        if entry.notebook not in expected:
            misnamed.setdefault(entry.student, []).append(entry.notebook)
    students = arrivals(entries, out)
    states = {student: store(course, assignment_id, arrival) for student, arrival in students.items()}
    due = update_gradebook(course, assignment_id, students)
    write_ledger(course, assignment_id, students, zip_path.name)
    report(assignment_id, course, students, states, skipped, misnamed, due, out)
    return 0

