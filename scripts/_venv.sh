# Sourced by scripts/run, scripts/test and scripts/bench: create or refresh ./.venv with
# Précis installed, from requirements-dev.lock (every version pinned and hashed; pip
# resolves nothing), so a user's venv, CI and the image run the same versions.
# Each step prints a line when it starts and its time when it ends.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY=${PYTHON:-python3}
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "Précis needs Python 3.11 or newer; $PY is $("$PY" --version 2>&1)." >&2
  exit 1
fi

_precis_t0=$SECONDS
_step() { _precis_step_t0=$SECONDS; echo "setup: $* ..." >&2; }
_done() { echo "setup:   done in $((SECONDS - _precis_step_t0)) s" >&2; }

# Compiling the engine needs a C compiler and Python's headers. Without them, say so in one
# line and install the same code as pure Python (PRECIS_COMPILE=0) instead of failing later.
compile=${PRECIS_COMPILE:-1}
case $(echo "$compile" | tr '[:upper:]' '[:lower:]') in 0|false|no) compile=0;; *) compile=1;; esac
if [ "$compile" = 1 ]; then
  if ! missing=$("$PY" "$(dirname "${BASH_SOURCE[0]}")/build_tools.py"); then
    echo "setup: $missing" >&2
    compile=0
  fi
fi
export PRECIS_COMPILE=$compile  # the tests then know which build to expect

if [ ! -x .venv/bin/python ]; then
  _step "creating the virtual environment in .venv"
  "$PY" -m venv .venv
  _done
fi
# Refresh when the lock, the project or the build mode changed (or the venv is new), or when
# a module that setup.py compiles changed since the last build: its outdated compiled copy
# would otherwise run instead of it.
stamp=.venv/.precis-requirements
compiled=$(sed -n 's/^ *"\(bot\.[a-z_.]*\)",$/\1/p' bot/compiled.py | tr . / | sed 's/$/.py/')
wanted=$( (cat pyproject.toml requirements-dev.lock setup.py bot/compiled.py 2>/dev/null
           echo "PRECIS_COMPILE=$compile") | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ] || [ ! -x .venv/bin/precis ] \
   || [ -n "$(find $compiled -newer "$stamp" 2>/dev/null)" ]; then
  log=.venv/pip-install.log
  : > "$log"
  _pip() {
    if ! PIP_DISABLE_PIP_VERSION_CHECK=1 .venv/bin/python -m pip "$@" >>"$log" 2>&1; then
      tail -n 30 "$log" >&2
      echo "setup: installing failed (full log: $log)." >&2
      exit 1
    fi
  }
  if [ "$(cat .venv/.precis-deps 2>/dev/null)" != "$(sha256sum < requirements-dev.lock)" ]; then
    _step "installing the locked dependencies (requirements-dev.lock; about 1 min the first time)"
    # --no-deps: the lock is complete, so pip installs exactly it and resolves nothing.
    _pip install --require-hashes --no-deps -r requirements-dev.lock
    _pip check
    sha256sum < requirements-dev.lock > .venv/.precis-deps
    _done
  fi
  if [ "$compile" = 1 ]; then
    _step "building Précis, compiling the engine with mypyc (about 30-60 s on 2 cores; PRECIS_COMPILE=0 skips it)"
  else
    _step "building Précis (pure Python engine, PRECIS_COMPILE=0)"
  fi
  PRECIS_COMPILE=$compile _pip install --no-deps --no-build-isolation -e .
  echo "$wanted" > "$stamp"
  _done
  echo "setup: ready in $((SECONDS - _precis_t0)) s" >&2
fi
