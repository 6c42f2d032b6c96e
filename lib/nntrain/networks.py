"""The two networks of the course: SimpleNet (chapter 6) and TwoLayerNet (chapter 8)."""
import numbers

import numpy as np

from .functions import DELTA, as_float_array, cross_entropy_error, label_indices, softmax
from .gradient import numerical_gradient


class SimpleNet:
    """One weight matrix ``W`` of shape ``(2, 3)``: two inputs, three classes, no bias.

    ``SimpleNet(W)`` keeps a float copy of ``W``, so training the network never
    changes the caller's array.  ``SimpleNet()`` draws
    ``weight_init_std * rng.standard_normal((2, 3))`` from the seeded generator
    ``rng`` (``np.random.default_rng(0)`` when not given): small random weights,
    so the untrained network gives every class about the same probability.
    """

    def __init__(self, W=None, rng=None, weight_init_std=0.01):
        if W is None:
            rng = np.random.default_rng(0) if rng is None else rng
            if not isinstance(rng, np.random.Generator):
                raise TypeError(
                    "rng must be a numpy.random.Generator such as np.random.default_rng(0), "
                    f"got {type(rng).__name__}"
                )
            W = weight_init_std * rng.standard_normal((2, 3))
        self.W = as_float_array(W, "W").copy()

    @property
    def W(self):
        """The weights: a float array of shape ``(2, 3)``."""
        return self._W

    @W.setter
    def W(self, value):
        # Checked on every assignment, ``net.W = ...`` included: with a wrongly
        # shaped W, ``x @ W`` could broadcast silently instead of failing.
        value = as_float_array(value, "W")
        if value.shape != (2, 3):
            raise ValueError(f"W must have shape (2, 3), got {value.shape}")
        self._W = value

    def predict(self, x):
        """Scores ``x @ W``: ``x`` has shape ``(2,)`` or ``(N, 2)``; result ``(3,)`` or ``(N, 3)``."""
        x = as_float_array(x, "x")
        if x.shape[-1:] != (2,) or x.ndim > 2:
            raise ValueError(f"x must have shape (2,) or (N, 2), got {x.shape}")
        return x @ self.W

    def loss(self, x, t):
        """Cross-entropy of ``softmax(predict(x))`` against ``t``, averaged over the batch.

        ``t`` is one-hot with the shape of the scores, or integer labels: one
        integer for a single sample, shape ``(N,)`` for a batch.  Returns a float.
        """
        return cross_entropy_error(softmax(self.predict(x)), t)

    def numerical_gradient(self, x, t):
        """dL/dW by central differences: a float array of shape ``(2, 3)``.

        Each entry of ``self.W`` is nudged in turn and restored, so ``self.W``
        is unchanged afterwards.
        """

        def loss_at(W):
            # The argument is unused on purpose: numerical_gradient nudges the
            # array it is given *in place*, and that array is self.W, so
            # self.loss already sees the nudged weights (chapter 6).
            return self.loss(x, t)

        return numerical_gradient(loss_at, self.W)


