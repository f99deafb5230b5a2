"""Every graded cell of every chapter passes with its solution, and fails without it.

The chapters in ``chapters/`` are discovered, so a new chapter is covered as soon as it
exists. Each runs twice in a fresh folder (no saved answers): as written (solutions in
place: every graded cell must pass, with nothing on stderr, as nbgrader requires) and as
``tensorlessons release`` makes it, with hidden tests kept (every graded cell must fail:
a check that passes without the learner's answer tests nothing).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest

from tensorlessons import grading as g

CHAPTERS = sorted((Path(__file__).resolve().parent.parent / "chapters").glob("[0-9]*.ipynb"))
NBGRADER_KEYS = {
    "grade", "grade_id", "locked", "points", "schema_version", "solution", "task", "checksum",
    "cell_type",
}  # fmt: skip
CELL_TIMEOUT = 300.0
NOTEBOOK_TIMEOUT = 1200.0


def _run(task: dict[str, Any]) -> dict[str, Any]:
    path = Path(task["path"])
    nb = g.read_notebook(path)
    if task["version"] == "released":
        nb = g.autograder_version(nb, where=str(path))
    with tempfile.TemporaryDirectory(prefix="tl-chapter-") as tmp:
        g._prepare_workdir(path.parent, Path(tmp))
        outcomes = g.run_notebook(
            nb, tmp, cell_timeout=CELL_TIMEOUT, notebook_timeout=NOTEBOOK_TIMEOUT
        )
    graded = {}
    for index, cell in enumerate(nb.cells):
        if g.is_graded(cell):
            o = outcomes[index]
            graded[g._grade_id(cell)] = (o.status, o.ename, o.evalue, o.stderr)
    return {"chapter": path.name, "version": task["version"], "graded": graded}


@pytest.fixture(scope="module")
def runs() -> dict[tuple[str, str], dict[str, Any]]:
    tasks = [{"path": str(p), "version": v} for p in CHAPTERS for v in ("solution", "released")]
    results = g._map(_run, tasks, None, lambda _line: None, what="run")
    return {(r["chapter"], r["version"]): r["graded"] for r in results}


def test_chapters_are_discovered():
    assert CHAPTERS, "no chapters/NN_*.ipynb found"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_graded_cell_metadata_follows_the_format(chapter):
    nb = g.read_notebook(chapter)
    g.student_version(nb, where=chapter.name)  # unique ids, points, closed markers
    for index, cell in enumerate(nb.cells):
        meta = cell.metadata.get("nbgrader")
        if not meta:
            continue
        where = f"{chapter.name} cell {index} ({meta.get('grade_id')!r})"
        assert set(meta) <= NBGRADER_KEYS, f"{where}: keys not in nbgrader's schema"
        assert meta.get("schema_version") == 3, where
        if g.is_graded(cell):
            ours = cell.metadata.get("tensorlessons", {})
            assert ours.get("difficulty") in (1, 2, 3), where
            assert ours.get("importance") in ("core", "optional"), where
            assert isinstance(ours.get("minutes"), (int, float)) and ours["minutes"] > 0, where
            assert meta.get("locked") is True and meta.get("points", 0) > 0, where
        if g.is_solution(cell):
            assert g.BEGIN_SOLUTION in cell.source, f"{where}: no solution region"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_every_graded_cell_passes_with_its_solution(chapter, runs):
    graded = runs[(chapter.name, "solution")]
    failing = {
        gid: f"{status} {ename}: {evalue} {stderr[:200]}".strip()
        for gid, (status, ename, evalue, stderr) in graded.items()
        if status != "ok" or stderr.strip()
    }
    assert not failing, f"{chapter.name}: graded cells failing with the solution: {failing}"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_every_graded_cell_fails_without_its_solution(chapter, runs):
    graded = runs[(chapter.name, "released")]
    vacuous = [
        gid for gid, (status, _, _, stderr) in graded.items() if status == "ok" and not stderr
    ]
    assert not vacuous, f"{chapter.name}: graded cells pass with solutions removed: {vacuous}"
    assert graded or not runs[(chapter.name, "solution")]
