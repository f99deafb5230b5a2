"""Grading a class: ``tensorlessons grade`` side by side with ``nbgrader autograde``.

Run: ``python -m benchmarks.bench_grading`` (``--learners 40 --chapter course/01_tensors.py``).

Makes N submissions of one chapter (alternately the solution and the unanswered student
version, so both tools see passing and failing cells), then in one run measures the wall
time of

- ``tensorlessons grade RELEASED SUBMISSIONS --out DIR --sandbox bwrap`` (the console
  script: each submission run in a bubblewrap sandbox, its answers checked in a second,
  clean sandbox; ``--jobs`` at a time),
- the same with ``--sandbox none`` (plain processes: the sandbox's cost), and
- ``nbgrader autograde`` of the same submissions (one command for the whole class),

and prints them, their ratios, and whether they agree on every learner's score.
``--sandbox bwrap|none`` measures one mode only; ``--skip-nbgrader`` leaves nbgrader out
(for the 200-submission run).
nbgrader is looked for next to this Python, then in the overlay environment that
``tests/test_nbgrader.py`` makes (``<sys.prefix>/nbgrader``).
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _nbgrader() -> tuple[str, dict[str, str]] | None:
    env = dict(os.environ)
    for folder in (Path(sys.executable).parent, Path(sys.prefix) / "nbgrader" / "bin"):
        exe = folder / "nbgrader"
        if exe.exists():
            env["PATH"] = f"{folder}{os.pathsep}{env.get('PATH', '')}"
            return str(exe), env
    return None


def _tensorlessons() -> list[str]:
    exe = Path(sys.executable).with_name("tensorlessons")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "tensorlessons.cli"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=40)
    parser.add_argument("--chapter", default=str(ROOT / "course" / "01_tensors.py"))
    parser.add_argument("--jobs", type=int, default=None, help="tensorlessons grade --jobs")
    parser.add_argument("--skip-nbgrader", action="store_true")
    parser.add_argument("--sandbox", choices=("both", "bwrap", "none"), default="both")
    args = parser.parse_args(argv)

    import nbformat

    from tensorlessons import grading as g

    chapter = Path(args.chapter)
    name = chapter.with_suffix(".ipynb").name
    source = g.read_notebook(chapter)
    student = g.student_version(source)
    with tempfile.TemporaryDirectory(prefix="tl-bench-") as tmp:
        root = Path(tmp)
        g.release(chapter, root / "release", check=False)
        subs = root / "subs"
        learners = [f"learner{k:03d}" for k in range(args.learners)]
        for k, learner in enumerate(learners):
            (subs / learner).mkdir(parents=True)
            nbformat.write(source if k % 2 == 0 else student, str(subs / learner / name))

        modes = ["bwrap", "none"] if args.sandbox == "both" else [args.sandbox]
        print(f"chapter: {name}, {args.learners} submissions, {os.cpu_count()} cores")
        times: dict[str, float] = {}
        all_scores: dict[str, dict[str, float]] = {}
        for mode in modes:
            out = root / f"results-{mode}"
            cmd = [*_tensorlessons(), "grade", str(root / "release"), str(subs)]
            cmd += ["--out", str(out), "--quiet", "--sandbox", mode, "--fresh"]
            if args.jobs:
                cmd += ["--jobs", str(args.jobs)]
            t0 = time.perf_counter()
            run = subprocess.run(cmd, capture_output=True, text=True)
            times[mode] = time.perf_counter() - t0
            if run.returncode != 0:
                print(run.stdout, run.stderr, file=sys.stderr)
                return 1
            all_scores[mode] = {
                r["learner"]: float(r["score"]) for r in csv.DictReader(open(out / "scores.csv"))
            }
            secs = times[mode]
            print(
                f"tensorlessons grade --sandbox {mode}: {secs:7.1f} s   "
                f"({secs / args.learners:.2f} s per notebook)"
            )
        if len(modes) == 2:
            print(f"sandbox cost: bwrap / none = {times['bwrap'] / times['none']:.2f}x")
            same = all_scores["bwrap"] == all_scores["none"]
            print(f"both modes agree on every score: {same}")
        our_scores = all_scores[modes[0]]

        found = None if args.skip_nbgrader else _nbgrader()
        if found is None:
            if not args.skip_nbgrader:
                print(
                    "nbgrader not found: run tests/test_nbgrader.py once, or pip install nbgrader"
                )
            return 0
        exe, env = found
        course = root / "course"
        (course / "source" / "ch").mkdir(parents=True)
        nbformat.write(source, str(course / "source" / "ch" / name))  # a .py source too
        (course / "nbgrader_config.py").write_text(
            "c = get_config()\n"
            f"c.CourseDirectory.root = {str(course)!r}\n"
            f"c.CourseDirectory.db_url = 'sqlite:///{course / 'gradebook.db'}'\n"
            "c.Execute.timeout = 600\n"
        )

        def nbgrader(*a: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run([exe, *a], cwd=course, env=env, capture_output=True, text=True)

        run = nbgrader("generate_assignment", "ch", "--force")
        if run.returncode != 0:
            print(run.stderr[-2000:], file=sys.stderr)
            return 1
        for learner in learners:
            dest = course / "submitted" / learner / "ch"
            dest.mkdir(parents=True)
            shutil.copy2(subs / learner / name, dest / name)
        t0 = time.perf_counter()
        run = nbgrader("autograde", "ch", "--force")
        theirs = time.perf_counter() - t0
        if run.returncode != 0:
            print(run.stderr[-2000:], file=sys.stderr)
            return 1
        nbgrader("export", "--to", str(course / "grades.csv"))
        their_scores = {
            r["student_id"]: float(r["score"]) for r in csv.DictReader(open(course / "grades.csv"))
        }
        print(
            f"nbgrader autograde:   {theirs:7.1f} s   ({theirs / args.learners:.2f} s per notebook)"
        )
        for mode in modes:
            print(f"ratio tensorlessons ({mode}) / nbgrader: {times[mode] / theirs:.2f}x")
        agree = our_scores == their_scores
        print(f"scores agree on all {len(our_scores)} learners: {agree}")
        if not agree:
            diff = {
                k: (our_scores.get(k), their_scores.get(k))
                for k in set(our_scores) | set(their_scores)
                if our_scores.get(k) != their_scores.get(k)
            }
            print(f"  differing (ours, nbgrader's): {diff}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
