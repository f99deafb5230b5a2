"""Run the benchmarks one after another: ``python -m benchmarks [NAME ...]``.

Names: core, decompositions, transformer, grading, widget, layout_engines, course, layout
(default: all). Each
prints ratios against its peers measured side by side in the same run. The widget
benchmark starts a real JupyterLab and needs Debian's Chromium; the grading one runs
``nbgrader autograde`` (the ``nbgrader`` extra); the decompositions one needs tensorly;
the layout_engines one needs node and ``npm ci`` (elkjs); the layout one (layout quality of
every chapter's widgets, as shown and after pointer edits) starts JupyterLab and Chromium.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys

NAMES = [
    "core",
    "decompositions",
    "transformer",
    "grading",
    "widget",
    "layout_engines",
    "course",
    "layout",
]


def main(argv: list[str]) -> int:
    names = argv or NAMES
    unknown = [n for n in names if n not in NAMES]
    if unknown:
        print(f"unknown benchmark(s) {unknown}; choose from {NAMES}", file=sys.stderr)
        return 2
    failed = []
    for name in names:
        print(f"\n######## benchmarks.bench_{name}", flush=True)
        importlib.util.find_spec(f"benchmarks.bench_{name}")
        # a fresh interpreter each, so that one benchmark's caches do not help another
        code = subprocess.call([sys.executable, "-m", f"benchmarks.bench_{name}"])
        if code:
            failed.append(name)
    if failed:
        print(f"\nfailed: {failed}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
