# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] id="c07-000"
# # 07 · Neural networks as tensor diagrams
#
# The first half of the course built a language: tensors are boxes, their indices are
# legs, joining two legs sums over them, copy tensors are dots. This chapter turns that
# language on neural networks, following Taylor (2024), and asks the
# question that the rest of the course keeps asking: **which parts of a network can we
# simplify by moving pieces of the diagram around, and which parts block us?**
#
# You will see
#
# 1. a linear layer as a matrix — one box with an input leg and an output leg;
# 2. a batch of inputs as an extra leg, and how copy tensors appear when a batched
#    tensor is used twice;
# 3. two ways to draw a bias;
# 4. why two linear layers in a row are secretly one;
# 5. nonlinearities as *boxes* that diagram moves cannot pass through — and the few
#    things that can pass through them anyway.
#
# Everything here is the preparation for the transformer chapters: an attention-only
# transformer is "linear except for one box", and that is what makes it analysable.

# %% id="c07-001"
import numpy as np

import tensorlessons as tl
from tensorlessons.exercises import Exercise, check, same_value

np.set_printoptions(precision=3, suppress=True, linewidth=100)
rng = np.random.default_rng(0)

# %% [markdown] id="c07-002"
# ## 1. A linear layer is a matrix
#
# A linear layer maps an input vector $x$ with $d_\text{in}$ entries to an output
# $y$ with $d_\text{out}$ entries: $y_o = \sum_i x_i W_{io}$. In the notation, $W$ is a
# box with two legs, $i$ and $o$; $x$ is a box with one leg; the wire between them is the
# sum over $i$; the leg left open, $o$, is the output.
#
# We store $W$ with shape `[d_in, d_out]` so that the code reads `y = x @ W` — the
# convention of TransformerLens, which the transformer chapters use. PyTorch's
# `nn.Linear` stores the transpose, `[d_out, d_in]`, and computes `x @ W.T`. **The
# diagram is the same for both**: a diagram has no "left" or "right", only which leg
# is joined to which.

# %% id="c07-003"
d_in, d_hidden, d_out = 4, 6, 3
x = rng.normal(size=d_in)
W = rng.normal(size=(d_in, d_out))

layer = tl.Diagram.from_einsum("i,io->o", x, W, names=["x", "W"])
print("diagram result:", layer.contract())
print("x @ W:         ", x @ W)
assert np.allclose(layer.contract(), x @ W)
layer

# %% [markdown] id="c07-004"
# The same diagram as a live widget: drag the tensors, cut the wire (click it, then
# Delete) and watch the result change shape from `(3,)` to `(3, 4, 4)`: with the wire
# cut, nothing is summed, and the result is the outer product of `x` (leg `i`) and `W`
# (legs `i` and `o`), three open legs listed as `W:o`, `x:i`, `W:i`. Join the legs
# again to get `(3,)` back. `layer` is the diagram the widget edits.

# %% id="c07-005"
tl.DiagramWidget(layer)

# %% [markdown] id="c07-006"
# ## 2. A batch is one more leg — and sometimes a copy tensor
#
# Networks process many inputs at once. Stack $B$ inputs as the rows of a matrix
# $X$ of shape `[batch, d_in]`: now $X$ has a **batch leg** $b$ and the result
# $Y = XW$ has it too. The weight $W$ never touches the batch leg — every example
# meets the same $W$ — so the batch leg simply runs from $X$ straight to the output.

# %% id="c07-007"
B = 5
X = rng.normal(size=(B, d_in))
batched = tl.Diagram.from_einsum("bi,io->bo", X, W, names=["X", "W"])
assert np.allclose(batched.contract(), X @ W)
batched

