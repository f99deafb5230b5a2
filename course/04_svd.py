# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] id="04-000"
# # 04 · The singular value decomposition, drawn
#
# *Follows the paper's section on the SVD (Taylor 2024, §3).* Every matrix, however
# messy, is a product of three simple pieces:
# $$M = U\,S\,V^\dagger,$$
# two **isometries** $U$ and $V$ (chapter 03: $U^\dagger U = I$) and a list of
# non-negative numbers $S$, the **singular values**. In the notation the three pieces
# are three tensors, and the singular values sit on a **copy tensor** (the dot that
# joins all three). This chapter shows
#
# - the SVD as a diagram, and the same numbers with `np.linalg.svd`;
# - the SVD as a **sum of weighted outer products**;
# - **truncation**: keep the largest $r$ singular values, and the error you make is
#   exactly the root of the sum of the discarded squared singular values — the
#   smallest error any rank-$r$ matrix can make (the **Eckart–Young theorem**);
# - the SVD of a tensor with **many legs**, across a **cut**: group legs, SVD, split.
#
# You need chapters 02 (contraction) and 03 (copy tensors, grouping legs, isometries).
# About 45 minutes.

# %% id="04-001"
import numpy as np

import tensorlessons as tl
from tensorlessons.exercises import Exercise, check, progress, same_value

np.set_printoptions(precision=3, suppress=True)
rng = np.random.default_rng(0)  # the same "random" numbers every time

# %% [markdown] id="04-002"
# ## $M = U S V^\dagger$ as a diagram
#
# `tl.svd(M)` returns a diagram with three tensors: `U` (legs `i`, `r`), `S` (leg `r`)
# and `V` (legs `j`, `r`). The leg `r` is shared by **three** tensors: a hyperedge,
# i.e. a copy tensor, drawn as a dot. Contracting the diagram gives back $M$: for a
# **real** matrix $M$,
# $$M_{ij} = \sum_r U_{ir}\, S_r\, V_{jr}.$$
# (For a complex $M$ the sum has $V^*_{jr}$, the conjugate, because $V^\dagger$ is the
# *conjugate* transpose; `tl.svd` then stores the conjugated entries in its tensor `V`, so
# that the diagram needs no conjugation.) In numpy that sum is one `einsum` line,
# `np.einsum("ir,r,jr->ij", U, S, V)` — the diagram's own einsum string.

# %% id="04-003"
M = rng.normal(size=(5, 4))
d = tl.svd(M)
print(d)
print("einsum string:", d.to_einsum())
U, S, V = d["U"], d["S"], d["V"]
print("shapes:", U.shape, S.shape, V.shape)
print("singular values:", S)

np.testing.assert_allclose(d.contract(), M, atol=1e-12)
np.testing.assert_allclose(np.einsum("ir,r,jr->ij", U, S, V), M, atol=1e-12)
print("✓ the diagram, the einsum and M agree")
tl.DiagramWidget(d)

# %% [markdown] id="04-004"
# The same three pieces come out of numpy, in matrix form: `np.linalg.svd` returns
# $U$, the singular values, and $V^\dagger$ (called `Vh`). As matrices,
# $M = U \,\mathrm{diag}(S)\, V^\dagger$. The diagonal matrix $\mathrm{diag}(S)$ is —
# chapter 03 — the vector $S$ plugged into a 3-leg copy tensor; that is exactly the dot
# in our diagram.
#
# **Mind the convention.** numpy's `Vh` holds the right singular vectors as **rows**
# (`Vh[r]`, conjugated); the tensor `V` of `tl.svd` holds them as **columns** (`V[:, r]`),
# like `U`. For a real matrix `V` is `Vh.T`. Mixing the two up is the most common slip
# with the SVD: `Vh[:, r]` and `V[r]` are not singular vectors at all.

