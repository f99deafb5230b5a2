#!/usr/bin/env bash
# Set up everything on a fresh machine and run the whole test suite:
# unit tests, doctests, every chapter (nbval), the widgets' JS type-check (tsc), real-browser tests in JupyterLab and
# Notebook 7, grading under nbgrader, and the Binder environment.
# Usage: bash scripts/test.sh [extra pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test,nbgrader]"
# CPU torch and TransformerLens 3.9 (HookedTransformer): the conversion tests run against it.
.venv/bin/python -m pip install --quiet -e ".[tl-compat]"

# Chromium for the browser tests (Debian's package; Playwright cannot download browsers here)
# and bubblewrap, the sandbox `tensorlessons grade` runs each submission in.
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/bwrap ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q chromium bubblewrap
fi

# Node and the pinned TypeScript (package-lock.json) for `tsc --checkJs` of the widgets' JS.
if ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q nodejs npm
fi
npm ci --no-audit --no-fund --loglevel=error

.venv/bin/ruff check .
.venv/bin/ruff format --check .
exec .venv/bin/python -m pytest "$@"
