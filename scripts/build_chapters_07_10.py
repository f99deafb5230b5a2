"""Build chapters 07-10 (the transformer-circuits half of the course) as notebooks.

Usage::

    python scripts/build_chapters_07_10.py            # write chapters/07..10 (no outputs)
    python scripts/build_chapters_07_10.py --verify   # also: every graded cell fails
                                                      # when its solution is removed

The notebooks are generated so that their exercise cells follow the course's exercise
format exactly (nbgrader schema 3 metadata, our own keys under "tensorlessons").
Edit the chapter text here, then regenerate; execute with
``pytest --nbval-lax chapters/NN_*.ipynb``.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
import textwrap
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"

TRAINED_MODEL = ROOT / "tensorlessons" / "data" / "induction_model.npz"
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


def _src(text: str) -> str:
    return textwrap.dedent(text).strip("\n")


def md(text: str) -> nbformat.NotebookNode:
    return new_markdown_cell(_src(text))


def code(text: str) -> nbformat.NotebookNode:
    return new_code_cell(_src(text))


def header(
    gid: str,
    title: str,
    *,
    difficulty: int,
    importance: str,
    minutes: int,
    hints: list[str],
) -> nbformat.NotebookNode:
    """The exercise header: task info and a hint ladder (not graded)."""
    hint_lines = "".join(f"        {h!r},\n" for h in hints)
    cell = new_code_cell(
        "Exercise(\n"
        f"    {gid!r},\n"
        f"    title={title!r},\n"
        f"    difficulty={difficulty},\n"
        f"    importance={importance!r},\n"
        f"    minutes={minutes},\n"
        "    hints=[\n"
        f"{hint_lines}"
        "    ],\n"
        ")"
    )
    # collapsed, so that the hints are revealed one at a time by the widget
    cell.metadata["jupyter"] = {"source_hidden": True}
    return cell


_SETUP = "# The set-up of the exercise (collapsed: it contains the {what})."


def _collapse(cell: nbformat.NotebookNode, what: str) -> None:
    if not cell.source.startswith("# The set-up of the exercise"):
        cell.source = _SETUP.format(what=what) + "\n" + cell.source
    cell.metadata["jupyter"] = {"source_hidden": True}


def _split_off(cell: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode | None:
    """Move the statement ``name = ...`` out of ``cell`` into a new cell (returned)."""
    lines = cell.source.split("\n")
    for node in ast.parse(cell.source).body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == name
        ):
            start, end = node.lineno - 1, node.end_lineno or node.lineno
            if start == 0 and end == len(lines):
                return None  # the cell is only the answer
            moved = new_code_cell("\n".join(lines[start:end]))
            rest = lines[:start] + lines[end:]
            cell.source = "\n".join(rest).strip("\n")
            return moved
    return None


def collapse_exercise_setups(cells: list[nbformat.NotebookNode]) -> None:
    """Collapse each draw-to-answer exercise's cell (hints) and the code building its answer.

    The answer's statement gets a collapsed cell of its own, so that whatever else its cell
    defines (arrays used later in the chapter) stays in view.
    """
    k = 0
    while k < len(cells):
        cell = cells[k]
        k += 1
        if cell.cell_type != "code" or "tl.DiagramExercise(" not in cell.source:
            continue
        m = re.search(r"answer=(\w+)", cell.source)
        name = m.group(1) if m else None
        for j in range(k - 2, -1, -1):
            prev = cells[j]
            if name and prev.cell_type == "code" and re.search(rf"^{name}\s*=", prev.source, re.M):
                moved = _split_off(prev, name)
                if moved is None:
                    _collapse(prev, "answer")
                else:
                    _collapse(moved, "answer")
                    cells.insert(j + 1, moved)
                    k += 1
                _collapse(cell, "hints")
                break
        else:
            _collapse(cell, "answer")


def solution(gid: str, text: str) -> nbformat.NotebookNode:
    cell = code(text)
    assert "# BEGIN SOLUTION" in cell.source and "# END SOLUTION" in cell.source, gid
    cell.metadata["nbgrader"] = {
        "solution": True,
        "grade": False,
        "locked": False,
        "grade_id": f"{gid}-code",
        "schema_version": 3,
    }
    return cell


def graded(
    gid: str,
    text: str,
    *,
    points: int,
    difficulty: int,
    importance: str = "core",
    minutes: int = 5,
) -> nbformat.NotebookNode:
    cell = code(text)
    hidden = "### BEGIN HIDDEN TESTS" in cell.source
    want = f'check.passed("{gid}", hidden={hidden})'
    assert want in cell.source, (gid, want)
    cell.metadata["nbgrader"] = {
        "grade": True,
        "solution": False,
        "locked": True,
        "points": points,
        "grade_id": gid,
        "schema_version": 3,
    }
    cell.metadata["tensorlessons"] = {
        "difficulty": difficulty,
        "importance": importance,
        "minutes": minutes,
    }
    return cell


def notebook(cells: list[nbformat.NotebookNode], prefix: str) -> nbformat.NotebookNode:
    collapse_exercise_setups(cells)
    for k, cell in enumerate(cells):
        cell.id = f"{prefix}-{k:03d}"  # stable ids: regenerating gives a small diff
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    return nb


SETUP = """
import numpy as np

import tensorlessons as tl
from tensorlessons.exercises import Exercise, check

