# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] id="c09-000"
# # 09 · Circuits: taking a transformer apart, path by path
#
# Chapter 08 drew an attention-only transformer as diagrams. This chapter uses the
# diagrams to **explain** it, as "A Mathematical Framework for Transformer Circuits"
# does: hold the attention patterns fixed, and the model's logits become a **sum of
# paths**, each a diagram that can be contracted, decomposed and read on its own.
#
# 1. Zero layers: the direct path $W_E W_U$ is a table of bigram statistics.
# 2. One layer: the logits are the direct path plus one term per head — the **path
#    expansion** — and every head is a set of **skip-trigrams**, read from two
#    token-space matrices, its QK and OV circuits (low rank: back to SVD).
# 3. Eigenvalues of the OV circuit tell whether a head **copies**.
# 4. Two layers: heads **compose**. V-composition makes *virtual heads* that are
#    new terms of the sum; Q- and K-composition happen inside the softmax box and
#    cannot be multiplied out. Composition scores measure how much they happen.

# %% id="c09-001"
import numpy as np

import tensorlessons as tl
from tensorlessons.exercises import Exercise, check

np.set_printoptions(precision=3, suppress=True, linewidth=100)
rng = np.random.default_rng(0)
from tensorlessons.transformer import (
    circuit_rank,
    composition_scores,
    copying_score,
    ov_circuit,
    qk_circuit,
)

# %% [markdown] id="c09-002"
# ## 1. Zero layers: the direct path is a bigram table
#
# Without attention, the model is the diagram $T - W_E - W_U$: the logits at position
# $p$ depend on the token at $p$ and nothing else. The best such a model can do is to
# learn the **bigram statistics** of its training text: for every token $a$, the
# distribution of the token that follows $a$. In log space,
# $(W_E W_U)_{ab} \approx \log P(b \mid a)$ (up to a constant per row, which the
# softmax ignores).
#
# $W_E W_U$ is a `[d_vocab, d_vocab]` matrix that passes through the `d_model` leg, so
# its rank is at most $d_\text{model}$. A zero-layer model with a small $d_\text{model}$
# therefore stores a **low-rank approximation** of the log-bigram table — and the best
# low-rank approximation is chapter 04's truncated SVD. Let us build one from a toy
# language whose bigram table we know.

# %% id="c09-003"
d_vocab, d_model = 12, 4
# A toy language: each token is followed by a few likely successors.
P = 0.9 * rng.dirichlet(0.3 * np.ones(d_vocab), size=d_vocab) + 0.1 / d_vocab
log_P = np.log(P)  # [current token, next token]
print("P(next | current) for token 0:", P[0].round(2))

# %% id="c09-004" jupyter={"source_hidden": true}
Exercise(
    "09-bigram",
    title="A zero-layer model of the bigram table",
    difficulty=2,
    importance="core",
    minutes=8,
    hints=[
        "U, S, Vt = np.linalg.svd(log_P): log_P = U diag(S) Vt, singular values in decreasing order.",
        "Keep the d_model largest: U[:, :d_model], S[:d_model], Vt[:d_model]. Split each singular value as sqrt(S) on each side.",
        "Multiply the kept columns of U by sqrt(S) (broadcasting along the last axis), and the kept rows of Vt by sqrt(S) as a column.",
    ],
)

# %% id="c09-005" nbgrader={"grade": false, "grade_id": "09-bigram-code", "locked": false, "schema_version": 3, "solution": true}
# W_E [d_vocab, d_model] and W_U [d_model, d_vocab] with W_E @ W_U the best rank-d_model
# approximation of log_P (truncated SVD, singular values split evenly between the two).
# BEGIN SOLUTION
U, S, Vt = np.linalg.svd(log_P)
W_E = U[:, :d_model] * np.sqrt(S[:d_model])
W_U = np.sqrt(S[:d_model])[:, None] * Vt[:d_model]
# END SOLUTION

