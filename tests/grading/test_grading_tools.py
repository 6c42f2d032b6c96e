"""The grading tools' structure: one source of defaults, one error type, one classifier of cells."""
import ast
import re
import subprocess
import sys

from helpers import ROOT

from grading import defaults
from grading.course import load_config

TOOLS = ROOT / "autograder" / "grading"


def test_the_command_line_help_shows_the_defaults():
    proc = subprocess.run([sys.executable, "-m", "grading", "autograde", "--help"], cwd=ROOT / "autograder",
                          capture_output=True, text=True, timeout=120)
    flat = " ".join(proc.stdout.split())
    assert f"default {defaults.CELL_TIMEOUT}" in flat and f"default {defaults.MEMORY_MB}" in flat
    assert defaults.ENV_TIMEOUT in flat and defaults.ENV_MEMORY in flat and defaults.ENV_JOBS in flat


def test_nbgrader_uses_the_tools_timeout(monkeypatch):
    monkeypatch.delenv(defaults.ENV_TIMEOUT, raising=False)
    assert load_config(ROOT / "autograder").Execute.timeout == defaults.CELL_TIMEOUT
    monkeypatch.setenv(defaults.ENV_TIMEOUT, "7")
    assert load_config(ROOT / "autograder").Execute.timeout == 7


def test_the_guide_states_the_defaults():
    guide = " ".join((ROOT / "instructor_guide.md").read_text().split())
    rows = {
        "time per cell": f"{defaults.CELL_TIMEOUT} s",
        "memory per kernel": f"{defaults.MEMORY_MB} MB",
        "private temporary folder": f"{defaults.TMP_MB} MB",
        "processes per kernel": f"{defaults.PROCESSES}",
        "isolation": f"`{defaults.SANDBOX}`",
    }
    for setting, value in rows.items():
        match = re.search(rf"\| {setting} \|[^|]*\| ([^|]*) \|", guide)
        assert match, f"the guide's configuration table has no row {setting!r}"
        assert match.group(1).startswith(value), (setting, match.group(1), value)
    assert f"{defaults.BUDGET_BASE} s plus `TIMEOUT + {defaults.BUDGET_PER_CELL}` s" in guide


def test_library_code_raises_grading_errors_not_system_exit():
    for path in sorted(TOOLS.glob("*.py")):
        tree = ast.parse(path.read_text())
        names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
        assert "SystemExit" not in names and "exit" not in {
            node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute) and path.name != "__main__.py"
            and isinstance(node.value, ast.Name) and node.value.id == "sys"}, path.name


def test_functions_stay_short():
    long = []
    for path in sorted(TOOLS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno - node.lineno > 60:
                long.append(f"{path.name}:{node.name} ({node.end_lineno - node.lineno + 1} lines)")
    assert not long, long


def test_one_classifier_of_cell_kinds():
    """Only cells.py decides what kind an nbgrader cell is (the tests keep their own only where
    they check the tool)."""
    deciders = []
    for path in sorted(TOOLS.glob("*.py")):
        if path.name != "cells.py" and re.search(r'return "(answer|written|manual)"', path.read_text()):
            deciders.append(path.name)
    assert not deciders


def test_errors_reach_the_instructor_as_one_line(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "grading", "--course", str(tmp_path), "grades"],
                          cwd=ROOT / "autograder", capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr == f"error: {tmp_path} is not an nbgrader course (no nbgrader_config.py)\n"
