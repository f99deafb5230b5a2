# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] id="02-000"
# # 02 · Operations: outer products, contraction, trace, transpose
#
# *Follows the paper's (Taylor 2024) introduction of operations between tensors.* Nearly
# everything a linear layer, an attention head or a tensor decomposition does is built
# from two moves:
#
# - putting tensors **side by side** (the outer or tensor product), and
# - **joining legs** with a wire (contraction: sum over the shared index).
#
# With them we draw the dot product, the matrix–vector and matrix–matrix products,
# chains of products and the trace; we see that transposing only *renames* legs, that
# the way a diagram is drawn carries no meaning, that every diagram is one `np.einsum`
# string — and that the *order* in which a network is contracted can change its cost
# by orders of magnitude. About 50 minutes, with seven exercises (one optional).

# %% id="02-001"
import numpy as np

import tensorlessons as tl
from tensorlessons.exercises import Exercise, check, progress, same_value

np.set_printoptions(precision=3, suppress=True)
rng = np.random.default_rng(0)  # the same "random" numbers every time

# %% [markdown] id="02-002"
# ## Side by side: the outer (tensor) product
#
# Two tensors drawn next to each other, not joined, stand for their **outer product**
# (also called tensor product): every entry of one times every entry of the other,
# $(u \otimes v)_{ij} = u_i\, v_j$. Nothing is summed, so every leg stays open and the
# orders add up: a vector (1 leg) beside a vector (1 leg) is a matrix (2 legs).

# %% id="02-003"
u = np.array([1.0, 2.0])
v = np.array([1.0, 10.0, 100.0])

outer = tl.Diagram.from_einsum("i,j->ij", u, v, names=["u", "v"])
print(outer.contract())
np.testing.assert_allclose(outer.contract(), np.outer(u, v))
print("✓ u beside v is np.outer(u, v)")
tl.DiagramWidget(outer)

# %% [markdown] id="02-004"
# Any tensors can stand side by side: a matrix (2 legs) next to a vector (1 leg) is an
# order-3 tensor, $(M \otimes v)_{ijk} = M_{ij} v_k$:

# %% id="02-005"
M = rng.normal(size=(2, 2))
Mv = tl.Diagram.from_einsum("ij,k->ijk", M, v, names=["M", "v"])
print("shape:", Mv.shape)
np.testing.assert_allclose(Mv.contract(), np.multiply.outer(M, v))
print("✓ M beside v is np.multiply.outer(M, v)")
tl.DiagramWidget(Mv)

# %% [markdown] id="02-006"
# **A trap: two things called "tensor product".** Physics texts and `np.kron` use
# "tensor product" (Kronecker product) for the same numbers arranged as *one* long
# vector (or one big matrix): `np.kron(u, v)` has **one** leg of dimension 6, the outer
# product has **two** legs of dimensions 2 and 3. They differ only by *grouping* the two
# legs into one — a reshape, which chapter 03 draws. When you read "tensor product",
# ask how many legs the result has.

# %% id="02-007"
print("outer:", np.outer(u, v).shape, "  kron:", np.kron(u, v).shape)
np.testing.assert_allclose(np.kron(u, v), np.outer(u, v).reshape(6))
print("✓ kron(u, v) is the outer product with its two legs grouped into one")

# %% [markdown] id="02-008"
# ## Joining legs: contraction
#
# Join two legs of **equal dimension** with a wire and their index is **summed over**.
# Each wire removes two open legs. The simplest case is two vectors: one wire, no open
# legs left, so the result is a number — the dot product
# $u \cdot w = \sum_i u_i w_i$.

# %% id="02-009"
u = rng.normal(size=4)
w = rng.normal(size=4)

dot = tl.Diagram.from_einsum("i,i->", u, w, names=["u", "w"])
np.testing.assert_allclose(dot.contract(), u @ w)
print("u·w =", float(dot.contract()), "✓ equals u @ w")
tl.DiagramWidget(dot)

# %% [markdown] id="02-010"
# ## Matrix–vector, matrix–matrix, and chains
#
# A matrix has two legs. Join one of them to a vector and one leg stays open: the
# result is a vector, $(Mx)_i = \sum_j M_{ij} x_j$. Join two matrices and two legs stay
# open: $(AB)_{ik} = \sum_j A_{ij} B_{jk}$. Chains of products are chains of boxes.
#
# This time we build the chain $A B C x$ edit by edit, as you would in the widget:
# start from four unconnected tensors (their outer product!) and join legs one wire
# at a time. Watch the open legs and the shape.

# %% id="02-011"
A = rng.normal(size=(2, 3))
B = rng.normal(size=(3, 4))
C = rng.normal(size=(4, 5))
x = rng.normal(size=5)

chain = tl.Diagram.from_arrays({"A": A, "B": B, "C": C, "x": x})
print("no wires:       open legs", chain.output, "shape", chain.shape)
chain.connect("A:j", "B:i")
print("A–B joined:     open legs", chain.output, "shape", chain.shape)
chain.connect("B:j", "C:i")
chain.connect("C:j", "x:i")
chain.auto_layout()
print("all joined:     open legs", chain.output, "shape", chain.shape)
print("einsum:", chain.to_einsum())

# %% id="02-012"
np.testing.assert_allclose(chain.contract(), A @ B @ C @ x)
print("✓ the chain is A @ B @ C @ x")
chain_widget = tl.DiagramWidget(chain)
chain_widget

