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
