"""Wrong answers a learner is likely to give in chapter 09, and correct alternatives.

Each code string replaces the solution region of the exercise's solution cell; every
"wrong" one must make the graded cell fail with a message matching its pattern, every
"right" one must pass.
"""

SVD = """
centred = log_P - log_P.mean(axis=1, keepdims=True)
U, S, Vt = np.linalg.svd(centred)
"""

HEAD_TERM = """
terms = {"direct": x0 @ model.W_U}
for h in range(3):
    terms[f"L0H{h}"] = tl.Diagram.from_einsum(
        "PATTERN,kd,de,em,mv->qv", A[h], x0, model.W_V[0, WHICH], model.W_O[0, h],
        model.W_U).contract()
"""

OV = """
ov_diagram = tl.Diagram.from_einsum("ad,de,em,mc->ac", model.W_E, model.W_V[0, h],
                                    model.W_O[0, h], model.W_U)
ov_singular_values = np.linalg.svd(ov_diagram.contract(), compute_uv=False)
"""

READ = """
U, s, Vt = np.linalg.svd(M_mystery)
top_share = s[0] ** 2 / np.sum(s**2)
attended = sorted(np.argsort(-np.abs(U[:, 0]))[:2].tolist())
b_top = int(np.argmax(np.abs(U[:, 0])))
"""

DRAW = """
drawn = vh_start.copy()
for a, b in WIRES:
    drawn.connect(a, b)
ex_virtual.submit(drawn)
"""
RIGHT_WIRES = [
    ("A1:key", "A0:query"),
    ("A0:key", "x0:pos"),
    ("x0:model", "W_OV0:in"),
    ("W_OV0:out", "W_OV1:in"),
    ("W_OV1:out", "W_U:model"),
]


def _draw(wires):
    return DRAW.replace("WIRES", repr(wires))


def _scores(body):
    return (
        "def random_scores(d_model, d_head, n, rng):\n"
        "    out = []\n    for _ in range(n):\n"
        + body
        + "        out.append(tl.composition_score(W_A, W_B))\n"
        "    return np.array(out)\n"
    )


LOW_RANK = (
    "        W_A = rng.normal(size=(d_model, d_head)) @ rng.normal(size=(d_head, d_model))\n"
    "        W_B = rng.normal(size=(d_model, d_head)) @ rng.normal(size=(d_head, d_model))\n"
)