# %% [markdown] id="c07-008"
# Where does the copy tensor come in? When a batched tensor is **used twice**. Take a
# per-example quadratic form $z_b = \sum_{ij} X_{bi} M_{ij} X_{bj}$ — one number per
# example. The two copies
# of $X$ must read the *same* example $b$, and the result keeps $b$ too: three legs that
# must agree. That is a 3-leg copy tensor (a dot), one leg to each copy of $X$ and one
# left open. In einsum, a letter that appears in three places (`bi,ij,bj->b`) is the same
# hyperedge.
#
# Below we build it by hand with `Diagram.add_copy`, and compare with `numpy.einsum`.
# (`indices=` gives each leg an index label: legs that share a label are joined.)

# %% id="c07-009"
M = rng.normal(size=(d_in, d_in))

quad = tl.Diagram()
quad.add_tensor("X1", X, legs=["b", "i"], indices=["b1", "i"])
quad.add_tensor("M", M, legs=["i", "j"], indices=["i", "j"])  # joins X1 on index i
quad.add_tensor("X2", X, legs=["b", "j"], indices=["b2", "j"])  # joins M on index j
# The copy tensor: one leg to each copy of X, the third leg (index b) left open.
quad.add_copy("batch", B, n_legs=3, legs=["x1", "x2", "out"], indices=["b1", "b2", "b"])
quad.auto_layout()

print(quad.to_einsum())
assert np.allclose(quad.contract(), np.einsum("bi,ij,bj->b", X, M, X))
quad

# %% [markdown] id="c07-010"
# Without the copy tensor — if the two batch legs were just left open — the result
# would be a `[batch, batch]` matrix $X M X^\top$ comparing *every pair* of examples,
# $B$ times more numbers than we asked for. The copy tensor is what says "the same
# example on both sides". (Chapter 08's attention scores are a close relative of this
# diagram, with one difference: there the two copies keep *separate* position legs,
# because every position looks at every other.)
#
# ## 3. Biases
#
# A bias makes a layer *affine*: $y = xW + b$. A sum is not a contraction, so a bias
# cannot be drawn as one more box on the same wires. There are two common ways out.
#
# * **As a separate term.** Draw the diagram of $xW$, draw $b$ on its own, and add the
#   two results. Diagrams of sums are lists of diagrams; the transformer chapters
#   work this way, term by term (the "path expansion").
# * **By an appended constant leg.** Append a 1 to the input,
#   $\tilde x = (x_1, \dots, x_{d_\text{in}}, 1)$, and stack $b$ under $W$ as an extra
#   row, $\tilde W = \begin{pmatrix} W \\ b \end{pmatrix}$. Then
#   $\tilde x \tilde W = xW + 1\cdot b$: one diagram again, at the price of a leg of
#   dimension $d_\text{in}+1$.

# %% id="c07-011" jupyter={"source_hidden": true}
Exercise(
    "07-bias",
    title="A bias as an appended constant leg",
    difficulty=1,
    importance="core",
    minutes=5,
    hints=[
        "x_aug has one more entry than x: the constant 1 (np.append or np.concatenate).",
        "W_aug has one more row than W: the row that meets the constant 1 in the sum "
        "over i. What must that row be for the sum to add b?",
        "Build the diagram as in section 1, with x_aug and W_aug in place of x and W.",
    ],
)

# %% id="c07-012"
b = rng.normal(size=d_out)

# %% id="c07-013" nbgrader={"grade": false, "grade_id": "07-bias-code", "locked": false, "schema_version": 3, "solution": true}
# Build x_aug (shape [d_in + 1]) and W_aug (shape [d_in + 1, d_out]) so that
# x_aug @ W_aug == x @ W + b, and the one-layer diagram `affine` that contracts them.
# BEGIN SOLUTION
x_aug = np.append(x, 1.0)
W_aug = np.vstack([W, b])
affine = tl.Diagram.from_einsum("i,io->o", x_aug, W_aug, names=["x_aug", "W_aug"])
# END SOLUTION
affine

