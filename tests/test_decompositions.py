"""Tests for tensorlessons.decompositions: diagram operations and decompositions.

Oracles: numpy (reshape, einsum, linalg) and, where installed, tensorly.
"""

from __future__ import annotations

import numpy as np
import pytest

import tensorlessons as tl
from tensorlessons import DiagramError
from tensorlessons.decompositions import (
    copy_tensor,
    dagger,
    diagonal,
    group_legs,
    grouping_tensor,
    hadamard,
    is_isometry,
    is_projector,
    is_unitary,
    split_leg,
)

RNG = np.random.default_rng(1234)


# ---- copy tensors --------------------------------------------------------------------


@pytest.mark.parametrize("dim,n_legs", [(1, 1), (3, 1), (3, 2), (2, 3), (4, 4)])
def test_copy_tensor_is_delta(dim: int, n_legs: int) -> None:
    got = copy_tensor(dim, n_legs).contract()
    idx = np.indices((dim,) * n_legs).reshape(n_legs, -1)
    expected = np.all(idx == idx[0], axis=0).astype(float).reshape((dim,) * n_legs)
    np.testing.assert_array_equal(got, expected)


def test_two_leg_copy_is_identity() -> None:
    np.testing.assert_array_equal(copy_tensor(5, 2).contract(), np.eye(5))


def test_diagonal_and_hadamard_match_numpy() -> None:
    v = RNG.normal(size=4)
    d = diagonal(v)
    np.testing.assert_allclose(d.contract(), np.diag(v))
    assert [t.kind for t in d] == ["tensor", "copy"]
    u, w = RNG.normal(size=(2, 3, 4)), RNG.normal(size=(2, 3, 4))
    np.testing.assert_allclose(hadamard(u, w).contract(), u * w)
    a, b = RNG.normal(size=5), RNG.normal(size=5)
    h = hadamard(a, b)
    np.testing.assert_allclose(h.contract(), a * b)
    assert sorted(h.wires()) == [("u:i", "copy:a"), ("v:i", "copy:b")]  # one copy tensor
    np.testing.assert_allclose(np.einsum(h.to_einsum(), *h.operands()), a * b)


def test_copy_errors_name_the_value() -> None:
    with pytest.raises(DiagramError, match="0"):
        copy_tensor(0)
    with pytest.raises(DiagramError, match=r"\(2, 2\)"):
        diagonal(np.ones((2, 2)))
    with pytest.raises(DiagramError, match=r"\(3,\).*\(4,\)"):
        hadamard(np.ones(3), np.ones(4))


# ---- grouping and splitting legs -------------------------------------------------------


@pytest.mark.parametrize(
    "legs,perm",
    [
        (["i", "j"], (0, 1, 2, 3)),
        (["j", "k"], (0, 1, 2, 3)),
        (["k", "i"], (2, 0, 1, 3)),
        (["i", "l"], (0, 3, 1, 2)),
        (["j", "l", "i"], (1, 3, 0, 2)),
    ],
)
def test_group_legs_is_a_reshape(legs: list[str], perm: tuple[int, ...]) -> None:
    A = RNG.normal(size=(2, 3, 4, 5))
    g = group_legs(A, legs)
    names = "ijkl"
    axes = [names.index(x) for x in legs]
    first = min(axes)
    rest_before = [k for k in range(4) if k not in axes and k < first]
    rest_after = [k for k in range(4) if k not in axes and k > first]
    order = rest_before + axes + rest_after
    shape = [A.shape[k] for k in rest_before] + [int(np.prod([A.shape[k] for k in axes]))]
    shape += [A.shape[k] for k in rest_after]
    np.testing.assert_array_equal(g.contract(), A.transpose(order).reshape(shape))
    assert len(g) == 1 and g.tensor("T").order == 4 - len(legs) + 1
    # the grouping tensor gives the same result
    gt = group_legs(A, legs, as_tensor=True)
    assert len(gt) == 2
    np.testing.assert_allclose(gt.contract(), g.contract())
    # splitting back restores the tensor
    back = split_leg(g, "".join(legs), [(x, A.shape[names.index(x)]) for x in legs])
    np.testing.assert_array_equal(back.contract(), A.transpose(order))


