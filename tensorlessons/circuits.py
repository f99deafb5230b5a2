"""Diagrams of a transformer's circuits, built from the model's real weights.

Each builder returns a :class:`tensorlessons.Diagram` whose tensors are the model's own
arrays (``W_E``, ``W_Q`` of one head, ...) and whose contraction is the model's own
numbers: a head's output, its attention scores, a path's logits. Attention patterns enter
as a tensor ``A`` computed by the model: softmax is a nonlinearity, a box the diagram
cannot be simplified through, so its output is held fixed (as the Framework does).

For a model with biases, normalization or shortformer positions (e.g. one read by
:meth:`~tensorlessons.AttentionOnlyTransformer.from_transformer_lens`) the builders read
what the heads read (the normalized stream; queries and keys with ``W_pos`` added), and a
bias enters as one more row of its weight, read from a constant coordinate 1 appended to
the stream (homogeneous coordinates: ``X W + b = [X, 1] [W; b]``), so every diagram still
contracts to the model's own numbers.

Leg names say what a leg is: ``query``/``key`` (positions), ``pos`` (a position of the
residual stream), ``model`` (d_model), ``head`` (d_head), ``vocab`` (d_vocab), ``batch``.

>>> import numpy as np
>>> from tensorlessons.transformer import AttentionOnlyTransformer
>>> model = AttentionOnlyTransformer.random(2, 2, 8, 4, d_vocab=6, n_ctx=8)
>>> d = head_diagram(model, [1, 2, 3], layer=1, head=0)
>>> d.names, d.shape
(['A', 'X', 'W_V', 'W_O'], (3, 8))
>>> _, cache = model.run_with_cache([1, 2, 3])
>>> bool(np.allclose(d.contract(), cache["head_out.1"][0]))
True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ._errors import DiagramError
from .diagram import Diagram
from .transformer import AttentionOnlyTransformer, head_name, path_expansion

__all__ = [
    "head_diagram",
    "attention_layer_diagram",
    "qk_diagram",
    "ov_diagram",
    "embedding_diagrams",
    "path_expansion_diagrams",
    "induction_circuit_diagrams",
]

_Spec = tuple[str, Any, Sequence[str], Sequence[str]]

#: distance between neighbouring tensors of a hand-placed circuit diagram (the same as
#: the automatic layout's spacing)
_STEP = 130.0


def _build(
    tensors: Sequence[_Spec],
    output: Sequence[str],
    copies: Sequence[Any] = (),
    grid: dict[str, tuple[float, float]] | None = None,
) -> Diagram:
    """A diagram from ``(name, array, legs, index labels)`` and copy tensors, laid out.

    ``grid`` places tensors by hand, ``name -> (column, row)``; without it the diagram
    is laid out automatically.
    """
    d = Diagram()
    with d.edits():
        for name, array, legs, labels in tensors:
            d.add_tensor(name, array, legs=list(legs), indices=list(labels))
        for name, dim, legs, labels in copies:
            d.add_copy(name, dim, n_legs=len(legs), legs=list(legs), indices=list(labels))
        d.set_output(list(output))
    d.auto_layout()
    if grid:
        for name, (col, row) in grid.items():
            d.move(name, 80.0 + _STEP * col, 80.0 + _STEP * row)
    return d


def _inputs(model: AttentionOnlyTransformer, cache: dict[str, np.ndarray], layer: int) -> tuple:
    """What layer ``layer``'s heads read: ``(value input, query/key input)`` [..., pos, model].

    The residual stream entering the layer, normalized if the model normalizes; the
    query/key input adds ``W_pos`` for shortformer positions.
    """
    if model.normalization is None:
        x = cache[f"resid.{layer}"]
    else:
        x = cache[f"blocks.{layer}.ln1.hook_normalized"]
    if model.positional == "shortformer":
        return x, x + cache["hook_pos_embed"]
    return x, x


def _with_bias(X: np.ndarray, W: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Homogeneous coordinates: ``X W + b == [X, 1] [W; b]``, if ``b`` is nonzero.

    The bias becomes one more row of the weight, read from a constant coordinate 1 that is
    appended to every residual vector, so ``X - W`` stays one contraction.
    """
    if not np.any(b):
        return X, W
    ones = np.ones(X.shape[:-1] + (1,))
    return np.concatenate([X, ones], axis=-1), np.concatenate([W, b[..., None, :]], axis=-2)


