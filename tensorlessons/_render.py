"""Pictures and code from a diagram: geometry, SVG, TikZ and Python that rebuilds it.

One geometry function serves every picture, so the SVG, the TikZ and the widget's
exports (which ask Python for them) agree.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .diagram import Diagram

BOX = 44.0  # height of a tensor's box (and its smallest width)
CHAR = 7.5  # estimated width of a character of a tensor's name (bold, 12 px) ...
CHAR_UPPER = 9.5  # ... and of a capital letter (W_E is wider than x_e)
LABEL_CHAR = 6.2  # estimated width of a character of a leg label (11 px)
PAD = 14.0  # room around a tensor's name inside its box
DOT = 7.0  # radius of a copy tensor's dot
LEG = 38.0  # length of an open leg
PARALLEL = 16.0  # distance between wires joining the same two tensors (ends stay grabbable)
NEAR = 110.0  # tensors closer than this (between boxes) keep open legs from pointing at them
GRAB_ROOM = 12.0
PORT = 14.0
GAP_WIRE = 12.0  # room between a wire bent round a box and the box  # least distance between wires' ends on one side of a box  # leg ends this close to another end or a box are hard to grab
HYPER_OFFSET = 40.0  # how far a two-tensor hyperedge's dot sits off their wire
TRACE_SPREAD = 35.0  # a trace loop leaves its tensor at the loop's direction +- this
_PREFERRED = [180.0, 0.0, 270.0, 90.0, 225.0, 315.0, 135.0, 45.0]


def _angle_gap(a: float, b: float) -> float:
    d = abs(a - b) % 360.0
    return min(d, 360.0 - d)


def box_width(name: str) -> float:
    """Width of a tensor's box: ``BOX`` or wider, so that the name fits inside.

    >>> box_width("A"), box_width("attn pattern"), box_width("W_E W_V")
    (44.0, 104.0, 75.0)
    """
    text = sum(CHAR_UPPER if c.isupper() else CHAR for c in name)
    return max(BOX, float(math.ceil(text + PAD)))


def _reach(angle: float, kind: str, width: float) -> float:
    """Distance from the centre to the shape's edge along ``angle`` (degrees)."""
    if kind == "copy":
        return DOT
    rad = math.radians(angle)
    dx, dy = abs(math.cos(rad)), abs(math.sin(rad))
    return min((width / 2) / max(dx, 1e-9), (BOX / 2) / max(dy, 1e-9))


def _boundary(
    x: float, y: float, angle: float, kind: str, width: float = BOX
) -> tuple[float, float]:
    """Where a ray from the centre at ``angle`` (degrees, y up) leaves the shape."""
    rad = math.radians(angle)
    r = _reach(angle, kind, width)
    return x + r * math.cos(rad), y - r * math.sin(rad)


def _loop_distance(angle: float, kind: str, width: float, factor: float = 1.6) -> float:
    """How far from a tensor's centre a trace loop's control point (or own dot) lies."""
    return factor * BOX + _reach(angle, kind, width) - _reach(angle, kind, BOX)


def _text_box(
    x: float, y: float, text: str, anchor: str = "middle", char: float = LABEL_CHAR
) -> list[tuple[float, float]]:
    """Two corners of the estimated extent of a text drawn at (x, y) (its baseline)."""
    w = char * len(text)
    x0 = x - w / 2 if anchor == "middle" else x - w if anchor == "end" else x
    return [(x0, y - 11.0), (x0 + w, y + 4.0)]


def _wire_label(p1: tuple[float, float], p2: tuple[float, float], text: str) -> list[float]:
    """Baseline point of a wire's (centred) label: beside the wire's middle, never on it.

    Above a horizontal wire, right of a vertical one, up-right of a diagonal one.
    """
    dx, dy = p2[0] - p1[0], p2[1] - p1[1]
    norm = math.hypot(dx, dy) or 1.0
    nx, ny = -dy / norm, dx / norm
    if ny > 1e-9 or (abs(ny) <= 1e-9 and nx < 0):
        nx, ny = -nx, -ny
    half = LABEL_CHAR * len(text) / 2
    gap = 4 + half * abs(nx) + 7.5 * abs(ny)
    return [(p1[0] + p2[0]) / 2 + nx * gap, (p1[1] + p2[1]) / 2 + ny * gap + 3.5]


def _widest_gap(taken: list[float]) -> float:
    """The direction (degrees) farthest from every angle in ``taken``; up if none."""
    best, best_gap = 90.0, -1.0
    for k in range(24):
        cand = (90.0 + 15.0 * k) % 360.0
        gap = min((_angle_gap(cand, a) for a in taken), default=360.0)
        if gap > best_gap + 1e-9:
            best, best_gap = cand, gap
    return best


def _copy_label(at: tuple[float, float], angle: float) -> tuple[list[float], str]:
    """Baseline point and text-anchor of a copy tensor's name, beside its dot."""
    rad = math.radians(angle)
    c, s = math.cos(rad), math.sin(rad)
    r = DOT + 7
    dy = 10 if s < -0.5 else 0 if s > 0.5 else 4
    pos = [at[0] + r * c, at[1] - r * s + dy]
    return pos, "start" if c > 0.3 else "end" if c < -0.3 else "middle"


def _stub_label(p2: tuple[float, float], angle: float) -> tuple[list[float], str]:
    """Position and text-anchor of an open leg's label, just beyond its end."""
    rad = math.radians(angle)
    c, s = math.cos(rad), math.sin(rad)
    pos = [p2[0] + 9 * c, p2[1] - 9 * s + (10 if s < -0.5 else 4)]
    return pos, "start" if c > 0.3 else "end" if c < -0.3 else "middle"


def _direction(x1: float, y1: float, x2: float, y2: float) -> float:
    return math.degrees(math.atan2(-(y2 - y1), x2 - x1)) % 360.0


Rect = tuple[float, float, float, float]


def _rect(corners: list[tuple[float, float]]) -> Rect:
    (x0, y0), (x1, y1) = corners
    return (x0, y0, x1, y1)


def _segs_cross(segs: np.ndarray, r: Rect) -> np.ndarray:
    """Which of the segments (rows x1, y1, x2, y2) pass through the inside of ``r``
    (Liang-Barsky clipping, all at once)."""
    if not len(segs):
        return np.zeros(0, bool)
    x1, y1, x2, y2 = segs.T
    dx, dy = x2 - x1, y2 - y1
    p = np.stack([-dx, dx, -dy, dy])
    q = np.stack([x1 - r[0], r[2] - x1, y1 - r[1], r[3] - y1])
    flat = np.abs(p) < 1e-12
    miss = (flat & (q <= 0)).any(axis=0)
    t = q / np.where(flat, 1.0, p)
    t0 = np.where((p < 0) & ~flat, t, 0.0).max(axis=0)
    t1 = np.where((p > 0) & ~flat, t, 1.0).min(axis=0)
    return ~miss & (t0 < t1)


