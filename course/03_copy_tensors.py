# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] id="03-000"
# # 03 · Copy tensors, reshaping, isometries
#
# *Follows the paper's (Taylor 2024) treatment of special tensors: copy tensors, reshaping, isometries.* Three kinds of
# tensor have so much structure that the notation gives them their own symbols and
# rules:
#
# - the **copy tensor** (a dot where several wires meet): it makes diagonal matrices,
#   elementwise (Hadamard) products and batch legs;
# - **reshaping**: grouping legs into one and splitting a leg into several;
# - **isometries** and **unitaries**: tensors that disappear when joined to their mirror
#   image — the reason SVD and tensor networks are so pleasant to draw.
#
# About 45 minutes, with six exercises.

# %% id="03-001"
import numpy as np

import tensorlessons as tl
from tensorlessons.exercises import Exercise, check, progress, same_value

np.set_printoptions(precision=3, suppress=True)
rng = np.random.default_rng(0)  # the same "random" numbers every time

# %% [markdown] id="03-002"
# ## The copy tensor
#
# The copy tensor (also *delta* tensor, or *spider*) has any number of legs, all of the
# same dimension, and its entries are
# $$\delta_{ijk\ldots} = \begin{cases} 1 & \text{if } i = j = k = \ldots \\ 0 &
# \text{otherwise.}\end{cases}$$
# It is drawn as a small dot. Whatever index value arrives on one leg is *copied* to all
# the others. `tl.copy_tensor(dim, n_legs)` makes one; `d.add_copy(name, dim, n_legs)`
# adds one to a diagram.

# %% id="03-003"
delta = tl.copy_tensor(3, n_legs=3)
arr = delta.contract()
print(
    "shape:",
    arr.shape,
    "  entries equal to 1 at:",
    [tuple(int(x) for x in idx) for idx in np.argwhere(arr)],
)

explicit = np.zeros((3, 3, 3))
for i in range(3):
    explicit[i, i, i] = 1.0
np.testing.assert_array_equal(arr, explicit)
print("✓ the copy tensor is 1 exactly where all indices agree")
tl.DiagramWidget(delta)

# %% [markdown] id="03-004"
# ### Two legs: a bare wire
#
# A copy tensor with two legs is $\delta_{ij}$, the **identity matrix** — and joining
# the identity to a leg changes nothing. So a 2-leg copy tensor is just a piece of wire,
# and may be drawn as one. (A 1-leg copy tensor is the all-ones vector: joining it to a
# leg sums that leg.)

# %% id="03-005"
np.testing.assert_array_equal(tl.copy_tensor(4, n_legs=2).contract(), np.eye(4))
print("✓ the 2-leg copy tensor is the identity matrix")

M = rng.normal(size=(2, 4))
with_wire = (
    tl.Diagram()
    .add_tensor("M", M, legs=["i", "j"])
    .add_copy("id", 4, n_legs=2, legs=["a", "b"])
)
with_wire.connect("M:j", "id:a")
with_wire.auto_layout()
just_M = tl.Diagram().add_tensor("M", M, legs=["i", "j"])

print(
    "M joined to a 2-leg copy tensor is the same diagram as M:",
    tl.equivalent(with_wire, just_M),
)
np.testing.assert_allclose(with_wire.contract(), M)
print("✓ and the numbers agree")
tl.DiagramWidget(with_wire)

# %% [markdown] id="03-006"
# ## A vector into a 3-leg copy tensor: a diagonal matrix
#
# Plug a vector $s$ into one leg of a 3-leg copy tensor. The two free legs carry the
# same index, so the result is $s_i$ when $i = j$ and $0$ otherwise: the **diagonal
# matrix** $\operatorname{diag}(s)$. `tl.diagonal(s)` draws it.

# %% id="03-007"
s = np.array([1.0, 2.0, 3.0])
diag_s = tl.diagonal(s, name="s")
print(diag_s.contract())
np.testing.assert_allclose(diag_s.contract(), np.diag(s))
print("✓ s into a copy tensor is np.diag(s);  einsum:", diag_s.to_einsum())
tl.DiagramWidget(diag_s)

