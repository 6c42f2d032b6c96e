"""Benchmark: training the chapter 8 network on MNIST, three ways, on an idle and a busy machine.

Every contender trains the same model with the same schedule, the book's
(Saitoh, *Deep Learning from Scratch*, chapter 4): 784-50-10 with a sigmoid
hidden layer and a softmax output, weights drawn with standard deviation 0.01,
10,000 iterations of mini-batch SGD with batches of 100 and learning rate 0.1.
As in chapter 8, 10,000 of the 60,000 training images are held out as a
validation set (``nntrain.validation_split`` with seed 0); every contender
trains on the other 50,000, measures the accuracy on the full training and
validation sets about once per epoch, and the accuracy of its final network
on the test set once, at the end.

* ``nntrain``   - :func:`nntrain.training.train` on a float32
  :class:`nntrain.networks.TwoLayerNet` (integer labels, an epoch-wise
  shuffled order), with the package's own choice of BLAS threads (one, see
  :mod:`nntrain.threads`) and the environment as it is;
* ``reference`` - a plain book-style NumPy version written below: float64
  weights, one-hot targets, batches drawn with replacement, the loss computed
  again after every update, accuracy on the full sets at once.  It runs with
  one BLAS thread, its own fastest setting on both machines: with a thread
  per core it is slower even on an idle machine, and beside a busy process
  its threads stall each other (many times slower);
* ``pytorch``   - PyTorch on the CPU (``nn.Linear``, ``F.cross_entropy``,
  ``torch.optim.SGD``), when torch is installed; otherwise the row says it
  was skipped.

Every contender trains on two machines, measured side by side in the same
run: ``idle``, the machine as it is, and ``busy``, the same machine with one
busy process that the benchmark starts before the run and stops after it
(a Python loop that keeps one core fully occupied, as a browser tab or
another student's kernel does).  The targets for the busy machine are that
nntrain stays at least twice as fast as the reference and within 1.5 times
its own idle time.

Each contender runs in its own Python process, so its peak memory (the
process's maximum resident set size, imports and data included) is its own.
The wall time covers the training loop and the accuracy evaluations of
every epoch, not loading and splitting the data nor the final test.  Every
contender runs ``--repeat`` times (3 by default) on each machine, and the
fastest run is reported (its accuracy and memory too).

The compute bound is the run's floating-point operations (the matrix
products of nntrain's schedule; the element-wise work adds under 1%) divided
by the float32 matrix-multiply throughput measured on this machine in the
same run (before and after the contenders; the faster of the two), with a
large square product that keeps every core busy.  The table also shows the
bound on one core (the same product with one BLAS thread): nntrain trains
with one thread (:mod:`nntrain.threads`), so that is the bound of the
threads it uses; its target stays the bound over every core.

Run it with ``make bench`` or ``python benchmarks/train_mnist.py [--repeat R]``.
"Idle" only means something on an otherwise idle machine: the load average
is printed before and after.
"""
import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np
from threadpoolctl import threadpool_limits

SIZES = dict(input_size=784, hidden_size=50, output_size=10)
SCHEDULE = dict(iterations=10_000, batch_size=100, learning_rate=0.1)
WEIGHT_INIT_STD = 0.01
SEED = 0
VALIDATION_SIZE = 10_000  # held out of the 60,000 training images, as in chapter 8
CONTENDERS = ("nntrain", "reference", "pytorch")
MACHINES = ("idle", "busy")
BUSY_LOOP = "while True: pass"  # the busy process: one core, fully occupied

TARGETS = dict(
    speedup_vs_reference=2.5,   # at least this many times faster than the reference
    busy_speedup_vs_reference=2.0,  # the same, beside one busy process
    busy_slowdown=1.5,          # beside one busy process, at most this many times the idle time
    bound_factor=3.0,           # at most this many times the compute bound
    accuracy_points=0.5,        # final test accuracy within this many points of the reference
    peak_memory_mb=600,         # nntrain's peak memory below this
)