# %% id="c09-006" nbgrader={"grade": true, "grade_id": "09-bigram", "locked": true, "points": 2, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 2, "importance": "core", "minutes": 8}
check.shape(W_E, (d_vocab, d_model), name="W_E")
check.shape(W_U, (d_model, d_vocab), name="W_U")
s = np.linalg.svd(log_P, compute_uv=False)
error = np.linalg.norm(log_P - W_E @ W_U)
check.array(
    error,
    np.sqrt((s[d_model:] ** 2).sum()),
    name="||log_P - W_E W_U|| (the Eckart–Young error)",
)
### BEGIN HIDDEN TESTS
check.array(
    np.linalg.norm(W_E, axis=0),
    np.linalg.norm(W_U, axis=1),
    name="the split of the singular values (columns of W_E vs rows of W_U)",
)
### END HIDDEN TESTS
check.passed("09-bigram", hidden=True)

# %% id="c09-007"
tokens = np.array([0, 5, 3, 3, 7, 1])
T = np.eye(d_vocab)[tokens]
direct_path = tl.Diagram.from_einsum(
    "pt,td,dv->pv", T, W_E, W_U, names=["T", "W_E", "W_U"]
)
logits = direct_path.contract()


def softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


# The two rows mostly agree; where they differ, the true top two are nearly tied.
print("predicted most likely next tokens:", logits.argmax(-1))
print("true most likely next tokens:     ", P[tokens].argmax(-1))
mean_error = np.abs(softmax(logits) - P[tokens]).mean()
print(f"mean |P_model - P| per entry:      {mean_error:.3f}")
direct_path

# %% [markdown] id="c09-008"
# ## 2. One layer: the path expansion
#
# Now a one-layer model with three heads. From chapter 08:
#
# $$ \text{logits} = x_0 W_U + \sum_h A^h\, x_0\, W_{OV}^h\, W_U, \qquad x_0 = T W_E + W_\text{pos}. $$
#
# If we **hold each attention pattern $A^h$ fixed** at the value the model computed —
# treat it as a given tensor, as chapter 07 treated the output of a ReLU box — then
# every term is a diagram, linear in every weight. This sum is the **path expansion**:
# the *direct path* $x_0 W_U$ and one term per head. Nothing is approximated: the
# terms add up to the model's logits exactly.

# %% id="c09-009"
model = tl.AttentionOnlyTransformer.random(
    n_layers=1, n_heads=3, d_model=16, d_head=4, d_vocab=12, n_ctx=12, seed=1
)
tokens = np.array([2, 7, 1, 8, 2, 8, 1, 8, 2, 8])
n = len(tokens)
x0 = model.embed(tokens)  # T W_E + W_pos
A = model.attention_patterns(tokens)[0]  # [head, q, k], held fixed from now on

# %% id="c09-010" jupyter={"source_hidden": true}
Exercise(
    "09-head-terms",
    title="The path expansion of a one-layer model",
    difficulty=2,
    importance="core",
    minutes=10,
    hints=[
        "The direct path is the diagram x0 - W_U: einsum 'pd,dv->pv'.",
        "Head h's term: A[h] on the position leg of x0, and model.W_V[0, h], model.W_O[0, h], model.W_U chained on its model leg — five tensors, one einsum string.",
        "Name the terms like the library: terms['direct'], terms['L0H0'], terms['L0H1'], terms['L0H2'].",
    ],
)

# %% id="c09-011" nbgrader={"grade": false, "grade_id": "09-head-terms-code", "locked": false, "schema_version": 3, "solution": true}
# A dict of logit terms [seq, d_vocab]: "direct" and "L0H0", "L0H1", "L0H2",
# each computed by contracting a Diagram built from the model's weights.
# BEGIN SOLUTION
terms = {"direct": tl.Diagram.from_einsum("pd,dv->pv", x0, model.W_U).contract()}
for h in range(model.n_heads):
    term = tl.Diagram.from_einsum(
        "qk,kd,de,em,mv->qv",
        A[h],
        x0,
        model.W_V[0, h],
        model.W_O[0, h],
        model.W_U,
        names=["A", "x0", "W_V", "W_O", "W_U"],
    )
    terms[f"L0H{h}"] = term.contract()