def test_group_open_legs_of_a_network_uses_a_grouping_tensor() -> None:
    A, B = RNG.normal(size=(2, 3)), RNG.normal(size=(3, 4))
    d = tl.Diagram.from_einsum("ij,jk->ik", A, B, names=["A", "B"])
    g = group_legs(d, ["A:i", "B:k"])
    assert "group" in g.names and g.shape == (8,)
    np.testing.assert_allclose(g.contract(), (A @ B).reshape(8))
    back = split_leg(g, 0, {"i": 2, "k": 4})
    assert tl.equivalent(back, d)
    assert d.names == ["A", "B"]  # input untouched


def test_grouping_tensor_is_unitary_between_split_and_grouped() -> None:
    R = grouping_tensor([2, 3, 2])
    assert is_unitary(R, legs_in=[0, 1, 2])
    assert is_unitary(R, legs_in=3)


def test_group_split_errors() -> None:
    A = np.ones((2, 3, 4))
    with pytest.raises(DiagramError, match="'q'"):
        group_legs(A, ["i", "q"])
    with pytest.raises(DiagramError, match="dimension 2.*multiply to 3"):
        split_leg(A, "i", [("a", 3)])
    with pytest.raises(DiagramError, match="twice"):
        group_legs(A, ["i", 0])
    d = tl.Diagram.from_einsum("ij,jk->ik", np.ones((2, 3)), np.ones((3, 4)))
    with pytest.raises(DiagramError, match="not an open leg"):
        group_legs(d, ["T0:j"])


# ---- isometries -----------------------------------------------------------------------


def test_isometry_checks_against_numpy() -> None:
    Q, _ = np.linalg.qr(RNG.normal(size=(6, 3)))
    assert is_isometry(Q) and not is_isometry(Q.T)
    assert is_isometry(Q.T, legs_in=0)
    assert not is_unitary(Q)
    P = Q @ Q.T
    assert is_projector(P) and not is_unitary(P)
    assert np.allclose(Q.T @ Q, np.eye(3))
    assert not is_projector(P + 1e-3)
    full, _ = np.linalg.qr(RNG.normal(size=(4, 4)))
    assert is_unitary(full)
    # a many-leg isometry: group legs (i, j) as the out side
    U = Q.reshape(2, 3, 3)
    assert is_isometry(U, legs_in="k")
    assert is_isometry(tl.Diagram.from_einsum("ijk->ijk", U), legs_in=["k"])
    # an oblique projector is not orthogonal
    E = np.array([[1.0, 1.0], [0.0, 0.0]])
    assert is_projector(E, orthogonal=False) and not is_projector(E)


def test_dagger_conjugates() -> None:
    U = RNG.normal(size=(3, 2)) + 1j * RNG.normal(size=(3, 2))
    d = dagger(U)
    np.testing.assert_allclose(d.contract(), U.conj())
    assert d.names == ["T†"]


# ---- decompositions ---------------------------------------------------------------------


