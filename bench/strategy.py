"""Latency and memory of ml_signal_v1.generate_signal: prints figures, asserts nothing about time.

    .venv/bin/python bench/strategy.py [--calls 5000] [--memory-calls 100000]

Two symbols, paper-tester live snapshots (400 1m and 400 5m candles, the last 100 trades each), an XGBoost classifier of
500 trees per symbol. The confidence threshold is set above 1 so that every call evaluates both symbols (no early return
on a signal), and the per-bar cache is cleared before each call so that every call computes features and predictions.
Also: the cost of a call on a bar already scored (the live tester calls every 100 ms), and where a scored bar's time goes
(features vs prediction). Issue target: p99 <= 2 ms per symbol per scored bar.
"""
import argparse, os, platform, resource, tempfile, time
from pathlib import Path

import numpy as np
import pandas as pd

from tg4_ml.data.snapshots import snapshot_at
from tg4_ml.data.store import open_store
from tg4_ml.strategies import ml_signal
from tg4_ml.testing import small_market
from tg4_ml.train.classifier import TrainConfig, train_classifier


def rss_mb() -> float:
    with open('/proc/self/statm') as f: return int(f.read().split()[1])*os.sysconf('SC_PAGE_SIZE')/2**20


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--calls', type=int, default=5000)
    ap.add_argument('--memory-calls', type=int, default=100_000)
    args = ap.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    tmp = Path(tempfile.mkdtemp())
    mk = small_market(['BTC/USDT', 'XRP/USDT'], days=8, seed=5, signal_strength=1.0)
    store = open_store(tmp/'store')
    for s in mk.symbols:
        store.write_candles(s, mk.candles[s])
        res = train_classifier(store, TrainConfig(symbol=s, horizon=5, fee_rate=0.0, slippage_bps=1.0, early_stopping_rounds=0),
                               registry=tmp/'models', runs_dir=tmp/'runs', report=False)
        print(f"{s}: XGBoost with {res.classifier.best_iteration + 1} trees x 3 classes")
    config = ml_signal.CONFIG.copy()
    config.update({'models': {s: f"signal_{s.replace('/', '_').lower()}" for s in mk.symbols}, 'registry_dir': str(tmp/'models'), 'confidence_threshold': 1.01})
    state = {}
    ml_signal.on_start(config, state)
    assert not state['tg4_ml']['errors'], state['tg4_ml']['errors']
    idx = mk.candles['BTC/USDT'].index
    snaps = [snapshot_at(t + pd.Timedelta('61s'), mk.candles, mk.trades) for t in idx[600:600 + 500]]
    for s in snaps[:20]: ml_signal.generate_signal(s, config, state)
    times = []
    models = state['tg4_ml']['models'].values()
    for i in range(args.calls):
        for m in models: m['last_bar'] = None
        snap = snaps[i % len(snaps)]
        t0 = time.perf_counter(); ml_signal.generate_signal(snap, config, state); times.append(time.perf_counter() - t0)
    assert not state['tg4_ml']['skipped'], state['tg4_ml']['skipped']
    q = np.percentile(np.array(times)*1e3, [50, 90, 99, 99.9])
    print(f"generate_signal, 2 symbols per call, {args.calls:,} calls: p50 {q[0]:.2f} ms, p90 {q[1]:.2f} ms, p99 {q[2]:.2f} ms, p99.9 {q[3]:.2f} ms "
          f"(per symbol: p50 {q[0]/2:.2f} ms, p99 {q[2]/2:.2f} ms)")
    snap = snaps[-1]
    ml_signal.generate_signal(snap, config, state)
    t0 = time.perf_counter()
    for _ in range(20_000): ml_signal.generate_signal(snap, config, state)
    print(f"a call on bars already scored (2 symbols): {(time.perf_counter() - t0)/20_000*1e6:.1f} µs")
    from tg4_ml.features.classifier import classifier_features_live
    m = next(iter(models)); clf = m['classifier']
    tf, tp = [], []
    for s in snaps[:300]:
        t0 = time.perf_counter(); f = classifier_features_live(s, m['symbol'], clf.spec); t1 = time.perf_counter(); clf.predict_one(f); t2 = time.perf_counter()
        tf.append(t1 - t0); tp.append(t2 - t1)
    print(f"one symbol's scored bar: features p50 {np.median(tf)*1e3:.2f} ms p99 {np.percentile(tf, 99)*1e3:.2f} ms, "
          f"prediction p50 {np.median(tp)*1e3:.2f} ms p99 {np.percentile(tp, 99)*1e3:.2f} ms")
    if args.memory_calls:
        marks = {}
        for i in range(args.memory_calls):
            for m in models: m['last_bar'] = None
            ml_signal.generate_signal(snaps[i % len(snaps)], config, state)
            if i + 1 in (1_000, args.memory_calls//10, args.memory_calls//2, args.memory_calls): marks[i + 1] = rss_mb()
        print("resident memory after N calls: " + ', '.join(f"{n:,}: {m:.1f} MB" for n, m in marks.items()) +
              f" (peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024:.1f} MB)")


if __name__ == '__main__':
    main()
