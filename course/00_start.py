# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] id="00-000"
# # 00 · Start here: how this course works
#
# This course teaches **graphical tensor notation** — the pictures physicists use for
# multiplying matrices and bigger arrays — and then uses it to take transformers apart,
# as mechanistic interpretability does. It follows, section by section, J. K. Taylor,
# *An introduction to graphical tensor notation for mechanistic interpretability*
# (2024, [arXiv:2402.01790](https://arxiv.org/abs/2402.01790)); its second half follows
# Elhage et al., *A Mathematical Framework for Transformer Circuits* (2021).
#
# Every chapter works the same way:
#
# 1. **prose** that introduces one idea;
# 2. a **live diagram** of it — not a picture, but an object backed by real numpy
#    arrays that you can drag and edit;
# 3. the **same computation in numpy** (usually one `np.einsum` line) right next to it,
#    and a **numeric check** that the diagram and the code agree;
# 4. **exercises**, checked as soon as you run them.
#
# This first chapter (about 15 minutes) shows you the tools: JupyterLab, the diagram
# widget, and the exercises. You need no knowledge of tensors yet — only a little
# Python and numpy (`np.array`, `A @ B`, `A.shape`).

# %% [markdown] id="00-001"
# ## JupyterLab in two minutes
#
# A notebook is a list of **cells**. Grey boxes are code; the rest is text.
#
# | to … | do … |
# |---|---|
# | run the selected cell and move on | **Shift + Enter** |
# | run everything from the top | menu *Run → Run All Cells* |
# | start afresh (forget all variables) | menu *Kernel → Restart Kernel and Run All Cells…* |
# | save | **Ctrl + S** (⌘ + S on a Mac) |
# | leave a cell you are typing in | **Esc**; then **A** / **B** inserts a cell above / below |
#
# (The menus are the same in JupyterLab and in Jupyter Notebook 7.) Cells run in the
# order **you** run them, not the order on the page. Run them top to bottom; if anything
# looks strange, *Restart Kernel and Run All Cells* fixes most problems. *Run All* goes
# on past an exercise you have not done yet: that exercise's cells say so, and the
# chapter runs to its end.
#
# The chapters are the files `00_start.ipynb`, `01_tensors.ipynb`, … of your course
# folder: open them with *File → Open…*, or from the file browser (in JupyterLab the
# folder icon in the left side bar; in Notebook 7 the browser tab with the Jupyter
# logo). They are your copy: your answers and drawings are never overwritten when the
# course is updated.
#
# Run the next cell now (click into it, then Shift + Enter). It loads numpy and
# `tensorlessons`, the small library behind the diagrams.

# %% id="00-002"
import numpy as np

import tensorlessons as tl
from tensorlessons.exercises import Exercise, check, progress, same_value

np.set_printoptions(precision=3, suppress=True)
rng = np.random.default_rng(0)  # the same "random" numbers every time

# %% [markdown] id="00-003"
# ## Your first diagram
#
# Below, two matrices `A` (2 × 3) and `B` (3 × 4) are multiplied. In the picture each
# matrix is a box, and each of its indices is a line sticking out of the box — a
# **leg**. `A[i, j]` has legs `i` and `j`; `B[j, k]` has legs `j` and `k`. The label
# `j (3)` says the leg is called `j` and has dimension 3.
#
# The leg `j` is shared, so it is drawn as one **wire** from `A` to `B`: a wire means
# *"sum over this index"*. The legs `i` and `k` go nowhere — they are **open**, and they
# are the legs of the result. So the picture *is* the formula
# $(AB)_{ik} = \sum_j A_{ij} B_{jk}$.

# %% id="00-004"
A = rng.normal(size=(2, 3))
B = rng.normal(size=(3, 4))

d = tl.Diagram.from_einsum("ij,jk->ik", A, B, names=["A", "B"])
widget = tl.DiagramWidget(d)
widget

# %% [markdown] id="00-005"
# The diagram is also a computation. `d.contract()` sums over the wire and returns a
# numpy array whose axes are the open legs, in order. The check below compares it
# with numpy's own matrix product; you will see a check like this after almost every
# diagram in the course.

# %% id="00-006"
result = d.contract()
print("diagram result, shape", result.shape)
print(result)

np.testing.assert_allclose(result, A @ B)  # raises an error if they differ
print("✓ the diagram and A @ B agree")

