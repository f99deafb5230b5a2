"""Small things a learner meets in the widgets, checked in JupyterLab (real Chromium).

- The error alert and a drawing exercise's verdict read at >= 4.5:1 contrast (WCAG AA) in
  the light and the dark theme, measured on the painted colours.
- A verdict on an earlier drawing goes away when the drawing changes.
- *Start again* asks first; once confirmed, the widget's Undo brings the drawing back,
  and the answers file is kept (holding the drawing again after the undo).
- The attention widget shows the number on the most-attended token, and nothing (its bar,
  its shade) hides the token or the number.
"""

from __future__ import annotations

from typing import Any

import pytest
from contrast import painted_contrast
from harness import JupyterServer, drag, kernel, open_notebook, py, until, write_notebook

CELLS = [
    "import numpy as np\nimport tensorlessons as tl",
    # an editable widget whose legs do not fit together (an edit is refused: an alert)
    'wa = tl.DiagramWidget(tl.Diagram.from_arrays({"P": np.ones((2, 3)), "Q": np.ones((4, 5))}))\n'
    "wa",
    # a drawing exercise: join A and B into AB
    "A, B = np.arange(6.0).reshape(2, 3), np.arange(12.0).reshape(3, 4)\n"
    'ex = tl.DiagramExercise("wq-matmul", task="Join A and B into AB.",\n'
    '    start=tl.Diagram.from_arrays({"A": A, "B": B}),\n'
    '    answer=tl.Diagram.from_einsum("ij,jk->ik", A, B, names=["A", "B"]))\n'
    "ex.widget()",
    # the attention pattern of the hand-built induction model
    "model = tl.induction_transformer(d_vocab=10, n_ctx=16)\n"
    "att = tl.AttentionPatternWidget(model, [0, 3, 5, 7, 0, 3, 5, 7], layer=1,\n"
    "    token_labels=list('abcdefghij'))\n"
    "att",
]
THEMES = ["JupyterLab Light", "JupyterLab Dark"]


@pytest.fixture(scope="module")
def page(jupyter: JupyterServer, context: Any) -> Any:
    write_notebook(jupyter.root / "items.ipynb", CELLS)
    page = context.new_page()
    open_notebook(page, jupyter, "items.ipynb")
    page.wait_for_function(
        "() => document.querySelectorAll('.tl-widget[data-ready]').length === 2", timeout=90_000
    )
    page.wait_for_selector(".tl-attn-pattern .tl-attn-cell", timeout=60_000)
    yield page
    page.close()


def _theme(page: Any, theme: str) -> None:
    page.evaluate(
        "async (t) => { await window.jupyterapp.commands.execute('apputils:change-theme',"
        " {theme: t}); }",
        theme,
    )
    page.wait_for_function(
        "(t) => document.body.dataset.jpThemeName === t", arg=theme, timeout=30_000
    )
    page.wait_for_timeout(300)


def _exercise(page: Any) -> Any:
    return page.locator(".tl-diagram-exercise")


def _leg_end(widget: Any, ref: str) -> Any:
    return widget.locator(f'.tl-stub[data-leg="{ref}"] .tl-handle')


def test_error_alert_and_verdict_contrast_in_both_themes(page: Any) -> None:
    wa = page.locator(".tl-widget").filter(has=page.locator('[data-tensor="P"]'))
    drag(page, _leg_end(wa, "P:j"), _leg_end(wa, "Q:i"))  # 3 against 4: refused
    alert = wa.locator(".tl-alert")
    alert.wait_for(state="visible")
    assert "P:j" in alert.text_content() and py(page, "wa.error") == alert.text_content()
    ex = _exercise(page)
    ex.get_by_role("button", name="Check").click()
    verdict = ex.locator('span[role="alert"]')
    verdict.wait_for(state="visible")
    assert verdict.text_content().startswith("✘ your diagram is not right yet")
    try:
        for theme in THEMES:
            _theme(page, theme)
            for what, loc in (("alert", alert), ("verdict", verdict)):
                ratio = painted_contrast(loc)
                assert ratio >= 4.5, (theme, what, round(ratio, 2))
    finally:
        _theme(page, THEMES[0])


def test_stale_verdict_cleared_and_start_again_asks_and_undoes(page: Any) -> None:
    ex = _exercise(page)
    view = ex.locator(".tl-widget")
    ex.get_by_role("button", name="Check").click()
    verdict = ex.locator('span[role="alert"]')
    verdict.wait_for(state="visible")
    # the learner joins A:j to B:i with the pointer: the old verdict no longer applies
    drag(page, _leg_end(view, "A:j"), _leg_end(view, "B:i"))
    assert until(page, "len(ex.diagram.wires())", 1) == 1
    verdict.wait_for(state="detached")
    drawn = py(page, "ex.diagram.to_einsum()")
    saved = "__import__('json').load(open('tensorlessons_answers/wq-matmul.json'))"
    assert until(page, f"len({saved}['output'])", 2) == 2  # saved after the edit
    # Start again asks first; "Keep my drawing" changes nothing
    ex.get_by_role("button", name="Start again").click()
    confirm = ex.locator(".tl-confirm-reset")
    confirm.wait_for(state="visible")
    assert "Undo" in confirm.text_content()
    confirm.get_by_role("button", name="Keep my drawing").click()
    confirm.wait_for(state="hidden")
    assert py(page, "ex.diagram.to_einsum()") == drawn
    # confirmed: the start again, the answers file kept (holding the start)
    ex.get_by_role("button", name="Start again").click()
    confirm.get_by_role("button", name="Yes, start again").click()
    assert until(page, "len(ex.diagram.wires())", 0) == 0
    assert until(page, f"len({saved}['output'])", 4) == 4
    # ... and the widget's Undo brings the drawing back (and saves it)
    undo = view.locator('[data-action="undo"]')
    assert undo.is_enabled()
    undo.click()
    assert until(page, "ex.diagram.to_einsum()", drawn) == drawn
    assert until(page, f"len({saved}['output'])", 2) == 2


def test_attention_number_on_the_most_attended_token(page: Any) -> None:
    w = page.locator(".tl-attn-pattern")
    w.locator('.tl-attn-row[data-query="5"] rect[data-key="0"]').hover()
    assert until(page, "att.query", 5) == 5
    best = py(page, "int(att.pattern()[5].argmax())")
    weight = py(page, "float(att.pattern()[5].max())")
    chip = w.locator(f'.tl-attn-chip[data-pos="{best}"]')
    text, value = chip.locator(".tl-attn-chiptext"), chip.locator(".tl-attn-chipvalue")
    assert value.text_content() == f"{weight:.2f}"
    boxes = [loc.bounding_box() for loc in (text, value, chip.locator(".tl-attn-link"))]
    assert all(b is not None for b in boxes), boxes
    t, v, bar = boxes
    for b in (t, v):  # the bar is above the text and the number, not on them
        assert bar["y"] + bar["height"] <= b["y"] + 0.5, (bar, b)
    assert t["x"] + t["width"] <= v["x"] + 0.5, (t, v)  # the number beside the token
    shade = chip.locator(".tl-attn-chipbox")
    try:
        for theme in THEMES:
            _theme(page, theme)
            kernel(page, "att.query = 5")  # the pointer may have left the grid meanwhile
            value.wait_for()
            for loc in (text, value):
                ratio = painted_contrast(loc, under=shade)
                assert ratio >= 4.5, (theme, loc, round(ratio, 2))
    finally:
        _theme(page, THEMES[0])
