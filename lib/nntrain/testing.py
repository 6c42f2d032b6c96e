"""What the tests of the exercises use: own-work checks and comparisons that trust nothing.

Every exercise notebook's tests import their helpers from here, so that a
student notebook opens with a short setup cell instead of pages of checking
code.  Two kinds of helper:

* **Own work.** :func:`check_own_work` fails a test when the answer being
  tested is the course package's own code (imported, called, subclassed or
  wrapped): the package holds the reference implementation of what the lessons
  teach, and copying it by import teaches nothing.
* **Honest values.** A test must not be fooled by what an answer returns, nor
  by changes an answer makes to the functions a test relies on.
  :func:`plain_array` and :func:`plain_number` accept only plain NumPy arrays
  and plain numbers (an array subclass or an object with its own ``__eq__``
  can claim to equal anything), and :func:`assert_close` compares with
  functions captured when this module was imported and with the methods of
  ``numpy.ndarray`` itself, which no notebook code can replace.

Every check raises ``AssertionError`` with a message that says what was
expected and what arrived, as nbgrader's tests do.
"""
import warnings

import numpy as np

# Captured once, before any answer runs: the tests keep using these even if an
# answer later rebinds numpy.isclose, numpy.absolute or warnings.simplefilter.
_absolute = np.absolute
_isfinite = np.isfinite
_asarray = np.asarray
_catch_warnings = warnings.catch_warnings
_simplefilter = warnings.simplefilter
_ndarray = np.ndarray
_PLAIN_SCALARS = frozenset({int, float, np.float16, np.float32, np.float64, np.longdouble,
                            np.int8, np.int16, np.int32, np.int64,
                            np.uint8, np.uint16, np.uint32, np.uint64})

PACKAGE = "nntrain"


# --------------------------------------------------------------------------
# Own work
# --------------------------------------------------------------------------

def _from_package(obj):
    """Whether ``obj`` (a function, class or module) was defined in the package."""
    origin = getattr(obj, "__module__", None) or getattr(obj, "__name__", "")
    return isinstance(origin, str) and (origin == PACKAGE or origin.startswith(PACKAGE + "."))


def _code_names(code):
    """Every global or attribute name that ``code`` and its nested functions refer to."""
    names = set(code.co_names)
    for const in code.co_consts:
        if hasattr(const, "co_names"):
            names |= _code_names(const)
    return names


def _codes_of(obj):
    """The code objects of a function, or of every method of a class (and its bases)."""
    if isinstance(obj, type):
        members = [m for klass in obj.__mro__[:-1] for m in vars(klass).values()]
    else:
        members = [obj]
    codes = []
    for member in members:
        for func in (member, getattr(member, "__func__", None), getattr(member, "fget", None),
                     getattr(member, "fset", None), getattr(member, "__wrapped__", None)):
            code = getattr(func, "__code__", None)
            if code is not None:
                codes.append((code, getattr(func, "__globals__", {})))
    return codes


def uses_package(obj, allowed=()):
    """Whether ``obj`` is, subclasses, imports or calls code of the course package.

    ``obj`` is a function or a class.  Follows every name its code refers to
    (nested functions, methods, and the notebook's own functions it calls):
    an ``import nntrain`` anywhere, an attribute named like a package module,
    or a global that is an object of the package counts.  Names in
    ``allowed`` may come from the package (for example a helper the exercise
    hands out).
    """
    seen, todo = set(), [obj]
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if _from_package(current) or _from_package(type(current)):
            return True
        if isinstance(current, type) and any(_from_package(base) for base in current.__mro__):
            return True
        for code, scope in _codes_of(current):
            names = _code_names(code) - set(allowed)
            # "import nntrain", "import nntrain.networks", "from nntrain import x" all name it
            if PACKAGE in names or any(name.startswith(PACKAGE + ".") for name in names):
                return True
            todo += [scope[name] for name in names if name in scope]
    return False


def holds_package_object(instance):
    """Whether an object's attributes (or the items of its lists, tuples and dicts) come from the package."""
    for value in getattr(instance, "__dict__", {}).values():
        items = value.values() if isinstance(value, dict) else value \
            if isinstance(value, (list, tuple)) else ()
        if _from_package(type(value)) or any(_from_package(type(item)) for item in items):
            return True
    return False