def _lowrank_cp(shape: tuple[int, ...], rank: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    facs = [rng.normal(size=(n, rank)) for n in shape]
    letters = "ijkl"[: len(shape)]
    return np.einsum(",".join(f"{c}r" for c in letters) + "->" + letters, *facs)


@pytest.mark.parametrize("shape", [(5, 4), (4, 6), (3, 3)])
def test_svd_exact_and_eckart_young(shape: tuple[int, int]) -> None:
    M = RNG.normal(size=shape)
    d = tl.svd(M)
    assert d.names == ["U", "S", "V"]
    np.testing.assert_allclose(d.contract(), M, atol=1e-12)
    assert is_isometry(d["U"]) and is_isometry(d["V"])
    s = np.linalg.svd(M, compute_uv=False)
    np.testing.assert_allclose(d["S"], s)
    for r in range(1, min(shape) + 1):
        err = np.linalg.norm(M - tl.svd(M, rank=r).contract())
        np.testing.assert_allclose(err, np.sqrt(np.sum(s[r:] ** 2)), atol=1e-12)
    from tensorlessons.decompositions import truncation_errors

    np.testing.assert_allclose(
        truncation_errors(M),
        [
            np.linalg.norm(M - tl.svd(M, rank=r).contract()) if r else np.linalg.norm(M)
            for r in range(min(shape) + 1)
        ],
        atol=1e-12,
    )


@pytest.mark.parametrize("left", [1, 2, 3])
def test_svd_of_a_many_leg_tensor_restores_legs(left: int) -> None:
    T = RNG.normal(size=(2, 3, 4, 2))
    d = tl.svd(T, left=left)
    np.testing.assert_allclose(d.contract(), T, atol=1e-12)
    assert d.output == ["i", "j", "k", "l"]
    assert d["U"].shape[:-1] == T.shape[:left] and d["V"].shape[:-1] == T.shape[left:]
    s = np.linalg.svd(T.reshape(int(np.prod(T.shape[:left])), -1), compute_uv=False)
    err = np.linalg.norm(T - tl.svd(T, rank=2, left=left).contract())
    np.testing.assert_allclose(err, np.sqrt(np.sum(s[2:] ** 2)), atol=1e-12)


def test_svd_complex_matrix() -> None:
    M = RNG.normal(size=(4, 3)) + 1j * RNG.normal(size=(4, 3))
    np.testing.assert_allclose(tl.svd(M).contract(), M, atol=1e-12)


def test_decomposition_errors_name_the_value() -> None:
    M = np.ones((4, 3))
    with pytest.raises(DiagramError, match="rank = 4.*at most 3"):
        tl.svd(M, rank=4)
    with pytest.raises(DiagramError, match="got 0"):
        tl.svd(M, rank=0)
    with pytest.raises(DiagramError, match="left=2"):
        tl.svd(M, left=2)
    with pytest.raises(DiagramError, match=r"shape \(3,\)"):
        tl.svd(np.ones(3))
    with pytest.raises(DiagramError, match="'j'.*at most 3"):
        tl.tucker(np.ones((2, 3, 4)), ranks=(2, 5, 2))
    with pytest.raises(DiagramError, match=r"\[2, 2\].*3 legs"):
        tl.tucker(np.ones((2, 3, 4)), ranks=[2, 2])
    with pytest.raises(DiagramError, match="-1"):
        tl.cp(np.ones((2, 3)), rank=-1)
    with pytest.raises(DiagramError, match="2.5"):
        tl.mps(np.ones((2, 3)), max_bond=2.5)
    with pytest.raises(DiagramError, match="NaN"):
        tl.cp(np.full((2, 2), np.nan), rank=1)
    assert issubclass(DiagramError, ValueError)


@pytest.mark.parametrize("shape,rank", [((4, 5, 6), 2), ((6, 7, 8), 3), ((3, 4, 5, 3), 2)])
def test_cp_recovers_an_exactly_low_rank_tensor(shape: tuple[int, ...], rank: int) -> None:
    X = _lowrank_cp(shape, rank, seed=rank)
    d, info = tl.cp(X, rank, return_info=True)
    assert d.names[:-1] == list("ABCD"[: len(shape)]) and d.names[-1] == "w"
    rel = np.linalg.norm(X - d.contract()) / np.linalg.norm(X)
    assert rel < 1e-6, f"relative error {rel}"
    assert info.converged and info.iterations >= 1
    np.testing.assert_allclose(info.relative_error, rel, rtol=1e-6, atol=1e-12)
    for name in d.names[:-1]:
        np.testing.assert_allclose(np.linalg.norm(d[name], axis=0), 1.0)


def test_cp_random_init_and_seed_are_reproducible() -> None:
    X = RNG.normal(size=(3, 4, 5))
    a = tl.cp(X, 2, seed=3, init="random", max_iter=20)
    b = tl.cp(X, 2, seed=3, init="random", max_iter=20)
    np.testing.assert_array_equal(a.contract(), b.contract())


def test_tucker_full_rank_is_exact_and_factors_are_isometries() -> None:
    X = RNG.normal(size=(3, 4, 5))
    d = tl.tucker(X, ranks=(3, 4, 5))
    np.testing.assert_allclose(d.contract(), X, atol=1e-10)
    d2 = tl.tucker(X, ranks=2)
    for name in "ABC":
        assert is_isometry(d2[name])
    assert d2["G"].shape == (2, 2, 2)


def test_mps_exact_and_truncated_bonds() -> None:
    X = RNG.normal(size=(2, 3, 4, 3))
    d = tl.mps(X)
    np.testing.assert_allclose(d.contract(), X, atol=1e-12)
    for name in d.names[:-1]:
        assert is_isometry(d[name])  # left-canonical
    t = tl.mps(X, max_bond=2)
    bonds = [t[n].shape[-1] for n in t.names[:-1]]
    assert bonds == [2, 2, 2]
    from tensorlessons.decompositions import storage

    assert storage(t) == sum(t[n].size for n in t.names) == 2 * 2 + 2 * 3 * 2 + 2 * 4 * 2 + 2 * 3
    # first cut: exactly the Eckart-Young error of that cut
    s = np.linalg.svd(X.reshape(2, -1), compute_uv=False)
    one = tl.mps(X[:, :, :, 0], max_bond=1)
    assert one["A0"].shape == (2, 1)
    e = np.linalg.norm(X - tl.mps(X, max_bond=1).contract())
    assert e >= np.sqrt(np.sum(s[1:] ** 2)) - 1e-12


@pytest.mark.parametrize("method", ["svd", "cp", "tucker", "mps"])
def test_one_input_rule_for_all_decompositions(method: str) -> None:
    # issue 13: the same refusal from all four, a DiagramError quoting the shape
    decompose = getattr(tl, method)
    args = {"svd": (), "cp": (2,), "tucker": (2,), "mps": ()}[method]
    for bad in (np.arange(3.0), np.float64(2.0), np.ones((2, 0)), np.array([[1.0, np.nan]])):
        with pytest.raises(DiagramError, match=f"^{method}: "):
            decompose(bad, *args)


def test_rank_arguments_checked_at_the_door() -> None:
    X = RNG.normal(size=(3, 4, 5))
    with pytest.raises(DiagramError, match=r"cp: rank = 1000000 is too large: at most 12"):
        tl.cp(X, 10**6)  # no MemoryError: refused before anything is allocated
    with pytest.raises(DiagramError, match=r"tucker: ranks must be a positive integer or a list"):
        tl.tucker(X, "3")
    with pytest.raises(DiagramError, match=r"rank of leg 'i' must be a positive integer"):
        tl.tucker(X, [0, 2, 2])
    assert tl.cp(X, 12).tensor("w").dims == [12]  # the bound itself is accepted


# ---- against tensorly (the well-kept peer), as an oracle ----------------------------------

tensorly = pytest.importorskip("tensorly")


def test_tucker_error_within_5_percent_of_tensorly() -> None:
    from tensorly.decomposition import tucker as tl_tucker

    rng = np.random.default_rng(7)
    X = rng.normal(size=(8, 9, 10)) + 3 * _lowrank_cp((8, 9, 10), 3, seed=9)
    for ranks in [(2, 2, 2), (3, 4, 5), (6, 6, 6)]:
        ours = np.linalg.norm(X - tl.tucker(X, ranks).contract())
        core, factors = tl_tucker(tensorly.tensor(X), rank=list(ranks))
        theirs = np.linalg.norm(X - tensorly.tucker_to_tensor((core, factors)))
        assert ours <= 1.05 * theirs, (ranks, ours, theirs)


def test_mps_error_within_5_percent_of_tensorly() -> None:
    from tensorly.decomposition import tensor_train

    X = np.random.default_rng(8).normal(size=(3, 4, 5, 4, 3))
    for bond in [1, 2, 3, 5]:
        ours = np.linalg.norm(X - tl.mps(X, max_bond=bond).contract())
        tt = tensor_train(tensorly.tensor(X), rank=[1, bond, bond, bond, bond, 1])
        theirs = np.linalg.norm(X - tensorly.tt_to_tensor(tt))
        assert ours <= 1.05 * theirs, (bond, ours, theirs)


def test_cp_progress_never_writes_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    X = _lowrank_cp((4, 5, 6), 2, seed=5)
    tl.cp(X, 2, progress=True, max_iter=30)
    out, err = capsys.readouterr()
    assert err == ""
    assert "CP (ALS) iteration" in out  # outside a notebook, a text bar on stdout
    tl.cp(X, 2)  # default: quiet for a short fit
    out, err = capsys.readouterr()
    assert out == "" and err == ""


def test_fit_info_matches_the_diagram() -> None:
    X = RNG.normal(size=(5, 6, 7))
    for fit in (tl.tucker, tl.mps):
        d, info = fit(X, 2, return_info=True)
        np.testing.assert_allclose(info.error, np.linalg.norm(X - d.contract()))
        assert info.full_storage == X.size and info.storage == sum(d[n].size for n in d.names)
        assert info.compression == pytest.approx(X.size / info.storage)


# ---- property: grouping then splitting gives the tensor back -------------------------------

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=40, deadline=None)
@given(
    shape=st.lists(st.integers(1, 4), min_size=2, max_size=4),
    data=st.data(),
)
def test_group_then_split_round_trip(shape: list[int], data: st.DataObject) -> None:
    A = np.arange(float(np.prod(shape))).reshape(shape)
    legs = "ijkl"[: len(shape)]
    picked = data.draw(st.permutations(list(legs)))[: data.draw(st.integers(1, len(shape)))]
    as_tensor = data.draw(st.booleans())
    g = group_legs(A, picked, new_leg="g", as_tensor=as_tensor)
    assert g.shape[g.output.index("g")] == int(np.prod([shape[legs.index(x)] for x in picked]))
    back = split_leg(g, "g", [(x, shape[legs.index(x)]) for x in picked])
    order = [back.output.index(x) for x in legs]
    np.testing.assert_array_equal(np.transpose(back.contract(), order), A)