# %% id="c07-014" nbgrader={"grade": true, "grade_id": "07-bias", "locked": true, "points": 1, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 1, "importance": "core", "minutes": 5}
_g = np.random.default_rng(0)  # the chapter's data, rebuilt (yours may have changed)
_x, _W = _g.normal(size=4), _g.normal(size=(4, 3))
_X, _M, _b = _g.normal(size=(5, 4)), _g.normal(size=(4, 4)), _g.normal(size=3)
_W1, _W2 = _g.normal(size=(4, 6)), _g.normal(size=(6, 3))
check.shape(x_aug, (d_in + 1,), name="x_aug")
check.shape(W_aug, (d_in + 1, d_out), name="W_aug")
_xa, _Wa = np.asarray(x_aug, dtype=float), np.asarray(W_aug, dtype=float)
_k = [k for k in range(5) if _xa[k] == 1 and np.allclose(np.delete(_xa, k), _x)]
check.true(
    _k,
    f"x_aug should be x with one more entry, the constant 1; x_aug is {_xa.round(3)}, "
    f"x is {_x.round(3)}",
)
_k = _k[-1]
check.true(
    not np.allclose(_Wa[_k], 1.0),
    f"row {_k} of W_aug (the row the constant 1 meets) is all ones: that adds 1 to "
    "every output. It should be the bias b",
)
check.array(
    _Wa[_k], _b, name=f"row {_k} of W_aug (the row x_aug[{_k}] = 1 meets: the bias b)"
)
check.array(np.delete(_Wa, _k, axis=0), _W, name="W_aug without its bias row")
check.true(
    not np.allclose(affine.contract(), _x @ _W),
    "affine.contract() is x @ W, without the bias: build affine from x_aug and W_aug",
)
check.array(affine.contract(), _x @ _W + _b, name="affine.contract() (x @ W + b)")
check.passed("07-bias", hidden=False)

# %% [markdown] id="c07-015"
# ## 4. Two linear layers are one linear layer
#
# Stack two linear layers without anything in between: $y = (xW_1)W_2$. In the
# diagram this is a chain $x - W_1 - W_2$, and a chain can be contracted in any order:
# $(xW_1)W_2 = x(W_1W_2)$. Contracting the $W_1$–$W_2$ wire first gives a single matrix
# $W_\text{eff} = W_1W_2$ of shape `[d_in, d_out]` — the two layers were one layer all
# along, of rank at most $\min(d_\text{in}, d_\text{hidden}, d_\text{out})$.
#
# This is the simplest diagram move: **contract any wire between two boxes, and the
# result is a box**. In the exercise below you draw the chain yourself.

# %% id="c07-016"
W1 = rng.normal(size=(d_in, d_hidden))
W2 = rng.normal(size=(d_hidden, d_out))

start = tl.Diagram()
start.add_tensor("x", x, legs=["i"])
start.add_tensor("W1", W1, legs=["i", "h"])
start.add_tensor("W2", W2, legs=["h", "o"])
start.auto_layout()

# %% id="c07-018" jupyter={"source_hidden": true}
# The set-up of the exercise (collapsed: it contains the hints).
ex_chain = tl.DiagramExercise(
    "07-chain",
    title="Draw two linear layers in a row",
    task=(
        "Make the diagram compute the two layers applied to x, "
        "y = (x W1) W2: a vector with one entry per output."
    ),
    start=start,
    answer=same_value(x @ W1 @ W2),  # what Check compares: the value of your diagram
    difficulty=1,
    importance="core",
    minutes=4,
    hints=[
        "Which legs are open now, and which one should be left open at the end?",
        "Write y as sums: y_o = sum over h of (sum over i of x_i W1_ih) W2_ho. A wire "
        "is a sum over one index.",
        "The summed indices are i and h: each is a wire between the two tensors that "
        "carry it.",
    ],
)
ex_chain

# %% id="c07-019" nbgrader={"grade": false, "grade_id": "07-chain-code", "locked": false, "schema_version": 3, "solution": true}
# Answer by drawing above (then delete the `raise` line below), or in code here.
# BEGIN SOLUTION
drawn = start.copy()
drawn.connect("x:i", "W1:i")
drawn.connect("W1:h", "W2:h")
ex_chain.submit(drawn)
# END SOLUTION

