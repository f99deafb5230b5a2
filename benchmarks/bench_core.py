"""Diagram.contract() side by side with opt_einsum and numpy.einsum, in one run.

Run: ``python -m benchmarks.bench_core`` (``--quick`` for fewer repeats).

Targets (issue 2): contracting a built diagram again <= 0.8x the faster fresh peer and
<= 1.15x a cached ``opt_einsum.contract_expression``; building and contracting <= 1.2x the
faster fresh peer; ``import tensorlessons`` <= 0.5 s. Issue 11: ``equivalent()`` on a
12-tensor ring <= 2x ``contract()`` (reading a diagram never lays it out).
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

from tensorlessons import Diagram, equivalent
from tensorlessons.testing import ring


def timed_side_by_side(
    subjects: dict[str, Callable[[], object]], rounds: int, min_time: float = 0.05
) -> dict[str, float]:
    """Best seconds per call of each subject, measured in interleaved rounds.

    Every round times each subject once (looping until ``min_time`` has passed), so a
    passing load on the machine hits all subjects alike; the minimum over rounds is the
    least disturbed figure (as ``timeit`` recommends).
    """
    for fn in subjects.values():
        fn()  # warm up (and fill caches where the subject has them)
    best = dict.fromkeys(subjects, float("inf"))
    for _ in range(rounds):
        for name, fn in subjects.items():
            n, start = 0, time.perf_counter()
            while True:
                fn()
                n += 1
                elapsed = time.perf_counter() - start
                if elapsed >= min_time:
                    break
            best[name] = min(best[name], elapsed / n)
    return best


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


def bench(eq: str, arrays: list[np.ndarray], rounds: int) -> dict[str, float]:
    shapes = [a.shape for a in arrays]
    built = Diagram.from_einsum(eq, *arrays, layout=False)
    expr = opt_einsum.contract_expression(eq, *shapes)
    np.testing.assert_allclose(built.contract(), expr(*arrays), rtol=1e-8)
    subjects = {
        # numpy's einsum searches a path on every call ("greedy" is what optimize=True does)
        "numpy.einsum(greedy)": lambda: np.einsum(eq, *arrays, optimize="greedy"),
        "opt_einsum.contract": lambda: opt_einsum.contract(eq, *arrays),
        "contract_expression (cached)": lambda: expr(*arrays),
        "Diagram.contract() again": built.contract,
        "from_einsum+contract": lambda: Diagram.from_einsum(eq, *arrays, layout=False).contract(),
        "from_einsum+layout+contract": lambda: _with_layout(eq, arrays),
    }
    t = timed_side_by_side(subjects, rounds)
    peer = min(t["numpy.einsum(greedy)"], t["opt_einsum.contract"])
    t["again / faster peer"] = t["Diagram.contract() again"] / peer
    t["again / cached expression"] = (
        t["Diagram.contract() again"] / t["contract_expression (cached)"]
    )
    t["build+contract / faster peer"] = t["from_einsum+contract"] / peer
    t["build+layout+contract / faster peer"] = t["from_einsum+layout+contract"] / peer
    return t


def _with_layout(eq: str, arrays: list[np.ndarray]) -> np.ndarray:
    d = Diagram.from_einsum(eq, *arrays)
    d.tensor(d.names[0])  # reading positions lays the diagram out
    return d.contract()


def bench_equivalent(rounds: int, bond: int = 8) -> dict[str, float]:
    """equivalent() as a drawing check uses it, side by side with contract().

    A check compares a freshly drawn diagram with a reference; both are built from einsum
    strings here (the second lists the tensors in reverse order), as a learner's diagram
    would be, and ``.copy()`` defeats the per-diagram caches for the "again" rows.
    """
    eq, arrays = ring(12, bond)  # tensorlessons.testing's generator, shared with the tests
    names = [f"M{k}" for k in range(12)]
    eq2 = ",".join(reversed(eq[:-2].split(","))) + "->"
    ref = Diagram.from_einsum(eq, *arrays, names=names)
    drawn = Diagram.from_einsum(eq2, *arrays[::-1], names=names[::-1])
    assert equivalent(ref, drawn)
    subjects = {
        "from_einsum+contract": lambda: Diagram.from_einsum(eq, *arrays, names=names).contract(),
        "2x from_einsum+equivalent": lambda: equivalent(
            Diagram.from_einsum(eq, *arrays, names=names),
            Diagram.from_einsum(eq2, *arrays[::-1], names=names[::-1]),
        ),
        "contract() again": ref.contract,
        "equivalent(copies)": lambda: equivalent(ref.copy(), drawn.copy()),
    }
    t = timed_side_by_side(subjects, rounds)
    t["built equivalent / built contract"] = (
        t["2x from_einsum+equivalent"] / t["from_einsum+contract"]
    )
    t["equivalent(copies) / contract again"] = t["equivalent(copies)"] / t["contract() again"]
    return t


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args(argv)
    rounds = 3 if args.quick else 9
    cases = [
        ("MPS norm (12 sites, bond 48, phys 4)", *mps_norm()),
        ("chain of 8 matrices", *matrix_chain()),
        ("attention circuit W_E W_V W_O W_U (d_vocab 5000)", *attention_circuit()),
    ]
    print("tensorlessons core benchmark: best seconds per call over interleaved rounds;")
    print("ratios < 1 favour tensorlessons")
    for name, eq, arrays in cases:
        r = bench(eq, arrays, rounds)
        print(f"\n== {name}")
        for key, value in r.items():
            if "/" in key:
                print(f"  {key:38s} {value:8.3f}x")
            else:
                print(f"  {key:38s} {value * 1e3:10.3f} ms")
    r = bench_equivalent(rounds)
    print("\n== equivalent() vs contract(): 12-tensor ring, bond 8 (target <= 2x)")
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
