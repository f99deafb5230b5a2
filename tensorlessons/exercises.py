"""Exercises: check helpers for graded cells, exercise headers with hint ladders, progress.

A graded exercise is two cells in nbgrader's format: a solution cell (the learner's code
between ``# BEGIN SOLUTION`` / ``# END SOLUTION``) and a locked test cell that calls the
helpers of :data:`check`. A failing check raises :class:`CheckFailed`, an
``AssertionError`` whose message says what is wrong (expected versus got shape or value,
which leg or tensor); a passing check returns None and prints nothing, so nbgrader and
``tensorlessons grade`` score the cell by whether it raises.

>>> import numpy as np
>>> from tensorlessons.exercises import check, CheckFailed
>>> check.array(np.eye(2), np.eye(2), name="I")
>>> try:
...     check.shape(np.ones((2, 3)), (3, 2), name="W")
... except CheckFailed as exc:
...     print(exc)
W has shape (2, 3), expected (3, 2) (it looks transposed: the axes are in the wrong order).
>>> check.passed("01-demo", hidden=True)
Visible checks pass (hidden tests run when graded).
"""

from __future__ import annotations

import html
import itertools
import json
import math
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from ._errors import DiagramError
from .diagram import Diagram, difference

__all__ = [
    "CheckFailed",
    "check",
    "Exercise",
    "DiagramExercise",
    "progress",
    "Progress",
    "same_value",
]

Importance = Literal["core", "optional"]

VISIBLE_PASS = "Visible checks pass (hidden tests run when graded)."
ALL_PASS = "All checks pass."


# --------------------------------------------------------------------------------------
# The failure type
# --------------------------------------------------------------------------------------


class CheckFailed(AssertionError):
    """A check in a graded cell failed; the message tells the learner what is wrong.

    In a notebook it is shown as one short line (``CheckFailed: <message>``) instead of a
    traceback through the helpers, so the learner reads the feedback, not our code.

    >>> str(CheckFailed("x has shape (2,), expected (3,)."))
    'x has shape (2,), expected (3,).'
    """

    def _render_traceback_(self) -> list[str]:
        # IPython calls this instead of formatting a traceback (used by nbclient/nbgrader
        # too, as the "traceback" of the error output).
        return ["\x1b[0;31mCheckFailed\x1b[0m: " + str(self)]


# --------------------------------------------------------------------------------------
# Progress registry (per kernel)
# --------------------------------------------------------------------------------------


@dataclass
class _Entry:
    grade_id: str
    title: str = ""
    status: Literal["not yet", "passed", "failed"] = "not yet"
    message: str = ""
    hidden: bool = False


_registry: dict[str, _Entry] = {}
_current: list[str | None] = [None]  # grade id of the exercise shown last


def _chapter_of(grade_id: str) -> str:
    return grade_id.split("-", 1)[0]


def _declare(grade_id: str, title: str = "") -> _Entry:
    entry = _registry.get(grade_id)
    if entry is None:
        entry = _registry[grade_id] = _Entry(grade_id, title)
    elif title:
        entry.title = title
    _current[0] = grade_id
    return entry


_PASSED_CALL = re.compile(r"""check\.passed\(\s*["']([^"']+)["']""")


def _running_cell_grade_id() -> str | None:
    """The grade id named by ``check.passed(...)`` in the cell IPython is running, if any."""
    try:
        from IPython import get_ipython

        ip = get_ipython()
        history = ip.user_ns.get("In") if ip is not None else None
        if history:
            found = _PASSED_CALL.search(history[-1])
            return found.group(1) if found else None
    except Exception:  # noqa: BLE001 - only a better guess; never fail a check over it
        return None
    return None


def _fail(message: str, grade_id: str | None = None) -> CheckFailed:
    """Record a failure for the current exercise and return the exception to raise."""
    gid = grade_id or _running_cell_grade_id() or _current[0]
    if gid is not None:
        entry = _declare(gid) if gid not in _registry else _registry[gid]
        entry.status = "failed"
        entry.message = message
    return CheckFailed(message)


# --------------------------------------------------------------------------------------
# Check helpers
# --------------------------------------------------------------------------------------


def _fmt(x: Any) -> str:
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float):
        return f"{x:.6g}"
    if isinstance(x, complex):
        return f"{x:.6g}"
    return repr(x)


def _shape_of(x: Any) -> tuple[int, ...] | None:
    if isinstance(x, tuple) and all(isinstance(v, (int, np.integer)) for v in x):
        return tuple(int(v) for v in x)
    shape = getattr(x, "shape", None)
    if shape is not None:
        try:
            return tuple(int(v) for v in shape)
        except TypeError:
            return None
    return None


def _shape_problem(got: tuple[int, ...], want: tuple[int, ...], name: str) -> str | None:
    if got == want:
        return None
    msg = f"{name} has shape {got}, expected {want}"
    if len(got) != len(want):
        return msg + f" ({len(got)} axes/legs instead of {len(want)})."
    if sorted(got) == sorted(want):
        if tuple(reversed(got)) == want:
            return msg + " (it looks transposed: the axes are in the wrong order)."
        return msg + " (the right dimensions in the wrong order: permute the axes)."
    bad = [k for k in range(len(want)) if got[k] != want[k]]
    which = ", ".join(f"axis {k} has dimension {got[k]}, expected {want[k]}" for k in bad)
    return msg + f" ({which})."


def _not_array_problem(got: Any, name: str) -> str | None:
    if got is None:
        return f"{name} is None: assign your answer to it (or `return` it from your function)."
    if isinstance(got, Diagram):
        return f"{name} is a Diagram, expected an array: call `.contract()` on it first."
    if callable(got) and not hasattr(got, "__array__"):
        return f"{name} is a function ({got!r}), expected an array: did you forget to call it?"
    return None