# END SOLUTION

# %% id="c09-012" nbgrader={"grade": true, "grade_id": "09-head-terms", "locked": true, "points": 2, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 2, "importance": "core", "minutes": 10}
check.equal(
    sorted(terms), ["L0H0", "L0H1", "L0H2", "direct"], name="the names of the terms"
)
check.array(terms["direct"], x0 @ model.W_U, name='terms["direct"]')
check.array(
    sum(terms.values()),
    model(tokens),
    name="the sum of all terms (should be the model's logits)",
)
### BEGIN HIDDEN TESTS
reference = tl.path_expansion(model, tokens)
for name in reference:
    check.array(terms[name], reference[name], name=f"terms[{name!r}]")
### END HIDDEN TESTS
check.passed("09-head-terms", hidden=True)

# %% [markdown] id="c09-013"
# The library computes the same expansion with `tl.path_expansion(model, tokens)`. A
# first use of it is **logit attribution**: how much each path contributes to the
# logit of the token that actually came next.

# %% id="c09-014"
paths = tl.path_expansion(model, tokens)
nxt = tokens[1:]
print("position  next  " + "  ".join(f"{name:>7s}" for name in paths))
for p in range(n - 1):
    row = "  ".join(f"{paths[name][p, nxt[p]]:7.2f}" for name in paths)
    print(f"{p:8d}  {nxt[p]:4d}  {row}")

# %% [markdown] id="c09-015"
# The same split as a view: pick a position and a target token, and the bars show
# each path's share of that logit (they add up to the total).

# %% id="c09-016"
tl.LogitAttributionWidget(model, tokens, position=3)

# %% [markdown] id="c09-017"
# ## 3. Skip-trigrams: the QK and OV circuits in token space
#
# Take one head's term and ignore positions for a moment ($x_0 \approx T W_E$). A
# query token $a$ attends to an earlier key token $b$ with a score read from the
# **QK circuit** $W_E W_Q W_K^\top W_E^\top$ — a `[d_vocab (query), d_vocab (key)]`
# matrix; attending to $b$ then raises the logit of token $c$ by the entry $[b, c]$ of
# the **OV circuit** $W_E W_V W_O W_U$ — a `[d_vocab (attended), d_vocab (logit)]`
# matrix. Together: "$[b] \dots [a] \to [c]$", a **skip-trigram**. Apart from what it
# knows about positions, everything a one-layer attention-only model knows lives in
# its direct path (bigrams) and these two matrices per head (skip-trigrams).
#
# Both circuits are chains of four matrices through a `d_head` leg — so their rank is
# at most $d_\text{head}$, however big the vocabulary. Here is the QK circuit as a
# diagram, checked against the library's `qk_circuit`:

# %% id="c09-018"
h = 0
qk_diagram = tl.Diagram.from_einsum(
    "ad,dh,eh,be->ab",
    model.W_E,
    model.W_Q[0, h],
    model.W_K[0, h],
    model.W_E,
    names=["W_Eq", "W_Q", "W_K", "W_Ek"],  # W_E on the query side and on the key side
)
assert np.allclose(qk_diagram.contract(), qk_circuit(model, 0, h))
qk_diagram

# %% id="c09-019" jupyter={"source_hidden": true}
Exercise(
    "09-ov-circuit",
    title="The OV circuit and its rank",
    difficulty=2,
    importance="core",
    minutes=8,
    hints=[
        "The OV circuit is the chain W_E - W_V - W_O - W_U: einsum 'ad,de,em,mc->ac'.",
        "np.linalg.svd(M, compute_uv=False) gives the singular values, largest first.",
        "The rank is the number of singular values that are not (numerically) zero, e.g. larger than 1e-9 times the largest.",
    ],
)

