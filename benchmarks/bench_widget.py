"""The diagram widget measured in headless Chromium against a real JupyterLab, in one run.

Run: ``python -m benchmarks.bench_widget`` (``--quick`` for fewer samples). Needs
Chromium at /usr/bin/chromium (or ``$TENSORLESSONS_CHROMIUM``) and the ``test`` extra
(jupyterlab, playwright); the quimb comparison needs the ``bench`` extra.

Targets (issue 3):

- an edit -> the updated result visible: median <= 50 ms for a 10-tensor diagram of 64x64
  arrays (measured in the page: from the edit's DOM event to the next animation frame
  after the result panel shows the new version; includes the kernel round trip);
- first render of a 100-tensor diagram <= 150 ms (the widget's ``render``: drawing Python's
  geometry as SVG, result and inspector panels);
- dragging in a 50-tensor diagram <= 16 ms a frame (the pointer handler: the drag preview,
  SVG attribute updates of the whole picture, forced style/layout);
- side by side, the time quimb's ``TensorNetwork.draw`` (matplotlib) takes to draw the same
  100-tensor network as a static picture, for a ratio.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "browser"))

GRID = '''
def grid(n, m, dim=2, seed=0, prefix="T"):
    """An n x m grid network (PEPS-like), closed: every tensor joined to its neighbours."""
    rng = np.random.default_rng(seed)
    d = tl.Diagram()
    with d.edits():
        for i in range(n):
            for j in range(m):
                legs, idx = [], []
                for leg, (a, b) in (
                    ("u", ((i - 1, j), (i, j))),
                    ("d", ((i, j), (i + 1, j))),
                    ("l", ((i, j - 1), (i, j))),
                    ("r", ((i, j), (i, j + 1))),
                ):
                    if all(0 <= p[0] < n and 0 <= p[1] < m for p in (a, b)):
                        legs.append(leg)
                        idx.append(f"e{a[0]}_{a[1]}_{b[0]}_{b[1]}")
                d.add_tensor(f"{prefix}{i}_{j}", rng.random([dim] * len(legs)), legs=legs, indices=idx)
    return d.auto_layout()
'''

CELLS = [
    "import numpy as np\nimport tensorlessons as tl\n" + GRID,
    # 10 tensors of 64 x 64: a chain of matrices, result 64 x 64
    "rng = np.random.default_rng(1)\n"
    "mats = [rng.standard_normal((64, 64)) / 8 for _ in range(10)]\n"
    'd10 = tl.Diagram.from_einsum("ab,bc,cd,de,ef,fg,gh,hi,ij,jk->ak", *mats, '
    'names=[f"M{k}" for k in range(10)])\n'
    "w10 = tl.DiagramWidget(d10)\n"
    "w10",
    'd50 = grid(5, 10, prefix="G")\nw50 = tl.DiagramWidget(d50)\nw50',
    "d100 = grid(10, 10)\nw100 = tl.DiagramWidget(d100)\nw100",
]

EDIT_LOOP = """async ({n, kind}) => {
  const w = Array.from(document.querySelectorAll('.tl-widget'))
    .find((e) => e.querySelector('[data-tensor="M0"]'));
  const times = [];
  const waitFor = (v0) => new Promise((resolve) => {
    const check = () => {
      const p = w.querySelector('.tl-result');
      if (p && p.dataset.version !== v0) {
        obs.disconnect();
        requestAnimationFrame(() => resolve());
        return true;
      }
      return false;
    };
    const obs = new MutationObserver(check);
    obs.observe(w, {subtree: true, attributes: true, childList: true});
    check();
  });
  for (let k = 0; k < n; k++) {
    const v0 = w.querySelector('.tl-result').dataset.version;
    const t0 = performance.now();
    if (kind === 'value') {
      const inp = w.querySelector('.tl-inspect input.tl-cell');
      inp.value = String((k % 7) / 7);
      inp.dispatchEvent(new Event('change', {bubbles: true}));
    } else if (k % 2 === 0) {
      const hit = w.querySelector('[data-wire="e"] .tl-hit');
      const r = hit.getBoundingClientRect();
      hit.dispatchEvent(new PointerEvent('pointerdown', {bubbles: true, button: 0,
        clientX: r.x + r.width / 2, clientY: r.y + r.height / 2}));
      w.querySelector('button[data-action="cut"]').click();
    } else {
      w.querySelector('button[data-action="undo"]').click();
    }
    await waitFor(v0);
    times.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 10));
  }
  return times;
}"""


ROUND_TRIP = """async (n) => {
  const w = Array.from(document.querySelectorAll('.tl-widget'))
    .find((e) => e.querySelector('[data-tensor="M0"]'));
  const out = [];
  for (let k = 0; k < n; k++) {
    const ta = w.querySelector('textarea.tl-export');
    ta.value = '';
    const t0 = performance.now();
    w.querySelector('button[data-action="export-einsum"]').click();
    await new Promise((res) => { const iv = setInterval(() => {
      if (ta.value) { clearInterval(iv); res(); } }, 1); });
    out.push(performance.now() - t0);
  }
  return out;
}"""


def median_ms(xs: list[float]) -> float:
    return float(statistics.median(xs))


def p95(xs: list[float]) -> float:
    return float(np.percentile(xs, 95))


def quimb_draw(repeat: int) -> tuple[float | None, float, float]:
    """(quimb draw seconds or None, tensorlessons to_svg seconds, build+layout seconds)."""
    ns: dict[str, Any] = {}
    exec("import numpy as np\nimport tensorlessons as tl\n" + GRID, ns)
    t0 = time.perf_counter()
    d = ns["grid"](10, 10)
    build = time.perf_counter() - t0
    svg_times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        d.to_svg()
        svg_times.append(time.perf_counter() - t0)
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import quimb.tensor as qtn
    except ImportError:
        return None, median_ms(svg_times), build
    tensors = []
    for t in d:
        tensors.append(qtn.Tensor(t.array, inds=tuple(t.labels), tags={t.name}))
    tn = qtn.TensorNetwork(tensors)
    fig = tn.draw(return_fig=True)  # warm up (imports, numba, fonts)
    plt.close(fig)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fig = tn.draw(return_fig=True)
        fig.canvas.draw()
        times.append(time.perf_counter() - t0)
        plt.close(fig)
    return median_ms(times), median_ms(svg_times), build


def browser_measurements(n_edits: int, n_renders: int, *, nodelay: bool = False) -> dict[str, Any]:
    from harness import CHROMIUM, JupyterServer, launch_browser, open_notebook, write_notebook
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise SystemExit(f"Chromium not found at {CHROMIUM}")
    server = JupyterServer(nodelay=nodelay)
    out: dict[str, Any] = {}
    try:
        cells = CELLS + ["w100"] * (n_renders - 1)
        write_notebook(server.root / "bench.ipynb", cells)
        with sync_playwright() as pw:
            browser = launch_browser(pw)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.add_init_script("window.__tlPerf = {}")
            page.set_default_timeout(120_000)
            open_notebook(page, server, "bench.ipynb")
            page.wait_for_function(
                f"() => document.querySelectorAll('.tl-widget[data-ready]').length >= {len(cells) - 1}",
                timeout=180_000,
            )
            widgets = page.locator(".tl-widget")

            def widget_with(name: str) -> Any:
                return widgets.filter(has=page.locator(f'[data-tensor="{name}"]'))

            first = widget_with("T9_9").evaluate_all(
                "els => els.map(e => parseFloat(e.dataset.firstRenderMs))"
            )
            out["render100"] = first
            out["render50"] = widget_with("G4_9").evaluate_all(
                "els => els.map(e => parseFloat(e.dataset.firstRenderMs))"
            )
            out["render10"] = widget_with("M0").evaluate_all(
                "els => els.map(e => parseFloat(e.dataset.firstRenderMs))"
            )
            # edits -> result visible (10 tensors of 64 x 64)
            w10 = widget_with("M0")
            w10.locator('[data-tensor="M0"] rect').click()
            w10.locator(".tl-inspect input.tl-cell").first.wait_for()
            page.evaluate(EDIT_LOOP, {"n": 3, "kind": "value"})  # warm up
            page.evaluate("() => { window.__tlPerf.result = []; window.__tlPerf.inspect = []; }")
            out["edit_value"] = page.evaluate(EDIT_LOOP, {"n": n_edits, "kind": "value"})
            out["panels_value"] = page.evaluate(
                "() => window.__tlPerf.result.map((r, k) => r + (window.__tlPerf.inspect[k] || 0))"
            )
            out["edit_cut"] = page.evaluate(EDIT_LOOP, {"n": n_edits, "kind": "cut"})
            out["round_trip"] = page.evaluate(ROUND_TRIP, n_edits)
            # dragging in the 50-tensor diagram
            w50 = widget_with("G4_9")
            w50.scroll_into_view_if_needed()
            box = w50.locator('[data-tensor="G2_4"] rect').bounding_box()
            x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
            page.evaluate("() => { window.__tlPerf.drag = []; }")
            page.mouse.move(x, y)
            page.mouse.down()
            for k in range(120):
                page.mouse.move(x + 80 * np.sin(k / 10), y + 40 * np.cos(k / 13) - 40)
            page.mouse.up()
            out["drag50"] = page.evaluate("() => window.__tlPerf.drag")
            browser.close()
    finally:
        server.stop()
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer samples")
    args = parser.parse_args(argv)
    n_edits, n_renders, repeat = (10, 3, 2) if args.quick else (40, 6, 5)

    quimb_s, svg_s, build_s = quimb_draw(repeat)
    b = browser_measurements(n_edits, n_renders)
    fast = browser_measurements(n_edits, 1, nodelay=True)
    render100 = median_ms(b["render100"])
    rows = [
        ("edit -> result visible, value edit (10 x 64x64)", median_ms(b["edit_value"]), 50.0),
        ("edit -> result visible, cut / undo (10 x 64x64)", median_ms(b["edit_cut"]), 50.0),
        ("  same, value edit, with tensorlessons._server", median_ms(fast["edit_value"]), 50.0),
        ("  same, cut / undo, with tensorlessons._server", median_ms(fast["edit_cut"]), 50.0),
        ("  bare kernel round trip (export message)", median_ms(b["round_trip"]), None),
        ("  bare round trip, with tensorlessons._server", median_ms(fast["round_trip"]), None),
        ("  browser work per value edit (panels)", median_ms(b["panels_value"]), None),
        ("first render, 100 tensors", render100, 150.0),
        ("first render, 50 tensors", median_ms(b["render50"]), None),
        ("first render, 10 tensors", median_ms(b["render10"]), None),
        ("drag frame, 50 tensors (median)", median_ms(b["drag50"]), 16.0),
        ("drag frame, 50 tensors (p95)", p95(b["drag50"]), 16.0),
    ]
    print("tensorlessons widget, headless Chromium + JupyterLab (milliseconds)")
    print(f"{'measurement':52s} {'ms':>9s} {'target':>8s}  ok")
    for name, value, target in rows:
        ok = "" if target is None else ("yes" if value <= target else "NO")
        tgt = "" if target is None else f"{target:.0f}"
        print(f"{name:52s} {value:9.2f} {tgt:>8s}  {ok}")
    print(
        f"  samples: {len(b['edit_value'])} value edits, {len(b['edit_cut'])} cut/undo, "
        f"{len(b['render100'])} renders, {len(b['drag50'])} drag frames; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    print(
        "  (jupyter_server leaves Nagle on for kernel websockets, so a reply can wait for a\n"
        "   delayed ACK; the optional server extension tensorlessons._server sets TCP_NODELAY)"
    )
    print()
    print("static picture of the same 100-tensor network (10 x 10 grid, bond 2)")
    print(f"  tensorlessons Diagram.to_svg (Python):      {svg_s * 1e3:9.2f} ms")
    print(f"  tensorlessons widget first render (browser): {render100:9.2f} ms")
    print(f"  (building the diagram + auto layout:         {build_s * 1e3:9.2f} ms)")
    if quimb_s is None:
        print("  quimb TensorNetwork.draw: quimb/matplotlib not installed (pip install .[bench])")
    else:
        print(f"  quimb TensorNetwork.draw (matplotlib Agg):  {quimb_s * 1e3:9.2f} ms")
        print(f"  ratio quimb draw / widget first render:     {quimb_s * 1e3 / render100:9.1f}x")
        print(f"  ratio quimb draw / to_svg:                  {quimb_s / svg_s:9.1f}x")


if __name__ == "__main__":
    main()
