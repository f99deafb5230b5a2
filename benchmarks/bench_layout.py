"""Layout quality of every diagram widget the course shows, per chapter, in headless Chromium.

Run: ``python -m benchmarks.bench_layout`` (``--chapters 00 02`` for some chapters,
``--no-edits`` to skip the scripted edits, ``-v`` to list every problem). Needs Chromium at
/usr/bin/chromium (or ``$TENSORLESSONS_CHROMIUM``) and the ``test`` extra.

Each chapter notebook (with its solutions) runs in one real JupyterLab; every ``.tl-widget``
is measured in screen pixels, then edited with the pointer as a person would (a cut between
neighbours, a drag of a tensor to each corner of the canvas, two palette additions), measured
after each edit and restored with the widget's Undo. The counts (see
``tests/browser/layout_quality.py``): label overlaps, wires under boxes they do not connect,
elements outside the visible canvas, leg ends closer than a grab radius, cycles not drawn as
cycles, and presses on a leg end that pick up something else. Target: all zero (issue 11);
``tests/browser/test_layout_quality.py`` asserts it where it holds.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from harness import JupyterServer, launch_browser  # noqa: E402
from layout_quality import KINDS, chapter_notebooks, run_chapter, totals  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chapters", nargs="*", help="chapter numbers (default: all)")
    ap.add_argument("--no-edits", action="store_true", help="measure the widgets as shown only")
    ap.add_argument("-v", "--verbose", action="store_true", help="list every problem")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    server = JupyterServer()
    paths = chapter_notebooks(server.root, args.chapters)
    rows = []
    t0 = time.monotonic()
    try:
        with sync_playwright() as pw:
            browser = launch_browser(pw)
            ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
            ctx.set_default_timeout(60_000)
            page = ctx.new_page()
            for path in paths:
                r = run_chapter(page, server, path, edits=not args.no_edits)
                rows.append(r)
                if args.verbose:
                    for where, probs in r["static"] + r["edited"]:
                        for k in KINDS:
                            for p in probs[k]:
                                print(f"  {r['chapter']} {where}: [{k}] {p}")
                print(
                    f"... {r['chapter']}: {r['widgets']} widgets, {r['seconds']:.0f} s", flush=True
                )
            browser.close()
    finally:
        server.stop()

    head = f"{'chapter':<22}{'widgets':>8}" + "".join(f"{k:>9}" for k in KINDS)
    for title, part in (("as shown", "static"), ("after scripted edits", "edited")):
        if part == "edited" and args.no_edits:
            continue
        print(f"\nLayout problems, widgets {title} (target: 0 everywhere)")
        print(head)
        grand = dict.fromkeys(KINDS, 0)
        n = 0
        for r in rows:
            t = totals(p for _, p in r[part])
            count = r["widgets"] if part == "static" else len(r[part])
            n += count
            for k in KINDS:
                grand[k] += t[k]
            print(f"{r['chapter']:<22}{count:>8}" + "".join(f"{t[k]:>9}" for k in KINDS))
        print(f"{'total':<22}{n:>8}" + "".join(f"{grand[k]:>9}" for k in KINDS))
    print(f"\n({time.monotonic() - t0:.0f} s; 'widgets' after edits counts the edited states)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
