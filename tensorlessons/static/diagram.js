// tensorlessons diagram widget: draws a Diagram as SVG and sends the learner's edits to Python.
//
// One ES module, no bundler (anywidget loads it from a Blob URL, so no sibling imports).
// Python owns the Diagram and its geometry: this file draws the `geometry` trait (computed by
// tensorlessons._render.geometry, the same shapes to_svg() and to_tikz() draw), previews a
// drag by moving the dragged tensor's shapes, and takes the exact geometry from Python once
// the move is sent. It shows the `result` / `inspect` traits (values come as little-endian
// float64 binary buffers) and sends edits as custom messages `{type: "edit", edit: {op, ...}}`.
// Names are always set with textContent / setAttribute, never parsed as HTML.
//
// The parts: the toolbar (palette, edit and export buttons), the stage (the picture, pointer
// and keyboard editing), the result panel and the inspector; render() puts them together.

const SVG_NS = "http://www.w3.org/2000/svg";
const DRAG_THRESHOLD = 3;
const KEY_STEP = 10;
/** Room kept round a dragged tensor while the canvas grows to follow it (SVG px). */
const GROW_MARGIN = 70;
/** Smallest drawing area (SVG px), so that an empty diagram still has a stage. */
const MIN_W = 240;
const MIN_H = 100;

/**
 * The geometry Python sends (see tensorlessons._render.geometry).
 * @typedef {{name: string, index: string, dim: number}} Leg
 * @typedef {{name: string, kind: string, x: number, y: number, legs: Leg[]}} TensorData
 * @typedef {{tensors: TensorData[], output: string[]}} Structure
 * @typedef {{id: string, index: string, dim: number, name: string, text: string, kind: string,
 *   legs: string[], owners: string[], segments: number[][], curve?: number[], label: number[],
 *   dot: number[] | null, open: boolean, ends: number[][], end?: number[]}} Wire
 * @typedef {{ref: string, tensor: string, leg: string, index: string, dim: number,
 *   state: string, line: number[], label: number[], anchor: string, angle: number}} Stub
 * @typedef {{name: string, kind: string, x: number, y: number, width: number, height: number,
 *   label?: number[], anchor?: string}} Shape
 * @typedef {{tensors: Shape[], wires: Wire[], stubs: Stub[], viewBox: number[]}} Geometry
 * @typedef {{leg: string, at: number[], text: string, sel: string}} Target a leg or wire to join to
 */

/**
 * The synced traits of ``DiagramWidget`` (tensorlessons/widget.py), as anywidget's model.
 * @typedef {{structure: Structure, geometry: Geometry, result: Record<string, any>,
 *   result_data: DataView | null, view: Record<string, any>, selected: string,
 *   inspect: Record<string, any>, inspect_data: DataView | null, inspect_view: Record<string, any>,
 *   error: string, can_undo: boolean, can_redo: boolean, key: string, editable: boolean,
 *   height: number, compact: boolean, version: number}} DiagramTraits
 * @typedef {import("@anywidget/types").AnyModel<DiagramTraits>} Model
 */

/** @param {number[]} p @param {number} dx @param {number} dy */
function shifted(p, dx, dy) {
  const q = [...p];
  for (let k = 0; k + 1 < q.length; k += 2) {
    q[k] += dx;
    q[k + 1] += dy;
  }
  return q;
}

/**
 * The geometry with tensor `name` moved by (dx, dy): a drag's preview, drawn until Python
 * sends the exact geometry. Only translations: the dragged tensor, its open legs, loops and
 * the ends of its wires move with it; a copy dot by the dragged tensor's share of its legs;
 * the viewBox grows to keep the moved shapes in view. Pure (tested with node --test).
 * @param {Geometry} g @param {string} name @param {number} dx @param {number} dy
 * @returns {Geometry}
 */
export function moveTensor(g, name, dx, dy) {
  const tensors = g.tensors.map((t) => {
    if (t.name !== name) return t;
    const moved = { ...t, x: t.x + dx, y: t.y + dy };
    if (t.label) moved.label = shifted(t.label, dx, dy);
    return moved;
  });
  const stubs = g.stubs.map((s) =>
    s.tensor === name ? { ...s, line: shifted(s.line, dx, dy), label: shifted(s.label, dx, dy) } : s,
  );
  const wires = g.wires.map((w) => {
    const mine = w.owners.map((o) => o === name);
    const count = mine.filter(Boolean).length;
    if (count === 0) return w;
    if (count === w.owners.length && w.kind !== "hyper") {
      // a loop on the dragged tensor moves whole
      return {
        ...w,
        segments: w.segments.map((s) => shifted(s, dx, dy)),
        curve: w.curve ? shifted(w.curve, dx, dy) : undefined,
        label: shifted(w.label, dx, dy),
        ends: w.ends.map((p) => shifted(p, dx, dy)),
      };
    }
    const ends = w.ends.map((p, k) => (mine[k] ? shifted(p, dx, dy) : p));
    if (w.kind === "wire") {
      // the ends move with their tensors; a bend round a box by half as much
      const share = count / w.owners.length;
      const segments = w.segments.map((seg) => [...seg]);
      const last = segments.length - 1;
      if (mine[0]) segments[0] = [...shifted(segments[0].slice(0, 2), dx, dy), ...segments[0].slice(2)];
      if (mine[1]) segments[last] = [...segments[last].slice(0, 2), ...shifted(segments[last].slice(2), dx, dy)];
      for (let k = 0; k < last; k++) {
        segments[k] = [...segments[k].slice(0, 2), ...shifted(segments[k].slice(2), dx * share, dy * share)];
        segments[k + 1] = [...shifted(segments[k + 1].slice(0, 2), dx * share, dy * share), ...segments[k + 1].slice(2)];
      }
      return { ...w, ends, segments, label: shifted(w.label, dx * share, dy * share) };
    }
    // a hyperedge: its dot follows the dragged tensor's share of the legs
    const share = count / w.owners.length;
    const ddx = dx * share;
    const ddy = dy * share;
    const dot = w.dot ? shifted(w.dot, ddx, ddy) : null;
    const segments = w.segments.map((s, k) => {
      if (k >= ends.length) return shifted(s, ddx, ddy); // the open leg hangs off the dot
      return [...(mine[k] ? shifted(s.slice(0, 2), dx, dy) : s.slice(0, 2)), ...shifted(s.slice(2), ddx, ddy)];
    });
    const out = { ...w, ends, segments, dot, label: shifted(w.label, ddx, ddy) };
    if (w.end) out.end = shifted(w.end, ddx, ddy);
    return out;
  });
  const t = tensors.find((s) => s.name === name);
  let viewBox = g.viewBox;
  if (t) {
    const hw = t.width / 2 + GROW_MARGIN;
    const hh = t.height / 2 + GROW_MARGIN;
    viewBox = union(viewBox, [t.x - hw, t.y - hh, 2 * hw, 2 * hh]);
  }
  return { tensors, wires, stubs, viewBox };
}

