#!/usr/bin/env bash
# The test command (README, .ci/run): set up .venv, check that notebooks and tg4_ml/ are in sync,
# run every notebook's tests, print "N passed, N failed" and exit non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
log=$(mktemp)
trap 'rm -f "$log"' EXIT

if ! bash tools/setup.sh; then
  echo "setup failed"; echo "0 passed, 1 failed"; exit 1
fi
source .venv/bin/activate
passed=0; failed=0
DOCS_PAGES=${DOCS_PAGES:-"00_core 32_models.tft 44_eval.browser"}    # the docs step's pages (tools/docs.py --only/--check)

# 1. notebooks and package in sync: nbdev_clean + nbdev_export must change nothing; README.md current
state() {
  git status --porcelain --untracked-files=all
  git diff | sha1sum
  git ls-files --others --exclude-standard -z | xargs -0 -r sha1sum
}
before=$(state)
if nbdev_clean >"$log" 2>&1 && nbdev_export >>"$log" 2>&1 && python tools/readme.py --check >>"$log" 2>&1 && [ "$before" = "$(state)" ]; then
  echo "sync: notebooks, tg4_ml/ and README.md are in sync"; passed=$((passed + 1))
else
  cat "$log"
  echo "sync FAILED: nbdev_clean + nbdev_export changed these files (run them and commit notebooks and modules together):"
  git status --short
  failed=$((failed + 1))
fi

# 2. the exported package has no undefined names, unused imports or redefinitions (ruff's pyflakes rules):
#    an import that only lives in a hidden notebook cell passes the notebook's tests but breaks the package
if ruff check --select F --exclude tg4_ml/_modidx.py --output-format concise tg4_ml; then
  echo "lint: tg4_ml passes ruff's F rules"; passed=$((passed + 1))
else
  echo "lint FAILED (fix the notebook's #| export cell, then nbdev_export)"; failed=$((failed + 1))
fi

# 3. the import-layer contract (tools/layers.py: no module imports a higher layer, no import cycles) and the serving
#    footprint (tools/footprint.py: the core requirements and the strategy process stay free of the research packages)
for check in layers footprint; do
  if python "tools/$check.py"; then
    echo "$check: passed"; passed=$((passed + 1))
  else
    echo "$check FAILED (see tools/$check.py)"; failed=$((failed + 1))
  fi
done

# 4. a real PostgreSQL for the cells flagged `postgres`: a throwaway server, stopped by its PID on exit,
#    unless TG4_TEST_PG_URL already points at one
flags="slow postgres"
if [ -z "${TG4_TEST_PG_URL:-}" ]; then
  source tools/pg.sh
  trap 'pg_stop; rm -f "$log"' EXIT
  if ! pg_start; then
    echo "could not start PostgreSQL"; echo "$passed passed, $((failed + 1)) failed"; exit 1
  fi
else
  echo "using the PostgreSQL server in TG4_TEST_PG_URL"
fi

# 4b. a headless Chromium for the cells flagged `browser` and the docs check (tg4_ml.eval.browser): Debian's chromium,
#     installed when none is found and we are root with apt-get (as tools/pg.sh does for PostgreSQL), else skipped with the reason
find_chromium() { python -c 'from tg4_ml.eval.browser import chromium; print(chromium() or "")' 2>/dev/null; }
chromium_path=$(find_chromium)
if [ -z "$chromium_path" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's chromium (headless browser for the browser checks)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
  chromium_path=$(find_chromium)
fi
if [ -n "$chromium_path" ]; then
  flags="$flags browser"; echo "browser: $chromium_path ($("$chromium_path" --version 2>/dev/null | head -1))"
else
  echo "note: $(python -c 'from tg4_ml.eval.browser import why_no_chromium; print(why_no_chromium())'): cells flagged browser and the docs check are skipped"
fi

# 5. every notebook; flagged cells run where they can
if [ -n "$(python -c 'from tg4_ml.core import real_data_dir; print(real_data_dir() or "")')" ]; then
  flags="$flags realdata"
else
  echo "note: ../shared/data/real not found: cells flagged realdata are skipped"
fi
if python -c 'import torch, sys; sys.exit(not torch.cuda.is_available())' 2>/dev/null; then flags="$flags cuda"; fi
echo "nbdev_test --flags \"$flags\""
start=$(date +%s)
nbdev_test --do_print --flags "$flags" 2>&1 | tee "$log"
total=$(grep -o 'Starting [^ ]*\.ipynb' "$log" | wc -l)   # workers' lines can interleave: count matches, not lines
nfail=$(sed -n '/Failed On The Following Notebooks/,$p' "$log" | grep -c $'^\t' || true)
echo "notebooks: $total run, $nfail failed, $(( $(date +%s) - start )) s"
passed=$((passed + total - nfail)); failed=$((failed + nfail))
if [ "$total" = 0 ]; then echo "no notebook was tested"; failed=$((failed + 1)); fi

# 6. the papermill training notebooks (experiments/, outside the export path) with their smoke-sized defaults,
#    each writing only under a throwaway runs folder
exp_out=$(mktemp -d)
for nb in experiments/*.ipynb; do
  [ -e "$nb" ] || continue
  name=$(basename "$nb" .ipynb)
  t0=$(date +%s)
  if papermill --no-progress-bar "$nb" "$exp_out/$name.ipynb" -p runs_dir "$exp_out/$name" >"$exp_out/$name.log" 2>&1; then
    echo "papermill $nb: passed ($(( $(date +%s) - t0 )) s)"; passed=$((passed + 1))
  else
    tail -40 "$exp_out/$name.log"; echo "papermill $nb FAILED"; failed=$((failed + 1))
  fi
done
rm -rf "$exp_out"

# 7. the notebooks as a site (tools/docs.py): every notebook rendered as committed (--no-execute: fast) into a throwaway folder, then
#    three of them executed and rendered over it, and (with Chromium) the index and those three pages (one with plotly figures)
#    opened in the browser: figures drawn, no script errors or failed loads, the index links every page and nothing missing.
#    The full site, every notebook executed: python tools/docs.py (into _docs/).
docs_out=$(mktemp -d)
t0=$(date +%s)
docs_check=(); [ -n "$chromium_path" ] && docs_check=(--flags browser --check $DOCS_PAGES)
if python tools/docs.py --out "$docs_out" --no-execute >"$log" 2>&1 && tail -2 "$log" \
   && python tools/docs.py --out "$docs_out" --only $DOCS_PAGES "${docs_check[@]}"; then
  echo "docs: site built$([ -n "$chromium_path" ] && echo ' and checked in the browser') ($(( $(date +%s) - t0 )) s)"; passed=$((passed + 1))
else
  tail -20 "$log"; echo "docs FAILED (python tools/docs.py --only $DOCS_PAGES ${docs_check[*]})"; failed=$((failed + 1))
fi
[ -n "$chromium_path" ] || echo "docs: pages not opened in a browser (no Chromium)"
rm -rf "$docs_out"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
