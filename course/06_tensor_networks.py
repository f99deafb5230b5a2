# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] id="06-000"
# # 06 · Tensor networks: trains, ladders, trees and grids
#
# *Follows the paper's section on tensor networks (Taylor 2024, §3).* A tensor with
# $N$ legs of dimension $d$ holds $d^N$ numbers — chapter 01's exponential wall. A
# **tensor network** stores it instead as many small tensors joined by wires. The
# most used one is a chain:
#
# - the **matrix product state** (MPS), also called **tensor train**: one small tensor
#   per leg, each joined to its neighbours by a **bond**;
# - it is built by **repeated reshape + SVD** (chapter 04, cut after cut);
# - the **bond dimension** controls both the storage and the error of truncation;
# - contracting networks — for instance the inner product of two MPS — is cheap in
#   a good order and exponentially expensive in a bad one;
# - other networks (trees, grids called PEPS) are diagrams too.
#
# About 50 minutes. You need chapters 03 and 04.

# %% id="06-001"
import numpy as np

import tensorlessons as tl
from tensorlessons.exercises import Exercise, check, progress, same_value

np.set_printoptions(precision=3, suppress=True)
rng = np.random.default_rng(0)  # the same "random" numbers every time

# %% [markdown] id="06-002"
# ## A tensor train by repeated reshape + SVD
#
# Take a tensor $X_{ijkl}$. Cut it after its first leg: group $(j, k, l)$ into one leg
# and take the SVD of the $d_i \times (d_j d_k d_l)$ matrix. Keep $U$ as the first
# tensor `A0` (legs `i` and a new bond `a`), and carry the rest, $S V^\dagger$, along.
# That rest has legs $(a, j, k, l)$: group $(a, j)$ against $(k, l)$ and cut again.
# After $N-1$ cuts, $X$ is a chain:
# $$X_{ijkl} = \sum_{abc} A0_{ia}\, A1_{ajb}\, A2_{bkc}\, A3_{cl}.$$
# Each tensor of the chain keeps one of $X$'s legs open — $i$, $j$, $k$ or $l$: these
# are the chain's **physical legs** (the name comes from physics, where they index the
# states of one particle each). The wires between neighbours, $a, b, c$, are the
# **bonds**. Here it is by hand with numpy, next to `tl.mps`:

# %% id="06-003"
X = rng.normal(size=(3, 3, 3, 3))

tensors, rest, bond = [], X, 1
for _leg in range(3):
    # group (bond, this leg) against everything else
    matrix = rest.reshape(bond * 3, -1)
    U, s, Vh = np.linalg.svd(matrix, full_matrices=False)
    tensors.append(U.reshape(bond, 3, len(s)))  # keep U, with its bond on the right
    rest = s[:, None] * Vh  # carry S V† along
    bond = len(s)
tensors.append(rest.reshape(bond, 3))
tensors[0] = tensors[0][0]  # the first tensor has no bond on its left
print("by hand:", [t.shape for t in tensors])
by_hand = np.einsum("ia,ajb,bkc,cl->ijkl", *tensors)
np.testing.assert_allclose(by_hand, X, atol=1e-12)

train = tl.mps(X)
print("tl.mps: ", [train[n].shape for n in train.names], "  einsum:", train.to_einsum())
np.testing.assert_allclose(train.contract(), X, atol=1e-12)
print("✓ both chains contract back to X")
tl.DiagramWidget(train)

# %% [markdown] id="06-004"
# Every tensor but the last is an isometry (it came from a $U$): the train is in
# **left-canonical form**. That makes many computations simple: joined to its mirror
# image along its physical leg and left bond, each `A` collapses to a wire.

# %% id="06-005"
print([tl.is_isometry(train[n], legs_in=-1) for n in train.names[:-1]])

