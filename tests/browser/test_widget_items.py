"""Small things a learner meets in the widgets, checked in JupyterLab (real Chromium).

- The error alert and a drawing exercise's verdict read at >= 4.5:1 contrast (WCAG AA) in
  the light and the dark theme, measured on the painted colours.
- A verdict on an earlier drawing goes away when the drawing changes.
- *Start again* asks first; once confirmed, the widget's Undo brings the drawing back,
  and the answers file is kept (holding the drawing again after the undo).
- The result panel names the result's legs as the picture does, and large FLOP counts
  read 4e6, not 4,000,000 (nor 20-digit integers).
- The widget's Reset asks first and is undone by Undo.
- The attention widget shows the number on the most-attended token, and nothing (its bar,
  its shade) hides the token or the number.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from contrast import painted_contrast
from harness import (
    JupyterServer,
    click_wire,
    drag,
    kernel,
    open_notebook,
    py,
    until,
    write_notebook,
)

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
    # a chain of 100 x 100 matrices, saved under a key (so it has a Reset button)
    "M = np.random.default_rng(0).standard_normal((100, 100))\n"
    'wr = tl.DiagramWidget(tl.Diagram.from_einsum("ij,jk,kl->il", M, M, M, names=["A", "B", "C"]),\n'
    '    key="wq-reset")\n'
    "wr",
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
        "() => document.querySelectorAll('.tl-widget[data-ready]').length === 3", timeout=90_000
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


def _chain(page: Any) -> Any:
    return page.locator(".tl-widget").filter(has=page.locator('[data-tensor="C"]'))


def test_result_legs_named_as_drawn_and_readable_flops(page: Any) -> None:
    w = _chain(page)
    cost = w.locator(".tl-cost").text_content()
    flops = py(page, "wr.diagram.cost().flops")
    assert flops > 1e6
    mantissa, exp = f"{flops:.1e}".split("e")
    assert f"cost: {mantissa.removesuffix('.0')}e{int(exp)} FLOPs" in cost, (cost, flops)
    assert re.search(r"\d[\d,]{7,}", cost) is None, cost  # no long runs of digits
    # cut the wire between A and B with the pointer: both freed legs are drawn "j (100)"
    w.locator("svg.tl-svg").scroll_into_view_if_needed()
    click_wire(page, w, "j")
    old = w.locator("svg.tl-svg").get_attribute("data-version")
    w.locator('[data-action="cut"]').click()
    page.wait_for_function(
        "([el, v]) => el.getAttribute('data-version') !== v",
        arg=[w.locator("svg.tl-svg").element_handle(), old],
    )
    assert sorted(py(page, "wr.diagram.output")) == ["i", "j", "j2", "l"]
    drawn = w.locator(".tl-stub .tl-label").all_text_contents()
    assert drawn.count("j (100)") == 2, drawn
    legs = w.locator(".tl-result .tl-legs").text_content()
    names = legs.removeprefix("legs: ").split(" · ")[0].split(", ")
    assert sorted(names) == ["A:j", "B:j", "i", "l"], legs
    for name in names:  # each is a label of the picture (with its tensor where two read alike)
        assert f"{name.split(':')[-1]} (100)" in drawn, (name, drawn)


def test_reset_asks_first_and_undo_brings_the_drawing_back(page: Any) -> None:
    w = _chain(page)
    before = py(page, "wr.diagram.to_einsum()")
    w.locator('[data-action="reset"]').click()
    confirm = w.locator(".tl-confirm")
    confirm.wait_for(state="visible")
    assert "Undo" in confirm.text_content()
    confirm.locator('[data-action="reset-no"]').click()
    confirm.wait_for(state="hidden")
    assert py(page, "wr.diagram.to_einsum()") == before
    w.locator('[data-action="reset"]').click()
    confirm.locator('[data-action="reset-yes"]').click()
    start = "ij,jk,kl->il"
    assert until(page, "wr.diagram.to_einsum()", start) == start
    saved = "__import__('json').load(open('tensorlessons_answers/wq-reset.json'))['output']"
    assert until(page, f"len({saved})", 2) == 2  # the answers file is kept, holding the start
    w.locator('[data-action="undo"]').click()
    assert until(page, "wr.diagram.to_einsum()", before) == before
