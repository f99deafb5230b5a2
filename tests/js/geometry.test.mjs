// Pure geometry / helpers of the widget's front end, without a browser: node --test tests/js/
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  BOX,
  boxWidth,
  bounds,
  formatNumber,
  geometry,
  parseDims,
  readFloat64,
} from "../../tensorlessons/static/diagram.js";

/** A structure as the widget's Python side sends it. */
function chain() {
  return {
    tensors: [
      { name: "A", kind: "tensor", x: 80, y: 80, legs: [{ name: "i", index: "i", dim: 2 }, { name: "j", index: "j", dim: 3 }] },
      { name: "B", kind: "tensor", x: 210, y: 80, legs: [{ name: "j", index: "j", dim: 3 }, { name: "k", index: "k", dim: 4 }] },
    ],
    output: ["i", "k"],
  };
}

test("a shared index is one wire between the facing sides of two boxes", () => {
  const g = geometry(chain());
  assert.equal(g.wires.length, 1);
  const w = g.wires[0];
  assert.deepEqual([w.kind, w.legs, w.dim], ["wire", ["A:j", "B:j"], 3]);
  assert.deepEqual(w.segments[0], [80 + BOX / 2, 80, 210 - BOX / 2, 80]);
  assert.deepEqual(w.ends, [[80 + BOX / 2, 80], [210 - BOX / 2, 80]]);
});

test("open legs point away from the wires", () => {
  const g = geometry(chain());
  const byRef = Object.fromEntries(g.stubs.map((s) => [s.ref, s]));
  assert.deepEqual(Object.keys(byRef).sort(), ["A:i", "B:k"]);
  assert.ok(byRef["A:i"].line[2] < 80 - BOX / 2, "A's open leg goes left");
  assert.ok(byRef["B:k"].line[2] > 210 + BOX / 2, "B's open leg goes right");
  assert.equal(byRef["A:i"].state, "open");
});

test("three legs with one index meet at a copy dot; a summed single leg is marked", () => {
  const st = {
    tensors: ["P", "Q", "R"].map((name, k) => ({ name, kind: "tensor", x: 100 * k, y: 50 * (k % 2), legs: [{ name: "i", index: "i", dim: 2 }] })),
    output: [],
  };
  const g = geometry(st);
  assert.equal(g.wires[0].kind, "hyper");
  assert.deepEqual(g.wires[0].dot, [100, 50 / 3]);
  assert.equal(g.wires[0].segments.length, 3);
  st.tensors[0].legs.push({ name: "s", index: "s", dim: 5 });
  const s = geometry(st).stubs.find((x) => x.ref === "P:s");
  assert.equal(s?.state, "summed");
});

test("a leg joined to its own tensor is a trace loop", () => {
  const st = {
    tensors: [{ name: "T", kind: "tensor", x: 0, y: 0, legs: [{ name: "i", index: "i", dim: 3 }, { name: "i'", index: "i", dim: 3 }] }],
    output: [],
  };
  const w = geometry(st).wires[0];
  assert.equal(w.kind, "trace");
  assert.equal(w.curve?.length, 6);
});

test("the viewBox encloses every shape", () => {
  const g = geometry(chain());
  const [x, y, w, h] = g.viewBox;
  for (const t of g.tensors) {
    assert.ok(t.x - BOX / 2 >= x && t.x + BOX / 2 <= x + w && t.y - BOX / 2 >= y && t.y + BOX / 2 <= y + h);
  }
  for (const s of g.stubs) assert.ok(s.line[2] >= x && s.line[2] <= x + w);
  assert.deepEqual(bounds([], [], []), [0, 0, 320, 120]);
});

test("dimensions typed in the palette", () => {
  assert.deepEqual(parseDims("2, 3"), [2, 3]);
  assert.deepEqual(parseDims("4x5"), [4, 5]);
  assert.deepEqual(parseDims(" 7 "), [7]);
  assert.equal(parseDims(""), null);
  assert.equal(parseDims("0"), null);
  assert.equal(parseDims("2.5"), null);
  assert.equal(parseDims("a,b"), null);
});

test("numbers in the value views", () => {
  assert.equal(formatNumber(3), "3");
  assert.equal(formatNumber(0.123456), "0.1235");
  assert.equal(formatNumber(-2.5e-7), "-2.50e-7");
  assert.equal(formatNumber(1234567), "1.23e+6");
  assert.equal(formatNumber(NaN), "nan");
  assert.equal(formatNumber(-Infinity), "-inf");
});

