"""The diagram core against numpy oracles, round trips, edits and bad input."""

from __future__ import annotations

import json

import numpy as np
import opt_einsum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from opt_einsum.testing import rand_equation

import tensorlessons as tl
from tensorlessons import Diagram, DiagramError, equivalent, testing
from tensorlessons.diagram import copy_array, difference

rng = np.random.default_rng(0)


def rand(*shape: int) -> np.ndarray:
    return rng.standard_normal(shape)


def snapshot(d: Diagram) -> str:
    return json.dumps(d.to_dict(), sort_keys=True)


# ---- numeric oracles ---------------------------------------------------------------


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("n_out", [0, 2])
def test_random_networks_match_einsum(seed: int, n_out: int) -> None:
    eq, shapes = rand_equation(6, 3, n_out=n_out, d_min=2, d_max=4, seed=seed)
    arrays = [rand(*s) for s in shapes]
    d = Diagram.from_einsum(eq, *arrays)
    expected = np.einsum(eq, *arrays)
    np.testing.assert_allclose(d.contract(), expected, rtol=1e-9, atol=1e-9)
    # the einsum string it gives back denotes the same tensor
    np.testing.assert_allclose(np.einsum(d.to_einsum(), *d.operands()), expected, atol=1e-9)
    # contracting again (cached plan) gives the same numbers
    np.testing.assert_allclose(d.contract(), expected, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize(
    "eq, shapes",
    [
        ("i,j->ij", [(3,), (4,)]),  # outer product
        ("ij,kl->ijkl", [(2, 3), (4, 5)]),  # tensor product of matrices
        ("i,i->", [(5,), (5,)]),  # dot product
        ("ij,j->i", [(3, 4), (4,)]),  # matrix-vector
        ("ij,jk->ik", [(3, 4), (4, 2)]),  # matrix-matrix
        ("ij,jk,kl,lm->im", [(2, 3), (3, 4), (4, 5), (5, 2)]),  # chain
        ("ii->", [(4, 4)]),  # trace
        ("ijj->i", [(2, 3, 3)]),  # partial trace
        ("ii->i", [(4, 4)]),  # diagonal
        ("ij->ji", [(2, 3)]),  # transpose
        ("ijk->kij", [(2, 3, 4)]),  # permutation
        ("i,i,i->i", [(3,), (3,), (3,)]),  # hyperedge: Hadamard of three
        ("i,i->i", [(3,), (3,)]),  # Hadamard
        ("bi,bj->bij", [(2, 3), (2, 4)]),  # batch leg
        ("ij->", [(3, 4)]),  # sum of all entries
        (",->", [(), ()]),  # scalars
        ("i,->i", [(3,), ()]),  # scaling by a scalar
        ("ij,jk,ki->", [(2, 3), (3, 4), (4, 2)]),  # trace of a product (a loop)
    ],
)
def test_paper_operations(eq: str, shapes: list[tuple[int, ...]]) -> None:
    arrays = [rand(*s) for s in shapes]
    d = Diagram.from_einsum(eq, *arrays)
    np.testing.assert_allclose(d.contract(), np.einsum(eq, *arrays), atol=1e-12)
    assert d.shape == np.einsum(eq, *arrays).shape


def test_implicit_output_follows_numpy() -> None:
    A, B = rand(2, 3), rand(3, 4)
    d = Diagram.from_einsum("ij,jk", A, B)
    assert d.output == ["i", "k"]
    np.testing.assert_allclose(d.contract(), np.einsum("ij,jk", A, B))


def test_trace_legs_get_primes_and_contract() -> None:
    A = rand(4, 4)
    d = Diagram.from_einsum("ii->", A, names=["A"])
    assert d.tensor("A").legs == ["i", "i'"]
    assert d.contract() == pytest.approx(np.trace(A))


def test_copy_tensor_operations() -> None:
    v, u, w = rand(3), rand(3), rand(3)
    # vector into a 3-leg copy tensor = diagonal matrix
    d = Diagram().add_tensor("v", v, legs=["i"]).add_copy("c", 3, 3)
    d.connect("v:i", "c:i")
    np.testing.assert_allclose(d.contract(), np.diag(v))
    # two vectors into one copy tensor = Hadamard product
    h = Diagram().add_tensor("u", u).add_tensor("w", w).add_copy("c", 3, 3)
    h.connect("u:i", "c:i").connect("w:i", "c:j")
    np.testing.assert_allclose(h.contract(), u * w)
    # a 2-leg copy tensor is a bare wire
    e = Diagram().add_tensor("u", u).add_copy("c", 3, 2).add_tensor("w", w)
    e.connect("u:i", "c:i").connect("c:j", "w:i")
    assert e.contract() == pytest.approx(u @ w)
    # a closed copy loop is its dimension
    loop = Diagram().add_copy("c", 5, 2)
    loop.connect("c:i", "c:j")
    assert loop.contract() == pytest.approx(5.0)
    # explicit copy tensors evaluate like their arrays
    for diag in (d, h, e, loop):
        np.testing.assert_allclose(np.einsum(diag.to_einsum(), *diag.operands()), diag.contract())


def test_copy_tensor_with_repeated_output_is_materialized() -> None:
    d = Diagram().add_copy("c", 3, 3)
    np.testing.assert_array_equal(d.contract(), copy_array(3, 3))


# ---- round trips -----------------------------------------------------------------------

eqs = st.integers(min_value=0, max_value=10_000).flatmap(
    lambda seed: st.tuples(
        st.just(seed),
        st.integers(min_value=2, max_value=5),
        st.integers(min_value=0, max_value=3),
    )
)


@settings(max_examples=60, deadline=None)
@given(eqs)
def test_einsum_round_trip(params: tuple[int, int, int]) -> None:
    seed, n, n_out = params
    eq, shapes = rand_equation(n, 2, n_out=n_out, d_min=1, d_max=3, seed=seed)
    arrays = [np.random.default_rng(seed).standard_normal(s) for s in shapes]
    d = Diagram.from_einsum(eq, *arrays)
    again = Diagram.from_einsum(d.to_einsum(), *d.operands(), names=d.names)
    assert equivalent(d, again)
    np.testing.assert_allclose(again.contract(), d.contract(), atol=1e-10)


arrays_st = st.sampled_from([np.float64, np.float32, np.int64, np.complex128]).flatmap(
    lambda dt: st.lists(st.integers(1, 3), min_size=0, max_size=3).map(
        lambda shape: np.arange(int(np.prod(shape)), dtype=dt).reshape(shape) * 3 - 1
    )
)


@settings(max_examples=60, deadline=None)
@given(st.lists(arrays_st, min_size=1, max_size=4), st.randoms(use_true_random=False))
def test_json_round_trip_is_exact(arrs: list[np.ndarray], r) -> None:
    d = Diagram()
    for k, a in enumerate(arrs):
        d.add_tensor(f"T{k}", a, position=(r.uniform(-500, 500), r.uniform(-500, 500)))
    # join some compatible open legs
    opens = d.open_legs()
    for a in opens:
        for b in opens:
            if a < b and a.split(":")[0] != b.split(":")[0] and d.dim(a) == d.dim(b):
                if d.label_of(a) in d.output and d.label_of(b) in d.output:
                    d.connect(a, b)
                    break
    d.add_copy("c", 2, 3)
    text = d.to_json()
    back = Diagram.from_json(text)
    assert back.to_json() == text
    for t in d:
        assert back.tensor(t.name).position == t.position
        if t.kind == "tensor":
            assert back[t.name].dtype == t.array.dtype
            np.testing.assert_array_equal(back[t.name], t.array)


# ---- editing -------------------------------------------------------------------------------


def test_edit_sequence_matches_numpy() -> None:
    A, B, v = rand(2, 3), rand(3, 4), rand(4)
    d = Diagram().add_tensor("A", A, legs=["i", "j"]).add_tensor("B", B, legs=["j", "k"])
    assert d.shape == (2, 3, 3, 4)  # unconnected: outer product
    d.connect("A:j", "B:j")
    np.testing.assert_allclose(d.contract(), A @ B)
    d.add_tensor("v", v, legs=["k"])
    d.connect("B:k", "v:k")
    np.testing.assert_allclose(d.contract(), A @ B @ v)
    d.cut("B:k", "v:k")
    np.testing.assert_allclose(d.contract(), np.einsum("ij,jk,l->ikl", A, B, v))
    d.remove_tensor("v")
    np.testing.assert_allclose(d.contract(), A @ B)
    d.rename_tensor("A", "M").rename_leg("M:i", "row")
    assert d.output[0] == "row"
    d.set_array("M", 2 * A)
    np.testing.assert_allclose(d.contract(), 2 * A @ B)
    d.set_output(list(reversed(d.output)))
    np.testing.assert_allclose(d.contract(), (2 * A @ B).T)


def test_removing_a_tensor_opens_its_neighbours_legs() -> None:
    d = Diagram.from_einsum("ij,jk->ik", rand(2, 3), rand(3, 4), names=["A", "B"])
    d.remove_tensor("B")
    assert d.open_legs() == ["A:i", "A:j"]
    assert d.shape == (2, 3)


def test_observers_hear_every_edit() -> None:
    heard: list[str] = []
    d = Diagram.from_einsum("i,i->", rand(3), rand(3), names=["u", "v"])
    d.observe(lambda diagram, what: heard.append(what))
    d.cut("u:i", "v:i")
    d.move("u", 10, 20)
    d.connect("u:i", "v:i")
    assert heard == ["cut", "move", "connect"]


def test_cost_reports_order_and_sizes() -> None:
    A, B, v = np.ones((50, 50)), np.ones((50, 50)), np.ones(50)
    d = Diagram.from_einsum("ij,jk,k->i", A, B, v, names=["A", "B", "v"])
    best = d.cost("optimal")
    info = opt_einsum.contract_path("ij,jk,k->i", A, B, v, optimize="optimal")[1]
    assert best.flops == int(info.opt_cost)
    assert best.largest_intermediate == int(info.largest_intermediate)
    assert best.steps[0] == "B · v"
    assert best.naive_flops > best.flops


BAD_EDITS = [
    ("connect", ("A:i", "B:k")),  # dimensions differ (2 vs 4)
    ("connect", ("A:x", "B:k")),  # unknown leg
    ("connect", ("Z:i", "B:k")),  # unknown tensor
    ("connect", ("A:i", "A:i")),  # itself
    ("connect", ("Ai", "B:k")),  # malformed leg reference
    ("cut", ("A:i",)),  # nothing to cut
    ("cut", ("A:j", "A:i")),  # not joined
    ("add_tensor", ("A", np.ones(2))),  # duplicate name
    ("add_tensor", ("C", np.array(["a", "b"]))),  # non-numeric
    ("add_tensor", ("C", np.ones((2, 2)), ["p"])),  # leg count
    ("add_tensor", ("C", np.ones((2, 2)), ["p", "p"])),  # repeated legs
    ("add_tensor", ("C:D", np.ones(2))),  # bad name
    ("add_tensor", ("C", np.ones(3), ["p"], None, ["i"])),  # index dimension differs
    ("rename_tensor", ("A", "B")),
    ("rename_leg", ("A:i", "j")),
    ("set_array", ("A", np.ones((2, 5)))),  # joined leg j has dimension 3
    ("set_array", ("A", np.ones(2))),  # wrong number of axes
    ("set_output", (["i", "i"],)),
    ("set_output", (["zz"],)),
    ("move", ("A", float("nan"), 0.0)),
    ("add_copy", ("c", 0)),
    ("remove_tensor", ("nope",)),
]


@pytest.mark.parametrize("method, args", BAD_EDITS, ids=[f"{m}{a!r}"[:60] for m, a in BAD_EDITS])
def test_refused_edits_raise_and_change_nothing(method: str, args: tuple) -> None:
    d = Diagram.from_einsum("ij,jk->ik", rand(2, 3), rand(3, 4), names=["A", "B"])
    before, version = snapshot(d), d.version
    with pytest.raises(DiagramError) as err:
        getattr(d, method)(*args)
    assert isinstance(err.value, ValueError)
    assert snapshot(d) == before
    assert d.version == version
    assert len(str(err.value)) > 20


def test_dimension_error_names_legs_and_dimensions() -> None:
    d = Diagram.from_einsum("ij,kl->ijkl", rand(2, 3), rand(4, 5), names=["A", "B"])
    with pytest.raises(DiagramError, match=r"'A:j' \(dimension 3\).*'B:k' \(dimension 4\)"):
        d.connect("A:j", "B:k")


def test_grouped_edits_are_all_or_nothing() -> None:
    d = Diagram.from_einsum("ij,jk->ik", rand(2, 3), rand(3, 4), names=["A", "B"])
    before = snapshot(d)
    with pytest.raises(DiagramError), d.edits():
        d.cut("A:j", "B:j")
        d.rename_tensor("A", "C")
        d.connect("C:i", "B:k")  # 2 vs 4
    assert snapshot(d) == before
    np.testing.assert_allclose(d.contract(), d["A"] @ d["B"])


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ("ij,jk->ik", np.ones((2, 3)), np.ones((4, 5))),
            r"leg 'j' has dimension 4 on tensor 'T1' but 3",
        ),
        (("ij,jk->ik", np.ones((2, 3))), r"2 term\(s\).*1 array"),
        (("i->i", np.ones(2), np.ones(2)), r"1 term\(s\).*2 array"),
        (("ij->iz", np.ones((2, 3))), r"output leg 'z' is on no tensor"),
        (("ij->ii", np.ones((2, 3))), r"repeated in 'ii'"),
        (("ijk->i", np.ones((2, 3))), r"3 leg\(s\) but its array has 2 axes, shape \(2, 3\)"),
        (("ij->i->j", np.ones((2, 3))), r"more than one '->'"),
        (("i1->i", np.ones((2, 3))), r"only letters"),
        (("..i->i", np.ones((2, 3))), r"'\.' that is not one '\.\.\.' ellipsis"),
        (("...ij->i", np.ones(2)), r"2 or more leg\(s\) but its array has 1 axes"),
        (("ii->i", np.ones((1, 3))), r"'i' is repeated on tensor 'T0' with dimensions 1 and 3"),
        (("i->i", np.array(["x", "y"])), r"must be numbers.*dtype <U1"),
        (("i->i", [object(), object()]), r"must be numbers"),
    ],
)
def test_bad_einsum_input(args: tuple, message: str) -> None:
    with pytest.raises(DiagramError, match=message) as err:
        Diagram.from_einsum(*args)
    assert repr(args[0]) in str(err.value)  # the message quotes the input


