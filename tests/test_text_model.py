"""The shipped model trained on real text: small, numpy-only, good on code it never saw,
with induction heads found on real text and shown by ablation to cause its in-context drop.

Everything is measured on the held-out modules of the standard library, with the windows
chapter 10 uses; the figures that tensorlessons/data/README.md quotes are recomputed here.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import tensorlessons as tl
from tensorlessons._reference import reading_losses
from tensorlessons.transformer import TEXT_VOCAB

DATA = Path(tl.__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def setting():
    """The model, and the held-out windows chapter 10 uses (same seeds)."""
    model = tl.load_text_model()
    held = tl.held_out_text()
    n = model.n_ctx
    plain = tl.text_windows(held, n, batch=100, seed=7)
    once = tl.text_windows(held, n // 2, batch=100, seed=8)
    repeated = np.concatenate([once, once], axis=1)
    prev = tl.previous_token_scores(model, plain)
    stripe = tl.induction_scores(model, tokens=repeated)
    heads = {"prev": int(np.argmax(prev[0])), "induction": int(np.argmax(stripe[1]))}
    return model, held, plain, repeated, prev, stripe, heads


def test_shipped_small_and_of_the_documented_kind():
    path = DATA / "text_model.npz"
    assert path.stat().st_size <= 2_000_000
    model = tl.load_text_model()
    assert model.n_layers == 2
    assert model.positional == "shortformer" and model.has_biases
    assert model.normalization is None
    assert model.d_vocab == len(TEXT_VOCAB)


def test_it_learned_code_it_never_saw(setting):
    model, held, plain, *_ = setting
    # the held-out text's own character frequencies: what a model without context could do
    counts = np.bincount(tl.encode_text(held), minlength=len(TEXT_VOCAB))
    p = counts[counts > 0] / counts.sum()
    unigram = float(-(p * np.log(p)).sum())
    loss = float(model.loss(plain))
    assert loss < unigram - 1.0, (loss, unigram)
    names = [name for name, _ in tl.transformer.stdlib_sources()]
    assert sum(tl.transformer.is_held_out(n) for n in names) >= 10


def test_its_circuit_is_found_on_real_text(setting):
    model, _, plain, repeated, prev, stripe, heads = setting
    # a sharp previous-token head in layer 0, one clear induction head in layer 1
    assert prev[0, heads["prev"]] > 0.5, prev
    assert stripe[1, heads["induction"]] > 0.1, stripe
    others = np.delete(stripe[1], heads["induction"])
    assert stripe[1, heads["induction"]] > 5 * others.max(), stripe
    assert stripe[0].max() < 0.05  # layer 0 has nothing to compose with
    # its OV circuit copies: a copying score near 1
    score = tl.copying_score(tl.ov_circuit(model, 1, heads["induction"]))
    assert score > 0.5, score


def test_ablation_shows_the_circuit_causes_the_in_context_gain(setting):
    model, _, plain, repeated, _, _, heads = setting
    everyone = [[(a, b)] for a in range(model.n_layers) for b in range(model.n_heads)]
    readings = reading_losses(model, repeated, everyone)
    gain = readings[:, 0] - readings[:, 1]
    circuit = [1 + heads["prev"], 1 + model.n_heads + heads["induction"]]
    assert gain[0] > 0.25, gain  # the second reading of a passage is much better
    for row in circuit:  # remove a head of the circuit: the gain is gone
        assert gain[row] < 0.15 * gain[0], (row, gain)
    for row in set(range(1, len(gain))) - set(circuit):  # any other head: it stays
        assert gain[row] > 0.6 * gain[0], (row, gain)

    # on code as it comes, the fall of the loss with the position is mostly the circuit's
    def drop(m):
        losses = m.loss(plain, per_position=True)
        return losses[8:24].mean() - losses[64:].mean()

    assert drop(model) > 0.1
    assert drop(model.ablate([(1, heads["induction"])])) < 0.5 * drop(model)


def test_the_data_readme_quotes_what_the_model_does(setting):
    """The figures the README gives are the ones measured here (2 decimals). They depend
    on the held-out text, which is the running Python's standard library."""
    import platform

    model, _, plain, repeated, prev, stripe, heads = setting
    text = (DATA / "README.md").read_text()
    section = text[text.index("`text_model.npz`") :]
    assert f"L0H{heads['prev']}" in section and f"L1H{heads['induction']}" in section
    measured_on = re.search(r"Python (3\.\d+)\.\d+", section)
    assert measured_on is not None
    if platform.python_version().rsplit(".", 1)[0] != measured_on.group(1):
        pytest.skip(f"the figures were measured with Python {measured_on.group(1)}")
    table = reading_losses(model, repeated, [[(1, heads["induction"])], [(0, heads["prev"])]])
    for first, second in table:
        assert f"| {first:.2f} | {second:.2f} | {first - second:.2f} |" in section, table
    assert f"{float(model.loss(plain)):.2f} nats per character" in section
    # and the project README quotes the same first reading, second reading and ablation
    readme = " ".join((DATA.parent.parent / "README.md").read_text().split())
    quoted = (
        f"costs {table[0, 1]:.2f} nats per character instead of {table[0, 0]:.2f}, "
        f"and {table[1, 1]:.2f} without the induction head"
    )
    assert quoted in readme, quoted


def test_training_script_defaults_are_the_shipped_model():
    """Running the script with its defaults remakes the shipped model's shape."""
    import ast

    script = Path(__file__).resolve().parent.parent / "scripts" / "train_text_model.py"
    tree = ast.parse(script.read_text())
    config = next(
        ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "CONFIG"
    )
    model = tl.load_text_model()
    got = {
        "n_layers": model.n_layers,
        "n_heads": model.n_heads,
        "d_model": model.d_model,
        "d_head": model.d_head,
        "n_ctx": model.n_ctx,
    }
    assert config == got


def test_bad_input_is_named():
    """Windows and induction scores refuse what they cannot use, saying what it was."""
    model = tl.load_text_model()
    with pytest.raises(tl.DiagramError, match=r"length=0"):
        tl.text_windows("some code", 0)
    with pytest.raises(tl.DiagramError, match=r"9 characters, fewer than one window of length=20"):
        tl.text_windows("some code", 20)
    plain = tl.text_windows(tl.held_out_text(), 10, batch=2, seed=1)
    with pytest.raises(tl.DiagramError, match=r"second half repeats the first"):
        tl.induction_scores(model, tokens=plain)
    twice = np.concatenate([plain, plain], axis=1)
    with pytest.raises(tl.DiagramError, match=r"half=3, but the tokens given are two halves of 10"):
        tl.induction_scores(model, 3, tokens=twice)
    assert tl.induction_scores(model, tokens=twice).shape == (2, 4)