# %% id="04-005"
U_np, S_np, Vh_np = np.linalg.svd(M, full_matrices=False)
np.testing.assert_allclose(S_np, S)
np.testing.assert_allclose(U_np @ np.diag(S_np) @ Vh_np, M, atol=1e-12)
np.testing.assert_allclose(V, Vh_np.T, atol=1e-12)  # columns of V = rows of Vh (M real)

# diag(S) as a diagram: S into a copy tensor (chapter 03)
np.testing.assert_allclose(tl.diagonal(S, name="S").contract(), np.diag(S))
print("✓ np.linalg.svd gives the same singular values; diag(S) is S on a copy tensor")

# %% [markdown] id="04-006"
# ### U and V are isometries
#
# The columns of $U$ are orthonormal: $U^\dagger U = I$. Drawn, $U^\dagger U$ is $U$
# joined to its mirror image along the leg `i`, and the pair collapses into a bare
# wire (the identity on `r`). The same holds for $V$. The other way round, $UU^\dagger$
# is not the identity (unless $U$ is square): it is a **projector** onto the space
# spanned by $U$'s columns. That is the column space of $M$ when $M$ has full column
# rank (here: 4 non-zero singular values); when some singular values are zero, $U$ has
# columns that $M$ never uses, and only the columns with $S_r > 0$ span $M$'s column
# space.

# %% id="04-007"
print("U is an isometry:", tl.is_isometry(U), "  V is an isometry:", tl.is_isometry(V))
UdU = tl.Diagram.from_einsum("ir,is->rs", U.conj(), U, names=["U†", "U"])
np.testing.assert_allclose(UdU.contract(), np.eye(4), atol=1e-12)
UUd = U @ U.conj().T
print(
    "U U† is a projector:",
    tl.is_projector(UUd),
    "  the identity?",
    np.allclose(UUd, np.eye(5)),
)
tl.DiagramWidget(UdU)

# %% [markdown] id="04-008"
# ## A sum of weighted outer products
#
# Cut the copy tensor open: fixing $r$ picks column $r$ of $U$, one singular value and
# column $r$ of $V$. Each term is an outer product (chapter 02: two vectors side by
# side), weighted by $S_r$:
# $$M = \sum_r S_r\; u_r \otimes v_r .$$
# The singular values come sorted, largest first, so the first terms carry most of
# the matrix.

# %% id="04-009"
terms = [S[r] * np.outer(U[:, r], V[:, r]) for r in range(len(S))]
np.testing.assert_allclose(sum(terms), M, atol=1e-12)
for r, t in enumerate(terms):
    print(
        f"term {r}: weight S[{r}] = {S[r]:.3f},  size of the term ‖·‖ = {np.linalg.norm(t):.3f}"
    )
print("✓ the weighted outer products add up to M")

# %% [markdown] id="04-010"
# ## Truncation and the Eckart–Young error
#
# Keep only the $r$ largest singular values — `tl.svd(M, rank=r)` — and the bond `r`
# gets thinner: `U` becomes $5 \times r$, `V` becomes $4 \times r$. The diagram then
# contracts to a rank-$r$ matrix close to $M$. How close? The error (in the Frobenius
# norm, the root of the sum of squared entries) is exactly
# $$\lVert M - M_r \rVert = \sqrt{\textstyle\sum_{k \ge r} S_k^2},$$
# the root of the sum of the **discarded** squared singular values, and no rank-$r$
# matrix whatsoever does better (Eckart–Young).

# %% id="04-011"
for r in range(1, 5):
    Mr = tl.svd(M, rank=r).contract()
    err = np.linalg.norm(M - Mr)
    predicted = np.sqrt(np.sum(S[r:] ** 2))
    print(
        f"rank {r}: error {err:.6f}   √(Σ discarded S²) = {predicted:.6f}   rank of M_r = {np.linalg.matrix_rank(Mr)}"
    )
    np.testing.assert_allclose(err, predicted, atol=1e-12)
print("✓ the truncation error is exactly the Eckart–Young error")

# %% [markdown] id="04-012"
# Is this really the best? Try another way of making a rank-2 matrix from $M$: for
# instance keep $M$'s own first two columns' span (a QR factorisation), or use random
# directions. Both are worse than the SVD's error.

