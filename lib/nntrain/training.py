"""Training a network by mini-batch stochastic gradient descent: chapter 8.

* :func:`train` runs the loop of chapter 8: draw a mini-batch, compute the
  gradient by backpropagation, step every parameter against it; measure the
  accuracy on the training set and on a held-out validation set once per
  epoch.  It returns a :class:`History` that :mod:`nntrain.plotting` draws.

The validation set (see :func:`nntrain.datasets.validation_split`) is what
settings are compared and chosen on.  The test set plays no part in
training: it is used once, for the chosen model, with ``net.accuracy``.
* :func:`check_gradient` compares backpropagation with the numerical gradient,
  parameter by parameter (with :func:`relative_difference`): do it once
  before trusting a backward pass.

``train`` works with any network that has a ``params`` dict of float arrays
and the methods ``loss(x, t)``, ``gradient(x, t)`` and ``accuracy(x, t)``; for
:class:`nntrain.networks.TwoLayerNet` it uses ``sgd_step``, which computes the
gradient and applies it in one go.  ``check_gradient`` needs ``params`` and
the methods ``gradient(x, t)`` and ``numerical_gradient(x, t)``.
"""
import numbers
import sys
from dataclasses import dataclass, field

import numpy as np
from tqdm import tqdm

from .functions import check_positive, labels_from_one_hot


@dataclass
class History:
    """What :func:`train` measured.

    * ``loss``: the mini-batch loss of every iteration (measured on the batch
      during the forward pass, just before that iteration's update);
    * ``epochs``: when the accuracies were measured, in epochs: 0 (before
      training), 1, 2, ... after each full epoch, and the end of training if
      the last epoch is incomplete (for example 16.67);
    * ``train_accuracy``, ``validation_accuracy``: the accuracies on the
      training set and on the validation set at those times;
    * ``iterations_per_epoch``: the whole number of iterations in one epoch,
      ``max(train_size // batch_size, 1)``.
    """

    iterations_per_epoch: int
    loss: list = field(default_factory=list)
    epochs: list = field(default_factory=list)
    train_accuracy: list = field(default_factory=list)
    validation_accuracy: list = field(default_factory=list)


def _split(name, data):
    """``(x, t)`` from the pair ``data``, after checking both have the same length."""
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise TypeError(f"{name} must be a pair (x, t) of images and targets, "
                        f"got {type(data).__name__}")
    x, t = np.asarray(data[0]), np.asarray(data[1])
    if x.ndim != 2 or len(x) == 0:
        raise ValueError(f"{name}: x must have shape (N, input_size) with N >= 1, got {x.shape}")
    if t.shape[:1] != x.shape[:1]:
        raise ValueError(f"{name}: t must have one target per image, shape ({len(x)},) or "
                         f"({len(x)}, C), got shape {t.shape}")
    if t.ndim == 2:  # one-hot -> labels once, so that every mini-batch is cheap to index
        t = labels_from_one_hot(t, name=f"{name}: t")
    return x, t


