"""TransformerLens in and out: :meth:`AttentionOnlyTransformer.from_transformer_lens` and
:meth:`AttentionOnlyTransformer.to_transformer_lens`.

Written against TransformerLens 3.x ``HookedTransformer`` (tested with 3.9.0; 4.x
replaced it with ``TransformerBridge``). Reading needs no torch (a state dict of arrays
and a config dict will do); writing needs torch and transformer-lens (the ``tl-compat``
extra).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from ._errors import DiagramError

if TYPE_CHECKING:  # pragma: no cover
    from .transformer import AttentionOnlyTransformer

#: TransformerLens's post-norm architectures (the norm after a sublayer cannot be folded)
_POST_NORM = ("OLMo2ForCausalLM", "Olmo2ForCausalLM", "Olmo3ForCausalLM", "OLMo3ForCausalLM")


def _cfg_get(cfg: Any, name: str, default: Any = None) -> Any:
    if isinstance(cfg, dict):
        return cfg.get(name, default)
    return getattr(cfg, name, default)


def _unsupported(cfg: Any) -> list[str]:
    """Every feature of a TransformerLens config that an AttentionOnlyTransformer cannot hold."""
    g = lambda name, default=None: _cfg_get(cfg, name, default)  # noqa: E731
    problems = []
    if not g("attn_only", False):
        problems.append("MLPs (attn_only=False)")
    pos = g("positional_embedding_type", "standard")
    if pos not in ("standard", "shortformer"):
        kind = {"rotary": "rotary positional embeddings", "alibi": "ALiBi position biases"}.get(
            pos, "positional embeddings of this kind"
        )
        problems.append(f"{kind} (positional_embedding_type={pos!r})")
    norm = g("normalization_type", "LN")
    if norm not in (None, "LN", "LNPre", "RMS", "RMSPre"):
        problems.append(f"normalization_type={norm!r}")
    if g("final_rms", False) and norm in ("LN", "LNPre"):
        problems.append("an RMSNorm before W_U after LayerNorms in the blocks (final_rms=True)")
    if g("attention_dir", "causal") != "causal":
        problems.append(f"non-causal attention (attention_dir={g('attention_dir')!r})")
    kv = g("n_key_value_heads")
    if kv is not None and kv != g("n_heads"):
        problems.append(f"grouped-query attention (n_key_value_heads={kv})")
    if g("use_local_attn", False):
        problems.append("local attention (use_local_attn=True)")
    if g("scale_attn_by_inverse_layer_idx", False):
        problems.append("per-layer attention scaling (scale_attn_by_inverse_layer_idx=True)")
    d_vocab_out = g("d_vocab_out", -1)
    if d_vocab_out not in (-1, None, g("d_vocab")):
        problems.append(f"an output vocabulary of another size (d_vocab_out={d_vocab_out})")
    for flag, text in [
        ("post_embedding_ln", "a LayerNorm after the embedding (post_embedding_ln=True)"),
        (
            "use_normalization_before_and_after",
            "a norm after attention (use_normalization_before_and_after=True)",
        ),
        ("use_qk_norm", "query/key norms (use_qk_norm=True)"),
        ("use_attention_sinks", "attention sinks (use_attention_sinks=True)"),
        ("use_logn_attn", "log-n attention scaling (use_logn_attn=True)"),
    ]:
        if g(flag, False):
            problems.append(text)
    for cap in ("attn_scores_soft_cap", "output_logits_soft_cap"):
        value = g(cap, -1.0)
        if value is not None and value > 0:
            problems.append(f"soft-capping ({cap}={value})")
    clip = g("clip_qkv")
    if clip is not None:
        problems.append(f"clipped queries/keys/values (clip_qkv={clip})")
    if g("original_architecture") in _POST_NORM:
        problems.append(f"post-norm blocks ({g('original_architecture')})")
    if norm in ("LN", "RMS") and pos == "shortformer":
        # Checked on the weights below: folding is exact only if ln1's weight is all ones.
        pass
    return problems


def _array(state: dict[str, Any], key: str) -> np.ndarray | None:
    if key not in state:
        return None
    from .transformer import _to_numpy

    return np.asarray(_to_numpy(state[key]), dtype=np.float64)


def from_transformer_lens(
    cls: type[AttentionOnlyTransformer], model: Any, cfg: Any = None
) -> AttentionOnlyTransformer:
    if cfg is None:
        if not hasattr(model, "cfg") or not hasattr(model, "state_dict"):
            raise DiagramError(
                "from_transformer_lens takes a TransformerLens HookedTransformer, or a state "
                f"dict together with its config; got {type(model).__name__} and no config"
            )
        cfg = model.cfg
    state = model.state_dict() if hasattr(model, "state_dict") else model
    if not isinstance(state, dict) and not hasattr(state, "keys"):
        raise DiagramError(f"the state dict must be a mapping, got {type(state).__name__}")
    problems = _unsupported(cfg)
    if problems:
        raise DiagramError("cannot hold this TransformerLens model: " + "; ".join(problems))
    n_layers = int(_cfg_get(cfg, "n_layers"))
    norm = _cfg_get(cfg, "normalization_type", "LN")
    shortformer = _cfg_get(cfg, "positional_embedding_type", "standard") == "shortformer"

    def need(key: str) -> np.ndarray:
        arr = _array(state, key)
        if arr is None:
            raise DiagramError(
                f"the state dict has no {key!r} (keys: {', '.join(sorted(state)[:8])}, ...)"
            )
        return arr

    W_Q = np.stack([need(f"blocks.{la}.attn.W_Q") for la in range(n_layers)])
    W_K = np.stack([need(f"blocks.{la}.attn.W_K") for la in range(n_layers)])
    W_V = np.stack([need(f"blocks.{la}.attn.W_V") for la in range(n_layers)])
    W_O = np.stack([need(f"blocks.{la}.attn.W_O") for la in range(n_layers)])
    n_heads, d_model, d_head = W_Q.shape[1:]

    def bias(key: str, shape: tuple[int, ...]) -> np.ndarray:
        arr = _array(state, key)
        return np.zeros(shape) if arr is None else arr

    b_Q = np.stack([bias(f"blocks.{la}.attn.b_Q", (n_heads, d_head)) for la in range(n_layers)])
    b_K = np.stack([bias(f"blocks.{la}.attn.b_K", (n_heads, d_head)) for la in range(n_layers)])
    b_V = np.stack([bias(f"blocks.{la}.attn.b_V", (n_heads, d_head)) for la in range(n_layers)])
    b_O = np.stack([bias(f"blocks.{la}.attn.b_O", (d_model,)) for la in range(n_layers)])
    W_U = need("unembed.W_U")
    b_U = bias("unembed.b_U", (W_U.shape[1],))
    normalization = None
    if norm is not None:
        normalization = "RMSPre" if norm.startswith("RMS") else "LNPre"
    if norm in ("LN", "RMS"):
        # Fold the norms' weight w and bias b into what reads them, as TransformerLens's
        # fold_layer_norm does: (x̂ w + b) W + b_W = x̂ (w W) + (b W + b_W). Exact.
        for la in range(n_layers):
            w = need(f"blocks.{la}.ln1.w")
            b = bias(f"blocks.{la}.ln1.b", (d_model,))
            if shortformer and not (np.all(w == 1) and not np.any(b)):
                raise DiagramError(
                    f"cannot hold this TransformerLens model: a LayerNorm weight/bias "
                    f"(blocks.{la}.ln1) with shortformer positions: the positions join the "
                    "queries and keys after the norm, so its weights cannot be folded exactly "
                    "(TransformerLens's own fold_ln refuses this too)"
                )
            b_Q[la] = b_Q[la] + np.einsum("m,hme->he", b, W_Q[la])
            b_K[la] = b_K[la] + np.einsum("m,hme->he", b, W_K[la])
            b_V[la] = b_V[la] + np.einsum("m,hme->he", b, W_V[la])
            W_Q[la] = w[:, None] * W_Q[la]
            W_K[la] = w[:, None] * W_K[la]
            W_V[la] = w[:, None] * W_V[la]
        w = need("ln_final.w")
        b = bias("ln_final.b", (d_model,))
        b_U = b_U + b @ W_U
        W_U = w[:, None] * W_U
    use_scale = _cfg_get(cfg, "use_attn_scale", True)
    attn_scale = _cfg_get(cfg, "attn_scale", -1.0)
    if not use_scale:
        attn_scale = 1.0
    elif attn_scale is None or attn_scale <= 0:
        attn_scale = math.sqrt(d_head)
    return cls(
        W_E=need("embed.W_E"),
        W_pos=need("pos_embed.W_pos"),
        W_Q=W_Q,
        W_K=W_K,
        W_V=W_V,
        W_O=W_O,
        W_U=W_U,
        b_Q=b_Q,
        b_K=b_K,
        b_V=b_V,
        b_O=b_O,
        b_U=b_U,
        positional="shortformer" if shortformer else "standard",
        normalization=normalization,
        eps=float(_cfg_get(cfg, "eps", 1e-5)),
        attn_scale=float(attn_scale),
    )


def to_transformer_lens(model: AttentionOnlyTransformer, dtype: str = "float64") -> Any:
    try:
        import torch
        from transformer_lens import HookedTransformer, HookedTransformerConfig
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "to_transformer_lens needs torch and transformer-lens 3.x: "
            'pip install "tensorlessons[tl-compat]"'
        ) from exc
    torch_dtype = getattr(torch, dtype)
    cfg = HookedTransformerConfig(
        n_layers=model.n_layers,
        n_heads=model.n_heads,
        d_model=model.d_model,
        d_head=model.d_head,
        d_vocab=model.d_vocab,
        n_ctx=model.n_ctx,
        attn_only=True,
        act_fn=None,
        normalization_type=model.normalization,
        positional_embedding_type=model.positional,
        attn_scale=model.attn_scale,
        eps=model.eps,
        dtype=torch_dtype,
        device="cpu",
        init_weights=False,
    )
    tl_model = HookedTransformer(cfg)
    state = {
        "embed.W_E": model.W_E,
        "pos_embed.W_pos": model.W_pos,
        "unembed.W_U": model.W_U,
        "unembed.b_U": model.b_U,
    }
    for la in range(model.n_layers):
        for name in ("W_Q", "W_K", "W_V", "W_O", "b_Q", "b_K", "b_V", "b_O"):
            state[f"blocks.{la}.attn.{name}"] = getattr(model, name)[la]
    tensors = {
        key: torch.tensor(np.array(value), dtype=torch_dtype) for key, value in state.items()
    }
    missing, unexpected = tl_model.load_state_dict(tensors, strict=False)
    left = [key for key in missing if not key.endswith((".mask", ".IGNORE"))]
    if left or unexpected:  # pragma: no cover - guards against a TransformerLens change
        raise DiagramError(
            f"TransformerLens's HookedTransformer has parameters {left} this model does not "
            f"fill, and does not take {list(unexpected)}"
        )
    tl_model.eval()
    return tl_model
