"""Against the real TransformerLens (3.x HookedTransformer, float64): conversion both ways.

Random TransformerLens models of several configurations (biases on/off, standard or
shortformer positions, LayerNorm or none, 1-3 layers) are converted to
AttentionOnlyTransformer and back, and compared on logits, attention patterns, the cache
under TransformerLens's hook names, composition scores and path expansion.

torch and transformer-lens are the ``tl-compat`` extra, which scripts/test.sh installs.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from tensorlessons import DiagramError
from tensorlessons import transformer as T

torch = pytest.importorskip("torch")
transformer_lens = pytest.importorskip("transformer_lens")
pytestmark = pytest.mark.filterwarnings("ignore:HookedTransformer is deprecated:DeprecationWarning")
from transformer_lens import HookedTransformer, HookedTransformerConfig  # noqa: E402

TOL = 1e-12  # relative to the largest logit; float64 gives ~1e-15

CONFIGS = [
    (n_layers, biases, positional, norm)
    for n_layers, biases, positional, norm in itertools.product(
        [1, 2, 3], [False, True], ["standard", "shortformer"], [None, "LN"]
    )
    # TransformerLens cannot fold LayerNorm weights with shortformer positions either:
    # there the weight-free LNPre is what it (and we) can hold.
]


def random_tl_model(n_layers, biases, positional, norm, seed=0, d_vocab=11, n_ctx=10):
    if positional == "shortformer" and norm == "LN":
        norm = "LNPre"
    cfg = HookedTransformerConfig(
        n_layers=n_layers,
        n_heads=3,
        d_model=16,
        d_head=4,
        d_vocab=d_vocab,
        n_ctx=n_ctx,
        attn_only=True,
        act_fn=None,
        normalization_type=norm,
        positional_embedding_type=positional,
        dtype=torch.float64,
        device="cpu",
        seed=seed,
    )
    model = HookedTransformer(cfg)
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            leaf = name.split(".")[-1]
            if leaf.startswith("b"):
                p.copy_(0.5 * torch.randn(p.shape, generator=gen, dtype=p.dtype) if biases else 0)
            elif leaf == "w":  # a LayerNorm's weight: not all ones, so folding is exercised
                p.copy_(1 + 0.5 * torch.randn(p.shape, generator=gen, dtype=p.dtype))
            else:
                p.copy_(0.4 * torch.randn(p.shape, generator=gen, dtype=p.dtype))
    model.eval()
    return model


def rel_err(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return float(np.abs(a - b).max() / np.abs(b).max())


@pytest.fixture(scope="module")
def tokens():
    return torch.tensor(np.random.default_rng(0).integers(0, 11, size=(4, 10)))


@pytest.mark.parametrize("n_layers,biases,positional,norm", CONFIGS)
def test_from_transformer_lens_agrees(n_layers, biases, positional, norm, tokens):
    tl_model = random_tl_model(n_layers, biases, positional, norm, seed=n_layers)
    ours = T.AttentionOnlyTransformer.from_transformer_lens(tl_model)
    assert ours.has_biases == biases
    assert ours.positional == positional
    assert ours.normalization == (None if norm is None else "LNPre")
    with torch.no_grad():
        tl_logits, tl_cache = tl_model.run_with_cache(tokens)
    logits, cache = ours.run_with_cache(tokens)  # torch tokens accepted
    assert rel_err(logits, tl_logits.numpy()) < TOL
    for layer in range(n_layers):
        for hook in ("attn.hook_pattern", "attn.hook_z", "hook_resid_post", "hook_attn_out"):
            key = f"blocks.{layer}.{hook}"
            assert cache[key].shape == tuple(tl_cache[key].shape), key
            assert rel_err(cache[key], tl_cache[key].numpy()) < TOL, key
        # TransformerLens's order [batch, pos, head, d_model]; ours [batch, head, pos, d_model]
        np.testing.assert_array_equal(
            cache[f"blocks.{layer}.attn.hook_result"],
            cache[f"head_out.{layer}"].transpose(0, 2, 1, 3),
        )
        masked = np.isinf(cache[f"blocks.{layer}.attn.hook_attn_scores"])
        tl_scores = tl_cache[f"blocks.{layer}.attn.hook_attn_scores"].numpy()
        np.testing.assert_array_equal(masked, np.isinf(tl_scores))
        assert (
            rel_err(
                np.where(masked, 0, cache[f"blocks.{layer}.attn.hook_attn_scores"]),
                np.where(masked, 0, tl_scores),
            )
            < TOL
        )
    # path expansion: the terms (bias paths included) sum to TransformerLens's logits
    terms = T.path_expansion(ours, tokens.numpy())
    assert rel_err(sum(terms.values()), tl_logits.numpy()) < TOL
    assert any("bias" in name for name in terms) == biases
    # LayerNorm folded as TransformerLens's own fold_layer_norm folds it (without centering)
    reference = tl_model
    if norm == "LN":
        folded = tl_model.fold_layer_norm(dict(tl_model.state_dict()), center_weights=False)
        for layer in range(n_layers):
            for name in ("W_Q", "W_K", "W_V", "b_Q", "b_K", "b_V"):
                want = folded[f"blocks.{layer}.attn.{name}"].detach().numpy()
                np.testing.assert_allclose(getattr(ours, name)[layer], want, atol=1e-14)
        np.testing.assert_allclose(ours.W_U, folded["unembed.W_U"].detach().numpy(), atol=1e-14)
        np.testing.assert_allclose(ours.b_U, folded["unembed.b_U"].detach().numpy(), atol=1e-14)
        reference = ours.to_transformer_lens()  # TransformerLens's model of the folded weights
    # composition scores agree with TransformerLens's all_composition_scores
    if n_layers >= 2:
        for kind in "QKV":
            tl_scores = reference.all_composition_scores(kind).detach().numpy()
            for la, lb in itertools.combinations(range(n_layers), 2):
                mine = T.composition_scores(ours, kind, la, lb)
                np.testing.assert_allclose(mine, tl_scores[la, :, lb, :], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("n_layers,biases,positional,norm", CONFIGS)
def test_to_transformer_lens_roundtrip(n_layers, biases, positional, norm, tokens):
    ours = T.AttentionOnlyTransformer.from_transformer_lens(
        random_tl_model(n_layers, biases, positional, norm, seed=10 + n_layers)
    )
    back = ours.to_transformer_lens()
    assert isinstance(back, HookedTransformer)
    with torch.no_grad():
        tl_logits, tl_cache = back.run_with_cache(tokens)
    logits, cache = ours.run_with_cache(tokens.numpy())
    assert rel_err(logits, tl_logits.numpy()) < TOL
    for layer in range(n_layers):
        key = f"blocks.{layer}.attn.hook_pattern"
        assert rel_err(cache[key], tl_cache[key].numpy()) < TOL
    again = T.AttentionOnlyTransformer.from_transformer_lens(back)
    for name, value in ours.weights().items():
        np.testing.assert_array_equal(getattr(again, name), value, err_msg=name)
    assert again.config() == ours.config()


def test_our_models_to_transformer_lens(tokens):
    """Models built here (not from TransformerLens) run the same in TransformerLens."""
    for kwargs in [
        {},
        {"biases": True, "positional": "shortformer"},
        {"biases": True, "normalization": "RMSPre"},
    ]:
        ours = T.AttentionOnlyTransformer.random(2, 3, 16, 4, 11, 10, seed=5, **kwargs)
        with torch.no_grad():
            theirs = ours.to_transformer_lens()(tokens).numpy()
        assert rel_err(ours(tokens.numpy()), theirs) < TOL, kwargs


def test_state_dict_and_config_dict(tokens):
    """A bare state dict of requires-grad float32 tensors and a plain config dict."""
    tl_model = random_tl_model(2, True, "shortformer", None, seed=7)
    tl32 = tl_model.to(torch.float32)
    state = dict(tl32.state_dict(keep_vars=True))  # Parameters that require grad
    assert any(v.requires_grad for v in state.values())
    ours = T.AttentionOnlyTransformer.from_transformer_lens(state, tl32.cfg.to_dict())
    assert ours.W_Q.dtype == np.float64
    with torch.no_grad():
        want = tl32(tokens).numpy()
    assert rel_err(ours(tokens), want) < 1e-5  # the float32 model's own rounding


def test_unsupported_features_are_named():
    base = dict(n_layers=1, n_heads=2, d_model=8, d_head=4, d_vocab=5, n_ctx=6, d_mlp=16)
    cfg = HookedTransformerConfig(
        **base, act_fn="gelu", positional_embedding_type="rotary", rotary_dim=4
    )
    with pytest.raises(DiagramError) as info:
        T.AttentionOnlyTransformer.from_transformer_lens(HookedTransformer(cfg))
    message = str(info.value)
    assert "MLPs (attn_only=False)" in message
    assert "rotary positional embeddings" in message
    for extra, words in [
        ({"attention_dir": "bidirectional"}, "non-causal attention"),
        ({"n_key_value_heads": 1}, "grouped-query attention"),
        ({"positional_embedding_type": "alibi"}, "ALiBi"),
        ({"d_vocab_out": 7}, "d_vocab_out=7"),
        ({"scale_attn_by_inverse_layer_idx": True}, "per-layer attention scaling"),
    ]:
        cfg = {**base, "attn_only": True, "normalization_type": None, **extra}
        with pytest.raises(DiagramError, match=words):
            T.AttentionOnlyTransformer.from_transformer_lens({}, cfg)


def test_layernorm_weights_with_shortformer_refused():
    cfg = HookedTransformerConfig(
        n_layers=1,
        n_heads=2,
        d_model=8,
        d_head=4,
        d_vocab=5,
        n_ctx=6,
        attn_only=True,
        act_fn=None,
        normalization_type="LN",
        positional_embedding_type="shortformer",
    )
    model = HookedTransformer(cfg)
    with torch.no_grad():
        model.blocks[0].ln1.w.mul_(2.0)
    with pytest.raises(DiagramError, match=r"blocks\.0\.ln1.*shortformer"):
        T.AttentionOnlyTransformer.from_transformer_lens(model)


def test_factored_circuits_match_factored_matrix():
    """FactoredCircuit against TransformerLens's FactoredMatrix on a real model's heads."""
    from transformer_lens import FactoredMatrix

    tl_model = random_tl_model(2, True, "standard", None, seed=3, d_vocab=300)
    ours = T.AttentionOnlyTransformer.from_transformer_lens(tl_model)
    W_E, W_U = tl_model.W_E.detach(), tl_model.W_U.detach()
    for layer, head in [(0, 0), (1, 2)]:
        attn = tl_model.blocks[layer].attn
        theirs = {
            "ov": FactoredMatrix(W_E @ attn.W_V[head].detach(), attn.W_O[head].detach() @ W_U),
            "qk": FactoredMatrix(W_E @ attn.W_Q[head].detach(), attn.W_K[head].detach().T @ W_E.T),
        }
        mine = {
            "ov": T.ov_circuit(ours, layer, head, factored=True),
            "qk": T.qk_circuit(ours, layer, head, factored=True),
        }
        for kind in ("ov", "qk"):
            F, M = theirs[kind], mine[kind]
            np.testing.assert_allclose(M.singular_values(), F.S.numpy(), rtol=1e-12, atol=1e-13)
            lam = F.eigenvalues.numpy()
            np.testing.assert_allclose(
                np.sort_complex(M.eigenvalues()), np.sort_complex(lam), rtol=1e-9, atol=1e-12
            )
            np.testing.assert_allclose(M.full(), F.AB.numpy(), atol=1e-12)
            assert M.norm() == pytest.approx(float(F.norm()), rel=1e-12)
            score = float(lam.sum().real / np.abs(lam).sum())
            assert M.copying_score() == pytest.approx(score, abs=1e-12)


def test_training_script_runs(tmp_path):
    """scripts/train_text_model.py end to end, a few steps: TransformerLens in, .npz out."""
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parent.parent / "scripts" / "train_text_model.py"
    out = tmp_path / "m.npz"
    proc = subprocess.run(
        [sys.executable, str(script), "--steps", "3", "--batch", "2", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    model = T.AttentionOnlyTransformer.load(out)
    assert model.positional == "shortformer" and model.has_biases
    assert model.d_vocab == len(T.TEXT_VOCAB)
    assert '"steps": 3' in proc.stdout
