"""Wrong answers and correct alternatives for chapter 04 (see tests/wrong_answers.py)."""

CASES = {
    "04-draw-svd": {
        "wrong": [
            (
                "U joined to V, S left over",
                """
                mine = ex041.start.copy()
                mine.connect("U:r", "V:t")
                ex041.submit(mine)
                """,
                r"open leg\(s\) \[.*'S:s'",
            ),
            ("nothing drawn", "ex041.submit(ex041.start.copy())", r"5 open leg"),
            (
                "U and S joined, V's bond open (half done)",
                """
                mine = ex041.start.copy()
                mine.connect("U:r", "S:s")
                ex041.submit(mine)
                """,
                r"'V:t'",
            ),
            (
                "N overwritten to fit a wrong drawing",
                """
                mine = ex041.start.copy()
                mine.connect("U:r", "V:t")
                ex041.submit(mine)
                N = mine.contract()
                """,
                r"open leg",
            ),
        ],
        "right": [
            (
                "S renamed to sigma first",
                """
                mine = ex041.start.copy()
                mine.rename_tensor("S", "sigma")
                mine.connect("U:r", "sigma:s")
                mine.connect("V:t", "U:r")
                ex041.submit(mine)
                """,
            ),
            (
                "joined in another order",
                """
                mine = ex041.start.copy()
                mine.connect("V:t", "S:s")
                mine.connect("U:r", "V:t")
                ex041.submit(mine)
                """,
            ),
        ],
    },
    "04-outer-sum": {
        "wrong": [
            (
                "numpy's Vh convention: rows of Vp",
                "P3 = sum(Sp[r] * np.outer(Up[:, r], Vp[r, :]) for r in range(3))",
                r"rows of Vp.*columns",
            ),
            (
                "weights forgotten",
                "P3 = sum(np.outer(Up[:, r], Vp[:, r]) for r in range(3))",
                r"weights are missing",
            ),
            (
                "off by one: range(1, 4)",
                "P3 = sum(Sp[r] * np.outer(Up[:, r], Vp[:, r]) for r in range(1, 4))",
                r"skips the largest term",
            ),
            (
                "off by one: four terms",
                "P3 = sum(Sp[r] * np.outer(Up[:, r], Vp[:, r]) for r in range(4))",
                r"four terms",
            ),
            (
                "the three smallest terms",
                "P3 = sum(Sp[r] * np.outer(Up[:, r], Vp[:, r]) for r in range(2, 5))",
                r"smallest",
            ),
            (
                "P overwritten with zeros",
                "P = np.zeros_like(P); P3 = np.zeros((6, 5))",
                r"P3 has the right shape",
            ),
        ],
        "right": [
            ("einsum", "P3 = np.einsum('ir,r,jr->ij', Up[:, :3], Sp[:3], Vp[:, :3])"),
            ("matrices", "P3 = Up[:, :3] @ np.diag(Sp[:3]) @ Vp[:, :3].conj().T"),
            (
                "from numpy's SVD",
                """
                U_np, S_np, Vh_np = np.linalg.svd(P, full_matrices=False)
                P3 = sum(S_np[r] * np.outer(U_np[:, r], Vh_np[r]) for r in range(3))
                """,
            ),
        ],
    },
    "04-eckart-young": {
        "wrong": [
            (
                "off by one: sigma[5:]",
                """
                error_rank_4 = np.sqrt(np.sum(sigma[5:] ** 2))
                keep_for_1_percent = 10
                """,
                r"keeping 5",
            ),
            (
                "squared error",
                """
                error_rank_4 = np.sum(sigma[4:] ** 2)
                keep_for_1_percent = 10
                """,
                r"squared error",
            ),
            (
                "sum of the discarded values",
                """
                error_rank_4 = np.sum(sigma[4:])
                keep_for_1_percent = 10
                """,
                r"root of the sum of their squares",
            ),
            (
                "keep one too few (error above 1%)",
                """
                error_rank_4 = np.sqrt(np.sum(sigma[4:] ** 2))
                norm = np.sqrt(np.sum(sigma**2))
                keep_for_1_percent = next(
                    r for r in range(31) if np.sqrt(np.sum(sigma[r:] ** 2)) <= 0.01 * norm
                ) - 1
                """,
                r"more than 1%",
            ),
            (
                "keep one too many",
                """
                error_rank_4 = np.sqrt(np.sum(sigma[4:] ** 2))
                norm = np.sqrt(np.sum(sigma**2))
                keep_for_1_percent = next(
                    r for r in range(31) if np.sqrt(np.sum(sigma[r:] ** 2)) <= 0.01 * norm
                ) + 1
                """,
                r"the smallest",
            ),
            (
                "sigma overwritten",
                """
                sigma = np.zeros(30)
                error_rank_4 = 0.0
                keep_for_1_percent = 0
                """,
                r"error_rank_4 is 0",
            ),
        ],
        "right": [
            (
                "cumulative sums",
                """
                tail = np.sqrt(np.cumsum(sigma[::-1] ** 2)[::-1])
                error_rank_4 = tail[4]
                keep_for_1_percent = int(np.argmax(tail <= 0.01 * tail[0]))
                """,
            ),
            (
                "np.linalg.norm",
                """
                error_rank_4 = np.linalg.norm(sigma[4:])
                keep_for_1_percent = min(
                    r for r in range(len(sigma) + 1)
                    if np.linalg.norm(sigma[r:]) <= 0.01 * np.linalg.norm(sigma)
                )
                """,
            ),
        ],
    },
    "04-cut-rank": {
        "wrong": [
            (
                "every singular value counted",
                """
                ranks = {left: len(singular_values(W, left=left)) for left in (1, 2, 3)}
                cheapest = min(ranks, key=ranks.get)
                """,
                r"counts every singular value",
            ),
            (
                "cheapest is the smallest rank, not the cut",
                """
                ranks = {
                    left: int(np.sum(singular_values(W, left=left) > 1e-10))
                    for left in (1, 2, 3)
                }
                cheapest = min(ranks.values())
                """,
                r"smallest rank.*the cut",
            ),
            (
                "always the same cut (reshape(W.shape[0], -1))",
                """
                ranks = {
                    left: int(np.linalg.matrix_rank(W.reshape(W.shape[0], -1)))
                    for left in (1, 2, 3)
                }
                cheapest = 1
                """,
                r"all three ranks are the same",
            ),
            (
                "W overwritten",
                """
                W = np.ones((4, 5, 6, 7))
                ranks = {1: 1, 2: 1, 3: 1}
                cheapest = 1
                """,
                r"all three ranks are the same|ranks\[1\] is 1",
            ),
        ],
        "right": [
            (
                "matrix_rank of reshapes",
                """
                ranks = {
                    left: int(np.linalg.matrix_rank(W.reshape(int(np.prod(W.shape[:left])), -1)))
                    for left in (1, 2, 3)
                }
                cheapest = min(ranks, key=ranks.get)
                """,
            ),
        ],
    },
    "04-svd-cut": {
        "wrong": [
            (
                "the cut the array has (i, j | k, l)",
                "Tc2 = tl.svd(Tc, left=2, rank=2).contract()",
                r"cut \(i, j \| k, l\)",
            ),
            (
                "reshape without a transpose",
                """
                U_, S_, Vh_ = np.linalg.svd(Tc.reshape(15, 24), full_matrices=False)
                Tc2 = (U_[:, :2] * S_[:2] @ Vh_[:2]).reshape(3, 4, 5, 6)
                """,
                r"without a transpose",
            ),
            (
                "not transposed back",
                """
                U_, S_, Vh_ = np.linalg.svd(
                    Tc.transpose(0, 2, 1, 3).reshape(15, 24), full_matrices=False
                )
                Tc2 = (U_[:, :2] * S_[:2] @ Vh_[:2]).reshape(3, 5, 4, 6)
                """,
                r"shape \(3, 5, 4, 6\).*wrong order",
            ),
            (
                "left grouped (half done)",
                """
                U_, S_, Vh_ = np.linalg.svd(
                    Tc.transpose(0, 2, 1, 3).reshape(15, 24), full_matrices=False
                )
                Tc2 = U_[:, :2] * S_[:2] @ Vh_[:2]
                """,
                r"2 axes/legs instead of 4",
            ),
            (
                "rank 3",
                """
                U_, S_, Vh_ = np.linalg.svd(
                    Tc.transpose(0, 2, 1, 3).reshape(15, 24), full_matrices=False
                )
                Tc2 = (U_[:, :3] * S_[:3] @ Vh_[:3]).reshape(3, 5, 4, 6).transpose(0, 2, 1, 3)
                """,
                r"has rank 3 across the cut \(i, k \| j, l\)",
            ),
        ],
        "right": [
            (
                "tl.svd on the transposed tensor",
                "Tc2 = tl.svd(Tc.transpose(0, 2, 1, 3), left=2, rank=2).contract()"
                ".transpose(0, 2, 1, 3)",
            ),
            (
                "einsum to reorder, explicit diag",
                """
                m = np.einsum("ijkl->ikjl", Tc).reshape(15, 24)
                U_, S_, Vh_ = np.linalg.svd(m)
                m2 = U_[:, :2] @ np.diag(S_[:2]) @ Vh_[:2, :]
                Tc2 = np.einsum("ikjl->ijkl", m2.reshape(3, 5, 4, 6))
                """,
            ),
        ],
    },
}
