"""The diagram model and its edits: named tensors, named legs, wires.

One structural form serves every front door (einsum strings, method calls, JSON, the
widget's edits): each tensor has legs, each leg carries an *index label*; legs that share a
label are joined (two legs: a wire; three or more: a hyperedge, i.e. a copy tensor); the
labels listed in :attr:`Diagram.output` are the result's legs, in that order; every other
label is summed over.

The core is split by responsibility, as opt_einsum's is: this module holds the model and
its edits; :mod:`tensorlessons.parser` the einsum language; :mod:`tensorlessons.contraction`
planning, paths and their caches; :mod:`tensorlessons.comparison` ``equivalent`` and
``difference``. Reading a diagram never lays it out: positions are computed the first
time a picture (or an edit) needs them.
"""

from __future__ import annotations

import base64
import itertools
import json
import math
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Literal

import numpy as np
import opt_einsum

from . import contraction
from ._errors import DiagramError
from .contraction import ContractionCost
from .parser import expand_einsum, format_einsum, interleaved_to_einsum, split_einsum

__all__ = ["Diagram", "Tensor", "ContractionCost", "equivalent", "difference"]

TensorKind = Literal["tensor", "copy"]
Optimize = Literal["auto", "optimal", "greedy", "branch-2", "dp", "auto-hq"] | str
_JSON_FORMAT = "tensorlessons.diagram"
_JSON_VERSION = 1
_LEG_NAMES = "ijklmnopqrstuvwxyzabcdefgh"
_SPACING = 130.0
_STAMPS = itertools.count(1)  # structure versions, unique across diagrams
#: The largest dimension a copy tensor may have (numpy arrays it could join are smaller).
MAX_COPY_DIM = 2**32


# --------------------------------------------------------------------------------------
# Tensors
# --------------------------------------------------------------------------------------


class Tensor:
    """One node of a diagram: a named array whose axes are named legs.

    Read it freely; change it only through :class:`Diagram` methods, which validate
    every edit. A ``kind="copy"`` tensor is the copy (delta) tensor: 1 where all its
    indices agree, 0 elsewhere; its array is made on demand, in the dtype of the
    diagram's other arrays. ``position`` is laid out the first time it is read.
    """

    __slots__ = ("name", "legs", "labels", "dims", "_position", "kind", "_array", "_owner")

    def __init__(
        self,
        name: str,
        legs: list[str],
        labels: list[str],
        dims: list[int],
        position: tuple[float, float] = (0.0, 0.0),
        kind: TensorKind = "tensor",
        _array: np.ndarray | None = None,
        _owner: Diagram | None = None,
    ) -> None:
        self.name = name
        self.legs = legs
        self.labels = labels
        self.dims = dims
        self._position = position
        self.kind = kind
        self._array = _array
        self._owner = _owner

    def __repr__(self) -> str:
        return (
            f"Tensor(name={self.name!r}, legs={self.legs!r}, labels={self.labels!r}, "
            f"dims={self.dims!r}, kind={self.kind!r})"
        )

    @property
    def position(self) -> tuple[float, float]:
        """Where the picture draws the tensor (laid out on first read when pending)."""
        owner = self._owner
        if owner is not None and owner._layout_pending:
            owner._settle_layout()
        return self._position

    @property
    def array(self) -> np.ndarray:
        """The tensor's values (for a copy tensor, the delta array, built on demand)."""
        if self.kind == "copy":
            dtype = contraction.result_dtype(self._owner) if self._owner is not None else float
            if not self.dims:
                return copy_array(1, 0, dtype)
            return contraction.dense((self.name, self.dims[0], len(self.dims)), dtype)
        assert self._array is not None
        return self._array

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.dims)

    @property
    def order(self) -> int:
        """The number of legs (the tensor's order; not its matrix or CP rank)."""
        return len(self.legs)

    def leg_index(self, leg: str) -> int:
        try:
            return self.legs.index(leg)
        except ValueError:
            raise DiagramError(
                f"tensor {self.name!r} has no leg {leg!r}; its legs are {self.legs}"
            ) from None

    def _copy(self, owner: Diagram | None) -> Tensor:
        return Tensor(
            self.name,
            list(self.legs),
            list(self.labels),
            list(self.dims),
            self._position,
            self.kind,
            self._array,
            owner,
        )


def copy_array(dim: int, n_legs: int, dtype: Any = float) -> np.ndarray:
    """The copy (delta) tensor with ``n_legs`` legs of dimension ``dim``.

    >>> copy_array(2, 3)[1, 1, 1], copy_array(2, 3)[0, 1, 1]
    (np.float64(1.0), np.float64(0.0))
    """
    out = np.zeros((dim,) * n_legs, dtype=dtype)
    if n_legs == 0:
        out[()] = dim
        return out
    out[(np.arange(dim),) * n_legs] = 1
    return out


# --------------------------------------------------------------------------------------
# Parsing einsum strings
# --------------------------------------------------------------------------------------


def _as_array(value: Any, where: str) -> np.ndarray:
    try:
        arr = np.asarray(value)
    except Exception as exc:  # pragma: no cover - numpy raises many types
        raise DiagramError(f"{where}: cannot be read as an array ({exc})") from None
    if arr.dtype.kind not in "biufc":
        raise DiagramError(
            f"{where}: values must be numbers, got an array of dtype {arr.dtype} "
            f"(first value {arr.flat[0]!r})"
            if arr.size
            else f"{where}: values must be numbers, got dtype {arr.dtype}"
        )
    return arr


def _check_name(name: Any, what: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise DiagramError(f"{what} must be a non-empty string, got {name!r}")
    if ":" in name:
        raise DiagramError(f"{what} {name!r} may not contain ':' (it separates tensor and leg)")
    return name


def _check_copy_dim(dim: Any, what: str) -> int:
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool) or dim < 1:
        raise DiagramError(f"{what} must be a positive integer, got {dim!r}")
    if dim > MAX_COPY_DIM:
        raise DiagramError(
            f"{what} {dim!r} is too large: at most {MAX_COPY_DIM} (2**32); no array it "
            f"could join has an axis that long"
        )
    return int(dim)


def _check_position(position: Any, name: str) -> tuple[float, float]:
    try:
        x, y = (float(v) for v in position)
    except (TypeError, ValueError):
        raise DiagramError(
            f"tensor {name!r}: position must be two numbers (x, y), got {position!r}"
        ) from None
    if not (math.isfinite(x) and math.isfinite(y)):
        raise DiagramError(f"tensor {name!r}: position must be finite, got {position!r}")
    return (x, y)