# %% id="c07-020" nbgrader={"grade": true, "grade_id": "07-chain", "locked": true, "points": 1, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 1, "importance": "core", "minutes": 4}
_g = np.random.default_rng(0)  # the chapter's data, rebuilt (yours may have changed)
_x, _W = _g.normal(size=4), _g.normal(size=(4, 3))
_X, _M, _b = _g.normal(size=(5, 4)), _g.normal(size=(4, 4)), _g.normal(size=3)
_W1, _W2 = _g.normal(size=(4, 6)), _g.normal(size=(6, 3))
ex_chain.check()
check.array(ex_chain.diagram.contract(), _x @ _W1 @ _W2, name="your diagram's result")
### BEGIN HIDDEN TESTS
_reference = tl.Diagram.from_einsum("i,ih,ho->o", _x, _W1, _W2, names=["x", "W1", "W2"])
check.diagram(ex_chain.diagram, _reference)
### END HIDDEN TESTS
check.passed("07-chain", hidden=True)

# %% id="c07-021"
if ex_chain.feedback() is None:
    chain = ex_chain.diagram  # your drawing
else:  # so that the chapter goes on: the chain drawn for you
    print("07-chain is not done yet: this cell uses the reference chain x - W1 - W2.")
    chain = tl.Diagram.from_einsum("i,ih,ho->o", x, W1, W2, names=["x", "W1", "W2"])
W_eff = W1 @ W2
assert np.allclose(chain.contract(), x @ W_eff)
print(
    "rank of W_eff:",
    np.linalg.matrix_rank(W_eff),
    "<= min(d_in, d_hidden, d_out) =",
    min(d_in, d_hidden, d_out),
)
print(chain.cost())


# %% [markdown] id="c07-022"
# ## 5. A nonlinearity is a box that wires cannot pass through
#
# A real MLP puts an elementwise nonlinearity between the layers:
# $y = \mathrm{ReLU}(xW_1)\,W_2$ with $\mathrm{ReLU}(z) = \max(z, 0)$ applied to every
# entry. ReLU is not linear — $\mathrm{ReLU}(-1) + \mathrm{ReLU}(1) \ne \mathrm{ReLU}(0)$
# — so it is not a tensor and it cannot be drawn as a box joined by wires.
#
# Taylor draws it as a **box around a sub-diagram**: whatever is inside is computed
# first, the function is applied entry by entry to the result, and what comes out is
# a new tensor with the same legs. The wall of the box is a barrier: we cannot
# contract $W_1$ with $W_2$ "through" it, and we cannot pull $W_2$ inside.
#
# In tensorlessons a `Diagram` holds only the multilinear parts, so a nonlinearity
# splits the computation into two diagrams: contract the inside one, apply the
# function with numpy, and hand the result to the outside diagram as a tensor.
#
# Inside and outside, everything stays simplifiable: the outside diagram is linear in
# $H$, so $W_2$ may be contracted with whatever comes after it (in a transformer,
# $W_\text{out}$ of an MLP with the unembedding $W_U$), and the inside diagram may be
# rearranged freely. Only the wall is a barrier.


# %% id="c07-023"
def relu(z):
    return np.maximum(z, 0.0)


inside = tl.Diagram.from_einsum("bi,ih->bh", X, W1, names=["X", "W1"])
H = relu(inside.contract())  # the box: applied entry by entry
outside = tl.Diagram.from_einsum(
    "bh,ho->bo", H, W2, names=["H", "W2"]
)  # H = ReLU(X W1)

mlp_out = outside.contract()
assert np.allclose(mlp_out, relu(X @ W1) @ W2)

collapsed = relu(X @ (W1 @ W2))  # the move the box forbids
print(
    "ReLU(X W1) W2 - ReLU(X W1 W2), largest difference:",
    np.abs(mlp_out - collapsed).max(),
)

