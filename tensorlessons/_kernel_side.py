"""Code the grader runs *inside* a kernel: tamper checks, reading answers out, putting them in.

This file is not imported by the grader's kernels: its source is sent as text and
executed (so a learner's import hooks cannot serve a fake copy), as one function
``__tl_grader(action, arg)`` defined and deleted again in the same request.

- ``snapshot``: before any learner cell, remember what the checks rely on (builtins,
  hooks, input transformers, import hooks, the checking helpers and numpy's comparisons).
- ``report``: before a graded cell, list what changed since (shadowed builtins, learner
  hooks and transformers, ``sys.meta_path`` entries, patched helpers) and write the
  values of the answer names to a file, encoded as data (never pickled).
- ``inject``: in the clean checking kernel, decode those values into the namespace.

The encoding is JSON with tags: numbers, strings, lists, tuples, sets, dicts, numeric
numpy arrays, ``Diagram`` (``to_json``), modules and module-level objects by name, and a
learner's plain function by its source (re-defined, never unpickled).

>>> enc = _encode({"a": (1, 2.5, "x"), "s": {3}})
>>> _decode(enc, {})
{'a': (1, 2.5, 'x'), 's': {3}}
"""

from __future__ import annotations

from typing import Any

# ---------------------------------------------------------------------------------------
# Everything below the marker is sent to the kernel as source text.
# ---------------------------------------------------------------------------------------
# --- kernel side ---

_CRITICAL = (
    "exec",
    "eval",
    "compile",
    "__import__",
    "__build_class__",
    "getattr",
    "setattr",
    "isinstance",
    "globals",
    "open",
    "print",
)
_MAX_BYTES = 64_000_000
_MAX_ITEMS = 200_000


def _learner_made(obj: Any) -> bool:
    """Whether ``obj`` (a function, method, or an instance of a class) was defined in a
    notebook cell rather than in an installed module."""
    import os

    for f in (obj, getattr(obj, "__func__", None), type(obj)):
        if f is None:
            continue
        mod = getattr(f, "__module__", None)
        if mod == "__main__":
            return True
        code = getattr(f, "__code__", None)
        if code is not None:
            fn = code.co_filename
            if fn.startswith("<") or "ipykernel_" in fn or not os.path.isfile(fn):
                return True
    return False


def _watched(sys: Any) -> dict[str, int]:
    """id() of everything the checks rely on, by a readable name."""
    import builtins

    out: dict[str, int] = {}
    for name in _CRITICAL:
        out[f"builtins.{name}"] = id(builtins.__dict__.get(name))
    for modname in ("tensorlessons.exercises", "tensorlessons.diagram", "tensorlessons", "numpy"):
        mod = sys.modules.get(modname)
        out[f"sys.modules[{modname!r}]"] = id(mod)
    ex = sys.modules.get("tensorlessons.exercises")
    if ex is not None:
        for k, v in vars(ex).items():
            if not k.startswith("__"):
                out[f"tensorlessons.exercises.{k}"] = id(v)
        chk = getattr(ex, "check", None)
        if chk is not None:
            out["check (instance attributes)"] = len(getattr(chk, "__dict__", {}))
            for k, v in vars(type(chk)).items():
                out[f"check.{k}"] = id(v)
                code = getattr(v, "__code__", None)
                if code is not None:
                    out[f"check.{k}.__code__"] = id(code)
        for cls in ("CheckFailed", "Exercise", "DiagramExercise"):
            c = getattr(ex, cls, None)
            for k, v in vars(c).items() if c is not None else ():
                out[f"{cls}.{k}"] = id(v)
                code = getattr(v, "__code__", None)
                if code is not None:
                    out[f"{cls}.{k}.__code__"] = id(code)
    dg = sys.modules.get("tensorlessons.diagram")
    if dg is not None:
        for k in ("equivalent", "difference", "Diagram"):
            out[f"tensorlessons.diagram.{k}"] = id(getattr(dg, k, None))
        D = getattr(dg, "Diagram", None)
        for k, v in vars(D).items() if D is not None else ():
            out[f"Diagram.{k}"] = id(v)
    np = sys.modules.get("numpy")
    if np is not None:
        for k in ("allclose", "isclose", "array_equal", "asarray", "array", "einsum", "abs"):
            out[f"numpy.{k}"] = id(getattr(np, k, None))
        t = getattr(np, "testing", None)
        for k in ("assert_allclose", "assert_array_equal"):
            out[f"numpy.testing.{k}"] = id(getattr(t, k, None))
    return out


