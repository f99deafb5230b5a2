"""Chapter 00 of the learner copy, as a learner meets it in a real JupyterLab.

The learner's course folder is made as ``tensorlessons course`` makes it. *Run All* on
the fresh copy reaches the end of the chapter although no exercise is done (the
unanswered exercises' cells are tagged ``raises-exception``), and ``progress()`` counts
nothing. The learner then draws the answer to 00.2 by pointer and presses Check; after
*Restart Kernel* and *Run All* the drawing is still there (nothing in the learner copy
replaces it) and its graded cell passes.
"""

from __future__ import annotations

from typing import Any

import pytest
from harness import JupyterServer, drag, find_panel, py, restart_kernel, run_all, until

from tensorlessons import course


@pytest.fixture(scope="module")
def page(context: Any) -> Any:
    page = context.new_page()
    yield page
    page.close()


def _ran_to_the_end(page: Any) -> bool:
    # `drawn` is made by the chapter's second-to-last code cell (after every exercise).
    return until(page, "'drawn' in globals()", True, timeout=120) is True


def test_learner_runs_all_draws_restarts_and_keeps_the_drawing(
    page: Any, jupyter: JupyterServer
) -> None:
    folder = jupyter.root / "learner-course"
    course.copy_course(folder, log=None)
    name = "learner-course/00_start.ipynb"
    page.goto(jupyter.url(name))
    find_panel(page, name)
    run_all(page)
    assert _ran_to_the_end(page), "Run All stopped before the end of chapter 00"

    # Nothing counted before the learner acted; every exercise is listed as not done.
    assert py(page, "progress('00').passed") == []
    statuses = py(page, "[e.status for e in progress('00').entries]")
    assert statuses and "passed" not in statuses
    assert py(page, "ex.feedback() is None") is False
    assert not (folder / "tensorlessons_answers" / "00-dot-draw.json").exists() or (
        py(page, "len(ex.diagram.wires())") == 0
    )

    # The learner draws 00.2: u's leg onto v's leg, then Check.
    box = page.locator(".tl-diagram-exercise").first
    w = box.locator(".tl-widget")
    w.locator('[data-tensor="v"]').wait_for(timeout=60_000)
    w.scroll_into_view_if_needed()
    page.wait_for_timeout(300)  # the notebook settles after scrolling
    drag(page, w.locator('[data-leg="u:i"] .tl-handle'), w.locator('[data-leg="v:j"] .tl-handle'))
    assert until(page, "len(ex.diagram.wires())", 1) == 1
    box.get_by_role("button", name="Check").click()
    box.locator('[role="status"]').filter(has_text="Right").wait_for()
    assert (folder / "tensorlessons_answers" / "00-dot-draw.json").exists()
    page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")

    # Restart the kernel and run everything again: the drawing stays, and passes.
    restart_kernel(page)
    run_all(page)
    assert _ran_to_the_end(page)
    assert py(page, "ex.restored") is True
    assert py(page, "ex.feedback()") is None
    assert py(page, "[tuple(w) for w in ex.diagram.wires()]") == [["u:i", "v:j"]]
    assert py(page, "progress('00').passed") == ["00-dot-draw"]
