"""Our layout against elkjs (Eclipse Layout Kernel) on the course's own diagrams, in one run.

Run: ``python -m benchmarks.bench_layout_engines`` (needs node and ``npm ci``: elkjs is a
devDependency in package.json). Every chapter source ``course/NN_*.py`` is run as plain
Python, and every diagram it shows in a widget (or sets as a drawing exercise) is
collected. Each is then laid out by

- ``ours``: :func:`tensorlessons._layout.layout` (rows for chains, stress majorization
  otherwise), in this Python process;
- ``elk-layered``: ELK's layered algorithm (the one netlistsvg uses for circuits), ports on
  free sides;
- ``elk-layered-sides``: the same with port constraints FIXED_SIDE, a tensor's first legs
  on its west side and the rest on its east side (as matrices are drawn, i left, j right);
- ``elk-stress``: ELK's stress majorization;

and drawn by the one geometry (:func:`tensorlessons._render.geometry`: wires, open legs
and labels placed the same way for every engine), then measured with the layout-quality
counts of :func:`tensorlessons._quality.problems`: label overlaps, wires under boxes,
shapes outside the picture, leg ends closer than a grab, loops not drawn as loops.
Timings: ours per diagram in Python; ELK's ``elk.layout`` per diagram inside node (after
one warm-up), plus the node process's start.

Result (69 course diagrams, 2-core machine shared with other jobs), total problems:
ours 0, elk-layered 33, elk-layered-sides 13, elk-stress 1; median time per diagram
0.24 ms ours against 77 ms elk-layered (41 ms elk-stress), plus about 7-10 s of node
per run. We keep ours: it reads at least as well on every chapter (layered layouts put a
loop's tensors in layers, so a wire of tr(PQR) runs behind a box, and pull a hyperedge's
tensors into a row), it is two orders of magnitude faster, and it is plain Python, so
``to_svg()`` and ``to_tikz()`` (and every widget sync) need no node at run time. ELK's
stress algorithm comes closest; ours is the same idea (stress majorization) with the
tensor-network rules added: chains in a row, hyperedges as stars, boxes off wires.
"""

from __future__ import annotations

import collections
import contextlib
import io
import json
import os
import runpy
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
COUNTS = ("overlaps", "under", "outside", "crowded", "cycles")
ENGINES = ("ours", "elk-layered", "elk-layered-sides", "elk-stress")


def course_diagrams() -> list[tuple[str, Any]]:
    """(chapter, diagram) for every diagram the chapters show in a widget or exercise."""
    import tensorlessons as tl
    from tensorlessons import exercises, widget

    found: list[tuple[str, Any]] = []
    chapter = [""]
    w_init, e_init = widget.DiagramWidget.__init__, exercises.DiagramExercise.__init__

    def on_widget(self: Any, diagram: Any = None, **kw: Any) -> None:
        w_init(self, diagram, **kw)
        found.append((chapter[0], self.diagram.copy()))

    def on_exercise(self: Any, *a: Any, **kw: Any) -> None:
        e_init(self, *a, **kw)
        found.append((chapter[0], self._diagram.copy()))

    widget.DiagramWidget.__init__ = on_widget  # type: ignore[method-assign]
    exercises.DiagramExercise.__init__ = on_exercise  # type: ignore[method-assign]
    here = os.getcwd()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            os.environ["TENSORLESSONS_ANSWERS"] = tmp
            os.chdir(ROOT / "chapters")
            for src in sorted((ROOT / "course").glob("[0-9][0-9]_*.py")):
                chapter[0] = src.stem
                with contextlib.redirect_stdout(io.StringIO()):
                    try:
                        runpy.run_path(str(src), run_name="__main__")
                    except Exception as exc:  # a chapter that fails still counts what it showed
                        print(
                            f"  {src.stem}: stopped early ({type(exc).__name__})", file=sys.stderr
                        )
    finally:
        os.chdir(here)
        widget.DiagramWidget.__init__ = w_init  # type: ignore[method-assign]
        exercises.DiagramExercise.__init__ = e_init  # type: ignore[method-assign]
    # lay each out afresh (positions as the layout engine chooses), structure only
    out = []
    for ch, d in found:
        if len(d) == 0:
            continue
        data = d.to_dict(arrays=True)
        for t in data["tensors"]:
            t["position"] = None
        out.append((ch, tl.Diagram.from_dict(data)))
    return out


