"""Tests of nntrain.training: the SGD loop and the gradient check (chapter 8)."""
import dataclasses

import numpy as np
import pytest

from nntrain import load_mnist
from nntrain.functions import one_hot
from nntrain.networks import TwoLayerNet
from nntrain.datasets import validation_split
from nntrain.training import History, check_gradient, relative_difference, train

pytestmark = pytest.mark.filterwarnings("error")


def blobs(n, seed):
    """Three well separated clouds of points in 2-D: an easy classification problem."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, size=n)
    centres = np.array([[3.0, 0.0], [-3.0, 0.0], [0.0, 3.0]])
    return centres[labels] + rng.normal(size=(n, 2)), labels


TRAIN, VALIDATION = blobs(250, seed=0), blobs(90, seed=1)


def fresh_net(**kwargs):
    return TwoLayerNet(2, 8, 3, weight_init_std=0.5, **kwargs)


def run(net=None, **kwargs):
    options = dict(iterations=300, batch_size=25, learning_rate=0.5, progress=False) | kwargs
    return train(fresh_net() if net is None else net, TRAIN, VALIDATION, **options)


# --------------------------------------------------------------------------
# train
# --------------------------------------------------------------------------

def test_training_learns_the_blobs():
    history = run()
    assert history.validation_accuracy[0] < 0.7
    assert history.validation_accuracy[-1] > 0.95 and history.train_accuracy[-1] > 0.95
    assert np.mean(history.loss[-20:]) < np.mean(history.loss[:20]) / 3


def test_history_has_one_loss_per_iteration_and_accuracies_per_epoch():
    history = run(iterations=25, batch_size=100)  # 250 // 100 = 2 iterations per epoch
    assert isinstance(history, History)
    assert history.iterations_per_epoch == 2 and isinstance(history.iterations_per_epoch, int)
    assert len(history.loss) == 25
    assert all(isinstance(loss, float) for loss in history.loss)
    # before training, after each of the 12 full epochs, and after the last iteration
    assert history.epochs == [0.0, *range(1, 13), 12.5]
    assert len(history.train_accuracy) == len(history.validation_accuracy) == 14


def test_no_extra_evaluation_when_the_last_epoch_is_complete():
    history = run(iterations=20, batch_size=50)  # 5 iterations per epoch
    assert history.epochs == [0.0, 1.0, 2.0, 3.0, 4.0]


def test_batch_larger_than_half_the_data_still_has_whole_epochs():
    history = run(iterations=3, batch_size=200)  # 250 // 200 = 1
    assert history.iterations_per_epoch == 1
    assert history.epochs == [0.0, 1.0, 2.0, 3.0]


def test_accuracies_are_the_networks_own():
    net = fresh_net()
    history = run(net)
    assert history.train_accuracy[-1] == net.accuracy(*TRAIN)
    assert history.validation_accuracy[-1] == net.accuracy(*VALIDATION)


def test_the_same_seed_gives_the_same_run():
    a, b = fresh_net(), fresh_net()
    history_a, history_b = run(a, seed=3), run(b, seed=3)
    assert history_a.loss == history_b.loss
    for key in a.params:
        np.testing.assert_array_equal(a.params[key], b.params[key])
    assert run(seed=4).loss != history_a.loss


def test_the_network_learns_from_the_training_data_only():
    """Other validation data changes what is measured, never what is learned."""
    a, b = fresh_net(), fresh_net()
    x_val, t_val = VALIDATION
    history_a = run(a)
    history_b = train(b, TRAIN, (x_val[::-1] * 5, (t_val + 1) % 3), iterations=300,
                      batch_size=25, learning_rate=0.5, progress=False)
    assert history_a.loss == history_b.loss
    for key in a.params:
        np.testing.assert_array_equal(a.params[key], b.params[key])
    assert history_a.train_accuracy == history_b.train_accuracy
    assert history_a.validation_accuracy != history_b.validation_accuracy


def test_history_names_what_it_measured():
    history = run(iterations=10)
    assert [f.name for f in dataclasses.fields(History)] == [
        "iterations_per_epoch", "loss", "epochs", "train_accuracy", "validation_accuracy"]
    assert not hasattr(history, "test_accuracy")


def test_one_hot_targets_give_the_same_run():
    x, t = TRAIN
    a = train(fresh_net(), (x, t), VALIDATION, iterations=30, batch_size=25, progress=False)
    b = train(fresh_net(), (x, one_hot(t, 3)), (VALIDATION[0], one_hot(VALIDATION[1], 3)),
              iterations=30, batch_size=25, progress=False)
    assert a.loss == b.loss and a.validation_accuracy == b.validation_accuracy


def test_every_sample_is_used_once_per_epoch_in_a_new_order():
    seen = []

    class Recorder(TwoLayerNet):
        def sgd_step(self, x, t, learning_rate):
            seen.append(x[:, 0].copy())  # column 0 holds each sample's index
            return super().sgd_step(x, t, learning_rate)

    x = np.column_stack([np.arange(250.0), np.zeros(250)])
    # 250 // 25 = 10 iterations per epoch: two epochs
    train(Recorder(2, 4, 3), (x, TRAIN[1]), VALIDATION, iterations=20, batch_size=25, progress=False)
    first, second = np.concatenate(seen[:10]), np.concatenate(seen[10:])
    for epoch in (first, second):
        np.testing.assert_array_equal(np.sort(epoch), np.arange(250.0))
    assert not np.array_equal(first, second), "the second epoch must draw a new order"


def test_works_with_any_net_that_has_gradient_and_accuracy():
    class Plain:
        """Only what chapter 8's exercise asks for: no loss_and_gradient."""

        def __init__(self):
            self.inner = fresh_net()
            self.params = self.inner.params

        def loss(self, x, t):
            return self.inner.loss(x, t)

        def gradient(self, x, t):
            return self.inner.gradient(x, t)

        def accuracy(self, x, t):
            return self.inner.accuracy(x, t)

    # Plain trains with gradient() (the plain backward pass), run() with sgd_step (the fast
    # path): the same arithmetic up to rounding in the last digits
    np.testing.assert_allclose(run(Plain()).loss, run().loss, rtol=1e-10)


