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
# 1. Zero layers: the direct path $W_E W_U$ is a table of bigram statistics, and the
#    residual stream has no privileged basis.
# 2. One layer: the logits are the direct path plus one term per head — the **path
#    expansion** — and every head is a set of **skip-trigrams**, read from two
#    token-space matrices, its QK and OV circuits (low rank: back to SVD, and their
#    top singular vectors say what they do).
# 3. Eigenvalues of the OV circuit tell whether a head **copies**.
# 4. Two layers: heads **compose**. V-composition makes *virtual heads* that are
#    new terms of the sum; Q- and K-composition happen inside the softmax box, where
#    terms multiply instead of adding. Composition scores measure how much heads
#    compose — read against the scores of random matrices.

# %% id="c09-001"
import numpy as np

import tensorlessons as tl
from tensorlessons.exercises import Exercise, check, same_value

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
# $(W_E W_U)_{ab} \approx \log P(b \mid a) + c_a$: a constant $c_a$ per row does not
# matter, because the softmax ignores it.
#
# $W_E W_U$ is a `[d_vocab, d_vocab]` matrix that passes through the `d_model` leg, so
# its rank is at most $d_\text{model}$: a zero-layer model with a small $d_\text{model}$
# stores a **low-rank** version of the log-bigram table. Training finds it by
# minimising the **cross-entropy** of its predictions, not a distance between tables,
# and there is no formula for that minimum. But chapter 04 gives a close, cheap
# stand-in in closed form: the truncated SVD, the best low-rank approximation in the
# Frobenius norm. One detail matters: since row constants are free, take the SVD of
# the **row-centred** table (each row minus its mean) — otherwise part of the small
# rank is spent storing the constants the softmax throws away. Let us try it on a toy
# language whose bigram table we know.

# %% id="c09-003"
d_vocab, d_model = 12, 4
# A toy language: each token is followed by a few likely successors.
lang = np.random.default_rng(0)
P = 0.9 * lang.dirichlet(0.3 * np.ones(d_vocab), size=d_vocab) + 0.1 / d_vocab
log_P = np.log(P)  # [current token, next token]
print("P(next | current) for token 0:", P[0].round(2))

# %% id="c09-004" jupyter={"source_hidden": true}
Exercise(
    "09-bigram",
    title="A zero-layer model of the bigram table",
    difficulty=2,
    importance="core",
    minutes=10,
    hints=[
        "Row-centre first: subtract from each row of log_P its mean (axis=1, "
        "keepdims=True keeps it a column).",
        "Then the truncated SVD of chapter 04: np.linalg.svd gives U, S, Vt with the "
        "singular values in decreasing order; keep the d_model largest.",
        "W_E takes the kept columns of U, W_U the kept rows of Vt; the kept singular "
        "values go to either side, or half (their square roots) to each.",
    ],
)

# %% id="c09-005" nbgrader={"grade": false, "grade_id": "09-bigram-code", "locked": false, "schema_version": 3, "solution": true}
# W_E [d_vocab, d_model] and W_U [d_model, d_vocab] with W_E @ W_U the best
# rank-d_model approximation of the row-centred log_P.
# BEGIN SOLUTION
centred = log_P - log_P.mean(axis=1, keepdims=True)
U, S, Vt = np.linalg.svd(centred)
W_E = U[:, :d_model] * np.sqrt(S[:d_model])
W_U = np.sqrt(S[:d_model])[:, None] * Vt[:d_model]
# END SOLUTION

# %% id="c09-006" nbgrader={"grade": true, "grade_id": "09-bigram", "locked": true, "points": 2, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 2, "importance": "core", "minutes": 10}
_P = 0.9 * np.random.default_rng(0).dirichlet(0.3 * np.ones(12), size=12) + 0.1 / 12
_L = np.log(_P)  # the table, rebuilt


def _best(M, r=4):  # the best rank-r approximation of M (Eckart–Young)
    U_, S_, Vt_ = np.linalg.svd(M)
    return (U_[:, :r] * S_[:r]) @ Vt_[:r]


def _rows_centred(M):  # the softmax ignores a constant per row
    return M - M.mean(axis=1, keepdims=True)


check.shape(W_E, (12, 4), name="W_E [d_vocab, d_model]")
check.shape(W_U, (4, 12), name="W_U [d_model, d_vocab]")
_got = _rows_centred(W_E @ W_U)
check.true(
    not np.allclose(_got, _rows_centred(_best(_L))),
    "W_E @ W_U is the best rank-4 approximation of log_P itself: part of its rank "
    "stores each row's constant, which the softmax ignores. Centre the rows first",
)
check.true(
    not np.allclose(_got, _rows_centred(_best(_L - _L.mean(axis=0)))),
    "you centred the columns of log_P (axis=0); the softmax runs along each row, so "
    "each row's constant is the free one",
)
_err, _opt = (
    np.linalg.norm(_rows_centred(_L) - _got),
    np.linalg.norm(_rows_centred(_L) - _best(_rows_centred(_L))),
)
check.array(
    _got,
    _best(_rows_centred(_L)),
    name=f"W_E @ W_U, rows centred (its distance to the centred table is {_err:.3f}; "
    f"the best rank-4 distance is {_opt:.3f})",
)
check.passed("09-bigram", hidden=False)

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


def mean_kl(L):  # how far the model's next-token distributions are from P, in nats
    return float((P * (log_P - np.log(softmax(L)))).sum(axis=1).mean())


