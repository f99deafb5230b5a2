"""Wrong answers must fail the visible checks; correct alternatives must pass.

For each chapter with a case file ``tests/exercise_cases/chNN_name.py``, the chapter's
solution-bearing source runs top to bottom in ONE kernel. At each exercise's solution
cell, before the real solution runs, every case of that exercise is tried:

- the case's code takes the place of the solution region (``# BEGIN SOLUTION`` …
  ``# END SOLUTION``; code around the region stays, as the learner sees it);
- a **wrong** case then runs the *visible* part of the graded cell (hidden tests removed,
  as a self-learner runs it; even when the answer's own cell raised, as a learner runs
  the check anyway): it must raise ``CheckFailed`` with a message matching the case's
  regular expression (the message must point at the mistake);
- a **right** case runs the whole graded cell (hidden tests included): it must pass;
- the learner's namespace is then restored (names rebound, numpy arrays and random
  generators reset in place), so no case leaks into the next.

Then the real solution and the whole graded cell run (it must pass) and the chapter goes
on. Every graded exercise of a chapter with a case file must have at least
:data:`MIN_WRONG` wrong cases.

A case file defines ``CASES``::

    CASES = {
        "04-outer-sum": {
            "wrong": [
                # (label, code written in the solution cell, regex the message must match)
                ("numpy's Vh rows", "P3 = sum(Sp[r] * np.outer(Up[:, r], Vp[r]) ...)",
                 r"rows of Vp|columns"),
            ],
            "right": [("einsum", "P3 = np.einsum('ir,r,jr->ij', ...)")],
        },
    }

Solutions and hidden tests are split by :mod:`tensorlessons.grading` (the one
implementation used by the build and by ``tensorlessons release``).

Run one chapter by hand to see every case's message::

    .venv/bin/python tests/wrong_answers.py 04          # or a path to a case file
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CASES_DIR = Path(__file__).resolve().parent / "exercise_cases"
MIN_WRONG = 2
CELL_TIMEOUT = 300.0

_SNAPSHOT = """\
import numpy as __tl_np
# (not the previous snapshot itself: restoring it would bring back stale arrays)
__tl_saved = {k: v for k, v in globals().items() if not k.startswith("__tl")}
__tl_arrays = {
    k: v.copy() for k, v in __tl_saved.items()
    if isinstance(v, __tl_np.ndarray) and not k.startswith("_")
}
__tl_rngs = {
    k: v.bit_generator.state for k, v in __tl_saved.items()
    if isinstance(v, __tl_np.random.Generator)
}
"""

_RESTORE = """\
for __tl_k in [k for k in list(globals()) if k not in __tl_saved and not k.startswith("__tl")]:
    del globals()[__tl_k]
globals().update(__tl_saved)
for __tl_k, __tl_v in __tl_arrays.items():
    try:
        globals()[__tl_k][...] = __tl_v
    except Exception:
        pass
for __tl_k, __tl_v in __tl_rngs.items():
    globals()[__tl_k].bit_generator.state = __tl_v
