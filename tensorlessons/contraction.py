"""Contraction planning and its caches: how a diagram becomes one einsum call.

A diagram is contracted through a :class:`ContractionPlan`: copy tensors are folded into
the hyperedges they make (one index shared by every leg they join, which is exact and
much cheaper than multiplying by delta arrays), index labels get einsum symbols, and
opt_einsum finds the pairwise order. Paths are cached per structure and shapes
(:func:`path_info`, :func:`expression`); plans are cached per diagram and structure
version (:func:`plan`), so contracting a diagram again costs only the arithmetic.

>>> import numpy as np
>>> from tensorlessons import Diagram
>>> d = Diagram.from_einsum("ij,jk->ik", np.ones((2, 3)), np.ones((3, 4)))
>>> p = plan(d)
>>> p.eq, p.shapes, p.names
('ij,jk->ik', ((2, 3), (3, 4)), ['T0', 'T1'])
>>> expression(p.eq, p.shapes, "auto")(*p.operands).shape
(2, 4)
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import opt_einsum

from ._errors import DiagramError
from .parser import einsum_symbols

if TYPE_CHECKING:  # pragma: no cover
    from .diagram import Diagram, Tensor

__all__ = [
    "ContractionCost",
    "ContractionPlan",
    "hyperedge_roots",
    "plan",
    "expression",
    "path_info",
    "contract",
    "cost",
    "result_dtype",
    "dense",
    "MAX_DENSE_COPY",
]


@dataclass(frozen=True)
class ContractionCost:
    """What contracting a diagram costs, in the order opt_einsum chose.

    ``flops`` counts the optimized contraction's floating point operations (as opt_einsum
    counts them), ``naive_flops`` those of one big sum over all indices,
    ``largest_intermediate`` the number of elements of the biggest tensor made on the way,
    and ``steps`` the pairwise contractions in order, as tensor names.
    """

    flops: int
    naive_flops: int
    largest_intermediate: int
    path: tuple[tuple[int, ...], ...]
    steps: tuple[str, ...]
    einsum: str

    @property
    def speedup(self) -> float:
        return self.naive_flops / max(self.flops, 1)

    def __str__(self) -> str:
        lines = [
            f"einsum:               {self.einsum}",
            f"FLOPs (this order):   {self.flops:,}",
            f"FLOPs (one big sum):  {self.naive_flops:,}",
            f"largest intermediate: {self.largest_intermediate:,} elements",
        ]
        lines += [f"  step {k + 1}: {s}" for k, s in enumerate(self.steps)]
        return "\n".join(lines)


#: The most elements a copy tensor's dense array may have when a contraction needs it
#: (only when the result repeats a hyperedge; otherwise copy tensors are folded).
MAX_DENSE_COPY = 2**26


@dataclass(frozen=True)
class ContractionPlan:
    """One einsum call that computes a diagram.

    ``inputs``/``output`` are index labels (after folding copy tensors), ``eq`` the same
    with einsum symbols, ``names`` the tensors the operands come from and ``shapes``
    their shapes. :attr:`operands` are the arrays in ``eq``'s order; the ones standing
    for copy tensors are made on first use (counting FLOPs never builds them).
    """

    inputs: tuple[tuple[str, ...], ...]
    output: tuple[str, ...]
    sources: tuple[Any, ...]
    names: list[str]
    eq: str
    shapes: tuple[tuple[int, ...], ...]
    dtype: np.dtype
    _made: list[tuple[np.ndarray, ...]] = field(default_factory=list, repr=False, compare=False)

    @property
    def operands(self) -> tuple[np.ndarray, ...]:
        """The arrays, in ``eq``'s order (delta arrays and ones made here, once)."""
        if not self._made:
            self._made.append(tuple(dense(src, self.dtype) for src in self.sources))
        return self._made[0]


