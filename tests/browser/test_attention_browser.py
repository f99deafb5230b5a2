"""The attention-pattern and logit-attribution widgets in JupyterLab 4 (real Chromium)."""

from __future__ import annotations

from typing import Any

import pytest
from harness import JupyterServer, kernel, open_notebook, py, until, write_notebook

CELLS = [
    "import tensorlessons as tl\n"
    "model = tl.induction_transformer(d_vocab=10, n_ctx=16)\n"
    "labels = ['<b>a</b>'] + list('bcdefghij')\n"
    "tokens = [0, 3, 5, 7, 0, 3, 5, 7]\n"
    "w = tl.AttentionPatternWidget(model, tokens, layer=1, token_labels=labels)\n"
    "w",
    "g = tl.LogitAttributionWidget(model, tokens, position=4, token_labels=labels)\ng",
]


@pytest.fixture(scope="module")
def page(jupyter: JupyterServer, context: Any) -> Any:
    write_notebook(jupyter.root / "attention_widgets.ipynb", CELLS)
    page = context.new_page()
    open_notebook(page, jupyter, "attention_widgets.ipynb")
    page.wait_for_selector(".tl-attn-pattern .tl-attn-cell", timeout=60_000)
    page.wait_for_selector(".tl-logits .tl-logits-row", timeout=60_000)
    yield page
    page.close()


def test_pattern_grid_and_text_labels(page: Any) -> None:
    w = page.locator(".tl-attn-pattern")
    assert w.locator(".tl-attn-cell").count() == 8 * 8
    labels = w.locator(".tl-attn-qlabel").all_text_contents()
    assert labels == py(page, "w.token_text")
    assert labels[0] == "<b>a</b>"  # drawn as text, not HTML
    assert w.locator("b").count() == 0
    # The layer-1 head of the hand-built model: query 4 ([a] again) attends to key 1.
    opacity = w.locator('.tl-attn-row[data-query="4"] rect[data-key="1"]').get_attribute(
        "fill-opacity"
    )
    assert float(opacity) > 0.9


def test_hover_links_query_to_keys(page: Any) -> None:
    w = page.locator(".tl-attn-pattern")
    w.locator('.tl-attn-row[data-query="5"] rect[data-key="0"]').hover()
    assert until(page, "w.query", 5) == 5
    assert w.locator(".tl-attn-row.tl-attn-active").get_attribute("data-query") == "5"
    strong = w.locator(".tl-attn-klabel.tl-attn-strong").evaluate_all(
        "els => els.map(e => e.dataset.key)"
    )
    assert strong == ["2"]  # query 5 is a repeat of position 1: it attends to position 2
    assert w.locator(".tl-attn-link").count() >= 1
    assert "query 5" in w.locator(".tl-attn-readout").text_content()


def test_choose_head_in_widget_and_from_python(page: Any) -> None:
    w = page.locator(".tl-attn-pattern")
    w.locator('select[aria-label="layer"]').select_option("0")
    assert until(page, "w.layer", 0) == 0
    kernel(page, "w.layer = 1")
    page.wait_for_function(
        "() => document.querySelector('.tl-attn-pattern select[aria-label=\"layer\"]').value === '1'"
    )
    kernel(page, "w.tokens = [1, 2, 1]")
    page.wait_for_function(
        "() => document.querySelectorAll('.tl-attn-pattern .tl-attn-cell').length === 9"
    )
    assert w.locator(".tl-attn-qlabel").all_text_contents() == ["b", "c", "b"]


def test_logit_bars_follow_selection(page: Any) -> None:
    g = page.locator(".tl-logits")
    names = py(page, "g.path_names")
    assert g.locator(".tl-logits-row").count() == len(names)
    assert g.locator(".tl-logits-name").all_text_contents() == names
    g.locator('select[aria-label="position"]').select_option("5")
    assert until(page, "g.position", 5) == 5
    kernel(page, "g.target = 9")
    page.wait_for_function(
        "() => document.querySelector('.tl-logits .tl-attn-readout').textContent.includes('logit of j')"
    )
    shown = [float(v.replace("−", "-")) for v in g.locator(".tl-logits-value").all_text_contents()]
    expected = py(page, "[round(float(x), 3) for x in g.contributions()]")
    assert shown == pytest.approx(expected, abs=1e-3)


def _chapter_cells(*ids: str) -> list[str]:
    """Code cells of the learner's copy of chapter 10, by their stable ids."""
    import json
    from pathlib import Path

    nb = json.loads(
        (Path(__file__).resolve().parents[2] / "chapters" / "10_induction_heads.ipynb").read_text()
    )
    cells = {c.get("id"): "".join(c["source"]) for c in nb["cells"]}
    return [cells[i] for i in ids]


