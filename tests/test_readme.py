"""The README's commands, run exactly as written.

- The two commands of a fresh machine: ``bash scripts/course.sh`` is run on a fresh clone by
  ``tests/test_course_sh.py``; ``bash scripts/test.sh`` is what CI (``.ci/run``) runs.
- The instructor's two commands (``tensorlessons release …`` and ``tensorlessons grade …``)
  run here, line by line as the README prints them, in a fresh clone of the repository,
  on a class of two learners: one who solved chapter 00 and one who handed in the
  learner copy untouched. The test checks what the instructor then sees: the release's
  folders, ``scores.csv`` with both learners, full marks for the one and none for the other,
  and a feedback file per learner.
- The Python example runs and gives what its comments say.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
BIN = Path(sys.executable).parent


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


def _commands(block: str) -> list[str]:
    """The command lines of a shell block, without their trailing comments."""
    lines = [re.sub(r"\s+#.*$", "", line).strip() for line in block.splitlines()]
    return [line for line in lines if line]


def test_the_two_commands_are_the_ones_ci_and_the_course_test_run() -> None:
    first = _commands(_blocks("bash")[0])
    assert first == ["bash scripts/course.sh", "bash scripts/test.sh"]
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text()
    assert '"bash scripts/course.sh"' in (ROOT / "tests" / "test_course_sh.py").read_text() or (
        "bash scripts/course.sh" in (ROOT / "tests" / "test_course_sh.py").read_text()
    )


def test_python_example_runs_as_its_comments_say() -> None:
    (code,) = [b for b in _blocks("python") if "tl.Diagram.from_einsum" in b][:1]
    before, after = code.split('d.cut("A:j", "B:j")')
    ns: dict = {}
    exec(compile(before, "README.md", "exec"), ns)
    d, A, B = ns["d"], ns["A"], ns["B"]
    np.testing.assert_allclose(d.contract(), A @ B)  # "the numbers: A @ B"
    assert d.to_einsum() == "ij,jk->ik"
    assert d.cost().flops == 2 * A.shape[0] * A.shape[1] * B.shape[1]
    exec(compile('d.cut("A:j", "B:j")' + after, "README.md", "exec"), ns)
    # "the result is now an outer product": legs i, k, then the freed A:j and B:j
    assert d.wires() == []
    np.testing.assert_allclose(d.contract(), np.einsum("ij,lk->ikjl", A, B))


def _instructor_block() -> str:
    (block,) = [b for b in _blocks("bash") if "tensorlessons grade" in b]
    return block


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: cannot make a fresh clone")
    dest = tmp_path_factory.mktemp("readme") / "tensorlessons"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(dest)], check=True)
    return dest


def test_instructor_commands_as_written(clone: Path) -> None:
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    env.pop("TENSORLESSONS_ANSWERS", None)
    release_line, grade_line = _commands(_instructor_block())
    assert release_line.startswith("tensorlessons release ")
    assert grade_line.startswith("tensorlessons grade ")

    run = subprocess.run(
        release_line, shell=True, cwd=clone, env=env, capture_output=True, text=True, timeout=1800
    )
    assert run.returncode == 0, run.stdout + run.stderr
    released = clone / release_line.split()[3]
    student = released / "student" / "00_start.ipynb"
    assert student.exists() and (released / "autograder" / "00_start.ipynb").exists()
    assert "BEGIN SOLUTION" not in student.read_text(encoding="utf-8")

    # Two learners hand in chapter 00: amy solved it (the worked solutions), ben did nothing.
    build = subprocess.run(
        [str(BIN / "tensorlessons"), "build", "--instructor", str(clone / "solved")],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    subs = clone / grade_line.split()[3]
    (subs / "amy").mkdir(parents=True)
    (subs / "ben").mkdir()
    shutil.copy(clone / "solved" / "00_start.ipynb", subs / "amy" / "00_start.ipynb")
    shutil.copy(student, subs / "ben" / "00_start.ipynb")

    run = subprocess.run(
        grade_line, shell=True, cwd=clone, env=env, capture_output=True, text=True, timeout=1800
    )
    assert run.returncode == 0, run.stdout + run.stderr
    out = clone / grade_line.split("--out", 1)[1].split()[0]
    rows = list(csv.DictReader(open(out / "scores.csv", encoding="utf-8")))
    assert {r["learner"] for r in rows} == {"amy", "ben"}, rows
    by_learner = {r["learner"]: r for r in rows if r["notebook"] == "00_start.ipynb"}
    amy, ben = by_learner["amy"], by_learner["ben"]
    assert float(amy["score"]) == float(amy["max_score"]) > 0, amy
    assert float(ben["score"]) == 0, ben
    assert (out / "feedback" / "amy.md").exists() and (out / "feedback" / "ben.md").exists()
