"""Issue 3's editor in JupyterLab 4: every interaction reaches the Python Diagram.

One notebook for the module; the tests run in order on its widgets (unique tensor names
tell the widgets apart).
"""

from __future__ import annotations

from typing import Any

import pytest
from harness import (
    JupyterServer,
    center,
    click_wire,
    drag,
    open_notebook,
    py,
    until,
    write_notebook,
)

XSS = "<img src=x onerror=window.__xss=1>"

CELLS = [
    "import numpy as np\nimport tensorlessons as tl\nfrom tensorlessons._render import einsum_call",
    "P = np.arange(6.0).reshape(2, 3)\n"
    "Q = np.arange(12.0).reshape(3, 4) - 4\n"
    'd1 = tl.Diagram.from_arrays({"P": P, "Q": Q})\n'
    "w1 = tl.DiagramWidget(d1)\n"
    "edits = []\n"
    "w1.on_edit(lambda widget, e: edits.append(e['op']))\n"
    "w1",
    f"x = tl.Diagram.from_arrays({{{XSS!r}: np.ones(2), 'y<b>': np.ones(2)}})\n"
    "wx = tl.DiagramWidget(x)\n"
    "wx",
]


@pytest.fixture(scope="module")
def page(jupyter: JupyterServer, context: Any) -> Any:
    write_notebook(jupyter.root / "editing.ipynb", CELLS)
    page = context.new_page()
    open_notebook(page, jupyter, "editing.ipynb")
    page.wait_for_selector('.tl-widget[data-ready] [data-tensor="Q"]', timeout=60_000)
    page.wait_for_selector(".tl-widget[data-ready] [data-tensor='y<b>']", timeout=60_000)
    yield page
    page.close()


@pytest.fixture
def w1(page: Any) -> Any:
    return page.locator(".tl-widget").nth(0)


def handle(w: Any, ref: str) -> Any:
    return w.locator(f'[data-leg="{ref}"] .tl-handle')


def shown_values(w: Any, panel: str = ".tl-result") -> list[float]:
    return [float(t) for t in w.locator(f"{panel} td[data-index]").all_text_contents()]


def wait_result(page: Any, w: Any, shape_text: str) -> None:
    w.locator(".tl-result .tl-legs", has_text=shape_text).wait_for()


def test_result_views_slice_heatmap(page: Any, w1: Any) -> None:
    # Four open legs: a slice view with a control per leading leg, named as drawn (P:i).
    w1.locator(".tl-result .tl-note", has_text="slice").wait_for()
    assert "shape (2, 3, 3, 4)" in w1.locator(".tl-result .tl-legs").text_content()
    expected = py(page, "d1.contract()[1, 2].ravel().tolist()")
    w1.locator('.tl-result .tl-window input[aria-label="P:i ="]').fill("1")
    w1.locator('.tl-result .tl-window input[aria-label="P:i ="]').press("Tab")
    page.wait_for_function(
        "() => document.querySelector('.tl-result td[data-index]').dataset.index === '1,0,0,0'"
    )
    w1.locator('.tl-result .tl-window input[aria-label="P:j ="]').fill("2")
    w1.locator('.tl-result .tl-window input[aria-label="P:j ="]').press("Tab")
    page.wait_for_function(
        "() => document.querySelector('.tl-result td[data-index]').dataset.index === '1,2,0,0'"
    )
    assert shown_values(w1) == expected


def test_connect_by_dragging_leg_ends(page: Any, w1: Any) -> None:
    drag(page, handle(w1, "P:j"), handle(w1, "Q:i"))
    assert until(page, "d1.wires()", [["P:j", "Q:i"]]) == [["P:j", "Q:i"]]
    wait_result(page, w1, "shape (2, 4)")
    assert shown_values(w1) == py(page, "(P @ Q).ravel().tolist()")
    assert w1.locator('[data-wire="j"]').count() == 1
    assert py(page, "edits") == ["connect"]


