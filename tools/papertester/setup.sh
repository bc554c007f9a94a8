#!/usr/bin/env bash
# Install tg4_ml (light serving core only) into the TG4 paper tester's Python environment.
#   tools/papertester/setup.sh [TESTER_VENV] [REPO]
# TESTER_VENV defaults to $TG4_TESTER_VENV or /tmp/tester_venv; REPO to this checkout.
# With TG4_PT_PLAIN=1 it runs a plain `pip install REPO` (for a packaging whose default dependencies are the light core);
# with TG4_PT_EXTRA=deep a plain `pip install "REPO[deep]"`: the core plus torch, to serve the LSTM, the TFT or the sizer.
# Otherwise it installs tg4_ml editable without dependencies, plus the serving dependencies listed below,
# never torch / mlflow / optuna / stable-baselines3 (the tester's environment must stay light).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
VENV=${1:-${TG4_TESTER_VENV:-/tmp/tester_venv}}
REPO=${2:-$(cd "$here/../.." && pwd)}
PIP=("$VENV/bin/python" -m pip --disable-pip-version-check)
[ -x "$VENV/bin/python" ] || { echo "setup.sh: no Python at $VENV/bin/python (give the tester's venv)" >&2; exit 2; }
"$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "setup.sh: tg4_ml needs Python >= 3.11" >&2; exit 2; }
SERVING_DEPS=(numpy pandas pyarrow scipy xgboost lightgbm TA-Lib numba 'fastcore>=1.12.3,<1.13' 'psycopg[binary]' tqdm PyYAML psutil)
if [ -n "${TG4_PT_EXTRA:-}" ]; then
  "${PIP[@]}" install --quiet "$REPO[$TG4_PT_EXTRA]" psutil
elif [ "${TG4_PT_PLAIN:-0}" = 1 ]; then
  "${PIP[@]}" install --quiet "$REPO" psutil
else
  "${PIP[@]}" install --quiet --no-deps -e "$REPO"
  "${PIP[@]}" install --quiet "${SERVING_DEPS[@]}"
fi
# the check (from /, so that the current folder's tg4_ml cannot shadow the installed one): the package imports, the strategy
# module imports, and no heavy training stack came along
(cd / && TG4_PT_EXTRA="${TG4_PT_EXTRA:-}" "$VENV/bin/python" - "$REPO" <<'PY'
import importlib.util, os, subprocess, sys, sysconfig, tg4_ml, tg4_ml.strategies.ml_signal as m
heavy = [n for n in ('torch', 'mlflow', 'optuna', 'stable_baselines3', 'pyarrow', 'psycopg') if importlib.util.find_spec(n)]
try: head = subprocess.run(['git', '-C', sys.argv[1], 'rev-parse', '--short', 'HEAD'], capture_output=True, text=True).stdout.strip()
except OSError: head = '?'
print(f"tg4_ml {tg4_ml.__version__} from {tg4_ml.__file__} (built from {sys.argv[1]} at {head or '?'}); strategy {m.STRATEGY_NAME} {m.STRATEGY_VERSION}")
site = sysconfig.get_paths()['purelib']
print(f"site-packages {site}: {subprocess.run(['du', '-sh', site], capture_output=True, text=True).stdout.split()[0]}")
print("training/db packages present:", heavy or "none")
allowed = {'torch'} if os.environ.get('TG4_PT_EXTRA') == 'deep' else set()     # serving the deep models needs torch, and only torch
sys.exit(1 if any(h in heavy and h not in allowed for h in ('torch', 'mlflow', 'optuna', 'stable_baselines3')) else 0)
PY
)
