# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] id="05-000"
# # 05 · CP and Tucker: the SVD for tensors with more legs
#
# *Follows the paper's section on tensor decompositions (Taylor 2024, §3).* The SVD
# splits a matrix into isometries and weights on a copy tensor. For a tensor with three
# or more legs there is no single "SVD", but two famous generalisations, and each is
# one small diagram:
#
# - **CP** (canonical polyadic, also CANDECOMP/PARAFAC): one factor matrix per leg,
#   all joined through **one copy tensor** that carries the weights — the SVD's
#   picture with more than two arms;
# - **Tucker**: a small **core tensor** with a factor matrix on each leg — the SVD's
#   picture with the diagonal $S$ replaced by a full little tensor.
#
# We build both from real numbers, fit CP by **alternating least squares**, compute
# Tucker by the **higher-order SVD**, and weigh **storage against error**. About 50
# minutes. You need chapter 04.

# %% id="05-001"
import numpy as np

import tensorlessons as tl
from tensorlessons.exercises import Exercise, check, progress, same_value

np.set_printoptions(precision=3, suppress=True)
rng = np.random.default_rng(0)  # the same "random" numbers every time

# %% [markdown] id="05-002"
# ## CP: factor matrices joined by one copy tensor
#
# A tensor of **CP rank** $R$ is a sum of $R$ outer products of vectors:
# $$X_{ijk} = \sum_{r=1}^{R} w_r\, A_{ir}\, B_{jr}\, C_{kr}.$$
# In the diagram the four tensors `A`, `B`, `C`, `w` share one leg `r`: a copy tensor
# joining them all. Compare the SVD, $M_{ij} = \sum_r S_r U_{ir} V_{jr}$: CP is the
# same picture with one more arm.
#
# Careful with the word **rank**: the *order* of a tensor (number of legs) is
# sometimes called its rank; here rank means CP rank, the smallest $R$ in a sum like
# the one above. For a matrix the CP rank is the ordinary matrix rank.

# %% id="05-003"
_rx = np.random.default_rng(5)  # X gets its own numbers (exercise 05.1 rebuilds it)
A0, B0, C0 = _rx.normal(size=(6, 3)), _rx.normal(size=(7, 3)), _rx.normal(size=(8, 3))
X = np.einsum("ir,jr,kr->ijk", A0, B0, C0)  # CP rank 3 by construction
print("X has shape", X.shape, "and", X.size, "numbers")

fit = tl.cp(X, rank=3)
print(fit)
print("einsum string:", fit.to_einsum())
err = np.linalg.norm(X - fit.contract()) / np.linalg.norm(X)
print(f"relative error of the rank-3 CP fit: {err:.1e}")
A, B, C, w = fit["A"], fit["B"], fit["C"], fit["w"]
np.testing.assert_allclose(np.einsum("ir,jr,kr,r->ijk", A, B, C, w), fit.contract())
print("✓ the diagram is np.einsum('ir,jr,kr,r->ijk', A, B, C, w)")
tl.DiagramWidget(fit)


# %% [markdown] id="05-004"
# The factors found are not `A0`, `B0`, `C0` themselves: each column of `A` has unit
# length (the sizes moved into the weights `w`), and the order of the $R$ terms is
# free. But the tensor they make is `X`, to machine precision. Under mild conditions
# (Kruskal's), a CP decomposition of a tensor with three or more legs is **essentially
# unique**: unique up to such scaling and reordering. Contrast this not with the SVD —
# it is unique too, up to the signs of its singular vectors, when the singular values
# are distinct — but with a *general* low-rank factorisation of a matrix,
# $M = A B^\top = (A R)(R^{-1} B^\top)$ for any invertible $R$: for a matrix only the
# SVD's extra demands (orthonormal columns, sorted weights) pin the factors down,
# while CP needs no such demands. That is one reason CP is popular for finding
# interpretable factors in data.
#
# ## Fitting CP: alternating least squares
#
# There is no formula for the best CP factors. But fix `B` and `C` and the problem in
# `A` is **linear**: unfold $X$ along its first leg (group legs $j, k$ into one,
# chapter 03) and
# $$X_{i,(jk)} = \sum_r A_{ir}\, (B_{jr} C_{kr}),$$
# a matrix product of $A$ with the matrix whose column $r$ is $b_r \otimes c_r$ (the
# *Khatri–Rao* product). So `A` is a least-squares solution. **Alternating least
# squares** (ALS) solves for `A`, then `B`, then `C`, and repeats until the error stops
# changing. Here is one update of `A` by hand, from a random start (exercise 05.5 asks
# you for the update of `B`):


