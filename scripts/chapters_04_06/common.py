"""Shared helpers of the chapter 04-06 generator: the cell helpers of chapters 00-03's."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = ROOT / "chapters"

_spec = importlib.util.spec_from_file_location(
    "build_chapters_00_03", ROOT / "scripts" / "build_chapters_00_03.py"
)
assert _spec is not None and _spec.loader is not None
_base = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_base)

KERNELSPEC = _base.KERNELSPEC

SETUP = """
import numpy as np

import tensorlessons as tl
from tensorlessons.exercises import Exercise, check, progress

np.set_printoptions(precision=3, suppress=True)
rng = np.random.default_rng(0)  # the same "random" numbers every time
"""


class Chapter(_base.Chapter):
    """Chapters 00-03's cell helpers, plus writing the notebook to chapters/."""

    def write(self, name: str) -> Path:
        path = CHAPTERS / f"{name}.ipynb"
        path.write_text(nbformat.writes(self.notebook()) + "\n", encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)} ({len(self.cells)} cells)")
        return path
