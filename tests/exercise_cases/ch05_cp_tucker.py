"""Wrong answers and correct alternatives for chapter 05 (see tests/wrong_answers.py)."""

CASES = {
    "05-draw-cp": {
        "wrong": [
            ("nothing drawn", "ex051.submit(ex051.start.copy())", r"open leg"),
            (
                "three of four joined (w left open)",
                """
                mine = ex051.start.copy()
                mine.connect("A:r", "B:r")
                mine.connect("B:r", "C:r")
                ex051.submit(mine)
                """,
                r"'w:r'",
            ),
            (
                "pairs of wires, no copy tensor (A–B and C–w)",
                """
                mine = ex051.start.copy()
                mine.connect("A:r", "B:r")
                mine.connect("C:r", "w:r")
                ex051.submit(mine)
                """,
                r"copy-tensor dot|your wires: .*A:r — B:r|your wires: .*B:r — A:r",
            ),
        ],
        "right": [
            (
                "joined in another order",
                """
                mine = ex051.start.copy()
                mine.connect("w:r", "C:r")
                mine.connect("A:r", "w:r")
                mine.connect("B:r", "A:r")
                ex051.submit(mine)
                """,
            ),
        ],
    },
    "05-cp-einsum": {
        "wrong": [
            (
                "np.zeros of the right shape",
                "X4 = np.zeros((2, 3, 4, 5))",
                r"X4 has the right shape",
            ),
            (
                "weights forgotten",
                'X4 = np.einsum("ir,jr,kr,lr->ijkl", F0, F1, F2, F3)',
                r"weights lam are missing",
            ),
            (
                "one letter per factor's r-leg",
                'X4 = np.einsum("ia,jb,kc,ld,r->ijkl", F0, F1, F2, F3, lam)',
                r"ONE letter",
            ),
            (
                "r kept open, then the first term only",
                'X4 = np.einsum("ir,jr,kr,lr,r->ijklr", F0, F1, F2, F3, lam)[..., 0]',
                r"only the first term",
            ),
            (
                "factors overwritten",
                """
                F0, F1, F2, F3 = (np.zeros_like(F) for F in (F0, F1, F2, F3))
                X4 = np.einsum("ir,jr,kr,lr,r->ijkl", F0, F1, F2, F3, lam)
                """,
                r"X4 has the right shape",
            ),
        ],
        "right": [
            ("other letters", 'X4 = np.einsum("ar,br,cr,dr,r->abcd", F0, F1, F2, F3, lam)'),
            (
                "a loop of outer products",
                """
                X4 = sum(
                    lam[r] * np.einsum("i,j,k,l->ijkl", F0[:, r], F1[:, r], F2[:, r], F3[:, r])
                    for r in range(2)
                )
                """,
            ),
        ],
    },
    "05-hosvd-factor": {
        "wrong": [
            (
                "reshape without moving leg k first",
                "factor_k = np.linalg.svd(Y.reshape(10, -1), full_matrices=False)[0][:, :3]",
                r"move leg k to the front",
            ),
            (
                "the last three singular vectors",
                """
                factor_k = np.linalg.svd(
                    np.moveaxis(Y, 2, 0).reshape(10, -1), full_matrices=False
                )[0][:, -3:]
                """,
                r"\*last\*",
            ),
            (
                "right singular vectors",
                """
                factor_k = np.linalg.svd(
                    np.moveaxis(Y, 2, 0).reshape(10, -1), full_matrices=False
                )[2][:3].T
                """,
                r"shape \(72, 3\), expected \(10, 3\)",
            ),
            (
                "the factor of leg i",
                "factor_k = np.linalg.svd(Y.reshape(8, -1), full_matrices=False)[0][:, :3]",
                r"axis 0 has dimension 8, expected 10",
            ),
            (
                "Y overwritten",
                """
                Y = np.zeros((8, 9, 10)); Y[0, 0, :3] = 1; Y[1, 1, 3] = 1; Y[2, 2, 4] = 1
                factor_k = np.linalg.svd(
                    np.moveaxis(Y, 2, 0).reshape(10, -1), full_matrices=False
                )[0][:, :3]
                """,
                r"factor_k @ factor_k\.T .* entries differ",
            ),
        ],
        "right": [
            ("the chapter's unfold", "factor_k = np.linalg.svd(unfold(Y, 2))[0][:, :3]"),
            ("tl.tucker", "factor_k = tl.tucker(Y, (8, 9, 3), refine=False)['C']"),
            (
                "eigenvectors of the Gram matrix",
                """
                Yk = np.moveaxis(Y, 2, 0).reshape(10, -1)
                vals, vecs = np.linalg.eigh(Yk @ Yk.T)
                factor_k = vecs[:, ::-1][:, :3]
                """,
            ),
        ],
    },
    "05-storage": {
        "wrong": [
            (
                "Tucker without the core",
                """
                full_numbers = 6000
                tucker_numbers = 10 * 2 + 20 * 3 + 30 * 4
                cp_numbers = 305
                """,
                r"not the core",
            ),
            (
                "CP without the weights",
                """
                full_numbers = 6000
                tucker_numbers = 2 * 3 * 4 + 10 * 2 + 20 * 3 + 30 * 4
                cp_numbers = (10 + 20 + 30) * 5
                """,
                r"forgets the 5 weights",
            ),
            (
                "dimensions added",
                """
                full_numbers = 10 + 20 + 30
                tucker_numbers = 224
                cp_numbers = 305
                """,
                r"adds the dimensions",
            ),
            (
                "Tucker: core only",
                """
                full_numbers = 6000
                tucker_numbers = 2 * 3 * 4
                cp_numbers = 305
                """,
                r"not the three factors",
            ),
            (
                "Tucker factors transposed in thought: ranks summed",
                """
                full_numbers = 6000
                tucker_numbers = 2 * 3 * 4 + (10 + 20 + 30) * (2 + 3 + 4)
                cp_numbers = 305
                """,
                r"tucker_numbers is 564, which is not right",
            ),
        ],
        "right": [
            (
                "counted from real decompositions",
                """
                from tensorlessons.decompositions import storage
                S_ = np.random.default_rng(1).normal(size=(10, 20, 30))
                full_numbers = S_.size
                tucker_numbers = storage(tl.tucker(S_, (2, 3, 4), refine=False))
                cp_numbers = storage(tl.cp(S_, 5, max_iter=1))
                """,
            ),
        ],
    },
    "05-als-update": {
        "wrong": [
            (
                "Khatri–Rao grouped (k, i)",
                """
                def update_B(X, A, C):
                    unfolded = np.moveaxis(X, 1, 0).reshape(X.shape[1], -1)
                    kr = np.einsum("ir,kr->kir", A, C).reshape(-1, A.shape[1])
                    return np.linalg.lstsq(kr, unfolded.T, rcond=None)[0].T
                """,
                r"different orders",
            ),
            (
                "unfolded with a plain reshape",
                """
                def update_B(X, A, C):
                    unfolded = X.reshape(X.shape[1], -1)
                    kr = np.einsum("ir,kr->ikr", A, C).reshape(-1, A.shape[1])
                    return np.linalg.lstsq(kr, unfolded.T, rcond=None)[0].T
                """,
                r"move leg j to the front",
            ),
            (
                "right-hand side only",
                """
                def update_B(X, A, C):
                    unfolded = np.moveaxis(X, 1, 0).reshape(X.shape[1], -1)
                    return unfolded @ np.einsum("ir,kr->ikr", A, C).reshape(-1, A.shape[1])
                """,
                r"not the least-squares B: .*gradient",
            ),
            (
                "lstsq's answer not transposed",
                """
                def update_B(X, A, C):
                    unfolded = np.moveaxis(X, 1, 0).reshape(X.shape[1], -1)
                    kr = np.einsum("ir,kr->ikr", A, C).reshape(-1, A.shape[1])
                    return np.linalg.lstsq(kr, unfolded.T, rcond=None)[0]
                """,
                r"looks transposed",
            ),
            (
                "the chapter's shapes hard-coded",
                """
                def update_B(X, A, C):
                    unfolded = np.moveaxis(X, 1, 0).reshape(7, 6 * 8)
                    kr = np.einsum("ir,kr->ikr", A, C).reshape(48, 3)
                    return np.linalg.lstsq(kr, unfolded.T, rcond=None)[0].T
                """,
                r"raised ValueError",
            ),
            (
                "the update of A copied (wrong leg)",
                """
                def update_B(X, A, C):
                    unfolded = X.reshape(X.shape[0], -1)
                    kr = np.einsum("jr,kr->jkr", A, C).reshape(-1, A.shape[1])
                    return np.linalg.lstsq(kr, unfolded.T, rcond=None)[0].T
                """,
                r"update_B",
            ),
        ],
        "right": [
            (
                "normal equations with Hadamard of Grams",
                """
                def update_B(X, A, C):
                    rhs = np.einsum("ijk,ir,kr->jr", X, A, C)
                    return rhs @ np.linalg.inv((A.T @ A) * (C.T @ C))
                """,
            ),
            (
                "transpose then pinv",
                """
                def update_B(X, A, C):
                    unfolded = X.transpose(1, 2, 0).reshape(X.shape[1], -1)  # (k, i)
                    kr = np.einsum("kr,ir->kir", C, A).reshape(-1, A.shape[1])
                    return unfolded @ np.linalg.pinv(kr).T
                """,
            ),
        ],
    },
}
