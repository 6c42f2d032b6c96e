"""An assignment as grading needs it: explicit data, read once from the gradebook.

:func:`load` reads what ``nbgrader generate_assignment`` recorded (every cell of
every notebook, the version students received) and the source folder's other
files (nbgrader copies them next to each submission).  A worker rebuilds the
assignment in a private gradebook from this data with :func:`install`, so it
needs neither the course folder nor the course's gradebook.
"""
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from . import cells, defaults


@dataclass
class Assignment:
    """What grading needs to know of an assignment (JSON-able, picklable)."""
    id: str
    #: notebook name -> {"cells": {grade id: {kind, cell_type, source, release, points}},
    #: "max_score": float}
    notebooks: dict
    max_score: float
    #: the gradebook's records of each notebook, to rebuild it elsewhere (see install)
    records: dict = field(default_factory=dict)
    #: the source folder's files other than notebooks: relative path -> bytes
    files: dict = field(default_factory=dict)
    fingerprint: str = ""

    @property
    def answers(self):
        """Grade ids of autograded answer cells: the names students implement."""
        return sorted(name for nb in self.notebooks.values() for name, c in nb["cells"].items()
                      if c["kind"] == "answer")

    @property
    def code_cells(self):
        return sum(1 for nb in self.notebooks.values() for c in nb["cells"].values() if c["cell_type"] == "code")

    def budget(self, timeout):
        """Seconds one submission of it may take in all."""
        return defaults.budget(self.code_cells, timeout)


def release_source(source, config=None):
    """A source cell as students receive it: hidden tests and rubrics removed (nbgrader's own code).

    Rubrics ("mark schemes") sit in locked question cells; the course's
    configuration removes them from any locked cell, not only from task cells.
    """
    from nbgrader.preprocessors import ClearHiddenTests, ClearMarkScheme

    cell = nbformat.v4.new_code_cell(source)
    ClearHiddenTests(config=config)._remove_hidden_test_region(cell)
    ClearMarkScheme(config=config, enforce_metadata=False)._remove_mark_scheme_region(cell)
    return cell.source


def _notebook_data(notebook, config):
    """(cells by grade id, gradebook records) of a gradebook notebook."""
    grades = {c.name: c for c in notebook.grade_cells}
    solutions = {c.name for c in notebook.solution_cells}
    tasks = {c.name: c for c in notebook.task_cells}
    by_id = {}
    for cell in notebook.source_cells:
        kind = cells.kind(grade=cell.name in grades, solution=cell.name in solutions,
                          task=cell.name in tasks, locked=cell.locked, cell_type=cell.cell_type)
        by_id[cell.name] = {
            "kind": kind, "cell_type": cell.cell_type, "source": cell.source,
            "release": release_source(cell.source, config) if kind in ("test", "locked", "task")
            else cell.source,
            "points": float(grades[cell.name].max_score) if cell.name in grades else 0.0,
        }
    records = {
        "kernelspec": notebook.kernelspec,
        "grade_cells": [{"name": c.name, "max_score": c.max_score, "cell_type": c.cell_type}
                        for c in notebook.grade_cells],
        "solution_cells": sorted(solutions),
        "task_cells": [{"name": c.name, "max_score": c.max_score, "cell_type": c.cell_type}
                       for c in notebook.task_cells],
        "source_cells": [{"name": c.name, "cell_type": c.cell_type, "locked": c.locked, "source": c.source,
                          "checksum": c.checksum} for c in notebook.source_cells],
    }
    return by_id, records


def source_files(folder):
    """The files of an assignment's source folder that nbgrader copies to every submission
    (everything but notebooks and checkpoints): relative path -> bytes."""
    folder = Path(folder)
    if not folder.is_dir():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.suffix != ".ipynb" and ".ipynb_checkpoints" not in p.parts
            and "__pycache__" not in p.parts}


def load(course, assignment_id):
    """The :class:`Assignment` as the course's gradebook recorded it at release."""
    with course.gradebook() as gb:
        recorded = gb.find_assignment(assignment_id)
        notebooks, records = {}, {}
        for notebook in sorted(recorded.notebooks, key=lambda n: n.name):
            by_id, records[notebook.name] = _notebook_data(notebook, course.config)
            notebooks[notebook.name] = {"cells": by_id, "max_score": float(notebook.max_score)}
        max_score = float(recorded.max_score)
    assignment = Assignment(assignment_id, notebooks, max_score, records,
                            source_files(course.source / assignment_id))
    digest = hashlib.sha256(json.dumps([assignment_id, notebooks, records, max_score], sort_keys=True,
                                       default=str).encode())
    for name, data in sorted(assignment.files.items()):
        digest.update(name.encode() + b"\0" + data + b"\0")
    assignment.fingerprint = digest.hexdigest()
    return assignment


def install(gradebook, assignment):
    """Record ``assignment`` in ``gradebook`` (an open nbgrader Gradebook) as generate_assignment
    would have: the same cells, checksums and points."""
    gradebook.update_or_create_assignment(assignment.id)
    for name, records in assignment.records.items():
        gradebook.update_or_create_notebook(name, assignment.id, kernelspec=records["kernelspec"])
        for cell in records["grade_cells"]:
            gradebook.update_or_create_grade_cell(cell["name"], name, assignment.id,
                                                  max_score=cell["max_score"], cell_type=cell["cell_type"])
        for cell_name in records["solution_cells"]:
            gradebook.update_or_create_solution_cell(cell_name, name, assignment.id)
        for cell in records["task_cells"]:
            gradebook.update_or_create_task_cell(cell["name"], name, assignment.id,
                                                 max_score=cell["max_score"], cell_type=cell["cell_type"])
        for cell in records["source_cells"]:
            gradebook.update_or_create_source_cell(cell["name"], name, assignment.id, **{
                k: cell[k] for k in ("cell_type", "locked", "source", "checksum")})
