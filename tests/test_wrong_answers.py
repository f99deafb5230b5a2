"""Wrong answers fail the visible checks with a message naming the mistake; right ones pass.

The cases live next to the tests as data (``tests/exercise_cases/chNN_name.py``); the
runner is ``tests/wrong_answers.py`` (one kernel per chapter).
"""

from __future__ import annotations

import pytest
from wrong_answers import case_files, chapter_source, load_cases, run_chapter

FILES = case_files()


def test_case_files_exist():
    assert FILES, "no case files tests/exercise_cases/chNN_*.py"


@pytest.mark.parametrize("case_file", FILES, ids=[p.stem for p in FILES])
def test_wrong_answers_fail_and_right_answers_pass(case_file):
    report = run_chapter(chapter_source(case_file), load_cases(case_file))
    problems = report.all_problems()
    assert not problems, report.table()
    assert report.exercises and report.count("wrong") >= 2 * len(report.exercises)


def test_the_runner_reports_weak_checks_broken_cases_and_rejected_right_answers(tmp_path):
    """The harness itself can fail: a toy chapter whose visible check is too weak."""
    from nbformat import v4

    def meta(**kw):
        base = {"schema_version": 3, "solution": False, "grade": False, "locked": False}
        return {"nbgrader": {**base, **kw}}

    nb = v4.new_notebook(
        cells=[
            v4.new_code_cell("import numpy as np\nfrom tensorlessons.exercises import check"),
            v4.new_code_cell("x = np.arange(3.0)"),
            v4.new_code_cell(
                "# BEGIN SOLUTION\ny = 2 * x\n# END SOLUTION",
                metadata=meta(solution=True, grade_id="99-double-code"),
            ),
            v4.new_code_cell(
                'check.shape(y, (3,), name="y")\n### BEGIN HIDDEN TESTS\n'
                'check.array(y, 2 * np.arange(3.0), name="y")\n### END HIDDEN TESTS\n'
                'check.passed("99-double", hidden=True)',
                metadata=meta(grade=True, locked=True, points=1, grade_id="99-double"),
            ),
        ]
    )
    path = tmp_path / "99_toy.ipynb"
    path.write_text(__import__("nbformat").writes(nb))
    cases = {
        "99-double": {
            "wrong": [
                ("right shape, wrong values", "y = np.zeros(3)", r"y"),
                ("wrong shape", "y = np.zeros(4)", r"shape \(4,\)"),
                ("the message is not the one expected", "y = np.zeros(5)", r"transposed"),
                ("x rebound", "x = np.zeros(3); y = 2 * x", r"y"),
                ("x changed in place", "x[:] = 0; y = 2 * x", r"y"),
            ],
            "right": [("x + x", "y = x + x"), ("wrong, called right", "y = 3 * x")],
        }
    }
    report = run_chapter(path, cases)
    problems = "\n".join(report.all_problems())
    assert "'right shape, wrong values': the visible checks accept this wrong answer" in problems
    assert "'the message is not the one expected': the message does not match" in problems
    assert "'wrong, called right': a correct answer fails" in problems
    assert "'wrong shape'" not in problems and "'x + x'" not in problems
    assert report.count("solution") == 1 and not report.problems
    # the namespace is restored after each case (x rebound, x changed in place): the real
    # solution then runs on the real x, and the whole graded cell passes
    assert [o.run.status for o in report.outcomes if o.kind == "solution"] == ["ok"]
