# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] id="c08-000"
# # 08 · The transformer as a tensor diagram
#
# This chapter draws a transformer — the attention-only kind studied in "A Mathematical
# Framework for Transformer Circuits" (Elhage et al., 2021), which the second half of
# Taylor (2024) follows. We take a small model with real (random) weights and build
# every piece of its forward pass as a diagram: tokens and embeddings, the residual
# stream, an attention head with its **QK circuit** (where to look) and **OV circuit**
# (what to move), several heads at once, and the unembedding. At the end the diagrams,
# added up, reproduce the model's own logits to machine precision.
#
# Notation used throughout (the names and shapes of TransformerLens, rows are vectors,
# `x @ W`):
#
# | weight | shape | role |
# |---|---|---|
# | `W_E` | `[d_vocab, d_model]` | token embedding |
# | `W_pos` | `[n_ctx, d_model]` | positional embedding |
# | `W_Q`, `W_K`, `W_V` | `[n_layers, n_heads, d_model, d_head]` | query, key, value maps |
# | `W_O` | `[n_layers, n_heads, d_head, d_model]` | output map |
# | `W_U` | `[d_model, d_vocab]` | unembedding |

# %% id="c08-001"
import numpy as np

import tensorlessons as tl
from tensorlessons.exercises import Exercise, check, same_value

np.set_printoptions(precision=3, suppress=True, linewidth=100)
rng = np.random.default_rng(0)

# %% id="c08-002"
model = tl.AttentionOnlyTransformer.random(
    n_layers=1, n_heads=2, d_model=16, d_head=4, d_vocab=12, n_ctx=10, seed=0
)
print(model)
for name, W in model.weights().items():
    print(f"{name:6s} {W.shape}")

# %% [markdown] id="c08-003"
# ## 1. Tokens, one-hot vectors and the embedding
#
# A text becomes a sequence of token ids, here `tokens`, one per position. Looking up
# row `tokens[p]` of `W_E` is the same as contracting a **one-hot** vector with `W_E`:
# stack the one-hot vectors of all positions into a matrix $T$ of shape
# `[seq, d_vocab]` ($T_{pt} = 1$ if the token at position $p$ is $t$) and the token
# embeddings of the whole sequence are the diagram $T - W_E$: a position leg $p$ stays
# open, the vocabulary leg $t$ is summed.
#
# The positional embedding $W_\text{pos}$ (rows $0..\text{seq}-1$) is then **added**.
# A sum is not a wire: the embedded sequence is the sum of two diagrams,
# $x_0 = T W_E + W_\text{pos}$.

# %% id="c08-004"
tokens = np.array([3, 1, 4, 1, 5, 9, 2, 6])
n = len(tokens)
T = np.eye(model.d_vocab)[tokens]  # one-hot rows, [seq, d_vocab]

token_part = tl.Diagram.from_einsum("pt,td->pd", T, model.W_E, names=["T", "W_E"])
assert np.allclose(token_part.contract(), model.W_E[tokens])  # lookup == contraction
token_part

# %% id="c08-005" jupyter={"source_hidden": true}
Exercise(
    "08-embed",
    title="The residual stream before layer 0",
    difficulty=1,
    importance="core",
    minutes=4,
    hints=[
        "x0 is a sum of two terms: the contracted diagram token_part, and the "
        "positional embedding.",
        "Position p of the sequence gets row p of model.W_pos. Which rows does a "
        "sequence of n tokens use?",
    ],
)

# %% id="c08-006" nbgrader={"grade": false, "grade_id": "08-embed-code", "locked": false, "schema_version": 3, "solution": true}
# x0: the residual stream entering layer 0, shape [seq, d_model].
# BEGIN SOLUTION
x0 = token_part.contract() + model.W_pos[:n]
# END SOLUTION