def best_rank(M, r=d_model):
    U_, S_, Vt_ = np.linalg.svd(M)
    return (U_[:, :r] * S_[:r]) @ Vt_[:r]


# What training would do: lower the cross-entropy by gradient descent, from the SVD.
A_, B_ = W_E.copy(), W_U.copy()
for _step in range(3000):
    G = (softmax(A_ @ B_) - P) / d_vocab  # gradient of the mean cross-entropy
    A_, B_ = A_ - 2.0 * G @ B_.T, B_ - 2.0 * A_.T @ G
print("mean KL(P || model), in nats, rank", d_model)
print(f"  SVD of log_P itself:         {mean_kl(best_rank(log_P)):.3f}")
print(f"  SVD of the row-centred log_P: {mean_kl(W_E @ W_U):.3f}")
print(f"  trained (cross-entropy):      {mean_kl(A_ @ B_):.3f}")
print("predicted most likely next tokens:", logits.argmax(-1))
print("true most likely next tokens:     ", P[tokens].argmax(-1))
direct_path

# %% [markdown] id="c09-101"
# Centring pays: the same rank stores a better model. Training does better still,
# because it spends the rank where the cross-entropy is (on the likely successors),
# not on the many tiny log-probabilities that a Frobenius norm counts as much. Where
# the predictions differ from the truth, the table itself has a close runner-up — or
# the rank-4 model has no room for that row's pattern.
#
# **No privileged basis.** Any invertible $d_\text{model} \times d_\text{model}$ matrix
# $R$ gives another factorisation, $W_E' = W_E R$ and $W_U' = R^{-1} W_U$, with the
# same product: in the diagram, $R R^{-1}$ is an identity on the `d_model` wire. It is
# the same model, with the same logits, but every coordinate of its residual stream is
# different. So "coordinate 2 of the residual stream means …" says nothing about a
# model: only what survives any $R$ — products like $W_E W_U$, ranks, singular values,
# subspaces — does. (Chapter 07's ReLU was different: an elementwise nonlinearity
# singles out its basis, the neurons. The residual stream has no such box.)

# %% id="c09-102" jupyter={"source_hidden": true}
Exercise(
    "09-basis",
    title="Two trainings, one model",
    difficulty=2,
    importance="core",
    minutes=8,
    hints=[
        "You want R with W_E_a @ R = W_E_b. W_E_a is 12 x 4 with rank 4: it has a left "
        "inverse.",
        "np.linalg.pinv(W_E_a) @ W_E_a is the 4 x 4 identity; or solve the least-squares "
        "problem W_E_a R = W_E_b with np.linalg.lstsq.",
        "Then check the other side: R @ W_U_b should give W_U_a back.",
    ],
)

# %% id="c09-103"
# Run a: a zero-layer model of a random language. Run b: the same model, trained
# again from another start, which ended in another basis of its residual stream.
_run = np.random.default_rng(93)
W_E_a, W_U_a = _run.normal(size=(12, 4)), _run.normal(size=(4, 12))
_R = np.linalg.qr(_run.normal(size=(4, 4)))[0] @ np.diag([3.0, 1.0, 0.5, 2.0])
W_E_b, W_U_b = W_E_a @ _R, np.linalg.inv(_R) @ W_U_a
print("same logits:", np.allclose(W_E_a @ W_U_a, W_E_b @ W_U_b))
print("token 0's residual vector in run a:", W_E_a[0].round(2))
print("token 0's residual vector in run b:", W_E_b[0].round(2))

# %% id="c09-104" nbgrader={"grade": false, "grade_id": "09-basis-code", "locked": false, "schema_version": 3, "solution": true}
# R: the 4 x 4 change of basis from run a to run b (W_E_b = W_E_a @ R, and
# W_U_b = R^-1 @ W_U_a), computed from the two runs' weights.
# BEGIN SOLUTION
R = np.linalg.pinv(W_E_a) @ W_E_b
# END SOLUTION

