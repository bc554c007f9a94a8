#!/usr/bin/env bash
# Create .venv (Python >= 3.11) and install tg4_ml editable with its `dev` extra: the notebook tooling and every other extra
# (data, db, train, deep, rl), i.e. all of research. The paper tester's process needs only `pip install tg4_ml` (the core).
# Re-installs only when settings.ini or setup.py changed since the last successful install.
set -euo pipefail
cd "$(dirname "$0")/.."

pick_python() {
  for c in ${PYTHON:-} python3.11 python3.12 python3.13 python3; do
    if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$c"; return 0
    fi
  done
  echo "tools/setup.sh: need Python >= 3.11 (set PYTHON=/path/to/python3.11)" >&2; return 1
}

if [ ! -x .venv/bin/python ]; then
  py=$(pick_python)
  if ! "$py" -m venv .venv 2>/dev/null; then
    # Debian ships venv/ensurepip separately
    rm -rf .venv
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
      ver=$("$py" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
      apt-get update -qq && (apt-get install -y -qq "python${ver}-venv" || apt-get install -y -qq python3-venv)
      "$py" -m venv .venv
    else
      echo "tools/setup.sh: '$py -m venv' failed; install your distribution's python3-venv package" >&2; exit 1
    fi
  fi
fi

stamp=$(cat settings.ini setup.py | sha1sum | cut -c1-40)
if [ "$(cat .venv/.tg4_ml_stamp 2>/dev/null)" != "$stamp" ]; then
  echo "tools/setup.sh: installing tg4_ml and its requirements into .venv (first run takes a few minutes)"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
  echo "$stamp" > .venv/.tg4_ml_stamp
fi
