"""Tests of nntrain.functions: softmax, cross-entropy, sigmoid and the label helpers.

The tests named "chapter_values" check the numbers chapters 1 and 2 print and
quote, so the package keeps reproducing them.
"""

import numbers

import numpy as np
import pytest

from nntrain.functions import (DELTA, as_float_array, check_labels, check_positive,
                               cross_entropy_error, label_indices, labels_from_one_hot, one_hot,
                               sigmoid, softmax)

# The example of chapters 1 and 2: scores, their softmax and the targets.
SCORES_1 = np.array([[0.1, 0.9, 0.8], [0.8, 0.1, 0.5], [0.2, 0.3, 0.5]])
SCORES_2 = np.array([[0.9, 0.1, 0.8], [0.8, 0.1, 0.5], [0.2, 0.3, 0.5]])
PROB_1 = np.array([[0.19086542, 0.42477881, 0.38435576],
                   [0.44694665, 0.22194714, 0.33110622],
                   [0.28943311, 0.31987306, 0.39069383]])
PROB_2 = np.array([[0.42477881, 0.19086542, 0.38435576],
                   [0.44694665, 0.22194714, 0.33110622],
                   [0.28943311, 0.31987306, 0.39069383]])
ONE_HOT = np.array([[0, 1, 0], [1, 0, 0], [0, 0, 1]])
LABELS = np.array([1, 0, 2])


pytestmark = pytest.mark.usefixtures("no_warnings")  # valid input never warns


# --------------------------------------------------------------------------
# softmax
# --------------------------------------------------------------------------

def test_softmax_chapter_values_single_samples():
    assert np.allclose(softmax(SCORES_1[0]), [0.19086542, 0.42477881, 0.38435576], atol=5e-9)
    assert np.allclose(softmax(SCORES_1[1]), [0.44694665, 0.22194714, 0.33110622], atol=5e-9)


def test_softmax_chapter_values_batches():
    assert np.allclose(softmax(SCORES_1), PROB_1, atol=5e-9)
    assert np.allclose(softmax(SCORES_2), PROB_2, atol=5e-9)


def test_softmax_is_row_wise():
    """Each row is normalised on its own, not the whole batch at once (chapter 2)."""
    y = softmax(SCORES_1)
    assert np.allclose(y.sum(axis=1), 1.0)
    for row in range(3):
        assert np.allclose(y[row], softmax(SCORES_1[row]))
    # a sample's probabilities do not depend on the other samples of the batch
    other = SCORES_1.copy()
    other[1:] += np.array([[5.0, -3.0, 40.0], [100.0, 0.0, 7.0]])
    assert np.allclose(softmax(other)[0], y[0])


def test_softmax_equals_definition_on_small_scores():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(4, 5))
    expected = np.exp(a) / np.exp(a).sum(axis=1, keepdims=True)
    assert np.allclose(softmax(a), expected, rtol=1e-12)


def test_softmax_large_scores_do_not_overflow():
    """Every row subtracts its own maximum, so rows far apart are both finite."""
    a = np.array([[1010.0, 1000.0, 990.0], [-1010.0, -1000.0, -990.0], [0.0, 1.0, 2.0]])
    y = softmax(a)
    assert np.all(np.isfinite(y))
    assert np.allclose(y[0], [9.99954600e-01, 4.53978686e-05, 2.06106005e-09])
    assert np.allclose(y[0], y[1][::-1])
    assert np.allclose(y[2], softmax(np.array([0.0, 1.0, 2.0])))


def test_softmax_is_shift_invariant_per_row():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(3, 4))
    shifts = np.array([[1000.0], [-500.0], [3.0]])
    assert np.allclose(softmax(a + shifts), softmax(a))


@pytest.mark.parametrize("shape", [(1,), (5,), (1, 3), (7, 1), (4, 10), (0, 3)])
def test_softmax_keeps_the_shape(shape):
    a = np.random.default_rng(2).normal(size=shape)
    y = softmax(a)
    assert y.shape == shape
    if a.size:
        assert np.allclose(y.sum(axis=-1), 1.0)


def test_softmax_dtypes():
    assert softmax(np.array([1, 2, 3])).dtype == np.float64
    assert np.allclose(softmax([1, 2, 3]), softmax(np.array([1.0, 2.0, 3.0])))
    y32 = softmax(np.array([[1.0, 2.0]], dtype=np.float32))
    assert y32.dtype == np.float32
    assert np.allclose(y32, softmax(np.array([[1.0, 2.0]])), atol=1e-7)


