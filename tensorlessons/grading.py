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

import ast
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
    "passing_graded_cells",
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
            if hidden and cell.cell_type == "code":
                # the names the answer binds: read out of the learner's run when graded
                names = sorted(_binds(src))
                cell.metadata.setdefault("tensorlessons", {})["answer_names"] = names
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
    """Read and validate a notebook; a :class:`GradingError` says what is wrong.

    A chapter source ``NN_name.py`` (jupytext percent format, see
    :mod:`tensorlessons.course`) is read as the notebook it stands for.
    """
    import nbformat

    if str(path).endswith(".py"):
        from .course import read_source

        try:
            return read_source(path)
        except (OSError, ImportError, ValueError) as exc:
            raise GradingError(f"cannot read the chapter source {str(path)!r}: {exc}") from None

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
    found = sorted(p for p in path.glob("*.ipynb") if not p.name.startswith("."))
    return found or sorted(path.glob("[0-9][0-9]_*.py"))  # or the chapter sources course/


def _notebook_name(path: Path) -> str:
    return path.with_suffix(".ipynb").name


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


_CAPPED: dict[str, Any] = {}


def _CappedClient(*args: Any, **kw: Any) -> Any:  # noqa: N802 - a class, made lazily
    """An nbclient ``NotebookClient`` that keeps at most ``output_budget`` bytes of
    outputs (a 300 MB print costs the grader nothing past the cap)."""
    if "cls" not in _CAPPED:
        from nbclient import NotebookClient

        class Capped(NotebookClient):  # type: ignore[misc]
            output_budget: int | None = None
            _spent = 0
            _cut = False

            def output(self, outs: Any, msg: Any, display_id: Any, cell_index: int) -> Any:
                if self.output_budget is None:
                    return super().output(outs, msg, display_id, cell_index)
                size = len(json.dumps(msg.get("content", {}), default=str))
                self._spent += size
                if self._spent > self.output_budget and msg["msg_type"] != "error":
                    if not self._cut:
                        self._cut = True
                        from nbformat.v4 import new_output

                        cut = new_output(
                            "stream",
                            name="stdout",
                            text=f"[output cut: more than {self.output_budget} bytes]\n",
                        )
                        outs.append(cut)
                    return None
                return super().output(outs, msg, display_id, cell_index)

        _CAPPED["cls"] = Capped
    return _CAPPED["cls"](*args, **kw)


