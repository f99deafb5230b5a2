"""Circuit diagrams built from a model's weights contract to the model's own numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest

import tensorlessons as tl
from tensorlessons import DiagramError
from tensorlessons import circuits as C
from tensorlessons import transformer as T


@pytest.fixture(scope="module")
def model2() -> T.AttentionOnlyTransformer:
    return T.AttentionOnlyTransformer.random(2, 3, 10, 4, d_vocab=9, n_ctx=12, seed=11)


TOKENS = [3, 1, 4, 1, 5, 8, 2, 6]


def test_lazy_exports():
    assert tl.head_diagram is C.head_diagram
    assert tl.path_expansion_diagrams is C.path_expansion_diagrams


@pytest.mark.parametrize(("layer", "head"), [(0, 0), (0, 2), (1, 1)])
def test_head_diagram_is_head_output(model2, layer, head):
    d = C.head_diagram(model2, TOKENS, layer, head)
    assert isinstance(d, tl.Diagram)
    _, cache = model2.run_with_cache(TOKENS)
    np.testing.assert_allclose(d.contract(), cache[f"head_out.{layer}"][head], atol=1e-12)
    # The tensors are the model's own arrays.
    assert np.shares_memory(d["W_V"], model2.W_V) and np.shares_memory(d["W_O"], model2.W_O)
    np.testing.assert_array_equal(d["A"], model2.attention_patterns(TOKENS)[layer, head])


def test_head_diagram_batch_copy_tensor(model2):
    batch = np.array([TOKENS, TOKENS[::-1]])
    d = C.head_diagram(model2, batch, 1, 2)
    assert d.tensor("copy_batch").kind == "copy"
    _, cache = model2.run_with_cache(batch)
    np.testing.assert_allclose(d.contract(), cache["head_out.1"][:, 2], atol=1e-12)


def test_attention_layer_diagram_sums_heads(model2):
    for layer in range(2):
        d = C.attention_layer_diagram(model2, TOKENS, layer)
        assert d.tensor("copy_heads").kind == "copy"
        assert d.tensor("copy_heads").order == 3
        _, cache = model2.run_with_cache(TOKENS)
        np.testing.assert_allclose(
            d.contract(), cache[f"resid.{layer + 1}"] - cache[f"resid.{layer}"], atol=1e-12
        )


def test_qk_and_ov_diagrams(model2):
    for layer, head in [(0, 1), (1, 0)]:
        np.testing.assert_allclose(
            C.qk_diagram(model2, layer, head).contract(), T.qk_circuit(model2, layer, head)
        )
        np.testing.assert_allclose(
            C.ov_diagram(model2, layer, head).contract(), T.ov_circuit(model2, layer, head)
        )
        scores = C.qk_diagram(model2, layer, head, tokens=TOKENS).contract()
        _, cache = model2.run_with_cache(TOKENS)
        lower = np.tril_indices(len(TOKENS))
        np.testing.assert_allclose(scores[lower], cache[f"scores.{layer}"][head][lower])
        # The pattern is the softmax of the masked scores: the box after the diagram.
        masked = np.where(np.tril(np.ones_like(scores)) > 0, scores, -np.inf)
        e = np.exp(masked - masked.max(-1, keepdims=True))
        np.testing.assert_allclose(
            e / e.sum(-1, keepdims=True), cache[f"pattern.{layer}"][head], atol=1e-12
        )


def test_qk_diagram_einsum_oracle(model2):
    d = C.qk_diagram(model2, 1, 2)
    W_E, W_Q, W_K = model2.W_E, model2.W_Q[1, 2], model2.W_K[1, 2]
    np.testing.assert_allclose(d.contract(), np.einsum("am,me,ne,bn->ab", W_E, W_Q, W_K, W_E))
    assert C.qk_diagram(model2, 1, 2).shape == (9, 9)


def test_embedding_diagrams(model2):
    parts = C.embedding_diagrams(model2, TOKENS)
    np.testing.assert_allclose(
        parts["token"].contract() + parts["position"].contract(), model2.embed(TOKENS)
    )
    np.testing.assert_allclose(parts["token"].contract(), model2.W_E[TOKENS])


def test_path_expansion_diagrams_match_terms(model2):
    terms = T.path_expansion(model2, TOKENS)
    diagrams = C.path_expansion_diagrams(model2, TOKENS)
    assert list(diagrams) == list(terms)
    for name, d in diagrams.items():
        np.testing.assert_allclose(d.contract(), terms[name], atol=1e-12, err_msg=name)
    total = sum(d.contract() for d in diagrams.values())
    np.testing.assert_allclose(total, model2(TOKENS), rtol=0, atol=1e-10)
    v = diagrams["L0H2->L1H1"]
    assert v.names == [
        "A_L1H1",
        "A_L0H2",
        "x0",
        "W_V_L0H2",
        "W_O_L0H2",
        "W_V_L1H1",
        "W_O_L1H1",
        "W_U",
    ]


def test_one_layer_path_expansion_diagrams():
    m = T.AttentionOnlyTransformer.random(1, 2, 6, 3, d_vocab=7, n_ctx=8, seed=2)
    ds = C.path_expansion_diagrams(m, [0, 6, 2, 2])
    assert list(ds) == ["direct", "L0H0", "L0H1"]
    np.testing.assert_allclose(sum(d.contract() for d in ds.values()), m([0, 6, 2, 2]), atol=1e-10)


@pytest.mark.parametrize(
    "model",
    [T.induction_transformer(), T.AttentionOnlyTransformer.random(2, 3, 10, 4, 9, 16, seed=4)],
    ids=["hand-built", "random"],
)
def test_induction_circuit_diagrams(model):
    tokens = T.repeated_random_tokens(8, 9)
    lp, hp, li, hi = 0, model.n_heads - 1, 1, 0
    parts = C.induction_circuit_diagrams(model, tokens, (lp, hp), (li, hi))
    _, cache = model.run_with_cache(tokens)
    # "output": the induction head's own contribution to the logits.
    np.testing.assert_allclose(
        parts["output"].contract(), cache["head_out.1"][hi] @ model.W_U, atol=1e-10
    )
    # "keys": the K-composition term; with the other key-side terms it rebuilds the scores.
    X = cache["resid.1"]
    QK = model.W_QK[li, hi] / math.sqrt(model.d_head)
    others = X @ QK @ cache["embed"].T
    for h in range(model.n_heads):
        if h != hp:
            others = others + X @ QK @ cache["head_out.0"][h].T
    total = parts["keys"].contract() + others
    lower = np.tril_indices(16)
    np.testing.assert_allclose(total[lower], cache["scores.1"][hi][lower], atol=1e-9)


def test_hand_built_induction_keys_term_does_the_matching():
    model = T.induction_transformer()
    tokens = T.repeated_random_tokens(16, 16, seed=2)
    keys = C.induction_circuit_diagrams(model, tokens)["keys"].contract()
    q = np.arange(17, 32)
    # Each second-half query's K-composition score peaks on the token after its first copy.
    assert np.array_equal(keys[q][:, :32].argmax(-1), q - 15)


def test_errors(model2):
    with pytest.raises(DiagramError, match="earlier layer"):
        C.induction_circuit_diagrams(model2, TOKENS, (1, 0), (0, 1))
    with pytest.raises(DiagramError, match="one sequence"):
        C.path_expansion_diagrams(model2, [TOKENS, TOKENS])
    with pytest.raises(DiagramError, match="head 5 does not exist"):
        C.head_diagram(model2, TOKENS, 0, 5)
    with pytest.raises(DiagramError, match="token 9 at position 0"):
        C.qk_diagram(model2, 0, 0, tokens=[9])


def _grid_extent(d: tl.Diagram) -> tuple[int, int]:
    xs = {round(d.tensor(n).position[0]) for n in d.names}
    ys = {round(d.tensor(n).position[1]) for n in d.names}
    return len(xs), len(ys)


def test_circuit_diagrams_are_laid_out_compactly(model2):
    # Path terms and the induction circuit are drawn on a grid, not as one long row:
    # distinct places, patterns stacked above x0, at most 2 * heads + 2 columns.
    diagrams = dict(C.path_expansion_diagrams(model2, TOKENS))
    parts = C.induction_circuit_diagrams(model2, TOKENS, (0, 1), (1, 2))
    diagrams.update({f"induction {k}": v for k, v in parts.items()})
    diagrams["head"] = C.head_diagram(model2, TOKENS, 1, 0)
    for key, d in diagrams.items():
        places = [d.tensor(n).position for n in d.names]
        assert len(set(places)) == len(places), f"{key}: two tensors in one place {places}"
        cols, rows = _grid_extent(d)
        assert cols <= 6 and cols < len(d.names) or len(d.names) <= 2, (key, cols, rows)
    virtual = diagrams["L0H1->L1H2"]
    x0 = virtual.tensor("x0").position
    a_first, a_last = virtual.tensor("A_L0H1").position, virtual.tensor("A_L1H2").position
    assert a_first[0] == a_last[0] == x0[0] and a_last[1] < a_first[1] < x0[1]
    assert virtual.tensor("W_U").position[1] == x0[1]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"biases": True},
        {"biases": True, "positional": "shortformer"},
        {"biases": True, "normalization": "LNPre"},
        {"normalization": "RMSPre", "positional": "shortformer"},
    ],
)
def test_path_expansion_diagrams_with_biases_and_norms(kwargs):
    m = T.AttentionOnlyTransformer.random(2, 2, 6, 3, 5, 8, seed=4, **kwargs)
    tokens = [1, 2, 3, 0, 4]
    terms = T.path_expansion(m, tokens)
    diagrams = C.path_expansion_diagrams(m, tokens)
    assert list(diagrams) == list(terms)
    for name, d in diagrams.items():
        np.testing.assert_allclose(d.contract(), terms[name], atol=1e-12, err_msg=name)
    np.testing.assert_allclose(sum(d.contract() for d in diagrams.values()), m(tokens), atol=1e-12)
    if kwargs.get("biases"):
        assert diagrams["L0.bias->L1H1"].names[:2] == ["A_L1H1", "ones"]
        assert "bias_L0" in diagrams["L0.bias->L1H1"].names
    if kwargs.get("normalization"):
        names = diagrams["L0H0->L1H1"].names
        assert {"S_L0", "S_L1", "S_final"} <= set(names)
        assert ("C_L0" in names) == (kwargs["normalization"] == "LNPre")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"biases": True},
        {"biases": True, "positional": "shortformer"},
        {"biases": True, "normalization": "LNPre"},
    ],
)
def test_head_and_score_diagrams_with_biases_and_norms(kwargs):
    """Biases enter as one more weight row read from a constant 1 (homogeneous coordinates)."""
    m = T.AttentionOnlyTransformer.random(2, 2, 6, 3, 5, 8, seed=6, **kwargs)
    tokens = [1, 2, 3, 0, 4]
    _, cache = m.run_with_cache(tokens)
    for layer, head in [(0, 1), (1, 0)]:
        np.testing.assert_allclose(
            C.head_diagram(m, tokens, layer, head).contract(),
            cache[f"head_out.{layer}"][head],
            atol=1e-12,
        )
        scores = cache[f"scores.{layer}"][head]
        below = np.tril(np.ones_like(scores, dtype=bool))
        got = C.qk_diagram(m, layer, head, tokens).contract()
        np.testing.assert_allclose(got[below], scores[below], atol=1e-12)
    np.testing.assert_allclose(
        C.attention_layer_diagram(m, tokens, 1).contract(),
        cache["head_out.1"].sum(axis=0),
        atol=1e-12,
    )
    if m.normalization is None:
        parts = C.induction_circuit_diagrams(m, tokens, (0, 1), (1, 0))
        np.testing.assert_allclose(
            parts["output"].contract(), cache["head_out.1"][0] @ m.W_U, atol=1e-12
        )
    else:
        with pytest.raises(DiagramError, match="normalization"):
            C.induction_circuit_diagrams(m, tokens, (0, 1), (1, 0))