/**
 * Where a dragged tensor goes and the drawing area while it is dragged: anywhere in the
 * area shown when the drag began (the stage's whole width), and downwards as far as the
 * learner likes (the area grows below, at the same scale) unless the widget has a fixed
 * height. Growing left or up would slide the picture under the pointer, so the area is
 * refitted to Python's geometry once the tensor is dropped.
 * @param {number[]} shown the viewBox shown when the drag began
 * @param {{x: number, y: number, width: number, height: number}} t the tensor where the pointer puts it
 * @param {boolean} fixed the widget has a fixed height
 * @returns {{x: number, y: number, box: number[]}}
 */
export function dragTo(shown, t, fixed) {
  const [x0, y0, w, h] = shown;
  const hw = Math.min(t.width / 2 + 4, w / 2);
  const hh = Math.min(t.height / 2 + 4, h / 2);
  const x = Math.min(Math.max(t.x, x0 + hw), x0 + w - hw);
  const y = fixed ? Math.min(Math.max(t.y, y0 + hh), y0 + h - hh) : Math.max(t.y, y0 + hh);
  const bottom = fixed ? y0 + h : Math.max(y0 + h, y + hh + GROW_MARGIN);
  return { x, y, box: [x0, y0, w, bottom - y0] };
}

/**
 * The smallest box [x, y, w, h] holding boxes a and b.
 * @param {number[]} a @param {number[]} b
 */
export function union(a, b) {
  const x0 = Math.min(a[0], b[0]);
  const y0 = Math.min(a[1], b[1]);
  const x1 = Math.max(a[0] + a[2], b[0] + b[2]);
  const y1 = Math.max(a[1] + a[3], b[1] + b[3]);
  return [x0, y0, x1 - x0, y1 - y0];
}

/**
 * The drawing area for a geometry's viewBox on a stage `width` CSS px wide: the whole
 * width of the stage at one SVG unit per pixel (so that there is no dead area a tensor
 * could be dragged into and vanish), the picture centred; scaled down when it is wider.
 * @param {number[]} vb @param {number} width
 * @returns {number[]}
 */
