"""The diagram core on opt_einsum's and numpy's own einsum test expressions.

Every expression of the peers' test suites (tests/peer_einsum.py) is built into a Diagram
with random operands in several dtypes and checked against ``numpy.einsum`` in value and
dtype, then through the to_einsum, JSON, copy and equivalent round trips
(:func:`tensorlessons.testing.check_round_trips`). Where numpy refuses an expression the
diagram must refuse it too, with a DiagramError (or, for the one documented extension, an
explicit output without ``...``, agree with opt_einsum). Random einsum input, valid or
not (tensorlessons.testing.rand_einsum_input), is held to the same rule.
"""

from __future__ import annotations

import numpy as np
import opt_einsum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from peer_einsum import (
    NUMPY_EINSUM_CALLS,
    NUMPY_INVALID,
    NUMPY_OPTIMIZE_COMPARE,
    OPT_EINSUM_CONTRACT,
    OPT_EINSUM_EDGE_CASES,
    OPT_EINSUM_INPUT,
)

from tensorlessons import Diagram, DiagramError
from tensorlessons.testing import check_round_trips, operands_for, rand_einsum_input

EXPRESSIONS = list(
    dict.fromkeys(
        OPT_EINSUM_CONTRACT
        + OPT_EINSUM_INPUT
        + OPT_EINSUM_EDGE_CASES
        + NUMPY_OPTIMIZE_COMPARE
        + NUMPY_EINSUM_CALLS
    )
)
DTYPES = [np.float64, np.complex128, np.int64, np.bool_]
SIZES = {c: 2 + k % 3 for k, c in enumerate("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")}


def greek(expr: str) -> str:
    """opt_einsum's test_compare_greek: letters moved up by 848 (past numpy's 52)."""
    return "".join(chr(ord(c) + 848) if c not in ",->. " else c for c in expr)


def broadcast_variant(expr: str, arrays: list[np.ndarray]) -> list[np.ndarray] | None:
    """The same operands with one axis made size 1 where numpy broadcasts it: the first
    ellipsis dimension of the first term with an ellipsis, else the first letter of the
    first term that another term also has."""
    terms = expr.replace(" ", "").split("->")[0].split(",")
    for k, term in enumerate(terms):
        if "..." in term and arrays[k].ndim > len(term) - 3:
            axis = term.index("...")
            return [
                a[(slice(None),) * axis + (slice(0, 1),)] if j == k else a
                for j, a in enumerate(arrays)
            ]
    for k, term in enumerate(terms):
        for axis, c in enumerate(term):
            if term.count(c) == 1 and any(c in t for j, t in enumerate(terms) if j != k):
                return [
                    a[(slice(None),) * axis + (slice(0, 1),)] if j == k else a
                    for j, a in enumerate(arrays)
                ]
    return None


def outcome(expr: str, arrays: list[np.ndarray]) -> str:
    """'pass', 'refused: <reason>' or raise AssertionError (a failing case)."""
    oracle = np.einsum if all(c.isascii() for c in expr) else opt_einsum.contract
    try:
        expected = np.asarray(oracle(expr, *arrays))
    except Exception as exc:  # the peer refuses this input
        try:
            d = Diagram.from_einsum(expr, *arrays)
        except DiagramError as ours:
            assert repr(expr) in str(ours), f"the message does not quote the input: {ours}"
            return "refused: numpy refuses it too"
        # the documented extension: an explicit output without '...' sums the ellipsis legs
        assert "..." in expr and "..." not in expr.split("->")[1], (
            f"numpy refuses ({exc}); we accept"
        )
        check_round_trips(d, np.asarray(opt_einsum.contract(expr, *arrays)))
        return "pass (opt_einsum's reading; numpy refuses)"
    d = Diagram.from_einsum(expr, *arrays)
    check_round_trips(d, expected)
    return "pass"


CASES = [pytest.param(e, dt, id=f"{e}-{np.dtype(dt).name}") for e in EXPRESSIONS for dt in DTYPES]


