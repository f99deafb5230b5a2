"""Wrong answers and correct alternatives for chapter 01 (see tests/wrong_answers.py)."""

CASES = {
    "01-index": {
        "wrong": [
            ("off by one on k", "value = T[1, 0, 2]", r"entry at index \(1, 0, 2\)"),
            ("i and j swapped", "value = T[0, 1, 3]", r"entry at index \(0, 1, 3\)"),
            ("two legs fixed only (half done)", "value = T[1, 0]", r"shape \(4,\).*single number"),
            ("T overwritten", "T = np.zeros_like(T); value = T[1, 0, 3]", r"value is 0, not"),
        ],
        "right": [
            ("chained indexing", "value = T[1][0][3]"),
            (
                "basis vectors plugged in",
                """
                value = tl.Diagram.from_einsum(
                    "ijk,i,j,k->", T, np.eye(2)[1], np.eye(3)[0], np.eye(4)[3]
                ).contract()
                """,
            ),
        ],
    },
    "01-order-rank": {
        "wrong": [
            (
                "the number of legs as rank",
                "order_P, dims_P, rank_P = P.ndim, P.shape, P.ndim",
                r"rank_P is the order",
            ),
            (
                "P.size as the dimensions",
                "order_P, dims_P, rank_P = P.ndim, P.size, np.linalg.matrix_rank(P)",
                r"dims_P should be a tuple",
            ),
            (
                "len(P) as the order",
                "order_P, dims_P, rank_P = len(P), P.shape, np.linalg.matrix_rank(P)",
                r"len\(P\) is the first dimension",
            ),
            (
                "the largest possible rank",
                "order_P, dims_P, rank_P = P.ndim, P.shape, min(P.shape)",
                r"largest rank a 4 x 6 matrix can have",
            ),
            (
                "dimensions reversed",
                "order_P, dims_P, rank_P = 2, (6, 4), 1",
                r"reverse order",
            ),
        ],
        "right": [
            ("by eye", "order_P, dims_P, rank_P = 2, [4, 6], 1"),
            (
                "from the diagram",
                "t = tl.Diagram().add_tensor('P', P).tensor('P'); "
                "order_P, dims_P, rank_P = t.order, tuple(t.dims), np.linalg.matrix_rank(P)",
            ),
        ],
    },
    "01-pick-draw": {
        "wrong": [
            (
                "vectors in order e0, e1, e2 (that is T3[0, 1, 2])",
                """
                mine = ex01.start.copy()
                mine.connect("e0:a", "T3:i")
                mine.connect("e1:b", "T3:j")
                mine.connect("e2:c", "T3:k")
                ex01.submit(mine)
                """,
                r"T3:i is joined to e0:a .*it should be joined to e2:c|not the right values.*your wires|the wires .* join the wrong legs",
            ),
            (
                "two vectors only (half done)",
                """
                mine = ex01.start.copy()
                mine.connect("e2:c", "T3:i")
                mine.connect("e0:a", "T3:j")
                ex01.submit(mine)
                """,
                r"open leg\(s\) \['T3:k', 'e1:b'\]",
            ),
            (
                "i and k swapped (T3[1, 0, 2])",
                """
                mine = ex01.start.copy()
                mine.connect("e1:b", "T3:i")
                mine.connect("e0:a", "T3:j")
                mine.connect("e2:c", "T3:k")
                ex01.submit(mine)
                """,
                r"T3:i is joined to e1:b.*e2:c|not the right values.*your wires|the wires .* join the wrong legs",
            ),
        ],
        "right": [
            (
                "renamed e2 to two first",
                """
                mine = ex01.start.copy()
                mine.rename_tensor("e2", "two")
                mine.connect("two:c", "T3:i")
                mine.connect("e0:a", "T3:j")
                mine.connect("e1:b", "T3:k")
                ex01.submit(mine)
                """,
            ),
        ],
    },
    "01-memory": {
        "wrong": [
            (
                "legs and dimension swapped",
                "n_numbers = 16**4; gigabytes = n_numbers * 8 / 1e9; n_chain = 5680",
                r"16\*\*4",
            ),
            (
                "GiB instead of GB",
                "n_numbers = 4**16; gigabytes = n_numbers * 8 / 2**30; n_chain = 5680",
                r"GiB",
            ),
            (
                "one byte per number",
                "n_numbers = 4**16; gigabytes = n_numbers / 1e9; n_chain = 5680",
                r"float64 takes 8",
            ),
            (
                "chain: the ends forgotten",
                "n_numbers = 4**16; gigabytes = n_numbers * 8 / 1e9; n_chain = 14 * 400",
                r"end tensors are missing",
            ),
            (
                "chain: all 16 as inner tensors",
                "n_numbers = 4**16; gigabytes = n_numbers * 8 / 1e9; n_chain = 16 * 400",
                r"two ends have one bond",
            ),
        ],
        "right": [
            (
                "numpy does the counting",
                """
                n_numbers = np.prod([4] * 16, dtype=np.int64)
                gigabytes = float(n_numbers) * np.dtype(np.float64).itemsize / 1e9
                n_chain = sum(np.prod(s) for s in [(4, 10)] * 2 + [(10, 4, 10)] * 14)
                """,
            ),
        ],
    },
    "01-slice": {
        "wrong": [
            (
                "basis(3, 2): counting from 1",
                'slice_diagram = tl.Diagram.from_einsum("ijk,j->ik", T, basis(3, 2), '
                'names=["T", "e"])',
                r"T\[:, 2, :\]",
            ),
            (
                "the slice taken in numpy, then drawn (recall, not a plug-in)",
                'slice_diagram = tl.Diagram.from_einsum("ik->ik", T[:, 1, :], names=["T"])',
                r"tensor 'T' has shape \(2, 4\), expected \(2, 3, 4\)|missing",
            ),
            (
                "vector on the first leg",
                'slice_diagram = tl.Diagram.from_einsum("ijk,i->jk", T, basis(2, 1), '
                'names=["T", "e"])',
                r"shape \(2,\), expected \(3,\)",
            ),
            (
                "T overwritten",
                """
                T = np.zeros_like(T)
                slice_diagram = tl.Diagram.from_einsum(
                    "ijk,j->ik", T, basis(3, 1), names=["T", "e"]
                )
                """,
                r"entries differ",
            ),
        ],
        "right": [
            (
                "other letters and order",
                'slice_diagram = tl.Diagram.from_einsum("b,abc->ac", basis(3, 1), T, '
                'names=["e", "T"])',
            ),
            (
                "other names (matched by value)",
                'slice_diagram = tl.Diagram.from_einsum("ijk,j->ik", T, basis(3, 1), '
                'names=["tensor", "e1"])',
            ),
        ],
    },
}
