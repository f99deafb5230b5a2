"""Layout quality of the diagram widgets, measured in the browser: what a learner sees and grabs.

Used by ``tests/browser/test_layout_quality.py`` and ``benchmarks/bench_layout.py``. Each
chapter notebook runs in a real JupyterLab (one server, one Chromium, one page), every
``.tl-widget`` it shows is measured in screen pixels, and then scripted edits are done with
the pointer as a person would (a cut between neighbours, a drag of a tensor to each corner of
the canvas, two palette additions), each followed by the same measure and undone with the
widget's own Undo button.

The counts (each one a problem a learner meets):

``overlap``
    a label over another label, over a leg end (the circles one presses and drops on) or
    over a box or copy dot that is not its own;
``under``
    a wire or leg passing under a box or copy dot that it does not connect to;
``outside``
    a drawn element (text, box, dot, end, wire) not wholly inside the visible canvas
    (the svg, clipped by whatever scrolls or clips it);
``close``
    two leg ends of different wires/legs closer than :data:`GRAB` px, so a press meant for
    one may take the other;
``flat``
    a cycle not drawn as a cycle: a trace loop with no loop, two wires drawn on top of each
    other for more than :data:`RUN` px (parallel wires, or a ring's wire along another), or a
    ring of three or more tensors whose centres lie within :data:`LINE` px of one line;
``pick``
    a press at the centre of a leg's end that picks up something else (another leg, a label,
    a box): the leg under the pointer must be the one picked up.
"""

from __future__ import annotations

import math
import shutil
import time
from collections import defaultdict, deque
from collections.abc import Iterable
from pathlib import Path
from typing import Any

#: Two leg ends closer than this (screen px, centre to centre) can be taken one for the other.
GRAB = 10.0
#: A ring of tensors whose centres stray less than this (px) from one line is drawn as a line.
LINE = 12.0
#: Two wires running within 3 px of each other for more than this (px) are drawn as one.
RUN = 15.0
#: Overlaps smaller than this (px, in both directions) are not counted (anti-aliasing, halos).
SLACK = 1.0

KINDS = ("overlap", "under", "outside", "close", "flat", "pick")

