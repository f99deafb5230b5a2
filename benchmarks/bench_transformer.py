"""The transformer's numpy forward pass and its circuit diagrams, side by side in one run.

Run: ``python -m benchmarks.bench_transformer`` (``--quick`` for fewer repeats).

Compared:

- the vectorised forward pass against a plain loop over heads and positions (the test
  oracle), on the shipped trained model;
- a batch of 100 sequences at once against 100 single calls;
- contracting the path-expansion diagrams against :func:`path_expansion` (numpy matmuls);
- ``path_expansion`` against one forward pass (the price of splitting the logits).
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from collections.abc import Callable

import numpy as np

import tensorlessons as tl
from tensorlessons.circuits import path_expansion_diagrams


def timed(fn: Callable[[], object], repeat: int, min_time: float = 0.05) -> float:
    """Median seconds per call, each sample looping until ``min_time`` has passed."""
    fn()
    samples = []
    for _ in range(repeat):
        n, start = 0, time.perf_counter()
        while True:
            fn()
            n += 1
            elapsed = time.perf_counter() - start
            if elapsed >= min_time:
                break
        samples.append(elapsed / n)
    return statistics.median(samples)


def loop_forward(model: tl.AttentionOnlyTransformer, tokens: list[int]) -> np.ndarray:
    seq = len(tokens)
    x = model.W_E[tokens] + model.W_pos[:seq]
    for layer in range(model.n_layers):
        new = x.copy()
        for h in range(model.n_heads):
            q = x @ model.W_Q[layer, h]
            k = x @ model.W_K[layer, h]
            v = x @ model.W_V[layer, h]
            for i in range(seq):
                s = k[: i + 1] @ q[i] / math.sqrt(model.d_head)
                a = np.exp(s - s.max())
                a /= a.sum()
                new[i] += (a @ v[: i + 1]) @ model.W_O[layer, h]
        x = new
    return x @ model.W_U


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    repeat = 3 if args.quick else 7
    model = tl.load_trained_model()
    tokens = tl.repeated_random_tokens(16, model.d_vocab, seed=0).tolist()
    batch = tl.repeated_random_tokens(16, model.d_vocab, batch=100, seed=1)
    diagrams = path_expansion_diagrams(model, tokens)

    rows = [
        (
            "forward, one sequence: vectorised / loop oracle",
            timed(lambda: model(tokens), repeat),
            timed(lambda: loop_forward(model, tokens), repeat),
        ),
        (
            "forward, 100 sequences: one batch / 100 calls",
            timed(lambda: model(batch), repeat),
            timed(lambda: [model(seq) for seq in batch], repeat),
        ),
        (
            "path expansion: diagrams.contract() / numpy path_expansion",
            timed(lambda: [d.contract() for d in diagrams.values()], repeat),
            timed(lambda: tl.path_expansion(model, tokens), repeat),
        ),
        (
            "path expansion / forward pass",
            timed(lambda: tl.path_expansion(model, tokens), repeat),
            timed(lambda: model(tokens), repeat),
        ),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'comparison':<{width}}  {'first':>10}  {'second':>10}  ratio")
    for name, a, b in rows:
        print(f"{name:<{width}}  {a * 1e3:8.3f}ms  {b * 1e3:8.3f}ms  {a / b:5.2f}x")


if __name__ == "__main__":
    main()