@pytest.mark.parametrize(
    "args, message",
    [
        ((np.ones(2), [0.5], [0]), r"subscripts of operand 0 \[0\.5\] has 0\.5"),
        ((np.ones(2), "a"), r"must be a list of integer subscripts"),
        ((np.ones(2), [True]), r"has True"),
        ((np.ones(2), [0], [[1]]), r"the output \[\[1\]\] has \[1\]"),
        ((None,), r"must be a string \(or the interleaved form"),
    ],
)
def test_bad_interleaved_input(args: tuple, message: str) -> None:
    with pytest.raises(DiagramError, match=message):
        Diagram.from_einsum(*args)


def test_bad_names_argument() -> None:
    with pytest.raises(DiagramError, match="repeated"):
        Diagram.from_einsum("i,i->", np.ones(2), np.ones(2), names=["A", "A"])
    with pytest.raises(DiagramError, match="1 name"):
        Diagram.from_einsum("i,i->", np.ones(2), np.ones(2), names=["A"])


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        '{"format": "something else"}',
        '{"format": "tensorlessons.diagram", "version": 99, "tensors": [], "output": []}',
        '{"format": "tensorlessons.diagram", "version": 1, "tensors": [{"name": "A"}], "output": []}',
        '{"format": "tensorlessons.diagram", "version": 1, "tensors": [{"name": "A", "legs": '
        '[{"name": "i", "index": "i", "dim": 2}], "array": {"dtype": "<f8", "shape": [3], '
        '"data": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}}], "output": ["i"]}',
        '{"format": "tensorlessons.diagram", "version": 1, "tensors": [], "output": ["q"]}',
    ],
)
def test_malformed_json(text: str) -> None:
    with pytest.raises(DiagramError, match="diagram"):
        Diagram.from_json(text)


