"""Tests of nntrain.networks.TwoLayerNet (chapters 7 and 8).

The plain backward pass (``loss_and_gradient``, the formulas of chapter 7) is
checked against the numerical gradient and against the formulas written out
here; the fast path that training uses (``sgd_step`` and ``_fast_backprop``)
is checked against the plain one.
"""
import numpy as np
import pytest

from nntrain.functions import cross_entropy_error, one_hot, sigmoid, softmax
from nntrain.gradient import numerical_gradient
from nntrain.networks import TwoLayerNet
from nntrain.training import check_gradient, relative_difference

# Every test here turns warnings into errors: valid input must never warn.
pytestmark = pytest.mark.filterwarnings("error")


def tiny_net(activation="sigmoid", dtype=np.float64, seed=1):
    """A 4-3-2 network with every parameter nonzero (biases included)."""
    rng = np.random.default_rng(seed)
    net = TwoLayerNet(4, 3, 2, weight_init_std=0.5, rng=rng, dtype=dtype, activation=activation)
    net.params["b1"][:] = rng.normal(size=3)
    net.params["b2"][:] = rng.normal(size=2)
    return net


def batch(n=5, seed=2):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 4)), rng.integers(0, 2, size=n)


def by_hand(net, x):
    """The forward pass written out, the reference for predict."""
    p = net.params
    hidden = 1 / (1 + np.exp(-(x @ p["W1"] + p["b1"])))
    scores = hidden @ p["W2"] + p["b2"]
    exp = np.exp(scores - scores.max(axis=1, keepdims=True))
    return exp / exp.sum(axis=1, keepdims=True)


# --------------------------------------------------------------------------
# Initialisation
# --------------------------------------------------------------------------

def test_params_have_the_contract_keys_shapes_and_init():
    net = TwoLayerNet(784, 50, 10)
    shapes = {key: value.shape for key, value in net.params.items()}
    assert shapes == {"W1": (784, 50), "b1": (50,), "W2": (50, 10), "b2": (10,)}
    assert all(value.dtype == np.float64 for value in net.params.values())
    assert not net.params["b1"].any() and not net.params["b2"].any()
    assert net.params["W1"].std() == pytest.approx(0.01, rel=0.02)
    assert net.params["W2"].std() == pytest.approx(0.01, rel=0.15)
    assert sum(value.size for value in net.params.values()) == 39_760


def test_initialisation_is_seeded():
    a, b = TwoLayerNet(5, 4, 3), TwoLayerNet(5, 4, 3)
    for key in a.params:
        np.testing.assert_array_equal(a.params[key], b.params[key])
    c = TwoLayerNet(5, 4, 3, rng=np.random.default_rng(1))
    d = TwoLayerNet(5, 4, 3, rng=np.random.default_rng(1))
    np.testing.assert_array_equal(c.params["W1"], d.params["W1"])
    assert not np.array_equal(a.params["W1"], c.params["W1"])


@pytest.mark.parametrize("rule, factor", [("xavier", 1.0), ("he", 2.0)])
def test_named_initialisations_scale_with_fan_in(rule, factor):
    net = TwoLayerNet(400, 300, 10, weight_init_std=rule)
    assert net.params["W1"].std() == pytest.approx(np.sqrt(factor / 400), rel=0.02)
    assert net.params["W2"].std() == pytest.approx(np.sqrt(factor / 300), rel=0.1)


def test_float32_network_stays_float32():
    net = tiny_net(dtype=np.float32)
    x, t = batch()
    assert net.dtype == np.float32
    assert net.predict(x).dtype == np.float32
    assert all(g.dtype == np.float32 for g in net.gradient(x, t).values())


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(input_size=0), ValueError, "input_size"),
    (dict(hidden_size=2.5), ValueError, "hidden_size"),
    (dict(output_size=True), ValueError, "output_size"),
    (dict(weight_init_std=-1), ValueError, "weight_init_std"),
    (dict(weight_init_std=np.inf), ValueError, "finite"),
    (dict(weight_init_std=np.nan), ValueError, "finite"),
    (dict(weight_init_std=None), ValueError, "weight_init_std"),
    (dict(weight_init_std="kaiming"), ValueError, "'he'"),
    (dict(dtype=np.int64), ValueError, "float32"),
    (dict(activation="tanh"), ValueError, "relu"),
    (dict(rng=42), TypeError, "default_rng"),
])
def test_bad_constructor_arguments(kwargs, error, words):
    args = dict(input_size=4, hidden_size=3, output_size=2) | kwargs
    with pytest.raises(error, match=words):
        TwoLayerNet(**args)