# %% [markdown] id="06-006"
# ## Bond dimension: storage and error
#
# Without truncation the bonds grow up to $\min(d^{k}, d^{N-k})$ in the middle of the
# chain — no saving at all for a random tensor. The saving comes from tensors whose
# rank across each cut is small. `tl.mps(X, max_bond=D)` keeps at most $D$ singular
# values at each cut, so the train stores about $N d D^2$ numbers instead of $d^N$.
#
# Some tensors have tiny bonds exactly. $f(x_1, \dots, x_N) = \sin(x_1 + \dots + x_N)$
# sampled on a grid has rank 2 across **every** cut (since $\sin(a + b) = \sin a \cos
# b + \cos a \sin b$), so a bond dimension of 2 is exact — for 8 legs of dimension 6,
# 1.7 million numbers become a few hundred.

# %% id="06-007"
grid = np.linspace(0, 1, 6)
n_legs = 8
total = sum(np.meshgrid(*([grid] * n_legs), indexing="ij"))
F = np.sin(total)
print("F has", F.size, "numbers")
small = tl.mps(F, max_bond=2)
err = np.linalg.norm(F - small.contract()) / np.linalg.norm(F)
from tensorlessons.decompositions import storage

print(f"bond dimension 2: {storage(small)} numbers, relative error {err:.1e}")
print("bond dimensions:", [small[n].shape[-1] for n in small.names[:-1]])

# %% [markdown] id="06-008"
# A generic smooth function is not exactly low-rank, but nearly: truncation errors
# fall fast as the bond grows. Slide the maximum bond dimension and watch the error,
# the storage and the diagram (the bond legs' dimensions):

# %% id="06-009"
g = np.linspace(0, 1, 4)
H = 1 / (1 + sum(np.meshgrid(*([g] * 6), indexing="ij")))  # 4**6 = 4096 numbers
mps_explorer = tl.RankExplorer(H, method="mps", rank=2, max_rank=10)
mps_explorer

# %% [markdown] id="06-010"
# How good is truncating cut by cut? Each truncation is the best one (Eckart–Young)
# for the matrix it is applied to — but from the second cut on, that matrix is the
# already truncated remainder, not $X$ itself, so the train as a whole need not be the
# best train with these bond dimensions. What does hold is a bound: with
# $\varepsilon_{\text{cut}}$ the Eckart–Young error of cutting $X$ itself there,
# $\lVert X - X_{\text{MPS}} \rVert^2 \le \sum_{\text{cuts}} \varepsilon_{\text{cut}}^2$
# (Oseledets 2011), and so the train's error is at most $\sqrt{N-1}$ times the best
# possible.

# %% id="06-011"
from tensorlessons.decompositions import truncation_errors

D = 2
err = np.linalg.norm(H - tl.mps(H, max_bond=D).contract())
per_cut = [truncation_errors(H, left=k)[D] for k in range(1, 6)]
print(
    f"MPS error {err:.2e}  ≤  √(Σ per-cut Eckart–Young errors²) = {np.sqrt(np.sum(np.square(per_cut))):.2e}"
)
assert err <= np.sqrt(np.sum(np.square(per_cut))) + 1e-12

# %% [markdown] id="06-012"
# ## Inner products of trains, and why the order matters
#
# The inner product $\langle \psi | \phi \rangle = \sum_{ijkl} \psi_{ijkl} \phi_{ijkl}$
# of two trains is a **ladder**: join the physical legs of the two chains pairwise.
# The diagram is one number, but *how* it is contracted makes a huge difference:
#
# - **bad**: contract each chain to its full tensor first ($d^N$ numbers each), then
#   join — exponential in $N$;
# - **good**: the **zipper** — start at one end, absorb `A0` and `B0`, then `A1`, then
#   `B1`, ... The intermediate never has more than two bond legs.
#
# Try it below: **click a tensor, then a tensor joined to it**, to contract the wire
# between them (or choose a pair in the list and press *Contract*). The FLOPs so far
# and the largest tensor made are counted, against the optimal order that opt_einsum
# finds. *Undo* and *Start again* let you try another order.