def test_refused_connect_shows_alert_and_changes_nothing(page: Any, w1: Any) -> None:
    before = py(page, "d1.to_json()")
    drag(page, handle(w1, "P:i"), handle(w1, "Q:j"))
    alert = w1.get_by_role("alert")
    alert.wait_for()
    text = alert.text_content()
    assert "dimensions differ" in text and "'P:i'" in text and "'Q:j'" in text
    assert py(page, "d1.to_json()") == before
    assert py(page, "w1.error") == text
    # the next successful edit clears the message
    drag(
        page,
        w1.locator('[data-tensor="Q"] rect'),
        (
            center(w1.locator('[data-tensor="Q"] rect'))[0] + 40,
            center(w1.locator('[data-tensor="Q"] rect'))[1] + 30,
        ),
    )
    page.wait_for_function("() => !document.querySelector('.tl-alert').textContent")


def test_cut_and_undo_redo(page: Any, w1: Any) -> None:
    click_wire(page, w1, "j")
    page.keyboard.press("Delete")
    assert until(page, "d1.wires()", []) == []
    page.keyboard.press("Control+z")
    assert until(page, "d1.wires()", [["P:j", "Q:i"]]) == [["P:j", "Q:i"]]
    w1.locator('[data-wire="j"]').wait_for()
    page.keyboard.press("Control+Shift+Z")
    assert until(page, "d1.wires()", []) == []
    page.keyboard.press("Control+z")
    assert until(page, "d1.wires()", [["P:j", "Q:i"]]) == [["P:j", "Q:i"]]
    # the visible controls do the same
    click_wire(page, w1, "j")
    w1.get_by_role("button", name="Cut wire").click()
    assert until(page, "d1.wires()", []) == []
    w1.get_by_role("button", name="Undo").click()
    assert until(page, "d1.wires()", [["P:j", "Q:i"]]) == [["P:j", "Q:i"]]
    w1.get_by_role("button", name="Redo").click()
    assert until(page, "d1.wires()", []) == []
    w1.get_by_role("button", name="Undo").click()
    assert until(page, "d1.wires()", [["P:j", "Q:i"]]) == [["P:j", "Q:i"]]


def test_rename_by_double_click(page: Any, w1: Any) -> None:
    w1.locator('[data-tensor="P"] rect').dblclick()
    box = w1.locator("input.tl-rename")
    box.wait_for()
    box.fill("M")
    box.press("Enter")
    assert until(page, "d1.names", ["M", "Q"]) == ["M", "Q"]
    w1.locator('[data-tensor="M"]').wait_for()
    w1.locator('[data-leg="Q:j"] .tl-handle').dblclick()  # labels never take the pointer
    box.wait_for()
    box.fill("col")
    box.press("Enter")
    assert until(page, "d1.tensor('Q').legs", ["i", "col"]) == ["i", "col"]
    w1.locator('[data-leg="Q:col"]').wait_for()


def test_palette_adds_tensors(page: Any, w1: Any) -> None:
    w1.get_by_label("Kind of tensor to add").select_option("vector")
    w1.get_by_label("Dimensions of the new tensor's legs (e.g. 2,3)").fill("4")
    w1.get_by_role("button", name="Add tensor").click()
    assert until(
        page, "[d1.names, list(d1['A'].shape)] if 'A' in d1 else None", [["M", "Q", "A"], [4]]
    )
    w1.locator('[data-tensor="A"]').wait_for()
    w1.get_by_label("Kind of tensor to add").select_option("copy")
    w1.get_by_label("Dimensions of the new tensor's legs (e.g. 2,3)").fill("4")
    w1.get_by_label("Number of legs of the copy tensor").fill("3")
    w1.get_by_role("button", name="Add tensor").click()
    assert until(page, "d1.tensor('B').kind if 'B' in d1 else None", "copy") == "copy"
    assert w1.locator('[data-tensor="B"] circle.tl-copy').count() == 1  # drawn as a dot
    w1.get_by_label("Dimensions of the new tensor's legs (e.g. 2,3)").fill("0, x")
    w1.get_by_role("button", name="Add tensor").click()
    assert "not positive whole numbers" in w1.get_by_role("alert").text_content()
    # the copy tensor joins legs as a hyperedge
    drag(page, handle(w1, "B:i"), handle(w1, "A:i"))
    assert until(page, "d1.tensor('A').labels == [d1.tensor('B').labels[0]]", True)


