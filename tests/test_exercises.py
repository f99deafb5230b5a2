"""Check helpers, exercise headers and hint ladders, DiagramExercise, progress."""

from __future__ import annotations

import contextlib
import io
import json

import numpy as np
import pytest

import tensorlessons as tl
from tensorlessons import Diagram, DiagramError
from tensorlessons import exercises as ex_mod
from tensorlessons.exercises import (
    ALL_PASS,
    VISIBLE_PASS,
    CheckFailed,
    DiagramExercise,
    Exercise,
    check,
    progress,
)

rng = np.random.default_rng(0)


def fails(func, *args, **kwargs) -> str:
    """The CheckFailed message of a failing check (and nothing on stdout/stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        with pytest.raises(CheckFailed) as info:
            func(*args, **kwargs)
    assert out.getvalue() == "" and err.getvalue() == ""
    assert isinstance(info.value, AssertionError)
    return str(info.value)


def quiet(func, *args, **kwargs) -> None:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        result = func(*args, **kwargs)
    assert result is None
    assert out.getvalue() == "" and err.getvalue() == ""


# ---- check.array / shape / close ----------------------------------------------------


def test_array_passes_on_einsum_oracle():
    a, b = rng.normal(size=(3, 4)), rng.normal(size=(4, 5))
    d = Diagram.from_einsum("ij,jk->ik", a, b, names=["A", "B"])
    quiet(check.array, d.contract(), np.einsum("ij,jk->ik", a, b), name="AB")


def test_array_wrong_shape_names_axis_and_dims():
    msg = fails(check.array, np.zeros((2, 3, 4)), np.zeros((2, 5, 4)), name="T")
    assert "T has shape (2, 3, 4), expected (2, 5, 4)" in msg
    assert "axis 1 has dimension 3, expected 5" in msg


def test_array_transposed_shape_is_recognised():
    a = rng.normal(size=(2, 3))
    msg = fails(check.array, a.T, a, name="W")
    assert "(3, 2), expected (2, 3)" in msg and "transposed" in msg


def test_array_wrong_number_of_axes():
    msg = fails(check.array, np.zeros(6), np.zeros((2, 3)), name="v")
    assert "1 axes/legs instead of 2" in msg


def test_array_wrong_values_says_where_and_how_many():
    want = rng.normal(size=(3, 3))
    got = want.copy()
    got[1, 2] += 0.5
    got[2, 0] -= 1.0
    msg = fails(check.array, got, want, name="M")
    assert "2 of 9 entries differ" in msg
    assert "index (1, 2)" in msg
    assert f"{got[1, 2]:.6g}" in msg and f"{want[1, 2]:.6g}" in msg
    assert "largest difference 1" in msg


def test_array_square_transpose_hint():
    want = rng.normal(size=(3, 3))
    msg = fails(check.array, want.T, want, name="M")
    assert "transpose" in msg


def test_array_scaled_and_negated_hints():
    want = rng.normal(size=(4,)) + 2
    assert "2 times" in fails(check.array, 2 * want, want)
    assert "opposite sign" in fails(check.array, -want, want)


def test_array_hides_expected_value_when_asked():
    msg = fails(check.array, np.array(3.0), np.array(4.0), name="x", show_expected=False)
    assert "4" not in msg and "x is 3" in msg


@pytest.mark.parametrize(
    ("value", "phrase"),
    [
        (None, "is None"),
        (lambda: 1, "function"),
        (np.array(["a", "b"]), "expected numbers"),
    ],
)
def test_array_not_an_array(value, phrase):
    assert phrase in fails(check.array, value, np.zeros(2), name="x")


def test_array_given_a_diagram_says_contract():
    d = Diagram.from_einsum("i->i", np.ones(2), names=["v"])
    assert ".contract()" in fails(check.array, d, np.ones(2))


def test_array_boolean_and_complex_values():
    want = np.array([True, False, True])
    assert "1 of 3 entries differ" in fails(check.array, ~want | want, want, name="mask")
    z = np.array([1 + 1j, 2])
    assert "index (0,)" in fails(check.array, z.conj(), z, name="z")


def test_array_tolerance():
    quiet(check.array, np.ones(3) + 1e-9, np.ones(3))
    fails(check.array, np.ones(3) + 1e-3, np.ones(3))
    quiet(check.array, np.ones(3) + 1e-3, np.ones(3), atol=1e-2)


def test_shape_and_close():
    quiet(check.shape, np.zeros((2, 3)), (2, 3))
    quiet(check.shape, (2, 3), [2, 3])
    d = Diagram.from_einsum("ij,jk->ik", np.ones((2, 3)), np.ones((3, 4)), names=["A", "B"])
    quiet(check.shape, d, (2, 4))
    assert "expected (4, 2)" in fails(check.shape, d, (4, 2), name="AB")
    quiet(check.close, np.trace(np.eye(3)), 3.0)
    assert "expected 3" in fails(check.close, 2.5, 3.0, name="trace")


# ---- check.diagram -----------------------------------------------------------------


def _matmul(names=("A", "B")) -> Diagram:
    return Diagram.from_einsum("ij,jk->ik", np.ones((2, 3)), np.ones((3, 4)), names=list(names))


def test_diagram_by_meaning_not_layout():
    want = _matmul()
    got = Diagram.from_einsum("jk,ij->ik", np.ones((3, 4)), np.ones((2, 3)), names=["B", "A"])
    got.move("A", 500, 500)
    quiet(check.diagram, got, want)


def test_diagram_missing_tensor_and_wrong_wiring_use_difference():
    want = _matmul()
    one = Diagram.from_einsum("ij->ij", np.ones((2, 3)), names=["A"])
    msg = fails(check.diagram, one, want, name="your drawing")
    assert msg.startswith("your drawing is not right yet") and "'B'" in msg
    assert tl.diagram.difference(want, one) in msg
    outer = Diagram.from_einsum("ij,kl->ijkl", np.ones((2, 3)), np.ones((3, 4)), names=["A", "B"])
    assert tl.diagram.difference(want, outer) in fails(check.diagram, outer, want)


def test_diagram_not_a_diagram():
    assert "expected a tensorlessons Diagram" in fails(check.diagram, "ij,jk->ik", _matmul())
    assert "is None" in fails(check.diagram, None, _matmul())


# ---- check.equal / true / raises ---------------------------------------------------


def test_equal():
    quiet(check.equal, "ij,jk->ik", "ij,jk->ik")
    quiet(check.equal, (2, 3), (2, 3))
    quiet(check.equal, 3, 3.0)
    assert fails(check.equal, 3, 4, name="the rank") == "the rank is 3, expected 4."
    assert "item 1 is 5, expected 3" in fails(check.equal, [2, 5], [2, 3])
    assert "2 items, expected 3" in fails(check.equal, (1, 2), (1, 2, 3))
    assert "expected a str" in fails(check.equal, 3, "3")
    assert "expected" not in fails(check.equal, "ab", "ba", show_expected=False)
    assert "is None" in fails(check.equal, None, 1)
    quiet(check.equal, np.arange(3), np.arange(3))
    fails(check.equal, True, 1)


def test_true_and_raises():
    quiet(check.true, np.bool_(True), "never shown")
    assert fails(check.true, False, "A should be square") == "A should be square"
    with pytest.raises(TypeError):
        check.true(np.array([True, False]), "ambiguous")
    quiet(check.raises, DiagramError, Diagram.from_einsum, "ij->", np.ones(2))
    assert "did not raise" in fails(check.raises, ValueError, lambda: None)
    assert "expected ValueError" in fails(check.raises, ValueError, lambda: 1 / 0)
    assert "does not mention" in fails(check.raises, ZeroDivisionError, lambda: 1 / 0, match="leg")


# ---- check.passed and honesty about hidden tests ------------------------------------


def test_passed_messages_are_honest(capsys):
    assert check.passed("90-a", hidden=True) is None
    out = capsys.readouterr()
    assert out.out.strip() == VISIBLE_PASS and out.err == ""
    assert "all" not in out.out.lower()
    check.passed("90-b")
    assert capsys.readouterr().out.strip() == ALL_PASS


def test_checkfailed_renders_short_in_ipython():
    exc = CheckFailed("x is wrong")
    lines = exc._render_traceback_()
    assert len(lines) == 1 and "CheckFailed" in lines[0] and "x is wrong" in lines[0]


# ---- progress -----------------------------------------------------------------------


def test_progress_per_chapter_tracks_pass_and_fail(capsys):
    Exercise("91-one", title="One")
    Exercise("91-two", title="Two")
    Exercise("92-other", title="Elsewhere")
    check.passed("91-one")
    Exercise("91-two", title="Two")  # the learner is now on exercise two
    with pytest.raises(CheckFailed):
        check.equal(1, 2)
    p = progress("91")
    assert p.passed == ["91-one"]
    text = repr(p)
    assert "1 of 2 exercises pass" in text and "92-other" not in text
    assert "failing" in text and "passed" in text
    assert "<table>" in p._repr_html_()
    check.passed("91-two")
    assert progress("91").passed == ["91-one", "91-two"]
    assert progress().chapter == "91"  # the chapter of the exercise seen last


def test_progress_lists_unattempted_exercises_of_a_notebook(tmp_path):
    nb = {
        "cells": [
            {"cell_type": "code", "metadata": {"nbgrader": {"grade": True, "grade_id": "93-x"}}},
            {"cell_type": "code", "metadata": {"nbgrader": {"grade": True, "grade_id": "93-y"}}},
        ]
    }
    path = tmp_path / "93.ipynb"
    path.write_text(json.dumps(nb))
    check.passed("93-x")
    p = progress("93", notebook=str(path))
    assert [e.grade_id for e in p.entries] == ["93-x", "93-y"]
    assert p.passed == ["93-x"]


# ---- Exercise header and hint ladder --------------------------------------------------


def test_exercise_header_facts_and_validation():
    e = Exercise("94-x", title="Outer <b>product</b>", difficulty=3, importance="optional",
                 minutes=12, hints=["a"])  # fmt: skip
    html = e._repr_html_()
    assert "●●●" in html and "optional" in html and "about 12 min" in html
    assert "<b>product</b>" not in html and "&lt;b&gt;" in html  # names are text
    assert "challenge" in html
    for bad in (
        {"difficulty": 4},
        {"importance": "vital"},
        {"minutes": 0},
        {"hints": ["ok", 3]},
    ):
        with pytest.raises(DiagramError):
            Exercise("94-y", title="t", **bad)
    with pytest.raises(DiagramError):
        Exercise("", title="t")


def test_hint_ladder_html_fallback_is_nested_one_at_a_time():
    e = Exercise("94-h", title="t", hints=["first `np.einsum`", "second", "third"])
    html = e._repr_html_()
    assert html.count("<details>") == 3
    # each hint is inside the previous one's <details>: opened one at a time
    assert html.index("Hint 1 of 3") < html.index("first") < html.index("Hint 2 of 3")
    assert html.index("Hint 2 of 3") < html.index("second") < html.index("Hint 3 of 3")
    assert "<code>np.einsum</code>" in html


def test_hint_ladder_widget_reveals_one_at_a_time():
    pytest.importorskip("ipywidgets")
    e = Exercise("94-w", title="t", hints=["first", "second"])
    box = e.widget()
    button = next(c for c in box.children if c.__class__.__name__ == "Button")
    shown = box.children[-1]
    assert len(shown.children) == 0 and "1 of 2" in button.description
    button.click()
    assert len(shown.children) == 1 and "first" in shown.children[0].value
    assert "2 of 2" in button.description
    button.click()
    assert len(shown.children) == 2 and "second" in shown.children[1].value
    assert button.disabled
    button.click()
    assert len(shown.children) == 2
    assert e.widget() is box


def test_exercise_mimebundle_without_kernel_is_html_and_text():
    bundle = Exercise("94-m", title="t", hints=["h"])._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html"}


# ---- DiagramExercise ----------------------------------------------------------------


@pytest.fixture
def answers(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TENSORLESSONS_ANSWERS", raising=False)
    return tmp_path / "tensorlessons_answers"


def _start() -> Diagram:
    return Diagram.from_arrays({"A": np.ones((2, 3)), "B": np.ones((3, 4))})


def test_diagram_exercise_check_feedback_and_submit(answers):
    ex = DiagramExercise("95-mm", task="Join A and B.", start=_start(), answer=_matmul())
    msg = fails(ex.check)
    assert (
        msg == "your diagram is not right yet: " + tl.diagram.difference(_matmul(), _start()) + "."
    )
    assert progress("95").entries[0].status == "failed"
    ex.submit(_matmul())
    quiet(ex.check)
    ex.submit(_matmul())  # idempotent
    quiet(ex.check)
    assert (answers / "95-mm.json").exists()


def test_diagram_exercise_edits_persist_and_reload(answers):
    ex = DiagramExercise("95-edit", task="t", start=_start(), answer=_matmul())
    ex.diagram.connect("A:j", "B:i")  # what the widget does in place
    ex.diagram.set_output(["i", "j2"])
    saved = json.loads((answers / "95-edit.json").read_text())
    assert Diagram.from_dict(saved).to_einsum() == ex.diagram.to_einsum()
    quiet(ex.check)
    # re-execution (e.g. by an autograder) starts from the saved answer
    again = DiagramExercise("95-edit", task="t", start=_start(), answer=_matmul())
    assert again.restored
    quiet(again.check)
    again.reset()
    # starting again keeps the answers file: it now holds the starting diagram
    saved = json.loads((answers / "95-edit.json").read_text())
    assert Diagram.from_dict(saved).to_einsum() == _start().to_einsum()
    fails(again.check)


def test_diagram_exercise_damaged_answers_file_starts_over(answers):
    answers.mkdir()
    (answers / "95-bad.json").write_text("{not json")
    ex = DiagramExercise("95-bad", task="t", start=_start(), answer=_matmul())
    assert not ex.restored and "95-bad" in ex.load_error
    fails(ex.check)


def test_diagram_exercise_callable_answer(answers):
    def rule(d: Diagram) -> str | None:
        return None if d.shape == (2, 4) else f"the result should be 2 x 4, not {d.shape}"

    ex = DiagramExercise("95-fn", task="t", start=_start(), answer=rule, persist=False)
    assert "not (2, 3, 3, 4)" in fails(ex.check)
    ex.submit(_matmul())
    quiet(ex.check)
    assert not answers.exists()


def test_diagram_exercise_validation():
    with pytest.raises(DiagramError):
        DiagramExercise("95-v", task="t", start="ij", answer=_matmul())
    with pytest.raises(DiagramError):
        DiagramExercise("95-v", task="t", start=_start(), answer=42, persist=False)
    ex = DiagramExercise("95-v", task="t", start=_start(), answer=_matmul(), persist=False)
    with pytest.raises(DiagramError):
        ex.submit("ij,jk->ik")


def test_diagram_exercise_widget_check_button(answers):
    pytest.importorskip("anywidget")
    ex = DiagramExercise("95-w", task="Join.", start=_start(), answer=_matmul(), hints=["h"])
    box = ex.widget()
    view = ex._view
    assert view.diagram is ex.diagram
    buttons = [c for c in box.children if c.__class__.__name__ == "HBox"][0].children
    check_button, reset_button = buttons
    check_button.click()
    assert 'role="alert"' in ex._feedback_widget.value
    assert tl.diagram.difference(_matmul(), _start()).split("'")[0] in ex._feedback_widget.value
    view.apply({"op": "move", "name": "A", "x": 10, "y": 10})
    assert "✘" in ex._feedback_widget.value  # moving changes nothing the check reads
    # the learner connects the legs in the browser: the widget applies the edit, and the
    # verdict on the earlier drawing goes away
    view.apply({"op": "connect", "a": "A:j", "b": "B:i"})
    assert ex._feedback_widget.value == ""
    check_button.click()
    # the open legs are still (i, k) in some order: right when the answer's order matches
    ok = ex.feedback() is None
    assert ("✔" in ex._feedback_widget.value) == ok
    assert (answers / "95-w.json").exists()
    drawn = ex.diagram.to_einsum()
    # Start again asks first: nothing changes until it is confirmed
    confirm = [c for c in box.children if "tl-confirm-reset" in c._dom_classes][0]
    assert confirm.layout.display == "none"
    reset_button.click()
    assert confirm.layout.display == "flex" and ex.diagram.to_einsum() == drawn
    yes, no = confirm.children[1:]
    no.click()
    assert confirm.layout.display == "none" and ex.diagram.to_einsum() == drawn
    reset_button.click()
    yes.click()
    assert ex._feedback_widget.value == ""
    assert ex.diagram.to_einsum() == _start().to_einsum()
    assert (answers / "95-w.json").exists()  # the answers file is kept (the start, now)
    view.undo()  # and the drawing comes back with Undo
    assert ex.diagram.to_einsum() == drawn and view.diagram is ex.diagram
    saved = json.loads((answers / "95-w.json").read_text())
    assert Diagram.from_dict(saved).to_einsum() == drawn


def test_lazy_exports():
    assert tl.DiagramExercise is DiagramExercise
    assert tl.Exercise is Exercise and tl.CheckFailed is CheckFailed
    assert tl.progress is ex_mod.progress


def test_a_failure_is_recorded_for_the_exercise_of_the_running_cell():
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.hist_file = ":memory:"
    ip = InteractiveShell.instance(config=config)
    try:
        Exercise("96-other", title="shown last")
        ip.run_cell(
            'from tensorlessons.exercises import check\ncheck.equal(1, 2)\ncheck.passed("96-mine")',
            store_history=True,  # as a kernel does
        )
    finally:
        InteractiveShell.clear_instance()
    status = {e.grade_id: e.status for e in progress("96").entries}
    assert status == {"96-other": "not yet", "96-mine": "failed"}


def test_diagram_a_renamed_box_is_matched_by_its_array():
    A, B = np.arange(6.0).reshape(2, 3), np.arange(12.0).reshape(3, 4)
    want = Diagram.from_einsum("ij,jk->ik", A, B, names=["A", "B"])
    renamed = Diagram.from_einsum("ij,jk->ik", A, B, names=["A", "C"])
    check.diagram(renamed, want)  # renaming a box does not change what it means
    wrong = Diagram.from_einsum("ij,jk->ki", A, B, names=["A", "C"])
    with pytest.raises(CheckFailed, match=r"\[.C:k., .A:i.\].*\(you renamed B to C\)"):
        check.diagram(wrong, want)


def test_diagram_a_renamed_box_with_other_values_is_named():
    A, B = np.arange(6.0).reshape(2, 3), np.arange(12.0).reshape(3, 4)
    want = Diagram.from_einsum("ij,jk->ik", A, B, names=["A", "B"])
    other = Diagram.from_einsum("ij,jk->ik", A, B + 1, names=["A", "C"])
    with pytest.raises(CheckFailed, match=r"\['B'\] are missing .*rename.*C was B"):
        check.diagram(other, want)


def test_diagram_wrong_wire_is_named_in_the_pictures_words():
    A, B, C = (np.ones((3, 3)) for _ in range(3))
    loop = Diagram.from_einsum("ij,jk,ki->", A, B, C, names=["A", "B", "C"])
    other = Diagram.from_einsum("ij,ki,jk->", A, B, C, names=["A", "B", "C"])
    with pytest.raises(CheckFailed) as err:
        check.diagram(other, loop)
    assert "(a wire A:i — C:k)" in str(err.value) and "result leg" not in str(err.value)
    swapped = Diagram.from_einsum("ij,jk->ki", A, B, names=["A", "B"])
    with pytest.raises(CheckFailed, match=r"legs are in another order: \['B:k', 'A:i'\]"):
        check.diagram(swapped, Diagram.from_einsum("ij,jk->ik", A, B, names=["A", "B"]))


def test_same_value_names_the_wrong_wires_without_a_reference():
    from tensorlessons.exercises import same_value

    A, B, C = np.random.default_rng(1).normal(size=(3, 3, 3))
    right = same_value(np.trace(A @ B @ C))
    start = Diagram.from_arrays({"A": A, "B": B, "C": C})

    def drawn(*pairs):
        d = start.copy()
        for a, b in pairs:
            d.connect(a, b)
        return d

    assert right(drawn(("A:j", "B:i"), ("B:j", "C:i"), ("C:j", "A:i"))) is None
    two = right(drawn(("A:j", "B:j"), ("B:i", "C:i"), ("C:j", "A:i")))
    assert "the wires A:j — B:j and B:i — C:i join the wrong legs" in two
    three = right(drawn(("A:j", "C:i"), ("C:j", "B:i"), ("B:j", "A:i")))
    assert "A:i — B:j, A:j — C:i and B:i — C:j join the wrong legs" in three
    M, x = np.arange(9.0).reshape(3, 3), np.array([1.0, -2.0, 0.5])
    open_leg = same_value(M @ x)(Diagram.from_einsum("ij,i->j", M, x, names=["M", "x"]))
    assert "the wire M:i — x:i and the open leg M:j are wrong" in open_leg


def test_same_value_falls_back_to_listing_the_wires_when_no_small_edit_fixes_it():
    from tensorlessons.exercises import same_value

    A, B = np.random.default_rng(2).normal(size=(2, 3, 3))
    far = same_value(123.0)(Diagram.from_einsum("ij,ji->", A, B, names=["A", "B"]))
    assert "not the right values" in far and "your wires:" in far