# %% [markdown] id="c07-024"
# Drawn the way the paper draws it — the inside diagram in a box, whose output $H$
# enters the outside diagram:

# %% id="c07-025"
from IPython.display import HTML


def boxed(inner, label, outer):
    # A nonlinear box around a diagram, feeding another diagram (a picture only).
    return HTML(
        '<div style="display:flex;align-items:center;gap:10px;flex-wrap:wrap">'
        '<div style="border:2px dashed #b22;border-radius:10px;padding:4px 8px">'
        f'<div style="color:#b22;font-weight:bold">{label}</div>{inner.to_svg()}</div>'
        f'<div style="font-size:18px">&rarr;</div>{outer.to_svg()}</div>'
    )


boxed(inside, "ReLU, entry by entry", outside)

# %% [markdown] id="c07-026"
# The difference is far from zero: moving $W_2$ inside the box changes the function.
# This is a main reason why interpretability of MLPs is hard and of linear parts easy —
# linear parts can be multiplied out, reordered and decomposed (SVD, chapter 04);
# boxes must be studied one neuron at a time.
#
# ## 6. What *can* pass through the box
#
# Not nothing. An elementwise function treats each entry of the hidden leg
# separately, so anything that only **relabels or rescales entries one by one** may
# commute with it:
#
# | move on the hidden leg $h$ | passes through an elementwise $f$? |
# |---|---|
# | a permutation $P$: $f(zP) = f(z)P$ | yes, for every elementwise $f$ |
# | copy tensors (batch legs, or reading one entry twice) | yes: $f$ is applied per entry |
# | a positive diagonal scaling $D$: $\mathrm{ReLU}(zD) = \mathrm{ReLU}(z)D$ | yes for ReLU (it is positively homogeneous), not for GELU or tanh |
# | a general matrix (a rotation, a projection) | no |
#
# So an MLP has symmetries: permute its hidden neurons (columns of $W_1$ together with
# rows of $W_2$) and the function is unchanged. This is why individual neurons *can*
# be meaningful — the nonlinearity picks out a basis (the "privileged basis") — while
# in a purely linear stretch of a network only the subspaces matter, not the basis.

# %% id="c07-027" jupyter={"source_hidden": true}
Exercise(
    "07-permute",
    title="Permute the hidden neurons",
    difficulty=2,
    importance="core",
    minutes=6,
    hints=[
        "A permutation matrix P (shape [d_hidden, d_hidden]) is np.eye(d_hidden)[perm] — or just index with perm.",
        "Reorder the hidden leg of W1 (its columns) and the hidden leg of W2 (its rows) in the same way.",
        "The hidden leg is W1's second axis and W2's first: both must be reordered the "
        "same way, by perm.",
    ],
)

# %% id="c07-028"
perm = np.array(
    [2, 0, 5, 1, 4, 3]
)  # hidden neuron k of the new network is neuron perm[k] of the old

# %% id="c07-029" nbgrader={"grade": false, "grade_id": "07-permute-code", "locked": false, "schema_version": 3, "solution": true}
# Build W1_p and W2_p: the same MLP with its hidden neurons reordered by `perm`.
# BEGIN SOLUTION
W1_p = W1[:, perm]
W2_p = W2[perm, :]
# END SOLUTION

