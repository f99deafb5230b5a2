"""DiagramWidget without a browser: edits as the browser sends them, traits, persistence."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import tensorlessons as tl
from tensorlessons import _persist
from tensorlessons._render import einsum_call
from tensorlessons.widget import (
    BIG_RESULT,
    INSPECT_WINDOW,
    WINDOW,
    DiagramWidget,
    _result_window,
    _window,
)

rng = np.random.default_rng(0)


def values(w: DiagramWidget) -> np.ndarray:
    meta = w.result["values"]
    arr = np.frombuffer(w.result_data, "<f8")
    return arr.reshape(meta["nrows"], meta["ncols"])


@pytest.fixture
def chain() -> tuple[tl.Diagram, DiagramWidget]:
    A, B = rng.standard_normal((2, 3)), rng.standard_normal((3, 4))
    d = tl.Diagram.from_einsum("ij,jk->ik", A, B, names=["A", "B"])
    return d, DiagramWidget(d)


@pytest.fixture(autouse=True)
def answers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TENSORLESSONS_ANSWERS", str(tmp_path / "answers"))
    return tmp_path / "answers"


def test_import_is_light() -> None:
    code = (
        "import sys, tensorlessons; print('anywidget' in sys.modules, 'ipywidgets' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
    assert tl.DiagramWidget is DiagramWidget


def test_structure_and_result_match_python(chain: tuple[tl.Diagram, DiagramWidget]) -> None:
    d, w = chain
    names = [t["name"] for t in w.structure["tensors"]]
    assert names == d.names
    legs = {
        t["name"]: [(g["name"], g["index"], g["dim"]) for g in t["legs"]]
        for t in w.structure["tensors"]
    }
    assert legs["A"] == [("i", "i", 2), ("j", "j", 3)]
    assert w.structure["output"] == d.output
    assert w.result["einsum"] == d.to_einsum()
    assert w.result["shape"] == list(d.shape)
    assert w.result["cost"]["flops"] == d.cost().flops
    np.testing.assert_allclose(values(w), np.einsum("ij,jk->ik", d["A"], d["B"]))
    assert isinstance(w.result_data, bytes)


def test_python_edits_update_traits(chain: tuple[tl.Diagram, DiagramWidget]) -> None:
    d, w = chain
    v0 = w.version
    d.add_tensor("C", np.arange(4.0), legs=["k"], indices=["k"])
    assert [t["name"] for t in w.structure["tensors"]] == ["A", "B", "C"]
    assert w.version > v0
    np.testing.assert_allclose(values(w)[0], d["A"] @ d["B"] @ np.arange(4.0))
    d.set_array("A", np.ones((2, 3)))
    np.testing.assert_allclose(values(w)[0], np.ones((2, 3)) @ d["B"] @ np.arange(4.0))
    d.move("A", 5.0, 7.0)
    assert w.structure["tensors"][0]["x"] == 5.0 and w.structure["tensors"][0]["y"] == 7.0


def test_connect_and_refusal(chain: tuple[tl.Diagram, DiagramWidget]) -> None:
    d, w = chain
    before = d.to_json()
    reply = w.apply({"op": "connect", "a": "A:i", "b": "B:k"})
    assert "error" in reply and "dimension" in reply["error"] and "'A:i'" in reply["error"]
    assert w.error == reply["error"]
    assert d.to_json() == before
    d.add_tensor("v", np.arange(2.0), legs=["a"])
    assert w.apply({"op": "connect", "a": "A:i", "b": "v:a"}) == {"ok": True}
    assert w.error == ""
    np.testing.assert_allclose(
        np.frombuffer(w.result_data, "<f8"), np.arange(2.0) @ d["A"] @ d["B"]
    )


def test_cut_remove_rename_add(chain: tuple[tl.Diagram, DiagramWidget]) -> None:
    d, w = chain
    assert w.apply({"op": "cut", "legs": ["A:j", "B:j"]}) == {"ok": True}
    assert d.wires() == []
    assert w.result["shape"] == [2, 4, 3, 3]
    assert w.result["values"]["kind"] == "slice"
    assert w.apply({"op": "rename_tensor", "old": "A", "new": "M"}) == {"ok": True}
    assert d.names == ["M", "B"]
    assert w.apply({"op": "rename_leg", "ref": "M:i", "new": "row"}) == {"ok": True}
    assert d.tensor("M").legs == ["row", "j"]
    for kind, dims, shape in [
        ("vector", [5], (5,)),
        ("matrix", [2, 3], (2, 3)),
        ("3-leg", [2], (2, 2, 2)),
    ]:
        n = len(d)
        assert w.apply({"op": "add", "kind": kind, "dims": dims, "x": 1, "y": 2}) == {"ok": True}
        new = d.names[n]
        assert d[new].shape == shape and d.tensor(new).position == (1.0, 2.0)
    assert w.apply({"op": "add", "kind": "copy", "dims": [3], "legs": 4}) == {"ok": True}
    c = d.tensor(d.names[-1])
    assert c.kind == "copy" and c.dims == [3, 3, 3, 3]
    bad = w.apply({"op": "add", "kind": "matrix", "dims": [2, 3, 4]})
    assert "error" in bad and "[2, 3, 4]" in bad["error"]
    assert w.apply({"op": "remove", "name": "B"}) == {"ok": True}
    assert "B" not in d
    assert "error" in w.apply({"op": "remove", "name": "nope"})
    assert "error" in w.apply({"op": "frobnicate"})


def test_hyperedge_cut_detaches_all() -> None:
    d = tl.Diagram.from_einsum("i,i,i->", np.ones(3), np.ones(3), np.ones(3))
    w = DiagramWidget(d)
    assert len(d.wires()[0]) == 3
    assert w.apply({"op": "cut", "legs": list(d.wires()[0])}) == {"ok": True}
    assert d.wires() == []


def test_set_value_updates_array_and_result(chain: tuple[tl.Diagram, DiagramWidget]) -> None:
    d, w = chain
    assert w.apply({"op": "set_value", "name": "A", "index": [1, 2], "value": "7.5"}) == {
        "ok": True
    }
    assert d["A"][1, 2] == 7.5
    np.testing.assert_allclose(values(w), d["A"] @ d["B"])
    before = d["A"].copy()
    for bad in (
        {"index": [2, 0], "value": 1},
        {"index": [0, 0], "value": "x"},
        {"index": [0], "value": 1},
    ):
        reply = w.apply({"op": "set_value", "name": "A", **bad})
        assert "error" in reply and "'A'" in reply["error"]
    np.testing.assert_array_equal(d["A"], before)
    ints = tl.Diagram.from_arrays({"N": np.arange(4).reshape(2, 2)})
    wi = DiagramWidget(ints)
    wi.apply({"op": "set_value", "name": "N", "index": [0, 1], "value": "0.5"})
    assert ints["N"].dtype.kind == "f" and ints["N"][0, 1] == 0.5


def test_undo_redo_every_edit(chain: tuple[tl.Diagram, DiagramWidget]) -> None:
    d, w = chain
    states = [d.to_json()]
    edits = [
        {"op": "move", "name": "A", "x": 10, "y": 20},
        {"op": "cut", "legs": ["A:j", "B:j"]},
        {"op": "add", "kind": "vector", "dims": [4]},
        {"op": "connect", "a": "B:k", "b": "C:i"},
        {"op": "rename_tensor", "old": "C", "new": "u"},
        {"op": "set_value", "name": "u", "index": [0], "value": 3},
        {"op": "remove", "name": "A"},
    ]
    for e in edits:
        assert w.apply(e) == {"ok": True}, e
        states.append(d.to_json())
    assert w.can_undo and not w.can_redo
    for k in range(len(edits), 0, -1):
        assert w.apply({"op": "undo"}) == {"ok": True}
        assert d.to_json() == states[k - 1]
    assert not w.can_undo and w.can_redo
    assert "error" in w.apply({"op": "undo"})
    for k in range(1, len(edits) + 1):
        w.apply({"op": "redo"})
        assert d.to_json() == states[k]
    w.apply({"op": "undo"})
    w.apply({"op": "move", "name": "B", "x": 0, "y": 0})
    assert not w.can_redo


def test_undo_and_reset_keep_the_same_diagram_and_its_observers(
    chain: tuple[tl.Diagram, DiagramWidget],
) -> None:
    d, w = chain
    heard: list[str] = []
    d.observe(lambda diagram, what: heard.append(what))
    expected = d.contract()
    w.apply({"op": "cut", "legs": ["A:j", "B:j"]})
    w.apply({"op": "undo"})
    assert w.diagram is d and heard[-1] == "restore" and len(heard) == 2
    np.testing.assert_allclose(np.frombuffer(w.result_data, "<f8"), expected.ravel())
    w.apply({"op": "remove", "name": "A"})
    w.reset()
    assert w.diagram is d and heard[-1] == "restore" and d.names == ["A", "B"]
    np.testing.assert_allclose(d.contract(), expected)


def test_assign_other_diagram(chain: tuple[tl.Diagram, DiagramWidget]) -> None:
    d, w = chain
    other = tl.Diagram.from_einsum("ii->", np.diag([1.0, 2.0, 3.0]), names=["T"])
    w.diagram = other
    assert w.diagram is other
    assert [t["name"] for t in w.structure["tensors"]] == ["T"]
    assert w.result["values"]["value"] == 6.0
    d.add_tensor("Z", np.ones(2))  # the old diagram no longer drives the widget
    assert [t["name"] for t in w.structure["tensors"]] == ["T"]
    other.set_array("T", np.eye(3))
    assert w.result["values"]["value"] == 3.0
    with pytest.raises(tl.DiagramError, match="must be a Diagram"):
        w.diagram = "ij->"  # type: ignore[assignment]


def test_on_edit_and_traitlets(chain: tuple[tl.Diagram, DiagramWidget]) -> None:
    d, w = chain
    seen: list[dict] = []
    versions: list[int] = []
    w.on_edit(lambda widget, e: seen.append(e))
    w.observe(lambda ch: versions.append(ch["new"]), names="version")
    w.apply({"op": "move", "name": "A", "x": 1, "y": 1})
    w.apply({"op": "connect", "a": "A:i", "b": "B:k"})  # refused: no callback
    d.move("B", 3, 3)  # Python edit: version observed, no on_edit
    assert [e["op"] for e in seen] == ["move"]
    assert len(versions) == 2
    assert w.last_edit["op"] == "move"


def test_messages_from_browser(chain: tuple[tl.Diagram, DiagramWidget]) -> None:
    d, w = chain
    sent: list[dict] = []
    w.send = lambda content, buffers=None: sent.append(content)  # type: ignore[method-assign]
    w._on_message(
        w, {"type": "edit", "edit": {"op": "connect", "a": "A:i", "b": "B:k"}, "id": 3}, []
    )
    assert (
        sent[-1]["type"] == "error" and sent[-1]["id"] == 3 and "dimension" in sent[-1]["message"]
    )
    for fmt, expected in [
        ("einsum", einsum_call(d)),
        ("code", d.to_code()),
        ("svg", d.to_svg()),
        ("tikz", d.to_tikz()),
    ]:
        w._on_message(w, {"type": "export", "format": fmt}, [])
        assert sent[-1] == {"type": "export", "format": fmt, "text": expected, "id": None}
    w._on_message(w, {"type": "export", "format": "pdf"}, [])
    assert sent[-1]["type"] == "error" and "'pdf'" in sent[-1]["message"]


def test_inspect_selected_tensor(chain: tuple[tl.Diagram, DiagramWidget]) -> None:
    d, w = chain
    w.selected = "B"
    info = w.inspect
    assert info["name"] == "B" and info["editable"] and info["shape"] == [3, 4]
    np.testing.assert_array_equal(np.frombuffer(w.inspect_data, "<f8").reshape(3, 4), d["B"])
    d.set_array("B", np.zeros((3, 4)))
    assert not np.frombuffer(w.inspect_data, "<f8").any()
    d.remove_tensor("B")
    assert w.selected == "" and w.inspect == {}


def test_large_arrays_are_windowed() -> None:
    big = rng.standard_normal((300, 500))
    d = tl.Diagram.from_arrays({"E": big})
    w = DiagramWidget(d)
    assert len(w.result_data) == WINDOW * WINDOW * 8 < big.nbytes
    w.view = {"row0": 290, "col0": 100}
    meta = w.result["values"]
    assert (meta["row0"], meta["col0"]) == (300 - WINDOW, 100)
    np.testing.assert_array_equal(values(w), big[300 - WINDOW :, 100 : 100 + WINDOW])
    w.selected = "E"
    assert len(w.inspect_data) == INSPECT_WINDOW**2 * 8 and w.inspect["editable"]


def test_window_slices_and_scalars() -> None:
    a = rng.standard_normal((2, 3, 4, 5))
    meta, data = _window(a, {"fixed": [1, 2]})
    assert meta["kind"] == "slice" and meta["fixed"] == [1, 2]
    np.testing.assert_array_equal(np.frombuffer(data, "<f8").reshape(4, 5), a[1, 2])
    meta, data = _window(a, {"fixed": [9, -3]})
    assert meta["fixed"] == [1, 0]
    meta, data = _window(np.asarray(2.5), {})
    assert meta["kind"] == "scalar" and meta["value"] == 2.5
    meta, data = _window(np.array([1 + 2j, 3 - 1j]), {})
    assert meta["complex"] and np.frombuffer(data, "<f8").tolist() == [1.0, 3.0]


def test_persistence_with_key(answers: Path) -> None:
    start = tl.Diagram.from_einsum("ij,jk->ik", np.ones((2, 3)), np.ones((3, 4)), names=["A", "B"])
    d = start.copy()
    w = DiagramWidget(d, key="ch02-test")
    assert _persist.load("ch02-test") is None  # nothing saved until an edit
    w.apply({"op": "cut", "legs": ["A:j", "B:j"]})
    w.apply({"op": "move", "name": "A", "x": 11, "y": 12})
    saved = json.loads((answers / "ch02-test.json").read_text())
    assert saved["tensors"][0]["position"] == [11.0, 12.0]
    # a fresh kernel re-running the cell rebuilds the learner's diagram
    d2 = start.copy()
    w2 = DiagramWidget(d2, key="ch02-test")
    assert w2.diagram is d2 and d2.to_json() == d.to_json()
    assert d2.wires() == []
    w2.reset()
    assert tl.equivalent(d2, start) and d2.wires() == start.wires()
    # the answers file is kept, holding the start; Undo brings the learner's drawing back
    saved_start = _persist.load("ch02-test")
    assert saved_start is not None and saved_start.wires() == start.wires()
    w2.undo()
    saved_again = _persist.load("ch02-test")
    assert d2.wires() == [] and saved_again is not None and saved_again.wires() == []
    with pytest.raises(tl.DiagramError, match="answer key"):
        DiagramWidget(start.copy(), key="../escape")


def test_persist_functions(answers: Path) -> None:
    d = tl.Diagram.from_einsum("i,i->", np.arange(3.0), np.arange(3.0))
    p = _persist.save("k1", d)
    assert p == answers / "k1.json"
    assert _persist.load("k1").to_json() == d.to_json()  # type: ignore[union-attr]
    p.write_text("{not json")
    with pytest.raises(tl.DiagramError, match="k1"):
        _persist.load("k1")
    assert _persist.reset("k1") and not _persist.reset("k1")


def test_read_only_widget(chain: tuple[tl.Diagram, DiagramWidget]) -> None:
    d, _ = chain
    w = DiagramWidget(d, editable=False)
    assert "read-only" in w.apply({"op": "remove", "name": "A"})["error"]
    assert w.apply({"op": "move", "name": "A", "x": 0, "y": 0}) == {"ok": True}


def test_mimebundle_has_svg_fallback(chain: tuple[tl.Diagram, DiagramWidget]) -> None:
    d, w = chain
    data, _ = w._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data
    assert data["image/svg+xml"] == d.to_svg()


def test_static_files_exist() -> None:
    from tensorlessons import widget

    js = (widget._STATIC / "diagram.js").read_text()
    assert "innerHTML" not in js and "export default" in js
    assert (widget._STATIC / "diagram.css").read_text().count("color-scheme: light dark") == 1


@pytest.mark.parametrize(
    "eq, dims",
    [
        ("ab,bc,cd,de->abde", {"a": 30, "b": 4, "c": 5, "d": 20, "e": 31}),
        ("ai,bi,ci->abci", {"a": 21, "b": 22, "c": 23, "i": 20}),  # output leg on a hyperedge
        ("iij,jk->ik", {"i": 300, "j": 3, "k": 400}),  # trace-like repeated label
        ("ij,jk->ki", {"i": 500, "j": 2, "k": 300}),
    ],
)
def test_big_results_contract_only_the_window(eq: str, dims: dict[str, int]) -> None:
    terms = eq.split("->")[0].split(",")
    arrays = [rng.standard_normal([dims[c] for c in t]) for t in terms]
    d = tl.Diagram.from_einsum(eq, *arrays)
    full = np.einsum(eq, *arrays)
    assert full.size > BIG_RESULT
    nd = full.ndim
    for view in ({}, {"fixed": [3, 7], "row0": 5, "col0": 9}, {"row0": 10**6, "col0": 10**6}):
        meta, data = _result_window(d, view)
        ref_meta, ref_data = _window(full, view)
        for key in ("kind", "fixed", "row0", "col0", "nrows", "ncols", "rows", "cols", "shape"):
            assert meta[key] == ref_meta[key], key
        got = np.frombuffer(data, "<f8")
        np.testing.assert_allclose(got, np.frombuffer(ref_data, "<f8"), rtol=1e-10, atol=1e-10)
        assert len(data) <= WINDOW * WINDOW * 8 and nd == len(meta["shape"])


def test_empty_widget_builds_a_diagram_from_the_palette() -> None:
    w = DiagramWidget()
    assert w.diagram.names == [] and w.structure["tensors"] == []
    assert w.result["values"]["kind"] == "scalar"
    assert w.apply({"op": "add", "kind": "matrix", "dims": [2, 3]}) == {"ok": True}
    assert w.apply({"op": "add", "kind": "vector", "dims": [3]}) == {"ok": True}
    assert w.apply({"op": "connect", "a": "A:j", "b": "B:i"}) == {"ok": True}
    d = w.diagram
    np.testing.assert_allclose(np.frombuffer(w.result_data, "<f8"), d["A"] @ d["B"])
    assert w.result["einsum"] == d.to_einsum() == "ij,j->i"


def test_server_extension_sets_nodelay(monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio
    import concurrent.futures

    from jupyter_server.services.kernels.websocket import KernelWebsocketHandler

    from tensorlessons import _server

    calls: list[object] = []

    async def original(self: object, kernel_id: str) -> None:
        calls.append(("open", kernel_id))

    monkeypatch.setattr(KernelWebsocketHandler, "open", original)
    monkeypatch.setattr(KernelWebsocketHandler, _server._PATCHED, False, raising=False)
    assert _server.enable_nodelay() is True
    assert _server.enable_nodelay() is False  # once

    class Fake:
        def set_nodelay(self, value: bool) -> None:
            calls.append(("nodelay", value))

    # In a thread of its own: the browser tests' Playwright (sync API) keeps an event loop
    # running in the main thread for the whole session.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, KernelWebsocketHandler.open(Fake(), "k1")).result()  # type: ignore[arg-type]
    assert calls == [("nodelay", True), ("open", "k1")]
    assert _server._jupyter_server_extension_points() == [{"module": "tensorlessons._server"}]


def test_geometry_trait_is_pythons_geometry(chain: tuple[tl.Diagram, DiagramWidget]) -> None:
    """The browser is sent the one geometry (the shapes to_svg draws), after every edit."""
    from tensorlessons._render import geometry

    d, w = chain
    assert w.geometry == geometry(d)
    w.apply({"op": "move", "name": "A", "x": 10, "y": 300})
    assert w.geometry == geometry(d) and w.geometry["tensors"][0]["y"] == 300
    (wire,) = w.geometry["wires"]
    assert wire["owners"] == ["A", "B"] and wire["ends"][0] == wire["segments"][0][:2]


def test_palette_tensors_are_placed_clear_of_the_picture(
    chain: tuple[tl.Diagram, DiagramWidget],
) -> None:
    """Two palette additions (no position from the browser): no label overlaps another."""
    d, w = chain
    for _ in range(2):
        assert w.apply({"op": "add", "kind": "matrix", "dims": [3]}) == {"ok": True}
    g = w.geometry
    boxes = []
    for s in g["stubs"]:
        n = 6.2 * len(f"{s['leg']} ({s['dim']})")
        x = s["label"][0] - {"start": 0, "middle": n / 2, "end": n}[s["anchor"]]
        boxes.append((x, s["label"][1] - 11, x + n, s["label"][1] + 4))
    for a in range(len(boxes)):
        for b in range(a + 1, len(boxes)):
            p, q = boxes[a], boxes[b]
            assert p[2] <= q[0] or q[2] <= p[0] or p[3] <= q[1] or q[3] <= p[1], (p, q)
