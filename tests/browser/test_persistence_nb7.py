"""Persistence across reload + kernel restart (JupyterLab 4), and the widget in Notebook 7."""

from __future__ import annotations

import json
from typing import Any

import pytest
from harness import (
    JupyterServer,
    center,
    click_wire,
    drag,
    find_panel,
    kernel,
    open_notebook,
    py,
    restart_kernel,
    run_all,
    until,
    write_notebook,
)

KEYED = [
    "import numpy as np\n"
    "import tensorlessons as tl\n"
    'start = tl.Diagram.from_einsum("ij,jk->ik", np.ones((2, 3)), np.ones((3, 4)), names=["S", "T"])\n'
    "d = start.copy()\n"
    'w = tl.DiagramWidget(d, key="browser-persist")\n'
    "w",
]

NB7 = [
    "import numpy as np\n"
    "import tensorlessons as tl\n"
    'd = tl.Diagram.from_arrays({"U": np.arange(3.0), "V": np.arange(3.0) + 1})\n'
    "w = tl.DiagramWidget(d)\n"
    "w",
]


@pytest.fixture(scope="module")
def page(context: Any) -> Any:
    page = context.new_page()
    yield page
    page.close()


def test_edits_survive_reload_and_rerun(page: Any, jupyter: JupyterServer) -> None:
    write_notebook(jupyter.root / "persist.ipynb", KEYED)
    answers = jupyter.root / "tensorlessons_answers" / "browser-persist.json"
    open_notebook(page, jupyter, "persist.ipynb")
    w = page.locator(".tl-widget")
    w.locator('[data-tensor="T"]').wait_for(timeout=60_000)
    click_wire(page, w)
    page.keyboard.press("Delete")
    assert until(page, "d.wires()", []) == []
    rect = w.locator('[data-tensor="S"] rect')
    x, y = center(rect)
    drag(page, rect, (x - 20, y + 60))
    moved = py(page, "list(d.tensor('S').position)")
    assert until(page, "list(d.tensor('S').position)", moved) == moved
    saved = json.loads(answers.read_text())
    assert saved["tensors"][0]["position"] == moved

    # Save and reload the page (the kernel keeps running): the live widget comes back.
    page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
    page.wait_for_function("() => !window.__tlPanel.context.model.dirty")
    page.reload()
    find_panel(page, "persist.ipynb")
    w = page.locator(".tl-widget")
    w.locator('[data-tensor="T"]').wait_for(timeout=60_000)
    assert w.locator("[data-wire]").count() == 0
    assert "shape (2, 4, 3, 3)" in w.locator(".tl-result .tl-legs").text_content()

    # Restart the kernel and run everything again (as an autograder does): the learner's
    # diagram is rebuilt from the answer file.
    restart_kernel(page)
    run_all(page)
    w = page.locator(".tl-widget").last
    w.locator('[data-tensor="T"]').wait_for(timeout=60_000)
    assert until(page, "d.wires()", []) == []
    assert py(page, "list(d.tensor('S').position)") == moved
    assert w.locator("[data-wire]").count() == 0
    assert "shape (2, 4, 3, 3)" in w.locator(".tl-result .tl-legs").text_content()

    # Reset asks first, then goes back to the start; the answer file now holds the start.
    w.get_by_role("button", name="Reset").click()
    w.locator('.tl-confirm [data-action="reset-yes"]').click()
    assert until(page, "tl.equivalent(d, start) and d.wires() == start.wires()", True) is True
    w.locator("[data-wire]").wait_for()
    kept = f"tl.Diagram.from_json(open({str(answers)!r}).read()).wires() == start.wires()"
    assert until(page, kept, True) is True


def test_notebook7(page: Any, jupyter: JupyterServer) -> None:
    write_notebook(jupyter.root / "nb7.ipynb", NB7)
    page.goto(f"{jupyter.base}/tree?token={jupyter.token}")
    page.get_by_text("nb7.ipynb").first.wait_for(timeout=60_000)
    open_notebook(page, jupyter, "nb7.ipynb", ui="notebook")
    assert "/notebooks/nb7.ipynb" in page.url
    w = page.locator(".tl-widget")
    w.locator('[data-tensor="V"]').wait_for(timeout=60_000)
    # a drag of a tensor reaches Python
    before = py(page, "list(d.tensor('U').position)")
    rect = w.locator('[data-tensor="U"] rect')
    x, y = center(rect)
    drag(page, rect, (x + 10, y + 70))
    after = until(page, "d.tensor('U').position[1] > %r" % (before[1] + 20), True)
    assert after is True
    # connect two open legs
    drag(page, w.locator('[data-leg="U:i"] .tl-handle'), w.locator('[data-leg="V:i"] .tl-handle'))
    assert until(page, "d.wires()", [["U:i", "V:i"]]) == [["U:i", "V:i"]]
    w.locator(".tl-result .tl-scalar", has_text="8").wait_for()
    # keyboard shortcuts reach the widget, not Notebook 7's own
    click_wire(page, w)
    page.keyboard.press("Delete")
    assert until(page, "d.wires()", []) == []
    page.keyboard.press("Control+z")
    assert until(page, "d.wires()", [["U:i", "V:i"]]) == [["U:i", "V:i"]]
    assert py(page, "len(d)") == 2
    # Python -> browser
    kernel(page, "d.set_array('V', np.ones(3))")
    w.locator(".tl-result .tl-scalar", has_text="3").wait_for()