def _error_output(cell: Any) -> Any:
    """The first error output of a cell, as nbgrader reads it (None if there is none)."""
    for o in cell.get("outputs", []):
        if o.get("output_type") == "error":
            return o
    return None


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
    kernel_name: str = "python3",
    km: Any = None,
    before_cell: Callable[[Any, int, Any], None] | None = None,
    max_output: int | None = None,
) -> dict[int, CellOutcome]:
    """Execute ``nb`` in place, in its own kernel started in ``workdir``.

    Every code cell runs even after errors (as nbgrader does). A cell running longer
    than ``cell_timeout`` seconds is interrupted and counts as timed out; once
    ``notebook_timeout`` seconds have passed, the remaining cells are not run (and the
    kernel is killed if it does not stop).

    ``before_cell(client, index, cell)`` is called once with index -1 when the kernel
    has started and then before each code cell (the grader's hidden steps). With
    ``max_output``, cell outputs past that many bytes in all are cut (a marker says so).

    ``km`` is an already started kernel manager (its kernel's folder is ``workdir``);
    it is shut down at the end like a kernel started here.

    Returns how each code cell ended, by cell index.
    """
    from nbclient.exceptions import DeadKernelError

    replies: dict[str, Any] = {}

    def on_executed(cell: Any, cell_index: int, execute_reply: dict[str, Any]) -> None:
        replies["last"] = execute_reply

    client = _CappedClient(
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
    client.output_budget = max_output
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
            if before_cell is not None:
                before_cell(client, -1, None)
            dead = False
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                remaining = deadline - time.monotonic()
                if dead or remaining <= 0:
                    why = "the kernel stopped" if dead else "the notebook's time limit was reached"
                    outcomes[index] = CellOutcome(index, "not run", evalue=why)
                    continue
                if before_cell is not None:
                    before_cell(client, index, cell)
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
                elif _error_output(cell) is not None:
                    # the kernel said "ok" but the cell shows an error: nbgrader scores 0
                    err = _error_output(cell)
                    outcomes[index] = CellOutcome(
                        index,
                        "error",
                        str(err.get("ename", "")),
                        str(err.get("evalue", "")),
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


def _run_hidden(client: Any, code: str, wrap: dict[str, Any] | None = None) -> bool:
    """Run helper code in the kernel, past the learner's input transformers.

    The code travels as a *user expression* of an empty silent request: IPython evaluates
    user expressions with ``eval``, past the input transformers a learner could have
    installed to rewrite the cells that follow; the notebook's cells are not touched.
    Returns whether the kernel answered (a busy or dead kernel does not).
    """
    msg_id = client.kc.execute(
        "",
        silent=True,
        store_history=False,
        user_expressions={
            "tensorlessons": f"exec({code!r}, {wrap!r})" if wrap else f"exec({code!r}, globals())"
        },
    )
    saved = client.timeout
    client.timeout = 30
    try:
        reply = client.wait_for_reply(msg_id)
    except Exception:  # noqa: BLE001 - a kernel that is busy, dying or dead
        reply = None
    finally:
        client.timeout = saved
    return bool(reply) and reply.get("content", {}).get("status") == "ok"


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
    return passing_graded_cells(nb, outcomes)


def passing_graded_cells(nb: Any, outcomes: dict[int, CellOutcome]) -> list[tuple[int, str]]:
    """The graded cells that passed in a run of ``nb``: ``(cell index, grade_id)``.

    Passed means: ran without an error and wrote nothing on stderr. Run without the
    learner's answers (the release's check, the learner copy's test), every graded cell
    must fail; one that passes is a vacuous check.
    """
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
                    "name": _notebook_name(path),
                    "error": (
                        f"{path}: graded cell {names} still passes with its solution removed "
                        "- a vacuous check; make it test the learner's answer"
                    ),
                }
        return {"name": _notebook_name(path), "student": student, "grader": grader, "error": None}
    except GradingError as exc:
        return {"name": _notebook_name(path), "error": str(exc)}


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
    if written and src_path.is_dir() and not all(p.suffix == ".py" for p in paths):
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
    tampering: list[str] = field(default_factory=list)
    sandbox: str = ""


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


def _binds(source: str) -> set[str]:
    """Names a cell's code binds at top level (assignments, defs, imports, loops, with).

    >>> sorted(_binds("a, (b, *c) = f()\\nimport numpy as np\\ndef g(): x = 1\\nfor i in r: pass"))
    ['a', 'b', 'c', 'g', 'i', 'np']
    >>> sorted(_binds("W[0, 1] = 2\\nm.w += 1"))
    ['W', 'm']
    """
    lines = [ln for ln in source.split("\n") if not ln.lstrip().startswith(("%", "!"))]
    try:
        tree = ast.parse("\n".join(lines))
    except (SyntaxError, ValueError):
        return set()
    names: set[str] = set()

    def target(t: ast.AST) -> None:
        if isinstance(t, ast.Name):
            names.add(t.id)
        elif isinstance(t, (ast.Tuple, ast.List)):
            for e in t.elts:
                target(e)
        elif isinstance(t, ast.Starred):
            target(t.value)
        elif isinstance(t, (ast.Subscript, ast.Attribute)):  # W[0] = 1 changes W
            target(t.value)

    def visit(stmts: list[ast.stmt]) -> None:
        for st in stmts:
            if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(st.name)
            elif isinstance(st, ast.Assign):
                for t in st.targets:
                    target(t)
            elif isinstance(st, (ast.AugAssign, ast.AnnAssign)):
                target(st.target)
            elif isinstance(st, (ast.Import, ast.ImportFrom)):
                for al in st.names:
                    if al.name != "*":
                        names.add((al.asname or al.name).split(".")[0])
            elif isinstance(st, (ast.For, ast.AsyncFor)):
                target(st.target)
                visit(st.body)
                visit(st.orelse)
            elif isinstance(st, (ast.With, ast.AsyncWith)):
                for it in st.items:
                    if it.optional_vars is not None:
                        target(it.optional_vars)
                visit(st.body)
            elif isinstance(st, (ast.If, ast.While)):
                visit(st.body)
                visit(st.orelse)
            elif isinstance(st, ast.Try):
                visit(st.body)
                for h in st.handlers:
                    visit(h.body)
                visit(st.orelse)
                visit(st.finalbody)
        for node in ast.walk(ast.Module(body=stmts, type_ignores=[])):
            if isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name):
                names.add(node.target.id)

    visit(tree.body)
    return names