def dense(src: Any, dtype: Any = float) -> np.ndarray:
    """An operand: an array as it is, or ``(name, dim, n_legs)`` of a copy tensor as its
    delta array (a vector of ones for one leg), refused with a DiagramError when it would
    have more than :data:`MAX_DENSE_COPY` entries."""
    if isinstance(src, np.ndarray):
        return src
    name, dim, n_legs = src
    if dim**n_legs > MAX_DENSE_COPY:
        raise DiagramError(
            f"copy tensor {name!r}: its {n_legs} leg(s) of dimension {dim} would need a "
            f"dense array of {dim**n_legs:.3g} entries (at most {MAX_DENSE_COPY:.3g}): its "
            f"legs appear on the result more than once, so it cannot be folded away"
        )
    if n_legs == 1:
        return np.ones(dim, dtype=dtype)
    from .diagram import copy_array

    return copy_array(dim, n_legs, dtype)


def hyperedge_roots(tensors: Iterable[Tensor]) -> Callable[[str], str]:
    """Union-find over index labels joined by copy tensors: label -> its hyperedge's label.

    Every label a copy tensor touches is mapped to one representative (the first label of
    the first copy tensor in the group); other labels map to themselves.

    >>> from tensorlessons import Diagram
    >>> d = Diagram().add_copy("c", 2, n_legs=3).add_copy("e", 2, n_legs=2)
    >>> find = hyperedge_roots(d)
    >>> [find(lab) for lab in ["i", "j", "k", "i2", "j2", "z"]]
    ['i', 'i', 'i', 'i2', 'i2', 'z']
    """
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        root = x
        while (up := parent.get(root, root)) != root:
            root = up
        while x != root:  # path compression
            parent[x], x = root, parent[x]
        return root

    for t in tensors:
        if t.kind == "copy" and t.labels:
            first = find(t.labels[0])
            for lab in t.labels[1:]:
                other = find(lab)
                if other != first:
                    parent[other] = first
    return find


def result_dtype(tensors: Iterable[Tensor]) -> np.dtype:
    """The dtype of a diagram's value: numpy's result type of its arrays (copy tensors
    take it too); float64 when it has no arrays.

    >>> import numpy as np
    >>> from tensorlessons import Diagram
    >>> d = Diagram.from_arrays({"a": np.ones(2, int), "c": np.ones(2, np.float32)})
    >>> result_dtype(d)
    dtype('float64')
    """
    arrays = [t.array for t in tensors if t.kind != "copy"]
    return np.result_type(*arrays) if arrays else np.dtype(float)


def _build(d: Diagram) -> ContractionPlan:
    tensors = list(d)
    output = tuple(d.output)
    dtype = result_dtype(tensors)
    copies = [t for t in tensors if t.kind == "copy"]
    find = hyperedge_roots(copies)
    mapped_out = tuple(find(lab) for lab in output)
    # Fold copy tensors into hyperedges unless the result repeats a hyperedge (then the
    # copy's delta array is needed to put the diagonal into the result).
    fold = bool(copies) and len(set(mapped_out)) == len(mapped_out)
    inputs: list[tuple[str, ...]] = []
    operands: list[Any] = []  # arrays, or (name, dim, n_legs) of a delta array to make
    names: list[str] = []
    if fold:
        sizes = d.labels()
        present: set[str] = set()
        for t in tensors:
            if t.kind == "copy":
                continue
            term = tuple(find(lab) for lab in t.labels)
            inputs.append(term)
            operands.append(t.array)
            names.append(t.name)
            present.update(term)
        for root in dict.fromkeys(find(lab) for t in copies for lab in t.labels):
            if root not in present:
                inputs.append((root,))
                operands.append((f"copy[{root}]", sizes[root], 1))
                names.append(f"copy[{root}]")
        output = mapped_out
    else:
        for t in tensors:
            inputs.append(tuple(t.labels))
            if t.kind == "copy":
                operands.append((t.name, t.dims[0] if t.dims else 1, len(t.dims)))
            else:
                operands.append(t.array)
            names.append(t.name)
    sym = einsum_symbols([lab for term in inputs for lab in term] + list(output))
    eq = ",".join("".join(sym[lab] for lab in term) for term in inputs)
    eq += "->" + "".join(sym[lab] for lab in output)
    shapes = tuple(
        tuple(int(n) for n in op.shape) if isinstance(op, np.ndarray) else (op[1],) * op[2]
        for op in operands
    )
    return ContractionPlan(tuple(inputs), output, tuple(operands), names, eq, shapes, dtype)