def test_keyboard_tab_move_delete(page: Any, w1: Any) -> None:
    w1.locator('[data-tensor="M"]').focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.tensor") == "Q"
    x0 = py(page, "d1.tensor('Q').position[0]")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert until(page, "d1.tensor('Q').position[0]", x0 + 20) == x0 + 20
    assert page.evaluate("document.activeElement.dataset.tensor") == "Q"
    w1.locator('[data-tensor="A"]').focus()
    page.keyboard.press("Delete")
    assert until(page, "'A' in d1", False) is False
    page.keyboard.press("Control+z")
    assert until(page, "'A' in d1", True) is True
    assert "Tensor Q" in w1.locator('[data-tensor="Q"]').get_attribute("aria-label")


def test_inspect_and_edit_values(page: Any, w1: Any) -> None:
    w1.locator('[data-tensor="Q"] rect').click()
    cell = w1.get_by_label("Q[0, 1]")
    cell.wait_for()
    assert float(cell.input_value()) == py(page, "float(d1['Q'][0, 1])")
    cell.fill("100")
    cell.press("Enter")
    assert until(page, "float(d1['Q'][0, 1])", 100.0) == 100.0
    # the result panel shows Python's freshly contracted values
    assert py(
        page,
        "__import__('tensorlessons.widget').widget._window(d1.contract(), w1.view)[1] == w1.result_data",
    )
    expected = py(page, "np.frombuffer(w1.result_data, '<f8').tolist()")
    page.wait_for_function(
        "(v) => JSON.stringify(Array.from(document.querySelectorAll('.tl-widget')[0].querySelectorAll('.tl-result td[data-index]')).map(td => parseFloat(td.title.split('= ')[1]))) === JSON.stringify(v)",
        arg=expected,
    )
    assert py(page, "edits").count("set_value") == 1


def test_exports_match_python(page: Any, w1: Any) -> None:
    box = w1.locator("textarea.tl-export")
    for button, expr in [
        ("Copy einsum", "einsum_call(d1)"),
        ("Copy code", "d1.to_code()"),
        ("Copy TikZ", "d1.to_tikz()"),
    ]:
        w1.get_by_role("button", name=button).click()
        expected = py(page, expr)
        page.wait_for_function(
            "(v) => document.querySelector('textarea.tl-export').value === v", arg=expected
        )
        assert box.input_value() == expected
    with page.expect_download() as info:
        w1.get_by_role("button", name="Download SVG").click()
    path = info.value.path()
    assert info.value.suggested_filename == "diagram.svg"
    assert open(path, encoding="utf-8").read() == py(page, "d1.to_svg()")


def test_html_names_are_text(page: Any) -> None:
    wx = page.locator(".tl-widget").nth(1)
    t = wx.locator(f'[data-tensor="{XSS}"]')
    assert t.count() == 1
    assert t.locator(".tl-name").text_content() == XSS
    assert wx.locator("img").count() == 0 and wx.locator("b").count() == 0
    t.locator("rect").click()
    wx.locator(".tl-inspect-name").wait_for()
    assert wx.locator(".tl-inspect-name").text_content() == XSS
    wx.get_by_role("button", name="Copy code").click()
    page.wait_for_function(
        "() => document.querySelectorAll('textarea.tl-export')[1].value.length > 0"
    )
    page.wait_for_timeout(300)
    assert page.evaluate("window.__xss") is None
    assert page.locator(".jp-Notebook img[src='x']").count() == 0


def test_dark_theme_uses_jupyterlab_variables(page: Any, w1: Any) -> None:
    def fill() -> str:
        return w1.locator('[data-tensor="Q"] rect').evaluate("e => getComputedStyle(e).fill")

    light = fill()
    page.evaluate(
        "() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Dark'})"
    )
    page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'")
    page.wait_for_function(
        "(v) => getComputedStyle(document.querySelector('.tl-widget [data-tensor=\"Q\"] rect')).fill !== v",
        arg=light,
    )
    dark = fill()
    page.evaluate(
        "() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Light'})"
    )
    page.wait_for_function("() => document.body.dataset.jpThemeLight === 'true'")
    assert light != dark