def test_cp_complex_and_the_cheap_error_formula(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(4)
    facs = [rng.normal(size=(n, 2)) + 1j * rng.normal(size=(n, 2)) for n in (4, 5, 6)]
    Z = np.einsum("ir,jr,kr->ijk", *facs)
    d, info = tl.cp(Z, 2, return_info=True)
    assert np.linalg.norm(Z - d.contract()) / np.linalg.norm(Z) < 1e-6
    # the error computed from norms (used for big tensors) agrees with the full one
    X = RNG.normal(size=(5, 6, 7)) + 1j * RNG.normal(size=(5, 6, 7))
    _, full = tl.cp(X, 3, max_iter=15, tol=0, return_info=True)
    import tensorlessons.decompositions as dec

    monkeypatch.setattr(dec, "_EXACT_ERROR_LIMIT", 0)
    _, cheap = tl.cp(X, 3, max_iter=15, tol=0, return_info=True)
    np.testing.assert_allclose(cheap.errors, full.errors, rtol=1e-6)


def test_grouping_the_legs_of_a_copy_tensor_attaches_a_grouping_tensor() -> None:
    g = group_legs(copy_tensor(3, 3), ["i", "j"])
    assert "group" in g.names
    np.testing.assert_array_equal(g.contract(), copy_tensor(3, 3).contract().reshape(9, 3))
    with pytest.raises(DiagramError, match="non-copy"):
        group_legs(copy_tensor(3, 3), ["i", "j"], as_tensor=False)


@pytest.mark.parametrize("order", [2, 3, 4, 5])
def test_cp_layout_shows_the_copy_tensor(order):
    # The shared bond r is drawn as a copy dot at the tensors' mean position: no tensor
    # (in particular not the weights w) may sit on it, or it looks like a Tucker core.
    from tensorlessons._render import _text_box, geometry

    X = np.random.default_rng(order).normal(size=(2,) * order)
    d = tl.cp(X, 2, max_iter=5)
    positions = [np.array(t.position) for t in d]
    for a in range(len(positions)):
        for b in range(a):
            assert np.linalg.norm(positions[a] - positions[b]) > 60
    (hyper,) = [w for w in geometry(d)["wires"] if w["kind"] == "hyper"]
    dot = np.array(hyper["dot"])
    assert np.allclose(dot, np.mean(positions, axis=0))
    for t in d:
        assert np.linalg.norm(np.array(t.position) - dot) > 60, t.name
    assert d.tensor("w").position[1] < dot[1]  # the weights above the dot
    if order > 3:
        return
    # no wire crosses the bond's label "r (2)" (drawn above-right of the dot)
    (x0, y0), (x1, y1) = _text_box(*hyper["label"], hyper.get("text", "r (2)"))
    for t in d:
        px, py = t.position
        for s in np.linspace(0, 1, 400):  # points along the wire from the dot to t
            x, y = dot[0] + s * (px - dot[0]), dot[1] + s * (py - dot[1])
            assert not (x0 <= x <= x1 and y0 <= y <= y1), (t.name, hyper["label"])