# %% [markdown] id="03-008"
# The einsum string `a,aij->ij` needs the copy tensor as an array, because
# `np.einsum` cannot repeat a letter after `->`. But a diagonal matrix is rarely
# needed on its own. Multiply a matrix by it, $M \operatorname{diag}(s)$, and the copy
# tensor shows what really happens: each column $j$ of $M$ is scaled by $s_j$. In
# einsum, the letter `j` then appears **three times** — in `M`, in `s` and after `->`.
# A letter used by three or more legs *is* a copy tensor (a "hyperedge"): the diagram
# below draws it as a dot.

# %% id="03-009"
M = rng.normal(size=(2, 3))
scaled = tl.Diagram.from_einsum("ij,j->ij", M, s, names=["M", "s"])
np.testing.assert_allclose(scaled.contract(), M @ np.diag(s))
np.testing.assert_allclose(scaled.contract(), M * s)  # numpy broadcasting does the same
print("✓ 'ij,j->ij' is M @ diag(s), and M * s")
tl.DiagramWidget(scaled)

# %% [markdown] id="03-010"
# ## Two vectors into one copy tensor: the Hadamard product
#
# Plug two vectors into a 3-leg copy tensor: the free leg carries the index both
# vectors share, so the result is $u_i v_i$ — the **elementwise** (Hadamard) product
# `u * v`, einsum `i,i->i`. With the free leg closed too (`i,i->`) it is the dot
# product; with three vectors and no free leg, $\sum_i u_i v_i w_i$. As a matrix product
# that is $u^\top \operatorname{diag}(v)\, w$: a matrix product only after $v$ has been
# spread onto a diagonal matrix, which is exactly what the copy tensor does.
# `tl.hadamard` builds the diagram (for matrices it uses one copy tensor per leg).

# %% id="03-011"
u, v, w = rng.normal(size=4), rng.normal(size=4), rng.normal(size=4)

had = tl.hadamard(u, v, names=["u", "v"])
np.testing.assert_allclose(had.contract(), u * v)
np.testing.assert_allclose(np.einsum("i,i->i", u, v), u * v)
print("✓ u, v into a copy tensor = u * v = np.einsum('i,i->i', u, v)")

three = tl.Diagram.from_einsum("i,i,i->", u, v, w, names=["u", "v", "w"])
np.testing.assert_allclose(three.contract(), np.sum(u * v * w))
print("✓ three vectors into a closed copy tensor = sum(u * v * w)")
tl.DiagramWidget(had)

# %% [markdown] id="03-012"
# ### Copy tensors fuse
#
# Two copy tensors joined by a wire are one copy tensor with all their remaining legs
# (in the ZX-calculus this is called *spider fusion*): if every leg of each must carry
# the same index, so must every leg of both. Below, two 3-leg dots joined by one wire
# equal a single 4-leg dot.

# %% id="03-013"
two = (
    tl.Diagram()
    .add_copy("c1", 3, n_legs=3, legs=["a", "b", "x"])
    .add_copy("c2", 3, n_legs=3, legs=["x", "c", "d"])
)
two.connect("c1:x", "c2:x")
two.auto_layout()
np.testing.assert_array_equal(two.contract(), tl.copy_tensor(3, n_legs=4).contract())
print("✓ two joined copy tensors = one 4-leg copy tensor")
tl.DiagramWidget(two)

# %% [markdown] id="03-014"
# ## Batch legs and broadcasting
#
# Neural networks apply the same operation to every example of a batch (or every
# position of a sequence). In a diagram, a **batch leg** is a copy tensor joining the
# batch legs of the inputs *and* an open leg of the result: the same index runs through
# all of them, and nothing is summed.
#
# A batched matrix product: `X[b]` (2 × 3) times `Y[b]` (3 × 4) for every `b`, written
# `bij,bjk->bik`, and in numpy simply `X @ Y`. Below we build its diagram by hand, with
# an explicit copy tensor `batch` for the batch leg, and check that it is the same
# diagram as the einsum string (where the letter `b`, used three times, is the copy
# tensor):

