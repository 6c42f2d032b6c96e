"""File locks: one grading run per course, and one writer of a SQLite gradebook at a time."""
import contextlib
import fcntl
import os

from .errors import GradingError

_HELD = {}   # lock file -> [open handle, depth] of the exclusive locks this process holds


def acquire(lock_path):
    """Take the exclusive lock on ``lock_path``, waiting for other processes.

    Re-entrant: a second ``flock`` on a new handle of the same file in the same
    process would wait for the first one forever, so this process counts its holds.
    """
    lock_path = str(lock_path)
    held = _HELD.get(lock_path)
    if held is None:
        handle = open(lock_path, "a")
        fcntl.flock(handle, fcntl.LOCK_EX)
        held = _HELD[lock_path] = [handle, 0]
    held[1] += 1


def release(lock_path):
    held = _HELD[str(lock_path)]
    held[1] -= 1
    if held[1] == 0:
        del _HELD[str(lock_path)]
        fcntl.flock(held[0], fcntl.LOCK_UN)
        held[0].close()


@contextlib.contextmanager
def exclusive(lock_path):
    """Hold the exclusive lock on ``lock_path`` for the block (waits for other holders)."""
    os.makedirs(os.path.dirname(str(lock_path)) or ".", exist_ok=True)
    acquire(lock_path)
    try:
        yield
    finally:
        release(lock_path)


@contextlib.contextmanager
def only_one(lock_path, what):
    """Hold the lock on ``lock_path`` for the block, or raise :class:`GradingError` at once if
    another process holds it (``what`` names the thing it protects)."""
    os.makedirs(os.path.dirname(str(lock_path)) or ".", exist_ok=True)
    with open(lock_path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise GradingError(f"another grading run is using {what} (lock {handle.name})") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