# ---- equivalence -------------------------------------------------------------------------


def test_orientation_has_no_meaning() -> None:
    A, b = rand(3, 2), rand(2)
    Ab = Diagram.from_einsum("ij,j->i", A, b, names=["A", "b"])
    bAt = Diagram.from_einsum("j,ij->i", b, A, names=["b", "A"])
    bAt.move("A", -300, 40)
    assert equivalent(Ab, bAt)
    np.testing.assert_allclose(Ab.contract(), bAt.contract())


def test_equivalence_sees_structure_not_values() -> None:
    A, B = rand(3, 3), rand(3, 3)
    AB = Diagram.from_einsum("ij,jk->ik", A, B, names=["A", "B"])
    BA = Diagram.from_einsum("ij,jk->ik", B, A, names=["B", "A"])
    transposed = Diagram.from_einsum("ij,jk->ki", A, B, names=["A", "B"])
    assert not equivalent(AB, BA)
    assert not equivalent(AB, transposed)
    assert "in another order" in (difference(AB, transposed) or "")
    # renaming indices and legs changes nothing
    renamed = Diagram.from_einsum("ab,bc->ac", A, B, names=["A", "B"])
    assert equivalent(AB, renamed)


def test_equivalence_folds_copy_tensors() -> None:
    u, w = rand(3), rand(3)
    hyper = Diagram.from_einsum("i,i->i", u, w, names=["u", "w"])
    explicit = Diagram().add_tensor("u", u).add_tensor("w", w).add_copy("c", 3, 3)
    explicit.connect("u:i", "c:i").connect("w:i", "c:j")
    assert equivalent(hyper, explicit)
    wire = Diagram().add_tensor("u", u).add_copy("c", 3, 2).add_tensor("w", w)
    wire.connect("u:i", "c:i").connect("c:j", "w:i")
    assert equivalent(wire, Diagram.from_einsum("i,i->", u, w, names=["u", "w"]))
    loop2 = Diagram().add_copy("c", 2, 2).connect("c:i", "c:j")
    loop3 = Diagram().add_copy("c", 3, 2).connect("c:i", "c:j")
    assert not equivalent(loop2, loop3)


