#!/usr/bin/env bash
# Run bench/postgres_store.py against a throwaway PostgreSQL 15 with the server's default durability
# (fsync, synchronous_commit and full_page_writes on: the figures are what a real server gives).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
source .venv/bin/activate
source tools/pg.sh
TG4_PG_OPTIONS="-c fsync=on -c synchronous_commit=on -c full_page_writes=on" pg_start
trap pg_stop EXIT
python bench/postgres_store.py "$TG4_TEST_PG_URL"
