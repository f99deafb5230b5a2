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

__all__ = [
    "build",
    "fallback",
    "learner_version",
    "read_source",
    "reads",
    "solution",
    "source_paths",
    "writes",
]

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


#: What an exercise's answer cell says in the learner copy until the learner answers.
LEARNER_STUB = (
    'raise NotImplementedError("exercise not done yet: replace this line with your answer")'
)
#: The cell tag with which JupyterLab's *Run All* and nbclient go on after a cell's error.
RAISES = "raises-exception"


def learner_version(nb: Any, where: str = "notebook") -> Any:
    r"""The learner copy of a chapter: what ``chapters/NN_name.ipynb`` holds.

    nbgrader's student version (:func:`tensorlessons.grading.student_version`: solution
    regions replaced by a stub, hidden tests removed, outputs cleared), with the stub
    saying that the exercise is not done yet, and every answer cell and graded cell
    tagged ``raises-exception`` so that *Run All* goes on past an unsolved exercise.

    >>> from nbformat import v4
    >>> nbg = lambda **kw: {"nbgrader": {"schema_version": 3, "grade": False,
    ...                                  "solution": False, "locked": False, **kw}}
    >>> nb = v4.new_notebook(cells=[
    ...     v4.new_code_cell("# BEGIN SOLUTION\nx = 2\n# END SOLUTION",
    ...                      metadata=nbg(solution=True, grade_id="c-code")),
    ...     v4.new_code_cell("assert x == 2\n### BEGIN HIDDEN TESTS\nassert x > 1\n"
    ...                      "### END HIDDEN TESTS",
    ...                      metadata=nbg(grade=True, locked=True, points=1, grade_id="c")),
    ... ])
    >>> for cell in learner_version(nb).cells:
    ...     print(cell.metadata["tags"], repr(cell.source))
    ['raises-exception'] '# YOUR CODE HERE\nraise NotImplementedError("exercise not done yet: replace this line with your answer")'
    ['raises-exception'] 'assert x == 2'
    """
    from .grading import CODE_STUB, _grade_id, is_graded, is_solution, student_version

    stub_line = CODE_STUB.splitlines()[-1]
    needs = _needs_fallback(nb)
    out = student_version(nb, where=where)
    for cell in out.cells:
        if cell.cell_type != "code" or not (is_graded(cell) or is_solution(cell)):
            continue
        if is_solution(cell):
            cell.source = "\n".join(
                line.replace(stub_line, LEARNER_STUB) if line.strip() == stub_line else line
                for line in cell.source.split("\n")
            )
        tags = list(cell.metadata.get("tags", []))
        if RAISES not in tags:
            tags.append(RAISES)
        cell.metadata["tags"] = tags
    if needs:
        import nbformat

        cells = []
        for cell in out.cells:
            cells.append(cell)
            gid = _grade_id(cell) if is_graded(cell) else None
            if gid in needs:
                cells.append(
                    nbformat.v4.new_code_cell(
                        "from tensorlessons.course import fallback\n\n"
                        f'fallback("{gid}")  # not done yet? then reference values, to go on',
                        id=f"{cell.id}-fallback",
                    )
                )
        out.cells = cells
    return out


def _assigned(code: str) -> set[str]:
    """Names a piece of code binds or changes in place (``x = …``, ``x[…] = …``, ``def x``)."""
    import ast

    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        for t in targets:
            for sub in ast.walk(t):
                if isinstance(sub, ast.Name):
                    names.add(sub.id)
    return names


def _used(code: str) -> set[str]:
    import ast

    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}


def _needs_fallback(nb: Any) -> set[str]:
    """Graded code exercises whose answer cell binds names that later cells use.

    In the learner copy such an exercise is followed by a ``fallback(...)`` cell, so that
    *Run All* goes on with reference values while the exercise is not done. Drawing
    exercises (answer cells that ``submit``) never get one: nothing replaces a drawing.
    """
    from .grading import _grade_id, is_graded, is_solution

    cells = nb.cells
    needs: set[str] = set()
    for k, cell in enumerate(cells):
        if cell.cell_type != "code" or not is_solution(cell) or ".submit(" in cell.source:
            continue
        graded = next((j for j in range(k + 1, len(cells)) if is_graded(cells[j])), None)
        if graded is None:
            continue
        bound = _assigned(cell.source)
        later = set()
        for other in cells[graded + 1 :]:
            if other.cell_type == "code" and not is_solution(other):
                later |= _used(other.source)
        if bound & later:
            needs.add(str(_grade_id(cells[graded])))
    return needs