def _crosses_rects(seg: tuple[float, float, float, float], rects: np.ndarray) -> np.ndarray:
    """Which of the rectangles (rows x0, y0, x1, y1) the segment passes through the inside
    of (Liang-Barsky, for all of them at once)."""
    x1, y1, x2, y2 = seg
    dx, dy = x2 - x1, y2 - y1
    t0 = np.zeros(len(rects))
    t1 = np.ones(len(rects))
    ok = np.ones(len(rects), bool)
    for p, q in (
        (-dx, x1 - rects[:, 0]),
        (dx, rects[:, 2] - x1),
        (-dy, y1 - rects[:, 1]),
        (dy, rects[:, 3] - y1),
    ):
        if abs(p) < 1e-12:
            ok &= q > 0
        elif p < 0:
            t0 = np.maximum(t0, q / p)
        else:
            t1 = np.minimum(t1, q / p)
    return ok & (t0 < t1)


def _meet(rects: np.ndarray, r: Rect) -> np.ndarray:
    """Which of the rectangles (rows x0, y0, x1, y1) overlap ``r``."""
    if not len(rects):
        return np.zeros(0, bool)
    return (rects[:, 0] < r[2]) & (r[0] < rects[:, 2]) & (rects[:, 1] < r[3]) & (r[1] < rects[:, 3])


class _Scene:
    """What is drawn so far, for placing open legs and labels where nothing else is."""

    def __init__(self, boxes: dict[str, Rect]) -> None:
        self.names = list(boxes)
        self.boxes = np.array(list(boxes.values()), float).reshape(-1, 4)
        self._items: dict[str, list[tuple[float, ...]]] = {"segs": [], "ends": [], "labels": []}
        self._cache: dict[str, np.ndarray] = {}

    def _array(self, key: str) -> np.ndarray:
        items = self._items[key]
        arr = self._cache.get(key)
        if arr is None or len(arr) != len(items):
            arr = np.array(items, float).reshape(len(items), 2 if key == "ends" else 4)
            self._cache[key] = arr
            if key == "segs":  # each segment's bounding box, to skip far ones quickly
                self._cache["segbox"] = np.stack(
                    [
                        np.minimum(arr[:, 0], arr[:, 2]),
                        np.minimum(arr[:, 1], arr[:, 3]),
                        np.maximum(arr[:, 0], arr[:, 2]),
                        np.maximum(arr[:, 1], arr[:, 3]),
                    ],
                    axis=1,
                ).reshape(len(items), 4)
        return arr

    def add_path(self, seg: list[float] | tuple[float, ...]) -> None:
        self._items["segs"].append(tuple(seg[:4]))

    def add_end(self, p: list[float] | tuple[float, ...]) -> None:
        self._items["ends"].append((p[0], p[1]))

    def add_label(self, r: Rect) -> None:
        self._items["labels"].append(r)

    def add_curve(self, c: list[float]) -> None:
        x1, y1, cx, cy, x2, y2 = c
        prev = (x1, y1)
        for k in range(1, 13):
            t = k / 12
            a, b, e = (1 - t) ** 2, 2 * t * (1 - t), t * t
            pt = (a * x1 + b * cx + e * x2, a * y1 + b * cy + e * y2)
            self.add_path((*prev, *pt))
            prev = pt

    def _crossing(self, r: Rect) -> int:
        """How many drawn segments pass through the inside of ``r``."""
        segs = self._array("segs")
        if not len(segs):
            return 0
        near = _meet(self._cache["segbox"], (r[0] - 1, r[1] - 1, r[2] + 1, r[3] + 1))
        return int(_segs_cross(segs[near], r).sum()) if near.any() else 0

    def _ends_in(self, r: Rect) -> int:
        e = self._array("ends")
        if not len(e):
            return 0
        inside = (r[0] < e[:, 0]) & (e[:, 0] < r[2]) & (r[1] < e[:, 1]) & (e[:, 1] < r[3])
        return int(inside.sum())

    def label_cost(self, r: Rect) -> int:
        """How many things a label at ``r`` would cover: boxes, labels, leg ends, wires."""
        cost = int(_meet(self.boxes, r).sum()) + int(_meet(self._array("labels"), r).sum())
        cost += self._ends_in((r[0] - 5, r[1] - 5, r[2] + 5, r[3] + 5))
        return cost + self._crossing((r[0] + 0.5, r[1] + 1.5, r[2] - 0.5, r[3] - 1.5))

    def leg_cost(self, tensor: str, p1: tuple[float, float], p2: tuple[float, float]) -> int:
        """How badly an open leg from ``p1`` to ``p2`` on ``tensor`` would sit: through
        another box, its end near another end or on a wire, or room for no label."""
        g = GRAB_ROOM
        grab = (p2[0] - g, p2[1] - g, p2[0] + g, p2[1] + g)
        span = (
            min(p1[0], p2[0]) - g,
            min(p1[1], p2[1]) - g,
            max(p1[0], p2[0]) + g,
            max(p1[1], p2[1]) + g,
        )
        cost = 0
        leg = np.array([[*p1, *p2]])
        for k in np.nonzero(_meet(self.boxes, span))[0]:
            if self.names[k] == tensor:
                continue
            box = (self.boxes[k, 0], self.boxes[k, 1], self.boxes[k, 2], self.boxes[k, 3])
            if _segs_cross(leg, box)[0] or _meet(self.boxes[k : k + 1], grab)[0]:
                cost += 2
        e = self._array("ends")
        if len(e):
            near = np.hypot(e[:, 0] - p2[0], e[:, 1] - p2[1]) < 2 * g
            cost += 2 * int(near.sum())
        return cost + self._crossing((p2[0] - 6, p2[1] - 6, p2[0] + 6, p2[1] + 6))


def _perimeter(x: float, y: float, hw: float, hh: float, p: list[float]) -> float:
    """Where point ``p`` (on the box's outline) lies along it, clockwise from top-left."""
    d = {
        "top": abs(p[1] - (y - hh)),
        "right": abs(p[0] - (x + hw)),
        "bottom": abs(p[1] - (y + hh)),
        "left": abs(p[0] - (x - hw)),
    }
    side = min(d, key=lambda k: d[k])
    if side == "top":
        return min(max(p[0] - (x - hw), 0.0), 2 * hw)
    if side == "right":
        return 2 * hw + min(max(p[1] - (y - hh), 0.0), 2 * hh)
    if side == "bottom":
        return 2 * hw + 2 * hh + min(max((x + hw) - p[0], 0.0), 2 * hw)
    return 4 * hw + 2 * hh + min(max((y + hh) - p[1], 0.0), 2 * hh)


