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

BOX = 44.0  # side of a tensor's box
DOT = 7.0  # radius of a copy tensor's dot
LEG = 38.0  # length of an open leg
PARALLEL = 10.0  # distance between wires joining the same two tensors
_PREFERRED = [180.0, 0.0, 270.0, 90.0, 225.0, 315.0, 135.0, 45.0]


def _angle_gap(a: float, b: float) -> float:
    d = abs(a - b) % 360.0
    return min(d, 360.0 - d)


def _boundary(x: float, y: float, angle: float, kind: str) -> tuple[float, float]:
    """Where a ray from the centre at ``angle`` (degrees, y up) leaves the shape."""
    rad = math.radians(angle)
    dx, dy = math.cos(rad), -math.sin(rad)
    if kind == "copy":
        return x + DOT * dx, y + DOT * dy
    half = BOX / 2
    scale = half / max(abs(dx), abs(dy), 1e-9)
    return x + dx * scale, y + dy * scale


def _direction(x1: float, y1: float, x2: float, y2: float) -> float:
    return math.degrees(math.atan2(-(y2 - y1), x2 - x1)) % 360.0


def geometry(d: Diagram) -> dict[str, Any]:
    """Shapes of the picture: tensors, wires (with hyperedge dots) and open legs.

    Coordinates are SVG pixels (y down). Every leg ``'T:leg'`` appears once, either on
    a wire (``wires[k]['legs']``) or as an open or summed stub (``stubs``).
    """
    tensors = list(d)
    pos = {t.name: t.position for t in tensors}
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
        elif len(group) >= 2 and len(tnames) > 1:
            cx = float(np.mean([pos[n][0] for n, _ in group]))
            cy = float(np.mean([pos[n][1] for n, _ in group]))
            for n, _ in group:
                used_angles[n].append(_direction(*pos[n], cx, cy))

    def free_angle(name: str) -> float:
        taken = used_angles[name]
        if not taken:
            for cand in _PREFERRED:
                if cand not in taken:
                    taken.append(cand)
                    return cand
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
        if len(group) == 1:
            n, k = group[0]
            pending_stubs.append((n, k, "open" if lab in out else "summed"))
            continue
        if len(group) == 2 and lab not in out and len(tnames) == 2:
            (a, _), (b, _) = group
            ang_a = _direction(*pos[a], *pos[b])
            p1 = _boundary(*pos[a], ang_a, t_of[a].kind)
            p2 = _boundary(*pos[b], (ang_a + 180.0) % 360.0, t_of[b].kind)
            # Several wires between the same two tensors: side by side, not on top.
            pair = (min(a, b), max(a, b))
            k = pair_seen.get(pair, 0)
            pair_seen[pair] = k + 1
            off = (k - (pair_total[pair] - 1) / 2) * PARALLEL
            label = [(p1[0] + p2[0]) / 2, (p1[1] + p2[1]) / 2 - 6]
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
                    "kind": "wire",
                    "legs": refs,
                    "segments": [[*p1, *p2]],
                    "label": label,
                    "dot": None,
                    "open": False,
                }
            )
            continue
        if len(tnames) == 1 and len(group) == 2 and lab not in out:
            n = group[0][0]
            a1 = free_angle(n)
            a2 = free_angle(n)
            p1 = _boundary(*pos[n], a1, t_of[n].kind)
            p2 = _boundary(*pos[n], a2, t_of[n].kind)
            mid = (a1 + a2) / 2 if abs(a1 - a2) <= 180 else (a1 + a2) / 2 + 180
            rad = math.radians(mid)
            c = (pos[n][0] + 1.6 * BOX * math.cos(rad), pos[n][1] - 1.6 * BOX * math.sin(rad))
            wires.append(
                {
                    "id": lab,
                    "index": lab,
                    "dim": dim,
                    "kind": "trace",
                    "legs": refs,
                    "segments": [[*p1, *c], [*c, *p2]],
                    "curve": [*p1, *c, *p2],
                    "label": [c[0], c[1] - 6],
                    "dot": None,
                    "open": False,
                }
            )
            continue
        # Hyperedge: a copy dot joined to every leg (plus an open stub if in the output).
        cx = float(np.mean([pos[n][0] for n, _ in group]))
        cy = float(np.mean([pos[n][1] for n, _ in group]))
        if len(tnames) == 1:
            n = group[0][0]
            ang = free_angle(n)
            cx += 1.6 * BOX * math.cos(math.radians(ang))
            cy -= 1.6 * BOX * math.sin(math.radians(ang))
        segs = []
        for n, _ in group:
            ang = _direction(*pos[n], cx, cy)
            p = _boundary(*pos[n], ang, t_of[n].kind)
            segs.append([*p, cx, cy])
        if lab in out:
            segs.append([cx, cy, cx, cy + LEG])
        wires.append(
            {
                "id": lab,
                "index": lab,
                "dim": dim,
                "kind": "hyper",
                "legs": refs,
                "segments": segs,
                "label": [cx + 8, cy - 8],
                "dot": [cx, cy],
                "open": lab in out,
            }
        )

    stubs = []
    for n, k, state in pending_stubs:
        t = d.tensor(n)
        ang = free_angle(n)
        p1 = _boundary(*t.position, ang, t.kind)
        rad = math.radians(ang)
        p2 = (p1[0] + LEG * math.cos(rad), p1[1] - LEG * math.sin(rad))
        lx = p2[0] + 12 * math.cos(rad)
        ly = p2[1] - 12 * math.sin(rad) + 4
        stubs.append(
            {
                "ref": f"{n}:{t.legs[k]}",
                "tensor": n,
                "leg": t.legs[k],
                "index": t.labels[k],
                "dim": t.dims[k],
                "state": state,
                "line": [*p1, *p2],
                "label": [lx, ly],
                "angle": ang,
            }
        )
    shapes = [
        {
            "name": t.name,
            "kind": t.kind,
            "x": t.position[0],
            "y": t.position[1],
            "order": t.order,
            "shape": list(t.dims),
        }
        for t in tensors
    ]
    xs: list[float] = []
    ys: list[float] = []
    for s in shapes:
        xs += [s["x"] - BOX, s["x"] + BOX]
        ys += [s["y"] - BOX, s["y"] + BOX]
    for w in wires:
        for seg in w["segments"]:
            xs += [seg[0], seg[2]]
            ys += [seg[1], seg[3]]
    for st in stubs:
        xs += [st["line"][2], st["label"][0] - 24, st["label"][0] + 24]
        ys += [st["line"][3], st["label"][1] - 12, st["label"][1] + 8]
    if not xs:
        xs, ys = [0.0, 100.0], [0.0, 60.0]
    box = [min(xs) - 10, min(ys) - 10, max(xs) - min(xs) + 20, max(ys) - min(ys) + 20]
    return {"tensors": shapes, "wires": wires, "stubs": stubs, "viewBox": box}


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
        text = f"{w['index']} ({w['dim']})"
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
            f'<text class="tl-label" x="{_fmt(lx)}" y="{_fmt(ly)}" text-anchor="middle">'
            f"{escape(st['leg'])} ({st['dim']})</text></g>"
        )
    for t in g["tensors"]:
        x, y = t["x"], t["y"]
        parts.append(f'<g class="tl-tensor" data-tensor="{escape(t["name"])}">')
        if t["kind"] == "copy":
            parts.append(f'<circle class="tl-copy" cx="{_fmt(x)}" cy="{_fmt(y)}" r="{_fmt(DOT)}"/>')
            parts.append(
                f'<text class="tl-label" x="{_fmt(x)}" y="{_fmt(y - DOT - 5)}" '
                f'text-anchor="middle">{escape(t["name"])}</text>'
            )
        else:
            h = BOX / 2
            parts.append(
                f'<rect class="tl-box" x="{_fmt(x - h)}" y="{_fmt(y - h)}" width="{_fmt(BOX)}" '
                f'height="{_fmt(BOX)}" rx="8"/>'
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
        lines.append(f"  \\node[leg] at {p(*w['label'])} {{${_tex(w['index'])}$}};")
    for st in g["stubs"]:
        x1, y1, x2, y2 = st["line"]
        lines.append(f"  \\draw[thick] {p(x1, y1)} -- {p(x2, y2)};")
        if st["state"] == "summed":
            lines.append(
                f"  \\node[circle, draw, inner sep=1.5pt, fill=white] at {p(x2, y2)} {{}};"
            )
        lines.append(f"  \\node[leg] at {p(*st['label'])} {{${_tex(st['leg'])}$}};")
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
