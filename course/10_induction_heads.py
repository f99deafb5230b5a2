# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] id="c10-000"
# # 10 · Induction heads, built by hand and found in trained models
#
# The paper ends by constructing an **induction head** in the notation. An induction
# head completes patterns it has seen earlier in the context:
#
# $$ [a]\,[b]\;\dots\;[a] \;\longrightarrow\; [b] $$
#
# — having seen "Harry Potter" once, after the next "Harry" it predicts "Potter",
# whatever the words are. No fixed table of bigrams can do that; it takes **two heads
# in two layers working together** through K-composition (chapter 09):
#
# 1. a **previous-token head** in layer 0 copies each token into the residual stream of
#    the *next* position: position $k$ now also knows "the token before me was …";
# 2. an **induction head** in layer 1 lets the current token $[a]$ look for the key
#    position whose *previous* token was $[a]$ — that is the position of $[b]$ — and its
#    OV circuit **copies** the token found there into the prediction.
#
# We build such a model weight by weight, test it on repeated random sequences, draw
# its whole circuit as diagrams checked against the forward pass — then find the
# induction heads of a small *trained* model with the same tools, and finally those of
# a model trained on real text (Python source code), where we show by ablation that
# they cause its in-context drop in loss.

# %% id="c10-001"
import numpy as np

import tensorlessons as tl
from tensorlessons.exercises import Exercise, check, same_value

np.set_printoptions(precision=3, suppress=True, linewidth=100)
rng = np.random.default_rng(0)
from tensorlessons.transformer import (
    composition_scores,
    copying_score,
    induction_transformer,
    load_trained_model,
    ov_circuit,
    repeated_random_tokens,
)

# %% [markdown] id="c10-002"
# ## 1. A residual stream with named subspaces
#
# A hand-built model is easiest to read when the residual stream is split into
# **blocks of coordinates**, one per kind of information. With a vocabulary of
# $V = 16$ tokens and a context of $N = 32$ positions we use $d_\text{model} = 3V + N$:
#
# | block | size | holds | written by |
# |---|---|---|---|
# | `tok` | $V$ | the current token, one-hot | `W_E` |
# | `prev` | $V$ | the previous token, one-hot | the previous-token head (layer 0) |
# | `out` | $V$ | the prediction | the induction head (layer 1); read by `W_U` |
# | `pos` | $N$ | the position, one-hot | `W_pos` |
#
# Every weight below is a matrix that reads one block and writes another. Such
# matrices are sums of "wires" $e_i e_j^\top$ — the most legible diagrams there are.

# %% id="c10-003"
V, N = 16, 32
tok, prev, out, pos = (
    np.arange(V),
    V + np.arange(V),
    2 * V + np.arange(V),
    3 * V + np.arange(N),
)
d_model, d_head = 3 * V + N, N
root = np.sqrt(d_head)  # multiplying W_Q by this cancels the model's 1/sqrt(d_head)

W_E = np.zeros((V, d_model))
W_E[np.arange(V), tok] = 1.0  # token t -> one-hot in the tok block
W_pos = np.zeros((N, d_model))
W_pos[np.arange(N), pos] = 1.0  # position p -> one-hot in the pos block
W_U = np.zeros((d_model, V))
W_U[out, np.arange(V)] = 1.0  # the logits read the out block only

W_Q = np.zeros((2, 1, d_model, d_head))  # [layer, head, d_model, d_head]
W_K = np.zeros((2, 1, d_model, d_head))
W_V = np.zeros((2, 1, d_model, d_head))
W_O = np.zeros((2, 1, d_head, d_model))


def pattern(x, W_q, W_k):
    # A head's attention pattern: scores, causal mask, softmax (the box of chapter 08).
    s = (x @ W_q) @ (x @ W_k).T / np.sqrt(d_head)
    s = np.where(np.triu(np.ones(s.shape, dtype=bool), k=1), -np.inf, s)
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


tokens = repeated_random_tokens(
    16, V, seed=0
)  # 16 distinct random tokens, then the same 16 again
x0 = W_E[tokens] + W_pos[: len(tokens)]
print("tokens:", tokens)

# %% [markdown] id="c10-004"
# ## 2. Layer 0: a previous-token head
#
# The previous-token head must attend from every query position $q$ to key position
# $q-1$, whatever the tokens — so its QK circuit reads only the `pos` block. One way
# (there are many): give the head's `d_head` leg one coordinate per position, let the
# query at each position point to one coordinate and the key at each position to
# another, so that the two meet — score $c$ — exactly when the key is one position
# before the query, and score 0 otherwise. The softmax turns a large $c$ into
# attention of almost exactly 1 on the previous position. (The model divides every
# score by $\sqrt{d_\text{head}}$: `root` undoes that.) Its OV circuit copies the
# `tok` block into the `prev` block.

# %% id="c10-005" jupyter={"source_hidden": true}
Exercise(
    "10-previous-token",
    title="The previous-token head's QK circuit",
    difficulty=2,
    importance="core",
    minutes=12,
    hints=[
        "Both matrices read only the pos block: rows pos[p] of W_q and pos[k] of W_k. "
        "The score of query q on key k is row pos[q] of W_q dotted with row pos[k] of "
        "W_k, divided by root.",
        "Let query p use d_head coordinate p. Which coordinate must the key at "
        "position k use, so that it meets the query one position later?",
        "Set all entries at once by indexing with two index arrays (rows and columns); "
        "the last position's key is never anyone's previous token.",
    ],
)

# %% id="c10-006"
c = 10.0  # how sharp the attention is
W_q, W_k = np.zeros((d_model, d_head)), np.zeros((d_model, d_head))

# %% id="c10-007" nbgrader={"grade": false, "grade_id": "10-previous-token-code", "locked": false, "schema_version": 3, "solution": true}
# Fill W_q and W_k (layer 0's query and key maps) so that query q attends to key q-1.
# BEGIN SOLUTION
W_q[pos, np.arange(N)] = c * root
W_k[pos[:-1], np.arange(1, N)] = 1.0
# END SOLUTION

# %% id="c10-008" nbgrader={"grade": true, "grade_id": "10-previous-token", "locked": true, "points": 2, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 2, "importance": "core", "minutes": 12}
_V, _N, _dm, _dh, _c = 16, 32, 80, 32, 10.0  # the chapter's set-up, rebuilt
_W_E, _W_pos = np.eye(_dm)[:_V], np.eye(_dm)[3 * _V :]  # one-hot tok and pos blocks


def _pattern(x, Wq, Wk):
    s = (x @ Wq) @ (x @ Wk).T / np.sqrt(_dh)
    s = np.where(np.triu(np.ones(s.shape, dtype=bool), k=1), -np.inf, s)
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


