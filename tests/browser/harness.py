"""A real Jupyter server and headless Chromium, for the widget's browser tests and benchmarks.

One server (``jupyter lab`` from this environment; Notebook 7's ``/notebooks`` pages are
served by the same server) on 127.0.0.1, a free port and a random token, its root a temp
folder. Chromium is Debian's (``/usr/bin/chromium``): Playwright cannot download browsers
here. ``window.jupyterapp`` is exposed so that tests can run cells and ask the kernel.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

CHROMIUM = os.environ.get("TENSORLESSONS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class JupyterServer:
    """``jupyter lab`` on 127.0.0.1 with a token; ``stop()`` ends it (and only it)."""

    def __init__(self, root: Path | None = None, *, nodelay: bool = False) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="tl-jupyter-"))
        self.root = root or (self.tmp / "root")
        self.root.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.base = f"http://127.0.0.1:{self.port}"
        settings = self.tmp / "settings"
        for plugin, values in {
            "@jupyterlab/apputils-extension/notification": {
                "fetchNews": "false",
                "checkForUpdates": False,
            },
            "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
        }.items():
            f = settings / f"{plugin}.jupyterlab-settings"
            f.parent.mkdir(parents=True, exist_ok=True)
            f.write_text(json.dumps(values))
        env = dict(os.environ)
        env.update(
            JUPYTER_RUNTIME_DIR=str(self.tmp / "runtime"),
            JUPYTER_CONFIG_DIR=str(self.tmp / "config"),
            IPYTHONDIR=str(self.tmp / "ipython"),
            JUPYTERLAB_SETTINGS_DIR=str(settings),
            JUPYTERLAB_WORKSPACES_DIR=str(self.tmp / "workspaces"),
            PYTHONUNBUFFERED="1",
        )
        env.pop("TENSORLESSONS_ANSWERS", None)
        jupyter = Path(sys.executable).parent / "jupyter"
        cmd = [
            str(jupyter) if jupyter.exists() else "jupyter",
            "lab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            "--ServerApp.open_browser=False",
            "--ServerApp.allow_root=True",
            "--LabApp.expose_app_in_browser=True",
            "--JupyterNotebookApp.expose_app_in_browser=True",
            f"--LabApp.user_settings_dir={settings}",
            f"--LabApp.workspaces_dir={self.tmp / 'workspaces'}",
        ]
        if nodelay:
            # tensorlessons' optional server extension: TCP_NODELAY on kernel websockets
            # (jupyter_server leaves Nagle on; benchmarks show both).
            cmd.append("--ServerApp.jpserver_extensions={'tensorlessons._server': True}")
        self.log = open(self.tmp / "server.log", "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(cmd, cwd=self.root, env=env, stdout=self.log, stderr=self.log)
        self._wait()

    def _wait(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        url = f"{self.base}/api/status?token={self.token}"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited early:\n{self.log_text()}")
            try:
                with urllib.request.urlopen(url, timeout=2) as r:  # noqa: S310 - loopback only
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"jupyter lab did not start in {timeout} s:\n{self.log_text()}")

    def log_text(self) -> str:
        self.log.flush()
        return (self.tmp / "server.log").read_text(errors="replace")[-4000:]

    def url(self, path: str, ui: str = "lab") -> str:
        """The page of a notebook: ``ui="lab"`` (JupyterLab 4) or ``"notebook"`` (Notebook 7)."""
        if ui == "lab":
            return f"{self.base}/lab/tree/{path}?reset&token={self.token}"
        return f"{self.base}/notebooks/{path}?token={self.token}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def write_notebook(path: Path, cells: list[str]) -> Path:
    """A notebook of code cells, with the kernelspec metadata JupyterLab needs."""
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "metadata": {},
                "outputs": [],
                "source": src,
            }
            for src in cells
        ],
        "metadata": {
            "kernelspec": KERNELSPEC,
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(nb, indent=1))
    return path


def launch_browser(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


_FIND = """(name) => {
  const app = window.jupyterapp;
  if (!app || !app.shell) return false;
  for (const w of Array.from(app.shell.widgets('main'))) {
    if (w.context && w.context.path === name && w.sessionContext) {
      window.__tlPanel = w;
      return true;
    }
  }
  return false;
}"""

_RUN_ALL = """async () => {
  const app = window.jupyterapp;
  const panel = window.__tlPanel;
  app.shell.activateById(panel.id);
  await panel.context.ready;
  await panel.sessionContext.ready;
  await app.commands.execute('notebook:run-all-cells');
}"""

_EXEC = """async (code) => {
  const panel = window.__tlPanel;
  const kernel = panel.sessionContext.session.kernel;
  let out = '';
  const future = kernel.requestExecute({code, store_history: false});
  future.onIOPub = (msg) => {
    const t = msg.header.msg_type;
    if (t === 'stream') out += msg.content.text;
    else if (t === 'error') out += 'ERROR ' + msg.content.ename + ': ' + msg.content.evalue;
    else if (t === 'execute_result') out += msg.content.data['text/plain'];
  };
  await future.done;
  return out;
}"""

_RESTART = """async () => {
  const panel = window.__tlPanel;
  await panel.sessionContext.restartKernel();
  await panel.sessionContext.ready;
}"""


def open_notebook(page: Any, server: JupyterServer, name: str, ui: str = "lab") -> None:
    """Open a notebook, wait for its kernel, run all cells."""
    page.goto(server.url(name, ui))
    find_panel(page, name)
    run_all(page)


def find_panel(page: Any, name: str) -> None:
    """Wait for the notebook ``name`` to be open (JupyterLab may restore other tabs too)."""
    page.wait_for_function(_FIND, arg=name, timeout=60_000)


def run_all(page: Any) -> None:
    page.evaluate(_RUN_ALL)


def kernel(page: Any, code: str) -> str:
    """Run ``code`` in the notebook's kernel; its printed output (errors prefixed ERROR)."""
    return str(page.evaluate(_EXEC, code))


def restart_kernel(page: Any) -> None:
    page.evaluate(_RESTART)


def py(page: Any, expr: str) -> Any:
    """The value of a Python expression in the notebook's kernel (through JSON)."""
    out = kernel(page, f"import json as _tl_json\nprint(_tl_json.dumps({expr}))")
    if "ERROR" in out:
        raise AssertionError(f"kernel error for {expr!r}: {out}")
    return json.loads(out)


def until(page: Any, expr: str, expected: Any, timeout: float = 15.0) -> Any:
    """Poll a Python expression until it equals ``expected``; return the last value."""
    deadline = time.monotonic() + timeout
    value = py(page, expr)
    while value != expected and time.monotonic() < deadline:
        time.sleep(0.1)
        value = py(page, expr)
    return value


def center(locator: Any) -> tuple[float, float]:
    box = locator.bounding_box()
    assert box is not None, f"{locator} is not visible"
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def drag(page: Any, source: Any, target: Any | tuple[float, float], steps: int = 8) -> None:
    """Press on ``source``, move in steps to ``target`` (a locator or a point), release."""
    x0, y0 = center(source)
    x1, y1 = target if isinstance(target, tuple) else center(target)
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x0 + 5, y0 + 5, steps=2)
    page.mouse.move(x1, y1, steps=steps)
    page.mouse.up()


def click_wire(page: Any, widget: Any, wire: str | None = None) -> None:
    """Click the middle of a wire (its first segment), as a person would."""
    sel = f'[data-wire="{wire}"] .tl-hit' if wire is not None else "[data-wire] .tl-hit"
    x, y = center(widget.locator(sel).first)
    page.mouse.click(x, y)
