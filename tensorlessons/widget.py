"""The live diagram editor: an anywidget that draws a :class:`Diagram` and edits it.

Python's :class:`Diagram` is the single source of truth. The widget sends its structure
(tensors, legs with dimensions and index labels, output, positions) to the browser in the
``structure`` trait and the picture's shapes in the ``geometry`` trait
(:func:`tensorlessons._render.geometry`, the one geometry engine: ``to_svg`` and
``to_tikz`` draw the same); the browser draws them as SVG (previewing a drag by moving the
dragged tensor's shapes, then taking the exact geometry from here) and sends every edit
back as a custom message, which is applied here through the Diagram's own editing methods. A refused edit
(:class:`DiagramError`) changes nothing and comes back as a message shown in the widget's
``role="alert"`` element. Edits made from Python (``d.add_tensor(...)``, ``d.set_array``,
...) reach the picture through :meth:`Diagram.observe`.

The result panel (einsum string, result legs and shape, cost, values) is computed here;
values cross as binary buffers (``result_data``, ``inspect_data``: little-endian float64),
and a large array is never sent whole, only the window the panel shows (a large result is
not even contracted whole: only the shown window of it is).

Undo and redo live here too (snapshots made with :meth:`Diagram.copy`), for every change of
the diagram, the browser's and Python's. With ``key=...`` every change is saved to an
answer file next to the notebook (:mod:`tensorlessons._persist`), so a learner's drawing
survives reloading the page and re-running the notebook. The optional server extension
:mod:`tensorlessons._server` roughly halves the browser <-> kernel round trip.

>>> import numpy as np
>>> import tensorlessons as tl
>>> d = tl.Diagram.from_einsum("ij,jk->ik", np.ones((2, 3)), np.ones((3, 4)), names=["A", "B"])
>>> w = tl.DiagramWidget(d)
>>> w.diagram is d, w.result["shape"]
(True, [2, 4])
>>> _ = d.cut("A:j", "B:j")          # a Python-side edit redraws the widget
>>> w.result["shape"], w.can_undo
([2, 4, 3, 3], True)
>>> w.undo().result["shape"]
[2, 4]
"""

from __future__ import annotations

import math
import pathlib
import string
from collections.abc import Callable
from typing import Any

import anywidget
import numpy as np
import traitlets

from . import _persist
from ._errors import DiagramError
from ._render import geometry, open_spot
from .contraction import expression
from .diagram import Diagram

__all__ = ["DiagramWidget"]

_STATIC = pathlib.Path(__file__).parent / "static"
#: The largest window of values sent to the browser per side (rows, columns).
WINDOW = 24
#: The largest window of a tensor's values in the inspector (editable cells).
INSPECT_WINDOW = 12
_UNDO_LIMIT = 200
_KINDS = {"vector": 1, "matrix": 2, "3-leg": 3}
_LEG_POOL = "ijklmnop"

EditCallback = Callable[["DiagramWidget", dict[str, Any]], None]


def _structure(d: Diagram) -> dict[str, Any]:
    return {
        "tensors": [
            {
                "name": t.name,
                "kind": t.kind,
                "x": float(t.position[0]),
                "y": float(t.position[1]),
                "legs": [
                    {"name": leg, "index": lab, "dim": int(dim)}
                    for leg, lab, dim in zip(t.legs, t.labels, t.dims, strict=True)
                ],
            }
            for t in d
        ],
        "output": d.output,
    }


def _spec(shape: tuple[int, ...], view: dict[str, Any], cap: int) -> dict[str, Any]:
    """Which window of an array of ``shape`` the view shows (clipped to the array)."""
    nd = len(shape)
    fixed_in = list(view.get("fixed") or [])
    fixed: list[int] = []
    for k in range(max(nd - 2, 0)):
        v = int(fixed_in[k]) if k < len(fixed_in) else 0
        fixed.append(min(max(v, 0), shape[k] - 1))
    rows, cols = (1, shape[0]) if nd == 1 else (shape[-2], shape[-1])
    r0 = min(max(int(view.get("row0", 0) or 0), 0), max(rows - cap, 0))
    c0 = min(max(int(view.get("col0", 0) or 0), 0), max(cols - cap, 0))
    return {
        "kind": "heatmap" if nd <= 2 else "slice",
        "fixed": fixed,
        "row0": r0,
        "col0": c0,
        "nrows": min(rows - r0, cap),
        "ncols": min(cols - c0, cap),
        "rows": int(rows),
        "cols": int(cols),
    }


