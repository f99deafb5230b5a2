"""Every diagram the course shows reads cleanly: the layout-quality measure at zero.

Each chapter (built with its solutions from ``course/``) runs in one JupyterLab page, one
after another (one server, one browser, one page). Every widget it shows is measured as
shown (:mod:`layout_quality`: label overlaps, wires under boxes, anything outside the
visible canvas, leg ends within a grab radius, cycles not drawn as cycles, presses that
pick up another leg) and every count must be zero. The chapters in :data:`EDITED_AT_ZERO`
are also edited with the pointer as a person would (a cut between neighbours, a drag of a
tensor to each corner, two palette additions) and must read cleanly after each edit too;
``python -m benchmarks.bench_layout`` prints the counts after edits for every chapter.
"""

from __future__ import annotations

from typing import Any

import pytest
from harness import JupyterServer
from layout_quality import KINDS, chapter_notebooks, chapter_sources, run_chapter

CHAPTERS = [p.stem for p in chapter_sources()]
#: Chapters whose widgets also read cleanly after the scripted pointer edits: all of them
#: (a wire bends round the boxes a drag puts in its way; ``python -m benchmarks.bench_layout -v``).
EDITED_AT_ZERO = set(CHAPTERS)


@pytest.fixture(scope="module")
def page(jupyter: JupyterServer, context: Any) -> Any:
    page = context.new_page()
    yield page
    page.close()


def _problems(found: list[tuple[str, dict[str, list[str]]]]) -> list[str]:
    return [f"{where}: [{k}] {p}" for where, probs in found for k in KINDS for p in probs[k]]


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_widgets_read_cleanly(page: Any, jupyter: JupyterServer, chapter: str) -> None:
    (path,) = chapter_notebooks(jupyter.root, [chapter[:2]])
    r = run_chapter(page, jupyter, path, edits=chapter in EDITED_AT_ZERO)
    assert r["widgets"] >= 1, f"{chapter} shows no diagram widget"
    assert _problems(r["static"]) == []
    if chapter in EDITED_AT_ZERO:
        assert r["edited"], "no edit was made"
        assert _problems(r["edited"]) == []
