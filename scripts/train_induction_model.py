"""Train the small two-layer attention-only transformer shipped as tensorlessons/data/.

The model is the one of :class:`tensorlessons.AttentionOnlyTransformer` (no layer norm, no
biases, causal attention scaled by 1/sqrt(d_head)), written in torch with the same weight
names and shapes, trained with AdamW on synthetic sequences:

- background tokens from a fixed random Markov chain (each token has a few favoured
  successors), so the direct path has bigram statistics to learn;
- inside each sequence, a random segment (length 4..12 at a random offset) is repeated
  later, so predicting the repeat needs induction ([a][b] ... [a] -> [b]); the varying
  length and offset rule out a purely positional shortcut.

Runs on CPU in about a minute. Needs torch (the ``train`` extra)::

    python scripts/train_induction_model.py            # writes tensorlessons/data/induction_model.npz
    python scripts/train_induction_model.py --steps 200 --out /tmp/m.npz   # quick check
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import numpy as np

CONFIG = {
    "n_layers": 2,
    "n_heads": 4,
    "d_model": 64,
    "d_head": 16,
    "d_vocab": 32,
    "n_ctx": 32,
}
DEFAULT_OUT = (
    Path(__file__).resolve().parent.parent / "tensorlessons" / "data" / "induction_model.npz"
)


def background_logits(d_vocab: int, rng: np.random.Generator, scale: float = 2.0) -> np.ndarray:
    """Two random tables [2, d_vocab, d_vocab]: next-token logits from the current token and
    from the one before it (an additive second-order Markov chain)."""
    return rng.normal(size=(2, d_vocab, d_vocab)) * scale


def make_batch(batch: int, n_ctx: int, tables: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Markov background with one random segment copied later in the sequence."""
    d_vocab = tables.shape[-1]
    out = np.empty((batch, n_ctx), dtype=np.int64)
    out[:, :2] = rng.integers(0, d_vocab, size=(batch, 2))
    gumbel = rng.gumbel(size=(batch, n_ctx, d_vocab))
    for p in range(2, n_ctx):
        logits = tables[0][out[:, p - 1]] + tables[1][out[:, p - 2]]
        out[:, p] = (logits + gumbel[:, p]).argmax(axis=1)
    for b in range(batch):
        length = int(rng.integers(4, 13))
        gap = int(rng.integers(0, 5))
        start = int(rng.integers(0, n_ctx - 2 * length - gap + 1))
        segment = rng.integers(0, d_vocab, size=length)
        copy_at = start + length + gap
        out[b, start : start + length] = segment
        out[b, copy_at : copy_at + length] = segment
    return out


def train(
    steps: int, seed: int, batch: int, lr: float, background_scale: float, log_every: int = 250
) -> dict:
    import torch

    torch.manual_seed(seed)
    torch.set_num_threads(1)  # one thread is fastest for so small a model
    rng = np.random.default_rng(seed)
    c = CONFIG
    L, H, D, E, V, N = (
        c["n_layers"],
        c["n_heads"],
        c["d_model"],
        c["d_head"],
        c["d_vocab"],
        c["n_ctx"],
    )
    table = background_logits(V, np.random.default_rng(1000 + seed), background_scale)

    def param(*shape: int, std: float) -> torch.nn.Parameter:
        return torch.nn.Parameter(torch.randn(*shape) * std)

    W = {
        "W_E": param(V, D, std=1.0),
        "W_pos": param(N, D, std=1.0),
        "W_Q": param(L, H, D, E, std=1 / math.sqrt(D)),
        "W_K": param(L, H, D, E, std=1 / math.sqrt(D)),
        "W_V": param(L, H, D, E, std=1 / math.sqrt(D)),
        "W_O": param(L, H, E, D, std=1 / math.sqrt(E * H)),
        "W_U": param(D, V, std=1 / math.sqrt(D)),
    }
    mask = torch.triu(torch.ones(N, N, dtype=torch.bool), diagonal=1)

    def split(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        """x [b, seq, D] through one layer's heads w [H, D, E] -> [b, H, seq, E]."""
        b, seq, _ = x.shape
        return (x @ w.permute(1, 0, 2).reshape(D, H * E)).view(b, seq, H, E).transpose(1, 2)

    def forward(tokens: torch.Tensor) -> torch.Tensor:
        # Heads side by side as matmuls (much faster than einsum on a small CPU).
        b, seq = tokens.shape
        x = W["W_E"][tokens] + W["W_pos"][:seq]
        for layer in range(L):
            q, k, v = (split(x, W[name][layer]) for name in ("W_Q", "W_K", "W_V"))
            scores = (q @ k.transpose(-1, -2)) / math.sqrt(E)
            pattern = scores.masked_fill(mask[:seq, :seq], float("-inf")).softmax(dim=-1)
            z = (pattern @ v).transpose(1, 2).reshape(b, seq, H * E)
            x = x + z @ W["W_O"][layer].reshape(H * E, D)
        return x @ W["W_U"]

    opt = torch.optim.AdamW(W.values(), lr=lr, weight_decay=0.01, betas=(0.9, 0.98))
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps, pct_start=0.1)
    t0 = time.perf_counter()
    history = []
    for step in range(1, steps + 1):
        tokens = torch.from_numpy(make_batch(batch, N, table, rng))
        logits = forward(tokens[:, :-1])
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, V), tokens[:, 1:].reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % log_every == 0 or step == 1:
            history.append((step, loss.item()))
            print(f"step {step:5d}  loss {loss.item():.3f}  ({time.perf_counter() - t0:.0f} s)")
    return {
        "weights": {k: v.detach().numpy().astype(np.float32) for k, v in W.items()},
        "seconds": time.perf_counter() - t0,
        "history": history,
    }


def evaluate(path: Path) -> dict:
    """Loss on the first and second half of repeated uniform random sequences."""
    from tensorlessons.transformer import AttentionOnlyTransformer, repeated_random_tokens

    model = AttentionOnlyTransformer.load(path)
    half = model.n_ctx // 2
    tokens = repeated_random_tokens(half, model.d_vocab, batch=200, seed=123, distinct=False)
    per = model.loss(tokens, per_position=True)
    pred = model(tokens).argmax(-1)
    return {
        "loss_first_half": float(per[: half - 1].mean()),
        "loss_second_half": float(per[half:].mean()),
        "accuracy_second_half": float((pred[:, half:-1] == tokens[:, half + 1 :]).mean()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=4000)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--background-scale", type=float, default=2.0)
    parser.add_argument("--heads", type=int, default=CONFIG["n_heads"])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    CONFIG["n_heads"] = args.heads
    result = train(args.steps, args.seed, args.batch, args.lr, args.background_scale)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, **result["weights"])
    report = evaluate(args.out)
    report.update(
        {
            "steps": args.steps,
            "batch": args.batch,
            "lr": args.lr,
            "seed": args.seed,
            "background_scale": args.background_scale,
            "train_seconds": round(result["seconds"], 1),
            "bytes": args.out.stat().st_size,
            **CONFIG,
        }
    )
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
