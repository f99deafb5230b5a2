"""Attention-only transformers with real weights, and their circuits.

An :class:`AttentionOnlyTransformer` is the model of "A Mathematical Framework for
Transformer Circuits" (Elhage et al., 2021) with TransformerLens's weight names and shapes:
token embedding ``W_E``, positional embedding ``W_pos``, per layer and head the query, key,
value and output matrices ``W_Q, W_K, W_V, W_O``, and the unembedding ``W_U``. There is no
layer norm, no MLP and no bias (as the Framework sets them aside); attention is causal and
scores are scaled by ``1/sqrt(d_head)``. Vectors are rows (``x @ W``), as in TransformerLens.

Around it: :func:`path_expansion` (the logits as a sum of named paths), token-space circuits
(:func:`qk_circuit`, :func:`ov_circuit`), :func:`circuit_rank`, :func:`copying_score`,
:func:`composition_score` and :func:`composition_scores`, a hand-built
:func:`induction_transformer`, and diagram builders whose contraction is the model's own
numbers.

>>> import numpy as np
>>> model = AttentionOnlyTransformer.random(
...     n_layers=2, n_heads=2, d_model=8, d_head=4, d_vocab=10, n_ctx=12
... )
>>> model([1, 2, 3]).shape
(3, 10)
>>> model.attention_patterns([1, 2, 3]).shape
(2, 2, 3, 3)
>>> terms = path_expansion(model, [1, 2, 3])
>>> list(terms)[:3]
['direct', 'L0H0', 'L0H1']
>>> bool(np.allclose(sum(terms.values()), model([1, 2, 3])))
True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import combinations, product
from pathlib import Path
from typing import Any, Literal

import numpy as np

from ._errors import DiagramError

__all__ = [
    "AttentionOnlyTransformer",
    "path_expansion",
    "composition_score",
    "composition_scores",
    "FactoredCircuit",
    "qk_circuit",
    "ov_circuit",
    "positional_qk_circuit",
    "circuit_rank",
    "copying_score",
    "circuit_singular_values",
    "circuit_eigenvalues",
    "encode_text",
    "decode_tokens",
    "held_out_text",
    "induction_transformer",
    "repeated_random_tokens",
    "load_trained_model",
    "previous_token_scores",
    "induction_scores",
]

WEIGHT_NAMES = ("W_E", "W_pos", "W_Q", "W_K", "W_V", "W_O", "W_U")
BIAS_NAMES = ("b_Q", "b_K", "b_V", "b_O", "b_U")
PARAM_NAMES = WEIGHT_NAMES + BIAS_NAMES
_AXES = {
    "W_E": ("d_vocab", "d_model"),
    "W_pos": ("n_ctx", "d_model"),
    "W_Q": ("n_layers", "n_heads", "d_model", "d_head"),
    "W_K": ("n_layers", "n_heads", "d_model", "d_head"),
    "W_V": ("n_layers", "n_heads", "d_model", "d_head"),
    "W_O": ("n_layers", "n_heads", "d_head", "d_model"),
    "W_U": ("d_model", "d_vocab"),
    "b_Q": ("n_layers", "n_heads", "d_head"),
    "b_K": ("n_layers", "n_heads", "d_head"),
    "b_V": ("n_layers", "n_heads", "d_head"),
    "b_O": ("n_layers", "d_model"),
    "b_U": ("d_vocab",),
}
POSITIONAL = ("standard", "shortformer")
NORMALIZATIONS = (None, "LNPre", "RMSPre")

Head = tuple[int, int]
CompositionKind = Literal["Q", "K", "V"]


def _shape_text(name: str) -> str:
    return f"{name} [{', '.join(_AXES[name])}]"


def _to_numpy(value: Any) -> Any:
    """torch tensors (even ones that require grad, or live on a GPU) -> numpy arrays."""
    if hasattr(value, "detach") and hasattr(value, "cpu"):
        value = value.detach().cpu()
        if hasattr(value, "double") and getattr(value, "is_floating_point", lambda: False)():
            value = value.double()
        return value.numpy()
    return value


class AttentionOnlyTransformer:
    """An attention-only transformer: embeddings, attention heads, unembedding.

    Parameters use TransformerLens's names and shapes (rows are vectors, ``x @ W``):

    ========  ==========================================
    ``W_E``   [d_vocab, d_model] token embedding
    ``W_pos`` [n_ctx, d_model] positional embedding
    ``W_Q``   [n_layers, n_heads, d_model, d_head]
    ``W_K``   [n_layers, n_heads, d_model, d_head]
    ``W_V``   [n_layers, n_heads, d_model, d_head]
    ``W_O``   [n_layers, n_heads, d_head, d_model]
    ``W_U``   [d_model, d_vocab] unembedding
    ``b_Q``   [n_layers, n_heads, d_head] (also ``b_K``, ``b_V``), optional, default 0
    ``b_O``   [n_layers, d_model], optional, default 0
    ``b_U``   [d_vocab], optional, default 0
    ========  ==========================================

    Causal mask; scores are divided by ``attn_scale`` (default ``sqrt(d_head)``). Each layer
    adds the sum of its heads' outputs and ``b_O`` to the residual stream. Options, as in
    TransformerLens's ``HookedTransformerConfig``:

    - ``positional="standard"``: ``W_pos`` is added to the residual stream;
      ``"shortformer"``: it is added only to the queries' and keys' input, never to the
      residual stream (so values, and the paths of :func:`path_expansion`, carry no position).
    - ``normalization=None`` (the Framework's model), ``"LNPre"`` or ``"RMSPre"``: a layer
      norm without weights (TransformerLens folds LayerNorm's weights into the next layer)
      before each attention layer and before ``W_U``; ``eps`` inside the square root.

    >>> import numpy as np
    >>> model = AttentionOnlyTransformer.random(1, 2, d_model=6, d_head=3, d_vocab=5, n_ctx=8)
    >>> model.n_layers, model.n_heads, model.d_model, model.d_head, model.d_vocab, model.n_ctx
    (1, 2, 6, 3, 5, 8)
    >>> model([0, 4, 2]).shape
    (3, 5)
    >>> model.W_OV.shape, model.W_QK.shape
    ((1, 2, 6, 6), (1, 2, 6, 6))
    """

    def __init__(
        self,
        *,
        W_E: Any,
        W_pos: Any,
        W_Q: Any,
        W_K: Any,
        W_V: Any,
        W_O: Any,
        W_U: Any,
        b_Q: Any = None,
        b_K: Any = None,
        b_V: Any = None,
        b_O: Any = None,
        b_U: Any = None,
        positional: Literal["standard", "shortformer"] = "standard",
        normalization: Literal["LNPre", "RMSPre"] | None = None,
        eps: float = 1e-5,
        attn_scale: float | None = None,
    ) -> None:
        given = {
            "W_E": W_E,
            "W_pos": W_pos,
            "W_Q": W_Q,
            "W_K": W_K,
            "W_V": W_V,
            "W_O": W_O,
            "W_U": W_U,
            "b_Q": b_Q,
            "b_K": b_K,
            "b_V": b_V,
            "b_O": b_O,
            "b_U": b_U,
        }
        arrays: dict[str, np.ndarray] = {}
        for name, value in given.items():
            if value is None:
                continue
            try:
                arr = np.asarray(_to_numpy(value))
            except Exception as exc:  # pragma: no cover - numpy raises many types
                raise DiagramError(f"{name}: cannot be read as an array ({exc})") from None
            if arr.dtype.kind not in "biuf":
                raise DiagramError(f"{name}: weights must be real numbers, got dtype {arr.dtype}")
            want = len(_AXES[name])
            if arr.ndim != want:
                raise DiagramError(
                    f"{name} must have {want} axes, {_shape_text(name)}, but has shape {arr.shape}"
                )
            if not np.all(np.isfinite(arr)):
                raise DiagramError(f"{name} contains NaN or infinite values")
            arr = np.array(arr, dtype=np.float64)
            arr.setflags(write=False)
            arrays[name] = arr
        # Every size is fixed by the first weight that has it; later weights must agree.
        sizes: dict[str, tuple[int, str]] = {}
        for name in PARAM_NAMES:
            if name not in arrays:
                continue
            for axis, dim in zip(_AXES[name], arrays[name].shape, strict=True):
                if axis in sizes and sizes[axis][0] != dim:
                    first_dim, first = sizes[axis]
                    raise DiagramError(
                        f"{name} has shape {arrays[name].shape}, {_shape_text(name)}: its "
                        f"{axis} is {dim} but {first} (shape {arrays[first].shape}) gives "
                        f"{axis} = {first_dim}"
                    )
                sizes.setdefault(axis, (int(dim), name))
        for axis, (dim, name) in sizes.items():
            if dim < 1:
                raise DiagramError(f"{name} has shape {arrays[name].shape}: {axis} must be >= 1")
        if positional not in POSITIONAL:
            raise DiagramError(
                f"positional must be 'standard' or 'shortformer', got {positional!r}"
            )
        if normalization not in NORMALIZATIONS:
            raise DiagramError(
                f"normalization must be None, 'LNPre' or 'RMSPre', got {normalization!r} "
                "(fold a LayerNorm's weights into the next layer first, as "
                "from_transformer_lens does)"
            )
        self.W_E: np.ndarray = arrays["W_E"]
        self.W_pos: np.ndarray = arrays["W_pos"]
        self.W_Q: np.ndarray = arrays["W_Q"]
        self.W_K: np.ndarray = arrays["W_K"]
        self.W_V: np.ndarray = arrays["W_V"]
        self.W_O: np.ndarray = arrays["W_O"]
        self.W_U: np.ndarray = arrays["W_U"]
        self.n_layers, self.n_heads, self.d_model, self.d_head = self.W_Q.shape
        self.d_vocab = self.W_E.shape[0]
        self.n_ctx = self.W_pos.shape[0]
        for name in BIAS_NAMES:
            if name not in arrays:
                shape = tuple(getattr(self, axis) for axis in _AXES[name])
                zero = np.zeros(shape)
                zero.setflags(write=False)
                arrays[name] = zero
        self.b_Q: np.ndarray = arrays["b_Q"]
        self.b_K: np.ndarray = arrays["b_K"]
        self.b_V: np.ndarray = arrays["b_V"]
        self.b_O: np.ndarray = arrays["b_O"]
        self.b_U: np.ndarray = arrays["b_U"]
        self.positional: str = positional
        self.normalization: str | None = normalization
        self.eps = float(eps)
        scale = math.sqrt(self.d_head) if attn_scale is None else float(attn_scale)
        if not (math.isfinite(scale) and scale > 0):
            raise DiagramError(f"attn_scale must be a positive number, got {attn_scale!r}")
        self.attn_scale = scale

    # ---- construction --------------------------------------------------------------

    @classmethod
    def random(
        cls,
        n_layers: int,
        n_heads: int,
        d_model: int,
        d_head: int,
        d_vocab: int,
        n_ctx: int,
        seed: int = 0,
        *,
        biases: bool = False,
        positional: Literal["standard", "shortformer"] = "standard",
        normalization: Literal["LNPre", "RMSPre"] | None = None,
    ) -> AttentionOnlyTransformer:
        """A model with Gaussian weights (std ``1/sqrt(fan_in)``), reproducible by ``seed``.

        >>> AttentionOnlyTransformer.random(2, 4, 16, 4, 10, 20, seed=1)
        AttentionOnlyTransformer(n_layers=2, n_heads=4, d_model=16, d_head=4, d_vocab=10, n_ctx=20)
        >>> AttentionOnlyTransformer.random(1, 1, 4, 2, 5, 6, biases=True, positional="shortformer")
        AttentionOnlyTransformer(n_layers=1, n_heads=1, d_model=4, d_head=2, d_vocab=5, n_ctx=6, biases=True, positional='shortformer')
        """
        for name, value in [
            ("n_layers", n_layers),
            ("n_heads", n_heads),
            ("d_model", d_model),
            ("d_head", d_head),
            ("d_vocab", d_vocab),
            ("n_ctx", n_ctx),
        ]:
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
                raise DiagramError(f"{name} must be a positive integer, got {value!r}")
        rng = np.random.default_rng(seed)
        L, H, D, E = n_layers, n_heads, d_model, d_head
        weights = dict(
            W_E=rng.normal(size=(d_vocab, D)),
            W_pos=rng.normal(size=(n_ctx, D)) * 0.5,
            W_Q=rng.normal(size=(L, H, D, E)) / math.sqrt(D),
            W_K=rng.normal(size=(L, H, D, E)) / math.sqrt(D),
            W_V=rng.normal(size=(L, H, D, E)) / math.sqrt(D),
            W_O=rng.normal(size=(L, H, E, D)) / math.sqrt(E * H),
            W_U=rng.normal(size=(D, d_vocab)) / math.sqrt(D),
        )
        if biases:
            weights.update(
                b_Q=rng.normal(size=(L, H, E)) * 0.3,
                b_K=rng.normal(size=(L, H, E)) * 0.3,
                b_V=rng.normal(size=(L, H, E)) * 0.3,
                b_O=rng.normal(size=(L, D)) * 0.3,
                b_U=rng.normal(size=d_vocab) * 0.3,
            )
        return cls(**weights, positional=positional, normalization=normalization)

    @property
    def has_biases(self) -> bool:
        """Whether any bias is nonzero."""
        return any(bool(np.any(getattr(self, name))) for name in BIAS_NAMES)

    def config(self) -> dict[str, Any]:
        """The options that are not weights: ``positional``, ``normalization``, ``eps``,
        ``attn_scale`` (so ``AttentionOnlyTransformer(**m.weights(), **m.config())`` is ``m``)."""
        return {
            "positional": self.positional,
            "normalization": self.normalization,
            "eps": self.eps,
            "attn_scale": self.attn_scale,
        }

    def weights(self) -> dict[str, np.ndarray]:
        """The weights by name (read-only arrays): the seven weights, then, if any bias is
        nonzero, the five biases ``b_Q, b_K, b_V, b_O, b_U``.

        >>> list(AttentionOnlyTransformer.random(1, 1, 4, 2, 5, 6).weights())
        ['W_E', 'W_pos', 'W_Q', 'W_K', 'W_V', 'W_O', 'W_U']
        """
        names = PARAM_NAMES if self.has_biases else WEIGHT_NAMES
        return {name: getattr(self, name) for name in names}

    def replace(self, **weights: Any) -> AttentionOnlyTransformer:
        """A new model with some weights (or options) replaced; the rest are kept.

        >>> model = AttentionOnlyTransformer.random(1, 1, 4, 2, d_vocab=5, n_ctx=6)
        >>> float(model.replace(W_U=np.zeros((4, 5)))([1, 2]).max())
        0.0
        """
        options = self.config()
        unknown = sorted(set(weights) - set(PARAM_NAMES) - set(options))
        if unknown:
            raise DiagramError(
                f"unknown weight(s) {unknown}; the weights are {list(PARAM_NAMES)} and the "
                f"options {list(options)}"
            )
        return AttentionOnlyTransformer(**{**self.weights(), **options, **weights})

    def ablate(self, heads: Sequence[tuple[int, int]]) -> AttentionOnlyTransformer:
        """A new model in which the given heads write nothing (their ``W_O`` is zero).

        (A layer's ``b_O`` belongs to no head and stays.)

        >>> model = induction_transformer()
        >>> tokens = repeated_random_tokens(16, 16, batch=20)
        >>> second_half = lambda m: m.loss(tokens, per_position=True)[16:].mean()
        >>> bool(second_half(model) < 0.01), bool(second_half(model.ablate([(0, 0)])) > 1)
        (True, True)
        """
        W_O = np.array(self.W_O)
        for layer, head in heads:
            layer, head = self._check_head(layer, head)
            W_O[layer, head] = 0.0
        return self.replace(W_O=W_O)

    def save(self, path: str | Path) -> None:
        """Save the weights and options to a ``.npz`` file (float32), readable by :meth:`load`.

        Biases are saved only if some are nonzero.
        """
        arrays = {k: v.astype(np.float32) for k, v in self.weights().items()}
        options = {
            "positional": np.array(self.positional),
            "normalization": np.array(self.normalization or ""),
            "eps": np.array(self.eps),
            "attn_scale": np.array(self.attn_scale),
        }
        np.savez_compressed(path, **arrays, **options)

    @classmethod
    def load(cls, path: str | Path) -> AttentionOnlyTransformer:
        """Load a model saved by :meth:`save` (any ``.npz`` with the seven weight names;
        biases and options are read when present)."""
        with np.load(path) as data:
            missing = [n for n in WEIGHT_NAMES if n not in data.files]
            if missing:
                raise DiagramError(
                    f"{str(path)!r} lacks weight(s) {missing}; it holds {sorted(data.files)}"
                )
            params = {n: data[n] for n in PARAM_NAMES if n in data.files}
            options: dict[str, Any] = {}
            if "positional" in data.files:
                options["positional"] = str(data["positional"])
            if "normalization" in data.files:
                options["normalization"] = str(data["normalization"]) or None
            for name in ("eps", "attn_scale"):
                if name in data.files:
                    options[name] = float(data[name])
            return cls(**params, **options)

    def __repr__(self) -> str:
        extra = ""
        if self.has_biases:
            extra += ", biases=True"
        if self.positional != "standard":
            extra += f", positional={self.positional!r}"
        if self.normalization:
            extra += f", normalization={self.normalization!r}"
        if not math.isclose(self.attn_scale, math.sqrt(self.d_head)):
            extra += f", attn_scale={self.attn_scale:g}"
        return (
            f"AttentionOnlyTransformer(n_layers={self.n_layers}, n_heads={self.n_heads}, "
            f"d_model={self.d_model}, d_head={self.d_head}, d_vocab={self.d_vocab}, "
            f"n_ctx={self.n_ctx}{extra})"
        )

    # ---- TransformerLens -------------------------------------------------------------

    @classmethod
    def from_transformer_lens(cls, model: Any, cfg: Any = None) -> AttentionOnlyTransformer:
        """The same model, from a TransformerLens ``HookedTransformer`` (3.x) or its state dict.

        ``model`` is a ``HookedTransformer`` (its ``cfg`` is read), or a state dict (torch
        tensors or arrays, TransformerLens's keys) together with ``cfg`` (a
        ``HookedTransformerConfig`` or a dict of its fields). Tensors are detached and
        converted to float64. Biases, standard and shortformer positions, and
        ``attn_scale`` are kept; a LayerNorm's (or RMSNorm's) weight and bias are folded
        into the following ``W_Q, W_K, W_V`` or ``W_U`` and their biases, exactly as
        TransformerLens's ``fold_ln`` does, leaving ``normalization="LNPre"`` (or
        ``"RMSPre"``). Anything this model cannot hold raises a :class:`DiagramError`
        naming every such feature, instead of giving a silently different model.

        >>> cfg = {"n_layers": 1, "n_heads": 2, "d_model": 4, "d_head": 2, "d_vocab": 5,
        ...        "n_ctx": 6, "attn_only": False, "positional_embedding_type": "rotary"}
        >>> AttentionOnlyTransformer.from_transformer_lens({}, cfg)
        Traceback (most recent call last):
        ...
        tensorlessons._errors.DiagramError: cannot hold this TransformerLens model: MLPs (attn_only=False); rotary positional embeddings (positional_embedding_type='rotary')
        """
        from ._tl import from_transformer_lens

        return from_transformer_lens(cls, model, cfg)

    def to_transformer_lens(self, *, dtype: str = "float64") -> Any:
        """The same model as a TransformerLens ``HookedTransformer`` (needs ``torch`` and
        ``transformer-lens`` 3.x, the ``tl-compat`` extra), float64 on the CPU by default.

        Its logits, attention patterns and cache agree with this model's to float64
        precision (tested for biases, shortformer positions and ``LNPre``).
        """
        from ._tl import to_transformer_lens

        return to_transformer_lens(self, dtype)

    # ---- derived matrices ------------------------------------------------------------

    @property
    def W_QK(self) -> np.ndarray:
        """``W_Q @ W_K.T`` per head, [n_layers, n_heads, d_model, d_model].

        The (unscaled) attention score of query residual ``x_q`` on key residual ``x_k``
        is ``x_q @ W_QK @ x_k`` (plus bias terms, if the model has biases).
        """
        return np.einsum("lhme,lhne->lhmn", self.W_Q, self.W_K)

    @property
    def W_OV(self) -> np.ndarray:
        """``W_V @ W_O`` per head, [n_layers, n_heads, d_model, d_model].

        A head moves ``x_k @ W_OV`` from key position to query position.
        """
        return np.einsum("lhme,lhen->lhmn", self.W_V, self.W_O)

    def _check_head(self, layer: Any, head: Any) -> tuple[int, int]:
        for what, value, n in [("layer", layer, self.n_layers), ("head", head, self.n_heads)]:
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
                raise DiagramError(f"{what} must be an integer, got {value!r}")
            if not 0 <= value < n:
                raise DiagramError(
                    f"{what} {value} does not exist: the model has {n} {what}s (0..{n - 1})"
                )
        return int(layer), int(head)

    # ---- running ------------------------------------------------------------------

    def check_tokens(self, tokens: Any) -> np.ndarray:
        """Validate tokens: integers in ``0..d_vocab-1``, shape [seq] or [batch, seq].

        >>> model = AttentionOnlyTransformer.random(1, 1, 4, 2, d_vocab=5, n_ctx=6)
        >>> model.check_tokens([0, 4]).tolist()
        [0, 4]
        >>> model.check_tokens([0, 5])
        Traceback (most recent call last):
        ...
        tensorlessons._errors.DiagramError: token 5 at position 1 of [0, 5] is outside the vocabulary 0..4 (d_vocab = 5)
        """
        tokens = _to_numpy(tokens)
        try:
            arr = np.asarray(tokens)
        except Exception:  # pragma: no cover
            raise DiagramError(f"tokens {tokens!r} cannot be read as an array") from None
        shown = _short(tokens)
        if arr.dtype.kind == "f" and arr.size and np.all(arr == np.round(arr)):
            arr = arr.astype(np.int64)
        if arr.dtype.kind not in "iu":
            if arr.size == 0 and arr.ndim == 1:
                raise DiagramError("tokens must not be empty: give at least one token")
            raise DiagramError(f"tokens must be integers, got {shown} (dtype {arr.dtype})")
        if arr.ndim not in (1, 2):
            raise DiagramError(
                f"tokens must have shape [seq] or [batch, seq], got shape {arr.shape}"
            )
        seq = arr.shape[-1]
        if seq == 0:
            raise DiagramError("tokens must not be empty: give at least one token")
        if seq > self.n_ctx:
            raise DiagramError(
                f"{seq} tokens are more than the model's context n_ctx = {self.n_ctx} "
                f"(W_pos has {self.n_ctx} rows)"
            )
        bad = (arr < 0) | (arr >= self.d_vocab)
        if bad.any():
            where = tuple(int(i) for i in np.argwhere(bad)[0])
            pos = where[-1] if arr.ndim == 1 else where
            raise DiagramError(
                f"token {int(arr[where])} at position {pos if arr.ndim == 1 else list(pos)} "
                f"of {shown} is outside the vocabulary 0..{self.d_vocab - 1} "
                f"(d_vocab = {self.d_vocab})"
            )
        return arr.astype(np.int64)

    def embed(self, tokens: Any) -> np.ndarray:
        """The residual stream before layer 0, [seq, d_model]: ``W_E[tokens] + W_pos[:seq]``
        (with ``positional="shortformer"`` only ``W_E[tokens]``).

        >>> model = AttentionOnlyTransformer.random(1, 1, 4, 2, d_vocab=5, n_ctx=6)
        >>> model.embed([3, 1]).shape
        (2, 4)
        """
        tok = self.check_tokens(tokens)
        if self.positional == "shortformer":
            return np.array(self.W_E[tok])
        return self.W_E[tok] + self.W_pos[: tok.shape[-1]]

    def _normalize(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """``(normalized x, scale [..., 1])``; ``(x, None)`` without normalization."""
        if self.normalization is None:
            return x, None
        if self.normalization == "LNPre":
            x = x - x.mean(axis=-1, keepdims=True)
        scale = np.sqrt((x * x).mean(axis=-1, keepdims=True) + self.eps)
        return x / scale, scale

    def run_with_cache(self, tokens: Any) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Logits and every intermediate: residual streams, scores, patterns, head outputs.

        Short keys (``l`` is a layer; arrays get a leading batch axis if tokens do):

        - ``"embed"``: [seq, d_model], the residual stream entering layer 0 (``"resid.0"``);
        - ``"resid.l"``: [seq, d_model], the residual stream entering layer ``l``
          (``"resid.{n_layers}"`` is the final one, which ``W_U`` reads);
        - ``"scores.l"``: [n_heads, seq, seq], scaled attention scores, ``-inf`` above the
          diagonal (the causal mask);
        - ``"pattern.l"``: [n_heads, seq, seq], the attention patterns (softmax of scores,
          rows are queries, columns keys);
        - ``"head_out.l"``: [n_heads, seq, d_model], what each head adds to the stream
          (head first; TransformerLens's ``hook_result`` below is the same numbers
          [seq, n_heads, d_model]).

        The same arrays under TransformerLens 3.x ``HookedTransformer`` hook names, in its
        axis order: ``hook_embed``, ``hook_pos_embed``, ``blocks.{l}.hook_resid_pre``,
        ``blocks.{l}.attn.hook_q``/``hook_k``/``hook_v``/``hook_z`` [seq, n_heads, d_head],
        ``blocks.{l}.attn.hook_attn_scores``/``hook_pattern`` [n_heads, seq, seq],
        ``blocks.{l}.attn.hook_result`` [seq, n_heads, d_model], ``blocks.{l}.hook_attn_out``,
        ``blocks.{l}.hook_resid_post`` [seq, d_model]; with normalization also
        ``blocks.{l}.ln1.hook_scale`` [seq, 1], ``blocks.{l}.ln1.hook_normalized``,
        ``ln_final.hook_scale`` and ``ln_final.hook_normalized``.

        >>> model = AttentionOnlyTransformer.random(2, 3, 8, 2, d_vocab=5, n_ctx=6)
        >>> logits, cache = model.run_with_cache([1, 2, 3, 4])
        >>> cache["pattern.1"].shape, cache["head_out.0"].shape, cache["resid.2"].shape
        ((3, 4, 4), (3, 4, 8), (4, 8))
        >>> cache["blocks.0.attn.hook_result"].shape, cache["blocks.1.attn.hook_pattern"].shape
        ((4, 3, 8), (3, 4, 4))
        """
        tok = self.check_tokens(tokens)
        batched = tok.ndim == 2
        tok2 = tok if batched else tok[None]
        seq = tok2.shape[1]
        token_embed = self.W_E[tok2]
        pos_embed = np.broadcast_to(self.W_pos[:seq], token_embed.shape)
        shortformer = self.positional == "shortformer"
        x = token_embed if shortformer else token_embed + pos_embed
        cache: dict[str, np.ndarray] = {
            "embed": x,
            "resid.0": x,
            "hook_embed": token_embed,
            "hook_pos_embed": pos_embed,
        }
        mask = np.triu(np.ones((seq, seq), dtype=bool), k=1)
        for layer in range(self.n_layers):
            block = f"blocks.{layer}"
            cache[f"{block}.hook_resid_pre"] = x
            xn, scale = self._normalize(x)
            if scale is not None:
                cache[f"{block}.ln1.hook_scale"] = scale
                cache[f"{block}.ln1.hook_normalized"] = xn
            qk_in = xn + pos_embed if shortformer else xn
            # [batch, pos, head, d_head], TransformerLens's order
            q = np.einsum("bpm,hme->bphe", qk_in, self.W_Q[layer]) + self.b_Q[layer]
            k = np.einsum("bpm,hme->bphe", qk_in, self.W_K[layer]) + self.b_K[layer]
            v = np.einsum("bpm,hme->bphe", xn, self.W_V[layer]) + self.b_V[layer]
            scores = np.einsum("bqhe,bkhe->bhqk", q, k) / self.attn_scale
            scores[..., mask] = -np.inf
            pattern = _softmax(scores)
            z = np.einsum("bhqk,bkhe->bqhe", pattern, v)
            result = np.einsum("bqhe,hem->bqhm", z, self.W_O[layer])
            attn_out = result.sum(axis=2) + self.b_O[layer]
            x = x + attn_out
            cache[f"scores.{layer}"] = scores
            cache[f"pattern.{layer}"] = pattern
            cache[f"head_out.{layer}"] = result.transpose(0, 2, 1, 3)
            cache[f"resid.{layer + 1}"] = x
            attn = f"{block}.attn"
            cache[f"{attn}.hook_q"] = q
            cache[f"{attn}.hook_k"] = k
            cache[f"{attn}.hook_v"] = v
            cache[f"{attn}.hook_attn_scores"] = scores
            cache[f"{attn}.hook_pattern"] = pattern
            cache[f"{attn}.hook_z"] = z
            cache[f"{attn}.hook_result"] = result
            cache[f"{block}.hook_attn_out"] = attn_out
            cache[f"{block}.hook_resid_post"] = x
        xn, scale = self._normalize(x)
        if scale is not None:
            cache["ln_final.hook_scale"] = scale
            cache["ln_final.hook_normalized"] = xn
        logits = xn @ self.W_U + self.b_U
        if not batched:
            logits = logits[0]
            cache = {key: value[0] for key, value in cache.items()}
        return logits, cache

    def __call__(self, tokens: Any) -> np.ndarray:
        """Logits, [seq, d_vocab] (or [batch, seq, d_vocab]): row ``p`` predicts token ``p+1``."""
        return self.run_with_cache(tokens)[0]

    def attention_patterns(self, tokens: Any) -> np.ndarray:
        """Every head's attention pattern, [n_layers, n_heads, seq, seq] (query, key).

        With batched tokens: [batch, n_layers, n_heads, seq, seq].

        >>> model = AttentionOnlyTransformer.random(2, 2, 8, 4, d_vocab=5, n_ctx=6)
        >>> A = model.attention_patterns([1, 2, 3])
        >>> A.shape, bool(np.allclose(A.sum(-1), 1)), float(A[0, 0, 0, 2])
        ((2, 2, 3, 3), True, 0.0)
        """
        _, cache = self.run_with_cache(tokens)
        axis = 1 if np.asarray(cache["embed"]).ndim == 3 else 0
        return np.stack([cache[f"pattern.{layer}"] for layer in range(self.n_layers)], axis=axis)

    def loss(self, tokens: Any, *, per_position: bool = False) -> np.ndarray | float:
        """Next-token cross-entropy (natural log): mean, or [seq-1] per predicting position.

        With batched tokens the per-position losses are averaged over the batch.

        >>> model = AttentionOnlyTransformer.random(1, 1, 8, 4, d_vocab=5, n_ctx=6)
        >>> model.loss([1, 2, 3, 4], per_position=True).shape
        (3,)
        """
        tok = self.check_tokens(tokens)
        if tok.shape[-1] < 2:
            raise DiagramError("the loss needs at least two tokens (one to predict)")
        logp = log_softmax(self(tok))
        tok2 = tok if tok.ndim == 2 else tok[None]
        logp2 = logp if tok.ndim == 2 else logp[None]
        b, s = np.meshgrid(np.arange(tok2.shape[0]), np.arange(tok2.shape[1] - 1), indexing="ij")
        nll = -logp2[b, s, tok2[:, 1:]]
        per = nll.mean(axis=0)
        return per if per_position else float(per.mean())


def _short(tokens: Any, limit: int = 12) -> str:
    try:
        seq = np.asarray(tokens).tolist()
    except Exception:  # pragma: no cover
        return repr(tokens)
    if isinstance(seq, list) and len(seq) > limit:
        return "[" + ", ".join(repr(t) for t in seq[:limit]) + ", ...]"
    return repr(seq)


def _softmax(scores: np.ndarray) -> np.ndarray:
    top = scores.max(axis=-1, keepdims=True)
    e = np.exp(scores - top)
    return e / e.sum(axis=-1, keepdims=True)


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """``log(softmax(logits))`` along the last axis, computed stably."""
    top = logits.max(axis=-1, keepdims=True)
    shifted = logits - top
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


# --------------------------------------------------------------------------------------
# Path expansion
# --------------------------------------------------------------------------------------


def head_name(layer: int, head: int) -> str:
    """``"L{layer}H{head}"``, the name of a head (as TransformerLens writes it)."""
    return f"L{layer}H{head}"


def path_expansion(model: AttentionOnlyTransformer, tokens: Any) -> dict[str, np.ndarray]:
    """The logits as a sum of paths through the model, attention patterns held as computed.

    With the patterns fixed (and, for a model with normalization, each layer norm's scale
    fixed too), the model is linear in what is written into the residual stream, and the
    logits expand into one term per path: the direct path ``x0 @ W_U`` from the embedding
    ``x0 = model.embed(tokens)``, one term per head ``A^h x0 W_OV^h W_U`` (for every layer:
    a head of a later layer reading the embedding directly), and one term per chain of heads
    in increasing layers, e.g. the *virtual head* ``"L0H1->L1H0"``:
    ``A^{1,0} A^{0,1} x0 W_OV^{0,1} W_OV^{1,0} W_U`` (V-composition).

    A model with biases has more sources than the embedding: layer ``l`` writes the same
    vector ``b_O^l + sum_h b_V^{l,h} W_O^{l,h}`` at every position (a pattern's rows sum
    to 1), whose paths are named ``"L0.bias"``, ``"L0.bias->L1H0"``, ...; and ``"b_U"`` is the
    unembedding's bias. Such terms appear only when that bias is nonzero. With
    normalization, each head divides by its layer's frozen ``ln1`` scale (after centering,
    for ``"LNPre"``) and every term by the final one. The terms sum to the logits exactly.

    Returns a dict ``{name: array [seq, d_vocab]}`` (``[batch, seq, d_vocab]`` for tokens
    [batch, seq]) in the order: ``"direct"``, the heads of layer 0, layer 1, ..., the
    chains (two heads, then three, ...), then the bias paths and ``"b_U"``.

    >>> import numpy as np
    >>> model = AttentionOnlyTransformer.random(2, 2, 8, 4, d_vocab=6, n_ctx=8)
    >>> terms = path_expansion(model, [0, 3, 5, 1])
    >>> list(terms)
    ['direct', 'L0H0', 'L0H1', 'L1H0', 'L1H1', 'L0H0->L1H0', 'L0H0->L1H1', 'L0H1->L1H0', 'L0H1->L1H1']
    >>> bool(np.allclose(sum(terms.values()), model([0, 3, 5, 1]), atol=1e-12))
    True
    >>> biased = AttentionOnlyTransformer.random(2, 1, 8, 4, d_vocab=6, n_ctx=8, biases=True)
    >>> terms = path_expansion(biased, [[0, 3, 5], [1, 1, 2]])
    >>> list(terms), terms["L0.bias"].shape
    (['direct', 'L0H0', 'L1H0', 'L0H0->L1H0', 'L0.bias', 'L0.bias->L1H0', 'L1.bias', 'b_U'], (2, 3, 6))
    >>> bool(np.allclose(sum(terms.values()), biased([[0, 3, 5], [1, 1, 2]]), atol=1e-12))
    True
    """
    tok = model.check_tokens(tokens)
    batched = tok.ndim == 2
    tok2 = tok if batched else tok[None]
    _, cache = model.run_with_cache(tok2)
    W_OV = model.W_OV
    centre = model.normalization == "LNPre"

    def frozen_norm(y: np.ndarray, scale_key: str) -> np.ndarray:
        if model.normalization is None:
            return y
        if centre:
            y = y - y.mean(axis=-1, keepdims=True)
        return y / cache[scale_key]

    def through(y: np.ndarray, layer: int, head: int) -> np.ndarray:
        y = frozen_norm(y, f"blocks.{layer}.ln1.hook_scale")
        return cache[f"pattern.{layer}"][:, head] @ (y @ W_OV[layer, head])

    def unembed(y: np.ndarray) -> np.ndarray:
        return frozen_norm(y, "ln_final.hook_scale") @ model.W_U

    seq = tok2.shape[1]
    sources: list[tuple[str, int, np.ndarray]] = [("direct", 0, cache["embed"])]
    for layer in range(model.n_layers):
        bias = model.b_O[layer] + np.einsum("he,hem->m", model.b_V[layer], model.W_O[layer])
        if np.any(bias):
            stream = np.broadcast_to(bias, (tok2.shape[0], seq, model.d_model))
            sources.append((f"L{layer}.bias", layer + 1, stream))
    terms: dict[str, np.ndarray] = {}
    # A path is a chain of heads in strictly increasing layers after its source; its term
    # is A^{last} ... A^{first} x W_OV^{first} ... W_OV^{last} W_U.
    for source, first_layer, x0 in sources:
        terms[source] = unembed(x0)
        later = range(first_layer, model.n_layers)
        for n_heads_in_path in range(1, len(later) + 1):
            for layers in combinations(later, n_heads_in_path):
                for heads in product(range(model.n_heads), repeat=n_heads_in_path):
                    x = x0
                    for layer, head in zip(layers, heads, strict=True):
                        x = through(x, layer, head)
                    chain = "->".join(head_name(la, h) for la, h in zip(layers, heads, strict=True))
                    name = chain if source == "direct" else f"{source}->{chain}"
                    terms[name] = unembed(x)
    if np.any(model.b_U):
        terms["b_U"] = np.broadcast_to(model.b_U, (tok2.shape[0], seq, model.d_vocab)).copy()
    if not batched:
        terms = {name: value[0] for name, value in terms.items()}
    return terms


# --------------------------------------------------------------------------------------
# Token-space circuits, rank, copying, composition
# --------------------------------------------------------------------------------------


class FactoredCircuit:
    """A matrix kept as the product ``A @ B`` of a tall ``A`` [m, r] and a wide ``B`` [r, n].

    A head's token-space circuits are such products with ``r = d_head``: at a real
    vocabulary (50,000 tokens) the full matrix has 2.5 billion entries (20 GB of float64),
    the factors a few hundred thousand. Everything here works with the small factors:

    - singular values: ``A = Q_A R_A``, ``Bᵀ = Q_B R_B`` (thin QR), so ``AB = Q_A (R_A R_Bᵀ)
      Q_Bᵀ`` has the singular values of the r × r core ``R_A R_Bᵀ``;
    - eigenvalues (square matrices): the nonzero eigenvalues of ``AB`` are those of the
      r × r matrix ``BA``; the other ``n - r`` eigenvalues are 0;
    - :meth:`rank`, :meth:`copying_score`, :meth:`norm`, :meth:`diagonal`, :meth:`trace`,
      single entries or blocks (``M[rows, cols]``).

    :meth:`full` (or ``np.asarray(M)``) builds the whole matrix, only when asked for.

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> M = FactoredCircuit(rng.normal(size=(6, 2)), rng.normal(size=(2, 6)))
    >>> M
    FactoredCircuit([6, 6], rank <= 2)
    >>> M.rank(), bool(np.allclose(M.singular_values(), np.linalg.svd(M.full())[1][:2]))
    (2, True)
    >>> bool(np.isclose(M.copying_score(), copying_score(M.full())))
    True
    """

    __array_priority__ = 1000

    def __init__(self, A: Any, B: Any) -> None:
        A = np.asarray(_to_numpy(A), dtype=np.float64)
        B = np.asarray(_to_numpy(B), dtype=np.float64)
        if A.ndim != 2 or B.ndim != 2:
            raise DiagramError(
                f"FactoredCircuit takes two matrices, got A of shape {A.shape} and B of "
                f"shape {B.shape}"
            )
        if A.shape[1] != B.shape[0]:
            raise DiagramError(
                f"FactoredCircuit: A has shape {A.shape} and B has shape {B.shape}; A's "
                f"{A.shape[1]} columns must match B's {B.shape[0]} rows"
            )
        A.setflags(write=False)
        B.setflags(write=False)
        self.A = A
        self.B = B
        self._cached: dict[str, np.ndarray] = {}

    @property
    def shape(self) -> tuple[int, int]:
        """``(m, n)``, the shape of the full matrix."""
        return (self.A.shape[0], self.B.shape[1])

    @property
    def ndim(self) -> int:
        return 2

    @property
    def T(self) -> FactoredCircuit:
        """The transpose, ``Bᵀ Aᵀ``, still factored."""
        return FactoredCircuit(self.B.T, self.A.T)

    def full(self) -> np.ndarray:
        """The whole matrix ``A @ B`` [m, n]."""
        return self.A @ self.B

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        out = self.full()
        return out if dtype is None else out.astype(dtype)

    def __getitem__(self, key: Any) -> np.ndarray | float:
        """Entries or blocks without the full matrix: ``M[a, b]``, ``M[rows, :]``, ``M[:, cols]``."""
        if not isinstance(key, tuple) or len(key) != 2:
            key = (key, slice(None))
        rows, cols = key
        A = self.A[rows]
        B = self.B[:, cols]
        if (
            np.ndim(A) == 2
            and np.ndim(B) == 2
            and not (isinstance(rows, slice) or isinstance(cols, slice))
        ):
            if np.shape(rows) == np.shape(cols):  # paired fancy indices: entries
                return np.einsum("ir,ri->i", A, B)
        return A @ B if np.ndim(A) and np.ndim(B) else np.dot(A, B)

    def singular_values(self) -> np.ndarray:
        """The (at most ``r``) singular values, largest first; the rest are 0."""
        if "s" not in self._cached:
            ra = np.linalg.qr(self.A, mode="r")  # only R: Q is never needed
            rb = np.linalg.qr(self.B.T, mode="r")
            self._cached["s"] = np.linalg.svd(ra @ rb.T, compute_uv=False)
        return self._cached["s"].copy()

    def norm(self) -> float:
        """The Frobenius norm of the full matrix."""
        return float(np.linalg.norm(self.singular_values()))

    def rank(self, rtol: float = 1e-9) -> int:
        """Numerical rank: singular values above ``rtol * largest``."""
        s = self.singular_values()
        if s.size == 0 or s[0] == 0:
            return 0
        return int((s > rtol * s[0]).sum())

    def _square(self, what: str) -> None:
        if self.shape[0] != self.shape[1]:
            raise DiagramError(f"{what} needs a square matrix, got shape {list(self.shape)}")

    def eigenvalues(self) -> np.ndarray:
        """The eigenvalues of ``BA`` [r] (complex): the nonzero eigenvalues of ``AB``
        (the other ``n - r`` eigenvalues of the square ``AB`` are 0)."""
        self._square("eigenvalues")
        if "eig" not in self._cached:
            self._cached["eig"] = np.linalg.eigvals(self.B @ self.A).astype(np.complex128)
        return self._cached["eig"].copy()

    def copying_score(self) -> float:
        """``sum(λ) / sum(|λ|)`` over the eigenvalues (the zero ones add nothing)."""
        self._square("copying_score")
        lam = self.eigenvalues()
        total = np.abs(lam).sum()
        return 0.0 if total == 0 else float(np.real(lam.sum()) / total)

    def diagonal(self) -> np.ndarray:
        """The diagonal of a square ``AB``, without the full matrix."""
        self._square("diagonal")
        return np.einsum("ir,ri->i", self.A, self.B)

    def trace(self) -> float:
        """The trace (the sum of the eigenvalues)."""
        return float(self.diagonal().sum())

    def __matmul__(self, other: Any) -> Any:
        if isinstance(other, FactoredCircuit):
            return FactoredCircuit(self.A, (self.B @ other.A) @ other.B)
        return FactoredCircuit(self.A, self.B @ np.asarray(_to_numpy(other), dtype=np.float64))

    def __rmatmul__(self, other: Any) -> FactoredCircuit:
        return FactoredCircuit(np.asarray(_to_numpy(other), dtype=np.float64) @ self.A, self.B)

    def __repr__(self) -> str:
        return f"FactoredCircuit([{self.shape[0]}, {self.shape[1]}], rank <= {self.A.shape[1]})"


#: the largest full token-space circuit built without ``factored=True`` (entries)
FULL_CIRCUIT_LIMIT = 50_000_000


def _circuit(A: np.ndarray, B: np.ndarray, factored: bool, what: str) -> Any:
    M = FactoredCircuit(A, B)
    if factored:
        return M
    size = M.shape[0] * M.shape[1]
    if size > FULL_CIRCUIT_LIMIT:
        raise DiagramError(
            f"{what} would be a full {M.shape[0]} x {M.shape[1]} matrix "
            f"({size * 8 / 1e9:.1f} GB of float64); pass factored=True to keep it as the "
            f"product of its two rank-{A.shape[1]} factors"
        )
    return M.full()


def qk_circuit(
    model: AttentionOnlyTransformer, layer: int, head: int, *, factored: bool = False
) -> Any:
    """The token-space QK circuit ``W_E W_Q^h W_K^hT W_E^T``, [d_vocab (query), d_vocab (key)].

    Entry ``[a, b]`` is the (unscaled) attention score a query token ``a`` gives a key token
    ``b`` through the direct path, ignoring positions. Its rank is at most ``d_head``.
    With ``factored=True``: a :class:`FactoredCircuit` ``(W_E W_Q) (W_K^T W_E^T)``, whose
    rank, singular values and eigenvalues come from d_head × d_head matrices (at a real
    vocabulary the full matrix does not fit in memory, and is refused).

    >>> model = AttentionOnlyTransformer.random(1, 1, 8, 2, d_vocab=10, n_ctx=4)
    >>> M = qk_circuit(model, 0, 0)
    >>> M.shape, circuit_rank(M)
    ((10, 10), 2)
    >>> qk_circuit(model, 0, 0, factored=True).rank()
    2
    """
    layer, head = model._check_head(layer, head)
    return _circuit(
        model.W_E @ model.W_Q[layer, head],
        model.W_K[layer, head].T @ model.W_E.T,
        factored,
        f"the QK circuit of {head_name(layer, head)}",
    )


def positional_qk_circuit(model: AttentionOnlyTransformer, layer: int, head: int) -> np.ndarray:
    """The position-space QK circuit ``W_pos W_Q^h W_K^hT W_pos^T``, [n_ctx, n_ctx].

    A previous-token head built from positions shows a large entry at ``[p, p-1]``.
    """
    layer, head = model._check_head(layer, head)
    return model.W_pos @ model.W_Q[layer, head] @ model.W_K[layer, head].T @ model.W_pos.T


def ov_circuit(
    model: AttentionOnlyTransformer, layer: int, head: int, *, factored: bool = False
) -> Any:
    """The token-space OV circuit ``W_E W_V^h W_O^h W_U``, [d_vocab (attended), d_vocab (logit)].

    Entry ``[a, b]`` is how much attending to token ``a`` raises the logit of token ``b``
    through the direct path. A copying head has a large diagonal. Rank at most ``d_head``.
    With ``factored=True``: a :class:`FactoredCircuit` ``(W_E W_V) (W_O W_U)``.

    >>> model = AttentionOnlyTransformer.random(1, 1, 8, 3, d_vocab=10, n_ctx=4)
    >>> ov_circuit(model, 0, 0).shape, circuit_rank(ov_circuit(model, 0, 0))
    ((10, 10), 3)
    >>> M = ov_circuit(model, 0, 0, factored=True)
    >>> bool(np.isclose(copying_score(M), copying_score(ov_circuit(model, 0, 0))))
    True
    """
    layer, head = model._check_head(layer, head)
    return _circuit(
        model.W_E @ model.W_V[layer, head],
        model.W_O[layer, head] @ model.W_U,
        factored,
        f"the OV circuit of {head_name(layer, head)}",
    )


def _matrix(M: Any, what: str) -> np.ndarray:
    arr = np.asarray(_to_numpy(M))
    if arr.ndim != 2 or arr.dtype.kind not in "biufc":
        raise DiagramError(
            f"{what} must be a matrix of numbers, got shape {arr.shape} ({arr.dtype})"
        )
    return arr.astype(np.complex128 if arr.dtype.kind == "c" else np.float64)


def circuit_rank(M: Any, rtol: float = 1e-9) -> int:
    """The numerical rank of a matrix: singular values above ``rtol * largest`` (via SVD).

    A :class:`FactoredCircuit` is ranked through its small core (no full matrix).

    >>> import numpy as np
    >>> circuit_rank(np.outer([1.0, 2.0, 3.0], [1.0, 1.0]))
    1
    """
    if isinstance(M, FactoredCircuit):
        return M.rank(rtol)
    s = np.linalg.svd(_matrix(M, "M"), compute_uv=False)
    if s.size == 0 or s[0] == 0:
        return 0
    return int((s > rtol * s[0]).sum())


def circuit_singular_values(M: Any) -> np.ndarray:
    """Singular values, largest first (of a :class:`FactoredCircuit`: the at most ``r``
    nonzero ones, from its core).

    >>> import numpy as np
    >>> circuit_singular_values(np.diag([1.0, 3.0])).tolist()
    [3.0, 1.0]
    """
    if isinstance(M, FactoredCircuit):
        return M.singular_values()
    return np.linalg.svd(_matrix(M, "M"), compute_uv=False)


def circuit_eigenvalues(M: Any) -> np.ndarray:
    """Eigenvalues (complex) of a square matrix; of a :class:`FactoredCircuit` ``AB``, the
    ``r`` eigenvalues of ``BA`` (the others are 0)."""
    if isinstance(M, FactoredCircuit):
        return M.eigenvalues()
    arr = _matrix(M, "M")
    if arr.shape[0] != arr.shape[1]:
        raise DiagramError(f"eigenvalues need a square matrix, got shape {arr.shape}")
    return np.linalg.eigvals(arr).astype(np.complex128)


def copying_score(M: Any) -> float:
    """The eigenvalue copying score ``sum(λ) / sum(|λ|)`` of a square matrix (Elhage et al.).

    Near 1 when the eigenvalues are positive (the circuit raises the logit of the token it
    attends to: copying), near -1 when negative, near 0 when mixed. A
    :class:`FactoredCircuit` is scored from the eigenvalues of its small ``BA``.

    >>> import numpy as np
    >>> copying_score(np.eye(3)), copying_score(-np.eye(3))
    (1.0, -1.0)
    """
    if isinstance(M, FactoredCircuit):
        return M.copying_score()
    arr = _matrix(M, "M")
    if arr.shape[0] != arr.shape[1]:
        raise DiagramError(f"copying_score needs a square matrix, got shape {arr.shape}")
    lam = np.linalg.eigvals(arr)
    total = np.abs(lam).sum()
    if total == 0:
        return 0.0
    return float(np.real(lam.sum()) / total)


def composition_score(W_A: Any, W_B: Any) -> float:
    """How much two matrices compose: ``||W_A W_B||_F / (||W_A||_F ||W_B||_F)``.

    Between 0 (the output space of ``W_A`` is orthogonal to what ``W_B`` reads) and 1.

    >>> import numpy as np
    >>> composition_score(np.eye(2), np.eye(2))  # doctest: +ELLIPSIS
    0.707...
    >>> composition_score(np.diag([1.0, 0.0]), np.diag([0.0, 1.0]))
    0.0
    """
    A, B = _matrix(W_A, "W_A"), _matrix(W_B, "W_B")
    if A.shape[1] != B.shape[0]:
        raise DiagramError(
            f"composition_score: W_A has shape {A.shape} and W_B has shape {B.shape}; "
            f"W_A's {A.shape[1]} columns must match W_B's {B.shape[0]} rows"
        )
    denom = np.linalg.norm(A) * np.linalg.norm(B)
    if denom == 0:
        return 0.0
    return float(np.linalg.norm(A @ B) / denom)


def composition_scores(
    model: AttentionOnlyTransformer,
    kind: CompositionKind,
    layer_from: int = 0,
    layer_to: int = 1,
) -> np.ndarray:
    """Composition scores between every head of ``layer_from`` and of ``layer_to``.

    Entry ``[h1, h2]`` scores how head ``h2`` of the later layer reads what head ``h1``
    of the earlier layer writes (rows are vectors, so ``W_OV = W_V W_O`` and
    ``W_QK = W_Q W_K^T``):

    - ``"Q"``: the queries: ``composition_score(W_OV^h1, W_QK^h2)``;
    - ``"K"``: the keys: ``composition_score(W_OV^h1, W_QK^h2 T)``;
    - ``"V"``: the values (virtual heads): ``composition_score(W_OV^h1, W_OV^h2)``.

    >>> model = AttentionOnlyTransformer.random(2, 3, 8, 2, d_vocab=5, n_ctx=6)
    >>> composition_scores(model, "K").shape
    (3, 3)
    """
    if kind not in ("Q", "K", "V"):
        raise DiagramError(f"composition kind must be 'Q', 'K' or 'V', got {kind!r}")
    model._check_head(layer_from, 0)
    model._check_head(layer_to, 0)
    if not layer_from < layer_to:
        raise DiagramError(
            f"composition goes from an earlier to a later layer; got layer_from={layer_from}, "
            f"layer_to={layer_to}"
        )
    OV, QK = model.W_OV, model.W_QK
    out = np.zeros((model.n_heads, model.n_heads))
    for h1 in range(model.n_heads):
        for h2 in range(model.n_heads):
            reader = {"Q": QK[layer_to, h2], "K": QK[layer_to, h2].T, "V": OV[layer_to, h2]}[kind]
            out[h1, h2] = composition_score(OV[layer_from, h1], reader)
    return out


# --------------------------------------------------------------------------------------
# Data and models
# --------------------------------------------------------------------------------------


def repeated_random_tokens(
    half: int,
    d_vocab: int,
    *,
    batch: int | None = None,
    seed: int = 0,
    distinct: bool = True,
) -> np.ndarray:
    """Random sequences of ``half`` tokens, each followed by itself: [2*half] or [batch, 2*half].

    With ``distinct=True`` no token repeats within a half (``half <= d_vocab``), so the
    second half is fully predictable by induction: after ``[a][b] ... [a]`` comes ``[b]``.

    >>> repeated_random_tokens(4, 10, seed=0).shape
    (8,)
    >>> t = repeated_random_tokens(5, 10, batch=3)
    >>> t.shape, bool((t[:, :5] == t[:, 5:]).all())
    ((3, 10), True)
    """
    if distinct and half > d_vocab:
        raise DiagramError(
            f"cannot draw {half} distinct tokens from a vocabulary of {d_vocab}; "
            f"use half <= d_vocab or distinct=False"
        )
    if half < 1:
        raise DiagramError(f"half must be at least 1, got {half}")
    rng = np.random.default_rng(seed)
    n = 1 if batch is None else batch
    if distinct:
        first = np.stack([rng.permutation(d_vocab)[:half] for _ in range(n)])
    else:
        first = rng.integers(0, d_vocab, size=(n, half))
    out = np.concatenate([first, first], axis=1).astype(np.int64)
    return out[0] if batch is None else out


def previous_token_scores(model: AttentionOnlyTransformer, tokens: Any) -> np.ndarray:
    """How much each head attends to the previous token: mean of ``A[p, p-1]``, [n_layers, n_heads].

    Averaged over positions ``p >= 1`` (and over the batch, for tokens [batch, seq]). A
    previous-token head scores near 1.

    >>> model = induction_transformer()
    >>> previous_token_scores(model, repeated_random_tokens(16, 16)).round(2).tolist()
    [[1.0], [0.07]]
    """
    tok = model.check_tokens(tokens)
    if tok.shape[-1] < 2:
        raise DiagramError("previous-token scores need at least two tokens")
    A = model.attention_patterns(tok)
    if tok.ndim == 1:
        A = A[None]
    q = np.arange(1, tok.shape[-1])
    return A[..., q, q - 1].mean(axis=(0, -1))


def induction_scores(
    model: AttentionOnlyTransformer,
    half: int | None = None,
    *,
    batch: int = 50,
    seed: int = 0,
    tokens: Any = None,
) -> np.ndarray:
    """How much each head does induction, from its attention pattern: [n_layers, n_heads].

    On repeated sequences, the mean attention from each second-half query ``q`` to the
    key ``q - half + 1``: the token that followed the query's earlier copy. An induction
    head scores near 1. The sequences are random (:func:`repeated_random_tokens`, ``half``
    tokens twice, default ``n_ctx // 2``) unless ``tokens`` [batch, 2*half] are given:
    any sequences whose second half repeats the first, such as a window of real text
    written twice.

    >>> induction_scores(induction_transformer()).round(2).tolist()
    [[0.0], [1.0]]
    >>> text = text_windows("abcdefghij" * 10, 8, batch=3)
    >>> induction_scores(induction_transformer(), tokens=np.concatenate([text, text], 1) % 16).shape
    (2, 1)
    """
    if tokens is not None:
        tok = model.check_tokens(tokens)
        if tok.ndim == 1:
            tok = tok[None]
        n = tok.shape[-1]
        if n % 2 or not np.array_equal(tok[:, : n // 2], tok[:, n // 2 :]):
            raise DiagramError(
                f"induction_scores needs tokens whose second half repeats the first; got "
                f"{n} tokens per row{' (odd)' if n % 2 else ''} whose halves differ"
            )
        if half is not None and half != n // 2:
            raise DiagramError(f"half={half}, but the tokens given are two halves of {n // 2}")
        half = n // 2
    else:
        half = model.n_ctx // 2 if half is None else half
        if not 1 <= half <= model.n_ctx // 2:
            raise DiagramError(
                f"half must be between 1 and n_ctx // 2 = {model.n_ctx // 2}, got {half}"
            )
        tok = repeated_random_tokens(
            half, model.d_vocab, batch=batch, seed=seed, distinct=half <= model.d_vocab
        )
    A = model.attention_patterns(tok)
    q = np.arange(half, 2 * half)
    return A[..., q, q - half + 1].mean(axis=(0, -1))


def induction_transformer(d_vocab: int = 16, n_ctx: int = 32) -> AttentionOnlyTransformer:
    """A hand-built two-layer attention-only transformer that does induction: ``[a][b]…[a] → [b]``.

    One head per layer; the residual stream (``d_model = 3*d_vocab + 4``) is split into
    named subspaces, each a block of coordinates:

    - ``tok`` (``d_vocab`` dims): the current token, one-hot (``W_E``);
    - ``prev`` (``d_vocab`` dims): the previous token, written by head L0H0;
    - ``out`` (``d_vocab`` dims): the prediction, written by head L1H0 and read by ``W_U``;
    - ``pos`` (4 dims): ``[1, p, p**2, p == 0]`` for position ``p`` (``W_pos``).

    **L0H0, the previous-token head**, attends by position alone: its QK circuit (rank 2)
    gives query ``p`` and key ``k`` the score ``c (2k(p-1) - k**2)``, which is
    ``-c (k - (p-1))**2`` up to a per-query constant: a sharp peak at ``k = p-1``. Its OV
    circuit copies ``tok`` into ``prev``.

    **L1H0, the induction head**, matches the query's ``tok`` against each key's ``prev``
    (K-composition with L0H0: ``W_QK`` of L1H0 reads what ``W_OV`` of L0H0 wrote), so the
    query ``[a]`` attends to the token that followed an earlier ``[a]``; position 0 (which
    has no previous token) is ruled out through its ``p == 0`` feature. Its OV circuit copies
    that token's ``tok`` into ``out``, and ``W_U`` reads ``out``: a copying circuit.

    >>> import numpy as np
    >>> model = induction_transformer()
    >>> model
    AttentionOnlyTransformer(n_layers=2, n_heads=1, d_model=52, d_head=17, d_vocab=16, n_ctx=32)
    >>> tokens = repeated_random_tokens(16, 16, batch=100, seed=1)
    >>> pred = model(tokens).argmax(-1)
    >>> float((pred[:, 16:31] == tokens[:, 17:32]).mean())
    1.0
    """
    if not isinstance(d_vocab, (int, np.integer)) or d_vocab < 2:
        raise DiagramError(f"d_vocab must be an integer >= 2, got {d_vocab!r}")
    if not isinstance(n_ctx, (int, np.integer)) or n_ctx < 2:
        raise DiagramError(f"n_ctx must be an integer >= 2, got {n_ctx!r}")
    V = int(d_vocab)
    tok, prev, out = np.arange(V), V + np.arange(V), 2 * V + np.arange(V)
    one, p1, p2, start = 3 * V, 3 * V + 1, 3 * V + 2, 3 * V + 3
    d_model, d_head = 3 * V + 4, V + 1
    root = math.sqrt(d_head)  # cancels the 1/sqrt(d_head) scaling of the scores
    c_prev, c_match, c_start, ov_gain = 10.0, 12.0, 30.0, 10.0

    W_E = np.zeros((V, d_model))
    W_E[np.arange(V), tok] = 1.0
    W_pos = np.zeros((n_ctx, d_model))
    positions = np.arange(n_ctx, dtype=float)
    W_pos[:, one], W_pos[:, p1], W_pos[:, p2] = 1.0, positions, positions**2
    W_pos[0, start] = 1.0

    W_Q = np.zeros((2, 1, d_model, d_head))
    W_K = np.zeros((2, 1, d_model, d_head))
    W_V = np.zeros((2, 1, d_model, d_head))
    W_O = np.zeros((2, 1, d_head, d_model))
    # L0H0: query p -> (2c(p-1), -c); key k -> (k, k^2); score 2c k(p-1) - c k^2.
    W_Q[0, 0, p1, 0] = 2 * c_prev * root
    W_Q[0, 0, one, 0] = -2 * c_prev * root
    W_Q[0, 0, one, 1] = -c_prev * root
    W_K[0, 0, p1, 0] = 1.0
    W_K[0, 0, p2, 1] = 1.0
    W_V[0, 0, tok, np.arange(V)] = 1.0
    W_O[0, 0, np.arange(V), prev] = 1.0
    # L1H0: query tok a -> e_a, key prev a -> e_a (K-composition); position 0 is pushed away.
    W_Q[1, 0, tok, np.arange(V)] = c_match * root
    W_K[1, 0, prev, np.arange(V)] = 1.0
    W_Q[1, 0, one, V] = c_start * root
    W_K[1, 0, start, V] = -1.0
    W_V[1, 0, tok, np.arange(V)] = 1.0
    W_O[1, 0, np.arange(V), out] = ov_gain
    W_U = np.zeros((d_model, V))
    W_U[out, np.arange(V)] = 1.0
    return AttentionOnlyTransformer(
        W_E=W_E, W_pos=W_pos, W_Q=W_Q, W_K=W_K, W_V=W_V, W_O=W_O, W_U=W_U
    )


def _load_shipped(filename: str) -> AttentionOnlyTransformer:
    from importlib import resources

    path = resources.files("tensorlessons") / "data" / filename
    with resources.as_file(path) as file:
        if not Path(file).exists():
            raise DiagramError(f"the trained model file {filename!r} is missing from the package")
        return AttentionOnlyTransformer.load(file)


def load_trained_model() -> AttentionOnlyTransformer:
    """The small two-layer attention-only model trained on repeated sequences (shipped data).

    Trained by ``scripts/train_induction_model.py``; see ``tensorlessons/data/README.md``.
    """
    return _load_shipped("induction_model.npz")


def load_text_model() -> AttentionOnlyTransformer:
    """The two-layer attention-only model trained on real text (shipped data).

    Its tokens are characters (:data:`TEXT_VOCAB`, :func:`encode_text`); it was trained on
    the Python standard library's own sources, except the held-out modules
    (:func:`held_out_text`). Biases and shortformer positions, as ARENA's attention-only
    models. Trained by ``scripts/train_text_model.py``; see ``tensorlessons/data/README.md``.

    >>> model = load_text_model()
    >>> model.d_vocab == len(TEXT_VOCAB), model.positional
    (True, 'shortformer')
    >>> text = text_windows(held_out_text(), model.n_ctx, batch=4)
    >>> bool(model.loss(text) < 2.0)  # nats per character, on text it never saw
    True
    """
    return _load_shipped("text_model.npz")


def text_windows(text: str, length: int, *, batch: int = 1, seed: int = 0) -> np.ndarray:
    """``batch`` windows of ``length`` consecutive characters of ``text``, as tokens of
    :data:`TEXT_VOCAB`: [batch, length]. The places are drawn by a generator seeded with
    ``seed``, so the same arguments give the same windows.

    >>> decode_tokens(text_windows("def f(x):\\n    return x\\n", 8, seed=1))
    '):\\n    r'
    """
    if length < 1 or batch < 1:
        raise DiagramError(
            f"length and batch must be at least 1, got length={length}, batch={batch}"
        )
    if len(text) < length:
        raise DiagramError(
            f"the text has {len(text)} characters, fewer than one window of length={length}"
        )
    tokens = encode_text(text)
    starts = np.random.default_rng(seed).integers(0, len(tokens) - length + 1, size=batch)
    return tokens[starts[:, None] + np.arange(length)]


# --------------------------------------------------------------------------------------
# Real text: the standard library's own sources, read as characters
# --------------------------------------------------------------------------------------

#: The character vocabulary of the text model: token 0 is a newline, tokens 1..95 the
#: printable ASCII characters ``" "`` to ``"~"``, and the last token (``"\ufffd"``) stands
#: for anything else (tabs, non-ASCII letters).
TEXT_VOCAB: str = "\n" + "".join(chr(c) for c in range(32, 127)) + "\ufffd"
_TEXT_INDEX = {ch: i for i, ch in enumerate(TEXT_VOCAB)}


def encode_text(text: str) -> np.ndarray:
    """Characters -> tokens of :data:`TEXT_VOCAB` (anything else -> the last token).

    >>> encode_text("a=1\\n").tolist()
    [66, 30, 18, 0]
    >>> decode_tokens(encode_text("def f(x):\\tpass é"))
    'def f(x):\\ufffdpass \\ufffd'
    """
    other = len(TEXT_VOCAB) - 1
    return np.fromiter((_TEXT_INDEX.get(ch, other) for ch in text), dtype=np.int64, count=len(text))


def decode_tokens(tokens: Any) -> str:
    """Tokens of :data:`TEXT_VOCAB` -> text."""
    return "".join(TEXT_VOCAB[int(t)] for t in np.asarray(tokens).ravel())


def is_held_out(module: str) -> bool:
    """Whether a standard-library module belongs to the text model's held-out split.

    Decided by the module's name alone (a CRC-32 checksum), so the split is the same on every
    Python version: about one module in eight is held out.

    >>> [is_held_out(name) for name in ("argparse", "inspect", "types")]
    [False, False, True]
    """
    import zlib

    return zlib.crc32(module.encode()) % 8 == 0


def stdlib_sources() -> list[tuple[str, str]]:
    """``(module name, source text)`` of the standard library's top-level ``.py`` modules.

    The corpus of the shipped text model: every Python installation has it, nothing is
    downloaded. Sorted by name; files that cannot be read as UTF-8 are skipped.
    """
    import sysconfig

    root = Path(sysconfig.get_paths()["stdlib"])
    out = []
    for path in sorted(root.glob("*.py")):
        try:
            out.append((path.stem, path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError):
            continue
    return out


def held_out_text() -> str:
    """The held-out modules' sources (:func:`is_held_out`), joined by newlines: text the
    shipped text model never saw in training."""
    return "\n".join(text for name, text in stdlib_sources() if is_held_out(name))