# --------------------------------------------------------------------------
# Forward pass: predict, loss, accuracy
# --------------------------------------------------------------------------

def test_predict_is_the_two_layer_formula():
    net = tiny_net()
    x, _ = batch()
    y = net.predict(x)
    assert y.shape == (5, 2)
    np.testing.assert_allclose(y, by_hand(net, x), rtol=1e-12)
    np.testing.assert_allclose(y.sum(axis=1), 1.0)


def test_predict_works_in_chunks():
    net = tiny_net()
    x, _ = batch(n=23)
    whole = net.predict(x)
    net.CHUNK_SIZE = 5  # an instance attribute overrides the class's
    np.testing.assert_allclose(net.predict(x), whole, rtol=1e-12)


def test_predict_accepts_integer_images():
    net = tiny_net()
    x = np.arange(8).reshape(2, 4)
    np.testing.assert_allclose(net.predict(x), by_hand(net, x.astype(float)))


def test_predict_never_warns_for_extreme_inputs():
    net = tiny_net()
    x = np.array([[1e4, -1e4, 1e4, -1e4], [-1e6, 1e6, 0.0, 0.0]])
    y = net.predict(x)  # warnings are errors in this module
    assert np.all(np.isfinite(y))


def test_float32_sigmoid_saturates_without_warnings():
    net = tiny_net(dtype=np.float32)
    x = np.array([[1e4, -1e4, 1e4, -1e4], [-1e6, 1e6, 0.0, 0.0]], dtype=np.float32)
    y = net.predict(x)  # exp(-a) overflows to inf here, on purpose and silently
    assert np.all(np.isfinite(y)) and np.allclose(y.sum(axis=1), 1.0)
    hidden = net._hidden(x)
    np.testing.assert_allclose(hidden, sigmoid(x @ net.params["W1"] + net.params["b1"]), atol=1e-6)


def test_relu_network_predicts_with_relu():
    net = tiny_net(activation="relu")
    x, _ = batch()
    p = net.params
    hidden = np.maximum(x @ p["W1"] + p["b1"], 0)
    np.testing.assert_allclose(net.predict(x), softmax(hidden @ p["W2"] + p["b2"]), rtol=1e-12)


def test_loss_accepts_labels_and_one_hot():
    net = tiny_net()
    x, t = batch()
    expected = cross_entropy_error(by_hand(net, x), t)
    assert net.loss(x, t) == pytest.approx(expected, rel=1e-12)
    assert net.loss(x, one_hot(t, 2)) == pytest.approx(expected, rel=1e-12)
    assert net.loss(x, one_hot(t, 2).astype(np.float32)) == pytest.approx(expected, rel=1e-12)
    assert isinstance(net.loss(x, t), float)


def test_loss_of_the_untrained_mnist_net_is_log_10():
    net = TwoLayerNet(784, 50, 10)
    x = np.random.default_rng(3).random((20, 784))
    assert net.loss(x, np.arange(20) % 10) == pytest.approx(np.log(10), abs=0.01)


def test_accuracy_counts_the_right_rows():
    net = tiny_net()
    x, _ = batch(n=8)
    predicted = by_hand(net, x).argmax(axis=1)
    t = predicted.copy()
    t[:3] = 1 - t[:3]  # three wrong
    assert net.accuracy(x, t) == pytest.approx(5 / 8)
    assert net.accuracy(x, one_hot(t, 2)) == pytest.approx(5 / 8)
    assert isinstance(net.accuracy(x, t), float)
    net.CHUNK_SIZE = 3
    assert net.accuracy(x, t) == pytest.approx(5 / 8)


# --------------------------------------------------------------------------
# Gradients
# --------------------------------------------------------------------------

@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
@pytest.mark.parametrize("as_one_hot", [False, True])
def test_backprop_matches_the_numerical_gradient(activation, as_one_hot):
    net = tiny_net(activation)
    x, t = batch()
    t = one_hot(t, 2) if as_one_hot else t
    shapes = {key: value.shape for key, value in net.params.items()}
    for grads in (net.gradient(x, t), net.numerical_gradient(x, t)):
        assert {key: grad.shape for key, grad in grads.items()} == shapes
    errors = check_gradient(net, x, t)
    assert max(errors.values()) < 1e-6, errors


