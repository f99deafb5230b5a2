"""Automatic layout: readable positions for diagrams made from einsum strings.

Pure geometry, no widgets: chains are laid out in a row (as the paper draws matrix
products), other networks by a deterministic spring embedding, and overlaps are removed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ._render import BOX, DOT, box_width

if TYPE_CHECKING:
    from .diagram import Diagram

SPACING = 130.0
MIN_GAP = 90.0
SINGLE_SPACING = 200.0


def adjacency(d: Diagram) -> tuple[list[str], np.ndarray]:
    """Tensor names and the matrix of how many indices each pair of tensors shares."""
    names = d.names
    pos = {n: k for k, n in enumerate(names)}
    adj = np.zeros((len(names), len(names)))
    members: dict[str, list[int]] = {}
    for t in d:
        for lab in dict.fromkeys(t.labels):
            members.setdefault(lab, []).append(pos[t.name])
    for group in members.values():
        for a in group:
            for b in group:
                if a != b:
                    adj[a, b] += 1
    return names, adj


def _components(adj: np.ndarray) -> list[list[int]]:
    n = len(adj)
    seen = [False] * n
    comps = []
    for s in range(n):
        if seen[s]:
            continue
        comp, stack = [], [s]
        seen[s] = True
        while stack:
            v = stack.pop()
            comp.append(v)
            for w in np.nonzero(adj[v])[0]:
                if not seen[w]:
                    seen[w] = True
                    stack.append(int(w))
        comps.append(sorted(comp))
    return comps


def _path_order(comp: list[int], adj: np.ndarray) -> list[int] | None:
    """The nodes in order if the component is a simple path, else None."""
    if len(comp) == 1:
        return comp
    deg = {v: int(np.count_nonzero(adj[v][comp])) for v in comp}
    if max(deg.values()) > 2:
        return None
    ends = [v for v in comp if deg[v] == 1]
    if len(ends) != 2:
        return None  # a cycle
    order, prev, cur = [min(ends)], -1, min(ends)
    while len(order) < len(comp):
        nxt = [int(w) for w in np.nonzero(adj[cur])[0] if w != prev and w in comp]
        prev, cur = cur, nxt[0]
        order.append(cur)
    return order


def _spring(comp: list[int], adj: np.ndarray, iterations: int = 300) -> np.ndarray:
    """Deterministic Fruchterman-Reingold embedding of one component (unit spacing)."""
    n = len(comp)
    sub = (adj[np.ix_(comp, comp)] > 0).astype(float)
    # Start on a circle (or a grid-ish spiral), in index order: deterministic.
    angles = 2 * np.pi * np.arange(n) / n
    pos = np.stack([np.cos(angles), np.sin(angles)], axis=1) * max(1.0, n / (2 * np.pi))
    k = 1.0
    temp = max(1.0, n / 4)
    for it in range(iterations):
        delta = pos[:, None, :] - pos[None, :, :]
        dist = np.linalg.norm(delta, axis=-1) + np.eye(n)
        dist = np.maximum(dist, 1e-3)
        rep = (k * k / dist**2)[..., None] * delta
        att = -(sub * dist / k)[..., None] * delta
        force = (rep + att).sum(axis=1)
        length = np.linalg.norm(force, axis=1, keepdims=True)
        step = np.minimum(length, temp) / np.maximum(length, 1e-9)
        pos = pos + force * step
        temp = max(0.02, temp * (1 - 1.0 / iterations) ** 4)
        del it
    pos -= pos.mean(axis=0)
    # Orient along the principal axis so that long networks lie horizontally.
    if n > 1:
        _, _, vt = np.linalg.svd(pos, full_matrices=False)
        pos = pos @ vt.T
        if pos.shape[1] == 1:
            pos = np.hstack([pos, np.zeros((n, 1))])
    return pos


def _shorten_wires(pts: np.ndarray, joined: np.ndarray, spacing: float) -> np.ndarray:
    """Scale a spring layout so that its median wire is ``spacing`` long.

    Springs spread large networks out (repulsion grows with the number of tensors);
    scaling keeps the shape but brings wires back to a readable length. Overlaps made by
    shrinking are removed afterwards by :func:`remove_overlaps`.
    """
    a, b = np.nonzero(np.triu(joined, 1))
    if len(a) == 0:
        return pts
    lengths = np.linalg.norm(pts[a] - pts[b], axis=1)
    median = float(np.median(lengths))
    if median <= 1e-9:
        return pts
    return pts * (spacing / median)


def remove_overlaps(
    points: np.ndarray,
    min_gap: float = MIN_GAP,
    rounds: int = 50,
    widths: np.ndarray | None = None,
) -> np.ndarray:
    """Push points apart until no two are closer than ``min_gap`` (deterministic).

    With ``widths`` (of the tensors' boxes), boxes wider than ``BOX`` need that much
    more room: two points ``a``, ``b`` are kept ``min_gap + (extra_a + extra_b) / 2``
    apart, where ``extra = width - BOX``.
    """
    pts = np.array(points, dtype=float)
    n = len(pts)
    extra = np.zeros(n) if widths is None else np.asarray(widths, dtype=float) - BOX
    for _ in range(rounds):
        moved = False
        for a in range(n):
            for b in range(a + 1, n):
                d = pts[b] - pts[a]
                dist = float(np.hypot(*d))
                need = min_gap + (extra[a] + extra[b]) / 2
                if dist < need:
                    if dist < 1e-9:
                        d, dist = np.array([1.0, 0.3]), float(np.hypot(1.0, 0.3))
                    push = (need - dist) / 2 + 0.5
                    pts[a] -= d / dist * push
                    pts[b] += d / dist * push
                    moved = True
        if not moved:
            break
    return pts


def layout(d: Diagram, spacing: float = SPACING) -> dict[str, tuple[float, float]]:
    """Positions for every tensor of ``d``: chains in a row, other networks by springs.

    Components are placed one below the other; no two tensors closer than ``MIN_GAP``
    (plus the extra width of boxes widened for long names, see
    :func:`tensorlessons._render.box_width`): in a chain every wire keeps the same
    visible length whatever the names.
    """
    names, adj = adjacency(d)
    if not names:
        return {}
    kinds = {t.name: t.kind for t in d}
    widths = np.array([2 * DOT if kinds[n] == "copy" else box_width(n) for n in names])
    out: dict[str, tuple[float, float]] = {}
    y0 = 0.0
    for comp in _components(adj):
        order = _path_order(comp, adj)
        if order is not None:
            pts = np.zeros((len(order), 2))
            for k in range(1, len(order)):
                step = spacing + (widths[order[k - 1]] + widths[order[k]]) / 2 - BOX
                pts[k, 0] = pts[k - 1, 0] + max(step, spacing)
            nodes = order
        else:
            pts = _spring(comp, adj) * spacing
            pts = _shorten_wires(pts, adj[np.ix_(comp, comp)] > 0, spacing)
            nodes = comp
        pts = remove_overlaps(pts, widths=widths[nodes])
        pts[:, 0] -= pts[:, 0].min()
        pts[:, 1] -= pts[:, 1].min()
        for v, (x, y) in zip(nodes, pts, strict=True):
            out[names[v]] = (round(float(x), 1) + 80.0, round(float(y) + y0, 1) + 80.0)
        y0 += float(pts[:, 1].max()) + spacing
    # Unconnected single tensors side by side rather than stacked.
    singles = [c[0] for c in _components(adj) if len(c) == 1]
    if len(singles) == len(names):
        # Open legs point left and right: leave room for two legs and their labels.
        x = 80.0
        for k, v in enumerate(singles):
            if k:
                x += SINGLE_SPACING + max(0.0, (widths[singles[k - 1]] + widths[v]) / 2 - BOX)
            out[names[v]] = (x, 80.0)
    return out
