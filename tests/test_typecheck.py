"""The widgets' JavaScript type-checks: ``tsc --checkJs`` (strict) over tensorlessons/static/*.js.

TypeScript is a development dependency pinned in package-lock.json (``npm ci`` in
scripts/test.sh installs it); the JSDoc in the ES modules is the type information, the
synced traits are typed with anywidget's ``AnyModel`` (``@anywidget/types``). Nothing is
emitted: the browser loads the files as they are.
"""

from __future__ import annotations

import json
import os
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
