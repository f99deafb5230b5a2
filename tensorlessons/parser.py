"""The einsum language: parsing einsum strings and choosing einsum symbols for labels.

>>> parse_einsum("ij,jk")
(('ij', 'jk'), 'ik')
>>> einsum_symbols(["i", "bond", "j"])
{'i': 'i', 'j': 'j', 'bond': 'a'}
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

import opt_einsum

from ._errors import DiagramError

__all__ = ["parse_einsum", "einsum_symbols"]

_TERM = re.compile(r"^[A-Za-z]*$")


@functools.lru_cache(maxsize=1024)
def _parse(expr: str) -> tuple[tuple[str, ...], str]:
    text = expr.replace(" ", "")
    if "..." in text:
        raise DiagramError(f"einsum {expr!r}: ellipses ('...') are not supported; name every leg")
    if text.count("->") > 1:
        raise DiagramError(f"einsum {expr!r}: more than one '->'")
    lhs, arrow, rhs = text.partition("->")
    terms = tuple(lhs.split(","))
    for k, term in enumerate(terms):
        if not _TERM.match(term):
            raise DiagramError(
                f"einsum {expr!r}: term {k} ({term!r}) may contain only letters a-z, A-Z"
            )
    if arrow and not _TERM.match(rhs):
        raise DiagramError(f"einsum {expr!r}: output {rhs!r} may contain only letters a-z, A-Z")
    if not arrow:
        counts: dict[str, int] = {}
        for term in terms:
            for c in term:
                counts[c] = counts.get(c, 0) + 1
        rhs = "".join(sorted(c for c, n in counts.items() if n == 1))
    return terms, rhs


def parse_einsum(expr: str) -> tuple[tuple[str, ...], str]:
    """Split an einsum string into its input terms and its output (numpy's implicit
    output, the letters used once in sorted order, when there is no ``->``)."""
    if not isinstance(expr, str):
        raise DiagramError(f"an einsum expression must be a string, got {expr!r}")
    return _parse(expr)


def einsum_symbols(labels: Iterable[str]) -> dict[str, str]:
    """Map index labels to einsum symbols, keeping single-letter labels where possible.

    Other labels get opt_einsum's symbols (``opt_einsum.get_symbol``): the letters a-z,
    A-Z first, then further unicode characters past 52 indices.
    """
    out: dict[str, str] = {}
    used: set[str] = set()
    labels = list(dict.fromkeys(labels))
    for lab in labels:
        if len(lab) == 1 and lab.isascii() and lab.isalpha() and lab not in used:
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
