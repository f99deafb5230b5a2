"""Generators and checks for testing code that uses diagrams (shared by tests and
benchmarks), in the spirit of ``opt_einsum.testing``.

>>> eq, shapes = rand_equation(6, 3, n_out=2, seed=1)
>>> d = Diagram.from_einsum(eq, *rand_arrays(shapes, seed=1))
>>> check_round_trips(d)  # to_einsum, JSON, copy and equivalent agree with contract()
>>> eq, arrays = peps(4, 4)  # a 4x4 PEPS norm: 64 indices, past numpy's 52 letters
>>> len(Diagram.from_einsum(eq, *arrays).labels())
64
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import opt_einsum

from ._errors import DiagramError
from .comparison import difference
from .diagram import Diagram

__all__ = [
    "rand_equation",
    "rand_arrays",
    "operands_for",
    "rand_einsum_input",
    "peps",
    "ring",
    "einsum",
    "check_round_trips",
    "random_edit",
    "apply_edit",
    "EDITS",
]

_sym = opt_einsum.get_symbol


def rand_equation(
    n: int,
    regularity: int,
    n_out: int = 0,
    d_min: int = 2,
    d_max: int = 9,
    seed: int | None = None,
    global_dim: bool = False,
) -> tuple[str, list[tuple[int, ...]]]:
    """A random contraction of ``n`` tensors and its shapes.

    The algorithm of ``opt_einsum.testing.rand_equation`` (which imports pytest, so it is
    not used here at run time), on a local ``numpy.random.Generator``: about
    ``n * regularity / 2`` bonds, each on two different tensors, ``n_out`` open indices,
    symbols from ``opt_einsum.get_symbol`` (past 52 indices, non-ASCII ones).

    >>> rand_equation(4, 2, n_out=1, seed=0)[0]
    'ec,bd,ea,cbd->a'
    """
    rng = np.random.default_rng(seed)
    num_inds = n * regularity // 2 + n_out
    inputs = ["" for _ in range(n)]
    output = []
    size = {_sym(i): int(rng.integers(d_min, d_max + 1)) for i in range(num_inds)}
    placed = []
    for i, ix in enumerate(size):
        if i < n_out:
            output.append(ix)
            placed.append(ix)
        else:
            placed += [ix, ix]
    for i, ix in enumerate(rng.permutation(placed)):
        if i < n:
            inputs[i] += ix
        else:
            where = int(rng.integers(0, n))
            while ix in inputs[where]:
                where = int(rng.integers(0, n))
            inputs[where] += ix
    if global_dim:
        g = _sym(num_inds)
        size[g] = int(rng.integers(d_min, d_max + 1))
        inputs = [term + g for term in inputs]
        output.append(g)
    out = "".join(str(c) for c in rng.permutation(output)) if output else ""
    eq = ",".join(inputs) + "->" + out
    return eq, [tuple(size[ix] for ix in term) for term in inputs]


def rand_arrays(
    shapes: Sequence[Sequence[int]], seed: int | None = 0, dtype: Any = float
) -> list[np.ndarray]:
    """Random arrays of ``shapes``: normal floats, complex, small integers or bools.

    >>> [a.dtype.name for a in rand_arrays([(2,), (2, 3)], dtype=np.int32)]
    ['int32', 'int32']
    """
    rng = np.random.default_rng(seed)
    kind = np.dtype(dtype).kind
    out = []
    for shape in shapes:
        shape = tuple(shape)
        if kind == "b":
            a = rng.random(shape) < 0.6
        elif kind in "iu":
            a = rng.integers(0 if kind == "u" else -3, 4, size=shape)
        elif kind == "c":
            a = rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
        else:
            a = rng.standard_normal(shape)
        out.append(np.asarray(a).astype(dtype))
    return out


def operands_for(
    expr: str,
    sizes: dict[str, int] | None = None,
    *,
    ellipsis: Sequence[int] = (2, 3),
    seed: int | None = 0,
    dtype: Any = float,
) -> list[np.ndarray]:
    """Random arrays fitting an einsum string (``opt_einsum.testing.build_views`` with
    dtypes): letter ``c`` gets ``sizes[c]`` (default: 2 to 5 by letter), and each ``...``
    the dimensions ``ellipsis``.

    >>> [a.shape for a in operands_for("...ij,jk", ellipsis=(5,))]
    [(5, 2, 3), (3, 4)]
    """
    lhs = expr.replace(" ", "").split("->")[0]
    shapes = []
    for term in lhs.split(","):
        pre, dots, post = term.partition("...")
        dims = [_size(c, sizes) for c in pre]
        dims += list(ellipsis) if dots else []
        dims += [_size(c, sizes) for c in post]
        shapes.append(tuple(dims))
    return rand_arrays(shapes, seed=seed, dtype=dtype)


def _size(c: str, sizes: dict[str, int] | None) -> int:
    if sizes is not None and c in sizes:
        return sizes[c]
    return (
        2 + "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".find(c) % 4 if c.isascii() else 2
    )


def rand_einsum_input(
    rng: np.random.Generator, *, max_terms: int = 3, dtype: Any = float
) -> tuple[str, list[np.ndarray]]:
    """Random einsum input in numpy's language, valid or not: a few terms of letters
    (some repeated: traces, diagonals), sometimes ``...``, an explicit or implicit output,
    and arrays whose dimensions mostly fit, sometimes are 1 (numpy broadcasts them) and
    sometimes clash (numpy refuses them).

    >>> expr, arrays = rand_einsum_input(np.random.default_rng(2))
    >>> len(expr.split("->")[0].split(",")) == len(arrays)
    True
    """
    letters = "abcdeA"
    size = {c: int(rng.integers(2, 4)) for c in letters}
    ell = tuple(int(rng.integers(1, 4)) for _ in range(int(rng.integers(0, 3))))
    terms, shapes = [], []
    for _ in range(int(rng.integers(1, max_terms + 1))):
        term = "".join(rng.choice(list(letters), size=int(rng.integers(0, 4))))
        dims = [size[c] for c in term]
        if rng.random() < 0.3:
            at = int(rng.integers(0, len(term) + 1))
            width = int(rng.integers(0, len(ell) + 1))
            term = term[:at] + "..." + term[at:]
            dims = dims[:at] + list(ell[len(ell) - width :]) + dims[at:]
        dims = [1 if rng.random() < 0.1 else d for d in dims]  # broadcast
        if dims and rng.random() < 0.05:
            dims[int(rng.integers(len(dims)))] += 1  # clash
        terms.append(term)
        shapes.append(tuple(dims))
    expr = ",".join(terms)
    if rng.random() < 0.6:
        used = sorted(set(expr) - set(",."))
        out = "".join(rng.permutation(used)[: int(rng.integers(0, len(used) + 1))])
        if any("..." in t for t in terms) and rng.random() < 0.8:
            out = "..." + out
        if rng.random() < 0.05:
            out += "z"  # not on any input
        expr += "->" + out
    return expr, rand_arrays(shapes, seed=int(rng.integers(2**31)), dtype=dtype)


def peps(
    rows: int = 3, cols: int = 3, bond: int = 2, phys: int = 2, seed: int | None = 0
) -> tuple[str, list[np.ndarray]]:
    """The norm <psi|psi> of a random ``rows x cols`` PEPS: ket and bra layers joined by
    their physical legs (``4 * rows * cols - 2 * (rows + cols) + rows * cols`` indices:
    33 for 3x3, 64 for 4x4, past numpy's 52 letters).

    >>> eq, arrays = peps(2, 2)
    >>> eq
    'aeg,aik,beh,bil,cfg,cjk,dfh,djl->'
    """
    rng = np.random.default_rng(seed)
    counter = iter(range(10**6))

    def fresh() -> str:
        return _sym(next(counter))

    phys_ix = {(r, c): fresh() for r in range(rows) for c in range(cols)}
    layers = []
    for _ in ("ket", "bra"):
        horiz = {(r, c): fresh() for r in range(rows) for c in range(cols - 1)}
        vert = {(r, c): fresh() for r in range(rows - 1) for c in range(cols)}
        layers.append((horiz, vert))
    terms, arrays = [], []
    for r in range(rows):
        for c in range(cols):
            site = rng.standard_normal
            for horiz, vert in layers:
                legs = [phys_ix[r, c]]
                legs += [horiz[r, c - 1]] if c > 0 else []
                legs += [horiz[r, c]] if c < cols - 1 else []
                legs += [vert[r - 1, c]] if r > 0 else []
                legs += [vert[r, c]] if r < rows - 1 else []
                shape = (phys,) + (bond,) * (len(legs) - 1)
                terms.append("".join(legs))
                arrays.append(site(shape) / np.sqrt(bond))
    return ",".join(terms) + "->", arrays


def ring(n: int = 12, bond: int = 8, seed: int | None = 3) -> tuple[str, list[np.ndarray]]:
    """A closed ring of ``n`` random ``bond x bond`` matrices (the trace of their product).

    >>> ring(3, 2)[0]
    'ab,bc,ca->'
    """
    rng = np.random.default_rng(seed)
    terms = [_sym(k) + _sym((k + 1) % n) for k in range(n)]
    return ",".join(terms) + "->", [rng.standard_normal((bond, bond)) for _ in range(n)]


def einsum(eq: str, *operands: Any) -> np.ndarray:
    """``numpy.einsum`` where numpy can encode ``eq`` (52 letters), else opt_einsum's
    ``contract`` (same values and dtypes): the oracle for a diagram's :meth:`to_einsum`."""
    if all(c.isascii() for c in eq):
        # numpy's own loop when it is cheap (independent of any path), else numpy's
        # arithmetic along opt_einsum's greedy path (numpy's optimize=True can pick a
        # path far too slow for a PEPS)
        path, info = opt_einsum.contract_path(eq, *operands, optimize="greedy")
        cheap = info.naive_cost <= 10**6 or len(operands) <= 2
        return np.einsum(eq, *operands, optimize=False if cheap else ["einsum_path", *path])
    return np.asarray(opt_einsum.contract(eq, *operands))


def _same(a: Any, b: Any, what: str, rtol: float, atol: float) -> None:
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.dtype != b.dtype:
        raise AssertionError(f"{what}: {a.dtype}{a.shape} != {b.dtype}{b.shape}")
    if a.dtype.kind in "biu":
        if not np.array_equal(a, b):
            raise AssertionError(f"{what}: values differ")
    elif not np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True):
        raise AssertionError(f"{what}: values differ (max {np.max(np.abs(a - b))})")