def _hooks(ip: Any, sys: Any) -> dict[str, list[Any]]:
    hooks: dict[str, list[Any]] = {}
    for event, cbs in getattr(ip.events, "callbacks", {}).items():
        hooks[f"a {event} hook"] = list(cbs)
    hooks["an input transformer"] = list(ip.input_transformers_cleanup) + list(
        ip.input_transformers_post
    )
    hooks["an AST transformer"] = list(ip.ast_transformers)
    hooks["a sys.meta_path finder"] = list(sys.meta_path)
    hooks["a sys.path_hooks entry"] = list(sys.path_hooks)
    hooks["a display formatter"] = [ip.display_formatter.formatters.get("text/plain")]
    hooks["showtraceback"] = [vars(ip).get("showtraceback")]
    return hooks


def _snapshot(state: dict[str, Any]) -> None:
    import sys

    from IPython import get_ipython

    ip = get_ipython()
    # import what the checks use now, before any learner code runs
    import numpy  # noqa: F401

    import tensorlessons  # noqa: F401
    import tensorlessons.exercises  # noqa: F401

    state["watched"] = _watched(sys)
    user_ns = ip.user_ns
    state["names"] = {n: id(user_ns.get(n)) for n in _CRITICAL}
    state["hooks"] = {k: [id(x) for x in v] for k, v in _hooks(ip, sys).items()}


def _tampering(state: dict[str, Any], user_ns: dict[str, Any]) -> list[str]:
    import builtins
    import sys

    from IPython import get_ipython

    found: list[str] = []
    ip = get_ipython()
    for name in _CRITICAL:
        if id(user_ns.get(name)) != state["names"].get(name) and (
            user_ns.get(name) is not builtins.__dict__.get(name)
        ):
            found.append(f"the builtin {name!r} is shadowed")
    b = user_ns.get("__builtins__")
    if b is not builtins and b is not builtins.__dict__:
        found.append("'__builtins__' was replaced")
    if "get_ipython" not in user_ns:
        found.append("'get_ipython' was deleted")
    now = _watched(sys)
    for k, v in state["watched"].items():
        if now.get(k) != v:
            found.append(f"{k} was replaced or patched")
    for k, objs in _hooks(ip, sys).items():
        before = set(state["hooks"].get(k, []))
        for obj in objs:
            if obj is None:
                continue
            if id(obj) not in before and (k == "showtraceback" or _learner_made(obj)):
                found.append(f"{k} was installed by the notebook")
        if k in ("a display formatter", "showtraceback") and [id(o) for o in objs] != list(before):
            if not any(k in f for f in found):
                found.append(f"{k} was replaced")
    return found


# ---- encoding answers as data -----------------------------------------------------------


class _Budget:
    def __init__(self) -> None:
        self.bytes = 0
        self.items = 0

    def spend(self, nbytes: int = 0) -> None:
        self.bytes += nbytes
        self.items += 1
        if self.bytes > _MAX_BYTES or self.items > _MAX_ITEMS:
            raise ValueError("too large")


def _function_source(f: Any) -> str | None:
    import ast
    import inspect
    import textwrap

    try:
        src = textwrap.dedent(inspect.getsource(f))
    except (OSError, TypeError):
        return None
    try:
        tree = ast.parse(src)
    except SyntaxError:
        return None
    if len(tree.body) != 1:
        return None
    node = tree.body[0]
    if isinstance(node, ast.FunctionDef) and node.name == f.__name__ and not node.decorator_list:
        return src
    return None


