"""The nodes of a network's computational graph: chapter 7.

Each node is a small class with two methods:

* ``forward(...)`` computes the node's output from its input and keeps what
  the backward pass will need;
* ``backward(d_out)`` takes the *upstream gradient* ``d_out``, the gradient of
  the loss with respect to the node's output (same shape as that output), and
  returns the gradient with respect to the node's input: upstream gradient
  times local gradient, the chain rule.

A gradient always has the shape of what it differentiates.  Shapes: ``N`` is
the batch size, ``D`` the number of inputs of a layer, ``M`` its number of
outputs, ``C`` the number of classes.

* :class:`Affine` - ``x @ W + b``; its backward also stores ``dW`` and ``db``;
* :class:`Sigmoid` - ``sigmoid(a)``, entry by entry; local gradient ``y (1 - y)``;
* :class:`ReLU` - ``max(a, 0)``, entry by entry; local gradient 1 where ``a > 0``, else 0;
* :class:`SoftmaxWithLoss` - softmax of the scores, then the mean cross-entropy
  against the targets; its backward gives ``(y - t) / N``.
"""
import numpy as np

from .functions import as_float_array, cross_entropy_error, label_indices, sigmoid, softmax


def _check_upstream(d_out, shape, node):
    """``d_out`` as a float array after checking it has the shape of the node's output."""
    if shape is None:
        raise RuntimeError(f"{node}.backward needs the values of a forward pass: call forward first")
    d_out = as_float_array(d_out, "d_out")
    if d_out.shape != shape:
        raise ValueError(f"{node}.backward: d_out must have the shape of the forward output "
                         f"{shape}, got {d_out.shape}")
    return d_out


class Affine:
    """The node ``y = x @ W + b``: ``x`` is ``(N, D)``, ``W`` is ``(D, M)``, ``b`` is ``(M,)``, ``y`` is ``(N, M)``.

    The node keeps references to ``W`` and ``b`` (no copies), so a network that
    updates its parameter arrays in place updates the node too.  After
    ``backward(d_out)``, the attributes ``dW`` ``(D, M)`` and ``db`` ``(M,)``
    hold the gradients of the loss with respect to ``W`` and ``b``.
    """

    def __init__(self, W, b):
        W, b = as_float_array(W, "W"), as_float_array(b, "b")
        if W.ndim != 2:
            raise ValueError(f"W must be a matrix of shape (D, M), got shape {W.shape}")
        if b.shape != W.shape[1:]:
            raise ValueError(f"b must have shape ({W.shape[1]},) to match W of shape {W.shape}, "
                             f"got {b.shape}")
        self.W, self.b = W, b
        self.x = None
        self.dW = self.db = None

    def forward(self, x):
        """``x @ W + b``, shape ``(N, M)``, for ``x`` of shape ``(N, D)``; keeps ``x`` for backward."""
        x = as_float_array(x, "x")
        if x.ndim != 2 or x.shape[1] != self.W.shape[0]:
            raise ValueError(f"x must have shape (N, {self.W.shape[0]}), got {x.shape}")
        self.x = x
        return x @ self.W + self.b

    def backward(self, d_out):
        """Gradient with respect to ``x``, ``d_out @ W.T`` of shape ``(N, D)``; sets ``dW`` and ``db``.

        ``d_out`` is the upstream gradient, shape ``(N, M)``.  ``dW = x.T @ d_out``;
        ``db`` is ``d_out`` summed over the batch (axis 0), because ``b`` is added
        to every one of the ``N`` rows.
        """
        shape = None if self.x is None else (len(self.x), self.W.shape[1])
        d_out = _check_upstream(d_out, shape, "Affine")
        self.dW = self.x.T @ d_out
        self.db = d_out.sum(axis=0)
        return d_out @ self.W.T


class Sigmoid:
    """The node ``y = sigmoid(a) = 1 / (1 + exp(-a))``, entry by entry; any shape."""

    def __init__(self):
        self.out = None

    def forward(self, a):
        """``sigmoid(a)``, the shape of ``a``; keeps the output, which backward needs."""
        self.out = sigmoid(a)
        return self.out

    def backward(self, d_out):
        """Gradient with respect to ``a``: ``d_out * y * (1 - y)``, the shape of ``a``."""
        d_out = _check_upstream(d_out, None if self.out is None else self.out.shape, "Sigmoid")
        return d_out * self.out * (1 - self.out)


class ReLU:
    """The node ``y = max(a, 0)``, entry by entry; any shape."""

    def __init__(self):
        self.positive = None

    def forward(self, a):
        """``max(a, 0)``, the shape of ``a``; keeps where ``a > 0``, which backward needs."""
        a = as_float_array(a, "a")
        self.positive = a > 0
        return np.where(self.positive, a, 0).astype(a.dtype, copy=False)

    def backward(self, d_out):
        """Gradient with respect to ``a``: ``d_out`` where ``a > 0``, else 0 (the slope at 0 is taken as 0)."""
        shape = None if self.positive is None else self.positive.shape
        d_out = _check_upstream(d_out, shape, "ReLU")
        return d_out * self.positive


class SoftmaxWithLoss:
    """The last node: softmax of the scores, then the mean cross-entropy against the targets.

    ``forward(scores, t)`` takes scores of shape ``(N, C)`` and targets ``t``,
    one-hot ``(N, C)`` or integer labels ``(N,)``, and returns the loss (a
    float).  ``backward()`` returns ``(y - t_one_hot) / N``, the gradient of
    the loss with respect to the scores.  That formula differentiates
    ``-log(y)``; the loss adds ``DELTA = 1e-7`` inside the logarithm, which
    changes the exact gradient by a relative ``DELTA / y`` of the correct
    class's probability ``y`` (chapter 7).
    """

    def __init__(self):
        self.y = self.labels = None
        self.loss = None

    def forward(self, scores, t):
        """The mean cross-entropy of ``softmax(scores)`` against ``t``; keeps ``y`` and the labels."""
        scores = as_float_array(scores, "scores")
        if scores.ndim != 2 or scores.shape[1] == 0:
            raise ValueError(f"scores must have shape (N, C) with C >= 1, got {scores.shape}")
        self.y = softmax(scores)
        self.labels = label_indices(t, self.y.shape)
        self.loss = cross_entropy_error(self.y, self.labels)
        return self.loss

    def backward(self, d_out=1.0):
        """Gradient with respect to the scores: ``d_out * (y - t_one_hot) / N``, shape ``(N, C)``.

        ``d_out`` is the upstream gradient of the loss, a number: 1 when the
        loss is the end of the graph (dL/dL = 1).
        """
        d_out = _check_upstream(d_out, None if self.y is None else (), "SoftmaxWithLoss")
        n, c = self.y.shape
        t_one_hot = np.eye(c, dtype=self.y.dtype)[self.labels]
        return float(d_out) * (self.y - t_one_hot) / n