# %% id="03-015"
X = rng.normal(size=(5, 2, 3))
Y = rng.normal(size=(5, 3, 4))

batched = tl.Diagram()
batched.add_tensor("X", X, legs=["b", "i", "j"], position=(0, 0))
batched.add_tensor("Y", Y, legs=["b", "j", "k"], position=(220, 0))
batched.add_copy("batch", 5, n_legs=3, legs=["x", "y", "out"], position=(110, 110))
batched.connect("X:j", "Y:j")  # the matrix product's wire
batched.connect("X:b", "batch:x")  # both batch legs into the copy tensor ...
batched.connect("Y:b", "batch:y")
# ... whose third leg is the result's batch leg; result legs in the order b, i, k
batched.set_output([batched.label_of(leg) for leg in ["batch:out", "X:i", "Y:k"]])

same = tl.equivalent(
    batched, tl.Diagram.from_einsum("bij,bjk->bik", X, Y, names=["X", "Y"])
)
print("the same diagram as 'bij,bjk->bik':", same)
np.testing.assert_allclose(batched.contract(), X @ Y)
np.testing.assert_allclose(batched.contract()[2], X[2] @ Y[2])
print("✓ 'bij,bjk->bik' = X @ Y: one matrix product per value of the batch leg b")
tl.DiagramWidget(batched)

# %% [markdown] id="03-016"
# Numpy's broadcasting is the same idea: `Z * gamma` with `Z` of shape (5, 3) and
# `gamma` of shape (3,) scales every row of `Z` by `gamma` — einsum `bd,d->bd`, a copy
# tensor on the `d` leg (as in $M\operatorname{diag}(s)$ above) while `b` just stays
# open.
#
# ## Reshaping: grouping and splitting legs
#
# `A.reshape(6, 4)` turns a (2, 3, 4) tensor into a matrix: the legs `i` (2) and `j` (3)
# become **one leg** of dimension 6. numpy groups in *row-major* order — the combined
# index is $3i + j$ — so `A.reshape(6, 4)[3 * i + j, k] == A[i, j, k]`. Splitting is
# the inverse: one leg of dimension 6 becomes two of dimensions 2 and 3.
#
# In the notation, grouped legs are often drawn as a thick wire, or as the legs
# running into a small *grouping tensor* $R_{ij,g}$ (1 when $g = 3i + j$). `tl.group_legs`
# and `tl.split_leg` do both.

# %% id="03-017"
A = rng.normal(size=(2, 3, 4))
grouped = tl.group_legs(A, ["i", "j"], "ij")
print("grouped legs:", grouped.output, "shape", grouped.shape)
np.testing.assert_allclose(grouped.contract(), A.reshape(6, 4))
print("✓ grouping legs i, j is A.reshape(6, 4)")

with_R = tl.group_legs(A, ["i", "j"], "ij", as_tensor=True)
print("with a grouping tensor:", with_R.to_einsum())
np.testing.assert_allclose(with_R.contract(), A.reshape(6, 4))

split = tl.split_leg(grouped, "ij", [("i", 2), ("j", 3)])
np.testing.assert_allclose(split.contract(), A)
print("✓ splitting the grouped leg gives A back")

# %% [markdown] id="03-018"
# Grouping legs of **two different tensors** needs the grouping tensor. Group the two
# legs of the outer product of `u` (2) and `v` (3) and you get one leg of dimension 6:
# the Kronecker product `np.kron(u, v)` of chapter 02.

# %% id="03-019"
u2, v3 = rng.normal(size=2), rng.normal(size=3)
kron = tl.group_legs(tl.Diagram.from_arrays({"u": u2, "v": v3}), ["u:i", "v:i"], "g")
for name, (x, y) in {"u": (0, -60), "v": (0, 60), "group": (150, 0)}.items():
    kron.move(name, x, y)