def _split_leg(ref: str | tuple[str, str]) -> tuple[str, str]:
    if isinstance(ref, tuple) and len(ref) == 2:
        return ref[0], ref[1]
    if not isinstance(ref, str) or ref.count(":") != 1:
        raise DiagramError(f"a leg is written 'TENSOR:LEG' (for example 'A:i'), got {ref!r}")
    tensor, leg = ref.split(":")
    return tensor, leg


# --------------------------------------------------------------------------------------
# The diagram
# --------------------------------------------------------------------------------------


class Diagram:
    """A tensor diagram: named tensors backed by numpy arrays, joined by wires.

    Legs that share an index label are joined; the labels in :attr:`output` are the
    result's legs, in order; all other labels are summed over (contracted).

    >>> import numpy as np
    >>> A, B = np.arange(6.0).reshape(2, 3), np.ones((3, 4))
    >>> d = Diagram.from_einsum("ij,jk->ik", A, B, names=["A", "B"])
    >>> d.contract().shape
    (2, 4)
    >>> d.wires()
    [('A:j', 'B:j')]
    >>> d.cut("A:j", "B:j").output
    ['i', 'k', 'j2', 'j']
    >>> d.contract().shape
    (2, 4, 3, 3)
    """

    def __init__(self) -> None:
        self._tensors: dict[str, Tensor] = {}
        self._output: list[str] = []
        self._version = 0
        self._structure = next(_STAMPS)
        self._listeners: list[Callable[[Diagram, str], None]] = []
        self._layout_frozen = 0
        self._layout_pending = False

    # ---- construction ------------------------------------------------------------

    @classmethod
    def from_einsum(
        cls,
        expr: str | Any,
        *arrays: Any,
        names: Sequence[str] | None = None,
        layout: bool = True,
    ) -> Diagram:
        """Build a diagram from an einsum expression and its arrays.

        Legs are named by their einsum letters (a letter repeated on one tensor, a trace,
        gets primes: ``i``, ``i'``); tensors are named ``names`` or ``T0, T1, ...``.
        ``d.contract()`` equals ``numpy.einsum(expr, *arrays)`` in value and dtype, and
        :meth:`to_einsum` gives the expression back.

        Supported, as numpy and opt_einsum read einsum:

        - letters ``a-z``, ``A-Z``; past 52 indices, opt_einsum's symbols
          (``opt_einsum.get_symbol(k)``, ``chr(192)`` on), which :meth:`to_einsum` also
          writes (numpy cannot run those: use ``opt_einsum.contract``);
        - the implicit output (no ``->``): letters used once, sorted, after ``...``;
        - an ellipsis ``...`` per term, expanded into legs named ``...0``, ``...1``, ...
          from the arrays' shapes (a shorter ellipsis lines up on the right, as numpy
          broadcasts); :meth:`to_einsum` writes ``...`` again while the legs line up;
        - broadcasting of size-1 dimensions as numpy does (``"ij,jk"`` with ``j`` of
          size 1 on one side and 3 on the other): the size-1 array is broadcast
          (``numpy.broadcast_to``, no copy) to the index's size;
        - the interleaved form ``from_einsum(A, [0, 1], B, [1, 2], [0, 2])``: integer
          subscripts (``k`` is ``get_symbol(k)``, 0 is ``a``) and ``Ellipsis``;
        - any numeric dtype (bool, integers, floats, complex); the result has numpy's
          dtype for these arrays, copy tensors included.

        Not supported (a :class:`DiagramError` says so): digits, punctuation or a second
        ``->`` in the expression; an explicit output with ``...`` missing while the inputs
        have ellipsis legs is summed over them, as opt_einsum does (numpy refuses it);
        object and string arrays; keyword arguments of ``numpy.einsum`` (``out``,
        ``dtype``, ``casting``, ``optimize``: use :meth:`contract`'s ``optimize``).

        >>> import numpy as np
        >>> d = Diagram.from_einsum("ii->", np.eye(3))
        >>> d.tensor("T0").legs, float(d.contract())
        (['i', "i'"], 3.0)
        >>> b = Diagram.from_einsum("...ij,...jk", np.ones((5, 2, 3)), np.ones((3, 4)))
        >>> b.tensor("T0").legs, b.shape, b.to_einsum()
        (['...0', 'i', 'j'], (5, 2, 4), '...ij,jk->...ik')
        >>> Diagram.from_einsum(np.ones((2, 3)), [0, 1], np.ones((3, 4)), [1, 2], [0, 2]).to_einsum()
        'ab,bc->ac'
        """
        if not isinstance(expr, str):
            if not arrays:
                raise DiagramError(
                    f"an einsum expression must be a string (or the interleaved form "
                    f"A, [0, 1], B, [1, 2], [0, 2]), got {expr!r:.80}"
                )
            expr, arrays_list = interleaved_to_einsum((expr, *arrays))
            arrays = tuple(arrays_list)
        terms, out_text = split_einsum(expr)
        if len(terms) != len(arrays):
            raise DiagramError(
                f"einsum {expr!r} has {len(terms)} term(s) {list(terms)} but "
                f"{len(arrays)} array(s) were given"
            )
        if names is None:
            names = [f"T{k}" for k in range(len(terms))]
        else:
            names = list(names)
            if len(names) != len(terms):
                raise DiagramError(
                    f"einsum {expr!r} has {len(terms)} term(s) but {len(names)} name(s) "
                    f"were given: {names}"
                )
            if len(set(names)) != len(names):
                dup = sorted({n for n in names if names.count(n) > 1})
                raise DiagramError(f"tensor names must be unique; repeated: {dup} in {names}")
        values = []
        for k, (term, value, name) in enumerate(zip(terms, arrays, names, strict=True)):
            _check_name(name, "a tensor name")
            arr = _as_array(value, f"einsum {expr!r}, tensor {name!r} (term {k}, {term!r})")
            n_letters = len(term.replace("...", ""))
            if arr.ndim != n_letters and not ("..." in term and arr.ndim > n_letters):
                more = " or more" if "..." in term else ""
                raise DiagramError(
                    f"einsum {expr!r}: tensor {name!r} (term {k}, {term!r}) has "
                    f"{n_letters}{more} leg(s) but its array has {arr.ndim} axes, "
                    f"shape {arr.shape}"
                )
            values.append(arr)
        inputs, out = expand_einsum(terms, out_text, [a.ndim for a in values])
        # Each index's dimension; size 1 broadcasts against any other size, as in numpy.
        sizes: dict[str, tuple[int, str]] = {}
        for term, arr, name in zip(inputs, values, names, strict=True):
            seen: dict[str, int] = {}
            for letter, dim in zip(term, arr.shape, strict=True):
                if seen.setdefault(letter, dim) != dim:
                    raise DiagramError(
                        f"einsum {expr!r}: leg {letter!r} is repeated on tensor {name!r} "
                        f"with dimensions {seen[letter]} and {dim} (shape {arr.shape}); a "
                        f"trace or diagonal needs equal dimensions"
                    )
                if letter in sizes and dim != 1 and sizes[letter][0] not in (1, dim):
                    other_dim, other = sizes[letter]
                    raise DiagramError(
                        f"einsum {expr!r}: leg {letter!r} has dimension {dim} on tensor "
                        f"{name!r} but {other_dim} on tensor {other!r}"
                    )
                if letter not in sizes or sizes[letter][0] == 1:
                    sizes[letter] = (int(dim), name)
        for letter in out:
            if letter not in sizes:
                raise DiagramError(
                    f"einsum {expr!r}: output leg {letter!r} is on no tensor "
                    f"(the inputs have {sorted(sizes)})"
                )
        if len(set(out)) != len(out):
            rep = sorted({c for c in out if out.count(c) > 1})
            raise DiagramError(f"einsum {expr!r}: output leg(s) {rep} repeated in {out_text!r}")
        d = cls()
        for term, arr, name in zip(inputs, values, names, strict=True):
            full = tuple(sizes[letter][0] for letter in term)
            if full != arr.shape:
                arr = np.broadcast_to(arr, full)
            legs: list[str] = []
            for letter in term:
                leg = letter
                while leg in legs:
                    leg += "'"
                legs.append(leg)
            d._tensors[name] = Tensor(
                name, legs, list(term), [int(s) for s in full], (0.0, 0.0), "tensor", arr, d
            )
        d._output = list(out)
        d._layout_pending = layout
        return d

    @classmethod
    def from_arrays(cls, arrays: dict[str, Any], *, layout: bool = True) -> Diagram:
        """A diagram of unconnected tensors (their outer product), legs named i, j, k, ...

        >>> import numpy as np
        >>> Diagram.from_arrays({"u": np.ones(2), "v": np.ones(3)}).contract().shape
        (2, 3)
        """
        d = cls()
        with d._batch():
            for name, value in arrays.items():
                d.add_tensor(name, value)
        d._layout_pending = layout
        return d

    def copy(self) -> Diagram:
        """An independent copy (arrays are shared, structure and layout are not)."""
        d = Diagram()
        d._tensors = {n: t._copy(d) for n, t in self._tensors.items()}
        d._output = list(self._output)
        d._layout_pending = self._layout_pending
        return d

    def restore(self, other: Diagram) -> Diagram:
        """Make this diagram a copy of ``other``, in place (for undo, reset and reloads).

        Tensors, output and layout are replaced by a copy of ``other``'s (arrays are
        shared, as with :meth:`copy`); the object and its observers stay. Observers hear
        one change, ``"restore"``. Returns ``self``.

        Examples
        --------
        >>> import numpy as np
        >>> d = Diagram.from_einsum("ij,jk->ik", np.ones((2, 3)), np.ones((3, 4)))
        >>> before = d.copy()
        >>> heard = []
        >>> d.observe(lambda diagram, what: heard.append(what))
        >>> _ = d.remove_tensor("T1")
        >>> d.restore(before).names, heard
        (['T0', 'T1'], ['remove_tensor', 'restore'])
        >>> d.contract().shape
        (2, 4)
        """
        if not isinstance(other, Diagram):
            raise DiagramError(f"restore() needs a Diagram, got {type(other).__name__}: {other!r}")
        self._tensors = {n: t._copy(self) for n, t in other._tensors.items()}
        self._output = list(other._output)
        self._layout_pending = other._layout_pending
        self._changed("restore")
        return self

    # ---- reading -----------------------------------------------------------------

    @property
    def names(self) -> list[str]:
        """Tensor names, in the diagram's order (the order of :meth:`to_einsum`)."""
        return list(self._tensors)

    @property
    def output(self) -> list[str]:
        """The result's legs (index labels), in order."""
        return list(self._output)

    @property
    def version(self) -> int:
        """A counter bumped by every edit."""
        return self._version

    @property
    def structure_version(self) -> int:
        """A stamp that changes whenever an edit may change the diagram's value (not on
        moves); unique across diagrams, so caches can key on ``(diagram, stamp)``."""
        return self._structure

    def __contains__(self, name: object) -> bool:
        return name in self._tensors

    def __iter__(self) -> Iterator[Tensor]:
        return iter(self._tensors.values())

    def _settle_layout(self) -> None:
        """Lay the diagram out if it is pending: pictures and edits pay for layout, reading
        and computing never do (a tensor's ``position`` calls this on first read)."""
        if self._layout_pending:
            self._layout_pending = False
            from ._layout import layout

            for name, (x, y) in layout(self).items():
                self._tensors[name]._position = (float(x), float(y))

    def __len__(self) -> int:
        return len(self._tensors)

    def __getitem__(self, name: str) -> np.ndarray:
        """The array of tensor ``name``."""
        return self.tensor(name).array

    def tensor(self, name: str) -> Tensor:
        """The :class:`Tensor` called ``name``."""
        try:
            return self._tensors[name]
        except (KeyError, TypeError):
            raise DiagramError(f"no tensor named {name!r}; the diagram has {self.names}") from None

    def leg(self, ref: str | tuple[str, str]) -> tuple[Tensor, int]:
        """The tensor and axis of a leg written ``'TENSOR:LEG'``."""
        tname, leg = _split_leg(ref)
        t = self.tensor(tname)
        return t, t.leg_index(leg)

    def dim(self, ref: str | tuple[str, str]) -> int:
        t, k = self.leg(ref)
        return t.dims[k]

    def label_of(self, ref: str | tuple[str, str]) -> str:
        t, k = self.leg(ref)
        return t.labels[k]

    def legs_of_label(self, label: str) -> list[str]:
        """Every leg (``'TENSOR:LEG'``) that carries ``label``."""
        return [
            f"{t.name}:{leg}"
            for t in self._tensors.values()
            for leg, lab in zip(t.legs, t.labels, strict=True)
            if lab == label
        ]

    def labels(self) -> dict[str, int]:
        """Every index label with its dimension."""
        out: dict[str, int] = {}
        for t in self._tensors.values():
            for lab, dim in zip(t.labels, t.dims, strict=True):
                out.setdefault(lab, dim)
        return out

    def wires(self) -> list[tuple[str, ...]]:
        """Groups of joined legs: pairs for wires, longer tuples for hyperedges.

        Only labels that join two or more legs are listed; a label shared by a leg and the
        output is an open leg, not a wire.
        """
        groups: dict[str, list[str]] = {}
        for t in self._tensors.values():
            for leg, lab in zip(t.legs, t.labels, strict=True):
                groups.setdefault(lab, []).append(f"{t.name}:{leg}")
        return [tuple(g) for g in groups.values() if len(g) >= 2]

    def open_legs(self) -> list[str]:
        """Legs (``'TENSOR:LEG'``) whose label is in the output, in output order."""
        return [ref for lab in self._output for ref in self.legs_of_label(lab)]

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of the result."""
        sizes = self.labels()
        return tuple(sizes[lab] for lab in self._output)

    def __repr__(self) -> str:
        inner = ", ".join(f"{t.name}{list(t.legs)}" for t in self._tensors.values())
        return f"Diagram({inner} -> {self._output})"

    # ---- change notification -------------------------------------------------------

    def observe(self, callback: Callable[[Diagram, str], None]) -> None:
        """Call ``callback(diagram, what)`` after every edit (``what`` names the edit)."""
        if callback not in self._listeners:
            self._listeners.append(callback)

    def unobserve(self, callback: Callable[[Diagram, str], None]) -> None:
        if callback in self._listeners:
            self._listeners.remove(callback)

    def _changed(self, what: str, *, structure: bool = True) -> None:
        self._version += 1
        if structure:
            self._structure = next(_STAMPS)
        if self._layout_frozen:
            return
        for cb in list(self._listeners):
            cb(self, what)

    class _BatchCtx:
        def __init__(self, d: Diagram) -> None:
            self.d = d
            self.before: tuple[dict[str, Tensor], list[str], bool] | None = None

        def __enter__(self) -> Diagram:
            d = self.d
            tensors = {n: t._copy(d) for n, t in d._tensors.items()}
            self.before = (tensors, list(d._output), d._layout_pending)
            d._layout_frozen += 1
            return d

        def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
            d = self.d
            d._layout_frozen -= 1
            assert self.before is not None
            if exc_type is not None:
                d._tensors, d._output, d._layout_pending = self.before
                d._structure = next(_STAMPS)
                return
            if not d._layout_frozen:
                d._changed("batch")

    def _batch(self) -> Diagram._BatchCtx:
        return Diagram._BatchCtx(self)

    def edits(self) -> Diagram._BatchCtx:
        """Group several edits into one: all or nothing, one change notification.

        >>> import numpy as np
        >>> d = Diagram.from_arrays({"A": np.ones((2, 2))})
        >>> try:
        ...     with d.edits():
        ...         _ = d.rename_tensor("A", "B")
        ...         _ = d.connect("B:i", "B:nope")
        ... except DiagramError:
        ...     pass
        >>> d.names
        ['A']
        """
        return self._batch()

    # ---- editing -------------------------------------------------------------------

    def _fresh_label(self, base: str) -> str:
        used = set(self.labels()) | set(self._output)
        if base not in used:
            return base
        k = 2
        while f"{base}{k}" in used:
            k += 1
        return f"{base}{k}"

    def _default_position(self) -> tuple[float, float]:
        if not self._tensors:
            return (0.0, 0.0)
        xs = [t.position[0] for t in self._tensors.values()]
        ys = [t.position[1] for t in self._tensors.values()]
        return (max(xs) + _SPACING, float(np.mean(ys)))

    def add_tensor(
        self,
        name: str,
        array: Any,
        legs: Sequence[str] | None = None,
        position: tuple[float, float] | None = None,
        indices: Sequence[str] | None = None,
    ) -> Diagram:
        """Add a tensor with all its legs open (appended to the output).

        With ``indices``, each leg gets that index label instead: a label the diagram
        already has joins the new leg to the legs carrying it (and is summed over, as
        :meth:`connect` does); a new label is an open leg.

        >>> import numpy as np
        >>> d = Diagram().add_tensor("v", np.ones(3), legs=["i"])
        >>> d.output, d.shape
        (['i'], (3,))
        """
        _check_name(name, "a tensor name")
        if name in self._tensors:
            raise DiagramError(
                f"a tensor named {name!r} already exists; the diagram has {self.names}"
            )
        arr = _as_array(array, f"tensor {name!r}")
        legs = self._check_legs(name, legs, arr.ndim, arr.shape)
        dims = [int(s) for s in arr.shape]
        self._check_indices(name, legs, dims, indices)
        self._insert(name, legs, dims, position, "tensor", arr, indices)
        self._changed("add_tensor")
        return self

    def add_copy(
        self,
        name: str,
        dim: int,
        n_legs: int = 3,
        legs: Sequence[str] | None = None,
        position: tuple[float, float] | None = None,
        indices: Sequence[str] | None = None,
    ) -> Diagram:
        """Add a copy (delta) tensor: ``n_legs`` legs of dimension ``dim``, all open.

        >>> d = Diagram().add_copy("c", 3, n_legs=2)
        >>> d.contract().tolist() == [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
        True
        """
        _check_name(name, "a tensor name")
        if name in self._tensors:
            raise DiagramError(
                f"a tensor named {name!r} already exists; the diagram has {self.names}"
            )
        _check_copy_dim(dim, f"copy tensor {name!r}: dimension")
        if (
            not isinstance(n_legs, (int, np.integer))
            or isinstance(n_legs, bool)
            or not 1 <= n_legs <= 64
        ):
            raise DiagramError(
                f"copy tensor {name!r}: n_legs must be an integer from 1 to 64, got {n_legs!r}"
            )
        legs = self._check_legs(name, legs, int(n_legs), (int(dim),) * int(n_legs))
        dims = [int(dim)] * int(n_legs)
        self._check_indices(name, legs, dims, indices)
        self._insert(name, legs, dims, position, "copy", None, indices)
        self._changed("add_copy")
        return self

    def _check_legs(
        self, name: str, legs: Sequence[str] | None, ndim: int, shape: tuple[int, ...]
    ) -> list[str]:
        if legs is None:
            pool = _LEG_NAMES if ndim <= len(_LEG_NAMES) else None
            return [pool[k] if pool else f"l{k}" for k in range(ndim)]
        legs = list(legs)
        if len(legs) != ndim:
            raise DiagramError(
                f"tensor {name!r}: {len(legs)} leg name(s) {legs} for an array with "
                f"{ndim} axes, shape {tuple(shape)}"
            )
        for leg in legs:
            _check_name(leg, f"tensor {name!r}: a leg name")
        if len(set(legs)) != len(legs):
            rep = sorted({x for x in legs if legs.count(x) > 1})
            raise DiagramError(
                f"tensor {name!r}: leg names must be unique, repeated {rep} in {legs}"
            )
        return legs

    def _check_indices(
        self, name: str, legs: list[str], dims: list[int], indices: Sequence[str] | None
    ) -> None:
        if indices is None:
            return
        indices = list(indices)
        if len(indices) != len(legs):
            raise DiagramError(
                f"tensor {name!r}: {len(indices)} index label(s) {indices} for {len(legs)} leg(s) {legs}"
            )
        known = self.labels()
        seen: dict[str, int] = {}
        for leg, lab, dim in zip(legs, indices, dims, strict=True):
            _check_name(lab, f"tensor {name!r}, leg {leg!r}: an index label")
            want = known.get(lab, seen.get(lab))
            if want is not None and want != dim:
                raise DiagramError(
                    f"tensor {name!r}: leg {leg!r} has dimension {dim} but index {lab!r} "
                    f"has dimension {want} ({self.legs_of_label(lab) or [name]})"
                )
            seen[lab] = dim

    def _insert(
        self,
        name: str,
        legs: list[str],
        dims: list[int],
        position: tuple[float, float] | None,
        kind: TensorKind,
        arr: np.ndarray | None,
        indices: Sequence[str] | None = None,
    ) -> None:
        checked = None if position is None else _check_position(position, name)
        self._settle_layout()
        labels: list[str] = []
        if indices is not None:
            known = set(self.labels())
            labels = list(indices)
            for lab in dict.fromkeys(labels):
                if lab in known or labels.count(lab) > 1:
                    if lab in self._output:
                        self._output.remove(lab)
                else:
                    self._output.append(lab)
        for leg in legs if indices is None else ():
            lab = self._fresh_label(leg)
            labels.append(lab)
            self._output.append(lab)
        pos = self._default_position() if checked is None else checked
        self._tensors[name] = Tensor(name, legs, labels, dims, pos, kind, arr, self)

    def remove_tensor(self, name: str) -> Diagram:
        """Remove a tensor; legs it was joined to become open."""
        t = self.tensor(name)
        self._settle_layout()
        del self._tensors[name]
        for lab in dict.fromkeys(t.labels):
            self._relabel_after_detach(lab)
        self._changed("remove_tensor")
        return self

    def _relabel_after_detach(self, lab: str) -> None:
        remaining = self.legs_of_label(lab)
        if not remaining:
            if lab in self._output:
                self._output.remove(lab)
        elif len(remaining) == 1 and lab not in self._output:
            self._output.append(lab)

    def connect(self, a: str | tuple[str, str], b: str | tuple[str, str]) -> Diagram:
        """Join two legs with a wire; the joined index is summed over (contracted).

        Both legs must have the same dimension. Joining a leg that is already on a wire
        makes a hyperedge (a copy tensor).

        >>> import numpy as np
        >>> d = Diagram.from_arrays({"u": np.ones(3), "v": np.ones(3)})
        >>> float(d.connect("u:i", "v:i").contract())
        3.0
        """
        ta, ka = self.leg(a)
        tb, kb = self.leg(b)
        ra, rb = f"{ta.name}:{ta.legs[ka]}", f"{tb.name}:{tb.legs[kb]}"
        if ra == rb:
            raise DiagramError(f"cannot join leg {ra!r} to itself")
        if ta.dims[ka] != tb.dims[kb]:
            raise DiagramError(
                f"cannot join {ra!r} (dimension {ta.dims[ka]}) to {rb!r} "
                f"(dimension {tb.dims[kb]}): dimensions differ"
            )
        la, lb = ta.labels[ka], tb.labels[kb]
        if la == lb:
            raise DiagramError(f"legs {ra!r} and {rb!r} are already joined (index {la!r})")
        names = (ta.legs[ka], tb.legs[kb])
        if la not in names and lb in names:
            # keep the plainer index: re-joining a cut wire j gives back j, not j2
            la, lb = lb, la
        self._settle_layout()
        for t in self._tensors.values():
            t.labels = [la if lab == lb else lab for lab in t.labels]
        self._output = [lab for lab in self._output if lab not in (la, lb)]
        self._changed("connect")
        return self

    def cut(self, a: str | tuple[str, str], b: str | tuple[str, str] | None = None) -> Diagram:
        """Cut leg ``a`` off its wire; both loose ends become open legs.

        With ``b``, the two legs must be joined to each other.
        """
        ta, ka = self.leg(a)
        ra = f"{ta.name}:{ta.legs[ka]}"
        lab = ta.labels[ka]
        others = [r for r in self.legs_of_label(lab) if r != ra]
        if b is not None:
            tb, kb = self.leg(b)
            rb = f"{tb.name}:{tb.legs[kb]}"
            if rb not in others:
                raise DiagramError(f"there is no wire between {ra!r} and {rb!r}")
        if not others:
            raise DiagramError(f"leg {ra!r} is not joined to anything; there is no wire to cut")
        new = self._fresh_label(lab)
        self._settle_layout()
        ta.labels[ka] = new
        self._output.append(new)
        self._relabel_after_detach(lab)
        self._changed("cut")
        return self

    def rename_tensor(self, old: str, new: str) -> Diagram:
        t = self.tensor(old)
        _check_name(new, "a tensor name")
        if new == old:
            return self
        if new in self._tensors:
            raise DiagramError(f"cannot rename {old!r} to {new!r}: a tensor named {new!r} exists")
        self._settle_layout()
        self._tensors = {(new if n == old else n): v for n, v in self._tensors.items()}
        t.name = new
        self._changed("rename_tensor")
        return self

    def rename_leg(self, ref: str | tuple[str, str], new: str) -> Diagram:
        """Rename a leg. An open leg's result index is renamed with it when free."""
        t, k = self.leg(ref)
        _check_name(new, f"tensor {t.name!r}: a leg name")
        old = t.legs[k]
        if new == old:
            return self
        if new in t.legs:
            raise DiagramError(f"tensor {t.name!r} already has a leg named {new!r}: {t.legs}")
        self._settle_layout()
        t.legs[k] = new
        lab = t.labels[k]
        if (
            lab in self._output
            and len(self.legs_of_label(lab)) == 1
            and new not in self.labels()
            and new not in self._output
        ):
            t.labels[k] = new
            self._output[self._output.index(lab)] = new
        self._changed("rename_leg")
        return self

    def rename_index(self, old: str, new: str) -> Diagram:
        """Rename an index label everywhere (legs keep their names)."""
        if old not in self.labels():
            raise DiagramError(f"no index {old!r}; the indices are {sorted(self.labels())}")
        _check_name(new, "an index name")
        if new != old and new in self.labels():
            raise DiagramError(f"cannot rename index {old!r} to {new!r}: {new!r} is in use")
        for t in self._tensors.values():
            t.labels = [new if lab == old else lab for lab in t.labels]
        self._output = [new if lab == old else lab for lab in self._output]
        self._changed("rename_index")
        return self

    def set_array(self, name: str, array: Any) -> Diagram:
        """Replace a tensor's array. Same number of axes; joined legs keep their dimensions."""
        t = self.tensor(name)
        if t.kind == "copy":
            raise DiagramError(f"tensor {name!r} is a copy tensor; its values are fixed")
        arr = _as_array(array, f"tensor {name!r}")
        if arr.ndim != t.order:
            raise DiagramError(
                f"tensor {name!r} has {t.order} leg(s) {t.legs} but the new array has "
                f"{arr.ndim} axes, shape {arr.shape}"
            )
        for k, (leg, lab, dim) in enumerate(zip(t.legs, t.labels, arr.shape, strict=True)):
            for ref in self.legs_of_label(lab):
                if ref == f"{name}:{leg}":
                    continue
                other = self.dim(ref)
                if other != dim:
                    raise DiagramError(
                        f"tensor {name!r}: new array has dimension {dim} on leg {leg!r} "
                        f"(axis {k}), but it is joined to {ref!r} of dimension {other}"
                    )
        self._settle_layout()
        t._array = arr
        t.dims = [int(s) for s in arr.shape]
        self._changed("set_array", structure=True)
        return self

    def move(self, name: str, x: float, y: float) -> Diagram:
        """Move a tensor in the picture (layout only; the value does not change)."""
        t = self.tensor(name)
        if not (math.isfinite(x) and math.isfinite(y)):
            raise DiagramError(f"tensor {name!r}: position must be finite, got ({x!r}, {y!r})")
        self._settle_layout()
        t._position = (float(x), float(y))
        self._changed("move", structure=False)
        return self

    def set_output(self, labels: Sequence[str]) -> Diagram:
        """Choose the result's legs and their order (any other index is summed over).

        >>> import numpy as np
        >>> d = Diagram.from_einsum("ij->ij", np.ones((2, 3)))
        >>> d.set_output(["j", "i"]).shape
        (3, 2)
        """
        labels = list(labels)
        known = self.labels()
        for lab in labels:
            if lab not in known:
                raise DiagramError(
                    f"output leg {lab!r} is on no tensor; the indices are {sorted(known)}"
                )
        if len(set(labels)) != len(labels):
            rep = sorted({x for x in labels if labels.count(x) > 1})
            raise DiagramError(f"output leg(s) {rep} repeated in {labels}")
        self._output = labels
        self._changed("set_output")
        return self

    def auto_layout(self) -> Diagram:
        """Place the tensors automatically (see :func:`tensorlessons._layout.layout`)."""
        from ._layout import layout

        self._layout_pending = False
        positions = layout(self)
        for name, (x, y) in positions.items():
            self._tensors[name]._position = (float(x), float(y))
        self._changed("layout", structure=False)
        return self

    # ---- contraction ---------------------------------------------------------------

    def contract(self, optimize: Optimize = "auto") -> np.ndarray:
        """The tensor the diagram denotes: a numpy array, legs in :attr:`output` order.

        The contraction path is found by opt_einsum once per structure and shapes and
        cached, so contracting the same diagram again costs only the arithmetic.

        >>> import numpy as np
        >>> d = Diagram.from_einsum("i,i->", np.arange(3.0), np.ones(3))
        >>> float(d.contract())
        3.0
        """
        return contraction.contract(self, optimize)

    def cost(self, optimize: Optimize = "auto") -> ContractionCost:
        """FLOPs, largest intermediate and contraction order, as opt_einsum computes them.

        >>> import numpy as np
        >>> A, B, v = np.ones((100, 100)), np.ones((100, 100)), np.ones(100)
        >>> best = Diagram.from_einsum("ij,jk,k->i", A, B, v).cost(optimize="optimal")
        >>> best.flops, best.steps
        (40000, ('T1 · T2', 'T0 · (T1·T2)'))
        """
        return contraction.cost(self, optimize)

    def contract_path(self, path: Sequence[Sequence[int]]) -> np.ndarray:
        """Contract in a given pairwise order (positions as in :meth:`operands`)."""
        plan = contraction.plan(self)
        return opt_einsum.contract(plan.eq, *plan.operands, optimize=[tuple(p) for p in path])

    def operands(self) -> list[np.ndarray]:
        """The arrays :meth:`to_einsum` refers to, in its order (copy tensors included)."""
        return [t.array for t in self._tensors.values()]

    # ---- einsum, JSON ----------------------------------------------------------------

    def to_einsum(self) -> str:
        """An einsum string equivalent to the diagram, one term per tensor in order.

        ``numpy.einsum(d.to_einsum(), *d.operands())`` equals ``d.contract()`` in value
        and dtype. Copy tensors are terms of their own (their arrays are the delta
        tensors, in the diagram's dtype). Single-letter index labels are kept, others get
        opt_einsum's symbols; past 52 indices these are non-ASCII (``opt_einsum.get_symbol``),
        which :meth:`from_einsum` and ``opt_einsum.contract`` read but numpy cannot. Legs
        that came from an ellipsis are written ``...`` while they still line up.

        >>> import numpy as np
        >>> Diagram.from_einsum("ij,jk->ki", np.ones((2, 3)), np.ones((3, 4))).to_einsum()
        'ij,jk->ki'
        """
        tensors = self._tensors.values()
        return format_einsum([t.labels for t in tensors], self._output)

    def to_dict(self, arrays: bool = True) -> dict[str, Any]:
        """Structure, layout and (optionally) numbers as plain JSON-ready data.

        A diagram not laid out yet is not laid out for this: its tensors' positions are
        ``None``, and :meth:`from_dict` gives back a diagram that lays itself out the
        same way when first drawn. Arrays are base64 of their bytes (C order; the
        padding bytes of 80-bit long doubles zeroed, so equal diagrams give equal data).
        """
        pending = self._layout_pending
        tensors = []
        for t in self._tensors.values():
            item: dict[str, Any] = {
                "name": t.name,
                "kind": t.kind,
                "legs": [
                    {"name": leg, "index": lab, "dim": dim}
                    for leg, lab, dim in zip(t.legs, t.labels, t.dims, strict=True)
                ],
                "position": None if pending else [t._position[0], t._position[1]],
            }
            if t.kind == "tensor" and arrays:
                assert t._array is not None
                arr = t._array
                item["array"] = {
                    "dtype": arr.dtype.str,
                    "shape": list(arr.shape),
                    "data": base64.b64encode(_array_bytes(arr)).decode("ascii"),
                }
            tensors.append(item)
        return {
            "format": _JSON_FORMAT,
            "version": _JSON_VERSION,
            "tensors": tensors,
            "output": list(self._output),
        }

    def to_json(self, indent: int | None = None) -> str:
        """Structure, layout and numbers as strict JSON (no NaN or Infinity);
        :meth:`from_json` restores it exactly.

        >>> import numpy as np
        >>> d = Diagram.from_einsum("i->i", np.arange(2.0), layout=False)
        >>> Diagram.from_json(d.to_json()).to_json() == d.to_json()
        True
        """
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)

    @classmethod
    def from_dict(cls, data: Any) -> Diagram:
        """Rebuild a diagram from :meth:`to_dict`'s data, every field checked first: a
        :class:`DiagramError` names the offending field (``tensors[1].legs[0].dim``).

        >>> Diagram.from_dict({"format": "tensorlessons.diagram", "version": 1,
        ...     "tensors": [{"name": "c", "kind": "copy", "position": None,
        ...                  "legs": [{"name": "i", "index": "i", "dim": -3}]}],
        ...     "output": ["i"]})
        Traceback (most recent call last):
        ...
        tensorlessons._errors.DiagramError: not a tensorlessons diagram: tensors[0].legs[0].dim: copy tensor 'c': dimension must be a positive integer, got -3
        """
        d = cls()
        pending = _read_dict(d, data)
        sizes: dict[str, tuple[int, str]] = {}
        for t in d._tensors.values():
            for leg, lab, dim in zip(t.legs, t.labels, t.dims, strict=True):
                if lab in sizes and sizes[lab][0] != dim:
                    raise DiagramError(
                        f"not a consistent diagram: index {lab!r} has dimension {dim} on "
                        f"{t.name}:{leg} but {sizes[lab][0]} on {sizes[lab][1]}"
                    )
                sizes.setdefault(lab, (dim, f"{t.name}:{leg}"))
        try:
            d.set_output(data["output"])
        except DiagramError as exc:
            raise DiagramError(f"not a tensorlessons diagram: output: {exc}") from None
        d._layout_pending = pending
        d._version = 0
        return d

    @classmethod
    def from_json(cls, text: str) -> Diagram:
        """Rebuild a diagram written by :meth:`to_json` (structure, layout, numbers).

        Strict JSON only (``NaN`` and ``Infinity`` are refused); see :meth:`from_dict`.
        """
        try:
            data = json.loads(text, parse_constant=_no_constant)
        except (TypeError, ValueError) as exc:
            snippet = repr(text[:60]) if isinstance(text, str) else repr(text)
            raise DiagramError(
                f"not a tensorlessons diagram: invalid JSON {snippet}: {exc}"
            ) from None
        return cls.from_dict(data)

    # ---- pictures ----------------------------------------------------------------------

    def to_svg(self, **style: Any) -> str:
        """A standalone SVG picture of the diagram (names are escaped text)."""
        from ._render import to_svg

        return to_svg(self, **style)

    def to_tikz(self) -> str:
        """TikZ code for the picture, for slides and papers (no LaTeX needed to make it)."""
        from ._render import to_tikz

        return to_tikz(self)

    def to_code(self) -> str:
        """Python code that rebuilds this diagram (arrays written out in full)."""
        from ._render import to_code

        return to_code(self)

    def _repr_svg_(self) -> str:
        return self.to_svg()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {"image/svg+xml": self.to_svg(), "text/plain": repr(self)}