# %% id="05-005"
def cp_error(A, B, C):
    return np.linalg.norm(X - np.einsum("ir,jr,kr->ijk", A, B, C)) / np.linalg.norm(X)


A1, B1, C1 = rng.normal(size=(6, 3)), rng.normal(size=(7, 3)), rng.normal(size=(8, 3))
print(f"random start: relative error {cp_error(A1, B1, C1):.3f}")

X_unfolded = X.reshape(6, 7 * 8)  # legs (j, k) grouped: the unfolding along i
khatri_rao = np.einsum("jr,kr->jkr", B1, C1).reshape(7 * 8, 3)
A1 = np.linalg.lstsq(khatri_rao, X_unfolded.T, rcond=None)[0].T  # best A for this B, C
print(f"after one update of A: relative error {cp_error(A1, B1, C1):.3f}")

# %% [markdown] id="05-006"
# `tl.cp` repeats such updates (with the weights split off) until the relative error
# changes by less than a tolerance. With `return_info=True` it also reports how the
# fit went: the error after every sweep, and whether it converged. (On big tensors a
# progress bar appears while it runs.)
#
# **CP is harder than the SVD.** Finding the CP rank of a tensor is NP-hard, and a
# best rank-$R$ approximation may not even exist: for some tensors the error of
# rank-$R$ fits gets as small as you like without ever reaching its limit, while the
# factors blow up into huge, nearly cancelling terms (ALS then crawls). The SVD has
# none of these problems — its truncation is always the best (chapter 04).

# %% id="05-007"
noisy = X + 0.05 * rng.normal(size=X.shape)
fit, info = tl.cp(noisy, rank=3, init="random", seed=1, return_info=True)
print(
    f"{info.iterations} sweeps, converged: {info.converged}, final relative error {info.relative_error:.4f}"
)
from IPython.display import HTML

from tensorlessons.explorers import curve_svg

HTML(
    curve_svg(
        range(1, len(info.errors) + 1),
        info.errors,
        title="ALS: relative error per sweep",
        xlabel="sweep",
    )
)

# %% [markdown] id="05-008"
# ## Tucker: a core tensor with a factor on each leg
#
# Tucker keeps a full small **core** $G$ and puts a factor matrix on every leg:
# $$X_{ijk} \approx \sum_{abc} G_{abc}\, A_{ia}\, B_{jb}\, C_{kc}.$$
# Each leg can have its own rank. The **higher-order SVD** (HOSVD) computes it with
# nothing but the SVD of chapter 04:
#
# 1. for each leg, unfold $X$ along it (that leg against all the others grouped) and
#    keep the leading left singular vectors: that leg's factor, an isometry;
# 2. the core is $X$ with every leg joined to its factor's conjugate:
#    $G_{abc} = \sum_{ijk} X_{ijk}\, A^*_{ia} B^*_{jb} C^*_{kc}$.
#
# `tl.tucker(X, ranks)` does this and then refines the factors (higher-order
# orthogonal iteration, HOOI: each factor in turn is recomputed from the tensor with
# the *other* factors already applied). The HOSVD is not quite optimal, but usually
# close: the refinement often gains little. Here it is by hand, next to the library:

# %% id="05-009"
_ry = np.random.default_rng(9)  # Y gets its own numbers (exercise 05.3 rebuilds it)
Y = _ry.normal(size=(8, 9, 10)) + 3 * np.einsum(
    "ia,jb,kc,abc->ijk",
    _ry.normal(size=(8, 2)),
    _ry.normal(size=(9, 2)),
    _ry.normal(size=(10, 2)),
    _ry.normal(size=(2, 2, 2)),
)
ranks = (2, 2, 2)