# %% id="06-013"
psi = tl.mps(rng.normal(size=(4, 4, 4, 4)), max_bond=6)
phi = tl.mps(rng.normal(size=(4, 4, 4, 4)), max_bond=6)
ladder = tl.Diagram.from_einsum(
    "ia,ajb,bkc,cl,iw,wjx,xky,yl->",
    *(psi[n] for n in psi.names),
    *(phi[n] for n in phi.names),
    names=["A0", "A1", "A2", "A3", "B0", "B1", "B2", "B3"],
)
np.testing.assert_allclose(ladder.contract(), np.sum(psi.contract() * phi.contract()))
print("✓ the ladder is the inner product of the two trains")
game = tl.ContractionExplorer(ladder)
game

# %% [markdown] id="06-014"
# The same from code: the explorer's methods do what its buttons do. The bad order
# first, then the zipper:

# %% id="06-015"
game.reset()
for a, b in [
    ("A0", "A1"),
    ("(A0·A1)", "A2"),
    ("(A0·A1·A2)", "A3"),
    ("B0", "B1"),
    ("(B0·B1)", "B2"),
    ("(B0·B1·B2)", "B3"),
]:
    game.contract(a, b)
game.contract("(A0·A1·A2·A3)", "(B0·B1·B2·B3)")
print(
    f"bad order:  {game.flops:7,} FLOPs, largest intermediate {game.largest_intermediate:5,}"
)
bad_flops = game.flops

game.reset()
current = "A0"
for nxt in ["B0", "A1", "B1", "A2", "B2", "A3", "B3"]:
    current = game.contract(current, nxt).result
print(
    f"zipper:     {game.flops:7,} FLOPs, largest intermediate {game.largest_intermediate:5,}"
)
print(f"optimal:    {game.optimal.flops:7,} FLOPs (opt_einsum)")
np.testing.assert_allclose(game.result(), ladder.contract())


# %% [markdown] id="06-016"
# With 4 sites the bad order costs only a few times more — and with 3 it is even
# **cheaper** than the zipper (below): the bad order's full tensors have $d^N = 4^3 =
# 64$ entries, while every step of the zipper carries two bonds of dimension 6 (36
# entries, each absorbed tensor adding a factor $6 \cdot 4$ or $6 \cdot 6$ of work). For
# short chains with bonds larger than the physical dimension, the exponential has not
# started yet. But it grows like $d^N$ while the zipper grows like $N$: count the FLOPs
# of both orders (without computing any values: `compute=False`) as the chain gets
# longer.


# %% id="06-017"
def ladder_of(n_sites, d=4, bond=6):
    letters_a, letters_b, phys = "abcdefghij", "ABCDEFGHIJ", "klmnopqrst"
    terms, arrays, names = [], [], []
    for side, bonds in (("A", letters_a), ("B", letters_b)):
        for k in range(n_sites):
            left = bonds[k - 1] if k > 0 else ""
            right = bonds[k] if k < n_sites - 1 else ""
            terms.append(left + phys[k] + right)
            arrays.append(np.ones([bond] * len(left) + [d] + [bond] * len(right)))
            names.append(f"{side}{k}")
    return tl.Diagram.from_einsum(",".join(terms) + "->", *arrays, names=names)


print("sites |  bad order FLOPs | zipper FLOPs")
for n_sites in range(3, 9):
    ex = tl.ContractionExplorer(ladder_of(n_sites), compute=False, reference="greedy")
    for side in "AB":
        cur = f"{side}0"
        for k in range(1, n_sites):
            cur = ex.contract(cur, f"{side}{k}").result
    ex.contract(ex.names[0], ex.names[1])
    bad = ex.flops
    ex.reset()
    cur = "A0"
    for k in range(n_sites):
        for nxt in [f"B{k}"] if k == 0 else [f"A{k}", f"B{k}"]:
            cur = ex.contract(cur, nxt).result
    print(f"  {n_sites}   | {bad:16,} | {ex.flops:12,}")

# %% [markdown] id="06-018"
# ## Other networks: trees and grids
#
# Chains are not the only shape. A **tree tensor network** groups legs
# hierarchically (pairs, then pairs of pairs); a **PEPS** (projected entangled pair
# state) puts one tensor per site of a 2-D grid, each joined to its neighbours. Both
# are diagrams like any other. Trees contract as cheaply as chains; grids do not:
# contracting a PEPS exactly is hard in general (the intermediate tensors grow with
# the width of the grid), which is why it is done approximately in practice.

