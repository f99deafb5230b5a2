"""Structural checks of every chapter notebook in chapters/ (found by glob).

These tests do NOT execute the notebooks: CI executes them with
``pytest --nbval-lax chapters/`` (each chapter must run without a cell error, in < 60 s).
Here we check what execution cannot see: kernelspec metadata, no committed error outputs,
the exercise format shared by the chapters and tensorlessons.exercises (nbgrader schema 3
metadata with nothing of ours inside it, solution and hidden-test markers, at least three
graded cells and at least one draw-to-answer exercise per chapter, a header for every
exercise, honest ``check.passed(..., hidden=...)``). The notebooks are built from the
chapter sources ``course/NN_*.py`` (``tests/test_course.py`` checks they are up to date).

Whether each graded cell fails with its solution removed is checked by executing the
notebooks: ``tensorlessons release`` (its vacuity check, ``grading.vacuous_cells``) and
``tests/test_chapter_exercises.py``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAPTER_DIR = ROOT / "chapters"
CHAPTERS = sorted(CHAPTER_DIR.glob("[0-9][0-9]_*.ipynb"))

KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}
#: The keys nbgrader's schema 3 allows in a cell's "nbgrader" metadata.
NBGRADER_KEYS = {"grade", "grade_id", "locked", "points", "schema_version", "solution", "task"}
MIN_GRADED = 3

_EXERCISE_ID = re.compile(r"\b(?:Diagram)?Exercise\(\s*[\"']([^\"']+)[\"']")
_PASSED = re.compile(r"check\.passed\(\s*[\"']([^\"']+)[\"']\s*(?:,\s*hidden\s*=\s*(True|False))?")


def _read(path: Path) -> Any:
    return nbformat.read(path, as_version=4)


def _nbg(cell: Any) -> dict[str, Any]:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def _graded(nb: Any) -> list[tuple[int, Any]]:
    return [(k, c) for k, c in enumerate(nb.cells) if _nbg(c).get("grade")]


def _solutions(nb: Any) -> list[tuple[int, Any]]:
    return [(k, c) for k, c in enumerate(nb.cells) if _nbg(c).get("solution")]


def _ids(paths: list[Path]) -> list[str]:
    return [p.stem for p in paths]


def test_chapters_exist() -> None:
    assert CHAPTERS, f"no chapter notebooks found in {CHAPTER_DIR}"
    names = [p.name for p in CHAPTERS]
    for required in ("00_start.ipynb", "01_tensors.ipynb"):
        assert required in names, f"{required} is missing from chapters/: {names}"
    numbers = [p.name[:2] for p in CHAPTERS]
    assert len(set(numbers)) == len(numbers), f"two chapters share a number: {names}"


@pytest.mark.parametrize("path", CHAPTERS, ids=_ids(CHAPTERS))
def test_valid_notebook_with_kernelspec(path: Path) -> None:
    nb = _read(path)
    nbformat.validate(nb)
    spec = nb.metadata.get("kernelspec")
    assert spec is not None, f"{path.name}: no kernelspec metadata"
    for key, value in KERNELSPEC.items():
        assert spec.get(key) == value, (
            f"{path.name}: kernelspec {key!r} is {spec.get(key)!r}, expected {value!r}"
        )


@pytest.mark.parametrize("path", CHAPTERS, ids=_ids(CHAPTERS))
def test_no_committed_errors_or_machine_paths_in_outputs(path: Path) -> None:
    """Outputs may be committed (nbval-lax ignores them), but never an error or a local path."""
    nb = _read(path)
    for k, c in enumerate(nb.cells):
        for out in c.get("outputs", []) if c.cell_type == "code" else []:
            assert out.get("output_type") != "error", (
                f"{path.name}: cell {k} has a committed error output ({out.get('ename')})"
            )
            text = str(out.get("text", "")) + str(out.get("data", {}).get("text/plain", ""))
            assert not re.search(r"(?<![\w.])/(work|home|Users)/", text), (
                f"{path.name}: cell {k} has an output with an absolute machine path"
            )


@pytest.mark.parametrize("path", CHAPTERS, ids=_ids(CHAPTERS))
def test_no_machine_paths(path: Path) -> None:
    nb = _read(path)
    bad = [
        k
        for k, c in enumerate(nb.cells)
        if re.search(r"(?<![\w.])/(work|home|Users|tmp)/", c.source)
    ]
    assert not bad, f"{path.name}: cells {bad} contain an absolute machine path"


@pytest.mark.parametrize("path", CHAPTERS, ids=_ids(CHAPTERS))
def test_enough_graded_cells_and_a_drawing_exercise(path: Path) -> None:
    nb = _read(path)
    graded = _graded(nb)
    assert len(graded) >= MIN_GRADED, (
        f"{path.name}: {len(graded)} graded cell(s) ({[_nbg(c).get('grade_id') for _, c in graded]}), "
        f"at least {MIN_GRADED} required"
    )
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "DiagramExercise(" in code, (
        f"{path.name}: no draw-to-answer exercise (tensorlessons.DiagramExercise)"
    )


@pytest.mark.parametrize("path", CHAPTERS, ids=_ids(CHAPTERS))
def test_nbgrader_metadata(path: Path) -> None:
    """Schema 3, unique grade ids, nothing of ours inside "nbgrader", our keys well formed."""
    nb = _read(path)
    chapter = path.name[:2]
    seen: dict[str, int] = {}
    for k, cell in enumerate(nb.cells):
        meta = _nbg(cell)
        if not meta:
            continue
        where = f"{path.name} cell {k}"
        extra = set(meta) - NBGRADER_KEYS
        assert not extra, (
            f"{where}: keys {sorted(extra)} inside 'nbgrader' (put ours under 'tensorlessons')"
        )
        assert meta.get("schema_version") == 3, f"{where}: nbgrader schema_version must be 3"
        gid = meta.get("grade_id")
        assert isinstance(gid, str) and gid, f"{where}: nbgrader metadata without a grade_id"
        assert gid not in seen, f"{where}: grade_id {gid!r} already used by cell {seen[gid]}"
        seen[gid] = k
        assert cell.cell_type == "code" or not meta.get("grade"), (
            f"{where}: a graded cell must be code"
        )
        if meta.get("grade"):
            assert meta.get("solution") is False, f"{where}: a graded test cell has solution: false"
            assert meta.get("locked") is True, f"{where}: a graded test cell must be locked"
            points = meta.get("points")
            assert isinstance(points, (int, float)) and points > 0, f"{where}: points {points!r}"
            assert gid.startswith(f"{chapter}-"), (
                f"{where}: grade_id {gid!r} should start with the chapter number {chapter!r}- "
                "(progress() groups exercises by it)"
            )
            ours = cell.metadata.get("tensorlessons", {})
            assert ours.get("difficulty") in (1, 2, 3), (
                f"{where}: tensorlessons.difficulty {ours.get('difficulty')!r}"
            )
            assert ours.get("importance") in ("core", "optional"), (
                f"{where}: tensorlessons.importance {ours.get('importance')!r}"
            )
            minutes = ours.get("minutes")
            assert isinstance(minutes, (int, float)) and minutes > 0, (
                f"{where}: tensorlessons.minutes {minutes!r}"
            )
        if meta.get("solution"):
            assert meta.get("grade") is False, f"{where}: a solution cell is not itself graded"
            assert meta.get("locked") is False, f"{where}: a solution cell must not be locked"


@pytest.mark.parametrize("path", CHAPTERS, ids=_ids(CHAPTERS))
def test_solution_regions_and_order(path: Path) -> None:
    """Each solution cell has one marked region and is followed by its graded cell."""
    nb = _read(path)
    graded_at = [k for k, _ in _graded(nb)]
    for k, cell in _solutions(nb):
        src = cell.source
        where = f"{path.name} cell {k} ({_nbg(cell).get('grade_id')})"
        begin = len(re.findall(r"^\s*# BEGIN SOLUTION\s*$", src, re.M))
        end = len(re.findall(r"^\s*# END SOLUTION\s*$", src, re.M))
        assert begin >= 1 and begin == end, (
            f"{where}: {begin} '# BEGIN SOLUTION' but {end} '# END SOLUTION'"
        )
        assert src.index("# BEGIN SOLUTION") < src.index("# END SOLUTION"), (
            f"{where}: markers out of order"
        )
        later = [g for g in graded_at if g > k]
        assert later, f"{where}: no graded cell after this solution cell"
    for k, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and "# BEGIN SOLUTION" in cell.source:
            assert _nbg(cell).get("solution"), (
                f"{path.name} cell {k}: solution markers in a cell without solution: true"
            )


@pytest.mark.parametrize("path", CHAPTERS, ids=_ids(CHAPTERS))
def test_graded_cells_report_honestly(path: Path) -> None:
    """A graded cell ends with check.passed(<its grade_id>, hidden=<whether it has hidden tests>)."""
    nb = _read(path)
    for k, cell in _graded(nb):
        gid = _nbg(cell)["grade_id"]
        src = cell.source
        where = f"{path.name} cell {k} ({gid})"
        begin = src.count("### BEGIN HIDDEN TESTS")
        assert begin == src.count("### END HIDDEN TESTS"), (
            f"{where}: unbalanced hidden-test markers"
        )
        calls = _PASSED.findall(src)
        assert calls, f"{where}: no check.passed({gid!r}, ...) call"
        called_id, hidden = calls[-1]
        assert called_id == gid, f"{where}: check.passed names {called_id!r}, expected {gid!r}"
        assert (hidden == "True") == bool(begin), (
            f"{where}: check.passed(hidden={hidden or 'False'}) but the cell has "
            f"{'' if begin else 'no '}hidden tests"
        )
        assert "# BEGIN SOLUTION" not in src, f"{where}: a graded cell holds a solution region"


@pytest.mark.parametrize("path", CHAPTERS, ids=_ids(CHAPTERS))
def test_every_exercise_has_a_header(path: Path) -> None:
    """Each graded exercise is introduced by Exercise(...) or DiagramExercise(...) with its id."""
    nb = _read(path)
    graded_ids = [_nbg(c)["grade_id"] for _, c in _graded(nb)]
    code = "\n".join(
        c.source for c in nb.cells if c.cell_type == "code" and not _nbg(c).get("grade")
    )
    headers = _EXERCISE_ID.findall(code)
    missing = [g for g in graded_ids if g not in headers]
    assert not missing, (
        f"{path.name}: graded exercises without an Exercise/DiagramExercise header: {missing}"
    )
    unknown = [h for h in headers if h not in graded_ids]
    assert not unknown, (
        f"{path.name}: exercise headers with no graded cell of that grade_id: {unknown}"
    )