def unfold(T, leg):
    return np.moveaxis(T, leg, 0).reshape(T.shape[leg], -1)


factors = [
    np.linalg.svd(unfold(Y, n), full_matrices=False)[0][:, :r]
    for n, r in enumerate(ranks)
]
G = np.einsum("ijk,ia,jb,kc->abc", Y, *factors)
by_hand = np.einsum("abc,ia,jb,kc->ijk", G, *factors)

tk = tl.tucker(Y, ranks, refine=False)  # the plain HOSVD
np.testing.assert_allclose(tk.contract(), by_hand, atol=1e-10)
print(tk)
print("einsum string:", tk.to_einsum(), "  core shape:", tk["G"].shape)
print("factors are isometries:", all(tl.is_isometry(tk[n]) for n in "ABC"))
err_hosvd = np.linalg.norm(Y - by_hand) / np.linalg.norm(Y)
err_hooi = np.linalg.norm(Y - tl.tucker(Y, ranks).contract()) / np.linalg.norm(Y)
print(f"relative error: HOSVD {err_hosvd:.4f}, refined by HOOI {err_hooi:.4f}")
tl.DiagramWidget(tk)

# %% [markdown] id="05-010"
# ## Storage versus error
#
# Why decompose at all? **Storage**. A $n \times n \times n$ tensor holds $n^3$
# numbers; CP of rank $R$ keeps $3nR + R$; Tucker with ranks $(r, r, r)$ keeps
# $r^3 + 3nr$. The price is the error. Slide the ranks below on a tensor that is
# "almost" low-rank (a smooth function of three variables): the numbers kept, the
# error and the curve of error against rank update live.

# %% id="05-011"
g = np.linspace(0, 1, 12)
Z = 1 / (
    1 + g[:, None, None] + 2 * g[None, :, None] + 3 * g[None, None, :]
)  # smooth, nearly low-rank
tucker_explorer = tl.RankExplorer(Z, method="tucker", rank=2, max_rank=6)
tucker_explorer

# %% id="05-012"
cp_explorer = tl.RankExplorer(Z, method="cp", rank=2, max_rank=5)
cp_explorer

# %% id="05-013"
print(" rank | Tucker: kept  rel. error | CP: kept  rel. error")
for r in range(1, 5):
    tucker_explorer.set_rank(r)
    cp_explorer.set_rank(r)
    print(
        f"  {r}   | {tucker_explorer.storage:5d}  {tucker_explorer.relative_error:9.2e}  | {cp_explorer.storage:5d}  {cp_explorer.relative_error:9.2e}"
    )
print("full tensor:", Z.size, "numbers")

# %% [markdown] id="05-014"
# ## Exercises

# %% [markdown] id="05-015"
# ### Exercise 05.1 — draw a CP decomposition
#
# The factors `A`, `B`, `C` and the weights `w` of a rank-3 CP fit of `X` stand below,
# unjoined. Draw the CP reconstruction $\sum_r w_r\, a_r \otimes b_r \otimes c_r$: the
# diagram's value must be `X`. In the widget, drag leg ends together; or in code:
# `mine = ex051.start.copy()`, edit it with `mine.connect(...)`, then `ex051.submit(mine)`.

# %% id="05-016" jupyter={"source_hidden": true}
# The set-up of the exercise (collapsed: it contains the hints).
target_cp = tl.cp(X, rank=3)
start = tl.Diagram()
for name in ["A", "B", "C"]:
    start.add_tensor(name, target_cp[name], legs=[name.lower(), "r"])
start.add_tensor("w", target_cp["w"], legs=["r"])
del (
    target_cp
)  # joined, the factors are the answer: only their arrays are kept, in start
# around an empty middle, where the four-way wire's dot will go
places = {"A": (80, 200), "w": (250, 70), "C": (420, 200), "B": (250, 330)}
for name, (x, y) in places.items():
    start.move(name, x, y)
