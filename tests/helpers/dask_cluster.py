"""A real Dask cluster on 127.0.0.1 for the tests and the benchmark: ``dask scheduler`` and
``dask worker`` processes, each worker in an empty working folder of its own (it has the
course's Python environment and nothing else), stopped by their process ids.

    with DaskCluster(folder, workers=2) as cluster:
        grading(course, "autograde", "--scheduler", cluster.address)
"""
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

START_SECONDS = 120      # a loaded machine takes a while to import distributed


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on (at the moment of asking)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def dask_command():
    """The ``dask`` command of this Python environment."""
    return [str(Path(sys.executable).parent / "dask")]


#: settings of this machine's test runs that a worker elsewhere would not have
NOT_ON_A_WORKER = ("PYTHONPATH", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def clean_environment(extra=None):
    """The environment a worker gets: this one without PYTHONPATH (a worker has only the
    installed packages) and without the tests' BLAS thread settings, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if k not in NOT_ON_A_WORKER}
    env.update(extra or {})
    return env


class DaskCluster:
    """A scheduler and ``workers`` workers of ``threads`` threads each, all on 127.0.0.1."""

    def __init__(self, folder, workers=2, threads=1):
        self.folder, self.threads = Path(folder), threads
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.scheduler = None
        self.workers = {}                  # name -> Popen
        self.count = workers

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()

    def _log(self, name):
        return open(self.folder / f"{name}.log", "ab")

    def start(self):
        with self._log("scheduler") as log:
            self.scheduler = subprocess.Popen(
                [*dask_command(), "scheduler", "--host", "127.0.0.1", "--port", str(self.port),
                 "--dashboard-address", "127.0.0.1:0", "--no-show"],
                cwd=self.folder, stdout=log, stderr=log, stdin=subprocess.DEVNULL, env=clean_environment())
        for number in range(1, self.count + 1):
            self.add_worker(f"w{number}")
        self.wait_for(self.count)

    def add_worker(self, name, env=None):
        """Start worker ``name`` in an empty folder of its own (``env``: more variables)."""
        home = self.folder / name
        home.mkdir()
        with self._log(name) as log:
            self.workers[name] = subprocess.Popen(
                [*dask_command(), "worker", self.address, "--host", "127.0.0.1", "--name", name,
                 "--nthreads", str(self.threads), "--no-nanny", "--local-directory", str(home / "dask"),
                 "--dashboard-address", "127.0.0.1:0", "--death-timeout", "60"],
                cwd=home, stdout=log, stderr=log, stdin=subprocess.DEVNULL, env=clean_environment(env))
        return self.workers[name]

    def names(self):
        """The names of the workers the scheduler knows."""
        from distributed import Client

        with Client(self.address, timeout=30, set_as_default=False) as client:
            return sorted(w["name"] for w in client.scheduler_info(n_workers=-1)["workers"].values())

    def wait_for(self, count):
        """Wait until the scheduler knows exactly ``count`` workers."""
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            for name, process in self.workers.items():
                if process.poll() is not None:
                    raise RuntimeError(f"dask worker {name} exited: {self.log(name)}")
            if self.scheduler.poll() is not None:
                raise RuntimeError(f"dask scheduler exited: {self.log('scheduler')}")
            try:
                if len(self.names()) == count:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"the scheduler did not see {count} worker(s) within {START_SECONDS} s:\n"
                           + "\n".join(self.log(n) for n in ["scheduler", *self.workers]))

    def log(self, name):
        path = self.folder / f"{name}.log"
        return path.read_text(errors="replace")[-3000:] if path.is_file() else ""

    def kill_worker(self, name):
        """SIGKILL worker ``name`` (a machine that vanishes)."""
        process = self.workers.pop(name)
        process.send_signal(signal.SIGKILL)
        process.wait(30)

    def stop_worker(self, name):
        process = self.workers.pop(name)
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)

    def stop(self):
        for name in list(self.workers):
            self.stop_worker(name)
        if self.scheduler is not None and self.scheduler.poll() is None:
            self.scheduler.terminate()
            try:
                self.scheduler.wait(30)
            except subprocess.TimeoutExpired:
                self.scheduler.kill()
                self.scheduler.wait(10)
