"""The records the grading tools keep, each schema defined once.

* :class:`Finding` - one thing noticed about a submission; :data:`STATUSES` orders their kinds;
* :class:`StatusRecord` - the status of one submission (an entry of ``grades/status.json``);
* :class:`RunRecord` and :class:`StatusFile` - one batch, and the whole status file;
* :class:`KernelSettings` - what the grading kernel is told (a JSON file it reads at start);
* :func:`cell_key` - how the kernel's progress records name a cell (:func:`without_notice`: the
  source of a test cell nbgrader added back, as the assignment has it).

Standard library only: the kernel (:mod:`grading.kernel`) loads this file by path.
"""
import dataclasses
import hashlib
import json
import os
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timezone

# Status names, most important first: a submission's status is its most important finding.
STATUSES = (
    "missing_notebook",   # a notebook is missing or misnamed
    "invalid_notebook",   # not JSON, empty, or not a valid notebook
    "kernel_died",        # the kernel died (crash, memory), nothing graded
    "error",              # grading failed for another reason (see the log)
    "cheating",           # an answer is the course package's reference implementation
    "tampering",          # changed what the tests rely on (numpy, builtins, the test helpers, IPython's
                          # error display, ...) or returned a value that misreports itself: every
                          # test after the change scored 0; graded
    "outside_access",     # tried to change files outside its folder or start a program (blocked)
    "timed_out",          # a cell ran past the time limit (which cell); graded unless killed
    "memory_limit",       # a cell ran out of memory (the kernel's limit); graded
    "tampered",           # test or locked cells edited or deleted: restored, then graded
    "answer_error",       # an answer cell raised an exception (e.g. at import); graded
    "stderr",             # test cells wrote to stderr, which nbgrader scores 0; graded
    "graded",             # nothing unusual
)
NOT_GRADED = ("missing_notebook", "invalid_notebook", "kernel_died", "timed_out", "error")
UNFINISHED = "grading started, not finished"
#: the isolation a kernel had (the ``sandbox`` field and column)
SANDBOXED, GUARD_ONLY = "bubblewrap", "guard only"


def now():
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def cell_key(source):
    """The key by which progress records name a cell: SHA-1 of its source."""
    return hashlib.sha1(source.encode("utf-8", "surrogatepass")).hexdigest()


#: how nbgrader begins a test cell it added back to a submission that had deleted it
MISSING_NOTICE = "# This cell (id:"


def without_notice(source):
    """A cell's source without the comment (and blank line) nbgrader puts in front of a cell it
    added back; other sources unchanged."""
    if source.startswith(MISSING_NOTICE) and "\n\n" in source:
        return source.split("\n\n", 1)[1]
    return source


def status_key(assignment_id, student_id):
    return f"{assignment_id}/{student_id}"


@dataclass
class Finding:
    kind: str            # one of STATUSES
    text: str            # for the instructor: what, where, what was done about it
    fatal: bool = False  # the submission could not be graded at all

    def __post_init__(self):
        if self.kind not in STATUSES:
            raise ValueError(f"a finding's kind must be one of {STATUSES}, got {self.kind!r}")


def verdict(findings, graded):
    """(status, detail): the most important finding names the status; detail lists them all."""
    if not findings:
        return ("graded" if graded else "error"), ("" if graded else "not graded")
    ordered = sorted(findings, key=lambda f: STATUSES.index(f.kind))
    if graded:
        ordered = [f for f in ordered if not f.fatal] or ordered
    texts = []
    for finding in ordered:
        if finding.text not in texts:
            texts.append(finding.text)
    return ordered[0].kind, "; ".join(texts)


@dataclass
class StatusRecord:
    """What grading one submission gave (one entry of ``status.json``, one row of grades.csv)."""
    assignment: str
    student: str
    fingerprint: str = ""
    max_score: float = None
    graded: bool = False
    score: float = None            # nbgrader's total from the gradebook (manual grades included)
    needs_manual_grade: bool = False
    cells: dict = field(default_factory=dict)       # "<notebook>/<grade id>" -> auto, manual, max
    findings: list = field(default_factory=list)    # Finding
    not_attempted: list = field(default_factory=list)
    running_cell: str = None       # the cell running when grading failed, if known
    sandbox: str = ""              # SANDBOXED or GUARD_ONLY: the kernel's isolation
    status: str = "error"
    detail: str = ""
    started_at: str = None
    finished_at: str = None
    seconds: float = None
    worker: str = None             # who graded it (host:pid)
    log: str = None                # nbgrader's log of it

    @property
    def key(self):
        return status_key(self.assignment, self.student)

    def decide(self):
        """Set ``status`` and ``detail`` from the findings; returns self."""
        self.status, self.detail = verdict(self.findings, self.graded)
        if self.not_attempted:
            note = "not attempted: " + ", ".join(self.not_attempted)
            self.detail = f"{self.detail}; {note}" if self.detail else note
        return self

    def fail(self, finding):
        """Not graded, because of ``finding`` (fatal); returns self, decided."""
        self.findings = [finding]
        self.graded, self.score, self.not_attempted = False, None, []
        self.finished_at = now()
        return self.decide()

    def to_dict(self):
        return asdict(self)

    @classmethod
    def from_dict(cls, data):
        known = {f.name for f in fields(cls)}
        record = cls(**{k: v for k, v in data.items() if k in known})
        record.findings = [f if isinstance(f, Finding) else Finding(**f) for f in record.findings]
        return record


