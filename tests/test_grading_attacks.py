"""``tensorlessons grade`` against careless, cheating and malicious learners (issue 12).

One class is graded once (module fixture): honest learners, and one learner per row
of the attack list — cheaters who try to get full marks with wrong answers or to read
the key, learners who try to hurt the others or the run, and honest learners whose
notebooks an editor damaged. Canary files outside each submission must stay untouched,
every learner must be in ``scores.csv``, honest learners keep full marks and no cheater
gets them.

``build_class(root)`` builds the class; ``python tests/test_grading_attacks.py OUT [SKIP...]``
grades it with whatever ``tensorlessons`` is importable and prints the outcome table
(used to measure the grader before and after the sandbox).
"""

from __future__ import annotations

import copy
import csv
import json
import os
import sys
import time
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbformat import v4

from tensorlessons import Diagram
from tensorlessons import grading as g

SECRET = "tl-grader-token-5f3a9c1e77"


def meta(**kw):
    d = {"solution": False, "grade": False, "locked": False, "schema_version": 3}
    d.update(kw)
    return {"nbgrader": d}


SETUP = (
    "import numpy as np\n"
    "import tensorlessons as tl\n"
    "from tensorlessons.exercises import check\n"
    "W = np.arange(6.0).reshape(2, 3)"
)
DOUBLE_TEST = (
    "from tensorlessons.exercises import check\n"
    'check.array(double(np.arange(3)), [0, 2, 4], name="double(np.arange(3))")\n'
    "### BEGIN HIDDEN TESTS\n"
    'check.equal(double(5), 10, name="double(5)")\n'
    "### END HIDDEN TESTS\n"
    'check.passed("t-double", hidden=True)'
)
# The reference drawing lives only in the hidden part of the graded cell (issue 9's
# rule); the learner copy's exercise only checks the result's shape.
DRAW_SETUP = (
    "A, B = np.ones((2, 3)), np.ones((3, 4))\n"
    "def _shape_only(d):\n"
    "    if tuple(d.contract().shape) != (2, 4):\n"
    '        return "the result should have shape (2, 4)"\n'
    'ex = tl.DiagramExercise("t-draw", task="Join A and B.",\n'
    '    start=tl.Diagram.from_arrays({"A": A, "B": B}), answer=_shape_only)'
)
DRAW_REF = 'tl.Diagram.from_einsum("ij,jk->ik", A, B, names=["A", "B"])'
DRAW_TEST = (
    "ex.check()\n"
    "### BEGIN HIDDEN TESTS\n"
    f'check.diagram(ex.diagram, {DRAW_REF}, name="your diagram")\n'
    "### END HIDDEN TESTS\n"
    'check.passed("t-draw", hidden=True)'
)
WT_TEST = 'check.array(WT, W.T, name="WT")\ncheck.passed("t-wt")'
RIGHT = {
    "t-double-code": "def double(x):\n    return 2 * x",
    "t-shape-code": "M = np.ones((2, 3))",
    "t-draw-code": f"ex.submit({DRAW_REF})",
    "t-wt-code": "WT = W.T",
}
POINTS = {"t-double": 2, "t-shape": 1, "t-draw": 3, "t-wt": 1}
FULL = sum(POINTS.values())


