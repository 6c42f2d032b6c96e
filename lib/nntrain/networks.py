"""The two networks of the course: SimpleNet (chapter 6) and TwoLayerNet (chapter 8).

Both compute their gradients two ways: ``numerical_gradient`` by central
differences (chapters 4 and 6), and ``gradient`` by backpropagation, written
line by line as chapter 7 derives it.  Each ``numerical_gradient`` follows
the course's advice: the loss it differentiates is a function of the array
it is given (a copy of the weights), never of the network's own arrays
nudged in place.
"""
import numbers

import numpy as np

from .functions import (DELTA, _one_sample_target, as_float_array, cross_entropy_error,
                        label_indices, sigmoid, softmax)
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

        The function differentiated is ``loss_at(W)``, the loss of a SimpleNet
        with the weights ``W`` it is given, and it is given a copy of
        ``self.W``: the network's own weights are never touched.
        """

        def loss_at(W):
            return SimpleNet(W).loss(x, t)

        return numerical_gradient(loss_at, self.W.copy())

    def gradient(self, x, t):
        """dL/dW by backpropagation (chapter 7): ``x.T @ (y - t_one_hot) / N``, shape ``(2, 3)``.

        ``x`` and ``t`` are as for :meth:`loss`; one sample counts as a batch
        of one.  The formula differentiates ``-log(y)``; the loss's ``DELTA``
        inside the logarithm changes the exact gradient by a relative
        ``DELTA / y`` of the correct class's probability ``y``.
        """
        y = softmax(self.predict(x))
        x, t = as_float_array(x, "x"), np.asarray(t)
        if x.ndim == 1:  # one sample: a batch of one
            x, y, t = x.reshape(1, 2), y.reshape(1, 3), _one_sample_target(t, (3,))
        t_one_hot = np.eye(3)[label_indices(t, y.shape)]
        return x.T @ (y - t_one_hot) / len(x)


class TwoLayerNet:
    """``input -> affine -> sigmoid -> affine -> softmax``: the network of chapter 8.

    Its backward pass, :meth:`loss_and_gradient`, is written line by line as
    chapter 7 derives it; :meth:`sgd_step`, the fast path that training uses,
    computes the same step with fewer temporary arrays.

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
    # Gradients: numerical, and backpropagation as chapter 7 derives it
    # ----------------------------------------------------------------------

    def _activate(self, a):
        """The hidden layer's function of ``a`` (any shape): ``sigmoid(a)`` or ``max(a, 0)``."""
        return sigmoid(a) if self.activation == "sigmoid" else np.maximum(a, 0)

    def _loss_with(self, params, x, labels):
        """The loss of a network with the parameters ``params`` (a dict like ``self.params``).

        The forward pass written out, for checked ``x`` and integer ``labels``.
        """
        h = self._activate(x @ params["W1"] + params["b1"])
        y = softmax(h @ params["W2"] + params["b2"])
        return cross_entropy_error(y, labels)

    def numerical_gradient(self, x, t):
        """Gradients of the loss by central differences: a dict with the keys of ``params``.

        For each key, the function differentiated is the loss of a network
        whose parameter ``key`` is the array it is given and whose other
        parameters are this network's; it is given a copy of
        ``params[key]``, so ``params`` are never touched.  Two forward passes
        per parameter: use it on small networks, to check :meth:`gradient`,
        and in float64 (float32 rounding swamps the tiny differences the
        central difference measures).
        """
        x = np.asarray(self._check_x(x), dtype=self.dtype)
        labels = self._check_t(t, len(x))
        grads = {}
        for key, value in self.params.items():
            def loss_at(array, key=key):
                return self._loss_with({**self.params, key: array}, x, labels)

            grads[key] = numerical_gradient(loss_at, value.copy())
        return grads

    def gradient(self, x, t):
        """Gradients of the loss by backpropagation: a dict with the keys of ``params``."""
        return self.loss_and_gradient(x, t)[1]

    def loss_and_gradient(self, x, t):
        """``(loss, grads)``: one forward pass, then one backward pass, as chapter 7 derives them.

        ``grads`` maps each key of ``params`` to a new array of that
        parameter's shape and dtype; ``params`` are not changed.  With ``N``
        the batch size, ``h`` the hidden layer and ``y`` the probabilities::

            delta2 = (y - t_one_hot) / N                 dL/d(scores), shape (N, output_size)
            grad W2 = h.T @ delta2                       grad b2 = delta2 summed over the batch
            delta1 = (delta2 @ W2.T) * h * (1 - h)       sigmoid; relu: * (a1 > 0)
            grad W1 = x.T @ delta1                       grad b1 = delta1 summed over the batch
        """
        x = np.asarray(self._check_x(x), dtype=self.dtype)
        labels = self._check_t(t, len(x))
        W1, b1, W2, b2 = (self.params[key] for key in ("W1", "b1", "W2", "b2"))
        n = len(x)
        t_one_hot = np.eye(self.output_size, dtype=self.dtype)[labels]
        # forward pass: affine -> activation -> affine -> softmax with loss
        a1 = x @ W1 + b1                       # (N, hidden_size)
        h = self._activate(a1)                 # (N, hidden_size)
        a2 = h @ W2 + b2                       # (N, output_size): the scores
        y = softmax(a2)                        # (N, output_size)
        loss = cross_entropy_error(y, labels)
        # backward pass: upstream gradient times local gradient, node by node
        delta2 = (y - t_one_hot) / n           # softmax with loss: dL/da2
        grad_W2 = h.T @ delta2                 # affine: dW = input.T @ upstream
        grad_b2 = delta2.sum(axis=0)           # affine: b2 is added to every row
        d_h = delta2 @ W2.T                    # affine: d input = upstream @ W.T
        if self.activation == "sigmoid":
            delta1 = d_h * h * (1 - h)         # sigmoid: local gradient h (1 - h)
        else:
            delta1 = d_h * (a1 > 0)            # relu: local gradient 1 where a1 > 0
        grad_W1 = x.T @ delta1
        grad_b1 = delta1.sum(axis=0)
        return loss, {"W1": grad_W1, "b1": grad_b1, "W2": grad_W2, "b2": grad_b2}

    # ----------------------------------------------------------------------
    # The fast path for training: sgd_step
    #
    # It does what loss_and_gradient followed by params[key] -= lr * grads[key]
    # does (tests/lib/test_two_layer_net.py compares the two), with the speed
    # tricks kept here: the learning rate folded into delta2, products written
    # into arrays reused from step to step, the softmax and the sigmoid
    # computed in place, and the targets' probabilities picked by flat index.
    # ----------------------------------------------------------------------

    def sgd_step(self, x, t, learning_rate):
        """One step of gradient descent on the batch ``(x, t)``; returns the loss before it.

        Does what ``loss, grads = loss_and_gradient(x, t)`` followed by
        ``params[key] -= learning_rate * grads[key]`` does, with less work:
        the learning rate is folded into ``delta2`` (an ``N x output_size``
        array) so that every product already is ``learning_rate * gradient``,
        and the products are written into arrays kept from the previous step
        instead of new ones.  :func:`nntrain.training.train` uses it.
        """
        x = np.asarray(self._check_x(x), dtype=self.dtype)
        labels = self._check_t(t, len(x))
        n = len(x)
        scratch = self._scratch(n)
        loss, hidden, delta2, delta1 = self._fast_backprop(x, labels, learning_rate / n, scratch)
        p = self.params
        # delta1 was computed with the old W2, so W2 may change now
        p["W2"] -= np.matmul(hidden.T, delta2, out=scratch["W2"])
        p["b2"] -= delta2.sum(axis=0)
        p["W1"] -= np.matmul(x.T, delta1, out=scratch["W1"])
        p["b1"] -= delta1.sum(axis=0)
        return loss

    def _scratch(self, n):
        """Arrays for one step on a batch of ``n``, made once and reused (see :meth:`sgd_step`)."""
        (d, h), c = self.params["W1"].shape, self.output_size
        key = (n, d, h, c, self.dtype)
        if getattr(self, "_scratch_key", None) != key:
            shapes = {"hidden": (n, h), "scores": (n, c), "delta1": (n, h), "W1": (d, h), "W2": (h, c)}
            self._scratch_arrays = {name: np.empty(shape, dtype=self.dtype)
                                    for name, shape in shapes.items()}
            self._scratch_key = key
        return self._scratch_arrays

    def _fast_backprop(self, x, labels, scale, scratch):
        """Forward and backward pass for checked input, in the arrays of ``scratch``.

        ``x`` has the network's dtype, ``labels`` are integer labels, ``scratch``
        comes from :meth:`_scratch`.  Returns ``(loss, hidden, delta2, delta1)``
        where ``delta2`` is ``(y - t_one_hot) * scale`` and ``delta1`` the
        matching gradient of the hidden layer's input: ``scale = 1 / N`` gives
        the gradients of :meth:`loss_and_gradient`, ``learning_rate / N`` the
        steps of :meth:`sgd_step`.
        """
        p = self.params
        n, c = len(x), self.output_size
        # forward pass, keeping what the backward pass needs
        hidden = self._hidden(x, out=scratch["hidden"])
        scores = np.matmul(hidden, p["W2"], out=scratch["scores"])
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
        # backward pass; y is not needed any more, so it becomes delta2 in place
        delta2 = y
        y_flat[targets] -= 1
        delta2 *= scale
        delta1 = np.matmul(delta2, p["W2"].T, out=scratch["delta1"])
        if self.activation == "relu":
            delta1 *= hidden > 0
        else:
            delta1 *= hidden * (1 - hidden)
        return loss, hidden, delta2, delta1