# %% [markdown] id="02-013"
# **Try it:** in the widget above, cut the wire between `B` and `C` (click it, press
# Delete) and look at the result panel: two more open legs, shape `(2, 4, 4)`. Undo
# with Ctrl + Z. The rule to read any diagram: **the result has one leg per open leg,
# and every wire is a sum.**
#
# ## Trace: a leg joined back to its own tensor
#
# Join a square matrix's two legs to each other and nothing stays open: the diagram is
# the number $\sum_i M_{ii} = \operatorname{tr} M$, drawn as a **loop**.

# %% id="02-014"
S = rng.normal(size=(3, 3))
trace = tl.Diagram.from_einsum("ii->", S, names=["S"])
np.testing.assert_allclose(trace.contract(), np.trace(S))
print("tr S =", float(trace.contract()), "✓ equals np.trace(S)")
tl.DiagramWidget(trace)

# %% [markdown] id="02-015"
# The trace of a product is a loop through several tensors:
# $\operatorname{tr}(PQR) = \sum_{ijk} P_{ij} Q_{jk} R_{ki}$. Algebra books prove the
# *cyclic property* $\operatorname{tr}(PQR) = \operatorname{tr}(QRP) =
# \operatorname{tr}(RPQ)$. In the notation there is nothing to prove: all three are
# the **same loop**, read from a different starting point. `tl.equivalent` compares
# two diagrams by what they mean (which legs are joined to which), not by how they are
# written or drawn. $\operatorname{tr}(PRQ)$, on the other hand, is a different loop.

# %% id="02-016"
P, Q, R = (rng.normal(size=(3, 3)) for _ in range(3))
tr_PQR = tl.Diagram.from_einsum("ij,jk,ki->", P, Q, R, names=["P", "Q", "R"])
tr_QRP = tl.Diagram.from_einsum("jk,ki,ij->", Q, R, P, names=["Q", "R", "P"])
tr_PRQ = tl.Diagram.from_einsum("ij,jk,ki->", P, R, Q, names=["P", "R", "Q"])

print("tr(PQR) and tr(QRP) the same diagram?", tl.equivalent(tr_PQR, tr_QRP))
print("tr(PQR) and tr(PRQ) the same diagram?", tl.equivalent(tr_PQR, tr_PRQ))
print("  why not:", tl.diagram.difference(tr_PQR, tr_PRQ))

np.testing.assert_allclose(tr_PQR.contract(), np.trace(Q @ R @ P))
print(
    "✓ tr(PQR) =",
    float(tr_PQR.contract()),
    "= tr(QRP);  tr(PRQ) =",
    float(tr_PRQ.contract()),
)

# %% [markdown] id="02-017"
# Here is the loop $\operatorname{tr}(PQR)$. Drag `R` to the other side, or put the
# three boxes in a line: it stays the same loop and the same number.

# %% id="02-018"
tl.DiagramWidget(tr_PQR)

# %% [markdown] id="02-019"
# ## Transpose, and why orientation means nothing
#
# In numpy, `A.T` swaps which axis comes first. A diagram has no "first" leg drawn
# anywhere: it only says **which leg is joined to what**, and lists the open legs of the
# result in some order (the part after `->`). Transposing is choosing the other order:

# %% id="02-020"
A = rng.normal(size=(2, 3))
At = tl.Diagram.from_einsum("ij->ji", A, names=["A"])
np.testing.assert_allclose(At.contract(), A.T)
print("✓ 'ij->ji' is A.T; the open legs are listed as", At.output)
tl.DiagramWidget(At)

# %% [markdown] id="02-021"
# So rotating, mirroring or dragging a diagram never changes it — only connectivity
# counts. For example $A b$ and $b^T A^T$ are the **same diagram**: the vector `b` is
# joined to the second leg of `A`, and `A`'s first leg is open. So are
# $(AB)^T$ and $B^T A^T$. Drag the boxes of the widget below around, even put `b` on
# the left: the value stays $Ab$.

# %% id="02-022"
b = rng.normal(size=3)
Ab = tl.Diagram.from_einsum("ij,j->i", A, b, names=["A", "b"])
bAt = tl.Diagram.from_einsum("j,ij->i", b, A, names=["b", "A"])  # b^T A^T

print("A b and b^T A^T the same diagram?", tl.equivalent(Ab, bAt))
np.testing.assert_allclose(Ab.contract(), b @ A.T)
print("✓ both are", Ab.contract())
tl.DiagramWidget(Ab)

# %% [markdown] id="02-023"
# And $b^T A^T$, built from the other string — the same picture up to where the boxes sit:

# %% id="02-024"
tl.DiagramWidget(bAt)

