"""Widgets that show what a transformer does with a sequence: attention and logit paths.

- :class:`AttentionPatternWidget`: a head's attention pattern as a tokens × tokens grid;
  hovering a query links it to the keys it attends to; layer and head are chosen in the
  widget or from Python.
- :class:`LogitAttributionWidget`: the logit of one token at one position split into the
  paths of :func:`tensorlessons.path_expansion` (direct path, heads, virtual heads), as
  bars; position and token are chosen in the widget or from Python.

Both are anywidgets: Python computes, the browser draws. Numbers cross as binary buffers
(little-endian float64), token strings are drawn as text (never HTML). Changing ``tokens``,
``model`` or any selection from Python redraws the widget.

>>> import tensorlessons as tl
>>> model = tl.induction_transformer()
>>> w = AttentionPatternWidget(model, [3, 1, 4, 1, 5])
>>> w.seq, w.n_layers, w.n_heads, len(w.patterns)
(5, 2, 1, 400)
>>> w.layer = 1                    # choose another head from Python
>>> w.pattern().shape
(5, 5)
"""

from __future__ import annotations

import pathlib
from collections.abc import Sequence
from typing import Any

import anywidget
import numpy as np
import traitlets

from ._errors import DiagramError
from .transformer import AttentionOnlyTransformer, path_expansion

__all__ = ["AttentionPatternWidget", "LogitAttributionWidget"]

_STATIC = pathlib.Path(__file__).parent / "static"


def _f64(arr: np.ndarray) -> bytes:
    return np.ascontiguousarray(arr, dtype="<f8").tobytes()


def _labels_for(model: AttentionOnlyTransformer, token_labels: Sequence[str] | None) -> list[str]:
    if token_labels is None:
        return [str(k) for k in range(model.d_vocab)]
    labels = [str(x) for x in token_labels]
    if len(labels) != model.d_vocab:
        raise DiagramError(
            f"token_labels has {len(labels)} entries but the model's vocabulary has "
            f"d_vocab = {model.d_vocab}; give one label per token"
        )
    return labels