def _answer_names(cell: Any) -> list[str]:
    """The names a solution cell of a grading key answers with (stored by release)."""
    stored = cell.get("metadata", {}).get("tensorlessons", {}).get("answer_names")
    if isinstance(stored, list):
        return [str(n) for n in stored]
    return sorted(_binds(_source(cell)))


def assemble(key: Any, submitted: Any) -> tuple[Any, list[str]]:
    """The notebook to run: the learner's cells, with every locked and graded cell taken
    from the grading key (hidden tests included). Returns it and the problems found
    (edited, deleted or duplicated locked cells), as nbgrader detects with checksums.

    Cells are recognised by their nbgrader ``grade_id`` or, where an editor dropped the
    metadata, by the notebook's stable cell ``id`` (or, for a locked cell, its source).
    A locked cell that appears more than once is kept where it appears last (a graded
    cell pasted above the answer does not move the real one).
    """
    problems: list[str] = []
    student = student_version(key)
    released = {_grade_id(c): (k, c) for k, c in enumerate(key.cells) if _grade_id(c)}
    student_sum = {_grade_id(c): _checksum(c) for c in student.cells if _grade_id(c)}
    by_id = {c.get("id"): _grade_id(c) for c in key.cells if _grade_id(c) and c.get("id")}
    by_source = {
        _source(c).strip(): _grade_id(c)
        for c in student.cells
        if is_locked(c) and _grade_id(c) and _source(c).strip()
    }
    mapped: list[tuple[Any, str | None]] = []
    for cell in submitted.cells:
        gid = _grade_id(cell)
        if gid is None:
            gid = by_id.get(cell.get("id")) or (
                by_source.get(_source(cell).strip()) if cell.get("cell_type") == "code" else None
            )
            if gid is not None and _meta(cell):
                gid = None
        elif gid not in released:
            gid = None
        mapped.append((cell, gid))
    last = {gid: k for k, (_c, gid) in enumerate(mapped) if gid is not None}
    cells: list[Any] = []
    seen: set[str] = set()
    reported: set[str] = set()
    for k, (cell, gid) in enumerate(mapped):
        if gid is None:
            if _meta(cell):
                cell = copy.deepcopy(cell)
                cell.metadata.pop("nbgrader", None)  # not ours: plain learner cell
            cells.append(cell)
            continue
        _k, rel = released[gid]
        dup = sum(1 for _c, g in mapped if g == gid) > 1
        if dup and gid not in reported:
            reported.add(gid)
            problems.append(
                f"cell {gid!r} appears more than once; "
                + (
                    "the released one was used, where it appears last"
                    if is_locked(rel)
                    else "every copy ran, in order"
                )  # fmt: skip
            )
        if is_locked(rel):
            if k != last[gid]:
                continue
            seen.add(gid)
            mine = copy.deepcopy(cell)
            mine.metadata["nbgrader"] = copy.deepcopy(dict(_meta(rel)))
            if _checksum(mine) != student_sum[gid]:
                what = "graded" if is_graded(rel) else "locked"
                problems.append(f"the {what} cell {gid!r} was edited; the released one was used")
            cells.append(copy.deepcopy(rel))
            continue
        seen.add(gid)
        mine = copy.deepcopy(cell)
        if k == last[gid]:
            mine.metadata["nbgrader"] = copy.deepcopy(dict(_meta(rel)))
            mine.metadata.setdefault("tensorlessons", {})["answer_names"] = _answer_names(rel)
        else:
            mine.metadata.pop("nbgrader", None)
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
        _k, rel = released[gid]
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


def _outcomes(report: dict[str, Any]) -> dict[int, CellOutcome]:
    return {int(k): CellOutcome(**v) for k, v in report.get("outcomes", {}).items()}