np.set_printoptions(precision=3, suppress=True, linewidth=100)
rng = np.random.default_rng(0)
"""


# ======================================================================================
# Chapter 07: neural networks
# ======================================================================================


def chapter_07() -> list[nbformat.NotebookNode]:
    return [
        md(
            r"""
            # 07 · Neural networks as tensor diagrams

            The first half of the course built a language: tensors are boxes, their indices are
            legs, joining two legs sums over them, copy tensors are dots. This chapter turns that
            language on neural networks, following Taylor (2024), and asks the
            question that the rest of the course keeps asking: **which parts of a network can we
            simplify by moving pieces of the diagram around, and which parts block us?**

            You will see

            1. a linear layer as a matrix — one box with an input leg and an output leg;
            2. a batch of inputs as an extra leg, and how copy tensors appear when a batched
               tensor is used twice;
            3. two ways to draw a bias;
            4. why two linear layers in a row are secretly one;
            5. nonlinearities as *boxes* that diagram moves cannot pass through — and the few
               things that can pass through them anyway.

            Everything here is the preparation for the transformer chapters: an attention-only
            transformer is "linear except for one box", and that is what makes it analysable.
            """
        ),
        code(SETUP),
        md(
            r"""
            ## 1. A linear layer is a matrix

            A linear layer maps an input vector $x$ with $d_\text{in}$ entries to an output
            $y$ with $d_\text{out}$ entries: $y_o = \sum_i x_i W_{io}$. In the notation, $W$ is a
            box with two legs, $i$ and $o$; $x$ is a box with one leg; the wire between them is the
            sum over $i$; the leg left open, $o$, is the output.

            We store $W$ with shape `[d_in, d_out]` so that the code reads `y = x @ W` — the
            convention of TransformerLens, which the transformer chapters use. PyTorch's
            `nn.Linear` stores the transpose, `[d_out, d_in]`, and computes `x @ W.T`. **The
            diagram is the same for both**: a diagram has no "left" or "right", only which leg
            is joined to which.
            """
        ),
        code(
            """
            d_in, d_hidden, d_out = 4, 6, 3
            x = rng.normal(size=d_in)
            W = rng.normal(size=(d_in, d_out))

            layer = tl.Diagram.from_einsum("i,io->o", x, W, names=["x", "W"])
            print("diagram result:", layer.contract())
            print("x @ W:         ", x @ W)
            assert np.allclose(layer.contract(), x @ W)
            layer
            """
        ),
        md(
            r"""
            The same diagram as a live widget: drag the tensors, cut the wire (click it, then
            Delete) and watch the result change shape from `(3,)` to `(4, 3)` — an outer
            product — then join the legs again. `layer` is the diagram the widget edits.
            """
        ),
        code(
            """
            tl.DiagramWidget(layer)
            """
        ),
        md(
            r"""
            ## 2. A batch is one more leg — and sometimes a copy tensor

            Networks process many inputs at once. Stack $B$ inputs as the rows of a matrix
            $X$ of shape `[batch, d_in]`: now $X$ has a **batch leg** $b$ and the result
            $Y = XW$ has it too. The weight $W$ never touches the batch leg — every example
            meets the same $W$ — so the batch leg simply runs from $X$ straight to the output.
            """
        ),
        code(
            """
            B = 5
            X = rng.normal(size=(B, d_in))
            batched = tl.Diagram.from_einsum("bi,io->bo", X, W, names=["X", "W"])
            assert np.allclose(batched.contract(), X @ W)
            batched
            """
        ),
        md(
            r"""
            Where does the copy tensor come in? When a batched tensor is **used twice**. Take a
            per-example quadratic form $z_b = \sum_{ij} X_{bi} M_{ij} X_{bj}$ — one number per
            example. The two copies
            of $X$ must read the *same* example $b$, and the result keeps $b$ too: three legs that
            must agree. That is a 3-leg copy tensor (a dot), one leg to each copy of $X$ and one
            left open. In einsum, a letter that appears in three places (`bi,ij,bj->b`) is the same
            hyperedge.

            Below we build it by hand with `Diagram.add_copy`, and compare with `numpy.einsum`.
            (`indices=` gives each leg an index label: legs that share a label are joined.)
            """
        ),
        code(
            """
            M = rng.normal(size=(d_in, d_in))

            quad = tl.Diagram()
            quad.add_tensor("X1", X, legs=["b", "i"], indices=["b1", "i"])
            quad.add_tensor("M", M, legs=["i", "j"], indices=["i", "j"])  # joins X1 on index i
            quad.add_tensor("X2", X, legs=["b", "j"], indices=["b2", "j"])  # joins M on index j
            # The copy tensor: one leg to each copy of X, the third leg (index b) left open.
            quad.add_copy("batch", B, n_legs=3, legs=["x1", "x2", "out"], indices=["b1", "b2", "b"])
            quad.auto_layout()

            print(quad.to_einsum())
            assert np.allclose(quad.contract(), np.einsum("bi,ij,bj->b", X, M, X))
            quad
            """
        ),
        md(
            r"""
            Without the copy tensor — if the two batch legs were just left open — the result
            would be a `[batch, batch]` matrix $X M X^\top$ comparing *every pair* of examples,
            $B$ times more numbers than we asked for. The copy tensor is what says "the same
            example on both sides". (Chapter 08's attention scores are a close relative of this
            diagram, with one difference: there the two copies keep *separate* position legs,
            because every position looks at every other.)

            ## 3. Biases

            A bias makes a layer *affine*: $y = xW + b$. A sum is not a contraction, so a bias
            cannot be drawn as one more box on the same wires. There are two common ways out.

            * **As a separate term.** Draw the diagram of $xW$, draw $b$ on its own, and add the
              two results. Diagrams of sums are lists of diagrams; the transformer chapters
              work this way, term by term (the "path expansion").
            * **By an appended constant leg.** Append a 1 to the input,
              $\tilde x = (x_1, \dots, x_{d_\text{in}}, 1)$, and stack $b$ under $W$ as an extra
              row, $\tilde W = \begin{pmatrix} W \\ b \end{pmatrix}$. Then
              $\tilde x \tilde W = xW + 1\cdot b$: one diagram again, at the price of a leg of
              dimension $d_\text{in}+1$.
            """
        ),
        header(
            "07-bias",
            "A bias as an appended constant leg",
            difficulty=1,
            importance="core",
            minutes=5,
            hints=[
                "x_aug has one more entry than x: the constant 1 at the end (np.append or np.concatenate).",
                "W_aug has one more row than W: the bias b, stacked under W as its last row (np.vstack stacks rows).",
                "Build the diagram exactly as in section 1, with x_aug and W_aug in place of x and W.",
            ],
        ),
        code(
            """
            b = rng.normal(size=d_out)
            """
        ),
        solution(
            "07-bias",
            """
            # Build x_aug (shape [d_in + 1]) and W_aug (shape [d_in + 1, d_out]) so that
            # x_aug @ W_aug == x @ W + b, and the one-layer diagram `affine` that contracts them.
            # BEGIN SOLUTION
            x_aug = np.append(x, 1.0)
            W_aug = np.vstack([W, b])
            affine = tl.Diagram.from_einsum("i,io->o", x_aug, W_aug, names=["x_aug", "W_aug"])
            # END SOLUTION
            affine
            """,
        ),
        graded(
            "07-bias",
            """
            check.shape(x_aug, (d_in + 1,), name="x_aug")
            check.shape(W_aug, (d_in + 1, d_out), name="W_aug")
            check.array(x_aug[-1], 1.0, name="the appended entry x_aug[-1]")
            check.array(affine.contract(), x @ W + b, name="affine.contract() (should be x @ W + b)")
            ### BEGIN HIDDEN TESTS
            x_new = rng.normal(size=d_in)
            check.array(np.append(x_new, 1.0) @ W_aug, x_new @ W + b, name="W_aug applied to another input")
            ### END HIDDEN TESTS
            check.passed("07-bias", hidden=True)
            """,
            points=1,
            difficulty=1,
            minutes=5,
        ),
        md(
            r"""
            ## 4. Two linear layers are one linear layer

            Stack two linear layers without anything in between: $y = (xW_1)W_2$. In the
            diagram this is a chain $x - W_1 - W_2$, and a chain can be contracted in any order:
            $(xW_1)W_2 = x(W_1W_2)$. Contracting the $W_1$–$W_2$ wire first gives a single matrix
            $W_\text{eff} = W_1W_2$ of shape `[d_in, d_out]` — the two layers were one layer all
            along, of rank at most $\min(d_\text{in}, d_\text{hidden}, d_\text{out})$.

            This is the simplest diagram move: **contract any wire between two boxes, and the
            result is a box**. In the exercise below you draw the chain yourself.
            """
        ),
        code(
            """
            W1 = rng.normal(size=(d_in, d_hidden))
            W2 = rng.normal(size=(d_hidden, d_out))

            start = tl.Diagram()
            start.add_tensor("x", x, legs=["i"])
            start.add_tensor("W1", W1, legs=["i", "h"])
            start.add_tensor("W2", W2, legs=["h", "o"])
            start.auto_layout()

            chain = tl.Diagram.from_einsum("i,ih,ho->o", x, W1, W2, names=["x", "W1", "W2"])
            """
        ),
        code(
            """
            ex_chain = tl.DiagramExercise(
                "07-chain",
                title="Draw two linear layers in a row",
                task=(
                    "Wire x, W1 and W2 so that the diagram computes (x W1) W2: "
                    "only W2's output leg o stays open."
                ),
                start=start,
                answer=chain,
                difficulty=1,
                importance="core",
                minutes=4,
                hints=[
                    "Two wires are missing: one between x and W1, one between W1 and W2.",
                    "Join legs with the same meaning: the input leg i, and the hidden leg h.",
                    "When it is right, exactly one leg is open and the result has shape (3,).",
                ],
            )
            ex_chain
            """
        ),
        solution(
            "07-chain",
            """
            # Answer by drawing above (then delete the `raise` line below), or in code here.
            # BEGIN SOLUTION
            drawn = start.copy()
            drawn.connect("x:i", "W1:i")
            drawn.connect("W1:h", "W2:h")
            ex_chain.submit(drawn)
            # END SOLUTION
            """,
        ),
        graded(
            "07-chain",
            """
            ex_chain.check()
            check.array(ex_chain.diagram.contract(), x @ W1 @ W2, name="your diagram's result")
            check.passed("07-chain", hidden=False)
            """,
            points=1,
            difficulty=1,
            minutes=4,
        ),
        code(
            """
            W_eff = W1 @ W2
            assert np.allclose(chain.contract(), x @ W_eff)
            print("rank of W_eff:", np.linalg.matrix_rank(W_eff), "<= min(d_in, d_hidden, d_out) =", min(d_in, d_hidden, d_out))
            print(chain.cost())
            """
        ),
        md(
            r"""
            ## 5. A nonlinearity is a box that wires cannot pass through

            A real MLP puts an elementwise nonlinearity between the layers:
            $y = \mathrm{ReLU}(xW_1)\,W_2$ with $\mathrm{ReLU}(z) = \max(z, 0)$ applied to every
            entry. ReLU is not linear — $\mathrm{ReLU}(-1) + \mathrm{ReLU}(1) \ne \mathrm{ReLU}(0)$
            — so it is not a tensor and it cannot be drawn as a box joined by wires.

            Taylor draws it as a **box around a sub-diagram**: whatever is inside is computed
            first, the function is applied entry by entry to the result, and what comes out is
            a new tensor with the same legs. The wall of the box is a barrier: we cannot
            contract $W_1$ with $W_2$ "through" it, and we cannot pull $W_2$ inside.

            In tensorlessons a `Diagram` holds only the multilinear parts, so a nonlinearity
            splits the computation into two diagrams: contract the inside one, apply the
            function with numpy, and hand the result to the outside diagram as a tensor.

            Inside and outside, everything stays simplifiable: the outside diagram is linear in
            $H$, so $W_2$ may be contracted with whatever comes after it (in a transformer,
            $W_\text{out}$ of an MLP with the unembedding $W_U$), and the inside diagram may be
            rearranged freely. Only the wall is a barrier.
            """
        ),
        code(
            """
            def relu(z):
                return np.maximum(z, 0.0)


            inside = tl.Diagram.from_einsum("bi,ih->bh", X, W1, names=["X", "W1"])
            H = relu(inside.contract())  # the box: applied entry by entry
            outside = tl.Diagram.from_einsum("bh,ho->bo", H, W2, names=["H", "W2"])  # H = ReLU(X W1)

            mlp_out = outside.contract()
            assert np.allclose(mlp_out, relu(X @ W1) @ W2)

            collapsed = relu(X @ (W1 @ W2))  # the move the box forbids
            print("ReLU(X W1) W2 - ReLU(X W1 W2), largest difference:", np.abs(mlp_out - collapsed).max())
            """
        ),
        md(
            r"""
            Drawn the way the paper draws it — the inside diagram in a box, whose output $H$
            enters the outside diagram:
            """
        ),
        code(
            """
            from IPython.display import HTML


            def boxed(inner, label, outer):
                # A nonlinear box around a diagram, feeding another diagram (a picture only).
                return HTML(
                    '<div style="display:flex;align-items:center;gap:10px;flex-wrap:wrap">'
                    '<div style="border:2px dashed #b22;border-radius:10px;padding:4px 8px">'
                    f'<div style="color:#b22;font-weight:bold">{label}</div>{inner.to_svg()}</div>'
                    f'<div style="font-size:18px">&rarr;</div>{outer.to_svg()}</div>'
                )


            boxed(inside, "ReLU, entry by entry", outside)
            """
        ),
        md(
            r"""
            The difference is far from zero: moving $W_2$ inside the box changes the function.
            This is the whole reason interpretability of MLPs is hard and of linear parts easy —
            linear parts can be multiplied out, reordered and decomposed (SVD, chapter 04);
            boxes must be studied one neuron at a time.

            ## 6. What *can* pass through the box

            Not nothing. An elementwise function treats each entry of the hidden leg
            separately, so anything that only **relabels or rescales entries one by one** may
            commute with it:

            | move on the hidden leg $h$ | passes through an elementwise $f$? |
            |---|---|
            | a permutation $P$: $f(zP) = f(z)P$ | yes, for every elementwise $f$ |
            | copy tensors (batch legs, or reading one entry twice) | yes: $f$ is applied per entry |
            | a positive diagonal scaling $D$: $\mathrm{ReLU}(zD) = \mathrm{ReLU}(z)D$ | yes for ReLU (it is positively homogeneous), not for GELU or tanh |
            | a general matrix (a rotation, a projection) | no |

            So an MLP has symmetries: permute its hidden neurons (columns of $W_1$ together with
            rows of $W_2$) and the function is unchanged. This is why individual neurons *can*
            be meaningful — the nonlinearity picks out a basis (the "privileged basis") — while
            in a purely linear stretch of a network only the subspaces matter, not the basis.
            """
        ),
        header(
            "07-permute",
            "Permute the hidden neurons",
            difficulty=2,
            importance="core",
            minutes=6,
            hints=[
                "A permutation matrix P (shape [d_hidden, d_hidden]) is np.eye(d_hidden)[perm] — or just index with perm.",
                "Reorder the hidden leg of W1 (its columns) and the hidden leg of W2 (its rows) in the same way.",
                "Index the hidden axis with perm: for W1 that is its second axis, for W2 its first.",
            ],
        ),
        code(
            """
            perm = np.array([2, 0, 5, 1, 4, 3])  # hidden neuron k of the new network is neuron perm[k] of the old
            """
        ),
        solution(
            "07-permute",
            """
            # Build W1_p and W2_p: the same MLP with its hidden neurons reordered by `perm`.
            # BEGIN SOLUTION
            W1_p = W1[:, perm]
            W2_p = W2[perm, :]
            # END SOLUTION
            """,
        ),
        graded(
            "07-permute",
            """
            check.shape(W1_p, W1.shape, name="W1_p")
            check.shape(W2_p, W2.shape, name="W2_p")
            check.array(W1_p[:, 0], W1[:, perm[0]], name="hidden neuron 0 of W1_p (should be neuron perm[0] of W1)")
            check.array(relu(X @ W1_p) @ W2_p, relu(X @ W1) @ W2, name="the permuted MLP's output")
            ### BEGIN HIDDEN TESTS
            X_new = rng.normal(size=(7, d_in))
            check.array(relu(X_new @ W1_p) @ W2_p, relu(X_new @ W1) @ W2, name="the permuted MLP on new inputs")
            ### END HIDDEN TESTS
            check.passed("07-permute", hidden=True)
            """,
            points=1,
            difficulty=2,
            minutes=6,
        ),
        md(
            r"""
            Positive scalings are the second symmetry of a ReLU network. Scale hidden neuron $k$
            up by $s_k > 0$ on the way in and down by $s_k$ on the way out: the diagonal matrix
            $D = \mathrm{diag}(s)$ enters as $W_1 D$, passes through the ReLU box, and meets
            $D^{-1}$ on the other side, where they cancel. Drawn with a copy tensor: $s$ is a vector
            on a 3-leg dot sitting on the hidden wire (chapter 03: *vector into a copy tensor = a
            diagonal matrix*).
            """
        ),
        header(
            "07-rescale",
            "Move a positive scaling through the ReLU box",
            difficulty=2,
            importance="core",
            minutes=8,
            hints=[
                "W1 @ np.diag(s) scales column k of W1 by s[k]; so does W1 * s (broadcasting over the last leg).",
                "On the way out, undo it: divide row k of W2 by s[k]. Which axis of W2 is the hidden leg, and what shape must s have to broadcast along it?",
                "Then check your pair on tanh: the outputs differ, because tanh(s z) != s tanh(z).",
            ],
        ),
        code(
            """
            s = np.array([0.5, 2.0, 3.0, 1.0, 0.25, 4.0])  # positive scales, one per hidden neuron
            """
        ),
        solution(
            "07-rescale",
            """
            # Build W1_s and W2_s: W1 with hidden neuron k scaled by s[k], W2 with it scaled by 1/s[k],
            # so that relu(X @ W1_s) @ W2_s == relu(X @ W1) @ W2.
            # BEGIN SOLUTION
            W1_s = W1 * s
            W2_s = W2 / s[:, None]
            # END SOLUTION
            """,
        ),
        graded(
            "07-rescale",
            """
            check.shape(W1_s, W1.shape, name="W1_s")
            check.shape(W2_s, W2.shape, name="W2_s")
            check.true(not np.allclose(W1_s, W1), "W1_s equals W1: scale the columns of W1 (its hidden leg) by s.")
            check.array(relu(X @ W1_s) @ W2_s, relu(X @ W1) @ W2, name="the rescaled ReLU network's output")
            ### BEGIN HIDDEN TESTS
            check.array(W1_s @ W2_s, W1 @ W2, name="W1_s @ W2_s (the scalings should cancel)")
            ### END HIDDEN TESTS
            check.passed("07-rescale", hidden=True)
            """,
            points=1,
            difficulty=2,
            minutes=8,
        ),
        code(
            """
            # The same move does NOT pass through tanh: tanh is not positively homogeneous.
            gap = np.abs(np.tanh(X @ (W1 * s)) @ (W2 / s[:, None]) - np.tanh(X @ W1) @ W2).max()
            print(f"tanh network, rescaled vs original: largest difference {gap:.3f}")
            """
        ),
        md(
            r"""
            ## 7. Pitfall: which moves are legal?

            A common mistake is to treat a nonlinear box like a matrix — to "simplify"
            $\mathrm{ReLU}(xW_1)W_2$ into $\mathrm{ReLU}(xW_1W_2)$, or to split
            $\mathrm{ReLU}(a+b)$ into $\mathrm{ReLU}(a)+\mathrm{ReLU}(b)$ as one splits a
            contraction of a sum. Decide for each move whether it is legal for every input
            (test it numerically if you are unsure — the cell after the exercise does).
            """
        ),
        header(
            "07-legal-moves",
            "Which moves pass through a ReLU box?",
            difficulty=1,
            importance="core",
            minutes=4,
            hints=[
                "Try each move on random inputs with numpy: a single counterexample makes it illegal.",
                "Only moves that act on each hidden entry separately, without changing its sign, survive ReLU.",
                "Exactly two of the five are legal.",
            ],
        ),
        solution(
            "07-legal-moves",
            """
            # For each move, True if it is legal for every input and every weight, else False.
            # BEGIN SOLUTION
            legal = {
                "relu(x W1) W2 == relu(x W1 W2)": False,
                "relu(x W1 P) == relu(x W1) P  (P a permutation)": True,
                "relu(x W1 D) == relu(x W1) D  (D diagonal, positive)": True,
                "relu(x W1 D) == relu(x W1) D  (D diagonal, any sign)": False,
                "relu(a + b) == relu(a) + relu(b)": False,
            }
            # END SOLUTION
            """,
        ),
        graded(
            "07-legal-moves",
            """
            check.equal(len(legal), 5, name="the number of moves answered")
            for move, ok in {
                "relu(x W1) W2 == relu(x W1 W2)": False,
                "relu(x W1 P) == relu(x W1) P  (P a permutation)": True,
            }.items():
                check.equal(legal[move], ok, name=f"legal[{move!r}]")
            ### BEGIN HIDDEN TESTS
            check.equal(legal["relu(x W1 D) == relu(x W1) D  (D diagonal, positive)"], True, name="positive diagonal")
            check.equal(legal["relu(x W1 D) == relu(x W1) D  (D diagonal, any sign)"], False, name="any-sign diagonal")
            check.equal(legal["relu(a + b) == relu(a) + relu(b)"], False, name="splitting a sum")
            ### END HIDDEN TESTS
            check.passed("07-legal-moves", hidden=True)
            """,
            points=1,
            difficulty=1,
            minutes=4,
        ),
        code(
            """
            # Numerical evidence for the table (a single counterexample settles "illegal").
            Z = X @ W1
            P = np.eye(d_hidden)[perm]
            D_pos, D_any = np.diag(s), np.diag(s * np.array([1, -1, 1, -1, 1, 1]))
            a, c = rng.normal(size=6), rng.normal(size=6)
            print("permutation        ", np.allclose(relu(Z @ P), relu(Z) @ P))
            print("positive diagonal  ", np.allclose(relu(Z @ D_pos), relu(Z) @ D_pos))
            print("any-sign diagonal  ", np.allclose(relu(Z @ D_any), relu(Z) @ D_any))
            print("split a sum        ", np.allclose(relu(a + c), relu(a) + relu(c)))
            print("W2 into the box    ", np.allclose(relu(Z) @ W2, relu(Z @ W2)))
            """
        ),
        md(
            r"""
            ## 8. Looking ahead: a transformer is linear except for one box

            An attention-only transformer (no MLPs, layer norm set aside) has exactly one kind
            of nonlinear box: the **softmax** that turns attention scores into an attention
            pattern. Everything else — embedding, the value and output maps, the unembedding —
            is multilinear. So once we *hold the attention patterns fixed* (compute them, then
            treat them as given tensors, as we did with $\mathrm{ReLU}(XW_1)$ above), the whole
            model is one big diagram that can be expanded, reordered and decomposed. Chapters
            08–10 do precisely that, and chapter 09 meets this chapter's lesson again: terms
            that pass *through* the softmax box (Q- and K-composition) cannot be multiplied out,
            terms that go *around* it (V-composition) can.

            ## Summary

            * A linear layer is a box with an input and an output leg; batch legs run straight
              through; a batched tensor used twice meets its copy at a copy tensor.
            * Biases: a separate term, or an appended constant-1 leg.
            * Chains of linear maps contract into one map — a deep linear network is shallow.
            * Nonlinearities are boxes: contract inside, apply the function, continue outside;
              only entry-by-entry moves (permutations, copies, and for ReLU positive scalings)
              pass through.
            """
        ),
        code(
            """
            from tensorlessons.exercises import progress

            progress()
            """
        ),
    ]


# ======================================================================================
# Chapter 08: the transformer
# ======================================================================================


def chapter_08() -> list[nbformat.NotebookNode]:
    return [
        md(
            r"""
            # 08 · The transformer as a tensor diagram

            This chapter draws a transformer — the attention-only kind studied in "A Mathematical
            Framework for Transformer Circuits" (Elhage et al., 2021), which the second half of
            Taylor (2024) follows. We take a small model with real (random) weights and build
            every piece of its forward pass as a diagram: tokens and embeddings, the residual
            stream, an attention head with its **QK circuit** (where to look) and **OV circuit**
            (what to move), several heads at once, and the unembedding. At the end the diagrams,
            added up, reproduce the model's own logits to machine precision.

            Notation used throughout (the names and shapes of TransformerLens, rows are vectors,
            `x @ W`):

            | weight | shape | role |
            |---|---|---|
            | `W_E` | `[d_vocab, d_model]` | token embedding |
            | `W_pos` | `[n_ctx, d_model]` | positional embedding |
            | `W_Q`, `W_K`, `W_V` | `[n_layers, n_heads, d_model, d_head]` | query, key, value maps |
            | `W_O` | `[n_layers, n_heads, d_head, d_model]` | output map |
            | `W_U` | `[d_model, d_vocab]` | unembedding |
            """
        ),
        code(SETUP),
        code(
            """
            model = tl.AttentionOnlyTransformer.random(
                n_layers=1, n_heads=2, d_model=16, d_head=4, d_vocab=12, n_ctx=10, seed=0
            )
            print(model)
            for name, W in model.weights().items():
                print(f"{name:6s} {W.shape}")
            """
        ),
        md(
            r"""
            ## 1. Tokens, one-hot vectors and the embedding

            A text becomes a sequence of token ids, here `tokens`, one per position. Looking up
            row `tokens[p]` of `W_E` is the same as contracting a **one-hot** vector with `W_E`:
            stack the one-hot vectors of all positions into a matrix $T$ of shape
            `[seq, d_vocab]` ($T_{pt} = 1$ if the token at position $p$ is $t$) and the token
            embeddings of the whole sequence are the diagram $T - W_E$: a position leg $p$ stays
            open, the vocabulary leg $t$ is summed.

            The positional embedding $W_\text{pos}$ (rows $0..\text{seq}-1$) is then **added**.
            A sum is not a wire: the embedded sequence is the sum of two diagrams,
            $x_0 = T W_E + W_\text{pos}$.
            """
        ),
        code(
            """
            tokens = np.array([3, 1, 4, 1, 5, 9, 2, 6])
            n = len(tokens)
            T = np.eye(model.d_vocab)[tokens]  # one-hot rows, [seq, d_vocab]

            token_part = tl.Diagram.from_einsum("pt,td->pd", T, model.W_E, names=["T", "W_E"])
            assert np.allclose(token_part.contract(), model.W_E[tokens])  # lookup == contraction
            token_part
            """
        ),
        header(
            "08-embed",
            "The residual stream before layer 0",
            difficulty=1,
            importance="core",
            minutes=4,
            hints=[
                "x0 is a sum of two terms: the contracted diagram token_part, and the positional embedding.",
                "Only the first n rows of model.W_pos are used: one per position of the sequence.",
                "Add the two terms: the contracted token part, and the rows of W_pos for positions 0..n-1.",
            ],
        ),
        solution(
            "08-embed",
            """
            # x0: the residual stream entering layer 0, shape [seq, d_model].
            # BEGIN SOLUTION
            x0 = token_part.contract() + model.W_pos[:n]
            # END SOLUTION
            """,
        ),
        graded(
            "08-embed",
            """
            check.shape(x0, (n, model.d_model), name="x0")
            check.array(x0 - model.W_pos[:n], model.W_E[tokens], name="the token part of x0")
            check.array(x0, model.embed(tokens), name="x0")
            check.passed("08-embed", hidden=False)
            """,
            points=1,
            difficulty=1,
            minutes=4,
        ),
        md(
            r"""
            ## 2. The residual stream has two legs

            $x_0$ is the start of the **residual stream**: a tensor with a **position leg**
            (`seq`) and a **model leg** (`d_model`). Every layer *reads* the stream and *adds*
            its output back; nothing is ever overwritten. The two legs do different jobs, and
            this is the key to reading the diagrams of this chapter:

            * linear maps such as `W_Q`, `W_V`, `W_O`, `W_U` act on the **model leg**, the same
              way at every position;
            * attention is the only thing that acts on the **position leg**: it moves
              information from one position to another.

            At the end, the unembedding `W_U` turns the model leg into a vocabulary leg: row $p$
            of `x @ W_U` is the model's guess (logits) for the token at position $p+1$. A model
            with **zero layers** is the diagram $T - W_E - W_U$ (plus the positional term): it
            can only predict the next token from the current one.
            """
        ),
        code(
            """
            zero_layer = tl.Diagram.from_einsum(
                "pt,td,dv->pv", T, model.W_E, model.W_U, names=["T", "W_E", "W_U"]
            )
            zero_layer_logits = zero_layer.contract() + model.W_pos[:n] @ model.W_U
            print("zero-layer logits:", zero_layer_logits.shape)
            zero_layer
            """
        ),
        md(
            r"""
            ## 3. An attention head, part one: the QK circuit and the attention pattern

            A head decides, for every query position $q$, how much to look at every key
            position $k \le q$. It computes a **score** for each pair,

            $$ s_{qk} = \frac{1}{\sqrt{d_\text{head}}} \sum_{d, e, h} x_{qd}\, (W_Q)_{dh}\, (W_K)_{eh}\, x_{ke}, $$

            which is one diagram: the residual stream appears **twice** (once as the query side,
            once as the key side), $W_Q$ and $W_K$ meet on their shared `d_head` leg $h$, and the
            two position legs $q$ and $k$ stay open. The factor $1/\sqrt{d_\text{head}}$ is a
            tensor with no legs at all — a lone box, a scalar.

            Contracting the $W_Q$–$W_K$ wire first gives the `[d_model, d_model]` matrix
            $W_{QK} = W_Q W_K^\top$: the head's **QK circuit**. It is a product through the
            small leg $h$, so its rank is at most $d_\text{head}$ — a first sign that chapter
            04's SVD will be useful here.
            """
        ),
        code(
            """
            layer, head = 0, 0
            W_Q, W_K = model.W_Q[layer, head], model.W_K[layer, head]
            W_V, W_O = model.W_V[layer, head], model.W_O[layer, head]
            scale = np.array(1 / np.sqrt(model.d_head))

            qk = tl.Diagram.from_einsum(
                "qd,dh,eh,ke,->qk", x0, W_Q, W_K, x0, scale,
                names=["x_q", "W_Q", "W_K", "x_k", "c"],  # x_q and x_k are both x0; c = 1/sqrt(d_head)
            )
            qk.move("c", 275, 0)  # the scalar (no legs) just above the chain
            scores = qk.contract()
            assert np.allclose(scores, (x0 @ W_Q) @ (x0 @ W_K).T / np.sqrt(model.d_head))

            W_QK = W_Q @ W_K.T
            print("W_QK:", W_QK.shape, " rank", np.linalg.matrix_rank(W_QK), "<= d_head =", model.d_head)
            qk
            """
        ),
        md(
            r"""
            Two things happen to the scores before they can be used, and neither is a diagram:

            * the **causal mask**: a query may not look at later positions, so scores with
              $k > q$ are set to $-\infty$;
            * the **softmax** over the key leg: $A_{qk} = e^{s_{qk}} / \sum_{k'} e^{s_{qk'}}$,
              so that each row of the **attention pattern** $A$ is a probability distribution.

            The softmax is a nonlinear box, like chapter 07's ReLU: the scores are contracted
            inside it, and what comes out, $A$ (shape `[seq (query), seq (key)]`), enters the
            rest of the diagram as a plain tensor.
            """
        ),
        header(
            "08-pattern",
            "Mask and softmax: the attention pattern",
            difficulty=2,
            importance="core",
            minutes=8,
            hints=[
                "The mask: positions above the diagonal (k > q). np.triu(np.ones((n, n), bool), k=1) is True exactly there.",
                "np.where(mask, -np.inf, scores) masks; exp(-inf) is 0, so masked keys get no attention.",
                "Softmax along the key leg (the last axis): subtract the row maximum first for stability, then exp, then divide by the row sum.",
            ],
        ),
        solution(
            "08-pattern",
            """
            # The attention pattern A of head (0, 0) from `scores`: causal mask, then softmax over keys.
            # BEGIN SOLUTION
            mask = np.triu(np.ones((n, n), dtype=bool), k=1)
            masked = np.where(mask, -np.inf, scores)
            e = np.exp(masked - masked.max(axis=-1, keepdims=True))
            A = e / e.sum(axis=-1, keepdims=True)
            # END SOLUTION
            """,
        ),
        graded(
            "08-pattern",
            """
            check.shape(A, (n, n), name="A")
            check.array(A.sum(axis=-1), np.ones(n), name="the row sums of A (each query's attention)")
            check.array(np.triu(A, k=1), np.zeros((n, n)), name="A above the diagonal (later keys)")
            check.array(A, model.attention_patterns(tokens)[layer, head], name="A")
            check.passed("08-pattern", hidden=False)
            """,
            points=2,
            difficulty=2,
            minutes=8,
        ),
        md(
            r"""
            The attention-pattern view shows every head's $A$: rows are queries, columns keys,
            the upper triangle is empty (the causal mask). Hover a query row to see which keys
            it reads; choose another head with the selector.
            """
        ),
        code(
            """
            tl.AttentionPatternWidget(model, tokens, layer=0, head=0)
            """
        ),
        md(
            r"""
            As a picture: the QK diagram sits inside the softmax box; what leaves the box is
            $A$, a plain tensor with a query leg and a key leg.
            """
        ),
        code(
            """
            from IPython.display import HTML

            pattern_tensor = tl.Diagram.from_einsum("qk->qk", A, names=["A"])
            HTML(
                '<div style="display:flex;align-items:center;gap:10px;flex-wrap:wrap">'
                '<div style="border:2px dashed #b22;border-radius:10px;padding:4px 8px">'
                '<div style="color:#b22;font-weight:bold">causal mask, softmax over k</div>'
                f"{qk.to_svg()}</div>"
                f'<div style="font-size:18px">&rarr;</div>{pattern_tensor.to_svg()}</div>'
            )
            """
        ),
        md(
            r"""
            ## 4. An attention head, part two: the OV circuit

            Once $A$ is known, the head moves information: every key position $k$ offers
            the vector $x_k W_V W_O$, and query position $q$ receives the $A$-weighted mix,

            $$ \text{out}_{qm} = \sum_{k, d, h} A_{qk}\, x_{kd}\, (W_V)_{dh}\, (W_O)_{hm}. $$

            As a diagram: $A$ sits on the **position leg** of $x$, and the chain $W_V - W_O$
            sits on its **model leg**. Contracting $W_V$ with $W_O$ gives the head's
            **OV circuit** $W_{OV} = W_V W_O$, `[d_model, d_model]`, again of rank at most
            $d_\text{head}$. Draw this diagram yourself in the exercise below.
            """
        ),
        code(
            """
            A = model.attention_patterns(tokens)[layer, head]  # the pattern, as the model computes it

            ov_start = tl.Diagram()
            ov_start.add_tensor("A", A, legs=["query", "key"], position=(0, 0))
            ov_start.add_tensor("x", x0, legs=["pos", "model"], position=(230, 0))
            ov_start.add_tensor("W_V", W_V, legs=["model", "head"], position=(230, 150))
            ov_start.add_tensor("W_O", W_O, legs=["head", "model_out"], position=(460, 150))

            ov_answer = tl.Diagram.from_einsum("qk,kd,dh,hm->qm", A, x0, W_V, W_O, names=["A", "x", "W_V", "W_O"])
            head_out = model.run_with_cache(tokens)[1]["head_out.0"][head]  # the model's own head output
            """
        ),
        code(
            """
            ex_ov = tl.DiagramExercise(
                "08-ov",
                title="Wire up an attention head's output",
                task=(
                    "Join the four tensors so that the diagram computes the head's output "
                    "out[query, model_out] = sum A[query, key] x[key, model] W_V[model, head] W_O[head, model_out]. "
                    "Only A's query leg and W_O's model_out leg stay open."
                ),
                start=ov_start,
                answer=ov_answer,
                difficulty=2,
                importance="core",
                minutes=6,
                hints=[
                    "Three wires: one on the position leg, two on the model/head legs.",
                    "A acts on positions: A's key leg joins x's pos leg. W_V reads x's model leg.",
                    "Careful: A:query and x:pos have the same dimension too, and so do x:model and W_O:model_out — the dimensions allow wrong wires, the meaning does not.",
                ],
            )
            ex_ov
            """
        ),
        solution(
            "08-ov",
            """
            # Answer by drawing above (then delete the `raise` line below), or in code here.
            # BEGIN SOLUTION
            drawn = ov_start.copy()
            drawn.connect("A:key", "x:pos")
            drawn.connect("x:model", "W_V:model")
            drawn.connect("W_V:head", "W_O:head")
            ex_ov.submit(drawn)
            # END SOLUTION
            """,
        ),
        graded(
            "08-ov",
            """
            ex_ov.check()
            check.array(ex_ov.diagram.contract(), head_out, name="your diagram's result (the head's output)")
            check.passed("08-ov", hidden=False)
            """,
            points=2,
            difficulty=2,
            minutes=6,
        ),
        md(
            r"""
            The library builds the same diagram for any head of any model,
            `tl.head_diagram(model, tokens, layer, head)`: the model's own arrays, legs named by
            what they are, contracting to the model's own head output.
            """
        ),
        code(
            """
            library_head = tl.head_diagram(model, tokens, layer=0, head=1)
            assert np.allclose(library_head.contract(), model.run_with_cache(tokens)[1]["head_out.0"][1])
            library_head
            """
        ),
        md(
            r"""
            ## 5. $A \otimes W_{OV}$: one map on each leg

            Look again at the head's diagram: $A$ touches only the position leg of $x$, and
            $W_{OV}$ only the model leg; $A$ and $W_{OV}$ are **not joined to each other**. Two
            unjoined tensors side by side are their tensor (outer) product (chapter 02): the head
            is the four-leg tensor $A \otimes W_{OV}$ applied to the two-leg residual stream.
            The Framework writes a head exactly like this,
            $h(x) = (A \otimes W_O W_V)\, x$ (it uses column vectors, hence $W_O W_V$).

            With the legs grouped (chapter 03: reshaping), the four-leg tensor becomes an
            ordinary `[seq·d_model, seq·d_model]` matrix: the Kronecker product `np.kron`. Both
            views give the same numbers:
            """
        ),
        code(
            """
            W_OV = W_V @ W_O
            as_product = tl.Diagram.from_einsum("qk,dm,kd->qm", A, W_OV, x0, names=["A", "W_OV", "x"])
            assert np.allclose(as_product.contract(), head_out)

            kron = np.kron(A, W_OV.T)  # [(q, m), (k, d)]: legs grouped, row-major
            assert np.allclose(kron @ x0.reshape(-1), head_out.reshape(-1))
            print("A ⊗ W_OV as a matrix:", kron.shape, " rank of W_OV:", np.linalg.matrix_rank(W_OV))
            as_product
            """
        ),
        md(
            r"""
            **Pitfall: two meanings of "tensor product".** In the diagram, $A \otimes W_{OV}$ is
            the *outer product*: two unjoined boxes, one 4-leg tensor, nothing multiplied
            together. In the Framework's matrix notation the same symbol is the *Kronecker
            product* `np.kron`, a `[seq·d_model, seq·d_model]` matrix — the same numbers with
            the legs grouped in pairs. When you meet $\otimes$, ask whether legs have been
            grouped — and remember that no legs are joined.

            This separation is what makes transformers analysable: *where* information moves
            ($A$, decided by the QK circuit) and *what* information moves ($W_{OV}$) are
            independent factors, and each can be studied on its own.

            ## 6. Many heads: a sum, drawn with a copy tensor

            A layer has several heads, each with its own $W_Q, W_K, W_V, W_O$ and its own
            pattern. They run **independently and in parallel**, and the layer adds the sum of
            their outputs to the residual stream. (Implementations concatenate the heads'
            `d_head`-dimensional results and apply one big $W_O$; that is the same sum, written
            as one matrix product over the concatenated leg.)

            In a diagram the sum over heads is a **head leg** $h$ on every per-head tensor:
            the stacked patterns `A_all [head, q, k]`, `W_V [head, d_model, d_head]` and
            `W_O [head, d_head, d_model]`. All three must use the *same* head, and the head leg
            is summed: three legs that must agree form a copy tensor — in einsum, a letter
            appearing in three terms.
            """
        ),
        header(
            "08-multihead",
            "All heads in one diagram",
            difficulty=2,
            importance="core",
            minutes=8,
            hints=[
                "One letter for each leg: h (head), q and k (positions), d (model, in), e (d_head), m (model, out).",
                "A_all has legs (head, query, key), x0 (position, model), W_V_all (head, model, d_head), W_O_all (head, d_head, model): legs that must be joined get the same letter.",
                "The head letter h appears in three terms and not in the output: a summed copy tensor.",
            ],
        ),
        code(
            """
            A_all = model.attention_patterns(tokens)[layer]  # [head, q, k]
            W_V_all, W_O_all = model.W_V[layer], model.W_O[layer]  # [head, d_model, d_head], [head, d_head, d_model]
            """
        ),
        solution(
            "08-multihead",
            """
            # One diagram for the whole layer's output [seq, d_model]: the sum over heads.
            # BEGIN SOLUTION
            layer_diagram = tl.Diagram.from_einsum(
                "hqk,kd,hde,hem->qm", A_all, x0, W_V_all, W_O_all, names=["A", "x", "W_V", "W_O"]
            )
            # END SOLUTION
            layer_diagram
            """,
        ),
        graded(
            "08-multihead",
            """
            per_head = model.run_with_cache(tokens)[1]["head_out.0"]  # [head, seq, d_model]
            check.shape(layer_diagram.contract(), (n, model.d_model), name="layer_diagram.contract()")
            check.array(layer_diagram.contract(), per_head.sum(axis=0), name="the layer's output (sum over heads)")
            ### BEGIN HIDDEN TESTS
            check.true(len(layer_diagram) <= 5, "the layer's output needs only A, x, W_V and W_O (and perhaps a copy tensor)")
            ### END HIDDEN TESTS
            check.passed("08-multihead", hidden=True)
            """,
            points=2,
            difficulty=2,
            minutes=8,
        ),
        md(
            r"""
            ## 7. The whole model, checked against its forward pass

            A one-layer attention-only transformer is the embedding, plus the heads' outputs,
            read by the unembedding:

            $$ \text{logits} = \big(x_0 + \textstyle\sum_h A^h x_0 W_{OV}^h\big)\, W_U . $$

            Two diagrams, added: the **direct path** $x_0 W_U$ and the layer's diagram with
            $W_U$ attached to its model leg. Their sum is the model's output, to the last digit:
            """
        ),
        code(
            """
            direct = tl.Diagram.from_einsum("pd,dv->pv", x0, model.W_U, names=["x", "W_U"])
            through_heads = tl.Diagram.from_einsum(
                "hqk,kd,hde,hem,mv->qv", A_all, x0, W_V_all, W_O_all, model.W_U,
                names=["A", "x", "W_V", "W_O", "W_U"],
            )
            logits = direct.contract() + through_heads.contract()
            print("largest difference from model(tokens):", np.abs(logits - model(tokens)).max())
            assert np.allclose(logits, model(tokens), atol=1e-12)
            tl.DiagramWidget(through_heads)  # click a tensor to see its values, or the result panel for the logits
            """
        ),
        md(
            r"""
            With more layers the same pattern repeats: layer $\ell$ reads the stream
            $x_\ell = x_{\ell-1} + \sum_h (\text{head outputs of layer } \ell-1)$ — the
            attention patterns of layer $\ell$ are computed from it, through their softmax box.
            Chapter 09 expands the sum term by term.

            ## 8. What we set aside: biases, layer norm and MLPs

            Real transformers have more parts, and the Framework deals with each so that the
            diagrams stay clean:

            * **Biases** are affine terms (chapter 07): each can be folded into a weight by an
              appended constant-1 leg, or carried as a separate term of the sum. The models of
              this course have none.
            * **Layer norm** subtracts the mean of the model leg (a linear projection, which can
              be folded into the next weight matrix) and divides by the norm (a nonlinear box).
              The Framework studies models without it, or treats the scale as a constant
              for the input at hand; we use attention-only models without layer norm.
            * **MLP layers** are chapter 07's ReLU boxes; the Framework's circuit analysis is
              for **attention-only** transformers, where the softmax is the only box.
            """
        ),
        code(
            """
            from tensorlessons.exercises import progress

            progress()
            """
        ),
    ]


# ======================================================================================
# Chapter 09: circuits
# ======================================================================================


def chapter_09() -> list[nbformat.NotebookNode]:
    return [
        md(
            r"""
            # 09 · Circuits: taking a transformer apart, path by path

            Chapter 08 drew an attention-only transformer as diagrams. This chapter uses the
            diagrams to **explain** it, as "A Mathematical Framework for Transformer Circuits"
            does: hold the attention patterns fixed, and the model's logits become a **sum of
            paths**, each a diagram that can be contracted, decomposed and read on its own.

            1. Zero layers: the direct path $W_E W_U$ is a table of bigram statistics.
            2. One layer: the logits are the direct path plus one term per head — the **path
               expansion** — and every head is a set of **skip-trigrams**, read from two
               token-space matrices, its QK and OV circuits (low rank: back to SVD).
            3. Eigenvalues of the OV circuit tell whether a head **copies**.
            4. Two layers: heads **compose**. V-composition makes *virtual heads* that are
               new terms of the sum; Q- and K-composition happen inside the softmax box and
               cannot be multiplied out. Composition scores measure how much they happen.
            """
        ),
        code(
            SETUP
            + _src(
                """
            from tensorlessons.transformer import (
                circuit_rank,
                composition_scores,
                copying_score,
                ov_circuit,
                qk_circuit,
            )
            """
            )
        ),
        md(
            r"""
            ## 1. Zero layers: the direct path is a bigram table

            Without attention, the model is the diagram $T - W_E - W_U$: the logits at position
            $p$ depend on the token at $p$ and nothing else. The best such a model can do is to
            learn the **bigram statistics** of its training text: for every token $a$, the
            distribution of the token that follows $a$. In log space,
            $(W_E W_U)_{ab} \approx \log P(b \mid a)$ (up to a constant per row, which the
            softmax ignores).

            $W_E W_U$ is a `[d_vocab, d_vocab]` matrix that passes through the `d_model` leg, so
            its rank is at most $d_\text{model}$. A zero-layer model with a small $d_\text{model}$
            therefore stores a **low-rank approximation** of the log-bigram table — and the best
            low-rank approximation is chapter 04's truncated SVD. Let us build one from a toy
            language whose bigram table we know.
            """
        ),
        code(
            """
            d_vocab, d_model = 12, 4
            # A toy language: each token is followed by a few likely successors.
            P = 0.9 * rng.dirichlet(0.3 * np.ones(d_vocab), size=d_vocab) + 0.1 / d_vocab
            log_P = np.log(P)  # [current token, next token]
            print("P(next | current) for token 0:", P[0].round(2))
            """
        ),
        header(
            "09-bigram",
            "A zero-layer model of the bigram table",
            difficulty=2,
            importance="core",
            minutes=8,
            hints=[
                "U, S, Vt = np.linalg.svd(log_P): log_P = U diag(S) Vt, singular values in decreasing order.",
                "Keep the d_model largest: U[:, :d_model], S[:d_model], Vt[:d_model]. Split each singular value as sqrt(S) on each side.",
                "Multiply the kept columns of U by sqrt(S) (broadcasting along the last axis), and the kept rows of Vt by sqrt(S) as a column.",
            ],
        ),
        solution(
            "09-bigram",
            """
            # W_E [d_vocab, d_model] and W_U [d_model, d_vocab] with W_E @ W_U the best rank-d_model
            # approximation of log_P (truncated SVD, singular values split evenly between the two).
            # BEGIN SOLUTION
            U, S, Vt = np.linalg.svd(log_P)
            W_E = U[:, :d_model] * np.sqrt(S[:d_model])
            W_U = np.sqrt(S[:d_model])[:, None] * Vt[:d_model]
            # END SOLUTION
            """,
        ),
        graded(
            "09-bigram",
            """
            check.shape(W_E, (d_vocab, d_model), name="W_E")
            check.shape(W_U, (d_model, d_vocab), name="W_U")
            s = np.linalg.svd(log_P, compute_uv=False)
            error = np.linalg.norm(log_P - W_E @ W_U)
            check.array(error, np.sqrt((s[d_model:] ** 2).sum()), name="||log_P - W_E W_U|| (the Eckart–Young error)")
            ### BEGIN HIDDEN TESTS
            check.array(np.linalg.norm(W_E, axis=0), np.linalg.norm(W_U, axis=1), name="the split of the singular values (columns of W_E vs rows of W_U)")
            ### END HIDDEN TESTS
            check.passed("09-bigram", hidden=True)
            """,
            points=2,
            difficulty=2,
            minutes=8,
        ),
        code(
            """
            tokens = np.array([0, 5, 3, 3, 7, 1])
            T = np.eye(d_vocab)[tokens]
            direct_path = tl.Diagram.from_einsum("pt,td,dv->pv", T, W_E, W_U, names=["T", "W_E", "W_U"])
            logits = direct_path.contract()

            def softmax(z):
                e = np.exp(z - z.max(axis=-1, keepdims=True))
                return e / e.sum(axis=-1, keepdims=True)

            # The two rows mostly agree; where they differ, the true top two are nearly tied.
            print("predicted most likely next tokens:", logits.argmax(-1))
            print("true most likely next tokens:     ", P[tokens].argmax(-1))
            print("mean |P_model - P| per entry:      %.3f" % np.abs(softmax(logits) - P[tokens]).mean())
            direct_path
            """
        ),
        md(
            r"""
            ## 2. One layer: the path expansion

            Now a one-layer model with three heads. From chapter 08:

            $$ \text{logits} = x_0 W_U + \sum_h A^h\, x_0\, W_{OV}^h\, W_U, \qquad x_0 = T W_E + W_\text{pos}. $$

            If we **hold each attention pattern $A^h$ fixed** at the value the model computed —
            treat it as a given tensor, as chapter 07 treated the output of a ReLU box — then
            every term is a diagram, linear in every weight. This sum is the **path expansion**:
            the *direct path* $x_0 W_U$ and one term per head. Nothing is approximated: the
            terms add up to the model's logits exactly.
            """
        ),
        code(
            """
            model = tl.AttentionOnlyTransformer.random(
                n_layers=1, n_heads=3, d_model=16, d_head=4, d_vocab=12, n_ctx=12, seed=1
            )
            tokens = np.array([2, 7, 1, 8, 2, 8, 1, 8, 2, 8])
            n = len(tokens)
            x0 = model.embed(tokens)  # T W_E + W_pos
            A = model.attention_patterns(tokens)[0]  # [head, q, k], held fixed from now on
            """
        ),
        header(
            "09-head-terms",
            "The path expansion of a one-layer model",
            difficulty=2,
            importance="core",
            minutes=10,
            hints=[
                "The direct path is the diagram x0 - W_U: einsum 'pd,dv->pv'.",
                "Head h's term: A[h] on the position leg of x0, and model.W_V[0, h], model.W_O[0, h], model.W_U chained on its model leg — five tensors, one einsum string.",
                "Name the terms like the library: terms['direct'], terms['L0H0'], terms['L0H1'], terms['L0H2'].",
            ],
        ),
        solution(
            "09-head-terms",
            """
            # A dict of logit terms [seq, d_vocab]: "direct" and "L0H0", "L0H1", "L0H2",
            # each computed by contracting a Diagram built from the model's weights.
            # BEGIN SOLUTION
            terms = {"direct": tl.Diagram.from_einsum("pd,dv->pv", x0, model.W_U).contract()}
            for h in range(model.n_heads):
                term = tl.Diagram.from_einsum(
                    "qk,kd,de,em,mv->qv", A[h], x0, model.W_V[0, h], model.W_O[0, h], model.W_U,
                    names=["A", "x0", "W_V", "W_O", "W_U"],
                )
                terms[f"L0H{h}"] = term.contract()
            # END SOLUTION
            """,
        ),
        graded(
            "09-head-terms",
            """
            check.equal(sorted(terms), ["L0H0", "L0H1", "L0H2", "direct"], name="the names of the terms")
            check.array(terms["direct"], x0 @ model.W_U, name='terms["direct"]')
            check.array(sum(terms.values()), model(tokens), name="the sum of all terms (should be the model's logits)")
            ### BEGIN HIDDEN TESTS
            reference = tl.path_expansion(model, tokens)
            for name in reference:
                check.array(terms[name], reference[name], name=f"terms[{name!r}]")
            ### END HIDDEN TESTS
            check.passed("09-head-terms", hidden=True)
            """,
            points=2,
            difficulty=2,
            minutes=10,
        ),
        md(
            r"""
            The library computes the same expansion with `tl.path_expansion(model, tokens)`. A
            first use of it is **logit attribution**: how much each path contributes to the
            logit of the token that actually came next.
            """
        ),
        code(
            """
            paths = tl.path_expansion(model, tokens)
            nxt = tokens[1:]
            print("position  next  " + "  ".join(f"{name:>7s}" for name in paths))
            for p in range(n - 1):
                row = "  ".join(f"{paths[name][p, nxt[p]]:7.2f}" for name in paths)
                print(f"{p:8d}  {nxt[p]:4d}  {row}")
            """
        ),
        md(
            r"""
            The same split as a view: pick a position and a target token, and the bars show
            each path's share of that logit (they add up to the total).
            """
        ),
        code(
            """
            tl.LogitAttributionWidget(model, tokens, position=3)
            """
        ),
        md(
            r"""
            ## 3. Skip-trigrams: the QK and OV circuits in token space

            Take one head's term and ignore positions for a moment ($x_0 \approx T W_E$). A
            query token $a$ attends to an earlier key token $b$ with a score read from the
            **QK circuit** $W_E W_Q W_K^\top W_E^\top$ — a `[d_vocab (query), d_vocab (key)]`
            matrix; attending to $b$ then raises the logit of token $c$ by the entry $[b, c]$ of
            the **OV circuit** $W_E W_V W_O W_U$ — a `[d_vocab (attended), d_vocab (logit)]`
            matrix. Together: "$[b] \dots [a] \to [c]$", a **skip-trigram**. Apart from what it
            knows about positions, everything a one-layer attention-only model knows lives in
            its direct path (bigrams) and these two matrices per head (skip-trigrams).

            Both circuits are chains of four matrices through a `d_head` leg — so their rank is
            at most $d_\text{head}$, however big the vocabulary. Here is the QK circuit as a
            diagram, checked against the library's `qk_circuit`:
            """
        ),
        code(
            """
            h = 0
            qk_diagram = tl.Diagram.from_einsum(
                "ad,dh,eh,be->ab", model.W_E, model.W_Q[0, h], model.W_K[0, h], model.W_E,
                names=["W_Eq", "W_Q", "W_K", "W_Ek"],  # W_E on the query side and on the key side
            )
            assert np.allclose(qk_diagram.contract(), qk_circuit(model, 0, h))
            qk_diagram
            """
        ),
        header(
            "09-ov-circuit",
            "The OV circuit and its rank",
            difficulty=2,
            importance="core",
            minutes=8,
            hints=[
                "The OV circuit is the chain W_E - W_V - W_O - W_U: einsum 'ad,de,em,mc->ac'.",
                "np.linalg.svd(M, compute_uv=False) gives the singular values, largest first.",
                "The rank is the number of singular values that are not (numerically) zero, e.g. larger than 1e-9 times the largest.",
            ],
        ),
        solution(
            "09-ov-circuit",
            """
            # For head h = 0: the OV circuit as a Diagram `ov_diagram` (legs: attended token, logit token),
            # its singular values `ov_singular_values`, and its numerical rank `ov_rank`.
            # BEGIN SOLUTION
            ov_diagram = tl.Diagram.from_einsum(
                "ad,de,em,mc->ac", model.W_E, model.W_V[0, h], model.W_O[0, h], model.W_U,
                names=["W_E", "W_V", "W_O", "W_U"],
            )
            ov_singular_values = np.linalg.svd(ov_diagram.contract(), compute_uv=False)
            ov_rank = int((ov_singular_values > 1e-9 * ov_singular_values[0]).sum())
            # END SOLUTION
            """,
        ),
        graded(
            "09-ov-circuit",
            """
            check.shape(ov_diagram.contract(), (model.d_vocab, model.d_vocab), name="ov_diagram.contract()")
            check.array(ov_diagram.contract(), ov_circuit(model, 0, h), name="the OV circuit")
            check.equal(ov_rank, circuit_rank(ov_circuit(model, 0, h)), name="ov_rank")
            ### BEGIN HIDDEN TESTS
            check.true(ov_rank <= model.d_head, f"the OV circuit's rank must be at most d_head = {model.d_head}")
            check.array(np.sort(ov_singular_values)[::-1][:ov_rank], np.linalg.svd(ov_circuit(model, 0, h), compute_uv=False)[:ov_rank], name="the nonzero singular values")
            ### END HIDDEN TESTS
            check.passed("09-ov-circuit", hidden=True)
            """,
            points=2,
            difficulty=2,
            minutes=8,
        ),
        code(
            """
            print("OV singular values of head 0:", ov_singular_values.round(3))
            print(f"rank {ov_rank} of a {model.d_vocab}x{model.d_vocab} matrix: d_head = {model.d_head} numbers per token suffice")
            """
        ),
        md(
            r"""
            ## 4. Eigenvalues: does a head copy?

            A common job for a head is **copying**: attending to token $b$ makes $b$ itself more
            likely ("I saw *Potter* earlier, so *Potter* is a good guess now"). A copying head's
            OV circuit maps each token mostly to itself: it has **positive eigenvalues**. The
            Framework summarises this as a copying score,

            $$ \frac{\sum_i \lambda_i}{\sum_i |\lambda_i|} \in [-1, 1], $$

            near 1 for copying, near $-1$ for anti-copying (suppressing the token seen), and
            near 0 for a head that does something else. With only $d_\text{head}$ nonzero
            eigenvalues, chance alone can push a random head's score far from 0 — so look at the
            diagonal of the OV circuit too: a copying head raises the attended token's own logit
            far more than any other. Below we make a head that copies by choosing its $W_O$ so
            that the OV circuit is $P P^\top$ with $P = W_E W_V$ (exactly, because this $W_U$
            has full rank $d_\text{vocab}$) — a positive semi-definite matrix, whose
            eigenvalues are all $\ge 0$.
            """
        ),
        code(
            """
            print("random heads:", [round(copying_score(ov_circuit(model, 0, hh)), 2) for hh in range(model.n_heads)])

            W_V0 = model.W_V[0, 0]
            P_ = model.W_E @ W_V0  # [d_vocab, d_head]
            W_O_copy = P_.T @ np.linalg.pinv(model.W_U)  # so that W_O W_U ≈ P_.T
            W_O_new = model.W_O.copy()
            W_O_new[0, 0] = W_O_copy
            copier = tl.AttentionOnlyTransformer(**{**model.weights(), "W_O": W_O_new})
            M = ov_circuit(copier, 0, 0)
            print("copying head: score", round(copying_score(M), 3), "; eigenvalues", np.sort(np.linalg.eigvals(M).real)[::-1][:5].round(2))
            off_diagonal = (M.sum() - M.trace()) / (M.size - len(M))
            print(f"mean diagonal entry {M.diagonal().mean():.2f}, mean off-diagonal entry {off_diagonal:.2f}")
            M_random = ov_circuit(model, 0, 0)
            off_random = (M_random.sum() - M_random.trace()) / (M_random.size - len(M_random))
            print(f"random head 0: mean diagonal entry {M_random.diagonal().mean():.2f}, mean off-diagonal entry {off_random:.2f}")
            """
        ),
        md(
            r"""
            ## 5. Two layers: heads compose

            With a second layer, the heads of layer 1 read the residual stream
            $x_1 = x_0 + \sum_h A^{0,h} x_0 W_{OV}^{0,h}$, which contains the outputs of
            layer 0. A layer-1 head can use them in three places — its values, its queries, its
            keys — and the three behave very differently in the diagram.

            **V-composition.** The values of layer-1 head $h'$ read $x_1$. Substituting:

            $$ A^{1,h'} x_1 W_{OV}^{1,h'} = A^{1,h'} x_0 W_{OV}^{1,h'} + \sum_h \underbrace{A^{1,h'} A^{0,h}}_{\text{positions}}\; x_0\; \underbrace{W_{OV}^{0,h} W_{OV}^{1,h'}}_{\text{model leg}} .$$

            Each new term is a **virtual head**: a head whose attention pattern is the product
            $A^{1,h'}A^{0,h}$ (a chain on the position leg) and whose OV circuit is the product
            $W_{OV}^{0,h}W_{OV}^{1,h'}$ (a chain on the model leg). With patterns held fixed it is
            just one more diagram in the path expansion. Draw it.
            """
        ),
        code(
            """
            model2 = tl.AttentionOnlyTransformer.random(
                n_layers=2, n_heads=2, d_model=16, d_head=4, d_vocab=12, n_ctx=12, seed=2
            )
            x0_2 = model2.embed(tokens)
            A2 = model2.attention_patterns(tokens)  # [layer, head, q, k]
            h0, h1 = 1, 0  # the virtual head L0H1 -> L1H0
            A_1, A_0 = A2[1, h1], A2[0, h0]
            W_OV_0, W_OV_1 = model2.W_OV[0, h0], model2.W_OV[1, h1]

            vh_start = tl.Diagram()
            vh_start.add_tensor("A1", A_1, legs=["query", "key"], position=(0, 0))
            vh_start.add_tensor("A0", A_0, legs=["query", "key"], position=(230, 0))
            vh_start.add_tensor("x0", x0_2, legs=["pos", "model"], position=(460, 0))
            vh_start.add_tensor("W_OV0", W_OV_0, legs=["in", "out"], position=(460, 160))
            vh_start.add_tensor("W_OV1", W_OV_1, legs=["in", "out"], position=(230, 160))
            vh_start.add_tensor("W_U", model2.W_U, legs=["model", "vocab"], position=(0, 160))

            vh_answer = tl.Diagram.from_einsum(
                "qj,jk,kd,de,ef,fv->qv", A_1, A_0, x0_2, W_OV_0, W_OV_1, model2.W_U,
                names=["A1", "A0", "x0", "W_OV0", "W_OV1", "W_U"],
            )
            """
        ),
        code(
            """
            ex_virtual = tl.DiagramExercise(
                "09-virtual-head",
                title="Draw a virtual head (V-composition)",
                task=(
                    "Wire the virtual head L0H1 -> L1H0: the patterns A1 A0 chained on the position leg of x0, "
                    "the OV circuits W_OV0 then W_OV1 chained on its model leg, read by W_U. "
                    "Open legs: A1's query and W_U's vocab."
                ),
                start=vh_start,
                answer=vh_answer,
                difficulty=2,
                importance="core",
                minutes=8,
                hints=[
                    "Five wires. Positions: A1 -> A0 -> x0. Model leg: x0 -> W_OV0 -> W_OV1 -> W_U.",
                    "Layer 0 acts first, so it sits next to x0: A0's key leg joins x0's pos leg, and x0's model leg joins W_OV0's in leg.",
                    "When it is right, A1 and W_U sit at the ends of the two chains, each with one leg left open.",
                ],
            )
            ex_virtual
            """
        ),
        solution(
            "09-virtual-head",
            """
            # Answer by drawing above (then delete the `raise` line below), or in code here.
            # BEGIN SOLUTION
            drawn = vh_start.copy()
            drawn.connect("A1:key", "A0:query")
            drawn.connect("A0:key", "x0:pos")
            drawn.connect("x0:model", "W_OV0:in")
            drawn.connect("W_OV0:out", "W_OV1:in")
            drawn.connect("W_OV1:out", "W_U:model")
            ex_virtual.submit(drawn)
            # END SOLUTION
            """,
        ),
        graded(
            "09-virtual-head",
            """
            ex_virtual.check()
            check.array(ex_virtual.diagram.contract(), tl.path_expansion(model2, tokens)["L0H1->L1H0"], name="your virtual head's logit term")
            check.passed("09-virtual-head", hidden=False)
            """,
            points=2,
            difficulty=2,
            minutes=8,
        ),
        md(
            r"""
            The full path expansion of the two-layer model has 1 + 4 + 4 = 9 terms: the direct
            path, each head reading $x_0$ (layer-1 heads included), and the four virtual heads.
            With the patterns held as computed they add up to the logits exactly:
            """
        ),
        code(
            """
            paths2 = tl.path_expansion(model2, tokens)
            print(list(paths2))
            print("largest |sum of paths - logits|:", np.abs(sum(paths2.values()) - model2(tokens)).max())
            for name, term in paths2.items():
                print(f"{name:12s} size of term: {np.linalg.norm(term):6.2f}")
            """
        ),
        md(
            r"""
            `tl.path_expansion_diagrams` gives each term as a diagram built from the model's
            weights — contract them all and add, and the logits come back once more:
            """
        ),
        code(
            """
            path_diagrams = tl.path_expansion_diagrams(model2, tokens)
            assert np.allclose(sum(d.contract() for d in path_diagrams.values()), model2(tokens))
            path_diagrams["L0H1->L1H0"]
            """
        ),
        md(
            r"""
            **Q- and K-composition.** The *queries* and *keys* of a layer-1 head read $x_1$ as
            well, so its scores expand the same way — four terms:

            $$ s^{1} \propto x_1 W_{QK}^{1} x_1^\top = x_0 W_{QK} x_0^\top + \underbrace{x_0 W_{QK} (y^0)^\top}_{\text{K-composition}} + \underbrace{y^0 W_{QK} x_0^\top}_{\text{Q-composition}} + y^0 W_{QK} (y^0)^\top, $$

            with $y^0 = \sum_h A^{0,h} x_0 W_{OV}^{0,h}$ the output of layer 0. Each term is a
            diagram, and the scores are exactly their sum. But the scores then go through the
            **softmax box**: $A^1 = \mathrm{softmax}(s^1)$, and a softmax of a sum is not a sum
            of softmaxes. The Q- and K-composition terms do not become new terms of the logits;
            they change the attention pattern $A^1$, which the path expansion holds fixed. That
            is chapter 07's lesson again: V-composition goes *around* the nonlinear box and
            multiplies out; Q- and K-composition go *through* it and do not.
            """
        ),
        code(
            """
            layer1_head = 0
            cache = model2.run_with_cache(tokens)[1]
            y0 = cache["head_out.0"].sum(axis=0)  # what layer 0 wrote, [seq, d_model]
            W_Q1, W_K1 = model2.W_Q[1, layer1_head], model2.W_K[1, layer1_head]
            c = np.array(1 / np.sqrt(model2.d_head))

            def score_term(query_side, key_side):
                return tl.Diagram.from_einsum(
                    "qd,dh,eh,ke,->qk", query_side, W_Q1, W_K1, key_side, c,
                    names=["x_q", "W_Q", "W_K", "x_k", "c"],  # c = 1/sqrt(d_head)
                ).contract()

            direct_scores = score_term(x0_2, x0_2)
            q_composition = score_term(y0, x0_2)
            both = score_term(y0, y0)
            """
        ),
        header(
            "09-k-composition",
            "The K-composition term of the scores",
            difficulty=2,
            importance="core",
            minutes=6,
            hints=[
                "K-composition: the keys read what layer 0 wrote. Which argument of score_term is the key side?",
                "score_term(query_side, key_side): for K-composition the keys come from layer 0's output y0, the queries from the embedding.",
            ],
        ),
        solution(
            "09-k-composition",
            """
            # k_composition: the K-composition term of layer-1 head 0's scores, [seq (query), seq (key)].
            # BEGIN SOLUTION
            k_composition = score_term(x0_2, y0)
            # END SOLUTION
            """,
        ),
        graded(
            "09-k-composition",
            """
            lower = np.tril(np.ones((n, n), dtype=bool))  # the unmasked scores (key <= query)
            total = direct_scores + k_composition + q_composition + both
            check.shape(k_composition, (n, n), name="k_composition")
            check.array(total[lower], cache["scores.1"][layer1_head][lower], name="the sum of the four score terms")
            ### BEGIN HIDDEN TESTS
            check.array(k_composition, (x0_2 @ W_Q1) @ (y0 @ W_K1).T / np.sqrt(model2.d_head), name="k_composition")
            ### END HIDDEN TESTS
            check.passed("09-k-composition", hidden=True)
            """,
            points=1,
            difficulty=2,
            minutes=6,
        ),
        code(
            """
            def masked_softmax(s):
                s = np.where(np.triu(np.ones_like(s, dtype=bool), k=1), -np.inf, s)
                return softmax(s)

            A1 = masked_softmax(total)
            split = sum(masked_softmax(t) for t in [direct_scores, k_composition, q_composition, both])
            print("softmax(sum of score terms) == A^1:       ", np.allclose(A1, A2[1, layer1_head]))
            print("sum of softmax(term) == A^1 (it is not):  ", np.allclose(split, A2[1, layer1_head]))
            """
        ),
        header(
            "09-which-collapse",
            "Which compositions collapse into new terms?",
            difficulty=1,
            importance="core",
            minutes=3,
            hints=[
                "Ask of each kind: does the layer-0 output enter before or after the softmax box?",
                "Values are read after the pattern is fixed; queries and keys are read inside the softmax.",
            ],
        ),
        solution(
            "09-which-collapse",
            """
            # collapses = {"Q": ..., "K": ..., "V": ...}: for each kind of composition, True if,
            # with patterns held fixed, it becomes a separate term of the path expansion (a virtual
            # head), else False.
            # BEGIN SOLUTION
            collapses = {"Q": False, "K": False, "V": True}
            # END SOLUTION
            """,
        ),
        graded(
            "09-which-collapse",
            """
            check.equal(sorted(collapses), ["K", "Q", "V"], name="the keys of collapses")
            check.equal(collapses["V"], True, name='collapses["V"]')
            ### BEGIN HIDDEN TESTS
            check.equal(collapses["Q"], False, name='collapses["Q"]')
            check.equal(collapses["K"], False, name='collapses["K"]')
            ### END HIDDEN TESTS
            check.passed("09-which-collapse", hidden=True)
            """,
            points=1,
            difficulty=1,
            minutes=3,
        ),
        md(
            r"""
            ## 6. Composition scores

            How much does a layer-1 head actually read what a layer-0 head writes? Head $h_0$
            writes through $W_{OV}^{0}$ (`[d_model, d_model]`, rows are vectors); head $h_1$
            reads through $W_{QK}^{1}$ (queries), its transpose (keys) or $W_{OV}^{1}$ (values).
            If the subspace that $h_0$ writes to is orthogonal to the one $h_1$ reads from, the
            product of the two matrices is zero. The Framework's **composition score** measures
            this in one number:

            $$ \frac{\lVert W_A W_B \rVert_F}{\lVert W_A \rVert_F\, \lVert W_B \rVert_F}, $$

            with $W_A = W_{OV}^{0,h_0}$ and $W_B = W_{QK}^{1,h_1}$ (Q), $W_{QK}^{1,h_1\top}$ (K)
            or $W_{OV}^{1,h_1}$ (V). Random matrices give a small baseline; a purposeful circuit
            stands out from it, as chapter 10 shows.
            """
        ),
        header(
            "09-composition-score",
            "Composition scores",
            difficulty=2,
            importance="core",
            minutes=8,
            hints=[
                "np.linalg.norm(M) of a matrix is its Frobenius norm.",
                "score(W_A, W_B) = norm(W_A @ W_B) / (norm(W_A) * norm(W_B)).",
                "For keys, the reader is the transpose of the layer-1 head's W_QK; the writer is the layer-0 head's W_OV (model2.W_OV and model2.W_QK are indexed [layer, head]).",
            ],
        ),
        solution(
            "09-composition-score",
            """
            # A function score(W_A, W_B), and k_score: the K-composition score of head L0H0 into head
            # L1H1 of model2.
            # BEGIN SOLUTION
            def score(W_A, W_B):
                return np.linalg.norm(W_A @ W_B) / (np.linalg.norm(W_A) * np.linalg.norm(W_B))

            k_score = score(model2.W_OV[0, 0], model2.W_QK[1, 1].T)
            # END SOLUTION
            """,
        ),
        graded(
            "09-composition-score",
            """
            check.array(score(np.eye(3), np.eye(3)), 1 / np.sqrt(3), name="score(I, I) for 3x3 identities")
            check.array(score(np.diag([1.0, 0.0]), np.diag([0.0, 1.0])), 0.0, name="score of orthogonal subspaces")
            check.array(k_score, composition_scores(model2, "K")[0, 1], name="k_score (L0H0 -> L1H1, keys)")
            ### BEGIN HIDDEN TESTS
            W_a, W_b = rng.normal(size=(5, 5)), rng.normal(size=(5, 5))
            check.array(score(W_a, W_b), tl.composition_score(W_a, W_b), name="score on random matrices")
            ### END HIDDEN TESTS
            check.passed("09-composition-score", hidden=True)
            """,
            points=2,
            difficulty=2,
            minutes=8,
        ),
        code(
            """
            for kind in "QKV":
                print(f"{kind}-composition scores, rows: layer-0 head, columns: layer-1 head")
                print(composition_scores(model2, kind).round(3))
            """
        ),
        md(
            r"""
            ## Summary

            * Zero layers: $W_E W_U$, a (low-rank) bigram table.
            * One layer: with the patterns held fixed, logits = direct path + one term per head,
              exactly. Each head is a pair of token-space circuits — QK (where to look) and OV
              (what it does) — of rank at most $d_\text{head}$; the OV circuit's eigenvalues
              tell whether the head copies.
            * Two layers: V-composition multiplies out into virtual heads (patterns chained on
              the position leg, OV circuits chained on the model leg); Q- and K-composition
              live inside the softmax box and change the patterns instead. Composition scores
              measure how much a later head reads from an earlier one.

            Chapter 10 puts K-composition to work: two heads that together do **induction**.
            """
        ),
        code(
            """
            from tensorlessons.exercises import progress

            progress()
            """
        ),
    ]


# ======================================================================================
# Chapter 10: induction heads
# ======================================================================================


def chapter_10() -> list[nbformat.NotebookNode]:
    return [
        md(
            r"""
            # 10 · Induction heads, built by hand and found in a trained model

            The paper ends by constructing an **induction head** in the notation. An induction
            head completes patterns it has seen earlier in the context:

            $$ [a]\,[b]\;\dots\;[a] \;\longrightarrow\; [b] $$

            — having seen "Harry Potter" once, after the next "Harry" it predicts "Potter",
            whatever the words are. No fixed table of bigrams can do that; it takes **two heads
            in two layers working together** through K-composition (chapter 09):

            1. a **previous-token head** in layer 0 copies each token into the residual stream of
               the *next* position: position $k$ now also knows "the token before me was …";
            2. an **induction head** in layer 1 lets the current token $[a]$ look for the key
               position whose *previous* token was $[a]$ — that is the position of $[b]$ — and its
               OV circuit **copies** the token found there into the prediction.

            We build such a model weight by weight, test it on repeated random sequences, draw
            its whole circuit as diagrams checked against the forward pass — and then find the
            induction heads of a small *trained* model with the same tools.
            """
        ),
        code(
            SETUP
            + _src(
                """
            from tensorlessons.transformer import (
                composition_scores,
                copying_score,
                induction_transformer,
                load_trained_model,
                ov_circuit,
                repeated_random_tokens,
            )
            """
            )
        ),
        md(
            r"""
            ## 1. A residual stream with named subspaces

            A hand-built model is easiest to read when the residual stream is split into
            **blocks of coordinates**, one per kind of information. With a vocabulary of
            $V = 16$ tokens and a context of $N = 32$ positions we use $d_\text{model} = 3V + N$:

            | block | size | holds | written by |
            |---|---|---|---|
            | `tok` | $V$ | the current token, one-hot | `W_E` |
            | `prev` | $V$ | the previous token, one-hot | the previous-token head (layer 0) |
            | `out` | $V$ | the prediction | the induction head (layer 1); read by `W_U` |
            | `pos` | $N$ | the position, one-hot | `W_pos` |

            Every weight below is a matrix that reads one block and writes another. Such
            matrices are sums of "wires" $e_i e_j^\top$ — the most legible diagrams there are.
            """
        ),
        code(
            """
            V, N = 16, 32
            tok, prev, out, pos = np.arange(V), V + np.arange(V), 2 * V + np.arange(V), 3 * V + np.arange(N)
            d_model, d_head = 3 * V + N, N
            root = np.sqrt(d_head)  # multiplying W_Q by this cancels the model's 1/sqrt(d_head)

            W_E = np.zeros((V, d_model))
            W_E[np.arange(V), tok] = 1.0  # token t -> one-hot in the tok block
            W_pos = np.zeros((N, d_model))
            W_pos[np.arange(N), pos] = 1.0  # position p -> one-hot in the pos block
            W_U = np.zeros((d_model, V))
            W_U[out, np.arange(V)] = 1.0  # the logits read the out block only

            W_Q = np.zeros((2, 1, d_model, d_head))  # [layer, head, d_model, d_head]
            W_K = np.zeros((2, 1, d_model, d_head))
            W_V = np.zeros((2, 1, d_model, d_head))
            W_O = np.zeros((2, 1, d_head, d_model))

            def pattern(x, W_q, W_k):
                # A head's attention pattern: scores, causal mask, softmax (the box of chapter 08).
                s = (x @ W_q) @ (x @ W_k).T / np.sqrt(d_head)
                s = np.where(np.triu(np.ones(s.shape, dtype=bool), k=1), -np.inf, s)
                e = np.exp(s - s.max(axis=-1, keepdims=True))
                return e / e.sum(axis=-1, keepdims=True)

            tokens = repeated_random_tokens(16, V, seed=0)  # 16 distinct random tokens, then the same 16 again
            x0 = W_E[tokens] + W_pos[: len(tokens)]
            print("tokens:", tokens)
            """
        ),
        md(
            r"""
            ## 2. Layer 0: a previous-token head

            The previous-token head must attend from every query position $q$ to key position
            $q-1$, whatever the tokens — so its QK circuit reads only the `pos` block. Give the
            head's `d_head` leg one coordinate per position, and

            * let the **query** at position $p$ point to coordinate $p$,
            * let the **key** at position $k$ point to coordinate $k+1$.

            Then the score of query $q$ on key $k$ is large ($c$) exactly when $k + 1 = q$, and 0
            otherwise; the softmax turns a large $c$ into attention of almost exactly 1 on the
            previous position. Its OV circuit copies the `tok` block into the `prev` block.
            """
        ),
        header(
            "10-previous-token",
            "The previous-token head's QK circuit",
            difficulty=2,
            importance="core",
            minutes=10,
            hints=[
                "Both matrices read the pos block: rows pos[p] of W_q and pos[k] of W_k.",
                "For every position p, row pos[p] of W_q gets c * root in column p (root cancels the 1/sqrt(d_head) of the scores).",
                "For every key position k < N-1, row pos[k] of W_k gets 1 in column k + 1. Indexing with two index arrays sets all entries at once.",
            ],
        ),
        code(
            """
            c = 10.0  # how sharp the attention is
            W_q, W_k = np.zeros((d_model, d_head)), np.zeros((d_model, d_head))
            """
        ),
        solution(
            "10-previous-token",
            """
            # Fill W_q and W_k (layer 0's query and key maps) so that query q attends to key q-1.
            # BEGIN SOLUTION
            W_q[pos, np.arange(N)] = c * root
            W_k[pos[:-1], np.arange(1, N)] = 1.0
            # END SOLUTION
            """,
        ),
        graded(
            "10-previous-token",
            """
            A0 = pattern(x0, W_q, W_k)
            q = np.arange(1, len(tokens))
            check.true(
                (A0[q, q - 1] > 0.99).all(),
                f"query q should attend to q-1 with weight > 0.99; the weakest is {A0[q, q - 1].min():.3f} at query {q[A0[q, q - 1].argmin()]}",
            )
            check.array(W_q[tok], np.zeros((V, d_head)), name="the rows of W_q in the tok block (the head should ignore tokens)")
            ### BEGIN HIDDEN TESTS
            positional = W_pos @ W_q @ W_k.T @ W_pos.T / root
            check.array(positional[np.arange(1, N), np.arange(N - 1)], np.full(N - 1, c), name="the positional QK circuit on the diagonal below the main one")
            check.array(np.abs(positional).sum(), c * (N - 1), name="the total positional QK circuit (only the entries [p, p-1] should be nonzero)")
            ### END HIDDEN TESTS
            check.passed("10-previous-token", hidden=True)
            """,
            points=2,
            difficulty=2,
            minutes=10,
        ),
        code(
            """
            W_Q[0, 0], W_K[0, 0] = W_q, W_k
            W_V[0, 0][tok, np.arange(V)] = 1.0  # read the current token ...
            W_O[0, 0][np.arange(V), prev] = 1.0  # ... and write it into the prev block
            print("attention of layer 0, queries 1-5 (rows) on keys 0-5 (columns):")
            print(pattern(x0, W_Q[0, 0], W_K[0, 0])[1:6, :6].round(3))
            """
        ),
        md(
            r"""
            ## 3. Layer 1: the induction head, by K-composition

            After layer 0, the residual stream at key position $k$ holds its own token in `tok`
            and the token before it in `prev`. The induction head's query at position $q$ holds
            token $[a]$ in `tok`. So:

            * the **query** reads the `tok` block: token $a$ points to `d_head` coordinate $a$;
            * the **key** reads the `prev` block: previous token $a$ points to coordinate $a$.

            The score is large exactly where the key's previous token equals the query's
            token — the position right after an earlier $[a]$, which holds $[b]$. The key reads
            what layer 0's OV circuit wrote: this is **K-composition**. In token space the
            composed circuit, query token $\to$ the token layer 0 moved into the key,

            $$ W_E\, W_Q^{1}\, W_K^{1\top}\, (W_E W_V^{0} W_O^{0})^\top, $$

            should be $c$ times the identity: "attend where the previous token is mine".
            """
        ),
        header(
            "10-induction-qk",
            "The induction head's QK circuit",
            difficulty=2,
            importance="core",
            minutes=8,
            hints=[
                "The query reads the tok block, the key reads the prev block; token a uses d_head coordinate a on both sides.",
                "W_q1[tok[a], a] = c * root and W_k1[prev[a], a] = 1 for every token a.",
                "Indexing with two index arrays sets all V entries at once: the rows of a block, and the columns np.arange(V).",
            ],
        ),
        code(
            """
            W_q1, W_k1 = np.zeros((d_model, d_head)), np.zeros((d_model, d_head))
            """
        ),
        solution(
            "10-induction-qk",
            """
            # Fill W_q1 and W_k1 (layer 1's query and key maps): query token a matches a key whose
            # previous token (in the prev block) is a.
            # BEGIN SOLUTION
            W_q1[tok, np.arange(V)] = c * root
            W_k1[prev, np.arange(V)] = 1.0
            # END SOLUTION
            """,
        ),
        graded(
            "10-induction-qk",
            """
            moved = W_E @ W_V[0, 0] @ W_O[0, 0]  # what layer 0 writes for each token, [V, d_model]
            k_circuit = W_E @ W_q1 @ W_k1.T @ moved.T / root
            check.array(k_circuit, c * np.eye(V), name="the K-composition circuit W_E W_Q1 W_K1^T (W_E W_V0 W_O0)^T / sqrt(d_head)")
            ### BEGIN HIDDEN TESTS
            check.array(W_pos @ W_k1, np.zeros((N, d_head)), name="W_pos @ W_k1 (the key should not read positions)")
            check.array(W_E @ W_k1, np.zeros((V, d_head)), name="W_E @ W_k1 (the key should not read the current token)")
            ### END HIDDEN TESTS
            check.passed("10-induction-qk", hidden=True)
            """,
            points=2,
            difficulty=2,
            minutes=8,
        ),
        md(
            r"""
            One detail remains. Position 0 has no previous token; layer 0's head there can only
            attend to itself, so it writes position 0's *own* token into `prev`. When the first
            token comes round again in the second half, its query would match position 0 as
            well as position 1 (the right one). We
            push position 0 away with chapter 07's **bias trick**: the `pos` block is one-hot,
            so its coordinates always sum to 1 — a constant-1 leg. Let every position's query
            write $2c$ into a spare `d_head` coordinate, and only position 0's key write $-1$
            there: key 0 loses $2c$ of score for every query.

            The OV circuit copies: read `tok`, write `out` (with a gain of 10, so the prediction
            is confident), and `W_U` reads `out`.
            """
        ),
        code(
            """
            spare = V  # a d_head coordinate the token matching does not use
            W_q1[pos, spare] = 2 * c * root
            W_k1[pos[0], spare] = -1.0
            W_Q[1, 0], W_K[1, 0] = W_q1, W_k1
            W_V[1, 0][tok, np.arange(V)] = 1.0
            W_O[1, 0][np.arange(V), out] = 10.0

            model = tl.AttentionOnlyTransformer(W_E=W_E, W_pos=W_pos, W_Q=W_Q, W_K=W_K, W_V=W_V, W_O=W_O, W_U=W_U)
            print(model)
            """
        ),
        md(
            r"""
            ## 4. Testing it on repeated random sequences

            Random tokens cannot be predicted — unless they repeat. On a sequence of 16 random
            distinct tokens followed by the same 16 again, an induction model should be at
            chance in the first half and **perfect in the second**: at position $q \ge 16$ (a
            repeated token), the next token is known from the first half. The last position
            predicts beyond the sequence, so the positions to score are
            $16, \dots, 30$, predicting tokens $17, \dots, 31$.
            """
        ),
        header(
            "10-accuracy",
            "Induction accuracy on repeated sequences",
            difficulty=2,
            importance="core",
            minutes=8,
            hints=[
                "model(batch) has shape [batch, seq, d_vocab]; .argmax(-1) gives the predicted next token at each position.",
                "The prediction at position p is for the token at p + 1: compare predicted[:, half:2*half-1] with batch[:, half+1:2*half].",
                "Return the mean of the boolean array of matches, as a float.",
            ],
        ),
        solution(
            "10-accuracy",
            """
            # induction_accuracy(model, batch, half): the fraction of correct next-token predictions
            # (argmax of the logits) at positions half .. 2*half-2 of a batch [batch, 2*half].
            # BEGIN SOLUTION
            def induction_accuracy(model, batch, half):
                predicted = model(batch).argmax(-1)
                return float((predicted[:, half : 2 * half - 1] == batch[:, half + 1 : 2 * half]).mean())
            # END SOLUTION


            batch = repeated_random_tokens(16, V, batch=200, seed=1)
            print(f"our hand-built model: {induction_accuracy(model, batch, 16):.1%} of second-half tokens predicted")
            """,
        ),
        graded(
            "10-accuracy",
            """
            check.true(induction_accuracy(model, batch, 16) >= 0.99, "the hand-built model should predict >= 99% of the second half")
            random_model = tl.AttentionOnlyTransformer.random(2, 1, d_model, d_head, V, N, seed=3)
            check.true(induction_accuracy(random_model, batch, 16) < 0.5, "a random model should not score well: check which positions you compare")
            ### BEGIN HIDDEN TESTS
            logits = model(batch).argmax(-1)
            check.array(induction_accuracy(model, batch, 16), (logits[:, 16:31] == batch[:, 17:32]).mean(), name="induction_accuracy(model, batch, 16)")
            small = repeated_random_tokens(5, V, batch=50, seed=2)
            check.array(induction_accuracy(random_model, small, 5), (random_model(small).argmax(-1)[:, 5:9] == small[:, 6:10]).mean(), name="induction_accuracy on half = 5")
            ### END HIDDEN TESTS
            check.passed("10-accuracy", hidden=True)
            """,
            points=2,
            difficulty=2,
            minutes=8,
        ),
        code(
            """
            per_position = model.loss(batch, per_position=True)
            print("mean loss, first half predictions :", per_position[:15].mean().round(3))
            print("mean loss, second half predictions:", per_position[16:].mean().round(3))
            library_model = induction_transformer(d_vocab=V, n_ctx=N)
            print(f"the library's induction_transformer(): {induction_accuracy(library_model, batch, 16):.1%}")
            """
        ),
        md(
            r"""
            The library's `induction_transformer()` is built on the same plan with a different
            previous-token head (its positions are the features $[1, p, p^2]$, and a rank-2 QK
            circuit peaks at $k = p-1$): many sets of weights implement one circuit.
            """
        ),
        md(
            r"""
            The attention patterns show the two heads at work: layer 0 is a line just below
            the diagonal (the previous token); layer 1, in the second half, is a line
            half a sequence back, one step to the right — the **induction stripe**.
            """
        ),
        code(
            """
            tl.AttentionPatternWidget(model, batch[0], layer=1, head=0)
            """
        ),
        md(
            r"""
            ## 5. The whole circuit as diagrams, checked against the forward pass

            Hold the attention patterns fixed and the model becomes diagrams (chapter 09). Here
            everything but the induction head drops out: $W_U$ reads only `out`, which only the
            induction head writes, so the direct path, layer 0's own term and the virtual head
            are all zero — the logits *are* the induction head's term.
            """
        ),
        code(
            """
            tokens = batch[0]
            logits, cache = model.run_with_cache(tokens)
            for name, term in tl.path_expansion(model, tokens).items():
                print(f"{name:12s} |term| = {np.linalg.norm(term):8.3f}")
            """
        ),
        md(
            r"""
            **The QK side (inside the softmax box).** The induction head's scores are the sum of
            two diagrams: the K-composition term — the query token through $W_E W_Q^1$, meeting
            through $W_K^1$ the key side, which is layer 0's pattern $A^0$ on the position leg and
            its OV circuit $W_V^0 W_O^0$ on the model leg, applied to the embedded tokens — and
            the small positional term that pushes position 0 away. Draw the key side.
            """
        ),
        code(
            """
            n = len(tokens)
            T = np.eye(V)[tokens]
            A0 = cache["pattern.0"][0]
            scale = np.array(1 / root)

            # Query side along the top row, key side along the bottom row (T_q, W_Eq: the query's
            # tokens and embedding; T_k, W_Ek: the same arrays on the key side; c = 1/sqrt(d_head)).
            k_start = tl.Diagram()
            k_start.add_tensor("T_q", T, legs=["pos", "vocab"], position=(150, 0))
            k_start.add_tensor("W_Eq", W_E, legs=["vocab", "model"], position=(300, 0))
            k_start.add_tensor("W_Q1", W_Q[1, 0], legs=["model", "head"], position=(450, 0))
            k_start.add_tensor("W_K1", W_K[1, 0], legs=["model", "head"], position=(600, 0))
            k_start.add_tensor("W_O0", W_O[0, 0], legs=["head", "model"], position=(600, 170))
            k_start.add_tensor("W_V0", W_V[0, 0], legs=["model", "head"], position=(450, 170))
            k_start.add_tensor("W_Ek", W_E, legs=["vocab", "model"], position=(300, 170))
            k_start.add_tensor("T_k", T, legs=["pos", "vocab"], position=(150, 170))
            k_start.add_tensor("A0", A0, legs=["query", "key"], position=(0, 170))
            k_start.add_tensor("c", scale, legs=[], position=(720, 85))
            k_start.connect("T_q:vocab", "W_Eq:vocab")
            k_start.connect("W_Eq:model", "W_Q1:model")
            k_start.connect("W_Q1:head", "W_K1:head")

            k_answer = tl.Diagram.from_einsum(
                "qa,ad,dh,eh,ie,fi,bf,jb,kj,->qk",
                T, W_E, W_Q[1, 0], W_K[1, 0], W_O[0, 0], W_V[0, 0], W_E, T, A0, scale,
                names=["T_q", "W_Eq", "W_Q1", "W_K1", "W_O0", "W_V0", "W_Ek", "T_k", "A0", "c"],
            )
            positional_term = W_pos[:n] @ W_Q[1, 0] @ W_K[1, 0].T @ W_pos[:n].T / root
            """
        ),
        code(
            """
            ex_circuit = tl.DiagramExercise(
                "10-k-composition",
                title="Draw the key side of the induction circuit",
                task=(
                    "The query side (T_q - W_Eq - W_Q1 - W_K1) is wired. Wire the key side: W_K1 reads what layer 0 wrote: "
                    "W_O0 after W_V0 after W_Ek after T_k, moved from position to position by A0. "
                    "Open legs: the query position (T_q:pos) and the key position (A0:query)."
                ),
                start=k_start,
                answer=k_answer,
                difficulty=3,
                importance="core",
                minutes=12,
                hints=[
                    "Follow the key's model leg backwards: W_K1 reads W_O0's output, W_O0 reads W_V0's head leg, W_V0 reads W_E's model leg, W_E reads T's vocab.",
                    "Five wires: four along the model, head and vocab legs (W_K1, W_O0, W_V0, W_Ek, T_k in that order) and one on a position leg.",
                    "A0 moves a token from position j (its key leg) to position k (its query leg). Which of its legs reads T_k's positions, and which stays open?",
                ],
            )
            ex_circuit
            """
        ),
        solution(
            "10-k-composition",
            """
            # Answer by drawing above (then delete the `raise` line below), or in code here.
            # BEGIN SOLUTION
            drawn = k_start.copy()
            drawn.connect("W_K1:model", "W_O0:model")
            drawn.connect("W_O0:head", "W_V0:head")
            drawn.connect("W_V0:model", "W_Ek:model")
            drawn.connect("W_Ek:vocab", "T_k:vocab")
            drawn.connect("T_k:pos", "A0:key")
            ex_circuit.submit(drawn)
            # END SOLUTION
            """,
        ),
        graded(
            "10-k-composition",
            """
            ex_circuit.check()
            scores = cache["scores.1"][0]
            lower = np.tril(np.ones((n, n), dtype=bool))
            check.array(
                (ex_circuit.diagram.contract() + positional_term)[lower], scores[lower],
                name="your K-composition term + the positional term (should be the induction head's scores)",
            )
            check.passed("10-k-composition", hidden=False)
            """,
            points=3,
            difficulty=3,
            minutes=12,
        ),
        md(
            r"""
            Here is the QK side complete — the induction circuit's "where to look", every box a
            weight of the model, contracting to its scores:
            """
        ),
        code(
            """
            for t in k_start:
                k_answer.move(t.name, *t.position)
            k_answer
            """
        ),
        md(
            r"""
            **The OV side (outside the box).** With the pattern $A^1$ computed, the logits are the
            induction head's term: $A^1$ on the position leg; $W_E W_V^1 W_O^1 W_U$ — a copying
            OV circuit, ten times the identity in token space — on the other.
            """
        ),
        code(
            """
            A1 = cache["pattern.1"][0]
            ov_side = tl.Diagram.from_einsum(
                "qk,kb,bd,dh,hm,mv->qv", A1, T, W_E, W_V[1, 0], W_O[1, 0], W_U,
                names=["A1", "T", "W_E", "W_V1", "W_O1", "W_U"],
            )
            assert np.allclose(ov_side.contract(), logits)
            print("OV circuit of the induction head = 10 x identity:", np.allclose(ov_circuit(model, 1, 0), 10 * np.eye(V)))
            print("copying score:", copying_score(ov_circuit(model, 1, 0)))
            tl.DiagramWidget(ov_side)
            """
        ),
        md(
            r"""
            The library draws the same circuit for any model, `tl.induction_circuit_diagrams`:
            its `"keys"` diagram reads the whole residual stream on the query side (here that
            adds nothing, since $W_Q^1$ reads only `tok` and the positions, and the positional
            part meets nothing on the key side) and its `"output"` diagram is the OV side.
            """
        ),
        code(
            """
            parts = tl.induction_circuit_diagrams(model, tokens, prev_token_head=(0, 0), induction_head=(1, 0))
            assert np.allclose(parts["keys"].contract(), k_answer.contract())
            assert np.allclose(parts["output"].contract(), logits)
            print({name: d.names for name, d in parts.items()})
            """
        ),
        md(
            r"""
            Composition scores (chapter 09) see the circuit from the weights alone, without
            running the model: layer 1's head reads what layer 0's head writes through its keys
            — K-composition — and through nothing else: the Q- and V-scores are exactly 0.
            The K-score itself looks small because Frobenius norms spread over all directions:
            an identity-like circuit on 16 token directions scores at most $1/\sqrt{16}$, and
            the position-0 entries of $W_{QK}^1$ add to its norm without composing with anything.
            """
        ),
        code(
            """
            for kind in "QKV":
                print(f"{kind}-composition L0H0 -> L1H0: {composition_scores(model, kind)[0, 0]:.3f}")
            """
        ),
        *(_chapter_10_trained() if TRAINED_MODEL.exists() else []),
        md(
            r"""
            ## Summary

            * An induction head is a two-head circuit: a previous-token head (positional QK,
              OV moving the token one position on) and an induction head whose **key** reads
              what the first head wrote — K-composition — and whose OV circuit copies.
            * Built by hand from one-hot blocks, it predicts the repeated half of random
              sequences perfectly; every part of it is a diagram whose contraction is the
              model's own numbers.
            * In a trained model the same tools find it: the loss drop on repeated text, the
              previous-token and induction stripes in the attention patterns, a K-composition
              score that stands out, a copying OV circuit, and the K-composition diagram itself.

            This is where Taylor's paper ends — graphical notation, carried from a single
            tensor to a circuit inside a trained transformer.
            """
        ),
        code(
            """
            from tensorlessons.exercises import progress

            progress()
            """
        ),
    ]


def _chapter_10_trained() -> list[nbformat.NotebookNode]:
    """Section 6 of chapter 10: the shipped trained model (included once it exists)."""
    return [
        md(
            r"""
            ## 6. Finding the induction heads of a trained model

            Now a model nobody designed: a small two-layer attention-only transformer trained by
            gradient descent on sequences with repeated parts (it ships with tensorlessons,
            `load_trained_model()`). Its weights are dense and unlabelled — no blocks, no
            one-hot wires. Do the same methods find the circuit?

            **Behaviour first.** If the model has learned induction, its loss on the repeated
            half of a random sequence is far below its loss on the first half.
            """
        ),
        code(
            """
            trained = load_trained_model()
            print(trained)
            half = min(trained.n_ctx // 2, trained.d_vocab)
            rep = repeated_random_tokens(half, trained.d_vocab, batch=100, seed=5)
            per_position = trained.loss(rep, per_position=True)
            print(f"loss on the first half:  {per_position[: half - 1].mean():.3f}")
            print(f"loss on the second half: {per_position[half:].mean():.3f}")
            """
        ),
        md(
            r"""
            **Attention patterns.** A previous-token head puts its weight on the diagonal just
            below the main one ($k = q-1$). An induction head, on a repeated sequence, puts its
            weight on the *stripe* $k = q - \text{half} + 1$: the token after the earlier copy
            of the current token. Score every head by its average attention on those positions.
            """
        ),
        header(
            "10-find-heads",
            "Find the previous-token head and the induction head",
            difficulty=2,
            importance="core",
            minutes=10,
            hints=[
                "patterns = trained.attention_patterns(rep) has shape [batch, layer, head, query, key].",
                "Previous-token score of a layer-0 head: the mean of patterns[:, 0, h, q, q - 1] over the batch and q = 1 .. 2*half-1.",
                "Induction score of a layer-1 head: the mean of patterns[:, 1, h, q, q - half + 1] over the batch and q = half .. 2*half-1. Then np.argmax.",
            ],
        ),
        solution(
            "10-find-heads",
            """
            # prev_scores [n_heads]: layer-0 heads' mean attention on k = q-1 (q = 1 .. 2*half-1);
            # induction_scores [n_heads]: layer-1 heads' mean attention on k = q-half+1 (q = half .. 2*half-1);
            # prev_head, induction_head: the index of the best head of each kind.
            # BEGIN SOLUTION
            patterns = trained.attention_patterns(rep)
            q = np.arange(1, 2 * half)
            prev_scores = patterns[:, 0, :, q, q - 1].mean(axis=(0, 1))
            q = np.arange(half, 2 * half)
            induction_scores = patterns[:, 1, :, q, q - half + 1].mean(axis=(0, 1))
            prev_head, induction_head = int(np.argmax(prev_scores)), int(np.argmax(induction_scores))
            # END SOLUTION
            print("previous-token scores (layer 0):", np.round(prev_scores, 3), "-> head", prev_head)
            print("induction scores (layer 1):     ", np.round(induction_scores, 3), "-> head", induction_head)
            """,
        ),
        graded(
            "10-find-heads",
            """
            P = trained.attention_patterns(rep)
            check.shape(prev_scores, (trained.n_heads,), name="prev_scores")
            check.shape(induction_scores, (trained.n_heads,), name="induction_scores")
            qq = np.arange(half, 2 * half)
            expected = np.array([P[:, 1, h][:, qq, qq - half + 1].mean() for h in range(trained.n_heads)])
            check.array(induction_scores, expected, name="induction_scores")
            check.equal(induction_head, int(np.argmax(expected)), name="induction_head")
            ### BEGIN HIDDEN TESTS
            qq = np.arange(1, 2 * half)
            expected_prev = np.array([P[:, 0, h][:, qq, qq - 1].mean() for h in range(trained.n_heads)])
            check.array(prev_scores, expected_prev, name="prev_scores")
            check.equal(prev_head, int(np.argmax(expected_prev)), name="prev_head")
            ### END HIDDEN TESTS
            check.passed("10-find-heads", hidden=True)
            """,
            points=2,
            difficulty=2,
            minutes=10,
        ),
        md(
            r"""
            `argmax` names one head of each kind, but nothing forces a trained model to have
            only one: gradient descent often learns the same circuit more than once. List
            every head that clearly does the job:
            """
        ),
        code(
            """
            print("previous-token heads (score > 0.5):", [f"L0H{h}" for h in np.flatnonzero(prev_scores > 0.5)])
            print("induction heads (score > 0.3):     ", [f"L1H{h}" for h in np.flatnonzero(induction_scores > 0.3)])
            """
        ),
        md(
            r"""
            **Weights second.** Behaviour names suspects; the circuit must be in the weights.
            An induction head should read the previous-token head through its **keys** — a
            K-composition score that stands out of the table — and its OV circuit should
            **copy** (a copying score near 1). Heads that attend elsewhere have no reason to do
            either.
            """
        ),
        code(
            """
            K_table = composition_scores(trained, "K")
            print("K-composition, rows: layer-0 heads, columns: layer-1 heads")
            print(K_table.round(3))
            print("strongest K-composition pair: L0H%d -> L1H%d" % np.unravel_index(K_table.argmax(), K_table.shape))
            print(f"our suspects: L0H{prev_head} -> L1H{induction_head}, K-composition {K_table[prev_head, induction_head]:.3f}")
            print("copying scores of the layer-1 OV circuits:",
                  [round(copying_score(ov_circuit(trained, 1, h)), 3) for h in range(trained.n_heads)])
            """
        ),
        md(
            r"""
            **And the circuit itself, as a diagram.** The K-composition diagram of section 5,
            filled with the trained model's weights and its previous-token head's pattern, is
            an exact term of the induction head's scores (built here by
            `tl.induction_circuit_diagrams`, checked against the forward pass). On the repeated
            half, its largest entry in each row should sit on the induction stripe.
            """
        ),
        code(
            """
            tokens = rep[0]
            n = len(tokens)
            parts = tl.induction_circuit_diagrams(
                trained, tokens, prev_token_head=(0, prev_head), induction_head=(1, induction_head)
            )
            k_term = parts["keys"].contract()
            # The oracle: the same term from the forward pass's own numbers.
            _, tcache = trained.run_with_cache(tokens)
            X, x0 = tcache["resid.1"], tcache["embed"]
            moved = tcache["pattern.0"][prev_head] @ x0 @ trained.W_V[0, prev_head] @ trained.W_O[0, prev_head]
            oracle = (X @ trained.W_Q[1, induction_head]) @ (moved @ trained.W_K[1, induction_head]).T / np.sqrt(trained.d_head)
            assert np.allclose(k_term, oracle)

            qs = np.arange(half, n)
            masked = np.where(np.tril(np.ones((n, n), dtype=bool)), k_term, -np.inf)
            on_stripe = (masked[qs].argmax(axis=1) == qs - half + 1).mean()
            print(f"rows of the second half whose largest K-composition score is on the induction stripe: {on_stripe:.0%}")
            # Lay it out like section 5's picture: query side on top, key side below.
            layout = {"X": (170, 0), "W_Q": (340, 0), "W_K": (510, 0), "W_O_prev": (510, 170),
                      "W_V_prev": (340, 170), "x0": (170, 170), "A_prev": (0, 170), "scale": (650, 85)}
            for name, (px, py) in layout.items():
                parts["keys"].move(name, px, py)
            parts["keys"]
            """
        ),
        code(
            """
            tl.AttentionPatternWidget(trained, tokens, layer=1, head=induction_head)
            """
        ),
    ]


# ======================================================================================
# main
# ======================================================================================

BUILDERS = {
    "07_neural_networks": chapter_07,
    "08_transformer": chapter_08,
    "09_circuits": chapter_09,
    "10_induction_heads": chapter_10,
}


def build(names: list[str] | None = None, *, check: bool = False) -> list[Path]:
    """Write the chapters (or, with ``check``, list those whose file differs)."""
    CHAPTERS.mkdir(exist_ok=True)
    written = []
    for name, fn in BUILDERS.items():
        if names and not any(name.startswith(n) for n in names):
            continue
        path = CHAPTERS / f"{name}.ipynb"
        nb = notebook(fn(), prefix=f"c{name[:2]}")
        nbformat.validate(nb)
        if check:
            on_disk = nbformat.read(path, as_version=4) if path.exists() else None
            if on_disk != nbformat.reads(nbformat.writes(nb), as_version=4):
                written.append(path)
            continue
        nbformat.write(nb, path)
        written.append(path)
    return written


_SOLUTION = re.compile(r"# BEGIN SOLUTION\n.*?# END SOLUTION", re.S)


def _strip(cell: nbformat.NotebookNode) -> None:
    """Replace the solution region as nbgrader's release does."""
    cell.source = _SOLUTION.sub("raise NotImplementedError()", cell.source)


def verify(path: Path, timeout: int = 120) -> list[str]:
    """Every graded cell must fail when the solution before it is removed."""
    import tempfile

    from nbclient import NotebookClient

    problems = []
    nb = nbformat.read(path, as_version=4)
    sols = [
        k
        for k, c in enumerate(nb.cells)
        if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")
    ]
    for k in sols:
        gid = nb.cells[k].metadata["nbgrader"]["grade_id"].removesuffix("-code")
        test = next(
            j
            for j in range(k + 1, len(nb.cells))
            if nb.cells[j].metadata.get("nbgrader", {}).get("grade_id") == gid
        )
        trial = nbformat.from_dict(nb)
        _strip(trial.cells[k])
        trial.cells = trial.cells[: test + 1]
        # A fresh folder each time: no saved drawn answers (tensorlessons_answers/) to reuse.
        with tempfile.TemporaryDirectory() as tmp:
            client = NotebookClient(
                trial,
                timeout=timeout,
                kernel_name="python3",
                allow_errors=True,
                resources={"metadata": {"path": tmp}},
            )
            client.execute()
        outs = trial.cells[test].outputs
        failed = any(o.get("output_type") == "error" for o in outs)
        print(
            f"  {gid}: {'fails without its solution (good)' if failed else 'PASSES WITHOUT ITS SOLUTION'}"
        )
        if not failed:
            problems.append(f"{path.name}: {gid}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", help="chapter prefixes (default: all)")
    parser.add_argument(
        "--verify", action="store_true", help="check graded cells fail without solutions"
    )
    parser.add_argument(
        "--check", action="store_true", help="only check that the chapters are up to date"
    )
    args = parser.parse_args()
    if args.check:
        stale = build(args.chapters, check=True)
        for p in stale:
            print("out of date:", p.relative_to(ROOT))
        return 1 if stale else 0
    paths = build(args.chapters)
    for p in paths:
        print("wrote", p.relative_to(ROOT))
    if args.verify:
        problems = []
        for p in paths:
            print("verifying", p.name)
            problems += verify(p)
        if problems:
            print("graded cells that pass without their solution:", *problems, sep="\n  ")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
