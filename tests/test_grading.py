"""The release and grade engine, on small synthetic notebooks made here.

One class of learners is graded once (module fixture) and each robustness case is a
learner: a correct one, an unanswered one, an infinite loop, an exception, edited and
deleted locked/graded cells, helper redefinitions, a malformed file, a drawn answer.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import json
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbformat import v4

from tensorlessons import Diagram
from tensorlessons import grading as g
from tensorlessons.grading import GradingError

# --------------------------------------------------------------------------------------
# A small course notebook in the exercise format
# --------------------------------------------------------------------------------------


def meta(**kw):
    d = {"solution": False, "grade": False, "locked": False, "schema_version": 3}
    d.update(kw)
    return {"nbgrader": d}


SETUP = (
    "import numpy as np\n"
    "import tensorlessons as tl\n"
    "from tensorlessons.exercises import check, CheckFailed"
)
DOUBLE_SOL = "def double(x):\n    # BEGIN SOLUTION\n    return 2 * x\n    # END SOLUTION"
DOUBLE_TEST = (
    "from tensorlessons.exercises import check\n"
    'check.array(double(np.arange(3)), [0, 2, 4], name="double(np.arange(3))")\n'
    "### BEGIN HIDDEN TESTS\n"
    'check.equal(double(5), 10, name="double(5)")\n'
    "### END HIDDEN TESTS\n"
    'check.passed("t-double", hidden=True)'
)
SHAPE_SOL = "# BEGIN SOLUTION\nM = np.ones((2, 3))\n# END SOLUTION"
SHAPE_TEST = 'check.shape(M, (2, 3), name="M")\ncheck.passed("t-shape")'
DRAW_SETUP = (
    "A, B = np.ones((2, 3)), np.ones((3, 4))\n"
    'ex = tl.DiagramExercise("t-draw", task="Join A and B.",\n'
    '    start=tl.Diagram.from_arrays({"A": A, "B": B}),\n'
    '    answer=tl.Diagram.from_einsum("ij,jk->ik", A, B, names=["A", "B"]))'
)
DRAW_SOL = (
    "# BEGIN SOLUTION\n"
    'ex.submit(tl.Diagram.from_einsum("ij,jk->ik", A, B, names=["A", "B"]))\n'
    "# END SOLUTION"
)
DRAW_TEST = 'ex.check()\ncheck.passed("t-draw")'
POINTS = {"t-double": 2, "t-shape": 1, "t-draw": 3}


def make_source(path: Path) -> Path:
    nb = v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [
        v4.new_markdown_cell("# A tiny chapter"),
        v4.new_code_cell(SETUP, metadata=meta(locked=True, grade_id="t-setup")),
        v4.new_code_cell(DOUBLE_SOL, metadata=meta(solution=True, grade_id="t-double-code")),
        v4.new_code_cell(
            DOUBLE_TEST, metadata=meta(grade=True, locked=True, points=2, grade_id="t-double")
        ),
        v4.new_code_cell(SHAPE_SOL, metadata=meta(solution=True, grade_id="t-shape-code")),
        v4.new_code_cell(
            SHAPE_TEST, metadata=meta(grade=True, locked=True, points=1, grade_id="t-shape")
        ),
        v4.new_code_cell(DRAW_SETUP, metadata=meta(locked=True, grade_id="t-draw-setup")),
        v4.new_code_cell(DRAW_SOL, metadata=meta(solution=True, grade_id="t-draw-code")),
        v4.new_code_cell(
            DRAW_TEST, metadata=meta(grade=True, locked=True, points=3, grade_id="t-draw")
        ),
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


def cell_of(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def answered(student, **sources):
    """A learner's notebook: the student version with some solution cells filled in."""
    nb = copy.deepcopy(student)
    for gid, src in sources.items():
        cell_of(nb, gid.replace("_", "-")).source = src
    return nb


# --------------------------------------------------------------------------------------
# Source transforms (no kernel)
# --------------------------------------------------------------------------------------


