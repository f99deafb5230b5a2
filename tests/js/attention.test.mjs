// Pure helpers of the attention widgets' front ends, without a browser: node --test tests/js/
import assert from "node:assert/strict";
import { test } from "node:test";

import { readFloat64 } from "../../tensorlessons/static/attention.js";
import { readFloat64 as readLogits, signed } from "../../tensorlessons/static/logits.js";

function littleEndian(values) {
  const buf = new ArrayBuffer(8 * values.length);
  const view = new DataView(buf);
  values.forEach((v, k) => view.setFloat64(8 * k, v, true));
  return buf;
}

test("float64 buffers decode from every form anywidget may hand over", () => {
  const values = [0, 1.5, -2.25, 1e-300, 0.123456789];
  const buf = littleEndian(values);
  for (const read of [readFloat64, readLogits]) {
    assert.deepEqual(Array.from(read(buf)), values);
    assert.deepEqual(Array.from(read(new DataView(buf))), values);
    assert.deepEqual(Array.from(read(new Uint8Array(buf))), values);
    // a view into a larger buffer, starting past its first value
    const shifted = new Uint8Array(littleEndian([9, ...values]), 8);
    assert.deepEqual(Array.from(read(shifted)), values);
    assert.equal(read(null).length, 0);
  }
});

test("signed numbers show their sign and three decimals", () => {
  assert.equal(signed(4.9114), "+4.911");
  assert.equal(signed(-0.4291), "−0.429");
  assert.equal(signed(0), "+0.000");
});
