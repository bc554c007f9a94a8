#!/usr/bin/env bash
# The main job on the embedded default: set up .venv, then `tg4-ml pipeline`: generate the sample market (EDGE/USDT with a
# planted edge, WALK/USDT a random walk) into the Parquet store data/store, and for each symbol the completed minute grid
# -> features -> labels -> purged split -> train -> evaluate against baselines -> backtest after fees -> MLflow
# (runs/mlflow.db) -> registry (models/) -> HTML report (runs/reports/); the table shows the oracle's ceiling beside the model.
# Extra arguments go to `tg4-ml pipeline` (e.g. --days 60, or --store DIR to train on your own data).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
source .venv/bin/activate
tg4-ml pipeline "$@"
