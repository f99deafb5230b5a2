"""Wrong answers a learner is likely to give in chapter 08, and correct alternatives.

Each code string replaces the solution region of the exercise's solution cell; every
"wrong" one must make the graded cell fail with a message matching its pattern, every
"right" one must pass.
"""

SOFTMAX = """
e = np.exp(masked - masked.max(axis=-1, keepdims=True))
A = e / e.sum(axis=-1, keepdims=True)
"""

CASES = {
    "08-embed": {
        "wrong": [
            (
                "the positional embedding left out",
                "x0 = token_part.contract()",
                r"token embedding alone",
            ),
            (
                "positions counted from 1",
                "x0 = token_part.contract() + model.W_pos[1 : n + 1]",
                r"rows 1\.\.n of W_pos",
            ),
            (
                "rows 0..n-1 of W_E instead of the tokens' rows",
                "x0 = model.W_E[:n] + model.W_pos[:n]",
                r"rows of the tokens",
            ),
            (
                "the model replaced to make the check easy",
                "model = tl.AttentionOnlyTransformer.random(1, 2, 16, 4, d_vocab=12, n_ctx=10, seed=5)\n"
                "x0 = model.embed(tokens)",
                r"token part of x0",
            ),
        ],
        "right": [
            ("a lookup instead of the contraction", "x0 = model.W_E[tokens] + model.W_pos[:n]"),
            ("one-hot matrix product", "x0 = T @ model.W_E + model.W_pos[: len(tokens)]"),
        ],
    },
    "08-pattern": {
        "wrong": [
            (
                "the diagonal masked too (k >= q)",
                "mask = np.triu(np.ones((n, n), dtype=bool), k=0)\n"
                "masked = np.where(mask, -np.inf, scores)" + SOFTMAX,
                r"NaN.*attend to itself",
            ),
            ("no mask", "masked = scores" + SOFTMAX, r"later keys"),
            (
                "the past masked instead of the future",
                "mask = np.tril(np.ones((n, n), dtype=bool), k=-1)\n"
                "masked = np.where(mask, -np.inf, scores)" + SOFTMAX,
                r"later keys",
            ),
            (
                "softmax over the queries (axis 0)",
                "mask = np.triu(np.ones((n, n), dtype=bool), k=1)\n"
                "masked = np.where(mask, -np.inf, scores)\n"
                "e = np.exp(masked - masked.max(axis=0, keepdims=True))\n"
                "A = e / e.sum(axis=0, keepdims=True)",
                r"columns of A sum to 1|row sums",
            ),
            (
                "the pattern transposed",
                "mask = np.triu(np.ones((n, n), dtype=bool), k=1)\n"
                "masked = np.where(mask, -np.inf, scores)" + SOFTMAX + "A = A.T",
                r"transposed",
            ),
            (
                "scores overwritten",
                "scores = np.zeros((n, n))\nmask = np.triu(np.ones((n, n), dtype=bool), k=1)\n"
                "masked = np.where(mask, -np.inf, scores)" + SOFTMAX,
                r"scores \(changed",
            ),
        ],
        "right": [
            (
                "a large negative number instead of -inf, no max subtracted",
                "masked = scores - 1e9 * np.triu(np.ones((n, n)), k=1)\n"
                "A = np.exp(masked) / np.exp(masked).sum(axis=1)[:, None]",
            ),
            (
                "a loop over queries",
                "A = np.zeros((n, n))\nfor q in range(n):\n"
                "    w = np.exp(scores[q, : q + 1] - scores[q, : q + 1].max())\n"
                "    A[q, : q + 1] = w / w.sum()",
            ),
        ],
    },
    "08-ov": {
        "wrong": [
            (
                "the pattern wired by its query leg",
                "drawn = ov_start.copy()\ndrawn.connect('A:query', 'x:pos')\n"
                "drawn.connect('x:model', 'W_V:model')\ndrawn.connect('W_V:head', 'W_O:head')\n"
                "ex_ov.submit(drawn)",
                r"A:query|A:key",
            ),
            (
                "W_O read from the stream (dimensions fit, meaning does not)",
                "drawn = ov_start.copy()\ndrawn.connect('A:key', 'x:pos')\n"
                "drawn.connect('x:model', 'W_O:model_out')\nex_ov.submit(drawn)",
                r"not right yet",
            ),
            (
                "the position wire missing (half done)",
                "drawn = ov_start.copy()\ndrawn.connect('x:model', 'W_V:model')\n"
                "drawn.connect('W_V:head', 'W_O:head')\nex_ov.submit(drawn)",
                r"open leg",
            ),
        ],
        "right": [
            (
                "from an einsum",
                "ex_ov.submit(tl.Diagram.from_einsum('qk,kd,dh,hm->qm', *(ov_start[n] for n in\n"
                "    ['A', 'x', 'W_V', 'W_O']), names=['A', 'x', 'W_V', 'W_O']))",
            ),
            (
                "wires in another order",
                "drawn = ov_start.copy()\ndrawn.connect('W_O:head', 'W_V:head')\n"
                "drawn.connect('W_V:model', 'x:model')\ndrawn.connect('x:pos', 'A:key')\n"
                "ex_ov.submit(drawn)",
            ),
        ],
    },
    "08-multihead": {
        "wrong": [
            (
                "the head leg left open",
                "layer_diagram = tl.Diagram.from_einsum('hqk,kd,hde,hem->hqm', A_all, x0, W_V_all,\n"
                "    W_O_all, names=['A', 'x', 'W_V', 'W_O'])",
                r"head leg is still open",
            ),
            (
                "a head letter per tensor (no copy tensor)",
                "layer_diagram = tl.Diagram.from_einsum('hqk,kd,gde,gem->qm', A_all, x0, W_V_all,\n"
                "    W_O_all, names=['A', 'x', 'W_V', 'W_O'])",
                r"share one head letter",
            ),
            (
                "the pattern's legs swapped",
                "layer_diagram = tl.Diagram.from_einsum('hkq,kd,hde,hem->qm', A_all, x0, W_V_all,\n"
                "    W_O_all, names=['A', 'x', 'W_V', 'W_O'])",
                r"legs swapped",
            ),
            (
                "the model's output wrapped in a diagram (recall, not compute)",
                "out = model.run_with_cache(tokens)[1]['head_out.0'].sum(axis=0)\n"
                "layer_diagram = tl.Diagram.from_einsum('qm->qm', out, names=['out'])",
                r"no tensor holding A_all",
            ),
        ],
        "right": [
            (
                "other letters, the copy tensor drawn by add_copy",
                "layer_diagram = tl.Diagram()\n"
                "layer_diagram.add_tensor('A', A_all, legs=['h', 'q', 'k'], indices=['h1', 'q', 'k'])\n"
                "layer_diagram.add_tensor('x', x0, legs=['p', 'm'], indices=['k', 'd'])\n"
                "layer_diagram.add_tensor('W_V', W_V_all, legs=['h', 'm', 'e'], indices=['h2', 'd', 'e'])\n"
                "layer_diagram.add_tensor('W_O', W_O_all, legs=['h', 'e', 'm'], indices=['h3', 'e', 'o'])\n"
                "layer_diagram.add_copy('heads', 2, n_legs=3, indices=['h1', 'h2', 'h3'])\n"
                "layer_diagram.set_output(['q', 'o'])",
            ),
            (
                "other letters",
                "layer_diagram = tl.Diagram.from_einsum('zab,bc,zcy,zyw->aw', A_all,\n"
                "    x0, W_V_all, W_O_all)",
            ),
        ],
    },
}
