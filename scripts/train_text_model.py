"""Train the two-layer attention-only model on real text: the standard library's sources.

Makes ``tensorlessons/data/text_model.npz``, the model of chapter 10's section 8
(:func:`tensorlessons.load_text_model`); ``tensorlessons/data/README.md`` says what it does.

The corpus is one every Python installation already has: the standard library's own
``.py`` sources (the top-level modules of ``sysconfig.get_paths()["stdlib"]``), read as
characters (:data:`tensorlessons.transformer.TEXT_VOCAB`: newline, printable ASCII and one
token for anything else). Modules in the held-out split
(:func:`tensorlessons.transformer.is_held_out`) are never trained on.

The model is of the kind ARENA's attention-only models are: two attention-only layers,
biases, shortformer positional embeddings (positions enter the queries and keys only), no
layer norm, TransformerLens's parameter names and initialisation (positions start
sinusoidal). It is written here in plain torch (several times faster per step than
``HookedTransformer`` at this size); its state dict is read with
:meth:`tensorlessons.AttentionOnlyTransformer.from_transformer_lens`, together with a
TransformerLens config dict, and saved as float32.

The recipe (the defaults): 3,000 warm-up steps on the synthetic model's sequences
(``scripts/train_induction_model.py``: an additive second-order Markov chain over the
characters with one span written twice, 32 characters long), then 9,000 steps on the
plain source code, 128 characters at a time. On code alone, no CPU run grew induction
heads (18 runs, up to 12,000 steps and 50 million characters: the layer-0 heads stay
smeared over the last few characters, previous-token score <= 0.36, induction stripe
<= 0.03; ``--synthetic-steps 0 --short-steps 0`` reproduces that, ``--repeat`` pastes
passages twice into the code windows, which did not help either). The warm-up forms the
circuit; the code keeps it because it pays there.

Needs torch (the ``tl-compat`` extra pins CPU torch 2.13.0)::

    python scripts/train_text_model.py                             # the shipped model
    python scripts/train_text_model.py --steps 3 --out /tmp/m.npz   # quick check

With the same Python version (the corpus is its standard library), the same torch and one
thread, training is deterministic (about 7 minutes on one core). Every ``--log-every``
steps the script prints the held-out loss, the best previous-token score, and on held-out
passages written twice, the best layer-1 head's attention on the induction stripe and
the loss of the first and second reading, so the circuit can be watched forming.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import time
from pathlib import Path

import numpy as np

CONFIG = {
    "n_layers": 2,
    "n_heads": 4,
    "d_model": 64,
    "d_head": 16,
    "n_ctx": 128,
}
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "tensorlessons" / "data" / "text_model.npz"


def corpus(held_out: bool = False) -> tuple[np.ndarray, list[str]]:
    """The text as tokens, and the module names used: the training split, or the held-out
    one if ``held_out``."""
    from tensorlessons.transformer import encode_text, is_held_out, stdlib_sources

    names, texts = [], []
    for name, text in stdlib_sources():
        if is_held_out(name) == held_out:
            names.append(name)
            texts.append(text)
    return encode_text("\n".join(texts)), names


def tl_config(d_vocab: int) -> dict:
    """The model's TransformerLens ``HookedTransformerConfig`` fields."""
    return {
        **CONFIG,
        "d_vocab": d_vocab,
        "attn_only": True,
        "normalization_type": None,
        "positional_embedding_type": "shortformer",
        "act_fn": None,
    }


