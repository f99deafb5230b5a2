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
import re
import sys
import textwrap
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ROOT / "chapters"

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
    hint_lines = ",\n".join(f"        {h!r}" for h in hints)
    return code(
        f"""
        Exercise(
            {gid!r},
            title={title!r},
            difficulty={difficulty},
            importance={importance!r},
            minutes={minutes},
            hints=[
        {hint_lines},
            ],
        )
        """
    )


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


def notebook(cells: list[nbformat.NotebookNode]) -> nbformat.NotebookNode:
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
            language on neural networks, following section 4 of Taylor (2024), and asks the
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
            example (the next chapter's attention scores have exactly this shape). The two copies
            of $X$ must read the *same* example $b$, and the result keeps $b$ too: three legs that
            must agree. That is a 3-leg copy tensor (a dot), one leg to each copy of $X$ and one
            left open. In einsum, a letter that appears in three places (`bi,ij,bj->b`) is the same
            hyperedge.

            Below we build it by hand with `Diagram.add_copy`, and compare with `numpy.einsum`.
            """
        ),
        code(
            """
            M = rng.normal(size=(d_in, d_in))

            quad = tl.Diagram()
            quad.add_tensor("X1", X, legs=["b", "i"])
            quad.add_tensor("M", M, legs=["i", "j"])
            quad.add_tensor("X2", X, legs=["b", "j"])
            quad.add_copy("batch", B, n_legs=3)
            quad.connect("X1:i", "M:i")
            quad.connect("M:j", "X2:j")
            quad.connect("batch:i", "X1:b")
            quad.connect("batch:j", "X2:b")  # the copy tensor's third leg stays open
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
            example on both sides".

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
                "W_aug has one more row than W: the bias b as the last row (np.vstack([W, b])).",
                "The diagram is the same as in section 1: from_einsum('i,io->o', x_aug, W_aug, names=[...]).",
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
                    "Drag x's leg i onto W1's leg i, then W1's leg h onto W2's leg h.",
                ],
            )
            ex_chain
            """
        ),
        solution(
            "07-chain",
            """
            # Draw the wires in the widget above — or build the diagram in code and submit it.
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
            """
        ),
        code(
            """
            def relu(z):
                return np.maximum(z, 0.0)


            inside = tl.Diagram.from_einsum("bi,ih->bh", X, W1, names=["X", "W1"])
            H = relu(inside.contract())  # the box: applied entry by entry
            outside = tl.Diagram.from_einsum("bh,ho->bo", H, W2, names=["ReLU(X W1)", "W2"])

            mlp_out = outside.contract()
            assert np.allclose(mlp_out, relu(X @ W1) @ W2)

            collapsed = relu(X @ (W1 @ W2))  # the move the box forbids
            print("ReLU(X W1) W2 - ReLU(X W1 W2), largest difference:", np.abs(mlp_out[:, :] - collapsed).max())
            outside
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
                "W1_p = W1[:, perm] and W2_p = W2[perm, :]: then relu(X @ W1_p) @ W2_p == relu(X @ W1) @ W2.",
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
                "On the way out, undo it: row k of W2 divided by s[k] — np.diag(1 / s) @ W2, or W2 / s[:, None].",
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
                "Two of the five are legal: the permutation and the positive scaling.",
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
                "x0 = token_part.contract() + model.W_pos[:n]",
            ],
        ),
        solution(
            "08-embed",
            """
            # The residual stream entering layer 0, shape [seq, d_model].
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
                names=["x (query)", "W_Q", "W_K", "x (key)", "1/sqrt(d_head)"],
            )
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
            ov_start.add_tensor("A", A, legs=["query", "key"])
            ov_start.add_tensor("x", x0, legs=["pos", "model"])
            ov_start.add_tensor("W_V", W_V, legs=["model", "head"])
            ov_start.add_tensor("W_O", W_O, legs=["head", "model_out"])
            ov_start.auto_layout()

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
            # Draw the three wires in the widget above — or in code, then submit.
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
                "A_all is 'hqk', x0 is 'kd', W_V_all is 'hde', W_O_all is 'hem'; the output keeps q and m.",
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
            through_heads
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
# main
# ======================================================================================

BUILDERS = {
    "07_neural_networks": chapter_07,
    "08_transformer": chapter_08,
}


def build(names: list[str] | None = None) -> list[Path]:
    CHAPTERS.mkdir(exist_ok=True)
    written = []
    for name, fn in BUILDERS.items():
        if names and not any(name.startswith(n) for n in names):
            continue
        path = CHAPTERS / f"{name}.ipynb"
        nb = notebook(fn())
        nbformat.validate(nb)
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
    args = parser.parse_args()
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