def test_difference_names_missing_tensors_and_shapes() -> None:
    A, B = rand(2, 3), rand(3, 4)
    ref = Diagram.from_einsum("ij,jk->ik", A, B, names=["A", "B"])
    assert "missing" in difference(ref, Diagram.from_einsum("ij->ij", A, names=["A"]))
    wrong = Diagram.from_einsum("ij,kj->ik", A, B.T, names=["A", "B"])
    assert "shape" in difference(ref, wrong)
    cut = ref.copy().cut("A:j", "B:j")
    assert "open leg" in difference(ref, cut)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 5000))
def test_equivalent_diagrams_agree_numerically(seed: int) -> None:
    eq, shapes = rand_equation(4, 2, n_out=1, d_min=2, d_max=3, seed=seed)
    r = np.random.default_rng(seed)
    arrays = [r.standard_normal(s) for s in shapes]
    d = Diagram.from_einsum(eq, *arrays)
    perm = list(r.permutation(len(arrays)))
    terms = eq.split("->")[0].split(",")
    shuffled = Diagram.from_einsum(
        ",".join(terms[k] for k in perm) + "->" + eq.split("->")[1],
        *[arrays[k] for k in perm],
        names=[f"T{k}" for k in perm],
    )
    assert equivalent(d, shuffled)
    np.testing.assert_allclose(d.contract(), shuffled.contract(), atol=1e-10)


