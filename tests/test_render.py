"""Pictures from diagrams (tensorlessons._render): boxes fit names, nothing is clipped."""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from opt_einsum.testing import rand_equation

import tensorlessons as tl
from tensorlessons._render import BOX, CHAR, LABEL_CHAR, LEG, box_width, geometry

NAMES = ["A", "W_E W_V", "attn pattern", "résidu", "W_U W_O W_V W_E"]


def text_boxes(g: dict) -> list[tuple[float, float, float, float]]:
    """Every label's estimated extent (x0, y0, x1, y1), computed here independently."""
    out = []

    def add(x: float, y: float, text: str, anchor: str) -> None:
        w = LABEL_CHAR * len(text)
        x0 = {"start": x, "end": x - w, "middle": x - w / 2}[anchor]
        out.append((x0, y - 11, x0 + w, y + 4))

    for w in g["wires"]:
        add(*w["label"], w["text"], "middle")
    for s in g["stubs"]:
        add(*s["label"], f"{s['leg']} ({s['dim']})", s["anchor"])
    for t in g["tensors"]:
        if t["kind"] != "copy":
            h = t["width"] / 2
            out.append((t["x"] - h, t["y"] - BOX / 2, t["x"] + h, t["y"] + BOX / 2))
    return out


def inside(box: tuple[float, float, float, float], view: list[float]) -> bool:
    x, y, w, h = view
    return box[0] >= x and box[1] >= y and box[2] <= x + w and box[3] <= y + h


@pytest.mark.parametrize("name", NAMES)
def test_box_grows_with_the_name(name: str) -> None:
    w = box_width(name)
    assert w >= BOX and w >= CHAR * len(name) + 8
    svg = tl.Diagram.from_arrays({name: np.ones((2, 3))}).to_svg()
    rect = ET.fromstring(svg).find("{http://www.w3.org/2000/svg}g/{http://www.w3.org/2000/svg}rect")
    assert rect is not None and float(rect.get("width", 0)) == pytest.approx(w, abs=0.05)


@pytest.mark.parametrize("angle", [0, 10, 30, 45, 60, 89, 90, 135, 180, 200, 270, 330])
def test_wires_end_on_the_box_outline(angle: float) -> None:
    """A neighbour in any direction: the wire starts exactly on the wide box's outline."""
    d = tl.Diagram.from_einsum("ij,jk->ik", np.ones((2, 3)), np.ones((3, 4)))
    d = d.rename_tensor("T0", "attn pattern")
    rad = math.radians(angle)
    d.move("attn pattern", 200, 200).move(
        "T1", 200 + 200 * math.cos(rad), 200 - 200 * math.sin(rad)
    )
    g = geometry(d)
    (wire,) = g["wires"]
    x1, y1, x2, y2 = wire["segments"][0]
    hw = box_width("attn pattern") / 2
    assert max(abs(x1 - 200) / hw, abs(y1 - 200) / (BOX / 2)) == pytest.approx(1.0)
    t1 = d.tensor("T1").position
    assert max(abs(x2 - t1[0]), abs(y2 - t1[1])) == pytest.approx(BOX / 2)
    # the wire points from centre to centre
    assert math.atan2(y2 - y1, x2 - x1) == pytest.approx(math.atan2(t1[1] - 200, t1[0] - 200))


def test_auto_layout_leaves_room_for_wide_boxes() -> None:
    eq, shapes = rand_equation(8, 2, seed=3, d_min=2, d_max=2)
    names = [f"{n} long name {k}" for k, n in enumerate("ABCDEFGH")]
    for d in (
        tl.Diagram.from_einsum(eq, *[np.ones(s) for s in shapes], names=names),
        tl.Diagram.from_einsum("ab,bc,cd,de->ae", *[np.ones((2, 2))] * 4, names=names[:4]),
        tl.Diagram.from_arrays({n: np.ones(2) for n in names[:3]}),
    ):
        g = geometry(d)
        boxes = [b for b in text_boxes(g)[-len(d) :]]
        for a in range(len(boxes)):
            for b in range(a + 1, len(boxes)):
                p, q = boxes[a], boxes[b]
                apart = (
                    p[2] + 20 <= q[0] or q[2] + 20 <= p[0] or p[3] + 20 <= q[1] or q[3] + 20 <= p[1]
                )
                assert apart, (d.names[a], d.names[b], p, q)


