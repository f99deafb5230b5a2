"""WCAG contrast of what the browser actually paints: computed colours, blended as drawn.

``PAINTED_JS`` returns, for an element, its text colour and the colours behind it: every
background from the element up to the first opaque one (element opacity included), topmost
first, as ``[r, g, b, a]`` lists in 0..1. :func:`contrast` gives the WCAG 2 ratio.

>>> round(contrast([0, 0, 0, 1], [[1, 1, 1, 1]]), 1)
21.0
>>> round(contrast([0.5, 0.5, 0.5, 1], [[1, 1, 1, 1]]), 2)
3.98
"""

from __future__ import annotations

from typing import Any

# Chromium computes colours as rgb()/rgba() or, for color-mix() and the like, color(srgb ...).
PAINTED_JS = r"""(el, under) => {
  const probe = document.createElement('canvas').getContext('2d');
  const parse = (c) => {
    let m = c.match(/^rgba?\(([^)]+)\)$/);
    if (m) {
      const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
      return [p[0] / 255, p[1] / 255, p[2] / 255, p.length > 3 ? p[3] : 1];
    }
    m = c.match(/^color\(srgb ([^)]+)\)$/);
    if (m) {
      const p = m[1].split(/[ /]+/).filter(Boolean).map(Number);
      return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
    }
    probe.fillStyle = c;  // anything else: let the canvas normalise it
    const n = probe.fillStyle;
    if (n.startsWith('#')) {
      return [1, 3, 5].map((k) => parseInt(n.slice(k, k + 2), 16) / 255).concat([1]);
    }
    return n === c ? [0, 0, 0, 1] : parse(n);
  };
  const layers = [];
  if (under) {  // an element painted under the text (a shade placed beside it)
    const s = getComputedStyle(under);
    const c = parse(s.backgroundColor);
    c[3] *= Number(s.opacity);
    layers.push(c);
  }
  for (let e = el; e; e = e.parentElement) {
    const s = getComputedStyle(e);
    const bg = parse(s.backgroundColor);
    bg[3] *= Number(s.opacity);
    if (bg[3] > 0) layers.push(bg);
    if (bg[3] >= 1) break;
  }
  layers.push([1, 1, 1, 1]);  // the canvas
  return {fg: parse(getComputedStyle(el).color), layers};
}"""


def _lum(c: list[float]) -> float:
    def ch(v: float) -> float:
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (ch(v) for v in c[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _over(top: list[float], under: list[float]) -> list[float]:
    a = top[3]
    return [top[k] * a + under[k] * (1 - a) for k in range(3)] + [1.0]


def contrast(fg: list[float], layers: list[list[float]]) -> float:
    """WCAG contrast of ``fg`` over ``layers`` (topmost first, the last one opaque)."""
    bg = layers[-1]
    for layer in reversed(layers[:-1]):
        bg = _over(layer, bg)
    text = _over(fg, bg)
    hi, lo = sorted((_lum(text), _lum(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def painted_contrast(locator: Any, under: Any = None) -> float:
    """The contrast of the text of ``locator`` (a Playwright locator) as painted;
    ``under``: a locator of an element painted beneath the text (not an ancestor)."""
    handle = under.element_handle() if under is not None else None
    got = locator.evaluate(PAINTED_JS, handle)
    return contrast(got["fg"], got["layers"])
