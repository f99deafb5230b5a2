"""Wrong answers a learner is likely to give in chapter 07, and correct alternatives.

Each code string replaces the solution region of the exercise's solution cell; every
"wrong" one must make the graded cell fail with a message matching its pattern, every
"right" one must pass.
"""

AFFINE = '\naffine = tl.Diagram.from_einsum("i,io->o", x_aug, W_aug, names=["x", "W"])'

CASES = {
    "07-bias": {
        "wrong": [
            (
                "appends 0 instead of the constant 1",
                "x_aug = np.append(x, 0.0)\nW_aug = np.vstack([W, b])" + AFFINE,
                r"x with one more entry, the constant 1",
            ),
            (
                "stacks ones instead of the bias",
                "x_aug = np.append(x, 1.0)\nW_aug = np.vstack([W, np.ones(d_out)])" + AFFINE,
                r"all ones",
            ),
            (
                "bias on top, constant at the end (mismatched ends)",
                "x_aug = np.append(x, 1.0)\nW_aug = np.vstack([b, W])" + AFFINE,
                r"row 4 of W_aug.*bias",
            ),
            (
                "the diagram built from x and W (bias left out)",
                "x_aug = np.append(x, 1.0)\nW_aug = np.vstack([W, b])\n"
                'affine = tl.Diagram.from_einsum("i,io->o", x, W, names=["x", "W"])',
                r"without the bias",
            ),
            (
                "overwrites b with zeros to make it pass",
                "b = np.zeros(d_out)\nx_aug = np.append(x, 1.0)\nW_aug = np.vstack([W, b])"
                + AFFINE,
                r"row 4 of W_aug",
            ),
        ],
        "right": [
            (
                "the constant leg first",
                "x_aug = np.concatenate([[1.0], x])\nW_aug = np.vstack([b, W])" + AFFINE,
            ),
            (
                "np.r_ and np.insert",
                "x_aug = np.r_[x, 1]\nW_aug = np.insert(W, d_in, b, axis=0)" + AFFINE,
            ),
        ],
    },
    "07-chain": {
        "wrong": [
            (
                "only x joined to W1",
                "drawn = start.copy()\ndrawn.connect('x:i', 'W1:i')\nex_chain.submit(drawn)",
                r"open leg",
            ),
            (
                "only W1 joined to W2",
                "drawn = start.copy()\ndrawn.connect('W1:h', 'W2:h')\nex_chain.submit(drawn)",
                r"open leg",
            ),
            ("nothing drawn", "pass", r"open leg"),
        ],
        "right": [
            (
                "written as an einsum",
                "ex_chain.submit(tl.Diagram.from_einsum('i,ih,ho->o', start['x'], start['W1'],\n"
                "    start['W2'], names=['x', 'W1', 'W2']))",
            ),
            (
                "wires drawn from the other end",
                "drawn = start.copy()\ndrawn.connect('W2:h', 'W1:h')\n"
                "drawn.connect('W1:i', 'x:i')\nex_chain.submit(drawn)",
            ),
        ],
    },
    "07-permute": {
        "wrong": [
            (
                "the inverse permutation",
                "inv = np.argsort(perm)\nW1_p = W1[:, inv]\nW2_p = W2[inv]",
                r"inverse permutation",
            ),
            ("W2 left as it was", "W1_p = W1[:, perm]\nW2_p = W2.copy()", r"W2_p equals W2"),
            (
                "W2 reordered the other way",
                "W1_p = W1[:, perm]\nW2_p = W2[np.argsort(perm)]",
                r"W2_p \(row k should",
            ),
            (
                "the permutation overwritten by the identity",
                "perm = np.arange(6)\nW1_p = W1[:, perm]\nW2_p = W2[perm]",
                r"perm \(changed",
            ),
            (
                "rows of W1 instead of columns (recall of 'index with perm')",
                "W1_p = W1.copy()\nW1_p[:, :4] = W1[:, :4][perm[perm < 4]]\nW2_p = W2[perm]",
                r"W1_p",
            ),
        ],
        "right": [
            ("a permutation matrix", "P = np.eye(d_hidden)[perm]\nW1_p = W1 @ P.T\nW2_p = P @ W2"),
            ("np.take", "W1_p = np.take(W1, perm, axis=1)\nW2_p = np.take(W2, perm, axis=0)"),
        ],
    },
    "07-rescale": {
        "wrong": [
            (
                "multiplies on the way out too",
                "W1_s = W1 * s\nW2_s = W2 * s[:, None]",
                r"a second time",
            ),
            ("forgets to undo the scaling", "W1_s = W1 * s\nW2_s = W2.copy()", r"W2_s equals W2"),
            (
                "scales down on the way in",
                "W1_s = W1 / s\nW2_s = W2 * s[:, None]",
                r"divides neuron k by s\[k\]",
            ),
            (
                "scales the rows of W1 (the input leg)",
                "W1_s = W1 * s[:4, None]\nW2_s = W2 / s[:, None]",
                r"W1_s \(column k",
            ),
            (
                "divides W2 by the total scale",
                "W1_s = W1 * s\nW2_s = W2 / s.prod()",
                r"W2_s \(row k",
            ),
        ],
        "right": [
            ("diagonal matrices", "W1_s = W1 @ np.diag(s)\nW2_s = np.diag(1 / s) @ W2"),
            (
                "an inverse",
                "W1_s = np.einsum('ih,h->ih', W1, s)\nW2_s = np.linalg.inv(np.diag(s)) @ W2",
            ),
        ],
    },
    "07-legal-moves": {
        "wrong": [
            (
                "half done: two moves answered",
                "legal['relu(x W1) W2 == relu(x W1 W2)'] = False\n"
                "legal['relu(a + b) == relu(a) + relu(b)'] = False",
                r"True or False.*is None",
            ),
            (
                "any diagonal passes (the sign slip)",
                "legal = {\n"
                "    'relu(x W1) W2 == relu(x W1 W2)': False,\n"
                "    'relu(x W1 P) == relu(x W1) P  (P a permutation)': True,\n"
                "    'relu(x W1 D) == relu(x W1) D  (D diagonal, positive)': True,\n"
                "    'relu(x W1 D) == relu(x W1) D  (D diagonal, any sign)': True,\n"
                "    'relu(a + b) == relu(a) + relu(b)': False,\n}",
                r"1 of 5 answers are wrong.*any sign",
            ),
            (
                "everything is legal",
                "legal = {m: True for m in [\n"
                "    'relu(x W1) W2 == relu(x W1 W2)',\n"
                "    'relu(x W1 P) == relu(x W1) P  (P a permutation)',\n"
                "    'relu(x W1 D) == relu(x W1) D  (D diagonal, positive)',\n"
                "    'relu(x W1 D) == relu(x W1) D  (D diagonal, any sign)',\n"
                "    'relu(a + b) == relu(a) + relu(b)']}",
                r"3 of 5 answers are wrong",
            ),
            (
                "answered as strings",
                "legal = {\n"
                "    'relu(x W1) W2 == relu(x W1 W2)': 'no',\n"
                "    'relu(x W1 P) == relu(x W1) P  (P a permutation)': 'yes',\n"
                "    'relu(x W1 D) == relu(x W1) D  (D diagonal, positive)': 'yes',\n"
                "    'relu(x W1 D) == relu(x W1) D  (D diagonal, any sign)': 'no',\n"
                "    'relu(a + b) == relu(a) + relu(b)': 'no',\n}",
                r"True or False",
            ),
        ],
        "right": [
            (
                "computed from random counterexamples",
                "g = np.random.default_rng(5)\nZ_, W_ = g.normal(size=(20, 6)), g.normal(size=(6, 3))\n"
                "P_ = np.eye(6)[g.permutation(6)]\nDp = np.diag(g.uniform(0.1, 2, 6))\n"
                "Da = np.diag(g.normal(size=6))\nu, v = g.normal(size=6), g.normal(size=6)\n"
                "r = lambda z: np.maximum(z, 0)\n"
                "legal = {\n"
                "    'relu(x W1) W2 == relu(x W1 W2)': bool(np.allclose(r(Z_) @ W_, r(Z_ @ W_))),\n"
                "    'relu(x W1 P) == relu(x W1) P  (P a permutation)': bool(np.allclose(r(Z_ @ P_), r(Z_) @ P_)),\n"
                "    'relu(x W1 D) == relu(x W1) D  (D diagonal, positive)': bool(np.allclose(r(Z_ @ Dp), r(Z_) @ Dp)),\n"
                "    'relu(x W1 D) == relu(x W1) D  (D diagonal, any sign)': bool(np.allclose(r(Z_ @ Da), r(Z_) @ Da)),\n"
                "    'relu(a + b) == relu(a) + relu(b)': bool(np.allclose(r(u + v), r(u) + r(v))),\n}",
            ),
        ],
    },
}