test("float64 buffers as anywidget hands them over", () => {
  const values = new Float64Array([1.5, -2, 1e300]);
  const bytes = new Uint8Array(values.buffer);
  assert.deepEqual(Array.from(readFloat64(new DataView(values.buffer))), [1.5, -2, 1e300]);
  assert.deepEqual(Array.from(readFloat64(values.buffer)), [1.5, -2, 1e300]);
  assert.deepEqual(Array.from(readFloat64(bytes)), [1.5, -2, 1e300]);
  assert.equal(readFloat64(null).length, 0);
});

test("wires joining the same two tensors are drawn side by side", () => {
  const legs = (names) => names.map((n) => ({ name: n, index: n, dim: 2 }));
  const st = {
    tensors: [
      { name: "A", kind: "tensor", x: 0, y: 0, legs: legs(["i", "j", "k"]) },
      { name: "B", kind: "tensor", x: 130, y: 0, legs: legs(["i", "j", "k"]) },
    ],
    output: [],
  };
  const ys = geometry(st).wires.map((w) => Math.round(w.segments[0][1] * 1e6) / 1e6);
  assert.deepEqual(ys, [-10, 0, 10]);
  for (const w of geometry(st).wires) assert.ok(Math.abs(w.segments[0][1] - w.segments[0][3]) < 1e-9);
});

test("long names widen the box; wires start on its outline", () => {
  assert.equal(boxWidth("A"), BOX);
  assert.ok(boxWidth("attn pattern") > 12 * 7);
  assert.ok(boxWidth("W_E W_V") > boxWidth("w_e w_v"), "capitals are wider");
  const st = chain();
  st.tensors[0].name = "attn pattern";
  const g = geometry(st);
  assert.equal(g.tensors[0].width, boxWidth("attn pattern"));
  assert.equal(g.wires[0].segments[0][0], 80 + boxWidth("attn pattern") / 2);
  const open = g.stubs.find((s) => s.tensor === "attn pattern");
  assert.equal(open?.line[0], 80 - boxWidth("attn pattern") / 2);
});

test("a trace loop and its label are inside the viewBox", () => {
  const st = {
    tensors: [{ name: "T", kind: "tensor", x: 0, y: 0, legs: [{ name: "i", index: "i", dim: 3 }, { name: "i'", index: "i", dim: 3 }] }],
    output: [],
  };
  const g = geometry(st);
  const w = g.wires[0];
  const [, y, , h] = g.viewBox;
  assert.ok(w.label[1] < -BOX / 2, "the loop goes up");
  assert.ok(w.label[1] - 11 >= y && w.label[1] + 4 <= y + h);
});

test("a hyperedge between two tensors that share a wire sits off that wire", () => {
  const leg = (n) => ({ name: n, index: n, dim: 2 });
  const st = {
    tensors: [
      { name: "P", kind: "tensor", x: 0, y: 0, legs: [leg("b"), leg("j")] },
      { name: "Q", kind: "tensor", x: 130, y: 0, legs: [leg("b"), leg("j")] },
    ],
    output: ["b"],
  };
  const hyper = geometry(st).wires.find((w) => w.kind === "hyper");
  assert.deepEqual(hyper?.dot, [65, 40]);
});

test("a wire shows its legs' shared name, not the index label; an open copy-tensor leg has an end", () => {
  const st = {
    tensors: [
      { name: "R", kind: "tensor", x: 0, y: 0, legs: [{ name: "model", index: "model3", dim: 8 }] },
      { name: "S", kind: "tensor", x: 150, y: 0, legs: [{ name: "model", index: "model3", dim: 8 }] },
      { name: "T", kind: "tensor", x: 0, y: 150, legs: [{ name: "i", index: "k", dim: 2 }] },
      { name: "U", kind: "tensor", x: 150, y: 150, legs: [{ name: "j", index: "k", dim: 2 }] },
    ],
    output: [],
  };
  const g = geometry(st);
  assert.deepEqual(
    g.wires.map((w) => [w.index, w.text]),
    [["model3", "model (8)"], ["k", "k (2)"]],
  );
  const h = geometry({
    tensors: [
      { name: "A", kind: "tensor", x: 0, y: 0, legs: [{ name: "i", index: "i", dim: 2 }, { name: "j", index: "j", dim: 3 }] },
      { name: "v", kind: "tensor", x: 150, y: 0, legs: [{ name: "j", index: "j", dim: 3 }] },
    ],
    output: ["i", "j"],
  });
  const hyper = h.wires.find((w) => w.kind === "hyper");
  assert.ok(hyper?.open && hyper.end && hyper.dot);
  assert.deepEqual(hyper.end, hyper.segments[hyper.segments.length - 1].slice(2));
  assert.equal(hyper.end[1] - hyper.dot[1], 38);
});
