"""Comparing diagrams: whether two diagrams denote the same tensor, and if not, why.

Comparison reads structure only: it never lays a diagram out and never touches the
arrays' values, so checking a learner's drawing costs less than contracting it.

>>> import numpy as np
>>> from tensorlessons import Diagram
>>> A, B = np.ones((2, 3)), np.ones((3, 4))
>>> AB = Diagram.from_einsum("ij,jk->ik", A, B, names=["A", "B"])
>>> BA = Diagram.from_einsum("jk,ij->ik", B, A, names=["B", "A"])
>>> equivalent(AB, BA), difference(AB, BA)
(True, None)
"""

from __future__ import annotations

import weakref

from ._errors import DiagramError
from .contraction import hyperedge_roots
from .diagram import Diagram

__all__ = ["equivalent", "difference", "canonical_form"]

Slot = tuple[str, int]
Canonical = tuple[dict[str, tuple[int, ...]], tuple[frozenset[frozenset[Slot]], tuple[int, ...]]]

_CANONICAL: weakref.WeakKeyDictionary[Diagram, tuple[int, Canonical]] = weakref.WeakKeyDictionary()


def canonical_form(d: Diagram) -> Canonical:
    """Tensors' shapes, and the partition of axis slots (plus output slots) into indices.

    Copy tensors are folded into the indices they join (they carry no free values); axes
    of dimension 1 are dropped (joining them changes nothing). A closed group of copy
    tensors touching nothing else is a scalar factor, its dimension. Cached per diagram
    until its structure changes.
    """
    hit = _CANONICAL.get(d)
    if hit is not None and hit[0] == d.structure_version:
        return hit[1]
    tensors = list(d)
    copies = [t for t in tensors if t.kind == "copy"]
    find = hyperedge_roots(copies) if copies else str
    sizes: dict[str, int] = {}
    classes: dict[str, list[Slot]] = {}
    shapes = {}
    for t in tensors:
        for lab, dim in zip(t.labels, t.dims, strict=True):
            sizes[lab] = dim
        if t.kind == "copy":
            continue
        name = t.name
        shapes[name] = tuple(t.dims)
        for k, (lab, dim) in enumerate(zip(t.labels, t.dims, strict=True)):
            if dim != 1:
                classes.setdefault(find(lab), []).append((name, k))
    for k, lab in enumerate(d.output):
        if sizes[lab] != 1:
            classes.setdefault(find(lab), []).append(("->", k))
    closed = sorted(
        sizes[root]
        for root in {find(lab) for t in copies for lab in t.labels}
        if root not in classes and sizes[root] != 1
    )
    out: Canonical = (shapes, (frozenset(frozenset(c) for c in classes.values()), tuple(closed)))
    _CANONICAL[d] = (d.structure_version, out)
    return out


def _open_leg_names(d: Diagram) -> list[str]:
    """The result's legs as the picture shows them: ``'T:leg'`` (``'A:b=B:b'`` when shared)."""
    return ["=".join(d.legs_of_label(lab)) or lab for lab in d.output]


def difference(d1: Diagram, d2: Diagram) -> str | None:
    """Why two diagrams denote different tensors, or None when they are equivalent.

    See :func:`equivalent` for how it decides.

    >>> import numpy as np
    >>> from tensorlessons import Diagram
    >>> A = np.ones((3, 3))
    >>> AAt = Diagram.from_einsum("ij,kj->ik", A, A, names=["A", "B"])
    >>> AtA = Diagram.from_einsum("ji,jk->ik", A, A, names=["A", "B"])
    >>> print(difference(AAt, AtA))
    A:j is joined to B:j (a wire A:j — B:j); it should be an open leg of the result
    """
    for which, d in (("first", d1), ("second", d2)):
        if not isinstance(d, Diagram):
            raise DiagramError(f"equivalent: the {which} argument is not a Diagram: {d!r}")
    s1, p1 = canonical_form(d1)
    s2, p2 = canonical_form(d2)
    missing = sorted(set(s1) - set(s2))
    extra = sorted(set(s2) - set(s1))
    if missing:
        return f"tensor(s) {missing} are missing"
    if extra:
        return f"tensor(s) {extra} should not be there"
    for name in s1:
        if s1[name] != s2[name]:
            return f"tensor {name!r} has shape {s2[name]}, expected {s1[name]}"
    if d1.shape != d2.shape:
        if len(d1.shape) == len(d2.shape) and _strip(p1[0]) == _strip(p2[0]):
            return _wiring(p1[0], p2[0], d2)  # the same wires, open legs reordered
        return (
            f"the result has {len(d2.shape)} open leg(s) {_open_leg_names(d2)} of shape {d2.shape}, "
            f"expected {len(d1.shape)} open leg(s) of shape {d1.shape}"
        )
    if p1 == p2:
        return None
    if p1[0] == p2[0]:
        return f"closed copy-tensor loops give a factor {p2[1]}, expected {p1[1]}"
    return _wiring(p1[0], p2[0], d2)