export function stageBox(vb, width) {
  const [x, y, w, h] = vb;
  const vw = Math.max(w, MIN_W, width || 0);
  const vh = Math.max(h, MIN_H);
  return [x - (vw - w) / 2, y - (vh - h) / 2, vw, vh];
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
 * A readable count (FLOPs, elements): grouped digits up to a million, then 1.1e13.
 * @param {number} v
 */
export function formatCount(v) {
  const n = Number(v);
  if (!Number.isFinite(n)) return String(v);
  if (Math.abs(n) < 1e6) return n.toLocaleString("en-US");
  const [m, e] = n.toExponential(1).split("e");
  return `${m.replace(/\.0$/, "")}e${Number(e)}`;
}

/**
 * Little-endian float64 values from a buffer as ipywidgets / anywidget hands it over.
 * @param {DataView | ArrayBuffer | ArrayBufferView | null | undefined} buf
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

/** A line (4 numbers) or a quadratic curve (6: start, control, end). @param {Element} e @param {number[]} part */
function setShape(e, part) {
  if (part.length === 6) e.setAttribute("d", curvePath(part));
  else setLine(e, part);
}

/** @param {Element} e @param {number[]} at */
function setCircle(e, at) {
  e.setAttribute("cx", at[0].toFixed(1));
  e.setAttribute("cy", at[1].toFixed(1));
}

/** @param {Element} e @param {number[]} at @param {string} anchor */
function setText(e, at, anchor) {
  e.setAttribute("x", at[0].toFixed(1));
  e.setAttribute("y", at[1].toFixed(1));
  e.setAttribute("text-anchor", anchor);
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
// Value views (shared by the result panel and the inspector)
// ------------------------------------------------------------------------------------

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
 * @param {Model} model @param {any} meta @param {string[]} axisNames @param {"view" | "inspect_view"} trait
 */
function windowControls(model, meta, axisNames, trait) {
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

/**
 * Keep the learner in the input they were using after a panel is redrawn.
 * @param {HTMLElement} panel @param {string | null} label
 */
function refocus(panel, label) {
  if (label === null) return;
  for (const inp of panel.querySelectorAll("input")) {
    if (inp.getAttribute("aria-label") === label) inp.focus({ preventScroll: true });
  }
}

/** @param {HTMLElement} panel */
function focusedInput(panel) {
  const active = document.activeElement;
  return active instanceof HTMLInputElement && panel.contains(active) ? active.getAttribute("aria-label") : null;
}

// ------------------------------------------------------------------------------------
// The widget's parts. Each gets the shared context and returns its element and methods.
// ------------------------------------------------------------------------------------

/**
 * @typedef {{structure: Structure, geom: Geometry | null, selectedWire: string | null,
 *   pending: string | null}} State  (pending: what to announce once Python applies an edit)
 * @typedef {{model: Model, root: HTMLElement, state: State, perf: any,
 *   sendEdit: (edit: Record<string, any>) => void, showError: (text: string) => void,
 *   showStatus: (text: string) => void, changed: () => void}} Ctx
 */

/**
 * The toolbar: the palette that adds tensors, the edit buttons and the exports.
 * @param {Ctx} ctx
 * @param {{cut: () => void, remove: () => void, exportAs: (fmt: string) => void}} actions
 */
function makeToolbar(ctx, actions) {
  const { model, state } = ctx;
  const el = html("div", { class: "tl-toolbar", role: "toolbar", "aria-label": "Diagram tools" });
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
    kindSel.appendChild(html("option", { value }, label));
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
  // Reset asks first (the drawing it replaces stays in Undo)
  const confirmBox = html("span", { class: "tl-confirm", role: "group", "aria-label": "Confirm reset" });
  confirmBox.append(
    html("span", {}, "Go back to the starting diagram? (Undo brings your drawing back.)"),
    button("reset-yes", "Yes, reset", "Go back to the starting diagram"),
    button("reset-no", "Keep my drawing", "Cancel the reset"),
  );
  confirmBox.hidden = true;
  const edits = html("div", { class: "tl-group", role: "group", "aria-label": "Edit" });
  edits.append(removeBtn, cutBtn, undoBtn, redoBtn, resetBtn);
  const exportsGroup = html("div", { class: "tl-group", role: "group", "aria-label": "Export" });
  exportsGroup.append(
    button("export-einsum", "Copy einsum", "Copy the diagram as an np.einsum call"),
    button("export-code", "Copy code", "Copy numpy + tensorlessons code that rebuilds the diagram"),
    button("export-tikz", "Copy TikZ", "Copy the picture as TikZ code"),
    button("export-svg", "Download SVG", "Download the picture as an SVG file"),
  );
  el.append(palette, edits, exportsGroup, confirmBox);

  function addTensor() {
    const dims = parseDims(dimsInput.value);
    if (!dims) {
      ctx.showError(`dimensions ${JSON.stringify(dimsInput.value)} are not positive whole numbers (e.g. 3 or 2,3)`);
      return;
    }
    /** @type {Record<string, any>} */
    const edit = { op: "add", kind: kindSel.value, dims };
    if (kindSel.value === "copy") edit.legs = Number(legsInput.value) || 3;
    // where: Python puts it right of the picture, clear of every label
    ctx.sendEdit(edit);
  }

  function update() {
    const editable = model.get("editable");
    undoBtn.disabled = !model.get("can_undo");
    redoBtn.disabled = !model.get("can_redo");
    const sel = model.get("selected");
    removeBtn.disabled = !editable || !sel;
    cutBtn.disabled = !editable || state.selectedWire === null;
    resetBtn.hidden = !model.get("key");
    if (resetBtn.hidden) confirmBox.hidden = true;
    palette.hidden = !editable;
    removeBtn.hidden = !editable;
    cutBtn.hidden = !editable;
  }

  el.addEventListener("click", (ev) => {
    const b = /** @type {Element} */ (ev.target).closest("button[data-action]");
    if (!b) return;
    const action = b.getAttribute("data-action");
    if (action === "add") addTensor();
    else if (action === "remove") actions.remove();
    else if (action === "cut") actions.cut();
    else if (action === "undo") ctx.sendEdit({ op: "undo" });
    else if (action === "redo") ctx.sendEdit({ op: "redo" });
    else if (action === "reset") {
      confirmBox.hidden = false;
      /** @type {HTMLElement | null} */ (confirmBox.querySelector('[data-action="reset-no"]'))?.focus();
    } else if (action === "reset-yes" || action === "reset-no") {
      confirmBox.hidden = true;
      resetBtn.focus();
      if (action === "reset-yes") ctx.sendEdit({ op: "reset" });
    }
    else if (action?.startsWith("export-")) actions.exportAs(action.slice(7));
  });
  dimsInput.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") addTensor();
  });
  return { el, update };
}

/**
 * The stage: the picture (drawn from Python's geometry), selection, renaming, dragging
 * tensors, joining legs by dragging one end onto another, and the keyboard.
 * @param {Ctx} ctx
 */
function makeStage(ctx) {
  const { model, root, state, perf } = ctx;
  const el = html("div", { class: "tl-stage" });
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
  el.append(svgEl, renameInput);

  /** @type {Map<string, SVGElement>} */
  let tensorEls = new Map();
  /** @type {{g: SVGElement, lines: SVGElement[], hits: SVGElement[], ends: SVGElement[], dot: SVGElement | null, openEnd: SVGElement | null, label: SVGElement}[]} */
  let wireEls = [];
  /** @type {{g: SVGElement, line: SVGElement, hit: SVGElement, handle: SVGElement, label: SVGElement}[]} */
  let stubEls = [];
  /** @type {any} */
  let press = null; // pointer state: {kind, name|ref, x0, y0, cx, cy, active, id}
  let rebuildPending = false;
  /** @type {Geometry | null} the geometry drawn while a drag is previewed */
  let preview = null;
  /** @type {number[]} the viewBox shown */
  let shown = [0, 0, MIN_W, MIN_H];
  /**
   * Joining legs from the keyboard: the leg chosen, its possible targets, the one shown.
   * @type {{ref: string, dim: number, from: number[], targets: Target[], k: number} | null}
   */
  let linking = null;

  // ---- drawing -------------------------------------------------------------------------

  /** Redraw everything from the `structure` and `geometry` traits. */
  function rebuild() {
    const t0 = performance.now();
    rebuildPending = false;
    preview = null;
    linking = null;
    tempLine.classList.remove("tl-visible");
    const active = document.activeElement;
    const hadFocus = active instanceof Element && root.contains(active);
    const inSvg = active instanceof Element && svgEl.contains(active);
    const focusTensor = inSvg ? active.getAttribute("data-tensor") : null;
    const focusWire = inSvg ? active.getAttribute("data-wire") : null;
    state.structure = model.get("structure") || { tensors: [], output: [] };
    const geom = /** @type {Geometry} */ (model.get("geometry") || { tensors: [], wires: [], stubs: [], viewBox: [0, 0, MIN_W, MIN_H] });
    state.geom = geom;
    layerWires.replaceChildren();
    layerStubs.replaceChildren();
    layerTensors.replaceChildren();
    tensorEls = new Map();
    wireEls = [];
    stubEls = [];
    const wireIds = new Set();
    for (const w of geom.wires) {
      wireIds.add(w.id);
      const what = w.kind === "hyper" ? "Copy-tensor wire" : w.kind === "trace" ? "Trace wire" : "Wire";
      const g = svg("g", {
        class: `tl-wire-group tl-wk-${w.kind}`,
        "data-wire": w.id,
        "data-index": w.index,
        tabindex: 0,
        role: "button",
        "aria-label": `${what} ${w.name} (dimension ${w.dim}) joining ${w.legs.join(", ")}. Delete cuts it.`,
      });
      const lines = [];
      const hits = [];
      const parts = w.kind === "trace" && w.curve ? [w.curve] : w.segments;
      for (const part of parts) {
        const tag = part.length === 6 ? "path" : "line";
        const hit = svg(tag, { class: "tl-hit" });
        const l = svg(tag, { class: "tl-wire" });
        g.append(hit, l);
        lines.push(l);
        hits.push(hit);
      }
      const dot = w.dot ? svg("circle", { class: "tl-hyper", r: 5 }) : null;
      if (dot) g.appendChild(dot);
      const ends = w.legs.map((ref) => {
        const e = svg("circle", { class: "tl-end", r: 4, "data-leg": ref, "data-state": "joined" });
        g.appendChild(e);
        return e;
      });
      // an open leg of a copy tensor ends like any open leg
      const openEnd = w.end ? svg("circle", { class: "tl-handle tl-open tl-open-end", r: 5, "data-state": "open" }) : null;
      if (openEnd) g.appendChild(openEnd);
      const label = svg("text", { class: "tl-label", "text-anchor": "middle" }, w.text);
      g.appendChild(label);
      if (w.id === state.selectedWire) g.classList.add("tl-selected");
      layerWires.appendChild(g);
      wireEls.push({ g, lines, hits, ends, dot, openEnd, label });
    }
    if (state.selectedWire !== null && !wireIds.has(state.selectedWire)) state.selectedWire = null;
    for (const s of geom.stubs) {
      const g = svg("g", {
        class: "tl-stub",
        "data-leg": s.ref,
        "data-state": s.state,
        tabindex: model.get("editable") ? 0 : -1,
        role: "button",
        "aria-label": `${s.state === "open" ? "Open leg" : "Summed leg"} ${s.ref} (dimension ${s.dim}); Enter joins it to another leg or wire (arrow keys choose, Enter confirms); or drag its end onto a leg or a wire; double-click to rename`,
      });
      const hit = svg("line", { class: "tl-hit" });
      const line = svg("line", { class: "tl-leg" });
      const handle = svg("circle", { class: `tl-handle tl-${s.state}`, r: s.state === "summed" ? 4 : 5 });
      const label = svg("text", { class: "tl-label" }, `${s.leg} (${s.dim})`);
      g.append(hit, line, handle, label);
      layerStubs.appendChild(g);
      stubEls.push({ g, line, hit, handle, label });
    }
    const selected = model.get("selected");
    const legsOf = new Map(state.structure.tensors.map((t) => [t.name, t.legs]));
    for (const t of geom.tensors) {
      const legs = legsOf.get(t.name) || [];
      const legsText = legs.map((l) => `${l.name} (dimension ${l.dim})`).join(", ");
      const copy = t.kind === "copy";
      const g = svg("g", {
        class: `tl-tensor tl-kind-${t.kind}`,
        "data-tensor": t.name,
        tabindex: 0,
        role: "button",
        "aria-roledescription": copy ? "copy tensor" : "tensor",
        "aria-label": `${copy ? "Copy tensor" : "Tensor"} ${t.name}, legs ${legsText || "none"}. Enter inspects, arrow keys move, Delete removes, F2 renames.`,
      });
      if (copy) {
        g.append(
          svg("circle", { class: "tl-hit-dot", r: 14, cx: 0, cy: 0 }),
          svg("circle", { class: "tl-copy", r: t.height / 2, cx: 0, cy: 0 }),
          svg("text", { class: "tl-label tl-copy-name" }, t.name),
        );
      } else {
        g.append(
          svg("rect", { class: "tl-box", x: -t.width / 2, y: -t.height / 2, width: t.width, height: t.height, rx: 8 }),
          svg("text", { class: "tl-name", x: 0, y: 4, "text-anchor": "middle" }, t.name),
        );
      }
      if (t.name === selected) g.classList.add("tl-selected");
      layerTensors.appendChild(g);
      tensorEls.set(t.name, g);
    }
    place(geom);
    svgEl.setAttribute(
      "aria-label",
      `Tensor diagram: ${geom.tensors.length} tensor(s), ${geom.wires.length} wire(s), result legs ${state.structure.output.join(", ") || "none (a number)"}`,
    );
    svgEl.setAttribute("data-version", String(model.get("version") ?? 0));
    ctx.changed();
    const restore = focusTensor !== null ? tensorEls.get(focusTensor) : focusWire !== null ? layerWires.querySelector(`[data-wire="${CSS.escape(focusWire)}"]`) : null;
    if (restore instanceof SVGElement) restore.focus();
    else if (hadFocus && !root.contains(document.activeElement)) root.focus({ preventScroll: true });
    const ms = performance.now() - t0;
    root.setAttribute("data-render-ms", ms.toFixed(2));
    if (perf) (perf.render = perf.render || []).push(ms);
  }

  /**
   * Put the drawn elements where `g` says (the elements were made for the same wires,
   * stubs and tensors, in the same order): after a rebuild, and at every step of a drag.
   * @param {Geometry} g
   */
  function place(g) {
    for (const t of g.tensors) {
      const e = tensorEls.get(t.name);
      if (!e) continue;
      e.setAttribute("transform", `translate(${t.x.toFixed(1)},${t.y.toFixed(1)})`);
      const name = e.querySelector(".tl-copy-name");
      if (name) {
        const label = t.label || [t.x, t.y - t.height / 2 - 5];
        name.setAttribute("x", (label[0] - t.x).toFixed(1));
        name.setAttribute("y", (label[1] - t.y).toFixed(1));
        name.setAttribute("text-anchor", t.anchor || "middle");
      }
    }
    g.wires.forEach((w, i) => {
      const els = wireEls[i];
      if (!els) return;
      const parts = w.kind === "trace" && w.curve ? [w.curve] : w.segments;
      parts.forEach((part, k) => {
        if (els.lines[k]) setShape(els.lines[k], part);
        if (els.hits[k]) setShape(els.hits[k], part);
      });
      if (w.dot && els.dot) setCircle(els.dot, w.dot);
      w.ends.forEach((p, k) => {
        if (els.ends[k]) setCircle(els.ends[k], p);
      });
      if (w.end && els.openEnd) setCircle(els.openEnd, w.end);
      setText(els.label, w.label, "middle");
    });
    g.stubs.forEach((s, i) => {
      const els = stubEls[i];
      if (!els) return;
      setLine(els.line, s.line);
      setLine(els.hit, s.line);
      setCircle(els.handle, s.line.slice(2));
      setText(els.label, s.label, s.anchor);
    });
    if (press?.kind === "tensor" && press.box) show(press.box);
    else fitView(g.viewBox);
  }

  /**
   * Size the drawing area for the viewBox `vb`: the stage's full width at one unit per
   * pixel (a fixed `height` when the widget was given one), growing with the picture.
   * @param {number[]} [vb]
   */
  function fitView(vb) {
    const box = vb || (preview || state.geom)?.viewBox;
    if (!box) return;
    const fixedHeight = model.get("height");
    show(stageBox(box, fixedHeight > 0 ? 0 : el.clientWidth));
  }

  /** @param {number[]} box the viewBox to show */
  function show(box) {
    const [x, y, w, h] = box;
    shown = box;
    svgEl.setAttribute("viewBox", `${x.toFixed(1)} ${y.toFixed(1)} ${w.toFixed(1)} ${h.toFixed(1)}`);
    if (model.get("height") > 0) {
      svgEl.setAttribute("height", String(model.get("height")));
      svgEl.removeAttribute("width");
    } else {
      svgEl.setAttribute("width", w.toFixed(0));
      svgEl.setAttribute("height", h.toFixed(0));
    }
  }

  /** A change of the traits: redraw now, or after the drag in progress. */
  function schedule() {
    if (press && press.active) rebuildPending = true;
    else rebuild();
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
    showSelected();
  }

  function showSelected() {
    const sel = model.get("selected");
    for (const [n, g] of tensorEls) g.classList.toggle("tl-selected", n === sel);
    ctx.changed();
  }

  /** @param {string | null} id */
  function selectWire(id) {
    state.selectedWire = id;
    for (const w of wireEls) w.g.classList.toggle("tl-selected", w.g.getAttribute("data-wire") === id);
    ctx.changed();
  }

  function cutSelected() {
    const w = state.geom?.wires.find((x) => x.id === state.selectedWire);
    if (w) ctx.sendEdit({ op: "cut", legs: w.legs });
    selectWire(null);
  }

  function removeSelected() {
    const name = model.get("selected");
    if (name) ctx.sendEdit({ op: "remove", name });
  }

  // ---- rename -----------------------------------------------------------------------------

  /** @param {Element} target @param {string} current @param {(v: string) => void} done @param {string} label */
  function startRename(target, current, done, label) {
    const r = target.getBoundingClientRect();
    const s = el.getBoundingClientRect();
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
    startRename(g, name, (v) => ctx.sendEdit({ op: "rename_tensor", old: name, new: v }), `New name for tensor ${name}`);
  }

  /** @param {string} ref @param {Element} target */
  function renameLeg(ref, target) {
    if (!model.get("editable")) return;
    const leg = ref.slice(ref.indexOf(":") + 1);
    startRename(target, leg, (v) => ctx.sendEdit({ op: "rename_leg", ref, new: v }), `New name for leg ${ref}`);
  }

  // ---- pointer -----------------------------------------------------------------------------

  /** @param {PointerEvent | MouseEvent} ev */
  function toSvg(ev) {
    const ctm = svgEl.getScreenCTM();
    if (!ctm) return { x: ev.clientX, y: ev.clientY };
    const p = new DOMPoint(ev.clientX, ev.clientY).matrixTransform(ctm.inverse());
    return { x: p.x, y: p.y };
  }

  /**
   * Where a leg element's end is drawn (SVG coordinates).
   * @param {Element} leg
   * @returns {number[] | null}
   */
  function legEnd(leg) {
    const ref = leg.getAttribute("data-leg");
    const g = preview || state.geom;
    if (!g || ref === null) return null;
    const s = g.stubs.find((x) => x.ref === ref);
    if (s) return s.line.slice(2);
    for (const w of g.wires) {
      const k = w.legs.indexOf(ref);
      if (k >= 0) return w.ends[k];
    }
    return null;
  }

  /**
   * The leg under the pointer (other than `except`): of the legs whose elements are under
   * it, the one whose end is nearest (labels never take the pointer: CSS pointer-events).
   * With `openOnly` (picking a leg up): only open legs' ends, and none hidden under a tensor.
   * @param {PointerEvent | MouseEvent} ev @param {string | null} except @param {boolean} [openOnly]
   * @returns {Element | null}
   */
  function legAt(ev, except, openOnly = false) {
    const p = toSvg(ev);
    /** @type {Element | null} */
    let best = null;
    let bestD = Infinity;
    for (const e of document.elementsFromPoint(ev.clientX, ev.clientY)) {
      if (openOnly && e.closest("[data-tensor]")) break;
      const leg = e.closest("[data-leg]");
      if (!leg || !svgEl.contains(leg) || leg.getAttribute("data-leg") === except) continue;
      if (openOnly && !leg.classList.contains("tl-stub")) continue;
      const end = legEnd(leg);
      const d = end ? Math.hypot(end[0] - p.x, end[1] - p.y) : 1e9;
      if (d < bestD) {
        best = leg;
        bestD = d;
      }
    }
    return best;
  }

  /**
   * The wire whose body is under the pointer (not one `ref` is on), for joining a leg to it;
   * none when a tensor is on top there.
   * @param {PointerEvent | MouseEvent} ev @param {string} ref
   * @returns {{el: Element, wire: Wire} | null}
   */
  function wireAt(ev, ref) {
    const g = preview || state.geom;
    if (!g) return null;
    for (const e of document.elementsFromPoint(ev.clientX, ev.clientY)) {
      if (e.closest("[data-tensor]")) return null;
      const el = e.closest("[data-wire]");
      if (!el || !svgEl.contains(el)) continue;
      const wire = g.wires.find((w) => w.id === el.getAttribute("data-wire"));
      if (wire && !wire.legs.includes(ref)) return { el, wire };
    }
    return null;
  }

  /**
   * Where a drag of leg `ref` would drop: onto a leg's end, else onto a wire's body.
   * @param {PointerEvent | MouseEvent} ev @param {string} ref
   * @returns {{el: Element, leg: string} | null} the element to mark and the leg to join to
   */
  function dropAt(ev, ref) {
    const over = legAt(ev, ref);
    const leg = over?.getAttribute("data-leg");
    if (over && leg) return { el: over, leg };
    const w = wireAt(ev, ref);
    // joining a wire = joining any of its legs: a hyperedge (a copy tensor)
    return w ? { el: w.el, leg: w.wire.legs[0] } : null;
  }

  /** @param {PointerEvent} ev */
  function onPointerDown(ev) {
    if (ev.button !== 0) return;
    const target = /** @type {Element} */ (ev.target);
    const legEl = model.get("editable") ? legAt(ev, null, true) : null;
    const tEl = target.closest("[data-tensor]");
    const wEl = target.closest("[data-wire]");
    const p = toSvg(ev);
    if (legEl) {
      const ref = /** @type {string} */ (legEl.getAttribute("data-leg"));
      const end = legEnd(legEl);
      if (!end) return;
      press = { kind: "leg", ref, x0: end[0], y0: end[1], cx: ev.clientX, cy: ev.clientY, active: false, id: ev.pointerId };
    } else if (tEl) {
      const name = /** @type {string} */ (tEl.getAttribute("data-tensor"));
      const t = state.geom?.tensors.find((s) => s.name === name);
      if (!t) return;
      press = { kind: "tensor", name, x0: t.x, y0: t.y, dx: p.x - t.x, dy: p.y - t.y, cx: ev.clientX, cy: ev.clientY, active: false, id: ev.pointerId, moved: false, shown, t };
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
    if (press.kind === "tensor" && state.geom) {
      const to = dragTo(press.shown, { ...press.t, x: p.x - press.dx, y: p.y - press.dy }, model.get("height") > 0);
      press.x = to.x;
      press.y = to.y;
      press.box = to.box;
      press.moved = true;
      preview = moveTensor(state.geom, press.name, press.x - press.x0, press.y - press.y0);
      place(preview);
    } else if (press.kind === "leg") {
      tempLine.setAttribute("x1", press.x0.toFixed(1));
      tempLine.setAttribute("y1", press.y0.toFixed(1));
      tempLine.setAttribute("x2", p.x.toFixed(1));
      tempLine.setAttribute("y2", p.y.toFixed(1));
      tempLine.classList.add("tl-visible");
      const over = dropAt(ev, press.ref)?.el;
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
        // the preview stays until Python sends the exact geometry
        ctx.sendEdit({ op: "move", name: p.name, x: Math.round(p.x * 10) / 10, y: Math.round(p.y * 10) / 10 });
      } else {
        selectTensor(p.name);
        tensorEls.get(p.name)?.focus({ preventScroll: true });
      }
    } else if (p.kind === "leg" && p.active) {
      const drop = dropAt(ev, p.ref);
      if (drop) ctx.sendEdit({ op: "connect", a: p.ref, b: drop.leg });
    }
    if (rebuildPending) rebuild();
  }

  /** @param {MouseEvent} ev */
  function onDoubleClick(ev) {
    const legEl = legAt(ev, null);
    if (legEl) {
      ev.preventDefault();
      renameLeg(/** @type {string} */ (legEl.getAttribute("data-leg")), legEl);
      return;
    }
    const tEl = /** @type {Element} */ (ev.target).closest("[data-tensor]");
    if (tEl) {
      ev.preventDefault();
      renameTensor(/** @type {string} */ (tEl.getAttribute("data-tensor")));
    }
  }

  // ---- keyboard --------------------------------------------------------------------------------

  /**
   * Start joining leg `ref` from the keyboard: its targets are the other legs and the wires
   * of the same dimension, nearest first.
   * @param {string} ref
   */
  function startLinking(ref) {
    const g = state.geom;
    const s = g?.stubs.find((x) => x.ref === ref);
    if (!g || !s) return;
    const from = s.line.slice(2);
    /** @type {Target[]} */
    const targets = [];
    for (const o of g.stubs) {
      if (o.ref !== ref && o.dim === s.dim) {
        targets.push({ leg: o.ref, at: o.line.slice(2), text: `leg ${o.ref} (${o.dim})`, sel: `.tl-stub[data-leg="${CSS.escape(o.ref)}"]` });
      }
    }
    for (const w of g.wires) {
      if (w.dim !== s.dim || w.legs.includes(ref)) continue;
      const at = w.dot || w.label;
      targets.push({ leg: w.legs[0], at, text: `wire ${w.name} (${w.dim}) joining ${w.legs.join(", ")}`, sel: `[data-wire="${CSS.escape(w.id)}"]` });
    }
    const d = (/** @type {number[]} */ p) => Math.hypot(p[0] - from[0], p[1] - from[1]);
    targets.sort((a, b) => d(a.at) - d(b.at));
    if (!targets.length) {
      ctx.showStatus(`No other leg or wire of dimension ${s.dim} to join ${ref} to.`);
      return;
    }
    linking = { ref, dim: s.dim, from, targets, k: 0 };
    showTarget(true);
  }

  /** Mark and announce the chosen target. @param {boolean} [first] */
  function showTarget(first = false) {
    if (!linking) return;
    const { ref, dim, from, targets, k } = linking;
    const t = targets[k];
    for (const e of svgEl.querySelectorAll(".tl-drop")) e.classList.remove("tl-drop");
    svgEl.querySelector(t.sel)?.classList.add("tl-drop");
    tempLine.setAttribute("x1", from[0].toFixed(1));
    tempLine.setAttribute("y1", from[1].toFixed(1));
    tempLine.setAttribute("x2", t.at[0].toFixed(1));
    tempLine.setAttribute("y2", t.at[1].toFixed(1));
    tempLine.classList.add("tl-visible");
    const head = first ? `Joining ${ref} (${dim}). ` : "";
    ctx.showStatus(`${head}Target ${k + 1} of ${targets.length}: ${t.text}. Arrow keys choose another, Enter joins, Escape cancels.`);
  }

  /** @param {string} [message] */
  function stopLinking(message) {
    linking = null;
    for (const e of svgEl.querySelectorAll(".tl-drop")) e.classList.remove("tl-drop");
    tempLine.classList.remove("tl-visible");
    if (message !== undefined) ctx.showStatus(message);
  }

  /**
   * Keys while joining a leg: arrows choose the target, Enter joins, Escape cancels.
   * @param {KeyboardEvent} ev @returns {boolean} whether the key was used
   */
  function linkingKey(ev) {
    if (!linking) return false;
    const n = linking.targets.length;
    if (ev.key === "ArrowRight" || ev.key === "ArrowDown") {
      linking.k = (linking.k + 1) % n;
      showTarget();
    } else if (ev.key === "ArrowLeft" || ev.key === "ArrowUp") {
      linking.k = (linking.k + n - 1) % n;
      showTarget();
    } else if (ev.key === "Enter" || ev.key === " ") {
      const { ref, targets, k } = linking;
      stopLinking(`Joining ${ref} to ${targets[k].text}…`);
      state.pending = `Joined ${ref} to ${targets[k].text}.`;
      ctx.sendEdit({ op: "connect", a: ref, b: targets[k].leg });
    } else if (ev.key === "Escape") {
      stopLinking(`Joining ${linking.ref} cancelled.`);
    } else if (ev.key === "Tab") {
      stopLinking(`Joining ${linking.ref} cancelled.`);
      return false;
    } else {
      return false;
    }
    return true;
  }

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
    const tEl = target.closest?.("[data-tensor]");
    const tName = tEl ? /** @type {string} */ (tEl.getAttribute("data-tensor")) : null;
    const stub = target.closest?.(".tl-stub[data-leg]");
    let handled = true;
    if (linkingKey(ev)) {
      // joining a leg from the keyboard
    } else if (stub && (key === "Enter" || key === " ") && model.get("editable")) {
      startLinking(/** @type {string} */ (stub.getAttribute("data-leg")));
    } else if (ctrl && (key === "z" || key === "Z")) {
      ctx.sendEdit({ op: ev.shiftKey ? "redo" : "undo" });
    } else if (ctrl && (key === "y" || key === "Y")) {
      ctx.sendEdit({ op: "redo" });
    } else if (key === "Delete" || key === "Backspace") {
      const wire = target.closest?.("[data-wire]");
      if (wire || state.selectedWire !== null) {
        if (wire) selectWire(wire.getAttribute("data-wire"));
        cutSelected();
      } else if (tName !== null) {
        ctx.sendEdit({ op: "remove", name: tName });
      } else if (model.get("selected")) {
        removeSelected();
      } else handled = false;
    } else if (key.startsWith("Arrow") && tName !== null) {
      const t = (preview || state.geom)?.tensors.find((s) => s.name === tName);
      if (t && state.geom) {
        const step = ev.shiftKey ? 1 : KEY_STEP;
        const dx = key === "ArrowLeft" ? -step : key === "ArrowRight" ? step : 0;
        const dy = key === "ArrowUp" ? -step : key === "ArrowDown" ? step : 0;
        preview = moveTensor(preview || state.geom, tName, dx, dy);
        place(preview);
        ctx.sendEdit({ op: "move", name: tName, x: t.x + dx, y: t.y + dy });
      }
    } else if ((key === "Enter" || key === " ") && tName !== null) {
      selectTensor(tName);
    } else if (key === "F2" && tName !== null) {
      renameTensor(tName);
    } else if (key === "Escape") {
      selectWire(null);
      ctx.showError("");
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
    const w = /** @type {Element} */ (ev.target).closest?.("[data-wire]");
    if (w && svgEl.contains(w)) selectWire(w.getAttribute("data-wire"));
  }

  svgEl.addEventListener("pointerdown", onPointerDown);
  svgEl.addEventListener("pointermove", onPointerMove);
  svgEl.addEventListener("pointerup", onPointerUp);
  svgEl.addEventListener("pointercancel", onPointerUp);
  svgEl.addEventListener("dblclick", onDoubleClick);
  svgEl.addEventListener("focusin", onFocusIn);
  root.addEventListener("keydown", onKeyDown);
  // the stage's width decides the drawing area's: follow it
  const resize = typeof ResizeObserver === "function" ? new ResizeObserver(() => {
    if (!press?.active) fitView();
  }) : null;
  resize?.observe(el);

  return {
    el,
    svgEl,
    rebuild,
    schedule,
    fitView,
    showSelected,
    cutSelected,
    removeSelected,
    dispose() {
      root.removeEventListener("keydown", onKeyDown);
      resize?.disconnect();
    },
  };
}

/**
 * The result panel: einsum string, result legs and shape, cost, and the values.
 * @param {Ctx} ctx
 */
function makeResultPanel(ctx) {
  const { model } = ctx;
  const el = html("section", { class: "tl-result", "aria-label": "Result" });
  let valuesOpen = false; // a compact widget's values: folded until the learner opens them

  function render() {
    const res = model.get("result") || {};
    const meta = res.values || {};
    const oldTable = /** @type {HTMLElement | null} */ (el.querySelector("table.tl-heatmap"));
    const focusLabel = focusedInput(el);
    el.replaceChildren();
    el.setAttribute("data-version", String(res.version ?? ""));
    el.appendChild(html("h4", {}, "Result"));
    const eq = html("div", { class: "tl-einsum" });
    eq.append(html("span", { class: "tl-key" }, "einsum "), html("code", {}, res.einsum ?? ""));
    el.appendChild(eq);
    // the result's legs as the picture names them (Python's names: j, or A:j and B:j)
    const names = res.legs || res.output || [];
    const legs = names.length ? names.join(", ") : "none (a number)";
    el.appendChild(html("div", { class: "tl-legs" }, `legs: ${legs} · shape ${shapeText(res.shape || [])}`));
    if (res.cost) {
      const c = res.cost;
      const n = formatCount;
      const pairwise = (c.steps || []).some((/** @type {string} */ s) => s.includes(" · "));
      const kept = new Set(res.output || []);
      const sums = ctx.state.structure.tensors.some((t) => t.legs.some((l) => !kept.has(l.index)));
      const cost = html(
        "div",
        { class: "tl-cost" },
        pairwise
          ? `cost: ${n(c.flops)} FLOPs (one big sum: ${n(c.naive_flops)}); largest intermediate ${n(c.largest_intermediate)} elements`
          : `cost: nothing to contract${sums ? ` (summing the tensor's own legs: ${n(c.flops)} FLOPs)` : ""}`,
      );
      if (c.steps && c.steps.length) cost.title = c.steps.map((/** @type {string} */ s, /** @type {number} */ k) => `step ${k + 1}: ${s}`).join("\n");
      el.appendChild(cost);
    }
    const values = html("div", { class: "tl-values" });
    const vals = readFloat64(model.get("result_data"));
    if (meta.kind === "scalar") {
      values.appendChild(html("div", { class: "tl-scalar", "aria-label": "result value" }, formatNumber(meta.value)));
    } else if (meta.kind === "heatmap" || meta.kind === "slice") {
      if (meta.kind === "slice") {
        const fixedText = meta.fixed.map((/** @type {number} */ v, /** @type {number} */ k) => `${names[k]}=${v}`).join(", ");
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
      values.appendChild(windowControls(model, meta, names, "view"));
    } else if (meta.kind === "error") {
      values.appendChild(html("div", { class: "tl-note" }, meta.message || "cannot contract"));
    }
    if (meta.complex) values.appendChild(html("div", { class: "tl-note" }, "complex values: real part shown"));
    if (model.get("compact") && (meta.kind === "heatmap" || meta.kind === "slice")) {
      const box = html("details", { class: "tl-values-box" });
      if (valuesOpen) box.setAttribute("open", "");
      box.addEventListener("toggle", () => {
        valuesOpen = /** @type {HTMLDetailsElement} */ (box).open;
      });
      box.append(html("summary", {}, `values ${shapeText(meta.shape || [])}`), values);
      el.appendChild(box);
    } else el.appendChild(values);
    refocus(el, focusLabel);
  }
  return { el, render };
}

/**
 * The inspector: the selected tensor's legs, shape and values (editable for 1 or 2 legs).
 * @param {Ctx} ctx
 */
function makeInspector(ctx) {
  const { model } = ctx;
  const el = html("section", { class: "tl-inspect", "aria-label": "Selected tensor" });

  function render() {
    const info = model.get("inspect") || {};
    const oldTable = /** @type {HTMLElement | null} */ (el.querySelector("table.tl-heatmap"));
    if (info.name && oldTable && oldTable.getAttribute("data-sig") === tableSig(info, info.name, Boolean(info.editable))) {
      refreshTable(oldTable, info, readFloat64(model.get("inspect_data")));
      return;
    }
    const focusLabel = focusedInput(el);
    el.replaceChildren();
    // a compact widget shows the inspector only once a tensor is selected
    el.hidden = Boolean(model.get("compact")) && !info.name;
    if (!info.name) {
      el.appendChild(html("div", { class: "tl-note" }, "Click a tensor to see its values."));
      return;
    }
    el.setAttribute("data-inspect", info.name);
    const head = html("h4", {}, `${info.tensor_kind === "copy" ? "Copy tensor" : "Tensor"} `);
    head.appendChild(html("span", { class: "tl-inspect-name" }, info.name));
    el.appendChild(head);
    el.appendChild(html("div", { class: "tl-legs" }, `legs: ${info.legs.join(", ") || "none"} · shape ${shapeText(info.shape)}`));
    const vals = readFloat64(model.get("inspect_data"));
    if (info.kind === "scalar") {
      el.appendChild(html("div", { class: "tl-scalar" }, formatNumber(info.value)));
      return;
    }
    const onEdit = info.editable
      ? (/** @type {number[]} */ index, /** @type {string} */ value) => ctx.sendEdit({ op: "set_value", name: info.name, index, value })
      : null;
    if (info.kind === "slice") {
      const fixedText = info.fixed.map((/** @type {number} */ v, /** @type {number} */ k) => `${info.legs[k]}=${v}`).join(", ");
      el.appendChild(html("div", { class: "tl-note" }, `slice ${fixedText}`));
    }
    el.appendChild(valueTable(info, vals, `values of ${info.name}`, onEdit, info.name));
    el.appendChild(windowControls(model, info, info.legs, "inspect_view"));
    refocus(el, focusLabel);
  }
  return { el, render };
}

// ------------------------------------------------------------------------------------
// The widget: the parts put together, and the traits and messages that drive them
// ------------------------------------------------------------------------------------

/** @param {{model: Model, el: HTMLElement}} ctx */
function render({ model, el }) {
  const tFirst = performance.now();
  const root = html("div", { class: "tl-widget", tabindex: -1, "data-lm-suppress-shortcuts": "true" });
  el.appendChild(root);
  const alertBox = html("div", { class: "tl-alert", role: "alert" });
  const statusBox = html("div", { class: "tl-status", role: "status", "aria-live": "polite" });
  const exportText = /** @type {HTMLTextAreaElement} */ (
    html("textarea", { class: "tl-export", readonly: "", rows: 4, "aria-label": "Exported text" })
  );
  exportText.hidden = true;
  let msgId = 0;

  /** @type {Ctx} */
  const ctx = {
    model,
    root,
    state: { structure: { tensors: [], output: [] }, geom: null, selectedWire: null, pending: null },
    perf: /** @type {any} */ (globalThis).__tlPerf,
    sendEdit(edit) {
      model.send({ type: "edit", edit, id: ++msgId });
    },
    showError(text) {
      alertBox.textContent = text;
      alertBox.classList.toggle("tl-visible", Boolean(text));
    },
    showStatus(text) {
      statusBox.textContent = text;
    },
    changed() {
      toolbar.update();
    },
  };
  const stage = makeStage(ctx);
  const toolbar = makeToolbar(ctx, {
    cut: stage.cutSelected,
    remove: stage.removeSelected,
    exportAs: (fmt) => model.send({ type: "export", format: fmt, id: ++msgId }),
  });
  const result = makeResultPanel(ctx);
  const inspector = makeInspector(ctx);
  const panels = html("div", { class: "tl-panels" });
  panels.append(result.el, inspector.el);
  root.append(toolbar.el, stage.el, alertBox, statusBox, panels, exportText);

  // Drawn from a saved notebook's widget state, with no kernel behind it, the diagram
  // cannot be edited: Python answers "hello" only when it is there, so the note shows
  // until it does (and stays when it never does).
  const savedNote = html("div", { class: "tl-saved-note", role: "note" });
  savedNote.textContent = "Shown from the saved notebook: run its cell to edit this diagram.";
  savedNote.hidden = true;
  root.prepend(savedNote);
  const helloTimer = setTimeout(() => {
    savedNote.hidden = false;
  }, 15000);
  model.send({ type: "hello" });

  /** @param {any} msg */
  function onCustom(msg) {
    if (!msg || typeof msg !== "object") return;
    if (msg.type === "hello") {
      clearTimeout(helloTimer);
      savedNote.hidden = true;
      root.setAttribute("data-live", "true");
      return;
    }
    if (msg.type === "error") {
      if (ctx.state.pending !== null) ctx.showStatus(""); // the alert says what went wrong
      ctx.state.pending = null;
      ctx.showError(String(msg.message));
      // Python refused: redraw from its (unchanged) state, dropping any local change.
      stage.rebuild();
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
        ctx.showStatus("SVG downloaded (diagram.svg)");
      } else {
        const what = { einsum: "einsum call", code: "numpy code", tikz: "TikZ" }[/** @type {"einsum"} */ (msg.format)] || msg.format;
        const done = () => ctx.showStatus(`Copied the ${what} to the clipboard`);
        const fail = () => ctx.showStatus(`The ${what} is in the box below (select it and copy)`);
        try {
          navigator.clipboard.writeText(text).then(done, fail);
        } catch (_) {
          fail();
        }
      }
    }
  }

  /**
   * Several traits change in one update from Python: draw each part once, after all of them.
   * @param {() => void} draw @param {string} [metric]
   */
  const queued = (draw, metric) => {
    let pending = false;
    return () => {
      if (pending) return;
      pending = true;
      queueMicrotask(() => {
        pending = false;
        const t0 = performance.now();
        draw();
        if (ctx.perf && metric) (ctx.perf[metric] = ctx.perf[metric] || []).push(performance.now() - t0);
      });
    };
  };
  const queueStage = queued(stage.schedule);
  const queueResult = queued(result.render, "result");
  const queueInspect = queued(inspector.render, "inspect");
  model.on("change:structure", queueStage);
  model.on("change:geometry", queueStage);
  model.on("change:version", () => {
    ctx.showError("");
    if (ctx.state.pending !== null) ctx.showStatus(ctx.state.pending);
    ctx.state.pending = null;
    stage.svgEl.setAttribute("data-version", String(model.get("version") ?? 0));
  });
  model.on("change:result", queueResult);
  model.on("change:result_data", queueResult);
  model.on("change:inspect", queueInspect);
  model.on("change:inspect_data", queueInspect);
  model.on("change:selected", stage.showSelected);
  for (const trait of ["can_undo", "can_redo", "editable", "key"]) model.on(`change:${trait}`, toolbar.update);
  model.on("change:height", () => stage.fitView());
  model.on("change:compact", () => {
    queueResult();
    queueInspect();
  });
  model.on("msg:custom", onCustom);

  stage.rebuild();
  result.render();
  inspector.render();
  root.setAttribute("data-first-render-ms", (performance.now() - tFirst).toFixed(2));
  root.setAttribute("data-ready", "true");
  return () => {
    clearTimeout(helloTimer);
    stage.dispose();
  };
}

export default { render };