def test_chain_wires_keep_their_length_with_long_names() -> None:
    short = geometry(tl.Diagram.from_einsum("ab,bc->ac", np.ones((2, 2)), np.ones((2, 2))))
    long = tl.Diagram.from_einsum(
        "ab,bc->ac", np.ones((2, 2)), np.ones((2, 2)), names=["attn pattern", "W_E W_V"]
    )
    (ws,), (wl,) = short["wires"], geometry(long)["wires"]
    assert wl["segments"][0][2] - wl["segments"][0][0] == pytest.approx(
        ws["segments"][0][2] - ws["segments"][0][0]
    )


@pytest.mark.parametrize(
    "eq",
    ["ii->", "iij->j", "ijj,k->ik", "iijj->", "ij,jk->ik", "i,i,i->i", "ab,bc,cd,da->"],
)
def test_every_label_and_loop_is_inside_the_viewbox(eq: str) -> None:
    terms = eq.split("->")[0].split(",")
    d = tl.Diagram.from_einsum(eq, *[np.ones((2,) * len(t)) for t in terms])
    for names in (None, [f"tensor {k} with a long name" for k in range(len(terms))]):
        if names:
            d = tl.Diagram.from_einsum(eq, *[np.ones((2,) * len(t)) for t in terms], names=names)
        g = geometry(d)
        for box in text_boxes(g):
            assert inside(box, g["viewBox"]), (eq, box, g["viewBox"])
        for w in g["wires"]:
            if w["kind"] == "trace":
                x1, y1, cx, cy, x2, y2 = w["curve"]
                apex = ((x1 + 2 * cx + x2) / 4, (y1 + 2 * cy + y2) / 4)
                assert inside((*apex, *apex), g["viewBox"])


def test_random_diagrams_keep_labels_inside() -> None:
    for seed in range(8):
        eq, shapes = rand_equation(5, 2, n_out=2, seed=seed)
        d = tl.Diagram.from_einsum(eq, *[np.ones(s) for s in shapes])
        g = geometry(d)
        assert all(inside(b, g["viewBox"]) for b in text_boxes(g)), eq


@pytest.mark.parametrize("angle", [0, 30, 60, 90, 120, 180, 250, 300])
def test_wire_labels_sit_beside_their_wire(angle: float) -> None:
    """A vertical wire's label is not written across it (nor any other direction's)."""
    d = tl.Diagram.from_einsum("ij,jk->ik", np.ones((2, 3)), np.ones((3, 4)), names=["A", "B"])
    rad = math.radians(angle)
    d.move("A", 300, 300).move("B", 300 + 150 * math.cos(rad), 300 - 150 * math.sin(rad))
    g = geometry(d)
    (wire,) = g["wires"]
    box = text_boxes(g)[0]  # wire labels come first
    x1, y1, x2, y2 = wire["segments"][0]
    for k in range(51):
        t = k / 50
        px, py = x1 + t * (x2 - x1), y1 + t * (y2 - y1)
        assert not (box[0] - 1 < px < box[2] + 1 and box[1] - 1 < py < box[3] + 1), (t, box)


@pytest.mark.parametrize("at", [(60, 20), (60, 200), (-100, 80), (400, 80)])
def test_copy_tensor_names_avoid_their_legs(at: tuple[float, float]) -> None:
    d = tl.Diagram.from_arrays({"A": np.ones((2, 3)), "X": np.ones((2, 3))})
    d.add_copy("copy_batch", 2, 3, position=at)
    d.connect("A:i", "copy_batch:i").connect("X:i", "copy_batch:j")
    g = geometry(d)
    (copy,) = [t for t in g["tensors"] if t["kind"] == "copy"]
    w = LABEL_CHAR * len("copy_batch")
    x0 = {"start": 0, "end": -w, "middle": -w / 2}[copy["anchor"]] + copy["label"][0]
    box = (x0, copy["label"][1] - 11, x0 + w, copy["label"][1] + 4)
    assert inside(box, g["viewBox"])
    lines = [seg for wire in g["wires"] for seg in wire["segments"]]
    lines += [s["line"] for s in g["stubs"] if s["tensor"] == "copy_batch"]
    for x1, y1, x2, y2 in lines:
        for k in range(51):
            px, py = x1 + k / 50 * (x2 - x1), y1 + k / 50 * (y2 - y1)
            assert not (box[0] < px < box[2] and box[1] < py < box[3]), (at, (px, py), box)