class _ModelView(anywidget.AnyWidget):
    """Shared machinery: a model, a token sequence and the strings to show for tokens."""

    #: The strings drawn for the sequence's tokens (text, never HTML).
    token_text = traitlets.List(traitlets.Unicode()).tag(sync=True)
    #: The tokens, as integers.
    token_ids = traitlets.List(traitlets.Int()).tag(sync=True)
    seq = traitlets.Int(0).tag(sync=True)
    title = traitlets.Unicode("").tag(sync=True)

    def __init__(
        self,
        model: AttentionOnlyTransformer,
        tokens: Any,
        *,
        token_labels: Sequence[str] | None = None,
        title: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._model = self._check_model(model)
        self._labels = _labels_for(self._model, token_labels)
        self._tokens = self._model.check_tokens(tokens)
        if self._tokens.ndim != 1:
            raise DiagramError(
                f"{type(self).__name__} shows one sequence [seq], got tokens of shape "
                f"{self._tokens.shape}"
            )
        self.title = title

    @staticmethod
    def _check_model(model: Any) -> AttentionOnlyTransformer:
        if not isinstance(model, AttentionOnlyTransformer):
            raise DiagramError(
                f"expected an AttentionOnlyTransformer, got {type(model).__name__}: {model!r}"
            )
        return model

    @property
    def model(self) -> AttentionOnlyTransformer:
        """The model shown (assign another to show it instead)."""
        return self._model

    @model.setter
    def model(self, model: AttentionOnlyTransformer) -> None:
        model = self._check_model(model)
        model.check_tokens(self._tokens)
        if len(self._labels) != model.d_vocab:
            self._labels = _labels_for(model, None)
        self._model = model
        self._refresh()

    @property
    def tokens(self) -> np.ndarray:
        """The token sequence shown (assign a new one to redraw)."""
        return self._tokens.copy()

    @tokens.setter
    def tokens(self, tokens: Any) -> None:
        tok = self._model.check_tokens(tokens)
        if tok.ndim != 1:
            raise DiagramError(f"tokens must be one sequence [seq], got shape {tok.shape}")
        self._tokens = tok
        self._refresh()

    def _sync_tokens(self) -> None:
        self.token_ids = [int(t) for t in self._tokens]
        self.token_text = [self._labels[t] for t in self._tokens]
        self.seq = len(self._tokens)

    def _refresh(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError


class AttentionPatternWidget(_ModelView):
    """A head's attention pattern: queries (rows) × keys (columns), hover to link.

    Parameters
    ----------
    model : AttentionOnlyTransformer
    tokens : sequence of int, [seq]
    layer, head : int
        The head shown first (the widget has selectors; assign from Python too).
    token_labels : list of str, optional
        One string per vocabulary entry (default: the token ids).

    Hovering (or focusing, with the arrow keys) a query row highlights its keys, shaded by
    how much the query attends to each; ``query`` holds the query position (-1: none).

    >>> import tensorlessons as tl
    >>> w = AttentionPatternWidget(tl.induction_transformer(), [3, 1, 4, 1, 5], layer=0)
    >>> w.pattern()[2].round(3).tolist()
    [0.0, 1.0, 0.0, 0.0, 0.0]
    >>> w.tokens = [1, 2]; w.seq
    2
    """

    _esm = _STATIC / "attention.js"
    _css = _STATIC / "attention.css"

    n_layers = traitlets.Int(1).tag(sync=True)
    n_heads = traitlets.Int(1).tag(sync=True)
    layer = traitlets.Int(0).tag(sync=True)
    head = traitlets.Int(0).tag(sync=True)
    #: Every head's pattern, [n_layers, n_heads, seq, seq], little-endian float64.
    patterns = traitlets.Bytes(b"").tag(sync=True)
    #: The query position under the pointer (set by the browser), -1 for none.
    query = traitlets.Int(-1).tag(sync=True)

    def __init__(
        self,
        model: AttentionOnlyTransformer,
        tokens: Any,
        *,
        layer: int = 0,
        head: int = 0,
        token_labels: Sequence[str] | None = None,
        title: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(model, tokens, token_labels=token_labels, title=title, **kwargs)
        self._model._check_head(layer, head)
        self._refresh()
        self.layer, self.head = int(layer), int(head)

    def _refresh(self) -> None:
        A = self._model.attention_patterns(self._tokens)
        self._A = A
        with self.hold_sync():
            self.n_layers, self.n_heads = self._model.n_layers, self._model.n_heads
            self.layer = min(self.layer, self.n_layers - 1)
            self.head = min(self.head, self.n_heads - 1)
            self.query = -1
            self._sync_tokens()
            self.patterns = _f64(A)

    @traitlets.validate("layer")
    def _valid_layer(self, proposal: Any) -> int:
        value = proposal["value"]
        if not 0 <= value < self.n_layers:
            raise traitlets.TraitError(
                f"layer {value} does not exist: the model has {self.n_layers} layers"
            )
        return value

    @traitlets.validate("head")
    def _valid_head(self, proposal: Any) -> int:
        value = proposal["value"]
        if not 0 <= value < self.n_heads:
            raise traitlets.TraitError(
                f"head {value} does not exist: the model has {self.n_heads} heads per layer"
            )
        return value

    def pattern(self) -> np.ndarray:
        """The pattern shown, [seq (query), seq (key)]."""
        return self._A[self.layer, self.head].copy()


class LogitAttributionWidget(_ModelView):
    """One logit split into paths (direct, heads, virtual heads), drawn as bars.

    The bars are the terms of :func:`tensorlessons.path_expansion` at row ``position``,
    column ``target``; they add up to the model's logit (shown as the total).

    Parameters
    ----------
    model : AttentionOnlyTransformer
    tokens : sequence of int, [seq]
    position : int
        The predicting position (default: the last one; negative counts from the end).
    target : int, optional
        The token whose logit is split (default: the next token of the sequence when there
        is one, else the model's top prediction).
    token_labels : list of str, optional
        One string per vocabulary entry.

    >>> import numpy as np
    >>> import tensorlessons as tl
    >>> model = tl.induction_transformer()
    >>> w = LogitAttributionWidget(model, [3, 1, 4, 3], position=3)
    >>> w.target, w.path_names[:3]
    (1, ['direct', 'L0H0', 'L1H0'])
    >>> bool(np.isclose(w.contributions().sum(), model([3, 1, 4, 3])[3, 1]))
    True
    """

    _esm = _STATIC / "logits.js"
    _css = _STATIC / "attention.css"

    position = traitlets.Int(0).tag(sync=True)
    target = traitlets.Int(0).tag(sync=True)
    #: Every vocabulary entry's label (for the target selector).
    vocab_text = traitlets.List(traitlets.Unicode()).tag(sync=True)
    path_names = traitlets.List(traitlets.Unicode()).tag(sync=True)
    #: The paths' contributions to the logit of ``target`` at ``position``, float64.
    values = traitlets.Bytes(b"").tag(sync=True)
    #: The model's logit there, and its top prediction and probability.
    total = traitlets.Float(0.0).tag(sync=True)
    prediction = traitlets.Dict().tag(sync=True)

    def __init__(
        self,
        model: AttentionOnlyTransformer,
        tokens: Any,
        *,
        position: int = -1,
        target: int | None = None,
        token_labels: Sequence[str] | None = None,
        title: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(model, tokens, token_labels=token_labels, title=title, **kwargs)
        self._terms: dict[str, np.ndarray] = {}
        self._ready = False
        self._refresh()
        seq = len(self._tokens)
        if not -seq <= position < seq:
            raise DiagramError(f"position {position} is outside the sequence of {seq} tokens")
        pos = position % seq
        if target is None:
            target = self._default_target(pos)
        self._check_target(target)
        with self.hold_sync():
            self.position, self.target = pos, int(target)
        self._ready = True
        self._compute()

    def _check_target(self, target: Any) -> None:
        if not isinstance(target, (int, np.integer)) or not 0 <= target < self._model.d_vocab:
            raise DiagramError(
                f"target token {target!r} is outside the vocabulary 0..{self._model.d_vocab - 1}"
            )

    def _default_target(self, pos: int) -> int:
        if pos + 1 < len(self._tokens):
            return int(self._tokens[pos + 1])
        return int(self._logits[pos].argmax())

    def _refresh(self) -> None:
        self._terms = path_expansion(self._model, self._tokens)
        self._logits = self._model(self._tokens)
        self._stack = np.stack(list(self._terms.values()))
        self._ready = False
        with self.hold_sync():
            self._sync_tokens()
            self.vocab_text = list(self._labels)
            self.path_names = list(self._terms)
            if self.position >= self.seq:
                self.position = self.seq - 1
            if self.target >= self._model.d_vocab:
                self.target = 0
        self._ready = True
        self._compute()

    @traitlets.validate("position")
    def _valid_position(self, proposal: Any) -> int:
        value = proposal["value"]
        if not 0 <= value < max(self.seq, 1):
            raise traitlets.TraitError(
                f"position {value} is outside the sequence of {self.seq} tokens"
            )
        return value

    @traitlets.validate("target")
    def _valid_target(self, proposal: Any) -> int:
        value = proposal["value"]
        if not 0 <= value < len(self._labels):
            raise traitlets.TraitError(
                f"target token {value} is outside the vocabulary 0..{len(self._labels) - 1}"
            )
        return value

    @traitlets.observe("position", "target")
    def _on_select(self, change: Any) -> None:
        self._compute()

    def _compute(self) -> None:
        if not self._ready or not self._terms:
            return
        p, t = self.position, self.target
        logits = self._logits[p]
        probs = np.exp(logits - logits.max())
        probs /= probs.sum()
        top = int(logits.argmax())
        with self.hold_sync():
            self.values = _f64(self._stack[:, p, t])
            self.total = float(logits[t])
            self.prediction = {
                "token": top,
                "text": self._labels[top],
                "prob": float(probs[top]),
                "target_prob": float(probs[t]),
            }

    def contributions(self) -> np.ndarray:
        """The bars: each path's contribution, [n_paths], in ``path_names`` order."""
        return self._stack[:, self.position, self.target].copy()

    def terms(self) -> dict[str, np.ndarray]:
        """The full path expansion, ``{name: [seq, d_vocab]}``."""
        return {k: v.copy() for k, v in self._terms.items()}