# %% id="06-019"
# a binary tree over four legs i, j, k, l: two leaves joined by a top tensor
tree = tl.Diagram.from_einsum(
    "ija,klb,ab->ijkl",
    rng.normal(size=(2, 2, 3)),
    rng.normal(size=(2, 2, 3)),
    rng.normal(size=(3, 3)),
    names=["left", "right", "top"],
)
print("tree:", tree, " result shape", tree.shape)
tl.DiagramWidget(tree)

# %% id="06-020"
# a 2 x 3 PEPS: sites P00..P12, physical legs p..u, bonds between grid neighbours
D = 2
peps = tl.Diagram.from_einsum(
    "pac,qabd,rbe,sfc,tfgd,uge->pqrstu",
    rng.normal(size=(2, D, D)),
    rng.normal(size=(2, D, D, D)),
    rng.normal(size=(2, D, D)),
    rng.normal(size=(2, D, D)),
    rng.normal(size=(2, D, D, D)),
    rng.normal(size=(2, D, D)),
    names=["P00", "P01", "P02", "P10", "P11", "P12"],
)
for name in peps.names:  # Prc drawn at row r, column c of the grid
    peps.move(name, 80 + 150 * int(name[2]), 80 + 150 * int(name[1]))
print("PEPS result shape:", peps.shape)
print(peps.cost(optimize="optimal"))
tl.DiagramWidget(peps)

# %% [markdown] id="06-021"
# ## Exercises

# %% [markdown] id="06-022"
# ### Exercise 06.1 — bond dimensions of an exact train
#
# Without truncation, what are the bond dimensions of the MPS of a tensor of shape
# $(2, 3, 4, 5, 6)$? Set `bonds` to the list of the 4 bond dimensions, from left to
# right. Reason it out from how the train is built (each bond is the number of
# singular values kept at one cut), then check with `tl.mps` if you like.

# %% id="06-023" jupyter={"source_hidden": true}
Exercise(
    "06-bond-dims",
    title="Exact bond dimensions",
    difficulty=2,
    importance="core",
    minutes=6,
    hints=[
        "An m x n matrix has min(m, n) singular values. At the first cut the matrix is "
        "2 x (3*4*5*6).",
        "At the second cut the rows are (bond 2) x (leg 3) = 6 and the columns "
        "4*5*6 = 120.",
        "Both neighbours limit a bond: it is at most the product of the dimensions on "
        "its left, and at most the product of those on its right.",
    ],
)

# %% id="06-024" nbgrader={"grade": false, "grade_id": "06-bond-dims-code", "locked": false, "schema_version": 3, "solution": true}
# BEGIN SOLUTION
bonds = [2, 6, 24, 6]
# END SOLUTION

# %% id="06-025" nbgrader={"grade": true, "grade_id": "06-bond-dims", "locked": true, "points": 1, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 2, "importance": "core", "minutes": 6}
_dims = (2, 3, 4, 5, 6)
_left = [int(np.prod(_dims[: k + 1])) for k in range(4)]
_right = [int(np.prod(_dims[k + 1 :])) for k in range(4)]
check.true(
    isinstance(bonds, (list, tuple, np.ndarray)),
    f"bonds should be a list of 4 numbers, got {type(bonds).__name__}",
)
check.equal(len(bonds), 4, name="the number of bonds (5 tensors in a row have 4)")
_got = [int(b) for b in bonds]
check.true(
    _got != _left,
    f"bonds {_got} are the products of the dimensions left of each cut; but the last "
    f"cut makes a {_left[-1]} x {_right[-1]} matrix, with at most {_right[-1]} "
    "singular values",
)
check.true(
    _got not in (list(_dims[:4]), list(_dims[1:])),
    f"bonds {_got} are leg dimensions; a bond is the number of singular values at a "
    "cut, which depends on all the legs on either side",
)
for _k in range(4):
    check.true(
        _got[_k] == min(_left[_k], _right[_k]),
        f"the bond after leg {_k} is {_got[_k]}: that cut makes a {_left[_k]} x "
        f"{_right[_k]} matrix; how many singular values can it have?",
    )
