"""Wrong answers and correct alternatives for chapter 00 (see tests/wrong_answers.py)."""

CASES = {
    "00-contract": {
        "wrong": [
            ("the diagram itself, not contracted", "AB = d", r"is a Diagram.*contract\(\)"),
            ("the method, not called", "AB = d.contract", r"is a function.*call"),
            ("transposed", "AB = B.T @ A.T", r"transposed"),
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
                r"shape \(3, 5\), expected \(3,\)",
            ),
        ],
        "right": [
            ("other letters", 'Mx = tl.Diagram.from_einsum("ab,b->a", M, x, names=["M", "x"])'),
            ("x first", 'Mx = tl.Diagram.from_einsum("j,ij->i", x, M, names=["x", "M"])'),
        ],
    },
}
