// tensorlessons diagram widget: draws a Diagram as SVG and sends the learner's edits to Python.
//
// One ES module, no bundler (anywidget loads it from a Blob URL). Python owns the Diagram:
// this file draws the `structure` trait, shows the `result` / `inspect` traits (values come
// as little-endian float64 binary buffers), and sends edits as custom messages
// `{type: "edit", edit: {op, ...}}`. Names are always set with textContent / setAttribute,
// never parsed as HTML.

const SVG_NS = "http://www.w3.org/2000/svg";
export const BOX = 44; // height of a tensor's box and its smallest width (as in _render.py)
export const CHAR = 7.5; // estimated width of a character of a tensor's name (bold, 12 px) ...
export const CHAR_UPPER = 9.5; // ... and of a capital letter (W_E is wider than x_e)
export const LABEL_CHAR = 6.2; // estimated width of a character of a leg label (11 px)
export const PAD = 14; // room around a tensor's name inside its box
export const DOT = 7; // radius of a copy tensor's dot
export const LEG = 38; // length of an open leg
export const PARALLEL = 10; // distance between wires joining the same two tensors
export const HYPER_OFFSET = 40; // how far a two-tensor hyperedge's dot sits off their wire
export const TRACE_SPREAD = 35; // a trace loop leaves its tensor at the loop's direction +- this
const PREFERRED = [180, 0, 270, 90, 225, 315, 135, 45];
const DRAG_THRESHOLD = 3;
const KEY_STEP = 10;

/**
 * @typedef {{name: string, index: string, dim: number}} Leg
 * @typedef {{name: string, kind: string, x: number, y: number, legs: Leg[]}} TensorData
 * @typedef {{tensors: TensorData[], output: string[]}} Structure
 * @typedef {{id: string, index: string, dim: number, name: string, text: string, kind: string,
 *   legs: string[], segments: number[][], curve?: number[], label: number[], dot: number[] | null,
 *   open: boolean, ends: number[][], end?: number[]}} Wire
 * @typedef {{ref: string, tensor: string, leg: string, index: string, dim: number,
 *   state: string, line: number[], label: number[], anchor: string, angle: number}} Stub
 * @typedef {{tensors: {name: string, kind: string, x: number, y: number, width: number, label?: number[],
 *   anchor?: string}[], wires: Wire[],
 *   stubs: Stub[], viewBox: number[]}} Geometry
 */

/** @param {number} a @param {number} b */
export function angleGap(a, b) {
  const d = Math.abs(a - b) % 360;
  return Math.min(d, 360 - d);
}

/** @param {number} v */
function mod360(v) {
  return ((v % 360) + 360) % 360;
}

/**
 * Width of a tensor's box: BOX or wider, so that the name fits (as box_width() in Python).
 * @param {string} name
 */
export function boxWidth(name) {
  let text = 0;
  for (const c of name) text += c !== c.toLowerCase() && c === c.toUpperCase() ? CHAR_UPPER : CHAR;
  return Math.max(BOX, Math.ceil(text + PAD));
}

/**
 * Distance from the centre to the shape's edge along `angle` (degrees).
 * @param {number} angle @param {string} kind @param {number} width
 */
function reach(angle, kind, width) {
  if (kind === "copy") return DOT;
  const r = (angle * Math.PI) / 180;
  const dx = Math.abs(Math.cos(r));
  const dy = Math.abs(Math.sin(r));
  return Math.min(width / 2 / Math.max(dx, 1e-9), BOX / 2 / Math.max(dy, 1e-9));
}

/**
 * Where a ray from the centre at `angle` (degrees, y up) leaves the tensor's shape.
 * @param {number} x @param {number} y @param {number} angle @param {string} kind
 * @param {number} [width] the box's width (BOX when omitted)
 * @returns {number[]}
 */
export function boundary(x, y, angle, kind, width = BOX) {
  const r = (angle * Math.PI) / 180;
  const d = reach(angle, kind, width);
  return [x + d * Math.cos(r), y - d * Math.sin(r)];
}

/**
 * How far from a tensor's centre a trace loop's control point (or its own dot) lies.
 * @param {number} angle @param {string} kind @param {number} width @param {number} [factor]
 */
function loopDistance(angle, kind, width, factor = 1.6) {
  return factor * BOX + reach(angle, kind, width) - reach(angle, kind, BOX);
}

/**
 * Baseline point of a wire's (centred) label: beside the wire's middle, never on it
 * (above a horizontal wire, right of a vertical one, up-right of a diagonal one).
 * @param {number[]} p1 @param {number[]} p2 @param {string} text
 */
function wireLabel(p1, p2, text) {
  const dx = p2[0] - p1[0];
  const dy = p2[1] - p1[1];
  const norm = Math.hypot(dx, dy) || 1;
  let nx = -dy / norm;
  let ny = dx / norm;
  if (ny > 1e-9 || (Math.abs(ny) <= 1e-9 && nx < 0)) {
    nx = -nx;
    ny = -ny;
  }
  const half = (LABEL_CHAR * [...text].length) / 2;
  const gap = 4 + half * Math.abs(nx) + 7.5 * Math.abs(ny);
  return [(p1[0] + p2[0]) / 2 + nx * gap, (p1[1] + p2[1]) / 2 + ny * gap + 3.5];
}

/**
 * The direction (degrees) farthest from every angle in `taken`; up if none.
 * @param {number[]} taken
 */
function widestGap(taken) {
  let best = 90;
  let bestGap = -1;
  for (let k = 0; k < 24; k++) {
    const cand = (90 + 15 * k) % 360;
    let gap = 360;
    for (const a of taken) gap = Math.min(gap, angleGap(cand, a));
    if (gap > bestGap + 1e-9) {
      best = cand;
      bestGap = gap;
    }
  }
  return best;
}

/**
 * Baseline point and text-anchor of a copy tensor's name, beside its dot.
 * @param {number} x @param {number} y @param {number} angle
 * @returns {[number[], string]}
 */
function copyLabel(x, y, angle) {
  const r = (angle * Math.PI) / 180;
  const c = Math.cos(r);
  const s = Math.sin(r);
  const d = DOT + 5;
  const dy = s < -0.5 ? 10 : s > 0.5 ? 0 : 4;
  return [[x + d * c, y - d * s + dy], c > 0.3 ? "start" : c < -0.3 ? "end" : "middle"];
}

/**
 * Position and text-anchor of an open leg's label, just beyond its end.
 * @param {number[]} p2 @param {number} angle
 * @returns {[number[], string]}
 */
function stubLabel(p2, angle) {
  const r = (angle * Math.PI) / 180;
  const c = Math.cos(r);
  const s = Math.sin(r);
  return [[p2[0] + 9 * c, p2[1] - 9 * s + (s < -0.5 ? 10 : 4)], c > 0.3 ? "start" : c < -0.3 ? "end" : "middle"];
}

/** @param {number} x1 @param {number} y1 @param {number} x2 @param {number} y2 */
export function direction(x1, y1, x2, y2) {
  return mod360((Math.atan2(-(y2 - y1), x2 - x1) * 180) / Math.PI);
}

/**
 * The picture's shapes, computed as tensorlessons._render.geometry() does in Python:
 * wires between tensors, hyperedges through a copy dot, traces as loops, open and summed
 * legs as stubs placed away from the wires. Pure function (unit-tested with node --test).
 * @param {Structure} st
 * @returns {Geometry}
 */