# %% [markdown] id="02-025"
# ## Every diagram is one einsum string
#
# To write a diagram as `np.einsum`:
#
# 1. give every wire and every open leg its own letter;
# 2. for each tensor, write the letters of its legs in the order of its array's axes;
#    separate tensors with commas;
# 3. after `->`, write the letters of the open legs in the order you want the result's
#    axes. Letters that appear before `->` but not after it are summed.
#
# A letter that appears on one tensor only and not after `->` is summed on its own:
# `"ij->i"` sums each row (it is the same as joining leg `j` to a vector of ones).
#
# | diagram | einsum | numpy |
# |---|---|---|
# | outer product | `i,j->ij` | `np.outer(u, v)` |
# | dot product | `i,i->` | `u @ w` |
# | matrix–vector | `ij,j->i` | `M @ x` |
# | matrix–matrix | `ij,jk->ik` | `A @ B` |
# | chain | `ij,jk,kl,l->i` | `A @ B @ C @ x` |
# | trace | `ii->` | `np.trace(S)` |
# | trace of a product | `ij,ji->` | `np.trace(A @ B)` |
# | transpose | `ij->ji` | `A.T` |
# | sum over a leg | `ij->i` | `A.sum(axis=1)` |
#
# The cell below checks every row of this table, and `d.to_einsum()` gives the string
# of any diagram — including one you have edited in a widget.

# %% id="02-026"
A2, B2 = rng.normal(size=(2, 3)), rng.normal(size=(3, 2))
table = [
    ("i,j->ij", [u, w], np.outer(u, w)),
    ("i,i->", [u, w], u @ w),
    ("ij,j->i", [A, b], A @ b),
    ("ij,jk->ik", [A2, B2], A2 @ B2),
    ("ij,jk,kl,l->i", [A, B, C, x], A @ B @ C @ x),
    ("ii->", [S], np.trace(S)),
    ("ij,ji->", [A2, B2], np.trace(A2 @ B2)),
    ("ij->ji", [A], A.T),
    ("ij->i", [A], A.sum(axis=1)),
]
for expr, arrays, expected in table:
    d = tl.Diagram.from_einsum(expr, *arrays)
    np.testing.assert_allclose(np.einsum(expr, *arrays), expected)
    np.testing.assert_allclose(d.contract(), expected)
    print(f"✓ {expr:<16} diagram = np.einsum = numpy")
print("the chain you may have edited above is now:", chain_widget.diagram.to_einsum())

# %% [markdown] id="02-027"
# ## The order of contraction, and what it costs
#
# A diagram says *what* is summed, not *in which order*. A network is contracted two
# tensors at a time, and every order gives the same numbers — but not at the same
# price. Take $A B x$ with $n \times n$ matrices:
#
# - $(AB)\,x$: first a matrix product, about $n^3$ multiplications, then $n^2$;
# - $A\,(Bx)$: two matrix–vector products, about $2n^2$.
#
# For $n = 1000$ that is a factor of 500. `d.cost(optimize=...)` reports the FLOPs
# (floating-point operations, as `opt_einsum` counts them) of the order an optimizer
# picks, the largest intermediate tensor it makes, and the steps. `d.contract()`
# uses `opt_einsum`'s `"auto"` choice. Compare the optimizers:

# %% id="02-028"
n = 300
A3, B3, x3 = rng.normal(size=(n, n)), rng.normal(size=(n, n)), rng.normal(size=n)
ABx = tl.Diagram.from_einsum("ij,jk,k->i", A3, B3, x3, names=["A", "B", "x"])

for optimize in ["optimal", "greedy", "auto"]:
    cost = ABx.cost(optimize=optimize)
    print(
        f"{optimize:>8}: {cost.flops:>12,} FLOPs   steps: {' then '.join(cost.steps)}"
    )
print(f"one big sum over i, j, k at once: {ABx.cost().naive_flops:,} FLOPs")

# %% id="02-029"
tl.DiagramWidget(ABx)

# %% [markdown] id="02-030"
# `"optimal"` tries every order (affordable for a handful of tensors) and finds
# $A(Bx)$. `"greedy"` is a fast rule of thumb for big networks: step by step it takes
# the pair that looks best locally. Here `A·B` and `B·x` look equally good to it,
# and (see the steps printed above) it took `A·B` — paying the $n^3$ price. Time the two
# orders (the pair `(1, 2)` means "contract tensors 1 and 2 of the current list", and
# the result goes to the end of the list):

# %% id="02-031"
import time

import opt_einsum

for label, path in [
    ("A(Bx): B·x first", [(1, 2), (0, 1)]),
    ("(AB)x: A·B first", [(0, 1), (0, 1)]),
]:
    start = time.perf_counter()
    for _ in range(5):
        out = ABx.contract_path(path)
    ms = (time.perf_counter() - start) / 5 * 1000
    np.testing.assert_allclose(out, A3 @ (B3 @ x3), rtol=1e-6, atol=1e-8)
    print(f"{label}: {ms:7.2f} ms")
print("✓ same numbers both ways; very different cost")

# %% [markdown] id="02-032"
# In bigger networks — tensor trains (chapter 06), or a transformer's circuits
# (chapter 09) — the difference between a good and a bad order can be the difference
# between a second and a year. Here are all the orders for $ABx$ side by side —
# including a silly one that multiplies two tensors with no wire between them (an
# outer product). Here that is by far the most expensive; an outer product pays off
# only in special cases (two small tensors that both meet a big one), which is why
# the optimizers still consider it:

# %% id="02-033"
# Every order of contracting A, B, x, with its cost
for path, label in [
    ([(1, 2), (0, 1)], "B·x, then A·(Bx)"),
    ([(0, 1), (0, 1)], "A·B, then (AB)·x"),
    ([(0, 2), (0, 1)], "A beside x (no shared wire: an outer product!), then ·B"),
]:
    _, info = opt_einsum.contract_path(ABx.to_einsum(), *ABx.operands(), optimize=path)
    print(
        f"{int(info.opt_cost):>14,} FLOPs, "
        f"largest intermediate {int(info.largest_intermediate):>8,}: {label}"
    )