def _learner_plan(
    key: Any, nb: Any
) -> tuple[Any, dict[int, list[str]], dict[str, list[str]], dict[str, str]]:
    """The notebook the learner's sandbox runs, the answer names to read before each
    graded cell (by cell index), each solution cell's answer names, and the graded cell
    each solution cell's answers are read before.

    Graded cells keep their hidden tests, as in nbgrader: chapters may draw the data of
    later cells from one random stream that hidden tests use too, and the learner's run
    must leave the same state as the instructor's."""
    run = copy.deepcopy(nb)
    locked_binds: set[str] = set()
    for c in key.cells:
        if is_locked(c) and c.cell_type == "code":
            locked_binds |= _binds(_source(c))
    learner_binds: dict[str, set[str]] = {}
    for c in nb.cells:
        gid = _grade_id(c)
        if is_solution(c) and gid and c.cell_type == "code":
            learner_binds.setdefault(gid, set()).update(_binds(_source(c)))
    names_of: dict[str, list[str]] = {}
    read_at: dict[str, str] = {}
    pending: list[str] = []
    for c in key.cells:
        gid = _grade_id(c)
        if is_solution(c) and gid and c.cell_type == "code":
            declared = set(_answer_names(c))
            extra = learner_binds.get(gid, set()) - (locked_binds - declared)
            names_of[gid] = sorted(declared | extra)
            pending.append(gid)
        elif is_graded(c) and gid:
            for s in pending:
                read_at[s] = gid
            pending = []
    capture: dict[int, list[str]] = {}
    for index, c in enumerate(run.cells):
        if is_graded(c):
            gid = _grade_id(c)
            names = sorted({n for s, g in read_at.items() if g == gid for n in names_of[s]})
            capture[index] = names
    return run, capture, names_of, read_at


def _check_plan(key: Any) -> tuple[Any, dict[int, str]]:
    """The clean checking notebook: the grading key's cells (the instructor's set-up,
    graded cells with hidden tests), each solution cell replaced by the learner's answer
    values put in by the runner; no other learner code."""
    nb = copy.deepcopy(key)
    inject: dict[int, str] = {}
    for index, c in enumerate(nb.cells):
        gid = _grade_id(c)
        if is_solution(c) and gid and c.cell_type == "code":
            c.source = "# the learner's answers are put in here"
            inject[index] = gid
    _clear(nb)
    return nb, inject


def _secrets() -> list[str]:
    return [v for v in os.environ.values() if len(v) >= 8 and not v.startswith("/")]


def _scrub(text: str, hidden_lines: Sequence[str], secrets: Sequence[str]) -> str:
    """A learner-influenced message, without grading code or the grader's environment."""
    for line in hidden_lines:
        if line in text:
            return "[message withheld: it quoted the grading code]"
    for v in secrets:
        if v in text:
            text = text.replace(v, "[removed]")
    return text


def _hidden_lines(key: Any) -> list[str]:
    lines: list[str] = []
    for c in key.cells:
        if is_graded(c):
            full = _source(c).split("\n")
            shown = set(remove_hidden_tests(_source(c)).split("\n"))
            lines += [ln.strip() for ln in full if ln not in shown and len(ln.strip()) >= 12]
    return [ln for ln in lines if BEGIN_HIDDEN not in ln and END_HIDDEN not in ln]


