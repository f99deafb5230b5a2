// tensorlessons attention-pattern widget (anywidget ESM, no bundler, no imports).
// Python sends every head's pattern as one float64 buffer [n_layers, n_heads, seq, seq];
// the browser draws the chosen head as a queries x keys grid and, in a wrapping strip of
// token chips, marks the hovered query and how much it attends to each key. Token strings
// are always set with textContent.

const SVG = "http://www.w3.org/2000/svg";

/**
 * Read a little-endian float64 buffer (DataView, ArrayBuffer or typed array).
 * @param {DataView | ArrayBuffer | ArrayBufferView | null | undefined} buf
 * @returns {Float64Array}
 */
export function readFloat64(buf) {
  if (!buf) return new Float64Array(0);
  /** @type {DataView} */
  let view;
  if (buf instanceof DataView) view = buf;
  else if (buf instanceof ArrayBuffer) view = new DataView(buf);
  else view = new DataView(buf.buffer, buf.byteOffset || 0, buf.byteLength);
  const n = Math.floor(view.byteLength / 8);
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) out[k] = view.getFloat64(8 * k, true);
  return out;
}

/**
 * @param {string} tag
 * @param {Record<string, string | number>} [attrs]
 * @returns {SVGElement}
 */
function svg(tag, attrs = {}) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

/**
 * @param {string} tag
 * @param {string} [cls]
 * @param {string} [text]
 * @returns {HTMLElement}
 */
