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
        """A code cell; the set-up of a draw-to-answer exercise (it holds the answer) is collapsed."""
        cell = nbformat.v4.new_code_cell(_src(text))
        if "DiagramExercise(" in text:
            cell.metadata["jupyter"] = {"source_hidden": True}
        self._add(cell)

    def header(self, text: str) -> None:
        """The exercise's header widget (task info and hints); not graded, no nbgrader keys.

        Its source is collapsed, so that the hints are revealed one at a time by the widget.
        """
        cell = nbformat.v4.new_code_cell(_src(text))
        cell.metadata["jupyter"] = {"source_hidden": True}
        self._add(cell)

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
        | **click a wire**, then **Delete** / **Backspace** (or the **Cut wire** button) | cuts it: both ends become open legs | `d.cut("A:j", "B:j")` |
        | **double-click** a name (or **F2**) | renames the tensor or the leg | `d.rename_tensor("A", "M")`, `d.rename_leg("A:i", "row")` |
        | the **Add tensor** controls above the picture | add a vector, a matrix, a 3-leg tensor or a copy tensor with the dimensions you type | `d.add_tensor("v", np.ones(3))`, `d.add_copy("c", 3)` |
        | select a tensor, **Remove tensor** (or **Delete**) | removes it; the legs it was joined to become open | `d.remove_tensor("B")` |
        | **Undo** / **Redo**, or **Ctrl + Z** / **Ctrl + Shift + Z** | undo / redo any edit | `widget.undo()`, `widget.redo()` |
        | **Tab**, arrow keys | move the focus between tensors, move the focused tensor | — |
        | **click** a tensor | shows its values (for one or two legs you can edit them) | `d["A"]`, `d.set_array("A", ...)` |
        | **Copy einsum** / **Copy code** / **Copy TikZ** / **Download SVG** | the diagram as an einsum call, as numpy code that rebuilds it, for LaTeX, as a picture | `d.to_einsum()`, `d.to_code()`, `d.to_tikz()`, `d.to_svg()` |

        Legs are written `"TENSOR:LEG"` everywhere: `"A:j"` is leg `j` of tensor `A`.
        Under the picture, the **Result** panel shows the einsum string, the result's legs
        and shape, what contracting it costs, and its values — updated after every edit.

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
        sum any more, so the result has four open legs (this is the *outer product*,
        chapter 02). Run the cell and scroll up: the widget has redrawn. The
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

        1. a **header**: the title, the difficulty (●○○ warm-up, ●●○ practice, ●●● challenge), whether it is *core* (needed
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

        The code that makes an exercise's header, and the set-up of a draw-to-answer
        exercise, are **collapsed** cells: you see their output, and a small ⋯ where the code
        is. Clicking ⋯ shows the code — all the hints at once, and for a drawing exercise
        the answer — so leave them closed until you are done.

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
        """
        u = np.array([1.0, 2.0, 3.0, 4.0])
        v = np.array([0.5, -1.0, 2.0, 0.0])
        """
    )
    c.code(
        """
        # The set-up of the exercise (collapsed: it contains the answer).
        start = tl.Diagram.from_einsum("i,j->ij", u, v, names=["u", "v"])
        answer = start.copy()  # the reference, with the same leg names as the start
        answer.connect("u:i", "v:j")
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
        check.true(
            isinstance(Mx, tl.Diagram), "Mx should be a tl.Diagram (use tl.Diagram.from_einsum)"
        )
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
        ## A playground

        An empty diagram to try everything on. Add two matrices with the **Add tensor**
        controls (choose *matrix*, type the dimensions, e.g. `2,3` and `3,2`), join a leg of
        one to a leg of the other, watch the Result panel, cut the wire, undo, rename. Then
        run the cell under it: the diagram you drew is an ordinary Python object. (The
        empty diagram's value is 1: a product of no numbers at all.)
        """
    )
    c.code(
        f"""
        playground = {show("tl.Diagram()")}
        playground
        """
    )
    c.code(
        """
        drawn = playground.diagram
        print(drawn)
        print("einsum:", drawn.to_einsum(), "  result shape:", drawn.shape)
        """
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

        *Follows the opening of the paper (Taylor 2024): what a tensor is and how it is drawn.* In this chapter:

        - a tensor is an array of numbers; each of its indices is drawn as a **leg**;
        - the number of legs is the tensor's **order**; each leg has a **dimension**;
        - fixing every leg picks out one number (`A[0, 2, 0]`), fixing some legs picks a
          smaller tensor (a slice) — and in the picture, fixing a leg is plugging a vector
          into it;
        - the memory a tensor needs grows **exponentially** with its number of legs, which is
          why big tensors are kept as networks of small ones.

        About 30 minutes, with four exercises and an optional fifth.
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
        """
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
        Under each picture, the result panel shows the values. For `A`, with three legs, it
        shows one matrix at a time: `slice i=0` is `A[0, :, :]`; type another value of `i`
        to see `A[1, :, :]`. Choosing a value for a leg is called *fixing* it — more on that
        below.

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
            "ijk,i,j,k->",
            A,
            basis(2, 0),
            basis(3, 2),
            basis(4, 0),
            names=["A", "e0", "e2", "e0'"],
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
        (This is what a matrix does to a vector, too: a weighted sum of its columns.)
        """
    )
    c.code(
        """
        w = np.array([0.5, 0.5, 0.0])  # half of slice 0 plus half of slice 1
        mix = tl.Diagram.from_einsum("ijk,j->ik", A, w, names=["A", "w"])
        np.testing.assert_allclose(mix.contract(), 0.5 * A[:, 0, :] + 0.5 * A[:, 1, :])
        print("✓ a non-basis vector on leg j mixes the slices A[:, j, :]")
        """
    )
    c.md(
        """
        ## Memory grows exponentially with the number of legs

        A tensor with $n$ legs of dimension $d$ holds $d^n$ numbers. Each float64 number
        takes 8 bytes. Adding one leg multiplies the size by $d$:
        """
    )
    c.code(
        """
        print(
            f"{'legs':>4}  {'numbers (d=2)':>13}  {'numbers (d=10)':>26}  {'memory (d=10, float64)':>24}"
        )
        for n in [1, 2, 3, 4, 8, 12, 16, 20]:
            size = 10**n * 8
            human = f"{size / 2**30:,.1f} GiB" if size >= 2**30 else f"{size:,} bytes"
            print(f"{n:>4}  {2**n:>13,}  {10**n:>26,}  {human:>24}")

        print(
            "check with numpy: a (10, 10, 10, 10) array takes",
            np.zeros((10,) * 4).nbytes,
            "bytes",
        )
        """
    )
    c.md(
        """
        A 20-leg tensor with dimension 10 on each leg would need $8 \\times 10^{20}$ bytes —
        800 billion gigabytes.
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
        check.array(value, T[1, 0, 3], name="value", show_expected=False)
        ### BEGIN HIDDEN TESTS
        check.true(
            np.ndim(value) == 0,
            f"value should be a single number, got an array of shape {np.shape(value)}",
        )
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
        check.equal(order_P, 2, name="order_P (the number of legs)", show_expected=False)
        check.equal(tuple(dims_P), (4, 6), name="dims_P")
        check.equal(
            int(rank_P),
            1,
            name="rank_P (the matrix rank, not the number of legs)",
            show_expected=False,
        )
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
        """
        T3 = rng.normal(size=(3, 3, 3))
        e0, e1, e2 = np.eye(3)
        """
    )
    c.code(
        """
        # The set-up of the exercise (collapsed: it contains the answer).
        start = tl.Diagram.from_einsum(
            "ijk,a,b,c->ijkabc", T3, e0, e1, e2, names=["T3", "e0", "e1", "e2"]
        )
        # the vectors in a column right of T3: every wire gets its own line
        places = {"T3": (100, 160), "e0": (340, 50), "e1": (340, 160), "e2": (340, 270)}
        for name, (x, y) in places.items():
            start.move(name, x, y)
        answer = start.copy()  # the reference, with the same leg names as the start
        for vector_leg, tensor_leg in [("e2:c", "T3:i"), ("e0:a", "T3:j"), ("e1:b", "T3:k")]:
            answer.connect(vector_leg, tensor_leg)
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
                "i = 2 needs e2 on leg i; do the same for j and k. Nothing stays open.",
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
                "For the chain, count each small tensor's numbers (the product of its dimensions) and add.",
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
        check.equal(int(n_numbers), 4**16, name="n_numbers", show_expected=False)
        check.array(gigabytes, 4**16 * 8 / 1e9, name="gigabytes", show_expected=False)
        ### BEGIN HIDDEN TESTS
        check.equal(int(n_chain), 2 * 40 + 14 * 400, name="n_chain", show_expected=False)
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
                "Compare with slice_j2 above, which fixed j = 2 of A.",
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
        check.true(
            isinstance(slice_diagram, tl.Diagram), "slice_diagram should be a tl.Diagram"
        )
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

        **Further reading.** J. C. Bridgeman and C. T. Chubb, *Hand-waving and interpretive
        dance: an introductory course on tensor networks* (2017, arXiv:1603.03039) — the
        same notation from the physics side; B. Coecke and A. Kissinger, *Picturing Quantum
        Processes* (2017) — string diagrams and the ZX-calculus.

        Next, **`02_operations.ipynb`**: what happens when legs are joined.
        """
    )
    c.code("progress()")
    return c


# ======================================================================================
# 02 · Operations
# ======================================================================================


def chapter_02() -> Chapter:
    c = Chapter("02")
    c.md(
        """
        # 02 · Operations: outer products, contraction, trace, transpose

        *Follows the paper's (Taylor 2024) introduction of operations between tensors.* Nearly
        everything a linear layer, an attention head or a tensor decomposition does is built
        from two moves:

        - putting tensors **side by side** (the outer or tensor product), and
        - **joining legs** with a wire (contraction: sum over the shared index).

        With them we draw the dot product, the matrix–vector and matrix–matrix products,
        chains of products and the trace; we see that transposing only *renames* legs, that
        the way a diagram is drawn carries no meaning, that every diagram is one `np.einsum`
        string — and that the *order* in which a network is contracted can change its cost
        by orders of magnitude. About 50 minutes, with six exercises (one optional).
        """
    )
    c.code(SETUP)
    c.md(
        """
        ## Side by side: the outer (tensor) product

        Two tensors drawn next to each other, not joined, stand for their **outer product**
        (also called tensor product): every entry of one times every entry of the other,
        $(u \\otimes v)_{ij} = u_i\\, v_j$. Nothing is summed, so every leg stays open and the
        orders add up: a vector (1 leg) beside a vector (1 leg) is a matrix (2 legs).
        """
    )
    c.code(
        f"""
        u = np.array([1.0, 2.0])
        v = np.array([1.0, 10.0, 100.0])

        outer = tl.Diagram.from_einsum("i,j->ij", u, v, names=["u", "v"])
        print(outer.contract())
        np.testing.assert_allclose(outer.contract(), np.outer(u, v))
        print("✓ u beside v is np.outer(u, v)")
        {show("outer")}
        """
    )
    c.md(
        """
        Any tensors can stand side by side: a matrix (2 legs) next to a vector (1 leg) is an
        order-3 tensor, $(M \\otimes v)_{ijk} = M_{ij} v_k$:
        """
    )
    c.code(
        f"""
        M = rng.normal(size=(2, 2))
        Mv = tl.Diagram.from_einsum("ij,k->ijk", M, v, names=["M", "v"])
        print("shape:", Mv.shape)
        np.testing.assert_allclose(Mv.contract(), np.multiply.outer(M, v))
        print("✓ M beside v is np.multiply.outer(M, v)")
        {show("Mv")}
        """
    )
    c.md(
        """
        **A trap: two things called "tensor product".** Physics texts and `np.kron` use
        "tensor product" (Kronecker product) for the same numbers arranged as *one* long
        vector (or one big matrix): `np.kron(u, v)` has **one** leg of dimension 6, the outer
        product has **two** legs of dimensions 2 and 3. They differ only by *grouping* the two
        legs into one — a reshape, which chapter 03 draws. When you read "tensor product",
        ask how many legs the result has.
        """
    )
    c.code(
        """
        print("outer:", np.outer(u, v).shape, "  kron:", np.kron(u, v).shape)
        np.testing.assert_allclose(np.kron(u, v), np.outer(u, v).reshape(6))
        print("✓ kron(u, v) is the outer product with its two legs grouped into one")
        """
    )
    c.md(
        """
        ## Joining legs: contraction

        Join two legs of **equal dimension** with a wire and their index is **summed over**.
        Each wire removes two open legs. The simplest case is two vectors: one wire, no open
        legs left, so the result is a number — the dot product
        $u \\cdot w = \\sum_i u_i w_i$.
        """
    )
    c.code(
        f"""
        u = rng.normal(size=4)
        w = rng.normal(size=4)

        dot = tl.Diagram.from_einsum("i,i->", u, w, names=["u", "w"])
        np.testing.assert_allclose(dot.contract(), u @ w)
        print("u·w =", float(dot.contract()), "✓ equals u @ w")
        {show("dot")}
        """
    )
    c.md(
        """
        ## Matrix–vector, matrix–matrix, and chains

        A matrix has two legs. Join one of them to a vector and one leg stays open: the
        result is a vector, $(Mx)_i = \\sum_j M_{ij} x_j$. Join two matrices and two legs stay
        open: $(AB)_{ik} = \\sum_j A_{ij} B_{jk}$. Chains of products are chains of boxes.

        This time we build the chain $A B C x$ edit by edit, as you would in the widget:
        start from four unconnected tensors (their outer product!) and join legs one wire
        at a time. Watch the open legs and the shape.
        """
    )
    c.code(
        """
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
        """
    )
    c.code(
        f"""
        np.testing.assert_allclose(chain.contract(), A @ B @ C @ x)
        print("✓ the chain is A @ B @ C @ x")
        chain_widget = {show("chain")}
        chain_widget
        """
    )
    c.md(
        """
        **Try it:** in the widget above, cut the wire between `B` and `C` (click it, press
        Delete) and look at the result panel: two more open legs, shape `(2, 4, 4)`. Undo
        with Ctrl + Z. The rule to read any diagram: **the result has one leg per open leg,
        and every wire is a sum.**

        ## Trace: a leg joined back to its own tensor

        Join a square matrix's two legs to each other and nothing stays open: the diagram is
        the number $\\sum_i M_{ii} = \\operatorname{tr} M$, drawn as a **loop**.
        """
    )
    c.code(
        f"""
        S = rng.normal(size=(3, 3))
        trace = tl.Diagram.from_einsum("ii->", S, names=["S"])
        np.testing.assert_allclose(trace.contract(), np.trace(S))
        print("tr S =", float(trace.contract()), "✓ equals np.trace(S)")
        {show("trace")}
        """
    )
    c.md(
        """
        The trace of a product is a loop through several tensors:
        $\\operatorname{tr}(PQR) = \\sum_{ijk} P_{ij} Q_{jk} R_{ki}$. Algebra books prove the
        *cyclic property* $\\operatorname{tr}(PQR) = \\operatorname{tr}(QRP) =
        \\operatorname{tr}(RPQ)$. In the notation there is nothing to prove: all three are
        the **same loop**, read from a different starting point. `tl.equivalent` compares
        two diagrams by what they mean (which legs are joined to which), not by how they are
        written or drawn. $\\operatorname{tr}(PRQ)$, on the other hand, is a different loop.
        """
    )
    c.code(
        """
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
        """
    )
    c.md(
        """
        Here is the loop $\\operatorname{tr}(PQR)$. Drag `R` to the other side, or put the
        three boxes in a line: it stays the same loop and the same number.
        """
    )
    c.code(show("tr_PQR"))
    c.md(
        """
        ## Transpose, and why orientation means nothing

        In numpy, `A.T` swaps which axis comes first. A diagram has no "first" leg drawn
        anywhere: it only says **which leg is joined to what**, and lists the open legs of the
        result in some order (the part after `->`). Transposing is choosing the other order:
        """
    )
    c.code(
        f"""
        A = rng.normal(size=(2, 3))
        At = tl.Diagram.from_einsum("ij->ji", A, names=["A"])
        np.testing.assert_allclose(At.contract(), A.T)
        print("✓ 'ij->ji' is A.T; the open legs are listed as", At.output)
        {show("At")}
        """
    )
    c.md(
        """
        So rotating, mirroring or dragging a diagram never changes it — only connectivity
        counts. For example $A b$ and $b^T A^T$ are the **same diagram**: the vector `b` is
        joined to the second leg of `A`, and `A`'s first leg is open. So are
        $(AB)^T$ and $B^T A^T$. Drag the boxes of the widget below around, even put `b` on
        the left: the value stays $Ab$.
        """
    )
    c.code(
        f"""
        b = rng.normal(size=3)
        Ab = tl.Diagram.from_einsum("ij,j->i", A, b, names=["A", "b"])
        bAt = tl.Diagram.from_einsum("j,ij->i", b, A, names=["b", "A"])  # b^T A^T

        print("A b and b^T A^T the same diagram?", tl.equivalent(Ab, bAt))
        np.testing.assert_allclose(Ab.contract(), b @ A.T)
        print("✓ both are", Ab.contract())
        {show("Ab")}
        """
    )
    c.md("And $b^T A^T$, built from the other string — the same picture up to where the boxes sit:")
    c.code(show("bAt"))
    c.md(
        """
        ## Every diagram is one einsum string

        To write a diagram as `np.einsum`:

        1. give every wire and every open leg its own letter;
        2. for each tensor, write the letters of its legs in the order of its array's axes;
           separate tensors with commas;
        3. after `->`, write the letters of the open legs in the order you want the result's
           axes. Letters that appear before `->` but not after it are summed.

        A letter that appears on one tensor only and not after `->` is summed on its own:
        `"ij->i"` sums each row (it is the same as joining leg `j` to a vector of ones).

        | diagram | einsum | numpy |
        |---|---|---|
        | outer product | `i,j->ij` | `np.outer(u, v)` |
        | dot product | `i,i->` | `u @ w` |
        | matrix–vector | `ij,j->i` | `M @ x` |
        | matrix–matrix | `ij,jk->ik` | `A @ B` |
        | chain | `ij,jk,kl,l->i` | `A @ B @ C @ x` |
        | trace | `ii->` | `np.trace(S)` |
        | trace of a product | `ij,ji->` | `np.trace(A @ B)` |
        | transpose | `ij->ji` | `A.T` |
        | sum over a leg | `ij->i` | `A.sum(axis=1)` |

        The cell below checks every row of this table, and `d.to_einsum()` gives the string
        of any diagram — including one you have edited in a widget.
        """
    )
    c.code(
        """
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
        """
    )
    c.md(
        """
        ## The order of contraction, and what it costs

        A diagram says *what* is summed, not *in which order*. A network is contracted two
        tensors at a time, and every order gives the same numbers — but not at the same
        price. Take $A B x$ with $n \\times n$ matrices:

        - $(AB)\\,x$: first a matrix product, about $n^3$ multiplications, then $n^2$;
        - $A\\,(Bx)$: two matrix–vector products, about $2n^2$.

        For $n = 1000$ that is a factor of 500. `d.cost(optimize=...)` reports the FLOPs
        (floating-point operations, as `opt_einsum` counts them) of the order an optimizer
        picks, the largest intermediate tensor it makes, and the steps. `d.contract()`
        uses `opt_einsum`'s `"auto"` choice. Compare the optimizers:
        """
    )
    c.code(
        """
        n = 300
        A3, B3, x3 = rng.normal(size=(n, n)), rng.normal(size=(n, n)), rng.normal(size=n)
        ABx = tl.Diagram.from_einsum("ij,jk,k->i", A3, B3, x3, names=["A", "B", "x"])

        for optimize in ["optimal", "greedy", "auto"]:
            cost = ABx.cost(optimize=optimize)
            print(
                f"{optimize:>8}: {cost.flops:>12,} FLOPs   steps: {' then '.join(cost.steps)}"
            )
        print(f"one big sum over i, j, k at once: {ABx.cost().naive_flops:,} FLOPs")
        """
    )
    c.code(show("ABx"))
    c.md(
        """
        `"optimal"` tries every order (affordable for a handful of tensors) and finds
        $A(Bx)$. `"greedy"` is a fast rule of thumb for big networks: step by step it takes
        the pair that looks best locally. Here `A·B` and `B·x` look equally good to it,
        and (see the steps printed above) it took `A·B` — paying the $n^3$ price. Time the two
        orders (the pair `(1, 2)` means "contract tensors 1 and 2 of the current list", and
        the result goes to the end of the list):
        """
    )
    c.code(
        """
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
        """
    )
    c.md(
        """
        In bigger networks — tensor trains (chapter 06), or a transformer's circuits
        (chapter 09) — the difference between a good and a bad order can be the difference
        between a second and a year. Here are all the orders for $ABx$ side by side —
        including a silly one that multiplies two tensors with no wire between them (an
        outer product), which is never a good idea:
        """
    )
    c.code(
        """
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
        """
    )
    c.md(
        """
        ### Explore: contract a network yourself

        Below is a bigger network, a *ladder*: two chains of four tensors (`T1`–`T4` on top,
        `S1`–`S4` below), joined rung by rung. The rungs (dimension 16) join top and
        bottom; the legs along each chain (bonds) have dimension 8. (This is the inner product of
        two *tensor trains*, chapter 06.) In the **contraction explorer**, pick two tensors and
        press **Contract**: they merge into one, and the running FLOP count and the largest
        tensor made so far are shown against the best possible order.

        Try two strategies, using **Start again** in between:

        1. the **top row first**: `T1` with `T2`, the result with `T3`, then `T4`, then the
           bottom row one by one;
        2. the **zipper**: `T1` with `S1`, the result with `T2`, then `S2`, `T3`, `S3`, …
        """
    )
    c.code(
        """
        d_phys, chi = 16, 8
        top = [
            rng.normal(size=(d_phys, chi)),
            rng.normal(size=(chi, d_phys, chi)),
            rng.normal(size=(chi, d_phys, chi)),
            rng.normal(size=(chi, d_phys)),
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
        """
    )
    c.md(
        """
        The same two strategies, played from Python (the explorer's `contract(a, b)` returns
        the step, whose `.result` is the merged tensor's name):
        """
    )
    c.code(
        """
        def absorb_one_by_one(order):
            \"\"\"Contract order[0] with order[1], the result with order[2], and so on.\"\"\"
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
            print(f"{label:>14}: {flops:>10,} FLOPs, largest intermediate {largest:>7,} numbers")
        print(f"{'best order':>14}: {explorer.optimal.flops:>10,} FLOPs")
        print("✓ every order gives the same number:", float(ladder.contract()))
        explorer.reset()
        """
    )
    c.md(
        """
        The top row on its own is a tensor with four open legs of dimension 16: contracting
        it first builds all $16^4 = 65{,}536$ of its numbers — the exponential blow-up of
        chapter 01 — while the zipper never holds more than about a thousand. Good contraction
        orders are what make big tensor networks computable at all.
        """
    )
    c.md("## Exercises")
    c.md(
        """
        ### Exercise 02.1 — the two "tensor products"

        With `p` and `q` below, compute
        - `outer_pq`: their outer product, with `np.einsum`;
        - `kron_pq`: the Kronecker product `np.kron(p, q)`, but computed **from `outer_pq`**
          with a reshape (no `np.kron`).
        """
    )
    c.code("p, q = rng.normal(size=3), rng.normal(size=4)")
    c.header(
        """
        Exercise(
            "02-two-products",
            title="The two 'tensor products'",
            difficulty=1,
            importance="core",
            minutes=4,
            hints=[
                "The outer product has two open legs and no wire: one letter per vector.",
                "Grouping two legs of dimensions 3 and 4 gives one leg of dimension 12.",
                "outer_pq.reshape(...) with the product of the two dimensions.",
            ],
        )
        """
    )
    c.solution(
        "02-two-products",
        """
        # BEGIN SOLUTION
        outer_pq = np.einsum("i,j->ij", p, q)
        kron_pq = outer_pq.reshape(12)
        # END SOLUTION
        """,
    )
    c.graded(
        "02-two-products",
        """
        check.array(outer_pq, np.outer(p, q), name="outer_pq")
        check.array(kron_pq, np.kron(p, q), name="kron_pq")
        check.passed("02-two-products", hidden=False)
        """,
        points=1,
        difficulty=1,
        importance="core",
        minutes=4,
    )
    c.md(
        """
        ### Exercise 02.2 — read the einsum string off a diagram

        Write the einsum string of each diagram below as `expr_1`, `expr_2`, `expr_3` (any
        letters you like). The tensors are, in this order: (1) `u, M, w`; (2) `F, y, z`;
        (3) `E, F, G`. Each string is checked by building its diagram and comparing
        *meaning*, so letters and the order you list wires in do not matter — but the order
        of the open legs after `->` does.
        """
    )
    c.code(
        """
        u5, M5, w4 = rng.normal(size=5), rng.normal(size=(5, 4)), rng.normal(size=4)
        F, G = rng.normal(size=(3, 4)), rng.normal(size=(4, 3))
        E, y4, z2 = rng.normal(size=(2, 3)), rng.normal(size=4), rng.normal(size=2)

        diagram_1 = tl.Diagram.from_einsum("a,ab,b->", u5, M5, w4, names=["u", "M", "w"])
        diagram_2 = tl.Diagram.from_einsum("pq,q,r->pr", F, y4, z2, names=["F", "y", "z"])
        diagram_3 = tl.Diagram.from_einsum("xy,yz,zw->wx", E, F, G, names=["E", "F", "G"])
        """
    )
    c.code(show("diagram_1"))
    c.code(show("diagram_2"))
    c.code(
        f"""
        # the result's legs are listed in this order: {{diagram_3.output}}
        # (G's second leg first, then E's first leg)
        {show("diagram_3")}
        """
    )
    c.header(
        """
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
                "Diagram 3 has two open legs; after '->' list G's open leg first, then E's.",
            ],
        )
        """
    )
    c.solution(
        "02-einsum-strings",
        """
        # BEGIN SOLUTION
        expr_1 = "i,ij,j->"
        expr_2 = "ij,j,k->ik"
        expr_3 = "ij,jk,kl->li"
        # END SOLUTION
        """,
    )
    c.graded(
        "02-einsum-strings",
        """
        for k, (expr, arrays, names, reference) in enumerate(
            [
                (expr_1, [u5, M5, w4], ["u", "M", "w"], diagram_1),
                (expr_2, [F, y4, z2], ["F", "y", "z"], diagram_2),
                (expr_3, [E, F, G], ["E", "F", "G"], diagram_3),
            ],
            start=1,
        ):
            check.true(isinstance(expr, str), f"expr_{k} should be a string like 'ij,j->i'")
            try:
                yours, problem = tl.Diagram.from_einsum(expr, *arrays, names=names), ""
            except tl.DiagramError as err:
                yours, problem = None, f"expr_{k} = {expr!r} does not fit the arrays: {err}"
            check.true(yours is not None, problem)
            check.diagram(yours, reference, name=f"the diagram of expr_{k}")
            check.array(
                np.einsum(expr, *arrays), reference.contract(), name=f"np.einsum(expr_{k}, ...)"
            )
        check.passed("02-einsum-strings", hidden=False)
        """,
        points=2,
        difficulty=1,
        importance="core",
        minutes=6,
    )
    c.md(
        """
        ### Exercise 02.3 — draw a trace of a product

        The widget shows three 3 × 3 matrices `A`, `B`, `C`, not joined. Wire them into
        $\\operatorname{tr}(ABC) = \\sum_{ijk} A_{ij} B_{jk} C_{ki}$: each matrix's second leg
        (`j`) joins the next matrix's first leg (`i`), and `C`'s second leg joins back to
        `A`'s first. Press **Check** in the widget, then run the check cell. (Answer in code
        instead, as in chapter 00, if you prefer.)
        """
    )
    c.code("A, B, C = (rng.normal(size=(3, 3)) for _ in range(3))")
    c.code(
        """
        # The set-up of the exercise (collapsed: it contains the answer).
        start = tl.Diagram.from_arrays({"A": A, "B": B, "C": C})
        for name, (x, y) in {"A": (80, 220), "B": (320, 220), "C": (200, 70)}.items():
            start.move(name, x, y)  # a triangle, so that the loop's three wires are all visible
        answer = start.copy()  # the reference, with the same leg names as the start
        for a, b in [("A:j", "B:i"), ("B:j", "C:i"), ("C:j", "A:i")]:
            answer.connect(a, b)
        ex02 = tl.DiagramExercise(
            "02-trace-draw",
            task="Join A, B and C into the loop tr(ABC).",
            start=start,
            answer=answer,
            title="Draw a trace of a product",
            difficulty=2,
            importance="core",
            minutes=5,
            hints=[
                "A trace is a loop: when you are done, no leg is open.",
                "Three wires: A to B, B to C, and C back to A.",
                "Each wire goes from a second leg (j) to a first leg (i); order matters: tr(ACB) is different.",
            ],
        )
        ex02
        """
    )
    c.solution(
        "02-trace-draw",
        """
        # Answer by drawing above (then delete the `raise` line below), or in code here.
        # BEGIN SOLUTION
        mine = ex02.start.copy()
        mine.connect("A:j", "B:i")
        mine.connect("B:j", "C:i")
        mine.connect("C:j", "A:i")
        ex02.submit(mine)
        # END SOLUTION
        """,
    )
    c.graded(
        "02-trace-draw",
        """
        ex02.check()
        check.array(
            ex02.diagram.contract(), np.trace(A @ B @ C), name="the value of your diagram"
        )
        check.passed("02-trace-draw", hidden=False)
        """,
        points=2,
        difficulty=2,
        importance="core",
        minutes=5,
    )
    c.md(
        """
        ### Exercise 02.4 (optional) — transpose without `.T`

        Write an einsum string `expr_T` such that `np.einsum(expr_T, A, B)` is
        $(AB)^T$ for the matrices `A` and `B` of exercise 02.3 — without transposing
        anything.
        """
    )
    c.header(
        """
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
        """
    )
    c.solution(
        "02-transpose",
        """
        # BEGIN SOLUTION
        expr_T = "ij,jk->ki"
        # END SOLUTION
        """,
    )
    c.graded(
        "02-transpose",
        """
        check.true(isinstance(expr_T, str), "expr_T should be an einsum string")
        check.true(".T" not in expr_T, "expr_T is an einsum string; it cannot contain .T")
        check.array(np.einsum(expr_T, A, B), (A @ B).T, name="np.einsum(expr_T, A, B)")
        ### BEGIN HIDDEN TESTS
        A_, B_ = rng.normal(size=(2, 5)), rng.normal(size=(5, 3))
        check.array(
            np.einsum(expr_T, A_, B_),
            (A_ @ B_).T,
            name="np.einsum(expr_T, ...) on non-square matrices",
        )
        ### END HIDDEN TESTS
        check.passed("02-transpose", hidden=True)
        """,
        points=1,
        difficulty=1,
        importance="optional",
        minutes=3,
    )
    c.md(
        """
        ### Exercise 02.5 — same diagram or not?

        `Sq` is a 3 × 3 matrix and `r` a 3-vector. Which of the einsum expressions below are
        the **same diagram** as $\\text{Sq}\\, r$ (the vector `r` joined to the *second* leg of
        `Sq`, the first leg open)? Put the letters of all that are in a set `same_as_Sq_r`,
        for example `{"a", "c"}`. Because `Sq` is square every expression runs, so dimensions
        will not tell you; think about which leg `r` is joined to.
        """
    )
    c.code(
        """
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
        """
    )
    c.header(
        """
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
        """
    )
    c.solution(
        "02-same-diagram",
        """
        # BEGIN SOLUTION
        same_as_Sq_r = {"a", "b", "d", "e"}
        # END SOLUTION
        """,
    )
    c.graded(
        "02-same-diagram",
        """
        check.true(
            isinstance(same_as_Sq_r, (set, list, tuple)),
            'same_as_Sq_r should be a set of letters, like {"a", "c"}',
        )
        chosen = {str(x).strip().lower() for x in same_as_Sq_r}
        check.true(chosen <= set(candidates), f"unknown letters: {sorted(chosen - set(candidates))}")
        right = {key for key, (expr, arrays) in candidates.items() if np.allclose(np.einsum(expr, *arrays), Sq @ r)}
        wrong_in = len(chosen - right)
        missing = len(right - chosen)
        check.true(
            wrong_in == 0 and missing == 0,
            f"not yet: {wrong_in} of your letters are not the same diagram as Sq r, "
            f"and {missing} that are the same diagram are missing.",
        )
        check.passed("02-same-diagram", hidden=False)
        """,
        points=1,
        difficulty=1,
        importance="core",
        minutes=5,
    )
    c.md(
        """
        ### Exercise 02.6 — find a cheap contraction order

        The network below is $K L N y$ with `K` 10 × 1000, `L` 1000 × 10, `N` 10 × 1000 and
        `y` of length 1000 (einsum `"ij,jk,kl,l->i"`). An order is a list of pairs, as
        above: `(a, b)` contracts the tensors at positions `a` and `b` of the current list
        `[K, L, N, y]` and appends the result at the end.

        - `cheap_path`: an order whose FLOP count is the smallest possible;
        - `ratio`: how many times more FLOPs the left-to-right order
          `[(0, 1), (0, 1), (0, 1)]` (that is, $((KL)N)y$) costs than yours.

        Use `flops_of(path)` to try orders (or `tl.ContractionExplorer(KLNy)`, without its
        *Play the optimal order* button); do not ask an optimizer.
        """
    )
    c.code(
        """
        import opt_einsum

        K, L, N, y = (
            rng.normal(size=(10, 1000)),
            rng.normal(size=(1000, 10)),
            rng.normal(size=(10, 1000)),
            rng.normal(size=1000),
        )
        KLNy = tl.Diagram.from_einsum("ij,jk,kl,l->i", K, L, N, y, names=["K", "L", "N", "y"])


        def flops_of(path):
            \"\"\"The FLOP count of contracting KLNy in the given order (list of position pairs).\"\"\"
            _, info = opt_einsum.contract_path(
                KLNy.to_einsum(), *KLNy.operands(), optimize=[tuple(p) for p in path]
            )
            return int(info.opt_cost)


        print(f"left to right ((KL)N)y: {flops_of([(0, 1), (0, 1), (0, 1)]):,} FLOPs")
        """
    )
    c.code(show("KLNy"))
    c.header(
        """
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
        """
    )
    c.solution(
        "02-contraction-order",
        """
        # BEGIN SOLUTION
        cheap_path = [(2, 3), (1, 2), (0, 1)]
        ratio = flops_of([(0, 1), (0, 1), (0, 1)]) / flops_of(cheap_path)
        # END SOLUTION
        """,
    )
    c.graded(
        "02-contraction-order",
        """
        best = KLNy.cost(optimize="optimal").flops
        try:
            yours = flops_of(cheap_path)
        except Exception as err:
            yours = None
            problem = f"cheap_path = {cheap_path!r} is not a valid order: {err}"
        check.true(yours is not None, problem if yours is None else "")
        check.true(
            yours <= best,
            f"your order costs {yours:,} FLOPs; an order with {best:,} FLOPs exists",
        )
        check.array(
            KLNy.contract_path(cheap_path),
            K @ L @ N @ y,
            name="the network contracted in your order",
        )
        check.array(
            ratio,
            flops_of([(0, 1), (0, 1), (0, 1)]) / best,
            name="ratio",
            rtol=1e-3,
            show_expected=False,
        )
        check.passed("02-contraction-order", hidden=False)
        """,
        points=2,
        difficulty=2,
        importance="core",
        minutes=8,
    )
    c.md(
        """
        ## Summary

        - Side by side = outer (tensor) product: orders add, nothing is summed. Beware: the
          Kronecker product is the same numbers with the legs grouped.
        - A wire = a contraction: the joined index is summed; each wire closes two legs.
          Dot, matrix–vector and matrix–matrix products and chains are all wires.
        - A leg joined back to its own tensor (or around a loop) is a trace; the cyclic
          property of the trace is just the loop read from a different start.
        - Only connectivity matters: transposing reorders the result's legs, and a diagram
          can be rotated or rearranged freely.
        - Every diagram is one einsum string, and the same network costs very different
          amounts in different contraction orders.

        Next, **`03_copy_tensors.ipynb`**: wires that split (copy tensors), reshaping, and
        isometries.
        """
    )
    c.code("progress()")
    return c


# ======================================================================================
# 03 · Copy tensors, reshaping, isometries
# ======================================================================================


def chapter_03() -> Chapter:
    c = Chapter("03")
    c.md(
        """
        # 03 · Copy tensors, reshaping, isometries

        *Follows the paper's (Taylor 2024) treatment of special tensors: copy tensors, reshaping, isometries.* Three kinds of
        tensor have so much structure that the notation gives them their own symbols and
        rules:

        - the **copy tensor** (a dot where several wires meet): it makes diagonal matrices,
          elementwise (Hadamard) products and batch legs;
        - **reshaping**: grouping legs into one and splitting a leg into several;
        - **isometries** and **unitaries**: tensors that disappear when joined to their mirror
          image — the reason SVD and tensor networks are so pleasant to draw.

        About 45 minutes, with five exercises.
        """
    )
    c.code(SETUP)
    c.md(
        """
        ## The copy tensor

        The copy tensor (also *delta* tensor, or *spider*) has any number of legs, all of the
        same dimension, and its entries are
        $$\\delta_{ijk\\ldots} = \\begin{cases} 1 & \\text{if } i = j = k = \\ldots \\\\ 0 &
        \\text{otherwise.}\\end{cases}$$
        It is drawn as a small dot. Whatever index value arrives on one leg is *copied* to all
        the others. `tl.copy_tensor(dim, n_legs)` makes one; `d.add_copy(name, dim, n_legs)`
        adds one to a diagram.
        """
    )
    c.code(
        f"""
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
        {show("delta")}
        """
    )
    c.md(
        """
        ### Two legs: a bare wire

        A copy tensor with two legs is $\\delta_{ij}$, the **identity matrix** — and joining
        the identity to a leg changes nothing. So a 2-leg copy tensor is just a piece of wire,
        and may be drawn as one. (A 1-leg copy tensor is the all-ones vector: joining it to a
        leg sums that leg.)
        """
    )
    c.code(
        f"""
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
        {show("with_wire")}
        """
    )
    c.md(
        """
        ## A vector into a 3-leg copy tensor: a diagonal matrix

        Plug a vector $s$ into one leg of a 3-leg copy tensor. The two free legs carry the
        same index, so the result is $s_i$ when $i = j$ and $0$ otherwise: the **diagonal
        matrix** $\\operatorname{diag}(s)$. `tl.diagonal(s)` draws it.
        """
    )
    c.code(
        f"""
        s = np.array([1.0, 2.0, 3.0])
        diag_s = tl.diagonal(s, name="s")
        print(diag_s.contract())
        np.testing.assert_allclose(diag_s.contract(), np.diag(s))
        print("✓ s into a copy tensor is np.diag(s);  einsum:", diag_s.to_einsum())
        {show("diag_s")}
        """
    )
    c.md(
        """
        The einsum string `a,aij->ij` needs the copy tensor as an array, because
        `np.einsum` cannot repeat a letter after `->`. But a diagonal matrix is rarely
        needed on its own. Multiply a matrix by it, $M \\operatorname{diag}(s)$, and the copy
        tensor shows what really happens: each column $j$ of $M$ is scaled by $s_j$. In
        einsum, the letter `j` then appears **three times** — in `M`, in `s` and after `->`.
        A letter used by three or more legs *is* a copy tensor (a "hyperedge"): the diagram
        below draws it as a dot.
        """
    )
    c.code(
        f"""
        M = rng.normal(size=(2, 3))
        scaled = tl.Diagram.from_einsum("ij,j->ij", M, s, names=["M", "s"])
        np.testing.assert_allclose(scaled.contract(), M @ np.diag(s))
        np.testing.assert_allclose(scaled.contract(), M * s)  # numpy broadcasting does the same
        print("✓ 'ij,j->ij' is M @ diag(s), and M * s")
        {show("scaled")}
        """
    )
    c.md(
        """
        ## Two vectors into one copy tensor: the Hadamard product

        Plug two vectors into a 3-leg copy tensor: the free leg carries the index both
        vectors share, so the result is $u_i v_i$ — the **elementwise** (Hadamard) product
        `u * v`, einsum `i,i->i`. With the free leg closed too (`i,i->`) it is the dot
        product; with three vectors and no free leg, $\\sum_i u_i v_i w_i$, which no matrix
        product can express. `tl.hadamard` builds the diagram (for matrices it uses one copy
        tensor per leg).
        """
    )
    c.code(
        f"""
        u, v, w = rng.normal(size=4), rng.normal(size=4), rng.normal(size=4)

        had = tl.hadamard(u, v, names=["u", "v"])
        np.testing.assert_allclose(had.contract(), u * v)
        np.testing.assert_allclose(np.einsum("i,i->i", u, v), u * v)
        print("✓ u, v into a copy tensor = u * v = np.einsum('i,i->i', u, v)")

        three = tl.Diagram.from_einsum("i,i,i->", u, v, w, names=["u", "v", "w"])
        np.testing.assert_allclose(three.contract(), np.sum(u * v * w))
        print("✓ three vectors into a closed copy tensor = sum(u * v * w)")
        {show("had")}
        """
    )
    c.md(
        """
        ### Copy tensors fuse

        Two copy tensors joined by a wire are one copy tensor with all their remaining legs
        (in the ZX-calculus this is called *spider fusion*): if every leg of each must carry
        the same index, so must every leg of both. Below, two 3-leg dots joined by one wire
        equal a single 4-leg dot.
        """
    )
    c.code(
        f"""
        two = (
            tl.Diagram()
            .add_copy("c1", 3, n_legs=3, legs=["a", "b", "x"])
            .add_copy("c2", 3, n_legs=3, legs=["x", "c", "d"])
        )
        two.connect("c1:x", "c2:x")
        two.auto_layout()
        np.testing.assert_array_equal(two.contract(), tl.copy_tensor(3, n_legs=4).contract())
        print("✓ two joined copy tensors = one 4-leg copy tensor")
        {show("two")}
        """
    )
    c.md(
        """
        ## Batch legs and broadcasting

        Neural networks apply the same operation to every example of a batch (or every
        position of a sequence). In a diagram, a **batch leg** is a copy tensor joining the
        batch legs of the inputs *and* an open leg of the result: the same index runs through
        all of them, and nothing is summed.

        A batched matrix product: `X[b]` (2 × 3) times `Y[b]` (3 × 4) for every `b`, written
        `bij,bjk->bik`, and in numpy simply `X @ Y`. Below we build its diagram by hand, with
        an explicit copy tensor `batch` for the batch leg, and check that it is the same
        diagram as the einsum string (where the letter `b`, used three times, is the copy
        tensor):
        """
    )
    c.code(
        f"""
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

        same = tl.equivalent(batched, tl.Diagram.from_einsum("bij,bjk->bik", X, Y, names=["X", "Y"]))
        print("the same diagram as 'bij,bjk->bik':", same)
        np.testing.assert_allclose(batched.contract(), X @ Y)
        np.testing.assert_allclose(batched.contract()[2], X[2] @ Y[2])
        print("✓ 'bij,bjk->bik' = X @ Y: one matrix product per value of the batch leg b")
        {show("batched")}
        """
    )
    c.md(
        """
        Numpy's broadcasting is the same idea: `Z * gamma` with `Z` of shape (5, 3) and
        `gamma` of shape (3,) scales every row of `Z` by `gamma` — einsum `bd,d->bd`, a copy
        tensor on the `d` leg (as in $M\\operatorname{diag}(s)$ above) while `b` just stays
        open.

        ## Reshaping: grouping and splitting legs

        `A.reshape(6, 4)` turns a (2, 3, 4) tensor into a matrix: the legs `i` (2) and `j` (3)
        become **one leg** of dimension 6. numpy groups in *row-major* order — the combined
        index is $3i + j$ — so `A.reshape(6, 4)[3 * i + j, k] == A[i, j, k]`. Splitting is
        the inverse: one leg of dimension 6 becomes two of dimensions 2 and 3.

        In the notation, grouped legs are often drawn as a thick wire, or as the legs
        running into a small *grouping tensor* $R_{ij,g}$ (1 when $g = 3i + j$). `tl.group_legs`
        and `tl.split_leg` do both.
        """
    )
    c.code(
        """
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
        """
    )
    c.md(
        """
        Grouping legs of **two different tensors** needs the grouping tensor. Group the two
        legs of the outer product of `u` (2) and `v` (3) and you get one leg of dimension 6:
        the Kronecker product `np.kron(u, v)` of chapter 02.
        """
    )
    c.code(
        f"""
        u2, v3 = rng.normal(size=2), rng.normal(size=3)
        kron = tl.group_legs(tl.Diagram.from_arrays({{"u": u2, "v": v3}}), ["u:i", "v:i"], "g")
        for name, (x, y) in {{"u": (0, -60), "v": (0, 60), "group": (150, 0)}}.items():
            kron.move(name, x, y)
        print("einsum:", kron.to_einsum(), "  result shape:", kron.shape)
        np.testing.assert_allclose(kron.contract(), np.kron(u2, v3))
        print("✓ u and v into a grouping tensor = np.kron(u, v)")
        {show("kron")}
        """
    )
    c.md(
        """
        Grouping legs that are **not neighbours** in the array needs a transpose first —
        numpy can only reshape neighbouring axes. In the diagram there is no such thing as
        "neighbouring legs", so you just group them:
        """
    )
    c.code(
        """
        ik = tl.group_legs(tl.Diagram.from_arrays({"A": A}), ["A:i", "A:k"], "ik")
        np.testing.assert_allclose(ik.contract(), A.transpose(0, 2, 1).reshape(8, 3))
        print(
            "✓ grouping legs i and k = A.transpose(0, 2, 1).reshape(8, 3); open legs", ik.output
        )
        """
    )
    c.md(
        """
        ## Isometries, projectors and unitaries

        Write $U^\\dagger$ ("U dagger") for the conjugate transpose of $U$. In a diagram
        $U^\\dagger$ is drawn as the **mirror image** of $U$ (with complex-conjugated
        numbers); there is nothing to transpose, because legs have no order in the picture.

        A matrix $U$ of shape $n \\times m$ with $n \\ge m$ and orthonormal columns is an
        **isometry**: $U^\\dagger U = I_m$. In the diagram, $U$ joined to its mirror image
        along the long leg ($n$) is just a wire — the pair can be erased. But the other way
        round, $UU^\\dagger$ joined along the short leg ($m$), is **not** the identity: it is a
        **projector** $P$ onto the $m$-dimensional space spanned by the columns of $U$, with
        $P^2 = P$. When $n = m$ both are the identity and $U$ is **unitary**.
        """
    )
    c.code(
        f"""
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
        {show("UdU")}
        """
    )
    c.code(
        f"""
        {show("UUd")}
        """
    )
    c.md(
        """
        A square isometry is unitary, and so is the grouping tensor of the previous section
        (seen as a matrix from the two small legs to the big one): reshaping never loses
        information.
        """
    )
    c.code(
        """
        Q, _ = np.linalg.qr(rng.normal(size=(4, 4)))
        R = tl.grouping_tensor([2, 3])
        print("square Q from QR is unitary:", tl.is_unitary(Q))
        print("the grouping tensor R (2, 3, 6) is unitary:", tl.is_unitary(R))
        np.testing.assert_allclose(Q.T @ Q, np.eye(4), atol=1e-12)
        np.testing.assert_allclose(Q @ Q.T, np.eye(4), atol=1e-12)
        """
    )
    c.md(
        """
        Isometries come back in every later chapter: the SVD (chapter 04) writes any matrix as
        isometry · diagonal · isometry; tensor trains (chapter 06) are chains of isometries;
        and spotting $U^\\dagger U$ pairs is how big diagrams get simplified.

        ## Exercises
        """
    )
    c.md(
        """
        ### Exercise 03.1 — draw the Hadamard product

        The widget shows two vectors `u`, `v` (4 entries each) and a 3-leg copy tensor `c`.
        Join them so that the diagram is the elementwise product `u * v`.
        """
    )
    c.code(
        """
        # The set-up of the exercise (collapsed: it contains the answer).
        start = (
            tl.Diagram()
            .add_tensor("u", u, legs=["i"])
            .add_tensor("v", v, legs=["i"])
            .add_copy("c", 4, n_legs=3)
        )
        for name, (x, y) in {"u": (80, 60), "v": (80, 240), "c": (260, 150)}.items():
            start.move(name, x, y)  # u and v on the left, the copy tensor between them on the right
        ex03 = tl.DiagramExercise(
            "03-hadamard-draw",
            task="Join u, v and the copy tensor c so that the diagram is u * v.",
            start=start,
            answer=tl.hadamard(u, v, names=["u", "v"]),
            title="Draw the Hadamard product",
            difficulty=1,
            importance="core",
            minutes=4,
            hints=[
                "The result u * v is a vector: exactly one leg stays open.",
                "Each vector goes into one leg of the copy tensor.",
                "The copy tensor's third leg is the result's leg: leave it open.",
            ],
        )
        ex03
        """
    )
    c.solution(
        "03-hadamard-draw",
        """
        # Answer by drawing above (then delete the `raise` line below), or in code here.
        # BEGIN SOLUTION
        mine = ex03.start.copy()
        mine.connect("u:i", "c:i")
        mine.connect("v:i", "c:j")
        ex03.submit(mine)
        # END SOLUTION
        """,
    )
    c.graded(
        "03-hadamard-draw",
        """
        ex03.check()
        check.array(ex03.diagram.contract(), u * v, name="the value of your diagram")
        check.passed("03-hadamard-draw", hidden=False)
        """,
        points=2,
        difficulty=1,
        importance="core",
        minutes=4,
    )
    c.md(
        """
        ### Exercise 03.2 — a diagonal without `np.diag`

        Write an einsum string `expr_scale` such that `np.einsum(expr_scale, N, t)` is
        $\\operatorname{diag}(t)\\, N$ — every **row** $i$ of `N` scaled by `t[i]` — without
        building the diagonal matrix. Then set `rows_scaled = np.einsum(expr_scale, N, t)`.
        """
    )
    c.code("N, t = rng.normal(size=(3, 4)), np.array([1.0, -2.0, 0.5])")
    c.header(
        """
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
        """
    )
    c.solution(
        "03-diagonal",
        """
        # BEGIN SOLUTION
        expr_scale = "ij,i->ij"
        rows_scaled = np.einsum(expr_scale, N, t)
        # END SOLUTION
        """,
    )
    c.graded(
        "03-diagonal",
        """
        check.true(
            isinstance(expr_scale, str),
            "expr_scale should be an einsum string such as 'ij,j->ij'",
        )
        check.array(rows_scaled, np.diag(t) @ N, name="rows_scaled")
        check.array(
            np.einsum(expr_scale, N, t), np.diag(t) @ N, name="np.einsum(expr_scale, N, t)"
        )
        check.passed("03-diagonal", hidden=False)
        """,
        points=1,
        difficulty=1,
        importance="core",
        minutes=4,
    )
    c.md(
        """
        ### Exercise 03.3 — a batch leg

        `W` holds one 3 × 4 matrix for each of 6 examples (shape (6, 3, 4)), and `xs` one
        4-vector per example (shape (6, 4)). Write `expr_batch` so that
        `np.einsum(expr_batch, W, xs)` has shape (6, 3), row `b` being `W[b] @ xs[b]`.
        """
    )
    c.code("W, xs = rng.normal(size=(6, 3, 4)), rng.normal(size=(6, 4))")
    c.header(
        """
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
        """
    )
    c.solution(
        "03-batch",
        """
        # BEGIN SOLUTION
        expr_batch = "bij,bj->bi"
        # END SOLUTION
        """,
    )
    c.graded(
        "03-batch",
        """
        check.true(isinstance(expr_batch, str), "expr_batch should be an einsum string")
        ys = np.einsum(expr_batch, W, xs)
        check.shape(ys, (6, 3), name="np.einsum(expr_batch, W, xs)")
        check.array(ys[0], W[0] @ xs[0], name="row 0 of your result")
        check.array(ys, (W @ xs[:, :, None])[:, :, 0], name="np.einsum(expr_batch, W, xs)")
        ### BEGIN HIDDEN TESTS
        W_, x_ = rng.normal(size=(2, 5, 3)), rng.normal(size=(2, 3))
        check.array(
            np.einsum(expr_batch, W_, x_),
            (W_ @ x_[:, :, None])[:, :, 0],
            name="your einsum on other shapes",
        )
        ### END HIDDEN TESTS
        check.passed("03-batch", hidden=True)
        """,
        points=1,
        difficulty=2,
        importance="core",
        minutes=4,
    )
    c.md(
        """
        ### Exercise 03.4 — group legs that are not neighbours

        `T4` has legs `i, j, k, l` of dimensions (2, 3, 4, 5). Make the matrix `T_mat` whose
        rows group the legs `(i, k)` and whose columns group `(j, l)`, both row-major, so that
        `T_mat[4 * i + k, 5 * j + l] == T4[i, j, k, l]`. Use numpy (`transpose` and
        `reshape`); check your idea with `tl.group_legs` if you like.
        """
    )
    c.code("T4 = rng.normal(size=(2, 3, 4, 5))")
    c.header(
        """
        Exercise(
            "03-group-legs",
            title="Group legs that are not neighbours",
            difficulty=2,
            importance="core",
            minutes=6,
            hints=[
                "numpy's reshape groups neighbouring axes only, in their current order.",
                "First reorder the axes to i, k, j, l with transpose, then reshape.",
                "The shape after grouping is (2 * 4, 3 * 5).",
            ],
        )
        """
    )
    c.solution(
        "03-group-legs",
        """
        # BEGIN SOLUTION
        T_mat = T4.transpose(0, 2, 1, 3).reshape(8, 15)
        # END SOLUTION
        """,
    )
    c.graded(
        "03-group-legs",
        """
        check.shape(T_mat, (8, 15), name="T_mat")
        check.array(T_mat[4 * 1 + 2, 5 * 0 + 3], T4[1, 0, 2, 3], name="T_mat[4*1 + 2, 5*0 + 3]")
        ### BEGIN HIDDEN TESTS
        check.array(T_mat, T4.transpose(0, 2, 1, 3).reshape(8, 15), name="T_mat")
        ### END HIDDEN TESTS
        check.passed("03-group-legs", hidden=True)
        """,
        points=1,
        difficulty=2,
        importance="core",
        minutes=6,
    )
    c.md(
        """
        ### Exercise 03.5 — an isometry and its projector

        `V` below is a 6 × 2 **complex** isometry. Compute
        - `gram`: $V^\\dagger V$ (2 × 2);
        - `P`: $V V^\\dagger$ (6 × 6);
        - `rank_P`: the matrix rank of `P` (a number; use `np.linalg.matrix_rank`).

        Careful: $\\dagger$ is the *conjugate* transpose.
        """
    )
    c.code("V, _ = np.linalg.qr(rng.normal(size=(6, 2)) + 1j * rng.normal(size=(6, 2)))")
    c.header(
        """
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
        """
    )
    c.solution(
        "03-isometry",
        """
        # BEGIN SOLUTION
        gram = V.conj().T @ V
        P = V @ V.conj().T
        rank_P = np.linalg.matrix_rank(P)
        # END SOLUTION
        """,
    )
    c.graded(
        "03-isometry",
        """
        check.shape(gram, (2, 2), name="gram")
        check.array(gram, np.eye(2), name="gram (V†V)", atol=1e-10)
        check.shape(P, (6, 6), name="P")
        check.true(
            np.allclose(P @ P, P, atol=1e-10),
            "P @ P should equal P (a projector); is P = V V† with the conjugate?",
        )
        check.equal(int(rank_P), 2, name="rank_P", show_expected=False)
        ### BEGIN HIDDEN TESTS
        check.array(P, V @ V.conj().T, name="P", atol=1e-10)
        ### END HIDDEN TESTS
        check.passed("03-isometry", hidden=True)
        """,
        points=2,
        difficulty=2,
        importance="core",
        minutes=6,
    )
    c.md(
        """
        ## Summary

        - The copy tensor is 1 where all its indices agree. With 2 legs it is a wire; a
          vector into 3 legs is a diagonal matrix; two vectors into 3 legs, the Hadamard
          product; joined copy tensors fuse into one.
        - A letter used three or more times in an einsum string is a copy tensor; a batch
          leg is a copy tensor with an open leg.
        - Reshaping is grouping legs (row-major) or splitting one; legs that are not
          neighbours in the array need a transpose first — not in the diagram.
        - An isometry satisfies $U^\\dagger U = I$ (the pair is a wire) while $UU^\\dagger$ is
          only a projector; a unitary satisfies both.

        Next, **`04_svd.ipynb`**: every matrix is isometry · diagonal · isometry.
        """
    )
    c.code("progress()")
    return c


BUILDERS = {
    "00_start": chapter_00,
    "01_tensors": chapter_01,
    "02_operations": chapter_02,
    "03_copy_tensors": chapter_03,
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