def test_softmax_does_not_modify_its_argument():
    a = SCORES_1.copy()
    softmax(a)
    assert np.array_equal(a, SCORES_1)


@pytest.mark.parametrize("bad", [np.float64(1.0), np.zeros((2, 2, 3)), np.zeros(0), np.zeros((3, 0))])
def test_softmax_rejects_wrong_shapes(bad):
    with pytest.raises(ValueError, match=r"shape \(C,\) or a batch of shape \(N, C\)"):
        softmax(bad)


def test_softmax_rejects_non_numbers():
    with pytest.raises(TypeError, match="a must be an array of real numbers, got dtype <U"):
        softmax(np.array(["a", "b"]))


# --------------------------------------------------------------------------
# cross_entropy_error
# --------------------------------------------------------------------------

def test_cross_entropy_chapter_values_single_samples():
    """Chapter 1: one sample, one-hot label."""
    t = np.array([0, 1, 0])
    assert cross_entropy_error(softmax(np.array([0.1, 0.9, 0.8])), t) == pytest.approx(
        0.856186451532546, abs=1e-12)
    assert cross_entropy_error(softmax(np.array([0.8, 0.1, 0.5])), t) == pytest.approx(
        1.5053156021257363, abs=1e-12)


def test_cross_entropy_chapter_values_batches():
    """Chapter 2: the mean over a batch of three, one-hot targets."""
    assert cross_entropy_error(softmax(SCORES_1), ONE_HOT) == pytest.approx(
        0.8671110284550632, abs=1e-12)
    assert cross_entropy_error(softmax(SCORES_2), ONE_HOT) == pytest.approx(
        1.1337775989508578, abs=1e-12)


def test_cross_entropy_chapter_values_batches_with_labels():
    """Integer labels give the same value as the one-hot rows they stand for."""
    assert cross_entropy_error(softmax(SCORES_1), LABELS) == pytest.approx(
        0.8671110284550632, abs=1e-12)
    assert cross_entropy_error(softmax(SCORES_2), LABELS) == pytest.approx(
        1.1337775989508578, abs=1e-12)


def test_cross_entropy_is_the_negative_log_likelihood_per_sample():
    """Chapter 1: N times the mean loss is -log of the probability given to the labels."""
    rng = np.random.default_rng(7)
    y = softmax(rng.normal(size=(6, 4)))
    labels = rng.integers(0, 4, size=6)
    likelihood = np.prod(y[np.arange(6), labels])
    # delta changes the value by about delta / y per sample, far below this tolerance
    assert 6 * cross_entropy_error(y, labels) == pytest.approx(-np.log(likelihood), rel=1e-5)
    assert np.exp(-6 * cross_entropy_error(y, labels)) == pytest.approx(likelihood, rel=1e-5)


def test_cross_entropy_is_the_mean_of_the_single_sample_losses():
    y = softmax(SCORES_1)
    singles = [cross_entropy_error(y[n], ONE_HOT[n]) for n in range(3)]
    assert cross_entropy_error(y, ONE_HOT) == pytest.approx(np.mean(singles), rel=1e-12)


def test_cross_entropy_does_not_grow_with_the_batch_size():
    y = softmax(SCORES_1)
    loss = cross_entropy_error(y, LABELS)
    assert cross_entropy_error(np.tile(y, (10, 1)), np.tile(LABELS, 10)) == pytest.approx(loss)


@pytest.mark.parametrize("t", [np.array([0, 1, 0]), 1, np.int64(1), np.array(1), np.array([1]),
                               np.array([[0, 1, 0]]), [0, 1, 0]])
def test_cross_entropy_one_sample_is_a_batch_of_one(t):
    y = softmax(np.array([0.1, 0.9, 0.8]))
    assert cross_entropy_error(y, t) == pytest.approx(0.856186451532546, abs=1e-12)
    assert cross_entropy_error(y[np.newaxis], np.array([1])) == pytest.approx(0.856186451532546)


def test_cross_entropy_delta_caps_the_loss():
    assert cross_entropy_error(np.array([0.0, 1.0, 0.0]), np.array([1, 0, 0])) == pytest.approx(
        -np.log(DELTA))
    assert cross_entropy_error(np.array([[0.0, 1.0], [1.0, 0.0]]), np.array([0, 0])) == pytest.approx(
        -np.log(DELTA) / 2)
    assert DELTA == 1e-7


def test_cross_entropy_perfect_prediction_is_almost_zero():
    assert abs(cross_entropy_error(np.eye(4), np.arange(4))) < 1e-6


