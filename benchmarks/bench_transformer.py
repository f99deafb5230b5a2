"""The transformer's numpy forward pass and its circuit diagrams, side by side in one run.

Run: ``python -m benchmarks.bench_transformer`` (``--quick`` for fewer repeats).

Compared:

- the vectorised forward pass against a plain loop over heads and positions (the test
  oracle), on the shipped trained model;
- a batch of 100 sequences at once against 100 single calls;
- contracting the path-expansion diagrams against :func:`path_expansion` (numpy matmuls);
- ``path_expansion`` against one forward pass (the price of splitting the logits);
- factored circuits at a real vocabulary (d_vocab 50,000, d_model 512, d_head 64): an OV
  circuit's rank, singular values, eigenvalues and copying score through
  :class:`tensorlessons.transformer.FactoredCircuit` against TransformerLens's
  ``FactoredMatrix`` (float64, CPU; needs the ``tl-compat`` extra, skipped without it),
  each in a fresh process so that its peak memory (max RSS) is its own. The full
  50,000 x 50,000 matrix would take 20 GB.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import statistics
import subprocess
import sys
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


#: the factored-circuit benchmark's sizes (a GPT-2-like vocabulary)
BIG = {"d_vocab": 50_000, "d_model": 512, "d_head": 64}


def _max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def factored_child(which: str) -> dict:
    """One side of the factored-circuit comparison, run in its own process."""
    V, D, E = BIG["d_vocab"], BIG["d_model"], BIG["d_head"]
    rng = np.random.default_rng(0)
    W_E = rng.normal(size=(V, D)) / math.sqrt(D)
    W_V = rng.normal(size=(D, E)) / math.sqrt(D)
    W_O = rng.normal(size=(E, D)) / math.sqrt(E)
    W_U = rng.normal(size=(D, V)) / math.sqrt(D)
    if which == "tl":
        import torch
        from transformer_lens import FactoredMatrix

        W_E, W_V, W_O, W_U = (torch.from_numpy(w) for w in (W_E, W_V, W_O, W_U))
    baseline = _max_rss_mb()
    start, cpu_start = time.perf_counter(), time.process_time()
    if which == "ours":
        from tensorlessons.transformer import FactoredCircuit

        M = FactoredCircuit(W_E @ W_V, W_O @ W_U)
        s = M.singular_values()
        lam = M.eigenvalues()
        out = {"rank": M.rank(), "copying": M.copying_score()}
    else:
        M = FactoredMatrix(W_E @ W_V, W_O @ W_U)
        s = M.S.numpy()
        lam = M.eigenvalues.numpy()
        out = {
            "rank": int((s > 1e-9 * s[0]).sum()),
            "copying": float(lam.sum().real / np.abs(lam).sum()),
        }
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    return {
        **out,
        "seconds": seconds,
        "cpu": cpu,
        "peak_mb": _max_rss_mb(),
        "baseline_mb": baseline,
        "s_top": float(s[0]),
        "lam_sum": float(np.real(lam.sum())),
    }


def factored_comparison() -> None:
    """Both sides, one after the other in fresh processes; a table and their agreement."""
    results = {}
    for which in ("ours", "tl"):
        proc = subprocess.run(
            [sys.executable, "-m", "benchmarks.bench_transformer", "--factored-child", which],
            capture_output=True,
            text=True,
        )
        if proc.returncode:
            tail = (proc.stderr.strip().splitlines() or ["?"])[-1]
            print(f"factored circuits, {which}: skipped ({tail})")
            continue
        results[which] = json.loads(proc.stdout.strip().splitlines()[-1])
    full_gb = BIG["d_vocab"] ** 2 * 8 / 1e9
    print(
        f"\nOV circuit at d_vocab {BIG['d_vocab']:,}, d_model {BIG['d_model']}, d_head "
        f"{BIG['d_head']} (the full matrix would be {full_gb:.0f} GB): rank, singular values, "
        "eigenvalues, copying score"
    )
    names = {"ours": "FactoredCircuit (numpy)", "tl": "TransformerLens FactoredMatrix"}
    print(
        f"{'':32s} {'wall':>8s} {'CPU':>8s} {'peak RSS':>10s} {'weights+setup':>14s}  rank  copying"
    )
    for which, r in results.items():
        print(
            f"{names[which]:32s} {r['seconds']:7.2f}s {r['cpu']:7.2f}s {r['peak_mb']:8.0f}MB "
            f"{r['baseline_mb']:12.0f}MB  {r['rank']:4d}  {r['copying']:+.6f}"
        )
    if len(results) == 2:
        a, b = results["ours"], results["tl"]
        print(
            f"ratio wall {a['seconds'] / b['seconds']:.2f}x, CPU {a['cpu'] / b['cpu']:.2f}x, peak RSS "
            f"{a['peak_mb'] / b['peak_mb']:.2f}x; largest singular value agrees to "
            f"{abs(a['s_top'] - b['s_top']) / b['s_top']:.1e}, eigenvalue sum to "
            f"{abs(a['lam_sum'] - b['lam_sum']) / abs(b['lam_sum']):.1e}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--factored-child", choices=["ours", "tl"], help=argparse.SUPPRESS)
    parser.add_argument("--factored-only", action="store_true", help="only the big circuits")
    args = parser.parse_args()
    if args.factored_child:
        print(json.dumps(factored_child(args.factored_child)))
        return
    if args.factored_only:
        factored_comparison()
        return
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
    factored_comparison()


if __name__ == "__main__":
    main()