# %% [markdown] id="02-034"
# ### Explore: contract a network yourself
#
# Below is a bigger network, a *ladder*: two chains of four tensors (`T1`–`T4` on top,
# `S1`–`S4` below), joined rung by rung. The rungs (dimension 16) join top and
# bottom; the legs along each chain (bonds) have dimension 8. (This is the inner product of
# two *tensor trains*, chapter 06.) In the **contraction explorer**, pick two tensors and
# press **Contract**: they merge into one, and the running FLOP count and the largest
# tensor made so far are shown against the best possible order.
#
# Try two strategies, using **Start again** in between:
#
# 1. the **top row first**: `T1` with `T2`, the result with `T3`, then `T4`, then the
#    bottom row one by one;
# 2. the **zipper**: `T1` with `S1`, the result with `T2`, then `S2`, `T3`, `S3`, …

# %% id="02-035"
d_rung, chi = 16, 8  # rungs of dimension 16, bonds of dimension 8
top = [
    rng.normal(size=(d_rung, chi)),
    rng.normal(size=(chi, d_rung, chi)),
    rng.normal(size=(chi, d_rung, chi)),
    rng.normal(size=(chi, d_rung)),
]
bottom = [rng.normal(size=t.shape) for t in top]
ladder = tl.Diagram.from_einsum(
    "aA,AbB,BcC,Cd,aE,EbF,FcG,Gd->",
    *top,
    *bottom,
    names=["T1", "T2", "T3", "T4", "S1", "S2", "S3", "S4"],
)
explorer = tl.ContractionExplorer(ladder)
explorer


# %% [markdown] id="02-036"
# The same two strategies, played from Python (the explorer's `contract(a, b)` returns
# the step, whose `.result` is the merged tensor's name):


# %% id="02-037"
def absorb_one_by_one(order):
    """Contract order[0] with order[1], the result with order[2], and so on."""
    explorer.reset()
    current = order[0]
    for name in order[1:]:
        current = explorer.contract(current, name).result
    return explorer.flops, explorer.largest_intermediate, explorer.result()


strategies = {
    "top row first": ["T1", "T2", "T3", "T4", "S1", "S2", "S3", "S4"],
    "zipper": ["T1", "S1", "T2", "S2", "T3", "S3", "T4", "S4"],
}
for label, order in strategies.items():
    flops, largest, value = absorb_one_by_one(order)
    np.testing.assert_allclose(value, ladder.contract())
    print(
        f"{label:>14}: {flops:>10,} FLOPs, largest intermediate {largest:>7,} numbers"
    )
print(f"{'best order':>14}: {explorer.optimal.flops:>10,} FLOPs")
print("✓ every order gives the same number:", float(ladder.contract()))
explorer.reset()

# %% [markdown] id="02-038"
# The top row on its own is a tensor with four open legs of dimension 16: contracting
# it first builds all $16^4 = 65{,}536$ of its numbers — the exponential blow-up of
# chapter 01 — while the zipper never holds more than about a thousand. Good contraction
# orders are what make big tensor networks computable at all.

# %% [markdown] id="02-039"
# ## Exercises

# %% [markdown] id="02-040"
# ### Exercise 02.1 — the two "tensor products"
#
# With `p` and `q` below, compute
# - `outer_pq`: their outer product, with `np.einsum`;
# - `kron_pq`: the Kronecker product `np.kron(p, q)`, but computed **from `outer_pq`**
#   with a reshape (no `np.kron`).

# %% id="02-041"
_rp = np.random.default_rng(21)  # the exercise's own numbers
p, q = _rp.normal(size=3), _rp.normal(size=4)

# %% id="02-042" jupyter={"source_hidden": true}
Exercise(
    "02-two-products",
    title="The two 'tensor products'",
    difficulty=1,
    importance="core",
    minutes=4,
    hints=[
        "The outer product has two open legs and no wire: one letter per vector.",
        "Grouping two legs of dimensions 3 and 4 gives one leg of dimension 12.",
        "numpy groups in row-major order: p's leg, the first axis, varies slowest.",
    ],
)

# %% id="02-043" nbgrader={"grade": false, "grade_id": "02-two-products-code", "locked": false, "schema_version": 3, "solution": true}
# BEGIN SOLUTION
outer_pq = np.einsum("i,j->ij", p, q)
kron_pq = outer_pq.reshape(12)
# END SOLUTION

# %% id="02-044" nbgrader={"grade": true, "grade_id": "02-two-products", "locked": true, "points": 1, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 1, "importance": "core", "minutes": 4}
_rp = np.random.default_rng(21)  # p and q, rebuilt: yours may have changed
p_, q_ = _rp.normal(size=3), _rp.normal(size=4)
check.array(outer_pq, np.outer(p_, q_), name="outer_pq")
check.array(
    kron_pq,
    np.kron(p_, q_),
    name="kron_pq",
    slips={
        "that is kron(q, p): the two legs grouped in the other order (q's first); "
        "reshape the outer product of p and q as it is.": np.kron(q_, p_),
    },
)
check.passed("02-two-products", hidden=False)