# %% id="c09-020" nbgrader={"grade": false, "grade_id": "09-ov-circuit-code", "locked": false, "schema_version": 3, "solution": true}
# For head h = 0: the OV circuit as a Diagram `ov_diagram` (legs: attended token, logit token),
# its singular values `ov_singular_values`, and its numerical rank `ov_rank`.
# BEGIN SOLUTION
ov_diagram = tl.Diagram.from_einsum(
    "ad,de,em,mc->ac",
    model.W_E,
    model.W_V[0, h],
    model.W_O[0, h],
    model.W_U,
    names=["W_E", "W_V", "W_O", "W_U"],
)
ov_singular_values = np.linalg.svd(ov_diagram.contract(), compute_uv=False)
ov_rank = int((ov_singular_values > 1e-9 * ov_singular_values[0]).sum())
# END SOLUTION

# %% id="c09-021" nbgrader={"grade": true, "grade_id": "09-ov-circuit", "locked": true, "points": 2, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 2, "importance": "core", "minutes": 8}
check.shape(
    ov_diagram.contract(), (model.d_vocab, model.d_vocab), name="ov_diagram.contract()"
)
check.array(ov_diagram.contract(), ov_circuit(model, 0, h), name="the OV circuit")
check.equal(ov_rank, circuit_rank(ov_circuit(model, 0, h)), name="ov_rank")
### BEGIN HIDDEN TESTS
check.true(
    ov_rank <= model.d_head,
    f"the OV circuit's rank must be at most d_head = {model.d_head}",
)
check.array(
    np.sort(ov_singular_values)[::-1][:ov_rank],
    np.linalg.svd(ov_circuit(model, 0, h), compute_uv=False)[:ov_rank],
    name="the nonzero singular values",
)
### END HIDDEN TESTS
check.passed("09-ov-circuit", hidden=True)

# %% id="c09-022"
print("OV singular values of head 0:", ov_singular_values.round(3))
print(
    f"rank {ov_rank} of a {model.d_vocab}x{model.d_vocab} matrix: d_head = {model.d_head} numbers per token suffice"
)

# %% [markdown] id="c09-023"
# ## 4. Eigenvalues: does a head copy?
#
# A common job for a head is **copying**: attending to token $b$ makes $b$ itself more
# likely ("I saw *Potter* earlier, so *Potter* is a good guess now"). A copying head's
# OV circuit maps each token mostly to itself: it has **positive eigenvalues**. The
# Framework summarises this as a copying score,
#
# $$ \frac{\sum_i \lambda_i}{\sum_i |\lambda_i|} \in [-1, 1], $$
#
# near 1 for copying, near $-1$ for anti-copying (suppressing the token seen), and
# near 0 for a head that does something else. With only $d_\text{head}$ nonzero
# eigenvalues, chance alone can push a random head's score far from 0 — so look at the
# diagonal of the OV circuit too: a copying head raises the attended token's own logit
# far more than any other. Below we make a head that copies by choosing its $W_O$ so
# that the OV circuit is $P P^\top$ with $P = W_E W_V$ (exactly, because this $W_U$
# has full rank $d_\text{vocab}$) — a positive semi-definite matrix, whose
# eigenvalues are all $\ge 0$.

# %% id="c09-024"
print(
    "random heads:",
    [round(copying_score(ov_circuit(model, 0, hh)), 2) for hh in range(model.n_heads)],
)

W_V0 = model.W_V[0, 0]
P_ = model.W_E @ W_V0  # [d_vocab, d_head]
W_O_copy = P_.T @ np.linalg.pinv(model.W_U)  # so that W_O W_U ≈ P_.T
W_O_new = model.W_O.copy()
W_O_new[0, 0] = W_O_copy
copier = tl.AttentionOnlyTransformer(**{**model.weights(), "W_O": W_O_new})
M = ov_circuit(copier, 0, 0)
print(
    "copying head: score",
    round(copying_score(M), 3),
    "; eigenvalues",
    np.sort(np.linalg.eigvals(M).real)[::-1][:5].round(2),
)
off_diagonal = (M.sum() - M.trace()) / (M.size - len(M))
print(
    f"mean diagonal entry {M.diagonal().mean():.2f}, mean off-diagonal entry {off_diagonal:.2f}"
)
M_random = ov_circuit(model, 0, 0)
off_random = (M_random.sum() - M_random.trace()) / (M_random.size - len(M_random))
print(
    f"random head 0: mean diagonal entry {M_random.diagonal().mean():.2f}, mean off-diagonal entry {off_random:.2f}"
)

