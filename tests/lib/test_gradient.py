"""Tests of nntrain.gradient: numerical derivatives, gradients, gradient descent.

The values chapters 3 to 5 print are checked here too (the tests named
"chapter_values"), so that the package keeps reproducing them.
"""

import numpy as np
import pytest

from nntrain.gradient import (descent_path, gradient_descent, numerical_diff, numerical_gradient,
                              relative_error)


def function_1(x):
    return x**2 + 0.1 * x


def function_2(x):
    """f(x0, x1) = x0**2 + x1**2 of chapters 3 to 5, for an array of two numbers."""
    return x[0] ** 2 + x[1] ** 2


def sum_of_squares(x):
    """f(x) = sum of x**2, any shape; its gradient is 2x."""
    return np.sum(x**2)


pytestmark = pytest.mark.usefixtures("no_warnings")  # valid input never warns


# --------------------------------------------------------------------------
# numerical_diff
# --------------------------------------------------------------------------

def test_numerical_diff_chapter_values():
    assert numerical_diff(function_1, 0.2) == pytest.approx(0.49999999999994493, abs=1e-12)
    assert numerical_diff(function_1, 0.4) == pytest.approx(0.9000000000000674, abs=1e-12)


def test_numerical_diff_is_the_central_difference():
    f = np.exp
    x, h = 0.3, 1e-3
    assert numerical_diff(f, x, h) == (f(x + h) - f(x - h)) / (2 * h)


def test_numerical_diff_error_is_of_order_h_squared():
    # For x**3 the central difference is 3x**2 + h**2 exactly.
    for h in (1e-2, 1e-3):
        assert numerical_diff(lambda x: x**3, 1.0, h) - 3.0 == pytest.approx(h**2, rel=1e-4)


def test_numerical_diff_rounding_error_within_bound():
    # Chapter 3: where rounding dominates, the error of the central difference is
    # at most about eps * |f| / (2h), and not far below it (not 10 times smaller).
    eps = np.finfo(float).eps
    hs = np.logspace(-12, -8, 41)
    ratio = np.array([abs(numerical_diff(np.exp, 1.0, h) - np.e) / (eps * np.e / (2 * h)) for h in hs])
    assert ratio.max() <= 1.0
    assert np.median(ratio) > 0.1


def test_numerical_diff_elementwise_on_arrays():
    x = np.array([0.0, 1.0, 2.0])
    assert np.allclose(numerical_diff(np.square, x), 2 * x)


@pytest.mark.parametrize("h, error", [(0, ValueError), (-1e-4, ValueError), (np.nan, ValueError),
                                      (np.inf, ValueError), ("1e-4", TypeError), (None, TypeError),
                                      (True, TypeError)])
def test_numerical_diff_rejects_bad_step(h, error):
    with pytest.raises(error, match="h must be"):
        numerical_diff(function_1, 0.2, h)


def test_numerical_diff_rejects_non_function():
    with pytest.raises(TypeError, match="f must be a function"):
        numerical_diff(3.0, 0.2)


# --------------------------------------------------------------------------
# numerical_gradient
# --------------------------------------------------------------------------

@pytest.mark.parametrize("point, expected", [([3.0, 4.0], [6.0, 8.0]), ([0.0, 2.0], [0.0, 4.0]),
                                             ([0.0, 0.0], [0.0, 0.0])])
def test_numerical_gradient_chapter_values(point, expected):
    grad = numerical_gradient(function_2, np.array(point))
    assert np.allclose(grad, expected, rtol=0, atol=1e-9)
    # chapter 4 prints these with NumPy's default precision
    assert np.array2string(grad) == np.array2string(np.array(expected))


@pytest.mark.parametrize("shape", [(), (1,), (5,), (2, 3), (3, 1), (2, 3, 4)])
def test_numerical_gradient_any_shape(shape):
    rng = np.random.default_rng(4)
    x = rng.normal(size=shape)
    grad = numerical_gradient(sum_of_squares, x)
    assert isinstance(grad, np.ndarray)
    assert grad.shape == x.shape and grad.dtype == x.dtype
    assert np.allclose(grad, 2 * x, atol=1e-7)


def test_numerical_gradient_each_entry_separately():
    # f couples the entries, so every partial derivative differs
    weights = np.arange(1.0, 7.0).reshape(2, 3)
    x = np.linspace(-1, 1, 6).reshape(2, 3)
    grad = numerical_gradient(lambda x: np.sum(weights * x**3), x)
    assert np.allclose(grad, 3 * weights * x**2, atol=1e-6)


def test_numerical_gradient_keeps_float32():
    x = np.array([[1.0, -2.0]], dtype=np.float32)
    grad = numerical_gradient(lambda x: float(np.sum(x.astype(np.float64) ** 2)), x)
    assert grad.dtype == np.float32
    assert np.allclose(grad, 2 * x, atol=1e-2)


def test_numerical_gradient_leaves_x_exactly_as_found():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(3, 4))
    before = x.copy()
    numerical_gradient(lambda x: np.sum(np.sin(x)), x)
    assert np.array_equal(x, before)