# %% id="c08-007" nbgrader={"grade": true, "grade_id": "08-embed", "locked": true, "points": 1, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 1, "importance": "core", "minutes": 4}
_m = tl.AttentionOnlyTransformer.random(  # the chapter's model, rebuilt
    n_layers=1, n_heads=2, d_model=16, d_head=4, d_vocab=12, n_ctx=10, seed=0
)
_t = np.array([3, 1, 4, 1, 5, 9, 2, 6])
check.shape(x0, (8, 16), name="x0 [seq, d_model]")
check.true(
    not np.allclose(x0, _m.W_E[_t]),
    "x0 is the token embedding alone: the positional embedding must be added",
)
check.true(
    not np.allclose(x0, _m.W_E[_t] + _m.W_pos[1:9]),
    "x0 adds rows 1..n of W_pos; positions count from 0, so position p gets row p",
)
check.true(
    not np.allclose(x0 - _m.W_pos[:8], _m.W_E[:8]),
    "the token part of x0 is rows 0..n-1 of W_E; it should be the rows of the tokens "
    "in the sequence (the contraction with the one-hot T)",
)
check.array(x0 - _m.W_pos[:8], _m.W_E[_t], name="the token part of x0")
check.array(x0, _m.embed(_t), name="x0")
check.passed("08-embed", hidden=False)

# %% [markdown] id="c08-008"
# ## 2. The residual stream has two legs
#
# $x_0$ is the start of the **residual stream**: a tensor with a **position leg**
# (`seq`) and a **model leg** (`d_model`). Every layer *reads* the stream and *adds*
# its output back; nothing is ever overwritten. The two legs do different jobs, and
# this is the key to reading the diagrams of this chapter:
#
# * linear maps such as `W_Q`, `W_V`, `W_O`, `W_U` act on the **model leg**, the same
#   way at every position;
# * attention is the only thing that acts on the **position leg**: it moves
#   information from one position to another.
#
# At the end, the unembedding `W_U` turns the model leg into a vocabulary leg: row $p$
# of `x @ W_U` is the model's guess (logits) for the token at position $p+1$. A model
# with **zero layers** is the diagram $T - W_E - W_U$ (plus the positional term): it
# can only predict the next token from the current one.

# %% id="c08-009"
zero_layer = tl.Diagram.from_einsum(
    "pt,td,dv->pv", T, model.W_E, model.W_U, names=["T", "W_E", "W_U"]
)
zero_layer_logits = zero_layer.contract() + model.W_pos[:n] @ model.W_U
print("zero-layer logits:", zero_layer_logits.shape)
zero_layer

# %% [markdown] id="c08-010"
# ## 3. An attention head, part one: the QK circuit and the attention pattern
#
# A head decides, for every query position $q$, how much to look at every key
# position $k \le q$. It computes a **score** for each pair,
#
# $$ s_{qk} = \frac{1}{\sqrt{d_\text{head}}} \sum_{d, e, h} x_{qd}\, (W_Q)_{dh}\, (W_K)_{eh}\, x_{ke}, $$
#
# which is one diagram: the residual stream appears **twice** (once as the query side,
# once as the key side), $W_Q$ and $W_K$ meet on their shared `d_head` leg $h$, and the
# two position legs $q$ and $k$ stay open. The factor $1/\sqrt{d_\text{head}}$ is a
# tensor with no legs at all — a lone box, a scalar.
#
# Contracting the $W_Q$–$W_K$ wire first gives the `[d_model, d_model]` matrix
# $W_{QK} = W_Q W_K^\top$: the head's **QK circuit**. It is a product through the
# small leg $h$, so its rank is at most $d_\text{head}$ — a first sign that chapter
# 04's SVD will be useful here.

# %% id="c08-011"
layer, head = 0, 0
W_Q, W_K = model.W_Q[layer, head], model.W_K[layer, head]
W_V, W_O = model.W_V[layer, head], model.W_O[layer, head]
scale = np.array(1 / np.sqrt(model.d_head))