# %% [markdown] id="c09-025"
# ## 5. Two layers: heads compose
#
# With a second layer, the heads of layer 1 read the residual stream
# $x_1 = x_0 + \sum_h A^{0,h} x_0 W_{OV}^{0,h}$, which contains the outputs of
# layer 0. A layer-1 head can use them in three places — its values, its queries, its
# keys — and the three behave very differently in the diagram.
#
# **V-composition.** The values of layer-1 head $h'$ read $x_1$. Substituting:
#
# $$ A^{1,h'} x_1 W_{OV}^{1,h'} = A^{1,h'} x_0 W_{OV}^{1,h'} + \sum_h \underbrace{A^{1,h'} A^{0,h}}_{\text{positions}}\; x_0\; \underbrace{W_{OV}^{0,h} W_{OV}^{1,h'}}_{\text{model leg}} .$$
#
# Each new term is a **virtual head**: a head whose attention pattern is the product
# $A^{1,h'}A^{0,h}$ (a chain on the position leg) and whose OV circuit is the product
# $W_{OV}^{0,h}W_{OV}^{1,h'}$ (a chain on the model leg). With patterns held fixed it is
# just one more diagram in the path expansion. Draw it.

# %% id="c09-026"
model2 = tl.AttentionOnlyTransformer.random(
    n_layers=2, n_heads=2, d_model=16, d_head=4, d_vocab=12, n_ctx=12, seed=2
)
x0_2 = model2.embed(tokens)
A2 = model2.attention_patterns(tokens)  # [layer, head, q, k]
h0, h1 = 1, 0  # the virtual head L0H1 -> L1H0
A_1, A_0 = A2[1, h1], A2[0, h0]
W_OV_0, W_OV_1 = model2.W_OV[0, h0], model2.W_OV[1, h1]

vh_start = tl.Diagram()
vh_start.add_tensor("A1", A_1, legs=["query", "key"], position=(0, 0))
vh_start.add_tensor("A0", A_0, legs=["query", "key"], position=(230, 0))
vh_start.add_tensor("x0", x0_2, legs=["pos", "model"], position=(460, 0))
vh_start.add_tensor("W_OV0", W_OV_0, legs=["in", "out"], position=(460, 160))
vh_start.add_tensor("W_OV1", W_OV_1, legs=["in", "out"], position=(230, 160))
vh_start.add_tensor("W_U", model2.W_U, legs=["model", "vocab"], position=(0, 160))

# %% id="c09-027" jupyter={"source_hidden": true}
# The set-up of the exercise (collapsed: it contains the answer).
vh_answer = tl.Diagram.from_einsum(
    "qj,jk,kd,de,ef,fv->qv",
    A_1,
    A_0,
    x0_2,
    W_OV_0,
    W_OV_1,
    model2.W_U,
    names=["A1", "A0", "x0", "W_OV0", "W_OV1", "W_U"],
)

# %% id="c09-028" jupyter={"source_hidden": true}
# The set-up of the exercise (collapsed: it contains the hints).
ex_virtual = tl.DiagramExercise(
    "09-virtual-head",
    title="Draw a virtual head (V-composition)",
    task=(
        "Wire the virtual head L0H1 -> L1H0: the patterns A1 A0 chained on the position leg of x0, "
        "the OV circuits W_OV0 then W_OV1 chained on its model leg, read by W_U. "
        "Open legs: A1's query and W_U's vocab."
    ),
    start=vh_start,
    answer=vh_answer,
    difficulty=2,
    importance="core",
    minutes=8,
    hints=[
        "Five wires. Positions: A1 -> A0 -> x0. Model leg: x0 -> W_OV0 -> W_OV1 -> W_U.",
        "Layer 0 acts first, so it sits next to x0: A0's key leg joins x0's pos leg, and x0's model leg joins W_OV0's in leg.",
        "When it is right, A1 and W_U sit at the ends of the two chains, each with one leg left open.",
    ],
)
ex_virtual