def _sequence(model: AttentionOnlyTransformer, tokens: Any, what: str) -> np.ndarray:
    tok = model.check_tokens(tokens)
    if tok.ndim != 1:
        raise DiagramError(f"{what} takes one sequence [seq], got tokens of shape {tok.shape}")
    return tok


def head_diagram(model: AttentionOnlyTransformer, tokens: Any, layer: int, head: int) -> Diagram:
    """One attention head's output: ``A ⊗ W_OV`` acting on the residual stream ``X``.

    ``A`` [query, key] is the head's attention pattern (acting on the position leg),
    ``X`` [pos, model] the residual stream entering the layer, ``W_V`` and ``W_O`` the
    head's weights (acting on the d_model leg). Contracts to ``cache["head_out.l"][h]``,
    [seq, d_model].

    With tokens [batch, seq], the batch leg of ``A``, ``X`` and the result is one
    hyperedge, drawn as a copy tensor ``copy_batch``; the result is [batch, seq, d_model].

    >>> from tensorlessons.transformer import AttentionOnlyTransformer
    >>> model = AttentionOnlyTransformer.random(1, 2, 6, 3, d_vocab=5, n_ctx=8)
    >>> head_diagram(model, [[1, 2], [3, 4]], 0, 1).to_einsum()
    'aqk,ckm,me,en,acb->bqn'
    """
    layer, head = model._check_head(layer, head)
    _, cache = model.run_with_cache(tokens)
    A = cache[f"pattern.{layer}"]
    X, W_V = _with_bias(
        _inputs(model, cache, layer)[0], model.W_V[layer, head], model.b_V[layer, head]
    )
    W_O = model.W_O[layer, head]
    if A.ndim == 3:  # one sequence
        return _build(
            [
                ("A", A[head], ("query", "key"), ("q", "k")),
                ("X", X, ("pos", "model"), ("k", "m")),
                ("W_V", W_V, ("model", "head"), ("m", "e")),
                ("W_O", W_O, ("head", "model"), ("e", "n")),
            ],
            ["q", "n"],
            grid={"A": (0, 0), "X": (0, 1), "W_V": (1, 1), "W_O": (2, 1)},
        )
    batch = A.shape[0]
    return _build(
        [
            ("A", A[:, head], ("batch", "query", "key"), ("bA", "q", "k")),
            ("X", X, ("batch", "pos", "model"), ("bX", "k", "m")),
            ("W_V", W_V, ("model", "head"), ("m", "e")),
            ("W_O", W_O, ("head", "model"), ("e", "n")),
        ],
        ["b", "q", "n"],
        copies=[("copy_batch", batch, ("A", "X", "out"), ("bA", "bX", "b"))],
    )


def attention_layer_diagram(model: AttentionOnlyTransformer, tokens: Any, layer: int) -> Diagram:
    """A whole attention layer: the sum of its heads, as one diagram.

    Every head's ``A``, ``W_V`` and ``W_O`` are stacked along a ``heads`` leg; the three
    ``heads`` legs meet in a copy tensor ``copy_heads`` and are summed: multi-head
    attention is a sum of independent heads. Contracts to the sum of
    ``cache["head_out.l"]`` over heads, [seq, d_model].

    >>> from tensorlessons.transformer import AttentionOnlyTransformer
    >>> model = AttentionOnlyTransformer.random(1, 3, 6, 2, d_vocab=5, n_ctx=8)
    >>> attention_layer_diagram(model, [1, 2, 3], 0).names
    ['A', 'X', 'W_V', 'W_O', 'copy_heads']
    """
    layer, _ = model._check_head(layer, 0)
    tok = _sequence(model, tokens, "attention_layer_diagram")
    _, cache = model.run_with_cache(tok)
    X, W_V = _with_bias(_inputs(model, cache, layer)[0], model.W_V[layer], model.b_V[layer])
    return _build(
        [
            ("A", cache[f"pattern.{layer}"], ("heads", "query", "key"), ("hA", "q", "k")),
            ("X", X, ("pos", "model"), ("k", "m")),
            ("W_V", W_V, ("heads", "model", "head"), ("hV", "m", "e")),
            ("W_O", model.W_O[layer], ("heads", "head", "model"), ("hO", "e", "n")),
        ],
        ["q", "n"],
        copies=[("copy_heads", model.n_heads, ("A", "W_V", "W_O"), ("hA", "hV", "hO"))],
    )