def test_numerical_gradient_restores_x_when_f_raises():
    x = np.array([1.0, 2.0, 3.0])
    calls = []

    def f(x):
        calls.append(1)
        if len(calls) == 4:  # the second entry, nudged by +h
            raise RuntimeError("boom")
        return np.sum(x**2)

    with pytest.raises(RuntimeError, match="boom"):
        numerical_gradient(f, x)
    assert np.array_equal(x, [1.0, 2.0, 3.0])


def test_numerical_gradient_nudges_x_itself():
    # No copy is made: f is called with x itself, one entry nudged by +h, then
    # by -h, then the next entry (chapter 6 shows why a loss must not rely on it).
    W = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]])
    seen = []

    def f(arg):
        seen.append((arg is W, arg.copy()))
        return np.sum(arg**2)

    grad = numerical_gradient(f, W, h=0.5)
    assert all(same for same, _ in seen) and len(seen) == 12
    assert seen[0][1][0, 0] == 1.5 and seen[1][1][0, 0] == 0.5 and seen[2][1][0, 1] == -1.5
    assert np.array_equal(seen[0][1][1:], W[1:]) and np.array_equal(seen[2][1][0, ::2], W[0, ::2])
    assert np.allclose(grad, 2 * W)


def test_numerical_gradient_through_a_view():
    base = np.arange(12, dtype=float).reshape(3, 4)
    before = base.copy()
    view = base[:, ::2]  # not contiguous
    grad = numerical_gradient(sum_of_squares, view)
    assert np.allclose(grad, 2 * view, atol=1e-6)
    assert np.array_equal(base, before)


def test_numerical_gradient_of_empty_array():
    grad = numerical_gradient(sum_of_squares, np.zeros((0, 3)))
    assert grad.shape == (0, 3)


def test_numerical_gradient_accepts_single_element_results():
    x = np.array([1.0, 2.0])
    grad = numerical_gradient(lambda x: np.array([np.sum(x**2)]), x)
    assert np.allclose(grad, [2.0, 4.0])


@pytest.mark.parametrize("x", [np.array([3, 4]), np.array([3, 4], dtype=np.int8), np.array([True, False]),
                               np.array([1 + 2j, 3j])])
def test_numerical_gradient_rejects_non_float_arrays(x):
    # in an integer array the nudges x[idx] +- h are truncated toward zero (chapter 4)
    with pytest.raises(TypeError, match="float array") as info:
        numerical_gradient(function_2, x)
    assert str(x.dtype) in str(info.value)


@pytest.mark.parametrize("x", [[3.0, 4.0], (3.0, 4.0), 3.0])
def test_numerical_gradient_rejects_non_arrays(x):
    with pytest.raises(TypeError, match="NumPy array"):
        numerical_gradient(function_2, x)


def test_numerical_gradient_rejects_read_only_arrays():
    x = np.array([3.0, 4.0])
    x.flags.writeable = False
    with pytest.raises(ValueError, match="writeable"):
        numerical_gradient(function_2, x)


def test_numerical_gradient_rejects_vector_valued_f():
    x = np.array([3.0, 4.0])
    with pytest.raises(ValueError, match="single number"):
        numerical_gradient(lambda x: x**2, x)
    assert np.array_equal(x, [3.0, 4.0])


def test_numerical_gradient_rejects_non_numeric_f():
    with pytest.raises(TypeError, match="real number"):
        numerical_gradient(lambda x: "small", np.array([1.0]))


@pytest.mark.parametrize("h, error", [(0.0, ValueError), (-1.0, ValueError), ("h", TypeError)])
def test_numerical_gradient_rejects_bad_step(h, error):
    with pytest.raises(error, match="h must be"):
        numerical_gradient(function_2, np.array([3.0, 4.0]), h)


def test_numerical_gradient_rejects_non_function():
    with pytest.raises(TypeError, match="f must be a function"):
        numerical_gradient(None, np.array([3.0, 4.0]))


# --------------------------------------------------------------------------
# descent_path and gradient_descent
# --------------------------------------------------------------------------

def test_gradient_descent_chapter_value():
    x = gradient_descent(function_2, np.array([400.0, 300.0]), lr=0.1, step_num=200)
    assert np.allclose(x, [1.65965717e-17, 1.24478705e-17], rtol=1e-8, atol=0)


def test_gradient_descent_does_not_modify_init_x():
    init_x = np.array([400.0, 300.0])
    first = gradient_descent(function_2, init_x, lr=0.1, step_num=200)
    assert np.array_equal(init_x, [400.0, 300.0])
    assert first is not init_x
    # chapter 5's second experiment, started where it says it starts
    second = gradient_descent(function_2, init_x, lr=0.0001, step_num=100)
    assert np.allclose(second, np.array([400.0, 300.0]) * 0.9998**100, rtol=1e-7)


