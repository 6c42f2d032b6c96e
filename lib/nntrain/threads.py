"""How many threads the matrix products of training use: one (chapter 8).

NumPy hands every matrix product to a BLAS library (OpenBLAS in the course's
environment), which by default starts one thread per processor core and
splits each product between them.  The threads wait for each other by
spinning.  That pays off for large products on an idle machine; for the
products of training a small network it does not.  A mini-batch step
multiplies ``(100, 784)`` by ``(784, 50)``: so little work that the threads
spend more time handing it over than computing.  And when another program
(a browser, another student's kernel) holds one of the cores, every product
waits for the thread that cannot run: training then becomes many times
slower than on one thread.  Evaluating the accuracy, ``(4000, 784)`` by
``(784, 50)`` at a time, loses in the same way on a busy machine
(``benchmarks/train_mnist.py`` measures training idle and beside a busy
process).

So :class:`nntrain.networks.TwoLayerNet` and :func:`nntrain.training.train`
run their products inside ``limit_blas_threads()``: at most
:data:`BLAS_THREADS` (one) BLAS thread, and never more than the user
allowed.  A limit set by ``OPENBLAS_NUM_THREADS`` or ``OMP_NUM_THREADS``, or
by an enclosing ``threadpoolctl.threadpool_limits``, stays in force when it
is lower.  When the block ends, the previous number of threads is back.
"""
from contextlib import contextmanager
from functools import cache
import numbers

from threadpoolctl import ThreadpoolController

#: BLAS threads for training and evaluating the course's networks.
BLAS_THREADS = 1


@cache
def _blas_controller():
    """threadpoolctl's handle on the BLAS libraries loaded in this process (found once)."""
    return ThreadpoolController().select(user_api="blas")


def blas_thread_counts():
    """``{library path: threads}``: how many threads each loaded BLAS library may use now."""
    return {lib.filepath: lib.num_threads for lib in _blas_controller().lib_controllers}


@contextmanager
def limit_blas_threads(limit=BLAS_THREADS):
    """Inside the ``with`` block, BLAS uses at most ``limit`` threads (an int >= 1).

    A library already limited to fewer threads (by an environment variable
    or an enclosing limit) keeps its lower number; afterwards every library
    has the number of threads it had before.  Also a decorator:
    ``@limit_blas_threads()`` runs the whole function under the limit.
    Nesting costs a few microseconds: when nothing has to change, nothing is
    changed.
    """
    if not isinstance(limit, numbers.Integral) or isinstance(limit, bool) or limit < 1:
        raise ValueError(f"limit must be a whole number of threads >= 1, got {limit!r}")
    counts = blas_thread_counts()
    if all(count is None or count <= limit for count in counts.values()):
        yield
        return
    lower = {path: min(limit, count) for path, count in counts.items() if count is not None}
    with _blas_controller().limit(limits=lower):
        yield