# %% id="c07-030" nbgrader={"grade": true, "grade_id": "07-permute", "locked": true, "points": 1, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 2, "importance": "core", "minutes": 6}
_g = np.random.default_rng(0)  # the chapter's data, rebuilt (yours may have changed)
_x, _W = _g.normal(size=4), _g.normal(size=(4, 3))
_X, _M, _b = _g.normal(size=(5, 4)), _g.normal(size=(4, 4)), _g.normal(size=3)
_W1, _W2 = _g.normal(size=(4, 6)), _g.normal(size=(6, 3))
_perm = np.array([2, 0, 5, 1, 4, 3])
check.equal(
    [int(p) for p in perm], _perm.tolist(), name="perm (changed since its set-up cell)"
)
check.shape(W1_p, (4, 6), name="W1_p")
check.shape(W2_p, (6, 3), name="W2_p")
check.true(
    not np.allclose(W1_p, _W1[:, np.argsort(_perm)]),
    "W1_p reorders the neurons by the inverse permutation: neuron k of the new network "
    "should be neuron perm[k] of the old, i.e. column perm[k] of W1",
)
check.array(W1_p, _W1[:, _perm], name="W1_p (column k should be column perm[k] of W1)")
check.true(
    not np.allclose(W2_p, _W2),
    "W2_p equals W2: the rows of W2 belong to the hidden neurons too; reorder them "
    "like the columns of W1, or the network changes",
)
check.array(W2_p, _W2[_perm], name="W2_p (row k should be row perm[k] of W2)")
_relu = lambda z: np.maximum(z, 0.0)  # noqa: E731
check.array(
    _relu(_X @ W1_p) @ W2_p, _relu(_X @ _W1) @ _W2, name="the permuted MLP's output"
)
check.passed("07-permute", hidden=False)

# %% [markdown] id="c07-031"
# Positive scalings are the second symmetry of a ReLU network. Scale hidden neuron $k$
# up by $s_k > 0$ on the way in and down by $s_k$ on the way out: the diagonal matrix
# $D = \mathrm{diag}(s)$ enters as $W_1 D$, passes through the ReLU box, and meets
# $D^{-1}$ on the other side, where they cancel. Drawn with a copy tensor: $s$ is a vector
# on a 3-leg dot sitting on the hidden wire (chapter 03: *vector into a copy tensor = a
# diagonal matrix*).

# %% id="c07-032" jupyter={"source_hidden": true}
Exercise(
    "07-rescale",
    title="Move a positive scaling through the ReLU box",
    difficulty=2,
    importance="core",
    minutes=8,
    hints=[
        "W1 @ np.diag(s) scales column k of W1 by s[k]; so does W1 * s (broadcasting "
        "over the last leg).",
        "On the way out, undo it: row k of W2 belongs to hidden neuron k. Which axis of "
        "W2 is the hidden leg, and what shape must s have to broadcast along it?",
        "Then try your pair on tanh: the outputs differ, because tanh(s z) != s tanh(z).",
    ],
)

# %% id="c07-033"
s = np.array([0.5, 2.0, 3.0, 1.0, 0.25, 4.0])  # positive scales, one per hidden neuron

# %% id="c07-034" nbgrader={"grade": false, "grade_id": "07-rescale-code", "locked": false, "schema_version": 3, "solution": true}
# Build W1_s and W2_s: W1 with hidden neuron k scaled by s[k], W2 with it scaled by 1/s[k],
# so that relu(X @ W1_s) @ W2_s == relu(X @ W1) @ W2.
# BEGIN SOLUTION
W1_s = W1 * s
W2_s = W2 / s[:, None]
# END SOLUTION

