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
    "qk_circuit",
    "ov_circuit",
    "positional_qk_circuit",
    "circuit_rank",
    "copying_score",
    "induction_transformer",
    "repeated_random_tokens",
    "load_trained_model",
    "previous_token_scores",
    "induction_scores",
]

WEIGHT_NAMES = ("W_E", "W_pos", "W_Q", "W_K", "W_V", "W_O", "W_U")
_AXES = {
    "W_E": ("d_vocab", "d_model"),
    "W_pos": ("n_ctx", "d_model"),
    "W_Q": ("n_layers", "n_heads", "d_model", "d_head"),
    "W_K": ("n_layers", "n_heads", "d_model", "d_head"),
    "W_V": ("n_layers", "n_heads", "d_model", "d_head"),
    "W_O": ("n_layers", "n_heads", "d_head", "d_model"),
    "W_U": ("d_model", "d_vocab"),
}

Head = tuple[int, int]
CompositionKind = Literal["Q", "K", "V"]


def _shape_text(name: str) -> str:
    return f"{name} [{', '.join(_AXES[name])}]"


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
    ========  ==========================================

    No layer norm, no biases, causal mask, scores scaled by ``1/sqrt(d_head)``. Each layer
    adds the sum of its heads' outputs to the residual stream.

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
    ) -> None:
        given = {
            "W_E": W_E,
            "W_pos": W_pos,
            "W_Q": W_Q,
            "W_K": W_K,
            "W_V": W_V,
            "W_O": W_O,
            "W_U": W_U,
        }
        arrays: dict[str, np.ndarray] = {}
        for name, value in given.items():
            try:
                arr = np.asarray(value)
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
        for name in WEIGHT_NAMES:
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
    ) -> AttentionOnlyTransformer:
        """A model with Gaussian weights (std ``1/sqrt(fan_in)``), reproducible by ``seed``.

        >>> AttentionOnlyTransformer.random(2, 4, 16, 4, 10, 20, seed=1)
        AttentionOnlyTransformer(n_layers=2, n_heads=4, d_model=16, d_head=4, d_vocab=10, n_ctx=20)
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
        return cls(
            W_E=rng.normal(size=(d_vocab, D)),
            W_pos=rng.normal(size=(n_ctx, D)) * 0.5,
            W_Q=rng.normal(size=(L, H, D, E)) / math.sqrt(D),
            W_K=rng.normal(size=(L, H, D, E)) / math.sqrt(D),
            W_V=rng.normal(size=(L, H, D, E)) / math.sqrt(D),
            W_O=rng.normal(size=(L, H, E, D)) / math.sqrt(E * H),
            W_U=rng.normal(size=(D, d_vocab)) / math.sqrt(D),
        )

    def weights(self) -> dict[str, np.ndarray]:
        """The seven weights by name (read-only arrays)."""
        return {name: getattr(self, name) for name in WEIGHT_NAMES}

    def replace(self, **weights: Any) -> AttentionOnlyTransformer:
        """A new model with some weights replaced (the weights themselves are read-only).

        >>> model = AttentionOnlyTransformer.random(1, 1, 4, 2, d_vocab=5, n_ctx=6)
        >>> float(model.replace(W_U=np.zeros((4, 5)))([1, 2]).max())
        0.0
        """
        unknown = sorted(set(weights) - set(WEIGHT_NAMES))
        if unknown:
            raise DiagramError(f"unknown weight(s) {unknown}; the weights are {list(WEIGHT_NAMES)}")
        return AttentionOnlyTransformer(**{**self.weights(), **weights})

    def ablate(self, heads: Sequence[tuple[int, int]]) -> AttentionOnlyTransformer:
        """A new model in which the given heads write nothing (their ``W_O`` is zero).

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
        """Save the weights to a ``.npz`` file (float32), readable by :meth:`load`."""
        np.savez_compressed(path, **{k: v.astype(np.float32) for k, v in self.weights().items()})

    @classmethod
    def load(cls, path: str | Path) -> AttentionOnlyTransformer:
        """Load weights saved by :meth:`save` (any ``.npz`` with the seven names)."""
        with np.load(path) as data:
            missing = [n for n in WEIGHT_NAMES if n not in data.files]
            if missing:
                raise DiagramError(
                    f"{str(path)!r} lacks weight(s) {missing}; it holds {sorted(data.files)}"
                )
            return cls(**{n: data[n] for n in WEIGHT_NAMES})

    def __repr__(self) -> str:
        return (
            f"AttentionOnlyTransformer(n_layers={self.n_layers}, n_heads={self.n_heads}, "
            f"d_model={self.d_model}, d_head={self.d_head}, d_vocab={self.d_vocab}, "
            f"n_ctx={self.n_ctx})"
        )

    # ---- derived matrices ------------------------------------------------------------

    @property
    def W_QK(self) -> np.ndarray:
        """``W_Q @ W_K.T`` per head, [n_layers, n_heads, d_model, d_model].

        The (unscaled) attention score of query residual ``x_q`` on key residual ``x_k``
        is ``x_q @ W_QK @ x_k``.
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
        """The residual stream before layer 0: ``W_E[tokens] + W_pos[:seq]``, [seq, d_model].

        >>> model = AttentionOnlyTransformer.random(1, 1, 4, 2, d_vocab=5, n_ctx=6)
        >>> model.embed([3, 1]).shape
        (2, 4)
        """
        tok = self.check_tokens(tokens)
        return self.W_E[tok] + self.W_pos[: tok.shape[-1]]

    def run_with_cache(self, tokens: Any) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Logits and every intermediate: residual streams, scores, patterns, head outputs.

        Cache keys (``l`` is a layer; arrays get a leading batch axis if tokens do):

        - ``"embed"``: [seq, d_model], the residual stream entering layer 0 (``"resid.0"``);
        - ``"resid.l"``: [seq, d_model], the residual stream entering layer ``l``
          (``"resid.{n_layers}"`` is the final one, which ``W_U`` reads);
        - ``"scores.l"``: [n_heads, seq, seq], scaled attention scores, ``-inf`` above the
          diagonal (the causal mask);
        - ``"pattern.l"``: [n_heads, seq, seq], the attention patterns (softmax of scores,
          rows are queries, columns keys);
        - ``"head_out.l"``: [n_heads, seq, d_model], what each head adds to the stream.

        >>> model = AttentionOnlyTransformer.random(2, 3, 8, 2, d_vocab=5, n_ctx=6)
        >>> logits, cache = model.run_with_cache([1, 2, 3, 4])
        >>> cache["pattern.1"].shape, cache["head_out.0"].shape, cache["resid.2"].shape
        ((3, 4, 4), (3, 4, 8), (4, 8))
        """
        tok = self.check_tokens(tokens)
        batched = tok.ndim == 2
        tok2 = tok if batched else tok[None]
        seq = tok2.shape[1]
        x = self.W_E[tok2] + self.W_pos[:seq]
        cache: dict[str, np.ndarray] = {"embed": x, "resid.0": x}
        mask = np.triu(np.ones((seq, seq), dtype=bool), k=1)
        scale = 1.0 / math.sqrt(self.d_head)
        for layer in range(self.n_layers):
            # Batched matmuls (BLAS) over [batch, head]: x [b, 1, p, m] @ W [h, m, e].
            xb = x[:, None]
            q = xb @ self.W_Q[layer]
            k = xb @ self.W_K[layer]
            v = xb @ self.W_V[layer]
            scores = (q @ k.transpose(0, 1, 3, 2)) * scale
            scores[..., mask] = -np.inf
            pattern = _softmax(scores)
            z = pattern @ v
            head_out = z @ self.W_O[layer]
            x = x + head_out.sum(axis=1)
            cache[f"scores.{layer}"] = scores
            cache[f"pattern.{layer}"] = pattern
            cache[f"head_out.{layer}"] = head_out
            cache[f"resid.{layer + 1}"] = x
        logits = x @ self.W_U
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

    With the patterns fixed, the model is linear in the embedding ``x0 = W_E[tokens] +
    W_pos``, and the logits expand into one term per path: the direct path
    ``x0 @ W_U``, one term per head ``A^h x0 W_OV^h W_U`` (for every layer: a head of a
    later layer reading the embedding directly), and one term per chain of heads in
    increasing layers, e.g. the *virtual head* ``"L0H1->L1H0"``:
    ``A^{1,0} A^{0,1} x0 W_OV^{0,1} W_OV^{1,0} W_U`` (V-composition). The terms sum to the
    logits exactly.

    Returns a dict ``{name: array [seq, d_vocab]}`` in the order: ``"direct"``, the
    heads of layer 0, layer 1, ..., then the chains (two heads, then three, ...).

    >>> import numpy as np
    >>> model = AttentionOnlyTransformer.random(2, 2, 8, 4, d_vocab=6, n_ctx=8)
    >>> terms = path_expansion(model, [0, 3, 5, 1])
    >>> list(terms)
    ['direct', 'L0H0', 'L0H1', 'L1H0', 'L1H1', 'L0H0->L1H0', 'L0H0->L1H1', 'L0H1->L1H0', 'L0H1->L1H1']
    >>> bool(np.allclose(sum(terms.values()), model([0, 3, 5, 1]), atol=1e-12))
    True
    """
    tok = model.check_tokens(tokens)
    if tok.ndim != 1:
        raise DiagramError(f"path_expansion takes one sequence [seq], got shape {tok.shape}")
    _, cache = model.run_with_cache(tok)
    x0 = cache["embed"]
    W_OV = model.W_OV
    terms: dict[str, np.ndarray] = {"direct": x0 @ model.W_U}
    # A path is a chain of heads in strictly increasing layers; its term is
    # A^{last} ... A^{first} x0 W_OV^{first} ... W_OV^{last} W_U.
    for n_heads_in_path in range(1, model.n_layers + 1):
        for layers in combinations(range(model.n_layers), n_heads_in_path):
            for heads in product(range(model.n_heads), repeat=n_heads_in_path):
                x = x0
                for layer, head in zip(layers, heads, strict=True):
                    x = cache[f"pattern.{layer}"][head] @ x @ W_OV[layer, head]
                name = "->".join(head_name(la, h) for la, h in zip(layers, heads, strict=True))
                terms[name] = x @ model.W_U
    return terms


# --------------------------------------------------------------------------------------
# Token-space circuits, rank, copying, composition
# --------------------------------------------------------------------------------------


def qk_circuit(model: AttentionOnlyTransformer, layer: int, head: int) -> np.ndarray:
    """The token-space QK circuit ``W_E W_Q^h W_K^hT W_E^T``, [d_vocab (query), d_vocab (key)].

    Entry ``[a, b]`` is the (unscaled) attention score a query token ``a`` gives a key token
    ``b`` through the direct path, ignoring positions. Its rank is at most ``d_head``.

    >>> model = AttentionOnlyTransformer.random(1, 1, 8, 2, d_vocab=10, n_ctx=4)
    >>> M = qk_circuit(model, 0, 0)
    >>> M.shape, circuit_rank(M)
    ((10, 10), 2)
    """
    layer, head = model._check_head(layer, head)
    return model.W_E @ model.W_Q[layer, head] @ model.W_K[layer, head].T @ model.W_E.T


def positional_qk_circuit(model: AttentionOnlyTransformer, layer: int, head: int) -> np.ndarray:
    """The position-space QK circuit ``W_pos W_Q^h W_K^hT W_pos^T``, [n_ctx, n_ctx].

    A previous-token head built from positions shows a large entry at ``[p, p-1]``.
    """
    layer, head = model._check_head(layer, head)
    return model.W_pos @ model.W_Q[layer, head] @ model.W_K[layer, head].T @ model.W_pos.T


def ov_circuit(model: AttentionOnlyTransformer, layer: int, head: int) -> np.ndarray:
    """The token-space OV circuit ``W_E W_V^h W_O^h W_U``, [d_vocab (attended), d_vocab (logit)].

    Entry ``[a, b]`` is how much attending to token ``a`` raises the logit of token ``b``
    through the direct path. A copying head has a large diagonal. Rank at most ``d_head``.

    >>> model = AttentionOnlyTransformer.random(1, 1, 8, 3, d_vocab=10, n_ctx=4)
    >>> ov_circuit(model, 0, 0).shape, circuit_rank(ov_circuit(model, 0, 0))
    ((10, 10), 3)
    """
    layer, head = model._check_head(layer, head)
    return model.W_E @ model.W_V[layer, head] @ model.W_O[layer, head] @ model.W_U


def _matrix(M: Any, what: str) -> np.ndarray:
    arr = np.asarray(M)
    if arr.ndim != 2 or arr.dtype.kind not in "biufc":
        raise DiagramError(
            f"{what} must be a matrix of numbers, got shape {arr.shape} ({arr.dtype})"
        )
    return arr.astype(np.complex128 if arr.dtype.kind == "c" else np.float64)


def circuit_rank(M: Any, rtol: float = 1e-9) -> int:
    """The numerical rank of a matrix: singular values above ``rtol * largest`` (via SVD).

    >>> import numpy as np
    >>> circuit_rank(np.outer([1.0, 2.0, 3.0], [1.0, 1.0]))
    1
    """
    s = np.linalg.svd(_matrix(M, "M"), compute_uv=False)
    if s.size == 0 or s[0] == 0:
        return 0
    return int((s > rtol * s[0]).sum())


def copying_score(M: Any) -> float:
    """The eigenvalue copying score ``sum(λ) / sum(|λ|)`` of a square matrix (Elhage et al.).

    Near 1 when the eigenvalues are positive (the circuit raises the logit of the token it
    attends to: copying), near -1 when negative, near 0 when mixed.

    >>> import numpy as np
    >>> copying_score(np.eye(3)), copying_score(-np.eye(3))
    (1.0, -1.0)
    """
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
) -> np.ndarray:
    """How much each head does induction, from its attention pattern: [n_layers, n_heads].

    On repeated random sequences (:func:`repeated_random_tokens`, ``half`` tokens twice,
    default ``n_ctx // 2``), the mean attention from each second-half query ``q`` to the
    key ``q - half + 1``: the token that followed the query's earlier copy. An induction
    head scores near 1.

    >>> induction_scores(induction_transformer()).round(2).tolist()
    [[0.0], [1.0]]
    """
    half = model.n_ctx // 2 if half is None else half
    if not 1 <= half <= model.n_ctx // 2:
        raise DiagramError(
            f"half must be between 1 and n_ctx // 2 = {model.n_ctx // 2}, got {half}"
        )
    tokens = repeated_random_tokens(
        half, model.d_vocab, batch=batch, seed=seed, distinct=half <= model.d_vocab
    )
    A = model.attention_patterns(tokens)
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


def load_trained_model() -> AttentionOnlyTransformer:
    """The small two-layer attention-only model trained on repeated sequences (shipped data).

    Trained by ``scripts/train_induction_model.py``; see ``tensorlessons/data/README.md``.
    """
    from importlib import resources

    path = resources.files("tensorlessons") / "data" / "induction_model.npz"
    with resources.as_file(path) as file:
        if not Path(file).exists():
            raise DiagramError(f"the trained model file {path.name!r} is missing from the package")
        return AttentionOnlyTransformer.load(file)
