"""Train a two-layer attention-only model on real text (the standard library's sources).

Meant to make ``tensorlessons/data/text_model.npz`` for chapter 10's real-text section.
**Not shipped yet:** none of the runs made so far on a shared 2-core CPU grew induction
heads (see "Runs so far" below), so no text model is in the package.

The corpus is one every Python installation already has: the standard library's own
``.py`` sources (the top-level modules of ``sysconfig.get_paths()["stdlib"]``), read as
characters (:data:`tensorlessons.transformer.TEXT_VOCAB`: newline, printable ASCII and one
token for anything else). Modules whose name falls in the held-out split
(:func:`tensorlessons.transformer.is_held_out`) are not trained on.

The model is a TransformerLens ``HookedTransformer`` of the kind ARENA's attention-only
models are: two attention-only layers, biases, shortformer positional embeddings (positions
enter the queries and keys only; ``--positional standard`` otherwise), no layer norm. A
fraction ``--repeat`` of the training windows has a span of itself written again further
on. After training it is converted with
:meth:`tensorlessons.AttentionOnlyTransformer.from_transformer_lens` and saved as float32.

Needs the ``tl-compat`` extra (CPU torch 2.13.0 and transformer-lens 3.9.0)::

    python scripts/train_text_model.py --out /tmp/text_model.npz --state-dict /tmp/s1.pt
    python scripts/train_text_model.py --init /tmp/s1.pt ...   # a second stage
    python scripts/train_text_model.py --steps 3 --out /tmp/m.npz   # quick check

With the same Python version (the corpus is its standard library), torch 2.13.0 and one
thread, training is deterministic.

Runs so far (loss on held-out modules, nats per character; 'repeated' = windows whose
second half repeats the first): d_model 64, d_head 16, lr 3e-3, 2,000 steps of 16 x 128:
1.91 and no head with an induction stripe above 0.01 (repeat 0 and 0.5); n_ctx 64,
2,000 steps of 32 x 64, 4 or 6 heads, lr 5e-3 or 1e-2, repeat 0.75, then 1,500 more with
repeat 1.0: 1.80-1.97 on both halves of the repeated windows alike, previous-token scores
at most 0.38; standard positions, n_ctx 32, 3,000 then 4,000 steps of 64 x 32, repeat 1.0:
repeated windows 1.94 (first half) and 1.68 (second half), an in-context gain, but no
layer-1 head attends on the induction stripe (0.00) and ablating L1H1 raises every loss.
The heads stay smeared over the last few characters: at this budget the model has not
reached the induction phase change. More steps (or a GPU) are the next try.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np

CONFIG = {
    "n_layers": 2,
    "n_heads": 6,
    "d_model": 64,
    "d_head": 16,
    "n_ctx": 128,
}
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "tensorlessons" / "data" / "text_model.npz"


def corpus() -> tuple[np.ndarray, list[str]]:
    """The training text as tokens (held-out modules left out), and the module names used."""
    from tensorlessons.transformer import encode_text, is_held_out, stdlib_sources

    names, texts = [], []
    for name, text in stdlib_sources():
        if not is_held_out(name):
            names.append(name)
            texts.append(text)
    return encode_text("\n".join(texts)), names


def make_batch(
    tokens: np.ndarray, batch: int, n_ctx: int, rng: np.random.Generator, repeat: float = 0.5
) -> np.ndarray:
    """Windows of the corpus; in a fraction ``repeat`` of them a span of the window (8 to n_ctx / 3
    characters) is written again further on, over the text that was there.

    Source code repeats itself (names, calls, whole lines), so copying what followed an
    earlier occurrence already pays on the plain text; the extra repeats make it pay more
    often, so that induction heads form within the few million characters a CPU gets
    through in minutes.
    """
    out = np.empty((batch, n_ctx), dtype=np.int64)
    for b in range(batch):
        s = int(rng.integers(0, len(tokens) - n_ctx))
        out[b] = tokens[s : s + n_ctx]
        if rng.random() < repeat:
            length = int(rng.integers(8, n_ctx // 3 + 1))
            i = int(rng.integers(0, n_ctx - 2 * length))
            j = int(rng.integers(i + length, n_ctx - length + 1))
            out[b, j : j + length] = out[b, i : i + length]
    return out


def make_model(seed: int):
    from transformer_lens import HookedTransformer, HookedTransformerConfig

    from tensorlessons.transformer import TEXT_VOCAB

    cfg = HookedTransformerConfig(
        **{k: v for k, v in CONFIG.items() if k != "positional"},
        d_vocab=len(TEXT_VOCAB),
        attn_only=True,
        normalization_type=None,
        positional_embedding_type=CONFIG.get("positional", "shortformer"),
        act_fn=None,
        seed=seed,
        device="cpu",
    )
    return HookedTransformer(cfg)


def train(
    steps: int,
    seed: int,
    batch: int,
    lr: float,
    repeat: float = 0.5,
    init: Path | None = None,
    log_every: int = 100,
):
    import torch

    torch.manual_seed(seed)
    torch.set_num_threads(1)
    tokens, names = corpus()
    model = make_model(seed)
    if init is not None:  # go on from an earlier run's weights (a second stage)
        model.load_state_dict(torch.load(init))
    n_ctx = CONFIG["n_ctx"]
    rng = np.random.default_rng(seed)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01, betas=(0.9, 0.99))
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps, pct_start=0.1)
    t0 = time.time()
    history = []
    for step in range(1, steps + 1):
        x = torch.from_numpy(make_batch(tokens, batch, n_ctx, rng, repeat))
        loss = model(x, return_type="loss")
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % log_every == 0 or step == steps:
            history.append((step, float(loss)))
            print(f"step {step:5d}  loss {float(loss):.3f}  {time.time() - t0:.0f}s", flush=True)
    info = {
        "steps": steps,
        "seed": seed,
        "batch": batch,
        "lr": lr,
        "repeat": repeat,
        "init": str(init) if init else None,
        **CONFIG,
        "python": platform.python_version(),
        "torch": torch.__version__,
        "corpus_modules": len(names),
        "corpus_chars": int(len(tokens)),
        "final_loss": history[-1][1],
        "seconds": round(time.time() - t0),
    }
    return model, info


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--repeat", type=float, default=0.5)
    parser.add_argument("--n-ctx", type=int, default=CONFIG["n_ctx"])
    parser.add_argument("--n-heads", type=int, default=CONFIG["n_heads"])
    parser.add_argument("--positional", default="shortformer", choices=["shortformer", "standard"])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--state-dict", type=Path, help="also save the torch state dict here")
    parser.add_argument("--init", type=Path, help="start from this saved state dict")
    args = parser.parse_args()
    CONFIG.update(n_ctx=args.n_ctx, n_heads=args.n_heads)
    if args.positional != "shortformer":
        CONFIG["positional"] = args.positional
    model, info = train(args.steps, args.seed, args.batch, args.lr, args.repeat, args.init)
    if args.state_dict:
        import torch

        torch.save(model.state_dict(), args.state_dict)
    from tensorlessons.transformer import AttentionOnlyTransformer

    ours = AttentionOnlyTransformer.from_transformer_lens(model)
    ours.save(args.out)
    print(json.dumps(info, indent=1))
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
