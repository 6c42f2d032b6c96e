"""Activation and loss functions: chapters 1 and 2.

Shapes used throughout the course:

* ``N`` is the batch size (number of samples),
* ``C`` is the number of classes.

A single sample is a 1-D array of shape ``(C,)``; a batch is a 2-D array of
shape ``(N, C)``.  Targets are either one-hot arrays with the same shape as the
prediction, or integer class labels of shape ``()`` / ``(N,)``.

The module also holds the input checks the other modules share:
:func:`as_float_array`, :func:`check_positive`, :func:`check_labels` and
:func:`labels_from_one_hot`.
"""
import numbers

import numpy as np

#: Added inside the logarithm of the cross-entropy so that ``log(0)`` never
#: happens.  It caps the loss of one sample at ``-log(1e-7)``, about 16.1 (chapter 1).
DELTA = 1e-7


def as_float_array(x, name):
    """Return ``x`` as a floating-point NumPy array (float arrays are not copied).

    Float input keeps its dtype (float32 stays float32); integer and boolean
    input is converted to float64.  Anything else (strings, complex numbers,
    objects) raises ``TypeError`` naming the argument ``name``.
    """
    x = np.asarray(x)
    if np.issubdtype(x.dtype, np.floating):
        return x
    if np.issubdtype(x.dtype, np.integer) or x.dtype == np.bool_:
        return x.astype(np.float64)
    raise TypeError(f"{name} must be an array of real numbers, got dtype {x.dtype}")


def check_positive(name, value, kind=numbers.Real):
    """Raise unless ``value`` is a positive, finite number of ``kind``.

    ``kind`` is ``numbers.Real`` (any real number, NumPy's included) or
    ``numbers.Integral`` (whole numbers only).  Raises ``TypeError`` naming
    the argument ``name`` when ``value`` is not a number of that kind
    (booleans are refused too) and ``ValueError`` when it is 0, negative,
    ``nan`` or ``inf``.
    """
    if kind is numbers.Integral:
        expected = "a positive whole number"
    else:
        expected = "a positive, finite number"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, kind):
        raise TypeError(f"{name} must be {expected}, got {type(value).__name__} {value!r}")
    if not (np.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be {expected}, got {value!r}")


def sigmoid(x):
    """Logistic function ``1 / (1 + exp(-x))``, element-wise.

    ``x`` may have any shape; the result has the same shape, dtype float
    (float32 stays float32, integers become float64) and values in ``[0, 1]``.
    Written as ``0.5 * (1 + tanh(x / 2))``, which is the same function but
    never overflows, so large negative inputs give 0 without a warning.
    """
    x = as_float_array(x, "x")
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def softmax(a):
    """Turn scores into probabilities.

    ``a`` has shape ``(C,)`` for one sample or ``(N, C)`` for a batch; the
    result has the same shape (float; integers become float64) and every row
    sums to 1.  Each row is normalised on its own (not the whole batch at
    once), and its own maximum is subtracted first so that ``exp`` cannot
    overflow.  ``a`` itself is not modified.
    """
    a = as_float_array(a, "a")
    if a.ndim not in (1, 2) or a.shape[-1] == 0:
        raise ValueError(
            "softmax expects scores of shape (C,) or a batch of shape (N, C) "
            f"with C >= 1, got shape {a.shape}"
        )
    exp_a = np.exp(a - a.max(axis=-1, keepdims=True))
    return exp_a / exp_a.sum(axis=-1, keepdims=True)


def one_hot(labels, num_classes):
    """Integer labels of shape ``(N,)`` -> one-hot float64 array of shape ``(N, num_classes)``.

    A single label (shape ``()``) gives shape ``(num_classes,)``.  Labels must
    be integers in ``0..num_classes-1`` (see :func:`check_labels`); labels of
    any other shape, e.g. a column ``(N, 1)``, raise ``ValueError``.
    """
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) \
            or num_classes < 1:
        raise TypeError(f"num_classes must be a positive integer, got {num_classes!r}")
    labels = check_labels(labels, num_classes)
    if labels.ndim > 1:
        raise ValueError(
            f"one_hot expects integer labels of shape (N,) or a single label, got shape "
            f"{labels.shape}; flatten a column of labels first, e.g. labels.ravel()"
        )
    return np.eye(num_classes)[labels]