# Everything the measure needs from one widget, in screen pixels (CSS px of the page).
MEASURE_JS = r"""(root) => {
  const svg = root.querySelector('svg.tl-svg');
  if (!svg) return null;
  const R = (e) => { const b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; };
  // The visible canvas: the svg's box clipped by every ancestor that clips (up to the output).
  let vis = R(svg);
  for (let e = svg.parentElement; e && e !== document.body; e = e.parentElement) {
    const s = getComputedStyle(e);
    if (s.overflowX !== 'visible' || s.overflowY !== 'visible') {
      const c = R(e);
      vis = [Math.max(vis[0], c[0]), Math.max(vis[1], c[1]), Math.min(vis[2], c[2]), Math.min(vis[3], c[3])];
    }
    if (e.classList.contains('jp-OutputArea-output') || e.classList.contains('jp-Cell')) break;
  }
  const ctm = (e) => e.getScreenCTM();
  const pt = (m, x, y) => [m.a * x + m.c * y + m.e, m.b * x + m.d * y + m.f];
  const tensorOf = (ref) => { const k = ref.lastIndexOf(':'); return k < 0 ? ref : ref.slice(0, k); };
  const circle = (c) => {
    const m = ctm(c);
    const [x, y] = pt(m, c.cx.baseVal.value, c.cy.baseVal.value);
    return [x, y, c.r.baseVal.value * Math.hypot(m.a, m.b)];
  };
  const samples = (e) => {
    const m = ctm(e);
    const n = e.getTotalLength();
    const k = Math.max(2, Math.ceil(n / 3));
    const out = [];
    for (let i = 0; i <= k; i++) { const p = e.getPointAtLength((n * i) / k); out.push(pt(m, p.x, p.y)); }
    return out;
  };
  const visible = (e) => e.getClientRects().length > 0 && getComputedStyle(e).display !== 'none'
    && getComputedStyle(e).visibility !== 'hidden';
  const tensors = Array.from(svg.querySelectorAll('[data-tensor]')).map((g) => {
    const rect = g.querySelector('rect');
    const dot = rect ? null : g.querySelector('circle:not([class*="hit"])');
    return {
      name: g.getAttribute('data-tensor'),
      kind: rect ? 'box' : 'copy',
      rect: rect ? R(rect) : null,
      dot: dot ? circle(dot) : null,
    };
  });
  const texts = Array.from(svg.querySelectorAll('text')).filter(visible).map((t) => {
    const g = t.closest('[data-tensor]');
    return {text: t.textContent, box: R(t), own: g ? g.getAttribute('data-tensor') : null,
            leg: t.closest('[data-leg]')?.getAttribute('data-leg') ?? null,
            wire: t.closest('[data-wire]')?.getAttribute('data-wire') ?? null};
  });
  const ends = [];
  const wires = Array.from(svg.querySelectorAll('[data-wire]')).map((g) => {
    const id = g.getAttribute('data-wire');
    const legs = Array.from(g.querySelectorAll('[data-leg]')).map((e) => e.getAttribute('data-leg'));
    for (const e of g.querySelectorAll('circle')) {
      if (e.matches('.tl-end, .tl-handle') || e.hasAttribute('data-leg')) {
        ends.push({owner: 'w:' + id, leg: e.getAttribute('data-leg') ?? (id + ':open'),
                   c: circle(e), pressable: e.matches('.tl-handle')});
      }
    }
    const hyper = g.querySelector('.tl-hyper');
    return {
      id, legs, tensors: Array.from(new Set(legs.map(tensorOf))),
      paths: Array.from(g.querySelectorAll('.tl-wire')).map(samples),
      boxes: Array.from(g.querySelectorAll('.tl-wire')).map(R),
      dot: hyper ? circle(hyper) : null,
    };
  });
  const stubs = Array.from(svg.querySelectorAll('[data-leg]:not([data-wire] [data-leg]):not(circle)'))
    .map((g) => {
      const ref = g.getAttribute('data-leg');
      const line = g.querySelector('.tl-leg');
      for (const e of g.querySelectorAll('circle')) {
        ends.push({owner: 's:' + ref, leg: ref, c: circle(e), pressable: true});
      }
      return {ref, tensor: tensorOf(ref), path: line ? samples(line) : [], box: line ? R(line) : null};
    });
  // What a press at the centre of each pressable end would pick up.
  for (const e of ends) {
    const [x, y] = e.c;
    if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) { e.picks = null; continue; }
    const hit = document.elementFromPoint(x, y);
    const leg = hit && hit.closest('[data-leg]');
    const wire = hit && hit.closest('[data-wire]');
    e.picks = leg ? leg.getAttribute('data-leg') : wire ? 'wire ' + wire.getAttribute('data-wire')
      : hit && hit.closest('[data-tensor]') ? 'tensor ' + hit.closest('[data-tensor]').getAttribute('data-tensor')
      : hit ? (hit.tagName + '.' + (hit.getAttribute('class') || '')) : null;
  }
  return {canvas: vis, svg: R(svg), tensors, texts, wires, stubs, ends,
          editable: Boolean(root.querySelector('.tl-palette') && root.querySelector('.tl-palette').checkVisibility()),
          height: root.getBoundingClientRect().height};
}"""


Box = list[float]


def _shrink(b: Box, by: float) -> Box:
    return [b[0] + by, b[1] + by, b[2] - by, b[3] - by]


def _meet(p: Box, q: Box, slack: float = SLACK) -> bool:
    """Do two boxes overlap by more than ``slack`` px in both directions?"""
    return min(p[2], q[2]) - max(p[0], q[0]) > slack and min(p[3], q[3]) - max(p[1], q[1]) > slack


def _box_circle(b: Box, c: list[float], slack: float = SLACK) -> bool:
    x, y, r = c
    dx = max(b[0] - x, 0.0, x - b[2])
    dy = max(b[1] - y, 0.0, y - b[3])
    return math.hypot(dx, dy) < r - slack