def qk_diagram(
    model: AttentionOnlyTransformer, layer: int, head: int, tokens: Any | None = None
) -> Diagram:
    """A head's QK circuit as a diagram.

    Without tokens: the token-space circuit ``W_E W_Q W_Kᵀ W_Eᵀ`` [vocab (query), vocab
    (key)], equal to :func:`tensorlessons.transformer.qk_circuit` (``W_E`` appears twice, as
    ``W_E_q`` and ``W_E_k``).

    With tokens: the attention scores ``X W_Q W_Kᵀ Xᵀ / sqrt(d_head)`` [query, key] of the
    residual stream ``X`` entering the layer (``X_q`` and ``X_k`` are the same array), with
    the scale as a scalar tensor (no legs). Below the diagonal they equal
    ``cache["scores.l"][h]``; the causal mask and the softmax come after, outside the
    diagram.

    >>> import numpy as np
    >>> from tensorlessons.transformer import AttentionOnlyTransformer, qk_circuit
    >>> model = AttentionOnlyTransformer.random(1, 1, 6, 2, d_vocab=5, n_ctx=8)
    >>> bool(np.allclose(qk_diagram(model, 0, 0).contract(), qk_circuit(model, 0, 0)))
    True
    """
    layer, head = model._check_head(layer, head)
    W_Q, W_K = model.W_Q[layer, head], model.W_K[layer, head]
    if tokens is None:
        return _build(
            [
                ("W_E_q", model.W_E, ("vocab", "model"), ("a", "m")),
                ("W_Q", W_Q, ("model", "head"), ("m", "e")),
                ("W_K", W_K, ("model", "head"), ("n", "e")),
                ("W_E_k", model.W_E, ("vocab", "model"), ("b", "n")),
            ],
            ["a", "b"],
        )
    tok = _sequence(model, tokens, "qk_diagram")
    _, cache = model.run_with_cache(tok)
    X = _inputs(model, cache, layer)[1]
    X_q, W_Q = _with_bias(X, W_Q, model.b_Q[layer, head])
    X_k, W_K = _with_bias(X, W_K, model.b_K[layer, head])
    return _build(
        [
            ("X_q", X_q, ("pos", "model"), ("q", "m")),
            ("W_Q", W_Q, ("model", "head"), ("m", "e")),
            ("W_K", W_K, ("model", "head"), ("n", "e")),
            ("X_k", X_k, ("pos", "model"), ("k", "n")),
            ("scale", np.array(1.0 / model.attn_scale), (), ()),
        ],
        ["q", "k"],
        # the chain in a row, the scalar (no legs) just above its middle
        grid={"X_q": (0, 0), "W_Q": (1, 0), "W_K": (2, 0), "X_k": (3, 0), "scale": (1.5, -0.6)},
    )


def ov_diagram(model: AttentionOnlyTransformer, layer: int, head: int) -> Diagram:
    """A head's token-space OV circuit ``W_E W_V W_O W_U`` [vocab (attended), vocab (logit)].

    Contracts to :func:`tensorlessons.transformer.ov_circuit`.

    >>> from tensorlessons.transformer import AttentionOnlyTransformer
    >>> model = AttentionOnlyTransformer.random(1, 1, 6, 2, d_vocab=5, n_ctx=8)
    >>> ov_diagram(model, 0, 0).to_einsum()
    'am,me,en,nb->ab'
    """
    layer, head = model._check_head(layer, head)
    return _build(
        [
            ("W_E", model.W_E, ("vocab", "model"), ("a", "m")),
            ("W_V", model.W_V[layer, head], ("model", "head"), ("m", "e")),
            ("W_O", model.W_O[layer, head], ("head", "model"), ("e", "n")),
            ("W_U", model.W_U, ("model", "vocab"), ("n", "b")),
        ],
        ["a", "b"],
    )