def test_cross_entropy_returns_a_python_float():
    loss = cross_entropy_error(PROB_1, ONE_HOT)
    assert type(loss) is float


def test_cross_entropy_accepts_float32_and_soft_targets():
    y32 = softmax(SCORES_1.astype(np.float32))
    assert cross_entropy_error(y32, LABELS) == pytest.approx(0.8671110284550632, rel=1e-6)
    soft = np.full((3, 3), 1 / 3)
    expected = -np.mean(np.sum(soft * np.log(PROB_1 + DELTA), axis=1))
    assert cross_entropy_error(PROB_1, soft) == pytest.approx(expected)


def test_cross_entropy_lets_nan_through():
    """A diverged network's NaN probabilities give a NaN loss (not an error)."""
    assert np.isnan(cross_entropy_error(np.array([[np.nan, 0.5]]), np.array([0])))


def test_cross_entropy_square_batch_with_labels_is_not_broadcast():
    """N == C: labels (N,) would broadcast against (N, C) if multiplied like one-hot."""
    y = softmax(SCORES_1)
    broadcast = -np.sum(LABELS * np.log(y + DELTA)) / 3
    assert cross_entropy_error(y, LABELS) != pytest.approx(broadcast)


@pytest.mark.parametrize("y, t, message", [
    (PROB_1, np.array([1, 0]), r"one-hot with shape \(3, 3\) or integer labels with shape \(3,\), "
                               r"got shape \(2,\)"),
    (PROB_1[:2], ONE_HOT, r"one-hot with shape \(2, 3\) or integer labels with shape \(2,\), "
                          r"got shape \(3, 3\)"),
    (PROB_1, LABELS[:, np.newaxis], r"got shape \(3, 1\); flatten a column of labels"),
    (PROB_1[0], np.array([0, 1]), r"for one sample y of shape \(3,\), t must be one-hot with "
                                  r"shape \(3,\) or a single integer label, got shape \(2,\)"),
    (PROB_1[0], ONE_HOT, r"for one sample y of shape \(3,\).*got shape \(3, 3\)"),
])
def test_cross_entropy_rejects_mismatched_shapes(y, t, message):
    with pytest.raises(ValueError, match=message):
        cross_entropy_error(y, t)


@pytest.mark.parametrize("y", [np.float64(0.5), np.full((2, 2, 3), 1 / 3), np.zeros((0, 3)),
                               np.zeros((3, 0)), np.zeros(0)])
def test_cross_entropy_rejects_wrong_ndim_or_empty(y):
    with pytest.raises(ValueError, match=r"probabilities y of shape \(C,\) for one sample or "
                                         r"\(N, C\) for a batch"):
        cross_entropy_error(y, 0)


@pytest.mark.parametrize("t, error, message", [
    (np.array([1, 0, 3]), ValueError, r"class labels must lie in 0..2, got values from 0 to 3"),
    (np.array([1, -1, 2]), ValueError, r"class labels must lie in 0..2, got values from -1 to 2"),
    (np.array([1.0, 0.0, 2.0]), TypeError, r"integer class labels expected \(0..2\), got dtype float64"),
    (np.array([True, False, True]), TypeError, r"integer class labels expected .* got dtype bool"),
])
def test_cross_entropy_rejects_bad_labels(t, error, message):
    with pytest.raises(error, match=message):
        cross_entropy_error(PROB_1, t)


def test_cross_entropy_rejects_a_single_label_out_of_range():
    with pytest.raises(ValueError, match=r"0..2, got values from 3 to 3"):
        cross_entropy_error(PROB_1[0], 3)


@pytest.mark.parametrize("y", [SCORES_1 * 10, -PROB_1, np.array([0.2, 1.3, -0.5])])
def test_cross_entropy_rejects_scores_instead_of_probabilities(y):
    with pytest.raises(ValueError, match="probabilities between 0 and 1 .apply softmax"):
        cross_entropy_error(y, 1 if y.ndim == 1 else LABELS)


def test_cross_entropy_rejects_non_numbers():
    with pytest.raises(TypeError, match="y must be an array of real numbers"):
        cross_entropy_error(np.array(["0.5", "0.5"]), 0)
    with pytest.raises(TypeError, match="t must be an array of real numbers"):
        cross_entropy_error(PROB_1, np.full((3, 3), "x"))


def test_cross_entropy_does_not_modify_its_arguments():
    y, t = PROB_1.copy(), ONE_HOT.copy()
    cross_entropy_error(y, t)
    cross_entropy_error(y[0], t[0])
    assert np.array_equal(y, PROB_1) and np.array_equal(t, ONE_HOT)


