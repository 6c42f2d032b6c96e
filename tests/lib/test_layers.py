"""Tests of nntrain.layers: the nodes of the computational graph (chapter 7).

Every backward pass is compared with the numerical gradient of the number
``sum(G * forward(x))`` for a random upstream gradient ``G``: its gradient
with respect to ``x`` is exactly what ``backward(G)`` must return.
"""
import numpy as np
import pytest

from nntrain import Affine, ReLU, Sigmoid, SoftmaxWithLoss, TwoLayerNet, numerical_gradient
from nntrain.functions import DELTA, cross_entropy_error, sigmoid, softmax
from nntrain.training import relative_difference

pytestmark = pytest.mark.filterwarnings("error")  # valid input never warns

RNG_SEED = 7


def numerical_backward(forward, x, upstream):
    """The gradient of sum(upstream * forward(x)) with respect to x, by central differences."""
    return numerical_gradient(lambda v: np.sum(upstream * forward(v)), x.copy())


def affine_case(n=4, d=3, m=2, seed=RNG_SEED):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)), rng.normal(size=(d, m)), rng.normal(size=m), rng.normal(size=(n, m))


# --------------------------------------------------------------------------
# Affine
# --------------------------------------------------------------------------

def test_affine_forward_is_x_W_plus_b():
    x, W, b, _ = affine_case()
    np.testing.assert_allclose(Affine(W, b).forward(x), x @ W + b, rtol=1e-15)


@pytest.mark.parametrize("n, d, m", [(4, 3, 2), (1, 5, 3), (3, 3, 3)])
def test_affine_backward_matches_the_numerical_gradient(n, d, m):
    x, W, b, upstream = affine_case(n, d, m)
    node = Affine(W, b)
    node.forward(x)
    dx = node.backward(upstream)
    assert dx.shape == x.shape and node.dW.shape == W.shape and node.db.shape == b.shape
    assert relative_difference(dx, numerical_backward(lambda v: Affine(W, b).forward(v), x,
                                                      upstream)) < 1e-9
    assert relative_difference(node.dW, numerical_backward(lambda v: Affine(v, b).forward(x), W,
                                                           upstream)) < 1e-9
    assert relative_difference(node.db, numerical_backward(lambda v: Affine(W, v).forward(x), b,
                                                           upstream)) < 1e-9


def test_affine_bias_gradient_sums_over_the_batch():
    x, W, b, upstream = affine_case(n=5)
    node = Affine(W, b)
    node.forward(x)
    node.backward(upstream)
    np.testing.assert_allclose(node.db, upstream.sum(axis=0), rtol=1e-15)
    np.testing.assert_allclose(node.dW, x.T @ upstream, rtol=1e-15)


def test_affine_keeps_the_parameter_arrays_themselves():
    x, W, b, _ = affine_case()
    node = Affine(W, b)
    W += 1.0  # an update in place, as training does
    np.testing.assert_allclose(node.forward(x), x @ W + b)
    assert node.W is W and node.b is b


def test_affine_leaves_its_inputs_unchanged():
    x, W, b, upstream = affine_case()
    copies = [a.copy() for a in (x, W, b, upstream)]
    node = Affine(W, b)
    node.forward(x)
    node.backward(upstream)
    for array, copy in zip((x, W, b, upstream), copies):
        np.testing.assert_array_equal(array, copy)


@pytest.mark.parametrize("W, b, words", [
    (np.zeros(3), np.zeros(3), r"W must be a matrix of shape \(D, M\), got shape \(3,\)"),
    (np.zeros((3, 2)), np.zeros(3), r"b must have shape \(2,\) .* got \(3,\)"),
    (np.zeros((3, 2)), np.zeros((1, 2)), r"b must have shape \(2,\)"),
])
def test_affine_refuses_mismatched_parameters(W, b, words):
    with pytest.raises(ValueError, match=words):
        Affine(W, b)


@pytest.mark.parametrize("x", [np.zeros(3), np.zeros((4, 2)), np.zeros((2, 4, 3))])
def test_affine_refuses_x_of_the_wrong_shape(x):
    _, W, b, _ = affine_case()
    with pytest.raises(ValueError, match=r"x must have shape \(N, 3\)"):
        Affine(W, b).forward(x)


@pytest.mark.parametrize("shape", [(2,), (4, 3), (2, 4), (1, 2)])
def test_affine_backward_refuses_an_upstream_gradient_of_the_wrong_shape(shape):
    # (2,) and (1, 2) would broadcast silently against (4, 2)
    x, W, b, _ = affine_case()
    node = Affine(W, b)
    node.forward(x)
    with pytest.raises(ValueError, match=r"d_out must have the shape of the forward output \(4, 2\)"):
        node.backward(np.ones(shape))


@pytest.mark.parametrize("node", [Affine(np.zeros((3, 2)), np.zeros(2)), Sigmoid(), ReLU(),
                                  SoftmaxWithLoss()])
def test_backward_before_forward_says_so(node):
    with pytest.raises(RuntimeError, match="call forward first"):
        node.backward(np.ones((4, 2)))


# --------------------------------------------------------------------------
# Sigmoid and ReLU
# --------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(5,), (4, 3), (2, 3, 4)])
def test_sigmoid_backward_matches_the_numerical_gradient(shape):
    rng = np.random.default_rng(RNG_SEED)
    a, upstream = rng.normal(scale=2, size=shape), rng.normal(size=shape)
    node = Sigmoid()
    np.testing.assert_allclose(node.forward(a), 1 / (1 + np.exp(-a)), rtol=1e-12)
    da = node.backward(upstream)
    assert da.shape == a.shape
    assert relative_difference(da, numerical_backward(sigmoid, a, upstream)) < 1e-9


