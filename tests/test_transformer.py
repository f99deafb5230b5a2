"""Tests for tensorlessons.transformer: the model, its paths, circuits and diagrams."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import tensorlessons as tl
from tensorlessons import DiagramError
from tensorlessons import transformer as T


@pytest.fixture(scope="module")
def model2() -> T.AttentionOnlyTransformer:
    return T.AttentionOnlyTransformer.random(
        n_layers=2, n_heads=3, d_model=12, d_head=4, d_vocab=11, n_ctx=10, seed=3
    )


@pytest.fixture(scope="module")
def model1() -> T.AttentionOnlyTransformer:
    return T.AttentionOnlyTransformer.random(1, 2, 8, 3, d_vocab=7, n_ctx=9, seed=5)


def reference_forward(model: T.AttentionOnlyTransformer, tokens):
    """A plain loop-over-heads, loop-over-positions forward pass (the oracle)."""
    tokens = list(tokens)
    seq = len(tokens)
    x = np.array([model.W_E[t] + model.W_pos[p] for p, t in enumerate(tokens)])
    patterns = np.zeros((model.n_layers, model.n_heads, seq, seq))
    for layer in range(model.n_layers):
        new = x.copy()
        for h in range(model.n_heads):
            q = x @ model.W_Q[layer, h]
            k = x @ model.W_K[layer, h]
            v = x @ model.W_V[layer, h]
            for i in range(seq):
                s = np.array([q[i] @ k[j] / math.sqrt(model.d_head) for j in range(i + 1)])
                a = np.exp(s - s.max())
                a /= a.sum()
                patterns[layer, h, i, : i + 1] = a
                new[i] += (a @ v[: i + 1]) @ model.W_O[layer, h]
        x = new
    return x @ model.W_U, patterns


# ---- the model ------------------------------------------------------------------------


def test_lazy_exports():
    assert tl.AttentionOnlyTransformer is T.AttentionOnlyTransformer
    assert tl.path_expansion is T.path_expansion
    assert tl.composition_score is T.composition_score
    assert tl.induction_transformer is T.induction_transformer


def test_shapes_and_names(model2):
    assert model2.W_E.shape == (11, 12)
    assert model2.W_pos.shape == (10, 12)
    assert model2.W_Q.shape == model2.W_K.shape == model2.W_V.shape == (2, 3, 12, 4)
    assert model2.W_O.shape == (2, 3, 4, 12)
    assert model2.W_U.shape == (12, 11)
    assert (model2.n_layers, model2.n_heads, model2.d_model, model2.d_head) == (2, 3, 12, 4)
    assert (model2.d_vocab, model2.n_ctx) == (11, 10)


def test_random_is_reproducible():
    a = T.AttentionOnlyTransformer.random(2, 2, 6, 3, 5, 7, seed=4)
    b = T.AttentionOnlyTransformer.random(2, 2, 6, 3, 5, 7, seed=4)
    c = T.AttentionOnlyTransformer.random(2, 2, 6, 3, 5, 7, seed=5)
    assert all(np.array_equal(a.weights()[n], b.weights()[n]) for n in T.WEIGHT_NAMES)
    assert not np.array_equal(a.W_Q, c.W_Q)


@pytest.mark.parametrize("tokens", [[0], [3, 1, 4, 1, 5], list(range(10)), [10] * 10])
def test_forward_matches_reference(model2, tokens):
    logits, patterns = reference_forward(model2, tokens)
    assert model2(tokens).shape == (len(tokens), 11)
    np.testing.assert_allclose(model2(tokens), logits, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(model2.attention_patterns(tokens), patterns, atol=1e-14)


def test_patterns_causal_and_normalized(model2):
    A = model2.attention_patterns([1, 2, 3, 4, 5, 6])
    assert A.shape == (2, 3, 6, 6)
    np.testing.assert_allclose(A.sum(-1), 1.0)
    assert np.all(A[..., np.triu_indices(6, k=1)[0], np.triu_indices(6, k=1)[1]] == 0)


def test_batched_equals_one_by_one(model2):
    batch = np.array([[1, 2, 3, 4], [4, 3, 2, 1], [0, 0, 10, 10]])
    logits = model2(batch)
    patterns = model2.attention_patterns(batch)
    assert logits.shape == (3, 4, 11)
    assert patterns.shape == (3, 2, 3, 4, 4)
    for b, seq in enumerate(batch):
        np.testing.assert_allclose(logits[b], model2(seq), atol=1e-12)
        np.testing.assert_allclose(patterns[b], model2.attention_patterns(seq), atol=1e-14)


def test_cache_consistent(model2):
    tokens = [5, 2, 8, 8, 1]
    logits, cache = model2.run_with_cache(tokens)
    np.testing.assert_allclose(cache["embed"], model2.W_E[tokens] + model2.W_pos[:5])
    for layer in range(2):
        np.testing.assert_allclose(
            cache[f"resid.{layer + 1}"],
            cache[f"resid.{layer}"] + cache[f"head_out.{layer}"].sum(0),
            atol=1e-12,
        )
    np.testing.assert_allclose(logits, cache["resid.2"] @ model2.W_U, atol=1e-12)


def test_derived_matrices(model2):
    np.testing.assert_allclose(model2.W_QK[1, 2], model2.W_Q[1, 2] @ model2.W_K[1, 2].T)
    np.testing.assert_allclose(model2.W_OV[0, 1], model2.W_V[0, 1] @ model2.W_O[0, 1])


def test_loss_matches_softmax_oracle(model1):
    tokens = [1, 5, 2, 6, 0]
    logits = model1(tokens)
    p = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    expected = -np.log(p[np.arange(4), tokens[1:]])
    np.testing.assert_allclose(model1.loss(tokens, per_position=True), expected, rtol=1e-10)
    assert model1.loss(tokens) == pytest.approx(expected.mean())


def test_save_load_roundtrip(tmp_path, model1):
    path = tmp_path / "m.npz"
    model1.save(path)
    loaded = T.AttentionOnlyTransformer.load(path)
    np.testing.assert_allclose(loaded([1, 2, 3]), model1([1, 2, 3]), rtol=1e-5, atol=1e-5)
    np.savez(tmp_path / "bad.npz", W_E=np.ones((2, 2)))
    with pytest.raises(DiagramError, match="W_pos"):
        T.AttentionOnlyTransformer.load(tmp_path / "bad.npz")


# ---- errors -----------------------------------------------------------------------------


def _weights(**changes):
    w = {
        k: np.array(v)
        for k, v in T.AttentionOnlyTransformer.random(2, 2, 6, 3, 5, 7).weights().items()
    }
    w.update(changes)
    return w


@pytest.mark.parametrize(
    ("name", "value", "pattern"),
    [
        ("W_E", np.ones((5, 4)), r"W_pos .*d_model is 6 but W_E \(shape \(5, 4\)\)"),
        ("W_pos", np.ones((7, 6, 1)), r"W_pos must have 2 axes"),
        ("W_K", np.ones((2, 2, 6, 2)), r"W_K .*d_head is 2 but W_Q"),
        ("W_V", np.ones((3, 2, 6, 3)), r"W_V .*n_layers is 3 but W_Q"),
        ("W_O", np.ones((2, 2, 3, 5)), r"W_O .*d_model is 5"),
        ("W_U", np.ones((6, 4)), r"W_U .*d_vocab is 4 but W_E"),
        ("W_Q", np.array([["a"]]), r"W_Q: weights must be real numbers"),
        ("W_U", np.full((6, 5), np.nan), r"W_U contains NaN"),
    ],
)
def test_inconsistent_weights_named(name, value, pattern):
    with pytest.raises(ValueError, match=pattern):
        T.AttentionOnlyTransformer(**_weights(**{name: value}))


def test_weights_required_by_keyword():
    with pytest.raises(TypeError):
        T.AttentionOnlyTransformer(*_weights().values())  # type: ignore[misc]


@pytest.mark.parametrize(
    ("tokens", "pattern"),
    [
        ([1, 2, 11], r"token 11 at position 2 .* outside the vocabulary 0..10"),
        ([-1], r"token -1 at position 0"),
        (list(range(11))[:10] + [0], r"11 tokens are more than the model's context n_ctx = 10"),
        ([], r"must not be empty"),
        ([1.5, 2.0], r"tokens must be integers"),
        ([[[1]]], r"shape \[seq\] or \[batch, seq\]"),
        ([[1, 2], [3, 12]], r"token 12 at position \[1, 1\]"),
    ],
)
def test_bad_tokens(model2, tokens, pattern):
    with pytest.raises(DiagramError, match=pattern):
        model2(tokens)
    with pytest.raises(ValueError, match=pattern):
        model2.attention_patterns(tokens)


def test_bad_head(model2):
    with pytest.raises(DiagramError, match="layer 2 does not exist"):
        T.qk_circuit(model2, 2, 0)
    with pytest.raises(DiagramError, match="head 3 does not exist"):
        T.ov_circuit(model2, 0, 3)


# ---- path expansion ----------------------------------------------------------------------


def test_path_expansion_one_layer_exact(model1):
    tokens = [3, 1, 4, 1, 5, 6]
    terms = T.path_expansion(model1, tokens)
    assert list(terms) == ["direct", "L0H0", "L0H1"]
    assert all(t.shape == (6, 7) for t in terms.values())
    np.testing.assert_allclose(sum(terms.values()), model1(tokens), rtol=0, atol=1e-10)
    # Each term by its formula, from the oracle patterns.
    _, A = reference_forward(model1, tokens)
    x0 = model1.W_E[tokens] + model1.W_pos[:6]
    np.testing.assert_allclose(terms["direct"], x0 @ model1.W_U, atol=1e-12)
    for h in range(2):
        expected = A[0, h] @ x0 @ model1.W_V[0, h] @ model1.W_O[0, h] @ model1.W_U
        np.testing.assert_allclose(terms[f"L0H{h}"], expected, atol=1e-12)


def test_path_expansion_two_layers_exact(model2):
    tokens = [0, 9, 3, 3, 7, 2, 10]
    terms = T.path_expansion(model2, tokens)
    heads = [f"L{la}H{h}" for la in range(2) for h in range(3)]
    virtual = [f"L0H{a}->L1H{b}" for a in range(3) for b in range(3)]
    assert list(terms) == ["direct", *heads, *virtual]
    np.testing.assert_allclose(sum(terms.values()), model2(tokens), rtol=0, atol=1e-10)
    _, A = reference_forward(model2, tokens)
    x0 = model2.W_E[tokens] + model2.W_pos[:7]
    OV = lambda la, h: model2.W_V[la, h] @ model2.W_O[la, h]  # noqa: E731
    expected = A[1, 2] @ A[0, 1] @ x0 @ OV(0, 1) @ OV(1, 2) @ model2.W_U
    np.testing.assert_allclose(terms["L0H1->L1H2"], expected, atol=1e-12)
    # The layer-1 heads on the direct path read the embedding only.
    np.testing.assert_allclose(terms["L1H0"], A[1, 0] @ x0 @ OV(1, 0) @ model2.W_U, atol=1e-12)


def test_path_expansion_three_layers_exact():
    m = T.AttentionOnlyTransformer.random(3, 2, 6, 2, 5, 6, seed=9)
    terms = T.path_expansion(m, [1, 2, 3, 4])
    assert len(terms) == 3**3  # (1 + n_heads) ** n_layers paths
    assert "L0H1->L1H0->L2H1" in terms
    np.testing.assert_allclose(sum(terms.values()), m([1, 2, 3, 4]), atol=1e-10)


def test_path_expansion_batched_equals_one_by_one(model2):
    batch = np.array([[1, 2, 3, 4], [4, 0, 0, 2], [6, 5, 1, 1]])
    terms = T.path_expansion(model2, batch)
    for b, row in enumerate(batch):
        one = T.path_expansion(model2, row)
        assert list(one) == list(terms)
        for name, value in one.items():
            np.testing.assert_allclose(terms[name][b], value, atol=1e-13)
    np.testing.assert_allclose(sum(terms.values()), model2(batch), atol=1e-12)


@pytest.mark.parametrize("positional", ["standard", "shortformer"])
@pytest.mark.parametrize("normalization", [None, "LNPre", "RMSPre"])
def test_path_expansion_with_biases_and_norms_exact(positional, normalization):
    m = T.AttentionOnlyTransformer.random(
        2, 2, 8, 4, 7, 9, seed=3, biases=True, positional=positional, normalization=normalization
    )
    tokens = [[1, 2, 3, 4, 5], [6, 0, 0, 2, 1]]
    terms = T.path_expansion(m, tokens)
    assert {"L0.bias", "L0.bias->L1H1", "L1.bias", "b_U"} <= set(terms)
    np.testing.assert_allclose(sum(terms.values()), m(tokens), atol=1e-12)
    # the bias of layer 0 alone: b_O + sum_h b_V W_O, the same at every position, read by W_U
    source = m.b_O[0] + np.einsum("he,hem->m", m.b_V[0], m.W_O[0])
    if normalization is None:
        np.testing.assert_allclose(terms["L0.bias"][0, 3], source @ m.W_U, atol=1e-12)
    # a model without biases has no bias paths
    plain = m.replace(**{name: np.zeros_like(getattr(m, name)) for name in T.BIAS_NAMES})
    assert not [name for name in T.path_expansion(plain, tokens) if "bias" in name or name == "b_U"]


# ---- circuits, rank, copying, composition ---------------------------------------------------


def test_token_circuits_and_rank(model2):
    for la, h in [(0, 0), (1, 2)]:
        qk = T.qk_circuit(model2, la, h)
        ov = T.ov_circuit(model2, la, h)
        np.testing.assert_allclose(
            qk,
            np.einsum(
                "am,me,ne,bn->ab", model2.W_E, model2.W_Q[la, h], model2.W_K[la, h], model2.W_E
            ),
        )
        np.testing.assert_allclose(
            ov,
            np.einsum(
                "am,me,en,nb->ab", model2.W_E, model2.W_V[la, h], model2.W_O[la, h], model2.W_U
            ),
        )
        assert qk.shape == ov.shape == (11, 11)
        assert T.circuit_rank(qk) == np.linalg.matrix_rank(qk) == model2.d_head
        assert T.circuit_rank(ov) == model2.d_head
    pos = T.positional_qk_circuit(model2, 0, 1)
    np.testing.assert_allclose(pos, model2.W_pos @ model2.W_QK[0, 1] @ model2.W_pos.T)


def test_copying_score_oracle():
    rng = np.random.default_rng(0)
    M = rng.normal(size=(6, 6))
    lam = np.linalg.eigvals(M)
    assert T.copying_score(M) == pytest.approx(lam.real.sum() / np.abs(lam).sum())
    P = rng.normal(size=(6, 6))
    positive = P @ np.diag([1, 2, 3, 4, 5, 6.0]) @ np.linalg.inv(P)
    assert T.copying_score(positive) == pytest.approx(1.0)
    assert T.copying_score(np.zeros((3, 3))) == 0.0
    with pytest.raises(DiagramError, match="square"):
        T.copying_score(np.ones((2, 3)))


def test_composition_score_oracle():
    rng = np.random.default_rng(1)
    A, B = rng.normal(size=(5, 4)), rng.normal(size=(4, 3))
    expected = np.linalg.norm(A @ B, "fro") / (np.linalg.norm(A, "fro") * np.linalg.norm(B, "fro"))
    assert T.composition_score(A, B) == pytest.approx(expected)
    assert 0 <= T.composition_score(A, B) <= 1
    with pytest.raises(DiagramError, match=r"W_A has shape \(5, 4\) and W_B has shape \(3, 3\)"):
        T.composition_score(A, np.ones((3, 3)))


def test_composition_tables(model2):
    OV, QK = model2.W_OV, model2.W_QK
    tables = {k: T.composition_scores(model2, k) for k in "QKV"}
    for h1 in range(3):
        for h2 in range(3):
            assert tables["Q"][h1, h2] == pytest.approx(T.composition_score(OV[0, h1], QK[1, h2]))
            # K-composition: the key side, x_k @ W_OV then into W_QK from the right.
            assert tables["K"][h1, h2] == pytest.approx(T.composition_score(QK[1, h2], OV[0, h1].T))
            assert tables["V"][h1, h2] == pytest.approx(T.composition_score(OV[0, h1], OV[1, h2]))
    with pytest.raises(DiagramError, match="'Q', 'K' or 'V'"):
        T.composition_scores(model2, "X")  # type: ignore[arg-type]
    with pytest.raises(DiagramError, match="earlier to a later"):
        T.composition_scores(model2, "K", 1, 0)


# ---- the hand-built induction model ------------------------------------------------------------


@pytest.mark.parametrize(("d_vocab", "n_ctx"), [(16, 32), (10, 16), (20, 40)])
def test_induction_transformer_accuracy(d_vocab, n_ctx):
    model = T.induction_transformer(d_vocab=d_vocab, n_ctx=n_ctx)
    assert (model.n_layers, model.d_vocab, model.n_ctx) == (2, d_vocab, n_ctx)
    half = n_ctx // 2
    tokens = T.repeated_random_tokens(half, d_vocab, batch=300, seed=7)
    pred = model(tokens).argmax(-1)
    accuracy = (pred[:, half : 2 * half - 1] == tokens[:, half + 1 :]).mean()
    assert accuracy >= 0.99
    losses = model.loss(tokens, per_position=True)
    assert losses[half:].max() < 0.01 < losses[1:half].min()


def test_induction_transformer_mechanism():
    model = T.induction_transformer()
    tokens = T.repeated_random_tokens(16, 16, seed=3)
    A = model.attention_patterns(tokens)
    seq = np.arange(1, 32)
    # L0H0 attends to the previous token.
    assert A[0, 0, seq, seq - 1].min() > 0.99
    # L1H0 attends, in the second half, to the token after the earlier copy of the query.
    q = np.arange(16, 32)
    assert A[1, 0, q, q - 15].min() > 0.99
    # K-composition is what links them; the OV circuit of L1H0 copies.
    K = T.composition_scores(model, "K")
    assert K[0, 0] > T.composition_scores(model, "Q")[0, 0]
    assert T.composition_scores(model, "V")[0, 0] == pytest.approx(0.0)
    assert T.copying_score(T.ov_circuit(model, 1, 0)) == pytest.approx(1.0)


def test_repeated_random_tokens():
    t = T.repeated_random_tokens(10, 10, batch=50, seed=1)
    assert t.shape == (50, 20)
    assert all(len(set(row[:10])) == 10 for row in t)
    np.testing.assert_array_equal(t[:, :10], t[:, 10:])
    with pytest.raises(DiagramError, match="distinct"):
        T.repeated_random_tokens(11, 10)


# ---- the shipped trained model ---------------------------------------------------------------


@pytest.fixture(scope="module")
def trained() -> T.AttentionOnlyTransformer:
    return tl.load_trained_model()


def test_trained_model_loads(trained):
    assert trained.n_layers == 2
    assert trained.n_heads >= 2
    assert trained.W_E.dtype == np.float64
    path = Path(T.__file__).parent / "data" / "induction_model.npz"
    assert path.stat().st_size <= 2 * 1024 * 1024


def test_head_scores_oracle(model2):
    tokens = np.array([[1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1]])
    A = model2.attention_patterns(tokens)
    expected = np.mean([[A[b, :, :, p, p - 1] for p in range(1, 6)] for b in range(2)], axis=(0, 1))
    np.testing.assert_allclose(T.previous_token_scores(model2, tokens), expected)
    half = 4
    ind = T.induction_scores(model2, half, batch=3, seed=1)
    seqs = T.repeated_random_tokens(half, 11, batch=3, seed=1)
    A = model2.attention_patterns(seqs)
    expected = np.mean([A[:, :, :, q, q - half + 1] for q in range(half, 2 * half)], axis=(0, 1))
    np.testing.assert_allclose(ind, expected)
    with pytest.raises(DiagramError, match="half must be between 1 and n_ctx // 2 = 5"):
        T.induction_scores(model2, 6)


def test_trained_model_does_induction(trained):
    half = trained.n_ctx // 2
    tokens = T.repeated_random_tokens(half, trained.d_vocab, batch=100, seed=11, distinct=False)
    per = trained.loss(tokens, per_position=True)
    first, second = per[: half - 1].mean(), per[half:].mean()
    # The repeated half is predicted far better than the (random) first half.
    assert second < first / 2.5
    uniform = math.log(trained.d_vocab)
    assert second < uniform / 2.5


def test_methods_find_the_trained_induction_circuit(trained):
    half = trained.n_ctx // 2
    tokens = T.repeated_random_tokens(half, trained.d_vocab, batch=100, seed=12)
    prev = T.previous_token_scores(trained, tokens)
    induction = T.induction_scores(trained, batch=100, seed=13)
    prev_head = int(prev[0].argmax())
    induction_heads = [int(h) for h in np.flatnonzero(induction[1] > 0.3)]
    # A clear previous-token head in layer 0, and induction heads in layer 1 only.
    assert prev[0, prev_head] > 0.8
    assert induction_heads
    assert induction[0].max() < 0.2
    # Composition scores: each induction head reads the previous-token head through its
    # keys (K-composition) more than through its queries or values.
    K = T.composition_scores(trained, "K")
    Q = T.composition_scores(trained, "Q")
    for h in induction_heads:
        assert int(K[:, h].argmax()) == prev_head
        assert K[prev_head, h] > Q[prev_head, h]
        assert K[prev_head, h] > np.median(K)
        # And it copies: the eigenvalues of its OV circuit are positive.
        assert T.copying_score(T.ov_circuit(trained, 1, h)) > 0.9
    # In the second half, an induction head's K-composition term alone points at the token
    # after the earlier copy of the query.
    from tensorlessons.circuits import induction_circuit_diagrams

    seq = T.repeated_random_tokens(half, trained.d_vocab, seed=14)
    keys = induction_circuit_diagrams(trained, seq, (0, prev_head), (1, induction_heads[0]))
    scores = keys["keys"].contract()
    q = np.arange(half + 1, 2 * half)
    hits = [scores[i, : i + 1].argmax() == i - half + 1 for i in q]
    assert np.mean(hits) > 0.8


def test_replace_and_ablate(model2):
    zero_U = model2.replace(W_U=np.zeros_like(model2.W_U))
    assert np.all(zero_U([1, 2, 3]) == 0)
    assert np.array_equal(zero_U.W_Q, model2.W_Q)
    with pytest.raises(DiagramError, match="unknown weight"):
        model2.replace(W_X=1)
    with pytest.raises(DiagramError, match="W_U .*d_vocab is 3"):
        model2.replace(W_U=np.zeros((12, 3)))
    ablated = model2.ablate([(0, 1), (1, 2)])
    tokens = [4, 2, 9, 9, 1]
    terms = T.path_expansion(model2, tokens)
    # Ablating a head's output removes exactly its paths (when later patterns do not depend
    # on it): here compare the ablated layer-1 head's direct term only.
    assert np.all(T.path_expansion(ablated, tokens)["L1H2"] == 0)
    _, cache = model2.run_with_cache(tokens)
    _, cache_ab = ablated.run_with_cache(tokens)
    np.testing.assert_allclose(
        cache_ab["resid.1"], cache["resid.1"] - cache["head_out.0"][1], atol=1e-12
    )
    assert "L1H2" in terms
    assert not model2.W_O.flags.writeable  # the original is untouched and read-only
    with pytest.raises(DiagramError, match="head 3 does not exist"):
        model2.ablate([(0, 3)])


# ---- factored circuits ------------------------------------------------------------------


def test_factored_circuits_match_full(model2):
    for la, h in [(0, 0), (1, 2)]:
        for circuit in (T.qk_circuit, T.ov_circuit):
            full = circuit(model2, la, h)
            M = circuit(model2, la, h, factored=True)
            assert isinstance(M, T.FactoredCircuit) and M.shape == full.shape
            np.testing.assert_allclose(M.full(), full, atol=1e-12)
            np.testing.assert_allclose(np.asarray(M), full, atol=1e-12)
            s_full = np.linalg.svd(full, compute_uv=False)
            np.testing.assert_allclose(M.singular_values(), s_full[: model2.d_head], atol=1e-10)
            assert np.all(s_full[model2.d_head :] < 1e-9 * s_full[0])
            assert M.rank() == T.circuit_rank(full) == T.circuit_rank(M)
            # nonzero eigenvalues of AB are those of BA; the rest of the full matrix's are ~0
            lam = np.sort_complex(M.eigenvalues())
            lam_full = np.linalg.eigvals(full)
            big = np.sort_complex(lam_full[np.argsort(-np.abs(lam_full))[: model2.d_head]])
            np.testing.assert_allclose(lam, big, atol=1e-8)
            assert T.copying_score(M) == pytest.approx(T.copying_score(full), abs=1e-10)
            np.testing.assert_allclose(M.diagonal(), np.diag(full), atol=1e-12)
            assert M.trace() == pytest.approx(np.trace(full))
            assert M.norm() == pytest.approx(np.linalg.norm(full))
            np.testing.assert_allclose(M[2, :], full[2, :], atol=1e-12)
            np.testing.assert_allclose(M[:, [1, 3]], full[:, [1, 3]], atol=1e-12)
            np.testing.assert_allclose(M[[0, 4], [1, 3]], full[[0, 4], [1, 3]], atol=1e-12)
            assert M[1, 2] == pytest.approx(full[1, 2])
            np.testing.assert_allclose(M.T.full(), full.T, atol=1e-12)


def test_factored_circuit_refuses_bad_input():
    with pytest.raises(DiagramError, match=r"A's 3 columns must match B's 2 rows"):
        T.FactoredCircuit(np.ones((4, 3)), np.ones((2, 4)))
    with pytest.raises(DiagramError, match="square"):
        T.FactoredCircuit(np.ones((4, 2)), np.ones((2, 5))).eigenvalues()


def test_full_circuit_at_real_vocabulary_refused_factored_works():
    """At d_vocab 10,000 the full circuit (800 MB) is refused; the factored one is cheap."""
    rng = np.random.default_rng(0)
    V, D, E = 10_000, 32, 4
    m = T.AttentionOnlyTransformer(
        W_E=rng.normal(size=(V, D)),
        W_pos=rng.normal(size=(4, D)),
        W_Q=rng.normal(size=(1, 1, D, E)),
        W_K=rng.normal(size=(1, 1, D, E)),
        W_V=rng.normal(size=(1, 1, D, E)),
        W_O=rng.normal(size=(1, 1, E, D)),
        W_U=rng.normal(size=(D, V)),
    )
    with pytest.raises(DiagramError, match=r"10000 x 10000 .*factored=True"):
        T.ov_circuit(m, 0, 0)
    M = T.ov_circuit(m, 0, 0, factored=True)
    assert M.rank() == E and M.eigenvalues().shape == (E,)
    # the eigenvalue sum is the trace, computed here without the full matrix
    assert M.eigenvalues().sum().real == pytest.approx(M.trace(), rel=1e-9)