# --------------------------------------------------------------------------------------
# JSON: every field checked at the door
# --------------------------------------------------------------------------------------


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON (strict JSON has no NaN or Infinity)")


def _array_bytes(arr: np.ndarray) -> bytes:
    """The array's bytes in C order, padding of 80-bit long doubles zeroed (numpy leaves
    it uninitialised, so equal arrays would give different bytes)."""
    raw = np.ascontiguousarray(arr)
    dt = raw.dtype
    part = dt.itemsize // (2 if dt.kind == "c" else 1)
    if dt.kind in "fc" and part > 10 and raw.size and dt.byteorder in "=<|":
        if np.finfo(dt).nmant == 63:  # x87 extended precision: 10 bytes used of ``part``
            u = raw.reshape(-1).view(np.uint8).reshape(raw.size, dt.itemsize).copy()
            for start in range(0, dt.itemsize, part):
                u[:, start + 10 : start + part] = 0
            return u.tobytes()
    return raw.tobytes()


class _Bad(Exception):
    def __init__(self, where: str, msg: str) -> None:
        super().__init__(f"{where}: {msg}")


def _fields(
    obj: Any, where: str, required: set[str], optional: frozenset[str] | set[str] = frozenset()
) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise _Bad(where, f"expected an object, got {type(obj).__name__} {obj!r:.60}")
    missing = sorted(required - set(obj))
    if missing:
        raise _Bad(where, f"missing field(s) {missing}")
    unknown = sorted(set(obj) - required - set(optional))
    if unknown:
        raise _Bad(where, f"unknown field(s) {unknown}")
    return obj


