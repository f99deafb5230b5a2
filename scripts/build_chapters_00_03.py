"""Build chapters 00-03 of the course (clean notebooks, no outputs) from cells kept as data.

Run from the repository root::

    .venv/bin/python scripts/build_chapters_00_03.py          # writes chapters/0[0-3]_*.ipynb
    .venv/bin/python scripts/build_chapters_00_03.py --check  # fails if a notebook is stale

Each chapter is a list of cells made by the small helpers below: ``md`` (prose), ``code``
(a demonstration), ``header`` (an exercise's task info and hint ladder), ``solution`` (the
learner's cell, code between ``# BEGIN SOLUTION`` / ``# END SOLUTION``) and ``graded`` (the
locked test cell with nbgrader metadata, schema 3, and our own keys under "tensorlessons").
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"

KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


def _src(text: str) -> str:
    return textwrap.dedent(text).strip("\n")


class Chapter:
    """Accumulates the cells of one notebook; cell ids are stable (``<slug>-<n>``)."""

    def __init__(self, slug: str) -> None:
        self.slug = slug
        self.cells: list[nbformat.NotebookNode] = []

    def _add(self, cell: nbformat.NotebookNode) -> None:
        cell["id"] = f"{self.slug}-{len(self.cells):03d}"
        self.cells.append(cell)

    def md(self, text: str) -> None:
        self._add(nbformat.v4.new_markdown_cell(_src(text)))

    def code(self, text: str) -> None:
        self._add(nbformat.v4.new_code_cell(_src(text)))

    def header(self, text: str) -> None:
        """The exercise's header widget (task info and hints); not graded, no nbgrader keys."""
        self._add(nbformat.v4.new_code_cell(_src(text)))

    def solution(self, grade_id: str, text: str) -> None:
        body = _src(text)
        assert "# BEGIN SOLUTION" in body and "# END SOLUTION" in body, grade_id
        cell = nbformat.v4.new_code_cell(body)
        cell.metadata["nbgrader"] = {
            "solution": True,
            "grade": False,
            "locked": False,
            "grade_id": f"{grade_id}-code",
            "schema_version": 3,
        }
        self._add(cell)

    def graded(
        self,
        grade_id: str,
        text: str,
        *,
        points: int,
        difficulty: int,
        importance: str,
        minutes: int,
    ) -> None:
        body = _src(text)
        assert f'check.passed("{grade_id}"' in body, grade_id
        cell = nbformat.v4.new_code_cell(body)
        cell.metadata["nbgrader"] = {
            "grade": True,
            "solution": False,
            "locked": True,
            "points": points,
            "grade_id": grade_id,
            "schema_version": 3,
        }
        cell.metadata["tensorlessons"] = {
            "difficulty": difficulty,
            "importance": importance,
            "minutes": minutes,
        }
        self._add(cell)

    def notebook(self) -> nbformat.NotebookNode:
        nb = nbformat.v4.new_notebook()
        nb.cells = self.cells
        nb.metadata["kernelspec"] = dict(KERNELSPEC)
        nb.metadata["language_info"] = {"name": "python"}
        nbformat.validate(nb)
        return nb


SETUP = """
import numpy as np

import tensorlessons as tl
from tensorlessons.exercises import Exercise, check, progress

np.set_printoptions(precision=3, suppress=True)
rng = np.random.default_rng(0)  # the same "random" numbers every time
"""


def show(var: str) -> str:
    """The expression that displays diagram ``var`` as a live widget."""
    return f"tl.DiagramWidget({var})"


# ======================================================================================
# 00 · Start here
# ======================================================================================


