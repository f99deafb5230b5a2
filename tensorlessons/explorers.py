"""Explorers: a rank slider for each decomposition, and a contraction-order game.

Both are ipywidgets composites built around the live :class:`~tensorlessons.DiagramWidget`
(read-only here), and both can be driven from Python with the same actions as the
buttons and sliders (``set_rank``, ``contract``, ``undo``, ``reset``, ``play_optimal``),
so they can be tested and scripted.

>>> import numpy as np
>>> from tensorlessons.explorers import RankExplorer, ContractionExplorer
>>> X = np.random.default_rng(0).normal(size=(6, 5))
>>> ex = RankExplorer(X, method="svd")
>>> ex.set_rank(2).rank, ex.storage, ex.full_storage
(2, 24, 30)
>>> import tensorlessons as tl
>>> d = tl.Diagram.from_einsum("ij,jk,k->i", np.ones((10, 20)), np.ones((20, 30)), np.ones(30),
...                            names=["A", "B", "v"])
>>> game = ContractionExplorer(d)
>>> game.contract("B", "v").flops, game.contract("A", "(B·v)").flops
(1200, 400)
>>> game.done, game.flops == game.optimal.flops
(True, True)
"""

from __future__ import annotations

import html
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import ipywidgets as w
import numpy as np
import opt_einsum

from . import _persist
from ._errors import DiagramError
from .contraction import plan as contraction_plan
from .decompositions import (
    FitInfo,
    cp,
    mps,
    singular_values,
    storage,
    svd,
    truncation_errors,
    tucker,
)
from .diagram import ContractionCost, Diagram

__all__ = ["RankExplorer", "ContractionExplorer", "ContractionStep", "best_order"]

Method = Literal["svd", "cp", "tucker", "mps"]
_METHODS = ("svd", "cp", "tucker", "mps")


# --------------------------------------------------------------------------------------
# A small SVG line chart (no matplotlib needed)
# --------------------------------------------------------------------------------------


