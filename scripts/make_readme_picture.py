"""Write docs/img/ov_circuit.svg, the README's picture, with the package itself.

Run: python scripts/make_readme_picture.py
"""

from pathlib import Path

import numpy as np

import tensorlessons as tl

rng = np.random.default_rng(0)
d_vocab, d_model, d_head = 50, 16, 4
d = tl.Diagram.from_einsum(
    "tm,mh,hn,nu->tu",
    rng.standard_normal((d_vocab, d_model)),
    rng.standard_normal((d_model, d_head)),
    rng.standard_normal((d_head, d_model)),
    rng.standard_normal((d_model, d_vocab)),
    names=["W_E", "W_V", "W_O", "W_U"],
)
out = Path(__file__).resolve().parents[1] / "docs" / "img" / "ov_circuit.svg"
out.write_text(d.to_svg(title="The OV circuit W_E W_V W_O W_U as a tensor diagram") + "\n")
print(f"wrote {out.name}: result shape {d.shape}, einsum {d.to_einsum()!r}")