def _inside(p: list[float], b: Box, inset: float = 2.0) -> bool:
    return b[0] + inset < p[0] < b[2] - inset and b[1] + inset < p[1] < b[3] - inset


def _in_circle(p: list[float], c: list[float], inset: float = 1.0) -> bool:
    return math.hypot(p[0] - c[0], p[1] - c[1]) < c[2] - inset


def _contains(outer: Box, inner: Box, slack: float = 0.5) -> bool:
    return (
        inner[0] >= outer[0] - slack
        and inner[1] >= outer[1] - slack
        and inner[2] <= outer[2] + slack
        and inner[3] <= outer[3] + slack
    )


def _centre(t: dict[str, Any]) -> tuple[float, float]:
    if t["rect"] is not None:
        r = t["rect"]
        return (r[0] + r[2]) / 2, (r[1] + r[3]) / 2
    return t["dot"][0], t["dot"][1]


def _shape_box(t: dict[str, Any]) -> Box:
    if t["rect"] is not None:
        return t["rect"]
    x, y, r = t["dot"]
    return [x - r, y - r, x + r, y + r]


def _off_line(points: list[tuple[float, float]]) -> float:
    """How far the points stray from their best straight line (px, the largest distance)."""
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    syy = sum((y - my) ** 2 for _, y in points)
    sxy = sum((x - mx) * (y - my) for x, y in points)
    angle = 0.5 * math.atan2(2 * sxy, sxx - syy)  # the principal direction
    nx, ny = -math.sin(angle), math.cos(angle)
    return max(abs((x - mx) * nx + (y - my) * ny) for x, y in points)


def _run_along(p: list[list[float]], q: list[list[float]], tol: float = 3.0) -> float:
    """Length (px) of polyline ``p`` drawn within ``tol`` of the points ``q`` (sampled every
    few px), leaving out ``RUN`` px at each end of ``p`` (wires may meet where they end)."""
    if len(p) < 2 or not q:
        return 0.0
    along = [0.0]
    for a, b in zip(p, p[1:], strict=False):
        along.append(along[-1] + math.hypot(b[0] - a[0], b[1] - a[1]))
    total = along[-1]
    run = 0.0
    for k in range(1, len(p)):
        if along[k - 1] < RUN or along[k] > total - RUN:
            continue
        x, y = p[k]
        if min(math.hypot(x - u, y - v) for u, v in q) < tol:
            run += along[k] - along[k - 1]
    return run


def _rings(nodes: Iterable[str], edges: list[tuple[str, str]]) -> list[list[str]]:
    """Short cycles of length >= 3: for each edge not in a BFS forest, the shortest way round."""
    adj: dict[str, set[str]] = defaultdict(set)
    simple = sorted({(a, b) if a < b else (b, a) for a, b in edges if a != b})
    for a, b in simple:
        adj[a].add(b)
        adj[b].add(a)
    seen: set[str] = set()
    tree: set[tuple[str, str]] = set()
    for start in sorted(nodes):
        if start in seen:
            continue
        seen.add(start)
        queue = deque([start])
        while queue:
            u = queue.popleft()
            for v in sorted(adj[u]):
                if v not in seen:
                    seen.add(v)
                    tree.add((u, v) if u < v else (v, u))
                    queue.append(v)
    rings = []
    for a, b in simple:
        if (a, b) in tree:
            continue
        # shortest path a -> b without the edge (a, b)
        prev: dict[str, str | None] = {a: None}
        queue = deque([a])
        while queue and b not in prev:
            u = queue.popleft()
            for v in sorted(adj[u]):
                if (u, v) in ((a, b), (b, a)) or v in prev:
                    continue
                prev[v] = u
                queue.append(v)
        if b in prev:
            path: list[str] = []
            node: str | None = b
            while node is not None:
                path.append(node)
                node = prev[node]
            rings.append(path)
    return rings


