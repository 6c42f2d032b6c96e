"""The two networks of the course: SimpleNet (chapter 6) and TwoLayerNet (chapter 7)."""
import numpy as np

from .functions import as_float_array, cross_entropy_error, label_indices, sigmoid, softmax
from .gradient import numerical_gradient


class SimpleNet:
    """One weight matrix ``W`` of shape ``(2, 3)``: two inputs, three classes, no bias.

    ``W`` is drawn from a standard normal with a seeded generator unless given.
    """

    def __init__(self, W=None, rng=None):
        if W is None:
            rng = np.random.default_rng(0) if rng is None else rng
            W = rng.standard_normal((2, 3))
        W = np.array(W, dtype=float)
        if W.shape != (2, 3):
            raise ValueError(f"W must have shape (2, 3), got {W.shape}")
        self.W = W

    def predict(self, x):
        """Scores ``x @ W``: ``x`` has shape ``(2,)`` or ``(N, 2)``; result ``(3,)`` or ``(N, 3)``."""
        x = as_float_array(x, "x")
        if x.shape[-1:] != (2,) or x.ndim > 2:
            raise ValueError(f"x must have shape (2,) or (N, 2), got {x.shape}")
        return x @ self.W

    def loss(self, x, t):
        """Cross-entropy of ``softmax(predict(x))`` against ``t`` (one-hot or labels)."""
        return cross_entropy_error(softmax(self.predict(x)), t)

    def numerical_gradient(self, x, t):
        """dL/dW by central differences, shape ``(2, 3)``."""

        def loss_at(W):
            # numerical_gradient nudges self.W in place, so the loss already
            # sees the nudged weights: W *is* self.W here.
            return self.loss(x, t)

        return numerical_gradient(loss_at, self.W)


class TwoLayerNet:
    """``input -> affine -> sigmoid -> affine -> softmax``.

    ``params`` holds ``W1 (input_size, hidden_size)``, ``b1 (hidden_size,)``,
    ``W2 (hidden_size, output_size)`` and ``b2 (output_size,)``.  Weights are
    ``weight_init_std * standard_normal`` from a seeded generator, biases zero.
    """

    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01,
                 rng=None, dtype=np.float64):
        rng = np.random.default_rng(0) if rng is None else rng
        self.params = {
            "W1": (weight_init_std * rng.standard_normal((input_size, hidden_size))).astype(dtype),
            "b1": np.zeros(hidden_size, dtype=dtype),
            "W2": (weight_init_std * rng.standard_normal((hidden_size, output_size))).astype(dtype),
            "b2": np.zeros(output_size, dtype=dtype),
        }

    def _check_x(self, x):
        x = as_float_array(x, "x")
        d = self.params["W1"].shape[0]
        if x.ndim != 2 or x.shape[1] != d:
            raise ValueError(f"x must have shape (N, {d}), got {x.shape}")
        return x

    def predict(self, x):
        """Class probabilities ``(N, output_size)`` for inputs ``x`` of shape ``(N, input_size)``."""
        x = self._check_x(x)
        p = self.params
        hidden = sigmoid(x @ p["W1"] + p["b1"])
        return softmax(hidden @ p["W2"] + p["b2"])

    def loss(self, x, t):
        """Mean cross-entropy; ``t`` is one-hot ``(N, output_size)`` or labels ``(N,)``."""
        return cross_entropy_error(self.predict(x), t)

    def accuracy(self, x, t):
        """Fraction of samples whose most probable class is the target class."""
        y = self.predict(x)
        return float(np.mean(y.argmax(axis=1) == label_indices(t, y.shape)))

    def numerical_gradient(self, x, t):
        """Gradients of the loss by central differences: a dict with the keys of ``params``."""

        def loss_now(_):
            return self.loss(x, t)

        return {key: numerical_gradient(loss_now, value) for key, value in self.params.items()}

    def gradient(self, x, t):
        """Gradients of the loss by backpropagation: a dict with the keys of ``params``."""
        x = self._check_x(x)
        p = self.params
        n = x.shape[0]
        # forward pass, keeping what the backward pass needs
        hidden = sigmoid(x @ p["W1"] + p["b1"])
        y = softmax(hidden @ p["W2"] + p["b2"])
        # backward pass: d(loss)/d(scores) of softmax + cross-entropy is (y - t) / N
        dscores = y.copy()
        dscores[np.arange(n), label_indices(t, y.shape)] -= 1
        dscores /= n
        dhidden = (dscores @ p["W2"].T) * hidden * (1 - hidden)
        return {
            "W1": x.T @ dhidden,
            "b1": dhidden.sum(axis=0),
            "W2": hidden.T @ dscores,
            "b2": dscores.sum(axis=0),
        }
