"""Shared helpers of the chapter 04-06 generator (the same cell helpers as chapters 00-03)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = ROOT / "chapters"
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}

SETUP = """
import numpy as np

import tensorlessons as tl
from tensorlessons.exercises import Exercise, check, progress

np.set_printoptions(precision=3, suppress=True)
rng = np.random.default_rng(0)  # the same "random" numbers every time
"""


def _src(text: str) -> str:
    return textwrap.dedent(text).strip("\n")


class Chapter:
    def __init__(self, slug: str) -> None:
        self.slug = slug
        self.cells: list[nbformat.NotebookNode] = []

    def _add(self, cell: nbformat.NotebookNode) -> None:
        cell["id"] = f"{self.slug}-{len(self.cells):03d}"
        self.cells.append(cell)

    def md(self, text: str) -> None:
        self._add(nbformat.v4.new_markdown_cell(_src(text)))

    def code(self, text: str) -> None:
        cell = nbformat.v4.new_code_cell(_src(text))
        if "DiagramExercise(" in text:
            cell.metadata["jupyter"] = {"source_hidden": True}
        self._add(cell)

    def header(self, text: str) -> None:
        cell = nbformat.v4.new_code_cell(_src(text))
        cell.metadata["jupyter"] = {"source_hidden": True}
        self._add(cell)

    def solution(self, grade_id: str, text: str) -> None:
        body = _src(text)
        assert "# BEGIN SOLUTION" in body and "# END SOLUTION" in body, grade_id
        cell = nbformat.v4.new_code_cell(body)
        cell.metadata["nbgrader"] = {
            "solution": True,
            "grade": False,
            "locked": False,
            "grade_id": f"{grade_id}-code",
            "schema_version": 3,
        }
        self._add(cell)

    def graded(
        self,
        grade_id: str,
        text: str,
        *,
        points: int,
        difficulty: int,
        importance: str,
        minutes: int,
    ) -> None:
        body = _src(text)
        assert f'check.passed("{grade_id}"' in body, grade_id
        cell = nbformat.v4.new_code_cell(body)
        cell.metadata["nbgrader"] = {
            "grade": True,
            "solution": False,
            "locked": True,
            "points": points,
            "grade_id": grade_id,
            "schema_version": 3,
        }
        cell.metadata["tensorlessons"] = {
            "difficulty": difficulty,
            "importance": importance,
            "minutes": minutes,
        }
        self._add(cell)

    def notebook(self) -> nbformat.NotebookNode:
        nb = nbformat.v4.new_notebook()
        nb.cells = self.cells
        nb.metadata["kernelspec"] = dict(KERNELSPEC)
        nb.metadata["language_info"] = {"name": "python"}
        nbformat.validate(nb)
        return nb

    def write(self, name: str) -> Path:
        path = CHAPTERS / f"{name}.ipynb"
        path.write_text(nbformat.writes(self.notebook()) + "\n", encoding="utf-8")
        print(f"wrote {path} ({len(self.cells)} cells)")
        return path