# %% [markdown] id="02-045"
# ### Exercise 02.2 — read the einsum string off a diagram
#
# Write the einsum string of each diagram below as `expr_1`, `expr_2`, `expr_3` (any
# letters you like). The tensors are, in this order: (1) `u, M, w`; (2) `F, y, z`;
# (3) `E, F, G`. Each string is checked by building its diagram and comparing
# *meaning*, so letters and the order you list wires in do not matter — but the order
# of the open legs after `->` does.

# %% id="02-046" jupyter={"source_hidden": true}
# The set-up (collapsed: the wiring below is the picture; the strings are yours to write)
u5, M5, w4 = rng.normal(size=5), rng.normal(size=(5, 4)), rng.normal(size=4)
F, G = rng.normal(size=(3, 4)), rng.normal(size=(4, 3))
E, y4, z2 = rng.normal(size=(2, 3)), rng.normal(size=4), rng.normal(size=2)


def build_diagrams(u5, M5, w4, F, y4, z2, E, G):
    """The three diagrams, wire by wire (so that no einsum string is written here)."""
    one = tl.Diagram.from_arrays({"u": u5, "M": M5, "w": w4})
    one.connect("u:i", "M:i").connect("M:j", "w:i")
    two = tl.Diagram.from_arrays({"F": F, "y": y4, "z": z2})
    two.connect("F:j", "y:i")
    three = tl.Diagram.from_arrays({"E": E, "F": F, "G": G})
    three.connect("E:j", "F:i").connect("F:j", "G:i")
    three.set_output([three.label_of("G:j"), three.label_of("E:i")])
    return one, two, three


diagram_1, diagram_2, diagram_3 = build_diagrams(u5, M5, w4, F, y4, z2, E, G)

# %% id="02-047"
tl.DiagramWidget(diagram_1)

# %% id="02-048"
tl.DiagramWidget(diagram_2)

# %% id="02-049"
print(
    "the result's legs, in this order:",
    ", ".join("=".join(diagram_3.legs_of_label(lab)) for lab in diagram_3.output),
)
tl.DiagramWidget(diagram_3)

# %% id="02-050" jupyter={"source_hidden": true}
Exercise(
    "02-einsum-strings",
    title="Read the einsum string off a diagram",
    difficulty=1,
    importance="core",
    minutes=6,
    hints=[
        "One group of letters per tensor, one letter per leg, in the array's axis order.",
        "A shared letter is a wire; nothing open means nothing after '->'.",
        "Diagram 2 has two pieces that are not joined: they multiply as an outer product.",
        "Diagram 3 has two open legs, and the order after '->' is printed above its picture.",
    ],
)

# %% id="02-051" nbgrader={"grade": false, "grade_id": "02-einsum-strings-code", "locked": false, "schema_version": 3, "solution": true}
# BEGIN SOLUTION
expr_1 = "i,ij,j->"
expr_2 = "ij,j,k->ik"
expr_3 = "ij,jk,kl->li"
# END SOLUTION

# %% id="02-052" nbgrader={"grade": true, "grade_id": "02-einsum-strings", "locked": true, "points": 2, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 1, "importance": "core", "minutes": 6}
_re = np.random.default_rng(22)  # arrays of the same shapes, not the ones you can edit
shapes = [(5,), (5, 4), (4,), (3, 4), (4,), (2,), (2, 3), (4, 3)]
arrays_ = [_re.normal(size=s) for s in shapes]


def build_diagrams(u5, M5, w4, F, y4, z2, E, G):
    """The three diagrams, wire by wire (so that no einsum string is written here)."""
    one = tl.Diagram.from_arrays({"u": u5, "M": M5, "w": w4})
    one.connect("u:i", "M:i").connect("M:j", "w:i")
    two = tl.Diagram.from_arrays({"F": F, "y": y4, "z": z2})
    two.connect("F:j", "y:i")
    three = tl.Diagram.from_arrays({"E": E, "F": F, "G": G})
    three.connect("E:j", "F:i").connect("F:j", "G:i")
    three.set_output([three.label_of("G:j"), three.label_of("E:i")])
    return one, two, three


references = build_diagrams(*arrays_)  # rebuilt: yours may have changed
for k, (expr, reference) in enumerate(
    zip([expr_1, expr_2, expr_3], references, strict=True), start=1
):
    names = [t.name for t in reference]
    arrays = [np.asarray(t.array) for t in reference]
    check.true(isinstance(expr, str), f"expr_{k} should be a string like 'ij,j->i'")
    try:  # first the wiring, in the picture's words; then the numbers
        yours = tl.Diagram.from_einsum(expr, *arrays, names=names)
    except tl.DiagramError:
        yours = None  # check.einsum says why the string does not fit
    if yours is not None:
        check.diagram(yours, reference, name=f"the diagram of expr_{k}")
    check.einsum(expr, *arrays, expected=reference.contract(), name=f"expr_{k}")
check.passed("02-einsum-strings", hidden=False)

# %% [markdown] id="02-053"
# ### Exercise 02.3 — draw a trace of a product
#
# The widget shows three 3 × 3 matrices `A`, `B`, `C`, not joined. Draw
# $\operatorname{tr}(ABC)$. Press **Check** in the widget, then run the check cell.
# (Answer in code instead, as in chapter 00, if you prefer.)

# %% id="02-054"
A, B, C = np.random.default_rng(23).normal(size=(3, 3, 3))  # the exercise's own