# %% id="c09-105" nbgrader={"grade": true, "grade_id": "09-basis", "locked": true, "points": 2, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 2, "importance": "core", "minutes": 8}
_run = np.random.default_rng(93)
_Ea, _Ua = _run.normal(size=(12, 4)), _run.normal(size=(4, 12))
_R = np.linalg.qr(_run.normal(size=(4, 4)))[0] @ np.diag([3.0, 1.0, 0.5, 2.0])
_Eb, _Ub = _Ea @ _R, np.linalg.inv(_R) @ _Ua
check.shape(R, (4, 4), name="R [d_model, d_model]")
check.true(
    not np.allclose(R, np.eye(4)),
    "R is the identity; the two runs compute the same logits, but their residual "
    "streams differ (print W_E_a[0] and W_E_b[0]): find the R that maps one to the "
    "other",
)
check.true(
    not np.allclose(_Eb @ R, _Ea),
    "R maps run b to run a (W_E_b @ R = W_E_a): that is the inverse of the change "
    "asked for",
)
check.true(
    not np.allclose(R, _Ea.T @ _Eb),
    "R = W_E_a.T @ W_E_b would be right only if W_E_a's columns were orthonormal; "
    "they are not: use a (pseudo-)inverse",
)
check.array(_Ea @ R, _Eb, name="W_E_a @ R (should be W_E_b)")
check.array(R @ _Ub, _Ua, name="R @ W_U_b (should be W_U_a)")
check.passed("09-basis", hidden=False)

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
# Head 0 gets two equal value columns: it reads only 3 independent directions
# (section 3 measures what that does to its OV circuit).
W_V_ = np.array(model.W_V)
W_V_[0, 0, :, 3] = W_V_[0, 0, :, 2]
model = model.replace(W_V=W_V_)
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
        "The direct path is the diagram x0 - W_U.",
        "Head h's term: A[h] on the position leg of x0, and model.W_V[0, h], "
        "model.W_O[0, h], model.W_U chained on its model leg: five tensors.",
        "Name the terms like the library: 'direct', 'L0H0', 'L0H1', 'L0H2'.",
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
_m = tl.AttentionOnlyTransformer.random(  # the section's model, rebuilt
    n_layers=1, n_heads=3, d_model=16, d_head=4, d_vocab=12, n_ctx=12, seed=1
)
_W_V = np.array(_m.W_V)
_W_V[0, 0, :, 3] = _W_V[0, 0, :, 2]
_m = _m.replace(W_V=_W_V)
_t = np.array([2, 7, 1, 8, 2, 8, 1, 8, 2, 8])
_ref = tl.path_expansion(_m, _t)
check.true(isinstance(terms, dict), "terms should be a dict of arrays")
check.equal(sorted(terms), sorted(_ref), name="the names of the terms")
check.true(
    not np.allclose(terms["direct"], _m.W_E[_t] @ _m.W_U),
    'terms["direct"] leaves out the positional embedding: the direct path reads x0, '
    "which holds W_pos too",
)
check.array(terms["direct"], _ref["direct"], name='terms["direct"]')
for _h in range(3):
    _name = f"L0H{_h}"
    _A = _m.attention_patterns(_t)[0, _h]
    check.shape(terms[_name], (10, 12), name=f"terms[{_name!r}] [seq, d_vocab]")
    check.true(
        not np.allclose(terms[_name], _A.T @ _m.embed(_t) @ _m.W_OV[0, _h] @ _m.W_U),
        f"terms[{_name!r}] uses the pattern transposed: A[h] is [query, key], and "
        "its key leg reads x0's positions",
    )
    check.array(terms[_name], _ref[_name], name=f"terms[{_name!r}]")
check.array(
    sum(terms.values()), _m(_t), name="the sum of all terms (the model's logits)"
)
check.passed("09-head-terms", hidden=False)

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
        "The OV circuit is the chain W_E - W_V - W_O - W_U, legs: the attended token "
        "and the logit token.",
        "np.linalg.svd(M, compute_uv=False) gives the singular values, largest first. "
        "Print them.",
        "The rank counts the singular values that are not zero up to rounding: compare "
        "each with the largest, with a relative tolerance (say 1e-9).",
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
_m = tl.AttentionOnlyTransformer.random(  # the section's model, rebuilt
    n_layers=1, n_heads=3, d_model=16, d_head=4, d_vocab=12, n_ctx=12, seed=1
)
_W_V = np.array(_m.W_V)
_W_V[0, 0, :, 3] = _W_V[0, 0, :, 2]
_m = _m.replace(W_V=_W_V)
_t = np.array([2, 7, 1, 8, 2, 8, 1, 8, 2, 8])
_M = ov_circuit(_m, 0, 0)
check.true(
    isinstance(ov_diagram, tl.Diagram), "ov_diagram should be a Diagram of the chain"
)
_got = ov_diagram.contract()
check.shape(_got, (12, 12), name="ov_diagram.contract() [d_vocab, d_vocab]")
check.true(
    not np.allclose(_got, qk_circuit(_m, 0, 0)),
    "ov_diagram is head 0's QK circuit (W_Q, W_K); the OV circuit chains W_V and W_O",
)
check.array(_got, _M, name="the OV circuit")
_s = np.linalg.svd(_M, compute_uv=False)
_sv = np.sort(np.ravel(ov_singular_values))[::-1]
check.array(
    _sv[_sv > 1e-9 * _s[0]],
    _s[_s > 1e-9 * _s[0]],
    name="the nonzero entries of ov_singular_values (largest first)",
)
check.true(
    ov_rank != 4,
    "ov_rank is 4 = d_head: that is the bound, not this circuit's rank. Count the "
    "singular values that are not zero",
)
check.true(
    ov_rank <= 4,
    f"ov_rank is {ov_rank}: you counted singular values like {_s[-1]:.1e}, which are "
    "rounding errors of zero. Count those above a small fraction of the largest",
)
check.equal(ov_rank, circuit_rank(_M), name="ov_rank")
check.passed("09-ov-circuit", hidden=False)

# %% id="c09-022"
print("OV singular values of head 0:", ov_singular_values.round(3))
print(
    f"rank {ov_rank} of a {model.d_vocab}x{model.d_vocab} matrix: fewer than d_head = "
    f"{model.d_head}, because two of head 0's value directions coincide"
)

