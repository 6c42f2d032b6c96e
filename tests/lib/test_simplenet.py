"""Tests of nntrain.networks.SimpleNet: the one-layer network of chapter 6 (backprop: chapter 7).

The reference values come from the seed notebook of the course, which printed
its weights rounded to 8 decimals; that is why its loss is matched to 1e-8.
"""
import numpy as np
import pytest

from nntrain import SimpleNet, softmax
from nntrain.functions import DELTA

pytestmark = pytest.mark.filterwarnings("error")  # valid input never warns

SEED_W = np.array([[2.50649385, 1.9619885, -0.01547902],
                   [1.65268115, 0.71875699, 0.62257074]])
SEED_X = np.array([0.6, 0.9])
SEED_T = np.array([0, 0, 1])
SEED_SCORES = np.array([2.99130935, 1.82407439, 0.55102625])
SEED_LOSS = 2.7755833883781973


def exact_gradient(W, x, t):
    """dL/dW of the course's loss (mean of -log(y_label + DELTA)), written out by hand.

    Without DELTA this is x.T @ (y - t) / N; DELTA multiplies each row of
    (y - t) by y_label / (y_label + DELTA).
    """
    x = np.atleast_2d(x)
    y = softmax(x @ W)
    t = np.asarray(t)
    labels = t.argmax(axis=-1).reshape(-1) if t.shape[-1:] == (3,) else t.reshape(-1)
    onehot = np.eye(3)[labels]
    y_label = y[np.arange(len(y)), labels]
    factor = (y_label / (y_label + DELTA))[:, None]
    return x.T @ (factor * (y - onehot)) / len(x)


def batch(seed=1, n=5):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 2)), rng.integers(0, 3, size=n)


# --------------------------------------------------------------------------
# predict and loss
# --------------------------------------------------------------------------

def test_seed_example_scores_and_loss():
    net = SimpleNet(SEED_W)
    assert np.allclose(net.predict(SEED_X), SEED_SCORES, rtol=0, atol=5e-9)
    assert abs(net.loss(SEED_X, SEED_T) - SEED_LOSS) < 1e-8
    assert isinstance(net.loss(SEED_X, SEED_T), float)


def test_predict_is_x_times_W_for_one_sample_and_a_batch():
    net = SimpleNet(SEED_W)
    x, _ = batch()
    scores = net.predict(x)
    assert scores.shape == (5, 3)
    assert np.allclose(scores, [net.predict(row) for row in x])
    assert net.predict(SEED_X).shape == (3,)


def test_batch_loss_is_the_mean_of_the_single_losses():
    net = SimpleNet(SEED_W)
    x, labels = batch()
    singles = [net.loss(row, label) for row, label in zip(x, labels)]
    assert np.isclose(net.loss(x, labels), np.mean(singles), rtol=1e-12)


def test_integer_labels_and_one_hot_agree():
    net = SimpleNet(SEED_W)
    x, labels = batch()
    assert np.isclose(net.loss(x, labels), net.loss(x, np.eye(3)[labels]), rtol=1e-12)
    assert np.isclose(net.loss(SEED_X, 2), SEED_LOSS, atol=1e-8)


def test_lists_and_integer_inputs_are_accepted():
    net = SimpleNet(SEED_W)
    assert np.allclose(net.predict([1, 0]), SEED_W[0])
    assert np.isclose(net.loss([[1, 0], [0, 1]], [0, 1]),
                      SimpleNet(SEED_W).loss(np.eye(2), np.array([0, 1])))


# --------------------------------------------------------------------------
# numerical_gradient
# --------------------------------------------------------------------------

def test_numerical_gradient_of_the_seed_example():
    net = SimpleNet(SEED_W)
    dW = net.numerical_gradient(SEED_X, SEED_T)
    assert dW.shape == (2, 3) and dW.dtype == np.float64
    assert np.allclose(dW, exact_gradient(SEED_W, SEED_X, SEED_T), rtol=0, atol=1e-8)
    # the textbook formula x.T (y - t) / N ignores DELTA: equal to about 1e-6
    y = softmax(SEED_X @ SEED_W)
    assert np.allclose(dW, np.outer(SEED_X, y - SEED_T), rtol=0, atol=1e-5)


@pytest.mark.parametrize("one_hot", [False, True])
def test_numerical_gradient_of_a_batch(one_hot):
    W = np.random.default_rng(4).normal(size=(2, 3))
    net = SimpleNet(W)
    x, labels = batch(seed=5, n=7)
    t = np.eye(3)[labels] if one_hot else labels
    assert np.allclose(net.numerical_gradient(x, t), exact_gradient(W, x, t), rtol=0, atol=1e-8)