export function geometry(st) {
  const tensors = st.tensors;
  /** @type {Map<string, TensorData>} */
  const byName = new Map();
  for (const t of tensors) byName.set(t.name, t);
  /** @type {Map<string, [string, number][]>} */
  const members = new Map();
  for (const t of tensors) {
    t.legs.forEach((leg, k) => {
      let g = members.get(leg.index);
      if (!g) members.set(leg.index, (g = []));
      g.push([t.name, k]);
    });
  }
  const out = new Set(st.output);
  /** @type {Map<string, number[]>} */
  const used = new Map();
  /** @type {Map<string, number>} wires between the same two tensors */
  const pairTotal = new Map();
  /** @type {Map<string, number>} */
  const pairSeen = new Map();
  /** @param {string} a @param {string} b */
  const pairKey = (a, b) => (a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`);
  for (const t of tensors) used.set(t.name, []);
  /** @param {string} n */
  const P = (n) => /** @type {TensorData} */ (byName.get(n));
  /** @type {Map<string, number>} */
  const width = new Map();
  for (const t of tensors) width.set(t.name, t.kind === "copy" ? 2 * DOT : boxWidth(t.name));
  /** @param {string} n */
  const W = (n) => /** @type {number} */ (width.get(n));

  for (const [lab, group] of members) {
    const tnames = new Set(group.map((g) => g[0]));
    if (group.length === 2 && !out.has(lab) && tnames.size === 2) {
      const a = P(group[0][0]);
      const b = P(group[1][0]);
      used.get(a.name)?.push(direction(a.x, a.y, b.x, b.y));
      used.get(b.name)?.push(direction(b.x, b.y, a.x, a.y));
      const pair = pairKey(a.name, b.name);
      pairTotal.set(pair, (pairTotal.get(pair) || 0) + 1);
    }
  }
  // Hyperedges between tensors: a copy dot at their mean position; between two tensors
  // also joined by a wire, moved off that wire (to one side, then the other).
  /** @type {Map<string, number[]>} */
  const hyperAt = new Map();
  /** @type {Map<string, number>} */
  const hyperSeen = new Map();
  for (const [lab, group] of members) {
    const tnames = new Set(group.map((g) => g[0]));
    if (group.length < 2 || tnames.size < 2 || (group.length === 2 && !out.has(lab))) continue;
    let cx = mean(group.map((g) => P(g[0]).x));
    let cy = mean(group.map((g) => P(g[0]).y));
    const sorted = [...tnames].sort();
    const pair = pairKey(sorted[0], sorted[1]);
    if (tnames.size === 2 && pairTotal.get(pair)) {
      const k = hyperSeen.get(pair) || 0;
      hyperSeen.set(pair, k + 1);
      const u = P(sorted[0]);
      const v = P(sorted[1]);
      const dx = v.x - u.x;
      const dy = v.y - u.y;
      const norm = Math.hypot(dx, dy) || 1;
      let px = -dy / norm;
      let py = dx / norm;
      if (py < -1e-9 || (Math.abs(py) <= 1e-9 && px < 0)) {
        px = -px; // below the wire first (or right of a vertical one)
        py = -py;
      }
      const off = HYPER_OFFSET * (1 + Math.floor(k / 2)) * (k % 2 === 0 ? 1 : -1);
      cx += px * off;
      cy += py * off;
    }
    hyperAt.set(lab, [cx, cy]);
    for (const [n] of group) used.get(n)?.push(direction(P(n).x, P(n).y, cx, cy));
  }

  /** @param {string} name @param {number} [prefer] */
  function freeAngle(name, prefer = PREFERRED[0]) {
    const taken = /** @type {number[]} */ (used.get(name));
    if (taken.length === 0) {
      taken.push(prefer);
      return prefer;
    }
    let best = 0;
    let bestGap = -1;
    for (let k = 0; k < 24; k++) {
      const cand = (180 + 15 * k) % 360;
      let gap = 360;
      for (const a of taken) gap = Math.min(gap, angleGap(cand, a));
      if (gap > bestGap + 1e-9) {
        best = cand;
        bestGap = gap;
      }
    }
    taken.push(best);
    return best;
  }

  /** @type {Wire[]} */
  const wires = [];
  /** @type {[string, number, string][]} */
  const pending = [];
  for (const [lab, group] of members) {
    const refs = group.map(([n, k]) => `${n}:${P(n).legs[k].name}`);
    const dim = P(group[0][0]).legs[group[0][1]].dim;
    const tnames = new Set(group.map((g) => g[0]));
    // a wire shows its legs' shared name (model, not the index label model3), if any
    const legNames = new Set(group.map(([n, k]) => P(n).legs[k].name));
    const shown = legNames.size === 1 ? [...legNames][0] : lab;
    const text = `${shown} (${dim})`;
    if (group.length === 1) {
      pending.push([group[0][0], group[0][1], out.has(lab) ? "open" : "summed"]);
      continue;
    }
    if (group.length === 2 && !out.has(lab) && tnames.size === 2) {
      const a = P(group[0][0]);
      const b = P(group[1][0]);
      const ang = direction(a.x, a.y, b.x, b.y);
      const p1 = boundary(a.x, a.y, ang, a.kind, W(a.name));
      const p2 = boundary(b.x, b.y, mod360(ang + 180), b.kind, W(b.name));
      // Several wires between the same two tensors: side by side, not on top.
      const pair = pairKey(a.name, b.name);
      const k = pairSeen.get(pair) || 0;
      pairSeen.set(pair, k + 1);
      const off = (k - ((pairTotal.get(pair) || 1) - 1) / 2) * PARALLEL;
      let label = wireLabel(p1, p2, text);
      if (off) {
        const [u, v] = a.name < b.name ? [a, b] : [b, a];
        const rad = (direction(u.x, u.y, v.x, v.y) * Math.PI) / 180;
        const ox = Math.sin(rad) * off;
        const oy = Math.cos(rad) * off;
        // labels of side-by-side wires on their outer sides
        const far = off + Math.sign(off) * 10;
        label = [(p1[0] + p2[0]) / 2 + Math.sin(rad) * far, (p1[1] + p2[1]) / 2 + Math.cos(rad) * far + 4];
        p1[0] += ox;
        p1[1] += oy;
        p2[0] += ox;
        p2[1] += oy;
      }
      wires.push({
        id: lab,
        index: lab,
        dim,
        name: shown,
        text,
        kind: "wire",
        legs: refs,
        segments: [[...p1, ...p2]],
        label,
        dot: null,
        open: false,
        ends: [p1, p2],
      });
      continue;
    }
    if (tnames.size === 1 && group.length === 2 && !out.has(lab)) {
      // A loop in the freest direction (up when there is nothing else), leaving and
      // re-entering the tensor on the same side.
      const t = P(group[0][0]);
      const mid = freeAngle(t.name, 90);
      const taken = /** @type {number[]} */ (used.get(t.name));
      taken.pop();
      const a1 = mod360(mid + TRACE_SPREAD);
      const a2 = mod360(mid - TRACE_SPREAD);
      taken.push(a1, a2);
      const p1 = boundary(t.x, t.y, a1, t.kind, W(t.name));
      const p2 = boundary(t.x, t.y, a2, t.kind, W(t.name));
      const rad = (mid * Math.PI) / 180;
      const r = loopDistance(mid, t.kind, W(t.name), 2.0);
      const c = [t.x + r * Math.cos(rad), t.y - r * Math.sin(rad)];
      const apex = [(p1[0] + 2 * c[0] + p2[0]) / 4, (p1[1] + 2 * c[1] + p2[1]) / 4];
      const half = (LABEL_CHAR * [...text].length) / 2;
      wires.push({
        id: lab,
        index: lab,
        dim,
        name: shown,
        text,
        kind: "trace",
        legs: refs,
        segments: [
          [...p1, ...c],
          [...c, ...p2],
        ],
        curve: [...p1, ...c, ...p2],
        label: [apex[0] + (8 + half) * Math.cos(rad), apex[1] - 12 * Math.sin(rad) + 4],
        dot: null,
        open: false,
        ends: [p1, p2],
      });
      continue;
    }
    let cx = mean(group.map((g) => P(g[0]).x));
    let cy = mean(group.map((g) => P(g[0]).y));
    const at = hyperAt.get(lab);
    if (at) [cx, cy] = at;
    else if (tnames.size === 1) {
      const n = group[0][0];
      const ang = freeAngle(n);
      const r = loopDistance(ang, P(n).kind, W(n));
      cx += r * Math.cos((ang * Math.PI) / 180);
      cy -= r * Math.sin((ang * Math.PI) / 180);
    }
    const segments = [];
    const ends = [];
    for (const [n] of group) {
      const t = P(n);
      const p = boundary(t.x, t.y, direction(t.x, t.y, cx, cy), t.kind, W(n));
      segments.push([...p, cx, cy]);
      ends.push(p);
    }
    if (out.has(lab)) segments.push([cx, cy, cx, cy + LEG]);
    /** @type {Wire} */
    const hw = {
      id: lab,
      index: lab,
      dim,
      name: shown,
      text,
      kind: "hyper",
      legs: refs,
      segments,
      // an open hyperedge's label beside its open leg, away from the wires
      label: out.has(lab) ? [cx + 6 + (LABEL_CHAR * [...text].length) / 2, cy + 0.6 * LEG + 4] : [cx + 8, cy - 8],
      dot: [cx, cy],
      open: out.has(lab),
      ends,
    };
    if (out.has(lab)) hw.end = [cx, cy + LEG]; // the open leg's end, marked like an open stub's
    wires.push(hw);
  }

  /** @type {Stub[]} */
  const stubs = [];
  for (const [n, k, state] of pending) {
    const t = P(n);
    const ang = freeAngle(n);
    const p1 = boundary(t.x, t.y, ang, t.kind, W(n));
    const rad = (ang * Math.PI) / 180;
    const p2 = [p1[0] + LEG * Math.cos(rad), p1[1] - LEG * Math.sin(rad)];
    const [label, anchor] = stubLabel(p2, ang);
    stubs.push({
      ref: `${n}:${t.legs[k].name}`,
      tensor: n,
      leg: t.legs[k].name,
      index: t.legs[k].index,
      dim: t.legs[k].dim,
      state,
      line: [...p1, ...p2],
      label,
      anchor,
      angle: ang,
    });
  }
  const shapes = tensors.map((t) => {
    /** @type {{name: string, kind: string, x: number, y: number, width: number, label?: number[], anchor?: string}} */
    const shape = { name: t.name, kind: t.kind, x: t.x, y: t.y, width: W(t.name) };
    if (t.kind === "copy") {
      // the name beside the dot, where no wire or leg is
      const [label, anchor] = copyLabel(t.x, t.y, widestGap(used.get(t.name) || []));
      shape.label = label;
      shape.anchor = anchor;
    }
    return shape;
  });
  return { tensors: shapes, wires, stubs, viewBox: bounds(shapes, wires, stubs) };
}

/** @param {number[]} xs */
function mean(xs) {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/**
 * Two corners of the estimated extent of a text drawn at (x, y) (its baseline).
 * @param {number} x @param {number} y @param {string} text @param {string} [anchor]
 */
function textBox(x, y, text, anchor = "middle") {
  const w = LABEL_CHAR * [...text].length;
  const x0 = anchor === "middle" ? x - w / 2 : anchor === "end" ? x - w : x;
  return [
    [x0, y - 11],
    [x0 + w, y + 4],
  ];
}

/**
 * The viewBox [x, y, w, h] enclosing every shape and every label (estimated text
 * extents: a trace loop's label, an open leg's label), with a margin; as bounds() in Python.
 * @param {{name: string, kind: string, x: number, y: number, width?: number, label?: number[], anchor?: string}[]} shapes
 * @param {Wire[]} wires @param {Stub[]} stubs
 */
export function bounds(shapes, wires, stubs) {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  /** @param {number} x @param {number} y */
  const add = (x, y) => {
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  };
  /** @param {number[][]} corners */
  const addAll = (corners) => {
    for (const [x, y] of corners) add(x, y);
  };
  for (const s of shapes) {
    if (s.kind === "copy") {
      add(s.x - DOT, s.y - DOT);
      add(s.x + DOT, s.y + DOT);
      const label = s.label || [s.x, s.y - DOT - 5];
      addAll(textBox(label[0], label[1], s.name, s.anchor || "middle"));
    } else {
      const hw = (s.width ?? BOX) / 2;
      add(s.x - hw, s.y - BOX / 2);
      add(s.x + hw, s.y + BOX / 2);
    }
  }
  for (const w of wires) {
    if (w.kind === "trace" && w.curve) {
      // the loop itself, not its control point
      const [x1, y1, cx, cy, x2, y2] = w.curve;
      for (let k = 0; k <= 16; k++) {
        const t = k / 16;
        const a = (1 - t) ** 2;
        const b = 2 * t * (1 - t);
        const c = t * t;
        add(a * x1 + b * cx + c * x2, a * y1 + b * cy + c * y2);
      }
    } else for (const g of w.segments) (add(g[0], g[1]), add(g[2], g[3]));
    addAll(textBox(w.label[0], w.label[1], w.text ?? `${w.index} (${w.dim})`));
  }
  for (const s of stubs) {
    add(s.line[2], s.line[3]);
    addAll(textBox(s.label[0], s.label[1], `${s.leg} (${s.dim})`, s.anchor));
  }
  if (!Number.isFinite(x0)) return [0, 0, 320, 120];
  return [x0 - 10, y0 - 10, x1 - x0 + 20, y1 - y0 + 20];
}

/**
 * Parse "2, 3" into [2, 3]; null when it is not a list of positive integers.
 * @param {string} text
 * @returns {number[] | null}
 */
export function parseDims(text) {
  const parts = String(text)
    .split(/[\s,x×]+/)
    .filter((p) => p.length > 0);
  if (parts.length === 0) return null;
  const dims = parts.map((p) => Number(p));
  if (dims.some((d) => !Number.isInteger(d) || d < 1)) return null;
  return dims;
}

/**
 * A readable number for a cell of the value views.
 * @param {number} v
 */
export function formatNumber(v) {
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(2);
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(4)));
}

/**
 * Little-endian float64 values from a buffer as ipywidgets / anywidget hands it over.
 * @param {any} buf
 * @returns {Float64Array}
 */
export function readFloat64(buf) {
  if (!buf) return new Float64Array(0);
  /** @type {DataView} */
  let view;
  if (buf instanceof DataView) view = buf;
  else if (buf instanceof ArrayBuffer) view = new DataView(buf);
  else if (buf.buffer instanceof ArrayBuffer)
    view = new DataView(buf.buffer, buf.byteOffset || 0, buf.byteLength);
  else return new Float64Array(0);
  const n = Math.floor(view.byteLength / 8);
  const outArr = new Float64Array(n);
  for (let k = 0; k < n; k++) outArr[k] = view.getFloat64(8 * k, true);
  return outArr;
}

// ------------------------------------------------------------------------------------
// DOM helpers
// ------------------------------------------------------------------------------------

/**
 * @param {string} tag @param {Record<string, string | number>} [attrs] @param {string} [text]
 * @returns {SVGElement}
 */
function svg(tag, attrs = {}, text) {
  const e = /** @type {SVGElement} */ (document.createElementNS(SVG_NS, tag));
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/**
 * @param {string} tag @param {Record<string, string | number>} [attrs] @param {string} [text]
 * @returns {HTMLElement}
 */
function html(tag, attrs = {}, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** @param {Element} e @param {number[]} seg */
function setLine(e, seg) {
  e.setAttribute("x1", seg[0].toFixed(1));
  e.setAttribute("y1", seg[1].toFixed(1));
  e.setAttribute("x2", seg[2].toFixed(1));
  e.setAttribute("y2", seg[3].toFixed(1));
}

/** @param {number[]} c */
function curvePath(c) {
  return `M${c[0].toFixed(1)},${c[1].toFixed(1)} Q${c[2].toFixed(1)},${c[3].toFixed(1)} ${c[4].toFixed(1)},${c[5].toFixed(1)}`;
}

/** @param {number} v @param {number} m */
function cellColor(v, m) {
  if (!Number.isFinite(v) || m <= 0) return "var(--tl-cell-bg)";
  const t = Math.max(-1, Math.min(1, v / m));
  const pct = Math.round(Math.abs(t) * 85);
  const c = t >= 0 ? "var(--tl-pos)" : "var(--tl-neg)";
  return `color-mix(in srgb, ${c} ${pct}%, var(--tl-cell-bg))`;
}

/** @param {number[]} shape */
function shapeText(shape) {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
}

// ------------------------------------------------------------------------------------
// The widget
// ------------------------------------------------------------------------------------

/** @param {{model: any, el: HTMLElement}} ctx */
function render({ model, el }) {
  const tFirst = performance.now();
  const root = html("div", {
    class: "tl-widget",
    tabindex: -1,
    "data-lm-suppress-shortcuts": "true",
  });
  el.appendChild(root);

  // ---- toolbar -------------------------------------------------------------------
  const toolbar = html("div", { class: "tl-toolbar", role: "toolbar", "aria-label": "Diagram tools" });
  const palette = html("div", { class: "tl-palette", role: "group", "aria-label": "Add a tensor" });
  const kindSel = /** @type {HTMLSelectElement} */ (
    html("select", { class: "tl-kind", "aria-label": "Kind of tensor to add" })
  );
  for (const [value, label] of [
    ["vector", "vector"],
    ["matrix", "matrix"],
    ["3-leg", "3-leg tensor"],
    ["copy", "copy tensor"],
  ]) {
    const o = /** @type {HTMLOptionElement} */ (html("option", { value }, label));
    kindSel.appendChild(o);
  }
  kindSel.value = "matrix";
  const dimsInput = /** @type {HTMLInputElement} */ (
    html("input", {
      class: "tl-dims",
      type: "text",
      value: "3",
      size: 6,
      "aria-label": "Dimensions of the new tensor's legs (e.g. 2,3)",
      title: "Dimensions, e.g. 3 or 2,3",
    })
  );
  const legsInput = /** @type {HTMLInputElement} */ (
    html("input", {
      class: "tl-copy-legs",
      type: "number",
      min: 1,
      max: 8,
      value: 3,
      "aria-label": "Number of legs of the copy tensor",
      title: "Legs of the copy tensor",
    })
  );
  legsInput.hidden = true;
  const addBtn = html("button", { type: "button", class: "tl-add", "data-action": "add" }, "Add tensor");
  palette.append(kindSel, dimsInput, legsInput, addBtn);
  kindSel.addEventListener("change", () => {
    legsInput.hidden = kindSel.value !== "copy";
  });

  /** @param {string} action @param {string} label @param {string} [title] */
  const button = (action, label, title) =>
    /** @type {HTMLButtonElement} */ (
      html("button", { type: "button", "data-action": action, title: title || label }, label)
    );
  const removeBtn = button("remove", "Remove tensor", "Remove the selected tensor (Delete)");
  const cutBtn = button("cut", "Cut wire", "Cut the selected wire (Delete)");
  const undoBtn = button("undo", "Undo", "Undo (Ctrl+Z)");
  const redoBtn = button("redo", "Redo", "Redo (Ctrl+Shift+Z)");
  const resetBtn = button("reset", "Reset", "Go back to the starting diagram");
  const edits = html("div", { class: "tl-group", role: "group", "aria-label": "Edit" });
  edits.append(removeBtn, cutBtn, undoBtn, redoBtn, resetBtn);
  const exportsGroup = html("div", { class: "tl-group", role: "group", "aria-label": "Export" });
  exportsGroup.append(
    button("export-einsum", "Copy einsum", "Copy the diagram as an np.einsum call"),
    button("export-code", "Copy code", "Copy numpy + tensorlessons code that rebuilds the diagram"),
    button("export-tikz", "Copy TikZ", "Copy the picture as TikZ code"),
    button("export-svg", "Download SVG", "Download the picture as an SVG file"),
  );
  toolbar.append(palette, edits, exportsGroup);

  const alertBox = html("div", { class: "tl-alert", role: "alert" });
  const statusBox = html("div", { class: "tl-status", role: "status", "aria-live": "polite" });

  // ---- stage -----------------------------------------------------------------------
  const stage = html("div", { class: "tl-stage" });
  const svgEl = /** @type {SVGSVGElement} */ (
    svg("svg", { class: "tl-svg", role: "group", "aria-label": "Tensor diagram" })
  );
  const layerWires = svg("g", { class: "tl-layer-wires" });
  const layerStubs = svg("g", { class: "tl-layer-stubs" });
  const layerTensors = svg("g", { class: "tl-layer-tensors" });
  const tempLine = svg("line", { class: "tl-temp" });
  svgEl.append(layerWires, layerStubs, layerTensors, tempLine);
  const renameInput = /** @type {HTMLInputElement} */ (
    html("input", { class: "tl-rename", type: "text", "aria-label": "New name" })
  );
  renameInput.hidden = true;
  stage.append(svgEl, renameInput);

  // ---- panels ------------------------------------------------------------------------
  const panels = html("div", { class: "tl-panels" });
  const resultPanel = html("section", { class: "tl-result", "aria-label": "Result" });
  const inspectPanel = html("section", { class: "tl-inspect", "aria-label": "Selected tensor" });
  panels.append(resultPanel, inspectPanel);
  const exportText = /** @type {HTMLTextAreaElement} */ (
    html("textarea", { class: "tl-export", readonly: "", rows: 4, "aria-label": "Exported text" })
  );
  exportText.hidden = true;
  root.append(toolbar, stage, alertBox, statusBox, panels, exportText);

  // ---- state ---------------------------------------------------------------------------
  /** @type {Structure} */
  let structure = { tensors: [], output: [] };
  /** @type {Geometry | null} */
  let geom = null;
  /** @type {Map<string, SVGElement>} */
  let tensorEls = new Map();
  /** @type {{g: SVGElement, lines: SVGElement[], hits: SVGElement[], ends: SVGElement[], dot: SVGElement | null, openEnd: SVGElement | null, label: SVGElement}[]} */
  let wireEls = [];
  /** @type {{g: SVGElement, line: SVGElement, hit: SVGElement, handle: SVGElement, label: SVGElement}[]} */
  let stubEls = [];
  /** @type {string | null} */
  let selectedWire = null;
  /** @type {any} */
  let press = null; // pointer state: {kind, name|ref, x0, y0, startX, startY, active}
  let rebuildPending = false;
  let msgId = 0;
  /** @type {any} */
  const perf = /** @type {any} */ (globalThis).__tlPerf;

  /** @param {Record<string, any>} edit */
  function sendEdit(edit) {
    model.send({ type: "edit", edit, id: ++msgId });
  }

  /** @param {string} text */
  function showError(text) {
    alertBox.textContent = text;
    alertBox.classList.toggle("tl-visible", Boolean(text));
  }

  /** @param {string} text */
  function showStatus(text) {
    statusBox.textContent = text;
  }

  // ---- drawing ---------------------------------------------------------------------------

  function tensorByName(/** @type {string} */ name) {
    return structure.tensors.find((t) => t.name === name);
  }

  function rebuild() {
    const t0 = performance.now();
    rebuildPending = false;
    const active = document.activeElement;
    const hadFocus = active instanceof Element && root.contains(active);
    const focusTensor = active instanceof Element && svgEl.contains(active) ? active.getAttribute("data-tensor") : null;
    const focusWire = active instanceof Element && svgEl.contains(active) ? active.getAttribute("data-wire") : null;
    structure = model.get("structure") || { tensors: [], output: [] };
    geom = geometry(structure);
    layerWires.replaceChildren();
    layerStubs.replaceChildren();
    layerTensors.replaceChildren();
    tensorEls = new Map();
    wireEls = [];
    stubEls = [];
    const wireIds = new Set();
    for (const w of geom.wires) {
      wireIds.add(w.id);
      const g = svg("g", {
        class: `tl-wire-group tl-wk-${w.kind}`,
        "data-wire": w.id,
        "data-index": w.index,
        tabindex: 0,
        role: "button",
        "aria-label": `${w.kind === "hyper" ? "Copy-tensor wire" : w.kind === "trace" ? "Trace wire" : "Wire"} ${w.name} (dimension ${w.dim}) joining ${w.legs.join(", ")}. Delete cuts it.`,
      });
      const lines = [];
      const hits = [];
      if (w.kind === "trace" && w.curve) {
        const hit = svg("path", { class: "tl-hit", d: curvePath(w.curve) });
        const p = svg("path", { class: "tl-wire", d: curvePath(w.curve) });
        g.append(hit, p);
        lines.push(p);
        hits.push(hit);
      } else {
        for (const seg of w.segments) {
          const hit = svg("line", { class: "tl-hit" });
          const l = svg("line", { class: "tl-wire" });
          setLine(hit, seg);
          setLine(l, seg);
          g.append(hit, l);
          lines.push(l);
          hits.push(hit);
        }
      }
      let dot = null;
      if (w.dot) {
        dot = svg("circle", { class: "tl-hyper", r: 5, cx: w.dot[0], cy: w.dot[1] });
        g.appendChild(dot);
      }
      const ends = [];
      for (let k = 0; k < w.legs.length; k++) {
        const e = svg("circle", {
          class: "tl-end",
          r: 4,
          cx: w.ends[k][0],
          cy: w.ends[k][1],
          "data-leg": w.legs[k],
          "data-state": "joined",
        });
        g.appendChild(e);
        ends.push(e);
      }
      let openEnd = null;
      if (w.end) {
        // an open leg of a copy tensor ends like any open leg
        openEnd = svg("circle", { class: "tl-handle tl-open tl-open-end", r: 5, cx: w.end[0], cy: w.end[1], "data-state": "open" });
        g.appendChild(openEnd);
      }
      const label = svg("text", { class: "tl-label", x: w.label[0], y: w.label[1], "text-anchor": "middle" }, w.text);
      g.appendChild(label);
      if (w.id === selectedWire) g.classList.add("tl-selected");
      layerWires.appendChild(g);
      wireEls.push({ g, lines, hits, ends, dot, openEnd, label });
    }
    if (selectedWire !== null && !wireIds.has(selectedWire)) selectedWire = null;
    for (const s of geom.stubs) {
      const g = svg("g", {
        class: "tl-stub",
        "data-leg": s.ref,
        "data-state": s.state,
        "aria-label": `${s.state === "open" ? "Open leg" : "Summed leg"} ${s.ref} (dimension ${s.dim}); drag its end onto another leg to connect; double-click to rename`,
      });
      const hit = svg("line", { class: "tl-hit" });
      const line = svg("line", { class: "tl-leg" });
      setLine(hit, s.line);
      setLine(line, s.line);
      const handle = svg("circle", { class: `tl-handle tl-${s.state}`, r: s.state === "summed" ? 4 : 5, cx: s.line[2], cy: s.line[3] });
      const label = svg("text", { class: "tl-label", x: s.label[0], y: s.label[1], "text-anchor": s.anchor }, `${s.leg} (${s.dim})`);
      g.append(hit, line, handle, label);
      layerStubs.appendChild(g);
      stubEls.push({ g, line, hit, handle, label });
    }
    const selected = model.get("selected");
    for (const t of structure.tensors) {
      const legsText = t.legs.map((l) => `${l.name} (dimension ${l.dim})`).join(", ");
      const g = svg("g", {
        class: `tl-tensor tl-kind-${t.kind}`,
        "data-tensor": t.name,
        tabindex: 0,
        role: "button",
        "aria-roledescription": t.kind === "copy" ? "copy tensor" : "tensor",
        "aria-label": `${t.kind === "copy" ? "Copy tensor" : "Tensor"} ${t.name}, legs ${legsText || "none"}. Enter inspects, arrow keys move, Delete removes, F2 renames.`,
        transform: `translate(${t.x.toFixed(1)},${t.y.toFixed(1)})`,
      });
      if (t.kind === "copy") {
        g.append(
          svg("circle", { class: "tl-hit-dot", r: 14, cx: 0, cy: 0 }),
          svg("circle", { class: "tl-copy", r: DOT, cx: 0, cy: 0 }),
          copyName(t, svg("text", { class: "tl-label tl-copy-name" }, t.name)),
        );
      } else {
        g.append(
          svg("rect", { class: "tl-box", x: -boxWidth(t.name) / 2, y: -BOX / 2, width: boxWidth(t.name), height: BOX, rx: 8 }),
          svg("text", { class: "tl-name", x: 0, y: 4, "text-anchor": "middle" }, t.name),
        );
      }
      if (t.name === selected) g.classList.add("tl-selected");
      layerTensors.appendChild(g);
      tensorEls.set(t.name, g);
    }
    fitView();
    svgEl.setAttribute(
      "aria-label",
      `Tensor diagram: ${structure.tensors.length} tensor(s), ${geom.wires.length} wire(s), result legs ${structure.output.join(", ") || "none (a number)"}`,
    );
    svgEl.setAttribute("data-version", String(model.get("version") ?? 0));
    updateButtons();
    const restore = focusTensor !== null ? tensorEls.get(focusTensor) : focusWire !== null ? layerWires.querySelector(`[data-wire="${CSS.escape(focusWire)}"]`) : null;
    if (restore instanceof SVGElement) restore.focus();
    else if (hadFocus && !root.contains(document.activeElement)) root.focus({ preventScroll: true });
    const ms = performance.now() - t0;
    root.setAttribute("data-render-ms", ms.toFixed(2));
    if (perf) (perf.render = perf.render || []).push(ms);
  }

  function fitView() {
    if (!geom) return;
    const [x, y, w, h] = geom.viewBox;
    const vw = Math.max(w, 240);
    const vh = Math.max(h, 100);
    svgEl.setAttribute("viewBox", `${(x - (vw - w) / 2).toFixed(1)} ${(y - (vh - h) / 2).toFixed(1)} ${vw.toFixed(1)} ${vh.toFixed(1)}`);
    const fixedHeight = model.get("height");
    if (fixedHeight > 0) {
      svgEl.setAttribute("height", String(fixedHeight));
      svgEl.removeAttribute("width");
    } else {
      svgEl.setAttribute("width", vw.toFixed(0));
      svgEl.setAttribute("height", vh.toFixed(0));
    }
  }

  /**
   * Place a copy tensor's name where geometry() put it (relative to the tensor's group).
   * @param {{name: string, x: number, y: number}} t @param {Element} text
   */
  function copyName(t, text) {
    const shape = geom?.tensors.find((s) => s.name === t.name);
    const label = shape?.label || [t.x, t.y - DOT - 5];
    text.setAttribute("x", (label[0] - t.x).toFixed(1));
    text.setAttribute("y", (label[1] - t.y).toFixed(1));
    text.setAttribute("text-anchor", shape?.anchor || "middle");
    return text;
  }

  /** Move the drawn shapes to the positions in `structure` without rebuilding the DOM. */
  function relayout() {
    geom = geometry(structure);
    for (const t of structure.tensors) {
      const g = tensorEls.get(t.name);
      g?.setAttribute("transform", `translate(${t.x.toFixed(1)},${t.y.toFixed(1)})`);
      const name = g?.querySelector(".tl-copy-name");
      if (name) copyName(t, name);
    }
    geom.wires.forEach((w, i) => {
      const els = wireEls[i];
      if (!els) return;
      if (w.kind === "trace" && w.curve) {
        const d = curvePath(w.curve);
        els.lines[0].setAttribute("d", d);
        els.hits[0].setAttribute("d", d);
      } else {
        w.segments.forEach((seg, k) => {
          if (els.lines[k]) setLine(els.lines[k], seg);
          if (els.hits[k]) setLine(els.hits[k], seg);
        });
      }
      if (w.dot && els.dot) {
        els.dot.setAttribute("cx", w.dot[0].toFixed(1));
        els.dot.setAttribute("cy", w.dot[1].toFixed(1));
      }
      w.ends.forEach((p, k) => {
        els.ends[k]?.setAttribute("cx", p[0].toFixed(1));
        els.ends[k]?.setAttribute("cy", p[1].toFixed(1));
      });
      if (w.end && els.openEnd) {
        els.openEnd.setAttribute("cx", w.end[0].toFixed(1));
        els.openEnd.setAttribute("cy", w.end[1].toFixed(1));
      }
      els.label.setAttribute("x", w.label[0].toFixed(1));
      els.label.setAttribute("y", w.label[1].toFixed(1));
    });
    geom.stubs.forEach((s, i) => {
      const els = stubEls[i];
      if (!els) return;
      setLine(els.line, s.line);
      setLine(els.hit, s.line);
      els.handle.setAttribute("cx", s.line[2].toFixed(1));
      els.handle.setAttribute("cy", s.line[3].toFixed(1));
      els.label.setAttribute("x", s.label[0].toFixed(1));
      els.label.setAttribute("y", s.label[1].toFixed(1));
      els.label.setAttribute("text-anchor", s.anchor);
    });
  }

  function updateButtons() {
    const editable = model.get("editable");
    undoBtn.disabled = !model.get("can_undo");
    redoBtn.disabled = !model.get("can_redo");
    const sel = model.get("selected");
    removeBtn.disabled = !editable || !sel;
    cutBtn.disabled = !editable || selectedWire === null;
    resetBtn.hidden = !model.get("key");
    palette.hidden = !editable;
    removeBtn.hidden = !editable;
    cutBtn.hidden = !editable;
  }

  // ---- value views -------------------------------------------------------------------------

  /**
   * What a value table shows, apart from the values: equal signatures can be updated in place.
   * @param {any} meta @param {string} prefix @param {boolean} editable
   */
  function tableSig(meta, prefix, editable) {
    return JSON.stringify([prefix, meta.shape, meta.fixed, meta.row0, meta.col0, meta.nrows, meta.ncols, editable]);
  }

  /**
   * Put new values into an existing table (keeps the element the learner is typing in).
   * @param {HTMLElement} table @param {any} meta @param {Float64Array} vals
   */
  function refreshTable(table, meta, vals) {
    const showNumbers = meta.ncols <= 12 && meta.nrows <= 12;
    const m = meta.absmax || 0;
    const cells = table.querySelectorAll("td");
    cells.forEach((td, k) => {
      const v = vals[k];
      const title = td.getAttribute("title") || "";
      td.setAttribute("title", `${title.slice(0, title.lastIndexOf("= ") + 2)}${v}`);
      td.style.background = cellColor(v, m);
      const inp = td.querySelector("input");
      if (inp) {
        if (inp !== document.activeElement) inp.value = formatNumber(v);
      } else if (showNumbers) td.textContent = formatNumber(v);
    });
  }

  /**
   * A heatmap table of a window of values (numbers shown when the window is small).
   * @param {any} meta @param {Float64Array} vals @param {string} label
   * @param {((index: number[], value: string) => void) | null} onEdit
   * @param {string} prefix
   */
  function valueTable(meta, vals, label, onEdit, prefix) {
    const table = html("table", { class: "tl-heatmap", "aria-label": label });
    const body = html("tbody");
    const showNumbers = meta.ncols <= 12 && meta.nrows <= 12;
    const m = meta.absmax || 0;
    const vector = meta.shape.length === 1;
    for (let r = 0; r < meta.nrows; r++) {
      const tr = html("tr");
      for (let c = 0; c < meta.ncols; c++) {
        const v = vals[r * meta.ncols + c];
        const gi = meta.row0 + r;
        const gj = meta.col0 + c;
        const index = vector ? [gj] : [...meta.fixed, gi, gj];
        const where = `${prefix}[${index.join(", ")}]`;
        const td = html("td", { "data-index": index.join(","), title: `${where} = ${v}` });
        td.style.background = cellColor(v, m);
        if (onEdit) {
          const inp = /** @type {HTMLInputElement} */ (
            html("input", { type: "text", inputmode: "decimal", class: "tl-cell", "aria-label": where, value: formatNumber(v) })
          );
          inp.addEventListener("change", () => onEdit(index, inp.value));
          inp.addEventListener("keydown", (ev) => {
            if (ev.key === "Enter") {
              ev.preventDefault();
              inp.blur();
            }
            ev.stopPropagation();
          });
          td.appendChild(inp);
        } else if (showNumbers) {
          td.textContent = formatNumber(v);
        }
        tr.appendChild(td);
      }
      body.appendChild(tr);
    }
    table.appendChild(body);
    table.setAttribute("data-sig", tableSig(meta, prefix, Boolean(onEdit)));
    return table;
  }

  /**
   * Controls that choose which window / slice of a large array is shown.
   * @param {any} meta @param {string[]} axisNames @param {string} trait
   */
  function windowControls(meta, axisNames, trait) {
    const box = html("div", { class: "tl-window" });
    const current = { ...(model.get(trait) || {}) };
    /** @param {string} text @param {number} value @param {number} max @param {(v: number) => void} set */
    const num = (text, value, max, set) => {
      const lab = html("label", {}, `${text} `);
      const inp = /** @type {HTMLInputElement} */ (html("input", { type: "number", min: 0, max, value, "aria-label": text }));
      inp.addEventListener("change", () => {
        const v = Math.max(0, Math.min(max, Math.round(Number(inp.value) || 0)));
        set(v);
        model.set(trait, { ...current });
        model.save_changes();
      });
      inp.addEventListener("keydown", (ev) => ev.stopPropagation());
      lab.appendChild(inp);
      box.appendChild(lab);
    };
    meta.fixed.forEach((/** @type {number} */ v, /** @type {number} */ k) => {
      num(`${axisNames[k] ?? `axis ${k}`} =`, v, meta.shape[k] - 1, (x) => {
        const fixed = [...meta.fixed];
        fixed[k] = x;
        current.fixed = fixed;
      });
    });
    if (meta.rows > meta.nrows) num("rows from", meta.row0, meta.rows - 1, (x) => (current.row0 = x));
    if (meta.cols > meta.ncols) num("columns from", meta.col0, meta.cols - 1, (x) => (current.col0 = x));
    return box;
  }

  function renderResult() {
    const res = model.get("result") || {};
    const meta = res.values || {};
    const oldTable = /** @type {HTMLElement | null} */ (resultPanel.querySelector("table.tl-heatmap"));
    const active = document.activeElement;
    const focusLabel = active instanceof HTMLInputElement && resultPanel.contains(active) ? active.getAttribute("aria-label") : null;
    resultPanel.replaceChildren();
    resultPanel.setAttribute("data-version", String(res.version ?? ""));
    resultPanel.appendChild(html("h4", {}, "Result"));
    const eq = html("div", { class: "tl-einsum" });
    eq.append(html("span", { class: "tl-key" }, "einsum "), html("code", {}, res.einsum ?? ""));
    resultPanel.appendChild(eq);
    const legs = res.output && res.output.length ? res.output.join(", ") : "none (a number)";
    resultPanel.appendChild(html("div", { class: "tl-legs" }, `legs: ${legs} · shape ${shapeText(res.shape || [])}`));
    if (res.cost) {
      const c = res.cost;
      const n = (/** @type {number} */ v) => Number(v).toLocaleString("en-US");
      const pairwise = (c.steps || []).some((/** @type {string} */ s) => s.includes(" · "));
      const kept = new Set(res.output || []);
      /** @type {Structure} */
      const st = model.get("structure") || { tensors: [], output: [] };
      const sums = st.tensors.some((t) => t.legs.some((l) => !kept.has(l.index)));
      const cost = html(
        "div",
        { class: "tl-cost" },
        pairwise
          ? `cost: ${n(c.flops)} FLOPs (one big sum: ${n(c.naive_flops)}); largest intermediate ${n(c.largest_intermediate)} elements`
          : `cost: nothing to contract${sums ? ` (summing the tensor's own legs: ${n(c.flops)} FLOPs)` : ""}`,
      );
      if (c.steps && c.steps.length) cost.title = c.steps.map((/** @type {string} */ s, /** @type {number} */ k) => `step ${k + 1}: ${s}`).join("\n");
      resultPanel.appendChild(cost);
    }
    const values = html("div", { class: "tl-values" });
    const vals = readFloat64(model.get("result_data"));
    if (meta.kind === "scalar") {
      values.appendChild(html("div", { class: "tl-scalar", "aria-label": "result value" }, formatNumber(meta.value)));
    } else if (meta.kind === "heatmap" || meta.kind === "slice") {
      if (meta.kind === "slice") {
        const fixedText = meta.fixed.map((/** @type {number} */ v, /** @type {number} */ k) => `${res.output[k]}=${v}`).join(", ");
        values.appendChild(html("div", { class: "tl-note" }, `slice ${fixedText} of ${shapeText(meta.shape)}`));
      }
      if (meta.rows > meta.nrows || meta.cols > meta.ncols) {
        values.appendChild(html("div", { class: "tl-note" }, `showing rows ${meta.row0}–${meta.row0 + meta.nrows - 1} of ${meta.rows}, columns ${meta.col0}–${meta.col0 + meta.ncols - 1} of ${meta.cols}`));
      }
      if (oldTable && oldTable.getAttribute("data-sig") === tableSig(meta, "result", false)) {
        refreshTable(oldTable, meta, vals);
        values.appendChild(oldTable);
      } else {
        values.appendChild(valueTable(meta, vals, "result values", null, "result"));
      }
      values.appendChild(windowControls(meta, res.output || [], "view"));
    } else if (meta.kind === "error") {
      values.appendChild(html("div", { class: "tl-note" }, meta.message || "cannot contract"));
    }
    if (meta.complex) values.appendChild(html("div", { class: "tl-note" }, "complex values: real part shown"));
    resultPanel.appendChild(values);
    if (focusLabel !== null) {
      // keep the learner in the control they were using
      for (const inp of resultPanel.querySelectorAll("input")) {
        if (inp.getAttribute("aria-label") === focusLabel) inp.focus({ preventScroll: true });
      }
    }
  }

  function renderInspect() {
    const info = model.get("inspect") || {};
    const oldTable = /** @type {HTMLElement | null} */ (inspectPanel.querySelector("table.tl-heatmap"));
    if (info.name && oldTable && oldTable.getAttribute("data-sig") === tableSig(info, info.name, Boolean(info.editable))) {
      refreshTable(oldTable, info, readFloat64(model.get("inspect_data")));
      return;
    }
    const active = document.activeElement;
    const focusLabel = active instanceof HTMLInputElement && inspectPanel.contains(active) ? active.getAttribute("aria-label") : null;
    inspectPanel.replaceChildren();
    if (!info.name) {
      inspectPanel.appendChild(html("div", { class: "tl-note" }, "Click a tensor to see its values."));
      return;
    }
    inspectPanel.setAttribute("data-inspect", info.name);
    inspectPanel.appendChild(html("h4", {}, `${info.tensor_kind === "copy" ? "Copy tensor" : "Tensor"} `));
    inspectPanel.querySelector("h4")?.appendChild(html("span", { class: "tl-inspect-name" }, info.name));
    inspectPanel.appendChild(html("div", { class: "tl-legs" }, `legs: ${info.legs.join(", ") || "none"} · shape ${shapeText(info.shape)}`));
    const vals = readFloat64(model.get("inspect_data"));
    if (info.kind === "scalar") {
      inspectPanel.appendChild(html("div", { class: "tl-scalar" }, formatNumber(info.value)));
      return;
    }
    const onEdit = info.editable
      ? (/** @type {number[]} */ index, /** @type {string} */ value) => sendEdit({ op: "set_value", name: info.name, index, value })
      : null;
    if (info.kind === "slice") {
      const fixedText = info.fixed.map((/** @type {number} */ v, /** @type {number} */ k) => `${info.legs[k]}=${v}`).join(", ");
      inspectPanel.appendChild(html("div", { class: "tl-note" }, `slice ${fixedText}`));
    }
    inspectPanel.appendChild(valueTable(info, vals, `values of ${info.name}`, onEdit, info.name));
    inspectPanel.appendChild(windowControls(info, info.legs, "inspect_view"));
    if (focusLabel !== null) {
      for (const inp of inspectPanel.querySelectorAll("input")) {
        if (inp.getAttribute("aria-label") === focusLabel) inp.focus({ preventScroll: true });
      }
    }
  }

  // ---- selection -------------------------------------------------------------------------

  /** @param {string} name */
  function selectTensor(name) {
    selectWire(null);
    if (model.get("selected") !== name) {
      if (model.get("inspect_view") && Object.keys(model.get("inspect_view")).length) model.set("inspect_view", {});
      model.set("selected", name);
      model.save_changes();
    }
    for (const [n, g] of tensorEls) g.classList.toggle("tl-selected", n === name);
    updateButtons();
  }

  /** @param {string | null} id */
  function selectWire(id) {
    selectedWire = id;
    for (const w of wireEls) w.g.classList.toggle("tl-selected", w.g.getAttribute("data-wire") === id);
    updateButtons();
  }

  function cutSelected() {
    if (selectedWire === null || !geom) return;
    const w = geom.wires.find((x) => x.id === selectedWire);
    if (w) sendEdit({ op: "cut", legs: w.legs });
    selectWire(null);
  }

  function removeSelected() {
    const name = model.get("selected");
    if (name) sendEdit({ op: "remove", name });
  }

  // ---- rename -----------------------------------------------------------------------------

  /** @param {Element} target @param {string} current @param {(v: string) => void} done @param {string} label */
  function startRename(target, current, done, label) {
    const r = target.getBoundingClientRect();
    const s = stage.getBoundingClientRect();
    renameInput.hidden = false;
    renameInput.value = current;
    renameInput.setAttribute("aria-label", label);
    renameInput.style.left = `${Math.max(0, r.left - s.left + r.width / 2 - 50)}px`;
    renameInput.style.top = `${Math.max(0, r.top - s.top + r.height / 2 - 12)}px`;
    renameInput.focus();
    renameInput.select();
    /** @param {KeyboardEvent} ev */
    const onKey = (ev) => {
      ev.stopPropagation();
      if (ev.key === "Enter") {
        ev.preventDefault();
        const v = renameInput.value.trim();
        finish();
        if (v && v !== current) done(v);
      } else if (ev.key === "Escape") {
        ev.preventDefault();
        finish();
      }
    };
    const finish = () => {
      renameInput.removeEventListener("keydown", onKey);
      renameInput.removeEventListener("blur", finish);
      renameInput.hidden = true;
    };
    renameInput.addEventListener("keydown", onKey);
    renameInput.addEventListener("blur", finish);
  }

  /** @param {string} name */
  function renameTensor(name) {
    const g = tensorEls.get(name);
    if (!g || !model.get("editable")) return;
    startRename(g, name, (v) => sendEdit({ op: "rename_tensor", old: name, new: v }), `New name for tensor ${name}`);
  }

  /** @param {string} ref @param {Element} target */
  function renameLeg(ref, target) {
    if (!model.get("editable")) return;
    const leg = ref.slice(ref.indexOf(":") + 1);
    startRename(target, leg, (v) => sendEdit({ op: "rename_leg", ref, new: v }), `New name for leg ${ref}`);
  }

  // ---- pointer interaction -----------------------------------------------------------------

  /** @param {PointerEvent | MouseEvent} ev */
  function toSvg(ev) {
    const ctm = svgEl.getScreenCTM();
    if (!ctm) return { x: ev.clientX, y: ev.clientY };
    const p = new DOMPoint(ev.clientX, ev.clientY).matrixTransform(ctm.inverse());
    return { x: p.x, y: p.y };
  }

  /**
   * The leg end under a point (other than `except`): handles first, then any leg element.
   * @param {number} x @param {number} y @param {string} except
   * @returns {Element | null}
   */
  function legAt(x, y, except) {
    /** @type {Element | null} */
    let fallback = null;
    for (const e of document.elementsFromPoint(x, y)) {
      const leg = e.closest("[data-leg]");
      if (!leg || !svgEl.contains(leg) || leg.getAttribute("data-leg") === except) continue;
      if (e.classList.contains("tl-handle") || e.classList.contains("tl-end")) return leg;
      if (!fallback) fallback = leg;
    }
    return fallback;
  }

  /** @param {PointerEvent} ev */
  function onPointerDown(ev) {
    if (ev.button !== 0) return;
    const target = /** @type {Element} */ (ev.target);
    const tEl = target.closest("[data-tensor]");
    const legEl = target.closest(".tl-stub[data-leg]");
    const wEl = target.closest("[data-wire]");
    const p = toSvg(ev);
    if (legEl && model.get("editable")) {
      const ref = /** @type {string} */ (legEl.getAttribute("data-leg"));
      const s = geom?.stubs.find((x) => x.ref === ref);
      if (!s) return;
      press = { kind: "leg", ref, x0: s.line[2], y0: s.line[3], cx: ev.clientX, cy: ev.clientY, active: false, id: ev.pointerId };
    } else if (tEl) {
      const name = /** @type {string} */ (tEl.getAttribute("data-tensor"));
      const t = tensorByName(name);
      if (!t) return;
      press = { kind: "tensor", name, dx: p.x - t.x, dy: p.y - t.y, cx: ev.clientX, cy: ev.clientY, active: false, id: ev.pointerId, moved: false };
    } else if (wEl) {
      selectWire(/** @type {string} */ (wEl.getAttribute("data-wire")));
      /** @type {SVGElement} */ (wEl).focus();
      press = null;
    } else {
      press = null;
      selectWire(null);
      root.focus({ preventScroll: true });
    }
  }

  /** @param {PointerEvent} ev */
  function onPointerMove(ev) {
    if (!press) return;
    if (!press.active) {
      if (Math.hypot(ev.clientX - press.cx, ev.clientY - press.cy) < DRAG_THRESHOLD) return;
      press.active = true;
      try {
        svgEl.setPointerCapture(press.id);
      } catch (_) {
        /* pointer already released */
      }
      root.classList.add(press.kind === "leg" ? "tl-linking" : "tl-dragging");
    }
    const t0 = perf ? performance.now() : 0;
    const p = toSvg(ev);
    if (press.kind === "tensor") {
      const t = tensorByName(press.name);
      if (!t) return;
      t.x = p.x - press.dx;
      t.y = p.y - press.dy;
      press.moved = true;
      relayout();
    } else {
      tempLine.setAttribute("x1", press.x0.toFixed(1));
      tempLine.setAttribute("y1", press.y0.toFixed(1));
      tempLine.setAttribute("x2", p.x.toFixed(1));
      tempLine.setAttribute("y2", p.y.toFixed(1));
      tempLine.classList.add("tl-visible");
      const over = legAt(ev.clientX, ev.clientY, press.ref);
      for (const e of svgEl.querySelectorAll(".tl-drop")) if (e !== over) e.classList.remove("tl-drop");
      if (over) over.classList.add("tl-drop");
    }
    if (perf) {
      svgEl.getBoundingClientRect(); // include style and layout in the measured frame work
      (perf.drag = perf.drag || []).push(performance.now() - t0);
    }
  }

  /** @param {PointerEvent} ev */
  function onPointerUp(ev) {
    const p = press;
    press = null;
    root.classList.remove("tl-dragging", "tl-linking");
    tempLine.classList.remove("tl-visible");
    for (const e of svgEl.querySelectorAll(".tl-drop")) e.classList.remove("tl-drop");
    if (!p) return;
    try {
      if (svgEl.hasPointerCapture(p.id)) svgEl.releasePointerCapture(p.id);
    } catch (_) {
      /* ignore */
    }
    if (p.kind === "tensor") {
      if (p.active && p.moved) {
        const t = tensorByName(p.name);
        if (t) sendEdit({ op: "move", name: p.name, x: Math.round(t.x * 10) / 10, y: Math.round(t.y * 10) / 10 });
      } else {
        selectTensor(p.name);
        tensorEls.get(p.name)?.focus({ preventScroll: true });
      }
    } else if (p.kind === "leg" && p.active) {
      const over = legAt(ev.clientX, ev.clientY, p.ref);
      const ref = over ? over.getAttribute("data-leg") : null;
      if (ref) sendEdit({ op: "connect", a: p.ref, b: ref });
    }
    if (rebuildPending) rebuild();
  }

  /** @param {MouseEvent} ev */
  function onDoubleClick(ev) {
    const target = /** @type {Element} */ (ev.target);
    const legEl = target.closest("[data-leg]");
    if (legEl) {
      ev.preventDefault();
      renameLeg(/** @type {string} */ (legEl.getAttribute("data-leg")), legEl);
      return;
    }
    const tEl = target.closest("[data-tensor]");
    if (tEl) {
      ev.preventDefault();
      renameTensor(/** @type {string} */ (tEl.getAttribute("data-tensor")));
    }
  }

  // ---- keyboard --------------------------------------------------------------------------------

  /** @param {KeyboardEvent} ev */
  function onKeyDown(ev) {
    const target = /** @type {Element} */ (ev.target);
    if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) {
      // Keep typing inside the widget's own fields away from notebook shortcuts.
      ev.stopPropagation();
      return;
    }
    const ctrl = ev.ctrlKey || ev.metaKey;
    const key = ev.key;
    let handled = true;
    if (ctrl && (key === "z" || key === "Z")) {
      sendEdit({ op: ev.shiftKey ? "redo" : "undo" });
    } else if (ctrl && (key === "y" || key === "Y")) {
      sendEdit({ op: "redo" });
    } else if (key === "Delete" || key === "Backspace") {
      const wire = target.closest?.("[data-wire]");
      const tEl = target.closest?.("[data-tensor]");
      if (wire || selectedWire !== null) {
        if (wire) selectWire(wire.getAttribute("data-wire"));
        cutSelected();
      } else if (tEl) {
        sendEdit({ op: "remove", name: tEl.getAttribute("data-tensor") });
      } else if (model.get("selected")) {
        removeSelected();
      } else handled = false;
    } else if (key.startsWith("Arrow") && target.closest?.("[data-tensor]")) {
      const name = /** @type {string} */ (target.closest("[data-tensor]")?.getAttribute("data-tensor"));
      const t = tensorByName(name);
      if (t) {
        const step = ev.shiftKey ? 1 : KEY_STEP;
        const dx = key === "ArrowLeft" ? -step : key === "ArrowRight" ? step : 0;
        const dy = key === "ArrowUp" ? -step : key === "ArrowDown" ? step : 0;
        t.x += dx;
        t.y += dy;
        relayout();
        sendEdit({ op: "move", name, x: t.x, y: t.y });
      }
    } else if ((key === "Enter" || key === " ") && target.closest?.("[data-tensor]")) {
      selectTensor(/** @type {string} */ (target.closest("[data-tensor]")?.getAttribute("data-tensor")));
    } else if (key === "F2" && target.closest?.("[data-tensor]")) {
      renameTensor(/** @type {string} */ (target.closest("[data-tensor]")?.getAttribute("data-tensor")));
    } else if (key === "Escape") {
      selectWire(null);
      showError("");
    } else {
      handled = false;
    }
    if (handled) {
      ev.preventDefault();
      ev.stopPropagation();
    } else if (svgEl.contains(target)) {
      // Letters and arrows inside the picture are ours, not notebook shortcuts.
      ev.stopPropagation();
    }
  }

  /** @param {FocusEvent} ev */
  function onFocusIn(ev) {
    const target = /** @type {Element} */ (ev.target);
    const w = target.closest?.("[data-wire]");
    if (w && svgEl.contains(w)) selectWire(w.getAttribute("data-wire"));
  }

  // ---- toolbar actions ------------------------------------------------------------------------

  function addTensor() {
    const dims = parseDims(dimsInput.value);
    if (!dims) {
      showError(`dimensions ${JSON.stringify(dimsInput.value)} are not positive whole numbers (e.g. 3 or 2,3)`);
      return;
    }
    /** @type {Record<string, any>} */
    const edit = { op: "add", kind: kindSel.value, dims };
    if (kindSel.value === "copy") edit.legs = Number(legsInput.value) || 3;
    if (structure.tensors.length) {
      const xs = structure.tensors.map((t) => t.x);
      const ys = structure.tensors.map((t) => t.y);
      edit.x = Math.max(...xs) + 170;
      edit.y = mean(ys);
    } else {
      edit.x = 80;
      edit.y = 80;
    }
    sendEdit(edit);
  }

  /** @param {string} fmt */
  function requestExport(fmt) {
    model.send({ type: "export", format: fmt, id: ++msgId });
  }

  /** @param {MouseEvent} ev */
  function onToolbarClick(ev) {
    const b = /** @type {Element} */ (ev.target).closest("button[data-action]");
    if (!b) return;
    const action = b.getAttribute("data-action");
    if (action === "add") addTensor();
    else if (action === "remove") removeSelected();
    else if (action === "cut") cutSelected();
    else if (action === "undo") sendEdit({ op: "undo" });
    else if (action === "redo") sendEdit({ op: "redo" });
    else if (action === "reset") sendEdit({ op: "reset" });
    else if (action?.startsWith("export-")) requestExport(action.slice(7));
  }

  /** @param {any} msg */
  function onCustom(msg) {
    if (!msg || typeof msg !== "object") return;
    if (msg.type === "error") {
      showError(String(msg.message));
      // Python refused: redraw from its (unchanged) state, dropping any local change.
      rebuild();
    } else if (msg.type === "export") {
      const text = String(msg.text);
      exportText.hidden = false;
      exportText.value = text;
      exportText.setAttribute("data-format", msg.format);
      if (msg.format === "svg") {
        const blob = new Blob([text], { type: "image/svg+xml" });
        const a = /** @type {HTMLAnchorElement} */ (html("a", { download: "diagram.svg" }));
        a.href = URL.createObjectURL(blob);
        root.appendChild(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(a.href), 10000);
        showStatus("SVG downloaded (diagram.svg)");
      } else {
        const what = { einsum: "einsum call", code: "numpy code", tikz: "TikZ" }[/** @type {"einsum"} */ (msg.format)] || msg.format;
        const done = () => showStatus(`Copied the ${what} to the clipboard`);
        const fail = () => showStatus(`The ${what} is in the box below (select it and copy)`);
        try {
          navigator.clipboard.writeText(text).then(done, fail);
        } catch (_) {
          fail();
        }
      }
    }
  }

  // ---- wiring up -------------------------------------------------------------------------------

  svgEl.addEventListener("pointerdown", onPointerDown);
  svgEl.addEventListener("pointermove", onPointerMove);
  svgEl.addEventListener("pointerup", onPointerUp);
  svgEl.addEventListener("pointercancel", onPointerUp);
  svgEl.addEventListener("dblclick", onDoubleClick);
  svgEl.addEventListener("focusin", onFocusIn);
  root.addEventListener("keydown", onKeyDown);
  toolbar.addEventListener("click", onToolbarClick);
  dimsInput.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") addTensor();
  });

  model.on("change:structure", () => {
    if (press && press.active) rebuildPending = true;
    else rebuild();
  });
  model.on("change:version", () => {
    showError("");
    svgEl.setAttribute("data-version", String(model.get("version") ?? 0));
  });
  let resultQueued = false;
  let inspectQueued = false;
  // Several traits change in one update from Python: draw each panel once, after all of them.
  const queueResult = () => {
    if (resultQueued) return;
    resultQueued = true;
    queueMicrotask(() => {
      resultQueued = false;
      const t0 = performance.now();
      renderResult();
      if (perf) (perf.result = perf.result || []).push(performance.now() - t0);
    });
  };
  const queueInspect = () => {
    if (inspectQueued) return;
    inspectQueued = true;
    queueMicrotask(() => {
      inspectQueued = false;
      const t0 = performance.now();
      renderInspect();
      if (perf) (perf.inspect = perf.inspect || []).push(performance.now() - t0);
    });
  };
  model.on("change:result", queueResult);
  model.on("change:result_data", queueResult);
  model.on("change:inspect", queueInspect);
  model.on("change:inspect_data", queueInspect);
  model.on("change:selected", () => {
    const sel = model.get("selected");
    for (const [n, g] of tensorEls) g.classList.toggle("tl-selected", n === sel);
    updateButtons();
  });
  model.on("change:can_undo", updateButtons);
  model.on("change:can_redo", updateButtons);
  model.on("change:editable", updateButtons);
  model.on("change:key", updateButtons);
  model.on("change:height", fitView);
  model.on("msg:custom", onCustom);

  rebuild();
  renderResult();
  renderInspect();
  root.setAttribute("data-first-render-ms", (performance.now() - tFirst).toFixed(2));
  root.setAttribute("data-ready", "true");
  return () => {
    root.removeEventListener("keydown", onKeyDown);
  };
}

export default { render };