# %% [markdown] id="c09-106"
# **Reading a circuit by its singular vectors.** A rank-$r$ circuit is a sum of $r$
# simple pieces, $M = \sum_i s_i\, u_i v_i^\top$ (the SVD), largest first. For an OV
# circuit (rows: the attended token $b$, columns: the logit $c$), piece $i$ says:
# attending to a token $b$ with a large $u_i[b]$ moves the logits along $v_i$ — it
# raises the logit of tokens $c$ where $u_i[b]\, v_i[c] > 0$ and lowers it where that
# product is negative. One trap: an SVD is unique only up to signs — $(-u_i)(-v_i)^\top
# = u_i v_i^\top$ — and numpy may give you either, so read $u_i$ and $v_i$ together,
# never $v_i$ on its own. The share of the circuit that piece $i$ holds is
# $s_i^2 / \sum_j s_j^2$ (the squared Frobenius norm is the sum of the squared singular
# values).
#
# `mystery` below is the same model with head 1's weights replaced by ones somebody
# trained for a job. Find out what the job is from the OV circuit alone.

# %% id="c09-107"
_m = model
_plant = np.random.default_rng(95)
_ab = _plant.permutation(12)[:4]  # which tokens the head is about: nobody tells you
_a, _b = np.zeros(12), np.zeros(12)
_a[_ab[:2]], _b[_ab[2:]] = [1.0, 0.6], [1.0, -0.8]
_target = 8 * np.outer(_a / np.linalg.norm(_a), _b / np.linalg.norm(_b))
_target += 0.3 * _plant.normal(size=(12, 3)) @ _plant.normal(size=(3, 12))
_U16, _S16, _Vt16 = np.linalg.svd(
    np.linalg.pinv(_m.W_E) @ _target @ np.linalg.pinv(_m.W_U)
)
_W_V, _W_O = np.array(_m.W_V), np.array(_m.W_O)
_W_V[0, 1] = _U16[:, :4] * np.sqrt(_S16[:4])
_W_O[0, 1] = np.sqrt(_S16[:4])[:, None] * _Vt16[:4]
mystery = model.replace(W_V=_W_V, W_O=_W_O)
M_mystery = ov_circuit(mystery, 0, 1)  # [attended token, logit token]
print("singular values:", np.linalg.svd(M_mystery, compute_uv=False).round(2))

# %% id="c09-108" jupyter={"source_hidden": true}
Exercise(
    "09-svd-reading",
    title="What does the mystery head do?",
    difficulty=3,
    importance="core",
    minutes=12,
    hints=[
        "U, s, Vt = np.linalg.svd(M_mystery): the first piece is s[0], the column "
        "U[:, 0] (attended tokens) and the row Vt[0] (logit tokens).",
        "The attended tokens are where |U[:, 0]| is largest. Which logits they move "
        "depends on the product U[b, 0] * Vt[0, c], signs included.",
        "Check yourself: flip the signs of U[:, 0] and Vt[0] together; your answers "
        "must not change.",
    ],
)

# %% id="c09-109" nbgrader={"grade": false, "grade_id": "09-svd-reading-code", "locked": false, "schema_version": 3, "solution": true}
# top_share: the share s_1^2 / sum s_i^2 of M_mystery held by its top piece;
# attended: the 2 tokens the top piece reads most (largest |u_1|), as a sorted list;
# raised, lowered: the logit tokens that attending to the most-read token raises
# most and lowers most, through the top piece.
# BEGIN SOLUTION
U, s, Vt = np.linalg.svd(M_mystery)
top_share = s[0] ** 2 / np.sum(s**2)
attended = sorted(np.argsort(-np.abs(U[:, 0]))[:2].tolist())
b_top = int(np.argmax(np.abs(U[:, 0])))
effect = U[b_top, 0] * Vt[0]  # how the top piece moves each logit, seen from b_top
raised, lowered = int(np.argmax(effect)), int(np.argmin(effect))
# END SOLUTION
print(f"top piece: {top_share:.0%} of the circuit; reads {attended}")
print(f"attending to them raises token {raised} and lowers token {lowered}")

