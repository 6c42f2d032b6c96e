"""Benchmark: what the grading kernel's tampering check costs per notebook.

The grading kernel (autograder/grading/kernel.py) compares what the tests rely
on with its snapshot after every cell and before every test cell.  This runs
the chapter 1 solution notebook (every code cell, hidden tests included) in an
IPython shell, REPEAT times, with the kernel's hooks (progress records, the
check for reference code) and the tampering check ("checked") and with the
hooks alone ("plain"), each in a fresh process, in the order
plain, checked, checked, plain, so that a machine that gets busier or quieter
favours neither.  It prints the time per notebook of each, their ratio, and the
time of one check.  Starting a kernel and nbgrader's own work, which the check
does not touch, come on top of both: the share of a whole grading is smaller.

    .venv/bin/python benchmarks/grading_integrity.py [--repeat 20]
"""
import argparse
import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "solutions" / "ch01_cross_entropy" / "cross_entropy.ipynb"
KERNEL = ROOT / "autograder" / "grading" / "kernel.py"


def load_kernel():
    """autograder/grading/kernel.py, loaded by its path (as the grading kernel runs it)."""
    spec = importlib.util.spec_from_file_location("grading_kernel", KERNEL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def code_cells():
    notebook = nbformat.read(str(NOTEBOOK), as_version=4)
    cells = []
    for cell in notebook.cells:
        if cell.cell_type == "code":
            meta = cell.metadata.get("nbgrader", {})
            kind = "test" if meta.get("grade") else "locked" if meta.get("locked") else "answer"
            cells.append((cell.source, kind))
    return cells


def run(checked, repeat):
    """Seconds per notebook run, and seconds per check (when checked); in this process."""
    from IPython.core.interactiveshell import InteractiveShell

    kernel = load_kernel()
    shell = InteractiveShell.instance()
    cells = code_cells()
    tests = [kernel.cell_key(source) for source, kind in cells if kind == "test"]
    locked = [kernel.cell_key(source) for source, kind in cells if kind == "locked"]
    integrity = kernel.install_records(shell, kernel.Recorder(None), ("softmax",), "nntrain", tests, locked,
                                       watch=checked)
    for source, _ in cells:                      # warm up: imports, caches
        shell.run_cell(source, store_history=False)
    started = time.perf_counter()
    for _ in range(repeat):
        for source, _ in cells:
            result = shell.run_cell(source, store_history=False)
            if not result.success:
                raise SystemExit(f"a cell of the solution failed: {result.error_in_exec!r}")
    per_notebook = (time.perf_counter() - started) / repeat
    per_check = None
    if integrity is not None:
        started = time.perf_counter()
        for _ in range(repeat * 10):
            changes = integrity.check()
            assert not changes, changes
        per_check = (time.perf_counter() - started) / (repeat * 10)
    return per_notebook, per_check


def child(mode, repeat):
    command = [sys.executable, __file__, "--child", mode, "--repeat", str(repeat)]
    env = {**os.environ, "MPLBACKEND": "Agg"}
    proc = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--child", choices=["plain", "checked"])
    args = parser.parse_args()
    if args.child:
        per_notebook, per_check = run(args.child == "checked", args.repeat)
        print(json.dumps({"notebook": per_notebook, "check": per_check}))
        return 0
    load = os.getloadavg()[0]
    times = {"plain": [], "checked": []}
    checks = []
    for mode in ("plain", "checked", "checked", "plain"):
        result = child(mode, args.repeat)
        times[mode].append(result["notebook"])
        if result["check"] is not None:
            checks.append(result["check"])
    plain, checked = (sum(times[m]) / len(times[m]) for m in ("plain", "checked"))
    cells = len(code_cells())
    print(f"chapter 1 solution, {cells} code cells, {args.repeat} runs per process, load average "
          f"{load:.1f} before, {os.getloadavg()[0]:.1f} after")
    print(f"plain:   {plain * 1000:8.1f} ms per notebook")
    print(f"checked: {checked * 1000:8.1f} ms per notebook ({checked / plain:.2f} x plain, "
          f"+{(checked - plain) * 1000:.1f} ms)")
    print(f"one check: {sum(checks) / len(checks) * 1000:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
