"""The ``tensorlessons`` console script (release, grade): arguments, exit codes, messages."""

from __future__ import annotations

import copy
import csv
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from test_grading import answered, make_source

from tensorlessons.cli import main
from tensorlessons.grading import read_notebook


def test_no_command_prints_help(capsys):
    assert main([]) == 2
    assert "release" in capsys.readouterr().err


def test_version(capsys):
    import tensorlessons

    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"tensorlessons {tensorlessons.__version__}"


def test_grade_requires_out(capsys):
    with pytest.raises(SystemExit) as info:
        main(["grade", "a", "b"])
    assert info.value.code == 2
    assert "--out" in capsys.readouterr().err


def test_release_and_empty_submissions(tmp_path, capsys):
    src = make_source(tmp_path / "src" / "t.ipynb")
    assert main(["release", str(src.parent), str(tmp_path / "out"), "--no-check"]) == 0
    out = capsys.readouterr().out
    assert "released 1 notebook(s): t.ipynb" in out and "student/" in out
    assert (tmp_path / "out" / "student" / "t.ipynb").exists()
    (tmp_path / "subs").mkdir()
    assert main(["grade", str(tmp_path / "out"), str(tmp_path / "subs"), "--out", "r"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("tensorlessons grade: grade: no submissions in")
    assert "SUBMISSIONS/<learner>/<notebook>.ipynb" in err


def test_release_of_nothing_is_an_error(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["release", str(tmp_path / "empty"), str(tmp_path / "out")]) == 1
    assert "no notebooks" in capsys.readouterr().err


def test_release_refusal_names_the_cell(tmp_path, capsys):
    path = make_source(tmp_path / "src" / "t.ipynb")
    nb = read_notebook(path)
    nb.cells[5].source = 'check.passed("t-shape")'  # tests nothing
    nbformat.write(nb, str(path))
    assert main(["release", str(path), str(tmp_path / "out"), "--cell-timeout", "30"]) == 1
    err = capsys.readouterr().err
    assert "graded cell 't-shape' (cell 5) still passes with its solution removed" in err


def test_console_script_grades_end_to_end(tmp_path):
    exe = Path(sys.executable).with_name("tensorlessons")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "tensorlessons.cli"]
    src = make_source(tmp_path / "src" / "t.ipynb")
    run = subprocess.run(
        [*cmd, "release", str(src.parent), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    student = read_notebook(tmp_path / "out" / "student" / "t.ipynb")
    subs = tmp_path / "subs"
    good = answered(
        student,
        t_double_code="def double(x):\n    return x * 2",
        t_shape_code="M = np.zeros((2, 3))",
    )
    for name, nb in {"amy": good, "ben": copy.deepcopy(student)}.items():
        (subs / name).mkdir(parents=True)
        nbformat.write(nb, str(subs / name / "t.ipynb"))
    shutil.copytree(subs, tmp_path / "pristine")
    run = subprocess.run(
        [*cmd, "grade", str(tmp_path / "out"), str(subs), "--out", str(tmp_path / "res")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert "amy/t.ipynb: 3/6 (graded)" in run.stdout
    assert "ben/t.ipynb: 0/6 (graded)" in run.stdout
    rows = list(csv.DictReader(open(tmp_path / "res" / "scores.csv")))
    assert [(r["learner"], r["score"]) for r in rows] == [("amy", "3"), ("ben", "0")]
    assert (tmp_path / "res" / "feedback" / "amy.md").exists()
    for p in (tmp_path / "pristine").rglob("*.ipynb"):
        assert p.read_bytes() == (subs / p.relative_to(tmp_path / "pristine")).read_bytes()
