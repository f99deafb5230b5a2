"""The course as a learner starts it: ``bash scripts/course.sh`` on a fresh clone, to chapter
00's first widget on screen; and the size of the learner copy.

Run: ``python -m benchmarks.bench_course`` (needs Debian's Chromium and git). The clone is the
repository's tracked files in a temporary folder; ``course.sh`` makes its own virtual
environment there (the pip cache helps, as it would on a learner's second try). The clock
starts at the command and stops when chapter 00's first diagram widget is drawn in
headless Chromium after *Run All* (the learner copy has no saved outputs). The phases are
printed: install and server start, page load, and Run All to the first widget.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "browser"))


def learner_copy_size() -> tuple[int, int]:
    """Bytes of chapters/*.ipynb, and of the solution-bearing notebooks built from course/."""
    from tensorlessons import course

    learner = sum(p.stat().st_size for p in (ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))
    full = sum(
        len(course.notebook_text(course.read_source(p)).encode()) for p in course.source_paths(ROOT)
    )
    return learner, full


def main() -> int:
    from harness import _FIND, _RUN_ALL, launch_browser
    from playwright.sync_api import sync_playwright
    from test_course_sh import _fresh_clone

    learner, full = learner_copy_size()
    print(f"learner copy chapters/*.ipynb: {learner / 1024:.0f} KiB ({learner} bytes)")
    print(f"solution-bearing notebooks:    {full / 1024:.0f} KiB (ratio {learner / full:.2f})")
    with tempfile.TemporaryDirectory(prefix="tl-bench-course-") as tmp:
        clone = Path(tmp) / "tensorlessons"
        clone.mkdir()
        _fresh_clone(clone)
        log = Path(tmp) / "course.log"
        env = dict(os.environ, BROWSER="true")
        env.pop("VIRTUAL_ENV", None)
        t0 = time.perf_counter()
        with open(log, "w") as out:
            proc = subprocess.Popen(
                # the README's command; the flag only lets the clock ask JupyterLab to Run All
                ["bash", "scripts/course.sh", "--", "--LabApp.expose_app_in_browser=True"],
                cwd=clone,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        try:
            url = None
            while proc.poll() is None and time.perf_counter() - t0 < 900:
                m = re.search(
                    r"(http://(?:localhost|127\.0\.0\.1):\d+)/\S*\?token=(\w+)", log.read_text()
                )
                if m:
                    try:
                        urllib.request.urlopen(f"{m.group(1)}/api/status?token={m.group(2)}")
                        url = m.group(1), m.group(2)
                        break
                    except OSError:
                        pass
                time.sleep(0.2)
            t_server = time.perf_counter() - t0
            if url is None:
                print(log.read_text()[-3000:], file=sys.stderr)
                return 1
            with sync_playwright() as pw:
                browser = launch_browser(pw)
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(f"{url[0]}/lab/tree/00_start.ipynb?token={url[1]}")
                page.wait_for_function(_FIND, arg="00_start.ipynb", timeout=120_000)
                t_page = time.perf_counter() - t0
                page.evaluate(
                    "() => { window.__tlRun = (" + _RUN_ALL + ")(); }"
                )  # not awaited: the clock stops at the first widget, not the last cell
                page.locator(".tl-widget svg").first.wait_for(timeout=300_000)
                t_widget = time.perf_counter() - t0
                browser.close()
        finally:
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGTERM)
                proc.wait(timeout=60)
    print(f"course.sh -> server answering:          {t_server:6.1f} s")
    print(f"         -> chapter 00 open in the page: {t_page:6.1f} s")
    print(f"         -> first widget on screen:     {t_widget:6.1f} s (after Run All)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