# %% id="04-013"
best = np.linalg.norm(M - tl.svd(M, rank=2).contract())
Q, _ = np.linalg.qr(M[:, :2])  # an orthonormal basis of the span of M's first 2 columns
via_qr = np.linalg.norm(M - Q @ Q.T @ M)
R, _ = np.linalg.qr(rng.normal(size=(5, 2)))  # two random orthonormal directions
via_random = np.linalg.norm(M - R @ R.T @ M)
print(
    f"SVD rank 2: {best:.4f}   QR of two columns: {via_qr:.4f}   random directions: {via_random:.4f}"
)
assert best <= via_qr and best <= via_random

# %% [markdown] id="04-014"
# ### Slide the rank
#
# A matrix made of a few smooth patterns plus a little noise — a tiny "image" —
# compresses very well: its singular values fall off fast. Move the slider. The
# diagram, the error, the storage (how many numbers `U`, `S` and `V` keep, against the
# $64 \times 48$ numbers of the image) and the curve update live. The bars are the
# singular values; the line is the truncation error at each rank.

# %% id="04-015"
x = np.linspace(0, 1, 64)[:, None]
y = np.linspace(0, 1, 48)[None, :]
clean = np.sin(6 * x) * np.cos(4 * y) + 0.5 * np.exp(
    -((x - 0.5) ** 2 + (y - 0.4) ** 2) * 20
)
image = clean + 0.02 * rng.normal(size=clean.shape)  # plus a little noise

explorer = tl.RankExplorer(image, method="svd", rank=3, max_rank=20)
print(
    f"rank 3 keeps {explorer.storage} of {explorer.full_storage} numbers, relative error {explorer.relative_error:.2%}"
)
explorer

# %% [markdown] id="04-016"
# The explorer can be driven from code too: `explorer.set_rank(5)` does what the
# slider does, and `explorer.curve()` gives the relative error at every rank.

# %% id="04-017"
curve = explorer.curve()
for r in (1, 2, 3, 5, 10):
    print(f"rank {r:2d}: relative error {curve[r]:.3%}")

# %% [markdown] id="04-018"
# The error drops sharply up to rank 2 and then hardly moves. The clean picture is
# made of exactly two patterns, each a product of a function of the row and a
# function of the column — each an outer product, so the clean image has rank 2.
# Everything after the second singular value is noise, spread thinly over all the
# others. So truncation also **removes noise**: the rank-2 approximation of the noisy
# image is closer to the clean image than the noisy image itself is.

# %% id="04-019"
print("rank of the clean image:", np.linalg.matrix_rank(clean))
denoised = tl.svd(image, rank=2).contract()
print(
    f"distance to the clean image:  noisy {np.linalg.norm(image - clean):.3f}   rank-2 truncation {np.linalg.norm(denoised - clean):.3f}"
)

# %% [markdown] id="04-020"
# ## The SVD of a tensor with many legs: SVD across a cut
#
# The SVD needs a matrix: two groups of legs. A tensor with more legs is first
# **cut** in two: choose which legs go on the left, **group** them into one leg and the
# rest into another (chapter 03), take the SVD of the resulting matrix, then **split**
# the legs back. `tl.svd(T, left=2)` does all of it: the first two legs go to `U`,
# the others to `V`, and the diagram contracts to `T` with its legs in order.

# %% id="04-021"
T = rng.normal(size=(2, 3, 4, 5))
cut = tl.svd(T, left=2)
print(cut)
print("U:", cut["U"].shape, " S:", cut["S"].shape, " V:", cut["V"].shape)
np.testing.assert_allclose(cut.contract(), T, atol=1e-12)

