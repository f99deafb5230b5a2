"""What the one geometry engine draws, checked in JupyterLab with the browser's own text
extents: a canvas that follows a dragged tensor, labels that cover nothing and never take
the pointer (after a cut between neighbours and two palette additions too), and a drawing
exercise compact enough to keep its Check button in view (chapter 10's key side)."""

from __future__ import annotations

from typing import Any

import pytest
from harness import JupyterServer, center, open_notebook, py, until, write_notebook

CELLS = [
    "import numpy as np\n"
    "import tensorlessons as tl\n"
    "A, B = np.arange(6.0).reshape(2, 3), np.arange(12.0).reshape(3, 4)\n"
    'd = tl.Diagram.from_einsum("ij,jk->ik", A, B, names=["A", "B"])\n'
    "w = tl.DiagramWidget(d)\n"
    "w",
    'e = tl.Diagram.from_einsum("ij,jk->ik", A, B, names=["A", "B"])\nwe = tl.DiagramWidget(e)\nwe',
    # chapter 10's key-side exercise, with small arrays
    "rng = np.random.default_rng(0)\n"
    "n, V, M, H = 8, 12, 16, 4\n"
    "T = np.eye(V)[rng.integers(0, V, n)]\n"
    "k = tl.Diagram()\n"
    'for name, arr, legs, at in [("T_q", T, ["pos", "vocab"], (150, 0)),\n'
    '        ("W_Eq", rng.normal(size=(V, M)), ["vocab", "model"], (300, 0)),\n'
    '        ("W_Q1", rng.normal(size=(M, H)), ["model", "head"], (450, 0)),\n'
    '        ("W_K1", rng.normal(size=(M, H)), ["model", "head"], (600, 0)),\n'
    '        ("W_O0", rng.normal(size=(H, M)), ["head", "model"], (600, 170)),\n'
    '        ("W_V0", rng.normal(size=(M, H)), ["model", "head"], (450, 170)),\n'
    '        ("W_Ek", rng.normal(size=(V, M)), ["vocab", "model"], (300, 170)),\n'
    '        ("T_k", T, ["pos", "vocab"], (150, 170)),\n'
    '        ("A0", rng.random((n, n)), ["query", "key"], (0, 170)),\n'
    '        ("c", np.array(0.5), [], (720, 85))]:\n'
    "    k.add_tensor(name, arr, legs=legs, position=at)\n"
    'k.connect("T_q:vocab", "W_Eq:vocab").connect("W_Eq:model", "W_Q1:model")\n'
    'k.connect("W_Q1:head", "W_K1:head")\n'
    'ex = tl.DiagramExercise("g-key-side", task="Wire the key side.", start=k,\n'
    "    answer=lambda d: None, persist=False, hints=['one', 'two', 'three'])\n"
    "ex",
]

# Every label's extent and every leg end and box, in the SVG's coordinates (getBBox: the
# browser's own text metrics), for one widget.
DRAWN = """(root) => {
  const svg = root.querySelector('.tl-svg');
  const box = (e) => { const b = e.getBBox(); const m = e.getCTM(); const s = svg.getCTM().inverse().multiply(m);
    const p = new DOMPoint(b.x, b.y).matrixTransform(s), q = new DOMPoint(b.x + b.width, b.y + b.height).matrixTransform(s);
    return [p.x, p.y, q.x, q.y]; };
  const labels = [...svg.querySelectorAll('.tl-label')].map((e) => [e.textContent, box(e)]);
  const ends = [...svg.querySelectorAll('.tl-handle, .tl-end')].map((e) => {
    const b = box(e); return [e.closest('[data-leg]')?.dataset.leg || 'open', (b[0] + b[2]) / 2, (b[1] + b[3]) / 2]; });
  const boxes = [...svg.querySelectorAll('.tl-box')].map((e) => [e.closest('[data-tensor]').dataset.tensor, box(e)]);
  const vb = svg.viewBox.baseVal;
  return { labels, ends, boxes, view: [vb.x, vb.y, vb.x + vb.width, vb.y + vb.height] };
}"""


def overlaps(a: list[float], b: list[float], slack: float = 0.5) -> bool:
    return (
        a[0] < b[2] - slack and b[0] < a[2] - slack and a[1] < b[3] - slack and b[1] < a[3] - slack
    )


def problems(drawn: dict[str, Any]) -> list[str]:
    """Label-label, label-end and label-box overlaps; shapes outside the view; ends too close."""
    out = []
    labels, ends, boxes = drawn["labels"], drawn["ends"], drawn["boxes"]
    for i in range(len(labels)):
        for j in range(i + 1, len(labels)):
            if overlaps(labels[i][1], labels[j][1]):
                out.append(f"labels {labels[i][0]!r} and {labels[j][0]!r} overlap")
        for ref, x, y in ends:
            if overlaps(labels[i][1], [x - 4, y - 4, x + 4, y + 4]):
                out.append(f"label {labels[i][0]!r} covers the end of {ref}")
        for name, b in boxes:
            if overlaps(labels[i][1], b):
                out.append(f"label {labels[i][0]!r} covers box {name}")
    v = drawn["view"]
    for what, b in [*labels, *boxes]:
        if b[0] < v[0] - 0.5 or b[1] < v[1] - 0.5 or b[2] > v[2] + 0.5 or b[3] > v[3] + 0.5:
            out.append(f"{what!r} outside the picture")
    for i in range(len(ends)):
        for j in range(i + 1, len(ends)):
            if abs(ends[i][1] - ends[j][1]) < 12 and abs(ends[i][2] - ends[j][2]) < 12:
                out.append(f"ends of {ends[i][0]} and {ends[j][0]} within a grab")
    return out