class TwoLayerNet:
    """``input -> affine -> sigmoid -> affine -> softmax``: the network of chapter 8.

    ``params`` holds the four arrays the network learns, all of dtype ``dtype``:

    * ``"W1"``, shape ``(input_size, hidden_size)``: ``std * rng.standard_normal``;
    * ``"b1"``, shape ``(hidden_size,)``: zeros;
    * ``"W2"``, shape ``(hidden_size, output_size)``: ``std * rng.standard_normal``;
    * ``"b2"``, shape ``(output_size,)``: zeros.

    ``weight_init_std`` is the number ``std`` (0.01 by default, as in the book),
    or ``"xavier"`` for ``std = sqrt(1 / fan_in)`` or ``"he"`` for
    ``std = sqrt(2 / fan_in)``, where ``fan_in`` is the number of rows of the
    weight matrix.  ``rng`` is a ``numpy.random.Generator``
    (``np.random.default_rng(0)`` when not given), so the same seed gives the
    same network.  ``dtype`` is ``np.float64`` (the default; use it to check
    gradients) or ``np.float32`` (half the memory, about twice as fast to train).
    ``activation`` is the hidden layer's function: ``"sigmoid"`` (the default)
    or ``"relu"``.

    Inputs ``x`` have shape ``(N, input_size)``, integer or float.  Targets
    ``t`` are one-hot with shape ``(N, output_size)`` or integer class labels
    with shape ``(N,)``.  Anything else raises ``ValueError`` naming the
    expected shape.
    """

    #: Rows of ``x`` pushed through the network at once by predict and accuracy:
    #: evaluating all 60,000 MNIST images then needs only a few MB of scratch space.
    CHUNK_SIZE = 4_000

    #: The delta inside the logarithm of the loss: ``nntrain.functions.DELTA`` itself.
    DELTA = DELTA

    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01,
                 rng=None, dtype=np.float64, *, activation="sigmoid"):
        for name, size in (("input_size", input_size), ("hidden_size", hidden_size),
                           ("output_size", output_size)):
            if not isinstance(size, (int, np.integer)) or isinstance(size, bool) or size < 1:
                raise ValueError(f"{name} must be a whole number >= 1, got {size!r}")
        if np.dtype(dtype) not in (np.float32, np.float64):
            raise ValueError(f"dtype must be np.float32 or np.float64, got {np.dtype(dtype)}")
        if activation not in ("sigmoid", "relu"):
            raise ValueError(f"activation must be 'sigmoid' or 'relu', got {activation!r}")
        rng = np.random.default_rng(0) if rng is None else rng
        if not isinstance(rng, np.random.Generator):
            raise TypeError("rng must be a numpy.random.Generator such as "
                            f"np.random.default_rng(0), got {type(rng).__name__}")
        self.activation = activation
        self.params = {
            "W1": self._initial_weights(rng, (input_size, hidden_size), weight_init_std, dtype),
            "b1": np.zeros(hidden_size, dtype=dtype),
            "W2": self._initial_weights(rng, (hidden_size, output_size), weight_init_std, dtype),
            "b2": np.zeros(output_size, dtype=dtype),
        }

    @staticmethod
    def _initial_weights(rng, shape, weight_init_std, dtype):
        """``std * standard_normal(shape)`` with ``std`` from ``weight_init_std``."""
        fan_in = shape[0]
        if isinstance(weight_init_std, str):
            scales = {"xavier": np.sqrt(1.0 / fan_in), "he": np.sqrt(2.0 / fan_in)}
            if weight_init_std not in scales:
                raise ValueError("weight_init_std must be a positive, finite number, 'xavier' "
                                 f"or 'he', got {weight_init_std!r}")
            std = scales[weight_init_std]
        else:
            std = weight_init_std
            is_number = isinstance(std, numbers.Real) and not isinstance(std, (bool, np.bool_))
            if not (is_number and np.isfinite(std) and std > 0):
                raise ValueError("weight_init_std must be a positive, finite number, 'xavier' "
                                 f"or 'he', got {weight_init_std!r}")
        return (std * rng.standard_normal(shape)).astype(dtype)

    @property
    def input_size(self):
        return self.params["W1"].shape[0]

    @property
    def output_size(self):
        return self.params["W2"].shape[1]

    @property
    def dtype(self):
        """The dtype of the parameters (and of everything the network computes)."""
        return self.params["W1"].dtype

    # ----------------------------------------------------------------------
    # Checking the input
    # ----------------------------------------------------------------------

    def _check_x(self, x):
        """``x`` as a NumPy array after checking it has shape ``(N, input_size)``, N >= 1."""
        expected = f"(N, {self.input_size}) with N >= 1"
        x = np.asarray(x)
        if x.dtype.kind not in "iuf":
            raise ValueError(f"x must be an array of numbers of shape {expected}, got dtype {x.dtype}")
        if x.ndim != 2 or x.shape[1] != self.input_size or len(x) == 0:
            raise ValueError(f"x must have shape {expected}, got shape {x.shape}")
        return x

    def _check_t(self, t, n):
        """Integer class labels ``(n,)`` from targets ``t``: one-hot ``(n, C)`` or labels ``(n,)``.

        The checks are those of :func:`nntrain.functions.label_indices`, but
        every unusable target raises ``ValueError`` here, float or string
        labels included (for which ``label_indices`` raises ``TypeError``).
        """
        c = self.output_size
        try:
            return label_indices(t, (n, c))
        except TypeError as error:
            raise ValueError(f"t must be one-hot with shape ({n}, {c}) or integer labels with "
                             f"shape ({n},): {error}") from None

    # ----------------------------------------------------------------------
    # Forward pass
    # ----------------------------------------------------------------------

    def _hidden(self, x, out=None):
        """The hidden layer ``activation(x @ W1 + b1)``, shape ``(N, hidden_size)``.

        It runs for every mini-batch and every accuracy, so it works in place in
        the one array that ``x @ W1`` creates (or in ``out``, if given).
        """
        a = np.matmul(np.asarray(x, dtype=self.dtype), self.params["W1"], out=out)
        a += self.params["b1"]
        if self.activation == "relu":
            return np.maximum(a, 0, out=a)
        return self._sigmoid_in_place(a)

    @staticmethod
    def _sigmoid_in_place(a):
        """Overwrite the float array ``a`` with ``sigmoid(a) = 1 / (1 + exp(-a))``; return it.

        The same function as :func:`nntrain.functions.sigmoid`, but without
        temporary arrays, and ``exp`` is faster than ``tanh`` in float32.
        ``exp(-a)`` overflows to ``inf`` for very negative ``a``, where
        ``1 / (1 + inf) = 0`` is the right answer: that overflow is expected.
        """
        np.negative(a, out=a)
        with np.errstate(over="ignore"):
            np.exp(a, out=a)
        a += 1
        return np.reciprocal(a, out=a)

    def _scores(self, x):
        """Scores before softmax, ``(N, output_size)``, computed CHUNK_SIZE rows at a time."""
        scores = np.empty((len(x), self.output_size), dtype=self.dtype)
        for start in range(0, len(x), self.CHUNK_SIZE):
            stop = start + self.CHUNK_SIZE
            scores[start:stop] = self._hidden(x[start:stop]) @ self.params["W2"]
        scores += self.params["b2"]
        return scores

    def predict(self, x):
        """Class probabilities ``(N, output_size)`` for inputs ``x`` of shape ``(N, input_size)``.

        Every row is ``softmax(activation(x @ W1 + b1) @ W2 + b2)`` and sums to 1.
        """
        return softmax(self._scores(self._check_x(x)))

    def loss(self, x, t):
        """Mean cross-entropy of ``predict(x)`` against ``t`` (one-hot or labels): a float."""
        x = self._check_x(x)
        return cross_entropy_error(self.predict(x), self._check_t(t, len(x)))

    def accuracy(self, x, t):
        """Fraction of the samples whose most probable class is the target class (a float)."""
        x = self._check_x(x)
        labels = self._check_t(t, len(x))
        # softmax keeps the order of the scores: the largest score is the predicted class
        return float(np.mean(self._scores(x).argmax(axis=1) == labels))

    # ----------------------------------------------------------------------
    # Gradients
    # ----------------------------------------------------------------------

    def numerical_gradient(self, x, t):
        """Gradients of the loss by central differences: a dict with the keys of ``params``.

        Two forward passes per parameter: use it on small networks, to check
        :meth:`gradient`, and in float64 (float32 rounding swamps the tiny
        differences the central difference measures).
        """
        x = self._check_x(x)
        labels = self._check_t(t, len(x))

        def loss_now(_):
            # numerical_gradient nudges the array it is given *in place*, and that
            # array is one of self.params, so self.loss already sees the change
            return self.loss(x, labels)

        return {key: numerical_gradient(loss_now, value) for key, value in self.params.items()}

    def gradient(self, x, t):
        """Gradients of the loss by backpropagation: a dict with the keys of ``params``."""
        return self.loss_and_gradient(x, t)[1]

    def loss_and_gradient(self, x, t):
        """``(loss, grads)``: the loss and its gradients from one forward and one backward pass.

        The loss is the one of the current parameters (before any update);
        ``grads`` maps each key of ``params`` to a new array of that
        parameter's shape and dtype.  Backpropagation gives, with ``h`` the
        hidden layer, ``y`` the probabilities and ``N`` the batch size::

            d_scores = (y - one_hot(t)) / N
            grad W2 = h.T @ d_scores              grad b2 = d_scores summed over the batch
            d_hidden = (d_scores @ W2.T) * h * (1 - h)          (sigmoid; relu: * (h > 0))
            grad W1 = x.T @ d_hidden              grad b1 = d_hidden summed over the batch
        """
        x = np.asarray(self._check_x(x), dtype=self.dtype)
        labels = self._check_t(t, len(x))
        loss, hidden, d_scores, d_hidden = self._backprop(x, labels, 1.0 / len(x))
        grads = {
            "W1": x.T @ d_hidden,
            "b1": d_hidden.sum(axis=0),
            "W2": hidden.T @ d_scores,
            "b2": d_scores.sum(axis=0),
        }
        return loss, grads

    def sgd_step(self, x, t, learning_rate):
        """One step of gradient descent on the batch ``(x, t)``; returns the loss before it.

        Does what ``loss, grads = loss_and_gradient(x, t)`` followed by
        ``params[key] -= learning_rate * grads[key]`` does, with less work:
        the learning rate is folded into ``d_scores`` (an ``N x output_size``
        array) so that every product already is ``learning_rate * gradient``,
        and the products are written into arrays kept from the previous step
        instead of new ones.  :func:`nntrain.training.train` uses it.
        """
        x = np.asarray(self._check_x(x), dtype=self.dtype)
        labels = self._check_t(t, len(x))
        n = len(x)
        scratch = self._scratch(n)
        loss, hidden, d_scores, d_hidden = self._backprop(x, labels, learning_rate / n, scratch)
        p = self.params
        # d_hidden was computed with the old W2, so W2 may change now
        p["W2"] -= np.matmul(hidden.T, d_scores, out=scratch["W2"])
        p["b2"] -= d_scores.sum(axis=0)
        p["W1"] -= np.matmul(x.T, d_hidden, out=scratch["W1"])
        p["b1"] -= d_hidden.sum(axis=0)
        return loss

    def _scratch(self, n):
        """Arrays for one step on a batch of ``n``, made once and reused (see :meth:`sgd_step`)."""
        (d, h), c = self.params["W1"].shape, self.output_size
        key = (n, d, h, c, self.dtype)
        if getattr(self, "_scratch_key", None) != key:
            shapes = {"hidden": (n, h), "scores": (n, c), "d_hidden": (n, h), "W1": (d, h), "W2": (h, c)}
            self._scratch_arrays = {name: np.empty(shape, dtype=self.dtype)
                                    for name, shape in shapes.items()}
            self._scratch_key = key
        return self._scratch_arrays

    def _backprop(self, x, labels, scale, scratch=None):
        """Forward and backward pass for checked input: ``x`` of the network's dtype, integer labels.

        Returns ``(loss, hidden, d_scores, d_hidden)`` where ``d_scores`` is
        ``(y - one_hot(t)) * scale`` and ``d_hidden`` the matching gradient of
        the hidden layer's input; ``scale = 1 / N`` gives the gradients of the
        loss.  With ``scratch`` (from :meth:`_scratch`) the arrays are written
        there instead of into new ones.
        """
        scratch = scratch or {}
        p = self.params
        n, c = len(x), self.output_size
        # forward pass, keeping what the backward pass needs
        hidden = self._hidden(x, out=scratch.get("hidden"))
        scores = np.matmul(hidden, p["W2"], out=scratch.get("scores"))
        scores += p["b2"]
        # softmax of each row, in place: the scores become the probabilities y
        scores -= scores.max(axis=1, keepdims=True)
        y = np.exp(scores, out=scores)
        y /= y.sum(axis=1, keepdims=True)
        # y[i, labels[i]] is y_flat[i * c + labels[i]] in the flat view of y
        # (the same entries as y[np.arange(n), labels], picked faster)
        y_flat = y.reshape(-1, copy=False)  # a view (or an error, never a copy; NumPy >= 2.1)
        targets = np.arange(0, n * c, c) + labels
        loss = -float(np.log(y_flat[targets] + self.DELTA).sum()) / n
        # backward pass; y is not needed any more, so it becomes d_scores in place
        d_scores = y
        y_flat[targets] -= 1
        d_scores *= scale
        d_hidden = np.matmul(d_scores, p["W2"].T, out=scratch.get("d_hidden"))
        if self.activation == "relu":
            d_hidden *= hidden > 0
        else:
            d_hidden *= hidden * (1 - hidden)
        return loss, hidden, d_scores, d_hidden
