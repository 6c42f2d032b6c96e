"""Tricks: submissions of the chapter 1 assignment whose answers are wrong, and which change what
the tests rely on (or return values that misreport themselves) to score anyway.  Next to them,
correct answers written in unusual ways, which must keep every point.

Each :class:`Trick` replaces the source of one answer cell (``cell``) by a wrong answer
(``wrong``) followed by the trick; the other answers are the solution's.  Every test from the
trick's cell on must score 0 (or from ``from_test``, the first test that uses a name the trick
shadows), while the tests before it keep what they give the answers without the trick; a value
that misreports itself must lose only the tests it reaches (``only``).  ``words`` must appear in
the status detail.  tests/grading/test_tricks.py grades them all with the real grading tool.
"""
from dataclasses import dataclass


@dataclass
class Trick:
    name: str        # what the trick does, for the report
    cell: str        # the answer cell it is written in
    wrong: str       # the wrong answer under the trick
    trick: str       # the code of the trick, after the answer
    words: str       # part of the status detail
    from_test: str = None   # the first test it loses (default: the first after its cell)
    only: tuple = None      # a misreporting value: the only tests it loses

    @property
    def source(self):
        return self.wrong + self.trick


@dataclass
class Honest:
    name: str
    answers: dict    # answer cell -> source (the rest: the solution's)


# Wrong answers the tricks try to pass off (from the wrong-answer catalogue's mistakes).
WRONG_SOFTMAX = '''
def softmax(a):
    exp_a = np.exp(a)                  # no shift: overflows for large scores
    return exp_a / np.max(exp_a)       # and not normalised
'''
WRONG_CEE = '''
def cross_entropy_error(y, t):
    return -np.sum(t * np.log10(y + 1e-7))     # log10 instead of the natural log
'''

TRICKS = {
    "rebinds_isclose": Trick(
        "rebinds NumPy's comparisons (np.isclose, np.allclose) to always say yes", "softmax",
        WRONG_SOFTMAX, '''
np.isclose = lambda a, b, *args, **kwargs: np.ones(np.shape(a), dtype=bool)
np.allclose = lambda *args, **kwargs: True
''', "numpy.allclose was replaced"),
    "replaces_np_array": Trick(
        "replaces np.array, so the tests' inputs are what the answer expects", "softmax",
        WRONG_SOFTMAX, '''
_array = np.array
def _rigged_array(values, *args, **kwargs):
    return _array(values, *args, **kwargs)
np.array = _rigged_array
''', "numpy.array was replaced"),
    "patches_testing": Trick(
        "patches the test helpers in nntrain.testing", "softmax",
        WRONG_SOFTMAX, '''
import nntrain.testing
nntrain.testing.assert_close = lambda *args, **kwargs: None
nntrain.testing.is_close = lambda *args, **kwargs: True
''', "nntrain.testing.assert_close was replaced"),
    "rebinds_helpers": Trick(
        "rebinds the notebook's test helpers (assert_close, is_close) to accept anything", "softmax",
        WRONG_SOFTMAX, '''
def assert_close(*args, **kwargs):
    pass

def is_close(*args, **kwargs):
    return True
''', "the notebook's assert_close, which the tests use, was replaced"),
    "fake_numpy": Trick(
        "rebinds the notebook's np to a fake NumPy", "softmax",
        WRONG_SOFTMAX, '''
import numpy


class FakeNumpy:
    def __getattr__(self, name):
        return getattr(numpy, name)

    def allclose(self, *args, **kwargs):
        return True


np = FakeNumpy()
''', "the notebook's np, which the tests use, was replaced"),
    "silences_traceback": Trick(
        "silences IPython's error display, so a failing test shows no error", "softmax",
        WRONG_SOFTMAX, '''
shell = get_ipython()
shell.showtraceback = lambda *args, **kwargs: None
shell._showtraceback = lambda *args, **kwargs: None
''', "IPython's shell.showtraceback was replaced"),
    "custom_exception_handler": Trick(
        "handles AssertionError with IPython's custom exception hook, which shows nothing", "softmax",
        WRONG_SOFTMAX, '''
get_ipython().set_custom_exc((AssertionError,), lambda shell, etype, value, tb, tb_offset=None: None)
''', "IPython's shell.custom_exceptions was replaced"),
    "excepthook": Trick(
        "installs its own excepthook (sys.excepthook, and IPython's, which it installs for every cell)",
        "softmax", WRONG_SOFTMAX, '''
import sys


def quiet(*args, **kwargs):
    return None


sys.excepthook = quiet
get_ipython().excepthook = quiet
''', "IPython's shell.excepthook was replaced"),
    "replaces_builtin": Trick(
        "replaces built-ins the tests use (abs, round)", "cross_entropy_error",
        WRONG_CEE, '''
import builtins
builtins.abs = lambda value: 0.0
builtins.round = lambda value, digits=0: value
''', "builtins.abs was replaced"),
    "shadows_builtin": Trick(
        "shadows the built-in abs with a notebook name", "cross_entropy_error",
        WRONG_CEE, '''
def abs(value):
    return 0.0
''', "the built-in abs, which the tests use, was shadowed", from_test="test_cee_delta"),
    "rebinds_assertion_error": Trick(
        "rebinds AssertionError", "softmax",
        WRONG_SOFTMAX, '''
import builtins
builtins.AssertionError = type("AssertionError", (Exception,), {})
''', "builtins.AssertionError was replaced"),
    "rewrites_test_cells": Trick(
        "adds an input transformer that rewrites every later cell to pass", "softmax",
        WRONG_SOFTMAX, '''
get_ipython().input_transformers_post.append(lambda lines: ["pass\\n"])
''', "input_transformers_post was changed"),
    "removes_grading_hooks": Trick(
        "removes every IPython callback that runs before and after a cell (the grading kernel's own)",
        "softmax", WRONG_SOFTMAX, '''
shell = get_ipython()
for event in ("pre_run_cell", "post_run_cell"):
    for callback in list(shell.events.callbacks[event]):
        shell.events.unregister(event, callback)
''', "the grading kernel's check before test test_softmax_values did not run"),
    "ignores_warnings": Trick(
        "silences every warning (the tests require none)", "softmax",
        WRONG_SOFTMAX, '''
import warnings
warnings.filterwarnings("ignore")
''', "the warnings filters were changed"),
    "ndarray_equals_anything": Trick(
        "returns an ndarray subclass that equals anything", "softmax", "", '''
class Anything(np.ndarray):
    def __eq__(self, other):
        return np.ones(self.shape, dtype=bool)

    def __array_function__(self, func, types, args, kwargs):
        return True


def softmax(a):
    return np.zeros(len(a)).view(Anything)
''', "(__main__.Anything) instead of a plain value",
        only=("test_softmax_values", "test_softmax_overflow", "test_softmax_hidden")),
    "object_equals_anything": Trick(
        "returns an object whose __eq__ is always True", "cross_entropy_error", "", '''
class Yes(float):
    def __eq__(self, other):
        return True

    def __lt__(self, other):
        return True

    def __gt__(self, other):
        return True


def cross_entropy_error(y, t):
    return Yes(0.0)
''', "(__main__.Yes) instead of a plain value",
        only=("test_cee_values", "test_cee_delta", "test_cee_hidden")),
}