check.shape(W_q, (_dm, _dh), name="W_q [d_model, d_head]")
check.shape(W_k, (_dm, _dh), name="W_k [d_model, d_head]")
_g = np.random.default_rng(1008)  # random tokens: the head must not care which
_q = np.arange(1, _N)
for _toks in [_g.integers(0, _V, size=_N) for _ in range(3)]:
    _A = _pattern(_W_E[_toks] + _W_pos, W_q, W_k)
    check.true(
        not np.isnan(_A).any(), "the pattern has NaN: W_q or W_k holds inf or nan"
    )
    check.true(
        _A[_q, _q].mean() < 0.5,
        f"the queries attend to themselves (mean weight {_A[_q, _q].mean():.2f} on "
        "key q): the key at position k should meet the query one position later",
    )
    _w = _A[_q, _q - 1]
    check.true(
        not ((_A[_q].argmax(axis=1) == _q - 1).all() and _w.min() <= 0.99),
        "every query's largest weight is on the previous position, but not sharply "
        f"(the weakest is {_w.min():.3f}): the scores are divided by sqrt(d_head) = "
        f"{np.sqrt(_dh):.2f}; scale the query by root",
    )
    _worst = int(_q[_w.argmin()])
    check.true(
        _w.min() > 0.99,
        f"query q should attend to key q-1 with weight > 0.99, whatever the tokens; "
        f"query {_worst} gives {_w.min():.3f} to key {_worst - 1}, and most to key "
        f"{int(_A[_worst].argmax())}",
    )
check.passed("10-previous-token", hidden=False)

# %% id="c10-009"
W_Q[0, 0], W_K[0, 0] = W_q, W_k
W_V[0, 0][tok, np.arange(V)] = 1.0  # read the current token ...
W_O[0, 0][np.arange(V), prev] = 1.0  # ... and write it into the prev block
print("attention of layer 0, queries 1-5 (rows) on keys 0-5 (columns):")
print(pattern(x0, W_Q[0, 0], W_K[0, 0])[1:6, :6].round(3))

# %% [markdown] id="c10-010"
# ## 3. Layer 1: the induction head, by K-composition
#
# After layer 0, the residual stream at key position $k$ holds its own token in `tok`
# and the token before it in `prev`. The induction head's query at position $q$ holds
# token $[a]$ in `tok`. It should attend to the key position whose **previous** token
# is $[a]$ — the position right after an earlier $[a]$, which holds $[b]$. So the query
# reads `tok`, the key reads what layer 0's OV circuit wrote into `prev`: this is
# **K-composition**. In token space the composed circuit, query token $\to$ the token
# layer 0 moved into the key,
#
# $$ W_E\, W_Q^{1}\, W_K^{1\top}\, (W_E W_V^{0} W_O^{0})^\top / \sqrt{d_\text{head}}, $$
#
# should be $c$ times the identity: "attend where the previous token is mine" — and
# nothing else in the residual stream should take part in the match.

# %% id="c10-011" jupyter={"source_hidden": true}
Exercise(
    "10-induction-qk",
    title="The induction head's QK circuit",
    difficulty=3,
    importance="core",
    minutes=12,
    hints=[
        "Which block does the query read, and which does the key read? Nothing else "
        "should be read by either.",
        "Give each token a its own d_head coordinate — any you like — and use the same "
        "coordinate on the query side and on the key side.",
        "The scores are divided by sqrt(d_head): one of the two sides carries c * root, "
        "the other 1.",
    ],
)

# %% id="c10-012"
W_q1, W_k1 = np.zeros((d_model, d_head)), np.zeros((d_model, d_head))

# %% id="c10-013" nbgrader={"grade": false, "grade_id": "10-induction-qk-code", "locked": false, "schema_version": 3, "solution": true}
# Fill W_q1 and W_k1 (layer 1's query and key maps): query token a matches a key whose
# previous token (in the prev block) is a.
# BEGIN SOLUTION
W_q1[tok, np.arange(V)] = c * root
W_k1[prev, np.arange(V)] = 1.0
# END SOLUTION

# %% id="c10-014" nbgrader={"grade": true, "grade_id": "10-induction-qk", "locked": true, "points": 2, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 3, "importance": "core", "minutes": 12}
_V, _N, _dm, _dh, _c = 16, 32, 80, 32, 10.0  # the chapter's set-up, rebuilt
_W_E, _W_pos = np.eye(_dm)[:_V], np.eye(_dm)[3 * _V :]  # one-hot tok and pos blocks
_moved = np.eye(_dm)[_V : 2 * _V]  # what layer 0 writes for token t: a one in prev[t]
_blocks = {"tok": _W_E, "prev": _moved, "pos": _W_pos}
check.shape(W_q1, (_dm, _dh), name="W_q1 [d_model, d_head]")
check.shape(W_k1, (_dm, _dh), name="W_k1 [d_model, d_head]")
_qk = W_q1 @ W_k1.T / np.sqrt(_dh)  # the QK circuit on the residual stream
check.true(
    not np.allclose(_W_E @ _qk @ _W_E.T, _c * np.eye(_V)),
    "your key reads the current token (the tok block), so every query matches its "
    "own position; the key should read the previous token, which layer 0 wrote "
    "into prev",
)
_kc = _W_E @ _qk @ _moved.T
check.true(
    not np.allclose(_kc, _c / np.sqrt(_dh) * np.eye(_V)),
    "the K-composition circuit is c / sqrt(d_head) times the identity: the model "
    "divides the scores by sqrt(d_head); multiply one side by root",
)
check.array(
    _kc,
    _c * np.eye(_V),
    name="the K-composition circuit W_E W_q1 W_k1^T (W_E W_V0 W_O0)^T / sqrt(d_head)",
)
for (_qn, _Qb), (_kn, _Kb) in [
    (q_, k_) for q_ in _blocks.items() for k_ in _blocks.items()
]:
    if (_qn, _kn) != ("tok", "prev"):
        check.true(
            np.allclose(_Qb @ _qk @ _Kb.T, 0),
            f"the query's {_qn} block meets the key's {_kn} block (largest score "
            f"{np.abs(_Qb @ _qk @ _Kb.T).max():.2f}): only the query's token and the "
            "key's previous token should take part in the match",
        )
check.passed("10-induction-qk", hidden=False)

# %% [markdown] id="c10-015"
# One detail remains. Position 0 has no previous token; layer 0's head there can only
# attend to itself, so it writes position 0's *own* token into `prev`. When the first
# token comes round again in the second half, its query would match position 0 as
# well as position 1 (the right one). We push position 0 away with chapter 07's **bias
# trick**: the `pos` block is one-hot, so its coordinates always sum to 1 — a
# constant-1 leg. Let every position's query write $2c$ into a spare `d_head`
# coordinate — one that your token matching leaves unused — and only position 0's key
# write $-1$ there: key 0 loses $2c$ of score for every query.
#
# The OV circuit copies: read `tok`, write `out` (with a gain of 10, so the prediction
# is confident), and `W_U` reads `out`.

# %% id="c10-016"
# A d_head coordinate that the token matching leaves unused, on both sides.
free = [j for j in range(d_head) if not W_q1[:, j].any() and not W_k1[:, j].any()]
if not free:  # every coordinate is taken: fall back to the textbook matching, say so
    print("W_q1 and W_k1 use every d_head coordinate; using the reference matching")
    W_q1, W_k1 = np.zeros((d_model, d_head)), np.zeros((d_model, d_head))
    W_q1[tok, np.arange(V)], W_k1[prev, np.arange(V)] = c * root, 1.0
    free = [V]
spare = free[0]
W_q1[pos, spare] = 2 * c * root
W_k1[pos[0], spare] = -1.0
W_Q[1, 0], W_K[1, 0] = W_q1, W_k1
W_V[1, 0][tok, np.arange(V)] = 1.0
W_O[1, 0][np.arange(V), out] = 10.0

model = tl.AttentionOnlyTransformer(
    W_E=W_E, W_pos=W_pos, W_Q=W_Q, W_K=W_K, W_V=W_V, W_O=W_O, W_U=W_U
)
print(model, "  spare coordinate:", spare)

