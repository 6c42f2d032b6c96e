"""The bad-submission matrix: good submissions and bad ones of every kind, with what grading each
must give (status, score, words of the detail).  Graded in one batch by
tests/grading/test_grading_batch.py (a local cluster) and by tests/grading/test_grading_cluster.py
(a real Dask cluster, compared with a local run).
"""
import socket
import threading
from dataclasses import dataclass
from pathlib import Path

from helpers.course import (NOTEBOOK, WRITTEN, FULL, expected_points, released, save, solution_answers,
                            submission, wrong_answers)
from helpers.notebooks import is_test_cell

TIMEOUT = "5"          # seconds per cell: the loops cost little; a loaded machine still passes
MEMORY = "2048"        # MB per kernel (a bare kernel with NumPy takes about 1 GB of address space)

# -- the kinds of submission --------------------------------------------------------------------------
ANSWERS = solution_answers()
SOFTMAX, CEE = ANSWERS["softmax"], ANSWERS["cross_entropy_error"]

LOOP_AT_TOP = SOFTMAX + '''

while True:            # a loop that never ends, at the top of the cell
    pass
'''
IGNORES_SIGINT = '''
import signal

def softmax(a):
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # the interrupt that stops a timed-out cell
    while True:
        pass
'''
MEMORY_HOG = SOFTMAX + '''

def remember_everything():
    blocks = []
    while True:
        blocks.append(np.zeros(25_000_000))   # 200 MB more, again and again

remember_everything()
'''
STDERR_NOISE = '''
import sys

def softmax(a):
    print("debug: softmax of", a, file=sys.stderr)   # correct, but chatty on stderr
    exp_a = np.exp(a - np.max(a))
    return exp_a / np.sum(exp_a)
'''
CRASH = SOFTMAX + '''

import os, signal
os.kill(os.getpid(), signal.SIGKILL)     # what the kernel's end looks like to the grader after an OOM kill
'''
IMPORT_ERROR = "import torch_that_is_not_installed\n\n" + SOFTMAX
# COURSE stands for the course root: a student can guess where the instructor keeps it
OUTSIDE_WRITE = SOFTMAX + '''

import os
for target in ("COURSE/submitted/good1/ch01_cross_entropy/cross_entropy.ipynb", "COURSE/gradebook.db"):
    try:
        with open(target, "w") as handle:      # another student's submission, the gradebook
            handle.write("{}")
    except OSError:
        pass
try:
    os.remove("COURSE/submitted/good1/ch01_cross_entropy/cross_entropy.ipynb")
except OSError:
    pass
'''
PEEK = SOFTMAX + '''

import glob
import json
for pattern in ("COURSE/../solutions/*/*.ipynb", "COURSE/submitted/*/ch01_cross_entropy/*.ipynb"):
    try:                                   # the solutions and hidden tests, other students' work
        for path in glob.glob(pattern):
            print(open(path).read())
    except OSError:
        pass
'''
REFERENCE = "from nntrain import softmax   # the course package's own\n"
STARTUP_FILE = SOFTMAX + '''

import os, site
hook = """
import nntrain.functions
def _sabotage(info):
    nntrain.functions.softmax = lambda a: a      # every later hidden test would fail
get_ipython().events.register("pre_run_cell", _sabotage)
"""
startup = get_ipython().profile_dir.startup_dir    # IPython runs these files when a kernel starts
for target, text in ((os.path.join(startup, "00-grading.py"), hook),
                     (os.path.join(site.getsitepackages()[0], "zz_grading.pth"), "# harmless\\n")):
    try:
        with open(target, "w") as handle:
            handle.write(text)
    except OSError:
        pass
'''
SHADOW_PACKAGE = wrong_answers()["softmax"] + '''

import os
os.makedirs("nntrain", exist_ok=True)           # a fake package: hidden tests would compare
with open("nntrain/__init__.py", "w") as handle:    # the answer with itself
    handle.write("")
with open("nntrain/functions.py", "w") as handle:
    handle.write("from __main__ import softmax, cross_entropy_error\\n")
'''

