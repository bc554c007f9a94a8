"""Speed of the data layer on this machine: prints figures, asserts nothing about time.

    .venv/bin/python bench/data_layer.py [--days 365]

Measures: the synthetic generator (one year of 1-minute data for XRP/USDT, BTC/USDT, XRP/BTC with trades;
issue target < 20 s), Kraken CSV import (OHLCVT and trades), Parquet store writes and reads, and causal resampling.
"""
import argparse, os, platform, shutil, tempfile, time
from pathlib import Path


from tg4_ml.data.bars import resample_candles
from tg4_ml.data.kraken import import_kraken_ohlcvt, import_kraken_trades, to_kraken_ohlcvt, to_kraken_trades
from tg4_ml.data.store import open_store
from tg4_ml.data.synthetic import generate_market


def timed(label, fn, rows=None, unit='rows'):
    t0 = time.perf_counter()
    out = fn()
    dt = time.perf_counter() - t0
    rate = f"  ({rows/dt:,.0f} {unit}/s)" if rows else ''
    print(f"{label:<58} {dt:8.2f} s{rate}")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--days', type=float, default=365)
    args = ap.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    tmp = Path(tempfile.mkdtemp())
    try:
        m = timed(f"generate {args.days:g} days x 3 symbols (candles + trades)", lambda: generate_market(days=args.days, seed=1))
        n_c = sum(len(c) for c in m.candles.values()); n_t = sum(len(t) for t in m.trades.values())
        print(f"  -> {n_c:,} candles, {n_t:,} trades")
        timed(f"generate {args.days:g} days x 3 symbols (candles only)", lambda: generate_market(days=args.days, seed=1, include_trades=False))

        store = open_store(tmp/'store')
        timed("store.write_candles, 3 symbols", lambda: [store.write_candles(s, c) for s, c in m.candles.items()], n_c)
        timed("store.write_trades, 3 symbols", lambda: [store.write_trades(s, t) for s, t in m.trades.items()], n_t)
        timed("store.write_candles again (idempotent, nothing new)", lambda: [store.write_candles(s, c) for s, c in m.candles.items()], n_c)
        timed("store.read_candles, 3 symbols", lambda: [store.read_candles(s) for s in m.candles], n_c)
        timed("store.read_trades, 3 symbols", lambda: [store.read_trades(s) for s in m.trades], n_t)
        timed("store.read_candles, one day of one symbol", lambda: store.read_candles('BTC/USDT', '2025-06-01', '2025-06-02'))

        c = m.candles['BTC/USDT']
        for iv in ('5m', '1h', '1d'):
            timed(f"resample_candles BTC/USDT 1m -> {iv}", lambda: resample_candles(c, iv), len(c))

        sym = 'XRP/USDT'
        to_kraken_ohlcvt(m.candles[sym], tmp/'XRPUSDT_1.csv')
        to_kraken_trades(m.trades[sym], tmp/'XRPUSDT.csv', with_side=True)
        print(f"Kraken files: {(tmp/'XRPUSDT_1.csv').stat().st_size/1e6:.0f} MB OHLCVT, {(tmp/'XRPUSDT.csv').stat().st_size/1e6:.0f} MB trades")
        rep = timed("import Kraken OHLCVT (new store)", lambda: import_kraken_ohlcvt(tmp/'XRPUSDT_1.csv', sym, tmp/'imp'), len(m.candles[sym]))
        print(f"  -> {rep.written:,} written, accounted: {rep.accounted}")
        rep = timed("import Kraken OHLCVT again (all already present)", lambda: import_kraken_ohlcvt(tmp/'XRPUSDT_1.csv', sym, tmp/'imp'), len(m.candles[sym]))
        rep = timed("import Kraken trades (new store)", lambda: import_kraken_trades(tmp/'XRPUSDT.csv', sym, tmp/'imp'), len(m.trades[sym]))
        print(f"  -> {rep.written:,} written, accounted: {rep.accounted}")
    finally:
        shutil.rmtree(tmp)


if __name__ == '__main__':
    main()
