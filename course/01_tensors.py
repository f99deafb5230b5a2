# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] id="01-000"
# # 01 · Tensors and their legs
#
# *Follows the opening of the paper (Taylor 2024): what a tensor is and how it is drawn.* In this chapter:
#
# - a tensor is an array of numbers; each of its indices is drawn as a **leg**;
# - the number of legs is the tensor's **order**; each leg has a **dimension**;
# - fixing every leg picks out one number (`A[0, 2, 0]`), fixing some legs picks a
#   smaller tensor (a slice) — and in the picture, fixing a leg is plugging a vector
#   into it;
# - the memory a tensor needs grows **exponentially** with its number of legs, which is
#   why big tensors are kept as networks of small ones.
#
# About 30 minutes, with four exercises and an optional fifth.

# %% id="01-001"
import numpy as np

import tensorlessons as tl
from tensorlessons.exercises import Exercise, check, progress, same_value

np.set_printoptions(precision=3, suppress=True)
rng = np.random.default_rng(0)  # the same "random" numbers every time

# %% [markdown] id="01-002"
# ## A tensor is an array of numbers
#
# In deep learning, and in this course, a *tensor* is simply a multi-dimensional array
# of numbers — a numpy `ndarray`. To find one number in it you give one index per axis.
# Graphical notation draws the tensor as a shape and each index as a line sticking out
# of it: a **leg**.
#
# | numpy | indices | legs | name |
# |---|---|---|---|
# | `s = np.array(7.0)` | none: `s[()]` | 0 | scalar |
# | `v = np.zeros(4)` | `v[i]` | 1 | vector |
# | `M = np.zeros((2, 3))` | `M[i, j]` | 2 | matrix |
# | `A = np.zeros((2, 3, 4))` | `A[i, j, k]` | 3 | order-3 tensor |
#
# The number of legs is the tensor's **order** (numpy calls it `ndim`). Each leg has
# a **dimension**: how many values its index can take, the length of that axis.
# Below, the four tensors of the table, each as its own live diagram.

# %% id="01-003"
s = np.array(7.0)
v = rng.normal(size=4)
M = rng.normal(size=(2, 3))
A = rng.normal(size=(2, 3, 4))

for name, arr in [("s", s), ("v", v), ("M", M), ("A", A)]:
    print(f"{name}: order (number of legs) = {arr.ndim}, shape = {arr.shape}")

scalar = tl.Diagram().add_tensor("s", s)
vector = tl.Diagram().add_tensor("v", v, legs=["i"])
matrix = tl.Diagram().add_tensor("M", M, legs=["i", "j"])
order3 = tl.Diagram().add_tensor("A", A, legs=["i", "j", "k"])

# %% id="01-004"
tl.DiagramWidget(scalar)

# %% id="01-005"
tl.DiagramWidget(vector)

# %% id="01-006"
tl.DiagramWidget(matrix)

# %% id="01-007"
w3 = tl.DiagramWidget(order3)
w3

# %% [markdown] id="01-008"
# The scalar has no legs at all: it is just a number. Each label reads `name (dimension)`:
# `k (4)` is leg `k`, dimension 4 — the last axis of `A`, whose shape is `(2, 3, 4)`.
# Under each picture, the result panel shows the values. For `A`, with three legs, it
# shows one matrix at a time: `slice i=0` is `A[0, :, :]`; type another value of `i`
# to see `A[1, :, :]`. Choosing a value for a leg is called *fixing* it — more on that
# below.
#
# The diagram knows the same facts as numpy:

# %% id="01-009"
t = order3.tensor("A")
print("legs:      ", t.legs)
print("dimensions:", t.dims)
print("order:     ", t.order)

assert t.order == A.ndim and tuple(t.dims) == A.shape
np.testing.assert_array_equal(order3.contract(), A)  # a lone tensor is just itself
print("✓ the diagram of A is A")