def _score_all(
    key: Any,
    run_nb: Any,
    run_report: dict[str, Any],
    check_nb: Any,
    check_report: dict[str, Any] | None,
    result: NotebookResult,
    unreadable: dict[str, str],
) -> None:
    o1 = _outcomes(run_report)
    o2 = _outcomes(check_report) if check_report else {}
    reports = run_report.get("reports", {})
    hidden, secrets = _hidden_lines(key), _secrets()
    check_index = {_grade_id(c): i for i, c in enumerate(check_nb.cells) if is_graded(c)}
    tampering: list[str] = []
    pending: list[str] = []
    for index, cell in enumerate(run_nb.cells):
        if cell.cell_type != "code":
            continue
        o = o1.get(index, CellOutcome(index, "not run"))
        if is_solution(cell) and o.status != "ok":
            pending.append(f"your cell {_grade_id(cell)!r}: {_explain(o)}")
        if not is_graded(cell):
            continue
        gid = _grade_id(cell) or f"cell {index}"
        pts = _points(cell)
        rep = reports.get(str(index), "absent")
        if rep is None:
            new = [f"the grader's code could not run in your kernel before {gid!r}"]
        elif isinstance(rep, dict):
            new = [str(t)[:300] for t in rep.get("tampering", [])]
        else:
            new = []
        for t in new:
            if t not in tampering:
                tampering.append(t)
                if len(result.tampering) < 20:
                    result.tampering.append(f"before {gid!r}: {t}")
                elif len(result.tampering) == 20:
                    result.tampering.append("… and more (the first 20 are listed)")
        c2 = o2.get(check_index.get(gid, -1))
        if tampering:
            score = CellScore(
                gid, 0.0, pts, "tampering",
                "your notebook changed how checks run (" + "; ".join(tampering[:3]) + ")",
            )  # fmt: skip
        elif o.status != "ok":
            status = {"error": "failed", "timeout": "timeout", "not run": "not run"}[o.status]
            msg = _explain(o)
            if pending:
                msg += " — " + "; ".join(pending)
            score = CellScore(gid, 0.0, pts, status, msg)
        elif o.stderr.strip():
            first = o.stderr.strip().splitlines()[0][:200]
            score = CellScore(
                gid, 0.0, pts, "stderr",
                f"the cell wrote to stderr (counted as a failure, as nbgrader does): {first}",
            )  # fmt: skip
        elif c2 is not None and c2.status == "ok" and not c2.stderr.strip():
            got = pts if c2.partial is None else max(0.0, min(pts, c2.partial))
            score = CellScore(gid, got, pts, "passed", "passed (hidden tests included)")
        elif (
            c2 is not None
            and c2.ename == "NameError"
            and any(f"'{n}'" in c2.evalue for n in unreadable)
        ):
            name = next(n for n in unreadable if f"'{n}'" in c2.evalue)
            got = pts if o.partial is None else max(0.0, min(pts, o.partial))
            score = CellScore(
                gid, got, pts, "passed",
                f"passed in your notebook (visible checks only): {name!r} could not be "
                f"read out for the separate check ({unreadable[name]})",
            )  # fmt: skip
            result.problems.append(
                f"{gid!r} was checked in the learner's kernel only: {name!r} is "
                f"{unreadable[name]} (review it by hand)"
            )
        else:
            why = _explain(c2) if c2 is not None else "the separate check did not run"
            score = CellScore(gid, 0.0, pts, "failed", why)
        score.message = _scrub(score.message, hidden, secrets)
        pending = []
        result.cells.append(score)
        result.score += score.points
        result.max_score += pts