def test_numerical_gradient_leaves_W_exactly_as_it_was():
    net = SimpleNet(SEED_W)
    W_object, W_values = net.W, net.W.copy()
    net.numerical_gradient(SEED_X, SEED_T)
    assert net.W is W_object
    assert np.array_equal(net.W, W_values)


def test_numerical_gradient_leaves_W_unchanged_when_the_loss_fails():
    net = SimpleNet(SEED_W)
    with pytest.raises(ValueError):
        net.numerical_gradient(SEED_X, np.array([0, 1]))  # a target of the wrong shape
    assert np.array_equal(net.W, SEED_W)


def test_numerical_gradient_never_writes_to_W():
    # the loss is computed from the array that is nudged (a copy of W), so a
    # read-only W is fine; nudging self.W in place would raise
    net = SimpleNet(SEED_W)
    net.W.flags.writeable = False
    dW = net.numerical_gradient(SEED_X, SEED_T)
    assert np.allclose(dW, exact_gradient(SEED_W, SEED_X, SEED_T), rtol=0, atol=1e-8)


def test_numerical_gradient_is_right_when_the_gradient_routine_copies(monkeypatch):
    # a loss that read self.W (the lambda W: net.loss(x, t) idiom) would see
    # none of the nudges on a copy, and the gradient would come out as zeros
    import nntrain.networks
    from nntrain.gradient import numerical_gradient

    monkeypatch.setattr(nntrain.networks, "numerical_gradient",
                        lambda f, x, h=1e-4: numerical_gradient(f, x.copy(), h))
    dW = SimpleNet(SEED_W).numerical_gradient(SEED_X, SEED_T)
    assert np.allclose(dW, exact_gradient(SEED_W, SEED_X, SEED_T), rtol=0, atol=1e-8)


# --------------------------------------------------------------------------
# gradient: backpropagation (chapter 7)
# --------------------------------------------------------------------------

def test_gradient_of_the_seed_example_is_the_outer_product():
    net = SimpleNet(SEED_W)
    dW = net.gradient(SEED_X, SEED_T)
    assert dW.shape == (2, 3) and dW.dtype == np.float64
    y = softmax(SEED_X @ SEED_W)
    np.testing.assert_allclose(dW, np.outer(SEED_X, y - SEED_T), rtol=1e-14)
    assert np.array_equal(net.gradient(SEED_X, 2), dW)
    assert np.array_equal(net.gradient(SEED_X, np.array([2])), dW)


@pytest.mark.parametrize("one_hot", [False, True])
def test_gradient_of_a_batch_is_x_transposed_times_y_minus_t_over_n(one_hot):
    W = np.random.default_rng(4).normal(size=(2, 3))
    x, labels = batch(seed=5, n=7)
    t = np.eye(3)[labels] if one_hot else labels
    net = SimpleNet(W)
    expected = x.T @ (softmax(x @ W) - np.eye(3)[labels]) / 7
    np.testing.assert_allclose(net.gradient(x, t), expected, rtol=1e-12)
    # the loss's DELTA is all that separates it from the exact gradient: a relative
    # DELTA / y_c, up to 7e-6 here, where a correct class has probability 0.015
    exact = exact_gradient(W, x, t)
    assert np.allclose(net.gradient(x, t), exact, rtol=0, atol=1e-5)
    assert not np.allclose(net.gradient(x, t), exact, rtol=0, atol=1e-7)
    assert np.allclose(net.numerical_gradient(x, t), net.gradient(x, t), rtol=0, atol=1e-5)


def test_gradient_checks_its_input():
    net = SimpleNet(SEED_W)
    with pytest.raises(ValueError, match=r"x must have shape \(2,\) or \(N, 2\)"):
        net.gradient(np.zeros(3), 0)
    with pytest.raises(ValueError, match=r"one-hot .*got shape \(2,\)"):
        net.gradient(SEED_X, np.array([0, 1]))
    with pytest.raises(ValueError, match=r"shape \(4,\), got shape \(3,\)"):
        net.gradient(np.zeros((4, 2)), np.array([0, 1, 2]))


def test_a_gradient_step_lowers_the_loss():
    net = SimpleNet(SEED_W)
    losses = [net.loss(SEED_X, SEED_T)]
    for _ in range(5):
        net.W -= 0.5 * net.numerical_gradient(SEED_X, SEED_T)
        losses.append(net.loss(SEED_X, SEED_T))
    assert np.all(np.diff(losses) < 0)