# %% [markdown] id="01-010"
# **Legs have names, not places.** numpy knows its axes by position (axis 0, 1, 2);
# a diagram knows its legs by name. Drag `A` around in the widget above, or rename a
# leg (double-click its label): the tensor is unchanged. Which leg sticks out on which
# side carries no meaning — we come back to this in chapter 02.
#
# **A word on names.** This notation is also called *tensor-network notation*,
# *Penrose graphical notation* (Roger Penrose introduced it in 1971) and, in category
# theory, *string diagrams*; the ZX-calculus of quantum computing is a close relative.
#
# **A trap: "rank".** Some libraries and texts call the number of legs the tensor's
# *rank*. Linear algebra uses *rank* for something else: the number of independent
# rows of a matrix (`np.linalg.matrix_rank`). A 3 × 3 matrix of ones has 2 legs but
# matrix rank 1. In this course the number of legs is always the **order**, and *rank*
# always means matrix rank (or, in chapter 05, the CP rank and Tucker ranks of a
# tensor).

# %% id="01-011"
J = np.ones((3, 3))
print("order (legs):", J.ndim, "   matrix rank:", np.linalg.matrix_rank(J))


# %% [markdown] id="01-012"
# ## Fixing every leg picks out one number
#
# Choose a value for every leg — say $i = 0$, $j = 2$, $k = 0$ — and you have named one
# entry of the tensor: `A[0, 2, 0]`.
#
# In the picture, *fixing a leg* is done by plugging a **basis vector** into it: the
# vector $e_2 = (0, 0, 1)$ joined to leg `j` sums $\sum_j A_{ijk} (e_2)_j = A_{i2k}$,
# which keeps only the entries with $j = 2$. Plug a basis vector into every leg and
# nothing is left open: the diagram is a single number.


# %% id="01-013"
def basis(n, position):
    """The basis vector e_position of dimension n: all zeros and a single 1."""
    e = np.zeros(n)
    e[position] = 1.0
    return e


pick = tl.Diagram.from_einsum(
    "ijk,i,j,k->",
    A,
    basis(2, 0),
    basis(3, 2),
    basis(4, 0),
    names=["A", "e0", "e2", "e0'"],
)
tl.DiagramWidget(pick)

# %% id="01-014"
print("the diagram:", float(pick.contract()))
print("A[0, 2, 0]: ", A[0, 2, 0])
np.testing.assert_allclose(pick.contract(), A[0, 2, 0])
print("✓ plugging in e0, e2, e0 is indexing A[0, 2, 0]")

# %% [markdown] id="01-015"
# ## Fixing some legs picks out a smaller tensor
#
# Fix only `j = 2` and two legs stay open: the result is the matrix `A[:, 2, :]`, a
# *slice* of `A`. The number of legs of the result is always the number of open legs
# of the diagram.

# %% id="01-016"
slice_j2 = tl.Diagram.from_einsum("ijk,j->ik", A, basis(3, 2), names=["A", "e2"])
print("open legs:", slice_j2.output, " shape:", slice_j2.shape)
np.testing.assert_allclose(slice_j2.contract(), A[:, 2, :])
print("✓ the diagram is A[:, 2, :]")
tl.DiagramWidget(slice_j2)

# %% [markdown] id="01-017"
# Plugging in a vector that is *not* a basis vector gives a weighted mix of slices:
# `np.einsum("ijk,j->ik", A, w)` is `w[0]*A[:,0,:] + w[1]*A[:,1,:] + w[2]*A[:,2,:]`.
# (This is what a matrix does to a vector, too: a weighted sum of its columns.)

# %% id="01-018"
w = np.array([0.5, 0.5, 0.0])  # half of slice 0 plus half of slice 1
mix = tl.Diagram.from_einsum("ijk,j->ik", A, w, names=["A", "w"])
np.testing.assert_allclose(mix.contract(), 0.5 * A[:, 0, :] + 0.5 * A[:, 1, :])
print("✓ a non-basis vector on leg j mixes the slices A[:, j, :]")

# %% [markdown] id="01-019"
# ## Memory grows exponentially with the number of legs
#
# A tensor with $n$ legs of dimension $d$ holds $d^n$ numbers. Each float64 number
# takes 8 bytes. Adding one leg multiplies the size by $d$:

