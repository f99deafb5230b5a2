"""A correct answer other than the chapter's own must not break the cells after it.

The wrong-answer harness (``wrong_answers.py``) checks that a correct alternative passes
its graded cell. Here a chapter runs on with the alternative in place: every later cell
must still run, and what the chapter goes on to measure must come out as it does with
the reference answer (issue: a correct ``10-induction-qk`` on other ``d_head``
coordinates used to leave the model at 6 % accuracy, and ``10-accuracy`` then blamed the
learner's accuracy function).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from wrong_answers import Kernel, with_answer

from tensorlessons import course
from tensorlessons import grading as g

ROOT = Path(__file__).resolve().parent.parent

ALTERNATIVES = {
    "10_induction_heads": {
        # the previous-token head shifted on the query side instead of the key side
        "10-previous-token": """
            W_q[pos[1:], np.arange(N - 1)] = c * root
            W_k[pos[:-1], np.arange(N - 1)] = 1.0
        """,
        # the token matching on coordinates V..2V-1, where the spare coordinate used to be
        "10-induction-qk": """
            W_q1[tok, V + np.arange(V)] = c * root
            W_k1[prev, V + np.arange(V)] = 1.0
        """,
    },
    "09_circuits": {
        # the same zero-layer model in another basis of its residual stream
        "09-bigram": """
            centred = log_P - log_P.mean(axis=1, keepdims=True)
            U, S, Vt = np.linalg.svd(centred)
            R = np.random.default_rng(3).normal(size=(4, 4))
            W_E = (U[:, :4] * S[:4]) @ R
            W_U = np.linalg.inv(R) @ Vt[:4]
        """,
    },
}

# run up to (not including) this cell, then check what the chapter measured
STOP = {"10_induction_heads": "c10-041", "09_circuits": "c09-008"}
AFTER = {
    "10_induction_heads": """
        assert induction_accuracy(model, batch, 16) >= 0.99, induction_accuracy(model, batch, 16)
        assert spare not in range(V, 2 * V), spare
        assert model.loss(batch, per_position=True)[16:].mean() < 0.01
    """,
    "09_circuits": """
        reference = best_rank(log_P - log_P.mean(axis=1, keepdims=True))
        assert np.allclose(softmax(W_E @ W_U), softmax(reference))
        assert abs(mean_kl(W_E @ W_U) - mean_kl(reference)) < 1e-9
    """,
}


@pytest.mark.parametrize("stem", sorted(ALTERNATIVES))
def test_a_correct_alternative_does_not_break_later_cells(stem):
    nb = course.read_source(ROOT / "course" / f"{stem}.py")
    answers = ALTERNATIVES[stem]
    with tempfile.TemporaryDirectory(prefix="tl-alt-") as tmp:
        g._prepare_workdir(ROOT / "chapters", Path(tmp))
        kernel = Kernel(Path(tmp))
        try:
            used = set()
            for k, cell in enumerate(nb.cells):
                if cell.get("id") == STOP[stem]:
                    break
                if cell.cell_type != "code":
                    continue
                source = cell.source
                gid = str(cell.metadata.get("nbgrader", {}).get("grade_id", ""))
                if g.is_solution(cell) and gid.removesuffix("-code") in answers:
                    source = with_answer(source, answers[gid.removesuffix("-code")])
                    used.add(gid.removesuffix("-code"))
                result = kernel.run(source)
                assert result.status == "ok", (
                    f"{stem} cell {k} ({cell.get('id')}) with {sorted(used)} answered "
                    f"otherwise: {result.ename}: {result.evalue}"
                )
            assert used == set(answers), f"solution cells not found: {set(answers) - used}"
            check = kernel.run(AFTER[stem].replace("\n        ", "\n").strip())
            assert check.status == "ok", f"{stem}: {check.ename}: {check.evalue}"
        finally:
            kernel.close()
