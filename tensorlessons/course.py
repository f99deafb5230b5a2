"""The course's chapters: one text source per chapter, built into notebooks.

Each chapter is written once, as a jupytext *percent-format* Python file
``course/NN_name.py``: prose in ``# %% [markdown]`` cells, code in ``# %%`` cells, and
each cell's metadata (its stable ``id``, nbgrader's ``nbgrader`` and our
``tensorlessons`` keys) on the cell's marker line. Solutions sit between
``# BEGIN SOLUTION`` / ``# END SOLUTION`` and hidden tests between
``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS``, exactly as in nbgrader's source
notebooks. A linter sees all chapter code, and an instructor can open a source in
Jupyter (with jupytext installed) and edit it as a notebook.

``tensorlessons build`` turns the sources into ``chapters/NN_name.ipynb``. jupytext is
needed only to build (the ``build`` extra), never to take the course.

>>> text = '''# %% [markdown] id="99-000"
... # # A chapter
...
... # %% id="99-001"
... x = 1
... '''
>>> nb = reads(text)
>>> [(c.id, c.cell_type, c.source) for c in nb.cells]
[('99-000', 'markdown', '# A chapter'), ('99-001', 'code', 'x = 1')]
>>> reads(writes(nb)) == nb
True
"""

from __future__ import annotations

import copy
import os
import re
from pathlib import Path
from typing import Any

__all__ = ["build", "read_source", "reads", "source_paths", "writes"]

#: jupytext's name of the chapters' text format.
FORMAT = "py:percent"
#: The kernel every chapter runs in.
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
_LANGUAGE_INFO = {"name": "python"}
#: What a source's header keeps of the notebook's metadata (the rest is rebuilt).
_HEADER_FILTER = {"notebook_metadata_filter": "kernelspec,-jupytext", "cell_metadata_filter": "all"}
_ID = re.compile(r"^(?P<prefix>.*?)(?P<number>\d+)$")


def _jupytext() -> Any:
    try:
        import jupytext
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "building the course needs jupytext: pip install 'tensorlessons[build]'"
        ) from exc
    return jupytext


def reads(text: str) -> Any:
    """A chapter notebook (nbformat 4.5) from the text of its percent-format source.

    Each cell's ``id`` comes from the ``id`` key on its marker line; a cell without one
    (added in an editor) gets a new id after the chapter's highest, so ids never change
    once given (``tensorlessons build`` writes them into the source).
    """
    return _reads(text)[0]


def _reads(text: str) -> tuple[Any, bool]:
    import nbformat

    nb = _jupytext().reads(text, fmt=FORMAT)
    taken = [c.metadata["id"] for c in nb.cells if "id" in c.metadata]
    prefix, number = "", -1
    for cid in taken:
        m = _ID.match(str(cid))
        if m and int(m["number"]) > number:
            prefix, number = m["prefix"], int(m["number"])
    width = max((len(_ID.match(str(c))["number"]) for c in taken if _ID.match(str(c))), default=3)
    cells = []
    assigned = False
    for cell in nb.cells:
        meta = dict(cell.metadata)
        meta.pop("lines_to_next_cell", None)  # jupytext's memo of blank lines, not content
        cid = meta.pop("id", None)
        if cid is None:
            assigned = True
            number += 1
            cid = f"{prefix}{number:0{width}d}"
        if cell.cell_type == "code":
            new = nbformat.v4.new_code_cell(cell.source, metadata=meta, id=str(cid))
        elif cell.cell_type == "markdown":
            new = nbformat.v4.new_markdown_cell(cell.source, metadata=meta, id=str(cid))
        else:
            new = nbformat.v4.new_raw_cell(cell.source, metadata=meta, id=str(cid))
        cells.append(new)
    out = nbformat.v4.new_notebook(cells=cells)
    out.nbformat, out.nbformat_minor = 4, 5
    out.metadata = {
        "kernelspec": dict(nb.metadata.get("kernelspec") or KERNELSPEC),
        "language_info": dict(_LANGUAGE_INFO),
    }
    return out, assigned


def read_source(path: str | os.PathLike[str]) -> Any:
    """The notebook of the chapter source at ``path`` (see :func:`reads`)."""
    return reads(Path(path).read_text(encoding="utf-8"))


def writes(nb: Any) -> str:
    """The percent-format source text of a chapter notebook (outputs are not kept).

    Inverse of :func:`reads`: ``reads(writes(nb))`` has the same cells, sources, cell
    metadata and ids as ``nb``.
    """
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        cell.metadata = {"id": cell.get("id"), **cell.metadata}
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb.metadata = {
        "kernelspec": dict(nb.metadata.get("kernelspec") or KERNELSPEC),
        "jupytext": dict(_HEADER_FILTER),
    }
    return _jupytext().writes(nb, fmt=FORMAT)


def source_paths(root: str | os.PathLike[str]) -> list[Path]:
    """The chapter sources ``course/NN_*.py`` of the project at ``root``, in order."""
    return sorted((Path(root) / "course").glob("[0-9][0-9]_*.py"))


def notebook_text(nb: Any) -> str:
    """A notebook as written to disk: nbformat's JSON, one trailing newline."""
    import nbformat

    return nbformat.writes(nb) + "\n"


def build(
    root: str | os.PathLike[str] = ".", *, check: bool = False, log: Any = print
) -> list[Path]:
    """Build ``chapters/NN_name.ipynb`` from every ``course/NN_name.py`` of ``root``.

    With ``check=True`` nothing is written; the paths that are missing or differ from
    what the build would write are returned (empty: up to date). Otherwise the files
    that changed are written and returned. A source whose cells lacked ids is rewritten
    with the ids it was given.
    """
    root = Path(root)
    sources = source_paths(root)
    if not sources:
        from ._errors import DiagramError

        raise DiagramError(f"no chapter sources course/NN_*.py under {str(root)!r}")
    changed: list[Path] = []
    for src in sources:
        text = src.read_text(encoding="utf-8")
        nb, assigned = _reads(text)
        if assigned:
            changed.append(src)
            if not check:
                src.write_text(writes(nb), encoding="utf-8")
        out = root / "chapters" / f"{src.stem}.ipynb"
        want = notebook_text(nb)
        if not out.exists() or out.read_text(encoding="utf-8") != want:
            changed.append(out)
            if not check:
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_text(want, encoding="utf-8")
    if log is not None:
        verb = "stale" if check else "wrote"
        for path in changed:
            log(f"{verb} {path.relative_to(root)}")
    return changed