# %% [markdown] id="c10-017"
# ## 4. Testing it on repeated random sequences
#
# Random tokens cannot be predicted — unless they repeat. On a sequence of 16 random
# distinct tokens followed by the same 16 again, an induction model should be
# **perfect in the second half**: at position $q \ge 16$ (a repeated token), the next
# token is known from the first half. The last position predicts beyond the sequence,
# so the positions to score are $16, \dots, 30$, predicting tokens $17, \dots, 31$.

# %% id="c10-018" jupyter={"source_hidden": true}
Exercise(
    "10-accuracy",
    title="Induction accuracy on repeated sequences",
    difficulty=2,
    importance="core",
    minutes=8,
    hints=[
        "model(batch) has shape [batch, seq, d_vocab]; .argmax(-1) gives the predicted "
        "next token at each position.",
        "The prediction made at position p is for the token at p + 1. Which slice of "
        "the predictions, and which slice of the batch, do you compare?",
        "The fraction of matches is the mean of a boolean array; return it as a float.",
    ],
)


# %% id="c10-019" nbgrader={"grade": false, "grade_id": "10-accuracy-code", "locked": false, "schema_version": 3, "solution": true}
# induction_accuracy(model, batch, half): the fraction of correct next-token predictions
# (argmax of the logits) at positions half .. 2*half-2 of a batch [batch, 2*half].
# BEGIN SOLUTION
def induction_accuracy(model, batch, half):
    predicted = model(batch).argmax(-1)
    return float(
        (predicted[:, half : 2 * half - 1] == batch[:, half + 1 : 2 * half]).mean()
    )


# END SOLUTION


batch = repeated_random_tokens(16, V, batch=200, seed=1)
accuracy = induction_accuracy(model, batch, 16)
print(f"our hand-built model: {accuracy:.1%} of second-half tokens predicted")
if accuracy < 0.99:
    print("(below 99%: if induction_accuracy passes its check, look at your W_q, W_k")
    print(" and W_q1, W_k1 above: the model, not the measurement, is wrong)")


# %% id="c10-020" nbgrader={"grade": true, "grade_id": "10-accuracy", "locked": true, "points": 2, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 2, "importance": "core", "minutes": 8}
from tensorlessons._reference import induction_accuracy as _reference

check.true(callable(induction_accuracy), "induction_accuracy should be a function")
_perfect = tl.induction_transformer(16, 32)  # models whose accuracy is known
_models = {
    "a perfect induction model": _perfect,
    "the same model, its previous-token head ablated": _perfect.ablate([(0, 0)]),
    "a random model": tl.AttentionOnlyTransformer.random(2, 1, 52, 17, 16, 32, seed=3),
}
_b16 = repeated_random_tokens(16, 16, batch=100, seed=1020)
_got = induction_accuracy(_perfect, _b16, 16)
check.true(
    np.ndim(_got) == 0, f"induction_accuracy should return one number, got {_got!r}"
)
check.true(
    _got <= 1,
    f"induction_accuracy is {float(_got):.3g} for a perfect model: a fraction, not "
    "a count (divide by the number of predictions)",
)
check.true(
    not np.isclose(_got, 0.0),
    "induction_accuracy of a perfect induction model is 0: the prediction at "
    "position p is for the token at p + 1, not for the token at p",
)
_everywhere = float((_perfect(_b16).argmax(-1)[:, :31] == _b16[:, 1:]).mean())
check.true(
    not np.isclose(_got, _everywhere),
    f"induction_accuracy of a perfect model is {float(_got):.3f}: you scored the first "
    "half too, where nothing can be predicted; score positions half .. 2*half-2",
)
for _what, _m in _models.items():
    for _h, _b in [(16, _b16), (5, repeated_random_tokens(5, 16, batch=40, seed=1021))]:
        check.true(
            not np.isnan(induction_accuracy(_m, _b, _h)),
            f"induction_accuracy(..., half={_h}) is nan: the mean of an empty slice. "
            "Do the positions you compare depend on half?",
        )
        check.close(
            induction_accuracy(_m, _b, _h),
            _reference(_m, _b, _h),
            name=f"induction_accuracy({_what}, batch, half={_h})",
        )
check.passed("10-accuracy", hidden=False)

# %% id="c10-021"
per_position = model.loss(batch, per_position=True)
print(f"mean loss, first half predictions : {per_position[:15].mean():.3f} nats")
print(f"mean loss, second half predictions: {per_position[16:].mean():.3f} nats")
print(f"a uniform guess over {V} tokens    : {np.log(V):.3f} nats")
library_model = induction_transformer(d_vocab=V, n_ctx=N)
print(
    f"the library's induction_transformer(): {induction_accuracy(library_model, batch, 16):.1%}"
)

# %% [markdown] id="c10-101"
# The second half is perfect — and the first half is **worse than chance**: 4.67
# nats, where a uniform guess over 16 tokens costs $\ln 16 = 2.77$. With no earlier
# copy of its token to find, the induction head spreads its attention over the earlier
# positions and copies their tokens, with the full gain of 10. But the tokens of a half
# are distinct, so every token it copies is one that *cannot* come next: a confident
# wrong guess. (At positions 0 and 1 it can attend only to one token, and the loss is
# 10 nats.) A trained model would learn to hedge; this one was built for the repeated
# half only.

# %% [markdown] id="c10-022"
# The library's `induction_transformer()` is built on the same plan with a different
# previous-token head (its positions are the features $[1, p, p^2]$, and a rank-2 QK
# circuit peaks at $k = p-1$): many sets of weights implement one circuit.

# %% [markdown] id="c10-023"
# The attention patterns show the two heads at work: layer 0 is a line just below
# the diagonal (the previous token); layer 1, in the second half, is a line
# half a sequence back, one step to the right — the **induction stripe**.

# %% id="c10-024"
tl.AttentionPatternWidget(model, batch[0], layer=1, head=0)

# %% [markdown] id="c10-025"
# ## 5. The whole circuit as diagrams, checked against the forward pass
#
# Hold the attention patterns fixed and the model becomes diagrams (chapter 09). Here
# everything but the induction head drops out: $W_U$ reads only `out`, which only the
# induction head writes, so the direct path, layer 0's own term and the virtual head
# are all zero — the logits *are* the induction head's term.

# %% id="c10-026"
tokens = batch[0]
logits, cache = model.run_with_cache(tokens)
for name, term in tl.path_expansion(model, tokens).items():
    print(f"{name:12s} |term| = {np.linalg.norm(term):8.3f}")

# %% [markdown] id="c10-027"
# **The QK side (inside the softmax box).** The induction head's scores are the sum of
# two diagrams: the K-composition term — the query token through $W_E W_Q^1$, meeting
# through $W_K^1$ the key side, which is layer 0's pattern $A^0$ on the position leg and
# its OV circuit $W_V^0 W_O^0$ on the model leg, applied to the embedded tokens — and
# the small positional term that pushes position 0 away. Draw the key side.

# %% id="c10-028"
n = len(tokens)
T = np.eye(V)[tokens]
A0 = cache["pattern.0"][0]
scale = np.array(1 / root)

