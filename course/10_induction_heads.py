# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] id="c10-000"
# # 10 · Induction heads, built by hand and found in a trained model
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
# its whole circuit as diagrams checked against the forward pass — and then find the
# induction heads of a small *trained* model with the same tools.

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
# $q-1$, whatever the tokens — so its QK circuit reads only the `pos` block. Give the
# head's `d_head` leg one coordinate per position, and
#
# * let the **query** at position $p$ point to coordinate $p$,
# * let the **key** at position $k$ point to coordinate $k+1$.
#
# Then the score of query $q$ on key $k$ is large ($c$) exactly when $k + 1 = q$, and 0
# otherwise; the softmax turns a large $c$ into attention of almost exactly 1 on the
# previous position. Its OV circuit copies the `tok` block into the `prev` block.

# %% id="c10-005" jupyter={"source_hidden": true}
Exercise(
    "10-previous-token",
    title="The previous-token head's QK circuit",
    difficulty=2,
    importance="core",
    minutes=10,
    hints=[
        "Both matrices read the pos block: rows pos[p] of W_q and pos[k] of W_k.",
        "For every position p, row pos[p] of W_q gets c * root in column p (root cancels the 1/sqrt(d_head) of the scores).",
        "For every key position k < N-1, row pos[k] of W_k gets 1 in column k + 1. Indexing with two index arrays sets all entries at once.",
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

# %% id="c10-008" nbgrader={"grade": true, "grade_id": "10-previous-token", "locked": true, "points": 2, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 2, "importance": "core", "minutes": 10}
A0 = pattern(x0, W_q, W_k)
q = np.arange(1, len(tokens))
check.true(
    (A0[q, q - 1] > 0.99).all(),
    f"query q should attend to q-1 with weight > 0.99; the weakest is {A0[q, q - 1].min():.3f} at query {q[A0[q, q - 1].argmin()]}",
)
check.array(
    W_q[tok],
    np.zeros((V, d_head)),
    name="the rows of W_q in the tok block (the head should ignore tokens)",
)
### BEGIN HIDDEN TESTS
positional = W_pos @ W_q @ W_k.T @ W_pos.T / root
check.array(
    positional[np.arange(1, N), np.arange(N - 1)],
    np.full(N - 1, c),
    name="the positional QK circuit on the diagonal below the main one",
)
check.array(
    np.abs(positional).sum(),
    c * (N - 1),
    name="the total positional QK circuit (only the entries [p, p-1] should be nonzero)",
)
### END HIDDEN TESTS
check.passed("10-previous-token", hidden=True)

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
# token $[a]$ in `tok`. So:
#
# * the **query** reads the `tok` block: token $a$ points to `d_head` coordinate $a$;
# * the **key** reads the `prev` block: previous token $a$ points to coordinate $a$.
#
# The score is large exactly where the key's previous token equals the query's
# token — the position right after an earlier $[a]$, which holds $[b]$. The key reads
# what layer 0's OV circuit wrote: this is **K-composition**. In token space the
# composed circuit, query token $\to$ the token layer 0 moved into the key,
#
# $$ W_E\, W_Q^{1}\, W_K^{1\top}\, (W_E W_V^{0} W_O^{0})^\top, $$
#
# should be $c$ times the identity: "attend where the previous token is mine".

# %% id="c10-011" jupyter={"source_hidden": true}
Exercise(
    "10-induction-qk",
    title="The induction head's QK circuit",
    difficulty=2,
    importance="core",
    minutes=8,
    hints=[
        "The query reads the tok block, the key reads the prev block; token a uses d_head coordinate a on both sides.",
        "W_q1[tok[a], a] = c * root and W_k1[prev[a], a] = 1 for every token a.",
        "Indexing with two index arrays sets all V entries at once: the rows of a block, and the columns np.arange(V).",
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

# %% id="c10-014" nbgrader={"grade": true, "grade_id": "10-induction-qk", "locked": true, "points": 2, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 2, "importance": "core", "minutes": 8}
moved = W_E @ W_V[0, 0] @ W_O[0, 0]  # what layer 0 writes for each token, [V, d_model]
k_circuit = W_E @ W_q1 @ W_k1.T @ moved.T / root
check.array(
    k_circuit,
    c * np.eye(V),
    name="the K-composition circuit W_E W_Q1 W_K1^T (W_E W_V0 W_O0)^T / sqrt(d_head)",
)
### BEGIN HIDDEN TESTS
check.array(
    W_pos @ W_k1,
    np.zeros((N, d_head)),
    name="W_pos @ W_k1 (the key should not read positions)",
)
check.array(
    W_E @ W_k1,
    np.zeros((V, d_head)),
    name="W_E @ W_k1 (the key should not read the current token)",
)
### END HIDDEN TESTS
check.passed("10-induction-qk", hidden=True)

# %% [markdown] id="c10-015"
# One detail remains. Position 0 has no previous token; layer 0's head there can only
# attend to itself, so it writes position 0's *own* token into `prev`. When the first
# token comes round again in the second half, its query would match position 0 as
# well as position 1 (the right one). We
# push position 0 away with chapter 07's **bias trick**: the `pos` block is one-hot,
# so its coordinates always sum to 1 — a constant-1 leg. Let every position's query
# write $2c$ into a spare `d_head` coordinate, and only position 0's key write $-1$
# there: key 0 loses $2c$ of score for every query.
#
# The OV circuit copies: read `tok`, write `out` (with a gain of 10, so the prediction
# is confident), and `W_U` reads `out`.

# %% id="c10-016"
spare = V  # a d_head coordinate the token matching does not use
W_q1[pos, spare] = 2 * c * root
W_k1[pos[0], spare] = -1.0
W_Q[1, 0], W_K[1, 0] = W_q1, W_k1
W_V[1, 0][tok, np.arange(V)] = 1.0
W_O[1, 0][np.arange(V), out] = 10.0

model = tl.AttentionOnlyTransformer(
    W_E=W_E, W_pos=W_pos, W_Q=W_Q, W_K=W_K, W_V=W_V, W_O=W_O, W_U=W_U
)
print(model)

# %% [markdown] id="c10-017"
# ## 4. Testing it on repeated random sequences
#
# Random tokens cannot be predicted — unless they repeat. On a sequence of 16 random
# distinct tokens followed by the same 16 again, an induction model should be at
# chance in the first half and **perfect in the second**: at position $q \ge 16$ (a
# repeated token), the next token is known from the first half. The last position
# predicts beyond the sequence, so the positions to score are
# $16, \dots, 30$, predicting tokens $17, \dots, 31$.

# %% id="c10-018" jupyter={"source_hidden": true}
Exercise(
    "10-accuracy",
    title="Induction accuracy on repeated sequences",
    difficulty=2,
    importance="core",
    minutes=8,
    hints=[
        "model(batch) has shape [batch, seq, d_vocab]; .argmax(-1) gives the predicted next token at each position.",
        "The prediction at position p is for the token at p + 1: compare predicted[:, half:2*half-1] with batch[:, half+1:2*half].",
        "Return the mean of the boolean array of matches, as a float.",
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
print(
    f"our hand-built model: {induction_accuracy(model, batch, 16):.1%} of second-half tokens predicted"
)

# %% id="c10-020" nbgrader={"grade": true, "grade_id": "10-accuracy", "locked": true, "points": 2, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 2, "importance": "core", "minutes": 8}
check.true(
    induction_accuracy(model, batch, 16) >= 0.99,
    "the hand-built model should predict >= 99% of the second half",
)
random_model = tl.AttentionOnlyTransformer.random(2, 1, d_model, d_head, V, N, seed=3)
check.true(
    induction_accuracy(random_model, batch, 16) < 0.5,
    "a random model should not score well: check which positions you compare",
)
### BEGIN HIDDEN TESTS
logits = model(batch).argmax(-1)
check.array(
    induction_accuracy(model, batch, 16),
    (logits[:, 16:31] == batch[:, 17:32]).mean(),
    name="induction_accuracy(model, batch, 16)",
)
small = repeated_random_tokens(5, V, batch=50, seed=2)
check.array(
    induction_accuracy(random_model, small, 5),
    (random_model(small).argmax(-1)[:, 5:9] == small[:, 6:10]).mean(),
    name="induction_accuracy on half = 5",
)
### END HIDDEN TESTS
check.passed("10-accuracy", hidden=True)

# %% id="c10-021"
per_position = model.loss(batch, per_position=True)
print("mean loss, first half predictions :", per_position[:15].mean().round(3))
print("mean loss, second half predictions:", per_position[16:].mean().round(3))
library_model = induction_transformer(d_vocab=V, n_ctx=N)
print(
    f"the library's induction_transformer(): {induction_accuracy(library_model, batch, 16):.1%}"
)

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
        "The query side (T_q - W_Eq - W_Q1 - W_K1) is wired. Wire the key side: W_K1 reads what layer 0 wrote: "
        "W_O0 after W_V0 after W_Ek after T_k, moved from position to position by A0. "
        "Open legs: the query position (T_q:pos) and the key position (A0:query)."
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
        "Follow the key's model leg backwards: W_K1 reads W_O0's output, W_O0 reads W_V0's head leg, W_V0 reads W_E's model leg, W_E reads T's vocab.",
        "Five wires: four along the model, head and vocab legs (W_K1, W_O0, W_V0, W_Ek, T_k in that order) and one on a position leg.",
        "A0 moves a token from position j (its key leg) to position k (its query leg). Which of its legs reads T_k's positions, and which stays open?",
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
# The K-score itself looks small because Frobenius norms spread over all directions:
# an identity-like circuit on 16 token directions scores at most $1/\sqrt{16}$, and
# the position-0 entries of $W_{QK}^1$ add to its norm without composing with anything.

# %% id="c10-040"
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
        "patterns = trained.attention_patterns(rep) has shape [batch, layer, head, query, key].",
        "Previous-token score of a layer-0 head: the mean of patterns[:, 0, h, q, q - 1] over the batch and q = 1 .. 2*half-1.",
        "Induction score of a layer-1 head: the mean of patterns[:, 1, h, q, q - half + 1] over the batch and q = half .. 2*half-1. Then np.argmax.",
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
P = trained.attention_patterns(rep)
check.shape(prev_scores, (trained.n_heads,), name="prev_scores")
check.shape(induction_scores, (trained.n_heads,), name="induction_scores")
qq = np.arange(half, 2 * half)
expected = np.array(
    [P[:, 1, h][:, qq, qq - half + 1].mean() for h in range(trained.n_heads)]
)
check.array(induction_scores, expected, name="induction_scores")
check.equal(induction_head, int(np.argmax(expected)), name="induction_head")
### BEGIN HIDDEN TESTS
qq = np.arange(1, 2 * half)
expected_prev = np.array(
    [P[:, 0, h][:, qq, qq - 1].mean() for h in range(trained.n_heads)]
)
check.array(prev_scores, expected_prev, name="prev_scores")
check.equal(prev_head, int(np.argmax(expected_prev)), name="prev_head")
### END HIDDEN TESTS
check.passed("10-find-heads", hidden=True)

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
# K-composition score that stands out of the table — and its OV circuit should
# **copy** (a copying score near 1). Heads that attend elsewhere have no reason to do
# either.

# %% id="c10-050"
K_table = composition_scores(trained, "K")
print("K-composition, rows: layer-0 heads, columns: layer-1 heads")
print(K_table.round(3))
strongest = np.unravel_index(K_table.argmax(), K_table.shape)
print(f"strongest K-composition pair: L0H{strongest[0]} -> L1H{strongest[1]}")
print(
    f"our suspects: L0H{prev_head} -> L1H{induction_head}, K-composition {K_table[prev_head, induction_head]:.3f}"
)
print(
    "copying scores of the layer-1 OV circuits:",
    [
        round(copying_score(ov_circuit(trained, 1, h)), 3)
        for h in range(trained.n_heads)
    ],
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
#   score that stands out, a copying OV circuit, and the K-composition diagram itself.
#
# This is where Taylor's paper ends — graphical notation, carried from a single
# tensor to a circuit inside a trained transformer.

# %% id="c10-055"
from tensorlessons.exercises import progress

progress()