# -- what only the sandbox stops: native code, sockets, processes, the temporary folder ----------------
# Each defines a correct softmax first, so the tests score 10; the attack's failure then names
# what the operating system refused (status answer_error).  COURSE, PACKAGE and PORT are filled in.
NATIVE = '''
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
libc.open.argtypes = [ctypes.c_char_p, ctypes.c_int]

def native_open(path, flags):              # the C library's open: the in-kernel guard never sees it
    fd = libc.open(path.encode(), flags)
    if fd < 0:
        number = ctypes.get_errno()
        raise OSError(number, os.strerror(number), path)
    return fd
'''
NATIVE_READ = SOFTMAX + NATIVE + '''
stolen = []
for path in ("COURSE/../solutions/ch01_cross_entropy/cross_entropy.ipynb",
             "COURSE/submitted/good1/ch01_cross_entropy/cross_entropy.ipynb", "COURSE/gradebook.db"):
    fd = native_open(path, os.O_RDONLY)
    buffer = ctypes.create_string_buffer(1 << 20)
    stolen.append(buffer.raw[:libc.read(fd, buffer, len(buffer))])
print(stolen)
'''
NATIVE_WRITE = SOFTMAX + NATIVE + '''
refused = []
for path in ("COURSE/submitted/good1/ch01_cross_entropy/cross_entropy.ipynb", "PACKAGE/functions.py"):
    try:
        fd = native_open(path, os.O_WRONLY | os.O_APPEND)
    except OSError as error:
        refused.append(f"{error.strerror}: {path}")
        continue
    if "submitted" in path:
        libc.write(fd, b"\\n", 1)             # another student's notebook, one byte longer
    libc.close(fd)
if refused:
    raise OSError("; ".join(refused))
'''
NETWORK = SOFTMAX + '''
import socket
with socket.create_connection(("127.0.0.1", PORT), timeout=5) as connection:
    connection.sendall(b"answers, please")     # a listener the tests started on this machine
'''
LEFTOVER = SOFTMAX + '''
import ctypes, os, time
if os.fork() == 0:                     # a child that leaves the kernel's session and waits
    os.setsid()
    ctypes.CDLL(None).prctl(15, b"nntrain-left", 0, 0, 0)     # PR_SET_NAME: findable by its name
    time.sleep(600)
    os._exit(0)
'''
FILL_TMP = SOFTMAX + '''
import os, tempfile
block = b"x" * (16 << 20)
with tempfile.NamedTemporaryFile(prefix="nntrain-fill-") as handle:
    for _ in range(32):                # at most 512 MB, far beyond the private folder's size
        handle.write(block)
        handle.flush()
'''
FORK_STORM = SOFTMAX + '''
import ctypes, os, signal, time
children = []
try:
    for _ in range(400):               # bounded: more than the sandbox's process limit
        pid = os.fork()
        if pid == 0:
            ctypes.CDLL(None).prctl(15, b"nntrain-storm", 0, 0, 0)
            time.sleep(600)
            os._exit(0)
        children.append(pid)
finally:
    for pid in children:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
'''


def without_tests(notebook):
    notebook.cells = [c for c in notebook.cells if not is_test_cell(c)]
    return notebook


def with_tests_emptied(notebook):
    for cell in notebook.cells:
        if is_test_cell(cell):
            cell.source = "pass"
    return notebook


@dataclass
class Kind:
    """A submission of the matrix and what grading it must give."""
    status: str
    score: object        # points; "" when not graded; or answers, scored by their tests (in process)
    words: str           # part of the detail
    answers: dict = None  # the answer cells' sources; None: the released stubs
    written: str = WRITTEN   # the written answer; None: left as released
    change: object = None   # a function that edits the notebook
    text: str = None     # the file's text instead of a notebook
    name: str = NOTEBOOK
    sandbox: bool = False   # only the sandbox stops it