print("einsum:", kron.to_einsum(), "  result shape:", kron.shape)
np.testing.assert_allclose(kron.contract(), np.kron(u2, v3))
print("✓ u and v into a grouping tensor = np.kron(u, v)")
tl.DiagramWidget(kron)

# %% [markdown] id="03-020"
# Grouping legs that are **not neighbours** in the array needs a transpose first —
# numpy can only reshape neighbouring axes. In the diagram there is no such thing as
# "neighbouring legs", so you just group them:

# %% id="03-021"
ik = tl.group_legs(tl.Diagram.from_arrays({"A": A}), ["A:i", "A:k"], "ik")
np.testing.assert_allclose(ik.contract(), A.transpose(0, 2, 1).reshape(8, 3))
print(
    "✓ grouping legs i and k = A.transpose(0, 2, 1).reshape(8, 3); open legs", ik.output
)

# %% [markdown] id="03-022"
# ## Isometries, projectors and unitaries
#
# Write $U^\dagger$ ("U dagger") for the conjugate transpose of $U$. In a diagram
# $U^\dagger$ is drawn as the **mirror image** of $U$ (with complex-conjugated
# numbers); there is nothing to transpose, because legs have no order in the picture.
#
# A matrix $U$ of shape $n \times m$ with $n \ge m$ and orthonormal columns is an
# **isometry**: $U^\dagger U = I_m$. In the diagram, $U$ joined to its mirror image
# along the long leg ($n$) is just a wire — the pair can be erased. But the other way
# round, $UU^\dagger$ joined along the short leg ($m$), is **not** the identity: it is a
# **projector** $P$ onto the $m$-dimensional space spanned by the columns of $U$, with
# $P^2 = P$. When $n = m$ both are the identity and $U$ is **unitary**.

# %% id="03-023"
Z = rng.normal(size=(5, 2)) + 1j * rng.normal(size=(5, 2))
U, _ = np.linalg.qr(Z)  # U: 5 x 2, orthonormal (complex) columns
# tl.dagger draws U† as the mirror image of U: the same legs, conjugated numbers
np.testing.assert_allclose(tl.dagger(U, name="U†").contract(), U.conj())

UdU = tl.Diagram.from_einsum(
    "na,nb->ab", U.conj(), U, names=["U†", "U"]
)  # joined on the long leg n
UUd = tl.Diagram.from_einsum(
    "ia,ja->ij", U, U.conj(), names=["U", "U†"]
)  # joined on the short leg a

np.testing.assert_allclose(UdU.contract(), np.eye(2), atol=1e-12)
print("✓ U†U = I (2 x 2): the pair joined along n is a bare wire")
P = UUd.contract()
np.testing.assert_allclose(P @ P, P, atol=1e-12)
print(
    "✓ UU† = P is 5 x 5 with P @ P = P: a projector, trace",
    np.round(np.trace(P).real, 6),
    "= its rank",
)
print(
    "is_isometry(U):",
    tl.is_isometry(U),
    "  is_projector(P):",
    tl.is_projector(P),
    "  is_unitary(U):",
    tl.is_unitary(U),
)
tl.DiagramWidget(UdU)

# %% id="03-024"
tl.DiagramWidget(UUd)

# %% [markdown] id="03-025"
# A square isometry is unitary, and so is the grouping tensor of the previous section
# (seen as a matrix from the two small legs to the big one): reshaping never loses
# information.

# %% id="03-026"
Q, _ = np.linalg.qr(rng.normal(size=(4, 4)))
R = tl.grouping_tensor([2, 3])
print("square Q from QR is unitary:", tl.is_unitary(Q))
print("the grouping tensor R (2, 3, 6) is unitary:", tl.is_unitary(R))
np.testing.assert_allclose(Q.T @ Q, np.eye(4), atol=1e-12)
np.testing.assert_allclose(Q @ Q.T, np.eye(4), atol=1e-12)

