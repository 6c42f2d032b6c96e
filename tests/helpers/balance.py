"""Where an assignment's points go: the balance the course promises for every assignment.

Read from the source notebook in ``solutions/`` and from the declarations in the
assignment's wrong-answer catalogue (``tests/exercises/<assignment-id>.py``):

* ``NEW_TASKS`` - answer cells (grade ids) whose answer is in neither the lessons nor
  the package, each with the reason;
* ``INPUT_CHECKS`` - test cells (grade ids) whose points reward refusing bad input.

A task is an autograded answer cell with the test cells that follow it up to the next
answer cell; its points are theirs.  A test cell holding hidden tests counts as hidden.
"""
import ast
import importlib
from dataclasses import dataclass, field

from helpers import ROOT
from helpers.notebooks import (BEGIN_HIDDEN, grade_id, is_answer_cell, is_manual_cell, is_test_cell,
                               nbgrader_meta, read, solution_notebook)

MARK_SCHEME = "### BEGIN MARK SCHEME"

#: the standard: shares of an assignment's code points
MIN_HIDDEN, MIN_NEW, MAX_INPUT = 0.30, 0.40, 0.10


def points(cell):
    return nbgrader_meta(cell).get("points", 0)


@dataclass
class Balance:
    assignment_id: str
    tasks: dict = field(default_factory=dict)         # answer grade id -> [test cells]
    manual: dict = field(default_factory=dict)        # written answer grade id -> (points, has rubric)
    new_tasks: dict = field(default_factory=dict)     # answer grade id -> reason
    input_checks: set = field(default_factory=set)    # test grade ids

    def code_points(self):
        return sum(points(c) for cells in self.tasks.values() for c in cells)

    def hidden_points(self):
        return sum(points(c) for cells in self.tasks.values() for c in cells if BEGIN_HIDDEN in c.source)

    def new_points(self):
        return sum(points(c) for task in self.new_tasks for c in self.tasks.get(task, []))

    def input_points(self):
        return sum(points(c) for cells in self.tasks.values() for c in cells
                   if grade_id(c) in self.input_checks)

    def test_ids(self):
        return {grade_id(c) for cells in self.tasks.values() for c in cells}

    def row(self):
        code = self.code_points()
        manual = sum(p for p, _ in self.manual.values())
        rubrics = sum(p for p, has in self.manual.values() if has)
        return (self.assignment_id, code, f"{self.hidden_points()} ({self.hidden_points() / code:.0%})",
                f"{self.new_points()} ({self.new_points() / code:.0%})",
                f"{self.input_points()} ({self.input_points() / code:.0%})", f"{rubrics}/{manual}")


def balance(assignment_id):
    """The :class:`Balance` of one assignment."""
    result = Balance(assignment_id)
    catalogue = importlib.import_module(f"exercises.{assignment_id}")
    result.new_tasks = dict(getattr(catalogue, "NEW_TASKS", {}))
    result.input_checks = set(getattr(catalogue, "INPUT_CHECKS", ()))
    current, question = None, None
    for cell in read(solution_notebook(assignment_id)).cells:
        if is_answer_cell(cell):
            current = grade_id(cell)
            result.tasks[current] = []
        elif is_test_cell(cell) and current is not None:
            result.tasks[current].append(cell)
        elif is_manual_cell(cell):
            result.manual[grade_id(cell)] = (points(cell), question is not None and MARK_SCHEME in question)
        if cell.cell_type == "markdown" and nbgrader_meta(cell).get("locked"):
            question = cell.source
    return result


def defined_names(source):
    """Top-level function and class names a cell or module defines."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {node.name for node in tree.body
            if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))}


def names_in_course():
    """Every top-level function and class defined in lib/nntrain or in a chapter's code cells."""
    names = set()
    for module in (ROOT / "lib" / "nntrain").glob("*.py"):
        names |= defined_names(module.read_text())
    for chapter in (ROOT / "chapters").glob("*.ipynb"):
        for cell in read(chapter).cells:
            if cell.cell_type == "code":
                names |= defined_names(cell.source)
    return names


def answer_names(assignment_id, answer_id):
    """Names the solution's answer cell ``answer_id`` defines."""
    for cell in read(solution_notebook(assignment_id)).cells:
        if is_answer_cell(cell) and grade_id(cell) == answer_id:
            return defined_names("\n".join(line for line in cell.source.splitlines()
                                           if not line.lstrip().startswith("###")))
    return set()


def table(assignment_ids):
    """The balance of every assignment as a Markdown table."""
    head = ("assignment", "code points", "hidden", "not in lesson or package", "input checking",
            "manual points with rubric")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(str(v) for v in balance(a).row()) + " |" for a in assignment_ids]
    return "\n".join(lines)


if __name__ == "__main__":   # cd tests && python -m helpers.balance
    from helpers.notebooks import assignment_ids
    print(table(assignment_ids()))
