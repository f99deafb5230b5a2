// tensorlessons logit-attribution widget (anywidget ESM, no bundler, no imports).
// Python computes the path expansion; the browser draws one bar per path (direct path,
// heads, virtual heads) for the chosen position and target token. Token strings are set
// with textContent only.

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
 * Format a number with a sign and 3 decimals.
 * @param {number} x
 */
export function signed(x) {
  return (x >= 0 ? "+" : "−") + Math.abs(x).toFixed(3);
}

/**
 * The synced traits of ``LogitAttributionWidget`` (tensorlessons/attention.py).
 * @typedef {{token_text: string[], token_ids: number[], seq: number, title: string,
 *   position: number, target: number, vocab_text: string[], path_names: string[],
 *   values: DataView | null, total: number,
 *   prediction: {token?: number, text?: string, prob?: number, target_prob?: number}}} LogitTraits
 */

/** @param {{ model: import("@anywidget/types").AnyModel<LogitTraits>, el: HTMLElement }} ctx */
function render({ model, el }) {
  const root = html("div", "tl-attn tl-logits");
  el.appendChild(root);
  const header = html("div", "tl-attn-header");
  const title = html("span", "tl-attn-title");
  const posLabel = html("label", "tl-attn-control", "position ");
  const posSelect = /** @type {HTMLSelectElement} */ (html("select"));
  posSelect.setAttribute("aria-label", "position");
  posLabel.appendChild(posSelect);
  const tgtLabel = html("label", "tl-attn-control", "logit of ");
  const tgtSelect = /** @type {HTMLSelectElement} */ (html("select"));
  tgtSelect.setAttribute("aria-label", "target token");
  tgtLabel.appendChild(tgtSelect);
  header.append(title, posLabel, tgtLabel);
  const sequence = html("div", "tl-logits-sequence");
  const bars = html("div", "tl-logits-bars");
  bars.setAttribute("role", "list");
  const summary = html("div", "tl-attn-readout");
  summary.setAttribute("aria-live", "polite");
  root.append(header, sequence, bars, summary);

  /**
   * @param {HTMLSelectElement} select
   * @param {string[]} labels
   * @param {number} value
   */
  function fill(select, labels, value) {
    const want = labels.join("\u0000");
    if (select.dataset.labels !== want) {
      select.replaceChildren();
      labels.forEach((text, k) => {
        const opt = /** @type {HTMLOptionElement} */ (html("option", "", text));
        opt.value = String(k);
        select.appendChild(opt);
      });
      select.dataset.labels = want;
    }
    select.value = String(value);
  }

  function draw() {
    const tokens = model.get("token_text") || [];
    const vocab = model.get("vocab_text") || [];
    const names = model.get("path_names") || [];
    const values = readFloat64(model.get("values"));
    const position = model.get("position");
    const target = model.get("target");
    title.textContent = model.get("title") || "";
    fill(posSelect, tokens.map((/** @type {string} */ t, /** @type {number} */ p) => `${p}: ${t}`), position);
    fill(tgtSelect, vocab, target);

    sequence.replaceChildren();
    tokens.forEach((/** @type {string} */ text, /** @type {number} */ p) => {
      const chip = html("button", "tl-logits-token", text);
      chip.setAttribute("type", "button");
      chip.setAttribute("aria-pressed", String(p === position));
      chip.title = `position ${p}`;
      if (p === position) chip.classList.add("tl-logits-current");
      chip.addEventListener("click", () => {
        model.set("position", p);
        model.save_changes();
      });
      sequence.appendChild(chip);
    });

    bars.replaceChildren();
    const biggest = Math.max(1e-12, ...Array.from(values, Math.abs));
    names.forEach((/** @type {string} */ name, /** @type {number} */ k) => {
      const v = values[k] ?? 0;
      const row = html("div", "tl-logits-row");
      row.setAttribute("role", "listitem");
      row.dataset.path = name;
      const label = html("span", "tl-logits-name", name);
      const track = html("span", "tl-logits-track");
      const bar = html("span", v >= 0 ? "tl-logits-bar tl-pos" : "tl-logits-bar tl-neg");
      const half = (50 * Math.abs(v)) / biggest;
      bar.style.width = `${half}%`;
      bar.style.left = v >= 0 ? "50%" : `${50 - half}%`;
      track.appendChild(bar);
      const value = html("span", "tl-logits-value", signed(v));
      row.append(label, track, value);
      bars.appendChild(row);
    });
    const total = model.get("total");
    const pred = model.get("prediction") || {};
    const next = position + 1 < tokens.length ? ` (the next token is ${tokens[position + 1]})` : "";
    summary.textContent =
      `logit of ${vocab[target] ?? target} at position ${position} = ${total.toFixed(3)}, ` +
      `the sum of the bars; p = ${(pred.target_prob ?? 0).toFixed(3)}. ` +
      `Top prediction: ${pred.text ?? ""} (p = ${(pred.prob ?? 0).toFixed(3)})${next}.`;
  }

  posSelect.addEventListener("change", () => {
    model.set("position", Number(posSelect.value));
    model.save_changes();
  });
  tgtSelect.addEventListener("change", () => {
    model.set("target", Number(tgtSelect.value));
    model.save_changes();
  });
  for (const name of ["values", "token_text", "vocab_text", "path_names", "position", "target", "total", "prediction", "title"]) {
    model.on(`change:${name}`, draw);
  }
  draw();
}

export default { render };