# %% [markdown] id="03-027"
# Isometries come back in every later chapter: the SVD (chapter 04) writes any matrix as
# isometry · diagonal · isometry; tensor trains (chapter 06) are chains of isometries;
# and spotting $U^\dagger U$ pairs is how big diagrams get simplified.
#
# ## Exercises

# %% [markdown] id="03-028"
# ### Exercise 03.1 — draw the Hadamard product
#
# The widget shows two vectors `u`, `v` (4 entries each) and a 3-leg copy tensor `c`.
# Draw the elementwise product `u * v`.

# %% id="03-029" jupyter={"source_hidden": true}
# The set-up of the exercise (collapsed: it contains the hints).
u, v = np.random.default_rng(31).normal(size=(2, 4))  # the exercise's own numbers
start = (
    tl.Diagram()
    .add_tensor("u", u, legs=["i"])
    .add_tensor("v", v, legs=["i"])
    .add_copy("c", 4, n_legs=3)
)
for name, (x, y) in {"u": (80, 60), "v": (80, 240), "c": (260, 150)}.items():
    start.move(
        name, x, y
    )  # u and v on the left, the copy tensor between them on the right
ex03 = tl.DiagramExercise(
    "03-hadamard-draw",
    task="Draw u * v, the elementwise product, with the copy tensor c.",
    start=start,
    answer=same_value(u * v),  # what Check compares: the value of your diagram
    title="Draw the Hadamard product",
    difficulty=1,
    importance="core",
    minutes=4,
    hints=[
        "The result u * v is a vector: exactly one leg stays open.",
        "Whatever index arrives on one leg of a copy tensor is copied to its other legs.",
        "Which legs of the copy tensor should carry u's index and v's index, and which one the result's?",
    ],
)
ex03

# %% id="03-030" nbgrader={"grade": false, "grade_id": "03-hadamard-draw-code", "locked": false, "schema_version": 3, "solution": true}
# Answer by drawing above (then delete the `raise` line below), or in code here.
# BEGIN SOLUTION
mine = ex03.start.copy()
mine.connect("u:i", "c:i")
mine.connect("v:i", "c:j")
ex03.submit(mine)
# END SOLUTION

# %% id="03-031" nbgrader={"grade": true, "grade_id": "03-hadamard-draw", "locked": true, "points": 2, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 1, "importance": "core", "minutes": 4}
ex03.check()
u_, v_ = np.random.default_rng(31).normal(size=(2, 4))  # u and v, rebuilt
check.array(ex03.diagram.contract(), u_ * v_, name="the value of your diagram")
### BEGIN HIDDEN TESTS
check.diagram(ex03.diagram, tl.hadamard(u_, v_, names=["u", "v"]))
### END HIDDEN TESTS
check.passed("03-hadamard-draw", hidden=True)

# %% [markdown] id="03-032"
# ### Exercise 03.2 — a diagonal without `np.diag`
#
# Write an einsum string `expr_scale` such that `np.einsum(expr_scale, N, t)` is
# $\operatorname{diag}(t)\, N$ — every **row** $i$ of `N` scaled by `t[i]` — without
# building the diagonal matrix. Then set `rows_scaled = np.einsum(expr_scale, N, t)`.

# %% id="03-033"
N = np.random.default_rng(32).normal(size=(3, 4))  # the exercise's own numbers
t = np.array([1.0, -2.0, 0.5])

# %% id="03-034" jupyter={"source_hidden": true}
Exercise(
    "03-diagonal",
    title="A diagonal without np.diag",
    difficulty=1,
    importance="core",
    minutes=4,
    hints=[
        "diag(t) N keeps both legs of N open; t is joined to N's first leg through a copy tensor.",
        "The letter of N's first leg appears three times: in N, in t and after '->'.",
    ],
)

