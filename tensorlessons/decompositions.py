"""Decompositions and diagram operations: copy tensors, grouping legs, isometries, SVD, CP,
Tucker and tensor trains, each built as a :class:`~tensorlessons.Diagram` of real arrays.

Every function here returns a *new* diagram (the input is never changed) whose
``contract()`` gives the tensor it stands for, with legs in a documented order.

>>> import numpy as np
>>> import tensorlessons as tl
>>> d = tl.diagonal(np.array([1.0, 2.0]))
>>> d.contract().tolist()
[[1.0, 0.0], [0.0, 2.0]]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
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
    if as_tensor is None:
        as_tensor = not (single and len(tensors) == 1)
    if not as_tensor and not (single and len(tensors) == 1):
        raise DiagramError(
            f"group_legs: legs {legs!r} are not all open legs of one tensor; "
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
            if kind == "copy":
                raise DiagramError(
                    f"group_legs: {tname!r} is a copy tensor; group its legs with as_tensor=True"
                )
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

    ``U`` is an array or a Diagram (its result is checked). ``legs_in`` are the legs
    joined in ``U†U`` (names, positions or ``'T:leg'``; default: the last leg), so for a
    matrix with orthonormal columns, ``is_isometry(U)`` is True. ``UU†`` is then a
    projector, and the identity only when ``U`` is unitary.

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