def test_wire_labels_show_the_shared_leg_name_not_the_index_label() -> None:
    """Legs all called ``model`` show ``model (8)``, even when the index label is model2."""
    d = tl.Diagram()
    for name in ("P", "Q", "R", "S"):
        d.add_tensor(name, np.ones((8, 3)), legs=["model", "x"])
    d.connect("P:model", "Q:model").connect("R:model", "S:model").connect("P:x", "R:x")
    g = geometry(d)
    by_legs = {tuple(w["legs"]): w for w in g["wires"]}
    rs = by_legs[("R:model", "S:model")]
    assert rs["index"] != "model"  # the index label had to be made unique ...
    assert rs["text"] == "model (8)"  # ... but the picture shows the leg's name
    assert by_legs[("P:model", "Q:model")]["text"] == "model (8)"
    svg = d.to_svg()
    assert "model (8)" in svg and f">{rs['index']} (8)<" not in svg
    assert f"{{${rs['index']}$}}" not in d.to_tikz()
    # legs with different names keep the index label
    e = tl.Diagram.from_arrays({"A": np.ones((2, 3)), "B": np.ones((3, 4))})
    e.connect("A:j", "B:i")
    (w,) = geometry(e)["wires"]
    assert w["text"] == f"{w['index']} (3)" and w["name"] == w["index"]


def test_open_hyperedge_leg_has_an_end() -> None:
    """The open ``j`` of ij,j->ij leaves the copy dot and ends where an open leg ends."""
    d = tl.Diagram.from_einsum("ij,j->ij", np.ones((2, 3)), np.ones(3))
    (hyper,) = [w for w in geometry(d)["wires"] if w["kind"] == "hyper"]
    assert hyper["open"] and hyper["end"] == hyper["segments"][-1][2:]
    x, y = hyper["dot"]
    assert math.dist(hyper["end"], (x, y)) == pytest.approx(LEG)


def _problems(d: tl.Diagram) -> dict[str, int]:
    from tensorlessons._quality import problems

    return problems(geometry(d))


CLEAN = {"overlaps": 0, "under": 0, "outside": 0, "crowded": 0, "cycles": 0}


@pytest.mark.parametrize(
    "eq", ["ij,jk,ki->", "ab,bc,cd,da->", "ab,bc,cd,de,ea->", "ab,bc,ca,cd->d", "ij,jk,ki,ia->a"]
)
def test_loops_are_drawn_as_polygons(eq: str) -> None:
    """tr(PQR) and its kin: the tensors of a loop are the corners of a polygon (no wire
    behind a box), every label clear, every end grabbable."""
    terms = eq.split("->")[0].split(",")
    d = tl.Diagram.from_einsum(eq, *[np.ones((2,) * len(t)) for t in terms])
    assert _problems(d) == CLEAN
    pts = np.array([t.position for t in d])[: len(terms)]
    # not on a line: the points span two dimensions
    assert np.linalg.svd(pts - pts.mean(0), compute_uv=False)[-1] > 30


def test_a_line_of_three_in_a_loop_is_counted() -> None:
    """The measure itself: tr(PQR) with its boxes put in a row (as chapter 02 invites) is
    a flat loop; its third wire bends round Q rather than hiding behind it."""
    d = tl.Diagram.from_einsum("ij,jk,ki->", *[np.ones((2, 2))] * 3, names=["P", "Q", "R"])
    d.move("P", 80, 80).move("Q", 210, 80).move("R", 340, 80)
    p = _problems(d)
    assert p["cycles"] == 1 and p["under"] == 0


@pytest.mark.parametrize("gap", [130.0, 100.0])
def test_a_cut_between_neighbours_spreads_the_freed_ends(gap: float) -> None:
    d = tl.Diagram.from_einsum("ij,jk->ik", np.ones((2, 3)), np.ones((3, 4)), names=["A", "B"])
    d.move("A", 80, 80).move("B", 80 + gap, 80)
    d.cut("A:j", "B:j")
    g = geometry(d)
    ends = {s["ref"]: s["line"][2:] for s in g["stubs"]}
    assert math.dist(ends["A:j"], ends["B:j"]) > 40
    assert _problems(d) == CLEAN


def test_wire_ends_on_one_side_are_apart() -> None:
    """Three vectors to the right of T (as chapter 01 draws them): their wires leave T's
    side at points a grab apart, not at one point."""
    d = tl.Diagram.from_einsum("abc,a,b,c->", np.ones((2, 2, 2)), *[np.ones(2)] * 3)
    d.move("T0", 100, 160).move("T1", 340, 50).move("T2", 340, 160).move("T3", 340, 270)
    g = geometry(d)
    ys = sorted(w["ends"][w["owners"].index("T0")][1] for w in g["wires"])
    assert min(b - a for a, b in zip(ys, ys[1:], strict=False)) >= 12
    assert all(138 <= y <= 182 for y in ys)  # still on the box's side
    assert _problems(d) == CLEAN


