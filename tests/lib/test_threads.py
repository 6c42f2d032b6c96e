"""Tests of the BLAS thread policy (nntrain.threads) and of where it applies.

The test suite runs with ``OPENBLAS_NUM_THREADS=1`` (see ``conftest.py``), so
each test first allows more threads with ``threadpool_limits``: that is the
user's limit, and a limit of one thread inside it can only come from the
package.  Thread counts are read with threadpoolctl's own report,
``threadpool_info()``.
"""
import os
import subprocess
import sys

import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from nntrain.networks import TwoLayerNet
from nntrain.threads import BLAS_THREADS, limit_blas_threads
from nntrain.training import train

pytestmark = pytest.mark.filterwarnings("error")

ALLOWED = 3  # what the tests' enclosing threadpool_limits allows


def blas_threads_now():
    """The thread counts of every BLAS library loaded, as threadpoolctl reports them."""
    counts = [info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"]
    assert counts, "no BLAS library found: the thread policy cannot be checked"
    return counts


def data(n, seed):
    rng = np.random.default_rng(seed)
    return rng.random((n, 6)), rng.integers(0, 3, size=n)


class RecordingNet(TwoLayerNet):
    """A TwoLayerNet that notes BLAS's thread counts at the start of every training step."""

    def __init__(self):
        super().__init__(6, 5, 3, weight_init_std=0.5)
        self.seen = []

    def sgd_step(self, x, t, learning_rate):
        self.seen.append(blas_threads_now())
        return super().sgd_step(x, t, learning_rate)


def test_training_steps_run_with_one_thread_and_the_limit_is_lifted_afterwards():
    net = RecordingNet()
    with threadpool_limits(limits=ALLOWED, user_api="blas"):
        assert set(blas_threads_now()) == {ALLOWED}
        train(net, data(40, 0), data(10, 1), iterations=12, batch_size=10, progress=False)
        after = blas_threads_now()
    assert len(net.seen) == 12
    assert all(counts == [BLAS_THREADS] * len(counts) for counts in net.seen), net.seen
    assert set(after) == {ALLOWED}


class RecordingHiddenLayer(TwoLayerNet):
    """A TwoLayerNet that notes BLAS's thread counts whenever it computes the hidden layer."""

    def __init__(self):
        super().__init__(6, 5, 3, weight_init_std=0.5)
        self.seen = []

    def _hidden(self, x, out=None):
        self.seen.append(blas_threads_now())
        return super()._hidden(x, out=out)

    def _activate(self, a):
        self.seen.append(blas_threads_now())
        return super()._activate(a)


@pytest.mark.parametrize("method", ["predict", "loss", "accuracy", "gradient",
                                    "loss_and_gradient", "sgd_step"])
def test_every_method_that_multiplies_runs_with_one_thread(method):
    net = RecordingHiddenLayer()
    x, t = data(8, 2)
    arguments = (x, t, 0.1) if method == "sgd_step" else (x,) if method == "predict" else (x, t)
    with threadpool_limits(limits=ALLOWED, user_api="blas"):
        getattr(net, method)(*arguments)
        after = blas_threads_now()
    assert net.seen, f"{method} never computed the hidden layer"
    assert all(counts == [BLAS_THREADS] * len(counts) for counts in net.seen), net.seen
    assert set(after) == {ALLOWED}


def test_numerical_gradient_runs_with_one_thread():
    net = RecordingHiddenLayer()
    x, t = data(2, 3)
    with threadpool_limits(limits=ALLOWED, user_api="blas"):
        net.numerical_gradient(x, t)
    assert net.seen and all(counts == [BLAS_THREADS] * len(counts) for counts in net.seen)


def test_a_lower_limit_of_the_user_stays():
    with threadpool_limits(limits=1, user_api="blas"):
        with limit_blas_threads(2):
            assert set(blas_threads_now()) == {1}
        assert set(blas_threads_now()) == {1}


def test_a_higher_limit_of_the_user_is_lowered_and_restored():
    with threadpool_limits(limits=ALLOWED, user_api="blas"):
        with limit_blas_threads(2):
            assert set(blas_threads_now()) == {2}
            with limit_blas_threads(1):
                assert set(blas_threads_now()) == {1}
            assert set(blas_threads_now()) == {2}
        assert set(blas_threads_now()) == {ALLOWED}


def test_the_limit_is_lifted_when_training_fails():
    net = TwoLayerNet(6, 5, 3)
    with threadpool_limits(limits=ALLOWED, user_api="blas"):
        with pytest.raises(ValueError, match="must have shape"):
            # the validation images have the wrong width: the first evaluation fails
            train(net, data(40, 0), (np.zeros((10, 7)), np.zeros(10, dtype=int)),
                  iterations=5, batch_size=10, progress=False)
        assert set(blas_threads_now()) == {ALLOWED}


def test_as_a_decorator_the_limit_holds_during_the_call_only():
    @limit_blas_threads()
    def inside():
        return blas_threads_now()

    with threadpool_limits(limits=ALLOWED, user_api="blas"):
        assert set(inside()) == {1}
        assert set(blas_threads_now()) == {ALLOWED}


@pytest.mark.parametrize("limit", [0, -1, 1.5, "1", True, None])
def test_a_limit_that_is_not_a_positive_whole_number_is_refused(limit):
    with pytest.raises(ValueError, match=f"whole number of threads >= 1, got {limit!r}"):
        with limit_blas_threads(limit):
            pass


def test_a_lower_limit_from_the_environment_stays(tmp_path):
    # a fresh process, so that OpenBLAS starts with the environment variable
    script = ("from threadpoolctl import threadpool_info\n"
              "from nntrain.threads import limit_blas_threads\n"
              "with limit_blas_threads(2):\n"
              "    print([i['num_threads'] for i in threadpool_info() if i['user_api'] == 'blas'])\n")
    environment = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-c", script], env=environment, cwd=tmp_path,
                          capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[1]", done.stdout + done.stderr