# by hand: group (i, j) and (k, l), SVD, split
matrix = tl.group_legs(tl.group_legs(T, ["i", "j"]), ["k", "l"]).contract()
print("grouped into a matrix of shape", matrix.shape)
U2, S2, Vh2 = np.linalg.svd(matrix, full_matrices=False)
np.testing.assert_allclose(S2, cut["S"])
np.testing.assert_allclose(U2.reshape(2, 3, -1), cut["U"], atol=1e-12)
print("✓ tl.svd(T, left=2) is group → SVD → split")
tl.DiagramWidget(cut)

# %% [markdown] id="04-022"
# Different cuts give different singular values. How many are non-zero across a cut —
# the rank of the tensor *across that cut* — measures how much the two sides of the
# cut "know about each other". A tensor that is an outer product of a left piece and
# a right piece has rank 1 across the cut between them. Chapter 06 builds whole
# networks from repeated cuts.

# %% id="04-023"
left_piece, right_piece = rng.normal(size=(2, 3)), rng.normal(size=(4, 5))
product = np.einsum("ij,kl->ijkl", left_piece, right_piece)
from tensorlessons.decompositions import singular_values

for left in (1, 2, 3):
    s = singular_values(product, left=left)
    print(
        f"cut after {left} leg(s): {int(np.sum(s > 1e-10))} non-zero singular value(s)"
    )

# %% [markdown] id="04-024"
# ## Exercises

# %% [markdown] id="04-025"
# ### Exercise 04.1 — draw the SVD
#
# Below, `U`, `S` and `V` of a matrix `N` stand side by side, unconnected (each with its
# own copy of the bond leg: `U:r`, `S:s`, `V:t`). Make the diagram **equal $N$** — draw
# $N = U S V^\dagger$. In the widget, drag leg ends together; or edit in code:
# `mine = ex041.start.copy()`, then `mine.connect(...)`, and `ex041.submit(mine)`.

# %% id="04-026" jupyter={"source_hidden": true}
# The set-up of the exercise (collapsed: it contains the hints).
N = np.random.default_rng(41).normal(size=(4, 3))  # the exercise's own numbers
pieces = tl.svd(N)
start = tl.Diagram.from_einsum(
    "ir,s,jt->ijrst", pieces["U"], pieces["S"], pieces["V"], names=["U", "S", "V"]
)
del pieces  # joined, the pieces are the answer: only their arrays are kept, in start
# S above, between U and V (as tl.svd draws it): the three-way wire stays visible
for name, (x, y) in {"U": (80, 210), "S": (230, 70), "V": (380, 210)}.items():
    start.move(name, x, y)
ex041 = tl.DiagramExercise(
    "04-draw-svd",
    task="Draw N = U S V†: the diagram's value must be N.",
    start=start,
    answer=same_value(N),  # what Check compares: the value of your diagram
    title="Draw the SVD",
    difficulty=1,
    importance="core",
    minutes=4,
    hints=[
        "Read the formula N_ij = sum_r U_ir S_r V_jr: which legs carry the same index r?",
        "One index shared by three legs is a copy tensor: a wire that meets three tensors.",
        "Join two of the bond legs with a wire, then join the third to that wire.",
    ],
)
ex041

# %% id="04-027" nbgrader={"grade": false, "grade_id": "04-draw-svd-code", "locked": false, "schema_version": 3, "solution": true}
# Answer by drawing above, or in code here.
# BEGIN SOLUTION
mine = ex041.start.copy()
mine.connect("U:r", "S:s")
mine.connect("S:s", "V:t")
ex041.submit(mine)
# END SOLUTION

# %% id="04-028" nbgrader={"grade": true, "grade_id": "04-draw-svd", "locked": true, "points": 1, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 1, "importance": "core", "minutes": 4}
ex041.check()
N_ = np.random.default_rng(41).normal(size=(4, 3))  # N, rebuilt: yours may have changed
check.array(ex041.diagram.contract(), N_, name="the value of your diagram")
### BEGIN HIDDEN TESTS
check.diagram(ex041.diagram, tl.svd(N_))
### END HIDDEN TESTS
check.passed("04-draw-svd", hidden=True)