# %% id="01-020"
print(
    f"{'legs':>4}  {'numbers (d=2)':>13}  {'numbers (d=10)':>26}  {'memory (d=10, float64)':>24}"
)
for n in [1, 2, 3, 4, 8, 12, 16, 20]:
    size = 10**n * 8
    human = (
        f"{size / 1e9:,.1f} GB" if size >= 1e9 else f"{size:,} bytes"
    )  # 1 GB = 10⁹ bytes
    print(f"{n:>4}  {2**n:>13,}  {10**n:>26,}  {human:>24}")

print(
    "check with numpy: a (10, 10, 10, 10) array takes",
    np.zeros((10,) * 4).nbytes,
    "bytes",
)

# %% [markdown] id="01-021"
# A 20-leg tensor with dimension 10 on each leg would need $8 \times 10^{20}$ bytes —
# 800 billion gigabytes.
# Tensors like this appear all the time — the joint distribution of 20 ten-valued
# variables, the state of 20 quantum systems, a neural network's output over all
# 20-token inputs — but nobody stores them. Instead they are kept as **networks of
# small tensors** whose contraction *would* give the big one. Here is a first
# example: 8 small tensors in a chain, each joined to its neighbours by a wire of
# dimension 3 (a *bond*). The diagram has 8 open legs of dimension 2, so it stands for a
# $2^8 = 256$-number tensor, while storing fewer numbers. (Chapter 06 shows how to find
# such a chain for a given tensor and what is lost.)

# %% id="01-022"
d, chi = 2, 3  # open legs of dimension d, bonds of dimension chi
cores = (
    [rng.normal(size=(d, chi))]
    + [rng.normal(size=(chi, d, chi)) for _ in range(6)]
    + [rng.normal(size=(chi, d))]
)
# open legs a..h (dimension 2), bonds A..G (dimension 3)
expr = "aA,AbB,BcC,CdD,DeE,EfF,FgG,Gh->abcdefgh"
chain = tl.Diagram.from_einsum(expr, *cores, names=[f"T{k}" for k in range(8)])

stored = sum(core.size for core in cores)
full = chain.contract()
print("the chain stores", stored, "numbers;")
print("the tensor it stands for has", full.size, "numbers, shape", full.shape)
tl.DiagramWidget(chain)

# %% [markdown] id="01-023"
# With 8 legs the saving is small; with $n$ legs the chain stores about $n \cdot d
# \cdot \chi^2$ numbers (bond dimension $\chi$) instead of $d^n$ — linear instead of
# exponential: with 20 legs and $\chi = 3$ that is about 360 numbers instead of a million.
#
# ## Exercises

# %% [markdown] id="01-024"
# ### Exercise 01.1 — read one number
#
# `T` below is an order-3 tensor with legs `i, j, k` (in that order). Store in `value`
# the number the diagram gives when `i = 1`, `j = 0` and `k = 3` are fixed.

# %% id="01-025"
T = np.random.default_rng(11).normal(size=(2, 3, 4)).round(2)  # the exercise's own

# %% id="01-026" jupyter={"source_hidden": true}
Exercise(
    "01-index",
    title="Fixing every leg picks one number",
    difficulty=1,
    importance="core",
    minutes=2,
    hints=[
        "Fixing every leg of T names one entry of the array.",
        "numpy indexing takes one index per leg, in the order of the legs: T[i, j, k].",
    ],
)

# %% id="01-027" nbgrader={"grade": false, "grade_id": "01-index-code", "locked": false, "schema_version": 3, "solution": true}
# BEGIN SOLUTION
value = T[1, 0, 3]
# END SOLUTION

# %% id="01-028" nbgrader={"grade": true, "grade_id": "01-index", "locked": true, "points": 1, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 1, "importance": "core", "minutes": 2}
T_ = np.random.default_rng(11).normal(size=(2, 3, 4)).round(2)  # T, rebuilt
check.entry(value, T_, (1, 0, 3), name="value")
check.passed("01-index", hidden=False)

