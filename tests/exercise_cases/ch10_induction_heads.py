"""Wrong answers a learner is likely to give in chapter 10, and correct alternatives.

Each code string replaces the solution region of the exercise's solution cell; every
"wrong" one must make the graded cell fail with a message matching its pattern, every
"right" one must pass.
"""

KC = """
drawn = k_start.copy()
for a, b in WIRES:
    drawn.connect(a, b)
ex_circuit.submit(drawn)
"""
KEY_SIDE = [
    ("W_K1:model", "W_O0:model"),
    ("W_O0:head", "W_V0:head"),
    ("W_V0:model", "W_Ek:model"),
    ("W_Ek:vocab", "T_k:vocab"),
]


def _kc(wires):
    return KC.replace("WIRES", repr(wires))


ACC = "def induction_accuracy(model, batch, half):\n    p = model(batch).argmax(-1)\n"

FIND = """
patterns = trained.attention_patterns(rep)
q = np.arange(1, 2 * half)
prev_scores = patterns[:, 0, :, q, q - 1].mean(axis=(0, 1))
q = np.arange(half, 2 * half)
induction_scores = patterns[:, 1, :, q, q - half + 1].mean(axis=(0, 1))
prev_head, induction_head = int(np.argmax(prev_scores)), int(np.argmax(induction_scores))
"""

ABL = """
def loss_of(m):
    return m.loss(rep, per_position=True)[PART].mean()


ablation_effect = np.zeros((trained.n_layers, trained.n_heads))
for layer in range(trained.n_layers):
    for head in range(trained.n_heads):
        ablation_effect[layer, head] = loss_of(trained.ablate([(layer, head)])) - loss_of(trained)
needed = [(int(a), int(b)) for a, b in zip(*np.nonzero(ablation_effect > 0.5))]
"""

REAL = """
prev_head = int(np.argmax(prev_text[0]))
induction_head = int(np.argmax(stripe_text[1]))
table = []
for heads in ([], [(1, induction_head)], [(0, prev_head)]):
    losses = text_model.ablate(heads).loss(repeated, per_position=True)
    table.append([losses[FIRST].mean(), losses[SECOND].mean()])
table = np.array(table)
"""


def _real(first=": half_t - 1", second="half_t:"):
    return REAL.replace("FIRST", first).replace("SECOND", second)