# %% [markdown] id="04-029"
# ### Exercise 04.2 — a rank-3 approximation from outer products
#
# `P` is a $6 \times 5$ matrix and `Up, Sp, Vp` its SVD pieces (from `tl.svd(P)`, so `Vp`
# holds the right singular vectors as columns). Build `P3`, the best rank-3
# approximation of `P`, as a **sum of three weighted outer products**
# $\sum_{r<3} S_r\, u_r \otimes v_r$ (use `np.outer` or `np.einsum`; not
# `tl.svd(..., rank=3)`).

# %% id="04-030" jupyter={"source_hidden": true}
Exercise(
    "04-outer-sum",
    title="Rank 3 from outer products",
    difficulty=1,
    importance="core",
    minutes=5,
    hints=[
        "Which three terms of the sum M = sum_r S_r u_r ⊗ v_r carry the most?",
        "u_r is column r of Up, and v_r is column r of Vp (not row r: that is numpy's Vh).",
        "One term is a singular value times np.outer of two columns; add three of them.",
    ],
)

# %% id="04-031"
P = np.random.default_rng(42).normal(size=(6, 5))  # the exercise's own numbers
svd_P = tl.svd(P)
Up, Sp, Vp = svd_P["U"], svd_P["S"], svd_P["V"]

# %% id="04-032" nbgrader={"grade": false, "grade_id": "04-outer-sum-code", "locked": false, "schema_version": 3, "solution": true}
# BEGIN SOLUTION
P3 = sum(Sp[r] * np.outer(Up[:, r], Vp[:, r]) for r in range(3))
# END SOLUTION

# %% id="04-033" nbgrader={"grade": true, "grade_id": "04-outer-sum", "locked": true, "points": 2, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 1, "importance": "core", "minutes": 5}
P_ = np.random.default_rng(42).normal(size=(6, 5))  # P, rebuilt: yours may have changed
U_, S_, V_ = (tl.svd(P_)[name] for name in "USV")
check.array(
    P3,
    tl.svd(P_, rank=3).contract(),
    name="P3",
    slips={
        "it uses the rows of Vp. tl.svd's V holds the singular vectors as "
        "columns, Vp[:, r]; rows are numpy's Vh convention.": sum(
            S_[r] * np.outer(U_[:, r], V_[r]) for r in range(3)
        ),
        "the weights are missing: each outer product is scaled by its singular "
        "value Sp[r].": sum(np.outer(U_[:, r], V_[:, r]) for r in range(3)),
        "it has only two terms (r = 0, 1); rank 3 needs three.": sum(
            S_[r] * np.outer(U_[:, r], V_[:, r]) for r in range(2)
        ),
        "it starts at r = 1 and skips the largest term: Python counts from 0.": sum(
            S_[r] * np.outer(U_[:, r], V_[:, r]) for r in range(1, 4)
        ),
        "it has four terms; rank 3 keeps three.": sum(
            S_[r] * np.outer(U_[:, r], V_[:, r]) for r in range(4)
        ),
        "it keeps the three *smallest* terms; the best approximation keeps the "
        "largest singular values, which come first.": sum(
            S_[r] * np.outer(U_[:, r], V_[:, r]) for r in range(2, 5)
        ),
    },
)
check.passed("04-outer-sum", hidden=False)

# %% [markdown] id="04-034"
# ### Exercise 04.3 — the error without computing the approximation
#
# Here are only the singular values `sigma` of a big matrix (we do not even give you
# the matrix). Compute `error_rank_4`, the Frobenius error of its best rank-4
# approximation, and `keep_for_1_percent`, the **smallest** rank whose truncation
# error is at most 1% of the matrix's norm $\lVert A \rVert = \sqrt{\sum_k \sigma_k^2}$.

# %% id="04-035" jupyter={"source_hidden": true}
Exercise(
    "04-eckart-young",
    title="The Eckart–Young error",
    difficulty=2,
    importance="core",
    minutes=8,
    hints=[
        "Keeping r singular values discards sigma[r:]; the error is the root of the sum of their squares.",
        "The norm of the matrix is the error of keeping nothing.",
        "Try r = 0, 1, 2, ... in turn: the first r whose error is at most 1% of the norm.",
    ],
)

