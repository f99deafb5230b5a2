"""Decompositions side by side with tensorly, and the contraction-order explorer against
opt_einsum's 'optimal' path, in one run.

Run: ``python -m benchmarks.bench_decompositions`` (``--quick`` for fewer repeats).

Targets (issue 5): at equal ranks, Tucker and MPS errors <= 1.05x tensorly's; CP recovers
an exactly low-rank tensor; the explorer's optimal cost / opt_einsum 'optimal' cost = 1.00.
Times are reported for information (tensorly is a peer, not a target).
tensorly is needed only here and in the tests (``pip install tensorly``), never at run time.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import opt_einsum
from opt_einsum.testing import rand_equation

import tensorlessons as tl
from tensorlessons.explorers import ContractionExplorer


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median seconds of ``repeat`` calls (after one warm-up), and the last result."""
    out = fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), out


def rel(x: np.ndarray, y: np.ndarray) -> float:
    return float(np.linalg.norm(x - y) / np.linalg.norm(x))


def lowrank_cp(shape: tuple[int, ...], rank: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    facs = [rng.normal(size=(n, rank)) for n in shape]
    letters = "ijkl"[: len(shape)]
    return np.einsum(",".join(c + "r" for c in letters) + "->" + letters, *facs)


def bench_tucker(repeat: int) -> list[str]:
    import tensorly
    from tensorly.decomposition import tucker as ty_tucker

    rows = []
    rng = np.random.default_rng(0)
    for shape, ranks in [
        ((20, 20, 20), (3, 3, 3)),
        ((30, 40, 50), (5, 6, 7)),
        ((12, 12, 12, 12), (3, 3, 3, 3)),
    ]:
        X = rng.normal(size=shape) + 2 * lowrank_cp(shape, 4, seed=1)
        t_ours, d = timed(lambda X=X, ranks=ranks: tl.tucker(X, ranks), repeat)
        t_them, (core, facs) = timed(
            lambda X=X, ranks=ranks: ty_tucker(tensorly.tensor(X), rank=list(ranks)), repeat
        )
        e_ours = rel(X, d.contract())
        e_them = rel(X, tensorly.tucker_to_tensor((core, facs)))
        rows.append(
            f"tucker {str(shape):18} ranks {str(ranks):14} err {e_ours:.5f} vs {e_them:.5f} "
            f"ratio {e_ours / e_them:.4f} | time {t_ours * 1e3:7.2f} ms vs "
            f"{t_them * 1e3:7.2f} ms ratio {t_ours / t_them:5.2f}"
        )
    return rows


def bench_mps(repeat: int) -> list[str]:
    import tensorly
    from tensorly.decomposition import tensor_train

    rows = []
    rng = np.random.default_rng(1)
    for shape, bond in [((4,) * 8, 4), ((4,) * 8, 16), ((6, 7, 8, 9, 10), 8)]:
        g = [np.linspace(0, 1, n) for n in shape]
        X = 1 / (1 + sum(np.meshgrid(*g, indexing="ij"))) + 0.01 * rng.normal(size=shape)
        t_ours, d = timed(lambda X=X, bond=bond: tl.mps(X, max_bond=bond), repeat)
        ranks = [1] + [bond] * (len(shape) - 1) + [1]
        t_them, tt = timed(
            lambda X=X, ranks=ranks: tensor_train(tensorly.tensor(X), rank=ranks), repeat
        )
        e_ours = rel(X, d.contract())
        e_them = rel(X, tensorly.tt_to_tensor(tt))
        rows.append(
            f"mps    {str(shape):18} bond {bond:<3}            err {e_ours:.5f} vs {e_them:.5f} "
            f"ratio {e_ours / e_them:.4f} | time {t_ours * 1e3:7.2f} ms vs "
            f"{t_them * 1e3:7.2f} ms ratio {t_ours / t_them:5.2f}"
        )
    return rows


def bench_cp(repeat: int) -> list[str]:
    import tensorly
    from tensorly.decomposition import parafac

    rows = []
    for shape, rank in [((10, 12, 14), 3), ((20, 20, 20), 5), ((8, 9, 10, 11), 4)]:
        X = lowrank_cp(shape, rank, seed=rank)
        t_ours, (d, info) = timed(
            lambda X=X, rank=rank: tl.cp(X, rank, return_info=True, progress=False), repeat
        )
        t_them, cpt = timed(
            lambda X=X, rank=rank: parafac(
                tensorly.tensor(X), rank, n_iter_max=500, tol=1e-10, init="svd"
            ),
            repeat,
        )
        e_ours = rel(X, d.contract())
        e_them = rel(X, tensorly.cp_to_tensor(cpt))
        rows.append(
            f"cp     {str(shape):18} rank {rank:<3} (exact)    err {e_ours:.1e} vs {e_them:.1e} "
            f"recovered {'yes' if e_ours < 1e-6 else 'NO '} ({info.iterations} sweeps) | time "
            f"{t_ours * 1e3:7.2f} ms vs {t_them * 1e3:7.2f} ms ratio {t_ours / t_them:5.2f}"
        )
    return rows


def ladder(n_sites: int, d: int, bond: int) -> tl.Diagram:
    rng = np.random.default_rng(n_sites)
    a = tl.mps(rng.normal(size=(d,) * n_sites), max_bond=bond)
    b = tl.mps(rng.normal(size=(d,) * n_sites), max_bond=bond)
    ta, tb, phys = "abcdefgh", "ABCDEFGH", "pqrstuvw"
    terms = []
    for bonds in (ta, tb):
        for k in range(n_sites):
            left = bonds[k - 1] if k else ""
            right = bonds[k] if k < n_sites - 1 else ""
            terms.append(left + phys[k] + right)
    arrays = [a[n] for n in a.names] + [b[n] for n in b.names]
    return tl.Diagram.from_einsum(",".join(terms) + "->", *arrays)


def bench_orders() -> list[str]:
    rows = []
    networks: list[tuple[str, tl.Diagram]] = [
        ("mps ladder 4 sites d=4 D=6", ladder(4, 4, 6)),
        ("mps ladder 5 sites d=3 D=4", ladder(5, 3, 4)),
        ("hadamard via copy tensors", tl.hadamard(np.ones((30, 40)), np.ones((30, 40)))),
        (
            "matrix chain",
            tl.Diagram.from_einsum(
                "ij,jk,kl,lm,m->i",
                *(np.ones(s) for s in [(50, 5), (5, 80), (80, 3), (3, 60), (60,)]),
            ),
        ),
    ]
    for seed in range(6):
        eq, shapes = rand_equation(7, 3, seed=seed, n_out=2, d_min=2, d_max=6)
        networks.append(
            (
                f"rand_equation seed {seed}",
                tl.Diagram.from_einsum(eq, *(np.ones(s) for s in shapes)),
            )
        )
    ratios = []
    for name, d in networks:
        ex = ContractionExplorer(d, compute=False)
        start = time.perf_counter()
        ours = ex.best_flops()
        t_ours = time.perf_counter() - start
        # the same network as opt_einsum sees it (copy tensors folded into hyperedges)
        eq = ",".join(ex.inputs) + "->" + ex.output
        shapes = [tuple(ex.sizes[c] for c in term) for term in ex.inputs]
        start = time.perf_counter()
        _, info = opt_einsum.contract_path(eq, *shapes, shapes=True, optimize="optimal")
        t_them = time.perf_counter() - start
        replay = ex.reset().play_optimal().flops
        ratio = ours / info.opt_cost
        ratios.append(ratio)
        rows.append(
            f"order  {name:28} explorer optimum {ours:>12,} / opt_einsum 'optimal' "
            f"{int(info.opt_cost):>12,} = {ratio:.2f} (replayed: {replay / info.opt_cost:.2f}) "
            f"| search {t_ours * 1e3:7.1f} ms vs {t_them * 1e3:7.1f} ms"
        )
    rows.append(f"order  all ratios equal to 1.00: {all(r == 1.0 for r in ratios)}")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args(argv)
    repeat = 3 if args.quick else 7
    print("tensorlessons vs tensorly at equal ranks (relative Frobenius errors; median times)")
    for row in bench_tucker(repeat) + bench_mps(repeat) + bench_cp(repeat) + bench_orders():
        print(row)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