# %% id="02-055" jupyter={"source_hidden": true}
# The set-up of the exercise (collapsed: it contains the hints).
start = tl.Diagram.from_arrays({"A": A, "B": B, "C": C})
for name, (x, y) in {"A": (80, 220), "B": (320, 220), "C": (200, 70)}.items():
    start.move(name, x, y)  # a triangle, so that the loop's three wires are all visible
ex02 = tl.DiagramExercise(
    "02-trace-draw",
    task="Draw tr(ABC).",
    start=start,
    answer=same_value(np.trace(A @ B @ C)),  # what Check compares: your diagram's value
    title="Draw a trace of a product",
    difficulty=2,
    importance="core",
    minutes=5,
    hints=[
        "A trace is a loop: when you are done, no leg is open.",
        "Write tr(ABC) as a sum over indices: which index does each pair of neighbours share?",
        "The order of the product matters: tr(ACB) is a different loop.",
    ],
)
ex02

# %% id="02-056" nbgrader={"grade": false, "grade_id": "02-trace-draw-code", "locked": false, "schema_version": 3, "solution": true}
# Answer by drawing above (then delete the `raise` line below), or in code here.
# BEGIN SOLUTION
mine = ex02.start.copy()
mine.connect("A:j", "B:i")
mine.connect("B:j", "C:i")
mine.connect("C:j", "A:i")
ex02.submit(mine)
# END SOLUTION

# %% id="02-057" nbgrader={"grade": true, "grade_id": "02-trace-draw", "locked": true, "points": 2, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 2, "importance": "core", "minutes": 5}
ex02.check()
A_, B_, C_ = np.random.default_rng(23).normal(size=(3, 3, 3))  # rebuilt
check.array(
    ex02.diagram.contract(), np.trace(A_ @ B_ @ C_), name="the value of your diagram"
)
### BEGIN HIDDEN TESTS
_reference = ex02.start.copy()
for _a, _b in [("A:j", "B:i"), ("B:j", "C:i"), ("C:j", "A:i")]:
    _reference.connect(_a, _b)
check.diagram(ex02.diagram, _reference)
### END HIDDEN TESTS
check.passed("02-trace-draw", hidden=True)

# %% [markdown] id="02-075"
# ### Exercise 02.4 — a transpose inside a loop
#
# The same three matrices, not joined. Draw $\operatorname{tr}(A^\top B C)$ — without a
# new tensor for $A^\top$: the box `A` is all you need.

# %% id="02-076" jupyter={"source_hidden": true}
# The set-up of the exercise (collapsed: it contains the hints).
start = tl.Diagram.from_arrays({"A": A, "B": B, "C": C})
for name, (x, y) in {"A": (80, 220), "B": (320, 220), "C": (200, 70)}.items():
    start.move(name, x, y)
ex02t = tl.DiagramExercise(
    "02-trace-transpose-draw",
    task="Draw tr(AᵀBC) with the box A (no separate Aᵀ).",
    start=start,
    answer=same_value(
        np.trace(A.T @ B @ C)
    ),  # what Check compares: your diagram's value
    title="A transpose inside a loop",
    difficulty=3,
    importance="core",
    minutes=8,
    hints=[
        "Transposing does not change a tensor's legs, only which one counts as first.",
        "Write the sum: (Aᵀ)_ab = A_ba. Which index does A share with B, and which with C?",
        "Compare with your tr(ABC): exactly one box meets its neighbours on other legs.",
    ],
)
ex02t

# %% id="02-077" nbgrader={"grade": false, "grade_id": "02-trace-transpose-draw-code", "locked": false, "schema_version": 3, "solution": true}
# Answer by drawing above (then delete the `raise` line below), or in code here.
# BEGIN SOLUTION
mine = ex02t.start.copy()
mine.connect("A:i", "B:i")
mine.connect("B:j", "C:i")
mine.connect("C:j", "A:j")
ex02t.submit(mine)
# END SOLUTION

# %% id="02-078" nbgrader={"grade": true, "grade_id": "02-trace-transpose-draw", "locked": true, "points": 3, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 3, "importance": "core", "minutes": 8}
ex02t.check()
A_, B_, C_ = np.random.default_rng(23).normal(size=(3, 3, 3))  # rebuilt
boxes = [np.asarray(t.array) for t in ex02t.diagram if t.kind != "copy"]
check.true(
    len(boxes) == 3
    and all(any(np.array_equal(b, m) for b in boxes) for m in (A_, B_, C_)),
    "your diagram should be made of the boxes A, B and C as they are: no new box for "
    "Aᵀ (transposing only changes which of A's legs counts as first).",
)
check.array(
    ex02t.diagram.contract(),
    np.trace(A_.T @ B_ @ C_),
    name="the value of your diagram",
)
### BEGIN HIDDEN TESTS
_reference = ex02t.start.copy()
for _a, _b in [("A:i", "B:i"), ("B:j", "C:i"), ("C:j", "A:j")]:
    _reference.connect(_a, _b)
check.diagram(ex02t.diagram, _reference)
### END HIDDEN TESTS
check.passed("02-trace-transpose-draw", hidden=True)

# %% [markdown] id="02-058"
# ### Exercise 02.5 (optional) — transpose without `.T`
#
# Write an einsum string `expr_T` such that `np.einsum(expr_T, A, B)` is
# $(AB)^T$ for any matrices `A` and `B` that can be multiplied (the check also tries non-square ones) — without transposing
# anything.