def train(net, train_data, validation_data, *, iterations=10_000, batch_size=100,
          learning_rate=0.1, seed=0, progress=True):
    """Train ``net`` in place by mini-batch SGD; return a :class:`History`.

    ``train_data`` and ``validation_data`` are pairs ``(x, t)``: images of
    shape ``(N, input_size)`` and targets, integer labels ``(N,)`` or one-hot
    ``(N, C)``, as :func:`nntrain.datasets.validation_split` returns them.
    The network learns from ``train_data`` only; ``validation_data`` is only
    measured, to follow the run and to compare settings.  The defaults are
    the book's: 10,000 iterations of batches of 100 with learning rate 0.1.

    Every iteration takes the next ``batch_size`` samples of a random order of
    the training set, drawn afresh at the start of each epoch of
    ``max(N // batch_size, 1)`` iterations (so each epoch sees every sample at
    most once), computes the gradients by backpropagation and updates every
    parameter ``p -= learning_rate * grad``.  The accuracies on the full
    training and validation sets are measured before training, after every
    epoch and at the end.  ``seed`` seeds the random order: the same seed and the
    same network give the same run.  ``progress=True`` shows a tqdm progress
    bar on standard output.
    """
    check_positive("iterations", iterations, numbers.Integral)
    check_positive("batch_size", batch_size, numbers.Integral)
    check_positive("learning_rate", learning_rate)
    x_train, t_train = _split("train_data", train_data)
    x_val, t_val = _split("validation_data", validation_data)
    n = len(x_train)
    if batch_size > n:
        raise ValueError(f"batch_size must be at most the training set size {n}, got {batch_size}")
    step = _step_function(net, learning_rate)
    rng = np.random.default_rng(seed)
    history = History(iterations_per_epoch=max(n // batch_size, 1))

    def evaluate(iteration):
        history.epochs.append(iteration / history.iterations_per_epoch)
        history.train_accuracy.append(net.accuracy(x_train, t_train))
        history.validation_accuracy.append(net.accuracy(x_val, t_val))

    evaluate(0)
    bar = tqdm(range(iterations), desc="training", unit="it", file=sys.stdout,
               disable=not progress, mininterval=0.5)
    for i in bar:
        position = i % history.iterations_per_epoch
        if position == 0:
            order = rng.permutation(n)
        batch = order[position * batch_size:(position + 1) * batch_size]
        # x_train.take(batch, axis=0) is x_train[batch], copied a little faster
        history.loss.append(step(x_train.take(batch, axis=0), t_train[batch]))
        if (i + 1) % history.iterations_per_epoch == 0 or i + 1 == iterations:
            evaluate(i + 1)
            bar.set_postfix(loss=f"{history.loss[-1]:.3f}",
                            val_acc=f"{history.validation_accuracy[-1]:.4f}", refresh=False)
    bar.close()
    return history


def relative_difference(a, b):
    """``||a - b|| / (||a|| + ||b||)`` (Euclidean norms over all entries): a float in [0, 1].

    0 when the arrays are equal, 1 only when one of them is zero and the
    other is not (0 as well when both are zero).  Two unrelated arrays, of
    independent random numbers with mean 0 and the same spread, give about
    ``1 / sqrt(2) = 0.71``: ``||a - b||`` is then about ``sqrt(2)`` times the
    norm of either.  Unlike an entry-by-entry comparison,
    it is not thrown off by entries that are almost 0, where the numerical
    gradient is mostly rounding error.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    total = np.linalg.norm(a) + np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / total) if total > 0 else 0.0


def _step_function(net, learning_rate):
    """``step(x, t) -> loss``: one SGD step of ``net`` on a batch, the fastest way ``net`` offers."""
    if hasattr(net, "sgd_step"):  # TwoLayerNet: gradient and update in one go
        return lambda x, t: net.sgd_step(x, t, learning_rate)

    def step(x, t):
        if hasattr(net, "loss_and_gradient"):
            loss, grads = net.loss_and_gradient(x, t)
        else:
            loss, grads = net.loss(x, t), net.gradient(x, t)
        for key, grad in grads.items():
            net.params[key] -= learning_rate * grad
        return float(loss)

    return step


def check_gradient(net, x, t):
    """How far backprop is from the numerical gradient, per parameter.

    Returns ``{key: relative_difference(net.gradient(x, t)[key],
    net.numerical_gradient(x, t)[key])}`` for every key of ``net.params``.  A
    correct backward pass gives less than ``1e-6``: the central difference
    has an error of order ``h**2``, and the loss's ``delta = 1e-7`` inside the
    logarithm (which the backprop formula ignores) changes the gradient by
    about ``delta / y``, ``1e-6`` for probabilities ``y`` near 0.1.  A wrong
    backward pass gives ``1e-2`` to ``1``.

    The network must be float64: in float32 the rounding error of the loss
    (about ``1e-7``) divided by the step ``2h = 2e-4`` swamps what is being
    measured.  Keep ``net`` and ``x`` small: the numerical gradient costs two
    forward passes per parameter.
    """
    dtypes = {np.asarray(value).dtype for value in net.params.values()}
    if dtypes != {np.dtype(np.float64)}:
        raise ValueError("check_gradient needs a float64 network (dtype=np.float64), got "
                         f"parameters of dtype {', '.join(sorted(map(str, dtypes)))}")
    backprop = net.gradient(x, t)
    numerical = net.numerical_gradient(x, t)
    return {key: relative_difference(backprop[key], numerical[key]) for key in net.params}
