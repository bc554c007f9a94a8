#!/usr/bin/env bash
# A screenshot of an HTML page as a person sees it, from headless Chromium (tg4_ml.eval.browser):
#   tools/look.sh REPORT.html [OUT.png]     (OUT defaults to REPORT.png beside the page)
# Writes a full-page PNG 1280 px wide, prints its path, the page's size, the plotly figures found and rendered, the first lines of
# text (what a person reads first) and every script error or failed load. Exits 1 if the page logged errors or a figure did not draw.
set -euo pipefail
[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: tools/look.sh REPORT.html [OUT.png]" >&2; exit 2; }
page=$1; out=${2:-${1%.*}.png}
root=$(cd "$(dirname "$0")/.." && pwd)
if [ -n "${VIRTUAL_ENV:-}" ]; then py=python; elif [ -x "$root/.venv/bin/python" ]; then py=$root/.venv/bin/python; else py=python3; fi
PYTHONPATH="$root${PYTHONPATH:+:$PYTHONPATH}" "$py" - "$page" "$out" <<'PY'
import sys, os
from tg4_ml.eval.browser import open_page, chromium, why_no_chromium
page, out = sys.argv[1], sys.argv[2]
if chromium() is None: sys.exit(f"tools/look.sh: {why_no_chromium()}")
p = open_page(page, width=1280, screenshot=out)
print(f"screenshot: {os.path.abspath(out)} (1280 x {p.height} px, {os.path.getsize(out)/1e3:.0f} kB)")
print(f"page: {page} ({os.path.getsize(page)/1e3:.0f} kB), title {p.title!r}, opened in {p.seconds:.1f} s")
print(f"plotly figures: {p.figures}, rendered: {p.rendered}")
lines = [l.strip() for l in p.text.splitlines() if l.strip()]
print("first lines:", *[f"  {l[:120]}" for l in lines[:8]], sep='\n')
print(f"errors: {len(p.errors)}", *[f"  {e}" for e in p.errors], sep='\n')
try: p.check()
except AssertionError as e: sys.exit(f"tools/look.sh: {e}")
PY