"""


# --------------------------------------------------------------------------------------
# Cases and chapters
# --------------------------------------------------------------------------------------


def case_files() -> list[Path]:
    """The case files ``tests/exercise_cases/chNN_*.py``, in chapter order."""
    return sorted(CASES_DIR.glob("ch[0-9][0-9]_*.py"))


def load_cases(path: Path) -> dict[str, dict[str, list[tuple[Any, ...]]]]:
    """The ``CASES`` dict of a case file."""
    spec = importlib.util.spec_from_file_location(f"_cases_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CASES


def chapter_source(case_file: Path) -> Path:
    """The chapter a case file is about: ``course/NN_name.py`` (the solution-bearing source)."""
    return ROOT / "course" / f"{case_file.stem[2:]}.py"  # chNN_name -> NN_name


def read_chapter(path: Path) -> Any:
    """A chapter source (course/NN_name.py) or any notebook file, as a notebook."""
    if path.suffix == ".py":
        from tensorlessons.course import read_source

        return read_source(path)
    import nbformat

    return nbformat.read(path, as_version=4)


def with_answer(source: str, code: str) -> str:
    """The solution cell ``source`` with ``code`` in place of its solution region."""
    from tensorlessons.grading import CODE_STUB, replace_solutions

    stubbed, found = replace_solutions(source)
    code = textwrap.dedent(code).strip("\n")
    if not found:
        return code
    first, second = CODE_STUB.split("\n")
    lines, out, done, k = stubbed.split("\n"), [], False, 0
    while k < len(lines):
        line = lines[k]
        if line.strip() == first and k + 1 < len(lines) and lines[k + 1].strip() == second:
            indent = line[: len(line) - len(line.lstrip())]
            body = code if not done else "pass"
            out.extend(indent + x if x else x for x in body.split("\n"))
            done, k = True, k + 2
        else:
            out.append(line)
            k += 1
    return "\n".join(out)


# --------------------------------------------------------------------------------------
# The kernel
# --------------------------------------------------------------------------------------


@dataclass
class Run:
    """How one piece of code ended in the kernel."""

    status: str  # "ok" or "error"
    ename: str = ""
    evalue: str = ""
    stdout: str = ""
    stderr: str = ""


class Kernel:
    """One IPython kernel in a fresh folder (answers of drawing exercises go there too)."""

    def __init__(self, workdir: Path) -> None:
        from jupyter_client.manager import start_new_kernel

        env = dict(os.environ)
        env["MPLBACKEND"] = "Agg"
        env["TENSORLESSONS_ANSWERS"] = str(workdir / "tensorlessons_answers")
        self.km, self.kc = start_new_kernel(
            kernel_name="python3", cwd=str(workdir), env=env, stderr=subprocess.DEVNULL
        )

    def run(self, code: str, *, hidden: bool = False, timeout: float = CELL_TIMEOUT) -> Run:
        out: dict[str, Any] = {"stdout": [], "stderr": [], "error": None}

        def hook(msg: dict[str, Any]) -> None:
            kind, content = msg["header"]["msg_type"], msg["content"]
            if kind == "stream":
                out[content["name"]].append(content["text"])
            elif kind == "error":
                out["error"] = (content["ename"], content["evalue"])

        try:
            reply = self.kc.execute_interactive(
                code,
                silent=hidden,
                store_history=not hidden,
                output_hook=hook,
                timeout=timeout,
                allow_stdin=False,
            )
        except TimeoutError:
            self.km.interrupt_kernel()
            return Run("error", "TimeoutError", f"did not finish within {timeout:g} s")
        content = reply["content"]
        ename, evalue = out["error"] or (content.get("ename", ""), content.get("evalue", ""))
        return Run(
            "error" if content["status"] == "error" else "ok",
            str(ename or ""),
            str(evalue or ""),
            "".join(out["stdout"]),
            "".join(out["stderr"]),
        )

    def close(self) -> None:
        try:
            self.kc.stop_channels()
        finally:
            self.km.shutdown_kernel(now=True)


# --------------------------------------------------------------------------------------
# Running a chapter with its cases
# --------------------------------------------------------------------------------------


@dataclass
class Outcome:
    """One tried case (or the real solution) of one exercise."""

    grade_id: str
    kind: str  # "wrong", "right" or "solution"
    label: str
    run: Run
    problem: str = ""  # empty when the case behaved as it must


@dataclass
class Report:
    """Everything that happened when a chapter ran with its cases."""

    chapter: str
    outcomes: list[Outcome] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    exercises: list[str] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return sum(o.kind == kind for o in self.outcomes)

    def table(self) -> str:
        lines = [
            f"{self.chapter}: {len(self.exercises)} exercises, {self.count('wrong')} wrong-answer "
            f"and {self.count('right')} right-alternative cases"
        ]
        for o in self.outcomes:
            mark = "✘" if o.problem else "✔"
            said = f"{o.run.ename}: {o.run.evalue}" if o.run.status == "error" else "passes"
            lines.append(f"  {mark} {o.grade_id:<24} {o.kind:<8} {o.label}: {said[:300]}")
            if o.problem:
                lines.append(f"      PROBLEM: {o.problem}")
        lines += [f"  PROBLEM: {p}" for p in self.problems]
        return "\n".join(lines)

    def all_problems(self) -> list[str]:
        """The chapter's problems and every case that did not behave as it must."""
        return self.problems + [
            f"{o.grade_id} {o.kind} case {o.label!r}: {o.problem}"
            for o in self.outcomes
            if o.problem
        ]


