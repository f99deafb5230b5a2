"""Reference computations that graded cells compare a learner's function against.

They live in the package, not in the chapters' check cells, so that a learner reading a
check cell is not shown the code the exercise asks for.

>>> import numpy as np
>>> scores = random_composition_scores(8, 2, 5, np.random.default_rng(0))
>>> scores.shape, bool(((scores >= 0) & (scores <= 1)).all())
((5,), True)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .transformer import composition_score


def random_composition_scores(
    d_model: int, d_head: int, n: int, rng: np.random.Generator
) -> np.ndarray:
    """``n`` composition scores of random writer/reader pairs shaped like a head's circuits.

    Each matrix is a product of Gaussian factors through a ``d_head`` leg (rank ``d_head``),
    as a head's ``W_OV`` and ``W_QK`` are.

    >>> random_composition_scores(4, 1, 3, np.random.default_rng(1)).shape
    (3,)
    """

    def low_rank() -> np.ndarray:
        return rng.normal(size=(d_model, d_head)) @ rng.normal(size=(d_head, d_model))

    return np.array([composition_score(low_rank(), low_rank()) for _ in range(n)])


def induction_accuracy(model: Any, batch: np.ndarray, half: int) -> float:
    """The fraction of right next-token predictions at positions ``half .. 2*half-2``.

    >>> from tensorlessons import induction_transformer
    >>> from tensorlessons.transformer import repeated_random_tokens
    >>> m = induction_transformer(16, 32)
    >>> induction_accuracy(m, repeated_random_tokens(16, 16, batch=4, seed=0), 16)
    1.0
    """
    predicted = model(batch).argmax(-1)
    return float((predicted[:, half : 2 * half - 1] == batch[:, half + 1 : 2 * half]).mean())


def reading_losses(
    model: Any, repeated: np.ndarray, ablations: list[list[tuple[int, int]]]
) -> np.ndarray:
    """Mean losses of the first and the second reading of passages written twice:
    [1 + len(ablations), 2]. Row 0 is ``model``, row ``i`` the model with the heads of
    ``ablations[i - 1]`` ablated. Column 0: the predictions at positions ``0 .. half-2``
    (inside the first copy), column 1: at positions ``half ..`` (inside the second).

    >>> from tensorlessons import induction_transformer
    >>> from tensorlessons.transformer import repeated_random_tokens
    >>> m = induction_transformer(16, 32)
    >>> table = reading_losses(m, repeated_random_tokens(16, 16, batch=4, seed=0), [[(1, 0)]])
    >>> table.shape, bool(table[0, 1] < 0.01 < 1 < table[1, 1])
    ((2, 2), True)
    """
    half = repeated.shape[-1] // 2
    rows = []
    for heads in [[], *ablations]:
        per_position = model.ablate(heads).loss(repeated, per_position=True)
        rows.append([per_position[: half - 1].mean(), per_position[half:].mean()])
    return np.array(rows)


def circuit_heads(model: Any, plain: np.ndarray, repeated: np.ndarray) -> tuple[int, int]:
    """``(previous-token head, induction head)``: the layer-0 head with the highest
    previous-token score on ``plain`` and the layer-1 head with the highest induction score
    on ``repeated`` (a passage written twice).

    >>> from tensorlessons import induction_transformer
    >>> from tensorlessons.transformer import repeated_random_tokens
    >>> rep = repeated_random_tokens(16, 16, batch=4, seed=0)
    >>> circuit_heads(induction_transformer(16, 32), rep, rep)
    (0, 0)
    """
    from .transformer import induction_scores, previous_token_scores

    prev = previous_token_scores(model, plain)[0]
    stripe = induction_scores(model, tokens=repeated)[1]
    return int(np.argmax(prev)), int(np.argmax(stripe))
