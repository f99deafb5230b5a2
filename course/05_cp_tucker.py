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
from tensorlessons.exercises import Exercise, check, progress

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
A0, B0, C0 = rng.normal(size=(6, 3)), rng.normal(size=(7, 3)), rng.normal(size=(8, 3))
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
# free. But the tensor they make is `X`, to machine precision. For CP (unlike the
# SVD) this decomposition is usually **unique** up to such scaling and reordering —
# one reason CP is popular for finding interpretable factors in data.
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
# changing. Here is one update of `A` by hand, from a random start:


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
Y = rng.normal(size=(8, 9, 10)) + 3 * np.einsum(
    "ia,jb,kc,abc->ijk",
    rng.normal(size=(8, 2)),
    rng.normal(size=(9, 2)),
    rng.normal(size=(10, 2)),
    rng.normal(size=(2, 2, 2)),
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
# The factors `A`, `B`, `C` and the weights `w` of a CP fit stand below, unjoined.
# Join their four `r`-legs (`A:r`, `B:r`, `C:r`, `w:r`) into **one** copy tensor, so
# that the diagram means $\sum_r w_r\, a_r \otimes b_r \otimes c_r$. In the widget, drag
# the leg ends together; or in code: `mine = ex051.start.copy()`, `mine.connect(...)`
# three times, `ex051.submit(mine)`.

# %% id="05-016" jupyter={"source_hidden": true}
# The set-up of the exercise (collapsed: it contains the answer).
target_cp = tl.cp(X, rank=3)
start = tl.Diagram()
for name in ["A", "B", "C"]:
    start.add_tensor(name, target_cp[name], legs=[name.lower(), "r"])
start.add_tensor("w", target_cp["w"], legs=["r"])
# around an empty middle, where the four-way wire's dot will go
places = {"A": (80, 200), "w": (250, 70), "C": (420, 200), "B": (250, 330)}
for name, (x, y) in places.items():
    start.move(name, x, y)
ex051 = tl.DiagramExercise(
    "05-draw-cp",
    task="Join A:r, B:r, C:r and w:r into one copy tensor, so that the diagram is the CP reconstruction of X.",
    start=start,
    answer=target_cp,
    title="Draw CP",
    difficulty=1,
    importance="core",
    minutes=4,
    hints=[
        "One copy tensor = one index shared by all four legs.",
        "Join A:r to B:r; then join C:r to that wire; then w:r.",
        "In code: mine.connect('A:r', 'B:r'); mine.connect('B:r', 'C:r'); mine.connect('C:r', 'w:r').",
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
check.array(ex051.diagram.contract(), X, name="the value of your diagram")
check.passed("05-draw-cp", hidden=False)

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
        "np.einsum('ir,jr,kr,lr,r->ijkl', ...).",
    ],
)

# %% id="05-021"
F0, F1, F2, F3 = (rng.normal(size=(n, 2)) for n in (2, 3, 4, 5))
lam = np.array([2.0, -0.5])

# %% id="05-022" nbgrader={"grade": false, "grade_id": "05-cp-einsum-code", "locked": false, "schema_version": 3, "solution": true}
# BEGIN SOLUTION
X4 = np.einsum("ir,jr,kr,lr,r->ijkl", F0, F1, F2, F3, lam)
# END SOLUTION

# %% id="05-023" nbgrader={"grade": true, "grade_id": "05-cp-einsum", "locked": true, "points": 1, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 1, "importance": "core", "minutes": 4}
check.shape(X4, (2, 3, 4, 5), name="X4")
### BEGIN HIDDEN TESTS
expected = sum(
    lam[r]
    * np.multiply.outer(
        np.multiply.outer(np.multiply.outer(F0[:, r], F1[:, r]), F2[:, r]), F3[:, r]
    )
    for r in range(2)
)
check.array(X4, expected, name="X4")
### END HIDDEN TESTS
check.passed("05-cp-einsum", hidden=True)

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
        "Unfolding along leg k: move axis 2 to the front, then reshape to (Y.shape[2], -1).",
        "np.linalg.svd(..., full_matrices=False)[0] gives the left singular vectors, as columns.",
        "Keep the first 3 columns: [:, :3].",
    ],
)

# %% id="05-026" nbgrader={"grade": false, "grade_id": "05-hosvd-factor-code", "locked": false, "schema_version": 3, "solution": true}
# BEGIN SOLUTION
factor_k = np.linalg.svd(
    np.moveaxis(Y, 2, 0).reshape(Y.shape[2], -1), full_matrices=False
)[0][:, :3]
# END SOLUTION

# %% id="05-027" nbgrader={"grade": true, "grade_id": "05-hosvd-factor", "locked": true, "points": 2, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 2, "importance": "core", "minutes": 6}
check.shape(factor_k, (10, 3), name="factor_k")
check.true(
    tl.is_isometry(factor_k), "factor_k should have orthonormal columns (an isometry)"
)
### BEGIN HIDDEN TESTS
ref = tl.tucker(Y, (8, 9, 3), refine=False)["C"]
check.array(factor_k @ factor_k.T, ref @ ref.T, name="factor_k @ factor_k.T")
### END HIDDEN TESTS
check.passed("05-hosvd-factor", hidden=True)

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
        "Tucker: the core G has shape (2, 3, 4); factor A is 10 x 2, B is 20 x 3, C is 30 x 4.",
        "CP: A is 10 x 5, B is 20 x 5, C is 30 x 5, and w has 5 numbers.",
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

sample = rng.normal(size=(10, 20, 30))
check.equal(full_numbers, sample.size, name="full_numbers")
check.equal(
    tucker_numbers,
    storage(tl.tucker(sample, (2, 3, 4), refine=False)),
    name="tucker_numbers",
)
check.equal(cp_numbers, storage(tl.cp(sample, 5, max_iter=2)), name="cp_numbers")
check.passed("05-storage", hidden=False)

# %% [markdown] id="05-032"
# ## Summary
#
# - **CP**: factor matrices joined through one copy tensor with weights,
#   `np.einsum("ir,jr,kr,r->ijk", A, B, C, w)`; fitted by alternating least squares
#   (each step a linear least-squares problem on an unfolding); `tl.cp(X, rank)`.
# - **Tucker**: a core with an isometry on each leg; the higher-order SVD takes each
#   factor from the SVD of an unfolding, and the core by joining $X$ to the factors'
#   conjugates; `tl.tucker(X, ranks)`.
# - Both trade **storage** for **error**; the rank sliders show how.
#
# Next, **`06_tensor_networks.ipynb`**: instead of one core, a chain of small tensors.

# %% id="05-033"
progress()
