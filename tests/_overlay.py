"""Optional grading tools (nbgrader, otter-grader) for the tests, kept out of the main
environment: installed once into an overlay environment that shares this one's packages.

nbgrader's Jupyter server extensions would otherwise load into the JupyterLab the browser
tests use, and otter-grader pins its own versions of some Jupyter packages.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest


def overlay_tool(tool: str, requirement: str, folder: Path) -> tuple[str, dict[str, str]]:
    """The executable ``tool`` and the environment to run it in.

    Found next to this Python, or installed (``pip install REQUIREMENT``, once) into the
    virtual environment ``folder``, whose ``.pth`` file adds this environment's packages
    after its own.
    """
    here = Path(sys.executable).parent
    env = dict(os.environ)
    env.pop("JUPYTER_PLATFORM_DIRS", None)
    if shutil.which(tool, path=str(here)):
        env["PATH"] = f"{here}{os.pathsep}{env.get('PATH', '')}"
        return str(here / tool), env
    exe = folder / "bin" / tool
    if not exe.exists():
        import venv

        venv.create(folder, with_pip=True, clear=True)
        py = folder / "bin" / "python"
        purelib = subprocess.run(
            [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        main_site = sysconfig.get_paths()["purelib"]
        Path(purelib, "tensorlessons_env.pth").write_text(
            f"import site; site.addsitedir({main_site!r})\n"
        )
        run = subprocess.run(
            [
                str(py),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                requirement,
            ],
            capture_output=True,
            text=True,
        )
        if run.returncode != 0 or not exe.exists():
            shutil.rmtree(folder, ignore_errors=True)
            pytest.fail(f"could not install {requirement} into {folder}:\n{run.stderr[-2000:]}")
    env["PATH"] = f"{exe.parent}{os.pathsep}{env.get('PATH', '')}"
    return str(exe), env
