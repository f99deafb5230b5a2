"""How the widget looks in JupyterLab: nothing clipped, names inside their boxes, no overlaps.

The notebook shows the diagrams a learner meets (a chain, a trace, a Hadamard product
through a copy tensor, a batch hyperedge, an MPS, long names, a read-only widget, a
circuit diagram). Set ``TENSORLESSONS_SCREENSHOTS=<dir>`` to also save light and dark
screenshots of every widget there, for a person to look at.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from harness import JupyterServer, open_notebook, write_notebook

CELLS = [
    "import numpy as np\nimport tensorlessons as tl\nrng = np.random.default_rng(0)\n"
    "r = lambda *s: rng.standard_normal(s)",
    # chain
    'tl.DiagramWidget(tl.Diagram.from_einsum("ij,jk,kl->il", r(2, 3), r(3, 4), r(4, 5),'
    ' names=["A", "B", "C"]))',
    # trace
    'tl.DiagramWidget(tl.Diagram.from_einsum("ii->", r(3, 3), names=["M"]))',
    # Hadamard product through an explicit copy tensor
    "h = tl.Diagram.from_arrays({'u': r(3), 'v': r(3)})\n"
    "h.add_copy('c', 3, 3)\n"
    "h.connect('u:i', 'c:i').connect('v:i', 'c:j').auto_layout()\n"
    "tl.DiagramWidget(h)",
    # 3-leg tensors with a batch hyperedge
    'tl.DiagramWidget(tl.Diagram.from_einsum("bij,bjk->bik", r(2, 3, 4), r(2, 4, 5),'
    ' names=["P", "Q"]))',
    # matrix product state of 6 sites
    'mps = tl.Diagram.from_einsum("ai,ibj,jck,kdl,lem,mf->abcdef", r(2, 3), r(3, 2, 3),'
    " r(3, 2, 3), r(3, 2, 3), r(3, 2, 3), r(3, 2), names=[f'S{k}' for k in range(6)])\n"
    "tl.DiagramWidget(mps)",
    # long names
    'tl.DiagramWidget(tl.Diagram.from_einsum("ab,bc,cd->ad", r(2, 3), r(3, 3), r(3, 4),'
    ' names=["W_E W_V", "attn pattern", "W_U"]))',
    # read-only
    'tl.DiagramWidget(tl.Diagram.from_einsum("ij,j->i", r(2, 3), r(3), names=["readonly",'
    ' "x"]), editable=False)',
    # values whose text is long, in the editable value table
    'tl.DiagramWidget(tl.Diagram.from_arrays({"small": np.array([[-0.001234, -1234567.0],'
    " [-2.5e-7, 0.5]])}))",
    # a circuit diagram (long names placed on a grid)
    "from tensorlessons.transformer import AttentionOnlyTransformer\n"
    "from tensorlessons.circuits import head_diagram\n"
    "model = AttentionOnlyTransformer.random(1, 2, 6, 3, d_vocab=5, n_ctx=8)\n"
    "tl.DiagramWidget(head_diagram(model, [[1, 2], [3, 4]], 0, 1))",
    # a lone tensor whose result is wider than the panel
    'tl.DiagramWidget(tl.Diagram.from_arrays({"wide": r(3, 40) * 1e5}))',
]
N_WIDGETS = len(CELLS) - 1

# Extents (screen pixels) of every text and box of every widget, and of its svg.
_MEASURE = """() => Array.from(document.querySelectorAll('.tl-widget')).map((w) => {
  const svg = w.querySelector('svg.tl-svg');
  const r = (e) => { const b = e.getBoundingClientRect();
    return [b.left, b.top, b.right, b.bottom]; };
  return {
    svg: r(svg),
    texts: Array.from(svg.querySelectorAll('text')).map((t) => [t.textContent, r(t)]),
    boxes: Array.from(svg.querySelectorAll('.tl-tensor')).map((g) => {
      const rect = g.querySelector('rect');
      const name = g.querySelector('.tl-name, .tl-copy-name');
      return [g.dataset.tensor, rect ? r(rect) : null, r(name)];
    }),
    palette: w.querySelector('.tl-palette').checkVisibility(),
    copyLegs: w.querySelector('.tl-copy-legs').checkVisibility(),
    removeBtn: w.querySelector('[data-action="remove"]').checkVisibility(),
  };
})"""


@pytest.fixture(scope="module")
def page(jupyter: JupyterServer, context: Any) -> Any:
    write_notebook(jupyter.root / "look.ipynb", CELLS)
    page = context.new_page()
    open_notebook(page, jupyter, "look.ipynb")
    page.wait_for_function(
        f"() => document.querySelectorAll('.tl-widget[data-ready]').length === {N_WIDGETS}",
        timeout=90_000,
    )
    page.wait_for_timeout(300)
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
    page.wait_for_timeout(500)


def _screenshots(page: Any, tag: str) -> None:
    where = os.environ.get("TENSORLESSONS_SCREENSHOTS")
    if not where:
        return
    Path(where).mkdir(parents=True, exist_ok=True)
    widgets = page.locator(".tl-widget")
    for k in range(widgets.count()):
        widgets.nth(k).scroll_into_view_if_needed()
        widgets.nth(k).screenshot(path=str(Path(where) / f"widget{k}-{tag}.png"))


def test_read_only_widget_hides_the_palette(page: Any) -> None:
    shown = page.evaluate(_MEASURE)
    assert len(shown) == N_WIDGETS
    readonly = [k for k, w in enumerate(shown) if any(b[0] == "readonly" for b in w["boxes"])]
    assert len(readonly) == 1
    for k, w in enumerate(shown):
        editable = k not in readonly
        assert (w["palette"], w["removeBtn"]) == (editable, editable), k
        assert not w["copyLegs"]  # only shown when "copy tensor" is chosen


@pytest.mark.parametrize("theme", ["JupyterLab Light", "JupyterLab Dark"])
def test_nothing_is_clipped_and_names_fit(page: Any, theme: str) -> None:
    _theme(page, theme)
    _screenshots(page, theme.split()[-1].lower())
    for k, w in enumerate(page.evaluate(_MEASURE)):
        x0, y0, x1, y1 = w["svg"]
        for text, (a, b, c, d) in w["texts"]:
            assert a >= x0 - 0.5 and b >= y0 - 0.5 and c <= x1 + 0.5 and d <= y1 + 0.5, (
                k,
                text,
                (a, b, c, d),
                w["svg"],
            )
        for name, rect, label in w["boxes"]:
            if rect is not None:  # a box: its name inside, with a little room
                assert rect[0] + 3 <= label[0] and label[2] <= rect[2] - 3, (k, name, rect, label)
        rects = [rect for _, rect, _ in w["boxes"] if rect is not None]
        for i in range(len(rects)):
            for j in range(i + 1, len(rects)):
                p, q = rects[i], rects[j]
                assert p[2] <= q[0] or q[2] <= p[0] or p[3] <= q[1] or q[3] <= p[1], (k, p, q)


def test_value_cells_show_whole_numbers(page: Any) -> None:
    w = page.locator(".tl-widget").filter(has=page.locator('[data-tensor="small"]'))
    w.locator('[data-tensor="small"] rect').click()
    w.locator(".tl-inspect input.tl-cell").first.wait_for()
    cells = w.locator(".tl-inspect input.tl-cell").evaluate_all(
        "(xs) => xs.map((x) => [x.value, x.scrollWidth, x.clientWidth])"
    )
    assert sorted(v for v, _, _ in cells) == sorted(["-0.001234", "-1.23e+6", "-2.50e-7", "0.5"])
    for value, scroll, client in cells:
        assert scroll <= client, (value, scroll, client)


def test_wide_results_scroll_and_a_lone_tensor_costs_nothing(page: Any) -> None:
    """A result wider than its panel scrolls sideways (not cut); nothing to contract is said."""
    w = page.locator(".tl-widget").filter(has=page.locator('[data-tensor="wide"]'))
    result = w.locator(".tl-result")
    result.locator("table.tl-heatmap").wait_for()
    panel = result.locator(".tl-values")
    got = panel.evaluate(
        """(p) => {
          const out = p.closest('.jp-OutputArea-output') || document.body;
          const cells = p.querySelectorAll('table.tl-heatmap td');
          return {panel: p.getBoundingClientRect().right, area: out.getBoundingClientRect().right,
                  scroll: p.scrollWidth, client: p.clientWidth,
                  overflow: getComputedStyle(p).overflowX,
                  last: cells[cells.length - 1].getBoundingClientRect().right,
                  cost: p.closest('.tl-result').querySelector('.tl-cost')?.textContent};
        }"""
    )
    assert got["panel"] <= got["area"] + 0.5, got  # the panel itself is not cut
    assert got["last"] > got["panel"], got  # the table is wider than the panel ...
    assert got["overflow"] in ("auto", "scroll") and got["scroll"] > got["client"], got  # scrolls
    panel.evaluate("(p) => { p.scrollLeft = p.scrollWidth; }")
    last = panel.evaluate(
        "(p) => { const c = p.querySelectorAll('table.tl-heatmap td');"
        " return c[c.length - 1].getBoundingClientRect().right; }"
    )
    assert last <= got["panel"] + 0.5, (last, got)  # ... and its last column can be reached
    assert "nothing to contract" in got["cost"] and "FLOPs" not in got["cost"], got


def test_wires_show_leg_names_and_open_copy_legs_have_ends(page: Any) -> None:
    """The circuit's residual wire reads ``model (6)``; the batch leg b ends like open legs."""
    circuit = page.locator(".tl-widget").filter(has=page.locator('[data-tensor="W_O"]'))
    texts = circuit.locator(".tl-wire-group .tl-label").all_text_contents()
    assert "model (6)" in texts, texts
    batch = page.locator(".tl-widget").filter(has=page.locator('[data-tensor="P"]'))
    end = batch.locator('[data-wire="b"] .tl-open-end')
    assert end.count() == 1
    r = end.bounding_box()
    assert r is not None and 8 <= r["width"] <= 12, r  # the size of an open leg's handle