qk = tl.Diagram.from_einsum(
    "qd,dh,eh,ke,->qk",
    x0,
    W_Q,
    W_K,
    x0,
    scale,
    names=[
        "x_q",
        "W_Q",
        "W_K",
        "x_k",
        "c",
    ],  # x_q and x_k are both x0; c = 1/sqrt(d_head)
)
qk.move("c", 275, 0)  # the scalar (no legs) just above the chain
scores = qk.contract()
assert np.allclose(scores, (x0 @ W_Q) @ (x0 @ W_K).T / np.sqrt(model.d_head))

W_QK = W_Q @ W_K.T
print(
    "W_QK:",
    W_QK.shape,
    " rank",
    np.linalg.matrix_rank(W_QK),
    "<= d_head =",
    model.d_head,
)
qk

# %% [markdown] id="c08-012"
# Two things happen to the scores before they can be used, and neither is a diagram:
#
# * the **causal mask**: a query may not look at later positions, so scores with
#   $k > q$ are set to $-\infty$;
# * the **softmax** over the key leg: $A_{qk} = e^{s_{qk}} / \sum_{k'} e^{s_{qk'}}$,
#   so that each row of the **attention pattern** $A$ is a probability distribution.
#
# The softmax is a nonlinear box, like chapter 07's ReLU: the scores are contracted
# inside it, and what comes out, $A$ (shape `[seq (query), seq (key)]`), enters the
# rest of the diagram as a plain tensor.

# %% id="c08-013" jupyter={"source_hidden": true}
Exercise(
    "08-pattern",
    title="Mask and softmax: the attention pattern",
    difficulty=2,
    importance="core",
    minutes=8,
    hints=[
        "The mask: the entries with key k > query q, above the diagonal. np.triu with "
        "an offset (see its k argument) picks exactly those.",
        "A masked score of -inf becomes exp(-inf) = 0 attention. np.where(condition, "
        "a, b) chooses entry by entry.",
        "Softmax along the key leg (the last axis): subtract each row's maximum first "
        "(for stability), exponentiate, divide by the row's sum.",
    ],
)

# %% id="c08-014" nbgrader={"grade": false, "grade_id": "08-pattern-code", "locked": false, "schema_version": 3, "solution": true}
# The attention pattern A of head (0, 0) from `scores`: causal mask, then softmax over keys.
# BEGIN SOLUTION
mask = np.triu(np.ones((n, n), dtype=bool), k=1)
masked = np.where(mask, -np.inf, scores)
e = np.exp(masked - masked.max(axis=-1, keepdims=True))
A = e / e.sum(axis=-1, keepdims=True)
# END SOLUTION

# %% id="c08-015" nbgrader={"grade": true, "grade_id": "08-pattern", "locked": true, "points": 2, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 2, "importance": "core", "minutes": 8}
_m = tl.AttentionOnlyTransformer.random(  # the chapter's model, rebuilt
    n_layers=1, n_heads=2, d_model=16, d_head=4, d_vocab=12, n_ctx=10, seed=0
)
_t = np.array([3, 1, 4, 1, 5, 9, 2, 6])
_x = _m.embed(_t)
_s = (_x @ _m.W_Q[0, 0]) @ (_x @ _m.W_K[0, 0]).T / np.sqrt(4)
check.array(scores, _s, name="scores (changed since section 3: run that cell again)")
_A = _m.attention_patterns(_t)[0, 0]
check.shape(A, (8, 8), name="A [query, key]")
check.true(
    not np.isnan(A).any(),
    f"A contains NaN (in row(s) {sorted(set(np.argwhere(np.isnan(A))[:, 0].tolist()))}): "
    "a row with every key masked has no softmax. Mask only the keys after the query "
    "(k > q); a query may attend to itself",
)
check.true(
    not np.allclose(A, _A.T),
    "A is transposed: rows should be queries and columns keys",
)
check.true(
    not (np.allclose(A.sum(axis=0), 1) and not np.allclose(A.sum(axis=-1), 1)),
    "the columns of A sum to 1, not its rows: the softmax should run over the keys "
    "(the last axis), so that each query's attention adds up to 1",
)
check.array(
    A.sum(axis=-1), np.ones(8), name="the row sums of A (each query's attention)"
)
check.array(
    np.triu(A, k=1),
    np.zeros((8, 8)),
    name="A above the diagonal (attention to later keys; the causal mask is missing "
    "or masks the wrong side)",
)
check.array(A, _A, name="A")
check.passed("08-pattern", hidden=False)