# %% id="03-035" nbgrader={"grade": false, "grade_id": "03-diagonal-code", "locked": false, "schema_version": 3, "solution": true}
# BEGIN SOLUTION
expr_scale = "ij,i->ij"
rows_scaled = np.einsum(expr_scale, N, t)
# END SOLUTION

# %% id="03-036" nbgrader={"grade": true, "grade_id": "03-diagonal", "locked": true, "points": 1, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 1, "importance": "core", "minutes": 4}
N_ = np.random.default_rng(32).normal(size=(3, 4))  # N and t, rebuilt
t_ = np.array([1.0, -2.0, 0.5])
check.einsum(expr_scale, N_, t_, expected=np.diag(t_) @ N_, name="expr_scale")
check.array(rows_scaled, np.diag(t_) @ N_, name="rows_scaled")
check.passed("03-diagonal", hidden=False)

# %% [markdown] id="03-037"
# ### Exercise 03.3 — a batch leg
#
# `W` holds one 3 × 4 matrix for each of 6 examples (shape (6, 3, 4)), and `xs` one
# 4-vector per example (shape (6, 4)). Write `expr_batch` so that
# `np.einsum(expr_batch, W, xs)` has shape (6, 3), row `b` being `W[b] @ xs[b]`.

# %% id="03-038"
_rb = np.random.default_rng(33)  # the exercise's own numbers
W, xs = _rb.normal(size=(6, 3, 4)), _rb.normal(size=(6, 4))

# %% id="03-039" jupyter={"source_hidden": true}
Exercise(
    "03-batch",
    title="A batch leg",
    difficulty=2,
    importance="core",
    minutes=4,
    hints=[
        "Write the product for one example first: 'ij,j->i'.",
        "The batch leg is shared by W, xs and the result, and never summed.",
    ],
)

# %% id="03-040" nbgrader={"grade": false, "grade_id": "03-batch-code", "locked": false, "schema_version": 3, "solution": true}
# BEGIN SOLUTION
expr_batch = "bij,bj->bi"
# END SOLUTION

# %% id="03-041" nbgrader={"grade": true, "grade_id": "03-batch", "locked": true, "points": 1, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 2, "importance": "core", "minutes": 4}
_rb = np.random.default_rng(33)  # W and xs, rebuilt
W_, xs_ = _rb.normal(size=(6, 3, 4)), _rb.normal(size=(6, 4))
want = np.stack([W_[b] @ xs_[b] for b in range(6)])
check.einsum(expr_batch, W_, xs_, expected=want, name="expr_batch")
### BEGIN HIDDEN TESTS
_rh = np.random.default_rng(330)
W2, x2 = _rh.normal(size=(2, 5, 3)), _rh.normal(size=(2, 3))
check.einsum(
    expr_batch,
    W2,
    x2,
    expected=np.stack([W2[b] @ x2[b] for b in range(2)]),
    name="expr_batch (on other shapes)",
)
### END HIDDEN TESTS
check.passed("03-batch", hidden=True)

# %% [markdown] id="03-042"
# ### Exercise 03.4 — group legs that are not neighbours
#
# `T4` has legs `i, j, k, l` of dimensions (2, 3, 4, 5). Make the matrix `T_mat` whose
# rows group the legs `(i, k)` and whose columns group `(j, l)`, both row-major, so that
# `T_mat[4 * i + k, 5 * j + l] == T4[i, j, k, l]`. Use numpy (`transpose` and
# `reshape`); check your idea with `tl.group_legs` if you like.

# %% id="03-043"
T4 = np.random.default_rng(34).normal(size=(2, 3, 4, 5))  # the exercise's own numbers

# %% id="03-044" jupyter={"source_hidden": true}
Exercise(
    "03-group-legs",
    title="Group legs that are not neighbours",
    difficulty=2,
    importance="core",
    minutes=6,
    hints=[
        "numpy's reshape groups neighbouring axes only, in their current order.",
        "First reorder the axes so that each group's legs sit next to each other, in the order asked for.",
        "The shape after grouping is (2 * 4, 3 * 5).",
    ],
)