# ---- pictures and code --------------------------------------------------------------------


def test_svg_escapes_names_and_marks_elements() -> None:
    evil = "<img src=x onerror=alert(1)>"
    d = Diagram().add_tensor(evil, np.ones((2, 2)), legs=["a&b", "<i>"])
    d.add_tensor("B", np.ones(2))
    d.connect(f"{evil}:a&b", "B:i")
    svg = d.to_svg()
    assert "<img" not in svg and "&lt;img src=x onerror=alert(1)&gt;" in svg
    assert 'data-tensor="&lt;img' in svg
    assert "data-wire=" in svg and 'data-leg="&lt;img src=x onerror=alert(1)&gt;:&lt;i&gt;"' in svg
    import xml.etree.ElementTree as ET

    ET.fromstring(svg)  # well-formed


def test_every_leg_is_drawn_once() -> None:
    from tensorlessons._render import geometry

    d = Diagram.from_einsum("ij,jkl,ll,m->ikm", rand(2, 3), rand(3, 4, 5), rand(5, 5), rand(6))
    g = geometry(d)
    drawn = [ref for w in g["wires"] for ref in w["legs"]] + [s["ref"] for s in g["stubs"]]
    every = [f"{t.name}:{leg}" for t in d for leg in t.legs]
    assert sorted(drawn) == sorted(every)


def test_code_and_tikz_rebuild_the_diagram() -> None:
    d = Diagram.from_einsum("ij,jk,k->i", rand(2, 3), rand(3, 4), rand(4), names=["A", "B", "v"])
    d.add_copy("c", 2, 2).connect("A:i", "c:i")
    ns: dict = {}
    exec(d.to_code(), ns)
    rebuilt = ns["d"]
    assert equivalent(rebuilt, d)
    np.testing.assert_array_equal(rebuilt.contract(), d.contract())
    assert [t.position for t in rebuilt] == [t.position for t in d]
    tikz = d.to_tikz()
    assert tikz.count("\\node[tensor]") == 3 and "\\begin{tikzpicture}" in tikz


def test_auto_layout_has_no_overlaps() -> None:
    eq, shapes = rand_equation(30, 3, seed=1, d_min=2, d_max=2)
    d = Diagram.from_einsum(eq, *[np.ones(s) for s in shapes])
    pts = np.array([t.position for t in d])
    dist = np.linalg.norm(pts[:, None] - pts[None], axis=-1) + np.eye(len(pts)) * 1e9
    assert dist.min() >= 80


def test_chain_is_laid_out_in_a_row() -> None:
    d = Diagram.from_einsum("ij,jk,kl,lm->im", *[rand(2, 2)] * 4, names=list("ABCD"))
    ys = {t.position[1] for t in d}
    xs = [t.position[0] for t in d]
    assert len(ys) == 1 and xs == sorted(xs)