def _on_outline(x: float, y: float, hw: float, hh: float, s: float) -> list[float]:
    """The point ``s`` along the box's outline (clockwise from its top-left corner)."""
    s %= 4 * hw + 4 * hh
    if s < 2 * hw:
        return [x - hw + s, y - hh]
    s -= 2 * hw
    if s < 2 * hh:
        return [x + hw, y - hh + s]
    s -= 2 * hh
    if s < 2 * hw:
        return [x + hw - s, y + hh]
    return [x - hw, y + hh - (s - 2 * hw)]


def _set_end(w: dict[str, Any], k: int, end: list[float]) -> None:
    """Move leg end ``k`` of wire ``w`` (and the drawn wire with it)."""
    w["ends"][k] = end
    if w["kind"] == "wire":
        seg = w["segments"][0 if k == 0 else -1]
        seg[2 * k : 2 * k + 2] = end
    elif w["kind"] == "trace":
        w["curve"][4 * k : 4 * k + 2] = end
        w["segments"] = [w["curve"][:4], w["curve"][2:]]
    else:
        w["segments"][k][:2] = end


def _spread_ports(
    wires: list[dict[str, Any]], shapes: dict[str, tuple[tuple[float, float], float, str]]
) -> None:
    """Wires leaving a box at (nearly) one point are spread along its outline, ``PORT``
    apart (round corners too), so that every leg end can be grabbed; a copy tensor's leg
    ends are marked a little way out along their wires (its dot is too small)."""
    at: dict[str, list[tuple[float, dict[str, Any], int]]] = {}
    for w in wires:
        for k, (owner, end) in enumerate(zip(w["owners"], w["ends"], strict=True)):
            (x, y), width, kind = shapes[owner]
            if kind != "copy":
                at.setdefault(owner, []).append((_perimeter(x, y, width / 2, BOX / 2, end), w, k))
    for owner, items in at.items():
        if len(items) < 2:
            continue
        (x, y), width, _ = shapes[owner]
        hw, hh = width / 2, BOX / 2
        total = 4 * hw + 4 * hh
        items.sort(key=lambda it: it[0])
        s = [it[0] for it in items]
        gap = min(PORT, total / len(s))
        n = len(s)

        box = (x, y, hw, hh)

        def apart(i: int, j: int, s: list[float] = s, box: tuple[float, ...] = box) -> float:
            return math.dist(_on_outline(*box, s[i]), _on_outline(*box, s[j]))

        for _ in range(60):  # push neighbours round the outline until they are apart
            moved = False
            for i in range(n if n > 2 else 1):
                j = (i + 1) % n
                d = apart(i, j)
                if d < gap - 1e-6:
                    push = (gap - d) / 2 + 0.5
                    s[i] -= push
                    s[j] += push
                    moved = True
            if not moved:
                break
        for (_, w, k), sk in zip(items, s, strict=True):
            _set_end(w, k, _on_outline(x, y, hw, hh, sk))
    for w in wires:  # a copy tensor's ends: out along the wire, clear of its other legs
        for k, owner in enumerate(w["owners"]):
            (x, y), _, kind = shapes[owner]
            if kind != "copy":
                continue
            e = w["ends"][k]
            dx, dy = e[0] - x, e[1] - y
            norm = math.hypot(dx, dy) or 1.0
            w["ends"][k] = [x + dx / norm * (DOT + 9), y + dy / norm * (DOT + 9)]


def _detour(
    p1: list[float], p2: list[float], boxes: list[tuple[str, Rect]], skip: set[str]
) -> list[list[float]]:
    """A wire from ``p1`` to ``p2`` that goes round the boxes it would pass under: two
    bends beside them all, on the side that needs the smaller step, as a list of points."""
    pts = [list(p1), list(p2)]
    others = [r for name, r in boxes if name not in skip]
    if not others:
        return pts
    rects = np.array(others, float).reshape(-1, 4)
    grown = rects + np.array([-2.0, -2.0, 2.0, 2.0])
    for _ in range(6):
        for k in range(len(pts) - 1):
            a, b = pts[k], pts[k + 1]
            hit = list(np.nonzero(_crosses_rects((a[0], a[1], b[0], b[1]), grown))[0])
            if hit:
                break
        else:
            return pts
        dx, dy = b[0] - a[0], b[1] - a[1]
        length = math.hypot(dx, dy) or 1.0
        ux, uy = dx / length, dy / length
        nx, ny = -uy, ux
        lo_t, hi_t, lo_n, hi_n = math.inf, -math.inf, math.inf, -math.inf
        for i in hit:
            r = rects[i]
            cx, cy = (r[0] + r[2]) / 2, (r[1] + r[3]) / 2
            hw, hh = (r[2] - r[0]) / 2, (r[3] - r[1]) / 2
            along = (cx - a[0]) * ux + (cy - a[1]) * uy
            side = (cx - a[0]) * nx + (cy - a[1]) * ny
            half_u, half_n = abs(ux) * hw + abs(uy) * hh, abs(nx) * hw + abs(ny) * hh
            lo_t, hi_t = min(lo_t, along - half_u), max(hi_t, along + half_u)
            lo_n, hi_n = min(lo_n, side - half_n), max(hi_n, side + half_n)
        # round the side that needs the smaller step
        up, down = hi_n + GAP_WIRE, -lo_n + GAP_WIRE
        off = up if up <= down else -down
        t1 = min(max(lo_t - GAP_WIRE, 0.2 * lo_t if lo_t > 0 else 0.0), length)
        t2 = max(min(hi_t + GAP_WIRE, length - 0.2 * (length - hi_t)), t1)
        pts[k + 1 : k + 1] = [
            [float(a[0] + ux * t + nx * off), float(a[1] + uy * t + ny * off)] for t in (t1, t2)
        ]
    return pts


def _clear_of(x: float, y: float, rects: list[Rect], room: float = 14.0) -> tuple[float, float]:
    """``(x, y)``, or the nearest of a few points round it that no box covers (with room)."""

    def free(px: float, py: float) -> bool:
        return not any(
            r[0] - room < px < r[2] + room and r[1] - room < py < r[3] + room for r in rects
        )

    if free(x, y):
        return x, y
    for radius in (30.0, 50.0, 70.0, 95.0, 125.0):
        for k in range(8):
            a = math.radians(270.0 + 45.0 * k)
            px, py = x + radius * math.cos(a), y - radius * math.sin(a)
            if free(px, py):
                return px, py
    return x, y


def _best(candidates: list[Any], cost: Callable[[Any], float]) -> Any:
    """The first candidate of least cost (the first with none, as soon as it is seen)."""
    best, best_cost = candidates[0], math.inf
    for c in candidates:
        k = cost(c)
        if k < best_cost:
            best, best_cost = c, k
            if k == 0:
                break
    return best