def _int(value: Any, where: str, lo: int, hi: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < lo:
        raise _Bad(where, f"must be an integer >= {lo}, got {value!r}")
    if hi is not None and value > hi:
        raise _Bad(where, f"{value!r} is too large (at most {hi})")
    return value


def _text(value: Any, where: str, what: str) -> str:
    try:
        return _check_name(value, what)
    except DiagramError as exc:
        raise _Bad(where, str(exc)) from None


def _read_array(a: Any, where: str, dims: list[int], name: str) -> np.ndarray:
    _fields(a, where, {"dtype", "shape", "data"})
    if not isinstance(a["dtype"], str):
        raise _Bad(f"{where}.dtype", f"must be a numpy dtype string, got {a['dtype']!r}")
    try:
        dtype = np.dtype(a["dtype"])
    except TypeError:
        raise _Bad(f"{where}.dtype", f"{a['dtype']!r} is not a numpy dtype") from None
    if dtype.kind not in "biufc" or dtype.hasobject or dtype.fields:
        raise _Bad(
            f"{where}.dtype", f"{a['dtype']!r} is not a numeric dtype (bool, int, float, complex)"
        )
    shape = a["shape"]
    if not isinstance(shape, list):
        raise _Bad(f"{where}.shape", f"must be a list, got {shape!r}")
    shape = [_int(n, f"{where}.shape[{k}]", 0) for k, n in enumerate(shape)]
    if shape != dims:
        raise _Bad(f"{where}.shape", f"{shape} differs from tensor {name!r}'s leg dims {dims}")
    if not isinstance(a["data"], str):
        raise _Bad(f"{where}.data", "must be a base64 string")
    try:
        raw = base64.b64decode(a["data"], validate=True)
    except ValueError as exc:
        raise _Bad(f"{where}.data", f"invalid base64 ({exc})") from None
    want = math.prod(shape) * dtype.itemsize
    if len(raw) != want:
        raise _Bad(
            f"{where}.data",
            f"{len(raw)} bytes, expected {want} for {dtype} of shape {tuple(shape)}",
        )
    return np.frombuffer(raw, dtype=dtype).reshape(tuple(shape)).copy()


def _read_dict(d: Diagram, data: Any) -> bool:
    """Fill ``d`` from ``data`` (all fields checked); True when its layout is pending."""
    try:
        _fields(data, "the diagram", {"format", "version", "tensors", "output"})
        if data["format"] != _JSON_FORMAT:
            raise _Bad("format", f"is {data['format']!r}, expected {_JSON_FORMAT!r}")
        if data["version"] != _JSON_VERSION or isinstance(data["version"], bool):
            raise _Bad("version", f"unsupported version {data['version']!r} (expected 1)")
        if not isinstance(data["tensors"], list):
            raise _Bad("tensors", f"must be a list, got {data['tensors']!r:.60}")
        output = data["output"]
        if not isinstance(output, list) or not all(isinstance(x, str) for x in output):
            raise _Bad("output", f"must be a list of index labels, got {output!r:.60}")
        pending = False
        for k, item in enumerate(data["tensors"]):
            at = f"tensors[{k}]"
            _fields(item, at, {"name", "kind", "legs", "position"}, {"array"})
            name = _text(item["name"], f"{at}.name", "a tensor name")
            if name in d._tensors:
                raise _Bad(f"{at}.name", f"tensor name {name!r} repeated")
            kind = item["kind"]
            if kind not in ("tensor", "copy"):
                raise _Bad(f"{at}.kind", f"must be 'tensor' or 'copy', got {kind!r}")
            if not isinstance(item["legs"], list):
                raise _Bad(f"{at}.legs", f"must be a list, got {item['legs']!r:.60}")
            legs, labels, dims = [], [], []
            for j, g in enumerate(item["legs"]):
                lat = f"{at}.legs[{j}]"
                _fields(g, lat, {"name", "index", "dim"})
                legs.append(_text(g["name"], f"{lat}.name", f"tensor {name!r}: a leg name"))
                labels.append(_text(g["index"], f"{lat}.index", f"tensor {name!r}: an index"))
                if kind == "copy":
                    try:
                        dims.append(_check_copy_dim(g["dim"], f"copy tensor {name!r}: dimension"))
                    except DiagramError as exc:
                        raise _Bad(f"{lat}.dim", str(exc)) from None
                else:
                    dims.append(_int(g["dim"], f"{lat}.dim", 0))
            if len(set(legs)) != len(legs):
                raise _Bad(f"{at}.legs", f"tensor {name!r}: leg names repeated in {legs}")
            pos = item["position"]
            if pos is None:
                pending, position = True, (0.0, 0.0)
            elif (
                not isinstance(pos, list)
                or len(pos) != 2
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in pos)
                or not all(math.isfinite(v) for v in pos)
            ):
                raise _Bad(f"{at}.position", f"must be null or two finite numbers, got {pos!r}")
            else:
                position = (float(pos[0]), float(pos[1]))
            arr = None
            if kind == "copy":
                if "array" in item:
                    raise _Bad(f"{at}.array", f"copy tensor {name!r} has no array")
                if len(set(dims)) > 1:
                    raise _Bad(f"{at}.legs", f"copy tensor {name!r} has unequal dimensions {dims}")
                if not dims:
                    raise _Bad(f"{at}.legs", f"copy tensor {name!r} has no legs")
            else:
                if "array" not in item:
                    raise _Bad(
                        f"{at}.array", f"tensor {name!r} has no array (to_dict(arrays=False)?)"
                    )
                arr = _read_array(item["array"], f"{at}.array", dims, name)
            d._tensors[name] = Tensor(name, legs, labels, dims, position, kind, arr, d)
    except _Bad as exc:
        raise DiagramError(f"not a tensorlessons diagram: {exc}") from None
    return pending


# Comparison lives in its own module; re-exported here for ``tensorlessons.diagram`` users.
from .comparison import difference, equivalent  # noqa: E402