def check_round_trips(
    d: Diagram, expected: Any = None, *, rtol: float = 1e-7, atol: float = 1e-9
) -> None:
    """Raise AssertionError unless ``d`` passes the round trips every diagram must:

    - ``contract()`` equals ``expected`` (when given) and ``numpy.einsum(d.to_einsum(),
      *d.operands())`` (opt_einsum past 52 indices) in shape, dtype and value;
    - ``from_einsum(to_einsum(), operands)``, ``from_json(to_json())`` and ``copy()`` are
      :func:`equivalent` to ``d`` and contract to the same values; the JSON is strict
      JSON and the same for equal diagrams.
    """
    value = d.contract()
    if expected is not None:
        _same(value, expected, "contract() vs the oracle", rtol, atol)
    eq, ops = d.to_einsum(), d.operands()
    if ops:
        _same(einsum(eq, *ops), value, f"einsum({eq!r}, *operands()) vs contract()", rtol, atol)
        names = [t.name for t in d]
        back = Diagram.from_einsum(eq, *ops, names=names, layout=False)
        # copy tensors come back as plain tensors holding the delta arrays
        _check_same_diagram(d, back, "from_einsum(to_einsum())", rtol, atol, compare=False)
    text = d.to_json()
    json.loads(text, parse_constant=_refuse_constant)
    again = Diagram.from_json(text)
    if again.to_json() != text:
        raise AssertionError("from_json(to_json()).to_json() differs from to_json()")
    _check_same_diagram(d, again, "from_json(to_json())", rtol, atol)
    _check_same_diagram(d, d.copy(), "copy()", rtol, atol)