# %% [markdown] id="00-007"
# ## Working the widget
#
# Everything you do in the picture changes the Python object `widget.diagram` at once
# (here it is the same object as `d`), and everything you change from Python redraws
# the picture. The table lists each action with its Python equivalent.
#
# | in the picture | what it does | in Python |
# |---|---|---|
# | **drag** a box | moves it — layout only, the value never changes | `d.move("A", x, y)` |
# | **drag an open leg's end onto another open leg's end** | joins them with a wire (they must have the same dimension, otherwise the edit is refused with a message and nothing changes) | `d.connect("A:i", "B:k")` |
# | **click a wire**, then **Delete** / **Backspace** (or the **Cut wire** button) | cuts it: both ends become open legs | `d.cut("A:j", "B:j")` |
# | **double-click** a name (or **F2**) | renames the tensor or the leg | `d.rename_tensor("A", "M")`, `d.rename_leg("A:i", "row")` |
# | the **Add tensor** controls above the picture | add a vector, a matrix, a 3-leg tensor or a copy tensor with the dimensions you type | `d.add_tensor("v", np.ones(3))`, `d.add_copy("c", 3)` |
# | select a tensor, **Remove tensor** (or **Delete**) | removes it; the legs it was joined to become open | `d.remove_tensor("B")` |
# | **Undo** / **Redo**, or **Ctrl + Z** / **Ctrl + Shift + Z** | undo / redo any edit | `widget.undo()`, `widget.redo()` |
# | **Tab**, arrow keys | move the focus between tensors, move the focused tensor | — |
# | **click** a tensor | shows its values (for one or two legs you can edit them) | `d["A"]`, `d.set_array("A", ...)` |
# | **Copy einsum** / **Copy code** / **Copy TikZ** / **Download SVG** | the diagram as an einsum call, as numpy code that rebuilds it, for LaTeX, as a picture | `d.to_einsum()`, `d.to_code()`, `d.to_tikz()`, `d.to_svg()` |
#
# Legs are written `"TENSOR:LEG"` everywhere: `"A:j"` is leg `j` of tensor `A`.
# Under the picture, the **Result** panel shows the einsum string, the result's legs
# and shape, what contracting it costs, and its values — updated after every edit.
#
# **Try it:** drag the box `A` somewhere else in the widget above, then run the next
# cell. The position reached Python.

# %% id="00-008"
print("A is at", d.tensor("A").position)
print("and the result did not change:", np.allclose(d.contract(), A @ B))

# %% [markdown] id="00-009"
# Now an edit from Python. Cutting the wire `j` leaves two unconnected matrices: no
# sum any more, so the result has four open legs (this is the *outer product*,
# chapter 02). Run the cell and scroll up: the widget has redrawn. The
# second cell joins them again.

# %% id="00-010"
d.cut("A:j", "B:j")
print("open legs:", d.output, "  result shape:", d.contract().shape)

# %% id="00-011"
d.connect("A:j", "B:j")
print("open legs:", d.output, "  result shape:", d.contract().shape)
np.testing.assert_allclose(d.contract(), A @ B)
print("✓ back to A @ B")

# %% [markdown] id="00-012"
# An edit that makes no sense is refused with a `DiagramError` that says what is wrong,
# and the diagram stays exactly as it was. Leg `A:i` has dimension 2 and `B:k` has
# dimension 4, so they cannot be joined:

# %% id="00-013"
try:
    d.connect("A:i", "B:k")
except tl.DiagramError as err:
    print("refused:", err)
print("unchanged:", d)

# %% [markdown] id="00-014"
# ## A diagram is a line of code
#
# Every diagram has an **einsum string**: one group of letters per tensor (one letter
# per leg), a letter shared by two tensors is a wire, and the letters after `->` are
# the open legs in order. `np.einsum` computes it directly. You will read and write
# these strings throughout the course.

# %% id="00-015"
print(d.to_einsum())
np.testing.assert_allclose(np.einsum(d.to_einsum(), A, B), d.contract())
print("✓ np.einsum with the diagram's string gives the same numbers")