# %% id="c09-029" nbgrader={"grade": false, "grade_id": "09-virtual-head-code", "locked": false, "schema_version": 3, "solution": true}
# Answer by drawing above (then delete the `raise` line below), or in code here.
# BEGIN SOLUTION
drawn = vh_start.copy()
drawn.connect("A1:key", "A0:query")
drawn.connect("A0:key", "x0:pos")
drawn.connect("x0:model", "W_OV0:in")
drawn.connect("W_OV0:out", "W_OV1:in")
drawn.connect("W_OV1:out", "W_U:model")
ex_virtual.submit(drawn)
# END SOLUTION

# %% id="c09-030" nbgrader={"grade": true, "grade_id": "09-virtual-head", "locked": true, "points": 2, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 2, "importance": "core", "minutes": 8}
ex_virtual.check()
check.array(
    ex_virtual.diagram.contract(),
    tl.path_expansion(model2, tokens)["L0H1->L1H0"],
    name="your virtual head's logit term",
)
check.passed("09-virtual-head", hidden=False)

# %% [markdown] id="c09-031"
# The full path expansion of the two-layer model has 1 + 4 + 4 = 9 terms: the direct
# path, each head reading $x_0$ (layer-1 heads included), and the four virtual heads.
# With the patterns held as computed they add up to the logits exactly:

# %% id="c09-032"
paths2 = tl.path_expansion(model2, tokens)
print(list(paths2))
print(
    "largest |sum of paths - logits|:",
    np.abs(sum(paths2.values()) - model2(tokens)).max(),
)
for name, term in paths2.items():
    print(f"{name:12s} size of term: {np.linalg.norm(term):6.2f}")

# %% [markdown] id="c09-033"
# `tl.path_expansion_diagrams` gives each term as a diagram built from the model's
# weights — contract them all and add, and the logits come back once more:

# %% id="c09-034"
path_diagrams = tl.path_expansion_diagrams(model2, tokens)
assert np.allclose(sum(d.contract() for d in path_diagrams.values()), model2(tokens))
path_diagrams["L0H1->L1H0"]

# %% [markdown] id="c09-035"
# **Q- and K-composition.** The *queries* and *keys* of a layer-1 head read $x_1$ as
# well, so its scores expand the same way — four terms:
#
# $$ s^{1} \propto x_1 W_{QK}^{1} x_1^\top = x_0 W_{QK} x_0^\top + \underbrace{x_0 W_{QK} (y^0)^\top}_{\text{K-composition}} + \underbrace{y^0 W_{QK} x_0^\top}_{\text{Q-composition}} + y^0 W_{QK} (y^0)^\top, $$
#
# with $y^0 = \sum_h A^{0,h} x_0 W_{OV}^{0,h}$ the output of layer 0. Each term is a
# diagram, and the scores are exactly their sum. But the scores then go through the
# **softmax box**: $A^1 = \mathrm{softmax}(s^1)$, and a softmax of a sum is not a sum
# of softmaxes. The Q- and K-composition terms do not become new terms of the logits;
# they change the attention pattern $A^1$, which the path expansion holds fixed. That
# is chapter 07's lesson again: V-composition goes *around* the nonlinear box and
# multiplies out; Q- and K-composition go *through* it and do not.

# %% id="c09-036"
layer1_head = 0
cache = model2.run_with_cache(tokens)[1]
y0 = cache["head_out.0"].sum(axis=0)  # what layer 0 wrote, [seq, d_model]
W_Q1, W_K1 = model2.W_Q[1, layer1_head], model2.W_K[1, layer1_head]
c = np.array(1 / np.sqrt(model2.d_head))


