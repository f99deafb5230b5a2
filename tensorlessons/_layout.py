"""Automatic layout: readable positions for diagrams made from einsum strings.

Pure geometry, no widgets: chains are laid out in a row (as the paper draws matrix
products), other networks by stress majorization (distances along the wires become
distances in the picture: rings become polygons, ladders two rows), overlaps are removed
and no box is left under a wire it is not on.
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
GAP = 16.0  # room between a wire and a box it passes by


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


def _distances(comp: list[int], adj: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Shortest-path distances between the nodes of a component (wire lengths ``lengths``)."""
    sub = adj[np.ix_(comp, comp)] > 0
    dist = np.where(sub, lengths, np.inf)
    np.fill_diagonal(dist, 0.0)
    for k in range(len(comp)):  # Floyd-Warshall: components are small
        dist = np.minimum(dist, dist[:, k : k + 1] + dist[k : k + 1, :])
    return dist


def _stress(dist: np.ndarray, iterations: int = 200) -> np.ndarray:
    """Positions whose distances match ``dist`` (stress majorization, SMACOF).

    Starts from classical multidimensional scaling, so the result is deterministic: a
    ring comes out as a regular polygon, a ladder as two rows, a star as a star.
    """
    n = len(dist)
    if n == 1:
        return np.zeros((1, 2))
    # classical MDS: the top two eigenvectors of the double-centred squared distances
    j = np.eye(n) - 1.0 / n
    b = -0.5 * j @ (dist**2) @ j
    vals, vecs = np.linalg.eigh(b)
    order = np.argsort(vals)[::-1][:2]
    pos = vecs[:, order] * np.sqrt(np.maximum(vals[order], 1e-9))
    # a small deterministic tilt so that points MDS put on one line can separate
    pos = pos + 1e-3 * np.stack([np.zeros(n), np.cos(np.arange(n))], axis=1) * dist.max()
    w = np.zeros_like(dist)
    off = dist > 0
    w[off] = dist[off] ** -2.0
    v = -w.copy()
    np.fill_diagonal(v, w.sum(axis=1))
    v_pinv = np.linalg.pinv(v)
    for _ in range(iterations):
        cur = np.linalg.norm(pos[:, None, :] - pos[None, :, :], axis=-1)
        ratio = np.zeros_like(dist)
        ok = cur > 1e-9
        ratio[ok] = dist[ok] / cur[ok]
        bz = -w * ratio
        np.fill_diagonal(bz, 0.0)
        np.fill_diagonal(bz, -bz.sum(axis=1))
        # einsum, not @: tiny products, and no BLAS threads to wait for on a busy machine
        new = np.einsum("ij,jk->ik", v_pinv, np.einsum("ij,jk->ik", bz, pos))
        if np.abs(new - pos).max() < 1e-4:
            pos = new
            break
        pos = new
    return pos


def _orient(pos: np.ndarray) -> np.ndarray:
    """Lay the longest extent horizontally; the first node left of the middle, then the
    second above or level with it (so that the same network always looks the same)."""
    pos = pos - pos.mean(axis=0)
    n = len(pos)
    if n < 2:
        return pos
    _, sv, vt = np.linalg.svd(pos, full_matrices=False)
    if len(sv) > 1 and sv[1] > 0.9 * sv[0]:
        # round (a regular polygon): the first wire's ends level, first node at the left
        d = pos[1] - pos[0]
        ang = -np.arctan2(d[1], d[0])
        c, s = np.cos(ang), np.sin(ang)
        pos = pos @ np.array([[c, s], [-s, c]])
    else:
        pos = pos @ vt.T
        if pos.shape[1] == 1:
            pos = np.hstack([pos, np.zeros((n, 1))])
    if pos[0, 0] > 1e-6:
        pos[:, 0] = -pos[:, 0]
    if (
        n > 1
        and pos[1, 1] - pos[0, 1] > 1e-6
        or (n > 2 and abs(pos[1, 1] - pos[0, 1]) <= 1e-6 and pos[2, 1] < pos[0, 1] - 1e-6)
    ):
        pos[:, 1] = -pos[:, 1]
    return pos


