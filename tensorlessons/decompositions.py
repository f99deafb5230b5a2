"""Decompositions and diagram operations: copy tensors, grouping legs, isometries, SVD, CP,
Tucker and tensor trains, each built as a :class:`~tensorlessons.Diagram` of real arrays.

Every function here returns a *new* diagram (the input is never changed) whose
``contract()`` gives the tensor it stands for, with legs in a documented order.

The decompositions are written with numpy alone (each is a few lines of SVDs and least
squares, which is what the course teaches), so tensorly is not a run-time dependency:
it would add a large package for four short functions whose results we need as
diagrams anyway. tensorly serves as the oracle in ``tests/test_decompositions.py`` and
``benchmarks/bench_decompositions.py``, where Tucker and MPS errors are checked to be
within 1.05x of tensorly's at equal ranks (measured: 1.00x).

>>> import numpy as np
>>> import tensorlessons as tl
>>> d = tl.diagonal(np.array([1.0, 2.0]))
>>> d.contract().tolist()
[[1.0, 0.0], [0.0, 2.0]]
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._errors import DiagramError
from .diagram import Diagram

__all__ = [
    "copy_tensor",
    "diagonal",
    "hadamard",
    "group_legs",
    "split_leg",
    "grouping_tensor",
    "dagger",
    "is_isometry",
    "is_unitary",
    "is_projector",
    "svd",
    "cp",
    "tucker",
    "mps",
    "FitInfo",
    "storage",
    "singular_values",
    "truncation_errors",
]

_INPUT_LEGS = "ijklmnopqrstuvwxyz"


# --------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------


def _as_diagram(x: Any, name: str = "T", legs: Sequence[str] | None = None) -> Diagram:
    """A diagram as given, or a one-tensor diagram around an array (legs i, j, k, ...)."""
    if isinstance(x, Diagram):
        return x
    arr = _numeric(x, f"tensor {name!r}")
    if legs is None:
        legs = _default_legs(arr.ndim)
    return Diagram().add_tensor(name, arr, legs=list(legs), position=(0.0, 0.0))


def _numeric(x: Any, where: str) -> np.ndarray:
    try:
        arr = np.asarray(x)
    except Exception as exc:  # pragma: no cover - numpy raises many types
        raise DiagramError(f"{where}: cannot be read as an array ({exc})") from None
    if arr.dtype.kind not in "biufc":
        raise DiagramError(f"{where}: values must be numbers, got an array of dtype {arr.dtype}")
    return arr


def _default_legs(n: int) -> list[str]:
    if n <= len(_INPUT_LEGS):
        return list(_INPUT_LEGS[:n])
    return [f"i{k}" for k in range(n)]


def _rebuild(
    specs: Sequence[tuple[str, str, list[str], list[str], Any, tuple[float, float]]],
    output: Sequence[str],
) -> Diagram:
    """A fresh diagram from ``(kind, name, legs, labels, array_or_dim, position)`` tuples."""
    d = Diagram()
    with d.edits():
        for kind, name, legs, labels, value, pos in specs:
            if kind == "copy":
                d.add_copy(
                    name, int(value), n_legs=len(legs), legs=legs, position=pos, indices=labels
                )
            else:
                d.add_tensor(name, value, legs=legs, position=pos, indices=labels)
        d.set_output(list(output))
    return d


def _specs(d: Diagram) -> list[tuple[str, str, list[str], list[str], Any, tuple[float, float]]]:
    out = []
    for t in d:
        value = t.dims[0] if t.kind == "copy" else t.array
        out.append((t.kind, t.name, list(t.legs), list(t.labels), value, t.position))
    return out


def _fresh(base: str, used: set[str]) -> str:
    if base not in used:
        used.add(base)
        return base
    k = 2
    while f"{base}{k}" in used:
        k += 1
    used.add(f"{base}{k}")
    return f"{base}{k}"


def _fresh_name(base: str, d: Diagram) -> str:
    return _fresh(base, set(d.names))


def _resolve_open(d: Diagram, ref: str | int, what: str) -> str:
    """The output label of an open leg given as 'T:leg', an output label, or a position."""
    if isinstance(ref, (int, np.integer)) and not isinstance(ref, bool):
        k = int(ref)
        if not -len(d.output) <= k < len(d.output):
            raise DiagramError(
                f"{what}: leg position {ref!r} is out of range; the result has "
                f"{len(d.output)} open leg(s) {d.output}"
            )
        return d.output[k]
    if not isinstance(ref, str):
        raise DiagramError(
            f"{what}: a leg is 'TENSOR:LEG', an open leg's name or a position, got {ref!r}"
        )
    if ":" in ref:
        lab = d.label_of(ref)
        if lab not in d.output:
            raise DiagramError(
                f"{what}: leg {ref!r} is not an open leg (it is joined as index {lab!r}); "
                f"the open legs are {d.open_legs()}"
            )
        return lab
    if ref in d.output:
        return ref
    matches = [r for r in d.open_legs() if r.split(":")[1] == ref]
    if len(matches) == 1:
        return d.label_of(matches[0])
    if len(matches) > 1:
        raise DiagramError(
            f"{what}: leg name {ref!r} is ambiguous ({matches}); write it as 'TENSOR:LEG'"
        )
    raise DiagramError(f"{what}: no open leg {ref!r}; the open legs are {d.output}")


def _check_dim(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise DiagramError(f"{what} must be a positive integer, got {value!r}")
    return int(value)


# --------------------------------------------------------------------------------------
# Copy tensors
# --------------------------------------------------------------------------------------


def copy_tensor(
    dim: int, n_legs: int = 3, legs: Sequence[str] | None = None, name: str = "copy"
) -> Diagram:
    """The copy (delta) tensor as a diagram: 1 where all ``n_legs`` indices agree, else 0.

    A 2-leg copy tensor is the identity matrix (a bare wire); a 1-leg one is the
    all-ones vector. Its legs are open, named ``legs`` (default i, j, k, ...).

    >>> import numpy as np
    >>> d = copy_tensor(3, n_legs=3)
    >>> d.shape, float(d.contract()[1, 1, 1]), float(d.contract()[0, 1, 1])
    ((3, 3, 3), 1.0, 0.0)
    >>> bool(np.array_equal(copy_tensor(4, n_legs=2).contract(), np.eye(4)))
    True
    """
    dim = _check_dim(dim, "copy_tensor: dim")
    n_legs = _check_dim(n_legs, "copy_tensor: n_legs")
    legs = list(legs) if legs is not None else _default_legs(n_legs)
    return Diagram().add_copy(name, dim, n_legs=n_legs, legs=legs, position=(0.0, 0.0))


def diagonal(vector: Any, name: str = "v", copy_name: str = "copy") -> Diagram:
    """The diagonal matrix of ``vector``: the vector plugged into a 3-leg copy tensor.

    The result's legs are the copy tensor's two free legs (``i``, ``j``).

    >>> import numpy as np
    >>> d = diagonal(np.array([1.0, 2.0, 3.0]))
    >>> d.names, d.shape
    (['v', 'copy'], (3, 3))
    >>> bool(np.array_equal(d.contract(), np.diag([1.0, 2.0, 3.0])))
    True
    """
    v = _numeric(vector, f"diagonal: vector {name!r}")
    if v.ndim != 1:
        raise DiagramError(
            f"diagonal: {name!r} must be a vector (one leg), got an array of shape {v.shape}"
        )
    n = v.shape[0]
    return _rebuild(
        [
            ("tensor", name, ["a"], ["a"], v, (0.0, -90.0)),
            ("copy", copy_name, ["a", "i", "j"], ["a", "i", "j"], n, (0.0, 0.0)),
        ],
        ["i", "j"],
    )


def hadamard(u: Any, v: Any, names: Sequence[str] = ("u", "v")) -> Diagram:
    """The elementwise (Hadamard) product ``u * v`` as a diagram: copy tensors join the legs.

    For vectors, both go into one 3-leg copy tensor whose third leg is the result; arrays
    with more legs get one copy tensor per leg (``copy_i``, ``copy_j``, ...).

    >>> import numpy as np
    >>> u, v = np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0, 6.0])
    >>> d = hadamard(u, v)
    >>> d.contract().tolist()
    [4.0, 10.0, 18.0]
    >>> A, B = np.arange(6.0).reshape(2, 3), np.ones((2, 3))
    >>> bool(np.array_equal(hadamard(A, B, names=["A", "B"]).contract(), A * B))
    True
    """
    names = list(names)
    if len(names) != 2 or names[0] == names[1]:
        raise DiagramError(f"hadamard: give two different tensor names, got {names!r}")
    a = _numeric(u, f"hadamard: tensor {names[0]!r}")
    b = _numeric(v, f"hadamard: tensor {names[1]!r}")
    if a.shape != b.shape:
        raise DiagramError(
            f"hadamard: {names[0]!r} has shape {a.shape} but {names[1]!r} has shape "
            f"{b.shape}; an elementwise product needs equal shapes"
        )
    legs = _default_legs(a.ndim)
    specs: list[Any] = [
        ("tensor", names[0], list(legs), [f"{x}_u" for x in legs], a, (-70.0, -80.0)),
        ("tensor", names[1], list(legs), [f"{x}_v" for x in legs], b, (70.0, -80.0)),
    ]
    for k, leg in enumerate(legs):
        cname = "copy" if a.ndim == 1 else f"copy_{leg}"
        specs.append(
            (
                "copy",
                cname,
                ["a", "b", "c"],
                [f"{leg}_u", f"{leg}_v", leg],
                a.shape[k],
                (90.0 * k, 0.0),
            )
        )
    return _rebuild(specs, legs)


# --------------------------------------------------------------------------------------
# Reshaping: grouping legs and splitting a leg
# --------------------------------------------------------------------------------------


def grouping_tensor(dims: Sequence[int]) -> np.ndarray:
    """The 0/1 tensor that groups legs of dimensions ``dims`` into one leg (row-major).

    ``R[i, j, ..., g] = 1`` exactly when ``g`` is the row-major position of
    ``(i, j, ...)``, i.e. ``g = numpy.ravel_multi_index((i, j, ...), dims)``. Contracting
    a tensor's legs with ``R`` is ``reshape``; contracting with it the other way round
    splits the leg back (``R`` is a unitary between the grouped and the split legs).

    >>> import numpy as np
    >>> R = grouping_tensor([2, 3])
    >>> R.shape
    (2, 3, 6)
    >>> A = np.arange(6.0).reshape(2, 3)
    >>> bool(np.array_equal(np.einsum("ij,ijg->g", A, R), A.reshape(6)))
    True
    """
    dims = [_check_dim(x, f"grouping_tensor: dimension in {list(dims)!r}") for x in dims]
    total = math.prod(dims)
    return np.eye(total).reshape(*dims, total)


def group_legs(
    x: Any,
    legs: Sequence[str | int],
    new_leg: str | None = None,
    *,
    as_tensor: bool | None = None,
    name: str = "group",
) -> Diagram:
    """Group open legs into one leg whose dimension is the product of theirs (a reshape).

    ``x`` is a Diagram or an array (an array becomes a tensor ``T`` with legs
    i, j, k, ...). Legs are given as ``'TENSOR:LEG'``, as open-leg names, or as positions
    in the result. They are grouped in the order given (row-major, as ``numpy.reshape``
    does); the new leg takes the place of the first of them in the result's leg order.

    When all the legs belong to one tensor, that tensor's array is reshaped (its legs are
    replaced by the new one). Otherwise, or with ``as_tensor=True``, a grouping tensor
    (see :func:`grouping_tensor`) named ``name`` is attached to the legs. Either way the
    new diagram contracts to the reshaped result; the input is unchanged.

    >>> import numpy as np
    >>> A = np.arange(24.0).reshape(2, 3, 4)
    >>> g = group_legs(A, ["i", "j"])
    >>> g.tensor("T").legs, g.shape
    (['ij', 'k'], (6, 4))
    >>> bool(np.array_equal(g.contract(), A.reshape(6, 4)))
    True
    >>> h = group_legs(A, ["k", "i"], new_leg="ki")
    >>> h.shape, bool(np.array_equal(h.contract(), A.transpose(2, 0, 1).reshape(8, 3)))
    ((8, 3), True)
    """
    d = _as_diagram(x)
    legs = list(legs)
    if len(legs) < 1:
        raise DiagramError(f"group_legs: give at least one leg to group, got {legs!r}")
    labels = [_resolve_open(d, ref, "group_legs") for ref in legs]
    if len(set(labels)) != len(labels):
        raise DiagramError(f"group_legs: legs {legs!r} name the same open leg twice")
    sizes = d.labels()
    dims = [sizes[lab] for lab in labels]
    owners = [d.legs_of_label(lab) for lab in labels]
    # an open leg shared by several tensors (a copy leg) cannot be reshaped in place
    single = all(len(o) == 1 for o in owners)
    tensors = {o[0].split(":")[0] for o in owners} if single else set()
    in_place = len(tensors) == 1 and d.tensor(next(iter(tensors))).kind != "copy"
    if as_tensor is None:
        as_tensor = not in_place
    if not as_tensor and not in_place:
        raise DiagramError(
            f"group_legs: legs {legs!r} are not all open legs of one (non-copy) tensor; "
            "use as_tensor=True to group them with a grouping tensor"
        )
    leg_names = [
        o[0].split(":")[1] if len(o) == 1 else lab for o, lab in zip(owners, labels, strict=True)
    ]
    if new_leg is None:
        new_leg = "".join(leg_names) if all(len(n) == 1 for n in leg_names) else "_".join(leg_names)
    if not isinstance(new_leg, str) or not new_leg or ":" in new_leg:
        raise DiagramError(
            f"group_legs: new_leg must be a non-empty name without ':', got {new_leg!r}"
        )
    used = set(sizes) - set(labels)
    new_label = _fresh(new_leg, used)
    first = min(d.output.index(lab) for lab in labels)
    out = [
        new_label if k == first else lab
        for k, lab in enumerate(d.output)
        if k == first or lab not in labels
    ]
    specs = _specs(d)
    if not as_tensor:
        (tname,) = tensors
        new_specs = []
        for kind, tn, tlegs, tlabels, value, pos in specs:
            if tn != tname:
                new_specs.append((kind, tn, tlegs, tlabels, value, pos))
                continue
            axes = [tlabels.index(lab) for lab in labels]
            rest = [k for k in range(len(tlegs)) if k not in axes]
            at = min(axes)
            order = [k for k in rest if k < at] + axes + [k for k in rest if k > at]
            arr = np.transpose(value, order)
            shape = [arr.shape[k] for k in range(len(order))]
            n_before = sum(1 for k in rest if k < at)
            new_shape = shape[:n_before] + [math.prod(dims)] + shape[n_before + len(axes) :]
            arr = arr.reshape(new_shape)
            nlegs = (
                [tlegs[k] for k in rest if k < at] + [new_leg] + [tlegs[k] for k in rest if k > at]
            )
            if len(set(nlegs)) != len(nlegs):
                raise DiagramError(
                    f"group_legs: tensor {tname!r} already has a leg named {new_leg!r}; "
                    "choose another new_leg"
                )
            nlabels = (
                [tlabels[k] for k in rest if k < at]
                + [new_label]
                + [tlabels[k] for k in rest if k > at]
            )
            new_specs.append((kind, tn, nlegs, nlabels, arr, pos))
        return _rebuild(new_specs, out)
    gname = _fresh_name(name, d)
    xs = [t.position[0] for t in d] or [0.0]
    ys = [t.position[1] for t in d] or [0.0]
    gleg = new_leg if new_leg not in leg_names else f"{new_leg}'"
    specs.append(
        (
            "tensor",
            gname,
            [*leg_names, gleg]
            if len(set(leg_names)) == len(leg_names)
            else [*(f"in{k}" for k in range(len(labels))), gleg],
            [*labels, new_label],
            grouping_tensor(dims),
            (max(xs) + 120.0, float(np.mean(ys))),
        )
    )
    return _rebuild(specs, out)


def split_leg(
    x: Any,
    leg: str | int,
    into: Sequence[tuple[str, int]] | dict[str, int],
    *,
    as_tensor: bool | None = None,
    name: str = "split",
) -> Diagram:
    """Split one open leg into several whose dimensions multiply to its own (a reshape).

    ``into`` lists the new legs as ``(name, dim)`` pairs (or a dict), in row-major order:
    the inverse of :func:`group_legs`. When the leg is an open leg of one tensor, that
    tensor's array is reshaped; otherwise, or with ``as_tensor=True``, a grouping tensor
    named ``name`` is attached the other way round.

    >>> import numpy as np
    >>> A = np.arange(24.0).reshape(6, 4)
    >>> s = split_leg(A, "i", [("a", 2), ("b", 3)])
    >>> s.tensor("T").legs, s.shape
    (['a', 'b', 'j'], (2, 3, 4))
    >>> bool(np.array_equal(s.contract(), A.reshape(2, 3, 4)))
    True
    >>> B = np.arange(24.0).reshape(2, 3, 4)
    >>> back = split_leg(group_legs(B, ["i", "j"]), "ij", {"i": 2, "j": 3})
    >>> bool(np.array_equal(back.contract(), B))
    True
    """
    d = _as_diagram(x)
    items = list(into.items()) if isinstance(into, dict) else [tuple(p) for p in into]
    if not items:
        raise DiagramError(f"split_leg: 'into' must list at least one (name, dim), got {into!r}")
    for p in items:
        if len(p) != 2 or not isinstance(p[0], str) or not p[0] or ":" in p[0]:
            raise DiagramError(f"split_leg: each new leg is a (name, dim) pair, got {p!r}")
    names = [str(p[0]) for p in items]
    dims = [_check_dim(p[1], f"split_leg: dimension of new leg {p[0]!r}") for p in items]
    if len(set(names)) != len(names):
        raise DiagramError(f"split_leg: new leg names must be unique, got {names!r}")
    lab = _resolve_open(d, leg, "split_leg")
    dim = d.labels()[lab]
    if math.prod(dims) != dim:
        raise DiagramError(
            f"split_leg: leg {leg!r} has dimension {dim}, but the new legs {dict(zip(names, dims, strict=True))} "
            f"multiply to {math.prod(dims)}"
        )
    owners = d.legs_of_label(lab)
    if as_tensor is None and len(owners) == 1:
        # splitting the leg of a grouping tensor made by group_legs undoes it
        t, k = d.leg(owners[0])
        if (
            t.kind == "tensor"
            and k == t.order - 1
            and t.dims[:-1] == dims
            and np.array_equal(t.array, grouping_tensor(dims))
        ):
            pos_out = d.output.index(lab)
            out = d.output[:pos_out] + t.labels[:-1] + d.output[pos_out + 1 :]
            return _rebuild([s for s in _specs(d) if s[1] != t.name], out)
    if as_tensor is None:
        as_tensor = len(owners) != 1 or d.tensor(owners[0].split(":")[0]).kind == "copy"
    used = set(d.labels()) - {lab}
    new_labels = [_fresh(n, used) for n in names]
    pos_out = d.output.index(lab)
    out = d.output[:pos_out] + new_labels + d.output[pos_out + 1 :]
    specs = _specs(d)
    if not as_tensor:
        if len(owners) != 1:
            raise DiagramError(f"split_leg: leg {leg!r} is shared by {owners}; use as_tensor=True")
        tname, lname = owners[0].split(":")
        new_specs = []
        for kind, tn, tlegs, tlabels, value, pos in specs:
            if tn != tname:
                new_specs.append((kind, tn, tlegs, tlabels, value, pos))
                continue
            k = tlegs.index(lname)
            nlegs = tlegs[:k] + names + tlegs[k + 1 :]
            if len(set(nlegs)) != len(nlegs):
                raise DiagramError(
                    f"split_leg: tensor {tname!r} would have repeated leg names {nlegs}; "
                    "choose other names"
                )
            nlabels = tlabels[:k] + new_labels + tlabels[k + 1 :]
            arr = np.asarray(value).reshape(value.shape[:k] + tuple(dims) + value.shape[k + 1 :])
            new_specs.append((kind, tn, nlegs, nlabels, arr, pos))
        return _rebuild(new_specs, out)
    sname = _fresh_name(name, d)
    inner = _fresh("in", set(names))
    xs = [t.position[0] for t in d] or [0.0]
    ys = [t.position[1] for t in d] or [0.0]
    specs.append(
        (
            "tensor",
            sname,
            [*names, inner],
            [*new_labels, lab],
            grouping_tensor(dims),
            (max(xs) + 120.0, float(np.mean(ys))),
        )
    )
    return _rebuild(specs, out)


# --------------------------------------------------------------------------------------
# Isometries, unitaries, projectors
# --------------------------------------------------------------------------------------


def _as_matrix(x: Any, legs_in: Sequence[str | int] | str | int | None, what: str) -> np.ndarray:
    """The tensor as a matrix: rows = the other legs, columns = ``legs_in`` (grouped)."""
    if isinstance(x, Diagram):
        arr = np.asarray(x.contract())
        names: list[str] = list(x.output)
        d: Diagram | None = x
    else:
        arr = _numeric(x, what)
        names = _default_legs(arr.ndim)
        d = None
    if arr.ndim < 1:
        raise DiagramError(f"{what}: needs a tensor with at least one leg, got a scalar")
    if legs_in is None:
        cols = [arr.ndim - 1]
    else:
        refs = [legs_in] if isinstance(legs_in, (str, int, np.integer)) else list(legs_in)
        cols = []
        for ref in refs:
            if isinstance(ref, (int, np.integer)) and not isinstance(ref, bool):
                if not -arr.ndim <= int(ref) < arr.ndim:
                    raise DiagramError(
                        f"{what}: leg position {ref!r} out of range for shape {arr.shape}"
                    )
                cols.append(int(ref) % arr.ndim)
            elif d is not None:
                cols.append(d.output.index(_resolve_open(d, ref, what)))
            elif isinstance(ref, str) and ref in names:
                cols.append(names.index(ref))
            else:
                raise DiagramError(
                    f"{what}: no leg {ref!r}; the legs are {names} (or positions 0..{arr.ndim - 1})"
                )
        if len(set(cols)) != len(cols):
            raise DiagramError(f"{what}: legs_in {legs_in!r} repeats a leg")
    rows = [k for k in range(arr.ndim) if k not in cols]
    m = math.prod(arr.shape[k] for k in rows)
    n = math.prod(arr.shape[k] for k in cols)
    return np.transpose(arr, rows + cols).reshape(m, n)


def is_isometry(
    U: Any, legs_in: Sequence[str | int] | str | int | None = None, atol: float = 1e-8
) -> bool:
    """Whether ``U`` is an isometry from its ``legs_in`` to its other legs: ``U†U = I``.

    ``U`` is an array or a Diagram (its result is checked). ``legs_in`` are the
    isometry's input legs (names, positions or ``'T:leg'``; default: the last leg): the
    legs left OPEN in ``U†U``, where it must be the identity. The other legs (the output
    side) are the ones joined between ``U†`` and ``U``. So for a matrix with orthonormal
    columns, ``is_isometry(U)`` is True: ``U†U`` joins the long first leg and leaves the
    column leg open. ``UU†`` is then a projector, and the identity only when ``U`` is
    unitary.

    >>> import numpy as np
    >>> U, _ = np.linalg.qr(np.random.default_rng(0).normal(size=(5, 3)))
    >>> is_isometry(U), is_isometry(U.T), is_isometry(U.T, legs_in=0)
    (True, False, True)
    """
    M = _as_matrix(U, legs_in, "is_isometry")
    gram = M.conj().T @ M
    return bool(np.allclose(gram, np.eye(M.shape[1]), atol=atol, rtol=0))


def is_unitary(
    U: Any, legs_in: Sequence[str | int] | str | int | None = None, atol: float = 1e-8
) -> bool:
    """Whether ``U`` is unitary across the cut: ``U†U = I`` and ``UU† = I`` (square).

    >>> import numpy as np
    >>> Q, _ = np.linalg.qr(np.random.default_rng(0).normal(size=(4, 4)))
    >>> is_unitary(Q), is_unitary(Q[:, :2])
    (True, False)
    """
    M = _as_matrix(U, legs_in, "is_unitary")
    if M.shape[0] != M.shape[1]:
        return False
    eye = np.eye(M.shape[0])
    return bool(
        np.allclose(M.conj().T @ M, eye, atol=atol, rtol=0)
        and np.allclose(M @ M.conj().T, eye, atol=atol, rtol=0)
    )


def is_projector(
    P: Any,
    legs_in: Sequence[str | int] | str | int | None = None,
    atol: float = 1e-8,
    orthogonal: bool = True,
) -> bool:
    """Whether ``P`` is a projector across the cut: ``P P = P`` (and ``P† = P`` if orthogonal).

    ``UU†`` of an isometry ``U`` is an orthogonal projector.

    >>> import numpy as np
    >>> U, _ = np.linalg.qr(np.random.default_rng(0).normal(size=(5, 2)))
    >>> is_projector(U @ U.T), is_projector(U.T @ U), is_projector(2 * U @ U.T)
    (True, True, False)
    """
    M = _as_matrix(P, legs_in, "is_projector")
    if M.shape[0] != M.shape[1]:
        return False
    ok = np.allclose(M @ M, M, atol=atol, rtol=0)
    if orthogonal:
        ok = ok and np.allclose(M, M.conj().T, atol=atol, rtol=0)
    return bool(ok)


def dagger(x: Any, name: str | None = None) -> Diagram:
    """The conjugate (†) of a one-tensor diagram or array, as a new tensor named ``name``.

    Diagrams have no "rows" and "columns": the adjoint of ``U`` is drawn as the mirror
    image, the complex conjugate with the same legs. Join it to ``U`` over the in-legs to
    draw ``U†U``. The default name appends ``†``.

    >>> import numpy as np
    >>> U = np.array([[1j, 0], [0, 1]])
    >>> dagger(U).names, dagger(U).contract()[0, 0]
    (['T†'], np.complex128(-1j))
    """
    d = _as_diagram(x)
    specs = []
    for kind, tn, tlegs, tlabels, value, pos in _specs(d):
        new = name if (name is not None and len(d) == 1) else f"{tn}†"
        arr = value if kind == "copy" else np.conj(value)
        specs.append((kind, new, tlegs, tlabels, arr, (pos[0], -pos[1])))
    return _rebuild(specs, d.output)


# --------------------------------------------------------------------------------------
# Decompositions
# --------------------------------------------------------------------------------------

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _input(array: Any, what: str, min_ndim: int = 2) -> np.ndarray:
    """The one input rule of svd, cp, tucker and mps: a finite, non-empty numeric array
    with at least two legs (a vector has nothing to decompose)."""
    arr = _numeric(array, f"{what}: the array")
    if arr.ndim < min_ndim:
        raise DiagramError(
            f"{what}: needs an array with at least {min_ndim} legs (a vector or a scalar has "
            f"nothing to decompose), got shape {arr.shape}"
        )
    if arr.size == 0:
        raise DiagramError(f"{what}: the array is empty (shape {arr.shape})")
    if not np.all(np.isfinite(arr)):
        raise DiagramError(f"{what}: the array contains NaN or infinite values")
    return arr if arr.dtype.kind in "fc" else arr.astype(float)


def _rank(value: Any, what: str, hi: int | None = None, why: str = "") -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise DiagramError(f"{what} must be a positive integer, got {value!r}")
    if hi is not None and value > hi:
        raise DiagramError(f"{what} = {value!r} is too large: at most {hi}{why}")
    return int(value)


def _legs_for(arr: np.ndarray, legs: Sequence[str] | None, what: str) -> list[str]:
    if legs is None:
        return _default_legs(arr.ndim)
    legs = [str(x) for x in legs]
    if len(legs) != arr.ndim or len(set(legs)) != len(legs):
        raise DiagramError(
            f"{what}: legs {legs!r} must be {arr.ndim} different names, one per axis of shape {arr.shape}"
        )
    return legs


def _factor_names(n: int) -> list[str]:
    return list(_LETTERS[:n]) if n <= len(_LETTERS) else [f"F{k}" for k in range(n)]


def _bond_names(n: int, taken: Sequence[str], base: str) -> list[str]:
    used = set(taken)
    return [_fresh(f"{base}{k + 1}" if n > 1 else base, used) for k in range(n)]


def singular_values(array: Any, left: int = 1) -> np.ndarray:
    """The singular values of ``array`` across the cut after its first ``left`` legs.

    >>> import numpy as np
    >>> singular_values(np.diag([3.0, 1.0, 2.0])).tolist()
    [3.0, 2.0, 1.0]
    """
    arr = _input(array, "singular_values", 2)
    left = _cut(arr, left, "singular_values")
    m = math.prod(arr.shape[:left])
    return np.linalg.svd(arr.reshape(m, -1), compute_uv=False)


def truncation_errors(array: Any, left: int = 1) -> np.ndarray:
    """The Eckart-Young error of keeping ``r`` singular values, for ``r = 0, 1, ..., R``.

    ``errors[r]`` is the root of the sum of the squared singular values after the first
    ``r``: the Frobenius norm of the smallest possible error of a rank-``r`` approximation.

    >>> import numpy as np
    >>> truncation_errors(np.diag([3.0, 4.0])).tolist()
    [5.0, 3.0, 0.0]
    """
    s = singular_values(array, left)
    tail = np.cumsum((s**2)[::-1])[::-1]
    return np.sqrt(np.append(tail, 0.0))


def _cut(arr: np.ndarray, left: Any, what: str) -> int:
    if isinstance(left, bool) or not isinstance(left, (int, np.integer)):
        raise DiagramError(f"{what}: left must be an integer, got {left!r}")
    if not 1 <= left <= arr.ndim - 1:
        raise DiagramError(
            f"{what}: left={left!r} puts no leg on one side of the cut; an array of shape "
            f"{arr.shape} can be cut after 1..{arr.ndim - 1} legs"
        )
    return int(left)


def svd(
    array: Any,
    rank: int | None = None,
    left: int = 1,
    legs: Sequence[str] | None = None,
) -> Diagram:
    """The singular value decomposition ``M = U S V†`` as a diagram: U, S, V.

    The first ``left`` legs go on U's side of the cut, the others on V's (a many-leg
    tensor is grouped into a matrix, decomposed and its legs restored). ``S`` is the
    vector of singular values on a copy tensor (the hyperedge ``r`` joining U, S and V):
    ``M[i, j] = sum_r U[i, r] S[r] V[j, r]``. U and V are isometries (``U†U = I``);
    for complex arrays the tensor ``V`` holds ``conj(V)`` (that is, ``V†`` transposed),
    so that the diagram needs no conjugation.
    With ``rank``, only the largest ``rank`` singular values are kept; the error is then
    the smallest possible (Eckart-Young): the root of the sum of the discarded squared
    singular values. ``contract()`` gives the approximation with legs in input order.

    >>> import numpy as np
    >>> M = np.random.default_rng(0).normal(size=(4, 3))
    >>> d = svd(M)
    >>> d.names, d.to_einsum(), d["U"].shape, d["S"].shape, d["V"].shape
    (['U', 'S', 'V'], 'ir,r,jr->ij', (4, 3), (3,), (3, 3))
    >>> bool(np.allclose(d.contract(), M))
    True
    >>> d1 = svd(M, rank=1)
    >>> s = np.linalg.svd(M, compute_uv=False)
    >>> bool(np.isclose(np.linalg.norm(M - d1.contract()), np.sqrt(s[1]**2 + s[2]**2)))
    True
    >>> T = np.random.default_rng(0).normal(size=(2, 3, 4))
    >>> svd(T, left=2).to_einsum()
    'ijr,r,kr->ijk'
    """
    arr = _input(array, "svd")
    legs = _legs_for(arr, legs, "svd")
    left = _cut(arr, left, "svd")
    lshape, rshape = arr.shape[:left], arr.shape[left:]
    m, n = math.prod(lshape), math.prod(rshape)
    full = min(m, n)
    r = full if rank is None else _rank(rank, "svd: rank", full, f" (min({m}, {n}) across the cut)")
    U, s, Vh = np.linalg.svd(arr.reshape(m, n), full_matrices=False)
    U, s, V = U[:, :r], s[:r], Vh[:r].T.conj()
    (bond,) = _bond_names(1, legs, "r")
    return _rebuild(
        [
            (
                "tensor",
                "U",
                [*legs[:left], bond],
                [*legs[:left], bond],
                U.reshape(*lshape, r),
                (-110.0, 0.0),
            ),
            ("tensor", "S", [bond], [bond], s, (0.0, -80.0)),
            (
                "tensor",
                "V",
                [*legs[left:], bond],
                [*legs[left:], bond],
                V.conj().reshape(*rshape, r),
                (110.0, 0.0),
            ),
        ],
        legs,
    )


@dataclass
class FitInfo:
    """How a fitted decomposition went: its error, and for iterative fits, the iterations.

    ``error`` is the Frobenius norm of ``array - diagram.contract()``, ``relative_error``
    that divided by the norm of the array, ``storage`` the numbers the diagram keeps
    (its tensors' sizes) against ``full_storage`` of the array, ``errors`` the relative
    error after each iteration (empty for one-shot methods).
    """

    method: str
    error: float
    relative_error: float
    storage: int
    full_storage: int
    iterations: int = 0
    converged: bool = True
    errors: list[float] = field(default_factory=list)

    @property
    def compression(self) -> float:
        """How many times fewer numbers the diagram keeps than the full array."""
        return self.full_storage / max(self.storage, 1)


def storage(d: Diagram) -> int:
    """How many numbers a diagram keeps: the sizes of its tensors (copy tensors are free).

    >>> import numpy as np
    >>> storage(svd(np.ones((10, 10)), rank=2))
    42
    """
    return int(sum(math.prod(t.dims) for t in d if t.kind != "copy"))


def _info(method: str, arr: np.ndarray, d: Diagram, **kw: Any) -> FitInfo:
    err = float(np.linalg.norm(arr - d.contract()))
    norm = float(np.linalg.norm(arr))
    return FitInfo(method, err, err / norm if norm else err, storage(d), int(arr.size), **kw)


class _Progress:
    """A progress bar that appears only when a fit runs long (> ``after`` seconds).

    In a Jupyter kernel it is an ipywidgets bar (closed when done); elsewhere it
    prints nothing unless asked (``show=True`` prints to stdout, never stderr).
    """

    def __init__(self, total: int, label: str, show: bool | None, after: float = 1.0) -> None:
        self.total, self.label, self.show, self.after = total, label, show, after
        self.start = time.perf_counter()
        self.bar: Any = None
        self.text_shown = False

    def _in_kernel(self) -> bool:
        try:
            from IPython import get_ipython
        except ImportError:
            return False
        ip = get_ipython()
        return ip is not None and hasattr(ip, "kernel")

    def update(self, k: int, rel: float) -> None:
        if self.show is False:
            return
        elapsed = time.perf_counter() - self.start
        if self.show is None and elapsed < self.after:
            return
        if self.bar is None and not self.text_shown:
            if self._in_kernel():
                import ipywidgets as w
                from IPython.display import display

                self.bar = w.IntProgress(min=0, max=self.total, description=self.label)
                self.note = w.Label()
                self.box = w.HBox([self.bar, self.note])
                display(self.box)
            elif self.show:
                self.text_shown = True
        if self.bar is not None:
            self.bar.value = k
            self.note.value = f"iteration {k}, relative error {rel:.2e}"
        elif self.text_shown and (k % 10 == 0 or k == self.total):
            print(f"{self.label} iteration {k}/{self.total}: relative error {rel:.3e}")

    def close(self) -> None:
        if self.bar is not None:
            self.box.close()


def _unfold(arr: np.ndarray, mode: int) -> np.ndarray:
    return np.moveaxis(arr, mode, 0).reshape(arr.shape[mode], -1)


def _khatri_rao(mats: Sequence[np.ndarray]) -> np.ndarray:
    """Row-major Khatri-Rao product: row (i, j, ...) of the result is A[i] * B[j] * ..."""
    out = mats[0]
    for m in mats[1:]:
        out = (out[:, None, :] * m[None, :, :]).reshape(-1, out.shape[1])
    return out


#: Up to this many (entries x rank), cp() measures its error on the full reconstruction;
#: beyond, from the norms (cheaper, accurate to about 1e-8 relative).
_EXACT_ERROR_LIMIT = 4_000_000


def cp(
    array: Any,
    rank: int,
    seed: int = 0,
    *,
    max_iter: int = 500,
    tol: float = 1e-10,
    init: str = "svd",
    legs: Sequence[str] | None = None,
    progress: bool | None = None,
    return_info: bool = False,
) -> Diagram | tuple[Diagram, FitInfo]:
    """The CP (canonical polyadic) decomposition: factor matrices joined by one copy tensor.

    ``X[i, j, k] ~ sum_r w[r] A[i, r] B[j, r] C[k, r]``: one factor matrix per leg
    (``A``, ``B``, ``C``, ... with unit-norm columns) and the weights ``w``, all joined
    through the hyperedge ``r`` (a copy tensor). Fitted by alternating least squares:
    each factor in turn is the least-squares best given the others, until the relative
    error changes by less than ``tol`` or after ``max_iter`` sweeps. ``init="svd"``
    starts from the leading singular vectors of each unfolding (random columns fill in
    when ``rank`` exceeds a leg's dimension); ``init="random"`` from ``seed``'s normals.
    A progress bar appears in a notebook when the fit runs longer than a second
    (``progress=False`` never, ``True`` always).

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> A, B, C = rng.normal(size=(4, 2)), rng.normal(size=(5, 2)), rng.normal(size=(6, 2))
    >>> X = np.einsum("ir,jr,kr->ijk", A, B, C)  # CP rank 2
    >>> d, info = cp(X, rank=2, return_info=True)
    >>> d.names, d.to_einsum()
    (['A', 'B', 'C', 'w'], 'ir,jr,kr,r->ijk')
    >>> info.relative_error < 1e-6
    True
    """
    arr = _input(array, "cp")
    legs = _legs_for(arr, legs, "cp")
    # every tensor has CP rank at most the product of its dimensions but the largest
    bound = math.prod(arr.shape) // max(arr.shape)
    rank = _rank(rank, "cp: rank", bound, f" (no tensor of shape {arr.shape} needs more)")
    if init not in ("svd", "random"):
        raise DiagramError(f"cp: init must be 'svd' or 'random', got {init!r}")
    max_iter = _rank(max_iter, "cp: max_iter")
    rng = np.random.default_rng(seed)
    N = arr.ndim
    factors = []
    for n in range(N):
        F = rng.normal(size=(arr.shape[n], rank))
        if arr.dtype.kind == "c":
            F = F + 1j * rng.normal(size=F.shape)
        if init == "svd":
            U = np.linalg.svd(_unfold(arr, n), full_matrices=False)[0]
            k = min(rank, U.shape[1])
            F[:, :k] = U[:, :k]
        factors.append(F)
    weights = np.ones(rank)
    norm = float(np.linalg.norm(arr))
    unfoldings = [_unfold(arr, n) for n in range(N)]
    exact = arr.size * rank <= _EXACT_ERROR_LIMIT
    errors: list[float] = []
    bar = _Progress(max_iter, "CP (ALS)", progress)
    converged = False
    it = 0
    try:
        for it in range(1, max_iter + 1):
            for n in range(N):
                others = [factors[m] for m in range(N) if m != n]
                V = np.ones((rank, rank), dtype=arr.dtype)
                for m in range(N):
                    if m != n:
                        V = V * (factors[m].conj().T @ factors[m])
                mttkrp = unfoldings[n] @ (
                    _khatri_rao(others).conj() if others else np.ones((1, rank))
                )
                # X_(n) ~ F KR^T, so F = X_(n) conj(KR) (KR^T conj(KR))^-1 = mttkrp conj(V)^-1
                F = np.linalg.lstsq(V.conj().T, mttkrp.T, rcond=None)[0].T
                weights = np.linalg.norm(F, axis=0)
                safe = np.where(weights > 0, weights, 1.0)
                factors[n] = F / safe
            if exact:
                approx = _cp_full(factors, weights)
                err = float(np.linalg.norm(arr - approx))
            else:
                inner = np.vdot(F, mttkrp).real
                err = float(np.sqrt(max(norm**2 - 2 * inner + np.vdot(F, F @ V.conj()).real, 0.0)))
            rel = err / norm if norm else err
            errors.append(rel)
            bar.update(it, rel)
            if rel < 1e-14 or (len(errors) > 1 and abs(errors[-2] - rel) < tol):
                converged = True
                break
    finally:
        bar.close()
    names = _factor_names(N)
    (bond,) = _bond_names(1, legs, "r")
    wname = _fresh("w", set(names))
    # A star around the copy tensor (drawn at the tensors' mean, here the origin): the
    # weights up and to the left, the factors round the rest, so the dot, its wires and
    # the bond's label (just above-right of the dot) all show; nothing sits on the dot.
    star = _cp_star(N)
    specs: list[Any] = []
    for n in range(N):
        spec = ("tensor", names[n], [legs[n], bond], [legs[n], bond], factors[n], star[n])
        specs.append(spec)
    specs.append(("tensor", wname, [bond], [bond], weights, star[N]))
    d = _rebuild(specs, legs)
    if not return_info:
        return d
    return d, _info("cp", arr, d, iterations=it, converged=converged, errors=errors)


def _cp_star(n_factors: int) -> list[tuple[float, float]]:
    """Positions of CP's factors and then its weights, round a copy dot at the origin.

    The positions balance (their mean is the origin, where the dot is drawn) and the
    weights sit up and to the left. For two or three factors the arms also avoid the
    directions 10-150 degrees, where the bond's label is drawn (above-right of the dot);
    from four factors on they are evenly spread.
    """
    polar: list[tuple[float, float]]  # (angle in degrees, radius): factors, then weights
    if n_factors == 2:
        a, b, c = (math.radians(t) for t in (160.0, 250.0, 0.0))
        r1 = 190.0  # r1 u(a) + r2 u(b) + r3 u(c) = 0: solve for r2, then r3
        r2 = -r1 * math.sin(a) / math.sin(b)
        r3 = -(r1 * math.cos(a) + r2 * math.cos(b)) / math.cos(c)
        polar = [(250.0, r2), (0.0, r3), (160.0, r1)]
    elif n_factors == 3:  # two opposite pairs
        polar = [(180.0, 170.0), (340.0, 110.0), (0.0, 170.0), (160.0, 110.0)]
    else:
        m = n_factors + 1
        polar = [(160.0 + 360.0 * k / m, 110.0) for k in range(1, m)] + [(160.0, 110.0)]
    return [(r * math.cos(math.radians(t)), -r * math.sin(math.radians(t))) for t, r in polar]


def _cp_full(factors: Sequence[np.ndarray], weights: np.ndarray) -> np.ndarray:
    shape = tuple(f.shape[0] for f in factors)
    first = factors[0] * weights
    rest = _khatri_rao(list(factors[1:])) if len(factors) > 1 else np.ones((1, len(weights)))
    return (first @ rest.T).reshape(shape)


def _leading_left(M: np.ndarray, r: int) -> np.ndarray:
    """The ``r`` leading left singular vectors of ``M`` (via a QR first when ``M`` is wide)."""
    if M.shape[1] > 2 * M.shape[0]:
        R = np.linalg.qr(M.conj().T, mode="r")  # M = R† Q†: same left singular vectors as R†
        M = R.conj().T
    return np.linalg.svd(M, full_matrices=False)[0][:, :r]


def _mode_product(arr: np.ndarray, mat: np.ndarray, mode: int) -> np.ndarray:
    """Contract leg ``mode`` of ``arr`` with the first leg of ``mat`` (result's leg there)."""
    return np.moveaxis(np.tensordot(arr, mat, axes=([mode], [0])), -1, mode)


def tucker(
    array: Any,
    ranks: int | Sequence[int],
    *,
    refine: bool = True,
    max_iter: int = 50,
    tol: float = 1e-8,
    legs: Sequence[str] | None = None,
    return_info: bool = False,
) -> Diagram | tuple[Diagram, FitInfo]:
    """The Tucker decomposition: a core tensor ``G`` with a factor matrix on each leg.

    ``X[i, j, k] ~ sum_abc G[a, b, c] A[i, a] B[j, b] C[k, c]``. The factors are
    isometries found by the higher-order SVD (each factor: the leading left singular
    vectors of the tensor unfolded along its leg; the core: the tensor with every leg
    multiplied by its factor's conjugate), then, with ``refine`` (default), improved by
    higher-order orthogonal iteration (HOOI) until the error changes by less than
    ``tol``. ``ranks`` is one number per leg (or one for all), each at most the leg's
    dimension.

    >>> import numpy as np
    >>> X = np.random.default_rng(0).normal(size=(4, 5, 6))
    >>> d = tucker(X, ranks=(2, 3, 3))
    >>> d.names, d.to_einsum(), d["G"].shape
    (['G', 'A', 'B', 'C'], 'abc,ia,jb,kc->ijk', (2, 3, 3))
    >>> bool(np.allclose(tucker(X, ranks=(4, 5, 6)).contract(), X))
    True
    """
    arr = _input(array, "tucker")
    legs = _legs_for(arr, legs, "tucker")
    N = arr.ndim
    if isinstance(ranks, (int, np.integer)) and not isinstance(ranks, bool):
        ranks = [int(ranks)] * N
    if isinstance(ranks, (str, bytes)) or not isinstance(ranks, (Sequence, np.ndarray)):
        raise DiagramError(
            f"tucker: ranks must be a positive integer or a list of them, one per leg "
            f"({N} for shape {arr.shape}), got {ranks!r}"
        )
    ranks = list(ranks)
    if len(ranks) != N:
        raise DiagramError(
            f"tucker: ranks {ranks!r} give {len(ranks)} number(s) for an array with {N} legs, shape {arr.shape}"
        )
    ranks = [
        _rank(r, f"tucker: rank of leg {legs[n]!r}", arr.shape[n], " (its dimension)")
        for n, r in enumerate(ranks)
    ]
    factors = [_leading_left(_unfold(arr, n), ranks[n]) for n in range(N)]

    def core_of(fs: Sequence[np.ndarray]) -> np.ndarray:
        G = arr
        for n, F in enumerate(fs):
            G = _mode_product(G, F.conj(), n)
        return G

    G = core_of(factors)
    norm = float(np.linalg.norm(arr))
    # with orthonormal factors, ||X - X^||^2 = ||X||^2 - ||G||^2
    errors = [math.sqrt(max(norm**2 - float(np.linalg.norm(G)) ** 2, 0.0)) / (norm or 1.0)]
    it = 0
    converged = True
    if refine and any(r < s for r, s in zip(ranks, arr.shape, strict=True)):
        converged = False
        for it in range(1, max_iter + 1):  # noqa: B007 (it is reported after the loop)
            for n in range(N):
                Y = arr
                for m in range(N):
                    if m != n:
                        Y = _mode_product(Y, factors[m].conj(), m)
                factors[n] = _leading_left(_unfold(Y, n), ranks[n])
            G = core_of(factors)
            errors.append(
                math.sqrt(max(norm**2 - float(np.linalg.norm(G)) ** 2, 0.0)) / (norm or 1.0)
            )
            if abs(errors[-2] - errors[-1]) < tol:
                converged = True
                break
    names = _factor_names(N)
    gname = _fresh("G", set(names))
    bonds = _tucker_bonds(N, legs)
    specs: list[Any] = [("tensor", gname, bonds, bonds, G, (0.0, 0.0))]
    for n in range(N):
        angle = 2 * math.pi * n / max(N, 1) + math.pi
        pos = (120.0 * math.cos(angle), -120.0 * math.sin(angle))
        specs.append(
            ("tensor", names[n], [legs[n], bonds[n]], [legs[n], bonds[n]], factors[n], pos)
        )
    d = _rebuild(specs, legs)
    if not return_info:
        return d
    return d, _info("tucker", arr, d, iterations=it, converged=converged, errors=errors)


def _tucker_bonds(n: int, legs: Sequence[str]) -> list[str]:
    pool = [c for c in "abcdefgh" if c not in legs]
    if n <= len(pool):
        return pool[:n]
    return _bond_names(n, legs, "r")


def mps(
    array: Any,
    max_bond: int | None = None,
    *,
    legs: Sequence[str] | None = None,
    return_info: bool = False,
) -> Diagram | tuple[Diagram, FitInfo]:
    """A matrix product state (tensor train) by repeated reshape + SVD: A0, A1, ..., An.

    Sweep left to right: group everything to the right of the current leg into one leg,
    SVD, keep ``U`` (reshaped, its bond on the right) as the next tensor and carry
    ``S V†`` on. ``A0`` has legs (i, b1), the middle tensors (b_k, leg, b_k+1), the last
    (b_n, leg). With ``max_bond``, each SVD keeps at most that many singular values
    (each cut's error is then the Eckart-Young error of that cut); without it the
    train is exact. Every tensor but the last is an isometry (left-canonical form).

    >>> import numpy as np
    >>> X = np.random.default_rng(0).normal(size=(2, 3, 4, 5))
    >>> d = mps(X)
    >>> d.names, d.to_einsum()
    (['A0', 'A1', 'A2', 'A3'], 'ia,ajb,bkc,cl->ijkl')
    >>> [d[n].shape for n in d.names]
    [(2, 2), (2, 3, 6), (6, 4, 5), (5, 5)]
    >>> bool(np.allclose(d.contract(), X))
    True
    >>> [mps(X, max_bond=3)[n].shape for n in d.names]
    [(2, 2), (2, 3, 3), (3, 4, 3), (3, 5)]
    """
    arr = _input(array, "mps")
    legs = _legs_for(arr, legs, "mps")
    if max_bond is not None:
        max_bond = _rank(max_bond, "mps: max_bond")
    N = arr.ndim
    bonds = _bond_names(max(N - 1, 0), legs, "b")
    tensors: list[np.ndarray] = []
    C = arr.reshape(1, -1)
    r_prev = 1
    for k in range(N - 1):
        C = C.reshape(r_prev * arr.shape[k], -1)
        U, s, Vh = np.linalg.svd(C, full_matrices=False)
        r = len(s) if max_bond is None else min(len(s), max_bond)
        tensors.append(U[:, :r].reshape(r_prev, arr.shape[k], r))
        C = s[:r, None] * Vh[:r]
        r_prev = r
    tensors.append(C.reshape(r_prev, arr.shape[-1]))
    specs: list[Any] = []
    for k, T in enumerate(tensors):
        tlegs = [legs[k]]
        if k > 0:
            tlegs = [bonds[k - 1], *tlegs]
        if k < N - 1:
            tlegs = [*tlegs, bonds[k]]
        if k == 0:
            T = T.reshape(T.shape[1:])
        specs.append(("tensor", f"A{k}", tlegs, tlegs, T, (110.0 * k, 0.0)))
    d = _rebuild(specs, legs)
    if not return_info:
        return d
    return d, _info("mps", arr, d)