def embedding_diagrams(model: AttentionOnlyTransformer, tokens: Any) -> dict[str, Diagram]:
    """The embedding as two diagrams whose sum is ``model.embed(tokens)`` [seq, d_model].

    ``"token"``: the one-hot matrix ``T`` [pos, vocab] of the tokens times ``W_E``;
    ``"position"``: the matrix ``P`` [pos, ctx] picking the first ``seq`` rows, times ``W_pos``.

    >>> import numpy as np
    >>> from tensorlessons.transformer import AttentionOnlyTransformer
    >>> model = AttentionOnlyTransformer.random(1, 1, 6, 2, d_vocab=5, n_ctx=8)
    >>> parts = embedding_diagrams(model, [4, 0, 2])
    >>> bool(np.allclose(sum(d.contract() for d in parts.values()), model.embed([4, 0, 2])))
    True
    """
    tok = _sequence(model, tokens, "embedding_diagrams")
    seq = len(tok)
    onehot = np.zeros((seq, model.d_vocab))
    onehot[np.arange(seq), tok] = 1.0
    select = np.eye(seq, model.n_ctx)
    return {
        "token": _build(
            [
                ("T", onehot, ("pos", "vocab"), ("p", "v")),
                ("W_E", model.W_E, ("vocab", "model"), ("v", "m")),
            ],
            ["p", "m"],
        ),
        "position": _build(
            [
                ("P", select, ("pos", "ctx"), ("p", "c")),
                ("W_pos", model.W_pos, ("ctx", "model"), ("c", "m")),
            ],
            ["p", "m"],
        ),
    }


def _chain(
    model: AttentionOnlyTransformer,
    cache: dict[str, np.ndarray],
    heads: Sequence[tuple[int, int]],
    source: str = "direct",
) -> Diagram:
    """One path of :func:`path_expansion` as a diagram: its source, then for each head
    ``A … W_V W_O``, then ``W_U``.

    The source is the embedding ``x0`` [pos, model] (``source="direct"``), or a layer's
    bias ``bias_L0`` [model] written at every position (an all-ones ``ones`` [pos] beside
    it), or ``b_U`` itself. A model with normalization gets its frozen scales as diagonal
    matrices ``S_L0`` … ``S_final`` [query, key] (1 / the scale at each position) and, for
    ``"LNPre"``, the centering matrix ``C_L0`` … [model_in, model] (``I - 1/d_model``)
    before each head and before ``W_U``.

    A model without normalization is laid out as an L: the patterns (acting on positions)
    in a column above the source, the first head's just above it; the d_model chain
    ``W_V W_O … W_U`` in a row to its right.
    """
    n = len(heads)
    norm = model.normalization is not None
    centre = model.normalization == "LNPre"
    seq = cache["embed"].shape[0]
    tensors: list[_Spec] = []  # the source and the chain along the d_model leg
    on_positions: list[_Spec] = []  # patterns (and scales), listed last-applied first
    pos, mod = "p0", "m0"
    if source == "b_U":
        tensors += [
            ("ones", np.ones(seq), ("pos",), (pos,)),
            ("b_U", model.b_U, ("vocab",), ("v",)),
        ]
        return _build(tensors, [pos, "v"], grid={"ones": (0, 0), "b_U": (1, 0)})
    if source == "direct":
        tensors.append(("x0", cache["embed"], ("pos", "model"), (pos, mod)))
    else:
        layer = int(source[1:].split(".")[0])
        bias = model.b_O[layer] + np.einsum("he,hem->m", model.b_V[layer], model.W_O[layer])
        tensors += [
            ("ones", np.ones(seq), ("pos",), (pos,)),
            (f"bias_L{layer}", bias, ("model",), (mod,)),
        ]

    def normalize(where: str, scale: np.ndarray, k: int) -> None:
        nonlocal pos, mod
        if not norm:
            return
        tensors.append((f"S_{where}", np.diag(1.0 / scale[:, 0]), ("query", "key"), (f"s{k}", pos)))
        pos = f"s{k}"
        if centre:
            C = np.eye(model.d_model) - 1.0 / model.d_model
            tensors.append((f"C_{where}", C, ("model_in", "model"), (mod, f"c{k}")))
            mod = f"c{k}"

    for k, (layer, head) in enumerate(heads):
        name = head_name(layer, head)
        normalize(f"L{layer}", cache[f"blocks.{layer}.ln1.hook_scale"] if norm else None, k)
        on_positions.append(
            (f"A_{name}", cache[f"pattern.{layer}"][head], ("query", "key"), (f"p{k + 1}", pos))
        )
        tensors.append((f"W_V_{name}", model.W_V[layer, head], ("model", "head"), (mod, f"e{k}")))
        tensors.append(
            (f"W_O_{name}", model.W_O[layer, head], ("head", "model"), (f"e{k}", f"m{k + 1}"))
        )
        pos, mod = f"p{k + 1}", f"m{k + 1}"
    normalize("final", cache["ln_final.hook_scale"] if norm else None, n)
    tensors.append(("W_U", model.W_U, ("model", "vocab"), (mod, "v")))
    tensors = on_positions[::-1] + tensors
    grid = None
    if not norm:
        first = "x0" if source == "direct" else "ones"
        grid = {first: (0, n), "W_U": (2 * n + 1, n)}
        if source != "direct":
            grid[f"bias_{source.split('.')[0]}"] = (1, n + 1)
        for k, (layer, head) in enumerate(heads):
            name = head_name(layer, head)
            grid[f"A_{name}"] = (0, n - 1 - k)
            grid[f"W_V_{name}"] = (2 * k + 1, n)
            grid[f"W_O_{name}"] = (2 * k + 2, n)
    return _build(tensors, [pos, "v"], grid=grid)