@pytest.fixture(scope="module")
def page(jupyter: JupyterServer, context: Any) -> Any:
    write_notebook(jupyter.root / "geometry.ipynb", CELLS)
    page = context.new_page()
    open_notebook(page, jupyter, "geometry.ipynb")
    page.wait_for_selector(".tl-diagram-exercise .tl-widget[data-ready]", timeout=90_000)
    yield page
    page.close()


def widget(page: Any, k: int) -> Any:
    return page.locator(".tl-widget").nth(k)


def test_a_tensor_dragged_into_the_empty_area_stays_in_view(page: Any) -> None:
    """Chapter 00's 'drag A somewhere else': right across the stage, then far down."""
    w = widget(page, 0)
    stage = w.locator(".tl-stage").bounding_box()
    rect = w.locator('[data-tensor="A"] rect')
    x, y = center(rect)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 10, y + 5, steps=2)
    target = (stage["x"] + stage["width"] - 60, y)
    page.mouse.move(*target, steps=10)
    during = rect.bounding_box()
    svg = w.locator(".tl-svg").bounding_box()
    # while dragged, A is drawn (not cut off) where the pointer is
    assert (
        svg["x"] <= during["x"] and during["x"] + during["width"] <= svg["x"] + svg["width"] + 0.5
    )
    assert abs(during["x"] + during["width"] / 2 - target[0]) < 3, (during, target)
    page.mouse.up()
    assert until(page, "d.tensor('A').position[0] > 300", True)
    page.wait_for_timeout(500)
    a, svg = rect.bounding_box(), w.locator(".tl-svg").bounding_box()
    assert svg["x"] <= a["x"] and a["x"] + a["width"] <= svg["x"] + svg["width"] + 0.5, (a, svg)
    # now far below the picture: the canvas grows (while dragging, and after the drop)
    h0 = svg["height"]
    x, y = center(rect)
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x, y + 10, steps=2)
    page.mouse.move(x - 100, y + 260, steps=12)
    mid = w.locator(".tl-svg").bounding_box()
    assert mid["height"] > h0 + 150, (h0, mid)
    page.mouse.up()
    assert until(page, "d.tensor('A').position[1] > 250", True)
    page.wait_for_timeout(500)
    a, svg = rect.bounding_box(), w.locator(".tl-svg").bounding_box()
    assert svg["y"] <= a["y"] and a["y"] + a["height"] <= svg["y"] + svg["height"] + 0.5, (a, svg)
    assert problems(w.evaluate(DRAWN)) == []


def test_labels_never_take_the_pointer(page: Any) -> None:
    w = widget(page, 0)
    hits = w.locator(".tl-label").evaluate_all(
        """(ls) => ls.map((l) => { const r = l.getBoundingClientRect();
             const e = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
             return [l.textContent, getComputedStyle(l).pointerEvents, e === l]; })"""
    )
    assert hits and all(pe == "none" and not hit for _, pe, hit in hits), hits


def test_cut_between_neighbours_and_palette_additions_read_cleanly(page: Any) -> None:
    """The freed ends of a cut lie apart, and pressing one picks up that one."""
    w = widget(page, 1)
    py(page, "e.cut('A:j', 'B:j') and None")
    w.locator('[data-leg="B:j"] .tl-handle').wait_for()
    page.wait_for_timeout(300)
    assert problems(w.evaluate(DRAWN)) == []
    for _ in range(2):
        count = w.locator(".tl-tensor").count()
        w.get_by_role("button", name="Add tensor").click()
        page.wait_for_function(
            "([el, n]) => el.querySelectorAll('.tl-tensor').length > n",
            arg=[w.element_handle(), count],
        )
    page.wait_for_timeout(300)
    assert problems(w.evaluate(DRAWN)) == []
    # the leg under the pointer is the one picked up
    w.locator(".tl-svg").scroll_into_view_if_needed()
    for ref in ("A:j", "B:j"):
        x, y = center(w.locator(f'[data-leg="{ref}"] .tl-handle'))
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + 30, y + 40, steps=4)
        start = w.locator(".tl-temp").evaluate(
            "(l) => [+l.getAttribute('x1'), +l.getAttribute('y1')]"
        )
        handle = w.locator(f'[data-leg="{ref}"] .tl-handle').evaluate(
            "(c) => [+c.getAttribute('cx'), +c.getAttribute('cy')]"
        )
        page.mouse.up()
        assert abs(start[0] - handle[0]) < 0.2 and abs(start[1] - handle[1]) < 0.2, (
            ref,
            start,
            handle,
        )


def test_chapter_10_exercise_keeps_check_in_view(page: Any) -> None:
    ex = page.locator(".tl-diagram-exercise")
    ex.scroll_into_view_if_needed()
    top = ex.bounding_box()["y"]
    check = ex.get_by_role("button", name="Check").bounding_box()
    assert check["y"] + check["height"] - top < 760, check["y"] + check["height"] - top
    w = ex.locator(".tl-widget")
    assert w.locator(".tl-inspect").is_hidden()  # no inspector until a tensor is chosen
    assert w.locator("details.tl-values-box").count() == 1
    assert not w.locator("details.tl-values-box").evaluate("(d) => d.open")
    assert problems(w.evaluate(DRAWN)) == []
