"""The one error type of the grading tools."""


class GradingError(Exception):
    """Something the instructor must fix (an unknown assignment, a missing file, a course that
    another run holds, a sandbox that is required but cannot run).  The command line prints
    the message and exits with status 2; library code never exits by itself."""
