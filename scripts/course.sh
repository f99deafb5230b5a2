#!/usr/bin/env bash
# Set up the course on a fresh machine and open it: JupyterLab at chapter 00 of YOUR copy
# of the course, the folder my-course/ (made on the first run from the learner copy in
# chapters/; `git pull` never touches it, and a later run brings in new versions of the
# notebooks you have not changed — see `tensorlessons course --help`).
# Usage: bash scripts/course.sh [-- extra JupyterLab arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[course]"
# The server runs with the course's Jupyter configuration (tensorlessons/jupyter_config:
# TCP_NODELAY on kernel websockets, JupyterLab's news pop-up off, widget state saved).
exec .venv/bin/tensorlessons course my-course "$@"