check.passed("06-bond-dims", hidden=False)

# %% [markdown] id="06-026"
# ### Exercise 06.2 — the first cut by hand
#
# Do the first step of the tensor train for `Q` (shape $(6, 4, 5)$) with numpy: find
# `first`, an isometry with legs $(i, a)$, and `remainder`, with legs $(a, j, k)$, such
# that `np.einsum("ia,ajk->ijk", first, remainder)` is `Q` exactly — with the bond $a$
# as small as an exact cut allows. (`Q` was made to be compressible: look at its
# singular values across the cut.)

# %% id="06-027" jupyter={"source_hidden": true}
Exercise(
    "06-first-cut",
    title="Reshape, SVD, reshape",
    difficulty=2,
    importance="core",
    minutes=10,
    hints=[
        "Group legs j and k into one: Q becomes a 6 x 20 matrix. Take its SVD "
        "(full_matrices=False) and print the singular values.",
        "Only the singular values that are not (numerically) zero are needed: count those "
        "larger than, say, 1e-10 times the largest; that count is the bond.",
        "first is the kept columns of U. remainder carries the rest, S V†: the kept "
        "singular values times the kept rows of V†, reshaped to (bond, 4, 5).",
    ],
)

# %% id="06-028"
# Q = (a 6 x 3 matrix) joined to (a 3 x 4 x 5 tensor): rank 3 across the first cut
_g = np.random.default_rng(62)
Q = np.einsum("ia,ajk->ijk", _g.normal(size=(6, 3)), _g.normal(size=(3, 4, 5)))

# %% id="06-029" nbgrader={"grade": false, "grade_id": "06-first-cut-code", "locked": false, "schema_version": 3, "solution": true}
# BEGIN SOLUTION
U, s, Vh = np.linalg.svd(Q.reshape(6, 4 * 5), full_matrices=False)
r = int((s > 1e-10 * s[0]).sum())  # the numerical rank across the cut
first = U[:, :r]
remainder = (s[:r, None] * Vh[:r]).reshape(r, 4, 5)
# END SOLUTION

# %% id="06-030" nbgrader={"grade": true, "grade_id": "06-first-cut", "locked": true, "points": 2, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 2, "importance": "core", "minutes": 10}
_g = np.random.default_rng(62)
_Q = np.einsum("ia,ajk->ijk", _g.normal(size=(6, 3)), _g.normal(size=(3, 4, 5)))
check.array(Q, _Q, name="Q (changed since its set-up cell: run that cell again)")
check.equal(np.ndim(first), 2, name="the number of legs of first (i and the bond a)")
check.equal(np.ndim(remainder), 3, name="the number of legs of remainder (a, j, k)")
check.true(
    np.shape(first)[0] == 6,
    f"first has shape {np.shape(first)}: its first leg is i, of dimension 6",
)
check.true(
    np.shape(first)[1] == np.shape(remainder)[0],
    f"the bond leg of first ({np.shape(first)[1]}) and of remainder "
    f"({np.shape(remainder)[0]}) differ",
)
_rows = np.linalg.norm(np.reshape(remainder, (np.shape(remainder)[0], -1)), axis=1)
check.true(
    np.allclose(np.einsum("ia,ajk->ijk", first, remainder), _Q)
    or not np.allclose(_rows, 1),
    "remainder's rows all have norm 1: they are rows of V† alone. The remainder must "
    "carry S V†: multiply in the singular values",
)
check.array(
    np.einsum("ia,ajk->ijk", first, remainder), _Q, name="first joined to remainder"
)
check.true(
    tl.is_isometry(first),
    "first is not an isometry (first.T @ first is not the identity): keep U itself "
    "in first, and let remainder carry the singular values",
)
check.true(
    np.shape(first)[1] <= 3,
    f"the bond is {np.shape(first)[1]}, but Q has rank 3 across this cut: only 3 "
    "singular values are not zero, and an exact cut needs only those",
)
check.passed("06-first-cut", hidden=False)