def _side_points(p1: tuple[float, float], p2: tuple[float, float], text: str) -> list[list[float]]:
    """Places for a wire's label: beside its middle (the preferred side, then the other),
    then beside a third and two thirds of the way, then farther out."""
    dx, dy = p2[0] - p1[0], p2[1] - p1[1]
    norm = math.hypot(dx, dy) or 1.0
    nx, ny = -dy / norm, dx / norm
    if ny > 1e-9 or (abs(ny) <= 1e-9 and nx < 0):
        nx, ny = -nx, -ny
    half = LABEL_CHAR * len(text) / 2
    gap = 4 + half * abs(nx) + 7.5 * abs(ny)
    out = []
    for extra in (0.0, 14.0):
        for t in (0.5, 0.3, 0.7):
            for side in (1, -1):
                g = (gap + extra) * side
                mx, my = p1[0] + t * dx, p1[1] + t * dy
                out.append([mx + nx * g, my + ny * g + 3.5])
    return out


def _around(x: float, y: float, r: float, text: str) -> list[tuple[list[float], str]]:
    """Places for a label round a point (a copy dot, a leg's end): eight directions."""
    out = []
    for ang in (45.0, 0.0, 315.0, 90.0, 270.0, 135.0, 180.0, 225.0):
        rad = math.radians(ang)
        c, s = math.cos(rad), math.sin(rad)
        anchor = "start" if c > 0.3 else "end" if c < -0.3 else "middle"
        dy = 10 if s < -0.5 else 0 if s > 0.5 else 4
        out.append(([x + r * c, y - r * s + dy], anchor))
    return out