def solutions_of(nb: Any) -> dict[str, str]:
    """The worked solutions of a chapter: ``{grade_id: the answer cell's source}``.

    Only answer cells (nbgrader ``solution: true``), with their ``BEGIN``/``END
    SOLUTION`` marker lines dropped; the graded cell's id is the answer cell's id
    without its ``-code`` ending. Hidden tests are never part of it.
    """
    from .grading import BEGIN_SOLUTION, END_SOLUTION, _grade_id, is_solution

    out = {}
    for cell in nb.cells:
        if cell.cell_type == "code" and is_solution(cell):
            gid = str(_grade_id(cell))
            gid = gid[: -len("-code")] if gid.endswith("-code") else gid
            lines = [
                line
                for line in cell.source.split("\n")
                if BEGIN_SOLUTION not in line and END_SOLUTION not in line
            ]
            out[gid] = "\n".join(lines).strip("\n")
    return out


#: Where the build keeps the worked solutions a self-learner may ask for (package data).
SOLUTIONS_FILE = Path(__file__).with_name("solutions.json")


def _outputs(root: Path) -> dict[Path, str]:
    """Every file the build writes under ``root``, with its text."""
    import json

    sources = source_paths(root)
    if not sources:
        from ._errors import DiagramError

        raise DiagramError(f"no chapter sources course/NN_*.py under {str(root)!r}")
    files: dict[Path, str] = {}
    solutions: dict[str, dict[str, str]] = {}
    for src in sources:
        nb = read_source(src)
        learner = learner_version(nb, where=f"course/{src.name}")
        files[root / "chapters" / f"{src.stem}.ipynb"] = notebook_text(learner)
        solutions[src.stem] = solutions_of(nb)
    solutions_path = root / "tensorlessons" / SOLUTIONS_FILE.name
    files[solutions_path] = json.dumps(solutions, indent=1, ensure_ascii=False) + "\n"
    return files


def build(
    root: str | os.PathLike[str] = ".",
    *,
    check: bool = False,
    instructor: str | os.PathLike[str] | None = None,
    log: Any = print,
) -> list[Path]:
    """Build the course from every ``course/NN_name.py`` of the project at ``root``.

    Writes the learner copy ``chapters/NN_name.ipynb`` (no solutions, no hidden tests)
    and the worked solutions a self-learner may ask for (``tensorlessons/solutions.json``).
    With ``instructor``, also writes there the solution-bearing notebooks
    ``NN_name.ipynb``: nbgrader's source notebooks and the input of
    ``tensorlessons release``.

    With ``check=True`` nothing is written; the paths that are missing or differ from
    what the build would write are returned (empty: up to date). Otherwise the files
    that changed are written and returned. A source whose cells lacked ids is rewritten
    with the ids it was given.
    """
    root = Path(root)
    changed: list[Path] = []
    for src in source_paths(root):
        nb, assigned = _reads(src.read_text(encoding="utf-8"))
        if assigned:
            changed.append(src)
            if not check:
                src.write_text(writes(nb), encoding="utf-8")
    files = _outputs(root)
    if instructor is not None:
        for src in source_paths(root):
            files[Path(instructor) / f"{src.stem}.ipynb"] = notebook_text(read_source(src))
    for path, text in files.items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            changed.append(path)
            if not check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
    if log is not None:
        verb = "stale" if check else "wrote"
        for path in changed:
            shown = path.relative_to(root) if path.is_relative_to(root) else path
            log(f"{verb} {shown}")
    return changed


class WorkedSolution:
    """A worked solution, shown only when a learner asks for it (see :func:`solution`)."""

    def __init__(self, grade_id: str, code: str) -> None:
        self.grade_id = grade_id
        self.code = code

    def _label(self) -> str:
        return f"Worked solution of exercise {self.grade_id} (one way to do it; try first)"

    def __repr__(self) -> str:
        return f"# {self._label()}\n{self.code}"

    def _repr_html_(self) -> str:
        import html

        return (
            '<div class="tl-solution" style="border-left:4px solid #c80;padding-left:8px">'
            f"<b>{html.escape(self._label())}</b>"
            f"<pre><code>{html.escape(self.code)}</code></pre></div>"
        )


