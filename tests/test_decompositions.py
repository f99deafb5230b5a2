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