# %% [markdown] id="c08-016"
# The attention-pattern view shows every head's $A$: rows are queries, columns keys,
# the upper triangle is empty (the causal mask). Hover a query row to see which keys
# it reads; choose another head with the selector.

# %% id="c08-017"
tl.AttentionPatternWidget(model, tokens, layer=0, head=0)

# %% [markdown] id="c08-018"
# As a picture: the QK diagram sits inside the softmax box; what leaves the box is
# $A$, a plain tensor with a query leg and a key leg.

# %% id="c08-019"
from IPython.display import HTML

pattern_tensor = tl.Diagram.from_einsum("qk->qk", A, names=["A"])
HTML(
    '<div style="display:flex;align-items:center;gap:10px;flex-wrap:wrap">'
    '<div style="border:2px dashed #b22;border-radius:10px;padding:4px 8px">'
    '<div style="color:#b22;font-weight:bold">causal mask, softmax over k</div>'
    f"{qk.to_svg()}</div>"
    f'<div style="font-size:18px">&rarr;</div>{pattern_tensor.to_svg()}</div>'
)

# %% [markdown] id="c08-020"
# ## 4. An attention head, part two: the OV circuit
#
# Once $A$ is known, the head moves information: every key position $k$ offers
# the vector $x_k W_V W_O$, and query position $q$ receives the $A$-weighted mix,
#
# $$ \text{out}_{qm} = \sum_{k, d, h} A_{qk}\, x_{kd}\, (W_V)_{dh}\, (W_O)_{hm}. $$
#
# As a diagram: $A$ sits on the **position leg** of $x$, and the chain $W_V - W_O$
# sits on its **model leg**. Contracting $W_V$ with $W_O$ gives the head's
# **OV circuit** $W_{OV} = W_V W_O$, `[d_model, d_model]`, again of rank at most
# $d_\text{head}$. Draw this diagram yourself in the exercise below.

# %% id="c08-021"
A = model.attention_patterns(tokens)[
    layer, head
]  # the pattern, as the model computes it

ov_start = tl.Diagram()
ov_start.add_tensor("A", A, legs=["query", "key"], position=(0, 0))
ov_start.add_tensor("x", x0, legs=["pos", "model"], position=(230, 0))
ov_start.add_tensor("W_V", W_V, legs=["model", "head"], position=(230, 150))
ov_start.add_tensor("W_O", W_O, legs=["head", "model_out"], position=(460, 150))

head_out = model.run_with_cache(tokens)[1]["head_out.0"][
    head
]  # the model's own head output

# %% id="c08-023" jupyter={"source_hidden": true}
# The set-up of the exercise (collapsed: it contains the hints).
ex_ov = tl.DiagramExercise(
    "08-ov",
    title="Wire up an attention head's output",
    task=(
        "Make the diagram compute the head's output, "
        "out[q, m'] = sum over k, m, h of A[q, k] x[k, m] W_V[m, h] W_O[h, m']."
    ),
    start=ov_start,
    answer=same_value(head_out),  # what Check compares: the value of your diagram
    difficulty=2,
    importance="core",
    minutes=6,
    hints=[
        "Each summed index is one wire: count the indices summed in the formula.",
        "For each summed index, find the two tensors that carry it: k is a position, "
        "m a model dimension, h a head dimension.",
        "Careful: A:query and x:pos have the same dimension too, and so do x:model and "
        "W_O:model_out — the dimensions allow wrong wires, the meaning does not.",
    ],
)
ex_ov

