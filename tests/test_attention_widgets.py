"""Python-side state of the attention-pattern and logit-attribution widgets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import traitlets

import tensorlessons as tl
from tensorlessons import DiagramError
from tensorlessons import transformer as T
from tensorlessons.attention import AttentionPatternWidget, LogitAttributionWidget

STATIC = Path(tl.__file__).parent / "static"


def decode(buf: bytes) -> np.ndarray:
    return np.frombuffer(buf, dtype="<f8")


@pytest.fixture(scope="module")
def model() -> T.AttentionOnlyTransformer:
    return T.AttentionOnlyTransformer.random(2, 3, 10, 4, d_vocab=8, n_ctx=12, seed=2)


TOKENS = [1, 7, 3, 3, 0, 5]


def test_lazy_exports():
    assert tl.AttentionPatternWidget is AttentionPatternWidget
    assert tl.LogitAttributionWidget is LogitAttributionWidget


def test_static_files_exist():
    for name in ("attention.js", "logits.js", "attention.css"):
        assert (STATIC / name).is_file()
    js = (STATIC / "attention.js").read_text() + (STATIC / "logits.js").read_text()
    assert "innerHTML" not in js  # token strings are text, never HTML
    assert "export default" in js


def test_pattern_widget_state(model):
    w = AttentionPatternWidget(model, TOKENS, layer=1, head=2, token_labels=list("abcdefgh"))
    assert (w.n_layers, w.n_heads, w.seq) == (2, 3, 6)
    assert (w.layer, w.head, w.query) == (1, 2, -1)
    assert w.token_text == ["b", "h", "d", "d", "a", "f"]
    assert w.token_ids == TOKENS
    A = model.attention_patterns(TOKENS)
    np.testing.assert_array_equal(decode(w.patterns).reshape(A.shape), A)
    np.testing.assert_array_equal(w.pattern(), A[1, 2])
    w.head = 0
    np.testing.assert_array_equal(w.pattern(), A[1, 0])


def test_pattern_widget_updates_from_python(model):
    w = AttentionPatternWidget(model, TOKENS)
    w.tokens = [2, 2, 4]
    assert w.seq == 3 and w.token_text == ["2", "2", "4"]
    np.testing.assert_array_equal(
        decode(w.patterns).reshape(2, 3, 3, 3), model.attention_patterns([2, 2, 4])
    )
    w.layer, w.head = 1, 2
    other = T.induction_transformer(d_vocab=8, n_ctx=12)
    w.model = other
    assert (w.n_layers, w.n_heads, w.layer, w.head) == (2, 1, 1, 0)
    np.testing.assert_array_equal(w.pattern(), other.attention_patterns([2, 2, 4])[1, 0])


def test_pattern_widget_errors(model):
    with pytest.raises(DiagramError, match="token 8 at position 1"):
        AttentionPatternWidget(model, [0, 8])
    with pytest.raises(DiagramError, match="head 3 does not exist"):
        AttentionPatternWidget(model, TOKENS, head=3)
    with pytest.raises(DiagramError, match="token_labels has 2 entries"):
        AttentionPatternWidget(model, TOKENS, token_labels=["a", "b"])
    with pytest.raises(DiagramError, match="one sequence"):
        AttentionPatternWidget(model, [TOKENS, TOKENS])
    w = AttentionPatternWidget(model, TOKENS)
    with pytest.raises(traitlets.TraitError, match="layer 2 does not exist"):
        w.layer = 2
    with pytest.raises(DiagramError, match="more than the model's context"):
        w.tokens = list(range(8)) * 2
    assert w.seq == 6  # a refused change leaves the widget as it was


def test_logit_widget_state(model):
    w = LogitAttributionWidget(model, TOKENS, position=2)
    terms = T.path_expansion(model, TOKENS)
    assert w.path_names == list(terms)
    assert w.position == 2 and w.target == TOKENS[3]  # default: the actual next token
    expected = np.array([terms[n][2, TOKENS[3]] for n in terms])
    np.testing.assert_allclose(decode(w.values), expected)
    np.testing.assert_allclose(w.contributions(), expected)
    logits = model(TOKENS)
    assert w.total == pytest.approx(logits[2, TOKENS[3]])
    assert decode(w.values).sum() == pytest.approx(w.total, abs=1e-10)
    p = np.exp(logits[2] - logits[2].max())
    p /= p.sum()
    assert w.prediction["token"] == int(logits[2].argmax())
    assert w.prediction["prob"] == pytest.approx(p.max())
    assert w.prediction["target_prob"] == pytest.approx(p[TOKENS[3]])


def test_logit_widget_updates_from_python(model):
    w = LogitAttributionWidget(model, TOKENS, token_labels=[f"t{k}" for k in range(8)])
    assert w.position == 5
    assert w.target == int(model(TOKENS)[5].argmax())  # no next token: the top prediction
    w.position, w.target = 0, 6
    np.testing.assert_allclose(
        decode(w.values), [t[0, 6] for t in T.path_expansion(model, TOKENS).values()]
    )
    w.tokens = [4, 4]
    assert w.position == 0 and w.token_text == ["t4", "t4"]
    np.testing.assert_allclose(decode(w.values).sum(), model([4, 4])[0, 6], atol=1e-10)
    with pytest.raises(traitlets.TraitError, match="position 2 is outside"):
        w.position = 2
    with pytest.raises(traitlets.TraitError, match="target token 8 is outside"):
        w.target = 8
    with pytest.raises(DiagramError, match="target token 9"):
        LogitAttributionWidget(model, TOKENS, target=9)
    with pytest.raises(DiagramError, match="position 6 is outside"):
        LogitAttributionWidget(model, TOKENS, position=6)


def test_logit_widget_hand_built_induction():
    model = T.induction_transformer()
    tokens = T.repeated_random_tokens(8, 16, seed=4)
    w = LogitAttributionWidget(model, tokens, position=10)
    bars = dict(zip(w.path_names, w.contributions(), strict=True))
    # The induction head's path carries the prediction; the rest is zero in this model.
    assert w.target == tokens[11]
    assert bars["L1H0"] == pytest.approx(w.total)
    assert bars["L1H0"] > 5


def test_token_strip_wraps_and_query_axis_is_clear():
    # 32 tokens must not run off the right edge: the chips are HTML in a wrapping flexbox
    # (not one wide SVG), and "query ↓" heads the label column instead of touching the
    # last row's label.
    import re

    css = (STATIC / "attention.css").read_text()
    js = (STATIC / "attention.js").read_text()
    rule = re.search(r"\.tl-attn-strip\s*\{([^}]*)\}", css)
    assert rule and "flex-wrap: wrap" in rule.group(1) and "display: flex" in rule.group(1)
    assert 'html("div", "tl-attn-strip")' in js
    axis = re.search(r'const axisQ = svg\("text", \{([^}]*)\}', js)
    assert axis and "y: margin - 8" in axis.group(1)  # above the first row, not below the last