# %% id="c07-035" nbgrader={"grade": true, "grade_id": "07-rescale", "locked": true, "points": 1, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 2, "importance": "core", "minutes": 8}
_g = np.random.default_rng(0)  # the chapter's data, rebuilt (yours may have changed)
_x, _W = _g.normal(size=4), _g.normal(size=(4, 3))
_X, _M, _b = _g.normal(size=(5, 4)), _g.normal(size=(4, 4)), _g.normal(size=3)
_W1, _W2 = _g.normal(size=(4, 6)), _g.normal(size=(6, 3))
_s = np.array([0.5, 2.0, 3.0, 1.0, 0.25, 4.0])
check.array(s, _s, name="s (changed since its set-up cell)")
check.shape(W1_s, (4, 6), name="W1_s")
check.shape(W2_s, (6, 3), name="W2_s")
check.true(
    not np.allclose(W1_s, _W1),
    "W1_s equals W1: scale column k of W1 (hidden neuron k) by s[k]",
)
check.true(
    not np.allclose(W1_s, _W1 / _s),
    "W1_s divides neuron k by s[k]; the task scales it up by s[k] on the way in "
    "(and down on the way out)",
)
check.array(W1_s, _W1 * _s, name="W1_s (column k should be s[k] times column k of W1)")
check.true(
    not np.allclose(W2_s, _W2),
    "W2_s equals W2: the scaling must be undone on the way out, or the output grows",
)
check.true(
    not np.allclose(W2_s, _W2 * _s[:, None]),
    "W2_s scales neuron k by s[k] a second time; on the way out it must be undone: "
    "divide row k of W2 by s[k]",
)
check.array(W2_s, _W2 / _s[:, None], name="W2_s (row k should be row k of W2 / s[k])")
check.passed("07-rescale", hidden=False)

# %% id="c07-036"
# The same move does NOT pass through tanh: tanh is not positively homogeneous.
gap = np.abs(np.tanh(X @ (W1 * s)) @ (W2 / s[:, None]) - np.tanh(X @ W1) @ W2).max()
print(f"tanh network, rescaled vs original: largest difference {gap:.3f}")

# %% [markdown] id="c07-037"
# ## 7. Pitfall: which moves are legal?
#
# A common mistake is to treat a nonlinear box like a matrix — to "simplify"
# $\mathrm{ReLU}(xW_1)W_2$ into $\mathrm{ReLU}(xW_1W_2)$, or to split
# $\mathrm{ReLU}(a+b)$ into $\mathrm{ReLU}(a)+\mathrm{ReLU}(b)$ as one splits a
# contraction of a sum. Decide for each move whether it is legal for every input
# (test it numerically if you are unsure — the cell after the exercise does).

# %% id="c07-038" jupyter={"source_hidden": true}
Exercise(
    "07-legal-moves",
    title="Which moves pass through a ReLU box?",
    difficulty=1,
    importance="core",
    minutes=4,
    hints=[
        "Try each move on random inputs with numpy: a single counterexample makes it illegal.",
        "Only moves that act on each hidden entry separately, without changing its sign, survive ReLU.",
        "Exactly two of the five are legal.",
    ],
)

# %% id="c07-039" nbgrader={"grade": false, "grade_id": "07-legal-moves-code", "locked": false, "schema_version": 3, "solution": true}
# For each move, True if it is legal for every input and every weight, else False.
legal = {
    "relu(x W1) W2 == relu(x W1 W2)": None,
    "relu(x W1 P) == relu(x W1) P  (P a permutation)": None,
    "relu(x W1 D) == relu(x W1) D  (D diagonal, positive)": None,
    "relu(x W1 D) == relu(x W1) D  (D diagonal, any sign)": None,
    "relu(a + b) == relu(a) + relu(b)": None,
}
# BEGIN SOLUTION
legal["relu(x W1) W2 == relu(x W1 W2)"] = False
legal["relu(x W1 P) == relu(x W1) P  (P a permutation)"] = True
legal["relu(x W1 D) == relu(x W1) D  (D diagonal, positive)"] = True
legal["relu(x W1 D) == relu(x W1) D  (D diagonal, any sign)"] = False
legal["relu(a + b) == relu(a) + relu(b)"] = False
# END SOLUTION