# --------------------------------------------------------------------------
# sigmoid
# --------------------------------------------------------------------------

def test_sigmoid_values():
    assert sigmoid(0.0) == pytest.approx(0.5)
    x = np.array([-2.0, -0.5, 0.5, 3.0])
    assert np.allclose(sigmoid(x), 1 / (1 + np.exp(-x)), rtol=1e-12)


def test_sigmoid_extremes_without_warnings():
    y = sigmoid(np.array([-1000.0, 1000.0]))
    assert np.array_equal(y, [0.0, 1.0])


def test_sigmoid_shapes_and_dtypes():
    x = np.arange(24).reshape(2, 3, 4) - 12
    y = sigmoid(x)
    assert y.shape == x.shape and y.dtype == np.float64
    assert sigmoid(np.zeros(3, dtype=np.float32)).dtype == np.float32
    assert np.allclose(sigmoid(-x), 1 - y)


def test_sigmoid_rejects_non_numbers():
    with pytest.raises(TypeError, match="x must be an array of real numbers"):
        sigmoid(np.array(["1"]))


# --------------------------------------------------------------------------
# as_float_array
# --------------------------------------------------------------------------

def test_as_float_array_keeps_float_arrays():
    x = np.zeros(3, dtype=np.float32)
    assert as_float_array(x, "x") is x


@pytest.mark.parametrize("value", [[1, 2], np.array([True, False]), np.arange(3, dtype=np.uint8)])
def test_as_float_array_converts_integers_and_booleans(value):
    assert as_float_array(value, "x").dtype == np.float64


@pytest.mark.parametrize("value", [np.array(["a"]), np.array([1 + 2j]), np.array([None])])
def test_as_float_array_rejects_other_dtypes(value):
    with pytest.raises(TypeError, match="weights must be an array of real numbers, got dtype"):
        as_float_array(value, "weights")


@pytest.mark.parametrize("value, kind", [(0.5, numbers.Real), (np.float32(1e-4), numbers.Real),
                                         (3, numbers.Real), (7, numbers.Integral),
                                         (np.int64(7), numbers.Integral)])
def test_check_positive_accepts_positive_numbers(value, kind):
    assert check_positive("value", value, kind) is None


@pytest.mark.parametrize("value, kind, error, message", [
    (0, numbers.Real, ValueError, r"lr must be a positive, finite number, got 0$"),
    (-0.1, numbers.Real, ValueError, r"got -0.1"),
    (np.nan, numbers.Real, ValueError, r"positive, finite number, got nan"),
    (np.inf, numbers.Real, ValueError, r"positive, finite number, got inf"),
    ("0.1", numbers.Real, TypeError, r"lr must be a positive, finite number, got str '0.1'"),
    (True, numbers.Real, TypeError, r"got bool True"),
    (np.True_, numbers.Real, TypeError, r"got bool"),
    (None, numbers.Real, TypeError, r"got NoneType None"),
    (1 + 2j, numbers.Real, TypeError, r"got complex"),
    (2.0, numbers.Integral, TypeError, r"lr must be a positive whole number, got float 2.0"),
    (0, numbers.Integral, ValueError, r"lr must be a positive whole number, got 0"),
])
def test_check_positive_refuses(value, kind, error, message):
    with pytest.raises(error, match=message):
        check_positive("lr", value, kind)


# --------------------------------------------------------------------------
# one_hot, check_labels, labels_from_one_hot, label_indices
# --------------------------------------------------------------------------

def test_one_hot():
    t = one_hot(np.array([1, 0, 2]), 3)
    assert t.dtype == np.float64
    assert np.array_equal(t, ONE_HOT)
    assert np.array_equal(one_hot(np.array([], dtype=int), 4), np.zeros((0, 4)))
    assert np.array_equal(one_hot(2, 4), [0, 0, 1, 0])
    assert np.array_equal(one_hot(np.array([9], dtype=np.uint8), 10)[0], np.eye(10)[9])


def test_one_hot_round_trip_with_label_indices():
    labels = np.random.default_rng(3).integers(0, 10, size=50)
    assert np.array_equal(label_indices(one_hot(labels, 10), (50, 10)), labels)