def test_sigmoid_local_gradient_is_at_most_a_quarter():
    node = Sigmoid()
    a = np.linspace(-10, 10, 2001)
    node.forward(a)
    slope = node.backward(np.ones_like(a))
    assert slope.max() == pytest.approx(0.25) and slope.argmax() == 1000  # at a = 0


def test_sigmoid_saturates_without_warnings():
    node = Sigmoid()
    y = node.forward(np.array([-1e4, 1e4]))
    np.testing.assert_array_equal(y, [0.0, 1.0])
    np.testing.assert_array_equal(node.backward(np.ones(2)), [0.0, 0.0])


@pytest.mark.parametrize("shape", [(6,), (4, 3)])
def test_relu_backward_matches_the_numerical_gradient_away_from_zero(shape):
    rng = np.random.default_rng(RNG_SEED)
    a = rng.normal(size=shape)
    a[np.abs(a) < 0.01] = 0.5  # the central difference straddles the kink within h of 0
    upstream = rng.normal(size=shape)
    node = ReLU()
    np.testing.assert_array_equal(node.forward(a), np.maximum(a, 0))
    da = node.backward(upstream)
    assert relative_difference(da, numerical_backward(lambda v: np.maximum(v, 0), a, upstream)) < 1e-9
    np.testing.assert_array_equal(da, np.where(a > 0, upstream, 0))


def test_relu_passes_no_gradient_at_zero_and_keeps_float32():
    node = ReLU()
    out = node.forward(np.array([-1.0, 0.0, 2.0], dtype=np.float32))
    assert out.dtype == np.float32
    np.testing.assert_array_equal(node.backward(np.ones(3, dtype=np.float32)), [0.0, 0.0, 1.0])


@pytest.mark.parametrize("node", [Sigmoid(), ReLU()])
def test_elementwise_nodes_refuse_an_upstream_gradient_of_the_wrong_shape(node):
    node.forward(np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"shape of the forward output \(4, 3\), got \(3,\)"):
        node.backward(np.ones(3))


# --------------------------------------------------------------------------
# SoftmaxWithLoss
# --------------------------------------------------------------------------

def scores_case(n=5, c=4, seed=RNG_SEED):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, c)), rng.integers(0, c, size=n)


def test_softmax_with_loss_forward_is_the_mean_cross_entropy():
    scores, labels = scores_case()
    node = SoftmaxWithLoss()
    loss = node.forward(scores, labels)
    assert isinstance(loss, float)
    assert loss == pytest.approx(cross_entropy_error(softmax(scores), labels), rel=1e-15)
    assert SoftmaxWithLoss().forward(scores, np.eye(4)[labels]) == pytest.approx(loss, rel=1e-15)


def test_softmax_with_loss_backward_is_y_minus_t_over_n():
    scores, labels = scores_case()
    node = SoftmaxWithLoss()
    node.forward(scores, labels)
    np.testing.assert_allclose(node.backward(), (softmax(scores) - np.eye(4)[labels]) / 5, rtol=1e-15)
    np.testing.assert_allclose(node.backward(2.0), 2 * node.backward(), rtol=1e-15)


def test_softmax_with_loss_backward_differs_from_the_exact_gradient_only_by_delta():
    scores, labels = scores_case()
    node = SoftmaxWithLoss()
    node.forward(scores, labels)
    numerical = numerical_gradient(lambda s: SoftmaxWithLoss().forward(s, labels), scores.copy())
    backprop = node.backward()
    # each row of the exact gradient is y_c / (y_c + DELTA) times (y - t) / N
    y_c = softmax(scores)[np.arange(5), labels]
    exact = backprop * (y_c / (y_c + DELTA))[:, None]
    assert relative_difference(numerical, exact) < 1e-9
    assert 1e-8 < relative_difference(numerical, backprop) < 1e-5


def test_softmax_with_loss_refuses_bad_input():
    scores, labels = scores_case()
    with pytest.raises(ValueError, match=r"scores must have shape \(N, C\)"):
        SoftmaxWithLoss().forward(scores[0], labels[0])
    with pytest.raises(ValueError, match=r"integer labels with shape \(5,\)"):
        SoftmaxWithLoss().forward(scores, labels[:3])
    node = SoftmaxWithLoss()
    node.forward(scores, labels)
    with pytest.raises(ValueError, match=r"d_out must have the shape of the forward output \(\)"):
        node.backward(np.ones(5))


# --------------------------------------------------------------------------
# The nodes chained: the two-layer network of chapter 7
# --------------------------------------------------------------------------

@pytest.mark.parametrize("activation, node", [("sigmoid", Sigmoid), ("relu", ReLU)])
def test_chained_nodes_give_the_networks_gradient(activation, node):
    rng = np.random.default_rng(RNG_SEED)
    net = TwoLayerNet(4, 5, 3, weight_init_std=0.7, rng=rng, activation=activation)
    x, labels = rng.normal(size=(6, 4)), rng.integers(0, 3, size=6)
    p = net.params
    layer1, hidden, layer2, last = Affine(p["W1"], p["b1"]), node(), Affine(p["W2"], p["b2"]), SoftmaxWithLoss()
    loss = last.forward(layer2.forward(hidden.forward(layer1.forward(x))), labels)
    layer1.backward(hidden.backward(layer2.backward(last.backward())))
    expected_loss, grads = net.loss_and_gradient(x, labels)
    assert loss == pytest.approx(expected_loss, rel=1e-12)
    for key, got in (("W1", layer1.dW), ("b1", layer1.db), ("W2", layer2.dW), ("b2", layer2.db)):
        np.testing.assert_allclose(got, grads[key], rtol=1e-10, atol=1e-15)