def _digest(folder: Path, notebook: Path | None) -> str:
    """What a submission is, for resuming: its files' names, sizes and times."""
    h = hashlib.sha256()
    if notebook is not None and notebook.exists():
        h.update(notebook.read_bytes())
    stack = [folder]
    while stack and folder.is_dir():
        here = stack.pop()
        try:
            entries = sorted(os.scandir(here), key=lambda e: e.name)
        except OSError:
            continue
        for e in entries[:5000]:
            st = e.stat(follow_symlinks=False)
            h.update(f"{e.path}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
            if e.is_dir(follow_symlinks=False):
                stack.append(Path(e.path))
    return h.hexdigest()


def _stage(task: dict[str, Any], into: Path, learner_dir: Path | None) -> list[str]:
    from ._sandbox import Limits, safe_copy

    limits = Limits(**task["limits"])
    problems: list[str] = []
    if learner_dir is not None:
        problems += safe_copy(
            learner_dir,
            into,
            skip=(".ipynb_checkpoints", "__pycache__"),
            max_files=limits.copy_files,
            max_bytes=limits.copy_bytes,
        )
        for p in into.glob("*.ipynb"):
            p.unlink()
    if task.get("extra_dir"):
        safe_copy(
            Path(task["extra_dir"]),
            into,
            skip=(ANSWERS_DIR, ".ipynb_checkpoints", "__pycache__"),
            max_files=10**5,
            max_bytes=10**11,
        )
        for p in into.glob("*.ipynb"):
            if (Path(task["extra_dir"]) / p.name).exists():
                p.unlink()
    return problems


def _grade_one(task: dict[str, Any]) -> NotebookResult:
    from ._sandbox import Limits, run_sandboxed

    t0 = time.monotonic()
    learner, name = task["learner"], task["notebook"]
    key = task["key"]
    result = NotebookResult(learner, name, sandbox=task["sandbox"])
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
    limits = Limits(**task["limits"])
    run_nb, capture, names_of, read_at = _learner_plan(key, nb)
    check_nb, inject = _check_plan(key)
    common = {"cell_timeout": task["cell_timeout"], "notebook_timeout": task["notebook_timeout"]}
    with tempfile.TemporaryDirectory(prefix="tl-stage-") as tmp:
        stage1, stage2 = Path(tmp) / "learner", Path(tmp) / "check"
        stage1.mkdir()
        stage2.mkdir()
        result.problems += _stage(task, stage1, sub_path.parent)
        _stage(task, stage2, None)
        run_report = run_sandboxed(
            {"mode": "learner", "notebook": run_nb, "capture": capture, **common},
            stage1,
            kind=task["sandbox"],
            limits=limits,
            timeout=task["notebook_timeout"],
        )
        if "error" in run_report:
            result.status = "error"
            result.problems.append(f"could not run: {run_report['error']}")
            _zero(key, result)
            return result
        # the learner's answers as data, for the clean check
        values: dict[str, dict[str, Any]] = {}
        unreadable: dict[str, str] = {}
        gid_index = {_grade_id(c): i for i, c in enumerate(run_nb.cells) if is_graded(c)}
        for sol, graded_gid in read_at.items():
            rep = run_report.get("reports", {}).get(str(gid_index.get(graded_gid)))
            got = rep.get("values", {}) if isinstance(rep, dict) else {}
            values[sol] = {n: got[n] for n in names_of[sol] if n in got}
            for n, v in values[sol].items():
                if isinstance(v, dict) and "__unreadable__" in v:
                    unreadable[n] = str(v["__unreadable__"])[:200]
        answers = {
            Path(str(k)).name: str(v)
            for k, v in (run_report.get("answers") or {}).items()
            if str(k).endswith(".json")
        }
        o1 = _outcomes(run_report)
        passed = [i for i, c in enumerate(run_nb.cells) if is_graded(c) and i in o1
                  and o1[i].status == "ok"]  # fmt: skip
        if not passed:  # nothing to confirm: every graded cell already failed
            check_report: dict[str, Any] | None = {"outcomes": {}, "skipped": True}
        else:
            check_report = run_sandboxed(
                {
                    "mode": "check",
                    "notebook": check_nb,
                    "inject": inject,
                    "values": values,
                    "answers": answers,
                    **common,
                },
                stage2,
                kind=task["sandbox"],
                limits=limits,
                timeout=task["notebook_timeout"],
            )
    if check_report is not None and "error" in check_report:
        result.problems.append(f"the separate check could not run: {check_report['error']}")
        check_report = None
    import nbformat

    executed = nbformat.from_dict(run_report.get("notebook", run_nb))
    _score_all(key, executed, run_report, check_nb, check_report, result, unreadable)
    if task.get("graded_dir"):
        dest = Path(task["graded_dir"]) / learner
        dest.mkdir(parents=True, exist_ok=True)
        nbformat.write(executed, str(dest / name))
        if check_report and not check_report.get("skipped"):
            checked = nbformat.from_dict(check_report.get("notebook", check_nb))
            nbformat.write(checked, str(dest / (Path(name).stem + ".check.ipynb")))
    result.seconds = time.monotonic() - t0
    return result


def _zero(key: Any, result: NotebookResult) -> None:
    result.max_score = 0.0
    result.score = 0.0
    result.cells = []
    for cell in key.cells:
        if is_graded(cell):
            gid = _grade_id(cell) or "?"
            result.cells.append(CellScore(gid, 0.0, _points(cell), "not run", result.status))
            result.max_score += _points(cell)


def _grade_safely(task: dict[str, Any]) -> NotebookResult:
    """:func:`_grade_one`, turning anything unexpected into an ``error`` result."""
    try:
        return _grade_one(task)
    except Exception as exc:  # noqa: BLE001 - one submission never stops the class
        result = NotebookResult(task["learner"], task["notebook"], status="error")
        result.sandbox = task.get("sandbox", "")
        result.problems.append(f"could not grade: {type(exc).__name__}: {exc}"[:500])
        _zero(task["key"], result)
        return result


def _map(
    func: Callable[[dict[str, Any]], Any],
    tasks: Sequence[dict[str, Any]],
    jobs: int | None,
    log: Callable[[str], None] | None,
    *,
    what: str,
    label: Callable[[dict[str, Any]], str] | None = None,
    each: Callable[[Any], None] | None = None,
) -> Iterable[Any]:
    """Run tasks in a process pool (one kernel per task), yielding results in order.

    With ``each`` (grading: every task runs its own sandboxed processes), tasks run on
    threads and ``each(result)`` is called in this thread as soon as one finishes.
    """
    jobs = max(1, jobs or os.cpu_count() or 1)
    bar = _Progress(len(tasks), what, log)
    if each is not None:
        from concurrent.futures import ThreadPoolExecutor, as_completed

        with ThreadPoolExecutor(max_workers=max(1, min(jobs, len(tasks)))) as pool:
            futs = {pool.submit(func, t): t for t in tasks}
            for fut in as_completed(futs):
                each(fut.result())
                bar.step(label(futs[fut]) if label else "")
        bar.close()
        return []
    if jobs == 1 or len(tasks) == 1:
        results = []
        for t in tasks:
            results.append(func(t))
            bar.step(label(t) if label else "")
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
    sandbox: str = "auto",
    limits: Any = None,
    resume: bool = True,
) -> list[NotebookResult]:
    """Grade every learner's notebooks; write ``out/scores.csv``, ``out/feedback/`` and
    ``out/graded/``. Submitted files are only read (each runs in a sandboxed copy).

    ``sandbox`` is ``"auto"`` (bubblewrap where it works, else a warning and plain
    processes), ``"bwrap"`` or ``"none"``; ``limits`` a :class:`tensorlessons._sandbox.Limits`.
    Results are written as each submission finishes (``out/results.jsonl``); with
    ``resume`` a run started again skips submissions already graded and unchanged.
    """
    from ._sandbox import Limits, sandbox_kind

    kind = sandbox_kind(sandbox)
    limits = limits or Limits()
    keys = load_release(released)
    learners = find_submissions(submissions)
    out_path = Path(out)
    (out_path / "feedback").mkdir(parents=True, exist_ok=True)
    (out_path / "graded").mkdir(parents=True, exist_ok=True)
    say = log or (lambda line: print(line, file=sys.stderr))
    if kind == "none":
        warning = (
            "WARNING: no sandbox (bubblewrap 'bwrap' is missing or was not asked for): "
            "learner code runs with your user's rights and can read and change your files. "
            "Install bubblewrap to grade untrusted submissions."
        )
        print(warning, file=sys.stderr)  # even with --quiet
        if log is not None:
            log(warning)
    extra = Path(released) if Path(released).is_dir() else None
    if extra is not None and (extra / "autograder").is_dir():
        extra = extra / "autograder"
    if extra is not None and not any(
        p.suffix != ".ipynb" and not p.name.startswith(".") for p in extra.iterdir()
    ):
        extra = None
    tasks: list[dict[str, Any]] = []
    strays: dict[str, list[str]] = {}
    key_sums = {
        name: hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]
        for name, key in keys.items()
    }
    for learner, folder in learners.items():
        present = {p.name: p for p in folder.glob("*.ipynb") if not p.is_symlink()}
        if not present:  # nbgrader's layout: <learner>/<assignment>/<notebook>.ipynb
            inner = [
                d
                for d in folder.iterdir()
                if d.is_dir() and not d.is_symlink() and any(d.glob("*.ipynb"))
            ]
            if len(inner) == 1:
                present = {p.name: p for p in inner[0].glob("*.ipynb") if not p.is_symlink()}
        strays[learner] = sorted(set(present) - set(keys))
        for name, key in keys.items():
            path = present.get(name)
            tasks.append(
                {
                    "learner": learner,
                    "notebook": name,
                    "key": key,
                    "path": str(path) if path else None,
                    # the submission and the key: a changed key is graded again
                    "digest": _digest(path.parent if path else folder, path) + key_sums[name],
                    "cell_timeout": cell_timeout,
                    "notebook_timeout": notebook_timeout,
                    "graded_dir": str(out_path / "graded"),
                    "extra_dir": str(extra) if extra is not None else None,
                    "sandbox": kind,
                    "limits": dict(limits.__dict__),
                }
            )
    journal = out_path / "results.jsonl"
    done: dict[tuple[str, str], NotebookResult] = {}
    if resume and journal.exists():
        wanted = {(t["learner"], t["notebook"]): t["digest"] for t in tasks}
        for line in journal.read_text(encoding="utf-8").splitlines():
            try:
                rec = json.loads(line)
                r = _result_from(rec["result"])
            except (ValueError, KeyError, TypeError):
                continue  # a line cut short by a crash
            if wanted.get((r.learner, r.notebook)) == rec.get("digest"):
                done[(r.learner, r.notebook)] = r
    elif journal.exists():
        journal.unlink()
    todo = [t for t in tasks if (t["learner"], t["notebook"]) not in done]
    if done:
        say(f"resuming: {len(done)} notebook(s) already graded, {len(todo)} to go")
    by_key: dict[tuple[str, str], NotebookResult] = dict(done)
    order = [(t["learner"], t["notebook"]) for t in tasks]
    digests = {(t["learner"], t["notebook"]): t["digest"] for t in tasks}

    def finished(r: NotebookResult) -> None:
        if strays.get(r.learner) and not any("not part of the release" in p for p in r.problems):
            names = ", ".join(strays[r.learner])
            r.problems.append(f"not part of the release, not graded: {names}")
        by_key[(r.learner, r.notebook)] = r
        with open(journal, "a", encoding="utf-8") as f:
            rec = {"digest": digests[(r.learner, r.notebook)], "result": asdict(r)}
            f.write(json.dumps(rec) + "\n")
            f.flush()
            os.fsync(f.fileno())
        current = [by_key[k] for k in order if k in by_key]
        _write_csv(out_path / "scores.csv", keys, current)
        _write_feedback(out_path / "feedback", [x for x in current if x.learner == r.learner])

    for r in done.values():
        finished(r)
    _map(
        _grade_safely,
        todo,
        jobs,
        log,
        what="graded",
        label=lambda t: f"{t['learner']}/{t['notebook']}",
        each=finished,
    )
    results = [by_key[k] for k in order]
    _write_csv(out_path / "scores.csv", keys, results)
    with open(out_path / "results.json", "w", encoding="utf-8") as f:
        json.dump([asdict(r) for r in results], f, indent=1)
    return results