ex051 = tl.DiagramExercise(
    "05-draw-cp",
    task="Draw the CP reconstruction of X from its factors A, B, C and weights w.",
    start=start,
    # what Check compares: the value of your diagram
    answer=same_value(
        X,
        hint="In CP every factor's r leg carries the same index r: one copy-tensor dot.",
    ),
    title="Draw CP",
    difficulty=1,
    importance="core",
    minutes=4,
    hints=[
        "In the formula, which index do all four tensors share?",
        "One index shared by four legs is one copy tensor: one wire that meets all four.",
        "Join two r-legs with a wire, then join each of the other two to that wire.",
    ],
)
ex051

# %% id="05-017" nbgrader={"grade": false, "grade_id": "05-draw-cp-code", "locked": false, "schema_version": 3, "solution": true}
# Answer by drawing above, or in code here.
# BEGIN SOLUTION
mine = ex051.start.copy()
mine.connect("A:r", "B:r")
mine.connect("B:r", "C:r")
mine.connect("C:r", "w:r")
ex051.submit(mine)
# END SOLUTION

# %% id="05-018" nbgrader={"grade": true, "grade_id": "05-draw-cp", "locked": true, "points": 1, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 1, "importance": "core", "minutes": 4}
ex051.check()
_rx = np.random.default_rng(5)  # X, rebuilt: yours may have changed
X_ = np.einsum(
    "ir,jr,kr->ijk",
    _rx.normal(size=(6, 3)),
    _rx.normal(size=(7, 3)),
    _rx.normal(size=(8, 3)),
)
check.array(ex051.diagram.contract(), X_, name="the value of your diagram", atol=1e-6)
### BEGIN HIDDEN TESTS
_reference = ex051.start.copy()
for _a, _b in [("A:r", "B:r"), ("B:r", "C:r"), ("C:r", "w:r")]:
    _reference.connect(_a, _b)
check.diagram(ex051.diagram, _reference)
### END HIDDEN TESTS
check.passed("05-draw-cp", hidden=True)

# %% [markdown] id="05-019"
# ### Exercise 05.2 — CP in one einsum line
#
# A 4-leg tensor has CP factors `F0, F1, F2, F3` (one per leg, each with $R = 2$
# columns) and weights `lam`. Write `X4`, the tensor they stand for, with **one**
# `np.einsum` call.

# %% id="05-020" jupyter={"source_hidden": true}
Exercise(
    "05-cp-einsum",
    title="CP as an einsum",
    difficulty=1,
    importance="core",
    minutes=4,
    hints=[
        "Each factor has a leg of its own (i, j, k, l) and the shared leg r.",
        "The weights have only the leg r; the output has i, j, k, l.",
        "The letter r appears five times before '->' and not after it: one copy tensor, summed.",
    ],
)

# %% id="05-021"
_rf = np.random.default_rng(52)  # the exercise's own numbers
F0, F1, F2, F3 = (_rf.normal(size=(n, 2)) for n in (2, 3, 4, 5))
lam = np.array([2.0, -0.5])

# %% id="05-022" nbgrader={"grade": false, "grade_id": "05-cp-einsum-code", "locked": false, "schema_version": 3, "solution": true}
# BEGIN SOLUTION
X4 = np.einsum("ir,jr,kr,lr,r->ijkl", F0, F1, F2, F3, lam)
# END SOLUTION

# %% id="05-023" nbgrader={"grade": true, "grade_id": "05-cp-einsum", "locked": true, "points": 1, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 1, "importance": "core", "minutes": 4}
_rf = np.random.default_rng(52)  # the factors, rebuilt: yours may have changed
F_ = [_rf.normal(size=(n, 2)) for n in (2, 3, 4, 5)]
lam_ = np.array([2.0, -0.5])
terms = [  # term r: lam[r] times the outer product of the factors' columns r
    lam_[r]
    * np.multiply.outer(
        np.multiply.outer(np.multiply.outer(F_[0][:, r], F_[1][:, r]), F_[2][:, r]),
        F_[3][:, r],
    )
    for r in range(2)
]
check.array(
    X4,
    terms[0] + terms[1],
    name="X4",
    slips={
        "the weights lam are missing.": terms[0] / lam_[0] + terms[1] / lam_[1],
        "it has only the first term (r = 0): the leg r must be summed.": terms[0],
        "each factor got its own letter for the leg r: all four factors and lam "
        "share ONE letter (one copy tensor), or the terms mix.": np.einsum(
            "ia,jb,kc,ld,r->ijkl", *F_, lam_
        ),
    },
)
check.passed("05-cp-einsum", hidden=False)