def _scalar(value: complex | float, dtype: str) -> tuple[dict[str, Any], bytes]:
    v = float(np.real(value))
    meta = {
        "kind": "scalar",
        "shape": [],
        "dtype": dtype,
        "complex": isinstance(value, complex) or np.iscomplexobj(value),
        "value": v,
        "nrows": 1,
        "ncols": 1,
        "row0": 0,
        "col0": 0,
        "fixed": [],
        "absmax": abs(v) if math.isfinite(v) else 0.0,
    }
    return meta, np.asarray([v], "<f8").tobytes()


def _finish(
    meta: dict[str, Any], win: np.ndarray, shape: tuple[int, ...], dtype: np.dtype
) -> tuple[dict[str, Any], bytes]:
    complex_ = dtype.kind == "c"
    win = np.ascontiguousarray(np.real(win) if complex_ else win, dtype="<f8")
    finite = np.abs(win[np.isfinite(win)])
    meta.update(
        shape=[int(s) for s in shape],
        dtype=str(dtype),
        complex=complex_,
        absmax=float(finite.max()) if finite.size else 0.0,
    )
    return meta, win.tobytes()


def _window(
    arr: np.ndarray, view: dict[str, Any], cap: int = WINDOW
) -> tuple[dict[str, Any], bytes]:
    """What the browser shows of ``arr``: a window of at most ``cap`` x ``cap`` values.

    Arrays of 0 axes are a number, of 1 or 2 axes a heatmap, of more a slice: the leading
    axes are fixed at ``view["fixed"]`` and the last two shown. Values cross as
    little-endian float64 bytes (the real part of complex values); colours are scaled to
    the largest magnitude in the window.

    >>> meta, data = _window(np.arange(100.0).reshape(10, 10), {"row0": 8, "col0": 0}, cap=4)
    >>> meta["row0"], meta["nrows"], meta["ncols"], len(data) // 8
    (6, 4, 4, 16)
    >>> np.frombuffer(data, "<f8")[:4].tolist()
    [60.0, 61.0, 62.0, 63.0]
    """
    a = np.asarray(arr)
    if a.ndim == 0:
        return _scalar(a[()], str(a.dtype))
    meta = _spec(a.shape, view, cap)
    plane = a[tuple(meta["fixed"])] if meta["fixed"] else a
    if plane.ndim == 1:
        plane = plane[None, :]
    win = plane[meta["row0"] : meta["row0"] + cap, meta["col0"] : meta["col0"] + cap]
    return _finish(meta, win, a.shape, a.dtype)


#: Results with more elements than this are never contracted whole for the panel: only
#: the window it shows is computed (the network with its open legs sliced).
BIG_RESULT = 1 << 16


def _result_window(
    d: Diagram, view: dict[str, Any], cap: int = WINDOW
) -> tuple[dict[str, Any], bytes]:
    """The window of ``d.contract()`` the result panel shows, without the whole result.

    Small results are contracted whole (through the diagram's cached expression); for a
    large one each open index is restricted to the rows, columns or fixed slice shown
    (every axis carrying that index is sliced) and only that sub-network is contracted.

    >>> import numpy as np
    >>> A, B = np.random.default_rng(0).random((2, 300, 5)), np.ones((5, 400))
    >>> d = Diagram.from_einsum("aij,jk->aik", A, B)
    >>> meta, data = _result_window(d, {"fixed": [1], "row0": 10, "col0": 50}, cap=4)
    >>> bool(np.allclose(np.frombuffer(data).reshape(4, 4), (A @ B)[1, 10:14, 50:54]))
    True
    """
    shape = d.shape
    if math.prod(shape) <= BIG_RESULT:
        return _window(d.contract(), view, cap)
    meta = _spec(shape, view, cap)
    out = d.output
    ranges: dict[str, slice] = {}
    for lab, v in zip(out, meta["fixed"], strict=False):
        ranges[lab] = slice(v, v + 1)
    if len(out) >= 2:
        ranges[out[-2]] = slice(meta["row0"], meta["row0"] + meta["nrows"])
    ranges[out[-1]] = slice(meta["col0"], meta["col0"] + meta["ncols"])
    ops = []
    for t in d:
        arr = t.array
        idx = tuple(ranges.get(lab, slice(None)) for lab in t.labels)
        ops.append(arr[idx] if any(r != slice(None) for r in idx) else arr)
    shapes = tuple(tuple(int(n) for n in op.shape) for op in ops)
    sub = np.asarray(expression(d.to_einsum(), shapes, "auto")(*ops))
    win = sub.reshape(meta["nrows"], meta["ncols"])
    dtype = np.result_type(*ops) if ops else np.dtype(float)
    return _finish(meta, win, shape, dtype)