# %% [markdown] id="01-029"
# ### Exercise 01.2 — order, dimensions, and the other "rank"
#
# For the matrix `P` below (a 4 × 6 matrix built from two vectors), give:
#
# - `order_P`: its order (the number of legs);
# - `dims_P`: the tuple of its leg dimensions;
# - `rank_P`: its *matrix* rank.
#
# Compute them with numpy rather than by eye.

# %% id="01-030"
_rp = np.random.default_rng(12)  # the exercise's own numbers
P = np.outer(_rp.normal(size=4), _rp.normal(size=6))

# %% id="01-031" jupyter={"source_hidden": true}
Exercise(
    "01-order-rank",
    title="Order, dimensions, and the other 'rank'",
    difficulty=1,
    importance="core",
    minutes=4,
    hints=[
        "Order and dimensions are attributes of every numpy array.",
        "numpy calls the order ndim; the dimensions are its shape.",
        "The matrix rank counts independent rows: numpy's linear-algebra module computes it.",
    ],
)

# %% id="01-032" nbgrader={"grade": false, "grade_id": "01-order-rank-code", "locked": false, "schema_version": 3, "solution": true}
# BEGIN SOLUTION
order_P = P.ndim
dims_P = P.shape
rank_P = np.linalg.matrix_rank(P)
# END SOLUTION

# %% id="01-033" nbgrader={"grade": true, "grade_id": "01-order-rank", "locked": true, "points": 1, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 1, "importance": "core", "minutes": 4}
_rp = np.random.default_rng(12)  # P, rebuilt: yours may have changed
P_ = np.outer(_rp.normal(size=4), _rp.normal(size=6))
check.true(
    np.ndim(order_P) == 0 and order_P != P_.size,
    "order_P should be the number of legs; P.size is the number of entries.",
)
check.true(order_P != len(P_), "len(P) is the first dimension, not the number of legs.")
check.equal(
    int(order_P), P_.ndim, name="order_P (the number of legs)", show_expected=False
)
check.true(
    isinstance(dims_P, (tuple, list)),
    f"dims_P should be a tuple of leg dimensions, like (2, 3); got {dims_P!r}.",
)
check.true(
    tuple(dims_P) != P_.shape[::-1], "dims_P lists the dimensions in reverse order."
)
check.equal(tuple(int(n) for n in dims_P), P_.shape, name="dims_P")
check.true(
    np.ndim(rank_P) == 0 and int(rank_P) != P_.ndim,
    "rank_P is the order (the number of legs); the matrix rank is another thing.",
)
check.true(
    int(rank_P) != min(P_.shape),
    f"{min(P_.shape)} is the largest rank a {P_.shape[0]} x {P_.shape[1]} matrix can "
    "have; compute the rank of this one.",
)
check.equal(
    int(rank_P),
    int(np.linalg.matrix_rank(P_)),
    name="rank_P (the matrix rank)",
    show_expected=False,
)
check.passed("01-order-rank", hidden=False)

# %% [markdown] id="01-034"
# ### Exercise 01.3 — pick a number by drawing
#
# The diagram below has an order-3 tensor `T3` whose legs `i, j, k` all have dimension 3,
# and the three basis vectors `e0`, `e1`, `e2` of dimension 3 (`e1 = (0, 1, 0)`, …).
# Draw a diagram whose value is **`T3[2, 0, 1]`**, using each vector once.
#
# Draw it in the widget (press **Check**, then delete the `raise` line in the cell under
# it), or answer in code in that cell as in chapter 00: `mine = ex01.start.copy()`, edit
# `mine`, `ex01.submit(mine)`.

# %% id="01-035"
T3 = np.random.default_rng(13).normal(size=(3, 3, 3))  # the exercise's own numbers
e0, e1, e2 = np.eye(3)

