"""Structural checks of every chapter: its source course/NN_*.py and its learner copy.

These tests do NOT execute the chapters (``tests/test_chapter_exercises.py`` does, once
each). Here we check what execution cannot see. In the solution-bearing sources:
kernelspec metadata, the exercise format shared by the chapters and
tensorlessons.exercises (nbgrader schema 3 metadata with nothing of ours inside it,
solution and hidden-test markers, at least three graded cells and at least one
draw-to-answer exercise per chapter, a header for every exercise, honest
``check.passed(..., hidden=...)``). In the learner copy chapters/NN_*.ipynb: no committed
errors or machine paths, and nothing of the answer key — no solution, no hidden test, no
reference diagram.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import nbformat
import pytest

from tensorlessons import course

ROOT = Path(__file__).resolve().parent.parent
CHAPTER_DIR = ROOT / "course"
CHAPTERS = course.source_paths(ROOT)  # the solution-bearing sources
LEARNER = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))  # the learner copy

KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}
#: The keys nbgrader's schema 3 allows in a cell's "nbgrader" metadata.
NBGRADER_KEYS = {"grade", "grade_id", "locked", "points", "schema_version", "solution", "task"}
MIN_GRADED = 3

_EXERCISE_ID = re.compile(r"\b(?:Diagram)?Exercise\(\s*[\"']([^\"']+)[\"']")
_PASSED = re.compile(r"check\.passed\(\s*[\"']([^\"']+)[\"']\s*(?:,\s*hidden\s*=\s*(True|False))?")


def _read(path: Path) -> Any:
    if path.suffix == ".py":
        return course.read_source(path)
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
    names = [p.name for p in LEARNER]
    assert [p.stem for p in LEARNER] == [p.stem for p in CHAPTERS], "chapters/ and course/ differ"
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


@pytest.mark.parametrize("path", LEARNER, ids=_ids(LEARNER))
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


@pytest.mark.parametrize("path", CHAPTERS, ids=_ids(CHAPTERS))
def test_learner_copy_holds_no_answer_key(path: Path) -> None:
    """No solution, hidden test or reference answer in what the learner is given."""
    learner = _read(ROOT / "chapters" / f"{path.stem}.ipynb")
    text = "\n".join(c.source for c in learner.cells)
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
        assert marker not in text, f"{path.stem}: the learner copy contains {marker!r}"
    code = "\n".join(c.source for c in learner.cells if c.cell_type == "code")
    source = _read(path)
    for _, cell in _solutions(source):
        region = re.search(
            r"# BEGIN SOLUTION[^\n]*\n(.*?)\n[ \t]*# END SOLUTION", cell.source, re.S
        )
        assert region is not None
        answer = region.group(1).strip()
        assert answer not in code, (
            f"{path.stem}: the learner copy contains the solution of "
            f"{_nbg(cell).get('grade_id')}: {answer[:80]!r}"
        )
    for _, cell in _graded(source):
        hidden = re.findall(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", cell.source, re.S)
        for block in hidden:
            assert block.strip() not in code, f"{path.stem}: a hidden test is in the learner copy"
    # Draw-to-answer exercises check a value; their reference diagram is never given.
    assert not re.search(r"\banswer\s*=\s*(?!same_value\()", code), (
        f"{path.stem}: a drawing exercise's reference answer is in the learner copy"
    )
    for cell in learner.cells:
        if cell.cell_type == "code" and (_nbg(cell).get("grade") or _nbg(cell).get("solution")):
            assert "raises-exception" in cell.metadata.get("tags", []), (
                f"{path.stem}: exercise cell {cell.get('id')} is not tagged raises-exception"
            )
