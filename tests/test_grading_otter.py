"""``tensorlessons export-otter``: the release as otter-grader's Gradescope autograder zip,
graded with otter's own runner (``otter run``: no container; Gradescope runs the same
``run_autograder`` in one container per submission).

An honest learner (answers in code, and the drawing handed in as a zip with its
``tensorlessons_answers/`` folder, as Gradescope accepts) gets full marks; a wrong one
does not. otter-grader comes from the ``otter`` extra, installed on first use into an
overlay environment ``<sys.prefix>/otter`` (it pins its own Jupyter packages).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import numpy as np
import pytest
from _overlay import overlay_tool
from test_grading import answered, make_source

from tensorlessons import Diagram
from tensorlessons import grading as g

ROOT = Path(__file__).resolve().parent.parent
OVERLAY = Path(os.environ.get("TENSORLESSONS_OTTER_ENV") or Path(sys.prefix) / "otter")


def _requirement() -> str:
    match = re.search(r'^otter = \["([^"]+)"\]', (ROOT / "pyproject.toml").read_text(), re.M)
    return match.group(1) if match else "otter-grader"


@pytest.fixture(scope="module")
def otter(tmp_path_factory):
    exe, env = overlay_tool("otter", _requirement(), OVERLAY)
    python = str(Path(exe).with_name("python"))
    root = tmp_path_factory.mktemp("otter")
    src = make_source(root / "src" / "t.ipynb")
    (root / "src" / "data.txt").write_text("3")
    g.release(src.parent, root / "release", check=False)
    zip_path = root / "autograder.zip"
    run = subprocess.run(
        [python, "-m", "tensorlessons.cli", "export-otter", str(root / "release"), "t.ipynb"]
        + ["--out", str(zip_path)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    student = g.read_notebook(root / "release" / "student" / "t.ipynb")
    honest = answered(
        student,
        t_double_code="def double(x):\n    return 2 * x",
        t_shape_code="M = np.ones((2, 3))",
    )  # the drawing is in the answers file
    nbformat.write(honest, str(root / "t.ipynb"))
    drawn = Diagram.from_einsum("ij,jk->ik", np.ones((2, 3)), np.ones((3, 4)), names=["A", "B"])
    with zipfile.ZipFile(root / "honest.zip", "w") as z:
        z.write(root / "t.ipynb", "t.ipynb")
        z.writestr(f"{g.ANSWERS_DIR}/t-draw.json", drawn.to_json())
    wrong = answered(student, t_double_code="def double(x):\n    return x")
    nbformat.write(wrong, str(root / "wrong.ipynb"))

    def grade(submission: Path) -> dict:
        out = root / f"out-{submission.stem}"
        out.mkdir()
        run = subprocess.run(
            [exe, "run", "-a", str(zip_path), "-o", str(out), "--no-logo", str(submission)],
            capture_output=True,
            text=True,
            env=env,
            timeout=600,
        )
        assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
        tests = json.loads((out / "results.json").read_text())["tests"]
        return {t["name"]: t for t in tests if "max_score" in t}

    return {
        "zip": zip_path,
        "honest": grade(root / "honest.zip"),
        "wrong": grade(root / "wrong.ipynb"),
    }


def test_the_zip_is_otters_autograder_format(otter):
    names = set(zipfile.ZipFile(otter["zip"]).namelist())
    assert {"run_autograder", "setup.sh", "otter_config.json", "environment.yml"} <= names
    assert {"tests/t_double.py", "tests/t_shape.py", "tests/t_draw.py"} <= names
    assert "files/data.txt" in names
    env = zipfile.ZipFile(otter["zip"]).read("environment.yml").decode()
    assert "tensorlessons==" in env
    for name in names:
        assert "return 2 * x" not in zipfile.ZipFile(otter["zip"]).read(name).decode()


def test_an_honest_submission_gets_full_marks_under_otter_run(otter):
    got = {k: (t["score"], t["max_score"]) for k, t in otter["honest"].items()}
    assert got == {"t_double": (2, 2), "t_shape": (1, 1), "t_draw": (3, 3)}


def test_a_wrong_submission_does_not(otter):
    t = otter["wrong"]
    assert t["t_double"]["score"] == 0 and "double(np.arange(3))" in t["t_double"]["output"]
    assert t["t_shape"]["score"] == 0 and t["t_draw"]["score"] == 0
    assert all(x["visibility"] == "hidden" for x in t.values())  # hidden until published
