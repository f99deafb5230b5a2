"""How readable a picture is: the layout-quality counts, computed on Python's geometry.

The same five counts as the browser's measure (which uses the drawn text's real extents;
here labels count with the estimated extents :func:`tensorlessons._render.text_box` gives):

``overlaps``
    label–label, label–leg-end and label–box overlaps (and labels across a wire);
``under``
    wires (and open legs) passing under a box they do not connect;
``outside``
    shapes or labels outside the viewBox;
``crowded``
    leg ends closer than ``GRAB`` to another leg end (the pointer could pick up the wrong one);
``cycles``
    loops not drawn as loops: a cycle of three or more tensors whose boxes lie (nearly) on
    a line, so that a wire runs behind a box.

The layout (:mod:`tensorlessons._layout`) and the label placement in
:func:`tensorlessons._render.geometry` aim for zero in every count; tests and
``benchmarks/bench_layout_engines.py`` measure it.

>>> import numpy as np
>>> from tensorlessons import Diagram
>>> from tensorlessons._render import geometry
>>> g = geometry(Diagram.from_einsum("ij,jk,ki->", *[np.ones((2, 2))] * 3))
>>> problems(g)
{'overlaps': 0, 'under': 0, 'outside': 0, 'crowded': 0, 'cycles': 0}
"""

from __future__ import annotations

import math
from typing import Any

from ._render import BOX, label_boxes

#: Leg ends closer than this (SVG px) are hard to tell apart with the pointer.
GRAB = 12.0

Box = tuple[float, float, float, float]


def _overlap(a: Box, b: Box, slack: float = 0.5) -> bool:
    return (
        a[0] < b[2] - slack and b[0] < a[2] - slack and a[1] < b[3] - slack and b[1] < a[3] - slack
    )


def _seg_hits_box(seg: list[float], box: Box, steps: int = 40) -> bool:
    x1, y1, x2, y2 = seg
    for k in range(1, steps):
        t = k / steps
        x, y = x1 + t * (x2 - x1), y1 + t * (y2 - y1)
        if box[0] < x < box[2] and box[1] < y < box[3]:
            return True
    return False


def _curve_points(c: list[float], n: int = 24) -> list[tuple[float, float]]:
    x1, y1, cx, cy, x2, y2 = c
    out = []
    for k in range(n + 1):
        t = k / n
        a, b, e = (1 - t) ** 2, 2 * t * (1 - t), t * t
        out.append((a * x1 + b * cx + e * x2, a * y1 + b * cy + e * y2))
    return out


def wire_paths(g: dict[str, Any]) -> list[tuple[list[float], set[str]]]:
    """Every drawn straight piece of wire or leg, with the tensors it may touch."""
    out: list[tuple[list[float], set[str]]] = []
    for w in g["wires"]:
        if w["kind"] == "trace":
            pts = _curve_points(w["curve"])
            for p, q in zip(pts, pts[1:], strict=False):
                out.append(([*p, *q], set(w["owners"])))
        elif w["kind"] == "wire":
            out.append((w["segments"][0], set(w["owners"])))
        else:
            for k, seg in enumerate(w["segments"]):
                own = {w["owners"][k]} if k < len(w["owners"]) else set()
                out.append((seg, own))
    for s in g["stubs"]:
        out.append((s["line"], {s["tensor"]}))
    return out


def shape_boxes(g: dict[str, Any]) -> dict[str, Box]:
    """Each tensor's box (a copy tensor's dot as a small square)."""
    out = {}
    for t in g["tensors"]:
        hw, hh = t["width"] / 2, t.get("height", BOX) / 2
        out[t["name"]] = (t["x"] - hw, t["y"] - hh, t["x"] + hw, t["y"] + hh)
    return out


def leg_ends(g: dict[str, Any]) -> list[tuple[str, tuple[float, float]]]:
    """Every leg end the pointer can pick up or drop onto: open legs' ends, wires' ends."""
    out = [(s["ref"], (s["line"][2], s["line"][3])) for s in g["stubs"]]
    for w in g["wires"]:
        for ref, p in zip(w["legs"], w["ends"], strict=True):
            out.append((ref, (p[0], p[1])))
        if w.get("end"):
            out.append((f"{w['id']}:open", (w["end"][0], w["end"][1])))
    return out


