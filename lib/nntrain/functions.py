"""Activation and loss functions: chapters 1 and 2.

Shapes used throughout the course:

* ``N`` is the batch size (number of samples),
* ``C`` is the number of classes.

A single sample is a 1-D array of shape ``(C,)``; a batch is a 2-D array of
shape ``(N, C)``.  Targets are either one-hot arrays with the same shape as the
prediction, or integer class labels of shape ``()`` / ``(N,)``.
"""
import numpy as np

#: Added inside the logarithm of the cross-entropy so that ``log(0)`` never
#: happens (the value used by the seed notebook and the reference book).
DELTA = 1e-7


def as_float_array(x, name):
    """Return ``x`` as a floating-point NumPy array (float arrays are not copied).

    Integer and boolean input is converted to float64; anything that is not
    numeric raises ``TypeError`` naming the argument.
    """
    x = np.asarray(x)
    if np.issubdtype(x.dtype, np.floating):
        return x
    if np.issubdtype(x.dtype, np.integer) or x.dtype == np.bool_:
        return x.astype(np.float64)
    raise TypeError(f"{name} must be an array of numbers, got dtype {x.dtype}")


def sigmoid(x):
    """Logistic function ``1 / (1 + exp(-x))``, element-wise; any shape.

    Written as ``0.5 * (1 + tanh(x / 2))``, which is the same function but
    never overflows, so large negative inputs give 0 without a warning.
    """
    x = as_float_array(x, "x")
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def softmax(a):
    """Turn scores into probabilities.

    ``a`` has shape ``(C,)`` for one sample or ``(N, C)`` for a batch; the
    result has the same shape and every row sums to 1.  Each row is normalised
    on its own (not the whole batch at once), and its maximum is subtracted
    first so that ``exp`` cannot overflow.
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
    """Integer labels of shape ``(N,)`` -> one-hot float array ``(N, num_classes)``."""
    labels = check_labels(labels, num_classes)
    return np.eye(num_classes)[labels]


def check_labels(labels, num_classes):
    """Return integer ``labels`` unchanged after checking they lie in ``0..num_classes-1``.

    Raises ``TypeError`` for non-integer labels and ``ValueError`` for labels
    out of range.
    """
    labels = np.asarray(labels)
    if not np.issubdtype(labels.dtype, np.integer):
        raise TypeError(
            f"integer class labels expected (0..{num_classes - 1}), got dtype {labels.dtype}"
        )
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(
            f"class labels must lie in 0..{num_classes - 1}, "
            f"got values from {labels.min()} to {labels.max()}"
        )
    return labels


def label_indices(t, y_shape):
    """Class indices ``(N,)`` of targets ``t`` for predictions of shape ``y_shape = (N, C)``.

    ``t`` is either one-hot with shape ``(N, C)`` (the index of each row's
    largest entry is taken) or integer labels with shape ``(N,)``.
    """
    n, c = y_shape
    t = np.asarray(t)
    if t.shape == (n, c):
        return t.argmax(axis=1)
    if t.shape == (n,):
        return check_labels(t, c)
    raise ValueError(
        f"targets must be one-hot with shape {(n, c)} or integer labels with "
        f"shape {(n,)}, got shape {t.shape}"
    )


def cross_entropy_error(y, t):
    """Mean cross-entropy of predicted probabilities ``y`` against targets ``t``.

    ``y`` has shape ``(C,)`` (one sample) or ``(N, C)`` (a batch).  ``t`` is
    one-hot with the same shape as ``y``, or integer labels of shape ``()`` /
    ``(N,)``.  A 1-D ``y`` is treated as a batch of one.  Returns a float: the
    sum over the batch of ``-log(y[label] + DELTA)`` divided by ``N``.
    """
    y = as_float_array(y, "y")
    if y.ndim not in (1, 2) or y.shape[-1] == 0:
        raise ValueError(
            "cross_entropy_error expects probabilities of shape (C,) or (N, C), "
            f"got shape {y.shape}"
        )
    t = np.asarray(t)
    if y.ndim == 1:
        y = y.reshape(1, -1)
        t = t.reshape(1, -1) if t.ndim == 1 else t.reshape(1)
    n, c = y.shape
    if t.shape == (n, c):
        t = as_float_array(t, "t")
        return float(-np.sum(t * np.log(y + DELTA)) / n)
    labels = label_indices(t, y.shape)
    return float(-np.sum(np.log(y[np.arange(n), labels] + DELTA)) / n)
