"""Pictures and code from a diagram: geometry, SVG, TikZ and Python that rebuilds it.

One geometry function serves every picture, so the SVG, the TikZ and the widget's
exports (which ask Python for them) agree.
"""

from __future__ import annotations

import math
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
PARALLEL = 10.0  # distance between wires joining the same two tensors
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
    r = DOT + 5
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
        hyper_at[lab] = (cx, cy)
        for n, _ in group:
            used_angles[n].append(_direction(*pos[n], cx, cy))

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
            off = (k - (pair_total[pair] - 1) / 2) * PARALLEL
            label = _wire_label(p1, p2, text)
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
            }
        )
        if lab in out:  # the open leg's end, marked like an open stub's
            wires[-1]["end"] = [cx, cy + LEG]

    stubs = []
    for n, k, state in pending_stubs:
        t = d.tensor(n)
        ang = free_angle(n)
        p1 = _boundary(*t.position, ang, t.kind, width[n])
        rad = math.radians(ang)
        p2 = (p1[0] + LEG * math.cos(rad), p1[1] - LEG * math.sin(rad))
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
            shape["label"], shape["anchor"] = _copy_label(
                t.position, _widest_gap(used_angles[t.name])
            )
        shapes.append(shape)
    return {
        "tensors": shapes,
        "wires": wires,
        "stubs": stubs,
        "viewBox": bounds(shapes, wires, stubs),
    }


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
    >>> bool(x - box_width("B") / 2 - LEG > vx + vw), y == vy + vh / 2
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