# %% id="04-036"
sigma = 10.0 * 0.6 ** np.arange(30)  # singular values, largest first
print(sigma[:6])

# %% id="04-037" nbgrader={"grade": false, "grade_id": "04-eckart-young-code", "locked": false, "schema_version": 3, "solution": true}
# BEGIN SOLUTION
error_rank_4 = np.sqrt(np.sum(sigma[4:] ** 2))
norm = np.sqrt(np.sum(sigma**2))
keep_for_1_percent = next(
    r for r in range(len(sigma) + 1) if np.sqrt(np.sum(sigma[r:] ** 2)) <= 0.01 * norm
)
# END SOLUTION

# %% id="04-038" nbgrader={"grade": true, "grade_id": "04-eckart-young", "locked": true, "points": 2, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 2, "importance": "core", "minutes": 8}
sigma_ = 10.0 * 0.6 ** np.arange(30)  # sigma, rebuilt: yours may have changed
# a real matrix with these singular values, truncated for real: tail[r] is the error
# of its best rank-r approximation, measured (not computed from a formula)
_q = np.random.default_rng(43)
Q1, _ = np.linalg.qr(_q.normal(size=(30, 30)))
Q2, _ = np.linalg.qr(_q.normal(size=(30, 30)))
big = Q1 * sigma_ @ Q2.T
tail = [
    np.linalg.norm(big - tl.svd(big, rank=r).contract()) if r else np.linalg.norm(big)
    for r in range(31)
]
tail[30] = 0.0
check.close(
    error_rank_4,
    tail[4],
    name="error_rank_4",
    show_expected=False,
    slips={
        "that is the error of keeping 5 singular values: keeping 4 discards "
        "sigma[4:], the fifth one on.": tail[5],
        "that is the error of keeping 3 singular values: keeping 4 discards "
        "sigma[4:], the fifth one on.": tail[3],
        "that is the squared error: take the square root.": tail[4] ** 2,
        "that is the sum of the discarded singular values; the error is the root "
        "of the sum of their squares.": np.sum(sigma_[4:]),
    },
)
keep = next(r for r in range(31) if tail[r] <= 0.01 * tail[0])
check.true(
    isinstance(keep_for_1_percent, (int, np.integer)),
    f"keep_for_1_percent should be a whole number (a rank), got {keep_for_1_percent!r}",
)
check.true(
    int(keep_for_1_percent) != keep - 1,
    f"with rank {keep_for_1_percent} the error is {tail[keep - 1] / tail[0]:.2%} of the "
    "norm, more than 1%.",
)
check.true(
    int(keep_for_1_percent) != keep + 1,
    f"rank {keep_for_1_percent} is within 1%, but a smaller rank is too: the smallest.",
)
check.equal(
    int(keep_for_1_percent), keep, name="keep_for_1_percent", show_expected=False
)
check.passed("04-eckart-young", hidden=False)

# %% [markdown] id="04-039"
# ### Exercise 04.4 — which cut is cheap?
#
# `W` has four legs `i, j, k, l`. It was made by joining two small pieces — but which
# legs are on which piece? For each cut that keeps the leg order (after 1, 2 or 3
# legs), compute the rank of `W` across that cut (the number of singular values
# above `1e-10`), as a dict `ranks = {1: ..., 2: ..., 3: ...}`, and set `cheapest`
# to the cut (1, 2 or 3) with the smallest rank.

# %% id="04-040" jupyter={"source_hidden": true}
Exercise(
    "04-cut-rank",
    title="Rank across a cut",
    difficulty=2,
    importance="optional",
    minutes=8,
    hints=[
        "singular_values(W, left=2) (imported above from tensorlessons.decompositions) gives the singular values across the cut after 2 legs.",
        "Or: group the first legs into one, the rest into another (a reshape), and use np.linalg.matrix_rank.",
        "cheapest is a cut (a key of ranks), not a rank.",
    ],
)

