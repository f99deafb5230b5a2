"""The README's first command, exactly as written, on a fresh clone: ``bash scripts/course.sh``.

The clone (the repository's tracked files, as they are in the working tree) goes into a
temporary folder; ``course.sh`` makes its own virtual environment there, installs, copies
the learner copy into ``my-course/`` and starts JupyterLab. The test waits for the
server, asks its contents API for every notebook it serves, and checks that chapter 00
is the one opened, that every served notebook is the learner copy (no solution, no hidden
test, no reference answer), and that JupyterLab's news pop-up is off. The server is stopped
by its PID (``course.sh`` hands its process over to the server).

It also measures the time from the command to the server answering (printed; see
``benchmarks/`` for the time to the first widget in a browser).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tensorlessons import course

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 600.0  # a fresh venv and pip install on a slow machine


def _fresh_clone(dest: Path) -> None:
    """The repository's tracked files (as in the working tree), like ``git clone``."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=False)
    if listed.returncode != 0:
        pytest.skip("not a git checkout: cannot make a fresh clone")
    for name in filter(None, listed.stdout.decode().split("\0")):
        src, target = ROOT / name, dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if src.is_symlink():
            os.symlink(os.readlink(src), target)
        elif src.exists():
            shutil.copy2(src, target)


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as r:
        return json.load(r)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    clone = tmp_path_factory.mktemp("clone") / "tensorlessons"
    clone.mkdir()
    _fresh_clone(clone)
    log = clone.parent / "course.log"
    env = dict(os.environ, BROWSER="true")  # no browser window from the test
    env.pop("VIRTUAL_ENV", None)
    t0 = time.perf_counter()
    with open(log, "w") as out:
        proc = subprocess.Popen(
            ["bash", "scripts/course.sh"],  # the README's command, as written
            cwd=clone,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    url = None
    try:
        while time.perf_counter() - t0 < START_TIMEOUT and proc.poll() is None:
            m = re.search(
                r"(http://(?:localhost|127\.0\.0\.1):\d+)/\S*\?token=(\w+)", log.read_text()
            )
            if m:
                url = m.group(1), m.group(2)
                try:
                    _get(f"{url[0]}/api/status?token={url[1]}")
                    break
                except OSError:
                    pass
            time.sleep(1)
        ready = time.perf_counter() - t0
        assert proc.poll() is None, (
            f"course.sh exited ({proc.returncode}):\n{log.read_text()[-3000:]}"
        )
        assert url, f"no server URL after {START_TIMEOUT:.0f} s:\n{log.read_text()[-3000:]}"
        print(f"\ncourse.sh on a fresh clone: server answering after {ready:.1f} s")
        yield {"base": url[0], "token": url[1], "clone": clone, "log": log, "pid": proc.pid}
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)  # the server: course.sh exec'd into it
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)


def test_course_sh_serves_the_learner_copy_at_chapter_00(served) -> None:
    base, token = served["base"], served["token"]
    log = served["log"].read_text()
    # The page the browser is sent to is chapter 00: jupyter_server writes it next to its
    # general open file, named after the server's PID (the PID course.sh started).
    m = re.search(r"file://(\S+)/jpserver-\d+-open\.html", log)
    assert m, "no browser-open file in the server's log:\n" + log[-2000:]
    page = Path(m.group(1), f"jpserver-file-to-run-{served['pid']}-open.html").read_text()
    assert re.search(r"/lab/tree/00_start\.ipynb", page), (
        "JupyterLab was not opened at chapter 00:\n" + page
    )
    listing = _get(f"{base}/api/contents?token={token}")
    served_names = sorted(c["name"] for c in listing["content"] if c["type"] == "notebook")
    expected = sorted(p.name.replace(".py", ".ipynb") for p in course.source_paths(ROOT))
    assert served_names == expected, served_names
    # the learner's own folder, apart from what the project updates
    root = served["clone"] / "my-course"
    assert (root / "00_start.ipynb").exists()

    solutions = {}
    for src in course.source_paths(ROOT):
        nb = course.read_source(src)
        regions = []
        for cell in nb.cells:
            regions += re.findall(
                r"# BEGIN SOLUTION[^\n]*\n(.*?)\n[ \t]*# END SOLUTION", cell.source, re.S
            )
            regions += re.findall(
                r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", cell.source, re.S
            )
        solutions[f"{src.stem}.ipynb"] = [r.strip() for r in regions if r.strip()]
    for name in served_names:
        model = _get(f"{base}/api/contents/{name}?token={token}&content=1")
        text = "\n".join(c["source"] for c in model["content"]["cells"])
        for marker in ("BEGIN SOLUTION", "HIDDEN TESTS"):
            assert marker not in text, f"{name} as served contains {marker!r}"
        for region in solutions[name]:
            assert region not in text, f"{name} as served contains an answer: {region[:80]!r}"
        assert not re.search(r"\banswer\s*=\s*(?!same_value\()", text), name


def test_course_sh_turns_the_news_pop_up_off(served) -> None:
    base, token = served["base"], served["token"]
    spec = _get(
        f"{base}/lab/api/settings/@jupyterlab/apputils-extension:notification?token={token}"
    )
    assert spec["schema"]["properties"]["fetchNews"]["default"] == "false"
    widgets = _get(
        f"{base}/lab/api/settings/@jupyter-widgets/jupyterlab-manager:plugin?token={token}"
    )
    assert widgets["schema"]["properties"]["saveState"]["default"] is True


def test_the_server_is_the_process_course_sh_started(served) -> None:
    """Stopping the PID the command started stops the server (nothing left behind)."""
    cmdline = Path(f"/proc/{served['pid']}/cmdline")
    if cmdline.exists():
        assert b"jupyter" in cmdline.read_bytes()
