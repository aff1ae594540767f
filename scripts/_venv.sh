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
# Refresh when the project's requirements or PRECIS_COMPILE changed (or the venv is new),
# or when a module that setup.py compiles changed since the last build: its outdated
# compiled copy would otherwise run instead of it.
stamp=.venv/.precis-requirements
compiled=$(sed -n 's/^ *"\(bot\.[a-z_.]*\)",$/\1/p' bot/compiled.py | tr . / | sed 's/$/.py/')
wanted=$( (cat pyproject.toml requirements.lock setup.py bot/compiled.py 2>/dev/null
           echo "PRECIS_COMPILE=${PRECIS_COMPILE:-1}") | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ] || [ ! -x .venv/bin/precis ] \
   || [ -n "$(find $compiled -newer "$stamp" 2>/dev/null)" ]; then
  build="compiling the engine with mypyc"
  [ "${PRECIS_COMPILE:-1}" != 0 ] || build="pure Python: PRECIS_COMPILE=0"
  echo "Installing Précis and its dependencies into .venv ($build) ..." >&2
  log=.venv/pip-install.log
  if ! .venv/bin/python -m pip install --disable-pip-version-check -e ".[dev]" >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    echo "Installing the dependencies failed (full log: $log)." >&2
    exit 1
  fi
  echo "$wanted" > "$stamp"
fi