def test_replace_solutions_like_nbgrader():
    new, found = g.replace_solutions(
        "a = 1\n    ### BEGIN SOLUTION\n    b = 2\n    ### END SOLUTION\nc"
    )
    assert found
    assert new == "a = 1\n    # YOUR CODE HERE\n    raise NotImplementedError()\nc"
    assert g.replace_solutions("x = 1")[1] is False
    assert g.replace_solutions("# BEGIN SOLUTION\nsecret\n# END SOLUTION", "markdown")[0] == (
        "YOUR ANSWER HERE"
    )
    for bad in ("# BEGIN SOLUTION\nx", "# END SOLUTION", "# BEGIN SOLUTION\n# BEGIN SOLUTION"):
        with pytest.raises(GradingError):
            g.replace_solutions(bad)


def test_student_and_autograder_versions(tmp_path):
    src = g.read_notebook(make_source(tmp_path / "t.ipynb"))
    cell_of(src, "t-shape").outputs = [v4.new_output("stream", name="stdout", text="old")]
    cell_of(src, "t-shape").execution_count = 3
    student = g.student_version(src)
    key = g.autograder_version(src)
    for nb in (student, key):
        text = json.dumps(nb)
        assert "return 2 * x" not in text and "M = np.ones((2, 3))" not in text
        assert "ex.submit" not in text
        assert (
            cell_of(nb, "t-shape").outputs == [] and cell_of(nb, "t-shape").execution_count is None
        )
        assert cell_of(nb, "t-double-code").source.count("raise NotImplementedError()") == 1
    assert "double(5)" not in cell_of(student, "t-double").source
    assert "HIDDEN" not in cell_of(student, "t-double").source
    assert "double(5)" in cell_of(key, "t-double").source
    # metadata is kept as nbgrader wrote it
    assert cell_of(student, "t-double").metadata == cell_of(src, "t-double").metadata
    # a solution cell without markers is replaced whole, as nbgrader does
    cell_of(src, "t-shape-code").source = "M = np.ones((2, 3))"
    assert cell_of(g.student_version(src), "t-shape-code").source == g.CODE_STUB


def test_metadata_errors_name_the_cell(tmp_path):
    src = g.read_notebook(make_source(tmp_path / "t.ipynb"))
    dup = copy.deepcopy(src)
    cell_of(dup, "t-shape").metadata["nbgrader"]["grade_id"] = "t-double"
    with pytest.raises(GradingError, match="'t-double' is used by cells 3 and 5"):
        g.student_version(dup)
    nopoints = copy.deepcopy(src)
    del cell_of(nopoints, "t-shape").metadata["nbgrader"]["points"]
    with pytest.raises(GradingError, match="'t-shape'.*no 'points'"):
        g.student_version(nopoints)


def test_assemble_restores_and_reports(tmp_path):
    src = g.read_notebook(make_source(tmp_path / "t.ipynb"))
    key = g.autograder_version(src)
    student = g.student_version(src)
    # untouched: nothing to report, hidden tests back in
    nb, problems = g.assemble(key, student)
    assert problems == []
    assert "double(5)" in cell_of(nb, "t-double").source
    # edited graded cell, deleted locked cell, a duplicated graded cell, a learner's cell
    sub = copy.deepcopy(student)
    cell_of(sub, "t-double").source = "pass"
    sub.cells = [
        c for c in sub.cells if c.metadata.get("nbgrader", {}).get("grade_id") != "t-setup"
    ]
    sub.cells.append(copy.deepcopy(cell_of(sub, "t-shape")))
    sub.cells.insert(2, v4.new_code_cell("scratch = 1"))
    nb, problems = g.assemble(key, sub)
    text = "\n".join(problems)
    assert "graded cell 't-double' was edited" in text
    assert "locked cell 't-setup' was deleted" in text
    assert "'t-shape' appears more than once" in text
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]
    assert ids.count("t-shape") == 1 and ids.index("t-setup") < ids.index("t-double-code")
    assert cell_of(nb, "t-double").source == cell_of(key, "t-double").source
    assert any(c.source == "scratch = 1" for c in nb.cells)


# --------------------------------------------------------------------------------------
# Release (runs kernels)
# --------------------------------------------------------------------------------------


