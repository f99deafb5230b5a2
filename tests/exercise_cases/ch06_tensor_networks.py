"""Wrong answers a learner is likely to give in chapter 06, and correct alternatives.

Each code string replaces the solution region of the exercise's solution cell; every
"wrong" one must make the graded cell fail with a message matching its pattern, every
"right" one must pass.
"""

ZIPPER = """
race.reset()
cur = race.contract("A0", "B0").result
for k in range(1, 5):
    cur = race.contract(cur, f"A{k}").result
    cur = race.contract(cur, f"B{k}").result
"""

CASES = {
    "06-bond-dims": {
        "wrong": [
            (
                "products of the dims on the left only",
                "bonds = [2, 6, 24, 120]",
                r"left of each cut.*at most 6",
            ),
            ("the leg dimensions", "bonds = [2, 3, 4, 5]", r"are leg dimensions"),
            ("one bond per leg (off by one)", "bonds = [2, 6, 24, 6, 1]", r"number of bonds"),
            (
                "products of the dims on the right",
                "bonds = [360, 120, 30, 6]",
                r"bond after leg 0 is 360.*2 x 360",
            ),
            ("a transposed middle", "bonds = [2, 6, 30, 6]", r"bond after leg 2 is 30"),
        ],
        "right": [
            (
                "read off tl.mps",
                "_t = tl.mps(np.random.default_rng(1).normal(size=(2, 3, 4, 5, 6)))\n"
                "bonds = [_t[n].shape[-1] for n in _t.names[:-1]]",
            ),
            ("a numpy array", "bonds = np.array([2, 6, 24, 6])"),
        ],
    },
    "06-first-cut": {
        "wrong": [
            (
                "keeps all 6 singular values (zeros included)",
                "U, s, Vh = np.linalg.svd(Q.reshape(6, 20), full_matrices=False)\n"
                "first = U\nremainder = (s[:, None] * Vh).reshape(6, 4, 5)",
                r"rank 3 across this cut",
            ),
            (
                "forgets the singular values",
                "U, s, Vh = np.linalg.svd(Q.reshape(6, 20), full_matrices=False)\n"
                "first = U[:, :3]\nremainder = Vh[:3].reshape(3, 4, 5)",
                r"rows of V† alone",
            ),
            (
                "singular values on the wrong side",
                "U, s, Vh = np.linalg.svd(Q.reshape(6, 20), full_matrices=False)\n"
                "first = U[:, :3] * s[:3]\nremainder = Vh[:3].reshape(3, 4, 5)",
                r"not an isometry",
            ),
            (
                "transposed U",
                "U, s, Vh = np.linalg.svd(Q.reshape(6, 20), full_matrices=False)\n"
                "first = U[:3, :].T\nremainder = (s[:3, None] * Vh[:3]).reshape(3, 4, 5)",
                r"first joined to remainder",
            ),
            (
                "overwrites Q to make the check easy",
                "Q = np.zeros((6, 4, 5))\nfirst = np.eye(6)[:, :3]\n"
                "remainder = np.zeros((3, 4, 5))",
                r"Q \(changed since its set-up cell",
            ),
        ],
        "right": [
            (
                "QR, then an SVD of R",
                "Qm, Rm = np.linalg.qr(Q.reshape(6, 20))\nU, s, Vh = np.linalg.svd(Rm)\n"
                "first = (Qm @ U)[:, :3]\n"
                "remainder = (first.T @ Q.reshape(6, 20)).reshape(3, 4, 5)",
            ),
            (
                "matrix_rank, full SVD, flipped sign",
                "M = Q.reshape(6, -1)\nr = np.linalg.matrix_rank(M)\nU, s, Vh = np.linalg.svd(M)\n"
                "first = -U[:, :r]\nremainder = (first.T @ M).reshape(r, 4, 5)",
            ),
        ],
    },
    "06-draw-inner": {
        "wrong": [
            (
                "a crossed ladder (A0 with B2, A2 with B0)",
                "mine = ex063.start.copy()\nmine.connect('A0:i', 'B2:n')\n"
                "mine.connect('A1:j', 'B1:m')\nmine.connect('A2:k', 'B0:l')\nex063.submit(mine)",
                r"not right yet",
            ),
            (
                "two rungs only (half done)",
                "mine = ex063.start.copy()\nmine.connect('A0:i', 'B0:l')\n"
                "mine.connect('A1:j', 'B1:m')\nex063.submit(mine)",
                r"open leg",
            ),
            ("nothing drawn", "pass", r"open leg"),
        ],
        "right": [
            (
                "the ladder written as an einsum",
                "arrays = [ex063.start[n] for n in ex063.start.names]\n"
                "ex063.submit(tl.Diagram.from_einsum('ia,ajb,bk,ic,cjd,dk->', *arrays,\n"
                "    names=ex063.start.names))",
            ),
            (
                "rungs joined from B's side, in another order",
                "mine = ex063.start.copy()\nmine.connect('B2:n', 'A2:k')\n"
                "mine.connect('B0:l', 'A0:i')\nmine.connect('B1:m', 'A1:j')\nex063.submit(mine)",
            ),
        ],
    },
    "06-zipper": {
        "wrong": [
            (
                "each train first (the bad order)",
                "race.reset()\nfor s in 'AB':\n    cur = f'{s}0'\n    for k in range(1, 5):\n"
                "        cur = race.contract(cur, f'{s}{k}').result\n"
                "race.contract(race.names[0], race.names[1])",
                r"your order costs 9,450 FLOPs",
            ),
            (
                "all rungs first, then the chain",
                "race.reset()\nfor k in range(5):\n    race.contract(f'A{k}', f'B{k}')\n"
                "cur = '(A0·B0)'\nfor k in range(1, 5):\n"
                "    cur = race.contract(cur, f'(A{k}·B{k})').result",
                r"your order costs 4,478 FLOPs",
            ),
            (
                "A0 with A1 first, then the zipper",
                "race.reset()\ncur = race.contract('A0', 'A1').result\n"
                "cur = race.contract(cur, 'B0').result\ncur = race.contract(cur, 'B1').result\n"
                "for k in range(2, 5):\n    cur = race.contract(cur, f'A{k}').result\n"
                "    cur = race.contract(cur, f'B{k}').result",
                r"costs 2,064 FLOPs",
            ),
            ("stops half way", ZIPPER.replace("range(1, 5)", "range(1, 3)"), r"tensors are left"),
            (
                "an explorer of one's own (nothing saved)",
                "race.reset()\nmine = tl.ContractionExplorer(long_ladder)\nmine.play_optimal()",
                r"no contraction of yours is saved",
            ),
        ],
        "right": [
            (
                "the zipper from the right end",
                "race.reset()\ncur = race.contract('A4', 'B4').result\n"
                "for k in range(3, -1, -1):\n    cur = race.contract(cur, f'A{k}').result\n"
                "    cur = race.contract(cur, f'B{k}').result",
            ),
            (
                "the zipper absorbing B before A",
                "race.reset()\ncur = race.contract('B0', 'A0').result\nfor k in range(1, 5):\n"
                "    cur = race.contract(cur, f'B{k}').result\n"
                "    cur = race.contract(cur, f'A{k}').result",
            ),
            (
                "by clicks in the picture (select)",
                "race.reset()\nrace.select('A0')\nrace.select('B0')\ncur = '(A0·B0)'\n"
                "for k in range(1, 5):\n    for t in (f'A{k}', f'B{k}'):\n"
                "        race.select(cur)\n        race.select(t)\n"
                "        cur = race.steps[-1].result",
            ),
        ],
    },
}
