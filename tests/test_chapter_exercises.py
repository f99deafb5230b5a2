"""Every chapter runs: the solution source with every graded cell passing, the learner copy
to the end with every graded cell failing.

Each chapter runs twice, each time in a fresh folder (no saved answers), and this is the
only place the test suite executes the chapters:

- the **solution-bearing source** ``course/NN_name.py`` (what the instructor and
  ``tensorlessons release`` start from): no cell may fail, and every graded cell passes
  with nothing on stderr (as nbgrader requires), hidden tests included;
- the **learner copy** ``chapters/NN_name.ipynb`` exactly as committed (what
  ``course.sh``, Binder and ``tensorlessons course`` open): *Run All* reaches the end —
  the only cells that raise are tagged ``raises-exception`` (the unanswered exercises),
  everything else runs — and every graded cell fails, judged by
  :func:`tensorlessons.grading.passing_graded_cells`, the check ``tensorlessons release``
  applies to its own run without solutions.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest

from tensorlessons import course
from tensorlessons import grading as g

ROOT = Path(__file__).resolve().parent.parent
SOURCES = course.source_paths(ROOT)
IDS = [p.stem for p in SOURCES]
CELL_TIMEOUT = 300.0
NOTEBOOK_TIMEOUT = 1200.0


def _run(task: dict[str, Any]) -> dict[str, Any]:
    stem, version = task["stem"], task["version"]
    if version == "solution":
        nb = course.read_source(ROOT / "course" / f"{stem}.py")
    else:
        nb = g.read_notebook(ROOT / "chapters" / f"{stem}.ipynb")
    with tempfile.TemporaryDirectory(prefix="tl-chapter-") as tmp:
        outcomes = g.run_notebook(
            nb,
            tmp,
            cell_timeout=CELL_TIMEOUT,
            notebook_timeout=NOTEBOOK_TIMEOUT,
        )
    cells = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        o = outcomes.get(index)
        cells.append(
            {
                "index": index,
                "id": cell.get("id"),
                "grade_id": g._grade_id(cell) if g.is_graded(cell) else None,
                "tagged": course.RAISES in cell.metadata.get("tags", []),
                "status": o.status if o else "not run",
                "error": f"{o.ename}: {o.evalue[:300]}" if o else "",
                "stderr": o.stderr[:300] if o else "",
            }
        )
    passing = [gid for _, gid in g.passing_graded_cells(nb, outcomes)]
    return {"stem": stem, "version": version, "cells": cells, "passing": passing}


@pytest.fixture(scope="module")
def runs() -> dict[tuple[str, str], dict[str, Any]]:
    tasks = [{"stem": s, "version": v} for s in IDS for v in ("solution", "learner")]
    results = g._map(_run, tasks, None, lambda _line: None, what="run")
    return {(r["stem"], r["version"]): r for r in results}


def test_chapters_are_discovered() -> None:
    assert SOURCES, "no course/NN_*.py found"


@pytest.mark.parametrize("stem", IDS)
def test_solution_source_runs_clean_and_every_graded_cell_passes(stem, runs) -> None:
    run = runs[(stem, "solution")]
    failing = [
        f"cell {c['index']} ({c['grade_id'] or c['id']}): {c['status']} {c['error']} "
        f"{c['stderr']}".strip()
        for c in run["cells"]
        if c["status"] != "ok" or (c["grade_id"] and c["stderr"].strip())
    ]
    assert not failing, f"{stem} (solution source): {failing}"
    graded = [c["grade_id"] for c in run["cells"] if c["grade_id"]]
    assert graded and sorted(run["passing"]) == sorted(graded)


@pytest.mark.parametrize("stem", IDS)
def test_learner_copy_runs_to_the_end_and_every_graded_cell_fails(stem, runs) -> None:
    run = runs[(stem, "learner")]
    untagged = [
        f"cell {c['index']} ({c['id']}): {c['status']} {c['error']}"
        for c in run["cells"]
        if c["status"] != "ok" and not c["tagged"]
    ]
    assert not untagged, f"{stem} (learner copy): Run All would stop here: {untagged}"
    not_run = [c["id"] for c in run["cells"] if c["status"] in ("not run", "timeout")]
    assert not not_run, f"{stem} (learner copy): cells not run: {not_run}"
    assert not run["passing"], (
        f"{stem} (learner copy): graded cells pass before the learner did anything: "
        f"{run['passing']}"
    )
    graded = [c for c in run["cells"] if c["grade_id"]]
    assert graded and all(c["tagged"] for c in graded)