# %% [markdown] id="00-016"
# ## Exercises and how they are checked
#
# Each exercise has four parts:
#
# 1. a **header**: the title, the difficulty (●○○ warm-up, ●●○ practice, ●●● challenge), whether it is *core* (needed
#    later) or *optional*, a time budget, and a **Hints** button that reveals one hint
#    at a time — try first, then take one hint, then try again; the last hint stops
#    one step before the code, so the answer is still yours to write;
# 2. a **solution cell** for your code. Until you answer, it contains the line
#    `raise NotImplementedError("exercise not done yet: …")`: delete that line and
#    write your answer there;
# 3. a **check cell** (locked — do not edit it). Run it after your solution cell. If
#    something is wrong it stops with a `CheckFailed` error saying *what* is wrong
#    (which leg, expected versus got); if everything is right it prints a line:
#    - **"All checks pass"** — there is nothing more to check;
#    - **"Visible checks pass (hidden tests run when graded)"** — the checks you can
#      see pass, and when your instructor grades the notebook, extra *hidden* tests
#      run too. Visible checks passing is *not* the same as all tests passing;
# 4. for **draw-to-answer** exercises, an editable diagram with a **Check** button
#    instead of (or as well as) code. The checker compares what your diagram *means*
#    (which legs are joined, which stay open), not where you put the boxes. Your
#    drawing is saved next to the notebook (in the folder `tensorlessons_answers/`)
#    after every edit, so it survives saving, reloading the page and re-running
#    the notebook; the **Start again** button goes back to the starting diagram.
#    If you answer by drawing, delete the `raise NotImplementedError(…)` line in the
#    cell under the widget; you can also answer in code in that cell. Running the
#    notebook again never replaces your drawing.
#
# The code that makes an exercise's header, and the set-up of a draw-to-answer
# exercise, are **collapsed** cells: you see their output, and a small ⋯ where the code
# is. Clicking ⋯ shows the code — all the hints at once — so leave them closed until
# you have tried.
#
# At the end of each chapter, `progress()` lists which exercises of the chapter pass.
#
# **Stuck after trying and taking every hint?** Once you have run an exercise's check,
# `tl.solution("00-contract")` shows a worked solution of it (labelled as such; it is
# one way to do it). A course given by an instructor may switch this off.
#
# Here is what a failed check looks like (we catch the error so that this cell runs
# through):

# %% id="00-017"
from tensorlessons.exercises import CheckFailed

try:
    check.array(np.zeros((2, 3)), A @ B, name="A @ B")
except CheckFailed as err:
    print(err)

# %% [markdown] id="00-018"
# ### Exercise 00.1 — contract a diagram
#
# Store the result of contracting the diagram `d` (it is $AB$ again) in a variable
# called `AB`. Use the diagram, not `@`.

# %% id="00-019" jupyter={"source_hidden": true}
Exercise(
    "00-contract",
    title="Contract a diagram",
    difficulty=1,
    importance="core",
    minutes=2,
    hints=[
        "A diagram computes its value with one method call.",
        "It is the method used a few cells above to get `result`.",
    ],
)

# %% id="00-020" nbgrader={"grade": false, "grade_id": "00-contract-code", "locked": false, "schema_version": 3, "solution": true}
# BEGIN SOLUTION
AB = d.contract()
# END SOLUTION

# %% id="00-021" nbgrader={"grade": true, "grade_id": "00-contract", "locked": true, "points": 1, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 1, "importance": "core", "minutes": 2}
_r = np.random.default_rng(
    0
)  # A and B as the chapter made them (yours may have changed)
A_, B_ = _r.normal(size=(2, 3)), _r.normal(size=(3, 4))
check.array(AB, A_ @ B_, name="AB")
check.passed("00-contract", hidden=False)

# %% [markdown] id="00-022"
# ### Exercise 00.2 — draw your first wire
#
# The widget below shows two vectors `u` and `v` with 4 entries each, not joined. Join
# their legs with a wire: the diagram then sums $\sum_i u_i v_i$, the dot product.
#
# *In the widget:* drag the end of `u`'s leg onto the end of `v`'s leg, then press
# **Check**. Your drawing is saved as you go; in the cell under the widget, delete the
# line `raise NotImplementedError(…)`. *Or in code:* in that cell, copy the starting
# diagram (`ex.start.copy()`), edit the copy with `connect`, and hand it in with
# `ex.submit(...)`. Either way, then run the check cell.

# %% id="00-023"
u = np.array([1.0, 2.0, 3.0, 4.0])
v = np.array([0.5, -1.0, 2.0, 0.0])

# %% id="00-024" jupyter={"source_hidden": true}
# The set-up of the exercise (collapsed: it contains the hints).
start = tl.Diagram.from_einsum("i,j->ij", u, v, names=["u", "v"])
ex = tl.DiagramExercise(
    "00-dot-draw",
    task="Draw the dot product u·v: the diagram's value must be u·v.",
    start=start,
    answer=same_value(u @ v),  # what Check compares: the value of your diagram
    title="Draw your first wire",
    difficulty=1,
    importance="core",
    minutes=3,
    hints=[
        "A wire joins two open legs; here each vector has one leg.",
        "Drag from the free end of u's leg to the free end of v's leg.",
        "In Python, legs are written 'TENSOR:LEG': here 'u:i' and 'v:j'.",
    ],
)
ex