class _Check:
    """The check helpers used in graded cells (the module-level :data:`check`).

    Each helper returns None and prints nothing when the check passes, and raises
    :class:`CheckFailed` with a specific message when it fails.
    """

    # ---- arrays ----------------------------------------------------------------------

    def array(
        self,
        got: Any,
        expected: Any,
        *,
        name: str = "your array",
        rtol: float = 1e-6,
        atol: float = 1e-8,
        show_expected: bool = True,
        slips: dict[str, Any] | None = None,
    ) -> None:
        """Check an array: first its shape, then its values (within a tolerance).

        Parameters
        ----------
        got, expected
            The learner's value and the reference (anything ``numpy.asarray`` accepts).
        name
            How the learner's value is called in the message, e.g. ``"A[0, 2, 0]"``.
        rtol, atol
            Tolerances as in :func:`numpy.isclose`.
        show_expected
            Whether the message may quote an expected entry (set False when the entry
            itself is the answer).
        slips
            Likely mistakes: ``{what went wrong: the array that mistake gives}``. A wrong
            answer equal to one of them fails with that explanation first.

        >>> import numpy as np
        >>> check.array(np.arange(3.0), [0, 1, 2], name="v")
        >>> try:
        ...     check.array(np.array([0.0, 1.0, 5.0]), [0, 1, 2], name="v")
        ... except CheckFailed as exc:
        ...     print(exc)
        v has the right shape (3,) but 1 of 3 entries differ; the first at index (2,): got 5, expected 2 (largest difference 3).
        >>> try:
        ...     check.array(np.arange(3.0) * 2, [0, 1, 2], name="v",
        ...                 slips={"every entry is doubled.": np.arange(3.0) * 2})
        ... except CheckFailed as exc:
        ...     print(exc)
        v is not right: every entry is doubled.
        """
        problem = _not_array_problem(got, name)
        if problem:
            raise _fail(problem)
        try:
            g = np.asarray(got)
        except Exception as exc:  # noqa: BLE001 - any conversion failure is the learner's
            raise _fail(f"{name} could not be read as an array: {exc}") from None
        e = np.asarray(expected)
        for why, slip in (slips or {}).items():
            s = np.asarray(slip)
            if g.shape != s.shape or not np.issubdtype(g.dtype, np.number):
                continue
            with np.errstate(all="ignore"):
                right = g.shape == e.shape and bool(np.allclose(g, e, rtol=rtol, atol=atol))
                if not right and bool(np.allclose(g, s, rtol=rtol, atol=atol)):
                    raise _fail(f"{name} is not right: {why}")
        if g.dtype == object or not (np.issubdtype(g.dtype, np.number) or g.dtype == bool):
            raise _fail(
                f"{name} holds {g.dtype} values ({_fmt(got)[:60]}), expected numbers "
                f"of shape {e.shape}."
            )
        problem = _shape_problem(g.shape, e.shape, name)
        if problem:
            raise _fail(problem)
        with np.errstate(all="ignore"):
            ok = np.isclose(g, e, rtol=rtol, atol=atol, equal_nan=True)
        if bool(np.all(ok)):
            return None
        bad = np.argwhere(~ok)
        first = tuple(int(i) for i in bad[0])
        n_bad, n = len(bad), g.size
        if g.ndim == 0:
            msg = f"{name} is {_fmt(g[()])}"
            msg += f", expected {_fmt(e[()])}." if show_expected else ", which is not right."
        else:
            msg = (
                f"{name} has the right shape {g.shape} but {n_bad} of {n} entries differ; "
                f"the first at index {first}: got {_fmt(g[first])}"
            )
            msg += f", expected {_fmt(e[first])}" if show_expected else ""
            with np.errstate(all="ignore"):
                kind = np.result_type(g, e, float)
                gd, ed = g.astype(kind), e.astype(kind)
                diff = np.nanmax(np.abs(gd - ed)) if np.isfinite(gd).all() else float("nan")
            msg += f" (largest difference {_fmt(diff)})." if math.isfinite(diff) else "."
        hint = _array_hint(g, e, rtol, atol)
        raise _fail(msg + (" " + hint if hint else ""))

    def shape(self, got: Any, expected: Sequence[int], *, name: str = "your array") -> None:
        """Check a shape (of an array, a diagram's result, or a tuple).

        >>> import numpy as np
        >>> check.shape(np.zeros((2, 3)), (2, 3))
        >>> try:
        ...     check.shape(np.zeros((2, 3)), (2, 4), name="W")
        ... except CheckFailed as exc:
        ...     print(exc)
        W has shape (2, 3), expected (2, 4) (axis 1 has dimension 3, expected 4).
        """
        problem = _not_array_problem(got, name)
        if isinstance(got, Diagram):
            problem = None
        if problem:
            raise _fail(problem)
        want = tuple(int(v) for v in expected)
        shape = _shape_of(got)
        if shape is None:
            try:
                shape = np.shape(got)
            except Exception:  # noqa: BLE001
                raise _fail(f"{name} has no shape: it is {type(got).__name__}.") from None
        problem = _shape_problem(tuple(shape), want, name)
        if problem:
            raise _fail(problem)

    def close(
        self,
        got: Any,
        expected: Any,
        *,
        name: str = "your value",
        rtol: float = 1e-6,
        atol: float = 1e-8,
        show_expected: bool = True,
        slips: dict[str, Any] | None = None,
    ) -> None:
        """Check a number (or array) within a tolerance; the same as :meth:`array`.

        >>> check.close(0.1 + 0.2, 0.3)
        """
        self.array(
            got,
            expected,
            name=name,
            rtol=rtol,
            atol=atol,
            show_expected=show_expected,
            slips=slips,
        )

    # ---- diagrams --------------------------------------------------------------------

    def diagram(self, got: Any, expected: Diagram, *, name: str = "your diagram") -> None:
        """Check a diagram by meaning (:func:`tensorlessons.equivalent`), not by layout.

        The message names the missing tensor, the wrong leg or the wrong wiring (from
        :func:`tensorlessons.difference`).

        >>> import numpy as np
        >>> from tensorlessons import Diagram
        >>> A, B = np.ones((2, 3)), np.ones((3, 4))
        >>> want = Diagram.from_einsum("ij,jk->ik", A, B, names=["A", "B"])
        >>> check.diagram(Diagram.from_einsum("jk,ij->ik", B, A, names=["B", "A"]), want)
        >>> try:
        ...     check.diagram(Diagram.from_einsum("ij->ij", A, names=["A"]), want)
        ... except CheckFailed as exc:
        ...     print(exc)
        your diagram is not right yet: tensor(s) ['B'] are missing.
        """
        if got is None:
            raise _fail(f"{name} is None: build a Diagram and assign it.")
        inner = getattr(got, "diagram", None)
        if not isinstance(got, Diagram) and isinstance(inner, Diagram):
            got = inner  # a DiagramWidget or DiagramExercise
        if not isinstance(got, Diagram):
            raise _fail(
                f"{name} is a {type(got).__name__}, expected a tensorlessons Diagram "
                f"(e.g. Diagram.from_einsum(...))."
            )
        if not isinstance(expected, Diagram):
            raise TypeError(f"check.diagram: the expected value is not a Diagram: {expected!r}")
        reason = _difference(expected, got)
        if reason is not None:
            raise _fail(f"{name} is not right yet: {reason}.")

    def einsum(
        self,
        expr: Any,
        *arrays: Any,
        expected: Any,
        name: str = "your einsum string",
        rtol: float = 1e-6,
        atol: float = 1e-8,
        slips: dict[str, Any] | None = None,
    ) -> None:
        """Check an einsum string by what ``np.einsum(expr, *arrays)`` gives.

        A string that does not fit the arrays fails with the reason in the notation's
        words and the arrays' shapes (not with numpy's error escaping the check).
        ``slips`` as for :meth:`array`.

        >>> import numpy as np
        >>> M = np.arange(6.0).reshape(2, 3)
        >>> check.einsum("ij->ji", M, expected=M.T, name="expr_T")
        >>> try:
        ...     check.einsum("ij,j->i", M, np.ones(2), expected=M.sum(0), name="expr")
        ... except CheckFailed as exc:
        ...     print(exc)
        expr = 'ij,j->i' does not fit the arrays of shapes (2, 3) and (2,): the letter 'j' is used for a leg of dimension 3 (tensor 1, axis 1) and one of dimension 2 (tensor 2, axis 0); a wire joins legs of equal dimension.
        """
        if not isinstance(expr, str):
            raise _fail(
                f"{name} should be an einsum string such as 'ij,j->i', got {_fmt(expr)[:60]}."
            )
        try:
            got = np.einsum(expr, *arrays)
        except Exception as exc:  # noqa: BLE001 - the reason goes to the learner
            shapes = " and ".join(str(np.shape(a)) for a in arrays)
            why = _einsum_misfit(expr, [np.shape(a) for a in arrays]) or str(exc)
            raise _fail(
                f"{name} = {expr!r} does not fit the arrays of shapes {shapes}: {why}"
            ) from None
        self.array(got, expected, name=f"np.einsum({name}, ...)", rtol=rtol, atol=atol, slips=slips)

    def entry(self, got: Any, tensor: Any, index: Sequence[int], *, name: str = "value") -> None:
        """Check that ``got`` is the entry ``tensor[index]``; a wrong entry is located.

        >>> import numpy as np
        >>> T = np.arange(24.0).reshape(2, 3, 4)
        >>> check.entry(T[1, 0, 3], T, (1, 0, 3))
        >>> try:
        ...     check.entry(T[1, 0, 2], T, (1, 0, 3))
        ... except CheckFailed as exc:
        ...     print(exc)
        value is 14, the entry at index (1, 0, 2), not the one at (1, 0, 3).
        """
        t = np.asarray(tensor)
        want = tuple(int(k) for k in index)
        problem = _not_array_problem(got, name)
        if problem:
            raise _fail(problem)
        g = np.asarray(got)
        if g.shape != ():
            raise _fail(
                f"{name} has shape {g.shape}, expected a single number: fixing every leg of "
                f"a tensor with {t.ndim} legs takes {t.ndim} indices."
            )
        if np.isclose(g, t[want]):
            return None
        hits = [tuple(int(k) for k in idx) for idx in np.argwhere(np.isclose(t, g))]
        where = f", the entry at index {hits[0]}" if len(hits) == 1 else ""
        raise _fail(f"{name} is {_fmt(g[()])}{where}, not the one at {want}.")

    # ---- plain values ----------------------------------------------------------------

    def equal(
        self, got: Any, expected: Any, *, name: str = "your answer", show_expected: bool = True
    ) -> None:
        """Check exact equality (numbers, strings, tuples, lists, sets; arrays exactly).

        >>> check.equal("ij,jk->ik", "ij,jk->ik")
        >>> try:
        ...     check.equal(3, 4, name="the rank")
        ... except CheckFailed as exc:
        ...     print(exc)
        the rank is 3, expected 4.
        """
        if isinstance(got, np.ndarray) or isinstance(expected, np.ndarray):
            self.array(got, expected, name=name, rtol=0.0, atol=0.0, show_expected=show_expected)
            return None
        if got is None and expected is not None:
            raise _fail(f"{name} is None: assign your answer to it.")
        try:
            same = bool(got == expected)
        except Exception:  # noqa: BLE001 - ambiguous comparisons count as different
            same = False
        if same and type(got) is not bool and type(expected) is not bool:
            return None
        if same and type(got) is type(expected):
            return None
        if type(got) is not type(expected) and not (
            isinstance(got, (int, float, np.number)) and isinstance(expected, (int, float))
        ):
            raise _fail(
                f"{name} is a {type(got).__name__} ({_fmt(got)[:80]}), "
                f"expected a {type(expected).__name__}."
            )
        msg = f"{name} is {_fmt(got)[:200]}"
        if isinstance(got, (list, tuple)) and isinstance(expected, (list, tuple)):
            if len(got) != len(expected):
                msg += f" with {len(got)} items, expected {len(expected)} items"
                raise _fail(msg + ".")
            k = next(i for i, (a, b) in enumerate(zip(got, expected, strict=True)) if a != b)
            msg += f"; item {k} is {_fmt(got[k])}"
            if show_expected:
                msg += f", expected {_fmt(expected[k])}"
            raise _fail(msg + ".")
        msg += f", expected {_fmt(expected)[:200]}." if show_expected else ", which is not right."
        raise _fail(msg)

    def true(self, condition: Any, message: str) -> None:
        """Check that a condition holds; ``message`` tells the learner what is wrong.

        >>> check.true(2 > 1, "two should exceed one")
        """
        if isinstance(condition, np.ndarray) and condition.size != 1:
            raise TypeError(
                f"check.true needs one True/False, got an array of shape {condition.shape}; "
                "use numpy.all(...) or check.array"
            )
        if not bool(condition):
            raise _fail(str(message))

    def raises(
        self,
        error: type[BaseException] | tuple[type[BaseException], ...],
        func: Callable[..., Any],
        *args: Any,
        match: str | None = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        """Check that ``func(*args, **kwargs)`` raises ``error`` (message matching ``match``).

        >>> check.raises(ZeroDivisionError, lambda: 1 / 0)
        """
        what = name or getattr(func, "__name__", "your code")
        errname = (
            " or ".join(e.__name__ for e in error) if isinstance(error, tuple) else error.__name__
        )
        try:
            func(*args, **kwargs)
        except error as exc:
            if match is not None and not re.search(match, str(exc)):
                raise _fail(
                    f"{what} raised {type(exc).__name__} as it should, but its message "
                    f"{str(exc)!r} does not mention {match!r}."
                ) from None
            return None
        except Exception as exc:  # noqa: BLE001
            raise _fail(f"{what} raised {type(exc).__name__}: {exc}, expected {errname}.") from None
        raise _fail(f"{what} did not raise; expected {errname}.")

    # ---- success ---------------------------------------------------------------------

    def passed(self, grade_id: str, *, hidden: bool = False) -> None:
        """Record that the visible checks of ``grade_id`` passed, and say so honestly.

        With ``hidden=True`` (the cell has hidden tests that run only when graded) it
        prints "Visible checks pass (hidden tests run when graded)." — never "all".

        >>> check.passed("01-demo")
        All checks pass.
        """
        entry = _declare(grade_id) if grade_id not in _registry else _registry[grade_id]
        _current[0] = grade_id
        entry.status = "passed"
        entry.hidden = bool(hidden)
        entry.message = ""
        print(VISIBLE_PASS if hidden else ALL_PASS)


def _einsum_misfit(expr: str, shapes: list[tuple[int, ...]]) -> str | None:
    """Why an einsum string does not fit arrays of these shapes, in the notation's words."""
    inputs = expr.replace(" ", "").split("->")[0].split(",")
    if "." in expr:
        return None
    if len(inputs) != len(shapes):
        return f"it has {len(inputs)} tensor(s) before '->', but there are {len(shapes)} arrays."
    seen: dict[str, tuple[int, int, int]] = {}
    for t, (letters, shape) in enumerate(zip(inputs, shapes, strict=True)):
        if len(letters) != len(shape):
            return (
                f"tensor {t + 1} gets {len(letters)} letter(s) {letters!r}, but its array has "
                f"{len(shape)} leg(s) (one letter per leg)."
            )
        for k, (c, dim) in enumerate(zip(letters, shape, strict=True)):
            if c in seen and seen[c][0] != dim:
                d0, t0, k0 = seen[c]
                return (
                    f"the letter {c!r} is used for a leg of dimension {d0} (tensor {t0 + 1}, "
                    f"axis {k0}) and one of dimension {dim} (tensor {t + 1}, axis {k}); a wire "
                    "joins legs of equal dimension."
                )
            seen.setdefault(c, (dim, t, k))
    return None


def _difference(expected: Diagram, got: Diagram) -> str | None:
    """Like :func:`~tensorlessons.difference`, but a renamed box is matched, and named.

    A tensor of the reference missing from ``got`` is matched to a tensor of ``got``
    not in the reference that holds the same array (renaming a box does not change its
    meaning); when only its shape matches, the message says which box was renamed.
    """
    copies = {t.name for t in got if t.kind == "copy"} | {
        t.name for t in expected if t.kind == "copy"
    }
    want = [t.name for t in expected if t.kind != "copy"]
    have = [t.name for t in got if t.kind != "copy"]
    missing = [n for n in want if n not in have]
    extra = [n for n in have if n not in want and n not in copies]
    if not missing or not extra:
        return difference(expected, got)
    renames: dict[str, str] = {}  # got's name -> the reference's name
    guesses: dict[str, str] = {}
    for m in missing:
        ref = np.asarray(expected[m])
        same = [e for e in extra if e not in renames and np.shape(got[e]) == ref.shape]
        equal = [e for e in same if np.array_equal(np.asarray(got[e]), ref)]
        if len(equal) == 1:
            renames[equal[0]] = m
        elif len(same) == 1:
            guesses[same[0]] = m
    if not renames:
        reason = difference(expected, got)
        told = ", ".join(f"{new} was {old}" for new, old in guesses.items())
        return f"{reason} (did you rename a box? {told}: give it its name back)" if told else reason
    ref = expected.copy()  # the reference in the learner's names, so the message is too
    for k, old in enumerate(renames.values()):
        ref.rename_tensor(old, f"__renamed_{k}")
    for k, new in enumerate(renames):
        ref.rename_tensor(f"__renamed_{k}", new)
    reason = difference(ref, got)
    if reason is None:
        return None
    told = ", ".join(f"you renamed {old} to {new}" for new, old in renames.items())
    return f"{reason} ({told})"


def _array_hint(g: np.ndarray, e: np.ndarray, rtol: float, atol: float) -> str:
    """A guess at a common mistake (transposed, negated, scaled), or ''."""
    try:
        with np.errstate(all="ignore"):
            if g.ndim == 2 and g.shape == e.shape[::-1] or (g.ndim == 2 and g.shape == e.shape):
                if g.shape == e.T.shape and np.allclose(g, e.T, rtol=rtol, atol=atol):
                    return "It equals the transpose of the expected matrix: check the leg order."
            if np.allclose(g, -e, rtol=rtol, atol=atol):
                return "It has the opposite sign."
            if g.ndim >= 1 and g.size > 1:
                nz = np.abs(e) > atol
                if nz.any():
                    ratio = g[nz] / e[nz]
                    r0 = ratio.flat[0]
                    if np.isfinite(r0) and r0 != 0 and np.allclose(ratio, r0, rtol=1e-6):
                        if np.allclose(g, r0 * e, rtol=rtol, atol=atol):
                            return f"It is {_fmt(r0)} times the expected values: a factor is off."
    except (ValueError, TypeError):
        return ""
    return ""


check = _Check()
"""The check helpers: ``check.array``, ``check.shape``, ``check.close``, ``check.diagram``,
``check.equal``, ``check.true``, ``check.raises`` and ``check.passed``."""


# --------------------------------------------------------------------------------------
# Exercise headers and hint ladders
# --------------------------------------------------------------------------------------

_CODE = re.compile(r"`([^`]+)`")


def _hint_html(text: str) -> str:
    """Hints are text with `code` spans and $math$ (left for MathJax)."""
    return _CODE.sub(r"<code>\1</code>", html.escape(text, quote=False))


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with ipywidgets
        return False
    ip = get_ipython()
    return ip is not None and getattr(ip, "kernel", None) is not None


class Exercise:
    """The header of an exercise: title, difficulty, importance, time budget, hints.

    Displayed in a notebook it shows the task's facts and a ladder of hints revealed
    one at a time by a button (ipywidgets); where widgets do not render (nbconvert HTML,
    GitHub) the same ladder is nested ``<details>`` elements, each opening the next.
    Hints never contain the solution code: they are written by the chapter's author.

    Parameters
    ----------
    grade_id
        The ``grade_id`` of the exercise's graded cell, e.g. ``"01-outer-product"``
        (the part before the first ``-`` names the chapter, for :func:`progress`).
    title
        A short name shown to the learner.
    difficulty
        1 (warm-up), 2 (practice) or 3 (challenge).
    importance
        ``"core"`` (needed later in the course) or ``"optional"``.
    minutes
        A time budget, in minutes.
    hints
        Hints from gentle to explicit.

    >>> ex = Exercise("01-outer", title="Outer product", difficulty=2, minutes=10,
    ...               hints=["Two vectors, no shared leg.", "Try `np.einsum`."])
    >>> print(repr(ex))
    Exercise 01-outer: Outer product  [difficulty ●●○ · core · about 10 min · 2 hints]
    >>> "<details>" in ex._repr_html_()
    True
    """

    def __init__(
        self,
        grade_id: str,
        *,
        title: str,
        difficulty: int = 1,
        importance: Importance = "core",
        minutes: float = 5,
        hints: Iterable[str] = (),
        task: str | None = None,
    ) -> None:
        if not isinstance(grade_id, str) or not grade_id.strip():
            raise DiagramError(f"Exercise: grade_id must be a non-empty string, got {grade_id!r}")
        if difficulty not in (1, 2, 3):
            raise DiagramError(
                f"Exercise {grade_id!r}: difficulty must be 1, 2 or 3, got {difficulty!r}"
            )
        if importance not in ("core", "optional"):
            raise DiagramError(
                f"Exercise {grade_id!r}: importance must be 'core' or 'optional', "
                f"got {importance!r}"
            )
        if not isinstance(minutes, (int, float)) or minutes <= 0:
            raise DiagramError(
                f"Exercise {grade_id!r}: minutes must be a positive number, got {minutes!r}"
            )
        hint_list = list(hints)
        for k, h in enumerate(hint_list):
            if not isinstance(h, str):
                raise DiagramError(f"Exercise {grade_id!r}: hint {k} is not a string: {h!r}")
        self.grade_id = grade_id
        self.title = str(title)
        self.difficulty = int(difficulty)
        self.importance: Importance = importance
        self.minutes = minutes
        self.hints: list[str] = hint_list
        self.task = task
        self.revealed = 0
        self._widget: Any = None
        _declare(grade_id, self.title)

    # ---- facts -----------------------------------------------------------------------

    @property
    def chapter(self) -> str:
        """The chapter part of the grade id (before the first ``-``)."""
        return _chapter_of(self.grade_id)

    def _stars(self) -> str:
        return "●" * self.difficulty + "○" * (3 - self.difficulty)

    def _facts(self) -> str:
        n = len(self.hints)
        hints = f" · {n} hint{'s' if n != 1 else ''}" if n else ""
        minutes = f"{self.minutes:g}"
        return f"difficulty {self._stars()} · {self.importance} · about {minutes} min{hints}"

    def __repr__(self) -> str:
        return f"Exercise {self.grade_id}: {self.title}  [{self._facts()}]"

    def next_hint(self) -> str | None:
        """Reveal the next hint and return it (None when all are shown).

        >>> ex = Exercise("01-x", title="X", hints=["first", "second"])
        >>> ex.next_hint(), ex.next_hint(), ex.next_hint()
        ('first', 'second', None)
        """
        if self.revealed >= len(self.hints):
            return None
        self.revealed += 1
        return self.hints[self.revealed - 1]

    # ---- display ---------------------------------------------------------------------

    def _header_html(self) -> str:
        level = {1: "warm-up", 2: "practice", 3: "challenge"}[self.difficulty]
        task = f"<p>{_hint_html(self.task)}</p>" if self.task else ""
        return (
            '<div class="tl-exercise" style="border-left:4px solid #4c78a8;padding:4px 10px;'
            'margin:4px 0">'
            f"<b>Exercise</b> <code>{html.escape(self.grade_id)}</code>: "
            f"<b>{html.escape(self.title)}</b><br>"
            f'<span title="difficulty {self.difficulty} of 3 ({level})">'
            f"difficulty {self._stars()} ({level})</span> · "
            f"<span>{html.escape(self.importance)}</span> · "
            f"<span>about {self.minutes:g} min</span>{task}</div>"
        )

    def _repr_html_(self) -> str:
        ladder = ""
        for k in reversed(range(len(self.hints))):
            label = f"Hint {k + 1} of {len(self.hints)}"
            ladder = (
                f"<details><summary>{label}</summary><div>{_hint_html(self.hints[k])}</div>"
                f"{ladder}</details>"
            )
        return self._header_html() + ladder

    def widget(self) -> Any:
        """The ipywidgets view: header, a "Show a hint" button and the revealed hints."""
        if self._widget is not None:
            return self._widget
        import ipywidgets as w

        shown = w.VBox([w.HTMLMath(_hint_html(h)) for h in self.hints[: self.revealed]])
        button = w.Button(
            description=self._button_label(),
            disabled=self.revealed >= len(self.hints),
            tooltip="Reveal the next hint",
            icon="lightbulb-o",
            layout=w.Layout(width="auto"),
        )

        def reveal(_: Any) -> None:
            hint = self.next_hint()
            if hint is not None:
                k = self.revealed
                shown.children = (
                    *shown.children,
                    w.HTMLMath(f"<b>Hint {k}:</b> {_hint_html(hint)}"),
                )
            button.description = self._button_label()
            button.disabled = self.revealed >= len(self.hints)

        button.on_click(reveal)
        children: list[Any] = [w.HTMLMath(self._header_html())]
        if self.hints:
            children += [button, shown]
        self._widget = w.VBox(children)
        self._widget.add_class("tl-exercise-widget")
        return self._widget

    def _button_label(self) -> str:
        n = len(self.hints)
        if self.revealed >= n:
            return "All hints shown"
        return f"Show a hint ({self.revealed + 1} of {n})"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle: dict[str, Any] = {"text/plain": repr(self), "text/html": self._repr_html_()}
        if _in_kernel():
            try:
                view = self.widget()._repr_mimebundle_()
            except Exception:  # noqa: BLE001 - fall back to HTML when widgets fail
                view = None
            if view:
                bundle.update({k: v for k, v in view.items() if k != "text/plain"})
        return bundle


# --------------------------------------------------------------------------------------
# Draw-to-answer exercises
# --------------------------------------------------------------------------------------


def _persist() -> Any:
    """The answers-file helpers (imported late: they are only needed when drawing)."""
    from . import _persist as p

    return p


def _load_saved(key: str) -> tuple[Diagram | None, str]:
    try:
        return _persist().load(key), ""
    except DiagramError as exc:  # a damaged answers file: start again, and say so
        return None, str(exc)


AnswerSpec = Diagram | Callable[[Diagram], "str | None"]

# A verdict reads in the theme's text colour (>= 4.5:1 in light and dark themes), marked by
# a coloured bar (the style ends with the bar's colour).
_FEEDBACK_STYLE = (
    "display:inline-block;padding:2px 8px;color:var(--jp-ui-font-color1,inherit);"
    "border-left:3px solid "
)


def same_value(
    expected: Any,
    *,
    where: Any = None,
    hint: str = "",
    rtol: float = 1e-7,
    atol: float = 1e-9,
) -> Callable[[Diagram], str | None]:
    """An answer check that needs no reference diagram: the drawing must have this value.

    For a :class:`DiagramExercise` whose reference diagram must stay out of the learner's
    reach (it is built in the hidden part of the graded cell instead): the learner's
    diagram must contract to ``expected`` (its open legs in order). ``expected`` may be a
    function of no arguments, called when checking; with ``where`` (a boolean mask of
    ``expected``'s shape) only those entries are compared. When the values differ, the
    message lists the learner's wires in the picture's words (three legs or more at one
    wire are a copy-tensor dot), then ``hint``.

    >>> import numpy as np
    >>> from tensorlessons import Diagram
    >>> u, v = np.arange(3.0), np.ones(3)
    >>> right = same_value(u @ v)
    >>> start = Diagram.from_einsum("i,j->ij", u, v, names=["u", "v"])
    >>> print(right(start))
    your diagram is not right yet: the result has 2 open leg(s) ['u:i', 'v:j'] of shape (3, 3), expected 0 open leg(s) (a single number).
    >>> right(Diagram.from_einsum("i,i->", u, v, names=["u", "v"])) is None
    True
    """

    def check_value(d: Diagram) -> str | None:
        want = np.asarray(expected() if callable(expected) else expected)
        if tuple(d.shape) != want.shape:  # before contracting: a wrong drawing may be huge
            names = ["=".join(d.legs_of_label(lab)) or lab for lab in d.output]
            shape = f"of shape {want.shape}" if want.ndim else "(a single number)"
            return (
                f"your diagram is not right yet: the result has {len(d.shape)} open leg(s) "
                f"{names} of shape {tuple(d.shape)}, expected {want.ndim} open leg(s) {shape}."
            )
        got = np.asarray(d.contract())
        mask = np.ones(want.shape, dtype=bool) if where is None else np.asarray(where)

        def right(value: np.ndarray) -> bool:
            return value.shape == want.shape and bool(
                np.allclose(value[mask], want[mask], rtol=rtol, atol=atol)
            )

        if not right(got):
            wrong = _wrong_wires(d, right)
            if wrong:
                return f"your diagram is not right yet: {wrong}." + (f" {hint}" if hint else "")
            drawn = [
                " — ".join(w) if len(w) == 2 else f"{', '.join(w)} at one copy-tensor dot"
                for w in d.wires()
            ]
            return (
                "your diagram is not right yet: the right number of open legs, but not "
                "the right values: a wire joins the wrong legs, or one is missing "
                f"(your wires: {'; '.join(drawn) or 'none'})." + (f" {hint}" if hint else "")
            )
        return None

    return check_value


def _wrong_wires(d: Diagram, right: Callable[[np.ndarray], bool]) -> str | None:
    """Which of the learner's wires are wrong, found by value alone (no reference needed).

    Tries every way of re-pairing the ends of two wires, of one wire and one open leg,
    then of three wires (the smallest edits that keep the number of open legs), and
    evaluates each with ``np.einsum``; when one gives the right value, the wires it
    changed are named in the picture's words. Diagrams with copy tensors, with more than
    12 wires and open legs, or with more than 200,000 numbers are not searched.
    """
    tensors = list(d)
    if any(t.kind == "copy" for t in tensors):
        return None
    uses: dict[str, list[tuple[int, int]]] = {}
    for ti, t in enumerate(tensors):
        for k, lab in enumerate(t.labels):
            uses.setdefault(lab, []).append((ti, k))
    output = list(d.output)
    if any(len(u) > 2 or (len(u) == 2 and lab in output) for lab, u in uses.items()):
        return None
    wires = [lab for lab, u in uses.items() if len(u) == 2]
    opens = [lab for lab in output if len(uses.get(lab, [])) == 1]
    arrays = [np.asarray(t.array) for t in tensors]
    if len(wires) + len(opens) > 12 or sum(a.size for a in arrays) > 200_000:
        return None  # a quick answer matters more than a pointed one

    def leg(slot: tuple[int, int]) -> str:
        t = tensors[slot[0]]
        return f"{t.name}:{t.legs[slot[1]]}"

    def value(relabel: dict[tuple[int, int], str], out: list[str]) -> np.ndarray | None:
        labels = [
            [relabel.get((ti, k), lab) for k, lab in enumerate(t.labels)]
            for ti, t in enumerate(tensors)
        ]
        letters: dict[str, str] = {}
        pool = iter("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        try:
            terms = ["".join(letters.setdefault(x, next(pool)) for x in ls) for ls in labels]
            expr = ",".join(terms) + "->" + "".join(letters.setdefault(x, next(pool)) for x in out)
            return np.asarray(np.einsum(expr, *arrays, optimize=True))
        except (StopIteration, ValueError):
            return None

    def dim(slot: tuple[int, int]) -> int:
        return int(tensors[slot[0]].dims[slot[1]])

    def pairings(slots: list[tuple[int, int]]) -> Iterator[list[tuple[Any, Any]]]:
        if not slots:
            yield []
            return
        first, rest = slots[0], slots[1:]
        for k, other in enumerate(rest):
            if dim(other) == dim(first):
                for more in pairings(rest[:k] + rest[k + 1 :]):
                    yield [(first, other), *more]

    for size in (2, 3):  # the fewest wires whose ends, joined another way, give the value
        for chosen in itertools.combinations(wires, size):
            slots = [slot for lab in chosen for slot in uses[lab]]
            now = {frozenset(uses[lab]) for lab in chosen}
            for pairs in pairings(slots):
                if {frozenset(pair) for pair in pairs} & now:
                    continue  # keeps one of the wires: a smaller edit, already tried
                relabel = {x: f"#{n}" for n, pair in enumerate(pairs) for x in pair}
                got = value(relabel, output)
                if got is not None and right(got):
                    named = [f"{leg(uses[lab][0])} — {leg(uses[lab][1])}" for lab in chosen]
                    named = ", ".join(named[:-1]) + " and " + named[-1]
                    return (
                        f"the wires {named} join the wrong legs: these {2 * size} legs "
                        "should be joined to each other another way"
                    )
        if size == 2:
            for a in wires:
                for o in opens:
                    (p, q), (z,) = uses[a], uses[o]
                    for keep, move in ((p, q), (q, p)):
                        out = [("#open" if lab == o else lab) for lab in output]
                        got = value({keep: "#open", move: "#1", z: "#1"}, out)
                        if got is not None and right(got):
                            return (
                                f"the wire {leg(p)} — {leg(q)} and the open leg {leg(z)} "
                                f"are wrong: {leg(z)} should be joined, and one of "
                                f"{leg(p)}, {leg(q)} left open"
                            )
    return None


class DiagramExercise(Exercise):
    """An exercise answered by drawing: the learner edits a diagram until it means the answer.

    Displaying it shows the task, the starting diagram in an editable
    :class:`~tensorlessons.DiagramWidget`, a Check button with feedback inside the widget,
    and the hint ladder. The learner's diagram is saved after every edit to the answers
    file ``tensorlessons_answers/<grade_id>.json`` next to the notebook, and loaded from it
    when the cell runs again — so a drawn answer survives saving, reloading and
    re-execution by an autograder. In code, :meth:`submit` sets the answer (idempotent).

    In the graded cell, ``ex.check()`` raises :class:`CheckFailed` with the feedback.

    Parameters
    ----------
    grade_id
        The graded cell's ``grade_id`` (also the answers file's name).
    task
        What to draw.
    start
        The starting diagram (copied; the learner edits the copy).
    answer
        The reference diagram (compared by meaning with :func:`tensorlessons.equivalent`),
        or a function ``f(diagram) -> str | None`` returning feedback, None if right.
    hints, title, difficulty, importance, minutes
        As for :class:`Exercise`.
    persist
        Whether to read and write the answers file (default True).

    >>> import numpy as np
    >>> from tensorlessons import Diagram
    >>> A, B = np.ones((2, 3)), np.ones((3, 4))
    >>> start = Diagram.from_arrays({"A": A, "B": B})
    >>> want = Diagram.from_einsum("ij,jk->ik", A, B, names=["A", "B"])
    >>> ex = DiagramExercise("01-matmul", task="Join A and B into AB.", start=start,
    ...                      answer=want, persist=False)
    >>> print(ex.feedback())
    your diagram is not right yet: the result has 4 open leg(s) ['A:i', 'A:j', 'B:i', 'B:j'] of shape (2, 3, 3, 4), expected 2 open leg(s) of shape (2, 4).
    >>> ex.submit(want)
    >>> ex.feedback() is None
    True
    """

    def __init__(
        self,
        grade_id: str,
        *,
        task: str,
        start: Diagram,
        answer: AnswerSpec,
        hints: Iterable[str] = (),
        title: str | None = None,
        difficulty: int = 1,
        importance: Importance = "core",
        minutes: float = 5,
        persist: bool = True,
    ) -> None:
        super().__init__(
            grade_id,
            title=title or "Draw the answer",
            difficulty=difficulty,
            importance=importance,
            minutes=minutes,
            hints=hints,
            task=task,
        )
        if not isinstance(start, Diagram):
            raise DiagramError(
                f"DiagramExercise {grade_id!r}: start must be a Diagram, got {start!r}"
            )
        if not (isinstance(answer, Diagram) or callable(answer)):
            raise DiagramError(
                f"DiagramExercise {grade_id!r}: answer must be a Diagram or a function "
                f"diagram -> message|None, got {answer!r}"
            )
        self.start = start.copy()
        self.answer = answer
        self.persist = persist
        self.key = grade_id
        saved, self.load_error = _load_saved(self.key) if persist else (None, "")
        self._diagram = saved if saved is not None else start.copy()
        #: Whether the learner's diagram was loaded from the answers file.
        self.restored = saved is not None
        self._diagram.observe(self._on_edit)
        self._view: Any = None
        self._feedback_widget: Any = None

    # ---- the learner's diagram ---------------------------------------------------------

    @property
    def diagram(self) -> Diagram:
        """The learner's current diagram (live: the widget edits this object)."""
        return self._diagram

    def _on_edit(self, diagram: Diagram, what: str) -> None:
        if self.persist and diagram is self._diagram:
            _persist().save(self.key, diagram)
        if what not in ("move", "layout") and self._feedback_widget is not None:
            self._feedback_widget.value = ""  # a verdict on an earlier drawing is stale

    def _set(self, diagram: Diagram) -> None:
        self._diagram.unobserve(self._on_edit)
        self._diagram = diagram
        diagram.observe(self._on_edit)
        if self._view is not None:
            self._view.diagram = diagram
        if self.persist:
            _persist().save(self.key, diagram)

    def submit(self, diagram: Any) -> None:
        """Answer in code: make ``diagram`` the learner's diagram (saved; idempotent).

        Accepts a :class:`Diagram` or anything with a ``.diagram`` (a widget).
        """
        inner = getattr(diagram, "diagram", None)
        if not isinstance(diagram, Diagram) and isinstance(inner, Diagram):
            diagram = inner
        if not isinstance(diagram, Diagram):
            raise DiagramError(
                f"DiagramExercise {self.grade_id!r}: submit() needs a Diagram, got {diagram!r}"
            )
        self._set(diagram.copy())

    def reset(self) -> None:
        """Start again from the starting diagram, in place: the widget's Undo brings the
        drawing back, and the answers file then holds the starting diagram (not deleted)."""
        self._diagram.restore(self.start.copy())

    # ---- checking ----------------------------------------------------------------------

    def feedback(self) -> str | None:
        """Why the learner's diagram is not the answer yet, or None when it is."""
        d = self._diagram
        if isinstance(self.answer, Diagram):
            reason = _difference(self.answer, d)
            return None if reason is None else f"your diagram is not right yet: {reason}."
        try:
            result = self.answer(d)
        except DiagramError as exc:
            return f"your diagram is not right yet: {exc}"
        return None if result is None else str(result)

    def check(self) -> None:
        """Raise :class:`CheckFailed` with the feedback unless the diagram is right."""
        message = self.feedback()
        if message is not None:
            raise _fail(message, self.grade_id)

    # ---- display -----------------------------------------------------------------------

    def _repr_html_(self) -> str:
        return super()._repr_html_() + self._diagram.to_svg()

    def widget(self) -> Any:
        """Header, the editable diagram, a Check button with feedback, and the hints."""
        if self._widget is not None:
            return self._widget
        import ipywidgets as w

        from .widget import DiagramWidget

        box = super().widget()
        self._widget = None
        self._view = DiagramWidget(self._diagram, compact=True)
        feedback = w.HTML("")
        self._feedback_widget = feedback
        check_button = w.Button(description="Check", button_style="primary", icon="check")
        reset_button = w.Button(description="Start again", icon="undo")
        # Start again asks first; the drawing it replaces stays in the widget's Undo.
        confirm_text = w.HTML(
            "Start again from the starting diagram? (The widget's Undo brings your drawing back.)"
        )
        confirm_yes = w.Button(description="Yes, start again", button_style="warning")
        confirm_no = w.Button(description="Keep my drawing")
        confirm = w.HBox([confirm_text, confirm_yes, confirm_no])
        confirm.add_class("tl-confirm-reset")
        confirm.layout.display = "none"

        def on_check(_: Any) -> None:
            live = getattr(self._view, "diagram", None)
            if isinstance(live, Diagram) and live is not self._diagram:
                self._set(live)
            message = self.feedback()
            entry = _registry[self.grade_id]
            if message is None:
                entry.status, entry.message = "passed", ""
                feedback.value = (
                    f'<span role="status" style="{_FEEDBACK_STYLE}var(--jp-success-color1,#2a7d2a)">'
                    "✔ Right: this diagram means the answer.</span>"
                )
            else:
                entry.status, entry.message = "failed", message
                feedback.value = (
                    f'<span role="alert" style="{_FEEDBACK_STYLE}var(--jp-error-color1,#b22)">'
                    f"✘ {html.escape(message)}</span>"
                )

        def ask_reset(_: Any) -> None:
            confirm.layout.display = "flex"

        def on_reset(_: Any) -> None:
            confirm.layout.display = "none"
            self.reset()
            feedback.value = ""

        def keep(_: Any) -> None:
            confirm.layout.display = "none"

        check_button.on_click(on_check)
        reset_button.on_click(ask_reset)
        confirm_yes.on_click(on_reset)
        confirm_no.on_click(keep)
        header, *rest = box.children
        self._widget = w.VBox(
            [header, self._view, w.HBox([check_button, reset_button]), confirm, feedback, *rest]
        )
        self._widget.add_class("tl-diagram-exercise")
        return self._widget


# --------------------------------------------------------------------------------------
# Progress
# --------------------------------------------------------------------------------------


class Progress:
    """Which exercises of a chapter pass (as shown by :func:`progress`)."""

    def __init__(self, chapter: str | None, entries: list[_Entry]) -> None:
        self.chapter = chapter
        self.entries = entries

    @property
    def passed(self) -> list[str]:
        """Grade ids that pass."""
        return [e.grade_id for e in self.entries if e.status == "passed"]

    def _mark(self, e: _Entry) -> str:
        if e.status == "passed":
            return "✔ passed" + (" (visible checks)" if e.hidden else "")
        return "✘ failing" if e.status == "failed" else "· not yet"

    def __repr__(self) -> str:
        head = f"Chapter {self.chapter}: " if self.chapter else ""
        lines = [f"{head}{len(self.passed)} of {len(self.entries)} exercises pass"]
        for e in self.entries:
            title = f" ({e.title})" if e.title else ""
            lines.append(f"  {self._mark(e):<28} {e.grade_id}{title}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(self._mark(e))}</td><td><code>{html.escape(e.grade_id)}"
            f"</code></td><td>{html.escape(e.title)}</td></tr>"
            for e in self.entries
        )
        head = f"Chapter {html.escape(self.chapter)}: " if self.chapter else ""
        return (
            f"<div><b>{head}{len(self.passed)} of {len(self.entries)} exercises pass</b>"
            f"<table><tr><th>status</th><th>exercise</th><th>title</th></tr>{rows}</table></div>"
        )


def _notebook_grade_ids(path: str) -> list[tuple[str, str]]:
    try:
        with open(path, encoding="utf-8") as f:
            nb = json.load(f)
    except (OSError, ValueError):
        return []
    ids = []
    for cell in nb.get("cells", []):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade") and meta.get("grade_id"):
            ids.append((str(meta["grade_id"]), ""))
    return ids


def progress(chapter: str | None = None, *, notebook: str | None = None) -> Progress:
    """Which exercises of a chapter pass, in this kernel.

    ``chapter`` is the part of the grade ids before the first ``-`` (default: the chapter
    of the exercise checked or shown last). With ``notebook`` (default: the notebook this
    kernel runs, when Jupyter says which) the exercises not attempted yet are listed too.

    >>> check.passed("99-first")
    All checks pass.
    >>> print(progress("99"))
    Chapter 99: 1 of 1 exercises pass
      ✔ passed                     99-first
    """
    if chapter is None and _current[0] is not None:
        chapter = _chapter_of(_current[0])
    entries = {gid: e for gid, e in _registry.items()}
    nb_path = notebook or os.environ.get("JPY_SESSION_NAME")
    if nb_path and not os.path.exists(nb_path):
        nb_path = os.path.basename(nb_path)  # a path relative to the server's root
    if nb_path and nb_path.endswith(".ipynb") and os.path.exists(nb_path):
        for gid, title in _notebook_grade_ids(nb_path):
            entries.setdefault(gid, _Entry(gid, title))
    chosen = [e for gid, e in entries.items() if chapter is None or _chapter_of(gid) == chapter]
    return Progress(chapter, chosen)