def _ref(obj: Any) -> dict[str, str] | None:
    """A module-level object named by module and qualified name, if importable as such."""
    import sys

    mod = getattr(obj, "__module__", None)
    qual = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
    if not mod or not qual or mod == "__main__" or "<" in qual:
        return None
    m = sys.modules.get(mod)
    if m is None or not getattr(m, "__file__", None) and mod not in sys.builtin_module_names:
        if m is None:
            return None
    target: Any = m
    for part in qual.split("."):
        target = getattr(target, part, None)
    if target is not obj:
        return None
    return {"__ref__": mod, "name": qual}


def _encode(v: Any, budget: _Budget | None = None, depth: int = 0, ns: Any = None) -> Any:
    import base64
    import math
    import types

    budget = budget or _Budget()
    budget.spend()
    if depth > 8:
        raise ValueError("nested too deep")
    if v is None or isinstance(v, bool):
        return v
    if type(v) is int:
        if abs(v) > 10**300:
            raise ValueError("integer too large")
        return v
    if type(v) is float:
        if math.isfinite(v):
            return v
        return {"__float__": repr(v)}
    if type(v) is complex:
        return {"__complex__": [v.real, v.imag]}
    if type(v) is str:
        budget.spend(len(v))
        return v
    if type(v) in (list, tuple, set, frozenset):
        items = sorted(v, key=repr) if type(v) in (set, frozenset) else v
        enc = [_encode(x, budget, depth + 1, ns) for x in items]
        return enc if type(v) is list else {f"__{type(v).__name__}__": enc}
    if type(v) is dict:
        return {"__dict__": [[_encode(k, budget, depth + 1, ns), _encode(x, budget, depth + 1, ns)]
                             for k, x in v.items()]}  # fmt: skip
    import numpy as np

    if type(v) is np.ndarray:
        if v.dtype.kind not in "biufc" or v.dtype.hasobject:
            raise ValueError(f"an array of {v.dtype}")
        budget.spend(v.nbytes)
        data = np.ascontiguousarray(v)
        return {
            "__ndarray__": data.dtype.str,
            "shape": list(v.shape),
            "b64": base64.b64encode(data.tobytes()).decode(),
        }
    if isinstance(v, np.generic) and type(v).__module__ == "numpy":
        if v.dtype.kind not in "biufc":
            raise ValueError(f"a numpy {v.dtype}")
        return {"__npscalar__": v.dtype.str, "b64": base64.b64encode(v.tobytes()).decode()}
    try:
        from tensorlessons.diagram import Diagram
    except ImportError:  # pragma: no cover
        Diagram = None  # noqa: N806
    if Diagram is not None and type(v) is Diagram:
        text = v.to_json()
        budget.spend(len(text))
        return {"__diagram__": text}
    if isinstance(v, types.ModuleType):
        return {"__module__": v.__name__}
    ref = _ref(v)
    if ref is not None:
        return ref
    if type(v) is types.FunctionType and _learner_made(v):
        if v.__closure__:
            raise ValueError(f"the function {v.__name__!r} uses a closure")
        src = _function_source(v)
        if src is None:
            raise ValueError(f"the source of the function {v.__name__!r} cannot be read")
        defaults = [_encode(d, budget, depth + 1, ns) for d in (v.__defaults__ or ())]
        uses: dict[str, Any] = {}
        g = v.__globals__
        for name in v.__code__.co_names:
            if name in g and name not in uses and (ns is None or name not in ns):
                try:
                    uses[name] = _encode(g[name], budget, depth + 1, ns)
                except ValueError as exc:
                    uses[name] = {"__unreadable__": str(exc)}
        budget.spend(len(src))
        return {"__function__": src, "name": v.__name__, "defaults": defaults, "uses": uses}
    raise ValueError(f"a {type(v).__module__}.{type(v).__qualname__}")


