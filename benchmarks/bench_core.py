"""Diagram.contract() side by side with opt_einsum and numpy.einsum, in one run.

Run: ``python -m benchmarks.bench_core`` (``--quick`` for fewer repeats).

Targets (issue 2): contracting a built diagram again <= 0.8x the faster fresh peer and
<= 1.15x a cached ``opt_einsum.contract_expression``; building and contracting <= 1.2x the
faster fresh peer; ``import tensorlessons`` <= 0.5 s.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

import numpy as np
import opt_einsum

from tensorlessons import Diagram


def timed(fn: Callable[[], object], repeat: int, min_time: float = 0.05) -> float:
    """Median seconds per call, each sample looping until ``min_time`` has passed."""
    fn()  # warm up (and fill caches where the subject has them)
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


def mps_norm(sites: int = 12, bond: int = 48, phys: int = 4) -> tuple[str, list[np.ndarray]]:
    """<psi|psi> for an open-boundary MPS: ket and bra rows joined by physical legs."""
    rng = np.random.default_rng(0)
    sym = opt_einsum.get_symbol
    arrays, terms = [], []
    bonds = [1] + [bond] * (sites - 1) + [1]
    k = 0
    ket_b = [sym(k + i) for i in range(sites + 1)]
    k += sites + 1
    bra_b = [sym(k + i) for i in range(sites + 1)]
    k += sites + 1
    phys_l = [sym(k + i) for i in range(sites)]
    for s in range(sites):
        a = rng.standard_normal((bonds[s], phys, bonds[s + 1])) / np.sqrt(bond)
        arrays += [a, a.conj()]
        terms += [ket_b[s] + phys_l[s] + ket_b[s + 1], bra_b[s] + phys_l[s] + bra_b[s + 1]]
    return ",".join(terms) + "->", arrays


def matrix_chain() -> tuple[str, list[np.ndarray]]:
    dims = [64, 128, 32, 256, 16, 128, 64, 200, 32]
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal((dims[k], dims[k + 1])) for k in range(8)]
    letters = "abcdefghi"
    return ",".join(letters[k] + letters[k + 1] for k in range(8)) + "->ai", arrays


def attention_circuit(d_vocab: int = 5000, d_model: int = 128, d_head: int = 32):
    """The OV circuit in token space, W_E W_V W_O W_U: [d_vocab, d_vocab]."""
    rng = np.random.default_rng(2)
    W_E = rng.standard_normal((d_vocab, d_model))
    W_V = rng.standard_normal((d_model, d_head))
    W_O = rng.standard_normal((d_head, d_model))
    W_U = rng.standard_normal((d_model, d_vocab))
    return "tm,mh,hn,nu->tu", [W_E, W_V, W_O, W_U]


def import_time(runs: int = 5) -> float:
    """Median seconds of ``import tensorlessons`` in a fresh interpreter (minus bare start)."""

    def run(code: str) -> float:
        out = []
        for _ in range(runs):
            t = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True)
            out.append(time.perf_counter() - t)
        return statistics.median(out)

    return run("import tensorlessons") - run("pass")


def bench(name: str, eq: str, arrays: list[np.ndarray], repeat: int) -> dict[str, float]:
    shapes = [a.shape for a in arrays]
    built = Diagram.from_einsum(eq, *arrays, layout=False)
    expr = opt_einsum.contract_expression(eq, *shapes)
    # numpy's einsum path search ("greedy" by default when optimize=True) per call
    t_numpy = timed(lambda: np.einsum(eq, *arrays, optimize="greedy"), repeat)
    t_numpy_opt = (
        timed(lambda: np.einsum(eq, *arrays, optimize="optimal"), repeat)
        if len(arrays) <= 8
        else float("inf")
    )
    t_oe = timed(lambda: opt_einsum.contract(eq, *arrays), repeat)
    t_expr = timed(lambda: expr(*arrays), repeat)
    t_again = timed(built.contract, repeat)
    t_build = timed(lambda: Diagram.from_einsum(eq, *arrays, layout=False).contract(), repeat)
    t_build_layout = timed(lambda: Diagram.from_einsum(eq, *arrays).contract(), repeat)
    peer = min(t_numpy, t_numpy_opt, t_oe)
    np.testing.assert_allclose(built.contract(), expr(*arrays), rtol=1e-8)
    return {
        "name": name,
        "numpy.einsum(greedy)": t_numpy,
        "numpy.einsum(optimal)": t_numpy_opt,
        "opt_einsum.contract": t_oe,
        "contract_expression (cached)": t_expr,
        "Diagram.contract() again": t_again,
        "from_einsum+contract": t_build,
        "from_einsum+layout+contract": t_build_layout,
        "again / faster peer": t_again / peer,
        "again / cached expression": t_again / t_expr,
        "build+contract / faster peer": t_build / peer,
        "build+layout+contract / faster peer": t_build_layout / peer,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args(argv)
    repeat = 3 if args.quick else 7
    cases = [
        ("MPS norm (12 sites, bond 48, phys 4)", *mps_norm()),
        ("chain of 8 matrices", *matrix_chain()),
        ("attention circuit W_E W_V W_O W_U (d_vocab 5000)", *attention_circuit()),
    ]
    print("tensorlessons core benchmark: median seconds per call; ratios < 1 favour tensorlessons")
    for name, eq, arrays in cases:
        r = bench(name, eq, arrays, 3 if "attention" in name else repeat)
        print(f"\n== {r.pop('name')}")
        for key, value in r.items():
            if "/" in key:
                print(f"  {key:38s} {value:8.3f}x")
            else:
                print(f"  {key:38s} {value * 1e3:10.3f} ms")
    t_import = import_time()
    print(f"\nimport tensorlessons: {t_import:.3f} s (target <= 0.5 s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
