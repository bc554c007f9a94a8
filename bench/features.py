"""Speed of the feature layer on this machine: prints figures, asserts nothing about time.

    .venv/bin/python bench/features.py

Issue targets: all 28 classifier features for one year of 1-minute bars (525,600) of one symbol in <= 0.25 s (beside
TA-Lib alone on the indicator subset); order-flow features at >= 5M trades/s; the live function for one symbol from a
400-candle snapshot in <= 0.5 ms median.
"""
import os, platform, statistics, time

import numpy as np
import talib

from tg4_ml.data.bars import complete_minutes
from tg4_ml.data.snapshots import snapshot_at
from tg4_ml.data.synthetic import generate_market
from tg4_ml.features.classifier import classifier_features, classifier_features_live, fit_feature_spec
from tg4_ml.features.orderflow import bvc_buy_fraction, trade_flow, vpin


def best(fn, repeat=5):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter(); fn(); times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times)


def main():
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, TA-Lib {talib.__version__}")
    m = generate_market(['BTC/USDT'], days=365, seed=1)
    raw = m.candles['BTC/USDT']
    t0 = time.perf_counter(); candles = complete_minutes(raw); t_grid = time.perf_counter() - t0
    print(f"complete_minutes: {len(raw):,} candles -> {len(candles):,} minutes ({candles.attrs['filled']:,} filled) in {t_grid*1e3:.1f} ms")
    trades = m.trades['BTC/USDT']
    n = len(candles)
    spec = fit_feature_spec(candles.iloc[:100_000])
    t0 = time.perf_counter(); classifier_features(candles.iloc[:1000], spec); print(f"first call (numba compiles or loads the VPIN kernel): {time.perf_counter() - t0:.2f} s")
    c, h, l, v = (np.ascontiguousarray(candles[k].to_numpy()) for k in ('close', 'high', 'low', 'volume'))

    def talib_subset():
        for p in (9, 21, 50): talib.EMA(c, p)
        talib.RSI(c, 14); talib.RSI(c, 7); talib.MACD(c, 12, 26, 9); talib.STOCH(h, l, c, 14, 3, 0, 3, 0); talib.ATR(h, l, c, 14)
        talib.BBANDS(c, 20, 2.0, 2.0, 0); talib.ADX(h, l, c, 14); talib.PLUS_DI(h, l, c, 14); talib.MINUS_DI(h, l, c, 14)
        talib.SMA(v, 20); talib.STDDEV(v, 20, 1.0)
    tb, tm = best(talib_subset)
    fb, fm = best(lambda: classifier_features(candles, spec))
    print(f"\none year of 1-minute bars: {n:,} bars")
    print(f"  TA-Lib alone, indicator subset (16 calls)      best {tb*1e3:7.1f} ms   median {tm*1e3:7.1f} ms")
    print(f"  all 28 classifier features (bvc order flow)    best {fb*1e3:7.1f} ms   median {fm*1e3:7.1f} ms")
    frac = bvc_buy_fraction(c)
    vb, vm = best(lambda: vpin(v, frac, spec.vpin_bucket_volume))
    bb, bm = best(lambda: bvc_buy_fraction(c))
    print(f"    of which VPIN {vb*1e3:.1f} ms, BVC {bb*1e3:.1f} ms")
    ob, om = best(lambda: trade_flow(trades, candles.index))
    print(f"\norder flow from the tape: {len(trades):,} trades into {n:,} bars   best {ob:.3f} s = {len(trades)/ob/1e6:.1f} M trades/s (median {len(trades)/om/1e6:.1f} M/s)")

    rng = np.random.default_rng(0)
    snaps = [snapshot_at(candles.index[i] + np.timedelta64(61, 's'), {'BTC/USDT': raw}) for i in rng.integers(1000, n, 200)]   # gappy, as live
    for s in snaps[:5]: classifier_features_live(s, 'BTC/USDT', spec)
    times = []
    for s in snaps*5:
        t0 = time.perf_counter(); classifier_features_live(s, 'BTC/USDT', spec); times.append(time.perf_counter() - t0)
    q = np.percentile(np.array(times)*1e3, [50, 90, 99])
    print(f"\nlive function, 400-candle snapshot (gappy; grid completed per call), {len(times)} calls: median {q[0]:.3f} ms, p90 {q[1]:.3f} ms, p99 {q[2]:.3f} ms")


if __name__ == '__main__':
    main()
