"""Numerical differentiation, gradients and gradient descent: chapters 3 to 5.

Conventions of this module:

* ``f`` is a Python function.  For :func:`numerical_diff` it maps a number to
  a number; for the others it maps a float array ``x`` (any shape) to a single
  number, the value to be minimised (a loss).
* ``h`` is the step of the central difference, ``1e-4`` by default: its
  truncation error is of order ``h**2`` and, in float64, its rounding error is
  up to about ``eps * |f| / (2 * h)``; ``1e-4`` keeps both small.
* ``f`` computes its value from the array it is given.  For a network's loss,
  build the network from that array (``lambda W: SimpleNet(W).loss(x, t)``),
  never a function that reads the network's own weights and ignores its
  argument (chapter 6).
* Arrays of numbers are float64 unless said otherwise.
"""
import numbers

import numpy as np

from .functions import check_positive


def numerical_diff(f, x, h=1e-4):
    """Central-difference derivative of a scalar function ``f`` at the number ``x``.

    Returns ``(f(x + h) - f(x - h)) / (2h)``, whose error is of order ``h**2``.
    ``x`` is a number (or, for an element-wise ``f``, an array: the result then
    has ``x``'s shape).  ``h`` must be a positive, finite number.
    """
    if not callable(f):
        raise TypeError(f"f must be a function, got {type(f).__name__}")
    check_positive("h", h)
    return (f(x + h) - f(x - h)) / (2 * h)


def _single_number(value):
    """``value`` as a 0-d array (dtype kept); ``f`` must return one real number."""
    value = np.asarray(value)
    if value.size != 1:
        raise ValueError(
            "f must return a single number (the value to minimise), "
            f"got an array of shape {value.shape}"
        )
    if value.dtype.kind not in "biuf":
        raise TypeError(f"f must return a real number, got {value!r} of dtype {value.dtype}")
    return value.reshape(())


def numerical_gradient(f, x, h=1e-4):
    """Gradient of ``f`` at ``x`` by central differences, one entry at a time.

    ``x`` is a float array of any shape (float64, float32, ...); ``f(x)``
    returns a number.  Returns an array of ``x``'s shape and dtype whose entry
    ``idx`` is ``(f(x + h e_idx) - f(x - h e_idx)) / (2h)``.

    ``f`` must compute its value from the array it is given (see the module
    docstring).  Each entry of ``x`` is nudged *in place*, so no copy of ``x``
    is made, and restored afterwards: ``x`` is left exactly as it was found,
    even if ``f`` raises.

    Raises ``TypeError`` if ``x`` is not a NumPy array of floats.  An integer
    array cannot hold the nudges: storing ``x[idx] + h`` or ``x[idx] - h``
    truncates it toward zero (3 + h is stored as 3, 3 - h as 2), so the
    gradient would silently be wrong, for ``x0**2 + x1**2`` at ``[3, 4]``
    ``[25000, 35000]`` instead of ``[6, 8]`` (chapter 4).
    """
    if not callable(f):
        raise TypeError(f"f must be a function, got {type(f).__name__}")
    if not isinstance(x, np.ndarray):
        raise TypeError(
            f"x must be a NumPy array of floats, got {type(x).__name__}; "
            "use np.array(x, dtype=float)"
        )
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(
            f"x must be a float array (x + h and x - h cannot be stored in it), got dtype {x.dtype}; "
            "convert it first, e.g. x.astype(float)"
        )
    if not x.flags.writeable:
        raise ValueError("x must be a writeable array: its entries are nudged in place and restored")
    check_positive("h", h)
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        original = x[idx]
        try:
            x[idx] = original + h
            f_plus = _single_number(f(x))
            x[idx] = original - h
            f_minus = _single_number(f(x))
        finally:
            x[idx] = original
        grad[idx] = (f_plus - f_minus) / (2 * h)
    return grad


def _start_point(init_x):
    """A float64 copy of ``init_x`` (array-like of real numbers)."""
    x = np.asarray(init_x)
    if x.dtype.kind not in "iuf":
        raise TypeError(f"init_x must be an array of real numbers, got dtype {x.dtype}")
    x = np.array(x, dtype=np.float64)  # always a copy
    if not np.all(np.isfinite(x)):
        raise ValueError(f"init_x must be finite, got {x}")
    return x


def _check_schedule(lr, step_num):
    """Raise unless ``lr`` is a positive number and ``step_num`` a whole number >= 0."""
    check_positive("lr", lr)
    if isinstance(step_num, (bool, np.bool_)) or not isinstance(step_num, numbers.Integral):
        raise TypeError(f"step_num must be a whole number, got {type(step_num).__name__} {step_num!r}")
    if step_num < 0:
        raise ValueError(f"step_num must be 0 or more, got {step_num}")


def descent_path(f, init_x, lr=0.01, step_num=100):
    """Every point visited by gradient descent, shape ``(step_num + 1, *init_x.shape)``.

    Starts from a float64 copy of ``init_x`` (any shape; integers are
    converted; ``init_x`` itself is never modified) and takes ``step_num``
    steps ``x <- x - lr * grad f(x)`` with :func:`numerical_gradient`.
    Row 0 of the result is the start, row ``k`` the point after ``k`` steps.
    ``lr`` must be a positive number and ``step_num`` a whole number >= 0.
    """
    _check_schedule(lr, step_num)
    x = _start_point(init_x)  # a copy: the caller's array stays as it was
    path = np.empty((step_num + 1, *x.shape))
    path[0] = x
    for k in range(1, step_num + 1):
        x -= lr * numerical_gradient(f, x)
        path[k] = x
    return path


def gradient_descent(f, init_x, lr=0.01, step_num=100):
    """The point reached after ``step_num`` steps of gradient descent from ``init_x``.

    A float64 array of ``init_x``'s shape; ``init_x`` itself is not modified
    (see :func:`descent_path` for the arguments).
    """
    return descent_path(f, init_x, lr, step_num)[-1]


def relative_error(a, b):
    """The worst entry-by-entry disagreement of two arrays of the same shape, as a float.

    The largest entry of ``|a - b| / max(|a| + |b|, 1e-12)``: 0 for equal
    arrays, at most 1 (entries of opposite sign).  Because every entry counts
    on its own, one tiny entry can set the result.  Comparing a correct
    backprop gradient with :func:`numerical_gradient` gives about ``1e-7`` to
    ``1e-6`` on small networks and a few ``1e-6`` on MNIST-sized ones
    (``3e-6`` for a 784-3-10 TwoLayerNet), set by entries hundreds of times
    smaller than the largest, beside which the central difference's rounding
    error (a few ``1e-12``) is no longer negligible.

    To judge a whole gradient use :func:`nntrain.training.relative_difference`,
    the norm-based measure :func:`nntrain.training.check_gradient` uses:
    entries count by their size, so the rounding error of tiny entries
    cannot dominate, and a correct gradient gives less than ``1e-6``.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    if a.size == 0:
        raise ValueError("a and b are empty: there is nothing to compare")
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-12)))