# %% id="02-059" jupyter={"source_hidden": true}
Exercise(
    "02-transpose",
    title="Transpose without .T",
    difficulty=1,
    importance="optional",
    minutes=3,
    hints=[
        "The diagram of (AB)^T is the diagram of AB: only the order of its open legs changes.",
        "Write AB as an einsum first, then swap the letters after '->'.",
    ],
)

# %% id="02-060" nbgrader={"grade": false, "grade_id": "02-transpose-code", "locked": false, "schema_version": 3, "solution": true}
# BEGIN SOLUTION
expr_T = "ij,jk->ki"
# END SOLUTION

# %% id="02-061" nbgrader={"grade": true, "grade_id": "02-transpose", "locked": true, "points": 1, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 1, "importance": "optional", "minutes": 3}
_rt = np.random.default_rng(25)  # matrices of their own, not square
At_, Bt_ = _rt.normal(size=(2, 5)), _rt.normal(size=(5, 3))
check.true(
    isinstance(expr_T, str) and ".T" not in expr_T,
    "expr_T should be an einsum string (it cannot contain .T)",
)
check.einsum(expr_T, At_, Bt_, expected=(At_ @ Bt_).T, name="expr_T")
check.passed("02-transpose", hidden=False)

# %% [markdown] id="02-062"
# ### Exercise 02.6 — same diagram or not?
#
# `Sq` is a 3 × 3 matrix and `r` a 3-vector. Which of the einsum expressions below are
# the **same diagram** as $\text{Sq}\, r$ (the vector `r` joined to the *second* leg of
# `Sq`, the first leg open)? Put the letters of all that are in a set `same_as_Sq_r`,
# for example `{"a", "c"}`. Because `Sq` is square every expression runs, so dimensions
# will not tell you; think about which leg `r` is joined to.

# %% id="02-063"
Sq, r = rng.normal(size=(3, 3)), rng.normal(size=3)
candidates = {
    "a": ("ij,j->i", [Sq, r]),
    "b": ("j,ij->i", [r, Sq]),
    "c": ("ij,i->j", [Sq, r]),
    "d": ("ba,a->b", [Sq, r]),
    "e": ("ji,j->i", [Sq.T, r]),
    "f": ("ji,i->j", [Sq.T, r]),
}
for key, (expr, _) in candidates.items():
    print(key, expr, "   (the arrays:", "Sq.T" if key in "ef" else "Sq", "and r)")

# %% id="02-064" jupyter={"source_hidden": true}
Exercise(
    "02-same-diagram",
    title="Same diagram or not?",
    difficulty=1,
    importance="core",
    minutes=5,
    hints=[
        "Letters are only names: renaming every i to a and j to b changes nothing.",
        "The order of the tensors before '->' does not matter either.",
        "Sq.T is Sq with its legs swapped: its first leg is Sq's second leg.",
        "Draw each one: where does r's wire end on Sq?",
    ],
)

# %% id="02-065" nbgrader={"grade": false, "grade_id": "02-same-diagram-code", "locked": false, "schema_version": 3, "solution": true}
# BEGIN SOLUTION
same_as_Sq_r = {"a", "b", "d", "e"}
# END SOLUTION

# %% id="02-066" nbgrader={"grade": true, "grade_id": "02-same-diagram", "locked": true, "points": 1, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 1, "importance": "core", "minutes": 5}
check.true(
    isinstance(same_as_Sq_r, (set, list, tuple)),
    'same_as_Sq_r should be a set of letters, like {"a", "c"}',
)
table = {  # the candidates, rebuilt: (einsum, whether the matrix is Sq.T)
    "a": ("ij,j->i", False),
    "b": ("j,ij->i", False),
    "c": ("ij,i->j", False),
    "d": ("ba,a->b", False),
    "e": ("ji,j->i", True),
    "f": ("ji,i->j", True),
}
Sq_, r_ = np.random.default_rng(26).normal(size=(3, 3)), np.array([0.3, -1.2, 2.0])
right = set()
for key, (expr, transposed) in table.items():
    terms = expr.split("->")[0].split(",")
    names = ["Sq" if len(t) == 2 else "r" for t in terms]
    arrays = [
        Sq_.T if (n == "Sq" and transposed) else (Sq_ if n == "Sq" else r_)
        for n in names
    ]
    if np.allclose(np.einsum(expr, *arrays), Sq_ @ r_):
        right.add(key)
chosen = {str(x).strip().lower() for x in same_as_Sq_r}
check.true(chosen <= set(table), f"unknown letters: {sorted(chosen - set(table))}")
check.true(
    chosen != set(table),
    "all six run, because Sq is square; but running is not meaning: where does r's "
    "wire end on Sq in each?",
)
check.true(
    chosen ^ right != {"e"}
    and chosen ^ right != {"f"}
    and chosen ^ right != {"e", "f"},
    "look again at e and f: Sq.T's first leg is Sq's second leg.",
)
check.true(
    not (chosen - right) and not (right - chosen),
    f"not yet: {len(chosen - right)} of your letters are not the same diagram as "
    f"Sq r, and {len(right - chosen)} that are the same diagram are missing.",
)
check.passed("02-same-diagram", hidden=False)

