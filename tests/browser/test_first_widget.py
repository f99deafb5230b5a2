"""Issue 2's first widget in JupyterLab 4: the picture, a drag reaching Python, redraws."""

from __future__ import annotations

import json
from typing import Any

import pytest
from harness import JupyterServer, kernel, open_notebook, until, write_notebook

CELLS = [
    "import numpy as np\n"
    "import tensorlessons as tl\n"
    "A = np.arange(6.0).reshape(2, 3)\n"
    "B = np.arange(12.0).reshape(3, 4) - 5\n"
    'd = tl.Diagram.from_einsum("ij,jk->ik", A, B, names=["A", "B"])\n'
    "w = tl.DiagramWidget(d)\n"
    "w",
]


@pytest.fixture(scope="module")
def page(jupyter: JupyterServer, context: Any) -> Any:
    write_notebook(jupyter.root / "first_widget.ipynb", CELLS)
    page = context.new_page()
    open_notebook(page, jupyter, "first_widget.ipynb")
    page.wait_for_selector('.tl-widget[data-ready] [data-tensor="B"]', timeout=60_000)
    yield page
    page.close()


def py(page: Any, code: str) -> Any:
    out = kernel(page, f"import json as _j\nprint(_j.dumps({code}))")
    assert "ERROR" not in out, out
    return json.loads(out)


def test_picture_has_hooks(page: Any) -> None:
    w = page.locator(".tl-widget")
    assert w.locator('[data-tensor="A"]').count() == 1
    assert w.locator('[data-tensor="B"]').count() == 1
    legs = sorted(w.locator("[data-leg]").evaluate_all("els => els.map(e => e.dataset.leg)"))
    assert legs == sorted(["A:i", "A:j", "B:j", "B:k"])
    wires = w.locator("[data-wire]")
    assert wires.count() == 1
    assert wires.first.get_attribute("data-index") == "j"
    names = w.locator(".tl-tensor .tl-name").all_text_contents()
    assert names == ["A", "B"]
    assert w.locator(".tl-einsum code").text_content() == py(page, "d.to_einsum()")
    # dimensions are drawn on the legs
    assert "i (2)" in w.locator('[data-leg="A:i"]').text_content()


def test_drag_reaches_python(page: Any) -> None:
    before = py(page, "list(d.tensor('A').position)")
    version = page.locator(".tl-svg").get_attribute("data-version")
    box = page.locator('.tl-widget [data-tensor="A"] rect').bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 30, y + 20, steps=4)
    page.mouse.move(x + 60, y + 40, steps=4)
    page.mouse.up()
    # Python's echo redraws the picture (a new version) ...
    page.wait_for_function(
        "(v) => document.querySelector('.tl-svg').dataset.version !== v", arg=version
    )
    # ... and the picture is drawn at most 1:1 (it may be scaled down to fit), so
    # Python's move is at least part of the 60 x 40 pixel drag, in the right direction.
    moved = f"d.tensor('A').position[0] > {before[0] + 20} and d.tensor('A').position[1] > {before[1] + 10}"
    assert until(page, moved, True) is True, (before, py(page, "list(d.tensor('A').position)"))


def test_python_edits_redraw(page: Any) -> None:
    w = page.locator(".tl-widget")
    kernel(page, "d.add_tensor('C', np.ones(4), legs=['k'], indices=['k'])")
    page.wait_for_selector('.tl-widget [data-tensor="C"]')
    assert w.locator("[data-wire]").count() == 2
    assert w.locator(".tl-einsum code").text_content() == py(page, "d.to_einsum()")
    kernel(page, "d.remove_tensor('C')")
    page.wait_for_selector('.tl-widget [data-tensor="C"]', state="detached")
    assert w.locator("[data-wire]").count() == 1
    # a new array: the result values shown are Python's
    kernel(page, "d.set_array('A', np.eye(2, 3))")
    expected = py(page, "d.contract().tolist()")
    page.wait_for_function(
        "(v) => document.querySelector('.tl-result td[data-index=\"0,0\"]').textContent === v",
        arg=str(int(expected[0][0])),
    )
    cells = w.locator(".tl-result td[data-index]")
    shown = [float(t) for t in cells.all_text_contents()]
    assert shown == [v for row in expected for v in row]


def test_assigning_another_diagram_redraws(page: Any) -> None:
    w = page.locator(".tl-widget")
    kernel(
        page,
        "e = tl.Diagram.from_einsum('ii->', np.diag([1.0, 2.0, 4.0]), names=['Tr'])\nw.diagram = e",
    )
    w.locator('[data-tensor="Tr"]').wait_for()
    assert w.locator('[data-tensor="A"]').count() == 0
    assert w.locator('[data-wire="i"]').get_attribute("class").find("tl-wk-trace") >= 0
    w.locator(".tl-result .tl-scalar", has_text="7").wait_for()
    kernel(page, "e.set_array('Tr', np.eye(3))")
    w.locator(".tl-result .tl-scalar", has_text="3").wait_for()
    kernel(page, "w.diagram = d")
    w.locator('[data-tensor="A"]').wait_for()


DRAWN = """(root) => {
  const r = (v) => Math.round(Number(v) * 10) / 10;
  const lines = [...root.querySelectorAll("line.tl-wire, line.tl-leg")].map((e) =>
    ["x1", "y1", "x2", "y2"].map((a) => r(e.getAttribute(a))));
  const boxes = [...root.querySelectorAll(".tl-tensor")].map((g) => {
    // the widget moves a tensor's group, to_svg places its box: the box's centre either way
    const m = (g.getAttribute("transform") || "").match(/translate\\(([-\\d.]+),([-\\d.]+)\\)/);
    const rect = g.querySelector("rect");
    const n = (a) => Number(rect.getAttribute(a));
    const at = m ? [Number(m[1]), Number(m[2])] : [0, 0];
    return [g.dataset.tensor, r(at[0] + n("x") + n("width") / 2), r(at[1] + n("y") + n("height") / 2), r(n("width"))];
  });
  const labels = [...root.querySelectorAll(".tl-label")].map((e) =>
    [e.textContent, r(e.getAttribute("x")), r(e.getAttribute("y"))]);
  return { lines, boxes, labels };
}"""


def test_widget_draws_the_same_picture_as_to_svg(page: Any) -> None:
    """One geometry: the browser draws Python's shapes, before and after a drag."""
    for _ in range(2):
        py(page, "d.to_svg()")  # the kernel is idle: the widget has Python's latest geometry
        svg = py(page, "d.to_svg()")
        want = page.evaluate(
            f"(s) => ({DRAWN})(new DOMParser().parseFromString(s, 'image/svg+xml'))", svg
        )
        got = page.locator(".tl-widget .tl-svg").evaluate(DRAWN)
        assert got["lines"] == want["lines"]
        assert got["boxes"] == want["boxes"]
        assert sorted(got["labels"]) == sorted(want["labels"])
        assert len(got["lines"]) == 3 and len(got["boxes"]) == 2
        box = page.locator('.tl-widget [data-tensor="B"] rect').bounding_box()
        page.mouse.move(box["x"] + 20, box["y"] + 20)
        page.mouse.down()
        page.mouse.move(box["x"] + 40, box["y"] + 120, steps=6)
        page.mouse.up()
        until(page, "d.tensor('B').position[1] > 150", True)
        page.wait_for_timeout(300)