# %% [markdown] id="06-031"
# ### Exercise 06.3 — draw the inner product of two trains
#
# Two 3-site trains, `A0 A1 A2` and `B0 B1 B2`, stand below. Make the diagram compute
# their inner product $\langle B | A \rangle = \sum_{ijk} A_{ijk} B_{ijk}$, where
# $A$ and $B$ are the tensors the two trains stand for — a single number.

# %% id="06-032" jupyter={"source_hidden": true}
# The set-up of the exercise (collapsed: it contains the hints).
_g = np.random.default_rng(63)
tA = tl.mps(_g.normal(size=(2, 3, 2)))
tB = tl.mps(_g.normal(size=(2, 3, 2)))
arrays = [tA[n] for n in tA.names] + [tB[n] for n in tB.names]
start = tl.Diagram.from_einsum(
    "ia,ajb,bk,lc,cmd,dn->ijklmn", *arrays, names=["A0", "A1", "A2", "B0", "B1", "B2"]
)
ex063 = tl.DiagramExercise(
    "06-draw-inner",
    task=(
        "Make the diagram compute the inner product of the two trains, "
        "sum over i, j, k of A[i, j, k] B[i, j, k]: a single number."
    ),
    start=start,
    answer=same_value(np.sum(tA.contract() * tB.contract())),  # what Check compares
    title="Draw a ladder",
    difficulty=1,
    importance="core",
    minutes=4,
    hints=[
        "A number has no open legs. Which legs are open now, and what do they stand for?",
        "The open legs are the physical legs: A's i, j, k and B's. A wire sums over "
        "the index it joins.",
        "The sum pairs A's index i with B's index i, j with j, k with k: join the "
        "physical legs of the same site (in code: `connect`, as in chapter 02).",
    ],
)
ex063

# %% id="06-033" nbgrader={"grade": false, "grade_id": "06-draw-inner-code", "locked": false, "schema_version": 3, "solution": true}
# Answer by drawing above, or in code here.
# BEGIN SOLUTION
mine = ex063.start.copy()
mine.connect("A0:i", "B0:l")
mine.connect("A1:j", "B1:m")
mine.connect("A2:k", "B2:n")
ex063.submit(mine)
# END SOLUTION

# %% id="06-034" nbgrader={"grade": true, "grade_id": "06-draw-inner", "locked": true, "points": 1, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 1, "importance": "core", "minutes": 4}
ex063.check()
_g = np.random.default_rng(63)
_A, _B = _g.normal(size=(2, 3, 2)), _g.normal(size=(2, 3, 2))
check.close(
    float(ex063.diagram.contract()),
    float(np.sum(_A * _B)),
    name="the value of your ladder (the inner product of the two trains)",
)
### BEGIN HIDDEN TESTS
_reference = tl.Diagram.from_einsum(
    "ia,ajb,bk,ic,cjd,dk->", *arrays, names=["A0", "A1", "A2", "B0", "B1", "B2"]
)
check.diagram(ex063.diagram, _reference)
### END HIDDEN TESTS
check.passed("06-draw-inner", hidden=True)

# %% [markdown] id="06-035"
# ### Exercise 06.4 — contract a ladder in the best order
#
# `race` is a contraction explorer for the inner product of two 5-site trains. Click
# pairs of tensors in its picture (or call `race.contract(a, b)`) until one tensor is
# left, in an order whose total FLOPs equal the optimal order's
# (`race.optimal.flops`). Merged tensors are named like `(A0·B0)`; `contract` returns
# the step, whose `.result` is the merged name. This explorer is graded: your moves
# are saved (in `tensorlessons_answers/06-zipper.json`) and replayed when it is made
# again, and it does not offer to play the optimal order for you. *Start again*
# clears your moves.

# %% id="06-036" jupyter={"source_hidden": true}
Exercise(
    "06-zipper",
    title="The zipper",
    difficulty=2,
    importance="core",
    minutes=8,
    hints=[
        "Never build a tensor with many physical legs: close each rung of the ladder "
        "before moving on.",
        "Start at one end, with the rung A0 — B0. What is the cheapest tensor to absorb "
        "next, and after that?",
        "Absorb one tensor at a time, alternating between the two trains, so the merged "
        "tensor never holds more than two bonds.",
    ],
)

