// The widget front end's pure helpers, without a browser: node --test tests/js/
// (the geometry itself is Python's, tensorlessons._render.geometry: tests/test_render.py)
import assert from "node:assert/strict";
import { test } from "node:test";

import { dragTo, formatCount, formatNumber, moveTensor, parseDims, readFloat64, stageBox, union } from "../../tensorlessons/static/diagram.js";

/** Geometry as Python sends it for "ij,jk,kl->il" with a copy dot joining A, B and C. */
function drawn() {
  return {
    tensors: [
      { name: "A", kind: "tensor", x: 80, y: 80, width: 44, height: 44 },
      { name: "B", kind: "tensor", x: 210, y: 80, width: 44, height: 44 },
      { name: "C", kind: "tensor", x: 340, y: 80, width: 44, height: 44 },
    ],
    wires: [
      { id: "j", index: "j", dim: 3, name: "j", text: "j (3)", kind: "wire", legs: ["A:j", "B:j"], owners: ["A", "B"],
        segments: [[102, 80, 188, 80]], ends: [[102, 80], [188, 80]], label: [145, 72], dot: null, open: false },
      { id: "t", index: "t", dim: 2, name: "t", text: "t (2)", kind: "trace", legs: ["C:t", "C:t2"], owners: ["C", "C"],
        segments: [[330, 58, 340, 0], [340, 0, 350, 58]], curve: [330, 58, 340, 0, 350, 58], ends: [[330, 58], [350, 58]],
        label: [360, 20], dot: null, open: false },
      { id: "b", index: "b", dim: 2, name: "b", text: "b (2)", kind: "hyper", legs: ["A:b", "B:b", "C:b"], owners: ["A", "B", "C"],
        segments: [[80, 102, 210, 150], [210, 102, 210, 150], [340, 102, 210, 150], [210, 150, 210, 188]],
        ends: [[80, 102], [210, 102], [340, 102]], label: [240, 175], dot: [210, 150], open: true, end: [210, 188] },
    ],
    stubs: [
      { ref: "A:i", tensor: "A", leg: "i", index: "i", dim: 2, state: "open", line: [58, 80, 20, 80], label: [11, 84], anchor: "end", angle: 180 },
    ],
    viewBox: [-40, -10, 420, 210],
  };
}

test("a drag's preview moves the tensor, its open legs and loops, and its ends of wires", () => {
  const g = drawn();
  const before = JSON.stringify(g);
  const m = moveTensor(g, "A", 10, -20);
  assert.equal(JSON.stringify(g), before, "the geometry from Python is left as it was");
  assert.deepEqual([m.tensors[0].x, m.tensors[0].y], [90, 60]);
  assert.deepEqual(m.tensors[1], g.tensors[1]);
  assert.deepEqual(m.stubs[0].line, [68, 60, 30, 60]);
  assert.deepEqual(m.stubs[0].label, [21, 64]);
  const [wire, trace, hyper] = m.wires;
  assert.deepEqual(wire.segments, [[112, 60, 188, 80]], "A's end moves, B's stays");
  assert.deepEqual(wire.ends, [[112, 60], [188, 80]]);
  assert.deepEqual(wire.label, [150, 62], "the label follows the wire's middle");
  assert.equal(trace, g.wires[1], "C's loop is untouched");
  // the copy dot follows A's share (1 of 3 legs); every leg still meets it
  assert.deepEqual(hyper.ends[0], [90, 82]);
  assert.ok(Math.abs(hyper.dot[0] - (210 + 10 / 3)) < 1e-9 && Math.abs(hyper.dot[1] - (150 - 20 / 3)) < 1e-9);
  for (const s of hyper.segments.slice(0, 3)) assert.deepEqual(s.slice(2), hyper.dot);
  assert.deepEqual(hyper.segments[3].slice(0, 2), hyper.dot);
  assert.deepEqual(hyper.end, hyper.segments[3].slice(2));
  const loop = moveTensor(g, "C", 5, 5).wires[1];
  assert.deepEqual(loop.curve, [335, 63, 345, 5, 355, 63]);
  assert.deepEqual(loop.label, [365, 25]);
});

test("a wire bent round a box: its ends follow their tensors, the bends half as far", () => {
  const g = drawn();
  g.wires[0] = { ...g.wires[0], segments: [[102, 80, 120, 40], [120, 40, 170, 40], [170, 40, 188, 80]] };
  const [wire] = moveTensor(g, "A", 10, -20).wires;
  assert.deepEqual(wire.segments, [[112, 60, 125, 30], [125, 30, 175, 30], [175, 30, 188, 80]]);
});

test("the canvas grows to keep a dragged tensor in view", () => {
  const g = drawn();
  const [x, y, w, h] = moveTensor(g, "B", 0, 400).viewBox;
  assert.ok(y <= g.viewBox[1] && y + h >= 480 + 22, "grown downwards");
  assert.equal(x, g.viewBox[0]);
  assert.equal(w, g.viewBox[2]);
  const [x2] = moveTensor(g, "A", -300, 0).viewBox;
  assert.ok(x2 <= 80 - 300 - 22, "grown leftwards");
  assert.deepEqual(union([0, 0, 10, 10], [5, -5, 10, 10]), [0, -5, 15, 15]);
});

test("the drawing area fills the stage's width at one unit per pixel, centred", () => {
  assert.deepEqual(stageBox([0, 0, 300, 150], 800), [-250, 0, 800, 150]);
  assert.deepEqual(stageBox([0, 0, 900, 150], 800), [0, 0, 900, 150], "wider: scaled down, not cut");
  assert.deepEqual(stageBox([10, 10, 20, 20], 0), [-100, -30, 240, 100], "a smallest stage");
});

test("a dragged tensor stays in the area shown, which grows downwards", () => {
  const shown = [0, 0, 800, 200];
  const t = { x: 100, y: 100, width: 44, height: 44 };
  assert.deepEqual(dragTo(shown, t, false), { x: 100, y: 100, box: shown });
  const right = dragTo(shown, { ...t, x: 2000, y: -500 }, false);
  assert.deepEqual([right.x, right.y], [800 - 26, 26], "held inside on the right and at the top");
  const down = dragTo(shown, { ...t, y: 600 }, false);
  assert.equal(down.y, 600);
  assert.ok(down.box[3] >= 600 + 26 && down.box[2] === 800 && down.box[1] === 0, "grown below only");
  const fixed = dragTo(shown, { ...t, y: 600 }, true);
  assert.deepEqual([fixed.y, fixed.box], [200 - 26, shown], "a fixed height does not grow");
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


test("formatCount: grouped digits below a million, then short scientific (FLOP counts)", () => {
  assert.equal(formatCount(0), "0");
  assert.equal(formatCount(123456), "123,456");
  assert.equal(formatCount(1e6), "1e6");
  assert.equal(formatCount(11_234_567_890_123), "1.1e13");
  assert.equal(formatCount(98_765_432_109_876_543_210), "9.9e19");
  assert.equal(formatCount(2.5e-3), "0.003");
});
