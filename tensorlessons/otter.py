"""Export a released notebook as an otter-grader autograder (Gradescope) configuration zip.

``tensorlessons grade`` runs on one machine. For a class larger than one machine can
grade, Gradescope (or any otter-grader deployment) runs every submission in its own
container; otter-grader (https://otter-grader.readthedocs.io, the ``otter`` extra) is
the engine. :func:`export_otter` turns one notebook of a ``tensorlessons release`` into
the zip ``otter generate`` makes, with otter's own ``otter.generate``:

- each graded cell becomes one otter test file (otter's exception-based format), worth
  the cell's points, hidden (so hidden tests and their messages reach learners only
  when the instructor publishes grades); it runs the cell's full source, hidden tests
  included, in the learner's executed notebook, as nbgrader does: all or nothing;
- the release's other files (data a notebook reads) go into ``files/``;
- ``requirements.txt`` asks for this version of tensorlessons.

Learners submit their notebook, or a zip of it with its ``tensorlessons_answers/``
folder (drawn answers). ``otter run -a autograder.zip SUBMISSION`` grades one locally
without a container. What otter does *not* do that ``tensorlessons grade`` does is
said in ``docs/grading.md``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from . import grading as g

__all__ = ["otter_test_file", "export_otter"]

_TEMPLATE = '''\
"""Graded cell {gid!r} of {notebook}, exported by tensorlessons (do not edit)."""

from otter.test_files import test_case

OK_FORMAT = False

name = {name!r}
points = {points!r}

SOURCE = {source!r}


@test_case(points={points!r}, hidden=True)
def graded_cell(env):
    exec(compile(SOURCE, {filename!r}, "exec"), env)
'''


def _test_name(grade_id: str) -> str:
    return re.sub(r"\W", "_", grade_id)


def otter_test_file(cell: object, notebook: str) -> str:
    """The otter test file (exception-based format) for one graded cell of a grading key.

    >>> from nbformat import v4
    >>> cell = v4.new_code_cell("check.equal(x, 2)", metadata={"nbgrader": {
    ...     "grade": True, "solution": False, "locked": True, "points": 2,
    ...     "grade_id": "c-x", "schema_version": 3}})
    >>> text = otter_test_file(cell, "c.ipynb")
    >>> "name = 'c_x'" in text and "points = 2.0" in text and "hidden=True" in text
    True
    """
    gid = g._grade_id(cell) or "cell"
    return _TEMPLATE.format(
        gid=gid,
        notebook=notebook,
        name=_test_name(gid),
        points=g._points(cell),
        source=g._source(cell),
        filename=f"<graded cell {gid}>",
    )


@contextlib.contextmanager
def _chdir(path: Path) -> Iterator[None]:
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def export_otter(
    released: str | os.PathLike[str],
    notebook: str,
    out: str | os.PathLike[str],
    *,
    requirements: Sequence[str] | None = None,
) -> Path:
    """Write otter-grader's autograder zip for ``notebook`` of the release ``released``.

    ``released`` is the ``OUT`` folder of :func:`tensorlessons.grading.release` (or the
    source notebooks); ``requirements`` are pip requirements for the grading image
    (default: this version of tensorlessons). Needs otter-grader (the ``otter`` extra).
    Returns the path of the zip.
    """
    try:
        from otter.generate import main as otter_generate
    except ImportError:
        raise g.GradingError(
            "export-otter needs otter-grader: pip install 'tensorlessons[otter]'"
        ) from None
    from . import __version__

    keys = g.load_release(released)
    if notebook not in keys:
        raise g.GradingError(
            f"export-otter: {notebook!r} is not in the release {str(released)!r} "
            f"(it has: {', '.join(sorted(keys)) or 'nothing'})"
        )
    key = keys[notebook]
    graded = [c for c in key.cells if g.is_graded(c)]
    if not graded:
        raise g.GradingError(f"export-otter: {notebook!r} has no graded cells")
    out_path = Path(out).resolve()
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tl-otter-") as tmp:
        root = Path(tmp)
        (root / "tests").mkdir()
        for cell in graded:
            name = _test_name(g._grade_id(cell) or "cell")
            (root / "tests" / f"{name}.py").write_text(
                otter_test_file(cell, notebook), encoding="utf-8"
            )
        reqs = list(requirements) if requirements else [f"tensorlessons=={__version__}"]
        (root / "requirements.txt").write_text("\n".join(reqs) + "\n", encoding="utf-8")
        (root / "otter_config.json").write_text(
            json.dumps({"lang": "python", "show_stdout": False}, indent=2), encoding="utf-8"
        )
        files: list[str] = []
        src = Path(released)
        src = src / "autograder" if (src / "autograder").is_dir() else src
        if src.is_dir():
            for item in sorted(src.iterdir()):
                if item.suffix == ".ipynb" or item.name.startswith(".") or item.is_symlink():
                    continue
                if item.name in (g.ANSWERS_DIR, "__pycache__"):
                    continue
                if item.is_dir():
                    shutil.copytree(item, root / item.name, symlinks=False)
                else:
                    shutil.copy2(item, root / item.name)
                files.append(item.name)
        with _chdir(root):
            otter_generate(
                tests_dir="tests",
                output_path=str(out_path),
                config="otter_config.json",
                requirements="requirements.txt",
                files=files,
                no_environment=True,
            )
    return out_path