def solution(grade_id: str, *, anyway: bool = False) -> WorkedSolution | str:
    """The worked solution of an exercise, for a self-learner who has tried it.

    The learner copy of a chapter holds no solutions; this reads them from the package
    (``tensorlessons/solutions.json``, written by ``tensorlessons build``). Until the
    exercise's check has run in this kernel it only says to try first (``anyway=True``
    shows the solution regardless). Where an instructor sets the environment variable
    ``TENSORLESSONS_SOLUTIONS=off`` (a class), it refuses.

    >>> print(solution("00-contract"))
    Try exercise 00-contract first: write an answer and run its check cell (the hints help). Then ask again, or: solution('00-contract', anyway=True).
    >>> print(solution("00-contract", anyway=True))
    # Worked solution of exercise 00-contract (one way to do it; try first)
    AB = d.contract()
    """
    import json

    from ._errors import DiagramError
    from .exercises import _registry

    if os.environ.get("TENSORLESSONS_SOLUTIONS", "").lower() in ("off", "0", "no"):
        raise DiagramError("worked solutions are switched off here (TENSORLESSONS_SOLUTIONS)")
    try:
        chapters = json.loads(SOLUTIONS_FILE.read_text(encoding="utf-8"))
    except OSError:
        chapters = {}
    for code in chapters.values():
        if grade_id in code:
            entry = _registry.get(grade_id)
            if not anyway and (entry is None or entry.status == "not yet"):
                return (
                    f"Try exercise {grade_id} first: write an answer and run its check cell "
                    f"(the hints help). Then ask again, or: solution({grade_id!r}, anyway=True)."
                )
            return WorkedSolution(grade_id, code[grade_id])
    known = sorted(g for c in chapters.values() for g in c)
    raise DiagramError(f"no exercise {grade_id!r}; exercises with solutions: {known}")


def fallback(grade_id: str, namespace: dict[str, Any] | None = None) -> None:
    """Go on with reference values while an exercise is not done (the learner copy's cell).

    If the exercise ``grade_id`` has passed its check in this kernel, nothing happens.
    Otherwise its worked solution runs in the notebook's namespace (the learner's own
    cells are not changed) and one line says so, so that *Run All* reaches the end of
    the chapter. Where worked solutions are switched off, it only says what is missing.
    """
    import inspect

    from .exercises import _registry

    entry = _registry.get(grade_id)
    if entry is not None and entry.status == "passed":
        return
    if namespace is None:
        frame = inspect.currentframe()
        namespace = frame.f_back.f_globals if frame and frame.f_back else {}
    try:
        worked = solution(grade_id, anyway=True)
        assert isinstance(worked, WorkedSolution)
    except Exception as exc:  # noqa: BLE001 - switched off or unknown: say so, go on
        print(f"{grade_id} is not done yet, and no reference values are available ({exc}).")
        return
    exec(compile(worked.code, f"<reference solution of {grade_id}>", "exec"), namespace)
    print(
        f"{grade_id} is not done yet: the cells below use reference values "
        "(run this cell again once your answer passes)."
    )


# --------------------------------------------------------------------------------------
# The learner's own copy: `tensorlessons course [DIR]`
# --------------------------------------------------------------------------------------

#: The folder ``tensorlessons course`` copies the course into by default.
DEFAULT_FOLDER = "tensorlessons-course"
#: Jupyter configuration the course runs with (package data): the server extension on,
#: JupyterLab's news pop-up off, widget state saved with the notebook.
JUPYTER_CONFIG = Path(__file__).with_name("jupyter_config")
_MANIFEST = Path(".tensorlessons") / "course.json"


def learner_notebooks() -> list[Path]:
    """The learner copy of the course shipped with the package (``chapters/NN_name.ipynb``)."""
    here = Path(__file__).resolve().parent
    for folder in (here / "chapters", here.parent / "chapters"):
        found = sorted(folder.glob("[0-9][0-9]_*.ipynb")) if folder.is_dir() else []
        if found:
            return found
    from ._errors import DiagramError

    raise DiagramError("the course's notebooks are not installed with this tensorlessons")