def test_backprop_matches_on_mnist_sized_inputs():
    net = TwoLayerNet(784, 3, 10)
    rng = np.random.default_rng(4)
    x, t = rng.random((2, 784)), np.array([3, 7])
    errors = check_gradient(net, x, t)
    assert max(errors.values()) < 1e-6, errors


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
def test_loss_and_gradient_is_the_six_formulas_of_chapter_7(activation):
    net = tiny_net(activation)
    x, t = batch()
    p = net.params
    a1 = x @ p["W1"] + p["b1"]
    h = 1 / (1 + np.exp(-a1)) if activation == "sigmoid" else np.maximum(a1, 0)
    y = by_hand(net, x) if activation == "sigmoid" else softmax(h @ p["W2"] + p["b2"])
    delta2 = (y - one_hot(t, 2)) / len(x)
    slope = h * (1 - h) if activation == "sigmoid" else (a1 > 0)
    delta1 = (delta2 @ p["W2"].T) * slope
    expected = {"W1": x.T @ delta1, "b1": delta1.sum(axis=0),
                "W2": h.T @ delta2, "b2": delta2.sum(axis=0)}
    loss, grads = net.loss_and_gradient(x, t)
    assert loss == pytest.approx(cross_entropy_error(y, t), rel=1e-12)
    for key in expected:
        np.testing.assert_allclose(grads[key], expected[key], rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-10), (np.float32, 2e-5)])
def test_the_fast_path_computes_what_the_plain_backward_pass_computes(activation, dtype, rtol):
    net = tiny_net(activation, dtype)
    x, t = batch(n=6)
    loss, grads = net.loss_and_gradient(x, t)
    x_checked = x.astype(dtype)
    fast_loss, hidden, delta2, delta1 = net._fast_backprop(x_checked, t, 1.0 / len(x), net._scratch(len(x)))
    assert fast_loss == pytest.approx(loss, rel=rtol)
    fast = {"W1": x_checked.T @ delta1, "b1": delta1.sum(axis=0),
            "W2": hidden.T @ delta2, "b2": delta2.sum(axis=0)}
    for key in grads:
        assert fast[key].dtype == grads[key].dtype == dtype
        np.testing.assert_allclose(fast[key], grads[key], rtol=rtol, atol=rtol * 1e-3)


def test_numerical_gradient_never_writes_to_the_params():
    # the loss is computed from the array that is nudged (a copy), not from
    # params nudged in place: read-only parameters are fine
    net = tiny_net()
    x, t = batch()
    for value in net.params.values():
        value.flags.writeable = False
    numerical = net.numerical_gradient(x, t)
    for value in net.params.values():
        value.flags.writeable = True
    assert max(relative_difference(numerical[key], grad)
               for key, grad in net.gradient(x, t).items()) < 1e-6


def test_numerical_gradient_is_right_when_the_gradient_routine_copies(monkeypatch):
    # a loss that relied on aliasing would see none of the nudges and give zeros
    import nntrain.networks

    def copying_numerical_gradient(f, x, h=1e-4):
        return numerical_gradient(f, x.copy(), h)

    net = tiny_net()
    x, t = batch()
    expected = net.numerical_gradient(x, t)
    monkeypatch.setattr(nntrain.networks, "numerical_gradient", copying_numerical_gradient)
    got = net.numerical_gradient(x, t)
    for key in expected:
        assert np.any(got[key] != 0)
        np.testing.assert_array_equal(got[key], expected[key])


def test_gradients_leave_the_params_unchanged():
    net = tiny_net()
    x, t = batch()
    before = {key: value.copy() for key, value in net.params.items()}
    net.numerical_gradient(x, t)
    net.gradient(x, t)
    for key, value in net.params.items():
        np.testing.assert_array_equal(value, before[key])


def test_loss_and_gradient_returns_the_loss_before_the_update():
    net = tiny_net()
    x, t = batch()
    loss, grads = net.loss_and_gradient(x, t)
    assert loss == pytest.approx(net.loss(x, t), rel=1e-12)
    for key in grads:
        np.testing.assert_allclose(grads[key], net.gradient(x, t)[key])