def chapter_00() -> Chapter:
    c = Chapter("00")
    c.md(
        """
        # 00 · Start here: how this course works

        This course teaches **graphical tensor notation** — the pictures physicists use for
        multiplying matrices and bigger arrays — and then uses it to take transformers apart,
        as mechanistic interpretability does. It follows, section by section, J. K. Taylor,
        *An introduction to graphical tensor notation for mechanistic interpretability*
        (2024, [arXiv:2402.01790](https://arxiv.org/abs/2402.01790)); its second half follows
        Elhage et al., *A Mathematical Framework for Transformer Circuits* (2021).

        Every chapter works the same way:

        1. **prose** that introduces one idea;
        2. a **live diagram** of it — not a picture, but an object backed by real numpy
           arrays that you can drag and edit;
        3. the **same computation in numpy** (usually one `np.einsum` line) right next to it,
           and a **numeric check** that the diagram and the code agree;
        4. **exercises**, checked as soon as you run them.

        This first chapter (about 15 minutes) shows you the tools: JupyterLab, the diagram
        widget, and the exercises. You need no knowledge of tensors yet — only a little
        Python and numpy (`np.array`, `A @ B`, `A.shape`).
        """
    )
    c.md(
        """
        ## JupyterLab in two minutes

        A notebook is a list of **cells**. Grey boxes are code; the rest is text.

        | to … | do … |
        |---|---|
        | run the selected cell and move on | **Shift + Enter** |
        | run everything from the top | menu *Run → Run All Cells* |
        | start afresh (forget all variables) | menu *Kernel → Restart Kernel and Run All Cells…* |
        | save | **Ctrl + S** (⌘ + S on a Mac) |
        | leave a cell you are typing in | **Esc**; then **A** / **B** inserts a cell above / below |

        Cells run in the order **you** run them, not the order on the page. Run them top to
        bottom; if anything looks strange, *Restart Kernel and Run All Cells* fixes most
        problems. The chapters are the files `00_start.ipynb`, `01_tensors.ipynb`, … in the
        file browser on the left.

        Run the next cell now (click into it, then Shift + Enter). It loads numpy and
        `tensorlessons`, the small library behind the diagrams.
        """
    )
    c.code(SETUP)
    c.md(
        """
        ## Your first diagram

        Below, two matrices `A` (2 × 3) and `B` (3 × 4) are multiplied. In the picture each
        matrix is a box, and each of its indices is a line sticking out of the box — a
        **leg**. `A[i, j]` has legs `i` and `j`; `B[j, k]` has legs `j` and `k`. The label
        `j (3)` says the leg is called `j` and has dimension 3.

        The leg `j` is shared, so it is drawn as one **wire** from `A` to `B`: a wire means
        *"sum over this index"*. The legs `i` and `k` go nowhere — they are **open**, and they
        are the legs of the result. So the picture *is* the formula
        $(AB)_{ik} = \\sum_j A_{ij} B_{jk}$.
        """
    )
    c.code(
        f"""
        A = rng.normal(size=(2, 3))
        B = rng.normal(size=(3, 4))

        d = tl.Diagram.from_einsum("ij,jk->ik", A, B, names=["A", "B"])
        widget = {show("d")}
        widget
        """
    )
    c.md(
        """
        The diagram is also a computation. `d.contract()` sums over the wire and returns a
        numpy array whose axes are the open legs, in order. The check below compares it
        with numpy's own matrix product; you will see a check like this after almost every
        diagram in the course.
        """
    )
    c.code(
        """
        result = d.contract()
        print("diagram result, shape", result.shape)
        print(result)

        np.testing.assert_allclose(result, A @ B)  # raises an error if they differ
        print("✓ the diagram and A @ B agree")
        """
    )
    c.md(
        """
        ## Working the widget

        Everything you do in the picture changes the Python object `widget.diagram` at once
        (here it is the same object as `d`), and everything you change from Python redraws
        the picture. The table lists each action with its Python equivalent.

        | in the picture | what it does | in Python |
        |---|---|---|
        | **drag** a box | moves it — layout only, the value never changes | `d.move("A", x, y)` |
        | **drag an open leg's end onto another open leg's end** | joins them with a wire (they must have the same dimension, otherwise the edit is refused with a message and nothing changes) | `d.connect("A:i", "B:k")` |
        | **click a wire**, then **Delete** / **Backspace** (or the ✂ button) | cuts it: both ends become open legs | `d.cut("A:j", "B:j")` |
        | **double-click** a name | renames the tensor or the leg | `d.rename_tensor("A", "M")`, `d.rename_leg("A:i", "row")` |
        | palette (+) | adds a vector, a matrix, a 3-leg tensor or a copy tensor | `d.add_tensor("v", np.ones(3))` |
        | **Ctrl + Z** / **Ctrl + Shift + Z** | undo / redo | — |
        | **Tab**, arrow keys | move the focus between tensors, move the focused tensor | — |

        Legs are written `"TENSOR:LEG"` everywhere: `"A:j"` is leg `j` of tensor `A`.
        Under the diagram, the widget shows the einsum string, the result's legs and shape,
        and its values.

        **Try it:** drag the box `A` somewhere else in the widget above, then run the next
        cell. The position reached Python.
        """
    )
    c.code(
        """
        print("A is at", d.tensor("A").position)
        print("and the result did not change:", np.allclose(d.contract(), A @ B))
        """
    )
    c.md(
        """
        Now an edit from Python. Cutting the wire `j` leaves two unconnected matrices: no
        sum any more, so the result has all four legs `i, k, j, j2` (this is the *outer
        product*, chapter 02). Run the cell and scroll up: the widget has redrawn. The
        second cell joins them again.
        """
    )
    c.code(
        """
        d.cut("A:j", "B:j")
        print("open legs:", d.output, "  result shape:", d.contract().shape)
        """
    )
    c.code(
        """
        d.connect("A:j", "B:j")
        print("open legs:", d.output, "  result shape:", d.contract().shape)
        np.testing.assert_allclose(d.contract(), A @ B)
        print("✓ back to A @ B")
        """
    )
    c.md(
        """
        An edit that makes no sense is refused with a `DiagramError` that says what is wrong,
        and the diagram stays exactly as it was. Leg `A:i` has dimension 2 and `B:k` has
        dimension 4, so they cannot be joined:
        """
    )
    c.code(
        """
        try:
            d.connect("A:i", "B:k")
        except tl.DiagramError as err:
            print("refused:", err)
        print("unchanged:", d)
        """
    )
    c.md(
        """
        ## A diagram is a line of code

        Every diagram has an **einsum string**: one group of letters per tensor (one letter
        per leg), a letter shared by two tensors is a wire, and the letters after `->` are
        the open legs in order. `np.einsum` computes it directly. You will read and write
        these strings throughout the course.
        """
    )
    c.code(
        """
        print(d.to_einsum())
        np.testing.assert_allclose(np.einsum(d.to_einsum(), A, B), d.contract())
        print("✓ np.einsum with the diagram's string gives the same numbers")
        """
    )
    c.md(
        """
        ## Exercises and how they are checked

        Each exercise has four parts:

        1. a **header**: the title, the difficulty (★ to ★★★), whether it is *core* (needed
           later) or *optional*, a time budget, and a **Hints** button that reveals one hint
           at a time — try first, then take one hint, then try again; hints never show the
           solution;
        2. a **solution cell** for your code. In the student version it contains
           `raise NotImplementedError()`: delete that line and write your answer there;
        3. a **check cell** (locked — do not edit it). Run it after your solution cell. If
           something is wrong it stops with a `CheckFailed` error saying *what* is wrong
           (which leg, expected versus got); if everything is right it prints a line:
           - **"All checks pass"** — there is nothing more to check;
           - **"Visible checks pass (hidden tests run when graded)"** — the checks you can
             see pass, and when your instructor grades the notebook, extra *hidden* tests
             run too. Visible checks passing is *not* the same as all tests passing;
        4. for **draw-to-answer** exercises, an editable diagram with a **Check** button
           instead of (or as well as) code. The checker compares what your diagram *means*
           (which legs are joined, which stay open), not where you put the boxes. Your
           drawing is saved next to the notebook (in the folder `tensorlessons_answers/`)
           after every edit, so it survives saving, reloading the page and re-running
           the notebook; the **Start again** button goes back to the starting diagram.
           If you answer by drawing, delete the `raise NotImplementedError()` line in the
           cell under the widget; you can also answer in code in that cell.

        At the end of each chapter, `progress()` lists which exercises of the chapter pass.

        Here is what a failed check looks like (we catch the error so that this cell runs
        through):
        """
    )
    c.code(
        """
        from tensorlessons.exercises import CheckFailed

        try:
            check.array(np.zeros((2, 3)), A @ B, name="A @ B")
        except CheckFailed as err:
            print(err)
        """
    )
    c.md(
        """
        ### Exercise 00.1 — contract a diagram

        Store the result of contracting the diagram `d` (it is $AB$ again) in a variable
        called `AB`. Use the diagram, not `@`.
        """
    )
    c.header(
        """
        Exercise(
            "00-contract",
            title="Contract a diagram",
            difficulty=1,
            importance="core",
            minutes=2,
            hints=[
                "A diagram computes its value with one method call.",
                "The method is called contract().",
            ],
        )
        """
    )
    c.solution(
        "00-contract",
        """
        # BEGIN SOLUTION
        AB = d.contract()
        # END SOLUTION
        """,
    )
    c.graded(
        "00-contract",
        """
        check.array(AB, A @ B, name="AB")
        check.passed("00-contract", hidden=False)
        """,
        points=1,
        difficulty=1,
        importance="core",
        minutes=2,
    )
    c.md(
        """
        ### Exercise 00.2 — draw your first wire

        The widget below shows two vectors `u` and `v` with 4 entries each, not joined. Join
        their legs with a wire: the diagram then sums $\\sum_i u_i v_i$, the dot product.

        *In the widget:* drag the end of `u`'s leg onto the end of `v`'s leg, then press
        **Check**. Your drawing is saved as you go; in the cell under the widget, delete the
        line `raise NotImplementedError()`. *Or in code:* in that cell, copy the starting
        diagram (`ex.start.copy()`), edit the copy with `connect`, and hand it in with
        `ex.submit(...)`. Either way, then run the check cell.
        """
    )
    c.code(
        f"""
        u = np.array([1.0, 2.0, 3.0, 4.0])
        v = np.array([0.5, -1.0, 2.0, 0.0])

        start = tl.Diagram.from_einsum("i,j->ij", u, v, names=["u", "v"])
        answer = tl.Diagram.from_einsum("i,i->", u, v, names=["u", "v"])
        ex = tl.DiagramExercise(
            "00-dot-draw",
            task="Join the legs of u and v with a wire, so that the diagram is the dot product u·v.",
            start=start,
            answer=answer,
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
        """
    )
    c.solution(
        "00-dot-draw",
        """
        # Answer by drawing above (then delete the `raise` line below), or in code here.
        # BEGIN SOLUTION
        mine = ex.start.copy()  # the starting diagram, to edit
        mine.connect("u:i", "v:j")
        ex.submit(mine)  # your diagram becomes the answer (the widget shows it)
        # END SOLUTION
        """,
    )
    c.graded(
        "00-dot-draw",
        """
        ex.check()
        check.array(ex.diagram.contract(), u @ v, name="the value of your diagram")
        check.passed("00-dot-draw", hidden=False)
        """,
        points=1,
        difficulty=1,
        importance="core",
        minutes=3,
    )
    c.md(
        """
        ### Exercise 00.3 — a diagram from an einsum string

        Build the diagram of the matrix–vector product $M x$ with `tl.Diagram.from_einsum`,
        naming the tensors `"M"` and `"x"`, and store it in `Mx`. The matrix `M` has legs
        `i` (dimension 3) and `j` (dimension 5); `x` has one leg of dimension 5.
        """
    )
    c.code(
        """
        M = rng.normal(size=(3, 5))
        x = rng.normal(size=5)
        """
    )
    c.header(
        """
        Exercise(
            "00-einsum",
            title="A diagram from an einsum string",
            difficulty=1,
            importance="core",
            minutes=4,
            hints=[
                "Look at how d was made above: from_einsum(string, arrays..., names=[...]).",
                "M has two legs (two letters), x has one; the shared letter is the wire.",
                "The result keeps M's first leg: 'ij,j->i'.",
            ],
        )
        """
    )
    c.solution(
        "00-einsum",
        """
        # BEGIN SOLUTION
        Mx = tl.Diagram.from_einsum("ij,j->i", M, x, names=["M", "x"])
        # END SOLUTION
        """,
    )
    c.graded(
        "00-einsum",
        """
        check.true(isinstance(Mx, tl.Diagram), "Mx should be a tl.Diagram (use tl.Diagram.from_einsum)")
        check.array(Mx.contract(), M @ x, name="the value of Mx")
        ### BEGIN HIDDEN TESTS
        check.diagram(Mx, tl.Diagram.from_einsum("ab,b->a", M, x, names=["M", "x"]))
        ### END HIDDEN TESTS
        check.passed("00-einsum", hidden=True)
        """,
        points=1,
        difficulty=1,
        importance="core",
        minutes=4,
    )
    c.md(
        """
        ## Your progress

        Run this cell at any time to see which exercises of this chapter pass.
        """
    )
    c.code("progress()")
    c.md(
        """
        ## What next

        Open **`01_tensors.ipynb`**: what a tensor is, what its legs are, and why tensors
        with many legs are too big to store — the reason tensor diagrams exist.
        """
    )
    return c


