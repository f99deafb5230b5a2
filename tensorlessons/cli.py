"""The ``tensorlessons`` console script: release student versions and grade a class.

::

    tensorlessons course [DIR] [-- JUPYTER ARGS]
    tensorlessons build [ROOT] [--check] [--instructor DIR]
    tensorlessons release SRC OUT
    tensorlessons grade RELEASED SUBMISSIONS --out DIR [--sandbox auto|bwrap|none]
    tensorlessons export-otter RELEASED NOTEBOOK --out autograder.zip

See ``docs/grading.md`` for the instructor's guide.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="tensorlessons",
        description="Release and grade tensorlessons chapters (nbgrader's format, no nbgrader).",
    )
    from . import __version__

    p.add_argument("--version", action="version", version=f"tensorlessons {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    c = sub.add_parser(
        "course",
        help="copy the course into DIR (once; your work is never overwritten) and open it",
        description=(
            "Copy the learner notebooks into DIR the first time (later: bring in new "
            "versions of the notebooks you have not changed; a changed one is kept, the new "
            "version is written next to it) and open chapter 00 there in JupyterLab. "
            "Arguments after '--' go to Jupyter (e.g. -- --no-browser --port 8899)."
        ),
    )
    c.add_argument(
        "folder",
        nargs="?",
        default=None,
        metavar="DIR",
        help="your course folder (default: ./tensorlessons-course)",
    )
    c.add_argument("--notebook", action="store_true", help="open Notebook 7 instead of JupyterLab")
    c.add_argument(
        "--copy-only", action="store_true", help="copy or update the notebooks, do not open"
    )

    b = sub.add_parser(
        "build",
        help="build the learner copy chapters/*.ipynb (and more) from the sources course/*.py",
        description=(
            "Build the learner copy chapters/NN_name.ipynb (no solutions, no hidden tests) "
            "and the worked solutions tensorlessons/solutions.json from each chapter source "
            "course/NN_name.py (jupytext percent format; needs the 'build' extra)."
        ),
    )
    b.add_argument(
        "root", nargs="?", default=".", metavar="ROOT", help="the project folder (default: .)"
    )
    b.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if a built file is missing or stale",
    )
    b.add_argument(
        "--instructor",
        metavar="DIR",
        help=(
            "also write the solution-bearing notebooks to DIR: nbgrader's source notebooks "
            "and the input of 'tensorlessons release DIR OUT'"
        ),
    )

    r = sub.add_parser(
        "release",
        help="write student versions (solutions replaced, hidden tests removed, outputs cleared)",
        description=(
            "Write OUT/student/ (hand these out) and OUT/autograder/ (the grading key with "
            "hidden tests: keep it private). Each notebook is first run with its solutions "
            "removed; a graded cell that still passes is refused as a vacuous check."
        ),
    )
    r.add_argument("src", metavar="SRC", help="a notebook, or a folder of notebooks")
    r.add_argument("out", metavar="OUT", help="output folder")
    r.add_argument(
        "--no-check",
        action="store_true",
        help="skip running the notebooks to refuse vacuous graded cells",
    )
    _limits(r)

    g = sub.add_parser(
        "grade",
        help="grade submissions: SUBMISSIONS/<learner>/<notebook>.ipynb",
        description=(
            "Run every submitted notebook in its own sandbox (bubblewrap), with locked and "
            "graded cells restored from the release; read each answer out and check it with "
            "the hidden tests in a separate clean sandbox; write DIR/scores.csv, "
            "DIR/feedback/<learner>.md and DIR/graded/<learner>/<notebook>.ipynb as each "
            "submission finishes (a run started again resumes). Submitted files are never "
            "modified."
        ),
    )
    g.add_argument(
        "released",
        metavar="RELEASED",
        help="the OUT folder of 'tensorlessons release' (or the source notebooks)",
    )
    g.add_argument(
        "submissions", metavar="SUBMISSIONS", help="folder with one sub-folder per learner"
    )
    g.add_argument("--out", required=True, metavar="DIR", help="where to write the results")
    _limits(g)
    g.add_argument(
        "--sandbox",
        choices=("auto", "bwrap", "none"),
        default="auto",
        help="auto (default): bubblewrap where it works, else a warning and no sandbox; "
        "bwrap: refuse to grade without it; none: no sandbox (trusted notebooks only)",
    )
    g.add_argument(
        "--memory",
        type=int,
        default=None,
        metavar="MB",
        help="address space per process in the sandbox (default 3072)",
    )
    g.add_argument(
        "--fresh",
        action="store_true",
        help="grade everything again (default: resume, skipping unchanged graded submissions)",
    )
    g.add_argument("--quiet", action="store_true", help="no progress bar")

    o = sub.add_parser(
        "export-otter",
        help="write an otter-grader autograder zip (Gradescope) for one released notebook",
        description=(
            "Turn one notebook of a release into otter-grader's autograder configuration "
            "zip (tests/, files/, otter_config.json, requirements.txt, ...): upload it to "
            "Gradescope, or run it with 'otter run -a ZIP SUBMISSION' (needs the 'otter' "
            "extra). Each graded cell becomes one otter test worth its points."
        ),
    )
    o.add_argument("released", metavar="RELEASED", help="the OUT folder of 'tensorlessons release'")
    o.add_argument(
        "notebook", metavar="NOTEBOOK", help="the notebook's name, e.g. 01_tensors.ipynb"
    )
    o.add_argument("--out", required=True, metavar="ZIP", help="the zip file to write")
    o.add_argument(
        "--requirement",
        action="append",
        default=None,
        metavar="REQ",
        help="a pip requirement for the grading image (default: this tensorlessons version)",
    )
    return p


def _limits(p: argparse.ArgumentParser) -> None:
    from .grading import DEFAULT_CELL_TIMEOUT, DEFAULT_NOTEBOOK_TIMEOUT

    p.add_argument(
        "--cell-timeout",
        type=float,
        default=DEFAULT_CELL_TIMEOUT,
        metavar="S",
        help=f"seconds a cell may run (default {DEFAULT_CELL_TIMEOUT:g})",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_NOTEBOOK_TIMEOUT,
        metavar="S",
        help=f"seconds a whole notebook may run (default {DEFAULT_NOTEBOOK_TIMEOUT:g})",
    )
    p.add_argument(
        "--jobs",
        type=int,
        default=None,
        metavar="N",
        help="notebooks run at once (default: the number of CPU cores)",
    )


def _grade_limits(args: argparse.Namespace) -> object:
    from ._sandbox import Limits

    limits = Limits()
    if args.memory:
        limits.memory_mb = args.memory
    return limits


def main(argv: Sequence[str] | None = None) -> int:
    """Run the console script; returns the exit status (0 ok, 1 refused/failed, 2 usage)."""
    parser = _parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    jupyter_args: list[str] = []
    if "--" in argv:  # tensorlessons course [DIR] -- JUPYTER ARGS
        argv, jupyter_args = argv[: argv.index("--")], argv[argv.index("--") + 1 :]
    args = parser.parse_args(argv)
    args.jupyter_args = jupyter_args
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    if args.command == "course":
        return _course(args)
    if args.command == "build":
        return _build(args.root, check=args.check, instructor=args.instructor)
    from .grading import GradingError, grade, release

    try:
        if args.command == "export-otter":
            from .otter import export_otter

            path = export_otter(
                args.released, args.notebook, args.out, requirements=args.requirement
            )
            print(f"wrote {path}: upload it to Gradescope as the autograder, or test it with")
            print(f"  otter run -a {path} SUBMISSION.ipynb")
            return 0
        if args.command == "release":
            names = release(
                args.src,
                args.out,
                check=not args.no_check,
                cell_timeout=args.cell_timeout,
                notebook_timeout=args.timeout,
                jobs=args.jobs,
            )
            print(f"released {len(names)} notebook(s): {', '.join(names)}")
            print(f"  hand out:      {args.out}/student/")
            print(f"  keep private:  {args.out}/autograder/  (hidden tests)")
            return 0
        results = grade(
            args.released,
            args.submissions,
            args.out,
            cell_timeout=args.cell_timeout,
            notebook_timeout=args.timeout,
            jobs=args.jobs,
            log=(lambda _line: None) if args.quiet else None,
            sandbox=args.sandbox,
            limits=_grade_limits(args),
            resume=not args.fresh,
        )
    except GradingError as exc:
        print(f"tensorlessons {args.command}: {exc}", file=sys.stderr)
        return 1
    learners = sorted({r.learner for r in results})
    flagged = [r for r in results if r.tampering]
    problems = [r for r in results if r.problems or r.status != "graded"]
    print(f"graded {len(results)} notebook(s) of {len(learners)} learner(s)")
    for r in results:
        print(f"  {r.learner}/{r.notebook}: {r.score:g}/{r.max_score:g} ({r.status})")
    if problems:
        print(f"{len(problems)} notebook(s) with problems: see {args.out}/feedback/")
    if flagged:
        names = ", ".join(sorted({r.learner for r in flagged}))
        print(f"tampering detected in {len(flagged)} notebook(s) ({names}): see results.json")
    print(f"scores: {args.out}/scores.csv")
    return 0


def _course(args: argparse.Namespace) -> int:
    from . import course
    from ._errors import DiagramError

    folder = args.folder or course.DEFAULT_FOLDER
    extra = list(args.jupyter_args)
    try:
        if args.copy_only:
            course.copy_course(folder)
            return 0
        return course.open_course(folder, extra, app="notebook" if args.notebook else "lab")
    except DiagramError as exc:
        print(f"tensorlessons course: {exc}", file=sys.stderr)
        return 1


def _build(root: str, *, check: bool, instructor: str | None = None) -> int:
    from . import course
    from ._errors import DiagramError

    try:
        changed = course.build(root, check=check, instructor=instructor)
    except (DiagramError, ImportError) as exc:
        print(f"tensorlessons build: {exc}", file=sys.stderr)
        return 1
    if check and changed:
        print("the built course is stale: run 'tensorlessons build' and commit", file=sys.stderr)
        return 1
    if not changed:
        print("the built course is up to date")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