def _meta(cell: Any) -> dict[str, Any]:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def run_chapter(source: Path, cases: dict[str, dict[str, list[tuple[Any, ...]]]]) -> Report:
    """Run ``source`` (solutions in place) in one kernel, trying every case on the way."""
    from tensorlessons import grading as g

    nb = read_chapter(source)
    report = Report(source.name)
    cells = nb.cells
    graded = [k for k, c in enumerate(cells) if c.cell_type == "code" and g.is_graded(c)]
    report.exercises = [str(_meta(cells[k])["grade_id"]) for k in graded]
    # the cell where an exercise's cases are tried: its solution cell, else the graded cell
    at: dict[int, int] = {}
    for gk in graded:
        before = [
            k
            for k in range(gk)
            if g.is_solution(cells[k]) and not any(k < o < gk for o in graded) and k not in at
        ]
        at[before[-1] if before else gk] = gk
    for gid in cases:
        if gid not in report.exercises:
            report.problems.append(f"{gid}: has cases but is no graded exercise of the chapter")
    for gid in report.exercises:
        n = len(cases.get(gid, {}).get("wrong", []))
        if n < MIN_WRONG:
            report.problems.append(f"{gid}: {n} wrong-answer case(s), at least {MIN_WRONG} needed")

    with tempfile.TemporaryDirectory(prefix="tl-cases-") as tmp:
        g._prepare_workdir(source.parent.parent / "chapters", Path(tmp))
        kernel = Kernel(Path(tmp))
        try:
            for k, cell in enumerate(cells):
                if cell.cell_type != "code":
                    continue
                if k in at:
                    gk = at[k]
                    gid = str(_meta(cells[gk])["grade_id"])
                    _try_cases(kernel, report, gid, cell if k != gk else None, cells[gk], cases)
                result = kernel.run(cell.source)
                if g.is_graded(cell):
                    gid = str(_meta(cell)["grade_id"])
                    o = Outcome(gid, "solution", "the chapter's solution", result)
                    if result.status != "ok":
                        o.problem = f"fails with its solution: {result.ename}: {result.evalue}"
                    report.outcomes.append(o)
                elif result.status != "ok" and "raises-exception" not in cell.metadata.get(
                    "tags", []
                ):
                    report.problems.append(f"cell {k} raised {result.ename}: {result.evalue[:200]}")
        finally:
            kernel.close()
    return report


def _try_cases(
    kernel: Kernel,
    report: Report,
    gid: str,
    solution_cell: Any,
    graded_cell: Any,
    cases: dict[str, dict[str, list[tuple[Any, ...]]]],
) -> None:
    from tensorlessons.grading import remove_hidden_tests

    mine = cases.get(gid, {})
    visible = remove_hidden_tests(graded_cell.source)
    full = graded_cell.source
    for kind in ("wrong", "right"):
        for case in mine.get(kind, []):
            label, code = case[0], case[1]
            answer = with_answer(solution_cell.source, code) if solution_cell else code
            kernel.run(_SNAPSHOT, hidden=True)
            try:
                before = kernel.run(answer)
                # a wrong answer may raise in its own cell (the learner then runs the
                # check cell anyway); a right one must not
                if before.status != "ok" and kind == "right":
                    o = Outcome(gid, kind, label, before)
                    o.problem = f"the case's own code raised {before.ename}: {before.evalue}"
                    report.outcomes.append(o)
                    continue
                result = kernel.run(visible if kind == "wrong" else full)
            finally:
                kernel.run(_RESTORE, hidden=True)
            o = Outcome(gid, kind, label, result)
            if kind == "right" and result.status != "ok":
                o.problem = f"a correct answer fails: {result.ename}: {result.evalue}"
            elif kind == "wrong":
                pattern = case[2]
                if result.status == "ok":
                    o.problem = "the visible checks accept this wrong answer"
                elif result.ename != "CheckFailed":
                    o.problem = f"fails with {result.ename}, not a CheckFailed message"
                elif not re.search(pattern, result.evalue, re.I | re.S):
                    o.problem = f"the message does not match {pattern!r}"
            report.outcomes.append(o)


def main(argv: list[str]) -> int:
    files = case_files()
    if argv:
        files = [
            Path(a) if a.endswith(".py") else next(p for p in files if p.stem[2:4] == a.zfill(2))
            for a in argv
        ]
    bad = 0
    for path in files:
        report = run_chapter(chapter_source(path), load_cases(path))
        print(report.table())
        bad += len(report.all_problems())
    return 1 if bad else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main(sys.argv[1:]))