def geometry(d: Diagram) -> dict[str, Any]:
    """Shapes of the picture: tensors, wires (with hyperedge dots) and open legs.

    Coordinates are SVG pixels (y down). Every leg ``'T:leg'`` appears once, either on
    a wire (``wires[k]['legs']``) or as an open or summed stub (``stubs``). A tensor's
    box is ``width`` wide (:func:`box_width`: long names widen it) and ``BOX`` high; a
    copy tensor's name goes at ``label`` with ``anchor`` (SVG ``text-anchor``), as do
    stubs' labels; ``viewBox`` encloses every shape and label (:func:`bounds`).
    A wire's ``text`` (``'model (80)'``) shows its legs' shared ``name`` when they share
    one, else the index label; an open hyperedge's leg ends at ``end``. A wire's leg ends
    are ``ends`` (in the order of ``legs``), on the tensors ``owners``.
    This is the only geometry: the widget is sent it (its ``geometry`` trait) and draws it.

    >>> import numpy as np
    >>> from tensorlessons import Diagram
    >>> g = geometry(Diagram.from_einsum("ii->", np.eye(2), names=["attn pattern"]))
    >>> g["tensors"][0]["width"], g["wires"][0]["kind"]
    (104.0, 'trace')
    >>> geometry(Diagram.from_einsum("ij,j->ij", np.ones((2, 3)), np.ones(3)))["wires"][0]["text"]
    'j (3)'
    """
    tensors = list(d)
    pos = {t.name: t.position for t in tensors}
    width = {t.name: (2 * DOT if t.kind == "copy" else box_width(t.name)) for t in tensors}
    members: dict[str, list[tuple[str, int]]] = {}
    for t in tensors:
        for k, lab in enumerate(t.labels):
            members.setdefault(lab, []).append((t.name, k))
    out = set(d.output)
    used_angles: dict[str, list[float]] = {t.name: [] for t in tensors}
    wires: list[dict[str, Any]] = []
    pending_stubs: list[tuple[str, int, str]] = []  # (tensor, axis, "open"|"summed")
    pair_total: dict[tuple[str, str], int] = {}  # wires between the same two tensors
    pair_seen: dict[tuple[str, str], int] = {}

    # First pass: directions towards neighbours, so that stubs can avoid them.
    for lab, group in members.items():
        tnames = {g[0] for g in group}
        if len(group) == 2 and lab not in out and len(tnames) == 2:
            (a, _), (b, _) = group
            used_angles[a].append(_direction(*pos[a], *pos[b]))
            used_angles[b].append(_direction(*pos[b], *pos[a]))
            pair = (min(a, b), max(a, b))
            pair_total[pair] = pair_total.get(pair, 0) + 1
    # Hyperedges between tensors: a copy dot at their mean position; between two tensors
    # also joined by a wire, moved off that wire (to one side, then the other).
    hyper_at: dict[str, tuple[float, float]] = {}
    hyper_seen: dict[tuple[str, str], int] = {}
    for lab, group in members.items():
        tnames = {g[0] for g in group}
        if len(group) < 2 or len(tnames) < 2 or (len(group) == 2 and lab not in out):
            continue
        cx = float(np.mean([pos[n][0] for n, _ in group]))
        cy = float(np.mean([pos[n][1] for n, _ in group]))
        pair = (min(tnames), max(tnames))
        if len(tnames) == 2 and pair_total.get(pair):
            k = hyper_seen.get(pair, 0)
            hyper_seen[pair] = k + 1
            dx, dy = pos[pair[1]][0] - pos[pair[0]][0], pos[pair[1]][1] - pos[pair[0]][1]
            norm = math.hypot(dx, dy) or 1.0
            px, py = -dy / norm, dx / norm
            if py < -1e-9 or (abs(py) <= 1e-9 and px < 0):
                px, py = -px, -py  # below the wire first (or right of a vertical one)
            off = HYPER_OFFSET * (1 + k // 2) * (1 if k % 2 == 0 else -1)
            cx, cy = cx + px * off, cy + py * off
        else:
            # near the middle, where no leg to the dot runs along one of its tensors' wires
            def clash(c: tuple[float, float], names: set[str] = tnames) -> int:
                return sum(
                    any(_angle_gap(_direction(*pos[n], *c), a) < 12 for a in used_angles[n])
                    for n in names
                )

            spots = [(cx, cy)] + [
                (cx + r * math.cos(math.radians(a)), cy - r * math.sin(math.radians(a)))
                for r in (20.0, 35.0, 50.0, 80.0, 120.0, 160.0)
                for a in range(270, 630, 45)
            ]
            cx, cy = _best(spots, clash)
        hyper_at[lab] = (cx, cy)
        for n, _ in group:
            used_angles[n].append(_direction(*pos[n], cx, cy))

    rect_of = {
        t.name: (
            pos[t.name][0] - width[t.name] / 2,
            pos[t.name][1] - (DOT if t.kind == "copy" else BOX / 2),
            pos[t.name][0] + width[t.name] / 2,
            pos[t.name][1] + (DOT if t.kind == "copy" else BOX / 2),
        )
        for t in tensors
    }

    def free_angle(name: str, prefer: float = _PREFERRED[0]) -> float:
        taken = used_angles[name]
        if not taken:
            taken.append(prefer)
            return prefer
        best, best_gap = 0.0, -1.0
        for k in range(24):
            cand = (180.0 + 15.0 * k) % 360.0
            gap = min((_angle_gap(cand, a) for a in taken), default=360.0)
            if gap > best_gap + 1e-9:
                best, best_gap = cand, gap
        taken.append(best)
        return best

    for lab, group in members.items():
        t_of = {n: d.tensor(n) for n, _ in group}
        refs = [f"{n}:{t_of[n].legs[k]}" for n, k in group]
        dim = t_of[group[0][0]].dims[group[0][1]]
        tnames = {g[0] for g in group}
        # a wire shows its legs' shared name (model, not the index label model3), if any
        leg_names = {t_of[n].legs[k] for n, k in group}
        shown = next(iter(leg_names)) if len(leg_names) == 1 else lab
        text = f"{shown} ({dim})"
        if len(group) == 1:
            n, k = group[0]
            pending_stubs.append((n, k, "open" if lab in out else "summed"))
            continue
        if len(group) == 2 and lab not in out and len(tnames) == 2:
            (a, _), (b, _) = group
            ang_a = _direction(*pos[a], *pos[b])
            p1 = _boundary(*pos[a], ang_a, t_of[a].kind, width[a])
            p2 = _boundary(*pos[b], (ang_a + 180.0) % 360.0, t_of[b].kind, width[b])
            # Several wires between the same two tensors: side by side, not on top.
            pair = (min(a, b), max(a, b))
            k = pair_seen.get(pair, 0)
            pair_seen[pair] = k + 1
            step = min(PARALLEL, (BOX - 8) / max(pair_total[pair] - 1, 1))
            off = (k - (pair_total[pair] - 1) / 2) * step
            label = _wire_label(p1, p2, text)
            cands = _side_points(p1, p2, text)
            if off:
                rad = math.radians(_direction(*pos[pair[0]], *pos[pair[1]]))
                ox, oy = math.sin(rad) * off, math.cos(rad) * off
                p1 = (p1[0] + ox, p1[1] + oy)
                p2 = (p2[0] + ox, p2[1] + oy)
                # labels of side-by-side wires on their outer sides
                far = off + math.copysign(10.0, off)
                label = [
                    (p1[0] + p2[0] - 2 * ox) / 2 + math.sin(rad) * far,
                    (p1[1] + p2[1] - 2 * oy) / 2 + math.cos(rad) * far + 4,
                ]
                cands = [label, *_side_points(p1, p2, text)]
            wires.append(
                {
                    "id": lab,
                    "index": lab,
                    "dim": dim,
                    "name": shown,
                    "text": text,
                    "kind": "wire",
                    "legs": refs,
                    "segments": [[*p1, *p2]],
                    "label": label,
                    "dot": None,
                    "open": False,
                    "ends": [list(p1), list(p2)],
                    "owners": [a, b],
                    "_cands": [(c, "middle") for c in cands],
                }
            )
            continue
        if len(tnames) == 1 and len(group) == 2 and lab not in out:
            # A loop in the freest direction (up when there is nothing else), leaving
            # and re-entering the tensor on the same side.
            n = group[0][0]
            mid = free_angle(n, prefer=90.0)
            used_angles[n].pop()
            a1, a2 = (mid + TRACE_SPREAD) % 360.0, (mid - TRACE_SPREAD) % 360.0
            used_angles[n] += [a1, a2]
            p1 = _boundary(*pos[n], a1, t_of[n].kind, width[n])
            p2 = _boundary(*pos[n], a2, t_of[n].kind, width[n])
            rad = math.radians(mid)
            r = _loop_distance(mid, t_of[n].kind, width[n], factor=2.0)
            c = (pos[n][0] + r * math.cos(rad), pos[n][1] - r * math.sin(rad))
            apex = ((p1[0] + 2 * c[0] + p2[0]) / 4, (p1[1] + 2 * c[1] + p2[1]) / 4)
            half = LABEL_CHAR * len(text) / 2
            label = [
                apex[0] + (8 + half) * math.cos(rad),
                apex[1] - 12 * math.sin(rad) + 4,
            ]
            # else: beside the loop's top on either side, or beyond it
            cands = [
                label,
                [apex[0] - (8 + half) * math.cos(rad), apex[1] + 12 * math.sin(rad) + 4],
                [apex[0] + (half + 14) * math.sin(rad), apex[1] + 14 * math.cos(rad) + 4],
                [apex[0] - (half + 14) * math.sin(rad), apex[1] - 14 * math.cos(rad) + 4],
                [apex[0] + 16 * math.cos(rad), apex[1] - 16 * math.sin(rad) + 4],
            ]
            wires.append(
                {
                    "id": lab,
                    "index": lab,
                    "dim": dim,
                    "name": shown,
                    "text": text,
                    "kind": "trace",
                    "legs": refs,
                    "segments": [[*p1, *c], [*c, *p2]],
                    "curve": [*p1, *c, *p2],
                    "label": label,
                    "dot": None,
                    "open": False,
                    "ends": [list(p1), list(p2)],
                    "owners": [n, n],
                    "_cands": [(c, "middle") for c in cands],
                }
            )
            continue
        # Hyperedge: a copy dot joined to every leg (plus an open stub if in the output).
        cx = float(np.mean([pos[n][0] for n, _ in group]))
        cy = float(np.mean([pos[n][1] for n, _ in group]))
        if lab in hyper_at:
            cx, cy = hyper_at[lab]
        elif len(tnames) == 1:
            n = group[0][0]
            ang = free_angle(n)
            r = _loop_distance(ang, t_of[n].kind, width[n])
            cx += r * math.cos(math.radians(ang))
            cy -= r * math.sin(math.radians(ang))
        # a dot that another box covers (the learner dropped it there) moves out
        cx, cy = _clear_of(cx, cy, [rect_of[t.name] for t in tensors if t.name not in tnames])
        segs = []
        for n, _ in group:
            ang = _direction(*pos[n], cx, cy)
            p = _boundary(*pos[n], ang, t_of[n].kind, width[n])
            segs.append([*p, cx, cy])
        if lab in out:
            segs.append([cx, cy, cx, cy + LEG])
        wires.append(
            {
                "id": lab,
                "index": lab,
                "dim": dim,
                "name": shown,
                "text": text,
                "kind": "hyper",
                "legs": refs,
                "segments": segs,
                # an open hyperedge's label beside its open leg, away from the wires
                "label": (
                    [cx + 6 + LABEL_CHAR * len(text) / 2, cy + 0.6 * LEG + 4]
                    if lab in out
                    else [cx + 8, cy - 8]
                ),
                "dot": [cx, cy],
                "open": lab in out,
                "ends": [seg[:2] for seg in segs[: len(group)]],
                "owners": [n for n, _ in group],
                "_cands": [],
            }
        )
        first = wires[-1]["label"]
        half = LABEL_CHAR * len(text) / 2
        wires[-1]["_cands"] = [(first, "middle")] + [
            ([p[0] + {"start": half, "end": -half, "middle": 0.0}[anc], p[1]], "middle")
            for radius in (10.0, 24.0, 40.0)
            for p, anc in _around(cx, cy, radius, text)
        ]
        if lab in out:  # the open leg's end, marked like an open stub's
            wires[-1]["end"] = [cx, cy + LEG]

    _spread_ports(wires, {t.name: (pos[t.name], width[t.name], t.kind) for t in tensors})
    # What is drawn so far: boxes, wires and their ends. Open legs go where they are
    # clear of them; labels go where they cover nothing (see _Scene).
    boxes: dict[str, Rect] = {}
    for t in tensors:
        hw, hh = width[t.name] / 2, (DOT if t.kind == "copy" else BOX / 2)
        boxes[t.name] = (
            pos[t.name][0] - hw,
            pos[t.name][1] - hh,
            pos[t.name][0] + hw,
            pos[t.name][1] + hh,
        )
    # a wire that would pass under a box it does not join goes round it
    box_list = list(boxes.items())
    for w in wires:
        if w["kind"] == "hyper":
            # a leg to a copy dot likewise; the extra pieces go after the open leg's
            # segment (segment k stays leg k's first piece)
            extra = []
            for k, owner in enumerate(w["owners"]):
                seg = w["segments"][k]
                pts = _detour(seg[:2], seg[2:], box_list, {owner})
                if len(pts) > 2:
                    w["segments"][k] = [*pts[0], *pts[1]]
                    extra += [[*pts[i], *pts[i + 1]] for i in range(1, len(pts) - 1)]
            w["segments"] += extra
            continue
        if w["kind"] != "wire":
            continue
        seg = w["segments"][0]
        pts = _detour(seg[:2], seg[2:], box_list, set(w["owners"]))
        if len(pts) > 2:
            w["segments"] = [[*pts[i], *pts[i + 1]] for i in range(len(pts) - 1)]
            mid = max(range(len(pts) - 1), key=lambda i: math.dist(pts[i], pts[i + 1]))
            w["_cands"] = [
                (c, "middle") for c in _side_points(tuple(pts[mid]), tuple(pts[mid + 1]), w["text"])
            ] + w["_cands"]
    scene = _Scene(boxes)
    for w in wires:
        if w["kind"] == "trace":
            scene.add_curve(w["curve"])
        else:
            for seg in w["segments"]:
                scene.add_path(seg)
        for e in w["ends"]:
            scene.add_end(e)
        if w.get("end"):
            scene.add_end(w["end"])
    # other tensors close by count as taken directions for open legs (after a cut, the
    # freed ends do not point at each other)
    names = [t.name for t in tensors]
    xy = np.array([pos[n] for n in names], float).reshape(-1, 2)
    wd = np.array([width[n] for n in names], float)
    close = (
        np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
        < NEAR + (wd[:, None] + wd[None, :]) / 2
    )
    np.fill_diagonal(close, False)
    for i, j in zip(*np.nonzero(close), strict=True):
        a, b = names[i], names[j]
        ang = _direction(*pos[a], *pos[b])
        if all(_angle_gap(ang, u) > 20 for u in used_angles[a]):
            used_angles[a].append(ang)

    def leg_angle(name: str) -> float:
        """The open leg's direction: far from the tensor's other legs, clear of the rest."""
        t = d.tensor(name)
        taken = used_angles[name]
        order = []
        for k in range(24):
            cand = (180.0 + 15.0 * k) % 360.0
            gap = min((_angle_gap(cand, a) for a in taken), default=360.0)
            order.append(((500 if gap < 25 else 0) - min(gap, 120.0) - gap / 1000, k, cand))
        order.sort()
        # the freest direction clear of everything, else the one that clashes least (a
        # clash costs more than any gap is worth)
        best, best_score = order[0][2], math.inf
        for pref, _, cand in order:
            if pref >= best_score:
                break
            p1 = _boundary(*pos[name], cand, t.kind, width[name])
            rad = math.radians(cand)
            p2 = (p1[0] + LEG * math.cos(rad), p1[1] - LEG * math.sin(rad))
            score = scene.leg_cost(name, p1, p2) * 1000 + pref
            if score < best_score:
                best, best_score = cand, score
        taken.append(best)
        return best

    stubs = []
    for n, k, state in pending_stubs:
        t = d.tensor(n)
        ang = leg_angle(n) if used_angles[n] else free_angle(n)
        p1 = _boundary(*t.position, ang, t.kind, width[n])
        rad = math.radians(ang)
        p2 = (p1[0] + LEG * math.cos(rad), p1[1] - LEG * math.sin(rad))
        scene.add_path((*p1, *p2))
        scene.add_end(p2)
        label, anchor = _stub_label(p2, ang)
        stubs.append(
            {
                "ref": f"{n}:{t.legs[k]}",
                "tensor": n,
                "leg": t.legs[k],
                "index": t.labels[k],
                "dim": t.dims[k],
                "state": state,
                "line": [*p1, *p2],
                "label": label,
                "anchor": anchor,
                "angle": ang,
            }
        )
    # Labels, each where it covers least (nothing, mostly): wires', open legs', copies'.
    for w in wires:
        cands = w.pop("_cands") or [(w["label"], "middle")]

        def wcost(c: tuple[list[float], str], text: str = w["text"]) -> int:
            return scene.label_cost(_rect(_text_box(*c[0], text, c[1])))

        w["label"] = list(_best(cands, wcost)[0])
        scene.add_label(_rect(_text_box(*w["label"], w["text"])))
    for st in stubs:
        text = f"{st['leg']} ({st['dim']})"
        x1, y1, x2, y2 = st["line"]
        rad = math.radians(st["angle"])
        c, s_ = math.cos(rad), math.sin(rad)
        half = LABEL_CHAR * len(text) / 2
        cands = [(st["label"], st["anchor"])]
        # beside the leg near its end, on either side
        for side in (1, -1):
            nx, ny = -s_ * side, -c * side  # perpendicular (y down)
            px, py = x2 - 8 * c + nx * 9, y2 + 8 * s_ + ny * 9
            anchor = "start" if nx > 0.3 else "end" if nx < -0.3 else "middle"
            cands.append(([px, py + (10 if ny > 0.5 else 0 if ny < -0.5 else 4)], anchor))
        cands += _around(x2, y2, 10.0, text)
        cands.append(([x2 + (9 + half) * c, y2 - 16 * s_ + 4], "middle"))

        def scost(cand: tuple[list[float], str], text: str = text) -> int:
            return scene.label_cost(_rect(_text_box(*cand[0], text, cand[1])))

        st["label"], st["anchor"] = _best(cands, scost)
        st["label"] = list(st["label"])
        scene.add_label(_rect(_text_box(*st["label"], text, st["anchor"])))
    shapes = []
    for t in tensors:
        shape = {
            "name": t.name,
            "kind": t.kind,
            "x": t.position[0],
            "y": t.position[1],
            "order": t.order,
            "shape": list(t.dims),
            "width": width[t.name],
            "height": DOT * 2 if t.kind == "copy" else BOX,
        }
        if t.kind == "copy":  # the name beside the dot, where no wire or leg is
            first = _copy_label(t.position, _widest_gap(used_angles[t.name]))
            cands = [first] + [
                _copy_label(t.position, a)
                for a in sorted(
                    (15.0 * k for k in range(24)),
                    key=lambda a, u=used_angles[t.name]: (
                        -min((_angle_gap(a, b) for b in u), default=360.0)
                    ),
                )
            ]

            def ccost(c: tuple[list[float], str], name: str = t.name) -> int:
                return scene.label_cost(_rect(_text_box(*c[0], name, c[1])))

            shape["label"], shape["anchor"] = _best(cands, ccost)
            scene.add_label(_rect(_text_box(*shape["label"], t.name, shape["anchor"])))
        shapes.append(shape)
    return {
        "tensors": shapes,
        "wires": wires,
        "stubs": stubs,
        "viewBox": bounds(shapes, wires, stubs),
    }


def label_boxes(g: dict[str, Any]) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Every label of a geometry with its estimated extent ``(x0, y0, x1, y1)``: wires'
    (keyed by wire id), open legs' (by leg) and copy tensors' names (by tensor)."""
    out = []
    for w in g["wires"]:
        (a, b) = _text_box(*w["label"], w["text"])
        out.append((w["id"], (a[0], a[1], b[0], b[1])))
    for s in g["stubs"]:
        (a, b) = _text_box(*s["label"], f"{s['leg']} ({s['dim']})", s["anchor"])
        out.append((s["ref"], (a[0], a[1], b[0], b[1])))
    for t in g["tensors"]:
        if t["kind"] == "copy" and "label" in t:
            (a, b) = _text_box(*t["label"], t["name"], t["anchor"])
            out.append((t["name"], (a[0], a[1], b[0], b[1])))
    return out


def bounds(
    shapes: list[dict[str, Any]], wires: list[dict[str, Any]], stubs: list[dict[str, Any]]
) -> list[float]:
    """The viewBox ``[x, y, w, h]`` enclosing every shape and every label, with a margin.

    Labels count with their estimated text extents (a trace loop's label above the loop,
    an open leg's label beyond its end), so nothing is clipped at the picture's edges.
    """
    pts: list[tuple[float, float]] = []
    for s in shapes:
        if s["kind"] == "copy":
            pts += [(s["x"] - DOT, s["y"] - DOT), (s["x"] + DOT, s["y"] + DOT)]
            label = s.get("label", [s["x"], s["y"] - DOT - 5])
            pts += _text_box(*label, s["name"], s.get("anchor", "middle"))
        else:
            hw = s.get("width", BOX) / 2
            pts += [(s["x"] - hw, s["y"] - BOX / 2), (s["x"] + hw, s["y"] + BOX / 2)]
    for w in wires:
        if w["kind"] == "trace":  # the loop itself, not its control point
            x1, y1, cx, cy, x2, y2 = w["curve"]
            for k in range(17):
                t = k / 16
                a, b, c = (1 - t) ** 2, 2 * t * (1 - t), t * t
                pts.append((a * x1 + b * cx + c * x2, a * y1 + b * cy + c * y2))
        else:
            for seg in w["segments"]:
                pts += [(seg[0], seg[1]), (seg[2], seg[3])]
        pts += _text_box(*w["label"], w.get("text", f"{w['index']} ({w['dim']})"))
    for st in stubs:
        pts.append((st["line"][2], st["line"][3]))
        pts += _text_box(*st["label"], f"{st['leg']} ({st['dim']})", st.get("anchor", "middle"))
    if not pts:
        return [0.0, 0.0, 320.0, 120.0]
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    return [min(xs) - 10, min(ys) - 10, max(xs) - min(xs) + 20, max(ys) - min(ys) + 20]


def open_spot(d: Diagram, name: str = "T") -> tuple[float, float]:
    """Where a new, unconnected tensor called ``name`` goes: right of the picture, clear
    of every label (its own leftward open leg and label included), level with its middle.

    >>> import numpy as np
    >>> from tensorlessons import Diagram
    >>> d = Diagram.from_arrays({"A": np.ones((3, 3))})
    >>> x, y = open_spot(d, "B")
    >>> vx, vy, vw, vh = geometry(d)["viewBox"]
    >>> bool(x - box_width("B") / 2 - LEG > vx + vw), abs(y - (vy + vh / 2)) < 0.1
    (True, True)
    """
    vx, vy, vw, vh = geometry(d)["viewBox"]
    reach = box_width(name) / 2 + LEG + 9 + LABEL_CHAR * len("i (4096)") + 12
    return round(vx + vw + reach, 1), round(vy + vh / 2, 1)


def _fmt(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def to_svg(d: Diagram, *, title: str | None = None, scale: float = 1.0) -> str:
    """A standalone SVG of the diagram. Every name is escaped text, never markup."""
    g = geometry(d)
    vx, vy, vw, vh = g["viewBox"]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="tl-diagram" '
        f'viewBox="{_fmt(vx)} {_fmt(vy)} {_fmt(vw)} {_fmt(vh)}" '
        f'width="{_fmt(vw * scale)}" height="{_fmt(vh * scale)}" '
        f'font-family="sans-serif" font-size="12">'
    ]
    if title:
        parts.append(f"<title>{escape(title)}</title>")
    parts.append(
        "<style>.tl-wire,.tl-leg{stroke:#444;stroke-width:2;fill:none}"
        ".tl-box{fill:#e8f0fe;stroke:#1a56b0;stroke-width:2}"
        ".tl-copy{fill:#222}.tl-hyper{fill:#222}.tl-name{font-weight:bold;fill:#111}"
        ".tl-label{fill:#555;font-size:11px}.tl-sum{fill:#fff;stroke:#444;stroke-width:1.5}"
        "</style>"
    )
    for w in g["wires"]:
        attr = (
            f'class="tl-wire-group" data-wire="{escape(w["id"])}" data-index="{escape(w["index"])}"'
        )
        parts.append(f"<g {attr}>")
        if w["kind"] == "trace":
            x1, y1, cx, cy, x2, y2 = w["curve"]
            parts.append(
                f'<path class="tl-wire" d="M{_fmt(x1)},{_fmt(y1)} Q{_fmt(cx)},{_fmt(cy)} '
                f'{_fmt(x2)},{_fmt(y2)}"/>'
            )
        else:
            for x1, y1, x2, y2 in w["segments"]:
                parts.append(
                    f'<line class="tl-wire" x1="{_fmt(x1)}" y1="{_fmt(y1)}" '
                    f'x2="{_fmt(x2)}" y2="{_fmt(y2)}"/>'
                )
        if w["dot"] is not None:
            parts.append(
                f'<circle class="tl-hyper" cx="{_fmt(w["dot"][0])}" cy="{_fmt(w["dot"][1])}" r="5"/>'
            )
        lx, ly = w["label"]
        text = w["text"]
        parts.append(
            f'<text class="tl-label" x="{_fmt(lx)}" y="{_fmt(ly)}" '
            f'text-anchor="middle">{escape(text)}</text>'
        )
        parts.append("</g>")
    for st in g["stubs"]:
        x1, y1, x2, y2 = st["line"]
        parts.append(
            f'<g class="tl-stub" data-leg="{escape(st["ref"])}" data-state="{st["state"]}">'
            f'<line class="tl-leg" x1="{_fmt(x1)}" y1="{_fmt(y1)}" x2="{_fmt(x2)}" y2="{_fmt(y2)}"/>'
        )
        if st["state"] == "summed":
            parts.append(f'<circle class="tl-sum" cx="{_fmt(x2)}" cy="{_fmt(y2)}" r="4"/>')
        lx, ly = st["label"]
        parts.append(
            f'<text class="tl-label" x="{_fmt(lx)}" y="{_fmt(ly)}" text-anchor="{st["anchor"]}">'
            f"{escape(st['leg'])} ({st['dim']})</text></g>"
        )
    for t in g["tensors"]:
        x, y = t["x"], t["y"]
        parts.append(f'<g class="tl-tensor" data-tensor="{escape(t["name"])}">')
        if t["kind"] == "copy":
            parts.append(f'<circle class="tl-copy" cx="{_fmt(x)}" cy="{_fmt(y)}" r="{_fmt(DOT)}"/>')
            lx, ly = t["label"]
            parts.append(
                f'<text class="tl-label" x="{_fmt(lx)}" y="{_fmt(ly)}" '
                f'text-anchor="{t["anchor"]}">{escape(t["name"])}</text>'
            )
        else:
            h, hw = BOX / 2, t["width"] / 2
            parts.append(
                f'<rect class="tl-box" x="{_fmt(x - hw)}" y="{_fmt(y - h)}" '
                f'width="{_fmt(t["width"])}" height="{_fmt(BOX)}" rx="8"/>'
            )
            parts.append(
                f'<text class="tl-name" x="{_fmt(x)}" y="{_fmt(y + 4)}" '
                f'text-anchor="middle">{escape(t["name"])}</text>'
            )
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


_TEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "%": r"\%",
    "_": r"\_",
    "^": r"\^{}",
    "~": r"\~{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
}


def _tex(text: str) -> str:
    return "".join(_TEX_SPECIAL.get(c, c) for c in text)


def to_tikz(d: Diagram, unit: float = 50.0) -> str:
    """A ``tikzpicture`` of the diagram (coordinates in cm, y up)."""
    g = geometry(d)

    def p(x: float, y: float) -> str:
        return f"({x / unit:.2f},{-y / unit:.2f})"

    lines = [
        "% tensorlessons diagram: needs \\usepackage{tikz}",
        "\\begin{tikzpicture}[tensor/.style={draw, thick, rounded corners, fill=blue!8, "
        "minimum size=0.9cm}, copy/.style={circle, fill=black, inner sep=2pt}, "
        "leg/.style={font=\\scriptsize, text=black!70}]",
    ]
    for w in g["wires"]:
        if w["kind"] == "trace":
            x1, y1, cx, cy, x2, y2 = w["curve"]
            lines.append(f"  \\draw[thick] {p(x1, y1)} .. controls {p(cx, cy)} .. {p(x2, y2)};")
        else:
            for x1, y1, x2, y2 in w["segments"]:
                lines.append(f"  \\draw[thick] {p(x1, y1)} -- {p(x2, y2)};")
        if w["dot"] is not None:
            lines.append(f"  \\node[copy] at {p(*w['dot'])} {{}};")
        lines.append(f"  \\node[leg] at {p(*w['label'])} {{${_tex(w['name'])}$}};")
    for st in g["stubs"]:
        x1, y1, x2, y2 = st["line"]
        lines.append(f"  \\draw[thick] {p(x1, y1)} -- {p(x2, y2)};")
        if st["state"] == "summed":
            lines.append(
                f"  \\node[circle, draw, inner sep=1.5pt, fill=white] at {p(x2, y2)} {{}};"
            )
        side = {"start": ", anchor=west", "end": ", anchor=east"}.get(st["anchor"], "")
        lines.append(f"  \\node[leg{side}] at {p(*st['label'])} {{${_tex(st['leg'])}$}};")
    for t in g["tensors"]:
        if t["kind"] == "copy":
            lines.append(f"  \\node[copy] at {p(t['x'], t['y'])} {{}};")
        else:
            lines.append(f"  \\node[tensor] at {p(t['x'], t['y'])} {{${_tex(t['name'])}$}};")
    lines.append("\\end{tikzpicture}")
    return "\n".join(lines) + "\n"


def _array_code(arr: np.ndarray) -> str:
    body = np.array2string(
        arr, separator=", ", threshold=np.inf, max_line_width=88, floatmode="unique"
    )
    dtype = arr.dtype.name
    return f"np.array({body}, dtype=np.{dtype})"


def to_code(d: Diagram, var: str = "d") -> str:
    """Python (numpy + tensorlessons) that rebuilds the diagram exactly."""
    lines = ["import numpy as np", "import tensorlessons as tl", "", f"{var} = tl.Diagram()"]
    for t in d:
        pos = f"({_fmt(t.position[0])}, {_fmt(t.position[1])})"
        if t.kind == "copy":
            lines.append(
                f"{var}.add_copy({t.name!r}, {t.dims[0] if t.dims else 1}, n_legs={t.order}, "
                f"legs={t.legs!r}, indices={t.labels!r}, position={pos})"
            )
        else:
            lines.append(
                f"{var}.add_tensor(\n    {t.name!r},\n    {_array_code(t.array)},\n"
                f"    legs={t.legs!r},\n    indices={t.labels!r},\n    position={pos},\n)"
            )
    lines.append(f"{var}.set_output({d.output!r})")
    return "\n".join(lines) + "\n"


def einsum_call(d: Diagram) -> str:
    """The diagram as one ``np.einsum`` call on its tensors' names."""
    args = ", ".join((t.name if t.name.isidentifier() else f"d[{t.name!r}]") for t in d)
    return f"np.einsum({d.to_einsum()!r}, {args})"