def _clear_wires(
    pts: np.ndarray, joined: np.ndarray, half: np.ndarray, rounds: int = 30
) -> np.ndarray:
    """Move boxes off wires they are not on: a box under the wire between two other tensors
    is pushed sideways until the wire passes ``GAP`` clear of it."""
    pts = pts.copy()
    n = len(pts)
    pairs = [(a, b) for a in range(n) for b in range(a + 1, n) if joined[a, b]]
    idx = np.arange(n)
    for _ in range(rounds):
        moved = False
        for a, b in pairs:
            p, q = pts[a], pts[b]
            d = q - p
            length = float(np.hypot(*d))
            if length < 1e-9:
                continue
            u = d / length
            normal = np.array([-u[1], u[0]])
            rel = pts - p
            along = rel @ u
            side = rel @ normal
            # the box's half extent across the wire, plus room
            reach = abs(normal[0]) * half[:, 0] + abs(normal[1]) * half[:, 1] + GAP
            hit = (along > 0) & (along < length) & (np.abs(side) < reach)
            hit[[a, b]] = False
            if not hit.any():
                continue
            sign = np.where(
                side > 1e-9, 1.0, np.where(side < -1e-9, -1.0, np.where(idx % 2, 1.0, -1.0))
            )
            push = (reach - np.abs(side) + 0.5) * sign * hit
            pts += push[:, None] * normal[None, :]
            moved = True
        if not moved:
            break
    return pts


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
        for a in range(n - 1):
            d = pts[a + 1 :] - pts[a]
            dist = np.hypot(d[:, 0], d[:, 1])
            need = min_gap + (extra[a] + extra[a + 1 :]) / 2
            close = dist < need
            if not close.any():
                continue
            same = dist < 1e-9
            d[same] = (1.0, 0.3)
            dist = np.where(same, float(np.hypot(1.0, 0.3)), dist)
            push = np.where(close, (need - dist) / 2 + 0.5, 0.0)
            step = d / dist[:, None] * push[:, None]
            pts[a] -= step.sum(axis=0)
            pts[a + 1 :] += step
            moved = True
        if not moved:
            break
    return pts


def _network(
    comp: list[int],
    groups: list[list[int]],
    widths: np.ndarray,
    spacing: float,
) -> np.ndarray:
    """Positions of a component that is not a chain, by stress majorization: a wire is
    ``spacing`` long (plus room for wide boxes); a hyperedge joining three or more tensors
    is a star round a hidden centre (where its copy dot will be drawn), not a clique."""
    local = {v: k for k, v in enumerate(comp)}
    hubs = [g for g in groups if len(g) >= 3 and g[0] in local]
    m = len(comp) + len(hubs)
    joined = np.zeros((m, m), bool)
    lengths = np.zeros((m, m))
    size = np.concatenate([widths[comp], np.full(len(hubs), 2 * DOT)])
    for g in groups:
        if len(g) == 2 and g[0] in local:
            a, b = local[g[0]], local[g[1]]
            joined[a, b] = joined[b, a] = True
    for h, g in enumerate(hubs):
        c = len(comp) + h
        for v in g:
            joined[local[v], c] = joined[c, local[v]] = True
    base = np.maximum(spacing + (size[:, None] + size[None, :]) / 2 - BOX, spacing)
    lengths = np.where(joined, base, 0.0)
    # arms of a star a little shorter: its tensors end up a wire apart from each other
    for h in range(len(hubs)):
        c = len(comp) + h
        lengths[c, :] *= 0.75
        lengths[:, c] *= 0.75
    pts = _orient(_stress(_distances(list(range(m)), joined.astype(float), lengths)))
    pts = _shorten_wires(pts, joined, spacing)
    return pts[: len(comp)]


def layout(d: Diagram, spacing: float = SPACING) -> dict[str, tuple[float, float]]:
    """Positions for every tensor of ``d``: chains in a row, other networks by stress.

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
    index = {n: k for k, n in enumerate(names)}
    groups = [
        sorted({index[t.name] for t in d if lab in t.labels}) for lab in dict.fromkeys(d.labels())
    ]
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
            pts = _network(comp, groups, widths, spacing)
            nodes = comp
        pts = remove_overlaps(pts, widths=widths[nodes])
        half = np.stack([widths[nodes] / 2, np.full(len(nodes), BOX / 2)], axis=1)
        pts = _clear_wires(pts, adj[np.ix_(nodes, nodes)] > 0, half)
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
