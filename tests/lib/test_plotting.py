"""Tests of nntrain.plotting: the loss and accuracy curves of chapter 8."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nntrain.plotting import moving_average, plot_accuracy, plot_loss  # noqa: E402
from nntrain.training import History  # noqa: E402

pytestmark = pytest.mark.filterwarnings("error")


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def history():
    """A made-up run: 25 iterations, 10 per epoch, accuracies at epochs 0, 1, 2, 2.5."""
    return History(
        iterations_per_epoch=10,
        loss=list(np.linspace(2.3, 0.3, 25)),
        epochs=[0.0, 1.0, 2.0, 2.5],
        train_accuracy=[0.1, 0.8, 0.9, 0.92],
        validation_accuracy=[0.11, 0.79, 0.88, 0.9],
    )


def test_moving_average():
    np.testing.assert_allclose(moving_average([1, 2, 3, 4], 2), [1.5, 2.5, 3.5])
    np.testing.assert_allclose(moving_average([1, 2, 3, 4], 1), [1, 2, 3, 4])
    np.testing.assert_allclose(moving_average([1, 2, 3, 4], 4), [2.5])


@pytest.mark.parametrize("values, window", [([1, 2, 3], 0), ([1, 2, 3], 4), ([1, 2, 3], 1.5),
                                            ([[1, 2], [3, 4]], 1)])
def test_moving_average_bad_input(values, window):
    with pytest.raises(ValueError):
        moving_average(values, window)


def test_plot_loss_draws_raw_and_smoothed_loss_against_iterations():
    ax = plot_loss(history())
    raw, smooth = ax.get_lines()
    np.testing.assert_array_equal(raw.get_xdata(), np.arange(1, 26))
    np.testing.assert_allclose(raw.get_ydata(), history().loss)
    # a window of one epoch (10 iterations): the first mean is at iteration 10
    np.testing.assert_array_equal(smooth.get_xdata(), np.arange(10, 26))
    np.testing.assert_allclose(smooth.get_ydata()[0], np.mean(history().loss[:10]))
    assert ax.get_xlabel() == "iteration" and "loss" in ax.get_ylabel()
    assert ax.figure.get_size_inches().tolist() == [6.0, 3.5]


def test_plot_loss_top_axis_counts_epochs():
    ax = plot_loss(history())  # 25 iterations of 10 per epoch
    (top,) = ax.child_axes
    ax.figure.canvas.draw()  # the secondary axis takes its limits from ax when drawn
    assert ax.get_xlim() == (0.0, 25.0)
    assert top.get_xlim() == pytest.approx((0.0, 2.5))
    assert top.get_xlabel() == "epoch"


def test_plot_loss_window_and_short_runs():
    ax = plot_loss(history(), window=5)
    assert len(ax.get_lines()[1].get_xdata()) == 21
    short = History(iterations_per_epoch=600, loss=[2.3, 2.2, 2.1])
    ax = plot_loss(short)  # fewer iterations than one epoch: window shrinks to fit
    assert len(ax.get_lines()[1].get_xdata()) == 1


def test_plot_accuracy_uses_epochs_on_the_x_axis():
    ax = plot_accuracy(history())
    train_line, validation_line = ax.get_lines()
    for line in (train_line, validation_line):
        np.testing.assert_array_equal(line.get_xdata(), [0.0, 1.0, 2.0, 2.5])
    np.testing.assert_array_equal(train_line.get_ydata(), history().train_accuracy)
    np.testing.assert_array_equal(validation_line.get_ydata(), history().validation_accuracy)
    assert ax.get_xlabel() == "epoch"
    assert [text.get_text() for text in ax.get_legend().get_texts()] == \
        ["training set", "validation set"]


def test_plots_draw_on_a_given_axes():
    fig, (left, right) = plt.subplots(1, 2)
    assert plot_loss(history(), ax=left) is left
    assert plot_accuracy(history(), ax=right) is right
    assert len(fig.axes) == 2
    assert len(left.child_axes) == 1  # the loss plot's epoch axis on top


def test_plots_refuse_what_is_not_a_history():
    for plot in (plot_loss, plot_accuracy):
        with pytest.raises(TypeError, match="History"):
            plot({"loss": [1.0]})


def test_plots_refuse_an_empty_history():
    with pytest.raises(ValueError, match="empty"):
        plot_loss(History(iterations_per_epoch=1))
    with pytest.raises(ValueError, match="empty"):
        plot_accuracy(History(iterations_per_epoch=1))