# %% id="c09-110" nbgrader={"grade": true, "grade_id": "09-svd-reading", "locked": true, "points": 3, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 3, "importance": "core", "minutes": 12}
_m = tl.AttentionOnlyTransformer.random(  # the section's model, rebuilt
    n_layers=1, n_heads=3, d_model=16, d_head=4, d_vocab=12, n_ctx=12, seed=1
)
_W_V = np.array(_m.W_V)
_W_V[0, 0, :, 3] = _W_V[0, 0, :, 2]
_m = _m.replace(W_V=_W_V)
_t = np.array([2, 7, 1, 8, 2, 8, 1, 8, 2, 8])
_plant = np.random.default_rng(95)
_ab = _plant.permutation(12)[:4]  # which tokens the head is about: nobody tells you
_a, _b = np.zeros(12), np.zeros(12)
_a[_ab[:2]], _b[_ab[2:]] = [1.0, 0.6], [1.0, -0.8]
_target = 8 * np.outer(_a / np.linalg.norm(_a), _b / np.linalg.norm(_b))
_target += 0.3 * _plant.normal(size=(12, 3)) @ _plant.normal(size=(3, 12))
_U16, _S16, _Vt16 = np.linalg.svd(
    np.linalg.pinv(_m.W_E) @ _target @ np.linalg.pinv(_m.W_U)
)
_W_V, _W_O = np.array(_m.W_V), np.array(_m.W_O)
_W_V[0, 1] = _U16[:, :4] * np.sqrt(_S16[:4])
_W_O[0, 1] = np.sqrt(_S16[:4])[:, None] * _Vt16[:4]
_M = ov_circuit(_m.replace(W_V=_W_V, W_O=_W_O), 0, 1)
check.array(M_mystery, _M, name="M_mystery (changed since its set-up cell)")
_U, _s, _Vt = np.linalg.svd(_M)
check.true(
    not np.isclose(top_share, _s[0] / _s.sum()),
    "top_share is s_1 / sum s_i; a piece's share of the (squared Frobenius) norm is "
    "s_1^2 / sum s_i^2",
)
check.close(top_share, _s[0] ** 2 / np.sum(_s**2), name="top_share")
_reads = sorted(np.argsort(-np.abs(_U[:, 0]))[:2].tolist())
_writes = sorted(np.argsort(-np.abs(_Vt[0]))[:2].tolist())
_second = sorted(np.argsort(-np.abs(_U[:, 1]))[:2].tolist())
_att = [int(a) for a in attended]
check.true(
    _att != _writes,
    f"{_att} are the tokens the top piece writes to (largest |v_1|, a row of Vt): the "
    "attended tokens are read from u_1, the first column of U",
)
check.true(
    _att != _second,
    f"{_att} are the tokens of the second piece (u_2); the top piece is the first",
)
check.equal(_att, _reads, name="attended")
_b = int(np.argmax(np.abs(_U[:, 0])))
_effect = _U[_b, 0] * _Vt[0]
check.true(
    (int(raised), int(lowered)) != (int(np.argmin(_effect)), int(np.argmax(_effect))),
    "raised and lowered are swapped: you read v_1 without u_1's sign. The SVD may "
    "flip both u_1 and v_1; attending to b raises c where u_1[b] * v_1[c] > 0",
)
check.equal(int(raised), int(np.argmax(_effect)), name="raised")
check.equal(int(lowered), int(np.argmin(_effect)), name="lowered")
check.passed("09-svd-reading", hidden=False)

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

# %% id="c09-028" jupyter={"source_hidden": true}
# The set-up of the exercise (collapsed: it contains the hints).
ex_virtual = tl.DiagramExercise(
    "09-virtual-head",
    title="Draw a virtual head (V-composition)",
    task=(
        "Make the diagram compute the logit term of the virtual head L0H1 -> L1H0: "
        "A1 A0 x0 W_OV0 W_OV1 W_U, as a [query position, vocab] array."
    ),
    start=vh_start,
    # what Check compares: the value of your diagram, the virtual head's logit term
    answer=same_value(lambda: tl.path_expansion(model2, tokens)["L0H1->L1H0"]),
    difficulty=2,
    importance="core",
    minutes=8,
    hints=[
        "Two chains meet at x0: the patterns act on its position leg, the OV circuits "
        "on its model leg.",
        "Which acts first on x0, layer 0 or layer 1? The first to act sits next to x0.",
        "A pattern is [query, key]: the key leg reads the positions of what comes "
        "after it in the chain.",
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
_m2 = tl.AttentionOnlyTransformer.random(  # model2 and its tokens, rebuilt
    n_layers=2, n_heads=2, d_model=16, d_head=4, d_vocab=12, n_ctx=12, seed=2
)
_t = np.array([2, 7, 1, 8, 2, 8, 1, 8, 2, 8])
ex_virtual.check()
check.array(
    ex_virtual.diagram.contract(),
    tl.path_expansion(_m2, _t)["L0H1->L1H0"],
    name="your virtual head's logit term",
)
### BEGIN HIDDEN TESTS
_names = ["A1", "A0", "x0", "W_OV0", "W_OV1", "W_U"]
_reference = tl.Diagram.from_einsum(
    "qj,jk,kd,de,ef,fv->qv", *(ex_virtual.start[k] for k in _names), names=_names
)
check.diagram(ex_virtual.diagram, _reference)
### END HIDDEN TESTS
check.passed("09-virtual-head", hidden=True)

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
        "K-composition: the keys read what layer 0 wrote. Which argument of score_term "
        "is the key side?",
        "Of the four terms, three are computed above: direct_scores, q_composition and "
        "both. Which pair of sides is missing?",
    ],
)

# %% id="c09-038" nbgrader={"grade": false, "grade_id": "09-k-composition-code", "locked": false, "schema_version": 3, "solution": true}
# k_composition: the K-composition term of layer-1 head 0's scores, [seq (query), seq (key)].
# BEGIN SOLUTION
k_composition = score_term(x0_2, y0)
# END SOLUTION

# %% id="c09-039" nbgrader={"grade": true, "grade_id": "09-k-composition", "locked": true, "points": 1, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 2, "importance": "core", "minutes": 6}
_m2 = tl.AttentionOnlyTransformer.random(  # model2 and its tokens, rebuilt
    n_layers=2, n_heads=2, d_model=16, d_head=4, d_vocab=12, n_ctx=12, seed=2
)
_t = np.array([2, 7, 1, 8, 2, 8, 1, 8, 2, 8])
_cache = _m2.run_with_cache(_t)[1]
_x, _y = _m2.embed(_t), _cache["head_out.0"].sum(axis=0)
_WQ, _WK = _m2.W_Q[1, 0], _m2.W_K[1, 0]


def _term(q_side, k_side):
    return (q_side @ _WQ) @ (k_side @ _WK).T / 2.0  # 1 / sqrt(d_head)


