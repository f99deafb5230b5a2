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
# tensorlessons._server: TCP_NODELAY on kernel websockets (the widget's round trip halves)
exec .venv/bin/jupyter lab --notebook-dir=chapters \
  --ServerApp.jpserver_extensions="{'tensorlessons._server': True}" 00_start.ipynb