# %% id="01-036" jupyter={"source_hidden": true}
# The set-up of the exercise (collapsed: it contains the hints).
start = tl.Diagram.from_einsum(
    "ijk,a,b,c->ijkabc", T3, e0, e1, e2, names=["T3", "e0", "e1", "e2"]
)
# the vectors in a column right of T3: every wire gets its own line
places = {"T3": (100, 160), "e0": (340, 50), "e1": (340, 160), "e2": (340, 270)}
for name, (x, y) in places.items():
    start.move(name, x, y)
ex01 = tl.DiagramExercise(
    "01-pick-draw",
    task="Draw T3[2, 0, 1]: a diagram of T3 and the vectors e0, e1, e2 whose value is that entry.",
    start=start,
    answer=same_value(T3[2, 0, 1]),  # what Check compares: the value of your diagram
    title="Pick a number by drawing",
    difficulty=2,
    importance="core",
    minutes=5,
    hints=[
        "Plugging the basis vector e_n into a leg fixes that leg's index to n.",
        "T3[2, 0, 1] fixes i = 2, j = 0, k = 1.",
        "Which vector fixes a leg to the value 2? Nothing stays open when you are done.",
    ],
)
ex01

# %% id="01-037" nbgrader={"grade": false, "grade_id": "01-pick-draw-code", "locked": false, "schema_version": 3, "solution": true}
# Answer by drawing above (then delete the `raise` line below), or in code here.
# BEGIN SOLUTION
mine = ex01.start.copy()
mine.connect("e2:c", "T3:i")
mine.connect("e0:a", "T3:j")
mine.connect("e1:b", "T3:k")
ex01.submit(mine)
# END SOLUTION

# %% id="01-038" nbgrader={"grade": true, "grade_id": "01-pick-draw", "locked": true, "points": 2, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 2, "importance": "core", "minutes": 5}
ex01.check()
T3_ = np.random.default_rng(13).normal(size=(3, 3, 3))  # T3, rebuilt
check.array(ex01.diagram.contract(), T3_[2, 0, 1], name="the value of your diagram")
### BEGIN HIDDEN TESTS
_reference = ex01.start.copy()
for _vector_leg, _tensor_leg in [("e2:c", "T3:i"), ("e0:a", "T3:j"), ("e1:b", "T3:k")]:
    _reference.connect(_vector_leg, _tensor_leg)
check.diagram(ex01.diagram, _reference)
### END HIDDEN TESTS
check.passed("01-pick-draw", hidden=True)

# %% [markdown] id="01-039"
# ### Exercise 01.4 — how big?
#
# A tensor has 16 legs, each of dimension 4, and stores float64 numbers (8 bytes each).
#
# - `n_numbers`: how many numbers does it hold?
# - `gigabytes`: how many gigabytes (10⁹ bytes) does it take?
# - `n_chain`: the same tensor written as a chain like the one above, with 16 small
#   tensors, bond dimension 10: the two end tensors have shape (4, 10), the 14 inner ones
#   (10, 4, 10). How many numbers does the chain store?

# %% id="01-040" jupyter={"source_hidden": true}
Exercise(
    "01-memory",
    title="Memory grows exponentially with the number of legs",
    difficulty=2,
    importance="core",
    minutes=5,
    hints=[
        "A tensor with n legs of dimension d holds d**n numbers.",
        "Each number takes 8 bytes, and a gigabyte here is 10**9 bytes (not 2**30).",
        "For the chain, count each small tensor's numbers (the product of its dimensions) and add.",
    ],
)

# %% id="01-041" nbgrader={"grade": false, "grade_id": "01-memory-code", "locked": false, "schema_version": 3, "solution": true}
# BEGIN SOLUTION
n_numbers = 4**16
gigabytes = n_numbers * 8 / 1e9
n_chain = 2 * 4 * 10 + 14 * 10 * 4 * 10
# END SOLUTION