def count(m: dict[str, Any]) -> dict[str, list[str]]:
    """The problems in one widget's measure, by kind: a description of each."""
    out: dict[str, list[str]] = {k: [] for k in KINDS}
    shapes = {t["name"]: t for t in m["tensors"]}
    texts = m["texts"]
    ends = m["ends"]

    # (1) overlaps
    for i, a in enumerate(texts):
        for b in texts[i + 1 :]:
            if _meet(a["box"], b["box"]):
                out["overlap"].append(f"label {a['text']!r} over label {b['text']!r}")
        for e in ends:
            if e["leg"] == a["leg"] or (a["wire"] is not None and e["owner"] == "w:" + a["wire"]):
                continue  # a leg's own label beside its own end
            if _box_circle(a["box"], e["c"]):
                out["overlap"].append(f"label {a['text']!r} over the end of {e['leg']}")
        for t in m["tensors"]:
            if t["name"] == a["own"]:
                continue
            hit = _meet(a["box"], t["rect"]) if t["rect"] else _box_circle(a["box"], t["dot"])
            if hit:
                out["overlap"].append(f"label {a['text']!r} over tensor {t['name']}")

    # (2) wires and legs under boxes they do not connect
    lines = [(f"wire {w['id']}", set(w["tensors"]), p) for w in m["wires"] for p in w["paths"]]
    lines += [(f"leg {s['ref']}", {s["tensor"]}, s["path"]) for s in m["stubs"]]
    for what, joined, path in lines:
        for t in m["tensors"]:
            if t["name"] in joined:
                continue
            if t["rect"] is not None:
                hit = any(_inside(p, t["rect"]) for p in path)
            else:
                hit = any(_in_circle(p, t["dot"]) for p in path)
            if hit:
                out["under"].append(f"{what} under tensor {t['name']}")

    # (3) outside the visible canvas
    canvas = m["canvas"]
    drawn = [(f"label {t['text']!r}", t["box"]) for t in texts]
    drawn += [(f"tensor {t['name']}", _shape_box(t)) for t in m["tensors"]]
    drawn += [
        (
            f"end of {e['leg']}",
            [
                e["c"][0] - e["c"][2],
                e["c"][1] - e["c"][2],
                e["c"][0] + e["c"][2],
                e["c"][1] + e["c"][2],
            ],
        )
        for e in ends
    ]
    drawn += [(f"wire {w['id']}", b) for w in m["wires"] for b in w["boxes"]]
    drawn += [(f"leg {s['ref']}", s["box"]) for s in m["stubs"] if s["box"] is not None]
    for what, box in drawn:
        if not _contains(canvas, box):
            out["outside"].append(f"{what} outside the canvas")

    # (4) leg ends closer than a grab radius to another's
    for i, a in enumerate(ends):
        for b in ends[i + 1 :]:
            if a["owner"] == b["owner"]:
                continue  # the ends of one wire all join the same index
            ta, tb = a["leg"].rpartition(":")[0], b["leg"].rpartition(":")[0]
            if ta == tb and shapes.get(ta, {}).get("kind") == "copy":
                continue  # a copy tensor's legs are interchangeable
            d = math.hypot(a["c"][0] - b["c"][0], a["c"][1] - b["c"][1])
            if d < GRAB:
                out["close"].append(f"ends of {a['leg']} and {b['leg']} {d:.1f} px apart")

    # (5) cycles not drawn as cycles
    nodes: dict[str, tuple[float, float]] = {n: _centre(t) for n, t in shapes.items()}
    edges: list[tuple[str, str]] = []
    for w in m["wires"]:
        ts = w["tensors"]
        if len(w["legs"]) >= 2 and len(ts) == 1 and ts[0] in shapes:
            # a trace: its loop must leave the box
            box = _shape_box(shapes[ts[0]])
            far = max(
                (
                    max(box[0] - x, x - box[2], box[1] - y, y - box[3])
                    for path in w["paths"]
                    for x, y in path
                ),
                default=0.0,
            )
            if far < 8:
                out["flat"].append(f"trace {w['id']} on {ts[0]} drawn with no loop")
        elif w["dot"] is not None or len(ts) > 2:
            hub = "#" + w["id"]
            nodes[hub] = (w["dot"][0], w["dot"][1]) if w["dot"] else nodes[ts[0]]
            edges += [(hub, t) for t in ts if t in shapes]
        elif len(ts) == 2 and all(t in shapes for t in ts):
            edges.append((ts[0], ts[1]))
    # wires drawn on top of each other (parallel wires, a ring's wire along another)
    wires = m["wires"]
    for i, a in enumerate(wires):
        for b in wires[i + 1 :]:
            q = [pt for path in b["paths"] for pt in path]
            run = max((_run_along(p, q) for p in a["paths"]), default=0.0)
            if run > RUN:
                out["flat"].append(
                    f"wires {a['id']} and {b['id']} drawn on top of each other ({run:.0f} px)"
                )
    # a ring of tensors drawn as a straight line
    for ring in _rings(nodes, edges):
        spread = _off_line([nodes[n] for n in ring])
        if spread < LINE:
            names = " - ".join(r for r in ring if not r.startswith("#"))
            out["flat"].append(f"ring {names} drawn as a line ({spread:.0f} px off it)")

    # (6) a press on a leg end picks up what is under the pointer
    for e in ends:
        x, y, _ = e["c"]
        if not _inside([x, y], canvas, 0.0):
            continue  # counted as outside
        if e.get("pressable") and e.get("picks") is not None and e["picks"] != e["leg"]:
            if e["owner"].startswith("w:") and e["picks"] == "wire " + e["owner"][2:]:
                continue  # an open hyperedge's end belongs to its wire
            out["pick"].append(f"a press on the end of {e['leg']} picks {e['picks']}")
    return out


