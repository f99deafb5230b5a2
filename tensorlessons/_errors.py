"""The one exception type of tensorlessons, and its warning category."""

from __future__ import annotations


class DiagramError(ValueError):
    """Raised for any invalid diagram, edit or input.

    Messages quote the input and name the offending tensor, leg and dimensions.
    A refused edit leaves the diagram exactly as it was.
    """


class TensorlessonsWarning(UserWarning):
    """Base class of the warnings tensorlessons emits."""