# %% id="01-042" nbgrader={"grade": true, "grade_id": "01-memory", "locked": true, "points": 1, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 2, "importance": "core", "minutes": 5}
check.true(np.ndim(n_numbers) == 0, "n_numbers should be one number")
check.true(
    n_numbers != 16**4,
    "n_numbers is 16**4: the dimension goes to the power of the number of legs.",
)
check.equal(int(n_numbers), 4**16, name="n_numbers", show_expected=False)
nbytes = 4**16 * 8
check.close(
    gigabytes,
    nbytes / 1e9,
    name="gigabytes",
    show_expected=False,
    slips={
        "that is in GiB (2**30 bytes); a gigabyte is 10**9 bytes.": nbytes / 2**30,
        "that counts one byte per number; a float64 takes 8.": nbytes / 8 / 1e9,
        "that is in bytes; divide by 10**9.": nbytes,
    },
)
check.close(
    n_chain,
    2 * (4 * 10) + 14 * (10 * 4 * 10),
    name="n_chain",
    show_expected=False,
    slips={
        "the two end tensors are missing.": 14 * (10 * 4 * 10),
        "all 16 counted as inner tensors; the two ends have one bond each.": 16 * 400,
        "an inner tensor has two bonds: (10, 4, 10).": 2 * 40 + 14 * 40,
    },
)
check.passed("01-memory", hidden=False)

# %% [markdown] id="01-043"
# ### Exercise 01.5 (optional) — a slice as a diagram
#
# Build a diagram `slice_diagram` (with `tl.Diagram.from_einsum`, tensors named `"T"` and
# `"e"`) whose value is the slice `T[:, 1, :]` of the tensor `T` from exercise 01.1. Use
# the function `basis` from above.

# %% id="01-044" jupyter={"source_hidden": true}
Exercise(
    "01-slice",
    title="A slice as a diagram",
    difficulty=2,
    importance="optional",
    minutes=4,
    hints=[
        "Fixing the middle leg to 1 means plugging a basis vector into it.",
        "The other two legs stay open: they are the legs of the result.",
        "Compare with slice_j2 above, which fixed j = 2 of A.",
    ],
)

# %% id="01-045" nbgrader={"grade": false, "grade_id": "01-slice-code", "locked": false, "schema_version": 3, "solution": true}
# BEGIN SOLUTION
slice_diagram = tl.Diagram.from_einsum("ijk,j->ik", T, basis(3, 1), names=["T", "e"])
# END SOLUTION

# %% id="01-046" nbgrader={"grade": true, "grade_id": "01-slice", "locked": true, "points": 1, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 2, "importance": "optional", "minutes": 4}
T_ = np.random.default_rng(11).normal(size=(2, 3, 4)).round(2)  # T, rebuilt
check.true(
    isinstance(slice_diagram, tl.Diagram), "slice_diagram should be a tl.Diagram"
)
check.diagram(
    slice_diagram,
    tl.Diagram.from_einsum("ijk,j->ik", T_, np.eye(3)[1], names=["T", "e"]),
    name="slice_diagram (T with a vector plugged into its middle leg)",
)
check.array(
    slice_diagram.contract(),
    T_[:, 1, :],
    name="the value of slice_diagram",
    slips={
        "that is T[:, 2, :]: indices count from 0, so j = 1 is basis(3, 1).": T_[
            :, 2, :
        ],
        "that is T[:, 0, :]: j = 1 is basis(3, 1).": T_[:, 0, :],
    },
)
check.passed("01-slice", hidden=False)

# %% [markdown] id="01-047"
# ## Summary
#
# - A tensor is an array; each index is a **leg**, with a **dimension**; the number of
#   legs is the **order** (not the matrix rank).
# - Fixing every leg picks one number; fixing some legs picks a slice. In the picture,
#   fixing a leg is plugging a basis vector into it.
# - A tensor with $n$ legs of dimension $d$ holds $d^n$ numbers, so large tensors are
#   kept as networks of small ones.
#
# **Further reading.** J. C. Bridgeman and C. T. Chubb, *Hand-waving and interpretive
# dance: an introductory course on tensor networks* (2017, arXiv:1603.03039) — the
# same notation from the physics side; B. Coecke and A. Kissinger, *Picturing Quantum
# Processes* (2017) — string diagrams and the ZX-calculus.
#
# Next, **`02_operations.ipynb`**: what happens when legs are joined.

# %% id="01-048"
progress()