def totals(problems: Iterable[dict[str, list[str]]]) -> dict[str, int]:
    t = dict.fromkeys(KINDS, 0)
    for p in problems:
        for k in KINDS:
            t[k] += len(p[k])
    return t


# ---- driving a chapter in the page ----------------------------------------------------------

WIDGETS = ".tl-widget"


def measure(page: Any, widget: Any) -> dict[str, Any] | None:
    widget.scroll_into_view_if_needed()
    return widget.evaluate(MEASURE_JS)


def version(widget: Any) -> str:
    return str(widget.locator("svg.tl-svg").get_attribute("data-version"))


def wait_new_version(page: Any, widget: Any, old: str, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if version(widget) != old:
            page.wait_for_timeout(50)  # the frame after the rebuild
            return True
        page.wait_for_timeout(30)
    return False


def _click_action(page: Any, widget: Any, action: str) -> bool:
    old = version(widget)
    button = widget.locator(f'.tl-toolbar [data-action="{action}"]').first
    if button.count() == 0 or not button.is_visible() or button.is_disabled():
        return False
    button.click()
    return wait_new_version(page, widget, old)


def undo_all(page: Any, widget: Any, n: int) -> None:
    for _ in range(n):
        if not _click_action(page, widget, "undo"):
            break


def _neighbour_wire(m: dict[str, Any]) -> str | None:
    """The shortest wire joining two boxes (neighbours)."""
    boxes = {t["name"] for t in m["tensors"] if t["kind"] == "box"}
    best = None
    for w in m["wires"]:
        if len(w["tensors"]) == 2 and set(w["tensors"]) <= boxes and w["paths"]:
            path = w["paths"][0]
            length = sum(
                math.hypot(b[0] - a[0], b[1] - a[1]) for a, b in zip(path, path[1:], strict=False)
            )
            if best is None or length < best[0]:
                best = (length, w["id"])
    return best[1] if best else None


def scripted_edits(page: Any, widget: Any) -> list[tuple[str, dict[str, Any]]]:
    """Edits as a person does them with the pointer; the measure after each; all undone."""
    from harness import center, drag

    out: list[tuple[str, dict[str, Any]]] = []
    m0 = measure(page, widget)
    if m0 is None or not m0["editable"]:
        return out
    # a cut between neighbours: click the wire, press Cut
    wire = _neighbour_wire(m0)
    if wire is not None:
        hit = widget.locator(f'[data-wire="{wire}"] .tl-hit').first
        if hit.count():
            x, y = center(hit)
            page.mouse.click(x, y)
            if _click_action(page, widget, "cut"):
                out.append(("cut", measure(page, widget) or {}))
                undo_all(page, widget, 1)
    # a drag of a tensor to each corner of the visible canvas
    box = widget.locator("[data-tensor] rect").first
    if box.count():
        name = box.evaluate("(r) => r.closest('[data-tensor]').getAttribute('data-tensor')")
        moved = 0
        for corner in ("top left", "top right", "bottom right", "bottom left"):
            m = measure(page, widget) or m0
            x0, y0, x1, y1 = m["canvas"]
            # the box's centre to 25 px in from the corner, inside what is visible on screen
            y1 = min(y1, page.viewport_size["height"] - 5)
            tx = x0 + 25 if "left" in corner else x1 - 25
            ty = y0 + 25 if "top" in corner else y1 - 25
            target = widget.locator(f'[data-tensor="{name}"] rect').first
            old = version(widget)
            drag(page, target, (tx, ty))
            if wait_new_version(page, widget, old):
                moved += 1
                out.append((f"drag to {corner}", measure(page, widget) or {}))
        undo_all(page, widget, moved)
    # two palette additions (the palette's defaults)
    added = 0
    for k in (1, 2):
        if _click_action(page, widget, "add"):
            added += 1
            out.append((f"add #{k}", measure(page, widget) or {}))
    undo_all(page, widget, added)
    return [(what, m) for what, m in out if m]


ROOT = Path(__file__).resolve().parents[2]


def chapter_sources(numbers: Iterable[str] | None = None) -> list[Path]:
    """The chapters' sources ``course/NN_*.py`` (``numbers``: e.g. ``["00", "02"]``), or
    the notebooks in chapters/ where there are no sources."""
    try:
        from tensorlessons import course
    except ImportError:  # a checkout from before the course had sources
        course = None  # type: ignore[assignment]
    wanted = set(numbers or ())
    sources = course.source_paths(ROOT) if course is not None else []
    sources = sources or sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))
    return [p for p in sources if not wanted or p.name[:2] in wanted]


