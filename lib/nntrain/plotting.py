"""Plots of a training run: chapter 8.

Both functions take the :class:`nntrain.training.History` that
:func:`nntrain.training.train` returns, draw on the matplotlib ``Axes`` ``ax``
(a new figure of 6 x 3.5 inches when ``ax`` is None) and return that ``Axes``;
call ``plt.show()`` afterwards.

* :func:`plot_loss` - the mini-batch loss of every iteration, with its moving
  average, against iterations (and epochs on the top axis);
* :func:`plot_accuracy` - training and validation accuracy against epochs.
"""
import numbers

import numpy as np

from .training import History


def _check_history(history):
    if not isinstance(history, History):
        raise TypeError(f"history must be the History that train() returns, "
                        f"got {type(history).__name__}")


def _new_axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt  # imported here so that `import nntrain` stays quick

        _, ax = plt.subplots(figsize=(6, 3.5))
    return ax


def moving_average(values, window):
    """Mean of each run of ``window`` consecutive values: shape ``(len(values) - window + 1,)``.

    ``values`` is 1-D; ``window`` a whole number from 1 to ``len(values)``.
    Entry ``k`` is the mean of ``values[k:k + window]``.
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 1:
        raise ValueError(f"values must be 1-D, got shape {values.shape}")
    if isinstance(window, bool) or not isinstance(window, numbers.Integral) \
            or not 1 <= window <= len(values):
        raise ValueError(f"window must be a whole number from 1 to {len(values)}, got {window!r}")
    sums = np.cumsum(np.concatenate(([0.0], values)))
    return (sums[window:] - sums[:-window]) / window


def plot_loss(history, ax=None, window=None):
    """Draw the loss of every iteration and its moving average; return the ``Axes``.

    The raw mini-batch losses are noisy (each batch is different), so a
    moving average over ``window`` iterations (one epoch's worth when not
    given, at most the number of iterations) is drawn on top of them.  The
    x axis counts iterations; a second x axis on top shows epochs.
    """
    _check_history(history)
    if not history.loss:
        raise ValueError("history.loss is empty: there is no loss to plot")
    losses = np.asarray(history.loss, dtype=np.float64)
    per_epoch = history.iterations_per_epoch
    window = min(per_epoch, len(losses)) if window is None else window
    smooth = moving_average(losses, window)
    iterations = np.arange(1, len(losses) + 1)
    ax = _new_axes(ax)
    ax.plot(iterations, losses, color="tab:blue", alpha=0.25, linewidth=0.8,
            label="mini-batch loss")
    ax.plot(iterations[window - 1:], smooth, color="tab:blue", linewidth=2,
            label=f"mean of the last {window} iterations")
    ax.set_xlabel("iteration")
    ax.set_ylabel("loss (cross-entropy)")
    ax.set_xlim(0, len(losses))
    ax.set_ylim(0, None)
    ax.grid(alpha=0.3)
    ax.legend()
    top = ax.secondary_xaxis("top", functions=(lambda i: i / per_epoch, lambda e: e * per_epoch))
    top.set_xlabel("epoch")
    return ax


def plot_accuracy(history, ax=None):
    """Draw the training and the validation accuracy against epochs; return the ``Axes``.

    One point per measurement, at ``history.epochs``: the training set as a
    solid line with circles, the validation set as a dashed line with squares.
    """
    _check_history(history)
    if not history.epochs:
        raise ValueError("history.epochs is empty: no accuracy was measured")
    ax = _new_axes(ax)
    ax.plot(history.epochs, history.train_accuracy, marker="o", markersize=4,
            label="training set")
    ax.plot(history.epochs, history.validation_accuracy, marker="s", markersize=4,
            linestyle="--", label="validation set")
    ax.set_xlabel("epoch")
    ax.set_ylabel("accuracy")
    ax.set_ylim(0, 1)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    return ax