@pytest.mark.parametrize("lr", [0.05, 0.1, 0.25, 0.45])
def test_descent_path_follows_the_closed_form(lr):
    # for f = sum of squares every step multiplies x by (1 - 2 lr)
    init_x = np.array([-3.0, 4.0])
    path = descent_path(sum_of_squares, init_x, lr=lr, step_num=10)
    expected = np.array([(1 - 2 * lr) ** k * init_x for k in range(11)])
    assert path.shape == (11, 2)
    assert np.allclose(path, expected, rtol=1e-6, atol=1e-12)


def test_descent_path_shape_and_ends():
    init_x = np.ones((2, 3))
    path = descent_path(sum_of_squares, init_x, lr=0.1, step_num=4)
    assert path.shape == (5, 2, 3) and path.dtype == np.float64
    assert np.array_equal(path[0], init_x)
    assert np.array_equal(path[-1], gradient_descent(sum_of_squares, init_x, lr=0.1, step_num=4))


def test_zero_steps_return_the_start():
    init_x = np.array([1.5, -2.0])
    assert descent_path(function_2, init_x, step_num=0).shape == (1, 2)
    x = gradient_descent(function_2, init_x, step_num=0)
    assert np.array_equal(x, init_x) and x is not init_x


def test_integer_and_list_starts_are_converted():
    for start in (np.array([3, 4]), [3, 4], (3.0, 4)):
        x = gradient_descent(function_2, start, lr=0.25, step_num=1)
        assert x.dtype == np.float64
        assert np.allclose(x, [1.5, 2.0])


def test_learning_rate_too_small_and_too_large():
    init_x = np.array([400.0, 300.0])
    barely = gradient_descent(function_2, init_x, lr=1e-10, step_num=100)
    assert np.allclose(barely, init_x * (1 - 2e-10) ** 100, rtol=1e-9)
    assert np.all(np.abs(barely - init_x) < 1e-5)
    far = gradient_descent(function_2, init_x, lr=10.0, step_num=100)
    assert np.all(np.isfinite(far)) and np.linalg.norm(far) > 1e12


@pytest.mark.parametrize("lr, error", [(0, ValueError), (-0.1, ValueError), (np.nan, ValueError),
                                       ("0.1", TypeError), (True, TypeError), (None, TypeError)])
def test_descent_rejects_bad_learning_rate(lr, error):
    for function in (descent_path, gradient_descent):
        with pytest.raises(error, match="lr must be"):
            function(function_2, np.array([3.0, 4.0]), lr=lr)


@pytest.mark.parametrize("step_num, error", [(-1, ValueError), (2.5, TypeError), (10.0, TypeError),
                                             ("10", TypeError), (False, TypeError)])
def test_descent_rejects_bad_step_count(step_num, error):
    for function in (descent_path, gradient_descent):
        with pytest.raises(error, match="step_num must be"):
            function(function_2, np.array([3.0, 4.0]), step_num=step_num)


def test_descent_accepts_numpy_numbers():
    x = gradient_descent(function_2, np.array([3.0, 4.0]), lr=np.float32(0.25), step_num=np.int64(1))
    assert np.allclose(x, [1.5, 2.0])


@pytest.mark.parametrize("start, error, words", [
    (np.array(["3", "4"]), TypeError, "real numbers"),
    (np.array([1 + 1j, 2.0]), TypeError, "real numbers"),
    (np.array([np.nan, 1.0]), ValueError, "finite"),
    (np.array([np.inf, 1.0]), ValueError, "finite"),
])
def test_descent_rejects_bad_start(start, error, words):
    with pytest.raises(error, match=words):
        gradient_descent(function_2, start)


# --------------------------------------------------------------------------
# relative_error
# --------------------------------------------------------------------------

def test_relative_error_values():
    a = np.array([1.0, 2.0, 3.0])
    assert relative_error(a, a) == 0.0
    assert relative_error(a, a + np.array([0.0, 0.0, 0.6])) == pytest.approx(0.6 / 6.6)
    assert relative_error(np.array([1.0]), np.array([-1.0])) == 1.0
    assert isinstance(relative_error(a, a), float)


def test_relative_error_is_symmetric_and_safe_at_zero():
    rng = np.random.default_rng(6)
    a, b = rng.normal(size=(2, 4, 3))
    assert relative_error(a, b) == relative_error(b, a)
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0


def test_relative_error_of_a_numerical_gradient():
    x = np.array([[0.5, -1.0], [2.0, 0.25]])
    assert relative_error(numerical_gradient(sum_of_squares, x), 2 * x) < 1e-9


def test_relative_error_accepts_numbers_and_lists():
    assert relative_error(2.0, 2.0) == 0.0
    assert relative_error([1, 2], [1.0, 2.0]) == 0.0


def test_relative_error_rejects_different_shapes():
    with pytest.raises(ValueError, match=r"same shape, got \(3,\) and \(1, 3\)"):
        relative_error(np.zeros(3), np.zeros((1, 3)))


def test_relative_error_rejects_empty_arrays():
    with pytest.raises(ValueError, match="empty"):
        relative_error(np.zeros(0), np.zeros(0))