@dataclass
class RunRecord:
    """One batch: when, with which limits, what came of it."""
    started_at: str
    jobs: int
    timeout: int
    memory_mb: int
    sandbox: str
    submissions: int
    skipped: int
    finished: int = 0
    finished_at: str = None
    statuses: dict = field(default_factory=dict)
    alerts: list = field(default_factory=list)
    scheduler: str = "local"       # where it was graded: a local Dask cluster, or a scheduler's address


@dataclass
class StatusFile:
    """``grades/status.json``: the status of every submission, and the last runs."""
    submissions: dict = field(default_factory=dict)   # status_key -> StatusRecord
    runs: list = field(default_factory=list)          # RunRecord, the last KEEP_RUNS
    version: int = 2
    #: status_key -> (the StatusRecord, its JSON text) as last written (see save)
    encoded: dict = field(default_factory=dict, repr=False, compare=False)
    KEEP_RUNS = 50

    @classmethod
    def load(cls, path):
        if not os.path.isfile(path):
            return cls()
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        known = {f.name for f in fields(RunRecord)}
        return cls(submissions={k: StatusRecord.from_dict(v) for k, v in data.get("submissions", {}).items()},
                   runs=[RunRecord(**{k: v for k, v in r.items() if k in known}) for r in data.get("runs", [])])

    def save(self, path):
        """Write atomically (a crash leaves the old file or the new one).

        The coordinator writes the file after every submission it hands out and every outcome, so
        a record is turned into JSON once and its text reused for as long as the same record stays
        in place (a run replaces a record, it never changes one that was written): a class of
        hundreds of students with many assignments costs a write of a few milliseconds, not the
        encoding of every record.  The text is what ``json.dump(..., indent=1, sort_keys=True)``
        of the whole file gives.
        """
        os.makedirs(os.path.dirname(path), exist_ok=True)
        entries = []
        for key, record in sorted(self.submissions.items()):
            known = self.encoded.get(key)
            if known is None or known[0] is not record:
                known = self.encoded[key] = (record, json.dumps(record.to_dict(), indent=1, sort_keys=True))
            entries.append(f"  {json.dumps(key)}: {_nested(known[1], 2)}")
        runs = json.dumps([asdict(r) for r in self.runs[-self.KEEP_RUNS:]], indent=1, sort_keys=True)
        submissions = "{\n" + ",\n".join(entries) + "\n }" if entries else "{}"
        text = f'{{\n "runs": {_nested(runs, 1)},\n "submissions": {submissions},\n "version": {self.version}\n}}'
        temporary = f"{path}.tmp"
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)

    def for_assignment(self, assignment_id):
        """student -> StatusRecord of one assignment."""
        return {r.student: r for r in self.submissions.values() if r.assignment == assignment_id}


def _nested(text, depth):
    """JSON ``text`` written with ``indent=1``, as it reads ``depth`` levels deeper in a file."""
    return text.replace("\n", "\n" + " " * depth)


@dataclass
class KernelSettings:
    """What the grading kernel needs to know, written as JSON where it can read it at start."""
    progress: str                  # the file it appends its progress records to
    memory_mb: int = 0             # address-space limit (0: none)
    processes: int = 0             # process limit (0: none; enforced only in the sandbox)
    answers: list = field(default_factory=list)    # names students implement
    package: str = "nntrain"       # the course package (imported before student code)
    protected: list = field(default_factory=list)  # not to be changed (the guard)
    private: list = field(default_factory=list)    # not even to be read or listed (the guard)
    allowed: list = field(default_factory=list)    # exceptions inside those
    matplotlib_cache: str = ""     # a folder with matplotlib's font list, copied at start
    tests: list = field(default_factory=list)       # cell keys of the test cells (checked before each)
    instructor: list = field(default_factory=list)  # cell keys of the locked code cells

    def write(self, path):
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(asdict(self), handle)

    @classmethod
    def read(cls, path):
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        return cls(**{k: v for k, v in data.items() if k in {f.name for f in dataclasses.fields(cls)}})