def test_parallel_wires_keep_grabbable_ends() -> None:
    d = tl.Diagram.from_einsum("ijk,ijk->", np.ones((2, 2, 2)), np.ones((2, 2, 2)))
    g = geometry(d)
    ys = sorted(w["segments"][0][1] for w in g["wires"])
    assert ys[1] - ys[0] >= 12 and ys[2] - ys[1] >= 12
    assert _problems(d) == CLEAN


def test_random_networks_read_cleanly() -> None:
    """Random einsum networks as the course's (up to 6 tensors): no label on anything,
    no wire under a box, nothing outside the picture."""
    for seed in range(12):
        eq, shapes = rand_equation(6, 2, n_out=2, seed=seed)
        assert _problems(tl.Diagram.from_einsum(eq, *[np.ones(s) for s in shapes])) == CLEAN, eq


def test_a_wire_goes_round_a_box_it_does_not_join() -> None:
    """A learner drags A past C: A's wire to B bends round C instead of running under it."""
    d = tl.Diagram.from_einsum("ij,jk,kl->il", *[np.ones((2, 2))] * 3, names=["A", "B", "C"])
    d.move("A", 400, 80).move("B", 210, 80).move("C", 340, 80)
    g = geometry(d)
    (ab,) = [w for w in g["wires"] if w["owners"] == ["A", "B"]]
    assert len(ab["segments"]) > 1
    assert ab["segments"][0][:2] == ab["ends"][0] and ab["segments"][-1][2:] == ab["ends"][1]
    for a, b in zip(ab["segments"], ab["segments"][1:], strict=False):
        assert a[2:] == b[:2]  # one unbroken path
    assert _problems(d) == CLEAN


def test_ends_near_a_corner_are_spread_round_it() -> None:
    """Neighbours up-right and right of T: ends on two sides near one corner stay apart."""
    d = tl.Diagram.from_einsum("ab,a,b->", np.ones((2, 2)), np.ones(2), np.ones(2))
    d.move("T0", 100, 100).move("T1", 260, 0).move("T2", 300, 40)
    g = geometry(d)
    e1, e2 = (w["ends"][w["owners"].index("T0")] for w in g["wires"])
    assert math.dist(e1, e2) >= 12, (e1, e2)
    assert _problems(d) == CLEAN


def test_a_leg_to_a_copy_dot_goes_round_a_box() -> None:
    """A box dropped between a batch leg and its copy dot: the leg bends round it."""
    d = tl.Diagram.from_einsum("bij,bjk->bik", np.ones((2, 2, 2)), np.ones((2, 2, 2)))
    d.move("T0", 80, 80).move("T1", 340, 80)  # their batch leg meets at a dot at (210, 120)
    d.add_tensor("X", np.ones(2), position=(150, 110))
    g = geometry(d)
    (hyper,) = [w for w in g["wires"] if w["kind"] == "hyper"]
    assert len(hyper["segments"]) > len(hyper["owners"]) + 1  # bends after the open leg
    assert _problems(d) == CLEAN


def test_a_wire_goes_round_a_row_of_boxes() -> None:
    """The first tensor of a long chain dragged past its last: its wire goes round them all."""
    d = tl.Diagram.from_einsum(
        "aA,AbB,BcC,CdD,DeE,EfF,FgG,Gh->abcdefgh",
        np.ones((2, 2)),
        *[np.ones((2, 2, 2))] * 6,
        np.ones((2, 2)),
    )
    d.move("T0", 1080, 60)
    assert _problems(d) == CLEAN
    assert json.loads(json.dumps(geometry(d))) == geometry(d)  # plain JSON for the widget


def test_a_copy_dot_under_a_dropped_box_moves_out() -> None:
    """Chapter 08's head hyperedge: W_U dropped on its dot; the dot moves out from under."""
    eq = "hqk,kd,hde,hem,mv->qv"
    terms = eq.split("->")[0].split(",")
    d = tl.Diagram.from_einsum(
        eq, *[np.ones((2,) * len(t)) for t in terms], names=["A", "x", "W_V", "W_O", "W_U"]
    )
    (dot,) = [w["dot"] for w in geometry(d)["wires"] if w["kind"] == "hyper"]
    d.move("W_U", *dot)
    (moved,) = [w["dot"] for w in geometry(d)["wires"] if w["kind"] == "hyper"]
    assert math.dist(moved, dot) > BOX / 2
    assert _problems(d) == CLEAN