def path_expansion_diagrams(model: AttentionOnlyTransformer, tokens: Any) -> dict[str, Diagram]:
    """One diagram per term of :func:`tensorlessons.path_expansion`, same names and order.

    ``"direct"`` is ``x0 W_U`` (``x0`` = the embedding, [pos, model]); a head's term is
    ``A x0 W_V W_O W_U``; a virtual head ``"L0H1->L1H0"`` chains two patterns on the
    position leg and two OV circuits on the d_model leg. A model with biases adds the bias
    paths (``"L0.bias"``: ``ones ⊗ bias_L0`` then ``W_U``; ``"L0.bias->L1H0"``; ``"b_U"``),
    and with normalization the frozen scales ``S_…`` and centering ``C_…`` (see
    :func:`_chain`). Each contracts to its term [seq, d_vocab]; together they sum to the
    logits.

    >>> import numpy as np
    >>> from tensorlessons.transformer import AttentionOnlyTransformer
    >>> model = AttentionOnlyTransformer.random(1, 2, 6, 3, d_vocab=5, n_ctx=8)
    >>> ds = path_expansion_diagrams(model, [1, 2, 3])
    >>> list(ds), ds["L0H1"].names
    (['direct', 'L0H0', 'L0H1'], ['A_L0H1', 'x0', 'W_V_L0H1', 'W_O_L0H1', 'W_U'])
    >>> bool(np.allclose(sum(d.contract() for d in ds.values()), model([1, 2, 3])))
    True
    >>> biased = AttentionOnlyTransformer.random(1, 1, 6, 3, 5, 8, biases=True)
    >>> ds = path_expansion_diagrams(biased, [1, 2, 3])
    >>> list(ds), ds["L0.bias"].names
    (['direct', 'L0H0', 'L0.bias', 'b_U'], ['ones', 'bias_L0', 'W_U'])
    >>> bool(np.allclose(sum(d.contract() for d in ds.values()), biased([1, 2, 3])))
    True
    """
    tok = _sequence(model, tokens, "path_expansion_diagrams")
    _, cache = model.run_with_cache(tok)
    out: dict[str, Diagram] = {}
    for name in path_expansion(model, tok):
        if name == "b_U":
            out[name] = _chain(model, cache, [], source="b_U")
            continue
        parts = name.split("->")
        source = "direct"
        if parts[0].endswith(".bias"):
            source = parts.pop(0)
        elif name == "direct":
            parts = []
        heads = []
        for part in parts:
            layer, head = part[1:].split("H")
            heads.append((int(layer), int(head)))
        out[name] = _chain(model, cache, heads, source=source)
    return out