function html(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * The synced traits of ``AttentionPatternWidget`` (tensorlessons/attention.py).
 * @typedef {{token_text: string[], token_ids: number[], seq: number, title: string,
 *   n_layers: number, n_heads: number, layer: number, head: number,
 *   patterns: DataView | null, query: number}} PatternTraits
 */

/** @param {{ model: import("@anywidget/types").AnyModel<PatternTraits>, el: HTMLElement }} ctx */
function render({ model, el }) {
  const root = html("div", "tl-attn tl-attn-pattern");
  root.tabIndex = 0;
  root.setAttribute("role", "group");
  el.appendChild(root);

  const header = html("div", "tl-attn-header");
  const title = html("span", "tl-attn-title");
  const layerLabel = html("label", "tl-attn-control", "layer ");
  const layerSelect = /** @type {HTMLSelectElement} */ (html("select"));
  layerSelect.setAttribute("aria-label", "layer");
  layerLabel.appendChild(layerSelect);
  const headLabel = html("label", "tl-attn-control", "head ");
  const headSelect = /** @type {HTMLSelectElement} */ (html("select"));
  headSelect.setAttribute("aria-label", "head");
  headLabel.appendChild(headSelect);
  header.append(title, layerLabel, headLabel);

  const readout = html("div", "tl-attn-readout");
  readout.setAttribute("aria-live", "polite");
  const figure = svg("svg", { class: "tl-attn-grid", role: "img" });
  const strip = html("div", "tl-attn-strip");
  root.append(header, figure, strip, readout);

  /** @type {Float64Array} */
  let data = new Float64Array(0);

  function fillSelect(/** @type {HTMLSelectElement} */ select, /** @type {number} */ n, /** @type {number} */ value) {
    if (select.options.length !== n) {
      select.replaceChildren();
      for (let k = 0; k < n; k++) {
        const opt = /** @type {HTMLOptionElement} */ (html("option", "", String(k)));
        opt.value = String(k);
        select.appendChild(opt);
      }
    }
    select.value = String(value);
  }

  function current() {
    const seq = model.get("seq");
    const L = model.get("n_layers");
    const H = model.get("n_heads");
    const layer = model.get("layer");
    const head = model.get("head");
    const offset = ((layer * H + head) * seq) * seq;
    const ok = data.length === L * H * seq * seq;
    /** @param {number} q @param {number} k */
    const at = (q, k) => (ok ? data[offset + q * seq + k] : 0);
    return { seq, layer, head, at };
  }

  function draw() {
    const { seq, layer, head, at } = current();
    const tokens = model.get("token_text") || [];
    title.textContent = model.get("title") || "";
    fillSelect(layerSelect, model.get("n_layers"), layer);
    fillSelect(headSelect, model.get("n_heads"), head);
    root.setAttribute("aria-label", `attention pattern of head L${layer}H${head}`);
    const longest = Math.max(1, ...tokens.map((/** @type {string} */ t) => t.length));
    const margin = Math.max(56, Math.min(140, 14 + 7 * longest + 22));
    // cells shrink for long sequences so the grid fits an output area (16 px at least:
    // a 12 px label per row, and rotated key labels that stay clear of each other);
    // beyond that the viewBox scales the whole figure, labels and all
    const CELL = Math.max(16, Math.min(22, Math.floor(768 / Math.max(1, seq))));
    const size = seq * CELL;
    // the last key label leans right (rotated -60 degrees): room for it past the grid
    const right = Math.ceil(3.5 * Math.min(longest, 20)) + 6;
    const width = margin + size + right;
    const height = margin + size + 2;
    figure.replaceChildren();
    figure.setAttribute("width", String(width));
    figure.setAttribute("height", String(height));
    figure.setAttribute("viewBox", `0 0 ${width} ${height}`);
    const cells = svg("g", { transform: `translate(${margin},${margin})` });
    for (let q = 0; q < seq; q++) {
      const row = svg("g", { class: "tl-attn-row", "data-query": q });
      for (let k = 0; k < seq; k++) {
        const a = at(q, k);
        const rect = svg("rect", {
          x: k * CELL,
          y: q * CELL,
          width: CELL - 1,
          height: CELL - 1,
          class: k > q ? "tl-attn-cell tl-attn-masked" : "tl-attn-cell",
          "data-key": k,
          "fill-opacity": k > q ? 1 : (0.06 + 0.94 * a).toFixed(3),
        });
        const tip = svg("title");
        tip.textContent = `query ${q} (${tokens[q] ?? ""}) → key ${k} (${tokens[k] ?? ""}): ${a.toFixed(3)}`;
        rect.appendChild(tip);
        row.appendChild(rect);
      }
      row.addEventListener("pointerenter", () => setQuery(q));
      cells.appendChild(row);
    }
    // Query labels on the left, key labels on top (rotated): text, never HTML.
    for (let p = 0; p < seq; p++) {
      const ql = svg("text", {
        x: margin - 6,
        y: margin + p * CELL + CELL / 2,
        class: "tl-attn-label tl-attn-qlabel",
        "text-anchor": "end",
        "dominant-baseline": "central",
        "data-query": p,
      });
      ql.textContent = tokens[p] ?? "";
      ql.addEventListener("pointerenter", () => setQuery(p));
      const kl = svg("text", {
        transform: `translate(${margin + p * CELL + CELL / 2},${margin - 6}) rotate(-60)`,
        class: "tl-attn-label tl-attn-klabel",
        "dominant-baseline": "central",
        "data-key": p,
      });
      kl.textContent = tokens[p] ?? "";
      figure.append(ql, kl);
    }
    // "query ↓" heads the column of query labels (above the first, clear of the last)
    const axisQ = svg("text", { x: margin - 6, y: margin - 8, class: "tl-attn-axis", "text-anchor": "end" });
    axisQ.textContent = "query ↓";
    const axisK = svg("text", { x: margin + size, y: 12, class: "tl-attn-axis", "text-anchor": "end" });
    axisK.textContent = "key →";
    figure.append(cells, axisQ, axisK);
    figure.addEventListener("pointerleave", () => setQuery(-1));
    highlight();
  }

  /** The token strip: chips that wrap; the hovered query outlined, each key's chip shaded
   * and topped by a bar as high as the query's attention to it. */
  function highlight() {
    const { seq, at } = current();
    const q = model.get("query");
    const tokens = model.get("token_text") || [];
    figure.querySelectorAll(".tl-attn-row").forEach((row) => {
      row.classList.toggle("tl-attn-active", Number(row.getAttribute("data-query")) === q);
    });
    figure.querySelectorAll(".tl-attn-klabel").forEach((label) => {
      const k = Number(label.getAttribute("data-key"));
      const w = q >= 0 && k <= q ? at(q, k) : 0;
      label.setAttribute("fill-opacity", q >= 0 ? (0.25 + 0.75 * w).toFixed(3) : "1");
      label.classList.toggle("tl-attn-strong", q >= 0 && w > 0.3);
    });
    strip.replaceChildren();
    for (let p = 0; p < seq; p++) {
      const a = q >= 0 && p <= q ? at(q, p) : 0;
      const chip = html("span", p === q ? "tl-attn-chip tl-attn-query" : "tl-attn-chip");
      chip.setAttribute("data-pos", String(p));
      // the shade stays light enough for the token's text to read on it (>= 4.5:1)
      const shade = html("span", "tl-attn-chipbox");
      shade.style.opacity = (0.06 + 0.44 * a).toFixed(3);
      const text = html("span", "tl-attn-chiptext", tokens[p] ?? "");
      chip.append(shade, text);
      if (q >= 0 && p <= q && a >= 0.01) {
        // the attention as a number beside the token, and a bar in the chip's top margin
        // (clear of both: nothing hides the most-attended token or its number)
        chip.appendChild(html("span", "tl-attn-chipvalue", a.toFixed(2)));
        const bar = html("span", "tl-attn-link");
        bar.setAttribute("data-key", String(p));
        bar.style.height = `${(1 + 4 * a).toFixed(1)}px`;
        bar.style.opacity = (0.35 + 0.65 * a).toFixed(3);
        chip.appendChild(bar);
      }
      chip.addEventListener("pointerenter", () => setQuery(p));
      strip.appendChild(chip);
    }
    if (q >= 0 && q < seq) {
      let best = 0;
      for (let k = 0; k <= q; k++) {
        if (at(q, k) > at(q, best)) best = k;
      }
      readout.textContent =
        `query ${q} (${tokens[q] ?? ""}) attends most to key ${best} ` +
        `(${tokens[best] ?? ""}): ${at(q, best).toFixed(3)}`;
    } else {
      readout.textContent = "Hover a row (a query) to see which keys it attends to.";
    }
  }

  /** @param {number} q */
  function setQuery(q) {
    if (model.get("query") === q) return;
    model.set("query", q);
    model.save_changes();
    highlight();
  }

  layerSelect.addEventListener("change", () => {
    model.set("layer", Number(layerSelect.value));
    model.save_changes();
  });
  headSelect.addEventListener("change", () => {
    model.set("head", Number(headSelect.value));
    model.save_changes();
  });
  root.addEventListener("keydown", (event) => {
    const seq = model.get("seq");
    const q = model.get("query");
    if (event.key === "ArrowDown" || event.key === "ArrowRight") {
      setQuery(Math.min(seq - 1, q + 1));
      event.preventDefault();
    } else if (event.key === "ArrowUp" || event.key === "ArrowLeft") {
      setQuery(Math.max(0, q < 0 ? 0 : q - 1));
      event.preventDefault();
    } else if (event.key === "Escape") {
      setQuery(-1);
    }
  });

  function load() {
    data = readFloat64(model.get("patterns"));
    draw();
  }
  model.on("change:patterns", load);
  model.on("change:token_text", draw);
  model.on("change:seq", draw);
  model.on("change:layer", draw);
  model.on("change:head", draw);
  model.on("change:n_layers", draw);
  model.on("change:n_heads", draw);
  model.on("change:title", draw);
  model.on("change:query", highlight);
  load();
}

export default { render };