# %% id="03-045" nbgrader={"grade": false, "grade_id": "03-group-legs-code", "locked": false, "schema_version": 3, "solution": true}
# BEGIN SOLUTION
T_mat = T4.transpose(0, 2, 1, 3).reshape(8, 15)
# END SOLUTION

# %% id="03-046" nbgrader={"grade": true, "grade_id": "03-group-legs", "locked": true, "points": 1, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 2, "importance": "core", "minutes": 6}
T4_ = np.random.default_rng(34).normal(size=(2, 3, 4, 5))  # T4, rebuilt
wanted = np.empty((8, 15))  # the task's definition, entry by entry
for i_, j_, k_, l_ in np.ndindex(2, 3, 4, 5):
    wanted[4 * i_ + k_, 5 * j_ + l_] = T4_[i_, j_, k_, l_]
check.array(
    T_mat,
    wanted,
    name="T_mat",
    slips={
        "that is T4.reshape(8, 15): reshape groups neighbouring legs (rows (i, j) "
        "and part of k), so reorder the axes first.": T4_.reshape(8, 15),
        "the rows group (k, i), not (i, k): T_mat[4 * i + k] needs i first "
        "(row-major).": T4_.transpose(2, 0, 3, 1).reshape(8, 15),
    },
)
check.passed("03-group-legs", hidden=False)

# %% [markdown] id="03-047"
# ### Exercise 03.5 — an isometry and its projector
#
# `V` below is a 6 × 2 **complex** isometry. Compute
# - `gram`: $V^\dagger V$ (2 × 2);
# - `P`: $V V^\dagger$ (6 × 6);
# - `rank_P`: the matrix rank of `P` (a number; use `np.linalg.matrix_rank`).
#
# Careful: $\dagger$ is the *conjugate* transpose.

# %% id="03-048"
_rv = np.random.default_rng(35)  # the exercise's own numbers
V, _ = np.linalg.qr(_rv.normal(size=(6, 2)) + 1j * _rv.normal(size=(6, 2)))

# %% id="03-049" jupyter={"source_hidden": true}
Exercise(
    "03-isometry",
    title="An isometry and its projector",
    difficulty=2,
    importance="core",
    minutes=6,
    hints=[
        "V† is V.conj().T; .T alone forgets the complex conjugate.",
        "V†V joins the two copies along the long leg (6); VV† along the short leg (2).",
        "A projector's rank is the dimension of the space it projects onto.",
    ],
)

# %% id="03-050" nbgrader={"grade": false, "grade_id": "03-isometry-code", "locked": false, "schema_version": 3, "solution": true}
# BEGIN SOLUTION
gram = V.conj().T @ V
P = V @ V.conj().T
rank_P = np.linalg.matrix_rank(P)
# END SOLUTION

# %% id="03-051" nbgrader={"grade": true, "grade_id": "03-isometry", "locked": true, "points": 2, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 2, "importance": "core", "minutes": 6}
_rv = np.random.default_rng(35)  # V, rebuilt: yours may have changed
V_, _ = np.linalg.qr(_rv.normal(size=(6, 2)) + 1j * _rv.normal(size=(6, 2)))
check.array(
    gram,
    np.eye(2),
    name="gram (V†V)",
    atol=1e-10,
    slips={
        "that is V.T @ V: the dagger is the *conjugate* transpose.": V_.T @ V_,
        "that is V V† (6 x 6); V†V joins the two copies along the long leg.": (
            V_ @ V_.conj().T
        ),
    },
)
check.array(
    P,
    V_ @ V_.conj().T,
    name="P (V V†)",
    atol=1e-10,
    slips={
        "that is V V.T, without the complex conjugate.": V_ @ V_.T,
        "that is the complex conjugate of V V†: conjugate the right-hand copy, "
        "V @ V.conj().T.": V_.conj() @ V_.T,
        "that is V†V (2 x 2); V V† joins the copies along the short leg.": (
            V_.conj().T @ V_
        ),
    },
)
check.true(
    np.ndim(rank_P) == 0 and int(rank_P) != 6,
    "rank_P = 6 would make P the identity; a projector onto the span of 2 columns "
    "has rank 2.",
)
check.equal(int(rank_P), 2, name="rank_P", show_expected=False)
check.passed("03-isometry", hidden=False)