def test_nets_without_sgd_step_train_the_same_way():
    class WithoutSgdStep(TwoLayerNet):
        sgd_step = property(lambda self: (_ for _ in ()).throw(AttributeError("sgd_step")))

    a, b = fresh_net(), WithoutSgdStep(2, 8, 3, weight_init_std=0.5)
    assert not hasattr(b, "sgd_step")
    history_a, history_b = run(a), run(b)
    np.testing.assert_allclose(history_a.loss, history_b.loss, rtol=1e-10)
    for key in a.params:
        np.testing.assert_allclose(a.params[key], b.params[key], rtol=1e-10, atol=1e-12)


def test_progress_bar_goes_to_stdout_and_can_be_switched_off(capsys):
    run(iterations=10, progress=True)
    out = capsys.readouterr()
    assert "training" in out.out and "10/10" in out.out and out.err == ""
    assert "val_acc" in out.out and "test" not in out.out
    run(iterations=10, progress=False)
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


def test_float32_training_stays_float32():
    net = fresh_net(dtype=np.float32)
    run(net, iterations=20)
    assert all(value.dtype == np.float32 for value in net.params.values())


def test_the_callers_data_is_not_changed():
    x, t = TRAIN[0].copy(), one_hot(TRAIN[1], 3)
    x_before, t_before = x.copy(), t.copy()
    train(fresh_net(), (x, t), VALIDATION, iterations=20, batch_size=25, progress=False)
    np.testing.assert_array_equal(x, x_before)
    np.testing.assert_array_equal(t, t_before)