def elk_graph(d: Any, variant: str) -> dict[str, Any]:
    """The diagram as an ELK JSON graph: tensors as boxes with one port per leg, wires as
    edges between ports, a hyperedge as a small node joined to each of its legs."""
    from tensorlessons._render import BOX, DOT, box_width

    algorithm = "stress" if variant == "elk-stress" else "layered"
    children, edges = [], []
    members: dict[str, list[str]] = collections.defaultdict(list)
    for t in d:
        copy = t.kind == "copy"
        w, h = (2 * DOT, 2 * DOT) if copy else (box_width(t.name), BOX)
        ports = []
        for k, (leg, lab) in enumerate(zip(t.legs, t.labels, strict=True)):
            port: dict[str, Any] = {"id": f"{t.name}:{leg}", "width": 4, "height": 4}
            if variant == "elk-layered-sides":
                side = "WEST" if k < max(1, t.order // 2) else "EAST"
                port["layoutOptions"] = {"elk.port.side": side}
            ports.append(port)
            # stress knows no ports: its edges join the boxes themselves
            members[lab].append(t.name if algorithm == "stress" else port["id"])
        node: dict[str, Any] = {"id": t.name, "width": w, "height": h}
        if algorithm != "stress":
            node["ports"] = ports
        if variant == "elk-layered-sides":
            node["layoutOptions"] = {"elk.portConstraints": "FIXED_SIDE"}
        children.append(node)
    out = set(d.output)
    for lab, refs in members.items():
        if len(refs) == 2 and lab not in out:
            edges.append({"id": f"e:{lab}", "sources": [refs[0]], "targets": [refs[1]]})
        elif len(refs) >= 2:
            dot = f"dot:{lab}"
            children.append({"id": dot, "width": 2 * DOT, "height": 2 * DOT})
            for k, ref in enumerate(refs):
                edges.append({"id": f"e:{lab}:{k}", "sources": [ref], "targets": [dot]})
    options = {
        "elk.algorithm": algorithm,
        "elk.direction": "RIGHT",
        "elk.spacing.nodeNode": "60",
        "elk.layered.spacing.nodeNodeBetweenLayers": "86",
        "elk.stress.desiredEdgeLength": "130",
    }
    return {"id": "root", "layoutOptions": options, "children": children, "edges": edges}


def run_elk(jobs: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], float]:
    """Lay the graphs out in one node process; (results, the process's wall time in s)."""
    script = ROOT / "benchmarks" / "elk_layout.mjs"
    warm = [{"id": "warm-up", "graph": jobs[0]["graph"]}] if jobs else []
    t0 = time.perf_counter()
    run = subprocess.run(
        ["node", str(script)],
        input=json.dumps(warm + jobs),
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if run.returncode:
        raise RuntimeError(f"elkjs failed: {run.stderr[-2000:]}")
    return json.loads(run.stdout)[len(warm) :], time.perf_counter() - t0


def measure(d: Any, positions: dict[str, tuple[float, float]]) -> dict[str, int]:
    from tensorlessons._quality import problems
    from tensorlessons._render import geometry

    e = d.copy()
    with e.edits():
        for name, (x, y) in positions.items():
            e.move(name, x, y)
    return problems(geometry(e))


def main() -> int:
    from tensorlessons._layout import layout

    if shutil.which("node") is None or not (ROOT / "node_modules" / "elkjs").exists():
        print("needs node and elkjs: apt-get install nodejs npm && npm ci", file=sys.stderr)
        return 1
    t0 = time.perf_counter()
    diagrams = course_diagrams()
    print(f"{len(diagrams)} diagrams from the course ({time.perf_counter() - t0:.1f} s to run it)")
    totals = {e: collections.defaultdict(collections.Counter) for e in ENGINES}
    times: dict[str, list[float]] = {e: [] for e in ENGINES}
    for ch, d in diagrams:
        t = time.perf_counter()
        pos = layout(d)
        times["ours"].append((time.perf_counter() - t) * 1e3)
        totals["ours"][ch].update(measure(d, pos))
    node_wall = {}
    for engine in ENGINES[1:]:
        jobs = [{"id": k, "graph": elk_graph(d, engine)} for k, (_, d) in enumerate(diagrams)]
        results, node_wall[engine] = run_elk(jobs)
        for (ch, d), res in zip(diagrams, results, strict=True):
            times[engine].append(res["ms"])
            pos = {
                n: (x + w / 2 + 80, y + h / 2 + 80)
                for n, (x, y, w, h) in res["nodes"].items()
                if not n.startswith("dot:")
            }
            totals[engine][ch].update(measure(d, pos))
    chapters = sorted({ch for ch, _ in diagrams})
    print("\nlayout-quality counts per chapter (overlaps/under/outside/crowded/cycles; 0 is clean)")
    print(f"{'chapter':22s}" + "".join(f"{e:>20s}" for e in ENGINES))
    for ch in chapters:
        cells = ["/".join(str(totals[e][ch][k]) for k in COUNTS) for e in ENGINES]
        print(f"{ch:22s}" + "".join(f"{c:>20s}" for c in cells))
    grand = {e: sum(sum(c.values()) for c in totals[e].values()) for e in ENGINES}
    print(f"{'total problems':22s}" + "".join(f"{grand[e]:>20d}" for e in ENGINES))
    print("\ntime to lay out one diagram (ms): median / max")
    for e in ENGINES:
        print(f"  {e:20s} {statistics.median(times[e]):8.2f} / {max(times[e]):8.2f}")
    for e, wall in node_wall.items():
        print(
            f"  node process for {e}: {wall:.2f} s wall for {len(diagrams)} diagrams (start-up included)"
        )
    ratio = statistics.median(times["elk-layered"]) / max(statistics.median(times["ours"]), 1e-9)
    print(f"\nelk-layered / ours, median time per diagram: {ratio:.1f}x")
    best = min(ENGINES, key=lambda e: grand[e])
    print(f"fewest layout problems: {best} ({grand[best]}); ours: {grand['ours']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
