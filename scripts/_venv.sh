# Sourced by scripts/run and scripts/test: create or refresh ./.venv with Précis installed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY=${PYTHON:-python3}
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "Précis needs Python 3.11 or newer; $PY is $("$PY" --version 2>&1)." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  echo "Creating the virtual environment in .venv ..." >&2
  "$PY" -m venv .venv
fi
# Refresh every time: pip is quick when everything is already satisfied.
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[dev]" >&2