# %% id="00-025" nbgrader={"grade": false, "grade_id": "00-dot-draw-code", "locked": false, "schema_version": 3, "solution": true}
# Answer by drawing above (then delete the `raise` line below), or in code here.
# BEGIN SOLUTION
mine = ex.start.copy()  # the starting diagram, to edit
mine.connect("u:i", "v:j")
ex.submit(mine)  # your diagram becomes the answer (the widget shows it)
# END SOLUTION

# %% id="00-026" nbgrader={"grade": true, "grade_id": "00-dot-draw", "locked": true, "points": 1, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 1, "importance": "core", "minutes": 3}
ex.check()
u_, v_ = np.array([1.0, 2.0, 3.0, 4.0]), np.array([0.5, -1.0, 2.0, 0.0])  # rebuilt
check.array(ex.diagram.contract(), u_ @ v_, name="the value of your diagram")
### BEGIN HIDDEN TESTS
_reference = ex.start.copy()
_reference.connect("u:i", "v:j")
check.diagram(ex.diagram, _reference)
### END HIDDEN TESTS
check.passed("00-dot-draw", hidden=True)

# %% [markdown] id="00-027"
# ### Exercise 00.3 — a diagram from an einsum string
#
# Build the diagram of the matrix–vector product $M x$ with `tl.Diagram.from_einsum`,
# naming the tensors `"M"` and `"x"`, and store it in `Mx`. The matrix `M` has legs
# `i` (dimension 3) and `j` (dimension 5); `x` has one leg of dimension 5.

# %% id="00-028"
_rm = np.random.default_rng(3)  # the exercise's own numbers
M, x = _rm.normal(size=(3, 5)), _rm.normal(size=5)

# %% id="00-029" jupyter={"source_hidden": true}
Exercise(
    "00-einsum",
    title="A diagram from an einsum string",
    difficulty=1,
    importance="core",
    minutes=4,
    hints=[
        "Look at how d was made above: from_einsum(string, arrays..., names=[...]).",
        "M has two legs (two letters), x has one; the shared letter is the wire.",
        "The result keeps M's first leg: one letter after '->'.",
    ],
)

# %% id="00-030" nbgrader={"grade": false, "grade_id": "00-einsum-code", "locked": false, "schema_version": 3, "solution": true}
# BEGIN SOLUTION
Mx = tl.Diagram.from_einsum("ij,j->i", M, x, names=["M", "x"])
# END SOLUTION

# %% id="00-031" nbgrader={"grade": true, "grade_id": "00-einsum", "locked": true, "points": 1, "schema_version": 3, "solution": false} tensorlessons={"difficulty": 1, "importance": "core", "minutes": 4}
_rm = np.random.default_rng(3)  # M and x, rebuilt: yours may have changed
M_, x_ = _rm.normal(size=(3, 5)), _rm.normal(size=5)
check.true(
    isinstance(Mx, tl.Diagram), "Mx should be a tl.Diagram (use tl.Diagram.from_einsum)"
)
check.diagram(
    Mx, tl.Diagram.from_einsum("ab,b->a", M_, x_, names=["M", "x"]), name="Mx"
)
check.array(Mx.contract(), M_ @ x_, name="the value of Mx")
check.passed("00-einsum", hidden=False)

# %% [markdown] id="00-032"
# ## A playground
#
# An empty diagram to try everything on. Add two matrices with the **Add tensor**
# controls (choose *matrix*, type the dimensions, e.g. `2,3` and `3,2`), join a leg of
# one to a leg of the other, watch the Result panel, cut the wire, undo, rename. Then
# run the cell under it: the diagram you drew is an ordinary Python object. (The
# empty diagram's value is 1: a product of no numbers at all.)

# %% id="00-033"
playground = tl.DiagramWidget(tl.Diagram())
playground

# %% id="00-034"
drawn = playground.diagram
print(drawn)
print("einsum:", drawn.to_einsum(), "  result shape:", drawn.shape)

# %% [markdown] id="00-035"
# ## Your progress
#
# Run this cell at any time to see which exercises of this chapter pass.

# %% id="00-036"
progress()

# %% [markdown] id="00-037"
# ## What next
#
# Open **`01_tensors.ipynb`**: what a tensor is, what its legs are, and why tensors
# with many legs are too big to store — the reason tensor diagrams exist.
