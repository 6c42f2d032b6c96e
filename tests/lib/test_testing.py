"""Tests of nntrain.testing: the own-work checks and honest comparisons the exercises use."""
import warnings

import numpy as np
import pytest

import nntrain
from nntrain import testing
from nntrain.testing import (assert_close, call_without_warnings, check_own_work, is_close,
                             plain_array, plain_number, uses_package)


def own_softmax(a):
    exp_a = np.exp(a - np.max(a))
    return exp_a / exp_a.sum()


def calls_package(a):
    return nntrain.softmax(a)


def imports_inside(a):
    from nntrain.functions import softmax
    return softmax(a)


def helper_that_cheats(a):
    return calls_package(a)


def calls_own_helper(a):
    return own_softmax(a)


class OwnNet:
    def __init__(self):
        self.W = np.zeros((2, 3))


class WrappingNet:
    def __init__(self):
        self.inner = nntrain.SimpleNet()


class ExtendingNet(nntrain.SimpleNet):
    pass


@pytest.mark.parametrize("func", [nntrain.softmax, calls_package, imports_inside,
                                  helper_that_cheats, ExtendingNet, WrappingNet])
def test_code_from_the_package_is_found(func):
    assert uses_package(func) or func is WrappingNet
    with pytest.raises(AssertionError, match="write it yourself"):
        instances = (func(),) if func is WrappingNet else ()
        check_own_work(func, "it", *instances)


@pytest.mark.parametrize("func", [own_softmax, calls_own_helper, OwnNet, np.exp])
def test_own_code_passes(func):
    assert not uses_package(func)
    check_own_work(func, "it")


def test_allowed_names_may_come_from_the_package():
    assert not uses_package(calls_package, allowed=("nntrain",))


class Liar(np.ndarray):
    """An array that claims to equal anything."""

    def __eq__(self, other):
        return np.ones(np.shape(self), dtype=bool)

    def __array_function__(self, func, types, args, kwargs):
        return True


def test_plain_array_refuses_subclasses_and_lists():
    liar = np.zeros(3).view(Liar)
    with pytest.raises(AssertionError, match="numpy.ndarray.*Liar"):
        plain_array(liar, "softmax(a)")
    with pytest.raises(AssertionError, match="list"):
        plain_array([1.0, 2.0], "softmax(a)")
    with pytest.raises(AssertionError, match=r"shape \(3,\), got shape \(2,\)"):
        plain_array(np.zeros(2), "softmax(a)", shape=(3,))
    with pytest.raises(AssertionError, match="real numbers"):
        plain_array(np.array(["a"]), "softmax(a)")


def test_plain_array_returns_a_float_copy():
    original = np.arange(3)
    copy = plain_array(original, "x")
    assert copy.dtype == np.float64 and type(copy) is np.ndarray
    copy[0] = 99
    assert original[0] == 0


class Number:
    def __eq__(self, other):
        return True

    def __float__(self):
        return 1.0


@pytest.mark.parametrize("value", [Number(), True, np.zeros(2), "1.0", None])
def test_plain_number_refuses_what_is_not_a_number(value):
    with pytest.raises(AssertionError, match="single number"):
        plain_number(value, "the loss")


@pytest.mark.parametrize("value", [1, 1.5, np.float32(2.5), np.float64(3.0), np.int64(4),
                                   np.array(5.0)])
def test_plain_number_accepts_numbers(value):
    assert plain_number(value, "the loss") == float(value)


def test_is_close():
    assert is_close([1.0, 2.0], [1.0, 2.0 + 1e-9])
    assert not is_close([1.0, 2.0], [1.0, 2.1])
    assert not is_close([1.0], [1.0, 1.0])          # no broadcasting
    assert not is_close([np.nan], [np.nan])          # nan is never close
    assert not is_close([np.inf], [np.inf])
    assert not is_close([1.0], [np.inf])
    assert is_close(0.0, 1e-9, atol=1e-8)


def test_comparisons_survive_a_rebound_numpy(monkeypatch):
    """An answer that replaces numpy's functions does not change what the tests decide."""
    monkeypatch.setattr(np, "absolute", lambda x: np.zeros_like(x))
    monkeypatch.setattr(np, "isfinite", lambda x: np.ones_like(x, dtype=bool))
    monkeypatch.setattr(np, "allclose", lambda *a, **k: True)
    assert not is_close([1.0], [2.0])
    with pytest.raises(AssertionError, match="wrong"):
        assert_close(1.0, 2.0, "wrong")


def test_call_without_warnings():
    def overflows():
        return np.exp(np.array([1000.0]))
    with pytest.raises(AssertionError, match="overflows\\(...\\) warned: RuntimeWarning.*subtract"):
        call_without_warnings(overflows, hint="subtract the maximum")
    assert call_without_warnings(lambda x: x + 1, 1) == 2


def test_call_without_warnings_survives_silenced_warnings(monkeypatch):
    monkeypatch.setattr(warnings, "simplefilter", lambda *a, **k: None)
    monkeypatch.setattr(warnings, "catch_warnings", None)
    with pytest.raises(AssertionError, match="warned"):
        call_without_warnings(lambda: np.log(np.array([0.0])))
    assert testing._simplefilter is not warnings.simplefilter