def _cycles(g: dict[str, Any]) -> list[list[str]]:
    """A cycle basis of the tensor graph: tensors (copy tensors included) joined by wires
    between two of them; a hyperedge's drawn dot is not a tensor of a ring."""
    adj: dict[str, set[str]] = {t["name"]: set() for t in g["tensors"]}
    for w in g["wires"]:
        own = list(dict.fromkeys(w["owners"]))
        if w["kind"] == "wire" and len(own) == 2:
            adj[own[0]].add(own[1])
            adj[own[1]].add(own[0])
    parent: dict[str, str | None] = {}
    depth: dict[str, int] = {}
    cycles = []
    for root in adj:
        if root in parent:
            continue
        parent[root], depth[root] = None, 0
        stack = [root]
        while stack:
            v = stack.pop()
            for u in sorted(adj[v]):
                if u not in parent:
                    parent[u], depth[u] = v, depth[v] + 1
                    stack.append(u)
                elif u != parent[v] and depth[u] <= depth[v] and parent.get(u) != v:
                    a, b, left, right = v, u, [v], [u]
                    while a != b:
                        if depth[a] >= depth[b]:
                            a = parent[a]  # type: ignore[assignment]
                            left.append(a)
                        else:
                            b = parent[b]  # type: ignore[assignment]
                            right.append(b)
                    cyc = left + right[-2::-1]
                    if len(set(cyc)) >= 3 and sorted(cyc) not in [sorted(c) for c in cycles]:
                        cycles.append(cyc)
    return cycles


def problems(g: dict[str, Any]) -> dict[str, int]:
    """The five layout-quality counts of a geometry (all zero for a readable picture)."""
    labels = label_boxes(g)
    boxes = shape_boxes(g)
    counts = {"overlaps": 0, "under": 0, "outside": 0, "crowded": 0, "cycles": 0}
    # 1. labels against labels, leg ends, boxes and wires
    for a in range(len(labels)):
        for b in range(a + 1, len(labels)):
            counts["overlaps"] += _overlap(labels[a][1], labels[b][1])
    ends = leg_ends(g)
    for _, box in labels:
        for _, (x, y) in ends:
            r = 4.0
            counts["overlaps"] += _overlap(box, (x - r, y - r, x + r, y + r))
        for sb in boxes.values():
            counts["overlaps"] += _overlap(box, sb)
    paths = wire_paths(g)
    for _, box in labels:
        inner = (box[0] + 1, box[1] + 2, box[2] - 1, box[3] - 2)
        for seg, _ in paths:
            if _seg_hits_box(seg, inner, steps=20):
                counts["overlaps"] += 1
                break
    # 2. wires under boxes they do not join
    for seg, own in paths:
        for name, sb in boxes.items():
            if name in own:
                continue
            shrunk = (sb[0] + 1, sb[1] + 1, sb[2] - 1, sb[3] - 1)
            counts["under"] += _seg_hits_box(seg, shrunk)
    # 3. inside the viewBox
    vx, vy, vw, vh = g["viewBox"]
    view = (vx - 0.5, vy - 0.5, vx + vw + 0.5, vy + vh + 0.5)

    def out(x: float, y: float) -> bool:
        return not (view[0] <= x <= view[2] and view[1] <= y <= view[3])

    for b in [*boxes.values(), *(lb for _, lb in labels)]:
        counts["outside"] += out(b[0], b[1]) or out(b[2], b[3])
    for seg, _ in paths:
        counts["outside"] += out(seg[0], seg[1]) or out(seg[2], seg[3])
    # 4. leg ends a grab radius apart
    for a in range(len(ends)):
        for b in range(a + 1, len(ends)):
            if math.dist(ends[a][1], ends[b][1]) < GRAB:
                counts["crowded"] += 1
    # 5. loops drawn as loops: a cycle's tensors not (nearly) on one line
    centre = {t["name"]: (t["x"], t["y"]) for t in g["tensors"]}
    for cyc in _cycles(g):
        pts = [centre[n] for n in cyc]
        area = 0.5 * abs(
            sum(p[0] * q[1] - q[0] * p[1] for p, q in zip(pts, pts[1:] + pts[:1], strict=True))
        )
        perimeter = sum(math.dist(p, q) for p, q in zip(pts, pts[1:] + pts[:1], strict=True))
        # a regular polygon scores 1 (4 pi A / P^2 for a circle); a line 0
        if perimeter > 0 and 4 * math.pi * area / perimeter**2 < 0.25:
            counts["cycles"] += 1
    return {k: int(v) for k, v in counts.items()}