def chapter_notebooks(into: Path, numbers: Iterable[str] | None = None) -> list[Path]:
    """The course's chapter notebooks with their solutions, written into ``into``.

    Built from the chapter sources (``tensorlessons.course``: chapters/ holds the learner
    copies, without solutions).
    """
    into.mkdir(parents=True, exist_ok=True)
    out = []
    for src in chapter_sources(numbers):
        path = into / f"{src.stem}.ipynb"
        if src.suffix == ".py":
            from tensorlessons import course

            path.write_text(course.notebook_text(course.read_source(src)), encoding="utf-8")
        else:
            shutil.copy(src, path)
        out.append(path)
    return out


def run_chapter(page: Any, server: Any, path: Path, *, edits: bool = True) -> dict[str, Any]:
    """Open a chapter, run it, measure every widget (and, with ``edits``, after edits).

    The kernel is shut down afterwards, so that one page can run the chapters one by one.
    """
    from harness import find_panel, run_all

    if path.parent != server.root:
        shutil.copy(path, server.root / path.name)
    page.goto(server.url(path.name))
    find_panel(page, path.name)
    t0 = time.monotonic()
    run_all(page)
    widgets = page.locator(WIDGETS)
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('.tl-widget')).every((w) => w.dataset.ready)",
        timeout=60_000,
    )
    page.wait_for_timeout(300)
    ran = time.monotonic() - t0
    static: list[tuple[str, dict[str, list[str]]]] = []
    edited: list[tuple[str, dict[str, list[str]]]] = []
    for k in range(widgets.count()):
        w = widgets.nth(k)
        m = measure(page, w)
        if m is None:
            continue
        static.append((f"widget {k}", count(m)))
        if edits:
            for what, after in scripted_edits(page, w):
                edited.append((f"widget {k} after {what}", count(after)))
    page.evaluate("async () => { await window.__tlPanel.sessionContext.shutdown(); }")
    return {
        "chapter": path.stem,
        "widgets": len(static),
        "static": static,
        "edited": edited,
        "ran": ran,
        "seconds": time.monotonic() - t0,
    }