def peak_memory_mb():
    """This process's peak resident memory in MB (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --------------------------------------------------------------------------
# The contenders (each runs in a child process)
# --------------------------------------------------------------------------

def run_nntrain(data, iterations):
    from nntrain.networks import TwoLayerNet
    from nntrain.training import train

    (x_train, t_train), (x_val, t_val), (x_test, t_test) = data
    net = TwoLayerNet(**SIZES, weight_init_std=WEIGHT_INIT_STD, rng=np.random.default_rng(SEED),
                      dtype=np.float32)
    start = time.perf_counter()
    history = train(net, (x_train, t_train), (x_val, t_val), iterations=iterations,
                    batch_size=SCHEDULE["batch_size"], learning_rate=SCHEDULE["learning_rate"],
                    seed=SEED, progress=False)
    seconds = time.perf_counter() - start
    return seconds, net.accuracy(x_test, t_test), len(history.epochs)


def run_reference(data, iterations):
    """The book's training script, written the plain way."""

    def sigmoid(x):
        return 1 / (1 + np.exp(-x))

    def sigmoid_grad(x):
        return (1.0 - sigmoid(x)) * sigmoid(x)

    def softmax(x):
        x = x - np.max(x, axis=-1, keepdims=True)
        return np.exp(x) / np.sum(np.exp(x), axis=-1, keepdims=True)

    def cross_entropy_error(y, t):
        t = t.argmax(axis=1)  # one-hot -> labels
        batch_size = y.shape[0]
        return -np.sum(np.log(y[np.arange(batch_size), t] + 1e-7)) / batch_size

    class BookTwoLayerNet:
        def __init__(self, input_size, hidden_size, output_size, weight_init_std, rng):
            self.params = {
                "W1": weight_init_std * rng.standard_normal((input_size, hidden_size)),
                "b1": np.zeros(hidden_size),
                "W2": weight_init_std * rng.standard_normal((hidden_size, output_size)),
                "b2": np.zeros(output_size),
            }

        def predict(self, x):
            a1 = np.dot(x, self.params["W1"]) + self.params["b1"]
            z1 = sigmoid(a1)
            a2 = np.dot(z1, self.params["W2"]) + self.params["b2"]
            return softmax(a2)

        def loss(self, x, t):
            return cross_entropy_error(self.predict(x), t)

        def accuracy(self, x, t):
            y = np.argmax(self.predict(x), axis=1)
            return np.sum(y == np.argmax(t, axis=1)) / float(x.shape[0])

        def gradient(self, x, t):
            W1, b1, W2, b2 = (self.params[key] for key in ("W1", "b1", "W2", "b2"))
            batch_num = x.shape[0]
            a1 = np.dot(x, W1) + b1
            z1 = sigmoid(a1)
            a2 = np.dot(z1, W2) + b2
            y = softmax(a2)
            dy = (y - t) / batch_num
            grads = {"W2": np.dot(z1.T, dy), "b2": np.sum(dy, axis=0)}
            dz1 = np.dot(dy, W2.T) * sigmoid_grad(a1)
            grads["W1"] = np.dot(x.T, dz1)
            grads["b1"] = np.sum(dz1, axis=0)
            return grads

    (x_train, t_train), (x_val, t_val), (x_test, t_test) = data
    t_train = np.eye(10)[t_train]  # one-hot, float64, as the book's loader makes them
    t_val = np.eye(10)[t_val]
    t_test = np.eye(10)[t_test]
    rng = np.random.default_rng(SEED)
    net = BookTwoLayerNet(**SIZES, weight_init_std=WEIGHT_INIT_STD, rng=rng)
    train_size, batch_size = len(x_train), SCHEDULE["batch_size"]
    iter_per_epoch = max(train_size // batch_size, 1)
    train_loss_list, train_acc_list, val_acc_list = [], [], []

    start = time.perf_counter()
    for i in range(iterations):
        batch_mask = rng.choice(train_size, batch_size)  # with replacement, like np.random.choice
        x_batch, t_batch = x_train[batch_mask], t_train[batch_mask]
        grad = net.gradient(x_batch, t_batch)
        for key in ("W1", "b1", "W2", "b2"):
            net.params[key] -= SCHEDULE["learning_rate"] * grad[key]
        train_loss_list.append(net.loss(x_batch, t_batch))
        if i % iter_per_epoch == 0:
            train_acc_list.append(net.accuracy(x_train, t_train))
            val_acc_list.append(net.accuracy(x_val, t_val))
    train_acc_list.append(net.accuracy(x_train, t_train))
    val_acc_list.append(net.accuracy(x_val, t_val))
    seconds = time.perf_counter() - start
    return seconds, net.accuracy(x_test, t_test), len(val_acc_list)


def run_pytorch(data, iterations):
    import torch
    from torch import nn
    from torch.nn import functional as F

    torch.manual_seed(SEED)
    (x_train, t_train), (x_val, t_val), (x_test, t_test) = data
    x_train, x_val, x_test = (torch.from_numpy(x) for x in (x_train, x_val, x_test))
    t_train, t_val, t_test = (torch.from_numpy(t.astype(np.int64)) for t in (t_train, t_val, t_test))
    model = nn.Sequential(nn.Linear(SIZES["input_size"], SIZES["hidden_size"]), nn.Sigmoid(),
                          nn.Linear(SIZES["hidden_size"], SIZES["output_size"]))
    with torch.no_grad():
        for layer in (model[0], model[2]):
            nn.init.normal_(layer.weight, std=WEIGHT_INIT_STD)
            nn.init.zeros_(layer.bias)
    optimizer = torch.optim.SGD(model.parameters(), lr=SCHEDULE["learning_rate"])
    generator = torch.Generator().manual_seed(SEED)
    n, batch_size = len(x_train), SCHEDULE["batch_size"]
    iter_per_epoch = max(n // batch_size, 1)

    def accuracy(x, t):
        with torch.no_grad():
            return (model(x).argmax(dim=1) == t).float().mean().item()

    losses, accuracies = [], []
    start = time.perf_counter()
    accuracies.append((accuracy(x_train, t_train), accuracy(x_val, t_val)))
    for i in range(iterations):
        position = i % iter_per_epoch
        if position == 0:
            order = torch.randperm(n, generator=generator)
        batch = order[position * batch_size:(position + 1) * batch_size]
        loss = F.cross_entropy(model(x_train[batch]), t_train[batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if (i + 1) % iter_per_epoch == 0 or i + 1 == iterations:
            accuracies.append((accuracy(x_train, t_train), accuracy(x_val, t_val)))
    seconds = time.perf_counter() - start
    return seconds, accuracy(x_test, t_test), len(accuracies)


def child(name, iterations):
    """Run one contender in this process and print one JSON line with its results."""
    if name == "pytorch":
        try:
            import torch  # noqa: F401
        except ImportError:
            print(json.dumps({"name": name, "skipped": "torch is not installed"}))
            return
    from nntrain import load_mnist, validation_split

    (x_all, t_all), test = load_mnist(normalize=True, flatten=True, one_hot_label=False)
    train_part, validation = validation_split(x_all, t_all, VALIDATION_SIZE,
                                              np.random.default_rng(SEED))
    del x_all, t_all  # the two parts hold copies
    data = (train_part, validation, test)
    runner = {"nntrain": run_nntrain, "reference": run_reference, "pytorch": run_pytorch}[name]
    # the reference runs with one BLAS thread, its fastest setting (see the top);
    # nntrain chooses its own threads, PyTorch its own
    threads = (threadpool_limits(limits=1, user_api="blas") if name == "reference"
               else contextlib.nullcontext())
    with threads:
        seconds, accuracy, evaluations = runner(data, iterations)
    print(json.dumps({"name": name, "seconds": seconds, "accuracy": accuracy,
                      "evaluations": evaluations, "peak_mb": peak_memory_mb()}))


# --------------------------------------------------------------------------
# The parent: compute bound, children, table
# --------------------------------------------------------------------------

def matmul_throughput(size=2048, repeats=5):
    """Best float32 matrix-multiply speed of this machine, in FLOP/s (a size x size product)."""
    rng = np.random.default_rng(0)
    a = rng.random((size, size), dtype=np.float32)
    b = rng.random((size, size), dtype=np.float32)
    out = np.empty_like(a)
    np.matmul(a, b, out=out)  # warm up: threads started, memory touched
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        np.matmul(a, b, out=out)
        best = min(best, time.perf_counter() - start)
    return 2 * size ** 3 / best


def run_flops(iterations, evaluations, train_size=60_000 - VALIDATION_SIZE,
              validation_size=VALIDATION_SIZE):
    """Floating-point operations in the matrix products of nntrain's run (without the final test)."""
    d, h, c = SIZES["input_size"], SIZES["hidden_size"], SIZES["output_size"]
    b = SCHEDULE["batch_size"]
    # forward x@W1, h@W2; backward h.T@d, d@W2.T, x.T@d: 2 FLOPs per multiply-add
    per_iteration = 2 * b * (2 * d * h + 3 * h * c)
    per_evaluation = 2 * (train_size + validation_size) * (d * h + h * c)
    return iterations * per_iteration + evaluations * per_evaluation


def run_child(name, iterations):
    proc = subprocess.run([sys.executable, __file__, "--child", name, "--iterations", str(iterations)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"the {name} run failed:\n{proc.stdout}\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def blas_description():
    """The BLAS library NumPy was built with, and the threads it may use."""
    blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    threads = os.environ.get("OPENBLAS_NUM_THREADS", f"default, {os.cpu_count()} cores")
    return f"{blas.get('name')} {blas.get('version')} (threads: {threads})"


@contextlib.contextmanager
def machine(state):
    """The machine ``state`` ("idle" or "busy") for the block: "busy" runs one busy process."""
    if state == "idle":
        yield
        return
    busy = subprocess.Popen([sys.executable, "-c", BUSY_LOOP])
    try:
        time.sleep(0.5)  # running before the timed run starts
        if busy.poll() is not None:
            raise SystemExit(f"the busy process ended at once (exit code {busy.returncode})")
        yield
    finally:
        busy.kill()
        busy.wait()


def print_table(rows, header):
    widths = [max(len(row[i]) for row in rows + [header]) for i in range(len(header))]
    for row in [header] + rows:
        print("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                        for i, (cell, w) in enumerate(zip(row, widths))))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs per contender and machine (the fastest counts)")
    parser.add_argument("--iterations", type=int, default=SCHEDULE["iterations"])
    parser.add_argument("--child", choices=CONTENDERS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.iterations)
        return 0

    print(f"Training 784-50-10 on MNIST ({60_000 - VALIDATION_SIZE:,} training images, "
          f"{VALIDATION_SIZE:,} for validation): {args.iterations:,} iterations, batch "
          f"{SCHEDULE['batch_size']}, learning rate {SCHEDULE['learning_rate']}")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} before the runs "
          "(idle timings are only meaningful near 0)")
    print(f"numpy {np.__version__}, BLAS: {blas_description()}"
          + (f", OPENBLAS_CORETYPE={os.environ['OPENBLAS_CORETYPE']}"
             if "OPENBLAS_CORETYPE" in os.environ else ""))
    print(f"busy: one process running `{BUSY_LOOP}` beside each run")

    throughput_before = matmul_throughput()
    with threadpool_limits(limits=1, user_api="blas"):
        one_core_before = matmul_throughput()
    runs = {(state, name): [] for state in MACHINES for name in CONTENDERS}
    for _ in range(max(args.repeat, 1)):  # the machines alternate, so slow drift hits both
        for state in MACHINES:
            for name in CONTENDERS:
                with machine(state):
                    runs[state, name].append(run_child(name, args.iterations))
    results = {key: min(found, key=lambda r: r.get("seconds", 0.0)) for key, found in runs.items()}
    # the faster of two measurements, before and after the runs: the tighter bound
    throughput = max(throughput_before, matmul_throughput())
    with threadpool_limits(limits=1, user_api="blas"):
        one_core = max(one_core_before, matmul_throughput())
    flops = run_flops(args.iterations, results["idle", "nntrain"]["evaluations"])
    bound, one_core_bound = flops / throughput, flops / one_core
    print(f"load average {os.getloadavg()[0]:.2f} after the runs")

    reference = {state: results[state, "reference"]["seconds"] for state in MACHINES}
    rows = [("compute bound", f"{bound:.2f}", f"{reference['idle'] / bound:.1f}x",
             "-", "-", "-", "-", "-"),
            ("compute bound, one core", f"{one_core_bound:.2f}", f"{reference['idle'] / one_core_bound:.1f}x",
             "-", "-", "-", "-", "-")]
    for name in CONTENDERS:
        idle, busy = results["idle", name], results["busy", name]
        if "skipped" in idle:
            rows.append((name, "skipped") + ("-",) * 6)
            continue
        rows.append((name, f"{idle['seconds']:.2f}", f"{reference['idle'] / idle['seconds']:.1f}x",
                     f"{busy['seconds']:.2f}", f"{reference['busy'] / busy['seconds']:.1f}x",
                     f"{busy['seconds'] / idle['seconds']:.2f}x",
                     f"{100 * idle['accuracy']:.2f}%", f"{idle['peak_mb']:.0f}"))
    print()
    print_table(rows, ("", "idle (s)", "vs reference", "busy (s)", "vs reference",
                       "busy / idle", "test accuracy", "peak memory (MB)"))
    print("(test accuracy and peak memory of the idle run; the busy run computes the same numbers)")
    for name in CONTENDERS:
        if "skipped" in results["idle", name]:
            print(f"({name} skipped: {results['idle', name]['skipped']})")
    ours_idle = results["idle", "nntrain"]["seconds"]
    print(f"\ncompute bound: {flops / 1e9:.0f} GFLOP in matrix products / "
          f"{throughput / 1e9:.0f} GFLOP/s measured (float32 {2048}x{2048} matmul, idle, every core); "
          f"one core: {one_core / 1e9:.0f} GFLOP/s, the threads nntrain trains with "
          f"(nntrain idle: {ours_idle / one_core_bound:.2f}x that bound, for information)")

    ours = {state: results[state, "nntrain"]["seconds"] for state in MACHINES}
    accuracy = {name: results["idle", name].get("accuracy") for name in CONTENDERS}
    checks = [
        (f"idle: at least {TARGETS['speedup_vs_reference']}x faster than the reference "
         f"({reference['idle'] / ours['idle']:.2f}x)",
         reference["idle"] / ours["idle"] >= TARGETS["speedup_vs_reference"]),
        (f"idle: within {TARGETS['bound_factor']}x of the compute bound "
         f"({ours['idle'] / bound:.2f}x)", ours["idle"] <= TARGETS["bound_factor"] * bound),
        (f"busy: at least {TARGETS['busy_speedup_vs_reference']}x faster than the reference "
         f"({reference['busy'] / ours['busy']:.2f}x)",
         reference["busy"] / ours["busy"] >= TARGETS["busy_speedup_vs_reference"]),
        (f"busy: at most {TARGETS['busy_slowdown']}x its own idle time "
         f"({ours['busy'] / ours['idle']:.2f}x)",
         ours["busy"] <= TARGETS["busy_slowdown"] * ours["idle"]),
        (f"test accuracy within {TARGETS['accuracy_points']} points of the reference",
         abs(accuracy["nntrain"] - accuracy["reference"]) * 100 <= TARGETS["accuracy_points"]),
        (f"peak memory under {TARGETS['peak_memory_mb']} MB",
         results["idle", "nntrain"]["peak_mb"] < TARGETS["peak_memory_mb"]),
    ]
    if "skipped" not in results["idle", "pytorch"]:
        checks.append(("idle: faster than PyTorch on the CPU",
                       ours["idle"] < results["idle", "pytorch"]["seconds"]))
    print("\ntargets for nntrain:")
    for text, met in checks:
        print(f"  [{'met' if met else 'MISSED'}] {text}")
    if "skipped" in results["idle", "pytorch"]:
        print(f"  [not checked] idle: faster than PyTorch on the CPU "
              f"({results['idle', 'pytorch']['skipped']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
