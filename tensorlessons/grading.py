"""Release and grade notebooks in nbgrader's format, without nbgrader.

The engine behind ``tensorlessons release`` and ``tensorlessons grade`` (see
``docs/grading.md``). Cells keep nbgrader's schema-3 metadata and markers, so the same
chapters also work with nbgrader itself.

- :func:`student_version` / :func:`autograder_version`: solution regions replaced by
  ``raise NotImplementedError()`` exactly as nbgrader does; hidden tests removed (student)
  or kept (autograder); outputs cleared.
- :func:`run_notebook`: executes a notebook in its own kernel with per-cell and
  per-notebook time limits, and says how each cell ended.
- :func:`release`: writes ``OUT/student/`` and ``OUT/autograder/`` and refuses a graded
  cell that passes with its solution removed.
- :func:`grade`: restores locked and graded cells (hidden tests included) from the
  release, reports edited or deleted ones, executes every submission in a process pool,
  and writes ``scores.csv``, ``feedback/<learner>.md`` and ``graded/<learner>/*.ipynb``.

>>> src = "x = 1\\n# BEGIN SOLUTION\\nx = 2\\n# END SOLUTION"
>>> print(replace_solutions(src)[0])
x = 1
# YOUR CODE HERE
raise NotImplementedError()
"""

from __future__ import annotations

import copy
import csv
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ._errors import DiagramError

__all__ = [
    "GradingError",
    "CellOutcome",
    "NotebookResult",
    "replace_solutions",
    "remove_hidden_tests",
    "student_version",
    "autograder_version",
    "run_notebook",
    "vacuous_cells",
    "release",
    "grade",
]

BEGIN_SOLUTION = "BEGIN SOLUTION"
END_SOLUTION = "END SOLUTION"
BEGIN_HIDDEN = "BEGIN HIDDEN TESTS"
END_HIDDEN = "END HIDDEN TESTS"
CODE_STUB = "# YOUR CODE HERE\nraise NotImplementedError()"
TEXT_STUB = "YOUR ANSWER HERE"
ANSWERS_DIR = "tensorlessons_answers"

DEFAULT_CELL_TIMEOUT = 60.0
DEFAULT_NOTEBOOK_TIMEOUT = 600.0


class GradingError(DiagramError):
    """A notebook or folder that cannot be released or graded; the message says why."""


# --------------------------------------------------------------------------------------
# nbgrader cell metadata
# --------------------------------------------------------------------------------------


def _meta(cell: Any) -> dict[str, Any]:
    m = cell.get("metadata", {}).get("nbgrader")
    return m if isinstance(m, dict) else {}


def _grade_id(cell: Any) -> str | None:
    gid = _meta(cell).get("grade_id")
    return str(gid) if gid else None


def is_graded(cell: Any) -> bool:
    """An autograded test cell: ``grade: true`` and not a solution (answer) cell."""
    m = _meta(cell)
    return bool(m.get("grade")) and not m.get("solution") and cell.get("cell_type") == "code"


def is_solution(cell: Any) -> bool:
    """A cell whose (marked region of) source is the learner's to write."""
    return bool(_meta(cell).get("solution"))


def is_locked(cell: Any) -> bool:
    """A cell the learner must not change: locked or graded, and not a solution cell."""
    m = _meta(cell)
    return bool(m.get("locked") or m.get("grade")) and not m.get("solution")


def _points(cell: Any) -> float:
    try:
        return float(_meta(cell).get("points", 0) or 0)
    except (TypeError, ValueError):
        return 0.0


def _source(cell: Any) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _checksum(cell: Any) -> str:
    """What nbgrader's checksum protects: type, grading flags and source."""
    m = _meta(cell)
    parts = [
        cell.get("cell_type", ""),
        str(m.get("grade_id")),
        str(bool(m.get("grade"))),
        str(bool(m.get("solution"))),
        str(bool(m.get("locked"))),
        _source(cell).strip(),
    ]
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


# --------------------------------------------------------------------------------------
# Source transforms (as nbgrader's ClearSolutions / ClearHiddenTests)
# --------------------------------------------------------------------------------------


def replace_solutions(source: str, cell_type: str = "code") -> tuple[str, bool]:
    """Replace each ``BEGIN SOLUTION``/``END SOLUTION`` region by the stub, as nbgrader.

    Returns the new source and whether a region was found. The stub keeps the
    indentation of the ``BEGIN`` line.

    >>> replace_solutions("def f():\\n    ### BEGIN SOLUTION\\n    return 1\\n    ### END SOLUTION")
    ('def f():\\n    # YOUR CODE HERE\\n    raise NotImplementedError()', True)
    """
    stub = CODE_STUB if cell_type == "code" else TEXT_STUB
    lines = source.split("\n")
    out: list[str] = []
    inside = False
    found = False
    for k, line in enumerate(lines):
        if BEGIN_SOLUTION in line:
            if inside:
                raise GradingError(
                    f"nested {BEGIN_SOLUTION!r} on line {k + 1} of the cell {source[:80]!r}"
                )
            inside = found = True
            indent = re.match(r"\s*", line).group(0)  # type: ignore[union-attr]
            out.extend(indent + s for s in stub.split("\n"))
        elif END_SOLUTION in line:
            if not inside:
                raise GradingError(
                    f"{END_SOLUTION!r} without {BEGIN_SOLUTION!r} on line {k + 1} of the "
                    f"cell {source[:80]!r}"
                )
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise GradingError(f"{BEGIN_SOLUTION!r} is never closed in the cell {source[:80]!r}")
    return "\n".join(out), found