# %% [markdown] id="05-024"
# ### Exercise 05.3 — one HOSVD factor
#
# Compute `factor_k`, the HOSVD factor of the **third** leg (`k`) of `Y` for Tucker rank
# 3: the 3 leading left singular vectors of `Y` unfolded along that leg. (Singular
# vectors are only defined up to sign, so the check compares the projector
# `factor_k @ factor_k.T`, which does not care.)

# %% id="05-025" jupyter={"source_hidden": true}
Exercise(
    "05-hosvd-factor",
    title="A higher-order SVD factor",
    difficulty=2,
    importance="core",
    minutes=6,
    hints=[
        "Unfolding along leg k: leg k becomes the rows, all other legs grouped into the columns.",
        "The left singular vectors are the columns of the first matrix np.linalg.svd returns.",
        "Tucker rank 3 on this leg keeps the leading 3 of them.",
    ],
)

# %% id="05-026" nbgrader={"grade": false, "grade_id": "05-hosvd-factor-code", "locked": false, "schema_version": 3, "solution": true}
# BEGIN SOLUTION
factor_k = np.linalg.svd(
    np.moveaxis(Y, 2, 0).reshape(Y.shape[2], -1), full_matrices=False
)[0][:, :3]
# END SOLUTION

# %% id="05-027" nbgrader={"grade": true, "grade_id": "05-hosvd-factor", "locked": true, "points": 2, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 2, "importance": "core", "minutes": 6}
_ry = np.random.default_rng(9)  # Y, rebuilt: yours may have changed
Y_ = _ry.normal(size=(8, 9, 10)) + 3 * np.einsum(
    "ia,jb,kc,abc->ijk",
    _ry.normal(size=(8, 2)),
    _ry.normal(size=(9, 2)),
    _ry.normal(size=(10, 2)),
    _ry.normal(size=(2, 2, 2)),
)
check.shape(factor_k, (10, 3), name="factor_k")
check.true(
    tl.is_isometry(factor_k), "factor_k should have orthonormal columns (an isometry)"
)


def projector(unfolded, cols):  # used only for the likely slips below
    U_ = np.linalg.svd(unfolded, full_matrices=False)[0][:, cols]
    return U_ @ U_.T


# the leading 3 eigenvectors of the Gram matrix of leg k (all other legs joined) span
# the same space as the leading left singular vectors of the unfolding
_, vectors = np.linalg.eigh(np.einsum("ijk,ijl->kl", Y_, Y_))
top = vectors[:, -3:]
check.array(
    factor_k @ factor_k.T,
    top @ top.T,
    name="factor_k @ factor_k.T (the space your factor spans)",
    slips={
        "Y.reshape(10, -1) does not unfold along k: reshape keeps the axis order, so "
        "move leg k to the front first.": projector(Y_.reshape(10, -1), slice(0, 3)),
        "these are the 3 *last* singular vectors; the factor keeps the leading "
        "ones.": vectors[:, :3] @ vectors[:, :3].T,
    },
)
check.passed("05-hosvd-factor", hidden=False)

# %% [markdown] id="05-028"
# ### Exercise 05.4 — count the numbers kept
#
# A tensor has shape $(10, 20, 30)$. How many numbers does each keep? Set
# `full_numbers` (the tensor itself), `tucker_numbers` (Tucker with ranks $(2, 3, 4)$:
# core plus factors) and `cp_numbers` (CP of rank 5: factors plus weights). Work
# them out from the diagrams' tensor shapes; then check yourself with
# `storage(diagram)` (from `tensorlessons.decompositions`) on a decomposition of a random tensor of that
# shape if you like.

