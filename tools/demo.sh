#!/usr/bin/env bash
# The main job on the embedded default: set up .venv, then `tg4-ml pipeline`: generate the sample market into the
# Parquet store data/store, and for each symbol features -> labels -> purged split -> train -> evaluate against
# baselines -> backtest after fees -> MLflow (runs/mlflow.db) -> registry (models/) -> HTML report (runs/reports/).
# Extra arguments go to `tg4-ml pipeline` (e.g. --days 60 --symbols BTC/USDT).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
source .venv/bin/activate
tg4-ml pipeline "$@"