_lower = np.tril(np.ones((10, 10), dtype=bool))  # the unmasked scores (key <= query)
check.shape(k_composition, (10, 10), name="k_composition [query, key]")
check.true(
    not np.allclose(k_composition, _term(_y, _x)),
    "k_composition is the Q-composition term: there the queries read layer 0's "
    "output. For K-composition the keys read it",
)
check.true(
    not np.allclose(k_composition, _term(_y, _y)),
    "k_composition is the term where queries and keys both read layer 0's output",
)
check.true(
    not np.allclose(k_composition, _term(_x, _y).T),
    "k_composition is transposed: rows are queries, columns keys",
)
check.true(
    not np.allclose(k_composition, 2.0 * _term(_x, _y)),
    "k_composition lacks the factor 1/sqrt(d_head) of the scores",
)
check.array(k_composition, _term(_x, _y), name="k_composition")
_total = _term(_x, _x) + k_composition + _term(_y, _x) + _term(_y, _y)
check.array(
    _total[_lower],
    _cache["scores.1"][0][_lower],
    name="the sum of the four score terms",
)
check.passed("09-k-composition", hidden=False)


# %% id="c09-040"
total = direct_scores + k_composition + q_composition + both


def masked_softmax(s):
    s = np.where(np.triu(np.ones_like(s, dtype=bool), k=1), -np.inf, s)
    return softmax(s)


score_terms = [direct_scores, k_composition, q_composition, both]
patterns = [masked_softmax(t) for t in score_terms]  # the pattern each term alone gives
A1 = masked_softmax(sum(score_terms))
average = sum(patterns) / len(patterns)  # a pattern too: its rows sum to 1
print(
    "softmax(sum of score terms) == A^1:         ", np.allclose(A1, A2[1, layer1_head])
)
print("average of the terms' patterns == A^1:      ", np.allclose(average, A1))
print(f"largest difference: {np.abs(average - A1).max():.3f}")

# %% id="c09-041" jupyter={"source_hidden": true}
Exercise(
    "09-softmax-product",
    title="What a sum does inside the softmax box",
    difficulty=3,
    importance="core",
    minutes=12,
    hints=[
        "Write one row of the softmax out: A[k] = exp(s[k]) / sum over k' of "
        "exp(s[k']). What is exp(a + b) in terms of exp(a) and exp(b)?",
        "softmax(a) is exp(a) divided by a number per row. A number per row can be "
        "divided out again at the end.",
        "Combine the patterns entry by entry, then make each row sum to 1 again.",
    ],
)


# %% id="c09-042" nbgrader={"grade": false, "grade_id": "09-softmax-product-code", "locked": false, "schema_version": 3, "solution": true}
# pattern_of_sum(patterns): given a list of attention patterns, softmax(t_i) of score
# terms t_i (all [query, key], causally masked), return softmax(sum of the t_i) —
# computed from the patterns alone (the scores are not given).
# BEGIN SOLUTION
def pattern_of_sum(patterns):
    product = np.prod(np.stack(patterns), axis=0)
    return product / product.sum(axis=-1, keepdims=True)


# END SOLUTION
print("from the patterns alone:", np.allclose(pattern_of_sum(patterns), A1))

# %% id="c09-043" nbgrader={"grade": true, "grade_id": "09-softmax-product", "locked": true, "points": 3, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 3, "importance": "core", "minutes": 12}
_m2 = tl.AttentionOnlyTransformer.random(  # model2 and its tokens, rebuilt
    n_layers=2, n_heads=2, d_model=16, d_head=4, d_vocab=12, n_ctx=12, seed=2
)
_t = np.array([2, 7, 1, 8, 2, 8, 1, 8, 2, 8])
_cache = _m2.run_with_cache(_t)[1]
_x, _y = _m2.embed(_t), _cache["head_out.0"].sum(axis=0)
_WQ, _WK = _m2.W_Q[1, 0], _m2.W_K[1, 0]


def _term(q_side, k_side):
    return (q_side @ _WQ) @ (k_side @ _WK).T / 2.0  # 1 / sqrt(d_head)


def _ms(s):
    s = np.where(np.triu(np.ones(s.shape, dtype=bool), k=1), -np.inf, s)
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


_pats = [_ms(_term(a, b)) for a, b in [(_x, _x), (_x, _y), (_y, _x), (_y, _y)]]
check.true(callable(pattern_of_sum), "pattern_of_sum should be a function")
_got = np.asarray(pattern_of_sum([p.copy() for p in _pats]), dtype=float)
check.shape(_got, (10, 10), name="pattern_of_sum(patterns) [query, key]")
check.true(
    not np.allclose(_got, sum(_pats) / 4),
    "you averaged the patterns; a softmax of a sum is not an average of softmaxes. "
    "Write exp(a + b) with exp(a) and exp(b)",
)
check.true(
    not np.allclose(_got, sum(_pats)),
    "you added the patterns (each row now sums to 4); inside the box the terms of "
    "a sum do not add",
)
_prod = np.prod(np.stack(_pats), axis=0)
check.true(
    not np.allclose(_got, _prod),
    "the entries are right up to a number per row, but the rows do not sum to 1: a "
    "pattern needs normalising (divide each row by its sum)",
)
check.true(
    not np.allclose(_got, _prod / _prod.sum(axis=0, keepdims=True)),
    "your pattern's columns sum to 1; normalise each row (each query's attention) "
    "instead",
)
check.array(
    _got, _cache["pattern.1"][0], name="pattern_of_sum(the four terms' patterns)"
)
_g = np.random.default_rng(943)  # other scores, other lengths, two and three terms
for _k in (2, 3):
    _s = [_g.normal(size=(6, 6)) * 2 for _ in range(_k)]
    check.array(
        np.asarray(pattern_of_sum([_ms(s) for s in _s]), dtype=float),
        _ms(sum(_s)),
        name=f"pattern_of_sum of {_k} random 6 x 6 score terms' patterns",
    )
