"""Wrong answers and correct alternatives for chapter 02 (see tests/wrong_answers.py)."""

_LOOP = """
mine = {ex}.start.copy()
{wires}
{ex}.submit(mine)
"""


def _draw(ex, *pairs):
    wires = "\n".join(f"mine.connect({a!r}, {b!r})" for a, b in pairs)
    return _LOOP.format(ex=ex, wires=wires)


CASES = {
    "02-two-products": {
        "wrong": [
            (
                "outer product transposed",
                'outer_pq = np.einsum("i,j->ji", p, q); kron_pq = np.kron(p, q)',
                r"outer_pq .*transposed",
            ),
            (
                "kron grouped in the other order",
                'outer_pq = np.einsum("i,j->ij", p, q); kron_pq = outer_pq.T.reshape(12)',
                r"kron\(q, p\)",
            ),
            (
                "kron not flattened (half done)",
                'outer_pq = np.einsum("i,j->ij", p, q); kron_pq = outer_pq.reshape(3, 4)',
                r"kron_pq has shape \(3, 4\), expected \(12,\)",
            ),
            (
                "p and q overwritten",
                """
                p, q = np.zeros(3), np.zeros(4)
                outer_pq = np.einsum("i,j->ij", p, q)
                kron_pq = outer_pq.reshape(12)
                """,
                r"outer_pq has the right shape",
            ),
        ],
        "right": [
            ("np.outer and ravel", "outer_pq = np.outer(p, q); kron_pq = outer_pq.ravel()"),
            (
                "broadcasting, flatten",
                "outer_pq = p[:, None] * q[None, :]; kron_pq = outer_pq.flatten()",
            ),
        ],
    },
    "02-einsum-strings": {
        "wrong": [
            (
                "diagram 3's open legs in the wrong order",
                'expr_1, expr_2, expr_3 = "i,ij,j->", "ij,j,k->ik", "ij,jk,kl->il"',
                r"expr_3.*another order: \['E:i', 'G:l'\], expected \['G:l', 'E:i'\]",
            ),
            (
                "diagram 2's vectors joined like a matrix",
                'expr_1, expr_2, expr_3 = "i,ij,j->", "ij,jk->ik", "ij,jk,kl->li"',
                r"expr_2 = 'ij,jk->ik' does not fit .* 2 tensor\(s\) before '->', but there are 3",
            ),
            (
                "diagram 1 with a leg left open",
                'expr_1, expr_2, expr_3 = "i,ij,j->i", "ij,j,k->ik", "ij,jk,kl->li"',
                r"expr_1 .*1 open leg\(s\) \['u:i=M:i'\] of shape \(5,\), expected 0",
            ),
            (
                "diagram 2: z summed (nothing open for it)",
                'expr_1, expr_2, expr_3 = "i,ij,j->", "ij,j,k->i", "ij,jk,kl->li"',
                r"expr_2",
            ),
            (
                "the reference diagrams overwritten",
                """
                expr_1, expr_2, expr_3 = "i,ij,j->i", "ij,j,k->ik", "ij,jk,kl->il"
                diagram_1 = tl.Diagram.from_einsum(expr_1, u5, M5, w4, names=["u", "M", "w"])
                diagram_3 = tl.Diagram.from_einsum(expr_3, E, F, G, names=["E", "F", "G"])
                """,
                r"expr_1",
            ),
        ],
        "right": [
            (
                "other letters, implicit output for diagram 1",
                'expr_1, expr_2, expr_3 = "a,ab,b", "xy,y,z->xz", "ab,bc,cd->da"',
            ),
        ],
    },
    "02-trace-draw": {
        "wrong": [
            (
                "tr(ACB): the loop the other way",
                _draw("ex02", ("A:j", "C:i"), ("C:j", "B:i"), ("B:j", "A:i")),
                r"A:i is joined to B:j \(a wire A:i — B:j\); it should be joined to C:j|not the right values.*your wires|the wires .* join the wrong legs",
            ),
            (
                "two wires only (half done)",
                _draw("ex02", ("A:j", "B:i"), ("B:j", "C:i")),
                r"open leg\(s\) \['A:i', 'C:j'\]",
            ),
            (
                "every wire joins like legs (A:j–B:j, ...)",
                _draw("ex02", ("A:j", "B:j"), ("B:i", "C:i"), ("C:j", "A:i")),
                r"it should be joined to|not the right values.*your wires|the wires .* join the wrong legs",
            ),
        ],
        "right": [
            (
                "tr(BCA): the same loop from B",
                _draw("ex02", ("C:j", "A:i"), ("B:j", "C:i"), ("A:j", "B:i")),
            ),
            (
                "renamed C to M first",
                """
                mine = ex02.start.copy()
                mine.rename_tensor("C", "M")
                mine.connect("A:j", "B:i")
                mine.connect("B:j", "M:i")
                mine.connect("M:j", "A:i")
                ex02.submit(mine)
                """,
            ),
        ],
    },
    "02-trace-transpose-draw": {
        "wrong": [
            (
                "tr(ABC): the transpose ignored",
                _draw("ex02t", ("A:j", "B:i"), ("B:j", "C:i"), ("C:j", "A:i")),
                r"A:i is joined to C:j .*it should be joined to B:i|not the right values.*your wires|the wires .* join the wrong legs",
            ),
            (
                "a loop through B's second leg (tr(Aᵀ Bᵀ C)-like)",
                _draw("ex02t", ("A:i", "B:j"), ("B:i", "C:i"), ("C:j", "A:j")),
                r"A:i is joined to B:j .*it should be joined to B:i|not the right values.*your wires|the wires .* join the wrong legs",
            ),
            (
                "two wires only",
                _draw("ex02t", ("A:i", "B:i"), ("B:j", "C:i")),
                r"open leg",
            ),
            (
                "a transposed copy of A added as a new box",
                """
                mine = ex02t.start.copy()
                mine.remove_tensor("A")
                mine.add_tensor("At", A.T, legs=["i", "j"])
                mine.connect("At:j", "B:i")
                mine.connect("B:j", "C:i")
                mine.connect("C:j", "At:i")
                ex02t.submit(mine)
                """,
                r"did you rename a box\? At was A|boxes A, B and C as they are",
            ),
        ],
        "right": [
            (
                "tr(Cᵀ Bᵀ A): the same loop read backwards",
                _draw("ex02t", ("C:j", "A:j"), ("A:i", "B:i"), ("C:i", "B:j")),
            ),
        ],
    },
    "02-transpose": {
        "wrong": [
            ("AB, not transposed", 'expr_T = "ij,jk->ik"', r"shape \(2, 3\), expected \(3, 2\)"),
            (
                "the letters of A transposed instead",
                'expr_T = "ji,kj->ik"',
                r"does not fit .*letter 'j' is used for a leg of dimension 2",
            ),
            ("A.T written in", 'expr_T = "ij,jk->ik.T"', r"cannot contain \.T"),
        ],
        "right": [
            ("other letters", 'expr_T = "ab,bc->ca"'),
            ("B's legs first", 'expr_T = "kj,jl->lk"'),
        ],
    },
    "02-same-diagram": {
        "wrong": [
            ("everything that runs", 'same_as_Sq_r = set("abcdef")', r"running is not meaning"),
            ("missed e (Sq.T)", 'same_as_Sq_r = {"a", "b", "d"}', r"look again at e and f"),
            (
                "c taken for the same",
                'same_as_Sq_r = {"a", "b", "c", "d", "e"}',
                r"1 of your letters",
            ),
            (
                "Sq overwritten with a symmetric matrix",
                """
                Sq = np.eye(3)
                same_as_Sq_r = set("abcdef")
                """,
                r"running is not meaning",
            ),
        ],
        "right": [
            ("a list, upper case", 'same_as_Sq_r = ["A", "b", "d", "e"]'),
        ],
    },
    "02-contraction-order": {
        "wrong": [
            (
                "left to right",
                """
                cheap_path = [(0, 1), (0, 1), (0, 1)]
                ratio = 1.0
                """,
                r"an order with 60,000 FLOPs exists\.$",
            ),
            (
                "positions not shifted",
                """
                cheap_path = [(2, 3), (0, 1), (0, 1)]
                ratio = flops_of([(0, 1), (0, 1), (0, 1)]) / flops_of(cheap_path)
                """,
                r"positions shift",
            ),
            (
                "ratio upside down",
                """
                cheap_path = [(2, 3), (1, 2), (0, 1)]
                ratio = flops_of(cheap_path) / flops_of([(0, 1), (0, 1), (0, 1)])
                """,
                r"the other way round",
            ),
            (
                "opt_einsum replaced by a fake",
                """
                import types
                opt_einsum = types.SimpleNamespace(
                    contract_path=lambda *a, **k: (None, types.SimpleNamespace(opt_cost=1))
                )
                cheap_path = [(0, 1), (0, 1), (0, 1)]
                ratio = 1.0
                """,
                r"your order costs 220,200 FLOPs",
            ),
            (
                "an invalid order",
                """
                cheap_path = [(3, 4), (1, 2), (0, 1)]
                ratio = 1.0
                """,
                r"not a valid order",
            ),
            (
                "flops_of redefined to say 0",
                """
                flops_of = lambda path: 1
                cheap_path = [(0, 1), (0, 1), (0, 1)]
                ratio = 1.0
                """,
                r"your order costs",
            ),
        ],
        "right": [
            (
                "the same order written as lists",
                """
                cheap_path = [[2, 3], [1, 2], [0, 1]]
                ratio = flops_of([(0, 1), (0, 1), (0, 1)]) / flops_of(cheap_path)
                """,
            ),
        ],
    },
}