# %% id="c08-024" nbgrader={"grade": false, "grade_id": "08-ov-code", "locked": false, "schema_version": 3, "solution": true}
# Answer by drawing above (then delete the `raise` line below), or in code here.
# BEGIN SOLUTION
drawn = ov_start.copy()
drawn.connect("A:key", "x:pos")
drawn.connect("x:model", "W_V:model")
drawn.connect("W_V:head", "W_O:head")
ex_ov.submit(drawn)
# END SOLUTION

# %% id="c08-025" nbgrader={"grade": true, "grade_id": "08-ov", "locked": true, "points": 2, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 2, "importance": "core", "minutes": 6}
_m = tl.AttentionOnlyTransformer.random(  # the chapter's model, rebuilt
    n_layers=1, n_heads=2, d_model=16, d_head=4, d_vocab=12, n_ctx=10, seed=0
)
_t = np.array([3, 1, 4, 1, 5, 9, 2, 6])
ex_ov.check()
check.array(
    ex_ov.diagram.contract(),
    _m.run_with_cache(_t)[1]["head_out.0"][0],
    name="your diagram's result (the head's output)",
)
### BEGIN HIDDEN TESTS
_s = ex_ov.start  # the arrays the learner was given
_reference = tl.Diagram.from_einsum(
    "qk,kd,dh,hm->qm",
    *(_s[k] for k in ["A", "x", "W_V", "W_O"]),
    names=["A", "x", "W_V", "W_O"],
)
check.diagram(ex_ov.diagram, _reference)
### END HIDDEN TESTS
check.passed("08-ov", hidden=True)

# %% [markdown] id="c08-026"
# The library builds the same diagram for any head of any model,
# `tl.head_diagram(model, tokens, layer, head)`: the model's own arrays, legs named by
# what they are, contracting to the model's own head output.

# %% id="c08-027"
library_head = tl.head_diagram(model, tokens, layer=0, head=1)
assert np.allclose(
    library_head.contract(), model.run_with_cache(tokens)[1]["head_out.0"][1]
)
library_head

# %% [markdown] id="c08-028"
# ## 5. $A \otimes W_{OV}$: one map on each leg
#
# Look again at the head's diagram: $A$ touches only the position leg of $x$, and
# $W_{OV}$ only the model leg; $A$ and $W_{OV}$ are **not joined to each other**. Two
# unjoined tensors side by side are their tensor (outer) product (chapter 02): the head
# is the four-leg tensor $A \otimes W_{OV}$ applied to the two-leg residual stream.
# The Framework writes a head exactly like this,
# $h(x) = (A \otimes W_O W_V)\, x$ (it uses column vectors, hence $W_O W_V$).
#
# With the legs grouped (chapter 03: reshaping), the four-leg tensor becomes an
# ordinary `[seq·d_model, seq·d_model]` matrix: the Kronecker product `np.kron`. Both
# views give the same numbers:

# %% id="c08-029"
W_OV = W_V @ W_O
as_product = tl.Diagram.from_einsum(
    "qk,dm,kd->qm", A, W_OV, x0, names=["A", "W_OV", "x"]
)
assert np.allclose(as_product.contract(), head_out)

kron = np.kron(A, W_OV.T)  # [(q, m), (k, d)]: legs grouped, row-major
assert np.allclose(kron @ x0.reshape(-1), head_out.reshape(-1))
print(
    "A ⊗ W_OV as a matrix:", kron.shape, " rank of W_OV:", np.linalg.matrix_rank(W_OV)
)
as_product

