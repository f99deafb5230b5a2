"""The chapter sources course/NN_*.py and what ``tensorlessons build`` makes of them.

The sources are jupytext percent-format files; these tests check that the format keeps
everything a chapter is (cell sources, cell metadata, the stable cell ids that grading
relies on), that the committed notebooks are what the build writes from the sources, and
that a linter sees the chapter code.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tensorlessons import cli, course

ROOT = Path(__file__).resolve().parent.parent
SOURCES = course.source_paths(ROOT)
IDS = [p.stem for p in SOURCES]


def _cells(nb: nbformat.NotebookNode) -> list[tuple[str, str, str, dict]]:
    return [(c.id, c.cell_type, c.source, dict(c.metadata)) for c in nb.cells]


def test_there_is_one_source_per_chapter() -> None:
    assert [p.stem for p in SOURCES][:2] == ["00_start", "01_tensors"], SOURCES
    numbers = [p.name[:2] for p in SOURCES]
    assert len(set(numbers)) == len(numbers), f"two sources share a number: {IDS}"
    built = sorted(p.stem for p in (ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))
    assert built == IDS, "chapters/ and course/ do not hold the same chapters"


@pytest.mark.parametrize("src", SOURCES, ids=IDS)
def test_every_cell_has_a_stable_unique_id_in_the_source(src: Path) -> None:
    text = src.read_text(encoding="utf-8")
    markers = [line for line in text.splitlines() if line.startswith("# %%")]
    without = [m for m in markers if not re.search(r'\bid="[^"]+"', m)]
    assert not without, f"{src.name}: cells without an id: {without[:3]}"
    nb = course.reads(text)
    ids = [c.id for c in nb.cells]
    assert len(ids) == len(markers) == len(set(ids)), f"{src.name}: duplicate cell ids"
    nbformat.validate(nb)


@pytest.mark.parametrize("src", SOURCES, ids=IDS)
def test_source_round_trip_is_lossless(src: Path) -> None:
    """source -> notebook -> source -> notebook keeps every cell's id, type, source, metadata."""
    nb = course.read_source(src)
    again = course.reads(course.writes(nb))
    assert _cells(again) == _cells(nb)
    assert again.metadata == nb.metadata


@pytest.mark.parametrize("src", SOURCES, ids=IDS)
def test_committed_notebook_round_trips_through_the_text_format(src: Path) -> None:
    """The committed notebook, written as a source and read back, is the same notebook."""
    path = ROOT / "chapters" / f"{src.stem}.ipynb"
    nb = nbformat.read(path, as_version=4)
    again = course.reads(course.writes(nb))
    assert _cells(again) == _cells(nb)
    assert nbformat.writes(again) == nbformat.writes(nb)


def test_committed_chapters_are_up_to_date(capsys: pytest.CaptureFixture[str]) -> None:
    status = cli.main(["build", str(ROOT), "--check"])
    out = capsys.readouterr()
    assert status == 0, (
        "chapters/ is stale: run 'tensorlessons build' and commit\n" + out.out + out.err
    )


def test_build_writes_notebooks_and_gives_new_cells_ids(tmp_path: Path) -> None:
    (tmp_path / "course").mkdir()
    src = tmp_path / "course" / "00_start.py"
    shutil.copy(SOURCES[0], src)
    text = src.read_text(encoding="utf-8")
    first = re.search(r'^# %% \[markdown\] id="([^"]+)"$', text, re.M)
    assert first is not None
    # An instructor adds a cell in an editor: it has no id yet.
    text = text.replace(first.group(0), "# %%\nnew_cell = 1\n\n" + first.group(0), 1)
    src.write_text(text, encoding="utf-8")

    assert cli.main(["build", str(tmp_path), "--check"]) == 1  # nothing built yet
    assert not (tmp_path / "chapters").exists(), "--check wrote files"
    assert cli.main(["build", str(tmp_path)]) == 0
    nb = nbformat.read(tmp_path / "chapters" / "00_start.ipynb", as_version=4)
    before = course.read_source(SOURCES[0])
    highest = max(int(c.id.split("-")[-1]) for c in before.cells)
    assert nb.cells[0].source == "new_cell = 1"
    assert nb.cells[0].id == f"00-{highest + 1:03d}"
    assert [c.id for c in nb.cells[1:]] == [c.id for c in before.cells]
    assert f'id="00-{highest + 1:03d}"' in src.read_text(encoding="utf-8")  # kept from now on
    assert cli.main(["build", str(tmp_path), "--check"]) == 0