def _result_from(d: dict[str, Any]) -> NotebookResult:
    cells = [CellScore(**c) for c in d.pop("cells", [])]
    return NotebookResult(**d, cells=cells)


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _write_csv(path: Path, keys: dict[str, Any], results: list[NotebookResult]) -> None:
    import io

    ids = [_grade_id(c) or "?" for key in keys.values() for c in key.cells if is_graded(c)]
    buf = io.StringIO()
    w = csv.writer(buf)
    head = ["learner", "notebook", "score", "max_score", "status", "problems", "tampering"]
    w.writerow([*head, "sandbox", *ids])
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
                len(r.tampering),
                r.sandbox,
                *[f"{by[i]:g}" if i in by else "" for i in ids],
            ]
        )
    _atomic_write(path, buf.getvalue())


_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}()#+!|~>-])")


def _safe(text: str, limit: int = 400) -> str:
    """Learner-influenced text for the Markdown feedback: one line, at most ``limit``
    characters, HTML and Markdown escaped (it shows as typed, never as markup or links).

    >>> _safe("<img src=x onerror=alert(1)> **bold** [a](http://x)\\nline")
    '&lt;img src=x onerror=alert\\\\(1\\\\)&gt; \\\\*\\\\*bold\\\\*\\\\* \\\\[a\\\\]\\\\(http://x\\\\) line'
    """
    import html

    flat = " ".join(str(text).split())
    flat = "".join(ch for ch in flat if ch.isprintable())
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    return _MD_SPECIAL.sub(r"\\\1", html.escape(flat, quote=False))