def make_model(d_vocab: int, seed: int, pos_init: str = "sinusoidal"):
    """A two-layer attention-only transformer in plain torch, with TransformerLens's
    parameter names, shapes and initialisation (normal, std 0.8 / sqrt(d_model); biases 0),
    except that ``W_pos`` starts, if ``pos_init == "sinusoidal"``, as the sinusoidal
    embeddings of "Attention is all you need" scaled to that std (then learned like the
    rest): a start from which "attend to the previous position" is one linear map away,
    so the previous-token head forms in hundreds of steps rather than thousands."""
    import torch
    import torch.nn.functional as F

    L, H, D, E, T = (CONFIG[k] for k in ("n_layers", "n_heads", "d_model", "d_head", "n_ctx"))
    std = 0.8 / math.sqrt(D)

    class AttnOnly(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            g = torch.Generator().manual_seed(seed)
            p = lambda *shape: torch.nn.Parameter(torch.randn(*shape, generator=g) * std)  # noqa: E731
            z = lambda *shape: torch.nn.Parameter(torch.zeros(*shape))  # noqa: E731
            self.W_E, self.W_pos = p(d_vocab, D), p(T, D)
            if pos_init == "sinusoidal":
                angle = torch.arange(T)[:, None] / 10000 ** (torch.arange(0, D, 2) / D)
                sin = torch.stack([angle.sin(), angle.cos()], dim=-1).reshape(T, D)
                self.W_pos = torch.nn.Parameter(sin * std * math.sqrt(2))
            self.W_Q, self.W_K, self.W_V = p(L, H, D, E), p(L, H, D, E), p(L, H, D, E)
            self.W_O = p(L, H, E, D)
            self.b_Q, self.b_K, self.b_V, self.b_O = z(L, H, E), z(L, H, E), z(L, H, E), z(L, D)
            self.W_U, self.b_U = p(D, d_vocab), z(d_vocab)

        def forward(self, tokens: torch.Tensor, patterns: list | None = None):
            """Logits; if a list ``patterns`` is given, each layer's attention pattern
            [batch, head, query, key] is appended to it (computed explicitly, not fused)."""
            pos = self.W_pos[: tokens.shape[1]]
            resid = self.W_E[tokens]
            for la in range(L):
                qk_in = resid + pos  # shortformer: positions in queries and keys only
                q = torch.einsum("btd,hde->bhte", qk_in, self.W_Q[la]) + self.b_Q[la][:, None]
                k = torch.einsum("btd,hde->bhte", qk_in, self.W_K[la]) + self.b_K[la][:, None]
                v = torch.einsum("btd,hde->bhte", resid, self.W_V[la]) + self.b_V[la][:, None]
                if patterns is None:
                    z_ = F.scaled_dot_product_attention(q, k, v, is_causal=True)
                else:
                    s = q @ k.transpose(-1, -2) / math.sqrt(E)
                    s = s.masked_fill(torch.ones_like(s[0, 0], dtype=torch.bool).triu(1), -math.inf)
                    patterns.append(s.softmax(-1))
                    z_ = patterns[-1] @ v
                resid = resid + torch.einsum("bhte,hed->btd", z_, self.W_O[la]) + self.b_O[la]
            return resid @ self.W_U + self.b_U

        def state_dict_tl(self) -> dict:
            """The weights under TransformerLens's state-dict names, as numpy float64."""
            out = {
                "embed.W_E": self.W_E,
                "pos_embed.W_pos": self.W_pos,
                "unembed.W_U": self.W_U,
                "unembed.b_U": self.b_U,
            }
            for la in range(L):
                for n in ("W_Q", "W_K", "W_V", "W_O", "b_Q", "b_K", "b_V", "b_O"):
                    out[f"blocks.{la}.attn.{n}"] = getattr(self, n)[la]
            return {k: v.detach().double().numpy() for k, v in out.items()}

    return AttnOnly()


def windows(
    tokens: np.ndarray,
    batch: int,
    n_ctx: int,
    rng: np.random.Generator,
    repeat: float = 0.0,
) -> np.ndarray:
    """``batch`` windows of ``n_ctx`` consecutive characters at random places in the text.

    In a fraction ``repeat`` of them a passage is written twice (:func:`paste_repeats`):
    every character is still the corpus's own, as in copied-and-pasted code.
    """
    starts = rng.integers(0, len(tokens) - n_ctx, size=batch)
    out = tokens[starts[:, None] + np.arange(n_ctx)]
    return paste_repeats(out, rng, repeat) if repeat else out


def paste_repeats(out: np.ndarray, rng: np.random.Generator, fraction: float) -> np.ndarray:
    """In a fraction of the rows, copy a span (``n_ctx // 16`` to ``n_ctx // 4`` tokens) to
    a random later place, over what was there. The offset between the copies is random, so
    only induction (not "look back k places") predicts the copy."""
    n_ctx = out.shape[1]
    for b in np.flatnonzero(rng.random(len(out)) < fraction):
        length = int(rng.integers(n_ctx // 16, n_ctx // 4 + 1))
        i = int(rng.integers(0, n_ctx - 2 * length + 1))
        j = int(rng.integers(i + length, n_ctx - length + 1))
        out[b, j : j + length] = out[b, i : i + length]
    return out


def synthetic(rows: int, n_ctx: int, tables: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The warm-up task (``--synthetic-steps``): the synthetic model's sequences
    (``scripts/train_induction_model.py``): characters from a random additive second-order
    Markov chain, on which a previous-token head pays by itself, with one random span
    written twice, which only induction predicts."""
    from train_induction_model import make_batch

    return make_batch(rows, n_ctx, tables, rng)


def loss_fn(model, x):
    import torch.nn.functional as F

    logits = model(x)
    return F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), x[:, 1:].reshape(-1))


def probe(model, held: np.ndarray, d_vocab: int) -> dict:
    """Held-out loss; the previous-token score of the best layer-0 head; and, on held-out
    passages written twice, the induction-stripe attention of the best layer-1 head
    (positions t attending to t - half + 1) and the loss on each copy."""
    import torch

    rng = np.random.default_rng(12345)
    n, half = CONFIG["n_ctx"], CONFIG["n_ctx"] // 2
    with torch.no_grad():
        x = torch.from_numpy(windows(held, 32, n, rng))
        held_loss = float(loss_fn(model, x))
        once = windows(held, 16, half, rng)
        rep = torch.from_numpy(np.concatenate([once, once], axis=1))
        patterns: list = []
        logits = model(rep, patterns)
        first, last = patterns[0], patterns[-1]
        prev = first[:, :, torch.arange(1, n), torch.arange(0, n - 1)].mean(dim=(0, 2))
        t = torch.arange(half, n)
        stripe = last[:, :, t, t - half + 1].mean(dim=(0, 2))
        lp = logits[:, :-1].log_softmax(-1).gather(-1, rep[:, 1:, None])[..., 0]
    return {
        "held_out": round(held_loss, 3),
        "prev_token": round(float(prev.max()), 2),
        "induction": round(float(stripe.max()), 2),
        "rep_first": round(float(-lp[:, : half - 1].mean()), 2),
        "rep_second": round(float(-lp[:, half:].mean()), 2),
    }


def train(
    steps: int,
    seed: int,
    batch: int,
    lr: float,
    warmup: int,
    log_every: int,
    pos_init: str = "sinusoidal",
    checkpoint: Path | None = None,
    repeat: float = 0.0,
    synthetic_steps: int = 0,
    short_steps: int = 0,
    short_ctx: int = 32,
):
    import torch

    from tensorlessons.transformer import TEXT_VOCAB

    torch.manual_seed(seed)
    torch.set_num_threads(1)
    tokens, names = corpus()
    held, _ = corpus(held_out=True)
    model = make_model(len(TEXT_VOCAB), seed, pos_init)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01, betas=(0.9, 0.99))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt,
        lambda s: (
            min(1.0, (s + 1) / warmup)
            * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(s, steps) / steps)))
        ),
    )
    rng = np.random.default_rng(seed)
    if synthetic_steps:
        from train_induction_model import background_logits

        tables = background_logits(len(TEXT_VOCAB), rng)
    t0 = time.time()
    history = []
    for step in range(1, steps + 1):
        # short windows first (more of them per step): attention spread over few keys
        # learns where to look far faster than over n_ctx keys
        n_ctx = short_ctx if step <= short_steps else CONFIG["n_ctx"]
        rows = batch * CONFIG["n_ctx"] // n_ctx
        if step <= synthetic_steps:
            x = torch.from_numpy(synthetic(rows, n_ctx, tables, rng))
        else:
            x = torch.from_numpy(windows(tokens, rows, n_ctx, rng, repeat))
        loss = loss_fn(model, x)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if checkpoint and step % log_every == 0:
            torch.save(model.state_dict(), checkpoint)
        if step % log_every == 0 or step == steps:
            row = {
                "step": step,
                "loss": round(loss.item(), 3),
                **probe(model, held, len(TEXT_VOCAB)),
            }
            history.append(row)
            print(json.dumps({**row, "s": round(time.time() - t0)}), flush=True)
    info = {
        "steps": steps,
        "seed": seed,
        "batch": batch,
        "lr": lr,
        "warmup": warmup,
        "pos_init": pos_init,
        "repeat": repeat,
        "synthetic_steps": synthetic_steps,
        "short_steps": short_steps,
        "short_ctx": short_ctx,
        **CONFIG,
        "python": platform.python_version(),
        "torch": torch.__version__,
        "corpus_modules": len(names),
        "corpus_chars": int(len(tokens)),
        "final": history[-1],
        "seconds": round(time.time() - t0),
    }
    return model, info


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=12000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--n-ctx", type=int, default=CONFIG["n_ctx"])
    parser.add_argument("--n-heads", type=int, default=CONFIG["n_heads"])
    parser.add_argument("--d-model", type=int, default=CONFIG["d_model"])
    parser.add_argument("--d-head", type=int, default=CONFIG["d_head"])
    parser.add_argument("--log-every", type=int, default=250)
    parser.add_argument(
        "--repeat", type=float, default=0.0, help="fraction of windows with a passage written twice"
    )
    parser.add_argument(
        "--synthetic-steps",
        type=int,
        default=3000,
        help="first train this many steps on random characters with a span repeated",
    )
    parser.add_argument(
        "--short-steps", type=int, default=3000, help="first train this many steps on short windows"
    )
    parser.add_argument("--short-ctx", type=int, default=32, help="their length")
    parser.add_argument("--checkpoint", type=Path, help="save the torch state here as it trains")
    parser.add_argument("--pos-init", default="sinusoidal", choices=["sinusoidal", "normal"])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    CONFIG.update(n_ctx=args.n_ctx, n_heads=args.n_heads, d_model=args.d_model, d_head=args.d_head)
    model, info = train(
        args.steps,
        args.seed,
        args.batch,
        args.lr,
        args.warmup,
        args.log_every,
        args.pos_init,
        args.checkpoint,
        args.repeat,
        args.synthetic_steps,
        args.short_steps,
        args.short_ctx,
    )
    from tensorlessons.transformer import TEXT_VOCAB, AttentionOnlyTransformer

    ours = AttentionOnlyTransformer.from_transformer_lens(
        model.state_dict_tl(), tl_config(len(TEXT_VOCAB))
    )
    ours.save(args.out)
    print(json.dumps(info, indent=1))
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
