#!/usr/bin/env bash
# The main job on the embedded default: set up .venv, generate a sample market into the
# Parquet store data/store and print a summary of it. Extra arguments go to `tg4-ml sample`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
source .venv/bin/activate
tg4-ml sample --store data/store "$@"