# %% id="06-037"
_g = np.random.default_rng(64)
long_a = tl.mps(_g.normal(size=(3,) * 5), max_bond=4)
long_b = tl.mps(_g.normal(size=(3,) * 5), max_bond=4)
long_ladder = tl.Diagram.from_einsum(
    "ia,ajb,bkc,cld,dm,iw,wjx,xky,ylz,zm->",
    *(long_a[n] for n in long_a.names),
    *(long_b[n] for n in long_b.names),
    names=["A0", "A1", "A2", "A3", "A4", "B0", "B1", "B2", "B3", "B4"],
)
race = tl.ContractionExplorer(long_ladder, key="06-zipper")  # graded: moves are saved
race

# %% id="06-038" nbgrader={"grade": false, "grade_id": "06-zipper-code", "locked": false, "schema_version": 3, "solution": true}
# Play in the explorer above, or in code here.
# BEGIN SOLUTION
race.reset()
cur = race.contract("A0", "B0").result
for k in range(1, 5):
    cur = race.contract(cur, f"A{k}").result
    cur = race.contract(cur, f"B{k}").result
# END SOLUTION

# %% id="06-039" nbgrader={"grade": true, "grade_id": "06-zipper", "locked": true, "points": 2, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 2, "importance": "core", "minutes": 8}
# Rebuild the ladder, and replay the moves saved under "06-zipper" on it.
_g = np.random.default_rng(64)
_a = tl.mps(_g.normal(size=(3,) * 5), max_bond=4)
_b = tl.mps(_g.normal(size=(3,) * 5), max_bond=4)
_ladder = tl.Diagram.from_einsum(
    "ia,ajb,bkc,cld,dm,iw,wjx,xky,ylz,zm->",
    *(_a[n] for n in _a.names),
    *(_b[n] for n in _b.names),
    names=["A0", "A1", "A2", "A3", "A4", "B0", "B1", "B2", "B3", "B4"],
)
_replay = tl.ContractionExplorer(_ladder, key="06-zipper")
check.true(not _replay.load_error, _replay.load_error)
check.true(
    _replay.steps,
    "no contraction of yours is saved under '06-zipper': play in the explorer `race` "
    "above (made with key='06-zipper')",
)
check.true(
    _replay.done,
    f"{len(_replay.names)} tensors are left ({', '.join(_replay.names)}); contract "
    "until one is left",
)
check.close(
    float(_replay.result()),
    float(_ladder.contract()),
    name="the value of your contraction",
)
_worst = max(_replay.steps, key=lambda s: s.size)
check.true(
    _replay.flops <= _replay.optimal.flops,
    f"your order costs {_replay.flops:,} FLOPs; the optimal order costs "
    f"{_replay.optimal.flops:,}. Your largest tensor had {_worst.size:,} entries "
    f"(made by {_worst.a} · {_worst.b}); the optimal order's largest had "
    f"{_replay.optimal.largest_intermediate:,}",
)
check.passed("06-zipper", hidden=False)

# %% [markdown] id="06-040"
# ## Summary
#
# - A **matrix product state** / tensor train: one small tensor per leg, joined by
#   bonds; built by repeated reshape + SVD (`tl.mps(X, max_bond=D)`), left-canonical
#   (isometries) on the way.
# - The **bond dimension** sets storage ($\approx N d D^2$ instead of $d^N$) and error;
#   each cut's truncation is the Eckart–Young one for the matrix it cuts, and the
#   squared errors of the cuts bound the train's.
# - Contracting a network in a good order (the **zipper** for a ladder) is linear in
#   its length; a bad order is exponential.
# - Trees and grids (**PEPS**) are tensor networks too; grids are hard to contract
#   exactly.
#
# This ends the first half of the course. Next, **`07_neural_networks.ipynb`**: the
# notation applied to neural networks.

# %% id="06-041"
progress()