def test_import_is_light() -> None:
    import subprocess
    import sys

    code = (
        "import sys, tensorlessons; print('ipywidgets' in sys.modules, 'anywidget' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_lazy_names_resolve() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        tl.nope  # noqa: B018


def test_cut_then_connect_gives_back_the_same_einsum():
    rng = np.random.default_rng(5)
    A, B = rng.normal(size=(2, 3)), rng.normal(size=(3, 4))
    d = Diagram.from_einsum("ij,jk->ik", A, B, names=["A", "B"])
    d.cut("A:j", "B:j")
    d.connect("A:j", "B:j")
    assert d.to_einsum() == "ij,jk->ik"
    np.testing.assert_allclose(d.contract(), A @ B)


def test_restore_replaces_contents_in_place() -> None:
    A, B = rand(2, 3), rand(3, 4)
    d = Diagram.from_einsum("ij,jk->ik", A, B, names=["A", "B"])
    np.testing.assert_allclose(d.contract(), A @ B)  # fills the contraction caches
    before = d.copy()
    pos = {t.name: t.position for t in before}
    d.cut("A:j", "B:j").move("A", 500, 7)
    heard: list[str] = []
    d.observe(lambda diagram, what: heard.append(what))
    assert d.restore(before) is d
    assert heard == ["restore"]
    assert {t.name: t.position for t in d} == pos
    assert d.output == before.output
    np.testing.assert_allclose(d.contract(), A @ B)  # caches were dropped
    d.move("B", 1, 1)  # a copy: editing d leaves `before` alone
    assert before.tensor("B").position == pos["B"]
    with pytest.raises(DiagramError, match="restore"):
        d.restore("ij->")  # type: ignore[arg-type]


# ---- reading never lays out (issue 11) ---------------------------------------------


def test_reading_never_lays_out(monkeypatch: pytest.MonkeyPatch) -> None:
    import tensorlessons._layout as layout_module

    real = layout_module.layout
    calls: list[int] = []

    def counting(d: Diagram) -> dict:
        calls.append(len(d))
        return real(d)

    monkeypatch.setattr(layout_module, "layout", counting)
    arrays = [rand(3, 3) for _ in range(4)]
    d1 = Diagram.from_einsum("ab,bc,cd,da->", *arrays, names=list("PQRS"))
    d2 = Diagram.from_einsum("cd,da,ab,bc->", *arrays[2:], *arrays[:2], names=list("RSPQ"))
    # every way of reading, computing and comparing
    assert [t.name for t in d1] == list("PQRS") and d1.tensor("P").legs == ["a", "b"]
    assert equivalent(d1, d2) and difference(d1, d2) is None
    data, text, c = d1.to_dict(), d1.to_json(), d1.copy()
    d1.contract(), d1.cost(), d1.to_einsum(), d1.operands(), d1.wires(), d1.labels()
    assert calls == []
    # the JSON says "not laid out yet"; restored and copied diagrams lay out alike on demand
    assert {t["position"] is None for t in data["tensors"]} == {True}
    back = Diagram.from_json(text)
    pictures = [x.tensor("Q").position for x in (d1, c, back)]
    assert calls == [4, 4, 4] and pictures[0] == pictures[1] == pictures[2] != (0.0, 0.0)
    # once laid out, positions are written out and read back exactly
    assert Diagram.from_json(d1.to_json()).tensor("Q").position == pictures[0]


def test_edits_lay_out_the_structure_they_start_from() -> None:
    # a pending layout is settled before an edit changes the structure (as drawn first)
    A, B = rand(2, 3), rand(3, 4)
    cut_first = Diagram.from_einsum("ij,jk->ik", A, B).cut("T0:j")
    drawn_first = Diagram.from_einsum("ij,jk->ik", A, B)
    [t.position for t in drawn_first]
    drawn_first.cut("T0:j")
    assert [t.position for t in cut_first] == [t.position for t in drawn_first]
    # a refused edit inside edits() leaves the layout state as it was
    d = Diagram.from_einsum("ij,jk->ik", A, B)
    with pytest.raises(DiagramError), d.edits():
        d.remove_tensor("T0")
        d.connect("T1:k", "T1:nope")
    assert d.to_dict()["tensors"][0]["position"] is None and d.names == ["T0", "T1"]


# ---- einsum parity with numpy and opt_einsum (issue 13) -----------------------------


def test_ellipsis_legs_are_named_and_given_back() -> None:
    A, B = rand(5, 1, 2, 3), rand(6, 3, 4)
    d = Diagram.from_einsum("...ij,...jk->...ik", A, B, names=["A", "B"])
    assert d.tensor("A").legs == ["...0", "...1", "i", "j"]
    assert d.tensor("B").legs == ["...1", "j", "k"] and d.shape == (5, 6, 2, 4)
    assert d.to_einsum() == "...ij,...jk->...ik"
    testing.check_round_trips(d, np.einsum("...ij,...jk->...ik", A, B))
    # once the legs no longer line up as an ellipsis, explicit symbols are written
    d.set_output(list(reversed(d.output)))
    assert "..." not in d.to_einsum()
    testing.check_round_trips(d)
    # an explicit output without '...' sums the ellipsis legs (opt_einsum's reading)
    s = Diagram.from_einsum("...i->i", rand(2, 3, 4))
    np.testing.assert_allclose(s.contract(), opt_einsum.contract("...i->i", s["T0"]))


def test_size_one_dimensions_broadcast_as_in_numpy() -> None:
    A, B = rand(2, 1), rand(3, 4)
    d = Diagram.from_einsum("ij,jk", A, B)
    assert d.tensor("T0").dims == [2, 3] and d["T0"].base is not None  # a view, no copy
    testing.check_round_trips(d, np.einsum("ij,jk", A, B))
    # edits do not broadcast: joining dimensions 1 and 3 is refused
    e = Diagram.from_arrays({"u": np.ones(1), "v": np.ones(3)})
    with pytest.raises(DiagramError, match="dimensions differ"):
        e.connect("u:i", "v:i")


def test_interleaved_form() -> None:
    A, B = rand(2, 3), rand(3, 4)
    d = Diagram.from_einsum(A, [0, 1], B, [1, 2], [0, 2], names=["A", "B"])
    assert d.to_einsum() == "ab,bc->ac" and d.wires() == [("A:b", "B:b")]
    testing.check_round_trips(d, np.einsum(A, [0, 1], B, [1, 2], [0, 2]))
    e = Diagram.from_einsum(A, [Ellipsis, 1], B, [1, 2], [Ellipsis, 2])
    testing.check_round_trips(e, np.einsum(A, [Ellipsis, 1], B, [1, 2], [Ellipsis, 2]))


@pytest.mark.parametrize("size", [(3, 3), (4, 4)])
def test_peps_round_trips_past_52_indices(size: tuple[int, int]) -> None:
    eq, arrays = testing.peps(*size)
    d = Diagram.from_einsum(eq, *arrays)
    assert len(d.labels()) == {(3, 3): 33, (4, 4): 64}[size]
    assert d.to_einsum() == eq  # opt_einsum's symbols, both ways
    testing.check_round_trips(d, opt_einsum.contract(eq, *arrays), rtol=1e-6)


@pytest.mark.parametrize("seed", range(3))
def test_rand_equation_past_52_indices_round_trips(seed: int) -> None:
    eq, shapes = testing.rand_equation(22, 5, n_out=2, d_min=2, d_max=2, seed=seed)
    assert len(set(eq) - set(",->")) > 52
    arrays = testing.rand_arrays(shapes, seed=seed)
    d = Diagram.from_einsum(eq, *arrays)
    assert d.to_einsum() == eq
    testing.check_round_trips(d, opt_einsum.contract(eq, *arrays), rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.bool_, np.int8, np.int64, np.float32, np.complex64])