# %% [markdown] id="c08-030"
# **Pitfall: two meanings of "tensor product".** In the diagram, $A \otimes W_{OV}$ is
# the *outer product*: two unjoined boxes, one 4-leg tensor. Each of its entries is a
# product, $A_{qk} (W_{OV})_{dm}$, but nothing is summed: no wire joins the two. In
# the Framework's matrix notation the same symbol is the *Kronecker product*
# `np.kron`, a `[seq·d_model, seq·d_model]` matrix — the same numbers with the legs
# grouped in pairs. When you meet $\otimes$, ask whether legs have been grouped — and
# remember that no legs are joined.
#
# This separation is what makes transformers analysable: *where* information moves
# ($A$, decided by the QK circuit) and *what* information moves ($W_{OV}$) are
# independent factors, and each can be studied on its own.
#
# ## 6. Many heads: a sum, drawn with a copy tensor
#
# A layer has several heads, each with its own $W_Q, W_K, W_V, W_O$ and its own
# pattern. They run **independently and in parallel**, and the layer adds the sum of
# their outputs to the residual stream. (Implementations concatenate the heads'
# `d_head`-dimensional results and apply one big $W_O$; that is the same sum, written
# as one matrix product over the concatenated leg.)
#
# In a diagram the sum over heads is a **head leg** $h$ on every per-head tensor:
# the stacked patterns `A_all [head, q, k]`, `W_V [head, d_model, d_head]` and
# `W_O [head, d_head, d_model]`. All three must use the *same* head, and the head leg
# is summed: three legs that must agree form a copy tensor — in einsum, a letter
# appearing in three terms.

# %% id="c08-031" jupyter={"source_hidden": true}
Exercise(
    "08-multihead",
    title="All heads in one diagram",
    difficulty=2,
    importance="core",
    minutes=8,
    hints=[
        "One letter for each leg: h (head), q and k (positions), d (model, in), "
        "e (d_head), m (model, out).",
        "A_all has legs (head, query, key), x0 (position, model), W_V_all (head, model, "
        "d_head), W_O_all (head, d_head, model): legs that must be joined get the same "
        "letter.",
        "Which letters appear in the output? The head letter is shared by three terms "
        "and summed: a copy tensor.",
    ],
)

# %% id="c08-032"
A_all = model.attention_patterns(tokens)[layer]  # [head, q, k]
W_V_all, W_O_all = (
    model.W_V[layer],
    model.W_O[layer],
)  # [head, d_model, d_head], [head, d_head, d_model]

# %% id="c08-033" nbgrader={"grade": false, "grade_id": "08-multihead-code", "locked": false, "schema_version": 3, "solution": true}
# One diagram for the whole layer's output [seq, d_model]: the sum over heads.
# BEGIN SOLUTION
layer_diagram = tl.Diagram.from_einsum(
    "hqk,kd,hde,hem->qm", A_all, x0, W_V_all, W_O_all, names=["A", "x", "W_V", "W_O"]
)
# END SOLUTION
layer_diagram

# %% id="c08-034" nbgrader={"grade": true, "grade_id": "08-multihead", "locked": true, "points": 2, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 2, "importance": "core", "minutes": 8}
_m = tl.AttentionOnlyTransformer.random(  # the chapter's model, rebuilt
    n_layers=1, n_heads=2, d_model=16, d_head=4, d_vocab=12, n_ctx=10, seed=0
)
_t = np.array([3, 1, 4, 1, 5, 9, 2, 6])
_A_all = _m.attention_patterns(_t)[0]
_per_head = _m.run_with_cache(_t)[1]["head_out.0"]  # [head, seq, d_model]
check.true(
    isinstance(layer_diagram, tl.Diagram),
    "layer_diagram should be a Diagram (tl.Diagram.from_einsum(...))",
)
_arrays = [np.asarray(layer_diagram[n]) for n in layer_diagram.names]
for _what, _R in [
    ("A_all", _A_all),
    ("W_V_all", _m.W_V[0]),
    ("W_O_all", _m.W_O[0]),
]:
    check.true(
        any(
            a.size == _R.size and np.allclose(np.sort(a, None), np.sort(_R, None))
            for a in _arrays
        ),
        f"layer_diagram has no tensor holding {_what}: build it from A_all, x0, "
        "W_V_all and W_O_all, so that the sum over heads is in the diagram",
    )