def check_labels(labels, num_classes):
    """Return integer ``labels`` unchanged after checking they lie in ``0..num_classes-1``.

    ``labels`` may have any shape.  Raises ``TypeError`` for non-integer
    labels (floats and booleans included) and ``ValueError`` for labels out
    of range.
    """
    labels = np.asarray(labels)
    if not np.issubdtype(labels.dtype, np.integer):
        raise TypeError(
            f"integer class labels expected (0..{num_classes - 1}), got dtype {labels.dtype}; "
            "whole-number floats can be converted with labels.astype(int)"
        )
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(
            f"class labels must lie in 0..{num_classes - 1}, "
            f"got values from {labels.min()} to {labels.max()}"
        )
    return labels


def labels_from_one_hot(t, name="t"):
    """Class labels ``(N,)`` of the one-hot targets ``t`` of shape ``(N, C)``.

    Label ``i`` is the column of the 1 in row ``i``.  Raises ``ValueError``
    (naming the argument ``name``) unless every row of ``t`` holds a single 1
    and 0 elsewhere: probabilities such as ``[0.3, 0.7]``, rows with two 1s
    or none are not one-hot, and taking their largest entry would hide the
    mistake.
    """
    t = np.asarray(t)
    if t.ndim != 2 or t.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be a one-hot array of numbers of shape (N, C), "
                         f"got shape {t.shape} and dtype {t.dtype}")
    is_one_hot_row = np.all((t == 0) | (t == 1), axis=1) & (t.sum(axis=1) == 1)
    if not is_one_hot_row.all():
        row = int(np.argmin(is_one_hot_row))  # the first row that is not one-hot
        raise ValueError(f"{name} of shape {t.shape} must be one-hot, with a single 1 in every "
                         f"row and 0 elsewhere; row {row} is {t[row]}")
    return t.argmax(axis=1)


def label_indices(t, y_shape):
    """Class indices ``(N,)`` of targets ``t`` for predictions of shape ``y_shape = (N, C)``.

    ``t`` is either one-hot with shape ``(N, C)`` (checked by
    :func:`labels_from_one_hot`) or integer labels with shape ``(N,)`` in
    ``0..C-1`` (checked by :func:`check_labels`).  Any other shape raises
    ``ValueError`` (nothing is broadcast).
    """
    n, c = y_shape
    t = np.asarray(t)
    if t.shape == (n, c):
        return labels_from_one_hot(t)
    if t.shape == (n,):
        return check_labels(t, c)
    hint = "; flatten a column of labels first, e.g. t.ravel()" if t.shape == (n, 1) else ""
    raise ValueError(
        f"targets must be one-hot with shape {(n, c)} or integer labels with "
        f"shape {(n,)}, got shape {t.shape}{hint}"
    )


def _one_sample_target(t, y_shape):
    """The target ``t`` of one sample (``y`` of shape ``(C,)``) as a batch of one."""
    (c,) = y_shape
    if t.shape in ((c,), (1, c)):
        return t.reshape(1, c)
    if t.shape in ((), (1,)):
        return t.reshape(1)
    raise ValueError(
        f"for one sample y of shape {(c,)}, t must be one-hot with shape {(c,)} "
        f"or a single integer label, got shape {t.shape}"
    )


def cross_entropy_error(y, t):
    """Mean cross-entropy of predicted probabilities ``y`` against targets ``t``.

    ``y`` (float, values in ``[0, 1]``) has shape ``(C,)`` for one sample or
    ``(N, C)`` for a batch of ``N >= 1`` samples.  ``t`` is one-hot with the
    same shape as ``y``, or integer labels in ``0..C-1`` of shape ``(N,)``
    (one label, shape ``()``, for one sample).  A 1-D ``y`` is treated as a
    batch of one.  Returns a Python float: the sum over the batch of
    ``-sum_k t_k log(y_k + DELTA)`` divided by ``N``, i.e. the *mean* loss
    per sample.  Mismatched shapes raise ``ValueError``; nothing is broadcast.
    """
    y = as_float_array(y, "y")
    t = np.asarray(t)
    if y.ndim == 1 and y.size:
        t = _one_sample_target(t, y.shape)
        y = y.reshape(1, -1)
    if y.ndim != 2 or 0 in y.shape:
        raise ValueError(
            "cross_entropy_error expects probabilities y of shape (C,) for one sample "
            f"or (N, C) for a batch, with N, C >= 1; got shape {y.shape}"
        )
    if y.min() < 0 or y.max() > 1:
        raise ValueError(
            "y must hold probabilities between 0 and 1 (apply softmax to the scores first), "
            f"got values from {y.min():.6g} to {y.max():.6g}"
        )
    n, c = y.shape
    if t.shape == (n, c):
        t = as_float_array(t, "t")
        return float(-np.sum(t * np.log(y + DELTA)) / n)
    labels = label_indices(t, y.shape)
    return float(-np.sum(np.log(y[np.arange(n), labels] + DELTA)) / n)