def remove_hidden_tests(source: str) -> str:
    """Remove ``### BEGIN HIDDEN TESTS`` … ``### END HIDDEN TESTS`` (markers included).

    >>> remove_hidden_tests("a\\n### BEGIN HIDDEN TESTS\\nb\\n### END HIDDEN TESTS\\nc")
    'a\\nc'
    """
    out: list[str] = []
    inside = False
    for line in source.split("\n"):
        if BEGIN_HIDDEN in line:
            inside = True
        elif END_HIDDEN in line:
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise GradingError(f"{BEGIN_HIDDEN!r} is never closed in the cell {source[:80]!r}")
    return "\n".join(out)


def _clear(nb: Any) -> None:
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.get("metadata", {}).pop("execution", None)
    nb.metadata.pop("widgets", None)


def _check_metadata(nb: Any, where: str) -> None:
    seen: dict[str, int] = {}
    for k, cell in enumerate(nb.cells):
        m = _meta(cell)
        if not m:
            continue
        gid = _grade_id(cell)
        if (m.get("grade") or m.get("solution") or m.get("locked")) and not gid:
            raise GradingError(f"{where}: cell {k} has nbgrader metadata {m} but no grade_id")
        if gid in seen:
            raise GradingError(
                f"{where}: grade_id {gid!r} is used by cells {seen[gid]} and {k}; "
                "grade ids must be unique"
            )
        if gid:
            seen[gid] = k
        if m.get("grade") and "points" not in m:
            raise GradingError(f"{where}: graded cell {gid!r} (cell {k}) has no 'points'")


def _transform(nb: Any, *, hidden: bool, where: str = "notebook") -> Any:
    _check_metadata(nb, where)
    out = copy.deepcopy(nb)
    for cell in out.cells:
        src = _source(cell)
        if is_solution(cell):
            new, found = replace_solutions(src, cell.cell_type)
            if not found:  # nbgrader replaces the whole cell
                new = CODE_STUB if cell.cell_type == "code" else TEXT_STUB
            cell.source = new
        if is_graded(cell) and not hidden:
            cell.source = remove_hidden_tests(_source(cell))
    _clear(out)
    return out


def student_version(nb: Any, where: str = "notebook") -> Any:
    r"""The version for learners: solutions replaced, hidden tests removed, no outputs.

    ``nb`` is not changed; ``where`` names it in error messages.

    >>> from nbformat import v4
    >>> meta = lambda **kw: {"nbgrader": {"schema_version": 3, "solution": False,
    ...                                   "grade": False, "locked": False, **kw}}
    >>> nb = v4.new_notebook(cells=[
    ...     v4.new_code_cell("# BEGIN SOLUTION\nx = 2\n# END SOLUTION",
    ...                      metadata=meta(solution=True, grade_id="c-code")),
    ...     v4.new_code_cell("assert x > 0\n### BEGIN HIDDEN TESTS\nassert x == 2\n"
    ...                      "### END HIDDEN TESTS",
    ...                      metadata=meta(grade=True, locked=True, points=1, grade_id="c")),
    ... ])
    >>> [c.source for c in student_version(nb).cells]
    ['# YOUR CODE HERE\nraise NotImplementedError()', 'assert x > 0']
    >>> autograder_version(nb).cells[1].source.count("assert")
    2
    """
    return _transform(nb, hidden=False, where=where)


def autograder_version(nb: Any, where: str = "notebook") -> Any:
    """The grading key: solutions replaced, hidden tests kept, no outputs."""
    return _transform(nb, hidden=True, where=where)


# --------------------------------------------------------------------------------------
# Reading notebooks
# --------------------------------------------------------------------------------------