HONEST = {
    "float32": Honest("cross-entropy computed and returned in float32", {"cross_entropy_error": '''
def cross_entropy_error(y, t):
    y32, t32 = np.asarray(y, dtype=np.float32), np.asarray(t, dtype=np.float32)
    return -np.sum(t32 * np.log(y32 + np.float32(1e-7)))
'''}),
    "zero_d_array": Honest("a 0-d array for a number", {"cross_entropy_error": '''
def cross_entropy_error(y, t):
    delta = 1e-7
    return np.asarray(-np.sum(t * np.log(y + delta)))
'''}),
    "python_float": Honest("a Python float instead of np.float64", {"cross_entropy_error": '''
def cross_entropy_error(y, t):
    delta = 1e-7
    return float(-np.sum(t * np.log(y + delta)))
'''}),
    "local_warnings": Honest("warnings and NumPy's error state changed only inside the function", {"softmax": '''
import warnings


def softmax(a):
    if np.ndim(a) != 1:
        warnings.warn("softmax expects a 1-D array", stacklevel=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with np.errstate(over="raise"):
            exp_a = np.exp(a - np.max(a))
    return exp_a / np.sum(exp_a)
'''}),
    "own_numpy_names": Honest("its own helpers named like NumPy's (exp, allclose, array)", {"softmax": '''
def exp(x):
    return np.exp(x)


def allclose(a, b):
    return bool(np.all(np.abs(np.asarray(a) - np.asarray(b)) < 1e-9))


def array(values):
    return np.asarray(values, dtype=float)


def softmax(a):
    shifted = array(a) - np.max(a)
    out = exp(shifted) / np.sum(exp(shifted))
    assert allclose(np.sum(out), 1.0)
    return out
'''}),
    "numpy_star_import": Honest("from numpy import * (NumPy's abs, max and sum stand in for the built-ins)",
                                {"softmax": '''
from numpy import *


def softmax(a):
    exp_a = exp(a - max(a))
    return exp_a / sum(exp_a)
'''}),
    "matplotlib_and_printing": Honest("draws a figure and prints while it works", {"softmax": '''
import matplotlib.pyplot as plt


def softmax(a):
    exp_a = np.exp(a - np.max(a))
    return exp_a / np.sum(exp_a)


figure, axes = plt.subplots()
axes.bar(range(3), softmax(np.array([0.1, 0.9, 0.8])))
plt.close(figure)
print("softmax drawn")
'''}),
}