def curve_svg(
    xs: Sequence[float],
    ys: Sequence[float],
    *,
    mark: float | None = None,
    title: str = "",
    xlabel: str = "",
    ylabel: str = "",
    bars: Sequence[float] | None = None,
    width: int = 320,
    height: int = 190,
) -> str:
    """A line chart (plus optional bars) as a standalone SVG string; ``mark`` highlights an x.

    The chart scales to its container (``viewBox``, 100% wide, at most ``width`` pixels),
    with margins that hold the axis labels and the last tick.

    >>> curve_svg([1, 2, 3], [1.0, 0.5, 0.0], mark=2, title="error").startswith("<svg")
    True
    """
    left, right, top, bottom = 50.0, 18.0, 24.0, 34.0
    pw, ph = width - left - right, height - top - bottom
    xs = [float(x) for x in xs]
    vals = [float(y) for y in ys if y is not None and math.isfinite(y)]
    if bars is not None:
        vals += [float(b) for b in bars]
    ymax = max(vals + [1e-12])
    x0, x1 = (min(xs), max(xs)) if xs else (0.0, 1.0)
    if x1 == x0:
        x1 = x0 + 1
    if bars is not None:  # half a step either side: the first and last bars clear the axes
        x0, x1 = x0 - 0.5, x1 + 0.5

    def px(x: float) -> float:
        return left + (x - x0) / (x1 - x0) * pw

    def py(y: float) -> float:
        return top + ph - y / ymax * ph

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="100%" viewBox="0 0 {width} {height}" '
        f'style="max-width:{width}px;height:auto;display:block;overflow:visible" '
        'font-family="sans-serif" font-size="11" role="img" class="tl-curve">',
        f"<title>{html.escape(title)}</title>",
        f'<text x="{left}" y="14" font-weight="bold">{html.escape(title)}</text>',
        f'<line x1="{left}" y1="{top + ph}" x2="{left + pw}" y2="{top + ph}" stroke="currentColor"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + ph}" stroke="currentColor"/>',
        f'<text x="{left - 4}" y="{top + 4}" text-anchor="end">{ymax:.3g}</text>',
        f'<text x="{left - 4}" y="{top + ph}" text-anchor="end">0</text>',
        f'<text x="{left + pw / 2}" y="{height - 4}" text-anchor="middle">{html.escape(xlabel)}</text>',
        f'<text x="10" y="{top + ph / 2}" transform="rotate(-90 10 {top + ph / 2})" '
        f'text-anchor="middle">{html.escape(ylabel)}</text>',
    ]
    ticks = sorted(set(int(round(x)) for x in xs))
    step = max(1, math.ceil(len(ticks) / 8))
    shown = ticks[::step]
    if ticks and shown[-1] != ticks[-1]:  # always label the last rank
        shown = shown[:-1] if len(shown) > 1 and ticks[-1] - shown[-1] < step else shown
        shown.append(ticks[-1])
    for t in shown:
        parts.append(f'<text x="{px(t):.1f}" y="{top + ph + 13}" text-anchor="middle">{t}</text>')
    if bars is not None:
        bw = max(2.0, pw / max(len(bars), 1) * 0.5)
        for k, b in enumerate(bars):
            x = px(k + 1) if len(bars) > 1 else left + pw / 2
            parts.append(
                f'<rect x="{x - bw / 2:.1f}" y="{py(b):.1f}" width="{bw:.1f}" '
                f'height="{top + ph - py(b):.1f}" fill="#9ecae1" opacity="0.8"/>'
            )
    pts = [(x, y) for x, y in zip(xs, ys, strict=True) if y is not None and math.isfinite(y)]
    if pts:
        path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in pts)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#d6604d" stroke-width="2"/>')
        for x, y in pts:
            r = 4.5 if mark is not None and x == mark else 2.5
            parts.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="{r}" fill="#d6604d"/>')
    if mark is not None:
        parts.append(
            f'<line x1="{px(mark):.1f}" y1="{top}" x2="{px(mark):.1f}" y2="{top + ph}" '
            'stroke="#2171b5" stroke-dasharray="3,3"/>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _diagram_view(d: Diagram) -> Any:
    """A read-only live DiagramWidget, or the SVG picture if the widget is unavailable."""
    try:
        from .widget import DiagramWidget

        return DiagramWidget(d, editable=False)
    except Exception:  # pragma: no cover - the widget module is part of the package
        return w.HTML(d.to_svg())


def _set_view(view: Any, d: Diagram) -> None:
    if isinstance(view, w.HTML):
        view.value = d.to_svg()
    else:
        view.diagram = d


# --------------------------------------------------------------------------------------
# Rank explorer
# --------------------------------------------------------------------------------------


class RankExplorer(w.VBox):
    """A rank slider for a decomposition: diagram, error, storage and the error curve, live.

    Parameters
    ----------
    array
        The tensor to decompose.
    method
        ``"svd"`` (rank = singular values kept; ``left`` legs on U's side),
        ``"cp"`` (CP rank), ``"tucker"`` (the same rank on every leg, capped by each leg's
        dimension) or ``"mps"`` (the largest bond dimension).
    rank
        The starting rank (default: 1).
    max_rank
        The slider's largest value (default: what makes the decomposition exact, or 8
        for CP).
    left
        For ``svd``: how many leading legs go on U's side of the cut.

    From Python, :meth:`set_rank` does what moving the slider does; :attr:`diagram`,
    :attr:`error`, :attr:`relative_error`, :attr:`storage` and :meth:`curve` give the
    numbers shown.

    >>> import numpy as np
    >>> X = np.random.default_rng(0).normal(size=(4, 5, 6))
    >>> ex = RankExplorer(X, method="tucker", rank=2)
    >>> ex.diagram["G"].shape, ex.storage < ex.full_storage
    ((2, 2, 2), True)
    >>> ex.set_rank(6).relative_error < 1e-12
    True
    """

    def __init__(
        self,
        array: Any,
        method: Method = "svd",
        rank: int = 1,
        *,
        max_rank: int | None = None,
        left: int = 1,
        seed: int = 0,
    ) -> None:
        if method not in _METHODS:
            raise DiagramError(f"RankExplorer: method must be one of {_METHODS}, got {method!r}")
        arr = np.asarray(array)
        if arr.dtype.kind not in "biufc":
            raise DiagramError(f"RankExplorer: the array must hold numbers, got dtype {arr.dtype}")
        self.array = arr.astype(float) if arr.dtype.kind in "biu" else arr
        self.method: Method = method
        self.left = left
        self.seed = seed
        self._fits: dict[int, tuple[Diagram, float]] = {}
        if max_rank is None:
            max_rank = self._exact_rank()
        if (
            isinstance(max_rank, bool)
            or not isinstance(max_rank, (int, np.integer))
            or max_rank < 1
        ):
            raise DiagramError(
                f"RankExplorer: max_rank must be a positive integer, got {max_rank!r}"
            )
        self.max_rank = int(max_rank)
        self._norm = float(np.linalg.norm(self.array)) or 1.0
        self.slider = w.IntSlider(
            value=1, min=1, max=self.max_rank, description=self._rank_name(), continuous_update=True
        )
        self.stats = w.HTML()
        self.chart = w.HTML()
        self._rank = 0
        self.view: Any = None
        super().__init__()
        self.set_rank(rank)
        self.view = _diagram_view(self.diagram)
        self.slider.observe(lambda change: self.set_rank(change["new"]), names="value")
        title = w.HTML(f"<b>{method.upper()}</b> of a tensor of shape {tuple(self.array.shape)}")
        side = w.VBox(
            [self.stats, self.chart],
            layout=w.Layout(flex="1 1 300px", min_width="260px", max_width="420px"),
        )
        self.chart.layout = w.Layout(width="100%")
        self.children = [
            title,
            self.slider,
            w.HBox(
                [self.view, side], layout=w.Layout(flex_flow="row wrap", align_items="flex-start")
            ),
        ]
        self.add_class("tl-rank-explorer")

    # ---- the numbers ---------------------------------------------------------------

    def _rank_name(self) -> str:
        return {"svd": "rank", "cp": "CP rank", "tucker": "rank", "mps": "max bond"}[self.method]

    def _exact_rank(self) -> int:
        a = self.array
        if self.method == "svd":
            if not (isinstance(self.left, int) and 1 <= self.left < a.ndim):
                raise DiagramError(
                    f"RankExplorer: left={self.left!r} must be 1..{a.ndim - 1} for shape {a.shape}"
                )
            return min(math.prod(a.shape[: self.left]), math.prod(a.shape[self.left :]))
        if self.method == "tucker":
            return max(a.shape)
        if self.method == "mps":
            return max(
                min(math.prod(a.shape[:k]), math.prod(a.shape[k:]))
                for k in range(1, max(a.ndim, 2))
            )
        return min(8, math.prod(a.shape) // max(a.shape))  # cp's bound on the rank

    def _fit(self, r: int) -> tuple[Diagram, float]:
        if r not in self._fits:
            a = self.array
            if self.method == "svd":
                d = svd(a, rank=r, left=self.left)
            elif self.method == "cp":
                d = cp(a, rank=r, seed=self.seed, max_iter=200, tol=1e-8, progress=False)
            elif self.method == "tucker":
                d = tucker(a, [min(r, n) for n in a.shape])
            else:
                d = mps(a, max_bond=r)
            assert isinstance(d, Diagram)
            err = float(np.linalg.norm(a - d.contract()))
            self._fits[r] = (d, err)
        return self._fits[r]

    def set_rank(self, r: int) -> RankExplorer:
        """Move the slider to ``r``: refit and update the diagram, numbers and curve."""
        if (
            isinstance(r, bool)
            or not isinstance(r, (int, np.integer))
            or not 1 <= r <= self.max_rank
        ):
            raise DiagramError(
                f"RankExplorer: rank must be an integer in 1..{self.max_rank}, got {r!r}"
            )
        r = int(r)
        self._rank = r
        self._fit(r)
        if self.slider.value != r:
            self.slider.value = r
        if self.view is not None:
            _set_view(self.view, self.diagram)
        self._draw()
        return self

    @property
    def rank(self) -> int:
        return self._rank

    @property
    def diagram(self) -> Diagram:
        """The decomposition at the current rank (a fresh diagram per rank)."""
        return self._fit(self._rank)[0]

    @property
    def error(self) -> float:
        """Frobenius norm of ``array - diagram.contract()``."""
        return self._fit(self._rank)[1]

    @property
    def relative_error(self) -> float:
        return self.error / self._norm

    @property
    def storage(self) -> int:
        """Numbers the diagram keeps (the sizes of its tensors)."""
        return storage(self.diagram)

    @property
    def full_storage(self) -> int:
        return int(self.array.size)

    @property
    def info(self) -> FitInfo:
        return FitInfo(
            self.method, self.error, self.relative_error, self.storage, self.full_storage
        )

    def curve(self, all_ranks: bool | None = None) -> dict[int, float]:
        """Relative error for each rank: all of them for SVD, Tucker and MPS (cheap), and
        for CP the ranks fitted so far (``all_ranks=True`` fits every one)."""
        if all_ranks is None:
            all_ranks = self.method != "cp"
        if self.method == "svd":
            errs = truncation_errors(self.array, self.left)
            return {r: float(errs[r]) / self._norm for r in range(1, self.max_rank + 1)}
        ranks = range(1, self.max_rank + 1) if all_ranks else sorted(self._fits)
        return {r: self._fit(r)[1] / self._norm for r in ranks}

    def _draw(self) -> None:
        kept, full = self.storage, self.full_storage
        rows = [
            ("error ‖X − X̂‖", f"{self.error:.4g}"),
            ("relative error", f"{self.relative_error:.2%}"),
            ("numbers kept", f"{kept:,} / {full:,} ({kept / full:.0%})"),
        ]
        if self.method == "svd":
            s = singular_values(self.array, self.left)
            dropped = float(np.sqrt(np.sum(s[self._rank :] ** 2)))
            rows.append(("√(Σ dropped σ²)", f"{dropped:.4g}"))
        cell = "padding:1px 6px;white-space:nowrap"
        body = "".join(
            f"<tr><td style='{cell}'>{html.escape(k)}</td>"
            f"<td style='{cell};text-align:right'><b>{v}</b></td></tr>"
            for k, v in rows
        )
        note = (
            "<div style='font-size:smaller;opacity:.75;line-height:1.3;max-width:300px'>"
            "Eckart–Young: no matrix of this rank does better than √(Σ dropped σ²).</div>"
            if self.method == "svd"
            else ""
        )
        self.stats.value = (
            "<table class='tl-stats' style='border-collapse:collapse;line-height:1.4'>"
            f"{body}</table>{note}"
        )
        c = self.curve()
        bars = None
        if self.method == "svd":
            s = singular_values(self.array, self.left)[: self.max_rank]
            bars = list(s / self._norm)
        self.chart.value = curve_svg(
            list(c),
            list(c.values()),
            mark=self._rank,
            title="relative error" + (" (bars: σ / ‖X‖)" if bars else ""),
            xlabel=self._rank_name(),
            bars=bars,
        )


# --------------------------------------------------------------------------------------
# Contraction-order explorer
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContractionStep:
    """One pairwise contraction: which nodes, the FLOPs (as opt_einsum counts them) and
    the size of the tensor it makes."""

    a: str
    b: str
    result: str
    indices: str
    flops: int
    size: int


def _step_cost(
    ia: str, ib: str, others: Sequence[str], output: str, sizes: dict[str, int]
) -> tuple[str, int, int]:
    """The indices kept, FLOPs and size of contracting terms ``ia`` and ``ib``."""
    union = set(ia) | set(ib)
    keep_set = set(output).union(*others) if others else set(output)
    kept = "".join(sorted(union & keep_set))
    removed = union - keep_set
    flops = opt_einsum.helpers.flop_count(union, bool(removed), 2, sizes)
    size = math.prod(sizes[c] for c in kept)
    return kept, int(flops), int(size)


def best_order(
    inputs: Sequence[str], output: str, sizes: dict[str, int]
) -> tuple[int, list[tuple[int, int]]]:
    """The cheapest pairwise contraction order, by dynamic programming over subsets.

    Exhaustive (every binary contraction tree, outer products included), so exact but
    exponential: meant for the small networks of the course (up to about 12 tensors).
    Returns the FLOPs (counted as opt_einsum counts them) and the path in opt_einsum's
    format (positions in the shrinking list of terms).

    >>> best_order(["ij", "jk", "k"], "i", {"i": 10, "j": 20, "k": 30})[0]
    1600
    """
    n = len(inputs)
    if n > 14:
        raise DiagramError(f"best_order: {n} tensors is too many for an exhaustive search (<= 14)")
    full = (1 << n) - 1
    idx: dict[int, str] = {}
    for mask in range(1, full + 1):
        idx[mask] = "".join(sorted(set().union(*(inputs[k] for k in range(n) if mask >> k & 1))))
    count: dict[str, int] = {}
    for term in inputs:
        for c in set(term):
            count[c] = count.get(c, 0) + 1

    def kept(mask: int) -> str:
        outside = set(output).union(*(inputs[k] for k in range(n) if not mask >> k & 1))
        return "".join(c for c in idx[mask] if c in outside)

    keep = {mask: kept(mask) for mask in range(1, full + 1)}
    best: dict[int, tuple[int, Any]] = {1 << k: (0, k) for k in range(n)}
    for mask in sorted(range(1, full + 1), key=lambda m: bin(m).count("1")):
        if mask in best:
            continue
        low = mask & -mask
        sub = (mask - 1) & mask
        cand: tuple[int, Any] | None = None
        while sub:
            if sub & low:  # each split once: the part holding the lowest bit
                other = mask ^ sub
                if other:
                    union = set(keep[sub]) | set(keep[other])
                    removed = union - set(keep[mask])
                    flops = opt_einsum.helpers.flop_count(union, bool(removed), 2, sizes)
                    total = best[sub][0] + best[other][0] + flops
                    if cand is None or total < cand[0]:
                        cand = (total, (sub, other))
            sub = (sub - 1) & mask
        assert cand is not None
        best[mask] = cand
    if n == 1:
        return 0, []
    # turn the tree into an opt_einsum-style path
    path: list[tuple[int, int]] = []
    live: list[int] = [1 << k for k in range(n)]

    def emit(mask: int) -> None:
        tree = best[mask][1]
        if isinstance(tree, int):
            return
        a, b = tree
        emit(a)
        emit(b)
        i, j = sorted((live.index(a), live.index(b)))
        path.append((i, j))
        live.pop(j)
        live.pop(i)
        live.append(mask)

    emit(full)
    return best[full][0], path


class ContractionExplorer(w.VBox):
    """Contract a diagram one wire at a time; watch the FLOPs and the biggest tensor grow.

    The learner picks two tensors (usually joined by a wire) and contracts them into one
    (named ``(A·B)``); the running FLOP count (as opt_einsum counts it) and the largest
    intermediate are shown against the optimal order (opt_einsum's ``'optimal'``, or the
    ``reference`` optimizer given). ``compute=False`` counts the cost without the values.
    Copy tensors are folded into hyperedges first, as :meth:`Diagram.contract` does.

    In the picture, click a tensor and then a tensor joined to it to contract the two.
    From Python: :meth:`pairs`, :meth:`contract`, :meth:`select` (a click), :meth:`undo`,
    :meth:`reset`,
    :meth:`play_optimal`; :attr:`flops`, :attr:`largest_intermediate`, :attr:`steps`,
    :attr:`optimal`, :meth:`result`.

    With a ``key`` the explorer is **graded**: the learner's moves are saved after every
    contraction, undo or reset to the answer file ``tensorlessons_answers/<key>.json``
    (as a drawn diagram is, see :class:`~tensorlessons.DiagramExercise`) and replayed when
    an explorer with the same key is made again — by the learner re-running the cell, or
    by the graded cell, which rebuilds the diagram itself and replays the saved moves on
    it. A graded explorer has no *Play the optimal order* button, and
    :meth:`play_optimal` refuses.

    >>> import numpy as np
    >>> import tensorlessons as tl
    >>> d = tl.Diagram.from_einsum("i,ij,j->", np.ones(50), np.ones((50, 50)), np.ones(50),
    ...                            names=["u", "M", "v"])
    >>> ex = ContractionExplorer(d)
    >>> [p[:2] for p in ex.pairs()]
    [('u', 'M'), ('M', 'v'), ('u', 'v')]
    >>> _ = ex.contract("u", "v")          # an outer product first: 2,500 numbers
    >>> ex.largest_intermediate, ex.flops
    (2500, 2500)
    >>> _ = ex.reset().play_optimal()
    >>> ex.flops == ex.optimal.flops, float(ex.result()) == float(d.contract())
    (True, True)

    A graded explorer keeps the learner's moves:

    >>> import os, tempfile
    >>> os.environ["TENSORLESSONS_ANSWERS"] = tempfile.mkdtemp()
    >>> race = ContractionExplorer(d, key="06-demo")
    >>> _ = race.contract("u", "M")
    >>> again = ContractionExplorer(d, key="06-demo")   # e.g. after a kernel restart
    >>> again.moves, again.flops == race.flops
    ([('u', 'M')], True)
    >>> again.play_optimal()
    Traceback (most recent call last):
    ...
    tensorlessons._errors.DiagramError: ContractionExplorer: playing the optimal order is not available in a graded explorer (key '06-demo'): find the order yourself
    >>> del os.environ["TENSORLESSONS_ANSWERS"]
    """

    def __init__(
        self,
        diagram: Diagram,
        *,
        compute: bool = True,
        reference: str = "optimal",
        key: str | None = None,
    ) -> None:
        if not isinstance(diagram, Diagram):
            raise DiagramError(
                f"ContractionExplorer needs a Diagram, got {type(diagram).__name__}: {diagram!r}"
            )
        if len(diagram) == 0:
            raise DiagramError("ContractionExplorer: the diagram has no tensors")
        self.source = diagram
        self.compute = compute
        #: The answer key of a graded explorer (None: not graded).
        self.key = None if key is None else _persist.check_key(key)
        #: Why saved moves could not be replayed ('' when they could, or there were none).
        self.load_error = ""
        self._replaying = False
        plan = contraction_plan(diagram)
        eq = plan.eq
        lhs, out = eq.split("->")
        self._inputs0 = lhs.split(",") if lhs else []
        self.output = out
        self._names0 = list(plan.names)
        self._arrays0 = [np.asarray(op) for op in plan.operands]
        self.sizes: dict[str, int] = {}
        for term, shape in zip(self._inputs0, plan.shapes, strict=True):
            for c, dim in zip(term, shape, strict=True):
                self.sizes[c] = int(dim)
        #: The order to compare with: opt_einsum's "optimal" (exhaustive; for big
        #: networks pass reference="dp" or "greedy").
        self.optimal: ContractionCost = diagram.cost(optimize=reference)
        self.reference = reference
        self._history: list[tuple[list[str], list[str], list[Any], list[ContractionStep]]] = []
        self.view: Any = None
        self._callbacks: list[Callable[[ContractionExplorer], None]] = []
        self.pick = w.Dropdown(
            description="contract",
            layout=w.Layout(width="420px", max_width="100%"),
            style={"description_width": "initial"},
        )

        def button(text: str, icon: str, **kw: Any) -> w.Button:
            # width "auto": the button is as wide as its text (no "Play the optim…")
            return w.Button(
                description=text, icon=icon, layout=w.Layout(width="auto", min_width="90px"), **kw
            )

        self.go = button("Contract", "compress", button_style="primary")
        self.undo_button = button("Undo", "undo")
        self.reset_button = button("Start again", "refresh")
        self.best_button = button(
            "Play the optimal order", "magic", tooltip="Play the optimal order"
        )
        self.stats = w.HTML()
        self.status = w.HTML(
            "Click a tensor in the picture, then a tensor joined to it, to contract "
            "their wire; or choose a pair below."
        )
        self._pending: str | None = None
        super().__init__()
        self._start()
        self.view = _diagram_view(self.diagram())
        if hasattr(self.view, "selected"):
            self.view.observe(self._clicked, names="selected")
        self.go.on_click(lambda _: self._contract_picked())
        self.undo_button.on_click(lambda _: self.undo())
        self.reset_button.on_click(lambda _: self.reset())
        self.best_button.on_click(lambda _: self.reset().play_optimal())
        buttons = [self.undo_button, self.reset_button]
        if not self.graded:
            buttons.append(self.best_button)
        self.children = [
            self.view,
            self.status,
            w.HBox([self.pick, self.go]),
            w.HBox(buttons, layout=w.Layout(flex_flow="row wrap")),
            self.stats,
        ]
        self.add_class("tl-contraction-explorer")
        if self.key is not None:
            self._restore()
        self._refresh()

    # ---- state ---------------------------------------------------------------------

    def _start(self) -> None:
        self.inputs = list(self._inputs0)
        self.names = list(self._names0)
        self.arrays: list[Any] = list(self._arrays0)
        self.steps: list[ContractionStep] = []
        self._history.clear()
        self._pending = None

    def reset(self) -> ContractionExplorer:
        """Back to the uncontracted diagram."""
        self._start()
        self._save()
        self._refresh()
        return self

    def undo(self) -> ContractionExplorer:
        """Take back the last contraction."""
        if self._history:
            self._pending = None
            self.inputs, self.names, self.arrays, self.steps = self._history.pop()
            self._save()
            self._refresh()
        return self

    @property
    def graded(self) -> bool:
        """Whether this explorer is graded (made with a ``key``)."""
        return self.key is not None

    @property
    def moves(self) -> list[tuple[str, str]]:
        """The contractions made so far, as ``(a, b)`` name pairs (what a graded explorer saves)."""
        return [(s.a, s.b) for s in self.steps]

    def _save(self) -> None:
        if self.key is not None and not self._replaying:
            _persist.save_data(self.key, {"moves": [list(m) for m in self.moves]})

    def _restore(self) -> None:
        """Replay the moves saved under :attr:`key` (if any) on the diagram."""
        assert self.key is not None
        try:
            data = _persist.load_data(self.key)
            moves = [] if data is None else data.get("moves", [])
            self._replaying = True
            for a, b in moves:
                self.contract(str(a), str(b))
        except (DiagramError, AttributeError, TypeError, ValueError) as exc:
            self.load_error = (
                f"the saved moves of {self.key!r} do not fit this diagram ({exc}); starting again"
            )
            self._start()
        finally:
            self._replaying = False
        if self.load_error:
            self.status.value = html.escape(self.load_error, quote=False)
        elif self.steps:
            self.status.value = (
                f"Your {len(self.steps)} saved contraction(s) were replayed; "
                "<i>Start again</i> clears them."
            )

    @property
    def done(self) -> bool:
        """Whether one tensor is left."""
        return len(self.inputs) <= 1

    @property
    def flops(self) -> int:
        """FLOPs spent so far (the sum over the steps)."""
        return sum(s.flops for s in self.steps)

    @property
    def largest_intermediate(self) -> int:
        """Elements of the biggest tensor made so far (0 before the first step)."""
        return max((s.size for s in self.steps), default=0)

    def pairs(self) -> list[tuple[str, str, str]]:
        """The pairs that can be contracted next: ``(a, b, shared indices)``, wires first."""
        out = []
        for i, j in itertools.combinations(range(len(self.inputs)), 2):
            shared = "".join(sorted(set(self.inputs[i]) & set(self.inputs[j])))
            out.append((self.names[i], self.names[j], shared))
        out.sort(key=lambda p: p[2] == "")
        return out

    def _position(self, name: str | int) -> int:
        if isinstance(name, (int, np.integer)) and not isinstance(name, bool):
            if not 0 <= name < len(self.names):
                raise DiagramError(
                    f"ContractionExplorer: position {name!r} out of range 0..{len(self.names) - 1}"
                )
            return int(name)
        if name not in self.names:
            raise DiagramError(
                f"ContractionExplorer: no tensor {name!r}; the tensors now are {self.names}"
            )
        return self.names.index(name)

    def contract(self, a: str | int, b: str | int) -> ContractionStep:
        """Contract tensors ``a`` and ``b`` (names or positions) into one; returns the step."""
        i, j = self._position(a), self._position(b)
        if i == j:
            raise DiagramError(
                f"ContractionExplorer: cannot contract {self.names[i]!r} with itself"
            )
        na, nb = self.names[i], self.names[j]  # named in the order asked
        i, j = sorted((i, j))
        others = [t for k, t in enumerate(self.inputs) if k not in (i, j)]
        kept, flops, size = _step_cost(
            self.inputs[i], self.inputs[j], others, self.output, self.sizes
        )
        merged = f"({_bare(na)}·{_bare(nb)})"
        arr: Any
        if self.compute:
            arr = opt_einsum.contract(
                f"{self.inputs[i]},{self.inputs[j]}->{kept}", self.arrays[i], self.arrays[j]
            )
        else:
            arr = None
        self._history.append(
            (list(self.inputs), list(self.names), list(self.arrays), list(self.steps))
        )
        for k in (j, i):
            self.inputs.pop(k)
            self.names.pop(k)
            self.arrays.pop(k)
        self.inputs.append(kept)
        self.names.append(merged)
        self.arrays.append(arr)
        step = ContractionStep(na, nb, merged, kept, flops, size)
        self.steps.append(step)
        self._save()
        self._refresh()
        return step

    def play_optimal(self) -> ContractionExplorer:
        """Finish the contraction in the reference order (opt_einsum's 'optimal' path).

        Not available in a graded explorer (one made with a ``key``).
        """
        if self.graded:
            raise DiagramError(
                "ContractionExplorer: playing the optimal order is not available in a "
                f"graded explorer (key {self.key!r}): find the order yourself"
            )
        if self.done:
            return self
        eq = ",".join(self.inputs) + "->" + self.output
        shapes = [tuple(self.sizes[c] for c in t) for t in self.inputs]
        path, _ = opt_einsum.contract_path(eq, *shapes, shapes=True, optimize=self.reference)
        for pair in path:
            if len(pair) == 2:
                self.contract(*pair)
        return self

    def best_flops(self) -> int:
        """The cheapest total FLOPs from the original diagram (own exhaustive search)."""
        return best_order(self._inputs0, self.output, self.sizes)[0]

    def result(self) -> np.ndarray:
        """The final tensor (legs in the diagram's output order) once one tensor is left."""
        if not self.done:
            raise DiagramError(
                f"ContractionExplorer: {len(self.inputs)} tensors are left {self.names}; "
                "contract them first"
            )
        if not self.compute:
            raise DiagramError("ContractionExplorer(compute=False) keeps no values")
        term = self.inputs[0]
        return np.asarray(opt_einsum.contract(f"{term}->{self.output}", self.arrays[0]))

    def diagram(self) -> Diagram:
        """The current network as a Diagram (merged tensors named ``(A·B)``)."""
        arrays = [
            a if a is not None else np.broadcast_to(0.0, tuple(self.sizes[c] for c in t))
            for a, t in zip(self.arrays, self.inputs, strict=True)
        ]
        eq = ",".join(self.inputs) + "->" + self.output
        return Diagram.from_einsum(eq, *arrays, names=self.names)

    def on_change(self, callback: Callable[[ContractionExplorer], None]) -> None:
        """Call ``callback(explorer)`` after every contraction, undo or reset."""
        self._callbacks.append(callback)

    # ---- display -------------------------------------------------------------------

    def select(self, name: str) -> ContractionStep | None:
        """What clicking tensor ``name`` in the picture does: the first click picks a
        tensor, the second (another tensor) contracts the two; returns the step then."""
        self._position(name)
        if self._pending is None or self._pending not in self.names or self._pending == name:
            self._pending = name
            self.status.value = (
                f"Picked <b>{html.escape(name)}</b>: now click the tensor to contract it with."
            )
            return None
        first, self._pending = self._pending, None
        step = self.contract(first, name)
        self.status.value = (
            f"Contracted <b>{html.escape(step.a)}</b> with <b>{html.escape(step.b)}</b>: "
            f"{step.flops:,} FLOPs."
        )
        return step

    def _clicked(self, change: dict[str, Any]) -> None:
        name = change["new"]
        if name and name in self.names:
            self.select(name)

    def _contract_picked(self) -> None:
        if self.pick.value is not None:
            a, b = self.pick.value
            self.contract(a, b)

    def _refresh(self) -> None:
        if self.view is None:
            return
        _set_view(self.view, self.diagram())
        options = []
        for a, b, shared in self.pairs():
            how = f"wire {shared}" if shared else "no wire: outer product"
            options.append((f"{a}  —  {b}   ({how})", (a, b)))
        self.pick.options = options
        self.pick.index = 0 if options else None
        self.pick.disabled = self.go.disabled = self.done
        self.undo_button.disabled = not self._history
        pad = "padding:2px 10px;white-space:nowrap"
        num = f"{pad};text-align:right"
        rows = "".join(
            f"<tr><td style='{num}'>{k + 1}</td>"
            f"<td style='{pad}'>{html.escape(s.a)} · {html.escape(s.b)}</td>"
            f"<td style='{num}'>{s.flops:,}</td>"
            f"<td style='{num}'>{s.size:,}</td></tr>"
            for k, s in enumerate(self.steps)
        )
        opt = self.optimal
        verdict = ""
        if self.done and self.steps:
            ratio = self.flops / max(opt.flops, 1)
            verdict = (
                "<p role='status'><b>Optimal!</b></p>"
                if self.flops <= opt.flops
                else f"<p role='status'>Done: {ratio:.2f}× the optimal FLOPs.</p>"
            )
        if rows:
            head = "".join(
                f"<th style='{style};border-bottom:1px solid currentColor'>{text}</th>"
                for style, text in (
                    (num, "step"),
                    (f"{pad};text-align:left", "contract"),
                    (num, "FLOPs"),
                    (num, "result size"),
                )
            )
            table = (
                "<table class='tl-steps' style='border-collapse:collapse;margin:4px 0'>"
                f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
            )
        else:
            table = "<p class='tl-steps'><i>No contractions yet.</i></p>"
        self.stats.value = (
            table + f"<p>FLOPs so far: <b>{self.flops:,}</b> · largest intermediate: "
            f"<b>{self.largest_intermediate:,}</b> elements</p>"
            f"<p>Optimal order: <b>{opt.flops:,}</b> FLOPs, largest intermediate "
            f"{opt.largest_intermediate:,} ({html.escape(' → '.join(opt.steps))})</p>" + verdict
        )
        for cb in list(self._callbacks):
            cb(self)


def _bare(name: str) -> str:
    return name[1:-1] if name.startswith("(") and name.endswith(")") else name
