"""Binder's environment, rebuilt from binder/ in a fresh virtual environment.

Binder (repo2docker) installs ``binder/requirements.txt`` into the one environment that
runs both the Jupyter server and the kernel, then runs ``binder/postBuild``. This test does
the same with nothing but the package index, so a dependency missing from binder/ (or a
widget front end missing from the server's side) fails here rather than on Binder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BINDER = ROOT / "binder"

pytestmark = pytest.mark.binder


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess[str]:
    out = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if out.returncode != 0:
        raise AssertionError(
            f"{' '.join(map(str, cmd))} failed ({out.returncode}):\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}"
        )
    return out


@pytest.fixture(scope="module")
def binder_env(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if os.environ.get("TENSORLESSONS_SKIP_BINDER"):
        pytest.skip("TENSORLESSONS_SKIP_BINDER is set")
    base = tmp_path_factory.mktemp("binder")
    # repo2docker builds from a copy of the repository; so do we (postBuild runs at its root)
    repo = base / "repo"
    shutil.copytree(
        ROOT,
        repo,
        ignore=shutil.ignore_patterns(
            ".venv",
            ".git",
            "*.egg-info",
            "build",
            "__pycache__",
            "tensorlessons_answers",
            ".*cache",
        ),
    )
    venv = base / "env"
    run([sys.executable, "-m", "venv", str(venv)])
    py = venv / "bin" / "python"
    run([str(py), "-m", "pip", "install", "-q", "-r", "binder/requirements.txt"], cwd=repo)
    env = dict(os.environ, PATH=f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}")
    env.pop("PYTHONPATH", None)
    run(["bash", "binder/postBuild"], cwd=repo, env=env)
    return venv


def test_binder_requirements_are_pinned() -> None:
    lines = [
        ln.strip()
        for ln in (BINDER / "requirements.txt").read_text().splitlines()
        if ln.strip() and not ln.startswith("#")
    ]
    assert lines and all("==" in ln for ln in lines), lines
    names = {ln.split("==")[0].lower().replace("_", "-") for ln in lines}
    # every runtime dependency of the package is pinned for Binder
    import tomllib

    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    for dep in deps:
        name = dep.split(">")[0].split("=")[0].split("<")[0].strip().lower().replace("_", "-")
        assert name in names, (
            f"{name} is a runtime dependency but not pinned in binder/requirements.txt"
        )


def test_readme_launch_link_opens_chapter_00() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "mybinder.org/v2/gh/" in readme
    assert "urlpath=lab/tree/chapters/00_start.ipynb" in readme


def test_widget_front_ends_are_on_the_server_side(binder_env: Path) -> None:
    out = run([str(binder_env / "bin" / "jupyter"), "labextension", "list"])
    text = out.stdout + out.stderr
    for ext in ("anywidget", "@jupyter-widgets/jupyterlab-manager"):
        line = next((ln for ln in text.splitlines() if ext in ln), "")
        assert "enabled" in line and "OK" in line, f"{ext} missing from the server: {text}"
    out = run([str(binder_env / "bin" / "jupyter"), "server", "extension", "list"])
    text = out.stdout + out.stderr
    line = next((ln for ln in text.splitlines() if "tensorlessons._server" in ln), "")
    assert "enabled" in line, f"tensorlessons._server is not enabled on the server: {text}"


def test_binder_turns_the_news_pop_up_off_and_saves_widget_state(binder_env: Path) -> None:
    """postBuild gives the server the course's Jupyter configuration (as course.sh does)."""
    out = run(
        [
            str(binder_env / "bin" / "python"),
            "-c",
            "from jupyter_server.services.config import ConfigManager as C;"
            "import json; print(json.dumps(C(config_dir_name='labconfig')"
            ".get('default_setting_overrides')))",
        ]
    )
    overrides = json.loads(out.stdout)
    assert overrides["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    assert overrides["@jupyter-widgets/jupyterlab-manager:plugin"]["saveState"] is True


def test_chapter_00_executes_in_the_binder_environment(binder_env: Path, tmp_path: Path) -> None:
    """The learner copy (what the launch link opens) runs to the end in Binder's
    environment: the only errors are the unanswered exercises' (tagged raises-exception)."""
    py = binder_env / "bin" / "python"
    nb = ROOT / "chapters" / "00_start.ipynb"
    work = tmp_path / "chapters"
    work.mkdir()
    shutil.copy(nb, work / nb.name)
    code = (
        "import sys, nbformat\n"
        "from nbclient import NotebookClient\n"
        "nb = nbformat.read(sys.argv[1], as_version=4)\n"
        "nb.cells.append(nbformat.v4.new_code_cell('import sys, tensorlessons; print(sys.prefix)'))\n"
        "NotebookClient(nb, timeout=300, kernel_name='python3',"
        " resources={'metadata': {'path': sys.argv[2]}}).execute()\n"
        "errors = [o for c in nb.cells if c.cell_type == 'code'"
        " and 'raises-exception' not in c.metadata.get('tags', [])"
        " for o in c.get('outputs', []) if o.get('output_type') == 'error']\n"
        "print(len(errors))\n"
        "print(nb.cells[-1].outputs[0]['text'].strip())\n"
    )
    env = dict(os.environ, PATH=f"{binder_env / 'bin'}{os.pathsep}{os.environ['PATH']}")
    env.pop("PYTHONPATH", None)
    out = run([str(py), "-c", code, str(work / nb.name), str(work)], env=env, cwd=work)
    n_errors, kernel_prefix = out.stdout.strip().splitlines()[-2:]
    assert n_errors == "0", out.stdout
    # the kernel really ran in the Binder environment, with tensorlessons installed there
    assert Path(kernel_prefix).resolve() == binder_env.resolve()
    where = run(
        [str(py), "-c", "import json, tensorlessons; print(json.dumps(tensorlessons.__file__))"],
        cwd=tmp_path,
    )
    assert str(binder_env) in json.loads(where.stdout)
