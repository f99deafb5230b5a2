"""Exercises in a real JupyterLab: the hint ladder, and a drawn answer from the browser
to the grade.

A learner opens a released notebook, reveals hints one at a time, draws the answer to a
DiagramExercise by dragging a leg onto another, presses Check, saves; the page is
reloaded and the kernel restarted (the drawing comes back from the answers file); then
``tensorlessons grade`` grades the learner's folder and gives the points.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nbformat
import pytest
from harness import JupyterServer, drag, open_notebook, py, restart_kernel, run_all, until
from nbformat import v4

from tensorlessons import grading as g

SETUP = (
    "import numpy as np\n"
    "import tensorlessons as tl\n"
    "from tensorlessons.exercises import Exercise, check\n"
    "P, Q = np.arange(6.0).reshape(2, 3), np.arange(12.0).reshape(3, 4)\n"
    'ex = tl.DiagramExercise("b-draw", task="Join P and Q into the product PQ.",\n'
    '    start=tl.Diagram.from_arrays({"P": P, "Q": Q}),\n'
    '    answer=tl.Diagram.from_einsum("ij,jk->ik", P, Q, names=["P", "Q"]),\n'
    "    hints=[\"P's second leg and Q's first have the same dimension.\"])\n"
    "ex"
)
HEADER = 'Exercise("b-hints", title="Two hints", hints=["first hint", "second hint"])'
SOLUTION = (
    "# BEGIN SOLUTION\n"
    'ex.submit(tl.Diagram.from_einsum("ij,jk->ik", P, Q, names=["P", "Q"]))\n'
    "# END SOLUTION"
)
TEST = 'ex.check()\ncheck.passed("b-draw")'


def _meta(**kw: Any) -> dict[str, Any]:
    d = {"solution": False, "grade": False, "locked": False, "schema_version": 3}
    d.update(kw)
    return {"nbgrader": d}


def _source(path: Path) -> Path:
    nb = v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [
        v4.new_code_cell(SETUP, metadata=_meta(locked=True, grade_id="b-setup")),
        v4.new_code_cell(HEADER),
        v4.new_code_cell(SOLUTION, metadata=_meta(solution=True, grade_id="b-draw-code")),
        v4.new_code_cell(
            TEST, metadata=_meta(grade=True, locked=True, points=2, grade_id="b-draw")
        ),
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


@pytest.fixture(scope="module")
def page(context: Any) -> Any:
    page = context.new_page()
    yield page
    page.close()


def test_hints_then_draw_check_save_reload_and_grade(
    page: Any, jupyter: JupyterServer, tmp_path: Path
) -> None:
    src = _source(tmp_path / "src" / "ch.ipynb")
    g.release(src, tmp_path / "release")
    learner = jupyter.root / "class" / "ada"
    learner.mkdir(parents=True)
    (learner / "ch.ipynb").write_bytes((tmp_path / "release" / "student" / "ch.ipynb").read_bytes())

    open_notebook(page, jupyter, "class/ada/ch.ipynb")
    box = page.locator(".tl-diagram-exercise")
    box.locator('[data-tensor="Q"]').wait_for(timeout=60_000)

    # The hint ladder: one hint per click, then the button is spent.
    header = page.locator(".tl-exercise-widget").filter(has_text="Two hints")
    button = header.get_by_role("button", name="Show a hint (1 of 2)")
    button.wait_for(timeout=30_000)
    assert "first hint" not in header.text_content()
    button.click()
    header.get_by_text("first hint").wait_for()
    assert "second hint" not in header.text_content()
    header.get_by_role("button", name="Show a hint (2 of 2)").click()
    header.get_by_text("second hint").wait_for()
    assert header.get_by_role("button", name="All hints shown").is_disabled()

    # Check before drawing: specific feedback inside the widget.
    box.get_by_role("button", name="Check").click()
    alert = box.locator('[role="alert"]').filter(has_text="not right yet")
    alert.wait_for()
    assert "open leg" in alert.text_content()

    # Draw: drag P's leg j onto Q's leg i, then Check.
    w = box.locator(".tl-widget")
    drag(page, w.locator('[data-leg="P:j"] .tl-handle'), w.locator('[data-leg="Q:i"] .tl-handle'))
    assert until(page, "len(ex.diagram.wires())", 1) == 1
    box.get_by_role("button", name="Check").click()
    box.locator('[role="status"]').filter(has_text="Right").wait_for()
    answers = learner / "tensorlessons_answers" / "b-draw.json"
    saved = json.loads(answers.read_text())
    assert {t["name"] for t in saved["tensors"]} == {"P", "Q"}
    page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")

    # Reload, restart, run everything again: the drawing comes back from the file.
    page.reload()
    page.wait_for_function(
        "() => window.jupyterapp && window.jupyterapp.shell.currentWidget "
        "&& window.jupyterapp.shell.currentWidget.sessionContext",
        timeout=60_000,
    )
    page.evaluate("() => { window.__tlPanel = window.jupyterapp.shell.currentWidget; }")
    restart_kernel(page)
    run_all(page)
    page.locator(".tl-diagram-exercise .tl-widget").last.locator('[data-tensor="Q"]').wait_for(
        timeout=60_000
    )
    assert until(page, "ex.restored", True) is True
    assert py(page, "ex.feedback()") is None
    assert page.locator(".tl-diagram-exercise [data-wire]").count() >= 1

    # The autograder re-executes the saved notebook with the answers file: full points.
    before = answers.read_bytes()
    results = g.grade(tmp_path / "release", jupyter.root / "class", tmp_path / "results", jobs=1)
    (ada,) = results
    assert [(c.grade_id, c.points, c.max_points) for c in ada.cells] == [("b-draw", 2.0, 2.0)]
    assert answers.read_bytes() == before