# %% [markdown] id="03-054"
# ### Exercise 03.6 — an elementwise product inside a trace
#
# `Ah` is 3 × 4, `Bh` and `Ch` are 4 × 3. Write **one** einsum string `expr_htr` such that
# `np.einsum(expr_htr, Ah, Bh, Ch)` is $\operatorname{tr}\big(A_h\,(B_h \circ C_h)\big)$,
# where $\circ$ is the elementwise product — without computing `Bh * Ch` first. Draw
# the diagram on paper first: where do the copy tensors go?

# %% id="03-055" jupyter={"source_hidden": true}
Exercise(
    "03-hadamard-trace",
    title="An elementwise product inside a trace",
    difficulty=3,
    importance="core",
    minutes=10,
    hints=[
        "B ∘ C is a matrix with two legs; each leg is a copy tensor joining a leg of B and the same leg of C.",
        "A (B ∘ C) joins A's second leg to the first leg of B ∘ C; the trace then closes the loop.",
        "A letter may appear three times before '->': once in each tensor it joins.",
    ],
)

# %% id="03-056"
_rh = np.random.default_rng(36)  # the exercise's own numbers
Ah, Bh, Ch = _rh.normal(size=(3, 4)), _rh.normal(size=(4, 3)), _rh.normal(size=(4, 3))

# %% id="03-057" nbgrader={"grade": false, "grade_id": "03-hadamard-trace-code", "locked": false, "schema_version": 3, "solution": true}
# BEGIN SOLUTION
expr_htr = "ij,ji,ji->"
# END SOLUTION

# %% id="03-058" nbgrader={"grade": true, "grade_id": "03-hadamard-trace", "locked": true, "points": 3, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 3, "importance": "core", "minutes": 10}
_rh = np.random.default_rng(36)  # the matrices, rebuilt
Ah_, Bh_, Ch_ = (
    _rh.normal(size=(3, 4)),
    _rh.normal(size=(4, 3)),
    _rh.normal(size=(4, 3)),
)
check.true(
    isinstance(expr_htr, str), "expr_htr should be an einsum string, like 'ij,jk->ik'"
)
check.true(
    "->" not in expr_htr or expr_htr.split("->")[1].strip() == "",
    f"expr_htr = {expr_htr!r} leaves legs open after '->'; a trace leaves none.",
)
check.einsum(
    expr_htr,
    Ah_,
    Bh_,
    Ch_,
    expected=np.trace(Ah_ @ (Bh_ * Ch_)),
    name="expr_htr",
    slips={
        "that is the sum of all entries of A(B ∘ C), not its trace: close the loop "
        "(the trace joins the last leg back to the first).": np.sum(Ah_ @ (Bh_ * Ch_)),
    },
)
check.passed("03-hadamard-trace", hidden=False)

# %% [markdown] id="03-052"
# ## Summary
#
# - The copy tensor is 1 where all its indices agree. With 2 legs it is a wire; a
#   vector into 3 legs is a diagonal matrix; two vectors into 3 legs, the Hadamard
#   product; joined copy tensors fuse into one.
# - A letter used three or more times in an einsum string is a copy tensor; a batch
#   leg is a copy tensor with an open leg.
# - Reshaping is grouping legs (row-major) or splitting one; legs that are not
#   neighbours in the array need a transpose first — not in the diagram.
# - An isometry satisfies $U^\dagger U = I$ (the pair is a wire) while $UU^\dagger$ is
#   only a projector; a unitary satisfies both.
#
# Next, **`04_svd.ipynb`**: every matrix is isometry · diagonal · isometry.

# %% id="03-053"
progress()