def test_build_without_sources_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["build", str(tmp_path)]) == 1
    assert "no chapter sources course/NN_*.py" in capsys.readouterr().err


def test_ruff_lints_the_chapter_sources() -> None:
    """The chapter code is not hidden in strings or excluded: ruff checks every source."""
    out = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--show-files", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    listed = {Path(line.strip()).name for line in out.stdout.splitlines()}
    missing = [p.name for p in SOURCES if p.name not in listed]
    assert not missing, f"ruff does not see {missing}\n{out.stdout[-2000:]}{out.stderr}"


def test_course_folder_takes_updates_but_never_overwrites_the_learners_work(tmp_path: Path) -> None:
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    for p in course.learner_notebooks()[:2]:
        shutil.copy(p, shipped / p.name)
    first, second = sorted(shipped.iterdir())
    mine = tmp_path / "my-course"
    assert cli.main(["course", str(mine), "--copy-only"]) == 0  # the package's own copy
    assert sorted(p.name for p in mine.glob("*.ipynb")) == [
        p.name for p in course.learner_notebooks()
    ]
    mine = tmp_path / "mine"
    assert course.copy_course(mine, [first, second], log=None) == [
        f"copied {first.name}",
        f"copied {second.name}",
    ]
    drawing = mine / "tensorlessons_answers" / "00-dot-draw.json"
    drawing.parent.mkdir()
    drawing.write_text("my drawing")
    (mine / second.name).write_text("my work")
    assert course.copy_course(mine, [first, second], log=None) == []  # nothing new
    first.write_text(first.read_text() + " ")  # a new version of the course
    second.write_text(second.read_text() + " ")
    done = course.copy_course(mine, [first, second], log=None)
    assert done == [
        f"updated {first.name}",
        f"kept your {second.name}; the new version is {second.stem} (new version).ipynb",
    ]
    assert (mine / first.name).read_text() == first.read_text()
    assert (mine / second.name).read_text() == "my work"
    assert drawing.read_text() == "my drawing"


def test_worked_solutions_are_labelled_and_can_be_switched_off(monkeypatch) -> None:
    assert course.solution("00-contract").startswith("Try exercise 00-contract first")
    shown = course.solution("00-contract", anyway=True)
    assert "Worked solution of exercise 00-contract" in repr(shown)
    assert "Worked solution" in shown._repr_html_()
    monkeypatch.setenv("TENSORLESSONS_SOLUTIONS", "off")
    with pytest.raises(ValueError, match="switched off"):
        course.solution("00-contract", anyway=True)


def test_release_reads_the_chapter_sources_and_hands_out_no_solution(tmp_path: Path) -> None:
    sources = tmp_path / "course"  # a folder of chapter sources, as course/ (two of them)
    sources.mkdir()
    for p in SOURCES[:2]:
        shutil.copy(p, sources / p.name)
    shutil.copy(ROOT / "course" / "ruff.toml", sources / "ruff.toml")
    out = tmp_path / "release"
    assert cli.main(["release", str(sources), str(out), "--no-check", "--jobs", "1"]) == 0
    student = sorted(p.name for p in (out / "student").iterdir())
    assert student == [f"{p.stem}.ipynb" for p in SOURCES[:2]]  # notebooks only: no sources
    for p in SOURCES[:2]:
        text = (out / "student" / f"{p.stem}.ipynb").read_text(encoding="utf-8")
        assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text
        key = (out / "autograder" / f"{p.stem}.ipynb").read_text(encoding="utf-8")
        assert "BEGIN SOLUTION" not in key
        assert ("BEGIN HIDDEN TESTS" in key) == ("BEGIN HIDDEN TESTS" in p.read_text())