check.passed("09-softmax-product", hidden=False)

# %% [markdown] id="c09-044"
# Since $e^{a+b} = e^a e^b$, the softmax turns a sum of scores into a **product** of
# patterns, renormalised: $\mathrm{softmax}(a + b) =
# \mathrm{normalise}(\mathrm{softmax}(a) \odot \mathrm{softmax}(b))$, entry by entry.
# So inside the box the K- and Q-composition terms do not *add* a term to what the head
# outputs: they *multiply* its attention, reweighting where it looks (for an induction
# head, chapter 10, that reweighting is the whole point). A factor inside a
# normalisation cannot be split off into a separate term of the logits. The values,
# read after the box, enter linearly: V-composition becomes new terms, the virtual
# heads, and Q- and K-composition never do.
#
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
# or $W_{OV}^{1,h_1}$ (V). A score means little on its own: random matrices already
# score well above 0, and how much depends on the shapes. Section 7 measures that
# baseline.

# %% id="c09-045" jupyter={"source_hidden": true}
Exercise(
    "09-composition-score",
    title="Composition scores",
    difficulty=2,
    importance="core",
    minutes=8,
    hints=[
        "np.linalg.norm(M) of a matrix is its Frobenius norm; np.linalg.norm(M, 2) is "
        "another norm (the largest singular value).",
        "The writer is the layer-0 head's W_OV; model2.W_OV and model2.W_QK are indexed "
        "[layer, head].",
        "For keys, the reader is the transpose of the layer-1 head's W_QK: the key side "
        "of x_q W_QK x_k^T is on the right.",
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
_m2 = tl.AttentionOnlyTransformer.random(  # model2 and its tokens, rebuilt
    n_layers=2, n_heads=2, d_model=16, d_head=4, d_vocab=12, n_ctx=12, seed=2
)
_t = np.array([2, 7, 1, 8, 2, 8, 1, 8, 2, 8])
check.true(callable(score), "score should be a function score(W_A, W_B)")
check.true(
    not np.isclose(score(np.eye(3), np.eye(3)), 1.0),
    "score(I, I) is 1 for 3 x 3 identities: your norm is not the Frobenius norm "
    "(np.linalg.norm(M) without a second argument)",
)
check.close(score(np.eye(3), np.eye(3)), 1 / np.sqrt(3), name="score(I, I), 3 x 3")
check.close(
    score(np.diag([1.0, 0.0]), np.diag([0.0, 1.0])),
    0.0,
    name="score of orthogonal subspaces",
)
_g = np.random.default_rng(947)
_Wa, _Wb = _g.normal(size=(5, 3)), _g.normal(size=(3, 6))  # not square
check.close(score(_Wa, _Wb), tl.composition_score(_Wa, _Wb), name="score(5x3, 3x6)")
_OV, _QK = _m2.W_OV, _m2.W_QK
check.true(
    not np.isclose(k_score, tl.composition_score(_OV[0, 0], _QK[1, 1])),
    "k_score is the Q-composition score: for keys, the reader is W_QK transposed",
)
check.true(
    not np.isclose(k_score, tl.composition_score(_OV[0, 1], _QK[1, 0].T)),
    "k_score is the score of L0H1 -> L1H0: the heads are swapped",
)
check.close(
    k_score,
    tl.composition_score(_OV[0, 0], _QK[1, 1].T),
    name="k_score (L0H0 -> L1H1, keys)",
)
check.passed("09-composition-score", hidden=False)

# %% id="c09-048"
for kind in "QKV":
    print(f"{kind}-composition scores, rows: layer-0 head, columns: layer-1 head")
    print(composition_scores(model2, kind).round(3))

# %% [markdown] id="c09-111"
# ## 7. A baseline for composition scores
#
# Are these scores big? The only honest answer compares them with the scores of
# matrices that compose **by chance**: random matrices of the same shapes. "Same
# shapes" matters twice. A writer $W_{OV} = W_V W_O$ is a `[d_model, d_model]` matrix
# made through a `d_head` leg, so it has rank $d_\text{head}$; a reader $W_{QK} = W_Q
# W_K^\top$ too. Random full-rank matrices of the same size score about the same on
# average, but vary much less — and it is the spread that tells a chance score from a
# purposeful one.

# %% id="c09-112" jupyter={"source_hidden": true}
Exercise(
    "09-baseline",
    title="What random heads score",
    difficulty=2,
    importance="core",
    minutes=10,
    hints=[
        "One sample: a random writer (d_model x d_head) @ (d_head x d_model), a random "
        "reader made the same way, and their composition score.",
        "Draw every random number from the rng you are given (rng.normal), so the "
        "caller controls the randomness; the entries should have mean 0.",
        "Return an array of n scores; np.percentile(scores, 95) is the score that only "
        "5% of random pairs beat.",
    ],
)


# %% id="c09-113" nbgrader={"grade": false, "grade_id": "09-baseline-code", "locked": false, "schema_version": 3, "solution": true}
# random_scores(d_model, d_head, n, rng): an array of n composition scores of random
# writer/reader pairs shaped like a head's W_OV and W_QK (Gaussian factors from rng).
# BEGIN SOLUTION
def random_scores(d_model, d_head, n, rng):
    out = np.empty(n)
    for i in range(n):
        W_A = rng.normal(size=(d_model, d_head)) @ rng.normal(size=(d_head, d_model))
        W_B = rng.normal(size=(d_model, d_head)) @ rng.normal(size=(d_head, d_model))
        out[i] = tl.composition_score(W_A, W_B)
    return out


# END SOLUTION
baseline = random_scores(16, 4, 2000, np.random.default_rng(1))
low, high = np.percentile(baseline, [5, 95])
print(f"random pairs (d_model 16, d_head 4): mean {baseline.mean():.3f}, ", end="")
print(f"5% to 95% of them between {low:.3f} and {high:.3f}")


# %% id="c09-114" nbgrader={"grade": true, "grade_id": "09-baseline", "locked": true, "points": 2, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 2, "importance": "core", "minutes": 10}
from tensorlessons._reference import random_composition_scores as _reference

check.true(callable(random_scores), "random_scores should be a function")
_got = np.asarray(random_scores(16, 4, 1500, np.random.default_rng(951)), dtype=float)
check.shape(_got, (1500,), name="random_scores(16, 4, 1500, rng)")
check.true(((_got >= 0) & (_got <= 1)).all(), "composition scores lie between 0 and 1")
_again = np.asarray(random_scores(16, 4, 1500, np.random.default_rng(951)), dtype=float)
_other = np.asarray(random_scores(16, 4, 1500, np.random.default_rng(952)), dtype=float)
check.true(
    np.allclose(_got, _again) and not np.allclose(_got, _other),
    "random_scores should draw its numbers from the rng it is given (the same rng "
    "seed, the same scores; another seed, other scores)",
)
_ref = _reference(16, 4, 3000, np.random.default_rng(953))
_mean, _p95 = _got.mean(), np.percentile(_got, 95)
check.true(
    _mean < 0.5,
    f"your scores average {_mean:.2f}: random matrices with positive entries all "
    "point the same way. Use entries with mean 0 (rng.normal)",
)
check.true(
    _p95 > np.percentile(_ref, 95) - 0.03,
    f"your scores spread too little (95th percentile {_p95:.3f}, expected about "
    f"{np.percentile(_ref, 95):.3f}): a head's W_OV and W_QK have rank d_head, so "
    "make each random matrix a product through a d_head leg",
)
check.true(
    abs(_mean - _ref.mean()) < 0.02 and abs(_p95 - np.percentile(_ref, 95)) < 0.03,
    f"your scores have mean {_mean:.3f} and 95th percentile {_p95:.3f}; random pairs "
    f"of these shapes give about {_ref.mean():.3f} and {np.percentile(_ref, 95):.3f}",
)
_g8 = np.asarray(random_scores(64, 16, 400, np.random.default_rng(954)), dtype=float)
_r8 = _reference(64, 16, 800, np.random.default_rng(955))
check.true(
    abs(_g8.mean() - _r8.mean()) < 0.01,
    f"for d_model 64, d_head 16 your scores average {_g8.mean():.3f}, random pairs "
    f"about {_r8.mean():.3f}: use the d_model and d_head you are given",
)
check.passed("09-baseline", hidden=False)


# %% id="c09-115"
threshold = np.percentile(baseline, 95)
for kind in "QKV":
    table = composition_scores(model2, kind)
    above = [
        f"L0H{a}->L1H{b}" for a, b in zip(*np.nonzero(table > threshold), strict=True)
    ]
    print(
        f"{kind}: above the 95th percentile of chance ({threshold:.3f}): {above or 'none'}"
    )

# %% [markdown] id="c09-116"
# `model2` is random, so its scores are draws from this same distribution: out of 12
# scores, about one may pass the 95th percentile by chance alone, and none means
# anything. A real circuit shows up as a score far outside the baseline — chapter 10
# finds one in a trained model. And a score can mislead the other way too: chapter
# 10's hand-built induction head, which composes on purpose, scores *below* the
# baseline, because a Frobenius norm averages over all directions and its composition
# uses only a few.

# %% [markdown] id="c09-049"
# ## Summary
#
# * Zero layers: $W_E W_U$, a (low-rank) bigram table.
# * One layer: with the patterns held fixed, logits = direct path + one term per head,
#   exactly. Each head is a pair of token-space circuits — QK (where to look) and OV
#   (what it does) — of rank at most $d_\text{head}$; the OV circuit's eigenvalues
#   tell whether the head copies.
# * Zero layers again: any $W_E R$, $R^{-1} W_U$ is the same model — the residual
#   stream has no privileged basis.
# * Singular vectors read a circuit: attending to tokens where $u_1$ is large moves
#   the logits along $v_1$ (read the two together: their signs flip together).
# * Two layers: V-composition multiplies out into virtual heads (patterns chained on
#   the position leg, OV circuits chained on the model leg); Q- and K-composition
#   live inside the softmax box, where a sum of scores becomes a product of
#   patterns. Composition scores measure how much a later head reads from an earlier
#   one — against a baseline of random matrices of the same shapes.
#
# Chapter 10 puts K-composition to work: two heads that together do **induction**.

# %% id="c09-050"
from tensorlessons.exercises import progress

progress()