# ======================================================================================
# 01 · Tensors
# ======================================================================================


def chapter_01() -> Chapter:
    c = Chapter("01")
    c.md(
        """
        # 01 · Tensors and their legs

        *Follows the paper's first section on tensors (Taylor 2024, §2).* In this chapter:

        - a tensor is an array of numbers; each of its indices is drawn as a **leg**;
        - the number of legs is the tensor's **order**; each leg has a **dimension**;
        - fixing every leg picks out one number (`A[0, 2, 0]`), fixing some legs picks a
          smaller tensor (a slice) — and in the picture, fixing a leg is plugging a vector
          into it;
        - the memory a tensor needs grows **exponentially** with its number of legs, which is
          why big tensors are kept as networks of small ones.

        About 30 minutes, with four exercises.
        """
    )
    c.code(SETUP)
    c.md(
        """
        ## A tensor is an array of numbers

        In deep learning, and in this course, a *tensor* is simply a multi-dimensional array
        of numbers — a numpy `ndarray`. To find one number in it you give one index per axis.
        Graphical notation draws the tensor as a shape and each index as a line sticking out
        of it: a **leg**.

        | numpy | indices | legs | name |
        |---|---|---|---|
        | `s = np.array(7.0)` | none: `s[()]` | 0 | scalar |
        | `v = np.zeros(4)` | `v[i]` | 1 | vector |
        | `M = np.zeros((2, 3))` | `M[i, j]` | 2 | matrix |
        | `A = np.zeros((2, 3, 4))` | `A[i, j, k]` | 3 | order-3 tensor |

        The number of legs is the tensor's **order** (numpy calls it `ndim`). Each leg has
        a **dimension**: how many values its index can take, the length of that axis.
        Below, the four tensors of the table, each as its own live diagram.
        """
    )
    c.code(
        f"""
        s = np.array(7.0)
        v = rng.normal(size=4)
        M = rng.normal(size=(2, 3))
        A = rng.normal(size=(2, 3, 4))

        for name, arr in [("s", s), ("v", v), ("M", M), ("A", A)]:
            print(f"{{name}}: order (number of legs) = {{arr.ndim}}, shape = {{arr.shape}}")

        scalar = tl.Diagram().add_tensor("s", s)
        vector = tl.Diagram().add_tensor("v", v, legs=["i"])
        matrix = tl.Diagram().add_tensor("M", M, legs=["i", "j"])
        order3 = tl.Diagram().add_tensor("A", A, legs=["i", "j", "k"])
        """
    )
    c.code(show("scalar"))
    c.code(show("vector"))
    c.code(show("matrix"))
    c.code(
        f"""
        w3 = {show("order3")}
        w3
        """
    )
    c.md(
        """
        The scalar has no legs at all: it is just a number. Each label reads `name (dimension)`:
        `k (4)` is leg `k`, dimension 4 — the last axis of `A`, whose shape is `(2, 3, 4)`.

        The diagram knows the same facts as numpy:
        """
    )
    c.code(
        """
        t = order3.tensor("A")
        print("legs:      ", t.legs)
        print("dimensions:", t.dims)
        print("order:     ", t.order)

        assert t.order == A.ndim and tuple(t.dims) == A.shape
        np.testing.assert_array_equal(order3.contract(), A)  # a lone tensor is just itself
        print("✓ the diagram of A is A")
        """
    )
    c.md(
        """
        **Legs have names, not places.** numpy knows its axes by position (axis 0, 1, 2);
        a diagram knows its legs by name. Drag `A` around in the widget above, or rename a
        leg (double-click its label): the tensor is unchanged. Which leg sticks out on which
        side carries no meaning — we come back to this in chapter 02.

        **A word on names.** This notation is also called *tensor-network notation*,
        *Penrose graphical notation* (Roger Penrose introduced it in 1971) and, in category
        theory, *string diagrams*; the ZX-calculus of quantum computing is a close relative.

        **A trap: "rank".** Some libraries and texts call the number of legs the tensor's
        *rank*. Linear algebra uses *rank* for something else: the number of independent
        rows of a matrix (`np.linalg.matrix_rank`). A 3 × 3 matrix of ones has 2 legs but
        matrix rank 1. In this course the number of legs is always the **order**, and *rank*
        always means matrix rank (or, in chapter 05, CP rank).
        """
    )
    c.code(
        """
        J = np.ones((3, 3))
        print("order (legs):", J.ndim, "   matrix rank:", np.linalg.matrix_rank(J))
        """
    )
    c.md(
        """
        ## Fixing every leg picks out one number

        Choose a value for every leg — say $i = 0$, $j = 2$, $k = 0$ — and you have named one
        entry of the tensor: `A[0, 2, 0]`.

        In the picture, *fixing a leg* is done by plugging a **basis vector** into it: the
        vector $e_2 = (0, 0, 1)$ joined to leg `j` sums $\\sum_j A_{ijk} (e_2)_j = A_{i2k}$,
        which keeps only the entries with $j = 2$. Plug a basis vector into every leg and
        nothing is left open: the diagram is a single number.
        """
    )
    c.code(
        f"""
        def basis(n, position):
            \"\"\"The basis vector e_position of dimension n: all zeros and a single 1.\"\"\"
            e = np.zeros(n)
            e[position] = 1.0
            return e

        pick = tl.Diagram.from_einsum(
            "ijk,i,j,k->", A, basis(2, 0), basis(3, 2), basis(4, 0), names=["A", "e0", "e2", "e0'"]
        )
        {show("pick")}
        """
    )
    c.code(
        """
        print("the diagram:", float(pick.contract()))
        print("A[0, 2, 0]: ", A[0, 2, 0])
        np.testing.assert_allclose(pick.contract(), A[0, 2, 0])
        print("✓ plugging in e0, e2, e0 is indexing A[0, 2, 0]")
        """
    )
    c.md(
        """
        ## Fixing some legs picks out a smaller tensor

        Fix only `j = 2` and two legs stay open: the result is the matrix `A[:, 2, :]`, a
        *slice* of `A`. The number of legs of the result is always the number of open legs
        of the diagram.
        """
    )
    c.code(
        f"""
        slice_j2 = tl.Diagram.from_einsum("ijk,j->ik", A, basis(3, 2), names=["A", "e2"])
        print("open legs:", slice_j2.output, " shape:", slice_j2.shape)
        np.testing.assert_allclose(slice_j2.contract(), A[:, 2, :])
        print("✓ the diagram is A[:, 2, :]")
        {show("slice_j2")}
        """
    )
    c.md(
        """
        Plugging in a vector that is *not* a basis vector gives a weighted mix of slices:
        `np.einsum("ijk,j->ik", A, w)` is `w[0]*A[:,0,:] + w[1]*A[:,1,:] + w[2]*A[:,2,:]`.
        Try it: change the `basis(3, 2)` above into `np.array([0.5, 0.5, 0.0])` and re-run.

        ## Memory grows exponentially with the number of legs

        A tensor with $n$ legs of dimension $d$ holds $d^n$ numbers. Each float64 number
        takes 8 bytes. Adding one leg multiplies the size by $d$:
        """
    )
    c.code(
        """
        print(f"{'legs':>5} {'numbers (d=2)':>16} {'numbers (d=10)':>16} {'memory (d=10, float64)':>24}")
        for n in [1, 2, 3, 4, 8, 12, 16, 20]:
            size = 10**n * 8
            human = f"{size / 2**30:,.1f} GiB" if size >= 2**30 else f"{size:,} bytes"
            print(f"{n:>5} {2**n:>16,} {10**n:>16,} {human:>24}")

        print("check with numpy: a (10, 10, 10, 10) array takes", np.zeros((10,) * 4).nbytes, "bytes")
        """
    )
    c.md(
        """
        A 20-leg tensor with dimension 10 on each leg would need 800 million gigabytes.
        Tensors like this appear all the time — the joint distribution of 20 ten-valued
        variables, the state of 20 quantum systems, a neural network's output over all
        20-token inputs — but nobody stores them. Instead they are kept as **networks of
        small tensors** whose contraction *would* give the big one. Here is a first
        example: 8 small tensors in a chain, each joined to its neighbours by a wire of
        dimension 3 (a *bond*). The diagram has 8 open legs of dimension 2, so it stands for a
        $2^8 = 256$-number tensor, while storing fewer numbers. (Chapter 06 shows how to find
        such a chain for a given tensor and what is lost.)
        """
    )
    c.code(
        f"""
        phys, bond = 2, 3
        cores = (
            [rng.normal(size=(phys, bond))]
            + [rng.normal(size=(bond, phys, bond)) for _ in range(6)]
            + [rng.normal(size=(bond, phys))]
        )
        # open legs a..h (dimension 2), bonds A..G (dimension 3)
        expr = "aA,AbB,BcC,CdD,DeE,EfF,FgG,Gh->abcdefgh"
        chain = tl.Diagram.from_einsum(expr, *cores, names=[f"T{{k}}" for k in range(8)])

        stored = sum(core.size for core in cores)
        full = chain.contract()
        print("the chain stores", stored, "numbers;")
        print("the tensor it stands for has", full.size, "numbers, shape", full.shape)
        {show("chain")}
        """
    )
    c.md(
        """
        With 8 legs the saving is small; with $n$ legs the chain stores about $n \\cdot d
        \\cdot \\chi^2$ numbers (bond dimension $\\chi$) instead of $d^n$ — linear instead of
        exponential: with 20 legs and $\\chi = 3$ that is about 360 numbers instead of a million.

        ## Exercises
        """
    )
    c.md(
        """
        ### Exercise 01.1 — read one number

        `T` below is an order-3 tensor with legs `i, j, k` (in that order). Store in `value`
        the number the diagram gives when `i = 1`, `j = 0` and `k = 3` are fixed.
        """
    )
    c.code("T = rng.integers(-9, 10, size=(2, 3, 4)).astype(float)")
    c.header(
        """
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
        """
    )
    c.solution(
        "01-index",
        """
        # BEGIN SOLUTION
        value = T[1, 0, 3]
        # END SOLUTION
        """,
    )
    c.graded(
        "01-index",
        """
        check.array(value, T[1, 0, 3], name="value")
        ### BEGIN HIDDEN TESTS
        check.true(np.ndim(value) == 0, f"value should be a single number, got an array of shape {np.shape(value)}")
        ### END HIDDEN TESTS
        check.passed("01-index", hidden=True)
        """,
        points=1,
        difficulty=1,
        importance="core",
        minutes=2,
    )
    c.md(
        """
        ### Exercise 01.2 — order, dimensions, and the other "rank"

        For the matrix `P` below (a 4 × 6 matrix built from two vectors), give:

        - `order_P`: its order (the number of legs);
        - `dims_P`: the tuple of its leg dimensions;
        - `rank_P`: its *matrix* rank.

        Compute them with numpy rather than by eye.
        """
    )
    c.code("P = np.outer(rng.normal(size=4), rng.normal(size=6))")
    c.header(
        """
        Exercise(
            "01-order-rank",
            title="Order, dimensions, and the other 'rank'",
            difficulty=1,
            importance="core",
            minutes=4,
            hints=[
                "Order and dimensions are attributes of every numpy array.",
                "P.ndim and P.shape; the matrix rank is np.linalg.matrix_rank(P).",
                "An outer product of two vectors has matrix rank 1, whatever its size.",
            ],
        )
        """
    )
    c.solution(
        "01-order-rank",
        """
        # BEGIN SOLUTION
        order_P = P.ndim
        dims_P = P.shape
        rank_P = np.linalg.matrix_rank(P)
        # END SOLUTION
        """,
    )
    c.graded(
        "01-order-rank",
        """
        check.equal(order_P, 2, name="order_P (the number of legs)")
        check.equal(tuple(dims_P), (4, 6), name="dims_P")
        check.equal(int(rank_P), 1, name="rank_P (the matrix rank, not the number of legs)")
        check.passed("01-order-rank", hidden=False)
        """,
        points=1,
        difficulty=1,
        importance="core",
        minutes=4,
    )
    c.md(
        """
        ### Exercise 01.3 — pick a number by drawing

        The diagram below has an order-3 tensor `T3` whose legs `i, j, k` all have dimension 3,
        and the three basis vectors `e0`, `e1`, `e2` of dimension 3 (`e1 = (0, 1, 0)`, …).
        Join each vector to one leg of `T3` so that the diagram's value is **`T3[2, 0, 1]`**.

        Draw it in the widget (drag each vector's leg onto a leg of `T3`, press **Check**, then
        delete the `raise` line in the cell under it), or answer in code in that cell as in
        chapter 00: `mine = ex01.start.copy()`, edit `mine`, `ex01.submit(mine)`.
        """
    )
    c.code(
        f"""
        T3 = rng.normal(size=(3, 3, 3))
        e0, e1, e2 = np.eye(3)

        start = tl.Diagram.from_einsum(
            "ijk,a,b,c->ijkabc", T3, e0, e1, e2, names=["T3", "e0", "e1", "e2"]
        )
        answer = tl.Diagram.from_einsum("ijk,j,k,i->", T3, e0, e1, e2, names=["T3", "e0", "e1", "e2"])
        ex01 = tl.DiagramExercise(
            "01-pick-draw",
            task="Join e0, e1 and e2 to the legs of T3 so that the diagram equals T3[2, 0, 1].",
            start=start,
            answer=answer,
            title="Pick a number by drawing",
            difficulty=2,
            importance="core",
            minutes=5,
            hints=[
                "Plugging the basis vector e_n into a leg fixes that leg's index to n.",
                "T3[2, 0, 1] fixes i = 2, j = 0, k = 1.",
                "e2 goes on leg i, e0 on leg j, e1 on leg k; nothing stays open.",
            ],
        )
        ex01
        """
    )
    c.solution(
        "01-pick-draw",
        """
        # Answer by drawing above (then delete the `raise` line below), or in code here.
        # BEGIN SOLUTION
        mine = ex01.start.copy()
        mine.connect("e2:c", "T3:i")
        mine.connect("e0:a", "T3:j")
        mine.connect("e1:b", "T3:k")
        ex01.submit(mine)
        # END SOLUTION
        """,
    )
    c.graded(
        "01-pick-draw",
        """
        ex01.check()
        check.array(ex01.diagram.contract(), T3[2, 0, 1], name="the value of your diagram")
        check.passed("01-pick-draw", hidden=False)
        """,
        points=2,
        difficulty=2,
        importance="core",
        minutes=5,
    )
    c.md(
        """
        ### Exercise 01.4 — how big?

        A tensor has 16 legs, each of dimension 4, and stores float64 numbers (8 bytes each).

        - `n_numbers`: how many numbers does it hold?
        - `gigabytes`: how many gigabytes (10⁹ bytes) does it take?
        - `n_chain`: the same tensor written as a chain like the one above, with 16 small
          tensors, bond dimension 10: the two end tensors have shape (4, 10), the 14 inner ones
          (10, 4, 10). How many numbers does the chain store?
        """
    )
    c.header(
        """
        Exercise(
            "01-memory",
            title="Memory grows exponentially with the number of legs",
            difficulty=2,
            importance="core",
            minutes=5,
            hints=[
                "A tensor with n legs of dimension d holds d**n numbers.",
                "Multiply by 8 bytes, divide by 10**9.",
                "The chain: 2 tensors of 4*10 numbers plus 14 tensors of 10*4*10 numbers.",
            ],
        )
        """
    )
    c.solution(
        "01-memory",
        """
        # BEGIN SOLUTION
        n_numbers = 4**16
        gigabytes = n_numbers * 8 / 1e9
        n_chain = 2 * 4 * 10 + 14 * 10 * 4 * 10
        # END SOLUTION
        """,
    )
    c.graded(
        "01-memory",
        """
        check.equal(int(n_numbers), 4**16, name="n_numbers")
        check.array(gigabytes, 4**16 * 8 / 1e9, name="gigabytes")
        ### BEGIN HIDDEN TESTS
        check.equal(int(n_chain), 2 * 40 + 14 * 400, name="n_chain")
        ### END HIDDEN TESTS
        check.passed("01-memory", hidden=True)
        """,
        points=1,
        difficulty=2,
        importance="core",
        minutes=5,
    )
    c.md(
        """
        ### Exercise 01.5 (optional) — a slice as a diagram

        Build a diagram `slice_diagram` (with `tl.Diagram.from_einsum`, tensors named `"T"` and
        `"e"`) whose value is the slice `T[:, 1, :]` of the tensor `T` from exercise 01.1. Use
        the function `basis` from above.
        """
    )
    c.header(
        """
        Exercise(
            "01-slice",
            title="A slice as a diagram",
            difficulty=2,
            importance="optional",
            minutes=4,
            hints=[
                "Fixing the middle leg to 1 means plugging a basis vector into it.",
                "That vector is basis(3, 1); the other two legs stay open.",
                "The einsum string is 'ijk,j->ik'.",
            ],
        )
        """
    )
    c.solution(
        "01-slice",
        """
        # BEGIN SOLUTION
        slice_diagram = tl.Diagram.from_einsum("ijk,j->ik", T, basis(3, 1), names=["T", "e"])
        # END SOLUTION
        """,
    )
    c.graded(
        "01-slice",
        """
        check.true(isinstance(slice_diagram, tl.Diagram), "slice_diagram should be a tl.Diagram")
        check.shape(slice_diagram.contract(), (2, 4), name="the value of slice_diagram")
        check.array(slice_diagram.contract(), T[:, 1, :], name="the value of slice_diagram")
        check.passed("01-slice", hidden=False)
        """,
        points=1,
        difficulty=2,
        importance="optional",
        minutes=4,
    )
    c.md(
        """
        ## Summary

        - A tensor is an array; each index is a **leg**, with a **dimension**; the number of
          legs is the **order** (not the matrix rank).
        - Fixing every leg picks one number; fixing some legs picks a slice. In the picture,
          fixing a leg is plugging a basis vector into it.
        - A tensor with $n$ legs of dimension $d$ holds $d^n$ numbers, so large tensors are
          kept as networks of small ones.

        Next, **`02_operations.ipynb`**: what happens when legs are joined.
        """
    )
    c.code("progress()")
    return c


BUILDERS = {
    "00_start": chapter_00,
    "01_tensors": chapter_01,
}


def build(names: list[str] | None = None, check: bool = False) -> int:
    stale = []
    for name, builder in BUILDERS.items():
        if names and name not in names:
            continue
        nb = builder().notebook()
        text = nbformat.writes(nb) + "\n"
        path = CHAPTERS / f"{name}.ipynb"
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(path.name)
            continue
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)} ({len(nb.cells)} cells)")
    if stale:
        print("stale (re-run scripts/build_chapters_00_03.py):", ", ".join(stale))
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", help="e.g. 00_start (default: all)")
    parser.add_argument("--check", action="store_true", help="fail if a notebook is stale")
    args = parser.parse_args(argv)
    return build(args.chapters or None, check=args.check)


if __name__ == "__main__":
    sys.exit(main())