def test_one_hot_rejects_bad_input():
    with pytest.raises(ValueError, match=r"0..2, got values from 0 to 3"):
        one_hot(np.array([0, 3]), 3)
    with pytest.raises(TypeError, match="integer class labels expected"):
        one_hot(np.array([0.0, 1.0]), 3)
    with pytest.raises(ValueError, match=r"shape \(N,\) or a single label, got shape \(2, 1\)"):
        one_hot(np.array([[0], [1]]), 3)
    with pytest.raises(TypeError, match="num_classes must be a positive integer, got 2.5"):
        one_hot(np.array([0, 1]), 2.5)
    with pytest.raises(TypeError, match="num_classes must be a positive integer, got 0"):
        one_hot(np.array([0, 1]), 0)


def test_check_labels_returns_the_labels():
    labels = np.array([0, 9, 5], dtype=np.uint8)
    assert check_labels(labels, 10) is labels
    assert np.array_equal(check_labels([[0, 1], [2, 3]], 4), [[0, 1], [2, 3]])
    assert check_labels(np.array([], dtype=np.int64), 3).size == 0


@pytest.mark.parametrize("labels, error, message", [
    ([0, 10], ValueError, r"class labels must lie in 0..9, got values from 0 to 10"),
    ([-1, 3], ValueError, r"class labels must lie in 0..9, got values from -1 to 3"),
    ([0.0, 1.0], TypeError, r"integer class labels expected \(0..9\), got dtype float64; "
                            r"whole-number floats can be converted with labels.astype\(int\)"),
    ([True], TypeError, r"integer class labels expected \(0..9\), got dtype bool"),
    (["1"], TypeError, r"integer class labels expected \(0..9\), got dtype <U1"),
])
def test_check_labels_rejects_bad_labels(labels, error, message):
    with pytest.raises(error, match=message):
        check_labels(labels, 10)


def test_labels_from_one_hot():
    assert np.array_equal(labels_from_one_hot(ONE_HOT), LABELS)
    for dtype in (np.float32, np.uint8, bool):
        assert np.array_equal(labels_from_one_hot(ONE_HOT.astype(dtype)), LABELS)
    assert labels_from_one_hot(np.zeros((0, 4))).shape == (0,)


@pytest.mark.parametrize("t, message", [
    ([[1, 1, 0], [0, 0, 1]], r"t of shape \(2, 3\) must be one-hot, with a single 1 in every row "
                             r"and 0 elsewhere; row 0 is \[1 1 0\]"),
    ([[0, 0, 1], [0, 0, 0]], r"row 1 is \[0 0 0\]"),
    ([[0.2, 0.8], [1.0, 0.0]], r"row 0 is \[0.2 0.8\]"),
    ([[np.nan, 1.0]], r"row 0 is \[nan"),
    ([[2, -1]], r"row 0"),
    ([0, 1, 0], r"one-hot array of numbers of shape \(N, C\), got shape \(3,\)"),
    ([["0", "1"]], r"got shape \(1, 2\) and dtype <U1"),
])
def test_labels_from_one_hot_refuses_what_is_not_one_hot(t, message):
    with pytest.raises(ValueError, match=message):
        labels_from_one_hot(np.array(t))


def test_labels_from_one_hot_names_the_argument():
    with pytest.raises(ValueError, match=r"^train_data: t of shape \(1, 2\) must be one-hot"):
        labels_from_one_hot(np.array([[1, 1]]), name="train_data: t")


def test_label_indices():
    assert np.array_equal(label_indices(ONE_HOT, (3, 3)), LABELS)
    assert np.array_equal(label_indices(LABELS, (3, 3)), LABELS)
    assert np.array_equal(label_indices(np.array([4, 1]), (2, 5)), [4, 1])
    assert np.array_equal(label_indices(one_hot([4, 1], 5), (2, 5)), [4, 1])


@pytest.mark.parametrize("t, error, message", [
    (np.array([0, 1, 2]), ValueError, r"one-hot with shape \(2, 5\) or integer labels with shape "
                                      r"\(2,\), got shape \(3,\)"),
    (np.zeros((2, 4)), ValueError, r"got shape \(2, 4\)$"),
    (np.array([[1], [2]]), ValueError, r"got shape \(2, 1\); flatten a column of labels first"),
    (np.array([0, 5]), ValueError, r"class labels must lie in 0..4"),
    (np.array([0.0, 1.0]), TypeError, r"integer class labels expected \(0..4\)"),
    # (2, 5) but not one-hot: the largest entry of each row is not a label
    (np.array([[1, 1, 0, 0, 0], [0, 0, 1, 0, 0]]), ValueError, r"single 1 in every row.*row 0"),
    (np.full((2, 5), 0.2), ValueError, r"single 1 in every row"),
])
def test_label_indices_rejects_bad_targets(t, error, message):
    with pytest.raises(error, match=message):
        label_indices(t, (2, 5))
