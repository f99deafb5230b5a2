"""Sidecar answer files: a learner's drawn diagram survives save, reload and re-execution.

JupyterLab's saved widget state is off by default and is easily dropped, so the widget does
not rely on it. Instead, a :class:`~tensorlessons.DiagramWidget` given a ``key`` writes its
diagram (:meth:`Diagram.to_json`, structure, layout and numbers) after every edit to::

    tensorlessons_answers/<key>.json

in the kernel's working directory, which is the notebook's folder when the notebook is
opened from JupyterLab or Notebook 7 or executed by nbclient / nbgrader. Re-running the cell
that makes the widget loads that file instead of the starting diagram, so re-executing the
notebook (for instance by an autograder) rebuilds the learner's diagram. ``reset(key)``
deletes the file (the widget's Reset button does not: it restores the start, as an undoable edit).

Set the environment variable ``TENSORLESSONS_ANSWERS`` to use another folder.

>>> import numpy as np, tempfile, os
>>> from tensorlessons import Diagram
>>> from tensorlessons import _persist
>>> os.environ["TENSORLESSONS_ANSWERS"] = tempfile.mkdtemp()
>>> _persist.load("ch01-demo") is None
True
>>> d = Diagram.from_einsum("ij,j->i", np.ones((2, 3)), np.ones(3), names=["A", "v"])
>>> _persist.save("ch01-demo", d).name
'ch01-demo.json'
>>> _persist.load("ch01-demo").to_json() == d.to_json()
True
>>> _persist.reset("ch01-demo")
True
>>> _persist.load("ch01-demo") is None
True
>>> del os.environ["TENSORLESSONS_ANSWERS"]
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._errors import DiagramError

if TYPE_CHECKING:
    from .diagram import Diagram

__all__ = [
    "ANSWERS_DIR",
    "answers_dir",
    "path",
    "save",
    "load",
    "save_data",
    "load_data",
    "reset",
    "check_key",
]

ANSWERS_DIR = "tensorlessons_answers"
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


def check_key(key: str) -> str:
    """Validate an answer key: letters, digits, ``.``, ``_``, ``-`` (a safe file name).

    >>> check_key("ch02-my-diagram")
    'ch02-my-diagram'
    >>> check_key("../etc/passwd")
    Traceback (most recent call last):
    ...
    tensorlessons._errors.DiagramError: answer key '../etc/passwd' may contain only letters, digits, '.', '_' and '-' (at most 128 characters, not starting with '.', '_' or '-')
    """
    if not isinstance(key, str) or not _KEY.match(key) or ".." in key:
        raise DiagramError(
            f"answer key {key!r} may contain only letters, digits, '.', '_' and '-' "
            "(at most 128 characters, not starting with '.', '_' or '-')"
        )
    return key


def answers_dir() -> Path:
    """The folder of answer files: ``$TENSORLESSONS_ANSWERS`` or ``./tensorlessons_answers``."""
    return Path(os.environ.get("TENSORLESSONS_ANSWERS") or ANSWERS_DIR)


def path(key: str) -> Path:
    """The answer file of ``key`` (it may not exist yet)."""
    return answers_dir() / f"{check_key(key)}.json"


def save(key: str, diagram: Diagram) -> Path:
    """Write ``diagram.to_json()`` to the answer file of ``key`` (atomically); return its path."""
    return _write(key, diagram.to_json())


def _write(key: str, text: str) -> Path:
    target = path(key)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{key}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return target


def load(key: str) -> Diagram | None:
    """The diagram saved under ``key``, or None when there is none.

    A file that cannot be read as a diagram raises :class:`DiagramError` naming the file.
    """
    from .diagram import Diagram

    target = path(key)
    try:
        text = target.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:  # a folder, unreadable, not UTF-8 text
        raise DiagramError(f"answer file {str(target)!r} (key {key!r}): {exc}") from None
    try:
        return Diagram.from_json(text)
    except DiagramError as exc:
        raise DiagramError(f"answer file {str(target)!r} (key {key!r}): {exc}") from None
    except Exception as exc:  # noqa: BLE001 - damaged in a way from_json did not foresee
        raise DiagramError(
            f"answer file {str(target)!r} (key {key!r}): not a tensorlessons diagram "
            f"({type(exc).__name__}: {exc})"
        ) from None


def save_data(key: str, data: Any) -> Path:
    """Write plain JSON data (e.g. an explorer's moves) to the answer file of ``key``.

    >>> import os, tempfile
    >>> os.environ["TENSORLESSONS_ANSWERS"] = tempfile.mkdtemp()
    >>> _ = save_data("06-demo", {"steps": [["A0", "B0"]]})
    >>> load_data("06-demo")
    {'steps': [['A0', 'B0']]}
    >>> reset("06-demo"), load_data("06-demo")
    (True, None)
    >>> del os.environ["TENSORLESSONS_ANSWERS"]
    """
    return _write(key, json.dumps(data))


def load_data(key: str) -> Any:
    """The JSON data saved under ``key`` by :func:`save_data`, or None when there is none."""
    target = path(key)
    try:
        text = target.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise DiagramError(f"answer file {str(target)!r} (key {key!r}): {exc}") from None


def reset(key: str) -> bool:
    """Delete the answer file of ``key``; True when there was one."""
    target = path(key)
    try:
        target.unlink()
    except FileNotFoundError:
        return False
    return True
