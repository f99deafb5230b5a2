"""Joining legs in the widget as chapters 04 and 05 ask, with the pointer and with the keyboard.

- Dropping a leg's end on a wire's body joins the leg to that wire: a hyperedge (a copy
  tensor), drawn with its dot ("join C:r to that wire").
- From the keyboard: focus a leg, Enter, arrow keys to choose a leg or wire of the same
  dimension, Enter joins (Escape cancels); each step is announced in the widget's
  ``aria-live`` status.
"""

from __future__ import annotations

from typing import Any

import pytest
from harness import JupyterServer, drag, open_notebook, py, until, write_notebook

CELLS = [
    "import numpy as np\nimport tensorlessons as tl\nrng = np.random.default_rng(0)",
    # U and V joined by their bond r; S's leg r is still open (chapter 04's picture)
    'svd = tl.Diagram.from_einsum("ir,jr->ij", rng.random((2, 3)), rng.random((4, 3)),'
    ' names=["U", "V"])\n'
    'svd.add_tensor("S", rng.random(3), legs=["r"]).auto_layout()\n'
    "w_svd = tl.DiagramWidget(svd)\n"
    "w_svd",
    # two unjoined matrices, for the keyboard
    'mm = tl.Diagram.from_arrays({"A": rng.random((2, 3)), "B": rng.random((3, 4))})\n'
    "w_mm = tl.DiagramWidget(mm)\n"
    "w_mm",
]


@pytest.fixture(scope="module")
def page(jupyter: JupyterServer, context: Any) -> Any:
    write_notebook(jupyter.root / "joining.ipynb", CELLS)
    page = context.new_page()
    open_notebook(page, jupyter, "joining.ipynb")
    page.wait_for_function(
        "() => document.querySelectorAll('.tl-widget[data-ready]').length === 2", timeout=90_000
    )
    yield page
    page.close()


def _widget(page: Any, tensor: str) -> Any:
    return page.locator(".tl-widget").filter(has=page.locator(f'[data-tensor="{tensor}"]'))


def test_drop_a_leg_on_a_wire_joins_it_to_that_wire(page: Any) -> None:
    w = _widget(page, "S")
    w.locator("svg.tl-svg").scroll_into_view_if_needed()
    bond = py(page, "svd.tensor('U').labels[1]")
    wire = w.locator(f'[data-wire="{bond}"]')
    assert wire.locator(".tl-end").count() == 2 and w.locator(".tl-hyper").count() == 0
    # a point on the wire's body, a third of the way from one end (not at a leg's end)
    x1, y1, x2, y2 = (
        float(wire.locator(".tl-hit").first.get_attribute(a)) for a in ("x1", "y1", "x2", "y2")
    )
    at = wire.locator(".tl-hit").first.evaluate(
        "(e, [x, y]) => { const m = e.getScreenCTM();"
        " return [m.a * x + m.c * y + m.e, m.b * x + m.d * y + m.f]; }",
        [x1 + (x2 - x1) / 3, y1 + (y2 - y1) / 3],
    )
    drag(page, w.locator('.tl-stub[data-leg="S:r"] .tl-handle'), (at[0], at[1]))
    assert until(page, "svd.tensor('S').labels[0] == svd.tensor('U').labels[1]", True) is True
    assert py(page, "svd.output") == ["i", "j"]  # r is summed, through all three
    same = py(
        page,
        "bool(np.allclose(svd.contract(), np.einsum('ir,r,jr->ij', svd.tensor('U').array,"
        " svd.tensor('S').array, svd.tensor('V').array)))",
    )
    assert same is True
    # drawn as a hyperedge: a dot, with an end for each of the three legs
    page.wait_for_function(
        "(el) => el.querySelectorAll('.tl-hyper').length === 1", arg=w.element_handle()
    )
    ends = w.locator(".tl-wire-group .tl-end").evaluate_all(
        "(es) => es.map((e) => e.getAttribute('data-leg')).sort()"
    )
    assert ends == ["S:r", "U:r", "V:r"]


def test_join_two_legs_from_the_keyboard_announced(page: Any) -> None:
    w = _widget(page, "A")
    status = w.locator(".tl-status")
    assert (
        status.get_attribute("aria-live") == "polite" and status.get_attribute("role") == "status"
    )
    w.locator("svg.tl-svg").scroll_into_view_if_needed()
    w.locator('.tl-stub[data-leg="A:j"]').focus()
    page.keyboard.press("Enter")
    text = status.text_content()
    assert text.startswith("Joining A:j (3). Target 1 of 1: leg B:i (3)"), text  # only dim 3
    # Escape cancels, nothing changes
    page.keyboard.press("Escape")
    assert "cancelled" in status.text_content()
    assert py(page, "len(mm.wires())") == 0
    # B's legs: i (3) has one target (A:j); j (4) none
    w.locator('.tl-stub[data-leg="B:j"]').focus()
    page.keyboard.press("Enter")
    assert "No other leg or wire of dimension 4" in status.text_content()
    w.locator('.tl-stub[data-leg="A:j"]').focus()
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowRight")  # round to the same (only) target
    assert "Target 1 of 1: leg B:i (3)" in status.text_content()
    marked = w.locator(".tl-drop").evaluate_all("(es) => es.map((e) => e.dataset.leg)")
    assert marked == ["B:i"]  # the chosen target is shown
    page.keyboard.press("Enter")
    want = [["A:j", "B:i"]]
    assert until(page, "[list(w) for w in mm.wires()]", want) == want
    page.wait_for_function(
        "(el) => el.textContent === 'Joined A:j to leg B:i (3).'", arg=status.element_handle()
    )