# Query side along the top row, key side along the bottom row (T_q, W_Eq: the query's
# tokens and embedding; T_k, W_Ek: the same arrays on the key side; c = 1/sqrt(d_head)).
k_start = tl.Diagram()
k_start.add_tensor("T_q", T, legs=["pos", "vocab"], position=(150, 0))
k_start.add_tensor("W_Eq", W_E, legs=["vocab", "model"], position=(300, 0))
k_start.add_tensor("W_Q1", W_Q[1, 0], legs=["model", "head"], position=(450, 0))
k_start.add_tensor("W_K1", W_K[1, 0], legs=["model", "head"], position=(600, 0))
k_start.add_tensor("W_O0", W_O[0, 0], legs=["head", "model"], position=(600, 170))
k_start.add_tensor("W_V0", W_V[0, 0], legs=["model", "head"], position=(450, 170))
k_start.add_tensor("W_Ek", W_E, legs=["vocab", "model"], position=(300, 170))
k_start.add_tensor("T_k", T, legs=["pos", "vocab"], position=(150, 170))
k_start.add_tensor("A0", A0, legs=["query", "key"], position=(0, 170))
k_start.add_tensor("c", scale, legs=[], position=(720, 85))
k_start.connect("T_q:vocab", "W_Eq:vocab")
k_start.connect("W_Eq:model", "W_Q1:model")
k_start.connect("W_Q1:head", "W_K1:head")

positional_term = W_pos[:n] @ W_Q[1, 0] @ W_K[1, 0].T @ W_pos[:n].T / root

# %% id="c10-030" jupyter={"source_hidden": true}
# The set-up of the exercise (collapsed: it contains the hints).
ex_circuit = tl.DiagramExercise(
    "10-k-composition",
    title="Draw the key side of the induction circuit",
    task=(
        "The query side (T_q - W_Eq - W_Q1 - W_K1) is wired. Wire the key side, so "
        "that the diagram computes the K-composition term of the induction head's "
        "scores, [query position, key position]: what W_K1 reads at a key position "
        "is what layer 0's head moved there."
    ),
    start=k_start,
    # what Check compares: your diagram's value where the induction head's scores are
    # defined (key position <= query position): those scores less the positional term
    answer=same_value(
        cache["scores.1"][0] - positional_term,
        where=np.tril(np.ones((n, n), dtype=bool)),
    ),
    difficulty=3,
    importance="core",
    minutes=12,
    hints=[
        "Follow the key's model leg backwards: what layer 0 wrote is the output of "
        "its OV circuit, applied to the embedded tokens.",
        "Four wires run along the model, head and vocab legs, from W_K1 down to T_k; "
        "one more joins a position leg.",
        "A pattern moves a token from one position to another. Of A0's two legs, which "
        "is where the token comes from, and which is where it arrives?",
    ],
)
ex_circuit

# %% id="c10-031" nbgrader={"grade": false, "grade_id": "10-k-composition-code", "locked": false, "schema_version": 3, "solution": true}
# Answer by drawing above (then delete the `raise` line below), or in code here.
# BEGIN SOLUTION
drawn = k_start.copy()
drawn.connect("W_K1:model", "W_O0:model")
drawn.connect("W_O0:head", "W_V0:head")
drawn.connect("W_V0:model", "W_Ek:model")
drawn.connect("W_Ek:vocab", "T_k:vocab")
drawn.connect("T_k:pos", "A0:key")
ex_circuit.submit(drawn)
# END SOLUTION

# %% id="c10-032" nbgrader={"grade": true, "grade_id": "10-k-composition", "locked": true, "points": 3, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 3, "importance": "core", "minutes": 12}
ex_circuit.check()
scores = cache["scores.1"][0]
lower = np.tril(np.ones((n, n), dtype=bool))
check.array(
    (ex_circuit.diagram.contract() + positional_term)[lower],
    scores[lower],
    name="your K-composition term + the positional term (should be the induction head's scores)",
)
### BEGIN HIDDEN TESTS
_names = ["T_q", "W_Eq", "W_Q1", "W_K1", "W_O0", "W_V0", "W_Ek", "T_k", "A0", "c"]
_reference = tl.Diagram.from_einsum(
    "qa,ad,dh,eh,ie,fi,bf,jb,kj,->qk",
    *(ex_circuit.start[k] for k in _names),
    names=_names,
)
check.diagram(ex_circuit.diagram, _reference)
### END HIDDEN TESTS
check.passed("10-k-composition", hidden=True)

# %% [markdown] id="c10-033"
# Here is the QK side complete — the induction circuit's "where to look", every box a
# weight of the model, contracting to its scores:

# %% id="c10-034"
if ex_circuit.feedback() is None:
    key_side = ex_circuit.diagram  # your drawing
else:  # so that the chapter goes on: the circuit drawn for you
    print("10-k-composition is not done yet: here is the reference circuit.")
    key_side = tl.Diagram.from_einsum(
        "qa,ad,dh,eh,ie,fi,bf,jb,kj,->qk",
        T,
        W_E,
        W_Q[1, 0],
        W_K[1, 0],
        W_O[0, 0],
        W_V[0, 0],
        W_E,
        T,
        A0,
        scale,
        names=["T_q", "W_Eq", "W_Q1", "W_K1", "W_O0", "W_V0", "W_Ek", "T_k", "A0", "c"],
    )
    for t in k_start:
        key_side.move(t.name, *t.position)
key_side

# %% [markdown] id="c10-035"
# **The OV side (outside the box).** With the pattern $A^1$ computed, the logits are the
# induction head's term: $A^1$ on the position leg; $W_E W_V^1 W_O^1 W_U$ — a copying
# OV circuit, ten times the identity in token space — on the other.

# %% id="c10-036"
A1 = cache["pattern.1"][0]
ov_side = tl.Diagram.from_einsum(
    "qk,kb,bd,dh,hm,mv->qv",
    A1,
    T,
    W_E,
    W_V[1, 0],
    W_O[1, 0],
    W_U,
    names=["A1", "T", "W_E", "W_V1", "W_O1", "W_U"],
)
assert np.allclose(ov_side.contract(), logits)
print(
    "OV circuit of the induction head = 10 x identity:",
    np.allclose(ov_circuit(model, 1, 0), 10 * np.eye(V)),
)
print("copying score:", copying_score(ov_circuit(model, 1, 0)))
tl.DiagramWidget(ov_side)

# %% [markdown] id="c10-037"
# The library draws the same circuit for any model, `tl.induction_circuit_diagrams`:
# its `"keys"` diagram reads the whole residual stream on the query side (here that
# adds nothing, since $W_Q^1$ reads only `tok` and the positions, and the positional
# part meets nothing on the key side) and its `"output"` diagram is the OV side.

# %% id="c10-038"
parts = tl.induction_circuit_diagrams(
    model, tokens, prev_token_head=(0, 0), induction_head=(1, 0)
)
assert np.allclose(parts["keys"].contract(), key_side.contract())
assert np.allclose(parts["output"].contract(), logits)
print({name: d.names for name, d in parts.items()})

# %% [markdown] id="c10-039"
# Composition scores (chapter 09) see the circuit from the weights alone, without
# running the model: layer 1's head reads what layer 0's head writes through its keys
# — K-composition — and through nothing else: the Q- and V-scores are exactly 0.
# But the K-score itself does **not** stand out from chance: random matrices of the
# same shapes (an 80-dimensional stream, $d_\text{head} = 32$) score more (below). A
# Frobenius norm spreads over all directions: an identity-like circuit on 16 token
# directions inside an 80-dimensional stream scores at most $1/\sqrt{16}$ before any
# other entry counts, and the position entries of $W_{QK}^1$ add to its norm without
# composing with anything. For this model the telling numbers are the exact zeros;
# the size of a score means something only against the baseline.