# %% id="04-041"
_a = np.random.default_rng(44).normal(size=(4, 5, 3))
_b = np.random.default_rng(45).normal(size=(3, 6, 7))
W = np.einsum("ijr,rkl->ijkl", _a, _b)  # shape (4, 5, 6, 7)
print("W has shape", W.shape)

# %% id="04-042" nbgrader={"grade": false, "grade_id": "04-cut-rank-code", "locked": false, "schema_version": 3, "solution": true}
# BEGIN SOLUTION
ranks = {left: int(np.sum(singular_values(W, left=left) > 1e-10)) for left in (1, 2, 3)}
cheapest = min(ranks, key=ranks.get)
# END SOLUTION

# %% id="04-043" nbgrader={"grade": true, "grade_id": "04-cut-rank", "locked": true, "points": 2, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 2, "importance": "optional", "minutes": 8}
check.true(
    isinstance(ranks, dict) and sorted(ranks) == [1, 2, 3],
    f"ranks should be a dict with keys 1, 2, 3 (the cuts), got {ranks!r}",
)
W_ = np.einsum(  # W, rebuilt: yours may have changed
    "ijr,rkl->ijkl",
    np.random.default_rng(44).normal(size=(4, 5, 3)),
    np.random.default_rng(45).normal(size=(3, 6, 7)),
)
check.true(
    len({int(v) for v in ranks.values()}) > 1,
    "all three ranks are the same: each cut puts a different number of legs on the "
    "left, so each needs its own grouping.",
)
for left in (1, 2, 3):
    rows = int(np.prod(W_.shape[:left]))
    rank = int(np.linalg.matrix_rank(W_.reshape(rows, -1)))
    check.true(
        int(ranks[left]) != min(rows, W_.size // rows) or rank == int(ranks[left]),
        f"ranks[{left}] = {ranks[left]} counts every singular value across the cut; "
        "the rank counts only those above 1e-10.",
    )
    check.equal(int(ranks[left]), rank, name=f"ranks[{left}]", show_expected=False)
best = min(ranks, key=ranks.get)
check.true(
    cheapest != ranks[best] or cheapest == best,
    f"cheapest = {cheapest} is the smallest rank; cheapest should be the cut (1, 2 "
    "or 3) where it occurs.",
)
check.equal(cheapest, best, name="cheapest", show_expected=False)
check.passed("04-cut-rank", hidden=False)

# %% [markdown] id="04-046"
# ### Exercise 04.5 — truncate across a cut the array does not have
#
# `Tc` has legs `i, j, k, l` of dimensions (3, 4, 5, 6). Compute `Tc2`, its best
# approximation of **rank 2 across the cut** that puts the legs $(i, k)$ on one side
# and $(j, l)$ on the other: a tensor of the same shape as `Tc`, legs in the order
# `i, j, k, l`. Do it by hand with numpy (group, SVD, truncate, split); you may compare
# with `tl.svd` afterwards.

# %% id="04-047" jupyter={"source_hidden": true}
Exercise(
    "04-svd-cut",
    title="Truncate across a cut",
    difficulty=3,
    importance="core",
    minutes=12,
    hints=[
        "numpy groups only neighbouring axes: first bring the legs of each side together.",
        "After reordering the axes to i, k, j, l, a reshape makes a 15 x 24 matrix; truncate its SVD to 2 terms as in 04.2.",
        "Undo the steps in reverse order: reshape to the reordered tensor's shape, then put the axes back.",
    ],
)

# %% id="04-048"
_r = np.random.default_rng(46)  # the exercise's own numbers
Tc = np.einsum(
    "ikr,jlr->ijkl", _r.normal(size=(3, 5, 2)), _r.normal(size=(4, 6, 2))
) + 0.05 * _r.normal(size=(3, 4, 5, 6))
print("Tc has shape", Tc.shape)

# %% id="04-049" nbgrader={"grade": false, "grade_id": "04-svd-cut-code", "locked": false, "schema_version": 3, "solution": true}
# BEGIN SOLUTION
grouped = Tc.transpose(0, 2, 1, 3).reshape(3 * 5, 4 * 6)  # rows (i, k), columns (j, l)
Uc, Sc, Vhc = np.linalg.svd(grouped, full_matrices=False)
Tc2 = (Uc[:, :2] * Sc[:2] @ Vhc[:2]).reshape(3, 5, 4, 6).transpose(0, 2, 1, 3)
# END SOLUTION

# %% id="04-050" nbgrader={"grade": true, "grade_id": "04-svd-cut", "locked": true, "points": 3, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 3, "importance": "core", "minutes": 12}
_r = np.random.default_rng(46)  # Tc, rebuilt: yours may have changed
Tc_ = np.einsum(
    "ikr,jlr->ijkl", _r.normal(size=(3, 5, 2)), _r.normal(size=(4, 6, 2))
) + 0.05 * _r.normal(size=(3, 4, 5, 6))


def truncated(matrix, rank):  # used only for the likely slips below
    U_, S_, Vh_ = np.linalg.svd(matrix, full_matrices=False)
    return U_[:, :rank] * S_[:rank] @ Vh_[:rank]


def gram_across_cut(T):  # (i, k) against (i', k'), the legs (j, l) joined
    return np.einsum("ijkl,mjnl->ikmn", T, T).reshape(15, 15)


check.shape(Tc2, Tc_.shape, name="Tc2")
Tc2_ = np.asarray(Tc2, dtype=float)
slips = {
    "that is the rank-2 truncation across the cut (i, j | k, l), the legs as the "
    "array has them; the cut asked for is (i, k | j, l).": truncated(
        Tc_.reshape(12, 30), 2
    ).reshape(Tc_.shape),
    "reshape grouped legs that are not neighbours without a transpose first: the "
    "rows you made are not (i, k).": truncated(Tc_.reshape(15, 24), 2).reshape(
        Tc_.shape
    ),
    "that is Tc itself: keep only the 2 largest singular values.": Tc_,
}
for why, slip in slips.items():
    check.true(not np.allclose(Tc2_, slip, atol=1e-8), f"Tc2 is not right: {why}")
values = np.linalg.eigvalsh(gram_across_cut(Tc2_))  # squared singular values
rank = int(np.sum(values > 1e-9 * max(values.max(), 1e-300)))
check.true(
    rank <= 2,
    f"Tc2 has rank {rank} across the cut (i, k | j, l); a rank-2 approximation has "
    "at most 2 non-zero singular values there.",
)
error = np.linalg.norm(Tc_ - Tc2_)
smallest = np.sqrt(np.sum(np.linalg.eigvalsh(gram_across_cut(Tc_))[:-2]))
check.true(
    np.isclose(error, smallest, rtol=1e-6),
    f"Tc2 has rank {rank} across the cut, but it is not the best such tensor: its "
    f"error is {error:.6g}, and {smallest:.6g} is possible (Eckart–Young).",
)
check.passed("04-svd-cut", hidden=False)

# %% [markdown] id="04-044"
# ## Summary
#
# - $M = U S V^\dagger$: two isometries and the singular values on a copy tensor;
#   `tl.svd(M)`, or `np.linalg.svd` and `np.einsum("ir,r,jr->ij", U, S, V)`.
# - The SVD is a sum of weighted outer products, largest weights first.
# - Truncating to rank $r$ costs exactly $\sqrt{\sum_{k\ge r} S_k^2}$, and nothing of
#   rank $r$ does better (Eckart–Young).
# - A many-leg tensor has an SVD across every **cut**: group, SVD, split
#   (`tl.svd(T, left=...)`); its rank across the cut says how connected the two sides
#   are.
#
# Next, **`05_cp_tucker.ipynb`**: two ways to generalise the SVD to tensors with more
# than two legs.

# %% id="04-045"
progress()