@pytest.mark.parametrize("closed", [False, True])
def test_dtype_follows_numpy_with_copy_tensors(dtype: type, closed: bool) -> None:
    arrays = testing.rand_arrays([(3,), (3, 2)], seed=4, dtype=dtype)
    d = Diagram.from_arrays({"a": arrays[0], "B": arrays[1]}).add_copy("c", 3, 3)
    d.connect("a:i", "c:i").connect("B:i", "c:j")
    if closed:  # the copy tensor's third leg summed over, plus a closed copy loop
        d.add_copy("loop", 2, 2).connect("loop:i", "loop:j")
        d.set_output([d.label_of("B:j")])
    expected = np.einsum(d.to_einsum(), *d.operands())
    assert d.contract().dtype == expected.dtype == np.result_type(*arrays)
    testing.check_round_trips(d, expected)


# ---- inputs checked at the door (issue 13) ------------------------------------------


def test_huge_copy_dimensions_refused_at_the_door() -> None:
    d = Diagram.from_arrays({"A": rand(2, 2)})
    before = snapshot(d)
    for dim, message in [(2**62, r"dimension 4611686018427387904 is too large"), (0, "positive")]:
        with pytest.raises(DiagramError, match=message):
            d.add_copy("c", dim)
        assert snapshot(d) == before
    with pytest.raises(DiagramError, match="n_legs must be an integer from 1 to 64"):
        d.add_copy("c", 2, n_legs=True)
    with pytest.raises(DiagramError, match=r"position must be finite, got \(nan, 0\)"):
        d.add_tensor("B", rand(2), position=(float("nan"), 0))
    assert snapshot(d) == before


def test_cost_counts_copy_tensors_without_building_them() -> None:
    # three open legs of one copy tensor: the result is its own (diagonal) delta array,
    # 10**12 entries that cost() counts without making, and contract() refuses to make
    d = Diagram().add_copy("c", 10**4, n_legs=3)
    cost = d.cost()
    assert cost.naive_flops >= 10**12 and cost.largest_intermediate == 10**12
    with pytest.raises(DiagramError, match=r"copy tensor 'c'.*1e\+12 entries"):
        d.contract()
    small = Diagram().add_copy("c", 3, n_legs=3)
    assert small.cost().flops == opt_einsum.contract_path("ijk->ijk", copy_array(3, 3))[1].opt_cost


def _json_with(change) -> str:  # type: ignore[no-untyped-def]
    d = Diagram.from_arrays({"A": np.arange(6.0).reshape(2, 3)}).add_copy("c", 2, n_legs=2)
    data = d.to_dict()
    change(data)
    return json.dumps(data)