CASES = {
    "09-bigram": {
        "wrong": [
            (
                "the SVD of log_P itself (rows not centred)",
                "U, S, Vt = np.linalg.svd(log_P)\nW_E = U[:, :4] * S[:4]\nW_U = Vt[:4]",
                r"best rank-4 approximation of log_P itself",
            ),
            (
                "the columns centred instead of the rows",
                "c = log_P - log_P.mean(axis=0)\nU, S, Vt = np.linalg.svd(c)\n"
                "W_E = U[:, :4] * S[:4]\nW_U = Vt[:4]",
                r"centred the columns",
            ),
            (
                "the singular values left out",
                SVD + "W_E = U[:, :4]\nW_U = Vt[:4]",
                r"distance to the centred table is .*best rank-4 distance",
            ),
            (
                "the smallest singular values kept (ascending order assumed)",
                SVD + "W_E = U[:, -4:] * S[-4:]\nW_U = Vt[-4:]",
                r"best rank-4 distance",
            ),
            (
                "W_U transposed",
                SVD + "W_E = U[:, :4] * S[:4]\nW_U = Vt[:4].T",
                r"W_U \[d_model, d_vocab\] has shape \(12, 4\)",
            ),
            (
                "log_P overwritten",
                "log_P = np.zeros((12, 12))\nU, S, Vt = np.linalg.svd(log_P)\n"
                "W_E = U[:, :4] * S[:4]\nW_U = Vt[:4]",
                r"W_E @ W_U, rows centred",
            ),
        ],
        "right": [
            ("all of S on W_E's side", SVD + "W_E = U[:, :4] * S[:4]\nW_U = Vt[:4]"),
            (
                "another basis: W_E R and R^-1 W_U",
                SVD + "R = np.random.default_rng(3).normal(size=(4, 4))\n"
                "W_E = (U[:, :4] * S[:4]) @ R\nW_U = np.linalg.inv(R) @ Vt[:4]",
            ),
            (
                "centred by the log-sum-exp instead of the mean",
                "c = log_P - np.log(np.exp(log_P).sum(axis=1, keepdims=True))\n"
                "c = c - c.mean(axis=1, keepdims=True)\nU, S, Vt = np.linalg.svd(c)\n"
                "W_E, W_U = U[:, :4], S[:4, None] * Vt[:4]",
            ),
        ],
    },
    "09-basis": {
        "wrong": [
            ("the identity (same model, so no change)", "R = np.eye(4)", r"identity"),
            (
                "the inverse change (run b to run a)",
                "R = np.linalg.pinv(W_E_b) @ W_E_a",
                r"maps run b to run a",
            ),
            ("a transpose instead of an inverse", "R = W_E_a.T @ W_E_b", r"orthonormal"),
            (
                "read off the unembedding the wrong way round",
                "R = W_U_b @ np.linalg.pinv(W_U_a)",
                r"maps run b to run a|W_E_a @ R",
            ),
        ],
        "right": [
            ("least squares", "R = np.linalg.lstsq(W_E_a, W_E_b, rcond=None)[0]"),
            ("from the unembeddings", "R = W_U_a @ np.linalg.pinv(W_U_b)"),
            ("from four rows", "R = np.linalg.solve(W_E_a[:4], W_E_b[:4])"),
        ],
    },
    "09-head-terms": {
        "wrong": [
            (
                "the direct path without positions",
                HEAD_TERM.replace("PATTERN", "qk")
                .replace("WHICH", "h")
                .replace("x0 @ model.W_U}", "T_ @ model.W_E @ model.W_U}")
                .replace("terms =", "T_ = np.eye(12)[tokens]\nterms ="),
                r"positional embedding",
            ),
            (
                "the pattern transposed",
                HEAD_TERM.replace("PATTERN", "kq").replace("WHICH", "h"),
                r"pattern transposed",
            ),
            (
                "head 0's values for every head (a loop slip)",
                HEAD_TERM.replace("PATTERN", "qk").replace("WHICH", "0"),
                r"terms\['L0H1'\]",
            ),
            (
                "the unembedding left out",
                "terms = {'direct': x0 @ model.W_U}\nfor h in range(3):\n"
                "    terms[f'L0H{h}'] = A[h] @ x0 @ model.W_V[0, h] @ model.W_O[0, h]",
                r"\[seq, d_vocab\] has shape \(10, 16\)",
            ),
        ],
        "right": [
            ("the library", "terms = tl.path_expansion(model, tokens)"),
            (
                "matrix products",
                "terms = {'direct': x0 @ model.W_U}\nfor h in range(3):\n"
                "    terms[f'L0H{h}'] = A[h] @ x0 @ model.W_OV[0, h] @ model.W_U",
            ),
        ],
    },
    "09-ov-circuit": {
        "wrong": [
            (
                "the rank read off as d_head (recall)",
                OV + "ov_rank = model.d_head",
                r"bound, not this circuit's rank",
            ),
            (
                "every nonzero singular value counted",
                OV + "ov_rank = int((ov_singular_values > 0).sum())",
                r"rounding errors",
            ),
            (
                "the QK circuit instead",
                "ov_diagram = tl.Diagram.from_einsum('ad,dh,eh,be->ab', model.W_E, model.W_Q[0, h],\n"
                "    model.W_K[0, h], model.W_E)\n"
                "ov_singular_values = np.linalg.svd(ov_diagram.contract(), compute_uv=False)\n"
                "ov_rank = 3",
                r"QK circuit",
            ),
            (
                "the chain read backwards (transposed)",
                "ov_diagram = tl.Diagram.from_einsum('ad,de,em,mc->ca', model.W_E, model.W_V[0, h],\n"
                "    model.W_O[0, h], model.W_U)\n"
                "ov_singular_values = np.linalg.svd(ov_diagram.contract(), compute_uv=False)\n"
                "ov_rank = 3",
                r"transpose",
            ),
        ],
        "right": [
            (
                "only the nonzero singular values kept",
                "ov_diagram = tl.ov_diagram(model, 0, 0)\n"
                "s_all = np.linalg.svd(ov_diagram.contract(), compute_uv=False)\n"
                "ov_singular_values = s_all[s_all > 1e-10 * s_all[0]]\n"
                "ov_rank = len(ov_singular_values)",
            ),
            ("matrix_rank", OV + "ov_rank = np.linalg.matrix_rank(ov_diagram.contract())"),
            (
                "the library's circuit, singular values ascending",
                "ov_diagram = tl.ov_diagram(model, 0, 0)\n"
                "ov_singular_values = np.sort(np.linalg.svd(ov_diagram.contract(),\n"
                "    compute_uv=False))\n"
                "ov_rank = int(np.sum(ov_singular_values > 1e-8 * ov_singular_values.max()))",
            ),
        ],
    },
    "09-svd-reading": {
        "wrong": [
            (
                "v_1 read without u_1's sign (the other valid SVD)",
                READ + "if U[b_top, 0] > 0:\n    U, Vt = -U, -Vt\n"
                "raised, lowered = int(np.argmax(Vt[0])), int(np.argmin(Vt[0]))",
                r"swapped.*sign",
            ),
            (
                "s_1 / sum s_i as the share",
                READ.replace("s[0] ** 2 / np.sum(s**2)", "s[0] / np.sum(s)")
                + "e = U[b_top, 0] * Vt[0]\nraised, lowered = int(e.argmax()), int(e.argmin())",
                r"s_1\^2",
            ),
            (
                "the attended tokens read from v_1 (a row of Vt)",
                READ.replace("np.abs(U[:, 0]))[:2]", "np.abs(Vt[0]))[:2]")
                + "e = U[b_top, 0] * Vt[0]\nraised, lowered = int(e.argmax()), int(e.argmin())",
                r"writes to",
            ),
            (
                "the second piece instead of the first",
                READ.replace("np.abs(U[:, 0]))[:2]", "np.abs(U[:, 1]))[:2]")
                + "e = U[b_top, 0] * Vt[0]\nraised, lowered = int(e.argmax()), int(e.argmin())",
                r"second piece",
            ),
        ],
        "right": [
            (
                "the rank-1 piece itself",
                "U, s, Vt = np.linalg.svd(M_mystery)\nM1 = s[0] * np.outer(U[:, 0], Vt[0])\n"
                "top_share = np.linalg.norm(M1) ** 2 / np.linalg.norm(M_mystery) ** 2\n"
                "attended = sorted(np.argsort(-np.abs(M1).sum(axis=1))[:2].tolist())\n"
                "row = M1[np.abs(M1).sum(axis=1).argmax()]\n"
                "raised, lowered = int(row.argmax()), int(row.argmin())",
            ),
            (
                "signs flipped on purpose first",
                READ.replace(
                    "U, s, Vt = np.linalg.svd(M_mystery)",
                    "U, s, Vt = np.linalg.svd(M_mystery)\nU, Vt = -U, -Vt",
                )
                + "e = U[b_top, 0] * Vt[0]\nraised, lowered = int(e.argmax()), int(e.argmin())",
            ),
        ],
    },
    "09-virtual-head": {
        "wrong": [
            (
                "the layers' patterns in the wrong order",
                _draw(
                    [
                        ("A0:key", "A1:query"),
                        ("A1:key", "x0:pos"),
                        ("x0:model", "W_OV0:in"),
                        ("W_OV0:out", "W_OV1:in"),
                        ("W_OV1:out", "W_U:model"),
                    ]
                ),
                r"not right yet",
            ),
            (
                "a pattern joined by its query leg",
                _draw([("A1:query", "A0:query"), ("A0:key", "x0:pos")] + RIGHT_WIRES[2:]),
                r"not right yet",
            ),
            (
                "the OV chain missing W_OV1 (half done)",
                _draw(RIGHT_WIRES[:3] + [("W_OV0:out", "W_U:model")]),
                r"not right yet",
            ),
        ],
        "right": [
            ("wires in another order", _draw(list(reversed(RIGHT_WIRES)))),
        ],
    },
    "09-k-composition": {
        "wrong": [
            (
                "the Q-composition term",
                "k_composition = score_term(y0, x0_2)",
                r"Q-composition term",
            ),
            ("both sides from layer 0", "k_composition = score_term(y0, y0)", r"both read layer 0"),
            ("transposed", "k_composition = score_term(x0_2, y0).T", r"transposed"),
            (
                "the scale left out",
                "k_composition = (x0_2 @ W_Q1) @ (y0 @ W_K1).T",
                r"1/sqrt\(d_head\)",
            ),
        ],
        "right": [
            (
                "by matrix products",
                "k_composition = (x0_2 @ W_Q1) @ (y0 @ W_K1).T / np.sqrt(model2.d_head)",
            ),
            (
                "from the total",
                "k_composition = cache['scores.1'][0] - direct_scores - "
                "q_composition - both\nlow = np.tril(np.ones((n, n), bool))\n"
                "k_composition = np.where(low, k_composition, score_term(x0_2, y0))",
            ),
        ],
    },
    "09-softmax-product": {
        "wrong": [
            (
                "the average of the patterns",
                "def pattern_of_sum(patterns):\n    return sum(patterns) / len(patterns)",
                r"averaged the patterns",
            ),
            (
                "the sum of the patterns",
                "def pattern_of_sum(patterns):\n    return sum(patterns)",
                r"added the patterns",
            ),
            (
                "the product, not normalised",
                "def pattern_of_sum(patterns):\n    return np.prod(np.stack(patterns), axis=0)",
                r"normalising",
            ),
            (
                "normalised over the queries",
                "def pattern_of_sum(patterns):\n    p = np.prod(np.stack(patterns), axis=0)\n"
                "    return p / p.sum(axis=0, keepdims=True)",
                r"columns sum to 1",
            ),
            (
                "the softmax of the summed patterns",
                "def pattern_of_sum(patterns):\n    s = sum(patterns)\n"
                "    s = np.where(np.triu(np.ones(s.shape, bool), k=1), -np.inf, s)\n"
                "    e = np.exp(s - s.max(axis=-1, keepdims=True))\n"
                "    return e / e.sum(axis=-1, keepdims=True)",
                r"pattern_of_sum",
            ),
        ],
        "right": [
            (
                "logs added, then a masked softmax",
                "def pattern_of_sum(patterns):\n    with np.errstate(divide='ignore'):\n"
                "        s = sum(np.log(p) for p in patterns)\n"
                "    e = np.exp(s - s.max(axis=-1, keepdims=True))\n"
                "    return e / e.sum(axis=-1, keepdims=True)",
            ),
            (
                "a loop",
                "def pattern_of_sum(patterns):\n    out = np.ones_like(patterns[0])\n"
                "    for p in patterns:\n        out = out * p\n"
                "    return out / out.sum(axis=1)[:, None]",
            ),
        ],
    },
    "09-composition-score": {
        "wrong": [
            (
                "the spectral norm",
                "def score(W_A, W_B):\n    n = lambda M: np.linalg.norm(M, 2)\n"
                "    return n(W_A @ W_B) / (n(W_A) * n(W_B))\n"
                "k_score = score(model2.W_OV[0, 0], model2.W_QK[1, 1].T)",
                r"not the Frobenius norm",
            ),
            (
                "the reader not transposed (Q instead of K)",
                "def score(W_A, W_B):\n"
                "    return np.linalg.norm(W_A @ W_B) / (np.linalg.norm(W_A) * np.linalg.norm(W_B))\n"
                "k_score = score(model2.W_OV[0, 0], model2.W_QK[1, 1])",
                r"Q-composition score",
            ),
            (
                "the heads swapped",
                "def score(W_A, W_B):\n"
                "    return np.linalg.norm(W_A @ W_B) / (np.linalg.norm(W_A) * np.linalg.norm(W_B))\n"
                "k_score = score(model2.W_OV[0, 1], model2.W_QK[1, 0].T)",
                r"heads are swapped",
            ),
            (
                "no normalisation",
                "def score(W_A, W_B):\n    return np.linalg.norm(W_A @ W_B)\n"
                "k_score = score(model2.W_OV[0, 0], model2.W_QK[1, 1].T)",
                r"score\(I, I\)",
            ),
        ],
        "right": [
            (
                "sqrt of sums of squares, library for k_score",
                "def score(W_A, W_B):\n    f = lambda M: np.sqrt((M ** 2).sum())\n"
                "    return f(W_A @ W_B) / f(W_A) / f(W_B)\n"
                "k_score = composition_scores(model2, 'K')[0, 1]",
            ),
        ],
    },
    "09-baseline": {
        "wrong": [
            (
                "full-rank random matrices",
                _scores(
                    "        W_A = rng.normal(size=(d_model, d_model))\n"
                    "        W_B = rng.normal(size=(d_model, d_model))\n"
                ),
                r"spread too little",
            ),
            (
                "uniform entries in [0, 1)",
                _scores(
                    "        W_A = rng.random((d_model, d_head)) @ rng.random((d_head, d_model))\n"
                    "        W_B = rng.random((d_model, d_head)) @ rng.random((d_head, d_model))\n"
                ),
                r"positive entries",
            ),
            (
                "a fresh generator instead of the one given",
                _scores(LOW_RANK).replace(
                    "    out = []\n", "    out = []\n    rng = np.random.default_rng(0)\n"
                ),
                r"rng it is given",
            ),
            (
                "d_model and d_head hard-coded to this chapter's model",
                _scores(LOW_RANK).replace(
                    "    out = []\n", "    out = []\n    d_model, d_head = 16, 4\n"
                ),
                r"use the d_model and d_head you are given",
            ),
            (
                "one number (the mean) instead of n scores",
                "def random_scores(d_model, d_head, n, rng):\n    return np.float64(0.245)",
                r"has shape \(\)",
            ),
        ],
        "right": [
            (
                "vectorised with einsum",
                "def random_scores(d_model, d_head, n, rng):\n"
                "    f = lambda: np.einsum('nij,njk->nik', rng.normal(size=(n, d_model, d_head)),\n"
                "                          rng.normal(size=(n, d_head, d_model)))\n"
                "    A, B = f(), f()\n"
                "    num = np.linalg.norm(A @ B, axis=(1, 2))\n"
                "    return num / (np.linalg.norm(A, axis=(1, 2)) * np.linalg.norm(B, axis=(1, 2)))",
            ),
            (
                "scaled factors (scores do not depend on scale)",
                _scores(
                    LOW_RANK.replace(
                        "rng.normal(size=(d_model, d_head))",
                        "3 * rng.normal(size=(d_model, d_head))",
                    )
                ),
            ),
        ],
    },
}