# --------------------------------------------------------------------------
# Initialisation and the W attribute
# --------------------------------------------------------------------------

def test_default_weights_are_small_seeded_and_reproducible():
    a, b = SimpleNet(), SimpleNet()
    assert a.W.shape == (2, 3) and a.W.dtype == np.float64
    assert np.array_equal(a.W, b.W)
    assert np.allclose(a.W, 0.01 * np.random.default_rng(0).standard_normal((2, 3)))
    # an undecided network: loss close to log(3) for any target
    assert abs(a.loss(SEED_X, SEED_T) - np.log(3)) < 0.05


def test_rng_and_weight_init_std_choose_the_weights():
    W1 = SimpleNet(rng=np.random.default_rng(7)).W
    W2 = SimpleNet(rng=np.random.default_rng(7)).W
    W3 = SimpleNet(rng=np.random.default_rng(8)).W
    assert np.array_equal(W1, W2) and not np.array_equal(W1, W3)
    big = SimpleNet(rng=np.random.default_rng(7), weight_init_std=1.0).W
    assert np.allclose(big, 100 * W1)


def test_given_W_is_copied_and_converted_to_float():
    W = SEED_W.copy()
    net = SimpleNet(W)
    net.W -= 1.0
    assert np.array_equal(W, SEED_W), "training the network changed the caller's array"
    net = SimpleNet([[1, 2, 3], [4, 5, 6]])
    assert net.W.dtype == np.float64
    assert net.numerical_gradient(SEED_X, SEED_T).dtype == np.float64


def test_assigning_W_is_checked():
    net = SimpleNet(SEED_W)
    net.W = SEED_W * 2
    assert np.allclose(net.predict(SEED_X), 2 * SEED_SCORES)
    net.W = [[1, 0, 0], [0, 1, 0]]
    assert net.W.dtype == np.float64
    with pytest.raises(ValueError, match=r"shape \(2, 3\), got \(2, 4\)"):
        net.W = np.zeros((2, 4))
    with pytest.raises(TypeError, match="W must be an array of .*numbers, got dtype"):
        net.W = [["a", "b", "c"], ["d", "e", "f"]]


# --------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(3, 2), (2,), (6,), (1, 2, 3)])
def test_W_of_the_wrong_shape_is_refused(shape):
    with pytest.raises(ValueError, match=rf"W must have shape \(2, 3\), got {re_shape(shape)}"):
        SimpleNet(np.zeros(shape))


def re_shape(shape):
    return str(tuple(shape)).replace("(", r"\(").replace(")", r"\)")


def test_rng_must_be_a_generator():
    with pytest.raises(TypeError, match="numpy.random.Generator.*got int"):
        SimpleNet(rng=42)


@pytest.mark.parametrize("x", [np.zeros(3), np.zeros((4, 3)), np.zeros((2, 2, 2)), np.float64(1.0)])
def test_x_of_the_wrong_shape_is_refused(x):
    net = SimpleNet(SEED_W)
    with pytest.raises(ValueError, match=r"x must have shape \(2,\) or \(N, 2\), got"):
        net.predict(x)
    with pytest.raises(ValueError, match="x must have shape"):
        net.loss(x, 0)


def test_x_that_is_not_numbers_is_refused():
    with pytest.raises(TypeError, match="x must be an array of .*numbers, got dtype"):
        SimpleNet(SEED_W).predict(["a", "b"])


@pytest.mark.parametrize("t, error, message", [
    (np.array([0, 1]), ValueError, r"one-hot .*got shape \(2,\)"),
    (np.array([0, 0, 0, 1]), ValueError, r"one-hot .*got shape \(4,\)"),
    (3, ValueError, r"class labels must lie in 0\.\.2"),
    (np.array([0.0, 1.0]), ValueError, r"one-hot .*got shape \(2,\)"),
])
def test_bad_targets_for_one_sample_are_refused(t, error, message):
    with pytest.raises(error, match=message):
        SimpleNet(SEED_W).loss(SEED_X, t)


def test_bad_targets_for_a_batch_are_refused():
    net = SimpleNet(SEED_W)
    x, labels = batch(n=4)
    with pytest.raises(ValueError, match=r"one-hot with shape \(4, 3\) or integer labels .*got shape \(3,\)"):
        net.loss(x, labels[:3])
    with pytest.raises(TypeError, match="integer class labels expected"):
        net.loss(x, labels.astype(float))
    with pytest.raises(ValueError, match="class labels must lie in 0..2"):
        net.numerical_gradient(x, np.array([0, 1, 2, 3]))
