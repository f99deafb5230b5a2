"""Check that every graded cell of a chapter fails when its solution is removed.

For each solution cell (nbgrader ``solution: true``), the notebook is executed with that
one cell's ``# BEGIN SOLUTION`` ... ``# END SOLUTION`` region replaced by
``raise NotImplementedError()`` (as nbgrader's release does), errors allowed; the graded
cell that follows it (the next ``grade: true`` cell) must then end in an error. The
unmodified notebook must run with no error in any graded cell. Answer files of draw-to-
answer exercises go to a fresh temporary folder for every run, so a saved drawing from an
earlier run cannot make a check pass.

Usage (from the repository root)::

    .venv/bin/python scripts/verify_graded_cells.py chapters/01_tensors.ipynb [...]
"""

from __future__ import annotations

import copy
import os
import re
import sys
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient

_REGION = re.compile(r"^([ \t]*)# BEGIN SOLUTION.*?# END SOLUTION[^\n]*$", re.S | re.M)


def _strip(source: str) -> str:
    return _REGION.sub(lambda m: f"{m.group(1)}raise NotImplementedError()", source)


def _run(nb: nbformat.NotebookNode, cwd: Path) -> nbformat.NotebookNode:
    with tempfile.TemporaryDirectory() as answers:
        old = os.environ.get("TENSORLESSONS_ANSWERS")
        os.environ["TENSORLESSONS_ANSWERS"] = answers
        try:
            client = NotebookClient(
                nb, timeout=120, allow_errors=True, resources={"metadata": {"path": str(cwd)}}
            )
            client.execute()
        finally:
            if old is None:
                del os.environ["TENSORLESSONS_ANSWERS"]
            else:
                os.environ["TENSORLESSONS_ANSWERS"] = old
    return nb


def _failed(cell: nbformat.NotebookNode) -> str | None:
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            return f"{out.get('ename')}: {str(out.get('evalue'))[:100]}"
    return None


def _meta(cell: nbformat.NotebookNode) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def verify(path: Path) -> list[str]:
    problems: list[str] = []
    nb = nbformat.read(path, as_version=4)
    cells = nb.cells
    graded = [k for k, c in enumerate(cells) if _meta(c).get("grade")]
    solutions = [k for k, c in enumerate(cells) if _meta(c).get("solution")]

    full = _run(copy.deepcopy(nb), path.parent)
    for k in graded:
        err = _failed(full.cells[k])
        if err:
            problems.append(
                f"{path.name}: {_meta(cells[k])['grade_id']} fails WITH its solution: {err}"
            )
        else:
            print(f"  {_meta(cells[k])['grade_id']}: passes with its solution")

    for s in solutions:
        following = [k for k in graded if k > s]
        if not following:
            problems.append(f"{path.name}: solution cell {s} has no graded cell after it")
            continue
        g = following[0]
        variant = copy.deepcopy(nb)
        variant.cells[s].source = _strip(variant.cells[s].source)
        assert "NotImplementedError" in variant.cells[s].source
        out = _run(variant, path.parent)
        err = _failed(out.cells[g])
        gid = _meta(cells[g])["grade_id"]
        if err:
            print(f"  {gid}: fails without its solution ({err})")
        else:
            problems.append(f"{path.name}: {gid} PASSES with its solution removed")
    return problems


def main(argv: list[str]) -> int:
    problems: list[str] = []
    for name in argv:
        print(name)
        problems += verify(Path(name))
    for p in problems:
        print("PROBLEM:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
