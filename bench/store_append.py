"""Append cost of the Parquet store under the live recorder's write pattern: N small flushes, each ~T trades and one closed
1-minute candle of one symbol, every row after everything stored, into a fresh store in a temporary folder.

Printed per layout: time per flush (one write_trades + one write_candles) over the first and the last 10% of the flushes
(mean, median, max), resident memory (RSS) at the first flush past 10 s and at the end, and a check that the store holds
exactly what was written. Layouts:

* `parts`   the part-file layout (appends go to small part files, compacted into the month file every `--max-parts`);
* `rewrite` the same code with `max_parts=0`: every write reads, merges and rewrites the month file (the layout before parts);
* `default` `ParquetStore(root)` with no options, i.e. whatever tg4_ml is on PYTHONPATH: run it with PYTHONPATH pointing at a
  checkout from before part files to measure that code itself.

Each layout runs in its own fresh interpreter, so memory figures do not mix.

    python bench/store_append.py [--batches 2000] [--trades 50] [--max-parts 64] [--layouts parts,rewrite]
"""
import argparse, json, os, shutil, subprocess, sys, tempfile, time

import numpy as np


def rss_mb() -> float:
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmRSS:'): return int(line.split()[1])/1024
    return float('nan')


def batch(i: int, trades: int, rng, price: float, start_us: int):
    "Minute i: `trades` trades (a few identical twins among them) and the minute's closed candle."
    import pandas as pd
    t0 = start_us + i*60_000_000
    us = np.sort(rng.integers(t0, t0 + 60_000_000, trades))
    prices = price*np.exp(np.cumsum(rng.normal(0, 2e-4, trades)))
    vols = np.round(rng.exponential(0.05, trades), 8) + 1e-8
    twins = rng.random(trades) < 0.05                                 # identical fills in the same microsecond
    us[1:][twins[1:]] = us[:-1][twins[1:]]; prices[1:][twins[1:]] = prices[:-1][twins[1:]]; vols[1:][twins[1:]] = vols[:-1][twins[1:]]
    tr = pd.DataFrame({'timestamp': pd.to_datetime(us, unit='us', utc=True), 'price': prices, 'volume': vols,
                       'side': np.where(rng.random(trades) < 0.5, 'buy', 'sell')})
    candle = pd.DataFrame({'open': prices[0], 'high': prices.max(), 'low': prices.min(), 'close': prices[-1], 'volume': vols.sum()},
                          index=pd.DatetimeIndex([pd.Timestamp(t0, unit='us', tz='UTC')], name='timestamp'))
    return tr, candle, float(prices[-1])


def run_one(a):
    "One layout in this process; prints one JSON line."
    from tg4_ml.data.store import ParquetStore
    root = os.path.join(tempfile.mkdtemp(prefix='tg4_store_append_'), 'store')
    if a.layout == 'default': store = ParquetStore(root)
    else: store = ParquetStore(root, max_parts=a.max_parts if a.layout == 'parts' else 0)
    rng, price, start_us = np.random.default_rng(a.seed), 60_000.0, 1_793_491_200_000_000     # 2026-11-01 00:00 UTC
    times, rss_at_10, rss_quarters, quarters = [], None, [], {round(a.batches*q/4) for q in (1, 2, 3, 4)}
    rss_start, t_start, written = rss_mb(), time.monotonic(), [0, 0]
    for i in range(a.batches):
        trades, candle, price = batch(i, a.trades, rng, price, start_us)
        t = time.perf_counter()
        written[0] += store.write_trades('BTC/USDT', trades).written
        written[1] += store.write_candles('BTC/USDT', candle).written
        times.append(time.perf_counter() - t)
        if rss_at_10 is None and time.monotonic() - t_start >= 10: rss_at_10 = (rss_mb(), i + 1)
        if i + 1 in quarters: rss_quarters.append(rss_mb())
    wall, rss_end = time.monotonic() - t_start, rss_mb()
    held = (len(store.read_trades('BTC/USDT')), len(store.read_candles('BTC/USDT')))
    files = sorted(os.listdir(os.path.join(root, 'trades', 'BTC-USDT')))
    shutil.rmtree(os.path.dirname(root))
    print(json.dumps(dict(layout=a.layout, times=times, wall=wall, rss_start=rss_start, rss_at_10=rss_at_10, rss_end=rss_end, rss_quarters=rss_quarters,
                          written=written, held=held, files=len(files), parts=sum('.part-' in f for f in files))))


def report(r: dict, a):
    t = np.array(r['times'])*1000
    k = max(1, len(t)//10)
    first, last = t[:k], t[-k:]
    print(f"\n{r['layout']}: {len(t):,} flushes of {a.trades} trades + 1 candle in {r['wall']:.1f} s")
    print(f"  ms per flush   first 10%: mean {first.mean():6.2f}, median {np.median(first):6.2f}, max {first.max():7.2f}")
    print(f"                 last 10%:  mean {last.mean():6.2f}, median {np.median(last):6.2f}, max {last.max():7.2f}")
    at10 = r['rss_at_10']
    at10_text = f"{at10[0]:.1f} MB at 10 s (flush {at10[1]:,})" if at10 else "(run shorter than 10 s)"
    growth = f", growth after 10 s {r['rss_end'] - at10[0]:+.1f} MB" if at10 else ''
    print(f"  RSS            before the first flush {r['rss_start']:.1f} MB, {at10_text}, end {r['rss_end']:.1f} MB{growth}")
    print(f"                 after 25/50/75/100% of the flushes: {' / '.join(f'{x:.1f}' for x in r['rss_quarters'])} MB")
    ok = list(r['held']) == list(r['written']) == [a.batches*a.trades, a.batches]
    print(f"  store holds {r['held'][0]:,} trades + {r['held'][1]:,} candles (written {r['written'][0]:,} + {r['written'][1]:,}: "
          f"{'all, once' if ok else 'MISMATCH'}); trades folder: {r['files']} files ({r['parts']} parts)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--batches', type=int, default=2000); ap.add_argument('--trades', type=int, default=50)
    ap.add_argument('--max-parts', type=int, default=64); ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--layouts', default='parts,rewrite', help="comma-separated: parts, rewrite, default")
    ap.add_argument('--layout', help=argparse.SUPPRESS)                # one layout, in this process (the child)
    a = ap.parse_args()
    if a.layout: return run_one(a)
    print(f"{a.batches:,} flushes of {a.trades} trades + 1 closed 1-minute candle (BTC/USDT, one month), fresh store per layout; "
          f"tg4_ml from {os.environ.get('PYTHONPATH') or 'the installed package'}")
    for layout in a.layouts.split(','):
        cmd = [sys.executable, __file__, '--layout', layout, '--batches', str(a.batches), '--trades', str(a.trades),
               '--max-parts', str(a.max_parts), '--seed', str(a.seed)]
        out = subprocess.run(cmd, capture_output=True, text=True)
        if out.returncode: print(f"\n{layout}: failed\n{out.stderr[-2000:]}"); continue
        report(json.loads(out.stdout.strip().splitlines()[-1]), a)


if __name__ == '__main__':
    main()