def make_source(path: Path) -> Path:
    sol = "# BEGIN SOLUTION\n{}\n# END SOLUTION"
    nb = v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [
        v4.new_markdown_cell("# Attack chapter"),
        v4.new_code_cell(SETUP, metadata=meta(locked=True, grade_id="t-setup")),
        v4.new_code_cell(
            "def double(x):\n    # BEGIN SOLUTION\n    return 2 * x\n    # END SOLUTION",
            metadata=meta(solution=True, grade_id="t-double-code"),
        ),
        v4.new_code_cell(
            DOUBLE_TEST, metadata=meta(grade=True, locked=True, points=2, grade_id="t-double")
        ),
        v4.new_code_cell(
            sol.format(RIGHT["t-shape-code"]), metadata=meta(solution=True, grade_id="t-shape-code")
        ),
        v4.new_code_cell(
            'check.shape(M, (2, 3), name="M")\ncheck.passed("t-shape")',
            metadata=meta(grade=True, locked=True, points=1, grade_id="t-shape"),
        ),
        v4.new_code_cell(DRAW_SETUP, metadata=meta(locked=True, grade_id="t-draw-setup")),
        v4.new_code_cell(
            sol.format(RIGHT["t-draw-code"]), metadata=meta(solution=True, grade_id="t-draw-code")
        ),
        v4.new_code_cell(
            DRAW_TEST, metadata=meta(grade=True, locked=True, points=3, grade_id="t-draw")
        ),
        v4.new_code_cell(
            sol.format(RIGHT["t-wt-code"]), metadata=meta(solution=True, grade_id="t-wt-code")
        ),
        v4.new_code_cell(
            WT_TEST, metadata=meta(grade=True, locked=True, points=1, grade_id="t-wt")
        ),
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


def gid_of(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def answered(student, **sources):
    nb = copy.deepcopy(student)
    for c in nb.cells:
        if gid_of(c) in sources:
            c.source = sources[gid_of(c)]
    return nb


def honest(student, **changes):
    return answered(student, **{**RIGHT, **changes})


WRONG_DOUBLE = "def double(x):\n    return x"

# ---- the attacks, one learner each (name -> (row, what it tries)) -----------------------

CHEATS = {
    "c_exec": (
        "shadow exec, then patch check",
        "def double(x):\n    return x\n"
        "exec = lambda *a, **k: None\n"
        "import tensorlessons.exercises as tle\n"
        "for n in ('array', 'equal', 'shape', 'passed'):\n"
        "    setattr(type(tle.check), n, lambda *a, **k: None)",
    ),
    "c_hook": (
        "post_run_cell hook clears the error",
        "def double(x):\n    return x\n"
        "def _clear(result):\n"
        "    result.error_in_exec = None\n"
        "get_ipython().events.register('post_run_cell', _clear)",
    ),
    "c_transformer": (
        "input transformer + del get_ipython",
        "def double(x):\n    return x\n"
        "get_ipython().input_transformers_post.append(\n"
        "    lambda lines: ['pass\\n'] if any('check' in ln for ln in lines) else lines)\n"
        "del get_ipython",
    ),
    "c_metapath": (
        "fake tensorlessons.exercises from sys.meta_path",
        "def double(x):\n    return x\n"
        "import sys, types, importlib.abc, importlib.util\n"
        "class _Fake(importlib.abc.MetaPathFinder, importlib.abc.Loader):\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'tensorlessons.exercises':\n"
        "            return importlib.util.spec_from_loader(name, self)\n"
        "    def create_module(self, spec):\n"
        "        m = types.ModuleType(spec.name)\n"
        "        class C:\n"
        "            def __getattr__(self, n):\n"
        "                return lambda *a, **k: None\n"
        "        m.check = C()\n"
        "        return m\n"
        "    def exec_module(self, module):\n"
        "        pass\n"
        "sys.meta_path.insert(0, _Fake())\n"
        "del sys.modules['tensorlessons.exercises']",
    ),
}


def build_class(root: Path) -> dict:
    """Release the attack chapter and write the class's submissions under ``root``."""
    src = make_source(root / "src" / "t.ipynb")
    g.release(src, root / "release", check=False)
    student = g.read_notebook(root / "release" / "student" / "t.ipynb")
    subs, out = root / "subs", root / "results"
    key_file = root / "release" / "autograder" / "t.ipynb"
    canaries = {p: f"canary {p.name}" for p in (root / "canary.txt", root / "release" / "c.txt")}
    for p, text in canaries.items():
        p.write_text(text)
    outside = root / "outside_marker.txt"  # must never come to exist
    learners: dict[str, object] = {
        "ada": honest(student),
        "ivy_draws": honest(student, **{"t-draw-code": "pass"}),
        "sam_stripped": honest(student),
        "pia_pasted": honest(student),
        "dan_damaged": honest(student, **{"t-draw-code": "pass"}),
    }
    for name, (_what, code) in CHEATS.items():
        learners[name] = honest(student, **{"t-double-code": code})
    learners["c_data"] = honest(
        student, **{"t-wt-code": "W = np.zeros((2, 3))\nWT = np.zeros((3, 2))"}
    )
    learners["c_key"] = honest(
        student,
        **{
            "t-double-code": (
                "import os, inspect\n"
                "def double(x):\n"
                "    seen = [str(f.code_context) for f in inspect.stack()]\n"
                "    raise ValueError('<script>alert(1)</script>' + repr(seen) +\n"
                f"        os.environ.get({'TL_SECRET'!r}, 'no token') + 'x' * 5000)"
            ),
            "t-draw-code": (
                "import json\n"
                f"key = json.load(open({str(key_file)!r}))\n"
                "ex.submit(eval(''.join(key['cells'][8]['source']).split('check.diagram(ex.diagram, ')[1]"
                ".split(', name=')[0]))"
            ),
            "t-wt-code": "WT = W\nraise ValueError(repr(In))",  # In: the cells run so far
        },
    )
    learners["h_writer"] = honest(
        student,
        **{
            "t-shape-code": (
                "import glob\n"
                "M = np.ones((2, 3))\n"
                f"for p in glob.glob({str(subs)!r} + '/*/t.ipynb'):\n"
                "    open(p, 'w').write('{}')\n"
                f"open({str(root / 'canary.txt')!r}, 'w').write('changed')\n"
                f"open({str(root / 'release' / 'c.txt')!r}, 'w').write('changed')\n"
                f"open({str(outside)!r}, 'w').write('escaped')"
            )
        },
    )
    learners["h_tmp"] = honest(
        student,
        **{
            "t-shape-code": (
                "import glob, os, tempfile, time\n"
                "M = np.ones((2, 3))\n"
                "poison = 'raise SystemExit(\"poisoned\")\\n'\n"
                "t0 = time.time()\n"
                "while time.time() - t0 < 6:\n"
                "    for d in glob.glob(tempfile.gettempdir() + '/tl-*'):\n"
                "        for sub in ('', '/work', '/learner', '/check'):\n"
                "            try:\n"
                "                os.makedirs(d + sub + '/tensorlessons', exist_ok=True)\n"
                "                open(d + sub + '/tensorlessons/__init__.py', 'w').write(poison)\n"
                "                open(d + sub + '/numpy.py', 'w').write(poison)\n"
                "            except OSError:\n"
                "                pass\n"
                "    time.sleep(0.2)"
            )
        },
    )
    learners["h_killer"] = honest(
        student, **{"t-shape-code": "import os\nos.kill(os.getppid(), 9)\nM = np.ones((2, 3))"}
    )
    learners["h_daemon"] = honest(
        student,
        **{
            "t-shape-code": (
                "import os, time\n"
                "M = np.ones((2, 3))\n"
                "if os.fork() == 0:\n"
                "    os.setsid()\n"
                "    if os.fork() == 0:\n"
                "        time.sleep(4)\n"
                f"        for p in ({str(out / 'scores.csv')!r}, {str(outside)!r}):\n"
                "            try:\n"
                "                open(p, 'w').write('learner,score\\nh_daemon,999\\n')\n"
                "            except OSError:\n"
                "                pass\n"
                "    os._exit(0)"
            )
        },
    )
    learners["h_print"] = honest(
        student, **{"t-shape-code": "M = np.ones((2, 3))\nprint('x' * 300_000_000)"}
    )
    learners["h_symlinks"] = honest(student)
    # metadata stripped by an editor: no nbgrader metadata anywhere, cell ids kept
    for c in learners["sam_stripped"].cells:
        c.metadata = {}
    # the graded cell pasted above the answer (a copy, with the same metadata)
    pasted = learners["pia_pasted"]
    k = next(i for i, c in enumerate(pasted.cells) if gid_of(c) == "t-double-code")
    dup = copy.deepcopy(next(c for c in pasted.cells if gid_of(c) == "t-double"))
    dup["id"] = "pasted-copy"
    pasted.cells.insert(k, dup)
    for name, nb in learners.items():
        (subs / name).mkdir(parents=True)
        nbformat.write(nb, str(subs / name / "t.ipynb"))
    drawn = Diagram.from_einsum("jk,ij->ik", np.ones((3, 4)), np.ones((2, 3)), names=["B", "A"])
    (subs / "ivy_draws" / g.ANSWERS_DIR).mkdir()
    (subs / "ivy_draws" / g.ANSWERS_DIR / "t-draw.json").write_text(drawn.to_json())
    (subs / "dan_damaged" / g.ANSWERS_DIR).mkdir()
    (subs / "dan_damaged" / g.ANSWERS_DIR / "t-draw.json").write_bytes(b"\xff\xfe{not json")
    os.symlink(".", subs / "h_symlinks" / "loop1")
    os.symlink(".", subs / "h_symlinks" / "loop2")
    os.symlink(root / "canary.txt", subs / "h_symlinks" / "data.txt")
    return {
        "release": root / "release",
        "subs": subs,
        "out": out,
        "canaries": canaries,
        "outside": outside,
        "learners": sorted(learners),
    }


def snapshot(folder: Path) -> dict:
    return {
        p: (p.read_bytes(), p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file() and not p.is_symlink()
    }


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    root = tmp_path_factory.mktemp("attack")
    cls = build_class(root)
    before = snapshot(cls["subs"])
    os.environ["TL_SECRET"] = SECRET  # a token in the grader's environment
    try:
        t0 = time.monotonic()
        results = g.grade(
            cls["release"],
            cls["subs"],
            cls["out"],
            cell_timeout=20,
            notebook_timeout=40,
            jobs=2,
            log=lambda _line: None,
        )
        seconds = time.monotonic() - t0
    finally:
        del os.environ["TL_SECRET"]
    time.sleep(6)  # past the detached process's 4 s
    return {
        **cls,
        "results": {r.learner: r for r in results},
        "before": before,
        "after": snapshot(cls["subs"]),
        "seconds": seconds,
    }


def pts(r):
    return {c.grade_id: c.points for c in r.cells}


def msgs(r):
    return {c.grade_id: c.message for c in r.cells}


# ---- honest learners keep full marks ----------------------------------------------------


@pytest.mark.parametrize("learner", ["ada", "ivy_draws", "h_symlinks"])
def test_honest_learners_keep_full_marks(attacked, learner):
    r = attacked["results"][learner]
    assert r.status == "graded" and r.score == FULL, (r.problems, r.tampering, r.cells)
    assert r.tampering == []


def test_metadata_stripped_notebook_is_placed_by_cell_ids(attacked):
    r = attacked["results"]["sam_stripped"]
    assert r.score == FULL, r.cells
    assert not any("deleted" in p for p in r.problems), r.problems


def test_graded_cell_pasted_above_the_answer_still_scores(attacked):
    r = attacked["results"]["pia_pasted"]
    assert r.score == FULL, r.cells
    assert any("'t-double' appears more than once" in p for p in r.problems)


def test_damaged_answer_file_sets_load_error_and_the_rest_is_graded(attacked):
    r = attacked["results"]["dan_damaged"]
    assert r.status == "graded"
    assert pts(r) == {**POINTS, "t-draw": 0}
    assert "not right yet" in msgs(r)["t-draw"] or "shape (2, 4)" in msgs(r)["t-draw"]
    graded = g.read_notebook(attacked["out"] / "graded" / "dan_damaged" / "t.ipynb")
    text = json.dumps(graded)
    assert "UnicodeDecodeError" not in text and "Traceback" not in text


# ---- cheaters get no marks for the cheated cells ----------------------------------------


@pytest.mark.parametrize("learner", sorted(CHEATS))
def test_one_line_cheats_score_zero(attacked, learner):
    r = attacked["results"][learner]
    assert pts(r)["t-double"] == 0 and r.score < FULL, (learner, r.cells)
    assert pts(r)["t-shape"] == 1 or r.tampering  # the rest is still graded
    if learner != "c_hook":  # a hook that only clears errors is caught by reading outputs
        assert r.tampering, f"{learner}: tampering not reported"


def test_overwriting_the_data_a_check_compares_against_gains_nothing(attacked):
    r = attacked["results"]["c_data"]
    assert pts(r)["t-wt"] == 0 and r.score == FULL - 1
    assert "WT" in msgs(r)["t-wt"]


def test_the_key_and_the_environment_stay_out_of_reach_and_of_the_feedback(attacked):
    r = attacked["results"]["c_key"]
    assert pts(r) == {"t-double": 0, "t-shape": 1, "t-draw": 0, "t-wt": 0}, r.cells
    feedback = (attacked["out"] / "feedback" / "c_key.md").read_text()
    assert "message withheld: it quoted the grading code" in feedback
    assert SECRET not in feedback
    assert "double(5), 10" not in feedback and "check.diagram(ex.diagram" not in feedback
    assert "<script>" not in feedback
    assert max(len(line) for line in feedback.splitlines()) < 1000
    for learner in attacked["learners"]:
        text = (attacked["out"] / "feedback" / f"{learner}.md").read_text()
        assert SECRET not in text and "BEGIN HIDDEN" not in text


# ---- nobody hurts anybody else or the run ----------------------------------------------


def test_every_learner_is_in_scores_csv(attacked):
    rows = list(csv.DictReader(open(attacked["out"] / "scores.csv")))
    assert sorted(r["learner"] for r in rows) == attacked["learners"]
    assert all(r["sandbox"] == "bwrap" for r in rows)  # bwrap is installed by the test command


def test_submissions_and_canaries_outside_are_untouched(attacked):
    assert attacked["before"] == attacked["after"]
    for p, text in attacked["canaries"].items():
        assert p.read_text() == text
    assert not attacked["outside"].exists()
    assert attacked["results"]["ada"].score == FULL


def test_planted_temp_files_poison_nobody(attacked):
    assert attacked["results"]["h_tmp"].score == FULL  # the writes only reach its own /tmp
    assert attacked["results"]["ada"].score == FULL


def test_killing_the_parent_only_ends_that_learners_run(attacked):
    r = attacked["results"]["h_killer"]
    assert r.score < FULL and r.learner == "h_killer"


def test_a_detached_process_dies_with_its_sandbox(attacked):
    rows = list(csv.DictReader(open(attacked["out"] / "scores.csv")))
    assert len(rows) == len(attacked["learners"])
    assert not any(r["score"] == "999" for r in rows)
    assert attacked["results"]["h_daemon"].score == FULL


def test_symlink_loops_are_not_followed(attacked):
    r = attacked["results"]["h_symlinks"]
    assert any("symbolic link 'loop1'" in p for p in r.problems)
    assert r.seconds < 60


def test_a_huge_print_is_cut_and_the_run_goes_on(attacked):
    r = attacked["results"]["h_print"]
    assert r.learner == "h_print" and r.status in ("graded", "error")
    graded = attacked["out"] / "graded" / "h_print" / "t.ipynb"
    assert not graded.exists() or graded.stat().st_size < 5_000_000


# ---- the outcome table (before/after measurements) --------------------------------------

ROWS = [
    ("shadow exec, then patch check", "c_exec", "t-double"),
    ("post_run_cell hook clears the error", "c_hook", "t-double"),
    ("input transformer + del get_ipython", "c_transformer", "t-double"),
    ("fake module from sys.meta_path", "c_metapath", "t-double"),
    ("overwrite the data a check compares against", "c_data", "t-wt"),
    ("read the key file / reference objects", "c_key", "t-draw"),
    ("hidden tests + env token in own feedback", "c_key", None),
    ("write into others' folders + canaries", "h_writer", None),
    ("plant files in shared temp folders", "h_tmp", None),
    ("os.kill(os.getppid(), 9)", "h_killer", None),
    ("detached process rewrites scores.csv", "h_daemon", None),
    ("two symlink loops", "h_symlinks", None),
    ("300 MB print", "h_print", None),
    ("metadata-stripped notebook (honest)", "sam_stripped", None),
    ("graded cell pasted above answer (honest)", "pia_pasted", None),
    ("damaged answer file (honest)", "dan_damaged", None),
]


def main(argv: list[str]) -> int:  # pragma: no cover - a measuring tool
    root = Path(argv[0])
    skip = set(argv[1:])
    cls = build_class(root)
    for name in skip:
        import shutil

        shutil.rmtree(cls["subs"] / name)
    before = snapshot(cls["subs"])
    os.environ["TL_SECRET"] = SECRET
    t0 = time.monotonic()
    try:
        results = g.grade(cls["release"], cls["subs"], cls["out"], cell_timeout=20,
                          notebook_timeout=40, jobs=2)  # fmt: skip
        err = ""
    except BaseException as exc:  # noqa: BLE001
        results, err = [], f"{type(exc).__name__}: {exc}"
    print(f"grading took {time.monotonic() - t0:.1f} s {err}")
    time.sleep(6)
    by = {r.learner: r for r in results}
    after = snapshot(cls["subs"])
    changed = sorted({p.parent.name for p in before if before[p] != after.get(p)})
    print(f"submissions changed: {changed}; canaries intact: "
          f"{all(p.read_text() == t for p, t in cls['canaries'].items())}; "
          f"escaped marker: {cls['outside'].exists()}")  # fmt: skip
    csv_rows = (
        (cls["out"] / "scores.csv").read_text() if (cls["out"] / "scores.csv").exists() else ""
    )
    print(f"scores.csv rows: {max(0, len(csv_rows.splitlines()) - 1)}; honest ada: "
          f"{by['ada'].score if 'ada' in by else '-'}")  # fmt: skip
    for what, learner, cell in ROWS:
        r = by.get(learner)
        if r is None:
            print(f"| {what} | {learner} | not graded |")
            continue
        fb = cls["out"] / "feedback" / f"{learner}.md"
        leak = fb.exists() and (SECRET in fb.read_text() or "double(5), 10" in fb.read_text())
        cellpts = {c.grade_id: c.points for c in r.cells}.get(cell, "") if cell else ""
        print(f"| {what} | {learner} | {r.score:g}/{r.max_score:g} {r.status} | cell {cell}: "
              f"{cellpts} | tampering {len(getattr(r, 'tampering', []))} | leak {leak} |")  # fmt: skip
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
