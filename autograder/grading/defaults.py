"""The one source of the grading tools' defaults: limits, workers and where they can be overridden.

``nbgrader_config.py`` (cell timeout), the command line's help, the runner and
the instructor guide (checked by the tests) all read them from here.  This
module uses the standard library only: ``nbgrader_config.py`` loads it by path.
"""
import os

#: seconds a cell may run before nbgrader interrupts it (nbgrader's ``Execute.timeout``)
CELL_TIMEOUT = 60
#: address-space limit of each grading kernel, in MB (0: none)
MEMORY_MB = 4096
#: size of each kernel's private temporary folder (a tmpfs in the sandbox), in MB
TMP_MB = 256
#: processes (threads included) a sandboxed kernel may run at once
PROCESSES = 128
#: how grading kernels are isolated: "auto" (the sandbox where it can run), "on" (required), "off"
SANDBOX = "auto"

#: environment variables that override the defaults (the Makefile's TIMEOUT=, MEMORY=, JOBS=
#: become command-line options instead)
ENV_TIMEOUT = "NNTRAIN_CELL_TIMEOUT"
ENV_MEMORY = "NNTRAIN_KERNEL_MEMORY_MB"
ENV_JOBS = "NNTRAIN_GRADING_JOBS"
ENV_SANDBOX = "NNTRAIN_SANDBOX"
ENV_REQUIRE_SANDBOX = "NNTRAIN_REQUIRE_SANDBOX"
#: where a machine keeps what its grading runs share (matplotlib's font list, an empty gradebook)
ENV_CACHE = "NNTRAIN_GRADING_CACHE"

#: a submission's wall-clock budget: BUDGET_BASE s plus (timeout + BUDGET_PER_CELL) s for each
#: code cell, counting BUDGET_EXTRA_CELLS more for cells students add
BUDGET_BASE = 60
BUDGET_PER_CELL = 10
BUDGET_EXTRA_CELLS = 10
#: seconds a worker may take to report once its kernel was killed, before it is replaced
GRACE_SECONDS = 20


def cores():
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _number(variable, fallback):
    value = os.environ.get(variable, "").strip()
    if not value:
        return fallback
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{variable} must be a whole number, got {value!r}") from None


def cell_timeout():
    """Seconds per cell: ``$NNTRAIN_CELL_TIMEOUT`` or :data:`CELL_TIMEOUT`."""
    return _number(ENV_TIMEOUT, CELL_TIMEOUT)


def memory_mb():
    """MB per kernel: ``$NNTRAIN_KERNEL_MEMORY_MB`` or :data:`MEMORY_MB`."""
    return _number(ENV_MEMORY, MEMORY_MB)


def jobs():
    """Worker processes: ``$NNTRAIN_GRADING_JOBS`` or one per core."""
    return _number(ENV_JOBS, cores())


def sandbox():
    """Isolation mode: ``on`` when ``$NNTRAIN_REQUIRE_SANDBOX=1``, else ``$NNTRAIN_SANDBOX`` or
    :data:`SANDBOX`."""
    if os.environ.get(ENV_REQUIRE_SANDBOX) == "1":
        return "on"
    value = os.environ.get(ENV_SANDBOX, "").strip().lower() or SANDBOX
    if value not in ("auto", "on", "off"):
        raise ValueError(f"{ENV_SANDBOX} must be auto, on or off, got {value!r}")
    return value


def cache_root():
    """The folder of what a machine's grading runs share: ``$NNTRAIN_GRADING_CACHE``, else
    ``nntrain-grading`` under ``$XDG_CACHE_HOME`` (default ``~/.cache``)."""
    if os.environ.get(ENV_CACHE, "").strip():
        return os.path.expanduser(os.environ[ENV_CACHE].strip())
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "nntrain-grading")


def budget(code_cells, timeout):
    """Seconds a submission with ``code_cells`` code cells may take in all."""
    return BUDGET_BASE + (code_cells + BUDGET_EXTRA_CELLS) * (timeout + BUDGET_PER_CELL)