@pytest.fixture(scope="module")
def text_page(jupyter: JupyterServer, context: Any) -> Any:
    """Chapter 10's real-text widget, made by the learner copy's own cells."""
    cells = _chapter_cells("c10-001", "c10-111", "c10-115") + ["w = _"]
    write_notebook(jupyter.root / "real_text_attention.ipynb", cells)
    page = context.new_page()
    open_notebook(page, jupyter, "real_text_attention.ipynb")
    page.wait_for_selector(".tl-attn-pattern .tl-attn-cell", timeout=120_000)
    until(page, "type(globals().get('w')).__name__", "AttentionPatternWidget", timeout=60)
    yield page
    page.close()


# Each label's box as drawn (its text box through its transform: key labels are rotated),
# as four corners in page coordinates.
_CORNERS = """els => els.map(e => {
  const b = e.getBBox(), m = e.getScreenCTM();
  return [[b.x, b.y], [b.x + b.width, b.y], [b.x + b.width, b.y + b.height], [b.x, b.y + b.height]]
    .map(([x, y]) => { const p = new DOMPoint(x, y).matrixTransform(m); return [p.x, p.y]; });
})"""


def _depth(a: list, b: list) -> float:
    """How deep two convex polygons overlap (0 if apart): the least overlap of their
    projections over the edge normals of both (separating axes)."""
    depth = float("inf")
    for poly in (a, b):
        for (x0, y0), (x1, y1) in zip(poly, poly[1:] + poly[:1], strict=True):
            nx, ny = y0 - y1, x1 - x0
            norm = (nx * nx + ny * ny) ** 0.5 or 1.0
            pa = [(x * nx + y * ny) / norm for x, y in a]
            pb = [(x * nx + y * ny) / norm for x, y in b]
            depth = min(depth, min(max(pa), max(pb)) - max(min(pa), min(pb)))
    return max(depth, 0.0)


def _overlaps(polys: list, slack: float) -> list[tuple[int, int, float]]:
    return [
        (i, j, round(d, 1))
        for i in range(len(polys))
        for j in range(i + 1, len(polys))
        if (d := _depth(polys[i], polys[j])) > slack
    ]


def test_real_text_widget_labels_readable(text_page: Any) -> None:
    w = text_page.locator(".tl-attn-pattern")
    n = py(text_page, "len(w.tokens)")
    assert n == 48
    assert w.locator(".tl-attn-cell").count() == n * n
    labels = w.locator(".tl-attn-qlabel").all_text_contents()
    assert labels == py(text_page, "w.token_text")
    # newline and space are drawn as visible marks, never as blank labels
    assert all(label.strip() for label in labels), labels
    frame = w.bounding_box()
    assert frame is not None
    for kind in ("qlabel", "klabel"):
        polys = w.locator(f".tl-attn-{kind}").evaluate_all(_CORNERS)
        assert len(polys) == n
        # text boxes include the font's ascent and descent: 1.5 px of them may touch
        assert _overlaps(polys, slack=1.5) == [], kind
        for poly in polys:  # inside the widget: nothing clipped
            for x, y in poly:
                assert frame["x"] - 0.5 <= x <= frame["x"] + frame["width"] + 0.5, (kind, x)
                assert y >= frame["y"] - 0.5, (kind, y)


def test_real_text_widget_shows_the_induction_stripe(text_page: Any) -> None:
    """Hover each character of the second copy as a person does: the key label the widget
    shades darkest is the model's own argmax, and for most characters that is the stripe
    (the character after the same one in the first copy), as the chapter says."""
    w = text_page.locator(".tl-attn-pattern")
    argmax = py(
        text_page, "text_model.attention_patterns(short)[1, best][24:].argmax(axis=1).tolist()"
    )
    on_stripe = 0
    for q in range(24, 48):
        w.locator(f'.tl-attn-row[data-query="{q}"] rect[data-key="0"]').hover()
        assert until(text_page, "w.query", q) == q
        shade = w.locator(".tl-attn-klabel").evaluate_all(
            "els => els.map(e => [Number(e.dataset.key), Number(e.getAttribute('fill-opacity'))])"
        )
        darkest = max(shade, key=lambda ko: ko[1])[0]
        assert darkest == argmax[q - 24], (q, darkest, argmax[q - 24])
        on_stripe += darkest == q - 23
    assert on_stripe >= 12, on_stripe