def score_term(query_side, key_side):
    return tl.Diagram.from_einsum(
        "qd,dh,eh,ke,->qk",
        query_side,
        W_Q1,
        W_K1,
        key_side,
        c,
        names=["x_q", "W_Q", "W_K", "x_k", "c"],  # c = 1/sqrt(d_head)
    ).contract()


direct_scores = score_term(x0_2, x0_2)
q_composition = score_term(y0, x0_2)
both = score_term(y0, y0)

# %% id="c09-037" jupyter={"source_hidden": true}
Exercise(
    "09-k-composition",
    title="The K-composition term of the scores",
    difficulty=2,
    importance="core",
    minutes=6,
    hints=[
        "K-composition: the keys read what layer 0 wrote. Which argument of score_term is the key side?",
        "score_term(query_side, key_side): for K-composition the keys come from layer 0's output y0, the queries from the embedding.",
    ],
)

# %% id="c09-038" nbgrader={"grade": false, "grade_id": "09-k-composition-code", "locked": false, "schema_version": 3, "solution": true}
# k_composition: the K-composition term of layer-1 head 0's scores, [seq (query), seq (key)].
# BEGIN SOLUTION
k_composition = score_term(x0_2, y0)
# END SOLUTION

# %% id="c09-039" nbgrader={"grade": true, "grade_id": "09-k-composition", "locked": true, "points": 1, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 2, "importance": "core", "minutes": 6}
lower = np.tril(np.ones((n, n), dtype=bool))  # the unmasked scores (key <= query)
total = direct_scores + k_composition + q_composition + both
check.shape(k_composition, (n, n), name="k_composition")
check.array(
    total[lower],
    cache["scores.1"][layer1_head][lower],
    name="the sum of the four score terms",
)
### BEGIN HIDDEN TESTS
check.array(
    k_composition,
    (x0_2 @ W_Q1) @ (y0 @ W_K1).T / np.sqrt(model2.d_head),
    name="k_composition",
)
### END HIDDEN TESTS
check.passed("09-k-composition", hidden=True)


# %% id="c09-040"
def masked_softmax(s):
    s = np.where(np.triu(np.ones_like(s, dtype=bool), k=1), -np.inf, s)
    return softmax(s)


A1 = masked_softmax(total)
split = sum(
    masked_softmax(t) for t in [direct_scores, k_composition, q_composition, both]
)
print("softmax(sum of score terms) == A^1:       ", np.allclose(A1, A2[1, layer1_head]))
print(
    "sum of softmax(term) == A^1 (it is not):  ", np.allclose(split, A2[1, layer1_head])
)

# %% id="c09-041" jupyter={"source_hidden": true}
Exercise(
    "09-which-collapse",
    title="Which compositions collapse into new terms?",
    difficulty=1,
    importance="core",
    minutes=3,
    hints=[
        "Ask of each kind: does the layer-0 output enter before or after the softmax box?",
        "Values are read after the pattern is fixed; queries and keys are read inside the softmax.",
    ],
)

# %% id="c09-042" nbgrader={"grade": false, "grade_id": "09-which-collapse-code", "locked": false, "schema_version": 3, "solution": true}
# collapses = {"Q": ..., "K": ..., "V": ...}: for each kind of composition, True if,
# with patterns held fixed, it becomes a separate term of the path expansion (a virtual
# head), else False.
# BEGIN SOLUTION
collapses = {"Q": False, "K": False, "V": True}
# END SOLUTION

# %% id="c09-043" nbgrader={"grade": true, "grade_id": "09-which-collapse", "locked": true, "points": 1, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 1, "importance": "core", "minutes": 3}
check.equal(sorted(collapses), ["K", "Q", "V"], name="the keys of collapses")
check.equal(collapses["V"], True, name='collapses["V"]')
### BEGIN HIDDEN TESTS
check.equal(collapses["Q"], False, name='collapses["Q"]')
check.equal(collapses["K"], False, name='collapses["K"]')
### END HIDDEN TESTS
check.passed("09-which-collapse", hidden=True)