# %% id="c07-040" nbgrader={"grade": true, "grade_id": "07-legal-moves", "locked": true, "points": 1, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 1, "importance": "core", "minutes": 4}
# Each move tried on random numbers: one counterexample makes it illegal.
_g = np.random.default_rng(740)
_Z, _M2 = _g.normal(size=(50, 6)), _g.normal(size=(6, 3))
_P = np.eye(6)[_g.permutation(6)]
_Dp, _Da = np.diag(_g.uniform(0.1, 3.0, 6)), np.diag(_g.normal(size=6))
_a, _b = _g.normal(size=(2, 50))
_r = lambda z: np.maximum(z, 0.0)  # noqa: E731
_holds = {
    "relu(x W1) W2 == relu(x W1 W2)": np.allclose(_r(_Z) @ _M2, _r(_Z @ _M2)),
    "relu(x W1 P) == relu(x W1) P  (P a permutation)": np.allclose(
        _r(_Z @ _P), _r(_Z) @ _P
    ),
    "relu(x W1 D) == relu(x W1) D  (D diagonal, positive)": np.allclose(
        _r(_Z @ _Dp), _r(_Z) @ _Dp
    ),
    "relu(x W1 D) == relu(x W1) D  (D diagonal, any sign)": np.allclose(
        _r(_Z @ _Da), _r(_Z) @ _Da
    ),
    "relu(a + b) == relu(a) + relu(b)": np.allclose(_r(_a + _b), _r(_a) + _r(_b)),
}
check.true(isinstance(legal, dict), "legal should be the dict of the five moves")
check.equal(sorted(legal), sorted(_holds), name="the moves answered (keep the keys)")
_missing = [m for m in _holds if not isinstance(legal[m], bool)]
check.true(
    not _missing,
    f"answer each move with True or False; {_missing[0]!r} is {legal[_missing[0]]!r}"
    if _missing
    else "",
)
_wrong = [m for m in _holds if legal[m] is not bool(_holds[m])]
check.true(
    not _wrong,
    f"{len(_wrong)} of 5 answers are wrong, among them {_wrong[0]!r}. "
    "Test it on random numbers: one counterexample makes a move illegal"
    if _wrong
    else "",
)
check.passed("07-legal-moves", hidden=False)

# %% id="c07-041"
# Numerical evidence for the table (a single counterexample settles "illegal").
Z = X @ W1
P = np.eye(d_hidden)[perm]
D_pos, D_any = np.diag(s), np.diag(s * np.array([1, -1, 1, -1, 1, 1]))
a, c = rng.normal(size=6), rng.normal(size=6)
print("permutation        ", np.allclose(relu(Z @ P), relu(Z) @ P))
print("positive diagonal  ", np.allclose(relu(Z @ D_pos), relu(Z) @ D_pos))
print("any-sign diagonal  ", np.allclose(relu(Z @ D_any), relu(Z) @ D_any))
print("split a sum        ", np.allclose(relu(a + c), relu(a) + relu(c)))
print("W2 into the box    ", np.allclose(relu(Z) @ W2, relu(Z @ W2)))

# %% [markdown] id="c07-042"
# ## 8. Looking ahead: a transformer is linear except for one box
#
# An attention-only transformer (no MLPs, layer norm set aside) has exactly one kind
# of nonlinear box: the **softmax** that turns attention scores into an attention
# pattern. Everything else — embedding, the value and output maps, the unembedding —
# is multilinear. So once we *hold the attention patterns fixed* (compute them, then
# treat them as given tensors, as we did with $\mathrm{ReLU}(XW_1)$ above), the whole
# model is one big diagram that can be expanded, reordered and decomposed. Chapters
# 08–10 do precisely that, and chapter 09 meets this chapter's lesson again: terms
# that pass *through* the softmax box (Q- and K-composition) cannot be multiplied out,
# terms that go *around* it (V-composition) can.
#
# ## Summary
#
# * A linear layer is a box with an input and an output leg; batch legs run straight
#   through; a batched tensor used twice meets its copy at a copy tensor.
# * Biases: a separate term, or an appended constant-1 leg.
# * Chains of linear maps contract into one map — a deep linear network is shallow.
# * Nonlinearities are boxes: contract inside, apply the function, continue outside;
#   only entry-by-entry moves (permutations, copies, and for ReLU positive scalings)
#   pass through.

# %% id="c07-043"
from tensorlessons.exercises import progress

progress()