def _digest(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def copy_course(
    folder: str | os.PathLike[str], notebooks: list[Path] | None = None, *, log: Any = print
) -> list[str]:
    """Copy the learner notebooks into ``folder`` once; later, bring in new versions safely.

    The learner works in ``folder``; the project never writes there except through this
    function, which never overwrites a notebook the learner changed (nor anything in
    ``tensorlessons_answers/``, the drawings). A notebook the learner has not changed is
    replaced by a newer version of the course; for one the learner changed, the newer
    version is written next to it as ``NN_name (new version).ipynb``. Returns what it did,
    one line per notebook that changed.

    >>> import tempfile, pathlib
    >>> src = pathlib.Path(tempfile.mkdtemp()); dest = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (src / "00_start.ipynb").write_text("v1")
    >>> copy_course(dest, [src / "00_start.ipynb"], log=None)
    ['copied 00_start.ipynb']
    >>> _ = (dest / "00_start.ipynb").write_text("the learner's work")
    >>> _ = (src / "00_start.ipynb").write_text("v2")
    >>> copy_course(dest, [src / "00_start.ipynb"], log=None)
    ['kept your 00_start.ipynb; the new version is 00_start (new version).ipynb']
    >>> (dest / "00_start.ipynb").read_text()
    "the learner's work"
    """
    import json
    import shutil

    folder = Path(folder)
    notebooks = learner_notebooks() if notebooks is None else notebooks
    folder.mkdir(parents=True, exist_ok=True)
    manifest_path = folder / _MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    done = []
    for src in notebooks:
        dest = folder / src.name
        new = _digest(src)
        if not dest.exists():
            shutil.copyfile(src, dest)
            done.append(f"copied {src.name}")
        elif manifest.get(src.name) == new:
            continue  # already this version
        elif _digest(dest) == manifest.get(src.name) or _digest(dest) == new:
            shutil.copyfile(src, dest)  # unchanged by the learner: take the new version
            done.append(f"updated {src.name}")
        else:
            side = dest.with_name(f"{src.stem} (new version){src.suffix}")
            shutil.copyfile(src, side)
            done.append(f"kept your {src.name}; the new version is {side.name}")
        manifest[src.name] = new
    manifest_path.parent.mkdir(parents=True, exist_ok=True)
    manifest_path.write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    if log is not None:
        for line in done:
            log(line)
    return done


def jupyter_environment(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment to run Jupyter in for the course (``JUPYTER_CONFIG_PATH`` extended)."""
    env = dict(os.environ if base is None else base)
    paths = [
        str(JUPYTER_CONFIG),
        *filter(None, env.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep)),
    ]
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(paths)
    return env


def open_course(
    folder: str | os.PathLike[str] = DEFAULT_FOLDER,
    jupyter_args: list[str] | None = None,
    *,
    app: str = "lab",
) -> int:
    """Copy the course into ``folder`` (see :func:`copy_course`) and open chapter 00 in it.

    Runs JupyterLab (``app="lab"``) or Notebook 7 (``"notebook"``) with ``folder`` as its
    root, chapter 00 open, and the course's Jupyter configuration; on POSIX the server
    takes the place of this process (same PID). ``jupyter_args`` go to Jupyter as they are.
    """
    import shutil
    import sys

    folder = Path(folder).resolve()
    copy_course(folder)
    first = sorted(folder.glob("00_*.ipynb"))
    cmd = [sys.executable, "-m", "jupyter", app, f"--ServerApp.root_dir={folder}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # containers often run as root; Jupyter refuses otherwise
    cmd += list(jupyter_args or [])
    if first:
        cmd.append(first[0].name)  # relative to the folder, where the server starts
    print(f"the course is in {folder} (your copy: your work stays there)")
    os.chdir(folder)
    env = jupyter_environment()
    if shutil.which("jupyter") is None and not _has_module("jupyterlab"):
        print("JupyterLab is not installed: pip install 'tensorlessons[course]'")
        return 1
    if os.name == "posix":
        os.execve(sys.executable, cmd, env)
    import subprocess

    return subprocess.call(cmd, env=env)


def _has_module(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None