CASES = {
    "10-previous-token": {
        "wrong": [
            (
                "the key at position k points to k (attends to itself)",
                "W_q[pos, np.arange(N)] = c * root\nW_k[pos, np.arange(N)] = 1.0",
                r"attend to themselves",
            ),
            (
                "root forgotten (not sharp)",
                "W_q[pos, np.arange(N)] = c\nW_k[pos[:-1], np.arange(1, N)] = 1.0",
                r"not sharply.*root",
            ),
            (
                "the shift on the wrong side (key k meets query k - 1: the future)",
                "W_q[pos[:-1], np.arange(1, N)] = c * root\nW_k[pos, np.arange(N)] = 1.0",
                r"query q should attend to key q-1",
            ),
            (
                "reads the tokens instead of the positions",
                "W_q[tok, np.arange(V)] = c * root\nW_k[tok, np.arange(V)] = 1.0",
                r"attend to themselves|query q should attend",
            ),
            ("nothing done (zeros)", "pass", r"query q should attend to key q-1"),
        ],
        "right": [
            (
                "the query shifted instead of the key",
                "W_q[pos[1:], np.arange(N - 1)] = c * root\nW_k[pos[:-1], np.arange(N - 1)] = 1.0",
            ),
            (
                "other coordinates, a sharper c",
                "perm = np.random.default_rng(4).permutation(N)\n"
                "W_q[pos, perm] = 2 * c * root\nW_k[pos[:-1], perm[1:]] = 1.0",
            ),
            (
                "root on the key side",
                "W_q[pos, np.arange(N)] = c\nW_k[pos[:-1], np.arange(1, N)] = root",
            ),
        ],
    },
    "10-induction-qk": {
        "wrong": [
            (
                "the key reads the current token",
                "W_q1[tok, np.arange(V)] = c * root\nW_k1[tok, np.arange(V)] = 1.0",
                r"reads the current token",
            ),
            (
                "root forgotten",
                "W_q1[tok, np.arange(V)] = c\nW_k1[prev, np.arange(V)] = 1.0",
                r"c / sqrt\(d_head\)",
            ),
            (
                "the indices swapped on the key side",
                "W_q1[tok, np.arange(V)] = c * root\nW_k1[np.arange(V), prev] = 1.0",
                r"reads the current token|K-composition circuit",
            ),
            (
                "query and key roles swapped (the query reads prev)",
                "W_q1[prev, np.arange(V)] = c * root\nW_k1[tok, np.arange(V)] = 1.0",
                r"K-composition circuit",
            ),
            (
                "off by one token",
                "W_q1[tok, np.arange(V)] = c * root\nW_k1[prev, (np.arange(V) + 1) % V] = 1.0",
                r"K-composition circuit",
            ),
            (
                "the query also reads positions",
                "W_q1[tok, np.arange(V)] = c * root\nW_k1[prev, np.arange(V)] = 1.0\n"
                "W_q1[pos[:V], np.arange(V)] = c * root",
                r"query's pos block meets the key's prev block",
            ),
        ],
        "right": [
            (
                "the upper coordinates (where the spare used to be)",
                "W_q1[tok, V + np.arange(V)] = c * root\nW_k1[prev, V + np.arange(V)] = 1.0",
            ),
            (
                "a permutation of coordinates, root on the key side",
                "perm = np.random.default_rng(6).permutation(d_head)[:V]\n"
                "W_q1[tok, perm] = c\nW_k1[prev, perm] = root",
            ),
        ],
    },
    "10-accuracy": {
        "wrong": [
            (
                "predictions compared with the current token",
                ACC
                + "    return float((p[:, half : 2 * half - 1] == batch[:, half : 2 * half - 1]).mean())",
                r"not for the token at p",
            ),
            (
                "the whole sequence scored",
                ACC + "    return float((p[:, :-1] == batch[:, 1:]).mean())",
                r"scored the first",
            ),
            (
                "a count, not a fraction",
                ACC
                + "    return int((p[:, half : 2 * half - 1] == batch[:, half + 1 : 2 * half]).sum())",
                r"not a count",
            ),
            (
                "half hard-coded to 16",
                ACC + "    return float((p[:, 16:31] == batch[:, 17:32]).mean())",
                r"half=5\) is nan",
            ),
            (
                "the last position included (compared with a shifted copy)",
                ACC
                + "    return float((p[:, half:] == np.roll(batch, -1, axis=1)[:, half:]).mean())",
                r"induction_accuracy\(",
            ),
        ],
        "right": [
            (
                "a loop over positions",
                "def induction_accuracy(model, batch, half):\n    p = model(batch).argmax(-1)\n"
                "    hits = [(p[:, t] == batch[:, t + 1]) for t in range(half, 2 * half - 1)]\n"
                "    return float(np.mean(hits))",
            ),
            (
                "from the logits' maximum",
                "def induction_accuracy(model, batch, half):\n    lg = model(batch)\n"
                "    right = np.take_along_axis(lg[:, :-1], batch[:, 1:, None], -1)[..., 0]\n"
                "    best = lg[:, :-1].max(-1)\n"
                "    return float((right == best)[:, half:].mean())",
            ),
        ],
    },
    "10-k-composition": {
        "wrong": [
            (
                "A0 joined by its query leg (the key leg left open)",
                _kc(KEY_SIDE + [("T_k:pos", "A0:query")]),
                r"A0:query|A0:key",
            ),
            ("the position wire missing", _kc(KEY_SIDE), r"open leg"),
            (
                "the key reads the embedding directly (layer 0 skipped)",
                _kc(
                    [
                        ("W_K1:model", "W_Ek:model"),
                        ("W_Ek:vocab", "T_k:vocab"),
                        ("T_k:pos", "A0:key"),
                    ]
                ),
                r"not right yet",
            ),
        ],
        "right": [
            ("wires in another order", _kc([("A0:key", "T_k:pos")] + list(reversed(KEY_SIDE)))),
        ],
    },
    "10-find-heads": {
        "wrong": [
            (
                "the induction stripe one position off (q - half)",
                FIND.replace("q - half + 1]", "q - half]"),
                r"induction_scores",
            ),
            (
                "averaged over layer 0 for the induction scores",
                FIND.replace(
                    "patterns[:, 1, :, q, q - half + 1]", "patterns[:, 0, :, q, q - half + 1]"
                ),
                r"induction_scores",
            ),
            (
                "the head with the smallest score",
                FIND.replace(
                    "int(np.argmax(induction_scores))", "int(np.argmin(induction_scores))"
                ),
                r"induction_head",
            ),
        ],
        "right": [
            (
                "the library's scores",
                "from tensorlessons.transformer import previous_token_scores\n"
                "from tensorlessons.transformer import induction_scores as ind\n"
                "prev_scores = previous_token_scores(trained, rep)[0]\n"
                "patterns = trained.attention_patterns(rep)\nq = np.arange(half, 2 * half)\n"
                "induction_scores = patterns[:, 1, :, q, q - half + 1].mean(axis=(0, 1))\n"
                "prev_head, induction_head = int(prev_scores.argmax()), int(induction_scores.argmax())",
            ),
        ],
    },
    "10-ablation": {
        "wrong": [
            ("the first half measured", ABL.replace("PART", ": half - 1"), r"first half"),
            (
                "the ablated losses, not their rise",
                ABL.replace("PART", "half:").replace(" - loss_of(trained)", ""),
                r"not their rise|subtract the unablated",
            ),
            (
                "ablations piled up (not from the trained model each time)",
                "m = trained\nbase = m.loss(rep, per_position=True)[half:].mean()\n"
                "ablation_effect = np.zeros((trained.n_layers, trained.n_heads))\n"
                "for layer in range(trained.n_layers):\n    for head in range(trained.n_heads):\n"
                "        m = m.ablate([(layer, head)])\n"
                "        ablation_effect[layer, head] = m.loss(rep, per_position=True)[half:].mean() - base\n"
                "needed = [(0, 0)]",
                r"one at a time",
            ),
            (
                "attention scores instead of an ablation (recall, not causation)",
                "from tensorlessons.transformer import induction_scores as ind\n"
                "ablation_effect = ind(trained, half)\n"
                "needed = [(int(a), int(b)) for a, b in zip(*np.nonzero(ablation_effect > 0.5))]",
                r"ablation_effect",
            ),
            (
                "the whole sequence measured",
                ABL.replace("PART", ":"),
                r"whole sequence",
            ),
        ],
        "right": [
            (
                "by a list comprehension, needed as a set sorted",
                "base = trained.loss(rep, per_position=True)[half:].mean()\n"
                "ablation_effect = np.array([[trained.ablate([(l, h)]).loss(rep, per_position=True)\n"
                "    [half:].mean() - base for h in range(4)] for l in range(2)])\n"
                "needed = sorted({(l, h) for l in range(2) for h in range(4)\n"
                "    if ablation_effect[l, h] > 0.5})",
            ),
        ],
    },
    "10-real-text": {
        "wrong": [
            (
                "the previous-token head picked from layer 1",
                _real().replace("prev_text[0]", "prev_text[1]"),
                r"layer 1's scores|prev_head",
            ),
            (
                "the induction head picked from layer 0",
                _real().replace("stripe_text[1]", "stripe_text[0]"),
                r"layer 0's scores|induction_head",
            ),
            ("the readings swapped", _real("half_t:", ": half_t - 1"), r"swapped"),
            (
                "the first reading runs into the second copy",
                _real(first=": half_t"),
                r"stop at half_t-2",
            ),
            (
                "the second reading starts one early",
                _real(second="half_t - 1 :"),
                r"start at half_t",
            ),
            (
                "row 2 keeps the induction head ablated (ablations piled up)",
                _real().replace("[(0, prev_head)]):", "[(1, induction_head), (0, prev_head)]):"),
                r"ablates both heads",
            ),
            (
                "the whole window measured",
                _real(first=":", second=":"),
                r"table",
            ),
            (
                "rows 1 and 2 swapped",
                _real().replace(
                    "([], [(1, induction_head)], [(0, prev_head)])",
                    "([], [(0, prev_head)], [(1, induction_head)])",
                ),
                r"rows 1 and 2 are swapped",
            ),
            (
                "the plain windows measured",
                _real().replace("loss(repeated,", "loss(plain,"),
                r"measures `plain`",
            ),
            (
                "the second copy scored on its own",
                "prev_head = int(np.argmax(prev_text[0]))\n"
                "induction_head = int(np.argmax(stripe_text[1]))\n"
                "table = []\n"
                "for heads in ([], [(1, induction_head)], [(0, prev_head)]):\n"
                "    m = text_model.ablate(heads)\n"
                "    first = m.loss(repeated[:, :half_t], per_position=True)[: half_t - 1]\n"
                "    second = m.loss(repeated[:, half_t:], per_position=True)\n"
                "    table.append([first.mean(), second.mean()])\n"
                "table = np.array(table)\n",
                r"second copy on its own",
            ),
            (
                "the heads with the smallest scores",
                _real().replace("np.argmax", "np.argmin"),
                r"prev_head|induction_head",
            ),
        ],
        "right": [
            (
                "the library's scores, numpy integers, a nested list",
                "scores = tl.induction_scores(text_model, tokens=repeated)\n"
                "induction_head = scores[1].argmax()\n"
                "prev_head = tl.previous_token_scores(text_model, plain)[0].argmax()\n"
                "half = repeated.shape[1] // 2\n"
                "table = []\n"
                "for m in (text_model, text_model.ablate([(1, induction_head)]),\n"
                "          text_model.ablate([(0, prev_head)])):\n"
                "    pp = m.loss(repeated, per_position=True)\n"
                "    table.append([float(pp[:half - 1].mean()), float(pp[half:].mean())])\n",
            ),
        ],
    },
}