def _strip(c: frozenset[frozenset[Slot]]) -> set[frozenset[Slot]]:
    """The index groups without the result's slots (the wiring, open legs unordered)."""
    return {g for g in (frozenset(s for s in g if s[0] != "->") for g in c) if g}


def _wiring(c1: frozenset[frozenset[Slot]], c2: frozenset[frozenset[Slot]], d: Diagram) -> str:
    """The first wire that differs, in the picture's words (``A:j — B:i``, open legs).

    Both diagrams have the same tensors (names and shapes), so every tensor slot is
    named by ``d``'s (the learner's) leg names.
    """

    def leg(slot: Slot) -> str:
        t = d.tensor(slot[0])
        return f"{t.name}:{t.legs[slot[1]]}"

    def opened(c: frozenset[frozenset[Slot]]) -> list[str]:
        order = {s[1]: g for g in c for s in g if s[0] == "->"}
        return [
            "=".join(sorted(leg(s) for s in order[k] if s[0] != "->")) or "?" for k in sorted(order)
        ]

    if _strip(c1) == _strip(c2):
        return (
            f"the wires are right, but the result's legs are in another order: {opened(c2)}, "
            f"expected {opened(c1)}"
        )

    def state(group: frozenset[Slot], slot: Slot) -> tuple[list[str], bool]:
        others = sorted(leg(s) for s in group if s != slot and s[0] != "->")
        return others, any(s[0] == "->" for s in group)

    def says(others: list[str], open_: bool, slot: Slot) -> str:
        if not others:
            return "an open leg of the result" if open_ else "summed on its own (joined to nothing)"
        if len(others) == 1 and not open_:
            return f"joined to {others[0]} (a wire {leg(slot)} — {others[0]})"
        dot = f"joined to {', '.join(others)} at one copy-tensor dot"
        return dot + (", which stays open" if open_ else "")

    where1 = {s: g for g in c1 for s in g}
    where2 = {s: g for g in c2 for s in g}
    slots = sorted(s for s in set(where1) | set(where2) if s[0] != "->")
    for slot in slots:
        want = state(where1.get(slot, frozenset()), slot)
        got = state(where2.get(slot, frozenset()), slot)
        if want != got:
            return f"{leg(slot)} is {says(*got, slot)}; it should be {says(*want, slot)}"
    return "the diagrams are wired differently"  # pragma: no cover


def equivalent(d1: Diagram, d2: Diagram) -> bool:
    """Whether two diagrams denote the same tensor whatever their arrays' values.

    Tensors are matched by name (copy tensors excepted: they carry no free values) and
    must have the same shapes. Each diagram is then reduced to a canonical form: copy
    tensors are folded into the indices they join, axes of dimension 1 are dropped, and
    what remains is the partition of all axis slots (tensor, axis) and result slots into
    summed-together groups. Two diagrams are equivalent exactly when these partitions are
    equal: the result is a polynomial in the tensors' entries whose monomials are the
    index assignments, so different partitions give different polynomials. Layout, leg
    names, index names and tensor order do not matter; which axis is which does.

    >>> import numpy as np
    >>> from tensorlessons import Diagram
    >>> A, b = np.ones((3, 2)), np.ones(2)
    >>> Ab = Diagram.from_einsum("ij,j->i", A, b, names=["A", "b"])
    >>> bAt = Diagram.from_einsum("j,ij->i", b, A, names=["b", "A"])
    >>> equivalent(Ab, bAt)
    True
    """
    return difference(d1, d2) is None