@pytest.mark.parametrize("expr, dtype", CASES)
def test_peer_expression(expr: str, dtype: type) -> None:
    arrays = operands_for(expr, SIZES, ellipsis=(2, 3), seed=len(expr), dtype=dtype)
    assert outcome(expr, arrays).startswith(("pass", "refused"))


# numpy's check_einsum_sums runs its sums in every numeric dtype; so do these, on
# numpy's own expressions (tolerances for the narrow floats, exact for integers).
MORE_DTYPES = {
    np.float16: 1e-2,
    np.float32: 1e-4,
    np.complex64: 1e-4,
    np.longdouble: 1e-9,
    np.int8: 0,
    np.uint8: 0,
    np.int32: 0,
    np.uint16: 0,
}


@pytest.mark.parametrize("dtype", list(MORE_DTYPES), ids=lambda t: np.dtype(t).name)
@pytest.mark.parametrize("expr", NUMPY_EINSUM_CALLS)
def test_numpy_expression_in_more_dtypes(expr: str, dtype: type) -> None:
    arrays = operands_for(expr, SIZES, ellipsis=(2, 3), seed=len(expr), dtype=dtype)
    expected = np.einsum(expr, *arrays)
    d = Diagram.from_einsum(expr, *arrays)
    tol = MORE_DTYPES[dtype]
    check_round_trips(d, expected, rtol=tol, atol=tol)


@pytest.mark.parametrize("expr", OPT_EINSUM_CONTRACT)
def test_peer_expression_greek(expr: str) -> None:
    arrays = operands_for(expr, SIZES, seed=1)
    g = greek(expr)
    assert outcome(g, arrays) == "pass"
    assert Diagram.from_einsum(g, *arrays).to_einsum().split("->")[0] == g.split("->")[0]


BROADCAST = [
    e
    for e in EXPRESSIONS
    if broadcast_variant(e, operands_for(e, SIZES, ellipsis=(2, 3), seed=2)) is not None
]


@pytest.mark.parametrize("expr", BROADCAST)
def test_peer_expression_broadcast(expr: str) -> None:
    arrays = operands_for(expr, SIZES, ellipsis=(2, 3), seed=2)
    variant = broadcast_variant(expr, arrays)
    assert variant is not None
    assert outcome(expr, variant).startswith(("pass", "refused"))


NAMED_OPERANDS = {  # the arrays numpy's test writes as code, built here
    "arange(6).reshape(2, 3)": np.arange(6).reshape(2, 3),
    "ones((3, 3, 4, 5, 6))": np.ones((3, 3, 4, 5, 6)),
    "ones((3, 4, 5))": np.ones((3, 4, 5)),
}


def _operand(x: object) -> object:
    return NAMED_OPERANDS[x] if isinstance(x, str) else x


@pytest.mark.parametrize("expr, operands", NUMPY_INVALID)
def test_numpy_refusals_are_refused(expr: str, operands: list) -> None:
    arrays = [_operand(x) for x in operands]
    with pytest.raises(ValueError):
        np.einsum(expr, *arrays)
    with pytest.raises(DiagramError) as err:
        Diagram.from_einsum(expr, *arrays)
    assert repr(expr) in str(err.value)  # the message quotes the input
    if expr == "aabcb,abc":  # numpy's own check (gh-11221): the message names 'b'
        assert "'b'" in str(err.value)


# ---- random einsum input, valid or not: numpy decides (issue 13) ---------------------


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from([np.float64, np.int64, np.bool_, np.complex128]))
def test_random_einsum_input_follows_numpy(seed: int, dtype: type) -> None:
    expr, arrays = rand_einsum_input(np.random.default_rng(seed), dtype=dtype)
    try:
        expected = np.einsum(expr, *arrays)
    except ValueError:
        expected = None
    if expected is None:
        try:
            d = Diagram.from_einsum(expr, *arrays)
        except DiagramError as err:
            assert repr(expr) in str(err)
            return
        # the one documented extension: an explicit output without '...' sums those legs
        assert "..." in expr and "..." not in expr.split("->")[1], expr
        check_round_trips(d, np.asarray(opt_einsum.contract(expr, *arrays)))
        return
    check_round_trips(Diagram.from_einsum(expr, *arrays), expected)