# %% id="c10-040"
def random_scores(d_model, d_head, n, rng):  # chapter 09's baseline
    def low_rank():
        return rng.normal(size=(d_model, d_head)) @ rng.normal(size=(d_head, d_model))

    return np.array([tl.composition_score(low_rank(), low_rank()) for _ in range(n)])


hand_baseline = random_scores(d_model, d_head, 300, np.random.default_rng(0))
print(
    f"random pairs of these shapes: 5% to 95% between "
    f"{np.percentile(hand_baseline, 5):.3f} and {np.percentile(hand_baseline, 95):.3f}"
)
for kind in "QKV":
    print(
        f"{kind}-composition L0H0 -> L1H0: {composition_scores(model, kind)[0, 0]:.3f}"
    )

# %% [markdown] id="c10-041"
# ## 6. Finding the induction heads of a trained model
#
# Now a model nobody designed: a small two-layer attention-only transformer trained by
# gradient descent on sequences with repeated parts (it ships with tensorlessons,
# `load_trained_model()`). Its weights are dense and unlabelled — no blocks, no
# one-hot wires. Do the same methods find the circuit?
#
# **Behaviour first.** If the model has learned induction, its loss on the repeated
# half of a random sequence is far below its loss on the first half.

# %% id="c10-042"
trained = load_trained_model()
print(trained)
half = min(trained.n_ctx // 2, trained.d_vocab)
rep = repeated_random_tokens(half, trained.d_vocab, batch=100, seed=5)
per_position = trained.loss(rep, per_position=True)
print(f"loss on the first half:  {per_position[: half - 1].mean():.3f}")
print(f"loss on the second half: {per_position[half:].mean():.3f}")

# %% [markdown] id="c10-043"
# **Attention patterns.** A previous-token head puts its weight on the diagonal just
# below the main one ($k = q-1$). An induction head, on a repeated sequence, puts its
# weight on the *stripe* $k = q - \text{half} + 1$: the token after the earlier copy
# of the current token. Score every head by its average attention on those positions.

# %% id="c10-044" jupyter={"source_hidden": true}
Exercise(
    "10-find-heads",
    title="Find the previous-token head and the induction head",
    difficulty=2,
    importance="core",
    minutes=10,
    hints=[
        "trained.attention_patterns(rep) has shape [batch, layer, head, query, key].",
        "Indexing with two index arrays, one for the queries q and one for their keys "
        "(q - 1, or the stripe's key), picks one entry per query.",
        "Average over the batch and over the queries of the range, one number per head; "
        "np.argmax picks the best head.",
    ],
)

# %% id="c10-045" nbgrader={"grade": false, "grade_id": "10-find-heads-code", "locked": false, "schema_version": 3, "solution": true}
# prev_scores [n_heads]: layer-0 heads' mean attention on k = q-1 (q = 1 .. 2*half-1);
# induction_scores [n_heads]: layer-1 heads' mean attention on k = q-half+1 (q = half .. 2*half-1);
# prev_head, induction_head: the index of the best head of each kind.
# BEGIN SOLUTION
patterns = trained.attention_patterns(rep)
q = np.arange(1, 2 * half)
prev_scores = patterns[:, 0, :, q, q - 1].mean(axis=(0, 1))
q = np.arange(half, 2 * half)
induction_scores = patterns[:, 1, :, q, q - half + 1].mean(axis=(0, 1))
prev_head, induction_head = (
    int(np.argmax(prev_scores)),
    int(np.argmax(induction_scores)),
)
# END SOLUTION
print(
    "previous-token scores (layer 0):", np.round(prev_scores, 3), "-> head", prev_head
)
print(
    "induction scores (layer 1):     ",
    np.round(induction_scores, 3),
    "-> head",
    induction_head,
)

# %% id="c10-046" nbgrader={"grade": true, "grade_id": "10-find-heads", "locked": true, "points": 2, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 2, "importance": "core", "minutes": 10}
_tr = load_trained_model()  # the model and its test sequences, rebuilt
_h = min(_tr.n_ctx // 2, _tr.d_vocab)
_P = _tr.attention_patterns(repeated_random_tokens(_h, _tr.d_vocab, batch=100, seed=5))
_H = _tr.n_heads
_q = np.arange(1, 2 * _h)
_prev = np.array([_P[:, 0, h][:, _q, _q - 1].mean() for h in range(_H)])
_q = np.arange(_h, 2 * _h)
_ind = np.array([_P[:, 1, h][:, _q, _q - _h + 1].mean() for h in range(_H)])
_off = np.array([_P[:, 1, h][:, _q, _q - _h].mean() for h in range(_H)])
check.shape(prev_scores, (_H,), name="prev_scores [n_heads]")
check.shape(induction_scores, (_H,), name="induction_scores [n_heads]")
check.true(
    not np.allclose(induction_scores, _off),
    "induction_scores measure the key q - half: the earlier copy of the query's own "
    "token. The induction head looks one further: the token that followed it",
)
check.true(
    not np.allclose(
        induction_scores, [_P[:, 0, h][:, _q, _q - _h + 1].mean() for h in range(_H)]
    ),
    "induction_scores read layer 0's patterns; induction heads are in layer 1",
)
check.array(induction_scores, _ind, name="induction_scores")
check.array(prev_scores, _prev, name="prev_scores")
check.equal(int(induction_head), int(np.argmax(_ind)), name="induction_head")
check.equal(int(prev_head), int(np.argmax(_prev)), name="prev_head")
check.passed("10-find-heads", hidden=False)

# %% [markdown] id="c10-047"
# `argmax` names one head of each kind, but nothing forces a trained model to have
# only one: gradient descent often learns the same circuit more than once. List
# every head that clearly does the job:

# %% id="c10-048"
print(
    "previous-token heads (score > 0.5):",
    [f"L0H{h}" for h in np.flatnonzero(prev_scores > 0.5)],
)
print(
    "induction heads (score > 0.3):     ",
    [f"L1H{h}" for h in np.flatnonzero(induction_scores > 0.3)],
)

# %% [markdown] id="c10-049"
# **Weights second.** Behaviour names suspects; the circuit must be in the weights.
# An induction head should read the previous-token head through its **keys** — a
# K-composition score that stands out of the random baseline — and its OV circuit
# should **copy**: a copying score near 1, and, read by its singular vectors
# (chapter 09), top pieces that read a token and write that same token, $u_i \approx
# v_i$, so $u_i \cdot v_i \approx 1$. Heads that attend elsewhere have no reason to do
# either.

# %% id="c10-050"
K_table = composition_scores(trained, "K")
print("K-composition, rows: layer-0 heads, columns: layer-1 heads")
print(K_table.round(3))
chance = random_scores(trained.d_model, trained.d_head, 300, np.random.default_rng(0))
above = np.percentile(chance, 95)
print(f"95% of random pairs of these shapes score below {above:.3f}; above it:")
print(
    "  ",
    [f"L0H{a} -> L1H{b}" for a, b in zip(*np.nonzero(K_table > above), strict=True)],
)
print(
    f"our suspects: L0H{prev_head} -> L1H{induction_head}, "
    f"K-composition {K_table[prev_head, induction_head]:.3f}"
)
for h in range(trained.n_heads):
    M = ov_circuit(trained, 1, h)
    U, s, Vt = np.linalg.svd(M)
    alignment = [float(U[:, i] @ Vt[i]) for i in range(4)]
    print(
        f"L1H{h}: copying score {copying_score(M):5.2f}, u_i . v_i of the top 4 "
        f"pieces {np.round(alignment, 2)}"
    )

# %% [markdown] id="c10-051"
# **And the circuit itself, as a diagram.** The K-composition diagram of section 5,
# filled with the trained model's weights and its previous-token head's pattern, is
# an exact term of the induction head's scores (built here by
# `tl.induction_circuit_diagrams`, checked against the forward pass). On the repeated
# half, its largest entry in each row should sit on the induction stripe.

# %% id="c10-052"
tokens = rep[0]
n = len(tokens)
parts = tl.induction_circuit_diagrams(
    trained, tokens, prev_token_head=(0, prev_head), induction_head=(1, induction_head)
)
k_term = parts["keys"].contract()
# The oracle: the same term from the forward pass's own numbers.
_, tcache = trained.run_with_cache(tokens)
X, x0 = tcache["resid.1"], tcache["embed"]
moved = (
    tcache["pattern.0"][prev_head]
    @ x0
    @ trained.W_V[0, prev_head]
    @ trained.W_O[0, prev_head]
)
oracle = (
    (X @ trained.W_Q[1, induction_head])
    @ (moved @ trained.W_K[1, induction_head]).T
    / np.sqrt(trained.d_head)
)
assert np.allclose(k_term, oracle)

qs = np.arange(half, n)
masked = np.where(np.tril(np.ones((n, n), dtype=bool)), k_term, -np.inf)
on_stripe = (masked[qs].argmax(axis=1) == qs - half + 1).mean()
print(
    f"rows of the second half whose largest K-composition score is on the induction stripe: {on_stripe:.0%}"
)
# Lay it out like section 5's picture: query side on top, key side below.
layout = {
    "X": (170, 0),
    "W_Q": (340, 0),
    "W_K": (510, 0),
    "W_O_prev": (510, 170),
    "W_V_prev": (340, 170),
    "x0": (170, 170),
    "A_prev": (0, 170),
    "scale": (650, 85),
}
for name, (px, py) in layout.items():
    parts["keys"].move(name, px, py)
parts["keys"]

# %% id="c10-053"
tl.AttentionPatternWidget(trained, tokens, layer=1, head=induction_head)

# %% [markdown] id="c10-102"
# ## 7. Is the circuit causal? Ablation
#
# Everything so far is correlation: heads whose patterns look right, scores that stand
# out, diagrams that match. The test of a circuit is to **remove a part and watch the
# behaviour break**. `model.ablate([(layer, head), ...])` returns a copy of a model in
# which those heads write nothing (their $W_O$ is zero). On the hand-built model:

# %% id="c10-103"
for heads in [[], [(0, 0)], [(1, 0)]]:
    ablated = model.ablate(heads)
    print(
        f"ablating {str(heads or 'nothing'):10}: {induction_accuracy(ablated, batch, 16):6.1%}"
    )

# %% [markdown] id="c10-104"
# Without the previous-token head the induction head has nothing to match against, and
# the accuracy falls to 0 (not even chance: like the first half, it now confidently
# copies tokens that cannot come next). Without the induction head, nothing writes
# `out`: every logit is 0, and the argmax always names token 0 — right by chance,
# about one time in 16. Now the same test on the trained model, where nobody knows
# in advance which heads matter.

# %% id="c10-105" jupyter={"source_hidden": true}
Exercise(
    "10-ablation",
    title="Which heads does induction need?",
    difficulty=3,
    importance="core",
    minutes=12,
    hints=[
        "trained.loss(rep, per_position=True) gives the loss of every prediction; the "
        "repeated half's predictions are those at positions half and later.",
        "For each head, ablate that head alone (starting from the trained model every "
        "time), and subtract the unablated loss on the repeated half.",
        "ablate takes a list of (layer, head) pairs. A head is needed when removing it "
        "costs more than half a nat.",
    ],
)


# %% id="c10-106" nbgrader={"grade": false, "grade_id": "10-ablation-code", "locked": false, "schema_version": 3, "solution": true}
# ablation_effect [n_layers, n_heads]: how much the mean loss on the repeated half
# (predictions at positions half .. 2*half-1) of `rep` rises when that one head of
# `trained` is ablated; needed: the heads, as (layer, head) pairs in order, whose
# ablation raises it by more than 0.5 nats.
# BEGIN SOLUTION
def repeated_half_loss(m):
    return m.loss(rep, per_position=True)[half:].mean()


base = repeated_half_loss(trained)
ablation_effect = np.zeros((trained.n_layers, trained.n_heads))
for layer in range(trained.n_layers):
    for head in range(trained.n_heads):
        ablated = trained.ablate([(layer, head)])
        ablation_effect[layer, head] = repeated_half_loss(ablated) - base
needed = [
    (int(a), int(b)) for a, b in zip(*np.nonzero(ablation_effect > 0.5), strict=True)
]
# END SOLUTION
print("rise of the repeated half's loss when one head is ablated (nats):")
print(np.round(ablation_effect, 2))
print("needed:", needed)

# %% id="c10-107" nbgrader={"grade": true, "grade_id": "10-ablation", "locked": true, "points": 3, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 3, "importance": "core", "minutes": 12}
_tr = load_trained_model()  # the model and its test sequences, rebuilt
_h = min(_tr.n_ctx // 2, _tr.d_vocab)
_rep = repeated_random_tokens(_h, _tr.d_vocab, batch=100, seed=5)
_L, _H = _tr.n_layers, _tr.n_heads
_pp = _tr.loss(_rep, per_position=True)  # per-position losses, unablated and ablated
_abl = np.array(
    [
        [_tr.ablate([(a, b)]).loss(_rep, per_position=True) for b in range(_H)]
        for a in range(_L)
    ]
)


def _rise(part):
    return _abl[..., part].mean(axis=-1) - _pp[part].mean()


_ref = _rise(slice(_h, None))
check.shape(ablation_effect, (_L, _H), name="ablation_effect [n_layers, n_heads]")
_eff = np.asarray(ablation_effect, dtype=float)
if not np.allclose(_eff, _ref, rtol=1e-6, atol=1e-6):  # which slip? (only if wrong)
    check.true(
        not np.allclose(_eff, _ref + _pp[_h:].mean()),
        "ablation_effect holds the ablated models' losses; the effect is the rise: "
        "subtract the unablated model's loss",
    )
    check.true(
        not np.allclose(_eff, _rise(slice(0, _h - 1)), atol=1e-3),
        "ablation_effect measures the first half, where induction cannot help; "
        "measure the repeated half (predictions at positions half and later)",
    )
    check.true(
        not np.allclose(_eff, _rise(slice(None))),
        "ablation_effect measures the whole sequence; measure the repeated half "
        "(predictions at positions half and later), where induction is what predicts",
    )
    _piled, _m = np.zeros((_L, _H)), _tr
    for _a in range(_L):
        for _b in range(_H):
            _m = _m.ablate([(_a, _b)])
            _piled[_a, _b] = _m.loss(_rep, per_position=True)[_h:].mean()
    check.true(
        not np.allclose(_eff, _piled - _pp[_h:].mean()),
        "your ablations pile up: ablate the heads one at a time, each time starting "
        "from the trained model (not from the last ablated one)",
    )
check.array(_eff, _ref, name="ablation_effect", rtol=1e-6, atol=1e-6)
_needed = [(int(a), int(b)) for a, b in zip(*np.nonzero(_ref > 0.5), strict=True)]
check.equal([tuple(int(v) for v in p) for p in needed], _needed, name="needed")
check.passed("10-ablation", hidden=False)

# %% [markdown] id="c10-108"
# The heads whose removal breaks induction are the previous-token head and the
# induction heads that behaviour and weights pointed to — and no others: ablating any
# other head changes the repeated half's loss far less (a few even lower it a little). The circuit
# is not only visible, it is **causal**. (Ablating by zeroing is the bluntest tool;
# replacing a head's output by its mean over many inputs, or by its output on another
# input, asks finer questions — TransformerLens's hooks are made for that.)

# %% [markdown] id="c10-110"
# ## 8. Induction heads on real text
#
# The model of sections 6 and 7 learned from made-up sequences built to contain
# repeats, and we tested it on repeated random tokens. Real text repeats itself too —
# a name defined on one line of code is used on the next, `self.` comes back again and
# again, a call is written twice with one argument changed — but nobody plants those
# repeats.
#
# `tl.load_text_model()` is a two-layer attention-only transformer of the kind studied
# in ARENA (the open mechanistic-interpretability curriculum of the Alignment Research
# Engineer Accelerator): biases, and shortformer positions (the positions enter the
# queries and keys only). It was trained on **the characters of the Python standard
# library's own source code**; its tokens are characters (`tl.decode_tokens` turns
# them back into text). Some modules were held out of its training
# (`tl.held_out_text()`): everything below is measured on code it has never seen.
#
# One thing about its training matters for what follows. On code alone, a model this
# small did not grow induction heads within what a laptop can train (18 attempts;
# real models get there after billions of tokens), so its first quarter of training
# was a warm-up on synthetic sequences like section 6's, and the rest plain code. The
# question is then not whether the circuit formed on code, but whether it is **used**
# on code: whether it causes the model's in-context gains there. (The recipe and the
# failed attempts: `tensorlessons/data/README.md`.)

# %% id="c10-111"
text_model = tl.load_text_model()
print(text_model)
held = tl.held_out_text()
n_t = text_model.n_ctx
half_t = n_t // 2
plain = tl.text_windows(held, n_t, batch=100, seed=7)  # code as it comes
once = tl.text_windows(held, half_t, batch=100, seed=8)
repeated = np.concatenate([once, once], axis=1)  # a passage, then the same again
print(tl.decode_tokens(plain[0]))

# %% [markdown] id="c10-112"
# **Behaviour first.** Induction shows as an *in-context* drop in loss: the further
# into a text, the more there is to copy from, the better the predictions — most of
# all when a whole passage comes back.

# %% id="c10-113"
per_position = text_model.loss(plain, per_position=True)
for a, b in [(0, 8), (8, 24), (24, 64), (64, n_t - 1)]:
    loss = per_position[a:b].mean()
    print(f"code, predictions at positions {a:3} to {b - 1:3}: {loss:.2f} nats")
per_position = text_model.loss(repeated, per_position=True)
print(f"a passage read the first time:  {per_position[: half_t - 1].mean():.2f} nats")
print(f"the same passage read again:    {per_position[half_t:].mean():.2f} nats")

# %% [markdown] id="c10-114"
# **Attention second.** The two scores of section 6, now on text: a previous-token
# score on plain code, and the induction stripe on the repeated passages
# (`tl.induction_scores` takes any repeated tokens, not only random ones).

# %% id="c10-115"
prev_text = tl.previous_token_scores(text_model, plain)
stripe_text = tl.induction_scores(text_model, tokens=repeated)
print("previous-token scores on code (rows: layers 0 and 1):")
print(prev_text.round(2))
print("induction-stripe scores on repeated code (rows: layers 0 and 1):")
print(stripe_text.round(2))
print("the same on repeated random characters (section 6's test):")
print(tl.induction_scores(text_model).round(2))
best = int(np.argmax(stripe_text[1]))
# one label per character of the vocabulary, with newline and space made visible
visible = {"\n": "⏎", " ": "␣"}
labels = [visible.get(c, c) for c in tl.decode_tokens(np.arange(text_model.d_vocab))]
short = np.concatenate([once[0, :24], once[0, :24]])
tl.AttentionPatternWidget(text_model, short, layer=1, head=best, token_labels=labels)

# %% [markdown] id="c10-116"
# In the widget, 24 characters of code are followed by the same 24 again. Hover over
# the characters of the second copy: for most of them the head looks hardest at the
# character *after* the same character in the first copy — the stripe — and far more
# often than in the first copy, that is the character the model then predicts. Its
# stripe score on code is lower than on repeated random characters: in code the same
# character comes back often, so the stripe is only one of several places where a
# head finds it.

# %% [markdown] id="c10-125"
# **Weights third.** The head with the stripe should also **copy** (a copying score
# near 1), and the K-composition diagram of sections 5 and 6, filled with the text
# model's weights, is an exact term of its attention scores on the passage above: in
# most rows of the second copy its largest entry should sit on the stripe.

# %% id="c10-126"
for h in range(text_model.n_heads):
    M = ov_circuit(text_model, 1, h)
    print(f"L1H{h}: copying score {copying_score(M):5.2f}")
prev_best = int(np.argmax(prev_text[0]))
text_parts = tl.induction_circuit_diagrams(
    text_model, short, prev_token_head=(0, prev_best), induction_head=(1, best)
)
k_term = text_parts["keys"].contract()
qs = np.arange(24, 48)
masked = np.where(np.tril(np.ones((48, 48), dtype=bool)), k_term, -np.inf)
on_stripe = (masked[qs].argmax(axis=1) == qs - 23).mean()
print(
    f"second-copy rows whose largest K-composition term is on the stripe: {on_stripe:.0%}"
)
for name, (px, py) in layout.items():  # section 6's picture: query side on top
    text_parts["keys"].move(name, px, py)
text_parts["keys"]

# %% [markdown] id="c10-127"
# Now the causal test of section 7, on text: does this circuit **cause** the
# in-context drop? The measure is the *in-context gain*: how much better the second
# reading of a passage is predicted than the first.

# %% id="c10-117" jupyter={"source_hidden": true}
Exercise(
    "10-real-text",
    title="Does the induction circuit cause the in-context gain on real text?",
    difficulty=3,
    importance="core",
    minutes=15,
    hints=[
        "np.argmax of a row of prev_text or stripe_text names a head; row 0 is layer "
        "0, row 1 layer 1.",
        "text_model.loss(repeated, per_position=True) is the loss of every prediction: "
        "positions 0 .. half_t-2 read the first copy, half_t and later the second.",
        "Start from text_model for each row: text_model.ablate([(1, induction_head)]) "
        "and text_model.ablate([(0, prev_head)]).",
    ],
)

# %% id="c10-118" nbgrader={"grade": false, "grade_id": "10-real-text-code", "locked": false, "schema_version": 3, "solution": true}
# prev_head: the layer-0 head with the highest previous-token score on `plain` (an int);
# induction_head: the layer-1 head with the highest induction score on `repeated`;
# table [3, 2]: mean loss on `repeated` of the first reading (predictions at positions
#   0 .. half_t-2) and of the second (positions half_t and later); rows: text_model,
#   text_model without its induction head, text_model without its previous-token head.
# BEGIN SOLUTION
prev_head = int(np.argmax(prev_text[0]))
induction_head = int(np.argmax(stripe_text[1]))
table = []
for heads in ([], [(1, induction_head)], [(0, prev_head)]):
    losses = text_model.ablate(heads).loss(repeated, per_position=True)
    table.append([losses[: half_t - 1].mean(), losses[half_t:].mean()])
table = np.array(table)
# END SOLUTION
print(f"previous-token head L0H{prev_head}, induction head L1H{induction_head}")
print("                             first   second   gain")
names = ["the model", "without the induction head", "without the prev-token head"]
for name, row in zip(names, table, strict=True):
    print(f"{name:28} {row[0]:6.2f} {row[1]:8.2f} {row[0] - row[1]:6.2f}")

# %% id="c10-119" nbgrader={"grade": true, "grade_id": "10-real-text", "locked": true, "points": 3, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 3, "importance": "core", "minutes": 15}
from tensorlessons._reference import circuit_heads as _heads
from tensorlessons._reference import reading_losses as _reference

_tm = tl.load_text_model()  # the model and its test text, rebuilt
_n, _held = _tm.n_ctx, tl.held_out_text()
_once = tl.text_windows(_held, _n // 2, batch=100, seed=8)
_rep = np.concatenate([_once, _once], axis=1)
_plain = tl.text_windows(_held, _n, batch=100, seed=7)
_p, _i = _heads(_tm, _plain, _rep)
_layer_1 = int(np.argmax(tl.previous_token_scores(_tm, _plain)[1]))
check.true(
    int(prev_head) != _layer_1 or int(prev_head) == _p,
    "prev_head was picked from layer 1's scores; the previous-token head is in layer 0",
)
check.equal(int(prev_head), _p, name="prev_head")
_layer_0 = int(np.argmax(tl.induction_scores(_tm, tokens=_rep)[0]))
check.true(
    int(induction_head) != _layer_0 or int(induction_head) == _i,
    "induction_head was picked from layer 0's scores: an induction head reads what a "
    "layer-0 head wrote, so it sits in layer 1",
)
check.equal(int(induction_head), _i, name="induction_head")
check.shape(table, (3, 2), name="table [3, 2]")
_ref = _reference(_tm, _rep, [[(1, _i)], [(0, _p)]])
_t = np.asarray(table, dtype=float)
if not np.allclose(_t, _ref, rtol=1e-6, atol=1e-6):  # which slip? (only if wrong)
    check.true(
        not np.allclose(_t, _ref[:, ::-1], rtol=1e-6),
        "the columns are swapped: column 0 is the first reading, column 1 the second",
    )
    check.true(
        not np.allclose(_t, _ref[[0, 2, 1]], rtol=1e-6),
        "rows 1 and 2 are swapped: row 1 is without the induction head, row 2 without "
        "the previous-token head",
    )
    check.true(
        not np.allclose(_t, _reference(_tm, _plain, [[(1, _i)], [(0, _p)]]), rtol=1e-6),
        "table measures `plain`; the two readings are of `repeated`, the passages "
        "written twice",
    )
    check.true(
        not np.allclose(_t[:, 1], _ref[:, 0], rtol=1e-6),
        "the second reading scores the second copy on its own, so it equals the first; "
        "it must see the first copy before it: positions half_t and later of `repeated`",
    )
    check.true(
        not np.allclose(_t[2], _reference(_tm, _rep, [[(1, _i), (0, _p)]])[1]),
        "row 2 ablates both heads: start from text_model again and ablate only the "
        "previous-token head",
    )
    _pp = _tm.loss(_rep, per_position=True)
    check.true(
        not np.isclose(_t[0, 0], _pp[: _n // 2].mean(), rtol=1e-6),
        "the first reading includes the prediction at position half_t-1, which guesses "
        "the first character of the second copy: stop at half_t-2",
    )
    check.true(
        not np.isclose(_t[0, 1], _pp[_n // 2 - 1 :].mean(), rtol=1e-6),
        "the second reading starts at position half_t-1, whose prediction no earlier "
        "copy can help with: start at half_t",
    )
check.array(_t, _ref, name="table", rtol=1e-6, atol=1e-6)
check.passed("10-real-text", hidden=False)

# %% [markdown] id="c10-120"
# Remove either head of the circuit and the gain is gone: the model reads the second
# copy of a passage as if it were new. Is that because these two heads are special, or
# would removing *any* head do it? Ablate every head in turn, and watch the gain — and
# how much worse each ablation makes the first reading, which needs no induction:


# %% id="c10-121"
def readings(m):
    """Mean loss of the first and of the second reading of the passages."""
    losses = m.loss(repeated, per_position=True)
    return losses[: half_t - 1].mean(), losses[half_t:].mean()


first0, second0 = readings(text_model)
print(f"no ablation:    gain {first0 - second0:5.2f}")
for a in range(text_model.n_layers):
    for b in range(text_model.n_heads):
        first, second = readings(text_model.ablate([(a, b)]))
        rise = first - first0
        print(
            f"without L{a}H{b}:  gain {first - second:5.2f}   first reading {rise:+.2f}"
        )


# %% [markdown] id="c10-122"
# Every head makes the first reading worse when removed — a small model uses every
# head for something — but the others leave the gain in place. Only the previous-token head and
# the induction head take the gain away. The same holds on code as it comes, with no
# planted repeat: the loss falls with the position (more context, more to copy), and
# without the induction circuit most of that fall is gone.

# %% id="c10-123"
plain_with = text_model.loss(plain, per_position=True)
for name, heads in [
    ("the model", []),
    ("without the induction head", [(1, induction_head)]),
    ("without the previous-token head", [(0, prev_head)]),
]:
    losses = text_model.ablate(heads).loss(plain, per_position=True)
    early, late = round(losses[8:24].mean(), 2), round(losses[64:].mean(), 2)
    drop = early - late
    print(f"{name:32} positions 8-23: {early:.2f}   64+: {late:.2f}   drop {drop:.2f}")

# %% [markdown] id="c10-124"
# That is the signature Olsson et al. used to tie induction heads to in-context
# learning ([*In-context Learning and Induction
# Heads*](https://transformer-circuits.pub/2022/in-context-learning-and-induction-heads/index.html),
# 2022), measured here on a model you can take apart completely: every weight of it
# fits in the diagrams of this course.

# %% [markdown] id="c10-054"
# ## Summary
#
# * An induction head is a two-head circuit: a previous-token head (positional QK,
#   OV moving the token one position on) and an induction head whose **key** reads
#   what the first head wrote — K-composition — and whose OV circuit copies.
# * Built by hand from one-hot blocks, it predicts the repeated half of random
#   sequences perfectly; every part of it is a diagram whose contraction is the
#   model's own numbers.
# * In a trained model the same tools find it: the loss drop on repeated text, the
#   previous-token and induction stripes in the attention patterns, a K-composition
#   score that stands out of the random baseline, a copying OV circuit (its singular
#   vectors read and write the same token), and the K-composition diagram itself.
# * Ablation shows the circuit is causal: remove the previous-token head or the
#   induction heads and the repeated half is no longer predicted; remove any other
#   head and nothing changes.
# * On real text — a model trained on Python source code, tested on modules it never
#   saw — the same scores find its induction circuit, and ablating either of its heads
#   undoes the in-context gain: a repeated passage is read as if for the first time.
#   Without the induction head, the loss deep into plain code rises far more than the
#   loss near its start.
#
# This is where Taylor's paper ends — graphical notation, carried from a single
# tensor to a circuit inside a trained transformer.

# %% id="c10-055"
from tensorlessons.exercises import progress

progress()