_out = layer_diagram.contract()
check.true(
    np.shape(_out) != (2, 8, 16),
    "layer_diagram's result has shape (2, 8, 16): the head leg is still open. The "
    "layer adds its heads: leave the head letter out of the output",
)
check.shape(_out, (8, 16), name="layer_diagram.contract() [seq, d_model]")
check.true(
    not np.allclose(
        _out,
        np.einsum("hqk,kd,gde,gem->qm", _A_all, _m.embed(_t), _m.W_V[0], _m.W_O[0]),
    ),
    "your diagram pairs every head's pattern with every head's weights: A, W_V and "
    "W_O must share one head letter (a copy tensor), not have one each",
)
check.true(
    not np.allclose(
        _out,
        np.einsum("hkq,kd,hde,hem->qm", _A_all, _m.embed(_t), _m.W_V[0], _m.W_O[0]),
    ),
    "your diagram reads A with its legs swapped: A_all's legs are (head, query, key), "
    "and the key leg is the one joined to x0's positions",
)
check.array(_out, _per_head.sum(axis=0), name="the layer's output (sum over heads)")
check.passed("08-multihead", hidden=False)

# %% [markdown] id="c08-035"
# ## 7. The whole model, checked against its forward pass
#
# A one-layer attention-only transformer is the embedding, plus the heads' outputs,
# read by the unembedding:
#
# $$ \text{logits} = \big(x_0 + \textstyle\sum_h A^h x_0 W_{OV}^h\big)\, W_U . $$
#
# Two diagrams, added: the **direct path** $x_0 W_U$ and the layer's diagram with
# $W_U$ attached to its model leg. Their sum is the model's output, to the last digit:

# %% id="c08-036"
direct = tl.Diagram.from_einsum("pd,dv->pv", x0, model.W_U, names=["x", "W_U"])
through_heads = tl.Diagram.from_einsum(
    "hqk,kd,hde,hem,mv->qv",
    A_all,
    x0,
    W_V_all,
    W_O_all,
    model.W_U,
    names=["A", "x", "W_V", "W_O", "W_U"],
)
logits = direct.contract() + through_heads.contract()
print("largest difference from model(tokens):", np.abs(logits - model(tokens)).max())
assert np.allclose(logits, model(tokens), atol=1e-12)
tl.DiagramWidget(
    through_heads
)  # click a tensor to see its values, or the result panel for the logits

# %% [markdown] id="c08-037"
# With more layers the same pattern repeats: layer $\ell$ reads the stream
# $x_\ell = x_{\ell-1} + \sum_h (\text{head outputs of layer } \ell-1)$ — the
# attention patterns of layer $\ell$ are computed from it, through their softmax box.
# Chapter 09 expands the sum term by term.
#
# ## 8. What we set aside: biases, layer norm and MLPs
#
# Real transformers have more parts, and the Framework deals with each so that the
# diagrams stay clean:
#
# * **Biases** are affine terms (chapter 07): each can be folded into a weight by an
#   appended constant-1 leg, or carried as a separate term of the sum. The models of
#   this course have none.
# * **Layer norm** subtracts the mean of the model leg (a linear projection, which can
#   be folded into the next weight matrix) and divides by the norm (a nonlinear box).
#   The Framework studies models without it, or treats the scale as a constant
#   for the input at hand; we use attention-only models without layer norm.
# * **MLP layers** are chapter 07's ReLU boxes; the Framework's circuit analysis is
#   for **attention-only** transformers, where the softmax is the only box.

# %% id="c08-038"
from tensorlessons.exercises import progress

progress()
