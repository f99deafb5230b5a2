"""Reopening a saved chapter shows its diagrams, not "Error displaying widget: model not found",
and one line saying to run the cell to edit them.

The course runs with ``tensorlessons/jupyter_config`` (``tensorlessons course``, course.sh,
Binder): JupyterLab saves the widgets' state into the notebook. After *Run All* and a save,
the kernel is shut down and the page reloaded: the diagram widgets are drawn again from the
saved state, before any cell runs.
"""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from harness import JupyterServer, find_panel, run_all, until

from tensorlessons import course


@pytest.fixture(scope="module")
def course_server(chromium_path: str) -> Iterator[JupyterServer]:
    old = os.environ.get("JUPYTER_CONFIG_PATH")
    os.environ["JUPYTER_CONFIG_PATH"] = course.jupyter_environment()["JUPYTER_CONFIG_PATH"]
    try:
        server = JupyterServer()
    finally:
        if old is None:
            os.environ.pop("JUPYTER_CONFIG_PATH", None)
        else:
            os.environ["JUPYTER_CONFIG_PATH"] = old
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def page(context: Any) -> Any:
    page = context.new_page()
    yield page
    page.close()


def test_saved_chapter_reopens_with_its_diagrams(page: Any, course_server: JupyterServer) -> None:
    server = course_server
    course.copy_course(server.root / "mine", log=None)
    name = "mine/00_start.ipynb"
    page.goto(server.url(name))
    find_panel(page, name)
    run_all(page)
    assert until(page, "'drawn' in globals()", True, timeout=120) is True
    page.locator(".tl-widget svg").first.wait_for(timeout=60_000)
    drawn_before = page.locator(".tl-widget svg").count()
    # Live: Python answers the widget, so no "saved notebook" note.
    page.locator('.tl-widget[data-live="true"]').first.wait_for(timeout=60_000)
    assert page.locator(".tl-saved-note:visible").count() == 0
    page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
    page.wait_for_timeout(1500)

    saved = json.loads((server.root / name).read_text())
    state = saved["metadata"].get("widgets", {}).get("application/vnd.jupyter.widget-state+json")
    assert state and state["state"], "the widget state was not saved with the notebook"

    # The kernel goes away (as when JupyterLab is closed), the page is opened afresh.
    with urllib.request.urlopen(f"{server.base}/api/sessions?token={server.token}") as r:
        sessions = json.load(r)
    for s in sessions:
        req = urllib.request.Request(
            f"{server.base}/api/sessions/{s['id']}?token={server.token}", method="DELETE"
        )
        urllib.request.urlopen(req).close()
    page.goto(server.url(name))
    page.locator(".jp-Notebook").first.wait_for(timeout=60_000)
    page.locator(".tl-widget svg").first.wait_for(timeout=60_000)
    assert page.locator(".tl-widget svg").count() == drawn_before
    body = page.locator(".jp-Notebook").first.text_content() or ""
    assert "model not found" not in body
    # ... and each says, in one line, how to edit it again.
    note = page.locator(".tl-saved-note:visible").first
    note.wait_for(timeout=30_000)
    assert "run its cell to edit" in (note.text_content() or "")
    assert page.locator('.tl-widget[data-live="true"]').count() == 0