# %% [markdown] id="02-067"
# ### Exercise 02.7 — find a cheap contraction order
#
# The network below is $K L N y$ with `K` 10 × 1000, `L` 1000 × 10, `N` 10 × 1000 and
# `y` of length 1000 (einsum `"ij,jk,kl,l->i"`). An order is a list of pairs, as
# above: `(a, b)` contracts the tensors at positions `a` and `b` of the current list
# `[K, L, N, y]` and appends the result at the end.
#
# - `cheap_path`: an order whose FLOP count is the smallest possible;
# - `ratio`: how many times more FLOPs the left-to-right order
#   `[(0, 1), (0, 1), (0, 1)]` (that is, $((KL)N)y$) costs than yours.
#
# Use `flops_of(path)` to try orders (or `tl.ContractionExplorer(KLNy)`, without its
# *Play the optimal order* button); do not ask an optimizer.

# %% id="02-068"
import opt_einsum

_rk = np.random.default_rng(27)  # the exercise's own numbers
K, L, N, y = (
    _rk.normal(size=(10, 1000)),
    _rk.normal(size=(1000, 10)),
    _rk.normal(size=(10, 1000)),
    _rk.normal(size=1000),
)
KLNy = tl.Diagram.from_einsum("ij,jk,kl,l->i", K, L, N, y, names=["K", "L", "N", "y"])


def flops_of(path):
    """The FLOP count of contracting KLNy in the given order (list of position pairs)."""
    _, info = opt_einsum.contract_path(
        KLNy.to_einsum(), *KLNy.operands(), optimize=[tuple(p) for p in path]
    )
    return int(info.opt_cost)


print(f"left to right ((KL)N)y: {flops_of([(0, 1), (0, 1), (0, 1)]):,} FLOPs")

# %% id="02-069"
tl.DiagramWidget(KLNy)

# %% id="02-070" jupyter={"source_hidden": true}
Exercise(
    "02-contraction-order",
    title="Find a cheap contraction order",
    difficulty=2,
    importance="core",
    minutes=8,
    hints=[
        "Keep every intermediate small: never make a 1000-dimensional leg survive longer than needed.",
        "Start at the vector end: contracting a matrix with a vector gives a vector.",
        "Positions shift: after contracting positions 2 and 3, the list is [K, L, (Ny)].",
    ],
)

# %% id="02-071" nbgrader={"grade": false, "grade_id": "02-contraction-order-code", "locked": false, "schema_version": 3, "solution": true}
# BEGIN SOLUTION
cheap_path = [(2, 3), (1, 2), (0, 1)]
ratio = flops_of([(0, 1), (0, 1), (0, 1)]) / flops_of(cheap_path)
# END SOLUTION

# %% id="02-072" nbgrader={"grade": true, "grade_id": "02-contraction-order", "locked": true, "points": 2, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 2, "importance": "core", "minutes": 8}
import opt_einsum  # the real one, whatever the name holds now

_rk = np.random.default_rng(27)  # the network, rebuilt: yours may have changed
net = [
    _rk.normal(size=(10, 1000)),
    _rk.normal(size=(1000, 10)),
    _rk.normal(size=(10, 1000)),
    _rk.normal(size=1000),
]


def cost(path):
    """FLOPs of contracting the rebuilt network in the order `path` (None: invalid)."""
    try:
        steps = [tuple(int(a) for a in pair) for pair in path]
        info = opt_einsum.contract_path("ij,jk,kl,l->i", *net, optimize=steps)[1]
    except Exception:  # an invalid order is the learner's to fix
        return None
    return int(info.opt_cost)


best = opt_einsum.contract_path("ij,jk,kl,l->i", *net, optimize="optimal")[1]
best = int(best.opt_cost)
left_to_right = cost([(0, 1), (0, 1), (0, 1)])
yours = cost(cheap_path)
check.true(
    yours is not None,
    f"cheap_path = {cheap_path!r} is not a valid order: a list of pairs of positions "
    "in the current list (3 steps for 4 tensors)",
)
shifted = (
    ""
    if tuple(cheap_path[0]) == (0, 1)
    else (" Remember that positions shift: each result goes to the end of the list.")
)
check.true(
    yours <= best,
    f"your order costs {yours:,} FLOPs; an order with {best:,} FLOPs exists.{shifted}",
)
check.close(
    ratio,
    left_to_right / best,
    name="ratio",
    rtol=1e-3,
    show_expected=False,
    slips={
        "that is your cost divided by the left-to-right cost: the other way round.": (
            best / left_to_right
        )
    },
)
check.passed("02-contraction-order", hidden=False)

# %% [markdown] id="02-073"
# ## Summary
#
# - Side by side = outer (tensor) product: orders add, nothing is summed. Beware: the
#   Kronecker product is the same numbers with the legs grouped.
# - A wire = a contraction: the joined index is summed; each wire closes two legs.
#   Dot, matrix–vector and matrix–matrix products and chains are all wires.
# - A leg joined back to its own tensor (or around a loop) is a trace; the cyclic
#   property of the trace is just the loop read from a different start.
# - Only connectivity matters: transposing reorders the result's legs, and a diagram
#   can be rotated or rearranged freely.
# - Every diagram is one einsum string, and the same network costs very different
#   amounts in different contraction orders.
#
# Next, **`03_copy_tensors.ipynb`**: wires that split (copy tensors), reshaping, and
# isometries.

# %% id="02-074"
progress()