def _decode(v: Any, g: dict[str, Any]) -> Any:
    import ast
    import base64
    import importlib

    if isinstance(v, list):
        return [_decode(x, g) for x in v]
    if not isinstance(v, dict):
        return v
    if "__float__" in v:
        return float(v["__float__"])
    if "__complex__" in v:
        return complex(*v["__complex__"])
    for tag, kind in (("__tuple__", tuple), ("__set__", set), ("__frozenset__", frozenset)):
        if tag in v:
            return kind(_decode(x, g) for x in v[tag])
    if "__dict__" in v:
        return {_decode(k, g): _decode(x, g) for k, x in v["__dict__"]}
    import numpy as np

    if "__ndarray__" in v:
        dt = np.dtype(v["__ndarray__"])
        if dt.kind not in "biufc":
            raise ValueError("bad dtype")
        raw = base64.b64decode(v["b64"])
        return np.frombuffer(raw, dtype=dt).reshape(v["shape"]).copy()
    if "__npscalar__" in v:
        dt = np.dtype(v["__npscalar__"])
        if dt.kind not in "biufc":
            raise ValueError("bad dtype")
        return np.frombuffer(base64.b64decode(v["b64"]), dtype=dt)[0]
    if "__diagram__" in v:
        from tensorlessons.diagram import Diagram

        return Diagram.from_json(v["__diagram__"])
    if "__module__" in v:
        return importlib.import_module(v["__module__"])
    if "__ref__" in v:
        target: Any = importlib.import_module(v["__ref__"])
        for part in v["name"].split("."):
            target = getattr(target, part)
        return target
    if "__function__" in v:
        src = v["__function__"]
        tree = ast.parse(src)
        node = tree.body[0]
        if (
            len(tree.body) != 1
            or not isinstance(node, ast.FunctionDef)
            or node.decorator_list
            or node.name != v["name"]
        ):
            raise ValueError("not a plain function definition")
        # defaults are replaced below: the definition itself evaluates nothing else
        node.args.defaults = [ast.Constant(None) for _ in node.args.defaults]
        node.args.kw_defaults = [None if d is None else ast.Constant(None)
                                 for d in node.args.kw_defaults]  # fmt: skip
        node.returns = None
        for a in node.args.args + node.args.posonlyargs + node.args.kwonlyargs:
            a.annotation = None
        for name, enc in v.get("uses", {}).items():
            if name not in g and not (isinstance(enc, dict) and "__unreadable__" in enc):
                g[name] = _decode(enc, g)
        space: dict[str, Any] = {}
        exec(compile(tree, f"<answer {node.name}>", "exec"), g, space)
        f = space[node.name]
        f.__defaults__ = tuple(_decode(d, g) for d in v.get("defaults", [])) or None
        return f
    raise ValueError(f"unknown value {list(v)[:1]}")


def _capture(names: list[str], user_ns: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    budget = _Budget()
    for name in names:
        if name not in user_ns:
            continue
        try:
            out[name] = _encode(user_ns[name], budget, 0, None)
        except Exception as exc:  # noqa: BLE001 - anything the learner made
            out[name] = {"__unreadable__": str(exc)[:200]}
    return out


def __tl_grader(action: str, arg: dict[str, Any]) -> None:
    import json
    import sys

    from IPython import get_ipython

    user_ns = get_ipython().user_ns
    state = sys.__dict__.setdefault("_tl_grader_state", {})
    if action == "snapshot":
        _snapshot(state)
        return
    if action == "report":
        result = {
            "tampering": _tampering(state, user_ns),
            "values": _capture(arg["names"], user_ns),
        }
        with open(arg["path"], "w", encoding="utf-8") as f:
            json.dump(result, f)
        return
    if action == "inject":
        with open(arg["path"], encoding="utf-8") as f:
            values = json.load(f).get(arg["key"], {})
        for name, enc in values.items():
            if isinstance(enc, dict) and "__unreadable__" in enc:
                continue
            user_ns[name] = _decode(enc, user_ns)
        return
    raise ValueError(action)


def kernel_code() -> str:
    """The source sent to a kernel: everything in this file below the marker."""
    from pathlib import Path

    text = Path(__file__).read_text(encoding="utf-8")
    body = text.split(_MARK, 1)[1].split("def kernel_code()", 1)[0]
    return "from __future__ import annotations\nfrom typing import Any\n" + body


_MARK = "# --- kernel " + "side ---"