def _picture_names(g: dict[str, Any], output: list[str]) -> list[str]:
    """The result's legs as the picture names them: the open leg's (or open wire's) name,
    ``T:leg`` where two of them would read alike (``B:j``, ``A:j``, not ``j``, ``j2``).

    >>> import numpy as np
    >>> from tensorlessons import Diagram
    >>> from tensorlessons._render import geometry
    >>> d = Diagram.from_einsum("ij,kj->ikj", np.ones((2, 3)), np.ones((4, 3)), names=["A", "B"])
    >>> d.cut("A:j", "B:j").output, _picture_names(geometry(d), d.output)
    (['i', 'k', 'j', 'j2'], ['i', 'k', 'B:j', 'A:j'])
    """
    shown: dict[str, tuple[str, list[str]]] = {}
    for s in g.get("stubs", []):
        shown[s["index"]] = (s["leg"], [s["ref"]])
    for w in g.get("wires", []):
        shown.setdefault(w["index"], (w["name"], list(w["legs"])))
    names = [shown.get(lab, (lab, []))[0] for lab in output]
    out = []
    for lab, name in zip(output, names, strict=True):
        refs = shown.get(lab, (lab, []))[1]
        out.append("=".join(refs) if refs and names.count(name) > 1 else name)
    return out


def _free_name(d: Diagram) -> str:
    for c in string.ascii_uppercase:
        if c not in d:
            return c
    k = 1
    while f"T{k}" in d:
        k += 1
    return f"T{k}"


