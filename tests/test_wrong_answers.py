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
