"""Tests for tensorlessons.explorers: rank sliders and the contraction-order explorer.

Oracles: numpy (norms, einsum) and opt_einsum's 'optimal' path.
"""

from __future__ import annotations

import numpy as np
import opt_einsum
import pytest
from opt_einsum.testing import rand_equation

import tensorlessons as tl
from tensorlessons import DiagramError
from tensorlessons.explorers import ContractionExplorer, RankExplorer, best_order, curve_svg

RNG = np.random.default_rng(99)


# ---- rank explorer --------------------------------------------------------------------


@pytest.mark.parametrize("method", ["svd", "tucker", "mps", "cp"])
def test_rank_explorer_numbers_match_the_diagram(method: str) -> None:
    X = RNG.normal(size=(4, 5, 3)) if method != "svd" else RNG.normal(size=(6, 4))
    ex = RankExplorer(X, method=method, rank=1, max_rank=3 if method == "cp" else None)
    for r in (1, 2, 3):
        ex.set_rank(r)
        d = ex.diagram
        err = np.linalg.norm(X - d.contract())
        np.testing.assert_allclose(ex.error, err, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(ex.relative_error, err / np.linalg.norm(X), rtol=1e-10)
        assert ex.storage == sum(d[n].size for n in d.names)
        assert ex.full_storage == X.size
        assert ex.slider.value == r
        assert f"{ex.error:.4g}" in ex.stats.value  # the panel shows the same number
        assert "<svg" in ex.chart.value
    assert ex.view.diagram is ex.diagram or "<svg" in getattr(ex.view, "value", "")


def test_rank_explorer_slider_drives_the_fit() -> None:
    X = RNG.normal(size=(5, 5))
    ex = RankExplorer(X, method="svd")
    ex.slider.value = 3  # what moving the slider in the browser does
    assert ex.rank == 3
    s = np.linalg.svd(X, compute_uv=False)
    np.testing.assert_allclose(ex.error, np.sqrt(np.sum(s[3:] ** 2)), atol=1e-12)
    curve = ex.curve()
    assert list(curve) == [1, 2, 3, 4, 5]
    np.testing.assert_allclose(
        list(curve.values()), [np.sqrt(np.sum(s[r:] ** 2)) / np.linalg.norm(X) for r in curve]
    )
    assert ex.set_rank(5).relative_error < 1e-12


def test_rank_explorer_curves_decrease_for_tucker_and_mps() -> None:
    X = RNG.normal(size=(4, 4, 4))
    for method in ("tucker", "mps"):
        c = RankExplorer(X, method=method).curve()
        vals = list(c.values())
        assert all(b <= a + 1e-12 for a, b in zip(vals, vals[1:], strict=False)), (method, vals)
        assert vals[-1] < 1e-10


def test_rank_explorer_errors() -> None:
    with pytest.raises(DiagramError, match="'qr'"):
        RankExplorer(np.ones((2, 2)), method="qr")  # type: ignore[arg-type]
    ex = RankExplorer(np.ones((3, 4)))
    with pytest.raises(DiagramError, match="1..3, got 7"):
        ex.set_rank(7)
    with pytest.raises(DiagramError, match="left=3"):
        RankExplorer(np.ones((3, 4)), left=3)


def test_curve_svg_escapes_text() -> None:
    svg = curve_svg([1, 2], [0.5, 0.1], title="<b>x</b>")
    assert "<b>x</b>" not in svg and "&lt;b&gt;" in svg


@pytest.mark.parametrize("n", [3, 8, 10, 17, 24])
def test_curve_svg_fits_its_container_and_labels_the_last_rank(n: int) -> None:
    import re

    width = 320
    svg = curve_svg(list(range(1, n + 1)), [1 / k for k in range(1, n + 1)], width=width)
    assert 'width="100%"' in svg and f'viewBox="0 0 {width} ' in svg  # scales to the column
    ticks = re.findall(r'<text x="([\d.]+)" y="[\d.]+" text-anchor="middle">(\d+)</text>', svg)
    labels = [int(t) for _, t in ticks]
    assert labels[-1] == n and labels == sorted(set(labels))  # the last rank is labelled
    for x, t in ticks:  # every tick label (~7 px per digit) inside the drawing
        assert 0 <= float(x) - 3.5 * len(t) and float(x) + 3.5 * len(t) <= width


def test_rank_explorer_labels_do_not_wrap() -> None:
    ex = RankExplorer(RNG.normal(size=(6, 4)), method="svd", rank=2)
    assert ex.stats.value.count("white-space:nowrap") == 2 * 4  # 4 rows, 2 cells each
    assert "√(Σ dropped σ²)" in ex.stats.value and "Eckart–Young" in ex.stats.value
    s = np.linalg.svd(ex.array, compute_uv=False)
    assert f"{np.sqrt(np.sum(s[2:] ** 2)):.4g}" in ex.stats.value


# ---- contraction-order explorer -----------------------------------------------------------


@pytest.mark.parametrize("seed", range(12))
def test_best_order_matches_opt_einsum_optimal(seed: int) -> None:
    eq, shapes = rand_equation(5 + seed % 3, 2, seed=seed, n_out=seed % 3, d_min=2, d_max=6)
    lhs, out = eq.split("->")
    inputs = lhs.split(",")
    sizes = {c: s for t, sh in zip(inputs, shapes, strict=True) for c, s in zip(t, sh, strict=True)}
    ours, path = best_order(inputs, out, sizes)
    _, info = opt_einsum.contract_path(eq, *shapes, shapes=True, optimize="optimal")
    assert ours == info.opt_cost
    # replaying our path in the explorer costs what best_order says and gives the result
    arrays = [RNG.normal(size=s) for s in shapes]
    d = tl.Diagram.from_einsum(eq, *arrays)
    ex = ContractionExplorer(d)
    for a, b in path:
        ex.contract(a, b)
    assert ex.done and ex.flops == ours
    np.testing.assert_allclose(ex.result(), np.einsum(eq, *arrays), rtol=1e-9, atol=1e-9)
    ex.reset().play_optimal()
    assert ex.flops == d.cost(optimize="optimal").flops == ex.optimal.flops
    assert ex.largest_intermediate == info.largest_intermediate


def test_a_bad_order_costs_more_and_undo_restores() -> None:
    n = 40
    u, M, N, v = (
        RNG.normal(size=n),
        RNG.normal(size=(n, n)),
        RNG.normal(size=(n, n)),
        RNG.normal(size=n),
    )
    d = tl.Diagram.from_einsum("i,ij,jk,k->", u, M, N, v, names=["u", "M", "N", "v"])
    ex = ContractionExplorer(d)
    assert [p[:2] for p in ex.pairs()][:3] == [("u", "M"), ("M", "N"), ("N", "v")]
    step = ex.contract("M", "N")  # matrix-matrix first: n^3 multiply-adds
    assert step.flops == 2 * n**3 and step.size == n * n
    ex.contract("u", "(M·N)")
    ex.contract("v", "(u·M·N)")
    assert ex.done and ex.flops > ex.optimal.flops
    np.testing.assert_allclose(ex.result(), u @ M @ N @ v)
    ex.undo()
    assert not ex.done and len(ex.steps) == 2
    ex.reset()
    ex.contract("u", "M")
    ex.contract("(u·M)", "N")
    ex.contract("(u·M·N)", "v")
    assert ex.flops == ex.optimal.flops
    assert "Optimal" in ex.stats.value


def test_explorer_ui_buttons_match_methods() -> None:
    d = tl.Diagram.from_einsum("ij,jk->ik", np.ones((3, 4)), np.ones((4, 5)), names=["A", "B"])
    ex = ContractionExplorer(d)
    assert ex.pick.value == ("A", "B")  # the first pair is preselected
    ex.go.click()
    assert ex.done and ex.flops == 2 * 3 * 4 * 5
    ex.undo_button.click()
    assert not ex.done
    ex.best_button.click()
    assert ex.flops == ex.optimal.flops
    assert ex.view.diagram.names == ["(A·B)"]


def test_copy_tensors_are_folded_as_in_contract() -> None:
    a, b = RNG.normal(size=4), RNG.normal(size=4)
    d = tl.hadamard(a, b)
    ex = ContractionExplorer(d).play_optimal()
    np.testing.assert_allclose(ex.result(), a * b)


def test_explorer_errors() -> None:
    d = tl.Diagram.from_einsum("ij,jk->ik", np.ones((3, 4)), np.ones((4, 5)), names=["A", "B"])
    ex = ContractionExplorer(d)
    with pytest.raises(DiagramError, match="'C'"):
        ex.contract("A", "C")
    with pytest.raises(DiagramError, match="itself"):
        ex.contract("A", "A")
    with pytest.raises(DiagramError, match="contract them first"):
        ex.result()
    with pytest.raises(DiagramError, match="Diagram"):
        ContractionExplorer(np.ones(3))  # type: ignore[arg-type]


def test_clicking_two_tensors_in_the_picture_contracts_them() -> None:
    A, B, v = RNG.normal(size=(3, 4)), RNG.normal(size=(4, 5)), RNG.normal(size=5)
    d = tl.Diagram.from_einsum("ij,jk,k->i", A, B, v, names=["A", "B", "v"])
    ex = ContractionExplorer(d)
    ex.view.selected = "B"  # what a click on B in the browser sets
    assert not ex.steps and "B" in ex.status.value
    ex.view.selected = "v"
    assert [(s.a, s.b) for s in ex.steps] == [("B", "v")]
    assert ex.select("A") is None
    step = ex.select("(B·v)")
    assert step is not None and ex.done
    np.testing.assert_allclose(ex.result(), A @ B @ v)
    with pytest.raises(DiagramError, match="'Z'"):
        ex.select("Z")


def test_contraction_explorer_table_and_buttons_layout() -> None:
    d = tl.Diagram.from_einsum(
        "ij,jk,kl->il", np.ones((3, 4)), np.ones((4, 5)), np.ones((5, 2)), names=["A", "B", "C"]
    )
    ex = ContractionExplorer(d)
    assert "No contractions yet" in ex.stats.value and "<th" not in ex.stats.value
    for b in (ex.go, ex.undo_button, ex.reset_button, ex.best_button):
        assert b.layout.width == "auto"  # as wide as the text: no "Play the optim…"
    ex.contract("A", "B")
    assert "No contractions yet" not in ex.stats.value
    assert ex.stats.value.count("<th ") == 4 and "result size" in ex.stats.value
    assert f">{ex.steps[0].flops:,}</td>" in ex.stats.value


def test_a_graded_explorer_keeps_the_learners_moves_and_hides_the_optimal_order(
    tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("TENSORLESSONS_ANSWERS", str(tmp_path))
    A, B, v = RNG.normal(size=(3, 4)), RNG.normal(size=(4, 5)), RNG.normal(size=5)
    d = tl.Diagram.from_einsum("ij,jk,k->i", A, B, v, names=["A", "B", "v"])
    race = ContractionExplorer(d, key="06-race")
    assert race.graded and race.best_button not in race.children[3].children
    with pytest.raises(DiagramError, match="graded explorer"):
        race.play_optimal()
    race.view.selected = "A"  # clicks in the picture are saved like calls
    race.view.selected = "B"
    race.contract("(A·B)", "v")
    assert (tmp_path / "06-race.json").exists()
    # a kernel restart, or the graded cell rebuilding the diagram: the moves come back
    d2 = tl.Diagram.from_einsum("ij,jk,k->i", A, B, v, names=["A", "B", "v"])
    again = ContractionExplorer(d2, key="06-race", compute=False)
    assert again.moves == [("A", "B"), ("(A·B)", "v")] and again.done
    assert again.flops == race.flops > race.optimal.flops
    assert "replayed" in again.status.value
    again.undo()
    assert ContractionExplorer(d2, key="06-race").moves == [("A", "B")]
    again.reset()
    assert ContractionExplorer(d2, key="06-race").moves == []
    # moves that do not fit the diagram: start again, and say so
    (tmp_path / "06-race.json").write_text('{"moves": [["A", "Z"]]}')
    fresh = ContractionExplorer(d2, key="06-race")
    assert fresh.moves == [] and "'Z'" in fresh.load_error and "'Z'" in fresh.status.value
    # an ungraded explorer keeps its button and saves nothing
    free = ContractionExplorer(d2)
    assert not free.graded and free.best_button in free.children[3].children