class DiagramWidget(anywidget.AnyWidget):
    """An editable picture of a :class:`Diagram`, live in both directions.

    In the browser: drag tensors; drag an open leg's end onto another to connect them
    (refused, with a message, when the dimensions differ); click a wire and press Delete
    to cut it; double-click a tensor or a leg to rename it; add tensors from the palette;
    Tab through tensors, arrow keys move them, Delete removes; Ctrl+Z / Ctrl+Shift+Z undo
    and redo. Under the picture: the einsum string, the result's legs, shape, cost and
    values; click a tensor to inspect (and, for one or two legs, edit) its values.

    Parameters
    ----------
    diagram
        The diagram to show and edit (``widget.diagram``; edited in place). A new empty
        diagram when None.
    key
        Optional answer key: every edit saves the diagram to
        ``tensorlessons_answers/<key>.json`` (see :mod:`tensorlessons._persist`), and a
        widget made with a key that has a saved file starts from the saved diagram
        (loaded into ``diagram`` in place). :meth:`reset` goes back to the start.
    editable
        False shows the picture and numbers but refuses edits other than moving.
    height
        Height of the drawing area in CSS pixels (None: fitted to the diagram).
    compact
        Fold the result's values and hide the inspector until a tensor is selected (for
        drawing exercises, so that their Check button stays in view).

    Examples
    --------
    >>> import numpy as np
    >>> import tensorlessons as tl
    >>> d = tl.Diagram.from_arrays({"u": np.ones(3), "v": np.arange(3.0)})
    >>> w = tl.DiagramWidget(d)
    >>> seen = []
    >>> w.on_edit(lambda widget, edit: seen.append(edit["op"]))
    >>> _ = w.apply({"op": "connect", "a": "u:i", "b": "v:i"})   # what the browser sends
    >>> seen, float(d.contract())
    (['connect'], 3.0)
    >>> w.apply({"op": "connect", "a": "u:i", "b": "nope"})["error"][:30]
    "a leg is written 'TENSOR:LEG' "
    """

    _esm = _STATIC / "diagram.js"
    _css = _STATIC / "diagram.css"

    structure = traitlets.Dict().tag(sync=True)
    #: The picture's shapes (:func:`tensorlessons._render.geometry`): the browser draws
    #: exactly these, as :meth:`Diagram.to_svg` does.
    geometry = traitlets.Dict().tag(sync=True)
    result = traitlets.Dict().tag(sync=True)
    result_data = traitlets.Bytes(b"").tag(sync=True)
    view = traitlets.Dict().tag(sync=True)
    selected = traitlets.Unicode("").tag(sync=True)
    inspect = traitlets.Dict().tag(sync=True)
    inspect_data = traitlets.Bytes(b"").tag(sync=True)
    inspect_view = traitlets.Dict().tag(sync=True)
    error = traitlets.Unicode("").tag(sync=True)
    can_undo = traitlets.Bool(False).tag(sync=True)
    can_redo = traitlets.Bool(False).tag(sync=True)
    key = traitlets.Unicode("").tag(sync=True)
    editable = traitlets.Bool(True).tag(sync=True)
    height = traitlets.Int(0).tag(sync=True)
    #: A compact widget (drawing exercises): the result's values folded, no inspector
    #: until a tensor is selected, so that the exercise's Check button stays in view.
    compact = traitlets.Bool(False).tag(sync=True)
    #: Bumped after every change of the diagram (observe it to react to any edit).
    version = traitlets.Int(0).tag(sync=True)
    #: The last edit made from the browser, as applied (``{"op": ..., ...}``).
    last_edit = traitlets.Dict().tag(sync=False)

    def __init__(
        self,
        diagram: Diagram | None = None,
        *,
        key: str | None = None,
        editable: bool = True,
        height: int | None = None,
        compact: bool = False,
        **kwargs: Any,
    ) -> None:
        d = Diagram() if diagram is None else diagram
        if not isinstance(d, Diagram):
            raise DiagramError(f"DiagramWidget needs a Diagram, got {type(d).__name__}: {d!r}")
        self._diagram: Diagram | None = None
        super().__init__(**kwargs)
        self._callbacks: list[EditCallback] = []
        self._undo: list[Diagram] = []
        self._redo: list[Diagram] = []
        self._last: Diagram = d.copy()
        self._quiet = False
        self._start = d.copy()
        self.editable = bool(editable)
        self.height = int(height or 0)
        self.compact = bool(compact)
        if key is not None:
            self.key = _persist.check_key(key)
            saved = _persist.load(key)
            if saved is not None:
                d.restore(saved)
        self._attach(d)
        self.on_msg(self._on_message)

    # ---- the live diagram ----------------------------------------------------------

    @property
    def diagram(self) -> Diagram:
        """The live :class:`Diagram` (assign another diagram to show that one instead)."""
        assert self._diagram is not None
        return self._diagram

    @diagram.setter
    def diagram(self, other: Diagram) -> None:
        if not isinstance(other, Diagram):
            raise DiagramError(
                f"widget.diagram must be a Diagram, got {type(other).__name__}: {other!r}"
            )
        self._undo.clear()
        self._redo.clear()
        self._start = other.copy()
        self._attach(other)
        if self.key:
            _persist.save(self.key, other)

    def _attach(self, d: Diagram) -> None:
        if self._diagram is not None:
            self._diagram.unobserve(self._on_change)
        self._diagram = d
        self._last = d.copy()
        d.observe(self._on_change)
        if self.selected and self.selected not in d:
            self.selected = ""
        self._sync(structure=True, values=True)

    def _on_change(self, d: Diagram, what: str) -> None:
        if d is not self._diagram:  # pragma: no cover - detached diagram
            return
        if not self._quiet:
            self._undo.append(self._last)
            del self._undo[:-_UNDO_LIMIT]
            self._redo.clear()
        self._last = d.copy()
        if self.key:
            _persist.save(self.key, d)
        if self.selected and self.selected not in d:
            self.selected = ""
        self._sync(structure=True, values=what not in ("move", "layout"))

    def _sync(self, *, structure: bool, values: bool) -> None:
        d = self.diagram
        with self.hold_sync():
            if structure:
                self.structure = _structure(d)
                self.geometry = geometry(d)
            if values:
                self._compute_result()
                self._compute_inspect()
            self.can_undo = bool(self._undo)
            self.can_redo = bool(self._redo)
            self.version = self.version + 1

    def _compute_result(self) -> None:
        from ._render import einsum_call

        d = self.diagram
        info: dict[str, Any] = {
            "einsum": d.to_einsum(),
            "call": einsum_call(d),
            "output": d.output,
            "legs": _picture_names(self.geometry, d.output),
            "shape": list(d.shape),
            "tensors": len(d),
            "version": d.version,
        }
        try:
            cost = d.cost()
            info["cost"] = {
                "flops": cost.flops,
                "naive_flops": cost.naive_flops,
                "largest_intermediate": cost.largest_intermediate,
                "steps": list(cost.steps),
            }
            meta, data = _result_window(d, self.view)
        except (DiagramError, ValueError, MemoryError) as exc:
            info["cost"] = None
            meta, data = {"kind": "error", "message": str(exc)}, b""
        info["values"] = meta
        self.result = info
        self.result_data = data

    def _compute_inspect(self) -> None:
        d = self.diagram
        name = self.selected
        if not name or name not in d:
            self.inspect = {}
            self.inspect_data = b""
            return
        t = d.tensor(name)
        meta, data = _window(t.array, self.inspect_view, cap=INSPECT_WINDOW)
        meta.update(
            name=t.name,
            legs=list(t.legs),
            kind=meta["kind"],
            tensor_kind=t.kind,
            editable=bool(self.editable and t.kind == "tensor" and 1 <= t.order <= 2),
        )
        self.inspect = meta
        self.inspect_data = data

    @traitlets.observe("view")
    def _view_changed(self, change: dict[str, Any]) -> None:
        if self._diagram is not None:
            with self.hold_sync():
                self._compute_result()

    @traitlets.observe("selected", "inspect_view")
    def _selected_changed(self, change: dict[str, Any]) -> None:
        if self._diagram is not None:
            with self.hold_sync():
                self._compute_inspect()

    # ---- edits from the browser ----------------------------------------------------

    def on_edit(self, callback: EditCallback, remove: bool = False) -> None:
        """Call ``callback(widget, edit)`` after each edit made in the browser.

        ``edit`` is the applied message, e.g. ``{"op": "connect", "a": "A:j", "b": "B:j"}``;
        ops: ``move``, ``connect``, ``cut``, ``add``, ``remove``, ``rename_tensor``,
        ``rename_leg``, ``set_value``, ``undo``, ``redo``, ``reset``. (Observe the
        ``version`` trait to react to every change, Python's own included.)
        """
        if remove:
            if callback in self._callbacks:
                self._callbacks.remove(callback)
        elif callback not in self._callbacks:
            self._callbacks.append(callback)

    def _on_message(self, widget: Any, content: Any, buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        if kind == "hello":  # the front end asks whether a kernel is behind it
            self.send({"type": "hello"})
        elif kind == "edit":
            edit = content.get("edit")
            reply = self.apply(edit if isinstance(edit, dict) else {})
            if "error" in reply:
                self.send({"type": "error", "message": reply["error"], "id": content.get("id")})
        elif kind == "export":
            fmt = str(content.get("format", ""))
            try:
                text = self.export(fmt)
            except DiagramError as exc:
                self.send({"type": "error", "message": str(exc), "id": content.get("id")})
                return
            self.send({"type": "export", "format": fmt, "text": text, "id": content.get("id")})

    def apply(self, edit: dict[str, Any]) -> dict[str, Any]:
        """Apply one edit as the browser sends it; return ``{"ok": True}`` or ``{"error": msg}``.

        A refused edit changes nothing; its message is also stored in :attr:`error`.
        """
        op = edit.get("op") if isinstance(edit, dict) else None
        try:
            if not self.editable and op not in ("move", "undo", "redo"):
                raise DiagramError(f"this diagram is read-only; edit {op!r} refused")
            self._apply(str(op), edit)
        except DiagramError as exc:
            self.error = str(exc)
            return {"error": str(exc)}
        except (TypeError, KeyError, ValueError, IndexError) as exc:
            msg = f"edit {edit!r} refused: {type(exc).__name__}: {exc}"
            self.error = msg
            return {"error": msg}
        self.error = ""
        self.last_edit = dict(edit)
        for cb in list(self._callbacks):
            cb(self, dict(edit))
        return {"ok": True}

    def _apply(self, op: str, e: dict[str, Any]) -> None:
        d = self.diagram
        if op == "move":
            d.move(str(e["name"]), float(e["x"]), float(e["y"]))
        elif op == "moves":
            with d.edits():
                for name, (x, y) in dict(e["positions"]).items():
                    d.move(str(name), float(x), float(y))
        elif op == "connect":
            d.connect(str(e["a"]), str(e["b"]))
        elif op == "cut":
            legs = [str(x) for x in e["legs"]]
            if not legs:
                raise DiagramError(f"cut: no legs given in {e!r}")
            with d.edits():
                if len(legs) == 2:
                    d.cut(legs[0], legs[1])
                else:
                    for ref in legs[:-1]:
                        d.cut(ref)
        elif op == "remove":
            d.remove_tensor(str(e["name"]))
        elif op == "rename_tensor":
            old, new = str(e["old"]), str(e["new"]).strip()
            was_selected = self.selected == old
            d.rename_tensor(old, new)
            if was_selected:
                self.selected = new
        elif op == "rename_leg":
            d.rename_leg(str(e["ref"]), str(e["new"]).strip())
        elif op == "add":
            self._add(e)
        elif op == "set_value":
            self._set_value(e)
        elif op == "undo":
            self.undo()
        elif op == "redo":
            self.redo()
        elif op == "reset":
            self.reset()
        else:
            raise DiagramError(f"unknown edit {op!r} in {e!r}")

    def _add(self, e: dict[str, Any]) -> None:
        d = self.diagram
        kind = str(e.get("kind", "matrix"))
        name = str(e.get("name") or _free_name(d))
        dims = [int(x) for x in e.get("dims", [])]
        pos = (float(e["x"]), float(e["y"])) if "x" in e and "y" in e else None
        if pos is None and len(d):
            pos = open_spot(d, name)
        for dim in dims:
            if dim < 1 or dim > 4096:
                raise DiagramError(
                    f"new {kind} {name!r}: dimension {dim} must be between 1 and 4096 (dims {dims})"
                )
        if kind == "copy":
            n_legs = int(e.get("legs", 3))
            if not dims:
                raise DiagramError(f"new copy tensor {name!r}: give its dimension")
            if not 1 <= n_legs <= 8:
                raise DiagramError(f"new copy tensor {name!r}: {n_legs} legs, expected 1 to 8")
            d.add_copy(name, dims[0], n_legs=n_legs, position=pos)
            return
        if kind not in _KINDS:
            raise DiagramError(f"unknown tensor kind {kind!r}; choose one of {[*_KINDS, 'copy']}")
        n = _KINDS[kind]
        if len(dims) == 1 and n > 1:
            dims = dims * n
        if len(dims) != n:
            raise DiagramError(
                f"a new {kind} {name!r} has {n} leg(s) but {len(dims)} dimension(s) {dims} "
                "were given"
            )
        rng = np.random.default_rng(sum(map(ord, name)) + 7 * d.version)
        arr = np.round(rng.standard_normal(dims), 2)
        d.add_tensor(name, arr, legs=list(_LEG_POOL[:n]), position=pos)

    def _set_value(self, e: dict[str, Any]) -> None:
        d = self.diagram
        name = str(e["name"])
        t = d.tensor(name)
        if t.kind == "copy":
            raise DiagramError(f"tensor {name!r} is a copy tensor; its values are fixed")
        index = tuple(int(i) for i in e["index"])
        if len(index) != t.order:
            raise DiagramError(
                f"tensor {name!r} has {t.order} leg(s) {t.legs}; index {list(index)} does not fit"
            )
        for k, (i, dim) in enumerate(zip(index, t.dims, strict=True)):
            if not 0 <= i < dim:
                raise DiagramError(
                    f"tensor {name!r}: index {i} on leg {t.legs[k]!r} is out of range 0..{dim - 1}"
                )
        raw = e["value"]
        try:
            value = complex(str(raw).replace(" ", "")) if "j" in str(raw) else float(raw)
        except (TypeError, ValueError):
            raise DiagramError(f"tensor {name!r}{list(index)}: {raw!r} is not a number") from None
        if isinstance(value, float) and not math.isfinite(value):
            raise DiagramError(f"tensor {name!r}{list(index)}: {raw!r} is not a finite number")
        arr = np.array(t.array, copy=True)
        if isinstance(value, complex) and arr.dtype.kind != "c":
            arr = arr.astype(np.result_type(arr.dtype, np.complex128))
        elif arr.dtype.kind in "biu" and float(value) != int(value):
            arr = arr.astype(np.float64)
        arr[index] = value
        d.set_array(name, arr)

    # ---- undo / redo / reset -------------------------------------------------------

    def _restore(self, snapshot: Diagram) -> None:
        self._quiet = True
        try:
            self.diagram.restore(snapshot)
        finally:
            self._quiet = False
        self.can_undo, self.can_redo = bool(self._undo), bool(self._redo)

    def undo(self) -> DiagramWidget:
        """Undo the last change of the diagram (made in the browser or in Python)."""
        if not self._undo:
            raise DiagramError("nothing to undo")
        self._redo.append(self.diagram.copy())
        self._restore(self._undo.pop())
        return self

    def redo(self) -> DiagramWidget:
        """Redo the last undone change."""
        if not self._redo:
            raise DiagramError("nothing to redo")
        self._undo.append(self.diagram.copy())
        self._restore(self._redo.pop())
        return self

    def reset(self) -> DiagramWidget:
        """Go back to the starting diagram, as an edit: :meth:`undo` brings the drawing back.

        With a ``key`` the answers file then holds the starting diagram (it is not deleted).

        >>> import numpy as np, tensorlessons as tl
        >>> w = tl.DiagramWidget(tl.Diagram.from_arrays({"u": np.ones(3), "v": np.ones(3)}))
        >>> _ = w.apply({"op": "connect", "a": "u:i", "b": "v:i"})
        >>> w.reset().diagram.to_einsum(), w.undo().diagram.to_einsum()
        ('i,a->ia', 'i,i->')
        """
        self.diagram.restore(self._start)
        return self

    # ---- exports -------------------------------------------------------------------

    def export(self, fmt: str) -> str:
        """The diagram as ``"einsum"`` (an ``np.einsum`` call), ``"code"``, ``"svg"`` or ``"tikz"``.

        The same text as :func:`tensorlessons._render.einsum_call`, :meth:`Diagram.to_code`,
        :meth:`Diagram.to_svg` and :meth:`Diagram.to_tikz` (the widget's buttons ask for it).
        """
        from ._render import einsum_call

        d = self.diagram
        makers = {
            "einsum": lambda: einsum_call(d),
            "code": d.to_code,
            "svg": d.to_svg,
            "tikz": d.to_tikz,
        }
        if fmt not in makers:
            raise DiagramError(f"unknown export format {fmt!r}; choose one of {sorted(makers)}")
        return makers[fmt]()

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = super()._repr_mimebundle_(**kwargs)
        if isinstance(bundle, tuple):
            data, meta = bundle
        else:  # pragma: no cover - older anywidget
            data, meta = bundle or {}, {}
        data = dict(data)
        data.setdefault("image/svg+xml", self.diagram.to_svg())
        return data, meta