def induction_circuit_diagrams(
    model: AttentionOnlyTransformer,
    tokens: Any,
    prev_token_head: tuple[int, int] = (0, 0),
    induction_head: tuple[int, int] = (1, 0),
) -> dict[str, Diagram]:
    """The induction circuit: a previous-token head feeding an induction head's keys.

    Two diagrams (the softmax between them is a box no diagram passes through):

    - ``"keys"``: the K-composition term of the induction head's attention scores,
      ``X W_Q W_Kᵀ (A_prev x0 W_V,prev W_O,prev)ᵀ / sqrt(d_head)`` [query, key]: the query
      side reads the stream ``X`` entering the induction head's layer; the key side reads
      only what the previous-token head wrote there (``A_prev`` moves each token one
      position on). The other parts of the scores (keys read from ``x0`` and from other
      heads) are further terms of the same kind.
    - ``"output"``: what the induction head adds to the logits, ``A_ind X W_V W_O W_U``
      [query, vocab], with ``A_ind`` its attention pattern: the copying OV circuit acting
      on the tokens it attends to. Equals ``cache["head_out.l"][h] @ W_U``.

    >>> import numpy as np
    >>> from tensorlessons.transformer import induction_transformer, repeated_random_tokens
    >>> model = induction_transformer()
    >>> parts = induction_circuit_diagrams(model, repeated_random_tokens(8, 16))
    >>> parts["keys"].names
    ['X', 'W_Q', 'W_K', 'W_O_prev', 'W_V_prev', 'x0', 'A_prev', 'scale']
    >>> parts["output"].shape
    (16, 16)
    """
    lp, hp = model._check_head(*prev_token_head)
    li, hi = model._check_head(*induction_head)
    if not lp < li:
        raise DiagramError(
            f"the previous-token head {head_name(lp, hp)} must be in an earlier layer than "
            f"the induction head {head_name(li, hi)}"
        )
    if model.normalization is not None:
        raise DiagramError(
            f"induction_circuit_diagrams: the model has normalization "
            f"({model.normalization!r}), which rescales the previous-token head's output "
            "before the induction head's keys read it; this diagram does not draw that"
        )
    tok = _sequence(model, tokens, "induction_circuit_diagrams")
    _, cache = model.run_with_cache(tok)
    X, W_Q = _with_bias(_inputs(model, cache, li)[1], model.W_Q[li, hi], model.b_Q[li, hi])
    X_out, W_V_out = _with_bias(_inputs(model, cache, li)[0], model.W_V[li, hi], model.b_V[li, hi])
    x_prev = _inputs(model, cache, lp)[0]
    x_prev_name = "x0" if lp == 0 else "X_prev"
    # A U: the query side X W_Q W_K along the top, the key side coming back below it
    keys_grid = {
        "X": (0, 0),
        "W_Q": (1, 0),
        "W_K": (2, 0),
        "W_O_prev": (3, 0),
        "W_V_prev": (3, 1),
        x_prev_name: (2, 1),
        "A_prev": (1, 1),
        "scale": (1.5, -0.6),
    }
    keys = _build(
        [
            ("X", X, ("pos", "model"), ("q", "m")),
            ("W_Q", W_Q, ("model", "head"), ("m", "e")),
            ("W_K", model.W_K[li, hi], ("model", "head"), ("n", "e")),
            ("W_O_prev", model.W_O[lp, hp], ("head", "model"), ("f", "n")),
            ("W_V_prev", model.W_V[lp, hp], ("model", "head"), ("c", "f")),
            (x_prev_name, x_prev, ("pos", "model"), ("j", "c")),
            ("A_prev", cache[f"pattern.{lp}"][hp], ("query", "key"), ("k", "j")),
            ("scale", np.array(1.0 / model.attn_scale), (), ()),
        ],
        ["q", "k"],
        grid=keys_grid,
    )
    output = _build(
        [
            ("A_ind", cache[f"pattern.{li}"][hi], ("query", "key"), ("q", "k")),
            ("X", X_out, ("pos", "model"), ("k", "m")),
            ("W_V", W_V_out, ("model", "head"), ("m", "e")),
            ("W_O", model.W_O[li, hi], ("head", "model"), ("e", "n")),
            ("W_U", model.W_U, ("model", "vocab"), ("n", "v")),
        ],
        ["q", "v"],
        grid={"A_ind": (0, 0), "X": (0, 1), "W_V": (1, 1), "W_O": (2, 1), "W_U": (3, 1)},
    )
    return {"keys": keys, "output": output}