# Plans per diagram, valid while the diagram's structure_version is unchanged.
_PLANS: weakref.WeakKeyDictionary[Diagram, tuple[int, ContractionPlan, dict[str, Any]]] = (
    weakref.WeakKeyDictionary()
)


def _entry(d: Diagram) -> tuple[int, ContractionPlan, dict[str, Any]]:
    hit = _PLANS.get(d)
    if hit is None or hit[0] != d.structure_version:
        hit = (d.structure_version, _build(d), {})
        _PLANS[d] = hit
    return hit


def plan(d: Diagram) -> ContractionPlan:
    """The (cached) plan that contracts ``d``: see :class:`ContractionPlan`."""
    return _entry(d)[1]


@functools.lru_cache(maxsize=512)
def path_info(eq: str, shapes: tuple[tuple[int, ...], ...], optimize: str) -> Any:
    """opt_einsum's ``contract_path`` for ``eq`` on arrays of ``shapes`` (cached)."""
    return opt_einsum.contract_path(eq, *shapes, shapes=True, optimize=optimize)


@functools.lru_cache(maxsize=512)
def expression(eq: str, shapes: tuple[tuple[int, ...], ...], optimize: str) -> Any:
    """A function of the operands that contracts ``eq`` along opt_einsum's path (cached).

    The path is opt_einsum's (found once per structure and shapes); the pairwise steps run
    in ``numpy.einsum``, which measured as fast or faster than opt_einsum's own executor
    here (its BLAS steps write results in the requested order). Equations with more index
    symbols than numpy's 52 letters run in opt_einsum's ``contract_expression``.
    """
    if all(c.isascii() and (c.isalpha() or c in ",->.") for c in eq):
        path = ["einsum_path", *path_info(eq, shapes, optimize)[0]]
        return functools.partial(_einsum_along, eq, path)
    return opt_einsum.contract_expression(eq, *shapes, optimize=optimize)


def _einsum_along(eq: str, path: list[Any], *operands: np.ndarray) -> np.ndarray:
    return np.einsum(eq, *operands, optimize=path)


def contract(d: Diagram, optimize: str = "auto") -> np.ndarray:
    """The value of ``d`` (see :meth:`Diagram.contract`)."""
    _, p, fast = _entry(d)
    run = fast.get(optimize)
    if run is None:
        if not p.sources:
            value = np.asarray(1.0)
            fast[optimize] = run = lambda: value.copy()
        else:
            run = functools.partial(expression(p.eq, p.shapes, optimize), *p.operands)
            fast[optimize] = run
    return run()


def cost(d: Diagram, optimize: str = "auto") -> ContractionCost:
    """FLOPs, largest intermediate and order (see :meth:`Diagram.cost`)."""
    p = plan(d)
    if not p.sources:
        return ContractionCost(0, 0, 0, (), (), "->")
    path, info = path_info(p.eq, p.shapes, optimize)
    live = list(p.names)
    steps = []
    for pair in path:
        picked = [live[k] for k in pair]
        for k in sorted(pair, reverse=True):
            live.pop(k)
        live.append("(" + "·".join(picked) + ")")
        steps.append(" · ".join(picked))
    return ContractionCost(
        flops=int(info.opt_cost),
        naive_flops=int(info.naive_cost),
        largest_intermediate=int(info.largest_intermediate),
        path=tuple(tuple(p) for p in path),
        steps=tuple(steps),
        einsum=p.eq,
    )