def test_short_mnist_run_learns():
    (x_all, t_all), _ = load_mnist()
    part, validation = validation_split(x_all[:7000], t_all[:7000], 2000, np.random.default_rng(0))
    net = TwoLayerNet(784, 50, 10, dtype=np.float32)
    history = train(net, part, validation, iterations=500, learning_rate=0.5, progress=False)
    assert history.iterations_per_epoch == 50
    assert history.validation_accuracy[0] < 0.2
    assert history.validation_accuracy[-1] > 0.8


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(iterations=0), ValueError, "iterations"),
    (dict(iterations=10.0), TypeError, "whole number"),
    (dict(batch_size=0), ValueError, "batch_size"),
    (dict(batch_size=251), ValueError, "at most the training set size 250"),
    (dict(learning_rate=-0.1), ValueError, "learning_rate"),
    (dict(learning_rate=float("nan")), ValueError, "learning_rate"),
    (dict(learning_rate="0.1"), TypeError, "learning_rate"),
])
def test_bad_settings_are_refused(kwargs, error, words):
    with pytest.raises(error, match=words):
        run(**kwargs)


@pytest.mark.parametrize("train_data, error, words", [
    (TRAIN[0], TypeError, "pair"),
    ((TRAIN[0], TRAIN[1][:-1]), ValueError, r"\(250,\)"),
    ((TRAIN[0][0], TRAIN[1]), ValueError, r"\(N, input_size\)"),
    ((TRAIN[0], TRAIN[1] + 3), ValueError, "0..2"),
    ((TRAIN[0][:, :1], TRAIN[1]), ValueError, r"\(N, 2\)"),
    ((TRAIN[0], np.full((250, 3), 1 / 3)), ValueError, "single 1"),
])
def test_bad_data_is_refused(train_data, error, words):
    with pytest.raises(error, match=words):
        train(fresh_net(), train_data, VALIDATION, iterations=5, progress=False)


@pytest.mark.parametrize("validation_data, error, words", [
    (VALIDATION[0], TypeError, "validation_data must be a pair"),
    ((VALIDATION[0], VALIDATION[1][:-1]), ValueError, r"validation_data: t must have one target"),
    ((VALIDATION[0][:, :1], VALIDATION[1]), ValueError, r"\(N, 2\)"),
])
def test_bad_validation_data_is_refused(validation_data, error, words):
    with pytest.raises(error, match=words):
        train(fresh_net(), TRAIN, validation_data, iterations=5, progress=False)


# --------------------------------------------------------------------------
# check_gradient and relative_difference
# --------------------------------------------------------------------------

def test_relative_difference():
    a = np.array([3.0, 4.0])
    assert relative_difference(a, a) == 0.0
    assert relative_difference(a, np.zeros(2)) == 1.0
    assert relative_difference(np.zeros(2), np.zeros(2)) == 0.0
    assert relative_difference(a, a * (1 + 1e-6)) == pytest.approx(5e-7, rel=1e-3)
    # unrelated arrays of random numbers: about 1 / sqrt(2), not 1
    rng = np.random.default_rng(0)
    unrelated = relative_difference(rng.normal(size=10_000), rng.normal(size=10_000))
    assert unrelated == pytest.approx(1 / np.sqrt(2), abs=0.01)
    with pytest.raises(ValueError, match="same shape"):
        relative_difference(a, np.zeros(3))


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
def test_check_gradient_passes_a_correct_backprop(activation):
    net = TwoLayerNet(6, 5, 3, activation=activation)
    rng = np.random.default_rng(0)
    errors = check_gradient(net, rng.normal(size=(4, 6)), np.array([0, 1, 2, 1]))
    assert set(errors) == {"W1", "b1", "W2", "b2"}
    assert all(0 <= error < 1e-6 for error in errors.values()), errors


def test_check_gradient_catches_a_wrong_backprop():
    class Forgetful(TwoLayerNet):
        """Forgets to divide by the batch size."""

        def gradient(self, x, t):
            return {key: len(x) * grad for key, grad in super().gradient(x, t).items()}

    rng = np.random.default_rng(0)
    errors = check_gradient(Forgetful(6, 5, 3), rng.normal(size=(4, 6)), np.array([0, 1, 2, 1]))
    assert all(error == pytest.approx(0.6, abs=0.01) for error in errors.values()), errors


def test_check_gradient_refuses_float32():
    net = TwoLayerNet(6, 5, 3, dtype=np.float32)
    with pytest.raises(ValueError, match="float64"):
        check_gradient(net, np.zeros((2, 6)), np.array([0, 1]))
