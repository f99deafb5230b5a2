"""Wrong answers and correct alternatives for chapter 00 (see tests/wrong_answers.py)."""

CASES = {
    "00-contract": {
        "wrong": [
            ("the diagram itself, not contracted", "AB = d", r"is a Diagram.*contract\(\)"),
            ("the method, not called", "AB = d.contract", r"is a function.*call"),
            ("transposed", "AB = B.T @ A.T", r"transposed"),
            (
                "A and B overwritten",
                "A, B = np.zeros((2, 3)), np.zeros((3, 4)); AB = A @ B",
                r"AB has the right shape \(2, 4\) but",
            ),
        ],
        "right": [
            ("numpy from the diagram's einsum", "AB = np.einsum(d.to_einsum(), A, B)"),
            ("the widget's diagram", "AB = widget.diagram.contract()"),
        ],
    },
    "00-dot-draw": {
        "wrong": [
            ("nothing joined", "ex.submit(ex.start.copy())", r"open leg"),
            (
                "u overwritten to make a wrong drawing's value right",
                """
                ex.submit(ex.start.copy())
                u = np.zeros(4)
                """,
                r"open leg",
            ),
            (
                "a copy tensor instead of a wire (u * v, not u·v)",
                """
                mine = ex.start.copy()
                mine.add_copy("c", 4, n_legs=3)
                mine.connect("u:i", "c:i")
                mine.connect("v:j", "c:j")
                ex.submit(mine)
                """,
                r"1 open leg",
            ),
        ],
        "right": [
            (
                "joined the other way round",
                """
                mine = ex.start.copy()
                mine.connect("v:j", "u:i")
                ex.submit(mine)
                """,
            ),
            (
                "renamed u to a first",
                """
                mine = ex.start.copy()
                mine.rename_tensor("u", "a")
                mine.connect("a:i", "v:j")
                ex.submit(mine)
                """,
            ),
        ],
    },
    "00-einsum": {
        "wrong": [
            ("an array, not a diagram", "Mx = M @ x", r"tl\.Diagram"),
            (
                "x on a copy tensor, not summed",
                'Mx = tl.Diagram.from_einsum("ij,j->ij", M, x, names=["M", "x"])',
                r"1 open leg|2 open leg",
            ),
            (
                "x joined to M's first leg (M transposed in the string)",
                'Mx = tl.Diagram.from_einsum("ji,j->i", M.T, x, names=["M", "x"])',
                r"tensor 'M' has shape \(5, 3\), expected \(3, 5\)",
            ),
            (
                "M overwritten",
                """
                M = np.zeros((3, 5))
                Mx = tl.Diagram.from_einsum("ij,j->i", M, x, names=["M", "x"])
                """,
                r"the value of Mx has the right shape",
            ),
        ],
        "right": [
            ("other letters", 'Mx = tl.Diagram.from_einsum("ab,b->a", M, x, names=["M", "x"])'),
            ("x first", 'Mx = tl.Diagram.from_einsum("j,ij->i", x, M, names=["x", "M"])'),
            ("default names (matched by value)", 'Mx = tl.Diagram.from_einsum("ij,j->i", M, x)'),
        ],
    },
}
