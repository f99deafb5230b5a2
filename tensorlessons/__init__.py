"""tensorlessons: live tensor diagrams backed by numpy, and a course that teaches them.

A :class:`Diagram` is at once a picture (Penrose / tensor-network notation) and a
computation: named tensors backed by numpy arrays, legs joined by wires, contracted
through opt_einsum.

>>> import numpy as np
>>> import tensorlessons as tl
>>> d = tl.Diagram.from_einsum("ij,jk->ik", np.ones((2, 3)), np.ones((3, 4)), names=["A", "B"])
>>> d.contract().shape
(2, 4)
>>> d.to_einsum()
'ij,jk->ik'
"""

from __future__ import annotations

import importlib
from typing import Any

from ._errors import DiagramError, TensorlessonsWarning
from .diagram import Diagram, equivalent

__version__ = "0.1.0"

# Everything else is imported lazily, so that ``import tensorlessons`` stays fast and
# light (ipywidgets, anywidget and the grading machinery load only when asked for).
_LAZY: dict[str, str] = {
    # widgets
    "DiagramWidget": "tensorlessons.widget",
    # exercises and grading
    "DiagramExercise": "tensorlessons.exercises",
    "Exercise": "tensorlessons.exercises",
    "CheckFailed": "tensorlessons.exercises",
    "progress": "tensorlessons.exercises",
    "solution": "tensorlessons.course",
    # decompositions (first half of the course)
    "svd": "tensorlessons.decompositions",
    "cp": "tensorlessons.decompositions",
    "tucker": "tensorlessons.decompositions",
    "mps": "tensorlessons.decompositions",
    "copy_tensor": "tensorlessons.decompositions",
    "diagonal": "tensorlessons.decompositions",
    "hadamard": "tensorlessons.decompositions",
    "group_legs": "tensorlessons.decompositions",
    "split_leg": "tensorlessons.decompositions",
    "grouping_tensor": "tensorlessons.decompositions",
    "dagger": "tensorlessons.decompositions",
    "is_isometry": "tensorlessons.decompositions",
    "is_unitary": "tensorlessons.decompositions",
    "is_projector": "tensorlessons.decompositions",
    "RankExplorer": "tensorlessons.explorers",
    "ContractionExplorer": "tensorlessons.explorers",
    # transformer circuits (second half of the course)
    "AttentionOnlyTransformer": "tensorlessons.transformer",
    "path_expansion": "tensorlessons.transformer",
    "composition_score": "tensorlessons.transformer",
    "induction_transformer": "tensorlessons.transformer",
    "composition_scores": "tensorlessons.transformer",
    "qk_circuit": "tensorlessons.transformer",
    "ov_circuit": "tensorlessons.transformer",
    "positional_qk_circuit": "tensorlessons.transformer",
    "circuit_rank": "tensorlessons.transformer",
    "copying_score": "tensorlessons.transformer",
    "repeated_random_tokens": "tensorlessons.transformer",
    "load_trained_model": "tensorlessons.transformer",
    "load_text_model": "tensorlessons.transformer",
    "text_windows": "tensorlessons.transformer",
    "previous_token_scores": "tensorlessons.transformer",
    "induction_scores": "tensorlessons.transformer",
    "FactoredCircuit": "tensorlessons.transformer",
    "circuit_singular_values": "tensorlessons.transformer",
    "circuit_eigenvalues": "tensorlessons.transformer",
    "encode_text": "tensorlessons.transformer",
    "decode_tokens": "tensorlessons.transformer",
    "held_out_text": "tensorlessons.transformer",
    "head_diagram": "tensorlessons.circuits",
    "attention_layer_diagram": "tensorlessons.circuits",
    "qk_diagram": "tensorlessons.circuits",
    "ov_diagram": "tensorlessons.circuits",
    "embedding_diagrams": "tensorlessons.circuits",
    "path_expansion_diagrams": "tensorlessons.circuits",
    "induction_circuit_diagrams": "tensorlessons.circuits",
    "AttentionPatternWidget": "tensorlessons.attention",
    "LogitAttributionWidget": "tensorlessons.attention",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'tensorlessons' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = ["DiagramError", "TensorlessonsWarning", "Diagram", "equivalent", *_LAZY]
