"""The chapters work with nbgrader itself: generate_assignment, validate --invert, autograde.

Every chapter in ``chapters/`` goes into one nbgrader assignment (three nbgrader runs in
all, to keep CI short):

1. ``nbgrader generate_assignment`` accepts the cells' metadata and makes exactly the
   student version that ``tensorlessons release`` makes (same cell sources);
2. ``nbgrader validate --invert`` on that release: no graded cell passes without answers;
3. the solution version, submitted and autograded, scores full marks under nbgrader (no
   stderr in graded cells, no failing test), checked through ``nbgrader export``.

nbgrader comes from the ``nbgrader`` extra. When it is not installed in this interpreter,
the test installs it (and only it: its other requirements are shared with this
environment) into an overlay environment ``<sys.prefix>/nbgrader`` once, so nbgrader's
Jupyter server extensions stay out of the JupyterLab the browser tests use.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from _overlay import overlay_tool

from tensorlessons import course as course_sources
from tensorlessons import grading as g

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = course_sources.source_paths(ROOT)  # the solution-bearing sources: nbgrader's source
OVERLAY = Path(os.environ.get("TENSORLESSONS_NBGRADER_ENV") or Path(sys.prefix) / "nbgrader")


def _name(source: Path) -> str:
    return f"{source.stem}.ipynb"


def _requirement() -> str:
    """The ``nbgrader`` extra's requirement, as pyproject.toml pins it."""
    match = re.search(r'^nbgrader = \["([^"]+)"\]', (ROOT / "pyproject.toml").read_text(), re.M)
    return match.group(1) if match else "nbgrader"


def _nbgrader() -> tuple[str, dict[str, str]]:
    """The nbgrader executable and the environment to run it in."""
    return overlay_tool("nbgrader", _requirement(), OVERLAY)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    if not CHAPTERS:
        pytest.fail("no course/NN_*.py found")
    exe, env = _nbgrader()
    root = tmp_path_factory.mktemp("course")
    (root / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(root)!r}\n"
        f"c.CourseDirectory.db_url = 'sqlite:///{root / 'gradebook.db'}'\n"
        "c.Execute.timeout = 600\n"
    )
    source = root / "source" / "course"
    source.mkdir(parents=True)
    g._prepare_workdir(ROOT / "chapters", source)
    for p in CHAPTERS:
        (source / _name(p)).write_text(course_sources.notebook_text(course_sources.read_source(p)))

    def nbgrader(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [exe, *args], cwd=root, env=env, capture_output=True, text=True, timeout=1500
        )

    return root, nbgrader


def test_generate_assignment_matches_tensorlessons_release(course):
    root, nbgrader = course
    run = nbgrader("generate_assignment", "course", "--force")
    assert run.returncode == 0, run.stdout + run.stderr
    for p in CHAPTERS:
        theirs = g.read_notebook(root / "release" / "course" / _name(p))
        ours = g.student_version(g.read_notebook(root / "source" / "course" / _name(p)))
        assert [c.source for c in theirs.cells] == [c.source for c in ours.cells], _name(p)
        assert [c.cell_type for c in theirs.cells] == [c.cell_type for c in ours.cells]


def test_validate_invert_no_graded_cell_passes_unanswered(course):
    root, nbgrader = course
    released = [str(root / "release" / "course" / _name(p)) for p in CHAPTERS]
    assert all(Path(p).exists() for p in released), "generate_assignment must run first"
    run = nbgrader("validate", "--invert", *released)
    out = run.stdout + run.stderr
    assert run.returncode == 0, out
    assert out.count("Success! The notebook does not pass any tests.") == len(CHAPTERS), out


def test_autograde_scores_the_solutions_full_marks(course):
    root, nbgrader = course
    submitted = root / "submitted" / "learner" / "course"
    submitted.mkdir(parents=True)
    for p in CHAPTERS:
        shutil.copy2(root / "source" / "course" / _name(p), submitted / _name(p))
    run = nbgrader("autograde", "course", "--force")
    assert run.returncode == 0, run.stdout + run.stderr
    run = nbgrader("export", "--to", str(root / "grades.csv"))
    assert run.returncode == 0, run.stdout + run.stderr
    rows = list(csv.DictReader(open(root / "grades.csv")))
    assert [r["student_id"] for r in rows] == ["learner"]
    points = sum(
        g._points(c)
        for p in CHAPTERS
        for c in course_sources.read_source(p).cells
        if g.is_graded(c)
    )
    assert float(rows[0]["max_score"]) == points
    assert float(rows[0]["score"]) == points, _which_failed(root)


def _which_failed(root: Path) -> str:
    """Graded cells of the autograded notebooks with an error or stderr output."""
    bad = []
    for p in sorted((root / "autograded" / "learner" / "course").glob("*.ipynb")):
        nb = g.read_notebook(p)
        for cell in nb.cells:
            if g.is_graded(cell):
                for o in cell.get("outputs", []):
                    if o.get("output_type") == "error" or o.get("name") == "stderr":
                        bad.append(
                            f"{_name(p)}:{g._grade_id(cell)}: {o.get('evalue') or o.get('text')}"
                        )
    return "\n".join(bad)
