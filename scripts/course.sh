#!/usr/bin/env bash
# Set up the course on a fresh machine and open it: JupyterLab on chapters/, at chapter 00.
# Usage: bash scripts/course.sh
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[course]"
exec .venv/bin/jupyter lab --notebook-dir=chapters 00_start.ipynb