def test_release_writes_student_and_autograder(tmp_path):
    src = make_source(tmp_path / "src" / "t.ipynb")
    (tmp_path / "src" / "tensorlessons_answers").mkdir()
    # an author's saved drawing next to the source must not make the check vacuous
    (tmp_path / "src" / "tensorlessons_answers" / "t-draw.json").write_text(
        Diagram.from_einsum(
            "ij,jk->ik", np.ones((2, 3)), np.ones((3, 4)), names=["A", "B"]
        ).to_json()
    )
    (tmp_path / "src" / "data.txt").write_text("3")
    names = g.release(src.parent, tmp_path / "out")
    assert names == ["t.ipynb"]
    for sub in ("student", "autograder"):
        assert (tmp_path / "out" / sub / "data.txt").read_text() == "3"
        assert not (tmp_path / "out" / sub / "tensorlessons_answers").exists()
    student = g.read_notebook(tmp_path / "out" / "student" / "t.ipynb")
    key = g.read_notebook(tmp_path / "out" / "autograder" / "t.ipynb")
    assert "double(5)" not in json.dumps(student) and "double(5)" in json.dumps(key)
    assert "return 2 * x" not in json.dumps(key)


def test_release_refuses_a_vacuous_graded_cell(tmp_path):
    path = make_source(tmp_path / "src" / "t.ipynb")
    nb = g.read_notebook(path)
    cell_of(nb, "t-shape").source = 'check.true(True, "always")\ncheck.passed("t-shape")'
    nbformat.write(nb, str(path))
    with pytest.raises(GradingError, match=r"graded cell 't-shape' \(cell 5\) still passes"):
        g.release(path, tmp_path / "out")
    assert not (tmp_path / "out" / "student" / "t.ipynb").exists()
    # --no-check releases it anyway
    assert g.release(path, tmp_path / "out", check=False) == ["t.ipynb"]


def test_vacuous_cells_sees_only_graded_cells_that_pass(tmp_path):
    nb = g.read_notebook(make_source(tmp_path / "t.ipynb"))
    assert g.vacuous_cells(nb) == []


# --------------------------------------------------------------------------------------
# Grading a class (one run, many robustness cases)
# --------------------------------------------------------------------------------------

LOOP = "def double(x):\n    while True:\n        pass"
STUBBORN = (
    "import time\n"
    "def double(x):\n"
    "    return 2 * x\n"
    "while True:\n"
    "    try:\n"
    "        time.sleep(0.2)\n"
    "    except BaseException:\n"
    "        pass"
)
CHEATS = (
    "def double(x):\n"
    "    return 0\n"
    "M = None\n"
    "import tensorlessons.exercises as tle\n"
    "tle.check.array = lambda *a, **k: None\n"
    "tle.check.shape = lambda *a, **k: None\n"
    "tle.check.equal = lambda *a, **k: None\n"
    "type(tle.check).passed = lambda *a, **k: None\n"
    "tle.DiagramExercise.check = lambda self: None\n"
    "class check:\n"
    "    array = shape = equal = passed = staticmethod(lambda *a, **k: None)\n"
    "get_ipython().input_transformers_cleanup.append(lambda lines: ['pass\\n'])"
)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    src = make_source(root / "src" / "t.ipynb")
    g.release(src, root / "out", check=False)
    student = g.read_notebook(root / "out" / "student" / "t.ipynb")
    subs = root / "subs"
    right = {
        "t_double_code": "def double(x):\n    return 2 * x",
        "t_shape_code": "M = np.ones((2, 3))",
        "t_draw_code": 'ex.submit(tl.Diagram.from_einsum("ij,jk->ik", A, B, names=["A", "B"]))',
    }
    learners = {
        "ada": answered(student, **right),
        "bob": student,
        "cy_loop": answered(student, t_double_code=LOOP, t_shape_code=right["t_shape_code"]),
        "di_error": answered(student, t_double_code="def double(x):\n    return x.nope"),
        "ed_hidden": answered(student, t_double_code="def double(x):\n    return x + x * (x < 4)"),
        "fay_edits": answered(student, **right),
        "gus_deletes": answered(student, **right),
        "hal_cheats": answered(student, t_double_code=CHEATS),
        "ivy_draws": student,
        "jo_stderr": answered(
            student,
            t_double_code="import sys\ndef double(x):\n    sys.stderr.write('!')\n    return 2 * x",
        ),
        "kim_stubborn": answered(student, t_double_code=STUBBORN),
        "pat_exits": answered(
            student, t_double_code="import os\nos._exit(1)", t_shape_code=right["t_shape_code"]
        ),
        "quinn_empty": copy.deepcopy(student),
    }
    learners["quinn_empty"].cells = []
    cell_of(learners["fay_edits"], "t-double").source = "check.passed('t-double')"
    cell_of(learners["fay_edits"], "t-shape").source = "M = np.ones((2, 3))"
    learners["gus_deletes"].cells = [
        c
        for c in learners["gus_deletes"].cells
        if c.metadata.get("nbgrader", {}).get("grade_id") not in ("t-shape", "t-setup")
    ]
    for name, nb in learners.items():
        (subs / name).mkdir(parents=True)
        nbformat.write(nb, str(subs / name / "t.ipynb"))
    # nbgrader's layout: submitted/<learner>/<assignment>/<notebook>.ipynb
    (subs / "nia_nested" / "week1").mkdir(parents=True)
    nbformat.write(answered(student, **right), str(subs / "nia_nested" / "week1" / "t.ipynb"))
    # ivy drew the answer in the widget: only the answers file holds it
    answers = subs / "ivy_draws" / "tensorlessons_answers"
    answers.mkdir()
    drawn = Diagram.from_einsum("jk,ij->ik", np.ones((3, 4)), np.ones((2, 3)), names=["B", "A"])
    (answers / "t-draw.json").write_text(drawn.to_json())
    # a malformed notebook, and a stray file
    (subs / "lee_broken").mkdir()
    (subs / "lee_broken" / "t.ipynb").write_text('{"cells": [')
    (subs / "ada" / "notes.ipynb").write_text("{}")
    (subs / "mo_missing").mkdir()
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in subs.rglob("*") if p.is_file()}
    lines: list[str] = []
    results = g.grade(
        root / "out",
        subs,
        root / "results",
        cell_timeout=8,
        notebook_timeout=20,
        jobs=2,
        log=lines.append,
    )
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in subs.rglob("*") if p.is_file()}
    return {
        "results": {r.learner: r for r in results},
        "out": root / "results",
        "release": root / "out",
        "subs": subs,
        "before": before,
        "after": after,
        "log": lines,
    }