# %% id="05-029" jupyter={"source_hidden": true}
Exercise(
    "05-storage",
    title="Storage of CP and Tucker",
    difficulty=1,
    importance="optional",
    minutes=5,
    hints=[
        "A diagram stores the numbers of its tensors: each tensor holds the product of its dimensions.",
        "Tucker: the core's legs have the ranks as dimensions; each factor joins a leg of the tensor to a leg of the core.",
        "CP: one factor per leg, each with one column per term, and the weights.",
    ],
)

# %% id="05-030" nbgrader={"grade": false, "grade_id": "05-storage-code", "locked": false, "schema_version": 3, "solution": true}
# BEGIN SOLUTION
full_numbers = 10 * 20 * 30
tucker_numbers = 2 * 3 * 4 + 10 * 2 + 20 * 3 + 30 * 4
cp_numbers = (10 + 20 + 30) * 5 + 5
# END SOLUTION

# %% id="05-031" nbgrader={"grade": true, "grade_id": "05-storage", "locked": true, "points": 1, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 1, "importance": "optional", "minutes": 5}
from tensorlessons.decompositions import storage

sample = np.random.default_rng(54).normal(size=(10, 20, 30))
tucker_ = storage(tl.tucker(sample, (2, 3, 4), refine=False))
cp_ = storage(tl.cp(sample, 5, max_iter=2))
check.true(
    full_numbers != 10 + 20 + 30,
    "full_numbers adds the dimensions; a tensor holds their product.",
)
check.equal(full_numbers, sample.size, name="full_numbers", show_expected=False)
check.true(
    tucker_numbers != tucker_ - 2 * 3 * 4,
    "tucker_numbers counts the factors but not the core (2 x 3 x 4).",
)
check.true(
    tucker_numbers != 2 * 3 * 4,
    "tucker_numbers counts the core but not the three factors.",
)
check.equal(tucker_numbers, tucker_, name="tucker_numbers", show_expected=False)
check.true(cp_numbers != cp_ - 5, "cp_numbers forgets the 5 weights w.")
check.equal(cp_numbers, cp_, name="cp_numbers", show_expected=False)
check.passed("05-storage", hidden=False)

# %% [markdown] id="05-034"
# ### Exercise 05.5 — one ALS update, for the middle leg
#
# The chapter updated `A`, the factor of the first leg. Write a function
# `update_B(X, A, C)` that returns the **best `B`** for fixed `A` and `C`: the
# least-squares solution of $X_{ijk} \approx \sum_r A_{ir} B_{jr} C_{kr}$ in `B`, for
# any 3-leg `X` and factors with any number of columns $R$ (the check tries shapes
# other than the chapter's). Then `update_B(X, A1, C1)` lowers `cp_error` in one step.

# %% id="05-035" jupyter={"source_hidden": true}
Exercise(
    "05-als-update",
    title="An ALS update",
    difficulty=3,
    importance="core",
    minutes=15,
    hints=[
        "Fixing A and C, X is a matrix product again if you unfold it along j: j against the grouped (i, k).",
        "The Khatri–Rao product of A and C has one row per value of the grouped legs, one column per r.",
        "The grouped legs must come in the same order in the unfolding and in the Khatri–Rao product: i before k in both.",
    ],
)


# %% id="05-036" nbgrader={"grade": false, "grade_id": "05-als-update-code", "locked": false, "schema_version": 3, "solution": true}
# BEGIN SOLUTION
def update_B(X, A, C):
    unfolded = np.moveaxis(X, 1, 0).reshape(X.shape[1], -1)  # rows j, columns (i, k)
    khatri_rao = np.einsum("ir,kr->ikr", A, C).reshape(-1, A.shape[1])
    return np.linalg.lstsq(khatri_rao, unfolded.T, rcond=None)[0].T


# END SOLUTION
print(f"before: relative error {cp_error(A1, B1, C1):.3f}")
print(f"after updating B: relative error {cp_error(A1, update_B(X, A1, C1), C1):.3f}")