WRONG = wrong_answers()
# student -> Kind: the one list of the matrix.  Submissions are graded in the order of the students'
# ids: "autostart" (which tries to plant a startup file for the kernels after it) comes first.
BATCH = {
    # good ones
    "good1": Kind("graded", FULL, "awaits manual grading", ANSWERS),
    "good2": Kind("graded", FULL, "", ANSWERS, written=None),
    "wrong": Kind("graded", WRONG, "", WRONG),
    "blank": Kind("graded", 0.0, "not attempted: softmax, cross_entropy_error"),
    # bad ones
    "autostart": Kind("outside_access", FULL, "startup/00-grading.py was blocked",
                      {**ANSWERS, "softmax": STARTUP_FILE}),
    "invalid_json": Kind("invalid_notebook", "", "not valid JSON", text='{"cells": [{"source": '),
    "empty_file": Kind("invalid_notebook", "", "is empty", text=""),
    "wrong_name": Kind("missing_notebook", "", "found cross_entropy (1).ipynb", ANSWERS,
                       name="cross_entropy (1).ipynb"),
    "deleted_tests": Kind("tampered", FULL, "test cell test_softmax_values deleted", ANSWERS,
                          change=without_tests),
    "tampered_tests": Kind("tampered", WRONG, "test cell test_softmax_values edited", WRONG,
                           change=with_tests_emptied),
    "infinite_loop": Kind("timed_out", FULL, f"cell softmax ran past the {TIMEOUT} s limit",
                          {**ANSWERS, "softmax": LOOP_AT_TOP}),
    "ignores_sigint": Kind("timed_out", "", "ignored the interrupt", {**ANSWERS, "softmax": IGNORES_SIGINT}),
    "memory_hog": Kind("memory_limit", FULL, "cell softmax ran out of memory", {**ANSWERS, "softmax": MEMORY_HOG}),
    "kernel_crash": Kind("kernel_died", "", "the kernel died in cell softmax", {**ANSWERS, "softmax": CRASH}),
    "stderr_noise": Kind("stderr", {"softmax": STDERR_NOISE}, "wrote to stderr",
                         {**ANSWERS, "softmax": STDERR_NOISE}),
    "import_error": Kind("answer_error", {"softmax": IMPORT_ERROR}, "ModuleNotFoundError",
                         {**ANSWERS, "softmax": IMPORT_ERROR}),
    "outside_write": Kind("outside_access", FULL,
                          "submitted/good1/ch01_cross_entropy/cross_entropy.ipynb was blocked",
                          {**ANSWERS, "softmax": OUTSIDE_WRITE}),
    "peek_solutions": Kind("outside_access", FULL, "solutions was blocked", {**ANSWERS, "softmax": PEEK}),
    "reference": Kind("cheating", 0.0, "softmax is nntrain.functions.softmax", {**ANSWERS, "softmax": REFERENCE}),
    "shadow_package": Kind("graded", WRONG, "", {**WRONG, "softmax": SHADOW_PACKAGE}),
    # what the guard does not see
    "native_read": Kind("answer_error", FULL, "raised FileNotFoundError: [Errno 2] No such file or directory",
                        {**ANSWERS, "softmax": NATIVE_READ}, sandbox=True),
    "native_write": Kind("answer_error", FULL, "raised OSError: No such file or directory",
                         {**ANSWERS, "softmax": NATIVE_WRITE}, sandbox=True),
    "network": Kind("answer_error", FULL, "Connection refused", {**ANSWERS, "softmax": NETWORK}, sandbox=True),
    "leftover": Kind("graded", FULL, "awaits manual grading", {**ANSWERS, "softmax": LEFTOVER}, sandbox=True),
    "fill_tmp": Kind("answer_error", FULL, "No space left on device", {**ANSWERS, "softmax": FILL_TMP},
                     sandbox=True),
    "fork_storm": Kind("answer_error", FULL, "Resource temporarily unavailable",
                       {**ANSWERS, "softmax": FORK_STORM}, sandbox=True),
}
PACKAGE = Path(__import__("nntrain").__file__).resolve().parent


def build_batch(course, port):
    """Write the submissions of BATCH; returns {student: (status, score or "", words in the detail)}."""
    release = released(course)
    expected = {}
    for student, kind in BATCH.items():
        if kind.text is not None:
            save(course, student, text=kind.text, name=kind.name)
        else:
            answers = {name: source.replace("COURSE", str(course)).replace("PACKAGE", str(PACKAGE))
                       .replace("PORT", str(port)) for name, source in (kind.answers or {}).items()}
            notebook = submission(release, answers or None, written=kind.written)
            save(course, student, kind.change(notebook) if kind.change else notebook, name=kind.name)
        score = expected_points(kind.score) if isinstance(kind.score, dict) else kind.score
        expected[student] = (kind.status, score, kind.words)
    return expected


class Listener:
    """A TCP server on 127.0.0.1 that counts the connections it gets."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            self.connections += 1
            connection.close()