def scores(result):
    return {c.grade_id: c.points for c in result.cells}


def messages(result):
    return {c.grade_id: c.message for c in result.cells}


def test_correct_submission_scores_full(graded):
    r = graded["results"]["ada"]
    assert r.status == "graded" and scores(r) == POINTS and r.score == r.max_score == 6
    assert "passed (hidden tests included)" in messages(r)["t-double"]


def test_nbgrader_submission_layout_is_read(graded):
    r = graded["results"]["nia_nested"]
    assert r.status == "graded" and r.score == 6


def test_unanswered_scores_zero_with_reasons(graded):
    r = graded["results"]["bob"]
    assert r.score == 0 and r.max_score == 6
    assert "not answered yet" in messages(r)["t-double"]
    assert "'t-shape-code': not answered yet" in messages(r)["t-shape"]


def test_infinite_loop_scores_zero_and_grading_goes_on(graded):
    r = graded["results"]["cy_loop"]
    assert scores(r) == {"t-double": 0, "t-shape": 1, "t-draw": 0}
    assert "did not finish" in messages(r)["t-double"] or "infinite loop" in messages(r)["t-double"]


def test_loop_that_ignores_interrupts_hits_the_notebook_limit(graded):
    r = graded["results"]["kim_stubborn"]
    assert r.score == 0 and r.status == "graded"
    assert all(c.status in ("timeout", "not run", "failed") for c in r.cells)
    # the others were graded regardless
    assert graded["results"]["ada"].score == 6


def test_a_kernel_that_dies_is_reported_and_others_are_graded(graded):
    r = graded["results"]["pat_exits"]
    assert r.score == 0 and r.status == "graded"
    assert "died" in " ".join(messages(r).values()) or "stopped" in " ".join(messages(r).values())
    assert graded["results"]["ada"].score == 6


def test_a_notebook_emptied_by_the_learner_gets_its_locked_cells_back(graded):
    r = graded["results"]["quinn_empty"]
    assert r.score == 0 and len(r.cells) == 3
    deleted = [p for p in r.problems if "was deleted" in p]
    assert len(deleted) == 8  # 3 graded + 2 locked put back, 3 solution cells reported
    assert "not answered" not in messages(r)["t-double"]  # there is no answer at all
    assert "NameError" in messages(r)["t-double"]


def test_exception_is_reported(graded):
    r = graded["results"]["di_error"]
    assert scores(r)["t-double"] == 0
    assert "AttributeError" in messages(r)["t-double"] and "nope" in messages(r)["t-double"]