def _write_feedback(folder: Path, results: list[NotebookResult]) -> None:
    by: dict[str, list[NotebookResult]] = {}
    for r in results:
        by.setdefault(r.learner, []).append(r)
    for learner, rs in by.items():
        total = sum(r.score for r in rs)
        most = sum(r.max_score for r in rs)
        lines = [
            f"# Feedback for {_safe(learner, 80)}",
            "",
            f"Total: {total:g} / {most:g} points",
            "",
        ]
        for r in rs:
            lines += [f"## {_safe(r.notebook, 120)}: {r.score:g} / {r.max_score:g}", ""]
            if r.status != "graded":
                lines.append(f"Status: {r.status}.")
            for p in r.problems:
                lines.append(f"- Note: {_safe(p)}")
            for t in r.tampering:
                lines.append(f"- Tampering: {_safe(t)}")
            if r.problems or r.tampering or r.status != "graded":
                lines.append("")
            for c in r.cells:
                mark = "✔" if c.points >= c.max_points and c.status == "passed" else "✘"
                lines.append(
                    f"- {mark} `{_safe(c.grade_id, 80).replace('`', '')}` — "
                    f"{c.points:g}/{c.max_points:g}: {_safe(c.message)}"
                )
            lines.append("")
        _atomic_write(folder / f"{learner}.md", "\n".join(lines))