@pytest.mark.parametrize(
    "change, field, message",
    [
        (
            lambda x: x["tensors"][1]["legs"][0].update(dim=-3),
            r"tensors\[1\]\.legs\[0\]\.dim",
            "positive",
        ),
        (
            lambda x: x["tensors"][1]["legs"][0].update(dim=0),
            r"tensors\[1\]\.legs\[0\]\.dim",
            "positive",
        ),
        (
            lambda x: x["tensors"][1]["legs"][0].update(dim=2**70),
            r"tensors\[1\]\.legs\[0\]\.dim",
            "too large",
        ),
        (lambda x: x["tensors"][1]["legs"][1].update(dim=3), r"tensors\[1\]\.legs", "unequal"),
        (
            lambda x: x["tensors"][0].update(position=["nan", 0]),
            r"tensors\[0\]\.position",
            "finite",
        ),
        (lambda x: x["tensors"][0].update(position=[1]), r"tensors\[0\]\.position", "two finite"),
        (
            lambda x: x["tensors"][0].update(kind="matrix"),
            r"tensors\[0\]\.kind",
            "'tensor' or 'copy'",
        ),
        (
            lambda x: x["tensors"][0].update(extra=1),
            r"tensors\[0\]",
            r"unknown field\(s\) \['extra'\]",
        ),
        (lambda x: x["tensors"][0].pop("legs"), r"tensors\[0\]", r"missing field\(s\) \['legs'\]"),
        (
            lambda x: x["tensors"][0]["legs"][0].update(name="a:b"),
            r"tensors\[0\]\.legs\[0\]\.name",
            "':'",
        ),
        (
            lambda x: x["tensors"][0]["legs"][0].update(dim=True),
            r"tensors\[0\]\.legs\[0\]\.dim",
            "integer",
        ),
        (
            lambda x: x["tensors"][0]["array"].update(dtype="O"),
            r"tensors\[0\]\.array\.dtype",
            "numeric",
        ),
        (
            lambda x: x["tensors"][0]["array"].update(dtype="<f4"),
            r"tensors\[0\]\.array\.data",
            "48 bytes, expected 24",
        ),
        (
            lambda x: x["tensors"][0]["array"].update(shape=[3, 2]),
            r"tensors\[0\]\.array\.shape",
            "leg dims",
        ),
        (
            lambda x: x["tensors"][0]["array"].update(data="@@"),
            r"tensors\[0\]\.array\.data",
            "base64",
        ),
        (lambda x: x["tensors"][1].update(name=""), r"tensors\[1\]\.name", "non-empty"),
        (lambda x: x.update(output=["i", 3]), "output", "list of index labels"),
        (lambda x: x.update(output=["nope"]), "output", "on no tensor"),
        (lambda x: x.update(version=True), "version", "unsupported"),
    ],
)
def test_from_json_names_the_bad_field(change, field: str, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DiagramError, match=f"not a tensorlessons diagram: {field}: .*{message}"):
        Diagram.from_json(_json_with(change))


def test_to_json_is_strict_and_from_json_refuses_nan() -> None:
    d = Diagram.from_arrays({"A": np.array([np.nan, np.inf])})  # values may be NaN: base64
    text = d.to_json()
    json.loads(text, parse_constant=lambda c: pytest.fail(f"to_json wrote {c}"))
    assert np.isnan(Diagram.from_json(text)["A"][0])
    bad = text.replace('"position": null', '"position": [NaN, 0.0]', 1)
    assert bad != text
    with pytest.raises(DiagramError, match="NaN is not JSON"):
        Diagram.from_json(bad)


@pytest.mark.parametrize("dtype", [np.longdouble, np.clongdouble])
def test_long_double_padding_does_not_reach_the_json(dtype: type) -> None:
    values = np.array([1.5, -2.25, 3.0], dtype=dtype)
    size = values.dtype.itemsize
    part = size // (2 if values.dtype.kind == "c" else 1)
    if np.finfo(dtype).nmant != 63 or part <= 10:
        pytest.skip("this platform's long double has no padding bytes")
    noisy = values.view(np.uint8).reshape(len(values), size).copy()
    for start in range(0, size, part):
        noisy[:, start + 10 : start + part] = 0xAB  # x87 extended: 10 bytes used
    other = noisy.reshape(-1).view(dtype)
    assert np.array_equal(other, values) and other.tobytes() != values.tobytes()
    a, b = Diagram.from_arrays({"A": values}), Diagram.from_arrays({"A": other})
    assert np.array_equal(a["A"], b["A"])
    assert a.to_json() == b.to_json()
    np.testing.assert_array_equal(Diagram.from_json(a.to_json())["A"], values)


# ---- random edit sequences: every edit all or nothing (issue 13) --------------------


def _start(seed: int) -> Diagram:
    eq, shapes = testing.rand_equation(3, 2, n_out=1, d_min=2, d_max=3, seed=seed)
    return Diagram.from_einsum(eq, *testing.rand_arrays(shapes, seed=seed))


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10**6), st.integers(4, 14))
def test_random_edit_sequences_refuse_all_or_nothing(seed: int, n_edits: int) -> None:
    rng = np.random.default_rng(seed)
    d = _start(seed % 50)
    accepted = 0
    for _ in range(n_edits):
        name, args = testing.random_edit(d, rng)
        before, version = snapshot(d), d.version
        if testing.apply_edit(d, name, args):  # anything but DiagramError propagates
            accepted += 1
        else:
            assert (snapshot(d), d.version) == (before, version), f"refused {name}{args} changed d"
    if len(d) and all(n <= 6 for t in d for n in t.dims):
        testing.check_round_trips(d)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10**6))
def test_random_edit_batches_are_all_or_nothing(seed: int) -> None:
    rng = np.random.default_rng(seed)
    d = _start(seed % 50)
    edits = [testing.random_edit(d, rng) for _ in range(4)]
    before, trial = snapshot(d), d.copy()
    ok = all(testing.apply_edit(trial, name, args) for name, args in edits)
    try:
        with d.edits():
            for name, args in edits:
                getattr(d, name)(*args)
    except DiagramError:
        assert not ok and snapshot(d) == before  # one refusal undoes the whole batch
    else:
        assert ok and json.loads(snapshot(d))["output"] == json.loads(snapshot(trial))["output"]
        assert equivalent(d, trial)