def test_hidden_tests_are_restored_and_count(graded):
    r = graded["results"]["ed_hidden"]
    # visible check (0, 1, 2) passes; the hidden one, double(5), does not
    assert scores(r)["t-double"] == 0
    assert messages(r)["t-double"] == "double(5) is 5, expected 10."


def test_edited_locked_cells_are_restored_and_reported(graded):
    r = graded["results"]["fay_edits"]
    assert any("'t-double' was edited" in p for p in r.problems)
    assert any("'t-shape' was edited" in p for p in r.problems)
    assert scores(r) == POINTS


def test_deleted_locked_cells_are_put_back_and_reported(graded):
    r = graded["results"]["gus_deletes"]
    assert any("graded cell 't-shape' was deleted" in p for p in r.problems)
    assert any("locked cell 't-setup' was deleted" in p for p in r.problems)
    assert scores(r) == POINTS


def test_redefining_the_helpers_gains_nothing(graded):
    r = graded["results"]["hal_cheats"]
    assert scores(r) == {"t-double": 0, "t-shape": 0, "t-draw": 0}
    assert "check.passed was replaced or patched" in messages(r)["t-double"]
    assert any("an input transformer was installed" in t for t in r.tampering)


def test_drawn_answer_in_answers_file_is_graded(graded):
    r = graded["results"]["ivy_draws"]
    assert scores(r)["t-draw"] == 3
    bob = graded["results"]["bob"]
    assert scores(bob)["t-draw"] == 0 and "not right yet" in messages(bob)["t-draw"]


def test_stderr_in_a_graded_cell_scores_zero_like_nbgrader(graded):
    r = graded["results"]["jo_stderr"]
    assert scores(r)["t-double"] == 0 and "stderr" in messages(r)["t-double"]


def test_malformed_and_missing_notebooks_are_reported(graded):
    broken = graded["results"]["lee_broken"]
    assert broken.status == "unreadable" and broken.score == 0 and broken.max_score == 6
    assert "not a valid notebook" in broken.problems[0]
    missing = graded["results"]["mo_missing"]
    assert missing.status == "missing" and missing.max_score == 6
    assert any("notes.ipynb" in p for p in graded["results"]["ada"].problems)


def test_submitted_files_are_never_modified(graded):
    assert graded["before"] == graded["after"]


def test_csv_feedback_and_graded_notebooks(graded):
    out = graded["out"]
    rows = {r["learner"]: r for r in csv.DictReader(open(out / "scores.csv"))}
    assert set(rows) == set(graded["results"])
    assert rows["ada"]["score"] == "6" and rows["ada"]["t-draw"] == "3"
    assert rows["bob"]["score"] == "0" and rows["lee_broken"]["status"] == "unreadable"
    for learner, r in graded["results"].items():
        text = (out / "feedback" / f"{learner}.md").read_text()
        assert f"{r.score:g} / {r.max_score:g}" in text
        assert "BEGIN HIDDEN" not in text and "double(5), 10" not in text  # no test source
    assert "edited" in (out / "feedback" / "fay_edits.md").read_text()
    executed = g.read_notebook(out / "graded" / "ada" / "t.ipynb")
    assert any(o.get("text", "").strip() == "All checks pass." for c in executed.cells
               for o in c.get("outputs", []))  # fmt: skip
    assert json.loads((out / "results.json").read_text())
    assert len(graded["log"]) == len(graded["results"])  # one progress step per notebook
    assert graded["log"][-1].startswith("[" + "#" * 24 + "]")


def test_empty_submissions_folder_is_a_clear_error(tmp_path):
    src = make_source(tmp_path / "src" / "t.ipynb")
    (tmp_path / "subs").mkdir()
    with pytest.raises(GradingError, match="no submissions in .*SUBMISSIONS/<learner>/"):
        g.grade(src, tmp_path / "subs", tmp_path / "out")
    with pytest.raises(GradingError, match="does not exist"):
        g.grade(src, tmp_path / "nope", tmp_path / "out")


def test_grading_from_source_notebooks_never_runs_the_solutions(tmp_path):
    src = make_source(tmp_path / "src" / "t.ipynb")
    keys = g.load_release(src.parent)
    text = json.dumps(keys["t.ipynb"])
    assert "return 2 * x" not in text and "double(5)" in text


