"""Wrong answers and correct alternatives for chapter 03 (see tests/wrong_answers.py)."""

CASES = {
    "03-hadamard-draw": {
        "wrong": [
            (
                "u and v joined directly (the dot product)",
                """
                mine = ex03.start.copy()
                mine.connect("u:i", "v:i")
                ex03.submit(mine)
                """,
                r"open leg",
            ),
            (
                "only u into the copy tensor (half done)",
                """
                mine = ex03.start.copy()
                mine.connect("u:i", "c:i")
                ex03.submit(mine)
                """,
                r"open leg\(s\) \[.*'v:i'",
            ),
            (
                "u overwritten to fit",
                """
                mine = ex03.start.copy()
                mine.connect("u:i", "v:i")
                ex03.submit(mine)
                u = np.zeros(4)
                """,
                r"open leg",
            ),
        ],
        "right": [
            (
                "u and v joined first, the copy tensor on their wire",
                """
                mine = ex03.start.copy()
                mine.connect("u:i", "c:i")
                mine.connect("c:j", "v:i")
                ex03.submit(mine)
                """,
            ),
            (
                "the other two legs of c",
                """
                mine = ex03.start.copy()
                mine.connect("v:i", "c:k")
                mine.connect("u:i", "c:j")
                ex03.submit(mine)
                """,
            ),
        ],
    },
    "03-diagonal": {
        "wrong": [
            (
                "t on the column leg",
                """
                expr_scale = "ij,j->ij"
                rows_scaled = N * t[:, None]
                """,
                r"letter 'j' is used for a leg of dimension 4 .* dimension 3",
            ),
            (
                "summed over j (half of the copy tensor)",
                """
                expr_scale = "ij,i->i"
                rows_scaled = np.einsum(expr_scale, N, t)
                """,
                r"shape \(3,\), expected \(3, 4\)",
            ),
            (
                "result legs transposed",
                """
                expr_scale = "ij,i->ji"
                rows_scaled = np.einsum(expr_scale, N, t)
                """,
                r"transposed",
            ),
            (
                "N overwritten",
                """
                N = np.zeros((3, 4))
                expr_scale = "ij,i->ij"
                rows_scaled = np.einsum(expr_scale, N, t)
                """,
                r"rows_scaled has the right shape",
            ),
        ],
        "right": [
            ("other letters", 'expr_scale = "ab,a->ab"; rows_scaled = t[:, None] * N'),
            (
                "t first in the einsum",
                'expr_scale = "ij,i->ij"; rows_scaled = np.einsum("i,ij->ij", t, N)',
            ),
        ],
    },
    "03-batch": {
        "wrong": [
            ("batch leg summed", 'expr_batch = "bij,bj->i"', r"shape \(3,\), expected \(6, 3\)"),
            (
                "a separate batch letter for xs",
                'expr_batch = "bij,cj->bi"',
                r"has the right shape \(6, 3\) but",
            ),
            ("no batch leg", 'expr_batch = "ij,j->i"', r"tensor 1 gets 2 letter"),
            (
                "j not summed",
                'expr_batch = "bij,bj->bij"',
                r"shape \(6, 3, 4\), expected \(6, 3\)",
            ),
        ],
        "right": [
            ("other letters", 'expr_batch = "nab,nb->na"'),
            ("ellipsis", 'expr_batch = "...ij,...j->...i"'),
        ],
    },
    "03-group-legs": {
        "wrong": [
            ("reshape without transpose", "T_mat = T4.reshape(8, 15)", r"reorder the axes first"),
            (
                "(k, i) grouped instead of (i, k)",
                "T_mat = T4.transpose(2, 0, 3, 1).reshape(8, 15)",
                r"not \(i, k\)",
            ),
            (
                "transposed, not reshaped (half done)",
                "T_mat = T4.transpose(0, 2, 1, 3)",
                r"4 axes/legs instead of 2",
            ),
            ("groups swapped", "T_mat = T4.transpose(1, 3, 0, 2).reshape(15, 8)", r"transposed"),
            (
                "T4 overwritten",
                "T4 = np.zeros((2, 3, 4, 5)); T_mat = T4.transpose(0, 2, 1, 3).reshape(8, 15)",
                r"T_mat has the right shape",
            ),
        ],
        "right": [
            ("einsum then reshape", 'T_mat = np.einsum("ijkl->ikjl", T4).reshape(8, 15)'),
            ("moveaxis", "T_mat = np.moveaxis(T4, 2, 1).reshape(2 * 4, -1)"),
        ],
    },
    "03-isometry": {
        "wrong": [
            (
                "transpose without conjugate",
                "gram = V.T @ V; P = V @ V.T; rank_P = 2",
                r"\*conjugate\* transpose",
            ),
            (
                "the two products swapped",
                "gram = V @ V.conj().T; P = V.conj().T @ V; rank_P = 2",
                r"gram .* shape \(6, 6\)|V V†",
            ),
            (
                "P conjugated on the wrong side",
                "gram = V.conj().T @ V; P = V.conj() @ V.T; rank_P = 2",
                r"complex conjugate of V V†",
            ),
            (
                "rank of the identity",
                "gram = V.conj().T @ V; P = V @ V.conj().T; rank_P = 6",
                r"rank 2",
            ),
            (
                "V overwritten with a real isometry",
                """
                V = np.eye(6)[:, :2]
                gram = V.conj().T @ V
                P = V @ V.conj().T
                rank_P = np.linalg.matrix_rank(P)
                """,
                r"P \(V V†\) has the right shape",
            ),
        ],
        "right": [
            (
                "einsum with conj",
                """
                gram = np.einsum("na,nb->ab", V.conj(), V)
                P = np.einsum("ia,ja->ij", V, V.conj())
                rank_P = int(round(np.trace(P).real))
                """,
            ),
        ],
    },
    "03-hadamard-trace": {
        "wrong": [
            (
                "no loop: the sum of all entries",
                'expr_htr = "ij,jk,jk->"',
                r"sum of all entries of A\(B ∘ C\), not its trace",
            ),
            ("no trace (half done)", 'expr_htr = "ij,jk,jk->ik"', r"leaves legs open"),
            (
                "C's legs read the other way",
                'expr_htr = "ij,ji,ij->"',
                r"letter 'i' is used for a leg of dimension 3 .* dimension 4",
            ),
            (
                "the elementwise product as a matrix product",
                'expr_htr = "ij,jk,kl->"',
                r"letter 'k' is used for a leg of dimension 3",
            ),
        ],
        "right": [
            ("other letters", 'expr_htr = "ab,ba,ba->"'),
            ("implicit output", 'expr_htr = "ij,ji,ji"'),
            ("the tensors in another order", 'expr_htr = "ij,ji,ji->"'),
        ],
    },
}