# %% [markdown] id="c09-044"
# ## 6. Composition scores
#
# How much does a layer-1 head actually read what a layer-0 head writes? Head $h_0$
# writes through $W_{OV}^{0}$ (`[d_model, d_model]`, rows are vectors); head $h_1$
# reads through $W_{QK}^{1}$ (queries), its transpose (keys) or $W_{OV}^{1}$ (values).
# If the subspace that $h_0$ writes to is orthogonal to the one $h_1$ reads from, the
# product of the two matrices is zero. The Framework's **composition score** measures
# this in one number:
#
# $$ \frac{\lVert W_A W_B \rVert_F}{\lVert W_A \rVert_F\, \lVert W_B \rVert_F}, $$
#
# with $W_A = W_{OV}^{0,h_0}$ and $W_B = W_{QK}^{1,h_1}$ (Q), $W_{QK}^{1,h_1\top}$ (K)
# or $W_{OV}^{1,h_1}$ (V). Random matrices give a small baseline; a purposeful circuit
# stands out from it, as chapter 10 shows.

# %% id="c09-045" jupyter={"source_hidden": true}
Exercise(
    "09-composition-score",
    title="Composition scores",
    difficulty=2,
    importance="core",
    minutes=8,
    hints=[
        "np.linalg.norm(M) of a matrix is its Frobenius norm.",
        "score(W_A, W_B) = norm(W_A @ W_B) / (norm(W_A) * norm(W_B)).",
        "For keys, the reader is the transpose of the layer-1 head's W_QK; the writer is the layer-0 head's W_OV (model2.W_OV and model2.W_QK are indexed [layer, head]).",
    ],
)


# %% id="c09-046" nbgrader={"grade": false, "grade_id": "09-composition-score-code", "locked": false, "schema_version": 3, "solution": true}
# A function score(W_A, W_B), and k_score: the K-composition score of head L0H0 into head
# L1H1 of model2.
# BEGIN SOLUTION
def score(W_A, W_B):
    return np.linalg.norm(W_A @ W_B) / (np.linalg.norm(W_A) * np.linalg.norm(W_B))


k_score = score(model2.W_OV[0, 0], model2.W_QK[1, 1].T)
# END SOLUTION

# %% id="c09-047" nbgrader={"grade": true, "grade_id": "09-composition-score", "locked": true, "points": 2, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 2, "importance": "core", "minutes": 8}
check.array(
    score(np.eye(3), np.eye(3)), 1 / np.sqrt(3), name="score(I, I) for 3x3 identities"
)
check.array(
    score(np.diag([1.0, 0.0]), np.diag([0.0, 1.0])),
    0.0,
    name="score of orthogonal subspaces",
)
check.array(
    k_score, composition_scores(model2, "K")[0, 1], name="k_score (L0H0 -> L1H1, keys)"
)
### BEGIN HIDDEN TESTS
W_a, W_b = rng.normal(size=(5, 5)), rng.normal(size=(5, 5))
check.array(
    score(W_a, W_b), tl.composition_score(W_a, W_b), name="score on random matrices"
)
### END HIDDEN TESTS
check.passed("09-composition-score", hidden=True)

# %% id="c09-048"
for kind in "QKV":
    print(f"{kind}-composition scores, rows: layer-0 head, columns: layer-1 head")
    print(composition_scores(model2, kind).round(3))

# %% [markdown] id="c09-049"
# ## Summary
#
# * Zero layers: $W_E W_U$, a (low-rank) bigram table.
# * One layer: with the patterns held fixed, logits = direct path + one term per head,
#   exactly. Each head is a pair of token-space circuits — QK (where to look) and OV
#   (what it does) — of rank at most $d_\text{head}$; the OV circuit's eigenvalues
#   tell whether the head copies.
# * Two layers: V-composition multiplies out into virtual heads (patterns chained on
#   the position leg, OV circuits chained on the model leg); Q- and K-composition
#   live inside the softmax box and change the patterns instead. Composition scores
#   measure how much a later head reads from an earlier one.
#
# Chapter 10 puts K-composition to work: two heads that together do **induction**.

# %% id="c09-050"
from tensorlessons.exercises import progress

progress()
