"""The einsum language: parsing einsum input and writing einsum strings back.

What is understood (numpy's and opt_einsum's einsum language):

- index letters ``a-z``, ``A-Z``, and past 52 indices opt_einsum's symbols
  (``opt_einsum.get_symbol(k)``: ``chr(192)`` on), in both directions;
- an implicit output (no ``->``): the letters used once, in sorted order, after ``...``;
- an ellipsis ``...`` per term: expanded into explicit legs from the arrays' shapes, named
  ``...0``, ``...1``, ... (counted from the left of the longest ellipsis; a shorter one
  lines up with its right end, as numpy broadcasts) and written back as ``...``;
- the interleaved form ``(A, [0, 1], B, [1, 2], [0, 2])``: integer subscripts (``k`` is
  ``get_symbol(k)``) and ``Ellipsis``.

>>> split_einsum("ij,jk")
(('ij', 'jk'), 'ik')
>>> expand_einsum(("...ij", "...jk"), "...ik", [3, 2])
((('...0', 'i', 'j'), ('j', 'k')), ('...0', 'i', 'k'))
>>> format_einsum([("...0", "i", "j"), ("j", "k")], ["...0", "i", "k"])
'...ij,jk->...ik'
>>> interleaved_to_einsum([None, [0, 1], None, [1, 2], [0, 2]])
('ab,bc->ac', [None, None])
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from typing import Any

import opt_einsum

from ._errors import DiagramError

__all__ = [
    "split_einsum",
    "expand_einsum",
    "format_einsum",
    "einsum_symbols",
    "interleaved_to_einsum",
    "is_symbol",
    "ELLIPSIS_LABEL",
]

#: Index labels of legs that came from an ellipsis: ``...0``, ``...1``, ...
ELLIPSIS_LABEL = re.compile(r"^\.\.\.(\d+)$")
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_ALLOWED = "letters a-z, A-Z (and opt_einsum.get_symbol's symbols, chr(192) on)"


def is_symbol(c: str) -> bool:
    """Whether ``c`` is one einsum index symbol: a letter a-z, A-Z, or a symbol that
    ``opt_einsum.get_symbol`` makes past the 52 letters (``chr(192)`` on, no surrogates).

    >>> is_symbol("a"), is_symbol(opt_einsum.get_symbol(60)), is_symbol("1"), is_symbol("ä")
    (True, True, False, True)
    """
    if len(c) != 1:
        return False
    if c in _LETTERS:
        return True
    o = ord(c)
    return o >= 192 and not 0xD800 <= o <= 0xDFFF


def _check_term(expr: str, term: str, what: str) -> None:
    body = term
    if "." in term:
        if term.count(".") != 3 or "..." not in term:
            raise DiagramError(
                f"einsum {expr!r}: {what} ({term!r}) has a '.' that is not one '...' ellipsis"
            )
        body = term.replace("...", "")
    bad = [c for c in body if not is_symbol(c)]
    if bad:
        raise DiagramError(
            f"einsum {expr!r}: {what} ({term!r}) may contain only {_ALLOWED} and one "
            f"'...'; found {bad[0]!r}"
        )


@functools.lru_cache(maxsize=1024)
def _split(expr: str) -> tuple[tuple[str, ...], str]:
    text = expr.replace(" ", "")
    if text.count("->") > 1 or text.replace("->", "").count("-") or text.count(">") > 1:
        raise DiagramError(
            f"einsum {expr!r}: more than one '->' (or a stray '-', '>'); one '->' at most, "
            f"between the inputs and the output"
        )
    lhs, arrow, rhs = text.partition("->")
    terms = tuple(lhs.split(","))
    for k, term in enumerate(terms):
        _check_term(expr, term, f"term {k}")
    if arrow:
        _check_term(expr, rhs, "the output")
    else:
        counts: dict[str, int] = {}
        for term in terms:
            for c in term.replace("...", ""):
                counts[c] = counts.get(c, 0) + 1
        singles = "".join(sorted(c for c, n in counts.items() if n == 1))
        rhs = ("..." if any("..." in t for t in terms) else "") + singles
    return terms, rhs


def split_einsum(expr: str) -> tuple[tuple[str, ...], str]:
    """Split an einsum string into its input terms and its output, checked; without
    ``->`` the output is numpy's implicit one (``...``, then letters used once, sorted).

    >>> split_einsum("ba,Ab")
    (('ba', 'Ab'), 'Aa')
    >>> split_einsum("...i,...i")
    (('...i', '...i'), '...')
    """
    if not isinstance(expr, str):
        raise DiagramError(f"an einsum expression must be a string, got {expr!r}")
    return _split(expr)


def expand_einsum(
    terms: Sequence[str], output: str, ndims: Sequence[int]
) -> tuple[tuple[tuple[str, ...], ...], tuple[str, ...]]:
    """Index labels per term and of the output, ``...`` expanded for arrays of ``ndims``.

    The caller has checked that each term has no more letters than its array has axes
    (and exactly as many without an ellipsis). An explicit output without ``...`` sums
    the ellipsis legs (as opt_einsum does; numpy refuses such input).
    """
    counts = [
        n - len(t.replace("...", "")) if "..." in t else 0
        for t, n in zip(terms, ndims, strict=True)
    ]
    longest = max(counts, default=0)
    out_terms = []
    for term, m in zip(terms, counts, strict=True):
        pre, dots, post = term.partition("...")
        mid = tuple(f"...{longest - m + i}" for i in range(m)) if dots else ()
        out_terms.append((*pre, *mid, *post))
    pre, dots, post = output.partition("...")
    mid = tuple(f"...{i}" for i in range(longest)) if dots else ()
    return tuple(out_terms), (*pre, *mid, *post)


def einsum_symbols(labels: Iterable[str]) -> dict[str, str]:
    """Map index labels to einsum symbols, keeping one-symbol labels where possible.

    Other labels get opt_einsum's symbols (``opt_einsum.get_symbol``): the letters a-z,
    A-Z first, then further unicode characters past 52 indices.
    """
    out: dict[str, str] = {}
    used: set[str] = set()
    labels = list(dict.fromkeys(labels))
    for lab in labels:
        if is_symbol(lab) and lab not in used:
            out[lab] = lab
            used.add(lab)
    k = 0
    for lab in labels:
        if lab in out:
            continue
        while (sym := opt_einsum.get_symbol(k)) in used:
            k += 1
        out[lab] = sym
        used.add(sym)
    return out


def _ellipsis_run(labels: Sequence[str], longest: int, full: bool) -> tuple[int, int] | None:
    """Where the ellipsis legs of one term sit, as (start, count), if they are one
    right-aligned run ``...(L-m) .. ...(L-1)`` (the whole run when ``full``)."""
    at = [k for k, lab in enumerate(labels) if ELLIPSIS_LABEL.match(lab)]
    if not at:
        return (0, 0) if not full or longest == 0 else None
    m = len(at)
    if at != list(range(at[0], at[0] + m)) or (full and m != longest):
        return None
    want = [f"...{longest - m + i}" for i in range(m)]
    return (at[0], m) if [labels[k] for k in at] == want else None


def format_einsum(inputs: Sequence[Sequence[str]], output: Sequence[str]) -> str:
    """An einsum string for index labels per term and output labels.

    Legs that came from an ellipsis are written ``...`` again when they still line up as
    numpy reads an ellipsis; otherwise every label gets its own symbol.

    >>> format_einsum([("i", "bond"), ("bond", "j")], ["i", "j"])
    'ia,aj->ij'
    """
    ell = {int(m.group(1)) for lab in output for m in [ELLIPSIS_LABEL.match(lab)] if m}
    ell |= {
        int(m.group(1)) for term in inputs for lab in term for m in [ELLIPSIS_LABEL.match(lab)] if m
    }
    longest = len(ell)
    runs = None
    if longest and ell == set(range(longest)):
        runs = [_ellipsis_run(term, longest, False) for term in inputs]
        runs.append(_ellipsis_run(output, longest, True))
        if any(r is None for r in runs):
            runs = None
    if runs is None:
        sym = einsum_symbols([lab for term in inputs for lab in term] + list(output))
        lhs = ",".join("".join(sym[lab] for lab in term) for term in inputs)
        return lhs + "->" + "".join(sym[lab] for lab in output)
    plain = [lab for term in (*inputs, output) for lab in term if not ELLIPSIS_LABEL.match(lab)]
    sym = einsum_symbols(plain)
    parts = []
    for term, run in zip((*inputs, output), runs, strict=True):
        assert run is not None
        start, m = run
        if m:
            text = "".join(sym[lab] for lab in term[:start]) + "..."
            text += "".join(sym[lab] for lab in term[start + m :])
        else:
            text = "".join(sym[lab] for lab in term)
        parts.append(text)
    return ",".join(parts[:-1]) + "->" + parts[-1]


def _subscripts(sub: Any, where: str) -> str:
    if isinstance(sub, (str, bytes)) or not isinstance(sub, Sequence):
        raise DiagramError(
            f"interleaved einsum: {where} must be a list of integer subscripts (or Ellipsis), "
            f"got {sub!r}"
        )
    out = []
    for s in sub:
        if s is Ellipsis:
            out.append("...")
        elif isinstance(s, int) and not isinstance(s, bool) and 0 <= s < 1_000_000:
            out.append(opt_einsum.get_symbol(s))
        elif hasattr(s, "__index__") and not isinstance(s, bool) and 0 <= int(s) < 1_000_000:
            out.append(opt_einsum.get_symbol(int(s)))
        else:
            raise DiagramError(
                f"interleaved einsum: {where} {list(sub)!r} has {s!r}; subscripts are "
                f"integers 0, 1, 2, ... (or Ellipsis)"
            )
    return "".join(out)


def interleaved_to_einsum(operands: Sequence[Any]) -> tuple[str, list[Any]]:
    """numpy's interleaved form ``(A, [0, 1], B, [1, 2], [0, 2])`` as an einsum string
    and its arrays. Subscript ``k`` is ``opt_einsum.get_symbol(k)`` (0 is ``a``, as in
    numpy); a trailing list is the output.
    """
    ops = list(operands)
    arrays = ops[0::2] if len(ops) % 2 == 0 else ops[:-1][0::2]
    subs = ops[1::2]
    terms = [_subscripts(s, f"the subscripts of operand {k}") for k, s in enumerate(subs)]
    expr = ",".join(terms)
    if len(ops) % 2 == 1:
        expr += "->" + _subscripts(ops[-1], "the output")
    return expr, arrays
