"""The widgets' JavaScript type-checks: ``tsc --checkJs`` (strict) over tensorlessons/static/*.js.

TypeScript is a development dependency pinned in package-lock.json (``npm ci`` in
scripts/test.sh installs it); the JSDoc in the ES modules is the type information, the
synced traits are typed with anywidget's ``AnyModel`` (``@anywidget/types``). Nothing is
emitted: the browser loads the files as they are.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TSC = ROOT / "node_modules" / ".bin" / "tsc"


def _tsc() -> Path:
    if TSC.exists():
        return TSC
    if os.environ.get("CI") or shutil.which("node"):
        pytest.fail("TypeScript is not installed: run `npm ci` (scripts/test.sh does)")
    pytest.skip("node is not installed")


def test_static_js_type_checks() -> None:
    out = subprocess.run(
        [str(_tsc()), "-p", "tsconfig.json", "--pretty", "false"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout[-6000:] + out.stderr[-2000:]


def test_tsc_checks_every_widget_module_strictly() -> None:
    """The check covers each front-end file, in strict mode with JS checking on."""
    out = subprocess.run(
        [str(_tsc()), "-p", "tsconfig.json", "--showConfig"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    config = json.loads(out.stdout)
    options = config["compilerOptions"]
    assert options["checkJs"] and options["allowJs"] and options["strict"], options
    files = {Path(f).name for f in config["files"]}
    assert files == {p.name for p in (ROOT / "tensorlessons" / "static").glob("*.js")}, files


def test_tsc_finds_a_type_error(tmp_path: Path) -> None:
    """The check can fail: a wrong trait type in a copy of a widget module is reported."""
    src = (ROOT / "tensorlessons" / "static" / "logits.js").read_text()
    bad = src.replace('model.get("total")', 'model.get("totl")')
    assert bad != src
    (tmp_path / "logits.js").write_text(bad)
    types = ROOT / "node_modules" / "@anywidget" / "types"
    config = {
        "extends": str(ROOT / "tsconfig.json"),
        "compilerOptions": {"paths": {"@anywidget/types": [str(types)]}},
        "include": ["logits.js"],
    }
    (tmp_path / "tsconfig.json").write_text(json.dumps(config))
    out = subprocess.run(
        [str(_tsc()), "-p", str(tmp_path / "tsconfig.json"), "--pretty", "false"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode != 0 and "totl" in out.stdout, out.stdout[-3000:]


@pytest.mark.parametrize(
    ("module", "typedef", "widget"),
    [
        ("diagram.js", "DiagramTraits", "tensorlessons.widget:DiagramWidget"),
        ("attention.js", "PatternTraits", "tensorlessons.attention:AttentionPatternWidget"),
        ("logits.js", "LogitTraits", "tensorlessons.attention:LogitAttributionWidget"),
    ],
)
def test_typed_traits_are_the_widgets_synced_traits(module: str, typedef: str, widget: str) -> None:
    """The JSDoc type of each widget's model lists exactly the traits Python syncs."""
    import importlib

    import anywidget

    text = (ROOT / "tensorlessons" / "static" / module).read_text()
    end = text.find("}} " + typedef)
    start = text.rfind("@typedef {{", 0, end)
    assert 0 <= start < end, f"no @typedef {typedef} in {module}"
    body = text[start + len("@typedef {{") : end]
    typed = set(re.findall(r"(?:^|[{,\s])([a-z_]+)\??:", body.replace("*", " ")))
    mod, cls = widget.split(":")
    traits = getattr(importlib.import_module(mod), cls).class_trait_names(sync=True)
    synced = set(traits) - set(anywidget.AnyWidget.class_trait_names(sync=True))
    assert synced, widget
    # nested object types (prediction: {token?: ...}) add their own keys: compare top level
    assert synced <= typed, sorted(synced - typed)
    top = {k for k in typed if re.search(rf"(?:^|,)\s*{k}:", _top_level(body))}
    assert top == synced, (sorted(top - synced), sorted(synced - top))


def _top_level(body: str) -> str:
    """``body`` without anything nested in braces, angle brackets or parentheses."""
    out, depth = [], 0
    for ch in body.replace("*", " "):
        if ch in "{<(":
            depth += 1
        elif ch in "}>)":
            depth -= 1
        elif depth == 0:
            out.append(ch)
    return "".join(out)