def read_notebook(path: str | os.PathLike[str]) -> Any:
    """Read and validate a notebook; a :class:`GradingError` says what is wrong."""
    import nbformat

    try:
        with open(path, encoding="utf-8") as f:
            nb = nbformat.read(f, as_version=4)
    except (OSError, UnicodeDecodeError) as exc:
        raise GradingError(f"cannot read {str(path)!r}: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - nbformat raises many kinds
        raise GradingError(
            f"{str(path)!r} is not a valid notebook: {type(exc).__name__}: {exc}"
        ) from None
    try:
        nbformat.validate(nb)
    except Exception as exc:  # noqa: BLE001
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise GradingError(f"{str(path)!r} is not a valid notebook: {first}") from None
    return nb


def _notebooks_in(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(p for p in path.glob("*.ipynb") if not p.name.startswith("."))


# --------------------------------------------------------------------------------------
# Execution
# --------------------------------------------------------------------------------------


@dataclass
class CellOutcome:
    """How one code cell ended when its notebook ran."""

    index: int
    status: str  # "ok", "error", "timeout", "not run"
    ename: str = ""
    evalue: str = ""
    stderr: str = ""
    partial: float | None = None
    seconds: float = 0.0


# Run before each graded cell: a fresh import of the checking module, the names a test
# cell uses rebound to it, and exercise objects moved to its classes, so that a learner
# who redefined or patched ``check``/``CheckFailed``/``DiagramExercise`` gains nothing.
_FRESH_HELPERS = """\
def __tl_fresh():
    import sys, importlib
    for name in [m for m in sys.modules if m == "tensorlessons.exercises"]:
        del sys.modules[name]
    fresh = importlib.import_module("tensorlessons.exercises")
    import tensorlessons
    tensorlessons.__dict__.pop("DiagramExercise", None)
    tensorlessons.__dict__.pop("Exercise", None)
    tensorlessons.__dict__.pop("CheckFailed", None)
    g = globals()
    for name in ("check", "CheckFailed", "DiagramExercise", "Exercise", "progress"):
        if name in g:
            g[name] = getattr(fresh, name)
    for value in list(g.values()):
        cls = type(value)
        if getattr(cls, "__module__", "") == "tensorlessons.exercises" and hasattr(
            fresh, cls.__name__
        ):
            try:
                value.__class__ = getattr(fresh, cls.__name__)
            except TypeError:
                pass
    ip = get_ipython()
    snap = sys.__dict__.get("_tensorlessons_snapshot")
    if snap is not None:
        ip.input_transformers_cleanup[:] = snap[0]
        ip.input_transformers_post[:] = snap[1]
        ip.ast_transformers[:] = snap[2]
__tl_fresh()
del __tl_fresh
"""

_SNAPSHOT = """\
import sys as __tl_sys
__tl_sys.__dict__["_tensorlessons_snapshot"] = (
    list(get_ipython().input_transformers_cleanup),
    list(get_ipython().input_transformers_post),
    list(get_ipython().ast_transformers),
)
del __tl_sys
"""


def _stderr_text(cell: Any) -> str:
    return "".join(
        o.get("text", "")
        for o in cell.get("outputs", [])
        if o.get("output_type") == "stream" and o.get("name") == "stderr"
    )


def _partial_credit(cell: Any) -> float | None:
    for o in cell.get("outputs", []):
        if o.get("output_type") == "execute_result":
            text = o.get("data", {}).get("text/plain", "")
            try:
                return float("".join(text) if isinstance(text, list) else text)
            except ValueError:
                return None
    return None


def run_notebook(
    nb: Any,
    workdir: str | os.PathLike[str],
    *,
    cell_timeout: float = DEFAULT_CELL_TIMEOUT,
    notebook_timeout: float = DEFAULT_NOTEBOOK_TIMEOUT,
    fresh_helpers: bool = True,
    kernel_name: str = "python3",
    km: Any = None,
) -> dict[int, CellOutcome]:
    """Execute ``nb`` in place, in its own kernel started in ``workdir``.

    Every code cell runs even after errors (as nbgrader does). A cell running longer
    than ``cell_timeout`` seconds is interrupted and counts as timed out; once
    ``notebook_timeout`` seconds have passed, the remaining cells are not run (and the
    kernel is killed if it does not stop). With ``fresh_helpers``, the checking helpers
    are re-imported fresh before each graded cell.

    ``km`` is an already started kernel manager (its kernel's folder is ``workdir``);
    it is shut down at the end like a kernel started here.

    Returns how each code cell ended, by cell index.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError

    replies: dict[str, Any] = {}

    def on_executed(cell: Any, cell_index: int, execute_reply: dict[str, Any]) -> None:
        replies["last"] = execute_reply

    client = NotebookClient(
        nb,
        timeout=int(max(1, cell_timeout)),
        kernel_name=kernel_name,
        allow_errors=True,
        interrupt_on_timeout=True,
        error_on_timeout={
            "ename": "TimeoutError",
            "evalue": f"the cell did not finish within {cell_timeout:g} s",
            "traceback": [],
        },
        iopub_timeout=2,
        shutdown_kernel="immediate",
        record_timing=False,
        resources={"metadata": {"path": str(workdir)}},
        on_cell_executed=on_executed,
        **({"km": km} if km is not None else {}),
    )
    outcomes: dict[int, CellOutcome] = {}
    start = time.monotonic()
    deadline = start + notebook_timeout
    killed = threading.Event()

    def watchdog() -> None:
        # The last resort: a kernel still busy well after the notebook's time is up.
        while not done.wait(0.5):
            if time.monotonic() > deadline + 5 and client.km is not None:
                killed.set()
                try:
                    client.km.shutdown_kernel(now=True)
                except Exception:  # noqa: BLE001 - nothing more we can do
                    pass
                return

    done = threading.Event()
    dog = threading.Thread(target=watchdog, daemon=True)
    if km is not None:
        setup: dict[str, Any] = {"cleanup_kc": True}
    else:
        setup = {"cwd": str(workdir), "env": _kernel_env(), "stderr": subprocess.DEVNULL}
    try:
        with client.setup_kernel(**setup):
            dog.start()
            if fresh_helpers:
                _run_hidden(client, _SNAPSHOT)
            dead = False
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                remaining = deadline - time.monotonic()
                if dead or remaining <= 0:
                    why = "the kernel stopped" if dead else "the notebook's time limit was reached"
                    outcomes[index] = CellOutcome(index, "not run", evalue=why)
                    continue
                if fresh_helpers and is_graded(cell):
                    _run_hidden(client, _FRESH_HELPERS)
                client.timeout = int(max(1, min(cell_timeout, remaining)))
                client.error_on_timeout = {
                    "ename": "TimeoutError",
                    "evalue": f"the cell did not finish within {client.timeout} s",
                    "traceback": [],
                }
                replies.pop("last", None)
                t0 = time.monotonic()
                try:
                    client.execute_cell(cell, index)
                except DeadKernelError:
                    dead = True
                    why = "killed after the notebook's time limit" if killed.is_set() else ""
                    outcomes[index] = CellOutcome(
                        index,
                        "timeout" if killed.is_set() else "error",
                        "DeadKernelError",
                        why or "the kernel died while running this cell",
                        seconds=time.monotonic() - t0,
                    )
                    continue
                reply = replies.get("last", {}).get("content", {})
                seconds = time.monotonic() - t0
                status = reply.get("status", "ok")
                if status == "error" and reply.get("ename") == "TimeoutError":
                    outcomes[index] = CellOutcome(
                        index, "timeout", "TimeoutError", reply.get("evalue", ""), seconds=seconds
                    )
                elif status == "error":
                    outcomes[index] = CellOutcome(
                        index,
                        "error",
                        str(reply.get("ename", "")),
                        str(reply.get("evalue", "")),
                        _stderr_text(cell),
                        seconds=seconds,
                    )
                else:
                    outcomes[index] = CellOutcome(
                        index,
                        "ok",
                        stderr=_stderr_text(cell),
                        partial=_partial_credit(cell),
                        seconds=seconds,
                    )
    except DeadKernelError:
        pass
    except Exception as exc:  # noqa: BLE001 - a kernel that cannot start, etc.
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code" and index not in outcomes:
                outcomes[index] = CellOutcome(
                    index, "not run", type(exc).__name__, f"the notebook could not run: {exc}"
                )
    finally:
        done.set()
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and index not in outcomes:
            outcomes[index] = CellOutcome(index, "not run", evalue="the kernel stopped")
    return outcomes


def _kernel_env() -> dict[str, str]:
    env = dict(os.environ)
    env["MPLBACKEND"] = "Agg"
    return env


_WARM: dict[str, Any] = {}


def _start_kernel(kernel_name: str = "python3") -> tuple[Any, str]:
    """Start a kernel in a new empty folder; returns its manager and the folder."""
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync

    workdir = tempfile.mkdtemp(prefix="tl-grade-")
    km = AsyncKernelManager(kernel_name=kernel_name)
    run_sync(km.start_kernel)(cwd=workdir, env=_kernel_env(), stderr=subprocess.DEVNULL)
    return km, workdir


def _take_warm_kernel() -> tuple[Any, str]:
    """A started kernel for the next notebook, and start a spare for the one after.

    Starting a kernel takes about as long as running a short chapter; the spare boots
    while the current notebook runs. Each spare gets a fresh empty folder, so nothing
    leaks between learners.
    """
    if not _WARM.get("finalizer"):
        import multiprocessing.util

        _WARM["finalizer"] = multiprocessing.util.Finalize(None, _kill_spare, exitpriority=10)
    current = _WARM.pop("spare", None) or _start_kernel()
    try:
        _WARM["spare"] = _start_kernel()
    except Exception:  # noqa: BLE001 - no spare: the next notebook starts its own
        pass
    return current


def _kill_spare() -> None:
    spare = _WARM.pop("spare", None)
    if spare is None:
        return
    from jupyter_core.utils import run_sync

    km, workdir = spare
    try:
        run_sync(km.shutdown_kernel)(now=True)
    except Exception:  # noqa: BLE001 - already gone
        pass
    shutil.rmtree(workdir, ignore_errors=True)


def _run_hidden(client: Any, code: str) -> None:
    """Run helper code in the kernel, out of the learner's reach.

    The code travels as a *user expression* of an empty silent request: IPython evaluates
    user expressions with ``eval``, past the input transformers a learner could have
    installed to rewrite the cells that follow; the notebook's cells are not touched.
    """
    msg_id = client.kc.execute(
        "",
        silent=True,
        store_history=False,
        user_expressions={"tensorlessons": f"exec({code!r}, globals())"},
    )
    saved = client.timeout
    client.timeout = 30
    try:
        client.wait_for_reply(msg_id)
    finally:
        client.timeout = saved


# --------------------------------------------------------------------------------------
# Release
# --------------------------------------------------------------------------------------


def _prepare_workdir(src_dir: Path | None, dest: Path) -> None:
    """Copy the files a notebook may read (not notebooks, not saved answers)."""
    if src_dir is None or not src_dir.is_dir():
        return
    for item in src_dir.iterdir():
        if (
            item.name in (ANSWERS_DIR, ".ipynb_checkpoints", "__pycache__")
            or item.suffix == ".ipynb"
        ):
            continue
        if item.name.startswith("."):
            continue
        target = dest / item.name
        if item.is_dir():
            shutil.copytree(item, target, dirs_exist_ok=True)
        elif item.stat().st_size < 50_000_000:
            shutil.copy2(item, target)


def vacuous_cells(
    source_nb: Any,
    *,
    src_dir: Path | None = None,
    cell_timeout: float = DEFAULT_CELL_TIMEOUT,
    notebook_timeout: float = DEFAULT_NOTEBOOK_TIMEOUT,
) -> list[tuple[int, str]]:
    """Graded cells that pass with every solution region removed: ``(cell index, grade_id)``.

    The notebook runs in a fresh folder (no saved answers) with hidden tests in place.
    """
    nb = autograder_version(source_nb)
    with tempfile.TemporaryDirectory(prefix="tl-release-") as tmp:
        _prepare_workdir(src_dir, Path(tmp))
        outcomes = run_notebook(
            nb, tmp, cell_timeout=cell_timeout, notebook_timeout=notebook_timeout
        )
    bad = []
    for index, cell in enumerate(nb.cells):
        if is_graded(cell):
            o = outcomes.get(index)
            if o is not None and o.status == "ok" and not o.stderr:
                bad.append((index, _grade_id(cell) or f"cell {index}"))
    return bad


def _release_one(task: dict[str, Any]) -> dict[str, Any]:
    path = Path(task["path"])
    try:
        nb = read_notebook(path)
        student = student_version(nb, where=str(path))
        grader = autograder_version(nb, where=str(path))
        if task["check"]:
            bad = vacuous_cells(
                nb,
                src_dir=path.parent,
                cell_timeout=task["cell_timeout"],
                notebook_timeout=task["notebook_timeout"],
            )
            if bad:
                names = ", ".join(f"{gid!r} (cell {i})" for i, gid in bad)
                return {
                    "name": path.name,
                    "error": (
                        f"{path}: graded cell {names} still passes with its solution removed "
                        "- a vacuous check; make it test the learner's answer"
                    ),
                }
        return {"name": path.name, "student": student, "grader": grader, "error": None}
    except GradingError as exc:
        return {"name": path.name, "error": str(exc)}


def release(
    src: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    check: bool = True,
    cell_timeout: float = DEFAULT_CELL_TIMEOUT,
    notebook_timeout: float = DEFAULT_NOTEBOOK_TIMEOUT,
    jobs: int | None = None,
    log: Callable[[str], None] | None = None,
) -> list[str]:
    """Write student versions of the notebook(s) ``src`` to ``out/student/`` and grading
    keys to ``out/autograder/``; returns the names written.

    With ``check`` (the default) each notebook is first run with its solutions removed,
    and a notebook with a graded cell that still passes is refused: nothing is written
    for it and a :class:`GradingError` names the cell(s) after the others are written.
    """
    import nbformat

    src_path, out_path = Path(src), Path(out)
    paths = _notebooks_in(src_path)
    if not paths:
        raise GradingError(f"release: no notebooks (*.ipynb) in {str(src)!r}")
    tasks = [
        {
            "path": str(p),
            "check": check,
            "cell_timeout": cell_timeout,
            "notebook_timeout": notebook_timeout,
        }
        for p in paths
    ]
    results = list(_map(_release_one, tasks, jobs, log, what="checked"))
    errors = [r["error"] for r in results if r["error"]]
    written = []
    for r in results:
        if r["error"]:
            continue
        for sub, key in (("student", "student"), ("autograder", "grader")):
            (out_path / sub).mkdir(parents=True, exist_ok=True)
            nbformat.write(r[key], str(out_path / sub / r["name"]))
        written.append(r["name"])
    if written and src_path.is_dir():
        # Files the notebooks may read go along (never saved answers or checkpoints).
        for sub in ("student", "autograder"):
            _prepare_workdir(src_path, out_path / sub)
    if errors:
        raise GradingError("release refused:\n" + "\n".join(errors))
    return written


# --------------------------------------------------------------------------------------
# Grading
# --------------------------------------------------------------------------------------


@dataclass
class CellScore:
    """The score of one graded cell of one submission."""

    grade_id: str
    points: float
    max_points: float
    status: str  # "passed", "failed", "timeout", "not run", "stderr"
    message: str = ""


@dataclass
class NotebookResult:
    """The result of grading one submitted notebook."""

    learner: str
    notebook: str
    score: float = 0.0
    max_score: float = 0.0
    cells: list[CellScore] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    status: str = "graded"  # "graded", "missing", "unreadable", "error"
    seconds: float = 0.0


def load_release(released: str | os.PathLike[str]) -> dict[str, Any]:
    """The grading keys: ``RELEASED/autograder/*.ipynb`` from :func:`release`, or
    source notebooks (solutions in place), from which the keys are made in memory."""
    path = Path(released)
    if not path.exists():
        raise GradingError(f"grade: the release {str(released)!r} does not exist")
    keydir = path / "autograder"
    if path.is_dir() and keydir.is_dir():
        return {p.name: read_notebook(p) for p in _notebooks_in(keydir)}
    notebooks = _notebooks_in(path)
    if not notebooks:
        raise GradingError(
            f"grade: no notebooks in {str(released)!r} (expected the output folder of "
            "'tensorlessons release' or the source notebooks)"
        )
    return {p.name: autograder_version(read_notebook(p), where=str(p)) for p in notebooks}


def assemble(key: Any, submitted: Any) -> tuple[Any, list[str]]:
    """The notebook to run: the learner's cells, with every locked and graded cell taken
    from the grading key (hidden tests included). Returns it and the problems found
    (edited, deleted or duplicated locked cells), as nbgrader detects with checksums."""
    problems: list[str] = []
    student = student_version(key)
    released = {_grade_id(c): (k, c) for k, c in enumerate(key.cells) if _grade_id(c)}
    student_sum = {_grade_id(c): _checksum(c) for c in student.cells if _grade_id(c)}
    cells: list[Any] = []
    seen: set[str] = set()
    for cell in submitted.cells:
        gid = _grade_id(cell)
        if gid is None or gid not in released:
            if _meta(cell).get("grade") or _meta(cell).get("locked"):
                cell = copy.deepcopy(cell)
                cell.metadata.pop("nbgrader", None)  # not ours: plain learner cell
            cells.append(cell)
            continue
        k, rel = released[gid]
        if gid in seen:
            problems.append(f"cell {gid!r} appears more than once; the copy was removed")
            continue
        seen.add(gid)
        if is_locked(rel):
            if _checksum(cell) != student_sum[gid]:
                what = "graded" if is_graded(rel) else "locked"
                problems.append(f"the {what} cell {gid!r} was edited; the released one was used")
            restored = copy.deepcopy(rel)
            cells.append(restored)
        else:
            mine = copy.deepcopy(cell)
            mine.metadata["nbgrader"] = copy.deepcopy(dict(_meta(rel)))
            mine.cell_type = rel.cell_type
            if mine.cell_type == "code":
                mine.setdefault("outputs", [])
                mine.setdefault("execution_count", None)
            else:
                mine.pop("outputs", None)
                mine.pop("execution_count", None)
            cells.append(mine)
    # Deleted cells: put locked ones back after the nearest earlier cell that survived.
    order = [_grade_id(c) for c in key.cells if _grade_id(c)]
    for pos, gid in enumerate(order):
        if gid in seen:
            continue
        k, rel = released[gid]
        if not is_locked(rel):
            problems.append(f"the solution cell {gid!r} was deleted")
            continue
        what = "graded" if is_graded(rel) else "locked"
        problems.append(f"the {what} cell {gid!r} was deleted; the released one was put back")
        at = 0
        for prev in reversed(order[:pos]):
            idx = next((i for i, c in enumerate(cells) if _grade_id(c) == prev), None)
            if idx is not None:
                at = idx + 1
                break
        cells.insert(at, copy.deepcopy(rel))
        seen.add(gid)
    nb = copy.deepcopy(submitted)
    nb.cells = cells
    nb.metadata["kernelspec"] = copy.deepcopy(
        key.metadata.get("kernelspec", nb.metadata.get("kernelspec", {}))
    )
    _clear(nb)
    return nb, problems


def _explain(o: CellOutcome) -> str:
    if o.status == "timeout":
        return f"did not finish in time ({o.evalue}); an infinite loop?"
    if o.status == "not run":
        return f"not run: {o.evalue}"
    if o.ename == "CheckFailed":
        return o.evalue
    if o.ename == "NotImplementedError":
        return "not answered yet (NotImplementedError)"
    return f"{o.ename}: {o.evalue}".strip(": ")


def _score(nb: Any, outcomes: dict[int, CellOutcome], result: NotebookResult) -> None:
    pending: list[str] = []  # problems in solution cells since the last graded cell
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        o = outcomes.get(index, CellOutcome(index, "not run"))
        if is_solution(cell) and o.status != "ok":
            pending.append(f"your cell {_grade_id(cell)!r}: {_explain(o)}")
        if not is_graded(cell):
            continue
        gid = _grade_id(cell) or f"cell {index}"
        pts = _points(cell)
        if o.status == "ok" and o.stderr.strip():
            first = o.stderr.strip().splitlines()[0][:200]
            score = CellScore(
                gid, 0.0, pts, "stderr",
                f"the cell wrote to stderr (counted as a failure, as nbgrader does): {first}",
            )  # fmt: skip
        elif o.status == "ok":
            got = pts if o.partial is None else max(0.0, min(pts, o.partial))
            score = CellScore(gid, got, pts, "passed", "passed (hidden tests included)")
        else:
            status = {"error": "failed", "timeout": "timeout", "not run": "not run"}[o.status]
            msg = _explain(o)
            if pending:
                msg += " — " + "; ".join(pending)
            score = CellScore(gid, 0.0, pts, status, msg)
        pending = []
        result.cells.append(score)
        result.score += score.points
        result.max_score += pts


def _grade_one(task: dict[str, Any]) -> NotebookResult:
    t0 = time.monotonic()
    learner, name = task["learner"], task["notebook"]
    key = task["key"]
    result = NotebookResult(learner, name)
    sub_path = Path(task["path"]) if task["path"] else None
    if sub_path is None or not sub_path.exists():
        result.status = "missing"
        result.problems.append(f"{name} was not submitted")
        _zero(key, result)
        return result
    try:
        submitted = read_notebook(sub_path)
        nb, problems = assemble(key, submitted)
    except GradingError as exc:
        result.status = "unreadable"
        result.problems.append(str(exc).replace(str(sub_path.parent), learner))
        _zero(key, result)
        return result
    result.problems.extend(problems)
    km = None
    try:
        if task.get("warm"):
            km, tmp = _take_warm_kernel()
        else:
            tmp = tempfile.mkdtemp(prefix="tl-grade-")
        # The learner's folder (their own files, drawn answers), then the release's
        # files on top: a learner cannot replace a file the tests read.
        _prepare_workdir(sub_path.parent, Path(tmp))
        answers = sub_path.parent / ANSWERS_DIR
        if answers.is_dir():
            shutil.copytree(answers, Path(tmp) / ANSWERS_DIR)
        if task.get("extra_dir"):
            _prepare_workdir(Path(task["extra_dir"]), Path(tmp))
        outcomes = run_notebook(
            nb,
            tmp,
            cell_timeout=task["cell_timeout"],
            notebook_timeout=task["notebook_timeout"],
            km=km,
        )
    except Exception as exc:  # noqa: BLE001 - report, never stop the class's grading
        result.status = "error"
        result.problems.append(f"could not run: {type(exc).__name__}: {exc}")
        _zero(key, result)
        return result
    finally:
        if "tmp" in locals():
            shutil.rmtree(tmp, ignore_errors=True)
    _score(nb, outcomes, result)
    if task.get("graded_dir"):
        import nbformat

        dest = Path(task["graded_dir"]) / learner
        dest.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(dest / name))
    result.seconds = time.monotonic() - t0
    return result


def _zero(key: Any, result: NotebookResult) -> None:
    result.max_score = 0.0
    for cell in key.cells:
        if is_graded(cell):
            gid = _grade_id(cell) or "?"
            result.cells.append(CellScore(gid, 0.0, _points(cell), "not run", result.status))
            result.max_score += _points(cell)


def _map(
    func: Callable[[dict[str, Any]], Any],
    tasks: Sequence[dict[str, Any]],
    jobs: int | None,
    log: Callable[[str], None] | None,
    *,
    what: str,
    label: Callable[[dict[str, Any]], str] | None = None,
) -> Iterable[Any]:
    """Run tasks in a process pool (one kernel per task), yielding results in order."""
    jobs = max(1, jobs or os.cpu_count() or 1)
    bar = _Progress(len(tasks), what, log)
    if jobs == 1 or len(tasks) == 1:
        results = []
        for t in tasks:
            results.append(func(t))
            bar.step(label(t) if label else "")
        _kill_spare()
        bar.close()
        return results
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    # fork (where there is one) shares the imports made here; spawn elsewhere.
    import nbclient  # noqa: F401 - imported once, before the workers start

    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    results_by: dict[int, Any] = {}
    with ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=ctx) as pool:
        futures = {pool.submit(func, t): k for k, t in enumerate(tasks)}
        for fut in as_completed(futures):
            k = futures[fut]
            results_by[k] = fut.result()
            bar.step(label(tasks[k]) if label else "")
    bar.close()
    return [results_by[k] for k in range(len(tasks))]


class _Progress:
    """A progress bar on stderr (a redrawn line on a terminal, a line per step elsewhere)."""

    def __init__(self, total: int, what: str, log: Callable[[str], None] | None) -> None:
        self.total, self.what, self.log = total, what, log
        self.done = 0
        self.t0 = time.monotonic()
        self.tty = log is None and sys.stderr.isatty()

    def step(self, label: str) -> None:
        self.done += 1
        elapsed = time.monotonic() - self.t0
        left = elapsed / self.done * (self.total - self.done)
        width = 24
        fill = int(width * self.done / max(1, self.total))
        line = (
            f"[{'#' * fill}{'.' * (width - fill)}] {self.done}/{self.total} {self.what} "
            f"· {elapsed:.0f} s elapsed · ~{left:.0f} s left"
        )
        if label:
            line += f" · {label}"
        if self.log is not None:
            self.log(line)
        elif self.tty:
            sys.stderr.write("\r" + line[:120].ljust(120))
            sys.stderr.flush()

    def close(self) -> None:
        if self.tty and self.done:
            sys.stderr.write("\n")
            sys.stderr.flush()


def find_submissions(submissions: str | os.PathLike[str]) -> dict[str, Path]:
    """The learners' folders: ``SUBMISSIONS/<learner>/`` holding their notebooks."""
    path = Path(submissions)
    if not path.is_dir():
        raise GradingError(f"grade: the submissions folder {str(submissions)!r} does not exist")
    learners = {
        p.name: p
        for p in sorted(path.iterdir())
        if p.is_dir() and not p.name.startswith(".") and p.name != "__pycache__"
    }
    if not learners:
        raise GradingError(
            f"grade: no submissions in {str(submissions)!r}: expected one folder per learner, "
            "SUBMISSIONS/<learner>/<notebook>.ipynb"
        )
    return learners


def grade(
    released: str | os.PathLike[str],
    submissions: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    cell_timeout: float = DEFAULT_CELL_TIMEOUT,
    notebook_timeout: float = DEFAULT_NOTEBOOK_TIMEOUT,
    jobs: int | None = None,
    log: Callable[[str], None] | None = None,
) -> list[NotebookResult]:
    """Grade every learner's notebooks; write ``out/scores.csv``, ``out/feedback/`` and
    ``out/graded/``. Submitted files are only read (each runs in a temporary copy)."""
    keys = load_release(released)
    learners = find_submissions(submissions)
    out_path = Path(out)
    (out_path / "feedback").mkdir(parents=True, exist_ok=True)
    (out_path / "graded").mkdir(parents=True, exist_ok=True)
    extra = Path(released) if Path(released).is_dir() else None
    if extra is not None and (extra / "autograder").is_dir():
        extra = extra / "autograder"
    if extra is not None and not any(
        p.suffix != ".ipynb" and not p.name.startswith(".") for p in extra.iterdir()
    ):
        extra = None
    tasks: list[dict[str, Any]] = []
    strays: dict[str, list[str]] = {}
    for learner, folder in learners.items():
        present = {p.name: p for p in folder.glob("*.ipynb")}
        if not present:  # nbgrader's layout: <learner>/<assignment>/<notebook>.ipynb
            inner = [d for d in folder.iterdir() if d.is_dir() and any(d.glob("*.ipynb"))]
            if len(inner) == 1:
                present = {p.name: p for p in inner[0].glob("*.ipynb")}
        strays[learner] = sorted(set(present) - set(keys))
        for name, key in keys.items():
            tasks.append(
                {
                    "learner": learner,
                    "notebook": name,
                    "key": key,
                    "path": str(present[name]) if name in present else None,
                    "cell_timeout": cell_timeout,
                    "notebook_timeout": notebook_timeout,
                    "graded_dir": str(out_path / "graded"),
                    "extra_dir": str(extra) if extra is not None else None,
                    "warm": True,
                }
            )
    results = list(
        _map(
            _grade_one,
            tasks,
            jobs,
            log,
            what="graded",
            label=lambda t: f"{t['learner']}/{t['notebook']}",
        )
    )
    for r in results:
        if strays.get(r.learner):
            names = ", ".join(strays.pop(r.learner))
            r.problems.append(f"not part of the release, not graded: {names}")
    _write_csv(out_path / "scores.csv", keys, results)
    _write_feedback(out_path / "feedback", results)
    with open(out_path / "results.json", "w", encoding="utf-8") as f:
        json.dump([asdict(r) for r in results], f, indent=1)
    return results


def _write_csv(path: Path, keys: dict[str, Any], results: list[NotebookResult]) -> None:
    ids = [_grade_id(c) or "?" for key in keys.values() for c in key.cells if is_graded(c)]
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["learner", "notebook", "score", "max_score", "status", "problems", *ids])
        for r in results:
            by = {c.grade_id: c.points for c in r.cells}
            w.writerow(
                [
                    r.learner,
                    r.notebook,
                    f"{r.score:g}",
                    f"{r.max_score:g}",
                    r.status,
                    len(r.problems),
                    *[f"{by[i]:g}" if i in by else "" for i in ids],
                ]
            )


def _write_feedback(folder: Path, results: list[NotebookResult]) -> None:
    by: dict[str, list[NotebookResult]] = {}
    for r in results:
        by.setdefault(r.learner, []).append(r)
    for learner, rs in by.items():
        total = sum(r.score for r in rs)
        most = sum(r.max_score for r in rs)
        lines = [f"# Feedback for {learner}", "", f"Total: {total:g} / {most:g} points", ""]
        for r in rs:
            lines += [f"## {r.notebook}: {r.score:g} / {r.max_score:g}", ""]
            if r.status != "graded":
                lines.append(f"Status: {r.status}.")
            for p in r.problems:
                lines.append(f"- Note: {p}")
            if r.problems or r.status != "graded":
                lines.append("")
            for c in r.cells:
                mark = "✔" if c.points >= c.max_points and c.status == "passed" else "✘"
                lines.append(
                    f"- {mark} `{c.grade_id}` — {c.points:g}/{c.max_points:g}: {c.message}"
                )
            lines.append("")
        (folder / f"{learner}.md").write_text("\n".join(lines), encoding="utf-8")