def _refuse_constant(name: str) -> Any:
    raise AssertionError(f"to_json() wrote {name}, which strict JSON parsers refuse")


def _check_same_diagram(
    d: Diagram, other: Diagram, what: str, rtol: float, atol: float, compare: bool = True
) -> None:
    has_copies = any(t.kind == "copy" for t in d)
    if compare or not has_copies:
        why = difference(d, other)
        if why is not None:
            raise AssertionError(f"{what} is not equivalent: {why}")
    _same(other.contract(), d.contract(), f"{what}.contract()", rtol, atol)


#: The edits :func:`random_edit` proposes.
EDITS = (
    "add_tensor",
    "add_copy",
    "remove_tensor",
    "connect",
    "cut",
    "rename_tensor",
    "rename_leg",
    "rename_index",
    "set_array",
    "move",
    "set_output",
)


def random_edit(d: Diagram, rng: np.random.Generator) -> tuple[str, tuple[Any, ...]]:
    """A random edit of ``d`` as ``(method name, arguments)``; about half are invalid
    (unknown legs, unequal dimensions, repeated names...), to exercise refusals.

    >>> d = Diagram.from_arrays({"A": np.ones((2, 3))})
    >>> name, args = random_edit(d, np.random.default_rng(0))
    >>> name in EDITS
    True
    """
    name = EDITS[int(rng.integers(len(EDITS)))]
    tensors = list(d)
    legs = [f"{t.name}:{leg}" for t in tensors for leg in t.legs] + ["Z:q", "nope"]
    names = [t.name for t in tensors] + ["Z", ""]
    labels = list(d.labels()) + ["zz"]

    def pick(xs: Sequence[Any]) -> Any:
        return xs[int(rng.integers(len(xs)))]

    dims = [1, 2, 3]
    if name == "add_tensor":
        shape = tuple(pick(dims) for _ in range(int(rng.integers(0, 3))))
        new = pick(names[:-2] + [f"N{int(rng.integers(100))}"])
        return name, (new, rng.standard_normal(shape))
    if name == "add_copy":
        return name, (f"C{int(rng.integers(100))}", pick([2, 3, 0, 2**62]), pick([1, 2, 3]))
    if name == "remove_tensor":
        return name, (pick(names),)
    if name in ("connect", "cut"):
        return name, (pick(legs), pick(legs))
    if name == "rename_tensor":
        return name, (pick(names), pick(names[:-2] + ["R", "a:b", ""]))
    if name == "rename_leg":
        return name, (pick(legs), pick(["x", "y", "i", "", "p:q"]))
    if name == "rename_index":
        return name, (pick(labels), pick(labels + ["w", ""]))
    if name == "set_array":
        target = pick(tensors) if tensors else None
        shape = tuple(target.dims) if target is not None and rng.random() < 0.6 else (2, 2)
        return name, (pick(names), rng.standard_normal(shape))
    if name == "move":
        return name, (pick(names), float(rng.normal() * 100), pick([0.0, float("nan")]))
    out = list(d.output)
    rng.shuffle(out)
    return name, (pick([out, out[:-1], [*out, "zz"], [*out[:1], *out[:1]]]),)


def apply_edit(d: Diagram, name: str, args: tuple[Any, ...]) -> bool:
    """Apply an edit; True when accepted, False when refused with a DiagramError."""
    try:
        getattr(d, name)(*args)
    except DiagramError:
        return False
    return True