def check_own_work(obj, name, *instances, allowed=()):
    """Fail unless ``obj`` (and the ``instances`` made from it) is the student's own code.

    ``name`` is what the exercise calls it, for the message.  Raises
    ``AssertionError`` if :func:`uses_package` is true, or if an instance
    holds an object of the package (a class that wraps the package's network).
    """
    if uses_package(obj, allowed) or any(holds_package_object(i) for i in instances):
        raise AssertionError(f"write {name} yourself: code from the course package "
                             f"{PACKAGE} scores nothing here")


# --------------------------------------------------------------------------
# Honest values
# --------------------------------------------------------------------------

def plain_array(value, what, shape=None):
    """A float64 copy of ``value`` after checking it is a plain ``numpy.ndarray`` of numbers.

    ``what`` names the value in the message ("softmax(a)").  Subclasses of
    ``ndarray`` (which can override comparisons), lists and other objects are
    refused, as are arrays of anything but real numbers.  With ``shape``
    (a tuple) the array must have exactly that shape.
    """
    if type(value) is not _ndarray:
        raise AssertionError(f"{what} should be a NumPy array (numpy.ndarray), "
                             f"got {type(value).__module__}.{type(value).__qualname__}")
    if value.dtype.kind not in "biuf":
        raise AssertionError(f"{what} should hold real numbers, got dtype {value.dtype}")
    if shape is not None and value.shape != tuple(shape):
        raise AssertionError(f"{what} should have shape {tuple(shape)}, got shape {value.shape}")
    return value.astype(np.float64)  # a new, plain array: later changes to value do not matter


def plain_number(value, what):
    """``value`` as a Python float after checking it is a plain number.

    Accepted: ``int``, ``float``, NumPy's integer and float scalars, and a
    plain 0-d ``ndarray`` of numbers.  Booleans, arrays of other shapes and
    objects that merely behave like numbers are refused.
    """
    if type(value) is _ndarray and value.ndim == 0:
        return float(plain_array(value, what)[()])
    if type(value) not in _PLAIN_SCALARS:
        raise AssertionError(f"{what} should be a single number (a float), got "
                             f"{type(value).__module__}.{type(value).__qualname__}"
                             + (f" of shape {value.shape}" if type(value) is _ndarray else ""))
    return float(value)


def is_close(actual, expected, rtol=1e-7, atol=0.0):
    """Whether every entry of ``actual`` is within ``atol + rtol * |expected|`` of ``expected``.

    Both are converted to float64 arrays first; shapes must be equal
    (nothing is broadcast); ``nan`` or ``inf`` on either side is never close.  Uses only captured ufuncs and methods of ``numpy.ndarray``.
    """
    actual = _asarray(actual, dtype=np.float64)
    expected = _asarray(expected, dtype=np.float64)
    if actual.shape != expected.shape or not (_isfinite(actual).all() and _isfinite(expected).all()):
        return False
    within = _absolute(actual - expected) <= atol + rtol * _absolute(expected)
    return bool(within.all())


def assert_close(actual, expected, message, rtol=1e-7, atol=0.0):
    """Raise ``AssertionError(message)`` unless :func:`is_close` holds.

    ``actual`` must already be plain (from :func:`plain_array` or
    :func:`plain_number`): this function never calls methods of the object
    an answer returned.
    """
    if not is_close(actual, expected, rtol, atol):
        raise AssertionError(message)


def call_without_warnings(func, *args, what=None, hint=""):
    """``func(*args)``, failing with a clear message if it warns (overflow, log of 0, ...).

    Warnings are turned into errors with the functions captured at import,
    so an answer that silences or rebinds ``warnings`` does not change this
    test.  ``what`` names the call in the message (default: the function's
    name); ``hint`` is added after it.
    """
    what = what or f"{getattr(func, '__name__', 'the function')}(...)"
    with _catch_warnings():
        _simplefilter("error")
        try:
            return func(*args)
        except Warning as warning:
            raise AssertionError(f"{what} warned: {type(warning).__name__}: {warning}"
                                 + (f"; {hint}" if hint else "")) from None
