"""Numerical differentiation, gradients and gradient descent: chapters 3 to 5."""
import numpy as np


def numerical_diff(f, x, h=1e-4):
    """Central-difference derivative of a scalar function ``f`` at the number ``x``.

    ``(f(x + h) - f(x - h)) / (2h)`` has error of order ``h**2``; ``h = 1e-4``
    balances that against rounding error in float64.
    """
    return (f(x + h) - f(x - h)) / (2 * h)


def numerical_gradient(f, x, h=1e-4):
    """Gradient of ``f`` at ``x`` by central differences, one entry at a time.

    ``x`` is a float array of any shape; ``f(x)`` returns a number.  Returns an
    array of ``x``'s shape and dtype.  Each entry of ``x`` is nudged *in place*
    (so that an ``f`` which reads ``x`` through another object, such as a
    network's weights, sees the change) and restored afterwards, so ``x`` is
    left exactly as it was found, even if ``f`` raises.
    """
    if not isinstance(x, np.ndarray):
        raise TypeError(f"x must be a NumPy array, got {type(x).__name__}")
    if not np.issubdtype(x.dtype, np.floating):
        raise TypeError(
            f"x must be a float array (x + h is rounded back into x), got dtype {x.dtype}; "
            "convert it first, e.g. x.astype(float)"
        )
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        original = x[idx]
        try:
            x[idx] = original + h
            f_plus = f(x)
            x[idx] = original - h
            f_minus = f(x)
        finally:
            x[idx] = original
        grad[idx] = (f_plus - f_minus) / (2 * h)
    return grad


def descent_path(f, init_x, lr=0.01, step_num=100):
    """Every point visited by gradient descent, shape ``(step_num + 1, *init_x.shape)``.

    Starts from a float copy of ``init_x`` (which is never modified) and takes
    ``step_num`` steps ``x <- x - lr * grad f(x)`` with the numerical gradient.
    """
    x = np.array(init_x, dtype=float)  # a copy: the caller's array stays as it was
    path = [x.copy()]
    for _ in range(step_num):
        x -= lr * numerical_gradient(f, x)
        path.append(x.copy())
    return np.array(path)


def gradient_descent(f, init_x, lr=0.01, step_num=100):
    """The point reached after ``step_num`` steps of gradient descent from ``init_x``.

    Same shape as ``init_x``; ``init_x`` itself is not modified.
    """
    return descent_path(f, init_x, lr, step_num)[-1]


def relative_error(a, b):
    """Largest entry of ``|a - b| / max(|a| + |b|, 1e-12)``: how far two gradients disagree."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-12)))