@pytest.mark.parametrize("activation", ["sigmoid", "relu"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sgd_step_is_a_gradient_step(activation, dtype):
    stepped, reference = tiny_net(activation, dtype), tiny_net(activation, dtype)
    x, t = batch()
    for _ in range(3):  # the scratch arrays are reused from step to step
        expected_loss, grads = reference.loss_and_gradient(x, t)
        for key, grad in grads.items():
            reference.params[key] -= 0.3 * grad
        loss = stepped.sgd_step(x, one_hot(t, 2), 0.3)
        assert loss == pytest.approx(expected_loss, rel=1e-5)
        for key in reference.params:
            np.testing.assert_allclose(stepped.params[key], reference.params[key],
                                       rtol=1e-5, atol=1e-7)
    x2, t2 = batch(n=7, seed=5)  # another batch size: new scratch arrays
    stepped.sgd_step(x2, t2, 0.3)


def test_sgd_step_checks_its_input():
    with pytest.raises(ValueError, match=r"\(N, 4\)"):
        tiny_net().sgd_step(np.zeros((2, 3)), np.array([0, 1]), 0.1)
    with pytest.raises(ValueError, match="0..1"):
        tiny_net().sgd_step(np.zeros((2, 4)), np.array([0, 2]), 0.1)


def test_a_gradient_step_lowers_the_loss():
    net = tiny_net()
    x, t = batch()
    before = net.loss(x, t)
    for key, grad in net.gradient(x, t).items():
        net.params[key] -= 0.1 * grad
    assert net.loss(x, t) < before


def test_saturated_sigmoid_layer_gives_finite_gradients_without_warnings():
    # every hidden unit saturates: exp(-a) overflows to inf (silently, on purpose)
    net = tiny_net()
    x = np.full((1, 4), 1e5)
    assert set(np.unique(net._hidden(x))) == {0.0, 1.0}
    grads = net.gradient(x, np.array([0]))  # warnings are errors in this module
    assert all(np.all(np.isfinite(grad)) for grad in grads.values())


# --------------------------------------------------------------------------
# Bad input: ValueError naming the expected shape
# --------------------------------------------------------------------------

@pytest.mark.parametrize("x", [
    np.zeros(4), np.zeros((3, 5)), np.zeros((2, 2, 4)), np.zeros((0, 4)),
])
@pytest.mark.parametrize("method", ["predict", "loss", "accuracy", "gradient",
                                    "numerical_gradient"])
def test_wrong_x_shape_is_refused(x, method):
    net = tiny_net()
    args = (x,) if method == "predict" else (x, np.zeros(len(x), dtype=int))
    with pytest.raises(ValueError, match=r"\(N, 4\)"):
        getattr(net, method)(*args)


@pytest.mark.parametrize("x", [np.full((2, 4), "a"), np.ones((2, 4), dtype=complex),
                               np.ones((2, 4), dtype=bool), [[None] * 4] * 2])
def test_wrong_x_dtype_is_refused(x):
    with pytest.raises(ValueError, match=r"\(N, 4\)"):
        tiny_net().predict(x)


@pytest.mark.parametrize("t, words", [
    (np.array([0, 1]), r"\(3,\)"),                       # too few labels
    (np.zeros((3, 3)), r"\(3, 2\)"),                     # one-hot with 3 classes
    (np.array([0, 1, 2]), "0..1"),                       # label out of range
    (np.array([0, -1, 1]), "0..1"),                      # negative label
    (np.array([0.0, 1.0, 1.0]), "integer"),              # float labels
    (np.array([[1, 1], [0, 1], [1, 0]]), "single 1"),    # not one-hot
    (np.array([[0.3, 0.7], [0, 1], [1, 0]]), "single 1"),  # probabilities
    (np.array(["a", "b", "c"]), "integer"),
])
@pytest.mark.parametrize("method", ["loss", "accuracy", "gradient"])
def test_wrong_targets_are_refused(t, words, method):
    net = tiny_net()
    x, _ = batch(n=3)
    with pytest.raises(ValueError, match=words):
        getattr(net, method)(x, t)


def test_valid_input_writes_nothing(capsys):
    net = tiny_net(dtype=np.float32)
    x, t = batch()
    net.predict(x), net.loss(x, t), net.accuracy(x, t), net.gradient(x, t)
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""