# %% id="05-037" nbgrader={"grade": true, "grade_id": "05-als-update", "locked": true, "points": 3, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 3, "importance": "core", "minutes": 15}
_ra = np.random.default_rng(55)  # a tensor and factors of their own
Xa, Aa, Ca = (
    _ra.normal(size=(4, 5, 6)),
    _ra.normal(size=(4, 3)),
    _ra.normal(size=(6, 3)),
)
check.true(callable(update_B), "update_B should be a function update_B(X, A, C)")
problem = ""
try:
    got = update_B(Xa.copy(), Aa.copy(), Ca.copy())
except Exception as err:  # a learner's error becomes the check's message
    got, problem = None, f"update_B(X, A, C) raised {type(err).__name__}: {err}"
check.true(got is not None, problem or "update_B returned None: return the new B")
name = "update_B(X, A, C) on X of shape (4, 5, 6) with R = 3"
check.shape(got, (5, 3), name=name)
got = np.asarray(got, dtype=float)


def solve(unfolded, khatri_rao):  # used only for the likely slips below
    return np.linalg.lstsq(khatri_rao, unfolded.T, rcond=None)[0].T


mismatch = (
    "the unfolding and the Khatri–Rao product group the legs (i, k) in different "
    "orders: row n of one must belong to column n of the other."
)
slips = {
    mismatch: solve(
        np.moveaxis(Xa, 1, 0).reshape(5, -1),
        np.einsum("ir,kr->kir", Aa, Ca).reshape(-1, 3),
    ),
    mismatch + " ": solve(
        Xa.transpose(1, 2, 0).reshape(5, -1),
        np.einsum("ir,kr->ikr", Aa, Ca).reshape(-1, 3),
    ),
    "X.reshape(X.shape[1], -1) does not unfold along j: reshape keeps the axis "
    "order, so move leg j to the front first.": solve(
        Xa.reshape(5, -1), np.einsum("ir,kr->ikr", Aa, Ca).reshape(-1, 3)
    ),
}
for why, slip in slips.items():
    check.true(not np.allclose(got, slip), f"{name} is not right: {why.strip()}")
# the best B leaves a residual with no part along A and C (the gradient in B is zero)
residual = Xa - np.einsum("ir,jr,kr->ijk", Aa, got, Ca)
gradient = np.einsum("ijk,ir,kr->jr", residual, Aa, Ca)
check.true(
    np.allclose(gradient, 0, atol=1e-8 * np.linalg.norm(Xa) ** 2),
    f"{name} is not the least-squares B: a small change of B would still lower the "
    f"error (the gradient in B has size {np.linalg.norm(gradient):.3g}, not 0).",
)
### BEGIN HIDDEN TESTS
_rb = np.random.default_rng(56)
Xb, Ab, Cb = (
    _rb.normal(size=(3, 7, 2)),
    _rb.normal(size=(3, 2)),
    _rb.normal(size=(2, 2)),
)
Bb = np.asarray(update_B(Xb, Ab, Cb), dtype=float)
check.shape(Bb, (7, 2), name="update_B(X, A, C) on X of shape (3, 7, 2) with R = 2")
check.array(
    Bb @ ((Ab.T @ Ab) * (Cb.T @ Cb)),
    np.einsum("ijk,ir,kr->jr", Xb, Ab, Cb),
    name="update_B(X, A, C) on X of shape (3, 7, 2) with R = 2 (normal equations)",
)
### END HIDDEN TESTS
check.passed("05-als-update", hidden=True)

# %% [markdown] id="05-032"
# ## Summary
#
# - **CP**: factor matrices joined through one copy tensor with weights,
#   `np.einsum("ir,jr,kr,r->ijk", A, B, C, w)`; fitted by alternating least squares
#   (each step a linear least-squares problem on an unfolding); `tl.cp(X, rank)`.
#   Essentially unique under mild conditions, but its rank is NP-hard to find and a
#   best rank-$R$ approximation may not exist.
# - **Tucker**: a core with an isometry on each leg; the higher-order SVD takes each
#   factor from the SVD of an unfolding, and the core by joining $X$ to the factors'
#   conjugates; `tl.tucker(X, ranks)`.
# - Both trade **storage** for **error**; the rank sliders show how.
#
# Next, **`06_tensor_networks.ipynb`**: instead of one core, a chain of small tensors.

# %% id="05-033"
progress()