def test_checksum_ignores_outputs_but_not_source(tmp_path):
    nb = g.read_notebook(make_source(tmp_path / "t.ipynb"))
    cell = cell_of(nb, "t-shape")
    before = g._checksum(cell)
    cell.outputs = [v4.new_output("stream", name="stdout", text="hi")]
    assert g._checksum(cell) == before
    cell.source += "\nx = 1"
    assert g._checksum(cell) != before
    assert len(before) == len(hashlib.sha256().hexdigest())


def test_release_files_are_there_and_win_over_the_learners(tmp_path):
    nb = v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [
        v4.new_code_cell(
            "from tensorlessons.exercises import check\n# BEGIN SOLUTION\nx = 1\n# END SOLUTION",
            metadata=meta(solution=True, grade_id="f-code"),
        ),
        v4.new_code_cell(
            'check.equal(x, 1, name="x")\n'
            'check.equal(open("data.txt").read(), "3", name="the data file")',
            metadata=meta(grade=True, locked=True, points=1, grade_id="f"),
        ),
    ]
    (tmp_path / "src").mkdir()
    nbformat.write(nb, str(tmp_path / "src" / "f.ipynb"))
    (tmp_path / "src" / "data.txt").write_text("3")
    g.release(tmp_path / "src", tmp_path / "out")
    learner = tmp_path / "subs" / "uma"
    learner.mkdir(parents=True)
    mine = g.read_notebook(tmp_path / "out" / "student" / "f.ipynb")
    mine.cells[0].source = "from tensorlessons.exercises import check\nfrom mine import x"
    nbformat.write(mine, str(learner / "f.ipynb"))
    (learner / "mine.py").write_text("x = 1\n")  # the learner's own module is available
    (learner / "data.txt").write_text("999")  # but cannot replace the release's file
    (r,) = g.grade(tmp_path / "out", tmp_path / "subs", tmp_path / "res", jobs=1)
    assert r.score == 1, r.cells
    assert (learner / "data.txt").read_text() == "999"


def test_a_run_started_again_after_a_crash_resumes(graded):
    """Run last: it changes the class's results folder."""
    out = graded["out"]
    journal = out / "results.jsonl"
    lines = journal.read_text().splitlines()
    assert len(lines) == len(graded["results"])  # one line per submission, as each finished
    kept = [ln for ln in lines if json.loads(ln)["result"]["learner"] != "bob"]
    # the crash: bob's line lost, another cut short, scores.csv gone
    journal.write_text("\n".join(kept) + "\n" + kept[0][:25])
    (out / "scores.csv").unlink()
    log: list[str] = []
    results = g.grade(
        graded["release"], graded["subs"], out, cell_timeout=8, notebook_timeout=20, jobs=2,
        log=log.append,
    )  # fmt: skip
    assert f"resuming: {len(kept)} notebook(s) already graded, 1 to go" in log
    assert {r.learner: r.score for r in results} == {
        k: r.score for k, r in graded["results"].items()
    }
    rows = list(csv.DictReader(open(out / "scores.csv")))
    assert sorted(r["learner"] for r in rows) == sorted(graded["results"])


def test_without_bwrap_grading_warns_and_flags_every_row(tmp_path, monkeypatch):
    from tensorlessons import _sandbox

    src = make_source(tmp_path / "src" / "t.ipynb")
    g.release(src, tmp_path / "out", check=False)
    student = g.read_notebook(tmp_path / "out" / "student" / "t.ipynb")
    (tmp_path / "subs" / "una").mkdir(parents=True)
    right = answered(student, t_double_code="def double(x):\n    return 2 * x")
    nbformat.write(right, str(tmp_path / "subs" / "una" / "t.ipynb"))
    monkeypatch.setattr(_sandbox, "_BWRAP", {"path": None})  # as if bwrap were missing
    with pytest.raises(GradingError, match="apt-get install bubblewrap"):
        g.grade(tmp_path / "out", tmp_path / "subs", tmp_path / "res", sandbox="bwrap")
    log: list[str] = []
    (r,) = g.grade(tmp_path / "out", tmp_path / "subs", tmp_path / "res", jobs=1, log=log.append)
    assert log[0].startswith("WARNING: no sandbox")
    assert r.sandbox == "none" and scores(r)["t-double"] == 2
    (row,) = csv.DictReader(open(tmp_path / "res" / "scores.csv"))
    assert row["sandbox"] == "none"
